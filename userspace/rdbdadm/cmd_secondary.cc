// rdbdadm secondary RES|all: demote.
#include "command.h"

namespace rdbd::adm {
namespace {

int execute(Session &session, const po::variables_map &args)
{
	return session.run_plans(resource_argument(args), plan_secondary);
}

const CommandRegistration registration({
	"secondary",
	"RES|all",
	"demote the device to Secondary",
	resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
