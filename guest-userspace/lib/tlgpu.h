/* SPDX-License-Identifier: MIT */
/*
 * libtlgpu - userspace library of the tlgpu virtual GPU.
 *
 * A thin layer over libdrm and the uAPI (tlgpu_drm.h): it finds the tlgpu
 * render nodes and wraps the tlgpu ioctls.  Every function that can fail
 * returns a negative errno; the library never prints.
 */
#ifndef TLGPU_H
#define TLGPU_H

#include <stddef.h>
#include <stdint.h>

#include "tlgpu_drm.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Driver name reported by DRM_IOCTL_VERSION. */
#define TLGPU_DRIVER_NAME	"tlgpu"

/** Directory of the DRM device nodes. */
#define TLGPU_DRI_DIR		"/dev/dri"

/** Room for "/dev/dri/renderD<minor>". */
#define TLGPU_NODE_PATH_MAX	64

/** More tlgpu devices than any VM of the project has. */
#define TLGPU_MAX_DEVICES	64

/**
 * struct tlgpu_node - an open tlgpu render node
 * @fd: file descriptor, opened O_RDWR | O_CLOEXEC
 * @minor: DRM minor of the node (renderD<minor>)
 * @path: path of the node
 */
struct tlgpu_node {
	int fd;
	unsigned int minor;
	char path[TLGPU_NODE_PATH_MAX];
};

/**
 * tlgpu_is_tlgpu() - is @fd a DRM node of the tlgpu driver?
 *
 * Returns 1 if so, 0 if it is another driver's, or a negative errno
 * (-ENODEV once the device was unplugged, -ENOTTY if @fd is no DRM node).
 */
int tlgpu_is_tlgpu(int fd);

/**
 * tlgpu_open() - open the render node at @path if it is a tlgpu one
 *
 * Returns the file descriptor, -ENODEV if the node belongs to another
 * driver, or another negative errno from open() or DRM_IOCTL_VERSION.
 */
int tlgpu_open(const char *path);

/**
 * tlgpu_open_all() - open every tlgpu render node
 * @nodes: filled with up to @max open nodes, by increasing minor
 * @max: room in @nodes
 *
 * Nodes that vanish while being looked at (a device being unbound) are
 * skipped.  Returns the number of nodes opened, 0 when there is none, or
 * a negative errno if /dev/dri could not be read, or if no tlgpu node was
 * found and some render node could not be opened.
 */
int tlgpu_open_all(struct tlgpu_node *nodes, unsigned int max);

/** tlgpu_close_all() - close @count nodes filled by tlgpu_open_all(). */
void tlgpu_close_all(struct tlgpu_node *nodes, unsigned int count);

/**
 * tlgpu_get_param() - DRM_IOCTL_TLGPU_GET_PARAM
 * @fd: tlgpu render node
 * @param: one of enum drm_tlgpu_param
 * @value: the answer, written only on success
 *
 * Returns 0, -EINVAL for an unknown @param, -ENODEV once the device is
 * gone, or another negative errno.
 */
int tlgpu_get_param(int fd, uint32_t param, uint64_t *value);

/**
 * tlgpu_param_name() - name of an enum drm_tlgpu_param value
 *
 * Returns e.g. "device-version", or NULL for an unknown parameter.
 */
const char *tlgpu_param_name(uint32_t param);

/**
 * tlgpu_cap_name() - name of one TLGPU_CAP_* bit
 * @cap: a single bit
 *
 * Returns e.g. "timelines", or NULL for an unknown or multi-bit @cap.
 */
const char *tlgpu_cap_name(uint32_t cap);

#ifdef __cplusplus
}
#endif

#endif /* TLGPU_H */
