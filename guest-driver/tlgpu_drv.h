/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * tlgpu: private header of the DRM driver.
 *
 * One section per source file, each listing what that file exports to
 * the rest of the driver.
 */
#ifndef TLGPU_DRV_H
#define TLGPU_DRV_H

#include <linux/atomic.h>
#include <linux/dma-fence.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <drm/drm_device.h>
#include <drm/drm_print.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_mm.h>
#include <drm/gpu_scheduler.h>

#include "tlgpu_compat.h"

#include "tlgpu_drm.h"
#include "tlgpu_hw.h"

#define DRIVER_NAME		"tlgpu"
#define DRIVER_DESC		"tlgpu virtual GPU"
#define DRIVER_DATE		"20261122"
#define DRIVER_MAJOR		0
#define DRIVER_MINOR		1
#define DRIVER_PATCHLEVEL	0

struct drm_minor;
struct tlgpu_fence;
struct tlgpu_device;
struct tlgpu_timelines;

/**
 * struct tlgpu_irq_vector - one MSI-X vector of the device
 * @tdev: device the vector belongs to
 * @index: MSI-X vector number
 * @timeline: timeline whose completions raise this vector, or -1 for the
 *	device vector (TLGPU_VECTOR_TIMELINE() maps timelines to vectors)
 * @count: interrupts handled on this vector since probe
 *
 * Allocated with the &struct tlgpu_device (drmm), so the counters stay
 * readable after unbind; the interrupt itself is freed at unbind.
 */
struct tlgpu_irq_vector {
	struct tlgpu_device *tdev;
	unsigned int index;
	int timeline;
	atomic64_t count;
};

/* Ring of each timeline: room for TLGPU_JOBS_IN_FLIGHT of the largest jobs. */
#define TLGPU_RING_SIZE		(256 * 1024)
#define TLGPU_JOBS_IN_FLIGHT	32
/* Most device-side WAITs one job carries; beyond, the CPU waits. */
#define TLGPU_MAX_WAITS		16
/* Largest job in the ring: SET_AS, WAITs, user commands, FENCE. */
#define TLGPU_JOB_MAX_DWORDS \
	(2 + 4 * TLGPU_MAX_WAITS + DRM_TLGPU_MAX_CMD_DWORDS + 4)

/**
 * struct tlgpu_timeline - one command timeline (hardware queue)
 * @tdev: device
 * @idx: timeline number
 * @sched: the DRM GPU scheduler feeding this timeline
 * @ring: ring buffer, TLGPU_RING_SIZE bytes, coherent DMA memory
 * @ring_dma: its bus address
 * @status: the timeline's status page, written by the device
 * @status_dma: its bus address
 * @ring_lock: protects @tail and @seqno; held by run_job and the reset path
 *	while they write the ring.  Nothing allocates memory under it.
 * @tail: next byte of @ring to write
 * @seqno: last hardware seqno handed out
 * @pending_lock: protects @pending; taken in the interrupt handler
 * @pending: hardware fences written to the ring and not yet signalled, in
 *	seqno order; the list holds a reference to each
 * @fence_lock: the &dma_fence.lock of this timeline's hardware fences
 *	(unused with TLGPU_FENCE_DETACHES: each fence has its own lock)
 * @fence_context: dma_fence context of the hardware fences
 * @resets: resets of this timeline
 * @name: "tlgpu-<pci slot>-tl<idx>", the scheduler's and fences' timeline name
 * @set: the &struct tlgpu_timelines this timeline belongs to
 * @sched_ready: @sched was initialized (and is finished at release)
 * @defer_fence: the finished fence of a job WAITed for whose signalling
 *	holds up this timeline's next completed fence (a reference), with
 *	@defer_cb added to it; protected by &tlgpu_device.signal_lock
 * @defer_cb: runs @signal_work when @defer_fence signals
 * @signal_work: signals the timeline's completed fences again, once what
 *	held them up has signalled
 * @last_done: when the timeline's last fence was signalled; protected by
 *	&tlgpu_device.signal_lock
 *
 * @tdev is only valid while the device lives; the rest of the structure
 * lives as long as @set (see &struct tlgpu_timelines).
 */
struct tlgpu_timeline {
	struct tlgpu_device *tdev;
	struct tlgpu_timelines *set;
	unsigned int idx;
	struct drm_gpu_scheduler sched;
	bool sched_ready;

	void *ring;
	dma_addr_t ring_dma;
	struct tlgpu_status_page *status;
	dma_addr_t status_dma;

	struct mutex ring_lock;
	u32 tail;
	u64 seqno;

	spinlock_t pending_lock;
	struct list_head pending;

	spinlock_t fence_lock;
	u64 fence_context;
	atomic_t resets;
	char name[32];

	struct dma_fence *defer_fence;
	struct dma_fence_cb defer_cb;
	struct work_struct signal_work;
	ktime_t last_done;
};

/**
 * struct tlgpu_timelines - the timelines of a device, refcounted
 * @refcount: held by the device until its release, by every job until it
 *	is freed and by every hardware fence until it is freed (with
 *	TLGPU_FENCE_DETACHES: until it signals)
 * @rcu: the structure is freed after a grace period
 * @count: number of @tl
 * @tl: the timelines
 *
 * A scheduler fence names its timeline through its &drm_gpu_scheduler
 * (&drm_sched_fence.sched), and a hardware fence uses its timeline's name
 * and &tlgpu_timeline.fence_lock; both kinds of fence can outlive the
 * device by far (a sync file, a syncobj or another driver's dma_resv
 * holds them).  So the timelines are not device-managed: every scheduler
 * fence of a tlgpu job holds its job's hardware fence as its parent
 * (tlgpu_job_free() makes sure of it), every job and every hardware fence
 * holds this structure, and it is freed with the last of them, after an
 * RCU grace period, so that RCU readers of a fence being released still
 * find it.  With TLGPU_FENCE_DETACHES (7.x) a hardware fence holds it only
 * until it signals, and the kernel asks no driver for a signalled fence's
 * names: an unsignalled scheduler or hardware fence means its job is alive,
 * and the job holds this structure (and the module).
 */
struct tlgpu_timelines {
	struct kref refcount;
	struct rcu_head rcu;
	unsigned int count;
	struct tlgpu_timeline tl[];
};

/**
 * struct tlgpu_device - one tlgpu PCI function
 * @drm: DRM device; its reference count controls this structure's lifetime
 * @pdev: the PCI function (a reference is held through @drm's parent)
 * @regs: BAR0 register window
 * @version: TLGPU_REG_VERSION, major << 16 | minor
 * @caps: TLGPU_REG_CAPS, TLGPU_CAP_* bits
 * @num_timelines: TLGPU_REG_NUM_TIMELINES, 1..TLGPU_MAX_TIMELINES
 * @num_as: TLGPU_REG_NUM_AS, at most TLGPU_NUM_AS
 * @num_vectors: TLGPU_REG_NUM_VECTORS, MSI-X vectors in use
 * @reset_count_base: TLGPU_REG_RESET_COUNT right after the probe reset;
 *	resets since probe are counted from here
 * @vectors: @num_vectors interrupt vectors
 * @timelines: @num_timelines timelines, in @timeline_set
 * @timeline_set: the device's reference to its timelines
 * @as_lock: protects @as_slots, @as_tick, @as_free, @as_fence_seqno,
 *	@as_binds, @as_waits and every VM's &tlgpu_vm.as, &tlgpu_vm.as_users
 *	and &tlgpu_vm.as_lru; a spinlock, taken on the fence-signalling path
 *	(irqsave)
 * @as_slots: the VM bound to each address-space slot, or NULL
 * @as_tick: use counter for the slots' LRU order
 * @as_free: the slot fence jobs wait on while every slot is pinned (a
 *	reference), signalled by the next unpin that frees one, or NULL
 * @as_fence_context: fence context of the slot fences
 * @as_fence_seqno: last slot fence seqno
 * @as_binds: binds of a VM to a slot since probe, into a free slot or by
 *	evicting an idle VM
 * @as_waits: times a job found every slot pinned and waited for the slot
 *	fence (debugfs address_spaces: a scheduler calling back in a loop
 *	shows as thousands)
 * @as_fence_lock: &dma_fence.lock of the slot fences
 * @vm_ids: allocator of &tlgpu_vm.id
 * @vm_lock: protects @vms
 * @vms: every live &struct tlgpu_vm
 * @reset_lock: serializes the reset paths: a timeline's timeout handler
 *	and a function-level reset (held from reset_prepare to reset_done),
 *	which stop, reset, re-run and restart the same schedulers
 * @flr_count: function-level resets done; a job notes it when written to
 *	the ring (&tlgpu_job.flr_count)
 * @flr_prepared: reset_prepare took @reset_lock for reset_done to drop;
 *	protected by the PCI device lock, which the PCI core holds across
 *	both
 * @timeline_resets: timeline resets done by the driver since probe
 * @signal_lock: serializes the signalling of completed hardware fences
 *	across the device's timelines (tlgpu_timeline_irq()), so fences of
 *	WAITed-for jobs are signalled first; taken in interrupt context
 * @wedged: a reset the device did not come back from: every job fails
 *	with -EIO and SUBMIT refuses with -EIO until the PCI function is
 *	unbound and bound again (tlgpu_device_wedge()); set under @reset_lock,
 *	read with READ_ONCE() anywhere
 * @coredumps: device coredumps written for hung jobs (tlgpu_coredump.c)
 * @coredumps_failed: hung jobs whose coredump could not be written (the
 *	last one still on its way, or no memory for the copy)
 * @coredump_buf: where the timeout handler formats a dump (drmm-managed),
 *	owned by whoever set bit 0 of @coredump_busy until
 *	@coredump_work clears it
 * @coredump_len: bytes of it in use; written before @coredump_work is
 *	queued
 * @coredump_work: hands the dump to the kernel (dev_coredumpv())
 *
 * Lifetime: allocated by devm_drm_dev_alloc(), freed when the last
 * reference to @drm goes, which can be long after the PCI function was
 * unbound if a file is still open.  @regs, the interrupts and the PCI
 * resources are devres-managed and go away at unbind, so every path that
 * userspace can reach touches the hardware only between drm_dev_enter()
 * and drm_dev_exit().  Each VM holds a reference to @drm, so the device
 * outlives every file, job and buffer mapping of it; the schedulers keep
 * running after the unbind (failing what is left with -ENODEV) and are
 * stopped at the release.  The rings and status pages are devres-managed;
 * the timelines outlive the device for its fences (&struct
 * tlgpu_timelines).
 *
 * Locking: the configuration fields are written in probe before
 * drm_dev_register() and only read afterwards; each timeline documents
 * its locks; counters are atomics.
 */
struct tlgpu_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	void __iomem *regs;

	u32 version;
	u32 caps;
	u32 num_timelines;
	u32 num_as;
	u32 num_vectors;
	u32 reset_count_base;

	struct tlgpu_irq_vector *vectors;
	struct tlgpu_timeline *timelines;
	struct tlgpu_timelines *timeline_set;
	spinlock_t as_lock;
	struct tlgpu_vm *as_slots[TLGPU_NUM_AS];
	u64 as_tick;
	struct dma_fence *as_free;
	u64 as_fence_context;
	u64 as_fence_seqno;
	u64 as_binds;
	u64 as_waits;
	spinlock_t as_fence_lock;
	atomic64_t vm_ids;
	struct mutex vm_lock;
	struct list_head vms;
	struct mutex reset_lock;
	atomic_t flr_count;
	bool flr_prepared;
	atomic_t timeline_resets;
	spinlock_t signal_lock;
	bool wedged;
	atomic_t coredumps;
	atomic_t coredumps_failed;
	void *coredump_buf;
	size_t coredump_len;
	unsigned long coredump_busy;
	struct work_struct coredump_work;
};

/**
 * struct tlgpu_pt - one page-table page and, for inner levels, its children
 * @cpu: the 512 entries, as the device reads them
 * @dma: bus address of @cpu
 * @child: next-level tables of the valid entries (inner levels only)
 */
struct tlgpu_pt {
	u64 *cpu;
	dma_addr_t dma;
	struct tlgpu_pt **child;
};

/**
 * struct tlgpu_vm - a GPU address space: one per open file
 * @tdev: device
 * @refcount: held by the file and by each of its jobs
 * @id: unique on the device, for tracepoints
 * @as: address-space slot it is bound to (index of TLGPU_AS_REG), or -1;
 *	&tlgpu_device.as_lock, like @as_users and @as_lru
 * @as_users: jobs pinning the slot: past their dependencies, their
 *	hardware fence not yet signalled
 * @as_lru: &tlgpu_device.as_tick when last pinned
 * @link: in &tlgpu_device.vms
 * @lock: protects @root, @mm and the mappings' PTEs; may allocate memory,
 *	so never taken on the fence-signalling path
 * @root: root page table
 * @mm: allocator of GPU virtual addresses
 * @fence_lock: protects @last_hw
 * @last_hw: per timeline, the hardware fence of this VM's last job written
 *	to the ring (a reference), waited for before pages are unmapped
 * @put_work: drops the VM's reference to the DRM device and frees it,
 *	from tlgpu_wq: the last VM reference can go on a scheduler thread,
 *	which the device's release stops
 *
 * Each VM holds a reference to the DRM device (@tdev->drm).
 */
struct tlgpu_vm {
	struct tlgpu_device *tdev;
	struct kref refcount;
	u64 id;
	int as;
	u32 as_users;
	u64 as_lru;
	struct list_head link;

	struct mutex lock;
	struct tlgpu_pt root;
	struct drm_mm mm;

	spinlock_t fence_lock;
	struct dma_fence *last_hw[TLGPU_MAX_TIMELINES];
	struct work_struct put_work;
};

/**
 * struct tlgpu_mapping - a buffer mapped in one file's VM
 * @refcount: held by the file's handles (one reference for all, until
 *	the last is closed) and by each job that lists the buffer (until it
 *	is freed)
 * @handles: the file's handles of the buffer; protected by &tlgpu_bo.lock
 * @link: in &tlgpu_bo.mappings while a handle exists
 * @vm: the VM (a reference)
 * @bo: the buffer (a reference: its pages outlive the mapping)
 * @node: its GPU virtual address range, the buffer plus a guard page
 * @free_work: unmaps and frees after the last reference, in process
 *	context (the last reference may go in the scheduler's free_job)
 */
struct tlgpu_mapping {
	struct kref refcount;
	u32 handles;
	struct list_head link;
	struct tlgpu_vm *vm;
	struct tlgpu_bo *bo;
	struct drm_mm_node node;
	struct work_struct free_work;
};

/**
 * struct tlgpu_bo - a GEM buffer: shmem-backed, or imported with PRIME
 * @base: shmem GEM object
 * @lock: protects @mappings
 * @mappings: &struct tlgpu_mapping of every file holding a handle (a
 *	closed handle's mapping leaves the list, and lives on while jobs
 *	that list the buffer do)
 */
struct tlgpu_bo {
	struct drm_gem_shmem_object base;
	struct mutex lock;
	struct list_head mappings;
};

static inline struct tlgpu_bo *to_tlgpu_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct tlgpu_bo, base);
}

/**
 * struct tlgpu_file - per open file state
 * @tdev: device
 * @refcount: held by the file and by each of its jobs (counters live on)
 * @vm: the file's GPU address space
 * @sched_lock: serializes arming and pushing jobs onto @entities
 * @entities: one scheduler entity per timeline
 * @client_id: unique id for fdinfo's drm-client-id
 * @guilty: jobs of this file blamed for a reset
 * @innocent: jobs of this file re-run after another job's reset
 * @resets_at_open: &tlgpu_device.timeline_resets when the file opened
 * @busy_ns: per timeline, nanoseconds this file's jobs ran
 */
struct tlgpu_file {
	struct tlgpu_device *tdev;
	struct kref refcount;
	struct tlgpu_vm *vm;
	struct mutex sched_lock;
	struct drm_sched_entity *entities;
	u64 client_id;
	atomic64_t guilty;
	atomic64_t innocent;
	int resets_at_open;
	atomic64_t busy_ns[TLGPU_MAX_TIMELINES];
};

/**
 * struct tlgpu_wait - a device-side WAIT a job emits before its commands
 * @timeline: the other timeline
 * @seqno: its hardware seqno to wait for
 * @fence: the finished fence of the job waited for (the job's reference
 *	in &tlgpu_job.dev_deps)
 */
struct tlgpu_wait {
	u32 timeline;
	u64 seqno;
	struct dma_fence *fence;
};

/**
 * struct tlgpu_job - one submitted job
 * @base: scheduler job
 * @file: submitting file (a reference)
 * @vm: its VM (a reference)
 * @tl: timeline; the job holds its &tlgpu_timelines, and the module, until
 *	it is freed (after a grace period: @rcu)
 * @rcu: for that free
 * @cmds: the user's commands, checked
 * @cmd_dwords: their length
 * @bos: buffers of the job (references), kept alive until the job is freed
 * @mappings: their mappings in @vm (references): they stay mapped for the
 *	job even if the handles are closed meanwhile
 * @bo_count: number of @bos and @mappings
 * @dev_deps: finished fences of this device's other jobs (references),
 *	turned into device-side WAITs by tlgpu_job_dependency()
 * @dev_dep_count: number of @dev_deps
 * @dev_dep_next: the next one to look at
 * @waits: the WAITs found so far
 * @wait_count: number of @waits
 * @hw_fence: hardware fence, allocated at submit, initialized at the first
 *	run and reused when the job is re-run after a reset (same seqno)
 * @hw_fence_init: @hw_fence is initialized
 * @guilty: the job was blamed for a timeline reset
 * @as_pinned: the job pins its VM's slot and has not passed the pin to
 *	its hardware fence yet (tlgpu_vm_pin_as())
 * @flr_count: &tlgpu_device.flr_count when last written to the ring
 */
struct tlgpu_job {
	struct drm_sched_job base;
	struct tlgpu_file *file;
	struct tlgpu_vm *vm;
	struct tlgpu_timeline *tl;
	struct rcu_head rcu;

	u32 *cmds;
	u32 cmd_dwords;

	struct drm_gem_object **bos;
	struct tlgpu_mapping **mappings;
	u32 bo_count;

	struct dma_fence **dev_deps;
	u32 dev_dep_count;
	u32 dev_dep_next;
	struct tlgpu_wait waits[TLGPU_MAX_WAITS];
	u32 wait_count;

	struct tlgpu_fence *hw_fence;
	bool hw_fence_init;
	bool guilty;
	bool as_pinned;
	int flr_count;
};

static inline struct tlgpu_job *to_tlgpu_job(struct drm_sched_job *job)
{
	return container_of(job, struct tlgpu_job, base);
}

/**
 * struct tlgpu_fence - hardware fence: a job's completion on its timeline
 * @base: the fence; @base.seqno is the hardware seqno
 * @tl: its timeline
 * @link: in &tlgpu_timeline.pending while written and not signalled
 * @finished: the job's scheduler finished fence (a reference, dropped at
 *	signalling), which gets the job's error before it is signalled:
 *	the 6.1 scheduler does not pass the parent's error on
 * @wait_mask: timelines the job WAITed for on the device: their completed
 *	fences are signalled first
 * @after: finished fences of the jobs WAITed for (references, dropped at
 *	signalling): this fence is not signalled before them, so no one sees
 *	a job done before what it depended on, even when the scheduler
 *	signals a finished fence late (tlgpu_timeline_irq())
 * @after_count: number of @after
 * @as_vm: the VM whose slot the job pins until this fence signals, or
 *	NULL (the job holds the VM meanwhile)
 * @run_time: when the job was last written to the ring
 * @busy: the submitting file's busy time on this timeline
 *	(&tlgpu_file.busy_ns), which the job's time on the device is added to
 *	when the fence signals; NULL once added, or for a job that never ran.
 *	The job, and so the file, lives until then
 *
 * Each hardware fence holds a reference to the module and to its
 * timelines (&struct tlgpu_timelines) from allocation until it is freed;
 * with TLGPU_FENCE_DETACHES (7.x) none to the module, and the timelines
 * only until it signals (tlgpu_fence.c, "Lifetime").
 */
struct tlgpu_fence {
	struct dma_fence base;
	struct tlgpu_timeline *tl;
	struct list_head link;
	struct dma_fence *finished;
	u64 wait_mask;
	struct dma_fence *after[TLGPU_MAX_WAITS];
	u32 after_count;
	struct tlgpu_vm *as_vm;
	ktime_t run_time;
	atomic64_t *busy;
};

struct tlgpu_fence *to_tlgpu_fence(struct dma_fence *fence);

static inline struct tlgpu_fence *to_tlgpu_fence_or_null(struct dma_fence *f)
{
	return f ? to_tlgpu_fence(f) : NULL;
}

static inline struct tlgpu_device *to_tlgpu_device(struct drm_device *drm)
{
	return container_of(drm, struct tlgpu_device, drm);
}

/* Register access: all registers are 32 bits wide (tlgpu_hw.h). */
static inline u32 tlgpu_read(struct tlgpu_device *tdev, u32 reg)
{
	return readl(tdev->regs + reg);
}

static inline void tlgpu_write(struct tlgpu_device *tdev, u32 reg, u32 val)
{
	writel(val, tdev->regs + reg);
}

static inline u32 tlgpu_tl_read(struct tlgpu_device *tdev, u32 tl, u32 reg)
{
	return tlgpu_read(tdev, TLGPU_TL_REG(tl, reg));
}

static inline void tlgpu_tl_write(struct tlgpu_device *tdev, u32 tl, u32 reg,
				  u32 val)
{
	tlgpu_write(tdev, TLGPU_TL_REG(tl, reg), val);
}

/* tlgpu_coredump.c */
void tlgpu_coredump(struct tlgpu_timeline *tl, struct tlgpu_job *job);
int tlgpu_coredump_init(struct tlgpu_device *tdev);

/* tlgpu_debugfs.c, built with CONFIG_DEBUG_FS only */
void tlgpu_debugfs_init(struct drm_minor *minor);

/* tlgpu_drv.c */
extern unsigned int tlgpu_timeout_ms;
extern struct workqueue_struct *tlgpu_wq;
void tlgpu_device_reset(struct tlgpu_device *tdev);
void tlgpu_file_put(struct tlgpu_file *file);

/* tlgpu_fence.c (and to_tlgpu_fence() above) */
struct tlgpu_fence *tlgpu_fence_alloc(struct tlgpu_timeline *tl);
void tlgpu_fence_free(struct tlgpu_fence *fence);
void tlgpu_fence_init(struct tlgpu_fence *fence, u64 seqno);
void tlgpu_fence_signal(struct tlgpu_fence *fence);
void tlgpu_fence_signal_error(struct tlgpu_fence *fence, int err);
u64 tlgpu_fence_busy_ns(struct tlgpu_fence *fence, ktime_t now);
void tlgpu_fence_set_run_time(struct tlgpu_fence *fence, bool first);
bool tlgpu_fence_completed(struct tlgpu_fence *fence);
void tlgpu_timelines_put(struct tlgpu_timelines *set);
int tlgpu_error_to_errno(u32 error);

/* tlgpu_gem.c */
struct drm_gem_object *tlgpu_gem_create_object(struct drm_device *drm,
					       size_t size);
int tlgpu_bo_create_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);
int tlgpu_bo_info_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file);
struct tlgpu_mapping *tlgpu_bo_mapping_get(struct tlgpu_bo *bo,
					   struct tlgpu_vm *vm);
void tlgpu_mapping_put(struct tlgpu_mapping *map);

/* tlgpu_irq.c */
int tlgpu_irq_init(struct tlgpu_device *tdev);

/* tlgpu_mmu.c */
struct tlgpu_vm *tlgpu_vm_create(struct tlgpu_device *tdev);
void tlgpu_vm_put(struct tlgpu_vm *vm);
struct tlgpu_vm *tlgpu_vm_get(struct tlgpu_vm *vm);
int tlgpu_vm_map(struct tlgpu_vm *vm, struct tlgpu_bo *bo,
		 struct tlgpu_mapping *map);
bool tlgpu_vm_unmap_begin(struct tlgpu_mapping *map);
void tlgpu_vm_unmap_end(struct tlgpu_mapping *map);
void tlgpu_vm_unmap(struct tlgpu_mapping *map);
void tlgpu_vm_set_last_hw(struct tlgpu_vm *vm, unsigned int tl,
			  struct dma_fence *fence);
void tlgpu_vm_restore_all(struct tlgpu_device *tdev);
int tlgpu_vm_pin_as(struct tlgpu_vm *vm, struct dma_fence **wait);
void tlgpu_vm_unpin_as(struct tlgpu_vm *vm);
void tlgpu_vm_release_waiters(struct tlgpu_device *tdev);

/* tlgpu_param.c */
int tlgpu_get_param_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file);

/* tlgpu_reset.c */
enum drm_gpu_sched_stat tlgpu_job_timedout(struct drm_sched_job *sched_job);
void tlgpu_sched_reset_prepare(struct tlgpu_device *tdev);
void tlgpu_sched_reset_done(struct tlgpu_device *tdev);
void tlgpu_device_wedge(struct tlgpu_device *tdev, unsigned int tl);

/* tlgpu_sched.c */
extern const struct drm_sched_backend_ops tlgpu_sched_ops;
bool tlgpu_job_dev_dep(struct tlgpu_device *tdev, struct dma_fence *fence);

/* tlgpu_signal.c */
void tlgpu_timeline_irq(struct tlgpu_timeline *tl);
void tlgpu_timeline_signal_work(struct work_struct *work);
void tlgpu_timeline_cancel(struct tlgpu_timeline *tl, int err);
void tlgpu_fence_cancel(struct tlgpu_fence *fence, int err);

/* tlgpu_timeline.c */
int tlgpu_timeline_start(struct tlgpu_timeline *tl);
int tlgpu_sched_init(struct tlgpu_device *tdev);
void tlgpu_sched_unplug(struct tlgpu_device *tdev);

/* tlgpu_submit.c */
int tlgpu_submit_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file);
int tlgpu_wait_bo_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file);
int tlgpu_reset_status_ioctl(struct drm_device *drm, void *data,
			     struct drm_file *file);
void tlgpu_job_cleanup(struct tlgpu_job *job);

#endif /* TLGPU_DRV_H */
