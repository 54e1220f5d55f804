// Which wait `rdbdadm start` picks: wfc-timeout, or degr-wfc-timeout
// when the meta data shows a Primary that ran without its peer.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include "fd.h"
#include "metadata.h"
#include "startup_state.h"

using namespace rdbd;

namespace {

constexpr uint64_t kDiskBytes = 64ull * 1024 * 1024;

// A sparse file the size of a small disk, with a superblock whose flags
// are `flags` (none at all if `with_metadata` is false).
std::string disk_file(uint32_t flags, bool with_metadata = true)
{
	char name[] = "/tmp/rdbd-disk-XXXXXX";
	const UniqueFd fd(mkstemp(name));
	REQUIRE(fd);
	REQUIRE(ftruncate(fd.get(), kDiskBytes) == 0);
	if (with_metadata) {
		const MdLayout layout = *md_layout(kDiskBytes);
		Superblock sb = new_superblock(layout, 7);
		sb.flags = flags;
		const SuperblockBytes b = encode_superblock(sb);
		REQUIRE(pwrite(fd.get(), b.data(), b.size(),
			       static_cast<off_t>(layout.sb_offset)) ==
			static_cast<ssize_t>(b.size()));
	}
	return name;
}

} // namespace

TEST_CASE("degr-wfc-timeout applies after a Primary ran alone",
	  "[startup]")
{
	CHECK(degraded_at_shutdown(RDBD_MDF_PRIMARY_IND));
	CHECK_FALSE(degraded_at_shutdown(RDBD_MDF_PRIMARY_IND |
					 RDBD_MDF_CONNECTED_IND));
	CHECK_FALSE(degraded_at_shutdown(RDBD_MDF_CONNECTED_IND));
	CHECK_FALSE(degraded_at_shutdown(0));

	const std::string alone = disk_file(RDBD_MDF_PRIMARY_IND |
					    RDBD_MDF_CONSISTENT);
	const std::string paired = disk_file(RDBD_MDF_PRIMARY_IND |
					     RDBD_MDF_CONNECTED_IND);
	const std::string blank = disk_file(0, false);
	CHECK(went_down_degraded(alone));
	CHECK_FALSE(went_down_degraded(paired));
	CHECK_FALSE(went_down_degraded(blank));
	CHECK_FALSE(went_down_degraded("/nonexistent/disk"));
	for (const std::string &f : {alone, paired, blank})
		unlink(f.c_str());
}
