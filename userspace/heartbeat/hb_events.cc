#include "hb_events.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <vector>

namespace rdbd::hb {

std::string utc_now_text()
{
	const auto now = std::chrono::system_clock::now();
	const std::time_t secs = std::chrono::system_clock::to_time_t(now);
	const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
				now.time_since_epoch())
				.count() %
			1000;
	std::tm tm{};
	gmtime_r(&secs, &tm);
	char buf[40];
	const size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%03dZ", static_cast<int>(ms));
	return buf;
}

uint64_t EventStream::subscribe(bool json, Sink sink)
{
	// The first line says the stream is live: nothing is missed after it.
	if (!sink(format(json, "subscribed", node_, "")))
		return 0;
	subscribers_[++next_id_] = Subscriber{json, std::move(sink)};
	return next_id_;
}

void EventStream::unsubscribe(uint64_t id) { subscribers_.erase(id); }

std::string EventStream::format(bool json, const std::string &event,
				const std::string &subject,
				const std::string &detail) const
{
	const std::string time = utc_now_text();
	if (json)
		return nlohmann::json{{"time", time},
				      {"node", node_},
				      {"event", event},
				      {"subject", subject},
				      {"detail", detail}}
			       .dump() +
		       "\n";
	return time + " " + node_ + " " + event + " " + subject +
	       (detail.empty() ? "" : ": " + detail) + "\n";
}

void EventStream::emit(const std::string &event, const std::string &subject,
		       const std::string &detail)
{
	std::vector<uint64_t> gone;
	for (auto &[id, s] : subscribers_)
		if (!s.sink(format(s.json, event, subject, detail)))
			gone.push_back(id);
	for (uint64_t id : gone)
		subscribers_.erase(id);
}

} // namespace rdbd::hb
