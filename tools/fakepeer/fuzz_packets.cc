#include "fuzz_packets.h"

#include <endian.h>

#include <rdbd/genl.h>
#include <rdbd/wire.h>

#include <algorithm>
#include <cstring>

namespace rdbd::fakepeer::fuzz {

namespace {

constexpr uint32_t kBlock = 4096;
constexpr uint64_t kBlockSectors = kBlock / 512;
// No packet has this id: ids are never reused, so it stays unknown.
constexpr uint16_t kUnknownId = 0x7fff;

template <typename T> Bytes bytes_of(const T &value)
{
	const auto *p = reinterpret_cast<const uint8_t *>(&value);
	return Bytes(p, p + sizeof(value));
}

const std::pair<uint16_t, const char *> kNames[] = {
	{RDBD_P_HELLO, "HELLO"},
	{RDBD_P_AUTH_CHALLENGE, "AUTH_CHALLENGE"},
	{RDBD_P_AUTH_RESPONSE, "AUTH_RESPONSE"},
	{RDBD_P_AUTH_RESULT, "AUTH_RESULT"},
	{RDBD_P_PARAMS, "PARAMS"},
	{RDBD_P_UUIDS, "UUIDS"},
	{RDBD_P_PING, "PING"},
	{RDBD_P_PING_ACK, "PING_ACK"},
	{RDBD_P_STATE, "STATE"},
	{RDBD_P_STATE_CHG_REQ, "STATE_CHG_REQ"},
	{RDBD_P_STATE_CHG_REPLY, "STATE_CHG_REPLY"},
	{RDBD_P_DATA, "DATA"},
	{RDBD_P_RECV_ACK, "RECV_ACK"},
	{RDBD_P_WRITE_ACK, "WRITE_ACK"},
	{RDBD_P_NEG_ACK, "NEG_ACK"},
	{RDBD_P_SYNC_UUID, "SYNC_UUID"},
	{RDBD_P_RS_DATA, "RS_DATA"},
	{RDBD_P_RS_WRITE_ACK, "RS_WRITE_ACK"},
	{RDBD_P_RS_NEG_ACK, "RS_NEG_ACK"},
	{RDBD_P_SYNC_DONE, "SYNC_DONE"},
	{RDBD_P_BITMAP, "BITMAP"},
	{RDBD_P_BITMAP_DONE, "BITMAP_DONE"},
	{RDBD_P_SYNC_PAUSE, "SYNC_PAUSE"},
	{RDBD_P_INVALIDATE, "INVALIDATE"},
	{RDBD_P_VERIFY_START, "VERIFY_START"},
	{RDBD_P_VERIFY_REPLY, "VERIFY_REPLY"},
	{RDBD_P_VERIFY_DIGESTS, "VERIFY_DIGESTS"},
	{RDBD_P_VERIFY_RESULT, "VERIFY_RESULT"},
	{RDBD_P_VERIFY_DONE, "VERIFY_DONE"},
	{RDBD_P_READ_REQ, "READ_REQ"},
	{RDBD_P_READ_REPLY, "READ_REPLY"},
	{RDBD_P_OUT_OF_SYNC, "OUT_OF_SYNC"},
	{RDBD_P_REATTACH, "REATTACH"},
	{RDBD_P_DATA_UUID, "DATA_UUID"},
	{RDBD_P_RS_BATCH, "RS_BATCH"},
	{RDBD_P_RS_BATCH_ACK, "RS_BATCH_ACK"},
};

const char *const kMutationNames[kMutationKinds] = {
	"magic", "cmd", "flags", "reserved", "oversized", "resize", "value",
	"bytes"};

// A 4 KiB-aligned range of 1..`max_blocks` blocks inside the device.
struct Range {
	uint64_t sector;
	uint32_t bytes;
};

Range some_blocks(const Knowledge &k, Rng &rng, uint64_t max_blocks)
{
	const uint64_t blocks = std::max<uint64_t>(k.sectors / kBlockSectors, 1);
	const uint64_t n = 1 + rng.below(std::min(blocks, max_blocks));
	const uint64_t first = rng.below(blocks - n + 1);
	return {first * kBlockSectors, static_cast<uint32_t>(n * kBlock)};
}

Bytes random_bytes(size_t n, Rng &rng)
{
	Bytes b(n);
	for (uint8_t &byte : b)
		byte = static_cast<uint8_t>(rng.next());
	return b;
}

WirePacket ack(uint16_t cmd, const Knowledge &k, Rng &rng, uint64_t id)
{
	const Range r = some_blocks(k, rng, 8);
	rdbd_p_ack p{};
	p.sector = htobe64(r.sector);
	p.block_id = htobe64(id);
	p.size = htobe32(r.bytes);
	return {cmd, bytes_of(p)};
}

// DATA, RS_DATA, READ_REPLY: the fixed part, then the data if any.
WirePacket data(uint16_t cmd, Knowledge &k, Rng &rng)
{
	const Range r = some_blocks(k, rng, 8);
	rdbd_p_data p{};
	p.sector = htobe64(r.sector);
	p.block_id = htobe64(k.next_id++);
	p.size = htobe32(r.bytes);
	bool payload = true;
	if (cmd == RDBD_P_DATA) {
		static const uint32_t kFlags[] = {
			0, RDBD_DP_FUA, RDBD_DP_FLUSH, RDBD_DP_FLUSH | RDBD_DP_FUA,
			RDBD_DP_DISCARD, RDBD_DP_WRITE_ZEROES};
		const uint32_t f = kFlags[rng.below(6)];
		p.dp_flags = htobe32(f);
		payload = !(f & (RDBD_DP_DISCARD | RDBD_DP_WRITE_ZEROES));
		if (f == RDBD_DP_FLUSH && rng.one_in(2)) { // an empty flush
			p.size = 0;
			payload = false;
		}
	}
	WirePacket w{cmd, bytes_of(p)};
	if (payload) {
		const Bytes d = random_bytes(be32toh(p.size), rng);
		w.payload.insert(w.payload.end(), d.begin(), d.end());
	}
	return w;
}

WirePacket uuids_packet(uint16_t cmd, const Knowledge &k)
{
	rdbd_p_sync_done p{}; // REATTACH has the same shape
	for (int i = 0; i < 4; i++)
		p.uuid[i] = htobe64(k.node_uuids[i]);
	return {cmd, bytes_of(p)};
}

// RS_BATCH: ascending extents of 1-2 blocks, with gaps, then their data.
WirePacket rs_batch(Knowledge &k, Rng &rng)
{
	const uint64_t blocks = k.sectors / kBlockSectors;
	std::vector<rdbd_p_rs_extent> extents;
	uint32_t total = 0;
	for (uint64_t b = rng.below(4); b + 1 < blocks && extents.size() < 8;
	     b += 2 + rng.below(4)) {
		rdbd_p_rs_extent e{};
		const uint32_t n = 1 + static_cast<uint32_t>(rng.below(2));
		e.sector = htobe64(b * kBlockSectors);
		e.size = htobe32(n * kBlock);
		extents.push_back(e);
		total += n * kBlock;
		b += n - 1;
	}
	rdbd_p_rs_batch h{};
	h.batch_id = htobe64(k.next_id++);
	h.count = htobe32(static_cast<uint32_t>(extents.size()));
	WirePacket w{RDBD_P_RS_BATCH, bytes_of(h)};
	for (const rdbd_p_rs_extent &e : extents) {
		const Bytes b = bytes_of(e);
		w.payload.insert(w.payload.end(), b.begin(), b.end());
	}
	const Bytes d = random_bytes(total, rng);
	w.payload.insert(w.payload.end(), d.begin(), d.end());
	return w;
}

WirePacket verify_packet(uint16_t cmd, const Knowledge &k, Rng &rng)
{
	switch (cmd) {
	case RDBD_P_VERIFY_START: {
		rdbd_p_verify_start p{};
		std::memcpy(p.alg, k.verify_alg.data(),
			    std::min(k.verify_alg.size(), sizeof(p.alg)));
		p.size_sectors = htobe64(k.sectors);
		return {cmd, bytes_of(p)};
	}
	case RDBD_P_VERIFY_REPLY: {
		rdbd_p_verify_reply p{};
		std::memcpy(p.alg, k.verify_alg.data(),
			    std::min(k.verify_alg.size(), sizeof(p.alg)));
		return {cmd, bytes_of(p)};
	}
	case RDBD_P_VERIFY_DIGESTS: {
		rdbd_p_verify_digests p{};
		const uint64_t blocks = k.sectors / kBlockSectors;
		p.blocks = htobe32(static_cast<uint32_t>(
			1 + rng.below(std::min<uint64_t>(blocks,
							  RDBD_VERIFY_BATCH))));
		p.digest_len = htobe32(digest_size(k.verify_alg));
		return {cmd, bytes_of(p)};
	}
	case RDBD_P_VERIFY_RESULT: {
		rdbd_p_verify_result p{};
		p.blocks = htobe32(1);
		p.mismatch = htobe64(rng.below(2));
		return {cmd, bytes_of(p)};
	}
	default: {
		rdbd_p_verify_done p{};
		p.blocks = htobe64(k.sectors / kBlockSectors);
		return {cmd, bytes_of(p)};
	}
	}
}

WirePacket handshake_packet(uint16_t cmd, const Knowledge &k, Rng &rng)
{
	switch (cmd) {
	case RDBD_P_HELLO: {
		Bytes b = hello("rabius", "r0");
		return {cmd, Bytes(b.begin() + sizeof(rdbd_wire_hdr), b.end())};
	}
	case RDBD_P_AUTH_CHALLENGE:
		return {cmd, random_bytes(sizeof(rdbd_p_auth_challenge), rng)};
	case RDBD_P_AUTH_RESPONSE: {
		rdbd_p_auth_response p{};
		p.digest_len = htobe32(32);
		return {cmd, bytes_of(p)};
	}
	case RDBD_P_AUTH_RESULT: {
		rdbd_p_auth_result p{};
		p.accepted = htobe32(1);
		return {cmd, bytes_of(p)};
	}
	case RDBD_P_PARAMS: {
		Bytes b = params(RDBD_PROT_C);
		return {cmd, Bytes(b.begin() + sizeof(rdbd_wire_hdr), b.end())};
	}
	default: {
		rdbd_p_uuids p{};
		for (int i = 0; i < 4; i++)
			p.uuid[i] = htobe64(k.node_uuids[i]);
		p.role = RDBD_ROLE_SECONDARY;
		p.disk_state = RDBD_DISK_UPTODATE;
		return {cmd, bytes_of(p)};
	}
	}
}

// A 4- or 8-byte edge value: zero, one, powers of two and their
// neighbours, the device's end and beyond, all ones.
uint64_t edge_value(const Knowledge &k, Rng &rng)
{
	switch (rng.below(8)) {
	case 0:
		return 0;
	case 1:
		return 1 + rng.below(8);
	case 2: {
		const uint64_t p = 1ULL << rng.below(64);
		return p + rng.below(3) - 1;
	}
	case 3:
		return k.sectors + rng.below(3) - 1;
	case 4:
		return k.sectors * 512 + rng.below(3) - 1;
	case 5:
		return ~0ULL - rng.below(2);
	case 6:
		return RDBD_WIRE_MAX_DATA + rng.below(3) - 1;
	default:
		return rng.next();
	}
}

void set_word(Bytes &payload, size_t offset, size_t width, uint64_t value)
{
	for (size_t i = 0; i < width; i++)
		payload[offset + i] =
			static_cast<uint8_t>(value >> (8 * (width - 1 - i)));
}

} // namespace

uint64_t Rng::next()
{
	uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

Bytes frame(const WirePacket &p)
{
	Bytes b = header(p.cmd, static_cast<uint32_t>(p.payload.size()));
	b.insert(b.end(), p.payload.begin(), p.payload.end());
	return b;
}

const std::vector<uint16_t> &stream_packet_ids()
{
	static const std::vector<uint16_t> ids = [] {
		std::vector<uint16_t> v;
		for (const auto &[id, name] : kNames)
			v.push_back(id);
		return v;
	}();
	return ids;
}

std::string packet_name(uint16_t cmd)
{
	for (const auto &[id, name] : kNames)
		if (id == cmd)
			return name;
	char hex[8];
	std::snprintf(hex, sizeof(hex), "0x%04x", cmd);
	return hex;
}

WirePacket valid_packet(uint16_t cmd, Knowledge &k, Rng &rng)
{
	switch (cmd) {
	case RDBD_P_PING:
	case RDBD_P_PING_ACK:
	case RDBD_P_INVALIDATE:
		return {cmd, {}};
	case RDBD_P_STATE: {
		rdbd_p_state p{};
		p.role = rng.one_in(4) ? RDBD_ROLE_PRIMARY : RDBD_ROLE_SECONDARY;
		p.disk_state = RDBD_DISK_UPTODATE;
		return {cmd, bytes_of(p)};
	}
	case RDBD_P_STATE_CHG_REQ: {
		rdbd_p_state_chg_req p{};
		p.req_id = htobe32(static_cast<uint32_t>(k.next_id++));
		p.role = RDBD_ROLE_PRIMARY;
		return {cmd, bytes_of(p)};
	}
	case RDBD_P_STATE_CHG_REPLY: {
		rdbd_p_state_chg_reply p{};
		p.req_id = htobe32(static_cast<uint32_t>(rng.below(4)));
		return {cmd, bytes_of(p)};
	}
	case RDBD_P_DATA:
	case RDBD_P_RS_DATA:
	case RDBD_P_READ_REPLY:
		return data(cmd, k, rng);
	case RDBD_P_RECV_ACK:
	case RDBD_P_WRITE_ACK:
	case RDBD_P_NEG_ACK:
	case RDBD_P_RS_WRITE_ACK:
	case RDBD_P_RS_NEG_ACK:
	case RDBD_P_RS_BATCH_ACK:
		return ack(cmd, k, rng, 1 + rng.below(64));
	case RDBD_P_READ_REQ:
		return ack(cmd, k, rng, k.next_id++);
	case RDBD_P_OUT_OF_SYNC:
		return ack(cmd, k, rng, 0);
	case RDBD_P_SYNC_UUID:
	case RDBD_P_DATA_UUID: {
		WirePacket w = sync_uuid(rng.next());
		w.cmd = cmd; // the same payload
		return w;
	}
	case RDBD_P_SYNC_DONE:
	case RDBD_P_REATTACH:
		return uuids_packet(cmd, k);
	case RDBD_P_BITMAP:
		return bitmap_block(rng.next() & rng.next());
	case RDBD_P_BITMAP_DONE:
		return bitmap_done(rng.below(4));
	case RDBD_P_SYNC_PAUSE: {
		rdbd_p_sync_pause p{};
		p.paused = htobe32(static_cast<uint32_t>(rng.below(2)));
		return {cmd, bytes_of(p)};
	}
	case RDBD_P_RS_BATCH:
		return rs_batch(k, rng);
	case RDBD_P_VERIFY_START ... RDBD_P_VERIFY_DONE:
		return verify_packet(cmd, k, rng);
	default:
		return handshake_packet(cmd, k, rng);
	}
}

WirePacket bitmap_block(uint64_t bits_mask)
{
	rdbd_p_bitmap p{};
	for (int i = 0; i < 8; i++)
		p.bits[i] = static_cast<uint8_t>(bits_mask >> (8 * i));
	return {RDBD_P_BITMAP, bytes_of(p)};
}

WirePacket bitmap_done(uint64_t bits_set)
{
	rdbd_p_bitmap_done p{};
	p.bits_set = htobe64(bits_set);
	return {RDBD_P_BITMAP_DONE, bytes_of(p)};
}

WirePacket sync_uuid(uint64_t uuid)
{
	rdbd_p_sync_uuid p{};
	p.uuid = htobe64(uuid);
	return {RDBD_P_SYNC_UUID, bytes_of(p)};
}

const char *mutation_name(MutationKind kind)
{
	return kMutationNames[static_cast<int>(kind)];
}

Mutation mutate(const WirePacket &p, const Knowledge &k, Rng &rng)
{
	auto kind = static_cast<MutationKind>(rng.below(kMutationKinds));
	// Most of the packet is payload: aim most mutations there.
	if (rng.one_in(2))
		kind = rng.one_in(2) ? MutationKind::Value : MutationKind::Bytes;
	if (p.payload.size() < 4 &&
	    (kind == MutationKind::Value || kind == MutationKind::Bytes))
		kind = MutationKind::Resize;
	WirePacket m = p;
	Bytes hdr_only;
	char detail[96] = "";
	switch (kind) {
	case MutationKind::Magic:
	case MutationKind::Flags:
	case MutationKind::Reserved:
	case MutationKind::Oversized:
		break;
	case MutationKind::Cmd:
		m.cmd = rng.one_in(8) ? kUnknownId
				      : stream_packet_ids()[rng.below(
						stream_packet_ids().size())];
		std::snprintf(detail, sizeof(detail), "as %s",
			      packet_name(m.cmd).c_str());
		break;
	case MutationKind::Resize: {
		const size_t n = p.payload.size();
		size_t to = rng.below(3) == 0 ? 0 : n + rng.below(17) - 8;
		if (to > n + 8 || rng.one_in(8)) // underflow, or a big one
			to = n + 1 + rng.below(8192);
		m.payload.resize(to);
		std::snprintf(detail, sizeof(detail), "%zu -> %zu bytes", n, to);
		break;
	}
	case MutationKind::Value: {
		const size_t width =
			m.payload.size() >= 8 && rng.one_in(2) ? 8 : 4;
		const size_t words = std::min<size_t>(m.payload.size(), 4200) / width;
		const size_t at = width * rng.below(words);
		const uint64_t v = edge_value(k, rng);
		set_word(m.payload, at, width, v);
		std::snprintf(detail, sizeof(detail), "%zu-byte word at %zu = 0x%llx",
			      width, at, static_cast<unsigned long long>(
						 width == 4 ? v & 0xffffffffULL : v));
		break;
	}
	case MutationKind::Bytes: {
		const size_t n = 1 + rng.below(4);
		const size_t span = std::min<size_t>(m.payload.size(), 4200);
		for (size_t i = 0; i < n; i++)
			m.payload[rng.below(span)] = static_cast<uint8_t>(rng.next());
		std::snprintf(detail, sizeof(detail), "%zu random bytes", n);
		break;
	}
	}
	Bytes b = frame(m);
	auto *h = reinterpret_cast<rdbd_wire_hdr *>(b.data());
	switch (kind) {
	case MutationKind::Magic:
		h->magic ^= htobe32(1U << rng.below(32));
		break;
	case MutationKind::Flags:
		h->flags = htobe16(static_cast<uint16_t>(1 + rng.below(0xffff)));
		break;
	case MutationKind::Reserved:
		h->reserved = htobe32(static_cast<uint32_t>(1 + rng.below(~0U)));
		break;
	case MutationKind::Oversized:
		h->length = htobe32(RDBD_WIRE_MAX_PAYLOAD + 1 +
				    static_cast<uint32_t>(rng.below(1U << 30)));
		b.resize(sizeof(rdbd_wire_hdr));
		std::snprintf(detail, sizeof(detail), "length %u",
			      be32toh(h->length));
		break;
	default:
		break;
	}
	return {b, kind, detail};
}

} // namespace rdbd::fakepeer::fuzz
