// Operation limits (rsc_defaults, rsc_options), fail counts and bans,
// restarts in place: the parts of monitoring that need no process.
#include <catch2/catch.hpp>

#include "hb_config.h"
#include "hb_events.h"
#include "hb_haresources.h"
#include "hb_monitor.h"
#include "hb_resources.h"

using namespace rdbd::hb;
using namespace std::chrono_literals;

namespace {

const char *const kHaCf = "node corman rabius\nucast eth0 10.0.0.2\n"
			  "keepalive 1\ndeadtime 10\n";

HaConfig parse(const std::string &extra)
{
	return parse_ha_cf(std::string(kHaCf) + extra, "ha.cf", {}, "corman");
}

std::string error_of(const std::string &extra)
{
	try {
		parse(extra);
	} catch (const ConfigError &e) {
		return e.what();
	}
	return "no error";
}

} // namespace

TEST_CASE("ops: defaults, rsc_defaults and rsc_options, key by key", "[hb][ops]")
{
	const HaConfig c = parse("rsc_defaults start_timeout=90 monitor_interval=5\n"
				 "rsc_options apache2 monitor_interval=500ms "
				 "max_restarts=0\n");
	const auto apache = parse_resource("apache2", "t");
	const auto ip = parse_resource("IPaddr2::10.0.0.9/24/eth0", "t");
	const ResourceOps a = c.ops.for_resource(apache);
	CHECK(a.start_timeout == 90s);
	CHECK(a.monitor_interval == 500ms);
	CHECK(a.max_restarts == 0);
	CHECK(a.stop_timeout == 60s); // built in
	const ResourceOps i = c.ops.for_resource(ip);
	CHECK(i.monitor_interval == 5s);
	CHECK(i.max_restarts == 3);
	CHECK(i.failure_timeout == 600s);
}

TEST_CASE("ops: mistakes name the file and line", "[hb][ops]")
{
	CHECK(error_of("rsc_defaults start_timeout=0\n") ==
	      "ha.cf:5: start_timeout must be more than 0");
	CHECK(error_of("rsc_defaults start-timeout=5\n") ==
	      "ha.cf:5: unknown key 'start-timeout' (keys: start_timeout, "
	      "stop_timeout, status_timeout, monitor_interval, max_restarts, "
	      "failure_timeout)");
	CHECK(error_of("rsc_options apache2 monitor_interval=10s\n") ==
	      "ha.cf:5: bad time '10s' for monitor_interval (seconds like 20, "
	      "or 500ms)");
	CHECK(error_of("rsc_options apache2\n") ==
	      "ha.cf:5: 'rsc_options' needs at least 2 arguments");
	CHECK(error_of("rsc_defaults max_restarts=1\nrsc_defaults "
		       "max_restarts=2\n") ==
	      "ha.cf:6: 'rsc_defaults' given twice (first at line 5)");
}

TEST_CASE("ops: rsc_options must name a resource of haresources", "[hb][ops]")
{
	const HaConfig c = parse("rsc_options apache3 max_restarts=1\n"
				 "rsc_options dummy max_restarts=1\n");
	const Haresources one = parse_haresources(
		"corman apache2 dummy::a\n", "haresources", c.nodes);
	CHECK_THROWS_WITH(c.ops.check(one),
			  "ha.cf:5: rsc_options names 'apache3', which is not "
			  "in haresources");
	const HaConfig d = parse("rsc_options dummy max_restarts=1\n");
	const Haresources two = parse_haresources(
		"corman dummy::a dummy::b\n", "haresources", d.nodes);
	CHECK_THROWS_WITH(d.ops.check(two),
			  Catch::Contains("names 2 resources of haresources"));
	const HaConfig e = parse("rsc_options dummy::b max_restarts=1\n");
	CHECK_NOTHROW(e.ops.check(two));
}

TEST_CASE("monitor: restart in place, then release", "[hb][monitor]")
{
	CHECK(respond_to_failure(1, 3, true) == FailureResponse::kRestart);
	CHECK(respond_to_failure(3, 3, true) == FailureResponse::kRestart);
	CHECK(respond_to_failure(4, 3, true) == FailureResponse::kRelease);
	// Nobody to take it: restart here rather than leave it down.
	CHECK(respond_to_failure(4, 3, false) == FailureResponse::kRestart);
	CHECK(respond_to_failure(1, 0, true) == FailureResponse::kRelease);
}

TEST_CASE("monitor: failure_timeout forgets counts and ends bans",
	  "[hb][monitor]")
{
	const auto t0 = Clock::now();
	std::vector<ResourceOps> ops(2);
	ops[0].failure_timeout = 10s;
	ops[1].failure_timeout = 0s; // only cleanup
	GroupHealth h;
	h.resources.resize(2);
	h.resources[0] = {2, t0, "not running"};
	h.resources[1] = {1, t0, "start failed"};
	h.banned_until = t0 + 20s;
	CHECK_FALSE(expire_failures(h, ops, t0 + 9s));
	CHECK(expire_failures(h, ops, t0 + 10s));
	CHECK(h.resources[0].fail_count == 0);
	CHECK(h.resources[1].fail_count == 1);
	CHECK(h.banned());
	CHECK(expire_failures(h, ops, t0 + 20s));
	CHECK_FALSE(h.banned());
	CHECK(h.resources[1].fail_count == 0);
}

TEST_CASE("monitor: the group's period is its shortest interval", "[hb][monitor]")
{
	std::vector<ResourceOps> ops(3);
	ops[0].monitor_interval = 0s;
	ops[1].monitor_interval = 7s;
	ops[2].monitor_interval = 3s;
	CHECK(monitor_period(ops) == 3s);
	ops[1].monitor_interval = ops[2].monitor_interval = 0s;
	CHECK_FALSE(monitor_period(ops));
}

TEST_CASE("resources: a restart in place stops and starts from one resource",
	  "[hb][resources]")
{
	GroupSequencer stop(4, Action::kStop, 0, 2);
	std::vector<size_t> order;
	while (const auto s = stop.current()) {
		order.push_back(s->resource);
		stop.report(true);
	}
	CHECK(order == std::vector<size_t>{3, 2});
	CHECK(stop.outcome() == GroupSequencer::Outcome::kStopped);

	GroupSequencer start(4, Action::kStart, 0, 2);
	CHECK(start.current()->resource == 2);
	start.report(true);
	start.report(false); // resource 3 fails: back down to 2 only
	REQUIRE(start.failed_resource());
	CHECK(*start.failed_resource() == 3);
	order.clear();
	while (const auto s = start.current()) {
		order.push_back(s->resource);
		start.report(true);
	}
	CHECK(order == std::vector<size_t>{3, 2});
	CHECK(start.outcome() == GroupSequencer::Outcome::kStartFailed);
}

TEST_CASE("events: text for people, JSON for scripts", "[hb][events]")
{
	EventStream events("corman");
	std::vector<std::string> text, json;
	const auto t = events.subscribe(false, [&](const std::string &l) {
		text.push_back(l);
		return true;
	});
	events.subscribe(true, [&](const std::string &l) {
		json.push_back(l);
		return json.size() < 2; // gone after two lines
	});
	REQUIRE(text.size() == 1); // "subscribed"
	CHECK(text[0].find(" corman subscribed corman\n") != std::string::npos);
	events.emit("peer-dead", "rabius", "silent on every link");
	events.emit("released", "rdbddisk::r0", "");
	REQUIRE(text.size() == 3);
	CHECK(text[1].find(" corman peer-dead rabius: silent on every link\n") !=
	      std::string::npos);
	CHECK(text[2].find(" corman released rdbddisk::r0\n") != std::string::npos);
	REQUIRE(json.size() == 2); // the second event went to nobody
	CHECK(json[1].find("\"event\":\"peer-dead\"") != std::string::npos);
	CHECK(json[1].find("\"node\":\"corman\"") != std::string::npos);
	events.unsubscribe(t);
	events.emit("released", "x", "");
	CHECK(text.size() == 3);
}

TEST_CASE("monitor: each resource is checked at its own interval",
	  "[hb][monitor]")
{
	const auto t0 = Clock::now();
	// A 20 s resource in a group woken every 1 s.
	CHECK(monitor_due(Clock::time_point{}, 20s, 1s, t0)); // never checked
	CHECK_FALSE(monitor_due(t0, 20s, 1s, t0 + 1s));
	CHECK_FALSE(monitor_due(t0, 20s, 1s, t0 + 19s));
	CHECK(monitor_due(t0, 20s, 1s, t0 + 19500ms));
	CHECK(monitor_due(t0, 1s, 1s, t0 + 1s));
	CHECK_FALSE(monitor_due(t0, 0s, 1s, t0 + 1h)); // off
}
