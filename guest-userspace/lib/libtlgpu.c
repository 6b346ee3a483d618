/* SPDX-License-Identifier: MIT */
/*
 * libtlgpu: finding tlgpu render nodes, device parameters, time.
 *
 * The other concerns have a file each: tlgpu_bo.c (buffers and PRIME),
 * tlgpu_cmd.c (command encoder), tlgpu_job.c (SUBMIT, WAIT_BO, reset
 * status), tlgpu_sync.c (sync_files, syncobjs, dma-buf fences),
 * tlgpu_vgem.c (vgem's node, dumb buffers and fences) and tlgpu_crc32.c.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "tlgpu.h"
#include "tlgpu_hw.h"

#define RENDER_PREFIX	DRM_RENDER_MINOR_NAME	/* "renderD" */

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

/* "/dev/dri/renderD128" -> 128; -1 for any other name. */
static long render_minor(const char *path)
{
	const char *name = strrchr(path, '/');
	const char *digits;
	char *end;
	long minor;

	name = name ? name + 1 : path;
	digits = name + strlen(RENDER_PREFIX);
	if (strncmp(name, RENDER_PREFIX, strlen(RENDER_PREFIX)) ||
	    *digits < '0' || *digits > '9')
		return -1;

	errno = 0;
	minor = strtol(digits, &end, 10);
	if (errno || *end || minor > 0xfffff)
		return -1;

	return minor;
}

/* Whether sysfs says render node @minor is bound to the tlgpu driver. */
static int bound_to_tlgpu(long minor)
{
	char link[96], target[256];
	const char *drv;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/drm/%s%ld/device/driver",
		 RENDER_PREFIX, minor);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	drv = strrchr(target, '/');
	return !strcmp(drv ? drv + 1 : target, TLGPU_DRIVER_NAME);
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

/*
 * The tlgpu render nodes, by increasing minor, without opening any: the
 * render nodes in /dev/dri (libdrm's DRM_DIR_NAME) and the driver each
 * node's device is bound to in sysfs.  Not libdrm's drmGetDevices2(): it
 * reads the bus type, PCI address and ids of every DRM node, none of which
 * this needs, in a dozen sysfs lookups per node (half a second a scan on a
 * debug kernel under TCG, where the tests open thousands of files).  Fills
 * up to @max of @nodes (fd -1); returns how many, or a negative errno.
 */
static int tlgpu_find_nodes(struct tlgpu_node *nodes, unsigned int max)
{
	struct tlgpu_node found[TLGPU_MAX_DEVICES * 4];
	unsigned int count = 0;
	struct dirent *d;
	DIR *dir;

	dir = opendir(DRM_DIR_NAME);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((d = readdir(dir))) {
		long minor = render_minor(d->d_name);

		if (minor < 0 || count == TLGPU_MAX_DEVICES * 4 ||
		    !bound_to_tlgpu(minor))
			continue;
		found[count].fd = -1;
		found[count].minor = minor;
		snprintf(found[count].path, sizeof(found[count].path),
			 "%s/%s%ld", DRM_DIR_NAME, RENDER_PREFIX, minor);
		count++;
	}
	closedir(dir);
	qsort(found, count, sizeof(*found), node_cmp);
	if (count > max)
		count = max;
	memcpy(nodes, found, count * sizeof(*nodes));
	return count;
}

int tlgpu_open_all(struct tlgpu_node *nodes, unsigned int max)
{
	unsigned int count = 0, i;
	int first_err = 0, found;

	found = tlgpu_find_nodes(nodes, max);
	if (found < 0)
		return found;
	for (i = 0; i < (unsigned int)found; i++) {
		int fd = tlgpu_open(nodes[i].path);

		if (fd < 0) {
			if (!gone(fd) && !first_err)
				first_err = fd;
			continue;
		}
		nodes[count] = nodes[i];
		nodes[count].fd = fd;
		count++;
	}
	if (!count && first_err)
		return first_err;
	return count;
}

int tlgpu_open_index(unsigned int index, struct tlgpu_node *node)
{
	struct tlgpu_node nodes[TLGPU_MAX_DEVICES];
	int count, fd;

	count = tlgpu_find_nodes(nodes, TLGPU_MAX_DEVICES);
	if (count < 0)
		return count;
	if (index >= (unsigned int)count)
		return -ENOENT;

	/* Only the node asked for is opened: no other device is touched. */
	fd = tlgpu_open(nodes[index].path);
	if (fd < 0)
		return fd;
	*node = nodes[index];
	node->fd = fd;
	return fd;
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

int tlgpu_ioctl(int fd, unsigned long request, void *arg)
{
	return drmIoctl(fd, request, arg) ? -errno : 0;
}

int tlgpu_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_tlgpu_get_param args = { .param = param };
	int ret;

	ret = tlgpu_ioctl(fd, DRM_IOCTL_TLGPU_GET_PARAM, &args);
	if (ret)
		return ret;

	*value = args.value;
	return 0;
}

int tlgpu_device_info(int fd, struct tlgpu_device_info *info)
{
	uint64_t val[DRM_TLGPU_PARAM_DRIVER_CAPS + 1];
	uint32_t p;
	int ret;

	for (p = 0; p <= DRM_TLGPU_PARAM_DRIVER_CAPS; p++) {
		ret = tlgpu_get_param(fd, p, &val[p]);
		/* A driver from before DRIVER_CAPS: none of those features. */
		if (ret == -EINVAL && p == DRM_TLGPU_PARAM_DRIVER_CAPS) {
			val[p] = 0;
			ret = 0;
		}
		if (ret)
			return ret;
	}

	info->version = val[DRM_TLGPU_PARAM_DEVICE_VERSION];
	info->num_timelines = val[DRM_TLGPU_PARAM_NUM_TIMELINES];
	info->caps = val[DRM_TLGPU_PARAM_CAPS];
	info->num_as = val[DRM_TLGPU_PARAM_NUM_AS];
	info->pci_id = val[DRM_TLGPU_PARAM_PCI_ID];
	info->max_cmd_dwords = val[DRM_TLGPU_PARAM_MAX_CMD_DWORDS];
	info->va_bits = val[DRM_TLGPU_PARAM_VA_BITS];
	info->reset_count = val[DRM_TLGPU_PARAM_RESET_COUNT];
	info->driver_caps = val[DRM_TLGPU_PARAM_DRIVER_CAPS];
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
		[DRM_TLGPU_PARAM_MAX_CMD_DWORDS] = "max-cmd-dwords",
		[DRM_TLGPU_PARAM_VA_BITS] = "va-bits",
		[DRM_TLGPU_PARAM_DRIVER_CAPS] = "driver-caps",
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

const char *tlgpu_driver_cap_name(uint64_t cap)
{
	switch (cap) {
	case DRM_TLGPU_DRIVER_CAP_DEVCOREDUMP:
		return "devcoredump";
	case DRM_TLGPU_DRIVER_CAP_FDINFO_CORE:
		return "fdinfo-core";
	case DRM_TLGPU_DRIVER_CAP_CLIENT_NAME:
		return "client-name";
	case DRM_TLGPU_DRIVER_CAP_MEMORY_STATS:
		return "memory-stats";
	case DRM_TLGPU_DRIVER_CAP_SYNCOBJ_EVENTFD:
		return "syncobj-eventfd";
	case DRM_TLGPU_DRIVER_CAP_SYNCOBJ_POINT_SYNC_FILE:
		return "syncobj-point-sync-file";
	default:
		return NULL;
	}
}

int64_t tlgpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t tlgpu_abs_timeout(int64_t rel_ns)
{
	int64_t now = tlgpu_now_ns();

	if (rel_ns > 0 && now > INT64_MAX - rel_ns)
		return INT64_MAX;
	return now + rel_ns;
}
