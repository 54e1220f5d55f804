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
#include <linux/mutex.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/utsname.h>
#include <linux/wait.h>
#include <net/genetlink.h>

#include <rdbd/genl.h>
#include <rdbd/meta.h>

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
 * The backing ("lower") disk of an attached device.  Created by ATTACH and
 * freed by DETACH, both under state_mutex; the I/O path reaches it through
 * dev->ldev under req_lock and holds an in-flight count while using it.
 */
struct rdbd_backing {
	struct block_device *bdev;	/* claimed exclusively, holder = device */
	char path[RDBD_PATH_MAX];	/* as given to ATTACH */
	struct rdbd_md_layout layout;	/* of bdev's size at attach */
	struct rdbd_md md;		/* state_mutex: what is on disk */
	/* state_mutex: the superblock block as read; keeps unknown bytes */
	struct page *sb_page;
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
};

/*
 * The per-device connection to the peer.  This build only gets as far as
 * WFConnection: the thread listens and dials, and closes any TCP connection
 * it gets, since the replication handshake does not exist yet.
 */
struct rdbd_connection {
	enum rdbd_conn_state cstate;	/* state_mutex */
	struct rdbd_net_conf net_conf;	/* see struct rdbd_net_conf */
	/* state_mutex; owned here, used by the thread while it runs */
	struct socket *listener;
	struct task_struct *thread;	/* state_mutex; NULL while StandAlone */
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
	u64 read_sectors;		/* req_lock: completed without error */
	u64 written_sectors;		/* req_lock */
	char last_error[RDBD_LAST_ERROR_LEN]; /* req_lock */

	struct rdbd_connection conn;
};

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
void rdbd_dev_stack_limits(struct rdbd_device *dev,
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

/* state.c: the state changes netlink asks for */
int rdbd_attach(struct rdbd_device *dev, const char *path,
		struct netlink_ext_ack *extack);
int rdbd_detach(struct rdbd_device *dev, struct netlink_ext_ack *extack);
int rdbd_primary(struct rdbd_device *dev, bool force,
		 struct netlink_ext_ack *extack);
int rdbd_secondary(struct rdbd_device *dev, struct netlink_ext_ack *extack);
int rdbd_down(struct rdbd_device *dev, struct netlink_ext_ack *extack);
void rdbd_down_forced(struct rdbd_device *dev);

/* md.c: on-disk metadata */
int rdbd_md_read(struct rdbd_device *dev, struct rdbd_backing *ldev,
		 struct netlink_ext_ack *extack);
int rdbd_md_write(struct rdbd_device *dev, struct rdbd_backing *ldev,
		  const struct rdbd_md *md, struct netlink_ext_ack *extack);
enum rdbd_disk_state rdbd_md_disk_state(u32 flags);
u32 rdbd_md_state_flags(u32 flags, enum rdbd_role role,
			enum rdbd_disk_state disk_state);
void rdbd_md_new_current_uuid(struct rdbd_md *md);

/* conn.c: the connection thread */
int rdbd_connect(struct rdbd_device *dev, const struct rdbd_net_conf *conf,
		 struct netlink_ext_ack *extack);
int rdbd_disconnect(struct rdbd_device *dev);

/* nl.c: generic netlink */
int rdbd_nl_init(void);
void rdbd_nl_exit(void);

/* msg.c: error messages */
__printf(3, 4) void rdbd_extack(struct netlink_ext_ack *extack, int minor,
				const char *fmt, ...);
const char *rdbd_strerror(int err);
void rdbd_msg_exit(void);

#endif /* RDBD_INT_H */
