// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake on a new TCP connection (order in <rdbd/wire.h>):
 * HELLO, optional challenge-response authentication, then PARAMS and
 * UUIDS, after which both sides reach the same decision from the same
 * facts (decide.c): Connected, a sync in one direction, or a refusal.
 *
 * Every step has a deadline (connect-int; the bitmap one that grows with
 * the bitmap's size), so a silent or trickling peer cannot hold the
 * connection thread.  A refusal returns -EPROTO (drop, retry at the next
 * connect-int) or -EPERM (fatal: go StandAlone), with the reason logged
 * and recorded as the last error.  Whatever an unauthenticated peer says
 * (a protocol version, an authentication mismatch) is at most -EPROTO:
 * anyone who can reach the port could say it, and one such connection
 * must not leave the node StandAlone.
 *
 * Who waits for whom.  Application writes wait only from the moment the
 * peer is authenticated (WFReportParams), until the decision is acted
 * upon.  state_mutex is never held across a network receive: the
 * handshake reads this node's facts under it once (struct rdbd_hs_self),
 * exchanges and decides without it, and takes it again to act, after
 * checking that nothing changed meanwhile (else it drops the connection
 * and tries again).  Netlink commands that would change those facts
 * wait until the handshake is over (nl.c).  The backing disk is pinned
 * while the bitmaps move, so an I/O-error detach waits for the exchange.
 */
#include <linux/random.h>
#include <linux/slab.h>

#include "handshake.h"

unsigned long rdbd_hs_deadline(struct rdbd_device *dev)
{
	return jiffies + msecs_to_jiffies(dev->conn.net_conf.connect_int_ms);
}

/* ---- HELLO ---- */

static int rdbd_hs_hello(struct rdbd_device *dev, struct rdbd_packet *pkt)
{
	struct rdbd_connection *conn = &dev->conn;
	const struct rdbd_net_conf *conf = &conn->net_conf;
	bool auth = conf->hmac_alg[0];
	struct rdbd_p_hello *h;
	u32 min, max;
	bool peer_auth;
	int err;

	h = kzalloc(sizeof(*h), GFP_NOIO);
	if (!h)
		return -ENOMEM;
	h->protocol_min = cpu_to_be32(RDBD_WIRE_PROTO_MIN);
	h->protocol_max = cpu_to_be32(RDBD_WIRE_PROTO_MAX);
	h->features = cpu_to_be64(RDBD_FEAT_ALL);
	h->flags = cpu_to_be32(auth ? RDBD_HELLO_F_AUTH : 0);
	/* the name as the peer sees it (63 characters at most) is the one
	 * our authentication response binds */
	strscpy(conn->my_node, utsname()->nodename, sizeof(conn->my_node));
	strscpy(h->node_name, conn->my_node, sizeof(h->node_name));
	strscpy(h->res_name, dev->name, sizeof(h->res_name));
	err = rdbd_send_packet(dev, RDBD_P_HELLO, h, sizeof(*h));
	kfree(h);
	if (!err)
		err = rdbd_recv_expect(dev, pkt, RDBD_P_HELLO,
				       rdbd_hs_deadline(dev));
	if (err)
		return err;

	h = &pkt->u.hello;
	h->node_name[RDBD_WIRE_NAME_LEN - 1] = '\0';
	h->res_name[RDBD_WIRE_NAME_LEN - 1] = '\0';
	strscpy(conn->peer_node, h->node_name, sizeof(conn->peer_node));
	min = be32_to_cpu(h->protocol_min);
	max = be32_to_cpu(h->protocol_max);
	if (min > RDBD_WIRE_PROTO_MAX || max < RDBD_WIRE_PROTO_MIN ||
	    min > max) {
		rdbd_conn_error(dev, "peer speaks protocol versions %u-%u, this node %u-%u; dropping connection",
				min, max, RDBD_WIRE_PROTO_MIN,
				RDBD_WIRE_PROTO_MAX);
		return -EPROTO;
	}
	if (conf->peer_name[0] &&
	    strncmp(h->node_name, conf->peer_name, RDBD_WIRE_NAME_LEN - 1)) {
		rdbd_conn_error(dev, "peer is '%.64s', not the configured peer '%s'; dropping connection",
				h->node_name, conf->peer_name);
		return -EPROTO;
	}
	if (strcmp(h->res_name, dev->name)) {
		rdbd_conn_error(dev, "peer connected for resource '%.64s', this is '%s'; dropping connection",
				h->res_name, dev->name);
		return -EPROTO;
	}
	WRITE_ONCE(conn->features, be64_to_cpu(h->features) & RDBD_FEAT_ALL);
	peer_auth = be32_to_cpu(h->flags) & RDBD_HELLO_F_AUTH;
	if (peer_auth != auth) {
		rdbd_conn_error(dev, "authentication of peer failed: %s uses cram-hmac-alg, %s does not",
				auth ? "this node" : "the peer",
				auth ? "the peer" : "this node");
		return -EPROTO;
	}
	return 0;
}

/* ---- this node's facts ---- */

/*
 * Read this node's facts and pin its disk (state_mutex held, entering
 * WFReportParams).  rdbd_hs_unpin() lets go of the disk.
 */
static void rdbd_hs_snapshot(struct rdbd_device *dev,
			     struct rdbd_hs_self *self)
{
	lockdep_assert_held(&dev->state_mutex);
	memset(self, 0, sizeof(*self));
	self->role = dev->role;
	self->disk_state = dev->disk_state;
	self->discard_my_data = dev->conn.discard_my_data;
	self->ldev = rdbd_io_get_backing(dev);
	if (!self->ldev) {	/* a Diskless Primary: the data it serves */
		self->uuid[RDBD_UUID_CURRENT] = rdbd_ioerr_served_uuid(dev);
		return;
	}
	memcpy(self->uuid, self->ldev->md.uuid, sizeof(self->uuid));
	self->md_flags = self->ldev->md.flags;
	self->bits = rdbd_bm_weight(dev, self->ldev);
	self->data_bytes = self->ldev->layout.data_bytes;
}

static void rdbd_hs_unpin(struct rdbd_device *dev, struct rdbd_hs_self *self)
{
	if (self->ldev)
		rdbd_io_put_backing(dev, REQ_OP_READ, 0, BLK_STS_OK);
}

/* Does the device still match @self?  state_mutex held. */
static bool rdbd_hs_unchanged(struct rdbd_device *dev,
			      const struct rdbd_hs_self *self)
{
	lockdep_assert_held(&dev->state_mutex);
	if (dev->ldev != self->ldev || dev->role != self->role ||
	    dev->disk_state != self->disk_state)
		return false;
	return !self->ldev ||
	       (!memcmp(self->uuid, dev->ldev->md.uuid, sizeof(self->uuid)) &&
		self->md_flags == dev->ldev->md.flags);
}

/* ---- PARAMS and UUIDS ---- */

static int rdbd_hs_send_facts(struct rdbd_device *dev,
			      const struct rdbd_hs_self *self)
{
	struct rdbd_p_params params = {};
	struct rdbd_p_uuids uuids = {};
	int i, err;

	params.protocol = dev->conn.net_conf.protocol;
	params.data_bytes = cpu_to_be64(self->data_bytes);
	err = rdbd_send_packet(dev, RDBD_P_PARAMS, &params, sizeof(params));
	if (err)
		return err;
	for (i = 0; i < RDBD_UUID_SLOTS; i++)
		uuids.uuid[i] = cpu_to_be64(self->uuid[i]);
	if (self->disk_state <= RDBD_DISK_INCONSISTENT)
		uuids.flags |= cpu_to_be32(RDBD_UUID_F_INCONSISTENT);
	if (self->md_flags & RDBD_MDF_CRASHED_PRIMARY)
		uuids.flags |= cpu_to_be32(RDBD_UUID_F_CRASHED_PRIMARY);
	if (self->discard_my_data)
		uuids.flags |= cpu_to_be32(RDBD_UUID_F_DISCARD_MY_DATA);
	uuids.bits_set = cpu_to_be64(self->bits);
	uuids.role = self->role;
	uuids.disk_state = self->disk_state;
	return rdbd_send_packet(dev, RDBD_P_UUIDS, &uuids, sizeof(uuids));
}

static int rdbd_hs_recv_facts(struct rdbd_device *dev,
			      struct rdbd_packet *pkt,
			      struct rdbd_peer_facts *peer)
{
	unsigned long deadline = rdbd_hs_deadline(dev);
	int i, err;

	err = rdbd_recv_expect(dev, pkt, RDBD_P_PARAMS, deadline);
	if (err)
		return err;
	peer->data_bytes = be64_to_cpu(pkt->u.params.data_bytes);
	peer->protocol = pkt->u.params.protocol;
	err = rdbd_recv_expect(dev, pkt, RDBD_P_UUIDS, deadline);
	if (err)
		return err;
	for (i = 0; i < RDBD_UUID_SLOTS; i++)
		peer->uuid[i] = be64_to_cpu(pkt->u.uuids.uuid[i]);
	peer->flags = be32_to_cpu(pkt->u.uuids.flags);
	peer->bits_set = be64_to_cpu(pkt->u.uuids.bits_set);
	peer->role = pkt->u.uuids.role;
	peer->disk_state = pkt->u.uuids.disk_state;
	if (peer->role != RDBD_ROLE_PRIMARY)
		peer->role = RDBD_ROLE_SECONDARY;
	if (peer->disk_state > RDBD_DISK_UPTODATE ||
	    peer->disk_state == RDBD_DISK_DUNKNOWN) {
		rdbd_conn_error(dev, "peer sent disk state %u; dropping connection",
				peer->disk_state);
		return -EPROTO;
	}
	/* a data area is whole 4 KiB blocks and fits a sector count */
	if (peer->data_bytes % RDBD_BM_BLOCK_BYTES ||
	    peer->data_bytes > (U64_MAX >> (SECTOR_SHIFT + 1))) {
		rdbd_conn_error(dev, "peer sent a data size of %llu bytes; dropping connection",
				peer->data_bytes);
		return -EPROTO;
	}
	return 0;
}

/* Refusals that do not depend on the data: protocol, roles, disks. */
static int rdbd_hs_check_peer(struct rdbd_device *dev,
			      const struct rdbd_hs_self *self,
			      const struct rdbd_peer_facts *peer)
{
	u8 protocol = dev->conn.net_conf.protocol;

	if (peer->protocol != protocol) {
		rdbd_conn_error(dev, "incompatible communication protocols: this node uses protocol %c, the peer %c",
				'A' + protocol - 1,
				peer->protocol >= RDBD_PROT_A &&
				peer->protocol <= RDBD_PROT_C ?
				'A' + peer->protocol - 1 : '?');
		return -EPERM;
	}
	return 0;
}

/* Is one side Diskless (a Primary whose disk failed, ioerr.c)? */
static bool rdbd_hs_diskless(const struct rdbd_hs_self *self,
			     const struct rdbd_peer_facts *peer)
{
	return !self->ldev || !peer->data_bytes ||
	       peer->disk_state < RDBD_DISK_INCONSISTENT;
}

/* ---- bitmaps ---- */

/*
 * How long the peer may take to send its whole bitmap: connect-int, plus
 * a second per 64 blocks (8 GiB of data each), so a large bitmap gets its
 * time and a trickle of packets cannot hold the handshake for ever.
 */
static unsigned long rdbd_hs_bitmap_deadline(struct rdbd_device *dev,
					     u64 blocks)
{
	return rdbd_hs_deadline(dev) + (unsigned long)(blocks / 64 + 1) * HZ;
}

/*
 * One BITMAP packet of the peer: a block of its bitmap after the last
 * one (@next: the lowest offset allowed), inside its bitmap area.
 */
static int rdbd_hs_bitmap_block(struct rdbd_device *dev,
				const struct rdbd_p_bitmap *p, u64 blocks,
				u64 *next, u64 *bits)
{
	u64 offset = be64_to_cpu(p->offset);

	if (offset % RDBD_WIRE_BITMAP_BLOCK || offset < *next ||
	    offset / RDBD_WIRE_BITMAP_BLOCK >= blocks) {
		rdbd_conn_error(dev, "peer sent bitmap block %llu out of order or past its %llu blocks; dropping connection",
				offset / RDBD_WIRE_BITMAP_BLOCK, blocks);
		return -EPROTO;
	}
	*next = offset + RDBD_WIRE_BITMAP_BLOCK;
	*bits += bitmap_weight((const unsigned long *)p->bits,
			       RDBD_WIRE_BITMAP_BLOCK * BITS_PER_BYTE);
	return rdbd_bm_merge(dev, p);
}

/*
 * The peer's bitmap, up to its BITMAP_DONE, ORed into ours.  Its blocks
 * come in ascending order, each at most once, within the bitmap of its
 * data size, and BITMAP_DONE must count the bits they carried.
 */
static int rdbd_hs_recv_bitmap(struct rdbd_device *dev,
			       struct rdbd_packet *pkt,
			       const struct rdbd_peer_facts *peer)
{
	u64 blocks = DIV_ROUND_UP(peer->data_bytes / RDBD_BM_BLOCK_BYTES,
				  RDBD_WIRE_BITMAP_BLOCK * BITS_PER_BYTE);
	unsigned long start = jiffies;
	unsigned long deadline = rdbd_hs_bitmap_deadline(dev, blocks);
	u64 next = 0, bits = 0;
	u32 flags;
	int err;

	for (;;) {
		err = rdbd_recv_packet(dev, pkt, deadline);
		if (err == -ETIMEDOUT) {
			rdbd_conn_error(dev, "peer did not send its bitmap of %llu blocks within %u ms; dropping connection",
					blocks, jiffies_to_msecs(deadline -
								 start));
			return -EPROTO;
		}
		if (err)
			return err;
		if (pkt->cmd == RDBD_P_BITMAP) {
			err = rdbd_hs_bitmap_block(dev, &pkt->u.bitmap, blocks,
						   &next, &bits);
			if (err)
				return err;
			continue;
		}
		if (pkt->cmd != RDBD_P_BITMAP_DONE) {
			rdbd_conn_error(dev, "peer sent packet 0x%04x instead of its bitmap; dropping connection",
					pkt->cmd);
			return -EPROTO;
		}
		flags = be32_to_cpu(pkt->u.bitmap_done.flags);
		if (!(flags & RDBD_BITMAP_F_ALL) &&
		    be64_to_cpu(pkt->u.bitmap_done.bits_set) != bits) {
			rdbd_conn_error(dev, "peer counted %llu bits in its bitmap, but sent %llu; dropping connection",
					be64_to_cpu(pkt->u.bitmap_done.bits_set),
					bits);
			return -EPROTO;
		}
		return rdbd_bm_got_done(dev, &pkt->u.bitmap_done);
	}
}

/*
 * Both sides send their bitmap and OR in the peer's, so both sync the
 * union.  The dialer sends first and the other side receives first: the
 * sender sends one block at a time and waits for it to be in the socket,
 * and with both sending a large bitmap at once, both could wait on full
 * socket buffers with nobody reading.  The union is written to disk
 * before the sync starts (rdbd_hs_finish()), so a crash of either side
 * cannot forget a block.
 */
static int rdbd_hs_exchange_bitmaps(struct rdbd_device *dev,
				    const struct rdbd_hs_self *self,
				    const struct rdbd_peer_facts *peer,
				    struct rdbd_packet *pkt, bool full)
{
	int err;

	if (full)
		rdbd_bm_set_all(dev, self->ldev);
	if (dev->conn.we_dial) {
		err = rdbd_bm_send(dev, full);
		if (!err)
			err = rdbd_hs_recv_bitmap(dev, pkt, peer);
	} else {
		err = rdbd_hs_recv_bitmap(dev, pkt, peer);
		if (!err)
			err = rdbd_bm_send(dev, full);
	}
	if (err)
		return err;
	pr_info("rdbd%u: %s sync: %llu KiB out of sync\n", dev->minor,
		full ? "full" : "bitmap",
		rdbd_bm_weight(dev, self->ldev) * (RDBD_BM_BLOCK_BYTES >> 10));
	return 0;
}

/* ---- acting on the decision (state_mutex held) ---- */

/*
 * Expose the smaller of the two data areas; but never shrink a device
 * under its user: a Primary or an open device keeps its size, and the
 * connection is refused, as DRBD does.
 */
static int rdbd_hs_set_size(struct rdbd_device *dev, u64 peer_bytes)
{
	u64 bytes = min(dev->ldev->layout.data_bytes, peer_bytes);
	u64 now = get_capacity(dev->disk);

	lockdep_assert_held(&dev->state_mutex);
	if (now == bytes >> SECTOR_SHIFT)
		return 0;
	if ((bytes >> SECTOR_SHIFT) < now &&
	    (dev->role == RDBD_ROLE_PRIMARY || rdbd_dev_is_open(dev))) {
		rdbd_conn_error(dev, "The peer's disk size is too small: %llu KiB, and this device, %s, has %llu KiB in use; dropping connection",
				peer_bytes >> 10,
				dev->role == RDBD_ROLE_PRIMARY ? "Primary" :
				"open", now >> 1);
		return -EPERM;
	}
	pr_info("rdbd%u: size %llu KiB (the smaller of both disks)\n",
		dev->minor, bytes >> 10);
	set_capacity_and_notify(dev->disk, bytes >> SECTOR_SHIFT);
	return 0;
}

/* Both disks UpToDate and equal: a crashed-primary episode is over. */
static void rdbd_hs_clear_crashed(struct rdbd_device *dev,
				  const struct rdbd_peer_facts *peer)
{
	struct rdbd_md md = dev->ldev->md;

	if (!(md.flags & RDBD_MDF_CRASHED_PRIMARY) ||
	    dev->disk_state != RDBD_DISK_UPTODATE ||
	    peer->disk_state < RDBD_DISK_OUTDATED)
		return;
	md.flags &= ~RDBD_MDF_CRASHED_PRIMARY;
	rdbd_md_write(dev, dev->ldev, &md, NULL);
}

/*
 * Same generation as an UpToDate peer: an Outdated or Consistent disk is
 * UpToDate again (DRBD's rule on connect).
 */
static void rdbd_hs_same_data_uptodate(struct rdbd_device *dev,
				       const struct rdbd_peer_facts *peer)
{
	struct rdbd_md md = dev->ldev->md;

	if ((dev->disk_state != RDBD_DISK_OUTDATED &&
	     dev->disk_state != RDBD_DISK_CONSISTENT) ||
	    peer->disk_state != RDBD_DISK_UPTODATE)
		return;
	md.flags = rdbd_md_state_flags(md.flags, dev->role,
				       RDBD_DISK_UPTODATE);
	if (rdbd_md_write(dev, dev->ldev, &md, NULL))
		return;
	spin_lock_irq(&dev->req_lock);
	dev->disk_state = RDBD_DISK_UPTODATE;
	spin_unlock_irq(&dev->req_lock);
}

/* state_mutex again, if nothing changed since the snapshot. */
static int rdbd_hs_lock_unchanged(struct rdbd_device *dev,
				  const struct rdbd_hs_self *self)
{
	if (!rdbd_conn_lock_state(dev))
		return -EINTR;
	if (rdbd_hs_unchanged(dev, self))
		return 0;
	mutex_unlock(&dev->state_mutex);
	rdbd_conn_error(dev, "the role or the disk changed during the handshake; reconnecting");
	return -EAGAIN;
}

/* SyncSource: a new bitmap UUID, on disk before it goes out as SYNC_UUID. */
static int rdbd_hs_begin_source(struct rdbd_device *dev)
{
	struct rdbd_p_sync_uuid p = {};
	u64 uuid;
	int err;

	err = rdbd_bm_write(dev, dev->ldev);
	if (!err)
		err = rdbd_sync_new_bitmap_uuid(dev, &uuid);
	if (err)
		return err;
	p.uuid = cpu_to_be64(uuid);
	return rdbd_send_packet(dev, RDBD_P_SYNC_UUID, &p, sizeof(p));
}

/*
 * SyncTarget: the union on disk, then the source's SYNC_UUID, received
 * without state_mutex.  Returns with state_mutex held (0) or not.
 */
static int rdbd_hs_begin_target(struct rdbd_device *dev,
				const struct rdbd_hs_self *self,
				struct rdbd_packet *pkt)
{
	int err;

	err = rdbd_bm_write(dev, dev->ldev);
	mutex_unlock(&dev->state_mutex);
	if (!err)
		err = rdbd_recv_expect(dev, pkt, RDBD_P_SYNC_UUID,
				       rdbd_hs_deadline(dev));
	if (!err)
		err = rdbd_hs_lock_unchanged(dev, self);
	if (err)
		return err;
	err = rdbd_sync_target_begin(dev, be64_to_cpu(pkt->u.sync_uuid.uuid));
	if (err)
		mutex_unlock(&dev->state_mutex);
	return err;
}

/*
 * Act on @decision under state_mutex, if the device still matches the
 * facts it was made from.  Returns 0 (Connected or syncing) or an error.
 */
static int rdbd_hs_finish(struct rdbd_device *dev,
			  const struct rdbd_hs_self *self,
			  const struct rdbd_peer_facts *peer,
			  int decision, struct rdbd_packet *pkt)
{
	int err;

	err = rdbd_hs_lock_unchanged(dev, self);
	if (err)
		return err;
	if (decision == RDBD_HS_DISKLESS) {
		err = rdbd_ioerr_hs_diskless(dev, peer->role, peer->disk_state,
					     peer->uuid[RDBD_UUID_CURRENT],
					     peer->data_bytes);
		if (!err)
			rdbd_conn_established_state(dev, peer->role,
						    peer->disk_state,
						    false, false);
		goto out_unlock;
	}
	err = rdbd_hs_set_size(dev, peer->data_bytes);
	if (err)
		goto out_unlock;
	if (decision == RDBD_HS_CONNECTED) {
		rdbd_hs_clear_crashed(dev, peer);
		rdbd_hs_same_data_uptodate(dev, peer);
	} else if (decision == RDBD_HS_SYNC_SOURCE) {
		err = rdbd_hs_begin_source(dev);
	} else {
		err = rdbd_hs_begin_target(dev, self, pkt);
		if (err)
			return err;	/* state_mutex is not held */
	}
	if (!err)
		rdbd_conn_established_state(dev, peer->role, peer->disk_state,
					    decision == RDBD_HS_SYNC_SOURCE,
					    decision == RDBD_HS_SYNC_TARGET);
out_unlock:
	mutex_unlock(&dev->state_mutex);
	return err;
}

/*
 * PARAMS/UUIDS, the decision and the bitmaps: everything on the network,
 * without state_mutex.  Returns the decision or a negative errno.
 */
static int rdbd_hs_exchange(struct rdbd_device *dev,
			    const struct rdbd_hs_self *self,
			    struct rdbd_peer_facts *peer,
			    struct rdbd_packet *pkt)
{
	bool full = false;
	int decision, err;

	err = rdbd_hs_send_facts(dev, self);
	if (!err)
		err = rdbd_hs_recv_facts(dev, pkt, peer);
	if (!err)
		err = rdbd_hs_check_peer(dev, self, peer);
	if (err)
		return err;
	if (rdbd_hs_diskless(self, peer))	/* no data to compare */
		return RDBD_HS_DISKLESS;
	decision = rdbd_hs_decide(dev, self, peer, &full);
	if (decision < 0)
		return decision;
	if (self->role == RDBD_ROLE_PRIMARY && peer->role == RDBD_ROLE_PRIMARY) {
		rdbd_conn_error(dev, "both nodes are Primary: Multiple primaries not allowed by config");
		return -EPERM;
	}
	if (decision == RDBD_HS_SYNC_TARGET &&
	    self->role == RDBD_ROLE_PRIMARY) {
		rdbd_conn_error(dev, "I shall become SyncTarget, but I am primary!");
		return -EPERM;
	}
	if (decision != RDBD_HS_CONNECTED) {
		err = rdbd_hs_exchange_bitmaps(dev, self, peer, pkt, full);
		if (err)
			return err;
	}
	return decision;
}

/*
 * The peer is authenticated: writes wait from now on (WFReportParams),
 * and this node's facts are read, under state_mutex.
 */
static int rdbd_hs_enter_params(struct rdbd_device *dev,
				struct rdbd_hs_self *self)
{
	if (!rdbd_conn_lock_state(dev))
		return -EINTR;
	rdbd_set_cstate(dev, RDBD_CONN_WF_REPORT_PARAMS);
	rdbd_hs_snapshot(dev, self);
	mutex_unlock(&dev->state_mutex);
	return 0;
}

/**
 * rdbd_handshake - from a new TCP connection to Connected or syncing
 * @dev: the device; called by the connection thread
 *
 * Returns 0, -EPERM (refused for good: StandAlone), or another error
 * (drop this connection and try again).  On an error, cstate may be
 * WFReportParams (writes wait): the caller tears the connection down.
 */
int rdbd_handshake(struct rdbd_device *dev)
{
	struct rdbd_peer_facts peer;
	struct rdbd_hs_self self;
	struct rdbd_packet *pkt;
	int decision, err;

	pkt = kmalloc(sizeof(*pkt), GFP_NOIO);
	if (!pkt)
		return -ENOMEM;
	err = rdbd_hs_hello(dev, pkt);
	if (!err)
		err = rdbd_hs_auth(dev, pkt);
	if (!err)
		err = rdbd_hs_meta(dev, pkt);
	if (!err)
		err = rdbd_hs_enter_params(dev, &self);
	if (err)
		goto out_free;
	decision = rdbd_hs_exchange(dev, &self, &peer, pkt);
	/* the disk may go (I/O-error detach) once the bitmaps are through */
	rdbd_hs_unpin(dev, &self);
	err = decision < 0 ? decision :
	      rdbd_hs_finish(dev, &self, &peer, decision, pkt);
out_free:
	kfree(pkt);
	return err;
}
