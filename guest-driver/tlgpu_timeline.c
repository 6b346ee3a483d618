// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: setting up and tearing down the timelines and their schedulers.
 */

#include <linux/dma-mapping.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>

#include "tlgpu_drv.h"

/* Program and enable the device timeline: empty ring, from offset 0. */
int tlgpu_timeline_start(struct tlgpu_timeline *tl)
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

static int tlgpu_timeline_init(struct tlgpu_device *tdev, unsigned int idx)
{
	struct tlgpu_timeline *tl = &tdev->timelines[idx];
	struct device *dev = tdev->drm.dev;
	struct drm_sched_init_args args = {
		.ops = &tlgpu_sched_ops,
#ifdef TLGPU_HAVE_SCHED_INIT_ARGS_NUM_RQS
		/* One run queue per priority; unset, the first entity oopses. */
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
#endif
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
			/* A running timeout handler may still put a job back. */
			cancel_delayed_work_sync(&tl->sched.work_tdr);
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
