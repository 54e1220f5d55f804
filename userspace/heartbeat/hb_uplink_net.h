// What the uplink monitor changes in the kernel, over rtnetlink
// (libnl-route): the service address, default routes, and a gratuitous
// ARP so the routers learn where a moved address now lives.
#pragma once

#include <string>

namespace rdbd::hb {

// Each returns "" on success, else what went wrong (for the log).
// Adding an address that is there, or deleting one that is not, succeeds.
std::string add_address(const std::string &dev, const std::string &ip,
			unsigned prefix);
std::string delete_address(const std::string &dev, const std::string &ip,
			   unsigned prefix);
// `default via GATEWAY dev DEV metric METRIC`, replacing the default
// route of that metric, whatever its gateway was.
std::string replace_default_route(const std::string &dev,
				  const std::string &gateway, unsigned metric);
// Broadcasts "IP is at DEV's MAC" (an ARP request for itself, RFC 5227).
std::string send_gratuitous_arp(const std::string &dev, const std::string &ip);

} // namespace rdbd::hb
