// rdbdadm adjust RES|all: make the kernel's device match the
// configuration, changing only what differs (plan_adjust() says what this
// first version compares).  With -d it prints the operations it would
// send: nothing at all when the device already matches.
#include <map>

#include "command.h"

namespace rdbd::adm {
namespace {

int execute(Session &session, const po::variables_map &args)
{
	const std::string which = resource_argument(args);
	std::map<std::string, std::optional<DeviceStatus>> now;
	for (ResourceState &s : session.kernel_states(which))
		now[s.config.name()] = std::move(s.kernel);
	return session.run_plans(which, [&now](const NodeResource &r) {
		const std::optional<DeviceStatus> &k = now[r.name()];
		return plan_adjust(r, k ? &*k : nullptr);
	});
}

const CommandRegistration registration({
	"adjust",
	"RES|all",
	"bring the device in line with the configuration (up, attach, "
	"connect as needed)",
	resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
