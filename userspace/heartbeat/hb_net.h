// UDP sockets for the heartbeat links: one per ha.cf media line, bound to
// its interface (SO_BINDTODEVICE) so a message's link is the socket it
// arrived on, and a cable pulled shows up as that link going silent.
#pragma once

#include <netinet/in.h>

#include <string>
#include <vector>

#include "fd.h"
#include "hb_config.h"

namespace rdbd::hb {

struct LinkSocket {
	UniqueFd fd;
	sockaddr_in destination{};
	std::string name;
};

// This machine's IPv4 addresses, to skip `ucast` lines aimed at itself.
std::vector<std::string> local_ipv4_addresses();

// Throws Error naming the link on failure (no such interface, no IPv4
// broadcast address on it, port in use...).
LinkSocket open_link(const LinkConfig &link, unsigned port);

// Sends one datagram; false (errno set) if the kernel refused it, as it
// does while an interface is down: that is a link fault, not ours.
bool send_datagram(const LinkSocket &s, const std::string &data);

} // namespace rdbd::hb
