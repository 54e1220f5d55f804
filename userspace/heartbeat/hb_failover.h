// Who should hold each resource group: one pure function, evaluated on
// both nodes from the same facts (each node announces its own in every
// heartbeat), so both reach the same answer without a vote.
//
// A node is *eligible* when it is up, not in standby, not failed (a start
// of its failed; only `takeover` clears that) and not leaving.
//   - A held group stays where it is, unless the holder becomes
//     ineligible while the peer is eligible (standby, takeover, graceful
//     stop), or auto_failback is on and its preferred node is back,
//     eligible and ready (its rdbd disks UpToDate).
//   - A group nobody holds goes to the preferred node when both are
//     eligible, to the only eligible one otherwise, and to the survivor
//     when the peer is dead.
//   - Both holding (after a partition heals): the preferred node keeps it.
//   - Ping nodes with ipfail (Heartbeat's contrib/ipfail): once one node
//     has reached more ping nodes than the other for deadping
//     (ping_advantage), a held group moves to it if it is eligible and
//     ready, and a free group goes to it if it is ready, whatever the
//     preference; auto_failback does not pull a group away from it.
//   - With different haresources on the two nodes, group numbers mean
//     different things: nothing is taken while the peer is up.
#pragma once

namespace rdbd::hb {

enum class Peer { kStarting, kUp, kDead }; // kStarting: within initdead

struct GroupFacts {
	bool i_hold = false;	  // held, starting or stopping here
	bool busy = false;	  // a script of this group is running here
	bool i_preferred = false; // haresources names this node
	bool leaving = false;	  // this daemon is stopping gracefully
	bool my_standby = false;
	bool my_failed = false;

	Peer peer = Peer::kStarting;
	bool peer_holds = false;  // held, starting or stopping there
	bool peer_standby = false;
	bool peer_failed = false;
	bool peer_leaving = false;
	bool peer_ready = false;  // the peer's disks for this group are UpToDate
	bool same_haresources = true;
	bool auto_failback = false;
	// ipfail: +1 this node reaches more ping nodes, -1 the peer, 0 equal
	// or off.  my_ready: our rdbd disks for the group are UpToDate.
	int ping_advantage = 0;
	bool my_ready = false;
};

enum class Decision { kNothing, kStart, kStop };
Decision decide(const GroupFacts &f);
const char *decision_name(Decision d);

} // namespace rdbd::hb
