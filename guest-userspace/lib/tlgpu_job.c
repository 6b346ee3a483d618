/* SPDX-License-Identifier: MIT */
/*
 * libtlgpu: jobs (SUBMIT), waiting for buffers (WAIT_BO) and reset status.
 */
#include <errno.h>

#include "tlgpu.h"

static uint64_t ptr_u64(const void *ptr)
{
	return (uint64_t)(uintptr_t)ptr;
}

int tlgpu_submit(int fd, const struct tlgpu_job *job, int *out_fence_fd,
		 uint64_t *seqno)
{
	struct drm_tlgpu_submit args = {
		.cmds = ptr_u64(job->cmds),
		.bos = ptr_u64(job->bos),
		.in_syncs = ptr_u64(job->in_syncs),
		.out_syncs = ptr_u64(job->out_syncs),
		.cmd_dwords = job->cmd_dwords,
		.timeline = job->timeline,
		.bo_count = job->bo_count,
		.in_sync_count = job->in_sync_count,
		.out_sync_count = job->out_sync_count,
		.flags = job->flags,
		.in_fence_fd = job->flags & DRM_TLGPU_SUBMIT_FENCE_IN ?
			       job->in_fence_fd : -1,
		.out_fence_fd = -1,
	};
	int ret;

	ret = tlgpu_ioctl(fd, DRM_IOCTL_TLGPU_SUBMIT, &args);
	if (ret)
		return ret;

	if (out_fence_fd)
		*out_fence_fd = job->flags & DRM_TLGPU_SUBMIT_FENCE_OUT ?
				args.out_fence_fd : -1;
	if (seqno)
		*seqno = args.seqno;
	return 0;
}

int tlgpu_submit_cmdbuf(int fd, const struct tlgpu_job *job,
			const struct tlgpu_cmdbuf *cb, int *out_fence_fd,
			uint64_t *seqno)
{
	struct tlgpu_job j = *job;

	if (cb->error)
		return cb->error;

	j.cmds = cb->dw;
	j.cmd_dwords = cb->len;
	return tlgpu_submit(fd, &j, out_fence_fd, seqno);
}

int tlgpu_wait_bo(int fd, uint32_t handle, uint32_t flags,
		  int64_t abs_timeout_ns, int32_t *error)
{
	struct drm_tlgpu_wait_bo args = {
		.handle = handle,
		.flags = flags,
		.timeout_ns = abs_timeout_ns,
	};
	int ret;

	ret = tlgpu_ioctl(fd, DRM_IOCTL_TLGPU_WAIT_BO, &args);
	if (ret)
		return ret;

	if (error)
		*error = args.error;
	return 0;
}

int tlgpu_wait_bo_rel(int fd, uint32_t handle, uint32_t flags,
		      int64_t rel_timeout_ns, int32_t *error)
{
	int64_t abs = rel_timeout_ns ? tlgpu_abs_timeout(rel_timeout_ns) : 0;

	/* A deadline that lands on 0 would turn into "only test". */
	if (rel_timeout_ns && !abs)
		abs = 1;
	return tlgpu_wait_bo(fd, handle, flags, abs, error);
}

int tlgpu_get_reset_status(int fd, struct drm_tlgpu_reset_status *status)
{
	struct drm_tlgpu_reset_status args = { 0 };
	int ret;

	ret = tlgpu_ioctl(fd, DRM_IOCTL_TLGPU_GET_RESET_STATUS, &args);
	if (ret)
		return ret;

	*status = args;
	return 0;
}
