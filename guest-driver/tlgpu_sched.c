// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: the scheduler's side of a job: its device dependencies become
 * WAITs, run_job writes it to the ring, free_job lets it go.
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
 *  - The timeline's interrupt (tlgpu_irq.c) acknowledges, and
 *    tlgpu_timeline_irq() (tlgpu_signal.c, with its ordering rule) reads
 *    the completed seqno and the per-job error from the status page, sets
 *    the error on the hardware and the scheduler's finished fence, and
 *    signals; the scheduler then frees the job (tlgpu_job_free()).
 *  - A job still running after the timeout (tlgpu_reset.c): if it actually completed and
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
 *  - The hardware fence's own life (allocation, seqno, error, release
 *    after an RCU grace period) is tlgpu_fence.c's; the timelines' setup
 *    and teardown tlgpu_timeline.c's.
 *
 * Seqnos are handed out in ring order under ring_lock, so the pending
 * list is in seqno order and an interrupt signals a prefix of it.
 */

#include <linux/dma-fence.h>

#include <drm/drm_drv.h>

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
 * &drm_sched_backend_ops.dependency (.prepare_job since 6.2: the same
 * hook, after the job's own dependencies): the scheduler's own are
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

/*
 * A job whose hardware fence has its outcome (completed, or failed by the
 * driver) is not written again: its finished fence gets that outcome.
 * The scheduler stopped it and removed its callback, and signals it as it
 * is (6.12 and later overwrite only with a non-zero parent error).
 */
static void tlgpu_job_keep_outcome(struct tlgpu_job *job)
{
	struct dma_fence *finished = &job->base.s_fence->finished;

	if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &finished->flags))
		return;
	if (job->hw_fence->base.error)
		dma_fence_set_error(finished, job->hw_fence->base.error);
	else	/* no dma_fence API clears an error */
		WRITE_ONCE(finished->error, 0);
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

	if (!drm_dev_enter(&tdev->drm, &idx)) {
		/*
		 * Unplugged.  A job written before (replayed after a reset the
		 * unplug interrupted) gets its hardware fence failed here, so
		 * that its finished fence carries -ENODEV on every kernel (6.12+
		 * would fail a job without one with -ECANCELED).
		 */
		if (job->hw_fence_init) {
			tlgpu_fence_cancel(job->hw_fence, -ENODEV);
			return dma_fence_get(fence);
		}
		return ERR_PTR(-ENODEV);
	}

	if (READ_ONCE(tdev->wedged)) {
		/*
		 * Wedged: nothing reaches the device.  A job written before
		 * (replayed now) has its hardware fence failed, unless it
		 * completed first, and its finished fence gets that outcome
		 * whatever the scheduler's resubmission set on it.
		 */
		drm_dev_exit(idx);
		if (!job->hw_fence_init)
			return ERR_PTR(-EIO);
		tlgpu_fence_cancel(job->hw_fence, -EIO);
		tlgpu_job_keep_outcome(job);
		return dma_fence_get(fence);
	}

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
		 * for a job it WAITed for): nothing to run again.  Its
		 * outcome is the device's: drm_sched_resubmit_jobs() has just
		 * set -ECANCELED on the finished fence of every job of a
		 * context whose karma passed the hang limit, this one
		 * included, and the scheduler signals it as it is when the
		 * hardware fence already signalled (6.12 and later overwrite
		 * only with a non-zero parent error).  A guilty job whose
		 * bare FENCE completed before a function-level reset came out
		 * -ECANCELED instead of -ETIME (tlgpu-hostile
		 * flr-after-guilty-completed).
		 */
		tlgpu_job_keep_outcome(job);
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
	tlgpu_fence_set_run_time(job->hw_fence, first);
	job->flr_count = atomic_read(&tdev->flr_count);
	trace_tlgpu_run(tdev, tl->idx, fence->seqno, job->wait_count);

	/* writel orders the ring writes before the doorbell. */
	tlgpu_tl_write(tdev, tl->idx, TLGPU_TL_RING_TAIL, tl->tail);

out_unlock:
	mutex_unlock(&tl->ring_lock);
	drm_dev_exit(idx);
	return dma_fence_get(fence);
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
	 * module as long as the kernel needs it to (tlgpu_fence.c, "Lifetime").  A job that never reached
	 * the ring (killed, or the device was gone) gets a signalled one.
	 */
	if (!job->hw_fence_init) {
		tlgpu_fence_init(hw, 0);
		tlgpu_fence_signal(hw);
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

#ifdef TLGPU_HAVE_SCHED_CANCEL_JOB
/*
 * &drm_sched_backend_ops.cancel_job (7.x): drm_sched_fini() fails the jobs
 * still on its pending list before it frees them.  By the device's
 * release tlgpu_sched_unplug() signalled every job the device held, so
 * this only makes sure no hardware fence is left unsignalled.
 */
static void tlgpu_job_cancel(struct drm_sched_job *sched_job)
{
	struct tlgpu_job *job = to_tlgpu_job(sched_job);

	if (job->hw_fence_init)
		tlgpu_fence_cancel(job->hw_fence, -ECANCELED);
}
#endif

const struct drm_sched_backend_ops tlgpu_sched_ops = {
#ifdef TLGPU_HAVE_SCHED_PREPARE_JOB
	.prepare_job = tlgpu_job_dependency,
#else
	.dependency = tlgpu_job_dependency,
#endif
	.run_job = tlgpu_job_run,
	.timedout_job = tlgpu_job_timedout,
	.free_job = tlgpu_job_free,
#ifdef TLGPU_HAVE_SCHED_CANCEL_JOB
	.cancel_job = tlgpu_job_cancel,
#endif
};

