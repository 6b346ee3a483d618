/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * tlgpu: private header of the DRM driver.
 *
 * One section per source file, each listing what that file exports to
 * the rest of the driver.
 */
#ifndef TLGPU_DRV_H
#define TLGPU_DRV_H

#include <linux/atomic.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/types.h>

#include <drm/drm_device.h>

#include "tlgpu_hw.h"

#define DRIVER_NAME		"tlgpu"
#define DRIVER_DESC		"tlgpu virtual GPU"
#define DRIVER_DATE		"20261122"
#define DRIVER_MAJOR		0
#define DRIVER_MINOR		1
#define DRIVER_PATCHLEVEL	0

struct drm_minor;
struct tlgpu_device;

/**
 * struct tlgpu_irq_vector - one MSI-X vector of the device
 * @tdev: device the vector belongs to
 * @index: MSI-X vector number
 * @timeline: timeline whose completions raise this vector, or -1 for the
 *	device vector (TLGPU_VECTOR_TIMELINE() maps timelines to vectors)
 * @count: interrupts handled on this vector since probe
 *
 * Allocated with the &struct tlgpu_device (drmm), so the counters stay
 * readable after unbind; the interrupt itself is freed at unbind.
 */
struct tlgpu_irq_vector {
	struct tlgpu_device *tdev;
	unsigned int index;
	int timeline;
	atomic64_t count;
};

/**
 * struct tlgpu_device - one tlgpu PCI function
 * @drm: DRM device; its reference count controls this structure's lifetime
 * @pdev: the PCI function (a reference is held through @drm's parent)
 * @regs: BAR0 register window
 * @version: TLGPU_REG_VERSION, major << 16 | minor
 * @caps: TLGPU_REG_CAPS, TLGPU_CAP_* bits
 * @num_timelines: TLGPU_REG_NUM_TIMELINES, 1..TLGPU_MAX_TIMELINES
 * @num_as: TLGPU_REG_NUM_AS, at most TLGPU_NUM_AS
 * @num_vectors: TLGPU_REG_NUM_VECTORS, MSI-X vectors in use
 * @reset_count_base: TLGPU_REG_RESET_COUNT right after the probe reset;
 *	resets since probe are counted from here
 * @vectors: @num_vectors interrupt vectors
 *
 * Lifetime: allocated by devm_drm_dev_alloc(), freed when the last
 * reference to @drm goes, which can be long after the PCI function was
 * unbound if a file is still open.  @regs, the interrupts and the PCI
 * resources are devres-managed and go away at unbind, so every path that
 * userspace can reach touches the hardware only between drm_dev_enter()
 * and drm_dev_exit().
 *
 * Locking: there is no lock yet.  Every field is written in probe before
 * drm_dev_register() and only read afterwards; the interrupt counters are
 * atomics.  A lock added here must say what it protects.
 */
struct tlgpu_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	void __iomem *regs;

	u32 version;
	u32 caps;
	u32 num_timelines;
	u32 num_as;
	u32 num_vectors;
	u32 reset_count_base;

	struct tlgpu_irq_vector *vectors;
};

static inline struct tlgpu_device *to_tlgpu_device(struct drm_device *drm)
{
	return container_of(drm, struct tlgpu_device, drm);
}

/* Register access: all registers are 32 bits wide (tlgpu_hw.h). */
static inline u32 tlgpu_read(struct tlgpu_device *tdev, u32 reg)
{
	return readl(tdev->regs + reg);
}

static inline void tlgpu_write(struct tlgpu_device *tdev, u32 reg, u32 val)
{
	writel(val, tdev->regs + reg);
}

static inline u32 tlgpu_tl_read(struct tlgpu_device *tdev, u32 tl, u32 reg)
{
	return tlgpu_read(tdev, TLGPU_TL_REG(tl, reg));
}

static inline void tlgpu_tl_write(struct tlgpu_device *tdev, u32 tl, u32 reg,
				  u32 val)
{
	tlgpu_write(tdev, TLGPU_TL_REG(tl, reg), val);
}

/* tlgpu_debugfs.c, built with CONFIG_DEBUG_FS only */
void tlgpu_debugfs_init(struct drm_minor *minor);

/* tlgpu_drv.c */
void tlgpu_device_reset(struct tlgpu_device *tdev);

/* tlgpu_irq.c */
int tlgpu_irq_init(struct tlgpu_device *tdev);

/* tlgpu_param.c */
int tlgpu_get_param_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);

#endif /* TLGPU_DRV_H */
