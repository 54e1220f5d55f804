// The daemon: links, membership, resource groups and the control socket,
// all driven by one EventLoop.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hb_auth.h"
#include "hb_config.h"
#include "hb_events.h"
#include "hb_failover.h"
#include "hb_fence.h"
#include "hb_haresources.h"
#include "hb_log.h"
#include "hb_loop.h"
#include "hb_membership.h"
#include "hb_messages.h"
#include "hb_monitor.h"
#include "hb_net.h"
#include "hb_ping.h"
#include "hb_process.h"
#include "hb_resources.h"
#include "hb_state.h"
#include "hb_uplink.h"

namespace rdbd::hb {

// What to do when a resource will not stop even after the retries.
enum class StopFailure {
	kReboot, // Heartbeat's answer: sysrq reboot, so the peer can take over
	kHold,	 // keep claiming the group, log loudly, wait for an operator
};

struct DaemonOptions {
	std::string self;		// this node's name
	std::string confdir = "/etc/ha.d";
	std::string state_dir = "/var/lib/rdbd-heartbeat";
	std::string socket_path = "/run/rdbd-heartbeat.sock";
	std::string socket_group = "haclient"; // may read status and events
	std::string rdbdadm = "rdbdadm";
	ScriptDirs scripts;
	StopFailure stop_failure = StopFailure::kReboot;
	unsigned stop_retries = 3;
	bool startup_probe = true; // `status` of every resource at startup
};

// Everything the peer last told us about itself.
struct PeerView {
	std::set<size_t> holds;
	std::set<size_t> ready;
	bool standby = false;
	bool failed = false;
	bool leaving = false;
	std::set<size_t> failed_groups; // banned there (hb_monitor.h)
	bool maintenance = false; // its last word, kept when it dies
	uint64_t takeover = 0;
	std::string haresources_checksum;
	std::optional<unsigned> ping_count; // ping nodes it reaches
};

enum class GroupState { kStopped, kStarting, kHeld, kStopping, kStopFailed };
const char *group_state_name(GroupState s);

class Daemon {
public:
	Daemon(DaemonOptions options, HaConfig config, AuthKeys keys,
	       Haresources resources);
	~Daemon();
	void run(); // returns after a graceful stop

	// Control requests (hb_control.cc); each returns the reply text.
	std::string status_text() const;
	std::string status_json() const;
	std::string request_standby();
	std::string request_takeover();
	std::string request_cleanup(const std::string &group); // "": all
	std::string request_maintenance(bool on); // hb_maintenance.cc
	// `events [--json]`: `sink` gets each line until it returns false.
	uint64_t subscribe_events(bool json, EventStream::Sink sink);
	void unsubscribe_events(uint64_t id);
	// fence-peer (hb_fence.h): `reply` gets "CODE\nreason\n", maybe later.
	void request_fence_peer(const std::string &resource,
				std::chrono::milliseconds timeout,
				std::function<void(const std::string &)> reply);

private:
	struct Group {
		explicit Group(const ResourceGroup &s) : spec(s) {}
		const ResourceGroup &spec;
		GroupState state = GroupState::kStopped;
		std::optional<GroupSequencer> sequencer;
		bool busy = false;	     // a script or a pause is pending
		// Our rdbd disks for it are UpToDate; unknown until checked.
		std::optional<bool> ready;
		bool checking = false;	     // a readiness query is running
		Clock::time_point not_before; // the second opinion said: wait
		Clock::time_point action_started;
		// The startup probe (hb_probe.cc): done once every resource
		// answered; what was wrong, one line per resource.
		bool probed = false;
		size_t probe_running = 0; // resources the probe found running
		std::vector<std::string> probe_errors;
		std::vector<std::string> probe_warnings;
		// Monitoring, fail counts, bans (hb_monitor.cc).
		GroupHealth health;
		unsigned monitor_epoch = 0; // a monitor answer of an old round
	};

	void open_links();
	void send_status();
	void send_message(Message m); // to the peer, on every link
	void schedule_keepalive();
	void schedule_tick();
	void receive(size_t link);
	void handle_datagram(size_t link, std::string_view data);
	void count_drop(Drop reason, size_t link, const std::string &detail);
	void remember_peer_generation();
	void handle_message(const Message &m, size_t link, bool fresh);
	void update_peer(const Message &m);
	void on_membership(const std::vector<MembershipEvent> &events);
	void evaluate();
	void update_ping_verdict();
	GroupFacts facts(size_t g) const;
	void start_group_action(size_t g, Action goal, size_t first = 0);
	void run_group_step(size_t g);
	void step_done(size_t g, bool success);
	void check_disks_then_start(size_t g, std::vector<std::string> disks);
	void group_finished(size_t g);
	void stop_failed_escalate(size_t g);
	void refresh_readiness();
	void second_opinion_then_start(size_t g);
	// hb_monitor.cc
	std::vector<ResourceOps> group_ops(size_t g) const;
	bool peer_can_take(size_t g) const;
	void schedule_monitor(size_t g);
	void monitor_step(size_t g, size_t r, unsigned epoch);
	void monitor_done(size_t g, size_t r, unsigned epoch,
			  const ProbeVerdict &v);
	unsigned count_failure(size_t g, size_t r, const std::string &why);
	void resource_failed(size_t g, size_t r, const std::string &why);
	void start_failed(size_t g);
	void ban_group(size_t g, const std::string &why);
	void check_failure_timeouts();
	std::string failures_json(const Group &group) const;
	bool read_maintenance_flag() const;
	bool in_maintenance() const;
	void start_probes();
	void probe(size_t g, size_t r);
	void probe_done(size_t g, size_t r, const ProbeVerdict &v);
	void adopt_if_running(size_t g);
	std::string probe_json(const Group &group) const;
	void begin_shutdown();
	void finish_shutdown_if_done();
	std::set<size_t> groups_in(std::initializer_list<GroupState> states) const;
	std::vector<std::string> rdbd_resources(size_t g) const;
	std::string peer_name() const;

	DaemonOptions opt_;
	HaConfig config_;
	AuthKeys keys_;
	Haresources resources_;

	EventLoop loop_;
	ProcessRunner runner_;
	std::vector<LinkSocket> links_;
	Membership membership_;
	// Before replay_: it is the source of replay_'s floor.
	PeerGenerationStore peer_generation_;
	ReplayGuard replay_;
	RateLimiter drop_log_{std::chrono::seconds(5)};
	std::array<uint64_t, static_cast<size_t>(Drop::kCount)> drops_{};

	uint64_t generation_ = 0;
	uint64_t seq_ = 0;
	bool standby_ = false;
	bool failed_ = false;
	bool leaving_ = false;
	bool maintenance_ = false; // hb_maintenance.cc
	uint64_t takeover_requests_ = 0;
	bool peer_view_valid_ = false;
	PeerView peer_;
	std::vector<std::unique_ptr<Group>> groups_;
	EventStream events_{opt_.self};
	std::unique_ptr<PeerFencer> fencer_;
	std::unique_ptr<class ControlServer> control_;
	// The uplink monitor (hb_uplink.h), if ha.cf has uplinks; it acts
	// while uplink_group_ starts or is held here.
	std::unique_ptr<UplinkMonitor> uplink_;
	size_t uplink_group_ = 0;
	// Ping nodes (hb_ping.h), if ha.cf lists any; the verdict is used
	// only with ipfail.
	std::unique_ptr<PingMonitor> ping_;
	PingVerdict ping_verdict_{config_.effective_deadping()};
};

} // namespace rdbd::hb
