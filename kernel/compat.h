/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences rdbd.ko meets, all of them here, chosen by
 * LINUX_VERSION_CODE.  The .c files call the wrappers below and test no
 * kernel version themselves.
 *
 * Built against Debian 12's 6.1 (the project's kernel) and Debian's 6.12
 * (Debian 13's series).  On 6.1 every wrapper is the call the driver made
 * before this file existed.  The versions are upstream's; the kernels in
 * between were never compiled, and where they had a third shape of an API
 * the build stops with #error rather than guess.
 *
 *   6.5   kernel_sendpage() is gone: sock_sendmsg() with MSG_SPLICE_PAGES
 *         over a bvec iov_iter.                       rdbd_sock_sendpage()
 */
#ifndef RDBD_COMPAT_H
#define RDBD_COMPAT_H

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/uio.h>
#include <linux/version.h>
#include <net/genetlink.h>

#define RDBD_KERNEL_AT_LEAST(a, b)	\
	(LINUX_VERSION_CODE >= KERNEL_VERSION(a, b, 0))

/* ---- sending a page by reference (6.5) ---- */

/**
 * rdbd_sock_sendpage - pass one page segment to TCP without copying it
 * @sock: the connection's socket
 * @bv: the segment; its page must pass sendpage_ok(), TCP keeps a reference
 * @flags: MSG_* flags (MSG_NOSIGNAL, MSG_MORE, MSG_DONTWAIT)
 *
 * Returns the bytes sent, possibly fewer than @bv->bv_len (MSG_DONTWAIT,
 * a signal, the send timeout), or a negative errno.
 */
static inline int rdbd_sock_sendpage(struct socket *sock,
				     const struct bio_vec *bv, int flags)
{
#if RDBD_KERNEL_AT_LEAST(6, 5)
	struct msghdr msg = { .msg_flags = MSG_SPLICE_PAGES | flags };

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, 1, bv->bv_len);
	return sock_sendmsg(sock, &msg);
#else
	return kernel_sendpage(sock, bv->bv_page, bv->bv_offset, bv->bv_len,
			       flags);
#endif
}

#endif /* RDBD_COMPAT_H */
