// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake's decision (handshake.c runs the exchange): from this
 * node's facts, read when the handshake began, and the peer's, both sides
 * compute the same outcome: Connected, a bitmap or full sync in one
 * direction, or a refusal.  DRBD 8.4's rules: uuid_compare, then the
 * after-sb policies and --discard-my-data for a split brain.
 *
 * Nothing here reads the device's live state or the network: only the
 * snapshot (struct rdbd_hs_self), the peer's facts and the connection's
 * settings, which are constant while the connection thread runs.
 */
#include "handshake.h"

/*
 * DRBD 8.4's uuid_compare (rules in drbd84-semantics.md).  >0: I am the
 * sync source; <0: target; 0: in sync; +-2 full sync; +-1 bitmap sync;
 * 100/-100 split brain; -1000 unrelated.
 */
/*
 * Rules 40/41 with a crashed primary: equal UUIDs, but a node crashed
 * while Primary may hold writes the other never saw.  The node that is
 * Primary now is the source; else the crashed one; both crashed: the
 * dialing node (lower address), a tie-break both sides compute alike.
 */
static int rdbd_uuid_equal_crashed(struct rdbd_device *dev,
				   const struct rdbd_hs_self *self,
				   const struct rdbd_peer_facts *peer)
{
	bool self_crashed = self->md_flags & RDBD_MDF_CRASHED_PRIMARY;
	bool peer_crashed = peer->flags & RDBD_UUID_F_CRASHED_PRIMARY;
	bool self_primary = self->role == RDBD_ROLE_PRIMARY;
	bool peer_primary = peer->role == RDBD_ROLE_PRIMARY;

	if (!self_crashed && !peer_crashed)
		return 0;				/* rule 40 */
	if (self_primary != peer_primary)
		return self_primary ? 1 : -1;		/* rule 41 */
	if (self_crashed != peer_crashed)
		return self_crashed ? 1 : -1;		/* rule 40 */
	return dev->conn.we_dial ? 1 : -1;
}

static int rdbd_uuid_compare(struct rdbd_device *dev,
			     const struct rdbd_hs_self *self_facts,
			     const struct rdbd_peer_facts *facts)
{
	const u64 *self_uuid = self_facts->uuid;
	const u64 *peer_uuid = facts->uuid;
	const u64 mask = ~RDBD_UUID_PRIMARY_BIT;
	u64 self = self_uuid[RDBD_UUID_CURRENT] & mask;
	u64 peer = peer_uuid[RDBD_UUID_CURRENT] & mask;
	int i, j;

	if (self == RDBD_UUID_JUST_CREATED && peer == RDBD_UUID_JUST_CREATED)
		return 0;				/* rule 10 */
	if (self == RDBD_UUID_JUST_CREATED || !self)
		return -2;				/* rule 20 */
	if (peer == RDBD_UUID_JUST_CREATED || !peer)
		return 2;				/* rule 30 */
	if (self == peer)
		return rdbd_uuid_equal_crashed(dev, self_facts, facts); /* 40, 41 */
	if (self == (peer_uuid[RDBD_UUID_BITMAP] & mask) ||
	    self == (peer_uuid[RDBD_UUID_HISTORY0] & mask))
		return -1;				/* rules 50, 51 */
	for (i = RDBD_UUID_HISTORY0; i < RDBD_UUID_SLOTS; i++)
		if (self == (peer_uuid[i] & mask))
			return -2;			/* rule 60 */
	if ((self_uuid[RDBD_UUID_BITMAP] & mask) == peer ||
	    (self_uuid[RDBD_UUID_HISTORY0] & mask) == peer)
		return 1;				/* rules 70, 71 */
	for (i = RDBD_UUID_HISTORY0; i < RDBD_UUID_SLOTS; i++)
		if ((self_uuid[i] & mask) == peer)
			return 2;			/* rule 80 */
	if ((self_uuid[RDBD_UUID_BITMAP] & mask) &&
	    (self_uuid[RDBD_UUID_BITMAP] & mask) ==
	    (peer_uuid[RDBD_UUID_BITMAP] & mask))
		return 100;				/* rule 90 */
	for (i = RDBD_UUID_HISTORY0; i < RDBD_UUID_SLOTS; i++)
		for (j = RDBD_UUID_HISTORY0; j < RDBD_UUID_SLOTS; j++)
			if ((self_uuid[i] & mask) &&
			    (self_uuid[i] & mask) == (peer_uuid[j] & mask))
				return -100;		/* rule 100 */
	return -1000;
}

/* Tie-break both sides compute alike: the dialer (lower address) wins. */
static int rdbd_asb_tie(struct rdbd_device *dev)
{
	return dev->conn.we_dial ? 1 : -1;
}

/* >0: this node's changes win (sync source); <0 lose; 0 undecided. */
static int rdbd_asb_zero_changes(u64 self, u64 peer, struct rdbd_device *dev)
{
	if (!self && !peer)
		return rdbd_asb_tie(dev);
	if (!self)
		return -1;
	if (!peer)
		return 1;
	return 0;		/* both changed: not this rule's to decide */
}

static int rdbd_asb_least_changes(u64 self, u64 peer,
				  struct rdbd_device *dev)
{
	if (self == peer)
		return rdbd_asb_tie(dev);
	return self < peer ? -1 : 1;
}

/*
 * after-sb-0pri (also consensus's first opinion).  Younger/older primary:
 * bit 0 of a bitmap UUID says the node was Primary when it started its
 * new generation, i.e. it was the Primary at the split (older); the node
 * promoted later, while apart, has it clear (younger).
 */
static int rdbd_asb_0pri(struct rdbd_device *dev,
			 const struct rdbd_hs_self *self,
			 const struct rdbd_peer_facts *peer, u8 policy)
{
	u64 self_bits = self->bits;
	bool self_old = self->uuid[RDBD_UUID_BITMAP] &
			RDBD_UUID_PRIMARY_BIT;
	bool peer_old = peer->uuid[RDBD_UUID_BITMAP] & RDBD_UUID_PRIMARY_BIT;
	int hg = 0;

	switch (policy) {
	case RDBD_ASB_DISCARD_YOUNGER_PRIMARY:
	case RDBD_ASB_DISCARD_OLDER_PRIMARY:
		if (self_old != peer_old) {
			hg = self_old ? 1 : -1;
			if (policy == RDBD_ASB_DISCARD_OLDER_PRIMARY)
				hg = -hg;
			break;
		}
		fallthrough;	/* undecided: as DRBD, by changes */
	case RDBD_ASB_DISCARD_ZERO_CHANGES:
		hg = rdbd_asb_zero_changes(self_bits, peer->bits_set, dev);
		if (hg || policy == RDBD_ASB_DISCARD_ZERO_CHANGES)
			break;
		fallthrough;
	case RDBD_ASB_DISCARD_LEAST_CHANGES:
		hg = rdbd_asb_least_changes(self_bits, peer->bits_set, dev);
		break;
	}
	return hg;
}

/* after-sb-1pri: exactly one node is Primary now. */
static int rdbd_asb_1pri(struct rdbd_device *dev,
			 const struct rdbd_hs_self *self,
			 const struct rdbd_peer_facts *peer)
{
	bool self_primary = self->role == RDBD_ROLE_PRIMARY;
	int discard_secondary = self_primary ? 1 : -1;
	int hg;

	switch (dev->conn.net_conf.after_sb[1]) {
	case RDBD_ASB_DISCARD_SECONDARY:
		return discard_secondary;
	case RDBD_ASB_CONSENSUS:
		hg = rdbd_asb_0pri(dev, self, peer,
				   dev->conn.net_conf.after_sb[0]);
		return hg == discard_secondary ? hg : 0;
	}
	return 0;
}

/* The configured automatic recovery: >0 source, <0 target, 0 none. */
static int rdbd_asb_recover(struct rdbd_device *dev,
			    const struct rdbd_hs_self *self,
			    const struct rdbd_peer_facts *peer)
{
	int primaries = (self->role == RDBD_ROLE_PRIMARY) +
			(peer->role == RDBD_ROLE_PRIMARY);

	if (primaries == 0)
		return rdbd_asb_0pri(dev, self, peer,
				     dev->conn.net_conf.after_sb[0]);
	if (primaries == 1)
		return rdbd_asb_1pri(dev, self, peer);
	return 0;		/* after-sb-2pri: disconnect only */
}

/*
 * Both nodes changed the data on their own (uuid_compare 100/-100).
 * Resolved by the after-sb-Npri policy (when both diverged from one
 * generation), else by --discard-my-data on exactly one of them (then the
 * other is the source: a bitmap sync when both diverged from the same
 * generation, 100, else a full one); otherwise nothing is overwritten:
 * both go StandAlone, say "split-brain", and run the split-brain handler.
 */
static int rdbd_hs_split_brain(struct rdbd_device *dev,
			       const struct rdbd_hs_self *self,
			       const struct rdbd_peer_facts *peer, int hg,
			       bool *full)
{
	bool mine = self->discard_my_data;
	bool theirs = peer->flags & RDBD_UUID_F_DISCARD_MY_DATA;
	int asb;

	pr_warn("rdbd%u: split-brain detected: both nodes changed the data (this node %llu KiB, the peer %llu KiB)\n",
		dev->minor, self->bits * 4,
		peer->bits_set * 4);
	/* As DRBD: automatic recovery only when both bitmaps reach back to
	 * the same generation (100), so that their union is complete. */
	asb = hg == 100 ? rdbd_asb_recover(dev, self, peer) : 0;
	if (asb) {
		pr_notice("rdbd%u: split-brain resolved by the after-sb policy: this node is the sync %s\n",
			  dev->minor, asb > 0 ? "source" : "target");
		*full = false;
		return asb > 0 ? RDBD_HS_SYNC_SOURCE : RDBD_HS_SYNC_TARGET;
	}
	if (mine != theirs) {
		pr_notice("rdbd%u: split-brain resolved by discard-my-data: this node is the sync %s\n",
			  dev->minor, mine ? "target" : "source");
		*full = hg != 100;
		return mine ? RDBD_HS_SYNC_TARGET : RDBD_HS_SYNC_SOURCE;
	}
	spin_lock_irq(&dev->req_lock);
	dev->conn.split_brain = true;
	spin_unlock_irq(&dev->req_lock);
	rdbd_conn_error(dev, "split-brain: Split-Brain detected but unresolved, dropping connection!");
	rdbd_helper_later(dev, "split-brain");
	return -EPERM;
}

/*
 * Same generation on both sides, yet blocks are marked: an online verify
 * (verify.c) found them different.  Both Secondary, no UUID moved on
 * disconnect, so without this they would never be resynced: a bitmap sync
 * from the Primary, or with none from the dialer (a choice both sides
 * make alike).
 */
static int rdbd_hs_marked_in_sync(struct rdbd_device *dev,
				  const struct rdbd_hs_self *self,
				  const struct rdbd_peer_facts *peer)
{
	u64 bits = self->bits;
	bool source;

	if (!bits && !peer->bits_set)
		return RDBD_HS_CONNECTED;
	if (self->role != peer->role)
		source = self->role == RDBD_ROLE_PRIMARY;
	else
		source = dev->conn.we_dial;
	pr_info("rdbd%u: same data generation, but %llu (peer %llu) blocks marked out of sync: bitmap sync as %s\n",
		dev->minor, bits, peer->bits_set,
		source ? "SyncSource" : "SyncTarget");
	return source ? RDBD_HS_SYNC_SOURCE : RDBD_HS_SYNC_TARGET;
}

/*
 * Sync direction from the UUIDs and the disk states; <0 refuses.  @full
 * says whether every block must move (else only the union of both
 * bitmaps).  An Inconsistent disk is always the target; its sync is a
 * bitmap sync only if the UUIDs agree on that direction (it is the
 * target of an interrupted sync), else a full one.
 */
int rdbd_hs_decide(struct rdbd_device *dev, const struct rdbd_hs_self *self,
		   const struct rdbd_peer_facts *peer, bool *full)
{
	bool self_inc = self->disk_state <= RDBD_DISK_INCONSISTENT;
	bool peer_inc = peer->disk_state <= RDBD_DISK_INCONSISTENT;
	int hg;

	if (self_inc && peer_inc)
		return RDBD_HS_CONNECTED;	/* nobody can be the source */
	hg = rdbd_uuid_compare(dev, self, peer);
	pr_info("rdbd%u: uuid_compare()=%d: self %016llX:%016llX peer %016llX:%016llX\n",
		dev->minor, hg, self->uuid[RDBD_UUID_CURRENT],
		self->uuid[RDBD_UUID_BITMAP],
		peer->uuid[RDBD_UUID_CURRENT], peer->uuid[RDBD_UUID_BITMAP]);
	if (self_inc || peer_inc) {
		*full = hg != (self_inc ? -1 : 1);
		return self_inc ? RDBD_HS_SYNC_TARGET : RDBD_HS_SYNC_SOURCE;
	}
	if (hg == -1000) {
		rdbd_conn_error(dev, "Unrelated data, aborting!");
		return -EPERM;
	}
	if (hg == 100 || hg == -100)
		return rdbd_hs_split_brain(dev, self, peer, hg, full);
	if (!hg)
		return rdbd_hs_marked_in_sync(dev, self, peer);
	*full = hg == 2 || hg == -2;
	return hg > 0 ? RDBD_HS_SYNC_SOURCE : RDBD_HS_SYNC_TARGET;
}
