/*
 * tlgpu: what differs between the QEMU releases the device grafts into
 * (Debian's 7.2, 10.0 and 10.2), in one place.
 *
 * Header moves are detected with __has_include, so a tree that moved a
 * header early (or a distribution backport) needs no version check;
 * signature changes, which compile either way into different meanings,
 * go by QEMU_VERSION_MAJOR/MINOR (config-host.h, through qemu/osdep.h).
 *
 *   what                          7.2            10.0           10.2
 *   memory API header             exec/memory.h  exec/memory.h  system/memory.h
 *   address-spaces.h              exec/          exec/          system/
 *   struct PCIDevice              hw/pci/pci.h   pci_device.h   pci_device.h
 *   qdict (qtest)                 qapi/qmp/      qobject/       qobject/
 *   Property arrays               END_OF_LIST    const, sized   const, sized
 *   device reset                  dc->reset      legacy_reset() legacy_reset()
 *   class_init data               void *         void *         const void *
 *   meson source set              softmmu_ss     system_ss      system_ss
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_TLGPU_COMPAT_H
#define HW_TLGPU_COMPAT_H

#define TLGPU_QEMU_VERSION (QEMU_VERSION_MAJOR * 100 + QEMU_VERSION_MINOR)

#if __has_include("system/memory.h")
#include "system/memory.h"
#else
#include "exec/memory.h"
#endif

#if __has_include("system/address-spaces.h")
#include "system/address-spaces.h"
#else
#include "exec/address-spaces.h"
#endif

#include "hw/pci/pci.h"
#if __has_include("hw/pci/pci_device.h")
#include "hw/pci/pci_device.h"
#endif

/* QEMU 10.1 made class_init's data pointer const. */
#if TLGPU_QEMU_VERSION >= 1001
typedef const void *TLGPUClassData;
#else
typedef void *TLGPUClassData;
#endif

/*
 * Property arrays end with DEFINE_PROP_END_OF_LIST() until 9.2; from 10.0
 * device_class_set_props() takes the array's size and the macro is gone.
 */
#ifdef DEFINE_PROP_END_OF_LIST
#define TLGPU_PROP_END DEFINE_PROP_END_OF_LIST(),
#define TLGPU_PROPS_CONST
#else
#define TLGPU_PROP_END
#define TLGPU_PROPS_CONST const   /* the macro checks the terminator at build time */
#endif

/* DeviceClass::reset became DeviceClass::legacy_reset, set through a helper, in 9.1. */
static inline void tlgpu_set_reset(DeviceClass *dc, void (*fn)(DeviceState *))
{
#if TLGPU_QEMU_VERSION >= 901
    device_class_set_legacy_reset(dc, fn);
#else
    dc->reset = fn;
#endif
}

#endif /* HW_TLGPU_COMPAT_H */
