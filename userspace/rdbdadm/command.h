// rdbdadm's subcommands, after Ceph's `rbd` tool: every cmd_*.cc file
// describes one command and registers it at start-up; main.cc only parses
// the global options and dispatches.
#pragma once

#include <boost/program_options.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "op_executor.h"
#include "ops.h"
#include "status.h"

namespace rdbd::adm {

namespace po = boost::program_options;

inline constexpr const char *kDefaultConfigFile = "/etc/rdbd.conf";

struct GlobalOptions {
	std::string config_file = kDefaultConfigFile;
	std::string node; // empty: this machine's `uname -n`
	bool dry_run = false;
	bool json = false;
};

// Everything a command needs from the invocation, loaded when first used.
class Session {
public:
	explicit Session(GlobalOptions options) : options_(std::move(options))
	{
	}

	const GlobalOptions &options() const { return options_; }
	const Config &config();
	const std::string &node_name();
	// `which` is a resource name or "all"; throws ConfigError.
	std::vector<NodeResource> resources(const std::string &which);

	// Builds a plan for each selected resource and runs it, or prints it
	// with --dry-run.  A failing resource is reported ("rdbdadm: r0:
	// ...") and the others still run; returns the first failure's code.
	int
	run_plans(const std::string &which,
		  const std::function<Plan(const NodeResource &)> &plan_for);

	// The kernel's view of the selected resources.  A resource named
	// explicitly must be up; with "all" a resource that is not up has
	// no kernel status.
	std::vector<ResourceState> states(const std::string &which);
	// As states(), but a named resource may be down too.
	std::vector<ResourceState> kernel_states(const std::string &which);

private:
	GlobalOptions options_;
	std::optional<Config> config_;
	std::optional<std::string> node_;
};

struct Command {
	std::string name;
	std::string arguments;	 // for the usage line: "RES|all [--force]"
	std::string description; // one line
	void (*get_arguments)(po::options_description &options,
			      po::positional_options_description &positional);
	int (*execute)(Session &session, const po::variables_map &args);
};

// One static instance per cmd_*.cc adds its command to the table.
struct CommandRegistration {
	explicit CommandRegistration(Command command);
};

const std::vector<Command> &commands(); // sorted by name
const Command *find_command(const std::string &name);
std::vector<std::string> command_names();

// Option builders shared by the commands.
void add_resource_argument(po::options_description &options,
			   po::positional_options_description &positional,
			   bool optional);
std::string resource_argument(const po::variables_map &args);
// Ready-made Command::get_arguments: just RES|all, required or optional.
void resource_arguments(po::options_description &options,
			po::positional_options_description &positional);
void optional_resource_arguments(
	po::options_description &options,
	po::positional_options_description &positional);
void add_force_option(po::options_description &options, const char *help);
bool force_option(const po::variables_map &args);

// adjust RES|all (cmd_adjust.cc); start runs it too.
int adjust(Session &session, const std::string &which);

// For role, dstate, cstate: one line per resource, "Unconfigured" for a
// resource that is not up (as DRBD 8.4's tools print it).
int print_state_lines(Session &session, const std::string &which,
		      std::string (*line)(const DeviceStatus &status));

} // namespace rdbd::adm
