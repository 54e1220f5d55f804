// rdbdadm role, dstate and cstate RES|all: one state line per resource,
// in DRBD 8.4's words ("Primary/Secondary", "UpToDate/DUnknown",
// "WFConnection"; this node first, then the peer).  They differ only in
// the line they print, so they share one registration table.
#include "command.h"
#include "states.h"

namespace rdbd::adm {
namespace {

std::string roles(const DeviceStatus &s)
{
	return role_name(s.role) + "/" + role_name(s.peer_role);
}

std::string disk_states(const DeviceStatus &s)
{
	return disk_state_name(s.disk_state) + "/" +
	       disk_state_name(s.peer_disk_state);
}

std::string connection_state(const DeviceStatus &s)
{
	return conn_state_name(s.conn_state);
}

template <std::string (*line)(const DeviceStatus &)>
int print_lines(Session &session, const po::variables_map &args)
{
	return print_state_lines(session, resource_argument(args), line);
}

Command state_command(const char *name, const char *description,
		      int (*execute)(Session &, const po::variables_map &))
{
	return {name, "RES|all", description, resource_arguments, execute};
}

const CommandRegistration registrations[] = {
	CommandRegistration(state_command(
		"role", "print the roles of this node and of the peer",
		print_lines<roles>)),
	CommandRegistration(state_command(
		"dstate", "print the disk states of this node and of the peer",
		print_lines<disk_states>)),
	CommandRegistration(state_command(
		"cstate", "print the connection state",
		print_lines<connection_state>)),
};

} // namespace
} // namespace rdbd::adm
