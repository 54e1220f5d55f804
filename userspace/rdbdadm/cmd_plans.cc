// The subcommands that only turn RES|all into a plan and run it: they take
// no option of their own, so they share one registration table instead of
// a file each.
#include "command.h"

namespace rdbd::adm {
namespace {

template <Plan (*plan_for)(const NodeResource &)>
int run_plan(Session &session, const po::variables_map &args)
{
	return session.run_plans(resource_argument(args), plan_for);
}

Command plan_command(const char *name, const char *description,
		     int (*execute)(Session &, const po::variables_map &))
{
	return {name, "RES|all", description, resource_arguments, execute};
}

const CommandRegistration registrations[] = {
	CommandRegistration(plan_command(
		"attach", "attach this node's disk to the device",
		run_plan<plan_attach>)),
	CommandRegistration(plan_command(
		"detach", "release this node's disk (the device stays, Diskless)",
		run_plan<plan_detach>)),
	CommandRegistration(plan_command(
		"disconnect", "drop the connection to the peer (StandAlone)",
		run_plan<plan_disconnect>)),
	CommandRegistration(plan_command(
		"down", "disconnect, detach and remove the device",
		run_plan<plan_down>)),
	CommandRegistration(plan_command(
		"secondary", "demote the device to Secondary",
		run_plan<plan_secondary>)),
};

} // namespace
} // namespace rdbd::adm
