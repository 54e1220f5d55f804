// SPDX-License-Identifier: GPL-2.0
/*
 * The sender: one thread per connection, rdbd_send/N, is the only writer
 * of the socket.  Everyone else queues packets (struct rdbd_tx) on
 * conn->tx_queue and the thread sends them whole, in queue order.
 *
 * Why a thread.  A packet is a header, a fixed part and maybe data; the
 * peer parses the byte stream by the lengths in the headers, so a packet
 * cut short puts every later byte out of step: the peer would read data
 * as headers.  Sending in the submitter's own context makes that likely:
 * a task waiting for room in a full socket is woken by any signal, and
 * sock_sendmsg() then returns what it copied so far, or -ERESTARTSYS.  A
 * kernel thread receives no signals, so here a send only ends early when
 * the socket itself fails, and then the rule below applies.
 *
 * The rule: once the first byte of a packet went out, any error shuts the
 * socket down.  The receive loop then fails and tears the connection
 * down, and every write the peer did not confirm is marked out of sync
 * (req.c).  The thread fails every packet still queued with the same
 * error, without sending it: nothing follows a truncated packet.
 *
 * Pages: data that must not be copied (an application write under
 * protocol C, whose pages stay ours until the peer's ack) is passed to
 * TCP by reference, except for pages that fail sendpage_ok() (slab
 * memory, such as XFS's small metadata buffers), which TCP may not hold
 * and are copied instead.
 *
 * Pings and ping acks are not queued: the receive loop sets a bit in
 * conn->ctrl_pending and the thread sends them before its next packet.
 * BARRIER packets (epoch.c) are the thread's own too.
 *
 * Three ways to send:
 *   rdbd_send_packet()  a small packet, copied: returns once it is queued
 *                       (the receive loop, which must never wait for the
 *                       network, sends this way);
 *   rdbd_send_bvecs(), rdbd_send_data(), rdbd_send_page_bio()
 *                       a packet whose buffers the caller owns: they
 *                       return when the thread is done with them, with
 *                       the result of the send;
 *   rdbd_tx_queue()     a caller-built struct rdbd_tx with a completion
 *                       callback (application writes, req.c).
 *
 * Locking: conn->tx_lock (a spinlock, never held while sleeping) protects
 * the queue, tx_open and tx_queued_bytes.  The thread's own fields are
 * marked "sender only".
 */
#include <linux/kthread.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "rdbd_int.h"

/*
 * Copied packets queued and not yet sent, at most.  Only a peer that
 * stops reading while it sends (acks pile up for its data) gets there;
 * the connection is dropped rather than memory spent without bound.
 */
#define RDBD_TX_QUEUED_MAX	(16U << 20)

/*
 * An epoch (epoch.c) closes after this many DATA packets or bytes even
 * while writes stream without a pause: the record of unconfirmed writes
 * and the work of one flush on the peer stay bounded, and a Primary under
 * protocol A, which gets no other acks, hears from its peer every few
 * MiB.
 */
#define RDBD_EPOCH_WRITES_MAX	1024
#define RDBD_EPOCH_BYTES_MAX	(16U << 20)

/* A copied packet: the tx and its fixed part. */
struct rdbd_tx_copy {
	struct rdbd_tx tx;
	u8 buf[];
};

/* A packet whose sender waits for it (rdbd_send_wait()). */
struct rdbd_tx_waiter {
	struct rdbd_tx tx;
	struct completion done;
	int err;
};

/* ---- putting bytes on the socket (sender only) ---- */

static int rdbd_sock_sendmsg(struct socket *sock, struct msghdr *msg)
{
	int sent;

	while (msg_data_left(msg)) {
		sent = sock_sendmsg(sock, msg);
		if (sent <= 0)
			return sent ? sent : -EPIPE;
	}
	return 0;
}

static int rdbd_sock_send_kvec(struct socket *sock, struct kvec *vec,
			       unsigned int nr, size_t len, int flags)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL | flags };

	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, vec, nr, len);
	return rdbd_sock_sendmsg(sock, &msg);
}

/* One page by reference if TCP may hold it, else copied. */
static int rdbd_sock_send_page(struct socket *sock, const struct bio_vec *bv,
			       bool zero_copy, int flags)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL | flags };
	int sent;

	if (!zero_copy || !sendpage_ok(bv->bv_page)) {
		iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, 1, bv->bv_len);
		return rdbd_sock_sendmsg(sock, &msg);
	}
	sent = kernel_sendpage(sock, bv->bv_page, bv->bv_offset, bv->bv_len,
			       MSG_NOSIGNAL | flags);
	if (sent == bv->bv_len)
		return 0;
	return sent < 0 ? sent : -EPIPE;	/* a short sendpage: broken */
}

/* The data of @tx: its bio's segments, or its page array. */
static int rdbd_tx_send_data(struct socket *sock, const struct rdbd_tx *tx,
			     int more)
{
	struct bvec_iter iter;
	struct bio_vec bv;
	int err;

	if (!tx->bio) {
		struct msghdr msg = { .msg_flags = MSG_NOSIGNAL | more };
		unsigned int i;

		if (!tx->zero_copy) {	/* one copying call for all of it */
			iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, tx->bv,
				      tx->nr, tx->len);
			return rdbd_sock_sendmsg(sock, &msg);
		}
		for (i = 0; i < tx->nr; i++) {
			err = rdbd_sock_send_page(sock, &tx->bv[i], true,
						  i + 1 < tx->nr ?
						  MSG_MORE : more);
			if (err)
				return err;
		}
		return 0;
	}
	bio_for_each_segment(bv, tx->bio, iter) {
		bool last = iter.bi_size == bv.bv_len;

		err = rdbd_sock_send_page(sock, &bv, tx->zero_copy,
					  last ? more : MSG_MORE);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Header, fixed part, data.  @more: another packet follows at once, so
 * TCP may hold back a partial segment (MSG_MORE).
 */
static int rdbd_tx_send(struct socket *sock, const struct rdbd_tx *tx,
			bool more)
{
	struct rdbd_wire_hdr hdr = {
		.magic = cpu_to_be32(RDBD_WIRE_MAGIC),
		.cmd = cpu_to_be16(tx->cmd),
		.length = cpu_to_be32(tx->size + tx->len),
	};
	struct kvec vec[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)tx->payload, .iov_len = tx->size },
	};
	int more_flag = more ? MSG_MORE : 0;
	int err;

	err = rdbd_sock_send_kvec(sock, vec, tx->size ? 2 : 1,
				  sizeof(hdr) + tx->size,
				  tx->len ? MSG_MORE : more_flag);
	if (!err && tx->len)
		err = rdbd_tx_send_data(sock, tx, more_flag);
	return err;
}

/* ---- the thread ---- */

static struct rdbd_tx *rdbd_tx_dequeue(struct rdbd_connection *conn,
				       bool *more)
{
	struct rdbd_tx *tx;

	spin_lock(&conn->tx_lock);
	tx = list_first_entry_or_null(&conn->tx_queue, struct rdbd_tx, list);
	if (tx) {
		list_del_init(&tx->list);
		if (tx->copied)
			conn->tx_queued_bytes -= tx->size;
	}
	*more = !list_empty(&conn->tx_queue);
	spin_unlock(&conn->tx_lock);
	return tx;
}

static bool rdbd_sender_has_work(struct rdbd_connection *conn)
{
	bool work;

	spin_lock(&conn->tx_lock);
	work = !list_empty(&conn->tx_queue);
	spin_unlock(&conn->tx_lock);
	return work || READ_ONCE(conn->ctrl_pending) || kthread_should_stop();
}

/* ---- epochs (epoch.c has the design) ---- */

static void rdbd_epoch_reset_tx(struct rdbd_connection *conn)
{
	conn->tx_epoch = 1;
	conn->tx_epoch_writes = 0;
	conn->tx_epoch_bytes = 0;
}

/* @tx went out: a DATA packet belongs to the open epoch, or to none. */
static void rdbd_epoch_sent(struct rdbd_connection *conn, struct rdbd_tx *tx)
{
	if (tx->cmd != RDBD_P_DATA || tx->in_no_epoch)
		return;
	tx->epoch = conn->tx_epoch;
	conn->tx_epoch_writes++;
	conn->tx_epoch_bytes += tx->len;
}

/* Close the open epoch now?  @idle: nothing else is queued. */
static bool rdbd_epoch_close_due(struct rdbd_connection *conn, bool idle)
{
	return conn->tx_epoch_writes && !conn->tx_broken &&
	       (idle || conn->tx_epoch_writes >= RDBD_EPOCH_WRITES_MAX ||
		conn->tx_epoch_bytes >= RDBD_EPOCH_BYTES_MAX);
}

static void rdbd_sender_broke(struct rdbd_device *dev, u16 cmd, int err);

/* BARRIER after the last DATA of the open epoch; the next one opens. */
static void rdbd_epoch_close(struct rdbd_device *dev, bool more)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_p_barrier p = {
		.epoch = cpu_to_be64(conn->tx_epoch),
		.writes = cpu_to_be32(conn->tx_epoch_writes),
	};
	struct rdbd_tx tx = {
		.cmd = RDBD_P_BARRIER, .size = sizeof(p), .payload = &p,
	};
	int err;

	err = rdbd_tx_send(conn->tx_sock, &tx, more);
	if (err)
		rdbd_sender_broke(dev, tx.cmd, err);
	conn->tx_epoch++;
	conn->tx_epoch_writes = 0;
	conn->tx_epoch_bytes = 0;
}

/*
 * The first failed send: nothing may follow it on this socket.  Said in
 * the log unless this node had shut the socket down already (a teardown,
 * or a connection dropped for a reason logged then).
 */
static void rdbd_sender_broke(struct rdbd_device *dev, u16 cmd, int err)
{
	struct rdbd_connection *conn = &dev->conn;
	struct sock *sk = conn->tx_sock->sk;

	conn->tx_broken = true;
	if (!(READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN))
		rdbd_conn_error(dev, "sending packet 0x%04x failed: %s; dropping connection",
				cmd, rdbd_strerror(err));
	kernel_sock_shutdown(conn->tx_sock, SHUT_RDWR);
	/*
	 * The peer is lost from here on: fencing (fence.c) must freeze
	 * before the writes that did not go out complete (they do so right
	 * after this), not only once the teardown begins.
	 */
	rdbd_fence_conn_lost(dev, rdbd_connected(dev) ?
			     RDBD_CONN_NETWORK_FAILURE :
			     RDBD_CONN_WF_REPORT_PARAMS);
}

/* Send one packet, or fail it once the socket broke; then hand it back. */
static void rdbd_sender_one(struct rdbd_device *dev, struct rdbd_tx *tx,
			    bool more)
{
	struct rdbd_connection *conn = &dev->conn;
	int err = -EPIPE;

	if (!conn->tx_broken) {
		err = rdbd_tx_send(conn->tx_sock, tx, more);
		if (err)
			rdbd_sender_broke(dev, tx->cmd, err);
		else
			rdbd_epoch_sent(conn, tx);
	}
	tx->done(tx, err);
}

/* Pings and ping acks the receive loop asked for. */
static void rdbd_sender_ctrl(struct rdbd_device *dev, bool more)
{
	struct rdbd_connection *conn = &dev->conn;
	static const u16 cmds[] = {
		[RDBD_CTRL_PING_ACK] = RDBD_P_PING_ACK,
		[RDBD_CTRL_PING] = RDBD_P_PING,
	};
	int bit;

	for (bit = 0; bit < ARRAY_SIZE(cmds); bit++) {
		struct rdbd_tx tx = { .cmd = cmds[bit] };
		int err;

		if (!test_and_clear_bit(bit, &conn->ctrl_pending) ||
		    conn->tx_broken)
			continue;
		err = rdbd_tx_send(conn->tx_sock, &tx, more);
		if (err)
			rdbd_sender_broke(dev, tx.cmd, err);
	}
}

/* Stopping: no new packets; fail what is queued. */
static void rdbd_sender_drain(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_tx *tx;
	bool more;

	spin_lock(&conn->tx_lock);
	conn->tx_open = false;
	spin_unlock(&conn->tx_lock);
	while ((tx = rdbd_tx_dequeue(conn, &more)))
		tx->done(tx, -ENOTCONN);
}

static int rdbd_sender_thread(void *arg)
{
	struct rdbd_device *dev = arg;
	struct rdbd_connection *conn = &dev->conn;
	unsigned int noio = memalloc_noio_save(); /* we serve writeback */
	struct rdbd_tx *tx;
	bool more;

	while (!kthread_should_stop()) {
		tx = rdbd_tx_dequeue(conn, &more);
		rdbd_sender_ctrl(dev, tx || more);
		if (tx) {
			/* done() runs before any BARRIER covering it goes */
			rdbd_sender_one(dev, tx, more);
			if (rdbd_epoch_close_due(conn, false))
				rdbd_epoch_close(dev, more);
			continue;
		}
		if (rdbd_epoch_close_due(conn, true)) {
			rdbd_epoch_close(dev, false);
			continue;
		}
		wake_up_all(&conn->tx_wait_idle);
		wait_event_interruptible(conn->tx_wait,
					 rdbd_sender_has_work(conn));
	}
	rdbd_sender_drain(dev);
	memalloc_noio_restore(noio);
	return 0;
}

/**
 * rdbd_sender_start - start the sender of a new connection
 * @dev: the device; connection thread, before the handshake
 * @sock: the connected socket, owned by the connection thread
 */
int rdbd_sender_start(struct rdbd_device *dev, struct socket *sock)
{
	struct rdbd_connection *conn = &dev->conn;
	struct task_struct *thread;

	conn->tx_sock = sock;
	conn->tx_broken = false;
	conn->ctrl_pending = 0;
	rdbd_epoch_reset_tx(conn);
	thread = kthread_create(rdbd_sender_thread, dev, "rdbd_send/%u",
				dev->minor);
	if (IS_ERR(thread))
		return PTR_ERR(thread);
	get_task_struct(thread);
	conn->sender = thread;
	spin_lock(&conn->tx_lock);
	conn->tx_open = true;
	conn->tx_queued_bytes = 0;
	spin_unlock(&conn->tx_lock);
	wake_up_process(thread);
	return 0;
}

/* Nothing queued (or the socket broke). */
static bool rdbd_sender_idle(struct rdbd_connection *conn)
{
	bool idle;

	spin_lock(&conn->tx_lock);
	idle = list_empty(&conn->tx_queue);
	spin_unlock(&conn->tx_lock);
	return idle || READ_ONCE(conn->tx_broken);
}

/**
 * rdbd_sender_stop - stop the sender; its queued packets fail
 * @dev: the device; connection thread
 * @flush_ms: first let it send what is queued for up to this long (a
 *            refusal the peer should read before the socket closes)
 *
 * The socket is shut down here unless @flush_ms lets the queue drain
 * first; either way no byte follows on it.
 */
void rdbd_sender_stop(struct rdbd_device *dev, unsigned int flush_ms)
{
	struct rdbd_connection *conn = &dev->conn;

	if (!conn->sender)
		return;
	if (flush_ms)
		wait_event_timeout(conn->tx_wait_idle,
				   rdbd_sender_idle(conn),
				   msecs_to_jiffies(flush_ms));
	kernel_sock_shutdown(conn->tx_sock, SHUT_RDWR);
	kthread_stop(conn->sender);
	put_task_struct(conn->sender);
	conn->sender = NULL;
	conn->tx_sock = NULL;
}

/* ---- queueing ---- */

/**
 * rdbd_tx_queue - hand a packet to the sender
 * @dev: the device
 * @tx: the packet; tx->done is called exactly once, by the sender, when
 *      it is done with the buffers, unless this returns false
 *
 * Returns false if no connection takes packets; @tx is then the caller's.
 * Any context that may take a spinlock.
 */
bool rdbd_tx_queue(struct rdbd_device *dev, struct rdbd_tx *tx)
{
	struct rdbd_connection *conn = &dev->conn;
	bool open;

	spin_lock(&conn->tx_lock);
	open = conn->tx_open;
	if (open)
		list_add_tail(&tx->list, &conn->tx_queue);
	spin_unlock(&conn->tx_lock);
	if (open)
		wake_up(&conn->tx_wait);
	return open;
}

/* The sender is done with a copied packet. */
static void rdbd_tx_copy_done(struct rdbd_tx *tx, int err)
{
	kfree(container_of(tx, struct rdbd_tx_copy, tx));
}

/* Kill the connection from outside the connection thread; it redials. */
void rdbd_conn_kill(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;

	mutex_lock(&conn->sock_mutex);
	if (conn->sock)
		kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	mutex_unlock(&conn->sock_mutex);
}

/**
 * rdbd_send_packet - queue a small packet; it is copied
 * @dev: the device
 * @cmd: packet id
 * @payload: fixed part, @size bytes
 * @size: its size
 *
 * Never waits for the network.  Returns 0 once queued, -ENOTCONN without
 * a connection, or -ENOMEM (the connection is then dropped: a packet the
 * peer waits for must not vanish silently).  Process context.
 */
int rdbd_send_packet(struct rdbd_device *dev, u16 cmd, const void *payload,
		     u32 size)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_tx_copy *c;
	bool open, full;

	c = kmalloc(struct_size(c, buf, size), GFP_NOIO);
	if (!c) {
		rdbd_conn_error(dev, "out of memory for packet 0x%04x; dropping connection",
				cmd);
		rdbd_conn_kill(dev);
		return -ENOMEM;
	}
	memcpy(c->buf, payload, size);
	c->tx = (struct rdbd_tx) {
		.cmd = cmd, .size = size, .payload = c->buf,
		.done = rdbd_tx_copy_done, .dev = dev, .copied = true,
	};
	spin_lock(&conn->tx_lock);
	open = conn->tx_open;
	full = conn->tx_queued_bytes + size > RDBD_TX_QUEUED_MAX;
	if (open && !full) {
		list_add_tail(&c->tx.list, &conn->tx_queue);
		conn->tx_queued_bytes += size;
	}
	spin_unlock(&conn->tx_lock);
	if (open && !full) {
		wake_up(&conn->tx_wait);
		return 0;
	}
	kfree(c);
	if (!open)
		return -ENOTCONN;
	rdbd_conn_error(dev, "the peer reads none of our packets (%u KiB queued); dropping connection",
			RDBD_TX_QUEUED_MAX >> 10);
	rdbd_conn_kill(dev);
	return -ENOBUFS;
}

static void rdbd_tx_waiter_done(struct rdbd_tx *tx, int err)
{
	struct rdbd_tx_waiter *w = container_of(tx, struct rdbd_tx_waiter, tx);

	w->err = err;
	complete(&w->done);
}

/* Queue @w's packet and wait until the sender is done with it. */
static int rdbd_send_wait_tx(struct rdbd_device *dev, struct rdbd_tx_waiter *w)
{
	w->tx.done = rdbd_tx_waiter_done;
	w->tx.dev = dev;
	init_completion(&w->done);
	if (!rdbd_tx_queue(dev, &w->tx))
		return -ENOTCONN;
	wait_for_completion(&w->done);
	return w->err;
}

/**
 * rdbd_send_bvecs - one packet from buffers the caller owns
 * @dev: the device
 * @cmd: packet id
 * @payload: the fixed part, @size bytes
 * @size: its size
 * @bv: data pages (or NULL), @nr entries holding @len bytes
 * @nr: entries of @bv
 * @len: data bytes
 *
 * Returns when the sender is done with every buffer: 0 if the packet is
 * in the socket, else an error (the connection is going down).  The data
 * is copied into the socket.  Never call it from the receive loop after
 * the handshake: the peer may be waiting for us to read.
 */
int rdbd_send_bvecs(struct rdbd_device *dev, u16 cmd, const void *payload,
		    u32 size, const struct bio_vec *bv, unsigned int nr,
		    u32 len)
{
	struct rdbd_tx_waiter w = {
		.tx = { .cmd = cmd, .size = size, .payload = payload,
			.bv = bv, .nr = nr, .len = len },
	};

	return rdbd_send_wait_tx(dev, &w);
}

/**
 * rdbd_send_data - a packet with the data of @bio (its bi_iter); waits
 * @dev: the device
 * @cmd: packet id
 * @p: the fixed part
 * @bio: the data
 * @zero_copy: pass the pages to TCP by reference (they must stay
 *             unchanged until the peer acks them); slab pages are copied
 */
int rdbd_send_data(struct rdbd_device *dev, u16 cmd,
		   const struct rdbd_p_data *p, struct bio *bio, bool zero_copy)
{
	struct rdbd_tx_waiter w = {
		.tx = { .cmd = cmd, .size = sizeof(*p), .payload = p,
			.bio = bio, .len = bio->bi_iter.bi_size,
			.zero_copy = zero_copy },
	};

	return rdbd_send_wait_tx(dev, &w);
}

/**
 * rdbd_send_page_bio - a packet with a bio of our own; waits
 * @dev: the device
 * @cmd: the packet id
 * @p: the fixed part
 * @bio: built by rdbd_alloc_page_bio(): whole bvec table, from its start
 *
 * The pages are copied into the socket by one call (they go back to the
 * pool soon), which costs a memcpy but saves a call per page.
 */
int rdbd_send_page_bio(struct rdbd_device *dev, u16 cmd,
		       const struct rdbd_p_data *p, struct bio *bio)
{
	return rdbd_send_bvecs(dev, cmd, p, sizeof(*p), bio->bi_io_vec,
			       bio->bi_vcnt, be32_to_cpu(p->size));
}

/* Ask for a ping or ping ack; the sender sends it before its next packet. */
void rdbd_send_ctrl(struct rdbd_device *dev, int bit)
{
	set_bit(bit, &dev->conn.ctrl_pending);
	wake_up(&dev->conn.tx_wait);
}

/* Device creation. */
void rdbd_sender_init(struct rdbd_connection *conn)
{
	spin_lock_init(&conn->tx_lock);
	INIT_LIST_HEAD(&conn->tx_queue);
	init_waitqueue_head(&conn->tx_wait);
	init_waitqueue_head(&conn->tx_wait_idle);
	mutex_init(&conn->sock_mutex);
}
