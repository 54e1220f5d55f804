// Encoding and checking of the on-disk superblock (include/rdbd/meta.h).
#pragma once

#include <rdbd/meta.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rdbd {

// meta.h's rdbd_md_layout is both a struct and a function; in C++ the
// function hides the struct's name, hence the alias.
using MdLayout = struct rdbd_md_layout;

// The superblock in host byte order.
struct Superblock {
	uint32_t flags = 0;
	MdLayout layout{};
	uint32_t bm_block_bytes = RDBD_BM_BLOCK_BYTES;
	uint32_t al_extents = 0;
	uint64_t device_uuid = 0;
	uint64_t uuid_current = 0;
	uint64_t uuid_bitmap = 0;
	uint64_t uuid_history[2] = {0, 0};
	uint64_t md_generation = 0;
};

using SuperblockBytes = std::array<uint8_t, RDBD_MD_SB_BYTES>;

// rdbd_md_layout() for a device of `device_bytes`, or nullopt if the
// device is too small to hold metadata and RDBD_MD_MIN_DATA_BYTES of data.
std::optional<MdLayout> md_layout(uint64_t device_bytes);

// What create-md writes: clean activity log, "just created" generation.
Superblock new_superblock(const MdLayout &layout, uint64_t device_uuid);

SuperblockBytes encode_superblock(const Superblock &sb);

enum class SuperblockCheck {
	Valid,
	BadMagic,
	BadVersion,
	BadSize,
	BadChecksum,
	LayoutMismatch,
};

struct DecodedSuperblock {
	SuperblockCheck check = SuperblockCheck::BadMagic;
	Superblock sb;	     // meaningful when check == Valid
	std::string problem; // empty when valid, else why not

	bool valid() const { return check == SuperblockCheck::Valid; }
};

// Checks in the order meta.h gives: magic, version, size, CRC, layout
// (against the layout of a device of `device_bytes`).
DecodedSuperblock decode_superblock(const SuperblockBytes &bytes,
				    uint64_t device_bytes);

// The dirty bitmap area (meta.h): bit i = 4 KiB data block i, bit i % 8
// of byte i / 8.  Blocks marked among the first `nbits`.
uint64_t bitmap_weight(const uint8_t *bits, size_t bytes, uint64_t nbits);
bool bitmap_test(const uint8_t *bits, uint64_t bit);

// One activity-log transaction block (struct rdbd_al_block).
using AlBlockBytes = std::array<uint8_t, RDBD_MD_BLOCK_BYTES>;
struct AlTransaction {
	uint64_t seq = 0;
	std::vector<uint32_t> extents; // hot 4 MiB extents
};
AlBlockBytes encode_al_block(const AlTransaction &t);
// nullopt unless magic, crc and count are right (an all-zero block, as
// create-md writes, is no transaction).
std::optional<AlTransaction> decode_al_block(const AlBlockBytes &bytes);
// The current hot set: the valid block with the highest seq of the ring
// (RDBD_MD_AL_BYTES / 4096 blocks); empty if there is none.
AlTransaction current_al(const std::vector<AlBlockBytes> &ring);

} // namespace rdbd
