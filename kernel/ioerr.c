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
 *      and stops new I/O to it; then, without state_mutex, it waits for
 *      everything that still holds the disk (see "Locking" below).
 *   3. Then it sends OUT_OF_SYNC for the remembered ranges, so the peer
 *      marks the blocks this disk lacks, and STATE(Diskless).  From now
 *      on the Diskless Primary reads from the peer and writes to the
 *      peer only; the peer marks every write it gets in its bitmap.
 *   4. Both sides start a new data generation (the peer: current UUID
 *      -> bitmap UUID), so the peer's bitmap holds every block the
 *      failed disk lacks.
 * Without a connected UpToDate peer there is no good copy: the error goes
 * up, and the detached Primary fails all I/O.  A Diskless Primary whose
 * peer goes away fails all I/O too, as DRBD's does.  It reconnects only
 * to an UpToDate Secondary that still holds the data generation it
 * served (rdbd_ioerr_hs_diskless()): its failed disk's current UUID, then
 * the one the peer sends in DATA_UUID after starting its new generation.
 * A Secondary promoted while apart has a newer one and is refused.
 *
 * Reattach while Primary (attach or adjust; the application keeps
 * running).  Only with a Connected UpToDate peer: it alone has the data.
 *   1. rdbd_ioerr_attach_primary(): the new disk must have the device's
 *      size; it is recorded Inconsistent before any write reaches it.
 *      From now on writes go to both disks, reads to the peer only.
 *   2. rdbd_ioerr_attached() sends STATE(Inconsistent) and REATTACH
 *      with the disk's UUIDs, on the live connection (no new handshake:
 *      that would fail the application's I/O while it runs).
 *   3. The peer (rdbd_ioerr_got_reattach()) becomes SyncSource: of a
 *      bitmap resync from its bitmap if the disk's current UUID is its
 *      bitmap UUID (the disk that failed here), else of a full sync (any
 *      other disk).  It sends its bitmap and SYNC_UUID; this node takes
 *      it as SyncTarget (sync.c allows a Primary only after REATTACH).
 *      It never becomes SyncSource: its disk is Inconsistent.
 *   4. Until SYNC_DONE makes the disk UpToDate every read goes to the
 *      peer (a simpler rule than DRBD's per-block one: it never reads a
 *      block before it is synced).  Writes race with resync chunks of
 *      the same blocks: the peer could read a chunk, then apply our
 *      write, while our disk gets the write first and the older chunk
 *      second.  So a write is sent before it is submitted here (req.c),
 *      the peer reads a chunk only after the writes it received for it
 *      are on its disk, and a write the peer receives while a chunk it
 *      overlaps is unacked makes it send that chunk again (sync.c,
 *      rdbd_sync_note_peer_write()).
 *   If the connection fails before SYNC_DONE, the disk stays Inconsistent
 *   and the Primary has no good copy: its I/O fails, and a reconnect is
 *   refused ("I shall become SyncTarget, but I am primary!") until it is
 *   demoted, when the handshake resumes the resync.
 *
 * detach on a Secondary: the failed write is NEG_ACKed after a
 * STATE(Failed), so the Primary marks it out of sync instead of dropping
 * the connection; writes that arrive while Diskless are NEG_ACKed too.
 * A failed flush of the peer's writes detaches the same way.  On
 * STATE(Failed) the Primary also marks every write still on its record:
 * the ones the failed disk acked may have been in its cache only.
 * The Primary stops replicating to a peer without a disk, marks every
 * write in its bitmap and starts a new generation.  Attaching again while
 * connected drops the connection once, so the handshake compares the
 * generations and starts the bitmap resync.
 *
 * Locking: struct rdbd_ioerr is under req_lock; the disk state changes
 * happen in ioerr.work with state_mutex and req_lock, as every other.
 * The work holds a device reference while queued.  It must not hold
 * state_mutex while it waits for the failed disk to drain: a writer
 * parked during a handshake, the handshake, the sync and verify threads
 * and the receive loop hold the disk (rdbd_io_get_backing()) and take
 * state_mutex before they let go of it.  So the work runs in two
 * state_mutex sections:
 *   begin   Failed, STATE(Failed) to the peer, dev->ldev = NULL (new I/O
 *           finds no disk) and ioerr.draining set;
 *           no lock   rdbd_io_drain();
 *   finish  OUT_OF_SYNC, Diskless, ioerr.draining cleared, the disk
 *           closed.
 * In between the device shows Failed with no disk.  What must not run
 * then waits or refuses: ATTACH refuses (rdbd_ioerr_attach_check()), and
 * down and module unload wait for the finish (rdbd_ioerr_wait_detached()),
 * since removing the device frees the bio_set the clones come from.  A
 * sync or verify this node feeds cannot go on without its disk: begin
 * drops the connection, so the teardown stops its thread (which may be
 * held by a pause, with the disk, for ever).
 */
#include "rdbd_int.h"

static void rdbd_ioerr_work(struct work_struct *work);

void rdbd_ioerr_init(struct rdbd_device *dev)
{
	INIT_WORK(&dev->ioerr.work, rdbd_ioerr_work);
	init_waitqueue_head(&dev->ioerr.wait);
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

/* What on-io-error does with the error, for the log. */
static const char *rdbd_ioerr_action(bool detach)
{
	return detach ? ": detaching it (on-io-error detach)" :
			": passed on (on-io-error pass_on)";
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
 * net part; a read is to be retried from the peer.  A failed flush
 * (REQ_OP_FLUSH; @sector and @size 0) detaches as a failed write does.
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
	if (op == REQ_OP_FLUSH)
		pr_err_ratelimited("rdbd%u: flush error on %s%s\n", dev->minor,
				   ldev->path, rdbd_ioerr_action(detach));
	else
		pr_err_ratelimited("rdbd%u: %s error on %s at sector %llu (%u bytes)%s\n",
				   dev->minor, op_is_write(op) ? "write" : "read",
				   ldev->path, (u64)sector, size,
				   rdbd_ioerr_action(detach));
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
 * Before the first NEG_ACK of a failed write (ack work), or the
 * BARRIER_ACK of an epoch whose flush failed (epoch.c): the peer must know
 * the disk failed, or it takes the NEG_ACK for a reason to drop the
 * connection, or the BARRIER_ACK for a promise that the epoch's writes
 * are durable.  Only under detach: pass_on keeps DRBD's full resync.
 */
void rdbd_ioerr_tell_peer_failed(struct rdbd_device *dev)
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

/*
 * Does a sync or verify need this node's disk to go on?  A thread of ours
 * reads it for the peer (SyncSource, VerifyS), or a Secondary writes the
 * peer's resync data to it or answers its verify requests from it.  A
 * Diskless Secondary connects to no one (handshake.c), so it leaves the
 * connection at once rather than when the next resync block crosses its
 * detach.  A Primary SyncTarget or VerifyT keeps the connection: its peer
 * serves its I/O from now on.
 */
static bool rdbd_ioerr_sync_needs_disk(struct rdbd_device *dev)
{
	enum rdbd_conn_state cs = READ_ONCE(dev->conn.cstate);

	if (rdbd_cs_sync_source(cs) || cs == RDBD_CONN_VERIFY_S)
		return true;
	return dev->role != RDBD_ROLE_PRIMARY &&
	       (rdbd_cs_sync_target(cs) || cs == RDBD_CONN_VERIFY_T);
}

/*
 * Step 2 of the top comment, up to the drain: returns the failed disk,
 * no longer used for new I/O, or NULL if there is nothing to detach.
 * state_mutex held.
 */
static struct rdbd_backing *rdbd_ioerr_detach_begin(struct rdbd_device *dev)
{
	struct rdbd_backing *ldev;
	bool detach, tell;

	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	detach = dev->ioerr.detach;
	ldev = dev->ldev;
	if (detach && ldev) {
		dev->disk_state = RDBD_DISK_FAILED;
		/* before STATE: the peer answers with DATA_UUID */
		if (dev->role == RDBD_ROLE_PRIMARY)
			dev->ioerr.served_uuid = ldev->md.uuid[RDBD_UUID_CURRENT] &
						 ~RDBD_UUID_PRIMARY_BIT;
	} else {
		dev->ioerr.detach = false;	/* detached meanwhile */
	}
	spin_unlock_irq(&dev->req_lock);
	if (!detach || !ldev)
		return NULL;
	pr_err("rdbd%u: I/O error on %s: disk Failed, detaching (on-io-error detach)\n",
	       dev->minor, ldev->path);
	rdbd_set_last_error(dev, "I/O error on %s: detached (on-io-error detach)",
			    ldev->path);
	rdbd_nl_notify_state(dev);
	spin_lock_irq(&dev->req_lock);
	tell = !dev->ioerr.told_peer;
	dev->ioerr.told_peer = true;
	spin_unlock_irq(&dev->req_lock);
	if (tell)
		rdbd_ioerr_send_state(dev, RDBD_DISK_FAILED);
	if (rdbd_ioerr_sync_needs_disk(dev)) {
		pr_err("rdbd%u: the sync or verify this node takes part in cannot go on without its disk: dropping the connection\n",
		       dev->minor);
		rdbd_conn_kill(dev);
	}
	/* After STATE(Failed): the writes that now go to the peer only. */
	ldev = rdbd_io_stop(dev, RDBD_DISK_FAILED);
	spin_lock_irq(&dev->req_lock);
	dev->ioerr.draining = true;
	spin_unlock_irq(&dev->req_lock);
	return ldev;
}

/*
 * Step 3 of the top comment, once nothing holds @ldev: state_mutex held
 * again.  The device may have been disconnected meanwhile (nothing is
 * sent then); it cannot have been removed or given another disk: both
 * wait while ioerr.draining is set.
 */
static void rdbd_ioerr_detach_finish(struct rdbd_device *dev,
				     struct rdbd_backing *ldev)
{
	lockdep_assert_held(&dev->state_mutex);
	if (dev->role == RDBD_ROLE_PRIMARY)	/* a Secondary NEG_ACKed */
		rdbd_ioerr_send_oos(dev);
	spin_lock_irq(&dev->req_lock);
	dev->disk_state = RDBD_DISK_DISKLESS;
	spin_unlock_irq(&dev->req_lock);
	rdbd_conn_send_state(dev);
	/* A Diskless Primary keeps its size: the peer serves it. */
	if (dev->role != RDBD_ROLE_PRIMARY)
		set_capacity_and_notify(dev->disk, 0);
	spin_lock_irq(&dev->req_lock);
	dev->ioerr.detach = false;
	dev->ioerr.draining = false;
	spin_unlock_irq(&dev->req_lock);
	wake_up_all(&dev->ioerr.wait);
	pr_notice("rdbd%u: detached from failed %s; %s\n", dev->minor,
		  ldev->path, dev->role == RDBD_ROLE_PRIMARY ?
		  "reads and writes go to the peer" : "Diskless");
	/* No bitmap writeout: the disk failed, and a resync replaces it. */
	rdbd_backing_close(ldev);
	rdbd_nl_notify_state(dev);
}

/**
 * rdbd_ioerr_wait_detached - wait until a detach in progress is finished
 * @dev: the device (state_mutex held; dropped while waiting)
 *
 * For down and module unload, which remove what the drain still needs.
 * Returns 0, or -ENODEV if the device was removed meanwhile.
 */
int rdbd_ioerr_wait_detached(struct rdbd_device *dev)
{
	lockdep_assert_held(&dev->state_mutex);
	while (READ_ONCE(dev->ioerr.draining)) {
		mutex_unlock(&dev->state_mutex);
		/* idle: as long as the drain, which teardown bounds */
		wait_event_idle(dev->ioerr.wait, !READ_ONCE(dev->ioerr.draining));
		mutex_lock(&dev->state_mutex);
		if (dev->removed)
			return -ENODEV;
	}
	return 0;
}

/* Tell a Diskless Primary peer which data generation it is served. */
static void rdbd_ioerr_send_data_uuid(struct rdbd_device *dev)
{
	struct rdbd_p_sync_uuid p = {};

	if (!rdbd_connected(dev) ||
	    READ_ONCE(dev->conn.peer_role) != RDBD_ROLE_PRIMARY)
		return;
	p.uuid = cpu_to_be64(dev->ldev->md.uuid[RDBD_UUID_CURRENT] &
			     ~RDBD_UUID_PRIMARY_BIT);
	rdbd_send_packet(dev, RDBD_P_DATA_UUID, &p, sizeof(p));
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
	if (!lost || !ldev)
		return;
	md = ldev->md;
	if (!md.uuid[RDBD_UUID_BITMAP]) {
		rdbd_md_new_current_uuid(&md);
		if (dev->role == RDBD_ROLE_PRIMARY)
			md.uuid[RDBD_UUID_CURRENT] |= RDBD_UUID_PRIMARY_BIT;
		if (rdbd_md_write(dev, ldev, &md, NULL))
			return;
		pr_info("rdbd%u: peer's disk lost: new current UUID %016llX\n",
			dev->minor, md.uuid[RDBD_UUID_CURRENT]);
	}
	rdbd_ioerr_send_data_uuid(dev);
}

static void rdbd_ioerr_work(struct work_struct *work)
{
	struct rdbd_device *dev = container_of(work, struct rdbd_device,
					       ioerr.work);
	struct rdbd_backing *ldev = NULL;

	mutex_lock(&dev->state_mutex);
	if (!dev->removed)
		ldev = rdbd_ioerr_detach_begin(dev);
	mutex_unlock(&dev->state_mutex);
	if (ldev)
		rdbd_io_drain(dev);	/* without state_mutex: see the top */
	mutex_lock(&dev->state_mutex);
	if (ldev)
		rdbd_ioerr_detach_finish(dev, ldev);
	if (!dev->removed)
		rdbd_ioerr_new_generation(dev);
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
	rdbd_tl_peer_disk_lost(dev);
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
	rdbd_ioerr_tell_peer_failed(dev);
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
 * ATTACH: not while a failed disk drains (see "Locking" at the top).  On
 * a Primary (its disk failed and the peer serves it): only with a
 * Connected UpToDate peer to resync the disk from.  state_mutex held.
 */
int rdbd_ioerr_attach_check(struct rdbd_device *dev,
			    struct netlink_ext_ack *extack)
{
	enum rdbd_disk_state pds = READ_ONCE(dev->conn.peer_disk_state);
	enum rdbd_conn_state cs = READ_ONCE(dev->conn.cstate);

	lockdep_assert_held(&dev->state_mutex);
	if (dev->ioerr.draining) {
		rdbd_extack(extack, dev->minor,
			    "cannot attach yet: the failed disk is still being detached (its I/O in flight has not finished); retry once the disk is Diskless");
		return -EAGAIN;
	}
	if (dev->role != RDBD_ROLE_PRIMARY)
		return 0;
	if (cs == RDBD_CONN_CONNECTED && pds == RDBD_DISK_UPTODATE)
		return 0;
	rdbd_extack(extack, dev->minor,
		    "cannot attach a disk while Primary: %s; a Primary's new disk is resynced from a Connected UpToDate peer (run 'rdbdadm connect', or 'rdbdadm secondary' first)",
		    cs < RDBD_CONN_CONNECTED ? "the peer is not connected" :
		    cs > RDBD_CONN_CONNECTED ? "a resync or verify is running" :
		    "the peer's disk is not UpToDate");
	return -EBUSY;
}

/**
 * rdbd_ioerr_attach_primary - a Primary's new disk, before it is used
 * @dev: the device (state_mutex held), Primary and Diskless
 * @ldev: the disk, metadata read
 * @disk_state: set to Inconsistent
 * @extack: where to explain a refusal
 *
 * The disk must hold what the device shows, and is marked Inconsistent
 * on disk before any write reaches it: a crash now must not leave a disk
 * that claims data it does not have.
 */
int rdbd_ioerr_attach_primary(struct rdbd_device *dev,
			      struct rdbd_backing *ldev,
			      enum rdbd_disk_state *disk_state,
			      struct netlink_ext_ack *extack)
{
	u64 sectors = ldev->layout.data_bytes >> SECTOR_SHIFT;
	struct rdbd_md md = ldev->md;

	lockdep_assert_held(&dev->state_mutex);
	if (sectors != get_capacity(dev->disk)) {
		rdbd_extack(extack, dev->minor,
			    "cannot attach %s while Primary: its data area is %llu KiB, the device serves %llu KiB",
			    ldev->path, sectors >> 1,
			    (u64)get_capacity(dev->disk) >> 1);
		return -EINVAL;
	}
	*disk_state = RDBD_DISK_INCONSISTENT;
	md.flags = rdbd_md_state_flags(md.flags, RDBD_ROLE_PRIMARY,
				       RDBD_DISK_INCONSISTENT);
	return rdbd_md_write(dev, ldev, &md, extack);
}

/* Has this Primary's disk to be synced before it is read?  Any context. */
bool rdbd_ioerr_read_from_peer(struct rdbd_device *dev)
{
	return READ_ONCE(dev->role) == RDBD_ROLE_PRIMARY &&
	       READ_ONCE(dev->disk_state) == RDBD_DISK_INCONSISTENT;
}

/*
 * SYNC_UUID reached a Primary (state_mutex held): true once, and only
 * after its own REATTACH on this connection (not in a handshake).
 */
bool rdbd_ioerr_take_reattach(struct rdbd_device *dev)
{
	bool ok;

	spin_lock_irq(&dev->req_lock);
	ok = dev->ioerr.reattach &&
	     dev->conn.cstate == RDBD_CONN_CONNECTED;
	dev->ioerr.reattach = false;
	spin_unlock_irq(&dev->req_lock);
	return ok;
}

/* Step 2 of "Reattach while Primary".  state_mutex held. */
static void rdbd_ioerr_send_reattach(struct rdbd_device *dev)
{
	struct rdbd_p_reattach p = {};
	int i;

	for (i = 0; i < RDBD_UUID_SLOTS; i++)
		p.uuid[i] = cpu_to_be64(dev->ldev->md.uuid[i]);
	spin_lock_irq(&dev->req_lock);
	dev->ioerr.reattach = true;
	spin_unlock_irq(&dev->req_lock);
	rdbd_conn_send_state(dev);
	if (rdbd_send_packet(dev, RDBD_P_REATTACH, &p, sizeof(p)))
		pr_err("rdbd%u: cannot ask the peer to resync the new disk: the connection failed; the disk stays Inconsistent\n",
		       dev->minor);
	else
		pr_info("rdbd%u: disk attached while Primary: asked the peer to resync it; reads go to the peer until then\n",
			dev->minor);
}

/* Why this node cannot resync a Primary's new disk now, or 0. */
static int rdbd_ioerr_reattach_check(struct rdbd_device *dev)
{
	const char *why = NULL;

	if (dev->role == RDBD_ROLE_PRIMARY)
		why = "this node is Primary";
	else if (!dev->ldev || dev->disk_state != RDBD_DISK_UPTODATE)
		why = "this node's disk is not UpToDate";
	else if (dev->conn.cstate != RDBD_CONN_CONNECTED)
		why = "a resync or verify is running";
	else if (READ_ONCE(dev->conn.peer_role) != RDBD_ROLE_PRIMARY ||
		 READ_ONCE(dev->conn.peer_disk_state) == RDBD_DISK_UPTODATE)
		why = "the peer is not a Primary with a new disk";
	if (!why)
		return 0;
	rdbd_conn_error(dev, "peer asked to resync its new disk, but %s; dropping connection",
			why);
	return -EPROTO;
}

/**
 * rdbd_ioerr_got_reattach - REATTACH: our Primary attached a disk
 * @dev: the device; receive loop
 * @p: the new disk's UUIDs
 *
 * Step 3 of "Reattach while Primary" (see the top).
 */
int rdbd_ioerr_got_reattach(struct rdbd_device *dev,
			    const struct rdbd_p_reattach *p)
{
	u64 cur = be64_to_cpu(p->uuid[RDBD_UUID_CURRENT]) &
		  ~RDBD_UUID_PRIMARY_BIT;
	u64 bm;
	int err;

	if (!rdbd_conn_lock_state(dev))
		return -EINTR;
	err = rdbd_ioerr_reattach_check(dev);
	if (err)
		goto out_unlock;
	bm = dev->ldev->md.uuid[RDBD_UUID_BITMAP] & ~RDBD_UUID_PRIMARY_BIT;
	pr_info("rdbd%u: the Primary attached a disk (current UUID %016llX): %s sync to it\n",
		dev->minor, cur, bm && bm == cur ? "bitmap" : "full");
	err = rdbd_sync_source_begin_connected(dev, !bm || bm != cur);
	if (err)
		rdbd_conn_error(dev, "cannot start the sync of the Primary's new disk: %s; dropping connection",
				rdbd_strerror(err));
	rdbd_nl_notify_state(dev);
out_unlock:
	mutex_unlock(&dev->state_mutex);
	return err;
}

/*
 * A disk was attached (state_mutex held).  On a Primary the peer resyncs
 * it in place (see the top).  Otherwise, while connected (the old one
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
	if (dev->role == RDBD_ROLE_PRIMARY) {
		rdbd_ioerr_send_reattach(dev);
		return;
	}
	if (READ_ONCE(conn->cstate) < RDBD_CONN_CONNECTED)
		return;
	/* At best Outdated until the handshake compared it with the peer. */
	spin_lock_irq(&dev->req_lock);
	dev->disk_state = min(dev->disk_state, RDBD_DISK_OUTDATED);
	spin_unlock_irq(&dev->req_lock);
	pr_info("rdbd%u: disk attached while connected: reconnecting so the handshake decides the resync\n",
		dev->minor);
	rdbd_conn_kill(dev);
}

/*
 * DATA_UUID (receive loop): the generation of the data our peer serves
 * this Diskless Primary; a reconnect needs it (rdbd_ioerr_hs_diskless()).
 */
int rdbd_ioerr_got_data_uuid(struct rdbd_device *dev,
			     const struct rdbd_p_sync_uuid *p)
{
	u64 uuid = be64_to_cpu(p->uuid) & ~RDBD_UUID_PRIMARY_BIT;

	if (!uuid) {
		rdbd_conn_error(dev, "peer sent an empty DATA_UUID; dropping connection");
		return -EPROTO;
	}
	spin_lock_irq(&dev->req_lock);
	dev->ioerr.served_uuid = uuid;
	spin_unlock_irq(&dev->req_lock);
	pr_info("rdbd%u: the peer serves data generation %016llX\n",
		dev->minor, uuid);
	return 0;
}

/* The generation a Diskless Primary serves (0: none known).  Any context. */
u64 rdbd_ioerr_served_uuid(struct rdbd_device *dev)
{
	u64 uuid;

	spin_lock_irq(&dev->req_lock);
	uuid = dev->role == RDBD_ROLE_PRIMARY ? dev->ioerr.served_uuid : 0;
	spin_unlock_irq(&dev->req_lock);
	return uuid;
}

/**
 * rdbd_ioerr_hs_diskless - the handshake when one node is Diskless
 * @dev: the device (state_mutex held), WFReportParams
 * @peer_role: the peer's role
 * @peer_disk: its disk state
 * @peer_uuid: its current UUID (a Diskless Primary: the one it served)
 * @peer_bytes: its data area, 0 if Diskless
 *
 * Only a Diskless Primary and an UpToDate Secondary connect, and only if
 * the Secondary still holds the data generation the Primary served: if
 * it was promoted (or resynced) while apart, the application's view
 * would change under it.  Returns 0, -EPROTO (retry) or -EPERM.
 */
int rdbd_ioerr_hs_diskless(struct rdbd_device *dev, enum rdbd_role peer_role,
			   enum rdbd_disk_state peer_disk, u64 peer_uuid,
			   u64 peer_bytes)
{
	bool self = !dev->ldev;		/* this node is the Diskless one */
	enum rdbd_role dl_role = self ? dev->role : peer_role;
	enum rdbd_role disk_role = self ? peer_role : dev->role;
	enum rdbd_disk_state ds = self ? peer_disk : dev->disk_state;
	u64 served = (self ? rdbd_ioerr_served_uuid(dev) : peer_uuid) &
		     ~RDBD_UUID_PRIMARY_BIT;
	u64 data = (self ? peer_uuid : dev->ldev->md.uuid[RDBD_UUID_CURRENT]) &
		   ~RDBD_UUID_PRIMARY_BIT;

	lockdep_assert_held(&dev->state_mutex);
	if ((self && !peer_bytes) || dl_role != RDBD_ROLE_PRIMARY ||
	    disk_role == RDBD_ROLE_PRIMARY || ds != RDBD_DISK_UPTODATE) {
		rdbd_conn_error(dev, "a Diskless node connects only as Primary to an UpToDate Secondary (this node: %s/%s, the peer: %s/%s); dropping connection",
				rdbd_role_name(dev->role),
				rdbd_disk_state_name(dev->disk_state),
				rdbd_role_name(peer_role),
				rdbd_disk_state_name(peer_disk));
		return -EPROTO;
	}
	if (self && (peer_bytes >> SECTOR_SHIFT) < get_capacity(dev->disk)) {
		rdbd_conn_error(dev, "the peer's disk (%llu KiB) is smaller than this Diskless Primary (%llu KiB)",
				peer_bytes >> 10,
				(u64)get_capacity(dev->disk) >> 1);
		return -EPERM;
	}
	if (!served || served != data) {
		rdbd_conn_error(dev, "refusing to connect: the Diskless Primary served data generation %016llX, the Secondary holds %016llX (changed while apart)",
				served, data);
		return -EPERM;
	}
	if (!self) {	/* mark every write of the peer, as at its detach */
		spin_lock_irq(&dev->req_lock);
		dev->ioerr.peer_disk_lost = true;
		rdbd_ioerr_queue(dev);
		spin_unlock_irq(&dev->req_lock);
	}
	pr_info("rdbd%u: %s, data generation %016llX\n", dev->minor,
		self ? "Diskless Primary connected: reads and writes go to the peer" :
		"the peer is a Diskless Primary: serving its I/O", data);
	return 0;
}
