// rdbdadm adjust RES|all: make the kernel's device match the
// configuration, changing only what differs (adjust.h says what is
// compared).  With -d it prints the operations it would send: nothing at
// all when the device already matches.
#include <map>

#include "adjust.h"
#include "command.h"
#include "error.h"

namespace rdbd::adm {
namespace {

using KernelView = std::map<std::string, std::optional<DeviceStatus>>;

// With -d and no rdbd module loaded there is no device at all, so every
// resource is "not up" and the plan is the one of `up`; saying so keeps
// dry-run usable on a machine without the module.
KernelView kernel_view(Session &session, const std::string &which)
{
	KernelView now;
	try {
		for (ResourceState &s : session.kernel_states(which))
			now[s.config.name()] = std::move(s.kernel);
	} catch (const NetlinkError &e) {
		if (!session.options().dry_run)
			throw;
		report_error(std::string(e.what()) +
			     "; dry-run shows the plan for a node where "
			     "nothing is up");
	}
	return now;
}

int execute(Session &session, const po::variables_map &args)
{
	return adjust(session, resource_argument(args));
}

const CommandRegistration registration({
	"adjust",
	"RES|all",
	"apply what differs from the configuration (up, attach, connect, "
	"disk options, reconnect)",
	resource_arguments,
	execute,
});

} // namespace

int adjust(Session &session, const std::string &which)
{
	const KernelView now = kernel_view(session, which);
	return session.run_plans(which, [&](const NodeResource &r) {
		const auto it = now.find(r.name());
		const DeviceStatus *k =
			it != now.end() && it->second ? &*it->second : nullptr;
		Adjustment a = plan_adjustment(
			r, k, read_applied_net(kAppliedNetDir, r.name()),
			read_applied_disk(kAppliedNetDir, r.name()));
		for (const std::string &note : a.notes)
			report_error(r.name() + ": " + note);
		return a.plan;
	});
}

} // namespace rdbd::adm
