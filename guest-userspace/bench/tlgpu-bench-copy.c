/* SPDX-License-Identifier: MIT */
/*
 * Copy bandwidth: 64 MiB from one buffer to another of device 0, by one
 * COPY command on the device (SUBMIT until the fence signals) and, the
 * baseline, by memcpy() of the guest CPU through the buffers' mmap()s:
 * the same buffers, the same bytes.  Each copy's result is checked at
 * three words that change in the source before every copy.  The two take
 * turns.
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define SIZE		(64u << 20)
#define REPS		12
#define WARMUP		1	/* faults the CPU mappings in */

static struct bench_figure fig_device = {
	"device-copy", "64 MiB COPY job: SUBMIT until its fence signals",
	"MiB/s", BENCH_HIGHER, "cpu-memcpy", false,
};
static struct bench_figure fig_cpu = {
	"cpu-memcpy", "64 MiB memcpy() by the guest CPU between the mapped buffers",
	"MiB/s", BENCH_HIGHER, NULL, false,
};

/* The words of a buffer that are checked: start, middle, end. */
static const size_t check_idx[] = { 0, SIZE / 8 + 3, SIZE / 4 - 1 };

static void mark(const struct tlgpu_bo *bo, uint32_t pattern)
{
	uint32_t *w = bo->map;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(check_idx); i++)
		w[check_idx[i]] = pattern;
}

/* Fails unless @bo holds @pattern at the checked words. */
static void check(const struct tlgpu_bo *bo, uint32_t pattern, const char *who)
{
	const uint32_t *w = bo->map;
	const size_t *idx = check_idx;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(check_idx); i++)
		BENCH_ASSERT(w[idx[i]] == pattern,
			     "%s: word %zu is 0x%08x, 0x%08x expected", who,
			     idx[i], w[idx[i]], pattern);
}

int main(void)
{
	struct bench_samples dev = { 0 }, cpu = { 0 };
	struct tlgpu_bo src, dst;
	struct tlgpu_cmdbuf copy = { 0 };
	struct tlgpu_node node;
	unsigned int reps, i;
	int64_t t0, t1;
	uint32_t pattern;
	int fd, fence;

	bench_init("copy");
	fd = bench_open(0, &node);
	BENCH_OK(tlgpu_bo_create(fd, SIZE, 0, &src));
	BENCH_OK(tlgpu_bo_create(fd, SIZE, 0, &dst));
	BENCH_OK(tlgpu_bo_map(&src));
	BENCH_OK(tlgpu_bo_map(&dst));
	BENCH_OK(tlgpu_cmd_copy(&copy, dst.gpu_va, src.gpu_va, SIZE));
	memset(src.map, 0xa5, SIZE);

	reps = bench_reps(REPS);
	for (i = 0; i < WARMUP + reps; i++) {
		pattern = 0xc0de0000 + 2 * i;
		mark(&src, pattern);
		t0 = tlgpu_now_ns();
		bench_submit(fd, 0, &copy, NULL, NULL, &fence);
		BENCH_OK(tlgpu_sync_file_wait(fence, BENCH_TIMEOUT_MS));
		t1 = tlgpu_now_ns();
		bench_wait_fence(fence);
		close(fence);
		check(&dst, pattern, "device COPY");
		if (i >= WARMUP)
			bench_add(&dev, SIZE / MIB / ((t1 - t0) / NS_PER_S));

		pattern++;
		mark(&src, pattern);
		t0 = tlgpu_now_ns();
		memcpy(dst.map, src.map, SIZE);
		t1 = tlgpu_now_ns();
		check(&dst, pattern, "memcpy");
		if (i >= WARMUP)
			bench_add(&cpu, SIZE / MIB / ((t1 - t0) / NS_PER_S));
	}

	bench_report(&fig_cpu, &cpu, "\"bytes\":%u", SIZE);
	bench_report(&fig_device, &dev, "\"bytes\":%u", SIZE);
	return 0;
}
