// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: DRM_IOCTL_TLGPU_GET_PARAM.
 */

#include <linux/pci.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "tlgpu_drm.h"
#include "tlgpu_drv.h"

/* DRM_TLGPU_DRIVER_CAP_* of this build. */
static u64 tlgpu_driver_caps(void)
{
	u64 caps = 0;

	if (IS_ENABLED(CONFIG_DEV_COREDUMP))
		caps |= DRM_TLGPU_DRIVER_CAP_DEVCOREDUMP;
	/* The core's uAPI of the kernel built for says what it has. */
#ifdef DRM_IOCTL_SYNCOBJ_EVENTFD
	caps |= DRM_TLGPU_DRIVER_CAP_SYNCOBJ_EVENTFD;
#endif
#ifdef DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_TIMELINE
	caps |= DRM_TLGPU_DRIVER_CAP_SYNCOBJ_POINT_SYNC_FILE;
#endif
#ifdef TLGPU_HAVE_DRM_SHOW_FDINFO
	caps |= DRM_TLGPU_DRIVER_CAP_FDINFO_CORE;
#ifdef TLGPU_HAVE_DRM_FILE_CLIENT_NAME
	caps |= DRM_TLGPU_DRIVER_CAP_CLIENT_NAME;
#endif
#ifdef TLGPU_HAVE_DRM_SHOW_MEMORY_STATS
	caps |= DRM_TLGPU_DRIVER_CAP_MEMORY_STATS;
#endif
#endif
	return caps;
}

/**
 * tlgpu_get_param_ioctl() - answer DRM_IOCTL_TLGPU_GET_PARAM
 * @drm: DRM device
 * @data: &struct drm_tlgpu_get_param, copied in and out by the DRM core
 * @file: DRM file of the caller (unused)
 *
 * Stores in @data->value the answer to @data->param, one of
 * &enum drm_tlgpu_param:
 *
 *  - DRM_TLGPU_PARAM_DEVICE_VERSION: TLGPU_REG_VERSION, major << 16 | minor;
 *  - DRM_TLGPU_PARAM_NUM_TIMELINES: TLGPU_REG_NUM_TIMELINES;
 *  - DRM_TLGPU_PARAM_CAPS: TLGPU_REG_CAPS, TLGPU_CAP_* bits;
 *  - DRM_TLGPU_PARAM_NUM_AS: TLGPU_REG_NUM_AS;
 *  - DRM_TLGPU_PARAM_PCI_ID: PCI vendor << 16 | device id;
 *  - DRM_TLGPU_PARAM_RESET_COUNT: full device resets since probe (the reset
 *    probe itself does is not counted), read from TLGPU_REG_RESET_COUNT;
 *  - DRM_TLGPU_PARAM_MAX_CMD_DWORDS: DRM_TLGPU_MAX_CMD_DWORDS;
 *  - DRM_TLGPU_PARAM_VA_BITS: TLGPU_VA_BITS;
 *  - DRM_TLGPU_PARAM_DRIVER_CAPS: DRM_TLGPU_DRIVER_CAP_* bits, from the
 *    kernel's configuration and the feature probes (tlgpu_compat.h).
 *
 * The configuration values were read from the device at probe and do not
 * change while it is bound.  @data->value is ignored on input.
 *
 * Return: 0 on success, or
 *
 *  - -EINVAL: @data->pad is not zero, or @data->param is unknown;
 *  - -ENODEV: the device was unbound or unplugged.  The DRM core already
 *    returns -ENODEV for an unplugged device before calling here; the
 *    drm_dev_enter() section closes the race with an unplug under way.
 *
 * The DRM core returns -EFAULT before or after this function when the
 * argument cannot be read or written.
 */
int tlgpu_get_param_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct tlgpu_device *tdev = to_tlgpu_device(drm);
	struct drm_tlgpu_get_param *args = data;
	int ret = 0;
	int idx;

	if (args->pad)
		return -EINVAL;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	switch (args->param) {
	case DRM_TLGPU_PARAM_DEVICE_VERSION:
		args->value = tdev->version;
		break;
	case DRM_TLGPU_PARAM_NUM_TIMELINES:
		args->value = tdev->num_timelines;
		break;
	case DRM_TLGPU_PARAM_CAPS:
		args->value = tdev->caps;
		break;
	case DRM_TLGPU_PARAM_NUM_AS:
		args->value = tdev->num_as;
		break;
	case DRM_TLGPU_PARAM_PCI_ID:
		args->value = (u32)tdev->pdev->vendor << 16 | tdev->pdev->device;
		break;
	case DRM_TLGPU_PARAM_MAX_CMD_DWORDS:
		args->value = DRM_TLGPU_MAX_CMD_DWORDS;
		break;
	case DRM_TLGPU_PARAM_VA_BITS:
		args->value = TLGPU_VA_BITS;
		break;
	case DRM_TLGPU_PARAM_DRIVER_CAPS:
		args->value = tlgpu_driver_caps();
		break;
	case DRM_TLGPU_PARAM_RESET_COUNT:
		args->value = tlgpu_read(tdev, TLGPU_REG_RESET_COUNT) -
			      tdev->reset_count_base;
		break;
	default:
		ret = -EINVAL;
		break;
	}

	drm_dev_exit(idx);
	return ret;
}
