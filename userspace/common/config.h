// The configuration as rdbdadm uses it: every resource with its two hosts
// fully resolved (values inherited from the resource level filled in,
// defaults applied, everything checked).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config_error.h"
#include "endpoint.h"

namespace rdbd {

// Units as in drbd.conf: the names say which.  Defaults are DRBD 8.4's.
struct NetOptions {
	char protocol = 'C';
	unsigned connect_int_s = 10;
	unsigned ping_int_s = 10;
	unsigned ping_timeout_ds = 5; // tenths of a second
	unsigned timeout_ds = 60;     // tenths of a second
	// Peer authentication (DRBD's cram-hmac-alg and shared-secret): both
	// set, or both empty for none.  The secret is bytes, not text.
	std::string cram_hmac_alg;
	std::string shared_secret;
	// Split-brain recovery policies (DRBD 8.4 after-sb-*pri values,
	// spelled as in drbd.conf: "disconnect", "discard-younger-primary",
	// ...).  The parser accepts only the values rdbd implements.
	std::string after_sb_0pri = "disconnect";
	std::string after_sb_1pri = "disconnect";
	std::string after_sb_2pri = "disconnect";
	// Online verify: "crc32c", "sha256", or empty (verify refused).
	std::string verify_alg;

	bool authenticates() const { return !cram_hmac_alg.empty(); }
	bool operator==(const NetOptions &o) const;
};

// The options of a section that are plain numbers or plain words, in the
// order dump prints them: one table instead of one line per option in the
// binder and in dump.
template <class Options> struct NumberOption {
	std::string_view keyword;
	unsigned Options::*field;
};
template <class Options> struct WordOption {
	std::string_view keyword;
	std::string Options::*field;
};

using NetNumber = NumberOption<NetOptions>;
const std::vector<NetNumber> &net_numbers();
// after-sb-0pri, after-sb-1pri, after-sb-2pri, verify-alg.
const std::vector<WordOption<NetOptions>> &net_words();

// disk { } section.  Units as in drbd.conf; defaults are DRBD 8.4's.
struct DiskOptions {
	enum class OnIoError { Detach, PassOn };
	// In the order of enum rdbd_fencing (<rdbd/genl.h>).
	enum class Fencing { DontCare, ResourceOnly, ResourceAndStonith };

	unsigned al_extents = 1237;	     // activity-log hot regions
	unsigned resync_rate_kib = 250;	     // KiB/s, fixed-rate controller
	unsigned c_plan_ahead_ds = 20;	     // tenths of a second; 0 = fixed
	unsigned c_min_rate_kib = 250;	     // KiB/s kept for resync under load
	unsigned c_max_rate_kib = 102400;    // KiB/s, dynamic controller cap
	OnIoError on_io_error = OnIoError::Detach;
	Fencing fencing = Fencing::DontCare;

	bool operator==(const DiskOptions &o) const
	{
		return al_extents == o.al_extents &&
		       resync_rate_kib == o.resync_rate_kib &&
		       c_plan_ahead_ds == o.c_plan_ahead_ds &&
		       c_min_rate_kib == o.c_min_rate_kib &&
		       c_max_rate_kib == o.c_max_rate_kib &&
		       on_io_error == o.on_io_error && fencing == o.fencing;
	}
};

const std::vector<NumberOption<DiskOptions>> &disk_numbers();
std::string_view on_io_error_name(DiskOptions::OnIoError value);
// DRBD's names: dont-care, resource-only, resource-and-stonith.
std::string_view fencing_name(DiskOptions::Fencing value);

// startup { } section, used by `rdbdadm` at boot (rdbd.service).
struct StartupOptions {
	unsigned wfc_timeout_s = 0;	  // 0 = wait for the peer forever
	unsigned degr_wfc_timeout_s = 60; // when the node was degraded
	std::vector<std::string> become_primary_on; // host names, or "both"

	bool operator==(const StartupOptions &o) const
	{
		return wfc_timeout_s == o.wfc_timeout_s &&
		       degr_wfc_timeout_s == o.degr_wfc_timeout_s &&
		       become_primary_on == o.become_primary_on;
	}
};

const std::vector<NumberOption<StartupOptions>> &startup_numbers();

struct HostConfig {
	std::string name;
	std::string device; // /dev/rdbdN
	unsigned minor = 0;
	std::string disk;
	std::string meta_disk; // "internal"
	Endpoint address;

	// Where each setting was written, for error messages.  Not part of
	// the value: equal settings from different files compare equal.
	struct Origins {
		Location section, device, disk, address;
	} origin;

	bool operator==(const HostConfig &o) const;
};

struct ResourceConfig {
	std::string name;
	NetOptions net;
	DiskOptions disk;
	StartupOptions startup;
	// handlers { } section: handler name ("split-brain", ...) -> command
	// line, run with /bin/sh -c.
	std::map<std::string, std::string> handlers;
	std::vector<HostConfig> hosts; // exactly two, in file order
	Location origin;	       // not compared, as above

	const HostConfig *host(std::string_view name) const;
	std::string host_list() const; // "corman, rabius"
	bool operator==(const ResourceConfig &o) const;
};

struct Config {
	std::string file;
	std::vector<ResourceConfig> resources;

	const ResourceConfig *find(std::string_view name) const;
	// As find(), but a missing resource is a ConfigError listing the
	// resources there are.
	const ResourceConfig &get(const std::string &name) const;
};

// Both throw ConfigError ("FILE:LINE:COL: ...") at the first problem.
Config parse_config(std::string_view text, const std::string &file);
Config load_config(const std::string &path);

// One resource as seen from the node rdbdadm runs on.
struct NodeResource {
	const ResourceConfig *resource;
	const HostConfig *self;
	const HostConfig *peer;

	const std::string &name() const { return resource->name; }
	unsigned minor() const { return self->minor; }
};

NodeResource resource_on_node(const ResourceConfig &r, const std::string &node);

// `which` is a resource name or "all" (every resource that has an `on`
// section for `node`).
std::vector<NodeResource> select_resources(const Config &config,
					   const std::string &which,
					   const std::string &node);

// "all" means every resource; it cannot name one.
inline constexpr std::string_view kAllResources = "all";

} // namespace rdbd
