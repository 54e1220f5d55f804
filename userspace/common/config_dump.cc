#include "config_dump.h"

#include <sstream>

#include "config_schema.h"

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

template <class Options>
void put_numbers(std::ostream &out, const Options &options,
		 const std::vector<NumberOption<Options>> &table)
{
	for (const NumberOption<Options> &n : table)
		put(out, 2, std::string(n.keyword),
		    std::to_string(options.*n.field));
}

// Empty words are unset options (verify-alg without a value).
template <class Options>
void put_words(std::ostream &out, const Options &options,
	       const std::vector<WordOption<Options>> &table)
{
	for (const WordOption<Options> &w : table)
		if (!(options.*w.field).empty())
			put(out, 2, std::string(w.keyword),
			    config_word(options.*w.field));
}

void dump_disk(std::ostream &out, const DiskOptions &disk)
{
	open_section(out, 1, "disk");
	put_numbers(out, disk, disk_numbers());
	put(out, 2, "on-io-error", std::string(on_io_error_name(disk.on_io_error)));
	put(out, 2, "fencing", std::string(fencing_name(disk.fencing)));
	close_section(out, 1);
}

void dump_startup(std::ostream &out, const StartupOptions &startup)
{
	open_section(out, 1, "startup");
	put_numbers(out, startup, startup_numbers());
	for (const std::string &host : startup.become_primary_on)
		put(out, 2, "become-primary-on", config_word(host));
	close_section(out, 1);
}

// Only the handlers that are set: DRBD runs nothing for the others.
void dump_handlers(std::ostream &out,
		   const std::map<std::string, std::string> &handlers)
{
	if (handlers.empty())
		return;
	open_section(out, 1, "handlers");
	for (std::string_view name : handler_names()) {
		const auto it = handlers.find(std::string(name));
		if (it != handlers.end())
			put(out, 2, it->first, config_word(it->second));
	}
	close_section(out, 1);
}

void dump_net(std::ostream &out, const NetOptions &net)
{
	open_section(out, 1, "net");
	put(out, 2, "protocol", std::string(1, net.protocol));
	put_numbers(out, net, net_numbers());
	// dump shows the configuration as it is, secret included: it is
	// for the administrator, who can read the file anyway.
	if (net.authenticates()) {
		put(out, 2, "cram-hmac-alg", net.cram_hmac_alg);
		put(out, 2, "shared-secret", config_word(net.shared_secret));
	}
	put_words(out, net, net_words());
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
	dump_disk(out, resource.disk);
	dump_net(out, resource.net);
	dump_startup(out, resource.startup);
	dump_handlers(out, resource.handlers);
	for (const HostConfig &h : resource.hosts)
		dump_host(out, h);
	close_section(out, 0);
	return out.str();
}

} // namespace rdbd
