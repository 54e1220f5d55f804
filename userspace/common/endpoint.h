// A replication endpoint: the `address` of an `on` section.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "config_error.h"

namespace rdbd {

// How the configuration language writes an address, for error messages.
inline constexpr const char *kEndpointSyntax = "IPv4:PORT or ipv6 [IPv6]:PORT";

struct Endpoint {
	int family = AF_INET; // AF_INET or AF_INET6
	std::string ip;	      // canonical inet_ntop() text, no brackets
	uint16_t port = 0;

	// "10.99.1.1:7789" or "[fd00::1]:7789": dry-run ops, messages, keys.
	std::string str() const;
	// As the configuration language writes it: "ipv6 [fd00::1]:7789".
	std::string config_text() const;
	// Binary sockaddr_in / sockaddr_in6, as RDBD_NET_*_ADDR carries it.
	std::vector<uint8_t> sockaddr_bytes() const;

	bool operator==(const Endpoint &o) const
	{
		return family == o.family && ip == o.ip && port == o.port;
	}
};

// Parses the words of an `address` statement: "IPv4:PORT",
// "ipv4 IPv4:PORT" or "ipv6 [IPv6]:PORT".  Throws ValueError.
Endpoint parse_endpoint(const std::vector<std::string> &words);

} // namespace rdbd
