#include "hb_haresources.h"

#include <openssl/evp.h>

#include <algorithm>
#include <set>

#include "hb_config.h"
#include "hb_log.h"
#include "hb_text.h"

namespace rdbd::hb {

namespace {

// A script name is looked up as a file in resource.d: no paths.
bool valid_script_name(const std::string &name)
{
	return !name.empty() && name[0] != '.' &&
	       std::all_of(name.begin(), name.end(), [](unsigned char c) {
		       return std::isalnum(c) || c == '_' || c == '-' ||
			      c == '.' || c == '+' || c == '@';
	       });
}

bool dotted_quad(const std::string &token)
{
	return is_ipv4(split(token, '/').front());
}

std::string sha256_prefix(const std::string &text)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
	return to_hex(md, 8);
}

} // namespace

ResourceSpec parse_resource(const std::string &token, const std::string &where)
{
	ResourceSpec spec;
	spec.text = token;
	if (token.find("::") == std::string::npos && dotted_quad(token)) {
		spec.name = "IPaddr";
		spec.args = {token};
		return spec;
	}
	// "a::b::c": split on "::", so single colons stay inside arguments.
	std::vector<std::string> parts;
	size_t start = 0;
	for (size_t sep; (sep = token.find("::", start)) != std::string::npos;
	     start = sep + 2)
		parts.push_back(token.substr(start, sep - start));
	parts.push_back(token.substr(start));
	if (!valid_script_name(parts[0]))
		throw ConfigError(where + ": bad resource name '" + parts[0] +
				  "' in '" + token + "'");
	for (size_t i = 1; i < parts.size(); i++)
		if (parts[i].empty())
			throw ConfigError(where + ": empty argument in '" +
					  token + "'");
	spec.name = parts[0];
	if (spec.name == "drbddisk") {
		// The seed's haresources: rdbddisk takes the same arguments
		// and actions as DRBD's drbddisk, so the file works unedited.
		log_warn(where + ": drbddisk is read as rdbddisk");
		spec.name = "rdbddisk";
	}
	spec.args.assign(parts.begin() + 1, parts.end());
	return spec;
}

Haresources parse_haresources(const std::string &text, const std::string &file,
			      const std::vector<std::string> &nodes)
{
	Haresources out;
	std::string canonical;
	std::set<std::string> keys;
	for_each_config_line(
		text,
		[&](size_t n, const std::string &content) {
			const std::string where = file + ":" + std::to_string(n);
			auto words = split_words(content);
			// A line of only whitespace that the line reader keeps
			// (a vertical tab, a continuation to nothing) is blank.
			if (words.empty())
				return;
			ResourceGroup group;
			group.where = where;
			group.preferred_node = lowercase(words[0]);
			if (std::find(nodes.begin(), nodes.end(),
				      group.preferred_node) == nodes.end())
				throw ConfigError(where + ": node '" + words[0] +
						  "' is not a node of ha.cf");
			if (words.size() < 2)
				throw ConfigError(where + ": node " + words[0] +
						  " has no resources");
			for (size_t i = 1; i < words.size(); i++)
				group.resources.push_back(
					parse_resource(words[i], where));
			if (!keys.insert(group.key()).second)
				throw ConfigError(where + ": a group starting "
							  "with '" +
						  group.key() +
						  "' is already defined");
			words[0] = group.preferred_node;
			canonical += join(words, " ") + "\n";
			out.groups.push_back(std::move(group));
		},
		true);
	out.checksum = sha256_prefix(canonical);
	return out;
}

} // namespace rdbd::hb
