// The outdate-peer path: what Heartbeat's dopd (drbd-peer-outdater) did
// for DRBD, over rdbd-heartbeat's own authenticated links.
//
// rdbd.ko runs the fence-peer handler when a Primary loses its peer, or a
// disconnected node is promoted (rdbd.conf(5), "fencing").  With
//     handlers { fence-peer "/usr/sbin/rdbd-heartbeat fence-peer"; }
// that handler asks the local daemon over the control socket; the daemon
// asks the peer's daemon, over every heartbeat link, to outdate its disk,
// and answers with DRBD's exit codes:
//
//   corman (requester)                         rabius (responder)
//   fence-peer r0 --control socket--> daemon
//     t=outdate-req id=7 rsc=r0 ---links--->   rdbdadm status --json r0
//       (resent every 500 ms)                  connected? wait, ask again
//                                              rdbdadm outdate r0
//     t=outdate-ack id=7 rc=4 <---links----    (kept: a resent request
//   exit 4                                      gets the same answer)
//
//   3  the peer's disk is Inconsistent (or it has none)
//   4  the peer's disk is Outdated now
//   5  the peer is dead: silent on every link for deadtime (membership),
//      so unreachable; rdbd counts that as outdated only if its own disk
//      is UpToDate
//   6  the peer is Primary
//   1  anything else: the peer's daemon could not outdate it (the
//      resource is not up there, rdbdadm failed, its rdbd still sees the
//      connection after kOutdateWait), or no answer within the timeout
//      while the peer is alive
// 7 ("fenced") is never answered: rdbd-heartbeat has no STONITH device.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "hb_loop.h"
#include "hb_messages.h"
#include "hb_process.h"

namespace rdbd::hb {

// Exit codes of `rdbd-heartbeat fence-peer` (DRBD's fence-peer contract).
enum FenceCode : int {
	kFenceUnknown = 1,
	kFencePeerInconsistent = 3,
	kFencePeerOutdated = 4,
	kFencePeerUnreachable = 5,
	kFencePeerPrimary = 6,
};

class PeerFencer {
public:
	using Done = std::function<void(int code, const std::string &why)>;
	struct Hooks {
		// Sends a message (type and fields set) to the peer on
		// every link; the daemon adds src, generation, seq and auth.
		std::function<void(Message)> send;
		// Membership: is the peer dead (or never heard by initdead)?
		std::function<bool()> peer_dead;
		std::string self, peer; // node names, for messages
		std::string rdbdadm;	// the program
	};

	PeerFencer(EventLoop &loop, ProcessRunner &runner, Hooks hooks);

	// Asks the peer to outdate `resource`; `done` runs exactly once.
	void request(const std::string &resource,
		     std::chrono::milliseconds timeout, Done done);
	// The peer was declared dead: every pending request gets 5.
	void peer_dead();
	// A message from the peer: true if it was ours to handle.
	bool handle(const Message &m, bool fresh);
	// Requests this node is waiting on, for status.
	size_t pending() const { return pending_.size(); }

private:
	struct Pending {
		std::string resource;
		Clock::time_point deadline;
		Done done;
	};
	struct Answer {
		std::string resource;
		bool done = false;
		int code = kFenceUnknown;
		std::string why;
		Clock::time_point give_up; // stop waiting for rdbd's disconnect
	};

	void send_request(uint64_t id);
	void finish(uint64_t id, int code, const std::string &why);
	void answer_request(const Message &m);
	void check_and_outdate(uint64_t id);
	void outdate(uint64_t id);
	void reply(uint64_t id);
	void conclude(uint64_t id, int code, const std::string &why);

	EventLoop &loop_;
	ProcessRunner &runner_;
	Hooks hooks_;
	uint64_t next_id_ = 0;
	std::map<uint64_t, Pending> pending_; // ours, by id
	// The peer's requests, by id, for one boot of the peer.
	uint64_t answers_generation_ = 0;
	std::map<uint64_t, Answer> answers_;
};

// Valid resource names, as rdbdadm and rdbd.ko accept them.
bool valid_resource_name(const std::string &name);

} // namespace rdbd::hb
