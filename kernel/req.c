// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O path of /dev/rdbdN (bio-based).  Every bio is cloned onto the
 * backing disk unchanged (the data area starts at sector 0, so there is
 * no remapping).  Flags such as REQ_PREFLUSH and REQ_FUA, and operations
 * such as DISCARD and WRITE_ZEROES, travel with the clone.  Reads are
 * served locally.
 *
 * On a connected Primary every write (flushes, discards and write-zeroes
 * included) is also sent to the peer as a DATA packet, by the writer
 * itself, right after its local clone was submitted.  The original bio
 * completes when both parts are done:
 *   local  the clone completed (its status is the bio's status);
 *   net    protocol A: the packet is in the socket; B: RECV_ACK;
 *          C: WRITE_ACK; or the connection was lost (the peer missed the
 *          write, and the UUID rotation on connection loss records that).
 * A peer that dies never fails or holds up application I/O beyond its
 * detection: teardown completes every net part.
 *
 * Ordering.  A write (or resync chunk, sync.c) owns its range while in
 * flight: it is on dev->active, and a write overlapping one there waits
 * in submit_bio until that one is fully done (local + peer).  The writer
 * sleeps in submit_bio, which is allowed, and safe because an earlier
 * write's clone was already dispatched when its submit_bio returned (rdbd
 * is the top of its stack: nothing batches several rdbd bios in one
 * ->submit_bio call).
 *
 * Detach must not release the backing disk under a clone, so every clone
 * counts as in flight (io_inflight, req_lock) from before it is allocated
 * until after it completed.
 *
 * Flushes with nothing to flush.  An empty flush (REQ_PREFLUSH, no data)
 * must make every write that completed before it durable, on this disk
 * and, under protocol C, on the peer's.  A write with REQ_FUA is durable
 * on both by the time it completes (the peer writes it with FUA too, and
 * protocol C waits for that), so when every write completed since the last
 * flush was such a write, the flush has nothing to do and completes at
 * once, locally and without a round trip to the peer.  This is the
 * pattern of O_SYNC and O_DSYNC writes to a block device: a FUA write,
 * then an empty flush (blkdev_write_iter()).
 *
 * dev->volatile_writes means "a flush has work".  It is set when a write
 * that is not durable by itself completes, not when it is submitted, and
 * cleared when a flush is issued: a write completing after the clear sets
 * it again, one completing before it is covered by that flush.  A failed
 * flush sets it again, and so does every role or connection state change
 * (resync writes on the peer are not FUA, and a new Primary has not seen
 * what the old one wrote), and flushes are never skipped mid-resync.
 */
#include "rdbd_int.h"

/* A clone and what its completion needs; the bio_set puts it in front. */
struct rdbd_io {
	struct rdbd_device *dev;
	struct rdbd_backing *ldev;	/* pinned until rdbd_io_finish() */
	struct bio *orig;
	unsigned long start_time;	/* for the I/O statistics of rdbdN */
	struct rdbd_interval iv;	/* writes: on dev->active, req_lock */
	struct list_head pending;	/* on conn.pending while net, req_lock */
	u64 block_id;			/* DATA cookie */
	int al_slots[2];		/* activity-log slots held, al.c */
	unsigned int parts;		/* req_lock: local and net not done */
	bool net;			/* req_lock: the net part is not done */
	blk_status_t status;		/* of the local clone */
	bool durable;			/* a write durable on completion */
	/* no good local copy (on-io-error detach, ioerr.c): the bio's
	 * status is the net part's outcome, net_ok (req_lock) */
	bool local_failed;
	bool net_ok;
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

static void rdbd_io_finish(struct rdbd_io *io)
{
	struct rdbd_device *dev = io->dev;
	struct bio *orig = io->orig;
	unsigned long start_time = io->start_time;
	blk_status_t status = io->status;
	enum req_op op = bio_op(orig);
	unsigned int sectors = bio_sectors(orig);

	if (io->local_failed && !io->net_ok)
		status = BLK_STS_IOERR;	/* no copy anywhere */
	if (io->ldev)
		rdbd_al_complete_io(dev, io->ldev, io->al_slots);
	bio_put(&io->clone);		/* frees io too */
	bio_end_io_acct(orig, start_time);
	orig->bi_status = status;
	bio_endio(orig);
	rdbd_io_put_backing(dev, op, sectors, status);
}

/*
 * One part of @io is done; the last one completes the bio.  req_lock.
 * A write that leaves something volatile gives the next flush work
 * before anyone sees it complete (see "Flushes with nothing to flush").
 */
static bool rdbd_io_put_part(struct rdbd_io *io)
{
	lockdep_assert_held(&io->dev->req_lock);
	if (--io->parts)
		return false;
	if (op_is_write(bio_op(io->orig)) && (!io->durable || io->status))
		io->dev->volatile_writes = true;
	rdbd_iv_release(io->dev, &io->iv);
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

/*
 * The net part is done: @how says how.  RDBD_NET_ON_DISK: the peer wrote
 * it (protocol C), so the blocks it covers are in sync again;
 * RDBD_NET_LOST: the peer may not have it, so they are out of sync;
 * RDBD_NET_SENT: sent or received only (A, B), nothing known.
 * Idempotent.
 */
enum rdbd_net_outcome { RDBD_NET_SENT, RDBD_NET_ON_DISK, RDBD_NET_LOST };

static void rdbd_io_net_done(struct rdbd_io *io, enum rdbd_net_outcome how)
{
	struct rdbd_device *dev = io->dev;
	bool done = false;

	spin_lock_irq(&dev->req_lock);
	if (io->net) {
		io->net = false;
		io->net_ok = how != RDBD_NET_LOST;
		list_del_init(&io->pending);
		if (!io->ldev)
			;		/* Diskless: no bitmap here */
		else if (how == RDBD_NET_ON_DISK && io->status)
			;		/* failed here, marked (pass_on) */
		else if (how == RDBD_NET_ON_DISK)
			rdbd_bm_clear_range(dev, io->ldev, io->iv.sector,
					    io->iv.size);
		else if (how == RDBD_NET_LOST)
			rdbd_bm_set_range(dev, io->ldev, io->iv.sector,
					  io->iv.size);
		done = rdbd_io_put_part(io);
	}
	spin_unlock_irq(&dev->req_lock);
	if (done)
		rdbd_io_finish(io);
}

/* ---- sending to the peer ---- */

static u32 rdbd_io_dp_flags(struct bio *bio)
{
	u32 flags = 0;

	if (bio->bi_opf & REQ_PREFLUSH)
		flags |= RDBD_DP_FLUSH;
	if (bio->bi_opf & REQ_FUA)
		flags |= RDBD_DP_FUA;
	if (bio_op(bio) == REQ_OP_DISCARD)
		flags |= RDBD_DP_DISCARD;
	else if (bio_op(bio) == REQ_OP_WRITE_ZEROES)
		flags |= RDBD_DP_WRITE_ZEROES;
	return flags;
}

static void rdbd_io_send(struct rdbd_io *io)
{
	struct rdbd_device *dev = io->dev;
	struct bio *bio = io->orig;
	u8 protocol = dev->conn.net_conf.protocol;
	bool payload = bio_op(bio) == REQ_OP_WRITE && bio_has_data(bio);
	struct rdbd_p_data p = {
		.sector = cpu_to_be64(bio->bi_iter.bi_sector),
		.block_id = cpu_to_be64(io->block_id),
		.size = cpu_to_be32(bio->bi_iter.bi_size),
		.dp_flags = cpu_to_be32(rdbd_io_dp_flags(bio)),
	};
	int err;

	err = rdbd_send_data(dev, RDBD_P_DATA, &p, payload ? bio : NULL,
			     protocol == RDBD_PROT_C);
	if (!err && payload) {
		spin_lock_irq(&dev->req_lock);
		dev->conn.net_sent_sectors += bio_sectors(bio);
		spin_unlock_irq(&dev->req_lock);
	}
	/* A failed send: the connection thread notices and tears down. */
	if (err)
		rdbd_io_net_done(io, RDBD_NET_LOST);
	else if (protocol == RDBD_PROT_A)
		rdbd_io_net_done(io, RDBD_NET_SENT);
}

/* The peer acked DATA (receive loop). */
int rdbd_got_ack(struct rdbd_device *dev, u16 cmd, const struct rdbd_p_ack *p)
{
	u64 id = be64_to_cpu(p->block_id);
	struct rdbd_io *io, *found = NULL;

	spin_lock_irq(&dev->req_lock);
	list_for_each_entry(io, &dev->conn.pending, pending) {
		if (io->block_id == id) {
			found = io;
			break;
		}
	}
	spin_unlock_irq(&dev->req_lock);
	if (!found) {
		/* Protocol A has nothing pending but may see a NEG_ACK. */
		if (cmd != RDBD_P_NEG_ACK)
			return 0;
	} else {
		rdbd_io_net_done(found, cmd == RDBD_P_WRITE_ACK ?
				 RDBD_NET_ON_DISK : cmd == RDBD_P_NEG_ACK ?
				 RDBD_NET_LOST : RDBD_NET_SENT);
	}
	/* A peer whose disk failed said so first (ioerr.c): no drop. */
	if (cmd == RDBD_P_NEG_ACK &&
	    READ_ONCE(dev->conn.peer_disk_state) >= RDBD_DISK_INCONSISTENT) {
		rdbd_conn_error(dev, "peer failed to write %u bytes at sector %llu; it needs a full resync, dropping connection",
				be32_to_cpu(p->size), be64_to_cpu(p->sector));
		return -EIO;
	}
	return 0;
}

/*
 * Protocols A and B complete a write before the peer's disk has it, and
 * keep no record of it afterwards: after a connection loss any block may
 * be missing there.  Mark them all (a full resync) rather than guess.
 * Caller: the connection thread, after the socket became unusable.
 */
static void rdbd_repl_mark_unconfirmed(struct rdbd_device *dev)
{
	struct rdbd_backing *ldev;

	if (dev->conn.net_conf.protocol == RDBD_PROT_C ||
	    READ_ONCE(dev->role) != RDBD_ROLE_PRIMARY)
		return;
	ldev = rdbd_io_get_backing(dev);
	if (!ldev)
		return;
	pr_notice("rdbd%u: connection lost under protocol %c: the peer may lack any recent write; marking every block out of sync\n",
		  dev->minor, 'A' + dev->conn.net_conf.protocol - 1);
	rdbd_bm_set_all(dev, ldev);
	rdbd_io_put_backing(dev, REQ_OP_READ, 0, BLK_STS_OK);
}

/*
 * Connection lost (connection thread, socket already unusable): every
 * write still waiting for the peer is done as far as the peer goes, and
 * its blocks are marked out of sync.
 */
void rdbd_repl_conn_lost(struct rdbd_device *dev)
{
	struct rdbd_io *io;

	for (;;) {
		spin_lock_irq(&dev->req_lock);
		io = list_first_entry_or_null(&dev->conn.pending,
					      struct rdbd_io, pending);
		spin_unlock_irq(&dev->req_lock);
		if (!io)
			break;
		rdbd_io_net_done(io, RDBD_NET_LOST);
	}
	rdbd_repl_mark_unconfirmed(dev);
	rdbd_peer_reqs_drain(dev);
	rdbd_rread_conn_lost(dev);
}

/* ---- submit_bio ---- */

static bool rdbd_io_is_write(struct bio *bio)
{
	return op_is_write(bio_op(bio));
}

static bool rdbd_io_is_empty_flush(struct bio *bio)
{
	return bio_op(bio) == REQ_OP_WRITE && !bio_has_data(bio) &&
	       (bio->bi_opf & REQ_PREFLUSH);
}

/*
 * Is @bio an empty flush with no work (see "Flushes with nothing to flush"
 * above)?  If it is a flush with work, it is issued right after this and
 * covers every write completed so far.
 */
static bool rdbd_flush_is_noop(struct rdbd_device *dev, struct bio *bio)
{
	bool noop;

	if (!rdbd_io_is_empty_flush(bio))
		return false;
	spin_lock_irq(&dev->req_lock);
	noop = !dev->volatile_writes &&
	       dev->conn.cstate <= RDBD_CONN_CONNECTED;
	dev->volatile_writes = false;
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
 * connection state, so teardown sees every replicated write on
 * conn.pending) whether the peer gets it.  A write the peer does not get
 * marks its blocks in the dirty bitmap, in the same critical section.
 *
 * While the handshake decides (WFReportParams) writes wait: the bitmaps
 * are being exchanged, and a block marked after ours was sent would be
 * missed by the sync.  The handshake is bounded by connect-int.
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
	io->net = net;
	io->durable = rdbd_io_durable(dev, io, net);
	if (net) {
		io->parts++;
		io->block_id = ++dev->conn.next_block_id;
		list_add_tail(&io->pending, &dev->conn.pending);
	} else if (bio_op(bio) != REQ_OP_READ && io->ldev) {
		/* discards and write-zeroes change data too */
		rdbd_bm_set_range(dev, io->ldev, bio->bi_iter.bi_sector,
				  bio->bi_iter.bi_size);
	}
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
	io->parts = 0;
	io->net = false;
	io->durable = false;
	io->local_failed = false;
	io->net_ok = false;
	INIT_LIST_HEAD(&io->iv.list);
	INIT_LIST_HEAD(&io->pending);
	io->al_slots[0] = io->al_slots[1] = RDBD_AL_NO_SLOT;
	return io;
}

/* A write of a Diskless Primary: to the peer only (see ioerr.c). */
static void rdbd_io_write_diskless(struct rdbd_device *dev, struct bio *bio)
{
	struct rdbd_io *io;
	struct bio *clone;

	/* Never submitted: the clone only carries the rdbd_io. */
	clone = bio_alloc_clone(bio->bi_bdev, bio, GFP_NOIO, &dev->bio_set);
	if (!clone) {
		bio->bi_status = BLK_STS_RESOURCE;
		bio_endio(bio);
		return;
	}
	io = rdbd_io_setup(dev, NULL, bio, clone);
	io->local_failed = true;
	spin_lock_irq(&dev->req_lock);
	dev->io_inflight++;		/* rdbd_io_finish() drops it */
	spin_unlock_irq(&dev->req_lock);
	io->start_time = bio_start_io_acct(bio);
	if (rdbd_io_register(dev, io)) {
		rdbd_io_send(io);
		return;
	}
	/* No peer takes it: there is no copy to write to. */
	spin_lock_irq(&dev->req_lock);
	rdbd_iv_release(dev, &io->iv);
	spin_unlock_irq(&dev->req_lock);
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
	bool net = false;

	/* DATA carries at most RDBD_WIRE_MAX_DATA: see the queue limits */
	bio = bio_split_to_limits(bio);
	if (!bio)
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
	if (rdbd_flush_is_noop(dev, bio)) {
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
		rdbd_io_send(io);
		net = false;
	}
	submit_bio_noacct(clone);
	if (net)
		rdbd_io_send(io);
}

/* Make @ldev the disk I/O goes to.  Caller holds state_mutex. */
void rdbd_io_attach(struct rdbd_device *dev, struct rdbd_backing *ldev,
		    enum rdbd_disk_state disk_state)
{
	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	dev->ldev = ldev;
	dev->disk_state = disk_state;
	dev->volatile_writes = true;	/* nothing known about its cache */
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
