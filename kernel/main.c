// SPDX-License-Identifier: GPL-2.0
/*
 * rdbd: a replicated block device in the manner of DRBD 8.4.
 *
 * Design
 * ======
 * One *device* (struct rdbd_device) per minor: /dev/rdbdN, named by a
 * resource name, created by RDBD_CMD_NEW_MINOR and removed by
 * RDBD_CMD_DEL_MINOR.  Its state is DRBD's triple
 *
 *     role (Primary/Secondary)  x  disk state  x  connection state
 *
 * and it starts Secondary, Diskless, StandAlone with capacity 0.
 *
 *   ATTACH      claims a backing disk, reads the superblock at its end
 *               (md.c) and exposes the data area in front of it: capacity,
 *               queue limits and write cache follow the backing disk.
 *   PRIMARY     promotes: only a Primary may be opened (-EMEDIUMTYPE
 *               otherwise, as DRBD).  Metadata is written before the role
 *               changes, so a crash is visible at the next attach.
 *   CONNECT     starts the per-device connection thread (conn.c, which
 *               has the design of replication): handshake, liveness,
 *               replication of writes (req.c, repl.c), full sync (sync.c).
 *
 * Configuration comes only through generic netlink (nl.c), with the
 * ABI in <rdbd/genl.h>; every state change is multicast as an event.
 *
 * Objects and lifetimes
 * ---------------------
 *   rdbd_minors[]        minor -> device; holds one reference.
 *   struct rdbd_device   kref: the table, plus each netlink request that
 *                        looked it up.  DEL_MINOR tears everything down
 *                        under state_mutex (gendisk included) and marks it
 *                        removed; the memory goes with the last reference.
 *   struct rdbd_backing  the attached disk; ATTACH to DETACH.  The I/O path
 *                        counts clones in flight so DETACH can wait (req.c).
 *   struct rdbd_connection  embedded in the device; a thread and a
 *                        listener between CONNECT and DISCONNECT.
 *
 * Locks: see the top of rdbd_int.h.  In short, state_mutex serialises the
 * state changes of one device; req_lock (a spinlock) covers what open()
 * and the I/O path see; rdbd_minors_mutex covers the minor table.
 *
 * I/O path (req.c): bio-based; each bio is cloned from a per-device bio_set
 * onto the backing disk at the same sector, and the clone's completion
 * completes the original.  No sleeping locks.
 *
 * Module unload stops netlink first (which waits out commands in
 * progress), then takes every remaining device down, then releases the
 * block major: init in reverse, with the devices in between.
 */
#include <linux/module.h>
#include <linux/slab.h>

#include "rdbd_int.h"

int rdbd_major;

/*
 * Largest DISCARD or WRITE_ZEROES we take: one activity-log extent.  It
 * then spans two extents at most, and rdbd_al_begin_io() makes each hot;
 * a crash during a larger one would leave extents changed on one disk
 * only that the log does not name (a packet could describe up to 4 GiB).
 */
#define RDBD_MAX_NO_DATA_SECTORS	(1U << (RDBD_AL_EXTENT_SHIFT - SECTOR_SHIFT))

static DEFINE_MUTEX(rdbd_minors_mutex);
/* rdbd_minors_mutex; each entry holds a reference. */
static struct rdbd_device *rdbd_minors[RDBD_MINOR_MAX + 1];

/* ---- block device operations ---- */

static int rdbd_open(struct gendisk *disk)
{
	struct rdbd_device *dev = disk->private_data;
	bool primary;

	spin_lock_irq(&dev->req_lock);
	primary = dev->role == RDBD_ROLE_PRIMARY;
	if (primary)
		dev->open_count++;
	spin_unlock_irq(&dev->req_lock);
	if (primary)
		return 0;
	/* As DRBD: a Secondary's data belongs to the Primary; hands off. */
	pr_info_ratelimited("rdbd%u: %s[%d] may not open the device: it is Secondary\n",
			    dev->minor, current->comm, task_pid_nr(current));
	return -EMEDIUMTYPE;
}

static void rdbd_release(struct gendisk *disk)
{
	struct rdbd_device *dev = disk->private_data;

	spin_lock_irq(&dev->req_lock);
	dev->open_count--;
	spin_unlock_irq(&dev->req_lock);
}

RDBD_DEFINE_BDOPS_OPEN(rdbd_bdops_open, rdbd_open)
RDBD_DEFINE_BDOPS_RELEASE(rdbd_bdops_release, rdbd_release)

static const struct block_device_operations rdbd_fops = {
	.owner		= THIS_MODULE,
	.submit_bio	= rdbd_submit_bio,
	.open		= rdbd_bdops_open,
	.release	= rdbd_bdops_release,
};

bool rdbd_dev_is_open(struct rdbd_device *dev)
{
	bool open;

	spin_lock_irq(&dev->req_lock);
	open = dev->open_count;
	spin_unlock_irq(&dev->req_lock);
	return open;
}

/**
 * rdbd_dev_stack_limits - make rdbdN look like the disk it is attached to
 * @dev: the device, not open (it is Secondary while it attaches)
 * @bdev: the backing disk
 *
 * Block sizes, I/O sizes, transfer and discard limits, write cache and FUA.
 * Returns 0 or a negative errno (the kernel refused the limits).
 */
int rdbd_dev_stack_limits(struct rdbd_device *dev, struct block_device *bdev)
{
	static const struct rdbd_limit_caps caps = {
		/* What one DATA packet can carry (u32 bytes on the wire). */
		.max_hw_sectors		= RDBD_WIRE_MAX_DATA >> SECTOR_SHIFT,
		.max_discard_sectors	= RDBD_MAX_NO_DATA_SECTORS,
	};

	return rdbd_restack_limits(dev->disk, bdev, &caps);
}

/* ---- last error ---- */

void rdbd_set_last_error(struct rdbd_device *dev, const char *fmt, ...)
{
	char buf[RDBD_LAST_ERROR_LEN];
	va_list args;

	va_start(args, fmt);
	vscnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	spin_lock_irq(&dev->req_lock);
	strscpy(dev->last_error, buf, sizeof(dev->last_error));
	spin_unlock_irq(&dev->req_lock);
}

/* ---- device objects ---- */

static void rdbd_dev_init_state(struct rdbd_device *dev, unsigned int minor,
				const char *name)
{
	dev->minor = minor;
	strscpy(dev->name, name, sizeof(dev->name));
	kref_init(&dev->kref);
	mutex_init(&dev->state_mutex);
	spin_lock_init(&dev->req_lock);
	init_waitqueue_head(&dev->io_wait);
	dev->role = RDBD_ROLE_SECONDARY;
	dev->disk_state = RDBD_DISK_DISKLESS;
	INIT_LIST_HEAD(&dev->active);
	init_waitqueue_head(&dev->active_wait);
	rdbd_conn_init(dev);
	rdbd_ioerr_init(dev);
	rdbd_rread_init(dev);
	rdbd_fence_init(dev);
}

static void rdbd_disk_init(struct rdbd_device *dev, struct gendisk *disk)
{
	disk->major = rdbd_major;
	disk->first_minor = dev->minor;
	disk->minors = 1;
	disk->fops = &rdbd_fops;
	disk->private_data = dev;
	disk->flags |= GENHD_FL_NO_PART;
	snprintf(disk->disk_name, DISK_NAME_LEN, "rdbd%u", dev->minor);
	set_capacity(disk, 0);
	dev->disk = disk;
}

static struct rdbd_device *rdbd_dev_alloc(unsigned int minor,
					  const char *name,
					  struct netlink_ext_ack *extack)
{
	struct rdbd_device *dev;
	struct gendisk *disk;
	int err;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		rdbd_extack(extack, minor, "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	rdbd_dev_init_state(dev, minor, name);
	err = rdbd_io_init(dev);
	if (err) {
		rdbd_extack(extack, minor, "out of memory");
		goto out_free_dev;
	}
	/* Received writes and resync chunks: bios with their own pages. */
	err = bioset_init(&dev->peer_bio_set, BIO_POOL_SIZE, 0,
			  BIOSET_NEED_BVECS);
	if (err) {
		rdbd_extack(extack, minor, "out of memory");
		goto out_exit_io;
	}
	/* A stacking driver: ATTACH takes the limits from the backing disk. */
	disk = rdbd_alloc_stacking_disk(NUMA_NO_NODE);
	if (IS_ERR(disk)) {
		rdbd_extack(extack, minor, "out of memory");
		err = PTR_ERR(disk);
		goto out_exit_peer_bioset;
	}
	rdbd_disk_init(dev, disk);
	err = add_disk(disk);
	if (err) {
		rdbd_extack(extack, minor,
			    "cannot register the block device: %s",
			    rdbd_strerror(err));
		goto out_put_disk;
	}
	return dev;

out_put_disk:
	put_disk(disk);
out_exit_peer_bioset:
	bioset_exit(&dev->peer_bio_set);
out_exit_io:
	rdbd_io_exit(dev);
out_free_dev:
	kfree(dev);
	return ERR_PTR(err);
}

static void rdbd_dev_release(struct kref *kref)
{
	kfree(container_of(kref, struct rdbd_device, kref));
}

void rdbd_dev_put(struct rdbd_device *dev)
{
	kref_put(&dev->kref, rdbd_dev_release);
}

/* Refuse a taken minor or resource name.  Caller holds rdbd_minors_mutex. */
static int rdbd_check_free(unsigned int minor, const char *name,
			   struct netlink_ext_ack *extack)
{
	unsigned int i;

	lockdep_assert_held(&rdbd_minors_mutex);
	if (rdbd_minors[minor]) {
		rdbd_extack(extack, minor,
			    "minor %u is already used by resource '%s'",
			    minor, rdbd_minors[minor]->name);
		return -EEXIST;
	}
	for (i = 0; i <= RDBD_MINOR_MAX; i++) {
		if (rdbd_minors[i] && !strcmp(rdbd_minors[i]->name, name)) {
			rdbd_extack(extack, minor,
				    "resource name '%s' is already used by rdbd%u",
				    name, i);
			return -EEXIST;
		}
	}
	return 0;
}

/**
 * rdbd_dev_create - NEW_MINOR: create /dev/rdbd<minor>
 * @minor: 0..RDBD_MINOR_MAX
 * @name: resource name, already checked for its characters
 * @extack: where to explain a refusal
 *
 * Returns the device with a reference for the caller, or an ERR_PTR.
 */
struct rdbd_device *rdbd_dev_create(unsigned int minor, const char *name,
				    struct netlink_ext_ack *extack)
{
	struct rdbd_device *dev;
	int err;

	mutex_lock(&rdbd_minors_mutex);
	err = rdbd_check_free(minor, name, extack);
	if (err) {
		dev = ERR_PTR(err);
		goto out_unlock;
	}
	dev = rdbd_dev_alloc(minor, name, extack);
	if (IS_ERR(dev))
		goto out_unlock;
	kref_get(&dev->kref);		/* the caller's; the table has one */
	rdbd_minors[minor] = dev;
	pr_info("rdbd%u: created for resource '%s'\n", minor, name);
out_unlock:
	mutex_unlock(&rdbd_minors_mutex);
	return dev;
}

/* The device at @minor with a reference, or NULL. */
struct rdbd_device *rdbd_dev_get(unsigned int minor)
{
	struct rdbd_device *dev = NULL;

	if (minor > RDBD_MINOR_MAX)
		return NULL;
	mutex_lock(&rdbd_minors_mutex);
	dev = rdbd_minors[minor];
	if (dev)
		kref_get(&dev->kref);
	mutex_unlock(&rdbd_minors_mutex);
	return dev;
}

/* The device with the lowest minor >= *@minor, with a reference; for dumps. */
struct rdbd_device *rdbd_dev_get_next(unsigned int *minor)
{
	struct rdbd_device *dev = NULL;
	unsigned int i;

	mutex_lock(&rdbd_minors_mutex);
	for (i = *minor; i <= RDBD_MINOR_MAX; i++) {
		dev = rdbd_minors[i];
		if (dev) {
			kref_get(&dev->kref);
			*minor = i;
			break;
		}
	}
	mutex_unlock(&rdbd_minors_mutex);
	return dev;
}

/**
 * rdbd_dev_remove - DEL_MINOR's last step: remove /dev/rdbdN
 * @dev: a device that is down (Secondary, StandAlone, Diskless, not open),
 *	 state_mutex held, and a reference held by the caller
 *
 * Cannot fail.  Later lookups that race with it find dev->removed.
 */
void rdbd_dev_remove(struct rdbd_device *dev)
{
	lockdep_assert_held(&dev->state_mutex);
	mutex_lock(&rdbd_minors_mutex);
	rdbd_minors[dev->minor] = NULL;
	mutex_unlock(&rdbd_minors_mutex);
	dev->removed = true;

	del_gendisk(dev->disk);
	put_disk(dev->disk);
	dev->disk = NULL;
	rdbd_io_exit(dev);		/* no clone left: detach waited */
	bioset_exit(&dev->peer_bio_set); /* the connection thread is gone */
	pr_info("rdbd%u: removed (resource '%s')\n", dev->minor, dev->name);
	rdbd_dev_put(dev);		/* the table's reference */
}

/* Module unload: netlink is gone, so nothing else touches the table. */
static void rdbd_dev_remove_all(void)
{
	struct rdbd_device *dev;
	unsigned int minor = 0;

	while ((dev = rdbd_dev_get_next(&minor))) {
		mutex_lock(&dev->state_mutex);
		rdbd_down_forced(dev);
		rdbd_dev_remove(dev);
		mutex_unlock(&dev->state_mutex);
		rdbd_dev_put(dev);
	}
}

/* ---- module ---- */

static int __init rdbd_init(void)
{
	int err;

	err = rdbd_repl_module_init();
	if (err)
		return err;
	err = rdbd_helper_module_init();
	if (err)
		goto out_repl_exit;
	rdbd_major = register_blkdev(0, "rdbd");
	if (rdbd_major < 0) {
		err = rdbd_major;
		goto out_helper_exit;
	}
	err = rdbd_nl_init();
	if (err)
		goto out_unregister_blkdev;
	pr_info("loaded: block major %d, generic netlink family \"%s\" version %d\n",
		rdbd_major, RDBD_GENL_FAMILY_NAME, RDBD_GENL_VERSION);
	return 0;

out_unregister_blkdev:
	unregister_blkdev(rdbd_major, "rdbd");
out_helper_exit:
	rdbd_helper_module_exit();
out_repl_exit:
	rdbd_repl_module_exit();
	return err;
}

static void __exit rdbd_exit(void)
{
	rdbd_nl_exit();
	rdbd_dev_remove_all();
	unregister_blkdev(rdbd_major, "rdbd");
	rdbd_helper_module_exit();	/* waits for running handlers */
	rdbd_repl_module_exit();
	rdbd_msg_exit();
	pr_info("unloaded\n");
}

module_init(rdbd_init);
module_exit(rdbd_exit);

MODULE_DESCRIPTION("rdbd: replicated block device (DRBD 8.4 semantics)");
MODULE_LICENSE("GPL");
MODULE_ALIAS_GENL_FAMILY(RDBD_GENL_FAMILY_NAME);
