// SPDX-License-Identifier: GPL-2.0
/*
 * Handlers: the kernel runs a userspace helper when something needs the
 * administrator's policy, as DRBD does ("drbdadm <handler> <res>").
 *
 * The helper is the module parameter usermode_helper (default
 * /usr/sbin/rdbdadm), run as
 *     usermode_helper helper <handler> <resource>
 * with RDBD_RESOURCE, RDBD_MINOR and RDBD_HANDLER in its environment.
 * `rdbdadm helper` looks the handler up in /etc/rdbd.conf (handlers { })
 * and runs it with /bin/sh -c; no handler configured is not an error.
 *
 * Why a work item: the event that calls for a handler (a split brain
 * found in the handshake) happens with state_mutex held, and the helper
 * typically asks for the status, which needs state_mutex.  The work
 * waits for the helper to end so its exit status can be logged; it holds
 * a reference on the device, not a lock.
 */
#include <linux/kmod.h>
#include <linux/moduleparam.h>

#include "rdbd_int.h"

static char usermode_helper[RDBD_PATH_MAX] = "/usr/sbin/rdbdadm";
module_param_string(usermode_helper, usermode_helper,
		    sizeof(usermode_helper), 0644);
MODULE_PARM_DESC(usermode_helper, "program run as '<it> helper <handler> <resource>' for handlers (default /usr/sbin/rdbdadm)");

static void rdbd_helper_work(struct work_struct *work)
{
	struct rdbd_device *dev = container_of(work, struct rdbd_device,
					       conn.helper_work);
	char env_res[16 + RDBD_RES_NAME_MAX], env_minor[32], env_handler[48];
	char path[RDBD_PATH_MAX];
	char *envp[] = { "HOME=/", "PATH=/sbin:/usr/sbin:/bin:/usr/bin",
			 env_res, env_minor, env_handler, NULL };
	char *argv[] = { path, "helper", dev->conn.helper_name, dev->name,
			 NULL };
	int ret;

	strscpy(path, usermode_helper, sizeof(path));
	snprintf(env_res, sizeof(env_res), "RDBD_RESOURCE=%s", dev->name);
	snprintf(env_minor, sizeof(env_minor), "RDBD_MINOR=%u", dev->minor);
	snprintf(env_handler, sizeof(env_handler), "RDBD_HANDLER=%s",
		 dev->conn.helper_name);
	pr_info("rdbd%u: calling helper: %s helper %s %s\n", dev->minor, path,
		dev->conn.helper_name, dev->name);
	ret = call_usermodehelper(path, argv, envp, UMH_WAIT_PROC);
	if (ret)
		pr_warn("rdbd%u: helper %s helper %s %s exited with %d (0x%x)\n",
			dev->minor, path, dev->conn.helper_name, dev->name,
			ret >> 8 & 0xff, ret);
	else
		pr_info("rdbd%u: helper %s %s done\n", dev->minor,
			dev->conn.helper_name, dev->name);
	rdbd_dev_put(dev);
}

void rdbd_helper_init(struct rdbd_device *dev)
{
	INIT_WORK(&dev->conn.helper_work, rdbd_helper_work);
}

/**
 * rdbd_helper_later - run the handler @name for @dev, asynchronously
 * @dev: the device
 * @name: "split-brain", ...; a string constant
 *
 * One helper at a time per device: a second request while one is queued
 * or running is logged and dropped.
 */
void rdbd_helper_later(struct rdbd_device *dev, const char *name)
{
	if (work_pending(&dev->conn.helper_work)) {
		pr_info("rdbd%u: helper %s already queued\n", dev->minor,
			dev->conn.helper_name);
		return;
	}
	strscpy(dev->conn.helper_name, name, sizeof(dev->conn.helper_name));
	kref_get(&dev->kref);
	if (!queue_work(rdbd_wq, &dev->conn.helper_work))
		rdbd_dev_put(dev);
}
