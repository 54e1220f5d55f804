// SPDX-License-Identifier: GPL-2.0
/*
 * The Primary's record of replicated writes: conn.tl, the "transfer log".
 *
 * Every write the peer gets goes on conn.tl when it is registered
 * (req.c), in the same critical section that decided it replicates, and
 * stays there until the peer acks the epoch it was sent in (BARRIER_ACK,
 * epoch.c): only then is it durable on the peer's disk.  Until then it
 * holds its activity-log slots, so that after a crash of this node the
 * activity log still covers every block the peer may lack, whatever the
 * protocol let the application believe.
 *
 * If the connection is lost first, the blocks of every write on the
 * record are marked out of sync: a write the peer acked may still have
 * been in its disk's volatile cache, and under protocols A and B the ack
 * says nothing about the peer's disk at all.  A resync then moves exactly
 * those blocks.
 *
 * The acks (RECV_ACK under protocol B, WRITE_ACK under C, NEG_ACK when
 * the peer's write failed) end a write's "ack" part (req.h); each must
 * name a write on the record that waits for it, under the protocol in
 * use, or the connection is dropped.
 *
 * A peer that is alive (it answers pings) but leaves a write unsent or
 * unacked for ko-count times timeout is dropped (rdbd_tl_check_ko(), as
 * DRBD's ko-count): its writes are marked and the Primary goes on alone,
 * rather than hold the application for ever.  Waiting for an epoch's
 * BARRIER_ACK (the peer's flush) does not count.
 *
 * Locking: conn.tl and every rdbd_io field marked so in req.h are under
 * dev->req_lock.  The completion of the original bio (rdbd_io_finish())
 * and freeing run outside it.
 */
#include "req.h"

/* What the peer's answer (or its absence) says about a write. */
enum rdbd_net_outcome {
	RDBD_NET_RECEIVED,	/* RECV_ACK (B), or sent (A) */
	RDBD_NET_ON_DISK,	/* WRITE_ACK (C): on the peer's disk */
	RDBD_NET_LOST,		/* the peer may not have it */
};

/* The peer may lack @io's blocks.  req_lock. */
static void rdbd_tl_mark(struct rdbd_device *dev, struct rdbd_io *io)
{
	lockdep_assert_held(&dev->req_lock);
	if (io->ldev)
		rdbd_bm_set_range(dev, io->ldev, io->iv.sector, io->iv.size);
}

/*
 * Does the peer's copy of a write count as stored data?  Only on an
 * UpToDate disk: a SyncTarget's blocks are not good data yet, and the
 * resync that follows a repair copies the other way.  A write whose own
 * disk failed (ioerr.c) fails unless this holds.  req_lock.
 */
static bool rdbd_tl_peer_copy_counts(struct rdbd_device *dev)
{
	lockdep_assert_held(&dev->req_lock);
	return dev->conn.peer_disk_state == RDBD_DISK_UPTODATE;
}

/*
 * End the ack part of @io with outcome @how.  Returns true if that
 * completed the bio (call rdbd_io_finish() after dropping req_lock).
 */
static bool rdbd_tl_end_ack(struct rdbd_device *dev, struct rdbd_io *io,
			    enum rdbd_net_outcome how)
{
	lockdep_assert_held(&dev->req_lock);
	if (!io->awaiting_ack)
		return false;
	io->awaiting_ack = false;
	io->net_ok = how != RDBD_NET_LOST && rdbd_tl_peer_copy_counts(dev);
	if (!io->ldev)
		;		/* Diskless: no bitmap here */
	else if (how == RDBD_NET_LOST)
		rdbd_tl_mark(dev, io);
	else if (how == RDBD_NET_ON_DISK && !io->status &&
		 dev->conn.peer_disk_state >= RDBD_DISK_INCONSISTENT)
		/*
		 * In sync again.  A failed local write stays marked, and so
		 * does one whose peer's disk failed meanwhile: the ack may
		 * come from that disk's cache (rdbd_tl_peer_disk_lost()).
		 */
		rdbd_bm_clear_range(dev, io->ldev, io->iv.sector,
				    io->iv.size);
	return rdbd_io_put_part(io);
}

/*
 * @io replicates (req.c decided so under req_lock): put it on the record,
 * with a part for the sender and, unless protocol A, one for the ack.
 */
void rdbd_tl_add(struct rdbd_device *dev, struct rdbd_io *io)
{
	lockdep_assert_held(&dev->req_lock);
	io->parts++;			/* the sender's */
	if (dev->conn.net_conf.protocol != RDBD_PROT_A) {
		io->parts++;
		io->awaiting_ack = true;
	}
	io->block_id = ++dev->conn.next_block_id;
	io->tl_since = jiffies;
	io->on_tl = true;
	list_add_tail(&io->tl, &dev->conn.tl);
}

static u32 rdbd_tl_dp_flags(struct bio *bio)
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

/*
 * The sender is done with @io's DATA (sender thread; or the writer, if
 * the connection was gone before it could queue it).  Never touches the
 * original bio: the ack may have completed it meanwhile.
 */
static void rdbd_tl_sent(struct rdbd_tx *tx, int err)
{
	struct rdbd_io *io = container_of(tx, struct rdbd_io, tx);
	struct rdbd_device *dev = io->dev;
	unsigned long flags;
	bool done, free = false;

	spin_lock_irqsave(&dev->req_lock, flags);
	if (!err) {
		io->sent = true;
		io->epoch = tx->epoch;
		dev->conn.net_sent_sectors += tx->len >> SECTOR_SHIFT;
		if (dev->conn.net_conf.protocol == RDBD_PROT_A)
			io->net_ok = rdbd_tl_peer_copy_counts(dev);
	} else {
		/* maybe cut short: the peer may lack it */
		done = rdbd_tl_end_ack(dev, io, RDBD_NET_LOST);
		WARN_ON_ONCE(done);	/* our own part is still held */
		io->net_ok = false;
		rdbd_tl_mark(dev, io);
	}
	done = rdbd_io_put_part(io);
	if (!err && tx->in_no_epoch && !io->awaiting_ack && io->on_tl) {
		/* the ack came first (rdbd_tl_ack_ends_record()) */
		list_del_init(&io->tl);
		io->on_tl = false;
		free = !done && io->completed;
	}
	spin_unlock_irqrestore(&dev->req_lock, flags);
	if (done)
		rdbd_io_finish(io);	/* frees it if off the record */
	else if (free)
		rdbd_io_free(io);
}

/* Send or queue @io's DATA (registered by rdbd_tl_add()); may sleep. */
void rdbd_tl_send(struct rdbd_io *io)
{
	struct rdbd_device *dev = io->dev;
	struct bio *bio = io->orig;
	bool payload = bio_op(bio) == REQ_OP_WRITE && bio_has_data(bio);

	io->p = (struct rdbd_p_data) {
		.sector = cpu_to_be64(bio->bi_iter.bi_sector),
		.block_id = cpu_to_be64(io->block_id),
		.size = cpu_to_be32(bio->bi_iter.bi_size),
		.dp_flags = cpu_to_be32(rdbd_tl_dp_flags(bio)),
	};
	/*
	 * Protocol C keeps the pages until the peer's ack, so they may go
	 * by reference; under A and B the application may reuse them once
	 * the bio completed, while TCP might still retransmit: copied.
	 */
	io->tx = (struct rdbd_tx) {
		.dev = dev, .cmd = RDBD_P_DATA,
		.size = sizeof(io->p), .payload = &io->p,
		.bio = payload ? bio : NULL,
		.len = payload ? bio->bi_iter.bi_size : 0,
		.zero_copy = dev->conn.net_conf.protocol == RDBD_PROT_C,
		.in_no_epoch = rdbd_data_in_no_epoch(&dev->conn,
						     be32_to_cpu(io->p.dp_flags)),
		.done = rdbd_tl_sent,
	};
	if (!rdbd_tx_send_now(dev, &io->tx))
		rdbd_tl_sent(&io->tx, -ENOTCONN);
}

/*
 * Does the ack of @io end its time on the record?  For a write in no
 * epoch (epoch.c) whose DATA went out, it does: WRITE_ACK says it is
 * durable on the peer, NEG_ACK marked it, and no BARRIER_ACK will name
 * it.  If the ack comes before the sender is done with the DATA,
 * rdbd_tl_sent() takes it off instead.  req_lock.
 */
static bool rdbd_tl_ack_ends_record(const struct rdbd_io *io)
{
	return io->tx.in_no_epoch && io->sent;
}

/* The write on the record with cookie @id, or NULL.  req_lock. */
static struct rdbd_io *rdbd_tl_find(struct rdbd_device *dev, u64 id)
{
	struct rdbd_io *io;

	lockdep_assert_held(&dev->req_lock);
	list_for_each_entry(io, &dev->conn.tl, tl)
		if (io->block_id == id)
			return io;
	return NULL;
}

/* Is @cmd an ack the protocol in use sends? */
static bool rdbd_tl_ack_expected(struct rdbd_device *dev, u16 cmd)
{
	switch (dev->conn.net_conf.protocol) {
	case RDBD_PROT_B:
		return cmd == RDBD_P_RECV_ACK;
	case RDBD_PROT_C:
		return cmd == RDBD_P_WRITE_ACK;
	}
	return false;
}

static void rdbd_tl_drop(struct rdbd_device *dev, struct rdbd_io *io,
			 enum rdbd_net_outcome how);

/**
 * rdbd_got_ack - RECV_ACK, WRITE_ACK or NEG_ACK (receive loop)
 * @dev: the device
 * @cmd: which
 * @p: the ack, naming a write by its block_id
 *
 * Returns 0, or -EPROTO/-EIO (logged): drop the connection.
 */
int rdbd_got_ack(struct rdbd_device *dev, u16 cmd, const struct rdbd_p_ack *p)
{
	u64 id = be64_to_cpu(p->block_id);
	bool expected, done = false;
	struct rdbd_io *io;

	spin_lock_irq(&dev->req_lock);
	io = rdbd_tl_find(dev, id);
	expected = io && (cmd == RDBD_P_NEG_ACK ||
			  (io->awaiting_ack && rdbd_tl_ack_expected(dev, cmd)));
	if (expected) {
		enum rdbd_net_outcome how = RDBD_NET_LOST;

		if (cmd == RDBD_P_NEG_ACK)
			rdbd_tl_mark(dev, io);
		else
			how = cmd == RDBD_P_WRITE_ACK ? RDBD_NET_ON_DISK :
							RDBD_NET_RECEIVED;
		/* under A a NEG_ACKed write may have completed already */
		if (rdbd_tl_ack_ends_record(io))
			rdbd_tl_drop(dev, io, how);	/* may free it */
		else
			done = rdbd_tl_end_ack(dev, io, how);
	}
	spin_unlock_irq(&dev->req_lock);
	if (done)
		rdbd_io_finish(io);
	if (!expected) {
		rdbd_conn_error(dev, "peer sent ack 0x%04x for write %llu, which awaits no such ack under protocol %c; dropping connection",
				cmd, id, 'A' + dev->conn.net_conf.protocol - 1);
		return -EPROTO;
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
 * Take @io off the record (req_lock held; dropped and retaken if the
 * write is complete and must be freed).  @how ends its ack part if it
 * still waits for one.  Returns with req_lock held.
 */
static void rdbd_tl_drop(struct rdbd_device *dev, struct rdbd_io *io,
			 enum rdbd_net_outcome how)
{
	bool done, free;

	lockdep_assert_held(&dev->req_lock);
	list_del_init(&io->tl);
	io->on_tl = false;
	done = rdbd_tl_end_ack(dev, io, how);
	free = !done && io->completed;
	if (!done && !free)
		return;		/* the last part to end frees it */
	spin_unlock_irq(&dev->req_lock);
	if (done)
		rdbd_io_finish(io);
	else
		rdbd_io_free(io);
	spin_lock_irq(&dev->req_lock);
}

/* Writes sent in @epoch, and whether one still waits for its ack. */
static u32 rdbd_tl_count_epoch(struct rdbd_device *dev, u64 epoch,
			       bool *unacked)
{
	struct rdbd_io *io;
	u32 n = 0;

	lockdep_assert_held(&dev->req_lock);
	*unacked = false;
	list_for_each_entry(io, &dev->conn.tl, tl) {
		if (!io->sent || io->epoch != epoch)
			continue;
		n++;
		*unacked |= io->awaiting_ack;
	}
	return n;
}

/**
 * rdbd_tl_barrier_ack - BARRIER_ACK: the writes of @epoch are durable
 * @dev: the device (receive loop)
 * @epoch: the epoch acked; must be the oldest one not acked yet
 * @writes: how many writes the peer counted in it
 *
 * Returns 0, or -EPROTO (logged): drop the connection.
 */
int rdbd_tl_barrier_ack(struct rdbd_device *dev, u64 epoch, u32 writes)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_io *io, *next;
	bool unacked;
	u32 n;

	spin_lock_irq(&dev->req_lock);
	n = rdbd_tl_count_epoch(dev, epoch, &unacked);
	if (epoch != conn->tl_acked_epoch + 1 || n != writes || !n ||
	    unacked) {
		u64 expected = conn->tl_acked_epoch + 1;

		spin_unlock_irq(&dev->req_lock);
		rdbd_conn_error(dev, "peer acked epoch %llu with %u writes; expected epoch %llu with %u writes%s; dropping connection",
				epoch, writes, expected, n,
				unacked ? ", some of them not acked yet" : "");
		return -EPROTO;
	}
	conn->tl_acked_epoch = epoch;
	/* each pass restarts: rdbd_tl_drop() may drop req_lock */
	do {
		next = NULL;
		list_for_each_entry(io, &conn->tl, tl) {
			if (io->sent && io->epoch == epoch) {
				next = io;
				break;
			}
		}
		if (next)
			rdbd_tl_drop(dev, next, RDBD_NET_RECEIVED);
	} while (next);
	spin_unlock_irq(&dev->req_lock);
	return 0;
}

/* DRBD's default ko-count: timeouts a write may wait for the peer. */
#define RDBD_KO_COUNT		7

/**
 * rdbd_tl_check_ko - has the peer left a write waiting too long?
 * @dev: the device (receive loop, between packets)
 *
 * Returns 0, or -ETIMEDOUT (logged) if a write on record is still unsent
 * or unacked after RDBD_KO_COUNT times the timeout: drop the connection.
 */
int rdbd_tl_check_ko(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	unsigned long ko = msecs_to_jiffies(conn->net_conf.timeout_ms) *
			   RDBD_KO_COUNT;
	unsigned long now = jiffies;
	struct rdbd_io *io;
	bool stale = false;

	spin_lock_irq(&dev->req_lock);
	/* on record in registration order: stop at the first young one */
	list_for_each_entry(io, &conn->tl, tl) {
		if (!time_after(now, io->tl_since + ko))
			break;
		if (!io->sent || io->awaiting_ack) {
			stale = true;
			break;
		}
	}
	spin_unlock_irq(&dev->req_lock);
	if (!stale)
		return 0;
	rdbd_conn_error(dev, "peer did not take or confirm a write within %u ms (ko-count %u times timeout); dropping connection",
			jiffies_to_msecs(ko), RDBD_KO_COUNT);
	return -ETIMEDOUT;
}

/**
 * rdbd_tl_peer_disk_lost - the peer's disk failed while connected
 * @dev: the device (receive loop, on the peer's STATE)
 *
 * Every write on the record may be missing on the peer: it completed on
 * a disk that failed, or only into that disk's cache, and the BARRIER_ACK
 * that follows comes without a flush (epoch.c).  Its blocks are marked
 * out of sync now, so the resync after the peer attaches again moves them.
 * The writes stay on the record until that ack, as any other.
 */
void rdbd_tl_peer_disk_lost(struct rdbd_device *dev)
{
	struct rdbd_io *io;

	spin_lock_irq(&dev->req_lock);
	list_for_each_entry(io, &dev->conn.tl, tl)
		rdbd_tl_mark(dev, io);
	spin_unlock_irq(&dev->req_lock);
}

/*
 * Connection lost (connection thread, the sender already stopped): every
 * write on the record may be missing on the peer.  Its blocks are marked
 * out of sync, and those still waiting for an ack are done as far as the
 * peer goes.
 */
static void rdbd_tl_conn_lost(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_io *io;

	spin_lock_irq(&dev->req_lock);
	while ((io = list_first_entry_or_null(&conn->tl, struct rdbd_io,
					      tl))) {
		rdbd_tl_mark(dev, io);
		rdbd_tl_drop(dev, io, RDBD_NET_LOST);
	}
	conn->tl_acked_epoch = 0;
	spin_unlock_irq(&dev->req_lock);
}

/*
 * Connection lost (connection thread, socket unusable, sender stopped):
 * the record of our writes, the peer's writes still on our disk, and
 * reads we served or asked for.
 */
void rdbd_repl_conn_lost(struct rdbd_device *dev)
{
	rdbd_tl_conn_lost(dev);
	rdbd_peer_reqs_drain(dev);
	rdbd_epoch_rx_drain(dev);
	rdbd_rread_conn_lost(dev);
}
