// ha.cf parser.  One directive per line, `#` starts a comment; every
// mistake is reported as "FILE:LINE: ..." and stops the daemon: a failover
// manager that guesses at its configuration is worse than none.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "hb_config.h"
#include "hb_log.h"
#include "hb_text.h"

namespace rdbd::hb {

std::string LinkConfig::name() const
{
	return kind == Kind::kUnicast ? interface + "/" + peer_ip : interface;
}

Millis HaConfig::effective_warntime() const
{
	return warntime ? *warntime : deadtime / 2;
}

Millis HaConfig::effective_initdead() const
{
	if (initdead)
		return *initdead;
	if (deadtime > Millis(10000))
		return deadtime;
	if (deadtime < Millis(6000))
		return Millis(12000);
	return 2 * deadtime;
}

std::optional<Millis> parse_duration(const std::string &text)
{
	std::string number = text;
	double scale = 1000.0; // bare numbers are seconds
	if (ends_with(text, "ms")) {
		number = text.substr(0, text.size() - 2);
		scale = 1.0;
	} else if (ends_with(text, "us")) {
		number = text.substr(0, text.size() - 2);
		scale = 0.001;
	}
	if (number.empty() ||
	    number.find_first_not_of("0123456789.") != std::string::npos ||
	    std::count(number.begin(), number.end(), '.') > 1 ||
	    number == ".")
		return std::nullopt;
	double ms;
	try {
		ms = std::stod(number) * scale;
	} catch (const std::out_of_range &) { // beyond a double's range
		return std::nullopt;
	}
	if (!std::isfinite(ms) || ms > 24.0 * 3600 * 1000)
		return std::nullopt;
	return Millis(static_cast<long long>(std::llround(ms)));
}

namespace {

// Directives Heartbeat knows that rdbd-heartbeat does not implement: named
// as such, so nobody believes a ping node or a serial cable protects them.
const std::set<std::string> kUnsupported = {
	"mcast",   "mcast6",	  "serial",	"baud",
	"crm",	      "pacemaker",
	"use_logd",	  "conn_logd_time", "compression",
	"compression_threshold",  "traditional_compression", "hopfudge",
	"stonith", "stonith_host", "watchdog", "realtime", "debug",
	"msgfmt",  "coredumps",	  "autojoin",	"uuidfrom",   "rtprio",
	"generation_file_fsync", "max_rexmit_delay", "hbgenmethod",
	"memreserve", "ucast6", "bcast6", "nice_failback"};

const std::set<std::string> kDirectives = {
	"node",	    "ucast",	"bcast",	 "keepalive",
	"deadtime", "warntime", "initdead",	 "udpport",
	"auto_failback", "logfile", "debugfile", "logfacility",
	"rsc_defaults", "rsc_options", "uplink", "uplink_timing",
	"uplink_group", "uplink_log", "uplink_hook", "dns_update",
	"ping", "ping_group", "deadping", "respawn", "apiauth"};

// Given at most once; `uplink` and the media lines repeat.
const std::set<std::string> kUplinkSingles = {
	"uplink_timing", "uplink_group", "uplink_log", "uplink_hook",
	"dns_update"};

} // namespace

const std::set<std::string> &ha_cf_directives() { return kDirectives; }

const std::set<std::string> &ha_cf_unsupported_directives()
{
	return kUnsupported;
}

namespace {

bool parse_bool(const std::string &v, bool &out)
{
	static const std::set<std::string> yes = {"true", "on", "yes", "y",
						  "1"};
	static const std::set<std::string> no = {"false", "off", "no", "n",
						 "0"};
	const std::string lower = lowercase(v);
	if (yes.count(lower))
		out = true;
	else if (no.count(lower))
		out = false;
	else
		return false;
	return true;
}

class HaCfParser {
public:
	HaCfParser(const std::string &file, const std::vector<std::string> &ips)
		: file_(file), own_ips_(ips.begin(), ips.end())
	{
	}

	void line(size_t number, const std::vector<std::string> &words);
	HaConfig finish(const std::string &self);

private:
	[[noreturn]] void fail(const std::string &message) const
	{
		throw ConfigError(file_ + ":" + std::to_string(line_) + ": " +
				  message);
	}
	void want_args(const std::vector<std::string> &w, size_t min,
		       size_t max) const;
	Millis duration(const std::string &directive,
			const std::string &value) const;
	void media(const std::vector<std::string> &w);
	void simple(const std::vector<std::string> &w);
	void ops(const std::vector<std::string> &w);
	void ping(const std::vector<std::string> &w);
	void add_node(const std::string &name);
	// Fails at the line of `directive`, which was given.
	[[noreturn]] void fail_at(const std::string &directive,
				  const std::string &message);

	std::string file_;
	std::set<std::string> own_ips_;
	size_t line_ = 0;
	HaConfig config_;
	std::map<std::string, size_t> seen_; // single-valued directives
	std::map<std::string, size_t> node_lines_; // node -> its line
};

// A node twice or a third node is refused where it is written.
void HaCfParser::add_node(const std::string &name)
{
	const std::string node = lowercase(name);
	if (node_lines_.count(node))
		fail("node '" + name + "' is listed twice (first at line " +
		     std::to_string(node_lines_[node]) + ")");
	if (config_.nodes.size() == 2)
		fail("a third node '" + name +
		     "': rdbd-heartbeat runs two-node clusters");
	node_lines_[node] = line_;
	config_.nodes.push_back(node);
}

void HaCfParser::fail_at(const std::string &directive,
			 const std::string &message)
{
	line_ = seen_.at(directive);
	fail(message);
}

void HaCfParser::want_args(const std::vector<std::string> &w, size_t min,
			   size_t max) const
{
	const size_t n = w.size() - 1;
	if (n < min)
		fail("'" + w[0] + "' needs " +
		     (min == max ? std::to_string(min) : "at least " +
				     std::to_string(min)) +
		     " argument" + (min == 1 ? "" : "s"));
	if (n > max)
		fail("'" + w[0] + "' takes " + std::to_string(max) +
		     " argument" + (max == 1 ? "" : "s") + ", got " +
		     std::to_string(n));
}

Millis HaCfParser::duration(const std::string &directive,
			    const std::string &value) const
{
	const auto d = parse_duration(value);
	if (!d)
		fail("bad time '" + value + "' for " + directive +
		     " (seconds like 2 or 0.5, or 500ms)");
	if (d->count() <= 0)
		fail(directive + " must be more than 0");
	return *d;
}

void HaCfParser::media(const std::vector<std::string> &w)
{
	LinkConfig link;
	link.where = file_ + ":" + std::to_string(line_);
	if (w[0] == "ucast") {
		want_args(w, 2, 2);
		if (!is_ipv4(w[2]))
			fail("ucast needs an IPv4 address, got '" + w[2] + "'");
		// One ha.cf for both nodes lists both addresses.
		if (own_ips_.count(w[2]))
			return;
		link.kind = LinkConfig::Kind::kUnicast;
		link.interface = w[1];
		link.peer_ip = w[2];
		config_.links.push_back(link);
		return;
	}
	want_args(w, 1, 16);
	for (size_t i = 1; i < w.size(); i++) {
		link.kind = LinkConfig::Kind::kBroadcast;
		link.interface = w[i];
		config_.links.push_back(link);
	}
}

void HaCfParser::simple(const std::vector<std::string> &w)
{
	const std::string &d = w[0];
	if (seen_.count(d))
		fail("'" + d + "' given twice (first at line " +
		     std::to_string(seen_[d]) + ")");
	seen_[d] = line_;
	want_args(w, 1, 1);
	const std::string &v = w[1];
	if (d == "keepalive") {
		config_.keepalive = duration(d, v);
	} else if (d == "deadtime") {
		config_.deadtime = duration(d, v);
	} else if (d == "warntime") {
		config_.warntime = duration(d, v);
	} else if (d == "initdead") {
		config_.initdead = duration(d, v);
	} else if (d == "deadping") {
		config_.deadping = duration(d, v);
	} else if (d == "udpport") {
		if (!config_.links.empty())
			fail("udpport must come before the first ucast or "
			     "bcast line (Heartbeat silently ignores it there)");
		const auto port = parse_unsigned(v);
		if (!port || *port == 0 || *port > 65535)
			fail("bad udpport '" + v + "' (1-65535)");
		config_.udpport = static_cast<unsigned>(*port);
	} else if (d == "auto_failback") {
		if (lowercase(v) == "legacy")
			fail("auto_failback legacy is not supported: use on "
			     "or off");
		if (!parse_bool(v, config_.auto_failback))
			fail("auto_failback takes on or off, got '" + v + "'");
	} else if (d == "logfile") {
		config_.logfile = v;
	} else if (d == "debugfile") {
		config_.debugfile = v;
	} else {
		if (!is_log_facility(v))
			fail("unknown logfacility '" + v + "' (daemon, user, "
			     "authpriv, local0-local7 or none)");
		config_.logfacility = v;
	}
}

void HaCfParser::ops(const std::vector<std::string> &w)
{
	const std::string where = file_ + ":" + std::to_string(line_);
	if (w[0] == "rsc_defaults") {
		if (seen_.count(w[0]))
			fail("'rsc_defaults' given twice (first at line " +
			     std::to_string(seen_[w[0]]) + ")");
		seen_[w[0]] = line_;
		parse_ops_words(w, 1, where, config_.ops.defaults);
		return;
	}
	want_args(w, 2, 16);
	OpsOverride o;
	parse_ops_words(w, 2, where, o);
	config_.ops.resources.emplace_back(w[1], o);
}

// ping, ping_group and respawn (of ipfail only: rdbd-heartbeat has the
// rule built in, and runs no other client programs).
void HaCfParser::ping(const std::vector<std::string> &w)
{
	const std::string where = file_ + ":" + std::to_string(line_);
	auto add = [&](const std::string &name,
		       std::vector<std::string> ips) {
		for (const auto &p : config_.ping_nodes)
			if (p.name == name)
				fail("ping node '" + name +
				     "' is listed twice (first at " + p.where + ")");
		for (const auto &ip : ips)
			if (!is_ipv4(ip))
				fail(w[0] + " needs IPv4 addresses, got '" + ip + "'");
		config_.ping_nodes.push_back({name, std::move(ips), where});
	};
	if (w[0] == "ping") {
		want_args(w, 1, 16);
		for (size_t i = 1; i < w.size(); i++)
			add(w[i], {w[i]});
	} else if (w[0] == "ping_group") {
		want_args(w, 2, 17);
		if (is_ipv4(w[1]))
			fail("ping_group needs a NAME before its addresses");
		add(w[1], {w.begin() + 2, w.end()});
	} else {
		want_args(w, 2, 16);
		const std::string &program = w[2];
		const auto slash = program.rfind('/');
		if (program[0] != '/' || program.substr(slash + 1) != "ipfail")
			fail("respawn runs only ipfail (built in: the ping node "
			     "rule); got '" + program + "'");
		if (seen_.count("respawn"))
			fail("'respawn' given twice (first at line " +
			     std::to_string(seen_["respawn"]) + ")");
		seen_["respawn"] = line_;
		config_.ipfail = true;
	}
}

void HaCfParser::line(size_t number, const std::vector<std::string> &w)
{
	line_ = number;
	const std::string &d = w[0];
	if (!kDirectives.count(d))
		fail(kUnsupported.count(d) ? "directive '" + d +
						     "' is not supported by "
						     "rdbd-heartbeat"
					   : "unknown directive '" + d + "'");
	if (d == "node") {
		want_args(w, 1, 64);
		for (size_t i = 1; i < w.size(); i++)
			add_node(w[i]);
	} else if (d == "ucast" || d == "bcast") {
		media(w);
	} else if (d == "rsc_defaults" || d == "rsc_options") {
		ops(w); // hb_ops.h
	} else if (d == "apiauth") {
		// Heartbeat's own defaults for its built-in clients; written
		// out in many ha.cf files next to `respawn ... ipfail`.
		want_args(w, 2, 3);
		static const std::set<std::string> builtin = {"ipfail", "ping",
							      "cl_status"};
		if (!builtin.count(w[1]))
			fail("apiauth for '" + w[1] + "': rdbd-heartbeat has "
			     "no API clients (ipfail, ping and cl_status are "
			     "built in and accepted)");
	} else if (d == "ping" || d == "ping_group" || d == "respawn") {
		ping(w);
	} else if (d.rfind("uplink", 0) == 0 || d == "dns_update") {
		if (kUplinkSingles.count(d)) {
			if (seen_.count(d))
				fail("'" + d + "' given twice (first at line " +
				     std::to_string(seen_[d]) + ")");
			seen_[d] = line_;
		}
		parse_uplink_directive(w, file_ + ":" + std::to_string(line_),
				       config_.uplinks); // hb_uplink_parser.cc
	} else {
		simple(w);
	}
}

HaConfig HaCfParser::finish(const std::string &self)
{
	// Only what is missing has no line to point at.
	auto fail_missing = [this](const std::string &m) {
		throw ConfigError(file_ + ": no " + m);
	};
	HaConfig &c = config_;
	if (c.nodes.empty())
		fail_missing("'node' line: name both cluster nodes");
	if (c.nodes.size() == 1)
		fail_missing("second node: rdbd-heartbeat runs two-node "
			     "clusters; only '" + c.nodes[0] + "' is listed");
	if (!node_lines_.count(lowercase(self)))
		fail_missing("'node' line lists this node '" + self + "'");
	if (c.links.empty())
		fail_missing("heartbeat link: add 'ucast IF PEER-IP' or "
			     "'bcast IF' lines");
	// Defaults pass these checks: a failing one names a given line.
	if (c.deadtime <= 2 * c.keepalive)
		fail_at(seen_.count("deadtime") ? "deadtime" : "keepalive",
			"deadtime (" + std::to_string(c.deadtime.count()) +
				" ms) must be more than twice keepalive (" +
				std::to_string(c.keepalive.count()) + " ms)");
	if (c.warntime && *c.warntime >= c.deadtime)
		fail_at("warntime", "warntime must be less than deadtime");
	if (c.initdead && *c.initdead < c.deadtime)
		fail_at("initdead", "initdead must be at least deadtime");
	check_uplinks(c.uplinks, file_);
	if (c.ipfail && c.ping_nodes.empty())
		fail_at("respawn", "ipfail needs ping nodes: add 'ping IP' or "
				   "'ping_group NAME IP...' lines");
	if (c.deadping && c.ping_nodes.empty())
		fail_at("deadping", "deadping without ping nodes");
	return c;
}

} // namespace

HaConfig parse_ha_cf(const std::string &text, const std::string &file,
		     const std::vector<std::string> &own_ips,
		     const std::string &self)
{
	HaCfParser parser(file, own_ips);
	for_each_config_line(text, [&](size_t n, const std::string &content) {
		parser.line(n, split_words(content));
	});
	return parser.finish(self);
}

} // namespace rdbd::hb
