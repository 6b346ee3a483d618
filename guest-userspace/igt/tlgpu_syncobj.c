// SPDX-License-Identifier: MIT
/*
 * tlgpu_syncobj: DRM syncobjs over tlgpu job fences (not sw_sync).
 *
 * Binary and timeline syncobjs are signalled by tlgpu jobs through SUBMIT's
 * out syncs; a job kept pending by a DELAY command gives the "not yet
 * signalled" state.  Covered: SYNCOBJ_WAIT and SYNCOBJ_TIMELINE_WAIT with
 * wait-all / wait-any / WAIT_FOR_SUBMIT / WAIT_AVAILABLE on signalled,
 * pending, faulted and unsubmitted fences (exact errnos: -ETIME on a
 * timeout, -EINVAL without a fence), first_signaled, query (last
 * signalled and last submitted), transfer binary <-> timeline, export and
 * import as sync files, a job on one tlgpu device waiting for a job of
 * the other through the same syncobj (shared as a syncobj fd), a sync
 * file or a timeline point (order checked through the data), a faulting
 * job's -EFAULT seen through the syncobj's fence (per fence, through
 * SYNC_IOC_FILE_INFO), and SUBMIT's -ENOENT for in/out syncobjs without
 * a fence.  Fence states are checked as SYNC_IOC_FILE_INFO reports them,
 * for the sync file and for each fence in it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include "igt.h"
#include "igt_syncobj.h"
#include "sw_sync.h"
#include "igt_tlgpu.h"

IGT_TEST_DESCRIPTION("Syncobj waits, queries, transfers and sync-file "
		     "conversions over tlgpu job fences, on one device and "
		     "across two.");

/* How long a "pending" job stays on the device. */
#define PENDING_US	600000
/* Short timeouts that must expire while such a job runs. */
#define SHORT_NS	(30 * 1000000ll)
/*
 * SYNCOBJ_WAIT turns the deadline into jiffies (drm_timeout_abs_to_jiffies,
 * rounded down, plus one), so -ETIME may come a jiffy or two early (HZ=250
 * on the stock kernel: 4 ms each); and under TCG, beside another guest,
 * jiffies lag the clock when a tick comes late and catch up at once, so
 * the sleep ends earlier still (-ETIME after 17.5 ms of a 30 ms deadline,
 * 6.1-stock in make check).  A wait that did not sleep at all returns in
 * well under a millisecond: half the deadline tells the two apart.
 */
#define JIFFY_SLACK_NS	(SHORT_NS / 2)

/* An -ETIME of a wait that started at @t0 came about at the deadline. */
static void assert_waited_short(uint64_t t0)
{
	uint64_t waited = igt_tlgpu_now_ns() - t0;

	igt_assert_f(waited >= SHORT_NS - JIFFY_SLACK_NS,
		     "-ETIME after %"PRIu64" ns, before the %lld ns deadline\n",
		     waited, SHORT_NS);
}

static int fd = -1;

static uint64_t abs_ns(int64_t rel)
{
	return igt_tlgpu_now_ns() + rel;
}

static uint64_t long_deadline(void)
{
	return abs_ns(TLGPU_FENCE_TIMEOUT_NS);
}

/* A job on @tl that STOREs @val at @off of @bo and signals @syncobj (@point), done. */
static void signal_done(int dev, uint32_t tl, struct igt_tlgpu_bo *bo,
			uint64_t off, uint64_t val, uint32_t syncobj,
			uint64_t point)
{
	int f = igt_tlgpu_delay_store(dev, tl, bo, off, val, 0, syncobj, point,
				      DRM_TLGPU_SUBMIT_NO_IMPLICIT);

	igt_tlgpu_wait_fence(f, 1);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, off), val);
	close(f);
}

/* A job on @tl signalling @syncobj (@point) in PENDING_US; its sync file. */
static int signal_pending(int dev, uint32_t tl, struct igt_tlgpu_bo *bo,
			  uint64_t off, uint64_t val, uint32_t syncobj,
			  uint64_t point)
{
	int f = igt_tlgpu_delay_store(dev, tl, bo, off, val, PENDING_US,
				      syncobj, point,
				      DRM_TLGPU_SUBMIT_NO_IMPLICIT);

	igt_tlgpu_assert_fence(f, 0);
	return f;
}

/* The job of sync file @f ends without error; closes @f. */
static void finish(int f)
{
	igt_tlgpu_wait_fence(f, 1);
	close(f);
}

/* SYNCOBJ_QUERY of one syncobj: its last signalled or submitted point. */
static uint64_t query(int dev, uint32_t so, uint32_t flags)
{
	uint64_t point = ~0ull;
	struct drm_syncobj_timeline_array a = {
		.handles = to_user_pointer(&so),
		.points = to_user_pointer(&point),
		.count_handles = 1,
		.flags = flags,
	};

	do_ioctl(dev, DRM_IOCTL_SYNCOBJ_QUERY, &a);
	return point;
}

/* ------------------------------------------------------------------ */
/* Binary wait matrix                                                  */
/* ------------------------------------------------------------------ */

enum state { SIGNALLED, PENDING, FAULTED, UNSUBMITTED };
static const char *state_name[] = {
	[SIGNALLED] = "signalled", [PENDING] = "pending",
	[FAULTED] = "faulted", [UNSUBMITTED] = "unsubmitted",
};

static const struct wait_flags {
	const char *name;
	uint32_t flags;
} binary_flags[] = {
	{ "none", 0 },
	{ "wait-all", DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL },
	{ "wait-for-submit", DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT },
	{ "wait-all-for-submit", DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL |
				 DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT },
}, timeline_flags[] = {
	{ "none", 0 },
	{ "wait-all", DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL },
	{ "wait-for-submit", DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT },
	{ "wait-available", DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE },
	{ "wait-available-for-submit", DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE |
				       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT },
};

static void binary_case(enum state st, uint32_t flags)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	uint32_t so = syncobj_create(fd, 0);
	uint64_t t0;
	int f = -1, ret, expect_short;

	switch (st) {
	case SIGNALLED:
		signal_done(fd, 0, bo, 0, 0x5160, so, 0);
		break;
	case PENDING:
		f = signal_pending(fd, 0, bo, 0, 0x9e7d, so, 0);
		break;
	case FAULTED:
		f = igt_tlgpu_fault_job(fd, 0, 0, so, 0);
		igt_tlgpu_wait_fence(f, -EFAULT);
		break;
	case UNSUBMITTED:
		break;
	}

	if (st == UNSUBMITTED && !(flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT))
		expect_short = -EINVAL;
	else if (st == PENDING || st == UNSUBMITTED)
		expect_short = -ETIME;
	else
		expect_short = 0;

	t0 = igt_tlgpu_now_ns();
	ret = syncobj_wait_err(fd, &so, 1, abs_ns(SHORT_NS), flags);
	igt_assert_eq(ret, expect_short);
	if (expect_short == -ETIME) {
		assert_waited_short(t0);
		/* A zero timeout only polls: -ETIME at once. */
		igt_assert_eq(syncobj_wait_err(fd, &so, 1, 0, flags), -ETIME);
	} else {
		/* Polling gives the same answer as waiting. */
		igt_assert_eq(syncobj_wait_err(fd, &so, 1, 0, flags),
			      expect_short);
	}

	if (st == PENDING) {
		/* Still running: the job, not the timeout, decides. */
		igt_tlgpu_assert_fence(f, 0);
		igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 0), 0);
		igt_assert_eq(syncobj_wait_err(fd, &so, 1, long_deadline(),
					       flags), 0);
		igt_tlgpu_assert_fence(f, 1);
		igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 0), 0x9e7d);
		igt_assert_f(igt_tlgpu_now_ns() - t0 >= PENDING_US * 1000ull / 2,
			     "a %u us job signalled its syncobj after %"PRIu64" ns\n",
			     PENDING_US, igt_tlgpu_now_ns() - t0);
	}

	if (f >= 0)
		close(f);
	syncobj_destroy(fd, so);
	igt_tlgpu_bo_free(bo);
}

/* One dynamic subtest per state and flag set: "<state>-<flags>". */
static void test_matrix(void (*wait_case)(enum state st, uint32_t flags),
			const struct wait_flags *flags, int count)
{
	for (int s = 0; s <= UNSUBMITTED; s++)
		for (int i = 0; i < count; i++)
			igt_dynamic_f("%s-%s", state_name[s], flags[i].name)
				wait_case(s, flags[i].flags);
}

/* ------------------------------------------------------------------ */
/* Timeline wait matrix                                                */
/* ------------------------------------------------------------------ */

/*
 * Point 1: a done job; point 2: a pending job; point 3: nothing yet;
 * point 4 stands for a faulted job on another syncobj.
 */
static void timeline_case(enum state st, uint32_t flags)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	uint32_t so = syncobj_create(fd, 0);
	uint64_t point, t0;
	int pending, fault = -1, expect, ret;

	signal_done(fd, 0, bo, 0, 1, so, 1);
	pending = signal_pending(fd, 1, bo, 8, 2, so, 2);

	switch (st) {
	case SIGNALLED:
		point = 1;
		expect = 0;
		break;
	case PENDING:
		point = 2;
		expect = (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE) ?
			 0 : -ETIME;
		break;
	case FAULTED:
		fault = igt_tlgpu_fault_job(fd, 2, 0, so, 3);
		igt_tlgpu_wait_fence(fault, -EFAULT);
		/*
		 * Point 3 of a chain whose point 2 is pending: a chain node
		 * signals once every earlier point has.
		 */
		point = 3;
		expect = (flags & DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE) ?
			 0 : -ETIME;
		break;
	case UNSUBMITTED:
	default:
		/*
		 * No fence at the point: -EINVAL, unless the wait is for the
		 * point to appear (WAIT_FOR_SUBMIT, or WAIT_AVAILABLE, which
		 * the DRM core treats alike for a missing point).
		 */
		point = 3;
		expect = (flags & (DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT |
				   DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE)) ?
			 -ETIME : -EINVAL;
		break;
	}

	t0 = igt_tlgpu_now_ns();
	ret = syncobj_timeline_wait_err(fd, &so, &point, 1, abs_ns(SHORT_NS),
					flags);
	igt_assert_eq(ret, expect);
	if (expect == -ETIME)
		assert_waited_short(t0);
	if (expect == 0 && st != SIGNALLED)
		/* WAIT_AVAILABLE: a fence is there, not signalled. */
		igt_tlgpu_assert_fence(pending, 0);
	if (st == UNSUBMITTED)
		/* Nothing appeared at point 3 meanwhile. */
		igt_assert_eq_u64(query(fd, so,
					DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 2);

	/* Then everything up to the pending point completes. */
	if (st != UNSUBMITTED) {
		igt_assert_eq(syncobj_timeline_wait_err(fd, &so, &point, 1,
							long_deadline(),
							flags & ~DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE),
			      0);
		if (st != SIGNALLED) {
			igt_tlgpu_assert_fence(pending, 1);
			igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 8), 2);
		}
	}

	finish(pending);
	if (fault >= 0)
		close(fault);
	syncobj_destroy(fd, so);
	igt_tlgpu_bo_free(bo);
}

/* ------------------------------------------------------------------ */
/* Several handles: any / all                                          */
/* ------------------------------------------------------------------ */

static void test_multi(bool timeline, bool all)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	uint32_t so[3];
	uint64_t points[3] = { 0, 0, 0 };
	int f[3];
	struct drm_syncobj_wait w = { };
	struct drm_syncobj_timeline_wait tw = { };
	int ret;

	/* 0 and 1 pending (long, longer), 2 quick: on three timelines. */
	for (int i = 0; i < 3; i++) {
		so[i] = syncobj_create(fd, 0);
		if (timeline)
			points[i] = 5 + i;
	}
	f[0] = igt_tlgpu_delay_store(fd, 0, bo, 0, 10, PENDING_US, so[0],
				     points[0], DRM_TLGPU_SUBMIT_NO_IMPLICIT);
	f[1] = igt_tlgpu_delay_store(fd, 1, bo, 8, 11, PENDING_US * 3 / 2,
				     so[1], points[1],
				     DRM_TLGPU_SUBMIT_NO_IMPLICIT);
	f[2] = igt_tlgpu_delay_store(fd, 2, bo, 16, 12, 20000, so[2],
				     points[2], DRM_TLGPU_SUBMIT_NO_IMPLICIT);

	if (timeline) {
		tw.handles = to_user_pointer(so);
		tw.points = to_user_pointer(points);
		tw.count_handles = 3;
		tw.timeout_nsec = long_deadline();
		tw.flags = all ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL : 0;
		tw.first_signaled = ~0u;
		ret = __syncobj_timeline_wait_ioctl(fd, &tw);
	} else {
		w.handles = to_user_pointer(so);
		w.count_handles = 3;
		w.timeout_nsec = long_deadline();
		w.flags = all ? DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL : 0;
		w.first_signaled = ~0u;
		ret = __syncobj_wait(fd, &w);
	}
	igt_assert_eq(ret, 0);

	if (all) {
		/* Every job done, in the data too. */
		for (int i = 0; i < 3; i++)
			igt_tlgpu_assert_fence(f[i], 1);
		igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 0), 10);
		igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 8), 11);
		igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 16), 12);
	} else {
		/* The quick one, and only it. */
		igt_assert_eq(timeline ? tw.first_signaled : w.first_signaled, 2);
		igt_tlgpu_assert_fence(f[2], 1);
		igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 16), 12);
		igt_tlgpu_assert_fence(f[0], 0);
		igt_tlgpu_assert_fence(f[1], 0);
		igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 0), 0);
		igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 8), 0);
		/* wait-all over the same set still times out now. */
		if (timeline)
			ret = syncobj_timeline_wait_err(fd, so, points, 3,
							abs_ns(SHORT_NS),
							DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL);
		else
			ret = syncobj_wait_err(fd, so, 3, abs_ns(SHORT_NS),
					       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL);
		igt_assert_eq(ret, -ETIME);
	}

	for (int i = 0; i < 3; i++) {
		finish(f[i]);
		syncobj_destroy(fd, so[i]);
	}
	igt_tlgpu_bo_free(bo);
}

/* ------------------------------------------------------------------ */
/* WAIT_FOR_SUBMIT while the job is submitted later                    */
/* ------------------------------------------------------------------ */

static void test_wait_for_submit_late(bool timeline)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	uint32_t so = syncobj_create(fd, 0);
	uint64_t point = timeline ? 7 : 0;
	uint64_t t0 = igt_tlgpu_now_ns();
	int ret;

	igt_fork(child, 1) {
		int f;

		usleep(150000);
		f = igt_tlgpu_delay_store(fd, 3, bo, 0, 0x1a7e, 100000, so,
					  point, DRM_TLGPU_SUBMIT_NO_IMPLICIT);
		finish(f);
	}

	if (timeline)
		ret = syncobj_timeline_wait_err(fd, &so, &point, 1,
						long_deadline(),
						DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT);
	else
		ret = syncobj_wait_err(fd, &so, 1, long_deadline(),
				       DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT);
	igt_assert_eq(ret, 0);
	/* Returned when the job was done, not when it was submitted. */
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 0), 0x1a7e);
	igt_assert_f(igt_tlgpu_now_ns() - t0 >= 200 * 1000000ull,
		     "woke after %"PRIu64" ns: before submit + DELAY\n",
		     igt_tlgpu_now_ns() - t0);
	igt_waitchildren();

	syncobj_destroy(fd, so);
	igt_tlgpu_bo_free(bo);
}

/* ------------------------------------------------------------------ */
/* Query                                                               */
/* ------------------------------------------------------------------ */

static void test_query(void)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	uint32_t so = syncobj_create(fd, 0);
	int f;

	igt_assert_eq_u64(query(fd, so, 0), 0);
	signal_done(fd, 0, bo, 0, 1, so, 1);
	igt_assert_eq_u64(query(fd, so, 0), 1);
	igt_assert_eq_u64(query(fd, so, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 1);

	/* Same timeline of the device: point 4 after point 1, pending. */
	f = signal_pending(fd, 0, bo, 8, 4, so, 4);
	igt_assert_eq_u64(query(fd, so, 0), 1);
	igt_assert_eq_u64(query(fd, so, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 4);
	igt_tlgpu_assert_fence(f, 0);

	finish(f);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 8), 4);
	igt_assert_eq_u64(query(fd, so, 0), 4);
	igt_assert_eq_u64(query(fd, so, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 4);

	syncobj_destroy(fd, so);
	igt_tlgpu_bo_free(bo);
}

/* ------------------------------------------------------------------ */
/* Transfer                                                            */
/* ------------------------------------------------------------------ */

static void test_transfer_binary_to_timeline(void)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	uint32_t bin = syncobj_create(fd, 0), tl = syncobj_create(fd, 0);
	uint64_t point = 5;
	int f;

	f = signal_pending(fd, 0, bo, 0, 0x7a, bin, 0);
	syncobj_binary_to_timeline(fd, tl, 5, bin);

	igt_assert_eq_u64(query(fd, tl, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 5);
	igt_assert_eq_u64(query(fd, tl, 0), 0);
	igt_assert_eq(syncobj_timeline_wait_err(fd, &tl, &point, 1,
						abs_ns(SHORT_NS), 0), -ETIME);
	igt_assert_eq(syncobj_timeline_wait_err(fd, &tl, &point, 1, 0,
						DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE), 0);
	igt_assert_eq(syncobj_timeline_wait_err(fd, &tl, &point, 1,
						long_deadline(), 0), 0);
	/* The transferred point signalled because the job did. */
	igt_tlgpu_assert_fence(f, 1);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 0), 0x7a);
	igt_assert_eq_u64(query(fd, tl, 0), 5);

	close(f);
	syncobj_destroy(fd, bin);
	syncobj_destroy(fd, tl);
	igt_tlgpu_bo_free(bo);
}

static void test_transfer_timeline_to_binary(void)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	uint32_t bin = syncobj_create(fd, 0), tl = syncobj_create(fd, 0);
	int f;

	signal_done(fd, 0, bo, 0, 1, tl, 1);
	f = signal_pending(fd, 1, bo, 8, 3, tl, 3);

	/* Point 3 is the pending job (through its chain node). */
	syncobj_timeline_to_binary(fd, bin, tl, 3, 0);
	igt_assert_eq(syncobj_wait_err(fd, &bin, 1, abs_ns(SHORT_NS), 0),
		      -ETIME);
	igt_assert_eq(syncobj_wait_err(fd, &bin, 1, long_deadline(), 0), 0);
	igt_tlgpu_assert_fence(f, 1);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 8), 3);

	/* A point not submitted: -EINVAL, and nothing installed. */
	{
		uint32_t bin2 = syncobj_create(fd, 0);
		struct drm_syncobj_transfer t = {
			.src_handle = tl, .dst_handle = bin2,
			.src_point = 9, .dst_point = 0,
		};

		igt_assert_eq(igt_ioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &t), -1);
		igt_assert_eq(errno, EINVAL);
		igt_assert_eq(syncobj_wait_err(fd, &bin2, 1, 0, 0), -EINVAL);
		syncobj_destroy(fd, bin2);
	}

	close(f);
	syncobj_destroy(fd, bin);
	syncobj_destroy(fd, tl);
	igt_tlgpu_bo_free(bo);
}

/* ------------------------------------------------------------------ */
/* Sync files                                                          */
/* ------------------------------------------------------------------ */

static void test_export_import_sync_file(void)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	uint32_t so = syncobj_create(fd, 0), so2 = syncobj_create(fd, 0);
	int f, sf;

	f = signal_pending(fd, 0, bo, 0, 0x5f, so, 0);
	sf = syncobj_handle_to_fd(fd, so,
				  DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE);
	igt_assert(sf >= 0);
	/* The syncobj's fence is the job's: pending, one fence. */
	igt_tlgpu_assert_fence(sf, 0);
	igt_assert_eq(sync_fence_count(sf), 1);
	igt_assert_eq(sync_fence_wait(sf, 0), -ETIME);

	syncobj_import_sync_file(fd, so2, sf);
	igt_assert_eq(syncobj_wait_err(fd, &so2, 1, abs_ns(SHORT_NS), 0),
		      -ETIME);

	igt_assert_eq(sync_fence_wait(sf, TLGPU_FENCE_TIMEOUT_MS), 0);
	igt_tlgpu_assert_fence(sf, 1);
	igt_tlgpu_assert_fence(f, 1);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 0), 0x5f);
	igt_assert_eq(syncobj_wait_err(fd, &so2, 1, 0, 0), 0);

	/* An empty syncobj has nothing to export. */
	{
		uint32_t empty = syncobj_create(fd, 0);
		struct drm_syncobj_handle h = {
			.handle = empty,
			.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
			.fd = -1,
		};

		igt_assert_eq(__syncobj_handle_to_fd(fd, &h), -EINVAL);
		syncobj_destroy(fd, empty);
	}

	close(sf);
	close(f);
	syncobj_destroy(fd, so);
	syncobj_destroy(fd, so2);
	igt_tlgpu_bo_free(bo);
}

/* A syncobj loaded from a job's out sync file is a job dependency. */
static void test_sync_file_as_in_sync(void)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	uint32_t so = syncobj_create(fd, 0);
	struct igt_tlgpu_job *j;
	int f, copy;

	f = signal_pending(fd, 0, bo, 0, 0xa1, 0, 0);
	syncobj_import_sync_file(fd, so, f);

	/* Job on another timeline: copy the first job's value once it ran. */
	j = igt_tlgpu_copy_job(1, bo, 8, bo, 0, 8);
	igt_tlgpu_job_in_sync(j, so, 0);
	j->flags |= DRM_TLGPU_SUBMIT_NO_IMPLICIT;
	copy = igt_tlgpu_submit_fence(fd, j);

	igt_tlgpu_assert_fence(copy, 0);
	igt_tlgpu_wait_fence(copy, 1);
	igt_tlgpu_assert_fence(f, 1);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 8), 0xa1);

	close(copy);
	close(f);
	syncobj_destroy(fd, so);
	igt_tlgpu_bo_free(bo);
}

/* ------------------------------------------------------------------ */
/* Across devices                                                      */
/* ------------------------------------------------------------------ */

enum xdev_mode { XDEV_SYNCOBJ, XDEV_SYNC_FILE, XDEV_TIMELINE };

/*
 * A job of @src DELAYs, then STOREs into a buffer shared with @dst; a job
 * of @dst waits for it only through the explicit fence (NO_IMPLICIT) and
 * COPYs the value into a buffer of its own: the copy shows the order.
 * XDEV_SYNCOBJ: the very syncobj, shared through a syncobj fd;
 * XDEV_SYNC_FILE: its fence as a sync file, as SUBMIT's in fence;
 * XDEV_TIMELINE: a timeline point of @src, as a sync file loaded into a
 * syncobj of @dst.
 */
static void cross_device(int src, int dst, enum xdev_mode mode)
{
	struct igt_tlgpu_bo *shared = igt_tlgpu_bo_create(src, TLGPU_PAGE);
	struct igt_tlgpu_bo *mine = igt_tlgpu_bo_create(dst, TLGPU_PAGE);
	struct igt_tlgpu_bo *imported;
	uint32_t so_src = syncobj_create(src, 0), so_dst;
	uint64_t src_point = mode == XDEV_TIMELINE ? 3 : 0;
	struct igt_tlgpu_job *j;
	int dmabuf, f, sf, copy;

	dmabuf = igt_tlgpu_bo_export(shared);
	imported = igt_tlgpu_bo_import(dst, dmabuf);

	f = igt_tlgpu_delay_store(src, 0, shared, 0, 0xc0ffee, PENDING_US,
				  so_src, src_point, 0);

	if (mode == XDEV_TIMELINE) {
		uint32_t bin = syncobj_create(src, 0);

		syncobj_timeline_to_binary(src, bin, so_src, 3, 0);
		sf = syncobj_handle_to_fd(src, bin,
					  DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE);
		syncobj_destroy(src, bin);
	} else {
		sf = syncobj_handle_to_fd(src, so_src,
					  DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE);
	}
	igt_tlgpu_assert_fence(sf, 0);

	if (mode == XDEV_SYNCOBJ) {
		int sofd = syncobj_handle_to_fd(src, so_src, 0);

		so_dst = syncobj_fd_to_handle(dst, sofd, 0);
		close(sofd);
	} else {
		so_dst = syncobj_create(dst, 0);
		if (mode == XDEV_TIMELINE)
			syncobj_import_sync_file(dst, so_dst, sf);
	}
	/* @dst sees the pending fence: a wait on its syncobj times out. */
	if (mode != XDEV_SYNC_FILE)
		igt_assert_eq(syncobj_wait_err(dst, &so_dst, 1, 0, 0), -ETIME);

	j = igt_tlgpu_copy_job(1, mine, 0, imported, 0, 8);
	j->flags |= DRM_TLGPU_SUBMIT_NO_IMPLICIT;
	if (mode == XDEV_SYNC_FILE)
		igt_tlgpu_job_in_fence(j, sf);
	else
		igt_tlgpu_job_in_sync(j, so_dst, 0);
	copy = igt_tlgpu_submit_fence(dst, j);

	/* The waiter waits: nothing copied while the source job runs. */
	usleep(50000);
	igt_tlgpu_assert_fence(f, 0);
	igt_tlgpu_assert_fence(copy, 0);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(mine, 0), 0);

	igt_tlgpu_wait_fence(copy, 1);
	igt_tlgpu_assert_fence(f, 1);
	igt_tlgpu_assert_fence(sf, 1);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(mine, 0), 0xc0ffee);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(imported, 0), 0xc0ffee);
	if (mode != XDEV_SYNC_FILE)
		igt_assert_eq(syncobj_wait_err(dst, &so_dst, 1, 0, 0), 0);

	close(copy);
	close(sf);
	close(f);
	close(dmabuf);
	syncobj_destroy(src, so_src);
	syncobj_destroy(dst, so_dst);
	igt_tlgpu_bo_free(imported);
	igt_tlgpu_bo_free(mine);
	igt_tlgpu_bo_free(shared);
}

static void test_cross_device(void)
{
	static const char *mode_name[] = { "syncobj", "sync-file", "timeline" };
	int fd1 = igt_tlgpu_open(1);
	int fd0 = fd;

	igt_tlgpu_require_timelines(fd1, 2);
	for (int dir = 0; dir < 2; dir++)
		for (int m = 0; m < 3; m++)
			igt_dynamic_f("dev%d-to-dev%d-%s", dir, !dir,
				      mode_name[m])
				cross_device(dir ? fd1 : fd0, dir ? fd0 : fd1,
					     m);
	close(fd1);
}

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

static void test_error_propagation(bool timeline)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	uint32_t so = syncobj_create(fd, 0), bin;
	uint64_t point = timeline ? 2 : 0;
	int f, sf, count;

	f = igt_tlgpu_fault_job(fd, 0, 100000, so, point);
	/* A wait does not report the error; it just ends. */
	if (timeline)
		igt_assert_eq(syncobj_timeline_wait_err(fd, &so, &point, 1,
							long_deadline(), 0), 0);
	else
		igt_assert_eq(syncobj_wait_err(fd, &so, 1, long_deadline(), 0), 0);
	igt_tlgpu_assert_fence(f, -EFAULT);

	/* The syncobj's fence carries it. */
	if (timeline) {
		bin = syncobj_create(fd, 0);
		syncobj_timeline_to_binary(fd, bin, so, 2, 0);
	} else {
		bin = so;
	}
	sf = syncobj_handle_to_fd(fd, bin,
				  DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE);
	/*
	 * The job's fence itself carries -EFAULT.  A timeline point's fence
	 * is a dma_fence_chain node, which (6.1) keeps no error of its own:
	 * the error shows in the fences it contains, and in the sync file's
	 * status once those are listed (SYNC_IOC_FILE_INFO with fences).
	 */
	igt_assert_eq(igt_tlgpu_sync_file_fences_status(sf, &count), -EFAULT);
	igt_assert_eq(count, 1);
	/* The chain node itself: signalled, without an error (6.1). */
	igt_assert_eq(sync_fence_status(sf), timeline ? 1 : -EFAULT);
	if (timeline)
		syncobj_destroy(fd, bin);

	/* Only the faulting job fails: the timeline goes on. */
	igt_tlgpu_store_wait(fd, 0, bo, 0, 0x900d);

	close(sf);
	close(f);
	syncobj_destroy(fd, so);
	igt_tlgpu_bo_free(bo);
}

/* The error of a job on device 0, seen by device 1 through a sync file. */
static void test_error_cross_device(void)
{
	int fd1 = igt_tlgpu_open(1);
	uint32_t so0 = syncobj_create(fd, 0), so1 = syncobj_create(fd1, 0);
	int f, sf, sf1;

	f = igt_tlgpu_fault_job(fd, 2, 100000, so0, 0);
	sf = syncobj_handle_to_fd(fd, so0,
				  DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE);
	syncobj_import_sync_file(fd1, so1, sf);
	igt_assert_eq(syncobj_wait_err(fd1, &so1, 1, long_deadline(), 0), 0);
	sf1 = syncobj_handle_to_fd(fd1, so1,
				   DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE);
	igt_tlgpu_assert_fence(sf1, -EFAULT);
	igt_tlgpu_assert_fence(sf, -EFAULT);
	igt_tlgpu_assert_fence(f, -EFAULT);

	close(sf1);
	close(sf);
	close(f);
	syncobj_destroy(fd, so0);
	syncobj_destroy(fd1, so1);
	close(fd1);
}

/* A job's out syncobj that does not exist: -ENOENT, nothing submitted. */
static void test_bad_out_syncobj(void)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	struct igt_tlgpu_job *j = igt_tlgpu_job_new(0);
	uint32_t so = syncobj_create(fd, 0), tl = syncobj_create(fd, 0);

	igt_tlgpu_cmd_store(&j->cmds, bo->gpu_va, 1);
	igt_tlgpu_job_bo(j, bo->handle, DRM_TLGPU_BO_WRITE);
	igt_tlgpu_job_out_sync(j, so, 0);
	igt_tlgpu_job_out_sync(j, so + 1000, 0);
	igt_assert_eq(__igt_tlgpu_submit(fd, j), -ENOENT);
	/* The valid out syncobj got no fence: the SUBMIT took nothing. */
	igt_assert_eq(syncobj_wait_err(fd, &so, 1, 0, 0), -EINVAL);
	{
		int32_t err = 1;

		igt_assert_eq(__igt_tlgpu_wait_bo(fd, bo->handle, 0, 0, &err), 0);
		igt_assert_eq(err, 0);
	}
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 0), 0);

	/* An in syncobj without a fence: -ENOENT as well. */
	j->out_sync_count = 0;
	igt_tlgpu_job_in_sync(j, so, 0);
	igt_assert_eq(__igt_tlgpu_submit(fd, j), -ENOENT);

	/* And an in timeline point past the last one submitted. */
	signal_done(fd, 1, bo, 8, 2, tl, 1);
	j->in_syncs[0] = (struct drm_tlgpu_sync){ .handle = tl, .point = 5 };
	igt_assert_eq(__igt_tlgpu_submit(fd, j), -ENOENT);
	/* The point that exists is fine: the job runs. */
	j->in_syncs[0].point = 1;
	igt_tlgpu_job_fence_out(j);
	igt_tlgpu_submit(fd, j);
	igt_tlgpu_wait_fence(j->out_fence_fd, 1);
	close(j->out_fence_fd);
	/* Only that last SUBMIT stored anything. */
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 0), 1);
	igt_assert_eq_u64(query(fd, tl, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED), 1);

	free(j);
	syncobj_destroy(fd, so);
	syncobj_destroy(fd, tl);
	igt_tlgpu_bo_free(bo);
}

igt_main
{
	igt_fixture {
		fd = igt_tlgpu_open(0);
		igt_tlgpu_require_timelines(fd, 4);
	}

	igt_describe("SYNCOBJ_WAIT on a binary syncobj signalled by a tlgpu job: "
		     "each state (signalled, pending, faulted, no fence) with "
		     "each flag set; exact errno, fence and data state.");
	igt_subtest_with_dynamic("binary-wait")
		test_matrix(binary_case, binary_flags,
			    ARRAY_SIZE(binary_flags));

	igt_describe("SYNCOBJ_TIMELINE_WAIT on points signalled by tlgpu jobs: "
		     "each point state with each flag set, WAIT_AVAILABLE and "
		     "WAIT_FOR_SUBMIT included; exact errno, fence and data state.");
	igt_subtest_with_dynamic("timeline-wait")
		test_matrix(timeline_case, timeline_flags,
			    ARRAY_SIZE(timeline_flags));

	igt_describe("Wait-any over three job-signalled binary syncobjs returns "
		     "the quick job's index in first_signaled while the others "
		     "still run.");
	igt_subtest("binary-wait-any")
		test_multi(false, false);

	igt_describe("Wait-all over three job-signalled binary syncobjs returns "
		     "only once every job wrote its value.");
	igt_subtest("binary-wait-all")
		test_multi(false, true);

	igt_describe("Wait-any over three job-signalled timeline points: "
		     "first_signaled is the quick one.");
	igt_subtest("timeline-wait-any")
		test_multi(true, false);

	igt_describe("Wait-all over three job-signalled timeline points.");
	igt_subtest("timeline-wait-all")
		test_multi(true, true);

	igt_describe("WAIT_FOR_SUBMIT on an empty binary syncobj wakes when the "
		     "job submitted later by another process is done.");
	igt_subtest("binary-wait-for-submit-late")
		test_wait_for_submit_late(false);

	igt_describe("WAIT_FOR_SUBMIT on a timeline point submitted later wakes "
		     "when that job is done.");
	igt_subtest("timeline-wait-for-submit-late")
		test_wait_for_submit_late(true);

	igt_describe("SYNCOBJ_QUERY (last signalled and LAST_SUBMITTED) follows "
		     "job points: pending, then done.");
	igt_subtest("query")
		test_query();

	igt_describe("Transfer of a pending job's binary fence to a timeline "
		     "point: the point signals with the job.");
	igt_subtest("transfer-binary-to-timeline")
		test_transfer_binary_to_timeline();

	igt_describe("Transfer of a pending job's timeline point to a binary "
		     "syncobj; an unsubmitted point is -EINVAL.");
	igt_subtest("transfer-timeline-to-binary")
		test_transfer_timeline_to_binary();

	igt_describe("Export a job-signalled syncobj as a sync file (pending, "
		     "then signalled) and import it into another syncobj; an "
		     "empty syncobj exports -EINVAL.");
	igt_subtest("export-import-sync-file")
		test_export_import_sync_file();

	igt_describe("A syncobj loaded from a job's out sync file orders a job "
		     "on another timeline (checked through the data).");
	igt_subtest("sync-file-as-in-sync")
		test_sync_file_as_in_sync();

	igt_describe("A job on one tlgpu device waits, through a syncobj, a sync "
		     "file or a timeline point, for a job of the other device "
		     "writing a shared buffer; the copy proves the order.");
	igt_subtest_with_dynamic("cross-device")
		test_cross_device();

	igt_describe("A faulting job's -EFAULT shows in its binary syncobj's "
		     "fence; the timeline's next job runs.");
	igt_subtest("error-binary")
		test_error_propagation(false);

	igt_describe("A faulting job's -EFAULT shows in its timeline point's "
		     "fence; the timeline's next job runs.");
	igt_subtest("error-timeline")
		test_error_propagation(true);

	igt_describe("A faulting job's -EFAULT on device 0 reaches a syncobj of "
		     "device 1 through a sync file.");
	igt_subtest("error-cross-device")
		test_error_cross_device();

	igt_describe("SUBMIT with an unknown out syncobj, an empty in syncobj or "
		     "an in timeline point not submitted fails with -ENOENT and "
		     "installs no fence anywhere.");
	igt_subtest("bad-syncobj")
		test_bad_out_syncobj();

	igt_fixture
		close(fd);
}
