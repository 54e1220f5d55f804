/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rdbd internal definitions: the device, its backing disk and its
 * connection, and the functions the source files share.
 *
 * Locking (outermost first; never take an outer lock while holding an
 * inner one):
 *
 *   dev->state_mutex     serialises every state change of one device:
 *                        netlink commands, module unload.  Held while
 *                        sleeping (metadata I/O, waiting for in-flight I/O,
 *                        stopping the connection thread).
 *   rdbd_minors_mutex    (main.c) the minor table and resource-name
 *                        uniqueness.  Taken inside state_mutex by
 *                        rdbd_dev_remove(); lookups drop it before taking a
 *                        state_mutex.
 *   dev->req_lock        irq-safe spinlock for what the I/O path, open()
 *                        and release() touch: they must not sleep.
 *
 * The fields open() and the I/O path read (role, disk_state, ldev) are
 * written with BOTH state_mutex and req_lock held, so a reader holding
 * either one sees a stable value.  netlink readers hold state_mutex;
 * open() and submit_bio hold req_lock.
 */
#ifndef RDBD_INT_H
#define RDBD_INT_H

#undef pr_fmt
#define pr_fmt(fmt) "rdbd: " fmt

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kref.h>
#include <linux/mempool.h>
#include <linux/mutex.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/utsname.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include <rdbd/genl.h>
#include <rdbd/meta.h>
#include <rdbd/wire.h>

#include "compat.h"

/* State-changing functions return this when they changed something. */
#define RDBD_CHANGED		1

#define RDBD_LAST_ERROR_LEN	160

/* Generation UUID slots, in DRBD's UI_* order. */
enum rdbd_uuid_slot {
	RDBD_UUID_CURRENT,
	RDBD_UUID_BITMAP,
	RDBD_UUID_HISTORY0,
	RDBD_UUID_HISTORY1,
	RDBD_UUID_SLOTS,
};

/* Bit 0 of the current UUID: set while Primary (masked in comparisons). */
#define RDBD_UUID_PRIMARY_BIT	1ULL

/* The superblock fields rdbd interprets, in CPU byte order. */
struct rdbd_md {
	u32 flags;			/* RDBD_MDF_* */
	u32 al_extents;
	u64 device_uuid;
	u64 uuid[RDBD_UUID_SLOTS];
	u64 md_generation;		/* of the copy on disk */
};

/*
 * The dirty bitmap of a backing disk (bitmap.c has the rules).
 * req_lock protects bits, weight, dirty and writes; io_mutex serialises
 * writeouts and owns io_page.  nbits and nblocks are constant.
 */
struct rdbd_bitmap {
	unsigned long *bits;		/* req_lock: the area, as on disk */
	u64 nbits;			/* 4 KiB blocks of the data area */
	u64 weight;			/* req_lock: bits set */
	unsigned long *dirty;		/* req_lock: blocks changed, not written */
	/*
	 * req_lock: a bit was cleared since the last writeout took its
	 * copy.  The write that cleared it may sit in the disk's volatile
	 * cache, so the next block written goes after a flush.
	 */
	bool cleared;
	unsigned int nblocks;		/* 4 KiB blocks of the bitmap area */
	u64 writes;			/* req_lock: blocks written (status) */
	struct mutex io_mutex;		/* one writeout at a time */
	struct page *io_page;		/* io_mutex (reads: attach only) */
};

/*
 * The activity log of a backing disk (al.c has the rules).  mutex
 * serialises transactions and owns page and seq; req_lock protects the
 * slot arrays (extent, inflight, last_use), clock and writes.
 */
struct rdbd_al {
	struct mutex mutex;
	wait_queue_head_t wait;		/* a slot's inflight dropped to 0 */
	u32 nr_slots;			/* al-extents, constant */
	u32 *extent;			/* req_lock: slot -> extent or U32_MAX */
	u32 *inflight;			/* req_lock: writes in flight per slot */
	u64 *last_use;			/* req_lock: LRU stamps */
	bool *committing;		/* req_lock: not yet in the log on disk */
	u64 clock;			/* req_lock */
	u64 seq;			/* mutex: last transaction written */
	u64 writes;			/* req_lock: transactions (status) */
	struct page *page;		/* mutex */
};

#define RDBD_AL_NO_SLOT		(-1)

/*
 * The backing ("lower") disk of an attached device.  Created by ATTACH and
 * freed by DETACH, both under state_mutex; the I/O path reaches it through
 * dev->ldev under req_lock and holds an in-flight count while using it.
 */
struct rdbd_backing {
	struct block_device *bdev;	/* claimed exclusively, holder = device */
	struct rdbd_bdev_claim claim;	/* bdev's open, for rdbd_bdev_close() */
	char path[RDBD_PATH_MAX];	/* as given to ATTACH */
	struct rdbd_md_layout layout;	/* of bdev's size at attach */
	struct rdbd_md md;		/* state_mutex: what is on disk */
	/* state_mutex: the superblock block as read; keeps unknown bytes */
	struct page *sb_page;
	struct rdbd_bitmap bm;		/* see struct rdbd_bitmap */
	struct rdbd_al al;		/* see struct rdbd_al */
};

/* The last (or running) online verify, for status.  req_lock. */
struct rdbd_verify_stats {
	u64 total_sectors;		/* 0: no verify ran yet */
	u64 done_sectors;		/* compared so far */
	u64 oos_blocks;			/* found different */
	bool running;			/* VerifyS/VerifyT */
};

/*
 * Connection settings.  Written by CONNECT under state_mutex before the
 * connection thread starts; read-only while it runs.
 */
struct rdbd_net_conf {
	struct sockaddr_storage local_addr;	/* AF_INET or AF_INET6, port set */
	struct sockaddr_storage peer_addr;	/* same family as local_addr */
	int addr_len;				/* of either address */
	char peer_name[__NEW_UTS_LEN + 1];	/* may be empty */
	u8 protocol;				/* RDBD_PROT_* */
	u32 connect_int_ms;
	u32 ping_int_ms;
	u32 ping_timeout_ms;
	u32 timeout_ms;
	/* peer authentication: both empty/0, or both set */
	char hmac_alg[RDBD_HMAC_ALG_MAX];	/* "sha256", not "hmac(sha256)" */
	u8 secret[RDBD_SECRET_MAX];
	unsigned int secret_len;
	u8 after_sb[3];				/* enum rdbd_after_sb, by Primaries */
	char verify_alg[RDBD_VERIFY_ALG_MAX];	/* "" = online verify refused */
};

/*
 * One packet for the sender thread (sender.c): a fixed part and,
 * optionally, data from a bio or a page array.  The buffers belong to
 * whoever queued it until the sender calls done.
 */
struct rdbd_tx {
	struct list_head list;		/* on conn->tx_queue, tx_lock */
	struct rdbd_device *dev;
	u16 cmd;			/* RDBD_P_* */
	bool copied;			/* rdbd_send_packet()'s own copy */
	bool zero_copy;			/* data by reference if sendpage_ok() */
	u32 size;			/* bytes of the fixed part */
	const void *payload;		/* the fixed part */
	struct bio *bio;		/* data: bio's bi_iter, or ... */
	const struct bio_vec *bv;	/* ... nr pages holding len bytes */
	unsigned int nr;
	u32 len;			/* data bytes */
	u64 epoch;			/* DATA: set by the sender as it sends */
	bool in_no_epoch;		/* DATA durable by its ack (epoch.c) */
	/* the sender is done with the buffers; err != 0: maybe not sent,
	 * and the connection is going down */
	void (*done)(struct rdbd_tx *tx, int err);
};

/*
 * A range of the device owned by one write (or resync chunk) in flight.
 * Two overlapping intervals are never in flight at once, so both disks
 * apply overlapping writes in the same order (repl.c).
 */
struct rdbd_interval {
	sector_t sector;
	unsigned int size;		/* bytes */
	struct list_head list;		/* on an "active" list, req_lock */
};

/*
 * The per-device connection to the peer (conn.c has the design).
 *
 * Locking of what is here:
 *   state_mutex   net_conf, listener, thread: set by CONNECT, cleared by
 *                 DISCONNECT (which stops the thread first).
 *   req_lock      cstate (written under req_lock; CONNECT/DISCONNECT hold
 *                 state_mutex as well), the peer's states, the request
 *                 lists, counters and the promotion handshake.
 *   sock_mutex    sock: set and cleared by the connection thread, used by
 *                 rdbd_conn_kill() to shut the socket down from outside.
 *   tx_lock       the sender's queue (sender.c).
 *   tx_mutex      whoever writes to the socket: the sender thread, or a
 *                 direct sender (sender.c), and what only it touches.
 *   thread only   everything marked so: the liveness timestamps, the
 *                 sync thread handle, the HMAC transform.
 */
struct rdbd_connection {
	enum rdbd_conn_state cstate;	/* see above */
	struct rdbd_net_conf net_conf;	/* see struct rdbd_net_conf */
	/* state_mutex; owned here, used by the thread while it runs */
	struct socket *listener;
	struct task_struct *thread;	/* state_mutex; NULL while StandAlone */
	bool we_dial;			/* constant while the thread runs */
	/*
	 * RDBD_FEAT_* both HELLOs offered.  Written by the handshake before
	 * Connected, so constant for anyone who checked rdbd_connected()
	 * (or runs in the receive loop); READ_ONCE elsewhere.
	 */
	u64 features;

	struct mutex sock_mutex;	/* sock */
	struct socket *sock;		/* sock_mutex; NULL if not established */
	unsigned long ctrl_pending;	/* atomic bits: RDBD_CTRL_* to send */

	/* the meta connection (meta.c): pings, when both offer it */
	struct mutex meta_mutex;	/* its senders; meta_sock changes */
	struct socket *meta_sock;	/* set and cleared by the thread */
	struct task_struct *meta_thread; /* thread only */

	/* the sender (sender.c) */
	spinlock_t tx_lock;
	struct list_head tx_queue;	/* tx_lock: struct rdbd_tx, in order */
	bool tx_open;			/* tx_lock: the sender takes packets */
	u32 tx_queued_bytes;		/* tx_lock: of copied packets */
	wait_queue_head_t tx_wait;	/* the sender waits for work */
	wait_queue_head_t tx_wait_idle;	/* the sender found its queue empty */
	struct task_struct *sender;	/* thread only */
	struct mutex tx_mutex;		/* the socket's writer; see sender.c */
	struct socket *tx_sock;		/* tx_mutex, while the sender runs */
	bool tx_broken;			/* tx_mutex: a send failed */
	/* tx_mutex: a direct send's packet, part sent, for the thread */
	struct rdbd_tx *tx_resume;	/* READ_ONCE outside tx_mutex */
	size_t tx_resume_at;		/* its bytes already out */
	u64 tx_epoch;			/* tx_mutex: epoch of the next DATA */
	u32 tx_epoch_writes;		/* tx_mutex: DATA sent in tx_epoch */
	u32 tx_epoch_bytes;		/* tx_mutex: their data bytes */

	/* epochs (epoch.c): BARRIER and BARRIER_ACK */
	u64 tl_acked_epoch;		/* req_lock: last BARRIER_ACK taken */
	struct list_head rx_epochs;	/* req_lock: received, not acked */
	u64 rx_next_epoch;		/* req_lock: the next BARRIER's */
	bool rx_volatile;		/* req_lock: a flush has work here */
	struct work_struct barrier_work; /* acks closed epochs, in order */

	/* req_lock */
	enum rdbd_role peer_role;
	enum rdbd_disk_state peer_disk_state;
	struct list_head tl;		/* Primary: writes the peer may lack */
	u64 next_block_id;		/* Primary: cookie for DATA */
	struct list_head peer_active;	/* Secondary: received, on the disk */
	struct list_head peer_done;	/* Secondary: written, ack not sent */
	struct list_head rs_pending;	/* SyncSource: chunks not acked yet */
	unsigned int rs_inflight;	/* length of rs_pending */
	u64 rs_inflight_kib;		/* data of rs_pending */
	bool new_uuid_pending;		/* lost the peer as Primary, see conn.c */
	/* state_mutex: CONNECT --discard-my-data, until a handshake used it */
	bool discard_my_data;
	u64 net_sent_sectors;
	u64 net_recv_sectors;
	u64 rs_sent_sectors;
	u64 rs_recv_sectors;
	u64 sync_total_sectors;		/* 0: not syncing */
	u64 sync_done_sectors;		/* acked (source) / written (target) */
	unsigned long sync_start;	/* jiffies */
	bool pause_user;		/* PAUSE_SYNC given here */
	bool pause_peer;		/* ... and on the peer (SYNC_PAUSE) */
	bool split_brain;		/* the last handshake found one */
	bool promoting;			/* a PRIMARY is asking the peer */
	bool reply_ready;		/* the peer answered it */
	u32 state_req_id;		/* of the last request we sent */
	int state_reply;		/* 0 or -errno */

	wait_queue_head_t state_wait;	/* reply_ready, cstate changes */
	wait_queue_head_t peer_wait;	/* peer_active shrinks */
	wait_queue_head_t rs_wait;	/* rs_inflight shrinks */

	/* the connection and meta threads: READ_ONCE/WRITE_ONCE */
	unsigned long last_rx;		/* jiffies of the last received byte */
	unsigned long ping_sent;	/* jiffies; 0 = no ping outstanding */
	/* thread only */
	struct task_struct *sync_thread;	/* req_lock (pointer) */
	struct crypto_shash *hmac;	/* NULL without authentication */
	char peer_node[RDBD_WIRE_NAME_LEN + 1]; /* from the peer's HELLO */
	char my_node[RDBD_WIRE_NAME_LEN];	/* as our HELLO says it */

	struct work_struct ack_work;	/* sends acks for peer_done */
	struct delayed_work notify_work; /* multicasts a state change */

	/* online verify (verify.c has the rules for both) */
	struct rdbd_verify *verify;
	struct rdbd_verify_stats verify_stats;	/* req_lock */
};

/* One received packet: its id, fixed part, and the data length after it. */
struct rdbd_packet {
	u16 cmd;
	u32 data_len;			/* DATA, RS_DATA: bytes still on the socket */
	union {
		struct rdbd_p_hello hello;
		struct rdbd_p_auth_challenge challenge;
		struct rdbd_p_auth_response response;
		struct rdbd_p_auth_result result;
		struct rdbd_p_params params;
		struct rdbd_p_uuids uuids;
		struct rdbd_p_state state;
		struct rdbd_p_state_chg_req state_req;
		struct rdbd_p_state_chg_reply state_reply;
		struct rdbd_p_data data;
		struct rdbd_p_ack ack;
		struct rdbd_p_sync_uuid sync_uuid;
		struct rdbd_p_sync_done sync_done;
		struct rdbd_p_bitmap bitmap;
		struct rdbd_p_bitmap_done bitmap_done;
		struct rdbd_p_sync_pause sync_pause;
		struct rdbd_p_ack read_req;
		struct rdbd_p_data read_reply;
		struct rdbd_p_ack out_of_sync;
		struct rdbd_p_reattach reattach;
		struct rdbd_p_verify_start verify_start;
		struct rdbd_p_verify_reply verify_reply;
		struct rdbd_p_verify_digests verify_digests;
		struct rdbd_p_verify_result verify_result;
		struct rdbd_p_verify_done verify_done;
		struct rdbd_p_rs_batch rs_batch;
		struct rdbd_p_barrier barrier;
		struct rdbd_p_meta meta;
	} u;
};

/* ctrl_pending bits: the sender sends them before its next packet */
#define RDBD_CTRL_PING		0
#define RDBD_CTRL_PING_ACK	1

/*
 * The resync controller's settings (RDBD_CMD_DISK_OPTS; meanings in
 * <rdbd/genl.h>).  req_lock; the sync thread reads them at every chunk.
 */
struct rdbd_disk_conf {
	u32 resync_rate_kib;
	u32 c_plan_ahead_ds;
	u32 c_min_rate_kib;
	u32 c_max_rate_kib;
	u32 al_extents;			/* used at the next attach */
	u8 on_io_error;			/* enum rdbd_on_io_error */
	u8 fencing;			/* enum rdbd_fencing */
};

/*
 * Fencing (fence.c has the rules).  req_lock protects frozen, held and
 * running; epoch is written under state_mutex by the connection thread,
 * which alone writes lost_epoch (read elsewhere with READ_ONCE).
 */
struct rdbd_fence {
	bool frozen;			/* application I/O held (stonith) */
	struct bio_list held;		/* writes done while frozen */
	wait_queue_head_t thaw_wait;	/* frozen cleared */
	bool running;			/* work queued or running */
	bool peer_left_outdated;	/* to record (work); WRITE_ONCE */
	u32 epoch;			/* connections established so far */
	/* epoch of the last connection lost; connection thread, ONCE */
	u32 lost_epoch;
	struct work_struct work;	/* fence-peer after losing the peer */
};

/*
 * Backing-disk I/O errors (ioerr.c has the design).  req_lock protects
 * everything here but work, which is queued under it.
 */
#define RDBD_IOERR_OOS_MAX	32
struct rdbd_ioerr {
	struct work_struct work;	/* detaches; see ioerr.c for locks */
	bool detach;			/* a local error asks for a detach */
	/* state_mutex + req_lock: the failed disk is stopped, not drained */
	bool draining;
	wait_queue_head_t wait;		/* draining cleared */
	bool told_peer;			/* STATE(Failed) went out already */
	bool peer_disk_lost;		/* the peer lost its disk: new UUID */
	bool reattach;			/* a Primary's REATTACH went out */
	u64 served_uuid;		/* Diskless Primary: data generation */
	u64 errors;			/* failed local I/Os (status) */
	/* failed local writes since the disk failed, for OUT_OF_SYNC */
	struct {
		sector_t sector;
		u32 size;
	} oos[RDBD_IOERR_OOS_MAX];
	unsigned int nr_oos;
	bool oos_overflow;		/* more than fit: all blocks */
};

/*
 * Reads served by the peer (remote_read.c).  req_lock protects the
 * lists and counters; the works are queued under it.
 */
struct rdbd_rread_state {
	struct list_head pending;	/* this node's reads at the peer */
	u64 next_id;			/* cookie of the next READ_REQ */
	struct work_struct send_work;	/* sends READ_REQ for new ones */
	struct list_head served;	/* the peer's reads, read locally */
	unsigned int serving;		/* the peer's reads not answered */
	wait_queue_head_t serving_wait;	/* serving dropped */
	struct work_struct reply_work;	/* sends READ_REPLY for served */
	u64 recv_sectors;		/* read from the peer (status) */
};

/* One minor: /dev/rdbdN. */
struct rdbd_device {
	/* Set at creation, constant afterwards. */
	unsigned int minor;
	char name[RDBD_RES_NAME_MAX];	/* resource name, unique */
	struct gendisk *disk;		/* cleared by rdbd_dev_remove() */
	struct bio_set bio_set;		/* clones sent to the backing disk */
	struct kref kref;		/* minor table + lookups in progress */

	struct mutex state_mutex;	/* serialises state changes */
	bool removed;			/* state_mutex: DEL_MINOR is done */

	spinlock_t req_lock;		/* what open() and I/O see */
	enum rdbd_role role;		/* state_mutex + req_lock */
	enum rdbd_disk_state disk_state; /* state_mutex + req_lock */
	/* state_mutex + req_lock; NULL while Diskless */
	struct rdbd_backing *ldev;
	unsigned int open_count;	/* req_lock */
	unsigned int io_inflight;	/* req_lock: clones not yet completed */
	wait_queue_head_t io_wait;	/* woken when io_inflight drops to 0 */
	/* req_lock: a flush has work unless they are equal (req.c) */
	u64 volatile_seq;		/* moves on when something is volatile */
	u64 flushed_seq;		/* volatile_seq a completed flush covered */
	u64 read_sectors;		/* req_lock: completed without error */
	u64 written_sectors;		/* req_lock */
	u64 app_writes;			/* req_lock: writes submitted */
	struct rdbd_disk_conf disk_conf; /* req_lock */
	char last_error[RDBD_LAST_ERROR_LEN]; /* req_lock */
	/* req_lock: intervals of local writes and resync chunks in flight */
	struct list_head active;
	wait_queue_head_t active_wait;	/* an interval left active */
	struct bio_set peer_bio_set;	/* bios of received writes, bvecs */

	struct rdbd_connection conn;
	struct rdbd_ioerr ioerr;	/* see struct rdbd_ioerr */
	struct rdbd_rread_state rread;	/* see struct rdbd_rread_state */
	struct rdbd_fence fence;	/* see struct rdbd_fence */
};

/* Something may be in a disk cache now: the next flush is real (req.c). */
static inline void rdbd_mark_volatile(struct rdbd_device *dev)
{
	lockdep_assert_held(&dev->req_lock);
	dev->volatile_seq++;
}

/* SyncSource or SyncTarget, paused or not? */
static inline bool rdbd_cs_sync_source(enum rdbd_conn_state cs)
{
	return cs == RDBD_CONN_SYNC_SOURCE || cs == RDBD_CONN_PAUSED_SYNC_S;
}

static inline bool rdbd_cs_sync_target(enum rdbd_conn_state cs)
{
	return cs == RDBD_CONN_SYNC_TARGET || cs == RDBD_CONN_PAUSED_SYNC_T;
}

/* Port of an AF_INET or AF_INET6 address, in network order. */
static inline __be16 *rdbd_sockaddr_port(struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return &((struct sockaddr_in6 *)ss)->sin6_port;
	return &((struct sockaddr_in *)ss)->sin_port;
}

/* main.c: device objects and the minor table */
extern int rdbd_major;
struct rdbd_device *rdbd_dev_create(unsigned int minor, const char *name,
				    struct netlink_ext_ack *extack);
struct rdbd_device *rdbd_dev_get(unsigned int minor);
struct rdbd_device *rdbd_dev_get_next(unsigned int *minor);
void rdbd_dev_put(struct rdbd_device *dev);
void rdbd_dev_remove(struct rdbd_device *dev);
bool rdbd_dev_is_open(struct rdbd_device *dev);
int rdbd_dev_stack_limits(struct rdbd_device *dev,
			  struct block_device *bdev);
__printf(2, 3) void rdbd_set_last_error(struct rdbd_device *dev,
					const char *fmt, ...);

/* req.c: the I/O path */
int rdbd_io_init(struct rdbd_device *dev);
void rdbd_io_exit(struct rdbd_device *dev);
void rdbd_submit_bio(struct bio *bio);
void rdbd_io_attach(struct rdbd_device *dev, struct rdbd_backing *ldev,
		    enum rdbd_disk_state disk_state);
struct rdbd_backing *rdbd_io_detach(struct rdbd_device *dev);
struct rdbd_backing *rdbd_io_stop(struct rdbd_device *dev,
				  enum rdbd_disk_state disk_state);
void rdbd_io_drain(struct rdbd_device *dev);
struct rdbd_backing *rdbd_io_get_backing(struct rdbd_device *dev);
void rdbd_io_put_backing(struct rdbd_device *dev, enum req_op op,
			 unsigned int sectors, blk_status_t status);
void rdbd_io_count(struct rdbd_device *dev, enum req_op op,
		   unsigned int sectors);
bool rdbd_iv_overlaps(const struct rdbd_interval *a,
		      const struct rdbd_interval *b);
bool rdbd_iv_conflicts(struct rdbd_device *dev, struct list_head *list,
		       const struct rdbd_interval *iv);
void rdbd_iv_acquire(struct rdbd_device *dev, struct rdbd_interval *iv);
void rdbd_iv_release(struct rdbd_device *dev, struct rdbd_interval *iv);
int rdbd_got_ack(struct rdbd_device *dev, u16 cmd, const struct rdbd_p_ack *p);
int rdbd_tl_barrier_ack(struct rdbd_device *dev, u64 epoch, u32 writes);
int rdbd_tl_check_ko(struct rdbd_device *dev);
void rdbd_tl_peer_disk_lost(struct rdbd_device *dev);
void rdbd_repl_conn_lost(struct rdbd_device *dev);

/* repl.c: writes received from the peer */
extern mempool_t *rdbd_page_pool;
extern struct workqueue_struct *rdbd_wq;
int rdbd_repl_module_init(void);
void rdbd_repl_module_exit(void);
struct bio *rdbd_alloc_page_bio(struct rdbd_device *dev,
				struct block_device *bdev, blk_opf_t opf,
				u32 size);
void rdbd_free_page_bio(struct bio *bio);
int rdbd_receive_data(struct rdbd_device *dev, struct rdbd_packet *pkt);
void rdbd_ack_work(struct work_struct *work);
void rdbd_peer_reqs_drain(struct rdbd_device *dev);

/* sync.c: resync */
int rdbd_sync_pause(struct rdbd_device *dev, bool pause,
		    struct netlink_ext_ack *extack);
int rdbd_sync_got_pause(struct rdbd_device *dev,
			const struct rdbd_p_sync_pause *p);
void rdbd_sync_send_pause(struct rdbd_device *dev);
void rdbd_sync_apply_pause(struct rdbd_device *dev);
bool rdbd_sync_paused(struct rdbd_device *dev);
void rdbd_sync_source_start(struct rdbd_device *dev);
void rdbd_sync_source_stop(struct rdbd_device *dev);
int rdbd_sync_source_begin_connected(struct rdbd_device *dev, bool full);
void rdbd_sync_note_peer_write(struct rdbd_device *dev,
			       const struct rdbd_interval *iv);
int rdbd_sync_new_bitmap_uuid(struct rdbd_device *dev, u64 *sync_uuid);
int rdbd_sync_got_ack(struct rdbd_device *dev, u16 cmd,
		      const struct rdbd_p_ack *p);
void rdbd_sync_abort(struct rdbd_device *dev);
int rdbd_sync_got_batch_ack(struct rdbd_device *dev,
			    const struct rdbd_p_ack *p);
int rdbd_receive_rs_batch(struct rdbd_device *dev, struct rdbd_packet *pkt);
int rdbd_sync_target_begin(struct rdbd_device *dev, u64 sync_uuid);
int rdbd_sync_target_start(struct rdbd_device *dev, u64 sync_uuid);
void rdbd_sync_target_progress(struct rdbd_device *dev, sector_t sector,
			       u32 bytes, bool resync);
int rdbd_sync_target_done(struct rdbd_device *dev,
			  const struct rdbd_p_sync_done *p);

/* sync.c: the resync rate controller, shared with online verify */
struct rdbd_throttle {
	unsigned long last;		/* jiffies of the last refill */
	s64 budget_kib;			/* may go negative by one chunk */
	u64 app_writes;			/* dev->app_writes at the last look */
};
void rdbd_throttle_init(struct rdbd_device *dev, struct rdbd_throttle *t);
bool rdbd_sync_throttle(struct rdbd_device *dev, struct rdbd_throttle *t);
void rdbd_throttle_charge(struct rdbd_throttle *t, u32 kib);
void rdbd_sync_wait_unpaused(struct rdbd_device *dev);
void rdbd_sync_fail(struct rdbd_device *dev);

/* state.c: the state changes netlink asks for */
int rdbd_attach(struct rdbd_device *dev, const char *path,
		struct netlink_ext_ack *extack);
int rdbd_detach(struct rdbd_device *dev, struct netlink_ext_ack *extack);
void rdbd_backing_close(struct rdbd_backing *ldev);
int rdbd_primary(struct rdbd_device *dev, bool force,
		 struct netlink_ext_ack *extack);
int rdbd_secondary(struct rdbd_device *dev, struct netlink_ext_ack *extack);
int rdbd_down(struct rdbd_device *dev, struct netlink_ext_ack *extack);
void rdbd_down_forced(struct rdbd_device *dev);
const char *rdbd_disk_state_name(enum rdbd_disk_state ds);
const char *rdbd_role_name(enum rdbd_role role);

/* bitmap.c: the dirty bitmap */
int rdbd_bm_alloc(struct rdbd_backing *ldev);
void rdbd_bm_free(struct rdbd_backing *ldev);
void rdbd_bm_set_range(struct rdbd_device *dev, struct rdbd_backing *ldev,
		       sector_t sector, u32 bytes);
void rdbd_bm_clear_range(struct rdbd_device *dev, struct rdbd_backing *ldev,
			 sector_t sector, u32 bytes);
bool rdbd_bm_test_range(struct rdbd_device *dev, struct rdbd_backing *ldev,
			sector_t sector, u32 bytes);
void rdbd_bm_set_all(struct rdbd_device *dev, struct rdbd_backing *ldev);
void rdbd_bm_clear_all(struct rdbd_device *dev, struct rdbd_backing *ldev);
u64 rdbd_bm_weight(struct rdbd_device *dev, struct rdbd_backing *ldev);
u64 rdbd_bm_next_run(struct rdbd_device *dev, struct rdbd_backing *ldev,
		     u64 from, unsigned int max_bits, unsigned int *len);
int rdbd_bm_merge(struct rdbd_device *dev, const struct rdbd_p_bitmap *p);
int rdbd_bm_send(struct rdbd_device *dev, bool all);
int rdbd_bm_got_done(struct rdbd_device *dev,
		     const struct rdbd_p_bitmap_done *p);
int rdbd_bm_read(struct rdbd_device *dev, struct rdbd_backing *ldev,
		 struct netlink_ext_ack *extack);
int rdbd_bm_write(struct rdbd_device *dev, struct rdbd_backing *ldev);
int rdbd_bm_write_pinned(struct rdbd_device *dev);

/* al.c: the activity log */
int rdbd_al_alloc(struct rdbd_backing *ldev, u32 al_extents);
void rdbd_al_free(struct rdbd_backing *ldev);
int rdbd_al_attach(struct rdbd_device *dev, struct rdbd_backing *ldev,
		   bool crashed, struct netlink_ext_ack *extack);
void rdbd_al_begin_io(struct rdbd_device *dev, struct rdbd_backing *ldev,
		      sector_t sector, u32 bytes, int slots[2]);
void rdbd_al_complete_io(struct rdbd_device *dev, struct rdbd_backing *ldev,
			 const int slots[2]);

/* md.c: on-disk metadata */
int rdbd_md_io(struct block_device *bdev, struct page *page, u64 pos,
	       blk_opf_t opf);
int rdbd_md_read(struct rdbd_device *dev, struct rdbd_backing *ldev,
		 struct netlink_ext_ack *extack);
int rdbd_md_write(struct rdbd_device *dev, struct rdbd_backing *ldev,
		  const struct rdbd_md *md, struct netlink_ext_ack *extack);
enum rdbd_disk_state rdbd_md_disk_state(u32 flags);
u32 rdbd_md_state_flags(u32 flags, enum rdbd_role role,
			enum rdbd_disk_state disk_state);
void rdbd_md_new_current_uuid(struct rdbd_md *md);

/* conn.c: the connection thread */
void rdbd_conn_init(struct rdbd_device *dev);
int rdbd_connect(struct rdbd_device *dev, const struct rdbd_net_conf *conf,
		 struct netlink_ext_ack *extack);
int rdbd_disconnect(struct rdbd_device *dev);
__printf(2, 3) void rdbd_conn_error(struct rdbd_device *dev,
				    const char *fmt, ...);
bool rdbd_conn_lock_state(struct rdbd_device *dev);

/* tcp.c: TCP connections to the peer */
#define RDBD_CONN_TICK		(HZ / 10)	/* longest wait before noticing stop */
int rdbd_addr_cmp(const struct sockaddr_storage *a,
		  const struct sockaddr_storage *b);
void rdbd_conn_sleep_tick(void);
struct socket *rdbd_conn_wait_socket(struct rdbd_device *dev,
				     unsigned long *next_dial);
void rdbd_sock_setup(struct rdbd_device *dev, struct socket *sock);
int rdbd_conn_listen(struct rdbd_device *dev, const struct rdbd_net_conf *conf,
		     struct socket **listener, struct netlink_ext_ack *extack);
struct socket *rdbd_conn_dial(struct rdbd_device *dev, unsigned long deadline);
struct socket *rdbd_conn_accept_peer(struct rdbd_device *dev,
				     unsigned long deadline);
void rdbd_notify_later(struct rdbd_device *dev);
void rdbd_set_cstate(struct rdbd_device *dev, enum rdbd_conn_state cs);
bool rdbd_conn_busy_done(struct rdbd_device *dev,
			 enum rdbd_disk_state peer_disk);
bool rdbd_connected(struct rdbd_device *dev);
void rdbd_conn_send_state(struct rdbd_device *dev);
void rdbd_conn_established_state(struct rdbd_device *dev,
				 enum rdbd_role peer_role,
				 enum rdbd_disk_state peer_disk,
				 bool sync_source, bool sync_target);
void rdbd_conn_new_uuid_if_pending(struct rdbd_device *dev);
int rdbd_conn_ask_primary(struct rdbd_device *dev,
			  struct netlink_ext_ack *extack);

/* invalidate.c: outdate, invalidate, invalidate-remote */
int rdbd_outdate(struct rdbd_device *dev, struct netlink_ext_ack *extack);
int rdbd_invalidate(struct rdbd_device *dev, struct netlink_ext_ack *extack);
int rdbd_invalidate_remote(struct rdbd_device *dev,
			   struct netlink_ext_ack *extack);
int rdbd_inv_got_request(struct rdbd_device *dev);
int rdbd_inv_set_disk(struct rdbd_device *dev, enum rdbd_disk_state ds,
		      struct netlink_ext_ack *extack);

/* ioerr.c: backing-disk I/O errors, on-io-error */
void rdbd_ioerr_init(struct rdbd_device *dev);
void rdbd_ioerr_exit(struct rdbd_device *dev);
bool rdbd_ioerr_local(struct rdbd_device *dev, struct rdbd_backing *ldev,
		     enum req_op op, sector_t sector, u32 size);
void rdbd_ioerr_md(struct rdbd_device *dev, struct rdbd_backing *ldev);
void rdbd_ioerr_tell_peer_failed(struct rdbd_device *dev);
int rdbd_ioerr_refuse_data(struct rdbd_device *dev, struct rdbd_packet *pkt);
int rdbd_ioerr_got_oos(struct rdbd_device *dev, const struct rdbd_p_ack *p);
void rdbd_ioerr_peer_state(struct rdbd_device *dev, enum rdbd_role role,
			   enum rdbd_disk_state old, enum rdbd_disk_state ds);
bool rdbd_ioerr_mark_received(struct rdbd_device *dev);
void rdbd_ioerr_peer_lacks(struct rdbd_device *dev, struct rdbd_backing *ldev,
			   sector_t sector, u32 size);
int rdbd_ioerr_wait_detached(struct rdbd_device *dev);
int rdbd_ioerr_attach_check(struct rdbd_device *dev,
			    struct netlink_ext_ack *extack);
int rdbd_ioerr_attach_primary(struct rdbd_device *dev,
			      struct rdbd_backing *ldev,
			      enum rdbd_disk_state *disk_state,
			      struct netlink_ext_ack *extack);
void rdbd_ioerr_attached(struct rdbd_device *dev);
int rdbd_ioerr_got_reattach(struct rdbd_device *dev,
			    const struct rdbd_p_reattach *p);
bool rdbd_ioerr_take_reattach(struct rdbd_device *dev);
bool rdbd_ioerr_read_from_peer(struct rdbd_device *dev);
int rdbd_ioerr_got_data_uuid(struct rdbd_device *dev,
			     const struct rdbd_p_sync_uuid *p);
u64 rdbd_ioerr_served_uuid(struct rdbd_device *dev);
int rdbd_ioerr_hs_diskless(struct rdbd_device *dev, enum rdbd_role peer_role,
			   enum rdbd_disk_state peer_disk, u64 peer_uuid,
			   u64 peer_bytes);

/* remote_read.c: reads the peer serves for a Diskless Primary */
void rdbd_rread_init(struct rdbd_device *dev);
bool rdbd_rread_submit(struct rdbd_device *dev, struct bio *bio,
		       unsigned long start_time);
int rdbd_rread_got_req(struct rdbd_device *dev, const struct rdbd_p_ack *p);
int rdbd_rread_got_reply(struct rdbd_device *dev, struct rdbd_packet *pkt);
void rdbd_rread_conn_lost(struct rdbd_device *dev);
/* verify.c: online verify */
int rdbd_verify_get_conf(struct rdbd_device *dev, const struct nlattr *alg,
			 struct rdbd_net_conf *conf,
			 struct netlink_ext_ack *extack);
int rdbd_verify_start(struct rdbd_device *dev,
		      struct netlink_ext_ack *extack);
int rdbd_verify_got_packet(struct rdbd_device *dev, struct rdbd_packet *pkt);
void rdbd_verify_conn_lost(struct rdbd_device *dev);
int rdbd_verify_put_status(struct rdbd_device *dev, struct sk_buff *skb);

/* helper.c: handlers in userspace */
int rdbd_helper_module_init(void);
void rdbd_helper_module_exit(void);
void rdbd_helper_init(struct rdbd_device *dev);
void rdbd_helper_later(struct rdbd_device *dev, const char *name);
int rdbd_helper_run(struct rdbd_device *dev, const char *name,
		    const char *peer);
void rdbd_helper_queue(struct work_struct *work);

/* fence.c: fencing policies and the fence-peer handler */
void rdbd_fence_init(struct rdbd_device *dev);
bool rdbd_fence_wait_io(struct rdbd_device *dev, struct bio *bio);
void rdbd_fence_endio(struct rdbd_device *dev, struct bio *bio);
void rdbd_fence_conn_lost(struct rdbd_device *dev, enum rdbd_conn_state why);
void rdbd_fence_connected(struct rdbd_device *dev);
void rdbd_fence_before_disconnect(struct rdbd_device *dev);
int rdbd_fence_before_primary(struct rdbd_device *dev, bool force,
			      struct netlink_ext_ack *extack);
int rdbd_fence_may_promote(struct rdbd_device *dev, bool force,
			   struct netlink_ext_ack *extack);
int rdbd_fence_resume_io(struct rdbd_device *dev,
			 struct netlink_ext_ack *extack);
void rdbd_fence_demoted(struct rdbd_device *dev);
enum rdbd_disk_state rdbd_fence_peer_disk(struct rdbd_device *dev);
int rdbd_fence_put_status(struct rdbd_device *dev, struct sk_buff *skb);

/* handshake.c */
int rdbd_handshake(struct rdbd_device *dev);
void rdbd_auth_free(struct rdbd_device *dev);

/* tx_wire.c: one packet onto the socket (tx_mutex) */
/*
 * Where a send of one packet stands.  @skip: bytes of it that went out
 * before (a direct send that found the socket full), not sent again.
 * @sent: bytes this call put out.  @flags: MSG_DONTWAIT for a direct
 * send, which returns -EAGAIN where a blocking one would wait.
 */
struct rdbd_tx_pos {
	size_t skip;
	size_t sent;
	int flags;
};
int rdbd_tx_send_pos(struct socket *sock, const struct rdbd_tx *tx, bool more,
		     struct rdbd_tx_pos *pos);
int rdbd_tx_send(struct socket *sock, const struct rdbd_tx *tx, bool more);

/* sender.c: the sender thread */
void rdbd_sender_init(struct rdbd_connection *conn);
int rdbd_sender_start(struct rdbd_device *dev, struct socket *sock);
void rdbd_sender_stop(struct rdbd_device *dev, unsigned int flush_ms);
bool rdbd_tx_queue(struct rdbd_device *dev, struct rdbd_tx *tx);
bool rdbd_tx_send_now(struct rdbd_device *dev, struct rdbd_tx *tx);
int rdbd_send_packet(struct rdbd_device *dev, u16 cmd, const void *payload,
		     u32 size);
int rdbd_send_bvecs(struct rdbd_device *dev, u16 cmd, const void *payload,
		    u32 size, const struct bio_vec *bv, unsigned int nr,
		    u32 len);
int rdbd_send_page_bio(struct rdbd_device *dev, u16 cmd,
		       const struct rdbd_p_data *p, struct bio *bio);
int rdbd_send_data(struct rdbd_device *dev, u16 cmd,
		   const struct rdbd_p_data *p, struct bio *bio,
		   bool zero_copy);
void rdbd_send_ctrl(struct rdbd_device *dev, int bit);
void rdbd_conn_kill(struct rdbd_device *dev);

/* meta.c: the meta connection, for pings */
int rdbd_hs_meta(struct rdbd_device *dev, struct rdbd_packet *pkt);
int rdbd_meta_send(struct rdbd_device *dev, u16 cmd);
void rdbd_meta_stop(struct rdbd_device *dev);

/* epoch.c: BARRIER and BARRIER_ACK, on the receiving side */
struct rdbd_rx_epoch;
void rdbd_epoch_init(struct rdbd_connection *conn);
bool rdbd_data_in_no_epoch(const struct rdbd_connection *conn, u32 dp_flags);
int rdbd_epoch_rx_write(struct rdbd_device *dev, struct rdbd_rx_epoch **epoch);
void rdbd_epoch_rx_done(struct rdbd_device *dev, struct rdbd_rx_epoch *epoch,
			bool volatile_write);
int rdbd_epoch_got_barrier(struct rdbd_device *dev,
			   const struct rdbd_p_barrier *p);
void rdbd_epoch_rx_drain(struct rdbd_device *dev);

/* proto.c: packets on the wire */
int rdbd_recv_buf(struct rdbd_device *dev, void *buf, size_t len,
		  unsigned long deadline);
int rdbd_recv_bio(struct rdbd_device *dev, struct bio *bio);
int rdbd_recv_skip(struct rdbd_device *dev, u32 len, unsigned long deadline);
int rdbd_recv_packet(struct rdbd_device *dev, struct rdbd_packet *pkt,
		     unsigned long deadline);
int rdbd_recv_expect(struct rdbd_device *dev, struct rdbd_packet *pkt,
		     u16 cmd, unsigned long deadline);

/* nl.c: generic netlink */
int rdbd_nl_init(void);
void rdbd_nl_notify_state(struct rdbd_device *dev);
void rdbd_nl_exit(void);

/* msg.c: error messages */
__printf(3, 4) void rdbd_extack(struct netlink_ext_ack *extack, int minor,
				const char *fmt, ...);
const char *rdbd_strerror(int err);
void rdbd_msg_exit(void);

#endif /* RDBD_INT_H */
