// SPDX-License-Identifier: GPL-2.0
/*
 * The receiving side of replication: DATA (application writes of the
 * Primary) and RS_DATA (resync chunks) arriving on this node.
 *
 * The connection thread reads the packet header, allocates pages from
 * rdbd_page_pool and receives the data straight into them: those pages
 * are the bio it submits, so the data is not copied again.  Writes are
 * applied in the order received:
 *   - a write overlapping one still in flight here waits for it;
 *   - a write carrying REQ_PREFLUSH waits until every earlier write has
 *     completed, so the flush covers them, as it did on the Primary;
 *   - REQ_FUA, DISCARD and WRITE_ZEROES are passed on as they came.
 * The connection thread does this waiting itself: it stops reading, and
 * TCP pushes back on the Primary.
 *
 * Acks: protocol B's RECV_ACK is sent as soon as the data is in;
 * protocol C's WRITE_ACK, RS_WRITE_ACK and any NEG_ACK when the bio
 * completes.  Completion runs in interrupt context, so it moves the
 * request from conn.peer_active to conn.peer_done and ack_work sends.
 *
 * Memory: GFP_NOIO everywhere (the node may be writing back on behalf of
 * reclaim), and the pages come from a mempool, so a receive waits for
 * earlier writes to return their pages rather than failing.
 */
#include <linux/mempool.h>
#include <linux/slab.h>

#include "rdbd_int.h"

/* Pages reserved for received writes and resync chunks: 4 MiB. */
#define RDBD_PAGE_POOL_MIN	1024

mempool_t *rdbd_page_pool;
struct workqueue_struct *rdbd_wq;

/* A write received from the peer. */
struct rdbd_peer_req {
	struct rdbd_device *dev;
	struct rdbd_backing *ldev;	/* pinned: an in-flight count */
	struct rdbd_interval iv;	/* on peer_active, then peer_done */
	u64 block_id;			/* the peer's cookie, for the ack */
	u16 ack_cmd;			/* sent on success; 0: none */
	u16 nack_cmd;			/* sent on failure */
	bool peer_lacks;		/* our Primary's disk failed: mark it */
	blk_status_t status;
	struct bio *bio;
};

int rdbd_repl_module_init(void)
{
	rdbd_page_pool = mempool_create_page_pool(RDBD_PAGE_POOL_MIN, 0);
	if (!rdbd_page_pool)
		return -ENOMEM;
	/* Acks and notifications are needed to finish writes: reclaim-safe. */
	rdbd_wq = alloc_workqueue("rdbd", WQ_MEM_RECLAIM, 0);
	if (!rdbd_wq) {
		mempool_destroy(rdbd_page_pool);
		return -ENOMEM;
	}
	return 0;
}

void rdbd_repl_module_exit(void)
{
	destroy_workqueue(rdbd_wq);
	mempool_destroy(rdbd_page_pool);
}

/* Return the pages of a bio built by rdbd_alloc_page_bio(), and the bio. */
void rdbd_free_page_bio(struct bio *bio)
{
	struct bvec_iter_all iter;
	struct bio_vec *bv;

	bio_for_each_segment_all(bv, bio, iter)
		mempool_free(bv->bv_page, rdbd_page_pool);
	bio_put(bio);
}

/**
 * rdbd_alloc_page_bio - a bio of fresh pages covering @size bytes
 * @dev: the device (its peer_bio_set)
 * @bdev: the backing disk
 * @opf: operation and flags
 * @size: bytes; up to RDBD_WIRE_MAX_DATA
 *
 * Waits for memory rather than failing (mempools).
 */
struct bio *rdbd_alloc_page_bio(struct rdbd_device *dev,
				struct block_device *bdev, blk_opf_t opf,
				u32 size)
{
	unsigned int nr = DIV_ROUND_UP(size, PAGE_SIZE);
	struct bio *bio;

	bio = bio_alloc_bioset(bdev, nr, opf, GFP_NOIO, &dev->peer_bio_set);
	while (size) {
		unsigned int len = min_t(u32, size, PAGE_SIZE);
		struct page *page = mempool_alloc(rdbd_page_pool, GFP_NOIO);

		__bio_add_page(bio, page, len, 0);
		size -= len;
	}
	return bio;
}

/* ---- completion and acks ---- */

static void rdbd_peer_req_free(struct rdbd_peer_req *peer_req)
{
	struct rdbd_device *dev = peer_req->dev;
	struct bio *bio = peer_req->bio;
	enum req_op op = bio_op(bio);
	unsigned int sectors = peer_req->iv.size >> SECTOR_SHIFT;

	if (bio->bi_vcnt)
		rdbd_free_page_bio(bio);
	else
		bio_put(bio);
	rdbd_io_put_backing(dev, op, sectors, peer_req->status);
	kfree(peer_req);
}

static void rdbd_peer_req_endio(struct bio *bio)
{
	struct rdbd_peer_req *peer_req = bio->bi_private;
	struct rdbd_device *dev = peer_req->dev;
	unsigned long flags;

	peer_req->status = bio->bi_status;
	if (peer_req->status)
		rdbd_ioerr_local(dev, peer_req->ldev, bio_op(bio),
				 peer_req->iv.sector, peer_req->iv.size);
	spin_lock_irqsave(&dev->req_lock, flags);
	list_move_tail(&peer_req->iv.list, &dev->conn.peer_done);
	spin_unlock_irqrestore(&dev->req_lock, flags);
	wake_up_all(&dev->conn.peer_wait);
	queue_work(rdbd_wq, &dev->conn.ack_work);
}

static void rdbd_peer_req_ack(struct rdbd_peer_req *peer_req)
{
	struct rdbd_device *dev = peer_req->dev;
	u16 cmd = peer_req->status ? peer_req->nack_cmd : peer_req->ack_cmd;
	struct rdbd_p_ack p = {
		.sector = cpu_to_be64(peer_req->iv.sector),
		.block_id = cpu_to_be64(peer_req->block_id),
		.size = cpu_to_be32(peer_req->iv.size),
	};

	if (peer_req->status) {
		pr_err_ratelimited("rdbd%u: writing %u bytes at sector %llu for the peer failed\n",
				   dev->minor, peer_req->iv.size,
				   (u64)peer_req->iv.sector);
		rdbd_ioerr_before_nack(dev);
	}
	if (cmd)
		rdbd_send_packet(dev, cmd, &p, sizeof(p));	/* ENOTCONN: fine */
}

/* Send the acks of completed peer writes and free them. */
void rdbd_ack_work(struct work_struct *work)
{
	struct rdbd_device *dev = container_of(work, struct rdbd_device,
					       conn.ack_work);
	struct rdbd_peer_req *peer_req, *next;
	LIST_HEAD(done);

	spin_lock_irq(&dev->req_lock);
	list_splice_init(&dev->conn.peer_done, &done);
	spin_unlock_irq(&dev->req_lock);
	list_for_each_entry_safe(peer_req, next, &done, iv.list) {
		rdbd_peer_req_ack(peer_req);
		if (!peer_req->status && bio_op(peer_req->bio) == REQ_OP_WRITE)
			rdbd_sync_target_progress(dev, peer_req->iv.sector,
						  peer_req->iv.size,
						  peer_req->nack_cmd ==
						  RDBD_P_RS_NEG_ACK);
		/* after the progress above, which clears what it covers */
		if (peer_req->peer_lacks)
			rdbd_ioerr_peer_lacks(dev, peer_req->ldev,
					      peer_req->iv.sector,
					      peer_req->iv.size);
		rdbd_peer_req_free(peer_req);
	}
}

/* Connection gone: wait for received writes still on the disk. */
void rdbd_peer_reqs_drain(struct rdbd_device *dev)
{
	spin_lock_irq(&dev->req_lock);
	wait_event_lock_irq(dev->conn.peer_wait,
			    list_empty(&dev->conn.peer_active), dev->req_lock);
	spin_unlock_irq(&dev->req_lock);
	flush_work(&dev->conn.ack_work);
}

/* ---- receiving ---- */

static blk_opf_t rdbd_peer_opf(u32 dp_flags, bool payload)
{
	blk_opf_t opf = REQ_OP_WRITE;

	if (dp_flags & RDBD_DP_DISCARD)
		opf = REQ_OP_DISCARD;
	else if (dp_flags & RDBD_DP_WRITE_ZEROES)
		opf = REQ_OP_WRITE_ZEROES;
	if (dp_flags & RDBD_DP_FLUSH)
		opf |= REQ_PREFLUSH;
	if (dp_flags & RDBD_DP_FUA)
		opf |= REQ_FUA;
	if (payload || (dp_flags & RDBD_DP_FLUSH))
		opf |= REQ_SYNC;
	return opf;
}

/* Everything a DATA header claims, checked before any payload is read. */
static int rdbd_peer_check(struct rdbd_device *dev, u16 cmd,
			   const struct rdbd_p_data *p, u32 data_len)
{
	u64 sector = be64_to_cpu(p->sector);
	u32 size = be32_to_cpu(p->size);
	u32 flags = be32_to_cpu(p->dp_flags);
	bool no_payload = flags & (RDBD_DP_DISCARD | RDBD_DP_WRITE_ZEROES);
	u64 capacity = get_capacity(dev->disk);

	if ((flags & ~RDBD_DP_ALL) ||
	    (cmd == RDBD_P_RS_DATA && flags) ||
	    ((flags & RDBD_DP_DISCARD) && (flags & RDBD_DP_WRITE_ZEROES))) {
		rdbd_conn_error(dev, "peer sent write flags 0x%x; dropping connection",
				flags);
		return -EPROTO;
	}
	if (data_len != (no_payload ? 0 : size) || size % SECTOR_SIZE ||
	    (!size && !(flags & RDBD_DP_FLUSH)) ||
	    data_len > RDBD_WIRE_MAX_DATA ||
	    sector > capacity || (size >> SECTOR_SHIFT) > capacity - sector) {
		rdbd_conn_error(dev, "peer sent a write of %u bytes at sector %llu with %u data bytes (device: %llu sectors); dropping connection",
				size, sector, data_len, capacity);
		return -EPROTO;
	}
	/* A Primary takes resync data only as SyncTarget (ioerr.c) */
	if (READ_ONCE(dev->role) == RDBD_ROLE_PRIMARY &&
	    (cmd != RDBD_P_RS_DATA ||
	     !rdbd_cs_sync_target(READ_ONCE(dev->conn.cstate)))) {
		rdbd_conn_error(dev, "peer sent data while this node is Primary; dropping connection");
		return -EPROTO;
	}
	return 0;
}

static struct rdbd_peer_req *rdbd_peer_req_alloc(struct rdbd_device *dev,
						 struct rdbd_backing *ldev,
						 u16 cmd,
						 const struct rdbd_p_data *p,
						 u32 data_len)
{
	u32 flags = be32_to_cpu(p->dp_flags);
	struct rdbd_peer_req *peer_req;
	bool resync = cmd == RDBD_P_RS_DATA;
	blk_opf_t opf = rdbd_peer_opf(flags, data_len);

	peer_req = kzalloc(sizeof(*peer_req), GFP_NOIO);
	if (!peer_req)
		return NULL;
	peer_req->dev = dev;
	peer_req->ldev = ldev;
	peer_req->iv.sector = be64_to_cpu(p->sector);
	peer_req->iv.size = be32_to_cpu(p->size);
	INIT_LIST_HEAD(&peer_req->iv.list);
	peer_req->block_id = be64_to_cpu(p->block_id);
	peer_req->ack_cmd = resync ? RDBD_P_RS_WRITE_ACK :
			    dev->conn.net_conf.protocol == RDBD_PROT_C ?
			    RDBD_P_WRITE_ACK : 0;
	peer_req->nack_cmd = resync ? RDBD_P_RS_NEG_ACK : RDBD_P_NEG_ACK;
	if (data_len) {
		peer_req->bio = rdbd_alloc_page_bio(dev, ldev->bdev, opf,
						    data_len);
	} else {
		peer_req->bio = bio_alloc_bioset(ldev->bdev, 0, opf, GFP_NOIO,
						 &dev->peer_bio_set);
		peer_req->bio->bi_iter.bi_size = peer_req->iv.size;
	}
	peer_req->bio->bi_iter.bi_sector = peer_req->iv.sector;
	peer_req->bio->bi_private = peer_req;
	peer_req->bio->bi_end_io = rdbd_peer_req_endio;
	return peer_req;
}

/* Wait for overlapping (or, for a flush, all) earlier writes; submit. */
static void rdbd_peer_req_submit(struct rdbd_device *dev,
				 struct rdbd_peer_req *peer_req)
{
	struct rdbd_connection *conn = &dev->conn;
	bool flush = peer_req->bio->bi_opf & REQ_PREFLUSH;

	spin_lock_irq(&dev->req_lock);
	wait_event_lock_irq(conn->peer_wait,
			    flush ? list_empty(&conn->peer_active) :
			    !rdbd_iv_conflicts(dev, &conn->peer_active,
					       &peer_req->iv),
			    dev->req_lock);
	list_add_tail(&peer_req->iv.list, &conn->peer_active);
	if (!list_empty(&conn->rs_pending))	/* SyncSource of a Primary */
		rdbd_sync_note_peer_write(dev, &peer_req->iv);
	spin_unlock_irq(&dev->req_lock);
	submit_bio_noacct(peer_req->bio);
}

static void rdbd_peer_count(struct rdbd_device *dev, u16 cmd, u32 bytes)
{
	spin_lock_irq(&dev->req_lock);
	if (cmd == RDBD_P_RS_DATA)
		dev->conn.rs_recv_sectors += bytes >> SECTOR_SHIFT;
	else
		dev->conn.net_recv_sectors += bytes >> SECTOR_SHIFT;
	spin_unlock_irq(&dev->req_lock);
}

/**
 * rdbd_receive_data - DATA or RS_DATA: receive it and write it locally
 * @dev: the device; connection thread
 * @pkt: the packet, its fixed part read; pkt->data_len bytes follow
 */
int rdbd_receive_data(struct rdbd_device *dev, struct rdbd_packet *pkt)
{
	const struct rdbd_p_data *p = &pkt->u.data;
	struct rdbd_peer_req *peer_req;
	struct rdbd_backing *ldev;
	int err;

	err = rdbd_peer_check(dev, pkt->cmd, p, pkt->data_len);
	if (err)
		return err;
	ldev = rdbd_io_get_backing(dev);
	if (!ldev)			/* it failed: ioerr.c */
		return rdbd_ioerr_refuse_data(dev, pkt);
	peer_req = rdbd_peer_req_alloc(dev, ldev, pkt->cmd, p, pkt->data_len);
	if (!peer_req) {
		rdbd_io_put_backing(dev, REQ_OP_WRITE, 0, BLK_STS_RESOURCE);
		return -ENOMEM;
	}
	if (pkt->data_len) {
		err = rdbd_recv_bio(dev, peer_req->bio);
		if (err) {
			peer_req->status = BLK_STS_IOERR;
			rdbd_peer_req_free(peer_req);
			return err;
		}
	}
	rdbd_peer_count(dev, pkt->cmd, pkt->data_len);
	/* Our Primary's disk failed: it lacks this write (ioerr.c). */
	peer_req->peer_lacks = pkt->cmd == RDBD_P_DATA &&
			       rdbd_ioerr_mark_received(dev);
	if (pkt->cmd == RDBD_P_DATA &&
	    dev->conn.net_conf.protocol == RDBD_PROT_B) {
		struct rdbd_p_ack ack = {
			.sector = p->sector, .block_id = p->block_id,
			.size = p->size,
		};

		rdbd_send_packet(dev, RDBD_P_RECV_ACK, &ack, sizeof(ack));
	}
	rdbd_peer_req_submit(dev, peer_req);
	return 0;
}
