// rdbdadm status [RES|all] [--json]: the kernel's view of resources.
//
// --json is the stable interface: an array with one object per resource,
// with exactly these keys (states null for a resource that is not up):
//   name, minor, role, disk_state, connection_state, peer_role,
//   peer_disk_state, protocol ("A"/"B"/"C" or null), out_of_sync_kib,
//   sync_percent (null unless resyncing or verifying; one decimal, of this sync's
//   total), net_sent_kib, net_received_kib,
//   resync_sent_kib, resync_received_kib, disk_written_kib, disk_read_kib,
//   bitmap_writes (bitmap blocks written to disk), al_writes (activity-log
//   transactions: divide by the data writes for the AL overhead),
//   io_errors (failed backing-disk I/Os, see on-io-error), peer_read_kib
//   (reads the peer served because this node's disk failed),
//   split_brain (1 when the
//   last connection attempt found a split brain, else 0),
//   verify_done_kib, verify_total_kib, verify_oos_kib (the running or last
//   online verify: compared so far, the device size, found different; 0
//   if none ran; sync_percent also shows a verify's progress), and the
//   disk options in force: resync_rate_kib, c_plan_ahead_ds,
//   c_min_rate_kib, c_max_rate_kib, al_extents (the one the next attach
//   uses; these are null when not up)
#include <iostream>

#include "command.h"

namespace rdbd::adm {
namespace {

int execute(Session &session, const po::variables_map &args)
{
	const std::vector<ResourceState> states =
		session.states(resource_argument(args));
	if (session.options().json) {
		std::vector<JsonObject> objects;
		for (const ResourceState &s : states)
			objects.push_back(status_json(s));
		std::cout << json_array(objects);
		return kExitOk;
	}
	for (const ResourceState &s : states)
		std::cout << status_text(s);
	return kExitOk;
}

const CommandRegistration registration({
	"status",
	"[RES|all] [--json]",
	"show roles, disk and connection states (all resources by default)",
	optional_resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
