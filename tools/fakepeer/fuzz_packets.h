// The wire fuzzer's packets (rdbd-fakepeer --mode fuzz): a valid packet
// of every type in <rdbd/wire.h>, and mutations of one.  Pure functions of
// a seeded generator, so a seed replays the same bytes and the unit tests
// can check them without a kernel.  fuzz.cc sends them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "packets.h"

namespace rdbd::fakepeer::fuzz {

// splitmix64: small, fast, and the same sequence on every machine.
class Rng {
public:
	explicit Rng(uint64_t seed) : state_(seed) {}
	uint64_t next();
	uint64_t below(uint64_t n) { return n ? next() % n : 0; }
	bool one_in(uint64_t n) { return below(n) == 0; }

private:
	uint64_t state_;
};

// A packet before framing: its id and its payload.
struct WirePacket {
	uint16_t cmd = 0;
	Bytes payload;
};

// Header and payload, the header's length the payload's size.
Bytes frame(const WirePacket &p);

// What the fuzzer knows of the node when it builds a packet.
struct Knowledge {
	uint64_t sectors = 0;		    // the device both agreed on
	uint64_t node_uuids[4] = {};	    // from the node's UUIDS
	std::string verify_alg = "crc32c";  // the node's verify-alg
	uint64_t next_id = 1;		    // block_id and batch_id cookies
};

// The packet ids a Connected peer may send, and the handshake's (which
// are protocol errors once Connected: the fuzzer sends them too).
const std::vector<uint16_t> &stream_packet_ids();
// "DATA", "RS_BATCH", ...; "0x7fff" for an unknown id.
std::string packet_name(uint16_t cmd);

// A well-formed packet of type `cmd`: right size, values inside the
// device and of the agreed sizes.  Whether it fits the node's state (a
// SYNC_DONE while no sync runs) is left to chance.
WirePacket valid_packet(uint16_t cmd, Knowledge &k, Rng &rng);

// The handshake packets, honest: a BITMAP block with `bits` bits set in
// its first 8 bytes, its BITMAP_DONE, a SYNC_UUID and a SYNC_DONE.
WirePacket bitmap_block(uint64_t bits_mask);
WirePacket bitmap_done(uint64_t bits_set);
WirePacket sync_uuid(uint64_t uuid);

// How a packet was mutated; the outcome counts are kept per kind.
enum class MutationKind {
	Magic,	    // a bit of the magic flipped
	Cmd,	    // another packet id, known or not, same payload
	Flags,	    // nonzero header flags
	Reserved,   // nonzero header reserved word
	Oversized,  // a length above RDBD_WIRE_MAX_PAYLOAD, no payload
	Resize,	    // payload cut or grown, length kept consistent
	Value,	    // one aligned word of the payload set to an edge value
	Bytes,	    // one to four payload bytes replaced by random ones
};
constexpr int kMutationKinds = 8;
const char *mutation_name(MutationKind kind);

struct Mutation {
	Bytes bytes; // the framed packet as sent
	MutationKind kind;
	std::string detail; // "word at 16 = 0xffffffff", for the log
};

// One mutation of `p`, framed.  The stream stays in step: the header's
// length always matches the bytes that follow, except for Oversized,
// which the node must refuse from the header alone.
Mutation mutate(const WirePacket &p, const Knowledge &k, Rng &rng);

} // namespace rdbd::fakepeer::fuzz
