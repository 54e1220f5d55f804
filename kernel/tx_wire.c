// SPDX-License-Identifier: GPL-2.0
/*
 * Putting one packet on the socket: header, fixed part, data.  Only the
 * socket's writer (tx_mutex, sender.c) calls these.
 *
 * A packet may go out in two parts: a direct send (MSG_DONTWAIT) that
 * found the socket full stops where it was, and the sender thread goes
 * on from there (struct rdbd_tx_pos).  The bytes are the same each time
 * (the header is built from the packet again), so the peer sees one
 * packet, whole.
 *
 * Pages: data that must not be copied (an application write under
 * protocol C, whose pages stay ours until the peer's ack) is passed to
 * TCP by reference, except for pages that fail sendpage_ok() (slab
 * memory, such as XFS's small metadata buffers), which TCP may not hold
 * and are copied instead.
 */
#include <linux/uio.h>
#include <net/sock.h>

#include "rdbd_int.h"


/* Skip what went out before; true if nothing of this piece is left. */
static bool rdbd_tx_pos_skip(struct rdbd_tx_pos *pos, size_t *at,
			     size_t len)
{
	if (pos->skip >= len) {
		pos->skip -= len;
		return true;
	}
	*at = pos->skip;
	pos->skip = 0;
	return false;
}

static int rdbd_sock_sendmsg(struct socket *sock, struct msghdr *msg,
			     struct rdbd_tx_pos *pos)
{
	size_t at;
	int sent;

	if (rdbd_tx_pos_skip(pos, &at, msg_data_left(msg)))
		return 0;
	iov_iter_advance(&msg->msg_iter, at);
	msg->msg_flags |= MSG_NOSIGNAL | pos->flags;
	while (msg_data_left(msg)) {
		sent = sock_sendmsg(sock, msg);
		if (sent <= 0)
			return sent ? sent : -EPIPE;
		pos->sent += sent;
	}
	return 0;
}

static int rdbd_sock_send_kvec(struct socket *sock, struct kvec *vec,
			       unsigned int nr, size_t len, int flags,
			       struct rdbd_tx_pos *pos)
{
	struct msghdr msg = { .msg_flags = flags };

	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, vec, nr, len);
	return rdbd_sock_sendmsg(sock, &msg, pos);
}

/* One page by reference if TCP may hold it, else copied. */
static int rdbd_sock_send_page(struct socket *sock, const struct bio_vec *bv,
			       bool zero_copy, int flags,
			       struct rdbd_tx_pos *pos)
{
	struct msghdr msg = { .msg_flags = flags };
	struct bio_vec part = *bv;
	size_t at;
	int sent;

	if (rdbd_tx_pos_skip(pos, &at, part.bv_len))
		return 0;
	part.bv_offset += at;
	part.bv_len -= at;
	if (!zero_copy || !sendpage_ok(part.bv_page)) {
		iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &part, 1,
			      part.bv_len);
		return rdbd_sock_sendmsg(sock, &msg, pos);
	}
	sent = rdbd_sock_sendpage(sock, &part,
				  MSG_NOSIGNAL | flags | pos->flags);
	if (sent > 0)
		pos->sent += sent;
	if (sent == part.bv_len)
		return 0;
	if (pos->flags & MSG_DONTWAIT && sent >= 0)
		return -EAGAIN;			/* the socket filled up */
	return sent < 0 ? sent : -EPIPE;	/* a short sendpage: broken */
}

/* The data of @tx: its bio's segments, or its page array. */
static int rdbd_tx_send_data(struct socket *sock, const struct rdbd_tx *tx,
			     int more, struct rdbd_tx_pos *pos)
{
	struct bvec_iter iter;
	struct bio_vec bv;
	int err;

	if (!tx->bio) {
		struct msghdr msg = { .msg_flags = more };
		unsigned int i;

		if (!tx->zero_copy) {	/* one copying call for all of it */
			iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, tx->bv,
				      tx->nr, tx->len);
			return rdbd_sock_sendmsg(sock, &msg, pos);
		}
		for (i = 0; i < tx->nr; i++) {
			err = rdbd_sock_send_page(sock, &tx->bv[i], true,
						  i + 1 < tx->nr ?
						  MSG_MORE : more, pos);
			if (err)
				return err;
		}
		return 0;
	}
	bio_for_each_segment(bv, tx->bio, iter) {
		bool last = iter.bi_size == bv.bv_len;

		err = rdbd_sock_send_page(sock, &bv, tx->zero_copy,
					  last ? more : MSG_MORE, pos);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Header, fixed part, data, from @pos->skip on.  @more: another packet
 * follows at once, so TCP may hold back a partial segment (MSG_MORE).
 * Returns 0 once all of it is out; -EAGAIN only for MSG_DONTWAIT.
 */
int rdbd_tx_send_pos(struct socket *sock, const struct rdbd_tx *tx,
			    bool more, struct rdbd_tx_pos *pos)
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
				  tx->len ? MSG_MORE : more_flag, pos);
	if (!err && tx->len)
		err = rdbd_tx_send_data(sock, tx, more_flag, pos);
	return err;
}

/* All of @tx, waiting for room in the socket: the thread's way. */
int rdbd_tx_send(struct socket *sock, const struct rdbd_tx *tx,
			bool more)
{
	struct rdbd_tx_pos pos = { };

	return rdbd_tx_send_pos(sock, tx, more, &pos);
}
