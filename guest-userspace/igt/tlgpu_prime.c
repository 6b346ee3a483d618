// SPDX-License-Identifier: MIT
/*
 * tlgpu_prime: PRIME on tlgpu buffers, in the manner of IGT's
 * prime_self_import: export and import on the same file give the same
 * handle, import on another file of the device and on the other tlgpu
 * device, dma-buf lifetime (handle closed, dma-buf kept, imported again,
 * contents intact), export/import/close races between threads, a job of
 * device 1 reading a buffer written by device 0 (data checked, implicit
 * sync across the devices), DMA_BUF_IOCTL_EXPORT_SYNC_FILE and
 * IMPORT_SYNC_FILE with pending jobs (exact fence states), and mmap of
 * the dma-buf itself.  Fence states are checked as SYNC_IOC_FILE_INFO
 * reports them, for each sync file and each fence in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "igt.h"
#include "dmabuf_sync_file.h"
#include "sw_sync.h"
#include "igt_tlgpu.h"

IGT_TEST_DESCRIPTION("PRIME export/import of tlgpu buffers within a file, "
		     "between files and devices, with jobs, implicit sync "
		     "and dma-buf sync files.");

#define PENDING_US	500000
#define BO_SIZE		(4 * TLGPU_PAGE)

static int fd = -1;

static int __prime_h2fd(int dev, uint32_t handle, uint32_t flags, int *out)
{
	struct drm_prime_handle a = { .handle = handle, .flags = flags, .fd = -1 };

	if (igt_ioctl(dev, DRM_IOCTL_PRIME_HANDLE_TO_FD, &a))
		return -errno;
	*out = a.fd;
	return 0;
}

static int __prime_fd2h(int dev, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle a = { .fd = dmabuf };

	if (igt_ioctl(dev, DRM_IOCTL_PRIME_FD_TO_HANDLE, &a))
		return -errno;
	*handle = a.handle;
	return 0;
}

static int __gem_close(int dev, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	if (igt_ioctl(dev, DRM_IOCTL_GEM_CLOSE, &c))
		return -errno;
	return 0;
}

static ino_t inode_of(int f)
{
	struct stat st;

	igt_assert_eq(fstat(f, &st), 0);
	return st.st_ino;
}

static void fill_cpu(struct igt_tlgpu_bo *bo, uint32_t seed)
{
	uint32_t *p = bo->map;

	for (uint64_t i = 0; i < bo->size / 4; i++)
		p[i] = seed + i;
}

static void check_cpu(const void *map, uint64_t size, uint32_t seed)
{
	const volatile uint32_t *p = map;

	for (uint64_t i = 0; i < size / 4; i++)
		igt_assert_f(p[i] == seed + i,
			     "dword %"PRIu64": %#x, expected %#x\n",
			     i, p[i], (uint32_t)(seed + i));
}

/* ------------------------------------------------------------------ */

static void test_same_fd(void)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, BO_SIZE);
	int d1, d2;
	uint32_t h;

	d1 = igt_tlgpu_bo_export(bo);
	d2 = igt_tlgpu_bo_export(bo);
	/* One dma-buf per object. */
	igt_assert_eq(inode_of(d1), inode_of(d2));
	igt_assert_eq(prime_get_size(d1), BO_SIZE);

	/* Import on the exporting file: the very same handle. */
	igt_assert_eq(__prime_fd2h(fd, d1, &h), 0);
	igt_assert_eq_u32(h, bo->handle);
	igt_assert_eq(__prime_fd2h(fd, d2, &h), 0);
	igt_assert_eq_u32(h, bo->handle);

	/* And closing the dma-bufs leaves the handle working. */
	close(d1);
	close(d2);
	{
		struct drm_tlgpu_bo_info info;

		igt_tlgpu_bo_info(fd, bo->handle, &info);
		igt_assert_eq_u64(info.size, BO_SIZE);
		igt_assert_eq_u64(info.gpu_va, bo->gpu_va);
	}
	igt_tlgpu_bo_free(bo);
}

static void test_other_fd(void)
{
	int fd2 = igt_tlgpu_open(0);
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, BO_SIZE);
	struct igt_tlgpu_bo *imp, *imp2;
	int d, d2;
	uint32_t h;

	fill_cpu(bo, 0x1000);
	d = igt_tlgpu_bo_export(bo);
	imp = igt_tlgpu_bo_import(fd2, d);
	igt_assert_eq_u64(imp->size, BO_SIZE);
	check_cpu(imp->map, BO_SIZE, 0x1000);

	/* The second file imports the same object once. */
	igt_assert_eq(__prime_fd2h(fd2, d, &h), 0);
	igt_assert_eq_u32(h, imp->handle);
	/* Its export is the same dma-buf. */
	igt_assert_eq(__prime_h2fd(fd2, imp->handle, DRM_CLOEXEC, &d2), 0);
	igt_assert_eq(inode_of(d2), inode_of(d));
	close(d2);

	/* A job of the second file writes; the first file's map shows it. */
	igt_tlgpu_store_wait(fd2, 0, imp, 8, 0xfeed0000beefull);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 8), 0xfeed0000beefull);

	/* Import again into the second file after it closed its handle. */
	igt_tlgpu_bo_free(imp);
	imp2 = igt_tlgpu_bo_import(fd2, d);
	igt_assert_eq_u64(imp2->size, BO_SIZE);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(imp2, 8), 0xfeed0000beefull);
	check_cpu(imp2->map, 8, 0x1000);

	igt_tlgpu_bo_free(imp2);
	close(d);
	igt_tlgpu_bo_free(bo);
	close(fd2);
}

static void test_other_device(void)
{
	int fd1 = igt_tlgpu_open(1);
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, BO_SIZE);
	struct igt_tlgpu_bo *imp, *dst;
	struct igt_tlgpu_job *j;
	int d, f;
	uint32_t h;

	igt_tlgpu_require_timelines(fd1, 2);
	d = igt_tlgpu_bo_export(bo);
	imp = igt_tlgpu_bo_import(fd1, d);
	igt_assert_eq_u64(imp->size, BO_SIZE);
	igt_assert_eq(__prime_fd2h(fd1, d, &h), 0);
	igt_assert_eq_u32(h, imp->handle);

	/* Device 0 fills the buffer... */
	j = igt_tlgpu_job_new(0);
	igt_tlgpu_cmd_fill(&j->cmds, bo->gpu_va, BO_SIZE, 0x0d0d0d0d);
	igt_tlgpu_cmd_store(&j->cmds, bo->gpu_va + BO_SIZE - 8, 0x1234567890ull);
	igt_tlgpu_job_bo(j, bo->handle, DRM_TLGPU_BO_WRITE);
	f = igt_tlgpu_submit_fence(fd, j);
	igt_tlgpu_wait_fence(f, 1);
	close(f);

	/* ... device 1 copies it into a buffer of its own. */
	dst = igt_tlgpu_bo_create(fd1, BO_SIZE);
	f = igt_tlgpu_submit_fence(fd1, igt_tlgpu_copy_job(1, dst, 0, imp, 0,
							   BO_SIZE));
	igt_tlgpu_wait_fence(f, 1);
	close(f);

	for (uint64_t off = 0; off < BO_SIZE - 8; off += 4)
		igt_assert_eq_u32(*(uint32_t *)((char *)dst->map + off),
				  0x0d0d0d0d);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(dst, BO_SIZE - 8), 0x1234567890ull);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(imp, BO_SIZE - 8), 0x1234567890ull);

	igt_tlgpu_bo_free(dst);
	igt_tlgpu_bo_free(imp);
	close(d);
	igt_tlgpu_bo_free(bo);
	close(fd1);
}

/* Device 1 reads while device 0's write is still pending: implicit sync. */
static void test_implicit_cross_device(void)
{
	int fd1 = igt_tlgpu_open(1);
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	struct igt_tlgpu_bo *imp, *dst;
	int d, w, r, sf, n;

	d = igt_tlgpu_bo_export(bo);
	imp = igt_tlgpu_bo_import(fd1, d);
	dst = igt_tlgpu_bo_create(fd1, TLGPU_PAGE);

	w = igt_tlgpu_delay_store(fd, 0, bo, 0, 0xabcdef, PENDING_US, 0, 0, 0);
	r = igt_tlgpu_submit_fence(fd1, igt_tlgpu_copy_job(0, dst, 0, imp, 0, 8));

	usleep(50000);
	igt_tlgpu_assert_fence(w, 0);
	igt_tlgpu_assert_fence(r, 0);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(dst, 0), 0);
	/* A reader waits for the writer only: one pending fence. */
	sf = dmabuf_export_sync_file(d, DMA_BUF_SYNC_READ);
	igt_assert_eq(igt_tlgpu_sync_file_fences_status(sf, &n), 0);
	igt_assert_eq(n, 1);
	close(sf);
	/* A writer waits for both: the reader's fence is in the dma-buf too. */
	sf = dmabuf_export_sync_file(d, DMA_BUF_SYNC_WRITE);
	igt_assert_eq(igt_tlgpu_sync_file_fences_status(sf, &n), 0);
	igt_assert_eq(n, 2);
	close(sf);

	igt_tlgpu_wait_fence(r, 1);
	igt_tlgpu_assert_fence(w, 1);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(dst, 0), 0xabcdef);
	igt_assert(!dmabuf_busy(d, DMA_BUF_SYNC_WRITE));

	close(r);
	close(w);
	igt_tlgpu_bo_free(dst);
	igt_tlgpu_bo_free(imp);
	close(d);
	igt_tlgpu_bo_free(bo);
	close(fd1);
}

/* ------------------------------------------------------------------ */

static void test_reimport_closed_handle(void)
{
	int fd2 = igt_tlgpu_open(0);
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, BO_SIZE);
	struct igt_tlgpu_bo *again;
	uint32_t old = bo->handle, h;
	int d, d2;

	fill_cpu(bo, 0xbeef);
	d = igt_tlgpu_bo_export(bo);
	/* Drop every handle: only the dma-buf holds the buffer. */
	igt_tlgpu_bo_free(bo);
	igt_assert_eq(__gem_close(fd, old), -EINVAL);
	igt_assert_eq(__prime_h2fd(fd, old, DRM_CLOEXEC, &d2), -ENOENT);

	/* Back in the same file: a handle with the contents kept. */
	again = igt_tlgpu_bo_import(fd, d);
	igt_assert_eq_u64(again->size, BO_SIZE);
	check_cpu(again->map, BO_SIZE, 0xbeef);
	/* Exporting it again gives the dma-buf we kept. */
	igt_assert_eq(__prime_h2fd(fd, again->handle, DRM_CLOEXEC, &d2), 0);
	igt_assert_eq(inode_of(d2), inode_of(d));
	close(d2);
	/* And importing it again gives the same handle. */
	igt_assert_eq(__prime_fd2h(fd, d, &h), 0);
	igt_assert_eq_u32(h, again->handle);

	/* Close the dma-buf: the handle keeps the buffer alive. */
	close(d);
	check_cpu(again->map, BO_SIZE, 0xbeef);
	d = igt_tlgpu_bo_export(again);
	igt_assert_eq(__prime_fd2h(fd2, d, &h), 0);
	{
		void *p = igt_tlgpu_mmap(fd2, h, BO_SIZE, PROT_READ);

		check_cpu(p, BO_SIZE, 0xbeef);
		munmap(p, BO_SIZE);
	}
	igt_assert_eq(__gem_close(fd2, h), 0);

	close(d);
	igt_tlgpu_bo_free(again);
	close(fd2);
}

static void test_bad_import(void)
{
	uint32_t h = 0;
	int f = open("/proc/self/stat", O_RDONLY), d = -1;

	igt_assert(f >= 0);
	igt_assert_eq(__prime_fd2h(fd, -1, &h), -EBADF);
	igt_assert_eq(__prime_fd2h(fd, f, &h), -EINVAL);
	igt_assert_eq_u32(h, 0);
	igt_assert_eq(__prime_h2fd(fd, 0x7fffff, DRM_CLOEXEC, &d), -ENOENT);
	igt_assert_eq(d, -1);
	close(f);
}

/* ------------------------------------------------------------------ */
/* Races                                                               */
/* ------------------------------------------------------------------ */

#define RACE_NS		(2 * 1000000000ull)

struct race {
	int fd;
	int dmabuf;
	/* One round; 0, or the -errno that ends the race. */
	int (*step)(struct race *r);
	uint32_t next_handle;
	uint64_t deadline;
	unsigned long loops;
	int bad_errno;
};

/* GEM_CLOSE racing another closer of the handle: -EINVAL is fine. */
static int close_raced(int dev, uint32_t handle)
{
	int ret = __gem_close(dev, handle);

	return ret == -EINVAL ? 0 : ret;
}

/* Import the shared dma-buf and close the handle. */
static int reimport_close(struct race *r)
{
	uint32_t h;
	int ret = __prime_fd2h(r->fd, r->dmabuf, &h);

	return ret ?: close_raced(r->fd, h);
}

/* Create, export, close the handle, import the dma-buf again, close. */
static int export_close(struct race *r)
{
	uint32_t h, h2;
	int d, ret;

	ret = __igt_tlgpu_bo_create(r->fd, TLGPU_PAGE, 0, &h);
	if (ret)
		return ret;
	ret = __prime_h2fd(r->fd, h, DRM_CLOEXEC, &d);
	/* The handle may be closed under us by close_any(). */
	if (ret)
		return ret == -ENOENT ? 0 : ret;
	ret = close_raced(r->fd, h);
	if (!ret)
		ret = __prime_fd2h(r->fd, d, &h2);
	if (!ret)
		ret = close_raced(r->fd, h2);
	close(d);
	return ret;
}

/* Close whatever handle comes next: races export_close()'s handles. */
static int close_any(struct race *r)
{
	int ret = close_raced(r->fd, r->next_handle);

	if (++r->next_handle > 64)
		r->next_handle = 1;
	return ret;
}

/* Runs @r->step until the deadline or an error. */
static void *race_thread(void *arg)
{
	struct race *r = arg;

	r->deadline = igt_tlgpu_now_ns() + RACE_NS;
	r->next_handle = 1;
	while (igt_tlgpu_now_ns() < r->deadline) {
		r->bad_errno = r->step(r);
		if (r->bad_errno)
			break;
		r->loops++;
	}
	return NULL;
}

static void assert_raced(const struct race *r, int i)
{
	igt_assert_f(!r->bad_errno, "racer %d: errno %d after %lu loops\n",
		     i, -r->bad_errno, r->loops);
	igt_assert_f(r->loops > 0, "racer %d never ran a round\n", i);
}

/* One thread per racer, for RACE_NS; each ends without an error. */
static void race_threads(struct race *r, int n)
{
	pthread_t t[8];

	igt_assert(n <= ARRAY_SIZE(t));
	for (int i = 0; i < n; i++)
		igt_assert_eq(pthread_create(&t[i], NULL, race_thread, &r[i]), 0);
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		assert_raced(&r[i], i);
	}
}

static void test_race_reimport_close(void)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	int fd2 = igt_tlgpu_open(0);
	struct race r[4];
	uint32_t h;
	int d;

	fill_cpu(bo, 0x77);
	d = igt_tlgpu_bo_export(bo);
	for (int i = 0; i < 4; i++)
		r[i] = (struct race){
			/* Two threads on another file, two on the exporter. */
			.fd = i < 2 ? fd2 : fd,
			.dmabuf = d,
			.step = reimport_close,
		};
	race_threads(r, 4);

	/*
	 * On the exporter, the import closed its only handle many times
	 * over: the buffer lives on in the dma-buf, with its contents.
	 */
	igt_assert_eq(__prime_fd2h(fd, d, &h), 0);
	{
		void *p = igt_tlgpu_mmap(fd, h, TLGPU_PAGE, PROT_READ);

		check_cpu(p, TLGPU_PAGE, 0x77);
		munmap(p, TLGPU_PAGE);
	}
	/* The old CPU map is the same buffer. */
	check_cpu(bo->map, TLGPU_PAGE, 0x77);
	close(d);
	/* Its handle was closed by the race: only the CPU map is left. */
	munmap(bo->map, bo->size);
	free(bo);
	igt_assert_eq(__gem_close(fd, h), 0);
	close(fd2);
}

static void test_race_export_close(void)
{
	int fd2 = igt_tlgpu_open(0);
	struct race r[3];
	int (*step[3])(struct race *) = { export_close, export_close, close_any };

	for (int i = 0; i < 3; i++)
		r[i] = (struct race){ .fd = fd2, .step = step[i] };
	race_threads(r, 3);
	/* The file still works: a buffer, a job, the data. */
	{
		struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd2, TLGPU_PAGE);

		igt_tlgpu_store_wait(fd2, 0, bo, 0, 0x4ace);
		igt_tlgpu_bo_free(bo);
	}
	close(fd2);
}

/* The same race between processes sharing nothing but the dma-buf. */
static void test_race_processes(void)
{
	struct igt_tlgpu_bo *bo;
	int d;

	/* The children need both devices: ask here, not in a child. */
	close(igt_tlgpu_open(1));
	bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	d = igt_tlgpu_bo_export(bo);
	fill_cpu(bo, 0x99);
	igt_fork(child, 2) {
		/* Each child opens its own file of each device. */
		int cfd = igt_tlgpu_open(child % 2 ? 1 : 0);
		struct race r = {
			.fd = cfd, .dmabuf = d, .step = reimport_close,
		};

		race_thread(&r);
		assert_raced(&r, child);
		close(cfd);
	}
	/* Meanwhile the exporter drops its handle. */
	usleep(100000);
	igt_tlgpu_bo_free(bo);
	igt_waitchildren();

	bo = igt_tlgpu_bo_import(fd, d);
	check_cpu(bo->map, TLGPU_PAGE, 0x99);
	igt_tlgpu_bo_free(bo);
	close(d);
}

/* ------------------------------------------------------------------ */
/* dma-buf sync files                                                  */
/* ------------------------------------------------------------------ */

static void test_export_sync_file(bool writer)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	struct igt_tlgpu_job *j = igt_tlgpu_job_new(1);
	int d = igt_tlgpu_bo_export(bo);
	int rd, wr, job;

	igt_tlgpu_cmd_delay(&j->cmds, PENDING_US);
	if (writer)
		igt_tlgpu_cmd_store(&j->cmds, bo->gpu_va, 0x5e5e);
	igt_tlgpu_job_bo(j, bo->handle,
			 writer ? DRM_TLGPU_BO_WRITE : DRM_TLGPU_BO_READ);
	job = igt_tlgpu_submit_fence(fd, j);

	/* A reader waits for writers, a writer for everyone. */
	rd = dmabuf_export_sync_file(d, DMA_BUF_SYNC_READ);
	wr = dmabuf_export_sync_file(d, DMA_BUF_SYNC_WRITE);
	igt_tlgpu_assert_fence(wr, 0);
	igt_assert_eq(sync_fence_count(wr), 1);
	/* Without a writer: a signalled stub fence. */
	igt_tlgpu_assert_fence(rd, writer ? 0 : 1);
	igt_assert_eq(sync_fence_count(rd), 1);
	igt_tlgpu_assert_fence(job, 0);
	igt_assert_eq(dmabuf_busy(d, DMA_BUF_SYNC_READ), writer);
	igt_assert(dmabuf_busy(d, DMA_BUF_SYNC_WRITE));

	/* Both end with the job, and only then. */
	igt_tlgpu_wait_fence(wr, 1);
	igt_tlgpu_assert_fence(job, 1);
	igt_tlgpu_assert_fence(rd, 1);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 0), writer ? 0x5e5e : 0);
	igt_assert(!dmabuf_busy(d, DMA_BUF_SYNC_WRITE));
	igt_assert(!dmabuf_busy(d, DMA_BUF_SYNC_READ));

	close(rd);
	close(wr);
	close(job);
	close(d);
	igt_tlgpu_bo_free(bo);
}

/* A failed writer's error shows in the dma-buf's exported fence. */
static void test_export_sync_file_error(void)
{
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	struct igt_tlgpu_job *j = igt_tlgpu_job_new(0);
	int d = igt_tlgpu_bo_export(bo);
	int sf, job;

	igt_tlgpu_cmd_delay(&j->cmds, 100000);
	igt_tlgpu_cmd_store(&j->cmds, TLGPU_UNMAPPED_VA, 1);
	igt_tlgpu_job_bo(j, bo->handle, DRM_TLGPU_BO_WRITE);
	job = igt_tlgpu_submit_fence(fd, j);

	sf = dmabuf_export_sync_file(d, DMA_BUF_SYNC_READ);
	igt_tlgpu_assert_fence(sf, 0);
	igt_tlgpu_wait_fence(sf, -EFAULT);
	igt_tlgpu_assert_fence(job, -EFAULT);
	{
		int32_t err = 0;

		igt_assert_eq(__igt_tlgpu_wait_bo(fd, bo->handle, 0, 0, &err), 0);
		igt_assert_eq(err, -EFAULT);
		err = 0;
		igt_assert_eq(__igt_tlgpu_wait_bo(fd, bo->handle,
						  DRM_TLGPU_WAIT_WRITERS, 0,
						  &err), 0);
		igt_assert_eq(err, -EFAULT);
	}

	close(sf);
	close(job);
	close(d);
	igt_tlgpu_bo_free(bo);
}

/*
 * IMPORT_SYNC_FILE of a pending job of device 0 (which does not list the
 * buffer) into a buffer read and written by jobs of device 1.
 */
static void test_import_sync_file(bool as_write)
{
	int fd1 = igt_tlgpu_open(1);
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, TLGPU_PAGE);
	struct igt_tlgpu_bo *imp, *dst;
	struct igt_tlgpu_job *j;
	int d, gate, rd, wr;

	igt_tlgpu_require_timelines(fd1, 2);
	d = igt_tlgpu_bo_export(bo);
	imp = igt_tlgpu_bo_import(fd1, d);
	dst = igt_tlgpu_bo_create(fd1, TLGPU_PAGE);

	/* The gate writes the buffer, unknown to its dma_resv. */
	gate = igt_tlgpu_delay_store(fd, 0, bo, 0, 0x6a7e, PENDING_US, 0, 0,
				     DRM_TLGPU_SUBMIT_NO_IMPLICIT);
	igt_assert(!dmabuf_busy(d, DMA_BUF_SYNC_WRITE));
	dmabuf_import_sync_file(d, as_write ? DMA_BUF_SYNC_WRITE :
					      DMA_BUF_SYNC_READ, gate);
	igt_assert(dmabuf_busy(d, DMA_BUF_SYNC_WRITE));
	igt_assert_eq(dmabuf_busy(d, DMA_BUF_SYNC_READ), as_write);

	/* A reader on device 1: copies the value (waits only for writers). */
	rd = igt_tlgpu_submit_fence(fd1, igt_tlgpu_copy_job(0, dst, 0, imp, 0, 8));

	/* A writer on device 1: waits for everything. */
	j = igt_tlgpu_job_new(1);
	igt_tlgpu_cmd_store(&j->cmds, imp->gpu_va + 8, 0x3333);
	igt_tlgpu_job_bo(j, imp->handle, DRM_TLGPU_BO_WRITE);
	wr = igt_tlgpu_submit_fence(fd1, j);

	if (!as_write) {
		/* A read fence holds back no reader. */
		igt_tlgpu_wait_fence(rd, 1);
		igt_tlgpu_assert_fence(gate, 0);
		igt_assert_eq_u64(igt_tlgpu_bo_u64(dst, 0), 0);
	}
	usleep(50000);
	igt_tlgpu_assert_fence(gate, 0);
	igt_tlgpu_assert_fence(wr, 0);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 8), 0);
	if (as_write)
		igt_tlgpu_assert_fence(rd, 0);

	igt_tlgpu_wait_fence(wr, 1);
	igt_tlgpu_assert_fence(gate, 1);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 8), 0x3333);
	igt_tlgpu_wait_fence(rd, 1);
	/* Behind a write fence the reader saw the gate's value. */
	igt_assert_eq_u64(igt_tlgpu_bo_u64(dst, 0), as_write ? 0x6a7e : 0);

	close(rd);
	close(wr);
	close(gate);
	igt_tlgpu_bo_free(dst);
	igt_tlgpu_bo_free(imp);
	close(d);
	igt_tlgpu_bo_free(bo);
	close(fd1);
}

/* ------------------------------------------------------------------ */
/* mmap of the dma-buf                                                 */
/* ------------------------------------------------------------------ */

static void sync_dmabuf(int d, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	do_ioctl(d, DMA_BUF_IOCTL_SYNC, &s);
}

static void test_mmap_dmabuf(void)
{
	int fd1 = igt_tlgpu_open(1);
	struct igt_tlgpu_bo *bo = igt_tlgpu_bo_create(fd, BO_SIZE);
	struct igt_tlgpu_bo *imp;
	uint32_t *p;
	int d, f;

	d = igt_tlgpu_bo_export(bo);
	p = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, d, 0);
	igt_assert(p != MAP_FAILED);

	/* CPU through the dma-buf, seen through the GEM mapping. */
	sync_dmabuf(d, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	for (int i = 0; i < BO_SIZE / 4; i++)
		p[i] = 0xd0d00000 + i;
	sync_dmabuf(d, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	check_cpu(bo->map, BO_SIZE, 0xd0d00000);

	/* A job of device 1 on the import, seen through the dma-buf map. */
	imp = igt_tlgpu_bo_import(fd1, d);
	f = igt_tlgpu_delay_store(fd1, 0, imp, 16, 0x1111222233334444ull,
				  PENDING_US / 5, 0, 0, 0);
	igt_tlgpu_assert_fence(f, 0);
	/* DMA_BUF_IOCTL_SYNC(START) waits for the pending writer. */
	sync_dmabuf(d, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	igt_tlgpu_assert_fence(f, 1);
	igt_assert_eq_u64(*(uint64_t *)(p + 4), 0x1111222233334444ull);
	sync_dmabuf(d, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	igt_assert_eq_u32(p[0], 0xd0d00000);
	igt_assert_eq_u32(p[BO_SIZE / 4 - 1], 0xd0d00000 + BO_SIZE / 4 - 1);
	close(f);

	/* Beyond the buffer: mmap fails. */
	igt_assert(mmap(NULL, 2 * BO_SIZE, PROT_READ, MAP_SHARED, d, 0) ==
		   MAP_FAILED);
	igt_assert_eq(errno, EINVAL);

	/* The map outlives the dma-buf fd and the handles. */
	igt_tlgpu_bo_free(imp);
	close(d);
	igt_tlgpu_bo_free(bo);
	igt_assert_eq_u32(p[1], 0xd0d00001);
	igt_assert_eq_u64(*(uint64_t *)(p + 4), 0x1111222233334444ull);
	munmap(p, BO_SIZE);
	close(fd1);
}

igt_main
{
	igt_fixture {
		fd = igt_tlgpu_open(0);
		igt_tlgpu_require_timelines(fd, 2);
	}

	igt_describe("Export twice gives one dma-buf; import on the exporting "
		     "file gives back the exported handle.");
	igt_subtest("self-import")
		test_same_fd();

	igt_describe("Import on a second file of the device: one handle per "
		     "file, same dma-buf, a job of the importer writes what "
		     "the exporter reads.");
	igt_subtest("import-other-fd")
		test_other_fd();

	igt_describe("Import on the other tlgpu device: a job of device 1 reads "
		     "a buffer filled by a job of device 0; data checked.");
	igt_subtest("import-other-device")
		test_other_device();

	igt_describe("Device 1's reader of a shared buffer waits for device "
		     "0's pending writer through the dma_resv (implicit sync).");
	igt_subtest("implicit-cross-device")
		test_implicit_cross_device();

	igt_describe("Close every handle, keep the dma-buf, import again: "
		     "contents intact, same dma-buf; close the dma-buf, the "
		     "handle keeps the buffer.");
	igt_subtest("reimport-closed-handle")
		test_reimport_closed_handle();

	igt_describe("PRIME_FD_TO_HANDLE of a bad fd (-EBADF) or a non-dma-buf "
		     "(-EINVAL); HANDLE_TO_FD of an unknown handle (-ENOENT).");
	igt_subtest("bad-import")
		test_bad_import();

	igt_describe("Threads on two files import the same dma-buf and close "
		     "the handle for 2 s; only documented errnos, buffer intact.");
	igt_subtest("race-reimport-close")
		test_race_reimport_close();

	igt_describe("Threads create, export, close and re-import while another "
		     "closes any handle; only documented errnos, the file still "
		     "runs jobs.");
	igt_subtest("race-export-close")
		test_race_export_close();

	igt_describe("Processes on both devices import and close a dma-buf "
		     "while the exporter drops its last handle.");
	igt_subtest("race-processes")
		test_race_processes();

	igt_describe("DMA_BUF_IOCTL_EXPORT_SYNC_FILE with a pending writer job: "
		     "read and write sync files pending, then signalled.");
	igt_subtest("export-sync-file-writer")
		test_export_sync_file(true);

	igt_describe("DMA_BUF_IOCTL_EXPORT_SYNC_FILE with a pending reader job: "
		     "READ is signalled, WRITE pending until the job ends.");
	igt_subtest("export-sync-file-reader")
		test_export_sync_file(false);

	igt_describe("A faulting writer's -EFAULT in the dma-buf's exported "
		     "fence and in WAIT_BO's error.");
	igt_subtest("export-sync-file-error")
		test_export_sync_file_error();

	igt_describe("IMPORT_SYNC_FILE(WRITE) of device 0's pending job holds "
		     "back device 1's reader and writer of the buffer.");
	igt_subtest("import-sync-file-write")
		test_import_sync_file(true);

	igt_describe("IMPORT_SYNC_FILE(READ) of device 0's pending job holds "
		     "back device 1's writer only.");
	igt_subtest("import-sync-file-read")
		test_import_sync_file(false);

	igt_describe("mmap of the dma-buf: CPU writes seen through GEM, a "
		     "device 1 job's write seen after DMA_BUF_IOCTL_SYNC, the "
		     "map outlives fd and handles.");
	igt_subtest("mmap-dmabuf")
		test_mmap_dmabuf();

	igt_fixture
		close(fd);
}
