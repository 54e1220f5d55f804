/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rdbd on-disk metadata ("internal meta-disk").
 *
 * The metadata lives at the end of the backing device, so the data area
 * starts at sector 0 and a backing disk can be read without rdbd (the
 * filesystem is at its usual place).  Everything is little-endian.
 *
 *   backing device (round_down(size, 4 KiB) bytes)
 *   +-------------------------------+-------------+-----------+------------+
 *   | data: exposed as /dev/rdbdN   | dirty bitmap| activity  | superblock |
 *   |                               | 1 bit/4 KiB | log 32 KiB| 4 KiB      |
 *   +-------------------------------+-------------+-----------+------------+
 *   0                        bitmap_offset   al_offset    sb_offset  end
 *
 * Worked example: a 256 MiB backing disk has 65536 blocks of 4 KiB.  The
 * bitmap needs 65536 bits = 8 KiB (rounded up to 4 KiB units), so
 *   sb_offset     = 256 MiB - 4 KiB
 *   al_offset     = sb_offset - 32 KiB
 *   bitmap_offset = al_offset - 8 KiB
 *   data_bytes    = bitmap_offset = 256 MiB - 44 KiB
 * The bitmap is sized for the whole device (not just the data area): it
 * wastes a few bits but keeps the layout a closed formula with no
 * iteration, identical in kernel and userspace (rdbd_md_layout below).
 *
 * The superblock occupies the first 512 bytes of its 4 KiB block; the rest
 * of the block is zero.  Its last field is a CRC32 (IEEE 802.3, the one zlib's
 * crc32() and the kernel's `crc32_le(~0, p, n) ^ ~0` compute) over every
 * byte before it.  A reader rejects a superblock whose magic, version, size
 * or CRC is wrong, or whose layout does not match the device it is on.
 *
 * Dirty bitmap.  Bit i stands for the 4 KiB data block i (bytes
 * [i * 4096, (i + 1) * 4096)); it is bit (i % 8) of byte (i / 8) of the
 * area, i.e. little-endian bit order, the same on every CPU.  A set bit
 * says "this block may differ from the peer's copy and must be resynced".
 * Bits for blocks at or past data_bytes are always 0.  create-md writes
 * the area as zeros ("in sync"), which is also what version-1 metadata
 * made before the bitmap had a meaning holds, so the format version did
 * not change.  The kernel keeps a copy in RAM (bitmap_bytes: 32 KiB per
 * GiB of device, 32 MiB per TiB) and writes back only the 4 KiB blocks
 * that changed (at disconnect, detach, down, around a sync).
 *
 * Activity log.  The AL area is a ring of 8 transaction blocks of
 * 4 KiB (struct rdbd_al_block).  Transaction number seq goes to block
 * seq % 8 and lists every "hot" 4 MiB extent of the data area (extent e
 * covers bytes [e * 4 MiB, (e + 1) * 4 MiB)) at the time it was written.
 * The valid block (magic, crc) with the highest seq is the current set.
 * A transaction is written before the first write to an extent not in
 * the set; after a Primary crash exactly the extents of the current set
 * are marked out of sync.  All zeros (create-md) is an empty log.  As
 * with the bitmap, version-1 metadata is read the same way.
 */
#ifndef _UAPI_RDBD_META_H
#define _UAPI_RDBD_META_H

#include <linux/types.h>

#define RDBD_MD_MAGIC		0x44424452U	/* "RDBD" read as bytes */
#define RDBD_MD_VERSION		1U
#define RDBD_MD_BLOCK_BYTES	4096U		/* unit of every md area */
#define RDBD_MD_SB_BYTES	512U		/* sizeof(struct rdbd_md_superblock) */
#define RDBD_MD_AL_BYTES	(32U * 1024)	/* activity-log ring */
#define RDBD_BM_BLOCK_BYTES	4096U		/* data bytes per bitmap bit */
/* Smallest data area create-md accepts: smaller is surely a mistake. */
#define RDBD_MD_MIN_DATA_BYTES	(1024U * 1024)

/* Generation UUID of freshly created metadata (DRBD's UUID_JUST_CREATED). */
#define RDBD_UUID_JUST_CREATED	4ULL

/* Superblock flags; values as in DRBD 8.4's MDF_* so habits carry over. */
#define RDBD_MDF_CONSISTENT		(1U << 0) /* data is not mid-sync */
#define RDBD_MDF_PRIMARY_IND		(1U << 1) /* was Primary: set while promoted */
#define RDBD_MDF_CONNECTED_IND		(1U << 2) /* was connected to the peer */
#define RDBD_MDF_FULL_SYNC		(1U << 3) /* full sync pending */
#define RDBD_MDF_WAS_UP_TO_DATE		(1U << 4) /* was UpToDate when last written */
#define RDBD_MDF_PEER_OUT_DATED		(1U << 5) /* peer is known Outdated */
#define RDBD_MDF_CRASHED_PRIMARY	(1U << 6) /* attached with PRIMARY_IND set */
#define RDBD_MDF_AL_CLEAN		(1U << 7) /* activity log holds nothing */
#define RDBD_MDF_ALL			0xffU

#define RDBD_AL_MAGIC		0x4c414452U	/* "RDAL" read as bytes */
#define RDBD_AL_EXTENT_SHIFT	22		/* 4 MiB extents */
#define RDBD_AL_EXTENTS_MIN	7		/* DRBD's minimum */
#define RDBD_AL_EXTENTS_MAX	1016		/* what one block holds */

struct rdbd_al_block {
	__le32 magic;		/* RDBD_AL_MAGIC */
	__le32 crc32;		/* zlib crc32 of bytes [8, 4096) */
	__le64 seq;		/* transaction number, from 1 */
	__le32 nr;		/* extents listed, <= RDBD_AL_EXTENTS_MAX */
	__le32 pad;		/* 0 */
	__u8 reserved[8];	/* 0 */
	__le32 extent[RDBD_AL_EXTENTS_MAX];	/* hot extents; rest 0 */
} __attribute__((packed));

struct rdbd_md_superblock {
	__le32 magic;		/* RDBD_MD_MAGIC */
	__le32 version;		/* RDBD_MD_VERSION */
	__le32 sb_bytes;	/* RDBD_MD_SB_BYTES */
	__le32 flags;		/* RDBD_MDF_* */
	__le64 device_bytes;	/* backing size the layout was made for */
	__le64 data_bytes;	/* exposed size, multiple of 4 KiB */
	__le64 bitmap_offset;	/* byte offsets from the start of the device */
	__le64 bitmap_bytes;
	__le64 al_offset;
	__le64 al_bytes;
	__le64 sb_offset;
	__le32 bm_block_bytes;	/* RDBD_BM_BLOCK_BYTES */
	__le32 al_extents;	/* hot regions; 0 = default */
	__le64 device_uuid;	/* random, made by create-md: names this disk */
	__le64 uuid_current;	/* generation UUIDs, DRBD 8.4 semantics */
	__le64 uuid_bitmap;
	__le64 uuid_history[2];
	__le64 md_generation;	/* bumped on every superblock write */
	__u8 reserved[380];	/* zero; room for later fields */
	__le32 crc32;		/* over bytes [0, offsetof(crc32)) */
} __attribute__((packed));

/*
 * Where each area goes on a device of @device_bytes.  Both the kernel and
 * rdbdadm compute it with this one function, so they cannot disagree.
 * Returns 0, or -1 if the device is too small for any data.
 */
struct rdbd_md_layout {
	__u64 device_bytes;	/* rounded down to RDBD_MD_BLOCK_BYTES */
	__u64 data_bytes;
	__u64 bitmap_offset;
	__u64 bitmap_bytes;
	__u64 al_offset;
	__u64 al_bytes;
	__u64 sb_offset;
};

static inline int rdbd_md_layout(__u64 device_bytes, struct rdbd_md_layout *l)
{
	const __u64 blk = RDBD_MD_BLOCK_BYTES;
	__u64 size = device_bytes / blk * blk;
	__u64 bits = size / RDBD_BM_BLOCK_BYTES;
	__u64 bm = ((bits + 7) / 8 + blk - 1) / blk * blk;
	__u64 md = bm + RDBD_MD_AL_BYTES + blk;

	if (size < md + RDBD_MD_MIN_DATA_BYTES)
		return -1;
	l->device_bytes = size;
	l->sb_offset = size - blk;
	l->al_bytes = RDBD_MD_AL_BYTES;
	l->al_offset = l->sb_offset - l->al_bytes;
	l->bitmap_bytes = bm;
	l->bitmap_offset = l->al_offset - bm;
	l->data_bytes = l->bitmap_offset;
	return 0;
}

#endif /* _UAPI_RDBD_META_H */
