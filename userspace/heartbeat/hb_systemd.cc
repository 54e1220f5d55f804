#include "hb_systemd.h"

#include <systemd/sd-daemon.h>

#include "hb_log.h"

namespace rdbd::hb {

namespace {

void watchdog_tick(EventLoop &loop, std::chrono::milliseconds period)
{
	sd_notify(0, "WATCHDOG=1");
	loop.after(period, [&loop, period] { watchdog_tick(loop, period); });
}

} // namespace

void notify_ready()
{
	sd_notify(0, "READY=1\nSTATUS=heartbeat links and control socket open");
}

void notify_stopping() { sd_notify(0, "STOPPING=1"); }

void start_watchdog(EventLoop &loop)
{
	uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) <= 0 || usec < 2000)
		return;
	const auto period = std::chrono::milliseconds(usec / 2000);
	log_info("systemd watchdog: WATCHDOG=1 every " +
		 std::to_string(period.count()) + " ms");
	watchdog_tick(loop, period);
}

} // namespace rdbd::hb
