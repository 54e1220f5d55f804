// ha.cf parsing: every directive, and every error with its file:line.
#include <catch2/catch.hpp>

#include "hb_config.h"

using namespace rdbd::hb;

namespace {

const char *const kBase = "node corman rabius\nucast eth0 10.99.0.2\n";

HaConfig parse(const std::string &text)
{
	return parse_ha_cf(text, "ha.cf", {"10.99.0.1"}, "corman");
}

std::string error_of(const std::string &text)
{
	try {
		parse(text);
	} catch (const ConfigError &e) {
		return e.what();
	}
	return "no error";
}

} // namespace

TEST_CASE("ha.cf: a full file", "[hb][ha.cf]")
{
	const auto c = parse(R"(# the seed's ha.cf
keepalive 200ms
deadtime 1
warntime 0.5
initdead 4
udpport 6940
ucast eth0 10.99.0.1   # our own address: skipped
ucast eth0 10.99.0.2
bcast eth1 eth2
auto_failback on
logfile /var/log/ha-log
debugfile /var/log/ha-debug
logfacility local0
node corman
node Rabius
)");
	CHECK(c.keepalive == Millis(200));
	CHECK(c.deadtime == Millis(1000));
	CHECK(c.effective_warntime() == Millis(500));
	CHECK(c.effective_initdead() == Millis(4000));
	CHECK(c.udpport == 6940);
	REQUIRE(c.links.size() == 3);
	CHECK(c.links[0].name() == "eth0/10.99.0.2");
	CHECK(c.links[0].where == "ha.cf:8");
	CHECK(c.links[1].kind == LinkConfig::Kind::kBroadcast);
	CHECK(c.links[2].name() == "eth2");
	CHECK(c.auto_failback);
	CHECK(c.logfile == "/var/log/ha-log");
	CHECK(c.debugfile == "/var/log/ha-debug");
	CHECK(c.logfacility == "local0");
	CHECK(c.nodes == std::vector<std::string>{"corman", "rabius"});
}

TEST_CASE("ha.cf: Heartbeat's defaults", "[hb][ha.cf]")
{
	const auto c = parse(kBase);
	CHECK(c.keepalive == Millis(1000));
	CHECK(c.deadtime == Millis(30000));
	CHECK(c.effective_warntime() == Millis(15000));
	CHECK(c.effective_initdead() == Millis(30000)); // deadtime > 10 s
	CHECK(c.udpport == 694);
	CHECK_FALSE(c.auto_failback);
	CHECK(parse(std::string(kBase) + "keepalive 1\ndeadtime 5\n")
		      .effective_initdead() == Millis(12000));
	CHECK(parse(std::string(kBase) + "keepalive 1\ndeadtime 8\n")
		      .effective_initdead() == Millis(16000));
}

TEST_CASE("ha.cf: durations", "[hb][ha.cf]")
{
	CHECK(parse_duration("2") == Millis(2000));
	CHECK(parse_duration("0.5") == Millis(500));
	CHECK(parse_duration("500ms") == Millis(500));
	CHECK(parse_duration("250000us") == Millis(250));
	CHECK_FALSE(parse_duration("10s"));
	CHECK_FALSE(parse_duration(""));
	CHECK_FALSE(parse_duration("ms"));
	CHECK_FALSE(parse_duration("1.2.3"));
	CHECK_FALSE(parse_duration("-1"));
	CHECK_FALSE(parse_duration("1e3"));
}

TEST_CASE("ha.cf: every error names file and line", "[hb][ha.cf]")
{
	const std::string b = kBase;
	CHECK(error_of(b + "keepalive 10s\n") ==
	      "ha.cf:3: bad time '10s' for keepalive (seconds like 2 or 0.5, "
	      "or 500ms)");
	CHECK(error_of(b + "deadtime 0\n") == "ha.cf:3: deadtime must be more than 0");
	CHECK(error_of(b + "keepalive\n") == "ha.cf:3: 'keepalive' needs 1 argument");
	CHECK(error_of(b + "keepalive 1 2\n") ==
	      "ha.cf:3: 'keepalive' takes 1 argument, got 2");
	CHECK(error_of(b + "keepalive 1\nkeepalive 2\n") ==
	      "ha.cf:4: 'keepalive' given twice (first at line 3)");
	CHECK(error_of(b + "mcast eth0 225.0.0.1 694 1 0\n") ==
	      "ha.cf:3: directive 'mcast' is not supported by rdbd-heartbeat");
	// (ping is supported now: tests/unit/test_hb_ping.cc)
	CHECK(error_of(b + "stonith baytech /etc/ha.d/conf/stonith.baytech\n") ==
	      "ha.cf:3: directive 'stonith' is not supported by rdbd-heartbeat");
	CHECK(error_of(b + "frobnicate yes\n") ==
	      "ha.cf:3: unknown directive 'frobnicate'");
	CHECK(error_of(b + "udpport 694\n") ==
	      "ha.cf:3: udpport must come before the first ucast or bcast "
	      "line (Heartbeat silently ignores it there)");
	CHECK(error_of("udpport 70000\n" + b) == "ha.cf:1: bad udpport '70000' (1-65535)");
	CHECK(error_of(b + "ucast eth0\n") == "ha.cf:3: 'ucast' needs 2 arguments");
	CHECK(error_of(b + "ucast eth0 corman\n") ==
	      "ha.cf:3: ucast needs an IPv4 address, got 'corman'");
	CHECK(error_of(b + "bcast\n") == "ha.cf:3: 'bcast' needs at least 1 argument");
	CHECK(error_of(b + "auto_failback maybe\n") ==
	      "ha.cf:3: auto_failback takes on or off, got 'maybe'");
	CHECK(error_of(b + "auto_failback legacy\n") ==
	      "ha.cf:3: auto_failback legacy is not supported: use on or off");
	CHECK(error_of(b + "logfacility local9\n") ==
	      "ha.cf:3: unknown logfacility 'local9' (daemon, user, authpriv, "
	      "local0-local7 or none)");
	CHECK(error_of(b + "node\n") == "ha.cf:3: 'node' needs at least 1 argument");
}

TEST_CASE("ha.cf: whole-file errors", "[hb][ha.cf]")
{
	CHECK(error_of("ucast eth0 10.99.0.2\n") ==
	      "ha.cf: no 'node' line: name both cluster nodes");
	CHECK(error_of("node corman\nucast eth0 10.99.0.2\n") ==
	      "ha.cf: no second node: rdbd-heartbeat runs two-node clusters; "
	      "only 'corman' is listed");
	CHECK(error_of("node rabius kolm\nucast eth0 10.99.0.2\n") ==
	      "ha.cf: no 'node' line lists this node 'corman'");
	CHECK(error_of("node corman rabius\n") ==
	      "ha.cf: no heartbeat link: add 'ucast IF PEER-IP' or 'bcast IF' lines");
	CHECK(error_of("node corman rabius\nucast eth0 10.99.0.1\n") ==
	      "ha.cf: no heartbeat link: add 'ucast IF PEER-IP' or 'bcast IF' lines");
}

// Found by the ha.cf fuzzer (tests/fuzz): these rejections named the file
// but no line, though the mistake is on one.
TEST_CASE("ha.cf: checks across lines name the line", "[hb][ha.cf]")
{
	CHECK(error_of("node corman corman\nucast eth0 10.99.0.2\n") ==
	      "ha.cf:1: node 'corman' is listed twice (first at line 1)");
	CHECK(error_of("node corman\nnode Corman\n") ==
	      "ha.cf:2: node 'Corman' is listed twice (first at line 1)");
	CHECK(error_of("node corman rabius\nnode kolm\nucast eth0 10.99.0.2\n") ==
	      "ha.cf:2: a third node 'kolm': rdbd-heartbeat runs two-node "
	      "clusters");
	CHECK(error_of(std::string(kBase) + "keepalive 1\ndeadtime 2\n") ==
	      "ha.cf:4: deadtime (2000 ms) must be more than twice keepalive "
	      "(1000 ms)");
	CHECK(error_of(std::string(kBase) + "keepalive 20\n") ==
	      "ha.cf:3: deadtime (30000 ms) must be more than twice keepalive "
	      "(20000 ms)");
	CHECK(error_of(std::string(kBase) + "warntime 10\ndeadtime 10\n") ==
	      "ha.cf:3: warntime must be less than deadtime");
	CHECK(error_of(std::string(kBase) + "deadtime 10\ninitdead 5\n") ==
	      "ha.cf:4: initdead must be at least deadtime");
}

// Found by the ha.cf fuzzer (tests/fuzz): a number past a double's range
// escaped as std::out_of_range and killed the daemon.
TEST_CASE("ha.cf: a time too large for a number is a bad time", "[hb][ha.cf]")
{
	const std::string huge(400, '9');
	CHECK_FALSE(parse_duration(huge).has_value());
	CHECK_FALSE(parse_duration("0." + std::string(400, '0') + "1").has_value());
	CHECK(error_of(std::string(kBase) + "deadtime " + huge + "\n") ==
	      "ha.cf:3: bad time '" + huge +
		      "' for deadtime (seconds like 2 or 0.5, or 500ms)");
}
