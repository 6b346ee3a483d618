/* SPDX-License-Identifier: MIT */
/*
 * tlgpu_drm.h - the tlgpu driver/userspace contract (uAPI).
 *
 * DOC: tlgpu uAPI
 *
 * tlgpu is a render-only DRM driver for the tlgpu virtual GPU.  Userspace
 * opens /dev/dri/renderD*, checks the driver name ("tlgpu") with
 * DRM_IOCTL_VERSION and then uses the ioctls below, the DRM core's GEM,
 * PRIME and syncobj ioctls (DRIVER_SYNCOBJ | DRIVER_SYNCOBJ_TIMELINE), and
 * the dma-buf and sync_file ioctls on the file descriptors they return.
 *
 * Buffers.  Every open file has its own GPU address space on the device.
 * A buffer is mapped into it when the file gets a handle for it
 * (BO_CREATE, or PRIME import), at the GPU virtual address BO_INFO
 * reports, and unmapped once the file's last handle of it is closed and
 * the jobs that list the buffer are done (closing a buffer right after
 * submitting a job that uses it is fine).  GEM_CLOSE never waits for the
 * device: with no job listing the buffer its address faults from the
 * moment GEM_CLOSE returns; otherwise from when the scheduler frees the
 * last of those jobs, shortly after its fence signalled (a job of the
 * same file that uses the address without listing the buffer may still
 * reach it until then).  A file may hold several handles of one buffer
 * (GEM_OPEN of a flink name): they share one address.  Commands of one
 * file's jobs can only reach that file's buffers; an access outside them
 * faults.
 *
 * Jobs.  SUBMIT queues one job on one timeline of the device: a list of
 * device commands (include/tlgpu_hw.h; NOP, FILL, COPY, CHECKSUM, DELAY,
 * STORE, operating on GPU virtual addresses of this file) that the driver
 * copies, checks and wraps with the address-space selection and the fence.
 * The job runs once its dependencies have signalled:
 *
 *  - explicit: syncobjs (binary, or timeline points) and a sync_file fd;
 *  - implicit: the dma_resv of every buffer in the job's buffer list, read
 *    access waiting for writers (DMA_RESV_USAGE_WRITE) and write access
 *    waiting for everything (DMA_RESV_USAGE_READ), unless
 *    DRM_TLGPU_SUBMIT_NO_IMPLICIT is set.
 *
 * The job's fence is added to every listed buffer's dma_resv as a read or
 * write fence, installed in the out syncobjs (replacing a binary syncobj's
 * fence, or adding a timeline point with a dma_fence_chain) and, on
 * request, returned as a sync_file fd.
 *
 * Errors.  A job the device reports as failed, or that times out and is
 * reset, signals its fence with an error, visible through sync_file
 * status, the syncobj and dma-buf fences, and WAIT_BO's @error (a timeline
 * syncobj's point is a dma_fence_chain, whose own status on 6.1 stays 1:
 * the error is that of the job's fence inside it, as SYNC_IOC_FILE_INFO
 * lists it for the point's exported sync file): -EFAULT
 * for a page fault (unmapped address, memory outside RAM), -EACCES for a
 * write to a read-only page, -EINVAL for a command the device refused,
 * -EIO for an injected failure, -ETIME for a job that hung and was reset,
 * -ECANCELED for a job of the same file and timeline queued behind it,
 * -ENODEV for a job still pending when the device went away, -EIO also
 * for every job pending when the device was declared wedged (a reset it
 * did not come back from: the driver stops it, sends a WEDGED=rebind
 * uevent, and an unbind and bind of the PCI function recovers), and -ESRCH
 * for a job still queued (not yet on the device) when its file was
 * closed by an exiting process: the scheduler core kills it (6.1: the job
 * the scheduler was waiting to run is failed at once, before its
 * dependencies signalled; those queued behind it once theirs did).  A
 * faulting job only fails itself: the timeline goes on with the next one.
 * No buffer is mapped read-only today (-EACCES comes only from injection
 * of TLGPU_ERR_PERMISSION); a dma-buf imported without write access is
 * still writable by the device.
 *
 * Files.  A render node can be opened any number of times: each file gets
 * a GPU address space of its own, bound to one of the device's
 * address-space slots only while it has jobs on the device.  Closing a
 * file waits, killably, until its queued jobs reached the device; an
 * exiting process waits at most a second per timeline for that (6.1's
 * drm_sched_entity_flush(), uninterruptibly), then its queued jobs are
 * killed (-ESRCH), the later ones after their dependencies signal.
 *
 * Rules (Documentation/process/botching-up-ioctls.rst): fixed-width types,
 * every struct a multiple of 8 bytes with explicit pads that must be zero,
 * flags are only ever added, ioctl numbers are only ever appended, and
 * unknown parameters, flags, extensions or non-zero pads are rejected with
 * -EINVAL.  Every ioctl may also fail with -EFAULT (argument or a user
 * array not accessible), -ENOMEM, and -ENODEV once the device is gone;
 * blocking ones with -EINTR/-ERESTARTSYS (libdrm's drmIoctl restarts).
 */
#ifndef TLGPU_DRM_H
#define TLGPU_DRM_H

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_TLGPU_GET_PARAM		0x00
#define DRM_TLGPU_BO_CREATE		0x01
#define DRM_TLGPU_BO_INFO		0x02
#define DRM_TLGPU_SUBMIT		0x03
#define DRM_TLGPU_WAIT_BO		0x04
#define DRM_TLGPU_GET_RESET_STATUS	0x05

#define DRM_IOCTL_TLGPU_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TLGPU_GET_PARAM, struct drm_tlgpu_get_param)
#define DRM_IOCTL_TLGPU_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TLGPU_BO_CREATE, struct drm_tlgpu_bo_create)
#define DRM_IOCTL_TLGPU_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TLGPU_BO_INFO, struct drm_tlgpu_bo_info)
#define DRM_IOCTL_TLGPU_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TLGPU_SUBMIT, struct drm_tlgpu_submit)
#define DRM_IOCTL_TLGPU_WAIT_BO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TLGPU_WAIT_BO, struct drm_tlgpu_wait_bo)
#define DRM_IOCTL_TLGPU_GET_RESET_STATUS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_TLGPU_GET_RESET_STATUS, \
		 struct drm_tlgpu_reset_status)

/**
 * enum drm_tlgpu_param - what DRM_IOCTL_TLGPU_GET_PARAM can answer
 */
enum drm_tlgpu_param {
	/** @DRM_TLGPU_PARAM_DEVICE_VERSION: device version, major << 16 | minor */
	DRM_TLGPU_PARAM_DEVICE_VERSION = 0,
	/** @DRM_TLGPU_PARAM_NUM_TIMELINES: number of command timelines */
	DRM_TLGPU_PARAM_NUM_TIMELINES = 1,
	/** @DRM_TLGPU_PARAM_CAPS: device capability bits, TLGPU_CAP_* of tlgpu_hw.h */
	DRM_TLGPU_PARAM_CAPS = 2,
	/** @DRM_TLGPU_PARAM_NUM_AS: GPU address spaces of the device */
	DRM_TLGPU_PARAM_NUM_AS = 3,
	/** @DRM_TLGPU_PARAM_PCI_ID: PCI vendor << 16 | device */
	DRM_TLGPU_PARAM_PCI_ID = 4,
	/** @DRM_TLGPU_PARAM_RESET_COUNT: full device resets since probe */
	DRM_TLGPU_PARAM_RESET_COUNT = 5,
	/** @DRM_TLGPU_PARAM_MAX_CMD_DWORDS: most command dwords one SUBMIT takes */
	DRM_TLGPU_PARAM_MAX_CMD_DWORDS = 6,
	/** @DRM_TLGPU_PARAM_VA_BITS: width of GPU virtual addresses */
	DRM_TLGPU_PARAM_VA_BITS = 7,
	/**
	 * @DRM_TLGPU_PARAM_DRIVER_CAPS: DRM_TLGPU_DRIVER_CAP_* bits, what the
	 * driver offers on the kernel it was built for
	 */
	DRM_TLGPU_PARAM_DRIVER_CAPS = 8,
};

/*
 * DRM_TLGPU_PARAM_DRIVER_CAPS bits.  A feature the kernel lacks is left
 * out, so a test skips it with that reason rather than failing.
 */
/* A job reset for hanging leaves a device coredump (CONFIG_DEV_COREDUMP). */
#define DRM_TLGPU_DRIVER_CAP_DEVCOREDUMP	(1ull << 0)
/* fdinfo is the DRM core's drm_show_fdinfo() (Linux 6.5). */
#define DRM_TLGPU_DRIVER_CAP_FDINFO_CORE	(1ull << 1)
/* fdinfo has drm-client-name, set with DRM_IOCTL_SET_CLIENT_NAME (6.14). */
#define DRM_TLGPU_DRIVER_CAP_CLIENT_NAME	(1ull << 2)
/* fdinfo has the core's memory stats, drm-total-memory... (6.5). */
#define DRM_TLGPU_DRIVER_CAP_MEMORY_STATS	(1ull << 3)
/* The kernel has DRM_IOCTL_SYNCOBJ_EVENTFD (6.6). */
#define DRM_TLGPU_DRIVER_CAP_SYNCOBJ_EVENTFD	(1ull << 4)
/* Timeline points to and from sync files in HANDLE_TO_FD / FD_TO_HANDLE
 * (DRM_SYNCOBJ_*_FLAGS_TIMELINE, 6.15). */
#define DRM_TLGPU_DRIVER_CAP_SYNCOBJ_POINT_SYNC_FILE	(1ull << 5)

/**
 * struct drm_tlgpu_get_param - argument of DRM_IOCTL_TLGPU_GET_PARAM
 *
 * Errors: -EINVAL for an unknown @param or a non-zero @pad.
 */
struct drm_tlgpu_get_param {
	/** @param: in, one of enum drm_tlgpu_param */
	__u32 param;
	/** @pad: must be zero */
	__u32 pad;
	/** @value: out, the answer */
	__u64 value;
};

/**
 * struct drm_tlgpu_bo_create - argument of DRM_IOCTL_TLGPU_BO_CREATE
 *
 * Creates a shmem-backed buffer, mapped read-write into this file's GPU
 * address space, and returns a handle to it.  Its contents start zeroed.
 *
 * Errors: -EINVAL for a zero @size, a @size above DRM_TLGPU_MAX_BO_SIZE,
 * unknown @flags or a non-zero @pad; -ENOSPC when the file's GPU address
 * space has no room left, or when shmem (tmpfs) has no room for the pages;
 * -ENOMEM.
 */
struct drm_tlgpu_bo_create {
	/** @size: in, bytes, rounded up to the page size */
	__u64 size;
	/** @flags: in, must be zero */
	__u32 flags;
	/** @handle: out, GEM handle */
	__u32 handle;
};

#define DRM_TLGPU_MAX_BO_SIZE		(1ull << 30)

/**
 * struct drm_tlgpu_bo_info - argument of DRM_IOCTL_TLGPU_BO_INFO
 *
 * Errors: -ENOENT for an unknown @handle; -EINVAL for a non-zero @pad.
 */
struct drm_tlgpu_bo_info {
	/** @handle: in, GEM handle */
	__u32 handle;
	/** @pad: must be zero */
	__u32 pad;
	/** @size: out, bytes */
	__u64 size;
	/** @mmap_offset: out, offset to mmap() the buffer on this fd */
	__u64 mmap_offset;
	/** @gpu_va: out, GPU virtual address in this file's address space */
	__u64 gpu_va;
};

/**
 * struct drm_tlgpu_bo_ref - one buffer of a job, with its access
 */
struct drm_tlgpu_bo_ref {
	/** @handle: GEM handle */
	__u32 handle;
	/** @flags: DRM_TLGPU_BO_READ and/or DRM_TLGPU_BO_WRITE, at least one */
	__u32 flags;
};

#define DRM_TLGPU_BO_READ		(1u << 0)
#define DRM_TLGPU_BO_WRITE		(1u << 1)

/**
 * struct drm_tlgpu_sync - one syncobj dependency or signal of a job
 */
struct drm_tlgpu_sync {
	/** @handle: syncobj handle */
	__u32 handle;
	/** @flags: must be zero */
	__u32 flags;
	/**
	 * @point: timeline point, or 0 for a binary syncobj (in: its fence;
	 * out: the fence is replaced)
	 */
	__u64 point;
};

/* &drm_tlgpu_submit.flags */
/** Don't wait for, nor add to, the buffers' dma_resv (implicit sync). */
#define DRM_TLGPU_SUBMIT_NO_IMPLICIT	(1u << 0)
/** @in_fence_fd is a sync_file to wait for. */
#define DRM_TLGPU_SUBMIT_FENCE_IN	(1u << 1)
/** Return the job's fence as a sync_file in @out_fence_fd. */
#define DRM_TLGPU_SUBMIT_FENCE_OUT	(1u << 2)
#define DRM_TLGPU_SUBMIT_FLAGS \
	(DRM_TLGPU_SUBMIT_NO_IMPLICIT | DRM_TLGPU_SUBMIT_FENCE_IN | \
	 DRM_TLGPU_SUBMIT_FENCE_OUT)

/** Most command dwords in one job. */
#define DRM_TLGPU_MAX_CMD_DWORDS	1024
/** Most buffers, in syncs and out syncs in one job, each. */
#define DRM_TLGPU_MAX_BOS		1024
#define DRM_TLGPU_MAX_SYNCS		256

/**
 * struct drm_tlgpu_submit - argument of DRM_IOCTL_TLGPU_SUBMIT
 *
 * Queues one job on @timeline.  @cmds holds whole device commands
 * (tlgpu_hw.h); SET_AS, WAIT and FENCE are the driver's and are refused.
 *
 * Errors:
 *  - -EIO: the device is wedged (see Errors above); nothing is queued;
 *  - -EINVAL: @timeline out of range; unknown @flags; non-zero sync
 *    flags; @extensions not zero (no extension is defined yet);
 *    @cmd_dwords zero, above DRM_TLGPU_MAX_CMD_DWORDS, or not ending on a
 *    command boundary; a command with a bad length or a refused opcode;
 *    @bo_count, @in_sync_count or @out_sync_count too large; a buffer
 *    reference without access flags or with unknown ones; the same
 *    buffer listed twice;
 *  - -ENOENT: a buffer or syncobj handle that does not exist, or an in
 *    syncobj (or timeline point) without a fence;
 *  - -EINVAL also: @in_fence_fd (with DRM_TLGPU_SUBMIT_FENCE_IN) is not
 *    an open sync_file;
 *  - -EMFILE: no file descriptor left for @out_fence_fd;
 *  - -EBUSY: never; the job waits in the scheduler instead.
 *
 * Dependencies have no limit.  Of the fences of this device's other
 * timelines, the first 16 not yet done when the job is about to run become
 * device-side WAITs; the others, and fences of other devices, are waited
 * for by the scheduler.  A SUBMIT that fails takes nothing: every
 * reference it took is given back.
 */
struct drm_tlgpu_submit {
	/** @extensions: in, must be 0: pointer to a chain of extensions */
	__u64 extensions;
	/** @cmds: in, pointer to @cmd_dwords dwords of commands */
	__u64 cmds;
	/** @bos: in, pointer to @bo_count &struct drm_tlgpu_bo_ref */
	__u64 bos;
	/** @in_syncs: in, pointer to @in_sync_count &struct drm_tlgpu_sync */
	__u64 in_syncs;
	/** @out_syncs: in, pointer to @out_sync_count &struct drm_tlgpu_sync */
	__u64 out_syncs;
	/** @cmd_dwords: in */
	__u32 cmd_dwords;
	/** @timeline: in, < DRM_TLGPU_PARAM_NUM_TIMELINES */
	__u32 timeline;
	/** @bo_count: in */
	__u32 bo_count;
	/** @in_sync_count: in */
	__u32 in_sync_count;
	/** @out_sync_count: in */
	__u32 out_sync_count;
	/** @flags: in, DRM_TLGPU_SUBMIT_* */
	__u32 flags;
	/** @in_fence_fd: in, sync_file fd with DRM_TLGPU_SUBMIT_FENCE_IN */
	__s32 in_fence_fd;
	/** @out_fence_fd: out, sync_file fd with DRM_TLGPU_SUBMIT_FENCE_OUT */
	__s32 out_fence_fd;
	/**
	 * @seqno: out, seqno of the job's fence (the one in @out_fence_fd and
	 * the out syncobjs) in its fence context: one context per file and
	 * @timeline (the file's scheduler queue), not the device timeline's
	 */
	__u64 seqno;
};

/* &drm_tlgpu_wait_bo.flags */
/** Wait only for writers: what a reader of the buffer would wait for. */
#define DRM_TLGPU_WAIT_WRITERS		(1u << 0)

/**
 * struct drm_tlgpu_wait_bo - argument of DRM_IOCTL_TLGPU_WAIT_BO
 *
 * Waits until every fence of the buffer's dma_resv (or only its write
 * fences, with DRM_TLGPU_WAIT_WRITERS) has signalled, or until
 * @timeout_ns, an absolute CLOCK_MONOTONIC time (0: don't wait, just
 * test).
 *
 * Errors: -ENOENT unknown @handle; -EINVAL unknown @flags; -ETIME the
 * timeout passed first.  On success @error holds the first error of a
 * waited-for fence (0 if none).
 */
struct drm_tlgpu_wait_bo {
	/** @handle: in */
	__u32 handle;
	/** @flags: in, DRM_TLGPU_WAIT_* */
	__u32 flags;
	/** @timeout_ns: in, absolute CLOCK_MONOTONIC, nanoseconds */
	__s64 timeout_ns;
	/** @error: out, negative errno of a failed fence, or 0 */
	__s32 error;
	/** @pad: must be zero */
	__u32 pad;
};

/**
 * struct drm_tlgpu_reset_status - argument of DRM_IOCTL_TLGPU_GET_RESET_STATUS
 *
 * How this file fared in resets.  A job that runs past the driver's
 * timeout is guilty: its timeline is reset, the job fails with -ETIME,
 * the jobs of the same file queued behind it on that timeline are
 * cancelled (-ECANCELED, counted nowhere), and the other files' jobs that
 * were on the timeline are innocent and run again.  Jobs failing with a
 * fault cause no reset and are not counted.
 *
 * Errors: -EINVAL non-zero @flags or @pad.
 */
struct drm_tlgpu_reset_status {
	/** @flags: in, must be zero */
	__u32 flags;
	/** @pad: must be zero */
	__u32 pad;
	/**
	 * @guilty: out, this file's jobs that ran past the timeout and were
	 * reset (faulting jobs cause no reset and are not counted)
	 */
	__u64 guilty;
	/** @innocent: out, this file's jobs re-run after another's reset */
	__u64 innocent;
	/**
	 * @device_resets: out, resets on the device since this file opened:
	 * timeline resets after a timeout, and function-level resets (which
	 * count once per timeline)
	 */
	__u64 device_resets;
};

#if defined(__cplusplus)
}
#endif

#endif /* TLGPU_DRM_H */
