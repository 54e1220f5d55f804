// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O path of /dev/rdbdN (bio-based).  Every bio is cloned onto the
 * backing disk unchanged (the data area starts at sector 0, so there is
 * no remapping).  Flags such as REQ_PREFLUSH and REQ_FUA, and operations
 * such as DISCARD and WRITE_ZEROES, travel with the clone.  Reads are
 * served locally.
 *
 * On a connected Primary every write (flushes, discards and write-zeroes
 * included) is also queued for the peer as a DATA packet, right after its
 * local clone was submitted; the connection's sender thread sends it
 * (tl.c, sender.c).  The original bio completes when every part is done:
 *   local  the clone completed (its status is the bio's status);
 *   net    protocol A: the packet is in the socket; B: RECV_ACK;
 *          C: WRITE_ACK; or the connection was lost (the peer missed the
 *          write, its blocks are marked, and the UUID rotation on
 *          connection loss records that).
 * A peer that dies never fails or holds up application I/O beyond its
 * detection: teardown completes every net part.  The write stays on
 * record after it completed, until the peer says it is durable there
 * (req.h, epoch.c).
 *
 * Ordering.  A write (or resync chunk, sync.c) owns its range while in
 * flight: it is on dev->active, and a write overlapping one there waits
 * in submit_bio until that one is fully done (local + peer).  The writer
 * sleeps in submit_bio, which is allowed, and safe because an earlier
 * write's clone was already dispatched when its submit_bio returned (rdbd
 * is the top of its stack: nothing batches several rdbd bios in one
 * ->submit_bio call).  Writes reach the sender's queue in the order they
 * own their ranges, so overlapping writes reach the peer in order.
 *
 * Detach must not release the backing disk under a clone, so every clone
 * counts as in flight (io_inflight, req_lock) from before it is allocated
 * until its rdbd_io is freed.
 *
 * Flushes with nothing to flush.  An empty flush (REQ_PREFLUSH, no data)
 * must make every write that completed before it durable, on this disk
 * and, under protocol C, on the peer's.  A write with REQ_FUA is durable
 * on both by the time it completes (the peer writes it with FUA too, and
 * protocol C waits for that), so when every write completed since the
 * last completed flush was such a write, the flush has nothing to do and
 * completes at once, locally and without a round trip to the peer.  This
 * is the pattern of O_SYNC and O_DSYNC writes to a block device: a FUA
 * write, then an empty flush (blkdev_write_iter()).
 *
 * Two counters (req_lock) say whether a flush has work: volatile_seq moves
 * on when a write that is not durable by itself completes, and on every
 * role or connection state change (resync writes on the peer are not
 * FUA, and a new Primary has not seen what the old one wrote); a flush
 * records the volatile_seq it covers when it is issued, and once it
 * completed without error, flushed_seq takes that value.  A flush is
 * skipped only if flushed_seq == volatile_seq: then a completed flush
 * covers everything.  A flush still in flight covers nothing yet, so a
 * second flush arriving meanwhile is issued too.  Flushes are never
 * skipped mid-resync.
 */
#include "req.h"

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
struct rdbd_backing *rdbd_io_get_backing(struct rdbd_device *dev)
{
	struct rdbd_backing *ldev;

	spin_lock_irq(&dev->req_lock);
	ldev = dev->ldev;
	if (ldev)
		dev->io_inflight++;
	spin_unlock_irq(&dev->req_lock);
	return ldev;
}

/* Called from completion (interrupt) context too: must not sleep. */
void rdbd_io_put_backing(struct rdbd_device *dev, enum req_op op,
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

/* Count I/O done on the device's behalf outside a clone (resync reads). */
void rdbd_io_count(struct rdbd_device *dev, enum req_op op,
		   unsigned int sectors)
{
	spin_lock_irq(&dev->req_lock);
	if (op == REQ_OP_READ)
		dev->read_sectors += sectors;
	else
		dev->written_sectors += sectors;
	spin_unlock_irq(&dev->req_lock);
}

/* ---- intervals: who owns which range ---- */

bool rdbd_iv_overlaps(const struct rdbd_interval *a,
		      const struct rdbd_interval *b)
{
	return a->sector < b->sector + (b->size >> SECTOR_SHIFT) &&
	       b->sector < a->sector + (a->size >> SECTOR_SHIFT);
}

/* Does @iv overlap any interval on @list?  Caller holds req_lock. */
bool rdbd_iv_conflicts(struct rdbd_device *dev, struct list_head *list,
		       const struct rdbd_interval *iv)
{
	struct rdbd_interval *other;

	lockdep_assert_held(&dev->req_lock);
	list_for_each_entry(other, list, list)
		if (rdbd_iv_overlaps(iv, other))
			return true;
	return false;
}

/*
 * Wait until nothing on dev->active overlaps @iv, then put it there.
 * Caller holds req_lock (irq off); it is dropped while waiting.
 * Empty intervals (flushes) own nothing and never wait.
 */
void rdbd_iv_acquire(struct rdbd_device *dev, struct rdbd_interval *iv)
{
	lockdep_assert_held(&dev->req_lock);
	INIT_LIST_HEAD(&iv->list);
	if (!iv->size)
		return;
	wait_event_lock_irq(dev->active_wait,
			    !rdbd_iv_conflicts(dev, &dev->active, iv),
			    dev->req_lock);
	list_add_tail(&iv->list, &dev->active);
}

/* Caller holds req_lock. */
void rdbd_iv_release(struct rdbd_device *dev, struct rdbd_interval *iv)
{
	lockdep_assert_held(&dev->req_lock);
	if (list_empty(&iv->list))
		return;
	list_del_init(&iv->list);
	wake_up_all(&dev->active_wait);
}

/* ---- completion ---- */

/* An empty flush: REQ_PREFLUSH without data.  NULL: no. */
static bool rdbd_io_is_empty_flush(struct bio *bio)
{
	return bio && bio_op(bio) == REQ_OP_WRITE && !bio_has_data(bio) &&
	       (bio->bi_opf & REQ_PREFLUSH);
}

/* The write is done and off the record: let go of everything it held. */
void rdbd_io_free(struct rdbd_io *io)
{
	struct rdbd_device *dev = io->dev;
	struct rdbd_backing *ldev = io->ldev;
	enum req_op op = io->op;
	unsigned int sectors = io->sectors;
	blk_status_t status = io->status;

	if (ldev)
		rdbd_al_complete_io(dev, ldev, io->al_slots);
	bio_put(&io->clone);		/* frees io too */
	rdbd_io_put_backing(dev, op, sectors, status);
}

/*
 * Every part of @io is done (rdbd_io_put_part() said so): complete the
 * original bio, and free @io unless the peer still has it on record.
 * Any context; not under req_lock.
 */
void rdbd_io_finish(struct rdbd_io *io)
{
	struct rdbd_device *dev = io->dev;
	struct bio *orig = io->orig;
	blk_status_t status = io->status;
	unsigned long flags;
	bool free;

	if (io->local_failed && !io->net_ok)
		status = BLK_STS_IOERR;	/* no copy anywhere */
	bio_end_io_acct(orig, io->start_time);
	orig->bi_status = status;
	rdbd_fence_endio(dev, orig);	/* held while fencing freezes I/O */
	spin_lock_irqsave(&dev->req_lock, flags);
	io->orig = NULL;
	io->status = status;
	io->completed = true;
	free = !io->on_tl;
	spin_unlock_irqrestore(&dev->req_lock, flags);
	if (free)
		rdbd_io_free(io);
}

/*
 * One part of @io is done; true if it was the last (the caller then
 * calls rdbd_io_finish() once it dropped req_lock).  A write that leaves
 * something volatile gives the next flush work before anyone sees it
 * complete, and a flush that worked covers what it was issued for (see
 * "Flushes with nothing to flush").
 */
bool rdbd_io_put_part(struct rdbd_io *io)
{
	struct rdbd_device *dev = io->dev;

	lockdep_assert_held(&dev->req_lock);
	if (--io->parts)
		return false;
	if (op_is_write(io->op) && (!io->durable || io->status))
		rdbd_mark_volatile(dev);
	else if (rdbd_io_is_empty_flush(io->orig) && !io->status &&
		 !(io->local_failed && !io->net_ok))
		dev->flushed_seq = max(dev->flushed_seq, io->flush_covers);
	rdbd_iv_release(dev, &io->iv);
	return true;
}

/*
 * A read whose clone failed under on-io-error detach: the peer serves
 * it (remote_read.c), or it fails.  The clone's part is over.
 */
static void rdbd_io_read_from_peer(struct rdbd_io *io)
{
	struct rdbd_device *dev = io->dev;
	struct bio *orig = io->orig;
	unsigned long start_time = io->start_time;

	bio_put(&io->clone);		/* frees io too */
	rdbd_io_put_backing(dev, REQ_OP_READ, 0, BLK_STS_IOERR);
	if (!rdbd_rread_submit(dev, orig, start_time)) {
		bio_end_io_acct(orig, start_time);
		bio_io_error(orig);
	}
}

static void rdbd_io_endio(struct bio *clone)
{
	struct rdbd_io *io = container_of(clone, struct rdbd_io, clone);
	struct rdbd_device *dev = io->dev;
	blk_status_t status = clone->bi_status;
	struct bio *orig = io->orig;
	unsigned long flags;
	bool done;

	/* orig's bi_iter is untouched; the clone's may have moved */
	if (status && rdbd_ioerr_local(dev, io->ldev, bio_op(orig),
				       orig->bi_iter.bi_sector,
				       orig->bi_iter.bi_size)) {
		if (!op_is_write(bio_op(orig))) {
			rdbd_io_read_from_peer(io);
			return;
		}
		io->local_failed = true;
		status = BLK_STS_OK;
	}
	spin_lock_irqsave(&dev->req_lock, flags);
	io->status = status;
	/* pass_on: marked even if the peer's ack cleared it meanwhile */
	if (status && op_is_write(bio_op(orig)))
		rdbd_bm_set_range(dev, io->ldev, io->iv.sector, io->iv.size);
	done = rdbd_io_put_part(io);
	spin_unlock_irqrestore(&dev->req_lock, flags);
	if (done)
		rdbd_io_finish(io);
}

/* ---- submit_bio ---- */

static bool rdbd_io_is_write(struct bio *bio)
{
	return op_is_write(bio_op(bio));
}

/*
 * Is @bio an empty flush with no work (see "Flushes with nothing to flush"
 * above)?  If it is a flush with work, *@covers is what it will cover
 * once it completed: it is issued right after this.
 */
static bool rdbd_flush_is_noop(struct rdbd_device *dev, struct bio *bio,
			       u64 *covers)
{
	bool noop;

	if (!rdbd_io_is_empty_flush(bio))
		return false;
	spin_lock_irq(&dev->req_lock);
	noop = dev->flushed_seq == dev->volatile_seq &&
	       dev->conn.cstate <= RDBD_CONN_CONNECTED;
	*covers = dev->volatile_seq;
	spin_unlock_irq(&dev->req_lock);
	return noop;
}

/*
 * Will the write in @io leave nothing volatile behind on the disks that
 * get it?  An empty flush writes nothing.  req_lock.
 */
static bool rdbd_io_durable(struct rdbd_device *dev, struct rdbd_io *io,
			    bool net)
{
	if (rdbd_io_is_empty_flush(io->orig))
		return true;
	return (io->orig->bi_opf & REQ_FUA) &&
	       (!net || dev->conn.net_conf.protocol == RDBD_PROT_C);
}

/*
 * Register a write: own its range, and decide (atomically with the
 * connection state, so teardown sees every replicated write on conn.tl)
 * whether the peer gets it.  A write the peer does not get marks its
 * blocks in the dirty bitmap, in the same critical section.
 *
 * While the handshake decides (WFReportParams) writes wait: the bitmaps
 * are being exchanged, and a block marked after ours was sent would be
 * missed by the sync.  The handshake is bounded (handshake.c), and only
 * starts once the peer authenticated.
 */
static bool rdbd_io_register(struct rdbd_device *dev, struct rdbd_io *io)
{
	struct bio *bio = io->orig;
	bool net;

	io->iv.sector = bio->bi_iter.bi_sector;
	io->iv.size = bio_op(bio) == REQ_OP_WRITE && !bio_has_data(bio) ?
		      0 : bio->bi_iter.bi_size;
	spin_lock_irq(&dev->req_lock);
	wait_event_lock_irq(dev->conn.state_wait,
			    dev->conn.cstate != RDBD_CONN_WF_REPORT_PARAMS,
			    dev->req_lock);
	rdbd_iv_acquire(dev, &io->iv);
	dev->app_writes++;		/* the resync controller yields */
	/* a peer whose disk failed gets nothing: the bitmap records it */
	net = dev->conn.cstate >= RDBD_CONN_CONNECTED &&
	      dev->role == RDBD_ROLE_PRIMARY &&
	      dev->conn.peer_disk_state >= RDBD_DISK_INCONSISTENT;
	io->durable = rdbd_io_durable(dev, io, net);
	if (net)
		rdbd_tl_add(dev, io);
	else if (bio_op(bio) != REQ_OP_READ && io->ldev)
		/* discards and write-zeroes change data too */
		rdbd_bm_set_range(dev, io->ldev, bio->bi_iter.bi_sector,
				  bio->bi_iter.bi_size);
	spin_unlock_irq(&dev->req_lock);
	return net;
}

static struct rdbd_io *rdbd_io_setup(struct rdbd_device *dev,
				     struct rdbd_backing *ldev,
				     struct bio *bio, struct bio *clone)
{
	struct rdbd_io *io = container_of(clone, struct rdbd_io, clone);

	io->dev = dev;
	io->ldev = ldev;
	io->orig = bio;
	io->op = bio_op(bio);
	io->sectors = bio_sectors(bio);
	io->parts = 0;
	io->status = BLK_STS_OK;
	io->durable = false;
	io->flush_covers = 0;
	io->local_failed = false;
	io->net_ok = false;
	io->completed = false;
	io->awaiting_ack = false;
	io->on_tl = false;
	io->sent = false;
	io->epoch = 0;
	INIT_LIST_HEAD(&io->iv.list);
	INIT_LIST_HEAD(&io->tl);
	io->al_slots[0] = io->al_slots[1] = RDBD_AL_NO_SLOT;
	return io;
}

/* A write of a Diskless Primary: to the peer only (see ioerr.c). */
static void rdbd_io_write_diskless(struct rdbd_device *dev, struct bio *bio)
{
	struct rdbd_io *io;
	struct bio *clone;
	bool done;

	/* Never submitted: the clone only carries the rdbd_io. */
	clone = bio_alloc_clone(bio->bi_bdev, bio, GFP_NOIO, &dev->bio_set);
	if (!clone) {
		bio->bi_status = BLK_STS_RESOURCE;
		bio_endio(bio);
		return;
	}
	io = rdbd_io_setup(dev, NULL, bio, clone);
	io->local_failed = true;
	io->parts = 1;			/* ours, until it is queued */
	spin_lock_irq(&dev->req_lock);
	dev->io_inflight++;		/* rdbd_io_free() drops it */
	spin_unlock_irq(&dev->req_lock);
	io->start_time = bio_start_io_acct(bio);
	if (rdbd_io_register(dev, io))
		rdbd_tl_send(io);
	/* Without a peer that takes it there is no copy to write to. */
	spin_lock_irq(&dev->req_lock);
	done = rdbd_io_put_part(io);
	spin_unlock_irq(&dev->req_lock);
	if (done)
		rdbd_io_finish(io);
}

/*
 * Diskless: only a Primary whose disk failed (ioerr.c) has I/O to do.
 * Reads go to the peer, writes to the peer only; without a peer that can
 * take them they fail.
 */
static void rdbd_io_submit_diskless(struct rdbd_device *dev, struct bio *bio)
{
	unsigned long start_time;

	if (READ_ONCE(dev->role) != RDBD_ROLE_PRIMARY) {
		bio_io_error(bio);
		return;
	}
	if (rdbd_io_is_write(bio)) {
		rdbd_io_write_diskless(dev, bio);
		return;
	}
	start_time = bio_start_io_acct(bio);
	if (!rdbd_rread_submit(dev, bio, start_time)) {
		bio_end_io_acct(bio, start_time);
		bio_io_error(bio);
	}
}

void rdbd_submit_bio(struct bio *bio)
{
	struct rdbd_device *dev = bio->bi_bdev->bd_disk->private_data;
	struct rdbd_backing *ldev;
	struct rdbd_io *io;
	struct bio *clone;
	u64 flush_covers = 0;
	bool net = false;

	/* DATA carries at most RDBD_WIRE_MAX_DATA: see the queue limits */
	bio = bio_split_to_limits(bio);
	if (!bio || !rdbd_fence_wait_io(dev, bio))
		return;
	ldev = rdbd_io_get_backing(dev);
	if (ldev && bio_op(bio) == REQ_OP_READ &&
	    rdbd_ioerr_read_from_peer(dev)) {
		/* a reattached disk, not yet resynced (ioerr.c) */
		rdbd_io_put_backing(dev, REQ_OP_READ, 0, BLK_STS_OK);
		ldev = NULL;
	}
	if (!ldev) {
		rdbd_io_submit_diskless(dev, bio);
		return;
	}
	if (rdbd_flush_is_noop(dev, bio, &flush_covers)) {
		rdbd_io_put_backing(dev, REQ_OP_FLUSH, 0, BLK_STS_OK);
		bio_endio(bio);
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
	io = rdbd_io_setup(dev, ldev, bio, clone);
	io->parts = 1;
	io->flush_covers = flush_covers;
	if (rdbd_io_is_write(bio)) {
		/* before owning the range: see al.c */
		rdbd_al_begin_io(dev, ldev, bio->bi_iter.bi_sector,
				 bio_has_data(bio) || bio_op(bio) !=
				 REQ_OP_WRITE ? bio->bi_iter.bi_size : 0,
				 io->al_slots);
		net = rdbd_io_register(dev, io);
	}
	io->start_time = bio_start_io_acct(bio);
	clone->bi_end_io = rdbd_io_endio;
	/*
	 * A disk being resynced in place (ioerr.c): the peer gets the write
	 * before our disk may have it, see rdbd_sync_note_peer_write().
	 */
	if (net && rdbd_ioerr_read_from_peer(dev)) {
		rdbd_tl_send(io);
		net = false;
	}
	submit_bio_noacct(clone);
	if (net)
		rdbd_tl_send(io);
}

/* Make @ldev the disk I/O goes to.  Caller holds state_mutex. */
void rdbd_io_attach(struct rdbd_device *dev, struct rdbd_backing *ldev,
		    enum rdbd_disk_state disk_state)
{
	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	dev->ldev = ldev;
	dev->disk_state = disk_state;
	rdbd_mark_volatile(dev);	/* nothing known about its cache */
	spin_unlock_irq(&dev->req_lock);
}

/**
 * rdbd_io_stop - send no new I/O to the backing disk
 * @dev: the device (state_mutex held)
 * @disk_state: what the disk is now (Diskless, or Failed until drained)
 *
 * From now on new bios find no disk (Diskless, see ioerr.c); the clones
 * already on it, and every other holder of rdbd_io_get_backing(), still
 * use it until rdbd_io_drain() says they are done.
 * Returns the backing disk, which the caller now owns.
 */
struct rdbd_backing *rdbd_io_stop(struct rdbd_device *dev,
				  enum rdbd_disk_state disk_state)
{
	struct rdbd_backing *ldev;

	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	ldev = dev->ldev;
	dev->ldev = NULL;
	dev->disk_state = disk_state;
	spin_unlock_irq(&dev->req_lock);
	return ldev;
}

/**
 * rdbd_io_drain - wait until nothing holds the stopped disk
 * @dev: the device, stopped (rdbd_io_stop())
 *
 * Called without state_mutex wherever a holder may need it to let go:
 * a writer parked during a handshake, the handshake itself, the sync and
 * verify threads (their last step takes state_mutex) and the receive
 * loop.  Holding it here would wait for them for ever.
 */
void rdbd_io_drain(struct rdbd_device *dev)
{
	spin_lock_irq(&dev->req_lock);
	wait_event_lock_irq(dev->io_wait, !dev->io_inflight, dev->req_lock);
	spin_unlock_irq(&dev->req_lock);
}

/**
 * rdbd_io_detach - stop I/O to the backing disk and wait for it
 * @dev: the device (state_mutex held), disconnected and not open, so
 *	 nothing that holds the disk waits for state_mutex (DETACH, down)
 *
 * New bios fail from now on (Diskless); waits until every clone already
 * on the backing disk has completed.
 * Returns the backing disk, which the caller now owns.
 */
struct rdbd_backing *rdbd_io_detach(struct rdbd_device *dev)
{
	struct rdbd_backing *ldev = rdbd_io_stop(dev, RDBD_DISK_DISKLESS);

	rdbd_io_drain(dev);
	return ldev;
}
