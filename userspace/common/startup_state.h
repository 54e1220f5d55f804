// What `rdbdadm start` reads from a backing disk before bringing it up.
#pragma once

#include <cstdint>
#include <string>

namespace rdbd {

// DRBD's rule for degr-wfc-timeout: meta data flagged Primary but not
// connected was last written by a node that ran without its peer.
bool degraded_at_shutdown(uint32_t md_flags);

// degraded_at_shutdown() of the meta data on `disk` (a block device or a
// file); false when there is none or it cannot be read: attach reports
// those.
bool went_down_degraded(const std::string &disk);

} // namespace rdbd
