// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: hardware fences.
 */

/**
 * DOC: tlgpu hardware fences
 *
 * A hardware fence stands for one job's FENCE command on a timeline: its
 * seqno is the hardware seqno the device writes to the timeline's status
 * page, in the timeline's own fence context.  The scheduler sees it as
 * the job's parent fence; userspace only ever sees the scheduler's
 * finished fences.
 *
 * A hardware fence is allocated at submit time (so that nothing allocates
 * on the signalling path), initialized when the job is first written to
 * the ring, and put on the timeline's pending list, which holds a
 * reference until the interrupt handler signals it.  The error of a
 * failed job is set before the fence is signalled.
 *
 * Lifetime.  The job's scheduler fences keep the hardware fence as their
 * parent until they die, which userspace decides (a sync file, a syncobj,
 * another driver's dma_resv), and they name their timeline through our
 * scheduler.  Up to 6.x a fence's ops (and so its name, and its release)
 * are the driver's for the fence's whole life, and its lock is the
 * timeline's: so a hardware fence holds, from allocation until it is
 * freed, a reference to the timelines (&struct tlgpu_timelines: the
 * schedulers, the names, the fence lock) and one to this module, whose
 * code its ops are: rmmod is refused while a fence of tlgpu lives, and the
 * timelines outlive the device they belong to.  Fences are freed after an
 * RCU grace period, so RCU readers (dma_resv iterators, the scheduler's
 * parent pointer, a zombie fence's name) never touch freed memory, and
 * the module's exit waits for those frees with rcu_barrier().
 *
 * From 7.0 (TLGPU_FENCE_DETACHES) a signalled fence can be independent of
 * its driver, and tlgpu's are: no release op, a lock of their own, so
 * dma_fence_signal() clears their ops and whoever puts the last reference
 * frees them with dma_fence_free() (kfree_rcu()), tlgpu loaded or not.
 * A fence then holds the timelines only until it signals (tlgpu_fence_signal()
 * drops them; the timelines are freed after a grace period, for readers of
 * an unsignalled fence's name), and never the module: each job holds the
 * module and the timelines until it is freed (tlgpu_job_cleanup()), so
 * rmmod succeeds with only signalled fences of tlgpu left in sync files
 * and syncobjs, whose names then read "detached-driver" and
 * "signaled-timeline" (dma_fence_driver_name()).
 */

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "tlgpu_drv.h"

static const char *tlgpu_fence_get_driver_name(struct dma_fence *fence)
{
	return "tlgpu";
}

static const char *tlgpu_fence_get_timeline_name(struct dma_fence *fence)
{
	return container_of(fence, struct tlgpu_fence, base)->tl->name;
}

/* After a grace period: RCU readers may be reading a fence's timeline name. */
static void tlgpu_timelines_release(struct kref *kref)
{
	struct tlgpu_timelines *set = container_of(kref, struct tlgpu_timelines,
						   refcount);

	kfree_rcu(set, rcu);
}

/**
 * tlgpu_timelines_put() - drop a reference to a device's timelines
 * @set: the timelines
 *
 * Any context: the last reference only frees memory.
 */
void tlgpu_timelines_put(struct tlgpu_timelines *set)
{
	kref_put(&set->refcount, tlgpu_timelines_release);
}

/**
 * tlgpu_fence_free() - free a hardware fence and what it holds
 * @fence: a fence never initialized, or one whose last reference went
 *
 * Drops the fence's references to its timelines and to the module; the
 * caller is either a job's cleanup (whose job pins the module) or an RCU
 * callback (which the module's exit waits for).  With
 * TLGPU_FENCE_DETACHES only for a fence never initialized.
 */
void tlgpu_fence_free(struct tlgpu_fence *fence)
{
	struct tlgpu_timelines *set = fence->tl->set;

	kfree(fence);
	tlgpu_timelines_put(set);
#ifndef TLGPU_FENCE_DETACHES
	module_put(THIS_MODULE);
#endif
}

/* Drops the fence's references to the job's finished fence and @after. */
static void tlgpu_fence_put_deps(struct tlgpu_fence *fence)
{
	u32 i;

	dma_fence_put(fence->finished);
	fence->finished = NULL;
	for (i = 0; i < fence->after_count; i++)
		dma_fence_put(fence->after[i]);
	fence->after_count = 0;
}

#ifndef TLGPU_FENCE_DETACHES
static void tlgpu_fence_free_rcu(struct rcu_head *rcu)
{
	struct dma_fence *base = container_of(rcu, struct dma_fence, rcu);

	tlgpu_fence_free(container_of(base, struct tlgpu_fence, base));
}

static void tlgpu_fence_release(struct dma_fence *base)
{
	struct tlgpu_fence *fence = container_of(base, struct tlgpu_fence, base);

	/* Dropped at signalling; a fence that never was holds them still. */
	tlgpu_fence_put_deps(fence);
	call_rcu(&base->rcu, tlgpu_fence_free_rcu);
}
#endif

static const struct dma_fence_ops tlgpu_fence_ops = {
	.get_driver_name = tlgpu_fence_get_driver_name,
	.get_timeline_name = tlgpu_fence_get_timeline_name,
#ifndef TLGPU_FENCE_DETACHES
	.release = tlgpu_fence_release,
#endif
};

/**
 * to_tlgpu_fence() - the hardware fence behind a dma_fence, if it is one
 * @fence: any fence
 *
 * Return: the &struct tlgpu_fence, or NULL for a fence of another kind.
 */
struct tlgpu_fence *to_tlgpu_fence(struct dma_fence *fence)
{
	if (tlgpu_fence_ops_of(fence) != &tlgpu_fence_ops)
		return NULL;
	return container_of(fence, struct tlgpu_fence, base);
}

/**
 * tlgpu_fence_alloc() - allocate the hardware fence of a job
 * @tl: the job's timeline
 *
 * Called from an ioctl.  The fence holds the timelines (and, unless
 * TLGPU_FENCE_DETACHES, the module) from now on; one never initialized is
 * freed with tlgpu_fence_free().
 *
 * Return: the fence, or NULL.
 */
struct tlgpu_fence *tlgpu_fence_alloc(struct tlgpu_timeline *tl)
{
	struct tlgpu_fence *fence = kzalloc(sizeof(*fence), GFP_KERNEL);

	if (!fence)
		return NULL;
	fence->tl = tl;
	INIT_LIST_HEAD(&fence->link);
	kref_get(&tl->set->refcount);
#ifdef TLGPU_FENCE_DETACHES
	/* dma_fence_free() frees the struct dma_fence it is given. */
	BUILD_BUG_ON(offsetof(struct tlgpu_fence, base) != 0);
#else
	__module_get(THIS_MODULE);
#endif
	return fence;
}

/**
 * tlgpu_fence_init() - make an allocated fence the fence of @seqno
 * @fence: from tlgpu_fence_alloc()
 * @seqno: hardware seqno on the fence's timeline
 *
 * The caller holds the only reference.
 */
void tlgpu_fence_init(struct tlgpu_fence *fence, u64 seqno)
{
	struct tlgpu_timeline *tl = fence->tl;

#ifdef TLGPU_FENCE_DETACHES
	/* The fence's own lock: the timeline's may be gone before the fence. */
	dma_fence_init(&fence->base, &tlgpu_fence_ops, NULL,
		       tl->fence_context, seqno);
#else
	dma_fence_init(&fence->base, &tlgpu_fence_ops, &tl->fence_lock,
		       tl->fence_context, seqno);
#endif
}

/**
 * tlgpu_fence_signal() - signal a hardware fence
 * @fence: an initialized hardware fence, its error set if it failed
 *
 * With TLGPU_FENCE_DETACHES the fence lets go of the timelines here: from
 * now on it holds nothing of tlgpu (see "Lifetime" above), and the caller
 * must not use @fence->tl unless it holds the timelines itself (a job
 * does).
 */
void tlgpu_fence_signal(struct tlgpu_fence *fence)
{
#ifdef TLGPU_FENCE_DETACHES
	struct tlgpu_timelines *set = fence->tl->set;

	/* Called once per fence: from the signalling path or for a fence
	 * that never reached the ring. */
	dma_fence_signal(&fence->base);
	/*
	 * What TLGPU_FENCE_DETACHES relies on: a kernel with inline fence
	 * locks clears the ops of a fence without release and wait ops when
	 * it signals (7.x).  One that did not would leave tlgpu's ops behind
	 * in a fence that outlives the module.
	 */
	WARN_ON_ONCE(rcu_access_pointer(fence->base.ops));
	tlgpu_timelines_put(set);
#else
	dma_fence_signal(&fence->base);
#endif
}

/**
 * tlgpu_fence_busy_ns() - how long @fence's job has occupied its timeline
 * @fence: a hardware fence written to its ring
 * @now: until when
 *
 * From its ring write, or from the completion of the job ahead of it,
 * whichever is later, to @now (0 if that is not later): so a timeline's
 * jobs never add up to more than the wall time
 * (Documentation/gpu/drm-usage-stats.rst).  &tlgpu_device.signal_lock held.
 */
u64 tlgpu_fence_busy_ns(struct tlgpu_fence *fence, ktime_t now)
{
	ktime_t last = fence->tl->last_done;
	ktime_t from = ktime_after(last, fence->run_time) ? last : fence->run_time;

	return ktime_after(now, from) ? ktime_to_ns(ktime_sub(now, from)) : 0;
}

/**
 * tlgpu_fence_set_run_time() - @fence's job is written to the ring now
 * @fence: its hardware fence, initialized
 * @first: its first run (else a replay after a reset)
 *
 * A replayed job that was its timeline's head keeps the time it occupied
 * the timeline so far: fdinfo showed it (tlgpu_file_busy_ns() counts the
 * head's time up to now), and a client's busy time never goes back
 * (Documentation/gpu/drm-usage-stats.rst).  Takes the signal lock.
 */
void tlgpu_fence_set_run_time(struct tlgpu_fence *fence, bool first)
{
	struct tlgpu_timeline *tl = fence->tl;
	ktime_t now = ktime_get();
	unsigned long flags;

	spin_lock_irqsave(&tl->tdev->signal_lock, flags);
	if (!first && fence->busy) {
		spin_lock(&tl->pending_lock);
		if (list_first_entry_or_null(&tl->pending, struct tlgpu_fence,
					     link) == fence)
			atomic64_add(tlgpu_fence_busy_ns(fence, now), fence->busy);
		spin_unlock(&tl->pending_lock);
	}
	fence->run_time = now;
	spin_unlock_irqrestore(&tl->tdev->signal_lock, flags);
}

/**
 * tlgpu_fence_signal_error() - complete or fail a fence off the pending list
 * @fence: a hardware fence the caller took off its timeline's pending list
 * @err: 0, or the negative errno the job failed with
 *
 * Sets @err on @fence and, on 6.1 whose scheduler does not pass the
 * parent's error on, on the job's finished fence; gives back the job's address-space
 * slot, signals @fence, drops what it held, and drops the pending list's
 * reference.  &tlgpu_device.signal_lock held.
 */
void tlgpu_fence_signal_error(struct tlgpu_fence *fence, int err)
{
	struct tlgpu_timeline *tl = fence->tl;
	ktime_t now = ktime_get();

	lockdep_assert_held(&tl->tdev->signal_lock);
	/*
	 * fdinfo: busy from its ring write, or from the completion of the
	 * job ahead of it if later, until now (tlgpu_fence_busy_ns()).
	 */
	if (fence->busy) {
		atomic64_add(tlgpu_fence_busy_ns(fence, now), fence->busy);
		fence->busy = NULL;
	}
	tl->last_done = now;
	/* Done on the device: its VM's address-space slot is free to go. */
	if (fence->as_vm) {
		tlgpu_vm_unpin_as(fence->as_vm);
		fence->as_vm = NULL;
	}
	if (err) {
		dma_fence_set_error(&fence->base, err);
#ifndef TLGPU_SCHED_FORWARDS_ERROR
		/* 6.1: the scheduler does not pass the parent's error on. */
		if (fence->finished)
			dma_fence_set_error(fence->finished, err);
#endif
	}
	tlgpu_fence_signal(fence);
	tlgpu_fence_put_deps(fence);
	dma_fence_put(&fence->base);
}

/**
 * tlgpu_error_to_errno() - the fence error for a device error code
 * @error: TLGPU_ERR_* from the status page
 *
 * Return: 0 for TLGPU_ERR_NONE, else a negative errno: -EFAULT for memory
 * faults, -EACCES for a write to a read-only page, -EINVAL for a bad
 * command, -EIO for injected and other failures.
 */
int tlgpu_error_to_errno(u32 error)
{
	switch (error) {
	case TLGPU_ERR_NONE:
		return 0;
	case TLGPU_ERR_PAGE_FAULT:
	case TLGPU_ERR_BAD_ADDRESS:
	case TLGPU_ERR_BAD_AS:
		return -EFAULT;
	case TLGPU_ERR_PERMISSION:
		return -EACCES;
	case TLGPU_ERR_BAD_COMMAND:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/*
 * Whether the device completed @fence's job: its seqno is in the status
 * page, though the fence may still wait to be signalled.
 */
bool tlgpu_fence_completed(struct tlgpu_fence *fence)
{
	return le64_to_cpu(READ_ONCE(fence->tl->status->completed_seqno)) >=
	       fence->base.seqno;
}
