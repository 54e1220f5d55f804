// rdbdadm: administration tool for rdbd, shaped like DRBD 8.4's drbdadm.
//
//   rdbdadm [-c FILE] [--node NAME] [-d|--dry-run] [--json] COMMAND [ARGS]
//
// main() parses the global options, finds the command (cmd_*.cc) and hands
// it the rest of the command line.  Errors end up here, printed as
// "rdbdadm: message", with the exit code the error carries.
#include <iostream>

#include "command.h"
#include "error.h"
#include "suggest.h"

namespace rdbd::adm {

namespace {

po::options_description global_options(GlobalOptions &g)
{
	po::options_description d("Global options");
	auto add = d.add_options();
	add("help,h", "show this help, or a command's help");
	add("config,c",
	    po::value(&g.config_file)
		    ->default_value(kDefaultConfigFile)
		    ->value_name("FILE"),
	    "configuration file");
	add("node", po::value(&g.node)->value_name("NAME"),
	    "act as host NAME of the `on` sections (default: uname -n)");
	add("dry-run,d", po::bool_switch(&g.dry_run),
	    "print the operations instead of running them (state queries "
	    "still run)");
	add("json", po::bool_switch(&g.json),
	    "machine-readable output (status, events)");
	return d;
}

// The command name and everything after it, taken apart from the globals.
po::options_description command_line_slots()
{
	po::options_description d;
	auto add = d.add_options();
	add("command", po::value<std::string>());
	add("arguments", po::value<std::vector<std::string>>());
	return d;
}

void print_tool_help(const po::options_description &global)
{
	std::cout << "usage: rdbdadm [-c FILE] [--node NAME] [-d|--dry-run] "
		     "[--json] <command> [args]\n\nCommands:\n";
	// A call too long for the column gets its description on the
	// next line, so the descriptions stay aligned.
	const size_t column = 32;
	for (const Command &c : commands()) {
		const std::string call = c.name + " " + c.arguments;
		if (call.size() + 1 > column)
			std::cout << "  " << call << '\n'
				  << std::string(column + 2, ' ');
		else
			std::cout << "  " << call
				  << std::string(column - call.size(), ' ');
		std::cout << c.description << '\n';
	}
	std::cout << '\n'
		  << global << '\n'
		  << kExitCodeHelp
		  << "\nRun 'rdbdadm <command> --help' (or 'rdbdadm help "
		     "<command>') for a command's options; man rdbdadm and "
		     "man rdbd.conf for the rest.\n";
}

void print_command_help(const Command &c,
			const po::options_description &options)
{
	std::cout << "usage: rdbdadm " << c.name << ' ' << c.arguments << "\n\n"
		  << c.description << "\n\n"
		  << options
		  << "\nGlobal options (-c, --node, -d, --json): see 'rdbdadm "
		     "--help'.\n";
}

const Command &command_or_suggestion(const std::string &name)
{
	if (const Command *c = find_command(name))
		return *c;
	const std::optional<std::string> near =
		nearest_name(name, command_names());
	throw UsageError("unknown command '" + name + "'" +
			 (near ? " (did you mean '" + *near + "'?)" : "") +
			 "; see 'rdbdadm --help'");
}

// Without a command, an unknown option cannot be the command's: it is a
// mistyped global one.
void reject_unknown_options(const po::parsed_options &parsed)
{
	for (const std::string &word :
	     po::collect_unrecognized(parsed.options, po::exclude_positional))
		throw UsageError("unrecognised option '" + word +
				 "'; see 'rdbdadm --help'");
}

// The command line minus the global options and the command name.
std::vector<std::string> command_arguments(const po::parsed_options &parsed,
					   const std::string &name)
{
	std::vector<std::string> rest = po::collect_unrecognized(
		parsed.options, po::include_positional);
	rest.erase(std::find(rest.begin(), rest.end(), name));
	return rest;
}

po::variables_map
parse_command_arguments(const Command &command,
			const po::options_description &options,
			const po::positional_options_description &positional,
			const std::vector<std::string> &arguments)
{
	po::variables_map args;
	try {
		po::store(po::command_line_parser(arguments)
				  .options(options)
				  .positional(positional)
				  .run(),
			  args);
		po::notify(args);
	} catch (const po::too_many_positional_options_error &) {
		throw UsageError("too many arguments (expected: rdbdadm " +
				 command.name + " " + command.arguments +
				 "); see 'rdbdadm " + command.name +
				 " --help'");
	} catch (const po::error &e) {
		throw UsageError(std::string(e.what()) + "; see 'rdbdadm " +
				 command.name + " --help'");
	}
	return args;
}

int run(int argc, char **argv)
{
	GlobalOptions g;
	const po::options_description global = global_options(g);
	po::options_description all;
	all.add(global).add(command_line_slots());
	po::positional_options_description slots;
	slots.add("command", 1).add("arguments", -1);

	// Unknown options belong to the command; the globals are accepted
	// before and after it.
	const po::parsed_options parsed = po::command_line_parser(argc, argv)
						  .options(all)
						  .positional(slots)
						  .allow_unregistered()
						  .run();
	po::variables_map vm;
	po::store(parsed, vm);
	po::notify(vm);

	if (!vm.count("command")) {
		if (vm.count("help")) {
			print_tool_help(global);
			return kExitOk;
		}
		reject_unknown_options(parsed);
		throw UsageError("missing command; see 'rdbdadm --help'");
	}
	std::string name = vm["command"].as<std::string>();
	std::vector<std::string> arguments = command_arguments(parsed, name);
	// `rdbdadm help [COMMAND]` is `rdbdadm [COMMAND] --help`.
	const bool help = vm.count("help") || name == "help";
	if (name == "help") {
		if (arguments.empty()) {
			print_tool_help(global);
			return kExitOk;
		}
		name = arguments.front();
	}
	const Command &command = command_or_suggestion(name);

	po::options_description options(command.name + " options");
	po::positional_options_description positional;
	command.get_arguments(options, positional);
	if (help) {
		print_command_help(command, options);
		return kExitOk;
	}

	const po::variables_map args = parse_command_arguments(
		command, options, positional, arguments);
	Session session(g);
	return command.execute(session, args);
}

} // namespace

} // namespace rdbd::adm

int main(int argc, char **argv)
{
	using namespace rdbd;
	try {
		return adm::run(argc, argv);
	} catch (const Error &e) {
		report_error(e.what());
		return e.exit_code();
	} catch (const boost::program_options::error &e) {
		report_error(std::string(e.what()) + "; see 'rdbdadm --help'");
		return kExitUsage;
	} catch (const std::exception &e) {
		report_error(e.what());
		return kExitFailure;
	}
}
