// SPDX-License-Identifier: MIT
/*
 * tlgpu_hotunplug: hot-unplug of the last tlgpu device (driver unbind
 * through sysfs, or PCI remove + rescan as IGT's core_hotunplug does)
 * while jobs are in flight, its buffers are exported and imported by the
 * other tlgpu device and CPU mappings are alive.  What the driver
 * documents (docs/driver.md, "Unbind"): every fence of the device signals
 * at unbind, with -ENODEV (jobs on the device and jobs still queued);
 * every ioctl of a file still open fails with -ENODEV; buffers live on in
 * their dma-bufs and mappings; the other device's jobs that waited for the
 * unplugged one run.  Fences are checked as SYNC_IOC_FILE_INFO reports
 * them, for the sync file and each fence in it.  Then the device is bound
 * again and works.  The exit handler binds (or rescans) the device back
 * however the test ends, and each subtest first brings back a device a
 * failed one left unbound.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "igt.h"
#include "igt_syncobj.h"
#include "dmabuf_sync_file.h"
#include "sw_sync.h"
#include "igt_tlgpu.h"

IGT_TEST_DESCRIPTION("Unbind / remove the last tlgpu device with jobs in "
		     "flight, shared buffers and mappings; then bring it back.");

/* Jobs that would still run this long when the device goes away. */
#define LONG_US		8000000
/* Every fence must have signalled this soon after the unbind. */
#define GONE_MS		5000

static int num_devices;
static int last;
static unsigned int last_timelines;
static char slot[64];
static enum { BOUND, UNBOUND, REMOVED } state = BOUND;

static bool path_exists(const char *p)
{
	return !access(p, F_OK);
}

static bool slot_has_drm_node(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/drm", slot);
	dir = opendir(path);
	if (!dir)
		return false;
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "card", 4))
			found = true;
	closedir(dir);
	return found;
}

/* Waits for the slot to be bound to tlgpu with its DRM node; true if so. */
static bool wait_bound(int timeout_ms)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), TLGPU_DRIVER_SYSFS "/%s", slot);
	for (int t = 0;; t += 20) {
		if (path_exists(path) && slot_has_drm_node() &&
		    igt_tlgpu_count_devices() == num_devices)
			return true;
		if (t >= timeout_ms)
			return false;
		usleep(20000);
	}
}

/* Gives the device back: bind, or rescan after a remove. */
static void restore_device(void)
{
	char path[PATH_MAX];

	switch (state) {
	case BOUND:
		return;
	case UNBOUND:
		igt_tlgpu_sysfs_write(TLGPU_DRIVER_SYSFS, "bind", slot);
		break;
	case REMOVED:
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", slot);
		if (!path_exists(path))
			igt_tlgpu_sysfs_write("/sys/bus/pci", "rescan", "1");
		/* A rescan probes the driver by itself; bind if it did not. */
		snprintf(path, sizeof(path), TLGPU_DRIVER_SYSFS "/%s", slot);
		for (int t = 0; t < 5000 && !path_exists(path); t += 50)
			usleep(50000);
		if (!path_exists(path))
			igt_tlgpu_sysfs_write(TLGPU_DRIVER_SYSFS, "bind", slot);
		break;
	}
	if (wait_bound(20000))
		state = BOUND;
}

static void exit_handler(int sig)
{
	restore_device();
}

/*
 * Each subtest starts with every device bound, whatever the one before
 * left behind (a failure between unplug and restore).
 */
static void require_all_bound(void)
{
	restore_device();
	igt_assert_f(state == BOUND && wait_bound(0),
		     "%s is not bound to tlgpu\n", slot);
}

static void unbind(void)
{
	state = UNBOUND;
	igt_assert_eq(igt_tlgpu_sysfs_write(TLGPU_DRIVER_SYSFS, "unbind", slot), 0);
	igt_assert_eq(igt_tlgpu_count_devices(), num_devices - 1);
}

static void pci_remove(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", slot);
	state = REMOVED;
	igt_assert_eq(igt_tlgpu_sysfs_write(path, "remove", "1"), 0);
	igt_assert(!path_exists(path));
	igt_assert_eq(igt_tlgpu_count_devices(), num_devices - 1);
}

/* Brings the device back and checks it runs a job right. */
static void restore_and_check(void)
{
	struct igt_tlgpu_bo *bo;
	char now_slot[64];
	int f;

	restore_device();
	igt_assert_f(state == BOUND, "%s did not come back\n", slot);
	igt_assert_eq(igt_tlgpu_count_devices(), num_devices);

	f = igt_tlgpu_open(last);
	igt_tlgpu_pci_slot(f, now_slot, sizeof(now_slot));
	igt_assert_f(!strcmp(now_slot, slot), "device %d is %s, not %s\n",
		     last, now_slot, slot);
	bo = igt_tlgpu_bo_create(f, TLGPU_PAGE);
	igt_tlgpu_store_wait(f, 0, bo, 0, 0x600d);
	igt_tlgpu_bo_free(bo);
	close(f);
}

/* @sf signalled (within GONE_MS of @t0) with @err, each of its fences too. */
static void assert_gone(int sf, int err, uint64_t t0, const char *what)
{
	int ret = igt_tlgpu_sync_file_wait(sf, GONE_MS);

	igt_assert_f(ret == 0, "%s: fence still pending %"PRIu64" ms after "
		     "the unplug\n", what, (igt_tlgpu_now_ns() - t0) / 1000000);
	ret = igt_tlgpu_sync_file_status(sf);
	igt_assert_f(ret == err, "%s: fence status %d, expected %d\n",
		     what, ret, err);
	igt_tlgpu_assert_fence(sf, err);
}

/* Every tlgpu ioctl, and the DRM core's, fail with -ENODEV on @f. */
static void assert_ioctls_enodev(int f, uint32_t handle, uint32_t syncobj)
{
	struct drm_tlgpu_get_param gp = { .param = DRM_TLGPU_PARAM_NUM_TIMELINES };
	struct drm_tlgpu_bo_create bc = { .size = TLGPU_PAGE };
	struct drm_tlgpu_bo_info bi = { .handle = handle };
	struct drm_tlgpu_wait_bo wb = { .handle = handle };
	struct drm_tlgpu_reset_status rs = { };
	uint32_t nop[2] = { TLGPU_CMD_HDR(TLGPU_OP_NOP, 2, 0), 0 };
	struct drm_tlgpu_submit sub = {
		.cmds = to_user_pointer(nop), .cmd_dwords = 2,
	};
	struct drm_syncobj_create sc = { };
	struct drm_syncobj_wait sw = {
		.handles = to_user_pointer(&syncobj), .count_handles = 1,
	};
	struct drm_prime_handle ph = { .handle = handle, .flags = DRM_CLOEXEC };
	struct drm_gem_close gc = { .handle = handle };
	struct drm_version v = { };

	do_ioctl_err(f, DRM_IOCTL_TLGPU_GET_PARAM, &gp, ENODEV);
	do_ioctl_err(f, DRM_IOCTL_TLGPU_BO_CREATE, &bc, ENODEV);
	do_ioctl_err(f, DRM_IOCTL_TLGPU_BO_INFO, &bi, ENODEV);
	do_ioctl_err(f, DRM_IOCTL_TLGPU_SUBMIT, &sub, ENODEV);
	do_ioctl_err(f, DRM_IOCTL_TLGPU_WAIT_BO, &wb, ENODEV);
	do_ioctl_err(f, DRM_IOCTL_TLGPU_GET_RESET_STATUS, &rs, ENODEV);
	do_ioctl_err(f, DRM_IOCTL_SYNCOBJ_CREATE, &sc, ENODEV);
	do_ioctl_err(f, DRM_IOCTL_SYNCOBJ_WAIT, &sw, ENODEV);
	do_ioctl_err(f, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph, ENODEV);
	do_ioctl_err(f, DRM_IOCTL_GEM_CLOSE, &gc, ENODEV);
	do_ioctl_err(f, DRM_IOCTL_VERSION, &v, ENODEV);
}

/* ------------------------------------------------------------------ */

static void test_unbind_idle(void)
{
	struct igt_tlgpu_bo *bo;
	uint32_t so;
	int f;

	require_all_bound();
	f = igt_tlgpu_open(last);
	bo = igt_tlgpu_bo_create(f, TLGPU_PAGE);
	so = syncobj_create(f, 0);
	((uint64_t *)bo->map)[0] = 0x1d1e;

	unbind();
	assert_ioctls_enodev(f, bo->handle, so);
	/* The CPU map of the buffer stays. */
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 0), 0x1d1e);
	/* A new GEM mmap of the gone device is refused. */
	igt_assert(mmap(NULL, TLGPU_PAGE, PROT_READ, MAP_SHARED, f,
			bo->mmap_offset) == MAP_FAILED);
	igt_assert_eq(errno, ENODEV);

	restore_and_check();
	/* Bound again, the old file is still the gone device's. */
	{
		struct drm_tlgpu_get_param gp = {
			.param = DRM_TLGPU_PARAM_NUM_TIMELINES,
		};

		do_ioctl_err(f, DRM_IOCTL_TLGPU_GET_PARAM, &gp, ENODEV);
	}
	igt_tlgpu_bo_free(bo);
	close(f);
}

/*
 * Jobs on the device (a long DELAY), queued behind it on its timeline,
 * waiting for it on another timeline through a syncobj, a timeline
 * point, and a job of a second file of the device waiting for the first
 * one's sync file: all fail with -ENODEV at the unplug, none ran.
 */
static void test_jobs_in_flight(bool remove)
{
	struct igt_tlgpu_bo *bo, *bo2;
	struct igt_tlgpu_job *j;
	uint32_t bin, tl;
	uint64_t t0;
	int f, f2, a, b, c, d, e, g;

	igt_require_f(last_timelines >= 3, "needs 3 timelines, device %d has %u\n",
		      last, last_timelines);
	require_all_bound();
	f = igt_tlgpu_open(last);
	f2 = igt_tlgpu_open(last);
	bo = igt_tlgpu_bo_create(f, TLGPU_PAGE);
	bo2 = igt_tlgpu_bo_create(f2, TLGPU_PAGE);
	bin = syncobj_create(f, 0);
	tl = syncobj_create(f, 0);

	a = igt_tlgpu_delay_store(f, 0, bo, 0, 0xa, LONG_US, bin, 0,
				  DRM_TLGPU_SUBMIT_NO_IMPLICIT);
	b = igt_tlgpu_delay_store(f, 0, bo, 8, 0xb, 0, 0, 0,
				  DRM_TLGPU_SUBMIT_NO_IMPLICIT);
	j = igt_tlgpu_job_new(1);
	igt_tlgpu_cmd_store(&j->cmds, bo->gpu_va + 16, 0xc);
	igt_tlgpu_job_bo(j, bo->handle, DRM_TLGPU_BO_WRITE);
	igt_tlgpu_job_in_sync(j, bin, 0);
	j->flags |= DRM_TLGPU_SUBMIT_NO_IMPLICIT;
	c = igt_tlgpu_submit_fence(f, j);
	d = igt_tlgpu_delay_store(f, 2, bo, 24, 0xd, LONG_US, tl, 1,
				  DRM_TLGPU_SUBMIT_NO_IMPLICIT);
	/* And a job of a second file of the device, behind a's syncobj too. */
	e = syncobj_handle_to_fd(f, bin,
				 DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE);
	j = igt_tlgpu_job_new(1);
	igt_tlgpu_cmd_store(&j->cmds, bo2->gpu_va, 0xe);
	igt_tlgpu_job_bo(j, bo2->handle, DRM_TLGPU_BO_WRITE);
	igt_tlgpu_job_in_fence(j, e);
	g = igt_tlgpu_submit_fence(f2, j);

	usleep(200000);
	igt_tlgpu_assert_fence(a, 0);
	igt_tlgpu_assert_fence(b, 0);
	igt_tlgpu_assert_fence(c, 0);
	igt_tlgpu_assert_fence(d, 0);
	igt_tlgpu_assert_fence(e, 0);
	igt_tlgpu_assert_fence(g, 0);

	t0 = igt_tlgpu_now_ns();
	if (remove)
		pci_remove();
	else
		unbind();
	igt_info("unplug took %"PRIu64" ms\n", (igt_tlgpu_now_ns() - t0) / 1000000);

	assert_gone(a, -ENODEV, t0, "job on the device");
	assert_gone(b, -ENODEV, t0, "job queued behind it");
	assert_gone(c, -ENODEV, t0, "job on another timeline waiting for it");
	assert_gone(d, -ENODEV, t0, "timeline point's job");
	assert_gone(e, -ENODEV, t0, "syncobj's exported fence");
	assert_gone(g, -ENODEV, t0, "second file's job waiting for it");
	/* None of them ran. */
	for (int i = 0; i < 4; i++)
		igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, 8 * i), 0);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo2, 0), 0);
	assert_ioctls_enodev(f, bo->handle, bin);
	assert_ioctls_enodev(f2, bo2->handle, 0);

	close(a);
	close(b);
	close(c);
	close(d);
	close(e);
	close(g);
	igt_tlgpu_bo_free(bo);
	igt_tlgpu_bo_free(bo2);
	close(f);
	close(f2);
	restore_and_check();
}

/*
 * The last device's buffer is exported, imported by device 0 and mapped
 * (GEM mmap and dma-buf mmap); a writer of the last device is pending,
 * device 0's reader waits for it implicitly and another device 0 job
 * through its sync file.  After the unbind the buffer lives on.
 */
static void test_shared_buffer(void)
{
	struct igt_tlgpu_bo *ubo, *kbo, *kdst;
	struct igt_tlgpu_job *j;
	int u, k, dmabuf, writer, reader, waiter, sf;
	uint32_t *dmap, *p;
	uint64_t t0;

	igt_require_f(num_devices >= 2, "needs a device that stays bound\n");
	igt_require_f(last_timelines >= 2, "needs 2 timelines, device %d has %u\n",
		      last, last_timelines);
	require_all_bound();
	u = igt_tlgpu_open(last);
	k = igt_tlgpu_open(0);
	igt_tlgpu_require_timelines(k, 3);

	ubo = igt_tlgpu_bo_create(u, 2 * TLGPU_PAGE);
	j = igt_tlgpu_job_new(0);
	igt_tlgpu_cmd_fill(&j->cmds, ubo->gpu_va, 2 * TLGPU_PAGE, 0x11111111);
	igt_tlgpu_job_bo(j, ubo->handle, DRM_TLGPU_BO_WRITE);
	sf = igt_tlgpu_submit_fence(u, j);
	igt_tlgpu_wait_fence(sf, 1);
	close(sf);

	dmabuf = igt_tlgpu_bo_export(ubo);
	dmap = mmap(NULL, 2 * TLGPU_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    dmabuf, 0);
	igt_assert(dmap != MAP_FAILED);
	kbo = igt_tlgpu_bo_import(k, dmabuf);
	kdst = igt_tlgpu_bo_create(k, TLGPU_PAGE);

	/* The last device's writer, pending for LONG_US. */
	writer = igt_tlgpu_delay_store(u, 1, ubo, 0, 0xdead, LONG_US, 0, 0, 0);
	/* Device 0's reader behind it, implicitly. */
	reader = igt_tlgpu_submit_fence(k, igt_tlgpu_copy_job(0, kdst, 0, kbo, 0,
							      16));
	/* Device 0's job behind the writer's sync file (explicit). */
	j = igt_tlgpu_job_new(1);
	igt_tlgpu_cmd_store(&j->cmds, kdst->gpu_va + 64, 0x3a17);
	igt_tlgpu_job_bo(j, kdst->handle, DRM_TLGPU_BO_WRITE);
	igt_tlgpu_job_in_fence(j, writer);
	j->flags |= DRM_TLGPU_SUBMIT_NO_IMPLICIT;
	waiter = igt_tlgpu_submit_fence(k, j);

	usleep(200000);
	igt_tlgpu_assert_fence(writer, 0);
	igt_tlgpu_assert_fence(reader, 0);
	igt_tlgpu_assert_fence(waiter, 0);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(kdst, 0), 0);

	t0 = igt_tlgpu_now_ns();
	unbind();

	assert_gone(writer, -ENODEV, t0, "unplugged device's writer");
	/* Device 0's jobs don't care: they run, with the data as it was. */
	assert_gone(reader, 1, t0, "device 0's implicit reader");
	assert_gone(waiter, 1, t0, "device 0's explicit waiter");
	igt_assert_eq_u64(igt_tlgpu_bo_u64(kdst, 0), 0x1111111111111111ull);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(kdst, 8), 0x1111111111111111ull);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(kdst, 64), 0x3a17);

	/* Every mapping of the buffer still shows it, and writes go through. */
	igt_assert_eq_u32(dmap[0], 0x11111111);
	igt_assert_eq_u32(((uint32_t *)ubo->map)[1], 0x11111111);
	igt_assert_eq_u32(((uint32_t *)kbo->map)[2 * TLGPU_PAGE / 4 - 1], 0x11111111);
	dmap[16] = 0x22222222;
	igt_assert_eq_u32(((uint32_t *)ubo->map)[16], 0x22222222);
	igt_assert_eq_u32(((uint32_t *)kbo->map)[16], 0x22222222);
	/* The dead file refuses a new GEM mapping. */
	igt_assert(mmap(NULL, TLGPU_PAGE, PROT_READ, MAP_SHARED, u,
			ubo->mmap_offset) == MAP_FAILED);
	igt_assert_eq(errno, ENODEV);
	/*
	 * The dma-buf still maps: its buffer is alive, and the shmem
	 * helpers' dma-buf mmap does not ask the (gone) device.
	 */
	p = mmap(NULL, TLGPU_PAGE, PROT_READ, MAP_SHARED, dmabuf, 0);
	igt_assert_f(p != MAP_FAILED, "new mmap of the dma-buf after unbind: %m\n");
	igt_assert_eq_u32(p[16], 0x22222222);
	munmap(p, TLGPU_PAGE);
	/* Device 0 writes the buffer through its import. */
	igt_tlgpu_store_wait(k, 2, kbo, 128, 0x4b4b);
	igt_assert_eq_u64(*(uint64_t *)(dmap + 32), 0x4b4b);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(ubo, 128), 0x4b4b);
	/* Nothing in the dma_resv keeps anyone waiting. */
	igt_assert(!dmabuf_busy(dmabuf, DMA_BUF_SYNC_WRITE));
	assert_ioctls_enodev(u, ubo->handle, 0);

	/* The unplugged device's file goes; its dma-buf stays. */
	close(writer);
	igt_tlgpu_bo_free(ubo);
	close(u);
	restore_and_check();

	/* The device is back, the old dma-buf still serves device 0. */
	igt_tlgpu_store_wait(k, 0, kbo, 256, 0x5c5c);
	igt_assert_eq_u64(*(uint64_t *)(dmap + 64), 0x5c5c);
	/* And imports into the new instance of the device. */
	{
		int n = igt_tlgpu_open(last);
		struct igt_tlgpu_bo *nbo = igt_tlgpu_bo_import(n, dmabuf);

		igt_assert_eq_u64(igt_tlgpu_bo_u64(nbo, 256), 0x5c5c);
		igt_tlgpu_store_wait(n, 0, nbo, 512, 0x6d6d);
		igt_assert_eq_u64(*(uint64_t *)(dmap + 128), 0x6d6d);
		igt_tlgpu_bo_free(nbo);
		close(n);
	}

	close(reader);
	close(waiter);
	munmap(dmap, 2 * TLGPU_PAGE);
	igt_tlgpu_bo_free(kdst);
	igt_tlgpu_bo_free(kbo);
	close(dmabuf);
	close(k);
}

/*
 * Device 0's buffer imported by the last device, which has a pending
 * writer of it: at the unbind the writer fails, device 0's buffer is
 * untouched and its own jobs on it run.
 */
static void test_imported_buffer(void)
{
	struct igt_tlgpu_bo *kbo, *ubo;
	int u, k, dmabuf, writer, sf;
	uint64_t t0;

	igt_require_f(num_devices >= 2, "needs a device that stays bound\n");
	require_all_bound();
	u = igt_tlgpu_open(last);
	k = igt_tlgpu_open(0);
	igt_tlgpu_require_timelines(k, 2);
	kbo = igt_tlgpu_bo_create(k, TLGPU_PAGE);
	dmabuf = igt_tlgpu_bo_export(kbo);
	ubo = igt_tlgpu_bo_import(u, dmabuf);

	writer = igt_tlgpu_delay_store(u, 0, ubo, 0, 0xdead, LONG_US, 0, 0, 0);
	/* Device 0's writer waits for the last device's, implicitly. */
	sf = igt_tlgpu_delay_store(k, 0, kbo, 8, 0x7e7e, 0, 0, 0, 0);
	usleep(200000);
	igt_tlgpu_assert_fence(writer, 0);
	igt_tlgpu_assert_fence(sf, 0);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(kbo, 8), 0);
	igt_assert(dmabuf_busy(dmabuf, DMA_BUF_SYNC_READ));

	t0 = igt_tlgpu_now_ns();
	unbind();
	assert_gone(writer, -ENODEV, t0, "unplugged device's writer");
	assert_gone(sf, 1, t0, "device 0's writer behind it");
	igt_assert_eq_u64(igt_tlgpu_bo_u64(kbo, 0), 0);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(kbo, 8), 0x7e7e);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(ubo, 8), 0x7e7e);
	igt_assert(!dmabuf_busy(dmabuf, DMA_BUF_SYNC_WRITE));

	/* The dead device's import goes away after the rebind, cleanly. */
	restore_and_check();
	close(writer);
	close(sf);
	igt_tlgpu_bo_free(ubo);
	close(u);
	igt_tlgpu_store_wait(k, 1, kbo, 16, 0x8f8f);
	close(dmabuf);
	igt_tlgpu_bo_free(kbo);
	close(k);
}

igt_main
{
	igt_fixture {
		int f;

		igt_require_f(path_exists(TLGPU_DRIVER_SYSFS "/unbind"),
			      "no %s/unbind\n", TLGPU_DRIVER_SYSFS);
		num_devices = igt_tlgpu_count_devices();
		igt_require_f(num_devices >= 1, "no device bound to tlgpu\n");
		last = num_devices - 1;
		f = igt_tlgpu_open(last);
		igt_tlgpu_pci_slot(f, slot, sizeof(slot));
		last_timelines = igt_tlgpu_get_param(f,
						     DRM_TLGPU_PARAM_NUM_TIMELINES);
		close(f);
		igt_info("unplugging device %d of %d at %s\n", last,
			 num_devices, slot);
		igt_install_exit_handler(exit_handler);
	}

	igt_describe("Unbind with an idle file open: every ioctl -ENODEV, the CPU "
		     "map stays, new GEM mmaps refused; rebind, the device works.");
	igt_subtest("unbind-idle")
		test_unbind_idle();

	igt_describe("Unbind with jobs on the device, queued, waiting on a syncobj "
		     "and on a timeline point: every fence -ENODEV within 5 s, "
		     "nothing ran, ioctls -ENODEV; rebind.");
	igt_subtest("unbind-jobs-in-flight")
		test_jobs_in_flight(false);

	igt_describe("Unbind with the device's buffer exported, imported by device "
		     "0 and mapped, a pending writer and device 0's readers behind "
		     "it: writer -ENODEV, readers run with the old data, maps and "
		     "dma-buf keep working, also after the rebind.");
	igt_subtest("unbind-shared-buffer")
		test_shared_buffer();

	igt_describe("Unbind with device 0's buffer imported and written by a "
		     "pending job of the unplugged device: that job -ENODEV, "
		     "device 0's writer behind it runs, buffer intact.");
	igt_subtest("unbind-imported-buffer")
		test_imported_buffer();

	igt_describe("PCI remove (as core_hotunplug) with jobs in flight: every "
		     "fence -ENODEV; rescan brings the device back, working.");
	igt_subtest("remove-jobs-in-flight")
		test_jobs_in_flight(true);

	igt_fixture {
		restore_device();
		igt_assert_f(state == BOUND, "%s did not come back\n", slot);
	}
}
