/* SPDX-License-Identifier: MIT */
/*
 * libtlgpu: fences.  sync_files (poll, SYNC_IOC_FILE_INFO, SYNC_IOC_MERGE),
 * DRM syncobjs through libdrm, and the dma-buf EXPORT/IMPORT_SYNC_FILE
 * ioctls that reach a buffer's implicit fences.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "tlgpu.h"

/* ------------------------------------------------------------------ */
/* sync_file                                                           */
/* ------------------------------------------------------------------ */

int tlgpu_sync_file_wait(int sync_fd, int timeout_ms)
{
	int64_t deadline = 0;
	struct pollfd pfd = { .fd = sync_fd, .events = POLLIN };
	int left = timeout_ms;
	int ret;

	if (sync_fd < 0)
		return -EINVAL;
	if (timeout_ms > 0)
		deadline = tlgpu_now_ns() + (int64_t)timeout_ms * 1000000;

	for (;;) {
		ret = poll(&pfd, 1, left);
		if (ret > 0) {
			if (pfd.revents & POLLNVAL)
				return -EBADF;
			return 0;
		}
		if (ret == 0)
			return -ETIME;
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
		if (timeout_ms > 0) {
			int64_t rest = deadline - tlgpu_now_ns();

			if (rest <= 0)
				return -ETIME;
			left = (rest + 999999) / 1000000;
		}
	}
}

static int file_info(int sync_fd, struct sync_file_info *info)
{
	return tlgpu_ioctl(sync_fd, SYNC_IOC_FILE_INFO, info);
}

int tlgpu_sync_file_status(int sync_fd)
{
	struct sync_file_info info = { 0 };
	int ret;

	ret = file_info(sync_fd, &info);
	if (ret)
		return ret;
	return info.status;
}

int tlgpu_sync_file_fences(int sync_fd)
{
	struct sync_file_info info = { 0 };
	int ret;

	ret = file_info(sync_fd, &info);
	if (ret)
		return ret;
	return info.num_fences;
}

int tlgpu_sync_file_driver(int sync_fd, char *name, size_t len)
{
	struct sync_file_info info = { 0 };
	struct sync_fence_info *fences;
	int ret;

	ret = file_info(sync_fd, &info);
	if (ret)
		return ret;
	if (!info.num_fences)
		return -ENOENT;
	if (!len)
		return -EINVAL;

	fences = calloc(info.num_fences, sizeof(*fences));
	if (!fences)
		return -ENOMEM;
	info.sync_fence_info = (uint64_t)(uintptr_t)fences;
	ret = file_info(sync_fd, &info);
	if (!ret) {
		strncpy(name, fences[0].driver_name, len - 1);
		name[len - 1] = '\0';
	}
	free(fences);
	return ret;
}

int tlgpu_sync_file_fence_info(int sync_fd, struct sync_fence_info *fence)
{
	struct sync_file_info info = {
		.num_fences = 1,
		.sync_fence_info = (uint64_t)(uintptr_t)fence,
	};

	/* More fences than the one we have room for: -EINVAL. */
	memset(fence, 0, sizeof(*fence));
	return file_info(sync_fd, &info);
}

int tlgpu_sync_file_timestamp(int sync_fd, int64_t *timestamp_ns, int *error)
{
	struct sync_fence_info fence;
	int ret;

	ret = tlgpu_sync_file_fence_info(sync_fd, &fence);
	if (ret)
		return ret;
	if (!fence.status)
		return -EBUSY;
	*timestamp_ns = fence.timestamp_ns;
	if (error)
		*error = fence.status < 0 ? fence.status : 0;
	return 0;
}

int tlgpu_sync_file_merge(int fd1, int fd2, const char *name)
{
	struct sync_merge_data args = { .fd2 = fd2 };
	int ret;

	strncpy(args.name, name ? name : "tlgpu-merge", sizeof(args.name) - 1);
	ret = tlgpu_ioctl(fd1, SYNC_IOC_MERGE, &args);
	if (ret)
		return ret;
	return args.fence;
}

/* ------------------------------------------------------------------ */
/* Syncobjs                                                            */
/* ------------------------------------------------------------------ */

/* libdrm's syncobj calls return -1 or -errno; errno is set either way. */
#define LIBDRM(call)	((call) ? -errno : 0)

int tlgpu_syncobj_create(int fd, uint32_t flags, uint32_t *handle)
{
	return LIBDRM(drmSyncobjCreate(fd, flags, handle));
}

int tlgpu_syncobj_destroy(int fd, uint32_t handle)
{
	return LIBDRM(drmSyncobjDestroy(fd, handle));
}

int tlgpu_syncobj_wait(int fd, uint32_t *handles, uint32_t count,
		       int64_t abs_timeout_ns, uint32_t flags,
		       uint32_t *first)
{
	return LIBDRM(drmSyncobjWait(fd, handles, count, abs_timeout_ns, flags,
				     first));
}

int tlgpu_syncobj_timeline_wait(int fd, uint32_t *handles, uint64_t *points,
				uint32_t count, int64_t abs_timeout_ns,
				uint32_t flags, uint32_t *first)
{
	return LIBDRM(drmSyncobjTimelineWait(fd, handles, points, count,
					     abs_timeout_ns, flags, first));
}

int tlgpu_syncobj_signal(int fd, uint32_t handle)
{
	return LIBDRM(drmSyncobjSignal(fd, &handle, 1));
}

int tlgpu_syncobj_reset(int fd, uint32_t handle)
{
	return LIBDRM(drmSyncobjReset(fd, &handle, 1));
}

int tlgpu_syncobj_timeline_signal(int fd, uint32_t handle, uint64_t point)
{
	return LIBDRM(drmSyncobjTimelineSignal(fd, &handle, &point, 1));
}

int tlgpu_syncobj_query(int fd, uint32_t handle, uint32_t flags,
			uint64_t *point)
{
	return LIBDRM(drmSyncobjQuery2(fd, &handle, point, 1, flags));
}

int tlgpu_syncobj_transfer(int fd, uint32_t dst, uint64_t dst_point,
			   uint32_t src, uint64_t src_point, uint32_t flags)
{
	return LIBDRM(drmSyncobjTransfer(fd, dst, dst_point, src, src_point,
					 flags));
}

int tlgpu_syncobj_export_sync_file(int fd, uint32_t handle, uint64_t point,
				   int *sync_fd)
{
	uint32_t tmp;
	int ret;

	if (!point)
		return LIBDRM(drmSyncobjExportSyncFile(fd, handle, sync_fd));

	ret = tlgpu_syncobj_create(fd, 0, &tmp);
	if (ret)
		return ret;
	ret = tlgpu_syncobj_transfer(fd, tmp, 0, handle, point, 0);
	if (!ret)
		ret = LIBDRM(drmSyncobjExportSyncFile(fd, tmp, sync_fd));
	tlgpu_syncobj_destroy(fd, tmp);
	return ret;
}

int tlgpu_syncobj_import_sync_file(int fd, uint32_t handle, uint64_t point,
				   int sync_fd)
{
	uint32_t tmp;
	int ret;

	if (!point)
		return LIBDRM(drmSyncobjImportSyncFile(fd, handle, sync_fd));

	ret = tlgpu_syncobj_create(fd, 0, &tmp);
	if (ret)
		return ret;
	ret = LIBDRM(drmSyncobjImportSyncFile(fd, tmp, sync_fd));
	if (!ret)
		ret = tlgpu_syncobj_transfer(fd, handle, point, tmp, 0, 0);
	tlgpu_syncobj_destroy(fd, tmp);
	return ret;
}

/*
 * The uAPI of today's kernels that Debian 12's libdrm headers lack
 * (include/uapi/drm/drm.h of Linux 6.15): struct drm_syncobj_handle with
 * its point, and struct drm_syncobj_eventfd.  A kernel with the old,
 * shorter struct reads its part of it and refuses the flags it lacks.
 */
struct tlgpu_syncobj_handle {
	uint32_t handle;
	uint32_t flags;
	int32_t fd;
	uint32_t pad;
	uint64_t point;
};
#define TLGPU_SYNCOBJ_FD_TO_HANDLE_FLAGS_TIMELINE	(1u << 1)
#define TLGPU_SYNCOBJ_HANDLE_TO_FD_FLAGS_TIMELINE	(1u << 1)
#define TLGPU_IOCTL_SYNCOBJ_HANDLE_TO_FD \
	DRM_IOWR(0xC1, struct tlgpu_syncobj_handle)
#define TLGPU_IOCTL_SYNCOBJ_FD_TO_HANDLE \
	DRM_IOWR(0xC2, struct tlgpu_syncobj_handle)

struct tlgpu_syncobj_eventfd {
	uint32_t handle;
	uint32_t flags;
	uint64_t point;
	int32_t fd;
	uint32_t pad;
};
#define TLGPU_IOCTL_SYNCOBJ_EVENTFD \
	DRM_IOWR(0xCF, struct tlgpu_syncobj_eventfd)

int tlgpu_syncobj_export_point(int fd, uint32_t handle, uint64_t point,
			       int *sync_fd)
{
	struct tlgpu_syncobj_handle args = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE |
			 TLGPU_SYNCOBJ_HANDLE_TO_FD_FLAGS_TIMELINE,
		.fd = -1,
		.point = point,
	};
	int ret = tlgpu_ioctl(fd, TLGPU_IOCTL_SYNCOBJ_HANDLE_TO_FD, &args);

	if (!ret)
		*sync_fd = args.fd;
	return ret;
}

int tlgpu_syncobj_import_point(int fd, uint32_t handle, uint64_t point,
			       int sync_fd)
{
	struct tlgpu_syncobj_handle args = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE |
			 TLGPU_SYNCOBJ_FD_TO_HANDLE_FLAGS_TIMELINE,
		.fd = sync_fd,
		.point = point,
	};

	return tlgpu_ioctl(fd, TLGPU_IOCTL_SYNCOBJ_FD_TO_HANDLE, &args);
}

int tlgpu_syncobj_eventfd(int fd, uint32_t handle, uint64_t point, int ev_fd,
			  uint32_t flags)
{
	struct tlgpu_syncobj_eventfd args = {
		.handle = handle,
		.flags = flags,
		.point = point,
		.fd = ev_fd,
	};

	return tlgpu_ioctl(fd, TLGPU_IOCTL_SYNCOBJ_EVENTFD, &args);
}

/* ------------------------------------------------------------------ */
/* dma-buf fences                                                      */
/* ------------------------------------------------------------------ */

int tlgpu_dmabuf_export_sync_file(int dmabuf_fd, uint32_t flags, int *sync_fd)
{
	struct dma_buf_export_sync_file args = { .flags = flags, .fd = -1 };
	int ret;

	ret = tlgpu_ioctl(dmabuf_fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &args);
	if (ret)
		return ret;

	*sync_fd = args.fd;
	return 0;
}

int tlgpu_dmabuf_import_sync_file(int dmabuf_fd, uint32_t flags, int sync_fd)
{
	struct dma_buf_import_sync_file args = { .flags = flags, .fd = sync_fd };

	return tlgpu_ioctl(dmabuf_fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &args);
}
