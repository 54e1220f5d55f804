// `rdbd-heartbeat status [--json]`: the human table may change; the JSON
// keys are the stable interface the tests and scripts read.
#include <nlohmann/json.hpp>

#include <sstream>

#include "hb_daemon.h"
#include "hb_text.h"

namespace rdbd::hb {

namespace {

using Json = nlohmann::ordered_json;

Json ms_or_null(const std::optional<Clock::time_point> &t,
		Clock::time_point now)
{
	if (!t)
		return nullptr;
	return std::chrono::duration_cast<Millis>(now - *t).count();
}

} // namespace

// The startup probe of a group: {"result": ..., "messages": [...]}.
static Json probe_object(const std::string &result,
			 const std::vector<std::string> &errors,
			 const std::vector<std::string> &warnings)
{
	Json messages = Json::array();
	for (const auto &list : {errors, warnings})
		for (const auto &m : list)
			messages.push_back(m);
	return Json{{"result", result}, {"messages", messages}};
}

std::string Daemon::probe_json(const Group &group) const
{
	const std::string result = !opt_.startup_probe ? "off"
				   : !group.probe_errors.empty() ? "error"
				   : !group.probe_warnings.empty() ? "warning"
				   : group.probed ? "ok"
						  : "pending";
	return probe_object(result, group.probe_errors, group.probe_warnings)
		.dump();
}

// A group's health: {"banned": bool, "banned_for_ms": N|null (null: until
// cleanup), "ban_reason": "", "fail_counts": {RESOURCE: N, ...} (only
// resources that failed), "last_failures": {RESOURCE: "why", ...}}.
std::string Daemon::failures_json(const Group &group) const
{
	const auto now = Clock::now();
	const GroupHealth &h = group.health;
	Json counts = Json::object(), reasons = Json::object();
	for (size_t r = 0; r < h.resources.size(); r++)
		if (h.resources[r].fail_count) {
			counts[group.spec.resources[r].text] =
				h.resources[r].fail_count;
			reasons[group.spec.resources[r].text] =
				h.resources[r].last_reason;
		}
	Json left = nullptr;
	if (h.banned() && *h.banned_until != Clock::time_point::max())
		left = std::max<long long>(
			0, std::chrono::duration_cast<Millis>(*h.banned_until - now)
				   .count());
	return Json{{"banned", h.banned()},
		    {"banned_for_ms", left},
		    {"ban_reason", h.ban_reason},
		    {"fail_counts", counts},
		    {"last_failures", reasons}}
		.dump();
}

std::string Daemon::status_json() const
{
	const auto now = Clock::now();
	Json mine = Json::array(), peers = Json::array(), groups = Json::array(),
	     links = Json::array(), drops = Json::object();
	for (size_t g = 0; g < groups_.size(); g++) {
		const Group &grp = *groups_[g];
		const bool held_here = grp.state != GroupState::kStopped;
		if (held_here)
			mine.push_back(grp.spec.key());
		if (peer_.holds.count(g))
			peers.push_back(grp.spec.key());
		groups.push_back(Json{
			{"group", grp.spec.key()},
			{"preferred", grp.spec.preferred_node},
			{"local", group_state_name(grp.state)},
			{"held_by", held_here ? Json(opt_.self)
				    : peer_.holds.count(g) ? Json(peer_name())
							   : Json(nullptr)},
			{"probe", Json::parse(probe_json(grp))},
			{"failures", Json::parse(failures_json(grp))}});
	}
	const auto &health = membership_.links();
	for (size_t l = 0; l < links_.size(); l++)
		links.push_back(Json{{"name", links_[l].name},
				     {"up", health[l].up},
				     {"last_seen_ms",
				      ms_or_null(health[l].last_heard, now)}});
	uint64_t total = 0;
	for (size_t d = 0; d < drops_.size(); d++) {
		drops[drop_name(static_cast<Drop>(d))] = drops_[d];
		total += drops_[d];
	}
	drops["total"] = total;
	const std::string self_state = leaving_ ? "leaving" : failed_ ? "failed"
				       : standby_ ? "standby" : "active";
	Json o{{"node", opt_.self},
	       {"generation", generation_},
	       {"auto_failback", config_.auto_failback},
	       {"keepalive_ms", config_.keepalive.count()},
	       {"deadtime_ms", config_.deadtime.count()},
	       {"haresources_checksum", resources_.checksum},
	       {"haresources_match",
		peer_view_valid_
			? Json(peer_.haresources_checksum == resources_.checksum)
			: Json(nullptr)}};
	o["nodes"] = Json::array(
		{Json{{"name", opt_.self},
		      {"self", true},
		      {"state", self_state},
		      {"standby", standby_},
		      {"failed", failed_},
		      {"maintenance", maintenance_},
		      {"resources", mine}},
		 Json{{"name", peer_name()},
		      {"self", false},
		      {"state", peer_state_name(membership_.state())},
		      {"generation", replay_.generation()},
		      {"standby", peer_.standby},
		      {"failed", peer_.failed},
		      {"maintenance", peer_.maintenance},
		      {"resources", peers},
		      {"links", links}}});
	o["groups"] = groups;
	o["drops"] = drops;
	o["uplink"] = uplink_ ? uplink_->status_json() : Json(nullptr);
	if (ping_) {
		const int v = ping_verdict_.settled();
		o["ping"] = Json{{"ipfail", config_.ipfail},
				 {"reachable", ping_->reachable()},
				 {"peer_reachable", peer_.ping_count
							    ? Json(*peer_.ping_count)
							    : Json(nullptr)},
				 {"verdict", v > 0 ? opt_.self
					     : v < 0 ? peer_name() : "equal"},
				 {"nodes", ping_->status_json()}};
	} else {
		o["ping"] = nullptr;
	}
	return o.dump(1) + "\n";
}

std::string Daemon::status_text() const
{
	const auto now = Clock::now();
	std::ostringstream o;
	o << "node " << opt_.self << " (this node): "
	  << (leaving_ ? "leaving" : failed_ ? "failed (standby)"
			: standby_ ? "standby" : "active")
	  << (maintenance_ ? ", MAINTENANCE" : "")
	  << ", generation " << generation_ << "\n";
	o << "node " << peer_name() << ": "
	  << peer_state_name(membership_.state())
	  << (peer_.standby ? ", standby" : "")
	  << (peer_.failed ? ", failed" : "")
	  << (peer_.maintenance ? ", MAINTENANCE" : "") << "\n";
	const auto &health = membership_.links();
	for (size_t l = 0; l < links_.size(); l++) {
		o << "  link " << links_[l].name << ": "
		  << (health[l].up ? "up" : "down");
		if (health[l].last_heard)
			o << ", last heard "
			  << std::chrono::duration_cast<Millis>(
				     now - *health[l].last_heard)
				     .count()
			  << " ms ago";
		o << "\n";
	}
	for (size_t g = 0; g < groups_.size(); g++) {
		const Group &grp = *groups_[g];
		o << "group " << grp.spec.key() << " (prefers "
		  << grp.spec.preferred_node << "): ";
		if (grp.state != GroupState::kStopped)
			o << group_state_name(grp.state) << " here";
		else if (peer_.holds.count(g))
			o << "held by " << peer_name();
		else
			o << "not held";
		o << "\n";
		const GroupHealth &h = grp.health;
		if (h.banned())
			o << "  banned here"
			  << (*h.banned_until == Clock::time_point::max()
				      ? " until cleanup"
				      : " for " +
						std::to_string(std::chrono::duration_cast<
								       std::chrono::seconds>(
								       *h.banned_until - now)
								       .count()) +
						" s")
			  << ": " << h.ban_reason << "\n";
		for (size_t r = 0; r < h.resources.size(); r++)
			if (h.resources[r].fail_count)
				o << "  " << grp.spec.resources[r].text
				  << ": fail count " << h.resources[r].fail_count
				  << " (" << h.resources[r].last_reason << ")\n";
		for (const auto &e : grp.probe_errors)
			o << "  startup probe ERROR: " << e << "\n";
		for (const auto &w : grp.probe_warnings)
			o << "  startup probe warning: " << w << "\n";
		if (opt_.startup_probe && !grp.probed)
			o << "  startup probe: pending\n";
	}
	if (uplink_)
		o << uplink_->status_text();
	if (ping_)
		o << ping_->status_text();
	if (peer_view_valid_ && peer_.haresources_checksum != resources_.checksum)
		o << "haresources DIFFER: ours " << resources_.checksum << ", "
		  << peer_name() << "'s " << peer_.haresources_checksum << "\n";
	o << "dropped packets:";
	uint64_t total = 0;
	for (size_t d = 0; d < drops_.size(); d++) {
		total += drops_[d];
		if (drops_[d])
			o << " " << drop_name(static_cast<Drop>(d)) << "="
			  << drops_[d];
	}
	o << (total ? "" : " none") << "\n";
	return o.str();
}

} // namespace rdbd::hb
