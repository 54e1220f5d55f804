#include "packets.h"

#include <endian.h>

#include <rdbd/genl.h>
#include <rdbd/wire.h>

#include <cstring>

namespace rdbd::fakepeer {

namespace {

// No packet has this id (ids are never reused, so it stays unknown).
constexpr uint16_t kUnknownPacketId = 0x7fff;
constexpr size_t kGarbageBytes = 64;

const std::pair<const char *, Misbehaviour> kMisbehaviours[] = {
	{"garbage", Misbehaviour::Garbage},
	{"oversized", Misbehaviour::Oversized},
	{"unknown-packet", Misbehaviour::UnknownPacket},
	{"hangup-mid-payload", Misbehaviour::HangupMidPayload},
};
constexpr const char *kHandshakePrefix = "handshake-then-";

template <typename T> Bytes bytes_of(const T &value)
{
	const auto *p = reinterpret_cast<const uint8_t *>(&value);
	return Bytes(p, p + sizeof(value));
}

Bytes packet(uint16_t cmd, const Bytes &payload)
{
	Bytes b = header(cmd, static_cast<uint32_t>(payload.size()));
	b.insert(b.end(), payload.begin(), payload.end());
	return b;
}

void copy_name(char (&field)[RDBD_WIRE_NAME_LEN], const std::string &name)
{
	std::strncpy(field, name.c_str(), sizeof(field) - 1);
}

Bytes hello_payload(const std::string &node, const std::string &resource)
{
	rdbd_p_hello h{};
	h.protocol_min = htobe32(RDBD_WIRE_PROTO_MIN);
	h.protocol_max = htobe32(RDBD_WIRE_PROTO_MAX);
	copy_name(h.node_name, node);
	copy_name(h.res_name, resource);
	return bytes_of(h);
}

// Deterministic noise (xorshift32, fixed seed) whose first byte can never
// start the magic: the kernel must refuse it as a header.
Bytes garbage()
{
	Bytes b(kGarbageBytes);
	uint32_t x = 0x2545f491;
	for (uint8_t &byte : b) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		byte = static_cast<uint8_t>(x);
	}
	b[0] = static_cast<uint8_t>(~(RDBD_WIRE_MAGIC >> 24));
	return b;
}

// A packet announcing its full payload, then only its first half.
Attack cut_short(uint16_t cmd, const char *name, const Bytes &payload)
{
	const size_t sent = payload.size() / 2;
	Bytes b = header(cmd, static_cast<uint32_t>(payload.size()));
	b.insert(b.end(), payload.begin(), payload.begin() + sent);
	return {b,
		std::string("a ") + name + " header announcing " +
			std::to_string(payload.size()) + " bytes, then " +
			std::to_string(sent) + " of them, then hang-up",
		true};
}

} // namespace

std::optional<Mode> parse_mode(const std::string &text)
{
	const size_t prefix = std::strlen(kHandshakePrefix);
	const bool after = text.compare(0, prefix, kHandshakePrefix) == 0;
	const std::string name = after ? text.substr(prefix) : text;
	for (const auto &[n, what] : kMisbehaviours)
		if (name == n)
			return Mode{what, after};
	return std::nullopt;
}

std::string mode_names()
{
	std::string list;
	for (const auto &[name, what] : kMisbehaviours)
		list += std::string(list.empty() ? "" : ", ") + name;
	return list + ", and each as " + kHandshakePrefix + "MODE";
}

Bytes header(uint16_t cmd, uint32_t length)
{
	rdbd_wire_hdr h{};
	h.magic = htobe32(RDBD_WIRE_MAGIC);
	h.cmd = htobe16(cmd);
	h.length = htobe32(length);
	return bytes_of(h);
}

Bytes hello(const std::string &node, const std::string &resource)
{
	return packet(RDBD_P_HELLO, hello_payload(node, resource));
}

Attack attack(const Mode &mode, const std::string &node,
	      const std::string &resource)
{
	switch (mode.what) {
	case Misbehaviour::Garbage:
		return {garbage(),
			std::to_string(kGarbageBytes) +
				" bytes of garbage instead of a header",
			false};
	case Misbehaviour::Oversized:
		return {header(RDBD_P_DATA, RDBD_WIRE_MAX_PAYLOAD + 1),
			"a DATA header announcing " +
				std::to_string(RDBD_WIRE_MAX_PAYLOAD + 1) +
				" bytes (the maximum is " +
				std::to_string(RDBD_WIRE_MAX_PAYLOAD) + ")",
			false};
	case Misbehaviour::UnknownPacket:
		return {header(kUnknownPacketId, 0),
			"a header with the unknown packet id 0x7fff", false};
	case Misbehaviour::HangupMidPayload:
		break;
	}
	// Before the handshake the kernel waits for a HELLO, after it for
	// PARAMS: cut short the packet it is waiting for.
	if (mode.after_handshake) {
		rdbd_p_params p{};
		p.protocol = RDBD_PROT_C;
		return cut_short(RDBD_P_PARAMS, "PARAMS", bytes_of(p));
	}
	return cut_short(RDBD_P_HELLO, "HELLO", hello_payload(node, resource));
}

std::optional<Header> parse_header(const Bytes &bytes)
{
	rdbd_wire_hdr h;
	if (bytes.size() != sizeof(h))
		return std::nullopt;
	std::memcpy(&h, bytes.data(), sizeof(h));
	if (be32toh(h.magic) != RDBD_WIRE_MAGIC)
		return std::nullopt;
	return Header{be16toh(h.cmd), be16toh(h.flags), be32toh(h.length)};
}

std::optional<Hello> parse_hello(const Bytes &payload)
{
	rdbd_p_hello h;
	if (payload.size() != sizeof(h))
		return std::nullopt;
	std::memcpy(&h, payload.data(), sizeof(h));
	const auto name = [](const char(&field)[RDBD_WIRE_NAME_LEN]) {
		return std::string(field, strnlen(field, sizeof(field)));
	};
	return Hello{be32toh(h.protocol_min), be32toh(h.protocol_max),
		     (be32toh(h.flags) & RDBD_HELLO_F_AUTH) != 0,
		     name(h.node_name), name(h.res_name)};
}

} // namespace rdbd::fakepeer
