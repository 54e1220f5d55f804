#include "hb_resources.h"

#include <unistd.h>

#include <regex>

#include "hb_text.h"

namespace rdbd::hb {

namespace {

bool executable(const std::string &path)
{
	return access(path.c_str(), X_OK) == 0;
}

struct OcfParams {
	std::vector<std::string> env;
	std::string error;
};

// ip[/cidr[/nic[:label]][/broadcast]], as Heartbeat's IPaddr2 wrapper; a
// dotted third field is the broadcast address, not a nic.
OcfParams ipaddr_params(const std::vector<std::string> &args)
{
	OcfParams p;
	if (args.size() != 1) {
		p.error = "takes one argument: ip[/cidr[/nic]]";
		return p;
	}
	const auto f = split(args[0], '/');
	p.env.push_back("OCF_RESKEY_ip=" + f[0]);
	if (f.size() > 1 && !f[1].empty())
		p.env.push_back("OCF_RESKEY_cidr_netmask=" + f[1]);
	size_t next = 2;
	if (f.size() > 2 && !is_ipv4(f[2])) {
		const auto nic = split(f[2], ':');
		p.env.push_back("OCF_RESKEY_nic=" + nic[0]);
		if (nic.size() > 1)
			p.env.push_back("OCF_RESKEY_iflabel=" + nic[1]);
		next = 3;
	}
	if (f.size() > next)
		p.env.push_back("OCF_RESKEY_broadcast=" + f[next]);
	return p;
}

// dev dir [fstype [options]]
OcfParams filesystem_params(const std::vector<std::string> &args)
{
	OcfParams p;
	if (args.size() < 2 || args.size() > 4) {
		p.error = "takes device::directory[::fstype[::options]]";
		return p;
	}
	static const char *const keys[] = {"device", "directory", "fstype",
					   "options"};
	for (size_t i = 0; i < args.size(); i++)
		p.env.push_back(std::string("OCF_RESKEY_") + keys[i] + "=" +
				args[i]);
	return p;
}

std::optional<OcfParams> ocf_params(const ResourceSpec &spec)
{
	if (spec.name == "IPaddr2" || spec.name == "IPaddr")
		return ipaddr_params(spec.args);
	if (spec.name == "Filesystem")
		return filesystem_params(spec.args);
	return std::nullopt;
}

std::optional<Command> ocf_command(const ResourceSpec &spec, Action action,
				   const ScriptDirs &dirs, std::string &why_not)
{
	auto params = ocf_params(spec);
	const std::string agent =
		dirs.ocf_root + "/resource.d/heartbeat/" + spec.name;
	if (!params->error.empty()) {
		why_not = spec.text + ": " + spec.name + " " + params->error;
		return std::nullopt;
	}
	if (!executable(agent)) {
		why_not = spec.text + ": no OCF agent " + agent +
			  " (install resource-agents)";
		return std::nullopt;
	}
	Command c;
	c.argv = {agent, action == Action::kStatus ? "monitor"
						   : action_name(action)};
	c.env = std::move(params->env);
	c.env.push_back("OCF_ROOT=" + dirs.ocf_root);
	c.env.push_back("OCF_RA_VERSION_MAJOR=1");
	c.env.push_back("OCF_RA_VERSION_MINOR=0");
	c.env.push_back("OCF_RESOURCE_TYPE=" + spec.name);
	c.env.push_back("OCF_RESOURCE_INSTANCE=" + spec.name + "_" +
			(spec.args.empty() ? "" : spec.args[0]));
	return c;
}

} // namespace

const char *action_name(Action a)
{
	switch (a) {
	case Action::kStart:
		return "start";
	case Action::kStop:
		return "stop";
	case Action::kStatus:
		return "status";
	}
	return "?";
}

std::optional<Command> resource_command(const ResourceSpec &spec, Action action,
					const ScriptDirs &dirs,
					std::string &why_not)
{
	const std::string own = dirs.resource_d + "/" + spec.name;
	if (!executable(own) && ocf_params(spec))
		return ocf_command(spec, action, dirs, why_not);
	for (const std::string &path : {own, dirs.init_d + "/" + spec.name}) {
		if (!executable(path))
			continue;
		Command c;
		c.argv.push_back(path);
		c.argv.insert(c.argv.end(), spec.args.begin(), spec.args.end());
		c.argv.push_back(action_name(action));
		return c;
	}
	why_not = spec.text + ": no script " + spec.name + " in " +
		  dirs.resource_d + " or " + dirs.init_d;
	return std::nullopt;
}

bool status_output_says_running(const std::string &output)
{
	static const std::regex not_running("not.*running",
					    std::regex::icase);
	static const std::regex running("running|\\bOK\\b", std::regex::icase);
	if (std::regex_search(output, not_running))
		return false;
	return std::regex_search(output, running);
}

bool is_ocf_command(const Command &command)
{
	for (const auto &e : command.env)
		if (e.rfind("OCF_ROOT=", 0) == 0)
			return true;
	return false;
}

namespace {

ProbeVerdict broken(std::string why) { return {ProbeVerdict::kBroken, why}; }

std::string last_line(const std::string &output)
{
	std::string last;
	for (const auto &line : split(output, '\n'))
		if (!line.empty())
			last = line;
	return last.empty() ? "" : ": " + last;
}

ProbeVerdict classify_ocf(int code, const std::string &said)
{
	switch (code) {
	case 0:
		return {ProbeVerdict::kRunning, ""};
	case 7:
		return {ProbeVerdict::kStopped, ""};
	case 2:
		return broken("OCF agent rejects its arguments (exit 2)" + said);
	case 3:
		return broken("OCF agent has no monitor (exit 3)" + said);
	case 5:
		return broken("not installed (OCF exit 5)" + said);
	case 6:
		return broken("not configured (OCF exit 6)" + said);
	}
	return broken("monitor failed (exit " + std::to_string(code) + ")" + said);
}

ProbeVerdict classify_script(int code, const std::string &output,
			     const std::string &said)
{
	if (code == 0)
		return {status_output_says_running(output)
				? ProbeVerdict::kRunning
				: ProbeVerdict::kStopped,
			""};
	if (code >= 1 && code <= 3)
		return {ProbeVerdict::kStopped, ""};
	if (code == 4)
		return broken("status unknown (exit 4)" + said);
	if (code == 126 || code == 127)
		return broken("cannot be run (exit " + std::to_string(code) +
			      ")" + said);
	return broken("status failed (exit " + std::to_string(code) + ")" +
		      said);
}

} // namespace

ProbeVerdict classify_probe(bool ocf, const ProcessResult &result)
{
	const std::string said = last_line(result.output);
	if (result.timed_out)
		return broken("did not answer within its time limit" + said);
	if (result.exit_code < 0)
		return broken("could not run or was killed" + said);
	return ocf ? classify_ocf(result.exit_code, said)
		   : classify_script(result.exit_code, result.output, said);
}

GroupSequencer::GroupSequencer(size_t resources, Action goal,
			       unsigned stop_retries, size_t first)
	: count_(resources), first_(first), stop_retries_(stop_retries),
	  starting_(goal == Action::kStart)
{
	if (first_ >= count_)
		outcome_ = starting_ ? Outcome::kStarted : Outcome::kStopped;
	else
		index_ = starting_ ? first_ : count_ - 1;
}

std::optional<GroupSequencer::Step> GroupSequencer::current() const
{
	if (outcome_ != Outcome::kRunning)
		return std::nullopt;
	return Step{index_, starting_ ? Action::kStart : Action::kStop,
		    attempt_};
}

void GroupSequencer::begin_rollback(size_t failed)
{
	starting_ = false;
	rolling_back_ = true;
	failed_ = failed;
	index_ = failed;
	attempt_ = 0;
}

void GroupSequencer::stop_step_done(bool success)
{
	if (!success && attempt_ < stop_retries_) {
		attempt_++;
		return;
	}
	if (!success) {
		outcome_ = Outcome::kStopFailed;
		return;
	}
	attempt_ = 0;
	if (index_ > first_) {
		index_--;
		return;
	}
	outcome_ = rolling_back_ ? Outcome::kStartFailed : Outcome::kStopped;
}

void GroupSequencer::report(bool success)
{
	if (outcome_ != Outcome::kRunning)
		return;
	if (!starting_) {
		stop_step_done(success);
		return;
	}
	if (!success) {
		begin_rollback(index_);
		return;
	}
	if (++index_ == count_)
		outcome_ = Outcome::kStarted;
}

} // namespace rdbd::hb
