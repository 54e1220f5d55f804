// rdbdadm wait-connect RES|all [--timeout S]: until the peer is connected.
#include "wait.h"

namespace rdbd::adm {
namespace {

int execute(Session &session, const po::variables_map &args)
{
	return wait_for(session, args, WaitGoal::Connected);
}

const CommandRegistration registration({
	"wait-connect",
	"RES|all [--timeout S]",
	"wait until the connection to the peer is up (exit 5 on timeout)",
	wait_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
