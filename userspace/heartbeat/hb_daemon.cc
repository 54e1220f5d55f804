// The daemon's core: messages in and out, the membership's events, and
// the resource groups moved by decide() (hb_failover.h).
#include "hb_daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>

#include "error.h"
#include "hb_control.h"
#include "hb_text.h"

namespace rdbd::hb {

namespace {

constexpr auto kReadinessInterval = std::chrono::seconds(1);
// rdbd notices a dead peer by its own pings, often a little after
// deadtime: ask again soon (each ask is one rdbdadm run).
constexpr auto kSecondOpinionRetry = std::chrono::milliseconds(250);
constexpr auto kStopRetryPause = std::chrono::seconds(1);
constexpr int kGoodbyeCopies = 3; // UDP may lose one

std::string ids(const std::set<size_t> &set)
{
	std::vector<std::string> parts;
	for (size_t i : set)
		parts.push_back(std::to_string(i));
	return join(parts, ",");
}

std::set<size_t> parse_ids(const std::string &text)
{
	std::set<size_t> out;
	if (text.empty())
		return out;
	for (const auto &p : split(text, ','))
		if (auto v = parse_unsigned(p))
			out.insert(static_cast<size_t>(*v));
	return out;
}

long long ms_since(Clock::time_point t)
{
	return std::chrono::duration_cast<Millis>(Clock::now() - t).count();
}

// `rdbdadm status --json RES`: is the peer connected and Primary?  The
// keys are rdbdadm's stable JSON interface.
bool peer_is_connected_primary(const std::string &json)
{
	return json.find("\"connection_state\": \"Connected\"") !=
		       std::string::npos &&
	       json.find("\"peer_role\": \"Primary\"") != std::string::npos;
}

} // namespace

const char *group_state_name(GroupState s)
{
	switch (s) {
	case GroupState::kStopped:
		return "stopped";
	case GroupState::kStarting:
		return "starting";
	case GroupState::kHeld:
		return "held";
	case GroupState::kStopping:
		return "stopping";
	case GroupState::kStopFailed:
		return "stop-failed";
	}
	return "?";
}


Daemon::Daemon(DaemonOptions options, HaConfig config, AuthKeys keys,
	       Haresources resources)
	: opt_(std::move(options)), config_(std::move(config)),
	  keys_(std::move(keys)), resources_(std::move(resources)),
	  runner_(loop_), membership_(config_, Clock::now()),
	  peer_generation_(opt_.state_dir, peer_name()),
	  replay_(config_.links.size(), peer_generation_.stored())
{
	for (const auto &g : resources_.groups)
		groups_.push_back(std::make_unique<Group>(g));
	for (size_t g = 0; g < groups_.size(); g++)
		if (rdbd_resources(g).empty())
			groups_[g]->ready = true; // nothing to resync
	generation_ = next_generation(opt_.state_dir);
}

Daemon::~Daemon() = default;

std::string Daemon::peer_name() const
{
	return config_.nodes[0] == opt_.self ? config_.nodes[1]
					     : config_.nodes[0];
}

std::vector<std::string> Daemon::rdbd_resources(size_t g) const
{
	std::vector<std::string> out;
	for (const auto &r : resources_.groups[g].resources)
		if (r.name == "rdbddisk" && !r.args.empty())
			out.push_back(r.args[0]);
	return out;
}

void Daemon::open_links()
{
	for (const auto &l : config_.links) {
		links_.push_back(open_link(l, config_.udpport));
		const size_t index = links_.size() - 1;
		loop_.watch(links_.back().fd.get(), [this, index] { receive(index); });
	}
}

void Daemon::run()
{
	log_info("starting on " + opt_.self + " (generation " +
		 std::to_string(generation_) + "), peer " + peer_name() +
		 ", keepalive " + std::to_string(config_.keepalive.count()) +
		 " ms, deadtime " + std::to_string(config_.deadtime.count()) +
		 " ms, initdead " +
		 std::to_string(config_.effective_initdead().count()) + " ms");
	if (keys_.signer().method == AuthMethod::kCrc)
		log_error("authkeys signs with crc: anyone on the network can "
			  "forge heartbeats and take the resources away. Use "
			  "sha256.");
	membership_.begin(Clock::now());
	open_links();
	control_ = std::make_unique<ControlServer>(loop_, opt_.socket_path, *this);
	loop_.on_signal(SIGTERM, [this] { begin_shutdown(); });
	loop_.on_signal(SIGINT, [this] { begin_shutdown(); });
	loop_.on_signal(SIGPIPE, [] {});
	// logrotate and habit send SIGHUP.  Log lines are appended with the
	// file opened per line, so rotation needs nothing; there is no
	// reload either, and dying without a handover would be worse.
	loop_.on_signal(SIGHUP, [] {
		log_warn("SIGHUP: nothing to do (log files are reopened per "
			 "line; to read changed files, restart the daemon)");
	});
	send_status();
	schedule_keepalive();
	schedule_tick();
	start_probes();
	loop_.run();
	log_info("stopped");
}

void Daemon::schedule_keepalive()
{
	loop_.after(config_.keepalive, [this] {
		send_status();
		schedule_keepalive();
	});
}

void Daemon::schedule_tick()
{
	// Detection granularity: a tenth of deadtime, at most 100 ms.
	const Millis period = std::min(Millis(100), config_.deadtime / 10);
	loop_.after(period, [this] {
		on_membership(membership_.tick(Clock::now()));
		evaluate();
		schedule_tick();
	});
}

void Daemon::send_status()
{
	Message m;
	m.type = "status";
	m.src = opt_.self;
	m.generation = generation_;
	m.seq = ++seq_;
	m.fields["st"] = leaving_ ? "leaving" : "up";
	m.fields["hold"] = ids(groups_in({GroupState::kStarting, GroupState::kHeld,
					  GroupState::kStopping,
					  GroupState::kStopFailed}));
	std::set<size_t> ready;
	for (size_t g = 0; g < groups_.size(); g++)
		if (groups_[g]->ready.value_or(false) && !standby_ && !failed_ && !leaving_)
			ready.insert(g);
	m.fields["ready"] = ids(ready);
	m.fields["standby"] = standby_ ? "1" : "0";
	m.fields["failed"] = failed_ ? "1" : "0";
	m.fields["tk"] = std::to_string(takeover_requests_);
	m.fields["rsum"] = resources_.checksum;
	m.fields["dt"] = std::to_string(config_.deadtime.count());
	const std::string datagram = encode_message(m, keys_.signer());
	for (const auto &l : links_)
		if (!send_datagram(l, datagram))
			log_debug("send on " + l.name + ": " + strerror(errno));
}

void Daemon::receive(size_t link)
{
	char buf[65536];
	for (;;) {
		// MSG_TRUNC: the real length, so oversized ones are seen.
		const ssize_t n = recv(links_[link].fd.get(), buf, sizeof(buf),
				       MSG_TRUNC);
		if (n < 0)
			return;
		if (static_cast<size_t>(n) > sizeof(buf)) {
			count_drop(Drop::kOversized, link,
				   std::to_string(n) + " bytes");
			continue;
		}
		handle_datagram(link, std::string_view(buf, static_cast<size_t>(n)));
	}
}

void Daemon::count_drop(Drop reason, size_t link, const std::string &detail)
{
	drops_[static_cast<size_t>(reason)]++;
	unsigned held = 0;
	if (!drop_log_.allow(drop_name(reason), Clock::now(), held))
		return;
	log_warn(std::string("dropped a ") + drop_name(reason) +
		 " message on link " + links_[link].name +
		 (detail.empty() ? "" : " (" + detail + ")") +
		 (held ? "; " + std::to_string(held) +
				 " more of this kind since the last report"
		       : ""));
}

void Daemon::handle_datagram(size_t link, std::string_view data)
{
	const Decoded d = decode_message(data, keys_);
	if (!d.message) {
		count_drop(d.drop, link, std::to_string(data.size()) + " bytes");
		return;
	}
	const Message &m = *d.message;
	if (m.src == opt_.self)
		return; // our own broadcast, looped back
	if (m.src != peer_name()) {
		count_drop(Drop::kUnknownNode, link, "from '" + m.src + "'");
		return;
	}
	using V = ReplayGuard::Verdict;
	switch (replay_.check(m.generation, m.seq, link)) {
	case V::kOldGeneration:
		count_drop(Drop::kOldGeneration, link,
			   "generation " + std::to_string(m.generation) +
				   ", " + peer_name() + " is at " +
				   std::to_string(std::max(replay_.generation(),
							   peer_generation_.stored())));
		return;
	case V::kReplay:
		count_drop(Drop::kReplay, link, "seq " + std::to_string(m.seq));
		return;
	case V::kRestarted:
		log_info(peer_name() + " restarted (generation " +
			 std::to_string(m.generation) + ")");
		peer_view_valid_ = false;
		remember_peer_generation();
		handle_message(m, link, true);
		return;
	case V::kNew:
		remember_peer_generation();
		handle_message(m, link, true);
		return;
	case V::kDuplicate:
		handle_message(m, link, false);
		return;
	}
}

// Once per boot of the peer (record() writes only a higher generation):
// the replay floor for our next start.  Before the message is acted on, so
// a crash right after it cannot leave the floor behind what we accepted.
void Daemon::remember_peer_generation()
{
	try {
		peer_generation_.record(replay_.generation());
	} catch (const Error &e) {
		// Failover matters more than the floor: go on, and say that
		// replay protection now ends at our next restart.
		log_error(std::string(e.what()) + "; messages recorded before " +
			  "this boot of " + peer_name() + " would be accepted " +
			  "after a restart of rdbd-heartbeat");
	}
}

void Daemon::handle_message(const Message &m, size_t link, bool fresh)
{
	const bool was_dead = membership_.state() == PeerState::kDead;
	if (m.field("st") == "leaving" && fresh && m.field("hold").empty()) {
		update_peer(m);
		if (!was_dead)
			on_membership(membership_.left());
		return;
	}
	if (was_dead && m.field("st") == "leaving")
		return; // late copies of its goodbye
	if (was_dead && fresh && peer_view_valid_)
		log_warn("cluster node " + peer_name() +
			 " returns after a partition (same generation): "
			 "deadtime may be too short");
	on_membership(membership_.heard(link, Clock::now()));
	if (fresh)
		update_peer(m);
}

void Daemon::update_peer(const Message &m)
{
	PeerView v;
	v.holds = parse_ids(m.field("hold"));
	v.ready = parse_ids(m.field("ready"));
	v.standby = m.field("standby") == "1";
	v.failed = m.field("failed") == "1";
	v.leaving = m.field("st") == "leaving";
	v.takeover = parse_unsigned(m.field("tk")).value_or(0);
	v.haresources_checksum = m.field("rsum");
	if (peer_view_valid_) {
		if (v.takeover > peer_.takeover) {
			log_info(peer_name() + " asks to take over: going to "
					       "standby");
			standby_ = true;
		}
		if (v.standby && !peer_.standby && standby_) {
			log_info(peer_name() + " went to standby: leaving ours");
			standby_ = false;
		}
	}
	if (v.haresources_checksum != resources_.checksum) {
		unsigned held = 0;
		if (drop_log_.allow("rsum", Clock::now(), held))
			log_error("haresources differ: ours " +
				  resources_.checksum + ", " + peer_name() +
				  "'s " + v.haresources_checksum +
				  ". No resource moves while both are up.");
	}
	peer_ = v;
	peer_view_valid_ = true;
	evaluate();
}

void Daemon::on_membership(const std::vector<MembershipEvent> &events)
{
	using K = MembershipEvent::Kind;
	for (const auto &e : events) {
		switch (e.kind) {
		case K::kPeerUp:
			log_info("node " + peer_name() + " is up");
			break;
		case K::kPeerDead:
			log_warn("node " + peer_name() + " is dead" +
				 (e.silence.count()
					  ? " (silent for " +
						    std::to_string(e.silence.count()) +
						    " ms on every link)"
					  : " (it stopped)"));
			// Nothing it held is its any more: no fencing device,
			// rdbd refuses a second Primary while connected.
			peer_.holds.clear();
			peer_.ready.clear();
			break;
		case K::kLinkUp:
			log_info("link " + links_[e.link].name + " to " +
				 peer_name() + " is up");
			break;
		case K::kLinkDown:
			log_warn("link " + links_[e.link].name + " to " +
				 peer_name() + " is down");
			break;
		case K::kLate:
			log_warn("late heartbeat: node " + peer_name() +
				 ": interval " + std::to_string(e.silence.count()) +
				 " ms");
			break;
		}
	}
	if (!events.empty())
		evaluate();
}

std::set<size_t>
Daemon::groups_in(std::initializer_list<GroupState> states) const
{
	std::set<size_t> out;
	for (size_t g = 0; g < groups_.size(); g++)
		for (GroupState s : states)
			if (groups_[g]->state == s)
				out.insert(g);
	return out;
}

GroupFacts Daemon::facts(size_t g) const
{
	const Group &group = *groups_[g];
	GroupFacts f;
	f.i_hold = group.state != GroupState::kStopped;
	f.busy = group.busy || group.state == GroupState::kStopFailed;
	f.i_preferred = group.spec.preferred_node == opt_.self;
	f.leaving = leaving_;
	f.my_standby = standby_;
	f.my_failed = failed_;
	switch (membership_.state()) {
	case PeerState::kInit:
		f.peer = Peer::kStarting;
		break;
	case PeerState::kUp:
		f.peer = peer_view_valid_ ? Peer::kUp : Peer::kStarting;
		break;
	case PeerState::kDead:
		f.peer = Peer::kDead;
		break;
	}
	f.peer_holds = peer_.holds.count(g) > 0;
	f.peer_standby = peer_.standby;
	f.peer_failed = peer_.failed;
	f.peer_leaving = peer_.leaving;
	f.peer_ready = peer_.ready.count(g) > 0;
	f.same_haresources = peer_.haresources_checksum == resources_.checksum;
	f.auto_failback = config_.auto_failback;
	return f;
}

void Daemon::evaluate()
{
	for (size_t g = 0; g < groups_.size(); g++) {
		const Decision d = decide(facts(g));
		if (d == Decision::kStart &&
		    Clock::now() >= groups_[g]->not_before)
			second_opinion_then_start(g);
		else if (d == Decision::kStop)
			start_group_action(g, Action::kStop);
	}
	refresh_readiness();
	finish_shutdown_if_done();
}

void Daemon::second_opinion_then_start(size_t g)
{
	Group &group = *groups_[g];
	const auto disks = rdbd_resources(g);
	if (disks.empty()) {
		start_group_action(g, Action::kStart);
		return;
	}
	group.busy = true;
	group.state = GroupState::kStarting; // announce the claim at once
	send_status();
	check_disks_then_start(g, disks);
}

// Before promoting, ask rdbd itself: a peer that is connected and Primary
// is alive, whatever the heartbeat links say.
void Daemon::check_disks_then_start(size_t g, std::vector<std::string> disks)
{
	if (disks.empty()) {
		groups_[g]->busy = false;
		groups_[g]->state = GroupState::kStopped;
		start_group_action(g, Action::kStart);
		return;
	}
	const std::string res = disks.back();
	disks.pop_back();
	Command c{{opt_.rdbdadm, "status", "--json", res}, {}};
	runner_.run(c, [this, g, res, disks](const ProcessResult &r) {
		unsigned held = 0;
		if (r.exit_code != 0 &&
		    drop_log_.allow("rdbdadm-status", Clock::now(), held))
			log_warn("cannot ask rdbd about " + res + " (rdbdadm exit " +
				 std::to_string(r.exit_code) + "): " + r.output +
				 "; rdbddisk will judge");
		if (!peer_is_connected_primary(r.output)) {
			check_disks_then_start(g, disks);
			return;
		}
		Group &grp = *groups_[g];
		if (drop_log_.allow("second-opinion", Clock::now(), held))
			log_warn("not taking " + grp.spec.key() + ": rdbd says " +
				 res + "'s peer is connected and Primary");
		grp.busy = false;
		grp.state = GroupState::kStopped;
		grp.not_before = Clock::now() + kSecondOpinionRetry;
		send_status();
	});
}

void Daemon::start_group_action(size_t g, Action goal)
{
	Group &group = *groups_[g];
	group.sequencer.emplace(group.spec.resources.size(), goal,
				opt_.stop_retries);
	group.state = goal == Action::kStart ? GroupState::kStarting
					     : GroupState::kStopping;
	group.action_started = Clock::now();
	log_info(std::string(goal == Action::kStart ? "taking " : "releasing ") +
		 group.spec.key() + " (" + std::to_string(group.spec.resources.size()) +
		 " resources)");
	send_status(); // the peer learns of the claim or release at once
	run_group_step(g);
}

void Daemon::run_group_step(size_t g)
{
	Group &group = *groups_[g];
	const auto step = group.sequencer->current();
	if (!step) {
		group_finished(g);
		return;
	}
	group.busy = true;
	const ResourceSpec &spec = group.spec.resources[step->resource];
	std::string why_not;
	const auto command =
		resource_command(spec, step->action, opt_.scripts, why_not);
	if (!command) {
		// A resource without a script cannot be running: stopping it
		// (the rollback of its own failed start) succeeds, instead of
		// escalating to a stop failure and a reboot.
		const bool stop = step->action == Action::kStop;
		if (stop)
			log_warn(why_not + ": nothing to stop");
		else
			log_error(why_not);
		step_done(g, stop);
		return;
	}
	auto launch = [this, g, command = *command] {
		log_info("running " + command.display());
		runner_.run(command, [this, g, command](const ProcessResult &r) {
			for (const auto &line : split(r.output, '\n'))
				if (!line.empty())
					log_info("  " + line);
			if (r.exit_code != 0)
				log_error(command.display() + " failed (exit " +
					  std::to_string(r.exit_code) + ")");
			step_done(g, r.exit_code == 0);
		});
	};
	if (step->attempt > 0)
		loop_.after(kStopRetryPause, launch);
	else
		launch();
}

void Daemon::step_done(size_t g, bool success)
{
	groups_[g]->sequencer->report(success);
	run_group_step(g);
}

void Daemon::group_finished(size_t g)
{
	using O = GroupSequencer::Outcome;
	Group &group = *groups_[g];
	const auto took = std::to_string(ms_since(group.action_started));
	group.busy = false;
	switch (group.sequencer->outcome()) {
	case O::kStarted:
		group.state = GroupState::kHeld;
		log_info(group.spec.key() + " is running here (took " + took +
			 " ms)");
		break;
	case O::kStopped:
		group.state = GroupState::kStopped;
		log_info(group.spec.key() + " is released (took " + took + " ms)");
		break;
	case O::kStartFailed:
		group.state = GroupState::kStopped;
		failed_ = true;
		log_error("giving up " + group.spec.key() +
			  ": a resource failed to start; the group was stopped "
			  "and this node stays in standby until `rdbd-heartbeat "
			  "takeover`");
		break;
	case O::kStopFailed:
		stop_failed_escalate(g);
		break;
	case O::kRunning:
		break;
	}
	group.sequencer.reset();
	send_status();
	evaluate();
}

// A resource that will not stop may still hold the disk Primary or the
// address: the peer must not take over while it does.  Rebooting (as
// Heartbeat does) frees everything and lets the peer see this node die;
// `hold` keeps the claim so nothing moves until an operator steps in.
void Daemon::stop_failed_escalate(size_t g)
{
	Group &group = *groups_[g];
	group.state = GroupState::kStopFailed;
	failed_ = true;
	if (opt_.stop_failure == StopFailure::kHold) {
		log_error("resource stop failure in " + group.spec.key() +
			  ": keeping the group claimed; fix it by hand, then "
			  "restart rdbd-heartbeat");
		return;
	}
	log_error("resource stop failure in " + group.spec.key() +
		  ": rebooting now so that " + peer_name() + " can take over");
	sync();
	std::ofstream("/proc/sysrq-trigger") << 'b';
}

// For auto_failback: the preferred node announces a group `ready` once
// its rdbd disks for it are UpToDate (resynced); the holder releases it
// only then.
void Daemon::refresh_readiness()
{
	if (!config_.auto_failback)
		return;
	for (size_t g = 0; g < groups_.size(); g++) {
		Group &group = *groups_[g];
		const auto disks = rdbd_resources(g);
		const bool wanted = group.spec.preferred_node == opt_.self &&
				    group.state == GroupState::kStopped &&
				    peer_.holds.count(g) && !disks.empty();
		if (!wanted || group.checking ||
		    Clock::now() < group.not_before)
			continue;
		group.checking = true;
		// dstate takes one resource or all: with several in one
		// group, every resource must be UpToDate.
		Command c{{opt_.rdbdadm, "dstate",
			   disks.size() == 1 ? disks[0] : "all"},
			  {}};
		runner_.run(c, [this, g](const ProcessResult &r) {
			Group &grp = *groups_[g];
			grp.checking = false;
			grp.not_before = Clock::now() + kReadinessInterval;
			unsigned held = 0;
			if (r.exit_code != 0 &&
			    drop_log_.allow("rdbdadm-dstate", Clock::now(), held))
				log_warn("rdbdadm dstate failed (exit " +
					 std::to_string(r.exit_code) + "): " + r.output);
			bool ready = r.exit_code == 0 && !r.output.empty();
			for (const auto &line : split(r.output, '\n'))
				if (!line.empty() && line.rfind("UpToDate/", 0) != 0)
					ready = false;
			if (ready != grp.ready)
				log_info(grp.spec.key() + std::string(": our rdbd "
					 "disks are ") + (ready ? "UpToDate: "
					 "ready to fail back" : "not UpToDate"));
			grp.ready = ready;
		});
	}
}

void Daemon::begin_shutdown()
{
	if (leaving_)
		return;
	leaving_ = true;
	log_info("stopping: handing resources over to " + peer_name());
	evaluate();
}

void Daemon::finish_shutdown_if_done()
{
	if (!leaving_ || !groups_in({GroupState::kStarting, GroupState::kHeld,
				     GroupState::kStopping})
				   .empty())
		return;
	for (const auto &g : groups_)
		if (g->busy)
			return;
	for (int i = 0; i < kGoodbyeCopies; i++)
		send_status();
	loop_.stop();
}

std::string Daemon::request_standby()
{
	if (standby_)
		return "already in standby\n";
	standby_ = true;
	log_info("standby requested: handing resources over to " + peer_name());
	send_status();
	evaluate();
	if (membership_.state() != PeerState::kUp)
		return "standby; " + peer_name() +
		       " is not up, so resources stay here\n";
	return "standby: resources move to " + peer_name() + "\n";
}

std::string Daemon::request_takeover()
{
	standby_ = false;
	failed_ = false;
	takeover_requests_++;
	log_info("takeover requested: asking " + peer_name() +
		 " to hand its resources over");
	send_status();
	evaluate();
	return "takeover: asked " + peer_name() + " to hand over its resources\n";
}

} // namespace rdbd::hb
