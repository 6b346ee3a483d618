/*
 * tlgpu - timeline GPU: a virtual GPU for testing GPU synchronization.
 *
 * The PCI function, the global and address-space registers, reset,
 * realize and the QOM type.  Command timelines run in their own threads
 * (tlgpu-timeline.c); every DMA goes through the device MMU
 * (tlgpu-mmu.c); faults, delays, hangs and interrupt trouble are injected
 * on demand (tlgpu-inject.c).  The contract with the guest driver is
 * include/tlgpu/tlgpu_hw.h, explained in docs/device-spec.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qapi/error.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "tlgpu.h"
#include "trace.h"

/* Every wire structure is pinned: the driver shares these layouts. */
QEMU_BUILD_BUG_ON(sizeof(struct tlgpu_status_page) != 64 + 4 * TLGPU_STATUS_SLOTS);
QEMU_BUILD_BUG_ON(sizeof(struct tlgpu_status_page) > TLGPU_PAGE_SIZE);
QEMU_BUILD_BUG_ON(sizeof(struct tlgpu_cmd_set_as) != 8);
QEMU_BUILD_BUG_ON(sizeof(struct tlgpu_cmd_fill) != 24);
QEMU_BUILD_BUG_ON(sizeof(struct tlgpu_cmd_copy) != 32);
QEMU_BUILD_BUG_ON(sizeof(struct tlgpu_cmd_checksum) != 32);
QEMU_BUILD_BUG_ON(sizeof(struct tlgpu_cmd_wait) != 16);
QEMU_BUILD_BUG_ON(sizeof(struct tlgpu_cmd_delay) != 8);
QEMU_BUILD_BUG_ON(sizeof(struct tlgpu_cmd_fence) != 16);
QEMU_BUILD_BUG_ON(sizeof(struct tlgpu_cmd_store) != 24);
QEMU_BUILD_BUG_ON(TLGPU_TL_BASE + TLGPU_MAX_TIMELINES * TLGPU_TL_STRIDE >
                  TLGPU_BAR0_SIZE);
QEMU_BUILD_BUG_ON(TLGPU_AS_BASE + TLGPU_NUM_AS * TLGPU_AS_STRIDE >
                  TLGPU_TL_BASE);

#define TLGPU_MSIX_VECTORS(s)   ((s)->num_timelines + 1)

static uint32_t tlgpu_caps(TLGPUState *s)
{
    uint32_t caps = TLGPU_CAP_TIMELINES | TLGPU_CAP_MMU | TLGPU_CAP_WAIT |
                    TLGPU_CAP_CHECKSUM | TLGPU_CAP_INJECT;

    if (pci_is_express(PCI_DEVICE(s))) {
        caps |= TLGPU_CAP_FLR;
    }
    return caps;
}

/* Full device reset: what TLGPU_REG_RESET, FLR and system reset do. */
static void tlgpu_reset_all(TLGPUState *s)
{
    unsigned i;

    trace_tlgpu_reset(s->reset_count + 1);
    for (i = 0; i < s->num_timelines; i++) {
        tlgpu_timeline_reset(&s->tl[i], true);
    }
    qemu_mutex_lock(&s->done_lock);
    memset(s->completed, 0, sizeof(uint64_t) * s->num_timelines);
    qemu_cond_broadcast(&s->done_cond);
    qemu_mutex_unlock(&s->done_lock);

    qemu_mutex_lock(&s->lock);
    memset(s->as, 0, sizeof(s->as));
    qemu_mutex_unlock(&s->lock);

    s->scratch = 0;
    s->reset_count++;
}

static uint32_t tlgpu_as_read(TLGPUState *s, unsigned as, unsigned reg)
{
    uint32_t val = 0;

    assert(as < TLGPU_NUM_AS);     /* tlgpu_decode() checked it */
    qemu_mutex_lock(&s->lock);
    switch (reg) {
    case TLGPU_AS_PT_LO:
        val = s->as[as].pt_root;
        break;
    case TLGPU_AS_PT_HI:
        val = s->as[as].pt_root >> 32;
        break;
    case TLGPU_AS_CTRL:
        val = s->as[as].ctrl;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: bad AS register 0x%x\n",
                      __func__, reg);
    }
    qemu_mutex_unlock(&s->lock);
    return val;
}

static void tlgpu_as_write(TLGPUState *s, unsigned as, unsigned reg,
                           uint32_t val)
{
    TLGPUAddrSpace *a;

    assert(as < TLGPU_NUM_AS);     /* tlgpu_decode() checked it */
    a = &s->as[as];
    qemu_mutex_lock(&s->lock);
    switch (reg) {
    case TLGPU_AS_PT_LO:
        a->pt_root = deposit64(a->pt_root, 0, 32, val);
        break;
    case TLGPU_AS_PT_HI:
        a->pt_root = deposit64(a->pt_root, 32, 32, val);
        break;
    case TLGPU_AS_CTRL:
        if (val & ~TLGPU_AS_CTRL_ENABLE) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: AS%u: reserved bits 0x%x\n",
                          __func__, as, val);
        }
        a->ctrl = val & TLGPU_AS_CTRL_ENABLE;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: bad AS register 0x%x\n",
                      __func__, reg);
    }
    if (a->pt_root & (TLGPU_PAGE_SIZE - 1)) {
        /* The walker refuses it; say so now, where the driver erred. */
        qemu_log_mask(LOG_GUEST_ERROR, "%s: AS%u: root 0x%" PRIx64
                      " not page aligned\n", __func__, as, a->pt_root);
    }
    trace_tlgpu_as_set(as, a->pt_root, a->ctrl);
    qemu_mutex_unlock(&s->lock);
}

/*
 * BAR0 decode.  Each block of registers is a window [base, base + count *
 * stride); an offset decodes to (block, index, register) only when it is
 * inside a window and the index is below the block's instance count, so
 * nothing computed from a guest offset indexes an array unchecked.  Holes
 * read 0 and ignore writes.
 */
typedef enum TLGPUBlock {
    TLGPU_BLK_NONE,
    TLGPU_BLK_GLOBAL,
    TLGPU_BLK_INJECT,
    TLGPU_BLK_AS,
    TLGPU_BLK_TL,
} TLGPUBlock;

typedef struct TLGPUWindow {
    TLGPUBlock block;
    hwaddr base;
    hwaddr stride;      /* bytes per instance */
    unsigned max;       /* instances the window has room for */
} TLGPUWindow;

static const TLGPUWindow tlgpu_windows[] = {
    { TLGPU_BLK_GLOBAL, 0x000, 0x100, 1 },
    { TLGPU_BLK_INJECT, TLGPU_REG_INJ_FAIL_TIMELINE, 0x100, 1 },
    { TLGPU_BLK_AS, TLGPU_AS_BASE, TLGPU_AS_STRIDE, TLGPU_NUM_AS },
    { TLGPU_BLK_TL, TLGPU_TL_BASE, TLGPU_TL_STRIDE, TLGPU_MAX_TIMELINES },
};

typedef struct TLGPUDecoded {
    TLGPUBlock block;
    unsigned index;     /* AS or timeline number */
    unsigned reg;       /* offset inside the instance's block */
} TLGPUDecoded;

static TLGPUDecoded tlgpu_decode(TLGPUState *s, hwaddr addr)
{
    TLGPUDecoded d = { TLGPU_BLK_NONE, 0, 0 };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(tlgpu_windows); i++) {
        const TLGPUWindow *w = &tlgpu_windows[i];
        unsigned count = w->max;
        uint64_t idx;

        if (addr < w->base || addr >= w->base + w->max * w->stride) {
            continue;
        }
        idx = (addr - w->base) / w->stride;
        if (w->block == TLGPU_BLK_TL) {
            count = s->num_timelines;
        }
        if (idx >= count) {
            return d;   /* inside the window, beyond the instances */
        }
        d.block = w->block;
        d.index = idx;
        d.reg = (addr - w->base) % w->stride;
        /* Global and injection registers are decoded by full offset. */
        if (w->block == TLGPU_BLK_INJECT) {
            d.reg = addr;
        }
        return d;
    }
    return d;
}

static uint32_t tlgpu_global_read(TLGPUState *s, hwaddr addr)
{
    switch (addr) {
    case TLGPU_REG_ID:
        return TLGPU_ID_MAGIC;
    case TLGPU_REG_VERSION:
        return TLGPU_VERSION;
    case TLGPU_REG_CAPS:
        return tlgpu_caps(s);
    case TLGPU_REG_NUM_TIMELINES:
        return s->num_timelines;
    case TLGPU_REG_NUM_AS:
        return TLGPU_NUM_AS;
    case TLGPU_REG_NUM_VECTORS:
        return TLGPU_MSIX_VECTORS(s);
    case TLGPU_REG_RESET:
        return 0;
    case TLGPU_REG_SCRATCH:
        return s->scratch;
    case TLGPU_REG_RESET_COUNT:
        return s->reset_count;
    }
    qemu_log_mask(LOG_GUEST_ERROR, "%s: bad register 0x%" HWADDR_PRIx "\n",
                  __func__, addr);
    return 0;
}

static void tlgpu_global_write(TLGPUState *s, hwaddr addr, uint32_t val)
{
    switch (addr) {
    case TLGPU_REG_RESET:
        if (val == TLGPU_RESET_MAGIC) {
            if (!tlgpu_inject_reset_fails(s, -1)) {
                tlgpu_reset_all(s);
            }
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: bad reset magic 0x%x\n",
                          __func__, val);
        }
        break;
    case TLGPU_REG_SCRATCH:
        s->scratch = val;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write to read-only or unknown "
                      "register 0x%" HWADDR_PRIx "\n", __func__, addr);
    }
}

static uint64_t tlgpu_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    TLGPUState *s = opaque;
    TLGPUDecoded d = tlgpu_decode(s, addr);
    uint64_t val = 0;

    switch (d.block) {
    case TLGPU_BLK_GLOBAL:
        val = tlgpu_global_read(s, addr);
        break;
    case TLGPU_BLK_INJECT:
        val = tlgpu_inject_read(s, d.reg);
        break;
    case TLGPU_BLK_AS:
        val = tlgpu_as_read(s, d.index, d.reg);
        break;
    case TLGPU_BLK_TL:
        val = tlgpu_timeline_read(&s->tl[d.index], d.reg);
        break;
    case TLGPU_BLK_NONE:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: nothing at 0x%" HWADDR_PRIx "\n",
                      __func__, addr);
        break;
    }
    trace_tlgpu_mmio_read(addr, val);
    return val;
}

static void tlgpu_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    TLGPUState *s = opaque;
    TLGPUDecoded d = tlgpu_decode(s, addr);

    trace_tlgpu_mmio_write(addr, val);
    switch (d.block) {
    case TLGPU_BLK_GLOBAL:
        tlgpu_global_write(s, addr, val);
        break;
    case TLGPU_BLK_INJECT:
        tlgpu_inject_write(s, d.reg, val);
        break;
    case TLGPU_BLK_AS:
        tlgpu_as_write(s, d.index, d.reg, val);
        break;
    case TLGPU_BLK_TL:
        tlgpu_timeline_write(&s->tl[d.index], d.reg, val);
        break;
    case TLGPU_BLK_NONE:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: nothing at 0x%" HWADDR_PRIx "\n",
                      __func__, addr);
        break;
    }
}

static const MemoryRegionOps tlgpu_mmio_ops = {
    .read = tlgpu_mmio_read,
    .write = tlgpu_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

static void tlgpu_write_config(PCIDevice *pdev, uint32_t addr, uint32_t val,
                               int len)
{
    pci_default_write_config(pdev, addr, val, len);
    if (pci_is_express(pdev)) {
        /* Initiate FLR: resets the function through dc->reset. */
        pcie_cap_flr_write_config(pdev, addr, val, len);
    }
}

static void tlgpu_realize(PCIDevice *pdev, Error **errp)
{
    TLGPUState *s = TLGPU(pdev);
    unsigned i;

    if (s->num_timelines < 1 || s->num_timelines > TLGPU_MAX_TIMELINES) {
        error_setg(errp, "tlgpu: timelines must be 1..%u, not %u",
                   TLGPU_MAX_TIMELINES, s->num_timelines);
        return;
    }

    /* MSI-X only: no INTx pin (Interrupt Pin stays 0). */
    memory_region_init_io(&s->mmio, OBJECT(s), &tlgpu_mmio_ops, s,
                          "tlgpu-mmio", TLGPU_BAR0_SIZE);
    pci_register_bar(pdev, TLGPU_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->mmio);

    if (pci_bus_is_express(pci_get_bus(pdev))) {
        if (pcie_endpoint_cap_init(pdev, 0x80) < 0) {
            error_setg(errp, "tlgpu: cannot add the PCIe capability");
            return;
        }
        pcie_cap_flr_init(pdev);
    } else {
        pdev->cap_present &= ~QEMU_PCI_CAP_EXPRESS;
    }

    if (msix_init_exclusive_bar(pdev, TLGPU_MSIX_VECTORS(s), TLGPU_BAR_MSIX,
                                errp)) {
        if (pci_is_express(pdev)) {
            pcie_cap_exit(pdev);
        }
        return;
    }
    for (i = 0; i < TLGPU_MSIX_VECTORS(s); i++) {
        msix_vector_use(pdev, i);
    }

    s->irq_bh = qemu_bh_new(tlgpu_irq_bh, s);
    s->completed = g_new0(uint64_t, s->num_timelines);
    s->tl = g_new0(TLGPUTimeline, s->num_timelines);
    tlgpu_inject_reseed(s);
    for (i = 0; i < s->num_timelines; i++) {
        tlgpu_timeline_init(s, i);
    }
}

static void tlgpu_unrealize(PCIDevice *pdev)
{
    TLGPUState *s = TLGPU(pdev);
    unsigned i;

    for (i = 0; i < s->num_timelines; i++) {
        tlgpu_timeline_fini(&s->tl[i]);
    }
    qemu_bh_delete(s->irq_bh);
    g_free(s->tl);
    g_free(s->completed);
    msix_unuse_all_vectors(pdev);
    msix_uninit_exclusive_bar(pdev);
    if (pci_is_express(pdev)) {
        pcie_cap_exit(pdev);
    }
}

static void tlgpu_instance_init(Object *obj)
{
    TLGPUState *s = TLGPU(obj);

    /* PCIe when plugged into a PCIe bus: realize drops it otherwise. */
    PCI_DEVICE(obj)->cap_present |= QEMU_PCI_CAP_EXPRESS;
    qemu_mutex_init(&s->lock);
    qemu_mutex_init(&s->done_lock);
    qemu_cond_init(&s->done_cond);
    s->inj.fail_timeline = UINT32_MAX;
    s->inj.fail_error = TLGPU_ERR_INJECTED;
}

static void tlgpu_instance_finalize(Object *obj)
{
    TLGPUState *s = TLGPU(obj);

    qemu_cond_destroy(&s->done_cond);
    qemu_mutex_destroy(&s->done_lock);
    qemu_mutex_destroy(&s->lock);
}

static void tlgpu_qdev_reset(DeviceState *dev)
{
    TLGPUState *s = TLGPU(dev);

    if (s->tl) {
        tlgpu_reset_all(s);
    }
    /*
     * msix_reset() clears the table, the PBA and the enable bits, but keeps
     * which vectors are in use (marked once, at realize): nothing to redo.
     */
    msix_reset(PCI_DEVICE(dev));
}

static char *tlgpu_get_state(Object *obj, Error **errp)
{
    TLGPUState *s = TLGPU(obj);
    GString *str = g_string_new(NULL);
    unsigned i;

    g_string_append_printf(str, "resets=%u scratch=0x%x", s->reset_count,
                           s->scratch);
    for (i = 0; s->tl && i < s->num_timelines; i++) {
        g_autofree char *d = tlgpu_timeline_describe(&s->tl[i]);

        g_string_append_printf(str, "; %s", d);
    }
    /* What the driver's devcoredump shows of them: enabled slots. */
    qemu_mutex_lock(&s->lock);
    for (i = 0; i < TLGPU_NUM_AS; i++) {
        if (s->as[i].ctrl & TLGPU_AS_CTRL_ENABLE) {
            g_string_append_printf(str, "; as%u: pt=0x%" PRIx64 " ctrl=0x%x",
                                   i, s->as[i].pt_root, s->as[i].ctrl);
        }
    }
    g_string_append_printf(str, "; injected: failed=%u hung=%u jitter=%u "
                           "irq-dropped=%u irq-duped=%u irq-spurious=%u "
                           "reset-failed=%u",
                           s->inj.cnt_failed, s->inj.cnt_hung,
                           s->inj.cnt_jitter, s->inj.cnt_irq_dropped,
                           s->inj.cnt_irq_duped, s->inj.cnt_irq_spurious,
                           s->inj.cnt_reset_failed);
    qemu_mutex_unlock(&s->lock);
    return g_string_free(str, false);
}

/*
 * Not migratable: timelines execute commands in their own threads and a
 * command (a long COPY, a WAIT, a DELAY) may be half done at any moment.
 * See "Migration" in docs/device-spec.rst.
 */
static const VMStateDescription vmstate_tlgpu = {
    .name = "tlgpu",
    .unmigratable = 1,
};

static TLGPU_PROPS_CONST Property tlgpu_properties[] = {
    DEFINE_PROP_UINT32("timelines", TLGPUState, num_timelines, 4),
    TLGPU_PROP_END
};

static void tlgpu_class_init(ObjectClass *oc, TLGPUClassData data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);

    k->realize = tlgpu_realize;
    k->exit = tlgpu_unrealize;
    k->config_write = tlgpu_write_config;
    k->vendor_id = TLGPU_PCI_VENDOR_ID;
    k->device_id = TLGPU_PCI_DEVICE_ID;
    k->revision = TLGPU_PCI_REVISION;
    k->class_id = TLGPU_PCI_CLASS;
    dc->desc = "tlgpu timeline GPU (synchronization test device)";
    tlgpu_set_reset(dc, tlgpu_qdev_reset);
    dc->vmsd = &vmstate_tlgpu;
    device_class_set_props(dc, tlgpu_properties);
    set_bit(DEVICE_CATEGORY_DISPLAY, dc->categories);

    object_class_property_add_str(oc, "state", tlgpu_get_state, NULL);
    object_class_property_set_description(oc, "state",
        "timelines' registers and counters, read-only");
    tlgpu_inject_class_init(oc);
}

static const TypeInfo tlgpu_info = {
    .name = TYPE_TLGPU,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(TLGPUState),
    .instance_init = tlgpu_instance_init,
    .instance_finalize = tlgpu_instance_finalize,
    .class_init = tlgpu_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void tlgpu_register_types(void)
{
    type_register_static(&tlgpu_info);
}

type_init(tlgpu_register_types)
