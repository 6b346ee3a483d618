/*
 * tlgpu - command timelines.
 *
 * Each timeline is a ring of commands in guest memory, consumed by a
 * thread of its own, off the vCPU threads and without the BQL.  Commands
 * complete strictly in order within a timeline; timelines run
 * concurrently and their relative order is free, except where a WAIT
 * command orders them on the device.
 *
 * Locking: tl->lock protects the timeline's registers and is never held
 * while a command executes.  s->done_lock protects every timeline's
 * completed seqno; WAIT sleeps on s->done_cond.  Lock order:
 * BQL -> tl->lock -> s->lock; done_lock is never held with another lock.
 *
 * Reset is a handshake: the requester sets reset_request and stop, wakes
 * the worker and waits until the worker, at the next command boundary or
 * from inside a long command, has dropped the queued work.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/rcu.h"
#include "qemu/timer.h"
#include "hw/pci/msix.h"
#include "tlgpu.h"
#include "trace.h"
#include <zlib.h>

#define TLGPU_NO_AS UINT32_MAX

static const char *const tlgpu_state_names[] = {
    [TLGPU_TL_STOPPED] = "stopped",
    [TLGPU_TL_IDLE] = "idle",
    [TLGPU_TL_BUSY] = "busy",
    [TLGPU_TL_WAITING] = "waiting",
    [TLGPU_TL_HUNG] = "hung",
    [TLGPU_TL_HALTED] = "halted",
};

uint64_t tlgpu_completed(TLGPUState *s, unsigned idx)
{
    uint64_t v;

    qemu_mutex_lock(&s->done_lock);
    v = s->completed[idx];
    qemu_mutex_unlock(&s->done_lock);
    return v;
}

/*
 * Whether the ring registers describe a ring the device may walk: aligned,
 * a power of two in size, in guest RAM, with a status page in writable
 * guest RAM.  Every path that makes a timeline runnable (enable, timeline
 * reset) checks it; head and tail arithmetic relies on it.  tl->lock held.
 */
static bool tlgpu_ring_valid(TLGPUTimeline *tl)
{
    TLGPUState *s = tl->dev;
    uint32_t size = tl->ring_size;

    return !(tl->ring_base & (TLGPU_PAGE_SIZE - 1)) &&
           size >= TLGPU_RING_MIN_SIZE && size <= TLGPU_RING_MAX_SIZE &&
           is_power_of_2(size) &&
           tlgpu_phys_is_ram(s, tl->ring_base, size, false) &&
           !(tl->status_addr & (TLGPU_PAGE_SIZE - 1)) &&
           tlgpu_phys_is_ram(s, tl->status_addr, TLGPU_PAGE_SIZE, true);
}

static bool tlgpu_runnable(TLGPUTimeline *tl)
{
    return (tl->ctrl & TLGPU_TL_CTRL_ENABLE) && tl->ring_ok &&
           tl->state != TLGPU_TL_HALTED && tl->state != TLGPU_TL_HUNG &&
           tl->head != tl->tail;
}

/* Stop executing until reset; the driver sees HALTED and TLGPU_TL_ERROR. */
static void tlgpu_halt_locked(TLGPUTimeline *tl, uint32_t err)
{
    tl->state = TLGPU_TL_HALTED;
    tl->error = err;
    trace_tlgpu_tl_halt(tl->idx, err, tl->head);
    tlgpu_irq_request(tl);
}

/*
 * Read the command at @head into @cmd.  Returns its length in bytes, or
 * 0 when the ring holds no well-formed command there (the timeline then
 * halts: without a length there is no way to find the next command).
 */
static unsigned tlgpu_fetch(TLGPUTimeline *tl, uint64_t base, uint32_t size,
                            uint32_t head, uint32_t tail, uint32_t *cmd)
{
    TLGPUState *s = tl->dev;
    uint32_t avail = (tail - head) & (size - 1);
    unsigned i, ndw, op;

    if (tlgpu_phys_rw(s, base + head, &cmd[0], 4, false)) {
        return 0;
    }
    cmd[0] = le32_to_cpu(cmd[0]);
    op = TLGPU_CMD_OP(cmd[0]);
    ndw = TLGPU_CMD_NDW(cmd[0]);
    assert(tl->ring_ok && is_power_of_2(size));
    if (ndw < 2 || (ndw & 1) || ndw > TLGPU_CMD_MAX_DW || ndw * 4 > avail) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: bad command header 0x%08x"
                      " at 0x%x (%u bytes queued)\n", __func__, tl->idx,
                      cmd[0], head, avail);
        return 0;
    }
    if (op < TLGPU_OP_MAX && tlgpu_cmd_ndw(op) && tlgpu_cmd_ndw(op) != ndw) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: opcode %u with %u dwords\n",
                      __func__, tl->idx, op, ndw);
        return 0;
    }
    for (i = 1; i < ndw; i++) {
        uint32_t off = (head + i * 4) & (size - 1);

        if (tlgpu_phys_rw(s, base + off, &cmd[i], 4, false)) {
            return 0;
        }
        cmd[i] = le32_to_cpu(cmd[i]);
    }
    return ndw * 4;
}

static uint64_t tlgpu_u64(const uint32_t *cmd, unsigned dw)
{
    return cmd[dw] | ((uint64_t)cmd[dw + 1] << 32);
}

static void tlgpu_fill_fn(void *host, uint64_t off, uint64_t len, void *opaque)
{
    uint32_t pattern = *(uint32_t *)opaque;
    uint8_t *p = host;
    uint64_t i;

    if ((pattern & 0xff) * 0x01010101u == pattern) {
        memset(p, pattern & 0xff, len);
        return;
    }
    for (i = 0; i < len; i += 4) {
        stl_le_p(p + i, pattern);
    }
}

static void tlgpu_crc_fn(void *host, uint64_t off, uint64_t len, void *opaque)
{
    uLong *crc = opaque;

    while (len) {
        uInt n = MIN(len, 1u << 30);

        *crc = crc32(*crc, host, n);
        host = (uint8_t *)host + n;
        len -= n;
    }
}

static void tlgpu_store_fn(void *host, uint64_t off, uint64_t len,
                           void *opaque)
{
    memcpy(host, (uint8_t *)opaque + off, len);
}

/* Sleep up to @us microseconds; false when cut short by reset or exit. */
static bool tlgpu_sleep(TLGPUTimeline *tl, uint64_t us)
{
    int64_t deadline = qemu_clock_get_us(QEMU_CLOCK_REALTIME) + us;
    int64_t now;

    qemu_mutex_lock(&tl->lock);
    while (!tl->stop &&
           (now = qemu_clock_get_us(QEMU_CLOCK_REALTIME)) < deadline) {
        qemu_cond_timedwait(&tl->cond, &tl->lock,
                            MAX(1, (deadline - now + 999) / 1000));
    }
    qemu_mutex_unlock(&tl->lock);
    return !qatomic_read(&tl->stop);
}

/*
 * BUSY <-> WAITING around a WAIT or DELAY.  A halt (bad TAIL written
 * meanwhile) or a reset in progress wins: the state is left alone, so the
 * worker stops at the next command boundary.
 */
static void tlgpu_set_state(TLGPUTimeline *tl, uint32_t state)
{
    qemu_mutex_lock(&tl->lock);
    if (!tl->stop &&
        (tl->state == TLGPU_TL_BUSY || tl->state == TLGPU_TL_WAITING)) {
        tl->state = state;
    }
    qemu_mutex_unlock(&tl->lock);
}

static uint32_t tlgpu_cmd_wait(TLGPUTimeline *tl, unsigned other,
                               uint64_t seqno)
{
    TLGPUState *s = tl->dev;

    if (other >= s->num_timelines || other == tl->idx) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: WAIT on timeline %u\n",
                      __func__, tl->idx, other);
        return TLGPU_ERR_BAD_COMMAND;
    }
    trace_tlgpu_wait_begin(tl->idx, other, seqno);
    tlgpu_set_state(tl, TLGPU_TL_WAITING);
    qemu_mutex_lock(&s->done_lock);
    while (s->completed[other] < seqno && !qatomic_read(&tl->stop)) {
        qemu_cond_wait(&s->done_cond, &s->done_lock);
    }
    qemu_mutex_unlock(&s->done_lock);
    tlgpu_set_state(tl, TLGPU_TL_BUSY);
    trace_tlgpu_wait_end(tl->idx, other, seqno);
    return TLGPU_ERR_NONE;
}

/*
 * Complete the current job: status slot, then seqno, then interrupt.
 * Returns false when a reset cut it short (the job is then dropped).
 */
static bool tlgpu_cmd_fence(TLGPUTimeline *tl, uint64_t status, uint64_t seqno,
                            uint32_t flags)
{
    TLGPUState *s = tl->dev;
    uint32_t err = tl->job_error;
    uint32_t jitter, slot_err;
    uint64_t seq_le = cpu_to_le64(seqno);
    bool status_lost = false;

    if (!err) {
        err = tlgpu_inject_job_error(tl, seqno);
    }
    jitter = tlgpu_inject_jitter_us(tl, seqno);
    if (jitter && !tlgpu_sleep(tl, jitter)) {
        return false;
    }

    /*
     * A status page that cannot be written any more (memory unplugged or
     * remapped since enable) halts the timeline; the job's own error, even
     * an injected BAD_RING, is only reported.
     */
    slot_err = cpu_to_le32(err);
    if (tlgpu_phys_rw(s, status + offsetof(struct tlgpu_status_page, error) +
                      (seqno % TLGPU_STATUS_SLOTS) * 4, &slot_err, 4, true)) {
        status_lost = true;
    }
    smp_wmb();
    if (tlgpu_phys_rw(s, status, &seq_le, sizeof(seq_le), true)) {
        status_lost = true;
    }

    qemu_mutex_lock(&s->done_lock);
    s->completed[tl->idx] = seqno;
    qemu_cond_broadcast(&s->done_cond);
    qemu_mutex_unlock(&s->done_lock);

    trace_tlgpu_fence(tl->idx, seqno, status_lost ? TLGPU_ERR_BAD_RING : err);
    qemu_mutex_lock(&tl->lock);
    tl->jobs_done++;
    if (status_lost) {
        tlgpu_halt_locked(tl, TLGPU_ERR_BAD_RING);
    } else if (flags & TLGPU_FENCE_IRQ) {
        tlgpu_irq_request(tl);
    }
    qemu_mutex_unlock(&tl->lock);

    tl->job_as = TLGPU_NO_AS;
    tl->job_error = TLGPU_ERR_NONE;
    tl->job_started = false;
    return true;
}

static void tlgpu_job_fault(TLGPUTimeline *tl, uint32_t err, uint64_t va)
{
    qemu_mutex_lock(&tl->lock);
    tl->error = err;
    tl->fault_va = va;
    qemu_mutex_unlock(&tl->lock);
    tl->job_error = err;
    trace_tlgpu_fault(tl->idx, err, va);
}

/*
 * Execute one validated command copy; worker thread, no lock held.
 * Returns true when the command completed a job (a FENCE that ran to the
 * end), which then counts as done even if a reset arrives right after.
 */
static bool tlgpu_execute(TLGPUTimeline *tl, TLGPUWalk *walk,
                          uint64_t status, const uint32_t *cmd)
{
    TLGPUState *s = tl->dev;
    unsigned op = TLGPU_CMD_OP(cmd[0]);
    uint64_t fault_va = 0;
    uint32_t err = TLGPU_ERR_NONE;
    bool *stop = &tl->stop;

    tl->job_started = true;
    if (op == TLGPU_OP_FENCE) {
        return tlgpu_cmd_fence(tl, status, tlgpu_u64(cmd, 2),
                               TLGPU_CMD_FLAGS(cmd[0]));
    }
    if (tl->job_error) {
        return false;   /* the job failed: skip to its FENCE */
    }
    if (((op >= TLGPU_OP_FILL && op <= TLGPU_OP_CHECKSUM) ||
         op == TLGPU_OP_STORE) && tl->job_as == TLGPU_NO_AS) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: opcode %u without an "
                      "address space (SET_AS)\n", __func__, tl->idx, op);
        tlgpu_job_fault(tl, TLGPU_ERR_BAD_AS, 0);
        return false;
    }

    switch (op) {
    case TLGPU_OP_NOP:
        break;
    case TLGPU_OP_SET_AS:
        err = tlgpu_walk_begin(s, cmd[1], walk);
        if (err) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: SET_AS %u: address "
                          "space missing, disabled or misaligned (error %u)\n",
                          __func__, tl->idx, cmd[1], err);
        }
        tl->job_as = err ? TLGPU_NO_AS : cmd[1];
        break;
    case TLGPU_OP_FILL: {
        uint32_t pattern = cmd[1];
        uint64_t va = tlgpu_u64(cmd, 2), size = tlgpu_u64(cmd, 4);

        if ((va | size) & 3) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: FILL va 0x%" PRIx64
                          " size 0x%" PRIx64 " not 4-byte aligned\n",
                          __func__, tl->idx, va, size);
            err = TLGPU_ERR_BAD_COMMAND;
            fault_va = va;
            break;
        }
        err = tlgpu_va_for_each(s, walk, va, size, true, tlgpu_fill_fn,
                                &pattern, &fault_va, stop);
        break;
    }
    case TLGPU_OP_COPY:
        err = tlgpu_va_copy(s, walk, tlgpu_u64(cmd, 2), tlgpu_u64(cmd, 4),
                            tlgpu_u64(cmd, 6), &fault_va, stop);
        break;
    case TLGPU_OP_CHECKSUM: {
        uint64_t va = tlgpu_u64(cmd, 2), size = tlgpu_u64(cmd, 4);
        uint64_t dst = tlgpu_u64(cmd, 6);
        uLong crc = crc32(0, NULL, 0);
        uint32_t crc_le;

        if (dst & 3) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: CHECKSUM dst 0x%" PRIx64
                          " not 4-byte aligned\n", __func__, tl->idx, dst);
            err = TLGPU_ERR_BAD_COMMAND;
            fault_va = dst;
            break;
        }
        err = tlgpu_va_for_each(s, walk, va, size, false, tlgpu_crc_fn, &crc,
                                &fault_va, stop);
        if (!err) {
            crc_le = cpu_to_le32(crc);
            err = tlgpu_va_for_each(s, walk, dst, 4, true, tlgpu_store_fn,
                                    &crc_le, &fault_va, stop);
        }
        break;
    }
    case TLGPU_OP_STORE: {
        uint64_t va = tlgpu_u64(cmd, 2);
        uint64_t val = cpu_to_le64(tlgpu_u64(cmd, 4));

        if (va & 7) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: STORE va 0x%" PRIx64
                          " not 8-byte aligned\n", __func__, tl->idx, va);
            err = TLGPU_ERR_BAD_COMMAND;
            fault_va = va;
        } else {
            err = tlgpu_va_for_each(s, walk, va, 8, true, tlgpu_store_fn,
                                    &val, &fault_va, stop);
        }
        break;
    }
    case TLGPU_OP_WAIT:
        err = tlgpu_cmd_wait(tl, cmd[1], tlgpu_u64(cmd, 2));
        break;
    case TLGPU_OP_DELAY:
        if (cmd[1] > TLGPU_MAX_DELAY_US) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: DELAY of %u us above "
                          "the limit of %u\n", __func__, tl->idx, cmd[1],
                          TLGPU_MAX_DELAY_US);
            err = TLGPU_ERR_BAD_COMMAND;
            break;
        }
        tlgpu_set_state(tl, TLGPU_TL_WAITING);
        tlgpu_sleep(tl, cmd[1]);
        tlgpu_set_state(tl, TLGPU_TL_BUSY);
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: unknown opcode 0x%x\n",
                      __func__, tl->idx, op);
        err = TLGPU_ERR_BAD_COMMAND;
    }
    if (err && !qatomic_read(&tl->stop)) {
        tlgpu_job_fault(tl, err, fault_va);
    }
    return false;
}

/* Count the jobs (FENCEs) queued in [head, tail), for JOBS_DROPPED. */
static uint32_t tlgpu_count_queued(TLGPUTimeline *tl)
{
    uint32_t cmd[TLGPU_CMD_MAX_DW];
    uint32_t head = tl->head, n = 0, steps;
    unsigned len;

    /* A halted timeline's queue counts up to the first bad header. */
    if (!(tl->ctrl & TLGPU_TL_CTRL_ENABLE) || !tl->ring_ok) {
        return 0;
    }
    /* Each command is at least 8 bytes: a full ring holds size / 8. */
    for (steps = 0; head != tl->tail && steps < tl->ring_size / 8; steps++) {
        len = tlgpu_fetch(tl, tl->ring_base, tl->ring_size, head, tl->tail,
                          cmd);
        if (!len) {
            break;
        }
        n += TLGPU_CMD_OP(cmd[0]) == TLGPU_OP_FENCE;
        head = (head + len) & (tl->ring_size - 1);
    }
    return n;
}

/* The worker's half of the reset handshake; tl->lock held. */
static void tlgpu_do_reset_locked(TLGPUTimeline *tl)
{
    uint32_t dropped = tlgpu_count_queued(tl);

    tl->jobs_dropped += dropped;
    trace_tlgpu_tl_reset(tl->idx, dropped, tl->disable_on_reset);
    if (tl->disable_on_reset) {
        tl->ring_base = 0;
        tl->ring_size = 0;
        tl->tail = 0;
        tl->ctrl = 0;
        tl->status_addr = 0;
        tl->jobs_done = 0;
        tl->jobs_dropped = 0;
        tl->irqs = 0;
        tl->irqs_coalesced = 0;
        tl->ring_ok = false;
    }
    tl->head = tl->tail;
    tl->error = TLGPU_ERR_NONE;
    tl->fault_va = 0;
    if (!(tl->ctrl & TLGPU_TL_CTRL_ENABLE)) {
        tl->state = TLGPU_TL_STOPPED;
    } else if (tl->ring_ok) {
        tl->state = TLGPU_TL_IDLE;
    } else {
        /* Enabled on a bad ring: a reset does not make it usable. */
        tl->state = TLGPU_TL_HALTED;
        tl->error = TLGPU_ERR_BAD_RING;
    }
    tl->irq_latched = false;
    tl->irq_request = false;
    tl->job_as = TLGPU_NO_AS;
    tl->job_error = TLGPU_ERR_NONE;
    tl->job_started = false;
    tl->reset_request = false;
    qatomic_set(&tl->stop, tl->exiting);
    qemu_cond_broadcast(&tl->cond);
}

static void *tlgpu_timeline_thread(void *opaque)
{
    TLGPUTimeline *tl = opaque;
    uint32_t cmd[TLGPU_CMD_MAX_DW];
    TLGPUWalk *walk = g_new0(TLGPUWalk, 1);
    uint64_t base, status;
    uint32_t size, head;
    unsigned len;
    bool done;

    /*
     * The thread reads guest memory inside RCU read-side sections
     * (tlgpu-mmu.c); QEMU's RCU waits only for the readers of registered
     * threads, so unregistered, a flat view could be freed under a
     * translation (ASan: heap-use-after-free in address_space_lookup_region,
     * the device fuzzer's seed 1 with resets during COPYs).
     */
    rcu_register_thread();
    qemu_mutex_lock(&tl->lock);
    while (!tl->exiting) {
        if (tl->reset_request) {
            tlgpu_do_reset_locked(tl);
            continue;
        }
        if (!tlgpu_runnable(tl)) {
            if (tl->state == TLGPU_TL_BUSY || tl->state == TLGPU_TL_WAITING) {
                tl->state = TLGPU_TL_IDLE;
            }
            qemu_cond_wait(&tl->cond, &tl->lock);
            continue;
        }
        if (!tl->job_started && tlgpu_inject_hang(tl)) {
            tl->state = TLGPU_TL_HUNG;
            trace_tlgpu_tl_hang(tl->idx);
            continue;
        }
        base = tl->ring_base;
        size = tl->ring_size;
        head = tl->head;
        status = tl->status_addr;
        len = tlgpu_fetch(tl, base, size, head, tl->tail, cmd);
        if (!len) {
            tlgpu_halt_locked(tl, TLGPU_ERR_BAD_COMMAND);
            continue;
        }
        tl->state = TLGPU_TL_BUSY;
        qemu_mutex_unlock(&tl->lock);

        trace_tlgpu_cmd(tl->idx, head, TLGPU_CMD_OP(cmd[0]));
        done = tlgpu_execute(tl, walk, status, cmd);

        qemu_mutex_lock(&tl->lock);
        /* A job whose FENCE completed is done, not dropped by the reset. */
        if (done || (!tl->reset_request && !tl->exiting)) {
            tl->head = (head + len) & (size - 1);
        }
    }
    qemu_mutex_unlock(&tl->lock);
    g_free(walk);
    rcu_unregister_thread();
    return NULL;
}

void tlgpu_timeline_init(TLGPUState *s, unsigned idx)
{
    TLGPUTimeline *tl = &s->tl[idx];
    char name[32];

    tl->dev = s;
    tl->idx = idx;
    tl->job_as = TLGPU_NO_AS;
    qemu_mutex_init(&tl->lock);
    qemu_cond_init(&tl->cond);
    snprintf(name, sizeof(name), "tlgpu-tl%u", idx);
    qemu_thread_create(&tl->thread, name, tlgpu_timeline_thread, tl,
                       QEMU_THREAD_JOINABLE);
}

static void tlgpu_timeline_stop(TLGPUTimeline *tl)
{
    TLGPUState *s = tl->dev;

    qatomic_set(&tl->stop, true);
    qemu_cond_broadcast(&tl->cond);
    /* A WAIT checks stop under done_lock: no lost wake-up. */
    qemu_mutex_lock(&s->done_lock);
    qemu_cond_broadcast(&s->done_cond);
    qemu_mutex_unlock(&s->done_lock);
}

void tlgpu_timeline_fini(TLGPUTimeline *tl)
{
    qemu_mutex_lock(&tl->lock);
    tl->exiting = true;
    tlgpu_timeline_stop(tl);
    qemu_mutex_unlock(&tl->lock);
    qemu_thread_join(&tl->thread);
    qemu_cond_destroy(&tl->cond);
    qemu_mutex_destroy(&tl->lock);
}

void tlgpu_timeline_reset(TLGPUTimeline *tl, bool disable)
{
    qemu_mutex_lock(&tl->lock);
    tl->reset_request = true;
    tl->disable_on_reset = disable;
    tlgpu_timeline_stop(tl);
    while (tl->reset_request) {
        qemu_cond_wait(&tl->cond, &tl->lock);
    }
    qemu_mutex_unlock(&tl->lock);
}

/* CTRL.ENABLE 0 -> 1: check the ring and status page, then start. */
static void tlgpu_enable_locked(TLGPUTimeline *tl)
{
    uint32_t size = tl->ring_size;

    tl->ctrl |= TLGPU_TL_CTRL_ENABLE;
    tl->head = tl->tail = 0;
    tl->error = TLGPU_ERR_NONE;
    tl->ring_ok = tlgpu_ring_valid(tl);
    if (!tl->ring_ok) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: bad ring 0x%" PRIx64
                      "/0x%x or status page 0x%" PRIx64 "\n", __func__,
                      tl->idx, tl->ring_base, size, tl->status_addr);
        tlgpu_halt_locked(tl, TLGPU_ERR_BAD_RING);
        return;
    }
    tl->state = TLGPU_TL_IDLE;
    trace_tlgpu_tl_enable(tl->idx, tl->ring_base, size, tl->status_addr);
}

uint32_t tlgpu_timeline_read(TLGPUTimeline *tl, unsigned reg)
{
    uint32_t val = 0;

    if (reg == TLGPU_TL_COMPLETED_LO || reg == TLGPU_TL_COMPLETED_HI) {
        uint64_t c = tlgpu_completed(tl->dev, tl->idx);

        return reg == TLGPU_TL_COMPLETED_LO ? (uint32_t)c : c >> 32;
    }
    qemu_mutex_lock(&tl->lock);
    switch (reg) {
    case TLGPU_TL_RING_LO:
        val = tl->ring_base;
        break;
    case TLGPU_TL_RING_HI:
        val = tl->ring_base >> 32;
        break;
    case TLGPU_TL_RING_SIZE:
        val = tl->ring_size;
        break;
    case TLGPU_TL_RING_HEAD:
        val = tl->head;
        break;
    case TLGPU_TL_RING_TAIL:
        val = tl->tail;
        break;
    case TLGPU_TL_CTRL:
        val = tl->ctrl;
        break;
    case TLGPU_TL_STATUS_LO:
        val = tl->status_addr;
        break;
    case TLGPU_TL_STATUS_HI:
        val = tl->status_addr >> 32;
        break;
    case TLGPU_TL_STATE:
        val = tl->state;
        break;
    case TLGPU_TL_ERROR:
        val = tl->error;
        break;
    case TLGPU_TL_FAULT_LO:
        val = tl->fault_va;
        break;
    case TLGPU_TL_FAULT_HI:
        val = tl->fault_va >> 32;
        break;
    case TLGPU_TL_IRQ_ACK:
    case TLGPU_TL_RESET:
        break;
    case TLGPU_TL_JOBS_DONE:
        val = tl->jobs_done;
        break;
    case TLGPU_TL_JOBS_DROPPED:
        val = tl->jobs_dropped;
        break;
    case TLGPU_TL_IRQS:
        val = tl->irqs;
        break;
    case TLGPU_TL_IRQS_COALESCED:
        val = tl->irqs_coalesced;
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: bad register 0x%x\n",
                      __func__, tl->idx, reg);
    }
    qemu_mutex_unlock(&tl->lock);
    return val;
}

static bool tlgpu_setup_writable(TLGPUTimeline *tl, unsigned reg)
{
    if (tl->ctrl & TLGPU_TL_CTRL_ENABLE) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: register 0x%x is "
                      "read-only while enabled\n", __func__, tl->idx, reg);
        return false;
    }
    return true;
}

void tlgpu_timeline_write(TLGPUTimeline *tl, unsigned reg, uint32_t val)
{
    bool enabled;

    /* Reset and disable hand shake with the worker: not under tl->lock. */
    if (reg == TLGPU_TL_RESET) {
        if ((val & 1) && !tlgpu_inject_reset_fails(tl->dev, tl->idx)) {
            tlgpu_timeline_reset(tl, false);
        }
        return;
    }
    qemu_mutex_lock(&tl->lock);
    enabled = tl->ctrl & TLGPU_TL_CTRL_ENABLE;
    if (reg == TLGPU_TL_CTRL && enabled && !(val & TLGPU_TL_CTRL_ENABLE)) {
        qemu_mutex_unlock(&tl->lock);
        tlgpu_timeline_reset(tl, false);
        qemu_mutex_lock(&tl->lock);
        tl->ctrl = 0;
        tl->ring_ok = false;
        tl->state = TLGPU_TL_STOPPED;
        trace_tlgpu_tl_disable(tl->idx);
        qemu_mutex_unlock(&tl->lock);
        return;
    }

    switch (reg) {
    case TLGPU_TL_RING_LO:
        if (tlgpu_setup_writable(tl, reg)) {
            tl->ring_base = deposit64(tl->ring_base, 0, 32, val);
        }
        break;
    case TLGPU_TL_RING_HI:
        if (tlgpu_setup_writable(tl, reg)) {
            tl->ring_base = deposit64(tl->ring_base, 32, 32, val);
        }
        break;
    case TLGPU_TL_RING_SIZE:
        if (tlgpu_setup_writable(tl, reg)) {
            tl->ring_size = val;
        }
        break;
    case TLGPU_TL_STATUS_LO:
        if (tlgpu_setup_writable(tl, reg)) {
            tl->status_addr = deposit64(tl->status_addr, 0, 32, val);
        }
        break;
    case TLGPU_TL_STATUS_HI:
        if (tlgpu_setup_writable(tl, reg)) {
            tl->status_addr = deposit64(tl->status_addr, 32, 32, val);
        }
        break;
    case TLGPU_TL_CTRL:
        if (val & ~TLGPU_TL_CTRL_ENABLE) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: reserved CTRL bits "
                          "0x%x\n", __func__, tl->idx, val);
        }
        if (!enabled && (val & TLGPU_TL_CTRL_ENABLE)) {
            tlgpu_enable_locked(tl);
        }
        break;
    case TLGPU_TL_RING_TAIL:
        if (!enabled || !tl->ring_ok || tl->state == TLGPU_TL_HALTED) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: doorbell while "
                          "stopped\n", __func__, tl->idx);
        } else if (val >= tl->ring_size || (val & 7)) {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: bad tail 0x%x\n",
                          __func__, tl->idx, val);
            tlgpu_halt_locked(tl, TLGPU_ERR_BAD_RING);
        } else {
            tl->tail = val;
            trace_tlgpu_doorbell(tl->idx, val);
            qemu_cond_broadcast(&tl->cond);
        }
        break;
    case TLGPU_TL_IRQ_ACK:
        if (val & 1) {
            tl->irq_latched = false;
            trace_tlgpu_irq_ack(tl->idx);
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: tl%u: write to read-only or "
                      "unknown register 0x%x\n", __func__, tl->idx, reg);
    }
    qemu_mutex_unlock(&tl->lock);
}

char *tlgpu_timeline_describe(TLGPUTimeline *tl)
{
    uint64_t completed = tlgpu_completed(tl->dev, tl->idx);
    char *str;

    qemu_mutex_lock(&tl->lock);
    str = g_strdup_printf("tl%u: state=%s head=0x%x tail=0x%x completed=%"
                          PRIu64 " error=%u jobs=%u dropped=%u irqs=%u "
                          "coalesced=%u ring=0x%" PRIx64 " size=0x%x "
                          "ctrl=0x%x status=0x%" PRIx64 " fault=0x%" PRIx64
                          " irq-latched=%d", tl->idx,
                          tlgpu_state_names[tl->state], tl->head, tl->tail,
                          completed, tl->error, tl->jobs_done,
                          tl->jobs_dropped, tl->irqs, tl->irqs_coalesced,
                          tl->ring_base, tl->ring_size, tl->ctrl,
                          tl->status_addr, tl->fault_va, tl->irq_latched);
    qemu_mutex_unlock(&tl->lock);
    return str;
}
