// Shared fixtures for the rdbd-heartbeat unit tests of ha.cf additions:
// a minimal valid file (two nodes, one link) with lines appended.
#pragma once

#include <string>

#include "hb_config.h"

namespace rdbd::test {

// The lines after it start at line 3.
inline const std::string kHaCfBase = "node corman rabius\nucast eth0 10.99.0.2\n";

inline rdbd::hb::HaConfig ha_cf(const std::string &more)
{
	return rdbd::hb::parse_ha_cf(kHaCfBase + more, "ha.cf", {"10.99.0.1"},
				     "corman");
}

// The error parsing it gives, or "no error".
inline std::string ha_cf_error(const std::string &more)
{
	try {
		ha_cf(more);
	} catch (const rdbd::hb::ConfigError &e) {
		return e.what();
	}
	return "no error";
}

} // namespace rdbd::test
