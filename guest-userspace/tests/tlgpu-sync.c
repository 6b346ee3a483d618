/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-sync: explicit synchronization.  Binary syncobjs and timeline
 * points signalled by jobs and waited for by jobs of other timelines and
 * devices; the syncobj ioctls (wait, WAIT_AVAILABLE, query, signal,
 * transfer, sync_file export and import) on the fences jobs put there;
 * sync_files out of and into jobs, merged ones included; syncobj eventfds
 * (6.6) and timeline points exported as and imported from sync files by
 * the kernel (6.15), on jobs, across devices and with vgem.
 *
 * Every ordering case uses NO_IMPLICIT and no buffer list, so that only
 * the explicit dependency can order the jobs, and checks both the data
 * the waiting job saw and the fence states.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <xf86drm.h>

#include "common.h"

#define PATTERN		0x5ca1ab1e

/* A job of @cb on @timeline with explicit syncs and no implicit ones. */
static int submit(int fd, uint32_t timeline, const struct tlgpu_cmdbuf *cb,
		  const struct drm_tlgpu_sync *in, uint32_t nin,
		  const struct drm_tlgpu_sync *out, uint32_t nout,
		  int in_fence, int *fence)
{
	struct tlgpu_job job = {
		.timeline = timeline,
		.flags = DRM_TLGPU_SUBMIT_NO_IMPLICIT |
			 DRM_TLGPU_SUBMIT_FENCE_OUT,
		.in_syncs = in,
		.in_sync_count = nin,
		.out_syncs = out,
		.out_sync_count = nout,
		.in_fence_fd = in_fence,
	};

	if (in_fence >= 0)
		job.flags |= DRM_TLGPU_SUBMIT_FENCE_IN;
	return tlgpu_submit_cmdbuf(fd, &job, cb, fence, NULL);
}

/* A slow job: DELAY @ms, then FILL the first page of @bo with @pattern. */
static int slow_fill(int fd, uint32_t timeline, const struct tlgpu_bo *bo,
		     unsigned int ms, uint32_t pattern,
		     const struct drm_tlgpu_sync *out, uint32_t nout,
		     int *fence)
{
	struct tlgpu_cmdbuf cb = { 0 };
	int ret;

	tlgpu_cmd_delay(&cb, ms * MS);
	tlgpu_cmd_fill(&cb, bo->gpu_va, PAGE, pattern);
	ret = submit(fd, timeline, &cb, NULL, 0, out, nout, -1, fence);
	tlgpu_cmdbuf_fini(&cb);
	return ret;
}

/* A fast job: COPY the first page of @src to @dst, after the in syncs. */
static int fast_copy(int fd, uint32_t timeline, const struct tlgpu_bo *dst,
		     const struct tlgpu_bo *src,
		     const struct drm_tlgpu_sync *in, uint32_t nin,
		     const struct drm_tlgpu_sync *out, uint32_t nout,
		     int in_fence, int *fence)
{
	struct tlgpu_cmdbuf cb = { 0 };
	int ret;

	tlgpu_cmd_copy(&cb, dst->gpu_va, src->gpu_va, PAGE);
	ret = submit(fd, timeline, &cb, in, nin, out, nout, in_fence, fence);
	tlgpu_cmdbuf_fini(&cb);
	return ret;
}

/* A deadline @ms from now; 0 stays 0, which only tests. */
static int64_t deadline(int64_t ms)
{
	return ms ? tlgpu_abs_timeout(ms * NS_PER_MS) : 0;
}

/* drmSyncobjTimelineWait() for one point, up to @ms. */
static int wait_point(int fd, uint32_t handle, uint64_t point, int64_t ms,
		      uint32_t flags)
{
	return tlgpu_syncobj_timeline_wait(fd, &handle, &point, 1,
					   deadline(ms), flags, NULL);
}

/* Timeline @i of the device, wrapping when it has fewer. */
static uint32_t tl(int fd, uint32_t i)
{
	uint64_t n = 1;

	tlgpu_get_param(fd, DRM_TLGPU_PARAM_NUM_TIMELINES, &n);
	return i % n;
}

/* ------------------------------------------------------------------ */
/* Binary syncobjs                                                     */
/* ------------------------------------------------------------------ */

static enum ktap_result test_binary_out(void)
{
	struct drm_tlgpu_sync out = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int fence, sync_fd;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &out.handle));
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &bo, 300, PATTERN, &out, 1, &fence));

	/* Installed at once, signalled with the job. */
	KTAP_ASSERT_RET(tlgpu_syncobj_wait(n.fd, &out.handle, 1, 0, 0, NULL),
			-ETIME);
	KTAP_ASSERT_OK(tlgpu_syncobj_wait(n.fd, &out.handle, 1,
					  deadline(FENCE_TIMEOUT_MS), 0, NULL));
	ASSERT_U32(bo.map, PAGE, PATTERN);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fence), 1);
	KTAP_ASSERT_OK(tlgpu_syncobj_export_sync_file(n.fd, out.handle, 0,
						      &sync_fd));
	ASSERT_SIGNALLED(sync_fd);
	return KTAP_PASS;
}

static enum ktap_result test_binary_in_cross_timeline(void)
{
	struct drm_tlgpu_sync s = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo a, b;
	int f1, f2;

	TEST_OPEN(0, &n);
	CHECK(test_need_timelines(n.fd, 2));
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &s.handle));
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &a, SLOW_MS, PATTERN, &s, 1, &f1));
	KTAP_ASSERT_OK(fast_copy(n.fd, 1, &b, &a, &s, 1, NULL, 0, -1, &f2));
	ASSERT_ACTIVE(f1);
	ASSERT_ACTIVE(f2);
	ASSERT_SIGNALLED(f2);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	ASSERT_U32(b.map, PAGE, PATTERN);
	return KTAP_PASS;
}

/* A job's out syncobj replaces the fence a binary syncobj held. */
static enum ktap_result test_binary_replace(void)
{
	struct tlgpu_cmdbuf fast = { 0 };
	struct drm_tlgpu_sync s = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo a;
	int f1, f2;

	TEST_OPEN(0, &n);
	CHECK(test_need_timelines(n.fd, 2));
	TEST_BO(n.fd, PAGE, &a);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &s.handle));
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &a, SLOW_MS, PATTERN, &s, 1, &f1));
	KTAP_ASSERT_OK(tlgpu_cmd_nop(&fast, 2));
	KTAP_ASSERT_OK(submit(n.fd, 1, &fast, NULL, 0, &s, 1, -1, &f2));

	KTAP_ASSERT_OK(tlgpu_syncobj_wait(n.fd, &s.handle, 1,
					  deadline(FENCE_TIMEOUT_MS), 0, NULL));
	/* Done waiting while the first job still runs: it was replaced. */
	ASSERT_ACTIVE(f1);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f2), 1);
	ASSERT_SIGNALLED(f1);
	return KTAP_PASS;
}

static enum ktap_result test_binary_in_signalled(void)
{
	struct drm_tlgpu_sync s = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo a, b;
	int fence;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	memset(a.map, 0x42, PAGE);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, DRM_SYNCOBJ_CREATE_SIGNALED,
					    &s.handle));
	KTAP_ASSERT_OK(fast_copy(n.fd, 0, &b, &a, &s, 1, NULL, 0, -1, &fence));
	ASSERT_SIGNALLED(fence);
	ASSERT_U32(b.map, PAGE, 0x42424242);
	return KTAP_PASS;
}

/* A job waits for two syncobjs of two timelines and signals two. */
static enum ktap_result test_multi_in_out(void)
{
	struct drm_tlgpu_sync in[2] = { { 0 }, { 0 } }, out[2] = { { 0 }, { 0 } };
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo a, b, c;
	uint32_t handles[2];
	uint64_t points[2];
	int f1, f2, f3;

	TEST_OPEN(0, &n);
	CHECK(test_need_timelines(n.fd, 3));
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	TEST_BO(n.fd, 2 * PAGE, &c);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &in[0].handle));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &in[1].handle));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &out[0].handle));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &out[1].handle));
	out[1].point = 7;

	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &a, SLOW_MS, 0xaaaa5555, &in[0], 1,
				 &f1));
	KTAP_ASSERT_OK(slow_fill(n.fd, 1, &b, SLOW_MS / 2, 0xbbbb6666, &in[1],
				 1, &f2));
	KTAP_ASSERT_OK(tlgpu_cmd_copy(&cb, c.gpu_va, a.gpu_va, PAGE));
	KTAP_ASSERT_OK(tlgpu_cmd_copy(&cb, c.gpu_va + PAGE, b.gpu_va, PAGE));
	KTAP_ASSERT_OK(submit(n.fd, 2, &cb, in, 2, out, 2, -1, &f3));
	ASSERT_ACTIVE(f3);

	handles[0] = out[0].handle;
	handles[1] = out[1].handle;
	points[0] = 0;
	points[1] = 7;
	KTAP_ASSERT_OK(tlgpu_syncobj_timeline_wait(n.fd, handles, points, 2,
						   deadline(FENCE_TIMEOUT_MS),
						   DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL,
						   NULL));
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f2), 1);
	ASSERT_SIGNALLED(f3);
	ASSERT_U32(c.map, PAGE, 0xaaaa5555);
	ASSERT_U32(bo_ptr(&c, PAGE), PAGE, 0xbbbb6666);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Timeline syncobjs                                                   */
/* ------------------------------------------------------------------ */

/* Point 1 on timeline 0, 2 on timeline 1, 3 on timeline 2: a chain. */
static enum ktap_result test_timeline_chain(void)
{
	struct drm_tlgpu_sync p1, p2, p3;
	struct tlgpu_node n;
	struct tlgpu_bo x, y, z;
	uint32_t h;
	uint64_t point = 3, value;
	int f1, f2, f3;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &x);
	TEST_BO(n.fd, PAGE, &y);
	TEST_BO(n.fd, PAGE, &z);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &h));
	p1 = (struct drm_tlgpu_sync){ .handle = h, .point = 1 };
	p2 = (struct drm_tlgpu_sync){ .handle = h, .point = 2 };
	p3 = (struct drm_tlgpu_sync){ .handle = h, .point = 3 };

	KTAP_ASSERT_OK(slow_fill(n.fd, tl(n.fd, 0), &x, SLOW_MS, PATTERN, &p1,
				 1, &f1));
	KTAP_ASSERT_OK(fast_copy(n.fd, tl(n.fd, 1), &y, &x, &p1, 1, &p2, 1,
				 -1, &f2));
	KTAP_ASSERT_OK(fast_copy(n.fd, tl(n.fd, 2), &z, &y, &p2, 1, &p3, 1,
				 -1, &f3));
	ASSERT_ACTIVE(f3);
	KTAP_ASSERT_OK(tlgpu_syncobj_query(n.fd, h, 0, &value));
	KTAP_ASSERT_EQ(value, 0);

	KTAP_ASSERT_OK(wait_point(n.fd, h, point, FENCE_TIMEOUT_MS, 0));
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f2), 1);
	ASSERT_SIGNALLED(f3);
	KTAP_ASSERT_OK(tlgpu_syncobj_query(n.fd, h, 0, &value));
	KTAP_ASSERT_EQ(value, 3);
	ASSERT_U32(z.map, PAGE, PATTERN);
	return KTAP_PASS;
}

static enum ktap_result test_timeline_wait_available(void)
{
	struct drm_tlgpu_sync p1;
	struct tlgpu_node n;
	struct tlgpu_bo x;
	uint32_t h;
	uint64_t point;
	uint32_t flags;
	int64_t start;
	int fence;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &x);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &h));
	p1 = (struct drm_tlgpu_sync){ .handle = h, .point = 1 };

	/* No fence at point 1 yet: WAIT_FOR_SUBMIT waits, and times out. */
	point = 1;
	flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
		DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE;
	KTAP_ASSERT_RET(wait_point(n.fd, h, point, 50, flags), -ETIME);

	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &x, SLOW_MS, PATTERN, &p1, 1,
				 &fence));
	/* Available at once (the job is submitted), not yet signalled. */
	start = tlgpu_now_ns();
	KTAP_ASSERT_OK(wait_point(n.fd, h, point, FENCE_TIMEOUT_MS,
				  DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE));
	KTAP_ASSERT(test_elapsed_ms(start) < SLOW_MS,
		    "WAIT_AVAILABLE took %lld ms",
		    (long long)test_elapsed_ms(start));
	ASSERT_ACTIVE(fence);
	KTAP_ASSERT_RET(wait_point(n.fd, h, point, 0, 0), -ETIME);

	KTAP_ASSERT_OK(wait_point(n.fd, h, point, FENCE_TIMEOUT_MS, 0));
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fence), 1);
	ASSERT_U32(x.map, PAGE, PATTERN);
	return KTAP_PASS;
}

static enum ktap_result test_timeline_query(void)
{
	struct drm_tlgpu_sync p = { .point = 5 };
	struct tlgpu_node n;
	struct tlgpu_bo x;
	uint64_t value;
	int fence;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &x);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &p.handle));
	KTAP_ASSERT_OK(tlgpu_syncobj_timeline_signal(n.fd, p.handle, 2));
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &x, 300, PATTERN, &p, 1, &fence));

	KTAP_ASSERT_OK(tlgpu_syncobj_query(n.fd, p.handle,
					   DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED,
					   &value));
	KTAP_ASSERT_EQ(value, 5);
	KTAP_ASSERT_OK(tlgpu_syncobj_query(n.fd, p.handle, 0, &value));
	KTAP_ASSERT_EQ(value, 2);
	ASSERT_ACTIVE(fence);

	ASSERT_SIGNALLED(fence);
	KTAP_ASSERT_OK(tlgpu_syncobj_query(n.fd, p.handle, 0, &value));
	KTAP_ASSERT_EQ(value, 5);
	return KTAP_PASS;
}

/* Points a CPU signal reached: jobs waiting for them, or lower ones, run. */
static enum ktap_result test_timeline_host_signal(void)
{
	struct drm_tlgpu_sync in3, in5;
	struct tlgpu_node n;
	struct tlgpu_bo a, b, c;
	uint32_t h;
	int f1, f2;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	TEST_BO(n.fd, PAGE, &c);
	memset(a.map, 0x77, PAGE);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &h));
	KTAP_ASSERT_OK(tlgpu_syncobj_timeline_signal(n.fd, h, 5));
	in3 = (struct drm_tlgpu_sync){ .handle = h, .point = 3 };
	in5 = (struct drm_tlgpu_sync){ .handle = h, .point = 5 };
	KTAP_ASSERT_OK(fast_copy(n.fd, 0, &b, &a, &in3, 1, NULL, 0, -1, &f1));
	KTAP_ASSERT_OK(fast_copy(n.fd, tl(n.fd, 1), &c, &a, &in5, 1, NULL, 0,
				 -1, &f2));
	ASSERT_SIGNALLED(f1);
	ASSERT_SIGNALLED(f2);
	ASSERT_U32(b.map, PAGE, 0x77777777);
	ASSERT_U32(c.map, PAGE, 0x77777777);
	return KTAP_PASS;
}

/*
 * Point 1 by a slow job, point 2 by a fast one on another timeline:
 * point 2 signals only once point 1 has, and so does a job waiting for it.
 */
static enum ktap_result test_timeline_signal_order(void)
{
	struct drm_tlgpu_sync p1, p2;
	struct tlgpu_cmdbuf fast = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo a, b, c;
	uint32_t h;
	uint64_t point = 2;
	int f1, f2, f3;

	TEST_OPEN(0, &n);
	CHECK(test_need_timelines(n.fd, 3));
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	TEST_BO(n.fd, PAGE, &c);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &h));
	p1 = (struct drm_tlgpu_sync){ .handle = h, .point = 1 };
	p2 = (struct drm_tlgpu_sync){ .handle = h, .point = 2 };

	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &a, SLOW_MS, PATTERN, &p1, 1, &f1));
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&fast, b.gpu_va, PAGE, 0x2222));
	KTAP_ASSERT_OK(submit(n.fd, 1, &fast, NULL, 0, &p2, 1, -1, &f2));
	KTAP_ASSERT_OK(fast_copy(n.fd, 2, &c, &a, &p2, 1, NULL, 0, -1, &f3));

	ASSERT_SIGNALLED(f2);
	ASSERT_U32(b.map, PAGE, 0x2222);
	/* The job of point 2 is done, point 2 is not: point 1 is pending. */
	ASSERT_ACTIVE(f1);
	KTAP_ASSERT_RET(wait_point(n.fd, h, point, 0, 0), -ETIME);
	ASSERT_ACTIVE(f3);

	KTAP_ASSERT_OK(wait_point(n.fd, h, point, FENCE_TIMEOUT_MS, 0));
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	ASSERT_SIGNALLED(f3);
	ASSERT_U32(c.map, PAGE, PATTERN);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* sync_files                                                          */
/* ------------------------------------------------------------------ */

static enum ktap_result test_sync_file_out_in(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo a, b;
	int f1, f2;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &a, SLOW_MS, PATTERN, NULL, 0, &f1));
	KTAP_ASSERT_OK(fast_copy(n.fd, tl(n.fd, 1), &b, &a, NULL, 0, NULL, 0,
				 f1, &f2));
	ASSERT_ACTIVE(f1);
	ASSERT_ACTIVE(f2);
	ASSERT_SIGNALLED(f2);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	ASSERT_U32(b.map, PAGE, PATTERN);
	return KTAP_PASS;
}

static enum ktap_result test_sync_file_signalled_in(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo a, b;
	int f1, f2;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, a.gpu_va, PAGE, PATTERN));
	KTAP_ASSERT_OK(submit(n.fd, 0, &cb, NULL, 0, NULL, 0, -1, &f1));
	ASSERT_SIGNALLED(f1);
	/* Waiting for a signalled fence, twice (the fd stays usable). */
	KTAP_ASSERT_OK(fast_copy(n.fd, tl(n.fd, 1), &b, &a, NULL, 0, NULL, 0,
				 f1, &f2));
	ASSERT_SIGNALLED(f2);
	KTAP_ASSERT_OK(fast_copy(n.fd, 0, &b, &a, NULL, 0, NULL, 0, f1, &f2));
	ASSERT_SIGNALLED(f2);
	ASSERT_U32(b.map, PAGE, PATTERN);
	return KTAP_PASS;
}

static enum ktap_result test_sync_file_merge(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo a, b, c;
	int f1, f2, merged, f3;

	TEST_OPEN(0, &n);
	CHECK(test_need_timelines(n.fd, 3));
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	TEST_BO(n.fd, 2 * PAGE, &c);
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &a, SLOW_MS / 2, 0x1111, NULL, 0,
				 &f1));
	KTAP_ASSERT_OK(slow_fill(n.fd, 1, &b, SLOW_MS, 0x2222, NULL, 0, &f2));
	merged = tlgpu_sync_file_merge(f1, f2, "tlgpu-test");
	KTAP_ASSERT(merged >= 0, "SYNC_IOC_MERGE: %s", strerror(-merged));
	KTAP_ASSERT_EQ(tlgpu_sync_file_fences(merged), 2);
	ASSERT_ACTIVE(merged);

	KTAP_ASSERT_OK(tlgpu_cmd_copy(&cb, c.gpu_va, a.gpu_va, PAGE));
	KTAP_ASSERT_OK(tlgpu_cmd_copy(&cb, c.gpu_va + PAGE, b.gpu_va, PAGE));
	KTAP_ASSERT_OK(submit(n.fd, 2, &cb, NULL, 0, NULL, 0, merged, &f3));

	ASSERT_SIGNALLED(f1);
	/* One of the two is done; the merged fence and the job wait on. */
	ASSERT_ACTIVE(f2);
	ASSERT_ACTIVE(merged);
	ASSERT_ACTIVE(f3);
	ASSERT_SIGNALLED(f3);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f2), 1);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(merged), 1);
	ASSERT_U32(c.map, PAGE, 0x1111);
	ASSERT_U32(bo_ptr(&c, PAGE), PAGE, 0x2222);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Syncobj transfer, export and import                                 */
/* ------------------------------------------------------------------ */

static enum ktap_result test_syncobj_transfer(void)
{
	struct drm_tlgpu_sync s = { 0 }, t1, u = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo a, b, c;
	uint32_t t;
	int f1, f2, f3;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	TEST_BO(n.fd, PAGE, &c);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &s.handle));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &t));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &u.handle));
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &a, SLOW_MS, PATTERN, &s, 1, &f1));

	/* Binary s -> point 1 of t -> binary u. */
	KTAP_ASSERT_OK(tlgpu_syncobj_transfer(n.fd, t, 1, s.handle, 0, 0));
	KTAP_ASSERT_OK(tlgpu_syncobj_transfer(n.fd, u.handle, 0, t, 1, 0));
	t1 = (struct drm_tlgpu_sync){ .handle = t, .point = 1 };
	KTAP_ASSERT_OK(fast_copy(n.fd, tl(n.fd, 1), &b, &a, &t1, 1, NULL, 0,
				 -1, &f2));
	KTAP_ASSERT_OK(fast_copy(n.fd, tl(n.fd, 2), &c, &a, &u, 1, NULL, 0,
				 -1, &f3));
	ASSERT_ACTIVE(f2);
	ASSERT_ACTIVE(f3);
	ASSERT_SIGNALLED(f2);
	ASSERT_SIGNALLED(f3);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	ASSERT_U32(b.map, PAGE, PATTERN);
	ASSERT_U32(c.map, PAGE, PATTERN);
	return KTAP_PASS;
}

static enum ktap_result test_syncobj_sync_file(void)
{
	struct drm_tlgpu_sync s = { 0 }, v = { 0 }, w;
	struct tlgpu_node n;
	struct tlgpu_bo a, b, c;
	int f1, f2, f3, exported, exported_pt;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	TEST_BO(n.fd, PAGE, &c);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &s.handle));
	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &a, SLOW_MS, PATTERN, &s, 1, &f1));

	/* Export: a sync_file that follows the job's fence. */
	KTAP_ASSERT_OK(tlgpu_syncobj_export_sync_file(n.fd, s.handle, 0,
						      &exported));
	ASSERT_ACTIVE(exported);

	/* Import the job's out fence into a binary syncobj and a point. */
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &v.handle));
	KTAP_ASSERT_OK(tlgpu_syncobj_import_sync_file(n.fd, v.handle, 0, f1));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &w.handle));
	w.point = 4;
	KTAP_ASSERT_OK(tlgpu_syncobj_import_sync_file(n.fd, w.handle, 4,
						      exported));
	KTAP_ASSERT_OK(tlgpu_syncobj_export_sync_file(n.fd, w.handle, 4,
						      &exported_pt));
	ASSERT_ACTIVE(exported_pt);

	KTAP_ASSERT_OK(fast_copy(n.fd, tl(n.fd, 1), &b, &a, &v, 1, NULL, 0,
				 -1, &f2));
	KTAP_ASSERT_OK(fast_copy(n.fd, tl(n.fd, 2), &c, &a, &w, 1, NULL, 0,
				 -1, &f3));
	ASSERT_ACTIVE(f2);
	ASSERT_ACTIVE(f3);
	ASSERT_SIGNALLED(exported);
	ASSERT_SIGNALLED(exported_pt);
	ASSERT_SIGNALLED(f2);
	ASSERT_SIGNALLED(f3);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	ASSERT_U32(b.map, PAGE, PATTERN);
	ASSERT_U32(c.map, PAGE, PATTERN);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Across devices                                                      */
/* ------------------------------------------------------------------ */

static enum ktap_result test_sync_file_cross_device(void)
{
	struct tlgpu_node n0, n1;
	struct tlgpu_bo a, b;
	int f1, f2;

	TEST_OPEN(0, &n0);
	TEST_OPEN(1, &n1);
	TEST_BO(n0.fd, PAGE, &a);
	TEST_BO(n1.fd, PAGE, &b);
	KTAP_ASSERT_OK(slow_fill(n0.fd, 0, &a, SLOW_MS, PATTERN, NULL, 0,
				 &f1));
	/* Device 1 stores a marker once device 0's job is done. */
	struct tlgpu_cmdbuf cb = { 0 };
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, b.gpu_va, 0xd1));
	KTAP_ASSERT_OK(submit(n1.fd, 0, &cb, NULL, 0, NULL, 0, f1, &f2));
	ASSERT_ACTIVE(f2);
	KTAP_ASSERT_EQ(*(uint64_t *)b.map, 0);
	ASSERT_SIGNALLED(f2);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	ASSERT_U32(a.map, PAGE, PATTERN);
	KTAP_ASSERT_EQ(*(uint64_t *)b.map, 0xd1);
	return KTAP_PASS;
}

/* A syncobj of device 0, shared as an fd, is a dependency on device 1. */
static enum ktap_result test_syncobj_cross_device(void)
{
	struct drm_tlgpu_sync s0 = { 0 }, s1 = { .point = 0 };
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n0, n1;
	struct tlgpu_bo a, b;
	int f1, f2, obj_fd;

	TEST_OPEN(0, &n0);
	TEST_OPEN(1, &n1);
	TEST_BO(n0.fd, PAGE, &a);
	TEST_BO(n1.fd, PAGE, &b);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n0.fd, 0, &s0.handle));
	KTAP_ASSERT_OK(slow_fill(n0.fd, 0, &a, SLOW_MS, PATTERN, &s0, 1,
				 &f1));
	KTAP_ASSERT(!drmSyncobjHandleToFD(n0.fd, s0.handle, &obj_fd),
		    "syncobj handle to fd: %s", strerror(errno));
	KTAP_ASSERT(!drmSyncobjFDToHandle(n1.fd, obj_fd, &s1.handle),
		    "syncobj fd to handle: %s", strerror(errno));

	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, b.gpu_va, 0xd2));
	KTAP_ASSERT_OK(submit(n1.fd, 0, &cb, &s1, 1, NULL, 0, -1, &f2));
	ASSERT_ACTIVE(f2);
	ASSERT_SIGNALLED(f2);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	KTAP_ASSERT_EQ(*(uint64_t *)b.map, 0xd2);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Syncobj eventfd (6.6), timeline points as sync files (6.15)         */
/* ------------------------------------------------------------------ */

/*
 * Skips unless the driver caps have @cap (the kernel has the feature);
 * meanwhile the kernel must refuse @refused (a call of the feature) with
 * -EINVAL, as it does an ioctl or flag it does not know.
 */
#define NEED_CAP(fd, cap, refused, why)					\
	do {								\
		uint64_t caps_ = 0;					\
									\
		KTAP_ASSERT_OK(tlgpu_get_param(fd, DRM_TLGPU_PARAM_DRIVER_CAPS, \
					       &caps_));		\
		if (!(caps_ & (cap))) {					\
			KTAP_ASSERT_RET(refused, -EINVAL);		\
			return ktap_skip("%s (driver caps %#llx)", why,	\
					 (unsigned long long)caps_);	\
		}							\
	} while (0)

/* An eventfd's count, read (1 when signalled once), 0 if none, or -errno. */
static int64_t eventfd_count(int efd, int wait_ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, wait_ms) < 0)
		return -errno;
	if (read(efd, &v, sizeof(v)) == sizeof(v))
		return v;
	return errno == EAGAIN ? 0 : -errno;
}

static enum ktap_result new_eventfd(int *efd)
{
	*efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	KTAP_ASSERT(*efd >= 0, "eventfd: %s", strerror(errno));
	return KTAP_PASS;
}
#define NEW_EVENTFD(efd)	CHECK(new_eventfd(efd))

/*
 * A binary syncobj that a job signals: an eventfd asked for the fence's
 * availability fires when SUBMIT installs it, one asked for its signal
 * only when the job is done (never while its fence is pending), each
 * once; one registered on the signalled syncobj fires at once.
 */
static enum ktap_result test_syncobj_eventfd_binary(void)
{
	struct drm_tlgpu_sync out = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int avail, sig, late, fence;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &out.handle));
	NEW_EVENTFD(&avail);
	NEW_EVENTFD(&sig);
	NEED_CAP(n.fd, DRM_TLGPU_DRIVER_CAP_SYNCOBJ_EVENTFD,
		 tlgpu_syncobj_eventfd(n.fd, out.handle, 0, sig, 0),
		 "no DRM_IOCTL_SYNCOBJ_EVENTFD before Linux 6.6");

	KTAP_ASSERT_OK(tlgpu_syncobj_eventfd(n.fd, out.handle, 0, avail,
					     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE));
	KTAP_ASSERT_OK(tlgpu_syncobj_eventfd(n.fd, out.handle, 0, sig, 0));
	KTAP_ASSERT_EQ(eventfd_count(avail, 0), 0);
	KTAP_ASSERT_EQ(eventfd_count(sig, 0), 0);

	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &bo, SLOW_MS, PATTERN, &out, 1, &fence));
	/* SUBMIT installed the fence: available at once, not signalled. */
	KTAP_ASSERT_EQ(eventfd_count(avail, 0), 1);
	KTAP_ASSERT_EQ(eventfd_count(sig, 0), 0);
	ASSERT_ACTIVE(fence);

	KTAP_ASSERT_EQ(eventfd_count(sig, FENCE_TIMEOUT_MS), 1);
	/* Never before the job's fence. */
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fence), 1);
	ASSERT_U32(bo.map, PAGE, PATTERN);
	/* Each fires once. */
	KTAP_ASSERT_EQ(eventfd_count(avail, 100), 0);
	KTAP_ASSERT_EQ(eventfd_count(sig, 0), 0);

	NEW_EVENTFD(&late);
	KTAP_ASSERT_OK(tlgpu_syncobj_eventfd(n.fd, out.handle, 0, late, 0));
	KTAP_ASSERT_EQ(eventfd_count(late, 0), 1);
	close(late);
	close(sig);
	close(avail);
	close(fence);
	return KTAP_PASS;
}

/*
 * Timeline points: point 2's availability fires when the job signalling
 * point 2 is submitted (not for point 1's), point 1's signal when its job
 * is done, point 2's when its job is done, after point 1's; an eventfd
 * for a point already signalled fires at once.
 */
static enum ktap_result test_syncobj_eventfd_timeline(void)
{
	struct drm_tlgpu_sync p1 = { 0 }, p2;
	struct tlgpu_node n;
	struct tlgpu_bo a, b;
	int avail2, sig1, sig2, late, f1, f2;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &a);
	TEST_BO(n.fd, PAGE, &b);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &p1.handle));
	p1.point = 1;
	p2 = p1;
	p2.point = 2;
	NEW_EVENTFD(&avail2);
	NEW_EVENTFD(&sig1);
	NEW_EVENTFD(&sig2);
	NEED_CAP(n.fd, DRM_TLGPU_DRIVER_CAP_SYNCOBJ_EVENTFD,
		 tlgpu_syncobj_eventfd(n.fd, p1.handle, 1, sig1, 0),
		 "no DRM_IOCTL_SYNCOBJ_EVENTFD before Linux 6.6");
	KTAP_ASSERT_OK(tlgpu_syncobj_eventfd(n.fd, p1.handle, 2, avail2,
					     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE));
	KTAP_ASSERT_OK(tlgpu_syncobj_eventfd(n.fd, p1.handle, 1, sig1, 0));
	KTAP_ASSERT_OK(tlgpu_syncobj_eventfd(n.fd, p1.handle, 2, sig2, 0));

	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &a, SLOW_MS, PATTERN, &p1, 1, &f1));
	KTAP_ASSERT_EQ(eventfd_count(avail2, 0), 0);
	KTAP_ASSERT_OK(slow_fill(n.fd, tl(n.fd, 1), &b, 2 * SLOW_MS, PATTERN + 1,
				 &p2, 1, &f2));
	KTAP_ASSERT_EQ(eventfd_count(avail2, 0), 1);
	ASSERT_ACTIVE(f2);
	KTAP_ASSERT_EQ(eventfd_count(sig2, 0), 0);

	KTAP_ASSERT_EQ(eventfd_count(sig1, FENCE_TIMEOUT_MS), 1);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	ASSERT_U32(a.map, PAGE, PATTERN);
	KTAP_ASSERT_EQ(eventfd_count(sig2, FENCE_TIMEOUT_MS), 1);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f2), 1);
	ASSERT_U32(b.map, PAGE, PATTERN + 1);

	NEW_EVENTFD(&late);
	KTAP_ASSERT_OK(tlgpu_syncobj_eventfd(n.fd, p1.handle, 1, late, 0));
	KTAP_ASSERT_EQ(eventfd_count(late, 0), 1);
	close(late);
	close(sig2);
	close(sig1);
	close(avail2);
	close(f1);
	close(f2);
	return KTAP_PASS;
}

/*
 * DRM_IOCTL_SYNCOBJ_EVENTFD's refusals, each leaving the syncobj as it
 * was: an unknown flag -EINVAL, an unknown handle -ENOENT, a closed fd
 * -EBADF, an fd that is no eventfd -EINVAL; a good call then works.
 */
static enum ktap_result test_bad_syncobj_eventfd(void)
{
	struct tlgpu_node n;
	uint32_t h;
	int efd, pipefd[2], closed;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &h));
	NEW_EVENTFD(&efd);
	NEED_CAP(n.fd, DRM_TLGPU_DRIVER_CAP_SYNCOBJ_EVENTFD,
		 tlgpu_syncobj_eventfd(n.fd, h, 0, efd, 0),
		 "no DRM_IOCTL_SYNCOBJ_EVENTFD before Linux 6.6");
	KTAP_ASSERT_RET(tlgpu_syncobj_eventfd(n.fd, h, 0, efd, 1u << 1), -EINVAL);
	KTAP_ASSERT_RET(tlgpu_syncobj_eventfd(n.fd, h, 0, efd, 1u << 31), -EINVAL);
	KTAP_ASSERT_RET(tlgpu_syncobj_eventfd(n.fd, h + 1000, 0, efd, 0), -ENOENT);
	closed = dup(efd);
	close(closed);
	KTAP_ASSERT_RET(tlgpu_syncobj_eventfd(n.fd, h, 0, closed, 0), -EBADF);
	KTAP_ASSERT(!pipe(pipefd), "pipe: %s", strerror(errno));
	KTAP_ASSERT_RET(tlgpu_syncobj_eventfd(n.fd, h, 0, pipefd[0], 0), -EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);

	KTAP_ASSERT_OK(tlgpu_syncobj_eventfd(n.fd, h, 0, efd, 0));
	KTAP_ASSERT_EQ(eventfd_count(efd, 0), 0);
	KTAP_ASSERT_OK(tlgpu_syncobj_signal(n.fd, h));
	KTAP_ASSERT_EQ(eventfd_count(efd, FENCE_TIMEOUT_MS), 1);
	close(efd);
	return KTAP_PASS;
}

/*
 * The kernel's timeline point export and import (6.15): point 3, set by a
 * job, as a sync file that follows the job's fence (the same fence: same
 * timestamp); a point without a fence -EINVAL; the job's sync file added
 * at point 7 of another syncobj, waited for there; an fd that is no sync
 * file -EINVAL, an unknown handle -ENOENT.  libtlgpu's emulation through
 * a binary syncobj (older kernels) gives the same fence.
 */
static enum ktap_result test_timeline_point_sync_file(void)
{
	struct drm_tlgpu_sync p3 = { .point = 3 };
	struct tlgpu_node n;
	struct tlgpu_bo a;
	int64_t t_job, t_exp, t_emu;
	int fence, exported, emulated, err, pipefd[2];
	uint32_t other;
	uint64_t point = 0;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &a);
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &p3.handle));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &other));
	NEED_CAP(n.fd, DRM_TLGPU_DRIVER_CAP_SYNCOBJ_POINT_SYNC_FILE,
		 tlgpu_syncobj_export_point(n.fd, p3.handle, 3, &exported),
		 "no timeline points in SYNCOBJ_HANDLE_TO_FD before Linux 6.15");

	KTAP_ASSERT_OK(slow_fill(n.fd, 0, &a, SLOW_MS, PATTERN, &p3, 1, &fence));
	KTAP_ASSERT_OK(tlgpu_syncobj_export_point(n.fd, p3.handle, 3, &exported));
	KTAP_ASSERT_OK(tlgpu_syncobj_export_sync_file(n.fd, p3.handle, 3,
						      &emulated));
	KTAP_ASSERT_RET(tlgpu_syncobj_export_point(n.fd, p3.handle, 5, &err),
			-EINVAL);
	KTAP_ASSERT_RET(tlgpu_syncobj_export_point(n.fd, other + 1000, 3, &err),
			-ENOENT);

	KTAP_ASSERT_OK(tlgpu_syncobj_import_point(n.fd, other, 7, fence));
	KTAP_ASSERT_RET(wait_point(n.fd, other, 7, 0, 0), -ETIME);
	KTAP_ASSERT(!pipe(pipefd), "pipe: %s", strerror(errno));
	KTAP_ASSERT_RET(tlgpu_syncobj_import_point(n.fd, other, 8, pipefd[0]),
			-EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);
	KTAP_ASSERT_RET(tlgpu_syncobj_import_point(n.fd, other + 1000, 8, fence),
			-ENOENT);
	ASSERT_ACTIVE(exported);

	KTAP_ASSERT_OK(wait_point(n.fd, other, 7, FENCE_TIMEOUT_MS, 0));
	KTAP_ASSERT_OK(tlgpu_syncobj_query(n.fd, other, 0, &point));
	KTAP_ASSERT_EQ(point, 7);
	ASSERT_SIGNALLED(exported);
	ASSERT_SIGNALLED(emulated);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fence), 1);
	ASSERT_U32(a.map, PAGE, PATTERN);
	KTAP_ASSERT_OK(tlgpu_sync_file_timestamp(fence, &t_job, &err));
	KTAP_ASSERT_OK(tlgpu_sync_file_timestamp(exported, &t_exp, &err));
	KTAP_ASSERT_OK(tlgpu_sync_file_timestamp(emulated, &t_emu, &err));
	KTAP_ASSERT_EQ(t_exp, t_job);
	KTAP_ASSERT_EQ(t_emu, t_job);
	close(exported);
	close(emulated);
	close(fence);
	return KTAP_PASS;
}

/*
 * Across devices and vgem: a vgem fence (a gate) imported at point 1 of a
 * syncobj of device 0 holds a job of device 1 (the last device) that waits
 * for that point, whose fence is imported at point 2; an eventfd for point
 * 2 fires only once the gate is signalled and that job is done.
 */
static enum ktap_result test_syncobj_eventfd_vgem(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct drm_tlgpu_sync in = { .point = 1 };
	struct tlgpu_node n0, n1;
	struct tlgpu_bo b;
	uint32_t s0, gate_fence, s1;
	int vgem, gate, f1, efd, obj_fd;

	TEST_OPEN(0, &n0);
	vgem = tlgpu_vgem_open(NULL, 0);
	if (vgem < 0)
		return ktap_skip("no vgem device (modprobe vgem)");
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n0.fd, 0, &s0));
	NEW_EVENTFD(&efd);
	NEED_CAP(n0.fd, DRM_TLGPU_DRIVER_CAP_SYNCOBJ_EVENTFD,
		 tlgpu_syncobj_eventfd(n0.fd, s0, 2, efd, 0),
		 "no DRM_IOCTL_SYNCOBJ_EVENTFD before Linux 6.6");
	if (test_open(1, &n1) != KTAP_PASS)
		CHECK(test_reopen(&n0, &n1));
	TEST_BO(n1.fd, PAGE, &b);
	CHECK(test_vgem_gate(vgem, &gate_fence, &gate));

	/* Point 1: the gate; device 1 sees the same syncobj by fd. */
	KTAP_ASSERT_OK(tlgpu_syncobj_import_sync_file(n0.fd, s0, 1, gate));
	KTAP_ASSERT(!drmSyncobjHandleToFD(n0.fd, s0, &obj_fd),
		    "syncobj handle to fd: %s", strerror(errno));
	KTAP_ASSERT(!drmSyncobjFDToHandle(n1.fd, obj_fd, &s1),
		    "syncobj fd to handle: %s", strerror(errno));
	close(obj_fd);
	in.handle = s1;
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, b.gpu_va, 0x76e1));
	KTAP_ASSERT_OK(submit(n1.fd, 0, &cb, &in, 1, NULL, 0, -1, &f1));
	KTAP_ASSERT_OK(tlgpu_syncobj_import_sync_file(n0.fd, s0, 2, f1));
	KTAP_ASSERT_OK(tlgpu_syncobj_eventfd(n0.fd, s0, 2, efd, 0));

	/* Held by the gate. */
	KTAP_ASSERT_EQ(eventfd_count(efd, 200), 0);
	ASSERT_ACTIVE(f1);
	KTAP_ASSERT_EQ(*(uint64_t *)b.map, 0);

	KTAP_ASSERT_OK(tlgpu_vgem_fence_signal(vgem, gate_fence));
	KTAP_ASSERT_EQ(eventfd_count(efd, FENCE_TIMEOUT_MS), 1);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(f1), 1);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(gate), 1);
	KTAP_ASSERT_EQ(*(uint64_t *)b.map, 0x76e1);
	close(efd);
	close(f1);
	close(gate);
	close(vgem);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	{ .name = "binary-out", .run = test_binary_out },
	{ .name = "binary-in-cross-timeline",
	  .run = test_binary_in_cross_timeline },
	{ .name = "binary-replace", .run = test_binary_replace },
	{ .name = "binary-in-signalled", .run = test_binary_in_signalled },
	{ .name = "multi-in-out", .run = test_multi_in_out },
	{ .name = "timeline-chain", .run = test_timeline_chain },
	{ .name = "timeline-wait-available",
	  .run = test_timeline_wait_available },
	{ .name = "timeline-query", .run = test_timeline_query },
	{ .name = "timeline-host-signal", .run = test_timeline_host_signal },
	{ .name = "timeline-signal-order", .run = test_timeline_signal_order },
	{ .name = "sync-file-out-in", .run = test_sync_file_out_in },
	{ .name = "sync-file-signalled-in", .run = test_sync_file_signalled_in },
	{ .name = "sync-file-merge", .run = test_sync_file_merge },
	{ .name = "syncobj-transfer", .run = test_syncobj_transfer },
	{ .name = "syncobj-sync-file", .run = test_syncobj_sync_file },
	{ .name = "sync-file-cross-device",
	  .run = test_sync_file_cross_device },
	{ .name = "syncobj-cross-device", .run = test_syncobj_cross_device },
	{ .name = "syncobj-eventfd-binary", .run = test_syncobj_eventfd_binary },
	{ .name = "syncobj-eventfd-timeline",
	  .run = test_syncobj_eventfd_timeline },
	{ .name = "bad-syncobj-eventfd", .run = test_bad_syncobj_eventfd },
	{ .name = "timeline-point-sync-file",
	  .run = test_timeline_point_sync_file },
	{ .name = "syncobj-eventfd-vgem", .run = test_syncobj_eventfd_vgem },
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
