/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * tlgpu: one driver source for Linux 6.1, 6.12 and 7.x.
 *
 * Every difference between the kernels tlgpu builds for is decided here,
 * from the feature probes of conftest.sh (tlgpu_conftest.h, generated in
 * the build directory for the kernel being built against), never from
 * LINUX_VERSION_CODE: Debian backports scheduler API changes into its
 * stable kernels.  The rest of the driver calls these helpers and tests
 * the TLGPU_HAVE_* results only where a kernel behaves differently, not
 * merely spells an API differently.
 */
#ifndef TLGPU_COMPAT_H
#define TLGPU_COMPAT_H

#include <linux/dma-fence.h>
#include <linux/dma-fence-array.h>
#include <linux/slab.h>

#include <drm/gpu_scheduler.h>

#include "tlgpu_conftest.h"

#ifndef TLGPU_HAVE_SCHED_INIT_ARGS
#error "tlgpu needs struct drm_sched_init_args (Linux 6.15, Debian 6.1.192 and 6.12)"
#endif

/* drm_sched_job_init(): one credit per job; the client id since 6.15. */
static inline int tlgpu_sched_job_init(struct drm_sched_job *job,
				       struct drm_sched_entity *entity,
				       void *owner, u64 client_id)
{
#if defined(TLGPU_HAVE_SCHED_JOB_INIT_CLIENT_ID)
	return drm_sched_job_init(job, entity, 1, owner, client_id);
#elif defined(TLGPU_HAVE_SCHED_JOB_INIT_CREDITS)
	return drm_sched_job_init(job, entity, 1, owner);
#else
	return drm_sched_job_init(job, entity, owner);
#endif
}

/*
 * drm_sched_start() after a reset: 6.1 takes full_recovery (true: re-arm
 * the pending jobs' callbacks), 6.12 nothing, 6.13+ an errno for the jobs
 * without a hardware fence (0: -ECANCELED, their hardware fence's error
 * otherwise; passing true would set errno 1).
 */
static inline void tlgpu_sched_start(struct drm_gpu_scheduler *sched)
{
#if defined(TLGPU_HAVE_SCHED_START_ERRNO)
	drm_sched_start(sched, 0);
#elif defined(TLGPU_HAVE_SCHED_START_NOARG)
	drm_sched_start(sched);
#else
	drm_sched_start(sched, true);
#endif
}

/*
 * Have the scheduler look at its pending list again (a job put back on it
 * may have signalled meanwhile, and must be freed): 6.1's thread sleeps on
 * wake_up_worker; the workqueue scheduler's free work is queued, unless
 * the scheduler is stopped (drm_sched_stop(), or drm_sched_fini() tearing
 * it down: its start or its end frees the job then).  Never unpauses it,
 * as drm_sched_wqueue_start() would.
 */
static inline void tlgpu_sched_wakeup(struct drm_gpu_scheduler *sched)
{
#if defined(TLGPU_HAVE_SCHED_WORK_FREE_JOB)
	if (!READ_ONCE(sched->pause_submit))
		queue_work(sched->submit_wq, &sched->work_free_job);
#else
	wake_up_interruptible(&sched->wake_up_worker);
#endif
}

/* The timeout handler's answers, named as 6.17 names them. */
#ifdef TLGPU_HAVE_SCHED_STAT_NO_HANG
#define TLGPU_SCHED_STAT_RESET		DRM_GPU_SCHED_STAT_RESET
#else
#define TLGPU_SCHED_STAT_RESET		DRM_GPU_SCHED_STAT_NOMINAL
#endif

/*
 * Since 6.4 the scheduler sets the hardware fence's error on the job's
 * finished fence when it signals; 6.1 does not, and the driver sets both.
 */
#if defined(TLGPU_HAVE_SCHED_FENCE_FINISHED_RESULT) || defined(TLGPU_HAVE_SCHED_STAT_NO_HANG)
#define TLGPU_SCHED_FORWARDS_ERROR	1
#endif

/* kvrealloc() lost its old-size argument in 6.12. */
static inline void *tlgpu_kvrealloc(void *p, size_t oldsize, size_t newsize,
				    gfp_t flags)
{
#ifdef TLGPU_HAVE_KVREALLOC_OLDSIZE
	return kvrealloc(p, oldsize, newsize, flags);
#else
	return kvrealloc(p, newsize, flags);
#endif
}

/* dma_fence_array_create() lost signal_on_any in 6.15 (always false now). */
static inline struct dma_fence_array *
tlgpu_fence_array_create(int num_fences, struct dma_fence **fences,
			 u64 context, unsigned int seqno)
{
#ifdef TLGPU_HAVE_DMA_FENCE_ARRAY_SIGNAL_ON_ANY
	return dma_fence_array_create(num_fences, fences, context, seqno, false);
#else
	return dma_fence_array_create(num_fences, fences, context, seqno);
#endif
}

/*
 * A fence's ops, for comparing with ours: RCU-protected since 6.17 (a
 * signalled fence without release or wait op drops them).
 */
#ifdef TLGPU_HAVE_DMA_FENCE_OPS_RCU
#define tlgpu_fence_ops_of(f)	rcu_access_pointer((f)->ops)
#else
#define tlgpu_fence_ops_of(f)	((f)->ops)
#endif

/*
 * TLGPU_FENCE_DETACHES: a signalled hardware fence holds nothing of tlgpu
 * (7.0: RCU-protected ops, which dma_fence_signal() clears for a fence
 * with neither release nor wait op, and a lock inside the fence): such a
 * fence is freed by dma_fence_free() with tlgpu unloaded, so it pins
 * neither the module nor the timelines once signalled.  Before, the ops
 * and the lock are tlgpu's for the fence's whole life, and so are the
 * module and the timelines (tlgpu_fence.c, "Lifetime").
 */
#if defined(TLGPU_HAVE_DMA_FENCE_OPS_RCU) && defined(TLGPU_HAVE_DMA_FENCE_INLINE_LOCK)
#define TLGPU_FENCE_DETACHES	1
#endif

#endif /* TLGPU_COMPAT_H */
