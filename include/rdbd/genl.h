/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rdbd generic netlink interface: the only way to configure rdbd.ko.
 *
 * Shared by the kernel module and rdbdadm.  Values are part of the ABI:
 * commands and attributes are numbered explicitly and never renumbered; new
 * ones are appended.  A request carrying an attribute the kernel does not
 * know is rejected (strict validation), so a newer rdbdadm talking to an
 * older module fails loudly instead of being half-obeyed.
 *
 * Every command except RDBD_CMD_GET_STATUS changes state and needs
 * CAP_NET_ADMIN.  Errors come back as a negative errno plus an extack
 * message that rdbdadm prints verbatim.
 *
 * Validation is strict: a nested attribute (RDBD_A_NET) must carry
 * NLA_F_NESTED, and the genetlink header's reserved byte must be 0.
 *
 * Errors (the extack message names the device and the reason):
 *   any command  -EINVAL      missing or malformed attribute (named)
 *                -ENODEV      no device with that minor
 *                -EPERM       not CAP_NET_ADMIN (all but GET_STATUS)
 *   NEW_MINOR    -EEXIST      minor or resource name already in use
 *                -EINVAL      resource name not [A-Za-z0-9_.-]+
 *   ATTACH       -EBUSY       already attached, or backing device in use
 *                -EINVAL      no rdbd metadata, unknown version, or the
 *                             device size changed since create-md
 *                -EBADMSG     superblock checksum mismatch
 *                -ENOSPC      backing device too small
 *                -EIO         metadata read or write failed
 *                other        from opening the backing device (-ENOENT...)
 *   DETACH       -EBUSY       Primary, /dev/rdbdN open, or a peer is
 *                             connected (WFReportParams and above)
 *   CONNECT      -EALREADY    not StandAlone
 *                -EAFNOSUPPORT address family is not AF_INET/AF_INET6
 *                -EINVAL      bad sockaddr length, no port, mixed families,
 *                             timeout not below connect-int and ping-int,
 *                             only one of CRAM_HMAC_ALG/SHARED_SECRET, or
 *                             the kernel has no hmac(<alg>)
 *                other        the listener's bind/listen (-EADDRINUSE...)
 *   PRIMARY      -ENOMEDIUM   no local disk
 *                -EBUSY       the peer is Primary (also when both promote
 *                             at once: the lower address wins):
 *                             "Multiple primaries not allowed by config"
 *                -ENODATA     disk not UpToDate and no RDBD_F_FORCE, or
 *                             SyncTarget (even forced):
 *                             "Need access to UpToDate data" (DRBD's -2)
 *                -EAGAIN      during the handshake (WFReportParams)
 *                -ETIMEDOUT, -ENOTCONN  the peer did not answer ("State
 *                             change was refused by peer node")
 *                -EIO         metadata write failed (still Secondary)
 *   SECONDARY    -EBUSY       /dev/rdbdN is open
 *                             ("Device is held open by someone", DRBD's -12)
 *                -EIO         metadata write failed (still Primary)
 *   DEL_MINOR    -EBUSY       /dev/rdbdN is open; or as SECONDARY
 *   VERIFY       -ENOTCONN    not Connected; the peer went away meanwhile
 *                -EBUSY       a resync runs, or the peer refused (busy)
 *                -EALREADY    an online verify runs already
 *                -ENODATA     a disk is not UpToDate
 *                -ENOPROTOOPT no verify-alg here, or none on the peer
 *                -EINVAL      the peer's verify-alg differs (both named)
 *                -ETIMEDOUT   the peer did not answer
 *   PRIMARY (fencing)  -EPERM  disconnected, fencing resource-only or
 *                             resource-and-stonith, the peer not known
 *                             Outdated and the fence-peer handler did not
 *                             outdate it: "Refusing to be Primary while
 *                             peer is not outdated" (DRBD's -7; FORCE
 *                             overrides); -EBUSY if the handler said the
 *                             peer is Primary (this disk is then Outdated)
 *   RESUME_IO    (none)       succeeds also when nothing was frozen
 * Asking for a state that is already in effect (PRIMARY while Primary,
 * SECONDARY while Secondary, DETACH while Diskless, DISCONNECT while
 * StandAlone) succeeds and sends no event.
 *
 * Request layouts (all attributes top level unless drawn nested):
 *
 *   RDBD_CMD_NEW_MINOR       MINOR, RES_NAME
 *   RDBD_CMD_DEL_MINOR       MINOR
 *   RDBD_CMD_ATTACH          MINOR, BACKING_PATH
 *   RDBD_CMD_DETACH          MINOR
 *   RDBD_CMD_CONNECT         MINOR, NET
 *                              NET (nested)
 *                                +- RDBD_NET_LOCAL_ADDR    sockaddr_in/in6
 *                                +- RDBD_NET_PEER_ADDR     sockaddr_in/in6
 *                                +- RDBD_NET_PEER_NAME     string
 *                                +- RDBD_NET_PROTOCOL      u8 (RDBD_PROT_*)
 *                                +- RDBD_NET_CONNECT_INT_MS, ... (u32)
 *                                +- RDBD_NET_CRAM_HMAC_ALG  string
 *                                +- RDBD_NET_SHARED_SECRET  binary
 *   RDBD_CMD_DISCONNECT      MINOR
 *   RDBD_CMD_PRIMARY         MINOR, [FLAGS: RDBD_F_FORCE]
 *   RDBD_CMD_SECONDARY       MINOR
 *   RDBD_CMD_GET_STATUS      MINOR (doit) or nothing (dumpit: all minors)
 *   RDBD_CMD_DISK_OPTS       MINOR, DISK
 *                              DISK (nested)
 *                                +- RDBD_DISK_RESYNC_RATE_KIB, ... (u32)
 *   RDBD_CMD_PAUSE_SYNC      MINOR
 *   RDBD_CMD_RESUME_SYNC     MINOR
 *   RDBD_CMD_OUTDATE, _INVALIDATE, _INVALIDATE_REMOTE   MINOR
 *   (CONNECT also takes FLAGS: RDBD_F_DISCARD_MY_DATA)
 *   RDBD_CMD_VERIFY          MINOR
 *   RDBD_CMD_RESUME_IO       MINOR
 *
 * Replies to GET_STATUS and multicast RDBD_CMD_EVENT messages (group
 * RDBD_GENL_MCAST_EVENTS, sent on every state change) carry the following;
 * an EVENT without STATUS says the minor was deleted:
 *
 *   MINOR, RES_NAME,
 *   STATUS (nested)
 *     +- RDBD_STATUS_ROLE, _DISK_STATE, _CONN_STATE, _PEER_ROLE, ... (u8)
 *     +- RDBD_STATUS_SIZE_SECTORS, counters, UUIDs (u64)
 *     +- RDBD_STATUS_BACKING_PATH, _LAST_ERROR (string)
 */
#ifndef _UAPI_RDBD_GENL_H
#define _UAPI_RDBD_GENL_H

#define RDBD_GENL_FAMILY_NAME	"rdbd"
#define RDBD_GENL_VERSION	1
#define RDBD_GENL_MCAST_EVENTS	"events"

/* Limits, NUL included. */
#define RDBD_RES_NAME_MAX	64
#define RDBD_PATH_MAX		256
#define RDBD_MINOR_MAX		255	/* minors are 0..RDBD_MINOR_MAX */
#define RDBD_SECRET_MAX		64	/* shared-secret bytes, as DRBD */
#define RDBD_HMAC_ALG_MAX	64
#define RDBD_VERIFY_ALG_MAX	32	/* verify-alg name */

enum rdbd_cmd {
	RDBD_CMD_UNSPEC		= 0,
	RDBD_CMD_NEW_MINOR	= 1,	/* create /dev/rdbdN: Secondary, Diskless, StandAlone */
	RDBD_CMD_DEL_MINOR	= 2,	/* disconnect, detach, remove; -EBUSY if open */
	RDBD_CMD_ATTACH		= 3,	/* claim backing disk, read its metadata */
	RDBD_CMD_DETACH		= 4,	/* release backing disk */
	RDBD_CMD_CONNECT	= 5,	/* StandAlone -> WFConnection */
	RDBD_CMD_DISCONNECT	= 6,	/* -> StandAlone */
	RDBD_CMD_PRIMARY	= 7,
	RDBD_CMD_SECONDARY	= 8,
	RDBD_CMD_GET_STATUS	= 9,
	RDBD_CMD_EVENT		= 10,	/* kernel -> user only, multicast */
	RDBD_CMD_DISK_OPTS	= 11,	/* resync rate controls, any time */
	RDBD_CMD_PAUSE_SYNC	= 12,	/* hold a sync (this node's pause) */
	RDBD_CMD_RESUME_SYNC	= 13,	/* release this node's pause */
	RDBD_CMD_OUTDATE	= 14,	/* mark this disk Outdated */
	RDBD_CMD_INVALIDATE	= 15,	/* full sync towards this node */
	RDBD_CMD_INVALIDATE_REMOTE = 16, /* full sync towards the peer */
	RDBD_CMD_VERIFY		= 17,	/* online verify: this node VerifyS */
	RDBD_CMD_RESUME_IO	= 18,	/* end a fencing freeze of application I/O */
	__RDBD_CMD_MAX,
};
#define RDBD_CMD_MAX (__RDBD_CMD_MAX - 1)

enum rdbd_attr {
	RDBD_A_UNSPEC		= 0,
	RDBD_A_MINOR		= 1,	/* u32, 0..RDBD_MINOR_MAX */
	RDBD_A_RES_NAME		= 2,	/* string, < RDBD_RES_NAME_MAX, [A-Za-z0-9_.-] */
	RDBD_A_BACKING_PATH	= 3,	/* string, absolute, < RDBD_PATH_MAX */
	RDBD_A_FLAGS		= 4,	/* u32, RDBD_F_* */
	RDBD_A_NET		= 5,	/* nested, RDBD_NET_* */
	RDBD_A_STATUS		= 6,	/* nested, RDBD_STATUS_* (replies only) */
	RDBD_A_DISK		= 7,	/* nested, RDBD_DISK_* */
	__RDBD_A_MAX,
};
#define RDBD_A_MAX (__RDBD_A_MAX - 1)

/* RDBD_A_FLAGS bits.  Unknown bits are rejected. */
#define RDBD_F_FORCE		(1U << 0)	/* PRIMARY: promote an Inconsistent/Outdated disk */
/* CONNECT: after a split brain, this node's changes are the ones to lose */
#define RDBD_F_DISCARD_MY_DATA	(1U << 1)
#define RDBD_F_ALL		(RDBD_F_FORCE | RDBD_F_DISCARD_MY_DATA)

/*
 * RDBD_A_DISK (DISK_OPTS): the resync controller, DRBD's disk options.
 * An absent attribute keeps its value; a new device starts with DRBD's
 * defaults (250, 20, 250, 102400).  c-plan-ahead 0: a fixed rate of
 * resync-rate.  Otherwise up to c-max-rate, held to c-min-rate while
 * application writes arrive.  A rate of 0 means unlimited.
 */
enum rdbd_disk_attr {
	RDBD_DISK_UNSPEC		= 0,
	RDBD_DISK_RESYNC_RATE_KIB	= 1,	/* u32, KiB/s */
	RDBD_DISK_C_PLAN_AHEAD_DS	= 2,	/* u32, 0.1 s; 0 = fixed rate */
	RDBD_DISK_C_MIN_RATE_KIB	= 3,	/* u32, KiB/s */
	RDBD_DISK_C_MAX_RATE_KIB	= 4,	/* u32, KiB/s */
	/* u32, 7..65534: hot 4 MiB extents of the activity log, from the
	 * next attach on; capped at RDBD_AL_EXTENTS_MAX (1016) */
	RDBD_DISK_AL_EXTENTS		= 5,
	/* u8, enum rdbd_on_io_error: what a backing-disk I/O error does;
	 * a new device starts with detach */
	RDBD_DISK_ON_IO_ERROR		= 6,
	/* u8, enum rdbd_fencing: what losing the peer does to a Primary
	 * and what a disconnected promotion needs; a new device starts
	 * with dont-care */
	RDBD_DISK_FENCING		= 7,
	__RDBD_DISK_MAX,
};
#define RDBD_DISK_MAX (__RDBD_DISK_MAX - 1)

enum rdbd_net_attr {
	RDBD_NET_UNSPEC			= 0,
	RDBD_NET_LOCAL_ADDR		= 1,	/* binary struct sockaddr_in or sockaddr_in6 */
	RDBD_NET_PEER_ADDR		= 2,	/* binary struct sockaddr_in or sockaddr_in6 */
	RDBD_NET_PEER_NAME		= 3,	/* string: the peer's `on` host name */
	RDBD_NET_PROTOCOL		= 4,	/* u8, RDBD_PROT_* */
	RDBD_NET_CONNECT_INT_MS		= 5,	/* u32: retry period while WFConnection */
	RDBD_NET_PING_INT_MS		= 6,	/* u32: idle time before a ping */
	RDBD_NET_PING_TIMEOUT_MS	= 7,	/* u32: ping answer deadline */
	RDBD_NET_TIMEOUT_MS		= 8,	/* u32: data packet answer deadline */
	/* Peer authentication (challenge-response; the secret never crosses
	 * the wire).  Both or neither; without them the peer is not
	 * authenticated. */
	RDBD_NET_CRAM_HMAC_ALG		= 9,	/* string: hash name, e.g. "sha256" */
	RDBD_NET_SHARED_SECRET		= 10,	/* binary, 1..RDBD_SECRET_MAX bytes */
	/* Automatic split-brain recovery, enum rdbd_after_sb; absent =
	 * disconnect.  0pri: DISCONNECT..DISCARD_LEAST_CHANGES;
	 * 1pri: DISCONNECT, DISCARD_SECONDARY, CONSENSUS; 2pri: DISCONNECT. */
	RDBD_NET_AFTER_SB_0PRI		= 11,	/* u8 */
	RDBD_NET_AFTER_SB_1PRI		= 12,	/* u8 */
	RDBD_NET_AFTER_SB_2PRI		= 13,	/* u8 */
	/* string: online verify digest, "crc32c" or "sha256" (the ones
	 * tested); absent = verify refused.  Both peers must name the same. */
	RDBD_NET_VERIFY_ALG		= 14,
	__RDBD_NET_MAX,
};
#define RDBD_NET_MAX (__RDBD_NET_MAX - 1)

/* on-io-error policies (RDBD_DISK_ON_IO_ERROR), DRBD's names */
enum rdbd_on_io_error {
	/* the disk goes Failed -> Diskless; the peer serves its I/O */
	RDBD_ON_IO_ERROR_DETACH		= 0,
	/* the bio completes with the error; the disk stays attached */
	RDBD_ON_IO_ERROR_PASS_ON	= 1,
};

/*
 * Fencing policies (RDBD_DISK_FENCING), DRBD 8.4's names and meaning.
 * With resource-only or resource-and-stonith, a Primary that loses its
 * peer, and a disconnected Secondary that is promoted while the peer is
 * not known Outdated, run the fence-peer handler, whose exit code says
 * what became of the peer (see "Fencing" in kernel/fence.c):
 *   3 peer Inconsistent, 4 peer Outdated, 7 peer fenced (powered off):
 *     the peer cannot take over with old data; recorded on disk
 *     (RDBD_MDF_PEER_OUT_DATED);
 *   5 peer unreachable: counts as outdated only if this disk is UpToDate;
 *   6 peer is Primary: a Secondary outdates its own disk and refuses;
 *   anything else: the peer's state is unknown.
 */
enum rdbd_fencing {
	/* the peer is never fenced (DRBD's default) */
	RDBD_FENCING_DONT_CARE		= 0,
	/* fence-peer runs; application I/O goes on meanwhile */
	RDBD_FENCING_RESOURCE_ONLY	= 1,
	/* fence-peer runs and a Primary's application I/O is frozen until
	 * it succeeds or RDBD_CMD_RESUME_IO */
	RDBD_FENCING_RESOURCE_AND_STONITH = 2,
};

/* after-sb-Npri policies, DRBD's names */
enum rdbd_after_sb {
	RDBD_ASB_DISCONNECT		= 0,
	RDBD_ASB_DISCARD_YOUNGER_PRIMARY = 1,
	RDBD_ASB_DISCARD_OLDER_PRIMARY	= 2,
	RDBD_ASB_DISCARD_ZERO_CHANGES	= 3,
	RDBD_ASB_DISCARD_LEAST_CHANGES	= 4,
	RDBD_ASB_DISCARD_SECONDARY	= 5,
	RDBD_ASB_CONSENSUS		= 6,
};

enum rdbd_protocol {
	RDBD_PROT_A = 1,	/* write done when local done and sent */
	RDBD_PROT_B = 2,	/* ... and the peer received it */
	RDBD_PROT_C = 3,	/* ... and it is on the peer's disk */
};

enum rdbd_status_attr {
	RDBD_STATUS_UNSPEC		= 0,
	RDBD_STATUS_ROLE		= 1,	/* u8, enum rdbd_role */
	RDBD_STATUS_DISK_STATE		= 2,	/* u8, enum rdbd_disk_state */
	RDBD_STATUS_CONN_STATE		= 3,	/* u8, enum rdbd_conn_state */
	RDBD_STATUS_PEER_ROLE		= 4,	/* u8, enum rdbd_role */
	RDBD_STATUS_PEER_DISK_STATE	= 5,	/* u8, enum rdbd_disk_state */
	RDBD_STATUS_PROTOCOL		= 6,	/* u8, enum rdbd_protocol; 0 if not configured */
	RDBD_STATUS_SIZE_SECTORS	= 7,	/* u64: exposed size in 512-byte sectors */
	RDBD_STATUS_BACKING_PATH	= 8,	/* string; absent while Diskless */
	RDBD_STATUS_OPEN_COUNT		= 9,	/* u32: current openers of /dev/rdbdN */
	RDBD_STATUS_MD_FLAGS		= 10,	/* u32, RDBD_MDF_* as on disk */
	RDBD_STATUS_UUID_CURRENT	= 11,	/* u64 */
	RDBD_STATUS_UUID_BITMAP		= 12,	/* u64 */
	RDBD_STATUS_UUID_HISTORY0	= 13,	/* u64 */
	RDBD_STATUS_UUID_HISTORY1	= 14,	/* u64 */
	RDBD_STATUS_DISK_WRITTEN_KIB	= 15,	/* u64 */
	RDBD_STATUS_DISK_READ_KIB	= 16,	/* u64 */
	RDBD_STATUS_NET_SENT_KIB	= 17,	/* u64 */
	RDBD_STATUS_NET_RECEIVED_KIB	= 18,	/* u64 */
	RDBD_STATUS_OUT_OF_SYNC_KIB	= 19,	/* u64 */
	RDBD_STATUS_LAST_ERROR		= 20,	/* string: why the last connection or disk failed */
	RDBD_STATUS_PAD			= 21,	/* padding for 64-bit attributes */
	RDBD_STATUS_RESYNC_SENT_KIB	= 22,	/* u64: resync data sent to the peer */
	RDBD_STATUS_RESYNC_RECEIVED_KIB	= 23,	/* u64: resync data received */
	/* While SyncSource/SyncTarget (and paused): the size of this sync and
	 * how long it has run; OUT_OF_SYNC_KIB is what is left. */
	RDBD_STATUS_SYNC_TOTAL_KIB	= 24,	/* u64 */
	RDBD_STATUS_SYNC_ELAPSED_MS	= 25,	/* u64 */
	RDBD_STATUS_BM_WRITES		= 26,	/* u64: bitmap blocks written */
	/* u8: 1 if the last connection attempt found a split brain */
	RDBD_STATUS_SPLIT_BRAIN		= 27,
	RDBD_STATUS_AL_WRITES		= 28,	/* u64: activity-log transactions */
	/* Online verify, while VerifyS/VerifyT and afterwards (the last
	 * verify of this device, until the next one starts; absent if none
	 * ran): blocks compared so far, the device size, and the blocks
	 * found different (marked out of sync), all in KiB. */
	RDBD_STATUS_VERIFY_DONE_KIB	= 29,	/* u64 */
	RDBD_STATUS_VERIFY_TOTAL_KIB	= 30,	/* u64 */
	RDBD_STATUS_VERIFY_OOS_KIB	= 31,	/* u64 */
	RDBD_STATUS_IO_ERRORS		= 32,	/* u64: failed backing-disk I/Os */
	RDBD_STATUS_PEER_READ_KIB	= 33,	/* u64: reads the peer served */
	/* The resync controller as RDBD_CMD_DISK_OPTS last set it (u32, the
	 * units of the RDBD_DISK_* of the same name); AL_EXTENTS is the
	 * value the next attach uses, not necessarily the one in use. */
	RDBD_STATUS_RESYNC_RATE_KIB	= 35,
	RDBD_STATUS_C_PLAN_AHEAD_DS	= 36,
	RDBD_STATUS_C_MIN_RATE_KIB	= 37,
	RDBD_STATUS_C_MAX_RATE_KIB	= 38,
	RDBD_STATUS_AL_EXTENTS		= 39,
	RDBD_STATUS_FENCING		= 40,	/* u8, enum rdbd_fencing */
	/* u8: 1 while application I/O is frozen by fencing (DRBD's
	 * susp-fen), 0 otherwise */
	RDBD_STATUS_SUSPENDED		= 41,
	/* u8: 1 while a fence-peer handler runs for this device */
	RDBD_STATUS_FENCING_PEER	= 42,
	__RDBD_STATUS_MAX,
};
#define RDBD_STATUS_MAX (__RDBD_STATUS_MAX - 1)

/* States and their names follow DRBD 8.4 (linux/drbd.h), values included. */
enum rdbd_role {
	RDBD_ROLE_UNKNOWN	= 0,
	RDBD_ROLE_PRIMARY	= 1,
	RDBD_ROLE_SECONDARY	= 2,
};

enum rdbd_disk_state {
	RDBD_DISK_DISKLESS	= 0,
	RDBD_DISK_ATTACHING	= 1,
	RDBD_DISK_FAILED	= 2,
	RDBD_DISK_NEGOTIATING	= 3,
	RDBD_DISK_INCONSISTENT	= 4,
	RDBD_DISK_OUTDATED	= 5,
	RDBD_DISK_DUNKNOWN	= 6,	/* peer's disk, while not connected */
	RDBD_DISK_CONSISTENT	= 7,
	RDBD_DISK_UPTODATE	= 8,
};

enum rdbd_conn_state {
	RDBD_CONN_STANDALONE		= 0,
	RDBD_CONN_DISCONNECTING		= 1,
	RDBD_CONN_UNCONNECTED		= 2,
	RDBD_CONN_TIMEOUT		= 3,
	RDBD_CONN_BROKEN_PIPE		= 4,
	RDBD_CONN_NETWORK_FAILURE	= 5,
	RDBD_CONN_PROTOCOL_ERROR	= 6,
	RDBD_CONN_TEAR_DOWN		= 7,
	RDBD_CONN_WF_CONNECTION		= 8,
	RDBD_CONN_WF_REPORT_PARAMS	= 9,
	RDBD_CONN_CONNECTED		= 10,
	RDBD_CONN_STARTING_SYNC_S	= 11,
	RDBD_CONN_STARTING_SYNC_T	= 12,
	RDBD_CONN_WF_BITMAP_S		= 13,
	RDBD_CONN_WF_BITMAP_T		= 14,
	RDBD_CONN_WF_SYNC_UUID		= 15,
	RDBD_CONN_SYNC_SOURCE		= 16,
	RDBD_CONN_SYNC_TARGET		= 17,
	RDBD_CONN_VERIFY_S		= 18,
	RDBD_CONN_VERIFY_T		= 19,
	RDBD_CONN_PAUSED_SYNC_S		= 20,
	RDBD_CONN_PAUSED_SYNC_T		= 21,
	RDBD_CONN_AHEAD			= 22,
	RDBD_CONN_BEHIND		= 23,
};

#endif /* _UAPI_RDBD_GENL_H */
