// rdbdadm events [RES|all] [--json] [--timestamps]: one line per state
// change, as drbdsetup events2 prints them (the format: event_lines.h).
//
// Runs until SIGINT or SIGTERM, or until the reader of its output goes
// away (EPIPE); all three end it with exit code 0.
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <iostream>

#include "command.h"
#include "error.h"
#include "event_lines.h"
#include "fd.h"

namespace rdbd::adm {
namespace {

void get_arguments(po::options_description &options,
		   po::positional_options_description &positional)
{
	add_resource_argument(options, positional, true);
	options.add_options()("timestamps", po::bool_switch(),
			      "start each line with the time (UTC)");
}

// SIGINT and SIGTERM are read from a signalfd, so the loop ends between
// two lines.  SIGPIPE is ignored: a closed pipe then fails the write,
// which the loop sees.
UniqueFd termination_signals()
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	UniqueFd fd;
	if (sigprocmask(SIG_BLOCK, &set, nullptr) == 0)
		fd = UniqueFd(signalfd(-1, &set, SFD_CLOEXEC));
	if (!fd)
		throw Error(kExitFailure, "cannot set up signal handling");
	std::signal(SIGPIPE, SIG_IGN);
	return fd;
}

// Writes the lines at once (a reader waits for them); false once nobody
// reads them any more.
bool emit(const std::vector<std::string> &lines)
{
	for (const std::string &line : lines)
		std::cout << line << '\n';
	std::cout.flush();
	return static_cast<bool>(std::cout);
}

// The kernel does not report peer names; the configuration has them.
// Watching needs no configuration otherwise, so without a usable one the
// lines just leave the names out.
std::function<std::string(const std::string &)> peer_names(Session &session)
{
	const Config *config = nullptr;
	try {
		config = &session.config();
	} catch (const ConfigError &e) {
		report_error(std::string(e.what()) + " (peer names left out)");
		return {};
	}
	const std::string node = session.node_name();
	return [config, node](const std::string &resource) -> std::string {
		const ResourceConfig *r = config->find(resource);
		if (!r || !r->host(node))
			return "";
		return resource_on_node(*r, node).peer->name;
	};
}

EventOptions event_options(Session &session, const po::variables_map &args)
{
	const std::string which = resource_argument(args);
	EventOptions o;
	o.json = session.options().json;
	if (which != kAllResources) {
		session.resources(which); // it must be one of this node's
		o.resource = which;
	}
	o.peer_of = peer_names(session);
	if (args["timestamps"].as<bool>())
		o.timestamp = [] {
			return timestamp_text(std::chrono::system_clock::now());
		};
	return o;
}

int execute(Session &session, const po::variables_map &args)
{
	EventPrinter printer(event_options(session, args));
	const UniqueFd signals = termination_signals();
	StatusWatch watch; // before the read: see status_watch.h
	GenlClient kernel;
	if (!emit(printer.exists(query_all_status(kernel))))
		return kExitOk;
	while (watch.wait(std::nullopt, signals.get(), STDOUT_FILENO) ==
	       Wake::Events)
		if (!emit(printer.apply(watch.take())))
			break;
	return kExitOk;
}

const CommandRegistration registration({
	"events",
	"[RES|all] [--json] [--timestamps]",
	"print the current state, then one line per change (until ^C)",
	get_arguments,
	execute,
});

} // namespace
} // namespace rdbd::adm
