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
// A probe only observes.  It never starts or stops anything and never
// changes a failover decision: a resource found broken is logged as an
// error and shown in `status`, and the operator decides.  (Refusing to take
// a group over because a probe failed could leave the service down when
// the script would have worked by then, e.g. once a disk is Primary.)
// Probes run through the ProcessRunner like any script, so keepalives and
// the initdead/takeover logic go on while one runs.
#include "hb_daemon.h"
#include "hb_text.h"
#include "json.h"

namespace rdbd::hb {

namespace {

// Pacemaker's default operation timeout; a status that takes longer is
// as good as broken at failover time.
constexpr auto kProbeLimit = std::chrono::seconds(20);

} // namespace

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
		kProbeLimit);
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
		group.probe_warnings.push_back(what +
					       ": running, but this node does "
					       "not hold " + group.spec.key());
		log_warn("startup probe: " + what + " is running on " +
			 opt_.self + ", which does not hold " + group.spec.key() +
			 " (started outside rdbd-heartbeat?)");
	}
	probe(g, r + 1);
}

std::string Daemon::probe_json(const Group &group) const
{
	std::string result = !opt_.startup_probe	  ? "off"
			     : !group.probe_errors.empty() ? "error"
			     : !group.probe_warnings.empty() ? "warning"
			     : group.probed		  ? "ok"
							  : "pending";
	std::vector<std::string> messages;
	for (const auto &list : {group.probe_errors, group.probe_warnings})
		for (const auto &m : list)
			messages.push_back(json_quote(m));
	return "{\"result\": " + json_quote(result) + ", \"messages\": [" +
	       join(messages, ", ") + "]}";
}

} // namespace rdbd::hb
