// SPDX-License-Identifier: GPL-2.0
/*
 * On-disk metadata: the superblock in the last 4 KiB block of the backing
 * disk (layout and format in <rdbd/meta.h>).
 *
 * The in-memory copy (struct rdbd_md) always equals what is on disk: a
 * change is made on a copy, written synchronously with PREFLUSH|FUA, and
 * only then committed.  A state change that needs a metadata write thus
 * either happens completely or not at all, and a failed write is always
 * reported to the caller.
 */
#include <linux/crc32.h>
#include <linux/random.h>

#include "rdbd_int.h"

static_assert(sizeof(struct rdbd_md_superblock) == RDBD_MD_SB_BYTES);
static_assert(PAGE_SIZE >= RDBD_MD_BLOCK_BYTES);

/* Flags this build derives from the device state; the others (connection,
 * sync, activity log) belong to the replication code and are kept as found.
 */
#define RDBD_MDF_FROM_STATE \
	(RDBD_MDF_CONSISTENT | RDBD_MDF_WAS_UP_TO_DATE | RDBD_MDF_PRIMARY_IND)

static u32 rdbd_sb_crc(const struct rdbd_md_superblock *sb)
{
	/* zlib's crc32(), which rdbdadm uses */
	return crc32_le(~0U, (const u8 *)sb,
			offsetof(struct rdbd_md_superblock, crc32)) ^ ~0U;
}

/*
 * One synchronous metadata block I/O at byte offset @pos.
 * GFP_NOIO: metadata is also written on behalf of I/O (the activity log of
 * the resync work will be), so the helper must not recurse into the block
 * layer through reclaim; fs_bio_set's mempool makes it wait, not fail.
 */
int rdbd_md_io(struct block_device *bdev, struct page *page, u64 pos,
	       blk_opf_t opf)
{
	struct bio *bio;
	int err;

	bio = bio_alloc(bdev, 1, opf, GFP_NOIO);
	bio->bi_iter.bi_sector = pos >> SECTOR_SHIFT;
	__bio_add_page(bio, page, RDBD_MD_BLOCK_BYTES, 0);
	err = submit_bio_wait(bio);
	bio_put(bio);
	return err;
}

static bool rdbd_sb_layout_matches(const struct rdbd_md_superblock *sb,
				   const struct rdbd_md_layout *l)
{
	return le64_to_cpu(sb->device_bytes) == l->device_bytes &&
	       le64_to_cpu(sb->data_bytes) == l->data_bytes &&
	       le64_to_cpu(sb->bitmap_offset) == l->bitmap_offset &&
	       le64_to_cpu(sb->bitmap_bytes) == l->bitmap_bytes &&
	       le64_to_cpu(sb->al_offset) == l->al_offset &&
	       le64_to_cpu(sb->al_bytes) == l->al_bytes &&
	       le64_to_cpu(sb->sb_offset) == l->sb_offset;
}

/* Checks the format fields first, then the checksum, then the contents. */
static int rdbd_sb_validate(struct rdbd_device *dev,
			    const struct rdbd_backing *ldev,
			    const struct rdbd_md_superblock *sb,
			    struct netlink_ext_ack *extack)
{
	u32 version = le32_to_cpu(sb->version);
	u32 sb_bytes = le32_to_cpu(sb->sb_bytes);

	if (le32_to_cpu(sb->magic) != RDBD_MD_MAGIC) {
		rdbd_extack(extack, dev->minor,
			    "no rdbd metadata on %s; run 'rdbdadm create-md'",
			    ldev->path);
		return -EINVAL;
	}
	if (version != RDBD_MD_VERSION) {
		rdbd_extack(extack, dev->minor,
			    "metadata on %s has version %u; this module reads version %u",
			    ldev->path, version, RDBD_MD_VERSION);
		return -EINVAL;
	}
	if (sb_bytes != RDBD_MD_SB_BYTES) {
		rdbd_extack(extack, dev->minor,
			    "metadata on %s is damaged: superblock size %u, expected %u",
			    ldev->path, sb_bytes, RDBD_MD_SB_BYTES);
		return -EINVAL;
	}
	if (le32_to_cpu(sb->crc32) != rdbd_sb_crc(sb)) {
		rdbd_extack(extack, dev->minor,
			    "metadata on %s is damaged: superblock checksum mismatch",
			    ldev->path);
		return -EBADMSG;
	}
	if (le32_to_cpu(sb->bm_block_bytes) != RDBD_BM_BLOCK_BYTES) {
		rdbd_extack(extack, dev->minor,
			    "metadata on %s uses %u-byte bitmap blocks; this module needs %u",
			    ldev->path, le32_to_cpu(sb->bm_block_bytes),
			    RDBD_BM_BLOCK_BYTES);
		return -EINVAL;
	}
	if (!rdbd_sb_layout_matches(sb, &ldev->layout)) {
		rdbd_extack(extack, dev->minor,
			    "the size of %s changed: its metadata was made for %llu bytes, it now has %llu; recreate the metadata",
			    ldev->path, le64_to_cpu(sb->device_bytes),
			    ldev->layout.device_bytes);
		return -EINVAL;
	}
	return 0;
}

static void rdbd_sb_decode(const struct rdbd_md_superblock *sb,
			   struct rdbd_md *md)
{
	int i;

	md->flags = le32_to_cpu(sb->flags);
	md->al_extents = le32_to_cpu(sb->al_extents);
	md->device_uuid = le64_to_cpu(sb->device_uuid);
	md->uuid[RDBD_UUID_CURRENT] = le64_to_cpu(sb->uuid_current);
	md->uuid[RDBD_UUID_BITMAP] = le64_to_cpu(sb->uuid_bitmap);
	for (i = 0; i < 2; i++)
		md->uuid[RDBD_UUID_HISTORY0 + i] =
			le64_to_cpu(sb->uuid_history[i]);
	md->md_generation = le64_to_cpu(sb->md_generation);
}

/* Fills every field rdbd knows; reserved bytes stay as they were read. */
static void rdbd_sb_encode(struct rdbd_md_superblock *sb,
			   const struct rdbd_md *md,
			   const struct rdbd_md_layout *l)
{
	int i;

	sb->magic = cpu_to_le32(RDBD_MD_MAGIC);
	sb->version = cpu_to_le32(RDBD_MD_VERSION);
	sb->sb_bytes = cpu_to_le32(RDBD_MD_SB_BYTES);
	sb->flags = cpu_to_le32(md->flags);
	sb->device_bytes = cpu_to_le64(l->device_bytes);
	sb->data_bytes = cpu_to_le64(l->data_bytes);
	sb->bitmap_offset = cpu_to_le64(l->bitmap_offset);
	sb->bitmap_bytes = cpu_to_le64(l->bitmap_bytes);
	sb->al_offset = cpu_to_le64(l->al_offset);
	sb->al_bytes = cpu_to_le64(l->al_bytes);
	sb->sb_offset = cpu_to_le64(l->sb_offset);
	sb->bm_block_bytes = cpu_to_le32(RDBD_BM_BLOCK_BYTES);
	sb->al_extents = cpu_to_le32(md->al_extents);
	sb->device_uuid = cpu_to_le64(md->device_uuid);
	sb->uuid_current = cpu_to_le64(md->uuid[RDBD_UUID_CURRENT]);
	sb->uuid_bitmap = cpu_to_le64(md->uuid[RDBD_UUID_BITMAP]);
	for (i = 0; i < 2; i++)
		sb->uuid_history[i] =
			cpu_to_le64(md->uuid[RDBD_UUID_HISTORY0 + i]);
	sb->md_generation = cpu_to_le64(md->md_generation);
	sb->crc32 = cpu_to_le32(rdbd_sb_crc(sb));
}

/**
 * rdbd_md_read - read and check the superblock of a disk being attached
 * @dev: the device attaching it (for messages)
 * @ldev: the backing disk, with its layout computed
 * @extack: where to explain a refusal
 *
 * Fills ldev->md.  Returns 0 or a negative errno (-EIO, -EINVAL, -EBADMSG).
 */
int rdbd_md_read(struct rdbd_device *dev, struct rdbd_backing *ldev,
		 struct netlink_ext_ack *extack)
{
	const struct rdbd_md_superblock *sb = page_address(ldev->sb_page);
	int err;

	err = rdbd_md_io(ldev->bdev, ldev->sb_page, ldev->layout.sb_offset,
			 REQ_OP_READ | REQ_SYNC | REQ_META);
	if (err) {
		rdbd_extack(extack, dev->minor,
			    "cannot read metadata from %s: %s",
			    ldev->path, rdbd_strerror(err));
		return err;
	}
	err = rdbd_sb_validate(dev, ldev, sb, extack);
	if (err)
		return err;
	rdbd_sb_decode(sb, &ldev->md);
	return 0;
}

/**
 * rdbd_md_write - make @md the metadata on disk
 * @dev: the device (state_mutex held)
 * @ldev: its backing disk
 * @md: the new contents; md_generation is set here
 * @extack: where to explain a failure
 *
 * Writes the superblock block synchronously and durably (PREFLUSH, FUA),
 * and commits @md to ldev->md only if that worked.  A failure is logged,
 * recorded as the device's last error and returned.
 */
int rdbd_md_write(struct rdbd_device *dev, struct rdbd_backing *ldev,
		  const struct rdbd_md *md, struct netlink_ext_ack *extack)
{
	struct rdbd_md next = *md;
	int err;

	lockdep_assert_held(&dev->state_mutex);
	next.md_generation = ldev->md.md_generation + 1;
	rdbd_sb_encode(page_address(ldev->sb_page), &next, &ldev->layout);
	err = rdbd_md_io(ldev->bdev, ldev->sb_page, ldev->layout.sb_offset,
			 REQ_OP_WRITE | REQ_SYNC | REQ_META | REQ_PREFLUSH |
			 REQ_FUA);
	if (err) {
		pr_err("rdbd%u: writing metadata to %s failed: %s (%d)\n",
		       dev->minor, ldev->path, rdbd_strerror(err), err);
		rdbd_set_last_error(dev, "writing metadata to %s failed: %s",
				    ldev->path, rdbd_strerror(err));
		rdbd_ioerr_md(dev, ldev);
		rdbd_extack(extack, dev->minor,
			    "cannot write metadata to %s: %s; nothing was changed",
			    ldev->path, rdbd_strerror(err));
		return err;
	}
	ldev->md = next;
	return 0;
}

/* Disk state at attach (DRBD's rules with no peer, fencing dont-care). */
enum rdbd_disk_state rdbd_md_disk_state(u32 flags)
{
	if (!(flags & RDBD_MDF_CONSISTENT))
		return RDBD_DISK_INCONSISTENT;
	if (flags & RDBD_MDF_WAS_UP_TO_DATE)
		return RDBD_DISK_UPTODATE;
	return RDBD_DISK_OUTDATED;
}

/* @flags updated for a device in @role with a local disk in @disk_state. */
u32 rdbd_md_state_flags(u32 flags, enum rdbd_role role,
			enum rdbd_disk_state disk_state)
{
	flags &= ~RDBD_MDF_FROM_STATE;
	if (disk_state > RDBD_DISK_INCONSISTENT)
		flags |= RDBD_MDF_CONSISTENT;
	if (disk_state > RDBD_DISK_OUTDATED)
		flags |= RDBD_MDF_WAS_UP_TO_DATE;
	if (role == RDBD_ROLE_PRIMARY)
		flags |= RDBD_MDF_PRIMARY_IND;
	return flags;
}

/*
 * Start a new data generation (DRBD's drbd_uuid_new_current): the current
 * UUID becomes the bitmap UUID; a bitmap UUID it replaces is not lost but
 * pushed into the history.
 */
void rdbd_md_new_current_uuid(struct rdbd_md *md)
{
	u64 *uuid = md->uuid;

	if (uuid[RDBD_UUID_BITMAP]) {
		uuid[RDBD_UUID_HISTORY1] = uuid[RDBD_UUID_HISTORY0];
		uuid[RDBD_UUID_HISTORY0] = uuid[RDBD_UUID_BITMAP];
	}
	uuid[RDBD_UUID_BITMAP] = uuid[RDBD_UUID_CURRENT];
	uuid[RDBD_UUID_CURRENT] = get_random_u64() & ~RDBD_UUID_PRIMARY_BIT;
}
