// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink: the "rdbd" family of <rdbd/genl.h>.
 *
 * Every attribute is checked by a strict policy before a handler runs
 * (unknown attributes, wrong types and lengths, out-of-range values and
 * unknown flag bits are refused by the netlink core).  Handlers check what
 * a policy cannot: required attributes, address families, resource name
 * characters, and then the state rules.
 *
 * The family is parallel_ops: handlers do not hold the global genl_mutex,
 * which would stall every other non-parallel family while rdbd waits for a
 * disk.  A handler finds its device by minor, takes a reference and the
 * device's state_mutex (rdbd_nl_lock_dev()), so commands on different
 * devices run concurrently and commands on one device run in order.
 *
 * After every state change, an RDBD_CMD_EVENT with the new status goes to
 * the "events" multicast group; an event without RDBD_A_STATUS says the
 * minor was deleted.
 */
#include <crypto/hash.h>
#include <linux/ctype.h>
#include <linux/slab.h>

#include "rdbd_int.h"

/*
 * Defaults and ranges of the timers, in ms (DRBD 8.4's, drbd_limits.h).
 * The ranges are not const only because 6.1's nla_policy says so.
 */
#define RDBD_DEF_CONNECT_INT_MS		10000
#define RDBD_DEF_PING_INT_MS		10000
#define RDBD_DEF_PING_TIMEOUT_MS	500
#define RDBD_DEF_TIMEOUT_MS		6000

static struct netlink_range_validation rdbd_range_connect_int = {
	.min = 1000, .max = 120000,
};

static struct netlink_range_validation rdbd_range_ping_int = {
	.min = 1000, .max = 120000,
};

static struct netlink_range_validation rdbd_range_ping_timeout = {
	.min = 100, .max = 30000,
};

static struct netlink_range_validation rdbd_range_timeout = {
	.min = 100, .max = 60000,
};

enum rdbd_mcgrp {
	RDBD_MCGRP_EVENTS,
};

static const struct nla_policy rdbd_net_policy[RDBD_NET_MAX + 1] = {
	[RDBD_NET_LOCAL_ADDR]	= NLA_POLICY_RANGE(NLA_BINARY,
						   sizeof(struct sockaddr_in),
						   sizeof(struct sockaddr_in6)),
	[RDBD_NET_PEER_ADDR]	= NLA_POLICY_RANGE(NLA_BINARY,
						   sizeof(struct sockaddr_in),
						   sizeof(struct sockaddr_in6)),
	[RDBD_NET_PEER_NAME]	= { .type = NLA_NUL_STRING,
				    .len = __NEW_UTS_LEN },
	[RDBD_NET_PROTOCOL]	= NLA_POLICY_RANGE(NLA_U8, RDBD_PROT_A,
						   RDBD_PROT_C),
	[RDBD_NET_CONNECT_INT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
						&rdbd_range_connect_int),
	[RDBD_NET_PING_INT_MS]	= NLA_POLICY_FULL_RANGE(NLA_U32,
						&rdbd_range_ping_int),
	[RDBD_NET_PING_TIMEOUT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32,
						&rdbd_range_ping_timeout),
	[RDBD_NET_TIMEOUT_MS]	= NLA_POLICY_FULL_RANGE(NLA_U32,
						&rdbd_range_timeout),
	[RDBD_NET_CRAM_HMAC_ALG] = { .type = NLA_NUL_STRING,
				     .len = RDBD_HMAC_ALG_MAX - 1 },
	[RDBD_NET_SHARED_SECRET] = NLA_POLICY_RANGE(NLA_BINARY, 1,
						    RDBD_SECRET_MAX),
	[RDBD_NET_AFTER_SB_0PRI] = NLA_POLICY_MAX(NLA_U8,
					RDBD_ASB_DISCARD_LEAST_CHANGES),
	[RDBD_NET_AFTER_SB_1PRI] = NLA_POLICY_MAX(NLA_U8, RDBD_ASB_CONSENSUS),
	[RDBD_NET_AFTER_SB_2PRI] = NLA_POLICY_MAX(NLA_U8, RDBD_ASB_DISCONNECT),
	[RDBD_NET_VERIFY_ALG]	= { .type = NLA_NUL_STRING,
				    .len = RDBD_VERIFY_ALG_MAX - 1 },
};

/* KiB/s: DRBD's c-max-rate ceiling, 4 GiB/s */
static struct netlink_range_validation rdbd_range_rate = {
	.min = 0, .max = 4194304,
};

static struct netlink_range_validation rdbd_range_plan_ahead = {
	.min = 0, .max = 300,
};

static struct netlink_range_validation rdbd_range_al_extents = {
	.min = 7, .max = 65534,
};

static const struct nla_policy rdbd_disk_policy[RDBD_DISK_MAX + 1] = {
	[RDBD_DISK_ON_IO_ERROR] = NLA_POLICY_MAX(NLA_U8,
						 RDBD_ON_IO_ERROR_PASS_ON),
	[RDBD_DISK_FENCING] = NLA_POLICY_MAX(NLA_U8,
					     RDBD_FENCING_RESOURCE_AND_STONITH),
	[RDBD_DISK_AL_EXTENTS] = NLA_POLICY_FULL_RANGE(NLA_U32,
						&rdbd_range_al_extents),
	[RDBD_DISK_RESYNC_RATE_KIB] = NLA_POLICY_FULL_RANGE(NLA_U32,
						&rdbd_range_rate),
	[RDBD_DISK_C_PLAN_AHEAD_DS] = NLA_POLICY_FULL_RANGE(NLA_U32,
						&rdbd_range_plan_ahead),
	[RDBD_DISK_C_MIN_RATE_KIB] = NLA_POLICY_FULL_RANGE(NLA_U32,
						&rdbd_range_rate),
	[RDBD_DISK_C_MAX_RATE_KIB] = NLA_POLICY_FULL_RANGE(NLA_U32,
						&rdbd_range_rate),
};

static const struct nla_policy rdbd_attr_policy[RDBD_A_MAX + 1] = {
	[RDBD_A_MINOR]		= NLA_POLICY_MAX(NLA_U32, RDBD_MINOR_MAX),
	[RDBD_A_RES_NAME]	= { .type = NLA_NUL_STRING,
				    .len = RDBD_RES_NAME_MAX - 1 },
	[RDBD_A_BACKING_PATH]	= { .type = NLA_NUL_STRING,
				    .len = RDBD_PATH_MAX - 1 },
	[RDBD_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32, RDBD_F_ALL),
	[RDBD_A_NET]		= NLA_POLICY_NESTED(rdbd_net_policy),
	[RDBD_A_DISK]		= NLA_POLICY_NESTED(rdbd_disk_policy),
	[RDBD_A_STATUS]		= { .type = NLA_REJECT,
				    .reject_message = "RDBD_A_STATUS is only sent by the kernel" },
};

static struct genl_family rdbd_genl_family;

/* ---- status ---- */

/* What open(), I/O and the connection threads change: read under req_lock. */
struct rdbd_status_snapshot {
	unsigned int open_count;
	enum rdbd_conn_state cstate;
	enum rdbd_role peer_role;
	enum rdbd_disk_state peer_disk_state;
	u64 read_sectors;
	u64 written_sectors;
	u64 net_sent_sectors;
	u64 net_recv_sectors;
	u64 rs_sent_sectors;
	u64 rs_recv_sectors;
	u64 sync_total_sectors;
	u64 out_of_sync_bits;		/* bitmap weight; 0 while Diskless */
	u64 bm_writes;
	u64 al_writes;
	u64 io_errors;
	u64 peer_read_sectors;
	bool split_brain;
	unsigned long sync_start;
	char last_error[RDBD_LAST_ERROR_LEN];
	struct rdbd_disk_conf disk_conf;
};

static void rdbd_status_snapshot(struct rdbd_device *dev,
				 struct rdbd_status_snapshot *s)
{
	const struct rdbd_connection *conn = &dev->conn;

	spin_lock_irq(&dev->req_lock);
	s->open_count = dev->open_count;
	s->cstate = conn->cstate;
	s->peer_role = conn->peer_role;
	s->peer_disk_state = conn->peer_disk_state;
	s->read_sectors = dev->read_sectors;
	s->written_sectors = dev->written_sectors;
	s->net_sent_sectors = conn->net_sent_sectors;
	s->net_recv_sectors = conn->net_recv_sectors;
	s->rs_sent_sectors = conn->rs_sent_sectors;
	s->rs_recv_sectors = conn->rs_recv_sectors;
	s->sync_total_sectors = conn->sync_total_sectors;
	s->out_of_sync_bits = dev->ldev ? dev->ldev->bm.weight : 0;
	s->bm_writes = dev->ldev ? dev->ldev->bm.writes : 0;
	s->al_writes = dev->ldev ? dev->ldev->al.writes : 0;
	s->io_errors = dev->ioerr.errors;
	s->peer_read_sectors = dev->rread.recv_sectors;
	s->split_brain = conn->split_brain;
	s->sync_start = conn->sync_start;
	memcpy(s->last_error, dev->last_error, sizeof(s->last_error));
	s->disk_conf = dev->disk_conf;	/* req_lock guards it too */
	spin_unlock_irq(&dev->req_lock);
}

static int rdbd_put_u64(struct sk_buff *skb, int type, u64 value)
{
	return nla_put_u64_64bit(skb, type, value, RDBD_STATUS_PAD);
}

static int rdbd_nl_put_states(struct sk_buff *skb, struct rdbd_device *dev,
			      const struct rdbd_status_snapshot *s)
{
	const struct rdbd_connection *conn = &dev->conn;
	bool connected = s->cstate >= RDBD_CONN_CONNECTED;
	u8 protocol = 0;

	if (s->cstate != RDBD_CONN_STANDALONE || conn->thread)
		protocol = conn->net_conf.protocol;
	if (nla_put_u8(skb, RDBD_STATUS_ROLE, dev->role) ||
	    nla_put_u8(skb, RDBD_STATUS_DISK_STATE, dev->disk_state) ||
	    nla_put_u8(skb, RDBD_STATUS_CONN_STATE, s->cstate) ||
	    /* No peer is known below Connected. */
	    nla_put_u8(skb, RDBD_STATUS_PEER_ROLE,
		       connected ? s->peer_role : RDBD_ROLE_UNKNOWN) ||
	    nla_put_u8(skb, RDBD_STATUS_PEER_DISK_STATE,
		       connected ? s->peer_disk_state :
		       rdbd_fence_peer_disk(dev)) ||
	    nla_put_u8(skb, RDBD_STATUS_PROTOCOL, protocol))
		return -EMSGSIZE;
	return 0;
}

static int rdbd_nl_put_backing(struct sk_buff *skb, struct rdbd_device *dev)
{
	const struct rdbd_backing *ldev = dev->ldev;
	const u64 *uuid;

	if (!ldev)
		return 0;
	uuid = ldev->md.uuid;
	if (nla_put_string(skb, RDBD_STATUS_BACKING_PATH, ldev->path) ||
	    nla_put_u32(skb, RDBD_STATUS_MD_FLAGS, ldev->md.flags) ||
	    rdbd_put_u64(skb, RDBD_STATUS_UUID_CURRENT,
			 uuid[RDBD_UUID_CURRENT]) ||
	    rdbd_put_u64(skb, RDBD_STATUS_UUID_BITMAP,
			 uuid[RDBD_UUID_BITMAP]) ||
	    rdbd_put_u64(skb, RDBD_STATUS_UUID_HISTORY0,
			 uuid[RDBD_UUID_HISTORY0]) ||
	    rdbd_put_u64(skb, RDBD_STATUS_UUID_HISTORY1,
			 uuid[RDBD_UUID_HISTORY1]))
		return -EMSGSIZE;
	return 0;
}

static int rdbd_nl_put_counters(struct sk_buff *skb,
				const struct rdbd_status_snapshot *s)
{
	if (rdbd_put_u64(skb, RDBD_STATUS_DISK_WRITTEN_KIB,
			 s->written_sectors >> 1) ||
	    rdbd_put_u64(skb, RDBD_STATUS_DISK_READ_KIB,
			 s->read_sectors >> 1) ||
	    rdbd_put_u64(skb, RDBD_STATUS_NET_SENT_KIB,
			 s->net_sent_sectors >> 1) ||
	    rdbd_put_u64(skb, RDBD_STATUS_NET_RECEIVED_KIB,
			 s->net_recv_sectors >> 1) ||
	    rdbd_put_u64(skb, RDBD_STATUS_RESYNC_SENT_KIB,
			 s->rs_sent_sectors >> 1) ||
	    rdbd_put_u64(skb, RDBD_STATUS_RESYNC_RECEIVED_KIB,
			 s->rs_recv_sectors >> 1) ||
	    /* exactly the marked blocks, syncing or not */
	    rdbd_put_u64(skb, RDBD_STATUS_OUT_OF_SYNC_KIB,
			 s->out_of_sync_bits * (RDBD_BM_BLOCK_BYTES >> 10)) ||
	    rdbd_put_u64(skb, RDBD_STATUS_BM_WRITES, s->bm_writes) ||
	    rdbd_put_u64(skb, RDBD_STATUS_AL_WRITES, s->al_writes) ||
	    rdbd_put_u64(skb, RDBD_STATUS_IO_ERRORS, s->io_errors) ||
	    rdbd_put_u64(skb, RDBD_STATUS_PEER_READ_KIB,
			 s->peer_read_sectors >> 1) ||
	    nla_put_u8(skb, RDBD_STATUS_SPLIT_BRAIN, s->split_brain))
		return -EMSGSIZE;
	/* Only while a sync runs. */
	if (s->sync_total_sectors &&
	    (rdbd_put_u64(skb, RDBD_STATUS_SYNC_TOTAL_KIB,
			  s->sync_total_sectors >> 1) ||
	     rdbd_put_u64(skb, RDBD_STATUS_SYNC_ELAPSED_MS,
			  jiffies_to_msecs(jiffies - s->sync_start))))
		return -EMSGSIZE;
	return 0;
}

/* So that `rdbdadm adjust` can compare the controller with the config. */
static int rdbd_nl_put_disk_conf(struct sk_buff *skb,
				 const struct rdbd_disk_conf *c)
{
	if (nla_put_u32(skb, RDBD_STATUS_RESYNC_RATE_KIB, c->resync_rate_kib) ||
	    nla_put_u32(skb, RDBD_STATUS_C_PLAN_AHEAD_DS, c->c_plan_ahead_ds) ||
	    nla_put_u32(skb, RDBD_STATUS_C_MIN_RATE_KIB, c->c_min_rate_kib) ||
	    nla_put_u32(skb, RDBD_STATUS_C_MAX_RATE_KIB, c->c_max_rate_kib) ||
	    nla_put_u32(skb, RDBD_STATUS_AL_EXTENTS, c->al_extents))
		return -EMSGSIZE;
	return 0;
}

/* The RDBD_A_STATUS nest.  Caller holds state_mutex. */
static int rdbd_nl_put_status(struct sk_buff *skb, struct rdbd_device *dev)
{
	struct rdbd_status_snapshot s;
	struct nlattr *nest;

	lockdep_assert_held(&dev->state_mutex);
	rdbd_status_snapshot(dev, &s);
	nest = nla_nest_start(skb, RDBD_A_STATUS);
	if (!nest)
		return -EMSGSIZE;
	if (rdbd_nl_put_states(skb, dev, &s) ||
	    rdbd_put_u64(skb, RDBD_STATUS_SIZE_SECTORS,
			 get_capacity(dev->disk)) ||
	    nla_put_u32(skb, RDBD_STATUS_OPEN_COUNT, s.open_count) ||
	    rdbd_nl_put_backing(skb, dev) ||
	    rdbd_nl_put_counters(skb, &s) ||
	    rdbd_nl_put_disk_conf(skb, &s.disk_conf) ||
	    rdbd_fence_put_status(dev, skb) ||
	    rdbd_verify_put_status(dev, skb) ||
	    (s.last_error[0] &&
	     nla_put_string(skb, RDBD_STATUS_LAST_ERROR, s.last_error))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One message about @dev; without status if @with_status is false. */
static int rdbd_nl_put_msg(struct sk_buff *skb, struct rdbd_device *dev,
			   u32 portid, u32 seq, int flags, u8 cmd,
			   bool with_status)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &rdbd_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, RDBD_A_MINOR, dev->minor) ||
	    nla_put_string(skb, RDBD_A_RES_NAME, dev->name) ||
	    (with_status && rdbd_nl_put_status(skb, dev))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Multicast the state of @dev (or, if @removed, that it is gone). */
static void rdbd_nl_notify(struct rdbd_device *dev, bool removed)
{
	struct sk_buff *skb;
	int err;

	lockdep_assert_held(&dev->state_mutex);
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (rdbd_nl_put_msg(skb, dev, 0, 0, 0, RDBD_CMD_EVENT, !removed)) {
		nlmsg_free(skb);
		return;
	}
	err = genlmsg_multicast(&rdbd_genl_family, skb, 0, RDBD_MCGRP_EVENTS,
				GFP_KERNEL);
	if (err && err != -ESRCH)	/* -ESRCH: nobody listens */
		pr_debug("rdbd%u: event not sent: %d\n", dev->minor, err);
}

/* A state change made outside a netlink command.  Caller holds state_mutex. */
void rdbd_nl_notify_state(struct rdbd_device *dev)
{
	rdbd_nl_notify(dev, false);
}

/* ---- device lookup ---- */

/* The device named by RDBD_A_MINOR, referenced and with state_mutex held. */
static struct rdbd_device *rdbd_nl_lock_dev(struct genl_info *info)
{
	struct rdbd_device *dev;
	u32 minor;

	if (GENL_REQ_ATTR_CHECK(info, RDBD_A_MINOR)) {
		rdbd_extack(info->extack, -1,
			    "missing RDBD_A_MINOR (the device minor number)");
		return ERR_PTR(-EINVAL);
	}
	minor = nla_get_u32(info->attrs[RDBD_A_MINOR]);
	dev = rdbd_dev_get(minor);
	if (!dev)
		goto out_nodev;
	if (mutex_lock_killable(&dev->state_mutex)) {
		rdbd_dev_put(dev);
		return ERR_PTR(-EINTR);
	}
	if (!dev->removed)
		return dev;
	mutex_unlock(&dev->state_mutex);
	rdbd_dev_put(dev);
out_nodev:
	rdbd_extack(info->extack, minor,
		    "no such device: minor %u is not configured", minor);
	return ERR_PTR(-ENODEV);
}

static void rdbd_nl_unlock_dev(struct rdbd_device *dev)
{
	mutex_unlock(&dev->state_mutex);
	rdbd_dev_put(dev);
}

/*
 * Wait, without state_mutex, while the connection handshake decides
 * (WFReportParams): it reads this node's role and disk when it starts and
 * acts on them when it ends (handshake.c), so a command that changes them
 * waits for it, as DRBD's state requests wait out a transient state.
 * Called and returns with state_mutex held.
 */
static int rdbd_nl_wait_handshake(struct rdbd_device *dev,
				  struct genl_info *info)
{
	long left = msecs_to_jiffies(2 * dev->conn.net_conf.connect_int_ms +
				     10000);

	lockdep_assert_held(&dev->state_mutex);
	while (READ_ONCE(dev->conn.cstate) == RDBD_CONN_WF_REPORT_PARAMS) {
		mutex_unlock(&dev->state_mutex);
		left = wait_event_interruptible_timeout(dev->conn.state_wait,
				READ_ONCE(dev->conn.cstate) !=
				RDBD_CONN_WF_REPORT_PARAMS, left);
		mutex_lock(&dev->state_mutex);
		if (dev->removed) {
			rdbd_extack(info->extack, dev->minor,
				    "the device was removed meanwhile");
			return -ENODEV;
		}
		if (left < 0)
			return -EINTR;
		if (!left && READ_ONCE(dev->conn.cstate) ==
		    RDBD_CONN_WF_REPORT_PARAMS) {
			rdbd_extack(info->extack, dev->minor,
				    "In transient state (the handshake with the peer), retry after next state change");
			return -EAGAIN;
		}
	}
	return 0;
}

/*
 * Run @action on the device of the request; multicast the new state if it
 * changed something (returned RDBD_CHANGED).  @settled: first wait until
 * no handshake is deciding (rdbd_nl_wait_handshake()).
 */
static int rdbd_nl_run_on(struct genl_info *info, bool settled,
			  int (*action)(struct rdbd_device *dev,
					struct genl_info *info))
{
	struct rdbd_device *dev;
	int ret = 0;

	dev = rdbd_nl_lock_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	if (settled)
		ret = rdbd_nl_wait_handshake(dev, info);
	if (!ret)
		ret = action(dev, info);
	if (ret == RDBD_CHANGED)
		rdbd_nl_notify(dev, false);
	rdbd_nl_unlock_dev(dev);
	return ret < 0 ? ret : 0;
}

static int rdbd_nl_run(struct genl_info *info,
		       int (*action)(struct rdbd_device *dev,
				     struct genl_info *info))
{
	return rdbd_nl_run_on(info, false, action);
}

/* For commands that change the role, the disk or its generation. */
static int rdbd_nl_run_settled(struct genl_info *info,
			       int (*action)(struct rdbd_device *dev,
					     struct genl_info *info))
{
	return rdbd_nl_run_on(info, true, action);
}

/* ---- NEW_MINOR, DEL_MINOR ---- */

static bool rdbd_res_name_valid(const char *name)
{
	const char *c;

	if (!*name)
		return false;
	for (c = name; *c; c++) {
		/* isascii(): the kernel's isalnum() accepts Latin-1 letters */
		if (!(isascii(*c) && isalnum(*c)) &&
		    *c != '_' && *c != '.' && *c != '-')
			return false;
	}
	return true;
}

/* @src with what is not printable ASCII as '?', to quote it safely. */
static const char *rdbd_printable(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = isascii(src[i]) && isprint(src[i]) ? src[i] : '?';
	dst[i] = '\0';
	return dst;
}

static int rdbd_nl_new_minor(struct sk_buff *skb, struct genl_info *info)
{
	char shown[RDBD_RES_NAME_MAX];
	struct rdbd_device *dev;
	const char *name;
	u32 minor;

	if (GENL_REQ_ATTR_CHECK(info, RDBD_A_MINOR)) {
		rdbd_extack(info->extack, -1,
			    "missing RDBD_A_MINOR (the device minor number)");
		return -EINVAL;
	}
	minor = nla_get_u32(info->attrs[RDBD_A_MINOR]);
	if (GENL_REQ_ATTR_CHECK(info, RDBD_A_RES_NAME)) {
		rdbd_extack(info->extack, minor,
			    "missing RDBD_A_RES_NAME (the resource name)");
		return -EINVAL;
	}
	name = nla_data(info->attrs[RDBD_A_RES_NAME]);
	if (!rdbd_res_name_valid(name)) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[RDBD_A_RES_NAME]);
		rdbd_extack(info->extack, minor,
			    "invalid resource name '%s': use letters, digits, '_', '.' and '-'",
			    rdbd_printable(shown, name, sizeof(shown)));
		return -EINVAL;
	}

	dev = rdbd_dev_create(minor, name, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	mutex_lock(&dev->state_mutex);
	if (!dev->removed)
		rdbd_nl_notify(dev, false);
	rdbd_nl_unlock_dev(dev);
	return 0;
}

static int rdbd_nl_del_minor(struct sk_buff *skb, struct genl_info *info)
{
	struct rdbd_device *dev;
	int err;

	dev = rdbd_nl_lock_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	err = rdbd_down(dev, info->extack);
	if (!err) {
		rdbd_nl_notify(dev, true);
		rdbd_dev_remove(dev);
	}
	rdbd_nl_unlock_dev(dev);
	return err;
}

/* ---- ATTACH, DETACH, PRIMARY, SECONDARY ---- */

static int rdbd_act_attach(struct rdbd_device *dev, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, RDBD_A_BACKING_PATH)) {
		rdbd_extack(info->extack, dev->minor,
			    "missing RDBD_A_BACKING_PATH (the backing device)");
		return -EINVAL;
	}
	return rdbd_attach(dev, nla_data(info->attrs[RDBD_A_BACKING_PATH]),
			   info->extack);
}

static int rdbd_act_detach(struct rdbd_device *dev, struct genl_info *info)
{
	return rdbd_detach(dev, info->extack);
}

static int rdbd_act_primary(struct rdbd_device *dev, struct genl_info *info)
{
	u32 flags = 0;

	if (info->attrs[RDBD_A_FLAGS])
		flags = nla_get_u32(info->attrs[RDBD_A_FLAGS]);
	return rdbd_fence_before_primary(dev, flags & RDBD_F_FORCE,
					 info->extack) ?:
	       rdbd_primary(dev, flags & RDBD_F_FORCE, info->extack);
}

static int rdbd_act_secondary(struct rdbd_device *dev, struct genl_info *info)
{
	return rdbd_secondary(dev, info->extack);
}

static int rdbd_nl_attach(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run_settled(info, rdbd_act_attach);
}

static int rdbd_nl_detach(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run_settled(info, rdbd_act_detach);
}

static int rdbd_nl_primary(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run_settled(info, rdbd_act_primary);
}

static int rdbd_nl_secondary(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run_settled(info, rdbd_act_secondary);
}

/* ---- CONNECT, DISCONNECT ---- */

/* Copy one address attribute into @ss after checking family and length. */
static int rdbd_nl_get_addr(struct rdbd_device *dev, const struct nlattr *attr,
			    const char *what, struct sockaddr_storage *ss,
			    struct netlink_ext_ack *extack)
{
	const struct sockaddr *sa = nla_data(attr);
	int len = nla_len(attr);
	int want;

	switch (sa->sa_family) {
	case AF_INET:
		want = sizeof(struct sockaddr_in);
		break;
	case AF_INET6:
		want = sizeof(struct sockaddr_in6);
		break;
	default:
		NL_SET_BAD_ATTR(extack, attr);
		rdbd_extack(extack, dev->minor,
			    "%s address: unsupported address family %u (IPv4 and IPv6 only)",
			    what, sa->sa_family);
		return -EAFNOSUPPORT;
	}
	if (len != want) {
		NL_SET_BAD_ATTR(extack, attr);
		rdbd_extack(extack, dev->minor,
			    "%s address: %d bytes is not a sockaddr_in%s",
			    what, len, sa->sa_family == AF_INET6 ? "6" : "");
		return -EINVAL;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, sa, len);
	if (!*rdbd_sockaddr_port(ss)) {
		NL_SET_BAD_ATTR(extack, attr);
		rdbd_extack(extack, dev->minor, "%s address %pISc has no port",
			    what, ss);
		return -EINVAL;
	}
	return 0;
}

static int rdbd_nl_get_addrs(struct rdbd_device *dev, struct nlattr **tb,
			     const struct nlattr *net,
			     struct rdbd_net_conf *conf,
			     struct netlink_ext_ack *extack)
{
	int err;

	if (NL_REQ_ATTR_CHECK(extack, net, tb, RDBD_NET_LOCAL_ADDR)) {
		rdbd_extack(extack, dev->minor,
			    "missing RDBD_NET_LOCAL_ADDR (the local address)");
		return -EINVAL;
	}
	if (NL_REQ_ATTR_CHECK(extack, net, tb, RDBD_NET_PEER_ADDR)) {
		rdbd_extack(extack, dev->minor,
			    "missing RDBD_NET_PEER_ADDR (the peer's address)");
		return -EINVAL;
	}
	err = rdbd_nl_get_addr(dev, tb[RDBD_NET_LOCAL_ADDR], "local",
			       &conf->local_addr, extack);
	if (!err)
		err = rdbd_nl_get_addr(dev, tb[RDBD_NET_PEER_ADDR], "peer",
				       &conf->peer_addr, extack);
	if (err)
		return err;
	if (conf->local_addr.ss_family != conf->peer_addr.ss_family) {
		rdbd_extack(extack, dev->minor,
			    "local address %pISc and peer address %pISc are not of the same family",
			    &conf->local_addr, &conf->peer_addr);
		return -EINVAL;
	}
	conf->addr_len = nla_len(tb[RDBD_NET_LOCAL_ADDR]);
	return 0;
}

static u32 rdbd_nl_u32_or(struct nlattr **tb, int type, u32 dflt)
{
	return tb[type] ? nla_get_u32(tb[type]) : dflt;
}

/* Timers and protocol, with DRBD's defaults for what is absent. */
static int rdbd_nl_get_timers(struct rdbd_device *dev, struct nlattr **tb,
			      struct rdbd_net_conf *conf,
			      struct netlink_ext_ack *extack)
{
	conf->protocol = tb[RDBD_NET_PROTOCOL] ?
			 nla_get_u8(tb[RDBD_NET_PROTOCOL]) : RDBD_PROT_C;
	conf->connect_int_ms = rdbd_nl_u32_or(tb, RDBD_NET_CONNECT_INT_MS,
					      RDBD_DEF_CONNECT_INT_MS);
	conf->ping_int_ms = rdbd_nl_u32_or(tb, RDBD_NET_PING_INT_MS,
					   RDBD_DEF_PING_INT_MS);
	conf->ping_timeout_ms = rdbd_nl_u32_or(tb, RDBD_NET_PING_TIMEOUT_MS,
					       RDBD_DEF_PING_TIMEOUT_MS);
	conf->timeout_ms = rdbd_nl_u32_or(tb, RDBD_NET_TIMEOUT_MS,
					  RDBD_DEF_TIMEOUT_MS);
	/* As DRBD: a request must time out before the link is retried. */
	if (conf->timeout_ms >= conf->connect_int_ms ||
	    conf->timeout_ms >= conf->ping_int_ms) {
		rdbd_extack(extack, dev->minor,
			    "timeout (%u ms) must be shorter than connect-int (%u ms) and ping-int (%u ms)",
			    conf->timeout_ms, conf->connect_int_ms,
			    conf->ping_int_ms);
		return -EINVAL;
	}
	return 0;
}

/* cram-hmac-alg and shared-secret: both or neither; the hash must exist. */
static int rdbd_nl_get_auth(struct rdbd_device *dev, struct nlattr **tb,
			    struct rdbd_net_conf *conf,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *alg = tb[RDBD_NET_CRAM_HMAC_ALG];
	struct nlattr *secret = tb[RDBD_NET_SHARED_SECRET];
	char name[CRYPTO_MAX_ALG_NAME];

	if (!alg && !secret)
		return 0;
	if (!alg || !secret) {
		NL_SET_BAD_ATTR(extack, alg ? alg : secret);
		rdbd_extack(extack, dev->minor,
			    "cram-hmac-alg and shared-secret go together: set both or neither");
		return -EINVAL;
	}
	nla_strscpy(conf->hmac_alg, alg, sizeof(conf->hmac_alg));
	snprintf(name, sizeof(name), "hmac(%s)", conf->hmac_alg);
	if (!conf->hmac_alg[0] || !crypto_has_shash(name, 0, 0)) {
		NL_SET_BAD_ATTR(extack, alg);
		rdbd_extack(extack, dev->minor,
			    "cram-hmac-alg '%.32s': the kernel has no %.40s",
			    conf->hmac_alg, name);
		return -EINVAL;
	}
	conf->secret_len = nla_len(secret);
	memcpy(conf->secret, nla_data(secret), conf->secret_len);
	return 0;
}

/* after-sb-Npri: the policy ranges let through 1pri values 1-4. */
static int rdbd_nl_get_after_sb(struct rdbd_device *dev, struct nlattr **tb,
				struct rdbd_net_conf *conf,
				struct netlink_ext_ack *extack)
{
	static const int attr[3] = { RDBD_NET_AFTER_SB_0PRI,
				     RDBD_NET_AFTER_SB_1PRI,
				     RDBD_NET_AFTER_SB_2PRI };
	int i;

	for (i = 0; i < 3; i++)
		conf->after_sb[i] = tb[attr[i]] ? nla_get_u8(tb[attr[i]]) :
				    RDBD_ASB_DISCONNECT;
	if (conf->after_sb[1] != RDBD_ASB_DISCONNECT &&
	    conf->after_sb[1] != RDBD_ASB_DISCARD_SECONDARY &&
	    conf->after_sb[1] != RDBD_ASB_CONSENSUS) {
		NL_SET_BAD_ATTR(extack, tb[RDBD_NET_AFTER_SB_1PRI]);
		rdbd_extack(extack, dev->minor,
			    "after-sb-1pri %u: only disconnect, discard-secondary and consensus",
			    conf->after_sb[1]);
		return -EINVAL;
	}
	return 0;
}

static int rdbd_nl_get_net_conf(struct rdbd_device *dev,
				struct genl_info *info,
				struct rdbd_net_conf *conf)
{
	struct nlattr *tb[RDBD_NET_MAX + 1];
	struct nlattr *net = info->attrs[RDBD_A_NET];
	int err;

	if (GENL_REQ_ATTR_CHECK(info, RDBD_A_NET)) {
		rdbd_extack(info->extack, dev->minor,
			    "missing RDBD_A_NET (the connection settings)");
		return -EINVAL;
	}
	/* Validated with the family policy already; this just indexes it. */
	err = nla_parse_nested(tb, RDBD_NET_MAX, net, rdbd_net_policy,
			       info->extack);
	if (err)
		return err;
	memset(conf, 0, sizeof(*conf));
	err = rdbd_nl_get_addrs(dev, tb, net, conf, info->extack);
	if (!err)
		err = rdbd_nl_get_auth(dev, tb, conf, info->extack);
	if (err)
		return err;
	if (tb[RDBD_NET_PEER_NAME])
		nla_strscpy(conf->peer_name, tb[RDBD_NET_PEER_NAME],
			    sizeof(conf->peer_name));
	err = rdbd_nl_get_after_sb(dev, tb, conf, info->extack);
	if (!err)
		err = rdbd_verify_get_conf(dev, tb[RDBD_NET_VERIFY_ALG], conf,
					   info->extack);
	if (err)
		return err;
	return rdbd_nl_get_timers(dev, tb, conf, info->extack);
}

static int rdbd_act_connect(struct rdbd_device *dev, struct genl_info *info)
{
	struct rdbd_net_conf *conf;
	int ret;

	/* Two sockaddr_storage: too big for the stack. */
	conf = kmalloc(sizeof(*conf), GFP_KERNEL);
	if (!conf) {
		rdbd_extack(info->extack, dev->minor, "out of memory");
		return -ENOMEM;
	}
	ret = rdbd_nl_get_net_conf(dev, info, conf);
	if (!ret)
		ret = rdbd_connect(dev, conf, info->extack);
	/* Only a connect that started a connection arms --discard-my-data. */
	if (ret == RDBD_CHANGED)
		dev->conn.discard_my_data = info->attrs[RDBD_A_FLAGS] &&
			(nla_get_u32(info->attrs[RDBD_A_FLAGS]) &
			 RDBD_F_DISCARD_MY_DATA);
	kfree_sensitive(conf);		/* holds the shared secret */
	return ret;
}

static int rdbd_act_disconnect(struct rdbd_device *dev, struct genl_info *info)
{
	return rdbd_disconnect(dev);
}

static int rdbd_nl_connect(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run(info, rdbd_act_connect);
}

static int rdbd_nl_disconnect(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run(info, rdbd_act_disconnect);
}

/* ---- DISK_OPTS, PAUSE_SYNC, RESUME_SYNC ---- */

static int rdbd_act_disk_opts(struct rdbd_device *dev, struct genl_info *info)
{
	struct nlattr *tb[RDBD_DISK_MAX + 1];
	struct rdbd_disk_conf *c = &dev->disk_conf;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, RDBD_A_DISK)) {
		rdbd_extack(info->extack, dev->minor,
			    "missing RDBD_A_DISK (the disk options)");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, RDBD_DISK_MAX, info->attrs[RDBD_A_DISK],
			       rdbd_disk_policy, info->extack);
	if (err)
		return err;
	spin_lock_irq(&dev->req_lock);
	if (tb[RDBD_DISK_RESYNC_RATE_KIB])
		c->resync_rate_kib = nla_get_u32(tb[RDBD_DISK_RESYNC_RATE_KIB]);
	if (tb[RDBD_DISK_C_PLAN_AHEAD_DS])
		c->c_plan_ahead_ds = nla_get_u32(tb[RDBD_DISK_C_PLAN_AHEAD_DS]);
	if (tb[RDBD_DISK_C_MIN_RATE_KIB])
		c->c_min_rate_kib = nla_get_u32(tb[RDBD_DISK_C_MIN_RATE_KIB]);
	if (tb[RDBD_DISK_C_MAX_RATE_KIB])
		c->c_max_rate_kib = nla_get_u32(tb[RDBD_DISK_C_MAX_RATE_KIB]);
	if (tb[RDBD_DISK_AL_EXTENTS])
		c->al_extents = nla_get_u32(tb[RDBD_DISK_AL_EXTENTS]);
	if (tb[RDBD_DISK_ON_IO_ERROR])
		c->on_io_error = nla_get_u8(tb[RDBD_DISK_ON_IO_ERROR]);
	if (tb[RDBD_DISK_FENCING])
		c->fencing = nla_get_u8(tb[RDBD_DISK_FENCING]);
	spin_unlock_irq(&dev->req_lock);
	return 0;		/* no state changed: no event */
}

static int rdbd_nl_disk_opts(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run(info, rdbd_act_disk_opts);
}

static int rdbd_act_pause_sync(struct rdbd_device *dev, struct genl_info *info)
{
	return rdbd_sync_pause(dev, true, info->extack);
}

static int rdbd_act_resume_sync(struct rdbd_device *dev,
				struct genl_info *info)
{
	return rdbd_sync_pause(dev, false, info->extack);
}

static int rdbd_act_outdate(struct rdbd_device *dev, struct genl_info *info)
{
	return rdbd_outdate(dev, info->extack);
}

static int rdbd_act_invalidate(struct rdbd_device *dev,
			       struct genl_info *info)
{
	return rdbd_invalidate(dev, info->extack);
}

static int rdbd_act_invalidate_remote(struct rdbd_device *dev,
				      struct genl_info *info)
{
	return rdbd_invalidate_remote(dev, info->extack);
}

static int rdbd_nl_outdate(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run_settled(info, rdbd_act_outdate);
}

static int rdbd_nl_invalidate(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run_settled(info, rdbd_act_invalidate);
}

static int rdbd_nl_invalidate_remote(struct sk_buff *skb,
				     struct genl_info *info)
{
	return rdbd_nl_run_settled(info, rdbd_act_invalidate_remote);
}

static int rdbd_nl_pause_sync(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run(info, rdbd_act_pause_sync);
}

static int rdbd_nl_resume_sync(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run(info, rdbd_act_resume_sync);
}

static int rdbd_act_resume_io(struct rdbd_device *dev,
			      struct genl_info *info)
{
	return rdbd_fence_resume_io(dev, info->extack);
}

static int rdbd_nl_resume_io(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run(info, rdbd_act_resume_io);
}

static int rdbd_act_verify(struct rdbd_device *dev, struct genl_info *info)
{
	return rdbd_verify_start(dev, info->extack);
}

static int rdbd_nl_verify(struct sk_buff *skb, struct genl_info *info)
{
	return rdbd_nl_run_settled(info, rdbd_act_verify);
}

/* ---- GET_STATUS ---- */

static int rdbd_nl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct rdbd_device *dev;
	struct sk_buff *reply;
	int err;

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply) {
		rdbd_extack(info->extack, -1, "out of memory");
		return -ENOMEM;
	}
	dev = rdbd_nl_lock_dev(info);
	if (IS_ERR(dev)) {
		nlmsg_free(reply);
		return PTR_ERR(dev);
	}
	err = rdbd_nl_put_msg(reply, dev, info->snd_portid, info->snd_seq, 0,
			      RDBD_CMD_GET_STATUS, true);
	rdbd_nl_unlock_dev(dev);
	if (err) {
		rdbd_extack(info->extack, -1, "status does not fit a message");
		nlmsg_free(reply);
		return err;
	}
	return genlmsg_reply(reply, info);
}

/*
 * All devices, or only RDBD_A_MINOR if given; cb->args[0] is the next
 * minor to report.
 */
static int rdbd_nl_dump_status(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = rdbd_genl_dump_attrs(cb);
	unsigned int minor = cb->args[0];
	unsigned int last = RDBD_MINOR_MAX;
	struct rdbd_device *dev;
	int err = 0;

	if (attrs[RDBD_A_MINOR]) {
		last = nla_get_u32(attrs[RDBD_A_MINOR]);
		minor = max(minor, last);
	}
	while (minor <= last && (dev = rdbd_dev_get_next(&minor))) {
		if (minor > last) {
			rdbd_dev_put(dev);
			break;
		}
		mutex_lock(&dev->state_mutex);
		if (!dev->removed)
			err = rdbd_nl_put_msg(skb, dev,
					      NETLINK_CB(cb->skb).portid,
					      cb->nlh->nlmsg_seq, NLM_F_MULTI,
					      RDBD_CMD_GET_STATUS, true);
		mutex_unlock(&dev->state_mutex);
		rdbd_dev_put(dev);
		if (err)
			break;		/* skb full: resume at this minor */
		minor++;
	}
	cb->args[0] = minor;
	if (err && !skb->len)
		return err;
	return skb->len;
}

/* ---- family ---- */

static const struct genl_ops rdbd_genl_ops[] = {
	{
		.cmd	= RDBD_CMD_NEW_MINOR,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_new_minor,
	},
	{
		.cmd	= RDBD_CMD_DEL_MINOR,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_del_minor,
	},
	{
		.cmd	= RDBD_CMD_ATTACH,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_attach,
	},
	{
		.cmd	= RDBD_CMD_DETACH,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_detach,
	},
	{
		.cmd	= RDBD_CMD_CONNECT,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_connect,
	},
	{
		.cmd	= RDBD_CMD_DISCONNECT,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_disconnect,
	},
	{
		.cmd	= RDBD_CMD_PRIMARY,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_primary,
	},
	{
		.cmd	= RDBD_CMD_SECONDARY,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_secondary,
	},
	{
		.cmd	= RDBD_CMD_DISK_OPTS,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_disk_opts,
	},
	{
		.cmd	= RDBD_CMD_PAUSE_SYNC,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_pause_sync,
	},
	{
		.cmd	= RDBD_CMD_RESUME_SYNC,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_resume_sync,
	},
	{
		.cmd	= RDBD_CMD_OUTDATE,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_outdate,
	},
	{
		.cmd	= RDBD_CMD_INVALIDATE,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_invalidate,
	},
	{
		.cmd	= RDBD_CMD_INVALIDATE_REMOTE,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_invalidate_remote,
	},
	{
		.cmd	= RDBD_CMD_VERIFY,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_verify,
	},
	{
		.cmd	= RDBD_CMD_RESUME_IO,
		.flags	= GENL_ADMIN_PERM,
		.doit	= rdbd_nl_resume_io,
	},
	{
		/* Read-only: anyone may look. */
		.cmd	= RDBD_CMD_GET_STATUS,
		.doit	= rdbd_nl_get_status,
		.dumpit	= rdbd_nl_dump_status,
	},
};

static const struct genl_multicast_group rdbd_genl_mcgrps[] = {
	[RDBD_MCGRP_EVENTS] = { .name = RDBD_GENL_MCAST_EVENTS },
};

static struct genl_family rdbd_genl_family __ro_after_init = {
	.name		= RDBD_GENL_FAMILY_NAME,
	.version	= RDBD_GENL_VERSION,
	.maxattr	= RDBD_A_MAX,
	.policy		= rdbd_attr_policy,
	.parallel_ops	= true,		/* own locking, see the top */
	/* A new family: reserved header bits and policies are checked for
	 * every command, and every command validates strictly.
	 */
	.resv_start_op	= 0,
	.module		= THIS_MODULE,
	.ops		= rdbd_genl_ops,
	.n_ops		= ARRAY_SIZE(rdbd_genl_ops),
	.mcgrps		= rdbd_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(rdbd_genl_mcgrps),
};

int __init rdbd_nl_init(void)
{
	return genl_register_family(&rdbd_genl_family);
}

/* Returns once no request is in progress (genetlink takes its locks). */
void rdbd_nl_exit(void)
{
	genl_unregister_family(&rdbd_genl_family);
}
