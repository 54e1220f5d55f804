// What the kernel reports about a device (RDBD_CMD_GET_STATUS), and the
// ways rdbdadm shows it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "json.h"
#include "netlink.h"

namespace rdbd {

// RDBD_A_STATUS in host order; an attribute the kernel left out stays at
// its default here.
struct DeviceStatus {
	unsigned minor = 0;
	std::string resource;
	uint8_t role = 0;	     // enum rdbd_role
	uint8_t disk_state = 0;	     // enum rdbd_disk_state
	uint8_t conn_state = 0;	     // enum rdbd_conn_state
	uint8_t peer_role = 0;	     // enum rdbd_role
	uint8_t peer_disk_state = 0; // enum rdbd_disk_state
	uint8_t protocol = 0;	     // enum rdbd_protocol, 0 = none
	uint64_t size_sectors = 0;
	std::string backing_path;
	uint32_t open_count = 0;
	uint32_t md_flags = 0;
	uint64_t uuid_current = 0;
	uint64_t uuid_bitmap = 0;
	uint64_t uuid_history0 = 0;
	uint64_t uuid_history1 = 0;
	uint64_t disk_written_kib = 0;
	uint64_t disk_read_kib = 0;
	uint64_t net_sent_kib = 0;
	uint64_t net_received_kib = 0;
	uint64_t out_of_sync_kib = 0;
	uint64_t resync_sent_kib = 0;
	uint64_t resync_received_kib = 0;
	uint64_t sync_total_kib = 0; // while resyncing: this sync's size
	uint64_t sync_elapsed_ms = 0;
	uint64_t bitmap_writes = 0;  // bitmap blocks written to disk
	uint64_t al_writes = 0;	     // activity-log transactions written
	uint64_t io_errors = 0;	     // failed backing-disk I/Os
	uint64_t peer_read_kib = 0;  // reads the peer served (disk failed)
	uint8_t split_brain = 0;     // 1: the last handshake found one
	// The running or last online verify (all 0 if none ran).
	uint64_t verify_done_kib = 0;
	uint64_t verify_total_kib = 0;
	uint64_t verify_oos_kib = 0; // found different, marked out of sync
	std::string last_error;
	// The resync controller as last set (RDBD_CMD_DISK_OPTS); a kernel
	// that does not report it leaves disk_options_reported false.
	bool disk_options_reported = false;
	uint32_t resync_rate_kib = 0;
	uint32_t c_plan_ahead_ds = 0;
	uint32_t c_min_rate_kib = 0;
	uint32_t c_max_rate_kib = 0;
	uint32_t al_extents = 0; // for the next attach
	// Fencing (a kernel that does not report it: fencing_reported false).
	bool fencing_reported = false;
	uint8_t fencing = 0;	  // enum rdbd_fencing
	uint8_t suspended = 0;	  // 1: application I/O frozen by fencing
	uint8_t fencing_peer = 0; // 1: a fence-peer handler runs

	// SyncSource, SyncTarget or paused: the states with a progress.
	bool resyncing() const;
	// VerifyS or VerifyT: progress is verify_done_kib of _total_kib.
	bool verifying() const;
	// Percent of this sync done, while one runs, rounded down to a
	// tenth; else nullopt.
	std::optional<double> sync_percent() const;
	// Seconds left at the average rate so far; nullopt if not
	// resyncing or nothing is done yet to measure a rate on.
	std::optional<uint64_t> sync_eta_seconds() const;
};

// Decodes one GET_STATUS reply or EVENT message; throws NetlinkError if
// it lacks the minor or its attributes are malformed.
DeviceStatus parse_status(nl_msg *msg);

// One RDBD_CMD_EVENT: a device's new status, or its removal.
struct DeviceEvent {
	unsigned minor = 0;
	std::string resource;
	std::optional<DeviceStatus> status; // empty: the minor was deleted
};
// As parse_status(); an EVENT without RDBD_A_STATUS is a deletion.
DeviceEvent parse_event(nl_msg *msg);

// Every device the kernel has (GET_STATUS as a dump).
std::vector<DeviceStatus> query_all_status(GenlClient &kernel);

// A configured resource next to what the kernel says about it (nothing if
// it is not up: no device with its minor and name).
struct ResourceState {
	NodeResource config;
	std::optional<DeviceStatus> kernel;
};

std::vector<ResourceState>
match_status(const std::vector<NodeResource> &resources,
	     const std::vector<DeviceStatus> &devices);

// drbdadm (drbd 9) `status` style text; human output, may change.
std::string status_text(const ResourceState &state);
// "[========>...........] 42.3% eta 0:00:12" while resyncing; else "".
std::string sync_progress_text(const DeviceStatus &s);
// "42.3": how sync percentages are written, in text and in JSON.
std::string percent_text(double percent);
// "1:02:03"; "-:--:--" for an unknown duration.
std::string duration_text(std::optional<uint64_t> seconds);

// The stable --json form: exactly the keys documented in rdbdadm --help.
JsonObject status_json(const ResourceState &state);
// The same for a device known by name and minor only (events); `kernel`
// empty gives the object of a resource that is not up.
JsonObject status_json(const std::string &name, unsigned minor,
		       const std::optional<DeviceStatus> &kernel);

} // namespace rdbd
