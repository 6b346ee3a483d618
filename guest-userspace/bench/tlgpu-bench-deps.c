/* SPDX-License-Identifier: MIT */
/*
 * Dependency latency, for three ways of resolving a dependency of a job
 * B (a NOP) on a job A (a DELAY, long enough that B is queued before A is
 * done), two figures each:
 *
 *  - <variant>: from A's completion to B's, taken from the two fences'
 *    signal timestamps (SYNC_IOC_FILE_INFO);
 *  - <variant>-e2e: from A's SUBMIT until the waiting thread sees B
 *    done, less A's DELAY: what the dependency costs the application.
 *
 * The variants:
 *
 *  - cpu (the baseline): userspace polls A's sync_file, then submits B on
 *    timeline 1: what a driver without device-side waits costs;
 *  - device: B on timeline 1 waits for A (timeline 0) through a syncobj;
 *    the driver turns that into a WAIT command on the device;
 *  - cross-device: A writes a buffer of device 0 that device 1 imported
 *    (PRIME); B on device 1 lists it for reading, so implicit sync makes
 *    device 1's scheduler wait for device 0's fence.
 *
 * Samples where A was already done when B's SUBMIT returned do not
 * measure a dependency and are left out (counted as "raced").  Samples
 * where B's fence signalled before A's are kept, negative, and counted
 * as "inverted": the driver signals what a job WAITed for first, so that
 * count should stay 0.  The variants take turns sample by sample.
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define REPS		400
#define WARMUP		10
#define A_DELAY_US	2000

struct ctx {
	int fd0, fd1;			/* device 0, device 1 (-1 without) */
	uint32_t syncobj;		/* of fd0 */
	struct tlgpu_bo x0, x1;		/* the shared buffer on each device */
	struct tlgpu_cmdbuf a_delay;	/* A: DELAY */
	struct tlgpu_cmdbuf a_store;	/* A: DELAY, STORE to x0 */
};

struct variant {
	struct bench_figure fig;
	struct bench_figure fig_e2e;
	/* Runs A and B; returns whether A was pending when B was queued. */
	bool (*run)(struct ctx *c, int *fa, int *fb);
	bool two_devices;
	struct bench_samples lat;	/* A done -> B done, us */
	struct bench_samples e2e;	/* A submitted -> B seen done, less A's DELAY, us */
	unsigned int raced;
	unsigned int inverted;		/* B signalled before A */
};

static bool pending(int fence)
{
	int ret = tlgpu_sync_file_status(fence);

	BENCH_ASSERT(ret >= 0, "job A failed: %d", ret);
	return ret == 0;
}

static bool run_cpu(struct ctx *c, int *fa, int *fb)
{
	bench_submit(c->fd0, 0, &c->a_delay, NULL, NULL, fa);
	BENCH_OK(tlgpu_sync_file_wait(*fa, BENCH_TIMEOUT_MS));
	bench_submit(c->fd0, 1, bench_nop(), NULL, NULL, fb);
	return true;
}

static bool run_device(struct ctx *c, int *fa, int *fb)
{
	bench_submit(c->fd0, 0, &c->a_delay, NULL, &c->syncobj, fa);
	bench_submit(c->fd0, 1, bench_nop(), &c->syncobj, NULL, fb);
	return pending(*fa);
}

static bool run_cross(struct ctx *c, int *fa, int *fb)
{
	struct drm_tlgpu_bo_ref wr = { c->x0.handle, DRM_TLGPU_BO_WRITE };
	struct drm_tlgpu_bo_ref rd = { c->x1.handle, DRM_TLGPU_BO_READ };
	struct tlgpu_job a = {
		.timeline = 0, .flags = DRM_TLGPU_SUBMIT_FENCE_OUT,
		.bos = &wr, .bo_count = 1,
	};
	struct tlgpu_job b = {
		.timeline = 0, .flags = DRM_TLGPU_SUBMIT_FENCE_OUT,
		.bos = &rd, .bo_count = 1,
	};

	BENCH_OK(tlgpu_submit_cmdbuf(c->fd0, &a, &c->a_store, fa, NULL));
	BENCH_OK(tlgpu_submit_cmdbuf(c->fd1, &b, bench_nop(), fb, NULL));
	return pending(*fa);
}

#define FIG(name, desc, baseline) \
	{ name, desc, "us", BENCH_LOWER, baseline, true }
#define E2E	"A SUBMIT -> B seen done, less A's DELAY: "

static struct variant variants[] = {
	{ .fig = FIG("cpu", "A done -> B done: userspace waits for A, then submits B (other timeline)",
		     NULL),
	  .fig_e2e = FIG("cpu-e2e", E2E "userspace waits for A, then submits B", NULL),
	  .run = run_cpu },
	{ .fig = FIG("device", "A done -> B done: B waits for A on the device (WAIT, other timeline)",
		     "cpu"),
	  .fig_e2e = FIG("device-e2e", E2E "B waits for A on the device", "cpu-e2e"),
	  .run = run_device },
	{ .fig = FIG("cross-device", "A done -> B done: B on device 1 waits for A on device 0 (implicit sync)",
		     "cpu"),
	  .fig_e2e = FIG("cross-device-e2e", E2E "B on device 1, implicit sync on A's buffer",
			 "cpu-e2e"),
	  .run = run_cross, .two_devices = true },
};

int main(void)
{
	struct tlgpu_node n0, n1;
	struct ctx c = { .fd1 = -1 };
	unsigned int reps, i, k;
	int dmabuf;

	bench_init("deps");
	c.fd0 = bench_open(0, &n0);
	BENCH_OK(tlgpu_syncobj_create(c.fd0, 0, &c.syncobj));
	BENCH_OK(tlgpu_cmd_delay(&c.a_delay, A_DELAY_US));

	BENCH_OK(tlgpu_bo_create(c.fd0, 4096, 0, &c.x0));
	BENCH_OK(tlgpu_cmd_delay(&c.a_store, A_DELAY_US));
	BENCH_OK(tlgpu_cmd_store(&c.a_store, c.x0.gpu_va, 0x5eed));
	if (bench_devices() >= 2) {
		c.fd1 = bench_open(1, &n1);
		BENCH_OK(tlgpu_bo_export(&c.x0, 0, &dmabuf));
		BENCH_OK(tlgpu_bo_import(c.fd1, dmabuf, &c.x1));
		close(dmabuf);
	}

	reps = bench_reps(REPS);
	for (i = 0; i < WARMUP + reps; i++) {
		for (k = 0; k < ARRAY_SIZE(variants); k++) {
			struct variant *v = &variants[k];
			int64_t t0, t1, lat;
			bool ok;
			int fa, fb;

			if (v->two_devices && c.fd1 < 0)
				continue;
			t0 = tlgpu_now_ns();
			ok = v->run(&c, &fa, &fb);
			bench_wait_fence(fb);
			t1 = tlgpu_now_ns();
			bench_wait_fence(fa);
			if (i >= WARMUP && ok) {
				lat = bench_fence_timestamp(fb) - bench_fence_timestamp(fa);
				bench_add(&v->lat, lat / NS_PER_US);
				bench_add(&v->e2e, (t1 - t0) / NS_PER_US - A_DELAY_US);
				v->inverted += lat < 0;
			} else if (i >= WARMUP) {
				v->raced++;
			}
			close(fa);
			close(fb);
		}
	}

	for (k = 0; k < ARRAY_SIZE(variants); k++) {
		struct variant *v = &variants[k];

		if (v->two_devices && c.fd1 < 0) {
			bench_skip(&v->fig, "needs 2 tlgpu devices, the VM has %u",
				   bench_devices());
			bench_skip(&v->fig_e2e, "needs 2 tlgpu devices");
			continue;
		}
		bench_report(&v->fig, &v->lat,
			     "\"a_delay_us\":%u,\"raced\":%u,\"inverted\":%u",
			     A_DELAY_US, v->raced, v->inverted);
		bench_report(&v->fig_e2e, &v->e2e, "\"a_delay_us\":%u,\"raced\":%u",
			     A_DELAY_US, v->raced);
	}
	return 0;
}
