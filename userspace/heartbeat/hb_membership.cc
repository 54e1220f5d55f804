#include "hb_membership.h"

namespace rdbd::hb {

const char *peer_state_name(PeerState s)
{
	switch (s) {
	case PeerState::kInit:
		return "init";
	case PeerState::kUp:
		return "up";
	case PeerState::kDead:
		return "dead";
	}
	return "?";
}

Membership::Membership(const HaConfig &config, Clock::time_point start)
	: deadtime_(config.deadtime), warntime_(config.effective_warntime()),
	  initdead_(config.effective_initdead()), start_(start),
	  links_(config.links.size())
{
}

std::optional<Clock::time_point> Membership::last_heard() const
{
	std::optional<Clock::time_point> latest;
	for (const auto &l : links_)
		if (l.last_heard && (!latest || *l.last_heard > *latest))
			latest = l.last_heard;
	return latest;
}

std::vector<MembershipEvent> Membership::heard(size_t link,
					       Clock::time_point now)
{
	using K = MembershipEvent::Kind;
	std::vector<MembershipEvent> events;
	LinkHealth &l = links_.at(link);
	l.last_heard = now;
	if (!l.up) {
		l.up = true;
		events.push_back({K::kLinkUp, link, Millis(0)});
	}
	late_warned_ = false;
	if (state_ != PeerState::kUp) {
		state_ = PeerState::kUp;
		events.push_back({K::kPeerUp, 0, Millis(0)});
	}
	return events;
}

std::vector<MembershipEvent> Membership::left()
{
	std::vector<MembershipEvent> events;
	for (size_t i = 0; i < links_.size(); i++) {
		if (links_[i].up)
			events.push_back(
				{MembershipEvent::Kind::kLinkDown, i, Millis(0)});
		links_[i].up = false;
	}
	if (state_ != PeerState::kDead)
		events.push_back({MembershipEvent::Kind::kPeerDead, 0, Millis(0)});
	state_ = PeerState::kDead;
	return events;
}

std::vector<MembershipEvent> Membership::tick(Clock::time_point now)
{
	using K = MembershipEvent::Kind;
	std::vector<MembershipEvent> events;
	for (size_t i = 0; i < links_.size(); i++) {
		LinkHealth &l = links_[i];
		if (l.up && now - *l.last_heard >= deadtime_) {
			l.up = false;
			events.push_back({K::kLinkDown, i, Millis(0)});
		}
	}
	const auto latest = last_heard();
	const auto silence = std::chrono::duration_cast<Millis>(
		now - (latest ? *latest : start_));
	if (state_ == PeerState::kInit && silence >= initdead_) {
		state_ = PeerState::kDead;
		events.push_back({K::kPeerDead, 0, silence});
	} else if (state_ == PeerState::kUp && silence >= deadtime_) {
		state_ = PeerState::kDead;
		events.push_back({K::kPeerDead, 0, silence});
	} else if (state_ == PeerState::kUp && silence >= warntime_ &&
		   !late_warned_) {
		late_warned_ = true;
		events.push_back({K::kLate, 0, silence});
	}
	return events;
}

} // namespace rdbd::hb
