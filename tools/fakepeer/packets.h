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

// How the fake peer misbehaves.
enum class Misbehaviour {
	// framing, before or right after the HELLO exchange
	Garbage,
	Oversized,
	UnknownPacket,
	HangupMidPayload,
	// online verify (0x0050-0x0054), once Connected
	VerifyStartUnknownAlg,	 // an alg rdbd does not know
	VerifyStartLongAlg,	 // 32 name bytes without a NUL
	VerifyStartUnnegotiated, // honest, but the HELLO did not offer verify
	VerifyDigestsTooMany,	 // more blocks than RDBD_VERIFY_BATCH
	VerifyDigestsWrongLength, // not the agreed alg's digest size
	VerifyDigestsPastEnd,	 // blocks beyond the device's end
	VerifyReplyUnsolicited,	 // to a VERIFY_START never sent
	VerifyResultUnsolicited, // while not verifying
	VerifyDoneUnsolicited,	 // while not verifying
	// remote reads and OUT_OF_SYNC (0x0060-0x0062), once Connected
	ReadReqPastEnd,
	ReadReqMisaligned, // a size that is no multiple of 512
	ReadReqOversized,  // more than RDBD_WIRE_MAX_DATA
	ReadReplyUnknownId, // an answer to a read never asked for
	ReadReqFlood,	    // many reads, and their replies left unread
	OutOfSyncPastEnd,
	// nothing: connected without offering verify, waits to be left
	NoVerifyFeature,
	// handshake attacks of a peer that is not who it claims (issue 11,
	// finding 6): they must not freeze writes or end in StandAlone
	BadVersion,	  // a HELLO with protocol versions 1-1
	BadAuthResponse,  // the auth exchange with a wrong digest
	SilentAfterHello, // a HELLO asking for auth, then nothing
	// bitmap exchange attacks (a peer that marked blocks)
	BitmapTrickle,	  // valid blocks, one every half second, for ever
	BitmapDisorder,	  // a block, then one before it, then a trickle
	BitmapMiscount,	  // BITMAP_DONE counting other bits than were sent
	// once Connected: a WRITE_ACK for a write the node never sent
	AckUnknownWrite,
	// once Connected as a Primary: DATA that discards and flushes at once
	DiscardWithFlush,
	// sync packets in a state without that sync (issue 11, finding 12)
	RsDataUnsolicited,	// RS_DATA while the node is no SyncTarget
	SyncUuidWhileVerifying, // SYNC_UUID to a node that is VerifyT
};

// How far the fake peer plays honest before it misbehaves.
enum class Stage {
	Start,	      // not at all: misbehaves at once
	Hello,	      // the HELLO exchange ("handshake-then-MODE")
	Connected,    // HELLO, PARAMS and UUIDS: the kernel is Connected
	VerifyTarget, // and a VERIFY_START it agreed to: it is VerifyT
	Bitmap,	      // HELLO, then PARAMS/UUIDS marking blocks: the node
		      // exchanges bitmaps (run by run_bitmap_attack())
};

// What the kernel must do about it.
enum class Expect {
	Drop,	       // close the connection within a few seconds
	VerifyRefusal, // answer VERIFY_REPLY with an error
	NoVerify,      // send no VERIFY_* packet until it closes the link
};

struct Mode {
	std::string name;
	Misbehaviour what;
	Stage stage;
	Expect expect;
	bool offers_verify; // our HELLO offers RDBD_FEAT_VERIFY
	bool as_primary = false; // our UUIDS say we are Primary
};

// "garbage", "handshake-then-oversized", "verify-digests-past-end", ...;
// nullopt for anything else.
std::optional<Mode> parse_mode(const std::string &text);
// The names parse_mode() accepts, for the usage text.
std::string mode_names();

// The data size the fake peer claims in PARAMS: 32 blocks of 4 KiB, fewer
// than one verify batch, so the device both agree on (the smaller of the
// two) is small enough for a first batch to reach past its end.
constexpr uint64_t kFakeDataBytes = 128 * 1024;

// What both sides agreed in the handshake, for the packets that follow.
struct Session {
	uint64_t sectors = 0;	// the device: the smaller data size
	std::string verify_alg; // the node's verify-alg (--verify-alg)
};

// Digest size of a verify-alg rdbd knows (crc32c, sha256); 0 otherwise.
unsigned digest_size(const std::string &alg);

// A 16-byte header: magic, `cmd`, flags 0, `length`, reserved 0.
Bytes header(uint16_t cmd, uint32_t length);
// An honest HELLO without authentication, offering `features`.
Bytes hello(const std::string &node, const std::string &resource,
	    uint64_t features = 0);
// A HELLO with any protocol range, maybe asking for authentication.
Bytes hello_claiming(const std::string &node, const std::string &resource,
		     uint32_t proto_min, uint32_t proto_max, bool auth);
// Our PARAMS: `data_bytes` and the node's replication protocol.
Bytes params(uint8_t protocol, uint64_t data_bytes = kFakeDataBytes);
// Our UUIDS: the node's generation UUIDs echoed, an UpToDate Secondary
// with `bits_set` blocks marked: none, so the handshake ends Connected
// without a sync, or some, so the node exchanges bitmaps with us; a
// Primary if `primary` (the node must be Secondary then).
// nullopt if `node_uuids` is no UUIDS payload.
std::optional<Bytes> uuids_echo(const Bytes &node_uuids,
				uint64_t bits_set = 0, bool primary = false);
// The data size the bitmap attacks claim: 512 blocks of bitmap, so
// there are enough valid blocks to trickle for minutes.
constexpr uint64_t kBitmapAttackDataBytes = 64ULL << 30;
// BITMAP block `index` with one bit set; BITMAP_DONE counting `bits`.
Bytes bitmap_block(uint64_t index);
Bytes bitmap_done(uint64_t bits);
// AUTH_CHALLENGE (a fixed one) and an AUTH_RESPONSE that is all zeros.
Bytes auth_challenge();
Bytes auth_response_wrong();
// An honest VERIFY_START.
Bytes verify_start(const std::string &alg, uint64_t sectors);

// The bytes of one misbehaviour, what to print about it, and whether the
// fake peer then stops sending (shuts its side down) to see the kernel
// notice the missing rest.
struct Attack {
	Bytes bytes;
	std::string description;
	bool hang_up;
	int unread_seconds = 0; // read nothing for this long after sending
};
Attack attack(const Mode &mode, const std::string &node,
	      const std::string &resource, const Session &session = {});

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
	uint64_t features;
	bool wants_auth;
	std::string node, resource;
};
std::optional<Hello> parse_hello(const Bytes &payload);

// The node's PARAMS: its data size and protocol; nullopt if malformed.
struct Params {
	uint64_t data_bytes;
	uint8_t protocol;
};
std::optional<Params> parse_params(const Bytes &payload);

// A VERIFY_REPLY: 0 or a positive errno, and the node's verify-alg.
struct VerifyReply {
	uint32_t result;
	std::string alg;
};
std::optional<VerifyReply> parse_verify_reply(const Bytes &payload);

// "EINVAL" for the errnos a VERIFY_REPLY may carry, else the number.
std::string errno_name(uint32_t e);

} // namespace rdbd::fakepeer
