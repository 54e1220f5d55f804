// What rdbd-fakepeer sends: honest packets of the wire protocol
// (include/rdbd/wire.h) and the broken ones it misbehaves with.  Pure
// byte builders, so the unit tests can check them without a kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rdbd::fakepeer {

using Bytes = std::vector<uint8_t>;

// How the fake peer misbehaves, and whether it first completes the HELLO
// exchange honestly ("handshake-then-garbage").
enum class Misbehaviour { Garbage, Oversized, UnknownPacket, HangupMidPayload };
struct Mode {
	Misbehaviour what;
	bool after_handshake;
};

// "garbage", "handshake-then-oversized", ...; nullopt for anything else.
std::optional<Mode> parse_mode(const std::string &text);
// The names parse_mode() accepts, for the usage text.
std::string mode_names();

// A 16-byte header: magic, `cmd`, flags 0, `length`, reserved 0.
Bytes header(uint16_t cmd, uint32_t length);
// An honest HELLO without authentication: header and payload.
Bytes hello(const std::string &node, const std::string &resource);

// The bytes of one misbehaviour, what to print about it, and whether the
// fake peer then stops sending (shuts its side down) to see the kernel
// notice the missing rest.
struct Attack {
	Bytes bytes;
	std::string description;
	bool hang_up;
};
Attack attack(const Mode &mode, const std::string &node,
	      const std::string &resource);

// A decoded header; nullopt unless `bytes` holds 16 with the right magic.
struct Header {
	uint16_t cmd;
	uint16_t flags;
	uint32_t length;
};
std::optional<Header> parse_header(const Bytes &bytes);

// The names in a received HELLO payload, and whether it asks for
// authentication; nullopt if the payload has the wrong size.
struct Hello {
	uint32_t protocol_min, protocol_max;
	bool wants_auth;
	std::string node, resource;
};
std::optional<Hello> parse_hello(const Bytes &payload);

} // namespace rdbd::fakepeer
