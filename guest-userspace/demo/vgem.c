/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-demo: the vgem ioctls it needs.
 *
 * vgem is the kernel's virtual GEM driver: shmem buffers ("dumb" buffers,
 * created on its primary node), PRIME, and fences the CPU signals
 * (include/uapi/drm/vgem_drm.h, which libdrm does not ship; the two
 * ioctls are restated here).
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "demo.h"

/* include/uapi/drm/vgem_drm.h */
#define DRM_VGEM_FENCE_ATTACH	0x1
#define DRM_VGEM_FENCE_SIGNAL	0x2

struct drm_vgem_fence_attach {
	__u32 handle;
	__u32 flags;
#define VGEM_FENCE_WRITE	0x1
	__u32 out_fence;
	__u32 pad;
};

struct drm_vgem_fence_signal {
	__u32 fence;
	__u32 flags;
};

#define DRM_IOCTL_VGEM_FENCE_ATTACH	DRM_IOWR(DRM_COMMAND_BASE + \
	DRM_VGEM_FENCE_ATTACH, struct drm_vgem_fence_attach)
#define DRM_IOCTL_VGEM_FENCE_SIGNAL	DRM_IOW(DRM_COMMAND_BASE + \
	DRM_VGEM_FENCE_SIGNAL, struct drm_vgem_fence_signal)

static bool is_vgem(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	bool ret;

	if (!v)
		return false;
	ret = !strcmp(v->name, "vgem");
	drmFreeVersion(v);
	return ret;
}

int vgem_open(char *path, size_t len)
{
	struct dirent *de;
	int fd, ret = -ENOENT;
	DIR *dir;

	dir = opendir(TLGPU_DRI_DIR);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char node[TLGPU_NODE_PATH_MAX];

		if (strncmp(de->d_name, "card", 4) ||
		    strlen(de->d_name) > sizeof(node) - sizeof(TLGPU_DRI_DIR "/"))
			continue;
		snprintf(node, sizeof(node), TLGPU_DRI_DIR "/%.32s", de->d_name);
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_vgem(fd)) {
			snprintf(path, len, "%s", node);
			ret = fd;
			break;
		}
		close(fd);
	}
	closedir(dir);
	return ret;
}

int vgem_dumb_create(int fd, uint32_t width, uint32_t height, uint32_t bpp,
		     uint32_t *handle, uint32_t *pitch, uint64_t *size)
{
	struct drm_mode_create_dumb args = {
		.width = width,
		.height = height,
		.bpp = bpp,
	};
	int ret;

	ret = tlgpu_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &args);
	if (ret)
		return ret;
	*handle = args.handle;
	*pitch = args.pitch;
	*size = args.size;
	return 0;
}

int vgem_dumb_map(int fd, uint32_t handle, uint64_t size, void **map)
{
	struct drm_mode_map_dumb args = { .handle = handle };
	void *ptr;
	int ret;

	ret = tlgpu_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &args);
	if (ret)
		return ret;
	ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   args.offset);
	if (ptr == MAP_FAILED)
		return -errno;
	*map = ptr;
	return 0;
}

int vgem_fence_attach(int fd, uint32_t handle, bool write, uint32_t *fence)
{
	struct drm_vgem_fence_attach args = {
		.handle = handle,
		.flags = write ? VGEM_FENCE_WRITE : 0,
	};
	int ret;

	ret = tlgpu_ioctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &args);
	if (ret)
		return ret;
	*fence = args.out_fence;
	return 0;
}

int vgem_fence_signal(int fd, uint32_t fence)
{
	struct drm_vgem_fence_signal args = { .fence = fence };

	return tlgpu_ioctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &args);
}
