/* SPDX-License-Identifier: MIT */
/*
 * igt_tlgpu.h - IGT helpers for tlgpu's own IGT tests (tlgpu_*.c), in the
 * manner of IGT's lib/igt_v3d.h: open the Nth tlgpu device, buffers
 * (create, info, mmap, PRIME), a small command builder for the device
 * commands of tlgpu_hw.h and SUBMIT with in/out syncobjs and sync files.
 *
 * Functions without underscores assert; __igt_tlgpu_*() return 0 or a
 * negative errno.
 */
#ifndef IGT_TLGPU_H
#define IGT_TLGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drm.h"
#include "tlgpu_drm.h"
#include "tlgpu_hw.h"

#define TLGPU_PAGE			4096u
#define TLGPU_DRIVER_SYSFS		"/sys/bus/pci/drivers/tlgpu"
/* A GPU address below the first one the driver hands out: always faults. */
#define TLGPU_UNMAPPED_VA		0x1000ull
/* How long a wait for a job that must end may take at most. */
#define TLGPU_FENCE_TIMEOUT_MS		10000
#define TLGPU_FENCE_TIMEOUT_NS		(TLGPU_FENCE_TIMEOUT_MS * 1000000ll)

/* --- devices --- */

/* Nth tlgpu device (0-based), or -1 when there is none. */
int __igt_tlgpu_open(int idx);
/* Nth tlgpu device; skips when there is none. */
int igt_tlgpu_open(int idx);
/* Whether @fd is a tlgpu device (DRM_IOCTL_VERSION name). */
bool igt_is_tlgpu(int fd);
/* Number of tlgpu devices bound (counted through sysfs). */
int igt_tlgpu_count_devices(void);
/* PCI slot (e.g. 0000:00:04.0) of @fd's device into @buf. */
void igt_tlgpu_pci_slot(int fd, char *buf, size_t len);

int __igt_tlgpu_get_param(int fd, uint32_t param, uint64_t *value);
uint64_t igt_tlgpu_get_param(int fd, uint32_t param);
/* Skips unless @fd's device has at least @n timelines. */
void igt_tlgpu_require_timelines(int fd, unsigned int n);

/* --- buffers --- */

struct igt_tlgpu_bo {
	int fd;
	uint32_t handle;
	uint64_t size;
	uint64_t gpu_va;
	uint64_t mmap_offset;
	void *map;
};

int __igt_tlgpu_bo_create(int fd, uint64_t size, uint32_t flags,
			  uint32_t *handle);
int __igt_tlgpu_bo_info(int fd, uint32_t handle,
			struct drm_tlgpu_bo_info *info);
void igt_tlgpu_bo_info(int fd, uint32_t handle, struct drm_tlgpu_bo_info *info);
/* Creates a buffer and maps it for the CPU (bo->map). */
struct igt_tlgpu_bo *igt_tlgpu_bo_create(int fd, uint64_t size);
/* Wraps an existing handle of @fd (BO_INFO + mmap). */
struct igt_tlgpu_bo *igt_tlgpu_bo_wrap(int fd, uint32_t handle);
/* PRIME import of @dmabuf into @fd, mapped. */
struct igt_tlgpu_bo *igt_tlgpu_bo_import(int fd, int dmabuf);
/* PRIME export (DRM_CLOEXEC | DRM_RDWR). */
int igt_tlgpu_bo_export(struct igt_tlgpu_bo *bo);
void *igt_tlgpu_mmap(int fd, uint32_t handle, uint64_t size, int prot);
/* Unmaps and closes the handle (the handle may already be gone). */
void igt_tlgpu_bo_free(struct igt_tlgpu_bo *bo);
static inline uint64_t igt_tlgpu_bo_u64(struct igt_tlgpu_bo *bo, uint64_t off)
{
	return *(volatile uint64_t *)((char *)bo->map + off);
}

/* --- commands --- */

struct igt_tlgpu_cmds {
	uint32_t dw[DRM_TLGPU_MAX_CMD_DWORDS];
	uint32_t len;
};

void igt_tlgpu_cmd_nop(struct igt_tlgpu_cmds *c, uint32_t ndw);
void igt_tlgpu_cmd_fill(struct igt_tlgpu_cmds *c, uint64_t va, uint64_t size,
			uint32_t pattern);
void igt_tlgpu_cmd_copy(struct igt_tlgpu_cmds *c, uint64_t dst, uint64_t src,
			uint64_t size);
void igt_tlgpu_cmd_checksum(struct igt_tlgpu_cmds *c, uint64_t va,
			    uint64_t size, uint64_t dst);
void igt_tlgpu_cmd_delay(struct igt_tlgpu_cmds *c, uint64_t usecs);
void igt_tlgpu_cmd_store(struct igt_tlgpu_cmds *c, uint64_t va, uint64_t value);

/* --- jobs --- */

#define IGT_TLGPU_MAX_JOB_REFS	16

struct igt_tlgpu_job {
	struct igt_tlgpu_cmds cmds;
	struct drm_tlgpu_bo_ref bos[IGT_TLGPU_MAX_JOB_REFS];
	uint32_t bo_count;
	struct drm_tlgpu_sync in_syncs[IGT_TLGPU_MAX_JOB_REFS];
	uint32_t in_sync_count;
	struct drm_tlgpu_sync out_syncs[IGT_TLGPU_MAX_JOB_REFS];
	uint32_t out_sync_count;
	uint32_t timeline;
	uint32_t flags;
	int in_fence_fd;
	/* out */
	int out_fence_fd;
	uint64_t seqno;
};

/* Allocates an empty job on @timeline (free() it). */
struct igt_tlgpu_job *igt_tlgpu_job_new(uint32_t timeline);
void igt_tlgpu_job_bo(struct igt_tlgpu_job *j, uint32_t handle, uint32_t flags);
void igt_tlgpu_job_in_sync(struct igt_tlgpu_job *j, uint32_t syncobj,
			   uint64_t point);
void igt_tlgpu_job_out_sync(struct igt_tlgpu_job *j, uint32_t syncobj,
			    uint64_t point);
/* Waits for the sync_file @fd (DRM_TLGPU_SUBMIT_FENCE_IN). */
void igt_tlgpu_job_in_fence(struct igt_tlgpu_job *j, int fd);
/* Asks for the job's fence as a sync file (j->out_fence_fd). */
void igt_tlgpu_job_fence_out(struct igt_tlgpu_job *j);
/* SUBMIT: 0 or -errno. */
int __igt_tlgpu_submit(int fd, struct igt_tlgpu_job *j);
void igt_tlgpu_submit(int fd, struct igt_tlgpu_job *j);
/* SUBMIT with DRM_TLGPU_SUBMIT_FENCE_OUT, frees @j; returns the sync file. */
int igt_tlgpu_submit_fence(int fd, struct igt_tlgpu_job *j);

/*
 * A job on @timeline that COPYs @size bytes from @src + @src_off to @dst +
 * @dst_off, listing @src for read and @dst for write (one buffer: both),
 * with DRM_TLGPU_SUBMIT_FENCE_OUT; add dependencies, then submit it.
 */
struct igt_tlgpu_job *igt_tlgpu_copy_job(uint32_t timeline,
					 struct igt_tlgpu_bo *dst,
					 uint64_t dst_off,
					 struct igt_tlgpu_bo *src,
					 uint64_t src_off, uint64_t size);

/*
 * One job on @timeline: DELAY @delay_us, then STORE @value at @off of @bo
 * (listed for write, implicit sync unless @flags has NO_IMPLICIT), with
 * the optional out syncobj (@syncobj, @point; 0 for none).  Returns the
 * job's sync file.
 */
int igt_tlgpu_delay_store(int fd, uint32_t timeline, struct igt_tlgpu_bo *bo,
			  uint64_t off, uint64_t value, uint32_t delay_us,
			  uint32_t syncobj, uint64_t point, uint32_t flags);
/* A job that faults (STORE at an unmapped address) after @delay_us. */
int igt_tlgpu_fault_job(int fd, uint32_t timeline, uint32_t delay_us,
			uint32_t syncobj, uint64_t point);
/*
 * STORE @value at @off of @bo on @timeline (implicit sync), wait for the
 * job: its fence signalled without error, the value is in the buffer.
 */
void igt_tlgpu_store_wait(int fd, uint32_t timeline, struct igt_tlgpu_bo *bo,
			  uint64_t off, uint64_t value);

/* WAIT_BO with a relative timeout; returns 0/-errno, *error its @error. */
int __igt_tlgpu_wait_bo(int fd, uint32_t handle, uint32_t flags,
			int64_t rel_timeout_ns, int32_t *error);

/* --- misc --- */

uint64_t igt_tlgpu_now_ns(void);
/*
 * Sync file helpers.  Status values as SYNC_IOC_FILE_INFO: 1 signalled,
 * 0 active, a negative errno signalled with that error.
 */
/* SYNC_IOC_FILE_INFO's status of the sync file's own fence. */
int igt_tlgpu_sync_file_status(int sync_fd);
/*
 * SYNC_IOC_FILE_INFO listing the fences (a container's are unwrapped):
 * asserts every fence has the same status and returns it; *@count (if
 * not NULL) the number of fences.
 */
int igt_tlgpu_sync_file_fences_status(int sync_fd, int *count);
/* Asserts the file's status and each fence's are @status. */
void igt_tlgpu_assert_fence(int sync_fd, int status);
/* Waits (up to TLGPU_FENCE_TIMEOUT_MS, asserted), then assert_fence. */
void igt_tlgpu_wait_fence(int sync_fd, int status);
/* Waits up to @timeout_ms; 0 or -ETIME. */
int igt_tlgpu_sync_file_wait(int sync_fd, int timeout_ms);
/* Writes @val to the sysfs attribute @attr of directory @dir: 0 or -errno. */
int igt_tlgpu_sysfs_write(const char *dir, const char *attr, const char *val);

#endif /* IGT_TLGPU_H */
