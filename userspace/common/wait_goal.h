// What `rdbdadm wait-connect` and `wait-sync` wait for, and how they tell
// the user where things stand: pure functions of a device's status.
#pragma once

#include <optional>
#include <string>

#include "status.h"

namespace rdbd {

enum class WaitGoal {
	Connected, // connection state Connected or beyond
	Synced,	   // Connected, both disks UpToDate, no sync running
};

struct WaitVerdict {
	enum { Waiting, Reached, Failed } state;
	std::string why; // Failed: what stops the goal from being reached
};

// `status` empty: the device is gone (down).
WaitVerdict judge(WaitGoal goal, const std::optional<DeviceStatus> &status);

// "connection:SyncTarget disk:Inconsistent peer-disk:UpToDate done:42.3"
std::string state_summary(const DeviceStatus &s);

// "r0: not connected after 10 s (connection:WFConnection ...)"
std::string timeout_message(WaitGoal goal, const std::string &resource,
			    unsigned seconds, const DeviceStatus &s);

// The live line of wait-sync on a terminal: the summary, and the bar
// while a sync runs.
std::string progress_line(const std::string &resource, const DeviceStatus &s);

} // namespace rdbd
