// Heartbeat message authentication and freshness: what a third party on
// the link can try, and what the receiver does with it.
#include <catch2/catch.hpp>

#include "hb_messages.h"

using namespace rdbd::hb;

namespace {

AuthKeys keys()
{
	AuthKeys k;
	k.signing_id = 2;
	k.keys[1] = AuthKey{1, AuthMethod::kSha1, "old-secret"};
	k.keys[2] = AuthKey{2, AuthMethod::kSha256, "new-secret"};
	return k;
}

Message status(uint64_t gen, uint64_t seq)
{
	Message m;
	m.type = "status";
	m.src = "rabius";
	m.generation = gen;
	m.seq = seq;
	m.fields["hold"] = "0";
	m.fields["st"] = "up";
	return m;
}

Drop drop_of(const std::string &datagram, const AuthKeys &k = keys())
{
	const Decoded d = decode_message(datagram, k);
	REQUIRE_FALSE(d.message);
	return d.drop;
}

} // namespace

TEST_CASE("messages: round trip", "[hb][messages]")
{
	const std::string wire = encode_message(status(7, 26), keys().signer());
	CHECK(wire.rfind(">>>\nt=status\nsrc=rabius\ngen=7\nseq=1a\n", 0) == 0);
	CHECK(wire.find("\nauth=2 ") != std::string::npos);
	const Decoded d = decode_message(wire, keys());
	REQUIRE(d.message);
	CHECK(d.message->type == "status");
	CHECK(d.message->src == "rabius");
	CHECK(d.message->generation == 7);
	CHECK(d.message->seq == 26);
	CHECK(d.message->field("hold") == "0");
	CHECK(d.message->field("missing").empty());
}

TEST_CASE("messages: key rotation, every listed id verifies", "[hb][messages]")
{
	const AuthKeys k = keys();
	const std::string by_old = encode_message(status(1, 1), k.keys.at(1));
	CHECK(decode_message(by_old, k).message);
	AuthKeys only_new = k;
	only_new.keys.erase(1);
	CHECK(drop_of(by_old, only_new) == Drop::kUnknownKeyId);
}

TEST_CASE("messages: forged ones are dropped", "[hb][messages]")
{
	const AuthKeys k = keys();
	const std::string good = encode_message(status(1, 1), k.signer());

	AuthKey wrong_secret{2, AuthMethod::kSha256, "guess"};
	CHECK(drop_of(encode_message(status(1, 1), wrong_secret)) == Drop::kBadDigest);

	std::string altered = good;
	altered.replace(altered.find("hold=0"), 6, "hold=1");
	CHECK(drop_of(altered) == Drop::kBadDigest);

	AuthKey wrong_id{9, AuthMethod::kSha256, "new-secret"};
	CHECK(drop_of(encode_message(status(1, 1), wrong_id)) == Drop::kUnknownKeyId);

	// A field appended after the signature spoils the digest.
	std::string appended = good;
	appended.insert(appended.size() - 4, "hold=1\n");
	CHECK(drop_of(appended) == Drop::kBadDigest);

	// An unkeyed crc is only accepted where authkeys lists crc.
	AuthKey crc{2, AuthMethod::kCrc, ""};
	CHECK(drop_of(encode_message(status(1, 1), crc)) == Drop::kBadDigest);
}

TEST_CASE("messages: truncated, oversized and malformed", "[hb][messages]")
{
	const std::string good = encode_message(status(1, 1), keys().signer());
	for (size_t cut = 1; cut < good.size(); cut += 7)
		CHECK(drop_of(good.substr(0, good.size() - cut)) == Drop::kTruncated);
	CHECK(drop_of(std::string(kMaxDatagram + 1, 'x')) == Drop::kOversized);
	CHECK(drop_of("") == Drop::kTruncated);
	CHECK(drop_of("garbage<<<\n") == Drop::kMalformed);
	CHECK(drop_of(">>>\n<<<\n") == Drop::kMalformed);
	CHECK(drop_of(">>>\nauth=2\n<<<\n") == Drop::kMalformed);
	CHECK(drop_of(">>>\nauth=x abc\n<<<\n") == Drop::kMalformed);

	// Authentic but incomplete: no generation.
	AuthKeys k = keys();
	Message m = status(1, 1);
	std::string wire = encode_message(m, k.signer());
	const std::string body = ">>>\nt=status\nsrc=rabius\nseq=1\n";
	const std::string signed_wire = body + "auth=2 " +
					auth_digest(k.signer(), body) + "\n<<<\n";
	CHECK(drop_of(signed_wire) == Drop::kMalformed);
}

TEST_CASE("messages: replays and old generations", "[hb][messages]")
{
	using V = ReplayGuard::Verdict;
	ReplayGuard g(2);
	CHECK(g.check(5, 10, 0) == V::kNew);
	CHECK(g.check(5, 10, 1) == V::kDuplicate); // same message, other link
	CHECK(g.check(5, 10, 0) == V::kReplay);
	CHECK(g.check(5, 10, 1) == V::kReplay);
	CHECK(g.check(5, 9, 0) == V::kReplay);
	CHECK(g.check(5, 11, 1) == V::kNew);	   // link 0 lost it: fine
	CHECK(g.check(5, 11, 0) == V::kDuplicate);
	CHECK(g.check(4, 1000, 0) == V::kOldGeneration);
	CHECK(g.check(6, 1, 0) == V::kRestarted);
	CHECK(g.generation() == 6);
	CHECK(g.check(5, 12, 1) == V::kOldGeneration);
	CHECK(g.check(6, 1, 1) == V::kDuplicate);
	CHECK(g.check(6, 2, 1) == V::kNew);
}

TEST_CASE("messages: the generation floor survives a restart of the receiver",
	  "[hb][messages]")
{
	using V = ReplayGuard::Verdict;
	// Before our restart the peer was at generation 7: that is the floor.
	ReplayGuard g(2, 7);
	CHECK(g.generation() == 0);
	// A message recorded during the peer's generation 6, replayed before
	// the live peer is heard: old, whatever its seq.
	CHECK(g.check(6, 1000, 0) == V::kOldGeneration);
	CHECK(g.check(1, 1, 1) == V::kOldGeneration);
	CHECK(g.generation() == 0);
	// The peer's current boot: its first message is taken.
	CHECK(g.check(7, 40, 0) == V::kNew);
	CHECK(g.generation() == 7);
	CHECK(g.check(7, 40, 1) == V::kDuplicate);
	CHECK(g.check(7, 39, 0) == V::kReplay);
	CHECK(g.check(6, 1000, 1) == V::kOldGeneration);
	CHECK(g.check(8, 1, 0) == V::kRestarted);
}

TEST_CASE("messages: a peer that restarted while we were down is new",
	  "[hb][messages]")
{
	using V = ReplayGuard::Verdict;
	ReplayGuard g(1, 7);
	CHECK(g.check(9, 1, 0) == V::kNew);
	CHECK(g.check(7, 50, 0) == V::kOldGeneration);
	CHECK(g.check(8, 50, 0) == V::kOldGeneration);
}

TEST_CASE("messages: after a restart of the receiver, only echoes of its "
	  "generation are taken", "[hb][messages]")
{
	using V = ReplayGuard::Verdict;
	// We were down and came back as generation 20; the peer is at 7,
	// whose messages before our restart echoed our old generation 19.
	ReplayGuard g(2, 7, 20);
	CHECK(g.check(7, 50, 0, 19) == V::kUnconfirmed); // recorded earlier
	CHECK(g.check(7, 51, 1, 0) == V::kUnconfirmed);	 // has not heard us
	CHECK(g.generation() == 0);
	CHECK(g.heard() == 7); // what our heartbeats now echo to the peer
	CHECK(g.check(7, 52, 0, 20) == V::kNew);	 // heard us: fresh
	CHECK(g.check(7, 50, 0, 19) == V::kReplay);	 // the old one again
	CHECK(g.check(7, 53, 1, 20) == V::kNew);
	// A peer that restarted must confirm its new generation too.
	CHECK(g.check(8, 1, 0, 0) == V::kUnconfirmed);
	CHECK(g.check(8, 2, 0, 20) == V::kRestarted);
}

TEST_CASE("messages: a peer without yg (an older daemon) is taken as before",
	  "[hb][messages]")
{
	using V = ReplayGuard::Verdict;
	ReplayGuard g(1, 0, 20);
	CHECK(g.check(5, 1, 0) == V::kNew);
	CHECK(g.check(5, 1, 0) == V::kReplay);
}
