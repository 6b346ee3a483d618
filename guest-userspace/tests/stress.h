/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the stress suites (tlgpu-stress-*): how hard to push on this
 * kernel, time budgets, kernel memory accounting, the tlgpu debugfs
 * files (fault injection, pending fences), sysfs bind/unbind, passing
 * file descriptors between processes, and failure reporting from threads
 * and child processes.
 *
 * Scale.  Every stressor has a number of iterations for the stock kernel,
 * a smaller one for a debug kernel (lockdep, KASAN and kmemleak make every
 * ioctl an order of magnitude slower under TCG), and a time budget for
 * each, so that the stock run stays fast and the debug run takes minutes.
 * A debug kernel is recognised by /sys/kernel/debug/kmemleak.  The boot
 * parameter (or environment variable) tlgpu_stress_scale=PERCENT scales
 * the counts of either kernel.
 */
#ifndef TLGPU_STRESS_H
#define TLGPU_STRESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common.h"

/* Whether this is the debug kernel flavour (kmemleak in debugfs). */
bool stress_debug_kernel(void);

/* tlgpu_stress_scale in percent, 100 without it. */
unsigned int stress_scale(void);

/* @stock or @debug iterations for this kernel, scaled; at least 1. */
unsigned long stress_count(unsigned long stock, unsigned long debug);

/*
 * A time budget: @stock_s seconds on the stock kernel, @debug_s on a
 * debug one.  Stressors stop at the budget or their iteration count,
 * whichever comes first, and check they got far enough.
 */
struct stress_budget {
	int64_t start_ns;
	int64_t end_ns;
};

void stress_budget_start(struct stress_budget *b, unsigned int stock_s,
			 unsigned int debug_s);
bool stress_budget_over(const struct stress_budget *b);
int64_t stress_budget_ms(const struct stress_budget *b);

/*
 * Failures of threads and child processes.  A worker reports with
 * STRESS_FAIL(s, ...) (a diagnostic, then the count goes up) and the
 * case asserts stress_failures() == 0 at the end.  Child processes share
 * the counter through a MAP_SHARED page: stress_shared_init() first.
 */
struct stress_shared {
	atomic_uint failures;
	atomic_bool stop;
	atomic_ulong counter[8];
};

struct stress_shared *stress_shared_init(void);

#define STRESS_FAIL(s, ...)						\
	do {								\
		ktap_diag(__VA_ARGS__);					\
		atomic_fetch_add(&(s)->failures, 1);			\
	} while (0)

/* Fails the worker (returns @ret) unless @cond. */
#define STRESS_CHECK(s, cond, ret, ...)					\
	do {								\
		if (!(cond)) {						\
			ktap_diag("%s:%d: '%s' failed", __FILE__,	\
				  __LINE__, #cond);			\
			STRESS_FAIL(s, __VA_ARGS__);			\
			return ret;					\
		}							\
	} while (0)

/*
 * Kernel memory, from /proc/meminfo, after dropping the page cache and
 * shrinking every slab cache (which also empties KASAN's quarantine).
 */
struct stress_mem {
	long avail_kb;
	long slab_kb;
	long unreclaim_kb;
};

int stress_mem_read(struct stress_mem *m, bool settle);

/*
 * Checks that kernel memory came back near @base once everything was
 * released: unreclaimable slab within a tolerance of the baseline, or at
 * least within a quarter of what the run took at @peak.  Retries for a
 * few seconds (RCU-delayed frees, per-CPU caches).  Prints the numbers.
 */
enum ktap_result stress_mem_check(const char *what,
				  const struct stress_mem *base,
				  const struct stress_mem *peak);

/* Largest of the two samples, field by field, into @peak. */
void stress_mem_peak(struct stress_mem *peak, const struct stress_mem *m);

/* /sys/kernel/debug/dri/<minor>/@file of @node. */
void stress_debugfs(const struct tlgpu_node *node, const char *file,
		    char *path, size_t len);

/* Reads a whole (small) file into @buf, NUL-terminated; length or -errno. */
int stress_read_file(const char *path, char *buf, size_t len);

/*
 * Sets one fault-injection setting of @node's device through debugfs
 * "inject" (names as in the driver's tlgpu_debugfs.c).  0 or -errno.
 */
int stress_inject(const struct tlgpu_node *node, const char *name,
		  uint64_t value);

/*
 * Sets every fault-injection setting of every device back to the driver's
 * default (nothing injected; a failed case may have left one on).  Quiet
 * about a device that cannot inject (no inject file, no TLGPU_CAP_INJECT);
 * a setting that cannot be written otherwise is reported with ktap_diag().
 * Returns the number of such settings: 0 when all is off.
 */
unsigned int stress_inject_off(void);

/* Skips the case unless @node's device has the debugfs inject file. */
enum ktap_result stress_need_inject(const struct tlgpu_node *node);

/*
 * Pending hardware fences of @node's device (debugfs "timelines"), or
 * -errno.  Zero once every job written to a ring has been signalled and
 * the pending lists dropped their references.
 */
int stress_pending_fences(const struct tlgpu_node *node);

/* Waits up to @timeout_ms for no pending fence; fails the case if not. */
enum ktap_result stress_wait_no_pending(const struct tlgpu_node *node,
					int timeout_ms);

/*
 * Reads @node's debugfs "timelines" into @buf (NUL-terminated) and finds
 * timeline @tl's line in it: the offset in @buf just past its "tl<N>:",
 * or -errno (-ENOENT: no line for @tl).
 */
int stress_timeline_find(const struct tlgpu_node *node, unsigned int tl,
			 char *buf, size_t len);

/*
 * Timeline @tl's state word in debugfs "timelines" ("idle", "hung", ...)
 * into @state; 0 or -errno.
 */
int stress_timeline_state(const struct tlgpu_node *node, unsigned int tl,
			  char *state, size_t len);

/* PCI slot ("0000:00:03.0") of an open node; 0 or -errno. */
int stress_pci_slot(const struct tlgpu_node *node, char *slot, size_t len);

/*
 * Opens the node of PCI function @slot once it is bound again, waiting
 * up to @timeout_ms; 0 or -errno.
 */
int stress_open_slot(const char *slot, int timeout_ms, struct tlgpu_node *node);

/*
 * File descriptors over a Unix socket (SCM_RIGHTS), in one message that
 * also carries their count; at most STRESS_MAX_PASS_FDS at a time.
 */
#define STRESS_MAX_PASS_FDS	200

/* Sends @count fds of @fds over @sock; 0 or -errno (-E2BIG: too many). */
int stress_send_fds(int sock, const int *fds, unsigned int count);

/*
 * Receives the fds of one stress_send_fds() message into @fds, at most
 * @max, waiting up to @timeout_ms: their number, or -ETIME (nothing came),
 * -EIO (the socket failed or closed), -EPROTO (not such a message, or more
 * than @max, or fewer than it announced).
 */
int stress_recv_fds(int sock, int *fds, unsigned int max, int timeout_ms);

/* Number of tlgpu devices (tlgpu_devices of the boot, else counted). */
unsigned int stress_num_devices(void);

/* Device @i, or device 0 when the VM has only one: i % devices. */
unsigned int stress_dev_index(unsigned int i);

/*
 * First thing of every stress case: marks "<suite>: <name>" in the kernel
 * log, maps the shared state into *@sh, turns injection off.
 */
enum ktap_result stress_case_begin(const char *suite, const char *name,
				   struct stress_shared **sh);

/* Timelines of the device behind @fd (1 if the query fails). */
uint32_t stress_timelines(int fd);

/* A xorshift generator per thread. */
static inline uint32_t stress_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x >> 32;
}

/*
 * A line in the kernel log (/dev/kmsg), e.g. where each case begins, so
 * that a kernel report can be traced to the stressor that provoked it.
 */
void stress_kmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Raises RLIMIT_NOFILE as far as the hard limit allows. */
void stress_raise_nofile(void);

#endif /* TLGPU_STRESS_H */
