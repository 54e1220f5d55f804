// rdbdadm cstate RES|all: "WFConnection".
#include "command.h"
#include "states.h"

namespace rdbd::adm {
namespace {

std::string connection_state(const DeviceStatus &s)
{
	return conn_state_name(s.conn_state);
}

int execute(Session &session, const po::variables_map &args)
{
	return print_state_lines(session, resource_argument(args),
				 connection_state);
}

const CommandRegistration registration({
	"cstate",
	"RES|all",
	"print the connection state",
	resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
