// create-md end to end on regular files standing in for disks.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <vector>

#include "create_md.h"
#include "error.h"
#include "fd.h"
#include "metadata.h"

using namespace rdbd;

namespace {

constexpr uint64_t MiB = 1024 * 1024;

// A temporary file of `bytes`, every byte 0xFF so zeroing shows.
class TempDisk {
public:
	explicit TempDisk(uint64_t bytes)
	{
		char name[] = "/tmp/rdbd-unit-disk-XXXXXX";
		fd_ = UniqueFd(mkstemp(name));
		REQUIRE(fd_);
		path_ = name;
		const std::vector<uint8_t> ones(MiB, 0xFF);
		for (uint64_t off = 0; off < bytes; off += MiB)
			REQUIRE(pwrite_full(
				fd_.get(), ones.data(),
				std::min<uint64_t>(MiB, bytes - off), off));
	}
	~TempDisk() { unlink(path_.c_str()); }

	const std::string &path() const { return path_; }
	int fd() const { return fd_.get(); }

	void write(uint64_t offset, const void *data, size_t len)
	{
		REQUIRE(pwrite_full(fd_.get(), data, len, offset));
	}

	std::vector<uint8_t> read(uint64_t offset, size_t len) const
	{
		std::vector<uint8_t> buf(len);
		REQUIRE(pread_full(fd_.get(), buf.data(), len, offset));
		return buf;
	}

private:
	UniqueFd fd_;
	std::string path_;
};

DecodedSuperblock read_superblock(const TempDisk &disk, uint64_t bytes)
{
	const MdLayout l = *md_layout(bytes);
	const std::vector<uint8_t> raw =
		disk.read(l.sb_offset, RDBD_MD_SB_BYTES);
	SuperblockBytes b;
	std::copy(raw.begin(), raw.end(), b.begin());
	return decode_superblock(b, bytes);
}

std::string create(const TempDisk &disk, bool force)
{
	std::ostringstream out;
	create_metadata({"r0", disk.path(), force}, out);
	return out.str();
}

} // namespace

TEST_CASE("create-md writes a valid superblock and zeroes bitmap and AL",
	  "[create-md]")
{
	const uint64_t bytes = 8 * MiB;
	TempDisk disk(bytes);
	const std::string out = create(disk, false);
	CHECK(out == "Writing rdbd meta data on " + disk.path() +
			     " (data 8152 KiB, bitmap 4 KiB, activity log "
			     "32 KiB) ...\nNew rdbd meta data block "
			     "successfully created.\n");

	const DecodedSuperblock d = read_superblock(disk, bytes);
	REQUIRE(d.valid());
	CHECK(d.sb.flags == RDBD_MDF_AL_CLEAN);
	CHECK(d.sb.uuid_current == RDBD_UUID_JUST_CREATED);
	CHECK(d.sb.md_generation == 1);
	CHECK(d.sb.device_uuid != 0);

	const MdLayout l = *md_layout(bytes);
	const std::vector<uint8_t> md =
		disk.read(l.bitmap_offset, bytes - l.bitmap_offset);
	const size_t sb_at = l.sb_offset - l.bitmap_offset;
	for (size_t i = 0; i < md.size(); ++i)
		if (i < sb_at || i >= sb_at + RDBD_MD_SB_BYTES)
			REQUIRE(md[i] == 0);
	// The data area is left alone.
	CHECK(disk.read(l.bitmap_offset - 1, 1)[0] == 0xFF);
}

TEST_CASE("create-md refuses to overwrite data without --force", "[create-md]")
{
	const uint64_t bytes = 8 * MiB;
	TempDisk disk(bytes);

	SECTION("existing rdbd metadata")
	{
		create(disk, false);
		const uint64_t first =
			read_superblock(disk, bytes).sb.device_uuid;
		REQUIRE_THROWS_WITH(
			create(disk, false),
			"disk " + disk.path() +
				" holds valid rdbd meta data (refusing to "
				"overwrite it; --force would replace it and "
				"lose its replication state)");
		create(disk, true);
		CHECK(read_superblock(disk, bytes).sb.device_uuid != first);
	}
	SECTION("an ext4 file system")
	{
		const uint8_t magic[] = {0x53, 0xEF};
		disk.write(kExtMagicOffset, magic, sizeof(magic));
		REQUIRE_THROWS_WITH(
			create(disk, false),
			"disk " + disk.path() +
				" holds an ext2/ext3/ext4 file system "
				"(refusing to overwrite it; --force would "
				"destroy it)");
		CHECK_FALSE(read_superblock(disk, bytes).valid());
		create(disk, true);
		CHECK(read_superblock(disk, bytes).valid());
	}
}

TEST_CASE("create-md on an unusable disk", "[create-md]")
{
	SECTION("too small")
	{
		TempDisk disk(MiB);
		REQUIRE_THROWS_WITH(
			create(disk, false),
			"disk " + disk.path() +
				" is too small for rdbd: 1048576 "
				"bytes (expected at least 1089536)");
	}
	SECTION("missing")
	{
		std::ostringstream out;
		REQUIRE_THROWS_WITH(
			create_metadata({"r0", "/nonexistent/disk", false},
					out),
			"cannot open disk /nonexistent/disk: No such file or "
			"directory");
	}
	SECTION("neither a block device nor a file")
	{
		std::ostringstream out;
		REQUIRE_THROWS_WITH(
			create_metadata({"r0", "/dev/null", false}, out),
			"disk /dev/null is neither a block device nor a "
			"regular file");
	}
}
