/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-stress-fences: fence lifetime races under load.
 *
 *  - rcu-readers-vs-release: threads reading a shared buffer's dma_resv
 *    without its lock (WAIT_BO, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, poll on
 *    the dma-buf) while writer threads on every timeline of both devices
 *    keep replacing its fences with short jobs and dropping their sync
 *    files, so fences are released while readers look at them.  The
 *    writers' jobs all write the buffer, so implicit synchronization
 *    orders them: each one records the id of the job before it, and the
 *    records must form one chain through every job.
 *  - doomed-last-close: threads and forked processes import one dma-buf
 *    into files of both devices while the exporter closes its handle and
 *    its fd (the last close on the exporting device races the imports,
 *    which find a GEM object whose handle count drops to zero).
 *  - doomed-ping-pong: a buffer travels dev0 -> dev1 -> dev0 by export,
 *    import and re-export of the imported handle, while the handles and
 *    fds of the previous hops are closed concurrently.
 *  - container-nesting: a chain of jobs alternating between the devices,
 *    without implicit synchronization, each waiting for the previous one
 *    through nested containers only: timeline syncobj points holding
 *    merged sync files (chains of arrays), sync files exported from
 *    timeline points (chains) passed as in-fences directly or merged
 *    with others (arrays of what the chains contain), binary syncobjs
 *    holding chains, and chains imported into the buffer's dma_resv.
 *    Each job copies the previous job's value: any job that ran early
 *    leaves a zero behind.
 *  - dependency-order: on every device, rounds of tiny jobs (one STORE
 *    each) submitted back to back over all its timelines, each waiting
 *    only for the job before it (in-fence), or fanning out and in again
 *    (a merged sync file or several in-syncs): dependencies the driver
 *    turns into device-side WAITs.  The 6.1 scheduler may signal a job's
 *    finished fence from its thread, late, after a job that WAITed for
 *    it on the device signalled its own: no out-fence may carry an
 *    earlier timestamp than a fence its job depended on.  SCHED_FIFO
 *    and busy threads hold the scheduler threads up meanwhile.
 *
 * Every stressor is bounded in iterations and time (stress.h); the
 * kernel log is judged by the runner (lockdep, KASAN, refcount, ...).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "stress.h"

#define R		DRM_TLGPU_BO_READ
#define W		DRM_TLGPU_BO_WRITE

static struct stress_shared *sh;

/* First thing of every case: shared state, injection off, a log mark. */
static enum ktap_result shared_init(const char *name)
{
	return stress_case_begin("tlgpu-stress-fences", name, &sh);
}

/* Opens a new file of device stress_dev_index(@i); fails the case if not. */
static enum ktap_result open_dev(unsigned int i, struct tlgpu_node *node)
{
	return test_open(stress_dev_index(i), node);
}

/* Jitter of up to @us on every device, when the driver can inject. */
static void set_jitter(unsigned int us)
{
	struct tlgpu_node n;
	unsigned int i;

	for (i = 0; i < stress_num_devices(); i++) {
		if (tlgpu_open_index(i, &n) < 0)
			continue;
		if (us)
			stress_inject(&n, "jitter_seed", 0x5eed + i);
		stress_inject(&n, "jitter_us", us);
		close(n.fd);
	}
}

/* Status of a sync file that must have signalled without error. */
static int sync_ok(int fd)
{
	int ret = tlgpu_sync_file_wait(fd, FENCE_TIMEOUT_MS);

	return ret ? ret : tlgpu_sync_file_status(fd);
}

/* ------------------------------------------------------------------ */
/* RCU readers vs release                                              */
/* ------------------------------------------------------------------ */

#define RCU_MAX_WRITERS		8
#define RCU_MAX_READERS		8
#define RCU_KEEP		4	/* sync files a writer holds */
#define RCU_HIST		PAGE	/* offset of the history records */

struct rcu_ctx {
	int dmabuf;
	unsigned int writers, readers, iters;
	struct stress_budget budget;
	atomic_uint writers_done;
	unsigned long done[RCU_MAX_WRITERS];
	atomic_ulong reads[4];
};

struct rcu_arg {
	struct rcu_ctx *c;
	unsigned int idx;
};

/* Job @k of writer @t is a writer (the others read). */
static bool rcu_is_write(unsigned int k)
{
	return k % 4 != 3;
}

static uint64_t rcu_id(unsigned int t, unsigned int k)
{
	return (uint64_t)(t + 1) << 32 | (k + 1);
}

static uint64_t rcu_hist_off(const struct rcu_ctx *c, unsigned int t,
			     unsigned int k)
{
	return RCU_HIST + ((uint64_t)t * c->iters + k) * 8;
}

static void *rcu_writer(void *arg)
{
	struct rcu_arg *a = arg;
	struct rcu_ctx *c = a->c;
	unsigned int t = a->idx, k, i;
	struct tlgpu_cmdbuf cb = { 0 };
	int keep[RCU_KEEP], ret;
	struct tlgpu_bo bo, out;
	struct tlgpu_node n;
	uint32_t ntl;

	for (i = 0; i < RCU_KEEP; i++)
		keep[i] = -1;
	if (tlgpu_open_index(stress_dev_index(t), &n) < 0) {
		STRESS_FAIL(sh, "writer %u: cannot open device %u", t,
			    stress_dev_index(t));
		goto out_done;
	}
	ntl = stress_timelines(n.fd);
	if ((ret = tlgpu_bo_import(n.fd, c->dmabuf, &bo)) ||
	    (ret = tlgpu_bo_create(n.fd, PAGE, 0, &out))) {
		STRESS_FAIL(sh, "writer %u: import/create: %s", t,
			    strerror(-ret));
		goto out_close;
	}

	for (k = 0; k < c->iters && !atomic_load(&sh->stop); k++) {
		struct drm_tlgpu_bo_ref refs[2] = {
			{ .handle = bo.handle, .flags = W },
			{ .handle = out.handle, .flags = W },
		};
		struct tlgpu_job job = {
			.timeline = (k + t) % ntl,
			.flags = DRM_TLGPU_SUBMIT_FENCE_OUT,
			.bos = refs,
			.bo_count = 1,
		};
		int fence, slot = k % RCU_KEEP;

		if (stress_budget_over(&c->budget))
			break;
		tlgpu_cmdbuf_reset(&cb);
		if (rcu_is_write(k)) {
			tlgpu_cmd_copy(&cb, bo.gpu_va + rcu_hist_off(c, t, k),
				       bo.gpu_va, 8);
			tlgpu_cmd_store(&cb, bo.gpu_va, rcu_id(t, k));
		} else {
			/* A reader: writers after it wait for it. */
			refs[0].flags = R;
			job.bo_count = 2;
			tlgpu_cmd_checksum(&cb, bo.gpu_va, 8, out.gpu_va);
		}
		ret = tlgpu_submit_cmdbuf(n.fd, &job, &cb, &fence, NULL);
		if (ret) {
			STRESS_FAIL(sh, "writer %u job %u: SUBMIT: %s", t, k,
				    strerror(-ret));
			break;
		}
		/* Drop the oldest sync file: its fence may go any time. */
		if (keep[slot] >= 0) {
			ret = tlgpu_sync_file_status(keep[slot]);
			if (ret < 0)
				STRESS_FAIL(sh, "writer %u job %u: fence error %d",
					    t, k - RCU_KEEP, ret);
			close(keep[slot]);
		}
		keep[slot] = fence;
		if (k % 16 == 15 && (ret = sync_ok(fence)) != 1)
			STRESS_FAIL(sh, "writer %u job %u: fence %d", t, k, ret);
	}
	c->done[t] = k;

	for (i = 0; i < RCU_KEEP; i++) {
		if (keep[i] < 0)
			continue;
		if ((ret = sync_ok(keep[i])) != 1)
			STRESS_FAIL(sh, "writer %u: last fences: %d", t, ret);
		close(keep[i]);
	}
	tlgpu_cmdbuf_fini(&cb);
out_close:
	close(n.fd);
out_done:
	atomic_fetch_add(&c->writers_done, 1);
	return NULL;
}

static void rcu_read_once(struct rcu_ctx *c, int fd, uint32_t handle,
			  unsigned int r, unsigned int i)
{
	struct pollfd pfd = { .fd = c->dmabuf };
	int32_t error = 0;
	int ret, sync_fd, status;
	char name[32];

	switch (i % 4) {
	case 0:
		/* poll: a dma_resv walk under its lock, with callbacks. */
		pfd.events = i & 4 ? POLLIN : POLLOUT;
		ret = poll(&pfd, 1, i & 8 ? 1 : 0);
		if (ret < 0 || (pfd.revents & (POLLERR | POLLNVAL)))
			STRESS_FAIL(sh, "reader %u: poll %d revents 0x%x", r,
				    ret, pfd.revents);
		break;
	case 1:
		/* EXPORT_SYNC_FILE: dma_resv_get_fences() under RCU. */
		ret = tlgpu_dmabuf_export_sync_file(c->dmabuf,
						    i & 4 ? DMA_BUF_SYNC_READ :
							    DMA_BUF_SYNC_WRITE,
						    &sync_fd);
		if (ret) {
			STRESS_FAIL(sh, "reader %u: EXPORT_SYNC_FILE: %s", r,
				    strerror(-ret));
			break;
		}
		status = tlgpu_sync_file_status(sync_fd);
		if (status < 0)
			STRESS_FAIL(sh, "reader %u: exported fence status %d",
				    r, status);
		/* Names of every fence: the timelines' names are read. */
		if (i & 8) {
			ret = tlgpu_sync_file_driver(sync_fd, name,
						     sizeof(name));
			if (ret)
				STRESS_FAIL(sh, "reader %u: FILE_INFO: %s", r,
					    strerror(-ret));
		}
		close(sync_fd);
		break;
	case 2:
		/* WAIT_BO: test or short wait, dma_resv under RCU. */
		ret = tlgpu_wait_bo_rel(fd, handle,
					i & 4 ? DRM_TLGPU_WAIT_WRITERS : 0,
					i & 8 ? NS_PER_MS : 0, &error);
		if ((ret && ret != -ETIME) || error)
			STRESS_FAIL(sh, "reader %u: WAIT_BO %d error %d", r,
				    ret, error);
		break;
	default:
		/* A sync file polled and dropped before it signals. */
		ret = tlgpu_dmabuf_export_sync_file(c->dmabuf,
						    DMA_BUF_SYNC_WRITE,
						    &sync_fd);
		if (!ret) {
			tlgpu_sync_file_wait(sync_fd, 0);
			close(sync_fd);
		} else {
			STRESS_FAIL(sh, "reader %u: EXPORT_SYNC_FILE: %s", r,
				    strerror(-ret));
		}
		break;
	}
	atomic_fetch_add(&c->reads[i % 4], 1);
}

static void *rcu_reader(void *arg)
{
	struct rcu_arg *a = arg;
	struct rcu_ctx *c = a->c;
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	unsigned int i;
	int ret;

	if (tlgpu_open_index(stress_dev_index(a->idx + 1), &n) < 0) {
		STRESS_FAIL(sh, "reader %u: cannot open a device", a->idx);
		return NULL;
	}
	ret = tlgpu_bo_import(n.fd, c->dmabuf, &bo);
	if (ret) {
		STRESS_FAIL(sh, "reader %u: import: %s", a->idx,
			    strerror(-ret));
		close(n.fd);
		return NULL;
	}
	for (i = a->idx; atomic_load(&c->writers_done) < c->writers; i++)
		rcu_read_once(c, n.fd, bo.handle, a->idx, i);
	close(n.fd);
	return NULL;
}

/* The records form one chain from the last writer back to zero. */
static enum ktap_result rcu_check_chain(const struct rcu_ctx *c,
					const uint64_t *buf)
{
	unsigned long expected = 0, seen = 0;
	unsigned int t, k;
	uint8_t *visited;
	uint64_t id;

	for (t = 0; t < c->writers; t++)
		for (k = 0; k < c->done[t]; k++)
			expected += rcu_is_write(k);
	visited = calloc((size_t)c->writers * c->iters, 1);
	KTAP_ASSERT(visited, "out of memory");

	for (id = buf[0]; id; seen++) {
		t = (id >> 32) - 1;
		k = (uint32_t)id - 1;
		if (t >= c->writers || k >= c->done[t] || !rcu_is_write(k) ||
		    visited[(size_t)t * c->iters + k]) {
			ktap_diag("bad or repeated record %#llx after %lu jobs",
				  (unsigned long long)id, seen);
			free(visited);
			return KTAP_FAIL;
		}
		visited[(size_t)t * c->iters + k] = 1;
		id = buf[rcu_hist_off(c, t, k) / 8];
	}
	free(visited);
	ktap_diag("%lu writer jobs, chain of %lu", expected, seen);
	KTAP_ASSERT(seen == expected,
		    "%lu writer jobs ran unordered (chain %lu of %lu)",
		    expected - seen, seen, expected);
	return KTAP_PASS;
}

static enum ktap_result test_rcu_readers(void)
{
	struct rcu_arg wargs[RCU_MAX_WRITERS], rargs[RCU_MAX_READERS];
	pthread_t wt[RCU_MAX_WRITERS], rt[RCU_MAX_READERS];
	struct rcu_ctx c = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	unsigned int i;
	int32_t error;
	uint64_t size;

	CHECK(shared_init("rcu-readers-vs-release"));
	TEST_OPEN(0, &n);
	c.writers = stress_debug_kernel() ? 4 : RCU_MAX_WRITERS;
	c.readers = stress_debug_kernel() ? 3 : 6;
	c.iters = stress_count(600, 200);
	stress_budget_start(&c.budget, 40, 150);
	size = RCU_HIST + (uint64_t)c.writers * c.iters * 8;
	TEST_BO(n.fd, size, &bo);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &c.dmabuf));
	set_jitter(200);

	for (i = 0; i < c.writers; i++) {
		wargs[i] = (struct rcu_arg){ &c, i };
		KTAP_ASSERT(!pthread_create(&wt[i], NULL, rcu_writer,
					    &wargs[i]), "pthread_create");
	}
	for (i = 0; i < c.readers; i++) {
		rargs[i] = (struct rcu_arg){ &c, i };
		KTAP_ASSERT(!pthread_create(&rt[i], NULL, rcu_reader,
					    &rargs[i]), "pthread_create");
	}
	for (i = 0; i < c.writers; i++)
		pthread_join(wt[i], NULL);
	for (i = 0; i < c.readers; i++)
		pthread_join(rt[i], NULL);
	set_jitter(0);

	ktap_diag("%u writers x %u jobs on %u device(s), %u readers: %lu polls, %lu exports, %lu waits, %lu dropped exports in %lld ms",
		  c.writers, c.iters, stress_num_devices(), c.readers,
		  atomic_load(&c.reads[0]), atomic_load(&c.reads[1]),
		  atomic_load(&c.reads[2]), atomic_load(&c.reads[3]),
		  (long long)stress_budget_ms(&c.budget));
	KTAP_ASSERT_EQ(atomic_load(&sh->failures), 0);
	for (i = 0; i < c.writers; i++)
		KTAP_ASSERT(c.done[i] >= 8, "writer %u ran only %lu jobs", i,
			    c.done[i]);
	KTAP_ASSERT_OK(tlgpu_wait_bo_rel(n.fd, bo.handle, 0,
					 FENCE_TIMEOUT_MS * NS_PER_MS, &error));
	KTAP_ASSERT_EQ(error, 0);
	CHECK(rcu_check_chain(&c, bo.map));
	close(c.dmabuf);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Doomed objects                                                      */
/* ------------------------------------------------------------------ */

#define DOOM_THREADS		6
#define DOOM_PROCS		4

struct doom_ctx {
	pthread_barrier_t go;
	unsigned int round;
	int fds[DOOM_THREADS];		/* a dup of the dma-buf each */
	struct tlgpu_node nodes[DOOM_THREADS];
};

struct doom_arg {
	struct doom_ctx *c;
	unsigned int idx;
};

static uint64_t doom_magic(unsigned int round, unsigned int i)
{
	return 0xd00d000000000000ull | (uint64_t)round << 16 | i;
}

/*
 * One importer: import, STORE its magic, wait, re-export and re-import
 * the handle, close everything.  0 or a failure count.
 */
static int doom_import(int fd, int dmabuf, unsigned int round, unsigned int i)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_bo bo, again;
	int fence, redo, ret;

	ret = tlgpu_bo_import(fd, dmabuf, &bo);
	STRESS_CHECK(sh, !ret, 1, "importer %u round %u: import: %s", i,
		     round, strerror(-ret));
	if (bo.size < PAGE)
		STRESS_FAIL(sh, "importer %u: size %llu", i,
			    (unsigned long long)bo.size);
	tlgpu_cmd_store(&cb, bo.gpu_va + i * 8, doom_magic(round, i));
	{
		struct drm_tlgpu_bo_ref ref = { bo.handle, W };

		ret = test_submit(fd, i % stress_timelines(fd), 0, &cb, &ref,
				  1, &fence);
	}
	tlgpu_cmdbuf_fini(&cb);
	STRESS_CHECK(sh, !ret, 1, "importer %u: SUBMIT: %s", i,
		     strerror(-ret));
	ret = sync_ok(fence);
	close(fence);
	STRESS_CHECK(sh, ret == 1, 1, "importer %u: fence %d", i, ret);

	/* Export the handle again and import that: the same handle. */
	ret = tlgpu_bo_export(&bo, 0, &redo);
	STRESS_CHECK(sh, !ret, 1, "importer %u: re-export: %s", i,
		     strerror(-ret));
	ret = tlgpu_bo_import(fd, redo, &again);
	close(redo);
	STRESS_CHECK(sh, !ret, 1, "importer %u: re-import: %s", i,
		     strerror(-ret));
	STRESS_CHECK(sh, again.handle == bo.handle, 1,
		     "importer %u: re-import gave handle %u, not %u", i,
		     again.handle, bo.handle);
	ret = tlgpu_gem_close(fd, bo.handle);
	STRESS_CHECK(sh, !ret, 1, "importer %u: GEM_CLOSE: %s", i,
		     strerror(-ret));
	return 0;
}

static void *doom_thread(void *arg)
{
	struct doom_arg *a = arg;

	pthread_barrier_wait(&a->c->go);
	doom_import(a->c->nodes[a->idx].fd, a->c->fds[a->idx], a->c->round,
		    a->idx);
	close(a->c->fds[a->idx]);
	return NULL;
}

/* A process importing into a file of its own, started by @go. */
static pid_t doom_fork(int dmabuf, int go, unsigned int round, unsigned int i)
{
	struct tlgpu_node n;
	pid_t pid;
	char c;

	pid = fork();
	if (pid)
		return pid;
	if (tlgpu_open_index(stress_dev_index(i), &n) < 0) {
		STRESS_FAIL(sh, "process %u: cannot open", i);
		_exit(1);
	}
	if (read(go, &c, 1) != 1)
		_exit(1);
	_exit(doom_import(n.fd, dmabuf, round, i) ? 1 : 0);
}

static enum ktap_result test_doomed_last_close(void)
{
	const unsigned int importers = DOOM_THREADS + DOOM_PROCS;
	struct doom_arg args[DOOM_THREADS];
	pthread_t threads[DOOM_THREADS];
	struct stress_budget budget;
	struct doom_ctx c;
	struct tlgpu_node e;
	unsigned int rounds, r, i;
	pid_t pids[DOOM_PROCS];
	int go[2], status;

	CHECK(shared_init("doomed-last-close"));
	TEST_OPEN(0, &e);
	for (i = 0; i < DOOM_THREADS; i++)
		CHECK(open_dev(i, &c.nodes[i]));
	rounds = stress_count(60, 30);
	stress_budget_start(&budget, 30, 120);

	for (r = 0; r < rounds && !stress_budget_over(&budget); r++) {
		struct tlgpu_bo bo;
		uint64_t *map;
		int dmabuf;

		TEST_BO(e.fd, PAGE, &bo);
		KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
		/* The dma-buf's own mapping, to check the data at the end. */
		map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, dmabuf, 0);
		KTAP_ASSERT(map != MAP_FAILED, "mmap of the dma-buf: %s",
			    strerror(errno));
		KTAP_ASSERT(!pipe(go), "pipe");
		c.round = r;
		/* Processes first: fork() while no other thread runs. */
		for (i = 0; i < DOOM_PROCS; i++) {
			pids[i] = doom_fork(dmabuf, go[0], r, DOOM_THREADS + i);
			KTAP_ASSERT(pids[i] > 0, "fork: %s", strerror(errno));
		}
		pthread_barrier_init(&c.go, NULL, DOOM_THREADS + 1);
		for (i = 0; i < DOOM_THREADS; i++) {
			c.fds[i] = dup(dmabuf);
			args[i] = (struct doom_arg){ &c, i };
			KTAP_ASSERT(!pthread_create(&threads[i], NULL,
						    doom_thread, &args[i]),
				    "pthread_create");
		}

		/* Go, and the exporter lets go at the same time. */
		KTAP_ASSERT_EQ(write(go[1], "gggggggggggggggg", DOOM_PROCS),
			       DOOM_PROCS);
		pthread_barrier_wait(&c.go);
		KTAP_ASSERT_OK(tlgpu_bo_unmap(&bo));
		KTAP_ASSERT_OK(tlgpu_gem_close(e.fd, bo.handle));
		close(dmabuf);

		for (i = 0; i < DOOM_THREADS; i++)
			pthread_join(threads[i], NULL);
		for (i = 0; i < DOOM_PROCS; i++) {
			KTAP_ASSERT(waitpid(pids[i], &status, 0) == pids[i],
				    "waitpid");
			KTAP_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status),
				    "process %u failed (status %#x)", i, status);
		}
		pthread_barrier_destroy(&c.go);
		close(go[0]);
		close(go[1]);
		KTAP_ASSERT_EQ(atomic_load(&sh->failures), 0);
		for (i = 0; i < importers; i++)
			KTAP_ASSERT(map[i] == doom_magic(r, i),
				    "round %u: importer %u's store reads %#llx",
				    r, i, (unsigned long long)map[i]);
		munmap(map, PAGE);
	}
	ktap_diag("%u rounds of %u importers on %u device(s) in %lld ms", r,
		  importers, stress_num_devices(),
		  (long long)stress_budget_ms(&budget));
	KTAP_ASSERT(r >= 4, "only %u rounds", r);
	return KTAP_PASS;
}

/*
 * Ping-pong: per round, X is created on dev0 (file a) and imported by
 * dev1 (file b) as Y; Y is exported again (the same dma-buf).  Then
 * three threads race: one closes a's handle and dma-buf fd, one closes
 * b's handle, and one imports the re-exported dma-buf into dev0's other
 * file c (finding X through the dma-buf while its other users go) and
 * into dev1's file d, running a job on each.
 */
struct pp_ctx {
	pthread_barrier_t go;
	struct tlgpu_node a, b, c, d;
	uint32_t x_handle, y_handle;
	int dx, dy_c, dy_d;
	unsigned int round;
};

static void *pp_close_a(void *arg)
{
	struct pp_ctx *p = arg;
	int ret;

	pthread_barrier_wait(&p->go);
	ret = tlgpu_gem_close(p->a.fd, p->x_handle);
	if (ret)
		STRESS_FAIL(sh, "close a's handle: %s", strerror(-ret));
	close(p->dx);
	return NULL;
}

static void *pp_close_b(void *arg)
{
	struct pp_ctx *p = arg;
	int ret;

	pthread_barrier_wait(&p->go);
	ret = tlgpu_gem_close(p->b.fd, p->y_handle);
	if (ret)
		STRESS_FAIL(sh, "close b's handle: %s", strerror(-ret));
	return NULL;
}

static void *pp_import(void *arg)
{
	struct pp_ctx *p = arg;

	pthread_barrier_wait(&p->go);
	doom_import(p->c.fd, p->dy_c, p->round, 2);
	close(p->dy_c);
	doom_import(p->d.fd, p->dy_d, p->round, 3);
	close(p->dy_d);
	return NULL;
}

static enum ktap_result test_doomed_ping_pong(void)
{
	struct stress_budget budget;
	struct pp_ctx p;
	unsigned int rounds, r, i;
	pthread_t t[3];

	CHECK(shared_init("doomed-ping-pong"));
	TEST_OPEN(0, &p.a);
	CHECK(open_dev(1, &p.b));
	TEST_OPEN(0, &p.c);
	CHECK(open_dev(1, &p.d));
	rounds = stress_count(150, 80);
	stress_budget_start(&budget, 30, 120);

	for (r = 0; r < rounds && !stress_budget_over(&budget); r++) {
		struct tlgpu_cmdbuf cb = { 0 };
		struct tlgpu_bo x, y;
		uint64_t *map;
		int dy;

		TEST_BO(p.a.fd, PAGE, &x);
		map = x.map;
		tlgpu_cmd_store(&cb, x.gpu_va, doom_magic(r, 0));
		TEST_RUN(p.a.fd, 0, 0, &cb, NULL, 0);
		KTAP_ASSERT_OK(tlgpu_bo_export(&x, 0, &p.dx));
		KTAP_ASSERT_OK(tlgpu_bo_import(p.b.fd, p.dx, &y));
		tlgpu_cmdbuf_reset(&cb);
		tlgpu_cmd_store(&cb, y.gpu_va + 8, doom_magic(r, 1));
		TEST_RUN(p.b.fd, 0, 0, &cb, NULL, 0);
		tlgpu_cmdbuf_fini(&cb);
		/* The imported handle exported again: the same dma-buf. */
		KTAP_ASSERT_OK(tlgpu_bo_export(&y, 0, &dy));
		p.dy_c = dup(dy);
		p.dy_d = dy;
		p.x_handle = x.handle;
		p.y_handle = y.handle;
		p.round = r;

		pthread_barrier_init(&p.go, NULL, 3);
		KTAP_ASSERT(!pthread_create(&t[0], NULL, pp_close_a, &p) &&
			    !pthread_create(&t[1], NULL, pp_close_b, &p) &&
			    !pthread_create(&t[2], NULL, pp_import, &p),
			    "pthread_create");
		for (i = 0; i < 3; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&p.go);
		KTAP_ASSERT_EQ(atomic_load(&sh->failures), 0);
		/* a's CPU mapping outlives its handle: every hop's store. */
		for (i = 0; i < 4; i++)
			KTAP_ASSERT(map[i] == doom_magic(r, i),
				    "round %u: hop %u's store reads %#llx", r,
				    i, (unsigned long long)map[i]);
		munmap(map, PAGE);
	}
	ktap_diag("%u rounds in %lld ms", r,
		  (long long)stress_budget_ms(&budget));
	KTAP_ASSERT(r >= 10, "only %u rounds", r);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Container nesting                                                   */
/* ------------------------------------------------------------------ */

struct nest_file {
	struct tlgpu_node n;
	struct tlgpu_bo bo;	/* the shared buffer, in this file */
	uint32_t timeline;	/* timeline syncobj */
	uint32_t binary;	/* binary syncobj */
	uint64_t point;		/* last point of @timeline */
	uint32_t ntl;
	int dmabuf;		/* the shared buffer's dma-buf */
};

enum nest_kind {
	NEST_POINT_OF_ARRAY,	/* in_syncs: a point holding a merge */
	NEST_CHAIN_FD,		/* in_fence_fd: an exported point */
	NEST_MERGED_CHAINS,	/* in_fence_fd: exported points merged */
	NEST_BINARY_CHAIN,	/* in_syncs: binary syncobj holding a chain */
	NEST_RESV_CHAIN,	/* implicit: a chain imported into the resv */
	NEST_ALL,		/* all of the above at once */
	NEST_KINDS
};

static const char *const nest_names[NEST_KINDS] = {
	"point-of-array", "chain-fd", "merged-chains", "binary-chain",
	"resv-chain", "all",
};

/*
 * Merge of @a and @b (either may be -1); a new fd, or -errno.  A merge
 * of one is a dup.
 */
static int merge2(int a, int b)
{
	if (a < 0 && b < 0)
		return -EINVAL;
	if (a < 0 || b < 0)
		return dup(a < 0 ? b : a);
	return tlgpu_sync_file_merge(a, b, "nest");
}

/*
 * A new point of @f's timeline syncobj holding the merge of @a and @b
 * (a chain node whose fence is an array); returns the point or 0.
 */
static uint64_t nest_add_point(struct nest_file *f, int a, int b)
{
	int m = merge2(a, b), ret;

	if (m < 0) {
		STRESS_FAIL(sh, "merge: %s", strerror(-m));
		return 0;
	}
	ret = tlgpu_syncobj_import_sync_file(f->n.fd, f->timeline,
					     f->point + 1, m);
	close(m);
	if (ret) {
		STRESS_FAIL(sh, "import as point %llu: %s",
			    (unsigned long long)f->point + 1, strerror(-ret));
		return 0;
	}
	return ++f->point;
}

/* A sync file of @f's point @p: a dma_fence_chain, or -errno. */
static int nest_export_point(struct nest_file *f, uint64_t p)
{
	int fd, ret;

	ret = tlgpu_syncobj_export_sync_file(f->n.fd, f->timeline, p, &fd);
	if (ret) {
		STRESS_FAIL(sh, "export point %llu: %s",
			    (unsigned long long)p, strerror(-ret));
		return ret;
	}
	return fd;
}

/*
 * Submits job @j of the chain on @f, waiting for @prev (the previous
 * job's sync file, of the other device) and @older (one further back,
 * or -1) through nesting @kind; the other file @g contributes a chain of
 * its own.  Returns the job's sync file, or -errno.
 */
static int nest_submit(struct nest_file *f, struct nest_file *g,
		       enum nest_kind kind, unsigned int j, int prev,
		       int older, uint64_t value, uint64_t *rng)
{
	struct drm_tlgpu_sync in[3], out = { .handle = f->timeline };
	struct drm_tlgpu_bo_ref ref = { f->bo.handle, R | W };
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_job job = {
		.timeline = (j / 2) % f->ntl,
		.flags = DRM_TLGPU_SUBMIT_FENCE_OUT |
			 DRM_TLGPU_SUBMIT_NO_IMPLICIT,
		.in_syncs = in,
		.out_syncs = &out,
		.out_sync_count = 1,
		.in_fence_fd = -1,
	};
	bool all = kind == NEST_ALL;
	int fence = -1, ret, tmp = -1, tmp2 = -1;
	uint64_t p;

	if (prev >= 0 && (kind == NEST_POINT_OF_ARRAY || all)) {
		p = nest_add_point(f, prev, older);
		if (!p)
			return -EIO;
		in[job.in_sync_count++] = (struct drm_tlgpu_sync){
			.handle = f->timeline, .point = p };
	}
	if (prev >= 0 && (kind == NEST_CHAIN_FD || kind == NEST_MERGED_CHAINS)) {
		p = nest_add_point(f, prev, older);
		if (!p)
			return -EIO;
		tmp = nest_export_point(f, p);
		if (tmp < 0)
			return tmp;
		if (kind == NEST_MERGED_CHAINS && g->point) {
			/* With the other file's latest point: chain + chain. */
			int other = nest_export_point(g, g->point);

			if (other < 0) {
				close(tmp);
				return other;
			}
			tmp2 = tlgpu_sync_file_merge(tmp, other, "chains");
			close(other);
			close(tmp);
			tmp = tmp2;
			tmp2 = -1;
			if (tmp < 0)
				return tmp;
		}
		job.flags |= DRM_TLGPU_SUBMIT_FENCE_IN;
		job.in_fence_fd = tmp;
	}
	if (prev >= 0 && (kind == NEST_BINARY_CHAIN || all)) {
		p = nest_add_point(f, prev, -1);
		if (!p)
			return -EIO;
		tmp2 = nest_export_point(f, p);
		if (tmp2 < 0)
			return tmp2;
		ret = tlgpu_syncobj_import_sync_file(f->n.fd, f->binary, 0,
						     tmp2);
		close(tmp2);
		tmp2 = -1;
		if (ret) {
			STRESS_FAIL(sh, "import into binary: %s",
				    strerror(-ret));
			return ret;
		}
		in[job.in_sync_count++] = (struct drm_tlgpu_sync){
			.handle = f->binary };
	}
	if (prev >= 0 && (kind == NEST_RESV_CHAIN || all)) {
		p = nest_add_point(f, prev, older);
		if (!p)
			return -EIO;
		tmp2 = nest_export_point(f, p);
		if (tmp2 < 0)
			return tmp2;
		ret = tlgpu_dmabuf_import_sync_file(f->dmabuf,
						    stress_rand(rng) & 1 ?
						    DMA_BUF_SYNC_WRITE :
						    DMA_BUF_SYNC_READ, tmp2);
		if (ret) {
			close(tmp2);
			STRESS_FAIL(sh, "IMPORT_SYNC_FILE: %s",
				    strerror(-ret));
			return ret;
		}
		/* Implicit sync on: wait for what the resv holds. */
		job.flags &= ~DRM_TLGPU_SUBMIT_NO_IMPLICIT;
		job.bos = &ref;
		job.bo_count = 1;
		if (all) {
			job.flags |= DRM_TLGPU_SUBMIT_FENCE_IN;
			job.in_fence_fd = tmp2;
		} else {
			close(tmp2);
			tmp2 = -1;
		}
	}

	if (prev >= 0) {
		/* Late enough to overtake the previous job if unordered. */
		tlgpu_cmd_delay(&cb, stress_rand(rng) % 3000);
		tlgpu_cmd_copy(&cb, f->bo.gpu_va + j * 8,
			       f->bo.gpu_va + (j - 1) * 8, 8);
	} else {
		tlgpu_cmd_delay(&cb, 5000);
		tlgpu_cmd_store(&cb, f->bo.gpu_va, value);
	}
	out.point = f->point + 1;
	ret = tlgpu_submit_cmdbuf(f->n.fd, &job, &cb, &fence, NULL);
	tlgpu_cmdbuf_fini(&cb);
	if (tmp >= 0)
		close(tmp);
	if (tmp2 >= 0)
		close(tmp2);
	if (ret) {
		STRESS_FAIL(sh, "job %u (%s): SUBMIT: %s", j, nest_names[kind],
			    strerror(-ret));
		return ret;
	}
	f->point++;
	return fence;
}

/* Syncobjs of @f, open already, and the shared buffer: @shared or imported. */
static enum ktap_result nest_setup(struct nest_file *f,
				   const struct tlgpu_bo *shared, int dmabuf)
{
	f->ntl = stress_timelines(f->n.fd);
	f->point = 0;
	f->dmabuf = dmabuf;
	if (shared)
		f->bo = *shared;
	else
		KTAP_ASSERT_OK(tlgpu_bo_import(f->n.fd, dmabuf, &f->bo));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(f->n.fd, 0, &f->timeline));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(f->n.fd, 0, &f->binary));
	return KTAP_PASS;
}

static enum ktap_result test_container_nesting(void)
{
	unsigned int jobs, j, kinds[NEST_KINDS] = { 0 };
	struct stress_budget budget;
	struct nest_file files[2];
	struct tlgpu_bo bo;
	uint64_t rng = 0x6e657374, value;
	int *fences, dmabuf;
	uint64_t *slots;
	int ret;

	CHECK(shared_init("container-nesting"));
	stress_raise_nofile();
	jobs = stress_count(400, 200);
	stress_budget_start(&budget, 40, 150);
	fences = calloc(jobs, sizeof(*fences));
	KTAP_ASSERT(fences, "out of memory");

	CHECK(open_dev(0, &files[0].n));
	CHECK(open_dev(1, &files[1].n));
	TEST_BO(files[0].n.fd, (jobs * 8 + PAGE - 1) / PAGE * PAGE, &bo);
	slots = bo.map;
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	CHECK(nest_setup(&files[0], &bo, dmabuf));
	CHECK(nest_setup(&files[1], NULL, dmabuf));
	value = 0xc0ffee0000000000ull | (uint64_t)getpid();

	for (j = 0; j < jobs && !stress_budget_over(&budget); j++) {
		struct nest_file *f = &files[j % 2], *g = &files[(j + 1) % 2];
		enum nest_kind kind = stress_rand(&rng) % NEST_KINDS;
		/*
		 * One further back, in the same containers: two jobs back
		 * is this device on another timeline (a candidate for a
		 * device-side WAIT once unwrapped), three the other device.
		 */
		int older = j >= 3 ? fences[j - 2 - j % 2] : -1;

		fences[j] = nest_submit(f, g, kind, j,
					j ? fences[j - 1] : -1, older, value,
					&rng);
		KTAP_ASSERT(fences[j] >= 0, "job %u (%s) not submitted", j,
			    nest_names[kind]);
		kinds[kind]++;
		/* Fences far behind are not needed any more. */
		if (j >= 8) {
			ret = tlgpu_sync_file_status(fences[j - 8]);
			KTAP_ASSERT(ret >= 0, "job %u: fence error %d", j - 8,
				    ret);
		}
	}
	jobs = j;
	KTAP_ASSERT_EQ(sync_ok(fences[jobs - 1]), 1);
	for (j = 0; j < jobs; j++) {
		ret = sync_ok(fences[j]);
		KTAP_ASSERT(ret == 1, "job %u: fence %d", j, ret);
		close(fences[j]);
	}
	ktap_diag("%u jobs in %lld ms: %u point-of-array, %u chain-fd, %u merged-chains, %u binary-chain, %u resv-chain, %u all",
		  jobs, (long long)stress_budget_ms(&budget), kinds[0],
		  kinds[1], kinds[2], kinds[3], kinds[4], kinds[5]);
	KTAP_ASSERT_EQ(atomic_load(&sh->failures), 0);
	for (j = 0; j < jobs; j++)
		KTAP_ASSERT(slots[j] == value,
			    "job %u ran before job %u finished: slot reads %#llx",
			    j, j - 1, (unsigned long long)slots[j]);
	KTAP_ASSERT(jobs >= 40, "only %u jobs", jobs);
	free(fences);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Dependency order                                                    */
/* ------------------------------------------------------------------ */

#define DEP_JOBS		32	/* jobs of a device per round */
#define DEP_MAX_IN		3	/* dependencies of a fan-in job */
#define DEP_MAX_DEVICES		4
#define DEP_MAX_HOGS		4

/* How the jobs of a round depend on each other, by round. */
enum dep_kind {
	DEP_CHAIN,		/* each on the one before, by its sync file */
	DEP_FAN_MERGED,		/* fan-out and fan-in, a merged sync file */
	DEP_FAN_SYNCOBJS,	/* fan-out and fan-in, one in-sync each */
	DEP_KINDS
};

struct dep_job {
	int fence;
	unsigned int deps[DEP_MAX_IN];	/* jobs of the round it waits for */
	unsigned int ndeps;
	int64_t signal_ns;
};

struct dep_dev {
	struct tlgpu_node n;
	struct tlgpu_bo bo;		/* a slot per job */
	uint32_t ntl;
	uint32_t fan;			/* jobs a fan-in waits for */
	uint32_t syncobjs[DEP_MAX_IN];	/* in-syncs of DEP_FAN_SYNCOBJS */
	struct dep_job jobs[DEP_JOBS];
};

struct dep_ctx {
	struct dep_dev devs[DEP_MAX_DEVICES];
	unsigned int ndev;
	struct stress_budget budget;
	atomic_bool stop;
	int64_t hog_end_ns;
	atomic_uint rt_hogs;
	unsigned long jobs, edges, fan_edges, inversions;
	/* The worst inversion: @job signalled @worst_ns before @dep. */
	int64_t worst_ns;
	unsigned int worst_dev, worst_round, worst_job, worst_dep;
};

struct dep_hog {
	struct dep_ctx *c;
	unsigned int idx;
};

static uint64_t dep_value(unsigned int round, unsigned int k)
{
	return 0xde90000000000000ull | (uint64_t)round << 16 | k;
}

/*
 * CPU contention while the rounds run.  The bug needs a scheduler thread
 * held up between run_job and adding its callback to the hardware fence,
 * long enough for the job, a job waiting for it on another timeline and
 * both interrupts to go by.  On 6.1 the drm_sched threads are SCHED_FIFO
 * at priority 1 (sched_set_fifo_low()), which no SCHED_OTHER busy loop
 * preempts: the even hogs are SCHED_FIFO at priority 2, a CPU each, and
 * spin 20-300 us at random moments, about a third of the time (the sleep
 * in between paces them, so that everything else still runs; it orders
 * nothing).  The odd hogs busy-loop as SCHED_OTHER with sched_yield():
 * every vCPU stays busy, so the submitter, the workqueues and, under TCG,
 * the vCPU threads on the host compete for time as well.
 */
static void *dep_hog(void *arg)
{
	struct dep_hog *h = arg;
	struct dep_ctx *c = h->c;
	struct sched_param sp = { .sched_priority = 2 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t rng = 0x686f67 + h->idx;
	bool rt = false;
	cpu_set_t set;

	if (h->idx % 2 == 0) {
		CPU_ZERO(&set);
		CPU_SET(h->idx / 2 % (cpus > 0 ? cpus : 1), &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
		/* Without the privilege: a busy loop like the odd ones. */
		rt = !pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
		if (rt)
			atomic_fetch_add(&c->rt_hogs, 1);
	}
	while (!atomic_load(&c->stop) && tlgpu_now_ns() < c->hog_end_ns) {
		int64_t until;

		if (!rt) {
			sched_yield();
			continue;
		}
		until = tlgpu_now_ns() + (20 + stress_rand(&rng) % 280) * 1000;
		while (tlgpu_now_ns() < until)
			;
		nanosleep(&(struct timespec){
			.tv_nsec = (100 + stress_rand(&rng) % 500) * 1000 },
			  NULL);
	}
	return NULL;
}

/*
 * The jobs job @k of a round of @kind waits for, into @deps; their
 * count.  A fan round is a root, then groups of @fan jobs each waiting
 * for the last fan-in, and a fan-in waiting for all of the group.
 */
static unsigned int dep_deps(enum dep_kind kind, unsigned int fan,
			     unsigned int k, unsigned int *deps)
{
	unsigned int q = k % (fan + 1), i;

	if (!k)
		return 0;
	if (kind == DEP_CHAIN) {
		deps[0] = k - 1;
		return 1;
	}
	if (q) {
		deps[0] = k - q;
		return 1;
	}
	for (i = 0; i < fan; i++)
		deps[i] = k - fan + i;
	return fan;
}

/*
 * Submits job @k of round @round on @d: one STORE of its value into its
 * slot, on timeline k % timelines, without implicit synchronization,
 * after the jobs of @deps only: one through its in-fence, several
 * through a merged sync file or, for DEP_FAN_SYNCOBJS, through in-syncs.
 * 0 or -errno.
 */
static int dep_submit(struct dep_dev *d, enum dep_kind kind,
		      unsigned int round, unsigned int k,
		      const unsigned int *deps, unsigned int ndeps)
{
	struct dep_job *j = &d->jobs[k];
	struct drm_tlgpu_sync in[DEP_MAX_IN];
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_job job = {
		.timeline = k % d->ntl,
		.flags = DRM_TLGPU_SUBMIT_FENCE_OUT |
			 DRM_TLGPU_SUBMIT_NO_IMPLICIT,
		.in_fence_fd = -1,
	};
	int merged = -1, ret = 0;
	unsigned int i;

	for (i = 0; i < ndeps && !ret; i++) {
		int dep = d->jobs[deps[i]].fence, m;

		j->deps[i] = deps[i];
		if (kind == DEP_FAN_SYNCOBJS) {
			ret = tlgpu_syncobj_import_sync_file(d->n.fd,
							     d->syncobjs[i], 0,
							     dep);
			in[i] = (struct drm_tlgpu_sync){
				.handle = d->syncobjs[i] };
			job.in_syncs = in;
			job.in_sync_count = i + 1;
			continue;
		}
		job.flags |= DRM_TLGPU_SUBMIT_FENCE_IN;
		if (!i) {
			job.in_fence_fd = dep;
			continue;
		}
		m = tlgpu_sync_file_merge(job.in_fence_fd, dep, "dep-fan-in");
		if (merged >= 0)
			close(merged);
		merged = m < 0 ? -1 : m;
		job.in_fence_fd = merged;
		ret = m < 0 ? m : 0;
	}
	j->ndeps = ndeps;
	j->fence = -1;
	tlgpu_cmd_store(&cb, d->bo.gpu_va + k * 8, dep_value(round, k));
	if (!ret)
		ret = tlgpu_submit_cmdbuf(d->n.fd, &job, &cb, &j->fence, NULL);
	tlgpu_cmdbuf_fini(&cb);
	if (merged >= 0)
		close(merged);
	return ret;
}

/*
 * Waits for the jobs of round @round on device @di, then checks them:
 * every fence signalled without error, every job's value in its slot,
 * and no job signalled before a job it waited for (counted, not failed
 * at once, so that the end says how many and how bad).
 */
static enum ktap_result dep_check(struct dep_ctx *c, unsigned int di,
				  unsigned int round)
{
	struct dep_dev *d = &c->devs[di];
	const uint64_t *slots = d->bo.map;
	unsigned int k, i;
	int ret, error;

	for (k = 0; k < DEP_JOBS; k++) {
		struct dep_job *j = &d->jobs[k];

		ret = sync_ok(j->fence);
		KTAP_ASSERT(ret == 1, "device %u round %u job %u (tl %u): fence %d",
			    di, round, k, k % d->ntl, ret);
		KTAP_ASSERT_OK(tlgpu_sync_file_timestamp(j->fence,
							 &j->signal_ns,
							 &error));
		KTAP_ASSERT_EQ(error, 0);
		close(j->fence);
		j->fence = -1;
	}
	for (k = 0; k < DEP_JOBS; k++) {
		const struct dep_job *j = &d->jobs[k];

		for (i = 0; i < j->ndeps; i++) {
			unsigned int dep = j->deps[i];
			int64_t early = d->jobs[dep].signal_ns - j->signal_ns;

			c->edges++;
			c->fan_edges += j->ndeps > 1;
			if (early <= 0)
				continue;
			if (!c->inversions++ || early > c->worst_ns) {
				c->worst_ns = early;
				c->worst_dev = di;
				c->worst_round = round;
				c->worst_job = k;
				c->worst_dep = dep;
			}
		}
		KTAP_ASSERT(slots[k] == dep_value(round, k),
			    "device %u round %u job %u: slot reads %#llx",
			    di, round, k, (unsigned long long)slots[k]);
	}
	c->jobs += DEP_JOBS;
	return KTAP_PASS;
}

/* The rounds: every device's jobs submitted back to back, then checked. */
static enum ktap_result dep_rounds(struct dep_ctx *c, unsigned int *done)
{
	unsigned int rounds = stress_count(240, 45), r, di, k, n;
	unsigned int deps[DEP_MAX_IN];

	for (r = 0; r < rounds && !stress_budget_over(&c->budget); r++) {
		enum dep_kind kind = r % DEP_KINDS;

		for (di = 0; di < c->ndev; di++) {
			struct dep_dev *d = &c->devs[di];

			for (k = 0; k < DEP_JOBS; k++) {
				int ret;

				n = dep_deps(kind, d->fan, k, deps);
				ret = dep_submit(d, kind, r, k, deps, n);
				KTAP_ASSERT(!ret, "device %u round %u job %u: SUBMIT: %s",
					    di, r, k, strerror(-ret));
			}
		}
		for (di = 0; di < c->ndev; di++)
			CHECK(dep_check(c, di, r));
		*done = r + 1;
	}
	return KTAP_PASS;
}

static enum ktap_result test_dependency_order(void)
{
	struct dep_hog hogs[DEP_MAX_HOGS];
	pthread_t threads[DEP_MAX_HOGS];
	enum ktap_result res;
	unsigned int i, nhogs, rounds = 0;
	struct dep_ctx *c;
	long cpus;

	CHECK(shared_init("dependency-order"));
	c = calloc(1, sizeof(*c));
	KTAP_ASSERT(c, "out of memory");
	c->ndev = stress_num_devices();
	if (c->ndev > DEP_MAX_DEVICES)
		c->ndev = DEP_MAX_DEVICES;
	KTAP_ASSERT(c->ndev, "no tlgpu device");
	for (i = 0; i < c->ndev; i++) {
		struct dep_dev *d = &c->devs[i];
		unsigned int s;

		CHECK(open_dev(i, &d->n));
		/* Another timeline of the same device: a device-side WAIT. */
		CHECK(test_need_timelines(d->n.fd, 2));
		d->ntl = stress_timelines(d->n.fd);
		/* Fan-in jobs of distinct timelines, none the fan-in's own. */
		d->fan = d->ntl - 1 < DEP_MAX_IN ? d->ntl - 1 : DEP_MAX_IN;
		TEST_BO(d->n.fd, DEP_JOBS * 8, &d->bo);
		for (s = 0; s < DEP_MAX_IN; s++)
			KTAP_ASSERT_OK(tlgpu_syncobj_create(d->n.fd, 0,
							    &d->syncobjs[s]));
	}
	/*
	 * On a debug kernel a round takes 5-6 s beside the hogs: 75 s give
	 * 12 or more (120 s gave 22, as many as make check's half scale asks).
	 */
	stress_budget_start(&c->budget, 30, 75);
	c->hog_end_ns = c->budget.end_ns + 2 * FENCE_TIMEOUT_MS * NS_PER_MS;

	/* A pair per CPU (a SCHED_FIFO one and a busy one), a few at most. */
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	nhogs = 2 * (cpus < 1 ? 1 : cpus > DEP_MAX_HOGS / 2 ? DEP_MAX_HOGS / 2 :
							      cpus);
	for (i = 0; i < nhogs; i++) {
		hogs[i] = (struct dep_hog){ c, i };
		KTAP_ASSERT(!pthread_create(&threads[i], NULL, dep_hog,
					    &hogs[i]), "pthread_create");
	}
	res = dep_rounds(c, &rounds);
	atomic_store(&c->stop, true);
	for (i = 0; i < nhogs; i++)
		pthread_join(threads[i], NULL);
	CHECK(res);

	ktap_diag("%u rounds, %lu jobs on %u device(s), %lu dependencies (%lu of fan-in jobs), %u hogs (%u SCHED_FIFO) in %lld ms",
		  rounds, c->jobs, c->ndev, c->edges, c->fan_edges, nhogs,
		  atomic_load(&c->rt_hogs),
		  (long long)stress_budget_ms(&c->budget));
	ktap_diag("%lu inversions (a job's fence signalled before the fence of a job it depended on)",
		  c->inversions);
	if (c->inversions)
		ktap_diag("worst: device %u round %u: job %u (tl %u) signalled %.3f ms before job %u (tl %u), its dependency",
			  c->worst_dev, c->worst_round, c->worst_job,
			  c->worst_job % c->devs[c->worst_dev].ntl,
			  c->worst_ns / 1e6, c->worst_dep,
			  c->worst_dep % c->devs[c->worst_dev].ntl);
	KTAP_ASSERT_EQ(c->inversions, 0);
	KTAP_ASSERT(rounds >= 6, "only %u rounds", rounds);
	free(c);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	{ .name = "rcu-readers-vs-release", .run = test_rcu_readers,
	  .timeout = 240 },
	{ .name = "doomed-last-close", .run = test_doomed_last_close,
	  .timeout = 200 },
	{ .name = "doomed-ping-pong", .run = test_doomed_ping_pong,
	  .timeout = 200 },
	{ .name = "container-nesting", .run = test_container_nesting,
	  .timeout = 240 },
	{ .name = "dependency-order", .run = test_dependency_order,
	  .timeout = 200 },
};

int main(int argc, char **argv)
{
	int ret = ktap_main(argc, argv, cases, ARRAY_SIZE(cases));

	/* A failed case may have left an injection on: not for the next. */
	stress_inject_off();
	return ret;
}
