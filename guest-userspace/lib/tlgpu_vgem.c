/* SPDX-License-Identifier: MIT */
/*
 * libtlgpu: vgem, the kernel's virtual GEM driver, the other device the
 * tests, benchmarks and demo share buffers and fences with.  Its primary
 * node, dumb buffers, and the fences the CPU attaches and signals.
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

#include "tlgpu.h"

#define VGEM_DRIVER_NAME	"vgem"
#define CARD_PREFIX		"card"

/*
 * include/uapi/drm/vgem_drm.h, which Debian's libdrm does not ship: the
 * two ioctls, restated.
 */
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

/* "card0" and the like: a primary node. */
static int is_card(const char *name)
{
	const char *digits = name + strlen(CARD_PREFIX);

	return !strncmp(name, CARD_PREFIX, strlen(CARD_PREFIX)) &&
	       *digits >= '0' && *digits <= '9' &&
	       strspn(digits, "0123456789") == strlen(digits);
}

static int is_vgem(int fd)
{
	drmVersionPtr version = drmGetVersion(fd);
	int ret;

	if (!version)
		return 0;
	ret = !strcmp(version->name, VGEM_DRIVER_NAME);
	drmFreeVersion(version);
	return ret;
}

int tlgpu_vgem_open(char *path, size_t len)
{
	char node[TLGPU_NODE_PATH_MAX];
	int fd, ret = -ENOENT;
	struct dirent *ent;
	DIR *dir;

	dir = opendir(TLGPU_DRI_DIR);
	if (!dir)
		return -errno;

	while ((ent = readdir(dir))) {
		if (!is_card(ent->d_name) ||
		    strlen(ent->d_name) >= sizeof(node) - sizeof(TLGPU_DRI_DIR))
			continue;
		snprintf(node, sizeof(node), "%s/%s", TLGPU_DRI_DIR,
			 ent->d_name);
		fd = open(node, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_vgem(fd)) {
			ret = fd;
			break;
		}
		close(fd);
	}
	closedir(dir);

	if (ret >= 0 && path && len)
		snprintf(path, len, "%s", node);
	return ret;
}

int tlgpu_vgem_dumb_create(int vgem_fd, uint32_t width, uint32_t height,
			   uint32_t bpp, uint32_t *handle, uint32_t *pitch,
			   uint64_t *size)
{
	struct drm_mode_create_dumb args = {
		.width = width,
		.height = height,
		.bpp = bpp,
	};
	int ret;

	ret = tlgpu_ioctl(vgem_fd, DRM_IOCTL_MODE_CREATE_DUMB, &args);
	if (ret)
		return ret;

	*handle = args.handle;
	if (pitch)
		*pitch = args.pitch;
	if (size)
		*size = args.size;
	return 0;
}

int tlgpu_vgem_dumb_map(int vgem_fd, uint32_t handle, uint64_t size,
			void **map)
{
	struct drm_mode_map_dumb args = { .handle = handle };
	void *ptr;
	int ret;

	ret = tlgpu_ioctl(vgem_fd, DRM_IOCTL_MODE_MAP_DUMB, &args);
	if (ret)
		return ret;

	ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vgem_fd,
		   args.offset);
	if (ptr == MAP_FAILED)
		return -errno;

	*map = ptr;
	return 0;
}

int tlgpu_vgem_fence_attach(int vgem_fd, uint32_t handle, bool write,
			    uint32_t *fence)
{
	struct drm_vgem_fence_attach args = {
		.handle = handle,
		.flags = write ? VGEM_FENCE_WRITE : 0,
	};
	int ret;

	ret = tlgpu_ioctl(vgem_fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &args);
	if (ret)
		return ret;

	*fence = args.out_fence;
	return 0;
}

int tlgpu_vgem_fence_signal(int vgem_fd, uint32_t fence)
{
	struct drm_vgem_fence_signal args = { .fence = fence };

	return tlgpu_ioctl(vgem_fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &args);
}
