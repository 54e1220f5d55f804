#include "command.h"

#include <sys/utsname.h>

#include <algorithm>
#include <iostream>

#include "adjust.h"
#include "device_name.h"
#include "error.h"

namespace rdbd::adm {

namespace {

std::vector<Command> &registry()
{
	static std::vector<Command> table;
	return table;
}

// Calls `fn` for each resource; a failure is reported with the resource's
// name and does not stop the others.  Returns the first failure's code.
int for_each_resource(const std::vector<NodeResource> &resources,
		      const std::function<void(size_t)> &fn)
{
	int first_failure = kExitOk;
	for (size_t i = 0; i < resources.size(); ++i) {
		try {
			fn(i);
		} catch (const Error &e) {
			report_error(resources[i].name() + ": " + e.what());
			if (first_failure == kExitOk)
				first_failure = e.exit_code();
		}
	}
	return first_failure;
}

// Keeps /run/rdbd/RES.net and RES.disk in step with what the kernel was
// sent, so a later adjust can see which options changed (adjust.h).  A
// deleted minor takes its options with it.
void record_applied(const Plan &plan, const std::string &resource)
{
	for (const Step &s : plan) {
		if (const auto *c = std::get_if<ConnectOp>(&s.op))
			write_applied_net(kAppliedNetDir, *c, resource);
		else if (const auto *d = std::get_if<DiskOptsOp>(&s.op))
			write_applied_disk(kAppliedNetDir, *d, resource);
		else if (std::holds_alternative<NewMinorOp>(s.op))
			forget_applied_disk(kAppliedNetDir, resource);
		else if (std::holds_alternative<DisconnectOp>(s.op))
			forget_applied_net(kAppliedNetDir, resource);
		else if (std::holds_alternative<DelMinorOp>(s.op)) {
			forget_applied_net(kAppliedNetDir, resource);
			forget_applied_disk(kAppliedNetDir, resource);
		}
	}
}

Error not_up(const NodeResource &r)
{
	return Error(kExitFailure, r.name() + ": not up (the kernel has no " +
					   device_name(r.minor()) +
					   " for it; 'rdbdadm up " + r.name() +
					   "' starts it)");
}

} // namespace

const Config &Session::config()
{
	if (!config_)
		config_ = load_config(options_.config_file);
	return *config_;
}

const std::string &Session::node_name()
{
	if (!node_) {
		utsname u;
		if (!options_.node.empty())
			node_ = options_.node;
		else if (uname(&u) == 0)
			node_ = u.nodename;
		else
			throw Error(kExitFailure, "cannot read the node name "
						  "(uname); use --node");
	}
	return *node_;
}

std::vector<NodeResource> Session::resources(const std::string &which)
{
	return select_resources(config(), which, node_name());
}

int Session::run_plans(
	const std::string &which,
	const std::function<Plan(const NodeResource &)> &plan_for)
{
	const std::vector<NodeResource> selected = resources(which);
	std::vector<Plan> plans;
	for (const NodeResource &r : selected)
		plans.push_back(plan_for(r));

	if (options_.dry_run) {
		for (const Plan &p : plans)
			std::cout << format_plan(p);
		return kExitOk;
	}
	OpExecutor executor(std::cout);
	if (std::any_of(plans.begin(), plans.end(),
			[](const Plan &p) { return needs_kernel(p); }))
		executor.connect();
	return for_each_resource(selected, [&](size_t i) {
		run_plan(plans[i], executor);
		record_applied(plans[i], selected[i].name());
	});
}

std::vector<ResourceState> Session::kernel_states(const std::string &which)
{
	const std::vector<NodeResource> selected = resources(which);
	GenlClient kernel;
	return match_status(selected, query_all_status(kernel));
}

std::vector<ResourceState> Session::states(const std::string &which)
{
	std::vector<ResourceState> states = kernel_states(which);
	if (which != kAllResources && !states.front().kernel)
		throw not_up(states.front().config);
	return states;
}

CommandRegistration::CommandRegistration(Command command)
{
	std::vector<Command> &table = registry();
	const auto at =
		std::lower_bound(table.begin(), table.end(), command,
				 [](const Command &a, const Command &b) {
					 return a.name < b.name;
				 });
	table.insert(at, std::move(command));
}

const std::vector<Command> &commands()
{
	return registry();
}

const Command *find_command(const std::string &name)
{
	for (const Command &c : registry())
		if (c.name == name)
			return &c;
	return nullptr;
}

std::vector<std::string> command_names()
{
	std::vector<std::string> names;
	for (const Command &c : registry())
		names.push_back(c.name);
	return names;
}

void add_resource_argument(po::options_description &options,
			   po::positional_options_description &positional,
			   bool optional)
{
	auto *value = po::value<std::string>()->value_name("RES|all");
	if (optional)
		value->default_value(std::string(kAllResources));
	options.add_options()("resource", value,
			      "resource name, or 'all' for every resource "
			      "of this node (given without --resource)");
	positional.add("resource", 1);
}

void resource_arguments(po::options_description &options,
			po::positional_options_description &positional)
{
	add_resource_argument(options, positional, false);
}

void optional_resource_arguments(po::options_description &options,
				 po::positional_options_description &positional)
{
	add_resource_argument(options, positional, true);
}

std::string resource_argument(const po::variables_map &args)
{
	if (!args.count("resource"))
		throw UsageError("missing resource name (expected RES or "
				 "'all')");
	return args["resource"].as<std::string>();
}

void add_force_option(po::options_description &options, const char *help)
{
	options.add_options()("force", po::bool_switch(), help);
}

bool force_option(const po::variables_map &args)
{
	return args["force"].as<bool>();
}

int print_state_lines(Session &session, const std::string &which,
		      std::string (*line)(const DeviceStatus &status))
{
	for (const ResourceState &s : session.states(which))
		std::cout << (s.kernel ? line(*s.kernel) : "Unconfigured")
			  << '\n';
	return kExitOk;
}

} // namespace rdbd::adm
