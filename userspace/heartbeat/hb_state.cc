#include "hb_state.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "error.h"

namespace rdbd::hb {

namespace {

[[noreturn]] void fail(const std::string &file, const std::string &what)
{
	throw Error(kExitFailure, file + ": " + what);
}

} // namespace

uint64_t read_state_number(const std::string &file)
{
	const int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0; // a first start: nothing kept yet
		fail(file, strerror(errno));
	}
	char buf[64];
	const ssize_t n = read(fd, buf, sizeof(buf));
	const int read_errno = errno;
	close(fd);
	if (n < 0)
		fail(file, strerror(read_errno));
	std::string s(buf, static_cast<size_t>(n));
	if (!s.empty() && s.back() == '\n')
		s.pop_back();
	uint64_t value = 0;
	const auto r = std::from_chars(s.data(), s.data() + s.size(), value);
	if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
		fail(file, "does not hold a generation number (got '" +
				   s.substr(0, 40) +
				   "'); remove the file if it was damaged");
	return value;
}

void write_state_number(const std::string &dir, const std::string &name,
			uint64_t value)
{
	const std::string file = dir + "/" + name;
	const std::string tmp = file + ".new";
	const std::string text = std::to_string(value) + "\n";
	const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			    0644);
	// The rename is the commit: before it the old file is intact, and the
	// data is on disk before the name points at it.
	if (fd < 0 || write(fd, text.data(), text.size()) !=
			      static_cast<ssize_t>(text.size()) ||
	    fsync(fd) != 0 || close(fd) != 0 ||
	    rename(tmp.c_str(), file.c_str()) != 0)
		fail(file, std::string("cannot write: ") + strerror(errno));
	// The rename itself is durable only once the directory is synced.
	const int d = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d >= 0) {
		fsync(d);
		close(d);
	}
}

uint64_t next_generation(const std::string &state_dir)
{
	const uint64_t stored = read_state_number(state_dir + "/generation");
	// The wall clock is a floor: a node whose state directory was lost
	// (a fresh disk, a tmpfs) must still not reuse an old generation,
	// or its peer would drop its messages as replays.
	const uint64_t gen = std::max<uint64_t>(stored + 1,
						static_cast<uint64_t>(time(nullptr)));
	write_state_number(state_dir, "generation", gen);
	return gen;
}

PeerGenerationStore::PeerGenerationStore(std::string state_dir,
					 const std::string &peer)
	: dir_(std::move(state_dir)), name_("peer-generation." + peer)
{
	// Node names come from ha.cf: keep one from leaving the directory.
	std::replace(name_.begin(), name_.end(), '/', '_');
	path_ = dir_ + "/" + name_;
	recorded_ = read_state_number(path_);
}

void PeerGenerationStore::record(uint64_t generation)
{
	if (generation <= recorded_)
		return;
	recorded_ = generation;
	writes_++;
	write_state_number(dir_, name_, generation);
}

} // namespace rdbd::hb
