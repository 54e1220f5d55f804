#include "startup_state.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "fd.h"
#include "metadata.h"

namespace rdbd {

namespace {

uint64_t size_of(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return 0;
	if (S_ISREG(st.st_mode))
		return static_cast<uint64_t>(st.st_size);
	uint64_t bytes = 0;
	return ioctl(fd, BLKGETSIZE64, &bytes) == 0 ? bytes : 0;
}

} // namespace

bool degraded_at_shutdown(uint32_t md_flags)
{
	return (md_flags & RDBD_MDF_PRIMARY_IND) &&
	       !(md_flags & RDBD_MDF_CONNECTED_IND);
}

bool went_down_degraded(const std::string &disk)
{
	const UniqueFd fd(open(disk.c_str(), O_RDONLY | O_CLOEXEC));
	if (!fd)
		return false;
	const std::optional<MdLayout> layout = md_layout(size_of(fd.get()));
	SuperblockBytes bytes;
	if (!layout || !pread_full(fd.get(), bytes.data(), bytes.size(),
				   layout->sb_offset))
		return false;
	const DecodedSuperblock d =
		decode_superblock(bytes, layout->device_bytes);
	return d.valid() && degraded_at_shutdown(d.sb.flags);
}

} // namespace rdbd
