// libFuzzer target: the authkeys parser of rdbd-heartbeat.  An accepted
// file must also sign: the signing key exists and gives a digest.
#include "hb_auth.h"
#include "hb_config.h"
#include "located.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return rdbd::fuzz::check_parser<rdbd::hb::ConfigError>(
		data, size, "authkeys", [](const std::string &text) {
			const rdbd::hb::AuthKeys keys =
				rdbd::hb::parse_authkeys(text, "authkeys");
			if (rdbd::hb::auth_digest(keys.signer(), "t").empty())
				rdbd::fuzz::finding("a key signs nothing");
		});
}
