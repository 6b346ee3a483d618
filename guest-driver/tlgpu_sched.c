// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: timelines and job scheduling.
 */

/**
 * DOC: tlgpu timelines and jobs
 *
 * Each device timeline is fed by a DRM GPU scheduler (drm_sched) of its
 * own; each open file has an entity per timeline.  A job's life:
 *
 *  - SUBMIT (tlgpu_submit.c) checks and copies the commands, collects the
 *    explicit and implicit dependencies, arms the job and pushes it.
 *  - Dependencies on jobs of *other* timelines of the *same* device are not
 *    waited for by the CPU: tlgpu_job_dependency() waits only until such a
 *    job is written to its ring, then notes its hardware seqno, and
 *    tlgpu_job_run() emits a device-side WAIT for it.  Everything else
 *    (other devices, vgem, sw_sync, sync files) is an ordinary scheduler
 *    dependency.
 *  - tlgpu_job_run() writes SET_AS, the WAITs, the commands and a FENCE
 *    with the job's hardware seqno to the ring, puts the hardware fence on
 *    the timeline's pending list (which holds a reference) and rings the
 *    doorbell.
 *  - The timeline's interrupt (tlgpu_timeline_irq()) acknowledges, reads
 *    the completed seqno and the per-job error from the status page, sets
 *    the error on the hardware and the scheduler's finished fence, and
 *    signals; the scheduler then frees the job.
 *  - A job still running after the timeout: if it actually completed and
 *    only its interrupt was lost, nothing happens; nor if it is blocked in
 *    a device-side WAIT for a job of another timeline that has not
 *    completed (that timeline's own timeout deals with the late job), or
 *    was less than a timeout ago: a job's timeout counts its own time.
 *    Either way the job goes back on the scheduler's pending list, which
 *    the 6.1 scheduler took it off.  Otherwise the job is
 *    guilty: the scheduler is stopped, the device timeline reset (it drops
 *    everything queued), and the pending jobs are written again in order,
 *    with the hardware seqnos they had, so device-side WAITs on them keep
 *    their meaning.  The guilty job is written as a bare FENCE and its
 *    fences carry -ETIME; jobs queued behind it on the same file and
 *    timeline are cancelled by the scheduler (-ECANCELED, bare FENCE);
 *    the others, innocent, run normally.
 *
 * Seqnos are handed out in ring order under ring_lock, so the pending
 * list is in seqno order and an interrupt signals a prefix of it.
 */

#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>

#include "tlgpu_drv.h"
#include "tlgpu_trace.h"

static_assert(TLGPU_JOBS_IN_FLIGHT * TLGPU_JOB_MAX_DWORDS * 4 <
	      TLGPU_RING_SIZE, "the ring holds every job in flight");
static_assert(TLGPU_JOBS_IN_FLIGHT < TLGPU_STATUS_SLOTS,
	      "status slots are not reused while a job is in flight");
static_assert((TLGPU_RING_SIZE & (TLGPU_RING_SIZE - 1)) == 0 &&
	      TLGPU_RING_SIZE <= TLGPU_RING_MAX_SIZE, "valid ring size");

/* Append dwords to the ring; tl->ring_lock held. */
static void tlgpu_ring_emit(struct tlgpu_timeline *tl, const u32 *dw,
			    unsigned int n)
{
	__le32 *ring = tl->ring;
	unsigned int i;

	for (i = 0; i < n; i++) {
		ring[tl->tail / 4] = cpu_to_le32(dw[i]);
		tl->tail = (tl->tail + 4) & (TLGPU_RING_SIZE - 1);
	}
}

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
static void tlgpu_timeline_signal_work(struct work_struct *work)
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
static void tlgpu_timeline_cancel(struct tlgpu_timeline *tl, int err)
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

/*
 * Whether the device completed @fence's job: its seqno is in the status
 * page, though the fence may still wait to be signalled.
 */
static bool tlgpu_fence_completed(struct tlgpu_fence *fence)
{
	return le64_to_cpu(READ_ONCE(fence->tl->status->completed_seqno)) >=
	       fence->base.seqno;
}

/**
 * tlgpu_job_dev_dep() - whether a dependency can become a device WAIT
 * @tdev: device of the job
 * @fence: a dependency (not a container)
 *
 * Return: true if @fence is the finished fence of a job of one of @tdev's
 * schedulers.
 */
bool tlgpu_job_dev_dep(struct tlgpu_device *tdev, struct dma_fence *fence)
{
	struct drm_sched_fence *s_fence = to_drm_sched_fence(fence);
	unsigned int i;

	if (!s_fence || fence != &s_fence->finished)
		return false;
	for (i = 0; i < tdev->num_timelines; i++)
		if (s_fence->sched == &tdev->timelines[i].sched)
			return true;
	return false;
}

/*
 * &drm_sched_backend_ops.dependency: the scheduler's own dependencies are
 * done; now this device's jobs on other timelines.  Wait until each is
 * written to its ring, then note a WAIT for its hardware seqno.  Fall back
 * to waiting for the job itself when its hardware fence cannot be seen
 * (a reset in progress) or the job has no WAIT slot left.  Then pin an
 * address-space slot for the job's VM, or wait for one (tlgpu_mmu.c).
 */
static struct dma_fence *tlgpu_job_dependency(struct drm_sched_job *sched_job,
					      struct drm_sched_entity *entity)
{
	struct tlgpu_job *job = to_tlgpu_job(sched_job);

	while (job->dev_dep_next < job->dev_dep_count) {
		struct dma_fence *fence = job->dev_deps[job->dev_dep_next];
		struct drm_sched_fence *s_fence = to_drm_sched_fence(fence);
		struct tlgpu_fence *hw;
		bool waited = false;

		if (dma_fence_is_signaled(fence)) {
			job->dev_dep_next++;
			continue;
		}
		if (!dma_fence_is_signaled(&s_fence->scheduled))
			return dma_fence_get(&s_fence->scheduled);
		job->dev_dep_next++;
		/* Written to our own ring already: the ring keeps the order. */
		if (s_fence->sched == &job->tl->sched)
			continue;

		/*
		 * A weak read: the parent pointer may be cleared under us
		 * (drm_sched_stop() on a reset of that timeline).  The fence
		 * it pointed to stays alive meanwhile (its job holds it until
		 * tlgpu_job_free(), which puts it back as the parent), and is
		 * freed after an RCU grace period at the earliest anyway.
		 */
		rcu_read_lock();
		hw = to_tlgpu_fence_or_null(READ_ONCE(s_fence->parent));
		if (hw && hw->tl->tdev == job->tl->tdev &&
		    job->wait_count < TLGPU_MAX_WAITS) {
			job->waits[job->wait_count].timeline = hw->tl->idx;
			job->waits[job->wait_count].seqno = hw->base.seqno;
			job->waits[job->wait_count].fence = fence;
			job->wait_count++;
			waited = true;
		}
		rcu_read_unlock();
		if (!waited)
			return dma_fence_get(fence);
	}

	/*
	 * Last: an address-space slot, pinned until the job is done.  Not
	 * for a job being killed: 6.1's drm_sched_entity_kill_jobs() calls
	 * this from the closing task (not the scheduler's thread) to wait
	 * for the dependencies of jobs that will never run.
	 */
	if (!job->as_pinned && (current->flags & PF_KTHREAD)) {
		struct dma_fence *wait;

		if (tlgpu_vm_pin_as(job->vm, &wait))
			return wait;
		job->as_pinned = true;
	}
	return NULL;
}

static struct dma_fence *tlgpu_job_run(struct drm_sched_job *sched_job)
{
	struct tlgpu_job *job = to_tlgpu_job(sched_job);
	struct tlgpu_timeline *tl = job->tl;
	struct tlgpu_device *tdev = tl->tdev;
	struct dma_fence *fence = &job->hw_fence->base;
	unsigned long flags;
	bool first = false;
	unsigned int i;
	u32 cmd[4];
	int idx;

	if (!drm_dev_enter(&tdev->drm, &idx))
		return ERR_PTR(-ENODEV);

	mutex_lock(&tl->ring_lock);
	if (!job->hw_fence_init) {
		tlgpu_fence_init(job->hw_fence, ++tl->seqno);
		job->hw_fence->finished =
			dma_fence_get(&sched_job->s_fence->finished);
		job->hw_fence_init = true;
		first = true;
		/* The fence gives the slot back when it signals. */
		WARN_ON(!job->as_pinned);
		job->hw_fence->busy = &job->file->busy_ns[tl->idx];
		job->hw_fence->as_vm = job->vm;
		job->as_pinned = false;
	} else if (dma_fence_is_signaled(fence) ||
		   tlgpu_fence_completed(job->hw_fence)) {
		/*
		 * Completed before a reset (maybe not yet signalled, waiting
		 * for a job it WAITed for): nothing to run again.
		 */
		goto out_unlock;
	}

	cmd[0] = TLGPU_CMD_HDR(TLGPU_OP_SET_AS, 2, 0);
	cmd[1] = job->vm->as;
	tlgpu_ring_emit(tl, cmd, 2);
	if (job->guilty) {
		/* Re-run after a reset it caused: only its FENCE, failed. */
		dma_fence_set_error(fence, -ETIME);
		dma_fence_set_error(&sched_job->s_fence->finished, -ETIME);
	} else if (sched_job->s_fence->finished.error) {
		/*
		 * Cancelled by the scheduler: queued behind a guilty job of
		 * the same file and timeline.  Its FENCE only, with the error.
		 */
		dma_fence_set_error(fence, sched_job->s_fence->finished.error);
	} else {
		for (i = 0; i < job->wait_count; i++) {
			struct tlgpu_fence *hw = job->hw_fence;
			struct tlgpu_timeline *other =
				&tdev->timelines[job->waits[i].timeline];

			hw->wait_mask |= BIT_ULL(job->waits[i].timeline);
			/*
			 * A replay keeps what the first run noted.
			 * TLGPU_BREAK=no_after: done before what it WAITed for.
			 */
			if (first && !IS_ENABLED(TLGPU_BREAK_NO_AFTER))
				hw->after[hw->after_count++] =
					dma_fence_get(job->waits[i].fence);
			/*
			 * Done already (the status page says so): no WAIT.
			 * After a function-level reset the device forgot
			 * the seqnos it completed, and a replayed WAIT for
			 * one would hang an innocent job.
			 */
			if (le64_to_cpu(READ_ONCE(other->status->completed_seqno)) >=
			    job->waits[i].seqno)
				continue;
			cmd[0] = TLGPU_CMD_HDR(TLGPU_OP_WAIT, 4, 0);
			cmd[1] = job->waits[i].timeline;
			cmd[2] = lower_32_bits(job->waits[i].seqno);
			cmd[3] = upper_32_bits(job->waits[i].seqno);
			tlgpu_ring_emit(tl, cmd, 4);
		}
		tlgpu_ring_emit(tl, job->cmds, job->cmd_dwords);
	}
	cmd[0] = TLGPU_CMD_HDR(TLGPU_OP_FENCE, 4, TLGPU_FENCE_IRQ);
	cmd[1] = 0;
	cmd[2] = lower_32_bits(fence->seqno);
	cmd[3] = upper_32_bits(fence->seqno);
	tlgpu_ring_emit(tl, cmd, 4);

	if (first) {
		spin_lock_irqsave(&tl->pending_lock, flags);
		list_add_tail(&job->hw_fence->link, &tl->pending);
#ifndef TLGPU_BREAK_PENDING_REF
		dma_fence_get(fence);
#endif
		spin_unlock_irqrestore(&tl->pending_lock, flags);
	}
	tlgpu_vm_set_last_hw(job->vm, tl->idx, fence);
	job->hw_fence->run_time = ktime_get();
	job->flr_count = atomic_read(&tdev->flr_count);
	trace_tlgpu_run(tdev, tl->idx, fence->seqno, job->wait_count);

	/* writel orders the ring writes before the doorbell. */
	tlgpu_tl_write(tdev, tl->idx, TLGPU_TL_RING_TAIL, tl->tail);

out_unlock:
	mutex_unlock(&tl->ring_lock);
	drm_dev_exit(idx);
	return dma_fence_get(fence);
}

/*
 * The 6.1 scheduler takes the timed-out job off its pending list before
 * calling the handler, and puts it back only through drm_sched_stop().
 * A handler that resets nothing must put it back itself, or the job is
 * never freed (nor what it holds: its file, VM, buffers and fences).
 * The scheduler thread frees it from there once it has signalled.
 */
static void tlgpu_job_keep(struct drm_sched_job *sched_job)
{
	struct drm_gpu_scheduler *sched = sched_job->sched;

#ifdef TLGPU_BREAK_TIMEOUT_NO_KEEP
	/* Deliberately broken: the job stays off the list, never freed. */
	return;
#endif

	spin_lock(&sched->job_list_lock);
	list_add(&sched_job->list, &sched->pending_list);
	spin_unlock(&sched->job_list_lock);
	wake_up_interruptible(&sched->wake_up_worker);
}

/*
 * Whether @job has not yet had a timeout of its own on the device: it is
 * blocked in a WAIT for a job of another timeline that has not completed
 * (that job, not this one, is late, and its own timeline's timeout deals
 * with it), or such a WAIT was satisfied less than a timeout ago (the
 * awaited job's finished fence signalled since, or has yet to).  So a job
 * is blamed only after a whole timeout of its own, and at the latest two
 * timeouts after its WAITs were satisfied.
 */
static bool tlgpu_job_waits_on_device(struct tlgpu_job *job)
{
	struct tlgpu_device *tdev = job->tl->tdev;
	ktime_t since = ktime_sub_ms(ktime_get(), tlgpu_timeout_ms);
	unsigned int i;

	/* A guilty or cancelled job is written without its WAITs. */
	if (job->guilty || job->base.s_fence->finished.error)
		return false;
	for (i = 0; i < job->wait_count; i++) {
		struct tlgpu_timeline *other =
			&tdev->timelines[job->waits[i].timeline];
		struct dma_fence *fence = job->waits[i].fence;

		if (le64_to_cpu(READ_ONCE(other->status->completed_seqno)) <
		    job->waits[i].seqno)
			return true;
		/* The timestamp is written before the bit is set. */
		if (!test_bit(DMA_FENCE_FLAG_TIMESTAMP_BIT, &fence->flags))
			return true;
		smp_rmb();
		if (ktime_after(fence->timestamp, since))
			return true;
	}
	return false;
}

/*
 * Reset timeline @tl and run its pending jobs again, @bad first (the
 * scheduler took it off its list).  A @guilty job is written as a bare
 * FENCE with -ETIME; the scheduler cancels those queued behind it on its
 * entity; every other job is innocent.  &tlgpu_device.reset_lock held.
 */
static void tlgpu_timeline_replay(struct tlgpu_timeline *tl,
				  struct drm_sched_job *bad, bool guilty)
{
	struct tlgpu_device *tdev = tl->tdev;
	struct tlgpu_job *job = to_tlgpu_job(bad);
	struct drm_sched_job *s_job;

	lockdep_assert_held(&tdev->reset_lock);
	drm_sched_stop(&tl->sched, bad);
	if (guilty) {
		drm_sched_increase_karma(bad);
		job->guilty = true;
		atomic64_inc(&job->file->guilty);
	}

	/* The device drops what is queued; signal what completed before. */
	tlgpu_tl_write(tdev, tl->idx, TLGPU_TL_RESET, 1);
	atomic_inc(&tl->resets);
	atomic_inc(&tdev->timeline_resets);
	trace_tlgpu_reset(tdev, tl->idx);
	tlgpu_timeline_irq(tl);

	list_for_each_entry(s_job, &tl->sched.pending_list, list)
		if (!guilty || s_job->s_fence->scheduled.context !=
			       bad->s_fence->scheduled.context)
			atomic64_inc(&to_tlgpu_job(s_job)->file->innocent);

	drm_sched_resubmit_jobs(&tl->sched);
	drm_sched_start(&tl->sched, true);
}

/*
 * Serialized with the other timelines' handlers and with function-level
 * resets by &tlgpu_device.reset_lock: all of them stop, reset, re-run and
 * restart the same schedulers and walk the same pending lists.
 */
static enum drm_gpu_sched_stat
tlgpu_job_timedout(struct drm_sched_job *sched_job)
{
	struct tlgpu_job *job = to_tlgpu_job(sched_job);
	struct tlgpu_timeline *tl = job->tl;
	struct tlgpu_device *tdev = tl->tdev;
	enum drm_gpu_sched_stat stat = DRM_GPU_SCHED_STAT_NOMINAL;
	int idx;

	mutex_lock(&tdev->reset_lock);
	if (!drm_dev_enter(&tdev->drm, &idx)) {
		/* Unplugged: tlgpu_sched_fini() fails it, the thread frees it. */
		tlgpu_job_keep(sched_job);
		mutex_unlock(&tdev->reset_lock);
		return DRM_GPU_SCHED_STAT_ENODEV;
	}

	/*
	 * Done, but its interrupt was lost (or is late), or its fence waits
	 * for a job it WAITed for to be signalled: not a hang.
	 */
	tlgpu_timeline_irq(tl);
	if (job->hw_fence_init &&
	    (dma_fence_is_signaled(&job->hw_fence->base) ||
	     tlgpu_fence_completed(job->hw_fence))) {
		drm_dbg_driver(&tdev->drm, "timeline %u: missed interrupt\n",
			       tl->idx);
		tlgpu_job_keep(sched_job);
		goto out;
	}

	/*
	 * A function-level reset came between the timeout and this handler:
	 * it dropped the job from the device but could not write it again
	 * (the job was off the scheduler's list, here).  Not its fault.
	 */
	if (job->hw_fence_init &&
	    job->flr_count != atomic_read(&tdev->flr_count)) {
		drm_dbg_driver(&tdev->drm,
			       "timeline %u: job seqno %llu dropped by a reset, re-run\n",
			       tl->idx, job->hw_fence->base.seqno);
		tlgpu_timeline_replay(tl, sched_job, false);
		goto out;
	}

	/* Its time so far went on waiting for another timeline: not guilty. */
	if (tlgpu_job_waits_on_device(job)) {
		drm_dbg_driver(&tdev->drm,
			       "timeline %u: job seqno %llu waits for another timeline\n",
			       tl->idx, job->hw_fence->base.seqno);
		tlgpu_job_keep(sched_job);
		goto out;
	}

	drm_warn(&tdev->drm, "timeline %u: job seqno %llu timed out, resetting\n",
		 tl->idx, job->hw_fence_init ? job->hw_fence->base.seqno : 0);
	tlgpu_timeline_replay(tl, sched_job, true);
out:
	drm_dev_exit(idx);
	mutex_unlock(&tdev->reset_lock);
	return stat;
}

static void tlgpu_job_free(struct drm_sched_job *sched_job)
{
	struct tlgpu_job *job = to_tlgpu_job(sched_job);
	struct drm_sched_fence *s_fence = sched_job->s_fence;
	struct tlgpu_fence *hw = job->hw_fence;
	struct dma_fence *parent = s_fence->parent;

	/* Never written to the ring: the pin is still the job's. */
	if (job->as_pinned) {
		tlgpu_vm_unpin_as(job->vm);
		job->as_pinned = false;
	}

	/*
	 * The scheduler fences outlive the job as long as userspace wants,
	 * and name their timeline through our scheduler: they keep the
	 * hardware fence as their parent, which holds the timelines and the
	 * module (see &struct tlgpu_timelines).  A job that never reached
	 * the ring (killed, or the device was gone) gets a signalled one.
	 */
	if (!job->hw_fence_init) {
		tlgpu_fence_init(hw, 0);
		dma_fence_signal(&hw->base);
		job->hw_fence_init = true;
	}
	if (parent != &hw->base) {
		/* RCU readers (tlgpu_job_dependency()) see either. */
		WRITE_ONCE(s_fence->parent, dma_fence_get(&hw->base));
		dma_fence_put(parent);
	}
	drm_sched_job_cleanup(sched_job);
	tlgpu_job_cleanup(job);
}

static const struct drm_sched_backend_ops tlgpu_sched_ops = {
	.dependency = tlgpu_job_dependency,
	.run_job = tlgpu_job_run,
	.timedout_job = tlgpu_job_timedout,
	.free_job = tlgpu_job_free,
};

/* Program and enable the device timeline: empty ring, from offset 0. */
static int tlgpu_timeline_start(struct tlgpu_timeline *tl)
{
	struct tlgpu_device *tdev = tl->tdev;
	unsigned int idx = tl->idx;

	tl->tail = 0;
	tlgpu_tl_write(tdev, idx, TLGPU_TL_RING_LO, lower_32_bits(tl->ring_dma));
	tlgpu_tl_write(tdev, idx, TLGPU_TL_RING_HI, upper_32_bits(tl->ring_dma));
	tlgpu_tl_write(tdev, idx, TLGPU_TL_RING_SIZE, TLGPU_RING_SIZE);
	tlgpu_tl_write(tdev, idx, TLGPU_TL_STATUS_LO,
		       lower_32_bits(tl->status_dma));
	tlgpu_tl_write(tdev, idx, TLGPU_TL_STATUS_HI,
		       upper_32_bits(tl->status_dma));
	tlgpu_tl_write(tdev, idx, TLGPU_TL_CTRL, TLGPU_TL_CTRL_ENABLE);
	if (tlgpu_tl_read(tdev, idx, TLGPU_TL_STATE) != TLGPU_TL_IDLE) {
		drm_err(&tdev->drm, "timeline %u does not start: error %u\n",
			idx, tlgpu_tl_read(tdev, idx, TLGPU_TL_ERROR));
		return -EIO;
	}
	return 0;
}

/**
 * tlgpu_sched_reset_prepare() - before a function-level reset
 * @tdev: device
 *
 * Lets running timeout handlers finish, takes the reset lock (held until
 * tlgpu_sched_reset_done()) and parks the schedulers; the jobs on the
 * device stay pending.
 */
void tlgpu_sched_reset_prepare(struct tlgpu_device *tdev)
	__acquires(&tdev->reset_lock)
{
	unsigned int i;

	/* They take the reset lock: not while we hold it. */
	for (i = 0; i < tdev->num_timelines; i++)
		cancel_delayed_work_sync(&tdev->timelines[i].sched.work_tdr);
	mutex_lock(&tdev->reset_lock);
	for (i = 0; i < tdev->num_timelines; i++)
		drm_sched_stop(&tdev->timelines[i].sched, NULL);
}

/**
 * tlgpu_sched_reset_done() - after a function-level reset
 * @tdev: device, whose registers are back at their reset values
 *
 * Programs the address spaces and timelines again, signals what completed
 * before the reset, writes the pending jobs again with their seqnos, and
 * restarts the schedulers.  The jobs were cut off through no fault of
 * their own: they are all innocent.  Drops the reset lock.
 */
void tlgpu_sched_reset_done(struct tlgpu_device *tdev)
	__releases(&tdev->reset_lock)
{
	struct drm_sched_job *s_job;
	unsigned int i;

	lockdep_assert_held(&tdev->reset_lock);
	atomic_inc(&tdev->flr_count);
	tlgpu_vm_restore_all(tdev);
	for (i = 0; i < tdev->num_timelines; i++) {
		struct tlgpu_timeline *tl = &tdev->timelines[i];

		mutex_lock(&tl->ring_lock);
		if (tlgpu_timeline_start(tl))
			drm_err(&tdev->drm, "timeline %u lost after reset\n", i);
		mutex_unlock(&tl->ring_lock);
		tlgpu_timeline_irq(tl);
		atomic_inc(&tl->resets);
		atomic_inc(&tdev->timeline_resets);
		trace_tlgpu_reset(tdev, i);
		list_for_each_entry(s_job, &tl->sched.pending_list, list)
			atomic64_inc(&to_tlgpu_job(s_job)->file->innocent);
		drm_sched_resubmit_jobs(&tl->sched);
		drm_sched_start(&tl->sched, true);
	}
	mutex_unlock(&tdev->reset_lock);
}

static int tlgpu_timeline_init(struct tlgpu_device *tdev, unsigned int idx)
{
	struct tlgpu_timeline *tl = &tdev->timelines[idx];
	struct device *dev = tdev->drm.dev;
	struct drm_sched_init_args args = {
		.ops = &tlgpu_sched_ops,
		.credit_limit = TLGPU_JOBS_IN_FLIGHT,
		.hang_limit = 0,
		.timeout = msecs_to_jiffies(tlgpu_timeout_ms),
		.name = tl->name,
		.dev = dev,
	};
	int ret;

	tl->tdev = tdev;
	tl->idx = idx;
	snprintf(tl->name, sizeof(tl->name), "tlgpu-%s-tl%u",
		 pci_name(tdev->pdev), idx);
	ret = drmm_mutex_init(&tdev->drm, &tl->ring_lock);
	if (ret)
		return ret;
	spin_lock_init(&tl->pending_lock);
	spin_lock_init(&tl->fence_lock);
	INIT_LIST_HEAD(&tl->pending);
	tl->fence_context = dma_fence_context_alloc(1);

	/* devres: only touched between drm_dev_enter() and drm_dev_exit(). */
	tl->ring = dmam_alloc_coherent(dev, TLGPU_RING_SIZE, &tl->ring_dma,
				       GFP_KERNEL);
	tl->status = dmam_alloc_coherent(dev, TLGPU_PAGE_SIZE, &tl->status_dma,
					 GFP_KERNEL);
	if (!tl->ring || !tl->status)
		return -ENOMEM;

	ret = tlgpu_timeline_start(tl);
	if (ret)
		return ret;

	ret = drm_sched_init(&tl->sched, &args);
	if (ret)
		return ret;
	tl->sched_ready = true;
	return 0;
}

/*
 * drmm action, at the device's release: no VM is left, hence no file and
 * no job.  Stop the schedulers and let go of the timelines, which live on
 * while fences of them do.
 */
static void tlgpu_sched_release(struct drm_device *drm, void *data)
{
	struct tlgpu_device *tdev = to_tlgpu_device(drm);
	struct tlgpu_timelines *set = tdev->timeline_set;
	unsigned int i;

	for (i = 0; i < set->count; i++) {
		struct tlgpu_timeline *tl = &set->tl[i];

		if (tl->sched_ready) {
			drm_WARN_ON(drm, !list_empty(&tl->sched.pending_list));
			drm_sched_fini(&tl->sched);
		}
		cancel_work_sync(&tl->signal_work);
		drm_WARN_ON(drm, tl->defer_fence);
	}
	tlgpu_vm_release_waiters(tdev);
	tlgpu_timelines_put(set);
}

/**
 * tlgpu_sched_init() - set up every timeline and its scheduler
 * @tdev: device, reset, before its interrupts are requested
 *
 * The timelines are stopped and released with the DRM device (drmm).
 *
 * Return: 0 or a negative errno.
 */
int tlgpu_sched_init(struct tlgpu_device *tdev)
{
	struct tlgpu_timelines *set;
	unsigned int i;
	int ret;

	set = kzalloc(struct_size(set, tl, tdev->num_timelines), GFP_KERNEL);
	if (!set)
		return -ENOMEM;
	kref_init(&set->refcount);
	set->count = tdev->num_timelines;
	tdev->timeline_set = set;
	tdev->timelines = set->tl;
	for (i = 0; i < set->count; i++) {
		set->tl[i].set = set;
		INIT_WORK(&set->tl[i].signal_work, tlgpu_timeline_signal_work);
	}
	ret = drmm_add_action_or_reset(&tdev->drm, tlgpu_sched_release, NULL);
	if (ret)
		return ret;

	for (i = 0; i < tdev->num_timelines; i++) {
		ret = tlgpu_timeline_init(tdev, i);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * tlgpu_sched_unplug() - stop the timelines at unbind
 * @tdev: device, already unplugged (no ioctl is inside drm_dev_enter(),
 *	run_job refuses work)
 *
 * Stops the device timelines and fails every job they held with -ENODEV.
 * The schedulers go on until the device's release: they fail the jobs
 * still queued in the files' entities with -ENODEV (run_job refuses
 * them), so every fence of the device signals now, not at the close.
 */
void tlgpu_sched_unplug(struct tlgpu_device *tdev)
{
	unsigned int i;

	for (i = 0; i < tdev->num_timelines; i++) {
		struct tlgpu_timeline *tl = &tdev->timelines[i];

		/* Synchronous: the device holds no job of it afterwards. */
		tlgpu_tl_write(tdev, i, TLGPU_TL_CTRL, 0);
		/* TLGPU_BREAK=fini_no_cancel: deliberately lost fences. */
		if (!IS_ENABLED(TLGPU_BREAK_FINI_NO_CANCEL))
			tlgpu_timeline_cancel(tl, -ENODEV);
	}
	/* Jobs waiting for an address-space slot go on, to fail in run_job. */
	tlgpu_vm_release_waiters(tdev);
}
