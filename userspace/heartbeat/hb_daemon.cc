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

#include "error.h"
#include "hb_control.h"
#include "hb_systemd.h"
#include "hb_text.h"

namespace rdbd::hb {

namespace {

constexpr int kGoodbyeCopies = 3; // UDP may lose one
// Datagrams read from one link per wakeup.  The loop is level-triggered:
// what is left is read at the next turn, after the other links and the
// timers (keepalives, deadtime) had theirs, so a flood on one link cannot
// starve the rest.  A genuine peer sends one datagram per keepalive.
constexpr int kDatagramsPerWakeup = 16;

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
	for (const auto &g : resources_.groups) {
		groups_.push_back(std::make_unique<Group>(g));
		groups_.back()->health.resources.resize(g.resources.size());
	}
	for (size_t g = 0; g < groups_.size(); g++)
		if (rdbd_resources(g).empty())
			groups_[g]->ready = true; // nothing to resync
	for (size_t g = 0; g < groups_.size(); g++)
		if (groups_[g]->spec.key() == config_.uplinks.group)
			uplink_group_ = g;
	generation_ = next_generation(opt_.state_dir);
	maintenance_ = read_maintenance_flag();
	replay_.set_own_generation(generation_);
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
	fencer_ = std::make_unique<PeerFencer>(
		loop_, runner_,
		PeerFencer::Hooks{[this](Message m) { send_message(std::move(m)); },
				  [this] {
					  return membership_.state() ==
						 PeerState::kDead;
				  },
				  opt_.self, peer_name(), opt_.rdbdadm});
	if (!config_.ping_nodes.empty()) {
		ping_ = std::make_unique<PingMonitor>(
			loop_, config_, [this](const std::string &n, bool up) {
				events_.emit(up ? "ping-up" : "ping-dead", n, "");
				send_status(); // the peer compares at once
			});
		ping_->start();
	}
	if (config_.uplinks.enabled() && !groups_.empty()) {
		uplink_ = std::make_unique<UplinkMonitor>(
			loop_, runner_, config_.uplinks, opt_.self,
			[this](const std::string &e, const std::string &s,
			       const std::string &d) { events_.emit(e, s, d); });
		uplink_->start();
	}
	control_ = std::make_unique<ControlServer>(loop_, opt_.socket_path, *this,
						   opt_.socket_group);
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
	notify_ready();		  // hb_systemd.h
	start_watchdog(loop_);
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
		check_failure_timeouts(); // hb_monitor.cc
		update_ping_verdict();
		evaluate();
		if (uplink_) {
			const GroupState s = groups_[uplink_group_]->state;
			uplink_->set_serving(s == GroupState::kStarting ||
					     s == GroupState::kHeld);
		}
		schedule_tick();
	});
}

void Daemon::send_message(Message m)
{
	m.src = opt_.self;
	m.generation = generation_;
	m.seq = ++seq_;
	m.fields["yg"] = std::to_string(replay_.heard()); // hb_messages.h
	const std::string datagram = encode_message(m, keys_.signer());
	for (const auto &l : links_)
		if (!send_datagram(l, datagram))
			log_debug("send on " + l.name + ": " + strerror(errno));
}

void Daemon::send_status()
{
	Message m;
	m.type = "status";
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
	m.fields["mnt"] = maintenance_ ? "1" : "0";
	std::set<size_t> banned;
	for (size_t g = 0; g < groups_.size(); g++)
		if (groups_[g]->health.banned())
			banned.insert(g);
	m.fields["fgrp"] = ids(banned);
	m.fields["tk"] = std::to_string(takeover_requests_);
	m.fields["rsum"] = resources_.checksum;
	m.fields["dt"] = std::to_string(config_.deadtime.count());
	if (ping_)
		m.fields["png"] = std::to_string(ping_->reachable());
	send_message(std::move(m));
}

void Daemon::receive(size_t link)
{
	char buf[65536];
	for (int i = 0; i < kDatagramsPerWakeup; i++) {
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
	std::optional<uint64_t> echo;
	if (m.fields.count("yg"))
		echo = parse_unsigned(m.field("yg")).value_or(0);
	switch (replay_.check(m.generation, m.seq, link, echo)) {
	case V::kUnconfirmed:
		// Expected for about a keepalive after either side starts.
		drops_[static_cast<size_t>(Drop::kUnconfirmed)]++;
		log_debug("dropped a message of " + peer_name() +
			  " that does not echo our generation yet");
		return;
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
	if (fencer_->handle(m, fresh)) {
		on_membership(membership_.heard(link, Clock::now()));
		return;
	}
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
	v.failed_groups = parse_ids(m.field("fgrp"));
	v.maintenance = m.field("mnt") == "1";
	v.leaving = m.field("st") == "leaving";
	v.takeover = parse_unsigned(m.field("tk")).value_or(0);
	v.haresources_checksum = m.field("rsum");
	if (m.fields.count("png"))
		v.ping_count = parse_unsigned(m.field("png"));
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
			events_.emit("peer-up", peer_name(), "");
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
			events_.emit("peer-dead", peer_name(),
				     e.silence.count() ? "silent on every link"
						       : "it stopped");
			if (peer_.maintenance)
				log_warn(peer_name() + " was in maintenance: "
					 "nothing is taken over until it "
					 "returns or `maintenance off` here");
			fencer_->peer_dead();
			break;
		case K::kLinkUp:
			log_info("link " + links_[e.link].name + " to " +
				 peer_name() + " is up");
			events_.emit("link-up", links_[e.link].name, "");
			break;
		case K::kLinkDown:
			log_warn("link " + links_[e.link].name + " to " +
				 peer_name() + " is down");
			events_.emit("link-down", links_[e.link].name, "");
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
	f.my_failed = failed_ || group.health.banned();
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
	f.peer_failed = peer_.failed || peer_.failed_groups.count(g) > 0;
	f.peer_leaving = peer_.leaving;
	f.peer_ready = peer_.ready.count(g) > 0;
	f.same_haresources = peer_.haresources_checksum == resources_.checksum;
	f.auto_failback = config_.auto_failback;
	f.my_ready = group.ready.value_or(false);
	if (config_.ipfail && membership_.state() == PeerState::kUp)
		f.ping_advantage = ping_verdict_.settled();
	return f;
}

// ipfail's comparison, settled once it has held for deadping.
void Daemon::update_ping_verdict()
{
	if (!ping_)
		return;
	const int before = ping_verdict_.settled();
	const unsigned mine = ping_->reachable();
	const auto peers = membership_.state() == PeerState::kUp
				   ? peer_.ping_count
				   : std::nullopt;
	const int now = ping_verdict_.update(mine, peers, Clock::now());
	if (now == before)
		return;
	const std::string counts = "(" + opt_.self + " " + std::to_string(mine) +
				   ", " + peer_name() + " " +
				   (peers ? std::to_string(*peers) : "?") + ")";
	if (now == 0)
		log_info("ping nodes: both nodes reach as many " + counts);
	else
		log_warn("ping nodes: " + (now > 0 ? opt_.self : peer_name()) +
			 " reaches more " + counts +
			 (config_.ipfail ? ": groups move there" : ""));
	events_.emit("ping-verdict", now > 0 ? opt_.self : now < 0 ? peer_name() : "equal",
		     counts);
}

void Daemon::evaluate()
{
	if (in_maintenance()) { // hb_maintenance.cc: nothing moves
		finish_shutdown_if_done();
		return;
	}
	for (size_t g = 0; g < groups_.size(); g++) {
		// At startup a group may still run here (the daemon was
		// restarted): wait for its probe to adopt it (hb_probe.cc).
		if (opt_.startup_probe && !groups_[g]->probed)
			continue;
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


void Daemon::begin_shutdown()
{
	if (leaving_)
		return;
	leaving_ = true;
	notify_stopping();
	if (!in_maintenance())
		log_info("stopping: handing resources over to " + peer_name());
	evaluate();
}

void Daemon::finish_shutdown_if_done()
{
	if (!leaving_)
		return;
	if (in_maintenance() &&
	    groups_in({GroupState::kStarting, GroupState::kStopping}).empty()) {
		log_warn("stopping in maintenance: resources held here keep "
			 "running; the next daemon adopts them");
		for (int i = 0; i < kGoodbyeCopies; i++)
			send_status();
		loop_.stop();
		return;
	}
	if (!groups_in({GroupState::kStarting, GroupState::kHeld,
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

void Daemon::request_fence_peer(const std::string &resource,
				std::chrono::milliseconds timeout,
				std::function<void(const std::string &)> reply)
{
	if (!valid_resource_name(resource)) {
		reply(std::to_string(kFenceUnknown) + "\nbad resource name\n");
		return;
	}
	events_.emit("fence-request", resource, "asking " + peer_name());
	fencer_->request(resource, timeout,
			 [this, reply, resource](int code, const std::string &why) {
				 events_.emit("fence-result", resource,
					      "exit " + std::to_string(code) +
						      ": " + why);
				 reply(std::to_string(code) + "\n" + why + "\n");
			 });
}

uint64_t Daemon::subscribe_events(bool json, EventStream::Sink sink)
{
	return events_.subscribe(json, std::move(sink));
}

void Daemon::unsubscribe_events(uint64_t id) { events_.unsubscribe(id); }

std::string Daemon::request_takeover()
{
	standby_ = false;
	failed_ = false;
	for (auto &g : groups_) { // a takeover overrides bans, as cleanup
		g->health.banned_until.reset();
		g->health.ban_reason.clear();
	}
	takeover_requests_++;
	log_info("takeover requested: asking " + peer_name() +
		 " to hand its resources over");
	send_status();
	evaluate();
	return "takeover: asked " + peer_name() + " to hand over its resources\n";
}

} // namespace rdbd::hb
