// `rdbdadm events` output, shaped like drbdsetup events2 (drbd 9):
//
//   exists resource name:r0 role:Primary
//   exists device name:r0 minor:0 disk:UpToDate
//   exists connection name:r0 peer:rabius connection:Connected role:Secondary
//   exists peer-device name:r0 peer:rabius replication:SyncSource
//          peer-disk:Inconsistent done:12.0          (one line)
//   exists -
//   change peer-device name:r0 peer:rabius done:12.5
//   destroy resource name:r0
//
// A device splits into four objects, as in drbd 9.  `connection` stops at
// Connected; what happens over the connection (SyncSource, ...) is the
// peer-device's `replication`, "Off" while not connected.  A `change`
// line names its object and carries only the values that changed; a
// device that appears after the first read is `create`d with all of them.
//
// With --json each line is the `status --json` object of the device with
// "event" ("exists", "create", "change", "destroy") first, and no
// "exists -" line.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "status.h"
#include "status_watch.h"

namespace rdbd {

struct EventObject {
	std::string kind; // resource, device, connection, peer-device
	std::vector<std::pair<std::string, std::string>> ids, values;
};

// The four objects of a device; `peer` empty leaves the peer: key out.
std::vector<EventObject> event_objects(const DeviceStatus &s,
				       const std::string &peer);

struct EventOptions {
	bool json = false;
	std::string resource; // only this one; empty for all
	// The peer's name for a resource, "" if unknown (not in the kernel's
	// status: it comes from the configuration).
	std::function<std::string(const std::string &resource)> peer_of;
	// A timestamp for each line; empty for none.
	std::function<std::string()> timestamp;
};

// Turns the first read and the events after it into lines, remembering
// each device's last status to tell what changed.
class EventPrinter {
public:
	explicit EventPrinter(EventOptions options)
		: options_(std::move(options))
	{
	}

	std::vector<std::string> exists(const std::vector<DeviceStatus> &all);
	std::vector<std::string> apply(const EventBatch &batch);

private:
	bool wanted(const std::string &resource) const;
	void print(std::vector<std::string> &out, const char *verb,
		   const DeviceStatus *before, const DeviceStatus &now) const;
	void destroy(std::vector<std::string> &out, const DeviceStatus &gone);
	void apply_one(std::vector<std::string> &out, const DeviceEvent &e);
	std::string stamp(const std::string &line) const;
	std::string json_line(const char *verb, const std::string &resource,
			      unsigned minor,
			      const std::optional<DeviceStatus> &status) const;

	EventOptions options_;
	std::map<unsigned, DeviceStatus> last_; // by minor
};

// "2026-11-26T06:15:02.123456+00:00", as drbdsetup --timestamps, in UTC.
std::string timestamp_text(std::chrono::system_clock::time_point t);

} // namespace rdbd
