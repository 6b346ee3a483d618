/* SPDX-License-Identifier: MIT */
/*
 * Interrupts per completed fence.  A timeline raises its MSI-X vector at
 * most once until the driver acknowledges it, so completions that land
 * while an interrupt is pending are coalesced into it (device-spec.rst,
 * "Interrupts").  Per round of empty jobs on device 0:
 *
 *  - one-at-a-time (the baseline): submit, wait, submit, ...: every
 *    completion finds the latch clear, about one interrupt per fence;
 *  - sustained: a batch submitted without waiting, on 1, 4 and 16
 *    timelines, then one wait for all of it.
 *
 * Interrupts are the guest's: the tlgpu-tl* lines of /proc/interrupts for
 * this device's PCI function.  Completed fences, and the device's own
 * IRQS and IRQS_COALESCED counters, come from
 * /sys/kernel/debug/dri/<minor>/timelines.  The configurations take turns
 * round by round.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "bench.h"

#define IDLE_JOBS	100	/* per one-at-a-time round */
#define BUSY_JOBS	1000	/* per sustained round */
#define REPS		12
#define MAX_TL		16

struct counters {
	uint64_t guest_irqs;	/* /proc/interrupts */
	uint64_t jobs;		/* JOBS_DONE */
	uint64_t dev_irqs;	/* IRQS */
	uint64_t coalesced;	/* IRQS_COALESCED */
};

struct ctx {
	int fd;
	char pci[64];		/* e.g. 0000:00:03.0 */
	char timelines[160];	/* debugfs timelines file */
	uint32_t syncobj[MAX_TL];
	uint32_t num_timelines;
};

struct config {
	struct bench_figure fig;
	uint32_t timelines;	/* 0: one at a time on timeline 0 */
	struct bench_samples ratio;
	struct counters total;
};

#define FIG(name, desc, baseline) \
	{ name, desc, "irqs/fence", BENCH_LOWER, baseline, false }

static struct config configs[] = {
	{ .fig = FIG("one-at-a-time", "interrupts per fence, each job waited for before the next",
		     NULL) },
	{ .fig = FIG("sustained-1tl", "interrupts per fence, batches of empty jobs on 1 timeline",
		     "one-at-a-time"),
	  .timelines = 1 },
	{ .fig = FIG("sustained-4tl", "interrupts per fence, batches of empty jobs on 4 timelines",
		     "one-at-a-time"),
	  .timelines = 4 },
	{ .fig = FIG("sustained-16tl", "interrupts per fence, batches of empty jobs on 16 timelines",
		     "one-at-a-time"),
	  .timelines = 16 },
};

/* Sum of this device's tlgpu-tl* lines in /proc/interrupts, all CPUs. */
static uint64_t guest_irqs(const struct ctx *c)
{
	static char buf[65536];
	char *line, *save, *p, *end;
	unsigned int ncpu = 0, i;
	uint64_t sum = 0;
	bool found = false;

	BENCH_OK(bench_read_file("/proc/interrupts", buf, sizeof(buf)));
	line = strtok_r(buf, "\n", &save);
	for (p = line; p && (p = strstr(p, "CPU")); p += 3)
		ncpu++;
	while ((line = strtok_r(NULL, "\n", &save))) {
		if (!strstr(line, "tlgpu-tl") || !strstr(line, c->pci))
			continue;
		p = strchr(line, ':');
		if (!p)
			continue;
		p++;
		for (i = 0; i < ncpu; i++) {
			sum += strtoull(p, &end, 10);
			p = end;
		}
		found = true;
	}
	BENCH_ASSERT(found, "no tlgpu-tl*@%s line in /proc/interrupts", c->pci);
	return sum;
}

/* Totals over the timelines of the debugfs timelines file. */
static void read_counters(const struct ctx *c, struct counters *k)
{
	static char buf[65536];
	unsigned int jobs, dropped, irqs, coalesced;
	char *p;

	*k = (struct counters){ .guest_irqs = guest_irqs(c) };
	BENCH_OK(bench_read_file(c->timelines, buf, sizeof(buf)));
	for (p = buf; (p = strstr(p, " jobs ")); p++) {
		if (sscanf(p, " jobs %u dropped %u irqs %u coalesced %u",
			   &jobs, &dropped, &irqs, &coalesced) != 4)
			bench_fail("unexpected line in %s: %.80s", c->timelines, p);
		k->jobs += jobs;
		k->dev_irqs += irqs;
		k->coalesced += coalesced;
	}
}

static void run_round(struct ctx *c, const struct config *cfg)
{
	uint32_t t = cfg->timelines, tl;
	unsigned int i;
	int ret;

	if (!t) {
		for (i = 0; i < IDLE_JOBS; i++) {
			bench_submit(c->fd, 0, bench_nop(), NULL, &c->syncobj[0], NULL);
			bench_wait_syncobj(c->fd, c->syncobj[0]);
		}
		return;
	}
	for (i = 0; i < BUSY_JOBS; i++) {
		tl = i % t;
		bench_submit(c->fd, tl, bench_nop(), NULL,
			     i + t >= BUSY_JOBS ? &c->syncobj[tl] : NULL, NULL);
	}
	ret = tlgpu_syncobj_wait(c->fd, c->syncobj, t,
				 tlgpu_abs_timeout(BENCH_TIMEOUT_NS),
				 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL, NULL);
	if (ret)
		bench_fail("waiting for a round on %u timelines: %s", t,
			   strerror(-ret));
}

static void find_device(struct ctx *c, const struct tlgpu_node *node)
{
	char link[256], target[256], dir[128];
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/drm/renderD%u/device", node->minor);
	n = readlink(link, target, sizeof(target) - 1);
	BENCH_ASSERT(n > 0, "readlink %s: %s", link, strerror(errno));
	target[n] = '\0';
	snprintf(c->pci, sizeof(c->pci), "%s", basename(target));

	/* debugfs has a directory per DRM minor, render and primary alike. */
	snprintf(dir, sizeof(dir), "/sys/kernel/debug/dri/%u", node->minor);
	if (access(dir, F_OK))
		snprintf(dir, sizeof(dir), "/sys/kernel/debug/dri/%u",
			 node->minor - 128);
	snprintf(c->timelines, sizeof(c->timelines), "%s/timelines", dir);
	BENCH_ASSERT(!access(c->timelines, R_OK), "no %s: %s", c->timelines,
		     strerror(errno));
}

int main(void)
{
	uint64_t num_timelines;
	struct tlgpu_node node;
	struct ctx c = { 0 };
	unsigned int reps, i, k;

	bench_init("irq");
	c.fd = bench_open(0, &node);
	BENCH_OK(tlgpu_get_param(c.fd, DRM_TLGPU_PARAM_NUM_TIMELINES, &num_timelines));
	c.num_timelines = num_timelines;
	find_device(&c, &node);
	for (i = 0; i < MAX_TL; i++)
		BENCH_OK(tlgpu_syncobj_create(c.fd, 0, &c.syncobj[i]));

	reps = bench_reps(REPS);
	for (i = 0; i < reps; i++) {
		for (k = 0; k < ARRAY_SIZE(configs); k++) {
			struct config *cfg = &configs[k];
			struct counters before, after;
			uint64_t jobs;

			if (cfg->timelines > c.num_timelines)
				continue;
			read_counters(&c, &before);
			run_round(&c, cfg);
			read_counters(&c, &after);
			jobs = after.jobs - before.jobs;
			BENCH_ASSERT(jobs == (cfg->timelines ? BUSY_JOBS : IDLE_JOBS),
				     "%s: the device completed %" PRIu64 " jobs, %u submitted",
				     cfg->fig.name, jobs,
				     cfg->timelines ? BUSY_JOBS : IDLE_JOBS);
			bench_add(&cfg->ratio,
				  (double)(after.guest_irqs - before.guest_irqs) / jobs);
			cfg->total.guest_irqs += after.guest_irqs - before.guest_irqs;
			cfg->total.jobs += jobs;
			cfg->total.dev_irqs += after.dev_irqs - before.dev_irqs;
			cfg->total.coalesced += after.coalesced - before.coalesced;
		}
	}

	for (k = 0; k < ARRAY_SIZE(configs); k++) {
		struct config *cfg = &configs[k];

		if (cfg->timelines > c.num_timelines) {
			bench_skip(&cfg->fig, "device has %u timelines",
				   c.num_timelines);
			continue;
		}
		bench_report(&cfg->fig, &cfg->ratio,
			     "\"fences\":%" PRIu64 ",\"guest_irqs\":%" PRIu64
			     ",\"device_irqs\":%" PRIu64 ",\"device_coalesced\":%" PRIu64,
			     cfg->total.jobs, cfg->total.guest_irqs,
			     cfg->total.dev_irqs, cfg->total.coalesced);
	}
	return 0;
}
