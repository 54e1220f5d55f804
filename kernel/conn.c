// SPDX-License-Identifier: GPL-2.0
/*
 * The connection to the peer, as far as this build goes: WFConnection.
 *
 * CONNECT creates a TCP listener on the local address (synchronously, so a
 * bind failure reaches the administrator) and starts the thread
 * "rdbd_conn/N", which both accepts on the listener and, every connect-int,
 * dials the peer, since either node may come up first (DRBD does the same).
 * The replication handshake is the next step; until it exists, a TCP
 * connection that does get established is logged, recorded as the last
 * error, and closed, and the device stays in WFConnection.
 *
 * The thread's loop is one tick of at most RDBD_CONN_TICK:
 *   - accept(), blocking, but bounded by the listener's SO_RCVTIMEO;
 *   - if a connect is pending: poll it (a non-blocking connect() again says
 *     -EALREADY, 0 or the error), giving up after connect-int;
 *   - else, if connect-int has passed since the last one: start a
 *     non-blocking connect.
 * Nothing in it blocks longer than a tick, so kthread_stop() is noticed
 * within one; rdbd_disconnect() also shuts the listener down first, which
 * wakes a blocked accept() at once.
 *
 * The thread never takes state_mutex: rdbd_disconnect() holds it while
 * stopping the thread.  What the thread reports goes through
 * rdbd_set_last_error() (req_lock).  The replication work will have to
 * hand state changes to a context that may take state_mutex.
 */
#include <linux/kthread.h>
#include <linux/net.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "rdbd_int.h"

#define RDBD_CONN_TICK		(HZ / 10)	/* longest wait before noticing stop */
#define RDBD_LISTEN_BACKLOG	4

/* An outgoing connect in progress. */
struct rdbd_dial {
	struct socket *sock;		/* NULL: none in progress */
	unsigned long deadline;		/* jiffies */
};

static bool rdbd_same_host(const struct sockaddr_storage *a,
			   const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return ipv6_addr_equal(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr);
}

/* Sleep one tick, unless asked to stop (no lost wake-up from kthread_stop). */
static void rdbd_conn_sleep_tick(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	if (!kthread_should_stop())
		schedule_timeout(RDBD_CONN_TICK);
	__set_current_state(TASK_RUNNING);
}

/*
 * A TCP connection to the peer exists.  With no replication protocol in
 * this build there is nothing to say on it: log, record, close.
 */
static void rdbd_conn_established(struct rdbd_device *dev,
				  struct socket *sock, bool outgoing)
{
	const struct rdbd_net_conf *conf = &dev->conn.net_conf;
	struct sockaddr_storage peer = {};
	int len;

	len = kernel_getpeername(sock, (struct sockaddr *)&peer);
	if (len < 0)
		goto out_release;	/* gone already */
	if (!outgoing && !rdbd_same_host(&peer, &conf->peer_addr)) {
		pr_info_ratelimited("rdbd%u: refused a connection from %pISpc: the peer is %pISc\n",
				    dev->minor, &peer, &conf->peer_addr);
		rdbd_set_last_error(dev,
				    "refused a connection from %pISpc, which is not the peer",
				    &peer);
		goto out_release;
	}
	pr_info_ratelimited("rdbd%u: peer %pISpc connected, but this build has no replication protocol yet; closing the connection\n",
			    dev->minor, &peer);
	rdbd_set_last_error(dev,
			    "peer %pISpc connected, but this build has no replication protocol; connection closed",
			    &peer);
	kernel_sock_shutdown(sock, SHUT_RDWR);
out_release:
	sock_release(sock);
}

static void rdbd_conn_accept_one(struct rdbd_device *dev)
{
	struct socket *sock;
	int err;

	err = kernel_accept(dev->conn.listener, &sock, 0);
	if (err == -EAGAIN)
		return;			/* a tick passed */
	if (err) {
		/* Listener shut down (we are stopping) or a transient error:
		 * do not spin.
		 */
		rdbd_conn_sleep_tick();
		return;
	}
	rdbd_conn_established(dev, sock, false);
}

static void rdbd_dial_failed(struct rdbd_device *dev, struct rdbd_dial *dial,
			     int err)
{
	rdbd_set_last_error(dev, "cannot connect to %pISpc: %s",
			    &dev->conn.net_conf.peer_addr, rdbd_strerror(err));
	sock_release(dial->sock);
	dial->sock = NULL;
}

/* Start a non-blocking connect from the local address to the peer. */
static void rdbd_dial_start(struct rdbd_device *dev, struct rdbd_dial *dial)
{
	const struct rdbd_net_conf *conf = &dev->conn.net_conf;
	struct sockaddr_storage src = conf->local_addr;
	int err;

	err = sock_create_kern(&init_net, conf->peer_addr.ss_family,
			       SOCK_STREAM, IPPROTO_TCP, &dial->sock);
	if (err) {
		dial->sock = NULL;
		rdbd_set_last_error(dev, "cannot create a socket: %s",
				    rdbd_strerror(err));
		return;
	}
	dial->deadline = jiffies + msecs_to_jiffies(conf->connect_int_ms);

	/* Leave from the configured address, so the peer recognises us. */
	*rdbd_sockaddr_port(&src) = 0;
	err = kernel_bind(dial->sock, (struct sockaddr *)&src, conf->addr_len);
	if (!err)
		err = kernel_connect(dial->sock,
				     (struct sockaddr *)&conf->peer_addr,
				     conf->addr_len, O_NONBLOCK);
	if (err && err != -EINPROGRESS)
		rdbd_dial_failed(dev, dial, err);
}

/* See whether the pending connect finished. */
static void rdbd_dial_poll(struct rdbd_device *dev, struct rdbd_dial *dial)
{
	const struct rdbd_net_conf *conf = &dev->conn.net_conf;
	int err;

	err = kernel_connect(dial->sock, (struct sockaddr *)&conf->peer_addr,
			     conf->addr_len, O_NONBLOCK);
	if (err == -EALREADY || err == -EINPROGRESS) {
		if (time_before(jiffies, dial->deadline))
			return;
		err = -ETIMEDOUT;
	}
	if (err && err != -EISCONN) {
		rdbd_dial_failed(dev, dial, err);
		return;
	}
	rdbd_conn_established(dev, dial->sock, true);
	dial->sock = NULL;
}

static int rdbd_conn_thread(void *arg)
{
	struct rdbd_device *dev = arg;
	const struct rdbd_net_conf *conf = &dev->conn.net_conf;
	unsigned long interval = msecs_to_jiffies(conf->connect_int_ms);
	unsigned long next_dial = jiffies;
	struct rdbd_dial dial = {};

	while (!kthread_should_stop()) {
		rdbd_conn_accept_one(dev);
		if (dial.sock) {
			rdbd_dial_poll(dev, &dial);
		} else if (time_after_eq(jiffies, next_dial)) {
			rdbd_dial_start(dev, &dial);
			next_dial = jiffies + interval;
		}
	}
	if (dial.sock)
		sock_release(dial.sock);
	return 0;
}

/* The listener, bound and listening; accept() on it waits one tick at most. */
static int rdbd_conn_listen(struct rdbd_device *dev,
			    const struct rdbd_net_conf *conf,
			    struct socket **listener,
			    struct netlink_ext_ack *extack)
{
	struct socket *sock;
	int err;

	/* The family is not netnsok: requests only come from init_net. */
	err = sock_create_kern(&init_net, conf->local_addr.ss_family,
			       SOCK_STREAM, IPPROTO_TCP, &sock);
	if (err) {
		rdbd_extack(extack, dev->minor, "cannot create a socket: %s",
			    rdbd_strerror(err));
		return err;
	}
	sock_set_reuseaddr(sock->sk);
	sock->sk->sk_rcvtimeo = RDBD_CONN_TICK;
	err = kernel_bind(sock, (struct sockaddr *)&conf->local_addr,
			  conf->addr_len);
	if (!err)
		err = kernel_listen(sock, RDBD_LISTEN_BACKLOG);
	if (err) {
		rdbd_extack(extack, dev->minor, "cannot listen on %pISpc: %s",
			    &conf->local_addr, rdbd_strerror(err));
		sock_release(sock);
		return err;
	}
	*listener = sock;
	return 0;
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
	err = rdbd_conn_listen(dev, conf, &listener, extack);
	if (err)
		return err;

	conn->net_conf = *conf;
	conn->listener = listener;
	thread = kthread_create(rdbd_conn_thread, dev, "rdbd_conn/%u",
				dev->minor);
	if (IS_ERR(thread)) {
		err = PTR_ERR(thread);
		rdbd_extack(extack, dev->minor,
			    "cannot start the connection thread: %s",
			    rdbd_strerror(err));
		goto out_release_listener;
	}
	conn->thread = thread;
	conn->cstate = RDBD_CONN_WF_CONNECTION;
	wake_up_process(thread);
	pr_info("rdbd%u: listening on %pISpc, connecting to %pISpc every %u ms\n",
		dev->minor, &conf->local_addr, &conf->peer_addr,
		conf->connect_int_ms);
	return RDBD_CHANGED;

out_release_listener:
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

	lockdep_assert_held(&dev->state_mutex);
	if (conn->cstate == RDBD_CONN_STANDALONE)
		return 0;
	/* Wakes an accept() in progress now rather than after its tick. */
	kernel_sock_shutdown(conn->listener, SHUT_RDWR);
	kthread_stop(conn->thread);
	conn->thread = NULL;
	sock_release(conn->listener);
	conn->listener = NULL;
	conn->cstate = RDBD_CONN_STANDALONE;
	pr_info("rdbd%u: disconnected: StandAlone\n", dev->minor);
	return RDBD_CHANGED;
}
