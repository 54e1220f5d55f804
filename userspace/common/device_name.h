// /dev/rdbdN names and minor numbers.
#pragma once

#include <optional>
#include <string>

namespace rdbd {

// "/dev/rdbd7" -> 7; nullopt unless N is a plain decimal in
// 0..RDBD_MINOR_MAX (no sign, no leading zero).
std::optional<unsigned> minor_of_device(const std::string &path);

// 7 -> "rdbd7", the name the kernel gives the disk and its messages use.
std::string device_name(unsigned minor);

} // namespace rdbd
