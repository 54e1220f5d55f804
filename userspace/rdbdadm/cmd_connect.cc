// rdbdadm connect RES|all: start connecting to the peer.
#include "command.h"

namespace rdbd::adm {
namespace {

int execute(Session &session, const po::variables_map &args)
{
	return session.run_plans(resource_argument(args), plan_connect);
}

const CommandRegistration registration({
	"connect",
	"RES|all",
	"start connecting to the peer (WFConnection)",
	resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
