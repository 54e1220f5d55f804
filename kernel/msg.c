// SPDX-License-Identifier: GPL-2.0
/*
 * Error messages for netlink replies.
 *
 * Every refusal tells the administrator which device and what to do
 * ("rdbd0: Device is held open by someone"), so messages are formatted.
 * 6.1 has no NL_SET_ERR_MSG_FMT: struct netlink_ext_ack holds a bare
 * `const char *` that netlink_ack() reads after the command handler has
 * returned, with none of rdbd's locks held.  The text must therefore
 * outlive the request, and nothing may rewrite it while netlink_ack() runs
 * (it measures the string, allocates, then copies it).
 *
 * So each distinct text is interned: stored once, never modified, and freed
 * only at module unload, after genl_unregister_family() has waited for
 * every request in flight (including its ack).  The texts come from a few
 * dozen templates and at most 256 minors, so the table stays small;
 * RDBD_MSG_MAX caps it anyway, and a message past the cap falls back to a
 * fixed text while the details go to the kernel log.
 */
#include <linux/list.h>
#include <linux/slab.h>

#include "rdbd_int.h"

#define RDBD_MSG_LEN	256	/* longest message, NUL included */
#define RDBD_MSG_MAX	1024	/* distinct messages kept */

struct rdbd_msg {
	struct list_head list;
	char text[];
};

static DEFINE_MUTEX(rdbd_msgs_mutex);
static LIST_HEAD(rdbd_msgs);		/* rdbd_msgs_mutex */
static unsigned int rdbd_msgs_count;	/* rdbd_msgs_mutex */

/* Returns a copy of @text that lives until module unload, or NULL. */
static const char *rdbd_msg_intern(const char *text)
{
	size_t len = strlen(text) + 1;
	const char *interned = NULL;
	struct rdbd_msg *msg;

	mutex_lock(&rdbd_msgs_mutex);
	list_for_each_entry(msg, &rdbd_msgs, list) {
		if (!strcmp(msg->text, text)) {
			interned = msg->text;
			goto out_unlock;
		}
	}
	if (rdbd_msgs_count >= RDBD_MSG_MAX)
		goto out_unlock;
	msg = kmalloc(struct_size(msg, text, len), GFP_KERNEL);
	if (!msg)
		goto out_unlock;
	memcpy(msg->text, text, len);
	list_add(&msg->list, &rdbd_msgs);
	rdbd_msgs_count++;
	interned = msg->text;
out_unlock:
	mutex_unlock(&rdbd_msgs_mutex);
	return interned;
}

/**
 * rdbd_extack - set a formatted netlink error message
 * @extack: the request's extended ack (may be NULL)
 * @minor: prefix the message with "rdbd<minor>: ", or -1 for no prefix
 * @fmt: printf format
 */
void rdbd_extack(struct netlink_ext_ack *extack, int minor,
		 const char *fmt, ...)
{
	char buf[RDBD_MSG_LEN];
	const char *msg;
	va_list args;
	int len = 0;

	if (!extack)
		return;
	if (minor >= 0)
		len = scnprintf(buf, sizeof(buf), "rdbd%d: ", minor);
	va_start(args, fmt);
	vscnprintf(buf + len, sizeof(buf) - len, fmt, args);
	va_end(args);

	msg = rdbd_msg_intern(buf);
	if (!msg) {
		pr_info("%s\n", buf);
		msg = "rdbd: request refused; the reason is in the kernel log";
	}
	/* NL_SET_ERR_MSG() only takes literals: see the top of this file. */
	extack->_msg = msg;
}

/* Words for the errors an administrator meets; NULL-free. */
const char *rdbd_strerror(int err)
{
	switch (err) {
	case -EPERM:		return "Operation not permitted";
	case -ENOENT:		return "No such file or directory";
	case -EIO:		return "Input/output error";
	case -ENXIO:		return "No such device or address";
	case -ENOMEM:		return "Cannot allocate memory";
	case -EACCES:		return "Permission denied";
	case -ENOTBLK:		return "Block device required";
	case -EBUSY:		return "Device or resource busy";
	case -ENODEV:		return "No such device";
	case -EINVAL:		return "Invalid argument";
	case -ENOSPC:		return "No space left on device";
	case -EROFS:		return "Read-only file system";
	case -EOPNOTSUPP:	return "Operation not supported";
	case -EAFNOSUPPORT:	return "Address family not supported";
	case -EADDRINUSE:	return "Address already in use";
	case -EADDRNOTAVAIL:	return "Cannot assign requested address";
	case -ENETDOWN:		return "Network is down";
	case -ENETUNREACH:	return "Network is unreachable";
	case -ECONNRESET:	return "Connection reset by peer";
	case -ETIMEDOUT:	return "Connection timed out";
	case -ECONNREFUSED:	return "Connection refused";
	case -EHOSTUNREACH:	return "No route to host";
	case -EPIPE:		return "Broken pipe";
	case -EAGAIN:		return "Resource temporarily unavailable";
	case -ENOTCONN:		return "Transport endpoint is not connected";
	case -ENOBUFS:		return "No buffer space available";
	default:		return "Unexpected error";
	}
}

/* Module unload, after genl_unregister_family(): nobody reads them now. */
void rdbd_msg_exit(void)
{
	struct rdbd_msg *msg, *next;

	list_for_each_entry_safe(msg, next, &rdbd_msgs, list) {
		list_del(&msg->list);
		kfree(msg);
	}
	rdbd_msgs_count = 0;
}
