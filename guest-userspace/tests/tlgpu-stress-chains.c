/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-stress-chains: long fence chains and many fences, released at
 * once, with kernel memory back at its baseline afterwards.
 *
 *  - import-sync-file-100k: DMA_BUF_IOCTL_IMPORT_SYNC_FILE on one dma-buf
 *    100,000 times (stock kernel; 40,000 on the debug kernel, where
 *    kmemleak and KASAN make each import 1.5-2 ms), from a pool of sync
 *    files that keeps changing: jobs' fences of both devices and all
 *    timelines, merged sync files (arrays), timeline points exported as
 *    sync files (chains), and the dma-buf's own fences exported and fed
 *    back;
 *    every job must complete and write its value.  Then, with a vgem
 *    fence holding every job back, a fresh dma-buf's exports must hold
 *    exactly what dma_resv_add_fence()'s rule predicts (one slot per
 *    context and usage, a WRITE fence taking the context's first slot).
 *  - timeline-1m-points: one timeline syncobj gets 1,000,000 points
 *    (stock kernel; 60,000 on the debug kernel, 1.3 ms a point there):
 *    batches signalled from the CPU, job fences (out_syncs points),
 *    transfers from a binary syncobj and merged sync files imported as
 *    points, interleaved.  The last submitted point is
 *    always the last one added, and every point ends up signalled.
 *  - timeline-unsignalled-chain: a timeline syncobj grows a chain of
 *    thousands of points that are all still pending (behind a vgem fence
 *    nobody signals yet), referenced from the middle by sync files, by
 *    another device's syncobj, by jobs waiting for points and by a
 *    dma_resv.  Everything is released at once while still pending, then
 *    the gate signals: the jobs run, nothing overflows the stack.
 *
 * Each case compares the kernel's unreclaimable slab before and after
 * (stress_mem_check()); kmemleak, on the debug kernel, does the rest.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "stress.h"

#define W		DRM_TLGPU_BO_WRITE

static struct stress_shared *sh;

/* First thing of every case: shared state, injection off, a log mark. */
static enum ktap_result shared_init(const char *name)
{
	return stress_case_begin("tlgpu-stress-chains", name, &sh);
}

static int fence_result(int fd)
{
	int ret = tlgpu_sync_file_wait(fd, FENCE_TIMEOUT_MS);

	return ret ? ret : tlgpu_sync_file_status(fd);
}

/* A file of a device, with a buffer for its jobs' values. */
struct chain_file {
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint32_t ntl;
	unsigned int jobs;
};

#define JOB_SLOTS	4096	/* values per file's buffer */

static enum ktap_result chain_file_open(struct chain_file *f, unsigned int dev)
{
	CHECK(test_open(stress_dev_index(dev), &f->n));
	f->ntl = stress_timelines(f->n.fd);
	f->jobs = 0;
	TEST_BO(f->n.fd, JOB_SLOTS * 8, &f->bo);
	return KTAP_PASS;
}

static uint64_t job_value(const struct chain_file *f, unsigned int i)
{
	return 0x10b0000000000000ull | (uint64_t)f->n.minor << 32 | i;
}

/*
 * A short job of @f storing its value, on a rotating timeline: its sync
 * file, or -errno.  @in_syncs as for SUBMIT; @in_fence or -1.
 */
static int chain_job(struct chain_file *f, const struct drm_tlgpu_sync *in,
		     uint32_t in_count, const struct drm_tlgpu_sync *out,
		     uint32_t out_count, int in_fence, unsigned int delay_us)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_job job = {
		.timeline = f->jobs % f->ntl,
		.flags = DRM_TLGPU_SUBMIT_FENCE_OUT |
			 DRM_TLGPU_SUBMIT_NO_IMPLICIT |
			 (in_fence >= 0 ? DRM_TLGPU_SUBMIT_FENCE_IN : 0),
		.in_syncs = in,
		.in_sync_count = in_count,
		.out_syncs = out,
		.out_sync_count = out_count,
		.in_fence_fd = in_fence,
	};
	int fence, ret;

	if (f->jobs >= JOB_SLOTS)
		return -ENOSPC;
	if (delay_us)
		tlgpu_cmd_delay(&cb, delay_us);
	tlgpu_cmd_store(&cb, f->bo.gpu_va + f->jobs * 8,
			job_value(f, f->jobs));
	ret = tlgpu_submit_cmdbuf(f->n.fd, &job, &cb, &fence, NULL);
	tlgpu_cmdbuf_fini(&cb);
	if (ret) {
		STRESS_FAIL(sh, "job %u: SUBMIT: %s", f->jobs, strerror(-ret));
		return ret;
	}
	f->jobs++;
	return fence;
}

/* Every job of @f wrote its value (all of them signalled already). */
static enum ktap_result chain_file_check(const struct chain_file *f)
{
	const uint64_t *v = f->bo.map;
	unsigned int i;

	for (i = 0; i < f->jobs; i++)
		KTAP_ASSERT(v[i] == job_value(f, i),
			    "%s: job %u's value reads %#llx", f->n.path, i,
			    (unsigned long long)v[i]);
	return KTAP_PASS;
}

static void sample_peak(struct stress_mem *peak)
{
	struct stress_mem m;

	if (!stress_mem_read(&m, false))
		stress_mem_peak(peak, &m);
}

/* ------------------------------------------------------------------ */
/* IMPORT_SYNC_FILE 100,000 times                                      */
/* ------------------------------------------------------------------ */

#define POOL		16

/*
 * dma_resv_add_fence()'s rule, for fences nobody has signalled yet and
 * that come in order on each context (each one later than or the same
 * as the context's last): a WRITE fence takes the context's first slot
 * (of either usage), a READ fence takes the context's READ slot, and a
 * fence only gets a new slot when no such slot exists.  So a context
 * holds [], [W], [R] or [W, R], whatever the number of imports.  A slot
 * whose fence has signalled is reused by the next fence of any context
 * before the loop gets to the fence's own; with fences signalling that
 * makes the count depend on timing, so the rule is checked behind a gate.
 */
enum resv_state { RESV_NONE, RESV_W = 1, RESV_R = 2, RESV_WR = 3 };

/* A context's slots as bits: WRITE takes the first one, READ its own. */
static enum resv_state resv_add(enum resv_state s, bool write)
{
	if (write)
		return s & RESV_W ? s : RESV_W;
	return s | RESV_R;
}

/* Fences of @usage (DMA_BUF_SYNC_WRITE: all, _READ: the writers) ... */
static unsigned int resv_expected(const enum resv_state *s, unsigned int n,
				  bool all)
{
	unsigned int i, count = 0;

	for (i = 0; i < n; i++)
		count += all ? __builtin_popcount(s[i]) : s[i] & RESV_W;
	return count;
}

/* ... against what the dma-buf exports: the count, all unsignalled. */
static enum ktap_result resv_compare(int dmabuf, const enum resv_state *s,
				     unsigned int n, int gate,
				     unsigned int import)
{
	static const uint32_t usage[] = { DMA_BUF_SYNC_WRITE,
					  DMA_BUF_SYNC_READ };
	unsigned int u, want;
	int fd, got, status;

	for (u = 0; u < 2; u++) {
		want = resv_expected(s, n, u == 0);
		KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(dmabuf, usage[u],
							     &fd));
		got = tlgpu_sync_file_fences(fd);
		status = tlgpu_sync_file_status(fd);
		close(fd);
		KTAP_ASSERT(!tlgpu_sync_file_status(gate),
			    "the vgem gate signalled (its own 10 s timeout?) at import %u",
			    import);
		if (!want) {
			/* An empty reservation exports a signalled stub. */
			KTAP_ASSERT(status == 1,
				    "import %u: nothing to wait for, yet the %s export is %d",
				    import, u ? "READ" : "WRITE", status);
			continue;
		}
		KTAP_ASSERT(got == (int)want && status == 0,
			    "after import %u the %s export holds %d fences (status %d), the rule says %u unsignalled",
			    import, u ? "READ" : "WRITE", got, status, want);
	}
	return KTAP_PASS;
}

#define RULE_CONTEXTS	128	/* two devices of at most 64 timelines */

/*
 * Imports @fd, which holds one fence of each of the @n contexts @ctx, as
 * READ or WRITE at random; the export must then match the model.
 */
static enum ktap_result rule_import(int dmabuf, int fd,
				    const unsigned int *ctx, unsigned int n,
				    enum resv_state *s, int gate,
				    uint64_t *rng, unsigned int *imports)
{
	bool write = stress_rand(rng) & 1;
	unsigned int i;
	int ret;

	ret = tlgpu_dmabuf_import_sync_file(dmabuf, write ?
					    DMA_BUF_SYNC_WRITE :
					    DMA_BUF_SYNC_READ, fd);
	KTAP_ASSERT(!ret, "import %u: %s", *imports + 1, strerror(-ret));
	for (i = 0; i < n; i++)
		s[ctx[i]] = resv_add(s[ctx[i]], write);
	return resv_compare(dmabuf, s, RULE_CONTEXTS, gate, ++*imports);
}

#define RULE_ROUNDS	6
/* vgem signals its fence by itself after 10 s: no new round after 5. */
#define RULE_BUILD_MS	5000

/*
 * A fresh dma-buf gets jobs' fences of every timeline of both devices,
 * held back by a vgem fence: alone (as READ or WRITE at random), again
 * (the same fence), and merged in pairs; after every import its export
 * holds exactly what the rule above says.  Fails if a job's fence is
 * not on its timeline's context or not later than the one before it.
 */
static enum ktap_result test_resv_rule(struct chain_file f[2], int vgem,
				       uint64_t *rng)
{
	enum resv_state s[RULE_CONTEXTS] = { RESV_NONE };
	int dmabuf, gate, fd, prev = -1, ret;
	unsigned int r, d, t, c, k, prev_c = 0, imports = 0, njobs = 0;
	int jobs[RULE_ROUNDS * RULE_CONTEXTS];
	struct tlgpu_bo bo;
	uint32_t vfence;
	int64_t start;

	KTAP_ASSERT(f[0].ntl + f[1].ntl <= RULE_CONTEXTS, "%u + %u timelines",
		    f[0].ntl, f[1].ntl);
	TEST_BO(f[0].n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	CHECK(test_vgem_gate(vgem, &vfence, &gate));
	start = tlgpu_now_ns();
	CHECK(resv_compare(dmabuf, s, RULE_CONTEXTS, gate, 0));

	for (r = 0; r < RULE_ROUNDS &&
		    (!r || test_elapsed_ms(start) < RULE_BUILD_MS); r++) {
		for (d = 0; d < 2; d++) {
			for (t = 0; t < f[d].ntl; t++) {
				c = d * f[0].ntl + f[d].jobs % f[d].ntl;
				fd = chain_job(&f[d], NULL, 0, NULL, 0, gate,
					       0);
				KTAP_ASSERT(fd >= 0, "gated job: %s",
					    strerror(-fd));
				jobs[njobs++] = fd;

				/* Alone, then the same fence again. */
				CHECK(rule_import(dmabuf, fd, &c, 1, s, gate,
						  rng, &imports));
				CHECK(rule_import(dmabuf, fd, &c, 1, s, gate,
						  rng, &imports));

				/* This fence and the one before, merged. */
				if (prev >= 0) {
					unsigned int pair[2] = { prev_c, c };
					int m = tlgpu_sync_file_merge(prev, fd,
								      "pair");

					KTAP_ASSERT(m >= 0, "merge: %s",
						    strerror(-m));
					ret = rule_import(dmabuf, m, pair, 2, s,
							  gate, rng, &imports);
					close(m);
					CHECK(ret);
				}
				prev = fd;
				prev_c = c;
			}
		}
	}


	/* Released: every job runs, the reservation has nothing left. */
	KTAP_ASSERT_OK(tlgpu_vgem_fence_signal(vgem, vfence));
	for (k = 0; k < njobs; k++) {
		ret = fence_result(jobs[k]);
		KTAP_ASSERT(ret == 1, "gated job %u: fence %d", k, ret);
		close(jobs[k]);
	}
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(dmabuf,
						     DMA_BUF_SYNC_WRITE, &fd));
	ret = tlgpu_sync_file_status(fd);
	close(fd);
	KTAP_ASSERT(ret == 1, "export after the gate: status %d", ret);
	ktap_diag("dma_resv rule: %u imports of %u gated jobs in %u rounds, each export as predicted",
		  imports, njobs, r);
	close(gate);
	close(dmabuf);
	munmap(bo.map, bo.size);
	return KTAP_PASS;
}

static enum ktap_result test_import_100k(void)
{
	unsigned long imports, i, kinds[4] = { 0 };
	struct stress_mem base, peak;
	struct stress_budget budget;
	struct chain_file f[2];
	int pool[POOL], dmabuf, vgem, fd, ret, n;
	unsigned int max_fences = 0, k, kind;
	uint64_t rng = 0x100c, point = 0;
	struct tlgpu_bo shared, imp;
	uint32_t timeline;
	int32_t error;

	CHECK(shared_init("import-sync-file-100k"));
	imports = stress_count(100000, 40000);
	vgem = tlgpu_vgem_open(NULL, 0);
	if (vgem < 0)
		return ktap_skip("no vgem device (modprobe vgem)");
	stress_budget_start(&budget, 150, 300);
	KTAP_ASSERT_OK(stress_mem_read(&base, true));
	peak = base;

	CHECK(chain_file_open(&f[0], 0));
	CHECK(chain_file_open(&f[1], 1));
	TEST_BO(f[0].n.fd, PAGE, &shared);
	KTAP_ASSERT_OK(tlgpu_bo_export(&shared, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_bo_import(f[1].n.fd, dmabuf, &imp));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(f[0].n.fd, 0, &timeline));

	for (k = 0; k < POOL; k++) {
		pool[k] = chain_job(&f[k % 2], NULL, 0, NULL, 0, -1, 500);
		KTAP_ASSERT(pool[k] >= 0, "pool job %u", k);
	}

	for (i = 0; i < imports; i++) {
		k = stress_rand(&rng) % POOL;
		ret = tlgpu_dmabuf_import_sync_file(dmabuf,
						    stress_rand(&rng) & 1 ?
						    DMA_BUF_SYNC_WRITE :
						    DMA_BUF_SYNC_READ, pool[k]);
		KTAP_ASSERT(!ret, "import %lu: %s", i, strerror(-ret));
		if (i % 64 != 63)
			continue;

		/* Refresh a pool entry with a new kind of fence. */
		kind = stress_rand(&rng) % 4;
		switch (kind) {
		case 0:		/* a job of either device */
			fd = chain_job(&f[stress_rand(&rng) & 1], NULL, 0,
				       NULL, 0, -1, stress_rand(&rng) % 2000);
			break;
		case 1:		/* an array */
			fd = tlgpu_sync_file_merge(pool[k],
						   pool[(k + 1) % POOL], "m");
			break;
		case 2:		/* a chain: the fence as a timeline point */
			ret = tlgpu_syncobj_import_sync_file(f[0].n.fd,
							     timeline,
							     point + 1,
							     pool[k]);
			KTAP_ASSERT(!ret, "point: %s", strerror(-ret));
			point++;
			ret = tlgpu_syncobj_export_sync_file(f[0].n.fd,
							     timeline, point,
							     &fd);
			if (ret)
				fd = ret;
			break;
		default:	/* the buffer's own fences, fed back */
			ret = tlgpu_dmabuf_export_sync_file(dmabuf,
							    DMA_BUF_SYNC_WRITE,
							    &fd);
			if (ret)
				fd = ret;
			break;
		}
		KTAP_ASSERT(fd >= 0, "refreshing the pool: %s",
			    strerror(-fd));
		kinds[kind]++;
		close(pool[k]);
		pool[k] = fd;

		if (i % 1024 == 1023) {
			/*
			 * The export works and carries no error.  How many
			 * fences it holds depends on which had signalled
			 * (see resv_add()); test_resv_rule() checks that.
			 */
			KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(dmabuf,
							DMA_BUF_SYNC_WRITE,
							&fd));
			n = tlgpu_sync_file_fences(fd);
			ret = tlgpu_sync_file_status(fd);
			close(fd);
			KTAP_ASSERT(n > 0, "export after %lu imports: %d fences",
				    i + 1, n);
			KTAP_ASSERT(ret >= 0, "exported fence error %d", ret);
			if ((unsigned int)n > max_fences)
				max_fences = n;
		}
		if (i % 16384 == 16383)
			sample_peak(&peak);
		if (stress_budget_over(&budget))
			break;
	}
	KTAP_ASSERT(i >= imports, "only %lu of %lu imports in %lld ms", i,
		    imports, (long long)stress_budget_ms(&budget));

	for (k = 0; k < POOL; k++) {
		ret = fence_result(pool[k]);
		KTAP_ASSERT(ret == 1, "pool fence %u: %d", k, ret);
		close(pool[k]);
	}
	KTAP_ASSERT_OK(tlgpu_wait_bo_rel(f[0].n.fd, shared.handle, 0,
					 FENCE_TIMEOUT_MS * NS_PER_MS, &error));
	KTAP_ASSERT_EQ(error, 0);
	KTAP_ASSERT_OK(tlgpu_wait_bo_rel(f[1].n.fd, imp.handle, 0,
					 FENCE_TIMEOUT_MS * NS_PER_MS, &error));
	CHECK(chain_file_check(&f[0]));
	CHECK(chain_file_check(&f[1]));
	ktap_diag("%lu imports in %lld ms; pool refreshed with %lu jobs, %lu merges, %lu points, %lu dma-buf exports; at most %u fences in the dma_resv",
		  i, (long long)stress_budget_ms(&budget), kinds[0], kinds[1],
		  kinds[2], kinds[3], max_fences);
	KTAP_ASSERT_EQ(atomic_load(&sh->failures), 0);

	CHECK(test_resv_rule(f, vgem, &rng));
	CHECK(chain_file_check(&f[0]));
	CHECK(chain_file_check(&f[1]));
	close(vgem);

	/* Everything at once. */
	sample_peak(&peak);
	close(dmabuf);
	close(f[0].n.fd);
	close(f[1].n.fd);
	munmap(f[0].bo.map, f[0].bo.size);
	munmap(f[1].bo.map, f[1].bo.size);
	munmap(shared.map, shared.size);
	return stress_mem_check("100k imports", &base, &peak);
}

/* ------------------------------------------------------------------ */
/* A timeline syncobj with a million points                            */
/* ------------------------------------------------------------------ */

#define BATCH		1000

static enum ktap_result test_timeline_1m(void)
{
	uint32_t handles[BATCH], timeline, binary;
	unsigned long target, special[3] = { 0 };
	uint64_t points[BATCH], p = 0, q;
	struct stress_mem base, peak;
	struct stress_budget budget;
	struct chain_file f;
	unsigned int b, k;
	int ret, fd, fd2;

	CHECK(shared_init("timeline-1m-points"));
	target = stress_count(1000000, 60000);
	stress_budget_start(&budget, 150, 300);
	KTAP_ASSERT_OK(stress_mem_read(&base, true));
	peak = base;
	CHECK(chain_file_open(&f, 0));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(f.n.fd, 0, &timeline));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(f.n.fd, 0, &binary));
	for (k = 0; k < BATCH; k++)
		handles[k] = timeline;

	for (b = 0; p < target; b++) {
		/* A batch of points signalled from the CPU. */
		for (k = 0; k < BATCH; k++)
			points[k] = p + 1 + k;
		ret = drmSyncobjTimelineSignal(f.n.fd, handles, points, BATCH);
		KTAP_ASSERT(!ret, "signalling points %llu..%llu: %s",
			    (unsigned long long)p + 1,
			    (unsigned long long)p + BATCH, strerror(errno));
		p += BATCH;

		/* Now and then, points whose fence is still pending. */
		if (b % 16 == 15) {
			struct drm_tlgpu_sync out = { timeline, 0, p + 1 };

			switch ((b / 16) % 3) {
			case 0:		/* a job signals the point */
				fd = chain_job(&f, NULL, 0, &out, 1, -1, 1000);
				KTAP_ASSERT(fd >= 0, "job");
				close(fd);
				break;
			case 1:		/* transferred from a binary syncobj */
				fd = chain_job(&f, NULL, 0, NULL, 0, -1, 1000);
				KTAP_ASSERT(fd >= 0, "job");
				KTAP_ASSERT_OK(tlgpu_syncobj_import_sync_file(
						f.n.fd, binary, 0, fd));
				close(fd);
				KTAP_ASSERT_OK(tlgpu_syncobj_transfer(f.n.fd,
						timeline, p + 1, binary, 0, 0));
				break;
			default:	/* a merged sync file as a point */
				fd = chain_job(&f, NULL, 0, NULL, 0, -1, 1000);
				fd2 = chain_job(&f, NULL, 0, NULL, 0, -1, 500);
				KTAP_ASSERT(fd >= 0 && fd2 >= 0, "jobs");
				ret = tlgpu_sync_file_merge(fd, fd2, "pt");
				close(fd);
				close(fd2);
				KTAP_ASSERT(ret >= 0, "merge: %s",
					    strerror(-ret));
				fd = ret;
				KTAP_ASSERT_OK(tlgpu_syncobj_import_sync_file(
						f.n.fd, timeline, p + 1, fd));
				close(fd);
				break;
			}
			special[(b / 16) % 3]++;
			p++;
		}
		if (b % 64 == 0) {
			KTAP_ASSERT_OK(tlgpu_syncobj_query(f.n.fd, timeline,
				DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, &q));
			KTAP_ASSERT_EQ(q, p);
			KTAP_ASSERT_OK(tlgpu_syncobj_query(f.n.fd, timeline, 0,
							   &q));
			KTAP_ASSERT(q <= p, "last signalled %llu > %llu",
				    (unsigned long long)q,
				    (unsigned long long)p);
		}
		if (b % 128 == 0)
			sample_peak(&peak);
		if (stress_budget_over(&budget))
			break;
	}
	KTAP_ASSERT(p >= target, "only %llu of %lu points in %lld ms",
		    (unsigned long long)p, target,
		    (long long)stress_budget_ms(&budget));

	/* Everything signals, the last point included. */
	KTAP_ASSERT_OK(tlgpu_syncobj_timeline_wait(f.n.fd, &timeline, &p, 1,
				tlgpu_abs_timeout(FENCE_TIMEOUT_MS * NS_PER_MS),
				0, NULL));
	KTAP_ASSERT_OK(tlgpu_syncobj_query(f.n.fd, timeline, 0, &q));
	KTAP_ASSERT_EQ(q, p);
	fd = -1;
	KTAP_ASSERT_OK(tlgpu_syncobj_export_sync_file(f.n.fd, timeline, p, &fd));
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fd), 1);
	close(fd);
	CHECK(chain_file_check(&f));
	ktap_diag("%llu points in %u batches and %lu job, %lu transferred and %lu merged points, %u jobs, %lld ms",
		  (unsigned long long)p, b, special[0], special[1],
		  special[2], f.jobs, (long long)stress_budget_ms(&budget));
	KTAP_ASSERT_EQ(atomic_load(&sh->failures), 0);

	sample_peak(&peak);
	KTAP_ASSERT_OK(tlgpu_syncobj_destroy(f.n.fd, timeline));
	KTAP_ASSERT_OK(tlgpu_syncobj_destroy(f.n.fd, binary));
	close(f.n.fd);
	munmap(f.bo.map, f.bo.size);
	return stress_mem_check("1M points", &base, &peak);
}

/* ------------------------------------------------------------------ */
/* A long chain of pending points, released at once                   */
/* ------------------------------------------------------------------ */

/* vgem signals a fence by itself after 10 s: build well within that. */
#define GATE_BUILD_MS		6000

#define HELD_MAX	64
#define WAITERS_MAX	256

static enum ktap_result test_unsignalled_chain(void)
{
	int held[HELD_MAX], waiters[WAITERS_MAX], gate, dmabuf, vgem, fd, ret;
	unsigned int nheld = 0, nwaiters = 0, k, target, it;
	uint32_t timeline, other, binary, vfence;
	struct stress_mem base, peak;
	struct chain_file f[2];
	struct tlgpu_bo shared;
	uint64_t p = 0, q, op = 0;
	int64_t start;

	CHECK(shared_init("timeline-unsignalled-chain"));
	target = stress_count(4000, 1500);
	vgem = tlgpu_vgem_open(NULL, 0);
	if (vgem < 0)
		return ktap_skip("no vgem device (modprobe vgem)");
	KTAP_ASSERT_OK(stress_mem_read(&base, true));
	peak = base;
	CHECK(chain_file_open(&f[0], 0));
	CHECK(chain_file_open(&f[1], 1));
	TEST_BO(f[0].n.fd, PAGE, &shared);
	KTAP_ASSERT_OK(tlgpu_bo_export(&shared, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(f[0].n.fd, 0, &timeline));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(f[0].n.fd, 0, &binary));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(f[1].n.fd, 0, &other));

	CHECK(test_vgem_gate(vgem, &vfence, &gate));
	start = tlgpu_now_ns();
	KTAP_ASSERT_OK(tlgpu_syncobj_import_sync_file(f[0].n.fd, binary, 0,
						      gate));
	for (it = 1; p < target && test_elapsed_ms(start) < GATE_BUILD_MS;
	     it++) {
		/* A point holding the gate itself. */
		KTAP_ASSERT_OK(tlgpu_syncobj_transfer(f[0].n.fd, timeline,
						      p + 1, binary, 0, 0));
		p++;
		if (it % 50 == 0 && nwaiters < WAITERS_MAX) {
			/* A point holding an array: gate + a gated job. */
			fd = chain_job(&f[1], NULL, 0, NULL, 0, gate, 0);
			KTAP_ASSERT(fd >= 0, "gated job");
			ret = tlgpu_sync_file_merge(gate, fd, "gated");
			KTAP_ASSERT(ret >= 0, "merge: %s", strerror(-ret));
			waiters[nwaiters++] = fd;
			KTAP_ASSERT_OK(tlgpu_syncobj_import_sync_file(
					f[0].n.fd, timeline, p + 1, ret));
			close(ret);
			p++;
		}
		if (it % 100 == 0 && nwaiters < WAITERS_MAX) {
			/* A job waiting for the chain up to here. */
			struct drm_tlgpu_sync in = { timeline, 0, p };

			fd = chain_job(&f[0], &in, 1, NULL, 0, -1, 0);
			KTAP_ASSERT(fd >= 0, "job on point %llu",
				    (unsigned long long)p);
			waiters[nwaiters++] = fd;
		}
		if (it % 150 == 0 && nheld < HELD_MAX) {
			/* The middle of the chain, held from outside. */
			KTAP_ASSERT_OK(tlgpu_syncobj_export_sync_file(
					f[0].n.fd, timeline, p, &fd));
			tlgpu_sync_file_wait(fd, 0);	/* arms a callback */
			held[nheld++] = fd;
			/* ... by the other device's timeline ... */
			KTAP_ASSERT_OK(tlgpu_syncobj_import_sync_file(
					f[1].n.fd, other, ++op, fd));
			/* ... and by a dma_resv. */
			KTAP_ASSERT_OK(tlgpu_dmabuf_import_sync_file(dmabuf,
					DMA_BUF_SYNC_WRITE, fd));
		}
	}
	ktap_diag("%llu pending points in %lld ms, %u held sync files, %u waiting jobs",
		  (unsigned long long)p, (long long)test_elapsed_ms(start),
		  nheld, nwaiters);
	KTAP_ASSERT(p >= target / 4 && p >= 300, "only %llu points",
		    (unsigned long long)p);

	/* Still all pending: the gate is the root of everything. */
	KTAP_ASSERT(tlgpu_sync_file_status(gate) == 0,
		    "the gate signalled by itself after %lld ms",
		    (long long)test_elapsed_ms(start));
	KTAP_ASSERT_RET(tlgpu_syncobj_timeline_wait(f[0].n.fd, &timeline, &p,
						    1, 0, 0, NULL), -ETIME);
	KTAP_ASSERT_OK(tlgpu_syncobj_query(f[0].n.fd, timeline, 0, &q));
	KTAP_ASSERT_EQ(q, 0);
	KTAP_ASSERT_OK(tlgpu_syncobj_query(f[0].n.fd, timeline,
				DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, &q));
	KTAP_ASSERT_EQ(q, p);
	for (k = 0; k < nwaiters; k++)
		KTAP_ASSERT(tlgpu_sync_file_status(waiters[k]) == 0,
			    "waiter %u ran before the gate", k);
	sample_peak(&peak);

	/* Release everything at once, still pending; then open the gate. */
	KTAP_ASSERT_OK(tlgpu_syncobj_destroy(f[0].n.fd, timeline));
	KTAP_ASSERT_OK(tlgpu_syncobj_destroy(f[0].n.fd, binary));
	KTAP_ASSERT_OK(tlgpu_syncobj_destroy(f[1].n.fd, other));
	for (k = 0; k < nheld; k++)
		close(held[k]);
	close(dmabuf);
	KTAP_ASSERT_OK(tlgpu_vgem_fence_signal(vgem, vfence));
	KTAP_ASSERT_EQ(fence_result(gate), 1);
	close(gate);
	for (k = 0; k < nwaiters; k++) {
		ret = fence_result(waiters[k]);
		KTAP_ASSERT(ret == 1, "waiter %u: fence %d", k, ret);
		close(waiters[k]);
	}
	CHECK(chain_file_check(&f[0]));
	CHECK(chain_file_check(&f[1]));
	KTAP_ASSERT_EQ(atomic_load(&sh->failures), 0);

	close(f[0].n.fd);
	close(f[1].n.fd);
	close(vgem);
	munmap(f[0].bo.map, f[0].bo.size);
	munmap(f[1].bo.map, f[1].bo.size);
	munmap(shared.map, shared.size);
	return stress_mem_check("pending chain", &base, &peak);
}

static const struct ktap_case cases[] = {
	{ .name = "import-sync-file-100k", .run = test_import_100k,
	  .timeout = 360 },
	{ .name = "timeline-1m-points", .run = test_timeline_1m,
	  .timeout = 360 },
	{ .name = "timeline-unsignalled-chain", .run = test_unsignalled_chain,
	  .timeout = 120 },
};

int main(int argc, char **argv)
{
	int ret = ktap_main(argc, argv, cases, ARRAY_SIZE(cases));

	stress_inject_off();
	return ret;
}
