#include "metadata.h"

#include <endian.h>
#include <zlib.h>

#include <cstddef>
#include <cstdio>
#include <cstring>

namespace rdbd {

namespace {

static_assert(sizeof(rdbd_md_superblock) == RDBD_MD_SB_BYTES,
	      "struct rdbd_md_superblock must fill its 512 bytes exactly");

constexpr size_t kCrcCovered = offsetof(rdbd_md_superblock, crc32);

// zlib's crc32() is the IEEE CRC32 meta.h specifies.
uint32_t checksum(const void *bytes)
{
	return static_cast<uint32_t>(
		crc32(0L, static_cast<const Bytef *>(bytes), kCrcCovered));
}

std::string hex32(uint32_t value)
{
	char text[11];
	std::snprintf(text, sizeof(text), "0x%08x", value);
	return text;
}

// The layout fields stored in the superblock, for the comparison that
// tells which one disagrees with the device.
struct LayoutField {
	const char *name;
	__u64 MdLayout::*field;
};

constexpr LayoutField kLayoutFields[] = {
	{"device_bytes", &MdLayout::device_bytes},
	{"data_bytes", &MdLayout::data_bytes},
	{"bitmap_offset", &MdLayout::bitmap_offset},
	{"bitmap_bytes", &MdLayout::bitmap_bytes},
	{"al_offset", &MdLayout::al_offset},
	{"al_bytes", &MdLayout::al_bytes},
	{"sb_offset", &MdLayout::sb_offset},
};

std::string layout_problem(const MdLayout &stored, uint64_t device_bytes)
{
	const std::optional<MdLayout> expected = md_layout(device_bytes);
	if (!expected)
		return "device of " + std::to_string(device_bytes) +
		       " bytes is too small for rdbd meta data";
	if (stored.device_bytes != expected->device_bytes)
		return "meta data was made for a device of " +
		       std::to_string(stored.device_bytes) +
		       " bytes, this one has " +
		       std::to_string(expected->device_bytes);
	for (const LayoutField &f : kLayoutFields)
		if (stored.*f.field != (*expected).*f.field)
			return std::string("meta data layout field ") + f.name +
			       " is " + std::to_string(stored.*f.field) +
			       " (expected " +
			       std::to_string((*expected).*f.field) + ")";
	return "";
}

void encode_layout(const MdLayout &l, rdbd_md_superblock &raw)
{
	raw.device_bytes = htole64(l.device_bytes);
	raw.data_bytes = htole64(l.data_bytes);
	raw.bitmap_offset = htole64(l.bitmap_offset);
	raw.bitmap_bytes = htole64(l.bitmap_bytes);
	raw.al_offset = htole64(l.al_offset);
	raw.al_bytes = htole64(l.al_bytes);
	raw.sb_offset = htole64(l.sb_offset);
}

MdLayout decode_layout(const rdbd_md_superblock &raw)
{
	MdLayout l;
	l.device_bytes = le64toh(raw.device_bytes);
	l.data_bytes = le64toh(raw.data_bytes);
	l.bitmap_offset = le64toh(raw.bitmap_offset);
	l.bitmap_bytes = le64toh(raw.bitmap_bytes);
	l.al_offset = le64toh(raw.al_offset);
	l.al_bytes = le64toh(raw.al_bytes);
	l.sb_offset = le64toh(raw.sb_offset);
	return l;
}

Superblock decode_fields(const rdbd_md_superblock &raw)
{
	Superblock sb;
	sb.flags = le32toh(raw.flags);
	sb.layout = decode_layout(raw);
	sb.bm_block_bytes = le32toh(raw.bm_block_bytes);
	sb.al_extents = le32toh(raw.al_extents);
	sb.device_uuid = le64toh(raw.device_uuid);
	sb.uuid_current = le64toh(raw.uuid_current);
	sb.uuid_bitmap = le64toh(raw.uuid_bitmap);
	sb.uuid_history[0] = le64toh(raw.uuid_history[0]);
	sb.uuid_history[1] = le64toh(raw.uuid_history[1]);
	sb.md_generation = le64toh(raw.md_generation);
	return sb;
}

DecodedSuperblock rejected(SuperblockCheck check, std::string problem)
{
	DecodedSuperblock d;
	d.check = check;
	d.problem = std::move(problem);
	return d;
}

} // namespace

std::optional<MdLayout> md_layout(uint64_t device_bytes)
{
	MdLayout l;
	if (rdbd_md_layout(device_bytes, &l) != 0)
		return std::nullopt;
	return l;
}

Superblock new_superblock(const MdLayout &layout, uint64_t device_uuid)
{
	Superblock sb;
	sb.flags = RDBD_MDF_AL_CLEAN;
	sb.layout = layout;
	sb.device_uuid = device_uuid;
	sb.uuid_current = RDBD_UUID_JUST_CREATED;
	sb.md_generation = 1;
	return sb;
}

SuperblockBytes encode_superblock(const Superblock &sb)
{
	rdbd_md_superblock raw;
	std::memset(&raw, 0, sizeof(raw));
	raw.magic = htole32(RDBD_MD_MAGIC);
	raw.version = htole32(RDBD_MD_VERSION);
	raw.sb_bytes = htole32(RDBD_MD_SB_BYTES);
	raw.flags = htole32(sb.flags);
	encode_layout(sb.layout, raw);
	raw.bm_block_bytes = htole32(sb.bm_block_bytes);
	raw.al_extents = htole32(sb.al_extents);
	raw.device_uuid = htole64(sb.device_uuid);
	raw.uuid_current = htole64(sb.uuid_current);
	raw.uuid_bitmap = htole64(sb.uuid_bitmap);
	raw.uuid_history[0] = htole64(sb.uuid_history[0]);
	raw.uuid_history[1] = htole64(sb.uuid_history[1]);
	raw.md_generation = htole64(sb.md_generation);
	raw.crc32 = htole32(checksum(&raw));

	SuperblockBytes bytes;
	std::memcpy(bytes.data(), &raw, sizeof(raw));
	return bytes;
}

DecodedSuperblock decode_superblock(const SuperblockBytes &bytes,
				    uint64_t device_bytes)
{
	rdbd_md_superblock raw;
	std::memcpy(&raw, bytes.data(), sizeof(raw));

	const uint32_t magic = le32toh(raw.magic);
	if (magic != RDBD_MD_MAGIC)
		return rejected(SuperblockCheck::BadMagic,
				"no rdbd meta data (magic " + hex32(magic) +
					", expected " + hex32(RDBD_MD_MAGIC) +
					")");
	const uint32_t version = le32toh(raw.version);
	if (version != RDBD_MD_VERSION)
		return rejected(SuperblockCheck::BadVersion,
				"unsupported meta data version " +
					std::to_string(version) +
					" (expected " +
					std::to_string(RDBD_MD_VERSION) + ")");
	const uint32_t size = le32toh(raw.sb_bytes);
	if (size != RDBD_MD_SB_BYTES)
		return rejected(SuperblockCheck::BadSize,
				"bad superblock size " + std::to_string(size) +
					" (expected " +
					std::to_string(RDBD_MD_SB_BYTES) + ")");
	const uint32_t stored = le32toh(raw.crc32);
	const uint32_t computed = checksum(bytes.data());
	if (stored != computed)
		return rejected(SuperblockCheck::BadChecksum,
				"superblock checksum mismatch (stored " +
					hex32(stored) + ", computed " +
					hex32(computed) + ")");

	DecodedSuperblock d;
	d.sb = decode_fields(raw);
	d.problem = layout_problem(d.sb.layout, device_bytes);
	d.check = d.problem.empty() ? SuperblockCheck::Valid
				    : SuperblockCheck::LayoutMismatch;
	return d;
}

uint64_t bitmap_weight(const uint8_t *bits, size_t bytes, uint64_t nbits)
{
	uint64_t weight = 0;
	for (uint64_t bit = 0; bit < nbits && bit / 8 < bytes; ++bit)
		weight += bitmap_test(bits, bit);
	return weight;
}

bool bitmap_test(const uint8_t *bits, uint64_t bit)
{
	return bits[bit / 8] & (1U << (bit % 8));
}

namespace {

// The AL crc covers everything after magic and crc32 (meta.h).
uint32_t al_crc(const AlBlockBytes &b)
{
	constexpr size_t kSkip = offsetof(rdbd_al_block, seq);
	return static_cast<uint32_t>(crc32(
		0L, reinterpret_cast<const Bytef *>(b.data() + kSkip),
		static_cast<uInt>(b.size() - kSkip)));
}

uint32_t le32_at(const AlBlockBytes &b, size_t off)
{
	uint32_t v;
	std::memcpy(&v, b.data() + off, sizeof(v));
	return le32toh(v);
}

void put_le32(AlBlockBytes &b, size_t off, uint32_t v)
{
	v = htole32(v);
	std::memcpy(b.data() + off, &v, sizeof(v));
}

} // namespace

AlBlockBytes encode_al_block(const AlTransaction &t)
{
	AlBlockBytes b{};
	put_le32(b, offsetof(rdbd_al_block, magic), RDBD_AL_MAGIC);
	const uint64_t seq = htole64(t.seq);
	std::memcpy(b.data() + offsetof(rdbd_al_block, seq), &seq,
		    sizeof(seq));
	put_le32(b, offsetof(rdbd_al_block, nr),
		 static_cast<uint32_t>(t.extents.size()));
	for (size_t i = 0; i < t.extents.size() && i < RDBD_AL_EXTENTS_MAX;
	     ++i)
		put_le32(b, offsetof(rdbd_al_block, extent) + 4 * i,
			 t.extents[i]);
	put_le32(b, offsetof(rdbd_al_block, crc32), al_crc(b));
	return b;
}

std::optional<AlTransaction> decode_al_block(const AlBlockBytes &b)
{
	const uint32_t nr = le32_at(b, offsetof(rdbd_al_block, nr));
	if (le32_at(b, offsetof(rdbd_al_block, magic)) != RDBD_AL_MAGIC ||
	    le32_at(b, offsetof(rdbd_al_block, crc32)) != al_crc(b) ||
	    nr > RDBD_AL_EXTENTS_MAX)
		return std::nullopt;
	AlTransaction t;
	uint64_t seq;
	std::memcpy(&seq, b.data() + offsetof(rdbd_al_block, seq),
		    sizeof(seq));
	t.seq = le64toh(seq);
	for (uint32_t i = 0; i < nr; ++i)
		t.extents.push_back(
			le32_at(b, offsetof(rdbd_al_block, extent) + 4 * i));
	return t;
}

AlTransaction current_al(const std::vector<AlBlockBytes> &ring)
{
	AlTransaction best;
	for (const AlBlockBytes &b : ring) {
		const std::optional<AlTransaction> t = decode_al_block(b);
		if (t && t->seq >= best.seq)
			best = *t;
	}
	return best;
}

} // namespace rdbd
