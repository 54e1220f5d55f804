// The peer's state table and the links' health, from the times messages
// were heard.  Pure: the caller passes the time, so tests need no clock.
//
//   peer state   entered when                              (Heartbeat v1)
//   kInit        daemon start; nothing heard yet            "init"
//   kUp          an authentic, fresh message arrives        "up"/"active"
//   kDead        silence on every link for deadtime, or     "dead"
//                initdead from start without hearing it,
//                or its goodbye at a graceful stop
//
//   link         up while heard within deadtime; down after deadtime of
//                silence on it: a warning, never a failover by itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hb_config.h"
#include "hb_loop.h"

namespace rdbd::hb {

enum class PeerState { kInit, kUp, kDead };
const char *peer_state_name(PeerState s);

struct LinkHealth {
	std::optional<Clock::time_point> last_heard;
	bool up = false;
};

// What tick() noticed, for the log and the resource manager.
struct MembershipEvent {
	enum class Kind { kPeerUp, kPeerDead, kLinkUp, kLinkDown, kLate };
	Kind kind;
	size_t link = 0;		// kLinkUp, kLinkDown
	Millis silence{0};		// kPeerDead, kLate
};

class Membership {
public:
	Membership(const HaConfig &config, Clock::time_point start);

	// The daemon starts listening now: initdead counts from here, not
	// from construction, which reading the config files may precede by
	// a noticeable time on a loaded machine.
	void begin(Clock::time_point now) { start_ = now; }

	// An authentic, fresh (or duplicate) message arrived on `link`.
	std::vector<MembershipEvent> heard(size_t link, Clock::time_point now);
	// The peer said goodbye: dead now, no deadtime to wait.
	std::vector<MembershipEvent> left();
	std::vector<MembershipEvent> tick(Clock::time_point now);

	PeerState state() const { return state_; }
	const std::vector<LinkHealth> &links() const { return links_; }
	std::optional<Clock::time_point> last_heard() const;

private:
	Millis deadtime_, warntime_, initdead_;
	Clock::time_point start_;
	PeerState state_ = PeerState::kInit;
	bool late_warned_ = false;
	std::vector<LinkHealth> links_;
};

} // namespace rdbd::hb
