// libFuzzer target: the rdbd.conf parser (lexer, parser, schema, binder)
// and its dump.  Besides the rejection rule of located.h, an accepted
// configuration must survive a round trip: every resource written back
// by dump_resource() parses to an equal resource.
#include <cstring>

#include "config.h"
#include "config_dump.h"
#include "located.h"

namespace {

const std::string kFile = "fuzz/rdbd.conf";

void round_trip(const rdbd::Config &config)
{
	std::string dumped;
	for (const rdbd::ResourceConfig &r : config.resources)
		dumped += rdbd::dump_resource(r);
	rdbd::Config again;
	try {
		again = rdbd::parse_config(dumped, "fuzz/dumped.conf");
	} catch (const rdbd::ConfigError &e) {
		rdbd::fuzz::finding(std::string("dump is refused: ") +
				    e.what() + "\n" + dumped);
	}
	if (!(again.resources == config.resources))
		rdbd::fuzz::finding("dump parses to another configuration:\n" +
				    dumped);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// `include` reads other files: a fuzzed path could name any file of
	// the host (or /dev/zero), so the target stays inside its input.
	if (memmem(data, size, "include", 7))
		return -1;
	return rdbd::fuzz::check_parser<rdbd::ConfigError>(
		data, size, kFile, [](const std::string &text) {
			round_trip(rdbd::parse_config(text, kFile));
		});
}
