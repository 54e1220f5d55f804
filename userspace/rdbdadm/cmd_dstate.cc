// rdbdadm dstate RES|all: "UpToDate/DUnknown" (this node/peer).
#include "command.h"
#include "states.h"

namespace rdbd::adm {
namespace {

std::string disk_states(const DeviceStatus &s)
{
	return disk_state_name(s.disk_state) + "/" +
	       disk_state_name(s.peer_disk_state);
}

int execute(Session &session, const po::variables_map &args)
{
	return print_state_lines(session, resource_argument(args), disk_states);
}

const CommandRegistration registration({
	"dstate",
	"RES|all",
	"print the disk states of this node and of the peer",
	resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
