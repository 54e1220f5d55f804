// rdbdadm wait-sync RES|all [--timeout S]: until both disks are UpToDate.
#include "wait.h"

namespace rdbd::adm {
namespace {

int execute(Session &session, const po::variables_map &args)
{
	return wait_for(session, args, WaitGoal::Synced);
}

const CommandRegistration registration({
	"wait-sync",
	"RES|all [--timeout S]",
	"wait until connected with both disks UpToDate; a progress bar on a "
	"terminal",
	wait_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
