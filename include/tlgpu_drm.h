/* SPDX-License-Identifier: MIT */
/*
 * tlgpu_drm.h - the tlgpu driver/userspace contract (uAPI).
 *
 * DOC: tlgpu uAPI
 *
 * tlgpu is a render-only DRM driver for the tlgpu virtual GPU.  Userspace
 * opens /dev/dri/renderD*, checks the driver name ("tlgpu") with
 * DRM_IOCTL_VERSION and then uses the ioctls below.
 *
 * Rules (Documentation/process/botching-up-ioctls.rst): fixed-width types,
 * every struct a multiple of 8 bytes with explicit pads that must be zero,
 * flags are only ever added, ioctl numbers are only ever appended, and
 * unknown parameters, flags or non-zero pads are rejected with -EINVAL.
 */
#ifndef TLGPU_DRM_H
#define TLGPU_DRM_H

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_TLGPU_GET_PARAM		0x00

#define DRM_IOCTL_TLGPU_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TLGPU_GET_PARAM, struct drm_tlgpu_get_param)

/**
 * enum drm_tlgpu_param - what DRM_IOCTL_TLGPU_GET_PARAM can answer
 */
enum drm_tlgpu_param {
	/** @DRM_TLGPU_PARAM_DEVICE_VERSION: device version, major << 16 | minor */
	DRM_TLGPU_PARAM_DEVICE_VERSION = 0,
	/** @DRM_TLGPU_PARAM_NUM_TIMELINES: number of command timelines */
	DRM_TLGPU_PARAM_NUM_TIMELINES = 1,
	/** @DRM_TLGPU_PARAM_CAPS: device capability bits, TLGPU_CAP_* of tlgpu_hw.h */
	DRM_TLGPU_PARAM_CAPS = 2,
	/** @DRM_TLGPU_PARAM_NUM_AS: GPU address spaces of the device */
	DRM_TLGPU_PARAM_NUM_AS = 3,
	/** @DRM_TLGPU_PARAM_PCI_ID: PCI vendor << 16 | device */
	DRM_TLGPU_PARAM_PCI_ID = 4,
	/** @DRM_TLGPU_PARAM_RESET_COUNT: full device resets since probe */
	DRM_TLGPU_PARAM_RESET_COUNT = 5,
};

/**
 * struct drm_tlgpu_get_param - argument of DRM_IOCTL_TLGPU_GET_PARAM
 *
 * Errors: -EINVAL for an unknown @param or a non-zero @pad; -EFAULT for
 * an unreadable or unwritable argument; -ENODEV once the device is gone.
 */
struct drm_tlgpu_get_param {
	/** @param: in, one of enum drm_tlgpu_param */
	__u32 param;
	/** @pad: must be zero */
	__u32 pad;
	/** @value: out, the answer */
	__u64 value;
};

#if defined(__cplusplus)
}
#endif

#endif /* TLGPU_DRM_H */
