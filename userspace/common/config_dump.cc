#include "config_dump.h"

#include <sstream>

namespace rdbd {

namespace {

std::string indent(int depth)
{
	return std::string(4 * static_cast<size_t>(depth), ' ');
}

bool needs_quotes(const std::string &word)
{
	return word.empty() ||
	       word.find_first_of(" \t\n\r\f\v;{}\"#\\") != std::string::npos;
}

void put(std::ostream &out, int depth, const std::string &keyword,
	 const std::string &value)
{
	out << indent(depth) << keyword << ' ' << value << ";\n";
}

void open_section(std::ostream &out, int depth, const std::string &header)
{
	out << indent(depth) << header << " {\n";
}

void close_section(std::ostream &out, int depth)
{
	out << indent(depth) << "}\n";
}

void dump_net(std::ostream &out, const NetOptions &net)
{
	open_section(out, 1, "net");
	put(out, 2, "protocol", std::string(1, net.protocol));
	for (const NetNumber &n : net_numbers())
		put(out, 2, std::string(n.keyword),
		    std::to_string(net.*n.field));
	// dump shows the configuration as it is, secret included: it is
	// for the administrator, who can read the file anyway.
	if (net.authenticates()) {
		put(out, 2, "cram-hmac-alg", net.cram_hmac_alg);
		put(out, 2, "shared-secret", config_word(net.shared_secret));
	}
	close_section(out, 1);
}

void dump_host(std::ostream &out, const HostConfig &h)
{
	open_section(out, 1, "on " + config_word(h.name));
	put(out, 2, "device", config_word(h.device));
	put(out, 2, "disk", config_word(h.disk));
	put(out, 2, "meta-disk", config_word(h.meta_disk));
	put(out, 2, "address", h.address.config_text());
	close_section(out, 1);
}

} // namespace

std::string config_word(const std::string &word)
{
	if (!needs_quotes(word))
		return word;
	std::string quoted = "\"";
	for (char c : word) {
		if (c == '"' || c == '\\')
			quoted += '\\';
		quoted += c;
	}
	return quoted + "\"";
}

std::string dump_resource(const ResourceConfig &resource)
{
	std::ostringstream out;
	open_section(out, 0, "resource " + config_word(resource.name));
	dump_net(out, resource.net);
	for (const HostConfig &h : resource.hosts)
		dump_host(out, h);
	close_section(out, 0);
	return out.str();
}

} // namespace rdbd
