// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O path.  /dev/rdbdN is bio-based: every bio is cloned onto the
 * backing disk unchanged (the data area starts at sector 0, so there is no
 * remapping) and the clone's status completes the original.  Flags such as
 * REQ_PREFLUSH and REQ_FUA, and operations such as DISCARD and
 * WRITE_ZEROES, travel with the clone; the queue limits stacked at attach
 * decide which of them reach rdbd at all.
 *
 * Detach must not release the backing disk under a clone, so every clone
 * counts as in flight from before it is allocated until after it
 * completed.  Both the count and dev->ldev live under dev->req_lock:
 * submit checks ldev and counts in one critical section, and detach clears
 * ldev and then waits for the count to reach zero.
 */
#include "rdbd_int.h"

/* A clone and what its completion needs; the bio_set puts it in front. */
struct rdbd_io {
	struct rdbd_device *dev;
	struct bio *orig;
	unsigned long start_time;	/* for the I/O statistics of rdbdN */
	struct bio clone;		/* last: bio_set front_pad */
};

int rdbd_io_init(struct rdbd_device *dev)
{
	return bioset_init(&dev->bio_set, BIO_POOL_SIZE,
			   offsetof(struct rdbd_io, clone), 0);
}

void rdbd_io_exit(struct rdbd_device *dev)
{
	bioset_exit(&dev->bio_set);
}

/* The backing disk with one more clone in flight, or NULL if Diskless. */
static struct rdbd_backing *rdbd_io_get_backing(struct rdbd_device *dev)
{
	struct rdbd_backing *ldev;

	spin_lock_irq(&dev->req_lock);
	ldev = dev->ldev;
	if (ldev)
		dev->io_inflight++;
	spin_unlock_irq(&dev->req_lock);
	return ldev;
}

/* Called from completion (interrupt) context: must not sleep. */
static void rdbd_io_put_backing(struct rdbd_device *dev, enum req_op op,
				unsigned int sectors, blk_status_t status)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->req_lock, flags);
	if (status == BLK_STS_OK) {
		if (op == REQ_OP_READ)
			dev->read_sectors += sectors;
		else if (op == REQ_OP_WRITE)
			dev->written_sectors += sectors;
	}
	/*
	 * Wake detach inside req_lock: it re-checks io_inflight under the
	 * same lock, so it cannot go on and free @dev before this is done.
	 */
	if (!--dev->io_inflight)
		wake_up(&dev->io_wait);
	spin_unlock_irqrestore(&dev->req_lock, flags);
}

static void rdbd_io_endio(struct bio *clone)
{
	struct rdbd_io *io = container_of(clone, struct rdbd_io, clone);
	struct rdbd_device *dev = io->dev;
	struct bio *orig = io->orig;
	unsigned long start_time = io->start_time;
	blk_status_t status = clone->bi_status;
	enum req_op op = bio_op(orig);
	unsigned int sectors = bio_sectors(orig);

	bio_put(clone);			/* frees io too */
	bio_end_io_acct(orig, start_time);
	orig->bi_status = status;
	bio_endio(orig);
	rdbd_io_put_backing(dev, op, sectors, status);
}

void rdbd_submit_bio(struct bio *bio)
{
	struct rdbd_device *dev = bio->bi_bdev->bd_disk->private_data;
	struct rdbd_backing *ldev;
	struct rdbd_io *io;
	struct bio *clone;

	ldev = rdbd_io_get_backing(dev);
	if (!ldev) {
		bio_io_error(bio);	/* Diskless: there is no data */
		return;
	}
	/*
	 * GFP_NOIO: this may be writeback on behalf of memory reclaim, which
	 * must not recurse into the block layer.  The bio_set's mempool
	 * makes the allocation wait for an earlier clone instead of failing;
	 * only an integrity payload allocation can still fail.
	 */
	clone = bio_alloc_clone(ldev->bdev, bio, GFP_NOIO, &dev->bio_set);
	if (!clone) {
		rdbd_io_put_backing(dev, bio_op(bio), 0, BLK_STS_RESOURCE);
		bio->bi_status = BLK_STS_RESOURCE;
		bio_endio(bio);
		return;
	}
	io = container_of(clone, struct rdbd_io, clone);
	io->dev = dev;
	io->orig = bio;
	io->start_time = bio_start_io_acct(bio);
	clone->bi_end_io = rdbd_io_endio;
	submit_bio_noacct(clone);
}

/* Make @ldev the disk I/O goes to.  Caller holds state_mutex. */
void rdbd_io_attach(struct rdbd_device *dev, struct rdbd_backing *ldev,
		    enum rdbd_disk_state disk_state)
{
	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	dev->ldev = ldev;
	dev->disk_state = disk_state;
	spin_unlock_irq(&dev->req_lock);
}

/**
 * rdbd_io_detach - stop I/O to the backing disk
 * @dev: the device (state_mutex held)
 *
 * New bios fail from now on (Diskless); waits until every clone already
 * on the backing disk has completed.
 * Returns the backing disk, which the caller now owns.
 */
struct rdbd_backing *rdbd_io_detach(struct rdbd_device *dev)
{
	struct rdbd_backing *ldev;

	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	ldev = dev->ldev;
	dev->ldev = NULL;
	dev->disk_state = RDBD_DISK_DISKLESS;
	wait_event_lock_irq(dev->io_wait, !dev->io_inflight, dev->req_lock);
	spin_unlock_irq(&dev->req_lock);
	return ldev;
}
