// rdbd-heartbeat: Heartbeat v1 compatible failover for rdbd.
//
//   rdbd-heartbeat [options] [run]        run the daemon
//   rdbd-heartbeat [options] check-config parse /etc/ha.d and report
//   rdbd-heartbeat [options] status [--json]
//   rdbd-heartbeat [options] standby      hand our resources to the peer
//   rdbd-heartbeat [options] takeover     take the peer's resources
//   rdbd-heartbeat [options] fence-peer [RES]  rdbd's fence-peer handler
//
// The commands are listed once, in kCommands: --help prints that list and
// the man page test (tests/unit/test_hb_manpages.cc) reads it there.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include "error.h"
#include "fd.h"
#include "hb_control.h"
#include "hb_daemon.h"
#include "hb_text.h"

namespace po = boost::program_options;

namespace rdbd::hb {

namespace {

struct Options {
	DaemonOptions daemon;
	bool foreground = false;
	bool verbose = false;
	bool json = false;
	std::string pidfile;
	std::string stop_failure = "reboot";
	std::string startup_probe;
	unsigned fence_timeout_s = 20;
	std::string command;
	std::vector<std::string> args;
};

std::string node_name()
{
	utsname u;
	uname(&u);
	return lowercase(u.nodename);
}

po::options_description visible_options(Options &o)
{
	po::options_description d("Options");
	auto add = d.add_options();
	add("help,h", "show this help");
	add("config-dir,c", po::value(&o.daemon.confdir)->default_value("/etc/ha.d"),
	    "where ha.cf, authkeys, haresources and resource.d are");
	add("node,n", po::value(&o.daemon.self),
	    "this node's name (default: uname -n)");
	add("socket,s",
	    po::value(&o.daemon.socket_path)->default_value("/run/rdbd-heartbeat.sock"),
	    "control socket");
	add("socket-group",
	    po::value(&o.daemon.socket_group)->default_value("haclient"),
	    "group that may run status and events (socket mode 660); "
	    "ignored if it does not exist, \"\" for root only");
	add("state-dir", po::value(&o.daemon.state_dir)
				 ->default_value("/var/lib/rdbd-heartbeat"),
	    "where the boot generations (ours, the peer's) are kept");
	add("foreground,f", po::bool_switch(&o.foreground),
	    "stay in the foreground, log to stderr (systemd)");
	add("pidfile", po::value(&o.pidfile), "write the daemon's pid here");
	add("verbose,v", po::bool_switch(&o.verbose), "debug lines on stderr");
	add("stop-failure", po::value(&o.stop_failure)->default_value("reboot"),
	    "when a resource will not stop: reboot (as Heartbeat) or hold");
	add("stop-retries", po::value(&o.daemon.stop_retries)->default_value(3),
	    "retries of a failing stop, 1 s apart, before --stop-failure");
	add("rdbdadm", po::value(&o.daemon.rdbdadm)->default_value("rdbdadm"),
	    "the rdbdadm program");
	add("ocf-root", po::value(&o.daemon.scripts.ocf_root)
				->default_value("/usr/lib/ocf"),
	    "resource-agents' OCF root");
	add("init-dir", po::value(&o.daemon.scripts.init_d)
				->default_value("/etc/init.d"),
	    "init scripts, looked up after resource.d");
	// The environment may set the default: test suites whose dummy
	// scripts count every call turn the probe off there.
	const char *probe_env = getenv("RDBD_HEARTBEAT_STARTUP_PROBE");
	add("startup-probe",
	    po::value(&o.startup_probe)->default_value(probe_env ? probe_env : "on"),
	    "on: run every resource's status once at startup, to report "
	    "broken scripts before a failover needs them; off: do not "
	    "(default from $RDBD_HEARTBEAT_STARTUP_PROBE, else on)");
	add("json", po::bool_switch(&o.json), "status: JSON output");
	add("timeout", po::value(&o.fence_timeout_s)->default_value(20),
	    "fence-peer: seconds to wait for the peer's answer while it is "
	    "alive");
	return d;
}

struct CommandInfo {
	const char *name;
	const char *help;
};

const CommandInfo kCommands[] = {
	{"run", "run the daemon (the default without a command)"},
	{"check-config", "read ha.cf, authkeys and haresources; report"},
	{"status", "ask the daemon for its state ([--json])"},
	{"standby", "hand this node's resources to the peer (hb_standby)"},
	{"takeover", "take the peer's resources (hb_takeover)"},
	{"fence-peer", "rdbd's fence-peer handler: have the peer outdate RES "
		       "(dopd)"},
	{"cleanup", "forget fail counts and bans ([GROUP], default all)"},
	{"events", "print state changes as they happen ([--json])"},
	{"maintenance", "on|off: nothing is started, stopped or moved"},
};

bool known_command(const std::string &name)
{
	for (const auto &c : kCommands)
		if (name == c.name)
			return true;
	return false;
}

void usage(const po::options_description &d)
{
	std::cout << "usage: rdbd-heartbeat [options] [command] [--json]\n\n"
		     "Commands:\n";
	for (const auto &c : kCommands)
		std::cout << "  " << c.name
			  << std::string(16 - std::string(c.name).size(), ' ')
			  << c.help << "\n";
	std::cout << "\n" << d;
}

Options parse_command_line(int argc, char **argv)
{
	Options o;
	auto visible = visible_options(o);
	po::options_description all;
	all.add(visible).add_options()(
		"command", po::value(&o.command))(
		"args", po::value(&o.args)->multitoken());
	po::positional_options_description pos;
	pos.add("command", 1).add("args", -1);
	po::variables_map vm;
	try {
		po::store(po::command_line_parser(argc, argv)
				  .options(all)
				  .positional(pos)
				  .run(),
			  vm);
		po::notify(vm);
	} catch (const po::error &e) {
		throw UsageError(e.what());
	}
	if (vm.count("help")) {
		usage(visible);
		exit(0);
	}
	for (const auto &a : o.args) {
		if (a == "--json")
			o.json = true;
		else if ((o.command != "fence-peer" && o.command != "cleanup" &&
			  o.command != "maintenance") ||
			 a.rfind("-", 0) == 0 || o.args.size() > 1)
			throw UsageError("unexpected argument '" + a + "'");
	}
	if (o.daemon.self.empty())
		o.daemon.self = node_name();
	o.daemon.self = lowercase(o.daemon.self);
	o.daemon.scripts.resource_d = o.daemon.confdir + "/resource.d";
	if (o.stop_failure == "hold")
		o.daemon.stop_failure = StopFailure::kHold;
	else if (o.stop_failure != "reboot")
		throw UsageError("--stop-failure takes reboot or hold");
	if (o.startup_probe != "on" && o.startup_probe != "off")
		throw UsageError("--startup-probe takes on or off");
	o.daemon.startup_probe = o.startup_probe == "on";
	return o;
}

// uplink_group must name a haresources group (and there must be one).
void check_uplink_group(const HaConfig &c, const Haresources &r,
			const std::string &file)
{
	if (!c.uplinks.enabled())
		return;
	if (r.groups.empty())
		throw ConfigError(file + ": uplinks need a haresources group "
					 "to follow");
	if (c.uplinks.group.empty())
		return;
	for (const auto &g : r.groups)
		if (g.key() == c.uplinks.group)
			return;
	throw ConfigError(c.uplinks.group_where + ": uplink_group '" +
			  c.uplinks.group +
			  "' is not a haresources group");
}

struct Loaded {
	HaConfig config;
	AuthKeys keys;
	Haresources resources;
};

Loaded load_configuration(const Options &o)
{
	const std::string dir = o.daemon.confdir;
	Loaded l;
	l.config = parse_ha_cf(read_config_file(dir + "/ha.cf"), dir + "/ha.cf",
			       local_ipv4_addresses(), o.daemon.self);
	check_key_file(dir + "/authkeys");
	l.keys = parse_authkeys(read_config_file(dir + "/authkeys"),
				dir + "/authkeys");
	l.resources = parse_haresources(read_config_file(dir + "/haresources"),
					dir + "/haresources", l.config.nodes);
	l.config.ops.check(l.resources);
	check_uplink_group(l.config, l.resources, dir + "/ha.cf");
	if (auto &dns = l.config.uplinks.dns) {
		check_key_file(dns->keyfile); // a secret, as authkeys
		dns->key = parse_tsig_keyfile(read_config_file(dns->keyfile),
					      dns->keyfile);
	}
	return l;
}

void warn_about_crc(const AuthKeys &keys)
{
	if (!keys.uses_crc())
		return;
	log_error("!!! authkeys lists a crc key: crc authenticates nothing. "
		  "Anyone who can send a UDP packet to a heartbeat link can "
		  "forge heartbeats and steal or stop the service. Use sha256 "
		  "on any network link. !!!");
}

// One daemon per node: a second one would bind the same UDP port
// (SO_REUSEADDR) and unlink the first one's control socket.  The lock
// lives in the state directory and is held by the open file for the
// daemon's whole life (daemon(3) keeps it across its fork).
UniqueFd lock_single_instance(const std::string &state_dir)
{
	const std::string path = state_dir + "/lock";
	UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
	if (!fd)
		throw Error(kExitFailure, "cannot open " + path + ": " +
						  strerror(errno));
	if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
		std::string holder;
		std::ifstream(path) >> holder;
		throw Error(kExitFailure,
			    "another rdbd-heartbeat runs (" + path +
				    " is locked" +
				    (holder.empty() ? "" : " by pid " + holder) +
				    "); stop it first");
	}
	return fd;
}

void write_lock_owner(int fd)
{
	const std::string pid = std::to_string(getpid()) + "\n";
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, pid.data(), pid.size(), 0);
}

void daemonize(const std::string &pidfile)
{
	if (daemon(0, 0) != 0)
		throw Error(kExitFailure, "cannot become a daemon");
	if (!pidfile.empty())
		std::ofstream(pidfile) << getpid() << '\n';
}

int run_daemon(const Options &o)
{
	Loaded l = load_configuration(o);
	LogTargets t;
	t.to_stderr = o.foreground;
	t.verbose = o.verbose;
	t.logfile = l.config.logfile;
	t.debugfile = l.config.debugfile;
	t.facility = l.config.logfacility;
	// No log destination at all in ha.cf: syslog, as Heartbeat does.
	if (t.logfile.empty() && t.debugfile.empty() && t.facility.empty())
		t.facility = "daemon";
	log_setup(t);
	warn_about_crc(l.keys);
	mkdir(o.daemon.state_dir.c_str(), 0700);
	const UniqueFd lock = lock_single_instance(o.daemon.state_dir);
	if (!o.foreground) {
		// Once detached, errors reach only the log: try the links
		// here first, so a wrong interface is said on the terminal.
		for (const auto &link : l.config.links)
			open_link(link, l.config.udpport);
		daemonize(o.pidfile);
	}
	write_lock_owner(lock.get());
	// From here on standard error may be /dev/null: a fatal error must
	// reach the log too, or a detached daemon dies without a word.
	try {
		Daemon d(o.daemon, std::move(l.config), std::move(l.keys),
			 std::move(l.resources));
		d.run();
	} catch (const std::exception &e) {
		log_error(std::string("fatal: ") + e.what() + "; exiting");
		throw;
	}
	return kExitOk;
}

// The resource fence-peer is for: its argument, else what rdbd.ko put in
// the handler's environment.
std::string fence_resource(const Options &o)
{
	for (const auto &a : o.args)
		if (a != "--json")
			return a;
	for (const char *name : {"RDBD_RESOURCE", "DRBD_RESOURCE"})
		if (const char *v = getenv(name); v && *v)
			return v;
	throw UsageError("fence-peer: no resource (an argument, or "
			 "RDBD_RESOURCE / DRBD_RESOURCE as rdbd.ko sets them)");
}

// Runs as rdbd's fence-peer handler: exits with DRBD's fence-peer codes
// (hb_fence.h), which rdbdadm helper passes on to the kernel unchanged.
int fence_peer(const Options &o)
{
	const std::string resource = fence_resource(o);
	if (o.args.size() > 1)
		throw UsageError("fence-peer takes one resource");
	const unsigned ms = o.fence_timeout_s * 1000;
	std::string answer;
	try {
		answer = control_request(o.daemon.socket_path,
					 "fence-peer " + resource + " " +
						 std::to_string(ms),
					 o.fence_timeout_s + 5);
	} catch (const Error &e) {
		std::cerr << "rdbd-heartbeat: fence-peer " << resource << ": "
			  << e.what() << "\n";
		return kFenceUnknown;
	}
	const size_t nl = answer.find('\n');
	const auto code = parse_unsigned(answer.substr(0, nl));
	if (!code || *code > 255) {
		std::cerr << "rdbd-heartbeat: fence-peer " << resource
			  << ": " << answer;
		return kFenceUnknown;
	}
	std::cout << "rdbd-heartbeat: fence-peer " << resource << ": exit "
		  << *code << ": " << answer.substr(nl + 1);
	return static_cast<int>(*code);
}

int run(int argc, char **argv)
{
	const Options o = parse_command_line(argc, argv);
	if (!o.command.empty() && !known_command(o.command))
		throw UsageError("unknown command '" + o.command + "'");
	if (o.command.empty() || o.command == "run")
		return run_daemon(o);
	if (o.command == "check-config") {
		const Loaded l = load_configuration(o);
		std::cout << "ok: " << l.config.links.size() << " link(s), "
			  << l.resources.groups.size()
			  << " resource group(s), haresources checksum "
			  << l.resources.checksum << "\n";
		warn_about_crc(l.keys);
		return kExitOk;
	}
	if (o.command == "fence-peer")
		return fence_peer(o);
	if (o.command == "events") {
		control_stream(o.daemon.socket_path,
			       o.json ? "events --json" : "events");
		return kExitOk;
	}
	std::string request;
	if (o.command == "status")
		request = o.json ? "status --json" : "status";
	else if (o.command == "cleanup")
		request = o.args.empty() ? "cleanup" : "cleanup " + o.args[0];
	else if (o.command == "maintenance") {
		if (o.args.size() != 1 || (o.args[0] != "on" && o.args[0] != "off"))
			throw UsageError("maintenance takes on or off");
		request = "maintenance " + o.args[0];
	}
	else
		request = o.command; // standby, takeover
	const std::string answer = control_request(o.daemon.socket_path, request);
	std::cout << answer;
	return answer.rfind("error:", 0) == 0 ? kExitFailure : kExitOk;
}

} // namespace

} // namespace rdbd::hb

int main(int argc, char **argv)
{
	try {
		return rdbd::hb::run(argc, argv);
	} catch (const rdbd::Error &e) {
		std::cerr << "rdbd-heartbeat: " << e.what() << '\n';
		return e.exit_code();
	} catch (const std::exception &e) {
		std::cerr << "rdbd-heartbeat: " << e.what() << '\n';
		return rdbd::kExitFailure;
	}
}
