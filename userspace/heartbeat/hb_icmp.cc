#include "hb_icmp.h"

#include <arpa/inet.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace rdbd::hb {

namespace {

// RFC 1071's ones' complement sum.
uint16_t icmp_checksum(const uint8_t *data, size_t size)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < size; i += 2)
		sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
	if (size & 1)
		sum += static_cast<uint32_t>(data[size - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return static_cast<uint16_t>(~sum);
}

} // namespace

UniqueFd open_icmp_socket(const std::string &dev, std::string &error)
{
	UniqueFd s(socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			  IPPROTO_ICMP));
	if (!s) {
		error = std::string("ICMP socket: ") + strerror(errno);
		return s;
	}
	if (!dev.empty() &&
	    setsockopt(s.get(), SOL_SOCKET, SO_BINDTODEVICE, dev.c_str(),
		       static_cast<socklen_t>(dev.size())) != 0) {
		error = "ICMP socket on " + dev + ": " + strerror(errno);
		return UniqueFd();
	}
	return s;
}

void send_echo(int fd, const std::string &ip, uint16_t ident, uint16_t seq)
{
	uint8_t packet[8 + 16] = {ICMP_ECHO, 0};
	packet[4] = static_cast<uint8_t>(ident >> 8);
	packet[5] = static_cast<uint8_t>(ident);
	packet[6] = static_cast<uint8_t>(seq >> 8);
	packet[7] = static_cast<uint8_t>(seq);
	memcpy(packet + 8, "rdbd-heartbeat\0", 16);
	const uint16_t sum = icmp_checksum(packet, sizeof(packet));
	packet[2] = static_cast<uint8_t>(sum >> 8);
	packet[3] = static_cast<uint8_t>(sum);
	sockaddr_in to{};
	to.sin_family = AF_INET;
	inet_pton(AF_INET, ip.c_str(), &to.sin_addr);
	(void)sendto(fd, packet, sizeof(packet), 0,
		     reinterpret_cast<sockaddr *>(&to), sizeof(to));
}

std::optional<EchoReply> read_echo_reply(int fd)
{
	uint8_t buf[1500];
	for (int skipped = 0; skipped < 64; skipped++) {
		sockaddr_in from{};
		socklen_t len = sizeof(from);
		const ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
					   reinterpret_cast<sockaddr *>(&from), &len);
		if (n < 0)
			return std::nullopt;
		// A raw IPv4 socket hands over the IP header too.
		const size_t ihl = static_cast<size_t>(buf[0] & 0x0f) * 4;
		if (static_cast<size_t>(n) < ihl + 8 || buf[ihl] != ICMP_ECHOREPLY)
			continue;
		const uint8_t *icmp = buf + ihl;
		EchoReply r;
		r.ident = static_cast<uint16_t>(icmp[4] << 8 | icmp[5]);
		r.seq = static_cast<uint16_t>(icmp[6] << 8 | icmp[7]);
		char text[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &from.sin_addr, text, sizeof(text));
		r.from = text;
		return r;
	}
	return std::nullopt;
}

} // namespace rdbd::hb
