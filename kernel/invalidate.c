// SPDX-License-Identifier: GPL-2.0
/*
 * OUTDATE, INVALIDATE and INVALIDATE_REMOTE: the administrator declares a
 * disk's data not to be trusted.
 *
 * outdate     UpToDate/Consistent -> Outdated, recorded on disk; such a
 *             disk is not promoted without --force.  Refused while
 *             connected (the peer would disagree) and on a Primary.
 * invalidate  every block of this disk out of sync, the disk
 *             Inconsistent: a full sync from the peer follows.  While
 *             connected the connection is dropped and re-established:
 *             the handshake then makes this node the target (an
 *             Inconsistent disk always is) with every bit set, so no
 *             extra protocol is needed.
 * invalidate-remote  asks the peer (INVALIDATE packet) to do the same.
 */
#include "rdbd_int.h"

/* Drop the connection from outside the connection thread; it redials. */
static void rdbd_inv_drop_connection(struct rdbd_device *dev)
{
	rdbd_conn_kill(dev);
}

/* Disk state under both locks, recorded in the superblock.  state_mutex. */
int rdbd_inv_set_disk(struct rdbd_device *dev,
			     enum rdbd_disk_state ds,
			     struct netlink_ext_ack *extack)
{
	struct rdbd_backing *ldev = dev->ldev;
	struct rdbd_md md = ldev->md;
	int err;

	lockdep_assert_held(&dev->state_mutex);
	md.flags = rdbd_md_state_flags(md.flags, dev->role, ds);
	err = rdbd_md_write(dev, ldev, &md, extack);
	if (err)
		return err;
	spin_lock_irq(&dev->req_lock);
	dev->disk_state = ds;
	spin_unlock_irq(&dev->req_lock);
	return 0;
}

/**
 * rdbd_outdate - OUTDATE
 * @dev: the device (state_mutex held)
 * @extack: where to explain a refusal
 */
int rdbd_outdate(struct rdbd_device *dev, struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&dev->state_mutex);
	if (!dev->ldev) {
		rdbd_extack(extack, dev->minor, "no local disk to outdate");
		return -ENOMEDIUM;
	}
	if (dev->disk_state == RDBD_DISK_OUTDATED)
		return 0;
	if (dev->conn.cstate >= RDBD_CONN_WF_REPORT_PARAMS) {
		rdbd_extack(extack, dev->minor,
			    "Refusing to be Outdated while Connected");
		return -EBUSY;
	}
	if (dev->role == RDBD_ROLE_PRIMARY) {
		rdbd_extack(extack, dev->minor,
			    "Refusing to outdate the disk of a Primary; run 'rdbdadm secondary' first");
		return -EBUSY;
	}
	if (dev->disk_state < RDBD_DISK_OUTDATED) {
		rdbd_extack(extack, dev->minor,
			    "Disk state is lower than outdated");
		return -EINVAL;
	}
	err = rdbd_inv_set_disk(dev, RDBD_DISK_OUTDATED, extack);
	if (err)
		return err;
	pr_info("rdbd%u: disk outdated by the administrator\n", dev->minor);
	return RDBD_CHANGED;
}

/* Mark everything and go Inconsistent (state_mutex held). */
static int rdbd_inv_local(struct rdbd_device *dev,
			  struct netlink_ext_ack *extack)
{
	struct rdbd_backing *ldev = dev->ldev;
	int err;

	rdbd_bm_set_all(dev, ldev);
	err = rdbd_bm_write(dev, ldev);
	if (!err)
		err = rdbd_inv_set_disk(dev, RDBD_DISK_INCONSISTENT, extack);
	if (err)
		return err;
	pr_notice("rdbd%u: disk invalidated: every block will be resynced from the peer\n",
		  dev->minor);
	return RDBD_CHANGED;
}

/* Why this node's disk may not be invalidated now, or 0. */
static int rdbd_inv_check(struct rdbd_device *dev,
			  struct netlink_ext_ack *extack)
{
	if (!dev->ldev) {
		rdbd_extack(extack, dev->minor, "no local disk to invalidate");
		return -ENOMEDIUM;
	}
	if (dev->role == RDBD_ROLE_PRIMARY) {
		rdbd_extack(extack, dev->minor,
			    "cannot invalidate the disk of a Primary: its data is what the device serves");
		return -EBUSY;
	}
	if (dev->conn.cstate > RDBD_CONN_CONNECTED ||
	    dev->conn.cstate == RDBD_CONN_WF_REPORT_PARAMS) {
		rdbd_extack(extack, dev->minor,
			    "In transient state, retry after next state change");
		return -EAGAIN;
	}
	return 0;
}

/**
 * rdbd_invalidate - INVALIDATE: a full sync towards this node
 * @dev: the device (state_mutex held)
 * @extack: where to explain a refusal
 */
int rdbd_invalidate(struct rdbd_device *dev, struct netlink_ext_ack *extack)
{
	int ret;

	lockdep_assert_held(&dev->state_mutex);
	ret = rdbd_inv_check(dev, extack);
	if (ret)
		return ret;
	ret = rdbd_inv_local(dev, extack);
	if (ret == RDBD_CHANGED && rdbd_connected(dev))
		rdbd_inv_drop_connection(dev);
	return ret;
}

/**
 * rdbd_invalidate_remote - INVALIDATE_REMOTE: a full sync to the peer
 * @dev: the device (state_mutex held), Connected
 * @extack: where to explain a refusal
 */
int rdbd_invalidate_remote(struct rdbd_device *dev,
			   struct netlink_ext_ack *extack)
{
	int err;

	lockdep_assert_held(&dev->state_mutex);
	if (dev->conn.cstate != RDBD_CONN_CONNECTED) {
		rdbd_extack(extack, dev->minor,
			    "invalidate-remote needs a Connected peer (not syncing)");
		return -ENOTCONN;
	}
	if (dev->disk_state != RDBD_DISK_UPTODATE) {
		rdbd_extack(extack, dev->minor,
			    "Need access to UpToDate data: this node would be the sync source");
		return -ENODATA;
	}
	if (READ_ONCE(dev->conn.peer_role) == RDBD_ROLE_PRIMARY) {
		rdbd_extack(extack, dev->minor,
			    "cannot invalidate the disk of the Primary peer");
		return -EBUSY;
	}
	err = rdbd_send_packet(dev, RDBD_P_INVALIDATE, NULL, 0);
	if (err) {
		rdbd_extack(extack, dev->minor, "cannot reach the peer: %s",
			    rdbd_strerror(err));
		return err;
	}
	pr_info("rdbd%u: asked the peer to invalidate its disk\n", dev->minor);
	return 0;
}

/*
 * INVALIDATE from the peer (receive loop): as a local invalidate; the
 * returned error drops the connection so the handshake starts the sync.
 */
int rdbd_inv_got_request(struct rdbd_device *dev)
{
	int ret;

	if (!rdbd_conn_lock_state(dev))
		return -EINTR;
	ret = rdbd_inv_check(dev, NULL);
	if (!ret)
		ret = rdbd_inv_local(dev, NULL);
	mutex_unlock(&dev->state_mutex);
	if (ret != RDBD_CHANGED) {
		rdbd_conn_error(dev, "peer asked to invalidate this disk, which cannot be done now");
		return 0;	/* the peer sees no sync start; nothing breaks */
	}
	rdbd_conn_error(dev, "invalidated at the peer's request: reconnecting to sync");
	return -ECONNRESET;
}
