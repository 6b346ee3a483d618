// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: signalling the hardware fences of completed jobs.
 */

/**
 * DOC: tlgpu fence signalling and its ordering rule
 *
 * A timeline's interrupt (tlgpu_irq.c), the timeout and reset paths and
 * the timeline's signal work call tlgpu_timeline_irq(), which takes the
 * pending list's prefix that the status page shows completed and signals
 * it, in seqno order, each fence with the error the device reported.
 *
 * The rule: **no job is seen done before a job it WAITed for on the
 * device.**  The device completes a WAITing job after the job it waited
 * for, but interrupts of two timelines arrive in any order, and the 6.1
 * scheduler signals a finished fence from its own thread, later, when the
 * hardware fence signalled before the thread added its callback.  So:
 *
 *  - one signaller per device at a time (&tlgpu_device.signal_lock): a
 *    fence is never signalled on one CPU while another holds the fence of
 *    the job it WAITed for, completed but not yet signalled;
 *  - before a fence that WAITed (its wait_mask), the timelines it waited on
 *    are signalled first, recursively to TLGPU_SIGNAL_DEPTH;
 *  - then, if the finished fence of a job it WAITed for (its after[]) still
 *    has no timestamp, the timeline stops there and defers: a callback on
 *    that fence queues the timeline's signal work, which looks again
 *    (tracepoint tlgpu_defer).
 *
 * The pending lock protects only the list; it is dropped while fences are
 * signalled, since their callbacks may take other timelines' locks.
 */

#include <linux/dma-fence.h>

#include <drm/drm_drv.h>

#include "tlgpu_drv.h"
#include "tlgpu_trace.h"

/* How deep WAIT dependencies are followed when signalling. */
#define TLGPU_SIGNAL_DEPTH	4

/*
 * Whether every job @fence WAITed for is seen done: its finished fence
 * signalled, with its timestamp.  Otherwise *@blocker is one that is not.
 */
static bool tlgpu_fence_after_done(struct tlgpu_fence *fence,
				   struct dma_fence **blocker)
{
	u32 i;

	for (i = 0; i < fence->after_count; i++) {
		if (!test_bit(DMA_FENCE_FLAG_TIMESTAMP_BIT,
			      &fence->after[i]->flags)) {
			*blocker = fence->after[i];
			return false;
		}
	}
	return true;
}

static void tlgpu_timeline_defer_cb(struct dma_fence *dep,
				    struct dma_fence_cb *cb)
{
	struct tlgpu_timeline *tl = container_of(cb, struct tlgpu_timeline,
						 defer_cb);

	/* Under @dep's lock, which nests inside the signal lock: later. */
	queue_work(system_highpri_wq, &tl->signal_work);
}

/*
 * @tl's next completed fence waits for @dep to signal: have the timeline
 * looked at again then.  The signal lock is held.
 */
static void tlgpu_timeline_defer(struct tlgpu_timeline *tl,
				 struct tlgpu_fence *fence, struct dma_fence *dep)
{
	lockdep_assert_held(&tl->tdev->signal_lock);
	trace_tlgpu_defer(tl->tdev, tl->idx, fence->base.seqno, dep->context,
			  dep->seqno);
	if (tl->defer_fence)
		return;		/* its callback looks again */
	if (dma_fence_add_callback(dep, &tl->defer_cb, tlgpu_timeline_defer_cb)) {
		/* Signalled since, its timestamp not yet there: soon. */
		queue_work(system_highpri_wq, &tl->signal_work);
		return;
	}
	tl->defer_fence = dma_fence_get(dep);
}

/* Forget the deferral of @tl, if any; the signal lock is held. */
static struct dma_fence *tlgpu_timeline_undefer(struct tlgpu_timeline *tl)
{
	struct dma_fence *dep = tl->defer_fence;

	lockdep_assert_held(&tl->tdev->signal_lock);
	if (dep)
		dma_fence_remove_callback(dep, &tl->defer_cb);
	tl->defer_fence = NULL;
	return dep;
}

static void __tlgpu_timeline_irq(struct tlgpu_timeline *tl, unsigned int depth);

/*
 * The pending lock is dropped while the signalling path recurses and
 * signals; TLGPU_BREAK=signal_locked keeps it held, deliberately broken.
 */
#ifdef TLGPU_BREAK_SIGNAL_LOCKED
#define tlgpu_pending_unlock(tl)	do { } while (0)
#define tlgpu_pending_lock(tl)		do { } while (0)
#define tlgpu_pending_unlock_late(tl)	spin_unlock(&(tl)->pending_lock)
#else
#define tlgpu_pending_unlock(tl)	spin_unlock(&(tl)->pending_lock)
#define tlgpu_pending_lock(tl)		spin_lock(&(tl)->pending_lock)
#define tlgpu_pending_unlock_late(tl)	do { } while (0)
#endif

/**
 * tlgpu_timeline_irq() - signal the timeline's completed jobs
 * @tl: timeline
 *
 * Called from the timeline's interrupt handler, after it acknowledged the
 * interrupt, from the timeout and reset paths, and from @tl's
 * &tlgpu_timeline.signal_work.  Signals, in order, every pending hardware
 * fence up to the completed seqno of the status page, with the error the
 * device reported for it, and drops the pending list's reference.
 *
 * A job that WAITed on the device for jobs of other timelines completed
 * after them, and must not be seen done before them: their completions
 * are signalled first, and then, if the finished fence of one of them is
 * still not signalled (the 6.1 scheduler signals a finished fence from its
 * thread, later, when the hardware fence signalled before the thread added
 * its callback), the timeline stops there until that fence signals.
 */
void tlgpu_timeline_irq(struct tlgpu_timeline *tl)
{
	unsigned long flags;

	/*
	 * One signaller per device at a time: otherwise a job's fence could
	 * be signalled here while another CPU still holds, unsignalled, the
	 * fence of the job it WAITed for.
	 */
	spin_lock_irqsave(&tl->tdev->signal_lock, flags);
	__tlgpu_timeline_irq(tl, 0);
	spin_unlock_irqrestore(&tl->tdev->signal_lock, flags);
}

static void __tlgpu_timeline_irq(struct tlgpu_timeline *tl, unsigned int depth)
{
	struct tlgpu_device *tdev = tl->tdev;
	struct tlgpu_fence *fence;
	u64 completed;
	bool cookie;

	lockdep_assert_held(&tdev->signal_lock);
	completed = le64_to_cpu(READ_ONCE(tl->status->completed_seqno));
	/* The device wrote the error slots before the seqno. */
	dma_rmb();

	/* Only this function, under the signal lock, takes fences off. */
	cookie = dma_fence_begin_signalling();
	for (;;) {
		struct dma_fence *blocker;
		u64 mask, seqno;
		u32 error;

		spin_lock(&tl->pending_lock);
		fence = list_first_entry_or_null(&tl->pending,
						 struct tlgpu_fence, link);
		if (!fence || fence->base.seqno > completed) {
			spin_unlock(&tl->pending_lock);
			break;
		}
		tlgpu_pending_unlock(tl);
		for (mask = fence->wait_mask;
		     mask && depth < TLGPU_SIGNAL_DEPTH; mask &= mask - 1)
			__tlgpu_timeline_irq(&tdev->timelines[__ffs64(mask)],
					     depth + 1);
		tlgpu_pending_lock(tl);
		/*
		 * A job of those timelines that this one WAITed for in turn
		 * had the recursion signal this one already.  (Freed and
		 * reallocated meanwhile it cannot be: the free waits for an
		 * RCU grace period.)
		 */
		if (list_first_entry(&tl->pending, struct tlgpu_fence, link) !=
		    fence) {
			spin_unlock(&tl->pending_lock);
			continue;
		}
		if (!tlgpu_fence_after_done(fence, &blocker)) {
			spin_unlock(&tl->pending_lock);
			tlgpu_timeline_defer(tl, fence, blocker);
			break;
		}
		list_del_init(&fence->link);
		tlgpu_pending_unlock(tl);

		seqno = fence->base.seqno;
		error = le32_to_cpu(READ_ONCE(
			tl->status->error[seqno % TLGPU_STATUS_SLOTS]));
		trace_tlgpu_complete(tdev, tl->idx, seqno, error);
		tlgpu_fence_signal_error(fence, tlgpu_error_to_errno(error));
		tlgpu_pending_unlock_late(tl);
	}
	dma_fence_end_signalling(cookie);
}

/* &tlgpu_timeline.signal_work: what held the timeline up signalled. */
void tlgpu_timeline_signal_work(struct work_struct *work)
{
	struct tlgpu_timeline *tl = container_of(work, struct tlgpu_timeline,
						 signal_work);
	struct tlgpu_device *tdev = tl->tdev;
	struct dma_fence *dep;
	unsigned long flags;
	int idx;

	/* Unplugged: tlgpu_sched_unplug() failed every pending fence. */
	if (!drm_dev_enter(&tdev->drm, &idx))
		return;
	spin_lock_irqsave(&tdev->signal_lock, flags);
	dep = tlgpu_timeline_undefer(tl);
	__tlgpu_timeline_irq(tl, 0);
	spin_unlock_irqrestore(&tdev->signal_lock, flags);
	dma_fence_put(dep);
	drm_dev_exit(idx);
}

/* Signal every pending fence with @err: the device will not. */
void tlgpu_timeline_cancel(struct tlgpu_timeline *tl, int err)
{
	struct tlgpu_device *tdev = tl->tdev;
	struct tlgpu_fence *fence, *tmp;
	struct dma_fence *dep;
	unsigned long flags;
	LIST_HEAD(done);
	bool cookie;

	spin_lock_irqsave(&tdev->signal_lock, flags);
	dep = tlgpu_timeline_undefer(tl);
	spin_lock(&tl->pending_lock);
	list_splice_init(&tl->pending, &done);
	spin_unlock(&tl->pending_lock);

	cookie = dma_fence_begin_signalling();
	list_for_each_entry_safe(fence, tmp, &done, link) {
		list_del_init(&fence->link);
		tlgpu_fence_signal_error(fence, err);
	}
	dma_fence_end_signalling(cookie);
	spin_unlock_irqrestore(&tdev->signal_lock, flags);
	dma_fence_put(dep);
}

/**
 * tlgpu_fence_cancel() - fail one hardware fence the device will not signal
 * @fence: the fence, on its timeline's pending list or already signalled
 * @err: the negative errno
 */
void tlgpu_fence_cancel(struct tlgpu_fence *fence, int err)
{
	struct tlgpu_timeline *tl = fence->tl;
	struct tlgpu_device *tdev = tl->tdev;
	unsigned long flags;
	bool pending, cookie;

	spin_lock_irqsave(&tdev->signal_lock, flags);
	spin_lock(&tl->pending_lock);
	pending = !list_empty(&fence->link);
	if (pending)
		list_del_init(&fence->link);
	spin_unlock(&tl->pending_lock);
	if (pending) {
		cookie = dma_fence_begin_signalling();
		tlgpu_fence_signal_error(fence, err);
		dma_fence_end_signalling(cookie);
	}
	spin_unlock_irqrestore(&tdev->signal_lock, flags);
}
