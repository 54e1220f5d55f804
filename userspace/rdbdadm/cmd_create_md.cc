// rdbdadm create-md RES|all [--force]: fresh metadata on this node's disk.
#include "command.h"

namespace rdbd::adm {
namespace {

void get_arguments(po::options_description &options,
		   po::positional_options_description &positional)
{
	add_resource_argument(options, positional, false);
	add_force_option(options, "overwrite a file system or existing rdbd "
				  "meta data (destroys it)");
}

int execute(Session &session, const po::variables_map &args)
{
	const bool force = force_option(args);
	return session.run_plans(resource_argument(args),
				 [force](const NodeResource &r) {
					 return plan_create_md(r, force);
				 });
}

const CommandRegistration registration({
	"create-md",
	"RES|all [--force]",
	"write fresh meta data at the end of this node's disk",
	get_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
