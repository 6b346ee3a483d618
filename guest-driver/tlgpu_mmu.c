// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: GPU address spaces.
 */

/**
 * DOC: tlgpu address spaces
 *
 * Every open file gets a &struct tlgpu_vm: three-level page tables in
 * coherent DMA memory (tlgpu_hw.h: 39-bit VA, 4 KiB pages) and a drm_mm
 * allocator of virtual addresses.  Every job of the file runs in it, so
 * its commands reach the file's buffers and nothing else.
 *
 * Address-space slots.  The device has a fixed number of address-space
 * registers (TLGPU_REG_NUM_AS, 64), far fewer than the files a device may
 * have open.  As in panfrost and panthor, the slots are a cache: a VM is
 * bound to a slot only while it has jobs on the device.  A job pins its
 * VM's slot when its dependencies are done, just before run_job
 * (tlgpu_vm_pin_as()), binding the VM to a free slot or to the least
 * recently used one whose VM has no job pinning it; the pin passes to the
 * job's hardware fence, which gives it back when it signals.  When every
 * slot is pinned, the job waits, as for a dependency, for the device's
 * slot fence, a fence of the driver's own that the next unpin freeing a
 * slot signals: then every waiting job looks again.  Every pinned job is
 * past its dependencies and only waits for the device, so a slot always
 * comes free; a job WAITs on the device only for jobs already written to
 * a ring.  So opening a render node is never limited by the slots.
 *
 * A buffer is mapped when the file gets a handle for it and unmapped when
 * the handle is closed and no job listing the buffer remains (jobs hold
 * references to the mappings of their buffers, so freeing a buffer right
 * after submitting a job that uses it is fine).  Each mapping is followed
 * by an unmapped guard page, so
 * running off the end of a buffer faults.  The device has no TLB to
 * flush: it walks the tables for each job.  Unmapping first clears the
 * PTEs and then waits for the VM's jobs already written to the rings
 * (&tlgpu_vm.last_hw), so no job still running can reach pages that are
 * about to be freed; jobs written later fault on the cleared PTEs.
 *
 * The VM is refcounted: the file and each of its jobs hold a reference,
 * and the address space slot and the tables go with the last one.
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>

#include "tlgpu_drv.h"
#include "tlgpu_trace.h"

/* GPU VAs start at 1 MiB, so that small integers never name a buffer. */
#define TLGPU_VA_START		(1ull << 20)
#define TLGPU_VA_END		(1ull << TLGPU_VA_BITS)

static int tlgpu_pt_alloc(struct tlgpu_device *tdev, struct tlgpu_pt *pt,
			  bool inner)
{
	pt->cpu = dma_alloc_coherent(tdev->drm.dev, TLGPU_PAGE_SIZE, &pt->dma,
				     GFP_KERNEL);
	if (!pt->cpu)
		return -ENOMEM;
	pt->child = NULL;
	if (inner) {
		pt->child = kcalloc(TLGPU_PT_ENTRIES, sizeof(*pt->child),
				    GFP_KERNEL);
		if (!pt->child) {
			dma_free_coherent(tdev->drm.dev, TLGPU_PAGE_SIZE,
					  pt->cpu, pt->dma);
			return -ENOMEM;
		}
	}
	return 0;
}

static void tlgpu_pt_free(struct tlgpu_device *tdev, struct tlgpu_pt *pt)
{
	unsigned int i;

	if (!pt->cpu)
		return;
	if (pt->child) {
		for (i = 0; i < TLGPU_PT_ENTRIES; i++) {
			if (pt->child[i]) {
				tlgpu_pt_free(tdev, pt->child[i]);
				kfree(pt->child[i]);
			}
		}
		kfree(pt->child);
	}
	dma_free_coherent(tdev->drm.dev, TLGPU_PAGE_SIZE, pt->cpu, pt->dma);
	pt->cpu = NULL;
}

/* The next-level table of entry @idx of @pt, created if @create. */
static struct tlgpu_pt *tlgpu_pt_next(struct tlgpu_vm *vm, struct tlgpu_pt *pt,
				      unsigned int idx, bool create, bool leaf)
{
	struct tlgpu_pt *child = pt->child[idx];

	if (child || !create)
		return child;
	child = kzalloc(sizeof(*child), GFP_KERNEL);
	if (!child)
		return NULL;
	if (tlgpu_pt_alloc(vm->tdev, child, !leaf)) {
		kfree(child);
		return NULL;
	}
	pt->child[idx] = child;
	/* The table is zeroed and visible before the entry points at it. */
	dma_wmb();
	WRITE_ONCE(pt->cpu[idx], cpu_to_le64(child->dma | TLGPU_PTE_VALID));
	return child;
}

/* The leaf table holding @va's entry; vm->lock held. */
static struct tlgpu_pt *tlgpu_vm_leaf(struct tlgpu_vm *vm, u64 va,
				      bool create)
{
	struct tlgpu_pt *l1, *l0;

	l1 = tlgpu_pt_next(vm, &vm->root, (va >> 30) & 511, create, false);
	if (!l1)
		return NULL;
	l0 = tlgpu_pt_next(vm, l1, (va >> 21) & 511, create, true);
	return l0;
}

/* Point slot @as at @vm's tables, or disable it; tdev->as_lock held. */
static void tlgpu_as_program(struct tlgpu_device *tdev, unsigned int as,
			     struct tlgpu_vm *vm)
{
	int idx;

	lockdep_assert_held(&tdev->as_lock);
	if (!drm_dev_enter(&tdev->drm, &idx))
		return;
	if (vm) {
		tlgpu_write(tdev, TLGPU_AS_REG(as, TLGPU_AS_PT_LO),
			    lower_32_bits(vm->root.dma));
		tlgpu_write(tdev, TLGPU_AS_REG(as, TLGPU_AS_PT_HI),
			    upper_32_bits(vm->root.dma));
	}
	tlgpu_write(tdev, TLGPU_AS_REG(as, TLGPU_AS_CTRL),
		    vm ? TLGPU_AS_CTRL_ENABLE : 0);
	drm_dev_exit(idx);
}

/**
 * tlgpu_vm_restore_all() - program every bound slot again
 * @tdev: device, after a function-level reset cleared its registers
 */
void tlgpu_vm_restore_all(struct tlgpu_device *tdev)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&tdev->as_lock, flags);
	for (i = 0; i < tdev->num_as; i++)
		if (tdev->as_slots[i])
			tlgpu_as_program(tdev, i, tdev->as_slots[i]);
	spin_unlock_irqrestore(&tdev->as_lock, flags);
}

/*
 * The "a slot came free" fence: a fence of the driver's own (its own
 * context, not a scheduler fence, which the scheduler would turn into an
 * already signalled "scheduled" fence of a job already run), signalled by
 * the first unpin that leaves a VM with no pin, so every job waiting for a
 * slot looks again.  Holds the module, like the hardware fences.
 */
static const char *tlgpu_slot_fence_driver_name(struct dma_fence *fence)
{
	return "tlgpu";
}

static const char *tlgpu_slot_fence_timeline_name(struct dma_fence *fence)
{
	return "tlgpu-as-slots";
}

static void tlgpu_slot_fence_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct dma_fence, rcu));
	module_put(THIS_MODULE);
}

static void tlgpu_slot_fence_release(struct dma_fence *fence)
{
	call_rcu(&fence->rcu, tlgpu_slot_fence_free_rcu);
}

static const struct dma_fence_ops tlgpu_slot_fence_ops = {
	.get_driver_name = tlgpu_slot_fence_driver_name,
	.get_timeline_name = tlgpu_slot_fence_timeline_name,
	.release = tlgpu_slot_fence_release,
};

/* A new slot fence, or NULL; process context, no lock held. */
static struct dma_fence *tlgpu_slot_fence_alloc(struct tlgpu_device *tdev)
{
	struct dma_fence *fence = kzalloc(sizeof(*fence), GFP_KERNEL);

	if (!fence)
		return NULL;
	__module_get(THIS_MODULE);
	dma_fence_init(fence, &tlgpu_slot_fence_ops, &tdev->as_fence_lock,
		       tdev->as_fence_context, 0);
	return fence;
}

/* The slot fence jobs wait on, taken off the device; tdev->as_lock held. */
static struct dma_fence *tlgpu_slot_fence_take_locked(struct tlgpu_device *tdev)
{
	struct dma_fence *fence = tdev->as_free;

	lockdep_assert_held(&tdev->as_lock);
	tdev->as_free = NULL;
	return fence;
}

/* Wake the jobs waiting on @fence (taken, or NULL), outside the lock. */
static void tlgpu_slot_fence_fire(struct dma_fence *fence)
{
	if (fence) {
		dma_fence_signal(fence);
		dma_fence_put(fence);
	}
}

/*
 * Find a slot for @vm: free, or the least recently used one whose VM no
 * job pins.  Binds @vm to it.  tdev->as_lock held.  Return: false when
 * every slot is pinned.
 */
static bool tlgpu_vm_bind_as(struct tlgpu_device *tdev, struct tlgpu_vm *vm)
{
	struct tlgpu_vm *old;
	u64 oldest = U64_MAX;
	int victim = -1;
	unsigned int i;

	lockdep_assert_held(&tdev->as_lock);
	for (i = 0; i < tdev->num_as; i++) {
		old = tdev->as_slots[i];
		if (!old) {
			victim = i;
			break;
		}
		if (!old->as_users && old->as_lru < oldest) {
			oldest = old->as_lru;
			victim = i;
		}
	}
	if (victim < 0)
		return false;
	old = tdev->as_slots[victim];
	if (old)
		old->as = -1;	/* evicted: idle, bound again on use */
	tdev->as_slots[victim] = vm;
	vm->as = victim;
	tlgpu_as_program(tdev, victim, vm);
	tdev->as_binds++;
	trace_tlgpu_as_bind(tdev, vm->id, victim, old ? old->id : 0);
	return true;
}

/**
 * tlgpu_vm_pin_as() - pin a slot for a job of @vm, binding one if needed
 * @vm: the job's VM
 * @wait: set to a fence to wait for (a reference) on -EBUSY
 *
 * Called from the scheduler's dependency callback (process context).
 *
 * Return: 0 with the slot in @vm->as pinned (tlgpu_vm_unpin_as() gives it
 * back), or -EBUSY when every slot is pinned by jobs of other VMs: @wait
 * is then the device's slot fence, signalled when any slot can be taken
 * again (never an already signalled one: the scheduler would call back at
 * once, in a loop).
 */
int tlgpu_vm_pin_as(struct tlgpu_vm *vm, struct dma_fence **wait)
{
	struct tlgpu_device *tdev = vm->tdev;
	struct dma_fence *spare = NULL;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&tdev->as_lock, flags);
		if (vm->as >= 0 || tlgpu_vm_bind_as(tdev, vm)) {
			vm->as_users++;
			vm->as_lru = ++tdev->as_tick;
			spin_unlock_irqrestore(&tdev->as_lock, flags);
			break;
		}
		if (!tdev->as_free && spare) {
			spare->seqno = ++tdev->as_fence_seqno;
			tdev->as_free = spare;
			spare = NULL;
		}
		if (tdev->as_free) {
			*wait = dma_fence_get(tdev->as_free);
			tdev->as_waits++;
			spin_unlock_irqrestore(&tdev->as_lock, flags);
			if (spare)
				dma_fence_put(spare);
			trace_tlgpu_as_wait(tdev, vm->id);
			return -EBUSY;
		}
		spin_unlock_irqrestore(&tdev->as_lock, flags);
		/* Allocate the fence to wait on outside the lock, and look again. */
		spare = tlgpu_slot_fence_alloc(tdev);
		if (!spare) {
			/* No memory: look again a little later. */
			schedule_timeout_uninterruptible(1);
		}
	}
	if (spare)
		dma_fence_put(spare);
	return 0;
}

/**
 * tlgpu_vm_unpin_as() - a job of @vm no longer uses its slot
 * @vm: VM
 *
 * Any context: called when the job's hardware fence signals.  The last
 * pin of a VM makes its slot available: jobs waiting for one look again.
 */
void tlgpu_vm_unpin_as(struct tlgpu_vm *vm)
{
	struct tlgpu_device *tdev = vm->tdev;
	struct dma_fence *freed = NULL;
	unsigned long flags;

	spin_lock_irqsave(&tdev->as_lock, flags);
	if (!WARN_ON(!vm->as_users) && !--vm->as_users)
		freed = tlgpu_slot_fence_take_locked(tdev);
	spin_unlock_irqrestore(&tdev->as_lock, flags);
	tlgpu_slot_fence_fire(freed);
}

/**
 * tlgpu_vm_release_waiters() - wake every job waiting for a slot
 * @tdev: device, being unplugged or released: nothing will unpin
 */
void tlgpu_vm_release_waiters(struct tlgpu_device *tdev)
{
	struct dma_fence *freed;
	unsigned long flags;

	spin_lock_irqsave(&tdev->as_lock, flags);
	freed = tlgpu_slot_fence_take_locked(tdev);
	spin_unlock_irqrestore(&tdev->as_lock, flags);
	tlgpu_slot_fence_fire(freed);
}

/**
 * tlgpu_vm_create() - a new address space on @tdev
 * @tdev: device
 *
 * The VM gets an address-space slot only while it has jobs on the device
 * (tlgpu_vm_pin_as()), so any number of VMs can exist.
 *
 * Return: the VM with one reference, or an ERR_PTR: -ENOMEM, -ENODEV
 * when unplugged.
 */
struct tlgpu_vm *tlgpu_vm_create(struct tlgpu_device *tdev)
{
	struct tlgpu_vm *vm;
	int ret, idx;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	vm->tdev = tdev;
	kref_init(&vm->refcount);
	mutex_init(&vm->lock);
	spin_lock_init(&vm->fence_lock);
	drm_mm_init(&vm->mm, TLGPU_VA_START, TLGPU_VA_END - TLGPU_VA_START);
	vm->as = -1;
	vm->id = atomic64_inc_return(&tdev->vm_ids);

	ret = tlgpu_pt_alloc(tdev, &vm->root, true);
	if (ret)
		goto err_free;

	if (!drm_dev_enter(&tdev->drm, &idx)) {
		ret = -ENODEV;
		goto err_pt;
	}
	mutex_lock(&tdev->vm_lock);
	list_add_tail(&vm->link, &tdev->vms);
	mutex_unlock(&tdev->vm_lock);
	drm_dev_exit(idx);
	drm_dev_get(&tdev->drm);
	return vm;

err_pt:
	tlgpu_pt_free(tdev, &vm->root);
err_free:
	drm_mm_takedown(&vm->mm);
	kfree(vm);
	return ERR_PTR(ret);
}

/* The VM's reference to the device goes last, then the VM. */
static void tlgpu_vm_put_work(struct work_struct *work)
{
	struct tlgpu_vm *vm = container_of(work, struct tlgpu_vm, put_work);

	drm_dev_put(&vm->tdev->drm);
	kfree(vm);
}

static void tlgpu_vm_release(struct kref *kref)
{
	struct tlgpu_vm *vm = container_of(kref, struct tlgpu_vm, refcount);
	struct tlgpu_device *tdev = vm->tdev;
	unsigned long flags;
	unsigned int i;

	/*
	 * The last reference: no job of the VM exists any more, so none is
	 * on the device or pins a slot; every buffer was unmapped with its
	 * handle.
	 */
	mutex_lock(&tdev->vm_lock);
	list_del(&vm->link);
	mutex_unlock(&tdev->vm_lock);
	spin_lock_irqsave(&tdev->as_lock, flags);
	WARN_ON(vm->as_users);
	if (vm->as >= 0) {
		tdev->as_slots[vm->as] = NULL;
		tlgpu_as_program(tdev, vm->as, NULL);
	}
	spin_unlock_irqrestore(&tdev->as_lock, flags);
	for (i = 0; i < TLGPU_MAX_TIMELINES; i++)
		dma_fence_put(vm->last_hw[i]);
	tlgpu_pt_free(tdev, &vm->root);
	drm_mm_takedown(&vm->mm);
	mutex_destroy(&vm->lock);
	/*
	 * This may be a scheduler thread (the job that held the file that
	 * held the VM was freed), and the device's release stops those.
	 */
	INIT_WORK(&vm->put_work, tlgpu_vm_put_work);
	queue_work(tlgpu_wq, &vm->put_work);
}

struct tlgpu_vm *tlgpu_vm_get(struct tlgpu_vm *vm)
{
	kref_get(&vm->refcount);
	return vm;
}

void tlgpu_vm_put(struct tlgpu_vm *vm)
{
	if (vm)
		kref_put(&vm->refcount, tlgpu_vm_release);
}

/**
 * tlgpu_vm_set_last_hw() - note @fence as the VM's last job on @tl
 * @vm: VM
 * @tl: timeline number
 * @fence: hardware fence of the job just written to the ring
 *
 * Called from run_job: takes only a spinlock and allocates nothing.
 */
void tlgpu_vm_set_last_hw(struct tlgpu_vm *vm, unsigned int tl,
			  struct dma_fence *fence)
{
	struct dma_fence *old;

	spin_lock(&vm->fence_lock);
	old = vm->last_hw[tl];
	vm->last_hw[tl] = dma_fence_get(fence);
	spin_unlock(&vm->fence_lock);
	dma_fence_put(old);
}

/* Wait until no job written to a ring so far can still use the VM. */
static void tlgpu_vm_wait_hw(struct tlgpu_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->tdev->num_timelines; i++) {
		struct dma_fence *fence;

		spin_lock(&vm->fence_lock);
		fence = dma_fence_get(vm->last_hw[i]);
		spin_unlock(&vm->fence_lock);
		if (fence) {
			/*
			 * Bounded: a hung job is reset after the timeout.  A
			 * worker takes no signal: interruptible only so that
			 * a long wait behind hung jobs is not a hung task.
			 */
			if (dma_fence_wait(fence, true))
				dma_fence_wait(fence, false);
			dma_fence_put(fence);
		}
	}
}

static void tlgpu_vm_clear(struct tlgpu_vm *vm, u64 va, u64 size)
{
	u64 end = va + size;

	for (; va < end; va += TLGPU_PAGE_SIZE) {
		struct tlgpu_pt *l0 = tlgpu_vm_leaf(vm, va, false);

		if (l0)
			WRITE_ONCE(l0->cpu[(va >> 12) & 511], 0);
	}
	dma_wmb();
}

/**
 * tlgpu_vm_map() - map a buffer read-write into a VM
 * @vm: VM
 * @bo: buffer (shmem or imported)
 * @map: mapping to fill; @map->node gets the VA range
 *
 * Return: 0, -ENOSPC without room in the VA space, -ENOMEM, or the error
 * of getting the buffer's pages.
 */
int tlgpu_vm_map(struct tlgpu_vm *vm, struct tlgpu_bo *bo,
		 struct tlgpu_mapping *map)
{
	struct drm_gem_object *obj = &bo->base.base;
	struct sg_dma_page_iter iter;
	struct sg_table *sgt;
	u64 va;
	int ret;

	sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);

	mutex_lock(&vm->lock);
	ret = drm_mm_insert_node_generic(&vm->mm, &map->node,
					 obj->size + TLGPU_PAGE_SIZE,
					 TLGPU_PAGE_SIZE, 0, DRM_MM_INSERT_BEST);
	if (ret)
		goto out_unlock;

	va = map->node.start;
	for_each_sgtable_dma_page(sgt, &iter, 0) {
		dma_addr_t addr = sg_page_iter_dma_address(&iter);
		struct tlgpu_pt *l0;

		if (va >= map->node.start + obj->size)
			break;
		l0 = tlgpu_vm_leaf(vm, va, true);
		if (!l0) {
			ret = -ENOMEM;
			tlgpu_vm_clear(vm, map->node.start, va - map->node.start);
			drm_mm_remove_node(&map->node);
			goto out_unlock;
		}
		WRITE_ONCE(l0->cpu[(va >> 12) & 511],
			   cpu_to_le64((addr & TLGPU_PTE_ADDR_MASK) |
				       TLGPU_PTE_VALID | TLGPU_PTE_WRITE));
		va += TLGPU_PAGE_SIZE;
	}
	/* The entries are visible before any job can use the address. */
	dma_wmb();
	map->vm = tlgpu_vm_get(vm);

out_unlock:
	mutex_unlock(&vm->lock);
	return ret;
}

/* Whether no job written to a ring so far can still use the VM. */
static bool tlgpu_vm_hw_idle(struct tlgpu_vm *vm)
{
	bool idle = true;
	unsigned int i;

	spin_lock(&vm->fence_lock);
	for (i = 0; i < vm->tdev->num_timelines && idle; i++)
		idle = !vm->last_hw[i] || dma_fence_is_signaled(vm->last_hw[i]);
	spin_unlock(&vm->fence_lock);
	return idle;
}

/**
 * tlgpu_vm_unmap_begin() - make @map's addresses fault from now on
 * @map: the mapping, whose last reference is gone
 *
 * Clears the page-table entries.  Jobs written to a ring later fault on
 * them; those written before may still be running.
 *
 * Return: true when none is (tlgpu_vm_unmap_end() may follow at once),
 * false when tlgpu_vm_unmap() must wait for them.
 */
bool tlgpu_vm_unmap_begin(struct tlgpu_mapping *map)
{
	struct tlgpu_vm *vm = map->vm;

	mutex_lock(&vm->lock);
	tlgpu_vm_clear(vm, map->node.start, map->node.size);
	mutex_unlock(&vm->lock);
	/* The cleared entries are visible before we look at the rings. */
	smp_mb();
	return tlgpu_vm_hw_idle(vm);
}

/**
 * tlgpu_vm_unmap_end() - give back @map's addresses and VM reference
 * @map: a mapping no job on the device can reach any more
 */
void tlgpu_vm_unmap_end(struct tlgpu_mapping *map)
{
	struct tlgpu_vm *vm = map->vm;

	mutex_lock(&vm->lock);
	drm_mm_remove_node(&map->node);
	mutex_unlock(&vm->lock);
	map->vm = NULL;
	tlgpu_vm_put(vm);
}

/**
 * tlgpu_vm_unmap() - undo tlgpu_vm_map()
 * @map: the mapping; its VM reference is dropped
 *
 * Returns once no job on the device can reach the pages any more: a
 * worker's wait (tlgpu_wq), never a user's.
 */
void tlgpu_vm_unmap(struct tlgpu_mapping *map)
{
	tlgpu_vm_unmap_begin(map);
	tlgpu_vm_wait_hw(map->vm);
	tlgpu_vm_unmap_end(map);
}
