// SPDX-License-Identifier: GPL-2.0
/*
 * The sender: one thread per connection, rdbd_send/N, sends the packets
 * (struct rdbd_tx) queued on conn->tx_queue, whole and in queue order.
 * While it is idle a caller may send its packet itself ("Direct sends"
 * below); one task at a time writes to the socket, never two.
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
 * The bytes go out by tx_wire.c, which also says how pages are passed.
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
 * Direct sends.  Handing a packet to the thread costs a wake-up and a
 * context switch on the path of every small synchronous write under
 * protocol C: once for the DATA on the Primary and once for the
 * WRITE_ACK on the Secondary.  So rdbd_send_packet() and
 * rdbd_tx_send_now() send in the caller's own context when nothing waits
 * before their packet and no one else is sending (rdbd_tx_try_direct()).
 * Such a send never waits: it passes MSG_DONTWAIT, which TCP honours
 * before it looks at signals, so a signal cannot cut it short.  If the
 * socket is full it hands the rest of the packet to the thread
 * (tx_resume), which sends it before anything else.  A DATA packet sent
 * so joins the open epoch, and the thread, woken, closes that epoch once
 * nothing is queued: the BARRIER is on no write's path to its ack, and
 * writes sent directly while the thread waits for tx_mutex share it.
 *
 * Locking: conn->tx_lock (a spinlock, never held while sleeping) protects
 * the queue, tx_open and tx_queued_bytes.  conn->tx_mutex is held by
 * whoever writes to the socket: the thread, for each packet it sends, or
 * a direct sender, which only ever trylocks it.  The fields marked
 * "tx_mutex" are that writer's.
 */
#include <linux/kthread.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
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
	/* an epoch a direct send left open: closed once nothing is queued */
	return work || READ_ONCE(conn->ctrl_pending) ||
	       READ_ONCE(conn->tx_resume) ||
	       (READ_ONCE(conn->tx_epoch_writes) &&
		!READ_ONCE(conn->tx_broken)) ||
	       kthread_should_stop();
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

/* The send of @tx ended with @err: the socket breaks, or it counts. */
static void rdbd_sender_account(struct rdbd_device *dev, struct rdbd_tx *tx,
				int err)
{
	if (err)
		rdbd_sender_broke(dev, tx->cmd, err);
	else
		rdbd_epoch_sent(&dev->conn, tx);
}

/*
 * Send one packet, or fail it once the socket broke; then hand it back.
 * @skip: its bytes a direct send put out already.
 */
static void rdbd_sender_one(struct rdbd_device *dev, struct rdbd_tx *tx,
			    bool more, size_t skip)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_tx_pos pos = { .skip = skip };
	int err = -EPIPE;

	if (!conn->tx_broken) {
		err = rdbd_tx_send_pos(conn->tx_sock, tx, more, &pos);
		rdbd_sender_account(dev, tx, err);
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

/* Stopping: no new packets; fail what is queued.  tx_mutex. */
static void rdbd_sender_drain(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_tx *tx = conn->tx_resume;
	bool more;

	spin_lock(&conn->tx_lock);
	conn->tx_open = false;
	spin_unlock(&conn->tx_lock);
	if (tx) {
		WRITE_ONCE(conn->tx_resume, NULL);
		tx->done(tx, -ENOTCONN);
	}
	while ((tx = rdbd_tx_dequeue(conn, &more)))
		tx->done(tx, -ENOTCONN);
}

/*
 * One step of the thread: finish a packet a direct send began, or send
 * the next queued one, or close the open epoch.  False: nothing to do.
 * tx_mutex.
 */
static bool rdbd_sender_step(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_tx *tx = conn->tx_resume;
	bool more;

	if (tx) {
		WRITE_ONCE(conn->tx_resume, NULL);
		rdbd_sender_one(dev, tx, false, conn->tx_resume_at);
		return true;
	}
	tx = rdbd_tx_dequeue(conn, &more);
	rdbd_sender_ctrl(dev, tx || more);
	if (tx) {
		/* done() runs before any BARRIER covering it goes */
		rdbd_sender_one(dev, tx, more, 0);
		if (rdbd_epoch_close_due(conn, false))
			rdbd_epoch_close(dev, more);
		return true;
	}
	if (rdbd_epoch_close_due(conn, true)) {
		rdbd_epoch_close(dev, false);
		return true;
	}
	return false;
}

static int rdbd_sender_thread(void *arg)
{
	struct rdbd_device *dev = arg;
	struct rdbd_connection *conn = &dev->conn;
	unsigned int noio = memalloc_noio_save(); /* we serve writeback */
	bool busy;

	while (!kthread_should_stop()) {
		mutex_lock(&conn->tx_mutex);
		busy = rdbd_sender_step(dev);
		mutex_unlock(&conn->tx_mutex);
		if (busy)
			continue;
		wake_up_all(&conn->tx_wait_idle);
		wait_event_interruptible(conn->tx_wait,
					 rdbd_sender_has_work(conn));
	}
	mutex_lock(&conn->tx_mutex);
	rdbd_sender_drain(dev);
	mutex_unlock(&conn->tx_mutex);
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
	conn->tx_resume = NULL;
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
	return (idle && !READ_ONCE(conn->tx_resume)) ||
	       READ_ONCE(conn->tx_broken);
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
	/* a direct sender that found tx_open may still be on the socket */
	mutex_lock(&conn->tx_mutex);
	conn->tx_sock = NULL;
	mutex_unlock(&conn->tx_mutex);
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

/*
 * Send @tx at once in this context if the socket is free and nothing is
 * queued before it (see "Direct sends" above).  Returns false if it
 * could not: @tx is then still the caller's, to queue.  Otherwise @tx
 * went out, or failed, or the thread finishes it; done() is called as
 * for a queued packet.  Process context, no spinlock held; never waits
 * for the network.
 */
static bool rdbd_tx_try_direct(struct rdbd_device *dev, struct rdbd_tx *tx)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_tx_pos pos = { .flags = MSG_DONTWAIT };
	unsigned int noio;
	bool free;
	int err;

	if (!mutex_trylock(&conn->tx_mutex))
		return false;
	spin_lock(&conn->tx_lock);
	free = conn->tx_open && list_empty(&conn->tx_queue);
	spin_unlock(&conn->tx_lock);
	if (!free || conn->tx_broken || conn->tx_resume ||
	    READ_ONCE(conn->ctrl_pending) ||
	    rdbd_epoch_close_due(conn, false)) {
		mutex_unlock(&conn->tx_mutex);
		return false;
	}
	noio = memalloc_noio_save();	/* we may serve writeback */
	err = rdbd_tx_send_pos(conn->tx_sock, tx, false, &pos);
	memalloc_noio_restore(noio);
	if (err == -EAGAIN) {		/* the thread sends the rest */
		conn->tx_resume_at = pos.sent;
		WRITE_ONCE(conn->tx_resume, tx);
	} else {
		rdbd_sender_account(dev, tx, err);
		/* under tx_mutex: before any BARRIER covering it goes */
		tx->done(tx, err);
	}
	mutex_unlock(&conn->tx_mutex);
	/* the rest of @tx, or the BARRIER that closes its epoch */
	if (READ_ONCE(conn->tx_resume) || READ_ONCE(conn->tx_epoch_writes))
		wake_up(&conn->tx_wait);
	return true;
}

/**
 * rdbd_tx_send_now - send a packet, in this context if it can
 * @dev: the device
 * @tx: as for rdbd_tx_queue()
 *
 * As rdbd_tx_queue(), but the packet may go out before this returns
 * (rdbd_tx_try_direct()), done() included.  Process context, no
 * spinlock held; never waits for the network.
 */
bool rdbd_tx_send_now(struct rdbd_device *dev, struct rdbd_tx *tx)
{
	return rdbd_tx_try_direct(dev, tx) || rdbd_tx_queue(dev, tx);
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
	if (rdbd_tx_try_direct(dev, &c->tx))
		return 0;
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
	mutex_init(&conn->tx_mutex);
}
