#include "create_md.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "error.h"
#include "fd.h"
#include "metadata.h"

namespace rdbd {

namespace {

Error disk_error(const std::string &what, const std::string &disk)
{
	return Error(kExitFailure,
		     what + " " + disk + ": " + std::strerror(errno));
}

// O_EXCL on a block device fails with EBUSY while anyone else has it
// claimed exclusively, which is what the kernel does for an attached disk.
UniqueFd open_exclusive(const CreateMdRequest &req)
{
	UniqueFd fd(open(req.disk.c_str(), O_RDWR | O_EXCL | O_CLOEXEC));
	if (!fd && errno == EBUSY)
		throw Error(kExitFailure, "disk " + req.disk +
						  " is in use (is resource " +
						  req.resource + " up?)");
	if (!fd)
		throw disk_error("cannot open disk", req.disk);
	return fd;
}

uint64_t disk_bytes(int fd, const std::string &disk)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		throw disk_error("cannot stat disk", disk);
	if (S_ISREG(st.st_mode))
		return static_cast<uint64_t>(st.st_size);
	if (!S_ISBLK(st.st_mode))
		throw Error(kExitFailure,
			    "disk " + disk +
				    " is neither a block device nor a "
				    "regular file");
	uint64_t bytes = 0;
	if (ioctl(fd, BLKGETSIZE64, &bytes) != 0)
		throw disk_error("cannot get the size of disk", disk);
	return bytes;
}

MdLayout layout_for(uint64_t bytes, const std::string &disk)
{
	const std::optional<MdLayout> layout = md_layout(bytes);
	if (!layout)
		throw Error(kExitFailure,
			    "disk " + disk + " is too small for rdbd: " +
				    std::to_string(bytes) +
				    " bytes (expected at least " +
				    std::to_string(minimum_disk_bytes()) + ")");
	return *layout;
}

bool holds_valid_metadata(int fd, const MdLayout &layout)
{
	SuperblockBytes bytes;
	return pread_full(fd, bytes.data(), bytes.size(), layout.sb_offset) &&
	       decode_superblock(bytes, layout.device_bytes).valid();
}

Error refusal(const std::string &disk, const std::string &holds,
	      const std::string &force_would)
{
	return Error(kExitFailure, "disk " + disk + " holds " + holds +
					   " (refusing to overwrite it; "
					   "--force would " +
					   force_would + ")");
}

void refuse_to_destroy_data(int fd, const MdLayout &layout,
			    const std::string &disk)
{
	uint8_t head[kExtMagicOffset + 2];
	if (!pread_full(fd, head, sizeof(head), 0))
		throw disk_error("cannot read disk", disk);
	// Metadata first: create-md --force over a filesystem leaves the
	// filesystem's superblock in the data area, and the metadata is what
	// a second create-md would really destroy.
	if (holds_valid_metadata(fd, layout))
		throw refusal(disk, "valid rdbd meta data",
			      "replace it and lose its replication state");
	if (holds_ext_filesystem(head, sizeof(head)))
		throw refusal(disk, "an ext2/ext3/ext4 file system",
			      "destroy it");
}

uint64_t random_device_uuid()
{
	uint64_t uuid = 0;
	while (uuid == 0)
		if (getrandom(&uuid, sizeof(uuid), 0) != sizeof(uuid))
			throw Error(kExitFailure,
				    std::string("getrandom failed: ") +
					    std::strerror(errno));
	return uuid;
}

void zero_range(int fd, uint64_t offset, uint64_t len, const std::string &disk)
{
	const std::vector<uint8_t> zeros(1024 * 1024);
	while (len > 0) {
		const size_t chunk = len < zeros.size() ? len : zeros.size();
		if (!pwrite_full(fd, zeros.data(), chunk, offset))
			throw disk_error("cannot write to disk", disk);
		offset += chunk;
		len -= chunk;
	}
}

void sync_disk(int fd, const std::string &disk)
{
	if (fsync(fd) != 0)
		throw disk_error("cannot flush disk", disk);
}

// The superblock takes the first 512 bytes of its 4 KiB block; the rest of
// the block is written as zeros too.
void write_superblock(int fd, const Superblock &sb, const std::string &disk)
{
	std::vector<uint8_t> block(RDBD_MD_BLOCK_BYTES);
	const SuperblockBytes bytes = encode_superblock(sb);
	std::copy(bytes.begin(), bytes.end(), block.begin());
	if (!pwrite_full(fd, block.data(), block.size(), sb.layout.sb_offset))
		throw disk_error("cannot write meta data to disk", disk);
}

std::string kib(uint64_t bytes)
{
	return std::to_string(bytes / 1024) + " KiB";
}

} // namespace

bool holds_ext_filesystem(const uint8_t *head, size_t len)
{
	return len >= kExtMagicOffset + 2 && head[kExtMagicOffset] == 0x53 &&
	       head[kExtMagicOffset + 1] == 0xEF;
}

uint64_t minimum_disk_bytes()
{
	return uint64_t{RDBD_MD_MIN_DATA_BYTES} + RDBD_MD_BLOCK_BYTES +
	       RDBD_MD_AL_BYTES + RDBD_MD_BLOCK_BYTES;
}

void create_metadata(const CreateMdRequest &req, std::ostream &out)
{
	const UniqueFd fd = open_exclusive(req);
	const MdLayout layout =
		layout_for(disk_bytes(fd.get(), req.disk), req.disk);
	if (!req.force)
		refuse_to_destroy_data(fd.get(), layout, req.disk);

	out << "Writing rdbd meta data on " << req.disk << " (data "
	    << kib(layout.data_bytes) << ", bitmap " << kib(layout.bitmap_bytes)
	    << ", activity log " << kib(layout.al_bytes) << ") ...\n";
	// Bitmap and AL first, superblock last: the new superblock never
	// describes areas that still hold old contents.
	zero_range(fd.get(), layout.bitmap_offset,
		   layout.sb_offset - layout.bitmap_offset, req.disk);
	sync_disk(fd.get(), req.disk);
	write_superblock(fd.get(), new_superblock(layout, random_device_uuid()),
			 req.disk);
	sync_disk(fd.get(), req.disk);
	if (!holds_valid_metadata(fd.get(), layout))
		throw Error(kExitFailure, "meta data on " + req.disk +
						  " does not read back as "
						  "valid");
	out << "New rdbd meta data block successfully created.\n";
}

} // namespace rdbd
