// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake on a new TCP connection (order in <rdbd/wire.h>):
 * HELLO, optional challenge-response authentication, then PARAMS and
 * UUIDS, after which both sides reach the same decision from the same
 * facts: Connected, a full sync in one direction, or a refusal.
 *
 * Every step has a deadline (connect-int) so a silent peer cannot hold the
 * connection thread.  A refusal returns -EPROTO (drop, retry at the next
 * connect-int) or -EPERM (fatal: go StandAlone), with the reason logged
 * and recorded as the last error.
 */
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "rdbd_int.h"

static unsigned long rdbd_hs_deadline(struct rdbd_device *dev)
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

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->protocol_min = cpu_to_be32(RDBD_WIRE_PROTO_MIN);
	h->protocol_max = cpu_to_be32(RDBD_WIRE_PROTO_MAX);
	h->features = cpu_to_be64(RDBD_FEAT_ALL);
	h->flags = cpu_to_be32(auth ? RDBD_HELLO_F_AUTH : 0);
	strscpy(h->node_name, utsname()->nodename, sizeof(h->node_name));
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
		return -EPERM;
	}
	if (conf->peer_name[0] && strcmp(h->node_name, conf->peer_name)) {
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
		return -EPERM;
	}
	return 0;
}

/* ---- authentication ---- */

/* HMAC(secret, challenge || name) into @digest; returns its length. */
static int rdbd_auth_digest(struct crypto_shash *tfm, const u8 *challenge,
			    const char *name, u8 *digest)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	int err;

	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	if (!err)
		err = crypto_shash_update(desc, challenge,
					  RDBD_WIRE_CHALLENGE_LEN);
	if (!err)
		err = crypto_shash_update(desc, name, strlen(name));
	if (!err)
		err = crypto_shash_final(desc, digest);
	shash_desc_zero(desc);
	return err ? err : crypto_shash_digestsize(tfm);
}

static int rdbd_auth_alloc(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	const struct rdbd_net_conf *conf = &conn->net_conf;
	char name[CRYPTO_MAX_ALG_NAME];
	struct crypto_shash *tfm;
	int err;

	snprintf(name, sizeof(name), "hmac(%s)", conf->hmac_alg);
	tfm = crypto_alloc_shash(name, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = crypto_shash_setkey(tfm, conf->secret, conf->secret_len);
	if (err || crypto_shash_digestsize(tfm) > RDBD_WIRE_DIGEST_MAX) {
		crypto_free_shash(tfm);
		return err ? err : -EINVAL;
	}
	conn->hmac = tfm;
	return 0;
}

void rdbd_auth_free(struct rdbd_device *dev)
{
	if (dev->conn.hmac)
		crypto_free_shash(dev->conn.hmac);
	dev->conn.hmac = NULL;
}

/* Our response to the peer's challenge, and the one we expect from it. */
static int rdbd_auth_respond(struct rdbd_device *dev, const u8 *mine,
			     const u8 *theirs, struct rdbd_p_auth_response *out,
			     u8 *expected)
{
	struct rdbd_connection *conn = &dev->conn;
	int len;

	len = rdbd_auth_digest(conn->hmac, theirs, utsname()->nodename,
			       out->digest);
	if (len < 0)
		return len;
	out->digest_len = cpu_to_be32(len);
	len = rdbd_auth_digest(conn->hmac, mine, conn->peer_node, expected);
	return len;
}

static int rdbd_auth_exchange(struct rdbd_device *dev,
			      struct rdbd_packet *pkt, bool *peer_ok)
{
	struct rdbd_p_auth_challenge mine = {};
	struct rdbd_p_auth_response resp = {};
	u8 expected[RDBD_WIRE_DIGEST_MAX];
	unsigned long deadline = rdbd_hs_deadline(dev);
	int len, err;

	get_random_bytes(mine.challenge, sizeof(mine.challenge));
	err = rdbd_send_packet(dev, RDBD_P_AUTH_CHALLENGE, &mine,
			       sizeof(mine));
	if (!err)
		err = rdbd_recv_expect(dev, pkt, RDBD_P_AUTH_CHALLENGE,
				       deadline);
	if (err)
		return err;
	/* Our own challenge coming back is a reflection attempt. */
	if (!crypto_memneq(pkt->u.challenge.challenge, mine.challenge,
			   sizeof(mine.challenge)))
		return -EACCES;
	len = rdbd_auth_respond(dev, mine.challenge,
				pkt->u.challenge.challenge, &resp, expected);
	if (len < 0)
		return len;
	err = rdbd_send_packet(dev, RDBD_P_AUTH_RESPONSE, &resp, sizeof(resp));
	if (!err)
		err = rdbd_recv_expect(dev, pkt, RDBD_P_AUTH_RESPONSE,
				       deadline);
	if (err)
		return err;
	*peer_ok = be32_to_cpu(pkt->u.response.digest_len) == len &&
		   !crypto_memneq(pkt->u.response.digest, expected, len);
	memzero_explicit(expected, sizeof(expected));
	return 0;
}

/*
 * Challenge-response in both directions; then each side tells the other
 * its verdict, so both go StandAlone with the same reason.
 */
static int rdbd_hs_auth(struct rdbd_device *dev, struct rdbd_packet *pkt)
{
	struct rdbd_p_auth_result result = {};
	bool peer_ok = false;
	int err;

	if (!dev->conn.net_conf.hmac_alg[0])
		return 0;
	err = rdbd_auth_alloc(dev);
	if (err) {
		rdbd_conn_error(dev, "cannot set up hmac(%s): %s",
				dev->conn.net_conf.hmac_alg,
				rdbd_strerror(err));
		return -EPERM;
	}
	err = rdbd_auth_exchange(dev, pkt, &peer_ok);
	rdbd_auth_free(dev);
	if (err && err != -EACCES)
		return err;
	result.accepted = cpu_to_be32(peer_ok);
	err = rdbd_send_packet(dev, RDBD_P_AUTH_RESULT, &result,
			       sizeof(result));
	if (!err && peer_ok)
		err = rdbd_recv_expect(dev, pkt, RDBD_P_AUTH_RESULT,
				       rdbd_hs_deadline(dev));
	if (err && peer_ok)
		return err;
	if (!peer_ok || !be32_to_cpu(pkt->u.result.accepted)) {
		rdbd_conn_error(dev, "authentication of peer failed%s",
				peer_ok ? " (the peer refused our response)" :
				"");
		return -EPERM;
	}
	pr_info("rdbd%u: peer '%s' authenticated\n", dev->minor,
		dev->conn.peer_node);
	return 0;
}

/* ---- PARAMS and UUIDS ---- */

/* What the peer told us in PARAMS and UUIDS. */
struct rdbd_peer_facts {
	u64 data_bytes;
	u8 protocol;
	u64 uuid[RDBD_UUID_SLOTS];
	u32 flags;
	u64 bits_set;			/* blocks the peer marked */
	enum rdbd_role role;
	enum rdbd_disk_state disk_state;
};

static int rdbd_hs_send_facts(struct rdbd_device *dev)
{
	struct rdbd_backing *ldev = dev->ldev;
	struct rdbd_p_params params = {};
	struct rdbd_p_uuids uuids = {};
	int i, err;

	params.protocol = dev->conn.net_conf.protocol;
	if (ldev)
		params.data_bytes = cpu_to_be64(ldev->layout.data_bytes);
	err = rdbd_send_packet(dev, RDBD_P_PARAMS, &params, sizeof(params));
	if (err)
		return err;
	for (i = 0; ldev && i < RDBD_UUID_SLOTS; i++)
		uuids.uuid[i] = cpu_to_be64(ldev->md.uuid[i]);
	if (!ldev)	/* a Diskless Primary: the data it serves (ioerr.c) */
		uuids.uuid[RDBD_UUID_CURRENT] =
			cpu_to_be64(rdbd_ioerr_served_uuid(dev));
	if (dev->disk_state <= RDBD_DISK_INCONSISTENT)
		uuids.flags |= cpu_to_be32(RDBD_UUID_F_INCONSISTENT);
	if (ldev && (ldev->md.flags & RDBD_MDF_CRASHED_PRIMARY))
		uuids.flags |= cpu_to_be32(RDBD_UUID_F_CRASHED_PRIMARY);
	if (dev->conn.discard_my_data)
		uuids.flags |= cpu_to_be32(RDBD_UUID_F_DISCARD_MY_DATA);
	if (ldev)
		uuids.bits_set = cpu_to_be64(rdbd_bm_weight(dev, ldev));
	uuids.role = dev->role;
	uuids.disk_state = dev->disk_state;
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
	return 0;
}

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
				   const struct rdbd_peer_facts *peer)
{
	bool self_crashed = dev->ldev->md.flags & RDBD_MDF_CRASHED_PRIMARY;
	bool peer_crashed = peer->flags & RDBD_UUID_F_CRASHED_PRIMARY;
	bool self_primary = dev->role == RDBD_ROLE_PRIMARY;
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
			     const struct rdbd_peer_facts *facts)
{
	const u64 *self_uuid = dev->ldev->md.uuid;
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
		return rdbd_uuid_equal_crashed(dev, facts);	/* 40, 41 */
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

/* The decision both sides reach: see rdbd_hs_decide(). */
enum rdbd_hs_result {
	RDBD_HS_CONNECTED,
	RDBD_HS_SYNC_SOURCE,
	RDBD_HS_SYNC_TARGET,
};

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
			 const struct rdbd_peer_facts *peer, u8 policy)
{
	u64 self_bits = rdbd_bm_weight(dev, dev->ldev);
	bool self_old = dev->ldev->md.uuid[RDBD_UUID_BITMAP] &
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
			 const struct rdbd_peer_facts *peer)
{
	bool self_primary = dev->role == RDBD_ROLE_PRIMARY;
	int discard_secondary = self_primary ? 1 : -1;
	int hg;

	switch (dev->conn.net_conf.after_sb[1]) {
	case RDBD_ASB_DISCARD_SECONDARY:
		return discard_secondary;
	case RDBD_ASB_CONSENSUS:
		hg = rdbd_asb_0pri(dev, peer, dev->conn.net_conf.after_sb[0]);
		return hg == discard_secondary ? hg : 0;
	}
	return 0;
}

/* The configured automatic recovery: >0 source, <0 target, 0 none. */
static int rdbd_asb_recover(struct rdbd_device *dev,
			    const struct rdbd_peer_facts *peer)
{
	int primaries = (dev->role == RDBD_ROLE_PRIMARY) +
			(peer->role == RDBD_ROLE_PRIMARY);

	if (primaries == 0)
		return rdbd_asb_0pri(dev, peer,
				     dev->conn.net_conf.after_sb[0]);
	if (primaries == 1)
		return rdbd_asb_1pri(dev, peer);
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
			       const struct rdbd_peer_facts *peer, int hg,
			       bool *full)
{
	bool mine = dev->conn.discard_my_data;
	bool theirs = peer->flags & RDBD_UUID_F_DISCARD_MY_DATA;
	int asb;

	pr_warn("rdbd%u: split-brain detected: both nodes changed the data (this node %llu KiB, the peer %llu KiB)\n",
		dev->minor, rdbd_bm_weight(dev, dev->ldev) * 4,
		peer->bits_set * 4);
	/* As DRBD: automatic recovery only when both bitmaps reach back to
	 * the same generation (100), so that their union is complete. */
	asb = hg == 100 ? rdbd_asb_recover(dev, peer) : 0;
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
				  const struct rdbd_peer_facts *peer)
{
	u64 bits = rdbd_bm_weight(dev, dev->ldev);
	bool source;

	if (!bits && !peer->bits_set)
		return RDBD_HS_CONNECTED;
	if (dev->role != peer->role)
		source = dev->role == RDBD_ROLE_PRIMARY;
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
static int rdbd_hs_decide(struct rdbd_device *dev,
			  const struct rdbd_peer_facts *peer, bool *full)
{
	bool self_inc = dev->disk_state <= RDBD_DISK_INCONSISTENT;
	bool peer_inc = peer->disk_state <= RDBD_DISK_INCONSISTENT;
	int hg;

	if (self_inc && peer_inc)
		return RDBD_HS_CONNECTED;	/* nobody can be the source */
	hg = rdbd_uuid_compare(dev, peer);
	pr_info("rdbd%u: uuid_compare()=%d: self %016llX:%016llX peer %016llX:%016llX\n",
		dev->minor, hg, dev->ldev->md.uuid[RDBD_UUID_CURRENT],
		dev->ldev->md.uuid[RDBD_UUID_BITMAP],
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
		return rdbd_hs_split_brain(dev, peer, hg, full);
	if (!hg)
		return rdbd_hs_marked_in_sync(dev, peer);
	*full = hg == 2 || hg == -2;
	return hg > 0 ? RDBD_HS_SYNC_SOURCE : RDBD_HS_SYNC_TARGET;
}

/* The peer's bitmap, up to its BITMAP_DONE, ORed into ours. */
static int rdbd_hs_recv_bitmap(struct rdbd_device *dev,
			       struct rdbd_packet *pkt)
{
	int err;

	for (;;) {
		/* a deadline per packet: a large bitmap takes its time */
		err = rdbd_recv_packet(dev, pkt, rdbd_hs_deadline(dev));
		if (err)
			return err;
		if (pkt->cmd == RDBD_P_BITMAP_DONE)
			return rdbd_bm_got_done(dev, &pkt->u.bitmap_done);
		if (pkt->cmd != RDBD_P_BITMAP) {
			rdbd_conn_error(dev, "peer sent packet 0x%04x instead of its bitmap; dropping connection",
					pkt->cmd);
			return -EPROTO;
		}
		err = rdbd_bm_merge(dev, &pkt->u.bitmap);
		if (err)
			return err;
	}
}

/*
 * Both sides send their bitmap and OR in the peer's, so both sync the
 * union.  The dialer sends first and the other side receives first: with
 * both sending a large bitmap at once, both could block on full socket
 * buffers with nobody reading.  The union is written to disk before the
 * sync starts, so a crash of either side cannot forget a block.
 */
static int rdbd_hs_exchange_bitmaps(struct rdbd_device *dev,
				    struct rdbd_packet *pkt, bool full)
{
	int err;

	if (full)
		rdbd_bm_set_all(dev, dev->ldev);
	if (dev->conn.we_dial) {
		err = rdbd_bm_send(dev, full);
		if (!err)
			err = rdbd_hs_recv_bitmap(dev, pkt);
	} else {
		err = rdbd_hs_recv_bitmap(dev, pkt);
		if (!err)
			err = rdbd_bm_send(dev, full);
	}
	if (err)
		return err;
	pr_info("rdbd%u: %s sync: %llu KiB out of sync\n", dev->minor,
		full ? "full" : "bitmap",
		rdbd_bm_weight(dev, dev->ldev) * (RDBD_BM_BLOCK_BYTES >> 10));
	return rdbd_bm_write(dev, dev->ldev);
}

/* Refusals that do not depend on the data: protocol, roles, disks. */
static int rdbd_hs_check_peer(struct rdbd_device *dev,
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
static bool rdbd_hs_diskless(struct rdbd_device *dev,
			     const struct rdbd_peer_facts *peer)
{
	return !dev->ldev || !peer->data_bytes ||
	       peer->disk_state < RDBD_DISK_INCONSISTENT;
}

static int rdbd_hs_sync_uuid(struct rdbd_device *dev,
			     struct rdbd_packet *pkt, int decision)
{
	struct rdbd_p_sync_uuid p = {};
	u64 uuid;
	int err;

	if (decision == RDBD_HS_SYNC_SOURCE) {
		err = rdbd_sync_new_bitmap_uuid(dev, &uuid);
		p.uuid = cpu_to_be64(uuid);
		if (!err)
			err = rdbd_send_packet(dev, RDBD_P_SYNC_UUID, &p,
					       sizeof(p));
		return err;
	}
	err = rdbd_recv_expect(dev, pkt, RDBD_P_SYNC_UUID,
			       rdbd_hs_deadline(dev));
	if (err)
		return err;
	return rdbd_sync_target_begin(dev, be64_to_cpu(pkt->u.sync_uuid.uuid));
}

/* Expose the smaller of the two data areas. */
static void rdbd_hs_set_size(struct rdbd_device *dev, u64 peer_bytes)
{
	u64 bytes = min(dev->ldev->layout.data_bytes, peer_bytes);

	if (get_capacity(dev->disk) != bytes >> SECTOR_SHIFT) {
		pr_info("rdbd%u: size %llu KiB (the smaller of both disks)\n",
			dev->minor, bytes >> 10);
		set_capacity_and_notify(dev->disk, bytes >> SECTOR_SHIFT);
	}
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

/*
 * PARAMS/UUIDS and the decision.  Runs with state_mutex held, so the
 * facts we send stay true until the decision is acted upon.
 */
static int rdbd_hs_params(struct rdbd_device *dev, struct rdbd_packet *pkt)
{
	struct rdbd_peer_facts peer;
	bool full = false;
	int decision, err;

	lockdep_assert_held(&dev->state_mutex);
	err = rdbd_hs_send_facts(dev);
	if (!err)
		err = rdbd_hs_recv_facts(dev, pkt, &peer);
	if (!err)
		err = rdbd_hs_check_peer(dev, &peer);
	if (err)
		return err;
	if (rdbd_hs_diskless(dev, &peer)) {	/* no data to compare */
		err = rdbd_ioerr_hs_diskless(dev, peer.role, peer.disk_state,
					     peer.uuid[RDBD_UUID_CURRENT],
					     peer.data_bytes);
		if (!err)
			rdbd_conn_established_state(dev, peer.role,
						    peer.disk_state,
						    false, false);
		return err;
	}
	decision = rdbd_hs_decide(dev, &peer, &full);
	if (decision < 0)
		return decision;
	if (dev->role == RDBD_ROLE_PRIMARY && peer.role == RDBD_ROLE_PRIMARY) {
		rdbd_conn_error(dev, "both nodes are Primary: Multiple primaries not allowed by config");
		return -EPERM;
	}
	if (decision == RDBD_HS_SYNC_TARGET && dev->role == RDBD_ROLE_PRIMARY) {
		rdbd_conn_error(dev, "I shall become SyncTarget, but I am primary!");
		return -EPERM;
	}
	rdbd_hs_set_size(dev, peer.data_bytes);
	if (decision == RDBD_HS_CONNECTED) {
		rdbd_hs_clear_crashed(dev, &peer);
		rdbd_hs_same_data_uptodate(dev, &peer);
	} else {
		err = rdbd_hs_exchange_bitmaps(dev, pkt, full);
		if (!err)
			err = rdbd_hs_sync_uuid(dev, pkt, decision);
		if (err)
			return err;
	}
	rdbd_conn_established_state(dev, peer.role, peer.disk_state,
				    decision == RDBD_HS_SYNC_SOURCE,
				    decision == RDBD_HS_SYNC_TARGET);
	return 0;
}

/**
 * rdbd_handshake - from a new TCP connection to Connected or syncing
 * @dev: the device; called by the connection thread, WFReportParams
 *
 * Returns 0, -EPERM (refused for good: StandAlone), or another error
 * (drop this connection and try again).
 */
int rdbd_handshake(struct rdbd_device *dev)
{
	struct rdbd_packet *pkt;
	int err;

	pkt = kmalloc(sizeof(*pkt), GFP_KERNEL);
	if (!pkt)
		return -ENOMEM;
	err = rdbd_hs_hello(dev, pkt);
	if (!err)
		err = rdbd_hs_auth(dev, pkt);
	if (err)
		goto out_free;
	if (!rdbd_conn_lock_state(dev)) {
		err = -EINTR;
		goto out_free;
	}
	err = rdbd_hs_params(dev, pkt);
	mutex_unlock(&dev->state_mutex);
out_free:
	kfree(pkt);
	return err;
}
