#include "event_lines.h"

#include <rdbd/genl.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

#include "states.h"

namespace rdbd {

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

std::string replication(const DeviceStatus &s)
{
	return s.conn_state < RDBD_CONN_CONNECTED
		       ? "Off"
		       : conn_state_name(s.conn_state);
}

Pairs peer_ids(const DeviceStatus &s, const std::string &peer)
{
	Pairs ids = {{"name", s.resource}};
	if (!peer.empty())
		ids.emplace_back("peer", peer);
	return ids;
}

Pairs peer_device_values(const DeviceStatus &s)
{
	Pairs values = {{"replication", replication(s)},
			{"peer-disk", disk_state_name(s.peer_disk_state)}};
	if (const auto percent = s.sync_percent())
		values.emplace_back("done", percent_text(*percent));
	return values;
}

// The values of `now` that `before` does not have with the same text.
Pairs changed(const Pairs &before, const Pairs &now)
{
	Pairs diff;
	for (const auto &value : now)
		if (std::find(before.begin(), before.end(), value) ==
		    before.end())
			diff.push_back(value);
	return diff;
}

std::string object_line(const char *verb, const EventObject &o,
			const Pairs &values)
{
	std::string line = std::string(verb) + " " + o.kind;
	for (const Pairs *pairs : {&o.ids, &values})
		for (const auto &[key, value] : *pairs)
			line += " " + key + ":" + value;
	return line;
}

std::string json_text(const DeviceStatus &s)
{
	return status_json(s.resource, s.minor, s).str();
}

} // namespace

std::vector<EventObject> event_objects(const DeviceStatus &s,
				       const std::string &peer)
{
	const uint8_t connection =
		std::min<uint8_t>(s.conn_state, RDBD_CONN_CONNECTED);
	Pairs conn_values = {{"connection", conn_state_name(connection)},
			     {"role", role_name(s.peer_role)}};
	if (s.split_brain)
		conn_values.emplace_back("split-brain", "yes");
	return {
		{"resource",
		 {{"name", s.resource}},
		 {{"role", role_name(s.role)}}},
		{"device",
		 {{"name", s.resource}, {"minor", std::to_string(s.minor)}},
		 {{"disk", disk_state_name(s.disk_state)}}},
		{"connection", peer_ids(s, peer), conn_values},
		{"peer-device", peer_ids(s, peer), peer_device_values(s)},
	};
}

bool EventPrinter::wanted(const std::string &resource) const
{
	return options_.resource.empty() || options_.resource == resource;
}

std::string EventPrinter::stamp(const std::string &line) const
{
	return options_.timestamp ? options_.timestamp() + " " + line : line;
}

std::string
EventPrinter::json_line(const char *verb, const std::string &resource,
			unsigned minor,
			const std::optional<DeviceStatus> &status) const
{
	JsonObject o;
	o.add_string("event", verb);
	if (options_.timestamp)
		o.add_string("timestamp", options_.timestamp());
	return o.add_members(status_json(resource, minor, status)).str();
}

// One JSON line, or a text line per object with something to say:
// everything without `before`, else only what changed.
void EventPrinter::print(std::vector<std::string> &out, const char *verb,
			 const DeviceStatus *before,
			 const DeviceStatus &now) const
{
	if (options_.json) {
		if (!before || json_text(*before) != json_text(now))
			out.push_back(
				json_line(verb, now.resource, now.minor, now));
		return;
	}
	const std::string peer =
		options_.peer_of ? options_.peer_of(now.resource) : "";
	const std::vector<EventObject> objects = event_objects(now, peer);
	const std::vector<EventObject> old =
		before ? event_objects(*before, peer)
		       : std::vector<EventObject>();
	for (size_t i = 0; i < objects.size(); ++i) {
		const Pairs values =
			before ? changed(old[i].values, objects[i].values)
			       : objects[i].values;
		if (!values.empty())
			out.push_back(
				stamp(object_line(verb, objects[i], values)));
	}
}

void EventPrinter::destroy(std::vector<std::string> &out,
			   const DeviceStatus &gone)
{
	if (options_.json) {
		out.push_back(json_line("destroy", gone.resource, gone.minor,
					std::nullopt));
	} else {
		out.push_back(stamp("destroy resource name:" + gone.resource));
	}
	last_.erase(gone.minor);
}

std::vector<std::string>
EventPrinter::exists(const std::vector<DeviceStatus> &all)
{
	std::vector<std::string> out;
	for (const DeviceStatus &s : all) {
		if (!wanted(s.resource))
			continue;
		print(out, "exists", nullptr, s);
		last_[s.minor] = s;
	}
	if (!options_.json)
		out.push_back(stamp("exists -"));
	return out;
}

void EventPrinter::apply_one(std::vector<std::string> &out,
			     const DeviceEvent &e)
{
	const auto known = last_.find(e.minor);
	if (!e.status) {
		if (known != last_.end())
			destroy(out, known->second);
		return;
	}
	if (!wanted(e.resource))
		return;
	// A new device on a known minor: the old one went unseen.
	if (known != last_.end() && known->second.resource != e.resource)
		destroy(out, known->second);
	const auto before = last_.find(e.minor);
	if (before == last_.end())
		print(out, "create", nullptr, *e.status);
	else
		print(out, "change", &before->second, *e.status);
	last_[e.minor] = *e.status;
}

std::vector<std::string> EventPrinter::apply(const EventBatch &batch)
{
	std::vector<std::string> out;
	std::set<unsigned> seen;
	for (const DeviceEvent &e : batch.events) {
		apply_one(out, e);
		seen.insert(e.minor);
	}
	if (!batch.snapshot)
		return out;
	std::vector<DeviceStatus> gone;
	for (const auto &[minor, s] : last_)
		if (!seen.count(minor))
			gone.push_back(s);
	for (const DeviceStatus &s : gone)
		destroy(out, s);
	return out;
}

std::string timestamp_text(std::chrono::system_clock::time_point t)
{
	using namespace std::chrono;
	const time_t seconds = system_clock::to_time_t(t);
	const auto micros =
		duration_cast<microseconds>(t.time_since_epoch()).count() %
		1000000;
	tm utc{};
	gmtime_r(&seconds, &utc);
	char text[64];
	const size_t n = std::strftime(text, sizeof(text), "%FT%T", &utc);
	std::snprintf(text + n, sizeof(text) - n, ".%06lld+00:00",
		      static_cast<long long>(micros));
	return text;
}

} // namespace rdbd
