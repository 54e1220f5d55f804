// The man pages of rdbd-heartbeat against the program: every ha.cf
// directive the parser accepts or refuses, every authkeys method, every
// OCF_RESKEY_ the wrapper sets, every command and option of --help and
// every drop counter must be documented, so a new one cannot ship
// without its documentation.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "hb_auth.h"
#include "hb_config.h"
#include "hb_daemon.h"
#include "hb_messages.h"
#include "hb_resources.h"

using namespace rdbd::hb;

namespace {

// Roff source to plain words: font changes, escaped dashes and zero-width
// marks removed.
std::string deroff(std::string line)
{
	line = std::regex_replace(line, std::regex(R"(\\f[BIRP])"), "");
	line = std::regex_replace(line, std::regex(R"(\\-)"), "-");
	line = std::regex_replace(line, std::regex(R"(\\&)"), "");
	line = std::regex_replace(line, std::regex(R"(\\e)"), "\\");
	return line;
}

// A page, cut at its .SH and .SS headings ("SH" or "SH/SS").  A tag is a
// word of the line after a .TP: what a definition list defines.
struct ManPage {
	std::map<std::string, std::set<std::string>> tags;
	std::map<std::string, std::string> text;

	// Tags in section `sh`, its subsections included.
	std::set<std::string> tags_under(const std::string &sh) const
	{
		std::set<std::string> out;
		for (const auto &[key, words] : tags)
			if (key == sh || key.rfind(sh + "/", 0) == 0)
				out.insert(words.begin(), words.end());
		return out;
	}
	const std::string &section_text(const std::string &key) const
	{
		static const std::string none;
		const auto it = text.find(key);
		return it == text.end() ? none : it->second;
	}
};

std::vector<std::string> words_of(const std::string &macro_line)
{
	// ".BR \-c ", " \-\-config\-dir" -> {"-c", "--config-dir"}
	std::string rest = deroff(macro_line);
	rest = rest.substr(std::min(rest.find(' '), rest.size()));
	std::vector<std::string> out;
	static const std::regex word(R"([A-Za-z0-9_.:/-]+)");
	for (auto it = std::sregex_iterator(rest.begin(), rest.end(), word);
	     it != std::sregex_iterator(); ++it)
		out.push_back(it->str());
	return out;
}

ManPage read_page(const std::string &name)
{
	const std::string path = std::string(RDBD_SOURCE_DIR) + "/doc/" + name;
	std::ifstream in(path);
	REQUIRE(in);
	ManPage page;
	std::string sh, key, line;
	bool tag_next = false;
	while (std::getline(in, line)) {
		if (line.rfind(".SH ", 0) == 0) {
			sh = key = deroff(line.substr(4));
			continue;
		}
		if (line.rfind(".SS ", 0) == 0) {
			key = sh + "/" + deroff(line.substr(4));
			continue;
		}
		if (line == ".TP") {
			tag_next = true;
			continue;
		}
		if (tag_next)
			for (const auto &w : words_of(line))
				page.tags[key].insert(w);
		tag_next = false;
		page.text[key] += " " + deroff(line) + " ";
	}
	return page;
}

bool mentions(const std::string &text, const std::string &word)
{
	const std::regex whole("(^|[^A-Za-z0-9_])" + word + "($|[^A-Za-z0-9_])");
	return std::regex_search(text, whole);
}

std::string help_text()
{
	FILE *p = popen(RDBD_HEARTBEAT_PROGRAM " --help", "r");
	REQUIRE(p);
	std::string out;
	char buf[4096];
	for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;)
		out.append(buf, n);
	REQUIRE(pclose(p) == 0);
	return out;
}

} // namespace

TEST_CASE("man: every ha.cf directive is documented with the parser's verdict",
	  "[hb][man]")
{
	const ManPage page = read_page("rdbd-ha.cf.5");
	const auto documented = page.tags_under("HA.CF/Directives");
	for (const auto &d : ha_cf_directives()) {
		INFO("accepted directive " << d);
		CHECK(documented.count(d));
	}
	const std::string &rejected = page.section_text("HA.CF/Rejected directives");
	for (const auto &d : ha_cf_unsupported_directives()) {
		INFO("rejected directive " << d);
		CHECK(mentions(rejected, d));
		CHECK_FALSE(documented.count(d));
	}
	// And nothing documented as accepted that the parser refuses.
	for (const auto &d : documented) {
		if (!islower(static_cast<unsigned char>(d[0])))
			continue; // an argument: NAME, IF, TIME, ...
		if (d == "on" || d == "off")
			continue; // auto_failback's values
		INFO("documented directive " << d);
		CHECK(ha_cf_directives().count(d));
	}
}

TEST_CASE("man: every authkeys method is documented", "[hb][man]")
{
	const auto tags = read_page("rdbd-ha.cf.5").tags_under("AUTHKEYS");
	CHECK(tags.count("auth"));
	for (auto m : {AuthMethod::kCrc, AuthMethod::kMd5, AuthMethod::kSha1,
		       AuthMethod::kSha256}) {
		INFO("method " << method_name(m));
		CHECK(tags.count(method_name(m)));
	}
}

TEST_CASE("man: every OCF_RESKEY_ the wrapper sets is documented", "[hb][man]")
{
	char tmpl[] = "/tmp/hb-man-XXXXXX";
	const std::string root = mkdtemp(tmpl);
	const std::string agents = root + "/resource.d/heartbeat";
	REQUIRE(system(("mkdir -p " + agents).c_str()) == 0);
	ScriptDirs dirs;
	dirs.resource_d = root + "/none";
	dirs.init_d = root + "/none";
	dirs.ocf_root = root;
	const ManPage page = read_page("rdbd-heartbeat.8");
	const auto tags = page.tags_under("RESOURCES");
	const std::string &text =
		page.section_text("RESOURCES/IPaddr, IPaddr2 and Filesystem");
	for (const char *token : {"IPaddr2::10.0.0.9/24/eth0:web/10.0.0.255",
				  "IPaddr::10.0.0.9/24/10.0.0.255",
				  "Filesystem::/dev/rdbd0::/data::ext4::noatime"}) {
		const ResourceSpec spec = parse_resource(token, "test");
		const std::string agent = agents + "/" + spec.name;
		std::ofstream(agent) << "#!/bin/sh\n";
		chmod(agent.c_str(), 0755);
		std::string why;
		const auto c = resource_command(spec, Action::kStart, dirs, why);
		REQUIRE(c);
		for (const auto &e : c->env) {
			const std::string name = e.substr(0, e.find('='));
			INFO(token << ": " << name);
			// Parameters are a definition each; the rest is named.
			if (name.rfind("OCF_RESKEY_", 0) == 0)
				CHECK(tags.count(name));
			else
				CHECK(mentions(text, name));
		}
	}
	REQUIRE(system(("rm -rf " + root).c_str()) == 0);
}

TEST_CASE("man: every command and option of --help is documented", "[hb][man]")
{
	const ManPage page = read_page("rdbd-heartbeat.8");
	const std::string help = help_text();
	const size_t commands_at = help.find("Commands:\n");
	const size_t options_at = help.find("Options:\n");
	REQUIRE(commands_at != std::string::npos);
	REQUIRE(options_at != std::string::npos);

	std::istringstream commands(help.substr(commands_at, options_at - commands_at));
	std::string line;
	std::set<std::string> listed;
	std::getline(commands, line); // "Commands:"
	while (std::getline(commands, line))
		if (line.size() > 2 && line[2] != ' ')
			listed.insert(line.substr(2, line.find(' ', 2) - 2));
	CHECK(listed.size() >= 5);
	const auto documented = page.tags_under("COMMANDS");
	for (const auto &c : listed) {
		INFO("command " << c);
		CHECK(documented.count(c));
	}
	for (const auto &c : documented) {
		if (c.rfind("--", 0) == 0)
			continue; // status's --json
		INFO("documented command " << c);
		CHECK(listed.count(c));
	}

	const std::string options = help.substr(options_at);
	const auto option_tags = page.tags_under("OPTIONS");
	static const std::regex option(R"((^|[ \[])(--?[a-z][a-z-]*))");
	size_t seen = 0;
	for (auto it = std::sregex_iterator(options.begin(), options.end(), option);
	     it != std::sregex_iterator(); ++it, ++seen) {
		const std::string name = (*it)[2];
		INFO("option " << name);
		CHECK(option_tags.count(name));
	}
	CHECK(seen >= 15);
}

TEST_CASE("man: every drop counter is documented", "[hb][man]")
{
	const ManPage page = read_page("rdbd-heartbeat.8");
	const std::string &json = page.section_text("STATUS JSON");
	const std::string &messages = page.section_text("MESSAGES AND REPLAY PROTECTION");
	for (size_t d = 0; d < static_cast<size_t>(Drop::kCount); d++) {
		const std::string name = drop_name(static_cast<Drop>(d));
		INFO("drop counter " << name);
		CHECK(mentions(json, name));
		CHECK(mentions(messages, name));
	}
}

TEST_CASE("man: every key of status --json is documented", "[hb][man]")
{
	char tmpl[] = "/tmp/hb-man-state-XXXXXX";
	const std::string state = mkdtemp(tmpl);
	HaConfig config;
	config.nodes = {"corman", "rabius"};
	LinkConfig link;
	link.interface = "eth0";
	link.peer_ip = "10.0.0.2";
	config.links = {link};
	Haresources resources;
	ResourceGroup group;
	group.preferred_node = "corman";
	group.resources = {parse_resource("dummy::disk", "test")};
	resources.groups = {group};
	AuthKeys keys;
	keys.signing_id = 1;
	keys.keys[1] = AuthKey{1, AuthMethod::kSha256, "secret"};
	DaemonOptions options;
	options.self = "corman";
	options.state_dir = state;
	// Not run: no link is opened, the status is that of a fresh start.
	Daemon daemon(options, config, keys, resources);
	std::string json = daemon.status_json();
	REQUIRE(system(("rm -rf " + state).c_str()) == 0);
	// The uplink monitor's object, as the daemon puts it under "uplink".
	UplinksConfig uplinks;
	for (const char *name : {"wan1", "wan2"}) {
		UplinkConfig u;
		u.name = name;
		uplinks.uplinks.push_back(u);
	}
	uplinks.dns = DnsUpdateConfig{};
	EventLoop loop;
	ProcessRunner runner(loop);
	UplinkMonitor monitor(loop, runner, uplinks, "corman",
			      [](auto &, auto &, auto &) {});
	json += monitor.status_json().dump();
	// The ping nodes' objects, and the keys of "ping" around them.
	config.ping_nodes = {{"gw", {"10.0.0.254"}, "ha.cf:9"}};
	PingMonitor ping(loop, config, [](auto &, bool) {});
	json += ping.status_json().dump();
	for (const char *k : {"ping", "ipfail", "reachable", "peer_reachable",
			      "verdict"})
		json += std::string("\"") + k + "\":";

	const ManPage page = read_page("rdbd-heartbeat.8");
	const std::string &text = page.section_text("STATUS JSON");
	static const std::regex key(R"re("([a-z_]+)":)re");
	std::set<std::string> keys_seen;
	for (auto it = std::sregex_iterator(json.begin(), json.end(), key);
	     it != std::sregex_iterator(); ++it)
		keys_seen.insert((*it)[1]);
	// The links' own keys appear only once a link is open.
	keys_seen.insert({"name", "up", "last_seen_ms"});
	CHECK(keys_seen.size() > 25);
	for (const auto &k : keys_seen) {
		INFO("status --json key " << k);
		CHECK(mentions(text, k));
	}
}

TEST_CASE("man: every rsc_defaults / rsc_options key is documented", "[hb][man]")
{
	const auto tags =
		read_page("rdbd-ha.cf.5").tags_under("HA.CF/Resource operations");
	for (const auto &k : ops_keys()) {
		INFO("key " << k);
		CHECK(tags.count(k));
	}
}
