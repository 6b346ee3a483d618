/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-errors: jobs that fail on the device.  A fault (unmapped VA, a
 * VA beyond the address space, a bad operand) signals the job's fence
 * with an error, seen through its sync_file, an out syncobj, WAIT_BO's
 * @error and the dma-buf's fences; the rest of the job is skipped and
 * the device goes on with later jobs.  One file's jobs cannot reach
 * another file's (or device's) buffers.  A job running past the driver's
 * timeout is reset: its fence fails, innocent jobs queued behind it run
 * again, and GET_RESET_STATUS counts both.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "common.h"

#define W		DRM_TLGPU_BO_WRITE
#define REF(bo, fl)	{ .handle = (bo).handle, .flags = (fl) }

/* A VA nothing of this file is mapped at: the guard page after @bo. */
static uint64_t unmapped_va(const struct tlgpu_bo *bo)
{
	return bo->gpu_va + bo->size;
}

/* Submits @cb with @bo listed for writing; the job must fail. */
static enum ktap_result run_failing(int fd, uint32_t tl,
				    const struct tlgpu_cmdbuf *cb,
				    const struct tlgpu_bo *bo, int *fence)
{
	struct drm_tlgpu_bo_ref ref = { .flags = W };
	int ret;

	if (bo)
		ref.handle = bo->handle;
	ret = test_submit(fd, tl, 0, cb, bo ? &ref : NULL, bo ? 1 : 0, fence);
	if (ret) {
		ktap_diag("SUBMIT: %s", strerror(-ret));
		return KTAP_FAIL;
	}
	ASSERT_FAILED(*fence);
	ktap_diag("fence error: %d (%s)", tlgpu_sync_file_status(*fence),
		  strerror(-tlgpu_sync_file_status(*fence)));
	return KTAP_PASS;
}

/* A job of @fd on @tl runs and stores @value at @bo: the device serves. */
static enum ktap_result still_serves(int fd, uint32_t tl,
				     const struct tlgpu_bo *bo,
				     uint64_t off, uint64_t value)
{
	struct tlgpu_cmdbuf cb = { 0 };

	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo->gpu_va + off, value));
	TEST_RUN(fd, tl, 0, &cb, NULL, 0);
	KTAP_ASSERT_EQ(*(uint64_t *)bo_ptr(bo, off), value);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Faults                                                              */
/* ------------------------------------------------------------------ */

/* Every place a failed job's error shows. */
static enum ktap_result test_fault_reported(void)
{
	struct drm_tlgpu_sync out = { 0 };
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int32_t err = 0;
	int fence, sync_fd, dmabuf, implicit_w, implicit_r;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	struct drm_tlgpu_bo_ref ref = REF(bo, W);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &out.handle));
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	/* Slow, so the dma-buf's fences can be exported while it runs. */
	KTAP_ASSERT_OK(tlgpu_cmd_delay(&cb, 300000));
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, unmapped_va(&bo), PAGE, 0xfa));
	struct tlgpu_job job = {
		.flags = DRM_TLGPU_SUBMIT_FENCE_OUT,
		.bos = &ref,
		.bo_count = 1,
		.out_syncs = &out,
		.out_sync_count = 1,
	};
	KTAP_ASSERT_OK(tlgpu_submit_cmdbuf(n.fd, &job, &cb, &fence, NULL));
	/*
	 * The dma-buf's implicit fences, taken while the job runs (once it
	 * is done, EXPORT_SYNC_FILE gives an already signalled stub).
	 */
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(dmabuf, DMA_BUF_SYNC_WRITE,
						     &implicit_w));
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(dmabuf, DMA_BUF_SYNC_READ,
						     &implicit_r));
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(implicit_w), 0);

	/* sync_file */
	ASSERT_FAILED(fence);
	ktap_diag("fence error %d", tlgpu_sync_file_status(fence));
	/* syncobj, exported as a sync_file */
	KTAP_ASSERT_OK(tlgpu_syncobj_export_sync_file(n.fd, out.handle, 0,
						      &sync_fd));
	ASSERT_FAILED(sync_fd);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(sync_fd),
		       tlgpu_sync_file_status(fence));
	/* WAIT_BO */
	KTAP_ASSERT_OK(tlgpu_wait_bo_rel(n.fd, bo.handle, 0,
					 FENCE_TIMEOUT_MS * NS_PER_MS, &err));
	KTAP_ASSERT(err < 0, "WAIT_BO error %d", err);
	KTAP_ASSERT_EQ(err, tlgpu_sync_file_status(fence));
	err = 0;
	KTAP_ASSERT_OK(tlgpu_wait_bo(n.fd, bo.handle, DRM_TLGPU_WAIT_WRITERS,
				     0, &err));
	KTAP_ASSERT(err < 0, "WAIT_BO (writers) error %d", err);
	/* the dma-buf's implicit fences */
	ASSERT_FAILED(implicit_w);
	ASSERT_FAILED(implicit_r);
	/* and nothing was written */
	ASSERT_U32(bo.map, PAGE, 0);
	return KTAP_PASS;
}

/* The commands before the fault ran, those after it did not. */
static enum ktap_result test_fault_skips_rest(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint64_t *p;
	int fence;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va, 0xbef0be));
	KTAP_ASSERT_OK(tlgpu_cmd_copy(&cb, bo.gpu_va + 64, unmapped_va(&bo),
				      8));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va + 8, 0xaf7e));
	CHECK(run_failing(n.fd, 0, &cb, &bo, &fence));
	p = bo.map;
	KTAP_ASSERT_EQ(p[0], 0xbef0be);
	KTAP_ASSERT_EQ(p[1], 0);
	KTAP_ASSERT_EQ(p[8], 0);
	return KTAP_PASS;
}

/* After a fault, the device goes on: the same and other timelines. */
static enum ktap_result test_fault_then_serves(void)
{
	struct tlgpu_cmdbuf bad = { 0 }, good = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int f1, f2, f3;
	uint64_t timelines, t;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_get_param(n.fd, DRM_TLGPU_PARAM_NUM_TIMELINES,
				       &timelines));
	/* A fault between two good jobs, queued at once on timeline 0. */
	KTAP_ASSERT_OK(tlgpu_cmd_store(&good, bo.gpu_va, 1));
	KTAP_ASSERT_OK(test_submit(n.fd, 0, 0, &good, NULL, 0, &f1));
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&bad, unmapped_va(&bo), 4, 0));
	KTAP_ASSERT_OK(test_submit(n.fd, 0, 0, &bad, NULL, 0, &f2));
	tlgpu_cmdbuf_reset(&good);
	KTAP_ASSERT_OK(tlgpu_cmd_store(&good, bo.gpu_va + 8, 2));
	KTAP_ASSERT_OK(test_submit(n.fd, 0, 0, &good, NULL, 0, &f3));
	ASSERT_SIGNALLED(f1);
	ASSERT_FAILED(f2);
	ASSERT_SIGNALLED(f3);
	KTAP_ASSERT_EQ(((uint64_t *)bo.map)[0], 1);
	KTAP_ASSERT_EQ(((uint64_t *)bo.map)[1], 2);

	for (t = 0; t < timelines; t++)
		CHECK(still_serves(n.fd, t, &bo, 64 + 8 * t, 0x100 + t));
	return KTAP_PASS;
}

static enum ktap_result test_fault_va_range(void)
{
	static const uint64_t vas[] = {
		0,				/* below the first buffer */
		1ull << TLGPU_VA_BITS,		/* just beyond 39 bits */
		(1ull << TLGPU_VA_BITS) - PAGE,	/* the last page */
		0xfffffffffffff000ull,
	};
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	unsigned int i;
	int fence;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	for (i = 0; i < ARRAY_SIZE(vas); i++) {
		if (vas[i] >= bo.gpu_va && vas[i] < bo.gpu_va + bo.size)
			continue;
		ktap_diag("va 0x%llx", (unsigned long long)vas[i]);
		tlgpu_cmdbuf_reset(&cb);
		KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, vas[i], 0x5555));
		CHECK(run_failing(n.fd, 0, &cb, NULL, &fence));
		close(fence);
	}
	CHECK(still_serves(n.fd, 0, &bo, 0, 0x77));
	return KTAP_PASS;
}

/* Operands the device refuses: the job fails, nothing is written. */
static enum ktap_result test_bad_operand(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int fence, i;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, 4 * PAGE, &bo);
	for (i = 0; i < 6; i++) {
		tlgpu_cmdbuf_reset(&cb);
		switch (i) {
		case 0:	/* FILL at a VA not 4-aligned */
			tlgpu_cmd_fill(&cb, bo.gpu_va + 2, 16, 1);
			break;
		case 1:	/* FILL of a size not a multiple of 4 */
			tlgpu_cmd_fill(&cb, bo.gpu_va, 6, 1);
			break;
		case 2:	/* STORE at a VA not 8-aligned */
			tlgpu_cmd_store(&cb, bo.gpu_va + 4, 1);
			break;
		case 3:	/* CHECKSUM result not 4-aligned */
			tlgpu_cmd_checksum(&cb, bo.gpu_va, 16, bo.gpu_va + 2);
			break;
		case 4:	/* COPY of overlapping ranges */
			tlgpu_cmd_copy(&cb, bo.gpu_va + 8, bo.gpu_va, 64);
			break;
		case 5:	/* DELAY above TLGPU_MAX_DELAY_US */
			tlgpu_cmd_raw(&cb, (const uint32_t[]){
				TLGPU_CMD_HDR(TLGPU_OP_DELAY, 2, 0),
				TLGPU_MAX_DELAY_US + 1 }, 2);
			break;
		}
		/* A marker after the bad command: skipped with it. */
		tlgpu_cmd_store(&cb, bo.gpu_va + 3 * PAGE, 0xdead);
		ktap_diag("bad operand %d", i);
		memset(bo.map, 0, 4 * PAGE);
		CHECK(run_failing(n.fd, 0, &cb, &bo, &fence));
		close(fence);
		ASSERT_U32(bo_ptr(&bo, 3 * PAGE), PAGE, 0);
		if (i != 4)
			ASSERT_U32(bo.map, PAGE, 0);
	}
	CHECK(still_serves(n.fd, 0, &bo, 0, 0x99));
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Isolation                                                           */
/* ------------------------------------------------------------------ */

/* A file's job at another file's buffer address faults. */
static enum ktap_result test_isolation_other_file(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node a, b;
	struct tlgpu_bo bo;
	int fence;

	TEST_OPEN(0, &a);
	TEST_OPEN(0, &b);
	TEST_BO(a.fd, 2 * PAGE, &bo);
	memset(bo.map, 0x41, 2 * PAGE);
	/* b has no buffer at all: nothing of its own at that address. */
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, bo.gpu_va, 2 * PAGE, 0x42424242));
	CHECK(run_failing(b.fd, 0, &cb, NULL, &fence));
	ASSERT_U32(bo.map, 2 * PAGE, 0x41414141);
	/* a's own job at that address works. */
	CHECK(still_serves(a.fd, 0, &bo, 0, 0x4141));
	return KTAP_PASS;
}

static enum ktap_result test_isolation_other_device(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n0, n1;
	struct tlgpu_bo bo;
	int fence;

	TEST_OPEN(0, &n0);
	TEST_OPEN(1, &n1);
	TEST_BO(n0.fd, PAGE, &bo);
	memset(bo.map, 0x43, PAGE);
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, bo.gpu_va, PAGE, 0x44444444));
	CHECK(run_failing(n1.fd, 0, &cb, NULL, &fence));
	ASSERT_U32(bo.map, PAGE, 0x43434343);
	return KTAP_PASS;
}

/* A closed handle's buffer leaves the file's address space. */
static enum ktap_result test_closed_bo_unmapped(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint32_t *cpu;
	int fence;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	cpu = bo.map;		/* keeps the pages alive */
	memset(cpu, 0x45, PAGE);
	KTAP_ASSERT_OK(tlgpu_gem_close(n.fd, bo.handle));
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, bo.gpu_va, PAGE, 0x46464646));
	CHECK(run_failing(n.fd, 0, &cb, NULL, &fence));
	ASSERT_U32(cpu, PAGE, 0x45454545);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Hangs and resets                                                    */
/* ------------------------------------------------------------------ */

static enum ktap_result check_reset_status(int fd, uint64_t guilty,
					   uint64_t innocent, uint64_t resets)
{
	struct drm_tlgpu_reset_status st;

	KTAP_ASSERT_OK(tlgpu_get_reset_status(fd, &st));
	ktap_diag("guilty %llu, innocent %llu, device resets %llu",
		  (unsigned long long)st.guilty,
		  (unsigned long long)st.innocent,
		  (unsigned long long)st.device_resets);
	KTAP_ASSERT_EQ(st.guilty, guilty);
	KTAP_ASSERT_EQ(st.innocent, innocent);
	KTAP_ASSERT_EQ(st.device_resets, resets);
	KTAP_ASSERT_EQ(st.flags, 0);
	KTAP_ASSERT_EQ(st.pad, 0);
	return KTAP_PASS;
}

/*
 * File a's job runs far past the timeout on timeline 0; file b's job is
 * queued behind it.  a's fence fails once the timeout passed, b's job
 * runs (again) and succeeds, another timeline was never held up, and
 * both files' counters tell who was guilty.
 */
static enum ktap_result test_hang(void)
{
	struct tlgpu_cmdbuf hang = { 0 }, cb = { 0 };
	struct tlgpu_node a, b;
	struct tlgpu_bo abo, bbo;
	unsigned int timeout = 0;
	int64_t start, took;
	int fh, fb, fo;

	CHECK(test_job_timeout(&timeout));
	TEST_OPEN(0, &a);
	TEST_OPEN(0, &b);
	CHECK(test_need_timelines(a.fd, 2));
	TEST_BO(a.fd, PAGE, &abo);
	TEST_BO(b.fd, PAGE, &bbo);
	CHECK(check_reset_status(a.fd, 0, 0, 0));
	CHECK(check_reset_status(b.fd, 0, 0, 0));

	KTAP_ASSERT_OK(tlgpu_cmd_delay(&hang, (timeout + 5000ull) * MS));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&hang, abo.gpu_va, 0x4a4e47));
	start = tlgpu_now_ns();
	KTAP_ASSERT_OK(test_submit(a.fd, 0, 0, &hang, NULL, 0, &fh));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bbo.gpu_va, 0xb0b));
	KTAP_ASSERT_OK(test_submit(b.fd, 0, 0, &cb, NULL, 0, &fb));

	/* Timeline 1 is not held up by timeline 0's hang. */
	tlgpu_cmdbuf_reset(&cb);
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bbo.gpu_va + 8, 0x7131));
	KTAP_ASSERT_OK(test_submit(b.fd, 1, 0, &cb, NULL, 0, &fo));
	ASSERT_SIGNALLED(fo);
	ASSERT_ACTIVE(fh);
	ASSERT_ACTIVE(fb);

	ASSERT_FAILED(fh);
	took = test_elapsed_ms(start);
	ktap_diag("hung job failed with %d after %lld ms (timeout %u ms)",
		  tlgpu_sync_file_status(fh), (long long)took, timeout);
	KTAP_ASSERT(took >= timeout - 100 && took < timeout + 4000,
		    "failed after %lld ms, timeout %u ms", (long long)took,
		    timeout);
	ASSERT_SIGNALLED(fb);
	KTAP_ASSERT_EQ(*(uint64_t *)bbo.map, 0xb0b);
	KTAP_ASSERT_EQ(((uint64_t *)bbo.map)[1], 0x7131);
	/* The hung job was cut short: its last command never ran. */
	KTAP_ASSERT_EQ(*(uint64_t *)abo.map, 0);

	CHECK(check_reset_status(a.fd, 1, 0, 1));
	CHECK(check_reset_status(b.fd, 0, 1, 1));

	/* Both files' later jobs run on the reset timeline. */
	CHECK(still_serves(a.fd, 0, &abo, 8, 0xa1));
	CHECK(still_serves(b.fd, 0, &bbo, 16, 0xb1));
	return KTAP_PASS;
}

/* The text after "@key: " of the line of @dump that starts with it, or NULL. */
static const char *dump_value(const char *dump, const char *key)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = dump; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ':' && p[klen + 1] == ' ')
			return p + klen + 2;
	return NULL;
}

/* Whether @dump has the line @line, whole. */
static bool dump_has_line(const char *dump, const char *line)
{
	size_t len = strlen(line);
	const char *p;

	for (p = dump; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, line, len) && (p[len] == '\n' || !p[len]))
			return true;
	return false;
}

/* debugfs coredumps' "written" count of @n's device, or -errno. */
static int coredumps_written(const struct tlgpu_node *n)
{
	char path[128];
	int written = -1, failed = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/coredumps",
		 n->minor);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (fscanf(f, "written %d failed %d", &written, &failed) != 2)
		written = -EINVAL;
	fclose(f);
	return failed ? -EIO : written;
}

/*
 * A job reset for hanging leaves one device coredump (docs/driver.md,
 * "Device coredump") that names it: its timeline, its hardware seqno and
 * its fence's seqno, its file's drm-client-id, its commands as submitted
 * and its buffer at its GPU address; the hung timeline's registers show it
 * hung at the job, and the dump ends with "end".  A job that only faults
 * leaves none, and neither does the innocent job re-run after the reset.
 */
static enum ktap_result test_hang_devcoredump(void)
{
	struct tlgpu_cmdbuf hang = { 0 }, cb = { 0 };
	struct tlgpu_job job = { .timeline = 1,
				 .flags = DRM_TLGPU_SUBMIT_FENCE_OUT };
	struct drm_tlgpu_bo_ref ref;
	uint64_t caps, off, client, seqno = 0, hw, busy_hung, busy_after;
	unsigned int timeout = 0;
	char line[128], *dump = NULL;
	const char *v;
	struct tlgpu_node n, m;
	struct tlgpu_bo bo;
	int fh, fi, fault, before, ret;
	ssize_t len;
	uint32_t i;

	CHECK(test_job_timeout(&timeout));
	TEST_OPEN(0, &n);
	CHECK(test_need_timelines(n.fd, 2));
	KTAP_ASSERT_OK(tlgpu_get_param(n.fd, DRM_TLGPU_PARAM_DRIVER_CAPS, &caps));
	if (!(caps & DRM_TLGPU_DRIVER_CAP_DEVCOREDUMP))
		return ktap_skip("the kernel has no CONFIG_DEV_COREDUMP (driver caps %#llx)",
				 (unsigned long long)caps);
	if (!test_read_sysfs_u64("/sys/class/devcoredump/disabled", &off) && off)
		return ktap_skip("/sys/class/devcoredump/disabled is set");
	TEST_OPEN(0, &m);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(test_fdinfo_u64(n.fd, "drm-client-id", &client));
	ret = test_devcoredump_discard(&n);
	KTAP_ASSERT(ret >= 0, "discarding earlier dumps: %s", strerror(-ret));
	ktap_diag("%d earlier dump(s) of the device discarded", ret);
	KTAP_ASSERT_OK(test_devcoredump_gone(&n, 5000));
	before = coredumps_written(&n);
	KTAP_ASSERT(before >= 0, "debugfs coredumps: %s", strerror(-before));

	/* A fault fails its job without a reset: no dump. */
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, unmapped_va(&bo), 1));
	CHECK(run_failing(n.fd, 1, &cb, &bo, &fault));
	close(fault);
	KTAP_ASSERT_EQ(test_devcoredump_read(&n, &dump), -ENOENT);
	KTAP_ASSERT_EQ(coredumps_written(&n), before);

	/* The hung job, recognisable by its STORE, and an innocent one behind. */
	KTAP_ASSERT_OK(tlgpu_cmd_delay(&hang, (timeout + 5000ull) * MS));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&hang, bo.gpu_va + 8, 0x4a4e47c0de));
	ref = (struct drm_tlgpu_bo_ref)REF(bo, W);
	job.bos = &ref;
	job.bo_count = 1;
	KTAP_ASSERT_OK(tlgpu_submit_cmdbuf(n.fd, &job, &hang, &fh, &seqno));
	tlgpu_cmdbuf_reset(&cb);
	KTAP_ASSERT_OK(tlgpu_cmd_nop(&cb, 2));
	KTAP_ASSERT_OK(test_submit(m.fd, 1, 0, &cb, NULL, 0, &fi));
	/* fdinfo counts the hung job's time so far, and keeps it after. */
	test_sleep_ms(500);
	KTAP_ASSERT_OK(test_fdinfo_u64(n.fd, "drm-engine-tl1", &busy_hung));
	ASSERT_FAILED(fh);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fh), -ETIME);
	ASSERT_SIGNALLED(fi);
	KTAP_ASSERT_OK(test_fdinfo_u64(n.fd, "drm-engine-tl1", &busy_after));
	ktap_diag("tl1 busy %llu ns hung, %llu ns after the reset",
		  (unsigned long long)busy_hung, (unsigned long long)busy_after);
	KTAP_ASSERT(busy_hung >= 400 * 1000000ull && busy_after >= busy_hung,
		    "fdinfo busy %llu ns while hung, %llu ns after the reset",
		    (unsigned long long)busy_hung, (unsigned long long)busy_after);

	len = test_devcoredump_wait(&n, &dump, 5000);
	KTAP_ASSERT(len > 0, "no devcoredump of the device after the hang: %s",
		    strerror(-len));
	ktap_diag("devcoredump: %zd bytes", len);
	KTAP_ASSERT_EQ(coredumps_written(&n), before + 1);
	KTAP_ASSERT(!strncmp(dump, "tlgpu devcoredump 1\n", 20),
		    "first line: %.40s", dump);
	KTAP_ASSERT(dump_has_line(dump, "reason: timeout"), "no reason line");
	KTAP_ASSERT(dump_has_line(dump, "timeline: 1"), "not timeline 1");
	snprintf(line, sizeof(line), "job.client: %llu",
		 (unsigned long long)client);
	KTAP_ASSERT(dump_has_line(dump, line), "no '%s'", line);
	/* The fence's seqno in its context, as SUBMIT returned it. */
	v = dump_value(dump, "job.fence");
	KTAP_ASSERT(v && strchr(v, ':'), "no job.fence line");
	KTAP_ASSERT_EQ(strtoull(strchr(v, ':') + 1, NULL, 10), seqno);
	/* The hardware seqno, which the status page had not reached. */
	v = dump_value(dump, "job.seqno");
	KTAP_ASSERT(v, "no job.seqno line");
	hw = strtoull(v, NULL, 10);
	v = dump_value(dump, "status");
	KTAP_ASSERT(v && strstr(v, " completed "), "no status line");
	KTAP_ASSERT_EQ(strtoull(strstr(v, " completed ") + 11, NULL, 10), hw - 1);
	snprintf(line, sizeof(line), "job.cmd_dwords: %u", hang.len);
	KTAP_ASSERT(dump_has_line(dump, line), "no '%s'", line);
	/* Every command dword, in order, eight to a line. */
	for (i = 0; i < hang.len; i += 8) {
		int used = snprintf(line, sizeof(line), "job.cmd %04x:", i);
		uint32_t j;

		for (j = i; j < hang.len && j < i + 8; j++)
			used += snprintf(line + used, sizeof(line) - used,
					 " %08x", hang.dw[j]);
		KTAP_ASSERT(dump_has_line(dump, line), "no '%s'", line);
	}
	snprintf(line, sizeof(line), "job.buffer: va %#llx size %#llx",
		 (unsigned long long)bo.gpu_va, (unsigned long long)bo.size);
	KTAP_ASSERT(dump_has_line(dump, line), "no '%s'", line);
	/* The device as the hang left it: the timeline in a DELAY. */
	KTAP_ASSERT(strstr(dump, " TL1_STATE 0x00000003\n"),
		    "TL1_STATE is not WAITING (3)");
	KTAP_ASSERT(strstr(dump, "\nreg 0x0000 ID 0x"), "no ID register");
	KTAP_ASSERT(dump_has_line(dump, "end"), "no end line");
	KTAP_ASSERT(!dump_has_line(dump, "truncated"), "truncated");
	free(dump);
	dump = NULL;

	/* Discarded on request; the re-run innocent job left nothing. */
	KTAP_ASSERT_EQ(test_devcoredump_discard(&n), 1);
	KTAP_ASSERT_OK(test_devcoredump_gone(&n, 5000));
	KTAP_ASSERT_EQ(coredumps_written(&n), before + 1);
	/* The hung job was cut short: its STORE never ran. */
	KTAP_ASSERT_EQ(((uint64_t *)bo.map)[1], 0);
	close(fh);
	close(fi);
	return KTAP_PASS;
}

/* A file opened after a reset does not count it. */
static enum ktap_result test_reset_status_fresh(void)
{
	struct tlgpu_node n;

	TEST_OPEN(0, &n);
	CHECK(check_reset_status(n.fd, 0, 0, 0));
	return KTAP_PASS;
}

static enum ktap_result test_bad_reset_status_flags(void)
{
	struct drm_tlgpu_reset_status st = { .flags = 1 };
	struct tlgpu_node n;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_RET(tlgpu_ioctl(n.fd, DRM_IOCTL_TLGPU_GET_RESET_STATUS,
				    &st), -EINVAL);
	st.flags = 1u << 31;
	KTAP_ASSERT_RET(tlgpu_ioctl(n.fd, DRM_IOCTL_TLGPU_GET_RESET_STATUS,
				    &st), -EINVAL);
	st.flags = 0;
	KTAP_ASSERT_OK(tlgpu_ioctl(n.fd, DRM_IOCTL_TLGPU_GET_RESET_STATUS,
				   &st));
	return KTAP_PASS;
}

static enum ktap_result test_bad_reset_status_pad(void)
{
	struct drm_tlgpu_reset_status st = { .pad = 1 };
	struct tlgpu_node n;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_RET(tlgpu_ioctl(n.fd, DRM_IOCTL_TLGPU_GET_RESET_STATUS,
				    &st), -EINVAL);
	st.pad = 0;
	KTAP_ASSERT_OK(tlgpu_ioctl(n.fd, DRM_IOCTL_TLGPU_GET_RESET_STATUS,
				   &st));
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	{ .name = "fault-reported", .run = test_fault_reported },
	{ .name = "fault-skips-rest", .run = test_fault_skips_rest },
	{ .name = "fault-then-serves", .run = test_fault_then_serves },
	{ .name = "fault-va-range", .run = test_fault_va_range },
	{ .name = "bad-operand", .run = test_bad_operand },
	{ .name = "isolation-other-file", .run = test_isolation_other_file },
	{ .name = "isolation-other-device", .run = test_isolation_other_device },
	{ .name = "closed-bo-unmapped", .run = test_closed_bo_unmapped },
	{ .name = "hang", .run = test_hang, .timeout = 60 },
	{ .name = "hang-devcoredump", .run = test_hang_devcoredump, .timeout = 60 },
	{ .name = "reset-status-fresh", .run = test_reset_status_fresh },
	{ .name = "bad-reset-status-flags", .run = test_bad_reset_status_flags },
	{ .name = "bad-reset-status-pad", .run = test_bad_reset_status_pad },
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
