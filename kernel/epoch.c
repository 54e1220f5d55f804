// SPDX-License-Identifier: GPL-2.0
/*
 * Epochs: how a Primary learns that its writes are durable on the peer.
 *
 * The protocols decide when an application write completes (A: sent, B:
 * received, C: written), but not one of them says the write survives a
 * power cut of the peer: a completed write may sit in the peer disk's
 * volatile cache.  So the Primary keeps every replicated write on record
 * (conn.tl, tl.c) until the peer confirms it durable, and marks the
 * blocks of everything still on record out of sync when the connection
 * is lost.  The activity-log slots of a write are held just as long, so a
 * crash of the Primary cannot forget such a block either.
 *
 * The confirmation comes per epoch, a run of consecutive DATA packets:
 *
 *   sender (sender.c)    after the last DATA of a burst (its queue ran
 *                        empty), or after RDBD_EPOCH_WRITES_MAX of them,
 *                        sends BARRIER {epoch, writes}, then starts epoch
 *                        + 1.  Epochs count from 1 on each connection.
 *   peer (this file)     counts the DATA packets it receives into the open
 *                        epoch; BARRIER closes it (the count must match).
 *                        Once every write of the oldest closed epoch has
 *                        completed on its disk and its ack went out, it
 *                        flushes the disk (if a write since the last flush
 *                        was not FUA) and sends BARRIER_ACK {epoch,
 *                        writes}; then the next epoch, strictly in order.
 *   Primary (tl.c)       on BARRIER_ACK drops that epoch's writes from the
 *                        record, releasing their slots.
 *
 * Writes durable by their own ack (RDBD_FEAT_FUA_ACK in <rdbd/wire.h>):
 * under protocol C, a DATA with FUA is written with FUA on the peer, so
 * its WRITE_ACK already says it is durable.  It belongs to no epoch: the
 * sender does not count it, the peer does not either, and the Primary
 * drops it from its record on the ack (tl.c).  Where the backing disk
 * offers FUA (else the block layer turns O_SYNC into a write and a
 * flush), a run of O_SYNC writes then costs no BARRIER, BARRIER_ACK or
 * work item per write.
 *
 * A write's own ack (WRITE_ACK, NEG_ACK) is queued before the
 * BARRIER_ACK of its epoch, on the one ordered stream, so the Primary
 * never sees an epoch acked before a write in it: that would be a
 * protocol error.  A flush that fails drops the connection: nothing is
 * acked that may not be durable.
 *
 * Locking: conn.rx_epochs, rx_volatile, rx_next_epoch and every field of
 * struct rdbd_rx_epoch are under req_lock.  The receive loop adds and
 * closes epochs; ack_work ends writes; barrier_work acks epochs; the
 * connection thread frees them at teardown, after the other two stopped.
 */
#include <linux/blkdev.h>
#include <linux/slab.h>

#include "rdbd_int.h"

/* An epoch of the peer's writes, as received here. */
struct rdbd_rx_epoch {
	struct list_head list;		/* on conn.rx_epochs, oldest first */
	u64 nr;				/* the BARRIER's epoch, once closed */
	u32 writes;			/* DATA packets received in it */
	u32 active;			/* of those, not ended yet */
	bool closed;			/* its BARRIER arrived */
};

static void rdbd_barrier_work(struct work_struct *work);

/**
 * rdbd_data_in_no_epoch - is a DATA with @dp_flags durable by its ack?
 * @conn: the connection (its protocol and features are fixed while up)
 * @dp_flags: the DATA's RDBD_DP_* flags
 *
 * Both sides decide each DATA by this, so their epoch counts agree.
 */
bool rdbd_data_in_no_epoch(const struct rdbd_connection *conn, u32 dp_flags)
{
	return (conn->features & RDBD_FEAT_FUA_ACK) &&
	       conn->net_conf.protocol == RDBD_PROT_C &&
	       (dp_flags & RDBD_DP_FUA);
}

void rdbd_epoch_init(struct rdbd_connection *conn)
{
	INIT_LIST_HEAD(&conn->rx_epochs);
	INIT_WORK(&conn->barrier_work, rdbd_barrier_work);
	conn->rx_next_epoch = 1;
}

/* The epoch receiving now, or NULL if the last one is closed.  req_lock. */
static struct rdbd_rx_epoch *rdbd_epoch_open(struct rdbd_connection *conn)
{
	struct rdbd_rx_epoch *e;

	if (list_empty(&conn->rx_epochs))
		return NULL;
	e = list_last_entry(&conn->rx_epochs, struct rdbd_rx_epoch, list);
	return e->closed ? NULL : e;
}

/**
 * rdbd_epoch_rx_write - a DATA packet arrived (receive loop)
 * @dev: the device
 * @epoch: set to the epoch it belongs to; pass it to rdbd_epoch_rx_done()
 *         once the write ended and its ack is queued
 *
 * Returns 0 or -ENOMEM.
 */
int rdbd_epoch_rx_write(struct rdbd_device *dev, struct rdbd_rx_epoch **epoch)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_rx_epoch *e, *fresh;

	fresh = kzalloc(sizeof(*fresh), GFP_NOIO);
	spin_lock_irq(&dev->req_lock);
	e = rdbd_epoch_open(conn);
	if (!e && fresh) {
		list_add_tail(&fresh->list, &conn->rx_epochs);
		e = fresh;
		fresh = NULL;
	}
	if (e) {
		e->writes++;
		e->active++;
	}
	spin_unlock_irq(&dev->req_lock);
	kfree(fresh);
	*epoch = e;
	return e ? 0 : -ENOMEM;
}

/* Is the oldest epoch closed and every write in it ended?  req_lock. */
static bool rdbd_epoch_ackable(struct rdbd_connection *conn)
{
	struct rdbd_rx_epoch *e;

	e = list_first_entry_or_null(&conn->rx_epochs, struct rdbd_rx_epoch,
				     list);
	return e && e->closed && !e->active;
}

/**
 * rdbd_epoch_rx_done - a peer write ended and its ack is queued
 * @dev: the device
 * @epoch: from rdbd_epoch_rx_write(); NULL for a resync write
 * @volatile_write: it completed into the disk's cache (not FUA)
 */
void rdbd_epoch_rx_done(struct rdbd_device *dev, struct rdbd_rx_epoch *epoch,
			bool volatile_write)
{
	struct rdbd_connection *conn = &dev->conn;
	unsigned long flags;
	bool ackable;

	spin_lock_irqsave(&dev->req_lock, flags);
	if (volatile_write)
		conn->rx_volatile = true;
	if (epoch)
		epoch->active--;
	ackable = rdbd_epoch_ackable(conn);
	spin_unlock_irqrestore(&dev->req_lock, flags);
	if (ackable)
		queue_work(rdbd_wq, &conn->barrier_work);
}

/**
 * rdbd_epoch_got_barrier - BARRIER: close the open epoch (receive loop)
 * @dev: the device
 * @p: the packet
 *
 * Returns 0, or -EPROTO (logged) if it names another epoch than the next
 * one or another count of writes than arrived.
 */
int rdbd_epoch_got_barrier(struct rdbd_device *dev,
			   const struct rdbd_p_barrier *p)
{
	struct rdbd_connection *conn = &dev->conn;
	u64 nr = be64_to_cpu(p->epoch);
	u32 writes = be32_to_cpu(p->writes);
	struct rdbd_rx_epoch *e;
	u32 got = 0;
	bool ok, ackable = false;

	spin_lock_irq(&dev->req_lock);
	e = rdbd_epoch_open(conn);
	if (e)
		got = e->writes;
	ok = e && nr == conn->rx_next_epoch && writes == got;
	if (ok) {
		e->closed = true;
		e->nr = nr;
		conn->rx_next_epoch++;
		ackable = rdbd_epoch_ackable(conn);
	}
	spin_unlock_irq(&dev->req_lock);
	if (!ok) {
		rdbd_conn_error(dev, "peer closed epoch %llu of %u writes; expected epoch %llu, %u writes received; dropping connection",
				nr, writes, conn->rx_next_epoch, got);
		return -EPROTO;
	}
	if (ackable)
		queue_work(rdbd_wq, &conn->barrier_work);
	return 0;
}

/*
 * Make the writes of an epoch durable: flush the disk if something since
 * the last flush may still be in its cache.
 *
 * A disk that failed under on-io-error detach is not flushed, here or
 * once gone: STATE(Failed) went to the Primary before the disk stopped
 * taking I/O (ioerr.c), and on it the Primary marked every write on its
 * record out of sync (tl.c), so the BARRIER_ACK that follows promises
 * nothing.  Under pass_on a failed flush leaves the disk in use with
 * writes that may be lost: the connection is dropped, so the Primary
 * marks them.
 * Returns 0, or the flush's error (the connection is then dropped).
 */
static int rdbd_epoch_flush(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_backing *ldev;
	bool needed;
	int err;

	spin_lock_irq(&dev->req_lock);
	needed = conn->rx_volatile;
	conn->rx_volatile = false;
	spin_unlock_irq(&dev->req_lock);
	if (!needed)
		return 0;
	ldev = rdbd_io_get_backing(dev);
	if (!ldev)
		return 0;
	err = blkdev_issue_flush(ldev->bdev);
	if (err && rdbd_ioerr_local(dev, ldev, REQ_OP_FLUSH, 0, 0)) {
		rdbd_ioerr_tell_peer_failed(dev);	/* STATE(Failed) first */
		err = 0;
	} else if (err) {
		spin_lock_irq(&dev->req_lock);
		conn->rx_volatile = true;
		spin_unlock_irq(&dev->req_lock);
		rdbd_conn_error(dev, "flushing %s for the peer's writes failed: %s; dropping connection",
				ldev->path, rdbd_strerror(err));
		rdbd_conn_kill(dev);
	}
	rdbd_io_put_backing(dev, REQ_OP_FLUSH, 0, BLK_STS_OK);
	return err;
}

/* Ack every epoch that is ready, oldest first (rdbd_wq). */
static void rdbd_barrier_work(struct work_struct *work)
{
	struct rdbd_device *dev = container_of(work, struct rdbd_device,
					       conn.barrier_work);
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_p_barrier p = {};
	struct rdbd_rx_epoch *e;

	for (;;) {
		spin_lock_irq(&dev->req_lock);
		e = NULL;
		if (rdbd_epoch_ackable(conn)) {
			e = list_first_entry(&conn->rx_epochs,
					     struct rdbd_rx_epoch, list);
			list_del(&e->list);
		}
		spin_unlock_irq(&dev->req_lock);
		if (!e)
			return;
		p.epoch = cpu_to_be64(e->nr);
		p.writes = cpu_to_be32(e->writes);
		kfree(e);
		if (rdbd_epoch_flush(dev))
			return;
		rdbd_send_packet(dev, RDBD_P_BARRIER_ACK, &p, sizeof(p));
	}
}

/*
 * Connection gone (connection thread): every received write has ended
 * (rdbd_peer_reqs_drain()); forget the epochs.
 */
void rdbd_epoch_rx_drain(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_rx_epoch *e, *next;
	LIST_HEAD(gone);

	cancel_work_sync(&conn->barrier_work);
	spin_lock_irq(&dev->req_lock);
	list_splice_init(&conn->rx_epochs, &gone);
	conn->rx_next_epoch = 1;
	spin_unlock_irq(&dev->req_lock);
	list_for_each_entry_safe(e, next, &gone, list)
		kfree(e);
}
