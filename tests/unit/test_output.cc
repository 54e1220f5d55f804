// State names, JSON writing, and the status output built from them.
#include <catch2/catch.hpp>

#include <rdbd/genl.h>

#include "helpers.h"
#include "json.h"
#include "states.h"
#include "status.h"

using namespace rdbd;

TEST_CASE("role names", "[states]")
{
	CHECK(role_name(RDBD_ROLE_UNKNOWN) == "Unknown");
	CHECK(role_name(RDBD_ROLE_PRIMARY) == "Primary");
	CHECK(role_name(RDBD_ROLE_SECONDARY) == "Secondary");
	CHECK(role_name(3) == "Invalid(3)");
}

TEST_CASE("disk state names", "[states]")
{
	const std::vector<std::string> expected = {
		"Diskless",    "Attaching",    "Failed",
		"Negotiating", "Inconsistent", "Outdated",
		"DUnknown",    "Consistent",   "UpToDate",
	};
	for (unsigned v = 0; v < expected.size(); ++v)
		CHECK(disk_state_name(v) == expected[v]);
	CHECK(disk_state_name(RDBD_DISK_UPTODATE) == "UpToDate");
	CHECK(disk_state_name(RDBD_DISK_DUNKNOWN) == "DUnknown");
	CHECK(disk_state_name(9) == "Invalid(9)");
}

TEST_CASE("connection state names", "[states]")
{
	const std::vector<std::string> expected = {
		"StandAlone",	  "Disconnecting", "Unconnected",
		"Timeout",	  "BrokenPipe",	   "NetworkFailure",
		"ProtocolError",  "TearDown",	   "WFConnection",
		"WFReportParams", "Connected",	   "StartingSyncS",
		"StartingSyncT",  "WFBitMapS",	   "WFBitMapT",
		"WFSyncUUID",	  "SyncSource",	   "SyncTarget",
		"VerifyS",	  "VerifyT",	   "PausedSyncS",
		"PausedSyncT",	  "Ahead",	   "Behind",
	};
	for (unsigned v = 0; v < expected.size(); ++v)
		CHECK(conn_state_name(v) == expected[v]);
	CHECK(conn_state_name(RDBD_CONN_WF_CONNECTION) == "WFConnection");
	CHECK(conn_state_name(RDBD_CONN_BEHIND) == "Behind");
	CHECK(conn_state_name(24) == "Invalid(24)");
}

TEST_CASE("protocol letters", "[states]")
{
	CHECK(protocol_letter(RDBD_PROT_A) == 'A');
	CHECK(protocol_letter(RDBD_PROT_B) == 'B');
	CHECK(protocol_letter(RDBD_PROT_C) == 'C');
	CHECK_FALSE(protocol_letter(0));
	CHECK_FALSE(protocol_letter(4));
}

TEST_CASE("JSON string escaping", "[json]")
{
	CHECK(json_quote("r0") == "\"r0\"");
	CHECK(json_quote("") == "\"\"");
	CHECK(json_quote("a\"b") == "\"a\\\"b\"");
	CHECK(json_quote("a\\b") == "\"a\\\\b\"");
	CHECK(json_quote("\n\r\t\b\f") == "\"\\n\\r\\t\\b\\f\"");
	CHECK(json_quote(std::string("\x01\x1f", 2)) == "\"\\u0001\\u001f\"");
	CHECK(json_quote(std::string("nul\0x", 5)) == "\"nul\\u0000x\"");
	CHECK(json_quote("/ and \x7f pass") == "\"/ and \x7f pass\"");
	CHECK(json_quote("h\xc3\xa9") == "\"h\xc3\xa9\""); // UTF-8 as is
}

TEST_CASE("JSON objects and arrays", "[json]")
{
	JsonObject o;
	o.add_string("s", "x").add_number("n", 42).add_null("z");
	o.add_string_or_null("maybe", std::nullopt);
	o.add_number_or_null("pct", 12.3456, 2);
	CHECK(o.str() ==
	      R"({"s": "x", "n": 42, "z": null, "maybe": null, "pct": 12.35})");
	CHECK(json_array({}) == "[]\n");
	CHECK(json_array({o, JsonObject()}) ==
	      "[\n " + o.str() + ",\n {}\n]\n");
}

namespace {

struct StatusFixture {
	Config config = rdbd::test::parse(rdbd::test::kTwoNodes);
	NodeResource r0 = resource_on_node(config.resources[0], "corman");

	DeviceStatus device(uint8_t cstate) const
	{
		DeviceStatus s;
		s.minor = 0;
		s.resource = "r0";
		s.role = RDBD_ROLE_PRIMARY;
		s.disk_state = RDBD_DISK_UPTODATE;
		s.conn_state = cstate;
		s.peer_role = cstate >= RDBD_CONN_CONNECTED
				      ? RDBD_ROLE_SECONDARY
				      : RDBD_ROLE_UNKNOWN;
		s.peer_disk_state = cstate >= RDBD_CONN_CONNECTED
					    ? RDBD_DISK_UPTODATE
					    : RDBD_DISK_DUNKNOWN;
		s.protocol = RDBD_PROT_C;
		s.size_sectors = 2 * 1000;
		s.net_sent_kib = 5;
		s.net_received_kib = 6;
		s.disk_written_kib = 7;
		s.disk_read_kib = 8;
		return s;
	}
};

} // namespace

TEST_CASE_METHOD(StatusFixture, "status text", "[status]")
{
	SECTION("waiting for the peer")
	{
		CHECK(status_text({r0, device(RDBD_CONN_WF_CONNECTION)}) ==
		      "r0 role:Primary\n"
		      "  disk:UpToDate\n"
		      "  rabius connection:WFConnection\n");
	}
	SECTION("connected")
	{
		CHECK(status_text({r0, device(RDBD_CONN_CONNECTED)}) ==
		      "r0 role:Primary\n"
		      "  disk:UpToDate\n"
		      "  rabius role:Secondary\n"
		      "    peer-disk:UpToDate\n");
	}
	SECTION("resyncing")
	{
		DeviceStatus s = device(RDBD_CONN_SYNC_SOURCE);
		s.peer_disk_state = RDBD_DISK_INCONSISTENT;
		s.sync_total_kib = 1000;
		s.out_of_sync_kib = 577;
		s.sync_elapsed_ms = 9000;
		CHECK(status_text({r0, s}) ==
		      "r0 role:Primary\n"
		      "  disk:UpToDate\n"
		      "  rabius role:Secondary\n"
		      "    replication:SyncSource peer-disk:Inconsistent "
		      "done:42.3\n"
		      "        [========>...........] 42.3% eta 0:00:12\n");
	}
	SECTION("not up")
	{
		CHECK(status_text({r0, std::nullopt}) == "r0: not up\n");
	}
}

TEST_CASE_METHOD(StatusFixture, "status --json has exactly the documented keys",
		 "[status][json]")
{
	SECTION("a device that is up")
	{
		DeviceStatus s = device(RDBD_CONN_CONNECTED);
		s.out_of_sync_kib = 4;
		s.disk_options_reported = true;
		s.resync_rate_kib = 10240;
		s.c_plan_ahead_ds = 20;
		s.c_min_rate_kib = 250;
		s.c_max_rate_kib = 102400;
		s.al_extents = 1237;
		CHECK(status_json({r0, s}).str() ==
		      R"({"name": "r0", "minor": 0, "role": "Primary", )"
		      R"("disk_state": "UpToDate", "connection_state": "Connected", )"
		      R"("peer_role": "Secondary", "peer_disk_state": "UpToDate", )"
		      R"("protocol": "C", "out_of_sync_kib": 4, "sync_percent": null, )"
		      R"("net_sent_kib": 5, "net_received_kib": 6, )"
		      R"("resync_sent_kib": 0, "resync_received_kib": 0, )"
		      R"("disk_written_kib": 7, "disk_read_kib": 8, )"
		      R"("bitmap_writes": 0, "al_writes": 0, "io_errors": 0, "peer_read_kib": 0, "split_brain": 0, )"
		      R"("verify_done_kib": 0, "verify_total_kib": 0, )"
		      R"("verify_oos_kib": 0, )"
		      R"("resync_rate_kib": 10240, "c_plan_ahead_ds": 20, )"
		      R"("c_min_rate_kib": 250, "c_max_rate_kib": 102400, )"
		      R"("al_extents": 1237, "fencing": null, "suspended": 0, )"
		      R"("fencing_peer": 0})");
	}
	SECTION("resyncing has a percentage and resync counters")
	{
		DeviceStatus s = device(RDBD_CONN_PAUSED_SYNC_T);
		s.sync_total_kib = 1000;
		s.out_of_sync_kib = 999;
		s.resync_sent_kib = 11;
		s.resync_received_kib = 12;
		const std::string json = status_json({r0, s}).str();
		CHECK_THAT(json, Catch::Contains(R"("sync_percent": 0.1,)"));
		CHECK_THAT(json,
			   Catch::Contains(R"("resync_sent_kib": 11, )"
					   R"("resync_received_kib": 12,)"));
	}
	SECTION("no protocol configured")
	{
		DeviceStatus s = device(RDBD_CONN_STANDALONE);
		s.protocol = 0;
		CHECK_THAT(status_json({r0, s}).str(),
			   Catch::Contains(R"("protocol": null,)"));
	}
	SECTION("a resource that is not up")
	{
		CHECK(status_json({r0, std::nullopt}).str() ==
		      R"({"name": "r0", "minor": 0, "role": null, )"
		      R"("disk_state": null, "connection_state": null, )"
		      R"("peer_role": null, "peer_disk_state": null, )"
		      R"("protocol": null, "out_of_sync_kib": 0, "sync_percent": null, )"
		      R"("net_sent_kib": 0, "net_received_kib": 0, )"
		      R"("resync_sent_kib": 0, "resync_received_kib": 0, )"
		      R"("disk_written_kib": 0, "disk_read_kib": 0, )"
		      R"("bitmap_writes": 0, "al_writes": 0, "io_errors": 0, "peer_read_kib": 0, "split_brain": 0, )"
		      R"("verify_done_kib": 0, "verify_total_kib": 0, )"
		      R"("verify_oos_kib": 0, )"
		      R"("resync_rate_kib": null, "c_plan_ahead_ds": null, )"
		      R"("c_min_rate_kib": null, "c_max_rate_kib": null, )"
		      R"("al_extents": null, "fencing": null, "suspended": 0, )"
		      R"("fencing_peer": 0})");
	}
}

TEST_CASE_METHOD(StatusFixture, "sync percentage, bar and ETA", "[status]")
{
	DeviceStatus s = device(RDBD_CONN_SYNC_TARGET);
	s.sync_total_kib = 2000;
	s.out_of_sync_kib = 500;
	s.sync_elapsed_ms = 3000;
	SECTION("the percentage is of this sync, not of the device")
	{
		CHECK(*s.sync_percent() == Approx(75.0));
		CHECK(s.sync_eta_seconds() == 1u);
		CHECK(sync_progress_text(s) ==
		      "[===============>....] 75.0% eta 0:00:01");
	}
	SECTION("not resyncing: no percentage, no bar")
	{
		s.conn_state = RDBD_CONN_CONNECTED;
		CHECK_FALSE(s.sync_percent());
		CHECK_FALSE(s.sync_eta_seconds());
		CHECK(sync_progress_text(s) == "");
	}
	SECTION("nothing done yet: no rate, no ETA")
	{
		s.out_of_sync_kib = 2000;
		CHECK(*s.sync_percent() == 0.0);
		CHECK(sync_progress_text(s) ==
		      "[>...................] 0.0% eta -:--:--");
	}
	SECTION("not sized yet")
	{
		s.sync_total_kib = 0;
		CHECK(*s.sync_percent() == 0.0);
		CHECK_FALSE(s.sync_eta_seconds());
	}
	SECTION("done")
	{
		s.out_of_sync_kib = 0;
		CHECK(sync_progress_text(s) ==
		      "[====================] 100.0% eta 0:00:00");
	}
	SECTION("a long sync of a large disk does not overflow")
	{
		s.sync_total_kib = 16ull << 30; // 16 TiB
		s.out_of_sync_kib = 12ull << 30;
		s.sync_elapsed_ms = 7ull * 24 * 3600 * 1000; // a week
		CHECK(s.sync_eta_seconds() == 3u * 7 * 24 * 3600);
	}
	CHECK(duration_text(3723) == "1:02:03");
	CHECK(duration_text(100 * 3600) == "100:00:00");
	SECTION("almost done is not shown as done")
	{
		s.sync_total_kib = 100000;
		s.out_of_sync_kib = 4;
		CHECK(*s.sync_percent() == Approx(99.9));
		CHECK_THAT(sync_progress_text(s),
			   Catch::StartsWith("[===================>] 99.9% "));
	}
	CHECK(percent_text(42.3) == "42.3");
}

TEST_CASE_METHOD(StatusFixture, "kernel devices are matched by minor and name",
		 "[status]")
{
	DeviceStatus other = device(RDBD_CONN_CONNECTED);
	other.resource = "r9"; // minor 0 taken by something else
	CHECK_FALSE(match_status({r0}, {other})[0].kernel);
	CHECK(match_status({r0}, {other, device(RDBD_CONN_CONNECTED)})[0]
		      .kernel);
}
