// rdbd-fakepeer --mode fuzz: a seeded, bounded, mutation-based wire
// fuzzer.  It connects to a node again and again, plays the handshake
// (mutating HELLO, AUTH_*, PARAMS, UUIDS or the bitmap exchange on some
// connections) and then sends packets: half of them mutated, of any type
// (fuzz_packets.h), the honest ones between them mostly of the types a
// Connected Secondary takes without complaint, so a connection lives
// long enough for several mutations.  After each mutated packet it sends a
// PING: the PING_ACK says the node handled the packet and is still
// listening, a closed connection says it dropped it.  Neither within
// kStallSeconds is a finding: the node neither handled nor refused.
//
// Output: the seed, then one line per finding, then the counts (packets
// sent, mutated, connections, disconnects, outcomes per mutation kind)
// and "result fuzz: PASS" or "FAIL".
#pragma once

#include <cstdint>
#include <string>

namespace rdbd::fakepeer {

struct FuzzOptions {
	std::string connect;  // ADDR:PORT of the node, which accepts
	std::string name;     // our node name
	std::string resource; // the resource's name
	uint64_t seed = 1;
	uint64_t packets = 10000; // stop after this many mutated packets
	unsigned max_seconds = 600; // or after this long
	std::string hmac_alg;	    // the node's cram-hmac-alg, or empty
	std::string secret;	    // and its shared-secret
	std::string verify_alg = "crc32c";
};

// Exit status: 0 if no finding, 1 otherwise.
int run_fuzz(const FuzzOptions &o);

} // namespace rdbd::fakepeer
