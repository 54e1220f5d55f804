// SPDX-License-Identifier: GPL-2.0
/*
 * TCP connections to the peer: listening, accepting only the peer, and
 * dialing it (conn.c has the design, "Who dials", and the threads that
 * use these).  Everything here runs in the connection thread, except
 * rdbd_conn_listen() (CONNECT, under state_mutex).
 */
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/tcp.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "rdbd_int.h"

#define RDBD_LISTEN_BACKLOG	4

/*
 * Socket buffers, KiB; 0 leaves them to TCP autotuning (tcp_rmem and
 * tcp_wmem), as DRBD's sndbuf-size 0 does.
 */
static unsigned int sock_buf_kib;
module_param(sock_buf_kib, uint, 0644);
MODULE_PARM_DESC(sock_buf_kib, "SO_SNDBUF/SO_RCVBUF of new connections in KiB; 0 = TCP autotuning (default)");

/* An outgoing connect in progress. */
struct rdbd_dial {
	struct socket *sock;		/* NULL: none in progress */
	unsigned long deadline;		/* jiffies */
};

int rdbd_addr_cmp(const struct sockaddr_storage *a,
			 const struct sockaddr_storage *b)
{
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	int cmp;

	if (a->ss_family == AF_INET6)
		cmp = memcmp(&a6->sin6_addr, &b6->sin6_addr,
			     sizeof(a6->sin6_addr));
	else
		cmp = memcmp(&a4->sin_addr, &b4->sin_addr,
			     sizeof(a4->sin_addr));
	if (cmp)
		return cmp;
	return memcmp(rdbd_sockaddr_port((void *)a),
		      rdbd_sockaddr_port((void *)b), sizeof(__be16));
}

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
void rdbd_conn_sleep_tick(void)
{
	set_current_state(TASK_INTERRUPTIBLE);
	if (!kthread_should_stop())
		schedule_timeout(RDBD_CONN_TICK);
	__set_current_state(TASK_RUNNING);
}

/* An accepted socket, if it comes from the peer and we do not dial. */
static struct socket *rdbd_conn_accept_one(struct rdbd_device *dev)
{
	const struct rdbd_net_conf *conf = &dev->conn.net_conf;
	struct sockaddr_storage peer = {};
	struct socket *sock;
	int err;

	err = kernel_accept(dev->conn.listener, &sock, 0);
	if (err == -EAGAIN)
		return NULL;		/* a tick passed */
	if (err) {
		/* Listener shut down (we are stopping) or a transient error:
		 * do not spin.
		 */
		rdbd_conn_sleep_tick();
		return NULL;
	}
	if (kernel_getpeername(sock, (struct sockaddr *)&peer) < 0)
		goto out_release;
	if (!rdbd_same_host(&peer, &conf->peer_addr)) {
		pr_info_ratelimited("rdbd%u: refused a connection from %pISpc: the peer is %pISc\n",
				    dev->minor, &peer, &conf->peer_addr);
		rdbd_set_last_error(dev,
				    "refused a connection from %pISpc, which is not the peer",
				    &peer);
		goto out_release;
	}
	if (dev->conn.we_dial) {
		pr_info_ratelimited("rdbd%u: closed a connection from %pISpc: the node with the lower address (this one) dials\n",
				    dev->minor, &peer);
		goto out_release;
	}
	return sock;

out_release:
	sock_release(sock);
	return NULL;
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

/* The dialed socket once connected, else NULL. */
static struct socket *rdbd_dial_poll(struct rdbd_device *dev,
				     struct rdbd_dial *dial)
{
	const struct rdbd_net_conf *conf = &dev->conn.net_conf;
	struct socket *sock;
	int err;

	err = kernel_connect(dial->sock, (struct sockaddr *)&conf->peer_addr,
			     conf->addr_len, O_NONBLOCK);
	if (err == -EALREADY || err == -EINPROGRESS) {
		if (time_before(jiffies, dial->deadline))
			return NULL;
		err = -ETIMEDOUT;
	}
	if (err && err != -EISCONN) {
		rdbd_dial_failed(dev, dial, err);
		return NULL;
	}
	sock = dial->sock;
	dial->sock = NULL;
	return sock;
}

/**
 * rdbd_conn_dial - one connection to the peer, made by @deadline
 * @dev: the device; connection thread
 * @deadline: jiffies
 *
 * Returns the connected socket, or NULL (the reason is the last error).
 */
struct socket *rdbd_conn_dial(struct rdbd_device *dev, unsigned long deadline)
{
	struct rdbd_dial dial = {};
	struct socket *sock = NULL;

	rdbd_dial_start(dev, &dial);
	while (dial.sock && !sock && !kthread_should_stop() &&
	       time_before(jiffies, deadline)) {
		sock = rdbd_dial_poll(dev, &dial);
		if (!sock)
			rdbd_conn_sleep_tick();
	}
	if (dial.sock)
		sock_release(dial.sock);
	return sock;
}

/**
 * rdbd_conn_accept_peer - the next connection from the peer's address
 * @dev: the device; connection thread, not the dialing side
 * @deadline: jiffies
 *
 * Returns the accepted socket, or NULL at @deadline or when stopping.
 */
struct socket *rdbd_conn_accept_peer(struct rdbd_device *dev,
				     unsigned long deadline)
{
	struct socket *sock = NULL;

	while (!sock && !kthread_should_stop() &&
	       time_before(jiffies, deadline))
		sock = rdbd_conn_accept_one(dev);	/* waits a tick */
	return sock;
}

/*
 * Accept, or dial every connect-int, until a TCP connection exists.
 * @next_dial: when to dial next; kept by the caller so a connection that
 * failed its handshake is not redialed before connect-int has passed.
 */
struct socket *rdbd_conn_wait_socket(struct rdbd_device *dev,
					    unsigned long *next_dial)
{
	unsigned long interval =
		msecs_to_jiffies(dev->conn.net_conf.connect_int_ms);
	struct rdbd_dial dial = {};
	struct socket *sock = NULL;

	while (!sock && !kthread_should_stop()) {
		sock = rdbd_conn_accept_one(dev);
		if (sock || !dev->conn.we_dial)
			continue;
		if (dial.sock) {
			sock = rdbd_dial_poll(dev, &dial);
		} else if (time_after_eq(jiffies, *next_dial)) {
			rdbd_dial_start(dev, &dial);
			*next_dial = jiffies + interval;
		}
		/* accept() waited a tick, unless it failed */
	}
	if (dial.sock)
		sock_release(dial.sock);
	return sock;
}

void rdbd_sock_setup(struct rdbd_device *dev, struct socket *sock)
{
	struct sock *sk = sock->sk;

	tcp_sock_set_nodelay(sk);
	if (sock_buf_kib) {
		/* 6.1 exports no sock_set_sndbuf(): what SO_SNDBUF does. */
		lock_sock(sk);
		sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
		WRITE_ONCE(sk->sk_sndbuf, sock_buf_kib * 2048);
		release_sock(sk);
		sock_set_rcvbuf(sk, sock_buf_kib * 1024);
	}
	/* Reads wake up every tick to check liveness and kthread_stop(). */
	sk->sk_rcvtimeo = RDBD_CONN_TICK;
	/* A writer stuck on a full window is freed by shutdown() when the
	 * receive side declares the peer dead; no send timeout needed.
	 */
	sk->sk_sndtimeo = MAX_SCHEDULE_TIMEOUT;
	sk->sk_allocation = GFP_NOIO;	/* we send on behalf of writeback */
}

/* The listener, bound and listening; accept() on it waits one tick at most. */
int rdbd_conn_listen(struct rdbd_device *dev,
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
