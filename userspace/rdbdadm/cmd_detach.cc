// rdbdadm detach RES|all: release this node's disk.
#include "command.h"

namespace rdbd::adm {
namespace {

int execute(Session &session, const po::variables_map &args)
{
	return session.run_plans(resource_argument(args), plan_detach);
}

const CommandRegistration registration({
	"detach",
	"RES|all",
	"release this node's disk (the device stays, Diskless)",
	resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
