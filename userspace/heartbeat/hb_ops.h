// Operation limits and monitoring of resources: rdbd-heartbeat's
// extension of ha.cf, in the spirit of Pacemaker's operation timeouts,
// monitor operations, migration-threshold and failure-timeout.
//
//   rsc_defaults start_timeout=60 stop_timeout=60 status_timeout=20
//                monitor_interval=20 max_restarts=3 failure_timeout=600
//                (one line)
//   rsc_options apache2 monitor_interval=5 start_timeout=90
//
// Times are ha.cf durations (seconds, or 500ms).  rsc_defaults applies to
// every resource; rsc_options overrides keys for one resource, named by
// its haresources token (IPaddr2::10.99.0.10/24/eth0) or by its script
// name when that is unique (apache2).  What each key does:
//   start_timeout    a start still running then is killed and failed
//   stop_timeout     a stop still running then is killed and failed (it
//                    is retried, then escalates as any failed stop)
//   status_timeout   status/monitor calls (monitoring, the startup probe)
//   monitor_interval how often a held group's resources are checked;
//                    0 turns monitoring off for the resource
//   max_restarts     failures restarted in place before the group is
//                    released to the peer
//   failure_timeout  a resource's fail count is forgotten this long after
//                    its last failure (0: only `rdbd-heartbeat cleanup`)
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hb_haresources.h"

namespace rdbd::hb {

using Millis = std::chrono::milliseconds;

struct ResourceOps {
	Millis start_timeout{60000};
	Millis stop_timeout{60000};
	Millis status_timeout{20000};
	Millis monitor_interval{20000};
	unsigned max_restarts = 3;
	Millis failure_timeout{600000};
};

// One rsc_defaults or rsc_options line: only the keys it gives.
struct OpsOverride {
	std::optional<Millis> start_timeout, stop_timeout, status_timeout,
		monitor_interval, failure_timeout;
	std::optional<unsigned> max_restarts;
	std::string where; // "ha.cf:12"

	void apply_to(ResourceOps &ops) const;
};

struct OpsConfig {
	OpsOverride defaults;
	std::vector<std::pair<std::string, OpsOverride>> resources;

	// The limits of `spec`: built-in defaults, rsc_defaults, then the
	// rsc_options that name it.
	ResourceOps for_resource(const ResourceSpec &spec) const;
	// Every rsc_options line names a resource of haresources, and a
	// bare script name names exactly one; throws ConfigError otherwise.
	void check(const Haresources &resources) const;
};

// The keys rsc_defaults and rsc_options take (the man page test checks
// that rdbd-ha.cf(5) lists them).
const std::vector<std::string> &ops_keys();

// Parses `key=value` words into `out`; throws ConfigError with `where`.
void parse_ops_words(const std::vector<std::string> &words, size_t first,
		     const std::string &where, OpsOverride &out);

} // namespace rdbd::hb
