// The uplink monitor: which internet connection carries the service.
//
// Each uplink (ha.cf `uplink`, hb_uplink_config.h) is probed every
// interval with ICMP echo requests to its probe targets, sent from a raw
// socket bound to the uplink's interface (SO_BINDTODEVICE).  So that a
// standby uplink can be probed while the default route points elsewhere,
// every uplink gets its own default route at metric 1000 + its index: a
// socket bound to a device only uses routes through that device.
//
// A round is answered if any target answered within the interval.
// Health has hysteresis (mwan3's down/up counts): `down` unanswered
// rounds in a row make an uplink unhealthy, `up` answered rounds in a row
// make it healthy again.  The decision (choose_uplink):
//   - the active uplink unhealthy: move at once to the most preferred
//     healthy one (none healthy: stay);
//   - a more preferred uplink healthy again: move back to it, but only
//     once `holddown` has passed since the last switch.
// So an uplink that answers in bursts shorter than `up` rounds never
// becomes healthy and moves nothing.
//
// Both nodes probe and choose, and on both the default route of metric 0
// goes through the chosen uplink's gateway, so the standby node's own
// traffic (its ping nodes, say) does not follow a dead router.  Only the
// node serving the uplink group also holds the chosen uplink's service
// address and, on each switch, runs the DNS update (hb_dns.h) and the
// hook.
#pragma once

#include <nlohmann/json.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fd.h"
#include "hb_dns.h"
#include "hb_loop.h"
#include "hb_process.h"
#include "hb_uplink_config.h"

namespace rdbd::hb {

// One uplink's probe history.
struct UplinkHealth {
	static constexpr size_t kWindow = 20; // rounds the loss is over
	bool healthy = true; // until `down` rounds fail
	unsigned failed_in_row = 0;
	unsigned answered_in_row = 0;
	std::deque<bool> recent; // newest last
	std::optional<std::chrono::microseconds> last_rtt;
	// Records a round; true if `healthy` flipped.
	bool record(bool answered, const UplinkTiming &t);
	unsigned loss_percent() const;
};

// The uplink that should carry the service now (see the comment above).
size_t choose_uplink(size_t active, const std::vector<bool> &healthy,
		     bool holddown_over);

class UplinkMonitor {
public:
	using Emit = std::function<void(const std::string &event,
					const std::string &subject,
					const std::string &detail)>;
	UplinkMonitor(EventLoop &loop, ProcessRunner &runner,
		      const UplinksConfig &config, std::string self, Emit emit);
	~UplinkMonitor();
	void start();
	// Called by the daemon whenever it may have changed: true while the
	// uplink group starts or is held here.
	void set_serving(bool serving);
	nlohmann::ordered_json status_json() const;
	std::string status_text() const;

private:
	struct Uplink;
	void round();
	void receive(size_t u);
	void send_probes(size_t u);
	void decide();
	void route_to(size_t u);
	void apply(size_t u, const std::string &reason);
	void release();
	void notify(size_t u, const std::string &previous,
		    const std::string &reason);
	void connlog(bool warn, const std::string &line);

	EventLoop &loop_;
	ProcessRunner &runner_;
	const UplinksConfig &config_;
	std::string self_;
	Emit emit_;
	std::vector<std::unique_ptr<Uplink>> uplinks_;
	size_t active_ = 0;
	std::optional<size_t> applied_; // whose address we hold
	bool serving_ = false;
	unsigned switches_ = 0;
	std::optional<Clock::time_point> last_switch_;
	std::unique_ptr<DnsUpdater> dns_;
};

} // namespace rdbd::hb
