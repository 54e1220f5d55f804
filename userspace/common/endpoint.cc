#include "endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace rdbd {

namespace {

ValueError bad_address(size_t word, const std::string &text)
{
	return {word, "bad value '" + text + "' for 'address' (expected " +
			      kEndpointSyntax + ")"};
}

uint16_t parse_port(size_t word, const std::string &port)
{
	const bool digits =
		!port.empty() && port.size() <= 5 &&
		port.find_first_not_of("0123456789") == std::string::npos;
	const unsigned long value = digits ? std::stoul(port) : 0;
	if (value < 1 || value > 65535)
		throw ValueError{word, "bad port '" + port +
					       "' in 'address' (expected "
					       "1..65535)"};
	return static_cast<uint16_t>(value);
}

// Splits "IP:PORT" (IPv4) or "[IP]:PORT" (IPv6) into its two halves.
bool split_host_port(const std::string &text, int family, std::string &ip,
		     std::string &port)
{
	size_t colon;
	if (family == AF_INET6) {
		const size_t close = text.find(']');
		if (text.empty() || text[0] != '[' ||
		    close == std::string::npos || close + 1 >= text.size() ||
		    text[close + 1] != ':')
			return false;
		ip = text.substr(1, close - 1);
		colon = close + 1;
	} else {
		colon = text.rfind(':');
		if (colon == std::string::npos)
			return false;
		ip = text.substr(0, colon);
	}
	port = text.substr(colon + 1);
	return true;
}

// inet_ntop's spelling, so equal addresses compare (and collide) as equal.
bool canonical_ip(int family, const std::string &ip, std::string &out)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char text[INET6_ADDRSTRLEN];
	if (inet_pton(family, ip.c_str(), bin) != 1 ||
	    !inet_ntop(family, bin, text, sizeof(text)))
		return false;
	out = text;
	return true;
}

int family_of(const std::vector<std::string> &words)
{
	if (words.size() == 1 || words[0] == "ipv4")
		return AF_INET;
	if (words[0] == "ipv6")
		return AF_INET6;
	throw ValueError{0, "bad address family '" + words[0] +
				    "' in 'address' (expected ipv4 or ipv6)"};
}

template <typename T> std::vector<uint8_t> bytes_of(const T &value)
{
	const auto *p = reinterpret_cast<const uint8_t *>(&value);
	return {p, p + sizeof(value)};
}

} // namespace

Endpoint parse_endpoint(const std::vector<std::string> &words)
{
	const size_t last = words.size() - 1;
	Endpoint e;
	e.family = family_of(words);
	std::string ip, port;
	if (!split_host_port(words[last], e.family, ip, port) ||
	    !canonical_ip(e.family, ip, e.ip))
		throw bad_address(last, words[last]);
	e.port = parse_port(last, port);
	return e;
}

std::string Endpoint::str() const
{
	const std::string host = family == AF_INET6 ? "[" + ip + "]" : ip;
	return host + ":" + std::to_string(port);
}

std::string Endpoint::config_text() const
{
	return (family == AF_INET6 ? "ipv6 " : "") + str();
}

std::vector<uint8_t> Endpoint::sockaddr_bytes() const
{
	if (family == AF_INET6) {
		sockaddr_in6 sa{};
		sa.sin6_family = AF_INET6;
		sa.sin6_port = htons(port);
		inet_pton(AF_INET6, ip.c_str(), &sa.sin6_addr);
		return bytes_of(sa);
	}
	sockaddr_in sa{};
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	inet_pton(AF_INET, ip.c_str(), &sa.sin_addr);
	return bytes_of(sa);
}

} // namespace rdbd
