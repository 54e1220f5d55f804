// SPDX-License-Identifier: GPL-2.0
/*
 * The dirty bitmap: one bit per 4 KiB block of the data area, set when
 * the block may differ from the peer's copy (format in <rdbd/meta.h>).
 *
 * Who sets bits:
 *   - a write on this node that does not go to the peer (req.c: not
 *     connected, or the handshake is deciding);
 *   - writes still unacked when the connection is lost (protocol C), or
 *     every block if the connection was lost under protocol A or B, whose
 *     writes are acked before the peer's disk has them;
 *   - the peer's bitmap, ORed in before a sync (handshake.c);
 *   - a full sync sets all bits.
 * Who clears them:
 *   - the SyncSource when the target acked a resync chunk, the SyncTarget
 *     when it wrote one (sync.c, repl.c);
 *   - a replicated write that covers a whole block and was written on
 *     both disks (protocol C WRITE_ACK, or the received DATA written);
 *   - the SyncTarget at the end of a sync.
 *
 * The copy in RAM is authoritative while attached; the one on disk may
 * have more bits set (clearing is written back lazily: a stale bit only
 * costs a block resent) but must never lack a set bit for a block written
 * without the peer, except for writes that were in flight when a Primary
 * crashed: rdbd_bm_attach() then marks every block (no activity log yet).
 * Nor may it lack a bit for a block whose data the disk's volatile cache
 * lost: a block carrying a cleared bit is written after a flush.
 *
 * Locking: bits, weight and the dirty-block map are protected by
 * dev->req_lock (the I/O path marks bits in submit_bio).  Writeout takes
 * bm->io_mutex (sleeps) and copies one 4 KiB block at a time under
 * req_lock into its own page, so the I/O path never waits for the disk.
 */
#include <linux/bitops.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "rdbd_int.h"

#define RDBD_BM_BLOCK_BITS	(RDBD_MD_BLOCK_BYTES * 8)
#define RDBD_SECTORS_PER_BIT	(RDBD_BM_BLOCK_BYTES >> SECTOR_SHIFT)

/* ---- allocation ---- */

int rdbd_bm_alloc(struct rdbd_backing *ldev)
{
	struct rdbd_bitmap *bm = &ldev->bm;
	u64 bytes = ldev->layout.bitmap_bytes;

	bm->nbits = ldev->layout.data_bytes / RDBD_BM_BLOCK_BYTES;
	bm->nblocks = bytes / RDBD_MD_BLOCK_BYTES;
	mutex_init(&bm->io_mutex);
	bm->bits = kvzalloc(bytes, GFP_KERNEL);
	bm->dirty = bitmap_zalloc(bm->nblocks, GFP_KERNEL);
	bm->io_page = alloc_page(GFP_KERNEL);
	if (!bm->bits || !bm->dirty || !bm->io_page) {
		rdbd_bm_free(ldev);
		return -ENOMEM;
	}
	return 0;
}

void rdbd_bm_free(struct rdbd_backing *ldev)
{
	struct rdbd_bitmap *bm = &ldev->bm;

	kvfree(bm->bits);
	bitmap_free(bm->dirty);
	if (bm->io_page)
		__free_page(bm->io_page);
	bm->bits = NULL;
	bm->dirty = NULL;
	bm->io_page = NULL;
}

/* ---- bits (req_lock held) ---- */

static void rdbd_bm_set_bit(struct rdbd_bitmap *bm, u64 bit)
{
	if (__test_and_set_bit_le(bit, bm->bits))
		return;
	bm->weight++;
	__set_bit(bit / RDBD_BM_BLOCK_BITS, bm->dirty);
}

static void rdbd_bm_clear_bit(struct rdbd_bitmap *bm, u64 bit)
{
	if (!__test_and_clear_bit_le(bit, bm->bits))
		return;
	bm->weight--;
	bm->cleared = true;
	__set_bit(bit / RDBD_BM_BLOCK_BITS, bm->dirty);
}

/**
 * rdbd_bm_set_range - mark every block @sector..+@bytes touches
 * @dev: the device (req_lock held)
 * @ldev: its backing disk, pinned by the caller
 */
void rdbd_bm_set_range(struct rdbd_device *dev, struct rdbd_backing *ldev,
		       sector_t sector, u32 bytes)
{
	struct rdbd_bitmap *bm = &ldev->bm;
	u64 bit, last;

	lockdep_assert_held(&dev->req_lock);
	if (!bytes)
		return;
	bit = sector / RDBD_SECTORS_PER_BIT;
	last = (sector + (bytes >> SECTOR_SHIFT) - 1) / RDBD_SECTORS_PER_BIT;
	for (last = min(last, bm->nbits - 1); bit <= last; bit++)
		rdbd_bm_set_bit(bm, bit);
}

/**
 * rdbd_bm_clear_range - clear the blocks @sector..+@bytes covers entirely
 * @dev: the device (req_lock held)
 * @ldev: its backing disk, pinned by the caller
 *
 * A partly covered block keeps its bit: the rest of it may still differ.
 */
void rdbd_bm_clear_range(struct rdbd_device *dev, struct rdbd_backing *ldev,
			 sector_t sector, u32 bytes)
{
	struct rdbd_bitmap *bm = &ldev->bm;
	u64 bit, end;

	lockdep_assert_held(&dev->req_lock);
	bit = DIV_ROUND_UP_ULL(sector, RDBD_SECTORS_PER_BIT);
	end = (sector + (bytes >> SECTOR_SHIFT)) / RDBD_SECTORS_PER_BIT;
	for (end = min(end, bm->nbits); bit < end; bit++)
		rdbd_bm_clear_bit(bm, bit);
}

/* Is any block of @sector..+@bytes marked?  req_lock held. */
bool rdbd_bm_test_range(struct rdbd_device *dev, struct rdbd_backing *ldev,
			sector_t sector, u32 bytes)
{
	struct rdbd_bitmap *bm = &ldev->bm;
	u64 bit = sector / RDBD_SECTORS_PER_BIT;
	u64 end = DIV_ROUND_UP_ULL(sector + (bytes >> SECTOR_SHIFT),
				   RDBD_SECTORS_PER_BIT);

	lockdep_assert_held(&dev->req_lock);
	end = min(end, bm->nbits);
	return bit < end && find_next_bit_le(bm->bits, end, bit) < end;
}

/* Mark or clear every block.  req_lock held. */
static void rdbd_bm_fill(struct rdbd_bitmap *bm, bool set)
{
	u8 *bytes = (u8 *)bm->bits;
	u64 bit;

	memset(bytes, 0, (size_t)bm->nblocks * RDBD_MD_BLOCK_BYTES);
	if (set) {
		memset(bytes, 0xff, bm->nbits / 8);
		for (bit = bm->nbits / 8 * 8; bit < bm->nbits; bit++)
			__set_bit_le(bit, bm->bits);
	}
	bm->weight = set ? bm->nbits : 0;
	bm->cleared |= !set;
	bitmap_fill(bm->dirty, bm->nblocks);
}

void rdbd_bm_set_all(struct rdbd_device *dev, struct rdbd_backing *ldev)
{
	spin_lock_irq(&dev->req_lock);
	rdbd_bm_fill(&ldev->bm, true);
	spin_unlock_irq(&dev->req_lock);
}

void rdbd_bm_clear_all(struct rdbd_device *dev, struct rdbd_backing *ldev)
{
	spin_lock_irq(&dev->req_lock);
	rdbd_bm_fill(&ldev->bm, false);
	spin_unlock_irq(&dev->req_lock);
}

/* Bits set now. */
u64 rdbd_bm_weight(struct rdbd_device *dev, struct rdbd_backing *ldev)
{
	u64 weight;

	spin_lock_irq(&dev->req_lock);
	weight = ldev->bm.weight;
	spin_unlock_irq(&dev->req_lock);
	return weight;
}

/**
 * rdbd_bm_next_run - the next run of marked blocks at or after @from
 * @dev: the device (req_lock held)
 * @ldev: its backing disk
 * @from: first block to look at
 * @max_bits: longest run wanted
 * @len: set to the run's length in blocks
 *
 * Returns the run's first block, or ldev->bm.nbits if none is left.
 */
u64 rdbd_bm_next_run(struct rdbd_device *dev, struct rdbd_backing *ldev,
		     u64 from, unsigned int max_bits, unsigned int *len)
{
	struct rdbd_bitmap *bm = &ldev->bm;
	u64 first, end;

	lockdep_assert_held(&dev->req_lock);
	*len = 0;
	if (from >= bm->nbits)
		return bm->nbits;
	first = find_next_bit_le(bm->bits, bm->nbits, from);
	if (first >= bm->nbits)
		return bm->nbits;
	end = min(first + max_bits, bm->nbits);
	end = find_next_zero_bit_le(bm->bits, end, first);
	*len = end - first;
	return first;
}

/* ---- the peer's bitmap ---- */

/*
 * OR one block of the peer's bitmap into ours (req_lock held).  Bits past
 * our data area are ignored: the peer's disk may be larger.
 */
static void rdbd_bm_or_block(struct rdbd_bitmap *bm, u64 offset,
			     const u8 *bits)
{
	u64 bit;
	unsigned int i, j;

	for (i = 0; i < RDBD_WIRE_BITMAP_BLOCK; i++) {
		for (j = 0; bits[i] && j < 8; j++) {
			bit = (offset + i) * 8 + j;
			if ((bits[i] & BIT(j)) && bit < bm->nbits)
				rdbd_bm_set_bit(bm, bit);
		}
	}
}

/**
 * rdbd_bm_merge - a BITMAP packet: OR the peer's block into ours
 * @dev: the device
 * @p: the packet (untrusted: its offset is checked here)
 *
 * Returns 0, or -EPROTO (logged) for an offset that is not a block of
 * our bitmap area.
 */
int rdbd_bm_merge(struct rdbd_device *dev, const struct rdbd_p_bitmap *p)
{
	u64 offset = be64_to_cpu(p->offset);
	struct rdbd_backing *ldev = rdbd_io_get_backing(dev);
	int err = 0;

	if (!ldev) {
		rdbd_conn_error(dev, "peer sent its bitmap but this node has no disk; dropping connection");
		return -EPROTO;
	}
	if (offset % RDBD_WIRE_BITMAP_BLOCK ||
	    offset >= (u64)ldev->bm.nblocks * RDBD_MD_BLOCK_BYTES) {
		/* Past our area: every bit there is past our data. */
		if (offset % RDBD_WIRE_BITMAP_BLOCK) {
			rdbd_conn_error(dev, "peer sent a bitmap block at offset %llu; dropping connection",
					offset);
			err = -EPROTO;
		}
		goto out_put;
	}
	spin_lock_irq(&dev->req_lock);
	rdbd_bm_or_block(&ldev->bm, offset, p->bits);
	spin_unlock_irq(&dev->req_lock);
out_put:
	rdbd_io_put_backing(dev, REQ_OP_READ, 0, BLK_STS_OK);
	return err;
}

/*
 * Copy block @i of the bitmap into @buf if it has a bit set.  Returns
 * whether it did.  req_lock held.
 */
static bool rdbd_bm_copy_block(struct rdbd_bitmap *bm, unsigned int i,
			       void *buf)
{
	const u8 *src = (const u8 *)bm->bits + (size_t)i * RDBD_MD_BLOCK_BYTES;

	if (!memchr_inv(src, 0, RDBD_MD_BLOCK_BYTES))
		return false;
	memcpy(buf, src, RDBD_MD_BLOCK_BYTES);
	return true;
}

/**
 * rdbd_bm_send - send our bitmap: its non-zero blocks, then BITMAP_DONE
 * @dev: the device, connected (connection thread or state_mutex holder)
 * @all: every bit is set (a full sync): send only BITMAP_DONE saying so
 */
int rdbd_bm_send(struct rdbd_device *dev, bool all)
{
	struct rdbd_backing *ldev = rdbd_io_get_backing(dev);
	struct rdbd_p_bitmap_done done = {};
	struct rdbd_p_bitmap *p;
	unsigned int i;
	bool copied;
	int err = 0;

	if (!ldev)
		return -ENODEV;
	p = kzalloc(sizeof(*p), GFP_NOIO);
	if (!p) {
		err = -ENOMEM;
		goto out_put;
	}
	for (i = 0; !all && i < ldev->bm.nblocks && !err; i++) {
		spin_lock_irq(&dev->req_lock);
		copied = rdbd_bm_copy_block(&ldev->bm, i, p->bits);
		spin_unlock_irq(&dev->req_lock);
		if (!copied)
			continue;
		p->offset = cpu_to_be64((u64)i * RDBD_MD_BLOCK_BYTES);
		err = rdbd_send_packet(dev, RDBD_P_BITMAP, p, sizeof(*p));
	}
	kfree(p);
	if (err)
		goto out_put;
	done.bits_set = cpu_to_be64(rdbd_bm_weight(dev, ldev));
	done.flags = cpu_to_be32(all ? RDBD_BITMAP_F_ALL : 0);
	err = rdbd_send_packet(dev, RDBD_P_BITMAP_DONE, &done, sizeof(done));
out_put:
	rdbd_io_put_backing(dev, REQ_OP_READ, 0, BLK_STS_OK);
	return err;
}

/* BITMAP_DONE: a full sync marks every block here too. */
int rdbd_bm_got_done(struct rdbd_device *dev,
		     const struct rdbd_p_bitmap_done *p)
{
	struct rdbd_backing *ldev;
	u32 flags = be32_to_cpu(p->flags);

	if (flags & ~RDBD_BITMAP_F_ALL) {
		rdbd_conn_error(dev, "peer sent bitmap flags 0x%x; dropping connection",
				flags);
		return -EPROTO;
	}
	if (!(flags & RDBD_BITMAP_F_ALL))
		return 0;
	ldev = rdbd_io_get_backing(dev);
	if (!ldev)
		return -EPROTO;
	rdbd_bm_set_all(dev, ldev);
	rdbd_io_put_backing(dev, REQ_OP_READ, 0, BLK_STS_OK);
	return 0;
}

/* ---- on disk ---- */

static u64 rdbd_bm_block_pos(struct rdbd_backing *ldev, unsigned int i)
{
	return ldev->layout.bitmap_offset + (u64)i * RDBD_MD_BLOCK_BYTES;
}

/**
 * rdbd_bm_read - read the bitmap of a disk being attached
 * @dev: the device (for messages)
 * @ldev: the backing disk, its bitmap allocated, not yet visible to I/O
 * @extack: where to explain a failure
 */
int rdbd_bm_read(struct rdbd_device *dev, struct rdbd_backing *ldev,
		 struct netlink_ext_ack *extack)
{
	struct rdbd_bitmap *bm = &ldev->bm;
	u64 bit, weight = 0;
	unsigned int i;
	int err;

	for (i = 0; i < bm->nblocks; i++) {
		err = rdbd_md_io(ldev->bdev, bm->io_page,
				 rdbd_bm_block_pos(ldev, i),
				 REQ_OP_READ | REQ_SYNC | REQ_META);
		if (err) {
			rdbd_extack(extack, dev->minor,
				    "cannot read the bitmap from %s: %s",
				    ldev->path, rdbd_strerror(err));
			return err;
		}
		memcpy((u8 *)bm->bits + (size_t)i * RDBD_MD_BLOCK_BYTES,
		       page_address(bm->io_page), RDBD_MD_BLOCK_BYTES);
	}
	/* Bits past the data area mean nothing: drop them. */
	for (bit = bm->nbits; bit < (u64)bm->nblocks * RDBD_BM_BLOCK_BITS;
	     bit++)
		__clear_bit_le(bit, bm->bits);
	for (i = 0; i < BITS_TO_LONGS(bm->nbits); i++)
		weight += hweight_long(bm->bits[i]);
	bm->weight = weight;
	bitmap_zero(bm->dirty, bm->nblocks);
	return 0;
}

/*
 * Write block @i if it changed since it was last written.  Bits are
 * cleared when the write that makes a block equal completes (a resync
 * write, a replicated write), which may be in the disk's volatile cache
 * only.  A block that carries a cleared bit to the disk therefore goes
 * with REQ_PREFLUSH, issued after its copy was taken: if the power goes,
 * the disk never says "in sync" for data it lost, and the next resync
 * sends the block again.  *@flush says whether a bit was cleared since
 * the last writeout's copy; it stays set for the rest of this writeout.
 */
static int rdbd_bm_write_block(struct rdbd_device *dev,
			       struct rdbd_backing *ldev, unsigned int i,
			       bool *flush)
{
	struct rdbd_bitmap *bm = &ldev->bm;
	const u8 *src = (const u8 *)bm->bits + (size_t)i * RDBD_MD_BLOCK_BYTES;
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC | REQ_META | REQ_FUA;
	int err;

	spin_lock_irq(&dev->req_lock);
	if (!__test_and_clear_bit(i, bm->dirty)) {
		spin_unlock_irq(&dev->req_lock);
		return 0;
	}
	memcpy(page_address(bm->io_page), src, RDBD_MD_BLOCK_BYTES);
	*flush |= bm->cleared;
	bm->cleared = false;
	spin_unlock_irq(&dev->req_lock);
	if (*flush)
		opf |= REQ_PREFLUSH;
	err = rdbd_md_io(ldev->bdev, bm->io_page, rdbd_bm_block_pos(ldev, i),
			 opf);
	spin_lock_irq(&dev->req_lock);
	if (err) {
		__set_bit(i, bm->dirty);	/* still not on disk */
		bm->cleared |= *flush;		/* nor the flush it needs */
	} else {
		bm->writes++;
	}
	spin_unlock_irq(&dev->req_lock);
	return err;
}

/**
 * rdbd_bm_write - write the changed blocks of the bitmap to disk
 * @dev: the device
 * @ldev: its backing disk, pinned by the caller (or state_mutex held)
 *
 * Only blocks that changed since they were last written are written
 * (FUA each, and after a flush once bits were cleared: see
 * rdbd_bm_write_block()).  May sleep; needs no state lock.  A failure is
 * logged and recorded as the device's last error.
 */
int rdbd_bm_write(struct rdbd_device *dev, struct rdbd_backing *ldev)
{
	struct rdbd_bitmap *bm = &ldev->bm;
	bool flush = false;
	unsigned int i;
	int err = 0;

	mutex_lock(&bm->io_mutex);
	for (i = 0; i < bm->nblocks && !err; i++)
		err = rdbd_bm_write_block(dev, ldev, i, &flush);
	mutex_unlock(&bm->io_mutex);
	if (err) {
		pr_err("rdbd%u: writing the bitmap to %s failed: %s (%d)\n",
		       dev->minor, ldev->path, rdbd_strerror(err), err);
		rdbd_set_last_error(dev, "writing the bitmap to %s failed: %s",
				    ldev->path, rdbd_strerror(err));
		rdbd_ioerr_md(dev, ldev);
	}
	return err;
}

/* rdbd_bm_write() from a context that does not hold the disk. */
int rdbd_bm_write_pinned(struct rdbd_device *dev)
{
	struct rdbd_backing *ldev = rdbd_io_get_backing(dev);
	int err;

	if (!ldev)
		return 0;
	err = rdbd_bm_write(dev, ldev);
	rdbd_io_put_backing(dev, REQ_OP_READ, 0, BLK_STS_OK);
	return err;
}
