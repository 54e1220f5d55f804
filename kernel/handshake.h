/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What handshake.c (the exchange) and decide.c (the decision) share.
 */
#ifndef RDBD_HANDSHAKE_H
#define RDBD_HANDSHAKE_H

#include "rdbd_int.h"

/*
 * This node's facts, read under state_mutex as the handshake enters
 * WFReportParams.  They are what we send and what we decide from; before
 * acting on the decision the handshake checks, under state_mutex again,
 * that the device still matches them (rdbd_hs_unchanged()).
 */
struct rdbd_hs_self {
	struct rdbd_backing *ldev;	/* NULL: Diskless; pinned meanwhile */
	enum rdbd_role role;
	enum rdbd_disk_state disk_state;
	u64 uuid[RDBD_UUID_SLOTS];	/* ldev's, or the data a Diskless
					 * Primary serves as CURRENT */
	u32 md_flags;
	u64 bits;			/* blocks marked in our bitmap */
	u64 data_bytes;			/* of ldev; 0 if Diskless */
	bool discard_my_data;		/* CONNECT --discard-my-data */
};

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

/* The decision both sides reach (decide.c). */
enum rdbd_hs_result {
	RDBD_HS_CONNECTED,
	RDBD_HS_SYNC_SOURCE,
	RDBD_HS_SYNC_TARGET,
	RDBD_HS_DISKLESS,		/* one side has no disk (ioerr.c) */
};

/* decide.c */
int rdbd_hs_decide(struct rdbd_device *dev, const struct rdbd_hs_self *self,
		   const struct rdbd_peer_facts *peer, bool *full);

/* handshake.c: the deadline of the next handshake step (connect-int) */
unsigned long rdbd_hs_deadline(struct rdbd_device *dev);

/* auth.c */
int rdbd_hs_auth(struct rdbd_device *dev, struct rdbd_packet *pkt);

#endif /* RDBD_HANDSHAKE_H */
