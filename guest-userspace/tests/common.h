/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the job suites (tlgpu-bo, -submit, -sync, -implicit,
 * -prime, -errors, -lifecycle) and the stress suites: opening devices the
 * way the VM was booted, submitting a command buffer, and assertions on
 * fences and buffer contents that print what they saw, in the style of
 * ktap.h; unloading the module (tlgpu-basic too) and giving back what a
 * case unbound or unloaded; vgem's fences.
 */
#ifndef TLGPU_TEST_COMMON_H
#define TLGPU_TEST_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ktap.h"
#include "tlgpu.h"

/* How long a job that should finish may take, even under TCG. */
#define FENCE_TIMEOUT_MS	10000
/*
 * A "slow" job, in milliseconds: long enough that a job submitted after
 * it and not waiting for it is done first, even under TCG; well within
 * the driver's job timeout (half of it, at most 1500 ms).
 */
#define SLOW_MS			test_slow_ms()
#define TLGPU_TIMEOUT_PARAM	"/sys/module/tlgpu/parameters/timeout_ms"
unsigned int test_slow_ms(void);
/*
 * The driver's job timeout (TLGPU_TIMEOUT_PARAM) in *@ms, for the cases
 * that wait for a hang to be reset: skips when the driver does not show
 * it, or when it is 0 or above 20 s (too long to test).
 */
enum ktap_result test_job_timeout(unsigned int *ms);
#define MS			1000ull		/* DELAY takes microseconds */
#define NS_PER_MS		1000000ll
#define PAGE			4096u

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Returns from the case unless @expr, an enum ktap_result, passed. */
#define CHECK(expr)							\
	do {								\
		enum ktap_result r_ = (expr);				\
		if (r_ != KTAP_PASS)					\
			return r_;					\
	} while (0)

/*
 * A word name=N of the kernel command line, from the environment (init
 * exports them) or /proc/cmdline; @def when absent or not a number.
 */
long test_boot_param(const char *name, long def);

/*
 * Opens tlgpu device @index (by minor) as a new file.  Skips when the VM
 * was booted with fewer devices (tlgpu_devices), fails when a device it
 * was booted with is missing.
 */
enum ktap_result test_open(unsigned int index, struct tlgpu_node *node);
#define TEST_OPEN(index, node)	CHECK(test_open(index, node))

/*
 * Another file of @from's device: its node opened again by path, with no
 * scan of the DRM devices (libdrm's scan reads sysfs for every node, 0.4-
 * 0.7 s on a debug kernel under TCG); fails the case if not.
 */
enum ktap_result test_reopen(const struct tlgpu_node *from,
			     struct tlgpu_node *node);
#define TEST_REOPEN(from, node)	CHECK(test_reopen(from, node))

/* Skips unless device @fd has at least @count timelines. */
enum ktap_result test_need_timelines(int fd, uint32_t count);

/* Creates a buffer of @size bytes and maps it; fails the case if not. */
enum ktap_result test_bo(int fd, uint64_t size, struct tlgpu_bo *bo);
#define TEST_BO(fd, size, bo)	CHECK(test_bo(fd, size, bo))

/*
 * Submits @cb on @timeline of @fd with @flags | FENCE_OUT; the fence in
 * *@fence.  Returns 0 or the negative errno of SUBMIT.
 */
int test_submit(int fd, uint32_t timeline, uint32_t flags,
		const struct tlgpu_cmdbuf *cb,
		const struct drm_tlgpu_bo_ref *bos, uint32_t bo_count,
		int *fence);

/*
 * Submits as test_submit() and waits for the job to signal without
 * error; fails the case otherwise.
 */
enum ktap_result test_run(int fd, uint32_t timeline, uint32_t flags,
			  const struct tlgpu_cmdbuf *cb,
			  const struct drm_tlgpu_bo_ref *bos, uint32_t bo_count);
#define TEST_RUN(fd, tl, flags, cb, bos, n) \
	CHECK(test_run(fd, tl, flags, cb, bos, n))

/*
 * Fence states, through SYNC_IOC_FILE_INFO: FENCE_SIGNALLED waits up to
 * FENCE_TIMEOUT_MS and wants success, FENCE_ACTIVE wants it pending now,
 * FENCE_FAILED waits and wants an error.
 */
enum fence_want { FENCE_ACTIVE, FENCE_SIGNALLED, FENCE_FAILED };
bool test_check_fence(const char *file, int line, const char *expr,
		      int fence, enum fence_want want);
#define ASSERT_FENCE(fence, want)					\
	do {								\
		if (!test_check_fence(__FILE__, __LINE__, #fence,	\
				      (fence), (want)))			\
			return KTAP_FAIL;				\
	} while (0)
#define ASSERT_SIGNALLED(fence)	ASSERT_FENCE(fence, FENCE_SIGNALLED)
#define ASSERT_ACTIVE(fence)	ASSERT_FENCE(fence, FENCE_ACTIVE)
#define ASSERT_FAILED(fence)	ASSERT_FENCE(fence, FENCE_FAILED)

/*
 * Fails unless the @len bytes at @ptr repeat the 32-bit @pattern; prints
 * the first mismatch.
 */
bool test_check_u32(const char *file, int line, const char *expr,
		    const void *ptr, size_t len, uint32_t pattern);
#define ASSERT_U32(ptr, len, pattern)					\
	do {								\
		if (!test_check_u32(__FILE__, __LINE__, #ptr, (ptr),	\
				    (len), (pattern)))			\
			return KTAP_FAIL;				\
	} while (0)

/* Fails unless @ret is one of the two negative errnos. */
#define ASSERT_RET2(ret, e1, e2)					\
	do {								\
		int r2_ = (ret);					\
		if (r2_ != (e1))					\
			KTAP_ASSERT_RET(r2_, (e2));			\
	} while (0)

/* Fills @len bytes with a reproducible pseudo-random sequence. */
void test_fill_random(void *buf, size_t len, uint32_t seed);

/* Pointer to byte @off of a mapped buffer. */
static inline void *bo_ptr(const struct tlgpu_bo *bo, uint64_t off)
{
	return (char *)bo->map + off;
}

void test_sleep_ms(unsigned int ms);

/* Milliseconds since @start_ns (tlgpu_now_ns()). */
int64_t test_elapsed_ms(int64_t start_ns);

/* Reads a number from a sysfs file; 0 or -errno. */
int test_read_sysfs_u64(const char *path, uint64_t *val);
/* tlgpu's module use count (TLGPU_MODULE_SYSFS/refcnt), or -errno. */
int test_module_refcnt(void);
/* Waits up to @timeout_ms until that count is @want or less: 0 or -ETIME. */
int test_wait_module_refcnt(int want, unsigned int timeout_ms);

/* Writes @str to @path; 0 or -errno. */
int test_write_file(const char *path, const char *str);

/*
 * Device coredumps (/sys/class/devcoredump) whose failing_device is
 * @node's PCI function.  test_devcoredump_discard() discards every one
 * (writes to its data) and returns how many, or -errno;
 * test_devcoredump_read() reads the first into a malloc'ed, NUL-terminated
 * *@buf: its length, -ENOENT if there is none, or -errno.
 */
int test_devcoredump_discard(const struct tlgpu_node *node);
ssize_t test_devcoredump_read(const struct tlgpu_node *node, char **buf);
/*
 * The same, waiting up to @ms: test_devcoredump_wait() for a dump to
 * appear (the driver hands it to the kernel from a worker), returning
 * what test_devcoredump_read() does; test_devcoredump_gone() until none is
 * left (a discard only queues the kernel's deletion): 0 or -ETIME.
 */
ssize_t test_devcoredump_wait(const struct tlgpu_node *node, char **buf,
			      unsigned int ms);
int test_devcoredump_gone(const struct tlgpu_node *node, unsigned int ms);

/* The value of @key ("drm-client-id", ...) in /proc/self/fdinfo/@fd, or -errno. */
int test_fdinfo_u64(int fd, const char *key, uint64_t *val);

/* ------------------------------------------------------------------ */
/* The module and the device set                                       */
/* ------------------------------------------------------------------ */

#define TLGPU_DRIVER_SYSFS	"/sys/bus/pci/drivers/tlgpu"
#define TLGPU_MODULE_SYSFS	"/sys/module/tlgpu"

/*
 * How long unloading tlgpu may be refused once nothing holds it any
 * more: every fence of tlgpu pins the module until it is freed, an RCU
 * grace period after its last reference went, however slow the kernel.
 */
#define UNLOAD_TIMEOUT_MS	5000

/*
 * Unloads @module (its name in /sys/module) with delete_module(2),
 * retrying every 20 ms for up to @timeout_ms while it is in use (EAGAIN,
 * which is EWOULDBLOCK: its reference count is not zero) or busy (EBUSY:
 * still loading or going); 0 tries once.  Returns 0 or the last -errno.
 */
int test_rmmod(const char *module, int timeout_ms);

/*
 * One line of @node's debugfs kernel_features (tlgpu_debugfs.c): what the
 * driver found in this kernel and does for it, e.g. "fence_detaches" (a
 * signalled fence pins neither tlgpu nor its timelines: 7.0) or
 * "signalled_names_detach" (the kernel names a signalled fence
 * "detached-driver" / "signaled-timeline": 6.17).  1 for yes, 0 for no,
 * -errno when the file or the line is missing (reported with ktap_diag()).
 */
int test_kernel_feature(const struct tlgpu_node *node, const char *name);

/*
 * What a case took away from the VM: PCI functions it unbound from tlgpu,
 * the module it unloaded, a process it forked.  The case records them in
 * a struct test_undo as it goes and hands its result to test_undo(),
 * which gives everything back however the case ended: a failed assertion
 * (which returns from the case at once) must not leave the following
 * cases without a device.
 */
struct test_undo {
	/* PCI functions unbound with test_unbind(), bound again if need be. */
	char slots[TLGPU_MAX_DEVICES][64];
	unsigned int unbound;
	/* A child process of the case, killed and reaped; 0 for none. */
	pid_t child;
};

/* Unbinds PCI function @slot from tlgpu and records it; 0 or -errno. */
int test_unbind(struct test_undo *u, const char *slot);

/*
 * Loads tlgpu again if it is not loaded, binds every function of @u that
 * has no driver, then kills and reaps @u's child.  Returns @res, or
 * KTAP_FAIL when something could not be given back.
 */
enum ktap_result test_undo(struct test_undo *u, enum ktap_result res);

/* ------------------------------------------------------------------ */
/* vgem                                                                */
/* ------------------------------------------------------------------ */

/*
 * A gate: an unsignalled vgem fence (libtlgpu's tlgpu_vgem_*), as a sync
 * file in *@gate, until tlgpu_vgem_fence_signal(@vgem, *@fence) (or
 * vgem's own 10 s timeout).
 */
enum ktap_result test_vgem_gate(int vgem, uint32_t *fence, int *gate);

#endif /* TLGPU_TEST_COMMON_H */
