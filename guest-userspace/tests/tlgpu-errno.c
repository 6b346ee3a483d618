/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-errno: the exact fence error of each way a job can fail, in every
 * place userspace sees it.
 *
 * The uAPI (tlgpu_drm.h, "Errors") promises -EFAULT for a page fault,
 * -EACCES for a write to a read-only page, -EINVAL for a command the
 * device refused, -EIO for an injected failure, -ETIME for a job that hung
 * and was reset, -ECANCELED for a job of the same file queued behind it
 * and -ENODEV for a job pending when the device went away; and the DRM
 * scheduler fails a job still queued when its file is closed with -ESRCH,
 * which the uAPI does not list.  Each case makes jobs fail for one cause
 * and checks, for every failed job (a "probe", with a buffer of its own),
 * the same table of places (check_probe()):
 *
 *  - the out sync_file: SYNC_IOC_FILE_INFO's status, and its fence's;
 *  - the out syncobj exported as a sync file (DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD
 *    with DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE), once while the
 *    job is pending and once after it failed; DRM_IOCTL_SYNCOBJ_WAIT,
 *    which returns 0: a syncobj wait carries no fence error;
 *  - WAIT_BO's @error on the written buffer, all fences and writers only;
 *  - the buffer's dma-buf fences: DMA_BUF_IOCTL_EXPORT_SYNC_FILE for a
 *    reader (the writers) and for a writer (all), taken while the job is
 *    pending (once it signalled, the export gives a signalled stub).
 *
 * A job is kept pending until its fences are taken by a vgem fence (a
 * "gate", its in-fence) or by the job before it.  Injection goes through
 * the driver's debugfs "inject" file (stress.h).  Every case turns every
 * injection off and binds every function again however it ends
 * (restoring()), and main() does it again for a case the harness killed.
 *
 *  - efault-page-fault: writes and reads of unmapped addresses, addresses
 *    beyond the VA space: -EFAULT, nothing written; the next job runs.
 *  - einval-bad-operand: each operand the device refuses: -EINVAL.
 *  - eio-injected: fail_seqno fails exactly the job of that hardware
 *    seqno, fail_every exactly every Nth: -EIO; the others succeed.
 *  - eio-injected-error-code: each device error code injected with
 *    fail_error, for every TLGPU_ERR_* value (and unknown ones), against
 *    tlgpu_error_to_errno()'s mapping.
 *  - eacces-read-only: no path maps a buffer read-only (see the case);
 *    checks that every kind of mapping is written, and -EACCES through
 *    the only code that gives it, TLGPU_ERR_PERMISSION, injected.
 *  - etime-hang: a timeline hangs (hang_mask) at a job: -ETIME after
 *    timeout_ms; the same file's job behind it -ECANCELED, another file's
 *    runs again.
 *  - ecanceled-behind-guilty: a job running past timeout_ms, two of its
 *    file's jobs behind it -ECANCELED, another file's innocent.
 *  - enodev-unbind: unbind with a job hung on the device and one queued
 *    behind a gate: both -ENODEV.
 *  - esrch-killed-at-close: a child process exits with two jobs queued
 *    behind gates; the parent holds their fences (sync files and syncobjs
 *    over SCM_RIGHTS, a shared dma-buf): both -ESRCH.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "stress.h"

#define W		DRM_TLGPU_BO_WRITE
#define MAX_PROBES	16
#define MARKER(i)	(0x6572726e6f000000ull | (i))	/* "errno" */

/* Every TLGPU_ERR_* value has a row in error_codes[]. */
_Static_assert(TLGPU_ERR_MAX == 8,
	       "a new device error code: add it to error_codes[]");

/* "-EFAULT (-14)", "1 (signalled)", ...: @buf. */
static const char *val_name(int v, char *buf, size_t len)
{
	const char *name = v < 0 ? strerrorname_np(-v) : NULL;

	if (v == 1)
		snprintf(buf, len, "1 (signalled, no error)");
	else if (v == 0)
		snprintf(buf, len, "0");
	else if (name)
		snprintf(buf, len, "-%s (%d)", name, v);
	else
		snprintf(buf, len, "%d", v);
	return buf;
}

/* ------------------------------------------------------------------ */
/* debugfs: fault injection and the timelines                          */
/* ------------------------------------------------------------------ */

#define INJECT(n, name, val)						\
	do {								\
		int ri_ = stress_inject(n, name, val);		\
		KTAP_ASSERT(!ri_, "inject %s %llu: %s", name,		\
			    (unsigned long long)(val), strerror(-ri_));	\
	} while (0)

/* A timeline's line of debugfs "timelines". */
struct tl_info {
	unsigned long long sw_seqno;	/* the last hardware seqno handed out */
	unsigned int jobs;		/* TLGPU_TL_JOBS_DONE */
	char state[16];
};

static int get_tl_info(const struct tlgpu_node *n, unsigned int tl,
		       struct tl_info *ti)
{
	static char buf[64 * 1024];
	unsigned long long hw, page;
	int ret, resets;

	ret = stress_timeline_find(n, tl, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (sscanf(buf + ret,
		   " hw-seqno %llu (status page %llu) sw-seqno %llu state %15s resets %d jobs %u",
		   &hw, &page, &ti->sw_seqno, ti->state, &resets,
		   &ti->jobs) != 6)
		return -EPROTO;
	return 0;
}

#define GET_TL_INFO(n, tl, ti)						\
	do {								\
		int rt_ = get_tl_info(n, tl, ti);			\
		KTAP_ASSERT(!rt_, "debugfs timelines, tl%u: %s",	\
			    (unsigned int)(tl), strerror(-rt_));	\
	} while (0)

/* The device's count of jobs it failed on purpose (debugfs). */
static int injected_failed(const struct tlgpu_node *n, unsigned int *count)
{
	static char buf[64 * 1024];
	char path[128];
	const char *p;
	int ret;

	stress_debugfs(n, "timelines", path, sizeof(path));
	ret = stress_read_file(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	p = strstr(buf, "injected: failed ");
	if (!p || sscanf(p, "injected: failed %u", count) != 1)
		return -EPROTO;
	return 0;
}

/* Waits until timeline @tl's state is @state. */
static enum ktap_result wait_tl_state(const struct tlgpu_node *n,
				      unsigned int tl, const char *state)
{
	int64_t start = tlgpu_now_ns();
	struct tl_info ti;

	for (;;) {
		GET_TL_INFO(n, tl, &ti);
		if (!strcmp(ti.state, state))
			return KTAP_PASS;
		if (test_elapsed_ms(start) > FENCE_TIMEOUT_MS)
			break;
		test_sleep_ms(2);
	}
	ktap_diag("timeline %u is %s after %d ms, expected %s", tl, ti.state,
		  FENCE_TIMEOUT_MS, state);
	return KTAP_FAIL;
}

/* ------------------------------------------------------------------ */
/* PCI functions                                                       */
/* ------------------------------------------------------------------ */

/* Binds every tlgpu function without a driver (after a killed case). */
static void bind_unbound(void)
{
	char path[PATH_MAX], buf[32];
	struct dirent *de;
	DIR *dir;

	dir = opendir("/sys/bus/pci/devices");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		unsigned long vendor, device;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 de->d_name);
		if (stress_read_file(path, buf, sizeof(buf)) < 0)
			continue;
		vendor = strtoul(buf, NULL, 0);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 de->d_name);
		if (stress_read_file(path, buf, sizeof(buf)) < 0)
			continue;
		device = strtoul(buf, NULL, 0);
		if (vendor != TLGPU_PCI_VENDOR_ID ||
		    device != TLGPU_PCI_DEVICE_ID)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver",
			 de->d_name);
		if (!access(path, F_OK))
			continue;
		fprintf(stderr, "tlgpu-errno: binding %s again\n", de->d_name);
		test_write_file(TLGPU_DRIVER_SYSFS "/bind", de->d_name);
	}
	closedir(dir);
}

/* ------------------------------------------------------------------ */
/* Gates: vgem fences a job waits for                                  */
/* ------------------------------------------------------------------ */

struct gate {
	int vgem;
	uint32_t fence;
	int fd;		/* a sync file of the vgem fence */
};

static enum ktap_result gate_open(struct gate *g)
{
	g->vgem = tlgpu_vgem_open(NULL, 0);
	if (g->vgem < 0)
		return ktap_skip("no vgem device (modprobe vgem)");
	return test_vgem_gate(g->vgem, &g->fence, &g->fd);
}

/*
 * Signals the gate: 0, or -ETIMEDOUT when vgem's own 10 s timeout had
 * signalled it first, which the callers accept.
 */
static int gate_release(struct gate *g)
{
	int ret = tlgpu_vgem_fence_signal(g->vgem, g->fence);

	if (ret == -ETIMEDOUT)
		ktap_diag("vgem's own timeout opened a gate first");
	return ret == -ETIMEDOUT ? 0 : ret;
}

static void gate_close(struct gate *g)
{
	close(g->fd);
	close(g->vgem);
}

/* ------------------------------------------------------------------ */
/* Probes: one job, its buffer, and every place its error shows        */
/* ------------------------------------------------------------------ */

struct probe {
	const char *what;
	int want;		/* fence status: 1, or the job's errno */
	int sub_fd;		/* the submitting file; -1 for a child's */
	struct tlgpu_bo bo;	/* the written buffer in @sub_fd */
	struct tlgpu_bo own;	/* and in its owner's file */
	void *map;		/* its CPU mapping */
	int dmabuf;
	int sobj_fd;		/* file of @syncobj; -1 once unusable */
	uint32_t syncobj;	/* the out syncobj (binary) */
	int wait_fd;		/* WAIT_BO here, on @wait_handle; -1: none */
	uint32_t wait_handle;
	int fence;		/* the out sync_file */
	int sobj_pending;	/* @syncobj as a sync file, job pending */
	int resv_writers;	/* dma-buf EXPORT_SYNC_FILE(READ), pending */
	int resv_all;		/* dma-buf EXPORT_SYNC_FILE(WRITE), pending */
};

static void probe_reset(struct probe *p, const char *what, int want)
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->want = want;
	p->sub_fd = p->sobj_fd = p->wait_fd = -1;
	p->dmabuf = p->fence = p->sobj_pending = -1;
	p->resv_writers = p->resv_all = -1;
}

/* The submitting file's handle of the buffer and its out syncobj. */
static enum ktap_result probe_attach(struct probe *p, int sub_fd)
{
	p->sub_fd = sub_fd;
	if (sub_fd < 0)
		return KTAP_PASS;
	if (sub_fd == p->own.fd && p->own.handle) {
		p->bo = p->own;
		p->bo.map = NULL;
	} else {
		KTAP_ASSERT_OK(tlgpu_bo_import(sub_fd, p->dmabuf, &p->bo));
	}
	KTAP_ASSERT_OK(tlgpu_syncobj_create(sub_fd, 0, &p->syncobj));
	p->sobj_fd = sub_fd;
	return KTAP_PASS;
}

/*
 * A page-sized buffer of @owner_fd (mapped, exported with @export_flags:
 * 0 read-write, DRM_CLOEXEC read-only), written by a job of @sub_fd
 * (-1: of another process); WAIT_BO on the owner's handle.
 */
static enum ktap_result probe_init(struct probe *p, const char *what, int want,
				   int sub_fd, int owner_fd,
				   uint32_t export_flags)
{
	probe_reset(p, what, want);
	TEST_BO(owner_fd, PAGE, &p->own);
	p->map = p->own.map;
	KTAP_ASSERT_OK(tlgpu_bo_export(&p->own, export_flags, &p->dmabuf));
	p->wait_fd = owner_fd;
	p->wait_handle = p->own.handle;
	return probe_attach(p, sub_fd);
}

/* The same for a buffer of another driver, its dma-buf and mapping. */
static enum ktap_result probe_init_import(struct probe *p, const char *what,
					  int want, int sub_fd, int dmabuf,
					  void *map)
{
	probe_reset(p, what, want);
	p->own.fd = -1;
	p->map = map;
	p->dmabuf = dmabuf;
	CHECK(probe_attach(p, sub_fd));
	p->wait_fd = sub_fd;
	p->wait_handle = p->bo.handle;
	return KTAP_PASS;
}

/* Submits @cb on @tl, with the buffer for writing, the out syncobj and
 * sync file, after sync file @in_fence unless it is -1. */
static enum ktap_result probe_submit(struct probe *p, uint32_t tl,
				     const struct tlgpu_cmdbuf *cb,
				     int in_fence)
{
	struct drm_tlgpu_bo_ref ref = { .handle = p->bo.handle, .flags = W };
	struct drm_tlgpu_sync out = { .handle = p->syncobj };
	struct tlgpu_job job = {
		.timeline = tl,
		.flags = DRM_TLGPU_SUBMIT_FENCE_OUT |
			 (in_fence >= 0 ? DRM_TLGPU_SUBMIT_FENCE_IN : 0),
		.bos = &ref,
		.bo_count = 1,
		.out_syncs = &out,
		.out_sync_count = 1,
		.in_fence_fd = in_fence,
	};
	int ret;

	ret = tlgpu_submit_cmdbuf(p->sub_fd, &job, cb, &p->fence, NULL);
	KTAP_ASSERT(!ret, "%s: SUBMIT on timeline %u: %s", p->what, tl,
		    strerror(-ret));
	return KTAP_PASS;
}

/*
 * While the job is pending: the fences the buffer's dma-buf gives a
 * reader and a writer, and the out syncobj's.  Each must be pending,
 * i.e. hold the job's fence, not a signalled stub.
 */
static enum ktap_result probe_snapshot(struct probe *p)
{
	KTAP_ASSERT(tlgpu_sync_file_status(p->fence) == 0,
		    "%s: the job signalled (%d) before its fences were taken",
		    p->what, tlgpu_sync_file_status(p->fence));
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(p->dmabuf,
						     DMA_BUF_SYNC_READ,
						     &p->resv_writers));
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(p->dmabuf,
						     DMA_BUF_SYNC_WRITE,
						     &p->resv_all));
	KTAP_ASSERT_OK(tlgpu_syncobj_export_sync_file(p->sobj_fd, p->syncobj,
						      0, &p->sobj_pending));
	KTAP_ASSERT(tlgpu_sync_file_status(p->resv_writers) == 0 &&
		    tlgpu_sync_file_status(p->resv_all) == 0 &&
		    tlgpu_sync_file_status(p->sobj_pending) == 0,
		    "%s: a fence taken while the job is pending is not: dma-buf %d/%d, syncobj %d",
		    p->what, tlgpu_sync_file_status(p->resv_writers),
		    tlgpu_sync_file_status(p->resv_all),
		    tlgpu_sync_file_status(p->sobj_pending));
	return KTAP_PASS;
}

static void probe_fini(struct probe *p)
{
	int *fds[] = { &p->fence, &p->sobj_pending, &p->resv_writers,
		       &p->resv_all, &p->dmabuf };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	if (p->sobj_fd >= 0 && p->sobj_fd == p->sub_fd)
		tlgpu_syncobj_destroy(p->sobj_fd, p->syncobj);
	if (p->own.fd >= 0 && p->own.handle)
		tlgpu_bo_close(&p->own);
}

/* What a place should show, from the job's fence status. */
enum expect {
	EXPECT_STATUS,	/* a fence status: 1, or the job's errno */
	EXPECT_ERROR,	/* an error field: 0, or the job's errno */
	EXPECT_RETURN,	/* a wait that returns 0, and has no error to give */
};

/* Not observable for this probe (its file is gone). */
#define NOT_HERE	1

/* Waits for sync file @fd and gives its status. */
static int signalled_status(int fd, int *seen)
{
	int ret = tlgpu_sync_file_wait(fd, FENCE_TIMEOUT_MS);

	if (ret)
		return ret;
	*seen = tlgpu_sync_file_status(fd);
	return 0;
}

static int see_out_fence(const struct probe *p, int *seen)
{
	return signalled_status(p->fence, seen);
}

static int see_out_fence_info(const struct probe *p, int *seen)
{
	struct sync_fence_info fi;
	int ret = tlgpu_sync_file_fence_info(p->fence, &fi);

	if (!ret)
		*seen = fi.status;
	return ret;
}

static int see_syncobj_pending(const struct probe *p, int *seen)
{
	return signalled_status(p->sobj_pending, seen);
}

static int see_syncobj_after(const struct probe *p, int *seen)
{
	int fd, ret;

	if (p->sobj_fd < 0)
		return NOT_HERE;
	/* drmSyncobjExportSyncFile: HANDLE_TO_FD, EXPORT_SYNC_FILE. */
	ret = tlgpu_syncobj_export_sync_file(p->sobj_fd, p->syncobj, 0, &fd);
	if (ret)
		return ret;
	ret = signalled_status(fd, seen);
	close(fd);
	return ret;
}

static int see_syncobj_wait(const struct probe *p, int *seen)
{
	uint32_t handle = p->syncobj;

	if (p->sobj_fd < 0)
		return NOT_HERE;
	*seen = tlgpu_syncobj_wait(p->sobj_fd, &handle, 1,
				   tlgpu_abs_timeout(FENCE_TIMEOUT_MS *
						     NS_PER_MS), 0, NULL);
	return 0;
}

static int wait_bo_error(const struct probe *p, uint32_t flags, int *seen)
{
	int32_t err = 0x7fffffff;
	int ret;

	if (p->wait_fd < 0)
		return NOT_HERE;
	ret = tlgpu_wait_bo_rel(p->wait_fd, p->wait_handle, flags,
				FENCE_TIMEOUT_MS * NS_PER_MS, &err);
	if (!ret)
		*seen = err;
	return ret;
}

static int see_wait_bo(const struct probe *p, int *seen)
{
	return wait_bo_error(p, 0, seen);
}

static int see_wait_bo_writers(const struct probe *p, int *seen)
{
	return wait_bo_error(p, DRM_TLGPU_WAIT_WRITERS, seen);
}

static int see_resv_writers(const struct probe *p, int *seen)
{
	return signalled_status(p->resv_writers, seen);
}

static int see_resv_all(const struct probe *p, int *seen)
{
	return signalled_status(p->resv_all, seen);
}

/* Every place a job's error shows. */
static const struct place {
	const char *name;
	enum expect expect;
	/* What @p shows there in *@seen: 0, NOT_HERE, or -errno of looking. */
	int (*see)(const struct probe *p, int *seen);
} places[] = {
	{ "out sync_file status", EXPECT_STATUS, see_out_fence },
	{ "out sync_file fence status", EXPECT_STATUS, see_out_fence_info },
	{ "out syncobj exported as sync file while pending", EXPECT_STATUS,
	  see_syncobj_pending },
	{ "out syncobj exported as sync file after", EXPECT_STATUS,
	  see_syncobj_after },
	{ "SYNCOBJ_WAIT return", EXPECT_RETURN, see_syncobj_wait },
	{ "WAIT_BO @error", EXPECT_ERROR, see_wait_bo },
	{ "WAIT_BO WAIT_WRITERS @error", EXPECT_ERROR, see_wait_bo_writers },
	{ "dma-buf EXPORT_SYNC_FILE(READ) status", EXPECT_STATUS,
	  see_resv_writers },
	{ "dma-buf EXPORT_SYNC_FILE(WRITE) status", EXPECT_STATUS,
	  see_resv_all },
};

/*
 * Checks that the job of @p signalled with exactly @p->want in every
 * place; reports every place that differs.
 */
static enum ktap_result check_probe(const struct probe *p)
{
	unsigned int i, bad = 0, seen_in = 0;
	char a[48], b[48], absent[256] = "";
	int ret;

	ret = tlgpu_sync_file_wait(p->fence, FENCE_TIMEOUT_MS);
	KTAP_ASSERT(!ret, "%s: its fence did not signal in %d ms: %s",
		    p->what, FENCE_TIMEOUT_MS, strerror(-ret));
	for (i = 0; i < ARRAY_SIZE(places); i++) {
		const struct place *pl = &places[i];
		int want = pl->expect == EXPECT_RETURN ? 0 :
			   pl->expect == EXPECT_ERROR && p->want > 0 ? 0 :
			   p->want;
		int seen = 0x7fffffff;

		ret = pl->see(p, &seen);
		if (ret == NOT_HERE) {
			snprintf(absent + strlen(absent),
				 sizeof(absent) - strlen(absent), "%s%s",
				 *absent ? ", " : "; out of reach: ", pl->name);
			continue;
		}
		if (ret) {
			ktap_diag("%s: %s: cannot look: %s", p->what, pl->name,
				  strerror(-ret));
			bad++;
		} else if (seen != want) {
			ktap_diag("%s: %s is %s, expected %s", p->what,
				  pl->name, val_name(seen, a, sizeof(a)),
				  val_name(want, b, sizeof(b)));
			bad++;
		} else {
			seen_in++;
		}
	}
	if (bad)
		return KTAP_FAIL;
	ktap_diag("%s: %s in all %u places%s", p->what,
		  val_name(p->want, a, sizeof(a)), seen_in, absent);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Tables of jobs                                                      */
/* ------------------------------------------------------------------ */

/* What the job leaves in its buffer. */
enum data_want {
	DATA_ANY,	/* not checked */
	DATA_NONE,	/* nothing: it failed before any write */
	DATA_MARKER,	/* its marker at offset 0: it ran */
};

struct spec {
	const char *what;
	/* The job's commands; @va is its buffer's (one page). */
	int (*build)(struct tlgpu_cmdbuf *cb, uint64_t va, uint64_t marker);
	int want;
	enum data_want data;
};

/* The page after a buffer: its mapping's guard page, never mapped. */
#define GUARD(va)	((va) + PAGE)

static int build_store(struct tlgpu_cmdbuf *cb, uint64_t va, uint64_t marker)
{
	return tlgpu_cmd_store(cb, va, marker);
}

/* The bad command, then a store that must not run. */
#define FAULTING(name, cmd)						\
	static int name(struct tlgpu_cmdbuf *cb, uint64_t va,		\
			uint64_t marker)				\
	{								\
		cmd;							\
		return tlgpu_cmd_store(cb, va + 2048, marker);		\
	}

FAULTING(build_store_guard, tlgpu_cmd_store(cb, GUARD(va), 1))
FAULTING(build_copy_from_guard, tlgpu_cmd_copy(cb, va, GUARD(va), 64))
FAULTING(build_fill_beyond_va, tlgpu_cmd_fill(cb, 1ull << TLGPU_VA_BITS, 16,
					      0x5a5a5a5a))
FAULTING(build_store_top, tlgpu_cmd_store(cb, 0xfffffffffffff000ull, 1))
FAULTING(build_fill_unaligned, tlgpu_cmd_fill(cb, va + 2, 16, 1))
FAULTING(build_fill_odd_size, tlgpu_cmd_fill(cb, va, 6, 1))
FAULTING(build_store_unaligned, tlgpu_cmd_store(cb, va + 4, 1))
FAULTING(build_checksum_unaligned, tlgpu_cmd_checksum(cb, va, 16, va + 2))
FAULTING(build_copy_overlap, tlgpu_cmd_copy(cb, va + 8, va, 64))
FAULTING(build_delay_too_long,
	 tlgpu_cmd_raw(cb, (const uint32_t[]){
		TLGPU_CMD_HDR(TLGPU_OP_DELAY, 2, 0),
		TLGPU_MAX_DELAY_US + 1 }, 2))

/*
 * Runs already initialised probes @p[0..@count) on timeline @tl of their
 * files, in order, the first behind a gate (so all are pending while
 * their fences are taken), then checks each: its errno everywhere and
 * its data.  Every probe is checked even when one fails.
 */
static enum ktap_result run_probes(struct probe *p, const struct spec *specs,
				   unsigned int count, uint32_t tl)
{
	enum ktap_result res = KTAP_PASS;
	struct tlgpu_cmdbuf cb = { 0 };
	struct gate g;
	unsigned int i;

	CHECK(gate_open(&g));
	for (i = 0; i < count; i++) {
		tlgpu_cmdbuf_reset(&cb);
		KTAP_ASSERT_OK(specs[i].build(&cb, p[i].bo.gpu_va, MARKER(i)));
		CHECK(probe_submit(&p[i], tl, &cb, i ? -1 : g.fd));
	}
	tlgpu_cmdbuf_fini(&cb);
	for (i = 0; i < count; i++)
		CHECK(probe_snapshot(&p[i]));
	KTAP_ASSERT_OK(gate_release(&g));

	for (i = 0; i < count; i++) {
		if (check_probe(&p[i]) != KTAP_PASS)
			res = KTAP_FAIL;
		if (specs[i].data == DATA_NONE &&
		    !test_check_u32(__FILE__, __LINE__, p[i].what, p[i].map,
				    PAGE, 0))
			res = KTAP_FAIL;
		if (specs[i].data == DATA_MARKER &&
		    *(uint64_t *)p[i].map != MARKER(i)) {
			ktap_diag("%s: its buffer holds %#llx, not its marker",
				  p[i].what,
				  (unsigned long long)*(uint64_t *)p[i].map);
			res = KTAP_FAIL;
		}
		probe_fini(&p[i]);
	}
	gate_close(&g);
	return res;
}

/* run_probes() of @count jobs of @n, each on a buffer of its own. */
static enum ktap_result run_specs(const struct tlgpu_node *n, uint32_t tl,
				  const struct spec *specs, unsigned int count)
{
	struct probe p[MAX_PROBES];
	unsigned int i;

	KTAP_ASSERT(count <= MAX_PROBES, "%u jobs", count);
	for (i = 0; i < count; i++)
		CHECK(probe_init(&p[i], specs[i].what, specs[i].want, n->fd,
				 n->fd, 0));
	return run_probes(p, specs, count, tl);
}

/* run_specs() of @count jobs on timeline 0 of a new file of device 0. */
static enum ktap_result run_specs_dev0(const struct spec *specs,
				       unsigned int count)
{
	struct tlgpu_node n;

	TEST_OPEN(0, &n);
	return run_specs(&n, 0, specs, count);
}

/* ------------------------------------------------------------------ */
/* Restoring the device                                                */
/* ------------------------------------------------------------------ */

/*
 * Runs @body, then binds what it unbound (test_undo(), which also reaps
 * its child) and turns every injection of every device off, however
 * @body ended.
 */
static enum ktap_result restoring(enum ktap_result (*body)(struct test_undo *))
{
	struct test_undo undo = { 0 };
	enum ktap_result res = body(&undo);

	res = test_undo(&undo, res);
	if (stress_inject_off()) {
		ktap_diag("could not turn the fault injection off");
		res = KTAP_FAIL;
	}
	return res;
}

#define RESTORING(fn)							\
	static enum ktap_result run_##fn(void)				\
	{								\
		return restoring(fn);					\
	}

/* ------------------------------------------------------------------ */
/* -EFAULT, -EINVAL: faults on the device                              */
/* ------------------------------------------------------------------ */

static enum ktap_result efault_page_fault(struct test_undo *undo)
{
	static const struct spec specs[] = {
		{ "STORE to the unmapped page after a buffer",
		  build_store_guard, -EFAULT, DATA_NONE },
		{ "COPY from the unmapped page after a buffer",
		  build_copy_from_guard, -EFAULT, DATA_NONE },
		{ "FILL beyond the 39-bit VA space", build_fill_beyond_va,
		  -EFAULT, DATA_NONE },
		{ "STORE at the top of the 64-bit VA range", build_store_top,
		  -EFAULT, DATA_NONE },
		{ "the next job on the timeline", build_store, 1,
		  DATA_MARKER },
	};

	(void)undo;
	return run_specs_dev0(specs, ARRAY_SIZE(specs));
}
RESTORING(efault_page_fault)

static enum ktap_result einval_bad_operand(struct test_undo *undo)
{
	static const struct spec specs[] = {
		{ "FILL at a VA not 4-aligned", build_fill_unaligned, -EINVAL,
		  DATA_NONE },
		{ "FILL of a size not a multiple of 4", build_fill_odd_size,
		  -EINVAL, DATA_NONE },
		{ "STORE at a VA not 8-aligned", build_store_unaligned,
		  -EINVAL, DATA_NONE },
		{ "CHECKSUM result not 4-aligned", build_checksum_unaligned,
		  -EINVAL, DATA_NONE },
		{ "COPY of overlapping ranges", build_copy_overlap, -EINVAL,
		  DATA_NONE },
		{ "DELAY above TLGPU_MAX_DELAY_US", build_delay_too_long,
		  -EINVAL, DATA_NONE },
		{ "the next job on the timeline", build_store, 1,
		  DATA_MARKER },
	};

	(void)undo;
	return run_specs_dev0(specs, ARRAY_SIZE(specs));
}
RESTORING(einval_bad_operand)

/* ------------------------------------------------------------------ */
/* -EIO and every device error code: injected failures                 */
/* ------------------------------------------------------------------ */

static enum ktap_result eio_injected(struct test_undo *undo)
{
	static const char *const every_what[] = {
		"fail_every=3: first job", "fail_every=3: second job",
		"fail_every=3: third job",
	};
	struct spec specs[3] = {
		{ "the job before the one fail_seqno names", build_store, 1,
		  DATA_MARKER },
		/* The device ran its commands; only the fence says failed. */
		{ "the job fail_seqno names", build_store, -EIO, DATA_ANY },
		{ "the job after it", build_store, 1, DATA_MARKER },
	};
	unsigned int before, after, k, tl;
	struct tlgpu_node n;
	struct tl_info ti;

	(void)undo;
	TEST_OPEN(0, &n);
	CHECK(stress_need_inject(&n));
	tl = stress_timelines(n.fd) - 1;
	KTAP_ASSERT_OK(injected_failed(&n, &before));
	INJECT(&n, "fail_timeline", tl);
	INJECT(&n, "fail_error", TLGPU_ERR_INJECTED);

	/* Hardware seqnos are handed out in ring order: S+1, S+2, S+3. */
	GET_TL_INFO(&n, tl, &ti);
	INJECT(&n, "fail_seqno", ti.sw_seqno + 2);
	ktap_diag("timeline %u: failing hardware seqno %llu", tl,
		  ti.sw_seqno + 2);
	CHECK(run_specs(&n, tl, specs, 3));
	INJECT(&n, "fail_seqno", 0);

	/* fail_every=3: the job the device completes as its (3k)th. */
	GET_TL_INFO(&n, tl, &ti);
	INJECT(&n, "fail_every", 3);
	for (k = 0; k < 3; k++) {
		bool fails = (ti.jobs + k + 1) % 3 == 0;

		specs[k] = (struct spec){ every_what[k], build_store,
					  fails ? -EIO : 1,
					  fails ? DATA_ANY : DATA_MARKER };
	}
	ktap_diag("timeline %u: %u jobs done, fail_every=3", tl, ti.jobs);
	CHECK(run_specs(&n, tl, specs, 3));
	INJECT(&n, "fail_every", 0);

	/* Exactly the two jobs above were failed on purpose. */
	KTAP_ASSERT_OK(injected_failed(&n, &after));
	KTAP_ASSERT_EQ(after - before, 2);
	return KTAP_PASS;
}
RESTORING(eio_injected)

/* tlgpu_error_to_errno(), as the uAPI documents it. */
static const struct error_code {
	uint32_t code;
	const char *name;
	int want;
} error_codes[] = {
	{ TLGPU_ERR_PAGE_FAULT, "TLGPU_ERR_PAGE_FAULT", -EFAULT },
	{ TLGPU_ERR_PERMISSION, "TLGPU_ERR_PERMISSION", -EACCES },
	{ TLGPU_ERR_BAD_ADDRESS, "TLGPU_ERR_BAD_ADDRESS", -EFAULT },
	{ TLGPU_ERR_BAD_COMMAND, "TLGPU_ERR_BAD_COMMAND", -EINVAL },
	{ TLGPU_ERR_BAD_AS, "TLGPU_ERR_BAD_AS", -EFAULT },
	{ TLGPU_ERR_INJECTED, "TLGPU_ERR_INJECTED", -EIO },
	/* fail_error 0: the device reports its default, INJECTED. */
	{ TLGPU_ERR_NONE, "fail_error 0 (TLGPU_ERR_NONE)", -EIO },
	{ TLGPU_ERR_MAX, "TLGPU_ERR_MAX (unknown)", -EIO },
	{ 0xffffffffu, "0xffffffff (unknown)", -EIO },
	/* Last: after it the device halts the timeline. */
	{ TLGPU_ERR_BAD_RING, "TLGPU_ERR_BAD_RING", -EIO },
};

/* Every job of @tl fails, with device error @code; one is checked. */
static enum ktap_result injected_code(const struct tlgpu_node *n, uint32_t tl,
				      const struct error_code *ec)
{
	const struct spec spec = { ec->name, build_store, ec->want, DATA_ANY };

	INJECT(n, "fail_timeline", tl);
	INJECT(n, "fail_error", ec->code);
	INJECT(n, "fail_every", 1);
	CHECK(run_specs(n, tl, &spec, 1));
	INJECT(n, "fail_every", 0);
	return KTAP_PASS;
}

/*
 * A function-level reset (or, without one, unbind and bind) of @n's
 * device: the timelines are programmed and enabled again.  @n is a
 * file of the device afterwards.
 */
static enum ktap_result reset_function(struct test_undo *undo,
				       struct tlgpu_node *n)
{
	char slot[64], path[128];

	KTAP_ASSERT_OK(stress_pci_slot(n, slot, sizeof(slot)));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", slot);
	if (!access(path, W_OK)) {
		KTAP_ASSERT_OK(test_write_file(path, "1"));
		return KTAP_PASS;
	}
	ktap_diag("no %s: unbinding and binding %s", path, slot);
	close(n->fd);
	KTAP_ASSERT_OK(test_unbind(undo, slot));
	KTAP_ASSERT_OK(test_write_file(TLGPU_DRIVER_SYSFS "/bind", slot));
	KTAP_ASSERT_OK(stress_open_slot(slot, FENCE_TIMEOUT_MS, n));
	return KTAP_PASS;
}

static enum ktap_result eio_injected_error_code(struct test_undo *undo)
{
	const struct spec none = { "TLGPU_ERR_NONE (no injection)", build_store,
				   1, DATA_MARKER };
	enum ktap_result res = KTAP_PASS;
	struct tlgpu_node n;
	struct tl_info ti;
	unsigned int i, tl;

	TEST_OPEN(0, &n);
	CHECK(stress_need_inject(&n));
	tl = stress_timelines(n.fd) - 1;
	/* TLGPU_ERR_NONE: a job that did not fail, 0 in the status slot. */
	CHECK(run_specs(&n, tl, &none, 1));
	for (i = 0; i < ARRAY_SIZE(error_codes); i++)
		if (injected_code(&n, tl, &error_codes[i]) != KTAP_PASS)
			res = KTAP_FAIL;

	/*
	 * The device halts a timeline that reports TLGPU_ERR_BAD_RING, and
	 * a timeline reset alone would not tell the driver; a function-level
	 * reset programs it again.  Then it serves.
	 */
	GET_TL_INFO(&n, tl, &ti);
	ktap_diag("timeline %u after TLGPU_ERR_BAD_RING: %s", tl, ti.state);
	INJECT(&n, "fail_every", 0);
	CHECK(reset_function(undo, &n));
	CHECK(wait_tl_state(&n, tl, "idle"));
	CHECK(run_specs(&n, tl, &none, 1));
	return res;
}
RESTORING(eio_injected_error_code)

/* ------------------------------------------------------------------ */
/* -EACCES: read-only pages                                            */
/* ------------------------------------------------------------------ */

/*
 * No path gives a job a read-only page.  tlgpu_vm_map() writes every
 * leaf entry with TLGPU_PTE_VALID | TLGPU_PTE_WRITE; BO_CREATE takes no
 * flags; a PRIME import is mapped by the same code whatever the mode of
 * the dma-buf file (a dma-buf exported without DRM_RDWR included).  So
 * the device's TLGPU_ERR_PERMISSION, the only code tlgpu_error_to_errno()
 * turns into -EACCES, cannot happen on its own.  What is checked is what
 * is true: a job writes every kind of buffer it can reach (its file's
 * own, another file's exported read-only, another device's exported
 * read-only, vgem's exported read-only) without error; and -EACCES shows
 * everywhere when the device reports TLGPU_ERR_PERMISSION, injected.
 */
static enum ktap_result eacces_read_only(struct test_undo *undo)
{
	static const struct spec specs[] = {
		{ "own buffer", build_store, 1, DATA_MARKER },
		{ "another file's buffer, dma-buf read-only", build_store, 1,
		  DATA_MARKER },
		{ "vgem buffer, dma-buf read-only", build_store, 1,
		  DATA_MARKER },
		{ "device 1's buffer, dma-buf read-only", build_store, 1,
		  DATA_MARKER },
	};
	struct tlgpu_node n, other, dev1;
	struct probe p[ARRAY_SIZE(specs)];
	unsigned int count = 3;
	uint32_t vhandle;
	uint64_t vsize;
	void *vmap;
	int vgem, vbuf;

	(void)undo;
	TEST_OPEN(0, &n);
	TEST_OPEN(0, &other);
	vgem = tlgpu_vgem_open(NULL, 0);
	if (vgem < 0)
		return ktap_skip("no vgem device (modprobe vgem)");
	CHECK(probe_init(&p[0], specs[0].what, 1, n.fd, n.fd, 0));
	CHECK(probe_init(&p[1], specs[1].what, 1, n.fd, other.fd,
			 DRM_CLOEXEC));
	KTAP_ASSERT_OK(tlgpu_vgem_dumb_create(vgem, 1024, 1, 32, &vhandle,
					      NULL, &vsize));
	KTAP_ASSERT_OK(tlgpu_vgem_dumb_map(vgem, vhandle, vsize, &vmap));
	memset(vmap, 0, vsize);
	KTAP_ASSERT(!drmPrimeHandleToFD(vgem, vhandle, DRM_CLOEXEC, &vbuf),
		    "vgem export: %s", strerror(errno));
	CHECK(probe_init_import(&p[2], specs[2].what, 1, n.fd, vbuf, vmap));
	if (test_open(1, &dev1) == KTAP_PASS) {
		CHECK(probe_init(&p[3], specs[3].what, 1, n.fd, dev1.fd,
				 DRM_CLOEXEC));
		count++;
	}
	CHECK(run_probes(p, specs, count, 0));

	/* -EACCES itself, from the device's code for it. */
	CHECK(stress_need_inject(&n));
	return injected_code(&n, 0, &error_codes[1]);
}
RESTORING(eacces_read_only)

/* ------------------------------------------------------------------ */
/* -ETIME, -ECANCELED: hangs and resets                                */
/* ------------------------------------------------------------------ */

static enum ktap_result check_reset_status(int fd, const char *who,
					   uint64_t guilty, uint64_t innocent)
{
	struct drm_tlgpu_reset_status st;

	KTAP_ASSERT_OK(tlgpu_get_reset_status(fd, &st));
	ktap_diag("%s: guilty %llu, innocent %llu, device resets %llu", who,
		  (unsigned long long)st.guilty,
		  (unsigned long long)st.innocent,
		  (unsigned long long)st.device_resets);
	KTAP_ASSERT_EQ(st.guilty, guilty);
	KTAP_ASSERT_EQ(st.innocent, innocent);
	return KTAP_PASS;
}

/*
 * File g's job hangs on timeline 0: the device hangs at it (@injected,
 * hang_mask) or it runs past timeout_ms (a DELAY).  @followers jobs of g
 * are queued behind it, and one of file i once it is on the device.  The
 * reset fails the first with -ETIME, cancels g's others (-ECANCELED), and
 * runs i's again.
 */
static enum ktap_result hang_case(bool injected, unsigned int followers)
{
	struct probe guilty, fol[2], inn;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node g, i;
	unsigned int timeout = 0, k;
	enum ktap_result res = KTAP_PASS;
	struct gate gate = { .vgem = -1, .fd = -1 };
	int64_t start;

	CHECK(test_job_timeout(&timeout));
	TEST_OPEN(0, &g);
	TEST_OPEN(0, &i);
	if (injected)
		CHECK(stress_need_inject(&g));
	CHECK(probe_init(&guilty, injected ?
			 "the job the timeline hung at (hang_mask)" :
			 "the job running past timeout_ms",
			 -ETIME, g.fd, g.fd, 0));
	for (k = 0; k < followers; k++)
		CHECK(probe_init(&fol[k], k ? "its file's second job behind it" :
				 "its file's job behind it",
				 -ECANCELED, g.fd, g.fd, 0));
	CHECK(probe_init(&inn, "another file's job behind it", 1, i.fd, i.fd,
			 0));

	if (injected) {
		/* Pending until the gate opens; hangs once it runs. */
		CHECK(gate_open(&gate));
		INJECT(&g, "hang_mask", 1);
		KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, guilty.bo.gpu_va, 1));
		CHECK(probe_submit(&guilty, 0, &cb, gate.fd));
	} else {
		KTAP_ASSERT_OK(tlgpu_cmd_delay(&cb, (timeout + 3000ull) * MS));
		KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, guilty.bo.gpu_va, 1));
		CHECK(probe_submit(&guilty, 0, &cb, -1));
	}
	for (k = 0; k < followers; k++) {
		tlgpu_cmdbuf_reset(&cb);
		KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, fol[k].bo.gpu_va, 2));
		CHECK(probe_submit(&fol[k], 0, &cb, -1));
	}
	CHECK(probe_snapshot(&guilty));
	for (k = 0; k < followers; k++)
		CHECK(probe_snapshot(&fol[k]));
	start = tlgpu_now_ns();
	if (injected) {
		KTAP_ASSERT_OK(gate_release(&gate));
		CHECK(wait_tl_state(&g, 0, "hung"));
		/* Hung until a reset, mask or no mask. */
		INJECT(&g, "hang_mask", 0);
	} else {
		CHECK(wait_tl_state(&g, 0, "waiting"));
	}
	/* On the ring behind the hung job: re-run after the reset. */
	tlgpu_cmdbuf_reset(&cb);
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, inn.bo.gpu_va, MARKER(0)));
	CHECK(probe_submit(&inn, 0, &cb, -1));
	CHECK(probe_snapshot(&inn));
	tlgpu_cmdbuf_fini(&cb);

	if (check_probe(&guilty) != KTAP_PASS)
		res = KTAP_FAIL;
	ktap_diag("reset after %lld ms (timeout_ms %u)",
		  (long long)test_elapsed_ms(start), timeout);
	for (k = 0; k < followers; k++)
		if (check_probe(&fol[k]) != KTAP_PASS)
			res = KTAP_FAIL;
	if (check_probe(&inn) != KTAP_PASS)
		res = KTAP_FAIL;
	/* Cut short or cancelled before their STOREs; the innocent ran. */
	ASSERT_U32(guilty.map, PAGE, 0);
	for (k = 0; k < followers; k++)
		ASSERT_U32(fol[k].map, PAGE, 0);
	KTAP_ASSERT_EQ(*(uint64_t *)inn.map, MARKER(0));
	/* g: one guilty job, its cancelled ones counted nowhere. */
	CHECK(check_reset_status(g.fd, "guilty file", 1, 0));
	CHECK(check_reset_status(i.fd, "innocent file", 0, 1));
	if (injected)
		gate_close(&gate);
	return res;
}

static enum ktap_result etime_hang(struct test_undo *undo)
{
	(void)undo;
	return hang_case(true, 1);
}
RESTORING(etime_hang)

static enum ktap_result ecanceled_behind_guilty(struct test_undo *undo)
{
	(void)undo;
	return hang_case(false, 2);
}
RESTORING(ecanceled_behind_guilty)

/* ------------------------------------------------------------------ */
/* -ENODEV: unbind                                                     */
/* ------------------------------------------------------------------ */

/*
 * The last device is unbound with two jobs of it pending: one the device
 * hangs at (hang_mask; on the device, not yet timed out), one queued
 * behind a gate.  The buffers belong to device 0 when there are two
 * devices, so WAIT_BO can look at them once the victim's file refuses
 * every ioctl (-ENODEV: its syncobj too; its sync files were taken
 * before).  Both fail with -ENODEV: the first at the unbind, the second
 * once its gate opens.
 */
static enum ktap_result enodev_unbind(struct test_undo *undo)
{
	struct tlgpu_node all[TLGPU_MAX_DEVICES], v, keep, again;
	struct probe hung, queued;
	struct tlgpu_cmdbuf cb = { 0 };
	enum ktap_result res = KTAP_PASS;
	unsigned int victim, ntl;
	struct gate gate;
	char slot[64];
	int count, owner, fd;
	int64_t start;

	if (access(TLGPU_DRIVER_SYSFS "/unbind", W_OK))
		return ktap_skip("no writable " TLGPU_DRIVER_SYSFS "/unbind");
	count = tlgpu_open_all(all, TLGPU_MAX_DEVICES);
	KTAP_ASSERT(count > 0, "no tlgpu device: %d", count);
	tlgpu_close_all(all, count);
	victim = count - 1;
	TEST_OPEN(victim, &v);
	CHECK(stress_need_inject(&v));
	KTAP_ASSERT_OK(stress_pci_slot(&v, slot, sizeof(slot)));
	ntl = stress_timelines(v.fd);
	owner = v.fd;
	if (victim) {
		TEST_OPEN(0, &keep);
		owner = keep.fd;
	}
	CHECK(gate_open(&gate));
	CHECK(probe_init(&hung, "job on the device at the unbind", -ENODEV,
			 v.fd, owner, 0));
	CHECK(probe_init(&queued, "job queued behind a vgem fence at the unbind",
			 -ENODEV, v.fd, owner, 0));

	INJECT(&v, "hang_mask", 1);
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, hung.bo.gpu_va, 1));
	CHECK(probe_submit(&hung, 0, &cb, -1));
	CHECK(wait_tl_state(&v, 0, "hung"));
	INJECT(&v, "hang_mask", 0);
	tlgpu_cmdbuf_reset(&cb);
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, queued.bo.gpu_va, 1));
	CHECK(probe_submit(&queued, ntl > 1 ? 1 : 0, &cb, gate.fd));
	tlgpu_cmdbuf_fini(&cb);
	CHECK(probe_snapshot(&hung));
	CHECK(probe_snapshot(&queued));

	start = tlgpu_now_ns();
	KTAP_ASSERT_OK(test_unbind(undo, slot));
	ktap_diag("unbinding %s took %lld ms", slot,
		  (long long)test_elapsed_ms(start));
	KTAP_ASSERT_RET(tlgpu_syncobj_export_sync_file(v.fd, hung.syncobj, 0,
						       &fd), -ENODEV);
	hung.sobj_fd = queued.sobj_fd = -1;
	if (!victim)
		hung.wait_fd = queued.wait_fd = -1;

	if (check_probe(&hung) != KTAP_PASS)
		res = KTAP_FAIL;
	/* No job is done before its dependencies, not even failed. */
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(queued.fence), 0);
	KTAP_ASSERT_OK(gate_release(&gate));
	if (check_probe(&queued) != KTAP_PASS)
		res = KTAP_FAIL;
	/* Never run (a buffer of the victim itself is not looked at). */
	if (victim)
		ASSERT_U32(queued.map, PAGE, 0);

	/* Everything of the victim closes; bound again, it serves. */
	probe_fini(&hung);
	probe_fini(&queued);
	gate_close(&gate);
	close(v.fd);
	KTAP_ASSERT_OK(test_write_file(TLGPU_DRIVER_SYSFS "/bind", slot));
	KTAP_ASSERT_OK(stress_open_slot(slot, FENCE_TIMEOUT_MS, &again));
	{
		const struct spec spec = { "a job after binding again",
					   build_store, 1, DATA_MARKER };

		CHECK(run_specs(&again, 0, &spec, 1));
	}
	close(again.fd);
	return res;
}
RESTORING(enodev_unbind)

/* ------------------------------------------------------------------ */
/* -ESRCH: jobs killed with their file                                 */
/* ------------------------------------------------------------------ */

#define ESRCH_JOBS	2

/*
 * The child: on a file of its own, a job per dma-buf, each behind its
 * gate; their sync files and syncobjs (as syncobj fds) to the parent;
 * then, once the parent says so, exit with the jobs still queued.
 */
static void __attribute__((noreturn))
esrch_child(int sock, const struct probe *p, const struct gate *g)
{
	int fds[2 * ESRCH_JOBS];
	struct tlgpu_node n;
	unsigned int k;
	char go;

	if (tlgpu_open_index(0, &n) < 0)
		_exit(10);
	for (k = 0; k < ESRCH_JOBS; k++) {
		struct probe mine = p[k];
		struct tlgpu_cmdbuf cb = { 0 };

		if (probe_attach(&mine, n.fd) != KTAP_PASS ||
		    tlgpu_cmd_store(&cb, mine.bo.gpu_va, MARKER(k)) ||
		    probe_submit(&mine, 0, &cb, g[k].fd) != KTAP_PASS)
			_exit(11);
		fds[2 * k] = mine.fence;
		if (drmSyncobjHandleToFD(n.fd, mine.syncobj, &fds[2 * k + 1]))
			_exit(12);
	}
	if (stress_send_fds(sock, fds, 2 * ESRCH_JOBS))
		_exit(13);
	if (read(sock, &go, 1) != 1)
		_exit(14);
	_exit(0);
}

/*
 * A child process queues two jobs on a buffer each, shared with the
 * parent through dma-bufs (the same GEM objects: one device), each behind
 * a vgem gate: the first is the job the scheduler waits on (its gate is
 * the entity's current dependency), the second is queued behind it.  The
 * child exits; closing its file kills the jobs still queued (drm_sched:
 * -ESRCH, after drm_sched_entity_flush() gave up waiting, 1 s).  The
 * parent, which holds their sync files, their syncobjs (received as
 * syncobj fds, imported) and the buffers, sees -ESRCH everywhere once
 * the gates are open.
 */
static enum ktap_result esrch_killed_at_close(struct test_undo *undo)
{
	static const char *const what[ESRCH_JOBS] = {
		"the child's job the scheduler waits on, at exit",
		"the child's job queued behind it, at exit",
	};
	struct probe p[ESRCH_JOBS];
	struct gate g[ESRCH_JOBS];
	int fds[2 * ESRCH_JOBS], sv[2], status, ret;
	enum ktap_result res = KTAP_PASS;
	struct tlgpu_node n;
	unsigned int k;
	int64_t start;
	pid_t pid;

	TEST_OPEN(0, &n);
	for (k = 0; k < ESRCH_JOBS; k++) {
		CHECK(gate_open(&g[k]));
		CHECK(probe_init(&p[k], what[k], -ESRCH, -1, n.fd, 0));
	}
	KTAP_ASSERT(!socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv),
		    "socketpair: %s", strerror(errno));
	pid = fork();
	KTAP_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		close(sv[0]);
		esrch_child(sv[1], p, g);
	}
	undo->child = pid;
	close(sv[1]);
	ret = stress_recv_fds(sv[0], fds, 2 * ESRCH_JOBS, FENCE_TIMEOUT_MS);
	KTAP_ASSERT(ret == 2 * ESRCH_JOBS, "receiving the child's fences: %s",
		    ret < 0 ? strerror(-ret) : "too few");
	for (k = 0; k < ESRCH_JOBS; k++) {
		p[k].fence = fds[2 * k];
		KTAP_ASSERT(!drmSyncobjFDToHandle(n.fd, fds[2 * k + 1],
						  &p[k].syncobj),
			    "importing the child's syncobj: %s",
			    strerror(errno));
		close(fds[2 * k + 1]);
		p[k].sobj_fd = n.fd;
	}
	for (k = 0; k < ESRCH_JOBS; k++)
		CHECK(probe_snapshot(&p[k]));

	/* The child exits; its gates stay closed for now. */
	start = tlgpu_now_ns();
	KTAP_ASSERT_EQ(write(sv[0], "x", 1), 1);
	close(sv[0]);
	ret = tlgpu_sync_file_wait(p[0].fence, 5000);
	ktap_diag("%s: %s after %lld ms, its gate still closed; the job behind it: status %d",
		  what[0], ret ? "still pending" : "signalled",
		  (long long)test_elapsed_ms(start),
		  tlgpu_sync_file_status(p[1].fence));
	for (k = 0; k < ESRCH_JOBS; k++) {
		KTAP_ASSERT_OK(gate_release(&g[k]));
		if (check_probe(&p[k]) != KTAP_PASS)
			res = KTAP_FAIL;
		/* Killed jobs never ran. */
		ASSERT_U32(p[k].map, PAGE, 0);
	}
	KTAP_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid: %s",
		    strerror(errno));
	undo->child = 0;
	KTAP_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status),
		    "child status %#x", status);
	ktap_diag("the child was reaped %lld ms after it was told to exit",
		  (long long)test_elapsed_ms(start));
	for (k = 0; k < ESRCH_JOBS; k++) {
		probe_fini(&p[k]);
		gate_close(&g[k]);
	}
	return res;
}
RESTORING(esrch_killed_at_close)

static const struct ktap_case cases[] = {
	{ .name = "efault-page-fault", .run = run_efault_page_fault },
	{ .name = "einval-bad-operand", .run = run_einval_bad_operand },
	{ .name = "eio-injected", .run = run_eio_injected },
	{ .name = "eio-injected-error-code",
	  .run = run_eio_injected_error_code, .timeout = 90 },
	{ .name = "eacces-read-only", .run = run_eacces_read_only },
	{ .name = "etime-hang", .run = run_etime_hang, .timeout = 60 },
	{ .name = "ecanceled-behind-guilty",
	  .run = run_ecanceled_behind_guilty, .timeout = 60 },
	{ .name = "enodev-unbind", .run = run_enodev_unbind, .timeout = 90 },
	{ .name = "esrch-killed-at-close", .run = run_esrch_killed_at_close,
	  .timeout = 60 },
};

int main(int argc, char **argv)
{
	int ret;

	signal(SIGPIPE, SIG_IGN);
	ret = ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
	/* A case the harness killed gives nothing back itself. */
	if (access(TLGPU_MODULE_SYSFS, F_OK) && system("modprobe tlgpu"))
		fprintf(stderr, "tlgpu-errno: modprobe tlgpu failed\n");
	bind_unbound();
	stress_inject_off();
	return ret;
}
