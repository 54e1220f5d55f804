// libFuzzer target: the haresources parser of rdbd-heartbeat, for the
// nodes corman and rabius.
#include "hb_haresources.h"
#include "hb_config.h"
#include "located.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return rdbd::fuzz::check_parser<rdbd::hb::ConfigError>(
		data, size, "haresources", [](const std::string &text) {
			rdbd::hb::parse_haresources(text, "haresources",
						    {"corman", "rabius"});
		});
}
