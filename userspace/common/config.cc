// Gives the parsed tree its meaning: resolves inheritance, applies
// defaults and checks what a single statement cannot (required keys,
// duplicates, collisions between resources).
#include "config.h"

#include <rdbd/genl.h>

#include <map>
#include <set>

#include "config_parser.h"
#include "device_name.h"
#include "fd.h"

namespace rdbd {

namespace {

const std::string &text_of(const ConfigNode &n)
{
	return std::get<std::string>(n.value);
}

std::string join(const std::vector<std::string> &items)
{
	std::string s;
	for (const std::string &i : items)
		s += (s.empty() ? "" : ", ") + i;
	return s;
}

std::string line_of(const Location &l)
{
	return "line " + std::to_string(l.line);
}

// The kernel takes the name verbatim (RDBD_A_RES_NAME) and shows it in
// messages, so the rules are the kernel's; "all" is rdbdadm's own.
void check_resource_name(const ConfigNode &res)
{
	const std::string &name = res.name;
	const bool valid = !name.empty() && name.size() < RDBD_RES_NAME_MAX &&
			   name.find_first_not_of(
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "abcdefghijklmnopqrstuvwxyz0123456789_.-") ==
				   std::string::npos;
	if (!valid)
		throw ConfigError(
			res.name_where,
			"bad resource name '" + name + "' (expected 1.." +
				std::to_string(RDBD_RES_NAME_MAX - 1) +
				" characters from A-Z a-z 0-9 _ . -)");
	if (name == kAllResources)
		throw ConfigError(res.name_where,
				  "bad resource name 'all' (expected any "
				  "other name: 'all' means every resource)");
}

std::string seconds_text(unsigned tenths)
{
	return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) +
	       " s";
}

// drbd.conf(5): "timeout ... must be lower than connect-int and lower
// than ping-int"; otherwise a slow answer is mistaken for a dead link.
void check_timeout(const NetOptions &net, const Location &where)
{
	const std::pair<const char *, unsigned> limits[] = {
		{"ping-int", net.ping_int_s},
		{"connect-int", net.connect_int_s},
	};
	for (const auto &[keyword, seconds] : limits)
		if (net.timeout_ds >= seconds * 10)
			throw ConfigError(
				where,
				"'timeout' " + seconds_text(net.timeout_ds) +
					" is not shorter than '" + keyword +
					"' " + seconds_text(seconds * 10) +
					" (expected timeout < ping-int "
					"and timeout < connect-int)");
}

// Where the options of one section (net, disk, ...) of a resource come
// from, most specific first: the resource's own section, then the one in
// `common`.  Each key is looked up on its own, so a resource overrides
// common's protocol and still inherits common's timeout.
class OptionSources {
public:
	OptionSources(const ConfigNode &res, const ConfigNode *common,
		      std::string_view section)
		: where_(res.where)
	{
		for (const ConfigNode *n : {&res, common})
			if (const ConfigNode *s = n ? n->section(section)
						    : nullptr)
				sections_.push_back(s);
		if (!sections_.empty())
			where_ = sections_.front()->where;
	}

	const ConfigNode *value(std::string_view keyword) const
	{
		for (const ConfigNode *s : sections_)
			if (const ConfigNode *v = s->child(keyword))
				return v;
		return nullptr;
	}

	// Common's first, so the resource's own statements win.
	std::vector<const ConfigNode *> statements() const
	{
		std::vector<const ConfigNode *> all;
		for (auto s = sections_.rbegin(); s != sections_.rend(); ++s)
			for (const ConfigNode &c : (*s)->children)
				all.push_back(&c);
		return all;
	}

	// For an error about the section as a whole.
	const Location &where() const { return where_; }

private:
	std::vector<const ConfigNode *> sections_;
	Location where_;
};

// One without the other would be refused by the kernel at connect time;
// say so here, where the file can be fixed.
void check_authentication(const OptionSources &net)
{
	const ConfigNode *alg = net.value("cram-hmac-alg");
	const ConfigNode *secret = net.value("shared-secret");
	if (!alg == !secret)
		return;
	const ConfigNode &given = alg ? *alg : *secret;
	const std::string missing = alg ? "shared-secret" : "cram-hmac-alg";
	throw ConfigError(given.where,
			  "'" + given.keyword + "' without '" + missing +
				  "' (expected both or neither: the peer "
				  "proves it knows the shared-secret with an "
				  "HMAC of the cram-hmac-alg hash)");
}

// Copies the numbers of `table` that the sources set into `options`.
template <class Options>
void bind_numbers(const OptionSources &sources,
		  const std::vector<NumberOption<Options>> &table,
		  Options &options)
{
	for (const NumberOption<Options> &n : table)
		if (const ConfigNode *v = sources.value(n.keyword))
			options.*n.field = static_cast<unsigned>(
				std::get<long long>(v->value));
}

template <class Options>
void bind_words(const OptionSources &sources,
		const std::vector<WordOption<Options>> &table, Options &options)
{
	for (const WordOption<Options> &w : table)
		if (const ConfigNode *v = sources.value(w.keyword))
			options.*w.field = text_of(*v);
}

NetOptions bind_net(const OptionSources &sources)
{
	NetOptions net;
	if (const ConfigNode *p = sources.value("protocol"))
		net.protocol = text_of(*p)[0];
	bind_numbers(sources, net_numbers(), net);
	bind_words(sources, net_words(), net);
	check_timeout(net, sources.where());
	check_authentication(sources);
	if (const ConfigNode *alg = sources.value("cram-hmac-alg"))
		net.cram_hmac_alg = text_of(*alg);
	if (const ConfigNode *secret = sources.value("shared-secret"))
		net.shared_secret = text_of(*secret);
	return net;
}

// The dynamic controller keeps a resync between the two rates; the other
// way round one of them is a mistake.  Placed at whichever was given.
void check_rates(const OptionSources &sources, const DiskOptions &disk)
{
	if (disk.c_min_rate_kib <= disk.c_max_rate_kib)
		return;
	const ConfigNode *v = sources.value("c-min-rate");
	if (!v)
		v = sources.value("c-max-rate");
	throw ConfigError(v ? v->where : sources.where(),
			  "'c-min-rate' " + std::to_string(disk.c_min_rate_kib) +
				  " KiB/s is above 'c-max-rate' " +
				  std::to_string(disk.c_max_rate_kib) +
				  " KiB/s (expected c-min-rate <= "
				  "c-max-rate)");
}

DiskOptions bind_disk(const OptionSources &sources)
{
	DiskOptions disk;
	bind_numbers(sources, disk_numbers(), disk);
	check_rates(sources, disk);
	if (const ConfigNode *v = sources.value("on-io-error"))
		disk.on_io_error = text_of(*v) == "pass_on"
					   ? DiskOptions::OnIoError::PassOn
					   : DiskOptions::OnIoError::Detach;
	if (const ConfigNode *v = sources.value("fencing")) {
		const std::string word = text_of(*v);
		disk.fencing = word == "resource-only"
				       ? DiskOptions::Fencing::ResourceOnly
			       : word == "resource-and-stonith"
				       ? DiskOptions::Fencing::ResourceAndStonith
				       : DiskOptions::Fencing::DontCare;
	}
	return disk;
}

// become-primary-on names one of the resource's hosts, or "both"; a
// misspelt host would silently never promote at boot.
void check_become_primary_on(const OptionSources &startup,
			     const ResourceConfig &r)
{
	const ConfigNode *v = startup.value("become-primary-on");
	if (!v || text_of(*v) == "both" || r.host(text_of(*v)))
		return;
	throw ConfigError(v->where, "'become-primary-on " + text_of(*v) +
					    "' names no host of resource " +
					    r.name + " (expected one of: " +
					    r.host_list() + ", both)");
}

StartupOptions bind_startup(const OptionSources &sources)
{
	StartupOptions startup;
	bind_numbers(sources, startup_numbers(), startup);
	if (const ConfigNode *v = sources.value("become-primary-on"))
		startup.become_primary_on = {text_of(*v)};
	return startup;
}

std::map<std::string, std::string> bind_handlers(const OptionSources &sources)
{
	std::map<std::string, std::string> handlers;
	for (const ConfigNode *h : sources.statements())
		handlers[h->keyword] = text_of(*h);
	return handlers;
}

// A per-host key from `on HOST { }`, else from the resource, else null.
const ConfigNode *inherited(const ConfigNode &on, const ConfigNode &res,
			    std::string_view keyword)
{
	const ConfigNode *n = on.child(keyword);
	return n ? n : res.child(keyword);
}

const ConfigNode &required_per_host(const ConfigNode &on, const ConfigNode &res,
				    std::string_view keyword,
				    std::string_view example)
{
	if (const ConfigNode *n = inherited(on, res, keyword))
		return *n;
	throw ConfigError(on.where,
			  "no '" + std::string(keyword) + "' for host '" +
				  on.name + "' in resource " + res.name +
				  " (expected '" + std::string(example) +
				  "' in the resource or in 'on " + on.name +
				  "')");
}

HostConfig bind_host(const ConfigNode &on, const ConfigNode &res)
{
	HostConfig h;
	h.name = on.name;
	h.origin.section = on.where;

	const ConfigNode &device =
		required_per_host(on, res, "device", "device /dev/rdbdN;");
	h.device = text_of(device);
	h.minor = *minor_of_device(h.device);
	h.origin.device = device.where;

	const ConfigNode &disk =
		required_per_host(on, res, "disk", "disk /dev/DISK;");
	h.disk = text_of(disk);
	h.origin.disk = disk.where;

	const ConfigNode *meta = inherited(on, res, "meta-disk");
	h.meta_disk = meta ? text_of(*meta) : "internal";

	const ConfigNode *address = on.child("address");
	if (!address)
		throw ConfigError(on.where, "no 'address' in 'on " + on.name +
						    "' of resource " +
						    res.name +
						    " (expected 'address " +
						    kEndpointSyntax + ";')");
	h.address = std::get<Endpoint>(address->value);
	h.origin.address = address->where;
	return h;
}

// The peer would connect to itself: both hosts must listen apart.
void check_own_address(const std::vector<HostConfig> &hosts,
		       const ConfigNode &res)
{
	if (hosts.size() < 2 || !(hosts[0].address == hosts[1].address))
		return;
	const HostConfig &first = hosts[0], &second = hosts[1];
	throw ConfigError(second.origin.address,
			  "'on " + second.name + "' has the address of 'on " +
				  first.name + "' (" +
				  place_text(first.origin.address,
					     second.origin.address) +
				  ") in resource " + res.name +
				  " (expected each host its own address)");
}

std::vector<HostConfig> bind_hosts(const ConfigNode &res)
{
	const char *const expected = " (expected exactly 2, one per node)";
	std::vector<HostConfig> hosts;
	for (const ConfigNode *on : res.all("on")) {
		for (const HostConfig &h : hosts)
			if (h.name == on->name)
				throw ConfigError(
					on->name_where,
					"duplicate 'on " + on->name +
						"' in resource " + res.name +
						" (first given at " +
						line_of(h.origin.section) +
						")");
		if (hosts.size() == 2)
			throw ConfigError(on->where,
					  "resource " + res.name +
						  " has more than two 'on' "
						  "sections" +
						  expected);
		hosts.push_back(bind_host(*on, res));
		check_own_address(hosts, res);
	}
	if (hosts.size() < 2)
		throw ConfigError(res.where,
				  "resource " + res.name + " has " +
					  (hosts.empty() ? "no 'on' section"
							 : "only one 'on' "
							   "section") +
					  expected);
	return hosts;
}

// `common` (null if the file has none) gives every resource its options
// sections; the resource's own win key by key.
ResourceConfig bind_resource(const ConfigNode &res, const ConfigNode *common)
{
	check_resource_name(res);
	ResourceConfig r;
	r.name = res.name;
	r.origin = res.where;
	r.net = bind_net(OptionSources(res, common, "net"));
	r.disk = bind_disk(OptionSources(res, common, "disk"));
	const OptionSources startup(res, common, "startup");
	r.startup = bind_startup(startup);
	r.handlers = bind_handlers(OptionSources(res, common, "handlers"));
	r.hosts = bind_hosts(res);
	check_become_primary_on(startup, r);
	return r;
}

// Two resources on one host must not share a device, disk or address;
// the kernel would refuse the second one only at `up` time.
class HostClaims {
public:
	void claim(const ResourceConfig &r, const HostConfig &h,
		   const std::string &what, const Location &where,
		   std::string_view kind)
	{
		const auto [it, fresh] =
			owner_.emplace(h.name + '\n' + what, Claim{&r, where});
		if (fresh)
			return;
		const Claim &first = it->second;
		throw ConfigError(where,
				  what + " on host '" + h.name +
					  "' is claimed by both resource " +
					  first.resource->name + " (" +
					  place_text(first.where, where) +
					  ") and resource " + r.name +
					  " (expected one resource per " +
					  std::string(kind) + " and host)");
	}

private:
	struct Claim {
		const ResourceConfig *resource;
		Location where;
	};
	std::map<std::string, Claim> owner_;
};

void check_unique_per_host(const Config &config)
{
	HostClaims claims;
	for (const ResourceConfig &r : config.resources) {
		for (const HostConfig &h : r.hosts) {
			claims.claim(r, h, "minor " + std::to_string(h.minor),
				     h.origin.device, "device");
			claims.claim(r, h, "disk " + h.disk, h.origin.disk,
				     "disk");
			claims.claim(r, h, "address " + h.address.str(),
				     h.origin.address, "address");
		}
	}
}

Config bind_config(const ConfigNode &root, const std::string &file)
{
	Config config;
	config.file = file;
	for (const ConfigNode *res : root.all("resource")) {
		if (const ResourceConfig *first = config.find(res->name))
			throw ConfigError(res->name_where,
					  "duplicate resource " + res->name +
						  " (first given at " +
						  place_text(first->origin,
							     res->where) +
						  ")");
		config.resources.push_back(
			bind_resource(*res, root.section("common")));
	}
	check_unique_per_host(config);
	return config;
}

std::vector<std::string> resource_names(const Config &config)
{
	std::vector<std::string> names;
	for (const ResourceConfig &r : config.resources)
		names.push_back(r.name);
	return names;
}

std::vector<std::string> all_host_names(const Config &config)
{
	std::set<std::string> names;
	for (const ResourceConfig &r : config.resources)
		for (const HostConfig &h : r.hosts)
			names.insert(h.name);
	return {names.begin(), names.end()};
}

} // namespace

const std::vector<NetNumber> &net_numbers()
{
	static const std::vector<NetNumber> table = {
		{"connect-int", &NetOptions::connect_int_s},
		{"ping-int", &NetOptions::ping_int_s},
		{"ping-timeout", &NetOptions::ping_timeout_ds},
		{"timeout", &NetOptions::timeout_ds},
	};
	return table;
}

const std::vector<WordOption<NetOptions>> &net_words()
{
	static const std::vector<WordOption<NetOptions>> table = {
		{"after-sb-0pri", &NetOptions::after_sb_0pri},
		{"after-sb-1pri", &NetOptions::after_sb_1pri},
		{"after-sb-2pri", &NetOptions::after_sb_2pri},
		{"verify-alg", &NetOptions::verify_alg},
	};
	return table;
}

const std::vector<NumberOption<DiskOptions>> &disk_numbers()
{
	static const std::vector<NumberOption<DiskOptions>> table = {
		{"al-extents", &DiskOptions::al_extents},
		{"resync-rate", &DiskOptions::resync_rate_kib},
		{"c-plan-ahead", &DiskOptions::c_plan_ahead_ds},
		{"c-min-rate", &DiskOptions::c_min_rate_kib},
		{"c-max-rate", &DiskOptions::c_max_rate_kib},
	};
	return table;
}

std::string_view on_io_error_name(DiskOptions::OnIoError value)
{
	return value == DiskOptions::OnIoError::PassOn ? "pass_on" : "detach";
}

std::string_view fencing_name(DiskOptions::Fencing value)
{
	switch (value) {
	case DiskOptions::Fencing::ResourceOnly:
		return "resource-only";
	case DiskOptions::Fencing::ResourceAndStonith:
		return "resource-and-stonith";
	default:
		return "dont-care";
	}
}

const std::vector<NumberOption<StartupOptions>> &startup_numbers()
{
	static const std::vector<NumberOption<StartupOptions>> table = {
		{"wfc-timeout", &StartupOptions::wfc_timeout_s},
		{"degr-wfc-timeout", &StartupOptions::degr_wfc_timeout_s},
	};
	return table;
}

bool NetOptions::operator==(const NetOptions &o) const
{
	if (protocol != o.protocol || cram_hmac_alg != o.cram_hmac_alg ||
	    shared_secret != o.shared_secret ||
	    after_sb_0pri != o.after_sb_0pri ||
	    after_sb_1pri != o.after_sb_1pri ||
	    after_sb_2pri != o.after_sb_2pri || verify_alg != o.verify_alg)
		return false;
	for (const NetNumber &n : net_numbers())
		if (this->*n.field != o.*n.field)
			return false;
	return true;
}

bool HostConfig::operator==(const HostConfig &o) const
{
	return name == o.name && device == o.device && minor == o.minor &&
	       disk == o.disk && meta_disk == o.meta_disk &&
	       address == o.address;
}

const HostConfig *ResourceConfig::host(std::string_view n) const
{
	for (const HostConfig &h : hosts)
		if (h.name == n)
			return &h;
	return nullptr;
}

std::string ResourceConfig::host_list() const
{
	std::vector<std::string> names;
	for (const HostConfig &h : hosts)
		names.push_back(h.name);
	return join(names);
}

bool ResourceConfig::operator==(const ResourceConfig &o) const
{
	return name == o.name && net == o.net && disk == o.disk &&
	       startup == o.startup && handlers == o.handlers &&
	       hosts == o.hosts;
}

const ResourceConfig *Config::find(std::string_view name) const
{
	for (const ResourceConfig &r : resources)
		if (r.name == name)
			return &r;
	return nullptr;
}

const ResourceConfig &Config::get(const std::string &name) const
{
	if (const ResourceConfig *r = find(name))
		return *r;
	throw ConfigError("no resource " + name + " in " + file +
			  " (resources: " + join(resource_names(*this)) + ")");
}

Config parse_config(std::string_view text, const std::string &file)
{
	return bind_config(parse_config_tree(text, file), file);
}

Config load_config(const std::string &path)
{
	return parse_config(read_config_file(path), path);
}

NodeResource resource_on_node(const ResourceConfig &r, const std::string &node)
{
	for (size_t i = 0; i < r.hosts.size(); ++i)
		if (r.hosts[i].name == node)
			return {&r, &r.hosts[i], &r.hosts[1 - i]};
	throw ConfigError(r.origin, "no 'on' section for this node '" + node +
					    "' in resource " + r.name +
					    " (hosts: " + r.host_list() +
					    "); use --node");
}

std::vector<NodeResource> select_resources(const Config &config,
					   const std::string &which,
					   const std::string &node)
{
	if (which != kAllResources)
		return {resource_on_node(config.get(which), node)};
	std::vector<NodeResource> selected;
	for (const ResourceConfig &r : config.resources)
		if (r.host(node))
			selected.push_back(resource_on_node(r, node));
	if (config.resources.empty())
		throw ConfigError("no resources in " + config.file);
	if (selected.empty())
		throw ConfigError("no resource in " + config.file +
				  " has an 'on' section for this node '" +
				  node +
				  "' (hosts: " + join(all_host_names(config)) +
				  "); use --node");
	return selected;
}

} // namespace rdbd
