// haresources: which node prefers which resource group.
//
//   corman rdbddisk::r0 Filesystem::/dev/rdbd0::/data::ext4 <backslash>
//          IPaddr2::10.99.0.10/24/eth0 apache2
//
// One group per line (`\` continues it); resources start left to right and
// stop right to left.  `name::a1::a2` runs script `name` with arguments a1
// a2.  Both nodes must read the same groups: a checksum of the parsed
// content (not of the text, so comments and spacing may differ) travels in
// every heartbeat and a mismatch is reported.
#pragma once

#include <string>
#include <vector>

namespace rdbd::hb {

struct ResourceSpec {
	std::string name;		// script or agent: "Filesystem"
	std::vector<std::string> args;	// "/dev/rdbd0", "/data", "ext4"
	std::string text;		// as written: "Filesystem::/dev/..."
};

struct ResourceGroup {
	std::string preferred_node;
	std::vector<ResourceSpec> resources;
	std::string where; // "haresources:3"

	// Heartbeat names a group by its first resource.
	const std::string &key() const { return resources.front().text; }
};

struct Haresources {
	std::vector<ResourceGroup> groups;
	std::string checksum; // 16 hex digits of SHA-256
};

// `nodes` are ha.cf's node names; a group must prefer one of them.
Haresources parse_haresources(const std::string &text, const std::string &file,
			      const std::vector<std::string> &nodes);

// "name::a::b" -> {name, {a, b}}; a bare dotted quad means IPaddr::quad,
// as in Heartbeat.  Throws ConfigError("<where>: ...") when malformed.
ResourceSpec parse_resource(const std::string &token, const std::string &where);

} // namespace rdbd::hb
