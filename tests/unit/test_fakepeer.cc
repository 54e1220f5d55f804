// rdbd-fakepeer's packets: the honest ones must be exactly what wire.h
// describes, the broken ones broken in exactly one way.
#include <catch2/catch.hpp>

#include <endian.h>

#include <rdbd/genl.h>
#include <rdbd/wire.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "packets.h"

using namespace rdbd::fakepeer;

namespace {

Bytes first(const Bytes &b, size_t n)
{
	return Bytes(b.begin(), b.begin() + static_cast<long>(n));
}

Bytes after(const Bytes &b, size_t n)
{
	return Bytes(b.begin() + static_cast<long>(n), b.end());
}

// A node of 64 MiB with crc32c: the fake peer's 128 KiB is the device.
const Session kSession{kFakeDataBytes / 512, "crc32c"};

Attack attack_for(const char *mode)
{
	return attack(*parse_mode(mode), "rabius", "r0", kSession);
}

// The fixed part of the one packet in `a`, as T.
template <typename T> T payload_of(const Attack &a, uint16_t cmd)
{
	const auto h = parse_header(first(a.bytes, sizeof(rdbd_wire_hdr)));
	REQUIRE(h);
	CHECK(h->cmd == cmd);
	CHECK(h->length == a.bytes.size() - sizeof(rdbd_wire_hdr));
	T p;
	REQUIRE(a.bytes.size() >= sizeof(rdbd_wire_hdr) + sizeof(p));
	std::memcpy(&p, a.bytes.data() + sizeof(rdbd_wire_hdr), sizeof(p));
	return p;
}

} // namespace

TEST_CASE("modes", "[fakepeer]")
{
	CHECK(parse_mode("garbage")->what == Misbehaviour::Garbage);
	CHECK(parse_mode("garbage")->stage == Stage::Start);
	const auto m = parse_mode("handshake-then-hangup-mid-payload");
	REQUIRE(m);
	CHECK(m->what == Misbehaviour::HangupMidPayload);
	CHECK(m->stage == Stage::Hello);
	CHECK(m->name == "handshake-then-hangup-mid-payload");
	CHECK_FALSE(parse_mode("handshake-then-"));
	CHECK_FALSE(parse_mode("Garbage"));
	CHECK_FALSE(parse_mode("handshake-then-read-req-past-end"));
	const auto d = parse_mode("verify-digests-past-end");
	REQUIRE(d);
	CHECK(d->stage == Stage::VerifyTarget);
	CHECK(d->expect == Expect::Drop);
	CHECK(d->offers_verify);
	const auto u = parse_mode("verify-start-unknown-alg");
	REQUIRE(u);
	CHECK(u->stage == Stage::Connected);
	CHECK(u->expect == Expect::VerifyRefusal);
	CHECK_FALSE(parse_mode("verify-start-unnegotiated")->offers_verify);
	CHECK(parse_mode("no-verify-feature")->expect == Expect::NoVerify);
	CHECK(mode_names().rfind("garbage, oversized, unknown-packet, "
				 "hangup-mid-payload, each also as "
				 "handshake-then-MODE, verify-start-",
				 0) == 0);
}

TEST_CASE("headers are big-endian with the magic", "[fakepeer]")
{
	CHECK(header(0x0102, 0x03040506) == Bytes{0x52, 0x44, 0x42, 0x57, 0x01,
						  0x02, 0, 0, 0x03, 0x04, 0x05,
						  0x06, 0, 0, 0, 0});
	const auto h = parse_header(header(RDBD_P_PING, 7));
	REQUIRE(h);
	CHECK(h->cmd == RDBD_P_PING);
	CHECK(h->length == 7);
	CHECK_FALSE(parse_header(Bytes(16, 0)));
	CHECK_FALSE(parse_header(Bytes(15, 0)));
}

TEST_CASE("an honest HELLO", "[fakepeer]")
{
	const Bytes b = hello("rabius", "r0");
	REQUIRE(b.size() == sizeof(rdbd_wire_hdr) + sizeof(rdbd_p_hello));
	const auto h = parse_header(first(b, sizeof(rdbd_wire_hdr)));
	REQUIRE(h);
	CHECK(h->cmd == RDBD_P_HELLO);
	CHECK(h->flags == 0);
	CHECK(h->length == sizeof(rdbd_p_hello));
	const auto hello = parse_hello(after(b, sizeof(rdbd_wire_hdr)));
	REQUIRE(hello);
	CHECK(hello->protocol_min == RDBD_WIRE_PROTO_MIN);
	CHECK(hello->protocol_max == RDBD_WIRE_PROTO_MAX);
	CHECK_FALSE(hello->wants_auth);
	CHECK(hello->node == "rabius");
	CHECK(hello->resource == "r0");
	CHECK_FALSE(parse_hello(Bytes(10)));
}

TEST_CASE("the misbehaviours", "[fakepeer]")
{
	SECTION("garbage is no header, and the same every time")
	{
		const Attack a = attack_for("garbage");
		CHECK(a.bytes.size() == 64);
		CHECK_FALSE(parse_header(first(a.bytes, 16)));
		CHECK(a.bytes == attack_for("handshake-then-garbage").bytes);
		CHECK_FALSE(a.hang_up);
	}
	SECTION("oversized announces one byte more than the maximum")
	{
		const Attack a = attack_for("oversized");
		const auto h = parse_header(a.bytes);
		REQUIRE(h);
		CHECK(h->cmd == RDBD_P_DATA);
		CHECK(h->length == RDBD_WIRE_MAX_PAYLOAD + 1);
		CHECK(a.description == "a DATA header announcing 1048641 bytes "
				       "(the maximum is 1048640)");
	}
	SECTION("unknown-packet is well-formed but for its id")
	{
		const auto h = parse_header(attack_for("unknown-packet").bytes);
		REQUIRE(h);
		CHECK(h->cmd == 0x7fff);
		CHECK(h->length == 0);
		CHECK(h->flags == 0);
	}
	SECTION("hangup-mid-payload cuts the packet the kernel waits for")
	{
		const Attack before = attack_for("hangup-mid-payload");
		CHECK(before.hang_up);
		CHECK(parse_header(first(before.bytes, 16))->cmd ==
		      RDBD_P_HELLO);
		CHECK(before.bytes.size() == 16 + sizeof(rdbd_p_hello) / 2);

		const Attack after = attack_for("handshake-then-"
						"hangup-mid-payload");
		const auto h = parse_header(first(after.bytes, 16));
		CHECK(h->cmd == RDBD_P_PARAMS);
		CHECK(h->length == sizeof(rdbd_p_params));
		CHECK(after.bytes.size() == 16 + sizeof(rdbd_p_params) / 2);
		CHECK(after.description == "a PARAMS header announcing 32 "
					   "bytes, then 16 of them, then "
					   "hang-up");
	}
}

TEST_CASE("a HELLO offering online verify", "[fakepeer]")
{
	const Bytes b = hello("rabius", "r0", RDBD_FEAT_VERIFY);
	const auto h = parse_hello(after(b, sizeof(rdbd_wire_hdr)));
	REQUIRE(h);
	CHECK(h->features == RDBD_FEAT_VERIFY);
	CHECK(parse_hello(after(hello("rabius", "r0"),
				sizeof(rdbd_wire_hdr)))
		      ->features == 0);
}

TEST_CASE("the handshake of an UpToDate twin", "[fakepeer]")
{
	rdbd_p_uuids node{};
	for (int i = 0; i < 4; i++)
		node.uuid[i] = htobe64(0x1111ULL * (i + 1));
	node.flags = htobe32(RDBD_UUID_F_CRASHED_PRIMARY);
	node.bits_set = htobe64(5);
	Bytes payload(sizeof(node));
	std::memcpy(payload.data(), &node, sizeof(node));
	const auto echo = uuids_echo(payload);
	REQUIRE(echo);
	const Attack a{*echo, "", false};
	const auto u = payload_of<rdbd_p_uuids>(a, RDBD_P_UUIDS);
	CHECK(std::memcmp(u.uuid, node.uuid, sizeof(u.uuid)) == 0);
	CHECK(u.flags == 0);
	CHECK(u.bits_set == 0);
	CHECK(u.role == RDBD_ROLE_SECONDARY);
	CHECK(u.disk_state == RDBD_DISK_UPTODATE);
	CHECK_FALSE(uuids_echo(Bytes(3)));

	const auto p = payload_of<rdbd_p_params>(Attack{params(RDBD_PROT_B),
							"", false},
						 RDBD_P_PARAMS);
	CHECK(be64toh(p.data_bytes) == kFakeDataBytes);
	CHECK(p.protocol == RDBD_PROT_B);
}

TEST_CASE("bad verify packets", "[fakepeer]")
{
	SECTION("unknown and over-long alg names, the right size")
	{
		auto s = payload_of<rdbd_p_verify_start>(
			attack_for("verify-start-unknown-alg"),
			RDBD_P_VERIFY_START);
		CHECK(std::string(s.alg) == "md5");
		CHECK(be64toh(s.size_sectors) == 256);
		s = payload_of<rdbd_p_verify_start>(
			attack_for("verify-start-long-alg"),
			RDBD_P_VERIFY_START);
		CHECK(std::string(s.alg, sizeof(s.alg)) ==
		      std::string(RDBD_VERIFY_ALG_LEN, 'x'));
		s = payload_of<rdbd_p_verify_start>(
			attack_for("verify-start-unnegotiated"),
			RDBD_P_VERIFY_START);
		CHECK(std::string(s.alg) == "crc32c");
	}
	SECTION("digests broken in exactly one way each")
	{
		auto d = payload_of<rdbd_p_verify_digests>(
			attack_for("verify-digests-too-many"),
			RDBD_P_VERIFY_DIGESTS);
		CHECK(be32toh(d.blocks) == RDBD_VERIFY_BATCH + 1);
		CHECK(be32toh(d.digest_len) == 4);
		CHECK(d.sector == 0);
		d = payload_of<rdbd_p_verify_digests>(
			attack_for("verify-digests-wrong-length"),
			RDBD_P_VERIFY_DIGESTS);
		CHECK(be32toh(d.blocks) == 1);
		CHECK(be32toh(d.digest_len) == 5);
		d = payload_of<rdbd_p_verify_digests>(
			attack_for("verify-digests-past-end"),
			RDBD_P_VERIFY_DIGESTS);
		CHECK(be32toh(d.blocks) == 33);
		CHECK(be32toh(d.blocks) <= RDBD_VERIFY_BATCH);
		CHECK(be32toh(d.digest_len) == 4);
	}
	SECTION("replies, results and done nobody asked for")
	{
		payload_of<rdbd_p_verify_reply>(
			attack_for("verify-reply-unsolicited"),
			RDBD_P_VERIFY_REPLY);
		payload_of<rdbd_p_verify_result>(
			attack_for("verify-result-unsolicited"),
			RDBD_P_VERIFY_RESULT);
		payload_of<rdbd_p_verify_done>(
			attack_for("verify-done-unsolicited"),
			RDBD_P_VERIFY_DONE);
	}
	CHECK(digest_size("sha256") == 32);
	CHECK(digest_size("md5") == 0);
}

TEST_CASE("bad remote reads and OUT_OF_SYNC", "[fakepeer]")
{
	auto r = payload_of<rdbd_p_ack>(attack_for("read-req-past-end"),
					RDBD_P_READ_REQ);
	CHECK(be64toh(r.sector) + be32toh(r.size) / 512 == 256 + 1);
	r = payload_of<rdbd_p_ack>(attack_for("read-req-misaligned"),
				   RDBD_P_READ_REQ);
	CHECK(be32toh(r.size) % 512 != 0);
	r = payload_of<rdbd_p_ack>(attack_for("read-req-oversized"),
				   RDBD_P_READ_REQ);
	CHECK(be32toh(r.size) > RDBD_WIRE_MAX_DATA);
	CHECK(be32toh(r.size) % 512 == 0);
	r = payload_of<rdbd_p_ack>(attack_for("out-of-sync-past-end"),
				   RDBD_P_OUT_OF_SYNC);
	CHECK(be64toh(r.sector) + be32toh(r.size) / 512 == 256 + 1);
	CHECK(r.block_id == 0);
	const Attack reply = attack_for("read-reply-unknown-id");
	const auto d = payload_of<rdbd_p_data>(reply, RDBD_P_READ_REPLY);
	CHECK(reply.bytes.size() ==
	      sizeof(rdbd_wire_hdr) + sizeof(rdbd_p_data) + 4096);
	CHECK(be32toh(d.size) == 4096);
	CHECK(d.block_id != 0);
	CHECK(attack_for("no-verify-feature").bytes.empty());
}

TEST_CASE("parsing what the node sends", "[fakepeer]")
{
	rdbd_p_verify_reply r{};
	r.result = htobe32(EINVAL);
	std::memcpy(r.alg, "crc32c", 6);
	Bytes b(sizeof(r));
	std::memcpy(b.data(), &r, sizeof(r));
	const auto v = parse_verify_reply(b);
	REQUIRE(v);
	CHECK(v->result == EINVAL);
	CHECK(v->alg == "crc32c");
	CHECK(errno_name(EINVAL) == "EINVAL");
	CHECK(errno_name(1) == "errno 1");
	CHECK_FALSE(parse_verify_reply(Bytes(2)));
	CHECK_FALSE(parse_params(Bytes(2)));
}

TEST_CASE("impostor and bitmap packets", "[fakepeer]")
{
	SECTION("a HELLO claiming another protocol range and auth")
	{
		const Bytes b = hello_claiming("rabius", "r0", 1, 1, true);
		const auto h = parse_header(first(b, sizeof(rdbd_wire_hdr)));
		REQUIRE(h);
		CHECK(h->cmd == RDBD_P_HELLO);
		const auto hello = parse_hello(after(b, sizeof(rdbd_wire_hdr)));
		REQUIRE(hello);
		CHECK(hello->protocol_min == 1);
		CHECK(hello->protocol_max == 1);
		CHECK(hello->wants_auth);
		CHECK(hello->node == "rabius");
	}
	SECTION("bitmap blocks are 4 KiB apart with one bit each")
	{
		const Bytes b = bitmap_block(3);
		REQUIRE(b.size() == sizeof(rdbd_wire_hdr) + sizeof(rdbd_p_bitmap));
		rdbd_p_bitmap p;
		std::memcpy(&p, b.data() + sizeof(rdbd_wire_hdr), sizeof(p));
		CHECK(be64toh(p.offset) == 3 * RDBD_WIRE_BITMAP_BLOCK);
		CHECK(p.bits[0] == 1);
		CHECK(std::count(p.bits + 1, p.bits + sizeof(p.bits), 0) ==
		      sizeof(p.bits) - 1);
	}
	SECTION("UUIDS may mark blocks, PARAMS claim any size")
	{
		rdbd_p_uuids node{};
		node.uuid[0] = htobe64(0x1234);
		const auto u = uuids_echo(Bytes(reinterpret_cast<uint8_t *>(&node),
						reinterpret_cast<uint8_t *>(&node) +
							sizeof(node)),
					  7);
		REQUIRE(u);
		rdbd_p_uuids ours;
		std::memcpy(&ours, u->data() + sizeof(rdbd_wire_hdr), sizeof(ours));
		CHECK(be64toh(ours.bits_set) == 7);
		CHECK(be64toh(ours.uuid[0]) == 0x1234);
		const auto p = parse_params(after(params(RDBD_PROT_C,
							 kBitmapAttackDataBytes),
						  sizeof(rdbd_wire_hdr)));
		REQUIRE(p);
		CHECK(p->data_bytes == kBitmapAttackDataBytes);
	}
	SECTION("every new mode parses")
	{
		for (const char *m : {"bad-version", "bad-auth-response",
				      "silent-after-hello", "bitmap-trickle",
				      "bitmap-disorder", "bitmap-miscount"})
			CHECK(parse_mode(m));
	}
}
