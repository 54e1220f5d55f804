#include "hb_net.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "error.h"

namespace rdbd::hb {

namespace {

[[noreturn]] void link_error(const LinkConfig &link, const std::string &what)
{
	throw Error(kExitFailure, link.where + ": link " + link.name() + ": " +
					  what);
}

// The interface's own broadcast address, as Heartbeat uses.  `ip addr add
// A/24` sets none, and receivers without one drop subnet broadcasts, so a
// missing one is an error that says how to add it.
in_addr broadcast_address(const LinkConfig &link)
{
	ifaddrs *list = nullptr;
	if (getifaddrs(&list) != 0)
		link_error(link, std::string("getifaddrs: ") + strerror(errno));
	std::optional<in_addr> found;
	bool has_ipv4 = false;
	for (ifaddrs *a = list; a; a = a->ifa_next) {
		if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET ||
		    link.interface != a->ifa_name)
			continue;
		has_ipv4 = true;
		if (!a->ifa_broadaddr || !(a->ifa_flags & IFF_BROADCAST))
			continue;
		const in_addr b =
			reinterpret_cast<sockaddr_in *>(a->ifa_broadaddr)->sin_addr;
		if (b.s_addr != htonl(INADDR_ANY)) {
			found = b;
			break;
		}
	}
	freeifaddrs(list);
	if (!has_ipv4)
		link_error(link, "interface has no IPv4 address");
	if (!found)
		link_error(link, "the interface has no IPv4 broadcast address: "
				 "add it on both nodes (ip addr add ADDR/LEN brd + dev " +
				 link.interface + ")");
	return *found;
}

} // namespace

std::vector<std::string> local_ipv4_addresses()
{
	std::vector<std::string> out;
	ifaddrs *list = nullptr;
	if (getifaddrs(&list) != 0)
		return out;
	for (ifaddrs *a = list; a; a = a->ifa_next) {
		if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET)
			continue;
		char text[INET_ADDRSTRLEN];
		inet_ntop(AF_INET,
			  &reinterpret_cast<sockaddr_in *>(a->ifa_addr)->sin_addr,
			  text, sizeof(text));
		out.push_back(text);
	}
	freeifaddrs(list);
	return out;
}

LinkSocket open_link(const LinkConfig &link, unsigned port)
{
	LinkSocket s;
	s.name = link.name();
	s.fd = UniqueFd(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	if (!s.fd)
		link_error(link, std::string("socket: ") + strerror(errno));
	const int one = 1;
	// Every link listens on the same port, each on its own device.
	setsockopt(s.fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(s.fd.get(), SOL_SOCKET, SO_BINDTODEVICE,
		       link.interface.c_str(),
		       static_cast<socklen_t>(link.interface.size())) != 0)
		link_error(link, std::string("cannot bind to interface: ") +
					 strerror(errno));
	s.destination.sin_family = AF_INET;
	s.destination.sin_port = htons(static_cast<uint16_t>(port));
	if (link.kind == LinkConfig::Kind::kBroadcast) {
		setsockopt(s.fd.get(), SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
		s.destination.sin_addr = broadcast_address(link);
	} else {
		inet_pton(AF_INET, link.peer_ip.c_str(), &s.destination.sin_addr);
	}
	sockaddr_in any{};
	any.sin_family = AF_INET;
	any.sin_port = htons(static_cast<uint16_t>(port));
	if (bind(s.fd.get(), reinterpret_cast<sockaddr *>(&any), sizeof(any)) != 0)
		link_error(link, "bind to UDP port " + std::to_string(port) +
					 ": " + strerror(errno));
	return s;
}

bool send_datagram(const LinkSocket &s, const std::string &data)
{
	return sendto(s.fd.get(), data.data(), data.size(), MSG_NOSIGNAL,
		      reinterpret_cast<const sockaddr *>(&s.destination),
		      sizeof(s.destination)) ==
	       static_cast<ssize_t>(data.size());
}

} // namespace rdbd::hb
