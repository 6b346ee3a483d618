/* SPDX-License-Identifier: MIT */
/*
 * libtlgpu - userspace library of the tlgpu virtual GPU.
 *
 * A thin layer over libdrm and the uAPI (tlgpu_drm.h, and tlgpu_hw.h for
 * the command formats).  It finds the tlgpu render nodes, wraps the tlgpu
 * ioctls, encodes device commands, submits jobs and handles their fences:
 * sync_files, DRM syncobjs (through libdrm) and dma-buf implicit fences.
 * It also drives vgem, the kernel's virtual GEM driver, which tests,
 * benchmarks and the demo share buffers and fences with.
 *
 * Conventions: every function that can fail returns 0 (or a documented
 * non-negative value) on success and a negative errno on failure; outputs
 * are written only on success; the library never prints and keeps no
 * global state.  File descriptors it returns are close-on-exec.  Absolute
 * timeouts are CLOCK_MONOTONIC nanoseconds, as the kernel takes them.
 */
#ifndef TLGPU_H
#define TLGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlgpu_drm.h"
#include "tlgpu_hw.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Driver name reported by DRM_IOCTL_VERSION. */
#define TLGPU_DRIVER_NAME	"tlgpu"

/** Directory of the DRM device nodes. */
#define TLGPU_DRI_DIR		"/dev/dri"

/** Room for "/dev/dri/renderD<minor>". */
#define TLGPU_NODE_PATH_MAX	64

/** More tlgpu devices than any VM of the project has. */
#define TLGPU_MAX_DEVICES	64

/* ------------------------------------------------------------------ */
/* Devices                                                             */
/* ------------------------------------------------------------------ */

/**
 * struct tlgpu_node - an open tlgpu render node
 * @fd: file descriptor, opened O_RDWR | O_CLOEXEC
 * @minor: DRM minor of the node (renderD<minor>)
 * @path: path of the node
 */
struct tlgpu_node {
	int fd;
	unsigned int minor;
	char path[TLGPU_NODE_PATH_MAX];
};

/**
 * tlgpu_is_tlgpu() - is @fd a DRM node of the tlgpu driver?
 *
 * Returns 1 if so, 0 if it is another driver's, or a negative errno
 * (-ENODEV once the device was unplugged, -ENOTTY if @fd is no DRM node).
 */
int tlgpu_is_tlgpu(int fd);

/**
 * tlgpu_open() - open the render node at @path if it is a tlgpu one
 *
 * Returns the file descriptor, -ENODEV if the node belongs to another
 * driver, or another negative errno from open() or DRM_IOCTL_VERSION.
 */
int tlgpu_open(const char *path);

/**
 * tlgpu_open_all() - open every tlgpu render node
 * @nodes: filled with up to @max open nodes, by increasing minor
 * @max: room in @nodes
 *
 * The nodes are found without opening any (the render nodes in /dev/dri
 * and the driver sysfs names for each node's device); nodes that vanish or
 * fail to open meanwhile (a device being unbound) are skipped.  Returns
 * the number of nodes opened, 0 when there is none, or a negative errno
 * if the devices could not be listed, or if no tlgpu node could be opened
 * and one failed with another error than a vanished node's.
 */
int tlgpu_open_all(struct tlgpu_node *nodes, unsigned int max);

/**
 * tlgpu_open_index() - open the @index-th tlgpu render node
 * @index: 0 for the tlgpu node of lowest minor, 1 for the next, ...
 * @node: filled with the open node on success
 *
 * Finds the nodes as tlgpu_open_all() does and opens only the one asked
 * for: every call opens one new file, with a GPU address space of its
 * own, and no other device.  Returns the file descriptor (also in
 * @node->fd), -ENOENT when there are at most @index tlgpu nodes, or the
 * error of listing the devices or of opening that node.
 */
int tlgpu_open_index(unsigned int index, struct tlgpu_node *node);

/** tlgpu_close_all() - close @count nodes filled by tlgpu_open_all(). */
void tlgpu_close_all(struct tlgpu_node *nodes, unsigned int count);

/**
 * tlgpu_get_param() - DRM_IOCTL_TLGPU_GET_PARAM
 * @fd: tlgpu render node
 * @param: one of enum drm_tlgpu_param
 * @value: the answer, written only on success
 *
 * Returns 0, -EINVAL for an unknown @param, -ENODEV once the device is
 * gone, or another negative errno.
 */
int tlgpu_get_param(int fd, uint32_t param, uint64_t *value);

/**
 * tlgpu_param_name() - name of an enum drm_tlgpu_param value
 *
 * Returns e.g. "device-version", or NULL for an unknown parameter.
 */
const char *tlgpu_param_name(uint32_t param);

/**
 * tlgpu_cap_name() - name of one TLGPU_CAP_* bit
 * @cap: a single bit
 *
 * Returns e.g. "timelines", or NULL for an unknown or multi-bit @cap.
 */
const char *tlgpu_cap_name(uint32_t cap);

/**
 * tlgpu_driver_cap_name() - name of one DRM_TLGPU_DRIVER_CAP_* bit
 * @cap: a single bit
 *
 * Returns e.g. "devcoredump", or NULL for an unknown or multi-bit @cap.
 */
const char *tlgpu_driver_cap_name(uint64_t cap);

/**
 * struct tlgpu_device_info - every parameter of a device, at one time
 * @version: DRM_TLGPU_PARAM_DEVICE_VERSION, major << 16 | minor
 * @num_timelines: DRM_TLGPU_PARAM_NUM_TIMELINES
 * @caps: DRM_TLGPU_PARAM_CAPS, TLGPU_CAP_* bits
 * @num_as: DRM_TLGPU_PARAM_NUM_AS
 * @pci_id: DRM_TLGPU_PARAM_PCI_ID, vendor << 16 | device
 * @max_cmd_dwords: DRM_TLGPU_PARAM_MAX_CMD_DWORDS
 * @va_bits: DRM_TLGPU_PARAM_VA_BITS
 * @reset_count: DRM_TLGPU_PARAM_RESET_COUNT
 * @driver_caps: DRM_TLGPU_PARAM_DRIVER_CAPS, DRM_TLGPU_DRIVER_CAP_* bits
 */
struct tlgpu_device_info {
	uint32_t version;
	uint32_t num_timelines;
	uint32_t caps;
	uint32_t num_as;
	uint32_t pci_id;
	uint32_t max_cmd_dwords;
	uint32_t va_bits;
	uint64_t reset_count;
	uint64_t driver_caps;
};

/**
 * tlgpu_device_info() - read every parameter of enum drm_tlgpu_param
 *
 * Returns 0, or the error of the first parameter that could not be read
 * (@info is then left untouched).
 */
int tlgpu_device_info(int fd, struct tlgpu_device_info *info);

/**
 * tlgpu_ioctl() - drmIoctl() with the errno returned
 *
 * For requests the library has no wrapper for, and for tests that pass
 * malformed arguments on purpose.  Returns 0 or -errno.
 */
int tlgpu_ioctl(int fd, unsigned long request, void *arg);

/* ------------------------------------------------------------------ */
/* Time                                                                */
/* ------------------------------------------------------------------ */

/** tlgpu_now_ns() - CLOCK_MONOTONIC now, in nanoseconds */
int64_t tlgpu_now_ns(void);

/**
 * tlgpu_abs_timeout() - CLOCK_MONOTONIC deadline @rel_ns from now
 *
 * Saturates at INT64_MAX instead of overflowing; a negative @rel_ns gives
 * a deadline in the past.
 */
int64_t tlgpu_abs_timeout(int64_t rel_ns);

/* ------------------------------------------------------------------ */
/* Buffers                                                             */
/* ------------------------------------------------------------------ */

/**
 * struct tlgpu_bo - a buffer handle of one open file
 * @fd: the tlgpu file the handle belongs to
 * @handle: GEM handle
 * @size: bytes, page-rounded (BO_INFO)
 * @gpu_va: GPU virtual address in @fd's address space (BO_INFO)
 * @mmap_offset: fake offset for mmap() on @fd (BO_INFO)
 * @map: CPU mapping of the whole buffer, NULL until tlgpu_bo_map()
 */
struct tlgpu_bo {
	int fd;
	uint32_t handle;
	uint64_t size;
	uint64_t gpu_va;
	uint64_t mmap_offset;
	void *map;
};

/**
 * tlgpu_bo_create() - DRM_IOCTL_TLGPU_BO_CREATE, then BO_INFO
 * @fd: tlgpu render node
 * @size: bytes, rounded up to the page size by the driver
 * @flags: BO_CREATE flags (none defined: 0)
 * @bo: filled on success; not mapped
 *
 * Returns 0, or -EINVAL (zero or too large @size, unknown @flags),
 * -ENOSPC (GPU address space full), -ENOMEM.  If BO_INFO fails the new
 * handle is closed again and its error returned.
 */
int tlgpu_bo_create(int fd, uint64_t size, uint32_t flags,
		    struct tlgpu_bo *bo);

/**
 * tlgpu_bo_info() - DRM_IOCTL_TLGPU_BO_INFO
 *
 * Returns 0 with @info filled, -ENOENT for an unknown @handle.
 */
int tlgpu_bo_info(int fd, uint32_t handle, struct drm_tlgpu_bo_info *info);

/**
 * tlgpu_bo_map() - mmap() the whole buffer read-write into @bo->map
 *
 * A buffer already mapped is left as it is.  Returns 0 or -errno of
 * mmap().  The mapping keeps the buffer alive after its handle is closed
 * with tlgpu_gem_close(); tlgpu_bo_close() unmaps it.
 */
int tlgpu_bo_map(struct tlgpu_bo *bo);

/** tlgpu_bo_unmap() - undo tlgpu_bo_map(); 0 or -errno of munmap(). */
int tlgpu_bo_unmap(struct tlgpu_bo *bo);

/**
 * tlgpu_bo_export() - PRIME export: a dma-buf fd for @bo
 * @flags: DRM_CLOEXEC and/or DRM_RDWR (0 gives DRM_CLOEXEC | DRM_RDWR)
 * @dmabuf_fd: the new dma-buf file descriptor
 */
int tlgpu_bo_export(const struct tlgpu_bo *bo, uint32_t flags, int *dmabuf_fd);

/**
 * tlgpu_bo_import() - PRIME import of @dmabuf_fd into @fd, then BO_INFO
 * @bo: filled on success with the handle, size and GPU VA of the buffer
 *	in @fd's address space; not mapped
 *
 * Importing a buffer of @fd itself gives its existing handle.  The
 * handle is one reference whatever the number of imports: one
 * tlgpu_bo_close() drops it.  Returns 0 or a negative errno (-EBADF,
 * -EINVAL for a file that is no dma-buf, -ENOSPC, ...).
 */
int tlgpu_bo_import(int fd, int dmabuf_fd, struct tlgpu_bo *bo);

/** tlgpu_gem_close() - DRM_IOCTL_GEM_CLOSE of @handle on @fd */
int tlgpu_gem_close(int fd, uint32_t handle);

/**
 * tlgpu_bo_close() - unmap @bo and close its handle
 *
 * Returns the first error; @bo is unusable afterwards either way.
 */
int tlgpu_bo_close(struct tlgpu_bo *bo);

/* ------------------------------------------------------------------ */
/* Command encoder                                                     */
/* ------------------------------------------------------------------ */

/**
 * struct tlgpu_cmdbuf - a growable buffer of device command dwords
 * @dw: the commands (tlgpu_hw.h formats)
 * @len: dwords used
 * @cap: dwords allocated
 * @error: first error of an emit, sticky until tlgpu_cmdbuf_reset();
 *	tlgpu_submit_cmdbuf() refuses to submit a buffer with an error
 *
 * Zero-initialized (or tlgpu_cmdbuf_init()) it is empty.  The emitters
 * return 0 or a negative errno (-ENOMEM, -EINVAL for operands that no
 * encoding can hold), and on error leave the buffer as it was.  They do
 * not check operands the device checks (alignment, ranges): tests need
 * to send those.
 */
struct tlgpu_cmdbuf {
	uint32_t *dw;
	uint32_t len;
	uint32_t cap;
	int error;
};

void tlgpu_cmdbuf_init(struct tlgpu_cmdbuf *cb);
/** tlgpu_cmdbuf_reset() - empty the buffer and clear its error */
void tlgpu_cmdbuf_reset(struct tlgpu_cmdbuf *cb);
/** tlgpu_cmdbuf_fini() - free the buffer; it is empty afterwards */
void tlgpu_cmdbuf_fini(struct tlgpu_cmdbuf *cb);

/**
 * tlgpu_cmd_raw() - append @count dwords as they are
 *
 * For commands the helpers below do not make, malformed ones included.
 */
int tlgpu_cmd_raw(struct tlgpu_cmdbuf *cb, const uint32_t *dw, uint32_t count);

/** tlgpu_cmd_nop() - NOP of @ndw dwords (even, 2..TLGPU_CMD_MAX_DW) */
int tlgpu_cmd_nop(struct tlgpu_cmdbuf *cb, uint32_t ndw);
/** tlgpu_cmd_fill() - FILL @size bytes at @va with the 32-bit @pattern */
int tlgpu_cmd_fill(struct tlgpu_cmdbuf *cb, uint64_t va, uint64_t size,
		   uint32_t pattern);
/** tlgpu_cmd_copy() - COPY @size bytes from @src to @dst */
int tlgpu_cmd_copy(struct tlgpu_cmdbuf *cb, uint64_t dst, uint64_t src,
		   uint64_t size);
/** tlgpu_cmd_checksum() - CHECKSUM: CRC-32 of @size bytes at @va to @dst */
int tlgpu_cmd_checksum(struct tlgpu_cmdbuf *cb, uint64_t va, uint64_t size,
		       uint64_t dst);
/**
 * tlgpu_cmd_delay() - DELAY for @usecs microseconds
 *
 * Longer delays than TLGPU_MAX_DELAY_US are split into several commands.
 */
int tlgpu_cmd_delay(struct tlgpu_cmdbuf *cb, uint64_t usecs);
/** tlgpu_cmd_store() - STORE the 64-bit @value at @va */
int tlgpu_cmd_store(struct tlgpu_cmdbuf *cb, uint64_t va, uint64_t value);

/* ------------------------------------------------------------------ */
/* Jobs                                                                */
/* ------------------------------------------------------------------ */

/**
 * struct tlgpu_job - one DRM_IOCTL_TLGPU_SUBMIT
 * @timeline: < DRM_TLGPU_PARAM_NUM_TIMELINES
 * @flags: DRM_TLGPU_SUBMIT_*: NO_IMPLICIT; FENCE_IN to wait for
 *	@in_fence_fd; FENCE_OUT for a sync_file of the job's fence
 * @cmds: @cmd_dwords dwords of commands (tlgpu_hw.h), or use
 *	tlgpu_submit_cmdbuf()
 * @cmd_dwords: length of @cmds
 * @bos: buffers of the job with DRM_TLGPU_BO_READ/WRITE access, for
 *	implicit synchronization (every buffer of the file is reachable by
 *	the commands whether listed or not)
 * @bo_count: entries in @bos
 * @in_syncs: syncobjs to wait for: handle, and point (0 for a binary one)
 * @in_sync_count: entries in @in_syncs
 * @out_syncs: syncobjs to signal: handle, and point (0 for a binary one)
 * @out_sync_count: entries in @out_syncs
 * @in_fence_fd: sync_file to wait for, with DRM_TLGPU_SUBMIT_FENCE_IN
 *
 * Zero-initialized it is an empty job on timeline 0; fill what applies.
 */
struct tlgpu_job {
	uint32_t timeline;
	uint32_t flags;
	const uint32_t *cmds;
	uint32_t cmd_dwords;
	const struct drm_tlgpu_bo_ref *bos;
	uint32_t bo_count;
	const struct drm_tlgpu_sync *in_syncs;
	uint32_t in_sync_count;
	const struct drm_tlgpu_sync *out_syncs;
	uint32_t out_sync_count;
	int in_fence_fd;
};

/**
 * tlgpu_submit() - DRM_IOCTL_TLGPU_SUBMIT of @job
 * @out_fence_fd: NULL, or the job's sync_file with
 *	DRM_TLGPU_SUBMIT_FENCE_OUT (-1 without it)
 * @seqno: NULL, or the seqno of the job's fence on its timeline
 *
 * Returns 0, or the errno listed at &struct drm_tlgpu_submit.
 */
int tlgpu_submit(int fd, const struct tlgpu_job *job, int *out_fence_fd,
		 uint64_t *seqno);

/**
 * tlgpu_submit_cmdbuf() - tlgpu_submit() of @job with the commands of @cb
 *
 * @job->cmds and @job->cmd_dwords are ignored.  Returns @cb->error if an
 * emit failed, else as tlgpu_submit().
 */
int tlgpu_submit_cmdbuf(int fd, const struct tlgpu_job *job,
			const struct tlgpu_cmdbuf *cb, int *out_fence_fd,
			uint64_t *seqno);

/**
 * tlgpu_wait_bo() - DRM_IOCTL_TLGPU_WAIT_BO
 * @flags: DRM_TLGPU_WAIT_* (DRM_TLGPU_WAIT_WRITERS: only writers)
 * @abs_timeout_ns: absolute CLOCK_MONOTONIC deadline; 0 only tests
 * @error: NULL, or on success the first error of a waited-for fence
 *
 * Returns 0 once idle, -ETIME if the deadline passed first, -ENOENT for
 * an unknown @handle, -EINVAL for unknown @flags.
 */
int tlgpu_wait_bo(int fd, uint32_t handle, uint32_t flags,
		  int64_t abs_timeout_ns, int32_t *error);

/**
 * tlgpu_wait_bo_rel() - tlgpu_wait_bo() for @rel_timeout_ns from now
 *
 * A @rel_timeout_ns of 0 only tests, as with tlgpu_wait_bo().
 */
int tlgpu_wait_bo_rel(int fd, uint32_t handle, uint32_t flags,
		      int64_t rel_timeout_ns, int32_t *error);

/** tlgpu_get_reset_status() - DRM_IOCTL_TLGPU_GET_RESET_STATUS */
int tlgpu_get_reset_status(int fd, struct drm_tlgpu_reset_status *status);

/* ------------------------------------------------------------------ */
/* sync_file                                                           */
/* ------------------------------------------------------------------ */

/**
 * tlgpu_sync_file_wait() - wait for a sync_file to signal, with poll()
 * @timeout_ms: milliseconds, -1 for no limit, 0 only tests
 *
 * Waits for signalling whatever its error.  Returns 0 once signalled,
 * -ETIME if @timeout_ms passed first, or -errno of poll() (-EINVAL for a
 * negative fd).
 */
int tlgpu_sync_file_wait(int sync_fd, int timeout_ms);

/**
 * tlgpu_sync_file_status() - state of a sync_file (SYNC_IOC_FILE_INFO)
 *
 * Returns 1 when every fence has signalled without error, 0 while one is
 * still active, or a negative value: the error of a fence that signalled
 * with one (e.g. -EIO), or -errno when the ioctl itself failed (-EBADF,
 * -ENOTTY and -EINVAL for something that is no sync_file).
 */
int tlgpu_sync_file_status(int sync_fd);

/**
 * tlgpu_sync_file_fences() - fences in a sync_file (SYNC_IOC_FILE_INFO)
 *
 * Returns the count (1 for a job's fence, more after a merge), or -errno.
 */
int tlgpu_sync_file_fences(int sync_fd);

/**
 * tlgpu_sync_file_driver() - driver name of the sync_file's first fence
 * @name: filled with the NUL-terminated name, at most @len bytes
 */
int tlgpu_sync_file_driver(int sync_fd, char *name, size_t len);

/**
 * tlgpu_sync_file_fence_info() - the fence of a one-fence sync_file
 * @sync_fd: a sync_file of one fence (a job's out-fence, not a merge)
 * @fence: filled by SYNC_IOC_FILE_INFO (<linux/sync_file.h>): driver and
 *	timeline names, status, timestamp
 *
 * Returns 0, -EINVAL when the sync_file holds more than one fence, or
 * another -errno of SYNC_IOC_FILE_INFO (-EBADF, -ENOTTY for something
 * that is no sync_file).
 */
struct sync_fence_info;
int tlgpu_sync_file_fence_info(int sync_fd, struct sync_fence_info *fence);

/**
 * tlgpu_sync_file_timestamp() - when the fence of a sync_file signalled
 * @sync_fd: a sync_file of one fence (a job's out-fence, not a merge)
 * @timestamp_ns: the kernel's CLOCK_MONOTONIC time of the signal
 *	(&sync_fence_info.timestamp_ns), written once the fence signalled
 * @error: NULL, or written with it: 0, or the negative error the fence
 *	signalled with (e.g. -EIO)
 *
 * The time the kernel reports the fence done, whenever it is asked: how
 * tools and tests see whether a job was reported done before a job it
 * depended on, or how long after it.  Returns 0 once the fence has
 * signalled, -EBUSY while it is still active, or an error of
 * tlgpu_sync_file_fence_info().
 */
int tlgpu_sync_file_timestamp(int sync_fd, int64_t *timestamp_ns, int *error);

/**
 * tlgpu_sync_file_merge() - SYNC_IOC_MERGE of @fd1 and @fd2
 *
 * Returns the new sync_file fd, which signals when both have, or -errno.
 */
int tlgpu_sync_file_merge(int fd1, int fd2, const char *name);

/* ------------------------------------------------------------------ */
/* Syncobjs (libdrm)                                                   */
/* ------------------------------------------------------------------ */

/**
 * tlgpu_syncobj_create() - drmSyncobjCreate()
 * @flags: DRM_SYNCOBJ_CREATE_SIGNALED for one holding a signalled fence
 *
 * A syncobj serves as binary (point 0) or timeline syncobj alike.
 */
int tlgpu_syncobj_create(int fd, uint32_t flags, uint32_t *handle);
int tlgpu_syncobj_destroy(int fd, uint32_t handle);

/**
 * tlgpu_syncobj_wait() - drmSyncobjWait() on binary syncobjs
 * @abs_timeout_ns: absolute CLOCK_MONOTONIC deadline
 * @flags: DRM_SYNCOBJ_WAIT_FLAGS_*
 * @first: NULL, or the index of the first signalled syncobj
 *
 * Returns 0, -ETIME once the deadline passed, -EINVAL for a syncobj
 * without fence (unless WAIT_FOR_SUBMIT), -ENOENT for a bad handle.
 */
int tlgpu_syncobj_wait(int fd, uint32_t *handles, uint32_t count,
		       int64_t abs_timeout_ns, uint32_t flags,
		       uint32_t *first);

/**
 * tlgpu_syncobj_timeline_wait() - drmSyncobjTimelineWait()
 * @flags: DRM_SYNCOBJ_WAIT_FLAGS_*, WAIT_AVAILABLE to wait only for
 *	a fence to be attached to the points
 *
 * As tlgpu_syncobj_wait(), for @count (handle, point) pairs.
 */
int tlgpu_syncobj_timeline_wait(int fd, uint32_t *handles, uint64_t *points,
				uint32_t count, int64_t abs_timeout_ns,
				uint32_t flags, uint32_t *first);

/** tlgpu_syncobj_signal() - drmSyncobjSignal() of one binary syncobj */
int tlgpu_syncobj_signal(int fd, uint32_t handle);
/** tlgpu_syncobj_reset() - drmSyncobjReset(): drop the binary fence */
int tlgpu_syncobj_reset(int fd, uint32_t handle);
/** tlgpu_syncobj_timeline_signal() - signal @point from the CPU */
int tlgpu_syncobj_timeline_signal(int fd, uint32_t handle, uint64_t point);

/**
 * tlgpu_syncobj_query() - drmSyncobjQuery2() of one syncobj
 * @flags: 0 for the last signalled point, or
 *	DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED for the last one attached
 */
int tlgpu_syncobj_query(int fd, uint32_t handle, uint32_t flags,
			uint64_t *point);

/**
 * tlgpu_syncobj_transfer() - drmSyncobjTransfer(): copy the fence of
 * (@src, @src_point) to (@dst, @dst_point); point 0 means binary
 * @flags: DRM_SYNCOBJ_WAIT_FLAGS_* for the source point
 */
int tlgpu_syncobj_transfer(int fd, uint32_t dst, uint64_t dst_point,
			   uint32_t src, uint64_t src_point, uint32_t flags);

/**
 * tlgpu_syncobj_export_sync_file() - sync_file of (@handle, @point)
 *
 * Point 0 exports a binary syncobj's fence (drmSyncobjExportSyncFile);
 * another point goes through a temporary binary syncobj.  Returns 0 and
 * @sync_fd, or -EINVAL when there is no fence.
 */
int tlgpu_syncobj_export_sync_file(int fd, uint32_t handle, uint64_t point,
				   int *sync_fd);

/**
 * tlgpu_syncobj_import_sync_file() - put @sync_fd's fence in
 * (@handle, @point); point 0 replaces a binary syncobj's fence
 * (drmSyncobjImportSyncFile), another adds a timeline point.
 */
int tlgpu_syncobj_import_sync_file(int fd, uint32_t handle, uint64_t point,
				   int sync_fd);

/**
 * tlgpu_syncobj_export_point() - sync_file of timeline point @point, by the
 * kernel (DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE |
 * DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_TIMELINE, Linux 6.15; the driver caps
 * say DRM_TLGPU_DRIVER_CAP_SYNCOBJ_POINT_SYNC_FILE)
 *
 * Returns 0 and @sync_fd; -EINVAL when the point has no fence yet, or on
 * a kernel without the flag; -ENOENT for an unknown @handle.
 */
int tlgpu_syncobj_export_point(int fd, uint32_t handle, uint64_t point,
			       int *sync_fd);

/**
 * tlgpu_syncobj_import_point() - add @sync_fd's fence as timeline point
 * @point of @handle, by the kernel (..._FD_TO_HANDLE_FLAGS_TIMELINE)
 *
 * Returns 0; -EINVAL when @sync_fd is no sync_file or the kernel lacks
 * the flag; -ENOENT for an unknown @handle.
 */
int tlgpu_syncobj_import_point(int fd, uint32_t handle, uint64_t point,
			       int sync_fd);

/**
 * tlgpu_syncobj_eventfd() - DRM_IOCTL_SYNCOBJ_EVENTFD (Linux 6.6), as
 * libdrm's drmSyncobjEventfd(): @ev_fd, an eventfd, is signalled once when
 * (@handle, @point) signals, or with DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE
 * once it has a fence; point 0 is a binary syncobj's fence
 *
 * Returns 0; -EINVAL for unknown @flags, an @ev_fd that is no eventfd, or
 * on a kernel without the ioctl; -EBADF for a closed @ev_fd; -ENOENT for an
 * unknown @handle.
 */
int tlgpu_syncobj_eventfd(int fd, uint32_t handle, uint64_t point, int ev_fd,
			  uint32_t flags);

/* ------------------------------------------------------------------ */
/* dma-buf implicit fences                                             */
/* ------------------------------------------------------------------ */

/**
 * tlgpu_dmabuf_export_sync_file() - DMA_BUF_IOCTL_EXPORT_SYNC_FILE
 * @flags: DMA_BUF_SYNC_READ for the fences a reader waits for (the
 *	writers), DMA_BUF_SYNC_WRITE (or both) for all of them
 *
 * Returns 0 and a sync_file in @sync_fd (already signalled when there is
 * nothing to wait for), or -errno.
 */
int tlgpu_dmabuf_export_sync_file(int dmabuf_fd, uint32_t flags, int *sync_fd);

/**
 * tlgpu_dmabuf_import_sync_file() - DMA_BUF_IOCTL_IMPORT_SYNC_FILE
 * @flags: DMA_BUF_SYNC_READ adds @sync_fd's fence as a reader (writers
 *	will wait for it), DMA_BUF_SYNC_WRITE as a writer (everyone will)
 */
int tlgpu_dmabuf_import_sync_file(int dmabuf_fd, uint32_t flags, int sync_fd);

/* ------------------------------------------------------------------ */
/* vgem                                                                */
/* ------------------------------------------------------------------ */

/*
 * vgem is the kernel's virtual GEM driver: shmem "dumb" buffers, created
 * on its primary node, shared through PRIME, and fences the CPU attaches
 * to a buffer's reservation and signals by hand (or vgem itself, 10 s
 * after the attach).  Its uAPI (include/uapi/drm/vgem_drm.h) is not
 * shipped by Debian's libdrm; the library restates it privately.
 */

/**
 * tlgpu_vgem_open() - open the primary node of vgem (/dev/dri/card<N>)
 * @path: NULL, or filled with the path of the node
 * @len: room in @path
 *
 * Primary nodes that cannot be opened are skipped.  Returns the file
 * descriptor, -ENOENT when no vgem node was found (vgem not loaded), or
 * -errno when /dev/dri could not be read.
 */
int tlgpu_vgem_open(char *path, size_t len);

/**
 * tlgpu_vgem_dumb_create() - DRM_IOCTL_MODE_CREATE_DUMB on vgem
 * @vgem_fd: vgem's primary node (dumb buffers are refused elsewhere)
 * @width: pixels per row
 * @height: rows
 * @bpp: bits per pixel
 * @handle: the new GEM handle; close it with tlgpu_gem_close()
 * @pitch: NULL, or the bytes per row
 * @size: NULL, or the buffer's size in bytes, page-rounded
 *
 * Returns 0, -EINVAL for a zero or too large size, -EACCES on a render
 * node, -ENOMEM, or another negative errno.
 */
int tlgpu_vgem_dumb_create(int vgem_fd, uint32_t width, uint32_t height,
			   uint32_t bpp, uint32_t *handle, uint32_t *pitch,
			   uint64_t *size);

/**
 * tlgpu_vgem_dumb_map() - DRM_IOCTL_MODE_MAP_DUMB, then mmap()
 * @size: bytes to map, at most the buffer's size
 * @map: the read-write shared mapping; undo it with munmap()
 *
 * Returns 0, -ENOENT for an unknown @handle, -EINVAL for a buffer vgem
 * imported from another driver (it maps only its own), or -errno of
 * mmap().
 */
int tlgpu_vgem_dumb_map(int vgem_fd, uint32_t handle, uint64_t size,
			void **map);

/**
 * tlgpu_vgem_fence_attach() - DRM_IOCTL_VGEM_FENCE_ATTACH
 * @handle: a vgem buffer (its own or imported)
 * @write: a writer's fence (every later user waits for it) rather than a
 *	reader's (only writers do)
 * @fence: the fence's id on @vgem_fd, for tlgpu_vgem_fence_signal()
 *
 * Adds an unsignalled fence to the buffer's reservation.  Returns 0,
 * -ENOENT for an unknown @handle, -EBUSY when an unsignalled fence the
 * new one would have to wait for is already there, or another -errno.
 */
int tlgpu_vgem_fence_attach(int vgem_fd, uint32_t handle, bool write,
			    uint32_t *fence);

/**
 * tlgpu_vgem_fence_signal() - DRM_IOCTL_VGEM_FENCE_SIGNAL
 *
 * Signals @fence and forgets its id.  Returns 0, -ENOENT for an unknown
 * or already signalled id, -ETIMEDOUT when vgem's own timeout had
 * signalled it first, or another -errno.
 */
int tlgpu_vgem_fence_signal(int vgem_fd, uint32_t fence);

/* ------------------------------------------------------------------ */
/* CRC-32                                                              */
/* ------------------------------------------------------------------ */

/**
 * tlgpu_crc32() - CRC-32 (IEEE 802.3) as zlib's crc32() computes it
 * @crc: 0 to start, or the result for the preceding bytes
 *
 * The value the device's CHECKSUM command stores for the same bytes.
 */
uint32_t tlgpu_crc32(uint32_t crc, const void *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* TLGPU_H */
