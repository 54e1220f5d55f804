/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rdbd wire protocol: what two rdbd nodes say to each other over their one
 * TCP connection per resource.  Shared by rdbd.ko and userspace tools (the
 * fake-peer test tool), so it uses only __u8/__be* types.
 *
 * Every packet is a 16-byte header followed by `length` payload bytes:
 *
 *   0       4       6       8              12             16
 *   +-------+-------+-------+--------------+--------------+----------------
 *   | magic | cmd   | flags | length       | reserved (0) | payload ...
 *   +-------+-------+-------+--------------+--------------+----------------
 *
 * All integers are big-endian.  Packet ids (RDBD_P_*) are explicit and are
 * never renumbered or reused; new packets get new ids.  Every payload
 * struct has a fixed size (pinned below with static asserts); packets that
 * carry data (DATA, RS_DATA) are the struct followed by the data bytes.  A
 * receiver checks `length` against the exact size its packet type allows
 * (and against RDBD_WIRE_MAX_PAYLOAD) before reading the payload, and drops
 * the connection on an unknown id, a bad magic, nonzero header flags, or a
 * wrong length.  Reserved fields are sent as zero and ignored on receipt,
 * so a later protocol version can give them a meaning.
 *
 * Handshake (both sides send without waiting, then read; numbers are the
 * order on each side):
 *
 *   1. HELLO           protocol range, features, node and resource names
 *   2. AUTH_CHALLENGE  only if both HELLOs set RDBD_HELLO_F_AUTH
 *   3. AUTH_RESPONSE   HMAC(secret, peer's challenge | responder's node name)
 *   4. AUTH_RESULT     each side tells the other whether it accepted it
 *   5. PARAMS, UUIDS   replication protocol, data size, generation UUIDs,
 *                      role and disk state
 * Then, depending on the UUIDs: Connected; or a sync:
 *   6. BITMAP ...      every non-zero 4 KiB block of the sender's dirty
 *                      bitmap (both sides send theirs), then
 *      BITMAP_DONE     with the sender's bit count, or "all bits set"
 *                      (a full sync) instead of blocks;
 *   both OR the peer's bitmap into their own, so the union is what moves;
 *   7. SYNC_UUID       from the source, followed by RS_DATA / RS_WRITE_ACK
 *                      for every marked block ... SYNC_DONE;
 * or the connection is dropped (split brain, unrelated data).
 *
 * Example: the Primary writes 4 KiB at sector 8 under protocol C:
 *
 *   Primary                                  Secondary
 *   DATA {sector 8, id 17, size 4096} + 4 KiB data  --->
 *                                            write to disk, on completion:
 *              <---  WRITE_ACK {id 17, sector 8, size 4096}
 *   completes the application's bio once the local write is done too.
 *
 * Epochs (version 3): after a run of DATA packets the Primary sends
 * BARRIER; the Secondary acks it once those writes are durable on its
 * disk (see struct rdbd_p_barrier).
 *
 * Protocol versions: 1 is the first.  A peer whose [min, max] range does
 * not overlap ours is refused; the agreed version is the highest common.
 */
#ifndef _UAPI_RDBD_WIRE_H
#define _UAPI_RDBD_WIRE_H

#include <linux/types.h>

#define RDBD_WIRE_MAGIC		0x52444257U	/* "RDBW" */
/*
 * Version 2 adds the bitmap exchange (BITMAP, BITMAP_DONE) before every
 * sync and makes the sync move only the blocks marked in the union of both
 * bitmaps.  A version 1 peer would do a full sync after a partial one was
 * agreed, so it is refused rather than half understood.
 */
/*
 * Version 3 adds epochs (BARRIER, BARRIER_ACK): the Primary learns when
 * its writes are durable on the peer, whatever the protocol, and keeps a
 * record of every write until then.  A version 2 peer never acks a
 * barrier, so the Primary would hold its writes for ever: refused.
 */
#define RDBD_WIRE_PROTO_MIN	3U
#define RDBD_WIRE_PROTO_MAX	3U

/* Largest payload of any packet: a DATA header and 1 MiB of data. */
#define RDBD_WIRE_MAX_DATA	(1024U * 1024)
#define RDBD_WIRE_MAX_PAYLOAD	(RDBD_WIRE_MAX_DATA + 64U)

#define RDBD_WIRE_NAME_LEN	64	/* node and resource names, NUL padded */
#define RDBD_WIRE_CHALLENGE_LEN	32
#define RDBD_WIRE_DIGEST_MAX	64	/* sha512 */

/* Packet ids.  Explicit, never renumbered; append only. */
enum rdbd_packet_id {
	/* handshake */
	RDBD_P_HELLO		= 0x0001,
	RDBD_P_AUTH_CHALLENGE	= 0x0002,
	RDBD_P_AUTH_RESPONSE	= 0x0003,
	RDBD_P_AUTH_RESULT	= 0x0004,
	RDBD_P_PARAMS		= 0x0005,
	RDBD_P_UUIDS		= 0x0006,
	/* liveness */
	RDBD_P_PING		= 0x0010,	/* no payload */
	RDBD_P_PING_ACK		= 0x0011,	/* no payload */
	RDBD_P_META_COOKIE	= 0x0012,	/* RDBD_FEAT_META: dial it, say... */
	RDBD_P_META_HELLO	= 0x0013,	/* ...this on the meta socket */
	/* states */
	RDBD_P_STATE		= 0x0020,	/* my role/disk changed */
	RDBD_P_STATE_CHG_REQ	= 0x0021,	/* may I become Primary? */
	RDBD_P_STATE_CHG_REPLY	= 0x0022,
	/* replication of application writes (Primary -> Secondary) */
	RDBD_P_DATA		= 0x0030,
	RDBD_P_RECV_ACK		= 0x0031,	/* protocol B: received */
	RDBD_P_WRITE_ACK	= 0x0032,	/* protocol C: on disk */
	RDBD_P_NEG_ACK		= 0x0033,	/* the write failed there */
	RDBD_P_BARRIER		= 0x0034,	/* v3: closes an epoch of DATA */
	RDBD_P_BARRIER_ACK	= 0x0035,	/* v3: its writes are durable */
	/* resync (SyncSource -> SyncTarget) */
	RDBD_P_SYNC_UUID	= 0x0040,	/* starts a sync */
	RDBD_P_RS_DATA		= 0x0041,
	RDBD_P_RS_WRITE_ACK	= 0x0042,
	RDBD_P_RS_NEG_ACK	= 0x0043,
	RDBD_P_SYNC_DONE	= 0x0044,	/* every block sent and acked */
	RDBD_P_BITMAP		= 0x0045,	/* one block of the dirty bitmap */
	RDBD_P_BITMAP_DONE	= 0x0046,	/* end of the sender's bitmap */
	RDBD_P_SYNC_PAUSE	= 0x0047,	/* the sender's user paused/resumed */
	RDBD_P_INVALIDATE	= 0x0048,	/* no payload: invalidate your disk */
	/* online verify (VerifyS -> VerifyT unless marked) */
	RDBD_P_VERIFY_START	= 0x0050,	/* may I verify, with this alg? */
	RDBD_P_VERIFY_REPLY	= 0x0051,	/* T -> S: yes, or why not */
	RDBD_P_VERIFY_DIGESTS	= 0x0052,	/* digests of one batch */
	RDBD_P_VERIFY_RESULT	= 0x0053,	/* T -> S: the blocks that differ */
	RDBD_P_VERIFY_DONE	= 0x0054,	/* every batch answered */
	/* backing-disk failures (on-io-error detach) */
	RDBD_P_READ_REQ		= 0x0060,	/* rdbd_p_ack: read this for me */
	RDBD_P_READ_REPLY	= 0x0061,	/* rdbd_p_data + the data */
	RDBD_P_OUT_OF_SYNC	= 0x0062,	/* rdbd_p_ack: my copy is bad */
	RDBD_P_REATTACH		= 0x0063,	/* P -> S: resync my new disk */
	RDBD_P_DATA_UUID	= 0x0064,	/* rdbd_p_sync_uuid, S -> Diskless P */
	/* batched resync (RDBD_FEAT_RS_BATCH) */
	RDBD_P_RS_BATCH		= 0x0070,	/* several runs, one header */
	RDBD_P_RS_BATCH_ACK	= 0x0071,	/* rdbd_p_ack: all on disk */
};

struct rdbd_wire_hdr {
	__be32 magic;		/* RDBD_WIRE_MAGIC */
	__be16 cmd;		/* enum rdbd_packet_id */
	__be16 flags;		/* 0; nonzero is refused */
	__be32 length;		/* payload bytes after this header */
	__be32 reserved;	/* 0 */
};

/*
 * HELLO flags: facts about this side's configuration the peer must agree
 * with.  RDBD_HELLO_F_AUTH: "I require peer authentication"; if only one
 * side says so, both refuse the connection (authentication failed).
 */
#define RDBD_HELLO_F_AUTH	(1U << 0)

/*
 * Feature bits: optional abilities a peer offers.  Both sides use the AND
 * of the two sets; unknown bits are ignored.  Each bit says why it exists.
 *
 * RDBD_FEAT_RS_BATCH: "I understand RS_BATCH and RS_BATCH_ACK"; a sync
 * source sends scattered runs in RS_BATCH only to a peer that offered it.
 *
 * RDBD_FEAT_META: "pings go on a second TCP connection".  With one
 * socket, a PING waits behind every byte of data queued before it, and
 * the peer reads it only after that data, which a slow disk holds up: a
 * live peer is declared dead.  If both offer it, after authentication
 * the accepting side sends META_COOKIE (a random number) on the data
 * socket, the dialing side opens a second connection to the same
 * address and sends META_HELLO with that cookie on it, and from then on
 * PING and PING_ACK travel only there, each side answering them from a
 * thread of its own.  Everything else stays on the data socket, in
 * order.  Without the bit, pings stay on the data socket.
 *
 * RDBD_FEAT_VERIFY: "I understand VERIFY_START ... VERIFY_DONE" (online
 * verify, 0x0050-0x0054).  A peer without it would drop the connection on
 * the first VERIFY_START as an unknown packet; with the bit, a node asked
 * to verify refuses at once ("the peer does not support online verify")
 * and sends nothing, and a VERIFY_* packet on a connection that did not
 * agree on the bit is a protocol error.
 *
 * RDBD_FEAT_FUA_ACK: "under protocol C, a DATA with RDBD_DP_FUA is
 * durable by its WRITE_ACK and belongs to no epoch".  The Secondary
 * writes it with FUA, so its ack already says what a BARRIER_ACK would:
 * neither side counts it in the open epoch, the Primary drops it from
 * its record on the ack, and a run of such writes (O_SYNC, O_DSYNC)
 * sends no BARRIER at all.  A peer without the bit counts every DATA.
 */
#define RDBD_FEAT_RS_BATCH	(1ULL << 0)
#define RDBD_FEAT_VERIFY	(1ULL << 1)
#define RDBD_FEAT_META		(1ULL << 2)
#define RDBD_FEAT_FUA_ACK	(1ULL << 3)
#define RDBD_FEAT_ALL		(RDBD_FEAT_RS_BATCH | RDBD_FEAT_VERIFY | \
				 RDBD_FEAT_META | RDBD_FEAT_FUA_ACK)

struct rdbd_p_hello {
	__be32 protocol_min;
	__be32 protocol_max;
	__be64 features;	/* RDBD_FEAT_* offered */
	__be32 flags;		/* RDBD_HELLO_F_* */
	__be32 pad;		/* 0 */
	char node_name[RDBD_WIRE_NAME_LEN];	/* sender's host name */
	char res_name[RDBD_WIRE_NAME_LEN];	/* resource name */
	__u8 reserved[32];	/* 0 */
};

struct rdbd_p_auth_challenge {
	__u8 challenge[RDBD_WIRE_CHALLENGE_LEN];	/* random */
	__u8 reserved[32];	/* 0 */
};

/*
 * digest = HMAC-<alg>(shared secret, peer's challenge || responder's
 * node_name as sent in its HELLO, without NUL).  Binding the responder's
 * name makes a response reflected back to its maker useless.
 */
struct rdbd_p_auth_response {
	__be32 digest_len;	/* bytes of digest[] used */
	__be32 pad;		/* 0 */
	__u8 digest[RDBD_WIRE_DIGEST_MAX];
};

struct rdbd_p_auth_result {
	__be32 accepted;	/* 1: your response was right; 0: it was not */
	__be32 pad;		/* 0 */
};

/*
 * META_COOKIE (data socket, acceptor to dialer) and META_HELLO (first
 * packet on the meta socket, dialer to acceptor): the same random
 * cookie ties the second connection to the authenticated first one.
 */
struct rdbd_p_meta {
	__be64 cookie;
	__u8 reserved[8];	/* 0 */
};

struct rdbd_p_params {
	__be64 data_bytes;	/* sender's local data size; 0 if diskless */
	__u8 protocol;		/* RDBD_PROT_A/B/C: must match */
	__u8 pad[7];		/* 0 */
	__u8 reserved[16];	/* 0 */
};

/* rdbd_p_uuids.flags, as DRBD's P_UUIDS flags */
#define RDBD_UUID_F_DISCARD_MY_DATA	(1U << 0)
#define RDBD_UUID_F_CRASHED_PRIMARY	(1U << 1)
#define RDBD_UUID_F_INCONSISTENT	(1U << 2)

struct rdbd_p_uuids {
	__be64 uuid[4];		/* current, bitmap, history0, history1 */
	__be32 flags;		/* RDBD_UUID_F_* */
	__u8 role;		/* enum rdbd_role */
	__u8 disk_state;	/* enum rdbd_disk_state */
	__u8 pad[2];		/* 0 */
	__be64 bits_set;	/* v2: blocks marked in the sender's bitmap */
	__u8 reserved[8];	/* 0 */
};

struct rdbd_p_state {
	__u8 role;		/* enum rdbd_role */
	__u8 disk_state;	/* enum rdbd_disk_state */
	__u8 pad[6];		/* 0 */
};

/* STATE_CHG_REQ: the sender wants to become Primary. */
struct rdbd_p_state_chg_req {
	__be32 req_id;		/* echoed in the reply */
	__u8 role;		/* RDBD_ROLE_PRIMARY */
	__u8 pad[3];		/* 0 */
};

struct rdbd_p_state_chg_reply {
	__be32 req_id;
	__be32 result;		/* 0 granted, else a positive errno */
};

/* rdbd_p_data.dp_flags: what the bio on the Primary was */
#define RDBD_DP_FLUSH		(1U << 0)	/* REQ_PREFLUSH */
#define RDBD_DP_FUA		(1U << 1)	/* REQ_FUA */
#define RDBD_DP_DISCARD		(1U << 2)	/* no payload */
#define RDBD_DP_WRITE_ZEROES	(1U << 3)	/* no payload */
#define RDBD_DP_ALL		0xfU

/*
 * DATA and RS_DATA: followed by `size` data bytes for a plain write, by
 * nothing for DISCARD, WRITE_ZEROES and an empty flush (size 0).
 * RS_DATA uses no dp_flags.  size <= RDBD_WIRE_MAX_DATA for a payload,
 * sector and size are multiples of 512.
 */
struct rdbd_p_data {
	__be64 sector;		/* 512-byte units */
	__be64 block_id;	/* sender's cookie, echoed in the ack */
	__be32 size;		/* bytes the write covers */
	__be32 dp_flags;	/* RDBD_DP_* */
	__u8 reserved[8];	/* 0 */
};

/*
 * READ_REPLY reuses struct rdbd_p_data: the request's sector, block_id
 * and size; dp_flags 0 and size bytes of data follow, or
 * RDBD_RR_F_ERROR and no data (the peer's read failed).
 */
#define RDBD_RR_F_ERROR		(1U << 0)

/*
 * RECV_ACK, WRITE_ACK, NEG_ACK, RS_WRITE_ACK, RS_NEG_ACK; also
 * READ_REQ (a Primary whose disk failed asks the peer for size bytes at
 * sector; block_id is echoed in the READ_REPLY) and OUT_OF_SYNC (the
 * sender's copy of the range is bad: the receiver marks it in its
 * bitmap; block_id 0).
 */
struct rdbd_p_ack {
	__be64 sector;
	__be64 block_id;
	__be32 size;
	__be32 pad;		/* 0 */
};

/*
 * BARRIER closes an epoch: the DATA packets sent since the previous
 * BARRIER (writes of any kind, flushes and discards included; at least
 * one).  The receiver answers BARRIER_ACK with the same fields once every
 * write of the epoch (and of every earlier epoch) has completed on its
 * disk and its disk's volatile cache was flushed, in epoch order.  Until
 * then the Primary keeps each write on record: if the connection is lost
 * first, the write's blocks are marked out of sync, whatever the protocol
 * acknowledged (kernel/epoch.c).  Epochs count from 1 on every
 * connection; an ack for another epoch than the oldest unacked one, or
 * with another count of writes, is a protocol error.
 *
 *   Primary                                  Secondary
 *   DATA {id 17} DATA {id 18}  --->          submit both
 *   BARRIER {epoch 1, writes 2} --->         both done: flush the disk
 *              <---  BARRIER_ACK {epoch 1, writes 2}
 */
struct rdbd_p_barrier {
	__be64 epoch;
	__be32 writes;		/* DATA packets in the epoch */
	__be32 pad;		/* 0 */
};

/* SYNC_UUID: the source's new bitmap UUID, the target's new current. */
struct rdbd_p_sync_uuid {
	__be64 uuid;
};

/* SYNC_DONE: the source's UUIDs after the sync; the target copies them. */
struct rdbd_p_sync_done {
	__be64 uuid[4];
};

/*
 * REATTACH: a Diskless Primary attached a disk (its UUIDs: current,
 * bitmap, history) and asks the UpToDate Secondary to become its
 * SyncSource without a new handshake (kernel/ioerr.c).
 */
struct rdbd_p_reattach {
	__be64 uuid[4];
};

/*
 * BITMAP: one 4 KiB block of the sender's dirty bitmap (format in
 * <rdbd/meta.h>: bit i = 4 KiB block i, little-endian bit order).  Only
 * blocks with a bit set are sent.  The receiver ORs it into its own
 * bitmap; bits beyond its own data area are ignored.
 */
#define RDBD_WIRE_BITMAP_BLOCK	4096U
struct rdbd_p_bitmap {
	__be64 offset;		/* byte offset in the bitmap, 4 KiB aligned */
	__u8 reserved[8];	/* 0 */
	__u8 bits[RDBD_WIRE_BITMAP_BLOCK];
};

/* BITMAP_DONE flags */
#define RDBD_BITMAP_F_ALL	(1U << 0)	/* every bit set: a full sync */

struct rdbd_p_bitmap_done {
	__be64 bits_set;	/* sender's total after its BITMAP blocks */
	__be32 flags;		/* RDBD_BITMAP_F_* */
	__be32 pad;		/* 0 */
};

/*
 * SYNC_PAUSE: "pause-sync" (1) or "resume-sync" (0) was given on the
 * sender.  A sync moves only while neither side's user holds it.
 */
struct rdbd_p_sync_pause {
	__be32 paused;		/* 0 or 1 */
	__be32 pad;		/* 0 */
};

/*
 * Online verify (kernel/verify.c has the design).  The node the admin
 * asked (VerifyS) sends VERIFY_START; the peer answers VERIFY_REPLY and is
 * VerifyT if it agreed.  S then walks the device in order, one batch of
 * up to RDBD_VERIFY_BATCH 4 KiB blocks at a time: it reads the batch,
 * sends the digest of each block (VERIFY_DIGESTS); T reads the same
 * blocks, compares, marks the differing ones in its bitmap and answers
 * with a mask of them (VERIFY_RESULT), which S marks too.  After the last
 * result S sends VERIFY_DONE; both are Connected again.  No data moves:
 * a later resync (disconnect, connect) repairs the marked blocks.
 *
 * Example, 2 batches, the 3rd block of the second differs:
 *   S: VERIFY_START {crc32c, size}  --->  T: VERIFY_REPLY {0}
 *   S: DIGESTS {sector 0, 64 blocks}      --->
 *   S: DIGESTS {sector 512, 64 blocks}    --->
 *               <--- RESULT {sector 0, 64, mismatch 0}
 *               <--- RESULT {sector 512, 64, mismatch 0x4}
 *   S: VERIFY_DONE {128 blocks, 1 differed}  --->
 *
 * A receiver drops the connection (protocol error) on a packet out of
 * order or out of range: DIGESTS not at the next batch, a block count
 * other than 1..RDBD_VERIFY_BATCH (or past the end), a digest length that
 * is not the agreed alg's, a RESULT for no outstanding batch or with bits
 * beyond its blocks, any of them outside VerifyS/VerifyT.
 */
#define RDBD_VERIFY_BATCH	64	/* 4 KiB blocks per DIGESTS */
#define RDBD_VERIFY_DIGEST_MAX	32	/* sha256 */
#define RDBD_VERIFY_ALG_LEN	32	/* alg name, NUL padded */

struct rdbd_p_verify_start {
	char alg[RDBD_VERIFY_ALG_LEN];	/* sender's verify-alg */
	__be64 size_sectors;		/* the device size S verifies */
	__u8 reserved[8];		/* 0 */
};

/* result: 0, or a positive errno (ENOPROTOOPT: T has no verify-alg;
 * EINVAL: another alg (named in alg) or size; EBUSY: T is syncing or
 * starting its own verify; ENODATA: T's disk is not UpToDate). */
struct rdbd_p_verify_reply {
	__be32 result;
	__be32 pad;			/* 0 */
	char alg[RDBD_VERIFY_ALG_LEN];	/* T's verify-alg, "" if none */
};

struct rdbd_p_verify_digests {
	__be64 sector;			/* first block, 4 KiB aligned */
	__be32 blocks;			/* 1..RDBD_VERIFY_BATCH */
	__be32 digest_len;		/* bytes per digest: the alg's size */
	__u8 reserved[8];		/* 0 */
	/* digest of block i at i * digest_len; the rest is 0 */
	__u8 digests[RDBD_VERIFY_BATCH * RDBD_VERIFY_DIGEST_MAX];
};

struct rdbd_p_verify_result {
	__be64 sector;			/* as in the DIGESTS it answers */
	__be32 blocks;
	__be32 pad;			/* 0 */
	__be64 mismatch;		/* bit i: block i differs */
};

struct rdbd_p_verify_done {
	__be64 blocks;			/* compared */
	__be64 mismatched;		/* found different */
};

/*
 * RS_BATCH: several runs of marked blocks, not contiguous, in one packet
 * with one ack.  The fixed part is followed by `count` extents, then the
 * data of each extent in the order listed (sum of their sizes bytes):
 *
 *   rdbd_p_rs_batch | extent 0 ... extent count-1 | data 0 | data 1 ...
 *
 * Each extent is 4 KiB aligned, a multiple of 4 KiB, inside the device,
 * and starts after the end of the one before it (ascending, no overlap).
 * 1 <= count <= RDBD_RS_BATCH_EXTENTS; the data totals at most
 * RDBD_RS_BATCH_DATA.  The target writes every extent and answers one
 * RS_BATCH_ACK {sector of extent 0, batch_id, total data bytes} when all
 * are on its disk, or RS_NEG_ACK {the same} if any write failed.  Anything
 * else drops the connection.
 */
#define RDBD_RS_BATCH_EXTENTS	128
#define RDBD_RS_BATCH_DATA	(512U * 1024)

struct rdbd_p_rs_batch {
	__be64 batch_id;	/* sender's cookie, echoed in the ack */
	__be32 count;		/* extents that follow */
	__be32 pad;		/* 0 */
	__u8 reserved[8];	/* 0 */
};

struct rdbd_p_rs_extent {
	__be64 sector;		/* 512-byte units */
	__be32 size;		/* bytes */
	__be32 pad;		/* 0 */
};

#ifdef __KERNEL__
#include <linux/build_bug.h>
#else
#include <assert.h>
#endif
static_assert(sizeof(struct rdbd_wire_hdr) == 16, "wire size");
static_assert(sizeof(struct rdbd_p_hello) == 184, "wire size");
static_assert(sizeof(struct rdbd_p_auth_challenge) == 64, "wire size");
static_assert(sizeof(struct rdbd_p_auth_response) == 72, "wire size");
static_assert(sizeof(struct rdbd_p_auth_result) == 8, "wire size");
static_assert(sizeof(struct rdbd_p_meta) == 16, "wire size");
static_assert(sizeof(struct rdbd_p_params) == 32, "wire size");
static_assert(sizeof(struct rdbd_p_uuids) == 56, "wire size");
static_assert(sizeof(struct rdbd_p_state) == 8, "wire size");
static_assert(sizeof(struct rdbd_p_state_chg_req) == 8, "wire size");
static_assert(sizeof(struct rdbd_p_state_chg_reply) == 8, "wire size");
static_assert(sizeof(struct rdbd_p_data) == 32, "wire size");
static_assert(sizeof(struct rdbd_p_ack) == 24, "wire size");
static_assert(sizeof(struct rdbd_p_barrier) == 16, "wire size");
static_assert(sizeof(struct rdbd_p_sync_uuid) == 8, "wire size");
static_assert(sizeof(struct rdbd_p_sync_done) == 32, "wire size");
static_assert(sizeof(struct rdbd_p_reattach) == 32, "wire size");
static_assert(sizeof(struct rdbd_p_bitmap) == 4112, "wire size");
static_assert(sizeof(struct rdbd_p_bitmap_done) == 16, "wire size");
static_assert(sizeof(struct rdbd_p_sync_pause) == 8, "wire size");
static_assert(sizeof(struct rdbd_p_verify_start) == 48, "wire size");
static_assert(sizeof(struct rdbd_p_verify_reply) == 40, "wire size");
static_assert(sizeof(struct rdbd_p_verify_digests) == 2072, "wire size");
static_assert(sizeof(struct rdbd_p_verify_result) == 24, "wire size");
static_assert(sizeof(struct rdbd_p_verify_done) == 16, "wire size");
static_assert(sizeof(struct rdbd_p_rs_batch) == 24, "wire size");
static_assert(sizeof(struct rdbd_p_rs_extent) == 16, "wire size");
static_assert(sizeof(struct rdbd_p_rs_batch) + RDBD_RS_BATCH_EXTENTS *
	      sizeof(struct rdbd_p_rs_extent) + RDBD_RS_BATCH_DATA <=
	      RDBD_WIRE_MAX_PAYLOAD, "RS_BATCH fits a packet");

#endif /* _UAPI_RDBD_WIRE_H */
