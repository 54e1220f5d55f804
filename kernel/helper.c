// SPDX-License-Identifier: GPL-2.0
/*
 * Handlers: the kernel runs a userspace helper when something needs the
 * administrator's policy, as DRBD does ("drbdadm <handler> <res>").
 *
 * The helper is the module parameter usermode_helper (default
 * /usr/sbin/rdbdadm), run as
 *     usermode_helper helper <handler> <resource>
 * with this environment:
 *     RDBD_RESOURCE, DRBD_RESOURCE   the resource name
 *     RDBD_MINOR, DRBD_MINOR         the device minor
 *     RDBD_HANDLER                   the handler ("fence-peer", ...)
 *     DRBD_PEER                      the peer's node name (the `on`
 *                                    section of the peer; empty if the
 *                                    device was never connected)
 * `rdbdadm helper` looks the handler up in /etc/rdbd.conf (handlers { }),
 * runs it with /bin/sh -c and exits with its exit code, which reaches
 * the kernel unchanged: fence-peer's exit code is its answer (fence.c).
 *
 * Where helpers run.  A handler may take long (fence-peer asks the other
 * node over the network and may wait for it) and typically asks rdbd for
 * the status, which takes state_mutex.  So helpers run on their own
 * workqueue, rdbd_helper_wq: not WQ_MEM_RECLAIM and not rdbd_wq, on
 * which the activity log's commits depend, so no I/O ever waits behind
 * a handler; and nobody waits for a helper while holding state_mutex.
 *   rdbd_helper_later()  queues the handler and returns: for events found
 *                        where state_mutex is held or the connection
 *                        thread must go on (split-brain,
 *                        after-resync-target); the exit code is logged.
 *   rdbd_helper_run()    runs it and waits for its exit code, for a
 *                        caller that holds no lock (fence.c).
 * Each queued handler holds a reference on the device, not a lock.
 */
#include <linux/kmod.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "rdbd_int.h"

static char usermode_helper[RDBD_PATH_MAX] = "/usr/sbin/rdbdadm";
module_param_string(usermode_helper, usermode_helper,
		    sizeof(usermode_helper), 0644);
MODULE_PARM_DESC(usermode_helper, "program run as '<it> helper <handler> <resource>' for handlers (default /usr/sbin/rdbdadm)");

/* Handlers only; see "Where helpers run". */
static struct workqueue_struct *rdbd_helper_wq;

#define RDBD_HELPER_NAME_MAX	24

/* One handler to run, with what it needs copied: the device may change. */
struct rdbd_helper_call {
	struct rdbd_device *dev;	/* referenced */
	char handler[RDBD_HELPER_NAME_MAX];
	char peer[__NEW_UTS_LEN + 1];
	struct work_struct work;	/* rdbd_helper_later() only */
};

/* Fills @call for @dev; the peer name is read as the caller sees it. */
static void rdbd_helper_call_init(struct rdbd_helper_call *call,
				  struct rdbd_device *dev, const char *name)
{
	call->dev = dev;
	strscpy(call->handler, name, sizeof(call->handler));
	strscpy(call->peer, dev->conn.net_conf.peer_name, sizeof(call->peer));
}

/*
 * Runs the helper and waits for it.  Returns its exit code (0..255), 256
 * + the signal if it was killed, or a negative errno if it did not run.
 */
static int rdbd_helper_exec(struct rdbd_helper_call *call)
{
	struct rdbd_device *dev = call->dev;
	char env_res[16 + RDBD_RES_NAME_MAX], env_dres[16 + RDBD_RES_NAME_MAX];
	char env_minor[32], env_dminor[32], env_handler[48];
	char env_peer[16 + __NEW_UTS_LEN + 1];
	char path[RDBD_PATH_MAX];
	char *envp[] = { "HOME=/", "PATH=/sbin:/usr/sbin:/bin:/usr/bin",
			 env_res, env_dres, env_minor, env_dminor,
			 env_handler, env_peer, NULL };
	char *argv[] = { path, "helper", call->handler, dev->name, NULL };
	int ret;

	strscpy(path, usermode_helper, sizeof(path));
	snprintf(env_res, sizeof(env_res), "RDBD_RESOURCE=%s", dev->name);
	snprintf(env_dres, sizeof(env_dres), "DRBD_RESOURCE=%s", dev->name);
	snprintf(env_minor, sizeof(env_minor), "RDBD_MINOR=%u", dev->minor);
	snprintf(env_dminor, sizeof(env_dminor), "DRBD_MINOR=%u", dev->minor);
	snprintf(env_handler, sizeof(env_handler), "RDBD_HANDLER=%s",
		 call->handler);
	snprintf(env_peer, sizeof(env_peer), "DRBD_PEER=%s", call->peer);
	pr_info("rdbd%u: calling helper: %s helper %s %s\n", dev->minor, path,
		call->handler, dev->name);
	/* Killable: an admin's ^C ends a promotion stuck in fence-peer. */
	ret = call_usermodehelper(path, argv, envp,
				  UMH_WAIT_PROC | UMH_KILLABLE);
	if (ret < 0) {
		pr_warn("rdbd%u: helper %s helper %s %s could not run: %s\n",
			dev->minor, path, call->handler, dev->name,
			rdbd_strerror(ret));
		return ret;
	}
	if (ret & 0x7f) {
		pr_warn("rdbd%u: helper %s %s killed by signal %d\n",
			dev->minor, call->handler, dev->name, ret & 0x7f);
		return 256 + (ret & 0x7f);
	}
	ret = ret >> 8 & 0xff;
	pr_info("rdbd%u: helper %s %s exited with %d\n", dev->minor,
		call->handler, dev->name, ret);
	return ret;
}

static void rdbd_helper_work(struct work_struct *work)
{
	struct rdbd_helper_call *call =
		container_of(work, struct rdbd_helper_call, work);

	rdbd_helper_exec(call);
	rdbd_dev_put(call->dev);
	kfree(call);
}

/**
 * rdbd_helper_later - run the handler @name for @dev, asynchronously
 * @dev: the device
 * @name: "split-brain", "after-resync-target", ...
 *
 * May be called with state_mutex held or from the connection thread.
 * GFP_NOIO: the caller may be on the way of writeback.  If even that
 * fails, the handler is skipped and the log says so.
 */
void rdbd_helper_later(struct rdbd_device *dev, const char *name)
{
	struct rdbd_helper_call *call = kmalloc(sizeof(*call), GFP_NOIO);

	if (!call) {
		pr_warn("rdbd%u: out of memory: handler %s not run\n",
			dev->minor, name);
		return;
	}
	rdbd_helper_call_init(call, dev, name);
	INIT_WORK(&call->work, rdbd_helper_work);
	kref_get(&dev->kref);
	queue_work(rdbd_helper_wq, &call->work);
}

/**
 * rdbd_helper_run - run the handler @name for @dev and wait for it
 * @dev: the device, referenced by the caller; no lock of it held
 * @name: the handler
 * @peer: the peer's node name for DRBD_PEER (copied by the caller under
 *	  state_mutex, since net_conf may change)
 *
 * Returns the handler's exit code (what `rdbdadm helper` passes on), 256
 * or more if it was killed, or a negative errno if it could not run.
 */
int rdbd_helper_run(struct rdbd_device *dev, const char *name,
		    const char *peer)
{
	struct rdbd_helper_call call = { .dev = dev };

	strscpy(call.handler, name, sizeof(call.handler));
	strscpy(call.peer, peer, sizeof(call.peer));
	return rdbd_helper_exec(&call);
}

/* Kept for the device setup in conn.c: helpers need nothing per device. */
void rdbd_helper_init(struct rdbd_device *dev)
{
}

int rdbd_helper_module_init(void)
{
	/* Unbound: a handler that sleeps for long holds no CPU's pool. */
	rdbd_helper_wq = alloc_workqueue("rdbd_helper", WQ_UNBOUND, 0);
	return rdbd_helper_wq ? 0 : -ENOMEM;
}

/* Waits for the handlers still running. */
void rdbd_helper_module_exit(void)
{
	destroy_workqueue(rdbd_helper_wq);
}

/* For fence.c: its work runs handlers and so belongs on this queue. */
void rdbd_helper_queue(struct work_struct *work)
{
	queue_work(rdbd_helper_wq, work);
}
