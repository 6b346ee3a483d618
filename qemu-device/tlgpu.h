/*
 * tlgpu - timeline GPU, QEMU device model: internal definitions.
 *
 * The guest-visible contract (registers, commands, page tables) lives in
 * include/tlgpu/tlgpu_hw.h; docs/device-spec.rst explains it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_TLGPU_H
#define HW_TLGPU_H

#include "tlgpu-compat.h"
#include "qemu/thread.h"
#include "qom/object.h"
#include "tlgpu/tlgpu_hw.h"

#define TYPE_TLGPU "tlgpu"
OBJECT_DECLARE_SIMPLE_TYPE(TLGPUState, TLGPU)

typedef struct TLGPUTimeline TLGPUTimeline;

/* One GPU address space: the root of its page tables. */
typedef struct TLGPUAddrSpace {
    uint64_t pt_root;
    uint32_t ctrl;
} TLGPUAddrSpace;

/* Fault injection: settings (harness-owned, survive resets) and counters. */
typedef struct TLGPUInject {
    uint32_t fail_timeline;     /* UINT32_MAX: any timeline */
    uint64_t fail_seqno;        /* 0: off */
    uint32_t fail_every;        /* 0: off */
    uint32_t fail_error;
    uint32_t jitter_us;         /* 0: off */
    uint32_t jitter_seed;
    uint64_t hang_mask;
    uint32_t irq_drop_every;    /* 0: off */
    uint32_t irq_dup_every;     /* 0: off */

    uint32_t cnt_failed;
    uint32_t cnt_hung;
    uint32_t cnt_jitter;
    uint32_t cnt_irq_dropped;
    uint32_t cnt_irq_duped;
    uint32_t cnt_irq_spurious;
    uint32_t reset_fail;        /* the next N register resets fail */
    uint32_t cnt_reset_failed;
    uint64_t irq_seq;           /* interrupts considered, for every-Nth */
} TLGPUInject;

struct TLGPUTimeline {
    TLGPUState *dev;
    unsigned idx;
    QemuThread thread;

    /*
     * @lock protects every field below.  Taken by the MMIO handlers (with
     * the BQL held), the interrupt bottom half (BQL held) and the worker
     * (never holding the BQL).  Never held while a command executes.
     */
    QemuMutex lock;
    /* Broadcast on doorbell, reset request, reset done and exit. */
    QemuCond cond;

    /* Registers. */
    uint64_t ring_base;
    uint32_t ring_size;
    uint32_t head;
    uint32_t tail;
    uint32_t ctrl;
    uint64_t status_addr;
    uint32_t state;             /* enum tlgpu_tl_state */
    uint32_t error;
    uint64_t fault_va;
    uint32_t jobs_done;
    uint32_t jobs_dropped;
    uint32_t irqs;
    uint32_t irqs_coalesced;
    /* The ring registers passed tlgpu_ring_valid() when last enabled. */
    bool ring_ok;

    /* Interrupt latch: set when raised, cleared by TLGPU_TL_IRQ_ACK. */
    bool irq_latched;
    /* Completions not yet turned into an interrupt by the bottom half. */
    bool irq_request;

    /* Reset handshake: the requester waits until the worker clears it. */
    bool reset_request;
    bool disable_on_reset;
    bool exiting;
    /* reset_request || exiting: read without the lock to cut commands short */
    bool stop;

    /* Jitter generator state, reseeded with the seed. */
    uint64_t rng;

    /* Worker-only: the job being executed (no lock needed). */
    uint32_t job_as;            /* UINT32_MAX: none selected */
    uint32_t job_error;
    bool job_started;
};

struct TLGPUState {
    PCIDevice parent_obj;

    /* Properties. */
    uint32_t num_timelines;

    /* Guest-visible global registers (BQL). */
    MemoryRegion mmio;
    uint32_t scratch;
    uint32_t reset_count;

    /* Raises the timelines' MSI-X vectors from the main loop. */
    QEMUBH *irq_bh;

    /* @lock protects @as and @inj.  Held briefly, never across DMA. */
    QemuMutex lock;
    TLGPUAddrSpace as[TLGPU_NUM_AS];
    TLGPUInject inj;

    /*
     * @done_lock protects @completed of every timeline; @done_cond is
     * broadcast when one advances and on resets, for WAIT.
     */
    QemuMutex done_lock;
    QemuCond done_cond;
    uint64_t *completed;

    TLGPUTimeline *tl;
};

/* tlgpu-timeline.c */
void tlgpu_timeline_init(TLGPUState *s, unsigned idx);
void tlgpu_timeline_fini(TLGPUTimeline *tl);
uint32_t tlgpu_timeline_read(TLGPUTimeline *tl, unsigned reg);
void tlgpu_timeline_write(TLGPUTimeline *tl, unsigned reg, uint32_t val);
void tlgpu_timeline_reset(TLGPUTimeline *tl, bool disable);
uint64_t tlgpu_completed(TLGPUState *s, unsigned idx);
char *tlgpu_timeline_describe(TLGPUTimeline *tl);

/* tlgpu-mmu.c */
typedef struct TLGPUWalk {
    uint64_t root;
    uint64_t l0_base;           /* VA of the cached L0 table, or 1: none */
    uint64_t l0[TLGPU_PT_ENTRIES];
} TLGPUWalk;

uint32_t tlgpu_phys_rw(TLGPUState *s, uint64_t pa, void *buf, uint64_t len,
                       bool is_write);
bool tlgpu_phys_is_ram(TLGPUState *s, uint64_t pa, uint64_t len,
                       bool is_write);
uint32_t tlgpu_walk_begin(TLGPUState *s, unsigned as, TLGPUWalk *w);
uint32_t tlgpu_translate(TLGPUState *s, TLGPUWalk *w, uint64_t va,
                         bool is_write, uint64_t *pa);
typedef void TLGPURangeFn(void *host, uint64_t off, uint64_t len,
                          void *opaque);
uint32_t tlgpu_va_for_each(TLGPUState *s, TLGPUWalk *w, uint64_t va,
                           uint64_t size, bool is_write, TLGPURangeFn *fn,
                           void *opaque, uint64_t *fault_va,
                           const bool *abort_flag);
uint32_t tlgpu_va_copy(TLGPUState *s, TLGPUWalk *w, uint64_t dst,
                       uint64_t src, uint64_t size, uint64_t *fault_va,
                       const bool *abort_flag);

/* tlgpu-inject.c */
void tlgpu_inject_class_init(ObjectClass *oc);
uint32_t tlgpu_inject_job_error(TLGPUTimeline *tl, uint64_t seqno);
uint32_t tlgpu_inject_jitter_us(TLGPUTimeline *tl, uint64_t seqno);
bool tlgpu_inject_hang(TLGPUTimeline *tl);
void tlgpu_inject_reseed(TLGPUState *s);
uint32_t tlgpu_inject_read(TLGPUState *s, unsigned reg);
void tlgpu_inject_write(TLGPUState *s, unsigned reg, uint32_t val);
void tlgpu_inject_irq_fate(TLGPUState *s, bool *drop, bool *dup);
void tlgpu_inject_spurious(TLGPUState *s, uint32_t vector);
bool tlgpu_inject_reset_fails(TLGPUState *s, int tl);

/* tlgpu-irq.c: interrupt delivery */
void tlgpu_irq_request(TLGPUTimeline *tl);
void tlgpu_irq_raise(TLGPUState *s, unsigned vector);
void tlgpu_irq_bh(void *opaque);

#endif /* HW_TLGPU_H */
