// rdbdadm up RES|all: new-minor, attach, connect (undone if a step fails).
#include "command.h"

namespace rdbd::adm {
namespace {

int execute(Session &session, const po::variables_map &args)
{
	return session.run_plans(resource_argument(args), plan_up);
}

const CommandRegistration registration({
	"up",
	"RES|all",
	"create the device, attach its disk and start connecting to the peer",
	resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
