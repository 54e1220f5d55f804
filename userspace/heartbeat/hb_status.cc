// `rdbd-heartbeat status [--json]`: the human table may change; the JSON
// keys are the stable interface the tests and scripts read.
#include <sstream>

#include "hb_daemon.h"
#include "hb_text.h"
#include "json.h"

namespace rdbd::hb {

namespace {

std::string jbool(bool b) { return b ? "true" : "false"; }

std::string jarray(const std::vector<std::string> &items)
{
	std::string s = "[";
	for (size_t i = 0; i < items.size(); i++)
		s += (i ? ", " : "") + items[i];
	return s + "]";
}

std::string jstrings(const std::set<std::string> &items)
{
	std::vector<std::string> quoted;
	for (const auto &i : items)
		quoted.push_back(json_quote(i));
	return jarray(quoted);
}

} // namespace

std::string Daemon::status_json() const
{
	const auto now = Clock::now();
	std::set<std::string> mine, peers;
	std::vector<std::string> groups, links, drops;
	for (size_t g = 0; g < groups_.size(); g++) {
		const Group &grp = *groups_[g];
		const bool held_here = grp.state != GroupState::kStopped;
		if (held_here)
			mine.insert(grp.spec.key());
		if (peer_.holds.count(g))
			peers.insert(grp.spec.key());
		groups.push_back(
			"{\"group\": " + json_quote(grp.spec.key()) +
			", \"preferred\": " + json_quote(grp.spec.preferred_node) +
			", \"local\": " + json_quote(group_state_name(grp.state)) +
			", \"held_by\": " +
			(held_here ? json_quote(opt_.self)
				   : peer_.holds.count(g) ? json_quote(peer_name())
							  : "null") +
			",\n   \"probe\": " + probe_json(grp) + "}");
	}
	const auto &health = membership_.links();
	for (size_t l = 0; l < links_.size(); l++) {
		const auto &h = health[l];
		const std::string age =
			h.last_heard ? std::to_string(std::chrono::duration_cast<
							      Millis>(now - *h.last_heard)
							      .count())
				     : "null";
		links.push_back("{\"name\": " + json_quote(links_[l].name) +
				", \"up\": " + jbool(h.up) +
				", \"last_seen_ms\": " + age + "}");
	}
	uint64_t total = 0;
	for (size_t d = 0; d < drops_.size(); d++) {
		drops.push_back(json_quote(drop_name(static_cast<Drop>(d))) +
				": " + std::to_string(drops_[d]));
		total += drops_[d];
	}
	drops.push_back("\"total\": " + std::to_string(total));
	std::string self_state = leaving_ ? "leaving" : failed_ ? "failed"
					: standby_ ? "standby" : "active";
	std::ostringstream o;
	o << "{\"node\": " << json_quote(opt_.self)
	  << ", \"generation\": " << generation_
	  << ",\n \"auto_failback\": " << jbool(config_.auto_failback)
	  << ", \"keepalive_ms\": " << config_.keepalive.count()
	  << ", \"deadtime_ms\": " << config_.deadtime.count()
	  << ",\n \"haresources_checksum\": " << json_quote(resources_.checksum)
	  << ", \"haresources_match\": "
	  << (peer_view_valid_
		      ? jbool(peer_.haresources_checksum == resources_.checksum)
		      : "null")
	  << ",\n \"nodes\": [\n  {\"name\": " << json_quote(opt_.self)
	  << ", \"self\": true, \"state\": " << json_quote(self_state)
	  << ", \"standby\": " << jbool(standby_)
	  << ", \"failed\": " << jbool(failed_)
	  << ", \"resources\": " << jstrings(mine) << "},\n  {\"name\": "
	  << json_quote(peer_name()) << ", \"self\": false, \"state\": "
	  << json_quote(peer_state_name(membership_.state()))
	  << ", \"generation\": " << replay_.generation()
	  << ", \"standby\": " << jbool(peer_.standby)
	  << ", \"failed\": " << jbool(peer_.failed)
	  << ", \"resources\": " << jstrings(peers)
	  << ",\n   \"links\": " << jarray(links) << "}],\n \"groups\": "
	  << jarray(groups) << ",\n \"drops\": {" << join(drops, ", ")
	  << "}}\n";
	return o.str();
}

std::string Daemon::status_text() const
{
	const auto now = Clock::now();
	std::ostringstream o;
	o << "node " << opt_.self << " (this node): "
	  << (leaving_ ? "leaving" : failed_ ? "failed (standby)"
			: standby_ ? "standby" : "active")
	  << ", generation " << generation_ << "\n";
	o << "node " << peer_name() << ": "
	  << peer_state_name(membership_.state())
	  << (peer_.standby ? ", standby" : "")
	  << (peer_.failed ? ", failed" : "") << "\n";
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
		for (const auto &e : grp.probe_errors)
			o << "  startup probe ERROR: " << e << "\n";
		for (const auto &w : grp.probe_warnings)
			o << "  startup probe warning: " << w << "\n";
		if (opt_.startup_probe && !grp.probed)
			o << "  startup probe: pending\n";
	}
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
