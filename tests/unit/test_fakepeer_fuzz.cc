// The wire fuzzer's packets: valid ones have the sizes wire.h gives,
// mutations keep the stream in step, and a seed replays the same bytes.
#include <catch2/catch.hpp>

#include <endian.h>

#include <rdbd/wire.h>

#include <cstring>
#include <map>

#include "fuzz_packets.h"

using namespace rdbd::fakepeer;
using namespace rdbd::fakepeer::fuzz;

namespace {

Knowledge knowledge()
{
	Knowledge k;
	k.sectors = kFakeDataBytes / 512;
	return k;
}

// The fixed sizes of wire.h; data packets are checked on their own.
const std::map<uint16_t, size_t> kFixedSizes = {
	{RDBD_P_HELLO, sizeof(rdbd_p_hello)},
	{RDBD_P_AUTH_CHALLENGE, sizeof(rdbd_p_auth_challenge)},
	{RDBD_P_AUTH_RESPONSE, sizeof(rdbd_p_auth_response)},
	{RDBD_P_AUTH_RESULT, sizeof(rdbd_p_auth_result)},
	{RDBD_P_PARAMS, sizeof(rdbd_p_params)},
	{RDBD_P_UUIDS, sizeof(rdbd_p_uuids)},
	{RDBD_P_PING, 0},
	{RDBD_P_PING_ACK, 0},
	{RDBD_P_STATE, sizeof(rdbd_p_state)},
	{RDBD_P_STATE_CHG_REQ, sizeof(rdbd_p_state_chg_req)},
	{RDBD_P_STATE_CHG_REPLY, sizeof(rdbd_p_state_chg_reply)},
	{RDBD_P_RECV_ACK, sizeof(rdbd_p_ack)},
	{RDBD_P_WRITE_ACK, sizeof(rdbd_p_ack)},
	{RDBD_P_NEG_ACK, sizeof(rdbd_p_ack)},
	{RDBD_P_SYNC_UUID, sizeof(rdbd_p_sync_uuid)},
	{RDBD_P_RS_WRITE_ACK, sizeof(rdbd_p_ack)},
	{RDBD_P_RS_NEG_ACK, sizeof(rdbd_p_ack)},
	{RDBD_P_SYNC_DONE, sizeof(rdbd_p_sync_done)},
	{RDBD_P_BITMAP, sizeof(rdbd_p_bitmap)},
	{RDBD_P_BITMAP_DONE, sizeof(rdbd_p_bitmap_done)},
	{RDBD_P_SYNC_PAUSE, sizeof(rdbd_p_sync_pause)},
	{RDBD_P_INVALIDATE, 0},
	{RDBD_P_VERIFY_START, sizeof(rdbd_p_verify_start)},
	{RDBD_P_VERIFY_REPLY, sizeof(rdbd_p_verify_reply)},
	{RDBD_P_VERIFY_DIGESTS, sizeof(rdbd_p_verify_digests)},
	{RDBD_P_VERIFY_RESULT, sizeof(rdbd_p_verify_result)},
	{RDBD_P_VERIFY_DONE, sizeof(rdbd_p_verify_done)},
	{RDBD_P_READ_REQ, sizeof(rdbd_p_ack)},
	{RDBD_P_OUT_OF_SYNC, sizeof(rdbd_p_ack)},
	{RDBD_P_REATTACH, sizeof(rdbd_p_reattach)},
	{RDBD_P_DATA_UUID, sizeof(rdbd_p_sync_uuid)},
	{RDBD_P_RS_BATCH_ACK, sizeof(rdbd_p_ack)},
};

// DATA, RS_DATA, READ_REPLY: the fixed part and `size` bytes of data,
// or none for a discard, write-zeroes or empty flush; inside the device.
void check_data(const WirePacket &p, uint64_t sectors)
{
	REQUIRE(p.payload.size() >= sizeof(rdbd_p_data));
	rdbd_p_data d;
	std::memcpy(&d, p.payload.data(), sizeof(d));
	const uint32_t size = be32toh(d.size), flags = be32toh(d.dp_flags);
	const bool no_data =
		(flags & (RDBD_DP_DISCARD | RDBD_DP_WRITE_ZEROES)) || !size;
	CHECK(p.payload.size() == sizeof(d) + (no_data ? 0 : size));
	CHECK(size % 4096 == 0);
	CHECK(be64toh(d.sector) % 8 == 0);
	CHECK(be64toh(d.sector) + size / 512 <= sectors);
}

// RS_BATCH: count extents, ascending, inside the device, then their data.
void check_batch(const WirePacket &p, uint64_t sectors)
{
	rdbd_p_rs_batch h;
	std::memcpy(&h, p.payload.data(), sizeof(h));
	const uint32_t count = be32toh(h.count);
	CHECK(count >= 1);
	CHECK(count <= RDBD_RS_BATCH_EXTENTS);
	size_t data = 0;
	uint64_t end = 0;
	for (uint32_t i = 0; i < count; i++) {
		rdbd_p_rs_extent e;
		std::memcpy(&e, p.payload.data() + sizeof(h) + i * sizeof(e),
			    sizeof(e));
		CHECK(be64toh(e.sector) >= end);
		end = be64toh(e.sector) + be32toh(e.size) / 512;
		CHECK(end <= sectors);
		data += be32toh(e.size);
	}
	CHECK(p.payload.size() == sizeof(h) + count * sizeof(rdbd_p_rs_extent) + data);
}

} // namespace

TEST_CASE("wire fuzzer: a valid packet of every type", "[fakepeer][fuzz]")
{
	Knowledge k = knowledge();
	Rng rng(7);
	CHECK(stream_packet_ids().size() == kFixedSizes.size() + 4);
	for (int round = 0; round < 50; round++)
		for (uint16_t cmd : stream_packet_ids()) {
			INFO(packet_name(cmd));
			const WirePacket p = valid_packet(cmd, k, rng);
			CHECK(p.cmd == cmd);
			if (cmd == RDBD_P_DATA || cmd == RDBD_P_RS_DATA ||
			    cmd == RDBD_P_READ_REPLY)
				check_data(p, k.sectors);
			else if (cmd == RDBD_P_RS_BATCH)
				check_batch(p, k.sectors);
			else
				CHECK(p.payload.size() == kFixedSizes.at(cmd));
		}
}

TEST_CASE("wire fuzzer: a mutation keeps the stream in step",
	  "[fakepeer][fuzz]")
{
	Knowledge k = knowledge();
	Rng rng(11);
	int seen[kMutationKinds] = {};
	for (int i = 0; i < 5000; i++) {
		const auto &ids = stream_packet_ids();
		const WirePacket p = valid_packet(ids[rng.below(ids.size())], k, rng);
		const Mutation m = mutate(p, k, rng);
		seen[static_cast<int>(m.kind)]++;
		REQUIRE(m.bytes.size() >= sizeof(rdbd_wire_hdr));
		rdbd_wire_hdr h;
		std::memcpy(&h, m.bytes.data(), sizeof(h));
		const uint32_t length = be32toh(h.length);
		INFO(packet_name(p.cmd) << " " << mutation_name(m.kind) << " "
					<< m.detail);
		if (m.kind == MutationKind::Oversized) {
			CHECK(length > RDBD_WIRE_MAX_PAYLOAD);
			CHECK(m.bytes.size() == sizeof(h));
		} else {
			CHECK(m.bytes.size() == sizeof(h) + length);
		}
		if (m.kind == MutationKind::Magic)
			CHECK(be32toh(h.magic) != RDBD_WIRE_MAGIC);
		if (m.kind == MutationKind::Flags)
			CHECK(h.flags != 0);
		if (m.kind == MutationKind::Reserved)
			CHECK(h.reserved != 0);
	}
	for (int kind = 0; kind < kMutationKinds; kind++)
		CHECK(seen[kind] > 0);
}

TEST_CASE("wire fuzzer: a seed replays the same bytes", "[fakepeer][fuzz]")
{
	const auto run = [](uint64_t seed) {
		Knowledge k = knowledge();
		Rng rng(seed);
		Bytes all;
		for (uint16_t cmd : stream_packet_ids()) {
			const Mutation m = mutate(valid_packet(cmd, k, rng), k, rng);
			all.insert(all.end(), m.bytes.begin(), m.bytes.end());
		}
		return all;
	};
	CHECK(run(42) == run(42));
	CHECK(run(42) != run(43));
}
