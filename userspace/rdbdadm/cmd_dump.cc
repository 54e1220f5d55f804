// rdbdadm dump [RES|all]: the configuration as rdbdadm understood it.
#include <iostream>

#include "command.h"
#include "config_dump.h"

namespace rdbd::adm {
namespace {

// Every resource of the file, whichever node it is for: dump needs no
// node, only a readable configuration.
std::vector<const ResourceConfig *> chosen(const Config &config,
					   const std::string &which)
{
	if (which != kAllResources)
		return {&config.get(which)};
	std::vector<const ResourceConfig *> list;
	for (const ResourceConfig &r : config.resources)
		list.push_back(&r);
	return list;
}

int execute(Session &session, const po::variables_map &args)
{
	const Config &config = session.config();
	const char *separator = "";
	for (const ResourceConfig *r :
	     chosen(config, resource_argument(args))) {
		std::cout << separator << dump_resource(*r);
		separator = "\n";
	}
	return kExitOk;
}

const CommandRegistration registration({
	"dump",
	"[RES|all]",
	"print the configuration with every default written out",
	optional_resource_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
