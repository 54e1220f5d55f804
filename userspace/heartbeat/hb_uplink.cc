#include "hb_uplink.h"

#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "hb_events.h"
#include "hb_icmp.h"
#include "hb_log.h"
#include "hb_text.h"
#include "hb_uplink_net.h"

namespace rdbd::hb {

namespace {

constexpr unsigned kActiveMetric = 0;	 // the default route that counts
constexpr unsigned kProbeMetric = 1000; // + index: probing only
constexpr auto kHookTimeout = std::chrono::seconds(60);

} // namespace

bool UplinkHealth::record(bool answered, const UplinkTiming &t)
{
	recent.push_back(answered);
	if (recent.size() > kWindow)
		recent.pop_front();
	if (answered) {
		answered_in_row++;
		failed_in_row = 0;
	} else {
		failed_in_row++;
		answered_in_row = 0;
	}
	const bool was = healthy;
	if (healthy && failed_in_row >= t.down)
		healthy = false;
	else if (!healthy && answered_in_row >= t.up)
		healthy = true;
	return healthy != was;
}

unsigned UplinkHealth::loss_percent() const
{
	if (recent.empty())
		return 0;
	size_t lost = 0;
	for (bool a : recent)
		lost += !a;
	return static_cast<unsigned>(lost * 100 / recent.size());
}

size_t choose_uplink(size_t active, const std::vector<bool> &healthy,
		     bool holddown_over)
{
	size_t best = healthy.size();
	for (size_t i = 0; i < healthy.size() && best == healthy.size(); i++)
		if (healthy[i])
			best = i;
	if (best == healthy.size())
		return active; // nothing better to go to
	if (!healthy[active])
		return best;
	return best < active && holddown_over ? best : active;
}

struct UplinkMonitor::Uplink {
	explicit Uplink(const UplinkConfig &c) : config(c) {}
	const UplinkConfig &config;
	UniqueFd socket;
	uint16_t ident = 0;
	uint16_t seq = 0;
	Clock::time_point sent;
	bool answered = false; // in the current round
	bool probed = false;   // a round is open
	UplinkHealth health;
	std::string socket_error; // why it cannot probe, for status
};

UplinkMonitor::UplinkMonitor(EventLoop &loop, ProcessRunner &runner,
			     const UplinksConfig &config, std::string self,
			     Emit emit)
	: loop_(loop), runner_(runner), config_(config),
	  self_(std::move(self)), emit_(std::move(emit))
{
	for (const auto &u : config_.uplinks)
		uplinks_.push_back(std::make_unique<Uplink>(u));
	if (config_.dns)
		dns_ = std::make_unique<DnsUpdater>(
			loop_, *config_.dns,
			[this](bool error, const std::string &line) {
				connlog(error, line);
				emit_(error ? "dns-failed" : "dns-updated",
				      config_.dns->name, line);
			});
}

UplinkMonitor::~UplinkMonitor()
{
	for (auto &u : uplinks_)
		if (u->socket)
			loop_.unwatch(u->socket.get());
}

void UplinkMonitor::connlog(bool warn, const std::string &line)
{
	(warn ? log_warn : log_info)("uplink: " + line);
	if (config_.log.empty())
		return;
	std::ofstream(config_.log, std::ios::app)
		<< utc_now_text() << " " << self_ << " " << line << "\n";
}

void UplinkMonitor::start()
{
	uint16_t base = 0;
	RAND_bytes(reinterpret_cast<unsigned char *>(&base), sizeof(base));
	for (size_t i = 0; i < uplinks_.size(); i++) {
		Uplink &u = *uplinks_[i];
		u.ident = static_cast<uint16_t>(base + i);
		const std::string err = replace_default_route(
			u.config.dev, u.config.gateway,
			kProbeMetric + static_cast<unsigned>(i));
		if (!err.empty())
			connlog(true, u.config.name + ": probe route: " + err);
		std::string why;
		u.socket = open_icmp_socket(u.config.dev, why);
		if (!u.socket) {
			u.socket_error = why;
			connlog(true, u.config.name + ": " + why);
			continue;
		}
		loop_.watch(u.socket.get(), [this, i] { receive(i); });
	}
	connlog(false, "monitoring " + std::to_string(uplinks_.size()) +
			       " uplinks, " + uplinks_[0]->config.name +
			       " preferred");
	route_to(active_);
	round();
}

void UplinkMonitor::round()
{
	for (size_t i = 0; i < uplinks_.size(); i++) {
		Uplink &u = *uplinks_[i];
		if (u.probed && u.health.record(u.answered, config_.timing)) {
			const bool ok = u.health.healthy;
			connlog(!ok, u.config.name + " (" + u.config.dev + " via " +
					     u.config.gateway + ") is " +
					     (ok ? "healthy: " + std::to_string(config_.timing.up) +
							   " rounds answered"
						 : "DOWN: " + std::to_string(config_.timing.down) +
							   " rounds unanswered"));
			emit_(ok ? "uplink-up" : "uplink-down", u.config.name, "");
		}
		send_probes(i);
	}
	decide();
	loop_.after(config_.timing.interval, [this] { round(); });
}

void UplinkMonitor::send_probes(size_t i)
{
	Uplink &u = *uplinks_[i];
	u.seq++;
	u.answered = false;
	u.probed = true; // no socket: every round unanswered
	if (!u.socket)
		return;
	u.sent = Clock::now();
	for (const auto &target : u.config.probes)
		send_echo(u.socket.get(), target, u.ident, u.seq);
}

void UplinkMonitor::receive(size_t i)
{
	Uplink &u = *uplinks_[i];
	for (int k = 0; k < 64; k++) {
		const auto r = read_echo_reply(u.socket.get());
		if (!r)
			return;
		if (r->ident != u.ident || r->seq != u.seq || u.answered)
			continue; // another's, or late: a late answer is a loss
		u.answered = true;
		u.health.last_rtt = std::chrono::duration_cast<std::chrono::microseconds>(
			Clock::now() - u.sent);
	}
}

void UplinkMonitor::decide()
{
	std::vector<bool> healthy;
	for (const auto &u : uplinks_)
		healthy.push_back(u->health.healthy);
	const bool holddown_over =
		!last_switch_ ||
		Clock::now() - *last_switch_ >= config_.timing.holddown;
	const size_t next = choose_uplink(active_, healthy, holddown_over);
	if (next == active_)
		return;
	const std::string reason = next < active_ ? "failback" : "failover";
	const std::string previous = uplinks_[active_]->config.name;
	active_ = next;
	switches_++;
	last_switch_ = Clock::now();
	connlog(true, "switch " + previous + " -> " + uplinks_[next]->config.name +
			      " (" + reason + ")" +
			      (serving_ ? "" : "; not serving here: only the route moves"));
	emit_("uplink-switch", uplinks_[next]->config.name,
	      reason + " from " + previous);
	if (serving_)
		apply(next, reason);
	else
		route_to(next);
}

// This node's own traffic (its probes of ping nodes, updates, mail)
// follows the uplink it would use, serving or not.
void UplinkMonitor::route_to(size_t i)
{
	const UplinkConfig &c = uplinks_[i]->config;
	const std::string err = replace_default_route(c.dev, c.gateway,
						      kActiveMetric);
	connlog(!err.empty(), "default via " + c.gateway + " (" + c.name + ")" +
				      (err.empty() ? "" : ": " + err));
}

// Moves the service onto uplink `i`: address first (so the new path
// works), then the default route, then the old address goes.
void UplinkMonitor::apply(size_t i, const std::string &reason)
{
	const UplinkConfig &c = uplinks_[i]->config;
	const std::string previous =
		applied_ ? uplinks_[*applied_]->config.name : "";
	std::vector<std::string> errors;
	auto note = [&errors](const std::string &e) {
		if (!e.empty())
			errors.push_back(e);
	};
	note(add_address(c.dev, c.address, c.prefix));
	note(replace_default_route(c.dev, c.gateway, kActiveMetric));
	if (applied_ && *applied_ != i) {
		const UplinkConfig &old = uplinks_[*applied_]->config;
		if (old.address != c.address || old.dev != c.dev)
			note(delete_address(old.dev, old.address, old.prefix));
	}
	note(send_gratuitous_arp(c.dev, c.address));
	applied_ = i;
	connlog(!errors.empty(),
		"service on " + c.name + ": " + c.address + "/" +
			std::to_string(c.prefix) + " on " + c.dev +
			", default via " + c.gateway +
			(errors.empty() ? "" : "; ERRORS: " + join(errors, "; ")));
	// ARP is unacknowledged: a lost announcement leaves a router
	// sending to the old MAC until its cache entry expires.  Repeat it,
	// as Heartbeat's send_arp does.
	for (int k = 1; k <= 2; k++)
		loop_.after(std::chrono::milliseconds(500 * k), [this, i] {
			if (applied_ == i)
				send_gratuitous_arp(uplinks_[i]->config.dev,
						    uplinks_[i]->config.address);
		});
	notify(i, previous, reason);
}

void UplinkMonitor::notify(size_t i, const std::string &previous,
			   const std::string &reason)
{
	const UplinkConfig &c = uplinks_[i]->config;
	if (dns_)
		dns_->update(c.public_address);
	if (config_.hook.empty())
		return;
	Command cmd;
	cmd.argv = {config_.hook, reason};
	cmd.env = {"RDBD_UPLINK=" + c.name,
		   "RDBD_UPLINK_PREVIOUS=" + previous,
		   "RDBD_UPLINK_REASON=" + reason,
		   "RDBD_UPLINK_DEV=" + c.dev,
		   "RDBD_UPLINK_GATEWAY=" + c.gateway,
		   "RDBD_UPLINK_ADDRESS=" + c.address,
		   "RDBD_UPLINK_PUBLIC=" + c.public_address,
		   "RDBD_NODE=" + self_};
	connlog(false, "running " + cmd.display());
	runner_.run(
		cmd,
		[this, display = cmd.display()](const ProcessResult &r) {
			std::string out = r.output;
			while (!out.empty() && out.back() == '\n')
				out.pop_back();
			connlog(r.exit_code != 0,
				display + (r.timed_out ? " timed out"
					   : " exited with " + std::to_string(r.exit_code)) +
					(out.empty() ? "" : ": " + out));
		},
		kHookTimeout);
}

void UplinkMonitor::release()
{
	if (!applied_)
		return;
	const UplinkConfig &c = uplinks_[*applied_]->config;
	// The node that serves next publishes its own: a retry of ours
	// must not overwrite it later.
	if (dns_)
		dns_->cancel();
	const std::string err = delete_address(c.dev, c.address, c.prefix);
	connlog(!err.empty(), "service released: " + c.address + " off " +
				      c.dev + (err.empty() ? "" : ": " + err));
	applied_.reset();
}

void UplinkMonitor::set_serving(bool serving)
{
	if (serving == serving_)
		return;
	serving_ = serving;
	if (serving)
		apply(active_, "takeover");
	else
		release();
}

nlohmann::ordered_json UplinkMonitor::status_json() const
{
	using Json = nlohmann::ordered_json;
	Json list = Json::array();
	for (size_t i = 0; i < uplinks_.size(); i++) {
		const Uplink &u = *uplinks_[i];
		list.push_back(Json{
			{"name", u.config.name},
			{"dev", u.config.dev},
			{"gateway", u.config.gateway},
			{"active", i == active_},
			{"healthy", u.health.healthy},
			{"loss_percent", u.health.loss_percent()},
			{"last_rtt_ms",
			 u.health.last_rtt ? Json(u.health.last_rtt->count() / 1000.0)
					   : Json(nullptr)},
			{"error", u.socket_error}});
	}
	Json o{{"active", uplinks_[active_]->config.name},
	       {"serving", serving_},
	       {"switches", switches_},
	       {"last_switch_ms_ago",
		last_switch_ ? Json(std::chrono::duration_cast<std::chrono::milliseconds>(
					    Clock::now() - *last_switch_)
					    .count())
			     : Json(nullptr)},
	       {"uplinks", list}};
	if (dns_)
		o["dns"] = Json{{"name", dns_->config().name},
				{"state", dns_->state()},
				{"address", dns_->address()},
				{"attempts", dns_->attempts()},
				{"last_answer", dns_->last_answer()}};
	return o;
}

std::string UplinkMonitor::status_text() const
{
	std::string o;
	for (size_t i = 0; i < uplinks_.size(); i++) {
		const Uplink &u = *uplinks_[i];
		o += "uplink " + u.config.name + " (" + u.config.dev + " via " +
		     u.config.gateway + "): " +
		     (u.health.healthy ? "healthy" : "DOWN") +
		     (i == active_ ? (serving_ ? ", ACTIVE" : ", active if serving")
				   : "") +
		     ", loss " + std::to_string(u.health.loss_percent()) + "%";
		if (u.health.last_rtt)
			o += ", last rtt " +
			     std::to_string(u.health.last_rtt->count() / 1000) + "." +
			     std::to_string(u.health.last_rtt->count() % 1000 / 100) +
			     " ms";
		if (!u.socket_error.empty())
			o += ", " + u.socket_error;
		o += "\n";
	}
	if (dns_)
		o += "dns " + dns_->config().name + ": " + dns_->state() +
		     (dns_->address().empty() ? "" : " " + dns_->address()) +
		     (dns_->last_answer().empty() ? "" : " (" + dns_->last_answer() + ")") +
		     "\n";
	return o;
}

} // namespace rdbd::hb
