#include "hb_ping.h"

#include <unistd.h>

#include "hb_icmp.h"
#include "hb_log.h"
#include "hb_text.h"

namespace rdbd::hb {

int PingVerdict::update(unsigned mine, std::optional<unsigned> peers,
			Clock::time_point now)
{
	const int c = !peers ? 0 : mine > *peers ? 1 : mine < *peers ? -1 : 0;
	if (c != candidate_) {
		candidate_ = c;
		since_ = now;
	}
	// Back to equal settles at once: it only stops a move.
	if (c == 0 || now - since_ >= hold_)
		settled_ = c;
	return settled_;
}

PingMonitor::PingMonitor(EventLoop &loop, const HaConfig &config,
			 std::function<void(const std::string &, bool)> changed)
	: loop_(loop), config_(config), changed_(std::move(changed))
{
	for (const auto &n : config_.ping_nodes)
		nodes_.push_back(Node{n, std::nullopt, false});
	ident_ = static_cast<uint16_t>(getpid() ^ 0x5a5a);
}

PingMonitor::~PingMonitor()
{
	if (socket_)
		loop_.unwatch(socket_.get());
}

void PingMonitor::start()
{
	socket_ = open_icmp_socket("", socket_error_);
	if (!socket_)
		log_error("ping nodes: " + socket_error_ +
			  "; every ping node counts as down");
	else
		loop_.watch(socket_.get(), [this] { receive(); });
	round();
}

unsigned PingMonitor::reachable() const
{
	unsigned n = 0;
	for (const auto &node : nodes_)
		n += node.up;
	return n;
}

void PingMonitor::round()
{
	const auto now = Clock::now();
	const Millis deadping = config_.effective_deadping();
	for (auto &node : nodes_) {
		const bool up = node.last_reply && now - *node.last_reply < deadping;
		if (up != node.up) {
			node.up = up;
			(up ? log_info : log_warn)("ping node " + node.config.name +
						   (up ? " is up" : " is dead"));
			changed_(node.config.name, up);
		}
	}
	seq_++;
	if (socket_)
		for (const auto &node : nodes_)
			for (const auto &ip : node.config.ips)
				send_echo(socket_.get(), ip, ident_, seq_);
	loop_.after(config_.keepalive, [this] { round(); });
}

void PingMonitor::receive()
{
	for (int k = 0; k < 64; k++) {
		const auto r = read_echo_reply(socket_.get());
		if (!r)
			return;
		if (r->ident != ident_)
			continue;
		for (auto &node : nodes_)
			for (const auto &ip : node.config.ips)
				if (ip == r->from)
					node.last_reply = Clock::now();
	}
}

nlohmann::ordered_json PingMonitor::status_json() const
{
	using Json = nlohmann::ordered_json;
	Json list = Json::array();
	const auto now = Clock::now();
	for (const auto &node : nodes_)
		list.push_back(Json{
			{"name", node.config.name},
			{"addresses", node.config.ips},
			{"up", node.up},
			{"last_reply_ms",
			 node.last_reply ? Json(std::chrono::duration_cast<Millis>(
							now - *node.last_reply).count())
					 : Json(nullptr)}});
	return list;
}

std::string PingMonitor::status_text() const
{
	std::string o;
	for (const auto &node : nodes_)
		o += "ping node " + node.config.name +
		     (node.config.ips.size() > 1
			      ? " (" + join(node.config.ips, ",") + ")"
			      : "") +
		     ": " + (node.up ? "up" : "dead") + "\n";
	if (!socket_error_.empty())
		o += "ping nodes: " + socket_error_ + "\n";
	return o;
}

} // namespace rdbd::hb
