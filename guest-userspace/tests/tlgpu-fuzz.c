/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-fuzz: a seeded, bounded userspace fuzzer of the tlgpu uAPI.
 *
 * Three worker processes run at once, each with a seed derived from the
 * suite's, for a time budget.  Each keeps a small table of live objects
 * (render files of every tlgpu device, a vgem file, buffers with their GPU
 * VA and size, syncobjs with the last timeline point they got, sync_file,
 * dma-buf and syncobj fds, CPU mappings; at most MAX_OBJS of each) and
 * loops choosing an operation from ops[]: a raw ioctl() of every tlgpu
 * ioctl, the DRM core's syncobj, PRIME and GEM_CLOSE ioctls on tlgpu
 * objects, the dma-buf and sync_file ioctls on the fds they give, poll(),
 * close(), mmap() and munmap().  Arguments are mostly valid and sometimes
 * boundary or random values (0, 1, max, max+1, ~0, random; non-zero pads;
 * bad pointers: NULL, 1, a PROT_NONE page, a read-only page, one running
 * into a PROT_NONE page, a kernel address).  SUBMITs carry random
 * sequences of mostly well-formed FILL/COPY/CHECKSUM/STORE/NOP/DELAY
 * commands over the worker's buffers, sometimes malformed, with random
 * buffer lists, syncobjs (binary and timeline) and sync files.
 *
 * Bounds: buffers are mostly <= 64 KiB, rarely up to 4 MiB (sizes the
 * uAPI refuses are tried too); DELAY <= 2000 us and at most JOB_DELAY_US
 * per job; every wait is a poll or has a deadline of a few milliseconds;
 * no fault injection, no unbind.
 *
 * Checked: every call returns 0 or -1, and -1 with an errno of
 * allowed_errnos[]; calls with an argument the uAPI refuses for sure (a
 * non-zero pad, unknown flags, a size or count beyond its limit, a
 * refused command) fail; BO_INFO of a buffer of the table reports its
 * size and VA; job fences carry only -EFAULT or -EINVAL (a fault, a
 * refused command); a worker must not die of a signal nor hang; no
 * device or timeline reset happens.  A violation prints the call with its
 * argument words and the worker's last calls; a hung worker also its
 * kernel stack.  The kernel log (warnings, KASAN, lockdep, ...) is judged
 * by the harness (ci/run-guest.py), kmemleak by zz-kmemleak.sh.
 *
 * A SUBMIT that only valid arguments went into (CLEAN_PCT of the
 * operations make none bad) should succeed: when one fails, a "note"
 * line says so; not a failure, as the table can be wrong about a syncobj
 * shared through a syncobj fd.
 *
 * Kernel command line (or environment):
 *   tlgpu_fuzz_seed=N     suite seed (default DEFAULT_SEED); worker N
 *                         uses a seed derived from it, printed
 *   tlgpu_fuzz_seconds=N  time budget of the workers (default 40, 25 on
 *                         the debug kernel)
 *   tlgpu_fuzz_trace=1    every call (and the start of its arrays) as a
 *                         "# trace" line on stderr: for reproducing a
 *                         report with its seed (slow; off by default)
 *
 * Cases: worker-0..2 (the first one run starts all three and waits for
 * them; each case reports its worker: seed, per-operation counts and
 * errnos, failures), then device-still-works: a FILL on every timeline of
 * every device, checked through mmap, its fence signalled without error.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "common.h"
#include "stress.h"

#define NUM_WORKERS		3
#define DEFAULT_SEED		0x74676675u	/* "tgfu" */
#define STOCK_SECONDS		40
#define DEBUG_SECONDS		25
/* What a worker may take beyond its budget to exit (its files flush). */
#define GRACE_STOCK_S		60
#define GRACE_DEBUG_S		120

#define MAX_FILES		4	/* tlgpu render files of a worker */
#define MAX_OBJS		32	/* of each other kind */
#define MAX_STALE		16
#define MAX_REPORTS		8	/* failures printed in full */
#define MAX_FAILURES		64	/* a worker stops after as many */
#define MAX_NOTES		4

#define SMALL_BO		(64u << 10)
#define LARGE_BO		(4u << 20)
#define XFER_CAP		LARGE_BO
#define JOB_DELAY_US		4000u
#define MAX_DELAY_US		2000u
#define WAIT_NS			(2 * NS_PER_MS)	/* longest deadline of a wait */
#define GENERIC_COUNT_MAX	(1u << 12)	/* syncobj array counts */
#define FENCE_INFO_MAX		256

#define CLEAN_PCT		40	/* operations without any bad argument */
#define BAD_PTR_PCT		3	/* embedded user pointers */
#define BAD_ARG_PCT		2	/* the ioctl argument itself */
#define BAD_PAD_PCT		3

#define VA_LIMIT		(1ull << TLGPU_VA_BITS)
#define KERNEL_PTR		0xffffffff81000000ull

/* ------------------------------------------------------------------ */
/* Shared state: the workers' reports, written by them, read by cases  */
/* ------------------------------------------------------------------ */

#define TRACE_LEN		16
#define TRACE_CHARS		240
#define LOG_CHARS		(48 * 1024)

enum { SLOT_IDLE, SLOT_RUNNING, SLOT_DONE };

struct slot {
	atomic_int state;
	pid_t pid;
	int status;		/* waitpid() status; -1 when it hung */
	uint64_t seed;
	atomic_uint op;		/* index in ops[] of the running operation */
	atomic_ulong iter;
	atomic_uint trace_next;
	char trace[TRACE_LEN][TRACE_CHARS];
	size_t log_len;
	char log[LOG_CHARS];
};

struct shared {
	atomic_int started;
	struct slot w[NUM_WORKERS];
};

static struct shared *sh;
static uint64_t suite_seed;
static unsigned int budget_s, grace_s;
static bool trace_all;

/*
 * A file of each device opened before the workers start, to see the
 * resets they caused (GET_RESET_STATUS counts those since the open).
 */
#define MAX_WATCH		4
static struct tlgpu_node watch[MAX_WATCH];
static uint64_t watch_reset_count[MAX_WATCH];
static unsigned int nwatch;

static void kmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void kmsg(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int fd, len;

	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, buf, len > 0 ? (size_t)len : 0) < 0) {
		/* the marker is a courtesy */
	}
	close(fd);
}

/* ------------------------------------------------------------------ */
/* The worker's state                                                  */
/* ------------------------------------------------------------------ */

struct file {
	int fd;
	unsigned int dev;
	uint32_t timelines;
};

struct bo {
	int fd;			/* a tlgpu file, or the vgem one */
	uint32_t handle;
	uint64_t size;
	uint64_t va;		/* 0 on vgem */
	uint64_t mmap_offset;
};

struct sobj {
	int fd;
	uint32_t handle;
	uint64_t point;		/* highest timeline point given so far */
	bool fenced;		/* has a fence (binary use is valid) */
	bool timeline;		/* holds a chain up to @point */
	bool shared;		/* exported: others may change its fence */
};

struct map {
	void *ptr;
	size_t len;
	int prot;
};

enum fd_kind { FD_SYNC_FILE, FD_DMABUF, FD_SYNCOBJ, FD_KINDS };

#define ERRNO_SLOTS		136

struct op_stats {
	unsigned long runs;
	unsigned long ok;
	unsigned long err[ERRNO_SLOTS];
};

struct fz;
struct op {
	const char *name;
	void (*run)(struct fz *f);
	unsigned int weight;
};
static const struct op ops[];
static const unsigned int num_ops;
#define NUM_OPS_MAX		48

struct fz {
	unsigned int id;
	struct slot *slot;
	uint64_t rng;
	unsigned long iter;
	unsigned int op;
	bool must_fail;		/* the next call has a surely bad argument */
	bool clean;		/* this operation makes only valid arguments */
	unsigned int failures;
	unsigned int notes;

	unsigned int ndev;
	struct file files[MAX_FILES];
	unsigned int nfiles;
	int vgem;		/* -1 without vgem */
	int devnull;
	struct bo bos[MAX_OBJS];
	unsigned int nbos;
	struct sobj sobjs[MAX_OBJS];
	unsigned int nsobjs;
	int fds[FD_KINDS][MAX_OBJS];
	unsigned int nfds[FD_KINDS];
	struct map maps[MAX_OBJS];
	unsigned int nmaps;
	uint32_t stale_handles[MAX_STALE];
	uint64_t stale_vas[MAX_STALE];
	unsigned int nstale, stale_next;

	/* Bad memory: page 0 read-write, page 1 PROT_NONE; a read-only page. */
	char *pages;
	char *none;
	char *ro;

	/* Argument arrays, with room beyond what is filled in. */
	struct tlgpu_cmdbuf cb;
	uint32_t cmds[DRM_TLGPU_MAX_CMD_DWORDS + 64];
	struct drm_tlgpu_bo_ref refs[DRM_TLGPU_MAX_BOS + 16];
	struct drm_tlgpu_sync in_syncs[DRM_TLGPU_MAX_SYNCS + 16];
	struct drm_tlgpu_sync out_syncs[DRM_TLGPU_MAX_SYNCS + 16];
	uint32_t handles[GENERIC_COUNT_MAX + 16];
	uint64_t points[GENERIC_COUNT_MAX + 16];
	struct sync_fence_info fence_info[FENCE_INFO_MAX];

	struct op_stats stats[NUM_OPS_MAX];
	unsigned long fence_errs[ERRNO_SLOTS];
};

/* ------------------------------------------------------------------ */
/* Randomness                                                          */
/* ------------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t r64(struct fz *f)
{
	return splitmix64(&f->rng);
}

static uint32_t r32(struct fz *f)
{
	return r64(f) >> 32;
}

/* Uniform in [0, n); 0 for n == 0. */
static uint64_t below(struct fz *f, uint64_t n)
{
	return n ? r64(f) % n : 0;
}

/* True @pct percent of the time. */
static bool chance(struct fz *f, unsigned int pct)
{
	return below(f, 100) < pct;
}

/* Whether to make an argument bad here: @pct percent, never when clean. */
static bool fuzz(struct fz *f, unsigned int pct)
{
	return !f->clean && chance(f, pct);
}

/* A value at or around a boundary of a field whose largest valid is @max. */
static uint64_t boundary(struct fz *f, uint64_t max)
{
	switch (below(f, 9)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return max;
	case 3: return max + 1;
	case 4: return max - 1;
	case 5: return ~0ull;
	case 6: return 1ull << below(f, 64);
	case 7: return (uint32_t)r64(f);
	default: return r64(f);
	}
}

/*
 * A pad of a tlgpu ioctl: zero, or now and then not (and the call must
 * fail).  The DRM core, dma-buf and sync_file do not all check theirs:
 * junk32() for those.
 */
static uint32_t pad32(struct fz *f)
{
	if (!fuzz(f, BAD_PAD_PCT))
		return 0;
	f->must_fail = true;
	return r32(f) | 1;
}

static uint32_t junk32(struct fz *f)
{
	return fuzz(f, BAD_PAD_PCT) ? r32(f) | 1 : 0;
}

/*
 * A user pointer embedded in an argument: @valid, or now and then one
 * the kernel cannot read or write.
 */
static uint64_t uptr(struct fz *f, const void *valid)
{
	if (!fuzz(f, BAD_PTR_PCT))
		return (uintptr_t)valid;
	switch (below(f, 7)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return (uintptr_t)f->none;
	case 3: return (uintptr_t)f->none - 8;	/* runs into PROT_NONE */
	case 4: return (uintptr_t)f->ro;
	case 5: return KERNEL_PTR;
	default: return r64(f);
	}
}

/* An absolute CLOCK_MONOTONIC deadline that is never far away. */
static int64_t short_deadline(struct fz *f)
{
	switch (below(f, 6)) {
	case 0: return 0;
	case 1: return -1;
	case 2: return INT64_MIN;
	case 3: return tlgpu_abs_timeout(-(int64_t)NS_PER_MS * 1000);
	default: return tlgpu_abs_timeout(below(f, WAIT_NS));
	}
}

/* ------------------------------------------------------------------ */
/* Reports                                                             */
/* ------------------------------------------------------------------ */

/* Appends a line to the log of @s (truncated when the log is full). */
static void slot_vlog(struct slot *s, const char *fmt, va_list ap)
{
	size_t room = LOG_CHARS - s->log_len;
	int n;

	if (room < 2)
		return;
	n = vsnprintf(s->log + s->log_len, room - 1, fmt, ap);
	if (n < 0)
		return;
	s->log_len += (size_t)n < room - 1 ? (size_t)n : room - 2;
	s->log[s->log_len++] = '\n';
	s->log[s->log_len] = '\0';
}

static void slot_log(struct slot *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void slot_log(struct slot *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	slot_vlog(s, fmt, ap);
	va_end(ap);
}

static void wlog(struct fz *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void wlog(struct fz *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	slot_vlog(f->slot, fmt, ap);
	va_end(ap);
}

/* @len bytes of @arg as 32-bit words, into @buf. */
static void hex_words(char *buf, size_t size, const void *arg, size_t len)
{
	const uint8_t *p = arg;
	size_t off = 0, i;

	buf[0] = '\0';
	for (i = 0; i + 4 <= len && off + 10 < size; i += 4) {
		uint32_t w;

		memcpy(&w, p + i, 4);
		off += snprintf(buf + off, size - off, " %08x", w);
	}
}

/* Records a call in the trace ring before it is made. */
static void trace(struct fz *f, const char *name, int fd, const void *arg,
		  size_t len)
{
	struct slot *s = f->slot;
	unsigned int i = atomic_fetch_add(&s->trace_next, 1) % TRACE_LEN;
	char words[160];

	hex_words(words, sizeof(words), arg, len);
	snprintf(s->trace[i], TRACE_CHARS, "it %lu %s %s(fd %d):%s", f->iter,
		 ops[f->op].name, name, fd, words);
	if (trace_all)
		fprintf(stderr, "# trace worker-%u: %s\n", f->id, s->trace[i]);
}

/* With tlgpu_fuzz_trace=1, the start of an array a call is given. */
static void trace_array(struct fz *f, const char *what, const void *arr,
			uint64_t count, size_t elem)
{
	char words[400];
	size_t len = count < 96 / elem ? count * elem : 96;

	if (!trace_all)
		return;
	hex_words(words, sizeof(words), arr, len);
	fprintf(stderr, "# trace worker-%u:   %s:%s\n", f->id, what, words);
}

static void print_trace(struct fz *f)
{
	struct slot *s = f->slot;
	unsigned int next = atomic_load(&s->trace_next), i;

	wlog(f, "last calls, oldest first:");
	for (i = next > TRACE_LEN ? next - TRACE_LEN : 0; i < next; i++)
		wlog(f, "  %s", s->trace[i % TRACE_LEN]);
}

static void fail(struct fz *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct fz *f, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	f->failures++;
	if (f->failures > MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	wlog(f, "FAIL at iteration %lu, op %s: %s", f->iter, ops[f->op].name,
	     buf);
	if (f->failures == 1)
		print_trace(f);
}

/* The errnos any call may fail with, whatever its arguments. */
static const int allowed_errnos[] = {
	EFAULT, EINVAL, ENOENT, ENOMEM, ENOSPC, EBADF, EINTR, EAGAIN, ETIME,
	ETIMEDOUT, ENODEV, EMFILE, EBUSY, E2BIG, ENOTTY, EPERM, EOPNOTSUPP,
	EACCES, ERANGE, ENXIO, ESRCH,
};

static bool errno_allowed(int e)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(allowed_errnos); i++) {
		if (allowed_errnos[i] == e)
			return true;
	}
	return false;
}

static const char *errno_name(int e)
{
	const char *name = strerrorname_np(e);

	return name ? name : "?";
}

/*
 * Judges the result @ret (errno @err) of a call named @name; @arg is what
 * it was given, printed on a violation.  Returns 0 or -errno.
 */
static int judge(struct fz *f, const char *name, int fd, const void *arg,
		 size_t len, long ret, int err, bool must_fail)
{
	struct op_stats *st = &f->stats[f->op];
	char words[400];

	if (ret == 0) {
		st->ok++;
	} else {
		st->err[err > 0 && err < ERRNO_SLOTS ? err : 0]++;
	}

	if (ret == 0 && !must_fail)
		return 0;
	hex_words(words, sizeof(words), arg, len);
	if (ret != 0 && ret != -1)
		fail(f, "%s(fd %d) returned %ld; arg:%s", name, fd, ret, words);
	else if (ret == -1 && !errno_allowed(err))
		fail(f, "%s(fd %d) failed with errno %d (%s), not an allowed one; arg:%s",
		     name, fd, err, errno_name(err), words);
	else if (ret == 0)
		fail(f, "%s(fd %d) succeeded with an argument the uAPI refuses; arg:%s",
		     name, fd, words);
	return ret ? -err : 0;
}

/*
 * The errors a job's fence may carry here: faults and refused commands.
 * No injection, no hang (a job takes milliseconds), no unbind, and every
 * job's file is open while its fences are looked at: no -EIO, -ETIME,
 * -ECANCELED, -ENODEV or -ESRCH.
 */
static const int fence_errnos[] = { EFAULT, EINVAL };

/* Counts fence error @err (negative, or 0 for none) seen by @where. */
static void fence_error(struct fz *f, const char *where, int err)
{
	unsigned int i;

	if (err >= 0)
		return;
	f->fence_errs[-err < ERRNO_SLOTS ? -err : 0]++;
	for (i = 0; i < ARRAY_SIZE(fence_errnos); i++) {
		if (fence_errnos[i] == -err)
			return;
	}
	fail(f, "%s: a fence failed with %d (%s), which no job of the fuzzer should get",
	     where, err, errno_name(-err));
}

/*
 * The bad pages hold 0xff bytes, so that an array the kernel reads from
 * them names no object (handle ~0): what it did is then what the table
 * says.  bad_arg() copies arguments there; this puts the 0xff back.
 */
static void fill_bad_pages(struct fz *f)
{
	memset(f->pages, 0xff, PAGE);
	if (!mprotect(f->ro, PAGE, PROT_READ | PROT_WRITE)) {
		memset(f->ro, 0xff, PAGE);
		mprotect(f->ro, PAGE, PROT_READ);
	}
}

/*
 * Now and then, instead of @arg, an argument pointer the kernel cannot
 * use: NULL, 1, PROT_NONE, straddling into PROT_NONE, a read-only copy
 * (read, then the copy-out fails), a kernel address.
 */
static void *bad_arg(struct fz *f, void *arg, size_t len)
{
	switch (below(f, 6)) {
	case 0: return NULL;
	case 1: return (void *)1;
	case 2: return f->none;
	case 3:
		memcpy(f->none - len / 2, arg, len / 2);
		return f->none - len / 2;
	case 4:
		if (len > PAGE || mprotect(f->ro, PAGE, PROT_READ | PROT_WRITE))
			return NULL;
		memcpy(f->ro, arg, len);
		mprotect(f->ro, PAGE, PROT_READ);
		return f->ro;
	default:
		return (void *)(uintptr_t)KERNEL_PTR;
	}
}

/* A raw ioctl(), judged; 0 or -errno. */
static int fz_ioctl(struct fz *f, int fd, unsigned long req, const char *name,
		    void *arg)
{
	size_t len = _IOC_SIZE(req);
	bool must_fail = f->must_fail;
	void *p = arg;
	long ret;
	int err;

	f->must_fail = false;
	if (fuzz(f, BAD_ARG_PCT)) {
		p = bad_arg(f, arg, len);
		/*
		 * Only an _IOW one may succeed, from the read-only copy; and
		 * DMA_BUF_SET_NAME, whose argument is a string, not a struct
		 * of _IOC_SIZE bytes, from what can be read of it.
		 */
		must_fail = req != DMA_BUF_SET_NAME_B &&
			    (p != f->ro || (_IOC_DIR(req) & _IOC_READ));
	}
	trace(f, name, fd, arg, len);
	errno = 0;
	ret = ioctl(fd, req, p);
	err = ret ? errno : 0;
	if (p == f->ro || p == f->none - len / 2)
		fill_bad_pages(f);
	return judge(f, name, fd, arg, len, ret, err, must_fail);
}

#define IOCTL(f, fd, req, arg)	fz_ioctl(f, fd, req, #req, arg)

/* A syscall's result (0 or -1 with errno), judged; 0 or -errno. */
static int fz_sys(struct fz *f, const char *name, int fd, long ret)
{
	int err = ret < 0 ? errno : 0;

	trace(f, name, fd, NULL, 0);
	return judge(f, name, fd, NULL, 0, ret < 0 ? -1 : 0, err, false);
}

/* ------------------------------------------------------------------ */
/* Object tables                                                       */
/* ------------------------------------------------------------------ */

static void remember_stale(struct fz *f, uint32_t handle, uint64_t va)
{
	unsigned int i = f->stale_next++ % MAX_STALE;

	f->stale_handles[i] = handle;
	f->stale_vas[i] = va;
	if (f->nstale < MAX_STALE)
		f->nstale++;
}

static struct file *file_of(struct fz *f, int fd)
{
	unsigned int i;

	for (i = 0; i < f->nfiles; i++) {
		if (f->files[i].fd == fd)
			return &f->files[i];
	}
	return NULL;
}

static struct file *pick_file(struct fz *f)
{
	return &f->files[below(f, f->nfiles)];
}

/*
 * The fd an ioctl of a device goes to: mostly a tlgpu file (in *@file),
 * sometimes one of another kind (*@file NULL).
 */
static int pick_dev_fd(struct fz *f, struct file **file)
{
	*file = NULL;
	if (!fuzz(f, 4) || !f->nfiles) {
		*file = f->nfiles ? pick_file(f) : NULL;
		return *file ? (*file)->fd : -1;
	}
	switch (below(f, 5)) {
	case 0: return -1;
	case 1: return f->devnull;
	case 2: return 1 << 20;
	case 3: return f->nfds[FD_DMABUF] ? f->fds[FD_DMABUF][0] : f->devnull;
	default: return f->nfds[FD_SYNC_FILE] ? f->fds[FD_SYNC_FILE][0] : -1;
	}
}

static int bo_find(struct fz *f, int fd, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < f->nbos; i++) {
		if (f->bos[i].fd == fd && f->bos[i].handle == handle)
			return i;
	}
	return -1;
}

/* A random buffer of file @fd (-1: of any), or NULL. */
static struct bo *pick_bo(struct fz *f, int fd)
{
	unsigned int i, n = 0, k;

	for (i = 0; i < f->nbos; i++)
		n += fd < 0 || f->bos[i].fd == fd;
	if (!n)
		return NULL;
	k = below(f, n);
	for (i = 0; i < f->nbos; i++) {
		if ((fd < 0 || f->bos[i].fd == fd) && !k--)
			return &f->bos[i];
	}
	return NULL;
}

static uint32_t stale_or_random_handle(struct fz *f)
{
	switch (below(f, 5)) {
	case 0: return 0;
	case 1: return ~0u;
	case 2: return 1 + below(f, 64);
	case 3: return r32(f);
	default:
		return f->nstale ? f->stale_handles[below(f, f->nstale)] : 1;
	}
}

/* A buffer handle for file @fd: mostly one of its buffers (in *@bo). */
static uint32_t pick_handle(struct fz *f, int fd, struct bo **bo)
{
	*bo = fuzz(f, 12) ? NULL : pick_bo(f, fd);
	return *bo ? (*bo)->handle : stale_or_random_handle(f);
}

static void bo_forget(struct fz *f, unsigned int i)
{
	remember_stale(f, f->bos[i].handle, f->bos[i].va);
	f->bos[i] = f->bos[--f->nbos];
}

static void gem_close(struct fz *f, int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	IOCTL(f, fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/*
 * Enters a handle of @fd in the table, a tlgpu one with its BO_INFO (an
 * entry of the same handle is refreshed: a PRIME import of a buffer the
 * file has gives its handle); closes it when the table is full.
 */
static void bo_add(struct fz *f, int fd, uint32_t handle, uint64_t size)
{
	struct drm_tlgpu_bo_info info = { .handle = handle };
	struct bo bo = { .fd = fd, .handle = handle, .size = size };
	int k = bo_find(f, fd, handle);

	if (k < 0 && f->nbos == MAX_OBJS) {
		gem_close(f, fd, handle);
		return;
	}
	if (fd != f->vgem) {
		if (IOCTL(f, fd, DRM_IOCTL_TLGPU_BO_INFO, &info))
			return;
		bo.size = info.size;
		bo.va = info.gpu_va;
		bo.mmap_offset = info.mmap_offset;
	}
	f->bos[k >= 0 ? k : (int)f->nbos++] = bo;
}

static int sobj_find(struct fz *f, int fd, uint32_t handle)
{
	unsigned int i;

	for (i = 0; i < f->nsobjs; i++) {
		if (f->sobjs[i].fd == fd && f->sobjs[i].handle == handle)
			return i;
	}
	return -1;
}

static struct sobj *pick_sobj_of(struct fz *f, int fd)
{
	unsigned int i, n = 0, k;

	for (i = 0; i < f->nsobjs; i++)
		n += f->sobjs[i].fd == fd;
	if (!n)
		return NULL;
	k = below(f, n);
	for (i = 0; i < f->nsobjs; i++) {
		if (f->sobjs[i].fd == fd && !k--)
			return &f->sobjs[i];
	}
	return NULL;
}

/* A syncobj handle for file @fd: mostly one of its syncobjs (in *@so). */
static uint32_t pick_syncobj(struct fz *f, int fd, struct sobj **so)
{
	*so = fuzz(f, 10) ? NULL : pick_sobj_of(f, fd);
	return *so ? (*so)->handle : stale_or_random_handle(f);
}

/*
 * Enters a new syncobj handle of @fd (a stale entry of the same handle is
 * replaced); destroys it when the table is full.  Returns whether it is
 * in the table.
 */
static bool sobj_add(struct fz *f, int fd, uint32_t handle)
{
	struct drm_syncobj_destroy d = { .handle = handle };
	int k = sobj_find(f, fd, handle);

	if (k < 0 && f->nsobjs == MAX_OBJS) {
		IOCTL(f, fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
		return false;
	}
	if (k < 0)
		k = f->nsobjs++;
	f->sobjs[k] = (struct sobj){ .fd = fd, .handle = handle };
	return true;
}

static struct sobj *sobj_get(struct fz *f, int fd, uint32_t handle)
{
	int k = sobj_find(f, fd, handle);

	return k >= 0 ? &f->sobjs[k] : NULL;
}

static void sobj_forget(struct fz *f, unsigned int i)
{
	remember_stale(f, f->sobjs[i].handle, 0);
	f->sobjs[i] = f->sobjs[--f->nsobjs];
}

static void fd_close(struct fz *f, int fd)
{
	fz_sys(f, "close", fd, close(fd));
}

static void fd_add(struct fz *f, enum fd_kind kind, int fd)
{
	if (fd < 0)
		return;
	if (f->nfds[kind] == MAX_OBJS) {
		fd_close(f, fd);
		return;
	}
	f->fds[kind][f->nfds[kind]++] = fd;
}

static void fd_drop(struct fz *f, enum fd_kind kind, unsigned int i)
{
	int fd = f->fds[kind][i];

	f->fds[kind][i] = f->fds[kind][--f->nfds[kind]];
	fd_close(f, fd);
}

/*
 * An fd for an argument that wants one of @kind: mostly one, sometimes
 * another kind or no file at all.
 */
static int pick_fd(struct fz *f, enum fd_kind kind)
{
	enum fd_kind other;

	if (f->nfds[kind] && !fuzz(f, 10))
		return f->fds[kind][below(f, f->nfds[kind])];
	switch (below(f, 6)) {
	case 0: return -1;
	case 1: return INT_MAX;
	case 2: return f->devnull;
	case 3: return f->nfiles ? pick_file(f)->fd : -1;
	case 4: return (int)r32(f);
	default:
		other = below(f, FD_KINDS);
		return f->nfds[other] ? f->fds[other][below(f, f->nfds[other])]
				      : 1 << 16;
	}
}

static void map_add(struct fz *f, void *ptr, size_t len, int prot)
{
	if (f->nmaps == MAX_OBJS) {
		unsigned int i = below(f, f->nmaps);

		fz_sys(f, "munmap", -1, munmap(f->maps[i].ptr, f->maps[i].len));
		f->maps[i] = f->maps[--f->nmaps];
	}
	f->maps[f->nmaps++] = (struct map){ ptr, len, prot };
}

/* Opens one more file of a random tlgpu device; false if none opened. */
static bool file_open(struct fz *f)
{
	struct tlgpu_node node;
	unsigned int dev = below(f, f->ndev);
	uint64_t timelines = 1;
	int fd;

	if (f->nfiles == MAX_FILES)
		return false;
	fd = tlgpu_open_index(dev, &node);
	trace(f, "tlgpu_open_index", fd, NULL, 0);
	if (fd < 0) {
		judge(f, "tlgpu_open_index", -1, NULL, 0, -1, -fd, false);
		return false;
	}
	if (tlgpu_get_param(fd, DRM_TLGPU_PARAM_NUM_TIMELINES, &timelines))
		timelines = 1;
	f->files[f->nfiles++] = (struct file){ fd, dev, (uint32_t)timelines };
	return true;
}

/* Closes file @i and forgets its buffers and syncobjs. */
static void file_close(struct fz *f, unsigned int i)
{
	int fd = f->files[i].fd;
	unsigned int j;

	for (j = f->nbos; j-- > 0;) {
		if (f->bos[j].fd == fd)
			bo_forget(f, j);
	}
	for (j = f->nsobjs; j-- > 0;) {
		if (f->sobjs[j].fd == fd)
			sobj_forget(f, j);
	}
	f->files[i] = f->files[--f->nfiles];
	fd_close(f, fd);
}

/* ------------------------------------------------------------------ */
/* tlgpu ioctls                                                        */
/* ------------------------------------------------------------------ */

static void op_get_param(struct fz *f)
{
	struct drm_tlgpu_get_param p = { .param = below(f, 8) };
	struct file *file;
	int fd = pick_dev_fd(f, &file);

	if (fuzz(f, 8)) {
		p.param = boundary(f, DRM_TLGPU_PARAM_DRIVER_CAPS);
		f->must_fail = p.param > DRM_TLGPU_PARAM_DRIVER_CAPS;
	}
	p.pad = pad32(f);
	p.value = r64(f);
	IOCTL(f, fd, DRM_IOCTL_TLGPU_GET_PARAM, &p);
}

static uint64_t bo_size(struct fz *f)
{
	unsigned int k = below(f, 100);

	if (k < 80)
		return 1 + below(f, SMALL_BO);
	if (k < 85 || f->clean)
		return 1 + below(f, k < 85 ? LARGE_BO : SMALL_BO);
	switch (below(f, 6)) {
	case 0: return 0;
	case 1: return DRM_TLGPU_MAX_BO_SIZE + 1;
	case 2: return DRM_TLGPU_MAX_BO_SIZE * 2;
	case 3: return ~0ull;
	case 4: return 1ull << (31 + below(f, 33));
	default: return PAGE * (1 + below(f, 4));
	}
}

static void op_bo_create(struct fz *f)
{
	struct drm_tlgpu_bo_create c = { .size = bo_size(f) };
	struct file *file;
	int fd = pick_dev_fd(f, &file);

	if (c.size == 0 || c.size > DRM_TLGPU_MAX_BO_SIZE)
		f->must_fail = true;
	if (fuzz(f, BAD_PAD_PCT)) {
		c.flags = 1u << below(f, 32);
		f->must_fail = true;
	}
	c.handle = r32(f);
	if (IOCTL(f, fd, DRM_IOCTL_TLGPU_BO_CREATE, &c) || !file)
		return;
	if (f->nbos == MAX_OBJS && chance(f, 50))
		bo_forget(f, below(f, f->nbos));	/* leak it to the file */
	bo_add(f, fd, c.handle, c.size);
}

static void op_bo_info(struct fz *f)
{
	struct drm_tlgpu_bo_info info = { 0 };
	struct file *file;
	struct bo *bo;
	int fd = pick_dev_fd(f, &file);

	info.handle = pick_handle(f, fd, &bo);
	info.pad = pad32(f);
	info.size = r64(f);
	if (IOCTL(f, fd, DRM_IOCTL_TLGPU_BO_INFO, &info) || !bo)
		return;
	if (info.size != bo->size || info.gpu_va != bo->va)
		fail(f, "BO_INFO of handle %u: size %#" PRIx64 " va %#" PRIx64
		     ", was size %#" PRIx64 " va %#" PRIx64, bo->handle,
		     (uint64_t)info.size, (uint64_t)info.gpu_va, bo->size, bo->va);
}

static void op_wait_bo(struct fz *f)
{
	struct drm_tlgpu_wait_bo w = { 0 };
	struct file *file;
	struct bo *bo;
	int fd = pick_dev_fd(f, &file);

	w.handle = pick_handle(f, fd, &bo);
	w.flags = chance(f, 50) ? DRM_TLGPU_WAIT_WRITERS : 0;
	if (fuzz(f, BAD_PAD_PCT)) {
		w.flags |= 2u << below(f, 31);
		f->must_fail = true;
	}
	w.timeout_ns = short_deadline(f);
	w.error = r32(f);
	w.pad = pad32(f);
	if (!IOCTL(f, fd, DRM_IOCTL_TLGPU_WAIT_BO, &w))
		fence_error(f, "WAIT_BO error", w.error);
}

static void op_get_reset_status(struct fz *f)
{
	struct drm_tlgpu_reset_status r = { 0 };
	struct file *file;
	int fd = pick_dev_fd(f, &file);

	if (fuzz(f, BAD_PAD_PCT)) {
		r.flags = 1u << below(f, 32);
		f->must_fail = true;
	}
	r.pad = pad32(f);
	r.guilty = r64(f);
	IOCTL(f, fd, DRM_IOCTL_TLGPU_GET_RESET_STATUS, &r);
}

/* ------------------------------------------------------------------ */
/* SUBMIT: command buffers                                             */
/* ------------------------------------------------------------------ */

struct job {
	int fd;
	unsigned int delay_us;	/* DELAY so far */
	unsigned int cmd_start;	/* dword where the last command starts */
};

/* A transfer length: mostly small, sometimes up to XFER_CAP or a limit. */
static uint64_t xfer_len(struct fz *f, uint64_t align)
{
	unsigned int k = below(f, 100);
	uint64_t len;

	if (k < 60)
		len = 4 + below(f, 256);
	else if (k < 92)
		len = 4 + below(f, SMALL_BO);
	else if (k < 95 || f->clean)
		len = 4 + below(f, k < 95 ? XFER_CAP : SMALL_BO);
	else
		return boundary(f, TLGPU_MAX_XFER);
	return len & ~(align - 1);
}

/*
 * A GPU VA for @*len bytes aligned to @align: mostly inside a buffer of
 * @fd (*@len clamped to it), sometimes anywhere else.
 */
static uint64_t gpu_va(struct fz *f, int fd, uint64_t *len, uint64_t align)
{
	struct bo *bo = pick_bo(f, fd);
	uint64_t off;

	if (bo && bo->va && !fuzz(f, 10)) {
		if (*len > bo->size && *len <= XFER_CAP)
			*len = bo->size;
		off = *len <= bo->size ? below(f, bo->size - *len + 1) : 0;
		return bo->va + (off & ~(align - 1));
	}
	switch (below(f, 9)) {
	case 0: return 0;
	case 1: bo = pick_bo(f, -1); return bo ? bo->va : PAGE;
	case 2: return f->nstale ? f->stale_vas[below(f, f->nstale)] : 0;
	case 3: return bo ? bo->va + bo->size : VA_LIMIT / 2;
	case 4: return bo ? bo->va - align : VA_LIMIT - PAGE;
	case 5: return VA_LIMIT - (*len & (VA_LIMIT - 1));
	case 6: return VA_LIMIT;
	case 7: return bo ? bo->va + 1 : 1;	/* misaligned */
	default: return r64(f) & (VA_LIMIT - 1) & ~(align - 1);
	}
}

static void cmd_nop(struct fz *f, struct job *j)
{
	(void)j;
	tlgpu_cmd_nop(&f->cb, 2 + 2 * below(f, TLGPU_CMD_MAX_DW / 2));
}

static void cmd_fill(struct fz *f, struct job *j)
{
	uint64_t len = xfer_len(f, 4);
	uint64_t va = gpu_va(f, j->fd, &len, 4);

	tlgpu_cmd_fill(&f->cb, va, len, r32(f));
}

static void cmd_copy(struct fz *f, struct job *j)
{
	uint64_t len = xfer_len(f, 1), len2;
	uint64_t src = gpu_va(f, j->fd, &len, 1);
	uint64_t dst;

	len2 = len;
	dst = gpu_va(f, j->fd, &len2, 1);
	tlgpu_cmd_copy(&f->cb, dst, src, len2 < len ? len2 : len);
}

static void cmd_checksum(struct fz *f, struct job *j)
{
	uint64_t len = xfer_len(f, 1), four = 4;
	uint64_t va = gpu_va(f, j->fd, &len, 1);

	tlgpu_cmd_checksum(&f->cb, va, len, gpu_va(f, j->fd, &four, 4));
}

static void cmd_store(struct fz *f, struct job *j)
{
	uint64_t len = 8;

	tlgpu_cmd_store(&f->cb, gpu_va(f, j->fd, &len, 8), r64(f));
}

static void cmd_delay(struct fz *f, struct job *j)
{
	unsigned int left = JOB_DELAY_US - j->delay_us;
	unsigned int us = chance(f, 80) ? below(f, 201) : below(f, MAX_DELAY_US + 1);

	if (us > left)
		us = left;
	j->delay_us += us;
	tlgpu_cmd_delay(&f->cb, us);
}

/* Commands the driver must refuse, and garbage it may or may not take. */
static void cmd_malformed(struct fz *f, struct job *j)
{
	static const uint8_t refused[] = {
		TLGPU_OP_SET_AS, TLGPU_OP_WAIT, TLGPU_OP_FENCE,
	};
	static const uint8_t fixed_ndw[TLGPU_OP_MAX] = {
		[TLGPU_OP_FILL] = 6, [TLGPU_OP_COPY] = 8,
		[TLGPU_OP_CHECKSUM] = 8, [TLGPU_OP_DELAY] = 2,
		[TLGPU_OP_STORE] = 6,
	};
	uint32_t dw[TLGPU_CMD_MAX_DW + 4];
	unsigned int i, ndw, op;

	(void)j;
	for (i = 0; i < ARRAY_SIZE(dw); i++)
		dw[i] = chance(f, 50) ? 0 : r32(f);
	switch (below(f, 5)) {
	case 0:		/* a driver-only opcode */
		op = refused[below(f, ARRAY_SIZE(refused))];
		ndw = op == TLGPU_OP_SET_AS ? 2 : 4;
		f->must_fail = true;
		break;
	case 1:		/* a length of 0, odd, or too long */
		op = below(f, TLGPU_OP_MAX);
		ndw = chance(f, 30) ? 0 : chance(f, 50) ? 1 + 2 * below(f, 8)
						    : TLGPU_CMD_MAX_DW + 2;
		f->must_fail = true;
		dw[0] = TLGPU_CMD_HDR(op, ndw, 0);
		tlgpu_cmd_raw(&f->cb, dw, ndw ? (ndw < ARRAY_SIZE(dw) ? ndw : 2) : 2);
		return;
	case 2:		/* a fixed-length command with another even length */
		do
			op = TLGPU_OP_FILL + below(f, TLGPU_OP_MAX - TLGPU_OP_FILL);
		while (!fixed_ndw[op]);
		do
			ndw = 2 + 2 * below(f, TLGPU_CMD_MAX_DW / 2);
		while (ndw == fixed_ndw[op]);
		f->must_fail = true;
		break;
	case 3:		/* unknown opcode, flags on a known one */
		op = chance(f, 50) ? TLGPU_OP_MAX + below(f, 256 - TLGPU_OP_MAX)
				   : TLGPU_OP_NOP;
		ndw = 2 + 2 * below(f, TLGPU_CMD_MAX_DW / 2);
		dw[0] = TLGPU_CMD_HDR(op, ndw, r32(f) & 0xffff);
		tlgpu_cmd_raw(&f->cb, dw, ndw);
		return;
	default:	/* a random header */
		dw[0] = r32(f);
		ndw = TLGPU_CMD_NDW(dw[0]);
		tlgpu_cmd_raw(&f->cb, dw, ndw >= 2 && ndw <= TLGPU_CMD_MAX_DW &&
					  !(ndw & 1) ? ndw : 2);
		return;
	}
	dw[0] = TLGPU_CMD_HDR(op, ndw, 0);
	tlgpu_cmd_raw(&f->cb, dw, ndw);
}

static const struct cmd_gen {
	void (*emit)(struct fz *f, struct job *j);
	unsigned int weight;
} cmd_gens[] = {
	{ cmd_nop, 2 }, { cmd_fill, 5 }, { cmd_copy, 4 }, { cmd_checksum, 3 },
	{ cmd_store, 4 }, { cmd_delay, 2 }, { cmd_malformed, 1 },
};

static const struct cmd_gen *pick_cmd(struct fz *f)
{
	unsigned int total = 0, i, k;

	for (i = 0; i < ARRAY_SIZE(cmd_gens); i++)
		total += cmd_gens[i].weight;
	do {
		k = below(f, total);
		for (i = 0; k >= cmd_gens[i].weight; i++)
			k -= cmd_gens[i].weight;
	} while (f->clean && cmd_gens[i].emit == cmd_malformed);
	return &cmd_gens[i];
}

/* Fills f->cmds for @j; returns the dwords, or 0 if it made none. */
static uint32_t gen_cmds(struct fz *f, struct job *j)
{
	unsigned int n = chance(f, 95) ? 1 + below(f, 8) : 1 + below(f, 300);
	unsigned int i;

	tlgpu_cmdbuf_reset(&f->cb);
	for (i = 0; i < n; i++) {
		uint32_t before = f->cb.len;

		pick_cmd(f)->emit(f, j);
		if (f->cb.error || f->cb.len > DRM_TLGPU_MAX_CMD_DWORDS) {
			f->cb.len = before;
			f->cb.error = 0;
			break;
		}
		if (f->cb.len > before)
			j->cmd_start = before;
	}
	memcpy(f->cmds, f->cb.dw, f->cb.len * 4);
	for (i = f->cb.len; i < f->cb.len + 32; i++)
		f->cmds[i] = r32(f);
	return f->cb.len;
}

/* @cmd_dwords for @len dwords: mostly @len, else a bad or odd one. */
static uint32_t cmd_count(struct fz *f, struct job *j, uint32_t len)
{
	if (len && !fuzz(f, 8))
		return len;
	switch (below(f, 5)) {
	case 0:
		f->must_fail = true;
		return 0;
	case 1:		/* ends inside the last command */
		if (len - j->cmd_start < 2)
			return len;
		f->must_fail = true;
		return j->cmd_start + 1 + below(f, len - j->cmd_start - 1);
	case 2:
		f->must_fail = true;
		return DRM_TLGPU_MAX_CMD_DWORDS + 1 + below(f, 2) * (~0u - DRM_TLGPU_MAX_CMD_DWORDS - 1);
	case 3:
		return len + 2 + 2 * below(f, 8);	/* garbage follows */
	default:
		return len;
	}
}

/* A count of array entries: mostly @n, sometimes around @max. */
static uint32_t entry_count(struct fz *f, uint32_t n, uint32_t max)
{
	uint32_t c;

	if (!fuzz(f, 5))
		return n;
	switch (below(f, 4)) {
	case 0: c = max + 1; break;
	case 1: c = ~0u; break;
	case 2: c = max; break;
	default: c = n + 1; break;
	}
	f->must_fail |= c > max;
	return c;
}

/* Fills f->refs for a job of @fd; returns the count to submit. */
static uint32_t gen_bo_refs(struct fz *f, int fd)
{
	static const uint32_t access[] = {
		DRM_TLGPU_BO_READ, DRM_TLGPU_BO_WRITE,
		DRM_TLGPU_BO_READ | DRM_TLGPU_BO_WRITE,
	};
	uint32_t n = 0, i, count;
	struct bo *bo;

	/* Each buffer of the file at most once, up to 8 of them... */
	for (i = 0; i < f->nbos && n < 8; i++) {
		if (f->bos[i].fd == fd && chance(f, 40))
			f->refs[n++] = (struct drm_tlgpu_bo_ref){
				f->bos[i].handle, access[below(f, 3)] };
	}
	/* ... or not: other handles, duplicates, bad access flags. */
	for (i = 0; i < n; i++) {
		struct drm_tlgpu_bo_ref *r = &f->refs[i];

		if (fuzz(f, 4))
			r->handle = pick_handle(f, fd, &bo);
		if (i && fuzz(f, 3)) {
			r->handle = f->refs[below(f, i)].handle;
			f->must_fail = true;	/* listed twice */
		}
		if (fuzz(f, 2)) {
			r->flags = chance(f, 50) ? 0 : 4u << below(f, 30);
			f->must_fail = true;
		}
	}
	count = entry_count(f, n, DRM_TLGPU_MAX_BOS);
	for (i = n; i < count && i < ARRAY_SIZE(f->refs); i++)
		f->refs[i] = (struct drm_tlgpu_bo_ref){ r32(f), r32(f) };
	return count;
}

/* Syncobj @so got a fence at @point (0: a binary one, replacing all). */
static void sobj_signalled(struct sobj *so, uint64_t point)
{
	if (!so)
		return;
	so->fenced = true;
	so->timeline = point != 0;
	if (point > so->point)
		so->point = point;
}

/* A syncobj of @fd with a fence, for a valid in-sync; NULL if none. */
static struct sobj *pick_fenced(struct fz *f, int fd)
{
	unsigned int i, k = below(f, MAX_OBJS);

	for (i = 0; i < f->nsobjs; i++) {
		struct sobj *so = &f->sobjs[(i + k) % f->nsobjs];

		if (so->fd == fd && so->fenced && !so->shared)
			return so;
	}
	return NULL;
}

/* An in-sync point of @so: one it has, mostly. */
static uint64_t in_point(struct fz *f, const struct sobj *so)
{
	if (!so || fuzz(f, 5))
		return boundary(f, 1000);
	if (f->clean || chance(f, 90))
		return so->timeline && chance(f, 60) ? 1 + below(f, so->point) : 0;
	return below(f, so->point + 2);	/* maybe one it has not */
}

/*
 * Fills @syncs for a job of @fd, in ones or out ones; returns the count
 * to submit.
 */
static uint32_t gen_syncs(struct fz *f, int fd, struct drm_tlgpu_sync *syncs,
			  bool out)
{
	uint32_t n = chance(f, 50) ? 0 : 1 + below(f, 4), i, count;
	struct sobj *so;

	for (i = 0; i < n; i++) {
		struct drm_tlgpu_sync *s = &syncs[i];

		if (f->clean) {
			so = out ? pick_sobj_of(f, fd) : pick_fenced(f, fd);
			if (!so)
				break;
			s->handle = so->handle;
		} else {
			s->handle = pick_syncobj(f, fd, &so);
		}
		s->flags = pad32(f);
		if (!out)
			s->point = in_point(f, so);
		else if (so && !fuzz(f, 5))
			s->point = chance(f, 40) ? 0 : so->point + 1;
		else
			s->point = boundary(f, 1000);
	}
	n = i;
	count = entry_count(f, n, DRM_TLGPU_MAX_SYNCS);
	for (i = n; i < count && i < DRM_TLGPU_MAX_SYNCS + 16; i++)
		syncs[i] = (struct drm_tlgpu_sync){ r32(f), 0, r64(f) };
	return count;
}

static uint32_t submit_flags(struct fz *f)
{
	uint32_t flags = 0;

	if (chance(f, 30))
		flags |= DRM_TLGPU_SUBMIT_NO_IMPLICIT;
	if (chance(f, 25) && (!f->clean || f->nfds[FD_SYNC_FILE]))
		flags |= DRM_TLGPU_SUBMIT_FENCE_IN;
	if (chance(f, 60))
		flags |= DRM_TLGPU_SUBMIT_FENCE_OUT;
	if (fuzz(f, 2)) {
		flags |= 8u << below(f, 29);
		f->must_fail = true;
	}
	return flags;
}

static uint32_t submit_timeline(struct fz *f, uint32_t timelines)
{
	uint32_t tl;

	if (!fuzz(f, 5))
		return below(f, timelines);
	tl = boundary(f, timelines - 1);
	f->must_fail |= tl >= timelines;
	return tl;
}

static void op_submit(struct fz *f)
{
	struct drm_tlgpu_submit s = { 0 };
	struct file *file;
	int fd = pick_dev_fd(f, &file);
	struct job j = { .fd = fd };
	uint32_t len, i;
	bool must_fail;
	int ret;

	len = gen_cmds(f, &j);
	must_fail = f->must_fail;
	s.cmds = uptr(f, f->cmds);
	s.cmd_dwords = cmd_count(f, &j, len);
	s.timeline = submit_timeline(f, file ? file->timelines : 1);
	s.bo_count = gen_bo_refs(f, fd);
	s.bos = uptr(f, f->refs);
	s.in_sync_count = gen_syncs(f, fd, f->in_syncs, false);
	s.in_syncs = uptr(f, f->in_syncs);
	s.out_sync_count = gen_syncs(f, fd, f->out_syncs, true);
	s.out_syncs = uptr(f, f->out_syncs);
	s.flags = submit_flags(f);
	s.in_fence_fd = s.flags & DRM_TLGPU_SUBMIT_FENCE_IN ?
			pick_fd(f, FD_SYNC_FILE) : (int)r32(f);
	s.out_fence_fd = r32(f);
	s.seqno = r64(f);
	if (fuzz(f, 2)) {
		s.extensions = chance(f, 50) ? (uintptr_t)f->cmds : r64(f) | 1;
		f->must_fail = true;
	}
	f->must_fail |= must_fail;
	trace_array(f, "cmds", f->cmds, len, 4);
	trace_array(f, "bos", f->refs, s.bo_count, sizeof(f->refs[0]));
	trace_array(f, "in", f->in_syncs, s.in_sync_count, sizeof(f->in_syncs[0]));
	trace_array(f, "out", f->out_syncs, s.out_sync_count,
		    sizeof(f->out_syncs[0]));
	ret = IOCTL(f, fd, DRM_IOCTL_TLGPU_SUBMIT, &s);
	if (ret) {
		/*
		 * A clean SUBMIT should not fail, but the table can be wrong
		 * (a syncobj reached through another handle): a note only.
		 */
		if (f->clean && f->notes++ < MAX_NOTES)
			wlog(f, "note: iteration %lu: a SUBMIT the table took for valid failed: %s",
			     f->iter, errno_name(-ret));
		return;
	}
	if (s.flags & DRM_TLGPU_SUBMIT_FENCE_OUT)
		fd_add(f, FD_SYNC_FILE, s.out_fence_fd);
	/* By handle: a random one may be a syncobj of the table too. */
	for (i = 0; i < s.out_sync_count && i < DRM_TLGPU_MAX_SYNCS; i++)
		sobj_signalled(sobj_get(f, fd, f->out_syncs[i].handle),
			       f->out_syncs[i].point);
}

/* ------------------------------------------------------------------ */
/* Syncobjs                                                            */
/* ------------------------------------------------------------------ */

/* The fd a syncobj ioctl goes to: a tlgpu file, sometimes vgem or junk. */
static int sobj_fd(struct fz *f)
{
	struct file *file;

	if (f->vgem >= 0 && fuzz(f, 3))
		return f->vgem;
	return pick_dev_fd(f, &file);
}

/*
 * Fills f->handles (and f->points if @points) with @n syncobjs of @fd;
 * returns the count to pass: mostly @n.  Points are mostly ones the
 * syncobj has, @next ones beyond its last.
 */
static uint32_t gen_sobj_array(struct fz *f, int fd, bool points, bool next)
{
	uint32_t n = 1 + below(f, 4), i, count;
	struct sobj *so;

	for (i = 0; i < n; i++) {
		f->handles[i] = pick_syncobj(f, fd, &so);
		if (!points)
			continue;
		if (!so || fuzz(f, 5))
			f->points[i] = boundary(f, 1000);
		else if (next)
			f->points[i] = chance(f, 10) ? 0 : so->point + 1;
		else
			f->points[i] = below(f, so->point + 2);
	}
	count = n;
	if (fuzz(f, 5)) {
		count = below(f, 3) ? boundary(f, n) : below(f, GENERIC_COUNT_MAX);
		if (count > GENERIC_COUNT_MAX)
			count = GENERIC_COUNT_MAX;	/* larger ones warn in the core */
		for (i = n; i < count; i++) {
			f->handles[i] = r32(f) % 64;
			f->points[i] = r64(f);
		}
	}
	trace_array(f, "handles", f->handles, count, 4);
	if (points)
		trace_array(f, "points", f->points, count, 8);
	return count;
}

/* After a successful signal of f->points[], the syncobjs' new points. */
static void note_points(struct fz *f, int fd, uint32_t count)
{
	uint32_t i;

	for (i = 0; i < count; i++)
		sobj_signalled(sobj_get(f, fd, f->handles[i]), f->points[i]);
}

static uint32_t wait_flags(struct fz *f, bool timeline)
{
	uint32_t flags = 0;

	if (chance(f, 30))
		flags |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL;
	if (chance(f, 30))
		flags |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
	if (timeline && chance(f, 30))
		flags |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE;
	if (fuzz(f, 3))
		flags |= 1u << below(f, 32);
	return flags;
}

static void op_syncobj_create(struct fz *f)
{
	struct drm_syncobj_create c = { .handle = r32(f) };
	int fd = sobj_fd(f);

	c.flags = chance(f, 40) ? DRM_SYNCOBJ_CREATE_SIGNALED : 0;
	if (fuzz(f, 3))
		c.flags |= 1u << below(f, 32);
	if (IOCTL(f, fd, DRM_IOCTL_SYNCOBJ_CREATE, &c) || !file_of(f, fd))
		return;
	sobj_add(f, fd, c.handle);
	if (c.flags & DRM_SYNCOBJ_CREATE_SIGNALED)
		sobj_signalled(sobj_get(f, fd, c.handle), 0);
}

static void op_syncobj_destroy(struct fz *f)
{
	struct drm_syncobj_destroy d = { 0 };
	struct sobj *so;
	int fd = sobj_fd(f), k, ret;

	d.handle = pick_syncobj(f, fd, &so);
	d.pad = junk32(f);
	ret = IOCTL(f, fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
	if (ret && ret != -EFAULT)	/* -EFAULT: maybe destroyed */
		return;
	k = sobj_find(f, fd, d.handle);
	if (k >= 0)
		sobj_forget(f, k);
}

static void op_syncobj_wait(struct fz *f)
{
	struct drm_syncobj_wait w = { 0 };
	int fd = sobj_fd(f);

	w.count_handles = gen_sobj_array(f, fd, false, false);
	w.handles = uptr(f, f->handles);
	w.timeout_nsec = short_deadline(f);
	w.flags = wait_flags(f, false);
	w.first_signaled = r32(f);
	w.pad = junk32(f);
	IOCTL(f, fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

static void op_syncobj_timeline_wait(struct fz *f)
{
	struct drm_syncobj_timeline_wait w = { 0 };
	int fd = sobj_fd(f);

	w.count_handles = gen_sobj_array(f, fd, true, false);
	w.handles = uptr(f, f->handles);
	w.points = uptr(f, f->points);
	w.timeout_nsec = short_deadline(f);
	w.flags = wait_flags(f, true);
	w.first_signaled = r32(f);
	w.pad = junk32(f);
	IOCTL(f, fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

/* RESET or SIGNAL of an array: then each syncobj has a fence or not. */
static void syncobj_array(struct fz *f, unsigned long req, const char *name,
			  bool fenced)
{
	struct drm_syncobj_array a = { 0 };
	int fd = sobj_fd(f), ret;
	uint32_t i;

	a.count_handles = gen_sobj_array(f, fd, false, false);
	a.handles = uptr(f, f->handles);
	a.pad = junk32(f);
	ret = fz_ioctl(f, fd, req, name, &a);
	/* -EFAULT: maybe done, and only the copy-out failed. */
	if (ret && (ret != -EFAULT || fenced))
		return;
	for (i = 0; i < a.count_handles; i++) {
		struct sobj *so = sobj_get(f, fd, f->handles[i]);

		if (so) {
			so->fenced = fenced;
			so->timeline = false;
		}
	}
}

static void op_syncobj_reset(struct fz *f)
{
	syncobj_array(f, DRM_IOCTL_SYNCOBJ_RESET, "DRM_IOCTL_SYNCOBJ_RESET",
		      false);
}

static void op_syncobj_signal(struct fz *f)
{
	syncobj_array(f, DRM_IOCTL_SYNCOBJ_SIGNAL, "DRM_IOCTL_SYNCOBJ_SIGNAL",
		      true);
}

static void op_syncobj_timeline_signal(struct fz *f)
{
	struct drm_syncobj_timeline_array a = { 0 };
	int fd = sobj_fd(f);

	a.count_handles = gen_sobj_array(f, fd, true, true);
	a.handles = uptr(f, f->handles);
	a.points = uptr(f, f->points);
	a.flags = junk32(f);
	if (!IOCTL(f, fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &a))
		note_points(f, fd, a.count_handles);
}

static void op_syncobj_query(struct fz *f)
{
	struct drm_syncobj_timeline_array a = { 0 };
	int fd = sobj_fd(f);

	a.count_handles = gen_sobj_array(f, fd, true, false);
	a.handles = uptr(f, f->handles);
	a.points = uptr(f, f->points);
	a.flags = chance(f, 50) ? DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED : 0;
	if (fuzz(f, 3))
		a.flags |= 1u << below(f, 32);
	IOCTL(f, fd, DRM_IOCTL_SYNCOBJ_QUERY, &a);
}

static void op_syncobj_transfer(struct fz *f)
{
	struct drm_syncobj_transfer t = { 0 };
	struct sobj *src, *dst;
	int fd = sobj_fd(f);

	t.src_handle = pick_syncobj(f, fd, &src);
	t.dst_handle = pick_syncobj(f, fd, &dst);
	t.src_point = src && chance(f, 90) ? below(f, src->point + 1)
					   : boundary(f, 1000);
	t.dst_point = chance(f, 40) ? 0 : dst ? dst->point + 1 : r64(f);
	/* Never WAIT_FOR_SUBMIT: the core waits up to 5 s for it here. */
	t.flags = chance(f, 20) ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL : 0;
	if (fuzz(f, 3))
		t.flags |= (1u << below(f, 32)) &
			   ~DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
	t.pad = junk32(f);
	if (!IOCTL(f, fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &t))
		sobj_signalled(sobj_get(f, fd, t.dst_handle), t.dst_point);
}

static void op_syncobj_handle_to_fd(struct fz *f)
{
	struct drm_syncobj_handle h = { .fd = r32(f) };
	struct sobj *so;
	int fd = sobj_fd(f);

	h.handle = pick_syncobj(f, fd, &so);
	h.flags = chance(f, 50) ? DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE
				: 0;
	if (fuzz(f, 3))
		h.flags |= 1u << below(f, 32);
	h.pad = junk32(f);
	if (IOCTL(f, fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h))
		return;
	if (!(h.flags & DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE) &&
	    (so = sobj_get(f, fd, h.handle)))
		so->shared = true;
	fd_add(f, h.flags & DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE ?
		  FD_SYNC_FILE : FD_SYNCOBJ, h.fd);
}

static void op_syncobj_fd_to_handle(struct fz *f)
{
	struct drm_syncobj_handle h = { 0 };
	bool import = chance(f, 50);
	struct sobj *so = NULL;
	int fd = sobj_fd(f);

	h.flags = import ? DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE : 0;
	if (fuzz(f, 3))
		h.flags |= 1u << below(f, 32);
	h.fd = pick_fd(f, import ? FD_SYNC_FILE : FD_SYNCOBJ);
	h.handle = import ? pick_syncobj(f, fd, &so) : r32(f);
	h.pad = junk32(f);
	if (IOCTL(f, fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h))
		return;
	if (import)
		sobj_signalled(sobj_get(f, fd, h.handle), 0);
	else if (file_of(f, fd) && sobj_add(f, fd, h.handle))
		sobj_get(f, fd, h.handle)->shared = true;
}

/* ------------------------------------------------------------------ */
/* PRIME, GEM_CLOSE, vgem                                              */
/* ------------------------------------------------------------------ */

/* A file PRIME ioctls go to: a tlgpu one, sometimes vgem or junk. */
static int prime_fd(struct fz *f)
{
	struct file *file;

	if (f->vgem >= 0 && chance(f, 20))
		return f->vgem;
	return pick_dev_fd(f, &file);
}

static void op_prime_handle_to_fd(struct fz *f)
{
	static const uint32_t flags[] = {
		DRM_CLOEXEC | DRM_RDWR, DRM_CLOEXEC, DRM_RDWR, 0,
	};
	struct drm_prime_handle p = { .fd = r32(f) };
	struct bo *bo;
	int fd = prime_fd(f);

	p.handle = pick_handle(f, fd, &bo);
	p.flags = flags[below(f, ARRAY_SIZE(flags))];
	if (fuzz(f, 3))
		p.flags |= 1u << below(f, 32);
	if (!IOCTL(f, fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p))
		fd_add(f, FD_DMABUF, p.fd);
}

static void op_prime_fd_to_handle(struct fz *f)
{
	struct drm_prime_handle p = { .handle = r32(f) };
	int fd = prime_fd(f);
	off_t size;

	p.fd = pick_fd(f, FD_DMABUF);
	p.flags = fuzz(f, 5) ? r32(f) : 0;
	if (IOCTL(f, fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p))
		return;
	if (fd != f->vgem && !file_of(f, fd))
		return;
	size = lseek(p.fd, 0, SEEK_END);
	bo_add(f, fd, p.handle, size > 0 ? (uint64_t)size : PAGE);
}

static void op_gem_close(struct fz *f)
{
	struct drm_gem_close c = { 0 };
	struct bo *bo;
	int fd = prime_fd(f), k;

	c.handle = pick_handle(f, fd, &bo);
	c.pad = junk32(f);
	if (IOCTL(f, fd, DRM_IOCTL_GEM_CLOSE, &c))
		return;
	k = bo_find(f, fd, c.handle);
	if (k >= 0)
		bo_forget(f, k);
}

static void op_vgem_create(struct fz *f)
{
	uint32_t handle;
	uint64_t size;
	int ret;

	if (f->vgem < 0)
		return;
	trace(f, "tlgpu_vgem_dumb_create", f->vgem, NULL, 0);
	ret = tlgpu_vgem_dumb_create(f->vgem, 1 + below(f, 256),
				     1 + below(f, 64), 32, &handle, NULL, &size);
	judge(f, "tlgpu_vgem_dumb_create", f->vgem, NULL, 0, ret ? -1 : 0,
	      -ret, false);
	if (!ret)
		bo_add(f, f->vgem, handle, size);
}

/* ------------------------------------------------------------------ */
/* dma-buf and sync_file                                               */
/* ------------------------------------------------------------------ */

static uint32_t dmabuf_rw(struct fz *f)
{
	static const uint32_t rw[] = {
		DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW,
	};
	uint32_t flags = rw[below(f, 3)];

	if (fuzz(f, 3))
		flags = chance(f, 50) ? 0 : flags | 4u << below(f, 30);
	return flags;
}

static void op_dmabuf_export_sync_file(struct fz *f)
{
	struct dma_buf_export_sync_file e = { .fd = r32(f) };
	int fd = pick_fd(f, FD_DMABUF);

	e.flags = dmabuf_rw(f);
	if (!IOCTL(f, fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e))
		fd_add(f, FD_SYNC_FILE, e.fd);
}

static void op_dmabuf_import_sync_file(struct fz *f)
{
	struct dma_buf_import_sync_file i = { 0 };
	int fd = pick_fd(f, FD_DMABUF);

	i.flags = dmabuf_rw(f);
	i.fd = pick_fd(f, FD_SYNC_FILE);
	IOCTL(f, fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &i);
}

static void op_dmabuf_sync(struct fz *f)
{
	struct dma_buf_sync s = { 0 };
	int fd = pick_fd(f, FD_DMABUF);

	s.flags = dmabuf_rw(f) | (chance(f, 50) ? DMA_BUF_SYNC_START
						: DMA_BUF_SYNC_END);
	if (fuzz(f, 3))
		s.flags = r64(f);
	IOCTL(f, fd, DMA_BUF_IOCTL_SYNC, &s);
}

static void op_dmabuf_set_name(struct fz *f)
{
	char name[64];
	size_t i, len = chance(f, 90) ? below(f, 32) : below(f, sizeof(name));
	int fd = pick_fd(f, FD_DMABUF);

	for (i = 0; i < sizeof(name); i++)
		name[i] = i < len ? 'a' + below(f, 26) : '\0';
	if (fuzz(f, 3))
		memset(name, 'z', sizeof(name));	/* unterminated */
	IOCTL(f, fd, DMA_BUF_SET_NAME_B, name);
}

/* A name of 32 bytes, now and then without a terminating NUL. */
static void fence_name(struct fz *f, char *name, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		name[i] = ' ' + below(f, 95);
	if (!fuzz(f, 5))
		name[below(f, size)] = '\0';
}

static void op_sync_merge(struct fz *f)
{
	struct sync_merge_data m = { 0 };
	int fd = pick_fd(f, FD_SYNC_FILE);

	fence_name(f, m.name, sizeof(m.name));
	m.fd2 = pick_fd(f, FD_SYNC_FILE);
	m.fence = r32(f);
	m.flags = junk32(f);
	m.pad = junk32(f);
	if (!IOCTL(f, fd, SYNC_IOC_MERGE, &m))
		fd_add(f, FD_SYNC_FILE, m.fence);
}

static void op_sync_file_info(struct fz *f)
{
	struct sync_file_info info = { 0 };
	int fd = pick_fd(f, FD_SYNC_FILE);
	uint32_t i;

	if (chance(f, 50) &&
	    !IOCTL(f, fd, SYNC_IOC_FILE_INFO, &info) &&
	    info.num_fences <= FENCE_INFO_MAX) {
		if (chance(f, 20) && info.num_fences)
			info.num_fences--;	/* too few: EINVAL */
	} else {
		info.num_fences = below(f, FENCE_INFO_MAX + 1);
	}
	info.sync_fence_info = uptr(f, f->fence_info);
	if (fuzz(f, 10))
		info.sync_fence_info = (uintptr_t)f->ro;
	info.flags = junk32(f);
	info.pad = junk32(f);
	info.status = r32(f);
	if (IOCTL(f, fd, SYNC_IOC_FILE_INFO, &info))
		return;
	fence_error(f, "sync_file status", info.status < 0 ? info.status : 0);
	if (info.sync_fence_info != (uintptr_t)f->fence_info)
		return;
	for (i = 0; i < info.num_fences && i < FENCE_INFO_MAX; i++) {
		if (f->fence_info[i].status < 0)
			fence_error(f, f->fence_info[i].driver_name,
				    f->fence_info[i].status);
	}
}

/* ------------------------------------------------------------------ */
/* poll, close, open, mmap                                             */
/* ------------------------------------------------------------------ */

/* Any fd of the tables, or a bad one. */
static int any_fd(struct fz *f)
{
	unsigned int k = below(f, FD_KINDS + 2);

	if (k < FD_KINDS)
		return pick_fd(f, k);
	if (k == FD_KINDS && f->nfiles)
		return pick_file(f)->fd;
	return f->vgem >= 0 && chance(f, 50) ? f->vgem : -1;
}

static void op_poll(struct fz *f)
{
	struct pollfd p[4];
	unsigned int n = 1 + below(f, 4), i;

	for (i = 0; i < n; i++) {
		p[i].fd = any_fd(f);
		p[i].events = (chance(f, 70) ? POLLIN : 0) |
			      (chance(f, 40) ? POLLOUT : 0) |
			      (chance(f, 10) ? POLLPRI : 0);
		p[i].revents = 0;
	}
	fz_sys(f, "poll", p[0].fd, poll(p, n, 0) < 0 ? -1 : 0);
}

static void op_close_fd(struct fz *f)
{
	enum fd_kind kind = below(f, FD_KINDS);

	if (f->nfds[kind])
		fd_drop(f, kind, below(f, f->nfds[kind]));
}

static void op_reopen_file(struct fz *f)
{
	if (f->nfiles > 1 && (f->nfiles == MAX_FILES || chance(f, 50)))
		file_close(f, below(f, f->nfiles));
	else
		file_open(f);
}

/* Reads, and writes if @prot allows, a few bytes of a mapping. */
static void touch(struct fz *f, const struct map *m)
{
	volatile uint8_t *p = m->ptr;
	unsigned int i;

	f->stats[f->op].ok++;
	for (i = 0; i < 4; i++) {
		size_t off = i == 0 ? 0 : i == 1 ? m->len - 1 : below(f, m->len);

		if (m->prot & PROT_READ)
			(void)p[off];
		if (m->prot & PROT_WRITE)
			p[off] = r32(f);
	}
}

static void op_mmap(struct fz *f)
{
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ,
		PROT_WRITE, PROT_NONE,
	};
	int prot = prots[below(f, ARRAY_SIZE(prots))];
	int flags = chance(f, 92) ? MAP_SHARED : MAP_PRIVATE;
	struct bo *bo = pick_bo(f, -1);
	size_t len, size;
	bool bad = false;
	off_t off;
	void *p;
	int fd;

	if (chance(f, 25) && f->nfds[FD_DMABUF]) {
		fd = pick_fd(f, FD_DMABUF);
		size = lseek(fd, 0, SEEK_END) > 0 ? lseek(fd, 0, SEEK_END) : PAGE;
		off = 0;
	} else if (bo && bo->fd != f->vgem) {
		fd = bo->fd;
		size = bo->size;
		off = bo->mmap_offset;
	} else {
		return;
	}
	len = size;
	if (fuzz(f, 10)) {
		switch (below(f, 4)) {
		case 0: len = PAGE; break;
		case 1: len = size + PAGE; bad = true; break;
		case 2: len = 0; break;
		default: off += PAGE; break;	/* maybe the next object */
		}
	}
	trace(f, "mmap", fd, NULL, 0);
	p = mmap(NULL, len, prot, flags, fd, off);
	if (fz_sys(f, "mmap", fd, p == MAP_FAILED ? -1 : 0))
		return;
	if (bad)
		fail(f, "mmap of %zu bytes at offset %#llx of fd %d (an object of %zu bytes) succeeded",
		     len, (unsigned long long)off, fd, size);
	map_add(f, p, len, prot);
	touch(f, &f->maps[f->nmaps - 1]);
}

static void op_munmap(struct fz *f)
{
	unsigned int i;

	if (!f->nmaps)
		return;
	i = below(f, f->nmaps);
	fz_sys(f, "munmap", -1, munmap(f->maps[i].ptr, f->maps[i].len));
	f->maps[i] = f->maps[--f->nmaps];
}

static void op_map_touch(struct fz *f)
{
	if (f->nmaps)
		touch(f, &f->maps[below(f, f->nmaps)]);
}

/* ------------------------------------------------------------------ */
/* The operation table and the worker                                  */
/* ------------------------------------------------------------------ */

static const struct op ops[] = {
	{ "get-param",			op_get_param,			2 },
	{ "bo-create",			op_bo_create,			6 },
	{ "bo-info",			op_bo_info,			2 },
	{ "submit",			op_submit,			16 },
	{ "wait-bo",			op_wait_bo,			3 },
	{ "get-reset-status",		op_get_reset_status,		1 },
	{ "syncobj-create",		op_syncobj_create,		4 },
	{ "syncobj-destroy",		op_syncobj_destroy,		2 },
	{ "syncobj-wait",		op_syncobj_wait,		2 },
	{ "syncobj-timeline-wait",	op_syncobj_timeline_wait,	2 },
	{ "syncobj-reset",		op_syncobj_reset,		1 },
	{ "syncobj-signal",		op_syncobj_signal,		1 },
	{ "syncobj-timeline-signal",	op_syncobj_timeline_signal,	2 },
	{ "syncobj-query",		op_syncobj_query,		1 },
	{ "syncobj-transfer",		op_syncobj_transfer,		2 },
	{ "syncobj-handle-to-fd",	op_syncobj_handle_to_fd,	2 },
	{ "syncobj-fd-to-handle",	op_syncobj_fd_to_handle,	2 },
	{ "prime-handle-to-fd",		op_prime_handle_to_fd,		3 },
	{ "prime-fd-to-handle",		op_prime_fd_to_handle,		3 },
	{ "gem-close",			op_gem_close,			3 },
	{ "vgem-create",		op_vgem_create,			1 },
	{ "dmabuf-export-sync-file",	op_dmabuf_export_sync_file,	2 },
	{ "dmabuf-import-sync-file",	op_dmabuf_import_sync_file,	2 },
	{ "dmabuf-sync",		op_dmabuf_sync,			1 },
	{ "dmabuf-set-name",		op_dmabuf_set_name,		1 },
	{ "sync-merge",			op_sync_merge,			2 },
	{ "sync-file-info",		op_sync_file_info,		2 },
	{ "poll",			op_poll,			2 },
	{ "close-fd",			op_close_fd,			3 },
	{ "reopen-file",		op_reopen_file,			1 },
	{ "mmap",			op_mmap,			2 },
	{ "munmap",			op_munmap,			1 },
	{ "map-touch",			op_map_touch,			1 },
};
static const unsigned int num_ops = ARRAY_SIZE(ops);

_Static_assert(ARRAY_SIZE(ops) <= NUM_OPS_MAX, "NUM_OPS_MAX too small");

static unsigned int pick_op(struct fz *f)
{
	static unsigned int total;
	unsigned int i, k;

	if (!total) {
		for (i = 0; i < num_ops; i++)
			total += ops[i].weight;
	}
	k = below(f, total);
	for (i = 0; k >= ops[i].weight; i++)
		k -= ops[i].weight;
	return i;
}

/* One log line: @head, then "ENAME count" for every errno counted. */
static void print_errnos(struct fz *f, const char *head,
			 const unsigned long *counts)
{
	char buf[512];
	size_t off = snprintf(buf, sizeof(buf), "%s", head);
	unsigned int e;

	for (e = 0; e < ERRNO_SLOTS && off < sizeof(buf) - 32; e++) {
		if (counts[e])
			off += snprintf(buf + off, sizeof(buf) - off, " %s %lu",
					e ? errno_name(e) : "E?", counts[e]);
	}
	wlog(f, "%s", buf);
}

static void print_stats(struct fz *f)
{
	unsigned int i;

	for (i = 0; i < num_ops; i++) {
		const struct op_stats *st = &f->stats[i];
		char head[80];

		snprintf(head, sizeof(head), "  %-24s runs %6lu, calls ok %6lu, failed:",
			 ops[i].name, st->runs, st->ok);
		print_errnos(f, head, st->err);
	}
	print_errnos(f, "fence errors seen (sync_file info, WAIT_BO):",
		     f->fence_errs);
}

static bool worker_setup(struct fz *f)
{
	unsigned int i;

	f->vgem = tlgpu_vgem_open(NULL, 0);
	if (f->vgem < 0)
		f->vgem = -1;
	f->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	f->pages = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f->ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->pages == MAP_FAILED || f->ro == MAP_FAILED ||
	    mprotect(f->pages + PAGE, PAGE, PROT_NONE)) {
		wlog(f, "setup: mmap: %s", strerror(errno));
		return false;
	}
	f->none = f->pages + PAGE;
	fill_bad_pages(f);
	tlgpu_cmdbuf_init(&f->cb);

	for (i = 0; i < 4 && f->nfiles < MAX_FILES; i++) {
		struct tlgpu_node node;
		uint64_t tl = 1;
		int fd = tlgpu_open_index(i, &node);

		if (fd < 0)
			break;
		tlgpu_get_param(fd, DRM_TLGPU_PARAM_NUM_TIMELINES, &tl);
		f->files[f->nfiles++] = (struct file){ fd, i, (uint32_t)tl };
	}
	f->ndev = f->nfiles;
	if (!f->ndev) {
		wlog(f, "setup: no tlgpu device");
		return false;
	}
	wlog(f, "%u tlgpu devices, vgem %s", f->ndev,
	     f->vgem >= 0 ? "present" : "absent");
	return true;
}

static int worker_main(unsigned int id, struct slot *slot, int64_t end_ns)
{
	struct fz *f = calloc(1, sizeof(*f));
	int64_t start = tlgpu_now_ns(), next_mark = start;
	unsigned int i;

	if (!f)
		return 2;
	f->id = id;
	f->slot = slot;
	f->rng = slot->seed;
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < nwatch; i++)
		close(watch[i].fd);
	if (!worker_setup(f))
		return 2;
	kmsg("tlgpu-fuzz: worker-%u seed %#" PRIx64 " starts\n", id, slot->seed);

	for (f->iter = 0; tlgpu_now_ns() < end_ns; f->iter++) {
		f->op = pick_op(f);
		f->must_fail = false;
		f->clean = chance(f, CLEAN_PCT);
		atomic_store(&slot->op, f->op);
		atomic_store(&slot->iter, f->iter);
		f->stats[f->op].runs++;
		ops[f->op].run(f);
		if (f->failures >= MAX_FAILURES) {
			wlog(f, "stopping after %u failures", f->failures);
			break;
		}
		if (tlgpu_now_ns() >= next_mark) {
			kmsg("tlgpu-fuzz: worker-%u iteration %lu\n", id, f->iter);
			next_mark += 5000 * NS_PER_MS;
		}
	}
	kmsg("tlgpu-fuzz: worker-%u done after %lu iterations\n", id, f->iter);
	wlog(f, "%lu iterations in %" PRId64 " ms, %u failures; objects at the end: "
	     "%u files, %u buffers, %u syncobjs, %u sync files, %u dma-bufs, "
	     "%u syncobj fds, %u maps", f->iter, test_elapsed_ms(start),
	     f->failures, f->nfiles, f->nbos, f->nsobjs, f->nfds[FD_SYNC_FILE],
	     f->nfds[FD_DMABUF], f->nfds[FD_SYNCOBJ], f->nmaps);
	print_stats(f);
	/* Everything else goes with the process: the exit path is fuzzed too. */
	return f->failures ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* Cases                                                               */
/* ------------------------------------------------------------------ */

static uint64_t worker_seed(unsigned int id)
{
	uint64_t x = suite_seed * 0x100000001b3ull + id;

	return splitmix64(&x);
}

/* The kernel stack and state of a stuck worker, into its log. */
static void describe_stuck(struct slot *s, unsigned int id)
{
	char path[64], buf[2048];
	int fd, n;

	slot_log(s, "worker-%u still running %u s past its budget, in op %s at iteration %lu",
		 id, grace_s, ops[atomic_load(&s->op)].name,
		 atomic_load(&s->iter));
	snprintf(path, sizeof(path), "/proc/%d/stack", s->pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		slot_log(s, "its kernel stack:\n%s", buf);
	}
}

/*
 * Starts the three workers and waits for them, the first time a worker
 * case runs (the cases run one after the other, each in a process of its
 * own: the shared page carries the results to the later ones).
 */
static void run_workers(void)
{
	int64_t end_ns = tlgpu_abs_timeout((int64_t)budget_s * 1000 * NS_PER_MS);
	int64_t kill_ns = end_ns + (int64_t)grace_s * 1000 * NS_PER_MS;
	unsigned int i, left = 0;

	for (i = 0; i < NUM_WORKERS; i++) {
		struct slot *s = &sh->w[i];
		pid_t pid;

		s->seed = worker_seed(i);
		fflush(stdout);
		pid = fork();	/* not into the shared s->pid: both sides would */
		if (pid == 0)
			_exit(worker_main(i, s, end_ns));
		s->pid = pid;
		if (pid < 0) {
			s->status = -1;
			atomic_store(&s->state, SLOT_DONE);
			continue;
		}
		atomic_store(&s->state, SLOT_RUNNING);
		left++;
	}
	while (left) {
		bool late = tlgpu_now_ns() > kill_ns;

		for (i = 0; i < NUM_WORKERS; i++) {
			struct slot *s = &sh->w[i];
			int status;

			if (atomic_load(&s->state) != SLOT_RUNNING)
				continue;
			if (late) {
				describe_stuck(s, i);
				kill(s->pid, SIGKILL);
				waitpid(s->pid, &status, 0);
				s->status = -1;
			} else if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
				s->status = status;
			} else {
				continue;
			}
			atomic_store(&s->state, SLOT_DONE);
			left--;
		}
		test_sleep_ms(50);
	}
}

static void print_slot_log(const struct slot *s)
{
	const char *p = s->log, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		ktap_diag("%.*s", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

static void print_slot_trace(struct slot *s)
{
	unsigned int next = atomic_load(&s->trace_next), i;

	ktap_diag("last calls, oldest first:");
	for (i = next > TRACE_LEN ? next - TRACE_LEN : 0; i < next; i++)
		ktap_diag("  %s", s->trace[i % TRACE_LEN]);
}

static enum ktap_result run_worker_case(unsigned int id)
{
	struct slot *s = &sh->w[id];
	int64_t deadline = tlgpu_abs_timeout((int64_t)(budget_s + grace_s + 10) *
					     1000 * NS_PER_MS);

	if (atomic_exchange(&sh->started, 1) == 0)
		run_workers();
	while (atomic_load(&s->state) != SLOT_DONE) {
		if (tlgpu_now_ns() > deadline) {
			ktap_diag("worker-%u never finished", id);
			return KTAP_FAIL;
		}
		test_sleep_ms(100);
	}

	ktap_diag("worker-%u: seed %#" PRIx64 " (suite seed %#" PRIx64
		  ", tlgpu_fuzz_seed), budget %u s%s", id, s->seed, suite_seed,
		  budget_s, stress_debug_kernel() ? " (debug kernel)" : "");
	print_slot_log(s);
	if (s->status == -1) {
		ktap_diag("worker-%u hung (or could not be forked)", id);
		print_slot_trace(s);
		return KTAP_FAIL;
	}
	if (WIFSIGNALED(s->status)) {
		ktap_diag("worker-%u killed by signal %d (%s) in op %s at iteration %lu",
			  id, WTERMSIG(s->status), strsignal(WTERMSIG(s->status)),
			  ops[atomic_load(&s->op)].name, atomic_load(&s->iter));
		print_slot_trace(s);
		return KTAP_FAIL;
	}
	if (!WIFEXITED(s->status) || WEXITSTATUS(s->status)) {
		ktap_diag("worker-%u exited with status %d", id,
			  WIFEXITED(s->status) ? WEXITSTATUS(s->status) : -1);
		return KTAP_FAIL;
	}
	return KTAP_PASS;
}

static enum ktap_result run_worker_0(void) { return run_worker_case(0); }
static enum ktap_result run_worker_1(void) { return run_worker_case(1); }
static enum ktap_result run_worker_2(void) { return run_worker_case(2); }

/* One FILL of a fresh buffer on @timeline of @fd, checked through mmap. */
static enum ktap_result fill_check(int fd, uint32_t timeline, uint32_t pattern)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct drm_tlgpu_bo_ref ref;
	struct tlgpu_bo bo;

	TEST_BO(fd, SMALL_BO, &bo);
	ref = (struct drm_tlgpu_bo_ref){ bo.handle, DRM_TLGPU_BO_WRITE };
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, bo.gpu_va, bo.size, pattern));
	TEST_RUN(fd, timeline, 0, &cb, &ref, 1);
	ASSERT_U32(bo.map, bo.size, pattern);
	tlgpu_cmdbuf_fini(&cb);
	KTAP_ASSERT_OK(tlgpu_bo_close(&bo));
	return KTAP_PASS;
}

static enum ktap_result run_device_still_works(void)
{
	long devices = test_boot_param("tlgpu_devices", 1);
	unsigned int i;

	for (i = 0; i < (unsigned long)(devices > 0 ? devices : 1); i++) {
		struct tlgpu_node node;
		uint64_t timelines;
		enum ktap_result res = test_open(i, &node);
		uint32_t tl;

		if (res == KTAP_SKIP && i > 0)
			break;
		CHECK(res);
		KTAP_ASSERT_OK(tlgpu_get_param(node.fd,
					       DRM_TLGPU_PARAM_NUM_TIMELINES,
					       &timelines));
		for (tl = 0; tl < timelines; tl++)
			CHECK(fill_check(node.fd, tl, 0x5a5a0000u | i << 8 | tl));
		ktap_diag("%s: FILL ok on %" PRIu64 " timelines", node.path,
			  timelines);
		close(node.fd);
	}

	/* No job of the fuzzer hangs: no reset since the suite started. */
	for (i = 0; i < nwatch; i++) {
		struct drm_tlgpu_reset_status rs;
		uint64_t count;

		KTAP_ASSERT_OK(tlgpu_get_reset_status(watch[i].fd, &rs));
		KTAP_ASSERT_OK(tlgpu_get_param(watch[i].fd,
					       DRM_TLGPU_PARAM_RESET_COUNT,
					       &count));
		ktap_diag("%s: %" PRIu64 " timeline resets, %" PRIu64
			  " full resets during the run", watch[i].path,
			  (uint64_t)rs.device_resets,
			  count - watch_reset_count[i]);
		KTAP_ASSERT_EQ(rs.device_resets, 0);
		KTAP_ASSERT_EQ(count, watch_reset_count[i]);
	}
	return KTAP_PASS;
}

static struct ktap_case cases[] = {
	{ .name = "worker-0", .run = run_worker_0 },
	{ .name = "worker-1", .run = run_worker_1 },
	{ .name = "worker-2", .run = run_worker_2 },
	{ .name = "device-still-works", .run = run_device_still_works,
	  .timeout = 60 },
};

int main(int argc, char **argv)
{
	bool debug = stress_debug_kernel();
	long seconds;
	unsigned int i;

	signal(SIGPIPE, SIG_IGN);
	suite_seed = (uint64_t)test_boot_param("tlgpu_fuzz_seed", DEFAULT_SEED);
	seconds = test_boot_param("tlgpu_fuzz_seconds",
				  debug ? DEBUG_SECONDS : STOCK_SECONDS);
	budget_s = seconds > 0 && seconds < 3600 ? seconds : 1;
	grace_s = debug ? GRACE_DEBUG_S : GRACE_STOCK_S;
	trace_all = test_boot_param("tlgpu_fuzz_trace", 0) > 0;
	for (i = 0; i < NUM_WORKERS; i++)
		cases[i].timeout = budget_s + grace_s + 30;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("tlgpu-fuzz: mmap");
		return 1;
	}
	for (nwatch = 0; nwatch < MAX_WATCH; nwatch++) {
		if (tlgpu_open_index(nwatch, &watch[nwatch]) < 0 ||
		    tlgpu_get_param(watch[nwatch].fd, DRM_TLGPU_PARAM_RESET_COUNT,
				    &watch_reset_count[nwatch]))
			break;
	}
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
