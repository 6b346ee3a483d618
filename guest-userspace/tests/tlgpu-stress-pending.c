/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-stress-pending: the references of fences on the timelines'
 * pending lists while everything around them goes away.
 *
 *  - close-in-flight: processes submit bursts of jobs on both devices
 *    (sync files, binary and timeline syncobjs, a buffer shared through
 *    PRIME), hand the parent their jobs' sync files and the buffer, then
 *    close sync files, syncobjs, handles and device files in random order
 *    and exit while the jobs run.  Every job still signals: without error
 *    and with its data written, or with -EFAULT when its buffer was
 *    unmapped (handle or file closed) before the job reached the device.
 *    The pending lists drain and both devices keep working.
 *  - timeout-reset: a job outlives the driver's timeout (DELAY longer
 *    than timeout_ms) while other jobs are queued behind it (same file:
 *    cancelled; other file: innocent, re-run), wait for it on other
 *    timelines (device WAITs) and on the other device (sync file), with
 *    duplicated and dropped interrupts injected; the second round closes
 *    the guilty file while its job hangs.
 *  - timeout-after-wait: a job blocked in a device WAIT for a job of
 *    another timeline that completes just before the timeout, then runs
 *    for half a timeout of its own: its time on the device starts when
 *    the WAIT is satisfied, so it is not blamed (both succeed, no reset).
 *  - hang-injection: a timeline hangs (debugfs inject hang_mask) with jobs
 *    of two files on it and dependants elsewhere, while other timelines
 *    and the other device keep completing jobs; the reset blames the first
 *    job (-ETIME), cancels its file's followers (-ECANCELED) and re-runs
 *    the rest.
 *  - missed-interrupt: every interrupt of a device is dropped (inject
 *    irq_drop_every=1): only the timeout notices the jobs completed; they
 *    signal without error, and are freed (tlgpu's module count comes back
 *    after close).
 *  - unbind-in-flight: the last device is unbound (sysfs) with jobs in
 *    flight, a process still submitting, syncobjs and sync files held and
 *    the other device's jobs waiting for it; then it is bound again.
 *  - unbound-fence-names: the fences of an unbound device outlive it (in a
 *    sync file, in another device's buffer's dma_resv) after its last file
 *    closed; their names are read (SYNC_IOC_FILE_INFO, dma-buf bufinfo):
 *    the timeline's before 6.17, "signaled-timeline" from then.
 *  - unload-held-fence: before 7.0 every fence of tlgpu pins the module
 *    until it is freed, so with only a job's sync file left rmmod is
 *    refused (EAGAIN) and the fence's names can still be read; once the
 *    sync file closes the module unloads.  From 7.0 a signalled fence
 *    needs nothing of tlgpu: rmmod succeeds with the sync file held, and
 *    the fence reads "detached-driver", "signaled-timeline", status 1.
 *    Then the module comes back.
 *
 * The cases that unbind a device or unload the module give it back
 * however they end (test_undo()): a failed one does not fail the next.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "stress.h"

#define R		DRM_TLGPU_BO_READ
#define W		DRM_TLGPU_BO_WRITE
#define DMABUF_INFO	"/sys/kernel/debug/dma_buf/bufinfo"

static struct stress_shared *sh;

/* First thing of every case: shared state, injection off, a log mark. */
static enum ktap_result shared_init(const char *name)
{
	return stress_case_begin("tlgpu-stress-pending", name, &sh);
}

/* Waits for a sync file; its status (1, or the fence's error) or -ETIME. */
static int fence_result(int fd)
{
	int ret = tlgpu_sync_file_wait(fd, FENCE_TIMEOUT_MS);

	return ret ? ret : tlgpu_sync_file_status(fd);
}

/* A job: DELAY @delay_us then STORE @value at @va. */
static int store_job(int fd, uint32_t tl, uint32_t flags, uint64_t va,
		     uint64_t value, unsigned int delay_us,
		     const struct drm_tlgpu_bo_ref *bos, uint32_t bo_count,
		     int in_fence, int *fence)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_job job = {
		.timeline = tl,
		.flags = flags | DRM_TLGPU_SUBMIT_FENCE_OUT |
			 (in_fence >= 0 ? DRM_TLGPU_SUBMIT_FENCE_IN : 0),
		.bos = bos,
		.bo_count = bo_count,
		.in_fence_fd = in_fence,
	};
	int ret;

	if (delay_us)
		tlgpu_cmd_delay(&cb, delay_us);
	tlgpu_cmd_store(&cb, va, value);
	ret = tlgpu_submit_cmdbuf(fd, &job, &cb, fence, NULL);
	tlgpu_cmdbuf_fini(&cb);
	return ret;
}

/* Runs one small job on @node and checks its data. */
static enum ktap_result sanity_job(const struct tlgpu_node *node)
{
	struct tlgpu_bo bo;
	int fence;

	TEST_BO(node->fd, PAGE, &bo);
	KTAP_ASSERT_OK(store_job(node->fd, 0, 0, bo.gpu_va + 8, 0x5a5e, 0,
				 NULL, 0, -1, &fence));
	ASSERT_SIGNALLED(fence);
	close(fence);
	KTAP_ASSERT_EQ(((uint64_t *)bo.map)[1], 0x5a5e);
	KTAP_ASSERT_OK(tlgpu_bo_close(&bo));
	return KTAP_PASS;
}

/* No pending fence on any device, and each still runs a job. */
static enum ktap_result check_devices_idle(void)
{
	struct tlgpu_node n;
	unsigned int i;

	for (i = 0; i < stress_num_devices(); i++) {
		TEST_OPEN(i, &n);
		CHECK(stress_wait_no_pending(&n, FENCE_TIMEOUT_MS));
		CHECK(sanity_job(&n));
		close(n.fd);
	}
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Closing everything while jobs are in flight                        */
/* ------------------------------------------------------------------ */

#define CIF_MAX_JOBS	64

static uint64_t cif_magic(unsigned int child, unsigned int round,
			  unsigned int i)
{
	return 0xc1f0000000000000ull | (uint64_t)round << 24 |
	       (uint64_t)child << 12 | i;
}

/* Fisher-Yates over @n small ints. */
static void shuffle(int *v, unsigned int n, uint64_t *rng)
{
	unsigned int i, j;
	int t;

	for (i = n - 1; i > 0; i--) {
		j = stress_rand(rng) % (i + 1);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* The child: submit, pass the sync files and the buffer, drop it all. */
static int cif_child(int sock, unsigned int c, unsigned int round,
		     unsigned int jobs)
{
	uint64_t rng = 0xc1f ^ ((uint64_t)c << 32) ^ round, points[2] = { 0 };
	struct tlgpu_node f[2];
	struct tlgpu_bo bo[2];
	uint32_t tls[2], ntl[2], binary;
	int fences[CIF_MAX_JOBS + 1], order[CIF_MAX_JOBS + 8];
	unsigned int i, n = 0;
	int dmabuf, ret;

	for (i = 0; i < 2; i++) {
		ret = tlgpu_open_index(stress_dev_index(c + i), &f[i]);
		STRESS_CHECK(sh, ret >= 0, 1, "child %u: open: %s", c,
			     strerror(-ret));
		ntl[i] = stress_timelines(f[i].fd);
		ret = tlgpu_syncobj_create(f[i].fd, 0, &tls[i]);
		STRESS_CHECK(sh, !ret, 1, "syncobj: %s", strerror(-ret));
	}
	ret = tlgpu_syncobj_create(f[0].fd, 0, &binary);
	STRESS_CHECK(sh, !ret, 1, "syncobj: %s", strerror(-ret));
	ret = tlgpu_bo_create(f[0].fd, PAGE, 0, &bo[0]);
	STRESS_CHECK(sh, !ret, 1, "BO_CREATE: %s", strerror(-ret));
	ret = tlgpu_bo_export(&bo[0], 0, &dmabuf);
	STRESS_CHECK(sh, !ret, 1, "export: %s", strerror(-ret));
	ret = tlgpu_bo_import(f[1].fd, dmabuf, &bo[1]);
	STRESS_CHECK(sh, !ret, 1, "import: %s", strerror(-ret));

	for (i = 0; i < jobs; i++) {
		unsigned int k = stress_rand(&rng) & 1;
		struct drm_tlgpu_sync in = { .handle = tls[k] };
		struct drm_tlgpu_sync out = { .handle = tls[k] };
		struct drm_tlgpu_bo_ref ref = { bo[k].handle, W };
		struct tlgpu_cmdbuf cb = { 0 };
		struct tlgpu_job job = {
			.timeline = stress_rand(&rng) % ntl[k],
			.flags = DRM_TLGPU_SUBMIT_FENCE_OUT |
				 DRM_TLGPU_SUBMIT_NO_IMPLICIT,
			/* Listed: mapped for the job, handle or no handle. */
			.bos = &ref,
			.bo_count = 1,
			.out_syncs = &out,
			.out_sync_count = 1,
		};

		/* Some wait for an earlier point of their file's timeline. */
		if (points[k] && stress_rand(&rng) % 3 == 0) {
			in.point = 1 + stress_rand(&rng) % points[k];
			job.in_syncs = &in;
			job.in_sync_count = 1;
		}
		if (k == 0 && stress_rand(&rng) % 4 == 0)
			out = (struct drm_tlgpu_sync){ .handle = binary };
		else
			out.point = ++points[k];
		tlgpu_cmd_delay(&cb, 200 + stress_rand(&rng) % 2800);
		tlgpu_cmd_store(&cb, bo[k].gpu_va + i * 8,
				cif_magic(c, round, i));
		ret = tlgpu_submit_cmdbuf(f[k].fd, &job, &cb, &fences[i], NULL);
		tlgpu_cmdbuf_fini(&cb);
		STRESS_CHECK(sh, !ret, 1, "child %u job %u: SUBMIT: %s", c, i,
			     strerror(-ret));
	}
	fences[jobs] = dmabuf;
	ret = stress_send_fds(sock, fences, jobs + 1);
	STRESS_CHECK(sh, !ret, 1, "sendmsg: %s", strerror(-ret));

	/*
	 * Let go of everything in random order, jobs still running: sync
	 * files (0..jobs-1), then the syncobjs, handles, mappings, dma-buf
	 * and the files themselves (codes above 1000).
	 */
	for (i = 0; i < jobs; i++)
		order[n++] = i;
	for (i = 0; i < 7; i++)
		order[n++] = 1000 + i;
	shuffle(order, n, &rng);
	for (i = 0; i < n; i++) {
		switch (order[i]) {
		case 1000: tlgpu_syncobj_destroy(f[0].fd, tls[0]); break;
		case 1001: tlgpu_syncobj_destroy(f[1].fd, tls[1]); break;
		case 1002: tlgpu_syncobj_destroy(f[0].fd, binary); break;
		case 1003: tlgpu_gem_close(f[0].fd, bo[0].handle); break;
		case 1004: tlgpu_gem_close(f[1].fd, bo[1].handle); break;
		case 1005: close(dmabuf); break;
		/* Half the time the file goes with the process. */
		case 1006: if (round & 1) close(f[1].fd); break;
		default: close(fences[order[i]]); break;
		}
	}
	return 0;
}

static enum ktap_result test_close_in_flight(void)
{
	unsigned int procs = stress_debug_kernel() ? 4 : 6;
	unsigned int rounds, r, c, i, ok = 0, faulted = 0, jobs;
	struct stress_budget budget;
	int fds[STRESS_MAX_PASS_FDS], sv[2], status, ret;
	pid_t pid;

	CHECK(shared_init("close-in-flight"));
	rounds = stress_count(10, 5);
	jobs = stress_count(CIF_MAX_JOBS, 48);
	if (jobs > CIF_MAX_JOBS)
		jobs = CIF_MAX_JOBS;
	stress_budget_start(&budget, 40, 150);

	for (r = 0; r < rounds && !stress_budget_over(&budget); r++) {
		for (c = 0; c < procs; c++) {
			uint64_t *map;
			int n;

			KTAP_ASSERT(!socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv),
				    "socketpair: %s", strerror(errno));
			pid = fork();
			KTAP_ASSERT(pid >= 0, "fork: %s", strerror(errno));
			if (!pid) {
				close(sv[0]);
				_exit(cif_child(sv[1], c, r, jobs));
			}
			close(sv[1]);
			n = stress_recv_fds(sv[0], fds, STRESS_MAX_PASS_FDS,
					    FENCE_TIMEOUT_MS);
			close(sv[0]);
			KTAP_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
			KTAP_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status),
				    "child %u round %u: status %#x", c, r,
				    status);
			KTAP_ASSERT((unsigned int)n == jobs + 1,
				    "child %u: received %d fds", c, n);

			/* The child and its files are gone; the jobs not. */
			map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED,
				   fds[jobs], 0);
			KTAP_ASSERT(map != MAP_FAILED, "mmap of the dma-buf: %s",
				    strerror(errno));
			for (i = 0; i < jobs; i++) {
				ret = fence_result(fds[i]);
				if (ret == 1) {
					KTAP_ASSERT(map[i] == cif_magic(c, r, i),
						    "child %u job %u signalled but its store reads %#llx",
						    c, i,
						    (unsigned long long)map[i]);
					ok++;
				} else {
					/*
					 * Still queued in its file's entity
					 * when the file closed: killed by the
					 * scheduler.  (Its buffer stays
					 * mapped for it: no fault.)
					 */
					KTAP_ASSERT(ret == -ESRCH,
						    "child %u job %u: fence %d",
						    c, i, ret);
					KTAP_ASSERT(map[i] == 0,
						    "child %u job %u failed but wrote %#llx",
						    c, i,
						    (unsigned long long)map[i]);
					faulted++;
				}
				close(fds[i]);
			}
			munmap(map, PAGE);
			close(fds[jobs]);
		}
	}
	ktap_diag("%u rounds x %u processes x %u jobs in %lld ms: %u done, %u killed with their file's entity",
		  r, procs, jobs, (long long)stress_budget_ms(&budget), ok,
		  faulted);
	KTAP_ASSERT_EQ(atomic_load(&sh->failures), 0);
	KTAP_ASSERT(ok >= jobs, "only %u jobs completed", ok);
	CHECK(check_devices_idle());
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Timeouts and resets                                                 */
/* ------------------------------------------------------------------ */

static enum ktap_result read_timeout_ms(uint64_t *ms)
{
	int ret = test_read_sysfs_u64(TLGPU_TIMEOUT_PARAM, ms);

	KTAP_ASSERT(!ret, TLGPU_TIMEOUT_PARAM ": %s", strerror(-ret));
	if (*ms > 5000)
		return ktap_skip("timeout_ms=%llu: too slow to provoke",
				 (unsigned long long)*ms);
	return KTAP_PASS;
}

/* Device-side and cross-device dependants of a hanging job. */
struct hang_world {
	struct tlgpu_node g, i, x;	/* guilty file, innocent, device 1 */
	struct tlgpu_bo gbo, ibo, xbo;
	uint32_t ntl;
};

static enum ktap_result hang_world_open(struct hang_world *w)
{
	TEST_OPEN(0, &w->g);
	TEST_OPEN(0, &w->i);
	CHECK(test_open(stress_dev_index(1), &w->x));
	w->ntl = stress_timelines(w->g.fd);
	CHECK(test_need_timelines(w->g.fd, 2));
	TEST_BO(w->g.fd, PAGE, &w->gbo);
	TEST_BO(w->i.fd, PAGE, &w->ibo);
	TEST_BO(w->x.fd, PAGE, &w->xbo);
	return KTAP_PASS;
}

static uint64_t *slot(const struct tlgpu_bo *bo, unsigned int i)
{
	return (uint64_t *)bo->map + i;
}

/*
 * What every hang scenario checks once the hanging job was reset: its
 * fence failed with -ETIME, its file's jobs behind it on the ring were
 * cancelled, everybody else ran and wrote.
 */
struct hang_jobs {
	int guilty, followers[2];	/* g on timeline @tl */
	int innocents[2];		/* i on timeline @tl */
	int waiter;			/* i on another timeline, WAITs */
	int remote;			/* x on device 1, sync file dep */
};

static enum ktap_result hang_submit(struct hang_world *w, unsigned int tl,
				    unsigned int guilty_ms, struct hang_jobs *j)
{
	unsigned int k;

	KTAP_ASSERT_OK(store_job(w->g.fd, tl, 0, w->gbo.gpu_va, 0x9, guilty_ms * 1000,
				 NULL, 0, -1, &j->guilty));
	for (k = 0; k < 2; k++)
		KTAP_ASSERT_OK(store_job(w->g.fd, tl, 0,
					 w->gbo.gpu_va + 8 * (k + 1), 0x10 + k,
					 0, NULL, 0, -1, &j->followers[k]));
	for (k = 0; k < 2; k++)
		KTAP_ASSERT_OK(store_job(w->i.fd, tl, 0,
					 w->ibo.gpu_va + 8 * k, 0x20 + k, 1000,
					 NULL, 0, -1, &j->innocents[k]));
	KTAP_ASSERT_OK(store_job(w->i.fd, (tl + 1) % w->ntl, 0,
				 w->ibo.gpu_va + 8 * 2, 0x22, 0, NULL, 0,
				 j->guilty, &j->waiter));
	KTAP_ASSERT_OK(store_job(w->x.fd, 0, 0, w->xbo.gpu_va, 0x30, 0, NULL,
				 0, j->guilty, &j->remote));
	return KTAP_PASS;
}

static enum ktap_result hang_check(struct hang_world *w, struct hang_jobs *j,
				   bool guilty_open)
{
	struct drm_tlgpu_reset_status st;
	unsigned int k;

	KTAP_ASSERT_EQ(fence_result(j->guilty), -ETIME);
	for (k = 0; k < 2; k++)
		KTAP_ASSERT_EQ(fence_result(j->followers[k]), -ECANCELED);
	for (k = 0; k < 2; k++)
		KTAP_ASSERT_EQ(fence_result(j->innocents[k]), 1);
	KTAP_ASSERT_EQ(fence_result(j->waiter), 1);
	KTAP_ASSERT_EQ(fence_result(j->remote), 1);
	if (guilty_open) {
		/* Reset before the STOREs ran: nothing of g's was written. */
		for (k = 0; k < 3; k++)
			KTAP_ASSERT_EQ(*slot(&w->gbo, k), 0);
		KTAP_ASSERT_OK(tlgpu_get_reset_status(w->g.fd, &st));
		KTAP_ASSERT(st.guilty >= 1, "guilty %llu",
			    (unsigned long long)st.guilty);
	}
	for (k = 0; k < 3; k++)
		KTAP_ASSERT_EQ(*slot(&w->ibo, k), 0x20 + k);
	KTAP_ASSERT_EQ(*slot(&w->xbo, 0), 0x30);
	KTAP_ASSERT_OK(tlgpu_get_reset_status(w->i.fd, &st));
	KTAP_ASSERT(st.innocent >= 1 && st.device_resets >= 1,
		    "innocent %llu device_resets %llu",
		    (unsigned long long)st.innocent,
		    (unsigned long long)st.device_resets);
	close(j->guilty);
	for (k = 0; k < 2; k++) {
		close(j->followers[k]);
		close(j->innocents[k]);
	}
	close(j->waiter);
	close(j->remote);
	return KTAP_PASS;
}

/* Keeps submitting short checked jobs until stop: "the device completes". */
struct busy_arg {
	unsigned int dev;
	uint64_t skip_mask;	/* timelines left alone */
	atomic_ulong done;
};

static void *busy_thread(void *arg)
{
	struct busy_arg *b = arg;
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint64_t k;
	uint32_t ntl;
	int fence, ret;

	if (tlgpu_open_index(b->dev, &n) < 0 ||
	    tlgpu_bo_create(n.fd, PAGE, 0, &bo) || tlgpu_bo_map(&bo)) {
		STRESS_FAIL(sh, "busy thread: setup failed");
		return NULL;
	}
	ntl = stress_timelines(n.fd);
	for (k = 1; !atomic_load(&sh->stop); k++) {
		unsigned int tl = k % ntl;

		if (b->skip_mask & (1ull << tl))
			continue;
		ret = store_job(n.fd, tl, 0, bo.gpu_va + (k % 512) * 8, k,
				100, NULL, 0, -1, &fence);
		if (ret) {
			STRESS_FAIL(sh, "busy job: SUBMIT %s", strerror(-ret));
			break;
		}
		ret = fence_result(fence);
		close(fence);
		if (ret != 1 || ((uint64_t *)bo.map)[k % 512] != k) {
			STRESS_FAIL(sh, "busy job %llu on tl%u: fence %d",
				    (unsigned long long)k, tl, ret);
			break;
		}
		atomic_fetch_add(&b->done, 1);
	}
	close(n.fd);
	return NULL;
}

static enum ktap_result test_timeout_reset(void)
{
	struct stress_budget budget;
	struct tlgpu_node d1;
	struct hang_jobs j;
	uint64_t timeout;
	unsigned int r, rounds;
	bool inject;

	CHECK(shared_init("timeout-reset"));
	CHECK(read_timeout_ms(&timeout));
	/*
	 * Three scenarios (plain, guilty file closed, interrupts lost and
	 * doubled), not repetitions: tlgpu_stress_scale leaves them alone.
	 */
	rounds = 3;
	stress_budget_start(&budget, 60, 150);
	CHECK(test_open(stress_dev_index(1), &d1));
	inject = stress_need_inject(&d1) == KTAP_PASS;

	for (r = 0; r < rounds && !stress_budget_over(&budget); r++) {
		struct hang_world w;
		bool close_guilty = r == 1;

		CHECK(hang_world_open(&w));
		/* Round 2: interrupts lost and doubled meanwhile. */
		if (inject && r == 2) {
			KTAP_ASSERT_OK(stress_inject(&w.g, "irq_dup_every", 3));
			KTAP_ASSERT_OK(stress_inject(&d1, "irq_drop_every", 4));
		}
		CHECK(hang_submit(&w, r % w.ntl, timeout + 3000, &j));
		if (close_guilty) {
			/* The guilty file closes while its job hangs. */
			test_sleep_ms(100);
			close(w.g.fd);
		}
		CHECK(hang_check(&w, &j, !close_guilty));
		if (inject && r == 2) {
			KTAP_ASSERT_OK(stress_inject(&w.g, "irq_dup_every", 0));
			KTAP_ASSERT_OK(stress_inject(&d1, "irq_drop_every", 0));
		}
		if (!close_guilty)
			close(w.g.fd);
		close(w.i.fd);
		close(w.x.fd);
	}
	ktap_diag("%u resets in %lld ms (timeout_ms %llu)", r,
		  (long long)stress_budget_ms(&budget),
		  (unsigned long long)timeout);
	KTAP_ASSERT(r >= 2, "only %u rounds", r);
	close(d1.fd);
	CHECK(check_devices_idle());
	return KTAP_PASS;
}

/*
 * A job's timeout counts its own time on the device: the time it spent
 * blocked in a device WAIT for another timeline does not.  B WAITs for A,
 * A runs for just under a timeout (so it completes, without a reset,
 * right before B's timer fires), then B runs for half a timeout.
 */
static enum ktap_result test_timeout_after_wait(void)
{
	struct drm_tlgpu_reset_status before, after;
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint64_t timeout;
	unsigned int r;
	int a, b;

	CHECK(read_timeout_ms(&timeout));
	KTAP_ASSERT(timeout >= 1000, "timeout_ms=%llu: no margin",
		    (unsigned long long)timeout);
	TEST_OPEN(0, &n);
	CHECK(test_need_timelines(n.fd, 2));
	TEST_BO(n.fd, PAGE, &bo);
	for (r = 0; r < 2; r++) {
		KTAP_ASSERT_OK(tlgpu_get_reset_status(n.fd, &before));
		KTAP_ASSERT_OK(store_job(n.fd, 0, 0, bo.gpu_va, 0xa0 + r,
					 (timeout - 400) * 1000, NULL, 0, -1,
					 &a));
		KTAP_ASSERT_OK(store_job(n.fd, 1, 0, bo.gpu_va + 8, 0xb0 + r,
					 timeout / 2 * 1000, NULL, 0, a, &b));
		KTAP_ASSERT_EQ(fence_result(a), 1);
		KTAP_ASSERT_EQ(fence_result(b), 1);
		KTAP_ASSERT_EQ(slot(&bo, 0)[0], 0xa0 + r);
		KTAP_ASSERT_EQ(slot(&bo, 1)[0], 0xb0 + r);
		KTAP_ASSERT_OK(tlgpu_get_reset_status(n.fd, &after));
		KTAP_ASSERT_EQ(after.device_resets, before.device_resets);
		KTAP_ASSERT_EQ(after.guilty, before.guilty);
		close(a);
		close(b);
	}
	KTAP_ASSERT_OK(tlgpu_bo_close(&bo));
	close(n.fd);
	return KTAP_PASS;
}

static enum ktap_result test_hang_injection(void)
{
	struct busy_arg busy[2] = { { 0 }, { 0 } };
	unsigned int tl, k, rounds, r;
	struct stress_budget budget;
	struct hang_world w;
	struct hang_jobs j;
	pthread_t threads[2];
	uint64_t timeout;
	char state[16];
	int64_t start;

	CHECK(shared_init("hang-injection"));
	CHECK(read_timeout_ms(&timeout));
	rounds = stress_count(2, 2);
	stress_budget_start(&budget, 60, 150);

	for (r = 0; r < rounds && !stress_budget_over(&budget); r++) {
		CHECK(hang_world_open(&w));
		CHECK(stress_need_inject(&w.g));
		tl = w.ntl - 1 - r % w.ntl;
		if (!tl)
			tl = 1;
		/* Other timelines of both devices keep working meanwhile. */
		atomic_store(&sh->stop, false);
		for (k = 0; k < 2; k++) {
			busy[k].dev = stress_dev_index(k);
			/* Not the hanging timeline, nor the one WAITing for it. */
			busy[k].skip_mask = k ? 0 : 1ull << tl |
					    1ull << (tl + 1) % w.ntl;
			atomic_store(&busy[k].done, 0);
			KTAP_ASSERT(!pthread_create(&threads[k], NULL,
						    busy_thread, &busy[k]),
				    "pthread_create");
		}

		KTAP_ASSERT_OK(stress_inject(&w.g, "hang_mask", 1ull << tl));
		CHECK(hang_submit(&w, tl, 0, &j));
		/* Hung at the guilty job: clear the mask, one reset follows. */
		start = tlgpu_now_ns();
		do {
			KTAP_ASSERT_OK(stress_timeline_state(&w.g, tl, state,
							     sizeof(state)));
			if (!strcmp(state, "hung"))
				break;
			test_sleep_ms(5);
		} while (test_elapsed_ms(start) < FENCE_TIMEOUT_MS);
		KTAP_ASSERT_OK(stress_inject(&w.g, "hang_mask", 0));
		KTAP_ASSERT(!strcmp(state, "hung"), "timeline %u is %s", tl,
			    state);
		CHECK(hang_check(&w, &j, true));

		atomic_store(&sh->stop, true);
		for (k = 0; k < 2; k++)
			pthread_join(threads[k], NULL);
		KTAP_ASSERT_EQ(atomic_load(&sh->failures), 0);
		ktap_diag("round %u: hang on tl%u reset after %lld ms; %lu and %lu jobs meanwhile",
			  r, tl, (long long)test_elapsed_ms(start),
			  atomic_load(&busy[0].done),
			  atomic_load(&busy[1].done));
		KTAP_ASSERT(atomic_load(&busy[0].done) > 0,
			    "nothing ran during the hang");
		close(w.g.fd);
		close(w.i.fd);
		close(w.x.fd);
	}
	CHECK(check_devices_idle());
	return KTAP_PASS;
}

/*
 * Interrupts lost (injected): the jobs complete on the device but only
 * the timeout notices it (the driver's "missed interrupt" path).  The
 * fences signal without error after about timeout_ms, the data is there,
 * and nothing is left behind: tlgpu's module count comes back to what it
 * was once the files are closed (a job holds its hardware fence, which
 * pins the module before 7.0; from 7.0 the job pins it itself), so every
 * job was freed.
 */
static enum ktap_result test_missed_interrupt(void)
{
	unsigned int rounds, r, k;
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint64_t timeout;
	int before, fence[2], ret;
	int64_t start, took;

	CHECK(shared_init("missed-interrupt"));
	CHECK(read_timeout_ms(&timeout));
	TEST_OPEN(0, &n);
	CHECK(stress_need_inject(&n));
	close(n.fd);
	rounds = stress_count(3, 3);
	before = test_module_refcnt();
	KTAP_ASSERT(before >= 0, "module count: %s", strerror(-before));

	for (r = 0; r < rounds; r++) {
		TEST_OPEN(0, &n);
		TEST_BO(n.fd, PAGE, &bo);
		KTAP_ASSERT_OK(stress_inject(&n, "irq_drop_every", 1));
		start = tlgpu_now_ns();
		for (k = 0; k < 2; k++)
			KTAP_ASSERT_OK(store_job(n.fd, r % stress_timelines(n.fd),
						 0, bo.gpu_va + 8 * k, 0x1057 + k,
						 0, NULL, 0, -1, &fence[k]));
		ret = fence_result(fence[1]);
		took = test_elapsed_ms(start);
		KTAP_ASSERT_OK(stress_inject(&n, "irq_drop_every", 0));
		KTAP_ASSERT_EQ(ret, 1);
		KTAP_ASSERT_EQ(fence_result(fence[0]), 1);
		for (k = 0; k < 2; k++) {
			KTAP_ASSERT_EQ(((uint64_t *)bo.map)[k], 0x1057 + k);
			close(fence[k]);
		}
		ktap_diag("round %u: lost interrupts noticed after %lld ms (timeout_ms %llu)",
			  r, (long long)took, (unsigned long long)timeout);
		KTAP_ASSERT_OK(tlgpu_bo_close(&bo));
		close(n.fd);
	}
	/* A timeout period for anything the scheduler still holds. */
	ret = test_wait_module_refcnt(before, timeout + 5000);
	ktap_diag("module count %d before, %d after", before,
		  test_module_refcnt());
	KTAP_ASSERT(!ret, "jobs never freed: tlgpu's module count stays up");
	CHECK(check_devices_idle());
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Unbind with jobs in flight                                          */
/* ------------------------------------------------------------------ */

#define UNBIND_JOBS	16

/* Submits to @fd until the device is gone; 0 if it ended with -ENODEV. */
static int unbind_submitter(int fd, int ready)
{
	struct tlgpu_bo bo;
	uint64_t k;
	int fence, ret;

	if (tlgpu_bo_create(fd, PAGE, 0, &bo))
		return 1;
	if (write(ready, "r", 1) != 1)
		return 1;
	for (k = 0; k < 1000000; k++) {
		ret = store_job(fd, k % stress_timelines(fd), 0, bo.gpu_va,
				k, 2000, NULL, 0, -1, &fence);
		if (ret == -ENODEV)
			return 0;
		if (ret) {
			STRESS_FAIL(sh, "submitter: SUBMIT: %s",
				    strerror(-ret));
			return 1;
		}
		ret = tlgpu_sync_file_wait(fence, FENCE_TIMEOUT_MS);
		ret = ret ? ret : tlgpu_sync_file_status(fence);
		close(fence);
		if (ret != 1 && ret != -ENODEV) {
			STRESS_FAIL(sh, "submitter: fence %d", ret);
			return 1;
		}
	}
	STRESS_FAIL(sh, "submitter: never saw the device go");
	return 1;
}

/* Unbinds the last device, which @undo binds again if need be. */
static enum ktap_result unbind_in_flight(struct test_undo *undo)
{
	int fences[UNBIND_JOBS], kfences[4], dmabuf, ready[2], ret;
	unsigned int victim, i, done = 0, gone = 0;
	struct tlgpu_node u, k, again;
	struct tlgpu_bo bo, ubo;
	char slot[64], name[32];
	uint32_t tsync, bsync;
	int64_t start;
	int status;
	pid_t pid;

	CHECK(shared_init("unbind-in-flight"));
	if (access(TLGPU_DRIVER_SYSFS "/unbind", W_OK))
		return ktap_skip("no writable " TLGPU_DRIVER_SYSFS "/unbind");
	victim = stress_num_devices() - 1;
	if (!victim)
		return ktap_skip("needs 2 devices: one stays bound");
	TEST_OPEN(victim, &u);
	TEST_OPEN(0, &k);
	KTAP_ASSERT_OK(stress_pci_slot(&u, slot, sizeof(slot)));

	/* Device 0 owns the buffer; the victim imports it. */
	TEST_BO(k.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_bo_import(u.fd, dmabuf, &ubo));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(u.fd, 0, &tsync));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(u.fd, 0, &bsync));

	/*
	 * A process keeps submitting on a file of its own until the end; it
	 * is killed if the case fails before it is reaped.
	 */
	KTAP_ASSERT(!pipe(ready), "pipe");
	pid = fork();
	KTAP_ASSERT(pid >= 0, "fork");
	if (!pid) {
		struct tlgpu_node mine;

		close(ready[0]);
		if (tlgpu_open_index(victim, &mine) < 0)
			_exit(1);
		_exit(unbind_submitter(mine.fd, ready[1]));
	}
	undo->child = pid;
	close(ready[1]);
	/* 0 bytes: the child is gone without a word. */
	KTAP_ASSERT_EQ(read(ready[0], name, 1), 1);
	close(ready[0]);

	/* Jobs on every timeline writing the shared buffer, slowly. */
	for (i = 0; i < UNBIND_JOBS; i++) {
		struct drm_tlgpu_bo_ref ref = { ubo.handle, W };
		struct drm_tlgpu_sync out[2] = {
			{ .handle = tsync, .point = i + 1 },
			{ .handle = bsync },
		};
		struct tlgpu_cmdbuf cb = { 0 };
		struct tlgpu_job job = {
			.timeline = i % stress_timelines(u.fd),
			.flags = DRM_TLGPU_SUBMIT_FENCE_OUT,
			.bos = &ref,
			.bo_count = 1,
			.out_syncs = out,
			.out_sync_count = 2,
		};

		tlgpu_cmd_delay(&cb, 100000);
		tlgpu_cmd_store(&cb, ubo.gpu_va + 8 * i, 0x0b0b0000 + i);
		KTAP_ASSERT_OK(tlgpu_submit_cmdbuf(u.fd, &job, &cb, &fences[i],
						   NULL));
		tlgpu_cmdbuf_fini(&cb);
	}
	/* Device 0 waits for them: implicitly and through a sync file. */
	for (i = 0; i < 4; i++) {
		struct drm_tlgpu_bo_ref ref = { bo.handle, W };

		KTAP_ASSERT_OK(store_job(k.fd, i % stress_timelines(k.fd), 0,
					 bo.gpu_va + 8 * (UNBIND_JOBS + i),
					 0x0c0c0000 + i, 0, &ref, 1,
					 fences[UNBIND_JOBS - 1 - i],
					 &kfences[i]));
	}

	ktap_diag("unbinding %s with %d pending fences", slot,
		  stress_pending_fences(&u));
	start = tlgpu_now_ns();
	ret = test_unbind(undo, slot);
	KTAP_ASSERT_OK(ret);
	ktap_diag("unbind took %lld ms", (long long)test_elapsed_ms(start));

	/* Every fence of the victim signalled: done, or failed with -ENODEV. */
	for (i = 0; i < UNBIND_JOBS; i++) {
		ret = fence_result(fences[i]);
		if (ret == 1)
			done++;
		else if (ret == -ENODEV)
			gone++;
		else
			KTAP_ASSERT(false, "victim job %u: fence %d", i, ret);
		if (ret == 1)
			KTAP_ASSERT_EQ(((uint64_t *)bo.map)[i], 0x0b0b0000 + i);
	}
	ktap_diag("victim jobs: %u done, %u failed with -ENODEV", done, gone);
	KTAP_ASSERT_RET(tlgpu_get_param(u.fd, DRM_TLGPU_PARAM_NUM_TIMELINES,
					&(uint64_t){ 0 }), -ENODEV);
	KTAP_ASSERT_RET(tlgpu_syncobj_query(u.fd, tsync, 0, &(uint64_t){ 0 }),
			-ENODEV);
	KTAP_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid");
	undo->child = 0;
	KTAP_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status),
		    "submitter status %#x", status);

	/* Device 0's jobs did not care. */
	for (i = 0; i < 4; i++) {
		KTAP_ASSERT_EQ(fence_result(kfences[i]), 1);
		KTAP_ASSERT_EQ(((uint64_t *)bo.map)[UNBIND_JOBS + i],
			       0x0c0c0000 + i);
		close(kfences[i]);
	}

	/* The victim's files go; everything of it is released. */
	for (i = 0; i < UNBIND_JOBS; i++)
		close(fences[i]);
	close(u.fd);

	/* Bound again, the device works. */
	KTAP_ASSERT_OK(test_write_file(TLGPU_DRIVER_SYSFS "/bind", slot));
	KTAP_ASSERT_OK(stress_open_slot(slot, FENCE_TIMEOUT_MS, &again));
	CHECK(sanity_job(&again));
	close(again.fd);
	close(dmabuf);
	KTAP_ASSERT_EQ(atomic_load(&sh->failures), 0);
	CHECK(check_devices_idle());
	return KTAP_PASS;
}

static enum ktap_result test_unbind_in_flight(void)
{
	struct test_undo undo = { 0 };

	return test_undo(&undo, unbind_in_flight(&undo));
}

/*
 * Fences outlive their device: a job of the last device writes a buffer of
 * device 0 and is still pending when the device is unbound; then the
 * device's last file closes, which frees the DRM device.  Its fences live
 * on in a sync file and in the buffer's dma_resv, and reading their names
 * (SYNC_IOC_FILE_INFO, the dma-buf debugfs bufinfo, a sync file exported
 * from the dma-buf) must not touch the freed device: the timeline's name,
 * its scheduler's, lives as long as a fence of it does.  Whatever fails,
 * @undo binds the device again.
 */
static enum ktap_result unbound_fence_names(struct test_undo *undo)
{
	char slot[64], name[32], want[80], info[16384];
	struct sync_fence_info fi;
	struct tlgpu_node u, k, again;
	struct tlgpu_bo bo, ubo;
	int fence, exported, dmabuf, ret, detach;
	unsigned int victim;

	CHECK(shared_init("unbound-fence-names"));
	if (access(TLGPU_DRIVER_SYSFS "/unbind", W_OK))
		return ktap_skip("no writable " TLGPU_DRIVER_SYSFS "/unbind");
	victim = stress_num_devices() - 1;
	if (!victim)
		return ktap_skip("needs 2 devices: one stays bound");
	TEST_OPEN(victim, &u);
	TEST_OPEN(0, &k);
	detach = test_kernel_feature(&k, "signalled_names_detach");
	KTAP_ASSERT(detach >= 0, "kernel_features: %s", strerror(-detach));
	KTAP_ASSERT_OK(stress_pci_slot(&u, slot, sizeof(slot)));
	TEST_BO(k.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_bo_import(u.fd, dmabuf, &ubo));
	{
		struct drm_tlgpu_bo_ref ref = { ubo.handle, W };

		KTAP_ASSERT_OK(store_job(u.fd, 0, 0, ubo.gpu_va, 1, 1500000,
					 &ref, 1, -1, &fence));
	}
	KTAP_ASSERT_OK(test_unbind(undo, slot));
	ret = fence_result(fence);
	KTAP_ASSERT(ret == -ENODEV || ret == 1, "victim's fence: %d", ret);
	close(u.fd);
	/* The DRM device of the victim is gone now (its last file closed). */
	test_sleep_ms(200);

	KTAP_ASSERT_OK(tlgpu_sync_file_fence_info(fence, &fi));
	ktap_diag("a fence of the freed device: driver '%s', timeline '%s', status %d",
		  fi.driver_name, fi.obj_name, tlgpu_sync_file_status(fence));
	/* Signalled (the unbind failed it, or it completed): named by the
	 * scheduler before 6.17, by the kernel's rule from then. */
	if (detach)
		snprintf(want, sizeof(want), "signaled-timeline");
	else
		snprintf(want, sizeof(want), "tlgpu-%s-tl0", slot);
	KTAP_ASSERT(!strcmp(fi.obj_name, want), "timeline '%s', expected '%s'",
		    fi.obj_name, want);
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(dmabuf, DMA_BUF_SYNC_WRITE,
						     &exported));
	KTAP_ASSERT_OK(tlgpu_sync_file_driver(exported, name, sizeof(name)));
	close(exported);
	ret = stress_read_file(DMABUF_INFO, info, sizeof(info));
	KTAP_ASSERT(ret >= 0 || ret == -ENOENT, DMABUF_INFO ": %s",
		    strerror(-ret));
	close(fence);
	close(dmabuf);

	KTAP_ASSERT_OK(test_write_file(TLGPU_DRIVER_SYSFS "/bind", slot));
	KTAP_ASSERT_OK(stress_open_slot(slot, FENCE_TIMEOUT_MS, &again));
	CHECK(sanity_job(&again));
	close(again.fd);
	close(k.fd);
	CHECK(check_devices_idle());
	return KTAP_PASS;
}

static enum ktap_result test_unbound_fence_names(void)
{
	struct test_undo undo = { 0 };

	return test_undo(&undo, unbound_fence_names(&undo));
}

/* Waits up to @timeout_ms for @count tlgpu devices; the last count. */
static int wait_devices(int count, int timeout_ms)
{
	struct tlgpu_node nodes[TLGPU_MAX_DEVICES];
	int64_t start = tlgpu_now_ns();
	int n;

	for (;;) {
		n = tlgpu_open_all(nodes, TLGPU_MAX_DEVICES);
		if (n > 0)
			tlgpu_close_all(nodes, n);
		if (n >= count || test_elapsed_ms(start) > timeout_ms)
			return n;
		test_sleep_ms(50);
	}
}

/*
 * A job's sync file is kept while every tlgpu file closes.  The sync file
 * holds the job's scheduler fence, which holds its hardware fence.
 *
 * Before 7.0 (kernel_features fence_detaches: no) the hardware fence
 * holds a reference to tlgpu.ko until it is freed: rmmod is refused
 * (EAGAIN) and the module stays live, so the fence's driver and timeline
 * names (the scheduler's, in the driver's memory) can still be read.
 * Once the sync file is closed, the fences are freed (after an RCU grace
 * period, hence the retries) and the module unloads.
 *
 * From 7.0 (fence_detaches: yes) a signalled fence is independent of its
 * driver, and tlgpu's hold nothing of it: once the job is freed (after a
 * grace period, hence the retries) rmmod succeeds with the sync file
 * still open, and the fence reads as the kernel names every signalled
 * fence ("detached-driver", "signaled-timeline"), still signalled without
 * error.  Closing it then frees it with tlgpu gone.
 *
 * Then the module comes back with every device, by test_undo() if the
 * case failed on the way.
 */
static enum ktap_result unload_held_fence(void)
{
	unsigned int devices = stress_num_devices();
	char slot[64], want[80], state[32];
	struct sync_fence_info fi;
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int fence, ret, detach, names;

	CHECK(shared_init("unload-held-fence"));
	if (access(TLGPU_MODULE_SYSFS "/initstate", F_OK))
		return ktap_skip("tlgpu is built in or not loaded");
	TEST_OPEN(0, &n);
	detach = test_kernel_feature(&n, "fence_detaches");
	KTAP_ASSERT(detach >= 0, "kernel_features: %s", strerror(-detach));
	names = test_kernel_feature(&n, "signalled_names_detach");
	KTAP_ASSERT(names >= 0, "kernel_features: %s", strerror(-names));
	KTAP_ASSERT_OK(stress_pci_slot(&n, slot, sizeof(slot)));
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(store_job(n.fd, 0, 0, bo.gpu_va, 0x10ad, 0, NULL, 0,
				 -1, &fence));
	KTAP_ASSERT_EQ(fence_result(fence), 1);
	KTAP_ASSERT_EQ(*(uint64_t *)bo.map, 0x10ad);
	KTAP_ASSERT_OK(tlgpu_bo_close(&bo));
	close(n.fd);
	/* The job freed, the file's VM released: only the sync file is left. */
	test_sleep_ms(200);

	if (detach) {
		KTAP_ASSERT_OK(test_rmmod("tlgpu", UNLOAD_TIMEOUT_MS));
		KTAP_ASSERT(access(TLGPU_MODULE_SYSFS, F_OK) && errno == ENOENT,
			    TLGPU_MODULE_SYSFS " still there after rmmod");
		KTAP_ASSERT_OK(tlgpu_sync_file_fence_info(fence, &fi));
		ktap_diag("the held fence, tlgpu unloaded: driver '%s', timeline '%s'",
			  fi.driver_name, fi.obj_name);
		KTAP_ASSERT(!strcmp(fi.driver_name, "detached-driver"),
			    "driver '%s', expected 'detached-driver'", fi.driver_name);
		KTAP_ASSERT(!strcmp(fi.obj_name, "signaled-timeline"),
			    "timeline '%s', expected 'signaled-timeline'", fi.obj_name);
		KTAP_ASSERT_EQ(tlgpu_sync_file_status(fence), 1);
		close(fence);
		goto reload;
	}

	KTAP_ASSERT_RET(test_rmmod("tlgpu", 0), -EAGAIN);
	ret = stress_read_file(TLGPU_MODULE_SYSFS "/initstate", state,
			       sizeof(state));
	KTAP_ASSERT(ret > 0 && !strcmp(state, "live\n"), "initstate: %s",
		    ret < 0 ? strerror(-ret) : state);

	KTAP_ASSERT_OK(tlgpu_sync_file_fence_info(fence, &fi));
	ktap_diag("the held fence: driver '%s', timeline '%s'",
		  fi.driver_name, fi.obj_name);
	/* 6.17 to 6.19: the kernel names no driver of a signalled fence. */
	if (names) {
		KTAP_ASSERT(!strcmp(fi.driver_name, "detached-driver"),
			    "driver '%s', expected 'detached-driver'", fi.driver_name);
		snprintf(want, sizeof(want), "signaled-timeline");
	} else {
		KTAP_ASSERT(!strcmp(fi.driver_name, "drm_sched"),
			    "driver '%s', expected 'drm_sched'", fi.driver_name);
		snprintf(want, sizeof(want), "tlgpu-%s-tl0", slot);
	}
	KTAP_ASSERT(!strcmp(fi.obj_name, want), "timeline '%s', expected '%s'",
		    fi.obj_name, want);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fence), 1);

	close(fence);
	KTAP_ASSERT_OK(test_rmmod("tlgpu", UNLOAD_TIMEOUT_MS));
reload:
	ret = system("modprobe tlgpu");
	KTAP_ASSERT(ret == 0, "modprobe tlgpu: status %d", ret);
	KTAP_ASSERT_EQ(wait_devices(devices, FENCE_TIMEOUT_MS), devices);
	CHECK(check_devices_idle());
	return KTAP_PASS;
}

static enum ktap_result test_unload_held_fence(void)
{
	struct test_undo undo = { 0 };

	return test_undo(&undo, unload_held_fence());
}

static const struct ktap_case cases[] = {
	{ .name = "close-in-flight", .run = test_close_in_flight,
	  .timeout = 240 },
	{ .name = "timeout-reset", .run = test_timeout_reset, .timeout = 240 },
	{ .name = "timeout-after-wait", .run = test_timeout_after_wait,
	  .timeout = 60 },
	{ .name = "hang-injection", .run = test_hang_injection,
	  .timeout = 240 },
	{ .name = "missed-interrupt", .run = test_missed_interrupt,
	  .timeout = 120 },
	{ .name = "unbind-in-flight", .run = test_unbind_in_flight,
	  .timeout = 120 },
	{ .name = "unbound-fence-names", .run = test_unbound_fence_names,
	  .timeout = 60 },
	{ .name = "unload-held-fence", .run = test_unload_held_fence,
	  .timeout = 60 },
};

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	int ret = ktap_main(argc, argv, cases, ARRAY_SIZE(cases));

	/* A failed case may have left an injection on, or tlgpu unloaded. */
	if (access(TLGPU_MODULE_SYSFS, F_OK) && system("modprobe tlgpu"))
		fprintf(stderr, "modprobe tlgpu failed\n");
	stress_inject_off();
	return ret;
}
