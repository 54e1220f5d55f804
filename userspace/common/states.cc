#include "states.h"

#include <rdbd/genl.h>

#include <array>

namespace rdbd {

namespace {

// Indexed by the enum values, which start at 0 and have no holes; the
// static_asserts keep each table as long as its enum.
constexpr std::array<const char *, 3> kRoles = {"Unknown", "Primary",
						"Secondary"};
static_assert(kRoles.size() == RDBD_ROLE_SECONDARY + 1);

constexpr std::array<const char *, 9> kDiskStates = {
	"Diskless", "Attaching", "Failed",     "Negotiating", "Inconsistent",
	"Outdated", "DUnknown",	 "Consistent", "UpToDate",
};
static_assert(kDiskStates.size() == RDBD_DISK_UPTODATE + 1);

constexpr std::array<const char *, 24> kConnStates = {
	"StandAlone",	 "Disconnecting",  "Unconnected",   "Timeout",
	"BrokenPipe",	 "NetworkFailure", "ProtocolError", "TearDown",
	"WFConnection",	 "WFReportParams", "Connected",	    "StartingSyncS",
	"StartingSyncT", "WFBitMapS",	   "WFBitMapT",	    "WFSyncUUID",
	"SyncSource",	 "SyncTarget",	   "VerifyS",	    "VerifyT",
	"PausedSyncS",	 "PausedSyncT",	   "Ahead",	    "Behind",
};
static_assert(kConnStates.size() == RDBD_CONN_BEHIND + 1);

template <size_t N>
std::string lookup(const std::array<const char *, N> &names, unsigned value)
{
	if (value < N)
		return names[value];
	return "Invalid(" + std::to_string(value) + ")";
}

} // namespace

std::string role_name(unsigned role)
{
	return lookup(kRoles, role);
}

std::string disk_state_name(unsigned state)
{
	return lookup(kDiskStates, state);
}

std::string conn_state_name(unsigned state)
{
	return lookup(kConnStates, state);
}

std::optional<char> protocol_letter(unsigned protocol)
{
	if (protocol < RDBD_PROT_A || protocol > RDBD_PROT_C)
		return std::nullopt;
	return static_cast<char>('A' + (protocol - RDBD_PROT_A));
}

} // namespace rdbd
