// adjust: what it sends for each difference between the kernel's device
// and the configuration, and the notes that explain it.
#include <catch2/catch.hpp>

#include <rdbd/genl.h>
#include <stdlib.h>
#include <unistd.h>

#include "adjust.h"
#include "helpers.h"
#include "status.h"

using namespace rdbd;
using rdbd::test::kTwoNodes;
using rdbd::test::parse;

// r0 up on /dev/rdbd0 with /dev/vdb, UpToDate, in connection state `cstate`.
static DeviceStatus attached(uint8_t cstate)
{
	DeviceStatus k;
	k.minor = 0;
	k.resource = "r0";
	k.disk_state = RDBD_DISK_UPTODATE;
	k.conn_state = cstate;
	k.backing_path = "/dev/vdb";
	return k;
}

TEST_CASE("adjust reconnects when the net options changed", "[ops][adjust]")
{
	const Config c = parse(kTwoNodes);
	const NodeResource r = resource_on_node(c.resources[0], "corman");
	DeviceStatus k = attached(RDBD_CONN_CONNECTED);
	k.protocol = RDBD_PROT_C;
	const ConnectOp want = std::get<ConnectOp>(plan_connect(r)[0].op);
	const std::string reconnect =
		"disconnect 0\n" + format_plan(plan_connect(r));

	SECTION("the record matches: nothing")
	{
		const Adjustment a =
			plan_adjustment(r, &k, applied_net_text(want));
		CHECK(a.plan.empty());
		CHECK(a.notes.empty());
	}
	SECTION("a timer changed since the last connect")
	{
		ConnectOp before = want;
		before.timeout_ms = 5000;
		const Adjustment a =
			plan_adjustment(r, &k, applied_net_text(before));
		CHECK(format_plan(a.plan) == reconnect);
		REQUIRE(a.notes.size() == 1);
		CHECK(a.notes[0] ==
		      "net options changed (timeout-ms=5000 -> "
		      "timeout-ms=6000); the kernel cannot change them on a "
		      "live connection: disconnecting and connecting again");
	}
	SECTION("the secret changed: a fingerprint tells, not the secret")
	{
		ConnectOp before = want, after = want;
		before.cram_hmac_alg = after.cram_hmac_alg = "sha256";
		before.shared_secret = "old secret";
		after.shared_secret = "new secret";
		const std::string a = applied_net_text(before);
		const std::string b = applied_net_text(after);
		CHECK(a != b);
		CHECK(a.find("secret") != std::string::npos);
		CHECK(a.find("old") == std::string::npos);
	}
	SECTION("no record: the protocol the kernel reports is compared")
	{
		k.protocol = RDBD_PROT_A;
		const Adjustment a = plan_adjustment(r, &k, std::nullopt);
		CHECK(format_plan(a.plan) == reconnect);
		REQUIRE(a.notes.size() == 1);
		CHECK_THAT(a.notes[0],
			   Catch::StartsWith("net options changed (protocol=A "
					     "-> protocol=C)"));
		k.protocol = RDBD_PROT_C;
		CHECK(plan_adjustment(r, &k, std::nullopt).plan.empty());
	}
	SECTION("the record matches but the kernel runs another protocol")
	{
		k.protocol = RDBD_PROT_B;
		const Adjustment a =
			plan_adjustment(r, &k, applied_net_text(want));
		CHECK(format_plan(a.plan) == reconnect);
		REQUIRE(a.notes.size() == 1);
		CHECK_THAT(a.notes[0],
			   Catch::StartsWith("net options changed (protocol=B "
					     "-> protocol=C)"));
	}
	SECTION("StandAlone: connect, no reconnect note")
	{
		k.conn_state = RDBD_CONN_STANDALONE;
		const Adjustment a = plan_adjustment(r, &k, std::nullopt);
		CHECK(format_plan(a.plan) == format_plan(plan_connect(r)));
		CHECK(a.notes.empty());
	}
	SECTION("another disk: detach, attach")
	{
		k.backing_path = "/dev/vdc";
		const Adjustment a = plan_adjustment(r, &k, std::nullopt);
		CHECK(format_plan(a.plan) == "detach 0\nattach 0 /dev/vdb\n");
		REQUIRE(a.notes.size() == 1);
		CHECK(a.notes[0] == "disk changed from /dev/vdc to /dev/vdb: "
				    "detaching and attaching");
	}
	SECTION("not up: up")
	{
		CHECK(format_plan(plan_adjustment(r, nullptr, std::nullopt)
					  .plan) == format_plan(plan_up(r)));
	}
}

TEST_CASE("the record of the last connect is written, read and forgotten",
	  "[adjust]")
{
	char dir[] = "/tmp/rdbd-record-XXXXXX";
	REQUIRE(mkdtemp(dir));
	const std::string records = std::string(dir) + "/run";
	const Config c = parse(rdbd::test::kAuthenticated);
	const NodeResource r = resource_on_node(c.resources[0], "corman");
	const ConnectOp op = std::get<ConnectOp>(plan_connect(r)[0].op);

	CHECK_FALSE(read_applied_net(records, "r0"));
	write_applied_net(records, op, "r0");
	CHECK(read_applied_net(records, "r0") == applied_net_text(op));
	// The secret never lands in the file.
	CHECK(read_applied_net(records, "r0")->find("hunter") ==
	      std::string::npos);
	forget_applied_net(records, "r0");
	CHECK_FALSE(read_applied_net(records, "r0"));
	rmdir(records.c_str());
	rmdir(dir);
}

TEST_CASE("adjust sends only what the kernel's device lacks", "[ops][adjust]")
{
	const Config c = parse(kTwoNodes);
	const NodeResource r = resource_on_node(c.resources[0], "corman");
	const std::string connect =
		"connect 0 10.99.1.1:7789 10.99.1.2:7789 peer=rabius "
		"protocol=C connect-int-ms=10000 ping-int-ms=10000 "
		"ping-timeout-ms=500 timeout-ms=6000\n";
	DeviceStatus k = attached(RDBD_CONN_WF_CONNECTION);

	SECTION("not up: up")
	{
		CHECK(format_plan(plan_adjustment(r, nullptr, {}).plan) ==
		      format_plan(plan_up(r)));
	}
	SECTION("in line with the configuration: nothing")
	{
		CHECK(plan_adjustment(r, &k, {}).plan.empty());
		k.conn_state = RDBD_CONN_SYNC_SOURCE;
		CHECK(plan_adjustment(r, &k, {}).plan.empty());
	}
	SECTION("Diskless: attach")
	{
		k.disk_state = RDBD_DISK_DISKLESS;
		CHECK(format_plan(plan_adjustment(r, &k, {}).plan) == "attach 0 /dev/vdb\n");
	}
	SECTION("StandAlone: connect")
	{
		k.conn_state = RDBD_CONN_STANDALONE;
		CHECK(format_plan(plan_adjustment(r, &k, {}).plan) == connect);
	}
	SECTION("Diskless and StandAlone: attach, then connect")
	{
		k.disk_state = RDBD_DISK_DISKLESS;
		k.conn_state = RDBD_CONN_STANDALONE;
		CHECK(format_plan(plan_adjustment(r, &k, {}).plan) ==
		      "attach 0 /dev/vdb\n" + connect);
	}
}

// kTwoNodes with a disk section: a faster resync and a bigger AL.
static const std::string kTunedDisk = [] {
	std::string text = kTwoNodes;
	text.insert(text.find("  net {"),
		    "  disk { resync-rate 10M; al-extents 3389; }\n");
	return text;
}();

TEST_CASE("adjust sends just the disk options that changed", "[adjust]")
{
	const Config c = parse(kTunedDisk);
	const NodeResource r = resource_on_node(c.resources[0], "corman");
	DeviceStatus k = attached(RDBD_CONN_WF_CONNECTION);
	k.disk_options_reported = true;
	k.resync_rate_kib = 10240;
	k.c_plan_ahead_ds = 20;
	k.c_min_rate_kib = 250;
	k.c_max_rate_kib = 102400;
	k.al_extents = 3389;

	SECTION("the kernel has them all: nothing")
	{
		const Adjustment a = plan_adjustment(r, &k, {});
		CHECK(a.plan.empty());
		CHECK(a.notes.empty());
	}
	SECTION("the kernel reports a different rate: only the rate")
	{
		k.resync_rate_kib = 250;
		const Adjustment a = plan_adjustment(r, &k, {});
		CHECK(format_plan(a.plan) == "disk-options 0 resync-rate=10240\n");
		REQUIRE(a.notes.size() == 1);
		CHECK(a.notes[0] == "disk options changed (resync-rate=250 -> "
				    "resync-rate=10240): applied live");
	}
	SECTION("al-extents: the note says when it takes effect")
	{
		k.al_extents = 1237;
		const Adjustment a = plan_adjustment(r, &k, {});
		CHECK(format_plan(a.plan) == "disk-options 0 al-extents=3389\n");
		REQUIRE(a.notes.size() == 1);
		CHECK(a.notes[0] ==
		      "disk options changed (al-extents=1237 -> "
		      "al-extents=3389): applied live; al-extents takes effect "
		      "at the next attach (detach and attach, or down and up)");
	}
	SECTION("Diskless: the options go before the attach that reads them")
	{
		k.disk_state = RDBD_DISK_DISKLESS;
		k.al_extents = 1237;
		CHECK(format_plan(plan_adjustment(r, &k, {}).plan) ==
		      "disk-options 0 al-extents=3389\nattach 0 /dev/vdb\n");
	}
	SECTION("a kernel that does not report them: the record decides")
	{
		k.disk_options_reported = false;
		const std::string record =
			"disk-options 0 resync-rate=10240 c-plan-ahead=20 "
			"c-min-rate=250 c-max-rate=51200 al-extents=3389";
		CHECK(format_plan(plan_adjustment(r, &k, {}, record).plan) ==
		      "disk-options 0 c-max-rate=102400\n");
	}
	SECTION("no report and no record: compared with the defaults")
	{
		k.disk_options_reported = false;
		CHECK(format_plan(plan_adjustment(r, &k, {}).plan) ==
		      "disk-options 0 resync-rate=10240 al-extents=3389\n");
	}
}

TEST_CASE("the disk options record adds each setting to the last",
	  "[adjust]")
{
	char dir[] = "/tmp/rdbd-record-XXXXXX";
	REQUIRE(mkdtemp(dir));
	const std::string records = std::string(dir) + "/run";
	DiskOptsOp rate{1, 4096, {}, {}, {}, {}, {}, {}};
	DiskOptsOp cap{1, {}, {}, {}, 8192, {}, {}, {}};

	CHECK_FALSE(read_applied_disk(records, "r1"));
	write_applied_disk(records, rate, "r1");
	write_applied_disk(records, cap, "r1");
	CHECK(read_applied_disk(records, "r1") ==
	      "disk-options 1 resync-rate=4096 c-plan-ahead=20 c-min-rate=250 "
	      "c-max-rate=8192 al-extents=1237 on-io-error=detach "
	      "fencing=dont-care");
	forget_applied_disk(records, "r1");
	CHECK_FALSE(read_applied_disk(records, "r1"));
	rmdir(records.c_str());
	rmdir(dir);
}
