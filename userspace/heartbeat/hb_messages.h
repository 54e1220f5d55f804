// The heartbeat wire format: one UDP datagram per message, text like
// Heartbeat's so that tcpdump -A is readable:
//
//   >>>
//   t=status            message type
//   src=corman          sender
//   gen=7               sender's boot generation (persistent, +1 per start)
//   seq=1a              per-boot sequence number, hex, starts at 1
//   ...                 type-specific fields, name=value
//   auth=2 5f1c...      key id and digest of every byte above this line
//   <<<
//
// Every message goes out on every link with the same seq.  A receiver
// keeps, per peer, the generation and the highest seq seen overall and per
// link: a seq at or below the link's own mark is a replay; above it but at
// or below the overall mark is the same message arriving on a second link
// (it proves that link works, its content was already handled).  A lower
// generation is an old boot's message, replayed.
//
// The highest generation also outlives a restart of the receiver: the
// daemon keeps it in its state directory (hb_state.h) and hands it to the
// new ReplayGuard as the floor, so a message recorded during an earlier
// boot of the peer stays old after we restart.
//
// Within the peer's current generation a fresh receiver knows no seq
// yet, so a message recorded before our restart would pass as new.  Every
// message therefore carries `yg`, the highest generation of ours its
// sender has heard (0: none yet), and our generation is new at each
// start: a peer generation is accepted only once one of its messages
// echoes our current generation, which proves it was sent after we
// started.  Until then its messages are dropped as `unconfirmed` (about
// one keepalive after either side starts).  A peer without `yg` (an older
// rdbd-heartbeat, during a rolling upgrade) is accepted as before.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hb_auth.h"

namespace rdbd::hb {

// Larger datagrams are refused without parsing: ours stay far below.
constexpr size_t kMaxDatagram = 1024;

struct Message {
	std::string type;
	std::string src;
	uint64_t generation = 0;
	uint64_t seq = 0;
	std::map<std::string, std::string> fields;

	std::string field(const std::string &name) const;
};

// Why a datagram was dropped; each has its own counter in `status`.
enum class Drop {
	kOversized,	// longer than kMaxDatagram
	kTruncated,	// no end marker: cut short
	kMalformed,	// markers present but a line or field is wrong
	kUnknownKeyId,	// signed with an id authkeys does not list
	kBadDigest,	// forged or corrupted
	kUnknownNode,	// authentic but from a node not in ha.cf (or us)
	kOldGeneration, // from an earlier boot of the sender: a replay
	kReplay,	// seq already seen on that link
	kUnconfirmed,	// does not echo our generation: maybe sent before
			// we started
	kCount
};
const char *drop_name(Drop d);

std::string encode_message(const Message &m, const AuthKey &signer);

struct Decoded {
	std::optional<Message> message;
	Drop drop = Drop::kMalformed; // meaningful when !message
};
// Checks size, framing, syntax and the digest; not freshness (ReplayGuard).
Decoded decode_message(std::string_view datagram, const AuthKeys &keys);

// Freshness of authentic messages from one peer, per link.
class ReplayGuard {
public:
	enum class Verdict {
		kNew,		// handle it
		kRestarted,	// new generation: the peer restarted; handle it
		kDuplicate,	// seen on another link: only proves this link
		kReplay,
		kOldGeneration,
		kUnconfirmed,
	};
	// `floor`: the highest generation the peer sent before our
	// restart (0: none known); anything below it is kOldGeneration.
	// `own`: our generation, which fresh messages echo.
	explicit ReplayGuard(size_t links, uint64_t floor = 0, uint64_t own = 0)
		: floor_(floor), own_(own), link_seq_(links, 0)
	{
	}
	void set_own_generation(uint64_t own) { own_ = own; }
	// `echo`: the message's `yg`; nullopt if it has none (an older peer).
	Verdict check(uint64_t generation, uint64_t seq, size_t link,
		      std::optional<uint64_t> echo = std::nullopt);
	// The peer's generation accepted since we started; 0 if none yet.
	uint64_t generation() const { return generation_; }
	// The peer's highest generation in any authentic message, confirmed
	// or not: what our messages echo as `yg`.
	uint64_t heard() const { return heard_; }

private:
	uint64_t floor_;	  // from the state directory, fixed
	uint64_t own_;
	uint64_t generation_ = 0; // 0: never accepted since we started
	uint64_t heard_ = 0;
	uint64_t seq_ = 0;
	std::vector<uint64_t> link_seq_;
};

} // namespace rdbd::hb
