// Shared fixtures for the unit tests.
#pragma once

#include <string>

#include "config.h"

namespace rdbd::test {

// The configuration from the rdbdadm brief: two nodes, resource-level
// device and disk, every net option given.
inline const char *const kTwoNodes = R"(# comment
resource r0 {
  device /dev/rdbd0;        # minor = N from /dev/rdbdN
  disk /dev/vdb;
  meta-disk internal;       # only "internal" is supported
  net { protocol C; connect-int 10; ping-int 10; ping-timeout 5; timeout 60; }
  on corman { address 10.99.1.1:7789; }
  on rabius { address 10.99.1.2:7789; }
}
)";

// Two nodes that authenticate each other; the secret has a blank, so dump
// must quote it.
inline const char *const kAuthenticated = R"(resource r0 {
  device /dev/rdbd0; disk /dev/vdb;
  net { cram-hmac-alg sha256; shared-secret "hunter 2"; }
  on corman { address 10.99.1.1:7789; }
  on rabius { address 10.99.1.2:7789; }
}
)";

inline Config parse(const std::string &text)
{
	return parse_config(text, "t.conf");
}

// The message of the ConfigError that parsing `text` throws.
inline std::string config_error(const std::string &text)
{
	try {
		parse(text);
	} catch (const ConfigError &e) {
		return e.what();
	}
	return "(no error)";
}

} // namespace rdbd::test
