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
#include "hb_failover.h"
#include "hb_haresources.h"
#include "hb_log.h"
#include "hb_loop.h"
#include "hb_membership.h"
#include "hb_messages.h"
#include "hb_net.h"
#include "hb_process.h"
#include "hb_resources.h"
#include "hb_state.h"

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
	uint64_t takeover = 0;
	std::string haresources_checksum;
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
		std::vector<std::string> probe_errors;
		std::vector<std::string> probe_warnings;
	};

	void open_links();
	void send_status();
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
	GroupFacts facts(size_t g) const;
	void start_group_action(size_t g, Action goal);
	void run_group_step(size_t g);
	void step_done(size_t g, bool success);
	void check_disks_then_start(size_t g, std::vector<std::string> disks);
	void group_finished(size_t g);
	void stop_failed_escalate(size_t g);
	void refresh_readiness();
	void second_opinion_then_start(size_t g);
	void start_probes();
	void probe(size_t g, size_t r);
	void probe_done(size_t g, size_t r, const ProbeVerdict &v);
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
	uint64_t takeover_requests_ = 0;
	bool peer_view_valid_ = false;
	PeerView peer_;
	std::vector<std::unique_ptr<Group>> groups_;
	std::unique_ptr<class ControlServer> control_;
};

} // namespace rdbd::hb
