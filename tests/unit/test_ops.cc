// Plans, their dry-run text, and how a failing step is undone.
#include <catch2/catch.hpp>

#include <cerrno>

#include "helpers.h"
#include "op_executor.h"
#include "ops.h"
#include "status.h"

using namespace rdbd;
using rdbd::test::kTwoNodes;
using rdbd::test::parse;

namespace {

// Records what it runs; throws `failure` at the op whose text is `fail_at`.
class FakeRunner : public OpRunner {
public:
	std::vector<std::string> ran;
	std::string fail_at;
	std::string fail_undo_at;

	void run(const Op &op) override
	{
		const std::string text = format_op(op);
		ran.push_back(text);
		if (text == fail_at)
			throw KernelError("rdbd0: Need access to UpToDate data",
					  EINVAL,
					  "Need access to UpToDate data");
		if (text == fail_undo_at)
			throw KernelError(
				"rdbd0: Device is held open by someone", EBUSY,
				"Device is held open by someone");
	}
};

} // namespace

TEST_CASE("dry-run text of every plan", "[ops]")
{
	const Config c = parse(kTwoNodes);
	const NodeResource corman = resource_on_node(c.resources[0], "corman");

	CHECK(format_plan(plan_up(corman)) ==
	      "new-minor 0 r0\n"
	      "attach 0 /dev/vdb\n"
	      "connect 0 10.99.1.1:7789 10.99.1.2:7789 peer=rabius protocol=C "
	      "connect-int-ms=10000 ping-int-ms=10000 ping-timeout-ms=500 "
	      "timeout-ms=6000\n");
	CHECK(format_plan(plan_down(corman)) == "del-minor 0\n");
	CHECK(format_plan(plan_primary(corman, false)) == "primary 0\n");
	CHECK(format_plan(plan_primary(corman, true)) == "primary 0 --force\n");
	CHECK(format_plan(plan_secondary(corman)) == "secondary 0\n");
	CHECK(format_plan(plan_attach(corman)) == "attach 0 /dev/vdb\n");
	CHECK(format_plan(plan_detach(corman)) == "detach 0\n");
	CHECK(format_plan(plan_disconnect(corman)) == "disconnect 0\n");
	CHECK(format_plan(plan_connect(corman)) ==
	      "connect 0 10.99.1.1:7789 10.99.1.2:7789 peer=rabius protocol=C "
	      "connect-int-ms=10000 ping-int-ms=10000 ping-timeout-ms=500 "
	      "timeout-ms=6000\n");
	CHECK(format_plan(plan_create_md(corman, false)) ==
	      "create-md 0 /dev/vdb\n");
	CHECK(format_plan(plan_create_md(corman, true)) ==
	      "create-md 0 /dev/vdb --force\n");
}

TEST_CASE("up from the other node swaps the addresses", "[ops]")
{
	const Config c = parse(R"(resource r3 {
  net { protocol A; connect-int 2; ping-int 3; ping-timeout 7; timeout 15; }
  on corman { device /dev/rdbd3; disk /dev/vdb; address ipv6 [fd00::1]:7000; }
  on rabius { device /dev/rdbd4; disk /dev/vdc; address ipv6 [fd00::2]:7001; }
})");
	const NodeResource rabius = resource_on_node(c.resources[0], "rabius");
	CHECK(format_plan(plan_up(rabius)) ==
	      "new-minor 4 r3\n"
	      "attach 4 /dev/vdc\n"
	      "connect 4 [fd00::2]:7001 [fd00::1]:7000 peer=corman protocol=A "
	      "connect-int-ms=2000 ping-int-ms=3000 ping-timeout-ms=700 "
	      "timeout-ms=1500\n");
}

TEST_CASE("connect with authentication hides the secret", "[ops]")
{
	const Config c = parse(rdbd::test::kAuthenticated);
	const NodeResource r = resource_on_node(c.resources[0], "corman");
	const std::string text = format_plan(plan_connect(r));
	CHECK(text == "connect 0 10.99.1.1:7789 10.99.1.2:7789 peer=rabius "
		      "protocol=C connect-int-ms=10000 ping-int-ms=10000 "
		      "ping-timeout-ms=500 timeout-ms=6000 "
		      "cram-hmac-alg=sha256 shared-secret=<hidden>\n");
	CHECK_THAT(format_plan(plan_up(r)), !Catch::Contains("hunter"));
	const ConnectOp op = std::get<ConnectOp>(plan_connect(r)[0].op);
	CHECK(op.cram_hmac_alg == "sha256");
	CHECK(op.shared_secret == "hunter 2");
}

TEST_CASE("only create-md works without the kernel", "[ops]")
{
	const Config c = parse(kTwoNodes);
	const NodeResource r = resource_on_node(c.resources[0], "corman");
	CHECK_FALSE(needs_kernel(plan_create_md(r, false)));
	CHECK(needs_kernel(plan_up(r)));
	CHECK(needs_kernel(plan_primary(r, true)));
}

TEST_CASE("a failing step of up undoes new-minor", "[ops]")
{
	const Config c = parse(kTwoNodes);
	const Plan plan = plan_up(resource_on_node(c.resources[0], "corman"));
	FakeRunner runner;

	SECTION("attach fails")
	{
		runner.fail_at = "attach 0 /dev/vdb";
		try {
			run_plan(plan, runner);
			FAIL("no error");
		} catch (const Error &e) {
			CHECK(e.exit_code() == kExitKernelRefused);
			CHECK(std::string(e.what()) ==
			      "rdbd0: Need access to UpToDate data (failed at "
			      "'attach 0 /dev/vdb'; undone with 'del-minor "
			      "0')");
		}
		CHECK(runner.ran ==
		      std::vector<std::string>{"new-minor 0 r0",
					       "attach 0 /dev/vdb",
					       "del-minor 0"});
	}
	SECTION("new-minor fails: nothing to undo")
	{
		runner.fail_at = "new-minor 0 r0";
		REQUIRE_THROWS_WITH(run_plan(plan, runner),
				    "rdbd0: Need access to UpToDate data "
				    "(failed at 'new-minor 0 r0')");
		CHECK(runner.ran.size() == 1);
	}
	SECTION("the undo fails too")
	{
		runner.fail_at = "attach 0 /dev/vdb";
		runner.fail_undo_at = "del-minor 0";
		REQUIRE_THROWS_WITH(run_plan(plan, runner),
				    "rdbd0: Need access to UpToDate data "
				    "(failed at 'attach 0 /dev/vdb'; "
				    "'del-minor 0' failed too: rdbd0: Device "
				    "is held open by someone)");
	}
	SECTION("all steps succeed")
	{
		run_plan(plan, runner);
		CHECK(runner.ran.size() == 3);
	}
}

TEST_CASE("a single-step plan reports the kernel's message alone", "[ops]")
{
	const Config c = parse(kTwoNodes);
	FakeRunner runner;
	runner.fail_at = "primary 0";
	REQUIRE_THROWS_WITH(
		run_plan(
			plan_primary(resource_on_node(c.resources[0], "corman"),
				     false),
			runner),
		"rdbd0: Need access to UpToDate data");
}

TEST_CASE("kernel refusals are prefixed with the device once", "[ops]")
{
	const Op primary = PrimaryOp{3, false};
	CHECK(kernel_refusal_message(
		      primary, {-EINVAL, "Need access to UpToDate data"}) ==
	      "rdbd3: Need access to UpToDate data");
	CHECK(kernel_refusal_message(primary,
				     {-EINVAL, "rdbd3: Need access"}) ==
	      "rdbd3: Need access");
	CHECK(kernel_refusal_message(primary, {-EBUSY, ""}) ==
	      "rdbd3: primary failed: Device or resource busy");
}
