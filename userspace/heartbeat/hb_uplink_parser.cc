// The uplink directives of ha.cf (hb_uplink_config.h).  Called by the
// ha.cf parser with the line's words; errors name "FILE:LINE".
#include <openssl/evp.h>

#include <map>
#include <regex>
#include <set>

#include "hb_config.h"
#include "hb_text.h"

namespace rdbd::hb {

namespace {

[[noreturn]] void fail(const std::string &where, const std::string &m)
{
	throw ConfigError(where + ": " + m);
}

// KEY=VALUE words after the first `skip`; each key once, all known.
std::map<std::string, std::string>
key_values(const std::vector<std::string> &w, size_t skip,
	   const std::set<std::string> &known, const std::string &where)
{
	std::map<std::string, std::string> out;
	for (size_t i = skip; i < w.size(); i++) {
		const auto eq = w[i].find('=');
		if (eq == std::string::npos || eq == 0)
			fail(where, "'" + w[0] + "' takes KEY=VALUE words, got '" +
					    w[i] + "'");
		const std::string key = w[i].substr(0, eq);
		if (!known.count(key))
			fail(where, "unknown key '" + key + "' for " + w[0] +
					    " (known: " +
					    join({known.begin(), known.end()}, ", ") +
					    ")");
		if (out.count(key))
			fail(where, "'" + key + "' given twice");
		out[key] = w[i].substr(eq + 1);
	}
	return out;
}

std::string required(const std::map<std::string, std::string> &kv,
		     const std::string &key, const std::string &directive,
		     const std::string &where)
{
	const auto it = kv.find(key);
	if (it == kv.end() || it->second.empty())
		fail(where, directive + " needs " + key + "=");
	return it->second;
}

std::string ipv4(const std::string &v, const std::string &what,
		 const std::string &where)
{
	if (!is_ipv4(v))
		fail(where, what + " needs an IPv4 address, got '" + v + "'");
	return v;
}

bool valid_interface(const std::string &s)
{
	return !s.empty() && s.size() < 16 && s.find('/') == std::string::npos &&
	       s.find_first_of(" \t") == std::string::npos;
}

// A DNS name: dot-separated labels of 1-63 letters, digits, '-' and '_'.
bool valid_dns_name(const std::string &s)
{
	static const std::regex re(
		R"(^([A-Za-z0-9_]([A-Za-z0-9_-]{0,62})\.)*[A-Za-z0-9_][A-Za-z0-9_-]{0,62}\.?$)");
	return s.size() <= 253 && std::regex_match(s, re);
}

std::string without_dot(std::string s)
{
	if (!s.empty() && s.back() == '.')
		s.pop_back();
	return lowercase(s);
}

void parse_uplink(const std::vector<std::string> &w, const std::string &where,
		  UplinksConfig &c)
{
	if (w.size() < 2 || w[1].find('=') != std::string::npos)
		fail(where, "uplink needs a NAME first: uplink NAME dev=IF "
			    "gateway=IP address=IP/BITS probe=IP[,IP]");
	UplinkConfig u;
	u.name = w[1];
	u.where = where;
	for (const auto &other : c.uplinks)
		if (other.name == u.name)
			fail(where, "uplink '" + u.name + "' is defined twice "
				    "(first at " + other.where + ")");
	const auto kv = key_values(
		w, 2, {"dev", "gateway", "address", "probe", "public"}, where);
	u.dev = required(kv, "dev", "uplink", where);
	if (!valid_interface(u.dev))
		fail(where, "bad interface name '" + u.dev + "'");
	for (const auto &other : c.uplinks)
		if (other.dev == u.dev)
			fail(where, "uplinks '" + other.name + "' and '" +
					    u.name + "' share dev=" + u.dev);
	u.gateway = ipv4(required(kv, "gateway", "uplink", where), "gateway=",
			 where);
	const std::string addr = required(kv, "address", "uplink", where);
	const auto slash = addr.find('/');
	u.address = ipv4(addr.substr(0, slash), "address=", where);
	if (slash != std::string::npos) {
		const auto bits = parse_unsigned(addr.substr(slash + 1));
		if (!bits || *bits < 1 || *bits > 32)
			fail(where, "bad prefix length in address=" + addr);
		u.prefix = static_cast<unsigned>(*bits);
	}
	for (const auto &p : split(required(kv, "probe", "uplink", where), ','))
		u.probes.push_back(ipv4(p, "probe=", where));
	if (u.probes.size() > 8)
		fail(where, "at most 8 probe targets per uplink");
	u.public_address = kv.count("public")
				   ? ipv4(kv.at("public"), "public=", where)
				   : u.address;
	c.uplinks.push_back(u);
}

void parse_timing(const std::vector<std::string> &w, const std::string &where,
		  UplinkTiming &t)
{
	const auto kv = key_values(w, 1, {"interval", "down", "up", "holddown"},
				   where);
	auto time = [&](const std::string &key, std::chrono::milliseconds &out) {
		if (!kv.count(key))
			return;
		const auto d = parse_duration(kv.at(key));
		if (!d || d->count() <= 0)
			fail(where, "bad time '" + kv.at(key) + "' for " + key +
					    " (seconds like 2 or 0.5, or 500ms)");
		out = *d;
	};
	auto count = [&](const std::string &key, unsigned &out) {
		if (!kv.count(key))
			return;
		const auto n = parse_unsigned(kv.at(key));
		if (!n || *n < 1 || *n > 1000)
			fail(where, "bad count '" + kv.at(key) + "' for " + key +
					    " (1-1000 probe rounds)");
		out = static_cast<unsigned>(*n);
	};
	time("interval", t.interval);
	time("holddown", t.holddown);
	count("down", t.down);
	count("up", t.up);
	if (t.interval < std::chrono::milliseconds(100))
		fail(where, "interval must be at least 100ms");
}

void parse_dns(const std::vector<std::string> &w, const std::string &where,
	       UplinksConfig &c)
{
	const auto kv = key_values(
		w, 1, {"server", "zone", "name", "keyfile", "ttl"}, where);
	DnsUpdateConfig d;
	d.where = where;
	std::string server = required(kv, "server", "dns_update", where);
	const auto colon = server.find(':');
	if (colon != std::string::npos) {
		const auto port = parse_unsigned(server.substr(colon + 1));
		if (!port || *port == 0 || *port > 65535)
			fail(where, "bad port in server=" + server);
		d.port = static_cast<unsigned>(*port);
		server = server.substr(0, colon);
	}
	d.server = ipv4(server, "server=", where);
	d.zone = required(kv, "zone", "dns_update", where);
	d.name = required(kv, "name", "dns_update", where);
	for (const auto *n : {&d.zone, &d.name}) {
		if (!valid_dns_name(*n))
			fail(where, "bad DNS name '" + *n + "'");
	}
	d.zone = without_dot(d.zone);
	d.name = without_dot(d.name);
	if (d.name != d.zone &&
	    (d.name.size() <= d.zone.size() ||
	     !ends_with(d.name, "." + d.zone)))
		fail(where, "name=" + d.name + " is not inside zone=" + d.zone);
	d.keyfile = required(kv, "keyfile", "dns_update", where);
	if (d.keyfile[0] != '/')
		fail(where, "keyfile= needs an absolute path");
	if (kv.count("ttl")) {
		const auto ttl = parse_unsigned(kv.at("ttl"));
		if (!ttl || *ttl > 86400)
			fail(where, "bad ttl '" + kv.at("ttl") + "' (0-86400)");
		d.ttl = static_cast<unsigned>(*ttl);
	}
	c.dns = d;
}

} // namespace

// Returns false if `w[0]` is not an uplink directive.
bool parse_uplink_directive(const std::vector<std::string> &w,
			    const std::string &where, UplinksConfig &c)
{
	const std::string &d = w[0];
	if (d == "uplink") {
		parse_uplink(w, where, c);
	} else if (d == "uplink_timing") {
		parse_timing(w, where, c.timing);
	} else if (d == "dns_update") {
		parse_dns(w, where, c);
	} else if (d == "uplink_group" || d == "uplink_log" ||
		   d == "uplink_hook") {
		if (w.size() != 2)
			fail(where, "'" + d + "' needs 1 argument");
		if (d != "uplink_group" && w[1][0] != '/')
			fail(where, d + " needs an absolute path");
		(d == "uplink_group" ? c.group : d == "uplink_log" ? c.log
								   : c.hook) = w[1];
		if (d == "uplink_group")
			c.group_where = where;
	} else {
		return false;
	}
	return true;
}

// After the whole file: what only makes sense with uplinks.
void check_uplinks(const UplinksConfig &c, const std::string &file)
{
	if (c.uplinks.empty()) {
		if (c.dns || !c.hook.empty() || !c.group.empty() || !c.log.empty())
			throw ConfigError(file + ": no 'uplink' line, but other "
						 "uplink_ or dns_update lines");
		return;
	}
	if (c.uplinks.size() < 2)
		throw ConfigError(c.uplinks[0].where +
				  ": only one uplink: add a backup uplink to "
				  "switch to");
	if (c.timing.holddown < c.timing.interval)
		throw ConfigError(file + ": uplink_timing holddown must be at "
					 "least one interval");
}

TsigKey parse_tsig_keyfile(const std::string &text, const std::string &file)
{
	static const std::regex re(
		R"re(key\s+"?([A-Za-z0-9._-]+)"?\s*\{\s*algorithm\s+"?([A-Za-z0-9-]+)"?\s*;\s*secret\s+"([A-Za-z0-9+/=]+)"\s*;\s*\}\s*;)re");
	std::string clean;
	for_each_config_line(text, [&](size_t, const std::string &l) {
		clean += l + "\n";
	});
	std::smatch m;
	if (!std::regex_search(clean, m, re))
		throw ConfigError(file + ": no key clause as tsig-keygen writes "
					 "it: key \"NAME\" { algorithm "
					 "hmac-sha256; secret \"BASE64\"; };");
	TsigKey k;
	k.name = lowercase(m[1].str());
	if (k.name.back() != '.')
		k.name += '.';
	k.algorithm = lowercase(m[2].str());
	if (k.algorithm != "hmac-sha256")
		throw ConfigError(file + ": key algorithm " + k.algorithm +
				  " is not supported: use hmac-sha256");
	const std::string b64 = m[3].str();
	std::vector<uint8_t> out(b64.size());
	const int n = EVP_DecodeBlock(out.data(),
				      reinterpret_cast<const unsigned char *>(
					      b64.data()),
				      static_cast<int>(b64.size()));
	if (n <= 0 || b64.size() % 4)
		throw ConfigError(file + ": the key's secret is not base64");
	size_t pad = 0;
	for (size_t i = b64.size(); i > 0 && b64[i - 1] == '='; i--)
		pad++;
	out.resize(static_cast<size_t>(n) - pad);
	if (out.size() < 16)
		throw ConfigError(file + ": the key's secret is shorter than "
					 "16 bytes");
	k.secret = out;
	return k;
}

} // namespace rdbd::hb
