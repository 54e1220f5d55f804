// rdbdadm helper HANDLER RES: what rdbd.ko runs (through its
// usermode_helper module parameter) when a handler is due, e.g.
// "helper split-brain r0".  Runs the command configured as
// handlers { HANDLER "..."; } for RES with /bin/sh -c, with
// RDBD_RESOURCE and DRBD_RESOURCE set, and exits with its status.  No
// handler configured is not an error (exit 0): the kernel calls the
// helper for every such event.
//
// The handler's exit code reaches rdbd.ko unchanged, and for fence-peer
// it is an answer (3 to 7: the peer is Inconsistent, Outdated,
// unreachable, Primary, fenced).  rdbdadm's own failures (a broken
// configuration is 3, a timeout 5) must not pass for one: they exit 1.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "command.h"
#include "exit_codes.h"

namespace rdbd::adm {
namespace {

void get_arguments(po::options_description &options,
		   po::positional_options_description &positional)
{
	options.add_options()("handler", po::value<std::string>()->required(),
			      "handler name, e.g. split-brain");
	positional.add("handler", 1);
	add_resource_argument(options, positional, false);
}

int run_shell(const std::string &command, const std::string &resource)
{
	const pid_t pid = fork();
	if (pid < 0)
		throw Error(kExitFailure, "cannot fork the handler");
	if (pid == 0) {
		setenv("RDBD_RESOURCE", resource.c_str(), 1);
		setenv("DRBD_RESOURCE", resource.c_str(), 1);
		execl("/bin/sh", "sh", "-c", command.c_str(),
		      static_cast<char *>(nullptr));
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			throw Error(kExitFailure, "lost the handler process");
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return kExitFailure;
}

int run_handlers(Session &session, const po::variables_map &args)
{
	const std::string handler = args["handler"].as<std::string>();
	int rc = kExitOk;
	for (const NodeResource &r :
	     session.resources(resource_argument(args))) {
		const auto &handlers = r.resource->handlers;
		const auto it = handlers.find(handler);
		if (it == handlers.end()) {
			std::cerr << "rdbdadm: " << r.name() << ": no "
				  << handler << " handler configured\n";
			continue;
		}
		if (session.options().dry_run) {
			std::cout << "/bin/sh -c " << it->second << "\n";
			continue;
		}
		const int status = run_shell(it->second, r.name());
		if (status && rc == kExitOk)
			rc = status;
	}
	return rc;
}

int execute(Session &session, const po::variables_map &args)
{
	try {
		return run_handlers(session, args);
	} catch (const Error &e) {
		std::cerr << "rdbdadm: helper " << args["handler"].as<std::string>()
			  << ": " << e.what() << "\n";
		return kExitFailure;
	}
}

const CommandRegistration registration({
	"helper",
	"HANDLER RES",
	"run the configured handler (rdbd.ko calls this, as DRBD calls "
	"drbdadm)",
	get_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
