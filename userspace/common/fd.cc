#include "fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config_error.h"

namespace rdbd {

UniqueFd &UniqueFd::operator=(UniqueFd &&o) noexcept
{
	if (this != &o) {
		if (fd_ >= 0)
			close(fd_);
		fd_ = o.release();
	}
	return *this;
}

UniqueFd::~UniqueFd()
{
	if (fd_ >= 0)
		close(fd_);
}

int UniqueFd::release()
{
	const int fd = fd_;
	fd_ = -1;
	return fd;
}

namespace {

// pread() and pwrite() may move fewer bytes than asked: loop until done.
template <typename Byte, typename Syscall>
bool transfer_all(Syscall syscall, int fd, Byte *p, size_t len, uint64_t offset)
{
	while (len > 0) {
		const ssize_t n =
			syscall(fd, p, len, static_cast<off_t>(offset));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return false;
		}
		p += n;
		len -= static_cast<size_t>(n);
		offset += static_cast<uint64_t>(n);
	}
	return true;
}

} // namespace

bool pread_full(int fd, void *buf, size_t len, uint64_t offset)
{
	return transfer_all(pread, fd, static_cast<char *>(buf), len, offset);
}

bool pwrite_full(int fd, const void *buf, size_t len, uint64_t offset)
{
	return transfer_all(pwrite, fd, static_cast<const char *>(buf), len,
			    offset);
}

std::string read_config_file(const std::string &path)
{
	const auto fail = [&path] {
		return ConfigError("cannot read configuration file " + path +
				   ": " + std::strerror(errno));
	};
	UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd)
		throw fail();
	std::string text;
	char buf[8192];
	for (;;) {
		const ssize_t n = read(fd.get(), buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			throw fail();
		if (n == 0)
			return text;
		text.append(buf, static_cast<size_t>(n));
	}
}

} // namespace rdbd
