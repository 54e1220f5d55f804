// SPDX-License-Identifier: GPL-2.0
/*
 * Fencing: never let a node with old data become Primary (DRBD 8.4's
 * `disk { fencing ...; }` and the fence-peer handler).
 *
 * The problem
 * ===========
 * Cut only the replication link of a connected pair.  The Primary goes on
 * writing; the Secondary still calls its disk UpToDate.  If the Primary
 * then dies, the failover manager promotes the Secondary, and the service
 * comes back with data from before the cut: acknowledged writes are gone.
 * Fencing closes this hole by making sure the peer is *outdated* (its
 * disk marked Outdated, which refuses promotion) before a Primary goes on
 * alone, and before a disconnected node makes itself Primary.
 *
 * Policies (RDBD_DISK_FENCING)
 * ============================
 *   dont-care             nothing here happens (DRBD's default).
 *   resource-only         a Primary that loses its peer runs the
 *                         fence-peer handler; application I/O goes on
 *                         meanwhile.  A disconnected promotion runs it
 *                         first and is refused unless the peer is outdated.
 *   resource-and-stonith  as resource-only, and the Primary's application
 *                         I/O is frozen from the moment the peer is lost
 *                         until the handler reports the peer outdated
 *                         (or fenced), the connection comes back, or the
 *                         administrator runs `rdbdadm resume-io`.
 *
 * The handler's answer is its exit code (helper.c passes it on as is),
 * DRBD's contract:
 *   3  the peer's disk is Inconsistent      \
 *   4  the peer's disk is now Outdated       > the peer is outdated
 *   7  the peer was fenced (STONITH)        /
 *   5  the peer is unreachable: outdated only if this disk is UpToDate
 *      (the peer cannot have newer data than an UpToDate disk)
 *   6  the peer is Primary: a promoting Secondary outdates its own disk
 *      and refuses; a Primary logs the split brain
 *   anything else (a failing handler, none configured): unknown
 * A result is ignored if the connection came back while the handler ran.
 *
 * A graceful DISCONNECT (or down) of a Secondary whose peer is a
 * connected Primary outdates the Secondary's own disk first, and tells
 * the peer, which records it without running a handler: the Secondary
 * knows it will miss the Primary's next writes (DRBD does the same).
 * Without this, a Secondary shut down cleanly would come back UpToDate
 * and could be promoted with old data if the Primary died before they
 * reconnect.
 *
 * "Outdated" is remembered in the superblock as RDBD_MDF_PEER_OUT_DATED
 * (DRBD's PEER_OUT_DATED), so a node that restarts knows it may promote
 * without asking again; the flag is cleared when the peers connect.
 * While disconnected, status shows the peer's disk as Outdated then.
 *
 * Worked example (resource-and-stonith, rdbd-heartbeat fence-peer):
 *
 *   corman (Primary)                          rabius (Secondary)
 *   replication link cut; PingAck timeout     PingAck timeout
 *   freeze: writes held, new I/O waits
 *   fence-peer --heartbeat links-->           rdbdadm outdate r0: Outdated
 *   exit 4: PEER_OUT_DATED on disk, thaw
 *   writes go on, marked out of sync
 *   -- power cut --
 *                                             deadtime: corman dead
 *                                             rdbddisk start: primary r0
 *                                             refused: disk Outdated
 *
 * Contexts and locks
 * ==================
 * A Primary's fence runs as dev->fence.work on the helpers' workqueue
 * (helper.c: nothing in the I/O path waits for it).  It takes state_mutex
 * only around its decisions, never while the handler runs.  A promotion
 * (netlink, state_mutex held) drops state_mutex while its handler runs
 * and re-checks everything after; rdbd_primary() then decides.
 *
 * The freeze is dev->fence.frozen (req_lock).  New bios wait in
 * submit_bio while it is set; writes that complete while it is set
 * (among them every write the peer missed: the connection's teardown
 * freezes before it completes the writes pending at the peer) are held
 * on dev->fence.held and completed at the thaw.  Reads complete.
 * A send that fails (sender.c) counts as losing the peer at once, before
 * the writes that did not go out complete.
 */
#include "rdbd_int.h"

static const char *rdbd_fencing_name(u8 policy)
{
	switch (policy) {
	case RDBD_FENCING_RESOURCE_ONLY:
		return "resource-only";
	case RDBD_FENCING_RESOURCE_AND_STONITH:
		return "resource-and-stonith";
	default:
		return "dont-care";
	}
}

static u8 rdbd_fencing(struct rdbd_device *dev)
{
	return READ_ONCE(dev->disk_conf.fencing);
}

/* Recorded on disk: the peer is known Outdated.  state_mutex. */
static bool rdbd_fence_peer_outdated(struct rdbd_device *dev)
{
	lockdep_assert_held(&dev->state_mutex);
	return dev->ldev && (dev->ldev->md.flags & RDBD_MDF_PEER_OUT_DATED);
}

/* Record (or forget) that the peer is outdated.  state_mutex. */
static int rdbd_fence_record(struct rdbd_device *dev, bool outdated)
{
	struct rdbd_backing *ldev = dev->ldev;
	struct rdbd_md md;

	lockdep_assert_held(&dev->state_mutex);
	if (!ldev || rdbd_fence_peer_outdated(dev) == outdated)
		return 0;
	md = ldev->md;
	if (outdated)
		md.flags |= RDBD_MDF_PEER_OUT_DATED;
	else
		md.flags &= ~RDBD_MDF_PEER_OUT_DATED;
	return rdbd_md_write(dev, ldev, &md, NULL);
}

/* ---- the freeze ---- */

static void rdbd_fence_freeze(struct rdbd_device *dev)
{
	spin_lock_irq(&dev->req_lock);
	dev->fence.frozen = true;
	spin_unlock_irq(&dev->req_lock);
	pr_warn("rdbd%u: peer lost: application I/O frozen until the peer is fenced (fencing resource-and-stonith)\n",
		dev->minor);
}

/* End the freeze: wake the waiting submitters, complete the held writes. */
static bool rdbd_fence_thaw(struct rdbd_device *dev, const char *why)
{
	struct bio_list held;
	struct bio *bio;
	bool was_frozen;

	spin_lock_irq(&dev->req_lock);
	was_frozen = dev->fence.frozen;
	dev->fence.frozen = false;
	held = dev->fence.held;
	bio_list_init(&dev->fence.held);
	spin_unlock_irq(&dev->req_lock);
	if (!was_frozen)
		return false;
	pr_notice("rdbd%u: application I/O resumed: %s\n", dev->minor, why);
	wake_up_all(&dev->fence.thaw_wait);
	while ((bio = bio_list_pop(&held)))
		bio_endio(bio);
	return true;
}

/**
 * rdbd_fence_wait_io - submit_bio: wait while application I/O is frozen
 * @dev: the device
 * @bio: the bio about to be submitted
 *
 * Returns false if @bio was ended instead (REQ_NOWAIT).
 */
bool rdbd_fence_wait_io(struct rdbd_device *dev, struct bio *bio)
{
	if (likely(!READ_ONCE(dev->fence.frozen)))
		return true;
	if (bio->bi_opf & REQ_NOWAIT) {
		bio_wouldblock_error(bio);
		return false;
	}
	wait_event(dev->fence.thaw_wait, !READ_ONCE(dev->fence.frozen));
	return true;
}

/**
 * rdbd_fence_endio - complete an application bio, or hold it if frozen
 * @dev: the device
 * @bio: the original bio, its status set
 *
 * Any context.  A write held here completes at the thaw.
 */
void rdbd_fence_endio(struct rdbd_device *dev, struct bio *bio)
{
	unsigned long flags;

	if (op_is_write(bio_op(bio)) && READ_ONCE(dev->fence.frozen)) {
		spin_lock_irqsave(&dev->req_lock, flags);
		if (dev->fence.frozen) {
			bio_list_add(&dev->fence.held, bio);
			spin_unlock_irqrestore(&dev->req_lock, flags);
			return;
		}
		spin_unlock_irqrestore(&dev->req_lock, flags);
	}
	bio_endio(bio);
}

/* ---- the handler's answer ---- */

enum rdbd_fence_outcome {
	RDBD_FENCE_UNKNOWN,		/* the peer may still have a say */
	RDBD_FENCE_PEER_OUTDATED,	/* it cannot take over */
	RDBD_FENCE_PEER_PRIMARY,	/* it is Primary already */
};

static enum rdbd_fence_outcome rdbd_fence_decode(struct rdbd_device *dev,
						 int exit)
{
	const char *what;
	enum rdbd_fence_outcome outcome = RDBD_FENCE_PEER_OUTDATED;

	switch (exit) {
	case 3:
		what = "the peer's disk is Inconsistent";
		break;
	case 4:
		what = "the peer's disk is Outdated";
		break;
	case 5:
		if (dev->disk_state == RDBD_DISK_UPTODATE) {
			what = "the peer is unreachable and this disk is UpToDate: counted as outdated";
		} else {
			what = "the peer is unreachable and this disk is not UpToDate: not counted as outdated";
			outcome = RDBD_FENCE_UNKNOWN;
		}
		break;
	case 6:
		what = "the peer is Primary";
		outcome = RDBD_FENCE_PEER_PRIMARY;
		break;
	case 7:
		what = "the peer was fenced";
		break;
	default:
		what = "not a fencing result (3, 4, 5, 6 or 7): the peer's state is unknown";
		outcome = RDBD_FENCE_UNKNOWN;
	}
	pr_notice("rdbd%u: fence-peer handler exit code %d: %s\n",
		  dev->minor, exit, what);
	return outcome;
}

/* Apply @exit; state_mutex held, not connected. */
static enum rdbd_fence_outcome rdbd_fence_apply(struct rdbd_device *dev,
						int exit)
{
	enum rdbd_fence_outcome outcome = rdbd_fence_decode(dev, exit);

	lockdep_assert_held(&dev->state_mutex);
	if (outcome == RDBD_FENCE_PEER_OUTDATED &&
	    rdbd_fence_record(dev, true))
		pr_err("rdbd%u: could not record the outdated peer on disk\n",
		       dev->minor);
	return outcome;
}

/* ---- a Primary loses its peer ---- */

/*
 * Does a Primary without its peer still need the peer fenced?  The last
 * connection made is the one lost (no newer one: the epochs, not cstate,
 * which the teardown sets only after it queued this).  state_mutex.
 */
static bool rdbd_fence_needed_after_loss(struct rdbd_device *dev)
{
	return rdbd_fencing(dev) != RDBD_FENCING_DONT_CARE &&
	       dev->role == RDBD_ROLE_PRIMARY &&
	       READ_ONCE(dev->fence.lost_epoch) == dev->fence.epoch &&
	       !rdbd_fence_peer_outdated(dev);
}

/* One handler run for the current disconnection.  state_mutex held. */
static void rdbd_fence_after_loss(struct rdbd_device *dev)
{
	char peer[sizeof(dev->conn.net_conf.peer_name)];
	enum rdbd_fence_outcome outcome;
	u32 epoch;
	int exit;

	for (;;) {
		if (!rdbd_fence_needed_after_loss(dev))
			break;
		epoch = dev->fence.epoch;
		strscpy(peer, dev->conn.net_conf.peer_name, sizeof(peer));
		mutex_unlock(&dev->state_mutex);
		exit = rdbd_helper_run(dev, "fence-peer", peer);
		mutex_lock(&dev->state_mutex);
		if (dev->removed)
			return;
		if (epoch != dev->fence.epoch) {
			/* Connected and lost again: that answer is old. */
			if (READ_ONCE(dev->fence.lost_epoch) == dev->fence.epoch)
				continue;
			pr_info("rdbd%u: fence-peer result ignored: connected to the peer again\n",
				dev->minor);
			break;
		}
		outcome = rdbd_fence_apply(dev, exit);
		if (outcome == RDBD_FENCE_PEER_PRIMARY)
			pr_crit("rdbd%u: split brain: both nodes are Primary\n",
				dev->minor);
		if (outcome == RDBD_FENCE_PEER_OUTDATED)
			break;
		if (rdbd_fencing(dev) == RDBD_FENCING_RESOURCE_AND_STONITH &&
		    READ_ONCE(dev->fence.frozen)) {
			pr_warn("rdbd%u: application I/O stays frozen until the peer is fenced, the connection is back, or 'rdbdadm resume-io %s'\n",
				dev->minor, dev->name);
			rdbd_nl_notify_state(dev);
			return;
		}
		pr_warn("rdbd%u: the peer was not fenced; going on without it (fencing resource-only)\n",
			dev->minor);
		break;
	}
	if (rdbd_fence_thaw(dev, rdbd_fence_peer_outdated(dev) ?
			    "the peer is outdated" : "no fencing needed"))
		rdbd_nl_notify_state(dev);
}

static void rdbd_fence_work(struct work_struct *work)
{
	struct rdbd_device *dev = container_of(work, struct rdbd_device,
					       fence.work);

	mutex_lock(&dev->state_mutex);
	/* The peer left Outdated (it disconnected gracefully). */
	if (!dev->removed && READ_ONCE(dev->fence.peer_left_outdated) &&
	    READ_ONCE(dev->fence.lost_epoch) == dev->fence.epoch) {
		WRITE_ONCE(dev->fence.peer_left_outdated, false);
		if (!rdbd_fence_record(dev, true))
			pr_info("rdbd%u: the peer left with its disk Outdated: recorded\n",
				dev->minor);
	}
	if (!dev->removed)
		rdbd_fence_after_loss(dev);
	spin_lock_irq(&dev->req_lock);
	dev->fence.running = false;
	spin_unlock_irq(&dev->req_lock);
	if (!dev->removed)
		rdbd_nl_notify_state(dev);
	mutex_unlock(&dev->state_mutex);
	rdbd_dev_put(dev);
}

/**
 * rdbd_fence_conn_lost - a connection is being torn down
 * @dev: the device
 * @why: the state it fails through; WFReportParams: never established
 *
 * Called by the connection's teardown before it completes the writes
 * pending at the peer, so that a freeze holds them.  Does not block.
 */
void rdbd_fence_conn_lost(struct rdbd_device *dev, enum rdbd_conn_state why)
{
	u8 policy = rdbd_fencing(dev);
	bool queue;

	enum rdbd_disk_state peer_disk = READ_ONCE(dev->conn.peer_disk_state);

	if (why == RDBD_CONN_WF_REPORT_PARAMS ||
	    policy == RDBD_FENCING_DONT_CARE ||
	    READ_ONCE(dev->role) != RDBD_ROLE_PRIMARY)
		return;
	/* An Inconsistent or diskless peer cannot take over anyway. */
	if (peer_disk < RDBD_DISK_OUTDATED)
		return;
	WRITE_ONCE(dev->fence.lost_epoch, dev->fence.epoch);
	if (peer_disk == RDBD_DISK_OUTDATED)
		WRITE_ONCE(dev->fence.peer_left_outdated, true);
	else if (policy == RDBD_FENCING_RESOURCE_AND_STONITH)
		rdbd_fence_freeze(dev);
	spin_lock_irq(&dev->req_lock);
	queue = !dev->fence.running;
	dev->fence.running = true;
	spin_unlock_irq(&dev->req_lock);
	/* A running fence notices the new loss by the epoch. */
	if (!queue)
		return;
	kref_get(&dev->kref);
	rdbd_helper_queue(&dev->fence.work);
	rdbd_notify_later(dev);
}

/**
 * rdbd_fence_connected - the peers are connected again (state_mutex held)
 * @dev: the device
 *
 * Ends a freeze (the resync brings the peer up to date, and the peer is
 * not UpToDate until it ends) and forgets that the peer was outdated.
 */
void rdbd_fence_connected(struct rdbd_device *dev)
{
	lockdep_assert_held(&dev->state_mutex);
	dev->fence.epoch++;
	rdbd_fence_thaw(dev, "connected to the peer again");
	rdbd_fence_record(dev, false);
}

/**
 * rdbd_fence_before_disconnect - DISCONNECT or down, before the link goes
 * @dev: the device (state_mutex held)
 *
 * A Secondary leaving a connected Primary outdates its own disk and says
 * so (see the top).  A failure to write the metadata is logged; the
 * disconnect goes on (the Primary then fences as after any loss).
 */
void rdbd_fence_before_disconnect(struct rdbd_device *dev)
{
	lockdep_assert_held(&dev->state_mutex);
	if (rdbd_fencing(dev) == RDBD_FENCING_DONT_CARE ||
	    dev->role == RDBD_ROLE_PRIMARY || !dev->ldev ||
	    !rdbd_connected(dev) ||
	    READ_ONCE(dev->conn.peer_role) != RDBD_ROLE_PRIMARY ||
	    dev->disk_state < RDBD_DISK_CONSISTENT)
		return;
	if (rdbd_inv_set_disk(dev, RDBD_DISK_OUTDATED, NULL)) {
		pr_err("rdbd%u: could not outdate this disk before disconnecting from the Primary\n",
		       dev->minor);
		return;
	}
	pr_notice("rdbd%u: disconnecting from a Primary: this disk is Outdated until the next resync\n",
		  dev->minor);
	rdbd_conn_send_state(dev);
}

/* ---- promotion ---- */

/* Does promoting now need the peer fenced first?  state_mutex. */
static bool rdbd_fence_promotion_needs_fence(struct rdbd_device *dev,
					     bool force)
{
	return rdbd_fencing(dev) != RDBD_FENCING_DONT_CARE &&
	       dev->role != RDBD_ROLE_PRIMARY && dev->ldev &&
	       dev->conn.cstate < RDBD_CONN_WF_REPORT_PARAMS &&
	       !rdbd_fence_peer_outdated(dev) &&
	       (force || dev->disk_state == RDBD_DISK_UPTODATE);
}

/**
 * rdbd_fence_before_primary - fence the peer before a disconnected promotion
 * @dev: the device; state_mutex held, dropped while the handler runs
 * @force: the promotion is forced
 * @extack: where to explain a refusal
 *
 * Runs fence-peer when the promotion needs it; rdbd_primary() then
 * re-checks everything (rdbd_fence_may_promote()).  Returns 0, or a
 * negative errno: -EBUSY if the peer is Primary (this disk is Outdated
 * now), -ENODEV if the device went away meanwhile.
 */
int rdbd_fence_before_primary(struct rdbd_device *dev, bool force,
			      struct netlink_ext_ack *extack)
{
	char peer[sizeof(dev->conn.net_conf.peer_name)];
	enum rdbd_fence_outcome outcome;
	int exit;

	lockdep_assert_held(&dev->state_mutex);
	if (!rdbd_fence_promotion_needs_fence(dev, force))
		return 0;
	pr_info("rdbd%u: promotion while disconnected (fencing %s): asking fence-peer to outdate the peer\n",
		dev->minor, rdbd_fencing_name(rdbd_fencing(dev)));
	strscpy(peer, dev->conn.net_conf.peer_name, sizeof(peer));
	mutex_unlock(&dev->state_mutex);
	exit = rdbd_helper_run(dev, "fence-peer", peer);
	mutex_lock(&dev->state_mutex);
	if (dev->removed) {
		rdbd_extack(extack, dev->minor, "the device was removed");
		return -ENODEV;
	}
	if (rdbd_connected(dev)) {
		pr_info("rdbd%u: fence-peer result ignored: connected to the peer again\n",
			dev->minor);
		return 0;
	}
	outcome = rdbd_fence_apply(dev, exit);
	if (outcome != RDBD_FENCE_PEER_PRIMARY)
		return 0;
	if (dev->role != RDBD_ROLE_PRIMARY && dev->ldev &&
	    dev->disk_state > RDBD_DISK_OUTDATED)
		rdbd_inv_set_disk(dev, RDBD_DISK_OUTDATED, NULL);
	rdbd_extack(extack, dev->minor,
		    "the peer is Primary (fence-peer exit code 6): this disk is %s now; refusing to be Primary",
		    rdbd_disk_state_name(dev->disk_state));
	return -EBUSY;
}

/**
 * rdbd_fence_may_promote - the last check of a promotion (state_mutex held)
 * @dev: the device
 * @force: the promotion is forced: allowed, with a warning
 * @extack: where to explain a refusal
 */
int rdbd_fence_may_promote(struct rdbd_device *dev, bool force,
			   struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&dev->state_mutex);
	/* A peer on the line (even mid-handshake) is asked instead. */
	if (rdbd_fencing(dev) == RDBD_FENCING_DONT_CARE ||
	    dev->conn.cstate >= RDBD_CONN_WF_REPORT_PARAMS ||
	    rdbd_fence_peer_outdated(dev))
		return 0;
	if (force) {
		pr_warn("rdbd%u: Forced into split brain situation! (promoted while the peer is not outdated)\n",
			dev->minor);
		return 0;
	}
	rdbd_extack(extack, dev->minor,
		    "Refusing to be Primary while peer is not outdated (fencing %s: the fence-peer handler did not outdate it; see the kernel log)",
		    rdbd_fencing_name(rdbd_fencing(dev)));
	return -EPERM;
}

/* ---- administration and status ---- */

/* RESUME_IO (state_mutex held). */
int rdbd_fence_resume_io(struct rdbd_device *dev,
			 struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&dev->state_mutex);
	if (!rdbd_fence_thaw(dev, "by the administrator ('rdbdadm resume-io'); the peer may not be fenced"))
		return 0;
	return RDBD_CHANGED;
}

/* A Primary demoted: nothing of it can be frozen any more. */
void rdbd_fence_demoted(struct rdbd_device *dev)
{
	rdbd_fence_thaw(dev, "no longer Primary");
}

/* The peer's disk as status shows it while not connected.  state_mutex. */
enum rdbd_disk_state rdbd_fence_peer_disk(struct rdbd_device *dev)
{
	return rdbd_fence_peer_outdated(dev) ? RDBD_DISK_OUTDATED :
					       RDBD_DISK_DUNKNOWN;
}

int rdbd_fence_put_status(struct rdbd_device *dev, struct sk_buff *skb)
{
	bool frozen, running;

	spin_lock_irq(&dev->req_lock);
	frozen = dev->fence.frozen;
	running = dev->fence.running;
	spin_unlock_irq(&dev->req_lock);
	if (nla_put_u8(skb, RDBD_STATUS_FENCING, rdbd_fencing(dev)) ||
	    nla_put_u8(skb, RDBD_STATUS_SUSPENDED, frozen) ||
	    nla_put_u8(skb, RDBD_STATUS_FENCING_PEER, running))
		return -EMSGSIZE;
	return 0;
}

void rdbd_fence_init(struct rdbd_device *dev)
{
	bio_list_init(&dev->fence.held);
	init_waitqueue_head(&dev->fence.thaw_wait);
	INIT_WORK(&dev->fence.work, rdbd_fence_work);
}
