// What rdbd-heartbeat needs to know of one rdbd resource, read from
// `rdbdadm status --json RES` (rdbdadm's stable interface, see
// rdbdadm(8)) with nlohmann-json: no substring matching, so key order,
// spacing and states nobody listed here cannot fool it.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace rdbd::hb {

// How long one rdbdadm run may take.  rdbdadm answers from the kernel at
// once; one that hangs (a wedged device, a stuck netlink) must not hold a
// takeover, a failback or a peer's fence request.
inline constexpr auto kRdbdadmLimit = std::chrono::seconds(10);

struct RdbdView {
	bool up = false;	 // the resource is configured in the kernel
	std::string role;	 // "Primary", "Secondary"; empty if not up
	std::string disk_state;	 // "UpToDate", "Outdated", ...
	std::string connection_state;
	std::string peer_role;	 // "Primary", "Secondary", "Unknown"
	// The connection has a peer (WFReportParams or any state above,
	// SyncSource, SyncTarget, VerifyS, ... included).
	bool connected = false;

	// The peer is alive and Primary, as far as rdbd knows.
	bool peer_primary() const { return connected && peer_role == "Primary"; }
};

// Parses the output of `rdbdadm status --json RES` (an array of one
// object); nullopt if it is not that (rdbdadm failed, or the output is
// not JSON of that shape).
std::optional<RdbdView> parse_rdbd_status(const std::string &json);

} // namespace rdbd::hb
