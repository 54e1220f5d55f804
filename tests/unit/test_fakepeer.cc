// rdbd-fakepeer's packets: the honest ones must be exactly what wire.h
// describes, the broken ones broken in exactly one way.
#include <catch2/catch.hpp>

#include <rdbd/wire.h>

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

Attack attack_for(const char *mode)
{
	return attack(*parse_mode(mode), "rabius", "r0");
}

} // namespace

TEST_CASE("modes", "[fakepeer]")
{
	CHECK(parse_mode("garbage")->what == Misbehaviour::Garbage);
	CHECK_FALSE(parse_mode("garbage")->after_handshake);
	const auto m = parse_mode("handshake-then-hangup-mid-payload");
	REQUIRE(m);
	CHECK(m->what == Misbehaviour::HangupMidPayload);
	CHECK(m->after_handshake);
	CHECK_FALSE(parse_mode("handshake-then-"));
	CHECK_FALSE(parse_mode("Garbage"));
	CHECK(mode_names() == "garbage, oversized, unknown-packet, "
			      "hangup-mid-payload, and each as "
			      "handshake-then-MODE");
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
