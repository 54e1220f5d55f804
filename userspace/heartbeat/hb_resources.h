// Resource scripts: how a haresources entry becomes a command, and in
// which order a group's resources start and stop.
//
// Lookup follows Heartbeat: <confdir>/resource.d/NAME, then
// /etc/init.d/NAME, called as `NAME [args...] start|stop|status`.  For
// IPaddr, IPaddr2 and Filesystem, which Heartbeat wraps around the OCF
// agents of resource-agents, rdbd-heartbeat is its own wrapper when
// resource.d holds no script of that name: it runs the agent with OCF_ROOT
// and OCF_RESKEY_* set from the arguments, and status becomes monitor.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hb_haresources.h"
#include "hb_process.h"

namespace rdbd::hb {

enum class Action { kStart, kStop, kStatus };
const char *action_name(Action a);

struct ScriptDirs {
	std::string resource_d = "/etc/ha.d/resource.d";
	std::string init_d = "/etc/init.d";
	std::string ocf_root = "/usr/lib/ocf";
};

// The command for `action` on `spec`; nullopt if no script or agent
// exists (the message says where it looked).
std::optional<Command> resource_command(const ResourceSpec &spec, Action action,
					const ScriptDirs &dirs,
					std::string &why_not);

// OCF agents answer with exit codes; Heartbeat's contract for status is
// text.  This judges a script's status the way Heartbeat does: output
// containing "not ... running" means stopped, "running" or "OK" running.
bool status_output_says_running(const std::string &output);

// The startup probe: one `status` (OCF: `monitor`) of each resource when
// the daemon starts, so a broken resource is seen at boot and not at the
// first failover.  This judges one probe's result.
struct ProbeVerdict {
	enum Kind { kStopped, kRunning, kBroken } kind;
	std::string why; // for kBroken: what is wrong, for the operator
};

// `ocf`: the command was an OCF agent's monitor (exit codes per the OCF
// spec: 0 running, 7 not running, 5 not installed, 6 not configured).
// Otherwise a Heartbeat or LSB script: exit 0 is judged by its output as
// Heartbeat does, 1-3 mean stopped (LSB: dead or not running), 4 and
// above mean its status is unknown or it could not run.
ProbeVerdict classify_probe(bool ocf, const ProcessResult &result);

// The command is an OCF agent call made by resource_command().
bool is_ocf_command(const Command &command);

// The order of script calls for one group action, kept apart from the
// processes so it can be tested alone.
//   start: left to right; a failure stops what was started (the failed
//          resource included: it may be half up), right to left.
//   stop:  right to left; a failing stop is retried `stop_retries` times
//          and then the whole action has failed (what is left stays up).
// With `first`, only the resources from `first` on take part: a restart
// in place of a failed resource stops it and those right of it (they
// depend on it), then starts them again.
class GroupSequencer {
public:
	enum class Outcome { kRunning, kStarted, kStopped, kStartFailed,
			     kStopFailed };
	struct Step {
		size_t resource;
		Action action;
		unsigned attempt; // 0 first try; >0 a retry, after a pause
	};

	GroupSequencer(size_t resources, Action goal, unsigned stop_retries,
		       size_t first = 0);
	std::optional<Step> current() const;
	void report(bool success);
	Outcome outcome() const { return outcome_; }
	// The resource whose start failed, once the start phase failed.
	std::optional<size_t> failed_resource() const { return failed_; }

private:
	void begin_rollback(size_t failed);
	void stop_step_done(bool success);

	size_t count_;
	size_t first_;
	unsigned stop_retries_;
	bool starting_;	    // still in the start phase
	bool rolling_back_ = false;
	size_t index_ = 0;  // resource of the current step
	unsigned attempt_ = 0;
	std::optional<size_t> failed_;
	Outcome outcome_ = Outcome::kRunning;
};

} // namespace rdbd::hb
