// create-md: fresh metadata on a backing disk (include/rdbd/meta.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

namespace rdbd {

struct CreateMdRequest {
	std::string resource; // for messages: "is resource r0 up?"
	std::string disk;
	bool force = false; // overwrite a file system or existing metadata
};

// Writes the superblock and zeroes the bitmap and activity log; reports
// progress on `out`.  Throws Error when the disk is busy, too small, or
// (without force) holds a file system or valid rdbd metadata.
void create_metadata(const CreateMdRequest &request, std::ostream &out);

// An ext2/3/4 superblock starts at byte 1024; its magic 0xEF53 (LE) sits
// 56 bytes into it.  `head` holds the first `len` bytes of the disk.
inline constexpr size_t kExtMagicOffset = 1024 + 56;
bool holds_ext_filesystem(const uint8_t *head, size_t len);

// The smallest disk rdbd_md_layout() accepts: the minimum data area, one
// bitmap block (enough below 128 MiB), the activity log and the superblock.
uint64_t minimum_disk_bytes();

} // namespace rdbd
