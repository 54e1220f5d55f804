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
	const double ms = std::stod(number) * scale;
	if (!std::isfinite(ms) || ms > 24.0 * 3600 * 1000)
		return std::nullopt;
	return Millis(static_cast<long long>(std::llround(ms)));
}

namespace {

// Directives Heartbeat knows that rdbd-heartbeat does not implement: named
// as such, so nobody believes a ping node or a serial cable protects them.
const std::set<std::string> kUnsupported = {
	"mcast",   "mcast6",	  "serial",	"baud",	      "ping",
	"ping_group", "respawn",  "apiauth",	"crm",	      "pacemaker",
	"deadping", "use_logd",	  "conn_logd_time", "compression",
	"compression_threshold",  "traditional_compression", "hopfudge",
	"stonith", "stonith_host", "watchdog", "realtime", "debug",
	"msgfmt",  "coredumps",	  "autojoin",	"uuidfrom",   "rtprio",
	"generation_file_fsync", "max_rexmit_delay", "hbgenmethod",
	"memreserve", "ucast6", "bcast6", "nice_failback"};

const std::set<std::string> kDirectives = {
	"node",	    "ucast",	"bcast",	 "keepalive",
	"deadtime", "warntime", "initdead",	 "udpport",
	"auto_failback", "logfile", "debugfile", "logfacility"};

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

	std::string file_;
	std::set<std::string> own_ips_;
	size_t line_ = 0;
	HaConfig config_;
	std::map<std::string, size_t> seen_; // single-valued directives
};

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
			config_.nodes.push_back(lowercase(w[i]));
	} else if (d == "ucast" || d == "bcast") {
		media(w);
	} else {
		simple(w);
	}
}

HaConfig HaCfParser::finish(const std::string &self)
{
	auto fail_file = [this](const std::string &m) {
		throw ConfigError(file_ + ": " + m);
	};
	HaConfig &c = config_;
	std::set<std::string> unique(c.nodes.begin(), c.nodes.end());
	if (c.nodes.empty())
		fail_file("no 'node' line: name both cluster nodes");
	if (unique.size() != c.nodes.size())
		fail_file("a node is listed twice");
	if (c.nodes.size() != 2)
		fail_file("rdbd-heartbeat runs two-node clusters; " +
			  std::to_string(c.nodes.size()) + " nodes are listed");
	if (!unique.count(lowercase(self)))
		fail_file("this node '" + self +
			  "' is not listed in a 'node' line");
	if (c.links.empty())
		fail_file("no heartbeat link: add 'ucast IF PEER-IP' or "
			  "'bcast IF' lines");
	if (c.deadtime <= 2 * c.keepalive)
		fail_file("deadtime (" + std::to_string(c.deadtime.count()) +
			  " ms) must be more than twice keepalive (" +
			  std::to_string(c.keepalive.count()) + " ms)");
	if (c.warntime && *c.warntime >= c.deadtime)
		fail_file("warntime must be less than deadtime");
	if (c.initdead && *c.initdead < c.deadtime)
		fail_file("initdead must be at least deadtime");
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
