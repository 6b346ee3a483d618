// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: timeouts, timeline resets and function-level resets.
 */

/**
 * DOC: tlgpu resets
 *
 * One lock, &tlgpu_device.reset_lock, serializes every path that stops,
 * resets, re-runs and restarts schedulers and walks their pending lists:
 * each timeline's timeout handler (tlgpu_job_timedout()) and a PCI
 * function-level reset, from tlgpu_sched_reset_prepare() to
 * tlgpu_sched_reset_done().
 *
 * A timed-out job is not guilty when it completed and only its interrupt
 * was lost, when a function-level reset dropped it meanwhile, or when it
 * has not had a whole timeout of its own on the device (it was blocked in
 * a device WAIT for another timeline's job until less than a timeout ago).
 * A guilty job's timeline is reset on the device and its pending jobs
 * written again with the seqnos they had: the guilty one as a bare FENCE
 * with -ETIME, the scheduler cancels those of its entity behind it
 * (-ECANCELED), the rest are innocent and run.
 *
 * A timeline that is still running after its reset (STATE BUSY, WAITING
 * or HUNG: the device did not come back, as inject-reset-fail makes it)
 * wedges the device: tlgpu_device_wedge() stops its DMA, fails every
 * pending job with -EIO and says so with a WEDGED=rebind uevent; run_job
 * fails every job after it with -EIO, SUBMIT refuses with -EIO, and an
 * unbind and bind of the function (a new probe, whose full reset and FLR
 * bring the device back) recovers.
 */

#include <drm/drm_drv.h>

#include "tlgpu_drv.h"
#include "tlgpu_trace.h"

/*
 * The scheduler (6.1 and 6.12) takes the timed-out job off its pending
 * list before calling the handler, and puts it back only through
 * drm_sched_stop().  A handler that resets nothing must put it back
 * itself, or the job is never freed (nor what it holds: its file, VM,
 * buffers and fences); the scheduler frees it from there once it has
 * signalled.
 */
#ifndef TLGPU_HAVE_SCHED_STAT_NO_HANG
static void tlgpu_job_keep(struct drm_sched_job *sched_job)
{
	struct drm_gpu_scheduler *sched = sched_job->sched;

	spin_lock(&sched->job_list_lock);
	list_add(&sched_job->list, &sched->pending_list);
	spin_unlock(&sched->job_list_lock);
	tlgpu_sched_wakeup(sched);
}
#endif

/*
 * Not a hang: the job goes back on the scheduler's pending list.  Since
 * 6.17 the core does that for DRM_GPU_SCHED_STAT_NO_HANG (doing it here
 * as well would add the job to the list twice); before, the handler does.
 * TLGPU_BREAK=timeout_no_keep: deliberately broken, the job stays off the
 * list and is never freed.
 */
static enum drm_gpu_sched_stat tlgpu_job_not_hung(struct drm_sched_job *sched_job)
{
#if defined(TLGPU_BREAK_TIMEOUT_NO_KEEP)
	return TLGPU_SCHED_STAT_RESET;
#elif defined(TLGPU_HAVE_SCHED_STAT_NO_HANG)
	return DRM_GPU_SCHED_STAT_NO_HANG;
#else
	tlgpu_job_keep(sched_job);
	return TLGPU_SCHED_STAT_RESET;
#endif
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
	switch (tlgpu_tl_read(tdev, tl->idx, TLGPU_TL_STATE)) {
	case TLGPU_TL_BUSY:
	case TLGPU_TL_WAITING:
	case TLGPU_TL_HUNG:
		/* Still at it: the reset did not take. */
		tlgpu_device_wedge(tdev, tl->idx);
		break;
	}

	list_for_each_entry(s_job, &tl->sched.pending_list, list)
		if (!guilty || s_job->s_fence->scheduled.context !=
			       bad->s_fence->scheduled.context)
			atomic64_inc(&to_tlgpu_job(s_job)->file->innocent);

	drm_sched_resubmit_jobs(&tl->sched);
	tlgpu_sched_start(&tl->sched);
}

/*
 * Serialized with the other timelines' handlers and with function-level
 * resets by &tlgpu_device.reset_lock: all of them stop, reset, re-run and
 * restart the same schedulers and walk the same pending lists.
 */
enum drm_gpu_sched_stat tlgpu_job_timedout(struct drm_sched_job *sched_job)
{
	struct tlgpu_job *job = to_tlgpu_job(sched_job);
	struct tlgpu_timeline *tl = job->tl;
	struct tlgpu_device *tdev = tl->tdev;
	enum drm_gpu_sched_stat stat = TLGPU_SCHED_STAT_RESET;
	int idx;

	mutex_lock(&tdev->reset_lock);
	if (!drm_dev_enter(&tdev->drm, &idx)) {
		/*
		 * Unplugged: tlgpu_sched_unplug() failed it; back on the
		 * pending list, the scheduler frees it (or its teardown does).
		 * Since 6.17 the core puts it back for NO_HANG, and keeps its
		 * hands off a scheduler being torn down.
		 */
		stat = tlgpu_job_not_hung(sched_job);
		mutex_unlock(&tdev->reset_lock);
#ifdef TLGPU_HAVE_SCHED_STAT_NO_HANG
		return stat;
#else
		return DRM_GPU_SCHED_STAT_ENODEV;
#endif
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
		stat = tlgpu_job_not_hung(sched_job);
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
		stat = tlgpu_job_not_hung(sched_job);
		goto out;
	}

	drm_warn(&tdev->drm, "timeline %u: job seqno %llu timed out, resetting\n",
		 tl->idx, job->hw_fence_init ? job->hw_fence->base.seqno : 0);
	if (job->hw_fence_init)
		tlgpu_coredump(tl, job);
	tlgpu_timeline_replay(tl, sched_job, true);
out:
	drm_dev_exit(idx);
	mutex_unlock(&tdev->reset_lock);
	return stat;
}

/* The uevent of a wedged device: the kernel's helper where it has one. */
static void tlgpu_wedged_event(struct tlgpu_device *tdev)
{
#if defined(TLGPU_HAVE_DRM_DEV_WEDGED_EVENT_INFO)
	drm_dev_wedged_event(&tdev->drm, DRM_WEDGE_RECOVERY_REBIND, NULL);
#elif defined(TLGPU_HAVE_DRM_DEV_WEDGED_EVENT)
	drm_dev_wedged_event(&tdev->drm, DRM_WEDGE_RECOVERY_REBIND);
#else
	/* What drm_dev_wedged_event() (6.14) sends. */
	char event[] = "WEDGED=rebind";
	char *envp[] = { event, NULL };

	kobject_uevent_env(&tdev->drm.primary->kdev->kobj, KOBJ_CHANGE, envp);
#endif
}

/**
 * tlgpu_device_wedge() - declare the device wedged
 * @tdev: device
 * @tl: the timeline whose reset failed
 *
 * Stops the device's DMA (bus mastering off: whatever it still runs can
 * no longer touch memory whose jobs are failed and freed, nor raise an
 * interrupt), fails every pending hardware fence of every timeline with
 * -EIO, and sends the WEDGED=rebind uevent.  run_job fails later jobs,
 * SUBMIT refuses new ones.  &tlgpu_device.reset_lock held.
 */
void tlgpu_device_wedge(struct tlgpu_device *tdev, unsigned int tl)
{
	unsigned int i;

	lockdep_assert_held(&tdev->reset_lock);
	if (tdev->wedged)
		return;
	WRITE_ONCE(tdev->wedged, true);
	drm_err(&tdev->drm,
		"timeline %u did not come back from its reset: the device is wedged, every job fails with -EIO; unbind and bind %s to recover\n",
		tl, pci_name(tdev->pdev));
	pci_clear_master(tdev->pdev);
	for (i = 0; i < tdev->num_timelines; i++)
		tlgpu_timeline_cancel(&tdev->timelines[i], -EIO);
	/* Jobs waiting for an address-space slot go on, to fail in run_job. */
	tlgpu_vm_release_waiters(tdev);
	trace_tlgpu_wedged(tdev, tl);
	tlgpu_wedged_event(tdev);
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
		tlgpu_sched_start(&tl->sched);
	}
	mutex_unlock(&tdev->reset_lock);
}

