#include "wait.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "error.h"
#include "status_watch.h"

namespace rdbd::adm {

namespace {

// wait-sync's line on a terminal, redrawn in place; finished with a
// newline when it goes, so what is printed next starts on its own line.
class LiveLine {
public:
	explicit LiveLine(bool enabled) : enabled_(enabled) {}
	~LiveLine()
	{
		if (drawn_)
			std::cout << '\n' << std::flush;
	}
	LiveLine(const LiveLine &) = delete;
	LiveLine &operator=(const LiveLine &) = delete;

	bool enabled() const { return enabled_; }

	void show(const std::string &text)
	{
		if (!enabled_)
			return;
		// \r to the start, then erase what a longer line left.
		std::cout << '\r' << text << "\033[K" << std::flush;
		drawn_ = true;
	}

private:
	bool enabled_;
	bool drawn_ = false;
};

// The kernel sends events on state changes, not on sync progress: while
// a sync runs, the live line re-reads the status this often.  The wait
// itself still ends on events only.
constexpr auto kRedrawInterval = std::chrono::seconds(1);

std::optional<Deadline> next_wake(const std::optional<Deadline> &deadline,
				  bool redraw)
{
	if (!redraw)
		return deadline;
	const Deadline next =
		std::chrono::steady_clock::now() + kRedrawInterval;
	return deadline ? std::min(*deadline, next) : next;
}

bool passed(const std::optional<Deadline> &deadline)
{
	return deadline && std::chrono::steady_clock::now() >= *deadline;
}

} // namespace

void wait_arguments(po::options_description &options,
		    po::positional_options_description &positional)
{
	add_resource_argument(options, positional, false);
	options.add_options()(
		"timeout",
		po::value<unsigned>()->default_value(0)->value_name("S"),
		"give up after S seconds (exit code 5); 0 waits forever");
}

unsigned seconds_left(unsigned timeout, Deadline started)
{
	if (timeout == 0)
		return 0;
	const auto spent = std::chrono::duration_cast<std::chrono::seconds>(
		std::chrono::steady_clock::now() - started);
	const long long left = static_cast<long long>(timeout) - spent.count();
	return static_cast<unsigned>(std::max(1LL, left));
}

// With "all", the resources are waited for one after the other on one
// clock: --timeout bounds the whole wait, and the first resource that
// cannot get there ends it.
int wait_for(Session &session, const po::variables_map &args, WaitGoal goal)
{
	const std::string which = resource_argument(args);
	const unsigned timeout = args["timeout"].as<unsigned>();
	const Deadline started = std::chrono::steady_clock::now();
	for (const NodeResource &r : session.resources(which))
		wait_until(session, r.name(), goal,
			   seconds_left(timeout, started));
	return kExitOk;
}

int wait_until(Session &session, const std::string &name, WaitGoal goal,
	       unsigned timeout)
{
	const std::optional<Deadline> deadline = deadline_after(timeout);
	// Subscribed before the read, so no change slips between the two.
	StatusWatch watch;
	std::optional<DeviceStatus> status = session.states(name)[0].kernel;
	const unsigned minor = status->minor;
	LiveLine live(goal == WaitGoal::Synced && isatty(STDOUT_FILENO));
	for (;;) {
		const WaitVerdict verdict = judge(goal, status);
		if (status)
			live.show(progress_line(name, *status));
		if (verdict.state == WaitVerdict::Reached)
			return kExitOk;
		if (verdict.state == WaitVerdict::Failed)
			throw Error(kExitFailure, name + ": " + verdict.why);
		const bool redraw = live.enabled() && status->resyncing();
		if (watch.wait(next_wake(deadline, redraw)) == Wake::Events) {
			status = latest_status(watch.take(), minor,
					       std::move(status));
			continue;
		}
		if (passed(deadline))
			throw TimeoutError(
				timeout_message(goal, name, timeout, *status));
		status = session.states(name)[0].kernel; // a redraw
	}
}

} // namespace rdbd::adm
