// SPDX-License-Identifier: GPL-2.0
/*
 * The activity log: which 4 MiB regions ("extents") of the data area may
 * have writes in flight.  Before a write lands in an extent that is not
 * hot, the new set of hot extents is written to the AL area (format in
 * <rdbd/meta.h>); writes to hot extents cost no metadata I/O.  After a
 * Primary crash, attach marks exactly the hot extents out of sync: a
 * write in flight at the crash may have reached one disk and not the
 * other, and bits set in RAM since the bitmap was last written are lost,
 * but both can only concern hot extents.
 *
 * An extent leaves the hot set (LRU, when a cold one is needed and all
 * al-extents slots are taken) only with no write in flight in it, and
 * only after the bitmap was written, so its marks are on disk before the
 * activity log stops covering it.
 *
 * Why a worker: the transaction is written from submit_bio, where bios
 * the task submits are only queued (current->bio_list) until it returns;
 * waiting there for our own metadata write would never end.  So the
 * writer hands the transaction (and the bitmap writeout an eviction
 * needs) to a work item on rdbd_wq (WQ_MEM_RECLAIM: it makes progress
 * under memory pressure) and waits for it.
 *
 * An extent enters a slot marked "committing" and is written to the log
 * with the writer that brought it in waiting; until that transaction is
 * on disk no other write may use the slot, or its data could reach the
 * disk before the log says the extent is hot.
 *
 * Locking: al->mutex serialises transactions (and owns al->page); the
 * slot arrays, the clock and the counters are protected by dev->req_lock,
 * because completions (interrupt context) drop the in-flight counts.
 * Only the al->mutex holder marks slots committing, and it clears them
 * before it unlocks: under al->mutex no slot is committing.  Writers
 * wait on al->wait (under req_lock) for a committing slot or for an idle
 * one; completions and transactions wake them.
 *
 * A write takes the slots of all its extents at once (two at most), or
 * waits holding none: with slots held by writes each waiting for one more,
 * no write could ever complete.  A writer takes its slots before it owns
 * its range (req.c), so a writer waiting here holds no range anyone else
 * waits for.
 */
#include <linux/crc32.h>
#include <linux/slab.h>

#include "rdbd_int.h"

#define RDBD_AL_NONE		U32_MAX		/* empty slot */
#define RDBD_AL_BLOCKS		(RDBD_MD_AL_BYTES / RDBD_MD_BLOCK_BYTES)

static_assert(sizeof(struct rdbd_al_block) == RDBD_MD_BLOCK_BYTES);

static u32 rdbd_al_crc(const struct rdbd_al_block *b)
{
	return crc32_le(~0U, (const u8 *)b + 8, sizeof(*b) - 8) ^ ~0U;
}

int rdbd_al_alloc(struct rdbd_backing *ldev, u32 al_extents)
{
	struct rdbd_al *al = &ldev->al;
	u32 i;

	mutex_init(&al->mutex);
	init_waitqueue_head(&al->wait);
	al->nr_slots = clamp_t(u32, al_extents, RDBD_AL_EXTENTS_MIN,
			       RDBD_AL_EXTENTS_MAX);
	al->extent = kvcalloc(al->nr_slots, sizeof(*al->extent), GFP_KERNEL);
	al->inflight = kvcalloc(al->nr_slots, sizeof(*al->inflight),
				GFP_KERNEL);
	al->last_use = kvcalloc(al->nr_slots, sizeof(*al->last_use),
				GFP_KERNEL);
	al->committing = kvcalloc(al->nr_slots, sizeof(*al->committing),
				  GFP_KERNEL);
	al->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!al->extent || !al->inflight || !al->last_use || !al->committing ||
	    !al->page) {
		rdbd_al_free(ldev);
		return -ENOMEM;
	}
	for (i = 0; i < al->nr_slots; i++)
		al->extent[i] = RDBD_AL_NONE;
	return 0;
}

void rdbd_al_free(struct rdbd_backing *ldev)
{
	struct rdbd_al *al = &ldev->al;

	kvfree(al->extent);
	kvfree(al->inflight);
	kvfree(al->last_use);
	kvfree(al->committing);
	if (al->page)
		__free_page(al->page);
	al->extent = NULL;
	al->inflight = NULL;
	al->last_use = NULL;
	al->committing = NULL;
	al->page = NULL;
}

/* ---- on disk ---- */

/*
 * Write the hot set as transaction al->seq + 1.  al->mutex is held, by
 * the caller or by the writer the caller works for (rdbd_al_commit).
 */
static int rdbd_al_write(struct rdbd_device *dev, struct rdbd_backing *ldev)
{
	struct rdbd_al *al = &ldev->al;
	struct rdbd_al_block *b = page_address(al->page);
	u32 i, nr = 0;
	u64 seq = al->seq + 1;
	int err;

	memset(b, 0, sizeof(*b));
	spin_lock_irq(&dev->req_lock);
	for (i = 0; i < al->nr_slots; i++)
		if (al->extent[i] != RDBD_AL_NONE)
			b->extent[nr++] = cpu_to_le32(al->extent[i]);
	spin_unlock_irq(&dev->req_lock);
	b->magic = cpu_to_le32(RDBD_AL_MAGIC);
	b->seq = cpu_to_le64(seq);
	b->nr = cpu_to_le32(nr);
	b->crc32 = cpu_to_le32(rdbd_al_crc(b));
	err = rdbd_md_io(ldev->bdev, al->page, ldev->layout.al_offset +
			 (seq % RDBD_AL_BLOCKS) * RDBD_MD_BLOCK_BYTES,
			 REQ_OP_WRITE | REQ_SYNC | REQ_META | REQ_FUA);
	if (err) {
		pr_err("rdbd%u: writing the activity log to %s failed: %s\n",
		       dev->minor, ldev->path, rdbd_strerror(err));
		rdbd_set_last_error(dev, "writing the activity log to %s failed: %s",
				    ldev->path, rdbd_strerror(err));
		rdbd_ioerr_md(dev, ldev);
		return err;
	}
	al->seq = seq;
	spin_lock_irq(&dev->req_lock);
	al->writes++;
	spin_unlock_irq(&dev->req_lock);
	return 0;
}

/* A transaction block read at attach: valid, and newer than @best? */
static bool rdbd_al_block_ok(const struct rdbd_al_block *b)
{
	return le32_to_cpu(b->magic) == RDBD_AL_MAGIC &&
	       le32_to_cpu(b->crc32) == rdbd_al_crc(b) &&
	       le32_to_cpu(b->nr) <= RDBD_AL_EXTENTS_MAX;
}

/*
 * Mark the extents of the newest valid transaction out of sync (a crashed
 * Primary's attach).  Returns how many, or a negative errno.
 */
static int rdbd_al_mark_logged(struct rdbd_device *dev,
			       struct rdbd_backing *ldev, u64 *newest_seq)
{
	struct rdbd_al_block *b = page_address(ldev->al.page);
	u64 best = 0, seq;
	int i, best_i = -1, err;
	u32 n, nr;

	for (i = 0; i < RDBD_AL_BLOCKS; i++) {
		err = rdbd_md_io(ldev->bdev, ldev->al.page,
				 ldev->layout.al_offset +
				 i * RDBD_MD_BLOCK_BYTES,
				 REQ_OP_READ | REQ_SYNC | REQ_META);
		if (err)
			return err;
		seq = le64_to_cpu(b->seq);
		if (rdbd_al_block_ok(b) && seq >= best) {
			best = seq;
			best_i = i;
		}
	}
	*newest_seq = best;
	if (best_i < 0)
		return 0;
	err = rdbd_md_io(ldev->bdev, ldev->al.page, ldev->layout.al_offset +
			 best_i * RDBD_MD_BLOCK_BYTES,
			 REQ_OP_READ | REQ_SYNC | REQ_META);
	if (err)
		return err;
	nr = le32_to_cpu(b->nr);
	spin_lock_irq(&dev->req_lock);
	for (n = 0; n < nr; n++) {
		u64 ext = le32_to_cpu(b->extent[n]);

		/* an extent past our data: nothing of ours to mark */
		if ((ext << RDBD_AL_EXTENT_SHIFT) >= ldev->layout.data_bytes)
			continue;
		rdbd_bm_set_range(dev, ldev,
				  ext << (RDBD_AL_EXTENT_SHIFT - SECTOR_SHIFT),
				  min_t(u64, 1ULL << RDBD_AL_EXTENT_SHIFT,
					ldev->layout.data_bytes -
					(ext << RDBD_AL_EXTENT_SHIFT)));
	}
	spin_unlock_irq(&dev->req_lock);
	return nr;
}

/**
 * rdbd_al_attach - read the activity log of a disk being attached
 * @dev: the device (state_mutex held)
 * @ldev: the disk, bitmap read, not yet visible to I/O
 * @crashed: it was Primary when it went down: apply the log
 * @extack: where to explain a failure
 *
 * Applying marks every logged extent in the bitmap and writes the bitmap;
 * the log then starts empty.
 */
int rdbd_al_attach(struct rdbd_device *dev, struct rdbd_backing *ldev,
		   bool crashed, struct netlink_ext_ack *extack)
{
	u64 seq = 0;
	int nr, err = 0;

	nr = rdbd_al_mark_logged(dev, ldev, &seq);
	if (nr < 0) {
		err = nr;
		goto out_err;
	}
	ldev->al.seq = seq;
	if (!crashed)
		return 0;
	/* Unmarking again needs a resync, never a crash: marks are kept. */
	pr_notice("rdbd%u: crashed primary: %d activity-log extents (%d MiB) of %s marked out of sync\n",
		  dev->minor, nr, nr * 4, ldev->path);
	err = rdbd_bm_write(dev, ldev);
	if (!err) {
		mutex_lock(&ldev->al.mutex);
		err = rdbd_al_write(dev, ldev);	/* the log starts empty */
		mutex_unlock(&ldev->al.mutex);
	}
	if (!err)
		return 0;
out_err:
	rdbd_extack(extack, dev->minor,
		    "cannot read or apply the activity log of %s: %s",
		    ldev->path, rdbd_strerror(err));
	return err;
}

/* ---- the write path ---- */

/* A transaction handed to rdbd_wq by a writer (see the top). */
struct rdbd_al_commit {
	struct work_struct work;
	struct rdbd_device *dev;
	struct rdbd_backing *ldev;
	bool evicting;			/* write the bitmap first */
};

static void rdbd_al_commit_work(struct work_struct *work)
{
	struct rdbd_al_commit *c = container_of(work, struct rdbd_al_commit,
						work);

	/* The evicted extent's marks reach the disk before the log drops it. */
	if (c->evicting)
		rdbd_bm_write(c->dev, c->ldev);
	rdbd_al_write(c->dev, c->ldev);	/* a failure is logged there */
}

/* Run the transaction on rdbd_wq and wait for it.  al->mutex held. */
static void rdbd_al_commit(struct rdbd_device *dev, struct rdbd_backing *ldev,
			   bool evicting)
{
	struct rdbd_al_commit c = {
		.dev = dev, .ldev = ldev, .evicting = evicting,
	};

	lockdep_assert_held(&ldev->al.mutex);
	INIT_WORK_ONSTACK(&c.work, rdbd_al_commit_work);
	queue_work(rdbd_wq, &c.work);
	flush_work(&c.work);		/* returns once the function has */
	destroy_work_on_stack(&c.work);
}

/* The slot holding @ext, or -1.  req_lock held. */
static int rdbd_al_find(struct rdbd_al *al, u32 ext)
{
	u32 i;

	for (i = 0; i < al->nr_slots; i++)
		if (al->extent[i] == ext)
			return i;
	return -1;
}

/* What rdbd_al_lookup() found for the extents of a write. */
enum rdbd_al_state {
	RDBD_AL_HOT,		/* all hot, their transactions on disk */
	RDBD_AL_COLD,		/* one is not in the log: a transaction */
	RDBD_AL_COMMITTING,	/* one is in a transaction being written */
};

/*
 * Fill @slots with the slots of @ext[0..@n-1], -1 where an extent is cold.
 * req_lock held.
 */
static enum rdbd_al_state rdbd_al_lookup(struct rdbd_al *al, const u32 *ext,
					 int n, int *slots)
{
	enum rdbd_al_state state = RDBD_AL_HOT;
	int i;

	for (i = 0; i < n; i++) {
		slots[i] = rdbd_al_find(al, ext[i]);
		if (slots[i] < 0)
			state = max(state, RDBD_AL_COLD);
		else if (al->committing[slots[i]])
			state = RDBD_AL_COMMITTING;
	}
	return state;
}

/* One more write in flight in each of @slots[0..@n-1].  req_lock held. */
static void rdbd_al_take(struct rdbd_al *al, const int *slots, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		al->inflight[slots[i]]++;
		al->last_use[slots[i]] = ++al->clock;
	}
}

/*
 * The fast path: take the slots of @ext[0..@n-1] if all are hot.  An
 * extent whose transaction is still being written is not in the log on
 * disk yet, so a write to it waits for the transaction (and then finds it
 * hot, or evicted again: cold).
 */
static bool rdbd_al_take_hot(struct rdbd_device *dev, struct rdbd_al *al,
			     const u32 *ext, int n, int *slots)
{
	enum rdbd_al_state state;

	spin_lock_irq(&dev->req_lock);
	wait_event_lock_irq(al->wait,
			    (state = rdbd_al_lookup(al, ext, n, slots)) !=
			    RDBD_AL_COMMITTING, dev->req_lock);
	if (state == RDBD_AL_HOT)
		rdbd_al_take(al, slots, n);
	spin_unlock_irq(&dev->req_lock);
	return state == RDBD_AL_HOT;
}

/*
 * An empty slot, else the least recently used idle one, never one of
 * @busy[0..@n-1]; or -1.  req_lock held.
 */
static int rdbd_al_victim(struct rdbd_al *al, const int *busy, int n)
{
	int i, j, best = -1;

	for (i = 0; i < al->nr_slots; i++) {
		for (j = 0; j < n && busy[j] != i; j++)
			;
		if (j < n)
			continue;
		if (al->extent[i] == RDBD_AL_NONE)
			return i;
		if (!al->inflight[i] &&
		    (best < 0 || al->last_use[i] < al->last_use[best]))
			best = i;
	}
	return best;
}

/*
 * Find a slot for every extent of @ext[0..@n-1]: its own where hot, a
 * victim where cold.  False if there are not enough idle slots yet.
 * al->mutex and req_lock held (so no slot is committing).
 */
static bool rdbd_al_plan(struct rdbd_al *al, const u32 *ext, int n,
			 int *slots)
{
	int i;

	rdbd_al_lookup(al, ext, n, slots);
	for (i = 0; i < n; i++) {
		if (slots[i] < 0)
			slots[i] = rdbd_al_victim(al, slots, n);
		if (slots[i] < 0)
			return false;
	}
	return true;
}

/*
 * Put the cold extents of @ext[0..@n-1] into their planned @slots, marked
 * committing.  Sets *@evicting if one replaces a hot extent.  Returns
 * whether a transaction is needed.  al->mutex and req_lock held.
 */
static bool rdbd_al_install(struct rdbd_al *al, const u32 *ext, int n,
			    const int *slots, bool *evicting)
{
	bool installed = false;
	int i;

	*evicting = false;
	for (i = 0; i < n; i++) {
		if (al->extent[slots[i]] == ext[i])
			continue;
		if (al->extent[slots[i]] != RDBD_AL_NONE)
			*evicting = true;
		al->extent[slots[i]] = ext[i];
		al->committing[slots[i]] = true;
		installed = true;
	}
	return installed;
}

/*
 * The slow path: make @ext[0..@n-1] hot, all in one transaction, and take
 * their slots.  A write waiting for idle slots holds none, so writers can
 * never hold all slots between them while each waits for one more.
 */
static void rdbd_al_get(struct rdbd_device *dev, struct rdbd_backing *ldev,
			const u32 *ext, int n, int *slots)
{
	struct rdbd_al *al = &ldev->al;
	bool evicting;
	int i;

	mutex_lock(&al->mutex);
	spin_lock_irq(&dev->req_lock);
	/* every slot busy: wait for writes to complete */
	wait_event_lock_irq(al->wait, rdbd_al_plan(al, ext, n, slots),
			    dev->req_lock);
	rdbd_al_take(al, slots, n);
	if (!rdbd_al_install(al, ext, n, slots, &evicting)) {
		spin_unlock_irq(&dev->req_lock);	/* made hot meanwhile */
		mutex_unlock(&al->mutex);
		return;
	}
	spin_unlock_irq(&dev->req_lock);

	rdbd_al_commit(dev, ldev, evicting);

	spin_lock_irq(&dev->req_lock);
	for (i = 0; i < n; i++)
		al->committing[slots[i]] = false;
	wake_up_all(&al->wait);		/* fast-path writers to these extents */
	spin_unlock_irq(&dev->req_lock);
	mutex_unlock(&al->mutex);
}

/**
 * rdbd_al_begin_io - make the extents of a write hot before it is issued
 * @dev: the device
 * @ldev: its backing disk, pinned
 * @sector: first sector of the write
 * @bytes: its size; at most one extent, so it spans two extents at most:
 *	DATA is at most RDBD_WIRE_MAX_DATA, and DISCARD and WRITE_ZEROES are
 *	capped at one extent by rdbd_dev_stack_limits()
 * @slots: filled with the slots taken, RDBD_AL_NO_SLOT where unused
 *
 * Takes the slots of all extents at once, or waits holding none.
 * Sleeps (metadata writes, waiting for a free slot or for a transaction):
 * called from submit_bio before the write owns its range.
 */
void rdbd_al_begin_io(struct rdbd_device *dev, struct rdbd_backing *ldev,
		      sector_t sector, u32 bytes, int slots[2])
{
	u32 ext[2];
	int n = 1;

	slots[0] = slots[1] = RDBD_AL_NO_SLOT;
	if (!bytes)
		return;
	ext[0] = sector >> (RDBD_AL_EXTENT_SHIFT - SECTOR_SHIFT);
	ext[1] = (sector + (bytes >> SECTOR_SHIFT) - 1) >>
		 (RDBD_AL_EXTENT_SHIFT - SECTOR_SHIFT);
	if (ext[1] != ext[0])
		n = 2;
	if (!rdbd_al_take_hot(dev, &ldev->al, ext, n, slots))
		rdbd_al_get(dev, ldev, ext, n, slots);
}

/* The write is done on this disk.  Any context. */
void rdbd_al_complete_io(struct rdbd_device *dev, struct rdbd_backing *ldev,
			 const int slots[2])
{
	struct rdbd_al *al = &ldev->al;
	unsigned long flags;
	bool wake = false;
	int i;

	spin_lock_irqsave(&dev->req_lock, flags);
	for (i = 0; i < 2; i++) {
		if (slots[i] == RDBD_AL_NO_SLOT)
			continue;
		if (!--al->inflight[slots[i]])
			wake = true;
	}
	if (wake)
		wake_up(&al->wait);
	spin_unlock_irqrestore(&dev->req_lock, flags);
}
