// Monitoring, fail counts and bans (hb_monitor.h has the rules).
#include "hb_monitor.h"

#include <algorithm>

#include "hb_daemon.h"
#include "hb_text.h"

namespace rdbd::hb {

namespace {

std::string fail_count_text(unsigned count, unsigned max_restarts)
{
	return "fail count " + std::to_string(count) + ", max_restarts " +
	       std::to_string(max_restarts);
}

} // namespace

FailureResponse respond_to_failure(unsigned fail_count, unsigned max_restarts,
				   bool peer_can_take_it)
{
	if (fail_count <= max_restarts || !peer_can_take_it)
		return FailureResponse::kRestart;
	return FailureResponse::kRelease;
}

bool expire_failures(GroupHealth &health, const std::vector<ResourceOps> &ops,
		     Clock::time_point now)
{
	bool changed = false;
	for (size_t r = 0; r < health.resources.size() && r < ops.size(); r++) {
		ResourceHealth &h = health.resources[r];
		const Millis timeout = ops[r].failure_timeout;
		if (h.fail_count && timeout.count() &&
		    now - h.last_failure >= timeout) {
			h = ResourceHealth{};
			changed = true;
		}
	}
	if (health.banned() && now >= *health.banned_until) {
		health.banned_until.reset();
		health.ban_reason.clear();
		for (auto &h : health.resources)
			h = ResourceHealth{};
		changed = true;
	}
	return changed;
}

std::optional<Millis> monitor_period(const std::vector<ResourceOps> &ops)
{
	std::optional<Millis> period;
	for (const auto &o : ops)
		if (o.monitor_interval.count() &&
		    (!period || o.monitor_interval < *period))
			period = o.monitor_interval;
	return period;
}

bool monitor_due(Clock::time_point last_check, Millis interval, Millis period,
		 Clock::time_point now)
{
	return interval.count() && now - last_check + period / 2 >= interval;
}

// ---- the daemon's side ----

std::vector<ResourceOps> Daemon::group_ops(size_t g) const
{
	std::vector<ResourceOps> out;
	for (const auto &spec : groups_[g]->spec.resources)
		out.push_back(config_.ops.for_resource(spec));
	return out;
}

bool Daemon::peer_can_take(size_t g) const
{
	const GroupFacts f = facts(g);
	return f.peer == Peer::kUp && !f.peer_standby && !f.peer_failed &&
	       !f.peer_leaving && f.same_haresources;
}

void Daemon::schedule_monitor(size_t g)
{
	Group &group = *groups_[g];
	GroupHealth &h = group.health;
	if (h.monitor_timer)
		loop_.cancel(*h.monitor_timer);
	h.monitor_timer.reset();
	const auto period = monitor_period(group_ops(g));
	if (!period)
		return;
	const unsigned epoch = ++group.monitor_epoch;
	h.monitor_timer = loop_.after(*period, [this, g, epoch] {
		Group &grp = *groups_[g];
		grp.health.monitor_timer.reset();
		if (epoch == grp.monitor_epoch)
			monitor_step(g, 0, epoch);
	});
}

void Daemon::monitor_step(size_t g, size_t r, unsigned epoch)
{
	Group &group = *groups_[g];
	// A stop, restart or release began meanwhile: that action schedules
	// the next round when the group is held again.
	if (group.state != GroupState::kHeld || group.busy || leaving_ ||
	    epoch != group.monitor_epoch) {
		group.health.monitoring = false;
		return;
	}
	if (r == group.spec.resources.size()) {
		group.health.monitoring = false;
		schedule_monitor(g);
		return;
	}
	const ResourceSpec &spec = group.spec.resources[r];
	const ResourceOps ops = config_.ops.for_resource(spec);
	ResourceHealth &health = group.health.resources[r];
	const auto now = Clock::now();
	std::string why_not;
	const auto command =
		monitor_due(health.last_check, ops.monitor_interval,
			    monitor_period(group_ops(g)).value_or(Millis(0)), now)
			? resource_command(spec, Action::kStatus, opt_.scripts,
					   why_not)
			: std::nullopt;
	if (!command) { // not due, off, or no script (the probe said so)
		monitor_step(g, r + 1, epoch);
		return;
	}
	health.last_check = now;
	group.health.monitoring = true;
	const bool ocf = is_ocf_command(*command);
	runner_.run(
		*command,
		[this, g, r, ocf, epoch](const ProcessResult &res) {
			monitor_done(g, r, epoch, classify_probe(ocf, res));
		},
		ops.status_timeout);
}

void Daemon::monitor_done(size_t g, size_t r, unsigned epoch,
			  const ProbeVerdict &v)
{
	Group &group = *groups_[g];
	group.health.monitoring = false;
	if (group.state != GroupState::kHeld || group.busy ||
	    epoch != group.monitor_epoch)
		return;
	if (v.kind == ProbeVerdict::kRunning) {
		monitor_step(g, r + 1, epoch);
		return;
	}
	if (in_maintenance()) { // hb_maintenance.cc: report, do not act
		log_warn("maintenance: " + group.spec.resources[r].text +
			 " is " + (v.kind == ProbeVerdict::kStopped
					   ? std::string("not running")
					   : v.why) +
			 "; not acting on it");
		monitor_step(g, r + 1, epoch);
		return;
	}
	resource_failed(g, r,
			v.kind == ProbeVerdict::kStopped ? "not running" : v.why);
}

// Counts a failure of resource `r`; returns its fail count.
unsigned Daemon::count_failure(size_t g, size_t r, const std::string &why)
{
	Group &group = *groups_[g];
	ResourceHealth &h = group.health.resources.at(r);
	const ResourceOps ops = config_.ops.for_resource(group.spec.resources[r]);
	h.fail_count++;
	h.last_failure = Clock::now();
	h.last_reason = why;
	log_error(group.spec.resources[r].text + " (" + group.spec.where +
		  ") failed: " + why + " (" +
		  fail_count_text(h.fail_count, ops.max_restarts) + ")");
	events_.emit("failure", group.spec.key(),
		     group.spec.resources[r].text + ": " + why);
	return h.fail_count;
}

void Daemon::resource_failed(size_t g, size_t r, const std::string &why)
{
	Group &group = *groups_[g];
	const unsigned count = count_failure(g, r, why);
	const unsigned max_restarts =
		config_.ops.for_resource(group.spec.resources[r]).max_restarts;
	const auto response =
		respond_to_failure(count, max_restarts, peer_can_take(g));
	if (response == FailureResponse::kRestart) {
		if (count > max_restarts)
			log_warn(group.spec.key() + ": restarts exhausted, but " +
				 peer_name() + " cannot take it: restarting here "
				 "again");
		group.health.restart_from = r;
		start_group_action(g, Action::kStop, r);
		return;
	}
	ban_group(g, group.spec.resources[r].text + " failed " +
			     std::to_string(group.health.resources[r].fail_count) +
			     " times (" + why + ")");
	log_error("giving up " + group.spec.key() + " here: " +
		  group.health.ban_reason + "; releasing it to " + peer_name());
	start_group_action(g, Action::kStop);
}

// The sequencer's start phase failed (a restart's included); what it
// started has been stopped again.
void Daemon::start_failed(size_t g)
{
	Group &group = *groups_[g];
	const size_t r = group.sequencer->failed_resource().value_or(0);
	const bool restarting = group.health.restart_from.has_value();
	group.sequencer.reset();
	group.health.restart_from.reset();
	count_failure(g, r, "start failed");
	events_.emit("start-failed", group.spec.key(),
		     group.spec.resources[r].text);
	ban_group(g, group.spec.resources[r].text + " failed to start");
	log_error("giving up " + group.spec.key() + ": " +
		  group.health.ban_reason + "; the group was stopped and this "
		  "node does not take it until its failure_timeout passes, "
		  "`rdbd-heartbeat cleanup` or `takeover`");
	if (restarting) {
		// What is left of the failed resource may still run.
		start_group_action(g, Action::kStop);
		return;
	}
	group.state = GroupState::kStopped;
	send_status();
	evaluate();
}

void Daemon::ban_group(size_t g, const std::string &why)
{
	Group &group = *groups_[g];
	Millis longest{0};
	bool forever = false;
	for (const auto &o : group_ops(g)) {
		forever |= o.failure_timeout.count() == 0;
		longest = std::max(longest, o.failure_timeout);
	}
	group.health.banned_until = forever ? Clock::time_point::max()
					    : Clock::now() + longest;
	group.health.ban_reason = why;
	events_.emit("ban", group.spec.key(), why);
	send_status();
}

void Daemon::check_failure_timeouts()
{
	const auto now = Clock::now();
	for (size_t g = 0; g < groups_.size(); g++) {
		Group &group = *groups_[g];
		const bool was_banned = group.health.banned();
		if (!expire_failures(group.health, group_ops(g), now))
			continue;
		if (was_banned && !group.health.banned()) {
			log_info(group.spec.key() + ": failure_timeout passed: "
				 "this node may take it again");
			events_.emit("unban", group.spec.key(), "failure_timeout");
			send_status();
			evaluate();
		} else {
			log_info(group.spec.key() + ": failure_timeout passed: "
				 "fail counts reset");
		}
	}
}

std::string Daemon::request_cleanup(const std::string &which)
{
	std::vector<std::string> done;
	for (size_t g = 0; g < groups_.size(); g++) {
		Group &group = *groups_[g];
		if (!which.empty() && which != group.spec.key() &&
		    which != std::to_string(g))
			continue;
		group.health.banned_until.reset();
		group.health.ban_reason.clear();
		for (auto &h : group.health.resources)
			h = ResourceHealth{};
		done.push_back(group.spec.key());
	}
	if (done.empty())
		return "error: no group '" + which + "' (groups are named by "
		       "their first resource, as in status)\n";
	log_info("cleanup: fail counts and bans cleared for " + join(done, ", "));
	for (const auto &key : done)
		events_.emit("cleanup", key, "");
	send_status();
	evaluate();
	return "cleanup: " + join(done, ", ") + "\n";
}

} // namespace rdbd::hb
