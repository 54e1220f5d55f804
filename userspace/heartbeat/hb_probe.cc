// The startup probe: once, when the daemon starts, `status` (`monitor` for
// an OCF agent) of every resource of every group, in haresources order,
// one script at a time, through the same lookup and calling convention as
// start and stop.
//
// Why: without it the survivor runs a group's scripts for the first time
// at failover.  A missing or broken script is then found too late, and
// that first run is slow (cold page cache for the scripts, the agents and
// the tools they call).  Pacemaker probes every resource on every node at
// startup for the same reasons.
//
// A probe observes.  It never starts or stops anything: a resource found
// broken is logged as an error and shown in `status`, and the operator
// decides.  (Refusing to take a group over because a probe failed could
// leave the service down when the script would have worked by then, e.g.
// once a disk is Primary.)
//
// Adoption.  A daemon restarted while its resources run (an upgrade, a
// crash of the daemon alone, maintenance mode) must not take them for
// stopped: the peer would start them too.  So a group decides nothing
// until its probe is done (Daemon::evaluate), and a group whose every
// resource the probe finds running, and that the peer does not hold, is
// adopted: held here, announced at once, monitored.  A group found only
// partly running is left to the usual decision; starting it runs the
// start of each resource, which the OCF and LSB conventions make
// harmless for a resource already running.
// Probes run through the ProcessRunner like any script, so keepalives and
// the initdead/takeover logic go on while one runs.
#include "hb_daemon.h"
#include "hb_text.h"

namespace rdbd::hb {

void Daemon::start_probes()
{
	if (!opt_.startup_probe || groups_.empty())
		return;
	log_info("startup probe: checking the status of every resource");
	probe(0, 0);
}

void Daemon::probe(size_t g, size_t r)
{
	if (g == groups_.size()) {
		log_info("startup probe: done");
		return;
	}
	Group &group = *groups_[g];
	if (r == group.spec.resources.size()) {
		group.probed = true;
		adopt_if_running(g);
		if (group.probe_errors.empty() && group.probe_warnings.empty())
			log_info("startup probe: " + group.spec.key() + " ok");
		probe(g + 1, 0);
		return;
	}
	if (leaving_)
		return; // no new scripts while we hand everything over
	const ResourceSpec &spec = group.spec.resources[r];
	std::string why_not;
	const auto command =
		resource_command(spec, Action::kStatus, opt_.scripts, why_not);
	if (!command) {
		// why_not starts with the resource's text, which the report
		// names anyway.
		const std::string prefix = spec.text + ": ";
		if (why_not.rfind(prefix, 0) == 0)
			why_not.erase(0, prefix.size());
		probe_done(g, r, {ProbeVerdict::kBroken, why_not});
		return;
	}
	log_debug("startup probe: running " + command->display());
	const bool ocf = is_ocf_command(*command);
	runner_.run(
		*command,
		[this, g, r, ocf](const ProcessResult &res) {
			probe_done(g, r, classify_probe(ocf, res));
		},
		// status_timeout (hb_ops.h): 20 s by default, Pacemaker's
		// operation timeout; slower is as good as broken at failover.
		config_.ops.for_resource(spec).status_timeout);
}

void Daemon::probe_done(size_t g, size_t r, const ProbeVerdict &v)
{
	Group &group = *groups_[g];
	const ResourceSpec &spec = group.spec.resources[r];
	const std::string what = spec.text + " (" + group.spec.where + ")";
	if (v.kind == ProbeVerdict::kBroken) {
		group.probe_errors.push_back(what + ": " + v.why);
		log_error("startup probe: " + what + ": " + v.why +
			  "; it would fail at takeover");
	} else if (v.kind == ProbeVerdict::kRunning &&
		   group.state == GroupState::kStopped) {
		group.probe_running++;
		group.probe_warnings.push_back(what +
					       ": running, but this node does "
					       "not hold " + group.spec.key());
		log_warn("startup probe: " + what + " is running on " +
			 opt_.self + ", which does not hold " + group.spec.key() +
			 " (started outside rdbd-heartbeat?)");
	}
	probe(g, r + 1);
}

void Daemon::adopt_if_running(size_t g)
{
	Group &group = *groups_[g];
	const size_t n = group.spec.resources.size();
	if (!group.probe_running || group.state != GroupState::kStopped)
		return;
	if (group.probe_running < n || peer_.holds.count(g))
		return; // the warnings above say which run
	group.probe_warnings.clear(); // they run because we held them
	group.state = GroupState::kHeld;
	log_warn("startup probe: every resource of " + group.spec.key() +
		 " runs here: adopting it (the daemon was restarted?)");
	events_.emit("held", group.spec.key(), "adopted at startup");
	send_status();
	schedule_monitor(g);
}

} // namespace rdbd::hb
