/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-implicit: implicit synchronization through the buffers' dma_resv
 * and WAIT_BO.  A job reading a buffer waits for its writers, a job
 * writing it waits for everyone, readers do not wait for each other,
 * NO_IMPLICIT neither waits nor leaves a fence, and WAIT_BO (absolute
 * CLOCK_MONOTONIC deadlines, WAIT_WRITERS) sees exactly those fences.
 *
 * The jobs of a case run on different timelines, so that only the
 * buffers' fences can order them.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define R		DRM_TLGPU_BO_READ
#define W		DRM_TLGPU_BO_WRITE
#define REF(bo, fl)	{ .handle = (bo).handle, .flags = (fl) }

/* DELAY @ms then FILL @bo's first page with @pattern, with @access. */
static int slow_fill(int fd, uint32_t tl, uint32_t flags,
		     const struct tlgpu_bo *bo, uint32_t access,
		     unsigned int ms, uint32_t pattern, int *fence)
{
	struct drm_tlgpu_bo_ref ref = REF(*bo, access);
	struct tlgpu_cmdbuf cb = { 0 };
	int ret;

	tlgpu_cmd_delay(&cb, ms * MS);
	tlgpu_cmd_fill(&cb, bo->gpu_va, PAGE, pattern);
	ret = test_submit(fd, tl, flags, &cb, &ref, 1, fence);
	tlgpu_cmdbuf_fini(&cb);
	return ret;
}

/* DELAY @ms then COPY @src's first page to @dst: reads @src. */
static int copy_job(int fd, uint32_t tl, uint32_t flags,
		    const struct tlgpu_bo *dst, const struct tlgpu_bo *src,
		    unsigned int ms, int *fence)
{
	struct drm_tlgpu_bo_ref refs[2] = { REF(*src, R), REF(*dst, W) };
	struct tlgpu_cmdbuf cb = { 0 };
	int ret;

	if (ms)
		tlgpu_cmd_delay(&cb, ms * MS);
	tlgpu_cmd_copy(&cb, dst->gpu_va, src->gpu_va, PAGE);
	ret = test_submit(fd, tl, flags, &cb, refs, 2, fence);
	tlgpu_cmdbuf_fini(&cb);
	return ret;
}

/* Device 0, which must have two timelines, and @count mapped buffers. */
static enum ktap_result setup(struct tlgpu_node *n, struct tlgpu_bo *bos,
			      int count)
{
	int i;

	TEST_OPEN(0, n);
	CHECK(test_need_timelines(n->fd, 2));
	for (i = 0; i < count; i++)
		TEST_BO(n->fd, PAGE, &bos[i]);
	return KTAP_PASS;
}

static enum ktap_result test_read_waits_write(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo[2];
	int fw, fr;

	CHECK(setup(&n, bo, 2));
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, 0, &bo[0], W, SLOW_MS, 0x1234,
				 &fw));
	KTAP_ASSERT_OK(copy_job(n.fd, 1, 0, &bo[1], &bo[0], 0, &fr));
	ASSERT_ACTIVE(fw);
	ASSERT_ACTIVE(fr);
	ASSERT_SIGNALLED(fr);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fw), 1);
	ASSERT_U32(bo[1].map, PAGE, 0x1234);
	return KTAP_PASS;
}

static enum ktap_result test_write_waits_write(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo[1];
	int f1, f2;

	CHECK(setup(&n, bo, 1));
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, 0, &bo[0], W, SLOW_MS, 0x1111,
				 &f1));
	KTAP_ASSERT_OK(slow_fill(n.fd, 1, 0, &bo[0], W, 0, 0x2222, &f2));
	ASSERT_ACTIVE(f2);
	ASSERT_SIGNALLED(f2);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	/* The second writer came last. */
	ASSERT_U32(bo[0].map, PAGE, 0x2222);
	return KTAP_PASS;
}

static enum ktap_result test_write_waits_read(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo[2];
	int fr, fw;

	CHECK(setup(&n, bo, 2));
	memset(bo[0].map, 0x5e, PAGE);
	/* A slow reader of bo[0], then a writer of it. */
	KTAP_ASSERT_OK(copy_job(n.fd, 0, 0, &bo[1], &bo[0], SLOW_MS, &fr));
	KTAP_ASSERT_OK(slow_fill(n.fd, 1, 0, &bo[0], W, 0, 0x0b0b0b0b, &fw));
	ASSERT_ACTIVE(fw);
	ASSERT_SIGNALLED(fw);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fr), 1);
	/* The reader saw the old contents, the writer's are there now. */
	ASSERT_U32(bo[1].map, PAGE, 0x5e5e5e5e);
	ASSERT_U32(bo[0].map, PAGE, 0x0b0b0b0b);
	return KTAP_PASS;
}

static enum ktap_result test_readers_concurrent(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo[3];
	int f1, f2;

	CHECK(setup(&n, bo, 3));
	memset(bo[0].map, 0x3d, PAGE);
	KTAP_ASSERT_OK(copy_job(n.fd, 0, 0, &bo[1], &bo[0], SLOW_MS, &f1));
	KTAP_ASSERT_OK(copy_job(n.fd, 1, 0, &bo[2], &bo[0], 0, &f2));
	/* The second reader does not wait for the first. */
	ASSERT_SIGNALLED(f2);
	ASSERT_ACTIVE(f1);
	ASSERT_U32(bo[2].map, PAGE, 0x3d3d3d3d);
	ASSERT_SIGNALLED(f1);
	ASSERT_U32(bo[1].map, PAGE, 0x3d3d3d3d);
	return KTAP_PASS;
}

/* A NO_IMPLICIT reader does not wait for the buffer's writer. */
static enum ktap_result test_no_implicit_no_wait(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo[2];
	int fw, fr;

	CHECK(setup(&n, bo, 2));
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, 0, &bo[0], W, SLOW_MS, 0x9999,
				 &fw));
	KTAP_ASSERT_OK(copy_job(n.fd, 1, DRM_TLGPU_SUBMIT_NO_IMPLICIT, &bo[1],
				&bo[0], 0, &fr));
	ASSERT_SIGNALLED(fr);
	ASSERT_ACTIVE(fw);
	/* It copied what was there before the writer. */
	ASSERT_U32(bo[1].map, PAGE, 0);
	ASSERT_SIGNALLED(fw);
	ASSERT_U32(bo[0].map, PAGE, 0x9999);
	return KTAP_PASS;
}

/* A NO_IMPLICIT writer leaves no fence: readers and WAIT_BO pass by. */
static enum ktap_result test_no_implicit_no_fence(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo[2];
	int32_t err = 1;
	int fw, fr;

	CHECK(setup(&n, bo, 2));
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, DRM_TLGPU_SUBMIT_NO_IMPLICIT,
				 &bo[0], W, SLOW_MS, 0x8888, &fw));
	KTAP_ASSERT_OK(tlgpu_wait_bo(n.fd, bo[0].handle, 0, 0, &err));
	KTAP_ASSERT_EQ(err, 0);
	KTAP_ASSERT_OK(copy_job(n.fd, 1, 0, &bo[1], &bo[0], 0, &fr));
	ASSERT_SIGNALLED(fr);
	ASSERT_ACTIVE(fw);
	ASSERT_U32(bo[1].map, PAGE, 0);
	ASSERT_SIGNALLED(fw);
	return KTAP_PASS;
}

/* Buffers a job does not list get none of its fences. */
static enum ktap_result test_unlisted_no_fence(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo[2];
	int fence;

	CHECK(setup(&n, bo, 2));
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, 0, &bo[0], W, SLOW_MS, 1, &fence));
	KTAP_ASSERT_OK(tlgpu_wait_bo(n.fd, bo[1].handle, 0, 0, NULL));
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, bo[0].handle, 0, 0, NULL), -ETIME);
	ASSERT_ACTIVE(fence);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* WAIT_BO                                                             */
/* ------------------------------------------------------------------ */

static enum ktap_result test_wait_bo_idle(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int32_t err = 1;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_wait_bo(n.fd, bo.handle, 0, 0, &err));
	KTAP_ASSERT_EQ(err, 0);
	err = 1;
	KTAP_ASSERT_OK(tlgpu_wait_bo_rel(n.fd, bo.handle, DRM_TLGPU_WAIT_WRITERS,
					 NS_PER_MS, &err));
	KTAP_ASSERT_EQ(err, 0);
	return KTAP_PASS;
}

static enum ktap_result test_wait_bo_busy(void)
{
	const int64_t wait_ms = 200;
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int64_t start, took;
	int32_t err = 1;
	int fence;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, 0, &bo, W, SLOW_MS, 0x77, &fence));

	/* 0 only tests. */
	start = tlgpu_now_ns();
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, bo.handle, 0, 0, &err), -ETIME);
	KTAP_ASSERT(test_elapsed_ms(start) < 100, "a test took %lld ms",
		    (long long)test_elapsed_ms(start));

	/* An absolute deadline 200 ms ahead: waits that long, then ETIME. */
	start = tlgpu_now_ns();
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, bo.handle, 0,
				      start + wait_ms * NS_PER_MS, &err),
			-ETIME);
	took = test_elapsed_ms(start);
	ktap_diag("timed out after %lld ms", (long long)took);
	KTAP_ASSERT(took >= wait_ms - 10 && took < SLOW_MS,
		    "timed out after %lld ms, deadline %lld ms",
		    (long long)took, (long long)wait_ms);
	ASSERT_ACTIVE(fence);

	/* A deadline far ahead: returns when the job is done. */
	KTAP_ASSERT_OK(tlgpu_wait_bo_rel(n.fd, bo.handle, 0,
					 FENCE_TIMEOUT_MS * NS_PER_MS, &err));
	KTAP_ASSERT_EQ(err, 0);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fence), 1);
	ASSERT_U32(bo.map, PAGE, 0x77);
	return KTAP_PASS;
}

static enum ktap_result test_wait_bo_past_deadline(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int64_t start;
	int fence;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, 0, &bo, W, SLOW_MS, 0x66, &fence));
	start = tlgpu_now_ns();
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, bo.handle, 0, 1, NULL), -ETIME);
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, bo.handle, 0,
				      start - 1000 * NS_PER_MS, NULL), -ETIME);
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, bo.handle, 0, -1, NULL), -ETIME);
	KTAP_ASSERT(test_elapsed_ms(start) < SLOW_MS / 2,
		    "past deadlines took %lld ms",
		    (long long)test_elapsed_ms(start));
	ASSERT_ACTIVE(fence);
	return KTAP_PASS;
}

/* With only a reader busy: WAIT_WRITERS passes, a full wait does not. */
static enum ktap_result test_wait_bo_writers(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo[2];
	int32_t err = 1;
	int fr, fw;

	CHECK(setup(&n, bo, 2));
	KTAP_ASSERT_OK(copy_job(n.fd, 0, 0, &bo[1], &bo[0], SLOW_MS, &fr));
	KTAP_ASSERT_OK(tlgpu_wait_bo(n.fd, bo[0].handle,
				     DRM_TLGPU_WAIT_WRITERS, 0, &err));
	KTAP_ASSERT_EQ(err, 0);
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, bo[0].handle, 0, 0, NULL), -ETIME);
	/* bo[1] is written by it: busy for both. */
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, bo[1].handle,
				      DRM_TLGPU_WAIT_WRITERS, 0, NULL), -ETIME);
	ASSERT_ACTIVE(fr);
	ASSERT_SIGNALLED(fr);
	KTAP_ASSERT_OK(tlgpu_wait_bo(n.fd, bo[0].handle, 0, 0, NULL));

	/* A writer, then: WAIT_WRITERS waits for it. */
	KTAP_ASSERT_OK(slow_fill(n.fd, 1, 0, &bo[0], W, SLOW_MS, 5, &fw));
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, bo[0].handle,
				      DRM_TLGPU_WAIT_WRITERS, 0, NULL), -ETIME);
	KTAP_ASSERT_OK(tlgpu_wait_bo_rel(n.fd, bo[0].handle,
					 DRM_TLGPU_WAIT_WRITERS,
					 FENCE_TIMEOUT_MS * NS_PER_MS, &err));
	KTAP_ASSERT_EQ(err, 0);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fw), 1);
	return KTAP_PASS;
}

/* Both files of the device see the buffer's fences (shared by PRIME). */
static enum ktap_result test_wait_bo_other_file(void)
{
	struct tlgpu_node a, b;
	struct tlgpu_bo bo, imported;
	int dmabuf, fence;

	TEST_OPEN(0, &a);
	TEST_OPEN(0, &b);
	TEST_BO(a.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_bo_import(b.fd, dmabuf, &imported));
	KTAP_ASSERT_OK(slow_fill(a.fd, 0, 0, &bo, W, SLOW_MS, 0x44, &fence));
	KTAP_ASSERT_RET(tlgpu_wait_bo(b.fd, imported.handle, 0, 0, NULL),
			-ETIME);
	KTAP_ASSERT_OK(tlgpu_wait_bo_rel(b.fd, imported.handle, 0,
					 FENCE_TIMEOUT_MS * NS_PER_MS, NULL));
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fence), 1);
	KTAP_ASSERT_OK(tlgpu_bo_map(&imported));
	ASSERT_U32(imported.map, PAGE, 0x44);
	return KTAP_PASS;
}

static enum ktap_result test_bad_wait_bo_handle(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, 0, 0, 0, NULL), -ENOENT);
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, 0x4444, 0, 0, NULL), -ENOENT);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_gem_close(n.fd, bo.handle));
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, bo.handle, 0, 0, NULL), -ENOENT);
	return KTAP_PASS;
}

static enum ktap_result test_bad_wait_bo_flags(void)
{
	static const uint32_t flags[] = { 1u << 1, 1u << 31,
					  DRM_TLGPU_WAIT_WRITERS | 1u << 5 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	unsigned int i;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	for (i = 0; i < ARRAY_SIZE(flags); i++)
		KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, bo.handle, flags[i], 0,
					      NULL), -EINVAL);
	KTAP_ASSERT_OK(tlgpu_wait_bo(n.fd, bo.handle, 0, 0, NULL));
	return KTAP_PASS;
}

static enum ktap_result test_bad_wait_bo_pad(void)
{
	struct drm_tlgpu_wait_bo args = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	args.handle = bo.handle;
	args.pad = 1;
	KTAP_ASSERT_RET(tlgpu_ioctl(n.fd, DRM_IOCTL_TLGPU_WAIT_BO, &args),
			-EINVAL);
	args.pad = 0;
	KTAP_ASSERT_OK(tlgpu_ioctl(n.fd, DRM_IOCTL_TLGPU_WAIT_BO, &args));
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	{ .name = "read-waits-write", .run = test_read_waits_write },
	{ .name = "write-waits-write", .run = test_write_waits_write },
	{ .name = "write-waits-read", .run = test_write_waits_read },
	{ .name = "readers-concurrent", .run = test_readers_concurrent },
	{ .name = "no-implicit-no-wait", .run = test_no_implicit_no_wait },
	{ .name = "no-implicit-no-fence", .run = test_no_implicit_no_fence },
	{ .name = "unlisted-no-fence", .run = test_unlisted_no_fence },
	{ .name = "wait-bo-idle", .run = test_wait_bo_idle },
	{ .name = "wait-bo-busy", .run = test_wait_bo_busy },
	{ .name = "wait-bo-past-deadline", .run = test_wait_bo_past_deadline },
	{ .name = "wait-bo-writers", .run = test_wait_bo_writers },
	{ .name = "wait-bo-other-file", .run = test_wait_bo_other_file },
	{ .name = "bad-wait-bo-handle", .run = test_bad_wait_bo_handle },
	{ .name = "bad-wait-bo-flags", .run = test_bad_wait_bo_flags },
	{ .name = "bad-wait-bo-pad", .run = test_bad_wait_bo_pad },
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
