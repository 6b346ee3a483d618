/*
 * QTest for the tlgpu device: one case per behaviour of
 * docs/device-spec.rst, driving the device as a guest driver would,
 * including as a hostile one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "libqtest.h"
#include "libqos/libqos-pc.h"
#include "libqos/pci.h"
#if __has_include("qobject/qdict.h")
#include "qobject/qdict.h"
#else
#include "qapi/qmp/qdict.h"
#endif
#include "standard-headers/linux/pci_regs.h"
#include "tlgpu/tlgpu_hw.h"

#define TL_DEVFN        QPCI_DEVFN(4, 0)
#define WAIT_MS         10000
#define VA_BASE         0x100000ull

typedef struct T {
    QOSState *qs;
    QTestState *qts;
    QPCIDevice *dev;
    QPCIBar bar;
    /* Per address space: root table, L1 tables, L0 tables (one each). */
    uint64_t root[TLGPU_NUM_AS];
    uint64_t next_va[TLGPU_NUM_AS];
    /* Per timeline: ring, status page, ring tail as we wrote it. */
    uint64_t ring[TLGPU_MAX_TIMELINES];
    uint64_t status[TLGPU_MAX_TIMELINES];
    uint32_t tail[TLGPU_MAX_TIMELINES];
    uint32_t ring_size;
    uint64_t seqno[TLGPU_MAX_TIMELINES];
    uint64_t msi_addr;
} T;

/* ---------------------------------------------------------------- */
/* Machine and register helpers                                      */
/* ---------------------------------------------------------------- */

static T *boot(const char *extra)
{
    T *t = g_new0(T, 1);

    t->qs = qtest_pc_boot("-machine q35 -nodefaults -m 256M -device tlgpu,addr=04.0%s",
                          extra ? extra : "");
    t->qts = t->qs->qts;
    t->dev = qpci_device_find(t->qs->pcibus, TL_DEVFN);
    g_assert(t->dev);
    t->bar = qpci_iomap(t->dev, TLGPU_BAR_REGS, NULL);
    qpci_device_enable(t->dev);
    t->ring_size = 0x1000;
    return t;
}

static void tl_shutdown(T *t)
{
    g_free(t->dev);
    qtest_shutdown(t->qs);
    g_free(t);
}

static uint32_t rd(T *t, uint64_t off)
{
    return qpci_io_readl(t->dev, t->bar, off);
}

static void wr(T *t, uint64_t off, uint32_t val)
{
    qpci_io_writel(t->dev, t->bar, off, val);
}

static uint32_t tlrd(T *t, unsigned tl, unsigned reg)
{
    return rd(t, TLGPU_TL_REG(tl, reg));
}

static void tlwr(T *t, unsigned tl, unsigned reg, uint32_t val)
{
    wr(t, TLGPU_TL_REG(tl, reg), val);
}

static uint64_t completed(T *t, unsigned tl)
{
    return tlrd(t, tl, TLGPU_TL_COMPLETED_LO) |
           (uint64_t)tlrd(t, tl, TLGPU_TL_COMPLETED_HI) << 32;
}

/* Page-aligned, zeroed guest memory. */
static uint64_t galloc(T *t, uint64_t size)
{
    uint64_t pa = guest_alloc(&t->qs->alloc, size + TLGPU_PAGE_SIZE);

    pa = QEMU_ALIGN_UP(pa, TLGPU_PAGE_SIZE);
    qtest_memset(t->qts, pa, 0, size);
    return pa;
}

static bool poll_until(T *t, bool (*cond)(T *, void *), void *opaque)
{
    gint64 end = g_get_monotonic_time() + WAIT_MS * 1000;

    while (g_get_monotonic_time() < end) {
        if (cond(t, opaque)) {
            return true;
        }
        g_usleep(500);
    }
    return cond(t, opaque);
}

/* ---------------------------------------------------------------- */
/* GPU address spaces                                                */
/* ---------------------------------------------------------------- */

static void as_enable(T *t, unsigned as)
{
    if (!t->root[as]) {
        t->root[as] = galloc(t, TLGPU_PAGE_SIZE);
        t->next_va[as] = VA_BASE;
    }
    wr(t, TLGPU_AS_REG(as, TLGPU_AS_PT_LO), t->root[as]);
    wr(t, TLGPU_AS_REG(as, TLGPU_AS_PT_HI), t->root[as] >> 32);
    wr(t, TLGPU_AS_REG(as, TLGPU_AS_CTRL), TLGPU_AS_CTRL_ENABLE);
}

static uint64_t pt_next(T *t, uint64_t table, unsigned idx)
{
    uint64_t pte = qtest_readq(t->qts, table + idx * 8);

    if (!(pte & TLGPU_PTE_VALID)) {
        pte = galloc(t, TLGPU_PAGE_SIZE) | TLGPU_PTE_VALID;
        qtest_writeq(t->qts, table + idx * 8, pte);
    }
    return pte & TLGPU_PTE_ADDR_MASK;
}

/* Map one page: @pte_bits are the leaf's bits, address included. */
static void map_page(T *t, unsigned as, uint64_t va, uint64_t leaf)
{
    uint64_t l1 = pt_next(t, t->root[as], (va >> 30) & 511);
    uint64_t l0 = pt_next(t, l1, (va >> 21) & 511);

    qtest_writeq(t->qts, l0 + ((va >> 12) & 511) * 8, leaf);
}

/*
 * A GPU buffer of @size bytes in @as: each page from its own allocation,
 * in reverse order, so that physically it is anything but contiguous.
 */
static uint64_t gpu_buffer(T *t, unsigned as, uint64_t size, bool writable,
                           uint64_t *pages)
{
    uint64_t va = t->next_va[as], n = DIV_ROUND_UP(size, TLGPU_PAGE_SIZE);
    uint64_t i;

    for (i = 0; i < n; i++) {
        uint64_t pa = galloc(t, TLGPU_PAGE_SIZE);

        if (pages) {
            pages[n - 1 - i] = pa;
        }
        map_page(t, as, va + (n - 1 - i) * TLGPU_PAGE_SIZE,
                 pa | TLGPU_PTE_VALID | (writable ? TLGPU_PTE_WRITE : 0));
    }
    t->next_va[as] += (n + 1) * TLGPU_PAGE_SIZE;    /* plus a guard page */
    return va;
}

/* A large buffer: physically contiguous, mapped page by page. */
static uint64_t gpu_buffer_contig(T *t, unsigned as, uint64_t size,
                                  uint64_t *pa_out)
{
    uint64_t va = t->next_va[as], pa = galloc(t, size), off;

    for (off = 0; off < size; off += TLGPU_PAGE_SIZE) {
        map_page(t, as, va + off, (pa + off) | TLGPU_PTE_VALID |
                 TLGPU_PTE_WRITE);
    }
    t->next_va[as] += size + TLGPU_PAGE_SIZE;
    *pa_out = pa;
    return va;
}

/* ---------------------------------------------------------------- */
/* Timelines and commands                                            */
/* ---------------------------------------------------------------- */

static void tl_setup(T *t, unsigned tl)
{
    t->ring[tl] = galloc(t, t->ring_size);
    t->status[tl] = galloc(t, TLGPU_PAGE_SIZE);
    t->tail[tl] = 0;
    tlwr(t, tl, TLGPU_TL_RING_LO, t->ring[tl]);
    tlwr(t, tl, TLGPU_TL_RING_HI, t->ring[tl] >> 32);
    tlwr(t, tl, TLGPU_TL_RING_SIZE, t->ring_size);
    tlwr(t, tl, TLGPU_TL_STATUS_LO, t->status[tl]);
    tlwr(t, tl, TLGPU_TL_STATUS_HI, t->status[tl] >> 32);
    tlwr(t, tl, TLGPU_TL_CTRL, TLGPU_TL_CTRL_ENABLE);
    g_assert_cmpuint(tlrd(t, tl, TLGPU_TL_STATE), ==, TLGPU_TL_IDLE);
}

/* Write dwords into the ring without ringing the doorbell. */
static void emit(T *t, unsigned tl, const uint32_t *dw, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        qtest_writel(t->qts, t->ring[tl] + t->tail[tl], dw[i]);
        t->tail[tl] = (t->tail[tl] + 4) & (t->ring_size - 1);
    }
}

static void doorbell(T *t, unsigned tl)
{
    tlwr(t, tl, TLGPU_TL_RING_TAIL, t->tail[tl]);
}

#define LO(x) ((uint32_t)(x))
#define HI(x) ((uint32_t)((uint64_t)(x) >> 32))

static void cmd_set_as(T *t, unsigned tl, uint32_t as)
{
    uint32_t c[] = { TLGPU_CMD_HDR(TLGPU_OP_SET_AS, 2, 0), as };

    emit(t, tl, c, 2);
}

static void cmd_fill(T *t, unsigned tl, uint64_t va, uint64_t size,
                     uint32_t pattern)
{
    uint32_t c[] = { TLGPU_CMD_HDR(TLGPU_OP_FILL, 6, 0), pattern,
                     LO(va), HI(va), LO(size), HI(size) };

    emit(t, tl, c, 6);
}

static void cmd_copy(T *t, unsigned tl, uint64_t dst, uint64_t src,
                     uint64_t size)
{
    uint32_t c[] = { TLGPU_CMD_HDR(TLGPU_OP_COPY, 8, 0), 0, LO(dst), HI(dst),
                     LO(src), HI(src), LO(size), HI(size) };

    emit(t, tl, c, 8);
}

static void cmd_checksum(T *t, unsigned tl, uint64_t va, uint64_t size,
                         uint64_t dst)
{
    uint32_t c[] = { TLGPU_CMD_HDR(TLGPU_OP_CHECKSUM, 8, 0), 0, LO(va), HI(va),
                     LO(size), HI(size), LO(dst), HI(dst) };

    emit(t, tl, c, 8);
}

static void cmd_store(T *t, unsigned tl, uint64_t va, uint64_t val)
{
    uint32_t c[] = { TLGPU_CMD_HDR(TLGPU_OP_STORE, 6, 0), 0, LO(va), HI(va),
                     LO(val), HI(val) };

    emit(t, tl, c, 6);
}

static void cmd_wait(T *t, unsigned tl, uint32_t other, uint64_t seqno)
{
    uint32_t c[] = { TLGPU_CMD_HDR(TLGPU_OP_WAIT, 4, 0), other, LO(seqno),
                     HI(seqno) };

    emit(t, tl, c, 4);
}

static void cmd_delay(T *t, unsigned tl, uint32_t us)
{
    uint32_t c[] = { TLGPU_CMD_HDR(TLGPU_OP_DELAY, 2, 0), us };

    emit(t, tl, c, 2);
}

/* End the job: returns its seqno. */
static uint64_t cmd_fence(T *t, unsigned tl, bool irq)
{
    uint64_t seqno = ++t->seqno[tl];
    uint32_t c[] = { TLGPU_CMD_HDR(TLGPU_OP_FENCE, 4,
                                   irq ? TLGPU_FENCE_IRQ : 0), 0,
                     LO(seqno), HI(seqno) };

    emit(t, tl, c, 4);
    return seqno;
}

typedef struct SeqWait {
    unsigned tl;
    uint64_t seqno;
} SeqWait;

static bool seq_reached(T *t, void *opaque)
{
    SeqWait *w = opaque;

    return completed(t, w->tl) >= w->seqno;
}

static void wait_seqno(T *t, unsigned tl, uint64_t seqno)
{
    SeqWait w = { tl, seqno };

    g_assert(poll_until(t, seq_reached, &w));
    /* The status page says the same as the register. */
    g_assert_cmpuint(qtest_readq(t->qts, t->status[tl]), >=, seqno);
}

static uint32_t job_error(T *t, unsigned tl, uint64_t seqno)
{
    return qtest_readl(t->qts, t->status[tl] +
                       offsetof(struct tlgpu_status_page, error) +
                       (seqno % TLGPU_STATUS_SLOTS) * 4);
}

/* One job in @as on @tl: set up by @body, fenced, waited for; its error. */
static uint32_t run_job(T *t, unsigned tl, unsigned as,
                        void (*body)(T *, unsigned, void *), void *opaque)
{
    uint64_t seqno;

    cmd_set_as(t, tl, as);
    body(t, tl, opaque);
    seqno = cmd_fence(t, tl, false);
    doorbell(t, tl);
    wait_seqno(t, tl, seqno);
    return job_error(t, tl, seqno);
}

/* A ready device: AS 0 enabled, timelines 0 and 1 running. */
static T *boot_ready(const char *extra)
{
    T *t = boot(extra);

    as_enable(t, 0);
    tl_setup(t, 0);
    tl_setup(t, 1);
    return t;
}

static uint32_t crc32_ieee(uint32_t crc, const uint8_t *p, size_t len)
{
    crc = ~crc;
    while (len--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
        }
    }
    return ~crc;
}

static bool state_is(T *t, void *opaque)
{
    uint32_t *want = opaque;

    return tlrd(t, want[0], TLGPU_TL_STATE) == want[1];
}

static void wait_state(T *t, unsigned tl, uint32_t state)
{
    uint32_t want[2] = { tl, state };

    g_assert(poll_until(t, state_is, want));
}

static uint64_t qom_get_u64(T *t, const char *prop)
{
    QDict *rsp = qtest_qmp(t->qts, "{ 'execute': 'qom-get', 'arguments': "
                           "{ 'path': '/machine/peripheral-anon/device[0]', "
                           "'property': %s } }", prop);
    uint64_t v;

    g_assert(qdict_haskey(rsp, "return"));
    v = qdict_get_int(rsp, "return");
    qobject_unref(rsp);
    return v;
}

static void qom_set_u64(T *t, const char *prop, uint64_t val)
{
    QDict *rsp = qtest_qmp(t->qts, "{ 'execute': 'qom-set', 'arguments': "
                           "{ 'path': '/machine/peripheral-anon/device[0]', "
                           "'property': %s, 'value': %" PRIu64 " } }",
                           prop, val);

    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

/* ---------------------------------------------------------------- */
/* Registers                                                         */
/* ---------------------------------------------------------------- */

static void test_regs_ident(void)
{
    T *t = boot(NULL);

    g_assert_cmphex(qpci_config_readw(t->dev, PCI_VENDOR_ID), ==,
                    TLGPU_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_DEVICE_ID), ==,
                    TLGPU_PCI_DEVICE_ID);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_CLASS_DEVICE), ==,
                    TLGPU_PCI_CLASS);
    g_assert_cmphex(rd(t, TLGPU_REG_ID), ==, TLGPU_ID_MAGIC);
    g_assert_cmphex(rd(t, TLGPU_REG_VERSION), ==, TLGPU_VERSION);
    g_assert_cmphex(rd(t, TLGPU_REG_CAPS), ==,
                    TLGPU_CAP_TIMELINES | TLGPU_CAP_MMU | TLGPU_CAP_WAIT |
                    TLGPU_CAP_CHECKSUM | TLGPU_CAP_INJECT | TLGPU_CAP_FLR);
    g_assert_cmpuint(rd(t, TLGPU_REG_NUM_TIMELINES), ==, 4);
    g_assert_cmpuint(rd(t, TLGPU_REG_NUM_AS), ==, TLGPU_NUM_AS);
    g_assert_cmpuint(rd(t, TLGPU_REG_NUM_VECTORS), ==, 5);
    /* Read-only registers ignore writes. */
    wr(t, TLGPU_REG_ID, 0);
    wr(t, TLGPU_REG_NUM_TIMELINES, 9);
    g_assert_cmphex(rd(t, TLGPU_REG_ID), ==, TLGPU_ID_MAGIC);
    g_assert_cmpuint(rd(t, TLGPU_REG_NUM_TIMELINES), ==, 4);
    tl_shutdown(t);
}

static void test_regs_timelines_prop(void)
{
    T *t = boot(",timelines=16");
    uint8_t cap;

    g_assert_cmpuint(rd(t, TLGPU_REG_NUM_TIMELINES), ==, 16);
    g_assert_cmpuint(rd(t, TLGPU_REG_NUM_VECTORS), ==, 17);
    cap = qpci_find_capability(t->dev, PCI_CAP_ID_MSIX, 0);
    g_assert_cmpuint(cap, !=, 0);
    g_assert_cmpuint((qpci_config_readw(t->dev, cap + PCI_MSIX_FLAGS) &
                      PCI_MSIX_FLAGS_QSIZE) + 1, ==, 17);
    /* Timeline 15 exists, 16 does not (reads as zero). */
    tlwr(t, 15, TLGPU_TL_RING_SIZE, 0x2000);
    g_assert_cmphex(tlrd(t, 15, TLGPU_TL_RING_SIZE), ==, 0x2000);
    g_assert_cmphex(tlrd(t, 16, TLGPU_TL_RING_SIZE), ==, 0);
    tl_shutdown(t);
}

static void test_regs_bad_timelines_prop(void)
{
    static const char *const bad[] = { "timelines=0", "timelines=65" };

    /* realize refuses it: QEMU reports why and exits 1, no crash. */
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *dev = g_strdup_printf("tlgpu,%s", bad[i]);
        g_autofree char *err = NULL;
        const char *argv[] = {
            "timeout", "20", getenv("QTEST_QEMU_BINARY"), "-machine", "q35",
            "-nodefaults", "-display", "none", "-S", "-device", dev, NULL
        };
        int status;

        g_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
                              G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                              &err, &status, NULL));
        g_assert(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 1);
        g_assert(strstr(err, "tlgpu: timelines must be 1..64"));
    }
}

static void test_regs_scratch(void)
{
    T *t = boot(NULL);

    wr(t, TLGPU_REG_SCRATCH, 0xdeadbeef);
    g_assert_cmphex(rd(t, TLGPU_REG_SCRATCH), ==, 0xdeadbeef);
    wr(t, TLGPU_REG_SCRATCH, 0x12345678);
    g_assert_cmphex(rd(t, TLGPU_REG_SCRATCH), ==, 0x12345678);
    tl_shutdown(t);
}

static void test_regs_reset(void)
{
    T *t = boot_ready(NULL);
    uint32_t count = rd(t, TLGPU_REG_RESET_COUNT);
    uint64_t seq;

    wr(t, TLGPU_REG_SCRATCH, 0x55);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    /* A wrong magic does nothing. */
    wr(t, TLGPU_REG_RESET, 1);
    g_assert_cmphex(rd(t, TLGPU_REG_SCRATCH), ==, 0x55);
    g_assert_cmpuint(rd(t, TLGPU_REG_RESET_COUNT), ==, count);

    wr(t, TLGPU_REG_RESET, TLGPU_RESET_MAGIC);
    g_assert_cmpuint(rd(t, TLGPU_REG_RESET_COUNT), ==, count + 1);
    g_assert_cmphex(rd(t, TLGPU_REG_SCRATCH), ==, 0);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_CTRL), ==, 0);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_STOPPED);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_RING_LO), ==, 0);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DONE), ==, 0);
    g_assert_cmpuint(completed(t, 0), ==, 0);
    g_assert_cmpuint(rd(t, TLGPU_AS_REG(0, TLGPU_AS_CTRL)), ==, 0);
    g_assert_cmpuint(rd(t, TLGPU_AS_REG(0, TLGPU_AS_PT_LO)), ==, 0);

    /* Reusable: set up again and run a job. */
    as_enable(t, 0);
    tl_setup(t, 0);
    t->seqno[0] = 0;
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    tl_shutdown(t);
}

static void test_regs_flr(void)
{
    T *t = boot_ready(NULL);
    uint32_t count = rd(t, TLGPU_REG_RESET_COUNT);
    uint8_t exp = qpci_find_capability(t->dev, PCI_CAP_ID_EXP, 0);
    uint32_t devcap;

    g_assert_cmpuint(exp, !=, 0);
    devcap = qpci_config_readl(t->dev, exp + PCI_EXP_DEVCAP);
    g_assert(devcap & PCI_EXP_DEVCAP_FLR);
    wr(t, TLGPU_REG_SCRATCH, 0x77);
    qpci_config_writew(t->dev, exp + PCI_EXP_DEVCTL,
                       qpci_config_readw(t->dev, exp + PCI_EXP_DEVCTL) |
                       PCI_EXP_DEVCTL_BCR_FLR);
    /* FLR clears the BARs and the command register: map again. */
    t->bar = qpci_iomap(t->dev, TLGPU_BAR_REGS, NULL);
    qpci_device_enable(t->dev);
    g_assert_cmpuint(rd(t, TLGPU_REG_RESET_COUNT), ==, count + 1);
    g_assert_cmphex(rd(t, TLGPU_REG_SCRATCH), ==, 0);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_STOPPED);
    tl_shutdown(t);
}

static void test_regs_unknown(void)
{
    T *t = boot(NULL);

    /* Holes and foreign timelines read as zero and ignore writes. */
    g_assert_cmphex(rd(t, 0x0f0), ==, 0);
    wr(t, 0x0f0, 1);
    g_assert_cmphex(rd(t, 0x300), ==, 0);
    wr(t, 0x300, 1);
    g_assert_cmphex(rd(t, TLGPU_TL_REG(63, TLGPU_TL_STATE)), ==, 0);
    wr(t, TLGPU_TL_REG(63, TLGPU_TL_CTRL), 1);
    g_assert_cmphex(tlrd(t, 0, 0xfc), ==, 0);
    g_assert_cmphex(rd(t, TLGPU_REG_ID), ==, TLGPU_ID_MAGIC);
    tl_shutdown(t);
}

/* ---------------------------------------------------------------- */
/* Timelines and commands                                            */
/* ---------------------------------------------------------------- */

static void test_tl_fence(void)
{
    T *t = boot_ready(NULL);
    uint64_t s1, s2;
    uint32_t nop[] = { TLGPU_CMD_HDR(TLGPU_OP_NOP, 4, 0), 0xaa, 0xbb, 0xcc };

    emit(t, 0, nop, 4);
    s1 = cmd_fence(t, 0, false);
    s2 = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, s2);
    g_assert_cmpuint(completed(t, 0), ==, s2);
    g_assert_cmpuint(job_error(t, 0, s1), ==, 0);
    g_assert_cmpuint(job_error(t, 0, s2), ==, 0);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DONE), ==, 2);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_RING_HEAD), ==, t->tail[0]);
    wait_state(t, 0, TLGPU_TL_IDLE);
    /* Timeline 1 saw nothing. */
    g_assert_cmpuint(completed(t, 1), ==, 0);
    tl_shutdown(t);
}

typedef struct Buf {
    uint64_t va, size, pages[64];
    uint32_t pattern;
    uint64_t va2;
} Buf;

static void body_fill(T *t, unsigned tl, void *opaque)
{
    Buf *b = opaque;

    cmd_fill(t, tl, b->va + 4, b->size - 8, b->pattern);
}

static void test_cmd_fill(void)
{
    T *t = boot_ready(NULL);
    Buf b = { .size = 3 * TLGPU_PAGE_SIZE, .pattern = 0xa1b2c3d4 };
    uint64_t i;

    b.va = gpu_buffer(t, 0, b.size, true, b.pages);
    g_assert_cmpuint(run_job(t, 0, 0, body_fill, &b), ==, 0);
    for (i = 0; i < b.size; i += 4) {
        uint64_t pa = b.pages[i / TLGPU_PAGE_SIZE] + i % TLGPU_PAGE_SIZE;
        uint32_t want = (i == 0 || i == b.size - 4) ? 0 : b.pattern;

        g_assert_cmphex(qtest_readl(t->qts, pa), ==, want);
    }
    tl_shutdown(t);
}

static void body_copy(T *t, unsigned tl, void *opaque)
{
    Buf *b = opaque;

    cmd_copy(t, tl, b->va2 + 3, b->va + 1, b->size - 5);
}

static void test_cmd_copy(void)
{
    T *t = boot_ready(NULL);
    Buf src = { .size = 4 * TLGPU_PAGE_SIZE }, dst = { .size = src.size };
    uint8_t *data = g_malloc(src.size), *out = g_malloc(src.size);
    uint64_t i;

    src.va = gpu_buffer(t, 0, src.size, false, src.pages);
    src.va2 = gpu_buffer(t, 0, dst.size, true, dst.pages);
    for (i = 0; i < src.size; i++) {
        data[i] = i * 7 + 3;
    }
    for (i = 0; i < src.size / TLGPU_PAGE_SIZE; i++) {
        qtest_memwrite(t->qts, src.pages[i], data + i * TLGPU_PAGE_SIZE,
                       TLGPU_PAGE_SIZE);
    }
    g_assert_cmpuint(run_job(t, 0, 0, body_copy, &src), ==, 0);
    for (i = 0; i < dst.size / TLGPU_PAGE_SIZE; i++) {
        qtest_memread(t->qts, dst.pages[i], out + i * TLGPU_PAGE_SIZE,
                      TLGPU_PAGE_SIZE);
    }
    g_assert_cmpuint(out[0], ==, 0);
    g_assert_cmpuint(out[2], ==, 0);
    g_assert(memcmp(out + 3, data + 1, src.size - 5) == 0);
    g_assert_cmpuint(out[src.size - 1], ==, 0);
    g_free(data);
    g_free(out);
    tl_shutdown(t);
}

static void body_checksum(T *t, unsigned tl, void *opaque)
{
    Buf *b = opaque;

    cmd_checksum(t, tl, b->va + 5, b->size - 9, b->va2);
}

static void test_cmd_checksum(void)
{
    T *t = boot_ready(NULL);
    Buf b = { .size = 3 * TLGPU_PAGE_SIZE };
    uint8_t *data = g_malloc(b.size);
    uint64_t res_pa, i;

    b.va = gpu_buffer(t, 0, b.size, false, b.pages);
    b.va2 = gpu_buffer(t, 0, 8, true, &res_pa);
    for (i = 0; i < b.size; i++) {
        data[i] = g_test_rand_int();
    }
    for (i = 0; i < 3; i++) {
        qtest_memwrite(t->qts, b.pages[i], data + i * TLGPU_PAGE_SIZE,
                       TLGPU_PAGE_SIZE);
    }
    g_assert_cmpuint(run_job(t, 0, 0, body_checksum, &b), ==, 0);
    g_assert_cmphex(qtest_readl(t->qts, res_pa), ==,
                    crc32_ieee(0, data + 5, b.size - 9));
    g_free(data);
    tl_shutdown(t);
}

static void body_store(T *t, unsigned tl, void *opaque)
{
    Buf *b = opaque;

    cmd_store(t, tl, b->va + 8, 0x0123456789abcdefull);
}

static void test_cmd_store(void)
{
    T *t = boot_ready(NULL);
    Buf b = { .size = 16 };

    b.va = gpu_buffer(t, 0, b.size, true, b.pages);
    g_assert_cmpuint(run_job(t, 0, 0, body_store, &b), ==, 0);
    g_assert_cmphex(qtest_readq(t->qts, b.pages[0] + 8), ==,
                    0x0123456789abcdefull);
    g_assert_cmphex(qtest_readq(t->qts, b.pages[0]), ==, 0);
    tl_shutdown(t);
}

static void test_cmd_delay(void)
{
    T *t = boot_ready(NULL);
    uint64_t seq;
    gint64 start = g_get_monotonic_time();

    cmd_delay(t, 0, 300000);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    /* Not done at once: the timeline sits in the DELAY (once it got there). */
    wait_state(t, 0, TLGPU_TL_WAITING);
    g_assert_cmpuint(completed(t, 0), <, seq);
    wait_seqno(t, 0, seq);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 300000);
    tl_shutdown(t);
}

static void test_cmd_bad_delay(void)
{
    T *t = boot_ready(NULL);
    uint64_t seq;

    cmd_delay(t, 0, TLGPU_MAX_DELAY_US + 1);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_assert_cmpuint(job_error(t, 0, seq), ==, TLGPU_ERR_BAD_COMMAND);
    tl_shutdown(t);
}

/* Jobs complete in order: each stores its index, the last one wins. */
static void test_order_in_timeline(void)
{
    T *t = boot_ready(",inject-jitter-us=2000,inject-jitter-seed=7");
    uint64_t pa, va = gpu_buffer(t, 0, 8, true, &pa), seq = 0, last = 0;
    unsigned i;

    for (i = 1; i <= 40; i++) {
        cmd_set_as(t, 0, 0);
        cmd_store(t, 0, va, i);
        seq = cmd_fence(t, 0, false);
    }
    doorbell(t, 0);
    /* Completed seqnos only ever grow, and match the data. */
    while (last < seq) {
        uint64_t c = completed(t, 0);

        g_assert_cmpuint(c, >=, last);
        last = c;
        g_usleep(200);
    }
    g_assert_cmpuint(qtest_readq(t->qts, pa), ==, 40);
    g_assert_cmpuint(qom_get_u64(t, "injected-jitter"), ==, 40);
    tl_shutdown(t);
}

/* A DELAY on one timeline does not hold another. */
static void test_concurrency(void)
{
    T *t = boot_ready(NULL);
    uint64_t slow, fast;

    cmd_delay(t, 0, 3000000);
    slow = cmd_fence(t, 0, false);
    doorbell(t, 0);
    fast = cmd_fence(t, 1, false);
    doorbell(t, 1);
    wait_seqno(t, 1, fast);
    g_assert_cmpuint(completed(t, 0), <, slow);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_WAITING);
    tlwr(t, 0, TLGPU_TL_RESET, 1);
    tl_shutdown(t);
}

/* WAIT: timeline 1 runs its job only once timeline 0 reached a seqno. */
static void test_cmd_wait(void)
{
    T *t = boot_ready(NULL);
    uint64_t pa, va = gpu_buffer(t, 0, 8, true, &pa), s0, s1;

    cmd_wait(t, 1, 0, 1);
    cmd_set_as(t, 1, 0);
    cmd_store(t, 1, va, 0x1111);
    s1 = cmd_fence(t, 1, false);
    doorbell(t, 1);
    wait_state(t, 1, TLGPU_TL_WAITING);
    g_assert_cmpuint(completed(t, 1), <, s1);
    g_assert_cmphex(qtest_readq(t->qts, pa), ==, 0);

    cmd_delay(t, 0, 100000);
    s0 = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 1, s1);
    g_assert_cmpuint(completed(t, 0), >=, s0);
    g_assert_cmphex(qtest_readq(t->qts, pa), ==, 0x1111);
    g_assert_cmpuint(job_error(t, 1, s1), ==, 0);
    tl_shutdown(t);
}

static void test_cmd_bad_wait(void)
{
    T *t = boot_ready(NULL);
    uint64_t s1, s2;

    cmd_wait(t, 0, 0, 1);       /* itself */
    s1 = cmd_fence(t, 0, false);
    cmd_wait(t, 0, 4, 1);       /* no such timeline */
    s2 = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, s2);
    g_assert_cmpuint(job_error(t, 0, s1), ==, TLGPU_ERR_BAD_COMMAND);
    g_assert_cmpuint(job_error(t, 0, s2), ==, TLGPU_ERR_BAD_COMMAND);
    tl_shutdown(t);
}

static void test_cmd_bad_opcode(void)
{
    T *t = boot_ready(NULL);
    uint64_t pa, va = gpu_buffer(t, 0, 8, true, &pa), s1, s2;
    uint32_t bad[] = { TLGPU_CMD_HDR(0x7f, 2, 0), 0 };

    cmd_set_as(t, 0, 0);
    emit(t, 0, bad, 2);
    cmd_store(t, 0, va, 1);     /* skipped: the job already failed */
    s1 = cmd_fence(t, 0, false);
    cmd_set_as(t, 0, 0);
    cmd_store(t, 0, va + 0, 2);
    s2 = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, s2);
    g_assert_cmpuint(job_error(t, 0, s1), ==, TLGPU_ERR_BAD_COMMAND);
    g_assert_cmpuint(job_error(t, 0, s2), ==, 0);
    g_assert_cmphex(qtest_readq(t->qts, pa), ==, 2);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_ERROR), ==, TLGPU_ERR_BAD_COMMAND);
    tl_shutdown(t);
}

static void test_cmd_bad_operands(void)
{
    T *t = boot_ready(NULL);
    uint64_t pa, va = gpu_buffer(t, 0, 64, true, &pa), s[6];

    cmd_set_as(t, 0, 0);
    cmd_fill(t, 0, va + 1, 8, 0);               /* unaligned fill */
    s[0] = cmd_fence(t, 0, false);
    cmd_set_as(t, 0, 0);
    cmd_store(t, 0, va + 4, 0);                 /* unaligned store */
    s[1] = cmd_fence(t, 0, false);
    cmd_set_as(t, 0, 0);
    cmd_copy(t, 0, va + 8, va, 16);             /* overlapping copy */
    s[2] = cmd_fence(t, 0, false);
    cmd_set_as(t, 0, 0);
    /* Above the transfer limit: a bad operand, not a page fault. */
    cmd_fill(t, 0, va, TLGPU_MAX_XFER + 4, 0);
    s[3] = cmd_fence(t, 0, false);
    cmd_set_as(t, 0, 0);
    cmd_copy(t, 0, va, va + (2ull << 30), TLGPU_MAX_XFER + 1);
    s[4] = cmd_fence(t, 0, false);
    cmd_set_as(t, 0, 0);
    cmd_fill(t, 0, (1ull << TLGPU_VA_BITS) - 4, 8, 1);  /* leaves the VA space */
    s[5] = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, s[5]);
    for (unsigned i = 0; i < 5; i++) {
        g_assert_cmpuint(job_error(t, 0, s[i]), ==, TLGPU_ERR_BAD_COMMAND);
    }
    g_assert_cmpuint(job_error(t, 0, s[5]), ==, TLGPU_ERR_PAGE_FAULT);
    tl_shutdown(t);
}

/* ---------------------------------------------------------------- */
/* MMU                                                               */
/* ---------------------------------------------------------------- */

static void test_mmu_unmapped(void)
{
    T *t = boot_ready(NULL);
    uint64_t pa, va = gpu_buffer(t, 0, 8, true, &pa), s1, s2;
    uint64_t hole = va + TLGPU_PAGE_SIZE;      /* the guard page */

    cmd_set_as(t, 0, 0);
    cmd_fill(t, 0, va, 2 * TLGPU_PAGE_SIZE, 0x01010101);
    s1 = cmd_fence(t, 0, false);
    cmd_set_as(t, 0, 0);
    cmd_store(t, 0, va, 0x42);
    s2 = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, s2);
    g_assert_cmpuint(job_error(t, 0, s1), ==, TLGPU_ERR_PAGE_FAULT);
    g_assert_cmphex(tlrd(t, 0, TLGPU_TL_FAULT_LO), ==, LO(hole));
    g_assert_cmpuint(job_error(t, 0, s2), ==, 0);
    g_assert_cmphex(qtest_readq(t->qts, pa), ==, 0x42);
    tl_shutdown(t);
}

static void test_mmu_readonly(void)
{
    T *t = boot_ready(NULL);
    uint64_t pa, va = gpu_buffer(t, 0, 8, false, &pa), seq;

    qtest_writeq(t->qts, pa, 0x99);
    cmd_set_as(t, 0, 0);
    cmd_store(t, 0, va, 0x42);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_assert_cmpuint(job_error(t, 0, seq), ==, TLGPU_ERR_PERMISSION);
    g_assert_cmphex(qtest_readq(t->qts, pa), ==, 0x99);
    tl_shutdown(t);
}

/* Page-table entries pointing at MMIO or beyond RAM: refused. */
static void test_mmu_outside_ram(void)
{
    T *t = boot_ready(NULL);
    static const uint64_t bad_pa[] = {
        0xfee00000ull,          /* the local APIC's MSI window */
        0xfed00000ull,          /* HPET */
        0x4000000000ull,        /* far beyond the 256 MiB of RAM */
    };
    uint64_t va = t->next_va[0], seq;
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(bad_pa); i++) {
        map_page(t, 0, va, bad_pa[i] | TLGPU_PTE_VALID | TLGPU_PTE_WRITE);
        cmd_set_as(t, 0, 0);
        cmd_fill(t, 0, va, 64, 0xffffffff);
        seq = cmd_fence(t, 0, false);
        doorbell(t, 0);
        wait_seqno(t, 0, seq);
        g_assert_cmpuint(job_error(t, 0, seq), ==, TLGPU_ERR_BAD_ADDRESS);
    }
    /* An intermediate table outside RAM too. */
    qtest_writeq(t->qts, t->root[0] + 8 * 5,
                 0xfee00000ull | TLGPU_PTE_VALID);
    cmd_set_as(t, 0, 0);
    cmd_store(t, 0, 5ull << 30, 1);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_assert_cmpuint(job_error(t, 0, seq), ==, TLGPU_ERR_BAD_ADDRESS);
    g_assert_cmphex(rd(t, TLGPU_REG_ID), ==, TLGPU_ID_MAGIC);
    tl_shutdown(t);
}

static void test_mmu_bad_as(void)
{
    T *t = boot_ready(NULL);
    uint64_t pa, va = gpu_buffer(t, 0, 8, true, &pa), s[4];

    cmd_store(t, 0, va, 1);                 /* no SET_AS at all */
    s[0] = cmd_fence(t, 0, false);
    cmd_set_as(t, 0, 3);                    /* disabled */
    cmd_store(t, 0, va, 1);
    s[1] = cmd_fence(t, 0, false);
    cmd_set_as(t, 0, 99);                   /* no such AS */
    cmd_store(t, 0, va, 1);
    s[2] = cmd_fence(t, 0, false);
    cmd_set_as(t, 0, 0);                    /* the AS ends with the job */
    s[3] = cmd_fence(t, 0, false);
    cmd_store(t, 0, va, 1);
    s[3] = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, s[3]);
    for (unsigned i = 0; i < 4; i++) {
        g_assert_cmpuint(job_error(t, 0, s[i]), ==, TLGPU_ERR_BAD_AS);
    }
    g_assert_cmphex(qtest_readq(t->qts, pa), ==, 0);
    tl_shutdown(t);
}

/* The same VA in two address spaces reaches different memory. */
static void test_mmu_isolation(void)
{
    T *t = boot_ready(NULL);
    uint64_t pa0, pa1, va0, va1, seq;

    as_enable(t, 1);
    va0 = gpu_buffer(t, 0, 8, true, &pa0);
    va1 = gpu_buffer(t, 1, 8, true, &pa1);
    g_assert_cmphex(va0, ==, va1);
    cmd_set_as(t, 0, 1);
    cmd_store(t, 0, va1, 0xb1);
    seq = cmd_fence(t, 0, false);
    cmd_set_as(t, 0, 0);
    cmd_store(t, 0, va0, 0xa0);
    seq = cmd_fence(t, 0, false);
    /* A VA mapped only in AS 0 faults in AS 1. */
    gpu_buffer(t, 0, 8, true, NULL);
    cmd_set_as(t, 0, 1);
    cmd_store(t, 0, t->next_va[0] - 2 * TLGPU_PAGE_SIZE, 1);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_assert_cmphex(qtest_readq(t->qts, pa0), ==, 0xa0);
    g_assert_cmphex(qtest_readq(t->qts, pa1), ==, 0xb1);
    g_assert_cmpuint(job_error(t, 0, seq), ==, TLGPU_ERR_PAGE_FAULT);
    tl_shutdown(t);
}

static void test_mmu_va_range(void)
{
    T *t = boot_ready(NULL);
    uint64_t s1, s2;

    cmd_set_as(t, 0, 0);
    cmd_store(t, 0, 1ull << TLGPU_VA_BITS, 1);
    s1 = cmd_fence(t, 0, false);
    cmd_set_as(t, 0, 0);
    cmd_fill(t, 0, ~0ull - 7, 16, 0);          /* wraps around */
    s2 = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, s2);
    g_assert_cmpuint(job_error(t, 0, s1), ==, TLGPU_ERR_PAGE_FAULT);
    g_assert_cmpuint(job_error(t, 0, s2), ==, TLGPU_ERR_PAGE_FAULT);
    tl_shutdown(t);
}

/* 64 MiB, fill then copy then checksum on the device. */
static void test_cmd_copy_large(void)
{
    T *t = boot(NULL);
    const uint64_t size = 64 << 20;
    uint64_t spa, dpa, rpa, src, dst, res, seq;
    uint8_t page[TLGPU_PAGE_SIZE];
    uint32_t crc = 0;
    uint64_t i;

    as_enable(t, 0);
    tl_setup(t, 0);
    src = gpu_buffer_contig(t, 0, size, &spa);
    dst = gpu_buffer_contig(t, 0, size, &dpa);
    res = gpu_buffer(t, 0, 8, true, &rpa);
    cmd_set_as(t, 0, 0);
    cmd_fill(t, 0, src, size, 0x5a6b7c8d);
    cmd_copy(t, 0, dst, src, size);
    cmd_checksum(t, 0, dst, size, res);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_assert_cmpuint(job_error(t, 0, seq), ==, 0);
    for (i = 0; i < sizeof(page); i += 4) {
        stl_le_p(page + i, 0x5a6b7c8d);
    }
    for (i = 0; i < size; i += sizeof(page)) {
        crc = crc32_ieee(crc, page, sizeof(page));
    }
    g_assert_cmphex(qtest_readl(t->qts, rpa), ==, crc);
    g_assert_cmphex(qtest_readl(t->qts, dpa + size - 4), ==, 0x5a6b7c8d);
    tl_shutdown(t);
}

/* ---------------------------------------------------------------- */
/* Rings: hostile input                                              */
/* ---------------------------------------------------------------- */

static void test_ring_bad_setup(void)
{
    T *t = boot(NULL);
    uint64_t ring = galloc(t, 0x2000), status = galloc(t, TLGPU_PAGE_SIZE);
    struct {
        uint64_t ring;
        uint32_t size;
        uint64_t status;
    } bad[] = {
        { ring + 8, 0x1000, status },           /* unaligned ring */
        { ring, 0x1800, status },               /* not a power of two */
        { ring, 0x800, status },                /* too small */
        { ring, 0x200000, status },             /* too large */
        { 0xfed00000, 0x1000, status },         /* ring in MMIO */
        { 0x4000000000ull, 0x1000, status },    /* ring beyond RAM */
        { ring, 0x1000, 0xfee00000 },           /* status page in MMIO */
        { ring, 0x1000, status + 4 },           /* unaligned status */
    };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        tlwr(t, 0, TLGPU_TL_RING_LO, bad[i].ring);
        tlwr(t, 0, TLGPU_TL_RING_HI, bad[i].ring >> 32);
        tlwr(t, 0, TLGPU_TL_RING_SIZE, bad[i].size);
        tlwr(t, 0, TLGPU_TL_STATUS_LO, bad[i].status);
        tlwr(t, 0, TLGPU_TL_STATUS_HI, bad[i].status >> 32);
        tlwr(t, 0, TLGPU_TL_CTRL, TLGPU_TL_CTRL_ENABLE);
        g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_HALTED);
        g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_ERROR), ==, TLGPU_ERR_BAD_RING);
        /* Setup registers are locked while enabled. */
        tlwr(t, 0, TLGPU_TL_RING_SIZE, 0x4000);
        g_assert_cmphex(tlrd(t, 0, TLGPU_TL_RING_SIZE), ==, bad[i].size);
        tlwr(t, 0, TLGPU_TL_CTRL, 0);
        g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_STOPPED);
    }
    tl_shutdown(t);
}

static void test_ring_bad_header(void)
{
    T *t = boot_ready(NULL);
    uint32_t zero_len[] = { TLGPU_CMD_HDR(TLGPU_OP_NOP, 0, 0), 0 };
    uint64_t seq;

    emit(t, 0, zero_len, 2);
    cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_state(t, 0, TLGPU_TL_HALTED);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_ERROR), ==, TLGPU_ERR_BAD_COMMAND);
    g_assert_cmpuint(completed(t, 0), ==, 0);
    /* The timeline reset drops the queue and reports the dropped job. */
    tlwr(t, 0, TLGPU_TL_RESET, 1);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_IDLE);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_RING_HEAD), ==, t->tail[0]);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_assert_cmpuint(job_error(t, 0, seq), ==, 0);
    tl_shutdown(t);
}

static void test_ring_truncated(void)
{
    T *t = boot_ready(NULL);
    uint32_t half[] = { TLGPU_CMD_HDR(TLGPU_OP_FILL, 6, 0), 0 };

    /* The doorbell covers two of the six dwords of a FILL. */
    emit(t, 0, half, 2);
    doorbell(t, 0);
    wait_state(t, 0, TLGPU_TL_HALTED);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_ERROR), ==, TLGPU_ERR_BAD_COMMAND);
    tl_shutdown(t);
}

static void test_ring_bad_tail(void)
{
    T *t = boot_ready(NULL);

    tlwr(t, 0, TLGPU_TL_RING_TAIL, 6);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_HALTED);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_ERROR), ==, TLGPU_ERR_BAD_RING);
    tlwr(t, 1, TLGPU_TL_RING_TAIL, t->ring_size);
    g_assert_cmpuint(tlrd(t, 1, TLGPU_TL_STATE), ==, TLGPU_TL_HALTED);
    /* Doorbell on a stopped timeline: ignored. */
    tlwr(t, 2, TLGPU_TL_RING_TAIL, 8);
    g_assert_cmpuint(tlrd(t, 2, TLGPU_TL_STATE), ==, TLGPU_TL_STOPPED);
    g_assert_cmpuint(tlrd(t, 2, TLGPU_TL_RING_TAIL), ==, 0);
    tl_shutdown(t);
}

static void test_ring_wrap(void)
{
    T *t = boot_ready(NULL);
    uint64_t pa, va = gpu_buffer(t, 0, 8, true, &pa), seq = 0;
    unsigned i;

    /* 40-byte jobs through a 4 KiB ring: wraps mid-command many times. */
    for (i = 1; i <= 300; i++) {
        cmd_set_as(t, 0, 0);
        cmd_store(t, 0, va, i);
        seq = cmd_fence(t, 0, false);
        doorbell(t, 0);
        if (i % 50 == 0) {
            wait_seqno(t, 0, seq);
        }
    }
    wait_seqno(t, 0, seq);
    g_assert_cmphex(qtest_readq(t->qts, pa), ==, 300);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DONE), ==, 300);
    tl_shutdown(t);
}

static bool seq_is(T *t, void *opaque)
{
    return completed(t, 0) == *(uint64_t *)opaque;
}

static void test_ring_garbage(void)
{
    T *t = boot_ready(NULL);
    uint64_t seq;
    unsigned round, i;

    for (round = 0; round < 20; round++) {
        for (i = 0; i < t->ring_size / 4 - 2; i++) {
            uint32_t dw = g_test_rand_int();

            emit(t, 0, &dw, 1);
        }
        doorbell(t, 0);
        g_usleep(2000);
        tlwr(t, 0, TLGPU_TL_RESET, 1);
        g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_IDLE);
    }
    /* Garbage may have completed any seqno: look for an exact one. */
    t->seqno[0] = 0x7e57000000ull;
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    g_assert(poll_until(t, seq_is, &seq));
    g_assert_cmphex(rd(t, TLGPU_REG_ID), ==, TLGPU_ID_MAGIC);
    tl_shutdown(t);
}

static void test_ring_doorbell_storm(void)
{
    T *t = boot_ready(NULL);
    uint64_t seq = 0;
    unsigned i;

    for (i = 0; i < 2000; i++) {
        if (i % 4 == 0) {
            seq = cmd_fence(t, 0, true);
        }
        doorbell(t, 0);
        tlwr(t, 0, TLGPU_TL_RING_TAIL, t->tail[0]);
        if (i % 400 == 399) {
            wait_seqno(t, 0, seq);      /* keep the ring from overflowing */
        }
    }
    wait_seqno(t, 0, seq);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DONE), ==, 500);
    tl_shutdown(t);
}

/* Bus mastering off: the device cannot reach memory at all. */
static void test_dma_bus_master_off(void)
{
    T *t = boot_ready(NULL);

    qpci_config_writew(t->dev, PCI_COMMAND, PCI_COMMAND_MEMORY);
    cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_state(t, 0, TLGPU_TL_HALTED);
    g_assert_cmpuint(completed(t, 0), ==, 0);
    tl_shutdown(t);
}

/* ---------------------------------------------------------------- */
/* Resets                                                            */
/* ---------------------------------------------------------------- */

static void test_reset_timeline(void)
{
    T *t = boot_ready(NULL);
    uint64_t seq, other;

    cmd_delay(t, 0, TLGPU_MAX_DELAY_US);
    cmd_fence(t, 0, false);
    cmd_fence(t, 0, false);
    cmd_fence(t, 0, false);
    doorbell(t, 0);
    other = cmd_fence(t, 1, false);
    doorbell(t, 1);
    wait_state(t, 0, TLGPU_TL_WAITING);
    tlwr(t, 0, TLGPU_TL_RESET, 1);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DROPPED), ==, 3);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_IDLE);
    g_assert_cmpuint(completed(t, 0), ==, 0);
    /* Still usable, seqnos go on; timeline 1 was not touched. */
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    wait_seqno(t, 1, other);
    g_assert_cmpuint(tlrd(t, 1, TLGPU_TL_JOBS_DROPPED), ==, 0);
    tl_shutdown(t);
}

static void test_reset_during_wait(void)
{
    T *t = boot_ready(NULL);
    uint64_t seq;

    cmd_wait(t, 0, 1, 1000);
    cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_state(t, 0, TLGPU_TL_WAITING);
    wr(t, TLGPU_REG_RESET, TLGPU_RESET_MAGIC);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_STOPPED);
    tl_setup(t, 0);
    t->seqno[0] = 0;
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    tl_shutdown(t);
}

static void test_reset_disable(void)
{
    T *t = boot_ready(NULL);

    cmd_delay(t, 0, TLGPU_MAX_DELAY_US);
    cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_state(t, 0, TLGPU_TL_WAITING);
    tlwr(t, 0, TLGPU_TL_CTRL, 0);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_STOPPED);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DROPPED), ==, 1);
    tl_setup(t, 0);
    tl_shutdown(t);
}

/* ---------------------------------------------------------------- */
/* Interrupts                                                        */
/* ---------------------------------------------------------------- */

/* Route vector @v to a RAM word, unmasked; returns the word's address. */
static uint64_t msix_route(T *t, unsigned v)
{
    uint64_t word = galloc(t, 8);
    uint64_t ent;

    if (!t->dev->msix_enabled) {
        qpci_msix_enable(t->dev);
    }
    ent = t->dev->msix_table_off + v * PCI_MSIX_ENTRY_SIZE;
    qpci_io_writel(t->dev, t->dev->msix_table_bar,
                   ent + PCI_MSIX_ENTRY_LOWER_ADDR, word);
    qpci_io_writel(t->dev, t->dev->msix_table_bar,
                   ent + PCI_MSIX_ENTRY_UPPER_ADDR, word >> 32);
    qpci_io_writel(t->dev, t->dev->msix_table_bar,
                   ent + PCI_MSIX_ENTRY_DATA, 0x100 + v);
    qpci_io_writel(t->dev, t->dev->msix_table_bar,
                   ent + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
    return word;
}

typedef struct IrqWait {
    uint64_t word;
    uint32_t want;
} IrqWait;

static bool irq_seen(T *t, void *opaque)
{
    IrqWait *w = opaque;

    return qtest_readl(t->qts, w->word) == w->want;
}

static void expect_irq(T *t, uint64_t word, unsigned v)
{
    IrqWait w = { word, 0x100 + v };

    g_assert(poll_until(t, irq_seen, &w));
    qtest_writel(t->qts, word, 0);
}

static void test_irq_msix(void)
{
    T *t = boot_ready(NULL);
    uint64_t w0 = msix_route(t, 0), w1 = msix_route(t, 1), seq;

    seq = cmd_fence(t, 1, true);
    doorbell(t, 1);
    expect_irq(t, w1, 1);
    g_assert_cmpuint(completed(t, 1), ==, seq);
    g_assert_cmpuint(tlrd(t, 1, TLGPU_TL_IRQS), ==, 1);
    /* A FENCE without the IRQ flag raises nothing. */
    tlwr(t, 0, TLGPU_TL_IRQ_ACK, 1);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_usleep(20000);
    g_assert_cmphex(qtest_readl(t->qts, w0), ==, 0);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_IRQS), ==, 0);
    tl_shutdown(t);
}

static void test_irq_coalesce(void)
{
    T *t = boot_ready(NULL);
    uint64_t w = msix_route(t, 0), seq;

    seq = cmd_fence(t, 0, true);
    doorbell(t, 0);
    expect_irq(t, w, 0);
    /* Not acknowledged: the next completions are merged into it. */
    cmd_fence(t, 0, true);
    seq = cmd_fence(t, 0, true);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_usleep(20000);
    g_assert_cmphex(qtest_readl(t->qts, w), ==, 0);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_IRQS), ==, 1);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_IRQS_COALESCED), >=, 1);
    /* Acknowledged: the next completion interrupts again. */
    tlwr(t, 0, TLGPU_TL_IRQ_ACK, 1);
    seq = cmd_fence(t, 0, true);
    doorbell(t, 0);
    expect_irq(t, w, 0);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_IRQS), ==, 2);
    tl_shutdown(t);
}

/* ---------------------------------------------------------------- */
/* Fault injection                                                   */
/* ---------------------------------------------------------------- */

static void run_fences(T *t, unsigned tl, unsigned n, uint64_t *seqs)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        seqs[i] = cmd_fence(t, tl, false);
    }
    doorbell(t, tl);
    wait_seqno(t, tl, seqs[n - 1]);
}

static void test_inject_fail_seqno(void)
{
    T *t = boot_ready(NULL);
    uint64_t s[5];
    unsigned i;

    qom_set_u64(t, "inject-fail-seqno", 3);
    qom_set_u64(t, "inject-fail-timeline", 0);
    run_fences(t, 0, 5, s);
    for (i = 0; i < 5; i++) {
        g_assert_cmpuint(job_error(t, 0, s[i]), ==,
                         s[i] == 3 ? TLGPU_ERR_INJECTED : 0);
    }
    /* Timeline 1 is not the chosen one. */
    run_fences(t, 1, 4, s);
    g_assert_cmpuint(job_error(t, 1, s[2]), ==, 0);
    g_assert_cmpuint(qom_get_u64(t, "injected-failed"), ==, 1);
    g_assert_cmpuint(rd(t, TLGPU_REG_INJ_CNT_FAILED), ==, 1);
    tl_shutdown(t);
}

static void test_inject_fail_every(void)
{
    T *t = boot_ready(",inject-fail-every=3,inject-fail-error=2");
    uint64_t s[9];
    unsigned i;

    run_fences(t, 0, 9, s);
    for (i = 0; i < 9; i++) {
        g_assert_cmpuint(job_error(t, 0, s[i]), ==,
                         (i + 1) % 3 == 0 ? TLGPU_ERR_PERMISSION : 0);
    }
    g_assert_cmpuint(qom_get_u64(t, "injected-failed"), ==, 3);
    /* Off again at run time. */
    qom_set_u64(t, "inject-fail-every", 0);
    run_fences(t, 0, 3, s);
    g_assert_cmpuint(job_error(t, 0, s[2]), ==, 0);
    tl_shutdown(t);
}

static uint64_t xorshift_next(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545f4914f6cdd1dull;
}

/*
 * Seeded jitter: with one job on each of two timelines, submitted
 * together, the one with the shorter drawn delay completes first.  The
 * delays follow the spec's generator, so the test predicts the order.
 */
static void test_inject_jitter_seed(void)
{
    const uint32_t max_us = 400000;
    unsigned seed, first, tries = 0;
    uint64_t d[2];

    for (seed = 1; tries < 2; seed++) {
        for (unsigned i = 0; i < 2; i++) {
            uint64_t x = ((uint64_t)seed << 8 | i) ^ 0x9e3779b97f4a7c15ull;

            d[i] = xorshift_next(&x) % (max_us + 1);
        }
        if (llabs((long long)d[0] - (long long)d[1]) < 200000) {
            continue;
        }
        first = d[0] < d[1] ? 0 : 1;
        tries++;

        g_autofree char *opts = g_strdup_printf(
            ",inject-jitter-us=%u,inject-jitter-seed=%u", max_us, seed);
        T *t = boot_ready(opts);
        uint64_t a = cmd_fence(t, 0, false), b = cmd_fence(t, 1, false);

        doorbell(t, 0);
        doorbell(t, 1);
        wait_seqno(t, first, first ? b : a);
        g_assert_cmpuint(completed(t, !first), ==, 0);
        wait_seqno(t, !first, first ? a : b);
        g_assert_cmpuint(qom_get_u64(t, "injected-jitter"), ==, 2);
        tl_shutdown(t);
    }
}

static void test_inject_hang(void)
{
    T *t = boot_ready(NULL);
    uint64_t s1, s2;

    qom_set_u64(t, "inject-hang-mask", 1);
    s1 = cmd_fence(t, 0, false);
    doorbell(t, 0);
    s2 = cmd_fence(t, 1, false);
    doorbell(t, 1);
    wait_state(t, 0, TLGPU_TL_HUNG);
    wait_seqno(t, 1, s2);
    g_usleep(50000);
    g_assert_cmpuint(completed(t, 0), <, s1);
    g_assert_cmpuint(qom_get_u64(t, "injected-hangs"), ==, 1);
    g_assert_cmpuint(rd(t, TLGPU_REG_INJ_CNT_HUNG), ==, 1);
    /* Only a reset ends a hang. */
    qom_set_u64(t, "inject-hang-mask", 0);
    g_usleep(20000);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_HUNG);
    tlwr(t, 0, TLGPU_TL_RESET, 1);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DROPPED), ==, 1);
    s1 = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, s1);
    tl_shutdown(t);
}

static void test_inject_irq_drop(void)
{
    T *t = boot_ready(",inject-irq-drop-every=1");
    uint64_t w = msix_route(t, 0), seq;

    seq = cmd_fence(t, 0, true);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_usleep(50000);
    g_assert_cmphex(qtest_readl(t->qts, w), ==, 0);
    g_assert_cmpuint(qom_get_u64(t, "injected-irq-dropped"), ==, 1);
    /* Dropped, not latched: with dropping off, the next one arrives. */
    qom_set_u64(t, "inject-irq-drop-every", 0);
    seq = cmd_fence(t, 0, true);
    doorbell(t, 0);
    expect_irq(t, w, 0);
    tl_shutdown(t);
}

static void test_inject_irq_dup(void)
{
    T *t = boot_ready(",inject-irq-dup-every=1");
    uint64_t w = msix_route(t, 0), seq;

    seq = cmd_fence(t, 0, true);
    doorbell(t, 0);
    expect_irq(t, w, 0);
    g_assert_cmpuint(completed(t, 0), ==, seq);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_IRQS), ==, 2);
    g_assert_cmpuint(qom_get_u64(t, "injected-irq-duped"), ==, 1);
    tl_shutdown(t);
}

static void test_inject_spurious(void)
{
    T *t = boot_ready(NULL);
    uint64_t w2 = msix_route(t, 2), w4 = msix_route(t, 4);

    qom_set_u64(t, "inject-spurious", 2);
    expect_irq(t, w2, 2);
    wr(t, TLGPU_REG_INJ_SPURIOUS, 4);           /* the device vector */
    expect_irq(t, w4, 4);
    g_assert_cmpuint(qom_get_u64(t, "injected-irq-spurious"), ==, 2);
    g_assert_cmpuint(rd(t, TLGPU_REG_INJ_CNT_IRQ_SPURIOUS), ==, 2);
    g_assert_cmpuint(completed(t, 2), ==, 0);
    tl_shutdown(t);
}

/* Registers and QOM properties are two views of the same settings. */
static void test_inject_registers(void)
{
    T *t = boot(NULL);

    wr(t, TLGPU_REG_INJ_FAIL_SEQNO_LO, 5);
    wr(t, TLGPU_REG_INJ_FAIL_SEQNO_HI, 1);
    g_assert_cmpuint(qom_get_u64(t, "inject-fail-seqno"), ==, (1ull << 32) | 5);
    qom_set_u64(t, "inject-hang-mask", 0x8000000000000002ull);
    g_assert_cmphex(rd(t, TLGPU_REG_INJ_HANG_MASK_LO), ==, 2);
    g_assert_cmphex(rd(t, TLGPU_REG_INJ_HANG_MASK_HI), ==, 0x80000000);
    wr(t, TLGPU_REG_INJ_HANG_MASK_LO, 0);
    wr(t, TLGPU_REG_INJ_HANG_MASK_HI, 0);
    g_assert_cmpuint(qom_get_u64(t, "inject-hang-mask"), ==, 0);
    g_assert_cmphex(rd(t, TLGPU_REG_INJ_FAIL_TIMELINE), ==, UINT32_MAX);
    /* Counters are read-only. */
    wr(t, TLGPU_REG_INJ_CNT_FAILED, 7);
    g_assert_cmpuint(rd(t, TLGPU_REG_INJ_CNT_FAILED), ==, 0);
    /* Settings survive a device reset. */
    wr(t, TLGPU_REG_RESET, TLGPU_RESET_MAGIC);
    g_assert_cmpuint(qom_get_u64(t, "inject-fail-seqno"), ==, (1ull << 32) | 5);
    tl_shutdown(t);
}

static void test_qom_state_and_migration(void)
{
    T *t = boot_ready(NULL);
    QDict *rsp;
    const char *str;
    uint64_t seq = cmd_fence(t, 0, false);

    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    rsp = qtest_qmp(t->qts, "{ 'execute': 'qom-get', 'arguments': "
                    "{ 'path': '/machine/peripheral-anon/device[0]', "
                    "'property': 'state' } }");
    str = qdict_get_str(rsp, "return");
    g_assert(strstr(str, "tl0: state=idle"));
    g_assert(strstr(str, "completed=1 "));
    g_assert(strstr(str, "tl3: state=stopped"));
    /* The registers the driver's devcoredump shows, as programmed. */
    {
        g_autofree char *ring = g_strdup_printf(
            "ring=0x%" PRIx64 " size=0x%x ctrl=0x1 status=0x%" PRIx64
            " fault=0x0 irq-latched=", t->ring[0], t->ring_size,
            t->status[0]);

        g_assert_nonnull(strstr(str, ring));
    }
    g_assert_nonnull(strstr(str, "; injected: failed=0 hung=0 "));
    {
        /* boot_ready() enables address space 0 only. */
        g_autofree char *as = g_strdup_printf("; as0: pt=0x%" PRIx64
                                              " ctrl=0x1;", t->root[0]);

        g_assert_nonnull(strstr(str, as));
        g_assert_null(strstr(str, "; as1:"));
    }
    qobject_unref(rsp);

    /* Not migratable, and says so (docs/device-spec.rst, Migration). */
    rsp = qtest_qmp(t->qts, "{ 'execute': 'migrate', 'arguments': "
                    "{ 'uri': 'exec:cat > /dev/null' } }");
    g_assert(qdict_haskey(rsp, "error"));
    g_assert(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"),
                    "tlgpu"));
    qobject_unref(rsp);
    tl_shutdown(t);
}

/* Two devices are independent. */
static void test_two_devices(void)
{
    QOSState *qs = qtest_pc_boot("-machine q35 -nodefaults -device tlgpu,addr=04.0 "
                                 "-device tlgpu,addr=05.0,timelines=2");
    QPCIDevice *a = qpci_device_find(qs->pcibus, QPCI_DEVFN(4, 0));
    QPCIDevice *b = qpci_device_find(qs->pcibus, QPCI_DEVFN(5, 0));
    QPCIBar ba, bb;

    qpci_device_enable(a);
    qpci_device_enable(b);
    ba = qpci_iomap(a, 0, NULL);
    bb = qpci_iomap(b, 0, NULL);
    g_assert_cmpuint(qpci_io_readl(a, ba, TLGPU_REG_NUM_TIMELINES), ==, 4);
    g_assert_cmpuint(qpci_io_readl(b, bb, TLGPU_REG_NUM_TIMELINES), ==, 2);
    qpci_io_writel(a, ba, TLGPU_REG_SCRATCH, 1);
    qpci_io_writel(b, bb, TLGPU_REG_SCRATCH, 2);
    g_assert_cmpuint(qpci_io_readl(a, ba, TLGPU_REG_SCRATCH), ==, 1);
    g_assert_cmpuint(qpci_io_readl(b, bb, TLGPU_REG_SCRATCH), ==, 2);
    g_free(a);
    g_free(b);
    qtest_shutdown(qs);
}


/* MSI-X only: no INTx pin is advertised. */
static void test_regs_no_intx(void)
{
    T *t = boot(NULL);

    g_assert_cmpuint(qpci_config_readb(t->dev, PCI_INTERRUPT_PIN), ==, 0);
    tl_shutdown(t);
}

/* Disable and enable keep COMPLETED; only a full reset zeroes it. */
static void test_tl_completed_kept(void)
{
    T *t = boot_ready(NULL);
    uint64_t seq;

    cmd_fence(t, 0, false);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    tlwr(t, 0, TLGPU_TL_CTRL, 0);
    g_assert_cmpuint(completed(t, 0), ==, seq);
    tlwr(t, 0, TLGPU_TL_CTRL, TLGPU_TL_CTRL_ENABLE);
    t->tail[0] = 0;
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_RING_HEAD), ==, 0);
    g_assert_cmpuint(completed(t, 0), ==, seq);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_assert_cmpuint(completed(t, 0), ==, 3);
    wr(t, TLGPU_REG_RESET, TLGPU_RESET_MAGIC);
    g_assert_cmpuint(completed(t, 0), ==, 0);
    tl_shutdown(t);
}

/* ---------------------------------------------------------------- */
/* Hostile guest: each case reproduces an attack that once crashed,  */
/* hung or confused the device, and checks it now fails cleanly.     */
/* ---------------------------------------------------------------- */

/* The device still identifies itself and runs a job on timeline @tl. */
static void assert_device_works(T *t, unsigned tl)
{
    uint64_t seq;

    g_assert_cmphex(rd(t, TLGPU_REG_ID), ==, TLGPU_ID_MAGIC);
    as_enable(t, 0);
    if (tlrd(t, tl, TLGPU_TL_STATE) != TLGPU_TL_IDLE) {
        tlwr(t, tl, TLGPU_TL_CTRL, 0);
        tl_setup(t, tl);
    }
    seq = cmd_fence(t, tl, false);
    doorbell(t, tl);
    wait_seqno(t, tl, seq);
    g_assert_cmpuint(job_error(t, tl, seq), ==, 0);
}

static void flr(T *t)
{
    uint8_t exp = qpci_find_capability(t->dev, PCI_CAP_ID_EXP, 0);

    g_assert_cmpuint(exp, !=, 0);
    qpci_config_writew(t->dev, exp + PCI_EXP_DEVCTL,
                       qpci_config_readw(t->dev, exp + PCI_EXP_DEVCTL) |
                       PCI_EXP_DEVCTL_BCR_FLR);
    t->bar = qpci_iomap(t->dev, TLGPU_BAR_REGS, NULL);
    qpci_device_enable(t->dev);
}

/*
 * inject-reset-fail: the next N resets by register do nothing (the device
 * does not come back: a hung timeline stays hung, a device reset leaves
 * RESET_COUNT and SCRATCH), each counted; then resets work again, and an
 * FLR always works whatever the setting.
 */
static void test_inject_reset_fail(void)
{
    T *t = boot_ready(NULL);
    uint32_t count;
    uint64_t s1;

    qom_set_u64(t, "inject-hang-mask", 1);
    s1 = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_state(t, 0, TLGPU_TL_HUNG);
    qom_set_u64(t, "inject-hang-mask", 0);
    wr(t, TLGPU_REG_INJ_RESET_FAIL, 2);
    g_assert_cmpuint(qom_get_u64(t, "inject-reset-fail"), ==, 2);

    /* A failed timeline reset: still hung, nothing dropped. */
    tlwr(t, 0, TLGPU_TL_RESET, 1);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_HUNG);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DROPPED), ==, 0);
    g_assert_cmpuint(rd(t, TLGPU_REG_INJ_RESET_FAIL), ==, 1);
    g_assert_cmpuint(rd(t, TLGPU_REG_INJ_CNT_RESET_FAILED), ==, 1);

    /* A failed device reset: nothing changes. */
    count = rd(t, TLGPU_REG_RESET_COUNT);
    wr(t, TLGPU_REG_SCRATCH, 0x5a);
    wr(t, TLGPU_REG_RESET, TLGPU_RESET_MAGIC);
    g_assert_cmpuint(rd(t, TLGPU_REG_RESET_COUNT), ==, count);
    g_assert_cmphex(rd(t, TLGPU_REG_SCRATCH), ==, 0x5a);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_HUNG);
    g_assert_cmpuint(qom_get_u64(t, "injected-reset-failed"), ==, 2);
    g_assert_cmpuint(qom_get_u64(t, "inject-reset-fail"), ==, 0);

    /* Spent: the next reset works. */
    tlwr(t, 0, TLGPU_TL_RESET, 1);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_IDLE);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DROPPED), ==, 1);
    g_assert_cmpuint(completed(t, 0), <, s1);

    /* FLR is not a register reset: it works, and keeps the setting. */
    wr(t, TLGPU_REG_INJ_RESET_FAIL, 1);
    flr(t);
    g_assert_cmpuint(rd(t, TLGPU_REG_RESET_COUNT), ==, count + 1);
    g_assert_cmphex(rd(t, TLGPU_REG_SCRATCH), ==, 0);
    g_assert_cmpuint(rd(t, TLGPU_REG_INJ_RESET_FAIL), ==, 1);
    g_assert_cmpuint(rd(t, TLGPU_REG_INJ_CNT_RESET_FAILED), ==, 2);
    wr(t, TLGPU_REG_INJ_RESET_FAIL, 0);
    tl_shutdown(t);
}

/*
 * BAR0 0xc00-0xfff lies past the 64 address spaces: it once decoded to
 * slots 64..127 of a 64-entry array, so these writes overwrote host heap
 * and the read dereferenced a guest-chosen pointer (SIGSEGV).
 */
static void test_hostile_as_window(void)
{
    T *t = boot_ready(NULL);
    unsigned off;

    wr(t, 0xcc0, 0x41414000);
    wr(t, 0xcc4, 0x4141);
    g_assert_cmphex(rd(t, 0x1028), ==, TLGPU_TL_IDLE);
    for (off = TLGPU_AS_BASE + TLGPU_NUM_AS * TLGPU_AS_STRIDE;
         off < TLGPU_TL_BASE; off += 4) {
        wr(t, off, 0xffffffff);
    }
    for (off = TLGPU_AS_BASE + TLGPU_NUM_AS * TLGPU_AS_STRIDE;
         off < TLGPU_TL_BASE; off += 4) {
        g_assert_cmphex(rd(t, off), ==, 0);
    }
    /* The injection settings behind the array are untouched. */
    g_assert_cmphex(rd(t, TLGPU_REG_INJ_FAIL_TIMELINE), ==, UINT32_MAX);
    g_assert_cmphex(rd(t, TLGPU_REG_INJ_FAIL_EVERY), ==, 0);
    assert_device_works(t, 0);
    tl_shutdown(t);
}

/* Jitter of UINT32_MAX us once made `% (jitter + 1)` divide by zero. */
static void test_hostile_jitter_max(void)
{
    T *t = boot_ready(NULL);
    uint64_t seq;

    wr(t, TLGPU_REG_INJ_JITTER_US, UINT32_MAX);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    /* Up to 71 minutes of jitter: the reset cuts it short. */
    g_usleep(50000);
    tlwr(t, 0, TLGPU_TL_RESET, 1);
    g_assert_cmpuint(completed(t, 0), <, seq);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DROPPED), ==, 1);
    g_assert_cmpuint(rd(t, TLGPU_REG_INJ_CNT_JITTER), ==, 1);
    /* The same through QMP. */
    qom_set_u64(t, "inject-jitter-us", UINT32_MAX);
    cmd_fence(t, 0, false);
    doorbell(t, 0);
    g_usleep(50000);
    tlwr(t, 0, TLGPU_TL_RESET, 1);
    wr(t, TLGPU_REG_INJ_JITTER_US, 0);
    assert_device_works(t, 0);
    tl_shutdown(t);
}

/*
 * Enabled on a bad ring, then reset: the timeline once became IDLE with
 * a ring size that is not a power of two, its worker spun forever on the
 * ring walk, and the next reset waited for it with the BQL held.
 */
static void test_hostile_reset_bad_ring(void)
{
    T *t = boot(NULL);
    uint64_t ring = galloc(t, 0x4000), status = galloc(t, TLGPU_PAGE_SIZE);
    static const uint32_t bad_size[] = { 0x1001, 0x1800, 0x3ff8, 0 };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(bad_size); i++) {
        tlwr(t, 0, TLGPU_TL_RING_LO, ring);
        tlwr(t, 0, TLGPU_TL_RING_HI, 0);
        tlwr(t, 0, TLGPU_TL_RING_SIZE, bad_size[i]);
        tlwr(t, 0, TLGPU_TL_STATUS_LO, status);
        tlwr(t, 0, TLGPU_TL_STATUS_HI, 0);
        tlwr(t, 0, TLGPU_TL_CTRL, TLGPU_TL_CTRL_ENABLE);
        g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_HALTED);
        /* A timeline reset does not make a bad ring runnable. */
        tlwr(t, 0, TLGPU_TL_RESET, 1);
        g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_HALTED);
        g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_ERROR), ==, TLGPU_ERR_BAD_RING);
        /* So the doorbell is refused and nothing walks the ring. */
        tlwr(t, 0, TLGPU_TL_RING_TAIL, 0x8);
        g_assert_cmphex(tlrd(t, 0, TLGPU_TL_RING_TAIL), ==, 0);
        tlwr(t, 0, TLGPU_TL_RESET, 1);
        g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DROPPED), ==, 0);
    }
    /* Every reset path returns, and QMP still answers. */
    flr(t);
    wr(t, TLGPU_REG_RESET, TLGPU_RESET_MAGIC);
    qobject_unref(qtest_qmp(t->qts, "{ 'execute': 'system_reset' }"));
    qtest_qmp_eventwait(t->qts, "RESET");
    t->bar = qpci_iomap(t->dev, TLGPU_BAR_REGS, NULL);
    qpci_device_enable(t->dev);
    g_assert_cmpuint(qom_get_u64(t, "injected-failed"), ==, 0);
    assert_device_works(t, 0);
    tl_shutdown(t);
}

/* A bad TAIL during a DELAY halts the timeline; the halt once got lost. */
static void test_hostile_halt_in_delay(void)
{
    T *t = boot_ready(NULL);
    uint64_t seq, seq1;

    cmd_delay(t, 0, 200000);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_state(t, 0, TLGPU_TL_WAITING);
    tlwr(t, 0, TLGPU_TL_RING_TAIL, 0x3);       /* misaligned: halts */
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_HALTED);
    /* The same during a WAIT on timeline 1. */
    cmd_wait(t, 1, 0, 1000);
    seq1 = cmd_fence(t, 1, false);
    doorbell(t, 1);
    wait_state(t, 1, TLGPU_TL_WAITING);
    tlwr(t, 1, TLGPU_TL_RING_TAIL, t->ring_size);  /* out of range */
    g_usleep(400000);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), ==, TLGPU_TL_HALTED);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_ERROR), ==, TLGPU_ERR_BAD_RING);
    g_assert_cmpuint(completed(t, 0), <, seq);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DONE), ==, 0);
    g_assert_cmpuint(tlrd(t, 1, TLGPU_TL_STATE), ==, TLGPU_TL_HALTED);
    g_assert_cmpuint(completed(t, 1), <, seq1);
    /* A reset restarts both; the dropped FENCEs count as dropped. */
    tlwr(t, 0, TLGPU_TL_RESET, 1);
    tlwr(t, 1, TLGPU_TL_RESET, 1);
    g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_JOBS_DROPPED), ==, 1);
    g_assert_cmpuint(tlrd(t, 1, TLGPU_TL_JOBS_DROPPED), ==, 1);
    t->tail[0] = tlrd(t, 0, TLGPU_TL_RING_HEAD);
    t->tail[1] = tlrd(t, 1, TLGPU_TL_RING_HEAD);
    assert_device_works(t, 0);
    assert_device_works(t, 1);
    tl_shutdown(t);
}

/*
 * Resets racing completions: every queued job is counted exactly once,
 * done or dropped.  A FENCE completing as the reset landed was once
 * counted as both (about 1 round in 100).
 */
static void test_hostile_reset_vs_fence(void)
{
    T *t = boot(NULL);
    uint32_t queued = 0, round, done = 0, dropped = 0, prev_dropped = 0;
    uint64_t last = 0;
    const unsigned n = 8192;    /* FENCEs per round: the reset lands mid-run */
    uint32_t *dw = g_new(uint32_t, n * 4);
    GRand *rng = g_rand_new_with_seed(5);

    t->ring_size = 0x40000;
    tl_setup(t, 0);
    for (round = 0; round < 60; round++) {
        unsigned i, first;

        for (i = 0; i < n; i++) {
            uint64_t seqno = ++t->seqno[0];

            dw[i * 4] = cpu_to_le32(TLGPU_CMD_HDR(TLGPU_OP_FENCE, 4, 0));
            dw[i * 4 + 1] = 0;
            dw[i * 4 + 2] = cpu_to_le32(LO(seqno));
            dw[i * 4 + 3] = cpu_to_le32(HI(seqno));
        }
        /* One memory write (two where the ring wraps). */
        first = MIN(n * 16, t->ring_size - t->tail[0]);
        qtest_memwrite(t->qts, t->ring[0] + t->tail[0], dw, first);
        if (first < n * 16) {
            qtest_memwrite(t->qts, t->ring[0], (uint8_t *)dw + first,
                           n * 16 - first);
        }
        t->tail[0] = (t->tail[0] + n * 16) & (t->ring_size - 1);
        doorbell(t, 0);
        queued += n;
        g_usleep(g_rand_int_range(rng, 0, 500));
        tlwr(t, 0, TLGPU_TL_RESET, 1);
        done = tlrd(t, 0, TLGPU_TL_JOBS_DONE);
        dropped = tlrd(t, 0, TLGPU_TL_JOBS_DROPPED);
        g_assert_cmpuint(done + dropped, ==, queued);
        /*
         * The jobs dropped are this round's last ones, in order; when
         * all are, COMPLETED stays where the last round left it.
         */
        if (dropped - prev_dropped < n) {
            last = t->seqno[0] - (dropped - prev_dropped);
        }
        g_assert_cmpuint(completed(t, 0), ==, last);
        prev_dropped = dropped;
    }
    /* Some of each, or the race was not exercised at all. */
    g_assert_cmpuint(done, >, 0);
    g_assert_cmpuint(dropped, >, 0);
    g_rand_free(rng);
    g_free(dw);
    tl_shutdown(t);
}

/* BIOS ROM (the top 256 KiB below 4 GiB) is not RAM: not for COPY, rings. */
static void test_hostile_rom(void)
{
    T *t = boot_ready(NULL);
    const uint64_t rom = 0xfffc0000ull;
    uint64_t dst, src_va = t->next_va[0], pa, seq;
    uint64_t status = galloc(t, TLGPU_PAGE_SIZE);

    map_page(t, 0, src_va, rom | TLGPU_PTE_VALID);
    t->next_va[0] += 2 * TLGPU_PAGE_SIZE;
    dst = gpu_buffer_contig(t, 0, TLGPU_PAGE_SIZE, &pa);
    qtest_memset(t->qts, pa, 0x5a, 64);
    cmd_set_as(t, 0, 0);
    cmd_copy(t, 0, dst, src_va, 64);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_assert_cmpuint(job_error(t, 0, seq), ==, TLGPU_ERR_BAD_ADDRESS);
    g_assert_cmphex(qtest_readb(t->qts, pa), ==, 0x5a);
    /* A page table in ROM faults the same way. */
    qtest_writeq(t->qts, t->root[0] + 8 * 7, rom | TLGPU_PTE_VALID);
    cmd_set_as(t, 0, 0);
    cmd_store(t, 0, 7ull << 30, 1);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_assert_cmpuint(job_error(t, 0, seq), ==, TLGPU_ERR_BAD_ADDRESS);
    /* A ring in ROM is refused at enable. */
    tlwr(t, 2, TLGPU_TL_RING_LO, rom);
    tlwr(t, 2, TLGPU_TL_RING_HI, 0);
    tlwr(t, 2, TLGPU_TL_RING_SIZE, 0x1000);
    tlwr(t, 2, TLGPU_TL_STATUS_LO, status);
    tlwr(t, 2, TLGPU_TL_STATUS_HI, 0);
    tlwr(t, 2, TLGPU_TL_CTRL, TLGPU_TL_CTRL_ENABLE);
    g_assert_cmpuint(tlrd(t, 2, TLGPU_TL_STATE), ==, TLGPU_TL_HALTED);
    g_assert_cmpuint(tlrd(t, 2, TLGPU_TL_ERROR), ==, TLGPU_ERR_BAD_RING);
    tl_shutdown(t);
}


/*
 * Every injected error code is only reported, the timeline goes on.
 * Injecting 7 (BAD_RING) once halted the timeline as if its status page
 * had become unwritable.
 */
static void test_inject_fail_error_codes(void)
{
    T *t = boot_ready(NULL);
    static const uint32_t codes[] = { 1, 2, 3, 4, 5, 6, 7, 0x1234 };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(codes); i++) {
        uint64_t failed, next;

        qom_set_u64(t, "inject-fail-error", codes[i]);
        qom_set_u64(t, "inject-fail-seqno", t->seqno[0] + 1);
        failed = cmd_fence(t, 0, false);
        next = cmd_fence(t, 0, false);
        doorbell(t, 0);
        wait_seqno(t, 0, next);
        g_assert_cmpuint(job_error(t, 0, failed), ==, codes[i]);
        g_assert_cmpuint(job_error(t, 0, next), ==, 0);
        g_assert_cmpuint(tlrd(t, 0, TLGPU_TL_STATE), !=, TLGPU_TL_HALTED);
    }
    qom_set_u64(t, "inject-fail-seqno", 0);
    tl_shutdown(t);
}

/*
 * RAM the chipset maps read-only (q35's PAM: the BIOS area's top 64 KiB
 * set to read-enable only) is read-only memory to the device too: a
 * STORE there once went through, as QEMU's own DMA path lets it.
 */
static void test_hostile_pam_readonly(void)
{
    T *t = boot_ready(NULL);
    QPCIDevice *mch = qpci_device_find(t->qs->pcibus, QPCI_DEVFN(0, 0));
    uint64_t va = t->next_va[0], seq;
    const uint64_t pa = 0xf0000;

    g_assert(mch);
    qpci_config_writeb(mch, 0x90, 0x10);    /* PAM0: 0xf0000 read-only */
    map_page(t, 0, va, pa | TLGPU_PTE_VALID | TLGPU_PTE_WRITE);
    t->next_va[0] += 2 * TLGPU_PAGE_SIZE;
    cmd_set_as(t, 0, 0);
    cmd_store(t, 0, va, 0x5a5a5a5a5a5a5a5aull);
    seq = cmd_fence(t, 0, false);
    doorbell(t, 0);
    wait_seqno(t, 0, seq);
    g_assert_cmpuint(job_error(t, 0, seq), ==, TLGPU_ERR_BAD_ADDRESS);
    g_assert_cmphex(qtest_readq(t->qts, pa), !=, 0x5a5a5a5a5a5a5a5aull);
    g_free(mch);
    tl_shutdown(t);
}

/*
 * Every 4-byte offset of both BARs, read and written with a seeded
 * random value (the reset magic excluded: that case is its own test),
 * then a full reset: the device still identifies itself and runs a job.
 */
static void test_hostile_bar_sweep(void)
{
    T *t = boot_ready(NULL);
    QPCIBar msix = qpci_iomap(t->dev, TLGPU_BAR_MSIX, NULL);
    GRand *rng = g_rand_new_with_seed(0x7467);
    uint64_t off;

    for (off = 0; off < TLGPU_BAR0_SIZE; off += 4) {
        uint32_t v = g_rand_int(rng);

        rd(t, off);
        if (v == TLGPU_RESET_MAGIC) {
            v = 0;
        }
        wr(t, off, v);
    }
    for (off = 0; off < 0x1000; off += 4) {
        qpci_io_readl(t->dev, msix, off);
        qpci_io_writel(t->dev, msix, off, g_rand_int(rng));
    }
    g_rand_free(rng);
    /* Injection settings survive resets: put back the defaults. */
    wr(t, TLGPU_REG_INJ_FAIL_TIMELINE, UINT32_MAX);
    for (off = TLGPU_REG_INJ_FAIL_SEQNO_LO; off <= TLGPU_REG_INJ_IRQ_DUP_EVERY;
         off += 4) {
        wr(t, off, off == TLGPU_REG_INJ_FAIL_ERROR ? TLGPU_ERR_INJECTED : 0);
    }
    /* Past SPURIOUS (0x22c), which would raise a vector. */
    wr(t, TLGPU_REG_INJ_RESET_FAIL, 0);
    wr(t, TLGPU_REG_RESET, TLGPU_RESET_MAGIC);
    memset(t->tail, 0, sizeof(t->tail));
    memset(t->seqno, 0, sizeof(t->seqno));
    memset(t->root, 0, sizeof(t->root));
    tl_setup(t, 0);
    assert_device_works(t, 0);
    tl_shutdown(t);
}

/* device_del with a job in flight: QEMU stays up, the device goes away. */
static void test_hostile_hot_unplug(void)
{
    QOSState *qs = qtest_pc_boot("-machine pc -nodefaults -m 256M "
                                 "-device tlgpu,id=gpu,addr=04.0");
    T *t = g_new0(T, 1);
    QDict *rsp;

    t->qs = qs;
    t->qts = qs->qts;
    t->dev = qpci_device_find(qs->pcibus, TL_DEVFN);
    g_assert(t->dev);
    t->bar = qpci_iomap(t->dev, TLGPU_BAR_REGS, NULL);
    qpci_device_enable(t->dev);
    t->ring_size = 0x1000;
    as_enable(t, 0);
    tl_setup(t, 0);
    tl_setup(t, 1);
    cmd_delay(t, 0, 5000000);
    cmd_fence(t, 0, true);
    doorbell(t, 0);
    cmd_wait(t, 1, 0, 1);
    cmd_fence(t, 1, true);
    doorbell(t, 1);
    wait_state(t, 0, TLGPU_TL_WAITING);
    qpci_unplug_acpi_device_test(t->qts, "gpu", 4);
    /* Gone from the bus; the main loop still answers. */
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_VENDOR_ID), ==, 0xffff);
    rsp = qtest_qmp(t->qts, "{ 'execute': 'query-status' }");
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
    g_free(t->dev);
    qtest_shutdown(qs);
    g_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/tlgpu/regs/ident", test_regs_ident);
    qtest_add_func("/tlgpu/regs/timelines-property", test_regs_timelines_prop);
    qtest_add_func("/tlgpu/regs/bad-timelines-property",
                   test_regs_bad_timelines_prop);
    qtest_add_func("/tlgpu/regs/scratch", test_regs_scratch);
    qtest_add_func("/tlgpu/regs/unknown", test_regs_unknown);
    qtest_add_func("/tlgpu/regs/two-devices", test_two_devices);
    qtest_add_func("/tlgpu/reset/device", test_regs_reset);
    qtest_add_func("/tlgpu/reset/flr", test_regs_flr);
    qtest_add_func("/tlgpu/reset/timeline", test_reset_timeline);
    qtest_add_func("/tlgpu/reset/during-wait", test_reset_during_wait);
    qtest_add_func("/tlgpu/reset/disable", test_reset_disable);
    qtest_add_func("/tlgpu/timeline/fence", test_tl_fence);
    qtest_add_func("/tlgpu/timeline/in-order", test_order_in_timeline);
    qtest_add_func("/tlgpu/timeline/concurrency", test_concurrency);
    qtest_add_func("/tlgpu/cmd/fill", test_cmd_fill);
    qtest_add_func("/tlgpu/cmd/copy", test_cmd_copy);
    qtest_add_func("/tlgpu/cmd/copy-64mib", test_cmd_copy_large);
    qtest_add_func("/tlgpu/cmd/checksum", test_cmd_checksum);
    qtest_add_func("/tlgpu/cmd/store", test_cmd_store);
    qtest_add_func("/tlgpu/cmd/delay", test_cmd_delay);
    qtest_add_func("/tlgpu/cmd/wait", test_cmd_wait);
    qtest_add_func("/tlgpu/cmd/bad-delay", test_cmd_bad_delay);
    qtest_add_func("/tlgpu/cmd/bad-wait", test_cmd_bad_wait);
    qtest_add_func("/tlgpu/cmd/bad-opcode", test_cmd_bad_opcode);
    qtest_add_func("/tlgpu/cmd/bad-operands", test_cmd_bad_operands);
    qtest_add_func("/tlgpu/mmu/unmapped", test_mmu_unmapped);
    qtest_add_func("/tlgpu/mmu/read-only", test_mmu_readonly);
    qtest_add_func("/tlgpu/mmu/outside-ram", test_mmu_outside_ram);
    qtest_add_func("/tlgpu/mmu/bad-as", test_mmu_bad_as);
    qtest_add_func("/tlgpu/mmu/isolation", test_mmu_isolation);
    qtest_add_func("/tlgpu/mmu/va-range", test_mmu_va_range);
    qtest_add_func("/tlgpu/ring/bad-setup", test_ring_bad_setup);
    qtest_add_func("/tlgpu/ring/bad-header", test_ring_bad_header);
    qtest_add_func("/tlgpu/ring/truncated", test_ring_truncated);
    qtest_add_func("/tlgpu/ring/bad-tail", test_ring_bad_tail);
    qtest_add_func("/tlgpu/ring/wrap", test_ring_wrap);
    qtest_add_func("/tlgpu/ring/garbage", test_ring_garbage);
    qtest_add_func("/tlgpu/ring/doorbell-storm", test_ring_doorbell_storm);
    qtest_add_func("/tlgpu/dma/bus-master-off", test_dma_bus_master_off);
    qtest_add_func("/tlgpu/irq/msix", test_irq_msix);
    qtest_add_func("/tlgpu/irq/coalesce", test_irq_coalesce);
    qtest_add_func("/tlgpu/inject/fail-seqno", test_inject_fail_seqno);
    qtest_add_func("/tlgpu/inject/fail-every", test_inject_fail_every);
    qtest_add_func("/tlgpu/inject/jitter-seed", test_inject_jitter_seed);
    qtest_add_func("/tlgpu/inject/hang", test_inject_hang);
    qtest_add_func("/tlgpu/inject/irq-drop", test_inject_irq_drop);
    qtest_add_func("/tlgpu/inject/irq-dup", test_inject_irq_dup);
    qtest_add_func("/tlgpu/inject/spurious", test_inject_spurious);
    qtest_add_func("/tlgpu/inject/registers", test_inject_registers);
    qtest_add_func("/tlgpu/inject/reset-fail", test_inject_reset_fail);
    qtest_add_func("/tlgpu/qom/state-and-migration",
                   test_qom_state_and_migration);
    qtest_add_func("/tlgpu/regs/no-intx", test_regs_no_intx);
    qtest_add_func("/tlgpu/timeline/completed-kept", test_tl_completed_kept);
    qtest_add_func("/tlgpu/hostile/as-window", test_hostile_as_window);
    qtest_add_func("/tlgpu/hostile/jitter-max", test_hostile_jitter_max);
    qtest_add_func("/tlgpu/hostile/reset-bad-ring",
                   test_hostile_reset_bad_ring);
    qtest_add_func("/tlgpu/hostile/halt-in-delay", test_hostile_halt_in_delay);
    qtest_add_func("/tlgpu/hostile/reset-vs-fence",
                   test_hostile_reset_vs_fence);
    qtest_add_func("/tlgpu/hostile/rom", test_hostile_rom);
    qtest_add_func("/tlgpu/hostile/pam-readonly", test_hostile_pam_readonly);
    qtest_add_func("/tlgpu/inject/fail-error-codes",
                   test_inject_fail_error_codes);
    qtest_add_func("/tlgpu/hostile/bar-sweep", test_hostile_bar_sweep);
    qtest_add_func("/tlgpu/hostile/hot-unplug", test_hostile_hot_unplug);

    return g_test_run();
}
