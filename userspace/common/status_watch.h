// Following the kernel's devices as they change: the RDBD_CMD_EVENT
// multicasts of group RDBD_GENL_MCAST_EVENTS, read with poll().
//
// Subscribe first, then read the status: a change between the two is
// then queued on the subscription instead of lost.  Events carry a
// device's whole status, so one that repeats what the read already showed
// changes nothing.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "netlink.h"
#include "status.h"

namespace rdbd {

using Deadline = std::chrono::steady_clock::time_point;

// What ended a wait.
enum class Wake { Events, Timeout, Signal, OutputGone };

// What arrived since the last take().
struct EventBatch {
	std::vector<DeviceEvent> events;
	// The kernel dropped events (queue overflow): `events` is instead
	// every device there is, read afresh; a device missing from it is
	// gone.
	bool snapshot = false;
};

class StatusWatch {
public:
	StatusWatch(); // subscribes; throws NetlinkError

	// Blocks until events arrive, `deadline` passes (none: never),
	// `signal_fd` (a signalfd, -1 for none) becomes readable, or the
	// reader of `output_fd` (-1 for none) goes away: a pipe's writing
	// end reports that at once, not only at the next write.
	Wake wait(std::optional<Deadline> deadline, int signal_fd = -1,
		  int output_fd = -1) const;
	EventBatch take();

private:
	GenlSubscription events_;
};

// The status of `minor` after `batch`, given its status before: the
// last event about it wins; empty once it is deleted.
std::optional<DeviceStatus> latest_status(const EventBatch &batch,
					  unsigned minor,
					  std::optional<DeviceStatus> before);

// The deadline `seconds` from now; none for 0, which means forever.
std::optional<Deadline> deadline_after(unsigned seconds);

} // namespace rdbd
