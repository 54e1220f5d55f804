#include "packets.h"

#include <endian.h>

#include <rdbd/genl.h>
#include <rdbd/wire.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rdbd::fakepeer {

namespace {

// No packet has this id (ids are never reused, so it stays unknown).
constexpr uint16_t kUnknownPacketId = 0x7fff;
constexpr size_t kGarbageBytes = 64;
// A READ_REPLY cookie the node never sent (its ids count up from 1).
constexpr uint64_t kUnaskedReadId = 0xdead0000beefULL;
constexpr uint32_t kBlock = 4096;
constexpr uint32_t kBlockSectors = kBlock / 512;

// Misbehaviours of the framing: at once, or as handshake-then-MODE.
const std::pair<const char *, Misbehaviour> kMisbehaviours[] = {
	{"garbage", Misbehaviour::Garbage},
	{"oversized", Misbehaviour::Oversized},
	{"unknown-packet", Misbehaviour::UnknownPacket},
	{"hangup-mid-payload", Misbehaviour::HangupMidPayload},
};
constexpr const char *kHandshakePrefix = "handshake-then-";

// Misbehaviours of a peer the node is Connected to.
const Mode kConnectedModes[] = {
	{"verify-start-unknown-alg", Misbehaviour::VerifyStartUnknownAlg,
	 Stage::Connected, Expect::VerifyRefusal, true},
	{"verify-start-long-alg", Misbehaviour::VerifyStartLongAlg,
	 Stage::Connected, Expect::VerifyRefusal, true},
	{"verify-start-unnegotiated", Misbehaviour::VerifyStartUnnegotiated,
	 Stage::Connected, Expect::Drop, false},
	{"verify-digests-too-many", Misbehaviour::VerifyDigestsTooMany,
	 Stage::VerifyTarget, Expect::Drop, true},
	{"verify-digests-wrong-length", Misbehaviour::VerifyDigestsWrongLength,
	 Stage::VerifyTarget, Expect::Drop, true},
	{"verify-digests-past-end", Misbehaviour::VerifyDigestsPastEnd,
	 Stage::VerifyTarget, Expect::Drop, true},
	{"verify-reply-unsolicited", Misbehaviour::VerifyReplyUnsolicited,
	 Stage::Connected, Expect::Drop, true},
	{"verify-result-unsolicited", Misbehaviour::VerifyResultUnsolicited,
	 Stage::Connected, Expect::Drop, true},
	{"verify-done-unsolicited", Misbehaviour::VerifyDoneUnsolicited,
	 Stage::Connected, Expect::Drop, true},
	{"read-req-past-end", Misbehaviour::ReadReqPastEnd, Stage::Connected,
	 Expect::Drop, true},
	{"read-req-misaligned", Misbehaviour::ReadReqMisaligned,
	 Stage::Connected, Expect::Drop, true},
	{"read-req-oversized", Misbehaviour::ReadReqOversized, Stage::Connected,
	 Expect::Drop, true},
	{"read-reply-unknown-id", Misbehaviour::ReadReplyUnknownId,
	 Stage::Connected, Expect::Drop, true},
	{"read-req-flood", Misbehaviour::ReadReqFlood, Stage::Connected,
	 Expect::Drop, true},
	{"out-of-sync-past-end", Misbehaviour::OutOfSyncPastEnd,
	 Stage::Connected, Expect::Drop, true},
	{"no-verify-feature", Misbehaviour::NoVerifyFeature, Stage::Connected,
	 Expect::NoVerify, false},
	{"bad-version", Misbehaviour::BadVersion, Stage::Start, Expect::Drop,
	 false},
	{"bad-auth-response", Misbehaviour::BadAuthResponse, Stage::Start,
	 Expect::Drop, false},
	{"silent-after-hello", Misbehaviour::SilentAfterHello, Stage::Start,
	 Expect::Drop, false},
	{"bitmap-trickle", Misbehaviour::BitmapTrickle, Stage::Bitmap,
	 Expect::Drop, false},
	{"bitmap-disorder", Misbehaviour::BitmapDisorder, Stage::Bitmap,
	 Expect::Drop, false},
	{"bitmap-miscount", Misbehaviour::BitmapMiscount, Stage::Bitmap,
	 Expect::Drop, false},
	{"ack-unknown-write", Misbehaviour::AckUnknownWrite, Stage::Connected,
	 Expect::Drop, false},
	{"discard-with-flush", Misbehaviour::DiscardWithFlush,
	 Stage::Connected, Expect::Drop, false, true},
	{"rs-data-unsolicited", Misbehaviour::RsDataUnsolicited,
	 Stage::Connected, Expect::Drop, false},
	{"sync-uuid-while-verifying", Misbehaviour::SyncUuidWhileVerifying,
	 Stage::VerifyTarget, Expect::Drop, true},
};

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

Bytes hello_payload(const std::string &node, const std::string &resource,
		    uint64_t features = 0,
		    uint32_t proto_min = RDBD_WIRE_PROTO_MIN,
		    uint32_t proto_max = RDBD_WIRE_PROTO_MAX, bool auth = false)
{
	rdbd_p_hello h{};
	h.protocol_min = htobe32(proto_min);
	h.protocol_max = htobe32(proto_max);
	h.features = htobe64(features);
	h.flags = htobe32(auth ? RDBD_HELLO_F_AUTH : 0);
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

// READ_REQ and OUT_OF_SYNC: an rdbd_p_ack.
Attack ack_packet(uint16_t cmd, const char *name, uint64_t sector,
		  uint64_t id, uint32_t size, const std::string &why)
{
	rdbd_p_ack p{};
	p.sector = htobe64(sector);
	p.block_id = htobe64(id);
	p.size = htobe32(size);
	return {packet(cmd, bytes_of(p)),
		std::string(name) + " for " + std::to_string(size) +
			" bytes at sector " + std::to_string(sector) + " (" +
			why + ")",
		false};
}

// VERIFY_DIGESTS at `sector` (all digests zero: only the framing counts).
Attack digests(uint64_t sector, uint32_t blocks, uint32_t digest_len,
	       const std::string &why)
{
	rdbd_p_verify_digests p{};
	p.sector = htobe64(sector);
	p.blocks = htobe32(blocks);
	p.digest_len = htobe32(digest_len);
	return {packet(RDBD_P_VERIFY_DIGESTS, bytes_of(p)),
		"VERIFY_DIGESTS for " + std::to_string(blocks) +
			" blocks at sector " + std::to_string(sector) +
			" with " + std::to_string(digest_len) +
			"-byte digests (" + why + ")",
		false};
}

Attack verify_misbehaviour(Misbehaviour what, const Session &s)
{
	const unsigned len = digest_size(s.verify_alg);
	const uint64_t blocks = s.sectors / kBlockSectors;
	switch (what) {
	case Misbehaviour::VerifyStartUnknownAlg:
		return {verify_start("md5", s.sectors),
			"VERIFY_START with alg md5, which rdbd does not know",
			false};
	case Misbehaviour::VerifyStartLongAlg: {
		Bytes b = verify_start("", s.sectors);
		std::memset(b.data() + sizeof(rdbd_wire_hdr), 'x',
			    RDBD_VERIFY_ALG_LEN);
		return {b,
			"VERIFY_START with an alg name of " +
				std::to_string(RDBD_VERIFY_ALG_LEN) +
				" bytes and no NUL",
			false};
	}
	case Misbehaviour::VerifyStartUnnegotiated:
		return {verify_start(s.verify_alg, s.sectors),
			"an honest VERIFY_START, on a connection without the "
			"verify feature",
			false};
	case Misbehaviour::VerifyDigestsTooMany:
		return digests(0, RDBD_VERIFY_BATCH + 1, len,
			       "the limit is " +
				       std::to_string(RDBD_VERIFY_BATCH));
	case Misbehaviour::VerifyDigestsWrongLength:
		return digests(0, 1, len + 1,
			       s.verify_alg + " digests have " +
				       std::to_string(len));
	case Misbehaviour::VerifyDigestsPastEnd:
		return digests(0, static_cast<uint32_t>(blocks + 1), len,
			       "the device has " + std::to_string(blocks));
	case Misbehaviour::VerifyReplyUnsolicited: {
		rdbd_p_verify_reply p{};
		return {packet(RDBD_P_VERIFY_REPLY, bytes_of(p)),
			"VERIFY_REPLY to a VERIFY_START never sent", false};
	}
	case Misbehaviour::VerifyResultUnsolicited: {
		rdbd_p_verify_result p{};
		p.blocks = htobe32(1);
		return {packet(RDBD_P_VERIFY_RESULT, bytes_of(p)),
			"VERIFY_RESULT while no verify runs", false};
	}
	case Misbehaviour::VerifyDoneUnsolicited:
	default: {
		rdbd_p_verify_done p{};
		return {packet(RDBD_P_VERIFY_DONE, bytes_of(p)),
			"VERIFY_DONE while no verify runs", false};
	}
	}
}

// Valid READ_REQs of the whole device, far more than the node serves at
// once, whose replies (kFloodReads x the device) overflow both sockets'
// buffers while nobody reads them.  The node must stop taking requests
// and, once ping-int + timeout pass, drop the connection (it would hold
// the replies' pages forever otherwise).
constexpr uint32_t kFloodReads = 400;
constexpr int kFloodUnreadSeconds = 6; // the tests: ping-int 2 s + 1 s

Attack read_flood(const Session &s)
{
	const uint32_t size = static_cast<uint32_t>(
		std::min<uint64_t>(s.sectors * 512, RDBD_WIRE_MAX_DATA));
	Bytes all;
	for (uint32_t id = 1; id <= kFloodReads; id++) {
		const Attack one = ack_packet(RDBD_P_READ_REQ, "READ_REQ", 0,
					      id, size, "");
		all.insert(all.end(), one.bytes.begin(), one.bytes.end());
	}
	return {all,
		std::to_string(kFloodReads) + " READ_REQs for " +
			std::to_string(size) +
			" bytes at sector 0, replies unread for " +
			std::to_string(kFloodUnreadSeconds) + " s",
		false, kFloodUnreadSeconds};
}

// The misbehaviours of a Connected peer that are no verify packet.
Attack connected_misbehaviour(Misbehaviour what, const Session &s)
{
	// the last 4 KiB block and one sector more
	const uint64_t last = s.sectors - kBlockSectors + 1;
	switch (what) {
	case Misbehaviour::AckUnknownWrite:
		return ack_packet(RDBD_P_WRITE_ACK, "WRITE_ACK", 0, 12345, kBlock,
				  "a write it never sent");
	case Misbehaviour::DiscardWithFlush: {
		rdbd_p_data p{};
		p.size = htobe32(kBlock);
		p.dp_flags = htobe32(RDBD_DP_DISCARD | RDBD_DP_FLUSH);
		return {packet(RDBD_P_DATA, bytes_of(p)),
			"DATA discarding 4096 bytes at sector 0 with a flush",
			false};
	}
	case Misbehaviour::ReadReqPastEnd:
		return ack_packet(RDBD_P_READ_REQ, "READ_REQ", last, 1, kBlock,
				  "the device has " +
					  std::to_string(s.sectors) +
					  " sectors");
	case Misbehaviour::ReadReqMisaligned:
		return ack_packet(RDBD_P_READ_REQ, "READ_REQ", 0, 1, 1000,
				  "no multiple of 512");
	case Misbehaviour::ReadReqOversized:
		return ack_packet(RDBD_P_READ_REQ, "READ_REQ", 0, 1,
				  RDBD_WIRE_MAX_DATA + kBlock,
				  "the maximum is " +
					  std::to_string(RDBD_WIRE_MAX_DATA));
	case Misbehaviour::OutOfSyncPastEnd:
		return ack_packet(RDBD_P_OUT_OF_SYNC, "OUT_OF_SYNC", last, 0,
				  kBlock,
				  "the device has " +
					  std::to_string(s.sectors) +
					  " sectors");
	case Misbehaviour::ReadReplyUnknownId: {
		rdbd_p_data p{};
		p.block_id = htobe64(kUnaskedReadId);
		p.size = htobe32(kBlock);
		Bytes payload = bytes_of(p);
		payload.resize(payload.size() + kBlock);
		return {packet(RDBD_P_READ_REPLY, payload),
			"READ_REPLY with 4096 bytes for a read never asked "
			"for",
			false};
	}
	case Misbehaviour::RsDataUnsolicited: {
		rdbd_p_data p{};
		p.block_id = htobe64(0);
		p.size = htobe32(kBlock);
		Bytes payload = bytes_of(p);
		payload.resize(payload.size() + kBlock, 0xa5);
		return {packet(RDBD_P_RS_DATA, payload),
			"RS_DATA of 4096 bytes at sector 0 while Connected, "
			"no sync running",
			false};
	}
	case Misbehaviour::SyncUuidWhileVerifying: {
		rdbd_p_sync_uuid p{};
		p.uuid = htobe64(0x5eed5eed5eed5eedULL);
		return {packet(RDBD_P_SYNC_UUID, bytes_of(p)),
			"SYNC_UUID while the node is VerifyT", false};
	}
	case Misbehaviour::ReadReqFlood:
		return read_flood(s);
	case Misbehaviour::NoVerifyFeature:
		return {{},
			"nothing: waiting for the node to end the connection",
			false};
	default:
		return verify_misbehaviour(what, s);
	}
}

} // namespace

std::optional<Mode> parse_mode(const std::string &text)
{
	for (const Mode &m : kConnectedModes)
		if (text == m.name)
			return m;
	const size_t prefix = std::strlen(kHandshakePrefix);
	const bool after = text.compare(0, prefix, kHandshakePrefix) == 0;
	const std::string name = after ? text.substr(prefix) : text;
	for (const auto &[n, what] : kMisbehaviours)
		if (name == n)
			return Mode{text, what, after ? Stage::Hello : Stage::Start,
				    Expect::Drop, false};
	return std::nullopt;
}

std::string mode_names()
{
	std::string list;
	for (const auto &[name, what] : kMisbehaviours)
		list += std::string(list.empty() ? "" : ", ") + name;
	list += std::string(", each also as ") + kHandshakePrefix + "MODE";
	for (const Mode &m : kConnectedModes)
		list += ", " + m.name;
	return list;
}

unsigned digest_size(const std::string &alg)
{
	if (alg == "crc32c")
		return 4;
	if (alg == "sha256")
		return 32;
	return 0;
}

Bytes header(uint16_t cmd, uint32_t length)
{
	rdbd_wire_hdr h{};
	h.magic = htobe32(RDBD_WIRE_MAGIC);
	h.cmd = htobe16(cmd);
	h.length = htobe32(length);
	return bytes_of(h);
}

Bytes hello(const std::string &node, const std::string &resource,
	    uint64_t features)
{
	return packet(RDBD_P_HELLO, hello_payload(node, resource, features));
}

Bytes hello_claiming(const std::string &node, const std::string &resource,
		     uint32_t proto_min, uint32_t proto_max, bool auth)
{
	return packet(RDBD_P_HELLO, hello_payload(node, resource, 0, proto_min,
						  proto_max, auth));
}

Bytes params(uint8_t protocol, uint64_t data_bytes)
{
	rdbd_p_params p{};
	p.data_bytes = htobe64(data_bytes);
	p.protocol = protocol;
	return packet(RDBD_P_PARAMS, bytes_of(p));
}

std::optional<Bytes> uuids_echo(const Bytes &node_uuids, uint64_t bits_set,
				bool primary)
{
	rdbd_p_uuids theirs, ours{};
	if (node_uuids.size() != sizeof(theirs))
		return std::nullopt;
	std::memcpy(&theirs, node_uuids.data(), sizeof(theirs));
	std::memcpy(ours.uuid, theirs.uuid, sizeof(ours.uuid));
	ours.role = primary ? RDBD_ROLE_PRIMARY : RDBD_ROLE_SECONDARY;
	ours.disk_state = RDBD_DISK_UPTODATE;
	ours.bits_set = htobe64(bits_set);
	return packet(RDBD_P_UUIDS, bytes_of(ours));
}

Bytes bitmap_block(uint64_t index)
{
	rdbd_p_bitmap p{};
	p.offset = htobe64(index * RDBD_WIRE_BITMAP_BLOCK);
	p.bits[0] = 1;
	return packet(RDBD_P_BITMAP, bytes_of(p));
}

Bytes bitmap_done(uint64_t bits)
{
	rdbd_p_bitmap_done p{};
	p.bits_set = htobe64(bits);
	return packet(RDBD_P_BITMAP_DONE, bytes_of(p));
}

Bytes auth_challenge()
{
	rdbd_p_auth_challenge p{};
	std::memset(p.challenge, 0x5a, sizeof(p.challenge));
	return packet(RDBD_P_AUTH_CHALLENGE, bytes_of(p));
}

Bytes auth_response_wrong()
{
	rdbd_p_auth_response p{};
	p.digest_len = htobe32(32);	/* sha256's size, all zeros */
	return packet(RDBD_P_AUTH_RESPONSE, bytes_of(p));
}

Bytes verify_start(const std::string &alg, uint64_t sectors)
{
	rdbd_p_verify_start p{};
	// NUL padded; a name of the full field width has none (wire.h)
	std::memcpy(p.alg, alg.data(), std::min(alg.size(), sizeof(p.alg)));
	p.size_sectors = htobe64(sectors);
	return packet(RDBD_P_VERIFY_START, bytes_of(p));
}

Attack attack(const Mode &mode, const std::string &node,
	      const std::string &resource, const Session &session)
{
	if (mode.stage >= Stage::Connected)
		return connected_misbehaviour(mode.what, session);
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
	default:
		break;
	}
	// Before the handshake the kernel waits for a HELLO, after it for
	// PARAMS: cut short the packet it is waiting for.
	if (mode.stage == Stage::Hello) {
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
		     be64toh(h.features),
		     (be32toh(h.flags) & RDBD_HELLO_F_AUTH) != 0,
		     name(h.node_name), name(h.res_name)};
}

std::optional<Params> parse_params(const Bytes &payload)
{
	rdbd_p_params p;
	if (payload.size() != sizeof(p))
		return std::nullopt;
	std::memcpy(&p, payload.data(), sizeof(p));
	return Params{be64toh(p.data_bytes), p.protocol};
}

std::optional<VerifyReply> parse_verify_reply(const Bytes &payload)
{
	rdbd_p_verify_reply p;
	if (payload.size() != sizeof(p))
		return std::nullopt;
	std::memcpy(&p, payload.data(), sizeof(p));
	return VerifyReply{be32toh(p.result),
			   std::string(p.alg, strnlen(p.alg, sizeof(p.alg)))};
}

std::string errno_name(uint32_t e)
{
	switch (e) {
	case ENOPROTOOPT:
		return "ENOPROTOOPT";
	case EINVAL:
		return "EINVAL";
	case EBUSY:
		return "EBUSY";
	case ENODATA:
		return "ENODATA";
	}
	return "errno " + std::to_string(e);
}

} // namespace rdbd::fakepeer
