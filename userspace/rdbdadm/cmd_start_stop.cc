// rdbdadm start [RES|all] and stop [RES|all]: what rdbd.service runs at
// boot and at shutdown, in the steps DRBD's init script takes with
// `drbdadm adjust`, `wait-con-int` and `sh-b-pri`:
//
//   start  1. adjust: up every resource (or fix what differs);
//          2. wait for the peers to connect, each resource for its
//             startup { wfc-timeout } seconds, or degr-wfc-timeout when
//             this node went down as a Primary without its peer (the
//             meta data says so); 0 waits forever.  A resource whose
//             peer does not come stays up, still trying to connect;
//          3. promote the resources whose become-primary-on names this
//             node, or both.
//   stop   down every resource that is up (down demotes first).
//
// With -d both print the operations and the waits they would do.
#include <chrono>
#include <iostream>

#include "command.h"
#include "error.h"
#include "startup_state.h"
#include "wait.h"

namespace rdbd::adm {
namespace {

struct PeerWait {
	std::string resource;
	unsigned timeout_s; // 0: forever
	const char *option; // which startup option gave it
};

std::vector<PeerWait> peer_waits(Session &session, const std::string &which)
{
	std::vector<PeerWait> waits;
	for (const NodeResource &r : session.resources(which)) {
		const StartupOptions &s = r.resource->startup;
		if (went_down_degraded(r.self->disk))
			waits.push_back({r.name(), s.degr_wfc_timeout_s,
					 "degr-wfc-timeout"});
		else
			waits.push_back(
				{r.name(), s.wfc_timeout_s, "wfc-timeout"});
	}
	return waits;
}

std::string duration(unsigned seconds)
{
	return seconds ? std::to_string(seconds) + " s" : "forever";
}

// The waits share one clock, as if they ran side by side: two resources
// whose peer is dead take the longer timeout, not the sum.
void wait_for_peers(Session &session, const std::vector<PeerWait> &waits)
{
	const auto started = std::chrono::steady_clock::now();
	for (const PeerWait &w : waits) {
		const std::string plan = w.resource + ": waiting for the peer, " +
					 duration(w.timeout_s) + " (" +
					 w.option + ")";
		// -d keeps stdout for operations only.
		if (session.options().dry_run) {
			report_error(plan + " [dry-run: not waiting]");
			continue;
		}
		std::cout << plan << '\n' << std::flush;
		try {
			wait_until(session, w.resource, WaitGoal::Connected,
				   seconds_left(w.timeout_s, started));
			std::cout << w.resource << ": connected\n";
		} catch (const TimeoutError &) {
			std::cout << w.resource << ": no peer after "
				  << w.timeout_s << " s (" << w.option
				  << "); continuing without it, still "
				     "trying to connect\n";
		} catch (const Error &e) {
			// Not up (adjust failed and said why) or StandAlone:
			// the other resources still get their wait.
			report_error(e.what());
		}
	}
}

bool becomes_primary_here(const NodeResource &r)
{
	for (const std::string &host : r.resource->startup.become_primary_on)
		if (host == "both" || host == r.self->name)
			return true;
	return false;
}

int promote_by_config(Session &session, const std::string &which)
{
	int result = kExitOk;
	for (const NodeResource &r : session.resources(which)) {
		if (!becomes_primary_here(r))
			continue;
		const int rc = session.run_plans(r.name(),
						 [](const NodeResource &one) {
							 return plan_primary(
								 one, false);
						 });
		if (result == kExitOk)
			result = rc;
	}
	return result;
}

int start(Session &session, const po::variables_map &args)
{
	const std::string which = resource_argument(args);
	// Read before adjust: attaching rewrites the flags it looks at.
	const std::vector<PeerWait> waits = peer_waits(session, which);
	const int adjusted = adjust(session, which);
	wait_for_peers(session, waits);
	const int promoted = promote_by_config(session, which);
	return adjusted != kExitOk ? adjusted : promoted;
}

// Only what is up goes down: stop on a node where nothing runs (or
// where the module is not even loaded) has nothing to do and succeeds.
int stop(Session &session, const po::variables_map &args)
{
	const std::string which = resource_argument(args);
	std::vector<std::string> up;
	try {
		for (const ResourceState &s : session.kernel_states(which))
			if (s.kernel)
				up.push_back(s.config.name());
	} catch (const NetlinkError &e) {
		report_error(std::string(e.what()) +
			     "; nothing is up, so nothing to stop");
		return kExitOk;
	}
	int result = kExitOk;
	for (const std::string &name : up) {
		const int rc = session.run_plans(name, plan_down);
		if (result == kExitOk)
			result = rc;
	}
	return result;
}

const CommandRegistration registrations[] = {
	CommandRegistration({
		"start",
		"[RES|all]",
		"boot: adjust, wait for the peer, promote per "
		"become-primary-on",
		optional_resource_arguments,
		start,
	}),
	CommandRegistration({
		"stop",
		"[RES|all]",
		"shutdown: take down every resource that is up",
		optional_resource_arguments,
		stop,
	}),
};

} // namespace
} // namespace rdbd::adm
