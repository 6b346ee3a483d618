/* SPDX-License-Identifier: MIT */
/*
 * libtlgpu: buffers (BO_CREATE, BO_INFO, mmap, GEM_CLOSE) and PRIME.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include <xf86drm.h>

#include "tlgpu.h"

int tlgpu_bo_info(int fd, uint32_t handle, struct drm_tlgpu_bo_info *info)
{
	struct drm_tlgpu_bo_info args = { .handle = handle };
	int ret;

	ret = tlgpu_ioctl(fd, DRM_IOCTL_TLGPU_BO_INFO, &args);
	if (ret)
		return ret;

	*info = args;
	return 0;
}

/* Fills @bo for @handle of @fd from BO_INFO. */
static int bo_fill(int fd, uint32_t handle, struct tlgpu_bo *bo)
{
	struct drm_tlgpu_bo_info info;
	int ret;

	ret = tlgpu_bo_info(fd, handle, &info);
	if (ret)
		return ret;

	bo->fd = fd;
	bo->handle = handle;
	bo->size = info.size;
	bo->gpu_va = info.gpu_va;
	bo->mmap_offset = info.mmap_offset;
	bo->map = NULL;
	return 0;
}

int tlgpu_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close args = { .handle = handle };

	return tlgpu_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &args);
}

int tlgpu_bo_create(int fd, uint64_t size, uint32_t flags,
		    struct tlgpu_bo *bo)
{
	struct drm_tlgpu_bo_create args = { .size = size, .flags = flags };
	int ret;

	ret = tlgpu_ioctl(fd, DRM_IOCTL_TLGPU_BO_CREATE, &args);
	if (ret)
		return ret;

	ret = bo_fill(fd, args.handle, bo);
	if (ret)
		tlgpu_gem_close(fd, args.handle);
	return ret;
}

int tlgpu_bo_map(struct tlgpu_bo *bo)
{
	void *ptr;

	if (bo->map)
		return 0;

	ptr = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, bo->fd,
		   bo->mmap_offset);
	if (ptr == MAP_FAILED)
		return -errno;

	bo->map = ptr;
	return 0;
}

int tlgpu_bo_unmap(struct tlgpu_bo *bo)
{
	if (!bo->map)
		return 0;
	if (munmap(bo->map, bo->size))
		return -errno;
	bo->map = NULL;
	return 0;
}

int tlgpu_bo_close(struct tlgpu_bo *bo)
{
	int ret = tlgpu_bo_unmap(bo);
	int ret2 = tlgpu_gem_close(bo->fd, bo->handle);

	bo->map = NULL;
	return ret ? ret : ret2;
}

int tlgpu_bo_export(const struct tlgpu_bo *bo, uint32_t flags, int *dmabuf_fd)
{
	int out;

	if (!flags)
		flags = DRM_CLOEXEC | DRM_RDWR;
	if (drmPrimeHandleToFD(bo->fd, bo->handle, flags, &out))
		return -errno;

	*dmabuf_fd = out;
	return 0;
}

/*
 * On a BO_INFO failure the handle stays open: it may be the file's own
 * handle of the buffer, which closing would take from its owner.
 */
int tlgpu_bo_import(int fd, int dmabuf_fd, struct tlgpu_bo *bo)
{
	uint32_t handle;

	if (drmPrimeFDToHandle(fd, dmabuf_fd, &handle))
		return -errno;

	return bo_fill(fd, handle, bo);
}
