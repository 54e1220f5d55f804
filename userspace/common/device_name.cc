#include "device_name.h"

#include <rdbd/genl.h>

namespace rdbd {

namespace {
const std::string kDevicePrefix = "/dev/rdbd";
}

std::optional<unsigned> minor_of_device(const std::string &path)
{
	if (path.compare(0, kDevicePrefix.size(), kDevicePrefix) != 0)
		return std::nullopt;
	const std::string n = path.substr(kDevicePrefix.size());
	const bool canonical =
		!n.empty() && n.size() <= 3 &&
		n.find_first_not_of("0123456789") == std::string::npos &&
		(n == "0" || n[0] != '0');
	if (!canonical || std::stoul(n) > RDBD_MINOR_MAX)
		return std::nullopt;
	return static_cast<unsigned>(std::stoul(n));
}

std::string device_name(unsigned minor)
{
	return "rdbd" + std::to_string(minor);
}

} // namespace rdbd
