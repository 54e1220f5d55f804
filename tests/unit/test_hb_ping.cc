// Ping nodes and the built-in ipfail rule: the directives, the settled
// comparison, and the decisions it changes.
#include <catch2/catch.hpp>

#include "hb_config.h"
#include "hb_helpers.h"
#include "hb_failover.h"
#include "hb_ping.h"

using namespace rdbd::hb;
using D = Decision;

namespace {

HaConfig parse(const std::string &text) { return rdbd::test::ha_cf(text); }

std::string error_of(const std::string &text)
{
	return rdbd::test::ha_cf_error(text);
}

GroupFacts both_up()
{
	GroupFacts f;
	f.peer = Peer::kUp;
	f.peer_ready = true;
	f.my_ready = true;
	return f;
}

} // namespace

TEST_CASE("ping: Heartbeat's directives", "[hb][ping]")
{
	const auto c = parse("ping 10.0.0.254 10.0.1.254\n"
			     "ping_group routers 192.0.2.1 198.51.100.1\n"
			     "deadping 5\n"
			     "respawn hacluster /usr/lib/heartbeat/ipfail\n");
	REQUIRE(c.ping_nodes.size() == 3);
	CHECK(c.ping_nodes[0].name == "10.0.0.254");
	CHECK(c.ping_nodes[1].ips == std::vector<std::string>{"10.0.1.254"});
	CHECK(c.ping_nodes[2].name == "routers");
	CHECK(c.ping_nodes[2].ips ==
	      std::vector<std::string>{"192.0.2.1", "198.51.100.1"});
	CHECK(c.ping_nodes[2].where == "ha.cf:4");
	CHECK(c.effective_deadping() == Millis(5000));
	CHECK(c.ipfail);
	CHECK(parse("ping 10.0.0.254\n").effective_deadping() == Millis(30000));
	CHECK_FALSE(parse("ping 10.0.0.254\n").ipfail);
}

TEST_CASE("ping: mistakes are refused at file:line", "[hb][ping]")
{
	CHECK(error_of("respawn hacluster /usr/lib/heartbeat/ipfail\n") ==
	      "ha.cf:3: ipfail needs ping nodes: add 'ping IP' or "
	      "'ping_group NAME IP...' lines");
	CHECK(error_of("ping 10.0.0.254\nrespawn hacluster /usr/bin/ccm\n") ==
	      "ha.cf:4: respawn runs only ipfail (built in: the ping node "
	      "rule); got '/usr/bin/ccm'");
	CHECK(error_of("ping 10.0.0.254\nrespawn hacluster ipfail\n") ==
	      "ha.cf:4: respawn runs only ipfail (built in: the ping node "
	      "rule); got 'ipfail'");
	CHECK(error_of("ping router\n") ==
	      "ha.cf:3: ping needs IPv4 addresses, got 'router'");
	CHECK(error_of("ping_group 10.0.0.1 10.0.0.2\n") ==
	      "ha.cf:3: ping_group needs a NAME before its addresses");
	CHECK(error_of("ping 10.0.0.254\nping 10.0.0.254\n") ==
	      "ha.cf:4: ping node '10.0.0.254' is listed twice (first at "
	      "ha.cf:3)");
	CHECK(error_of("deadping 5\n") == "ha.cf:3: deadping without ping nodes");
	CHECK(error_of("ping 10.0.0.254\ndeadping 5s\n") ==
	      "ha.cf:4: bad time '5s' for deadping (seconds like 2 or 0.5, or "
	      "500ms)");
	CHECK(error_of("apiauth ipfail gid=haclient uid=hacluster\n") == "no error");
	CHECK(error_of("apiauth ccm uid=hacluster\n") ==
	      "ha.cf:3: apiauth for 'ccm': rdbd-heartbeat has no API clients "
	      "(ipfail, ping and cl_status are built in and accepted)");
}

TEST_CASE("ping: the comparison settles after the hold", "[hb][ping]")
{
	PingVerdict v(Millis(1000));
	const Clock::time_point t0{};
	CHECK(v.update(2, 1, t0) == 0); // more here, not yet for long
	CHECK(v.update(2, 1, t0 + Millis(999)) == 0);
	CHECK(v.update(2, 1, t0 + Millis(1000)) == 1);
	// A blip the other way resets the clock, and equal settles at once.
	CHECK(v.update(1, 2, t0 + Millis(1100)) == 1);
	CHECK(v.update(1, 1, t0 + Millis(1200)) == 0);
	CHECK(v.update(0, 1, t0 + Millis(1300)) == 0);
	CHECK(v.update(0, 1, t0 + Millis(2299)) == 0);
	CHECK(v.update(0, 1, t0 + Millis(2300)) == -1);
	// The peer's count unknown: nothing to compare.
	CHECK(v.update(0, std::nullopt, t0 + Millis(2400)) == 0);
}

TEST_CASE("ping: ipfail moves the group to the node reaching more",
	  "[hb][ping][failover]")
{
	GroupFacts f = both_up();
	f.i_hold = true;
	f.i_preferred = true;
	CHECK(decide(f) == D::kNothing);
	f.ping_advantage = -1; // the peer reaches more
	CHECK(decide(f) == D::kStop);
	f.peer_ready = false; // never to a node whose disks are not UpToDate
	CHECK(decide(f) == D::kNothing);
	f.peer_ready = true;
	f.peer_standby = true;
	CHECK(decide(f) == D::kNothing);
	f.peer_standby = false;
	f.peer = Peer::kDead;
	CHECK(decide(f) == D::kNothing);

	// Free: the node reaching more starts it, preferred or not...
	GroupFacts g = both_up();
	g.ping_advantage = 1;
	CHECK(decide(g) == D::kStart);
	g.my_ready = false; // ...if its disks are UpToDate
	CHECK(decide(g) == D::kNothing);
	g.i_preferred = true;
	CHECK(decide(g) == D::kStart); // then the preference decides
	g.my_ready = true;
	g.ping_advantage = -1;
	CHECK(decide(g) == D::kNothing); // the peer takes it
	g.peer_ready = false;
	CHECK(decide(g) == D::kStart);

	// auto_failback does not pull it away from the node reaching more.
	GroupFacts h = both_up();
	h.i_hold = true;
	h.auto_failback = true;
	CHECK(decide(h) == D::kStop); // the preferred peer is back
	h.ping_advantage = 1;
	CHECK(decide(h) == D::kNothing);
}
