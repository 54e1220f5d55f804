// SPDX-License-Identifier: GPL-2.0
/*
 * The meta connection: a second TCP socket per connection that carries
 * only PING and PING_ACK (RDBD_FEAT_META in <rdbd/wire.h>).
 *
 * Why.  On the data socket a PING waits behind every byte queued before
 * it, and the peer reads it only once it has taken in that data, which a
 * disk slower than the link holds up (its receive loop waits for pages
 * until earlier writes complete).  Measured in tests/vm/safety/007: a
 * protocol A Primary streaming to a peer whose disk is 20 ms slow per
 * write declared it dead ("PingAck did not arrive in time") although it
 * was working through its backlog.  Here each side answers a PING from
 * a thread of its own (rdbd_meta/N), whatever its data socket is doing.
 *
 * A peer that is alive but takes no data for a long time is caught by
 * its writes instead: tl.c drops the connection when the oldest write on
 * record waited more than ko-count times timeout (DRBD's rule).
 *
 * Life: the handshake opens it after authentication (rdbd_hs_meta())
 * and rdbd_meta_start() starts the thread; the teardown stops both
 * (rdbd_meta_stop()).  Any failure of the meta socket kills the data
 * connection, so the two live and die together.
 *
 * Locking: conn->meta_mutex serialises senders (the connection thread's
 * PING, the meta thread's PING_ACK) and guards conn->meta_sock, which
 * only the connection thread sets and clears.  The meta thread reads
 * meta_sock without it: the connection thread stops the thread before
 * it clears the pointer.
 */
#include <crypto/algapi.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "rdbd_int.h"

#define RDBD_META_TICK		(HZ / 10)

/*
 * Exactly @len bytes from @sock, or -ETIMEDOUT at @deadline (0: none),
 * -EINTR once the thread is told to stop, -ECONNRESET if it closed.
 */
static int rdbd_meta_recv(struct socket *sock, void *buf, size_t len,
			  unsigned long deadline)
{
	struct kvec vec = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};
	int got;

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &vec, 1, len);
	while (msg_data_left(&msg)) {
		if (kthread_should_stop())
			return -EINTR;
		msg.msg_flags = 0;
		got = sock_recvmsg(sock, &msg, MSG_WAITALL | MSG_NOSIGNAL);
		if (got > 0)
			continue;
		if (got == 0)
			return -ECONNRESET;
		if (got != -EAGAIN && got != -EINTR && got != -ERESTARTSYS)
			return got;
		if (deadline && time_after(jiffies, deadline))
			return -ETIMEDOUT;
	}
	return 0;
}

/* One packet straight onto @sock (the meta socket has no sender queue). */
static int rdbd_meta_send_raw(struct socket *sock, u16 cmd,
			      const void *payload, u32 size)
{
	struct rdbd_wire_hdr hdr = {
		.magic = cpu_to_be32(RDBD_WIRE_MAGIC),
		.cmd = cpu_to_be16(cmd),
		.length = cpu_to_be32(size),
	};
	struct kvec vec[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)payload, .iov_len = size },
	};
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	int sent;

	sent = kernel_sendmsg(sock, &msg, vec, size ? 2 : 1,
			      sizeof(hdr) + size);
	if (sent == sizeof(hdr) + size)
		return 0;
	return sent < 0 ? sent : -EPIPE;
}

/**
 * rdbd_meta_send - a PING or PING_ACK on the meta socket
 * @dev: the device
 * @cmd: RDBD_P_PING or RDBD_P_PING_ACK
 *
 * Returns 0, -ENOTCONN without a meta socket, or the error that made it
 * drop the connection.
 */
int rdbd_meta_send(struct rdbd_device *dev, u16 cmd)
{
	struct rdbd_connection *conn = &dev->conn;
	int err = -ENOTCONN;

	mutex_lock(&conn->meta_mutex);
	if (conn->meta_sock)
		err = rdbd_meta_send_raw(conn->meta_sock, cmd, NULL, 0);
	mutex_unlock(&conn->meta_mutex);
	if (err && err != -ENOTCONN) {
		rdbd_conn_error(dev, "sending on the meta connection failed: %s; dropping connection",
				rdbd_strerror(err));
		rdbd_conn_kill(dev);
	}
	return err;
}

/* One packet from the peer's meta socket: a PING or its answer. */
static int rdbd_meta_got(struct rdbd_device *dev,
			 const struct rdbd_wire_hdr *hdr)
{
	struct rdbd_connection *conn = &dev->conn;
	u16 cmd = be16_to_cpu(hdr->cmd);

	if (be32_to_cpu(hdr->magic) != RDBD_WIRE_MAGIC || hdr->flags ||
	    hdr->length || (cmd != RDBD_P_PING && cmd != RDBD_P_PING_ACK)) {
		rdbd_conn_error(dev, "peer sent packet 0x%04x of %u bytes on the meta connection; dropping connection",
				cmd, be32_to_cpu(hdr->length));
		return -EPROTO;
	}
	WRITE_ONCE(conn->last_rx, jiffies);
	if (cmd == RDBD_P_PING_ACK) {
		WRITE_ONCE(conn->ping_sent, 0);
		return 0;
	}
	return rdbd_meta_send(dev, RDBD_P_PING_ACK);
}

static int rdbd_meta_thread(void *arg)
{
	struct rdbd_device *dev = arg;
	struct rdbd_connection *conn = &dev->conn;
	unsigned int noio = memalloc_noio_save();
	struct rdbd_wire_hdr hdr;
	int err = 0;

	while (!err) {
		err = rdbd_meta_recv(conn->meta_sock, &hdr, sizeof(hdr), 0);
		if (!err)
			err = rdbd_meta_got(dev, &hdr);
	}
	if (err != -EINTR && !(READ_ONCE(conn->meta_sock->sk->sk_shutdown) &
			       RCV_SHUTDOWN)) {
		if (err != -EPROTO)
			rdbd_conn_error(dev, "the meta connection failed: %s; dropping connection",
					rdbd_strerror(err));
		rdbd_conn_kill(dev);
	}
	/* the connection thread stops us */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(RDBD_META_TICK);
	memalloc_noio_restore(noio);
	return 0;
}

/* Own @sock as the meta socket and start answering on it. */
static int rdbd_meta_start(struct rdbd_device *dev, struct socket *sock)
{
	struct rdbd_connection *conn = &dev->conn;
	struct task_struct *thread;
	struct sock *sk = sock->sk;

	tcp_sock_set_nodelay(sk);
	sk->sk_rcvtimeo = RDBD_META_TICK;
	/* a ping that cannot leave in ping-timeout is late anyway */
	sk->sk_sndtimeo = msecs_to_jiffies(conn->net_conf.ping_timeout_ms);
	sk->sk_allocation = GFP_NOIO;
	mutex_lock(&conn->meta_mutex);
	conn->meta_sock = sock;
	mutex_unlock(&conn->meta_mutex);
	thread = kthread_run(rdbd_meta_thread, dev, "rdbd_meta/%u",
			     dev->minor);
	if (IS_ERR(thread)) {
		rdbd_meta_stop(dev);
		return PTR_ERR(thread);
	}
	get_task_struct(thread);
	conn->meta_thread = thread;
	return 0;
}

/* Acceptor: the META_HELLO with @cookie on a socket from the peer. */
static struct socket *rdbd_meta_accept(struct rdbd_device *dev, u64 cookie,
				       unsigned long deadline)
{
	struct rdbd_wire_hdr hdr;
	struct rdbd_p_meta p;
	struct socket *sock;
	__be64 want = cpu_to_be64(cookie);

	while (time_before(jiffies, deadline)) {
		sock = rdbd_conn_accept_peer(dev, deadline);
		if (!sock)
			return NULL;
		sock->sk->sk_rcvtimeo = RDBD_META_TICK;
		if (!rdbd_meta_recv(sock, &hdr, sizeof(hdr), deadline) &&
		    be32_to_cpu(hdr.magic) == RDBD_WIRE_MAGIC &&
		    be16_to_cpu(hdr.cmd) == RDBD_P_META_HELLO &&
		    be32_to_cpu(hdr.length) == sizeof(p) &&
		    !rdbd_meta_recv(sock, &p, sizeof(p), deadline) &&
		    !crypto_memneq(&p.cookie, &want, sizeof(want)))
			return sock;
		pr_info_ratelimited("rdbd%u: closed a connection that did not say the meta cookie\n",
				    dev->minor);
		sock_release(sock);
	}
	return NULL;
}

/**
 * rdbd_hs_meta - open the meta connection, if both sides offered it
 * @dev: the device; connection thread, after authentication
 * @pkt: room for a packet
 *
 * Returns 0 (meta socket running, or not agreed) or an error: drop the
 * connection and try again.
 */
int rdbd_hs_meta(struct rdbd_device *dev, struct rdbd_packet *pkt)
{
	struct rdbd_connection *conn = &dev->conn;
	unsigned long deadline = jiffies +
		msecs_to_jiffies(conn->net_conf.connect_int_ms);
	struct rdbd_p_meta p = {};
	struct socket *sock;
	u64 cookie;
	int err;

	if (!(READ_ONCE(conn->features) & RDBD_FEAT_META))
		return 0;
	if (conn->we_dial) {
		err = rdbd_recv_expect(dev, pkt, RDBD_P_META_COOKIE, deadline);
		if (err)
			return err;
		sock = rdbd_conn_dial(dev, deadline);
		err = sock ? rdbd_meta_send_raw(sock, RDBD_P_META_HELLO,
						&pkt->u.meta, sizeof(p)) :
			     -ETIMEDOUT;
	} else {
		get_random_bytes(&cookie, sizeof(cookie));
		p.cookie = cpu_to_be64(cookie);
		err = rdbd_send_packet(dev, RDBD_P_META_COOKIE, &p, sizeof(p));
		sock = err ? NULL : rdbd_meta_accept(dev, cookie, deadline);
		if (!err && !sock)
			err = -ETIMEDOUT;
	}
	if (!err)
		err = rdbd_meta_start(dev, sock);
	else if (sock)
		sock_release(sock);
	if (err && err != -EINTR)
		rdbd_conn_error(dev, "cannot open the meta connection with %pISpc: %s",
				&conn->net_conf.peer_addr, rdbd_strerror(err));
	return err;
}

/* The connection ends (connection thread): close the meta socket. */
void rdbd_meta_stop(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	struct socket *sock = conn->meta_sock;

	if (!sock)
		return;
	kernel_sock_shutdown(sock, SHUT_RDWR);
	if (conn->meta_thread) {
		kthread_stop(conn->meta_thread);
		put_task_struct(conn->meta_thread);
		conn->meta_thread = NULL;
	}
	mutex_lock(&conn->meta_mutex);
	conn->meta_sock = NULL;
	mutex_unlock(&conn->meta_mutex);
	sock_release(sock);
}
