// SPDX-License-Identifier: GPL-2.0
/*
 * The wire protocol of <rdbd/wire.h> on the receiving side: reading
 * packets, checking every header that arrives, and the liveness clock
 * that runs while the connection thread waits for bytes.  Sending is the
 * sender thread's (sender.c).
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
	{ RDBD_P_META_COOKIE,	sizeof(struct rdbd_p_meta) },
	{ RDBD_P_META_HELLO,	sizeof(struct rdbd_p_meta) },
	{ RDBD_P_STATE,		sizeof(struct rdbd_p_state) },
	{ RDBD_P_STATE_CHG_REQ,	sizeof(struct rdbd_p_state_chg_req) },
	{ RDBD_P_STATE_CHG_REPLY, sizeof(struct rdbd_p_state_chg_reply) },
	{ RDBD_P_DATA,		sizeof(struct rdbd_p_data), true },
	{ RDBD_P_RECV_ACK,	sizeof(struct rdbd_p_ack) },
	{ RDBD_P_WRITE_ACK,	sizeof(struct rdbd_p_ack) },
	{ RDBD_P_NEG_ACK,	sizeof(struct rdbd_p_ack) },
	{ RDBD_P_BARRIER,	sizeof(struct rdbd_p_barrier) },
	{ RDBD_P_BARRIER_ACK,	sizeof(struct rdbd_p_barrier) },
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

/* ---- receiving ---- */

/*
 * Liveness, checked every tick while waiting for bytes (not during the
 * handshake, which has its own deadline).  Any received byte is life, on
 * either socket; after ping-int of silence a PING goes out (on the meta
 * socket if there is one, meta.c); without an answer (or any other byte)
 * within ping-timeout the peer is dead.  So is a peer that leaves a write
 * unconfirmed too long (rdbd_tl_check_ko()).
 */
static int rdbd_rx_liveness(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	const struct rdbd_net_conf *conf = &conn->net_conf;
	unsigned long sent = READ_ONCE(conn->ping_sent);
	unsigned long now = jiffies;

	if (sent) {
		if (time_after(now, sent +
			       msecs_to_jiffies(conf->ping_timeout_ms)))
			return -ETIMEDOUT;
	} else if (time_after(now, READ_ONCE(conn->last_rx) +
			      msecs_to_jiffies(conf->ping_int_ms))) {
		WRITE_ONCE(conn->ping_sent, now ? now : 1);
		if (conn->meta_sock)
			rdbd_meta_send(dev, RDBD_P_PING);
		else
			rdbd_send_ctrl(dev, RDBD_CTRL_PING);
	}
	return rdbd_tl_check_ko(dev);
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
			WRITE_ONCE(conn->last_rx, jiffies);
			WRITE_ONCE(conn->ping_sent, 0);
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
