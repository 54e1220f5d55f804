// rdbdadm down RES|all: remove the device (the kernel refuses while open).
#include "command.h"

namespace rdbd::adm {
namespace {

int execute(Session &session, const po::variables_map &args)
{
	return session.run_plans(resource_argument(args), plan_down);
}

const CommandRegistration registration({
	"down",
	"RES|all",
	"disconnect, detach and remove the device",
	resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
