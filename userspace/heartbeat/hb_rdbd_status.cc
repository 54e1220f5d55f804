#include "hb_rdbd_status.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <string_view>

namespace rdbd::hb {

namespace {

// DRBD's connection states below WFReportParams: no peer on the line.
bool has_peer(const std::string &cstate)
{
	static constexpr std::array<std::string_view, 9> kNoPeer = {
		"StandAlone",	  "Disconnecting",  "Unconnected",
		"Timeout",	  "BrokenPipe",	    "NetworkFailure",
		"ProtocolError", "TearDown",	    "WFConnection"};
	return !cstate.empty() &&
	       std::find(kNoPeer.begin(), kNoPeer.end(), cstate) ==
		       kNoPeer.end();
}

std::string text_or_empty(const nlohmann::json &o, const char *key)
{
	const auto it = o.find(key);
	return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

} // namespace

std::optional<RdbdView> parse_rdbd_status(const std::string &json)
{
	const nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
	if (doc.is_discarded() || !doc.is_array() || doc.size() != 1 ||
	    !doc[0].is_object())
		return std::nullopt;
	const nlohmann::json &o = doc[0];
	RdbdView v;
	v.role = text_or_empty(o, "role");
	v.up = !v.role.empty(); // null for a resource that is not up
	v.disk_state = text_or_empty(o, "disk_state");
	v.connection_state = text_or_empty(o, "connection_state");
	v.peer_role = text_or_empty(o, "peer_role");
	v.connected = has_peer(v.connection_state);
	return v;
}

} // namespace rdbd::hb
