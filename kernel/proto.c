// SPDX-License-Identifier: GPL-2.0
/*
 * The wire protocol of <rdbd/wire.h>: sending and receiving packets,
 * checking every header that arrives, and the liveness clock that runs
 * while the connection thread waits for bytes.
 *
 * Sending: any context that may sleep (the connection thread, the sync
 * thread, the ack work, a writer in submit_bio, a netlink command) sends
 * whole packets while holding conn->send_mutex.  Pings and ping acks are
 * not sent by the receiver directly, which could wait behind a writer
 * stuck on a dead peer's full window: it sets a bit in conn->ctrl_pending
 * and whoever holds send_mutex sends it before unlocking
 * (rdbd_send_unlock()).
 *
 * Receiving: only the connection thread reads the socket.  Its socket has
 * a short SO_RCVTIMEO (RDBD_RX_TICK); between two timeouts it checks
 * kthread_should_stop() and the liveness deadlines, so a read never
 * blocks longer than a tick.
 */
#include <linux/kthread.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "rdbd_int.h"

/* Size rules of one packet type: exact, or a fixed part plus data. */
struct rdbd_packet_rule {
	u16 cmd;
	u32 size;		/* fixed part */
	bool has_data;		/* followed by up to RDBD_WIRE_MAX_DATA bytes */
};

static const struct rdbd_packet_rule rdbd_packet_rules[] = {
	{ RDBD_P_HELLO,		sizeof(struct rdbd_p_hello) },
	{ RDBD_P_AUTH_CHALLENGE, sizeof(struct rdbd_p_auth_challenge) },
	{ RDBD_P_AUTH_RESPONSE,	sizeof(struct rdbd_p_auth_response) },
	{ RDBD_P_AUTH_RESULT,	sizeof(struct rdbd_p_auth_result) },
	{ RDBD_P_PARAMS,	sizeof(struct rdbd_p_params) },
	{ RDBD_P_UUIDS,		sizeof(struct rdbd_p_uuids) },
	{ RDBD_P_PING,		0 },
	{ RDBD_P_PING_ACK,	0 },
	{ RDBD_P_STATE,		sizeof(struct rdbd_p_state) },
	{ RDBD_P_STATE_CHG_REQ,	sizeof(struct rdbd_p_state_chg_req) },
	{ RDBD_P_STATE_CHG_REPLY, sizeof(struct rdbd_p_state_chg_reply) },
	{ RDBD_P_DATA,		sizeof(struct rdbd_p_data), true },
	{ RDBD_P_RECV_ACK,	sizeof(struct rdbd_p_ack) },
	{ RDBD_P_WRITE_ACK,	sizeof(struct rdbd_p_ack) },
	{ RDBD_P_NEG_ACK,	sizeof(struct rdbd_p_ack) },
	{ RDBD_P_SYNC_UUID,	sizeof(struct rdbd_p_sync_uuid) },
	{ RDBD_P_RS_DATA,	sizeof(struct rdbd_p_data), true },
	{ RDBD_P_RS_WRITE_ACK,	sizeof(struct rdbd_p_ack) },
	{ RDBD_P_RS_NEG_ACK,	sizeof(struct rdbd_p_ack) },
	{ RDBD_P_SYNC_DONE,	sizeof(struct rdbd_p_sync_done) },
	{ RDBD_P_BITMAP,	sizeof(struct rdbd_p_bitmap) },
	{ RDBD_P_BITMAP_DONE,	sizeof(struct rdbd_p_bitmap_done) },
	{ RDBD_P_SYNC_PAUSE,	sizeof(struct rdbd_p_sync_pause) },
	{ RDBD_P_INVALIDATE,	0 },
	{ RDBD_P_READ_REQ,	sizeof(struct rdbd_p_ack) },
	{ RDBD_P_READ_REPLY,	sizeof(struct rdbd_p_data), true },
	{ RDBD_P_OUT_OF_SYNC,	sizeof(struct rdbd_p_ack) },
	{ RDBD_P_REATTACH,	sizeof(struct rdbd_p_reattach) },
	{ RDBD_P_DATA_UUID,	sizeof(struct rdbd_p_sync_uuid) },
	{ RDBD_P_VERIFY_START,	sizeof(struct rdbd_p_verify_start) },
	{ RDBD_P_VERIFY_REPLY,	sizeof(struct rdbd_p_verify_reply) },
	{ RDBD_P_VERIFY_DIGESTS, sizeof(struct rdbd_p_verify_digests) },
	{ RDBD_P_VERIFY_RESULT,	sizeof(struct rdbd_p_verify_result) },
	{ RDBD_P_VERIFY_DONE,	sizeof(struct rdbd_p_verify_done) },
	{ RDBD_P_RS_BATCH,	sizeof(struct rdbd_p_rs_batch), true },
	{ RDBD_P_RS_BATCH_ACK,	sizeof(struct rdbd_p_ack) },
};

static const struct rdbd_packet_rule *rdbd_packet_rule(u16 cmd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rdbd_packet_rules); i++)
		if (rdbd_packet_rules[i].cmd == cmd)
			return &rdbd_packet_rules[i];
	return NULL;
}

/* ---- sending ---- */

static int rdbd_sock_send(struct socket *sock, struct msghdr *msg)
{
	int sent;

	while (msg_data_left(msg)) {
		sent = sock_sendmsg(sock, msg);
		if (sent <= 0)
			return sent ? sent : -EPIPE;
	}
	return 0;
}

/* Header and fixed payload; @more: data follows (MSG_MORE). */
static int rdbd_send_locked(struct rdbd_connection *conn, u16 cmd,
			    const void *payload, u32 size, u32 data_len)
{
	struct rdbd_wire_hdr hdr = {
		.magic = cpu_to_be32(RDBD_WIRE_MAGIC),
		.cmd = cpu_to_be16(cmd),
		.length = cpu_to_be32(size + data_len),
	};
	struct kvec vec[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)payload, .iov_len = size },
	};
	struct msghdr msg = {
		.msg_flags = MSG_NOSIGNAL | (data_len ? MSG_MORE : 0),
	};

	lockdep_assert_held(&conn->send_mutex);
	if (!conn->sock)
		return -ENOTCONN;
	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, vec, size ? 2 : 1,
		      sizeof(hdr) + size);
	return rdbd_sock_send(conn->sock, &msg);
}

void rdbd_send_lock(struct rdbd_connection *conn)
{
	mutex_lock(&conn->send_mutex);
}

/* Send what the receiver asked for meanwhile, then let the next sender. */
void rdbd_send_unlock(struct rdbd_connection *conn)
{
	lockdep_assert_held(&conn->send_mutex);
	if (test_and_clear_bit(RDBD_CTRL_PING_ACK, &conn->ctrl_pending))
		rdbd_send_locked(conn, RDBD_P_PING_ACK, NULL, 0, 0);
	if (test_and_clear_bit(RDBD_CTRL_PING, &conn->ctrl_pending))
		rdbd_send_locked(conn, RDBD_P_PING, NULL, 0, 0);
	mutex_unlock(&conn->send_mutex);
}

/* One packet without data.  Errors mean the connection is going down. */
int rdbd_send_packet(struct rdbd_device *dev, u16 cmd, const void *payload,
		     u32 size)
{
	struct rdbd_connection *conn = &dev->conn;
	int err;

	rdbd_send_lock(conn);
	err = rdbd_send_locked(conn, cmd, payload, size, 0);
	rdbd_send_unlock(conn);
	return err;
}

/* Ask for a ping or ping ack; sent now if nobody else is sending. */
void rdbd_send_ctrl(struct rdbd_device *dev, int bit)
{
	struct rdbd_connection *conn = &dev->conn;

	set_bit(bit, &conn->ctrl_pending);
	if (mutex_trylock(&conn->send_mutex))
		rdbd_send_unlock(conn);
}

/**
 * rdbd_send_data - a DATA or RS_DATA packet with the data of @bio
 * @dev: the device
 * @cmd: RDBD_P_DATA or RDBD_P_RS_DATA
 * @p: the fixed part
 * @bio: data to send (bi_iter is not changed); NULL for no payload
 * @zero_copy: send the pages themselves (protocol C)
 *
 * Zero copy (kernel_sendpage) is only safe when the pages cannot change
 * before TCP has sent them: under protocol C the application's write
 * completes after the peer's WRITE_ACK, which follows the data.  Under A
 * and B the write may complete while the data is still in the socket, and
 * the application may then reuse its pages, so sock_sendmsg() copies the
 * data into the socket buffers before this returns.
 */
int rdbd_send_data(struct rdbd_device *dev, u16 cmd,
		   const struct rdbd_p_data *p, struct bio *bio, bool zero_copy)
{
	struct rdbd_connection *conn = &dev->conn;
	u32 len = bio ? bio->bi_iter.bi_size : 0;
	struct bvec_iter iter;
	struct bio_vec bv;
	int err;

	rdbd_send_lock(conn);
	err = rdbd_send_locked(conn, cmd, p, sizeof(*p), len);
	if (err || !len)
		goto out_unlock;
	bio_for_each_segment(bv, bio, iter) {
		bool last = iter.bi_size == bv.bv_len;
		int flags = MSG_NOSIGNAL | (last ? 0 : MSG_MORE);

		if (zero_copy) {
			err = kernel_sendpage(conn->sock, bv.bv_page,
					      bv.bv_offset, bv.bv_len, flags);
			err = err == bv.bv_len ? 0 : (err < 0 ? err : -EPIPE);
		} else {
			struct msghdr msg = { .msg_flags = flags };

			iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bv, 1,
				      bv.bv_len);
			err = rdbd_sock_send(conn->sock, &msg);
		}
		if (err)
			break;
	}
out_unlock:
	rdbd_send_unlock(conn);
	return err;
}

/**
 * rdbd_send_page_bio - a DATA or RS_DATA packet with a bio of our own
 * @dev: the device
 * @cmd: the packet id
 * @p: the fixed part
 * @bio: built by rdbd_alloc_page_bio(): whole bvec table, from its start
 *
 * One sock_sendmsg() for the whole payload: the pages are copied into the
 * socket (a resync chunk's pages go back to the pool at the ack anyway),
 * which costs one memcpy but saves a call per page.
 */
int rdbd_send_page_bio(struct rdbd_device *dev, u16 cmd,
		       const struct rdbd_p_data *p, struct bio *bio)
{
	return rdbd_send_bvecs(dev, cmd, p, sizeof(*p), bio->bi_io_vec,
			       bio->bi_vcnt, be32_to_cpu(p->size));
}

/**
 * rdbd_send_bvecs - one packet: fixed part, then @len bytes of pages
 * @dev: the device
 * @cmd: the packet id
 * @payload: the fixed part (and anything else before the data)
 * @size: its bytes
 * @bv: the data pages, in order; ours until the peer acks them
 * @nr: entries of @bv
 * @len: data bytes in @bv
 *
 * The data is copied into the socket by one sock_sendmsg(): one call
 * for the whole payload, however many pages (and bios) it spans.
 */
int rdbd_send_bvecs(struct rdbd_device *dev, u16 cmd, const void *payload,
		    u32 size, const struct bio_vec *bv, unsigned int nr,
		    u32 len)
{
	struct rdbd_connection *conn = &dev->conn;
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	int err;

	rdbd_send_lock(conn);
	err = rdbd_send_locked(conn, cmd, payload, size, len);
	if (!err && len) {
		iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, nr, len);
		err = rdbd_sock_send(conn->sock, &msg);
	}
	rdbd_send_unlock(conn);
	return err;
}

/* ---- receiving ---- */

/*
 * Liveness, checked every tick while waiting for bytes (not during the
 * handshake, which has its own deadline).  Any received byte is life; after
 * ping-int of silence a PING goes out; without an answer (or any other
 * byte) within ping-timeout the peer is dead.
 */
static int rdbd_rx_liveness(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	const struct rdbd_net_conf *conf = &conn->net_conf;
	unsigned long now = jiffies;

	if (conn->ping_sent) {
		if (time_after(now, conn->ping_sent +
			       msecs_to_jiffies(conf->ping_timeout_ms)))
			return -ETIMEDOUT;
		return 0;
	}
	if (time_after(now, conn->last_rx +
		       msecs_to_jiffies(conf->ping_int_ms))) {
		conn->ping_sent = now ? now : 1;
		rdbd_send_ctrl(dev, RDBD_CTRL_PING);
	}
	return 0;
}

/*
 * Fill @msg's iterator from the socket.  @deadline: 0 = use the liveness
 * rules, else give up with -ETIMEDOUT at that jiffy.
 * Returns 0, -ETIMEDOUT, -EINTR (thread stopping), -ECONNRESET (the peer
 * closed, also mid-packet) or another socket error.
 */
static int rdbd_recv_iter(struct rdbd_device *dev, struct msghdr *msg,
			  unsigned long deadline)
{
	struct rdbd_connection *conn = &dev->conn;
	int got, err;

	while (msg_data_left(msg)) {
		if (kthread_should_stop())
			return -EINTR;
		msg->msg_flags = 0;
		got = sock_recvmsg(conn->sock, msg, MSG_WAITALL | MSG_NOSIGNAL);
		if (got > 0) {
			conn->last_rx = jiffies;
			conn->ping_sent = 0;
			continue;
		}
		if (got == 0)
			return -ECONNRESET;
		if (got != -EAGAIN && got != -EINTR && got != -ERESTARTSYS)
			return got;
		if (deadline) {
			if (time_after(jiffies, deadline))
				return -ETIMEDOUT;
			continue;
		}
		err = rdbd_rx_liveness(dev);
		if (err)
			return err;
	}
	return 0;
}

int rdbd_recv_buf(struct rdbd_device *dev, void *buf, size_t len,
		  unsigned long deadline)
{
	struct kvec vec = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &vec, 1, len);
	return rdbd_recv_iter(dev, &msg, deadline);
}

/* Receive straight into the pages of @bio (its whole bi_iter). */
int rdbd_recv_bio(struct rdbd_device *dev, struct bio *bio)
{
	struct msghdr msg = {};

	iov_iter_bvec(&msg.msg_iter, ITER_DEST, bio->bi_io_vec, bio->bi_vcnt,
		      bio->bi_iter.bi_size);
	return rdbd_recv_iter(dev, &msg, 0);
}

/* Read and discard @len bytes (a packet we refuse but can skip). */
int rdbd_recv_skip(struct rdbd_device *dev, u32 len, unsigned long deadline)
{
	u8 buf[64];
	int err = 0;

	while (len && !err) {
		u32 n = min_t(u32, len, sizeof(buf));

		err = rdbd_recv_buf(dev, buf, n, deadline);
		len -= n;
	}
	return err;
}

/**
 * rdbd_recv_packet - receive one header and its fixed part
 * @dev: the device
 * @pkt: filled with the command, the fixed part and the data length
 * @deadline: 0 for the liveness rules, else an absolute jiffy
 *
 * The header is checked (magic, flags, id, length against the type's size
 * and the absolute maximum) before any payload is read.  A bad packet is
 * logged once, recorded as the last error and answered with
 * -EPROTO: the caller drops the connection.  The data part of DATA and
 * RS_DATA (pkt->data_len bytes) is left on the socket for the caller.
 */
int rdbd_recv_packet(struct rdbd_device *dev, struct rdbd_packet *pkt,
		     unsigned long deadline)
{
	const struct rdbd_packet_rule *rule;
	struct rdbd_wire_hdr hdr;
	u32 len;
	int err;

	err = rdbd_recv_buf(dev, &hdr, sizeof(hdr), deadline);
	if (err)
		return err;
	pkt->cmd = be16_to_cpu(hdr.cmd);
	len = be32_to_cpu(hdr.length);
	if (be32_to_cpu(hdr.magic) != RDBD_WIRE_MAGIC || hdr.flags) {
		rdbd_conn_error(dev, "peer sent a packet with a bad header (magic 0x%08x, flags 0x%04x); dropping connection",
				be32_to_cpu(hdr.magic), be16_to_cpu(hdr.flags));
		return -EPROTO;
	}
	rule = rdbd_packet_rule(pkt->cmd);
	if (!rule) {
		rdbd_conn_error(dev, "peer sent unknown packet 0x%04x; dropping connection",
				pkt->cmd);
		return -EPROTO;
	}
	if (len > RDBD_WIRE_MAX_PAYLOAD || len < rule->size ||
	    (!rule->has_data && len != rule->size)) {
		rdbd_conn_error(dev, "peer sent packet 0x%04x with length %u (expected %s%u); dropping connection",
				pkt->cmd, len, rule->has_data ? "at least " : "",
				rule->size);
		return -EPROTO;
	}
	pkt->data_len = len - rule->size;
	return rdbd_recv_buf(dev, &pkt->u, rule->size, deadline);
}

/* A packet of type @cmd, or -EPROTO (logged) if the peer sent another. */
int rdbd_recv_expect(struct rdbd_device *dev, struct rdbd_packet *pkt,
		     u16 cmd, unsigned long deadline)
{
	int err;

	err = rdbd_recv_packet(dev, pkt, deadline);
	if (err)
		return err;
	if (pkt->cmd == cmd && !pkt->data_len)
		return 0;
	rdbd_conn_error(dev, "peer sent packet 0x%04x during the handshake, expected 0x%04x; dropping connection",
			pkt->cmd, cmd);
	rdbd_recv_skip(dev, pkt->data_len, deadline);
	return -EPROTO;
}
