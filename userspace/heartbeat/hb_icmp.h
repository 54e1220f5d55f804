// ICMP echo over raw sockets, for the uplink probes (hb_uplink.h) and the
// ping nodes (hb_ping.h).  Raw sockets see every echo reply that reaches
// the host (or the device they are bound to); each user tells its own by
// the ident it sent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fd.h"

namespace rdbd::hb {

// A nonblocking raw ICMP socket; bound to `dev` (SO_BINDTODEVICE) unless
// it is empty.  On failure, returns an empty fd and says why in `error`.
UniqueFd open_icmp_socket(const std::string &dev, std::string &error);

// One echo request with a 16-byte payload; failures (ENETUNREACH while a
// link is down) only mean no reply will come.
void send_echo(int fd, const std::string &ip, uint16_t ident, uint16_t seq);

struct EchoReply {
	uint16_t ident = 0;
	uint16_t seq = 0;
	std::string from; // dotted quad
};

// The next echo reply queued on `fd`, skipping other ICMP; nullopt when
// nothing is left to read.
std::optional<EchoReply> read_echo_reply(int fd);

} // namespace rdbd::hb
