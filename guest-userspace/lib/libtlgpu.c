/* SPDX-License-Identifier: MIT */
/*
 * libtlgpu: finding tlgpu render nodes and wrapping the tlgpu ioctls.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "tlgpu.h"
#include "tlgpu_hw.h"

#define RENDER_PREFIX	"renderD"

int tlgpu_is_tlgpu(int fd)
{
	drmVersionPtr version;
	int ret;

	errno = 0;
	version = drmGetVersion(fd);
	if (!version)
		return errno ? -errno : -EIO;

	ret = version->name_len == (int)strlen(TLGPU_DRIVER_NAME) &&
	      !memcmp(version->name, TLGPU_DRIVER_NAME, version->name_len);
	drmFreeVersion(version);

	return ret;
}

int tlgpu_open(const char *path)
{
	int fd, ret;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	ret = tlgpu_is_tlgpu(fd);
	if (ret <= 0) {
		close(fd);
		return ret ? ret : -ENODEV;
	}

	return fd;
}

/* "renderD128" -> 128; -1 for any other name. */
static long render_minor(const char *name)
{
	const char *digits = name + strlen(RENDER_PREFIX);
	char *end;
	long minor;

	if (strncmp(name, RENDER_PREFIX, strlen(RENDER_PREFIX)) ||
	    *digits < '0' || *digits > '9')
		return -1;

	errno = 0;
	minor = strtol(digits, &end, 10);
	if (errno || *end || minor > 0xfffff)
		return -1;

	return minor;
}

static int node_cmp(const void *a, const void *b)
{
	const struct tlgpu_node *na = a, *nb = b;

	return (na->minor > nb->minor) - (na->minor < nb->minor);
}

/* The node went away or never was usable: not an error for a scan. */
static int gone(int err)
{
	return err == -ENOENT || err == -ENODEV || err == -ENXIO;
}

int tlgpu_open_all(struct tlgpu_node *nodes, unsigned int max)
{
	unsigned int count = 0;
	struct dirent *ent;
	int first_err = 0;
	DIR *dir;

	dir = opendir(TLGPU_DRI_DIR);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;

	while (count < max && (ent = readdir(dir))) {
		struct tlgpu_node *node = &nodes[count];
		long minor = render_minor(ent->d_name);
		int fd;

		if (minor < 0)
			continue;

		snprintf(node->path, sizeof(node->path), "%s/%s%ld",
			 TLGPU_DRI_DIR, RENDER_PREFIX, minor);
		fd = tlgpu_open(node->path);
		if (fd < 0) {
			if (!gone(fd) && !first_err)
				first_err = fd;
			continue;
		}
		node->fd = fd;
		node->minor = minor;
		count++;
	}
	closedir(dir);

	if (!count && first_err)
		return first_err;

	qsort(nodes, count, sizeof(*nodes), node_cmp);

	return count;
}

void tlgpu_close_all(struct tlgpu_node *nodes, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++) {
		if (nodes[i].fd >= 0)
			close(nodes[i].fd);
		nodes[i].fd = -1;
	}
}

int tlgpu_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_tlgpu_get_param args = { .param = param };

	if (drmIoctl(fd, DRM_IOCTL_TLGPU_GET_PARAM, &args))
		return -errno;

	*value = args.value;
	return 0;
}

const char *tlgpu_param_name(uint32_t param)
{
	static const char *const names[] = {
		[DRM_TLGPU_PARAM_DEVICE_VERSION] = "device-version",
		[DRM_TLGPU_PARAM_NUM_TIMELINES] = "num-timelines",
		[DRM_TLGPU_PARAM_CAPS] = "caps",
		[DRM_TLGPU_PARAM_NUM_AS] = "num-as",
		[DRM_TLGPU_PARAM_PCI_ID] = "pci-id",
		[DRM_TLGPU_PARAM_RESET_COUNT] = "reset-count",
	};

	if (param >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[param];
}

const char *tlgpu_cap_name(uint32_t cap)
{
	switch (cap) {
	case TLGPU_CAP_TIMELINES:
		return "timelines";
	case TLGPU_CAP_MMU:
		return "mmu";
	case TLGPU_CAP_WAIT:
		return "wait";
	case TLGPU_CAP_CHECKSUM:
		return "checksum";
	case TLGPU_CAP_INJECT:
		return "inject";
	case TLGPU_CAP_FLR:
		return "flr";
	default:
		return NULL;
	}
}
