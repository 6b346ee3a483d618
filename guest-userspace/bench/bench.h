/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the in-guest benchmarks (/usr/lib/tlgpu/bench/, run by
 * /init in bench mode, collected by ci/run-bench.py).
 *
 * Output: one line per figure on stdout,
 *
 *   BENCH {"bench":"fence","figure":"syncfile-tlgpu","unit":"us",...}
 *
 * with the statistics of its samples (n, median, p99, mean, min, max) and,
 * for every figure that is not a baseline itself, the name of its baseline
 * figure, measured by the same program in the same run; the host computes
 * the ratios.  "p99" is the worse tail whichever way is better: the 99th
 * percentile of a latency, the 1st percentile of a rate.  A figure that
 * cannot be measured here prints {"skip": why}; anything else that fails
 * prints a BENCH-ERROR line and exits 1.
 */
#ifndef TLGPU_BENCH_H
#define TLGPU_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tlgpu.h"

#define NS_PER_US		1000.0
#define NS_PER_S		1000000000.0
#define MIB			(1024.0 * 1024.0)
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* How long anything that should finish may take, even under TCG. */
#define BENCH_TIMEOUT_MS	10000
#define BENCH_TIMEOUT_NS	(BENCH_TIMEOUT_MS * 1000000ll)

/* The program's name in BENCH lines; set by bench_init(). */
extern const char *bench_name;

/*
 * bench_init() - name the program's figures and line-buffer stdout
 *
 * Repetition counts of the program go through bench_reps(), which scales
 * them by the boot parameter tlgpu_bench_scale (percent, default 100).
 */
void bench_init(const char *name);
unsigned int bench_reps(unsigned int reps);

/* A word name=N of the kernel command line, as the tests read them. */
long bench_boot_param(const char *name, long def);

/* ------------------------------------------------------------------ */
/* Samples and figures                                                 */
/* ------------------------------------------------------------------ */

struct bench_samples {
	double *v;
	size_t n;
	size_t cap;
};

void bench_add(struct bench_samples *s, double v);
void bench_samples_reset(struct bench_samples *s);
void bench_samples_free(struct bench_samples *s);

enum bench_better { BENCH_LOWER, BENCH_HIGHER };

/**
 * struct bench_figure - one reported number
 * @name: unique in the program ("syncfile-tlgpu")
 * @desc: what one sample is, for the table and the plots
 * @unit: "us", "jobs/s", "MiB/s", "irqs/fence", ...
 * @better: which way is better
 * @baseline: @name of the baseline figure of the same program, or NULL
 *	for a figure that is a baseline
 * @keep_samples: also print the samples (for distribution plots)
 */
struct bench_figure {
	const char *name;
	const char *desc;
	const char *unit;
	enum bench_better better;
	const char *baseline;
	bool keep_samples;
};

/*
 * bench_report() - print the BENCH line of @f with the statistics of @s
 * @extra: NULL, or JSON members to add ("\"k\":1,\"j\":2"), printf-style
 *
 * Fails the program when @s is empty.
 */
void bench_report(const struct bench_figure *f, const struct bench_samples *s,
		  const char *extra, ...)
	__attribute__((format(printf, 3, 4)));

/* bench_skip() - a figure that cannot be measured in this guest */
void bench_skip(const struct bench_figure *f, const char *why, ...)
	__attribute__((format(printf, 2, 3)));

/* bench_note() - a remark on the run, printed in the host's table */
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* bench_fail() - print BENCH-ERROR with the message and exit(1) */
__attribute__((noreturn, format(printf, 1, 2)))
void bench_fail(const char *fmt, ...);

/* Fails the program unless @expr (0 or a negative errno) is 0. */
#define BENCH_OK(expr)							\
	do {								\
		int ret_ = (expr);					\
		if (ret_ < 0)						\
			bench_fail("%s:%d: %s: %s", __FILE__, __LINE__,	\
				   #expr, strerror(-ret_));		\
	} while (0)

/* Fails the program unless @cond holds. */
#define BENCH_ASSERT(cond, ...)						\
	do {								\
		if (!(cond))						\
			bench_fail(__VA_ARGS__);			\
	} while (0)

/* ------------------------------------------------------------------ */
/* Devices, jobs, fences                                               */
/* ------------------------------------------------------------------ */

/* Opens tlgpu device @index (by minor) as a new file; fails if missing. */
int bench_open(unsigned int index, struct tlgpu_node *node);

/* Number of tlgpu devices the VM was booted with (tlgpu_devices). */
unsigned int bench_devices(void);

/*
 * bench_submit() - submit @cb on @timeline without implicit sync
 * @in, @out: NULL, or a binary syncobj to wait for / to signal
 * @fence: NULL, or the job's sync_file (FENCE_OUT)
 *
 * Fails the program on error.
 */
void bench_submit(int fd, uint32_t timeline, const struct tlgpu_cmdbuf *cb,
		  const uint32_t *in, const uint32_t *out, int *fence);

/* A NOP job's commands, made once. */
const struct tlgpu_cmdbuf *bench_nop(void);

/* Waits for @sync_fd; fails the program on timeout or a fence error. */
void bench_wait_fence(int sync_fd);

/* Waits for binary syncobj @handle of @fd; fails the program on timeout. */
void bench_wait_syncobj(int fd, uint32_t handle);

/* CLOCK_MONOTONIC ns at which @sync_fd's (single, signalled) fence signalled. */
int64_t bench_fence_timestamp(int sync_fd);

/* ------------------------------------------------------------------ */
/* vgem: the software-fence baseline                                   */
/* ------------------------------------------------------------------ */

/*
 * On libtlgpu's tlgpu_vgem_*() (tlgpu_vgem_open() opens vgem's primary
 * node); these fail the program on any error.
 */

/* A vgem dumb buffer of @size bytes: its handle and a dma-buf of it. */
void bench_vgem_bo(int vgem_fd, uint64_t size, uint32_t *handle,
		   int *dmabuf_fd);

/* tlgpu_vgem_fence_attach() of a write fence on @handle; the fence id. */
uint32_t bench_vgem_attach(int vgem_fd, uint32_t handle);
/* tlgpu_vgem_fence_signal() */
void bench_vgem_signal(int vgem_fd, uint32_t fence);

/* ------------------------------------------------------------------ */
/* System                                                              */
/* ------------------------------------------------------------------ */

/* /proc/meminfo, in KiB. */
struct bench_meminfo {
	long mem_free;
	long slab;
};
void bench_meminfo(struct bench_meminfo *m);

/* Reads a whole small file into @buf (NUL-terminated); 0 or -errno. */
int bench_read_file(const char *path, char *buf, size_t len);

#endif /* TLGPU_BENCH_H */
