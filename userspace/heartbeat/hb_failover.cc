#include "hb_failover.h"

namespace rdbd::hb {

namespace {

bool peer_eligible(const GroupFacts &f)
{
	return f.peer == Peer::kUp && !f.peer_standby && !f.peer_failed &&
	       !f.peer_leaving;
}

Decision decide_held(const GroupFacts &f)
{
	if (f.leaving)
		return Decision::kStop;
	if (f.peer != Peer::kUp || !f.same_haresources)
		return Decision::kNothing;
	if (f.peer_holds) // a healed partition: the preferred node keeps it
		return f.i_preferred ? Decision::kNothing : Decision::kStop;
	if ((f.my_standby || f.my_failed) && peer_eligible(f))
		return Decision::kStop;
	// ipfail: never to a peer whose disks are not UpToDate.
	if (f.ping_advantage < 0 && peer_eligible(f) && f.peer_ready)
		return Decision::kStop;
	if (f.auto_failback && !f.i_preferred && peer_eligible(f) &&
	    f.peer_ready && f.ping_advantage <= 0)
		return Decision::kStop;
	return Decision::kNothing;
}

Decision decide_free(const GroupFacts &f)
{
	if (f.my_failed || f.leaving || f.peer == Peer::kStarting)
		return Decision::kNothing;
	if (f.peer == Peer::kDead)
		return Decision::kStart;
	if (f.peer_holds || !f.same_haresources)
		return Decision::kNothing;
	const bool me = !f.my_standby;
	const bool peer = peer_eligible(f);
	if (me && peer) {
		if (f.ping_advantage > 0 && f.my_ready)
			return Decision::kStart;
		if (f.ping_advantage < 0 && f.peer_ready)
			return Decision::kNothing;
		return f.i_preferred ? Decision::kStart : Decision::kNothing;
	}
	if (me)
		return Decision::kStart;
	if (peer)
		return Decision::kNothing;
	// Neither is eligible.  Only standby here: serve rather than leave
	// the service down, unless the peer is just as willing and preferred.
	if (f.peer_failed || f.peer_leaving)
		return Decision::kStart;
	return f.i_preferred ? Decision::kStart : Decision::kNothing;
}

} // namespace

Decision decide(const GroupFacts &f)
{
	if (f.busy)
		return Decision::kNothing;
	return f.i_hold ? decide_held(f) : decide_free(f);
}

const char *decision_name(Decision d)
{
	switch (d) {
	case Decision::kNothing:
		return "nothing";
	case Decision::kStart:
		return "start";
	case Decision::kStop:
		return "stop";
	}
	return "?";
}

} // namespace rdbd::hb
