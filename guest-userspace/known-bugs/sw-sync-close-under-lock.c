// SPDX-License-Identifier: MIT
/*
 * Known kernel bug: sw_sync's close path signals under the timeline lock.
 *
 * sw_sync_debugfs_release() signals the timeline's pending fences with
 * dma_fence_signal_locked() while it holds the timeline's lock (obj->lock,
 * which is also every sync_pt's fence lock).  When a fence's last
 * reference belongs to a drm_sched entity waiting for it, the entity's
 * callback (drm_sched_entity_wakeup() -> drm_sched_entity_clear_dep())
 * drops that reference from inside the signal, and timeline_fence_release()
 * takes obj->lock again: lockdep reports "possible recursive locking
 * detected &obj->lock" and the CPU deadlocks with interrupts off.
 *
 * This program sets that up with a tlgpu job whose in-fence is a sw_sync
 * fence (its sync file closed, so the scheduler entity holds the last
 * reference), then closes the timeline.  It prints what it does on
 * stdout; ci/run-known-bugs.py watches it and the kernel log, and judges
 * the kernel by ci/known-bugs.txt.  Never part of `make check`: on a
 * kernel with the bug the guest hangs.
 *
 * Output lines: "KNOWN-BUG-ARMED <name>" before the close,
 * "KNOWN-BUG-DONE <name> status=<job fence status>" after it, or
 * "KNOWN-BUG-SKIP <name> <reason>".
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tlgpu.h"

#define NAME "sw-sync-close-under-lock"
#define SW_SYNC_PATH "/sys/kernel/debug/sync/sw_sync"

/* drivers/dma-buf/sw_sync.c's uAPI (not exported to userspace headers). */
struct sw_sync_create_fence_data {
	uint32_t value;
	char name[32];
	int32_t fence;
};
#define SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct sw_sync_create_fence_data)

static int skip(const char *why)
{
	printf("KNOWN-BUG-SKIP %s %s\n", NAME, why);
	return 0;
}

int main(void)
{
	struct sw_sync_create_fence_data data = { .value = 1, .name = "known-bug" };
	struct tlgpu_cmdbuf cb;
	struct tlgpu_node node;
	struct tlgpu_job job = { .timeline = 0 };
	int timeline, out_fence, ret;

	setvbuf(stdout, NULL, _IONBF, 0);
	timeline = open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);
	if (timeline < 0)
		return skip("no " SW_SYNC_PATH " (CONFIG_SW_SYNC off)");
	if (ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &data))
		return skip("SW_SYNC_IOC_CREATE_FENCE failed");
	if (tlgpu_open_index(0, &node) < 0)
		return skip("no tlgpu device");

	tlgpu_cmdbuf_init(&cb);
	tlgpu_cmd_nop(&cb, 2);
	job.flags = DRM_TLGPU_SUBMIT_FENCE_IN | DRM_TLGPU_SUBMIT_FENCE_OUT;
	job.in_fence_fd = data.fence;
	ret = tlgpu_submit_cmdbuf(node.fd, &job, &cb, &out_fence, NULL);
	tlgpu_cmdbuf_fini(&cb);
	if (ret) {
		printf("KNOWN-BUG-ERROR %s submit: %s\n", NAME, strerror(-ret));
		return 1;
	}
	/* The job's dependency is now the sw_sync fence's last reference... */
	close(data.fence);
	/* ...once the scheduler took it over as the entity's dependency. */
	usleep(500 * 1000);
	if (tlgpu_sync_file_status(out_fence) != 0) {
		printf("KNOWN-BUG-ERROR %s the job did not wait for its in-fence\n", NAME);
		return 1;
	}

	printf("KNOWN-BUG-ARMED %s\n", NAME);
	close(timeline);	/* the kernel with the bug hangs here */
	ret = tlgpu_sync_file_wait(out_fence, 10000);
	printf("KNOWN-BUG-DONE %s status=%d\n", NAME,
	       ret ? ret : tlgpu_sync_file_status(out_fence));
	close(out_fence);
	close(node.fd);
	return 0;
}
