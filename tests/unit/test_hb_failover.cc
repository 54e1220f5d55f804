// Who holds a group: the decision table, and the peer's state table.
#include <catch2/catch.hpp>

#include "hb_failover.h"
#include "hb_membership.h"

using namespace rdbd::hb;
using D = Decision;

namespace {

GroupFacts both_up()
{
	GroupFacts f;
	f.peer = Peer::kUp;
	return f;
}

} // namespace

TEST_CASE("failover: startup goes to the preferred node", "[hb][failover]")
{
	GroupFacts f = both_up();
	f.i_preferred = true;
	CHECK(decide(f) == D::kStart);
	f.i_preferred = false;
	CHECK(decide(f) == D::kNothing);
	f.peer = Peer::kStarting; // within initdead: wait for the peer
	f.i_preferred = true;
	CHECK(decide(f) == D::kNothing);
	f.peer = Peer::kDead;	  // initdead over
	f.i_preferred = false;
	CHECK(decide(f) == D::kStart);
}

TEST_CASE("failover: a dead holder is replaced, a live one kept",
	  "[hb][failover]")
{
	GroupFacts f = both_up();
	f.peer_holds = true;
	CHECK(decide(f) == D::kNothing);
	f.peer = Peer::kDead;
	f.peer_holds = false; // a dead node holds nothing
	CHECK(decide(f) == D::kStart);
	f.my_standby = true;  // standby still serves when the peer is gone
	CHECK(decide(f) == D::kStart);
	f.my_failed = true;   // a failed start does not retry by itself
	CHECK(decide(f) == D::kNothing);
	f = both_up();
	f.i_hold = true;
	f.peer = Peer::kDead;
	CHECK(decide(f) == D::kNothing);
	f.busy = true;
	f.i_hold = false;
	CHECK(decide(f) == D::kNothing);
}

TEST_CASE("failover: standby, takeover, failure and leaving", "[hb][failover]")
{
	GroupFacts f = both_up();
	f.i_hold = true;
	f.i_preferred = true;
	f.my_standby = true;
	CHECK(decide(f) == D::kStop);
	f.peer_failed = true; // nobody to hand it to
	CHECK(decide(f) == D::kNothing);
	f = both_up();
	f.i_hold = true;
	f.leaving = true;
	CHECK(decide(f) == D::kStop);
	f = both_up(); // the peer stands by or leaves: take even unpreferred
	f.peer_standby = true;
	CHECK(decide(f) == D::kStart);
	f.peer_standby = false;
	f.peer_leaving = true;
	CHECK(decide(f) == D::kStart);
	f = both_up(); // both standby: the preferred node serves
	f.my_standby = f.peer_standby = true;
	CHECK(decide(f) == D::kNothing);
	f.i_preferred = true;
	CHECK(decide(f) == D::kStart);
	f = both_up();
	f.my_standby = true;
	f.peer_failed = true;
	CHECK(decide(f) == D::kStart);
}

TEST_CASE("failover: auto_failback waits until the preferred node is ready",
	  "[hb][failover]")
{
	GroupFacts f = both_up();
	f.i_hold = true;
	f.auto_failback = true;
	CHECK(decide(f) == D::kNothing); // preferred node not UpToDate yet
	f.peer_ready = true;
	CHECK(decide(f) == D::kStop);
	f.auto_failback = false;
	CHECK(decide(f) == D::kNothing);
	f.auto_failback = true;
	f.peer_standby = true;
	CHECK(decide(f) == D::kNothing);
}

TEST_CASE("failover: healed partition and different haresources",
	  "[hb][failover]")
{
	GroupFacts f = both_up();
	f.i_hold = f.peer_holds = true;
	CHECK(decide(f) == D::kStop);
	f.i_preferred = true;
	CHECK(decide(f) == D::kNothing);
	f = both_up();
	f.i_preferred = true;
	f.same_haresources = false;
	CHECK(decide(f) == D::kNothing);
	f.peer = Peer::kDead;
	CHECK(decide(f) == D::kStart);
}

TEST_CASE("membership: deadtime, initdead, links and warntime",
	  "[hb][membership]")
{
	using K = MembershipEvent::Kind;
	HaConfig c;
	c.keepalive = Millis(100);
	c.deadtime = Millis(500);
	c.warntime = Millis(300);
	c.initdead = Millis(2000);
	c.links.resize(2);
	const auto t0 = Clock::now();
	Membership m(c, t0);
	CHECK(m.tick(t0 + Millis(1999)).empty());
	CHECK(m.state() == PeerState::kInit);
	auto e = m.heard(0, t0 + Millis(100));
	REQUIRE(e.size() == 2);
	CHECK(e[0].kind == K::kLinkUp);
	CHECK(e[1].kind == K::kPeerUp);
	CHECK(m.heard(1, t0 + Millis(100)).size() == 1);
	// Link 1 goes silent: down after deadtime, the peer stays up.
	for (int t = 200; t <= 700; t += 100)
		m.heard(0, t0 + Millis(t));
	e = m.tick(t0 + Millis(700));
	REQUIRE(e.size() == 1);
	CHECK(e[0].kind == K::kLinkDown);
	CHECK(e[0].link == 1);
	CHECK(m.state() == PeerState::kUp);
	// Then link 0 too: late at warntime, dead at deadtime.
	e = m.tick(t0 + Millis(1000));
	REQUIRE(e.size() == 1);
	CHECK(e[0].kind == K::kLate);
	CHECK(m.tick(t0 + Millis(1100)).empty()); // warned once
	e = m.tick(t0 + Millis(1200));
	REQUIRE(e.size() == 2);
	CHECK(e[0].kind == K::kLinkDown);
	CHECK(e[1].kind == K::kPeerDead);
	CHECK(e[1].silence == Millis(500));
	CHECK(m.state() == PeerState::kDead);
	e = m.heard(1, t0 + Millis(5000));
	CHECK(m.state() == PeerState::kUp);
	e = m.left();
	CHECK(m.state() == PeerState::kDead);

	Membership alone(c, t0);
	e = alone.tick(t0 + Millis(2000));
	REQUIRE(e.size() == 1);
	CHECK(e[0].kind == K::kPeerDead);

	// initdead counts from begin(), when the daemon starts listening.
	Membership late(c, t0);
	late.begin(t0 + Millis(300));
	CHECK(late.tick(t0 + Millis(2000)).empty());
	e = late.tick(t0 + Millis(2300));
	REQUIRE(e.size() == 1);
	CHECK(e[0].silence == Millis(2000));
}
