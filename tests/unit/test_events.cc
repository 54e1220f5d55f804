// `rdbdadm events` lines: the first read, what a change prints, deletions.
#include <catch2/catch.hpp>

#include <rdbd/genl.h>

#include "event_lines.h"

using namespace rdbd;
using Lines = std::vector<std::string>;

namespace {

DeviceStatus device(const std::string &name, unsigned minor)
{
	DeviceStatus s;
	s.minor = minor;
	s.resource = name;
	s.role = RDBD_ROLE_SECONDARY;
	s.disk_state = RDBD_DISK_UPTODATE;
	s.conn_state = RDBD_CONN_WF_CONNECTION;
	s.peer_role = RDBD_ROLE_UNKNOWN;
	s.peer_disk_state = RDBD_DISK_DUNKNOWN;
	s.protocol = RDBD_PROT_C;
	return s;
}

DeviceStatus connected(DeviceStatus s)
{
	s.conn_state = RDBD_CONN_CONNECTED;
	s.peer_role = RDBD_ROLE_SECONDARY;
	s.peer_disk_state = RDBD_DISK_UPTODATE;
	return s;
}

EventBatch batch(std::vector<DeviceEvent> events, bool snapshot = false)
{
	return {std::move(events), snapshot};
}

DeviceEvent update(const DeviceStatus &s)
{
	return {s.minor, s.resource, s};
}

DeviceEvent deletion(unsigned minor, const std::string &name)
{
	return {minor, name, std::nullopt};
}

EventOptions text_options()
{
	EventOptions o;
	o.peer_of = [](const std::string &r) {
		return r == "r0" ? "rabius" : "";
	};
	return o;
}

} // namespace

TEST_CASE("events start with an exists line per object", "[events]")
{
	EventPrinter p(text_options());
	CHECK(p.exists({device("r0", 0), device("r1", 1)}) ==
	      Lines{"exists resource name:r0 role:Secondary",
		    "exists device name:r0 minor:0 disk:UpToDate",
		    "exists connection name:r0 peer:rabius "
		    "connection:WFConnection role:Unknown",
		    "exists peer-device name:r0 peer:rabius replication:Off "
		    "peer-disk:DUnknown",
		    // r1's peer is not in the configuration.
		    "exists resource name:r1 role:Secondary",
		    "exists device name:r1 minor:1 disk:UpToDate",
		    "exists connection name:r1 connection:WFConnection "
		    "role:Unknown",
		    "exists peer-device name:r1 replication:Off "
		    "peer-disk:DUnknown",
		    "exists -"});
	CHECK(EventPrinter(text_options()).exists({}) == Lines{"exists -"});
}

TEST_CASE("a change prints only what changed", "[events]")
{
	EventPrinter p(text_options());
	DeviceStatus s = device("r0", 0);
	p.exists({s});

	SECTION("the same status again prints nothing")
	{
		CHECK(p.apply(batch({update(s)})).empty());
	}
	SECTION("promotion")
	{
		s.role = RDBD_ROLE_PRIMARY;
		CHECK(p.apply(batch({update(s)})) ==
		      Lines{"change resource name:r0 role:Primary"});
	}
	SECTION("connecting and a sync with its progress")
	{
		DeviceStatus c = connected(s);
		c.conn_state = RDBD_CONN_SYNC_SOURCE;
		c.peer_disk_state = RDBD_DISK_INCONSISTENT;
		c.sync_total_kib = 1000;
		c.out_of_sync_kib = 880;
		CHECK(p.apply(batch({update(c)})) ==
		      Lines{"change connection name:r0 peer:rabius "
			    "connection:Connected role:Secondary",
			    "change peer-device name:r0 peer:rabius "
			    "replication:SyncSource peer-disk:Inconsistent "
			    "done:12.0"});
		c.out_of_sync_kib = 500;
		CHECK(p.apply(batch({update(c)})) ==
		      Lines{"change peer-device name:r0 peer:rabius "
			    "done:50.0"});
		const DeviceStatus done = connected(s);
		CHECK(p.apply(batch({update(done)})) ==
		      Lines{"change peer-device name:r0 peer:rabius "
			    "replication:Connected peer-disk:UpToDate"});
	}
	SECTION("counters alone are no change")
	{
		s.net_sent_kib = 4096;
		s.out_of_sync_kib = 8;
		CHECK(p.apply(batch({update(s)})).empty());
	}
}

TEST_CASE("devices appear and disappear", "[events]")
{
	EventPrinter p(text_options());
	p.exists({device("r0", 0)});

	SECTION("deletion")
	{
		CHECK(p.apply(batch({deletion(0, "r0")})) ==
		      Lines{"destroy resource name:r0"});
		// Gone is gone: a second deletion says nothing.
		CHECK(p.apply(batch({deletion(0, "r0")})).empty());
	}
	SECTION("a device that comes up is created with all its values")
	{
		const Lines lines = p.apply(batch({update(device("r1", 1))}));
		REQUIRE(lines.size() == 4);
		CHECK(lines[0] == "create resource name:r1 role:Secondary");
		CHECK(lines[1] == "create device name:r1 minor:1 "
				  "disk:UpToDate");
	}
	SECTION("a read after lost events: what is missing is gone")
	{
		CHECK(p.apply(batch({update(device("r1", 1))}, true)).size() ==
		      5);
		CHECK(p.apply(batch({}, true)) ==
		      Lines{"destroy resource name:r1"});
	}
	SECTION("another resource on the same minor")
	{
		const Lines lines = p.apply(batch({update(device("r9", 0))}));
		REQUIRE(lines.size() == 5);
		CHECK(lines[0] == "destroy resource name:r0");
		CHECK(lines[1] == "create resource name:r9 role:Secondary");
	}
}

TEST_CASE("events of one resource only", "[events]")
{
	EventOptions o = text_options();
	o.resource = "r1";
	EventPrinter p(o);
	CHECK(p.exists({device("r0", 0)}) == Lines{"exists -"});
	DeviceStatus r0 = device("r0", 0);
	r0.role = RDBD_ROLE_PRIMARY;
	CHECK(p.apply(batch({update(r0), deletion(0, "r0")})).empty());
}

TEST_CASE("events --json: the status object with the event", "[events]")
{
	EventOptions o = text_options();
	o.json = true;
	o.timestamp = [] { return std::string("T"); };
	EventPrinter p(o);
	const Lines first = p.exists({device("r0", 0)});
	REQUIRE(first.size() == 1); // no "exists -"
	CHECK(first[0] ==
	      R"({"event": "exists", "timestamp": "T", "name": "r0", )"
	      R"("minor": 0, "role": "Secondary", "disk_state": "UpToDate", )"
	      R"("connection_state": "WFConnection", "peer_role": "Unknown", )"
	      R"("peer_disk_state": "DUnknown", "protocol": "C", )"
	      R"("out_of_sync_kib": 0, "sync_percent": null, )"
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

	DeviceStatus s = device("r0", 0);
	CHECK(p.apply(batch({update(s)})).empty());
	s.net_sent_kib = 4; // JSON shows counters, so this is a change
	const Lines change = p.apply(batch({update(s)}));
	REQUIRE(change.size() == 1);
	CHECK_THAT(change[0], Catch::StartsWith(R"({"event": "change", )"));
	CHECK_THAT(change[0], Catch::Contains(R"("net_sent_kib": 4,)"));

	const Lines gone = p.apply(batch({deletion(0, "")}));
	REQUIRE(gone.size() == 1);
	CHECK_THAT(gone[0],
		   Catch::StartsWith(
			   R"({"event": "destroy", "timestamp": "T", )"
			   R"("name": "r0", "minor": 0, "role": null,)"));
}

TEST_CASE("text timestamps come first", "[events]")
{
	EventOptions o = text_options();
	o.timestamp = [] { return std::string("T"); };
	CHECK(EventPrinter(o).exists({}) == Lines{"T exists -"});
	CHECK(timestamp_text(std::chrono::system_clock::time_point(
		      std::chrono::microseconds(1764137702123456LL))) ==
	      "2025-11-26T06:15:02.123456+00:00");
}
