// SPDX-License-Identifier: GPL-2.0
/*
 * Online verify: compare both disks block by block while the device stays
 * in use, and mark the 4 KiB blocks that differ out of sync on both nodes.
 * Nothing is copied: as in DRBD 8.4, a following disconnect and connect
 * resyncs the marked blocks (the Primary's new UUID makes it a bitmap
 * sync).  The packets and their order are in <rdbd/wire.h>.
 *
 * VerifyS (the node the admin asked) runs the thread rdbd_verify/N: it
 * reads one batch of up to RDBD_VERIFY_BATCH blocks, hashes each block
 * with the configured shash (crc32c or sha256: the kernel crypto API) and
 * sends the digests, keeping up to RDBD_VERIFY_WINDOW batches unanswered
 * so reading, hashing and the peer's work overlap.  The resync rate
 * controller (disk options, pause-sync) paces it like a resync.  VerifyT
 * handles each DIGESTS in its receive loop: reads the same blocks, hashes
 * and compares, marks, and answers with the mask of differing blocks.
 *
 * Racing application writes: neither side locks the ranges it reads.
 * Taking dev->active on the receiving side could deadlock (an application
 * write there may wait for an ack only this receive loop can process), and
 * no lock is needed for correctness: a block that differs before the
 * verify and is not written during it is read identically by both sides,
 * so it is always found.  A block written meanwhile may be read before the
 * write on one side and after it on the other: at worst it is marked
 * although it is equal, and the next resync copies it once more.  Marking
 * never touches data, so nothing can be corrupted.
 *
 * Lifetime and locking of struct rdbd_verify (conn.verify):
 *   - created by the starter: VERIFY on S (netlink, state_mutex) or
 *     VERIFY_START on T (receive loop); installed under req_lock;
 *   - while `starting` (S: from install until VerifyS or failure), the
 *     starter owns it and teardown leaves it alone; a failed start frees it;
 *   - afterwards the connection owns it: teardown (connection thread,
 *     after the receive loop ended) stops the thread and frees it; a later
 *     start replaces a finished one and frees it after reaping its thread;
 *   - the receive loop uses it only in VerifyS/VerifyT, which only it, the
 *     thread (on finishing) and teardown leave, so it stays valid there.
 *   req_lock protects: inflight, next_result, reply fields, conn.verify
 *   itself and conn.verify_stats.  The thread owns pos and its buffers;
 *   the receive loop owns next_sector and mine[].
 */
#include <crypto/hash.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include "rdbd_int.h"

#define RDBD_VERIFY_BLOCK	4096U
#define RDBD_VERIFY_SECTORS	(RDBD_VERIFY_BLOCK >> SECTOR_SHIFT)
/* Batches unanswered at most: 16 x 256 KiB keeps a fast link busy. */
#define RDBD_VERIFY_WINDOW	16

struct rdbd_verify {
	struct crypto_shash *tfm;
	unsigned int digest_len;
	char alg[RDBD_VERIFY_ALG_MAX];
	bool starting;			/* req_lock; see the top */
	struct task_struct *thread;	/* S; req_lock (pointer) */
	/* S: answers */
	unsigned int inflight;		/* req_lock: batches unanswered */
	u64 next_result;		/* req_lock: sector of the oldest */
	wait_queue_head_t wait;		/* inflight dropped */
	/* S: VERIFY_REPLY, req_lock */
	bool reply_ready;
	int reply;			/* 0 or -errno */
	char peer_alg[RDBD_VERIFY_ALG_LEN + 1];
	/* T: receive loop only */
	u64 next_sector;
	u8 mine[RDBD_VERIFY_BATCH * RDBD_VERIFY_DIGEST_MAX];
};

/* The algorithms rdbd tests; the kernel may have more, but untested ones
 * are refused rather than trusted. */
static const char *const rdbd_verify_algs[] = { "crc32c", "sha256" };

static bool rdbd_verify_alg_known(const char *alg)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(rdbd_verify_algs); i++)
		if (!strcmp(alg, rdbd_verify_algs[i]))
			return true;
	return false;
}

/**
 * rdbd_verify_get_conf - RDBD_NET_VERIFY_ALG of a CONNECT
 * @dev: the device
 * @alg: the attribute, or NULL (verify refused on this connection)
 * @conf: where the name goes
 * @extack: where to explain a refusal
 */
int rdbd_verify_get_conf(struct rdbd_device *dev, const struct nlattr *alg,
			 struct rdbd_net_conf *conf,
			 struct netlink_ext_ack *extack)
{
	if (!alg)
		return 0;
	nla_strscpy(conf->verify_alg, alg, sizeof(conf->verify_alg));
	if (!rdbd_verify_alg_known(conf->verify_alg)) {
		NL_SET_BAD_ATTR(extack, alg);
		rdbd_extack(extack, dev->minor,
			    "verify-alg '%.32s' is not supported (crc32c or sha256)",
			    conf->verify_alg);
		return -EINVAL;
	}
	if (!crypto_has_shash(conf->verify_alg, 0, 0)) {
		NL_SET_BAD_ATTR(extack, alg);
		rdbd_extack(extack, dev->minor,
			    "verify-alg '%.32s': the kernel has no such hash",
			    conf->verify_alg);
		return -EINVAL;
	}
	return 0;
}

static void rdbd_verify_free(struct rdbd_verify *v)
{
	if (!v)
		return;
	if (v->thread) {
		kthread_stop(v->thread);
		put_task_struct(v->thread);
	}
	crypto_free_shash(v->tfm);
	kfree(v);
}

static struct rdbd_verify *rdbd_verify_alloc(const char *alg)
{
	struct rdbd_verify *v = kzalloc(sizeof(*v), GFP_KERNEL);

	if (!v)
		return ERR_PTR(-ENOMEM);
	v->tfm = crypto_alloc_shash(alg, 0, 0);
	if (IS_ERR(v->tfm)) {
		long err = PTR_ERR(v->tfm);

		kfree(v);
		return ERR_PTR(err);
	}
	v->digest_len = crypto_shash_digestsize(v->tfm);
	if (v->digest_len > RDBD_VERIFY_DIGEST_MAX) {
		crypto_free_shash(v->tfm);
		kfree(v);
		return ERR_PTR(-EINVAL);
	}
	strscpy(v->alg, alg, sizeof(v->alg));
	init_waitqueue_head(&v->wait);
	return v;
}

/* Install @v as conn.verify; returns the one it replaces (to free). */
static struct rdbd_verify *rdbd_verify_install(struct rdbd_device *dev,
					       struct rdbd_verify *v)
{
	struct rdbd_verify *old;

	lockdep_assert_held(&dev->req_lock);
	old = dev->conn.verify;
	dev->conn.verify = v;
	return old;
}

static void rdbd_verify_stats_begin(struct rdbd_device *dev)
{
	struct rdbd_verify_stats *st = &dev->conn.verify_stats;

	lockdep_assert_held(&dev->req_lock);
	st->total_sectors = get_capacity(dev->disk);
	st->done_sectors = 0;
	st->oos_blocks = 0;
	st->running = true;
}

/*
 * rdbd_set_cstate() in two halves, for a state change that must be
 * checked and made under one hold of req_lock.
 */
static void rdbd_verify_set_cstate_locked(struct rdbd_device *dev,
					  enum rdbd_conn_state cs)
{
	lockdep_assert_held(&dev->req_lock);
	dev->conn.cstate = cs;
	rdbd_mark_volatile(dev);	/* as rdbd_set_cstate() */
}

static void rdbd_verify_cstate_changed(struct rdbd_device *dev)
{
	wake_up_all(&dev->conn.state_wait);
	rdbd_notify_later(dev);
}

/* ---- reading and hashing ---- */

/*
 * Read @blocks blocks from @sector and put the digest of each at
 * @out + i * digest_len.  Sleeps; the caller pinned @ldev.
 */
static int rdbd_verify_hash(struct rdbd_device *dev, struct rdbd_backing *ldev,
			    struct rdbd_verify *v, sector_t sector,
			    unsigned int blocks, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, v->tfm);
	struct bio *bio;
	unsigned int i;
	int err;

	bio = rdbd_alloc_page_bio(dev, ldev->bdev, REQ_OP_READ,
				  blocks * RDBD_VERIFY_BLOCK);
	bio->bi_iter.bi_sector = sector;
	err = submit_bio_wait(bio);
	if (err) {
		rdbd_free_page_bio(bio);
		return err;
	}
	rdbd_io_count(dev, REQ_OP_READ, blocks * RDBD_VERIFY_SECTORS);
	desc->tfm = v->tfm;
	/*
	 * rdbd_alloc_page_bio: whole pages from the first, so block i is at
	 * byte i * 4 KiB of them; a page (4 KiB or more, a multiple of it)
	 * may hold several blocks, never part of one.
	 */
	for (i = 0; i < blocks && !err; i++) {
		u32 pos = i * RDBD_VERIFY_BLOCK;
		struct page *page = bio->bi_io_vec[pos / PAGE_SIZE].bv_page;
		void *data = kmap_local_page(page);

		err = crypto_shash_digest(desc, data + offset_in_page(pos),
					  RDBD_VERIFY_BLOCK,
					  out + i * v->digest_len);
		kunmap_local(data);
	}
	shash_desc_zero(desc);
	rdbd_free_page_bio(bio);
	return err;
}

/* Mark the blocks of @mask (block i at @sector + i blocks).  req_lock. */
static void rdbd_verify_mark(struct rdbd_device *dev, sector_t sector,
			     u64 mask)
{
	struct rdbd_verify_stats *st = &dev->conn.verify_stats;

	lockdep_assert_held(&dev->req_lock);
	while (mask) {
		unsigned int i = __ffs64(mask);

		mask &= mask - 1;
		/* ldev: detach is refused while connected */
		if (dev->ldev)
			rdbd_bm_set_range(dev, dev->ldev,
					  sector + i * RDBD_VERIFY_SECTORS,
					  RDBD_VERIFY_BLOCK);
		st->oos_blocks++;
	}
}

/* ---- the end ---- */

static void rdbd_verify_log_end(struct rdbd_device *dev, const char *how)
{
	struct rdbd_verify_stats st;

	spin_lock_irq(&dev->req_lock);
	dev->conn.verify_stats.running = false;
	st = dev->conn.verify_stats;
	spin_unlock_irq(&dev->req_lock);
	pr_info("rdbd%u: online verify %s: %llu blocks (%llu KiB) out of sync, %llu of %llu KiB compared\n",
		dev->minor, how, st.oos_blocks,
		st.oos_blocks * (RDBD_VERIFY_BLOCK >> 10),
		st.done_sectors >> 1, st.total_sectors >> 1);
}

/* Verify over (state_mutex held): marks on disk, log, Connected, event. */
static void rdbd_verify_end(struct rdbd_device *dev)
{
	lockdep_assert_held(&dev->state_mutex);
	if (dev->ldev)
		rdbd_bm_write(dev, dev->ldev);
	rdbd_verify_log_end(dev, "done");
	/* VerifyS: the teardown may have run since the caller's check. */
	if (rdbd_conn_busy_done(dev, RDBD_DISK_DUNKNOWN))
		rdbd_nl_notify_state(dev);
}

/* S: every batch answered. */
static void rdbd_verify_source_finish(struct rdbd_device *dev)
{
	struct rdbd_p_verify_done p = {};

	if (!rdbd_conn_lock_state(dev))
		return;
	if (dev->conn.cstate != RDBD_CONN_VERIFY_S)
		goto out_unlock;
	spin_lock_irq(&dev->req_lock);
	p.blocks = cpu_to_be64(dev->conn.verify_stats.done_sectors /
			       RDBD_VERIFY_SECTORS);
	p.mismatched = cpu_to_be64(dev->conn.verify_stats.oos_blocks);
	spin_unlock_irq(&dev->req_lock);
	if (rdbd_send_packet(dev, RDBD_P_VERIFY_DONE, &p, sizeof(p)))
		goto out_unlock;	/* teardown ends it */
	rdbd_verify_end(dev);
out_unlock:
	mutex_unlock(&dev->state_mutex);
}

/* ---- S: the thread ---- */

static bool rdbd_verify_window_open(struct rdbd_device *dev,
				    struct rdbd_verify *v, unsigned int max)
{
	bool open;

	spin_lock_irq(&dev->req_lock);
	open = v->inflight < max;
	spin_unlock_irq(&dev->req_lock);
	return open || kthread_should_stop();
}

/* Wait for the rate controller (and a pause-sync) to let a batch go. */
static bool rdbd_verify_pace(struct rdbd_device *dev, struct rdbd_throttle *t)
{
	while (!kthread_should_stop()) {
		if (rdbd_sync_throttle(dev, t))
			return true;
		if (rdbd_sync_paused(dev))
			rdbd_sync_wait_unpaused(dev);
	}
	return false;
}

/* Hash and send the batch at block @pos. */
static int rdbd_verify_send_batch(struct rdbd_device *dev,
				  struct rdbd_backing *ldev,
				  struct rdbd_verify *v, u64 pos,
				  unsigned int blocks,
				  struct rdbd_p_verify_digests *p)
{
	sector_t sector = pos * RDBD_VERIFY_SECTORS;
	int err;

	memset(p, 0, sizeof(*p));
	err = rdbd_verify_hash(dev, ldev, v, sector, blocks, p->digests);
	if (err) {
		rdbd_conn_error(dev, "online verify: reading sector %llu failed: %s",
				(u64)sector, rdbd_strerror(err));
		return err;
	}
	p->sector = cpu_to_be64(sector);
	p->blocks = cpu_to_be32(blocks);
	p->digest_len = cpu_to_be32(v->digest_len);
	/* Counted first: the answer may come before the send returns. */
	spin_lock_irq(&dev->req_lock);
	v->inflight++;
	spin_unlock_irq(&dev->req_lock);
	return rdbd_send_packet(dev, RDBD_P_VERIFY_DIGESTS, p, sizeof(*p));
}

static int rdbd_verify_thread(void *arg)
{
	struct rdbd_device *dev = arg;
	struct rdbd_verify *v = dev->conn.verify;	/* see the top */
	struct rdbd_backing *ldev = rdbd_io_get_backing(dev);
	u64 limit = get_capacity(dev->disk) / RDBD_VERIFY_SECTORS;
	struct rdbd_p_verify_digests *p;
	struct rdbd_throttle throttle;
	u64 pos;
	int err = 0;

	p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!ldev || !p) {
		err = -ENOMEM;
		goto out;
	}
	rdbd_throttle_init(dev, &throttle);
	for (pos = 0; pos < limit && !err; pos += RDBD_VERIFY_BATCH) {
		unsigned int blocks = min_t(u64, RDBD_VERIFY_BATCH, limit - pos);

		wait_event(v->wait, rdbd_verify_window_open(dev, v,
							    RDBD_VERIFY_WINDOW));
		if (!rdbd_verify_pace(dev, &throttle))
			break;
		err = rdbd_verify_send_batch(dev, ldev, v, pos, blocks, p);
		rdbd_throttle_charge(&throttle,
				     blocks * (RDBD_VERIFY_BLOCK >> 10));
	}
	if (!err)
		wait_event(v->wait, rdbd_verify_window_open(dev, v, 1));
out:
	kfree(p);
	if (err)
		rdbd_sync_fail(dev);
	else if (!kthread_should_stop())
		rdbd_verify_source_finish(dev);
	if (ldev)
		rdbd_io_put_backing(dev, REQ_OP_READ, 0, BLK_STS_OK);
	return 0;
}

/* ---- S: starting ---- */

/* Why this node cannot start a verify now, or 0.  state_mutex held. */
static int rdbd_verify_check(struct rdbd_device *dev,
			     struct netlink_ext_ack *extack)
{
	enum rdbd_conn_state cs = dev->conn.cstate;

	if (!dev->ldev) {
		rdbd_extack(extack, dev->minor, "no local disk to verify");
		return -ENOMEDIUM;
	}
	if (cs < RDBD_CONN_CONNECTED) {
		rdbd_extack(extack, dev->minor,
			    "online verify needs a Connected peer");
		return -ENOTCONN;
	}
	/* Refused here: that peer would drop VERIFY_START as unknown. */
	if (!(dev->conn.features & RDBD_FEAT_VERIFY)) {
		rdbd_extack(extack, dev->minor,
			    "the peer does not support online verify (its rdbd does not offer the verify feature)");
		return -EOPNOTSUPP;
	}
	if (cs == RDBD_CONN_VERIFY_S || cs == RDBD_CONN_VERIFY_T) {
		rdbd_extack(extack, dev->minor,
			    "an online verify is running already");
		return -EALREADY;
	}
	if (cs != RDBD_CONN_CONNECTED) {
		rdbd_extack(extack, dev->minor,
			    "a resync is in progress: verify after it ends");
		return -EBUSY;
	}
	if (dev->disk_state != RDBD_DISK_UPTODATE ||
	    READ_ONCE(dev->conn.peer_disk_state) != RDBD_DISK_UPTODATE) {
		rdbd_extack(extack, dev->minor,
			    "online verify needs both disks UpToDate");
		return -ENODATA;
	}
	if (!dev->conn.net_conf.verify_alg[0]) {
		rdbd_extack(extack, dev->minor,
			    "no verify-alg configured on this node (net { verify-alg crc32c|sha256; })");
		return -ENOPROTOOPT;
	}
	return 0;
}

/* The peer's refusal of VERIFY_START in words. */
static void rdbd_verify_refused(struct rdbd_device *dev,
				const struct rdbd_verify *v,
				struct netlink_ext_ack *extack)
{
	switch (v->reply) {
	case -ENOPROTOOPT:
		rdbd_extack(extack, dev->minor,
			    "the peer has no verify-alg configured (this node: %s)",
			    v->alg);
		break;
	case -EINVAL:
		rdbd_extack(extack, dev->minor,
			    "the peers must agree on verify-alg: this node has %s, the peer %s",
			    v->alg, v->peer_alg[0] ? v->peer_alg : "none");
		break;
	case -EBUSY:
		rdbd_extack(extack, dev->minor,
			    "the peer is busy (resync or its own verify): retry");
		break;
	default:
		rdbd_extack(extack, dev->minor, "the peer refused: %s",
			    rdbd_strerror(v->reply));
	}
}

/* Send VERIFY_START and wait for the answer. */
static int rdbd_verify_ask_peer(struct rdbd_device *dev, struct rdbd_verify *v,
				struct netlink_ext_ack *extack)
{
	struct rdbd_connection *conn = &dev->conn;
	unsigned long timeout = msecs_to_jiffies(conn->net_conf.timeout_ms +
						 conn->net_conf.ping_timeout_ms);
	struct rdbd_p_verify_start p = {};
	int err;

	strscpy(p.alg, v->alg, sizeof(p.alg));
	p.size_sectors = cpu_to_be64(get_capacity(dev->disk));
	err = rdbd_send_packet(dev, RDBD_P_VERIFY_START, &p, sizeof(p));
	if (!err && !wait_event_timeout(conn->state_wait,
					READ_ONCE(v->reply_ready) ||
					!rdbd_connected(dev), timeout))
		err = -ETIMEDOUT;
	if (!err && !READ_ONCE(v->reply_ready))
		err = -ENOTCONN;
	if (err) {
		rdbd_extack(extack, dev->minor, "the peer did not answer: %s",
			    rdbd_strerror(err));
		return err;
	}
	if (v->reply)
		rdbd_verify_refused(dev, v, extack);
	return v->reply;
}

/* The peer agreed: VerifyS and the thread, unless the link died. */
static int rdbd_verify_go(struct rdbd_device *dev, struct rdbd_verify *v,
			  struct netlink_ext_ack *extack)
{
	struct task_struct *thread;
	bool ok;

	thread = kthread_create(rdbd_verify_thread, dev, "rdbd_verify/%u",
				dev->minor);
	if (IS_ERR(thread)) {
		rdbd_extack(extack, dev->minor, "cannot start the verify thread");
		rdbd_sync_fail(dev);	/* T waits for batches otherwise */
		return PTR_ERR(thread);
	}
	get_task_struct(thread);
	/*
	 * Check and set at once: teardown sets its state first and then
	 * frees a verify that is no longer starting, thread included; so
	 * the thread is also woken before that can happen.
	 */
	spin_lock_irq(&dev->req_lock);
	ok = dev->conn.cstate == RDBD_CONN_CONNECTED;
	if (ok) {
		v->thread = thread;
		v->starting = false;	/* the connection owns it now */
		rdbd_verify_stats_begin(dev);
		rdbd_verify_set_cstate_locked(dev, RDBD_CONN_VERIFY_S);
		wake_up_process(thread);
	}
	spin_unlock_irq(&dev->req_lock);
	if (!ok) {
		kthread_stop(thread);
		put_task_struct(thread);
		rdbd_extack(extack, dev->minor, "the connection was lost");
		return -ENOTCONN;
	}
	rdbd_verify_cstate_changed(dev);
	pr_info("rdbd%u: online verify started (%s, %llu KiB)\n", dev->minor,
		dev->conn.net_conf.verify_alg,
		(u64)get_capacity(dev->disk) >> 1);
	return RDBD_CHANGED;
}

/**
 * rdbd_verify_start - VERIFY: compare both disks, this node VerifyS
 * @dev: the device (state_mutex held)
 * @extack: where to explain a refusal
 */
int rdbd_verify_start(struct rdbd_device *dev, struct netlink_ext_ack *extack)
{
	struct rdbd_verify *v, *old;
	int err;

	lockdep_assert_held(&dev->state_mutex);
	err = rdbd_verify_check(dev, extack);
	if (err)
		return err;
	v = rdbd_verify_alloc(dev->conn.net_conf.verify_alg);
	if (IS_ERR(v)) {
		rdbd_extack(extack, dev->minor, "cannot use verify-alg %s: %s",
			    dev->conn.net_conf.verify_alg,
			    rdbd_strerror(PTR_ERR(v)));
		return PTR_ERR(v);
	}
	v->starting = true;
	spin_lock_irq(&dev->req_lock);
	/* The peer may have started its own meanwhile (we are VerifyT). */
	old = dev->conn.cstate == RDBD_CONN_CONNECTED ?
	      rdbd_verify_install(dev, v) : ERR_PTR(-EBUSY);
	spin_unlock_irq(&dev->req_lock);
	if (IS_ERR(old)) {
		rdbd_verify_free(v);
		rdbd_extack(extack, dev->minor,
			    "the peer started an online verify meanwhile");
		return -EBUSY;
	}
	rdbd_verify_free(old);		/* finished: its thread is reaped */
	err = rdbd_verify_ask_peer(dev, v, extack);
	if (!err)
		return rdbd_verify_go(dev, v, extack);
	spin_lock_irq(&dev->req_lock);
	rdbd_verify_install(dev, NULL);
	spin_unlock_irq(&dev->req_lock);
	rdbd_verify_free(v);
	return err;
}

/* ---- packets ---- */

/* Our verify-alg, or why we refuse VERIFY_START (positive errno). */
static u32 rdbd_verify_may_start(struct rdbd_device *dev,
				 const struct rdbd_p_verify_start *p,
				 char alg[RDBD_VERIFY_ALG_LEN + 1])
{
	const char *mine = dev->conn.net_conf.verify_alg; /* constant here */

	memcpy(alg, p->alg, RDBD_VERIFY_ALG_LEN);
	alg[RDBD_VERIFY_ALG_LEN] = 0;
	if (!mine[0])
		return ENOPROTOOPT;
	if (strcmp(alg, mine) ||
	    be64_to_cpu(p->size_sectors) != get_capacity(dev->disk))
		return EINVAL;
	if (dev->disk_state != RDBD_DISK_UPTODATE)
		return ENODATA;
	return 0;
}

/* Log why we refused the peer's VERIFY_START (@result, positive errno). */
static void rdbd_verify_log_refusal(struct rdbd_device *dev, u32 result,
				    const char *alg, u64 size_sectors)
{
	const char *why;

	switch (result) {
	case ENOPROTOOPT:
		why = "no verify-alg is configured here";
		break;
	case EINVAL:
		why = "the verify-alg or the size differs";
		break;
	case ENODATA:
		why = "the disk here is not UpToDate";
		break;
	case EBUSY:
		why = "busy with a resync or a verify";
		break;
	default:
		why = "refused";
	}
	/* @alg is the peer's bytes: escaped, it cannot garble the log. */
	pr_notice("rdbd%u: refused the peer's online verify: %s (peer: alg '%*pE', %llu sectors; this node: alg '%s', %llu sectors)\n",
		  dev->minor, why, (int)strlen(alg), alg, size_sectors,
		  dev->conn.net_conf.verify_alg,
		  (u64)get_capacity(dev->disk));
}

/* VERIFY_START (T, receive loop): agree and be VerifyT, or say why not. */
static int rdbd_verify_got_start(struct rdbd_device *dev,
				 const struct rdbd_p_verify_start *p)
{
	struct rdbd_p_verify_reply reply = {};
	struct rdbd_verify *v = NULL, *old = NULL;
	char alg[RDBD_VERIFY_ALG_LEN + 1];
	u32 result;

	result = rdbd_verify_may_start(dev, p, alg);
	if (!result) {
		v = rdbd_verify_alloc(alg);
		result = IS_ERR(v) ? EINVAL : 0;
	}
	if (!result) {
		spin_lock_irq(&dev->req_lock);
		if (dev->conn.cstate != RDBD_CONN_CONNECTED ||
		    (dev->conn.verify && dev->conn.verify->starting)) {
			result = EBUSY;
		} else {
			old = rdbd_verify_install(dev, v);
			rdbd_verify_stats_begin(dev);
			rdbd_verify_set_cstate_locked(dev, RDBD_CONN_VERIFY_T);
		}
		spin_unlock_irq(&dev->req_lock);
	}
	if (result && !IS_ERR_OR_NULL(v))
		rdbd_verify_free(v);
	rdbd_verify_free(old);
	if (!result) {
		rdbd_verify_cstate_changed(dev);
		pr_info("rdbd%u: online verify started by the peer (%s)\n",
			dev->minor, alg);
	} else {
		rdbd_verify_log_refusal(dev, result, alg,
					be64_to_cpu(p->size_sectors));
	}
	reply.result = cpu_to_be32(result);
	strscpy(reply.alg, dev->conn.net_conf.verify_alg, sizeof(reply.alg));
	return rdbd_send_packet(dev, RDBD_P_VERIFY_REPLY, &reply,
				sizeof(reply));
}

/* VERIFY_REPLY (S, receive loop): wake the waiting starter. */
static int rdbd_verify_got_reply(struct rdbd_device *dev,
				 const struct rdbd_p_verify_reply *p)
{
	u32 result = be32_to_cpu(p->result);
	struct rdbd_verify *v;
	bool ok;

	spin_lock_irq(&dev->req_lock);
	v = dev->conn.verify;
	ok = v && v->starting && !v->reply_ready;
	if (ok) {
		v->reply = -(int)min_t(u32, result, MAX_ERRNO);
		memcpy(v->peer_alg, p->alg, RDBD_VERIFY_ALG_LEN);
		v->peer_alg[RDBD_VERIFY_ALG_LEN] = 0;
		WRITE_ONCE(v->reply_ready, true);
	}
	spin_unlock_irq(&dev->req_lock);
	if (!ok) {
		rdbd_conn_error(dev, "peer answered a verify request that was not made; dropping connection");
		return -EPROTO;
	}
	wake_up_all(&dev->conn.state_wait);
	return 0;
}

/* DIGESTS must be the next batch, inside the device, with our alg's size. */
static int rdbd_verify_check_digests(struct rdbd_device *dev,
				     const struct rdbd_verify *v,
				     const struct rdbd_p_verify_digests *p)
{
	u64 sector = be64_to_cpu(p->sector);
	u32 blocks = be32_to_cpu(p->blocks);
	u32 len = be32_to_cpu(p->digest_len);
	u64 limit = get_capacity(dev->disk) / RDBD_VERIFY_SECTORS;

	if (sector != v->next_sector || !blocks ||
	    blocks > RDBD_VERIFY_BATCH ||
	    sector / RDBD_VERIFY_SECTORS + blocks > limit ||
	    len != v->digest_len) {
		rdbd_conn_error(dev, "peer sent verify digests: sector %llu, %u blocks, %u-byte digests (expected %llu, 1-%u blocks up to block %llu, %u bytes); dropping connection",
				sector, blocks, len, v->next_sector,
				RDBD_VERIFY_BATCH, limit, v->digest_len);
		return -EPROTO;
	}
	return 0;
}

/* DIGESTS (T, receive loop): compare, mark, answer. */
static int rdbd_verify_got_digests(struct rdbd_device *dev,
				   const struct rdbd_p_verify_digests *p)
{
	struct rdbd_verify *v = dev->conn.verify;	/* VerifyT: stable */
	struct rdbd_p_verify_result r = {};
	u32 blocks = be32_to_cpu(p->blocks);
	struct rdbd_backing *ldev;
	u64 mask = 0;
	u32 i;
	int err;

	err = rdbd_verify_check_digests(dev, v, p);
	if (err)
		return err;
	ldev = rdbd_io_get_backing(dev);
	if (!ldev)
		return -ENOMEDIUM;
	err = rdbd_verify_hash(dev, ldev, v, v->next_sector, blocks, v->mine);
	rdbd_io_put_backing(dev, REQ_OP_READ, 0, BLK_STS_OK);
	for (i = 0; i < blocks && !err; i++)
		if (memcmp(v->mine + i * v->digest_len,
			   p->digests + i * v->digest_len, v->digest_len))
			mask |= 1ULL << i;
	if (err) {
		rdbd_conn_error(dev, "online verify: reading sector %llu failed: %s",
				v->next_sector, rdbd_strerror(err));
		return err;
	}
	spin_lock_irq(&dev->req_lock);
	rdbd_verify_mark(dev, v->next_sector, mask);
	dev->conn.verify_stats.done_sectors += blocks * RDBD_VERIFY_SECTORS;
	spin_unlock_irq(&dev->req_lock);
	r.sector = p->sector;
	r.blocks = p->blocks;
	r.mismatch = cpu_to_be64(mask);
	v->next_sector += blocks * RDBD_VERIFY_SECTORS;
	return rdbd_send_packet(dev, RDBD_P_VERIFY_RESULT, &r, sizeof(r));
}

/* RESULT (S, receive loop): must answer the oldest batch; mark. */
static int rdbd_verify_got_result(struct rdbd_device *dev,
				  const struct rdbd_p_verify_result *p)
{
	u64 sector = be64_to_cpu(p->sector);
	u32 blocks = be32_to_cpu(p->blocks);
	u64 mask = be64_to_cpu(p->mismatch);
	u64 limit = get_capacity(dev->disk) / RDBD_VERIFY_SECTORS;
	struct rdbd_verify *v;
	u64 expect;
	bool ok;

	spin_lock_irq(&dev->req_lock);
	v = dev->conn.verify;		/* VerifyS: stable */
	expect = min_t(u64, RDBD_VERIFY_BATCH,
		       limit - min(limit, v->next_result / RDBD_VERIFY_SECTORS));
	ok = v->inflight && sector == v->next_result && blocks == expect &&
	     !(blocks < 64 && (mask >> blocks));
	if (ok) {
		rdbd_verify_mark(dev, sector, mask);
		dev->conn.verify_stats.done_sectors +=
			blocks * RDBD_VERIFY_SECTORS;
		v->next_result += blocks * RDBD_VERIFY_SECTORS;
		v->inflight--;
	}
	spin_unlock_irq(&dev->req_lock);
	if (!ok) {
		rdbd_conn_error(dev, "peer sent a verify result for sector %llu, %u blocks, that was not asked for; dropping connection",
				sector, blocks);
		return -EPROTO;
	}
	wake_up_all(&v->wait);
	return 0;
}

/* DONE (T, receive loop): both sides compared the same blocks. */
static int rdbd_verify_got_done(struct rdbd_device *dev,
				const struct rdbd_p_verify_done *p)
{
	u64 blocks = be64_to_cpu(p->blocks);
	u64 done;

	spin_lock_irq(&dev->req_lock);
	done = dev->conn.verify_stats.done_sectors / RDBD_VERIFY_SECTORS;
	spin_unlock_irq(&dev->req_lock);
	if (blocks != done) {
		rdbd_conn_error(dev, "peer ended the verify after %llu blocks, this node compared %llu; dropping connection",
				blocks, done);
		return -EPROTO;
	}
	if (!rdbd_conn_lock_state(dev))
		return -EINTR;
	rdbd_verify_end(dev);
	mutex_unlock(&dev->state_mutex);
	return 0;
}

/* The state each verify packet is valid in (0: any after the handshake). */
static enum rdbd_conn_state rdbd_verify_state_for(u16 cmd)
{
	switch (cmd) {
	case RDBD_P_VERIFY_DIGESTS:
	case RDBD_P_VERIFY_DONE:
		return RDBD_CONN_VERIFY_T;
	case RDBD_P_VERIFY_RESULT:
		return RDBD_CONN_VERIFY_S;
	}
	return 0;
}

/**
 * rdbd_verify_got_packet - a VERIFY_* packet (receive loop)
 * @dev: the device
 * @pkt: the packet; its size was checked by rdbd_recv_packet()
 *
 * Returns 0, or an error that drops the connection.
 */
int rdbd_verify_got_packet(struct rdbd_device *dev, struct rdbd_packet *pkt)
{
	enum rdbd_conn_state want = rdbd_verify_state_for(pkt->cmd);

	if (!(dev->conn.features & RDBD_FEAT_VERIFY)) {
		rdbd_conn_error(dev, "peer sent verify packet 0x%04x but did not offer online verify in its HELLO; dropping connection",
				pkt->cmd);
		return -EPROTO;
	}
	if (want && READ_ONCE(dev->conn.cstate) != want) {
		rdbd_conn_error(dev, "peer sent verify packet 0x%04x while not verifying; dropping connection",
				pkt->cmd);
		return -EPROTO;
	}
	switch (pkt->cmd) {
	case RDBD_P_VERIFY_START:
		return rdbd_verify_got_start(dev, &pkt->u.verify_start);
	case RDBD_P_VERIFY_REPLY:
		return rdbd_verify_got_reply(dev, &pkt->u.verify_reply);
	case RDBD_P_VERIFY_DIGESTS:
		return rdbd_verify_got_digests(dev, &pkt->u.verify_digests);
	case RDBD_P_VERIFY_RESULT:
		return rdbd_verify_got_result(dev, &pkt->u.verify_result);
	case RDBD_P_VERIFY_DONE:
		return rdbd_verify_got_done(dev, &pkt->u.verify_done);
	}
	return -EPROTO;
}

/**
 * rdbd_verify_conn_lost - the connection ended (teardown, connection thread)
 * @dev: the device
 *
 * A running verify ends here (logged as aborted; its marks stay).  A start
 * in progress keeps its struct: the starter sees the lost link and frees it.
 */
void rdbd_verify_conn_lost(struct rdbd_device *dev)
{
	struct rdbd_verify *v;
	bool running;

	spin_lock_irq(&dev->req_lock);
	v = dev->conn.verify;
	if (v && v->starting)
		v = NULL;
	else
		dev->conn.verify = NULL;
	running = dev->conn.verify_stats.running;
	spin_unlock_irq(&dev->req_lock);
	rdbd_verify_free(v);		/* stops the thread */
	if (running)
		rdbd_verify_log_end(dev, "aborted (connection lost)");
}

/* RDBD_STATUS_VERIFY_*, once a verify ran.  Caller holds state_mutex. */
int rdbd_verify_put_status(struct rdbd_device *dev, struct sk_buff *skb)
{
	struct rdbd_verify_stats st;

	spin_lock_irq(&dev->req_lock);
	st = dev->conn.verify_stats;
	spin_unlock_irq(&dev->req_lock);
	if (!st.total_sectors)
		return 0;
	if (nla_put_u64_64bit(skb, RDBD_STATUS_VERIFY_DONE_KIB,
			      st.done_sectors >> 1, RDBD_STATUS_PAD) ||
	    nla_put_u64_64bit(skb, RDBD_STATUS_VERIFY_TOTAL_KIB,
			      st.total_sectors >> 1, RDBD_STATUS_PAD) ||
	    nla_put_u64_64bit(skb, RDBD_STATUS_VERIFY_OOS_KIB,
			      st.oos_blocks * (RDBD_VERIFY_BLOCK >> 10),
			      RDBD_STATUS_PAD))
		return -EMSGSIZE;
	return 0;
}
