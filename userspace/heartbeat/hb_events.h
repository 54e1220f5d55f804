// The event stream: `rdbd-heartbeat events [--json]` keeps its control
// connection open and gets one line per state change of the daemon, for
// monitoring and scripts (Pacemaker's crm_mon --daemonize, keepalived's
// notify scripts):
//
//   text:  2026-11-26T10:00:01.123Z corman peer-dead rabius: silent ...
//   JSON:  {"time": "...", "node": "corman", "event": "peer-dead",
//           "subject": "rabius", "detail": "silent ..."}
//
// The first line is a `subscribed` event (from then on nothing is missed).
// Events: peer-up, peer-dead, link-up, link-down, taking, held,
// releasing, released, restarting, start-failed, stop-failed, failure,
// ban, unban, cleanup, maintenance, fence-request, fence-result,
// uplink-up, uplink-down, uplink-switch, dns-updated, dns-failed
// (hb_uplink.h), ping-up, ping-dead, ping-verdict (hb_ping.h).
// The JSON keys are stable; the text is for people.  A subscriber that
// does not keep up (its socket buffer full) is dropped, never waited for.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace rdbd::hb {

// UTC with milliseconds, ISO 8601 ("2026-11-26T10:00:01.123Z"): sortable,
// and the same on both nodes.  Events and the connections log use it.
std::string utc_now_text();

class EventStream {
public:
	// Returns false when the subscriber is gone or too slow.
	using Sink = std::function<bool(const std::string &line)>;

	explicit EventStream(std::string node) : node_(std::move(node)) {}
	uint64_t subscribe(bool json, Sink sink);
	void unsubscribe(uint64_t id);
	void emit(const std::string &event, const std::string &subject,
		  const std::string &detail);
	// One line in either form; for tests and the log.
	std::string format(bool json, const std::string &event,
			   const std::string &subject,
			   const std::string &detail) const;

private:
	struct Subscriber {
		bool json;
		Sink sink;
	};
	std::string node_;
	uint64_t next_id_ = 0;
	std::map<uint64_t, Subscriber> subscribers_;
};

} // namespace rdbd::hb
