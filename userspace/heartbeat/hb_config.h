// What rdbd-heartbeat reads from /etc/ha.d: ha.cf (timing, nodes, links),
// authkeys (see hb_auth.h) and haresources (see hb_haresources.h).
//
// Configuration is kept apart from runtime state (hb_membership.h): these
// structs are filled once by the parsers and never change while running.
#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "error.h"
#include "hb_ops.h"
#include "hb_uplink_config.h"

namespace rdbd::hb {

using Millis = std::chrono::milliseconds;

// A configuration mistake, already formatted as "FILE:LINE: message".
struct ConfigError : Error {
	explicit ConfigError(const std::string &m) : Error(kExitConfig, m) {}
};

// One heartbeat medium.  Several lines give several links, all used at
// once: a peer is dead only when every link has been silent for deadtime.
struct LinkConfig {
	enum class Kind { kUnicast, kBroadcast };
	Kind kind = Kind::kUnicast;
	std::string interface;	// eth0
	std::string peer_ip;	// ucast only: where datagrams go
	std::string where;	// "ha.cf:12", for messages about the link
	// The name status shows: "eth0" or "eth0/10.99.0.2".
	std::string name() const;
};

// A Heartbeat ping node: `ping IP` (one node per address) or `ping_group
// NAME IP...` (one node, up while any member answers).
struct PingNodeConfig {
	std::string name;	       // the address, or the group's name
	std::vector<std::string> ips;
	std::string where;
};

struct HaConfig {
	std::vector<std::string> nodes;	// `node` lines, lowercased
	Millis keepalive{1000};		// Heartbeat's default
	Millis deadtime{30000};
	std::optional<Millis> warntime; // unset: deadtime / 2
	std::optional<Millis> initdead; // unset: derived, see effective_initdead
	unsigned udpport = 694;
	std::vector<LinkConfig> links;
	bool auto_failback = false;
	std::string logfile;
	std::string debugfile;
	std::string logfacility; // empty: none given; "none": no syslog
	OpsConfig ops;		 // rsc_defaults, rsc_options (hb_ops.h)
	UplinksConfig uplinks;	 // uplink, dns_update... (hb_uplink_config.h)
	std::vector<PingNodeConfig> ping_nodes;
	std::optional<Millis> deadping; // unset: deadtime
	// `respawn hacluster .../ipfail`: the built-in rule (hb_failover.h)
	// moves groups to the node that reaches more ping nodes.
	bool ipfail = false;
	Millis effective_deadping() const { return deadping ? *deadping : deadtime; }

	Millis effective_warntime() const;
	// Heartbeat's rule when initdead is not given: twice deadtime, but
	// never less than deadtime itself.
	Millis effective_initdead() const;
};

// Parse ha.cf text; `file` names it in error messages.  `own_ips` are this
// machine's addresses: a `ucast` line aimed at one of them is skipped, so
// both nodes can share one ha.cf.  Checks what Heartbeat refuses at
// startup (no node, no link, deadtime <= 2 * keepalive, initdead <
// deadtime); `self` must be one of the nodes.
HaConfig parse_ha_cf(const std::string &text, const std::string &file,
		     const std::vector<std::string> &own_ips,
		     const std::string &self);

// hb_uplink_parser.cc: false if w[0] is not an uplink directive.
bool parse_uplink_directive(const std::vector<std::string> &w,
			    const std::string &where, UplinksConfig &c);
void check_uplinks(const UplinksConfig &c, const std::string &file);

// The directives parse_ha_cf accepts, and those of Heartbeat it refuses
// as unsupported (any other word is refused as unknown).  The man page
// test checks that rdbd-ha.cf(5) documents every one of both.
const std::set<std::string> &ha_cf_directives();
const std::set<std::string> &ha_cf_unsupported_directives();

// "2", "0.5" (seconds), "500ms", "100000us"; nullopt if malformed.  A bare
// "10s" is not Heartbeat syntax and is refused.
std::optional<Millis> parse_duration(const std::string &text);

} // namespace rdbd::hb
