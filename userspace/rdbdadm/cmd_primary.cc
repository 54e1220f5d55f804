// rdbdadm primary RES|all [--force]: promote.
#include "command.h"

namespace rdbd::adm {
namespace {

void get_arguments(po::options_description &options,
		   po::positional_options_description &positional)
{
	add_resource_argument(options, positional, false);
	add_force_option(options, "promote even without UpToDate data: this "
				  "node's data becomes the reference");
}

int execute(Session &session, const po::variables_map &args)
{
	const bool force = force_option(args);
	return session.run_plans(resource_argument(args),
				 [force](const NodeResource &r) {
					 return plan_primary(r, force);
				 });
}

const CommandRegistration registration({
	"primary",
	"RES|all [--force]",
	"promote the device to Primary",
	get_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
