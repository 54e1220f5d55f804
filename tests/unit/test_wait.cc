// wait-connect and wait-sync: when the wait ends, and what they print.
#include <catch2/catch.hpp>

#include <rdbd/genl.h>

#include "status_watch.h"
#include "wait_goal.h"

using namespace rdbd;

namespace {

DeviceStatus device(uint8_t cstate, uint8_t disk = RDBD_DISK_UPTODATE,
		    uint8_t peer_disk = RDBD_DISK_UPTODATE)
{
	DeviceStatus s;
	s.resource = "r0";
	s.conn_state = cstate;
	s.disk_state = disk;
	s.peer_disk_state = peer_disk;
	return s;
}

auto verdict(WaitGoal goal, const std::optional<DeviceStatus> &s)
{
	return judge(goal, s).state;
}

} // namespace

TEST_CASE("wait-connect ends at Connected or beyond", "[wait]")
{
	const auto goal = WaitGoal::Connected;
	CHECK(verdict(goal, device(RDBD_CONN_WF_CONNECTION)) ==
	      WaitVerdict::Waiting);
	CHECK(verdict(goal, device(RDBD_CONN_NETWORK_FAILURE)) ==
	      WaitVerdict::Waiting);
	CHECK(verdict(goal, device(RDBD_CONN_CONNECTED)) ==
	      WaitVerdict::Reached);
	CHECK(verdict(goal, device(RDBD_CONN_SYNC_TARGET)) ==
	      WaitVerdict::Reached);
	const WaitVerdict standalone =
		judge(goal, device(RDBD_CONN_STANDALONE));
	CHECK(standalone.state == WaitVerdict::Failed);
	CHECK(standalone.why == "StandAlone: not trying to connect (start with "
				"'rdbdadm connect r0')");
	CHECK(judge(goal, std::nullopt).why == "went down while waiting");
}

TEST_CASE("wait-sync ends when both disks are UpToDate and no sync runs",
	  "[wait]")
{
	const auto goal = WaitGoal::Synced;
	CHECK(verdict(goal, device(RDBD_CONN_CONNECTED)) ==
	      WaitVerdict::Reached);
	CHECK(verdict(goal, device(RDBD_CONN_SYNC_SOURCE, RDBD_DISK_UPTODATE,
				   RDBD_DISK_INCONSISTENT)) ==
	      WaitVerdict::Waiting);
	CHECK(verdict(goal, device(RDBD_CONN_CONNECTED, RDBD_DISK_UPTODATE,
				   RDBD_DISK_OUTDATED)) ==
	      WaitVerdict::Waiting);
	CHECK(verdict(goal, device(RDBD_CONN_WF_CONNECTION, RDBD_DISK_UPTODATE,
				   RDBD_DISK_DUNKNOWN)) ==
	      WaitVerdict::Waiting);
	CHECK(judge(goal, device(RDBD_CONN_WF_CONNECTION, RDBD_DISK_DISKLESS))
		      .why == "Diskless: there is no disk to sync (attach one "
			      "with 'rdbdadm attach r0')");
}

TEST_CASE("wait messages", "[wait]")
{
	DeviceStatus s = device(RDBD_CONN_SYNC_TARGET, RDBD_DISK_INCONSISTENT);
	s.sync_total_kib = 1000;
	s.out_of_sync_kib = 577;
	s.sync_elapsed_ms = 9000;
	CHECK(timeout_message(WaitGoal::Synced, "r0", 10, s) ==
	      "r0: not in sync after 10 s (connection:SyncTarget "
	      "disk:Inconsistent peer-disk:UpToDate done:42.3)");
	CHECK(progress_line("r0", s) ==
	      "r0 connection:SyncTarget disk:Inconsistent peer-disk:UpToDate "
	      "done:42.3 [========>...........] 42.3% eta 0:00:12");
	const DeviceStatus waiting =
		device(RDBD_CONN_WF_CONNECTION, RDBD_DISK_UPTODATE,
		       RDBD_DISK_DUNKNOWN);
	CHECK(timeout_message(WaitGoal::Connected, "r0", 3, waiting) ==
	      "r0: not connected after 3 s (connection:WFConnection "
	      "disk:UpToDate peer-disk:DUnknown)");
	CHECK(progress_line("r0", waiting) ==
	      "r0 connection:WFConnection disk:UpToDate peer-disk:DUnknown");
}

TEST_CASE("the latest status of a minor after a batch of events", "[wait]")
{
	DeviceStatus before = device(RDBD_CONN_WF_CONNECTION);
	before.minor = 2;
	DeviceStatus now = before;
	now.conn_state = RDBD_CONN_CONNECTED;
	DeviceStatus other = device(RDBD_CONN_STANDALONE);
	other.minor = 3;
	const DeviceEvent changed{2, "r0", now}, elsewhere{3, "r1", other},
		deleted{2, "r0", std::nullopt};

	CHECK(latest_status({{elsewhere}, false}, 2, before)->conn_state ==
	      RDBD_CONN_WF_CONNECTION);
	CHECK(latest_status({{elsewhere, changed}, false}, 2, before)
		      ->conn_state == RDBD_CONN_CONNECTED);
	CHECK_FALSE(latest_status({{changed, deleted}, false}, 2, before));
	// After lost events, a minor missing from the fresh read is gone.
	CHECK_FALSE(latest_status({{elsewhere}, true}, 2, before));
	CHECK(latest_status({{changed}, true}, 2, before));
}

TEST_CASE("a timeout of 0 waits forever", "[wait]")
{
	CHECK_FALSE(deadline_after(0));
	CHECK(deadline_after(1) > std::chrono::steady_clock::now());
}
