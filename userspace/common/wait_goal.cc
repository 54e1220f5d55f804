#include "wait_goal.h"

#include <rdbd/genl.h>

#include "states.h"

namespace rdbd {

namespace {

bool reached(WaitGoal goal, const DeviceStatus &s)
{
	if (goal == WaitGoal::Connected)
		return s.conn_state >= RDBD_CONN_CONNECTED;
	return s.conn_state == RDBD_CONN_CONNECTED &&
	       s.disk_state == RDBD_DISK_UPTODATE &&
	       s.peer_disk_state == RDBD_DISK_UPTODATE;
}

// States no event will lead out of: only the administrator can.  Waiting
// there would only end at the timeout, or never.
std::optional<std::string> dead_end(WaitGoal goal, const DeviceStatus &s)
{
	if (s.conn_state == RDBD_CONN_STANDALONE)
		return "StandAlone: not trying to connect (start with "
		       "'rdbdadm connect " +
		       s.resource + "')";
	if (goal == WaitGoal::Synced && s.disk_state == RDBD_DISK_DISKLESS)
		return "Diskless: there is no disk to sync (attach one with "
		       "'rdbdadm attach " +
		       s.resource + "')";
	return std::nullopt;
}

} // namespace

WaitVerdict judge(WaitGoal goal, const std::optional<DeviceStatus> &s)
{
	if (!s)
		return {WaitVerdict::Failed, "went down while waiting"};
	if (reached(goal, *s))
		return {WaitVerdict::Reached, ""};
	if (const auto why = dead_end(goal, *s))
		return {WaitVerdict::Failed, *why};
	return {WaitVerdict::Waiting, ""};
}

std::string state_summary(const DeviceStatus &s)
{
	std::string text = "connection:" + conn_state_name(s.conn_state) +
			   " disk:" + disk_state_name(s.disk_state) +
			   " peer-disk:" + disk_state_name(s.peer_disk_state);
	if (const auto percent = s.sync_percent())
		text += " done:" + percent_text(*percent);
	return text;
}

std::string timeout_message(WaitGoal goal, const std::string &resource,
			    unsigned seconds, const DeviceStatus &s)
{
	const char *what =
		goal == WaitGoal::Connected ? "not connected" : "not in sync";
	return resource + ": " + what + " after " + std::to_string(seconds) +
	       " s (" + state_summary(s) + ")";
}

std::string progress_line(const std::string &resource, const DeviceStatus &s)
{
	const std::string bar = sync_progress_text(s);
	return resource + " " + state_summary(s) + (bar.empty() ? "" : " ") +
	       bar;
}

} // namespace rdbd
