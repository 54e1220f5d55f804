// rdbdadm disconnect RES|all: drop the connection to the peer.
#include "command.h"

namespace rdbd::adm {
namespace {

int execute(Session &session, const po::variables_map &args)
{
	return session.run_plans(resource_argument(args), plan_disconnect);
}

const CommandRegistration registration({
	"disconnect",
	"RES|all",
	"drop the connection to the peer (StandAlone)",
	resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
