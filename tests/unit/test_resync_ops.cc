// The resync operations: their dry-run text, the configuration's disk
// options in plans, and the after-sb policy names rdbd accepts.
#include <catch2/catch.hpp>

#include <rdbd/genl.h>

#include "config_error.h"
#include "helpers.h"
#include "ops.h"

using namespace rdbd;
using rdbd::test::kTwoNodes;
using rdbd::test::parse;

TEST_CASE("dry-run text of the resync operations", "[ops][resync]")
{
	const Config c = parse(kTwoNodes);
	const NodeResource corman = resource_on_node(c.resources[0], "corman");

	CHECK(format_plan(plan_disk_options(corman)) ==
	      "disk-options 0 resync-rate=250 c-plan-ahead=20 c-min-rate=250 "
	      "c-max-rate=102400 al-extents=1237 on-io-error=detach "
	      "fencing=dont-care\n");
	CHECK(format_plan(plan_pause_sync(corman)) == "pause-sync 0\n");
	CHECK(format_plan(plan_resume_sync(corman)) == "resume-sync 0\n");
	CHECK(format_plan(plan_outdate(corman)) == "outdate 0\n");
	CHECK(format_plan(plan_invalidate(corman)) == "invalidate 0\n");
	CHECK(format_plan(plan_invalidate_remote(corman)) ==
	      "invalidate-remote 0\n");
	CHECK(format_plan(plan_verify(corman)) == "verify 0\n");
	CHECK(format_plan(plan_connect(corman, true,
				       {"discard-zero-changes", "consensus",
					""})) ==
	      "connect 0 10.99.1.1:7789 10.99.1.2:7789 peer=rabius protocol=C "
	      "connect-int-ms=10000 ping-int-ms=10000 ping-timeout-ms=500 "
	      "timeout-ms=6000 after-sb-0pri=discard-zero-changes "
	      "after-sb-1pri=consensus --discard-my-data\n");
}

TEST_CASE("disk options reach up and adjust only when configured",
	  "[ops][resync]")
{
	Config c = parse(kTwoNodes);
	NodeResource corman = resource_on_node(c.resources[0], "corman");
	CHECK(plan_up(corman).size() == 3); // the kernel has the defaults

	c.resources[0].disk.resync_rate_kib = 4096;
	c.resources[0].disk.c_plan_ahead_ds = 0;
	corman = resource_on_node(c.resources[0], "corman");
	const Plan up = plan_up(corman);
	REQUIRE(up.size() == 4);
	// before attach: al-extents is read when the disk is attached
	CHECK(format_op(up[1].op) ==
	      "disk-options 0 resync-rate=4096 c-plan-ahead=0 c-min-rate=250 "
	      "c-max-rate=102400 al-extents=1237 on-io-error=detach "
	      "fencing=dont-care");
}

TEST_CASE("on-io-error pass_on reaches up and adjust as a disk option",
	  "[ops][resync]")
{
	Config c = parse(kTwoNodes);
	c.resources[0].disk.on_io_error = DiskOptions::OnIoError::PassOn;
	const NodeResource corman = resource_on_node(c.resources[0], "corman");
	const Plan up = plan_up(corman);
	REQUIRE(up.size() == 4);
	CHECK(format_op(up[1].op) ==
	      "disk-options 0 resync-rate=250 c-plan-ahead=20 c-min-rate=250 "
	      "c-max-rate=102400 al-extents=1237 on-io-error=pass_on "
	      "fencing=dont-care");
	CHECK(disk_opts_op(corman).on_io_error == RDBD_ON_IO_ERROR_PASS_ON);
}

TEST_CASE("fencing is parsed, sent as a disk option, dumped and adjusted",
	  "[ops][resync][fencing]")
{
	const Config c = parse(std::string(kTwoNodes).replace(
		std::string(kTwoNodes).find("resource r0 {") + 13, 0,
		"\n  disk { fencing resource-and-stonith; }"));
	CHECK(c.resources[0].disk.fencing ==
	      DiskOptions::Fencing::ResourceAndStonith);
	const NodeResource corman = resource_on_node(c.resources[0], "corman");
	const Plan up = plan_up(corman);
	REQUIRE(up.size() == 4);
	CHECK(format_op(up[1].op) ==
	      "disk-options 0 resync-rate=250 c-plan-ahead=20 c-min-rate=250 "
	      "c-max-rate=102400 al-extents=1237 on-io-error=detach "
	      "fencing=resource-and-stonith");
	CHECK(disk_opts_op(corman).fencing ==
	      RDBD_FENCING_RESOURCE_AND_STONITH);
	CHECK(format_plan(plan_resume_io(corman)) == "resume-io 0\n");
	CHECK(fencing_name(DiskOptions::Fencing::ResourceOnly) ==
	      "resource-only");
}

TEST_CASE("after-sb policies: DRBD's names, unsupported ones refused",
	  "[ops][resync]")
{
	CHECK(after_sb_value(0, "disconnect") == RDBD_ASB_DISCONNECT);
	CHECK(after_sb_value(0, "discard-younger-primary") ==
	      RDBD_ASB_DISCARD_YOUNGER_PRIMARY);
	CHECK(after_sb_value(0, "discard-least-changes") ==
	      RDBD_ASB_DISCARD_LEAST_CHANGES);
	CHECK(after_sb_value(1, "discard-secondary") ==
	      RDBD_ASB_DISCARD_SECONDARY);
	CHECK(after_sb_value(1, "consensus") == RDBD_ASB_CONSENSUS);
	CHECK(after_sb_value(2, "disconnect") == RDBD_ASB_DISCONNECT);
	// valid DRBD values rdbd does not implement, and misplaced ones
	CHECK_THROWS_WITH(after_sb_value(0, "discard-local"),
			  Catch::Contains("after-sb-0pri discard-local: not "
					  "supported by rdbd; use one of: "
					  "disconnect,"));
	CHECK_THROWS_AS(after_sb_value(1, "discard-zero-changes"),
			ConfigError);
	CHECK_THROWS_AS(after_sb_value(1, "call-pri-lost-after-sb"),
			ConfigError);
	CHECK_THROWS_WITH(after_sb_value(2, "violently-as0p"),
			  Catch::Contains("use one of: disconnect"));
}

TEST_CASE("verify-alg travels with connect and changes what adjust sees",
	  "[ops][resync][verify]")
{
	Config c = parse(kTwoNodes);
	NodeResource corman = resource_on_node(c.resources[0], "corman");
	const std::string without = format_plan(plan_connect(corman));
	CHECK(without.find("verify-alg") == std::string::npos);

	c.resources[0].net.verify_alg = "sha256";
	corman = resource_on_node(c.resources[0], "corman");
	CHECK(format_plan(plan_connect(corman)) ==
	      "connect 0 10.99.1.1:7789 10.99.1.2:7789 peer=rabius protocol=C "
	      "connect-int-ms=10000 ping-int-ms=10000 ping-timeout-ms=500 "
	      "timeout-ms=6000 verify-alg=sha256\n");
	CHECK(std::get<ConnectOp>(plan_connect(corman).front().op)
		      .verify_alg == "sha256");
}
