// The daemon's resource groups: starting and stopping them in order,
// the rdbd second opinion before a start, the readiness of the preferred
// node for auto_failback, and what a stop failure leads to.
#include <unistd.h>

#include <fstream>

#include "hb_daemon.h"
#include "hb_rdbd_status.h"
#include "hb_text.h"

namespace rdbd::hb {

namespace {

constexpr auto kReadinessInterval = std::chrono::seconds(1);
// rdbd notices a dead peer by its own pings, often a little after
// deadtime: ask again soon (each ask is one rdbdadm run).
constexpr auto kSecondOpinionRetry = std::chrono::milliseconds(250);
constexpr auto kStopRetryPause = std::chrono::seconds(1);

std::string seconds(Millis d)
{
	const auto ms = d.count();
	return ms % 1000 ? std::to_string(ms) + " ms"
			 : std::to_string(ms / 1000) + " s";
}

long long ms_since(Clock::time_point t)
{
	return std::chrono::duration_cast<Millis>(Clock::now() - t).count();
}

// `rdbdadm status --json RES`: is the peer connected (in any state with
// a peer: Connected, SyncSource, SyncTarget, ...) and Primary?
bool peer_is_connected_primary(const std::string &json)
{
	const auto view = parse_rdbd_status(json);
	return view && view->peer_primary();
}

} // namespace

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
			log_warn("cannot ask rdbd about " + res + " (rdbdadm " +
				 (r.timed_out ? std::string("timed out")
					      : "exit " + std::to_string(r.exit_code)) +
				 "): " + r.output + "; rdbddisk will judge");
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
	}, kRdbdadmLimit);
}

void Daemon::start_group_action(size_t g, Action goal, size_t first)
{
	Group &group = *groups_[g];
	group.sequencer.emplace(group.spec.resources.size(), goal,
				opt_.stop_retries, first);
	group.state = goal == Action::kStart ? GroupState::kStarting
					     : GroupState::kStopping;
	group.action_started = Clock::now();
	if (first) {
		log_info(std::string(goal == Action::kStart ? "starting "
							    : "stopping ") +
			 group.spec.resources[first].text + " and what follows it in " +
			 group.spec.key() + " (restart in place)");
	} else {
		log_info(std::string(goal == Action::kStart ? "taking "
							    : "releasing ") +
			 group.spec.key() + " (" +
			 std::to_string(group.spec.resources.size()) +
			 " resources)");
	}
	if (goal == Action::kStop)
		events_.emit(group.health.restart_from ? "restarting" : "releasing",
			     group.spec.key(), "");
	else if (!first)
		events_.emit("taking", group.spec.key(), "");
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
	const ResourceOps ops = config_.ops.for_resource(spec);
	const Millis limit = step->action == Action::kStart ? ops.start_timeout
							    : ops.stop_timeout;
	auto launch = [this, g, limit, command = *command] {
		log_info("running " + command.display());
		runner_.run(command, [this, g, limit, command](const ProcessResult &r) {
			for (const auto &line : split(r.output, '\n'))
				if (!line.empty())
					log_info("  " + line);
			if (r.timed_out)
				log_error(command.display() + " timed out after " +
					  seconds(limit) + ": killed, it failed");
			else if (r.exit_code != 0)
				log_error(command.display() + " failed (exit " +
					  std::to_string(r.exit_code) + ")");
			step_done(g, r.exit_code == 0 && !r.timed_out);
		}, limit);
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
		log_info(group.spec.key() + (group.health.restart_from
					     ? " is running here again (restart took "
					     : " is running here (took ") +
			 took + " ms)");
		group.health.restart_from.reset();
		events_.emit("held", group.spec.key(), took + " ms");
		schedule_monitor(g); // hb_monitor.cc
		break;
	case O::kStopped:
		if (const auto from = group.health.restart_from) {
			group.sequencer.reset();
			start_group_action(g, Action::kStart, *from);
			return;
		}
		group.state = GroupState::kStopped;
		log_info(group.spec.key() + " is released (took " + took + " ms)");
		events_.emit("released", group.spec.key(), took + " ms");
		break;
	case O::kStartFailed:
		start_failed(g); // hb_monitor.cc
		return;
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
	group.health.restart_from.reset();
	failed_ = true;
	events_.emit("stop-failed", group.spec.key(),
		     opt_.stop_failure == StopFailure::kHold ? "holding"
							     : "rebooting");
	if (opt_.stop_failure == StopFailure::kHold) {
		log_error("resource stop failure in " + group.spec.key() +
			  ": keeping the group claimed; fix it by hand, then "
			  "restart rdbd-heartbeat");
		return;
	}
	log_error("resource stop failure in " + group.spec.key() +
		  ": rebooting now so that " + peer_name() + " can take over");
	// No sync(): it would wait on the very disk or mount the stop could
	// not release (a hung NFS or a frozen device), and the reboot would
	// never come.  Data that matters is on rdbd, whose writes are done
	// when acknowledged.
	std::ofstream("/proc/sysrq-trigger") << 'b';
}

// For auto_failback: the preferred node announces a group `ready` once
// its rdbd disks for it are UpToDate (resynced); the holder releases it
// only then.
void Daemon::refresh_readiness()
{
	if (!config_.auto_failback && !config_.ipfail)
		return;
	for (size_t g = 0; g < groups_.size(); g++) {
		Group &group = *groups_[g];
		const auto disks = rdbd_resources(g);
		// Who may take a group the peer holds: the preferred node
		// (auto_failback), or either node (ipfail, hb_ping.h).
		const bool may_take = config_.ipfail ||
				      group.spec.preferred_node == opt_.self;
		const bool wanted = may_take &&
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
		}, kRdbdadmLimit);
	}
}

} // namespace rdbd::hb
