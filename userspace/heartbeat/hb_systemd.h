// systemd's notify protocol through libsystemd's sd_notify: READY=1 once
// the links and the control socket are open, STOPPING=1 when a graceful
// stop begins, and WATCHDOG=1 from the event loop itself at half the
// unit's WatchdogSec, so a loop that hangs (not only a dead process) is
// restarted.  Outside systemd (no NOTIFY_SOCKET) every call does nothing.
#pragma once

#include "hb_loop.h"

namespace rdbd::hb {

void notify_ready();
void notify_stopping();
// Starts the WATCHDOG=1 timer on `loop` if the unit has WatchdogSec.
void start_watchdog(EventLoop &loop);

} // namespace rdbd::hb
