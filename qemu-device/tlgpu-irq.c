/*
 * tlgpu - interrupt delivery.
 *
 * A completing timeline (its worker thread, or the main loop) sets
 * tl->irq_request and schedules the device's bottom half; the bottom half,
 * in the main loop with the BQL held, raises each requesting timeline's
 * MSI-X vector unless the timeline's interrupt latch (TLGPU_TL_IRQ_STATUS)
 * is still set, in which case the interrupt is coalesced into the one the
 * driver has not acknowledged yet.  Fault injection may drop or duplicate
 * an interrupt (tlgpu_inject_irq_fate()).  No INTx: the device has no
 * interrupt pin, and without MSI-X enabled nothing is delivered (the latch
 * still records it).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "hw/pci/msix.h"
#include "tlgpu.h"
#include "trace.h"

/* A completion wants an interrupt.  tl->lock held; any thread. */
void tlgpu_irq_request(TLGPUTimeline *tl)
{
    tl->irq_request = true;
    qemu_bh_schedule(tl->dev->irq_bh);
}

/* Raise MSI-X @vector if the guest enabled MSI-X.  BQL held. */
void tlgpu_irq_raise(TLGPUState *s, unsigned vector)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (msix_enabled(pdev)) {
        msix_notify(pdev, vector);
    }
}

/* Main loop, BQL held. */
void tlgpu_irq_bh(void *opaque)
{
    TLGPUState *s = opaque;
    unsigned i;

    for (i = 0; i < s->num_timelines; i++) {
        TLGPUTimeline *tl = &s->tl[i];
        bool drop = false, dup = false, raise = false;

        qemu_mutex_lock(&tl->lock);
        if (tl->irq_request) {
            tl->irq_request = false;
            if (tl->irq_latched) {
                tl->irqs_coalesced++;
                trace_tlgpu_irq_coalesced(i);
            } else {
                tlgpu_inject_irq_fate(s, &drop, &dup);
                if (!drop) {
                    tl->irq_latched = true;
                    tl->irqs += dup ? 2 : 1;
                    raise = true;
                }
            }
        }
        qemu_mutex_unlock(&tl->lock);

        if (drop) {
            trace_tlgpu_inject_irq_drop(i);
        }
        if (raise) {
            trace_tlgpu_irq(i, TLGPU_VECTOR_TIMELINE(i));
            tlgpu_irq_raise(s, TLGPU_VECTOR_TIMELINE(i));
        }
        if (dup) {
            trace_tlgpu_inject_irq_dup(i);
            tlgpu_irq_raise(s, TLGPU_VECTOR_TIMELINE(i));
        }
    }
}
