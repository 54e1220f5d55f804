// SPDX-License-Identifier: GPL-2.0
/*
 * State changes of one device: attach, detach, promote, demote, and the
 * "down" sequence DEL_MINOR and module unload run.  Each function is called
 * with dev->state_mutex held and returns a negative errno with an extack
 * message, 0 when nothing had to change, or RDBD_CHANGED.
 *
 * The rules are DRBD 8.4's with no allow-two-primaries (fencing is in
 * fence.c); see drbd84-semantics.md.  While connected, a
 * promotion asks the peer first (conn.c) and role changes are told to it.
 */
#include <linux/slab.h>

#include "rdbd_int.h"

static const char *const rdbd_disk_state_names[] = {
	[RDBD_DISK_DISKLESS] = "Diskless",
	[RDBD_DISK_ATTACHING] = "Attaching",
	[RDBD_DISK_FAILED] = "Failed",
	[RDBD_DISK_NEGOTIATING] = "Negotiating",
	[RDBD_DISK_INCONSISTENT] = "Inconsistent",
	[RDBD_DISK_OUTDATED] = "Outdated",
	[RDBD_DISK_DUNKNOWN] = "DUnknown",
	[RDBD_DISK_CONSISTENT] = "Consistent",
	[RDBD_DISK_UPTODATE] = "UpToDate",
};

const char *rdbd_disk_state_name(enum rdbd_disk_state ds)
{
	if (ds < ARRAY_SIZE(rdbd_disk_state_names))
		return rdbd_disk_state_names[ds];
	return "?";
}

const char *rdbd_role_name(enum rdbd_role role)
{
	switch (role) {
	case RDBD_ROLE_PRIMARY:
		return "Primary";
	case RDBD_ROLE_SECONDARY:
		return "Secondary";
	default:
		return "Unknown";
	}
}

/* Role and disk state: written under both locks, see rdbd_int.h. */
static void rdbd_set_role(struct rdbd_device *dev, enum rdbd_role role,
			  enum rdbd_disk_state disk_state)
{
	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	dev->role = role;
	dev->disk_state = disk_state;
	rdbd_mark_volatile(dev);	/* req.c: the next flush is real */
	spin_unlock_irq(&dev->req_lock);
}

/*
 * Demote in memory unless someone has the device open.  Done under req_lock
 * so that no open() can slip in between the check and the change.
 */
static bool rdbd_try_leave_primary(struct rdbd_device *dev)
{
	bool unused;

	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	unused = !dev->open_count;
	if (unused)
		dev->role = RDBD_ROLE_SECONDARY;
	spin_unlock_irq(&dev->req_lock);
	return unused;
}

static void rdbd_extack_open_failed(struct rdbd_device *dev, const char *path,
				    int err, struct netlink_ext_ack *extack)
{
	switch (err) {
	case -EBUSY:
		rdbd_extack(extack, dev->minor,
			    "cannot claim %s: it is in use (mounted, attached to another device, or held by another program)",
			    path);
		break;
	case -EACCES:
	case -EROFS:
		rdbd_extack(extack, dev->minor,
			    "cannot open %s for writing: it is read-only",
			    path);
		break;
	case -ENOTBLK:
		rdbd_extack(extack, dev->minor, "%s is not a block device",
			    path);
		break;
	default:
		rdbd_extack(extack, dev->minor, "cannot open %s: %s", path,
			    rdbd_strerror(err));
	}
}

void rdbd_backing_close(struct rdbd_backing *ldev)
{
	rdbd_al_free(ldev);
	rdbd_bm_free(ldev);
	rdbd_bdev_close(ldev->bdev, &ldev->claim);
	__free_page(ldev->sb_page);
	kfree(ldev);
}

/* Claims the disk at @path and computes its metadata layout. */
static struct rdbd_backing *rdbd_backing_open(struct rdbd_device *dev,
					      const char *path,
					      struct netlink_ext_ack *extack)
{
	struct rdbd_backing *ldev;
	struct block_device *bdev;
	u64 bytes;
	int err;

	ldev = kzalloc(sizeof(*ldev), GFP_KERNEL);
	if (!ldev) {
		rdbd_extack(extack, dev->minor, "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	strscpy(ldev->path, path, sizeof(ldev->path));
	ldev->sb_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!ldev->sb_page) {
		rdbd_extack(extack, dev->minor, "out of memory");
		err = -ENOMEM;
		goto out_free_ldev;
	}

	bdev = rdbd_bdev_open(path, dev, &ldev->claim);
	if (IS_ERR(bdev)) {
		err = PTR_ERR(bdev);
		rdbd_extack_open_failed(dev, path, err, extack);
		goto out_free_page;
	}
	ldev->bdev = bdev;

	bytes = bdev_nr_bytes(bdev);
	if (rdbd_md_layout(bytes, &ldev->layout)) {
		rdbd_extack(extack, dev->minor,
			    "%s is too small for rdbd: %llu KiB cannot hold the metadata and %u KiB of data",
			    path, bytes >> 10, RDBD_MD_MIN_DATA_BYTES >> 10);
		err = -ENOSPC;
		goto out_put_bdev;
	}
	err = rdbd_bm_alloc(ldev);
	if (!err)
		err = rdbd_al_alloc(ldev, READ_ONCE(dev->disk_conf.al_extents));
	if (err) {
		rdbd_al_free(ldev);
		rdbd_bm_free(ldev);
		rdbd_extack(extack, dev->minor,
			    "out of memory for the bitmap of %s (%llu KiB)",
			    path, ldev->layout.bitmap_bytes >> 10);
		goto out_put_bdev;
	}
	return ldev;

out_put_bdev:
	rdbd_bdev_close(bdev, &ldev->claim);
out_free_page:
	__free_page(ldev->sb_page);
out_free_ldev:
	kfree(ldev);
	return ERR_PTR(err);
}

/*
 * Superblock says Primary, but the device was Diskless until now: the node
 * crashed (or was cut off) while Primary.  Remember it as DRBD does
 * (CRASHED_PRIMARY) and record that it is Secondary now.
 */
static int rdbd_attach_note_crash(struct rdbd_device *dev,
				  struct rdbd_backing *ldev,
				  enum rdbd_disk_state disk_state,
				  struct netlink_ext_ack *extack)
{
	struct rdbd_md md = ldev->md;

	if (!(md.flags & RDBD_MDF_PRIMARY_IND))
		return 0;
	pr_notice("rdbd%u: %s was Primary when last used and never demoted: marking it a crashed primary\n",
		  dev->minor, ldev->path);
	md.flags |= RDBD_MDF_CRASHED_PRIMARY;
	md.flags = rdbd_md_state_flags(md.flags, RDBD_ROLE_SECONDARY,
				       disk_state);
	return rdbd_md_write(dev, ldev, &md, extack);
}

/**
 * rdbd_attach - ATTACH: claim a backing disk and bring its data online
 * @dev: the device, Diskless (state_mutex held)
 * @path: absolute path of the backing block device
 * @extack: where to explain a refusal
 */
int rdbd_attach(struct rdbd_device *dev, const char *path,
		struct netlink_ext_ack *extack)
{
	enum rdbd_disk_state disk_state;
	struct rdbd_backing *ldev;
	int err;

	lockdep_assert_held(&dev->state_mutex);
	if (dev->ldev) {
		rdbd_extack(extack, dev->minor,
			    "already attached to %s; detach it first",
			    dev->ldev->path);
		return -EBUSY;
	}
	err = rdbd_ioerr_attach_check(dev, extack);
	if (err)
		return err;
	if (path[0] != '/') {
		rdbd_extack(extack, dev->minor,
			    "backing device path '%s' is not absolute", path);
		return -EINVAL;
	}

	ldev = rdbd_backing_open(dev, path, extack);
	if (IS_ERR(ldev))
		return PTR_ERR(ldev);
	err = rdbd_md_read(dev, ldev, extack);
	if (!err)
		err = rdbd_bm_read(dev, ldev, extack);
	/*
	 * A crashed Primary: writes in flight at the crash may be on one
	 * disk only, and marks made in RAM since the bitmap was last
	 * written are lost; both lie in the extents of the activity log.
	 */
	if (!err)
		err = rdbd_al_attach(dev, ldev,
				     ldev->md.flags & RDBD_MDF_PRIMARY_IND,
				     extack);
	if (err)
		goto out_close_backing;
	disk_state = rdbd_md_disk_state(ldev->md.flags);
	/* A Diskless Primary's new disk is resynced in place (ioerr.c). */
	err = dev->role == RDBD_ROLE_PRIMARY ?
	      rdbd_ioerr_attach_primary(dev, ldev, &disk_state, extack) :
	      rdbd_attach_note_crash(dev, ldev, disk_state, extack);
	if (err)
		goto out_close_backing;

	err = rdbd_dev_stack_limits(dev, ldev->bdev);
	if (err) {
		rdbd_extack(extack, dev->minor,
			    "cannot take the queue limits of %s: %s", path,
			    rdbd_strerror(err));
		goto out_close_backing;
	}
	rdbd_io_attach(dev, ldev, disk_state);
	set_capacity_and_notify(dev->disk,
				ldev->layout.data_bytes >> SECTOR_SHIFT);
	pr_info("rdbd%u: attached to %s: %s, %llu KiB, current UUID %016llX\n",
		dev->minor, path, rdbd_disk_state_name(disk_state),
		ldev->layout.data_bytes >> 10,
		ldev->md.uuid[RDBD_UUID_CURRENT]);
	rdbd_ioerr_attached(dev);
	return RDBD_CHANGED;

out_close_backing:
	rdbd_backing_close(ldev);
	return err;
}

/* Stop I/O, drop the capacity to 0 and release the backing disk. */
static void rdbd_detach_backing(struct rdbd_device *dev)
{
	struct rdbd_backing *ldev = rdbd_io_detach(dev);

	rdbd_bm_write(dev, ldev);	/* logged; the disk goes regardless */
	set_capacity_and_notify(dev->disk, 0);
	pr_info("rdbd%u: detached from %s\n", dev->minor, ldev->path);
	rdbd_backing_close(ldev);
}

/**
 * rdbd_detach - DETACH: release the backing disk, become Diskless
 * @dev: the device (state_mutex held)
 * @extack: where to explain a refusal
 */
int rdbd_detach(struct rdbd_device *dev, struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&dev->state_mutex);
	if (!dev->ldev)
		return 0;
	if (dev->role == RDBD_ROLE_PRIMARY) {
		rdbd_extack(extack, dev->minor,
			    "cannot detach while Primary: with no peer the local disk holds the only copy of the data; run 'rdbdadm secondary' first");
		return -EBUSY;
	}
	/* Only a Primary can be opened today; kept for diskless Primaries. */
	if (rdbd_dev_is_open(dev)) {
		rdbd_extack(extack, dev->minor,
			    "cannot detach: the device is held open by someone");
		return -EBUSY;
	}
	/*
	 * Diskless peers are not supported: not while a peer is there (the
	 * handshake holds state_mutex, so cstate cannot change under us).
	 */
	if (dev->conn.cstate >= RDBD_CONN_WF_REPORT_PARAMS) {
		rdbd_extack(extack, dev->minor,
			    "cannot detach while connected to the peer; disconnect first");
		return -EBUSY;
	}
	rdbd_detach_backing(dev);
	return RDBD_CHANGED;
}

/*
 * While connected, the peer must agree (it may be Primary, or promoting
 * at the same moment); during the handshake nobody can say.
 */
static int rdbd_primary_ask_peer(struct rdbd_device *dev,
				 struct netlink_ext_ack *extack)
{
	if (dev->conn.cstate == RDBD_CONN_WF_REPORT_PARAMS) {
		rdbd_extack(extack, dev->minor,
			    "In transient state, retry after next state change");
		return -EAGAIN;
	}
	if (!rdbd_connected(dev))
		return 0;
	return rdbd_conn_ask_primary(dev, extack);
}

/**
 * rdbd_primary - PRIMARY: promote, making /dev/rdbdN usable
 * @dev: the device (state_mutex held)
 * @force: RDBD_F_FORCE: promote even with an Inconsistent/Outdated disk
 * @extack: where to explain a refusal
 *
 * Writes the metadata (new UUIDs, PRIMARY_IND) before the role changes, so
 * a crash right after the reply is seen as a crashed primary.
 */
int rdbd_primary(struct rdbd_device *dev, bool force,
		 struct netlink_ext_ack *extack)
{
	struct rdbd_backing *ldev = dev->ldev;
	enum rdbd_disk_state was = dev->disk_state;
	struct rdbd_md md;
	bool forced;
	int err;

	lockdep_assert_held(&dev->state_mutex);
	if (dev->role == RDBD_ROLE_PRIMARY)
		return 0;
	if (!ldev) {
		rdbd_extack(extack, dev->minor,
			    "no local disk; attach a backing device first ('rdbdadm attach')");
		return -ENOMEDIUM;
	}
	/* DRBD checks this first: a second Primary is refused even forced. */
	if (rdbd_connected(dev) &&
	    READ_ONCE(dev->conn.peer_role) == RDBD_ROLE_PRIMARY) {
		rdbd_extack(extack, dev->minor,
			    "Multiple primaries not allowed by config");
		return -EBUSY;
	}
	forced = was != RDBD_DISK_UPTODATE;
	if (forced && (!force || rdbd_cs_sync_target(dev->conn.cstate))) {
		/* A SyncTarget's data is being replaced: never, even forced. */
		rdbd_extack(extack, dev->minor,
			    "Need access to UpToDate data");
		return -ENODATA;
	}
	err = rdbd_fence_may_promote(dev, force, extack) ?:
	      rdbd_primary_ask_peer(dev, extack);
	if (err)
		return err;

	md = ldev->md;
	if (forced || (dev->conn.cstate < RDBD_CONN_CONNECTED &&
		       !md.uuid[RDBD_UUID_BITMAP]))
		rdbd_md_new_current_uuid(&md);
	md.uuid[RDBD_UUID_CURRENT] |= RDBD_UUID_PRIMARY_BIT;
	md.flags = rdbd_md_state_flags(md.flags, RDBD_ROLE_PRIMARY,
				       RDBD_DISK_UPTODATE);
	err = rdbd_md_write(dev, ldev, &md, extack);
	if (err) {
		rdbd_conn_send_state(dev);	/* the peer granted: undo */
		return err;
	}

	rdbd_set_role(dev, RDBD_ROLE_PRIMARY, RDBD_DISK_UPTODATE);
	if (forced)
		pr_notice("rdbd%u: forced Primary: %s data (%s) declared UpToDate\n",
			  dev->minor, rdbd_disk_state_name(was), ldev->path);
	pr_info("rdbd%u: Primary, current UUID %016llX\n", dev->minor,
		ldev->md.uuid[RDBD_UUID_CURRENT]);
	rdbd_conn_send_state(dev);
	if (rdbd_connected(dev) &&
	    READ_ONCE(dev->conn.peer_disk_state) <= RDBD_DISK_INCONSISTENT &&
	    dev->conn.cstate == RDBD_CONN_CONNECTED)
		rdbd_sync_source_begin_connected(dev, true);
	return RDBD_CHANGED;
}

/**
 * rdbd_secondary - SECONDARY: demote; refused while the device is open
 * @dev: the device (state_mutex held)
 * @extack: where to explain a refusal
 *
 * A clean demote also ends a crashed-primary episode: CRASHED_PRIMARY and
 * PRIMARY_IND are cleared on disk.  If that write fails the device stays
 * Primary.
 */
int rdbd_secondary(struct rdbd_device *dev, struct netlink_ext_ack *extack)
{
	struct rdbd_backing *ldev = dev->ldev;
	struct rdbd_md md;
	int err;

	lockdep_assert_held(&dev->state_mutex);
	if (dev->role != RDBD_ROLE_PRIMARY)
		return 0;
	if (!rdbd_try_leave_primary(dev)) {
		rdbd_extack(extack, dev->minor,
			    "Device is held open by someone");
		return -EBUSY;
	}
	if (ldev) {
		/* Marks made while Primary must outlive a later power cut. */
		err = rdbd_bm_write(dev, ldev);
		if (err) {
			rdbd_extack(extack, dev->minor,
				    "cannot write the bitmap to %s: %s",
				    ldev->path, rdbd_strerror(err));
			rdbd_set_role(dev, RDBD_ROLE_PRIMARY, dev->disk_state);
			return err;
		}
		md = ldev->md;
		md.uuid[RDBD_UUID_CURRENT] &= ~RDBD_UUID_PRIMARY_BIT;
		md.flags &= ~RDBD_MDF_CRASHED_PRIMARY;
		md.flags = rdbd_md_state_flags(md.flags, RDBD_ROLE_SECONDARY,
					       dev->disk_state);
		err = rdbd_md_write(dev, ldev, &md, extack);
		if (err) {
			rdbd_set_role(dev, RDBD_ROLE_PRIMARY, dev->disk_state);
			return err;
		}
	}
	pr_info("rdbd%u: Secondary\n", dev->minor);
	rdbd_fence_demoted(dev);
	rdbd_conn_send_state(dev);
	return RDBD_CHANGED;
}

/**
 * rdbd_down - take a device down before DEL_MINOR removes it
 * @dev: the device (state_mutex held)
 * @extack: where to explain a refusal
 *
 * Demote (as DRBD's "down" does, first: it is the only step that can fail,
 * so a failure leaves the device untouched), disconnect, detach.
 * Returns 0 or a negative errno.
 */
int rdbd_down(struct rdbd_device *dev, struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&dev->state_mutex);
	/* First, as it drops state_mutex: removal frees what a drain uses. */
	if (rdbd_ioerr_wait_detached(dev)) {
		rdbd_extack(extack, dev->minor, "the device was removed meanwhile");
		return -ENODEV;
	}
	if (rdbd_dev_is_open(dev)) {
		rdbd_extack(extack, dev->minor,
			    "device is in use (mounted?); unmount it first");
		return -EBUSY;
	}
	err = rdbd_secondary(dev, extack);
	if (err < 0)
		return err;
	rdbd_disconnect(dev);
	if (dev->ldev)
		rdbd_detach_backing(dev);
	return 0;
}

/*
 * Module unload: nobody can have the device open (an opener pins the
 * module), and nobody can be told about a failure, so a failed demote is
 * only logged.  The superblock then still says Primary, and the next
 * attach treats the disk as a crashed primary: the safe reading.
 */
void rdbd_down_forced(struct rdbd_device *dev)
{
	lockdep_assert_held(&dev->state_mutex);
	rdbd_ioerr_wait_detached(dev);	/* netlink is gone: not removed */
	if (rdbd_secondary(dev, NULL) < 0) {
		pr_err("rdbd%u: could not record the demotion on disk; the next attach will see a crashed primary\n",
		       dev->minor);
		rdbd_set_role(dev, RDBD_ROLE_SECONDARY, dev->disk_state);
	}
	rdbd_disconnect(dev);
	if (dev->ldev)
		rdbd_detach_backing(dev);
}
