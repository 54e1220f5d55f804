// SPDX-License-Identifier: GPL-2.0
/*
 * Reads served by the peer, for a Primary whose disk failed (ioerr.c):
 * a read that failed locally, and every read of a Diskless Primary.
 *
 * Requester (Primary): the bio goes on rread.pending with a cookie;
 * send_work sends READ_REQ (sector, cookie, size) for each new one; the
 * receive loop takes the READ_REPLY, receives its data straight into the
 * bio's pages and completes it.  The peer only serves while it is
 * connected and UpToDate; without that, or when the connection is lost,
 * the read fails: there is no good copy left (see the top of ioerr.c).
 *
 * Server (the peer): READ_REQ waits for the received writes it overlaps
 * (as a received write does, repl.c), reads into pool pages, and
 * reply_work sends READ_REPLY with the data, or RDBD_RR_F_ERROR.
 *
 * Locking: req_lock protects the lists and counters in struct
 * rdbd_rread_state; the works are queued under it, so after teardown
 * cancelled send_work (cstate below Connected) nobody queues it again.
 */
#include <linux/highmem.h>
#include <linux/slab.h>

#include "rdbd_int.h"

/* One read of ours at the peer. */
struct rdbd_rread {
	struct list_head list;		/* on rread.pending, req_lock */
	struct bio *bio;		/* the application's bio */
	unsigned long start_time;	/* its I/O accounting */
	u64 id;				/* READ_REQ cookie */
	bool sent;			/* req_lock: READ_REQ handed to send */
};

/* One read the peer asked us for. */
struct rdbd_rread_srv {
	struct rdbd_device *dev;
	struct rdbd_backing *ldev;	/* pinned: an in-flight count */
	struct list_head list;		/* on rread.served, req_lock */
	struct rdbd_interval iv;	/* what it reads */
	u64 id;
	struct bio *bio;		/* pool pages, rdbd_alloc_page_bio() */
	blk_status_t status;
};

static void rdbd_rread_send_work(struct work_struct *work);
static void rdbd_rread_reply_work(struct work_struct *work);

void rdbd_rread_init(struct rdbd_device *dev)
{
	struct rdbd_rread_state *s = &dev->rread;

	INIT_LIST_HEAD(&s->pending);
	INIT_LIST_HEAD(&s->served);
	init_waitqueue_head(&s->serving_wait);
	INIT_WORK(&s->send_work, rdbd_rread_send_work);
	INIT_WORK(&s->reply_work, rdbd_rread_reply_work);
}

static void rdbd_rread_complete(struct rdbd_device *dev,
				struct rdbd_rread *rr, blk_status_t status)
{
	struct bio *bio = rr->bio;

	if (!status) {
		spin_lock_irq(&dev->req_lock);
		dev->rread.recv_sectors += bio_sectors(bio);
		spin_unlock_irq(&dev->req_lock);
	}
	bio_end_io_acct(bio, rr->start_time);
	bio->bi_status = status;
	bio_endio(bio);
	kfree(rr);
}

/**
 * rdbd_rread_submit - have the peer serve a read
 * @dev: the device
 * @bio: the application's read, not yet completed
 * @start_time: from bio_start_io_acct()
 *
 * Any context.  Returns false if the peer cannot serve it (not connected
 * or not UpToDate, or no memory): the caller fails the bio.
 */
bool rdbd_rread_submit(struct rdbd_device *dev, struct bio *bio,
		       unsigned long start_time)
{
	struct rdbd_rread *rr;
	unsigned long flags;
	bool ok;

	/* may run in a completion: GFP_ATOMIC; a failure fails one read */
	rr = kzalloc(sizeof(*rr), GFP_ATOMIC);
	if (!rr)
		return false;
	rr->bio = bio;
	rr->start_time = start_time;
	spin_lock_irqsave(&dev->req_lock, flags);
	ok = dev->conn.cstate >= RDBD_CONN_CONNECTED &&
	     dev->conn.peer_disk_state == RDBD_DISK_UPTODATE;
	if (ok) {
		rr->id = ++dev->rread.next_id;
		list_add_tail(&rr->list, &dev->rread.pending);
		queue_work(rdbd_wq, &dev->rread.send_work);
	}
	spin_unlock_irqrestore(&dev->req_lock, flags);
	if (!ok)
		kfree(rr);
	return ok;
}

/* The next READ_REQ to send, marked sent; false if none.  req_lock. */
static bool rdbd_rread_next(struct rdbd_device *dev, struct rdbd_p_ack *p)
{
	struct rdbd_rread *rr;

	lockdep_assert_held(&dev->req_lock);
	list_for_each_entry(rr, &dev->rread.pending, list) {
		if (rr->sent)
			continue;
		rr->sent = true;
		p->sector = cpu_to_be64(rr->bio->bi_iter.bi_sector);
		p->block_id = cpu_to_be64(rr->id);
		p->size = cpu_to_be32(rr->bio->bi_iter.bi_size);
		return true;
	}
	return false;
}

static void rdbd_rread_send_work(struct work_struct *work)
{
	struct rdbd_device *dev = container_of(work, struct rdbd_device,
					       rread.send_work);
	struct rdbd_p_ack p = {};
	bool more;

	for (;;) {
		spin_lock_irq(&dev->req_lock);
		more = rdbd_rread_next(dev, &p);
		spin_unlock_irq(&dev->req_lock);
		if (!more)
			break;
		/* A failed send: teardown fails the read (conn_lost). */
		rdbd_send_packet(dev, RDBD_P_READ_REQ, &p, sizeof(p));
	}
}

/* Receive @len bytes into @bio, segment by segment of its bi_iter. */
static int rdbd_rread_recv_into(struct rdbd_device *dev, struct bio *bio)
{
	struct bvec_iter iter;
	struct bio_vec bv;
	int err = 0;

	bio_for_each_segment(bv, bio, iter) {
		void *p = bvec_kmap_local(&bv);

		err = rdbd_recv_buf(dev, p, bv.bv_len, 0);
		kunmap_local(p);
		if (err)
			break;
	}
	return err;
}

/* Take our read @id off the pending list, or NULL.  */
static struct rdbd_rread *rdbd_rread_take(struct rdbd_device *dev, u64 id)
{
	struct rdbd_rread *rr, *found = NULL;

	spin_lock_irq(&dev->req_lock);
	list_for_each_entry(rr, &dev->rread.pending, list) {
		if (rr->id == id && rr->sent) {
			found = rr;
			list_del_init(&rr->list);
			break;
		}
	}
	spin_unlock_irq(&dev->req_lock);
	return found;
}

/**
 * rdbd_rread_got_reply - READ_REPLY: the data of one of our reads
 * @dev: the device; receive loop
 * @pkt: its fixed part read; pkt->data_len bytes follow
 */
int rdbd_rread_got_reply(struct rdbd_device *dev, struct rdbd_packet *pkt)
{
	const struct rdbd_p_data *p = &pkt->u.read_reply;
	u32 flags = be32_to_cpu(p->dp_flags);
	u32 size = be32_to_cpu(p->size);
	struct rdbd_rread *rr;
	int err;

	rr = rdbd_rread_take(dev, be64_to_cpu(p->block_id));
	if (!rr || (flags & ~RDBD_RR_F_ERROR) ||
	    be64_to_cpu(p->sector) != rr->bio->bi_iter.bi_sector ||
	    size != rr->bio->bi_iter.bi_size ||
	    pkt->data_len != (flags ? 0 : size)) {
		rdbd_conn_error(dev, "peer sent READ_REPLY for %s (id %llu, %u bytes at sector %llu, flags 0x%x, %u data bytes); dropping connection",
				rr ? "another read" : "no read of ours",
				be64_to_cpu(p->block_id), size,
				be64_to_cpu(p->sector), flags, pkt->data_len);
		if (rr)
			rdbd_rread_complete(dev, rr, BLK_STS_IOERR);
		return -EPROTO;
	}
	if (flags) {
		pr_err_ratelimited("rdbd%u: the peer failed to read %u bytes at sector %llu for us\n",
				   dev->minor, size, be64_to_cpu(p->sector));
		rdbd_rread_complete(dev, rr, BLK_STS_IOERR);
		return 0;
	}
	err = rdbd_rread_recv_into(dev, rr->bio);
	rdbd_rread_complete(dev, rr, err ? BLK_STS_IOERR : BLK_STS_OK);
	return err;
}

/* ---- serving the peer ---- */

static void rdbd_rread_srv_endio(struct bio *bio)
{
	struct rdbd_rread_srv *srv = bio->bi_private;
	struct rdbd_device *dev = srv->dev;
	unsigned long flags;

	srv->status = bio->bi_status;
	spin_lock_irqsave(&dev->req_lock, flags);
	list_add_tail(&srv->list, &dev->rread.served);
	queue_work(rdbd_wq, &dev->rread.reply_work);
	spin_unlock_irqrestore(&dev->req_lock, flags);
}

/* Answer one served read and free it. */
static void rdbd_rread_reply(struct rdbd_device *dev,
			     struct rdbd_rread_srv *srv)
{
	struct rdbd_p_data p = {
		.sector = cpu_to_be64(srv->iv.sector),
		.block_id = cpu_to_be64(srv->id),
		.size = cpu_to_be32(srv->iv.size),
	};

	if (srv->status) {
		rdbd_ioerr_local(dev, srv->ldev, REQ_OP_READ, srv->iv.sector,
				 srv->iv.size);
		p.dp_flags = cpu_to_be32(RDBD_RR_F_ERROR);
		rdbd_send_packet(dev, RDBD_P_READ_REPLY, &p, sizeof(p));
	} else {
		rdbd_send_page_bio(dev, RDBD_P_READ_REPLY, &p, srv->bio);
	}
}

static void rdbd_rread_srv_free(struct rdbd_device *dev,
				struct rdbd_rread_srv *srv)
{
	rdbd_free_page_bio(srv->bio);
	rdbd_io_put_backing(dev, REQ_OP_READ, srv->iv.size >> SECTOR_SHIFT,
			    srv->status);
	kfree(srv);
	spin_lock_irq(&dev->req_lock);
	/* Below the limit again, or 0: rdbd_rread_got_req(), conn_lost */
	dev->rread.serving--;
	wake_up_all(&dev->rread.serving_wait);
	spin_unlock_irq(&dev->req_lock);
}

static void rdbd_rread_reply_work(struct work_struct *work)
{
	struct rdbd_device *dev = container_of(work, struct rdbd_device,
					       rread.reply_work);
	struct rdbd_rread_srv *srv, *next;
	LIST_HEAD(done);

	spin_lock_irq(&dev->req_lock);
	list_splice_init(&dev->rread.served, &done);
	spin_unlock_irq(&dev->req_lock);
	list_for_each_entry_safe(srv, next, &done, list) {
		rdbd_rread_reply(dev, srv);
		rdbd_rread_srv_free(dev, srv);
	}
}

/* Everything a READ_REQ claims, checked before anything is read. */
static int rdbd_rread_check(struct rdbd_device *dev, const struct rdbd_p_ack *p)
{
	u64 sector = be64_to_cpu(p->sector);
	u32 size = be32_to_cpu(p->size);
	u64 capacity = get_capacity(dev->disk);

	if (p->pad || !size || size % SECTOR_SIZE ||
	    size > RDBD_WIRE_MAX_DATA || sector > capacity ||
	    (size >> SECTOR_SHIFT) > capacity - sector ||
	    READ_ONCE(dev->role) == RDBD_ROLE_PRIMARY) {
		rdbd_conn_error(dev, "peer asked to read %u bytes at sector %llu (device: %llu sectors, this node %s); dropping connection",
				size, sector, capacity,
				rdbd_role_name(READ_ONCE(dev->role)));
		return -EPROTO;
	}
	return 0;
}

/*
 * Reads served at once, at most.  Each holds up to RDBD_WIRE_MAX_DATA of
 * pages until its reply is sent: without a limit, a peer that sends
 * READ_REQs and never reads the replies would make us allocate without
 * end.  Past it the receive loop waits, which stops reading the socket
 * and so pushes back on the peer.
 */
#define RDBD_RREAD_SERVE_MAX	32

/*
 * Wait for a free slot (receive loop).  A peer that takes no replies for
 * ping-int + timeout is not coming back for them: drop it, which also
 * unblocks the reply sender and so frees the slots.
 */
static int rdbd_rread_wait_slot(struct rdbd_device *dev)
{
	struct rdbd_rread_state *s = &dev->rread;
	const struct rdbd_net_conf *nc = &dev->conn.net_conf;
	long left = msecs_to_jiffies(nc->ping_int_ms + nc->timeout_ms);

	spin_lock_irq(&dev->req_lock);
	left = wait_event_lock_irq_timeout(s->serving_wait,
					   s->serving < RDBD_RREAD_SERVE_MAX,
					   dev->req_lock, left);
	spin_unlock_irq(&dev->req_lock);
	if (left)
		return 0;
	rdbd_conn_error(dev, "peer takes no replies to its %u reads; dropping connection",
			RDBD_RREAD_SERVE_MAX);
	return -ETIMEDOUT;
}

/* READ_REQ: our Primary's disk failed; read for it (receive loop). */
int rdbd_rread_got_req(struct rdbd_device *dev, const struct rdbd_p_ack *p)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_rread_srv *srv;
	struct rdbd_backing *ldev;
	struct rdbd_p_data reply = {
		.sector = p->sector, .block_id = p->block_id, .size = p->size,
		.dp_flags = cpu_to_be32(RDBD_RR_F_ERROR),
	};
	int err;

	err = rdbd_rread_check(dev, p) ?: rdbd_rread_wait_slot(dev);
	if (err)
		return err;
	ldev = rdbd_io_get_backing(dev);
	srv = ldev ? kzalloc(sizeof(*srv), GFP_NOIO) : NULL;
	if (!srv) {
		if (ldev)
			rdbd_io_put_backing(dev, REQ_OP_READ, 0,
					    BLK_STS_RESOURCE);
		return rdbd_send_packet(dev, RDBD_P_READ_REPLY, &reply,
					sizeof(reply));
	}
	srv->dev = dev;
	srv->ldev = ldev;
	srv->id = be64_to_cpu(p->block_id);
	srv->iv.sector = be64_to_cpu(p->sector);
	srv->iv.size = be32_to_cpu(p->size);
	srv->bio = rdbd_alloc_page_bio(dev, ldev->bdev, REQ_OP_READ,
				       srv->iv.size);
	srv->bio->bi_iter.bi_sector = srv->iv.sector;
	srv->bio->bi_private = srv;
	srv->bio->bi_end_io = rdbd_rread_srv_endio;
	/* After the received writes it overlaps, as they were sent before. */
	spin_lock_irq(&dev->req_lock);
	wait_event_lock_irq(conn->peer_wait,
			    !rdbd_iv_conflicts(dev, &conn->peer_active,
					       &srv->iv),
			    dev->req_lock);
	dev->rread.serving++;
	spin_unlock_irq(&dev->req_lock);
	submit_bio_noacct(srv->bio);
	return 0;
}

/*
 * Connection lost (connection thread, socket unusable): our reads at the
 * peer fail, and the reads we serve are waited for and dropped.
 */
void rdbd_rread_conn_lost(struct rdbd_device *dev)
{
	struct rdbd_rread_state *s = &dev->rread;
	struct rdbd_rread *rr, *next;
	LIST_HEAD(lost);

	cancel_work_sync(&s->send_work);
	spin_lock_irq(&dev->req_lock);
	list_splice_init(&s->pending, &lost);
	spin_unlock_irq(&dev->req_lock);
	list_for_each_entry_safe(rr, next, &lost, list) {
		list_del_init(&rr->list);
		rdbd_rread_complete(dev, rr, BLK_STS_IOERR);
	}
	spin_lock_irq(&dev->req_lock);
	wait_event_lock_irq(s->serving_wait, !s->serving, dev->req_lock);
	spin_unlock_irq(&dev->req_lock);
	flush_work(&s->reply_work);
}
