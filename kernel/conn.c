// SPDX-License-Identifier: GPL-2.0
/*
 * The connection to the peer: establishing it, the handshake, liveness,
 * the receive loop, and tearing it down again.
 *
 * Design
 * ======
 * Threads.  Per device, between CONNECT and DISCONNECT:
 *   rdbd_conn/N   the connection thread.  It owns the socket: it
 *                 establishes it, runs the handshake (handshake.c), and
 *                 is then the only reader of the socket (the receive
 *                 loop below), so the wire is parsed in one place.  When
 *                 the connection fails it tears everything down and goes
 *                 back to WFConnection by itself.
 *   rdbd_sync/N   the SyncSource side of a full sync (sync.c), started
 *                 when a sync starts, stopped when it ends or the
 *                 connection does.
 * plus, per TCP connection,
 *   rdbd_send/N   the sender (sender.c): the only writer of the socket.
 *                 Everyone queues whole packets for it, so a packet is
 *                 never cut short by the state of whoever wanted it
 *                 sent (a signal to a writer, say).
 * plus work items on rdbd_wq: ack_work sends the acks of writes that
 * completed on this (Secondary) disk, since a bio completes in interrupt
 * context; barrier_work acks epochs (epoch.c); notify_work multicasts
 * state changes made where state_mutex cannot be waited for.  A writer
 * waits for its own write to be sent (protocol A) or acked (B, C), so
 * TCP back-pressure slows the writers and the queue stays short.
 *
 * One TCP socket per connection.  DRBD 8.4 uses two (data and "meta",
 * so pings and acks do not queue behind megabytes of data).  Here acks go
 * the other way from the data on the same full-duplex socket, and the
 * sender puts a ping that is due before its next packet
 * (conn->ctrl_pending), so one socket suffices; it also removes the
 * "which socket pairs with which" problem of two connects.  TCP_NODELAY is on: packets are built whole and sent
 * with MSG_MORE until their last byte.  Socket buffers are left to TCP
 * autotuning by default (measured here: a full sync ran at 33-42 MiB/s
 * with autotuning and 22-26 MiB/s with fixed 2 MiB buffers; the
 * sock_buf_kib parameter fixes them).  SO_KEEPALIVE is not used: our
 * pings detect a dead peer in ping-int + ping-timeout.
 *
 * A known cost of one socket: under protocol A a ping queues behind the
 * data already in flight, so a peer whose disk is slower than the link
 * for longer than ping-timeout can be declared dead (DRBD's meta socket
 * avoids this).  Protocol C does not build such a backlog.
 *
 * Who dials.  Only the node with the lower address (IP, then port)
 * dials; the other only accepts (and the dialer closes anything it
 * accepts).  Two nodes dialing each other at once would otherwise produce
 * two connections and need a rule to pick one; with one dialer there is
 * never more than one connection.  Both orders of starting work: the
 * dialer retries every connect-int until the acceptor listens, and an
 * acceptor that comes up later is found at the dialer's next attempt.
 * After a link cut or a peer reboot each side notices on its own (ping
 * timeout, or a reset), and the dialer dials again.
 *
 * Packet flow, CONNECT on both nodes, corman (10.99.1.1) Primary:
 *
 *   corman (dials)                          rabius (accepts)
 *   connect() ------------------ TCP ------------> accept()
 *   HELLO -->                                   <-- HELLO
 *   [AUTH_CHALLENGE, AUTH_RESPONSE, AUTH_RESULT both ways]
 *   PARAMS, UUIDS -->                   <-- PARAMS, UUIDS
 *   both: uuid_compare() = 0 -> Connected, event multicast
 *   DATA {sector 0, id 1} + 4 KiB ------------>  submit, then on completion
 *                                <------------ WRITE_ACK {id 1}  (ack_work)
 *   (idle for ping-int) PING ----------------->
 *                                <------------ PING_ACK
 *
 * State ownership.  Netlink commands hold state_mutex; the connection
 * and sync threads change states too.  They never block on state_mutex
 * (DISCONNECT holds it while it stops them): they take it with
 * rdbd_conn_lock_state(), which gives up when the thread is told to stop.
 * What the receive loop changes (peer role and disk, cstate) is written
 * under req_lock and announced through notify_work.
 */
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "rdbd_int.h"

#define RDBD_REFUSAL_FLUSH_MS	1000	/* time a refusal gets to reach the peer */

/* ---- helpers shared by the connection code ---- */

/* A reason the connection failed or was refused: log and last error. */
void rdbd_conn_error(struct rdbd_device *dev, const char *fmt, ...)
{
	char buf[RDBD_LAST_ERROR_LEN];
	va_list args;

	va_start(args, fmt);
	vscnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	pr_warn("rdbd%u: %s\n", dev->minor, buf);
	rdbd_set_last_error(dev, "%s", buf);
}

/*
 * state_mutex for a connection or sync thread: false if the thread was
 * told to stop meanwhile (its stopper may be the holder).  Polls, since
 * there is no mutex_lock that also wakes on kthread_stop(); state changes
 * from these threads are rare (handshake, sync end, connection loss).
 */
bool rdbd_conn_lock_state(struct rdbd_device *dev)
{
	while (!mutex_trylock(&dev->state_mutex)) {
		if (kthread_should_stop())
			return false;
		schedule_timeout_uninterruptible(1);
	}
	return true;
}

static void rdbd_notify_work(struct work_struct *work)
{
	struct rdbd_device *dev = container_of(to_delayed_work(work),
					       struct rdbd_device,
					       conn.notify_work);

	/* Never wait for state_mutex: its holder may be cancelling us. */
	if (!mutex_trylock(&dev->state_mutex)) {
		queue_delayed_work(rdbd_wq, &dev->conn.notify_work, 1);
		return;
	}
	if (!dev->removed)
		rdbd_nl_notify_state(dev);
	mutex_unlock(&dev->state_mutex);
}

/* Multicast the state soon, from a context that may take state_mutex. */
void rdbd_notify_later(struct rdbd_device *dev)
{
	queue_delayed_work(rdbd_wq, &dev->conn.notify_work, 0);
}

void rdbd_set_cstate(struct rdbd_device *dev, enum rdbd_conn_state cs)
{
	spin_lock_irq(&dev->req_lock);
	dev->conn.cstate = cs;
	rdbd_mark_volatile(dev);	/* req.c: the next flush is real */
	spin_unlock_irq(&dev->req_lock);
	wake_up_all(&dev->conn.state_wait);
	rdbd_notify_later(dev);
}

/**
 * rdbd_conn_busy_done - a sync or verify ended: Connected again
 * @dev: the device (state_mutex held)
 * @peer_disk: the peer's disk state now, or DUnknown to keep it
 *
 * Only if the connection is still in the sync or verify: the teardown
 * sets its state without state_mutex, and a sync or verify thread that
 * checked the state earlier must not turn a lost connection back into
 * Connected (writes would then queue for a peer that is gone).
 * Returns false if the connection was lost meanwhile.
 */
bool rdbd_conn_busy_done(struct rdbd_device *dev,
			 enum rdbd_disk_state peer_disk)
{
	bool busy;

	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	busy = dev->conn.cstate > RDBD_CONN_CONNECTED;
	if (busy) {
		dev->conn.cstate = RDBD_CONN_CONNECTED;
		if (peer_disk != RDBD_DISK_DUNKNOWN)
			dev->conn.peer_disk_state = peer_disk;
		rdbd_mark_volatile(dev);	/* as rdbd_set_cstate() */
	}
	spin_unlock_irq(&dev->req_lock);
	if (busy) {
		wake_up_all(&dev->conn.state_wait);
		rdbd_notify_later(dev);
	}
	return busy;
}

static void rdbd_set_peer_state(struct rdbd_device *dev, enum rdbd_role role,
				enum rdbd_disk_state disk_state)
{
	spin_lock_irq(&dev->req_lock);
	dev->conn.peer_role = role;
	dev->conn.peer_disk_state = disk_state;
	spin_unlock_irq(&dev->req_lock);
	rdbd_notify_later(dev);
}

bool rdbd_connected(struct rdbd_device *dev)
{
	return READ_ONCE(dev->conn.cstate) >= RDBD_CONN_CONNECTED;
}

/* Tell the peer our role and disk state (after they changed). */
void rdbd_conn_send_state(struct rdbd_device *dev)
{
	struct rdbd_p_state p = {};

	if (!rdbd_connected(dev))
		return;
	p.role = dev->role;
	p.disk_state = dev->disk_state;
	rdbd_send_packet(dev, RDBD_P_STATE, &p, sizeof(p));
}

/*
 * The handshake succeeded (state_mutex held): record the peer and the
 * new connection state, and start a sync if one was decided.
 */
void rdbd_conn_established_state(struct rdbd_device *dev,
				 enum rdbd_role peer_role,
				 enum rdbd_disk_state peer_disk,
				 bool sync_source, bool sync_target)
{
	enum rdbd_conn_state cs = RDBD_CONN_CONNECTED;

	lockdep_assert_held(&dev->state_mutex);
	dev->conn.discard_my_data = false;	/* used: once per connect */
	spin_lock_irq(&dev->req_lock);
	dev->conn.split_brain = false;
	spin_unlock_irq(&dev->req_lock);
	if (sync_source) {
		peer_disk = RDBD_DISK_INCONSISTENT;
		cs = RDBD_CONN_SYNC_SOURCE;
	} else if (sync_target) {
		peer_disk = RDBD_DISK_UPTODATE;
		cs = RDBD_CONN_SYNC_TARGET;
	} else if (peer_disk == RDBD_DISK_OUTDATED ||
		   peer_disk == RDBD_DISK_CONSISTENT) {
		peer_disk = RDBD_DISK_UPTODATE;	/* same data as ours */
	}
	rdbd_set_peer_state(dev, peer_role, peer_disk);
	rdbd_set_cstate(dev, cs);
	rdbd_fence_connected(dev);
	if (READ_ONCE(dev->conn.pause_user))
		rdbd_sync_send_pause(dev);
	rdbd_sync_apply_pause(dev);
	pr_info("rdbd%u: connected to '%s': %s, peer %s/%s\n", dev->minor,
		dev->conn.peer_node,
		sync_source ? "SyncSource" : sync_target ? "SyncTarget" :
		"Connected", rdbd_role_name(peer_role),
		rdbd_disk_state_name(peer_disk));
	if (sync_source)
		rdbd_sync_source_start(dev);
	rdbd_nl_notify_state(dev);
}

/* ---- the receive loop ---- */

/* The peer asks to become Primary (STATE_CHG_REQ). */
static int rdbd_got_state_chg_req(struct rdbd_device *dev,
				  const struct rdbd_p_state_chg_req *p)
{
	struct rdbd_p_state_chg_reply reply = { .req_id = p->req_id };
	struct rdbd_connection *conn = &dev->conn;
	int result = 0;

	spin_lock_irq(&dev->req_lock);
	/*
	 * Both promoting at once: the node that dials (lower address) wins,
	 * so exactly one of the two requests is granted.
	 */
	if (dev->role == RDBD_ROLE_PRIMARY || (conn->promoting && conn->we_dial))
		result = EBUSY;
	else
		conn->peer_role = RDBD_ROLE_PRIMARY;
	spin_unlock_irq(&dev->req_lock);
	reply.result = cpu_to_be32(result);
	rdbd_notify_later(dev);
	return rdbd_send_packet(dev, RDBD_P_STATE_CHG_REPLY, &reply,
				sizeof(reply));
}

static void rdbd_got_state_chg_reply(struct rdbd_device *dev,
				     const struct rdbd_p_state_chg_reply *p)
{
	struct rdbd_connection *conn = &dev->conn;

	spin_lock_irq(&dev->req_lock);
	if (conn->promoting && be32_to_cpu(p->req_id) == conn->state_req_id) {
		conn->state_reply = -(int)min_t(u32, be32_to_cpu(p->result),
						MAX_ERRNO);
		conn->reply_ready = true;
	}
	spin_unlock_irq(&dev->req_lock);
	wake_up_all(&conn->state_wait);
}

static int rdbd_got_state(struct rdbd_device *dev, const struct rdbd_p_state *p)
{
	enum rdbd_role role = p->role == RDBD_ROLE_PRIMARY ?
			      RDBD_ROLE_PRIMARY : RDBD_ROLE_SECONDARY;

	enum rdbd_disk_state old = READ_ONCE(dev->conn.peer_disk_state);

	if (p->disk_state > RDBD_DISK_UPTODATE) {
		rdbd_conn_error(dev, "peer sent disk state %u; dropping connection",
				p->disk_state);
		return -EPROTO;
	}
	rdbd_set_peer_state(dev, role, p->disk_state);
	rdbd_ioerr_peer_state(dev, role, old, p->disk_state);
	return 0;
}

/* Handle one packet after the handshake. */
static int rdbd_conn_dispatch(struct rdbd_device *dev, struct rdbd_packet *pkt)
{
	switch (pkt->cmd) {
	case RDBD_P_PING:
		rdbd_send_ctrl(dev, RDBD_CTRL_PING_ACK);
		return 0;
	case RDBD_P_PING_ACK:
		return 0;		/* rdbd_recv_*() noted the life */
	case RDBD_P_STATE:
		return rdbd_got_state(dev, &pkt->u.state);
	case RDBD_P_STATE_CHG_REQ:
		return rdbd_got_state_chg_req(dev, &pkt->u.state_req);
	case RDBD_P_STATE_CHG_REPLY:
		rdbd_got_state_chg_reply(dev, &pkt->u.state_reply);
		return 0;
	case RDBD_P_DATA:
	case RDBD_P_RS_DATA:
		return rdbd_receive_data(dev, pkt);
	case RDBD_P_RECV_ACK:
	case RDBD_P_WRITE_ACK:
	case RDBD_P_NEG_ACK:
		return rdbd_got_ack(dev, pkt->cmd, &pkt->u.ack);
	case RDBD_P_BARRIER:
		return rdbd_epoch_got_barrier(dev, &pkt->u.barrier);
	case RDBD_P_BARRIER_ACK:
		return rdbd_tl_barrier_ack(dev,
					   be64_to_cpu(pkt->u.barrier.epoch),
					   be32_to_cpu(pkt->u.barrier.writes));
	case RDBD_P_RS_WRITE_ACK:
	case RDBD_P_RS_NEG_ACK:
		return rdbd_sync_got_ack(dev, pkt->cmd, &pkt->u.ack);
	case RDBD_P_SYNC_UUID:
		return rdbd_sync_target_start(dev,
					      be64_to_cpu(pkt->u.sync_uuid.uuid));
	case RDBD_P_SYNC_DONE:
		return rdbd_sync_target_done(dev, &pkt->u.sync_done);
	case RDBD_P_BITMAP:
		return rdbd_bm_merge(dev, &pkt->u.bitmap);
	case RDBD_P_BITMAP_DONE:
		return rdbd_bm_got_done(dev, &pkt->u.bitmap_done);
	case RDBD_P_SYNC_PAUSE:
		return rdbd_sync_got_pause(dev, &pkt->u.sync_pause);
	case RDBD_P_INVALIDATE:
		return rdbd_inv_got_request(dev);
	case RDBD_P_READ_REQ:
		return rdbd_rread_got_req(dev, &pkt->u.read_req);
	case RDBD_P_READ_REPLY:
		return rdbd_rread_got_reply(dev, pkt);
	case RDBD_P_OUT_OF_SYNC:
		return rdbd_ioerr_got_oos(dev, &pkt->u.out_of_sync);
	case RDBD_P_REATTACH:
		return rdbd_ioerr_got_reattach(dev, &pkt->u.reattach);
	case RDBD_P_DATA_UUID:
		return rdbd_ioerr_got_data_uuid(dev, &pkt->u.sync_uuid);
	case RDBD_P_VERIFY_START ... RDBD_P_VERIFY_DONE:
		return rdbd_verify_got_packet(dev, pkt);
	case RDBD_P_RS_BATCH:
		return rdbd_receive_rs_batch(dev, pkt);
	case RDBD_P_RS_BATCH_ACK:
		return rdbd_sync_got_batch_ack(dev, &pkt->u.ack);
	}
	rdbd_conn_error(dev, "peer sent packet 0x%04x after the handshake; dropping connection",
			pkt->cmd);
	return -EPROTO;
}

static int rdbd_conn_receive_loop(struct rdbd_device *dev)
{
	struct rdbd_packet *pkt;
	int err;

	pkt = kmalloc(sizeof(*pkt), GFP_NOIO);
	if (!pkt)
		return -ENOMEM;
	do {
		err = rdbd_recv_packet(dev, pkt, 0);
		if (!err)
			err = rdbd_conn_dispatch(dev, pkt);
	} while (!err);
	kfree(pkt);
	return err;
}

/* ---- tearing a connection down ---- */

/* Log why the connection ended; returns the state it fails through. */
static enum rdbd_conn_state rdbd_conn_failure(struct rdbd_device *dev,
					      int err)
{
	switch (err) {
	case -ETIMEDOUT:
		rdbd_conn_error(dev, "PingAck did not arrive in time.");
		return RDBD_CONN_NETWORK_FAILURE;
	case -ECONNRESET:
	case -EPIPE:
		rdbd_conn_error(dev, "connection closed by peer");
		return RDBD_CONN_BROKEN_PIPE;
	case -EPROTO:
	case -EPERM:
		return RDBD_CONN_PROTOCOL_ERROR;	/* logged already */
	case -EINTR:
		return RDBD_CONN_TEAR_DOWN;		/* disconnecting */
	default:
		rdbd_conn_error(dev, "connection failed: %s",
				rdbd_strerror(err));
		return RDBD_CONN_NETWORK_FAILURE;
	}
}

/*
 * A Primary that lost its peer starts a new data generation, so the peer
 * is seen as behind when it returns (DRBD: UpToDate Primary with no
 * bitmap UUID).  Needs state_mutex: if the thread is being stopped, the
 * stopper (rdbd_disconnect) does it instead.
 */
static void rdbd_conn_lost_peer_uuid(struct rdbd_device *dev)
{
	if (dev->role != RDBD_ROLE_PRIMARY)
		return;
	WRITE_ONCE(dev->conn.new_uuid_pending, true);
	if (!rdbd_conn_lock_state(dev))
		return;
	rdbd_conn_new_uuid_if_pending(dev);
	mutex_unlock(&dev->state_mutex);
}

/* Caller holds state_mutex. */
void rdbd_conn_new_uuid_if_pending(struct rdbd_device *dev)
{
	struct rdbd_backing *ldev = dev->ldev;
	struct rdbd_md md;

	lockdep_assert_held(&dev->state_mutex);
	if (!READ_ONCE(dev->conn.new_uuid_pending))
		return;
	WRITE_ONCE(dev->conn.new_uuid_pending, false);
	if (!ldev || dev->role != RDBD_ROLE_PRIMARY ||
	    ldev->md.uuid[RDBD_UUID_BITMAP])
		return;
	md = ldev->md;
	rdbd_md_new_current_uuid(&md);
	md.uuid[RDBD_UUID_CURRENT] |= RDBD_UUID_PRIMARY_BIT;
	if (!rdbd_md_write(dev, ldev, &md, NULL))
		pr_info("rdbd%u: peer lost while Primary: new current UUID %016llX\n",
			dev->minor, md.uuid[RDBD_UUID_CURRENT]);
}

/*
 * The connection is over: stop the sender (its queued packets fail, so
 * writes waiting for them are marked), then settle everything that was
 * waiting for the peer.  @flush_ms: let the sender first send what it
 * has queued (a refusal the peer should read), for up to this long.
 */
static void rdbd_conn_teardown(struct rdbd_device *dev, struct socket *sock,
			       enum rdbd_conn_state why, unsigned int flush_ms)
{
	struct rdbd_connection *conn = &dev->conn;
	bool established = rdbd_connected(dev);

	/* may freeze: before any completion; only a peer we had counts */
	rdbd_fence_conn_lost(dev, established ? why :
			     RDBD_CONN_WF_REPORT_PARAMS);
	rdbd_set_cstate(dev, why);	/* no new write goes to the peer */
	rdbd_sender_stop(dev, flush_ms);	/* shuts the socket down */
	rdbd_meta_stop(dev);
	mutex_lock(&conn->sock_mutex);
	conn->sock = NULL;
	mutex_unlock(&conn->sock_mutex);
	/*
	 * Complete writes awaiting the peer first: the sync thread may be
	 * waiting for one of their ranges, and must be able to stop.
	 */
	rdbd_repl_conn_lost(dev);
	rdbd_sync_source_stop(dev);
	rdbd_sync_abort(dev);
	rdbd_verify_conn_lost(dev);
	sock_release(sock);
	/* What is out of sync now survives a reboot: a resync resumes. */
	rdbd_bm_write_pinned(dev);
	rdbd_set_peer_state(dev, RDBD_ROLE_UNKNOWN, RDBD_DISK_DUNKNOWN);
	WRITE_ONCE(conn->pause_peer, false);	/* the peer says again */
	if (established)
		rdbd_conn_lost_peer_uuid(dev);
}

/* One TCP connection, from handshake to teardown.  -EPERM: go StandAlone. */
static int rdbd_conn_run(struct rdbd_device *dev, struct socket *sock)
{
	struct rdbd_connection *conn = &dev->conn;
	int err;

	rdbd_sock_setup(dev, sock);
	WRITE_ONCE(conn->last_rx, jiffies);
	WRITE_ONCE(conn->ping_sent, 0);
	err = rdbd_sender_start(dev, sock);
	if (err) {
		rdbd_conn_error(dev, "cannot start the sender thread: %s",
				rdbd_strerror(err));
		sock_release(sock);
		return err;
	}
	mutex_lock(&conn->sock_mutex);
	conn->sock = sock;
	mutex_unlock(&conn->sock_mutex);

	/* writes wait (WFReportParams) only once the peer authenticated */
	err = rdbd_handshake(dev);
	if (!err) {
		rdbd_set_last_error(dev, "%s", "");
		err = rdbd_conn_receive_loop(dev);
		rdbd_conn_teardown(dev, sock, rdbd_conn_failure(dev, err), 0);
		return err;
	}
	if (err != -EPERM && err != -EPROTO && err != -EINTR &&
	    err != -EAGAIN)
		rdbd_conn_error(dev, "handshake with %pISpc failed: %s",
				&conn->net_conf.peer_addr, rdbd_strerror(err));
	/* a refusal: let the peer read why before the socket closes */
	rdbd_conn_teardown(dev, sock, RDBD_CONN_WF_CONNECTION,
			   err == -EINTR ? 0 : RDBD_REFUSAL_FLUSH_MS);
	return err;
}

static int rdbd_conn_thread(void *arg)
{
	struct rdbd_device *dev = arg;
	unsigned long next_dial = jiffies;
	struct socket *sock;
	int err = 0;

	/*
	 * Application writes may wait for this thread (the handshake), and
	 * they may be the writeback reclaim waits for: none of its
	 * allocations may recurse into I/O.
	 */
	memalloc_noio_save();
	while (!kthread_should_stop()) {
		sock = rdbd_conn_wait_socket(dev, &next_dial);
		if (!sock)
			continue;
		err = rdbd_conn_run(dev, sock);
		if (err == -EPERM)
			break;
		rdbd_set_cstate(dev, RDBD_CONN_WF_CONNECTION);
	}
	if (err == -EPERM) {
		/* Refused for good: StandAlone until the admin acts. */
		rdbd_set_cstate(dev, RDBD_CONN_STANDALONE);
		while (!kthread_should_stop())
			rdbd_conn_sleep_tick();
	}
	return 0;
}

/* ---- promotion while connected ---- */

/**
 * rdbd_conn_ask_primary - ask the peer whether we may become Primary
 * @dev: the device (state_mutex held), Connected
 * @extack: where to explain a refusal
 *
 * Returns 0 if the peer agreed (it now counts us as Primary), else a
 * negative errno with the reason in @extack.
 */
int rdbd_conn_ask_primary(struct rdbd_device *dev,
			  struct netlink_ext_ack *extack)
{
	struct rdbd_connection *conn = &dev->conn;
	struct rdbd_p_state_chg_req req = { .role = RDBD_ROLE_PRIMARY };
	unsigned long timeout = msecs_to_jiffies(conn->net_conf.timeout_ms +
						 conn->net_conf.ping_timeout_ms);
	int err;

	lockdep_assert_held(&dev->state_mutex);
	spin_lock_irq(&dev->req_lock);
	if (conn->peer_role == RDBD_ROLE_PRIMARY) {
		spin_unlock_irq(&dev->req_lock);
		goto out_multiple;
	}
	conn->promoting = true;
	conn->reply_ready = false;
	req.req_id = cpu_to_be32(++conn->state_req_id);
	spin_unlock_irq(&dev->req_lock);

	err = rdbd_send_packet(dev, RDBD_P_STATE_CHG_REQ, &req, sizeof(req));
	if (!err && !wait_event_timeout(conn->state_wait,
					READ_ONCE(conn->reply_ready) ||
					!rdbd_connected(dev), timeout))
		err = -ETIMEDOUT;
	spin_lock_irq(&dev->req_lock);
	conn->promoting = false;
	if (!err)
		err = conn->reply_ready ? conn->state_reply : -ENOTCONN;
	spin_unlock_irq(&dev->req_lock);
	if (err == -EBUSY)
		goto out_multiple;
	if (err)
		rdbd_extack(extack, dev->minor,
			    "State change was refused by peer node (%s); retry",
			    rdbd_strerror(err));
	return err;

out_multiple:
	rdbd_extack(extack, dev->minor,
		    "Multiple primaries not allowed by config");
	return -EBUSY;
}

/* ---- CONNECT and DISCONNECT ---- */

/* Stop the thread (it may have gone StandAlone on its own) and the listener. */
static void rdbd_conn_stop_thread(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;

	lockdep_assert_held(&dev->state_mutex);
	if (!conn->thread)
		return;
	/* Wakes an accept() in progress now rather than after its tick. */
	kernel_sock_shutdown(conn->listener, SHUT_RDWR);
	kthread_stop(conn->thread);
	put_task_struct(conn->thread);
	conn->thread = NULL;
	sock_release(conn->listener);
	conn->listener = NULL;
	/* The thread could not take state_mutex for this: we hold it. */
	rdbd_conn_new_uuid_if_pending(dev);
	memzero_explicit(conn->net_conf.secret, sizeof(conn->net_conf.secret));
}

/**
 * rdbd_connect - CONNECT: StandAlone -> WFConnection
 * @dev: the device (state_mutex held)
 * @conf: validated connection settings
 * @extack: where to explain a refusal
 */
int rdbd_connect(struct rdbd_device *dev, const struct rdbd_net_conf *conf,
		 struct netlink_ext_ack *extack)
{
	struct rdbd_connection *conn = &dev->conn;
	struct task_struct *thread;
	struct socket *listener;
	int err;

	lockdep_assert_held(&dev->state_mutex);
	if (conn->cstate != RDBD_CONN_STANDALONE) {
		rdbd_extack(extack, dev->minor,
			    "already connecting to %pISpc; disconnect first",
			    &conn->net_conf.peer_addr);
		return -EALREADY;
	}
	rdbd_conn_stop_thread(dev);	/* went StandAlone by itself */
	err = rdbd_conn_listen(dev, conf, &listener, extack);
	if (err)
		return err;

	conn->net_conf = *conf;
	conn->listener = listener;
	conn->we_dial = rdbd_addr_cmp(&conf->local_addr, &conf->peer_addr) < 0;
	thread = kthread_create(rdbd_conn_thread, dev, "rdbd_conn/%u",
				dev->minor);
	if (IS_ERR(thread)) {
		err = PTR_ERR(thread);
		rdbd_extack(extack, dev->minor,
			    "cannot start the connection thread: %s",
			    rdbd_strerror(err));
		goto out_release_listener;
	}
	get_task_struct(thread);	/* it may end before kthread_stop() */
	conn->thread = thread;
	rdbd_set_last_error(dev, "%s", "");
	spin_lock_irq(&dev->req_lock);
	conn->cstate = RDBD_CONN_WF_CONNECTION;
	spin_unlock_irq(&dev->req_lock);
	wake_up_process(thread);
	pr_info("rdbd%u: listening on %pISpc, %s %pISpc every %u ms\n",
		dev->minor, &conf->local_addr,
		conn->we_dial ? "connecting to" : "waiting for",
		&conf->peer_addr, conf->connect_int_ms);
	return RDBD_CHANGED;

out_release_listener:
	memzero_explicit(conn->net_conf.secret, sizeof(conn->net_conf.secret));
	conn->listener = NULL;
	sock_release(listener);
	return err;
}

/**
 * rdbd_disconnect - DISCONNECT: stop the connection thread, StandAlone
 * @dev: the device (state_mutex held)
 *
 * Returns 0 if already StandAlone, else RDBD_CHANGED.
 */
int rdbd_disconnect(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;
	bool was_standalone = conn->cstate == RDBD_CONN_STANDALONE;

	lockdep_assert_held(&dev->state_mutex);
	rdbd_fence_before_disconnect(dev);	/* a Secondary outdates itself */
	rdbd_conn_stop_thread(dev);
	cancel_delayed_work_sync(&conn->notify_work);
	if (was_standalone)
		return 0;
	spin_lock_irq(&dev->req_lock);
	conn->cstate = RDBD_CONN_STANDALONE;
	spin_unlock_irq(&dev->req_lock);
	wake_up_all(&conn->state_wait);	/* writers held by a handshake */
	pr_info("rdbd%u: disconnected: StandAlone\n", dev->minor);
	return RDBD_CHANGED;
}

/* Device creation: the connection's locks, lists and work items. */
void rdbd_conn_init(struct rdbd_device *dev)
{
	struct rdbd_connection *conn = &dev->conn;

	conn->cstate = RDBD_CONN_STANDALONE;
	/* DRBD's defaults (drbd_limits.h) until DISK_OPTS says otherwise */
	dev->disk_conf.resync_rate_kib = 250;
	dev->disk_conf.c_plan_ahead_ds = 20;
	dev->disk_conf.c_min_rate_kib = 250;
	dev->disk_conf.c_max_rate_kib = 102400;
	dev->disk_conf.al_extents = 1237;	/* capped to what a block holds */
	conn->peer_role = RDBD_ROLE_UNKNOWN;
	conn->peer_disk_state = RDBD_DISK_DUNKNOWN;
	rdbd_sender_init(conn);
	rdbd_epoch_init(conn);
	mutex_init(&conn->meta_mutex);
	INIT_LIST_HEAD(&conn->tl);
	INIT_LIST_HEAD(&conn->peer_active);
	INIT_LIST_HEAD(&conn->peer_done);
	INIT_LIST_HEAD(&conn->rs_pending);
	init_waitqueue_head(&conn->state_wait);
	init_waitqueue_head(&conn->peer_wait);
	init_waitqueue_head(&conn->rs_wait);
	INIT_WORK(&conn->ack_work, rdbd_ack_work);
	rdbd_helper_init(dev);
	INIT_DELAYED_WORK(&conn->notify_work, rdbd_notify_work);
}
