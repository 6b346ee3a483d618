/* SPDX-License-Identifier: MIT */
/*
 * Timeline syncobj scale: what a signal, a wait and the release cost on a
 * timeline syncobj (of a tlgpu file) that holds N points, N = 1, 10, ...,
 * 10^6, and the kernel memory the points take.
 *
 * For each N, K objects (K = 100 for small N, fewer as N grows, three
 * from 10^5 on) are grown to N points with DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL in
 * batches (untimed), then on each object are timed:
 *
 *  - signal: one more point, one ioctl (S of them per object, at most 1%
 *    of N, so the object stays at N points give or take 1%);
 *  - wait: DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT with WAIT_AVAILABLE on the last
 *    point, and on point 1 (wait-first);
 *  - destroy: drmSyncobjDestroy of the object.
 *
 * Memory: MemFree and Slab of /proc/meminfo before growing the K objects,
 * after, and after destroying them, each read after a pause that lets
 * RCU-deferred frees (dma_fence_free) finish.  Baseline of each series: the same
 * operation at N = 1.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xf86drm.h>

#include "bench.h"

#define MAX_EXP		6		/* up to 10^6 points */
#define GROW_BUDGET	200000		/* points grown per size, about */
#define MIN_OBJECTS	3
#define MAX_OBJECTS	100
#define BATCH		4096		/* points per untimed signal ioctl */
#define WAIT_SAMPLES	200		/* per size, about */
#define SETTLE_US	200000		/* before reading /proc/meminfo */

enum series { SIGNAL, WAIT_LAST, WAIT_FIRST, DESTROY, NUM_SERIES };

static const char *const series_name[NUM_SERIES] = {
	"signal", "wait", "wait-first", "destroy",
};
static const char *const series_desc[NUM_SERIES] = {
	"TIMELINE_SIGNAL of one more point",
	"TIMELINE_WAIT (WAIT_AVAILABLE) on the last point",
	"TIMELINE_WAIT (WAIT_AVAILABLE) on point 1",
	"SYNCOBJ_DESTROY of the whole object",
};

static uint32_t batch_handles[BATCH];
static uint64_t batch_points[BATCH];

/* Adds points @from + 1 .. @to to @handle, BATCH at a time. */
static void grow(int fd, uint32_t handle, uint64_t from, uint64_t to)
{
	uint32_t n, i;

	while (from < to) {
		n = to - from < BATCH ? to - from : BATCH;
		for (i = 0; i < n; i++) {
			batch_handles[i] = handle;
			batch_points[i] = from + 1 + i;
		}
		if (drmSyncobjTimelineSignal(fd, batch_handles, batch_points, n))
			bench_fail("TIMELINE_SIGNAL of %u points: %s", n,
				   strerror(errno));
		from += n;
	}
}

/* /proc/meminfo once RCU callbacks queued so far have most likely run. */
static void settled_meminfo(struct bench_meminfo *m)
{
	usleep(SETTLE_US);
	bench_meminfo(m);
}

static double time_wait(int fd, uint32_t handle, uint64_t point)
{
	int64_t t0 = tlgpu_now_ns();

	BENCH_OK(tlgpu_syncobj_timeline_wait(fd, &handle, &point, 1,
					     tlgpu_abs_timeout(BENCH_TIMEOUT_NS),
					     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE,
					     NULL));
	return (tlgpu_now_ns() - t0) / NS_PER_US;
}

int main(void)
{
	struct bench_samples s[NUM_SERIES] = { 0 };
	uint32_t handles[MAX_OBJECTS];
	uint64_t last[MAX_OBJECTS];
	struct bench_meminfo m0, m1, m2;
	struct tlgpu_node node;
	char name[NUM_SERIES][32], base[NUM_SERIES][32];
	unsigned int e, k, j, r, objects, signals, waits;
	uint64_t n = 1, point;
	int64_t t0, grow_ns;
	int fd;

	bench_init("syncobj");
	fd = bench_open(0, &node);

	for (r = 0; r < NUM_SERIES; r++)
		snprintf(base[r], sizeof(base[r]), "%s@1", series_name[r]);

	for (e = 0; e <= MAX_EXP; e++, n *= 10) {
		objects = GROW_BUDGET / n;
		objects = objects < MIN_OBJECTS ? MIN_OBJECTS :
			  objects > MAX_OBJECTS ? MAX_OBJECTS : objects;
		signals = n / 100 < 1 ? 1 : n / 100 > 100 ? 100 : n / 100;
		waits = WAIT_SAMPLES / objects + 1;

		settled_meminfo(&m0);
		t0 = tlgpu_now_ns();
		for (k = 0; k < objects; k++) {
			BENCH_OK(tlgpu_syncobj_create(fd, 0, &handles[k]));
			grow(fd, handles[k], 0, n);
			last[k] = n;
		}
		grow_ns = tlgpu_now_ns() - t0;
		settled_meminfo(&m1);

		for (k = 0; k < objects; k++) {
			for (j = 0; j < signals; j++) {
				point = ++last[k];
				t0 = tlgpu_now_ns();
				BENCH_OK(tlgpu_syncobj_timeline_signal(fd, handles[k], point));
				bench_add(&s[SIGNAL], (tlgpu_now_ns() - t0) / NS_PER_US);
			}
			for (j = 0; j < waits; j++) {
				bench_add(&s[WAIT_LAST], time_wait(fd, handles[k], last[k]));
				bench_add(&s[WAIT_FIRST], time_wait(fd, handles[k], 1));
			}
		}
		for (k = 0; k < objects; k++) {
			t0 = tlgpu_now_ns();
			BENCH_OK(tlgpu_syncobj_destroy(fd, handles[k]));
			bench_add(&s[DESTROY], (tlgpu_now_ns() - t0) / NS_PER_US);
		}
		settled_meminfo(&m2);

		for (r = 0; r < NUM_SERIES; r++) {
			struct bench_figure f = {
				.name = name[r],
				.desc = series_desc[r],
				.unit = "us",
				.better = BENCH_LOWER,
				.baseline = e ? base[r] : NULL,
			};

			snprintf(name[r], sizeof(name[r]), "%s@%llu",
				 series_name[r], (unsigned long long)n);
			bench_report(&f, &s[r],
				     "\"series\":\"%s\",\"points\":%llu,\"objects\":%u,"
				     "\"grow_ns_per_point\":%.6g,"
				     "\"slab_kib_grown\":%ld,\"memfree_kib_used\":%ld,"
				     "\"slab_kib_after_destroy\":%ld,\"memfree_kib_after_destroy\":%ld",
				     series_name[r], (unsigned long long)n, objects,
				     (double)grow_ns / ((double)objects * n),
				     m1.slab - m0.slab, m0.mem_free - m1.mem_free,
				     m2.slab - m0.slab, m0.mem_free - m2.mem_free);
			bench_samples_reset(&s[r]);
		}
	}
	return 0;
}
