// SPDX-License-Identifier: GPL-2.0
/*
 * Resync: the SyncSource sends the blocks marked in the dirty bitmap
 * (bitmap.c) to the SyncTarget.  Before a sync both nodes exchange their
 * bitmaps and OR them (handshake.c), so both hold the union: every block
 * either side changed without the other.  A full sync is the same with
 * every bit set.
 *
 * The source runs the thread rdbd_sync/N: it walks the bitmap, taking
 * runs of marked blocks as chunks of up to RDBD_SYNC_CHUNK, keeping up to
 * sync_window MiB (and RDBD_SYNC_MAX_CHUNKS chunks) unacked (a module
 * parameter; 16 MiB keeps a 1 Gbit/s link with a few ms of latency full;
 * the chunk limit keeps scattered 4 KiB blocks from being sent one round
 * trip at a time).  The rate is limited by the disk options (a token
 * bucket, charged with each chunk's real size).  For each chunk it
 *   1. takes ownership of the range on dev->active, like an application
 *      write (req.c), so no application write to that range is in flight
 *      from before the read until the target has written the chunk, then
 *      trims the chunk to the blocks still marked (a replicated write may
 *      have brought some in sync meanwhile);
 *   2. reads it from the local disk into pool pages (asynchronously:
 *      the reads of later chunks overlap the sending of earlier ones);
 *   3. sends it in order: alone as RS_DATA (zero copy: the pages are
 *      ours until the ack), or, if the peer offered RDBD_FEAT_RS_BATCH,
 *      together with the chunks read after it as one RS_BATCH (up to
 *      RDBD_RS_BATCH_EXTENTS chunks, RDBD_RS_BATCH_DATA bytes, copied
 *      into the socket by one send), each chunk marked with the batch's
 *      id;
 *   4. on RS_WRITE_ACK, or on the RS_BATCH_ACK of its batch, which the
 *      target sends once every chunk of the batch is on its disk
 *      (receive loop), clears its bits and releases the range and the
 *      pages.  The target clears each chunk's bits when it wrote it.
 * Batches exist because scattered 4 KiB blocks make one-block chunks:
 * 16 MiB dirty at random in 256 MiB is about 4000 chunks, and alone
 * each costs a packet, an ack, a wakeup of this thread and an ack_work
 * run on the target, which under QEMU TCG cost more than the I/O.  A
 * batch keeps each chunk's own range, read, write and bits, so every
 * rule here holds per chunk; only the packet and the ack are shared (a
 * chunk is acked, and its bits cleared, only when its whole batch is).
 * resync_sent_kib counts the data of each chunk sent, headers not
 * included, whichever packet carried it.
 * An application write to the range is thus either fully replicated
 * before the chunk is read (and the chunk carries its data), or waits and
 * is sent after the chunk, and the target applies both in that order.
 * When a pass finds no marked block and every chunk is acked, the source
 * sends SYNC_DONE with its UUIDs.
 *
 * UUIDs (DRBD's): at the start the source's bitmap UUID moves on and is
 * sent as SYNC_UUID; the target takes it as its current UUID with no
 * bitmap UUID, and is Inconsistent.  At the end the source moves its
 * bitmap UUID into the history and the target copies the source's set;
 * both are UpToDate.  A connection lost mid-sync leaves the target
 * Inconsistent with the source's bitmap UUID as its current one, so the
 * next handshake makes it the target of a bitmap sync again; both bitmaps
 * were written at the teardown with the acked chunks cleared, so the sync
 * resumes where it stopped.
 */
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "rdbd_int.h"

#define RDBD_SYNC_CHUNK		RDBD_WIRE_MAX_DATA
#define RDBD_BM_BLOCK_SHIFT	12	/* log2(RDBD_BM_BLOCK_BYTES) */
#define RDBD_SYNC_SECTORS_PER_BIT (RDBD_BM_BLOCK_BYTES >> SECTOR_SHIFT)
#define RDBD_UUID_BITMAP_STEP	(1ULL << 48)	/* DRBD's UUID_NEW_BM_OFFSET */
#define RDBD_SYNC_WINDOW_MAX	256

/* Chunks in flight; read when a sync starts.  A knob for measurements. */
static unsigned int sync_window = 16;
module_param(sync_window, uint, 0644);
static bool sync_copy;
module_param(sync_copy, bool, 0644);
MODULE_PARM_DESC(sync_copy, "send resync chunks with one copying sendmsg instead of sendpage per page");
MODULE_PARM_DESC(sync_window, "MiB of resync data in flight (1-256, default 16)");
static bool sync_batch = true;
module_param(sync_batch, bool, 0644);
MODULE_PARM_DESC(sync_batch, "send scattered resync chunks in RS_BATCH packets to a peer that takes them (default Y)");

/*
 * Chunks in flight at most, whatever their size: scattered 4 KiB blocks
 * make small chunks, and a window counted in bytes alone would then keep
 * thousands of requests in flight.
 */
#define RDBD_SYNC_MAX_CHUNKS	512

/* A chunk sent and not yet acked. */
struct rdbd_rs_req {
	struct rdbd_interval iv;	/* on dev->active */
	u64 batch_id;			/* req_lock; 0: sent alone (RS_DATA) */
	struct list_head list;		/* on conn.rs_pending, req_lock */
	struct list_head reading;	/* sync thread: read, not yet sent */
	struct completion read_done;
	struct bio *bio;
	bool resend;			/* req_lock: a peer write overlapped */
};

/* A sync starts: its size is what the bitmap marks now. */
static void rdbd_sync_begin_counters(struct rdbd_device *dev)
{
	spin_lock_irq(&dev->req_lock);
	dev->conn.sync_total_sectors = dev->ldev ? dev->ldev->bm.weight *
		(RDBD_BM_BLOCK_BYTES >> SECTOR_SHIFT) : 0;
	dev->conn.sync_done_sectors = 0;
	dev->conn.sync_start = jiffies;
	spin_unlock_irq(&dev->req_lock);
}

static void rdbd_sync_end_counters(struct rdbd_device *dev)
{
	spin_lock_irq(&dev->req_lock);
	dev->conn.sync_total_sectors = 0;
	dev->conn.sync_done_sectors = 0;
	spin_unlock_irq(&dev->req_lock);
}

static void rdbd_sync_log_end(struct rdbd_device *dev)
{
	unsigned int ms = jiffies_to_msecs(jiffies - dev->conn.sync_start);
	u64 kib = dev->conn.sync_total_sectors >> 1;

	pr_info("rdbd%u: sync done: %llu KiB in %u ms (%llu KiB/s)\n",
		dev->minor, kib, ms, div_u64(kib * 1000, max(ms, 1U)));
}

/* Caller holds state_mutex: local disk state under both locks. */
static void rdbd_sync_set_disk(struct rdbd_device *dev,
			       enum rdbd_disk_state ds)
{
	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	dev->disk_state = ds;
	spin_unlock_irq(&dev->req_lock);
}

/* ---- source ---- */

static void rdbd_rs_req_free(struct rdbd_device *dev, struct rdbd_rs_req *rs)
{
	rdbd_free_page_bio(rs->bio);
	kfree(rs);
}

/* Kill the connection from a thread that does not own it. */
void rdbd_sync_fail(struct rdbd_device *dev)
{
	rdbd_conn_kill(dev);
}

static void rdbd_rs_read_endio(struct bio *bio)
{
	struct rdbd_rs_req *rs = bio->bi_private;

	complete(&rs->read_done);
}

/*
 * Own @rs's range, then trim it to the marked blocks inside it (req_lock
 * held; dropped while waiting for the range).  Returns false if none is
 * marked any more: the range is released again.
 */
static bool rdbd_sync_own_chunk(struct rdbd_device *dev,
				struct rdbd_backing *ldev,
				struct rdbd_rs_req *rs)
{
	u64 first = rs->iv.sector / RDBD_SYNC_SECTORS_PER_BIT;
	u64 end = first + (rs->iv.size >> RDBD_BM_BLOCK_SHIFT);
	unsigned int len;

	lockdep_assert_held(&dev->req_lock);
	rdbd_iv_acquire(dev, &rs->iv);
	first = rdbd_bm_next_run(dev, ldev, first, end - first, &len);
	if (!len || first >= end) {
		rdbd_iv_release(dev, &rs->iv);
		return false;
	}
	/* A sub-range of what we own: nobody else can own it. */
	rs->iv.sector = first * RDBD_SYNC_SECTORS_PER_BIT;
	rs->iv.size = min_t(u64, len, end - first) << RDBD_BM_BLOCK_SHIFT;
	/*
	 * Writes received from a Primary SyncTarget (ioerr.c) are on our
	 * disk before the chunk is read; the caller puts it on rs_pending
	 * without dropping req_lock, so later ones mark it for a resend
	 * (rdbd_sync_note_peer_write()).
	 */
	wait_event_lock_irq(dev->conn.peer_wait,
			    !rdbd_iv_conflicts(dev, &dev->conn.peer_active,
					       &rs->iv),
			    dev->req_lock);
	return true;
}

/*
 * Take the next run of marked blocks at or after *@cursor (below @limit
 * blocks) as a chunk, own it and start reading it.  It is on
 * conn.rs_pending from now on (the ack finds it there once it is sent)
 * and on @reading until it is sent; *@kib is its size.  Returns false
 * when this pass of the bitmap found nothing more.
 */
static bool rdbd_sync_read_next(struct rdbd_device *dev,
				struct rdbd_backing *ldev, u64 *cursor,
				u64 limit, struct list_head *reading, u32 *kib)
{
	struct rdbd_rs_req *rs;
	unsigned int len;
	u64 first;
	bool owned;

	/* GFP_NOIO and __GFP_NOFAIL: small, and waiting beats failing. */
	rs = kzalloc(sizeof(*rs), GFP_NOIO | __GFP_NOFAIL);
	init_completion(&rs->read_done);
	spin_lock_irq(&dev->req_lock);
	do {
		first = rdbd_bm_next_run(dev, ldev, *cursor,
					 RDBD_SYNC_CHUNK >> RDBD_BM_BLOCK_SHIFT,
					 &len);
		if (!len || first >= limit) {
			spin_unlock_irq(&dev->req_lock);
			kfree(rs);
			*cursor = limit;
			return false;
		}
		len = min_t(u64, len, limit - first);
		*cursor = first + len;
		rs->iv.sector = first * RDBD_SYNC_SECTORS_PER_BIT;
		rs->iv.size = len << RDBD_BM_BLOCK_SHIFT;
		owned = rdbd_sync_own_chunk(dev, ldev, rs);
	} while (!owned);
	list_add_tail(&rs->list, &dev->conn.rs_pending);
	dev->conn.rs_inflight++;
	dev->conn.rs_inflight_kib += rs->iv.size >> 10;
	spin_unlock_irq(&dev->req_lock);
	*kib = rs->iv.size >> 10;

	rs->bio = rdbd_alloc_page_bio(dev, ldev->bdev, REQ_OP_READ,
				      rs->iv.size);
	rs->bio->bi_iter.bi_sector = rs->iv.sector;
	rs->bio->bi_private = rs;
	rs->bio->bi_end_io = rdbd_rs_read_endio;
	list_add_tail(&rs->reading, reading);
	submit_bio(rs->bio);
	return true;
}

/* Wait for @rs's read and take it off @reading; -EIO if it failed. */
static int rdbd_sync_read_wait(struct rdbd_device *dev,
			       struct rdbd_rs_req *rs)
{
	struct bio *bio = rs->bio;

	wait_for_completion(&rs->read_done);
	list_del_init(&rs->reading);
	if (bio->bi_status) {
		rdbd_conn_error(dev, "sync: reading sector %llu failed",
				(u64)rs->iv.sector);
		return -EIO;	/* rs stays pending: rdbd_sync_abort frees it */
	}
	rdbd_io_count(dev, REQ_OP_READ, rs->iv.size >> SECTOR_SHIFT);
	/* The read advanced bi_iter: point it at the data again. */
	bio->bi_iter.bi_sector = rs->iv.sector;
	bio->bi_iter.bi_size = rs->iv.size;
	bio->bi_iter.bi_idx = 0;
	bio->bi_iter.bi_bvec_done = 0;
	return 0;
}

static void rdbd_sync_count_sent(struct rdbd_device *dev, u32 bytes)
{
	spin_lock_irq(&dev->req_lock);
	dev->conn.rs_sent_sectors += bytes >> SECTOR_SHIFT;
	spin_unlock_irq(&dev->req_lock);
}

/* Send @rs, read, alone as RS_DATA (acked by its sector). */
static int rdbd_sync_send_one(struct rdbd_device *dev, struct rdbd_rs_req *rs)
{
	struct rdbd_p_data p = {
		.sector = cpu_to_be64(rs->iv.sector),
		.block_id = cpu_to_be64(rs->iv.sector),
		.size = cpu_to_be32(rs->iv.size),
	};
	int err;

	if (READ_ONCE(sync_copy))
		err = rdbd_send_page_bio(dev, RDBD_P_RS_DATA, &p, rs->bio);
	else
		err = rdbd_send_data(dev, RDBD_P_RS_DATA, &p, rs->bio, true);
	if (err)
		return err;
	rdbd_sync_count_sent(dev, rs->iv.size);
	return 1;
}

/*
 * The sync thread's RS_BATCH buffers, allocated once per sync: the fixed
 * part and extents as sent, and the pages of every chunk in the batch.
 */
struct rdbd_rs_batch_tx {
	u64 next_id;
	struct {
		struct rdbd_p_rs_batch hdr;
		struct rdbd_p_rs_extent ext[RDBD_RS_BATCH_EXTENTS];
	} p;	/* no padding: 24 + 16 * n bytes, as sent */
	/*
	 * Each chunk's pages: its bytes / PAGE_SIZE, plus one part-filled
	 * page.  With 4 KiB chunks in pages larger than 4 KiB the extra
	 * page is most of it.
	 */
	struct bio_vec bv[RDBD_RS_BATCH_DATA / PAGE_SIZE +
			  RDBD_RS_BATCH_EXTENTS];
};

/* Can @rs join a batch of @count chunks and @bytes so far? */
static bool rdbd_sync_batch_fits(const struct rdbd_rs_req *rs, u32 count,
				 u32 bytes)
{
	return count < RDBD_RS_BATCH_EXTENTS &&
	       rs->iv.size <= RDBD_RS_BATCH_DATA - bytes;
}

/* Add @rs, read, as the next extent of the batch in @tx. */
static void rdbd_sync_batch_add(struct rdbd_rs_batch_tx *tx,
				struct rdbd_rs_req *rs, u32 *count,
				u32 *bytes, unsigned int *nr_pages)
{
	struct rdbd_p_rs_extent *ext = &tx->p.ext[*count];

	ext->sector = cpu_to_be64(rs->iv.sector);
	ext->size = cpu_to_be32(rs->iv.size);
	ext->pad = 0;
	/* our own pages, whole, from the bvec table's start */
	memcpy(&tx->bv[*nr_pages], rs->bio->bi_io_vec,
	       rs->bio->bi_vcnt * sizeof(tx->bv[0]));
	*nr_pages += rs->bio->bi_vcnt;
	*bytes += rs->iv.size;
	(*count)++;
}

/*
 * @first (read) and the chunks after it on @reading while they fit, as
 * one RS_BATCH: their reads are waited for in order, each gets the
 * batch's id (the ack names it) and the packet goes out in one send.
 */
static int rdbd_sync_send_batch(struct rdbd_device *dev,
				struct rdbd_rs_batch_tx *tx,
				struct rdbd_rs_req *first,
				struct list_head *reading)
{
	u64 id = ++tx->next_id;
	struct rdbd_rs_req *rs = first;
	unsigned int nr_pages = 0;
	u32 count = 0, bytes = 0;
	int err = 0;

	for (;;) {
		spin_lock_irq(&dev->req_lock);
		rs->batch_id = id;
		spin_unlock_irq(&dev->req_lock);
		rdbd_sync_batch_add(tx, rs, &count, &bytes, &nr_pages);
		rs = list_first_entry_or_null(reading, struct rdbd_rs_req,
					      reading);
		if (!rs || !rdbd_sync_batch_fits(rs, count, bytes))
			break;
		err = rdbd_sync_read_wait(dev, rs);
		if (err)
			return err;
	}
	tx->p.hdr.batch_id = cpu_to_be64(id);
	tx->p.hdr.count = cpu_to_be32(count);
	err = rdbd_send_bvecs(dev, RDBD_P_RS_BATCH, &tx->p,
			      sizeof(tx->p.hdr) + count * sizeof(tx->p.ext[0]),
			      tx->bv, nr_pages, bytes);
	if (err)
		return err;
	rdbd_sync_count_sent(dev, bytes);
	return count;
}

/*
 * Wait for the oldest read and send its chunk: in an RS_BATCH with the
 * chunks read after it if the peer takes batches (@tx) and one fits
 * behind it, else alone.  Returns the chunks sent, or an error.
 */
static int rdbd_sync_send_chunk(struct rdbd_device *dev,
				struct rdbd_rs_batch_tx *tx,
				struct list_head *reading)
{
	struct rdbd_rs_req *rs = list_first_entry(reading, struct rdbd_rs_req,
						  reading);
	struct rdbd_rs_req *next;
	int err;

	err = rdbd_sync_read_wait(dev, rs);
	if (err)
		return err;
	next = list_first_entry_or_null(reading, struct rdbd_rs_req, reading);
	if (tx && next && rdbd_sync_batch_fits(rs, 0, 0) &&
	    rdbd_sync_batch_fits(next, 1, rs->iv.size))
		return rdbd_sync_send_batch(dev, tx, rs, reading);
	return rdbd_sync_send_one(dev, rs);
}

/* Room for another chunk: less than @window_kib unacked (or stopping). */
static bool rdbd_sync_window_open(struct rdbd_device *dev, u64 window_kib)
{
	bool open;

	spin_lock_irq(&dev->req_lock);
	open = dev->conn.rs_inflight_kib < window_kib &&
	       dev->conn.rs_inflight < RDBD_SYNC_MAX_CHUNKS;
	spin_unlock_irq(&dev->req_lock);
	return open || kthread_should_stop();
}

/* Every chunk acked (or stopping). */
static bool rdbd_sync_all_acked(struct rdbd_device *dev)
{
	bool done;

	spin_lock_irq(&dev->req_lock);
	done = !dev->conn.rs_inflight;
	spin_unlock_irq(&dev->req_lock);
	return done || kthread_should_stop();
}

/* Stopping: reads still in flight own their pages until they complete. */
static void rdbd_sync_wait_reads(struct list_head *reading)
{
	struct rdbd_rs_req *rs, *next;

	list_for_each_entry_safe(rs, next, reading, reading) {
		wait_for_completion(&rs->read_done);
		list_del_init(&rs->reading);
	}
}

/*
 * All chunks acked: new UUIDs, SYNC_DONE, Connected.  @ldev is the disk
 * the thread pinned; a failed one is stopped (ioerr.c) before it drains,
 * so it may no longer be the device's.
 */
static void rdbd_sync_source_finish(struct rdbd_device *dev,
				    struct rdbd_backing *ldev)
{
	struct rdbd_p_sync_done p = {};
	struct rdbd_md md;
	int i;

	if (!rdbd_conn_lock_state(dev))
		return;
	if (!rdbd_cs_sync_source(dev->conn.cstate) || dev->ldev != ldev)
		goto out_unlock;
	md = ldev->md;
	md.uuid[RDBD_UUID_HISTORY1] = md.uuid[RDBD_UUID_HISTORY0];
	md.uuid[RDBD_UUID_HISTORY0] = md.uuid[RDBD_UUID_BITMAP];
	md.uuid[RDBD_UUID_BITMAP] = 0;
	md.flags &= ~RDBD_MDF_CRASHED_PRIMARY;	/* both UpToDate now */
	if (rdbd_bm_write(dev, ldev) || rdbd_md_write(dev, ldev, &md, NULL)) {
		rdbd_sync_fail(dev);
		goto out_unlock;
	}
	for (i = 0; i < RDBD_UUID_SLOTS; i++)
		p.uuid[i] = cpu_to_be64(md.uuid[i]);
	if (rdbd_send_packet(dev, RDBD_P_SYNC_DONE, &p, sizeof(p)))
		goto out_unlock;
	rdbd_sync_log_end(dev);
	rdbd_sync_end_counters(dev);
	/* The teardown may have run since the check above. */
	if (rdbd_conn_busy_done(dev, RDBD_DISK_UPTODATE))
		rdbd_nl_notify_state(dev);
out_unlock:
	mutex_unlock(&dev->state_mutex);
}

/* ---- rate and pause ---- */

/* A sync moves only while neither side's user paused it. */
bool rdbd_sync_paused(struct rdbd_device *dev)
{
	return READ_ONCE(dev->conn.pause_user) ||
	       READ_ONCE(dev->conn.pause_peer);
}

/*
 * Show a held sync as PausedSyncS/T and a released one as SyncSource/
 * Target again.  Called whenever the pause flags or the sync change.
 */
void rdbd_sync_apply_pause(struct rdbd_device *dev)
{
	enum rdbd_conn_state cs, next;
	bool paused = rdbd_sync_paused(dev);

	spin_lock_irq(&dev->req_lock);
	cs = dev->conn.cstate;
	spin_unlock_irq(&dev->req_lock);
	next = cs;
	if (rdbd_cs_sync_source(cs))
		next = paused ? RDBD_CONN_PAUSED_SYNC_S : RDBD_CONN_SYNC_SOURCE;
	else if (rdbd_cs_sync_target(cs))
		next = paused ? RDBD_CONN_PAUSED_SYNC_T : RDBD_CONN_SYNC_TARGET;
	if (next != cs)
		rdbd_set_cstate(dev, next);
	wake_up_all(&dev->conn.rs_wait);
}

/* Tell the peer whether our user holds syncs (after a handshake, too). */
void rdbd_sync_send_pause(struct rdbd_device *dev)
{
	struct rdbd_p_sync_pause p = {
		.paused = cpu_to_be32(READ_ONCE(dev->conn.pause_user)),
	};

	if (rdbd_connected(dev))
		rdbd_send_packet(dev, RDBD_P_SYNC_PAUSE, &p, sizeof(p));
}

/**
 * rdbd_sync_pause - PAUSE_SYNC / RESUME_SYNC
 * @dev: the device (state_mutex held)
 * @pause: hold (true) or release (false) syncs from this node
 * @extack: unused: both always succeed
 *
 * The flag outlives connections, as DRBD's user pause does: a sync that
 * starts later starts paused.
 */
int rdbd_sync_pause(struct rdbd_device *dev, bool pause,
		    struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&dev->state_mutex);
	if (READ_ONCE(dev->conn.pause_user) == pause)
		return 0;
	WRITE_ONCE(dev->conn.pause_user, pause);
	rdbd_sync_send_pause(dev);
	rdbd_sync_apply_pause(dev);
	pr_info("rdbd%u: sync %s by the user\n", dev->minor,
		pause ? "paused" : "resumed");
	return RDBD_CHANGED;
}

/* SYNC_PAUSE from the peer (receive loop). */
int rdbd_sync_got_pause(struct rdbd_device *dev,
			const struct rdbd_p_sync_pause *p)
{
	u32 paused = be32_to_cpu(p->paused);

	if (paused > 1) {
		rdbd_conn_error(dev, "peer sent sync pause %u; dropping connection",
				paused);
		return -EPROTO;
	}
	WRITE_ONCE(dev->conn.pause_peer, paused);
	rdbd_sync_apply_pause(dev);
	return 0;
}

/* The rate the controller allows now, KiB/s; 0 = unlimited.  req_lock. */
static u32 rdbd_sync_rate(struct rdbd_device *dev, bool app_busy)
{
	const struct rdbd_disk_conf *c = &dev->disk_conf;

	lockdep_assert_held(&dev->req_lock);
	if (!c->c_plan_ahead_ds)
		return c->resync_rate_kib;
	/* Application writes first: resync keeps only its minimum. */
	if (app_busy && c->c_min_rate_kib)
		return c->c_min_rate_kib;
	return c->c_max_rate_kib;
}

/* A token bucket in KiB (struct rdbd_throttle), refilled at the
 * controller's rate; online verify (verify.c) uses it too. */
void rdbd_throttle_init(struct rdbd_device *dev, struct rdbd_throttle *t)
{
	t->last = jiffies;
	t->budget_kib = 1;		/* the first chunk goes at once */
	spin_lock_irq(&dev->req_lock);
	t->app_writes = dev->app_writes;
	spin_unlock_irq(&dev->req_lock);
}

/*
 * Wait until the rate allows sending more (the bucket is not in debt),
 * or the sync is paused, or the thread must stop.  The chunk then sent is
 * charged afterwards (rdbd_throttle_charge), at its real size.  Sleeps in
 * short steps so a rate or pause change takes effect quickly.  Returns
 * false if paused or stopping.
 */
bool rdbd_sync_throttle(struct rdbd_device *dev, struct rdbd_throttle *t)
{
	while (!kthread_should_stop() && !rdbd_sync_paused(dev)) {
		unsigned long now = jiffies;
		bool busy;
		u32 rate;

		spin_lock_irq(&dev->req_lock);
		busy = dev->app_writes != t->app_writes;
		t->app_writes = dev->app_writes;
		rate = rdbd_sync_rate(dev, busy);
		spin_unlock_irq(&dev->req_lock);
		if (!rate)
			return true;
		t->budget_kib += div_u64((u64)rate * (now - t->last), HZ);
		/* at most a tenth of a second of burst */
		t->budget_kib = min_t(s64, t->budget_kib, max(rate / 10, 1U));
		t->last = now;
		if (t->budget_kib > 0)
			return true;
		schedule_timeout_interruptible(HZ / 50);
	}
	return false;
}

void rdbd_throttle_charge(struct rdbd_throttle *t, u32 kib)
{
	t->budget_kib -= kib;
}

/* Paused: wait until released or told to stop. */
void rdbd_sync_wait_unpaused(struct rdbd_device *dev)
{
	wait_event_interruptible_timeout(dev->conn.rs_wait,
					 !rdbd_sync_paused(dev) ||
					 kthread_should_stop(), HZ);
}

/* Is any block below @limit still marked?  (Another pass needed.) */
static bool rdbd_sync_marks_left(struct rdbd_device *dev,
				 struct rdbd_backing *ldev, u64 limit)
{
	unsigned int len;
	u64 first;

	spin_lock_irq(&dev->req_lock);
	first = rdbd_bm_next_run(dev, ldev, 0, 1, &len);
	spin_unlock_irq(&dev->req_lock);
	return len && first < limit;
}

/*
 * Keep up to sync_window chunks between "read started" and "acked",
 * so reading, sending and the target's writing overlap.  Passes over the
 * bitmap repeat until one finds nothing marked with every chunk acked
 * (a block marked behind the cursor, e.g. by a write whose replication
 * failed, is then picked up).
 */
static int rdbd_sync_thread(void *arg)
{
	struct rdbd_device *dev = arg;
	struct rdbd_backing *ldev = rdbd_io_get_backing(dev);
	u64 window = (u64)clamp(READ_ONCE(sync_window), 1U,
				RDBD_SYNC_WINDOW_MAX) << 10;	/* KiB */
	u64 limit = get_capacity(dev->disk) / RDBD_SYNC_SECTORS_PER_BIT;
	struct rdbd_rs_batch_tx *tx = NULL;
	struct rdbd_throttle throttle;
	u64 cursor = 0, chunks = 0, packets = 0;
	bool more = true;
	LIST_HEAD(reading);
	int err = 0;

	if (!ldev)
		return 0;
	/* Without the buffers, chunks go alone: slower, still correct. */
	if ((dev->conn.features & RDBD_FEAT_RS_BATCH) && READ_ONCE(sync_batch))
		tx = kzalloc(sizeof(*tx), GFP_KERNEL);
	rdbd_throttle_init(dev, &throttle);
	while (!err && !kthread_should_stop()) {
		if (more && rdbd_sync_paused(dev) && list_empty(&reading)) {
			rdbd_sync_wait_unpaused(dev);
			continue;
		}
		if (more && rdbd_sync_window_open(dev, window) &&
		    rdbd_sync_throttle(dev, &throttle)) {
			u32 kib = 0;

			more = rdbd_sync_read_next(dev, ldev, &cursor, limit,
						   &reading, &kib);
			rdbd_throttle_charge(&throttle, kib);
			continue;
		}
		if (!list_empty(&reading)) {
			err = rdbd_sync_send_chunk(dev, tx, &reading);
			if (err > 0) {
				chunks += err;
				packets++;
				err = 0;
			}
		} else if (more) {
			wait_event(dev->conn.rs_wait,
				   rdbd_sync_window_open(dev, window) ||
				   rdbd_sync_paused(dev));
		} else if (!rdbd_sync_all_acked(dev)) {
			wait_event(dev->conn.rs_wait,
				   rdbd_sync_all_acked(dev));
		} else if (rdbd_sync_marks_left(dev, ldev, limit)) {
			cursor = 0;
			more = true;
		} else {
			break;
		}
	}
	rdbd_sync_wait_reads(&reading);
	kfree(tx);
	if (err) {
		rdbd_sync_fail(dev);
	} else if (!kthread_should_stop()) {
		pr_info("rdbd%u: sync sent %llu chunks in %llu packets\n",
			dev->minor, chunks, packets);
		rdbd_sync_source_finish(dev, ldev);
	}
	rdbd_io_put_backing(dev, REQ_OP_READ, 0, BLK_STS_OK);
	return 0;
}

/* Reap a sync thread that ended (or stop a running one).  req_lock free. */
void rdbd_sync_source_stop(struct rdbd_device *dev)
{
	struct task_struct *thread;

	spin_lock_irq(&dev->req_lock);
	thread = dev->conn.sync_thread;
	dev->conn.sync_thread = NULL;
	spin_unlock_irq(&dev->req_lock);
	if (!thread)
		return;
	kthread_stop(thread);
	put_task_struct(thread);
}

/* Connected as SyncSource (state_mutex held): start sending. */
void rdbd_sync_source_start(struct rdbd_device *dev)
{
	struct task_struct *thread;

	lockdep_assert_held(&dev->state_mutex);
	rdbd_sync_source_stop(dev);	/* the previous one, finished */
	rdbd_sync_begin_counters(dev);
	thread = kthread_create(rdbd_sync_thread, dev, "rdbd_sync/%u",
				dev->minor);
	if (IS_ERR(thread)) {
		rdbd_conn_error(dev, "cannot start the sync thread: %s",
				rdbd_strerror(PTR_ERR(thread)));
		rdbd_sync_fail(dev);
		return;
	}
	get_task_struct(thread);
	spin_lock_irq(&dev->req_lock);
	dev->conn.sync_thread = thread;
	spin_unlock_irq(&dev->req_lock);
	pr_info("rdbd%u: sync to the peer started: %llu KiB marked\n",
		dev->minor, dev->conn.sync_total_sectors >> 1);
	wake_up_process(thread);
}

/**
 * rdbd_sync_new_bitmap_uuid - the source's UUIDs at the start of a sync
 * @dev: the device (state_mutex held), about to be SyncSource
 * @sync_uuid: the new bitmap UUID, for SYNC_UUID
 *
 * As DRBD: the bitmap UUID moves on by 2^48 (UUID_NEW_BM_OFFSET), or is
 * made up if there was none; written to disk before it is sent.
 */
int rdbd_sync_new_bitmap_uuid(struct rdbd_device *dev, u64 *sync_uuid)
{
	struct rdbd_md md = dev->ldev->md;
	u64 bm = md.uuid[RDBD_UUID_BITMAP];

	lockdep_assert_held(&dev->state_mutex);
	if (!bm || bm == RDBD_UUID_JUST_CREATED)
		bm = get_random_u64() & ~RDBD_UUID_PRIMARY_BIT;
	else
		bm += RDBD_UUID_BITMAP_STEP;
	md.uuid[RDBD_UUID_BITMAP] = bm;
	*sync_uuid = bm;
	return rdbd_md_write(dev, dev->ldev, &md, NULL);
}

/*
 * Connected, and the peer's disk needs our data (state_mutex held): a
 * forced promote made our data the good copy while the peer is
 * Inconsistent (@full: its data is of no use, every block moves), or a
 * Diskless Primary attached a disk (ioerr.c; @full unless our bitmap
 * holds everything it missed).  Start a sync as the source.
 */
int rdbd_sync_source_begin_connected(struct rdbd_device *dev, bool full)
{
	struct rdbd_p_sync_uuid p = {};
	u64 bm;
	int err;

	lockdep_assert_held(&dev->state_mutex);
	if (full)
		rdbd_bm_set_all(dev, dev->ldev);
	err = rdbd_bm_write(dev, dev->ldev);
	if (!err)
		err = rdbd_bm_send(dev, full);
	if (!err)
		err = rdbd_sync_new_bitmap_uuid(dev, &bm);
	if (err)
		return err;
	p.uuid = cpu_to_be64(bm);
	err = rdbd_send_packet(dev, RDBD_P_SYNC_UUID, &p, sizeof(p));
	if (err)
		return err;
	spin_lock_irq(&dev->req_lock);
	dev->conn.peer_disk_state = RDBD_DISK_INCONSISTENT;
	spin_unlock_irq(&dev->req_lock);
	rdbd_set_cstate(dev, RDBD_CONN_SYNC_SOURCE);
	rdbd_sync_apply_pause(dev);
	rdbd_sync_source_start(dev);
	return 0;
}

/* @rs is on the target's disk: clear its bits, release its range.  */
static void rdbd_sync_chunk_acked(struct rdbd_device *dev,
				  struct rdbd_rs_req *rs)
{
	lockdep_assert_held(&dev->req_lock);
	list_del(&rs->list);
	/*
	 * ldev: detach is refused while connected.  A resend marks the
	 * chunk again: the target may hold older data, though the peer's
	 * write cleared its bits (ioerr.c).
	 */
	if (dev->ldev && rs->resend)
		rdbd_bm_set_range(dev, dev->ldev, rs->iv.sector, rs->iv.size);
	else if (dev->ldev)
		rdbd_bm_clear_range(dev, dev->ldev, rs->iv.sector,
				    rs->iv.size);
	rdbd_iv_release(dev, &rs->iv);
	dev->conn.rs_inflight--;
	dev->conn.rs_inflight_kib -= rs->iv.size >> 10;
	dev->conn.sync_done_sectors += rs->iv.size >> SECTOR_SHIFT;
}

/*
 * The chunks of batch @id on rs_pending, moved to @acked if they are
 * exactly what the ack names (@size bytes, the first at @sector);
 * else nothing moves.  req_lock held.
 */
static bool rdbd_sync_take_batch(struct rdbd_device *dev, u64 id,
				 u64 sector, u32 size, struct list_head *acked)
{
	struct rdbd_rs_req *rs, *next, *first = NULL;
	u64 bytes = 0;

	lockdep_assert_held(&dev->req_lock);
	list_for_each_entry(rs, &dev->conn.rs_pending, list) {
		if (rs->batch_id != id)
			continue;
		first = first ? first : rs;
		bytes += rs->iv.size;
	}
	if (!id || !first || first->iv.sector != sector || bytes != size)
		return false;
	list_for_each_entry_safe(rs, next, &dev->conn.rs_pending, list) {
		if (rs->batch_id != id)
			continue;
		rdbd_sync_chunk_acked(dev, rs);
		list_add_tail(&rs->list, acked);
	}
	return true;
}

/* The target wrote every chunk of a batch (RS_BATCH_ACK, receive loop). */
int rdbd_sync_got_batch_ack(struct rdbd_device *dev,
			    const struct rdbd_p_ack *p)
{
	u64 id = be64_to_cpu(p->block_id);
	struct rdbd_rs_req *rs, *next;
	LIST_HEAD(acked);
	bool found;

	spin_lock_irq(&dev->req_lock);
	found = rdbd_sync_take_batch(dev, id, be64_to_cpu(p->sector),
				     be32_to_cpu(p->size), &acked);
	spin_unlock_irq(&dev->req_lock);
	if (!found) {
		rdbd_conn_error(dev, "peer acked resync batch %llu (%u bytes at sector %llu) that was not sent; dropping connection",
				id, be32_to_cpu(p->size),
				(u64)be64_to_cpu(p->sector));
		return -EPROTO;
	}
	wake_up_all(&dev->conn.rs_wait);
	list_for_each_entry_safe(rs, next, &acked, list)
		rdbd_rs_req_free(dev, rs);
	return 0;
}

/* The target acked a chunk (receive loop). */
int rdbd_sync_got_ack(struct rdbd_device *dev, u16 cmd,
		      const struct rdbd_p_ack *p)
{
	u64 id = be64_to_cpu(p->block_id);
	struct rdbd_rs_req *rs, *found = NULL;

	if (cmd == RDBD_P_RS_NEG_ACK) {
		rdbd_conn_error(dev, "peer failed to write resync data at sector %llu; dropping connection",
				(u64)be64_to_cpu(p->sector));
		return -EIO;
	}
	spin_lock_irq(&dev->req_lock);
	list_for_each_entry(rs, &dev->conn.rs_pending, list) {
		if (!rs->batch_id && rs->iv.sector == id) {
			found = rs;
			rdbd_sync_chunk_acked(dev, rs);
			break;
		}
	}
	spin_unlock_irq(&dev->req_lock);
	if (!found) {
		rdbd_conn_error(dev, "peer acked resync data at sector %llu that was not sent; dropping connection",
				id);
		return -EPROTO;
	}
	wake_up_all(&dev->conn.rs_wait);
	rdbd_rs_req_free(dev, found);
	return 0;
}

/**
 * rdbd_sync_note_peer_write - a write from the peer reached our disk
 * @dev: the device (req_lock held), SyncSource to a Primary (ioerr.c)
 * @iv: what it writes
 *
 * The Primary wrote it on its own disk too, maybe before the older copy
 * of a chunk we sent lands there: every unacked chunk it overlaps is
 * marked again at its ack (the write's own ack may have cleared the
 * bits) and sent again.  The Primary sends such a write before it
 * submits it locally (req.c), so it reaches us before the ack of any
 * chunk it may race with.
 */
void rdbd_sync_note_peer_write(struct rdbd_device *dev,
			       const struct rdbd_interval *iv)
{
	struct rdbd_rs_req *rs;

	lockdep_assert_held(&dev->req_lock);
	list_for_each_entry(rs, &dev->conn.rs_pending, list)
		if (rdbd_iv_overlaps(&rs->iv, iv))
			rs->resend = true;
}

/* Connection gone, sync thread stopped: forget the unacked chunks. */
void rdbd_sync_abort(struct rdbd_device *dev)
{
	struct rdbd_rs_req *rs;

	for (;;) {
		spin_lock_irq(&dev->req_lock);
		rs = list_first_entry_or_null(&dev->conn.rs_pending,
					      struct rdbd_rs_req, list);
		if (rs) {
			list_del(&rs->list);
			rdbd_iv_release(dev, &rs->iv);
			dev->conn.rs_inflight--;
			dev->conn.rs_inflight_kib -= rs->iv.size >> 10;
		}
		spin_unlock_irq(&dev->req_lock);
		if (!rs)
			break;
		rdbd_rs_req_free(dev, rs);
	}
	rdbd_sync_end_counters(dev);
}

/* ---- target ---- */

/* SYNC_UUID during the handshake (state_mutex held). */
int rdbd_sync_target_begin(struct rdbd_device *dev, u64 sync_uuid)
{
	struct rdbd_backing *ldev = dev->ldev;
	struct rdbd_md md;

	lockdep_assert_held(&dev->state_mutex);
	if (!ldev) {	/* it failed (ioerr.c): nothing to sync to */
		rdbd_conn_error(dev, "peer started a sync, but this node has no disk; dropping connection");
		return -EPROTO;
	}
	md = ldev->md;
	/* A Primary only after its own REATTACH (ioerr.c), never by handshake */
	if (dev->role == RDBD_ROLE_PRIMARY && !rdbd_ioerr_take_reattach(dev)) {
		rdbd_conn_error(dev, "I shall become SyncTarget, but I am primary!");
		return -EPERM;
	}
	md.uuid[RDBD_UUID_CURRENT] = sync_uuid & ~RDBD_UUID_PRIMARY_BIT;
	md.uuid[RDBD_UUID_BITMAP] = 0;
	md.flags = rdbd_md_state_flags(md.flags, dev->role,
				       RDBD_DISK_INCONSISTENT);
	/* The bitmap first: what must move is on disk before we say so. */
	if (rdbd_bm_write(dev, ldev) || rdbd_md_write(dev, ldev, &md, NULL))
		return -EIO;
	rdbd_sync_set_disk(dev, RDBD_DISK_INCONSISTENT);
	rdbd_sync_begin_counters(dev);
	pr_info("rdbd%u: sync from the peer started: %llu KiB marked\n",
		dev->minor, dev->conn.sync_total_sectors >> 1);
	return 0;
}

/* SYNC_UUID after the handshake (receive loop). */
int rdbd_sync_target_start(struct rdbd_device *dev, u64 sync_uuid)
{
	int err;

	if (!rdbd_conn_lock_state(dev))
		return -EINTR;
	/* A sync starts from Connected: not during a sync or verify. */
	if (dev->conn.cstate != RDBD_CONN_CONNECTED) {
		rdbd_conn_error(dev, "peer started a sync while this node is busy (connection state %d); dropping connection",
				dev->conn.cstate);
		mutex_unlock(&dev->state_mutex);
		return -EPROTO;
	}
	err = rdbd_sync_target_begin(dev, sync_uuid);
	if (!err) {
		spin_lock_irq(&dev->req_lock);
		dev->conn.peer_disk_state = RDBD_DISK_UPTODATE;
		spin_unlock_irq(&dev->req_lock);
		rdbd_set_cstate(dev, RDBD_CONN_SYNC_TARGET);
		rdbd_sync_apply_pause(dev);
		rdbd_nl_notify_state(dev);
	}
	mutex_unlock(&dev->state_mutex);
	return err;
}

/*
 * A resync chunk, or a replicated write (@resync false), is on our disk
 * (ack_work): the blocks it covers equal the peer's now.
 */
void rdbd_sync_target_progress(struct rdbd_device *dev, sector_t sector,
			       u32 bytes, bool resync)
{
	spin_lock_irq(&dev->req_lock);
	if (resync && dev->conn.sync_total_sectors)
		dev->conn.sync_done_sectors += bytes >> SECTOR_SHIFT;
	if (dev->ldev)
		rdbd_bm_clear_range(dev, dev->ldev, sector, bytes);
	spin_unlock_irq(&dev->req_lock);
}

/* SYNC_DONE (receive loop): every chunk is on our disk and acked. */
int rdbd_sync_target_done(struct rdbd_device *dev,
			  const struct rdbd_p_sync_done *p)
{
	struct rdbd_backing *ldev = dev->ldev;
	struct rdbd_md md;
	int i, err = 0;

	if (!rdbd_conn_lock_state(dev))
		return -EINTR;
	if (!rdbd_cs_sync_target(dev->conn.cstate) || !ldev) {
		rdbd_conn_error(dev, "peer ended a sync that was not running; dropping connection");
		err = -EPROTO;
		goto out_unlock;
	}
	md = ldev->md;
	for (i = 0; i < RDBD_UUID_SLOTS; i++)
		md.uuid[i] = be64_to_cpu(p->uuid[i]);
	md.uuid[RDBD_UUID_CURRENT] &= ~RDBD_UUID_PRIMARY_BIT;
	md.flags = rdbd_md_state_flags(md.flags, dev->role,
				       RDBD_DISK_UPTODATE);
	md.flags &= ~RDBD_MDF_CRASHED_PRIMARY;
	/* Every block is the source's now: nothing is out of sync. */
	rdbd_bm_clear_all(dev, ldev);
	err = rdbd_bm_write(dev, ldev);
	if (!err)
		err = rdbd_md_write(dev, ldev, &md, NULL);
	if (err)
		goto out_unlock;
	rdbd_sync_set_disk(dev, RDBD_DISK_UPTODATE);
	rdbd_sync_log_end(dev);
	rdbd_sync_end_counters(dev);
	rdbd_set_cstate(dev, RDBD_CONN_CONNECTED);
	rdbd_conn_send_state(dev);
	rdbd_nl_notify_state(dev);
	rdbd_helper_later(dev, "after-resync-target");
out_unlock:
	mutex_unlock(&dev->state_mutex);
	return err;
}
