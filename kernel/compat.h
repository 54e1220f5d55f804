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
 *         over a bvec iov_iter.
 *         -> rdbd_sock_sendpage()
 *   6.5   block_device_operations ->open() takes the gendisk and a
 *         blk_mode_t, ->release() the gendisk only.
 *         -> RDBD_DEFINE_BDOPS_OPEN(), RDBD_DEFINE_BDOPS_RELEASE()
 *   6.5   blkdev_get_by_path()/blkdev_put() take blk_mode_t, holder ops,
 *         and the holder at release; 6.8 bdev_open_by_path(); 6.9
 *         bdev_file_open_by_path() hands back a struct file; 6.10
 *         bdev_fput() gives the claim back at once.
 *         -> rdbd_bdev_open(), rdbd_bdev_close(), struct rdbd_bdev_claim
 *   6.6   struct genl_dumpit_info keeps the parsed attributes in a
 *         struct genl_info (genl_info_dump()).
 *         -> rdbd_genl_dump_attrs()
 *   6.9   blk_alloc_disk() takes the queue limits and returns an ERR_PTR.
 *         -> rdbd_alloc_stacking_disk()
 *   6.11  Queue limits change only through queue_limits_start_update()
 *         and queue_limits_commit_update(); the blk_queue_*() setters,
 *         disk_stack_limits() and QUEUE_FLAG_NONROT are gone; write
 *         cache, FUA and rotational are BLK_FEAT_* bits of the limits.
 *         -> rdbd_restack_limits(), struct rdbd_limit_caps
 */
#ifndef RDBD_COMPAT_H
#define RDBD_COMPAT_H

#include <linux/bio.h>
#include <linux/blkdev.h>
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

/* ---- block_device_operations ->open and ->release (6.5) ---- */

/*
 * Define @name, a ->open() (or ->release()) of this kernel's signature,
 * as a call of @fn(struct gendisk *): rdbd only needs the disk.
 */
#if RDBD_KERNEL_AT_LEAST(6, 5)
#define RDBD_DEFINE_BDOPS_OPEN(name, fn)				\
	static int name(struct gendisk *disk, blk_mode_t mode)		\
	{								\
		return fn(disk);					\
	}
#define RDBD_DEFINE_BDOPS_RELEASE(name, fn)				\
	static void name(struct gendisk *disk)				\
	{								\
		fn(disk);						\
	}
#else
#define RDBD_DEFINE_BDOPS_OPEN(name, fn)				\
	static int name(struct block_device *bdev, fmode_t mode)	\
	{								\
		return fn(bdev->bd_disk);				\
	}
#define RDBD_DEFINE_BDOPS_RELEASE(name, fn)				\
	static void name(struct gendisk *disk, fmode_t mode)		\
	{								\
		fn(disk);						\
	}
#endif

/* ---- claiming the backing disk (6.5, 6.8, 6.9, 6.10) ---- */

#if RDBD_KERNEL_AT_LEAST(6, 10)

/* What rdbd_bdev_close() needs besides the block_device. */
struct rdbd_bdev_claim {
	struct file *file;
};

/**
 * rdbd_bdev_open - open @path read-write, claimed exclusively by @holder
 * @path: the backing disk
 * @holder: the claim's owner (a holder makes the open exclusive)
 * @claim: filled in for rdbd_bdev_close()
 *
 * Returns the block device or an ERR_PTR (-EBUSY: claimed by another,
 * -EACCES: read-only, -ENOTBLK: not a block device).
 */
static inline struct block_device *
rdbd_bdev_open(const char *path, void *holder, struct rdbd_bdev_claim *claim)
{
	struct file *file;

	file = bdev_file_open_by_path(path, BLK_OPEN_READ | BLK_OPEN_WRITE,
				      holder, NULL);
	if (IS_ERR(file))
		return ERR_CAST(file);
	claim->file = file;
	return file_bdev(file);
}

/*
 * bdev_fput(), not fput(): fput() closes the file later (on the way back
 * to user space, or from a work item in a kernel thread), and the disk
 * must be free for its next user (ATTACH elsewhere, mkfs) at once, as
 * after blkdev_put().
 */
static inline void rdbd_bdev_close(struct block_device *bdev,
				   struct rdbd_bdev_claim *claim)
{
	bdev_fput(claim->file);
}

#elif !RDBD_KERNEL_AT_LEAST(6, 5)

/* Nothing: blkdev_put() takes the block_device and the open's mode. */
struct rdbd_bdev_claim {
};

#define RDBD_BDEV_MODE	(FMODE_READ | FMODE_WRITE | FMODE_EXCL)

static inline struct block_device *
rdbd_bdev_open(const char *path, void *holder, struct rdbd_bdev_claim *claim)
{
	return blkdev_get_by_path(path, RDBD_BDEV_MODE, holder);
}

static inline void rdbd_bdev_close(struct block_device *bdev,
				   struct rdbd_bdev_claim *claim)
{
	blkdev_put(bdev, RDBD_BDEV_MODE);
}

#else
#error "rdbd: no compat for claiming a block device on 6.5 to 6.9"
#endif

/* ---- generic netlink dumps (6.6) ---- */

/* The request's attributes, parsed by the family policy, in a dumpit. */
static inline struct nlattr **rdbd_genl_dump_attrs(struct netlink_callback *cb)
{
#if RDBD_KERNEL_AT_LEAST(6, 6)
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* ---- a stacking disk and its queue limits (6.9, 6.11) ---- */

/**
 * rdbd_alloc_stacking_disk - a bio-based gendisk with stacking limits
 * @node: NUMA node, or NUMA_NO_NODE
 *
 * The limits are the block layer's neutral start for a stacking driver
 * (everything allowed) until rdbd_restack_limits() takes a backing disk's.
 * Returns the disk or an ERR_PTR.
 */
static inline struct gendisk *rdbd_alloc_stacking_disk(int node)
{
#if RDBD_KERNEL_AT_LEAST(6, 9)
	struct queue_limits lim;

	blk_set_stacking_limits(&lim);
	/*
	 * The stacking start allows zone appends, which a disk that is not
	 * zoned may not claim: blk_validate_limits() WARNs and refuses it.
	 * rdbd is never zoned.
	 */
	lim.max_zone_append_sectors = 0;
	return blk_alloc_disk(&lim, node);
#else
	struct gendisk *disk = blk_alloc_disk(node);

	if (!disk)
		return ERR_PTR(-ENOMEM);
	blk_set_stacking_limits(&disk->queue->limits);
	return disk;
#endif
}

/* What rdbd can carry, whatever the backing disk takes; in sectors. */
struct rdbd_limit_caps {
	unsigned int max_hw_sectors;
	unsigned int max_discard_sectors;	/* also of WRITE_ZEROES */
};

/**
 * rdbd_restack_limits - make @disk's limits the backing disk's, capped
 * @disk: rdbd's gendisk
 * @bdev: the backing disk
 * @caps: rdbd's own caps
 *
 * Starts from stacking limits again, so nothing of an earlier backing disk
 * stays.  Block sizes, I/O sizes, transfer and discard limits come from
 * @bdev, then @caps cap them; write cache, FUA and rotational are @bdev's.
 * A discard granularity above the discard cap turns discard off: the
 * block layer does not split a discard below its granularity.
 * Returns 0 or a negative errno (6.11 on: the limits were refused and the
 * old ones stay).
 */
static inline int rdbd_restack_limits(struct gendisk *disk,
				      struct block_device *bdev,
				      const struct rdbd_limit_caps *caps)
{
#if RDBD_KERNEL_AT_LEAST(6, 11)
	struct request_queue *q = disk->queue;
	struct queue_limits lim = queue_limits_start_update(q);
	/* Queue flags before 6.11: restacking kept what the user set. */
	blk_features_t own = lim.features & (BLK_FEAT_ADD_RANDOM |
					     BLK_FEAT_IO_STAT);

	blk_set_stacking_limits(&lim);
	lim.features |= own;
	queue_limits_stack_bdev(&lim, bdev, 0, disk->disk_name);
	lim.max_hw_sectors = min(lim.max_hw_sectors, caps->max_hw_sectors);
	/* As 6.1's setter: the backing disk's effective cap becomes ours. */
	lim.max_hw_discard_sectors = min(lim.max_discard_sectors,
					 caps->max_discard_sectors);
	if (lim.discard_granularity >
	    caps->max_discard_sectors << SECTOR_SHIFT)
		lim.max_hw_discard_sectors = 0;
	lim.max_write_zeroes_sectors = min(lim.max_write_zeroes_sectors,
					   caps->max_discard_sectors);
	/*
	 * Stacking inherits these bits; bdev_write_cache() also honours a
	 * write cache the user turned off on the backing disk, as on 6.1.
	 */
	lim.features &= ~(BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA |
			  BLK_FEAT_ROTATIONAL);
	if (bdev_write_cache(bdev))
		lim.features |= BLK_FEAT_WRITE_CACHE;
	if (bdev_fua(bdev))
		lim.features |= BLK_FEAT_FUA;
	if (!bdev_nonrot(bdev))
		lim.features |= BLK_FEAT_ROTATIONAL;
	return queue_limits_commit_update(q, &lim);
#else
	struct request_queue *q = disk->queue;

	blk_set_stacking_limits(&q->limits);
	disk_stack_limits(disk, bdev, 0);
	blk_queue_max_hw_sectors(q, min(queue_max_hw_sectors(q),
					caps->max_hw_sectors));
	blk_queue_max_discard_sectors(q, min(q->limits.max_discard_sectors,
					     caps->max_discard_sectors));
	if (q->limits.discard_granularity >
	    caps->max_discard_sectors << SECTOR_SHIFT)
		blk_queue_max_discard_sectors(q, 0);
	blk_queue_max_write_zeroes_sectors(q,
		min(q->limits.max_write_zeroes_sectors,
		    caps->max_discard_sectors));
	blk_queue_write_cache(q, bdev_write_cache(bdev), bdev_fua(bdev));
	if (bdev_nonrot(bdev))
		blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	else
		blk_queue_flag_clear(QUEUE_FLAG_NONROT, q);
	return 0;
#endif
}

#endif /* RDBD_COMPAT_H */
