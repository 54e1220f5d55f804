// rdbdadm role RES|all: "Primary/Secondary" (this node/peer).
#include "command.h"
#include "states.h"

namespace rdbd::adm {
namespace {

std::string roles(const DeviceStatus &s)
{
	return role_name(s.role) + "/" + role_name(s.peer_role);
}

int execute(Session &session, const po::variables_map &args)
{
	return print_state_lines(session, resource_argument(args), roles);
}

const CommandRegistration registration({
	"role",
	"RES|all",
	"print the roles of this node and of the peer",
	resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
