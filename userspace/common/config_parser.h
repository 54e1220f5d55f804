// Generic recursive-descent parser: text -> tree of ConfigNodes, checked
// against the schema tables (config_schema.h).  It knows no keyword by
// name; giving the tree its meaning is config.cc's job.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config_lexer.h"
#include "config_schema.h"

namespace rdbd {

struct ConfigNode {
	std::string keyword; // empty for the root
	Location where;	     // of the keyword
	std::string name;    // NamedSection: `on NAME {`
	Location name_where;
	ConfigValue value; // Shape::Value: the checked value
	bool is_section = false;
	std::vector<ConfigNode> children;

	// First `keyword value;` statement with this keyword, or nullptr.
	// `disk` is both a statement and a section, hence the two.
	const ConfigNode *child(std::string_view keyword) const;
	// First `keyword [NAME] { }` section with this keyword, or nullptr.
	const ConfigNode *section(std::string_view keyword) const;
	// Every section with this keyword, in file order.
	std::vector<const ConfigNode *> all(std::string_view keyword) const;
};

// Throws ConfigError at the first error.  `include "GLOB";` statements
// are replaced by the statements of the files they name, relative to the
// directory of `file`.
ConfigNode parse_config_tree(std::string_view text, const std::string &file);

// How a message points back at an earlier statement: "line 3" in the
// same file as `here`, else "FILE:3".
std::string place_text(const Location &first, const Location &here);

} // namespace rdbd
