// Superblock encoding, checking, and the layout formula of meta.h.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <cstddef>
#include <cstring>

#include "create_md.h"
#include "metadata.h"

using namespace rdbd;

namespace {

constexpr uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

Superblock sample_superblock()
{
	Superblock sb =
		new_superblock(*md_layout(256 * MiB), 0x1122334455667788);
	sb.uuid_bitmap = 0xAAAA;
	sb.uuid_history[0] = 0xBBBB;
	sb.uuid_history[1] = 0xCCCC;
	sb.al_extents = 1237;
	return sb;
}

// After editing a field, recompute the CRC so only the edit is wrong.
void reseal(SuperblockBytes &b)
{
	const size_t covered = offsetof(rdbd_md_superblock, crc32);
	const uint32_t crc =
		static_cast<uint32_t>(crc32(0L, b.data(), covered));
	std::memcpy(b.data() + covered, &crc, 4); // little-endian host
}

void set_le32(SuperblockBytes &b, size_t offset, uint32_t value)
{
	std::memcpy(b.data() + offset, &value, 4); // little-endian host
}

} // namespace

TEST_CASE("layout of the worked example in meta.h", "[metadata]")
{
	const MdLayout l = *md_layout(256 * MiB);
	CHECK(l.device_bytes == 256 * MiB);
	CHECK(l.sb_offset == 256 * MiB - 4 * KiB);
	CHECK(l.al_offset == l.sb_offset - 32 * KiB);
	CHECK(l.al_bytes == 32 * KiB);
	CHECK(l.bitmap_bytes == 8 * KiB);
	CHECK(l.bitmap_offset == l.al_offset - 8 * KiB);
	CHECK(l.data_bytes == 256 * MiB - 44 * KiB);
}

TEST_CASE("layout edge cases", "[metadata]")
{
	SECTION("a size that is not a multiple of 4 KiB is rounded down")
	{
		CHECK(md_layout(256 * MiB + 4095)->device_bytes == 256 * MiB);
	}
	SECTION("1 TiB needs a 32 MiB bitmap")
	{
		CHECK(md_layout(1024 * GiB)->bitmap_bytes == 32 * MiB);
	}
	SECTION("the smallest disk holds exactly the minimum data area")
	{
		const auto l = md_layout(minimum_disk_bytes());
		REQUIRE(l);
		CHECK(l->data_bytes == RDBD_MD_MIN_DATA_BYTES);
		CHECK_FALSE(md_layout(minimum_disk_bytes() - 4 * KiB));
		CHECK_FALSE(md_layout(0));
	}
}

TEST_CASE("a fresh superblock is as create-md must write it", "[metadata]")
{
	const Superblock sb = new_superblock(*md_layout(256 * MiB), 42);
	CHECK(sb.flags == RDBD_MDF_AL_CLEAN);
	CHECK(sb.uuid_current == RDBD_UUID_JUST_CREATED);
	CHECK(sb.md_generation == 1);
	CHECK(sb.device_uuid == 42);
	CHECK(sb.bm_block_bytes == RDBD_BM_BLOCK_BYTES);
}

TEST_CASE("encoding is little-endian at meta.h's offsets", "[metadata]")
{
	const SuperblockBytes b = encode_superblock(sample_superblock());
	CHECK(std::memcmp(b.data(), "RDBD", 4) == 0);
	CHECK(b[offsetof(rdbd_md_superblock, version)] == RDBD_MD_VERSION);
	CHECK(b[offsetof(rdbd_md_superblock, sb_bytes) + 1] == 512 >> 8);
	CHECK(b[offsetof(rdbd_md_superblock, device_uuid)] == 0x88);
	CHECK(b[offsetof(rdbd_md_superblock, device_uuid) + 7] == 0x11);
	const size_t reserved = offsetof(rdbd_md_superblock, reserved);
	for (size_t i = reserved; i < reserved + 380; ++i)
		REQUIRE(b[i] == 0);
	const uint32_t crc = static_cast<uint32_t>(
		crc32(0L, b.data(), offsetof(rdbd_md_superblock, crc32)));
	uint32_t stored;
	std::memcpy(&stored, b.data() + 508, 4);
	CHECK(stored == crc);
}

TEST_CASE("encode and decode round trip", "[metadata]")
{
	const Superblock sb = sample_superblock();
	const DecodedSuperblock d =
		decode_superblock(encode_superblock(sb), 256 * MiB);
	REQUIRE(d.valid());
	CHECK(d.problem.empty());
	CHECK(d.sb.flags == sb.flags);
	CHECK(d.sb.layout.data_bytes == sb.layout.data_bytes);
	CHECK(d.sb.layout.sb_offset == sb.layout.sb_offset);
	CHECK(d.sb.bm_block_bytes == sb.bm_block_bytes);
	CHECK(d.sb.al_extents == 1237);
	CHECK(d.sb.device_uuid == 0x1122334455667788);
	CHECK(d.sb.uuid_current == RDBD_UUID_JUST_CREATED);
	CHECK(d.sb.uuid_bitmap == 0xAAAA);
	CHECK(d.sb.uuid_history[0] == 0xBBBB);
	CHECK(d.sb.uuid_history[1] == 0xCCCC);
	CHECK(d.sb.md_generation == 1);
}

TEST_CASE("decode rejects what is not a valid superblock", "[metadata]")
{
	SuperblockBytes b = encode_superblock(sample_superblock());

	SECTION("bad magic")
	{
		b[0] = 'X';
		reseal(b);
		const DecodedSuperblock d = decode_superblock(b, 256 * MiB);
		CHECK(d.check == SuperblockCheck::BadMagic);
		CHECK(d.problem == "no rdbd meta data (magic 0x44424458, "
				   "expected 0x44424452)");
	}
	SECTION("all zeros")
	{
		b.fill(0);
		CHECK(decode_superblock(b, 256 * MiB).check ==
		      SuperblockCheck::BadMagic);
	}
	SECTION("bad version")
	{
		set_le32(b, offsetof(rdbd_md_superblock, version), 2);
		reseal(b);
		const DecodedSuperblock d = decode_superblock(b, 256 * MiB);
		CHECK(d.check == SuperblockCheck::BadVersion);
		CHECK(d.problem ==
		      "unsupported meta data version 2 (expected 1)");
	}
	SECTION("bad size")
	{
		set_le32(b, offsetof(rdbd_md_superblock, sb_bytes), 4096);
		reseal(b);
		const DecodedSuperblock d = decode_superblock(b, 256 * MiB);
		CHECK(d.check == SuperblockCheck::BadSize);
		CHECK(d.problem == "bad superblock size 4096 (expected 512)");
	}
	SECTION("bad CRC")
	{
		b[offsetof(rdbd_md_superblock, reserved) + 10] ^= 1;
		const DecodedSuperblock d = decode_superblock(b, 256 * MiB);
		CHECK(d.check == SuperblockCheck::BadChecksum);
		CHECK_THAT(d.problem,
			   Catch::StartsWith("superblock checksum mismatch "
					     "(stored 0x"));
	}
	SECTION("made for a device of another size")
	{
		const DecodedSuperblock d = decode_superblock(b, 512 * MiB);
		CHECK(d.check == SuperblockCheck::LayoutMismatch);
		CHECK(d.problem == "meta data was made for a device of "
				   "268435456 bytes, this one has 536870912");
	}
	SECTION("a layout field that disagrees with the formula")
	{
		Superblock sb = sample_superblock();
		sb.layout.al_offset -= 4096;
		const DecodedSuperblock d =
			decode_superblock(encode_superblock(sb), 256 * MiB);
		CHECK(d.check == SuperblockCheck::LayoutMismatch);
		CHECK(d.problem == "meta data layout field al_offset is "
				   "268394496 (expected 268398592)");
	}
	SECTION("a device too small for any layout")
	{
		const DecodedSuperblock d = decode_superblock(b, 4096);
		CHECK(d.check == SuperblockCheck::LayoutMismatch);
		CHECK(d.problem == "device of 4096 bytes is too small for rdbd "
				   "meta data");
	}
}

TEST_CASE("ext2/3/4 detection", "[metadata][ext4]")
{
	std::vector<uint8_t> head(2048, 0);
	CHECK_FALSE(holds_ext_filesystem(head.data(), head.size()));
	head[1080] = 0x53;
	head[1081] = 0xEF;
	CHECK(holds_ext_filesystem(head.data(), head.size()));
	// Byte-swapped magic is not ext.
	head[1080] = 0xEF;
	head[1081] = 0x53;
	CHECK_FALSE(holds_ext_filesystem(head.data(), head.size()));
	// Too short to tell.
	CHECK_FALSE(holds_ext_filesystem(head.data(), 1081));
}

TEST_CASE("bitmap bit order is little-endian per byte", "[metadata][bitmap]")
{
	uint8_t bits[4] = {0x01, 0x80, 0x00, 0xff};
	CHECK(bitmap_test(bits, 0));	// block 0: bit 0 of byte 0
	CHECK_FALSE(bitmap_test(bits, 1));
	CHECK(bitmap_test(bits, 15));	// block 15: bit 7 of byte 1
	CHECK(bitmap_weight(bits, sizeof(bits), 32) == 10);
	// bits past the data area do not count
	CHECK(bitmap_weight(bits, sizeof(bits), 28) == 6);
	// 32 MiB of RAM per TiB: one bit per 4 KiB
	MdLayout l{};
	REQUIRE(rdbd_md_layout(1ULL << 40, &l) == 0);
	CHECK(l.bitmap_bytes == 32ULL << 20);
}

TEST_CASE("activity-log blocks: format and ring", "[metadata][al]")
{
	CHECK(sizeof(rdbd_al_block) == RDBD_MD_BLOCK_BYTES);
	CHECK(offsetof(rdbd_al_block, seq) == 8);
	CHECK(offsetof(rdbd_al_block, extent) == 32);

	SECTION("create-md's zeros are no transaction: an empty log")
	{
		AlBlockBytes zero{};
		CHECK_FALSE(decode_al_block(zero));
		CHECK(current_al({zero, zero}).extents.empty());
	}
	SECTION("round trip, crc over bytes 8..4096")
	{
		const AlBlockBytes b = encode_al_block({7, {0, 3, 63}});
		CHECK(b[0] == 0x52); // "RDAL" little-endian
		const uint32_t crc = static_cast<uint32_t>(
			crc32(0L, b.data() + 8, RDBD_MD_BLOCK_BYTES - 8));
		CHECK((b[4] | b[5] << 8 | b[6] << 16 |
		       static_cast<uint32_t>(b[7]) << 24) == crc);
		const auto t = decode_al_block(b);
		REQUIRE(t);
		CHECK(t->seq == 7);
		CHECK(t->extents == std::vector<uint32_t>{0, 3, 63});
	}
	SECTION("a damaged block is ignored; the newest valid one counts")
	{
		AlBlockBytes damaged = encode_al_block({9, {5}});
		damaged[40] ^= 1;
		const AlTransaction t = current_al(
			{encode_al_block({7, {1}}), damaged,
			 encode_al_block({8, {2, 4}})});
		CHECK(t.seq == 8);
		CHECK(t.extents == std::vector<uint32_t>{2, 4});
	}
}
