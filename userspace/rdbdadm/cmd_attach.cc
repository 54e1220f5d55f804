// rdbdadm attach RES|all: attach this node's disk to the device.
#include "command.h"

namespace rdbd::adm {
namespace {

int execute(Session &session, const po::variables_map &args)
{
	return session.run_plans(resource_argument(args), plan_attach);
}

const CommandRegistration registration({
	"attach",
	"RES|all",
	"attach this node's disk to the device",
	resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
