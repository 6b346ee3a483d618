/*
 * tlgpu - fault injection.
 *
 * The test harness steers faults three ways, all on the same settings
 * (s->inj, under s->lock): `-device tlgpu,inject-...=` at start, QMP
 * `qom-set` at run time, and the TLGPU_REG_INJ_* registers from the guest.
 * Settings survive device resets (they belong to the harness, not to the
 * guest); counters of what was injected are readable with `qom-get` and
 * through registers.
 *
 * Interrupts are delivered by tlgpu-irq.c, which asks
 * tlgpu_inject_irq_fate() whether to drop or duplicate each one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "tlgpu.h"
#include "trace.h"

/* One injection setting or counter, exposed as QOM property and register. */
typedef struct TLGPUInjField {
    const char *name;
    const char *desc;
    size_t offset;      /* in TLGPUInject */
    bool is64;
    bool writable;
    unsigned reg;       /* TLGPU_REG_INJ_* (low half for 64-bit) */
} TLGPUInjField;

#define INJ32(n, f, w, r, d) \
    { n, d, offsetof(TLGPUInject, f), false, w, r }
#define INJ64(n, f, w, r, d) \
    { n, d, offsetof(TLGPUInject, f), true, w, r }

static const TLGPUInjField tlgpu_inj_fields[] = {
    INJ32("inject-fail-timeline", fail_timeline, true,
          TLGPU_REG_INJ_FAIL_TIMELINE,
          "timeline the failures apply to, 4294967295 for any"),
    INJ64("inject-fail-seqno", fail_seqno, true, TLGPU_REG_INJ_FAIL_SEQNO_LO,
          "fail the job with this fence seqno (0: off)"),
    INJ32("inject-fail-every", fail_every, true, TLGPU_REG_INJ_FAIL_EVERY,
          "fail every Nth job of a timeline (0: off)"),
    INJ32("inject-fail-error", fail_error, true, TLGPU_REG_INJ_FAIL_ERROR,
          "error code reported for an injected failure"),
    INJ32("inject-jitter-us", jitter_us, true, TLGPU_REG_INJ_JITTER_US,
          "maximum random delay before each completion, microseconds"),
    INJ32("inject-jitter-seed", jitter_seed, true, TLGPU_REG_INJ_JITTER_SEED,
          "seed of the jitter generator; setting it reseeds"),
    INJ64("inject-hang-mask", hang_mask, true, TLGPU_REG_INJ_HANG_MASK_LO,
          "timelines (bit per timeline) that hang at their next job"),
    INJ32("inject-irq-drop-every", irq_drop_every, true,
          TLGPU_REG_INJ_IRQ_DROP_EVERY, "drop every Nth interrupt (0: off)"),
    INJ32("inject-irq-dup-every", irq_dup_every, true,
          TLGPU_REG_INJ_IRQ_DUP_EVERY,
          "deliver every Nth interrupt twice (0: off)"),
    INJ32("inject-reset-fail", reset_fail, true, TLGPU_REG_INJ_RESET_FAIL,
          "the next N timeline or device resets by register fail"),
    INJ32("injected-failed", cnt_failed, false, TLGPU_REG_INJ_CNT_FAILED,
          "jobs failed on purpose"),
    INJ32("injected-hangs", cnt_hung, false, TLGPU_REG_INJ_CNT_HUNG,
          "hangs entered"),
    INJ32("injected-jitter", cnt_jitter, false, TLGPU_REG_INJ_CNT_JITTER,
          "completions delayed by jitter"),
    INJ32("injected-irq-dropped", cnt_irq_dropped, false,
          TLGPU_REG_INJ_CNT_IRQ_DROPPED, "interrupts dropped"),
    INJ32("injected-irq-duped", cnt_irq_duped, false,
          TLGPU_REG_INJ_CNT_IRQ_DUPED, "interrupts duplicated"),
    INJ32("injected-irq-spurious", cnt_irq_spurious, false,
          TLGPU_REG_INJ_CNT_IRQ_SPURIOUS, "spurious interrupts raised"),
    INJ32("injected-reset-failed", cnt_reset_failed, false,
          TLGPU_REG_INJ_CNT_RESET_FAILED, "register resets that failed"),
};

static uint64_t tlgpu_inj_get(TLGPUState *s, const TLGPUInjField *f)
{
    void *p = (uint8_t *)&s->inj + f->offset;

    return f->is64 ? *(uint64_t *)p : *(uint32_t *)p;
}

/* s->lock held. */
static void tlgpu_inj_set(TLGPUState *s, const TLGPUInjField *f, uint64_t v)
{
    void *p = (uint8_t *)&s->inj + f->offset;

    if (f->is64) {
        *(uint64_t *)p = v;
    } else {
        *(uint32_t *)p = v;
    }
    trace_tlgpu_inject_set(f->name, v);
}

/* xorshift64*: small, fast, and the same sequence for the same seed. */
static uint64_t tlgpu_rng_next(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* s->lock held by the caller, or the device not yet running. */
static void tlgpu_reseed_locked(TLGPUState *s)
{
    unsigned i;

    for (i = 0; s->tl && i < s->num_timelines; i++) {
        /* Never zero: xorshift would stay at zero forever. */
        s->tl[i].rng = ((uint64_t)s->inj.jitter_seed << 8 | i) ^
                       0x9e3779b97f4a7c15ull;
    }
}

void tlgpu_inject_reseed(TLGPUState *s)
{
    qemu_mutex_lock(&s->lock);
    tlgpu_reseed_locked(s);
    qemu_mutex_unlock(&s->lock);
}

static void tlgpu_inj_prop_get(Object *obj, Visitor *v, const char *name,
                               void *opaque, Error **errp)
{
    TLGPUState *s = TLGPU(obj);
    const TLGPUInjField *f = opaque;
    uint64_t val;

    qemu_mutex_lock(&s->lock);
    val = tlgpu_inj_get(s, f);
    qemu_mutex_unlock(&s->lock);
    visit_type_uint64(v, name, &val, errp);
}

static void tlgpu_inj_prop_set(Object *obj, Visitor *v, const char *name,
                               void *opaque, Error **errp)
{
    TLGPUState *s = TLGPU(obj);
    const TLGPUInjField *f = opaque;
    uint64_t val;

    if (!visit_type_uint64(v, name, &val, errp)) {
        return;
    }
    if (!f->is64 && val > UINT32_MAX) {
        error_setg(errp, "%s: %" PRIu64 " does not fit 32 bits", name, val);
        return;
    }
    qemu_mutex_lock(&s->lock);
    tlgpu_inj_set(s, f, val);
    if (f->offset == offsetof(TLGPUInject, jitter_seed)) {
        tlgpu_reseed_locked(s);
    }
    qemu_mutex_unlock(&s->lock);
}

static void tlgpu_spurious_prop_set(Object *obj, Visitor *v, const char *name,
                                    void *opaque, Error **errp)
{
    TLGPUState *s = TLGPU(obj);
    uint32_t vector;

    if (!visit_type_uint32(v, name, &vector, errp)) {
        return;
    }
    if (!s->tl || vector > s->num_timelines) {
        error_setg(errp, "%s: no MSI-X vector %u", name, vector);
        return;
    }
    tlgpu_inject_spurious(s, vector);
}

void tlgpu_inject_class_init(ObjectClass *oc)
{
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(tlgpu_inj_fields); i++) {
        const TLGPUInjField *f = &tlgpu_inj_fields[i];

        object_class_property_add(oc, f->name, "uint64", tlgpu_inj_prop_get,
                                  f->writable ? tlgpu_inj_prop_set : NULL,
                                  NULL, (void *)f);
        object_class_property_set_description(oc, f->name, f->desc);
    }
    object_class_property_add(oc, "inject-spurious", "uint32", NULL,
                              tlgpu_spurious_prop_set, NULL, NULL);
    object_class_property_set_description(oc, "inject-spurious",
        "raise this MSI-X vector once, now, with nothing completed");
}

uint32_t tlgpu_inject_read(TLGPUState *s, unsigned reg)
{
    uint32_t val = 0;
    unsigned i;

    qemu_mutex_lock(&s->lock);
    for (i = 0; i < ARRAY_SIZE(tlgpu_inj_fields); i++) {
        const TLGPUInjField *f = &tlgpu_inj_fields[i];

        if (reg == f->reg) {
            val = tlgpu_inj_get(s, f);
            break;
        }
        if (f->is64 && reg == f->reg + 4) {
            val = tlgpu_inj_get(s, f) >> 32;
            break;
        }
    }
    qemu_mutex_unlock(&s->lock);
    if (i == ARRAY_SIZE(tlgpu_inj_fields) && reg != TLGPU_REG_INJ_SPURIOUS) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: bad register 0x%x\n",
                      __func__, reg);
    }
    return val;
}

void tlgpu_inject_write(TLGPUState *s, unsigned reg, uint32_t val)
{
    unsigned i;

    if (reg == TLGPU_REG_INJ_SPURIOUS) {
        if (val <= s->num_timelines) {
            tlgpu_inject_spurious(s, val);
        } else {
            qemu_log_mask(LOG_GUEST_ERROR, "%s: no vector %u\n",
                          __func__, val);
        }
        return;
    }
    qemu_mutex_lock(&s->lock);
    for (i = 0; i < ARRAY_SIZE(tlgpu_inj_fields); i++) {
        const TLGPUInjField *f = &tlgpu_inj_fields[i];

        if (!f->writable || (reg != f->reg && !(f->is64 && reg == f->reg + 4))) {
            continue;
        }
        tlgpu_inj_set(s, f, deposit64(tlgpu_inj_get(s, f),
                                      reg == f->reg ? 0 : 32, 32, val));
        if (f->offset == offsetof(TLGPUInject, jitter_seed)) {
            tlgpu_reseed_locked(s);
        }
        break;
    }
    qemu_mutex_unlock(&s->lock);
    if (i == ARRAY_SIZE(tlgpu_inj_fields)) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write to read-only or unknown "
                      "register 0x%x\n", __func__, reg);
    }
}

/* The error an injection gives job @seqno of @tl, or 0.  Worker thread. */
uint32_t tlgpu_inject_job_error(TLGPUTimeline *tl, uint64_t seqno)
{
    TLGPUState *s = tl->dev;
    TLGPUInject *inj = &s->inj;
    uint32_t err = TLGPU_ERR_NONE;

    qemu_mutex_lock(&s->lock);
    if (inj->fail_timeline == UINT32_MAX || inj->fail_timeline == tl->idx) {
        /* jobs_done is the worker's own count: this job is number +1. */
        if ((inj->fail_seqno && inj->fail_seqno == seqno) ||
            (inj->fail_every && (tl->jobs_done + 1) % inj->fail_every == 0)) {
            err = inj->fail_error ? inj->fail_error : TLGPU_ERR_INJECTED;
            inj->cnt_failed++;
        }
    }
    qemu_mutex_unlock(&s->lock);
    if (err) {
        trace_tlgpu_inject_fail(tl->idx, seqno, err);
    }
    return err;
}

uint32_t tlgpu_inject_jitter_us(TLGPUTimeline *tl, uint64_t seqno)
{
    TLGPUState *s = tl->dev;
    uint32_t us = 0;

    qemu_mutex_lock(&s->lock);
    if (s->inj.jitter_us) {
        /* 64-bit: jitter_us + 1 wraps to 0 in 32 bits at UINT32_MAX. */
        us = tlgpu_rng_next(&tl->rng) % ((uint64_t)s->inj.jitter_us + 1);
        s->inj.cnt_jitter++;
    }
    qemu_mutex_unlock(&s->lock);
    if (us) {
        trace_tlgpu_inject_jitter(tl->idx, seqno, us);
    }
    return us;
}

/* Whether @tl hangs now, at a job boundary.  tl->lock held. */
bool tlgpu_inject_hang(TLGPUTimeline *tl)
{
    TLGPUState *s = tl->dev;
    bool hang;

    qemu_mutex_lock(&s->lock);
    hang = tl->idx < 64 && (s->inj.hang_mask >> tl->idx) & 1;
    if (hang) {
        s->inj.cnt_hung++;
    }
    qemu_mutex_unlock(&s->lock);
    return hang;
}

/*
 * What injection does to the next interrupt a timeline raises: drop it,
 * raise it twice, or neither.  Counts it.  Any thread; takes s->lock.
 */
void tlgpu_inject_irq_fate(TLGPUState *s, bool *drop, bool *dup)
{
    qemu_mutex_lock(&s->lock);
    s->inj.irq_seq++;
    *drop = s->inj.irq_drop_every &&
            s->inj.irq_seq % s->inj.irq_drop_every == 0;
    *dup = !*drop && s->inj.irq_dup_every &&
           s->inj.irq_seq % s->inj.irq_dup_every == 0;
    s->inj.cnt_irq_dropped += *drop;
    s->inj.cnt_irq_duped += *dup;
    qemu_mutex_unlock(&s->lock);
}

/*
 * Whether the reset the guest asked for by register (timeline @tl's
 * RESET, or the device's with @tl -1) fails: inject-reset-fail counts the
 * resets left to fail down, and a failed one is counted.  The caller then
 * does nothing: the device did not come back.  BQL held (MMIO).
 */
bool tlgpu_inject_reset_fails(TLGPUState *s, int tl)
{
    bool fail;

    qemu_mutex_lock(&s->lock);
    fail = s->inj.reset_fail > 0;
    if (fail) {
        s->inj.reset_fail--;
        s->inj.cnt_reset_failed++;
    }
    qemu_mutex_unlock(&s->lock);
    if (fail) {
        trace_tlgpu_inject_reset_fail(tl);
    }
    return fail;
}

/* A spurious interrupt on @vector (QOM inject-spurious), counted. */
void tlgpu_inject_spurious(TLGPUState *s, uint32_t vector)
{
    qemu_mutex_lock(&s->lock);
    s->inj.cnt_irq_spurious++;
    qemu_mutex_unlock(&s->lock);
    trace_tlgpu_inject_spurious(vector);
    tlgpu_irq_raise(s, vector);
}
