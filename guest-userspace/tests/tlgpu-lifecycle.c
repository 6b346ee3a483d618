// SPDX-License-Identifier: MIT
/*
 * tlgpu-lifecycle: the device going away or being reset under running
 * jobs and open files.
 *
 * PCI function-level reset with a job in flight (the job is re-run and
 * completes), unbind with jobs in flight and files open (their fences
 * fail with -ENODEV, later ioctls too, closing everything afterwards is
 * clean, rebind brings the device back), module unload once the files
 * and fences are closed (a fence of tlgpu pins the module until it is
 * freed), closing a file while its job runs, and a reset the device does
 * not come back from (wedged: -EIO, a WEDGED=rebind uevent, a rebind
 * recovers).
 *
 * The cases that unbind a device or unload the module give it back
 * however they end (test_undo()): a failed one does not fail the next.
 */

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "common.h"

/* The PCI slot ("0000:00:01.0") of the device behind @fd. */
static int slot_of(int fd, char *slot, size_t len)
{
	char link[PATH_MAX], path[64];
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st))
		return -errno;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	snprintf(slot, len, "%s", basename(link));
	return 0;
}

/* Waits until a tlgpu render node for @slot exists again. */
static enum ktap_result wait_rebound(const char *slot)
{
	for (int i = 0; i < 200; i++) {
		struct tlgpu_node nodes[8];
		int n = tlgpu_open_all(nodes, 8);

		for (int j = 0; j < n; j++) {
			char s[64];

			if (!slot_of(nodes[j].fd, s, sizeof(s)) &&
			    !strcmp(s, slot)) {
				tlgpu_close_all(nodes, n);
				return KTAP_PASS;
			}
		}
		if (n > 0)
			tlgpu_close_all(nodes, n);
		test_sleep_ms(25);
	}
	ktap_diag("no tlgpu node for %s after rebinding", slot);
	return KTAP_FAIL;
}

/*
 * A job storing @value at @bo + @off after @delay_ms, once sync file
 * @in_fence has signalled (-1: no in-fence); its sync_file in *@fence.
 */
static int store_after(int fd, uint32_t tl, const struct tlgpu_bo *bo,
		       uint64_t off, uint64_t value, unsigned int delay_ms,
		       int in_fence, int *fence)
{
	struct drm_tlgpu_bo_ref ref = {
		.handle = bo->handle, .flags = DRM_TLGPU_BO_WRITE,
	};
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_job job = {
		.timeline = tl,
		.flags = DRM_TLGPU_SUBMIT_FENCE_OUT |
			 (in_fence >= 0 ? DRM_TLGPU_SUBMIT_FENCE_IN : 0),
		.bos = &ref,
		.bo_count = 1,
		.in_fence_fd = in_fence,
	};
	int ret;

	if (delay_ms)
		tlgpu_cmd_delay(&cb, delay_ms * MS);
	tlgpu_cmd_store(&cb, bo->gpu_va + off, value);
	ret = tlgpu_submit_cmdbuf(fd, &job, &cb, fence, NULL);
	tlgpu_cmdbuf_fini(&cb);
	return ret;
}

/* A slow job storing @value at @bo + @off; returns its sync_file. */
static int slow_store(int fd, uint32_t tl, const struct tlgpu_bo *bo,
		      uint64_t off, uint64_t value, int *fence)
{
	return store_after(fd, tl, bo, off, value, SLOW_MS, -1, fence);
}

static enum ktap_result test_flr_in_flight(void)
{
	struct drm_tlgpu_reset_status st = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint64_t resets;
	char slot[64], path[128];
	int fence;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(slot_of(n.fd, slot, sizeof(slot)));
	KTAP_ASSERT_OK(slow_store(n.fd, 0, &bo, 8, 0xf1a5, &fence));
	test_sleep_ms(SLOW_MS / 4);
	ASSERT_ACTIVE(fence);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", slot);
	KTAP_ASSERT_OK(test_write_file(path, "1"));

	/* Re-run after the reset: it completes, and its data is there. */
	KTAP_ASSERT_OK(tlgpu_sync_file_wait(fence, FENCE_TIMEOUT_MS));
	ASSERT_SIGNALLED(fence);
	KTAP_ASSERT_EQ(*(uint64_t *)bo_ptr(&bo, 8), 0xf1a5);
	KTAP_ASSERT_OK(tlgpu_get_param(n.fd, DRM_TLGPU_PARAM_RESET_COUNT,
				       &resets));
	KTAP_ASSERT(resets >= 1, "reset count %llu after an FLR",
		    (unsigned long long)resets);
	KTAP_ASSERT_OK(tlgpu_get_reset_status(n.fd, &st));
	KTAP_ASSERT(st.device_resets >= 1 && st.innocent >= 1 && !st.guilty,
		    "resets %llu innocent %llu guilty %llu",
		    (unsigned long long)st.device_resets,
		    (unsigned long long)st.innocent,
		    (unsigned long long)st.guilty);
	/* And the device serves new jobs. */
	KTAP_ASSERT_OK(slow_store(n.fd, 1, &bo, 16, 0xbeef, &fence));
	KTAP_ASSERT_OK(tlgpu_sync_file_wait(fence, FENCE_TIMEOUT_MS));
	ASSERT_SIGNALLED(fence);
	KTAP_ASSERT_EQ(*(uint64_t *)bo_ptr(&bo, 16), 0xbeef);
	return KTAP_PASS;
}

/* Binds @slot to tlgpu again; the device is back and runs a job. */
static enum ktap_result bind_and_serve(const char *slot)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int fence;

	KTAP_ASSERT_OK(test_write_file(TLGPU_DRIVER_SYSFS "/bind", slot));
	CHECK(wait_rebound(slot));
	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(slow_store(n.fd, 0, &bo, 0, 0x600d, &fence));
	KTAP_ASSERT_OK(tlgpu_sync_file_wait(fence, FENCE_TIMEOUT_MS));
	ASSERT_SIGNALLED(fence);
	KTAP_ASSERT_EQ(*(uint64_t *)bo_ptr(&bo, 0), 0x600d);
	close(fence);
	return KTAP_PASS;
}

/* Unbinds device 0, which @undo binds again if need be. */
static enum ktap_result unbind_in_flight(struct test_undo *undo)
{
	struct drm_tlgpu_sync out = { 0 };
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint64_t v;
	char slot[64];
	int fence, fence2, sync_fd;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(slot_of(n.fd, slot, sizeof(slot)));
	KTAP_ASSERT_OK(tlgpu_syncobj_create(n.fd, 0, &out.handle));
	KTAP_ASSERT_OK(slow_store(n.fd, 0, &bo, 0, 1, &fence));
	/* A second job waiting for the first through a syncobj. */
	KTAP_ASSERT_OK(tlgpu_syncobj_import_sync_file(n.fd, out.handle, 0,
						      fence));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va + 8, 2));
	struct tlgpu_job job = {
		.timeline = 1, .flags = DRM_TLGPU_SUBMIT_FENCE_OUT,
		.in_syncs = &out, .in_sync_count = 1,
	};
	KTAP_ASSERT_OK(tlgpu_submit_cmdbuf(n.fd, &job, &cb, &fence2, NULL));
	test_sleep_ms(SLOW_MS / 4);

	KTAP_ASSERT_OK(test_unbind(undo, slot));

	/* The jobs the device held fail with -ENODEV; nothing hangs. */
	KTAP_ASSERT_OK(tlgpu_sync_file_wait(fence, FENCE_TIMEOUT_MS));
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fence), -ENODEV);
	KTAP_ASSERT_OK(tlgpu_sync_file_wait(fence2, FENCE_TIMEOUT_MS));
	KTAP_ASSERT(tlgpu_sync_file_status(fence2) < 0 ||
		    tlgpu_sync_file_status(fence2) == 1,
		    "second job's fence %d", tlgpu_sync_file_status(fence2));
	/* Every ioctl of the unplugged device fails cleanly. */
	KTAP_ASSERT_RET(tlgpu_get_param(n.fd, DRM_TLGPU_PARAM_NUM_TIMELINES,
					&v), -ENODEV);
	KTAP_ASSERT_RET(test_submit(n.fd, 0, 0, &cb, NULL, 0, NULL), -ENODEV);
	KTAP_ASSERT_RET(tlgpu_syncobj_export_sync_file(n.fd, out.handle, 0,
						       &sync_fd), -ENODEV);
	/* The files, syncobj and sync files close without trouble. */
	tlgpu_cmdbuf_fini(&cb);
	close(fence);
	close(fence2);
	tlgpu_bo_close(&bo);
	close(n.fd);

	/* Back, and serving. */
	return bind_and_serve(slot);
}

static enum ktap_result test_unbind_in_flight(void)
{
	struct test_undo undo = { 0 };

	return test_undo(&undo, unbind_in_flight(&undo));
}

/*
 * Jobs in flight on every device, files open: unbind, close, unload.
 *
 * Each device runs a slow job, which may or may not be done by the time
 * the (slow, under TCG and a debug kernel) unbind reaches its device, and
 * queued behind it a job that cannot be done before the unbind: its
 * in-fence is a vgem fence signalled only afterwards.  That one stays
 * unsignalled through the unbind (no job is done, not even failed, before
 * its dependencies), and fails with -ENODEV as soon as the vgem fence
 * signals, whatever the timing.  With every file and sync file closed,
 * the module unloads (retried while the last fences wait for their RCU
 * grace period) and comes back with every device; @undo binds them or
 * loads the module again if the case fails on the way.
 */
static enum ktap_result unload_after_in_flight(struct test_undo *undo)
{
	struct tlgpu_node nodes[8];
	struct tlgpu_bo bos[8];
	int fences[8], gated[8];
	char slots[8][64];
	int count, i, ret, vgem, gate;
	uint32_t vfence;

	vgem = tlgpu_vgem_open(NULL, 0);
	if (vgem < 0)
		return ktap_skip("no vgem device (modprobe vgem)");
	CHECK(test_vgem_gate(vgem, &vfence, &gate));
	count = tlgpu_open_all(nodes, 8);
	KTAP_ASSERT(count > 0, "no tlgpu device: %d", count);
	for (i = 0; i < count; i++) {
		KTAP_ASSERT_OK(slot_of(nodes[i].fd, slots[i], sizeof(slots[i])));
		TEST_BO(nodes[i].fd, PAGE, &bos[i]);
		KTAP_ASSERT_OK(slow_store(nodes[i].fd, 0, &bos[i], 0, i + 1,
					  &fences[i]));
		KTAP_ASSERT_OK(store_after(nodes[i].fd, 0, &bos[i], 8, i + 1,
					   0, gate, &gated[i]));
	}
	test_sleep_ms(SLOW_MS / 4);
	for (i = 0; i < count; i++)
		KTAP_ASSERT_OK(test_unbind(undo, slots[i]));
	KTAP_ASSERT(tlgpu_sync_file_status(gate) == 0,
		    "the gate opened by itself (vgem's 10 s timeout) before the unbind");
	for (i = 0; i < count; i++) {
		/* On the device: done, or failed by the unbind. */
		KTAP_ASSERT_OK(tlgpu_sync_file_wait(fences[i],
						    FENCE_TIMEOUT_MS));
		ret = tlgpu_sync_file_status(fences[i]);
		KTAP_ASSERT(ret == 1 || ret == -ENODEV,
			    "%s: the slow job's fence %d", slots[i], ret);
		/* Behind the gate: not before its dependency, even failed. */
		KTAP_ASSERT_RET(tlgpu_sync_file_status(gated[i]), 0);
	}
	/* Open the gate, unless vgem's own timeout did (-ETIMEDOUT). */
	ret = tlgpu_vgem_fence_signal(vgem, vfence);
	KTAP_ASSERT(!ret || ret == -ETIMEDOUT, "signalling the gate: %s",
		    strerror(-ret));
	for (i = 0; i < count; i++) {
		/* Then the device is gone for it: never run, -ENODEV. */
		KTAP_ASSERT_OK(tlgpu_sync_file_wait(gated[i],
						    FENCE_TIMEOUT_MS));
		KTAP_ASSERT_RET(tlgpu_sync_file_status(gated[i]), -ENODEV);
		close(fences[i]);
		close(gated[i]);
		tlgpu_bo_close(&bos[i]);
	}
	close(gate);
	close(vgem);
	tlgpu_close_all(nodes, count);

	KTAP_ASSERT_OK(test_rmmod("tlgpu", UNLOAD_TIMEOUT_MS));
	ret = system("modprobe tlgpu");
	KTAP_ASSERT(ret == 0, "modprobe tlgpu: status %d", ret);
	for (i = 0; i < count; i++)
		CHECK(wait_rebound(slots[i]));
	return KTAP_PASS;
}

static enum ktap_result test_unload_after_in_flight(void)
{
	struct test_undo undo = { 0 };

	return test_undo(&undo, unload_after_in_flight(&undo));
}

/* Closing the file does not cancel what it submitted. */
static enum ktap_result test_close_fd_in_flight(void)
{
	struct tlgpu_node n, other;
	struct tlgpu_bo bo, shared;
	int fence, dmabuf;

	TEST_OPEN(0, &n);
	TEST_OPEN(0, &other);
	TEST_BO(other.fd, PAGE, &shared);
	KTAP_ASSERT_OK(tlgpu_bo_export(&shared, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_bo_import(n.fd, dmabuf, &bo));
	KTAP_ASSERT_OK(slow_store(n.fd, 2, &bo, 24, 0xc105ed, &fence));
	KTAP_ASSERT_OK(tlgpu_gem_close(n.fd, bo.handle));
	close(n.fd);

	KTAP_ASSERT_OK(tlgpu_sync_file_wait(fence, FENCE_TIMEOUT_MS));
	ASSERT_SIGNALLED(fence);
	KTAP_ASSERT_EQ(*(uint64_t *)bo_ptr(&shared, 24), 0xc105ed);
	close(dmabuf);
	return KTAP_PASS;
}

/* Writes "@name @value" to @n's debugfs inject file. */
static int inject(const struct tlgpu_node *n, const char *name,
		  unsigned long long value)
{
	char path[128], line[64];

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/inject", n->minor);
	snprintf(line, sizeof(line), "%s %llu", name, value);
	return test_write_file(path, line);
}

/*
 * A uevent socket (NETLINK_KOBJECT_UEVENT, the kernel's broadcast group),
 * or -errno.
 */
static int uevent_socket(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * Waits up to @ms for a uevent with ACTION=change, a DEVPATH under the
 * PCI function @slot and the variable @want ("WEDGED=rebind"): 1 when it
 * came, 0 if not, -errno.
 */
static int wait_uevent(int fd, const char *slot, const char *want, int ms)
{
	int64_t start = tlgpu_now_ns();
	char buf[4096];

	while (test_elapsed_ms(start) < ms) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		bool change = false, dev = false, var = false;
		ssize_t n;
		size_t i;

		if (poll(&p, 1, 100) < 0)
			return -errno;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* "action@devpath", then NUL-separated KEY=value pairs. */
		for (i = 0; i < (size_t)n; i += strlen(buf + i) + 1) {
			change |= !strcmp(buf + i, "ACTION=change");
			dev |= !strncmp(buf + i, "DEVPATH=", 8) &&
			       strstr(buf + i, slot) && strstr(buf + i, "/drm/card");
			var |= !strcmp(buf + i, want);
		}
		if (change && dev && var)
			return 1;
	}
	return 0;
}

/*
 * A reset the device does not come back from (inject-reset-fail) wedges
 * it: the hung job that caused the reset and a job running on another
 * timeline fail with -EIO, a WEDGED=rebind uevent comes for its card,
 * SUBMIT refuses with -EIO; an unbind and bind brings it back, serving.
 */
static enum ktap_result wedged_rebind(struct test_undo *undo)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_job job = { .flags = DRM_TLGPU_SUBMIT_FENCE_OUT };
	unsigned int timeout = 0;
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint64_t caps = 0;
	char slot[64];
	int ue, hung, other, got;

	CHECK(test_job_timeout(&timeout));
	TEST_OPEN(0, &n);
	CHECK(test_need_timelines(n.fd, 2));
	KTAP_ASSERT_OK(tlgpu_get_param(n.fd, DRM_TLGPU_PARAM_CAPS, &caps));
	if (!(caps & TLGPU_CAP_INJECT))
		return ktap_skip("the device has no fault injection");
	TEST_BO(n.fd, PAGE, &bo);
	KTAP_ASSERT_OK(slot_of(n.fd, slot, sizeof(slot)));
	ue = uevent_socket();
	KTAP_ASSERT(ue >= 0, "uevent socket: %s", strerror(-ue));

	KTAP_ASSERT_OK(inject(&n, "reset_fail", 1));
	KTAP_ASSERT_OK(inject(&n, "hang_mask", 1));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va, 0xdead));
	KTAP_ASSERT_OK(tlgpu_submit_cmdbuf(n.fd, &job, &cb, &hung, NULL));
	tlgpu_cmdbuf_reset(&cb);
	KTAP_ASSERT_OK(tlgpu_cmd_delay(&cb, 60000 * MS));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, bo.gpu_va + 8, 0xdead));
	job.timeline = 1;
	KTAP_ASSERT_OK(tlgpu_submit_cmdbuf(n.fd, &job, &cb, &other, NULL));

	/* The timeout's reset fails: both fail with -EIO, not in 60 s. */
	KTAP_ASSERT_OK(tlgpu_sync_file_wait(hung, timeout + FENCE_TIMEOUT_MS));
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(hung), -EIO);
	KTAP_ASSERT_OK(tlgpu_sync_file_wait(other, FENCE_TIMEOUT_MS));
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(other), -EIO);
	got = wait_uevent(ue, slot, "WEDGED=rebind", 5000);
	KTAP_ASSERT(got == 1, "no WEDGED=rebind uevent for %s's card (%d)",
		    slot, got);
	close(ue);
	KTAP_ASSERT_RET(test_submit(n.fd, 0, 0, &cb, NULL, 0, NULL), -EIO);
	KTAP_ASSERT_OK(inject(&n, "hang_mask", 0));
	KTAP_ASSERT_OK(inject(&n, "reset_fail", 0));
	KTAP_ASSERT_EQ(*(uint64_t *)bo_ptr(&bo, 0), 0);
	close(hung);
	close(other);
	tlgpu_cmdbuf_fini(&cb);
	tlgpu_bo_close(&bo);
	close(n.fd);

	/* The recovery the uevent names. */
	KTAP_ASSERT_OK(test_unbind(undo, slot));
	return bind_and_serve(slot);
}

static enum ktap_result test_wedged_rebind(void)
{
	struct test_undo undo = { 0 };

	return test_undo(&undo, wedged_rebind(&undo));
}

static const struct ktap_case cases[] = {
	{ .name = "flr-in-flight", .run = test_flr_in_flight, .timeout = 60 },
	{ .name = "close-fd-in-flight", .run = test_close_fd_in_flight },
	{ .name = "unbind-in-flight", .run = test_unbind_in_flight,
	  .timeout = 60 },
	{ .name = "unload-after-in-flight", .run = test_unload_after_in_flight,
	  .timeout = 60 },
	{ .name = "wedged-rebind", .run = test_wedged_rebind, .timeout = 90 },
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
