// File descriptors that close themselves, and reads and writes that do
// not stop halfway.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace rdbd {

class UniqueFd {
public:
	UniqueFd() = default;
	explicit UniqueFd(int fd) : fd_(fd) {}
	UniqueFd(UniqueFd &&o) noexcept : fd_(o.release()) {}
	UniqueFd &operator=(UniqueFd &&o) noexcept;
	UniqueFd(const UniqueFd &) = delete;
	UniqueFd &operator=(const UniqueFd &) = delete;
	~UniqueFd();

	int get() const { return fd_; }
	explicit operator bool() const { return fd_ >= 0; }
	int release();

private:
	int fd_ = -1;
};

// Return false with errno set on failure; a short file is EIO.
bool pread_full(int fd, void *buf, size_t len, uint64_t offset);
bool pwrite_full(int fd, const void *buf, size_t len, uint64_t offset);

// The whole file as text; throws Error(kExitConfig) naming it if unreadable.
std::string read_config_file(const std::string &path);

} // namespace rdbd
