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
 * reference until the interrupt handler signals it.  Fences are freed
 * with dma_fence_free(), that is after an RCU grace period, so RCU
 * readers (dma_resv iterators, the scheduler's parent pointer) never
 * touch freed memory.  The error of a failed job is set before the
 * fence is signalled.
 */

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

#ifdef TLGPU_BREAK_NO_RCU_FREE
/* Deliberately broken: freed at once, whoever still reads it under RCU. */
static void tlgpu_fence_release(struct dma_fence *fence)
{
	kfree(container_of(fence, struct tlgpu_fence, base));
}
#endif

static const struct dma_fence_ops tlgpu_fence_ops = {
	.get_driver_name = tlgpu_fence_get_driver_name,
	.get_timeline_name = tlgpu_fence_get_timeline_name,
	/* .release: dma_fence_free(), RCU-delayed */
#ifdef TLGPU_BREAK_NO_RCU_FREE
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
	if (fence->ops != &tlgpu_fence_ops)
		return NULL;
	return container_of(fence, struct tlgpu_fence, base);
}

struct tlgpu_fence *tlgpu_fence_alloc(void)
{
	return kzalloc(sizeof(struct tlgpu_fence), GFP_KERNEL);
}

/**
 * tlgpu_fence_init() - make an allocated fence the fence of @seqno
 * @fence: from tlgpu_fence_alloc()
 * @tl: timeline
 * @seqno: hardware seqno
 *
 * The caller holds the only reference; a fence that is never initialized
 * is freed with kfree().
 */
void tlgpu_fence_init(struct tlgpu_fence *fence, struct tlgpu_timeline *tl,
		      u64 seqno)
{
	fence->tl = tl;
	INIT_LIST_HEAD(&fence->link);
	dma_fence_init(&fence->base, &tlgpu_fence_ops, &tl->fence_lock,
		       tl->fence_context, seqno);
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
