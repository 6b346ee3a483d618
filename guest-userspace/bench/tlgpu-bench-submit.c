/* SPDX-License-Identifier: MIT */
/*
 * Submission throughput: empty (NOP) jobs per second, from the first
 * SUBMIT of a batch until the batch's last fence signals, with the jobs
 * spread round-robin over 1, 4 and 16 timelines of device 0:
 *
 *  - independent: no dependencies; the last job of each timeline signals
 *    a syncobj of that timeline, and the batch ends when all have;
 *  - chained: every job waits for the previous one through one binary
 *    syncobj (in and out), so consecutive jobs on different timelines
 *    become device-side WAITs.
 *
 * Baseline: vgem fences attached to a buffer and signalled, one after the
 * other, per second: the rate of the kernel's fence machinery alone.  The
 * configurations take turns batch by batch.
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <string.h>

#include <xf86drm.h>

#include "bench.h"

#define BATCH		256	/* jobs per sample */
#define REPS		20	/* samples per configuration */
#define WARMUP		1
#define MAX_TL		16

struct config {
	struct bench_figure fig;
	uint32_t timelines;	/* 0: the vgem baseline */
	bool chained;
	struct bench_samples rate;
	struct bench_samples submit_rate;	/* until the last SUBMIT returned */
};

#define CFG(name, desc, tl, chain)					\
	{ .fig = { name, desc, "jobs/s", BENCH_HIGHER, "vgem", false },	\
	  .timelines = tl, .chained = chain }

static struct config configs[] = {
	{ .fig = { "vgem", "vgem fence attach + signal", "fences/s",
		   BENCH_HIGHER, NULL, false } },
	CFG("independent-1tl", "empty jobs on 1 timeline, no dependencies", 1, false),
	CFG("independent-4tl", "empty jobs on 4 timelines, no dependencies", 4, false),
	CFG("independent-16tl", "empty jobs on 16 timelines, no dependencies", 16, false),
	CFG("chained-1tl", "empty jobs on 1 timeline, each waits for the previous (syncobj)", 1, true),
	CFG("chained-4tl", "empty jobs on 4 timelines, each waits for the previous (syncobj)", 4, true),
	CFG("chained-16tl", "empty jobs on 16 timelines, each waits for the previous (syncobj)", 16, true),
};

struct ctx {
	int fd;
	uint32_t num_timelines;
	uint32_t tl_syncobj[MAX_TL];	/* independent: one per timeline */
	uint32_t chain;			/* chained: the one syncobj */
	int vgem;
	uint32_t vgem_bo;
	int vgem_dmabuf;
};

static void run_vgem(struct ctx *c, unsigned int n, int64_t *submitted)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		bench_vgem_signal(c->vgem, bench_vgem_attach(c->vgem, c->vgem_bo));
	*submitted = tlgpu_now_ns();
}

static void run_jobs(struct ctx *c, const struct config *cfg, unsigned int n,
		     int64_t *submitted)
{
	uint32_t tl, t = cfg->timelines;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		tl = i % t;
		if (cfg->chained)
			bench_submit(c->fd, tl, bench_nop(), i ? &c->chain : NULL,
				     &c->chain, NULL);
		else
			bench_submit(c->fd, tl, bench_nop(), NULL,
				     i + t >= n ? &c->tl_syncobj[tl] : NULL, NULL);
	}
	*submitted = tlgpu_now_ns();

	if (cfg->chained) {
		bench_wait_syncobj(c->fd, c->chain);
		return;
	}
	ret = tlgpu_syncobj_wait(c->fd, c->tl_syncobj, t,
				 tlgpu_abs_timeout(BENCH_TIMEOUT_NS),
				 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL);
	if (ret)
		bench_fail("waiting for a batch on %u timelines: %s", t,
			   strerror(-ret));
}

int main(void)
{
	unsigned int reps, i, k, n = BATCH;
	uint64_t num_timelines;
	struct tlgpu_node node;
	struct ctx c = { 0 };

	bench_init("submit");
	c.fd = bench_open(0, &node);
	BENCH_OK(tlgpu_get_param(c.fd, DRM_TLGPU_PARAM_NUM_TIMELINES, &num_timelines));
	c.num_timelines = num_timelines;
	for (i = 0; i < MAX_TL; i++)
		BENCH_OK(tlgpu_syncobj_create(c.fd, 0, &c.tl_syncobj[i]));
	BENCH_OK(tlgpu_syncobj_create(c.fd, 0, &c.chain));
	c.vgem = tlgpu_vgem_open(NULL, 0);
	BENCH_ASSERT(c.vgem >= 0, "no vgem device: the baseline needs it");
	bench_vgem_bo(c.vgem, 4096, &c.vgem_bo, &c.vgem_dmabuf);

	for (k = 0; k < ARRAY_SIZE(configs); k++) {
		if (configs[k].timelines > c.num_timelines)
			bench_skip(&configs[k].fig, "device has %u timelines (boot with --timelines %u)",
				   c.num_timelines, configs[k].timelines);
	}

	reps = bench_reps(REPS);
	for (i = 0; i < WARMUP + reps; i++) {
		for (k = 0; k < ARRAY_SIZE(configs); k++) {
			struct config *cfg = &configs[k];
			int64_t t0, submitted, done;

			if (cfg->timelines > c.num_timelines)
				continue;
			t0 = tlgpu_now_ns();
			if (cfg->timelines)
				run_jobs(&c, cfg, n, &submitted);
			else
				run_vgem(&c, n, &submitted);
			done = tlgpu_now_ns();
			if (i < WARMUP)
				continue;
			bench_add(&cfg->rate, n * NS_PER_S / (done - t0));
			bench_add(&cfg->submit_rate, n * NS_PER_S / (submitted - t0));
		}
	}

	for (k = 0; k < ARRAY_SIZE(configs); k++) {
		struct config *cfg = &configs[k];
		struct bench_samples *s = &cfg->submit_rate;
		double sum = 0;
		size_t j;

		if (cfg->timelines > c.num_timelines)
			continue;
		for (j = 0; j < s->n; j++)
			sum += s->v[j];
		bench_report(&cfg->fig, &cfg->rate,
			     "\"batch\":%u,\"submit_only_mean\":%.6g", n, sum / s->n);
	}
	return 0;
}
