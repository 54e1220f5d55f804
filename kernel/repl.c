// SPDX-License-Identifier: GPL-2.0
/*
 * The receiving side of replication: DATA (application writes of the
 * Primary), RS_DATA (resync chunks) and RS_BATCH (several resync chunks
 * in one packet, acked as one: see rdbd_receive_rs_batch()) arriving on
 * this node.
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
 * Every DATA packet also counts in the peer's epoch (epoch.c), which
 * ack_work ends once the write's own ack is queued; except a FUA write
 * under protocol C, durable by its ack (rdbd_data_in_no_epoch()).
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

/*
 * An RS_BATCH being written here: one reference per extent submitted,
 * plus one the receiver holds until it has submitted them all.  The last
 * put sends the one RS_BATCH_ACK, unless a write failed (that extent's
 * RS_NEG_ACK already went out) or the receive was cut short.
 */
struct rdbd_rs_batch_rx {
	atomic_t refs;
	bool failed;			/* WRITE_ONCE/READ_ONCE */
	struct rdbd_p_ack ack;		/* first sector, batch_id, bytes */
};

/* A write received from the peer. */
struct rdbd_peer_req {
	struct rdbd_device *dev;
	struct rdbd_backing *ldev;	/* pinned: an in-flight count */
	struct rdbd_interval iv;	/* on peer_active, then peer_done */
	u64 block_id;			/* the peer's cookie, for the ack */
	u16 ack_cmd;			/* sent on success; 0: none */
	u16 nack_cmd;			/* sent on failure */
	bool peer_lacks;		/* our Primary's disk failed: mark it */
	struct rdbd_rs_batch_rx *batch;	/* RS_BATCH extent: acked as one */
	struct rdbd_rx_epoch *epoch;	/* DATA: the epoch it counts in */
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
		rdbd_ioerr_tell_peer_failed(dev);
	}
	if (cmd)
		rdbd_send_packet(dev, cmd, &p, sizeof(p));	/* ENOTCONN: fine */
}

/* May the write of @peer_req still be in the disk's volatile cache? */
static bool rdbd_peer_req_volatile(const struct rdbd_peer_req *peer_req)
{
	const struct bio *bio = peer_req->bio;

	if (bio->bi_opf & REQ_FUA)
		return false;
	/* an empty flush is a flush itself */
	return bio_op(bio) != REQ_OP_WRITE || peer_req->iv.size;
}

/* Drop a reference to @batch; the last one acks it.  May sleep. */
static void rdbd_rs_batch_put(struct rdbd_device *dev,
			      struct rdbd_rs_batch_rx *batch)
{
	if (!atomic_dec_and_test(&batch->refs))
		return;
	if (!READ_ONCE(batch->failed))
		rdbd_send_packet(dev, RDBD_P_RS_BATCH_ACK, &batch->ack,
				 sizeof(batch->ack));	/* ENOTCONN: fine */
	kfree(batch);
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
		rdbd_epoch_rx_done(dev, peer_req->epoch,
				   rdbd_peer_req_volatile(peer_req));
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
		if (peer_req->batch) {
			if (peer_req->status)
				WRITE_ONCE(peer_req->batch->failed, true);
			rdbd_rs_batch_put(dev, peer_req->batch);
		}
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

/*
 * Resync data (RS_DATA or RS_BATCH) is taken only while this node is
 * SyncTarget: in any other state it would overwrite blocks no sync asked
 * for and clear their bits.  The receive loop itself enters and leaves
 * SyncTarget (SYNC_UUID, SYNC_DONE), in the order the peer sent them, so
 * the state read here is the one the packet was sent for.  A Primary
 * takes no writes from its peer, only resync data while it is SyncTarget
 * of its reattached disk (ioerr.c).
 */
static int rdbd_peer_check_role(struct rdbd_device *dev, u16 cmd)
{
	bool resync = cmd == RDBD_P_RS_DATA || cmd == RDBD_P_RS_BATCH;

	if (resync && !rdbd_cs_sync_target(READ_ONCE(dev->conn.cstate))) {
		rdbd_conn_error(dev, "peer sent resync data while this node is no SyncTarget; dropping connection");
		return -EPROTO;
	}
	if (READ_ONCE(dev->role) == RDBD_ROLE_PRIMARY && !resync) {
		rdbd_conn_error(dev, "peer sent data while this node is Primary; dropping connection");
		return -EPROTO;
	}
	return 0;
}

/*
 * The sectors the peer's writes must fall in.  A Secondary whose disk
 * failed has no size left (ioerr.c), but the peer's writes sent before it
 * heard of that are legitimate: they pass with no range to check, and
 * are refused with a NEG_ACK, writing nothing (rdbd_ioerr_refuse_data).
 */
static u64 rdbd_peer_capacity(struct rdbd_device *dev)
{
	if (READ_ONCE(dev->disk_state) == RDBD_DISK_DISKLESS)
		return U64_MAX;
	return get_capacity(dev->disk);
}

/* Everything a DATA header claims, checked before any payload is read. */
static int rdbd_peer_check(struct rdbd_device *dev, u16 cmd,
			   const struct rdbd_p_data *p, u32 data_len)
{
	u64 sector = be64_to_cpu(p->sector);
	u32 size = be32_to_cpu(p->size);
	u32 flags = be32_to_cpu(p->dp_flags);
	bool no_payload = flags & (RDBD_DP_DISCARD | RDBD_DP_WRITE_ZEROES);
	u64 capacity = rdbd_peer_capacity(dev);

	if ((flags & ~RDBD_DP_ALL) ||
	    (cmd == RDBD_P_RS_DATA && flags) ||
	    ((flags & RDBD_DP_DISCARD) && (flags & RDBD_DP_WRITE_ZEROES)) ||
	    (no_payload && (flags & (RDBD_DP_FLUSH | RDBD_DP_FUA)))) {
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
	return rdbd_peer_check_role(dev, cmd);
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
	struct rdbd_rx_epoch *epoch = NULL;
	struct rdbd_peer_req *peer_req;
	struct rdbd_backing *ldev;
	int err;

	err = rdbd_peer_check(dev, pkt->cmd, p, pkt->data_len);
	if (err)
		return err;
	if (pkt->cmd == RDBD_P_DATA &&
	    !rdbd_data_in_no_epoch(&dev->conn, be32_to_cpu(p->dp_flags))) {
		err = rdbd_epoch_rx_write(dev, &epoch);
		if (err)
			return err;
	}
	ldev = rdbd_io_get_backing(dev);
	if (!ldev) {			/* it failed: ioerr.c */
		err = rdbd_ioerr_refuse_data(dev, pkt);
		rdbd_epoch_rx_done(dev, epoch, false);	/* NEG_ACKed */
		return err;
	}
	peer_req = rdbd_peer_req_alloc(dev, ldev, pkt->cmd, p, pkt->data_len);
	if (!peer_req) {
		rdbd_io_put_backing(dev, REQ_OP_WRITE, 0, BLK_STS_RESOURCE);
		return -ENOMEM;
	}
	peer_req->epoch = epoch;
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

/* ---- RS_BATCH ---- */

/*
 * Everything an RS_BATCH claims, checked before any data is read: the
 * count, then each extent (4 KiB aligned, inside the device, after the
 * one before), and that the data that follows is exactly theirs.
 */
static int rdbd_rs_batch_check(struct rdbd_device *dev, u32 count,
			       const struct rdbd_p_rs_extent *ext,
			       u32 data_len)
{
	u64 capacity = rdbd_peer_capacity(dev);
	u64 next = 0, total = 0;
	u32 i;

	for (i = 0; i < count; i++) {
		u64 sector = be64_to_cpu(ext[i].sector);
		u32 size = be32_to_cpu(ext[i].size);

		if (!size || size % RDBD_BM_BLOCK_BYTES ||
		    sector % (RDBD_BM_BLOCK_BYTES >> SECTOR_SHIFT) ||
		    sector < next || sector > capacity ||
		    (size >> SECTOR_SHIFT) > capacity - sector) {
			rdbd_conn_error(dev, "peer sent resync batch extent %u of %u: %u bytes at sector %llu (device: %llu sectors, previous extent ends at %llu); dropping connection",
					i, count, size, sector, capacity, next);
			return -EPROTO;
		}
		next = sector + (size >> SECTOR_SHIFT);
		total += size;
	}
	if (total > RDBD_RS_BATCH_DATA || total != data_len) {
		rdbd_conn_error(dev, "peer sent a resync batch of %llu bytes in %u extents with %u data bytes (at most %u); dropping connection",
				total, count, data_len, RDBD_RS_BATCH_DATA);
		return -EPROTO;
	}
	return rdbd_peer_check_role(dev, RDBD_P_RS_BATCH);
}

/* Read the fixed part's extents; NULL (logged) if they are malformed. */
static struct rdbd_p_rs_extent *rdbd_rs_batch_extents(struct rdbd_device *dev,
						       struct rdbd_packet *pkt,
						       int *err)
{
	u32 count = be32_to_cpu(pkt->u.rs_batch.count);
	struct rdbd_p_rs_extent *ext;
	u32 ext_len = count * sizeof(*ext);

	*err = -EPROTO;
	if (!(dev->conn.features & RDBD_FEAT_RS_BATCH) || !count ||
	    count > RDBD_RS_BATCH_EXTENTS || pkt->data_len < ext_len) {
		rdbd_conn_error(dev, "peer sent a resync batch of %u extents in %u bytes (at most %u extents%s); dropping connection",
				count, pkt->data_len, RDBD_RS_BATCH_EXTENTS,
				dev->conn.features & RDBD_FEAT_RS_BATCH ?
				"" : ", and batches were not agreed");
		return NULL;
	}
	ext = kmalloc_array(count, sizeof(*ext), GFP_NOIO);
	if (!ext) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = rdbd_recv_buf(dev, ext, ext_len, 0);
	pkt->data_len -= ext_len;
	if (!*err)
		*err = rdbd_rs_batch_check(dev, count, ext, pkt->data_len);
	if (*err) {
		kfree(ext);
		return NULL;
	}
	return ext;
}

/* Receive one extent's data into a peer request and submit it. */
static int rdbd_rs_batch_extent(struct rdbd_device *dev,
				struct rdbd_rs_batch_rx *batch,
				const struct rdbd_p_rs_extent *ext)
{
	struct rdbd_p_data p = {
		.sector = ext->sector, .block_id = batch->ack.block_id,
		.size = ext->size,
	};
	u32 size = be32_to_cpu(ext->size);
	struct rdbd_peer_req *peer_req;
	struct rdbd_backing *ldev;
	int err;

	ldev = rdbd_io_get_backing(dev);
	if (!ldev)			/* it failed: the source must keep it */
		return -ENODEV;
	peer_req = rdbd_peer_req_alloc(dev, ldev, RDBD_P_RS_DATA, &p, size);
	if (!peer_req) {
		rdbd_io_put_backing(dev, REQ_OP_WRITE, 0, BLK_STS_RESOURCE);
		return -ENOMEM;
	}
	peer_req->ack_cmd = 0;		/* the batch acks */
	err = rdbd_recv_bio(dev, peer_req->bio);
	if (err) {
		peer_req->status = BLK_STS_IOERR;
		rdbd_peer_req_free(peer_req);
		return err;
	}
	rdbd_peer_count(dev, RDBD_P_RS_DATA, size);
	peer_req->batch = batch;
	atomic_inc(&batch->refs);
	rdbd_peer_req_submit(dev, peer_req);
	return 0;
}

/*
 * Our disk failed before every extent was written: skip the rest and
 * RS_NEG_ACK the batch, so the source keeps all of it marked (ioerr.c).
 */
static int rdbd_rs_batch_refuse(struct rdbd_device *dev,
				struct rdbd_rs_batch_rx *batch, u32 left)
{
	int err = rdbd_recv_skip(dev, left, 0);

	if (err)
		return err;
	rdbd_ioerr_tell_peer_failed(dev);
	return rdbd_send_packet(dev, RDBD_P_RS_NEG_ACK, &batch->ack,
				sizeof(batch->ack));
}

/**
 * rdbd_receive_rs_batch - RS_BATCH: write each extent, ack them as one
 * @dev: the device; connection thread
 * @pkt: the packet, its fixed part read; pkt->data_len bytes follow
 *
 * Each extent becomes a peer request of its own (its own range on
 * peer_active, its own bits cleared when written, as an RS_DATA), all
 * tied to one struct rdbd_rs_batch_rx that sends the ack.  Their bios go
 * down under one plug.
 */
int rdbd_receive_rs_batch(struct rdbd_device *dev, struct rdbd_packet *pkt)
{
	struct rdbd_p_rs_extent *ext;
	struct rdbd_rs_batch_rx *batch;
	struct blk_plug plug;
	u32 count = be32_to_cpu(pkt->u.rs_batch.count);
	u32 i, left;
	int err;

	ext = rdbd_rs_batch_extents(dev, pkt, &err);
	if (!ext)
		return err;
	batch = kzalloc(sizeof(*batch), GFP_NOIO);
	if (!batch) {
		kfree(ext);
		return -ENOMEM;
	}
	atomic_set(&batch->refs, 1);	/* ours, until all are submitted */
	batch->ack.sector = ext[0].sector;
	batch->ack.block_id = pkt->u.rs_batch.batch_id;
	batch->ack.size = cpu_to_be32(pkt->data_len);
	left = pkt->data_len;
	blk_start_plug(&plug);
	for (i = 0, err = 0; i < count && !err; i++) {
		err = rdbd_rs_batch_extent(dev, batch, &ext[i]);
		if (!err)
			left -= be32_to_cpu(ext[i].size);
	}
	blk_finish_plug(&plug);
	if (err == -ENODEV)
		err = rdbd_rs_batch_refuse(dev, batch, left);
	if (err || left)
		WRITE_ONCE(batch->failed, true);
	kfree(ext);
	rdbd_rs_batch_put(dev, batch);
	return err;
}
