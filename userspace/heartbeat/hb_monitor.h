// Monitoring of running resources, fail counts and bans: what Pacemaker
// calls monitor operations, migration-threshold and failure-timeout,
// for Heartbeat v1's resource groups (keepalived's track_script plays
// the same part).
//
// While this node holds a group, the daemon wakes every `monitor_interval`
// (the shortest of its resources', hb_ops.h) and runs `status` (OCF:
// `monitor`) of each resource whose own interval has come, left to
// right, one at a time, each within its `status_timeout`.  A resource that is not running, answers an error,
// or does not answer in time has *failed*:
//
//   fail count <= max_restarts  restart it in place: stop it and the
//                               resources right of it (they depend on
//                               it), start them again
//   fail count >  max_restarts  ban the group here and release it, so the
//                               peer takes it (if the peer cannot, the
//                               group stays and is restarted: a degraded
//                               service beats none)
//
// A start that fails (timeout included) bans the group here at once, as
// Pacemaker's start-failure-is-fatal does; the peer takes it.
// A ban ends `failure_timeout` after the last failure (the fail counts
// are forgotten then too), on `rdbd-heartbeat cleanup [GROUP]`, or on
// `takeover`; it never outlives these, so one failed start no longer
// takes a node out of failover for good.  Bans travel in every heartbeat
// (`fgrp`), so the peer knows which groups this node will not take.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hb_loop.h"
#include "hb_ops.h"

namespace rdbd::hb {

struct ResourceHealth {
	unsigned fail_count = 0;
	Clock::time_point last_failure{};
	std::string last_reason; // for status: what the last failure was
	Clock::time_point last_check{}; // of its last monitor call
};

struct GroupHealth {
	std::vector<ResourceHealth> resources;
	// Banned here until then; Clock::time_point::max(): until cleanup.
	std::optional<Clock::time_point> banned_until;
	std::string ban_reason;
	std::optional<size_t> restart_from; // a restart in place runs
	bool monitoring = false;	    // a monitor call runs
	std::optional<EventLoop::TimerId> monitor_timer;

	bool banned() const { return banned_until.has_value(); }
};

// After a resource failed `fail_count` times: restart in place or move?
enum class FailureResponse { kRestart, kRelease };
FailureResponse respond_to_failure(unsigned fail_count,
				   unsigned max_restarts,
				   bool peer_can_take_it);

// Forgets what `failure_timeout` has passed over (0: never); true if
// anything changed.
bool expire_failures(GroupHealth &health,
		     const std::vector<ResourceOps> &ops,
		     Clock::time_point now);

// The shortest monitor_interval among `ops` that is not 0; nullopt if
// every resource has monitoring off.
std::optional<Millis> monitor_period(const std::vector<ResourceOps> &ops);

// Is a resource checked at most `interval` ago due in a round that
// comes every `period`?  Half a period of slack keeps a 20 s resource in
// a 1 s group at 20 s, not 21.
bool monitor_due(Clock::time_point last_check, Millis interval, Millis period,
		 Clock::time_point now);

} // namespace rdbd::hb
