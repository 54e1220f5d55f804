// Resource ordering, script lookup, OCF mapping and status judgement.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "hb_resources.h"

using namespace rdbd::hb;
using O = GroupSequencer::Outcome;

namespace {

// Runs a sequencer to its end; `fails(step)` says which calls fail.
std::string play(size_t n, Action goal, unsigned retries,
		 const std::function<bool(const GroupSequencer::Step &)> &fails,
		 O &outcome)
{
	GroupSequencer s(n, goal, retries);
	std::string calls;
	while (const auto step = s.current()) {
		calls += std::string(action_name(step->action)) + " " +
			 std::to_string(step->resource) +
			 (step->attempt ? "(retry)" : "") + ", ";
		s.report(!fails(*step));
	}
	outcome = s.outcome();
	return calls;
}

auto never = [](const GroupSequencer::Step &) { return false; };

} // namespace

TEST_CASE("resources: start left to right, stop right to left", "[hb][resources]")
{
	O o;
	CHECK(play(3, Action::kStart, 2, never, o) == "start 0, start 1, start 2, ");
	CHECK(o == O::kStarted);
	CHECK(play(3, Action::kStop, 2, never, o) == "stop 2, stop 1, stop 0, ");
	CHECK(o == O::kStopped);
	CHECK(play(0, Action::kStart, 2, never, o).empty());
	CHECK(o == O::kStarted);
}

TEST_CASE("resources: a failed start releases the group in reverse",
	  "[hb][resources]")
{
	O o;
	auto second_start_fails = [](const GroupSequencer::Step &s) {
		return s.action == Action::kStart && s.resource == 1;
	};
	CHECK(play(4, Action::kStart, 2, second_start_fails, o) ==
	      "start 0, start 1, stop 1, stop 0, ");
	CHECK(o == O::kStartFailed);
	auto first_fails = [](const GroupSequencer::Step &s) {
		return s.action == Action::kStart && s.resource == 0;
	};
	CHECK(play(2, Action::kStart, 2, first_fails, o) == "start 0, stop 0, ");
	CHECK(o == O::kStartFailed);
}

TEST_CASE("resources: a failing stop is retried, then fails", "[hb][resources]")
{
	O o;
	int failures = 1;
	auto fails_once = [&](const GroupSequencer::Step &s) {
		return s.resource == 1 && failures-- > 0;
	};
	CHECK(play(3, Action::kStop, 2, fails_once, o) ==
	      "stop 2, stop 1, stop 1(retry), stop 0, ");
	CHECK(o == O::kStopped);
	auto always = [](const GroupSequencer::Step &s) { return s.resource == 1; };
	CHECK(play(3, Action::kStop, 2, always, o) ==
	      "stop 2, stop 1, stop 1(retry), stop 1(retry), ");
	CHECK(o == O::kStopFailed);
	// The rollback of a failed start retries its stops too.
	auto start_and_stop_fail = [](const GroupSequencer::Step &s) {
		return s.resource == 1;
	};
	CHECK(play(3, Action::kStart, 1, start_and_stop_fail, o) ==
	      "start 0, start 1, stop 1, stop 1(retry), ");
	CHECK(o == O::kStopFailed);
}

TEST_CASE("resources: status output, judged as Heartbeat does", "[hb][resources]")
{
	CHECK(status_output_says_running("running (Primary)\n"));
	CHECK(status_output_says_running("apache2 is running.\n"));
	CHECK(status_output_says_running("IPaddr2 OK\n"));
	CHECK_FALSE(status_output_says_running("apache2 is not running ... failed!\n"));
	CHECK_FALSE(status_output_says_running("NOT RUNNING"));
	CHECK_FALSE(status_output_says_running("stopped (Secondary)\n"));
	CHECK_FALSE(status_output_says_running(""));
}

TEST_CASE("resources: lookup and the OCF wrapper", "[hb][resources]")
{
	char tmpl[] = "/tmp/hb-res-XXXXXX";
	const std::string dir = mkdtemp(tmpl);
	ScriptDirs d{dir + "/resource.d", dir + "/init.d", dir + "/ocf"};
	for (const auto &sub : {"/resource.d", "/init.d", "/ocf",
				"/ocf/resource.d", "/ocf/resource.d/heartbeat"})
		mkdir((dir + sub).c_str(), 0755);
	auto script = [](const std::string &path) {
		std::ofstream(path) << "#!/bin/sh\n";
		chmod(path.c_str(), 0755);
	};
	script(dir + "/resource.d/rdbddisk");
	script(dir + "/init.d/apache2");
	script(dir + "/init.d/rdbddisk"); // resource.d wins
	script(dir + "/ocf/resource.d/heartbeat/IPaddr2");
	script(dir + "/ocf/resource.d/heartbeat/Filesystem");
	std::string why;

	auto c = resource_command(parse_resource("rdbddisk::r0", "h:1"),
				  Action::kStart, d, why);
	REQUIRE(c);
	CHECK(c->argv == std::vector<std::string>{dir + "/resource.d/rdbddisk",
						  "r0", "start"});
	c = resource_command(parse_resource("apache2", "h:1"), Action::kStatus, d, why);
	REQUIRE(c);
	CHECK(c->argv == std::vector<std::string>{dir + "/init.d/apache2", "status"});

	c = resource_command(parse_resource("IPaddr2::10.99.0.10/24/eth0", "h:1"),
			     Action::kStatus, d, why);
	REQUIRE(c);
	CHECK(c->argv == std::vector<std::string>{
				 dir + "/ocf/resource.d/heartbeat/IPaddr2", "monitor"});
	for (const char *e : {"OCF_RESKEY_ip=10.99.0.10", "OCF_RESKEY_cidr_netmask=24",
			      "OCF_RESKEY_nic=eth0", "OCF_RESOURCE_TYPE=IPaddr2",
			      "OCF_RESOURCE_INSTANCE=IPaddr2_10.99.0.10/24/eth0"})
		CHECK(std::find(c->env.begin(), c->env.end(), e) != c->env.end());
	CHECK(std::find(c->env.begin(), c->env.end(), "OCF_ROOT=" + dir + "/ocf") !=
	      c->env.end());

	c = resource_command(parse_resource("IPaddr2::10.0.0.1/8/10.255.255.255", "h"),
			     Action::kStart, d, why);
	REQUIRE(c);
	CHECK(std::find(c->env.begin(), c->env.end(),
			"OCF_RESKEY_broadcast=10.255.255.255") != c->env.end());

	c = resource_command(parse_resource("Filesystem::/dev/rdbd0::/data::ext4", "h"),
			     Action::kStop, d, why);
	REQUIRE(c);
	CHECK(c->argv.back() == "stop");
	for (const char *e : {"OCF_RESKEY_device=/dev/rdbd0",
			      "OCF_RESKEY_directory=/data", "OCF_RESKEY_fstype=ext4"})
		CHECK(std::find(c->env.begin(), c->env.end(), e) != c->env.end());

	CHECK_FALSE(resource_command(parse_resource("Filesystem::/dev/x", "h"),
				     Action::kStart, d, why));
	CHECK(why == "Filesystem::/dev/x: Filesystem takes "
		     "device::directory[::fstype[::options]]");
	CHECK_FALSE(resource_command(parse_resource("IPaddr::10.0.0.1", "h"),
				     Action::kStart, d, why));
	CHECK(why == "IPaddr::10.0.0.1: no OCF agent " + dir +
			     "/ocf/resource.d/heartbeat/IPaddr (install resource-agents)");
	CHECK_FALSE(resource_command(parse_resource("nosuch::1", "h"),
				     Action::kStart, d, why));
	CHECK(why == "nosuch::1: no script nosuch in " + dir + "/resource.d or " +
			     dir + "/init.d");
	system(("rm -rf " + dir).c_str());
}

TEST_CASE("startup probe: OCF monitor exit codes", "[hb][probe]")
{
	using K = ProbeVerdict;
	CHECK(classify_probe(true, {0, ""}).kind == K::kRunning);
	CHECK(classify_probe(true, {7, ""}).kind == K::kStopped);
	const auto v5 = classify_probe(true, {5, "INFO: x\nERROR: mkfs.ext4 missing\n"});
	CHECK(v5.kind == K::kBroken);
	CHECK(v5.why == "not installed (OCF exit 5): ERROR: mkfs.ext4 missing");
	CHECK(classify_probe(true, {6, ""}).why == "not configured (OCF exit 6)");
	CHECK(classify_probe(true, {2, ""}).why ==
	      "OCF agent rejects its arguments (exit 2)");
	CHECK(classify_probe(true, {1, ""}).why == "monitor failed (exit 1)");
	// 1 and 3 mean "stopped" to an LSB script, never to an OCF agent.
	CHECK(classify_probe(true, {3, ""}).kind == K::kBroken);
}

TEST_CASE("startup probe: Heartbeat and LSB status", "[hb][probe]")
{
	using K = ProbeVerdict;
	CHECK(classify_probe(false, {0, "running (Primary)\n"}).kind == K::kRunning);
	CHECK(classify_probe(false, {0, "apache2 is not running\n"}).kind ==
	      K::kStopped);
	CHECK(classify_probe(false, {0, "stopped\n"}).kind == K::kStopped);
	for (int code : {1, 2, 3})
		CHECK(classify_probe(false, {code, "whatever"}).kind == K::kStopped);
	const auto v4 = classify_probe(false, {4, "cannot determine status\n"});
	CHECK(v4.kind == K::kBroken);
	CHECK(v4.why == "status unknown (exit 4): cannot determine status");
	CHECK(classify_probe(false, {127, "sh: 1: rdbdadm: not found\n"}).why ==
	      "cannot be run (exit 127): sh: 1: rdbdadm: not found");
	CHECK(classify_probe(false, {126, ""}).why == "cannot be run (exit 126)");
	CHECK(classify_probe(false, {9, ""}).why == "status failed (exit 9)");
	CHECK(classify_probe(false, {-1, ""}).why == "could not run or was killed");
	ProcessResult late{-1, "still thinking\n"};
	late.timed_out = true;
	CHECK(classify_probe(true, late).why ==
	      "did not answer within its time limit: still thinking");
}

TEST_CASE("startup probe: OCF calls are told apart", "[hb][probe]")
{
	CHECK(is_ocf_command({{"/usr/lib/ocf/resource.d/heartbeat/IPaddr2", "monitor"},
			      {"OCF_RESKEY_ip=1.2.3.4", "OCF_ROOT=/usr/lib/ocf"}}));
	CHECK_FALSE(is_ocf_command({{"/etc/init.d/apache2", "status"}, {}}));
}

TEST_CASE("process runner: a time limit kills the script's group", "[hb][probe]")
{
	EventLoop loop;
	ProcessRunner runner(loop);
	ProcessResult got;
	const auto t0 = Clock::now();
	// The shell's child (sleep) holds the pipe: it must die too, or the
	// result would wait for it.
	runner.run({{"/bin/sh", "-c", "echo started; sleep 30; echo late"}, {}},
		   [&](const ProcessResult &r) {
			   got = r;
			   loop.stop();
		   },
		   std::chrono::milliseconds(200));
	loop.after(std::chrono::seconds(10), [&] { loop.stop(); });
	loop.run();
	CHECK(Clock::now() - t0 < std::chrono::seconds(5));
	CHECK(got.timed_out);
	CHECK(got.exit_code == -1);
	CHECK(got.output == "started\n");

	// One that finishes in time is not marked, and its timer is gone.
	runner.run({{"/bin/true"}, {}},
		   [&](const ProcessResult &r) {
			   got = r;
			   loop.stop();
		   },
		   std::chrono::milliseconds(200));
	loop.run();
	CHECK_FALSE(got.timed_out);
	CHECK(got.exit_code == 0);
}
