// libFuzzer target: the ha.cf parser of rdbd-heartbeat, as corman
// (10.99.0.1) reads it.
#include "hb_config.h"
#include "located.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return rdbd::fuzz::check_parser<rdbd::hb::ConfigError>(
		data, size, "ha.cf", [](const std::string &text) {
			rdbd::hb::parse_ha_cf(text, "ha.cf", {"10.99.0.1"},
					      "corman");
		});
}
