// What rdbd-heartbeat keeps across its own restarts, in --state-dir
// (/var/lib/rdbd-heartbeat, mode 700):
//
//   generation              our boot generation: +1 at every start, so the
//                           peer can tell our new messages from recorded
//                           ones of an earlier boot
//   peer-generation.NODE    the highest generation NODE has sent us: after
//                           our restart, a recorded message of an earlier
//                           boot of NODE is still recognised as old
//
// Each file holds one decimal number and a newline.  Both are written
// atomically (a temporary file, fsync, rename, fsync of the directory), so
// a crash leaves the old value or the new one, never a torn file.  Writes
// are rare: `generation` once per start, `peer-generation.NODE` once per
// boot of NODE (when a higher generation first arrives), never per packet.
#pragma once

#include <cstdint>
#include <string>

namespace rdbd::hb {

// The value stored in `file`: 0 if the file does not exist.  Throws
// Error naming the file if it exists but cannot be read or does not hold
// one number (it was edited by hand or damaged: guessing could make us
// accept replays or drop every message of a live peer).
uint64_t read_state_number(const std::string &file);

// Replaces `dir`/`name` with `value`, atomically and durably.  Throws
// Error naming the file on any failure.
void write_state_number(const std::string &dir, const std::string &name,
			uint64_t value);

// The boot generation: the stored one + 1 (at least the time in seconds),
// written and fsynced before any message goes out, so a restarted node
// never reuses one.
uint64_t next_generation(const std::string &state_dir);

// The highest generation one peer has sent us, as kept in the state
// directory.  Not thread-safe; the daemon's event loop is its only user.
class PeerGenerationStore {
public:
	// Reads the stored generation: read_state_number's errors.
	PeerGenerationStore(std::string state_dir, const std::string &peer);

	// The generation stored (or last tried), 0 if none.
	uint64_t stored() const { return recorded_; }
	// Stores `generation` if it is higher than the last one stored or
	// tried: once per boot of the peer.  A failed write is not retried
	// for the same generation (it would be retried on every packet);
	// it throws Error, and the protection then lasts until our restart
	// only.
	void record(uint64_t generation);
	// How many writes record() has attempted: for tests.
	unsigned writes() const { return writes_; }
	const std::string &path() const { return path_; }

private:
	std::string dir_;
	std::string name_;
	std::string path_;
	uint64_t recorded_ = 0;
	unsigned writes_ = 0;
};

} // namespace rdbd::hb
