// SPDX-License-Identifier: GPL-2.0
/*
 * Backing-disk I/O errors: disk { on-io-error detach | pass_on; }.
 *
 * pass_on: a failed clone completes its bio with the error, the disk
 * stays attached, and a failed write marks its blocks out of sync (the
 * peer may hold data this disk lacks).  Metadata errors (activity log,
 * bitmap, superblock) still detach: without its metadata a disk cannot
 * say what it holds.
 *
 * detach (the default), on a Primary:
 *   1. The completion of the failed clone (interrupt context) records
 *      the error (rdbd_ioerr_local()) and queues ioerr.work.  A failed
 *      write is not failed towards the application: its bio completes
 *      with the outcome of its net part (req.c), i.e. OK if the peer has
 *      it.  A failed read is retried from the peer (remote_read.c).  The
 *      range of a failed write is remembered for step 3.
 *   2. ioerr.work (under state_mutex) sets the disk Failed, tells the
 *      peer (STATE, before any write that no longer reaches this disk),
 *      and detaches: rdbd_io_detach() waits for every clone in flight.
 *   3. Then it sends OUT_OF_SYNC for the remembered ranges, so the peer
 *      marks the blocks this disk lacks, and STATE(Diskless).  From now
 *      on the Diskless Primary reads from the peer and writes to the
 *      peer only; the peer marks every write it gets in its bitmap.
 *   4. Both sides start a new data generation (the peer: current UUID
 *      -> bitmap UUID): when the failed disk comes back (attach after
 *      'rdbdadm secondary'), the handshake finds its current UUID as the
 *      peer's bitmap UUID and makes it SyncTarget of a bitmap resync.
 * Without a connected UpToDate peer there is no good copy: the error goes
 * up, and the detached Primary fails all I/O.
 *
 * detach on a Secondary: the failed write is NEG_ACKed after a
 * STATE(Failed), so the Primary marks it out of sync instead of dropping
 * the connection; writes that arrive while Diskless are NEG_ACKed too.
 * The Primary stops replicating to a peer without a disk, marks every
 * write in its bitmap and starts a new generation.  Attaching again while
 * connected drops the connection once, so the handshake compares the
 * generations and starts the bitmap resync.
 *
 * Locking: struct rdbd_ioerr is under req_lock; the disk state changes
 * happen in ioerr.work with state_mutex and req_lock, as every other.
 * The work holds a device reference while queued.
 */
#include "rdbd_int.h"

static void rdbd_ioerr_work(struct work_struct *work);

void rdbd_ioerr_init(struct rdbd_device *dev)
{
	INIT_WORK(&dev->ioerr.work, rdbd_ioerr_work);
}

/* Queue the work with a device reference.  req_lock held. */
static void rdbd_ioerr_queue(struct rdbd_device *dev)
{
	lockdep_assert_held(&dev->req_lock);
	if (queue_work(rdbd_wq, &dev->ioerr.work))
		kref_get(&dev->kref);
}

/* Ask for a detach of @ldev if it is still the attached disk. */
static void rdbd_ioerr_want_detach(struct rdbd_device *dev,
				   struct rdbd_backing *ldev)
{
	lockdep_assert_held(&dev->req_lock);
	if (dev->ldev != ldev || dev->ioerr.detach)
		return;
	dev->ioerr.detach = true;
	rdbd_ioerr_queue(dev);
}

/* Remember a failed write for OUT_OF_SYNC.  req_lock held. */
static void rdbd_ioerr_note_write(struct rdbd_device *dev, sector_t sector,
				  u32 size)
{
	struct rdbd_ioerr *e = &dev->ioerr;

	lockdep_assert_held(&dev->req_lock);
	if (!size)
		return;
	if (e->nr_oos == RDBD_IOERR_OOS_MAX) {
		e->oos_overflow = true;
		return;
	}
	e->oos[e->nr_oos].sector = sector;
	e->oos[e->nr_oos].size = size;
	e->nr_oos++;
}

/**
 * rdbd_ioerr_local - a clone on the backing disk failed
 * @dev: the device
 * @ldev: the disk the clone went to
 * @op: its operation
 * @sector: where
 * @size: bytes
 *
 * Any context.  Returns true when on-io-error detach hides the error
 * from the application: a write then completes with the outcome of its
 * net part; a read is to be retried from the peer.
 */
bool rdbd_ioerr_local(struct rdbd_device *dev, struct rdbd_backing *ldev,
		      enum req_op op, sector_t sector, u32 size)
{
	unsigned long flags;
	bool detach;

	spin_lock_irqsave(&dev->req_lock, flags);
	dev->ioerr.errors++;
	detach = dev->disk_conf.on_io_error == RDBD_ON_IO_ERROR_DETACH;
	if (detach) {
		rdbd_ioerr_want_detach(dev, ldev);
		if (op_is_write(op))
			rdbd_ioerr_note_write(dev, sector, size);
	} else if (op_is_write(op)) {
		rdbd_bm_set_range(dev, ldev, sector, size);
	}
	spin_unlock_irqrestore(&dev->req_lock, flags);
	pr_err_ratelimited("rdbd%u: %s error on %s at sector %llu (%u bytes)%s\n",
			   dev->minor, op_is_write(op) ? "write" : "read",
			   ldev->path, (u64)sector, size,
			   detach ? ": detaching it (on-io-error detach)" :
			   ": passed on (on-io-error pass_on)");
	return detach;
}

/* Metadata I/O on @ldev failed: detach whatever the policy (see top). */
void rdbd_ioerr_md(struct rdbd_device *dev, struct rdbd_backing *ldev)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->req_lock, flags);
	dev->ioerr.errors++;
	rdbd_ioerr_want_detach(dev, ldev);
	spin_unlock_irqrestore(&dev->req_lock, flags);
}

/* Send STATE with @ds as our disk state. */
static void rdbd_ioerr_send_state(struct rdbd_device *dev,
				  enum rdbd_disk_state ds)
{
	struct rdbd_p_state p = {};

	if (!rdbd_connected(dev))
		return;
	p.role = READ_ONCE(dev->role);
	p.disk_state = ds;
	rdbd_send_packet(dev, RDBD_P_STATE, &p, sizeof(p));
}

/*
 * Before the first NEG_ACK of a failed write (ack work): the peer must
 * know the disk failed, or it takes the NEG_ACK for a reason to drop the
 * connection.  Only under detach: pass_on keeps DRBD's full resync.
 */
void rdbd_ioerr_before_nack(struct rdbd_device *dev)
{
	bool tell;

	spin_lock_irq(&dev->req_lock);
	tell = dev->disk_conf.on_io_error == RDBD_ON_IO_ERROR_DETACH &&
	       !dev->ioerr.told_peer;
	dev->ioerr.told_peer = true;
	spin_unlock_irq(&dev->req_lock);
	if (tell)
		rdbd_ioerr_send_state(dev, RDBD_DISK_FAILED);
}

/* OUT_OF_SYNC for every write that failed here; size 0: everything. */
static void rdbd_ioerr_send_oos(struct rdbd_device *dev)
{
	struct rdbd_ioerr *e = &dev->ioerr;
	struct rdbd_p_ack p = {};
	unsigned int i, n;
	bool all;

	spin_lock_irq(&dev->req_lock);
	n = e->nr_oos;
	all = e->oos_overflow;
	spin_unlock_irq(&dev->req_lock);
	/* Nothing adds to the list now: the disk is detached. */
	for (i = 0; i < n && !all; i++) {
		p.sector = cpu_to_be64(e->oos[i].sector);
		p.size = cpu_to_be32(e->oos[i].size);
		rdbd_send_packet(dev, RDBD_P_OUT_OF_SYNC, &p, sizeof(p));
	}
	if (all) {
		p.sector = 0;
		p.size = 0;
		rdbd_send_packet(dev, RDBD_P_OUT_OF_SYNC, &p, sizeof(p));
	}
}

/* Steps 2 and 3 of the top comment.  state_mutex held. */
static void rdbd_ioerr_detach(struct rdbd_device *dev)
{
	struct rdbd_backing *ldev;
	bool detach;

	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	detach = dev->ioerr.detach;
	ldev = dev->ldev;
	if (detach && ldev)
		dev->disk_state = RDBD_DISK_FAILED;
	spin_unlock_irq(&dev->req_lock);
	if (!detach || !ldev)
		return;
	pr_err("rdbd%u: I/O error on %s: disk Failed, detaching (on-io-error detach)\n",
	       dev->minor, ldev->path);
	rdbd_set_last_error(dev, "I/O error on %s: detached (on-io-error detach)",
			    ldev->path);
	rdbd_nl_notify_state(dev);
	spin_lock_irq(&dev->req_lock);
	detach = !dev->ioerr.told_peer;
	dev->ioerr.told_peer = true;
	spin_unlock_irq(&dev->req_lock);
	if (detach)
		rdbd_ioerr_send_state(dev, RDBD_DISK_FAILED);

	ldev = rdbd_io_detach(dev);	/* Diskless; no clone in flight */
	if (dev->role == RDBD_ROLE_PRIMARY)	/* a Secondary NEG_ACKed */
		rdbd_ioerr_send_oos(dev);
	rdbd_conn_send_state(dev);
	/* A Diskless Primary keeps its size: the peer serves it. */
	if (dev->role != RDBD_ROLE_PRIMARY)
		set_capacity_and_notify(dev->disk, 0);
	spin_lock_irq(&dev->req_lock);
	dev->ioerr.detach = false;
	spin_unlock_irq(&dev->req_lock);
	pr_notice("rdbd%u: detached from failed %s; %s\n", dev->minor,
		  ldev->path, dev->role == RDBD_ROLE_PRIMARY ?
		  "reads and writes go to the peer" : "Diskless");
	/* No bitmap writeout: the disk failed, and a resync replaces it. */
	rdbd_backing_close(ldev);
	rdbd_nl_notify_state(dev);
}

/*
 * The peer lost its disk: start a new generation (step 4), unless one
 * the peer lacks already began (a bitmap UUID is set).  state_mutex.
 */
static void rdbd_ioerr_new_generation(struct rdbd_device *dev)
{
	struct rdbd_backing *ldev = dev->ldev;
	struct rdbd_md md;
	bool lost;

	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	lost = dev->ioerr.peer_disk_lost;
	dev->ioerr.peer_disk_lost = false;
	spin_unlock_irq(&dev->req_lock);
	if (!lost || !ldev || ldev->md.uuid[RDBD_UUID_BITMAP])
		return;
	md = ldev->md;
	rdbd_md_new_current_uuid(&md);
	if (dev->role == RDBD_ROLE_PRIMARY)
		md.uuid[RDBD_UUID_CURRENT] |= RDBD_UUID_PRIMARY_BIT;
	if (!rdbd_md_write(dev, ldev, &md, NULL))
		pr_info("rdbd%u: peer's disk lost: new current UUID %016llX\n",
			dev->minor, md.uuid[RDBD_UUID_CURRENT]);
}

static void rdbd_ioerr_work(struct work_struct *work)
{
	struct rdbd_device *dev = container_of(work, struct rdbd_device,
					       ioerr.work);

	mutex_lock(&dev->state_mutex);
	if (!dev->removed) {
		rdbd_ioerr_detach(dev);
		rdbd_ioerr_new_generation(dev);
	}
	mutex_unlock(&dev->state_mutex);
	rdbd_dev_put(dev);
}

/*
 * The peer's disk state changed (receive loop): losing its disk while we
 * have ours starts a new generation here (see the top).
 */
void rdbd_ioerr_peer_state(struct rdbd_device *dev, enum rdbd_role role,
			   enum rdbd_disk_state old, enum rdbd_disk_state ds)
{
	if (old < RDBD_DISK_INCONSISTENT || ds >= RDBD_DISK_INCONSISTENT)
		return;
	pr_notice("rdbd%u: peer's disk is %s: %s\n", dev->minor,
		  rdbd_disk_state_name(ds),
		  role == RDBD_ROLE_PRIMARY ?
		  "serving its I/O, marking its writes for a resync" :
		  "marking writes for a resync");
	spin_lock_irq(&dev->req_lock);
	dev->ioerr.peer_disk_lost = true;
	rdbd_ioerr_queue(dev);
	spin_unlock_irq(&dev->req_lock);
}

/* Is a write received now one the peer (a Primary) has no copy of? */
bool rdbd_ioerr_mark_received(struct rdbd_device *dev)
{
	return READ_ONCE(dev->conn.peer_disk_state) < RDBD_DISK_INCONSISTENT;
}

/* A received write our Primary has no copy of: mark it (ack work). */
void rdbd_ioerr_peer_lacks(struct rdbd_device *dev, struct rdbd_backing *ldev,
			   sector_t sector, u32 size)
{
	spin_lock_irq(&dev->req_lock);
	rdbd_bm_set_range(dev, ldev, sector, size);
	spin_unlock_irq(&dev->req_lock);
}

/*
 * DATA or RS_DATA while this node has no disk (it failed): skip the data
 * and NEG_ACK, so the Primary marks the blocks.  Receive loop.
 */
int rdbd_ioerr_refuse_data(struct rdbd_device *dev, struct rdbd_packet *pkt)
{
	const struct rdbd_p_data *d = &pkt->u.data;
	struct rdbd_p_ack p = {
		.sector = d->sector, .block_id = d->block_id, .size = d->size,
	};
	int err;

	err = rdbd_recv_skip(dev, pkt->data_len, 0);
	if (err)
		return err;
	rdbd_ioerr_before_nack(dev);
	return rdbd_send_packet(dev, pkt->cmd == RDBD_P_RS_DATA ?
				RDBD_P_RS_NEG_ACK : RDBD_P_NEG_ACK,
				&p, sizeof(p));
}

/* OUT_OF_SYNC from a Primary whose disk failed (receive loop). */
int rdbd_ioerr_got_oos(struct rdbd_device *dev, const struct rdbd_p_ack *p)
{
	u64 sector = be64_to_cpu(p->sector);
	u32 size = be32_to_cpu(p->size);
	u64 capacity = get_capacity(dev->disk);
	struct rdbd_backing *ldev;

	if (p->block_id || p->pad || size % SECTOR_SIZE ||
	    sector > capacity || (size >> SECTOR_SHIFT) > capacity - sector ||
	    (!size && sector) || READ_ONCE(dev->role) == RDBD_ROLE_PRIMARY) {
		rdbd_conn_error(dev, "peer sent OUT_OF_SYNC for %u bytes at sector %llu (device: %llu sectors, %s); dropping connection",
				size, sector, capacity,
				rdbd_role_name(READ_ONCE(dev->role)));
		return -EPROTO;
	}
	ldev = rdbd_io_get_backing(dev);
	if (!ldev)
		return 0;	/* no disk here either: nothing to mark */
	if (size) {
		spin_lock_irq(&dev->req_lock);
		rdbd_bm_set_range(dev, ldev, sector, size);
		spin_unlock_irq(&dev->req_lock);
	} else {
		rdbd_bm_set_all(dev, ldev);
	}
	rdbd_io_put_backing(dev, REQ_OP_READ, 0, BLK_STS_OK);
	return 0;
}

/*
 * ATTACH on a Primary (its disk failed and the peer serves it): refused.
 * The disk is behind the peer's data, and a Primary cannot become
 * SyncTarget here; demote first and the handshake resyncs it.
 */
int rdbd_ioerr_attach_check(struct rdbd_device *dev,
			    struct netlink_ext_ack *extack)
{
	if (dev->role != RDBD_ROLE_PRIMARY)
		return 0;
	rdbd_extack(extack, dev->minor,
		    "cannot attach a disk while Primary: it is older than the peer's data; run 'rdbdadm secondary' first (the peer then resyncs it)");
	return -EBUSY;
}

/*
 * A disk was attached (state_mutex held).  While connected (the old one
 * failed), drop the connection once: the new handshake compares the
 * generations and starts the resync.
 */
void rdbd_ioerr_attached(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;

	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	dev->ioerr.told_peer = false;
	dev->ioerr.nr_oos = 0;
	dev->ioerr.oos_overflow = false;
	spin_unlock_irq(&dev->req_lock);
	if (READ_ONCE(conn->cstate) < RDBD_CONN_CONNECTED)
		return;
	/* At best Outdated until the handshake compared it with the peer. */
	spin_lock_irq(&dev->req_lock);
	dev->disk_state = min(dev->disk_state, RDBD_DISK_OUTDATED);
	spin_unlock_irq(&dev->req_lock);
	pr_info("rdbd%u: disk attached while connected: reconnecting so the handshake decides the resync\n",
		dev->minor);
	mutex_lock(&conn->send_mutex);
	if (conn->sock)
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	mutex_unlock(&conn->send_mutex);
}
