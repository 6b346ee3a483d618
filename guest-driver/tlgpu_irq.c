// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: MSI-X interrupts.
 */

/**
 * DOC: tlgpu interrupts
 *
 * The device has TLGPU_REG_NUM_VECTORS MSI-X vectors: timeline t raises
 * vector TLGPU_VECTOR_TIMELINE(t) when it executes a FENCE with
 * TLGPU_FENCE_IRQ, and the vector after the last timeline is the device
 * vector (only raised by spurious-interrupt injection for now).
 *
 * A timeline raises its vector at most once until the driver writes
 * TLGPU_TL_IRQ_ACK: completions in between are coalesced.  Each handler
 * therefore acknowledges before it looks at the timeline's state, so that
 * a completion landing after the look raises a new interrupt instead of
 * being lost; then it signals the timeline's completed fences
 * (tlgpu_timeline_irq()).  Spurious and duplicated interrupts find
 * nothing new to signal.
 *
 * The vectors are exclusive to this device (MSI-X is never shared), so a
 * handler always returns IRQ_HANDLED, even for an injected spurious
 * interrupt.  All vectors are requested with devres and are freed after
 * tlgpu_pci_remove() has reset the device.
 */

#include <linux/interrupt.h>
#include <linux/pci.h>

#include <drm/drm_managed.h>

#include "tlgpu_drv.h"

static irqreturn_t tlgpu_timeline_irq_handler(int irq, void *arg)
{
	struct tlgpu_irq_vector *vec = arg;

	/* Acknowledge first: a completion after the look interrupts again. */
	tlgpu_tl_write(vec->tdev, vec->timeline, TLGPU_TL_IRQ_ACK, 1);
	atomic64_inc(&vec->count);
	tlgpu_timeline_irq(&vec->tdev->timelines[vec->timeline]);

	return IRQ_HANDLED;
}

static irqreturn_t tlgpu_device_irq(int irq, void *arg)
{
	struct tlgpu_irq_vector *vec = arg;

	atomic64_inc(&vec->count);

	return IRQ_HANDLED;
}

/**
 * tlgpu_irq_init() - allocate and request the MSI-X vectors
 * @tdev: device, with @num_timelines and @num_vectors read from it
 *
 * Return: 0, or a negative errno; everything is devres-managed, so a
 * failing probe needs no unwinding here.
 */
int tlgpu_irq_init(struct tlgpu_device *tdev)
{
	struct pci_dev *pdev = tdev->pdev;
	struct device *dev = &pdev->dev;
	unsigned int i;
	int ret;

	tdev->vectors = drmm_kcalloc(&tdev->drm, tdev->num_vectors,
				     sizeof(*tdev->vectors), GFP_KERNEL);
	if (!tdev->vectors)
		return -ENOMEM;

	/* Freed by devres, since pcim_enable_device() made the device managed. */
	ret = pci_alloc_irq_vectors(pdev, tdev->num_vectors, tdev->num_vectors,
				    PCI_IRQ_MSIX);
	if (ret < 0) {
		dev_err(dev, "cannot allocate %u MSI-X vectors: %d\n",
			tdev->num_vectors, ret);
		return ret;
	}

	for (i = 0; i < tdev->num_vectors; i++) {
		struct tlgpu_irq_vector *vec = &tdev->vectors[i];
		irq_handler_t handler;
		const char *name;

		vec->tdev = tdev;
		vec->index = i;
		atomic64_set(&vec->count, 0);
		if (i < tdev->num_timelines) {
			vec->timeline = i;
			handler = tlgpu_timeline_irq_handler;
			name = devm_kasprintf(dev, GFP_KERNEL, "tlgpu-tl%u@%s",
					      i, pci_name(pdev));
		} else {
			vec->timeline = -1;
			handler = tlgpu_device_irq;
			name = devm_kasprintf(dev, GFP_KERNEL, "tlgpu-dev@%s",
					      pci_name(pdev));
		}
		if (!name)
			return -ENOMEM;

		ret = devm_request_irq(dev, pci_irq_vector(pdev, i), handler, 0,
				       name, vec);
		if (ret) {
			dev_err(dev, "cannot request MSI-X vector %u: %d\n",
				i, ret);
			return ret;
		}
	}

	return 0;
}
