/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-submit: SUBMIT.  What each device command does (FILL, COPY,
 * CHECKSUM, STORE, DELAY, NOP), seen through the CPU mapping and the CRC
 * helper; order within a job and within a timeline; independence of
 * timelines and devices; the limits; and every input SUBMIT refuses, each
 * checked to have queued nothing.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>

#include "common.h"

#define RW		(DRM_TLGPU_BO_READ | DRM_TLGPU_BO_WRITE)
#define REF(bo, fl)	{ .handle = (bo).handle, .flags = (fl) }

static uint64_t ptr_u64(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ------------------------------------------------------------------ */
/* Parameters and simple jobs                                          */
/* ------------------------------------------------------------------ */

static enum ktap_result test_params(void)
{
	struct tlgpu_device_info info;
	struct tlgpu_node n;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_OK(tlgpu_device_info(n.fd, &info));
	ktap_diag("max-cmd-dwords %u, va-bits %u", info.max_cmd_dwords,
		  info.va_bits);
	KTAP_ASSERT_EQ(info.max_cmd_dwords, DRM_TLGPU_MAX_CMD_DWORDS);
	KTAP_ASSERT_EQ(info.va_bits, TLGPU_VA_BITS);
	/* The kernel has CONFIG_DEV_COREDUMP exactly when this class exists. */
	ktap_diag("driver caps %#llx", (unsigned long long)info.driver_caps);
	KTAP_ASSERT_EQ(!!(info.driver_caps & DRM_TLGPU_DRIVER_CAP_DEVCOREDUMP),
		       access("/sys/class/devcoredump", F_OK) == 0);
	/* No bit the uAPI does not define; fdinfo's keys come with the core's. */
	KTAP_ASSERT_EQ(info.driver_caps & ~(DRM_TLGPU_DRIVER_CAP_DEVCOREDUMP |
					    DRM_TLGPU_DRIVER_CAP_FDINFO_CORE |
					    DRM_TLGPU_DRIVER_CAP_CLIENT_NAME |
					    DRM_TLGPU_DRIVER_CAP_MEMORY_STATS |
					    DRM_TLGPU_DRIVER_CAP_SYNCOBJ_EVENTFD |
					    DRM_TLGPU_DRIVER_CAP_SYNCOBJ_POINT_SYNC_FILE), 0);
	if (info.driver_caps & (DRM_TLGPU_DRIVER_CAP_CLIENT_NAME |
				DRM_TLGPU_DRIVER_CAP_MEMORY_STATS))
		KTAP_ASSERT(info.driver_caps & DRM_TLGPU_DRIVER_CAP_FDINFO_CORE,
			    "fdinfo keys without drm_show_fdinfo()");
	return KTAP_PASS;
}

static enum ktap_result test_nop(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_job job = { .flags = DRM_TLGPU_SUBMIT_FENCE_OUT };
	struct tlgpu_node n;
	char driver[32];
	uint64_t seqno = 0;
	int fence = -1, detach;

	TEST_OPEN(0, &n);
	detach = test_kernel_feature(&n, "signalled_names_detach");
	KTAP_ASSERT(detach >= 0, "kernel_features: %s", strerror(-detach));
	KTAP_ASSERT_OK(tlgpu_cmd_nop(&cb, 2));
	KTAP_ASSERT_OK(tlgpu_cmd_nop(&cb, TLGPU_CMD_MAX_DW));
	KTAP_ASSERT_OK(tlgpu_submit_cmdbuf(n.fd, &job, &cb, &fence, &seqno));
	KTAP_ASSERT(fence >= 0, "no out fence: %d", fence);
	KTAP_ASSERT(seqno > 0, "seqno 0");
	ASSERT_SIGNALLED(fence);

	/* One fence, of this driver. */
	KTAP_ASSERT_EQ(tlgpu_sync_file_fences(fence), 1);
	KTAP_ASSERT_OK(tlgpu_sync_file_driver(fence, driver, sizeof(driver)));
	/*
	 * The job's fence, or the scheduler's fence standing for it; from
	 * 6.17 the kernel names no driver for a signalled fence.
	 */
	if (detach)
		KTAP_ASSERT(!strcmp(driver, "detached-driver"),
			    "signalled fence's driver '%s', expected 'detached-driver'",
			    driver);
	else
		KTAP_ASSERT(!strcmp(driver, TLGPU_DRIVER_NAME) ||
			    !strcmp(driver, "drm_sched"), "fence driver '%s'", driver);
	return KTAP_PASS;
}

/* The plainest SUBMIT: everything zero but the commands. */
static enum ktap_result test_submit_minimal(void)
{
	struct drm_tlgpu_submit args;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va, 0x1122334455667788ull));
	memset(&args, 0, sizeof(args));
	args.cmds = ptr_u64(cb.dw);
	args.cmd_dwords = cb.len;
	KTAP_ASSERT_OK(tlgpu_ioctl(n.fd, DRM_IOCTL_TLGPU_SUBMIT, &args));
	KTAP_ASSERT(args.seqno > 0, "seqno 0");

	/* No fence asked for: a later job of the timeline tells it ran. */
	tlgpu_cmdbuf_reset(&cb);
	KTAP_ASSERT_OK(tlgpu_cmd_nop(&cb, 2));
	TEST_RUN(n.fd, 0, 0, &cb, NULL, 0);
	KTAP_ASSERT_EQ(*(uint64_t *)bo.map, 0x1122334455667788ull);
	return KTAP_PASS;
}

static enum ktap_result test_seqno_increasing(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_job job = { 0 };
	struct tlgpu_node n;
	uint64_t prev[2] = { 0, 0 }, seqno;
	uint32_t tl;
	int i;

	TEST_OPEN(0, &n);
	CHECK(test_need_timelines(n.fd, 2));
	KTAP_ASSERT_OK(tlgpu_cmd_nop(&cb, 2));
	for (i = 0; i < 16; i++) {
		tl = i % 2;
		job.timeline = tl;
		KTAP_ASSERT_OK(tlgpu_submit_cmdbuf(n.fd, &job, &cb, NULL,
						   &seqno));
		KTAP_ASSERT(seqno > prev[tl],
			    "timeline %u: seqno %llu after %llu", tl,
			    (unsigned long long)seqno,
			    (unsigned long long)prev[tl]);
		prev[tl] = seqno;
	}
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Each command                                                        */
/* ------------------------------------------------------------------ */

static enum ktap_result test_fill(void)
{
	const uint64_t size = 16 * PAGE;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, size, &bo);
	struct drm_tlgpu_bo_ref ref = REF(bo, DRM_TLGPU_BO_WRITE);

	/* Three ranges: page-aligned, within a page, across pages. */
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, bo.gpu_va, 2 * PAGE, 0xdeadbeef));
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, bo.gpu_va + 3 * PAGE + 12, 40,
				      0x01020304));
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, bo.gpu_va + 5 * PAGE - 8,
				      PAGE + 16, 0xcafef00d));
	TEST_RUN(n.fd, 0, 0, &cb, &ref, 1);

	ASSERT_U32(bo_ptr(&bo, 0), 2 * PAGE, 0xdeadbeef);
	ASSERT_U32(bo_ptr(&bo, 2 * PAGE), PAGE + 12, 0);
	ASSERT_U32(bo_ptr(&bo, 3 * PAGE + 12), 40, 0x01020304);
	ASSERT_U32(bo_ptr(&bo, 3 * PAGE + 52), PAGE - 60, 0);
	ASSERT_U32(bo_ptr(&bo, 5 * PAGE - 8), PAGE + 16, 0xcafef00d);
	ASSERT_U32(bo_ptr(&bo, 6 * PAGE + 8), size - 6 * PAGE - 8, 0);
	return KTAP_PASS;
}

static enum ktap_result test_fill_large(void)
{
	const uint64_t size = 8 << 20;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, size, &bo);
	struct drm_tlgpu_bo_ref ref = REF(bo, DRM_TLGPU_BO_WRITE);

	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, bo.gpu_va, size, 0x5aa5c33c));
	TEST_RUN(n.fd, 0, 0, &cb, &ref, 1);
	ASSERT_U32(bo.map, size, 0x5aa5c33c);
	return KTAP_PASS;
}

static enum ktap_result test_copy(void)
{
	const uint64_t size = 64 * 1024;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo src, dst;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, size, &src);
	TEST_BO(n.fd, size, &dst);
	struct drm_tlgpu_bo_ref refs[] = {
		REF(src, DRM_TLGPU_BO_READ), REF(dst, DRM_TLGPU_BO_WRITE),
	};

	test_fill_random(src.map, size, 7);
	/* Whole buffer, then an odd-sized unaligned piece over it. */
	KTAP_ASSERT_OK(tlgpu_cmd_copy(&cb, dst.gpu_va, src.gpu_va, size));
	KTAP_ASSERT_OK(tlgpu_cmd_copy(&cb, dst.gpu_va + 1001, src.gpu_va + 3,
				      4099));
	TEST_RUN(n.fd, 0, 0, &cb, refs, 2);

	KTAP_ASSERT(!memcmp(dst.map, src.map, 1001), "head differs");
	KTAP_ASSERT(!memcmp(bo_ptr(&dst, 1001), bo_ptr(&src, 3), 4099),
		    "unaligned piece differs");
	KTAP_ASSERT(!memcmp(bo_ptr(&dst, 5100), bo_ptr(&src, 5100),
			    size - 5100), "tail differs");
	return KTAP_PASS;
}

static enum ktap_result test_checksum(void)
{
	static const uint64_t lens[] = { 0, 1, 3, 4, 9, PAGE + 1, 61 * 1024 };
	const uint64_t size = 64 * 1024;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo data, out;
	uint32_t *res;
	unsigned int i;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, size, &data);
	TEST_BO(n.fd, PAGE, &out);
	struct drm_tlgpu_bo_ref refs[] = {
		REF(data, DRM_TLGPU_BO_READ), REF(out, DRM_TLGPU_BO_WRITE),
	};

	memcpy(data.map, "123456789", 9);
	test_fill_random(bo_ptr(&data, 16), size - 16, 3);
	memset(out.map, 0xff, PAGE);

	KTAP_ASSERT_OK(tlgpu_cmd_checksum(&cb, data.gpu_va, 9, out.gpu_va));
	for (i = 0; i < ARRAY_SIZE(lens); i++)
		KTAP_ASSERT_OK(tlgpu_cmd_checksum(&cb, data.gpu_va + 16 + i,
						  lens[i],
						  out.gpu_va + 4 * (i + 1)));
	TEST_RUN(n.fd, 0, 0, &cb, refs, 2);

	res = out.map;
	/* The check value of CRC-32/ISO-HDLC. */
	KTAP_ASSERT_EQ(res[0], 0xcbf43926);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		uint32_t want = tlgpu_crc32(0, bo_ptr(&data, 16 + i), lens[i]);

		if (res[i + 1] != want)
			ktap_diag("%llu bytes at +%u", (unsigned long long)lens[i],
				  16 + i);
		KTAP_ASSERT_EQ(res[i + 1], want);
	}
	/* Nothing written past the results. */
	KTAP_ASSERT_EQ(res[ARRAY_SIZE(lens) + 1], 0xffffffff);
	return KTAP_PASS;
}

static enum ktap_result test_crc32_helper(void)
{
	static const uint8_t zeros[32];
	uint8_t buf[1000];
	unsigned int i;

	/* zlib's crc32() values, for the CRC helper the suites rely on. */
	KTAP_ASSERT_EQ(tlgpu_crc32(0, "", 0), 0);
	KTAP_ASSERT_EQ(tlgpu_crc32(0, "123456789", 9), 0xcbf43926);
	KTAP_ASSERT_EQ(tlgpu_crc32(0, "a", 1), 0xe8b7be43);
	KTAP_ASSERT_EQ(tlgpu_crc32(0, zeros, 32), 0x190a55ad);
	KTAP_ASSERT_EQ(tlgpu_crc32(0, "The quick brown fox jumps over the lazy dog",
				   43), 0x414fa339);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7 + 3;
	KTAP_ASSERT_EQ(tlgpu_crc32(0, buf, sizeof(buf)), 0x17bc2a46);
	/* Chained over pieces it gives the same. */
	KTAP_ASSERT_EQ(tlgpu_crc32(tlgpu_crc32(0, buf, 333), buf + 333, 667),
		       0x17bc2a46);
	return KTAP_PASS;
}

static enum ktap_result test_store(void)
{
	static const uint64_t values[] = {
		0, 1, 0x8000000000000000ull, 0xffffffffffffffffull,
		0x0123456789abcdefull,
	};
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint64_t *p;
	unsigned int i;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, 2 * PAGE, &bo);
	struct drm_tlgpu_bo_ref ref = REF(bo, DRM_TLGPU_BO_WRITE);

	memset(bo.map, 0xee, 2 * PAGE);
	for (i = 0; i < ARRAY_SIZE(values); i++)
		KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va + 8 + 16 * i,
					       values[i]));
	/* The last qword of the first page and the first of the second. */
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va + PAGE - 8, 0xaaaa));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va + PAGE, 0xbbbb));
	TEST_RUN(n.fd, 0, 0, &cb, &ref, 1);

	p = bo.map;
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		KTAP_ASSERT_EQ(p[1 + 2 * i], values[i]);
		KTAP_ASSERT_EQ(p[2 * i], 0xeeeeeeeeeeeeeeeeull);
	}
	KTAP_ASSERT_EQ(p[PAGE / 8 - 1], 0xaaaa);
	KTAP_ASSERT_EQ(p[PAGE / 8], 0xbbbb);
	KTAP_ASSERT_EQ(p[PAGE / 8 + 1], 0xeeeeeeeeeeeeeeeeull);
	return KTAP_PASS;
}

/* FILL, COPY, CHECKSUM, STORE in one job: each sees the one before. */
static enum ktap_result test_job_order(void)
{
	const uint64_t size = 4 * PAGE;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo a, b, out;
	uint32_t *res;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, size, &a);
	TEST_BO(n.fd, size, &b);
	TEST_BO(n.fd, PAGE, &out);
	struct drm_tlgpu_bo_ref refs[] = {
		REF(a, RW), REF(b, RW), REF(out, DRM_TLGPU_BO_WRITE),
	};

	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, a.gpu_va, size, 0x11111111));
	KTAP_ASSERT_OK(tlgpu_cmd_copy(&cb, b.gpu_va, a.gpu_va, size));
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, a.gpu_va, size, 0x22222222));
	KTAP_ASSERT_OK(tlgpu_cmd_checksum(&cb, b.gpu_va, size, out.gpu_va));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, b.gpu_va, 0x3333333333333333ull));
	KTAP_ASSERT_OK(tlgpu_cmd_checksum(&cb, b.gpu_va, size, out.gpu_va + 4));
	TEST_RUN(n.fd, 0, 0, &cb, refs, 3);

	ASSERT_U32(a.map, size, 0x22222222);
	ASSERT_U32(b.map, 8, 0x33333333);
	ASSERT_U32(bo_ptr(&b, 8), size - 8, 0x11111111);
	res = out.map;
	memset(a.map, 0x11, size);	/* what b held at the first CHECKSUM */
	KTAP_ASSERT_EQ(res[0], tlgpu_crc32(0, a.map, size));
	KTAP_ASSERT_EQ(res[1], tlgpu_crc32(0, b.map, size));
	return KTAP_PASS;
}

static enum ktap_result test_delay(void)
{
	const unsigned int ms = 300;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	int64_t start;
	int fence;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_OK(tlgpu_cmd_delay(&cb, ms * MS));
	start = tlgpu_now_ns();
	KTAP_ASSERT_OK(test_submit(n.fd, 0, 0, &cb, NULL, 0, &fence));
	ASSERT_ACTIVE(fence);
	KTAP_ASSERT_RET(tlgpu_sync_file_wait(fence, ms / 3), -ETIME);
	ASSERT_ACTIVE(fence);
	ASSERT_SIGNALLED(fence);
	KTAP_ASSERT(test_elapsed_ms(start) >= ms, "done after %lld ms",
		    (long long)test_elapsed_ms(start));
	return KTAP_PASS;
}

/* Every buffer of the file is reachable, whether listed or not. */
static enum ktap_result test_unlisted_bo(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, bo.gpu_va, PAGE, 0x600df00d));
	TEST_RUN(n.fd, 0, 0, &cb, NULL, 0);
	ASSERT_U32(bo.map, PAGE, 0x600df00d);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Timelines and devices                                               */
/* ------------------------------------------------------------------ */

/*
 * A slow job fills a buffer, a fast one after it on the same timeline
 * copies it, with no buffer list and no implicit sync: only the timeline
 * orders them.
 */
static enum ktap_result test_timeline_order(void)
{
	struct tlgpu_cmdbuf slow = { 0 }, fast = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo a, b;
	int f1, f2;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	KTAP_ASSERT_OK(tlgpu_cmd_delay(&slow, SLOW_MS * MS));
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&slow, a.gpu_va, PAGE, 0xabcdef01));
	KTAP_ASSERT_OK(tlgpu_cmd_copy(&fast, b.gpu_va, a.gpu_va, PAGE));

	KTAP_ASSERT_OK(test_submit(n.fd, 0, DRM_TLGPU_SUBMIT_NO_IMPLICIT,
				   &slow, NULL, 0, &f1));
	KTAP_ASSERT_OK(test_submit(n.fd, 0, DRM_TLGPU_SUBMIT_NO_IMPLICIT,
				   &fast, NULL, 0, &f2));
	ASSERT_ACTIVE(f1);
	ASSERT_ACTIVE(f2);
	ASSERT_SIGNALLED(f2);
	/* Signalled in order. */
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	ASSERT_U32(b.map, PAGE, 0xabcdef01);
	return KTAP_PASS;
}

/* Many jobs on one timeline: each sees its predecessors' results. */
static enum ktap_result test_timeline_order_many(void)
{
	enum { JOBS = 64 };
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int fences[JOBS];
	uint64_t *p;
	int i;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	for (i = 0; i < JOBS; i++) {
		tlgpu_cmdbuf_reset(&cb);
		/* slot[i + 1] = slot[0] (the previous job's index); slot[0] = i */
		KTAP_ASSERT_OK(tlgpu_cmd_copy(&cb, bo.gpu_va + 8 * (i + 1),
					      bo.gpu_va, 8));
		KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va, i + 1000));
		KTAP_ASSERT_OK(test_submit(n.fd, 0,
					   DRM_TLGPU_SUBMIT_NO_IMPLICIT, &cb,
					   NULL, 0, &fences[i]));
	}
	ASSERT_SIGNALLED(fences[JOBS - 1]);
	for (i = 0; i < JOBS; i++)
		KTAP_ASSERT_EQ(tlgpu_sync_file_status(fences[i]), 1);

	p = bo.map;
	KTAP_ASSERT_EQ(p[0], JOBS - 1 + 1000);
	KTAP_ASSERT_EQ(p[1], 0);
	for (i = 1; i < JOBS; i++)
		KTAP_ASSERT_EQ(p[i + 1], i - 1 + 1000);
	return KTAP_PASS;
}

static enum ktap_result test_all_timelines(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int fences[TLGPU_MAX_TIMELINES];
	uint64_t timelines, *p;
	uint32_t t;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_OK(tlgpu_get_param(n.fd, DRM_TLGPU_PARAM_NUM_TIMELINES,
				       &timelines));
	KTAP_ASSERT(timelines >= 1 && timelines <= TLGPU_MAX_TIMELINES,
		    "%llu timelines", (unsigned long long)timelines);
	TEST_BO(n.fd, PAGE, &bo);
	for (t = 0; t < timelines; t++) {
		tlgpu_cmdbuf_reset(&cb);
		KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va + 8 * t,
					       0x7100 + t));
		KTAP_ASSERT_OK(test_submit(n.fd, t, 0, &cb, NULL, 0,
					   &fences[t]));
	}
	for (t = 0; t < timelines; t++)
		ASSERT_SIGNALLED(fences[t]);
	p = bo.map;
	for (t = 0; t < timelines; t++)
		KTAP_ASSERT_EQ(p[t], 0x7100 + t);
	KTAP_ASSERT_EQ(p[timelines], 0);
	return KTAP_PASS;
}

/* A slow timeline does not hold up another one. */
static enum ktap_result test_timelines_concurrent(void)
{
	struct tlgpu_cmdbuf slow = { 0 }, fast = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo a, b;
	int f1, f2;

	TEST_OPEN(0, &n);
	CHECK(test_need_timelines(n.fd, 2));
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	struct drm_tlgpu_bo_ref ra = REF(a, DRM_TLGPU_BO_WRITE);
	struct drm_tlgpu_bo_ref rb = REF(b, DRM_TLGPU_BO_WRITE);

	KTAP_ASSERT_OK(tlgpu_cmd_delay(&slow, SLOW_MS * MS));
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&slow, a.gpu_va, PAGE, 1));
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&fast, b.gpu_va, PAGE, 2));
	KTAP_ASSERT_OK(test_submit(n.fd, 0, 0, &slow, &ra, 1, &f1));
	KTAP_ASSERT_OK(test_submit(n.fd, 1, 0, &fast, &rb, 1, &f2));
	ASSERT_SIGNALLED(f2);
	ASSERT_ACTIVE(f1);
	ASSERT_U32(b.map, PAGE, 2);
	ASSERT_U32(a.map, PAGE, 0);
	ASSERT_SIGNALLED(f1);
	ASSERT_U32(a.map, PAGE, 1);
	return KTAP_PASS;
}

/* The same work on two devices, each in its own memory. */
static enum ktap_result test_two_devices(void)
{
	struct tlgpu_cmdbuf cb[2] = { { 0 }, { 0 } };
	struct tlgpu_node n[2];
	struct tlgpu_bo bo[2];
	int fence[2], i;

	TEST_OPEN(0, &n[0]);
	TEST_OPEN(1, &n[1]);
	for (i = 0; i < 2; i++) {
		TEST_BO(n[i].fd, 2 * PAGE, &bo[i]);
		test_fill_random(bo[i].map, PAGE, 10 + i);
		KTAP_ASSERT_OK(tlgpu_cmd_delay(&cb[i], 100 * MS));
		KTAP_ASSERT_OK(tlgpu_cmd_copy(&cb[i], bo[i].gpu_va + PAGE,
					      bo[i].gpu_va, PAGE));
	}
	for (i = 0; i < 2; i++)
		KTAP_ASSERT_OK(test_submit(n[i].fd, 0, 0, &cb[i], NULL, 0,
					   &fence[i]));
	for (i = 0; i < 2; i++) {
		ASSERT_SIGNALLED(fence[i]);
		KTAP_ASSERT(!memcmp(bo[i].map, bo_ptr(&bo[i], PAGE), PAGE),
			    "device %d: copy differs", i);
	}
	KTAP_ASSERT(memcmp(bo[0].map, bo[1].map, PAGE),
		    "both devices hold the same data");
	return KTAP_PASS;
}

/*
 * Many small independent jobs, each listing many buffers, back to back
 * on two timelines: jobs finish while their SUBMIT is still returning.
 * 1024 of them; 256 on a debug kernel, where lockdep makes each SUBMIT of
 * 64 reservations take 100 ms under TCG.
 */
static enum ktap_result test_many_jobs(void)
{
	enum { MAX_JOBS = 1024, LISTED = 64 };
	const int jobs = ktap_debug_kernel() ? MAX_JOBS / 4 : MAX_JOBS;
	struct drm_tlgpu_bo_ref refs[LISTED];
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo, out;
	int fences[2] = { -1, -1 };
	uint64_t *p;
	int i;

	TEST_OPEN(0, &n);
	CHECK(test_need_timelines(n.fd, 2));
	for (i = 0; i < LISTED; i++) {
		KTAP_ASSERT_OK(tlgpu_bo_create(n.fd, PAGE, 0, &bo));
		refs[i].handle = bo.handle;
		refs[i].flags = DRM_TLGPU_BO_READ;
	}
	TEST_BO(n.fd, MAX_JOBS * 8, &out);

	for (i = 0; i < jobs; i++) {
		int *f = &fences[i % 2];

		tlgpu_cmdbuf_reset(&cb);
		KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, out.gpu_va + 8 * i, i + 1));
		if (*f >= 0)
			close(*f);
		KTAP_ASSERT_OK(test_submit(n.fd, i % 2, 0, &cb, refs, LISTED,
					   f));
	}
	ASSERT_SIGNALLED(fences[0]);
	ASSERT_SIGNALLED(fences[1]);
	p = out.map;
	for (i = 0; i < MAX_JOBS; i++)
		KTAP_ASSERT_EQ(p[i], i < jobs ? i + 1 : 0);
	return KTAP_PASS;
}

/*
 * A buffer's handle closed while a job listing it is queued: the job
 * still reaches the buffer and nothing faults.  (The job holds the
 * buffer; its mapping must outlive the handle until the job is done, as
 * userspace commonly frees buffers right after submitting.)
 */
static enum ktap_result test_close_bo_pending(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint32_t *cpu;
	int fence;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, 2 * PAGE, &bo);
	struct drm_tlgpu_bo_ref ref = REF(bo, DRM_TLGPU_BO_WRITE);

	cpu = bo.map;
	KTAP_ASSERT_OK(tlgpu_cmd_delay(&cb, SLOW_MS * MS));
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, bo.gpu_va, 2 * PAGE, 0xc105ed));
	KTAP_ASSERT_OK(test_submit(n.fd, 0, 0, &cb, &ref, 1, &fence));
	ASSERT_ACTIVE(fence);
	/* (The close may wait for the job, or return at once.) */
	KTAP_ASSERT_OK(tlgpu_gem_close(n.fd, bo.handle));
	ASSERT_SIGNALLED(fence);
	ASSERT_U32(cpu, 2 * PAGE, 0xc105ed);
	return KTAP_PASS;
}

/*
 * The file closed while its job is queued: the job runs to the end, its
 * fence signals, and a buffer shared with another file holds its result.
 */
static enum ktap_result test_close_file_pending(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node a, b;
	struct tlgpu_bo bo, imp;
	int dmabuf, fence;
	int32_t err = 1;

	TEST_OPEN(0, &a);
	TEST_OPEN(0, &b);
	TEST_BO(a.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_bo_import(b.fd, dmabuf, &imp));
	struct drm_tlgpu_bo_ref ref = REF(bo, DRM_TLGPU_BO_WRITE);

	KTAP_ASSERT_OK(tlgpu_cmd_delay(&cb, SLOW_MS * MS));
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, bo.gpu_va, PAGE, 0xf11e));
	KTAP_ASSERT_OK(test_submit(a.fd, 0, 0, &cb, &ref, 1, &fence));
	ASSERT_ACTIVE(fence);
	KTAP_ASSERT_OK(tlgpu_bo_unmap(&bo));
	KTAP_ASSERT(!close(a.fd), "close: %s", strerror(errno));

	KTAP_ASSERT_OK(tlgpu_wait_bo_rel(b.fd, imp.handle, 0,
					 FENCE_TIMEOUT_MS * NS_PER_MS, &err));
	KTAP_ASSERT_EQ(err, 0);
	ASSERT_SIGNALLED(fence);
	KTAP_ASSERT_OK(tlgpu_bo_map(&imp));
	ASSERT_U32(imp.map, PAGE, 0xf11e);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Limits                                                              */
/* ------------------------------------------------------------------ */

static enum ktap_result test_max_cmd_dwords(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	while (cb.len < DRM_TLGPU_MAX_CMD_DWORDS - 6)
		KTAP_ASSERT_OK(tlgpu_cmd_nop(&cb, 2));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va, 0x4d4158));
	KTAP_ASSERT_EQ(cb.len, DRM_TLGPU_MAX_CMD_DWORDS);
	TEST_RUN(n.fd, 0, 0, &cb, NULL, 0);
	KTAP_ASSERT_EQ(*(uint64_t *)bo.map, 0x4d4158);
	return KTAP_PASS;
}

static enum ktap_result test_max_bos(void)
{
	struct drm_tlgpu_bo_ref *refs;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo, last;
	int32_t err = 1;
	unsigned int i;

	TEST_OPEN(0, &n);
	refs = calloc(DRM_TLGPU_MAX_BOS, sizeof(*refs));
	KTAP_ASSERT(refs, "calloc");
	for (i = 0; i < DRM_TLGPU_MAX_BOS - 1; i++) {
		KTAP_ASSERT_OK(tlgpu_bo_create(n.fd, PAGE, 0, &bo));
		refs[i].handle = bo.handle;
		refs[i].flags = i % 2 ? DRM_TLGPU_BO_READ : DRM_TLGPU_BO_WRITE;
	}
	TEST_BO(n.fd, PAGE, &last);
	refs[i].handle = last.handle;
	refs[i].flags = DRM_TLGPU_BO_WRITE;

	KTAP_ASSERT_OK(tlgpu_cmd_delay(&cb, 200 * MS));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, last.gpu_va, 0x1024));
	TEST_RUN(n.fd, 0, 0, &cb, refs, DRM_TLGPU_MAX_BOS);
	KTAP_ASSERT_EQ(*(uint64_t *)last.map, 0x1024);

	/* Every listed buffer got the fence, now signalled. */
	KTAP_ASSERT_OK(tlgpu_wait_bo(n.fd, refs[0].handle, 0, 0, &err));
	KTAP_ASSERT_EQ(err, 0);
	KTAP_ASSERT_OK(tlgpu_wait_bo(n.fd, last.handle, 0, 0, &err));
	KTAP_ASSERT_EQ(err, 0);
	return KTAP_PASS;
}

static enum ktap_result test_max_syncs(void)
{
	struct drm_tlgpu_sync *in, *out;
	uint32_t *handles;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_job job = { .flags = DRM_TLGPU_SUBMIT_FENCE_OUT };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	unsigned int i;
	int fence;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	in = calloc(DRM_TLGPU_MAX_SYNCS, sizeof(*in));
	out = calloc(DRM_TLGPU_MAX_SYNCS, sizeof(*out));
	handles = calloc(DRM_TLGPU_MAX_SYNCS, sizeof(*handles));
	KTAP_ASSERT(in && out && handles, "calloc");
	for (i = 0; i < DRM_TLGPU_MAX_SYNCS; i++) {
		KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd,
						    DRM_SYNCOBJ_CREATE_SIGNALED,
						    &in[i].handle));
		KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &out[i].handle));
		handles[i] = out[i].handle;
		/* Half binary, half timeline points. */
		out[i].point = i % 2 ? i : 0;
	}
	KTAP_ASSERT_OK(tlgpu_cmd_delay(&cb, 200 * MS));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va, 0x256));
	job.in_syncs = in;
	job.in_sync_count = DRM_TLGPU_MAX_SYNCS;
	job.out_syncs = out;
	job.out_sync_count = DRM_TLGPU_MAX_SYNCS;
	KTAP_ASSERT_OK(tlgpu_submit_cmdbuf(n.fd, &job, &cb, &fence, NULL));
	ASSERT_SIGNALLED(fence);
	KTAP_ASSERT_EQ(*(uint64_t *)bo.map, 0x256);

	for (i = 0; i < DRM_TLGPU_MAX_SYNCS; i++) {
		uint64_t pt = out[i].point;

		KTAP_ASSERT_OK(tlgpu_syncobj_timeline_wait(n.fd, &handles[i],
							   &pt, 1, 0, 0,
							   NULL));
	}
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Rejected input                                                      */
/* ------------------------------------------------------------------ */

#define BAD_VALUE	0xbad0bad0bad0bad0ull
#define GOOD_VALUE	0x600d600d600d600dull

/*
 * A valid SUBMIT that would store BAD_VALUE at the start of @bo; each
 * bad-* case breaks one thing in a copy of @args and expects the exact
 * errno, then bad_verify() checks the store never ran.
 */
struct bad {
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	struct tlgpu_cmdbuf cb;
	struct drm_tlgpu_bo_ref ref;
	struct drm_tlgpu_submit args;
};

static enum ktap_result bad_init(struct bad *b)
{
	memset(b, 0, sizeof(*b));
	TEST_OPEN(0, &b->n);
	TEST_BO(b->n.fd, PAGE, &b->bo);
	KTAP_ASSERT_OK(tlgpu_cmd_store(&b->cb, b->bo.gpu_va, BAD_VALUE));
	b->ref.handle = b->bo.handle;
	b->ref.flags = RW;
	b->args.cmds = ptr_u64(b->cb.dw);
	b->args.cmd_dwords = b->cb.len;
	b->args.bos = ptr_u64(&b->ref);
	b->args.bo_count = 1;
	b->args.in_fence_fd = -1;
	b->args.out_fence_fd = -1;
	return KTAP_PASS;
}
#define BAD_INIT(b)	CHECK(bad_init(b))

/* SUBMIT of @args fails with @err; ioctl arguments are left alone. */
static int bad_submit(struct bad *b, const struct drm_tlgpu_submit *args)
{
	struct drm_tlgpu_submit copy = *args;

	return tlgpu_ioctl(b->n.fd, DRM_IOCTL_TLGPU_SUBMIT, &copy);
}

/*
 * After the refused submissions: a valid job on timeline 0, writing the
 * same buffer (so it is ordered after anything that was queued on it by
 * mistake), runs; none of the refused stores happened.
 */
static enum ktap_result bad_verify(struct bad *b)
{
	struct tlgpu_cmdbuf cb = { 0 };
	uint64_t *p = b->bo.map;

	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, b->bo.gpu_va + 8, GOOD_VALUE));
	TEST_RUN(b->n.fd, 0, 0, &cb, &b->ref, 1);
	KTAP_ASSERT_EQ(p[1], GOOD_VALUE);
	KTAP_ASSERT(p[0] == 0, "a refused job ran: 0x%llx",
		    (unsigned long long)p[0]);
	return KTAP_PASS;
}

/* Baseline: the unbroken arguments are accepted (on a spare buffer). */
static enum ktap_result test_bad_baseline(void)
{
	struct tlgpu_bo spare;
	struct bad b;

	BAD_INIT(&b);
	TEST_BO(b.n.fd, PAGE, &spare);
	b.cb.dw[2] = (uint32_t)spare.gpu_va;	/* STORE va, low half */
	b.cb.dw[3] = spare.gpu_va >> 32;
	KTAP_ASSERT_OK(bad_submit(&b, &b.args));
	CHECK(bad_verify(&b));
	KTAP_ASSERT_EQ(*(uint64_t *)spare.map, BAD_VALUE);
	return KTAP_PASS;
}

static enum ktap_result test_bad_timeline(void)
{
	struct drm_tlgpu_submit a;
	uint64_t timelines;
	struct bad b;

	BAD_INIT(&b);
	KTAP_ASSERT_OK(tlgpu_get_param(b.n.fd, DRM_TLGPU_PARAM_NUM_TIMELINES,
				       &timelines));
	a = b.args;
	a.timeline = timelines;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	a.timeline = TLGPU_MAX_TIMELINES;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	a.timeline = ~0u;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	return bad_verify(&b);
}

static enum ktap_result test_bad_flags(void)
{
	static const uint32_t flags[] = { 1u << 3, 1u << 16, 1u << 31 };
	struct drm_tlgpu_submit a;
	struct bad b;
	unsigned int i;

	BAD_INIT(&b);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		a = b.args;
		a.flags = flags[i];
		KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
		a.flags = flags[i] | DRM_TLGPU_SUBMIT_NO_IMPLICIT;
		KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	}
	return bad_verify(&b);
}

static enum ktap_result test_bad_extensions(void)
{
	uint64_t ext[4] = { 0, 0, 0, 0 };
	struct drm_tlgpu_submit a;
	struct bad b;

	BAD_INIT(&b);
	a = b.args;
	a.extensions = ptr_u64(ext);	/* readable, but none is defined */
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	a.extensions = 1;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	return bad_verify(&b);
}

static enum ktap_result test_bad_cmd_dwords_zero(void)
{
	struct drm_tlgpu_submit a;
	struct bad b;

	BAD_INIT(&b);
	a = b.args;
	a.cmd_dwords = 0;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	a.cmds = 0;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	return bad_verify(&b);
}

static enum ktap_result test_bad_cmd_dwords_too_many(void)
{
	struct drm_tlgpu_submit a;
	struct bad b;

	BAD_INIT(&b);
	/* A real buffer of MAX + 2 dwords: STORE, then NOPs. */
	while (b.cb.len < DRM_TLGPU_MAX_CMD_DWORDS + 2)
		KTAP_ASSERT_OK(tlgpu_cmd_nop(&b.cb, 2));
	a = b.args;
	a.cmds = ptr_u64(b.cb.dw);
	a.cmd_dwords = DRM_TLGPU_MAX_CMD_DWORDS + 2;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	a.cmd_dwords = ~0u;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	return bad_verify(&b);
}

/* The rejected job's commands: the STORE, then @dw. */
static enum ktap_result bad_cmds(const uint32_t *dw, uint32_t count,
				 uint32_t cmd_dwords_extra, int err)
{
	struct drm_tlgpu_submit a;
	struct bad b;

	BAD_INIT(&b);
	KTAP_ASSERT_OK(tlgpu_cmd_raw(&b.cb, dw, count));
	a = b.args;
	a.cmds = ptr_u64(b.cb.dw);
	a.cmd_dwords = b.cb.len - cmd_dwords_extra;
	KTAP_ASSERT_RET(bad_submit(&b, &a), err);
	return bad_verify(&b);
}

static enum ktap_result test_bad_cmd_truncated(void)
{
	uint32_t fill[6] = { TLGPU_CMD_HDR(TLGPU_OP_FILL, 6, 0), 1, 0, 0, 4, 0 };

	/* A FILL of which only 4 of 6 dwords are in cmd_dwords. */
	return bad_cmds(fill, 6, 2, -EINVAL);
}

static enum ktap_result test_bad_cmd_len_zero(void)
{
	uint32_t dw[2] = { TLGPU_CMD_HDR(TLGPU_OP_NOP, 0, 0), 0 };

	return bad_cmds(dw, 2, 0, -EINVAL);
}

static enum ktap_result test_bad_cmd_len_odd(void)
{
	uint32_t dw[4] = { TLGPU_CMD_HDR(TLGPU_OP_NOP, 3, 0), 0, 0,
			   TLGPU_CMD_HDR(TLGPU_OP_NOP, 1, 0) };

	return bad_cmds(dw, 4, 0, -EINVAL);
}

static enum ktap_result test_bad_cmd_len_too_long(void)
{
	uint32_t dw[18] = { TLGPU_CMD_HDR(TLGPU_OP_NOP, 18, 0) };

	return bad_cmds(dw, 18, 0, -EINVAL);
}

static enum ktap_result test_bad_cmd_len_mismatch(void)
{
	/* A FILL of 8 dwords; FILL is 6. */
	uint32_t dw[8] = { TLGPU_CMD_HDR(TLGPU_OP_FILL, 8, 0), 1, 0, 0, 4 };

	CHECK(bad_cmds(dw, 8, 0, -EINVAL));
	/* A STORE of 4 dwords; STORE is 6. */
	dw[0] = TLGPU_CMD_HDR(TLGPU_OP_STORE, 4, 0);
	CHECK(bad_cmds(dw, 4, 0, -EINVAL));
	/* A DELAY of 4; DELAY is 2. */
	dw[0] = TLGPU_CMD_HDR(TLGPU_OP_DELAY, 4, 0);
	return bad_cmds(dw, 4, 0, -EINVAL);
}

static enum ktap_result test_bad_op_set_as(void)
{
	uint32_t dw[2] = { TLGPU_CMD_HDR(TLGPU_OP_SET_AS, 2, 0), 0 };

	return bad_cmds(dw, 2, 0, -EINVAL);
}

static enum ktap_result test_bad_op_wait(void)
{
	uint32_t dw[4] = { TLGPU_CMD_HDR(TLGPU_OP_WAIT, 4, 0), 1, 0, 0 };

	return bad_cmds(dw, 4, 0, -EINVAL);
}

static enum ktap_result test_bad_op_fence(void)
{
	uint32_t dw[4] = { TLGPU_CMD_HDR(TLGPU_OP_FENCE, 4, TLGPU_FENCE_IRQ),
			   0, 1000000, 0 };

	return bad_cmds(dw, 4, 0, -EINVAL);
}

static enum ktap_result test_bad_op_unknown(void)
{
	static const uint32_t ops[] = { TLGPU_OP_MAX, 0x42, 0x80, 0xff };
	uint32_t dw[2] = { 0, 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		dw[0] = TLGPU_CMD_HDR(ops[i], 2, 0);
		ktap_diag("opcode 0x%02x", ops[i]);
		CHECK(bad_cmds(dw, 2, 0, -EINVAL));
	}
	return KTAP_PASS;
}

static enum ktap_result test_bad_bo_handle(void)
{
	struct drm_tlgpu_bo_ref refs[2];
	struct drm_tlgpu_submit a;
	struct bad b;

	BAD_INIT(&b);
	refs[0] = b.ref;
	refs[1].handle = b.bo.handle + 100;
	refs[1].flags = DRM_TLGPU_BO_READ;
	a = b.args;
	a.bos = ptr_u64(refs);
	a.bo_count = 2;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -ENOENT);
	refs[1].handle = 0;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -ENOENT);
	CHECK(bad_verify(&b));

	/* A closed handle. */
	KTAP_ASSERT_OK(tlgpu_gem_close(b.n.fd, b.ref.handle));
	a.bo_count = 1;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -ENOENT);
	return KTAP_PASS;
}

static enum ktap_result test_bad_bo_no_access(void)
{
	struct drm_tlgpu_bo_ref ref;
	struct drm_tlgpu_submit a;
	struct bad b;

	BAD_INIT(&b);
	ref.handle = b.bo.handle;
	ref.flags = 0;
	a = b.args;
	a.bos = ptr_u64(&ref);
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	return bad_verify(&b);
}

static enum ktap_result test_bad_bo_unknown_access(void)
{
	static const uint32_t flags[] = { 1u << 2, RW | 1u << 2, 1u << 31 };
	struct drm_tlgpu_bo_ref ref;
	struct drm_tlgpu_submit a;
	struct bad b;
	unsigned int i;

	BAD_INIT(&b);
	ref.handle = b.bo.handle;
	a = b.args;
	a.bos = ptr_u64(&ref);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		ref.flags = flags[i];
		KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	}
	return bad_verify(&b);
}

static enum ktap_result test_bad_bo_duplicate(void)
{
	struct drm_tlgpu_bo_ref refs[3];
	struct drm_tlgpu_submit a;
	struct tlgpu_bo other;
	struct bad b;

	BAD_INIT(&b);
	TEST_BO(b.n.fd, PAGE, &other);
	refs[0] = b.ref;
	refs[1].handle = other.handle;
	refs[1].flags = DRM_TLGPU_BO_READ;
	refs[2].handle = b.bo.handle;
	refs[2].flags = DRM_TLGPU_BO_READ;
	a = b.args;
	a.bos = ptr_u64(refs);
	a.bo_count = 3;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	refs[2].flags = RW;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	return bad_verify(&b);
}

/*
 * @count entries of distinct handles that do not exist: a count check
 * made before any lookup answers -EINVAL, as the uAPI's order wants.
 */
static struct drm_tlgpu_sync *missing_syncs(uint32_t count)
{
	struct drm_tlgpu_sync *s = calloc(count, sizeof(*s));
	uint32_t i;

	for (i = 0; s && i < count; i++)
		s[i].handle = 0x10000 + i;
	return s;
}

static enum ktap_result test_bad_bo_count(void)
{
	struct drm_tlgpu_bo_ref *refs;
	struct drm_tlgpu_submit a;
	struct bad b;
	uint32_t i;

	BAD_INIT(&b);
	refs = calloc(DRM_TLGPU_MAX_BOS + 1, sizeof(*refs));
	KTAP_ASSERT(refs, "calloc");
	refs[0] = b.ref;
	for (i = 1; i <= DRM_TLGPU_MAX_BOS; i++) {
		refs[i].handle = 0x10000 + i;
		refs[i].flags = DRM_TLGPU_BO_READ;
	}
	a = b.args;
	a.bos = ptr_u64(refs);
	a.bo_count = DRM_TLGPU_MAX_BOS + 1;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	a.bo_count = ~0u;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	return bad_verify(&b);
}

static enum ktap_result test_bad_in_sync_count(void)
{
	struct drm_tlgpu_submit a;
	struct bad b;

	BAD_INIT(&b);
	a = b.args;
	a.in_syncs = ptr_u64(missing_syncs(DRM_TLGPU_MAX_SYNCS + 1));
	KTAP_ASSERT(a.in_syncs, "calloc");
	a.in_sync_count = DRM_TLGPU_MAX_SYNCS + 1;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	a.in_sync_count = ~0u;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	return bad_verify(&b);
}

static enum ktap_result test_bad_out_sync_count(void)
{
	struct drm_tlgpu_submit a;
	struct bad b;

	BAD_INIT(&b);
	a = b.args;
	a.out_syncs = ptr_u64(missing_syncs(DRM_TLGPU_MAX_SYNCS + 1));
	KTAP_ASSERT(a.out_syncs, "calloc");
	a.out_sync_count = DRM_TLGPU_MAX_SYNCS + 1;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	a.out_sync_count = ~0u;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	return bad_verify(&b);
}

/* One valid sync entry with @flags in the in (or out) list. */
static enum ktap_result bad_sync_flags(bool out)
{
	static const uint32_t flags[] = { 1, 1u << 31 };
	struct drm_tlgpu_sync s = { 0 };
	struct drm_tlgpu_submit a;
	struct bad b;
	unsigned int i;

	BAD_INIT(&b);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(b.n.fd, DRM_SYNCOBJ_CREATE_SIGNALED,
					    &s.handle));
	a = b.args;
	if (out) {
		a.out_syncs = ptr_u64(&s);
		a.out_sync_count = 1;
	} else {
		a.in_syncs = ptr_u64(&s);
		a.in_sync_count = 1;
	}
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		s.flags = flags[i];
		KTAP_ASSERT_RET(bad_submit(&b, &a), -EINVAL);
	}
	return bad_verify(&b);
}

static enum ktap_result test_bad_in_sync_flags(void)
{
	return bad_sync_flags(false);
}

static enum ktap_result test_bad_out_sync_flags(void)
{
	return bad_sync_flags(true);
}

/* One in (or out) sync entry @s, expecting @err. */
static enum ktap_result bad_sync(struct bad *b, bool out,
				 const struct drm_tlgpu_sync *s, int err)
{
	struct drm_tlgpu_submit a = b->args;

	if (out) {
		a.out_syncs = ptr_u64(s);
		a.out_sync_count = 1;
	} else {
		a.in_syncs = ptr_u64(s);
		a.in_sync_count = 1;
	}
	KTAP_ASSERT_RET(bad_submit(b, &a), err);
	return KTAP_PASS;
}

static enum ktap_result test_bad_in_syncobj_handle(void)
{
	struct drm_tlgpu_sync s = { .handle = 0x7777 };
	struct bad b;

	BAD_INIT(&b);
	CHECK(bad_sync(&b, false, &s, -ENOENT));
	s.handle = 0;
	CHECK(bad_sync(&b, false, &s, -ENOENT));
	s.point = 1;
	CHECK(bad_sync(&b, false, &s, -ENOENT));
	return bad_verify(&b);
}

static enum ktap_result test_bad_out_syncobj_handle(void)
{
	struct drm_tlgpu_sync s = { .handle = 0x7777 };
	struct bad b;

	BAD_INIT(&b);
	CHECK(bad_sync(&b, true, &s, -ENOENT));
	s.point = 3;
	CHECK(bad_sync(&b, true, &s, -ENOENT));
	return bad_verify(&b);
}

static enum ktap_result test_bad_in_syncobj_no_fence(void)
{
	struct drm_tlgpu_sync s = { 0 };
	struct bad b;

	BAD_INIT(&b);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(b.n.fd, 0, &s.handle));
	CHECK(bad_sync(&b, false, &s, -ENOENT));
	/* Reset after a signal: no fence again. */
	KTAP_ASSERT_OK(tlgpu_syncobj_signal(b.n.fd, s.handle));
	KTAP_ASSERT_OK(tlgpu_syncobj_reset(b.n.fd, s.handle));
	CHECK(bad_sync(&b, false, &s, -ENOENT));
	return bad_verify(&b);
}

static enum ktap_result test_bad_in_point_no_fence(void)
{
	struct drm_tlgpu_sync s = { .point = 5 };
	struct bad b;

	BAD_INIT(&b);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(b.n.fd, 0, &s.handle));
	CHECK(bad_sync(&b, false, &s, -ENOENT));
	/* Points up to 3 exist; 5 does not yet. */
	KTAP_ASSERT_OK(tlgpu_syncobj_timeline_signal(b.n.fd, s.handle, 3));
	CHECK(bad_sync(&b, false, &s, -ENOENT));
	return bad_verify(&b);
}

static enum ktap_result bad_fence_fd(struct bad *b, int fd)
{
	struct drm_tlgpu_submit a = b->args;
	int ret;

	a.flags = DRM_TLGPU_SUBMIT_FENCE_IN;
	a.in_fence_fd = fd;
	ret = bad_submit(b, &a);
	/*
	 * tlgpu_drm.h: "-EBADF / -EINVAL: @in_fence_fd is not a sync_file
	 * (as sync_file_get_fence() reports it)".
	 */
	ktap_diag("in_fence_fd %d: %s", fd, strerror(-ret));
	ASSERT_RET2(ret, -EBADF, -EINVAL);
	return KTAP_PASS;
}

static enum ktap_result test_bad_in_fence_fd_closed(void)
{
	struct bad b;
	int p[2];

	BAD_INIT(&b);
	KTAP_ASSERT(!pipe(p), "pipe");
	close(p[0]);
	close(p[1]);
	CHECK(bad_fence_fd(&b, p[0]));
	CHECK(bad_fence_fd(&b, -1));
	CHECK(bad_fence_fd(&b, 100000));
	return bad_verify(&b);
}

static enum ktap_result test_bad_in_fence_fd_not_sync_file(void)
{
	struct bad b;
	int p[2], dmabuf;

	BAD_INIT(&b);
	KTAP_ASSERT(!pipe(p), "pipe");
	CHECK(bad_fence_fd(&b, p[0]));
	CHECK(bad_fence_fd(&b, b.n.fd));
	KTAP_ASSERT_OK(tlgpu_bo_export(&b.bo, 0, &dmabuf));
	CHECK(bad_fence_fd(&b, dmabuf));
	return bad_verify(&b);
}

/* A user pointer that faults: a PROT_NONE page. */
static uint64_t fault_ptr(void)
{
	void *p = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	return p == MAP_FAILED ? 8 : ptr_u64(p);
}

static enum ktap_result test_bad_cmds_pointer(void)
{
	struct drm_tlgpu_submit a;
	struct bad b;

	BAD_INIT(&b);
	a = b.args;
	a.cmds = fault_ptr();
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EFAULT);
	a.cmds = 0;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EFAULT);
	return bad_verify(&b);
}

static enum ktap_result test_bad_bos_pointer(void)
{
	struct drm_tlgpu_submit a;
	struct bad b;

	BAD_INIT(&b);
	a = b.args;
	a.bos = fault_ptr();
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EFAULT);
	return bad_verify(&b);
}

static enum ktap_result test_bad_in_syncs_pointer(void)
{
	struct drm_tlgpu_submit a;
	struct bad b;

	BAD_INIT(&b);
	a = b.args;
	a.in_syncs = fault_ptr();
	a.in_sync_count = 1;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EFAULT);
	return bad_verify(&b);
}

static enum ktap_result test_bad_out_syncs_pointer(void)
{
	struct drm_tlgpu_submit a;
	struct bad b;

	BAD_INIT(&b);
	a = b.args;
	a.out_syncs = fault_ptr();
	a.out_sync_count = 1;
	KTAP_ASSERT_RET(bad_submit(&b, &a), -EFAULT);
	return bad_verify(&b);
}

static const struct ktap_case cases[] = {
	{ .name = "params", .run = test_params },
	{ .name = "nop", .run = test_nop },
	{ .name = "submit-minimal", .run = test_submit_minimal },
	{ .name = "seqno-increasing", .run = test_seqno_increasing },
	{ .name = "fill", .run = test_fill },
	{ .name = "fill-large", .run = test_fill_large },
	{ .name = "copy", .run = test_copy },
	{ .name = "checksum", .run = test_checksum },
	{ .name = "crc32-helper", .run = test_crc32_helper },
	{ .name = "store", .run = test_store },
	{ .name = "job-order", .run = test_job_order },
	{ .name = "delay", .run = test_delay },
	{ .name = "unlisted-bo", .run = test_unlisted_bo },
	{ .name = "timeline-order", .run = test_timeline_order },
	{ .name = "timeline-order-many", .run = test_timeline_order_many },
	{ .name = "all-timelines", .run = test_all_timelines },
	{ .name = "timelines-concurrent", .run = test_timelines_concurrent },
	{ .name = "two-devices", .run = test_two_devices },
	{ .name = "many-jobs", .run = test_many_jobs, .timeout = 60 },
	{ .name = "close-bo-pending", .run = test_close_bo_pending },
	{ .name = "close-file-pending", .run = test_close_file_pending },
	{ .name = "max-cmd-dwords", .run = test_max_cmd_dwords },
	{ .name = "max-bos", .run = test_max_bos, .timeout = 60 },
	{ .name = "max-syncs", .run = test_max_syncs },
	{ .name = "bad-baseline", .run = test_bad_baseline },
	{ .name = "bad-timeline", .run = test_bad_timeline },
	{ .name = "bad-flags", .run = test_bad_flags },
	{ .name = "bad-extensions", .run = test_bad_extensions },
	{ .name = "bad-cmd-dwords-zero", .run = test_bad_cmd_dwords_zero },
	{ .name = "bad-cmd-dwords-too-many", .run = test_bad_cmd_dwords_too_many },
	{ .name = "bad-cmd-truncated", .run = test_bad_cmd_truncated },
	{ .name = "bad-cmd-len-zero", .run = test_bad_cmd_len_zero },
	{ .name = "bad-cmd-len-odd", .run = test_bad_cmd_len_odd },
	{ .name = "bad-cmd-len-too-long", .run = test_bad_cmd_len_too_long },
	{ .name = "bad-cmd-len-mismatch", .run = test_bad_cmd_len_mismatch },
	{ .name = "bad-op-set-as", .run = test_bad_op_set_as },
	{ .name = "bad-op-wait", .run = test_bad_op_wait },
	{ .name = "bad-op-fence", .run = test_bad_op_fence },
	{ .name = "bad-op-unknown", .run = test_bad_op_unknown },
	{ .name = "bad-bo-handle", .run = test_bad_bo_handle },
	{ .name = "bad-bo-no-access", .run = test_bad_bo_no_access },
	{ .name = "bad-bo-unknown-access", .run = test_bad_bo_unknown_access },
	{ .name = "bad-bo-duplicate", .run = test_bad_bo_duplicate },
	{ .name = "bad-bo-count", .run = test_bad_bo_count },
	{ .name = "bad-in-sync-count", .run = test_bad_in_sync_count },
	{ .name = "bad-out-sync-count", .run = test_bad_out_sync_count },
	{ .name = "bad-in-sync-flags", .run = test_bad_in_sync_flags },
	{ .name = "bad-out-sync-flags", .run = test_bad_out_sync_flags },
	{ .name = "bad-in-syncobj-handle", .run = test_bad_in_syncobj_handle },
	{ .name = "bad-out-syncobj-handle", .run = test_bad_out_syncobj_handle },
	{ .name = "bad-in-syncobj-no-fence", .run = test_bad_in_syncobj_no_fence },
	{ .name = "bad-in-point-no-fence", .run = test_bad_in_point_no_fence },
	{ .name = "bad-in-fence-fd-closed", .run = test_bad_in_fence_fd_closed },
	{ .name = "bad-in-fence-fd-not-sync-file",
	  .run = test_bad_in_fence_fd_not_sync_file },
	{ .name = "bad-cmds-pointer", .run = test_bad_cmds_pointer },
	{ .name = "bad-bos-pointer", .run = test_bad_bos_pointer },
	{ .name = "bad-in-syncs-pointer", .run = test_bad_in_syncs_pointer },
	{ .name = "bad-out-syncs-pointer", .run = test_bad_out_syncs_pointer },
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
