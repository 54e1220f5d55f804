/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One application bio on its way through rdbd: shared by req.c (the bio
 * path) and tl.c (its replication to the peer), nobody else.
 *
 * Life of a replicated write, and what holds it (req_lock protects every
 * field marked so):
 *
 *   parts     the original bio completes when the last one is dropped:
 *             the local clone; the sender (until it is done with the
 *             pages); the peer's ack (protocol B: RECV_ACK, C: WRITE_ACK;
 *             none under A).
 *   on_tl     the write stays on conn.tl, holding its activity-log slots
 *             and its pin on the backing disk, until the peer has acked
 *             the epoch it was sent in (BARRIER_ACK: durable there) or the
 *             connection is lost (its blocks are then marked out of sync).
 *
 * The rdbd_io is freed when both are over, whichever comes last.
 */
#ifndef RDBD_REQ_H
#define RDBD_REQ_H

#include "rdbd_int.h"

/* A clone and what its completion needs; the bio_set puts it in front. */
struct rdbd_io {
	struct rdbd_device *dev;
	struct rdbd_backing *ldev;	/* pinned until rdbd_io_free() */
	struct bio *orig;		/* until it completes */
	unsigned long start_time;	/* for the I/O statistics of rdbdN */
	enum req_op op;			/* of orig, for after it completed */
	unsigned int sectors;		/* of orig */
	struct rdbd_interval iv;	/* writes: on dev->active, req_lock */
	int al_slots[2];		/* activity-log slots held, al.c */
	blk_status_t status;		/* of the local clone */
	bool durable;			/* a write durable on completion */
	u64 flush_covers;		/* an empty flush: dev->volatile_seq */
	/* no good local copy (on-io-error detach, ioerr.c): the bio's
	 * status is the net part's outcome, net_ok (req_lock): the peer
	 * stored it on an UpToDate disk (tl.c) */
	bool local_failed;
	bool net_ok;

	/* req_lock */
	unsigned int parts;		/* not done: local, sender, ack */
	bool completed;			/* orig was completed */
	bool awaiting_ack;		/* the ack part is held */
	bool on_tl;			/* on conn.tl */
	bool sent;			/* the sender put it on the wire */
	u64 epoch;			/* it was sent in (valid if sent) */
	struct list_head tl;		/* on conn.tl */
	unsigned long tl_since;		/* jiffies it went on conn.tl */
	u64 block_id;			/* DATA cookie */

	struct rdbd_p_data p;		/* DATA's fixed part */
	struct rdbd_tx tx;		/* DATA, for the sender */
	struct bio clone;		/* last: bio_set front_pad */
};

/* req.c */
bool rdbd_io_put_part(struct rdbd_io *io);
void rdbd_io_finish(struct rdbd_io *io);
void rdbd_io_free(struct rdbd_io *io);

/* tl.c */
void rdbd_tl_add(struct rdbd_device *dev, struct rdbd_io *io);
void rdbd_tl_send(struct rdbd_io *io);

#endif /* RDBD_REQ_H */
