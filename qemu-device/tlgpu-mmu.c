/*
 * tlgpu - device MMU and DMA.
 *
 * Every access the device makes goes through here: ring and status-page
 * accesses by guest physical address (tlgpu_phys_rw), command operands by
 * GPU virtual address through the page tables of an address space
 * (tlgpu_va_for_each, tlgpu_va_copy).
 *
 * The device only ever touches guest RAM.  A physical range is accepted
 * when the PCI function's bus-master address space translates it to RAM:
 * not MMIO, not a RAM device, not ROM (read-only memory is not RAM to this
 * device, for reads or writes).  Then, inside one RCU critical section:
 *  - reads use the host pointer of that RAM directly;
 *  - writes go through address_space_map()/address_space_unmap(), whose
 *    unmap marks the pages dirty *and* invalidates TCG's translated code in
 *    them, as any DMA through QEMU's memory API does.  A mapping that is
 *    not RAM after all (the memory map changed between the check and the
 *    map: address_space_map() would hand out a bounce buffer) is given
 *    back unwritten and the access fails.
 * So large transfers run at memcpy speed, and a timeline thread never
 * dispatches to another device's MMIO handlers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/rcu.h"
#include "tlgpu.h"
#include "trace.h"

/*
 * A run of guest RAM, valid until tlgpu_ram_end() and inside the RCU
 * critical section it was looked up in.
 */
typedef struct TLGPURam {
    uint8_t *host;
    hwaddr len;
    bool mapped;        /* address_space_map()ped for writing */
} TLGPURam;

/*
 * Whether @pa is RAM mapped read-only through an alias (the chipset's PAM
 * segments of the BIOS area, set read-only): the terminal region is
 * writable RAM, only the mapping says otherwise, and QEMU's own DMA path
 * ignores it.  Caller holds the RCU read lock.
 *
 * Behind no IOMMU the bus-master address space is system memory, enabled
 * by the command register's bus-master bit: the mapping is looked up in
 * system memory, whose flat view always has ranges.  The bus-master view
 * itself can become empty between the caller's translation and this
 * lookup (a reset or a config write on another thread clears the bit),
 * and memory_region_find() on an empty view hands bsearch() a NULL array
 * (UBSan: the device fuzzer, seed 1, found it on QEMU 10.2).
 */
static bool tlgpu_mapped_readonly(PCIDevice *pdev, AddressSpace *as,
                                  uint64_t pa)
{
    MemoryRegion *root = pci_device_iommu_address_space(pdev) ==
                         &address_space_memory ? get_system_memory() : as->root;
    MemoryRegionSection sec = memory_region_find(root, pa, 1);
    bool ro = sec.mr && sec.readonly;

    if (sec.mr) {
        memory_region_unref(sec.mr);
    }
    return ro;
}

/*
 * Translate [pa, pa + len) as far as it stays in one RAM region.  Returns
 * false when pa itself is not guest RAM.  Caller holds the RCU read lock.
 */
static bool tlgpu_ram_lookup(TLGPUState *s, uint64_t pa, uint64_t len,
                             bool is_write, TLGPURam *r)
{
    AddressSpace *as = pci_get_address_space(PCI_DEVICE(s));
    hwaddr plen = len;
    MemoryRegion *mr;

    hwaddr xlat, mlen;
    ram_addr_t offset;
    void *host;

    mr = address_space_translate(as, pa, &xlat, &plen, is_write,
                                 MEMTXATTRS_UNSPECIFIED);
    if (!memory_region_is_ram(mr) || memory_region_is_ram_device(mr) ||
        mr->readonly || memory_region_is_rom(mr) || plen == 0 ||
        tlgpu_mapped_readonly(PCI_DEVICE(s), as, pa)) {
        trace_tlgpu_bad_access(pa, len, is_write);
        return false;
    }
    plen = MIN(plen, len);
    if (!is_write) {
        r->host = (uint8_t *)memory_region_get_ram_ptr(mr) + xlat;
        r->len = plen;
        r->mapped = false;
        return true;
    }
    mlen = plen;
    host = address_space_map(as, pa, &mlen, true, MEMTXATTRS_UNSPECIFIED);
    if (!host) {
        trace_tlgpu_bad_access(pa, len, is_write);
        return false;
    }
    if (!mlen || !memory_region_from_host(host, &offset)) {
        /* A bounce buffer: not RAM any more.  Give it back unwritten. */
        address_space_unmap(as, host, mlen, true, 0);
        trace_tlgpu_bad_access(pa, len, is_write);
        return false;
    }
    r->host = host;
    r->len = mlen;
    r->mapped = true;
    return true;
}

/* Done with @r: a written run is unmapped, all of it marked written. */
static void tlgpu_ram_end(TLGPUState *s, TLGPURam *r)
{
    if (r->mapped) {
        address_space_unmap(pci_get_address_space(PCI_DEVICE(s)), r->host,
                            r->len, true, r->len);
        r->mapped = false;
    }
}

/*
 * Whether [pa, pa + len) is all guest RAM.  @is_write is accepted for the
 * caller's documentation only: read-only memory is refused either way.
 */
bool tlgpu_phys_is_ram(TLGPUState *s, uint64_t pa, uint64_t len,
                       bool is_write)
{
    TLGPURam r;

    RCU_READ_LOCK_GUARD();
    while (len) {
        if (pa + len < pa || !tlgpu_ram_lookup(s, pa, len, false, &r)) {
            return false;
        }
        pa += r.len;
        len -= r.len;
    }
    return true;
}

uint32_t tlgpu_phys_rw(TLGPUState *s, uint64_t pa, void *buf, uint64_t len,
                       bool is_write)
{
    uint8_t *p = buf;
    TLGPURam r;

    RCU_READ_LOCK_GUARD();
    while (len) {
        if (pa + len < pa || !tlgpu_ram_lookup(s, pa, len, is_write, &r)) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: 0x%" PRIx64 " is not RAM\n",
                          __func__, pa);
            return TLGPU_ERR_BAD_ADDRESS;
        }
        if (is_write) {
            memcpy(r.host, p, r.len);
        } else {
            memcpy(p, r.host, r.len);
        }
        tlgpu_ram_end(s, &r);
        pa += r.len;
        p += r.len;
        len -= r.len;
    }
    return TLGPU_ERR_NONE;
}

uint32_t tlgpu_walk_begin(TLGPUState *s, unsigned as, TLGPUWalk *w)
{
    uint32_t ctrl;

    if (as >= TLGPU_NUM_AS) {
        return TLGPU_ERR_BAD_AS;
    }
    qemu_mutex_lock(&s->lock);
    w->root = s->as[as].pt_root;
    ctrl = s->as[as].ctrl;
    qemu_mutex_unlock(&s->lock);
    w->l0_base = 1;
    if (!(ctrl & TLGPU_AS_CTRL_ENABLE)) {
        return TLGPU_ERR_BAD_AS;
    }
    if (w->root & (TLGPU_PAGE_SIZE - 1)) {
        return TLGPU_ERR_BAD_ADDRESS;
    }
    return TLGPU_ERR_NONE;
}

/* Read one table entry; entries must point at page-aligned guest RAM. */
static uint32_t tlgpu_read_pte(TLGPUState *s, uint64_t table, unsigned idx,
                               uint64_t *pte)
{
    uint64_t raw;
    uint32_t err;

    err = tlgpu_phys_rw(s, table + idx * sizeof(uint64_t), &raw, sizeof(raw),
                        false);
    *pte = le64_to_cpu(raw);
    return err;
}

/*
 * Translate one GPU VA.  The leaf table covering the VA is cached in @w
 * (one 4 KiB read per 2 MiB of sequential access); tables are otherwise
 * read at every walk, so the device has no TLB to invalidate.
 */
uint32_t tlgpu_translate(TLGPUState *s, TLGPUWalk *w, uint64_t va,
                         bool is_write, uint64_t *pa)
{
    uint64_t l0_base = va & ~((1ull << 21) - 1);
    uint64_t pte;
    uint32_t err;

    if (va >> TLGPU_VA_BITS) {
        return TLGPU_ERR_PAGE_FAULT;
    }
    if (w->l0_base != l0_base) {
        uint64_t table = w->root;
        unsigned shift;

        /* L2 (root) entry, then L1 entry: each names the next table. */
        for (shift = 30; shift >= 21; shift -= 9) {
            err = tlgpu_read_pte(s, table, (va >> shift) & 511, &pte);
            if (err) {
                return err;
            }
            if (!(pte & TLGPU_PTE_VALID)) {
                return TLGPU_ERR_PAGE_FAULT;
            }
            table = pte & TLGPU_PTE_ADDR_MASK;
        }
        err = tlgpu_phys_rw(s, table, w->l0,
                            sizeof(w->l0), false);
        if (err) {
            return err;
        }
        w->l0_base = l0_base;
    }
    pte = le64_to_cpu(w->l0[(va >> TLGPU_PAGE_SHIFT) & 511]);
    if (!(pte & TLGPU_PTE_VALID)) {
        return TLGPU_ERR_PAGE_FAULT;
    }
    if (is_write && !(pte & TLGPU_PTE_WRITE)) {
        return TLGPU_ERR_PERMISSION;
    }
    *pa = (pte & TLGPU_PTE_ADDR_MASK) | (va & (TLGPU_PAGE_SIZE - 1));
    return TLGPU_ERR_NONE;
}

/*
 * The largest run starting at @va, at most @len, that is contiguous both
 * in VA and in guest physical memory.  Coalesces physically contiguous
 * pages so big buffers move in big chunks.
 */
static uint32_t tlgpu_va_run(TLGPUState *s, TLGPUWalk *w, uint64_t va,
                             uint64_t len, bool is_write, uint64_t *pa,
                             uint64_t *run, uint64_t *fault_va)
{
    uint64_t next_pa, got;
    uint32_t err;

    err = tlgpu_translate(s, w, va, is_write, pa);
    if (err) {
        *fault_va = va;
        return err;
    }
    got = MIN(len, TLGPU_PAGE_SIZE - (va & (TLGPU_PAGE_SIZE - 1)));
    while (got < len && got < (1u << 20)) {
        if (tlgpu_translate(s, w, va + got, is_write, &next_pa) ||
            next_pa != *pa + got) {
            break;
        }
        got += MIN(len - got, TLGPU_PAGE_SIZE);
    }
    *run = got;
    return TLGPU_ERR_NONE;
}

/*
 * A transfer's operands: a size above the device's limit is a bad operand
 * (BAD_COMMAND); a range leaving the 39-bit VA space faults (PAGE_FAULT).
 */
static uint32_t tlgpu_range_check(uint64_t va, uint64_t size,
                                  uint64_t *fault_va)
{
    if (size > TLGPU_MAX_XFER) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: transfer of 0x%" PRIx64
                      " bytes above the limit of 0x%llx\n", __func__, size,
                      TLGPU_MAX_XFER);
        *fault_va = va;
        return TLGPU_ERR_BAD_COMMAND;
    }
    if (va + size < va || (va + size) > (1ull << TLGPU_VA_BITS)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: range 0x%" PRIx64 "+0x%" PRIx64
                      " outside the %u-bit GPU VA space\n", __func__, va,
                      size, TLGPU_VA_BITS);
        *fault_va = va;
        return TLGPU_ERR_PAGE_FAULT;
    }
    return TLGPU_ERR_NONE;
}

static void tlgpu_log_not_ram(const char *fn, uint64_t va, uint64_t pa)
{
    qemu_log_mask(LOG_GUEST_ERROR, "%s: GPU VA 0x%" PRIx64 " maps 0x%" PRIx64
                  ", which is not guest RAM\n", fn, va, pa);
}

uint32_t tlgpu_va_for_each(TLGPUState *s, TLGPUWalk *w, uint64_t va,
                           uint64_t size, bool is_write, TLGPURangeFn *fn,
                           void *opaque, uint64_t *fault_va,
                           const bool *abort_flag)
{
    uint64_t off = 0, pa, run;
    uint32_t err = tlgpu_range_check(va, size, fault_va);
    TLGPURam r;

    while (!err && off < size && !qatomic_read(abort_flag)) {
        err = tlgpu_va_run(s, w, va + off, size - off, is_write, &pa, &run,
                           fault_va);
        if (err) {
            break;
        }
        WITH_RCU_READ_LOCK_GUARD() {
            while (run) {
                if (!tlgpu_ram_lookup(s, pa, run, is_write, &r)) {
                    tlgpu_log_not_ram(__func__, va + off, pa);
                    *fault_va = va + off;
                    err = TLGPU_ERR_BAD_ADDRESS;
                    break;
                }
                fn(r.host, off, r.len, opaque);
                tlgpu_ram_end(s, &r);
                pa += r.len;
                off += r.len;
                run -= r.len;
            }
        }
    }
    return err;
}

uint32_t tlgpu_va_copy(TLGPUState *s, TLGPUWalk *w, uint64_t dst,
                       uint64_t src, uint64_t size, uint64_t *fault_va,
                       const bool *abort_flag)
{
    uint64_t off = 0, spa, dpa, srun, drun, n;
    uint32_t err = tlgpu_range_check(src, size, fault_va);
    TLGPURam rs, rd;

    if (!err) {
        err = tlgpu_range_check(dst, size, fault_va);
    }
    if (!err && src < dst + size && dst < src + size) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: overlapping copy 0x%" PRIx64
                      " <- 0x%" PRIx64 " size 0x%" PRIx64 "\n", __func__, dst,
                      src, size);
        *fault_va = dst;
        return TLGPU_ERR_BAD_COMMAND;
    }
    while (!err && off < size && !qatomic_read(abort_flag)) {
        err = tlgpu_va_run(s, w, src + off, size - off, false, &spa, &srun,
                           fault_va);
        if (!err) {
            err = tlgpu_va_run(s, w, dst + off, srun, true, &dpa, &drun,
                               fault_va);
        }
        if (err) {
            break;
        }
        n = MIN(srun, drun);
        WITH_RCU_READ_LOCK_GUARD() {
            while (n) {
                if (!tlgpu_ram_lookup(s, spa, n, false, &rs)) {
                    tlgpu_log_not_ram(__func__, src + off, spa);
                    *fault_va = src + off;
                    err = TLGPU_ERR_BAD_ADDRESS;
                    break;
                }
                if (!tlgpu_ram_lookup(s, dpa, rs.len, true, &rd)) {
                    tlgpu_log_not_ram(__func__, dst + off, dpa);
                    *fault_va = dst + off;
                    err = TLGPU_ERR_BAD_ADDRESS;
                    break;
                }
                /* Different GPU pages may alias one physical page. */
                memmove(rd.host, rs.host, rd.len);
                tlgpu_ram_end(s, &rd);
                spa += rd.len;
                dpa += rd.len;
                off += rd.len;
                n -= rd.len;
            }
        }
    }
    return err;
}
