// Heartbeat's ping nodes: addresses outside the cluster (routers, a
// well-known host) pinged every keepalive.  A ping node is up while one of
// its addresses answered within deadping (a ping_group: any member).
// The count of reachable ping nodes goes to the peer in every heartbeat;
// with ipfail on, the groups move to the node that reaches more
// (hb_failover.h), once the difference has held for deadping.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "fd.h"
#include "hb_config.h"
#include "hb_loop.h"

namespace rdbd::hb {

// Which node reaches more ping nodes, once the answer has held for
// `hold`: +1 this node, -1 the peer, 0 equal (or not settled, or the peer
// does not say).  Pure, so the rule is unit-tested.
class PingVerdict {
public:
	explicit PingVerdict(Millis hold) : hold_(hold) {}
	int update(unsigned mine, std::optional<unsigned> peers,
		   Clock::time_point now);
	int settled() const { return settled_; }

private:
	Millis hold_;
	int candidate_ = 0;
	Clock::time_point since_{};
	int settled_ = 0;
};

class PingMonitor {
public:
	// `changed` is called when a ping node goes up or down.
	PingMonitor(EventLoop &loop, const HaConfig &config,
		    std::function<void(const std::string &node, bool up)> changed);
	~PingMonitor();
	void start();
	unsigned reachable() const;
	nlohmann::ordered_json status_json() const;
	std::string status_text() const;

private:
	struct Node {
		const PingNodeConfig &config;
		std::optional<Clock::time_point> last_reply;
		bool up = false;
	};
	void round();
	void receive();

	EventLoop &loop_;
	const HaConfig &config_;
	std::function<void(const std::string &, bool)> changed_;
	UniqueFd socket_;
	std::string socket_error_;
	uint16_t ident_ = 0;
	uint16_t seq_ = 0;
	std::vector<Node> nodes_;
};

} // namespace rdbd::hb
