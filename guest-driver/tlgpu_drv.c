// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: module, PCI driver and DRM driver.
 */

/**
 * DOC: tlgpu driver overview
 *
 * tlgpu is a virtual GPU made for testing GPU synchronization: a QEMU PCI
 * device with up to TLGPU_MAX_TIMELINES independent command timelines,
 * GPU address spaces and a fault-injection block.  include/tlgpu_hw.h is
 * the device contract, include/tlgpu_drm.h the uAPI.
 *
 * The driver is render-only (DRIVER_RENDER, no KMS): userspace uses the
 * /dev/dri/renderD* node of each PCI function (the DRM core also creates a
 * primary card node, which nothing of tlgpu needs).  It is split by concern:
 *
 *  - this file: module and PCI driver, probe and remove, DRM driver;
 *  - tlgpu_irq.c: MSI-X vectors, one per timeline plus a device vector;
 *  - tlgpu_param.c: DRM_IOCTL_TLGPU_GET_PARAM;
 *  - tlgpu_debugfs.c: interrupt counters, timelines, fault injection.
 *
 * Probe enables the function, maps BAR0, checks the ID register and the
 * major version, reads the configuration registers, resets the device,
 * enables bus mastering, sets the DMA mask, sets up MSI-X and finally
 * registers the DRM device, so that userspace never sees a half-initialised
 * device.  Every resource is devres-managed: a failing probe just returns.
 *
 * Remove (unbind, rmmod, hot unplug) first unplugs the DRM device, which
 * makes every later ioctl on a still-open file fail with -ENODEV and
 * waits for the ioctls already inside drm_dev_enter(); then it resets the
 * device so that it stops raising interrupts and doing DMA.  The
 * interrupts, MSI-X vectors and BAR mapping are devres-managed and are
 * released after remove returns, in reverse order of their setup; the
 * &struct tlgpu_device lives on until the last open file is closed and
 * the last job and buffer mapping of it are freed (each VM holds the DRM
 * device).  Fences of tlgpu pin the module (tlgpu_fence.c): rmmod fails
 * with EAGAIN while a sync file, syncobj or dma_resv still holds one.
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>

#include "tlgpu_drm.h"
#include "tlgpu_drv.h"

/*
 * DMA addresses reach the device as 64-bit register pairs and as page
 * table entries, which hold bits 51:12 of an address (TLGPU_PTE_ADDR_MASK):
 * the entries are the narrowest path.
 */
#define TLGPU_DMA_BITS		52

unsigned int tlgpu_timeout_ms = 2000;
module_param_named(timeout_ms, tlgpu_timeout_ms, uint, 0444);
MODULE_PARM_DESC(timeout_ms, "job timeout before a timeline reset, ms (read at probe)");

#ifndef TLGPU_HAVE_DRM_FILE_CLIENT_ID
/* drm-client-id of fdinfo: unique among all files of all tlgpu devices. */
static atomic64_t tlgpu_client_ids = ATOMIC64_INIT(0);
#endif

/**
 * tlgpu_device_reset() - full device reset
 * @tdev: device
 *
 * Stops every timeline, disables every address space and clears pending
 * interrupts.  The read back of the reset counter flushes the posted
 * write, so the reset is done when this returns.
 */
void tlgpu_device_reset(struct tlgpu_device *tdev)
{
	tlgpu_write(tdev, TLGPU_REG_RESET, TLGPU_RESET_MAGIC);
	tlgpu_read(tdev, TLGPU_REG_RESET_COUNT);
}

static int tlgpu_hw_init(struct tlgpu_device *tdev)
{
	struct device *dev = &tdev->pdev->dev;
	u32 id;

	id = tlgpu_read(tdev, TLGPU_REG_ID);
	if (id != TLGPU_ID_MAGIC) {
		dev_err(dev, "ID register is %#010x, expected %#010x\n",
			id, TLGPU_ID_MAGIC);
		return -ENODEV;
	}

	tdev->version = tlgpu_read(tdev, TLGPU_REG_VERSION);
	if (tdev->version >> 16 != TLGPU_VERSION_MAJOR) {
		dev_err(dev, "device version %u.%u, driver supports %u.x\n",
			tdev->version >> 16, tdev->version & 0xffff,
			TLGPU_VERSION_MAJOR);
		return -ENODEV;
	}

	tdev->caps = tlgpu_read(tdev, TLGPU_REG_CAPS);
	tdev->num_timelines = tlgpu_read(tdev, TLGPU_REG_NUM_TIMELINES);
	tdev->num_as = tlgpu_read(tdev, TLGPU_REG_NUM_AS);
	tdev->num_vectors = tlgpu_read(tdev, TLGPU_REG_NUM_VECTORS);

	if (tdev->num_timelines < 1 ||
	    tdev->num_timelines > TLGPU_MAX_TIMELINES) {
		dev_err(dev, "%u timelines, expected 1..%u\n",
			tdev->num_timelines, TLGPU_MAX_TIMELINES);
		return -ENODEV;
	}
	if (tdev->num_as < 1 || tdev->num_as > TLGPU_NUM_AS) {
		dev_err(dev, "%u address spaces, expected 1..%u\n",
			tdev->num_as, TLGPU_NUM_AS);
		return -ENODEV;
	}
	/* A vector per timeline, then the device vector. */
	if (tdev->num_vectors < tdev->num_timelines ||
	    tdev->num_vectors > tdev->num_timelines + 1) {
		dev_err(dev, "%u MSI-X vectors for %u timelines\n",
			tdev->num_vectors, tdev->num_timelines);
		return -ENODEV;
	}

	tlgpu_device_reset(tdev);
	tdev->reset_count_base = tlgpu_read(tdev, TLGPU_REG_RESET_COUNT);

	return 0;
}

static void tlgpu_file_release(struct kref *kref)
{
	struct tlgpu_file *tfile = container_of(kref, struct tlgpu_file,
						refcount);

	tlgpu_vm_put(tfile->vm);
	kfree(tfile->entities);
	mutex_destroy(&tfile->sched_lock);
	kfree(tfile);
}

void tlgpu_file_put(struct tlgpu_file *tfile)
{
	kref_put(&tfile->refcount, tlgpu_file_release);
}

static int tlgpu_open(struct drm_device *drm, struct drm_file *file)
{
	struct tlgpu_device *tdev = to_tlgpu_device(drm);
	struct tlgpu_file *tfile;
	unsigned int i;
	int ret;

	tfile = kzalloc(sizeof(*tfile), GFP_KERNEL);
	if (!tfile)
		return -ENOMEM;
	tfile->tdev = tdev;
	kref_init(&tfile->refcount);
	mutex_init(&tfile->sched_lock);
#ifdef TLGPU_HAVE_DRM_FILE_CLIENT_ID
	/* The core's, unique among all DRM files: fdinfo prints it. */
	tfile->client_id = file->client_id;
#else
	tfile->client_id = atomic64_inc_return(&tlgpu_client_ids);
#endif
	tfile->resets_at_open = atomic_read(&tdev->timeline_resets);

	tfile->entities = kcalloc(tdev->num_timelines,
				  sizeof(*tfile->entities), GFP_KERNEL);
	if (!tfile->entities) {
		ret = -ENOMEM;
		goto err_free;
	}
	tfile->vm = tlgpu_vm_create(tdev);
	if (IS_ERR(tfile->vm)) {
		ret = PTR_ERR(tfile->vm);
		tfile->vm = NULL;
		goto err_free;
	}
	for (i = 0; i < tdev->num_timelines; i++) {
		struct drm_gpu_scheduler *sched = &tdev->timelines[i].sched;

		ret = drm_sched_entity_init(&tfile->entities[i],
					    DRM_SCHED_PRIORITY_NORMAL,
					    &sched, 1, NULL);
		if (ret)
			goto err_entities;
	}
	file->driver_priv = tfile;
	return 0;

err_entities:
	while (i--)
		drm_sched_entity_destroy(&tfile->entities[i]);
err_free:
	tlgpu_file_put(tfile);
	return ret;
}

static void tlgpu_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct tlgpu_device *tdev = to_tlgpu_device(drm);
	struct tlgpu_file *tfile = file->driver_priv;
	unsigned int i;

	/* Waits for queued jobs to reach the device, fails the blocked ones. */
	for (i = 0; i < tdev->num_timelines; i++)
		drm_sched_entity_destroy(&tfile->entities[i]);
	/* The jobs still running keep the file's state alive. */
	tlgpu_file_put(tfile);
}

/*
 * @tfile's busy time on timeline @t: its completed jobs' time, plus the
 * time so far of its job at the head of the timeline, if one is: so the
 * value grows with the job, never by a whole job at once, and a sampling
 * tool never sees more than 100% of an interval.  Under the signal lock,
 * which moves a job's time from the second part to the first.
 */
static u64 tlgpu_file_busy_ns(struct tlgpu_file *tfile, unsigned int t)
{
	struct tlgpu_timeline *tl = &tfile->tdev->timelines[t];
	struct tlgpu_fence *head;
	unsigned long flags;
	u64 ns;

	spin_lock_irqsave(&tfile->tdev->signal_lock, flags);
	ns = atomic64_read(&tfile->busy_ns[t]);
	spin_lock(&tl->pending_lock);
	head = list_first_entry_or_null(&tl->pending, struct tlgpu_fence, link);
	if (head && head->busy == &tfile->busy_ns[t])
		ns += tlgpu_fence_busy_ns(head, ktime_get());
	spin_unlock(&tl->pending_lock);
	spin_unlock_irqrestore(&tfile->tdev->signal_lock, flags);
	return ns;
}

/*
 * fdinfo (Documentation/gpu/drm-usage-stats.rst).  Where the kernel has
 * drm_show_fdinfo() (6.5), the core prints drm-driver, drm-client-id,
 * drm-pdev and, from 6.14, the drm-client-name userspace set with
 * DRM_IOCTL_SET_CLIENT_NAME; tlgpu adds drm-engine-tl<t>, the time its
 * jobs ran on each timeline, and the core's memory stats (drm-total-,
 * drm-shared-, drm-active-, drm-resident-memory).  On 6.1 tlgpu prints the
 * same first keys and the engines itself.
 */
#ifdef TLGPU_HAVE_DRM_SHOW_FDINFO
static void tlgpu_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct tlgpu_device *tdev = to_tlgpu_device(file->minor->dev);
	struct tlgpu_file *tfile = file->driver_priv;
	unsigned int i;

	for (i = 0; i < tdev->num_timelines; i++)
		drm_printf(p, "drm-engine-tl%u:\t%llu ns\n", i,
			   tlgpu_file_busy_ns(tfile, i));
#ifdef TLGPU_HAVE_DRM_SHOW_MEMORY_STATS
	drm_show_memory_stats(p, file);
#endif
}
#else
static void tlgpu_show_fdinfo(struct seq_file *m, struct file *f)
{
	struct drm_file *file = f->private_data;
	struct tlgpu_device *tdev = to_tlgpu_device(file->minor->dev);
	struct tlgpu_file *tfile = file->driver_priv;
	unsigned int i;

	seq_printf(m, "drm-driver:\t%s\n", DRIVER_NAME);
	seq_printf(m, "drm-pdev:\t%s\n", pci_name(tdev->pdev));
	seq_printf(m, "drm-client-id:\t%llu\n", tfile->client_id);
	for (i = 0; i < tdev->num_timelines; i++)
		seq_printf(m, "drm-engine-tl%u:\t%llu ns\n", i,
			   tlgpu_file_busy_ns(tfile, i));
}
#endif

static const struct drm_ioctl_desc tlgpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(TLGPU_GET_PARAM, tlgpu_get_param_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(TLGPU_BO_CREATE, tlgpu_bo_create_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(TLGPU_BO_INFO, tlgpu_bo_info_ioctl,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(TLGPU_SUBMIT, tlgpu_submit_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(TLGPU_WAIT_BO, tlgpu_wait_bo_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(TLGPU_GET_RESET_STATUS, tlgpu_reset_status_ioctl,
			  DRM_RENDER_ALLOW),
};

static const struct file_operations tlgpu_fops = {
	.owner		= THIS_MODULE,
	.open		= drm_open,
	.release	= drm_release,
	.unlocked_ioctl	= drm_ioctl,
	.compat_ioctl	= drm_compat_ioctl,
	.poll		= drm_poll,
	.read		= drm_read,
	.llseek		= noop_llseek,
	.mmap		= drm_gem_mmap,
#ifdef TLGPU_HAVE_DRM_SHOW_FDINFO
	.show_fdinfo	= drm_show_fdinfo,
#else
	.show_fdinfo	= tlgpu_show_fdinfo,
#endif
#ifdef TLGPU_HAVE_FOP_UNSIGNED_OFFSET
	/* 6.12: DRM refuses to open files of fops without it (mmap offsets). */
	.fop_flags	= FOP_UNSIGNED_OFFSET,
#endif
};

static const struct drm_driver tlgpu_drm_driver = {
	.driver_features	= DRIVER_GEM | DRIVER_RENDER | DRIVER_SYNCOBJ |
				  DRIVER_SYNCOBJ_TIMELINE,
	.open			= tlgpu_open,
	.postclose		= tlgpu_postclose,
	.ioctls			= tlgpu_ioctls,
	.num_ioctls		= ARRAY_SIZE(tlgpu_ioctls),
	.fops			= &tlgpu_fops,
#ifdef TLGPU_HAVE_DRM_SHOW_FDINFO
	.show_fdinfo		= tlgpu_show_fdinfo,
#endif
	.gem_create_object	= tlgpu_gem_create_object,
	.prime_handle_to_fd	= drm_gem_prime_handle_to_fd,
	.prime_fd_to_handle	= drm_gem_prime_fd_to_handle,
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
#ifdef TLGPU_HAVE_DRM_GEM_PRIME_MMAP
	.gem_prime_mmap		= drm_gem_prime_mmap,
#endif
#ifdef CONFIG_DEBUG_FS
	.debugfs_init		= tlgpu_debugfs_init,
#endif

	.name			= DRIVER_NAME,
	.desc			= DRIVER_DESC,
#ifdef TLGPU_HAVE_DRM_DRIVER_DATE
	.date			= DRIVER_DATE,
#endif
	.major			= DRIVER_MAJOR,
	.minor			= DRIVER_MINOR,
	.patchlevel		= DRIVER_PATCHLEVEL,
};

static int tlgpu_pci_probe(struct pci_dev *pdev,
			   const struct pci_device_id *ent)
{
	struct tlgpu_device *tdev;
	int ret;

	tdev = devm_drm_dev_alloc(&pdev->dev, &tlgpu_drm_driver,
				  struct tlgpu_device, drm);
	if (IS_ERR(tdev))
		return PTR_ERR(tdev);
	tdev->pdev = pdev;
	pci_set_drvdata(pdev, tdev);

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	if (pci_resource_len(pdev, TLGPU_BAR_REGS) < TLGPU_BAR0_SIZE) {
		dev_err(&pdev->dev, "BAR%d is %llu bytes, expected %u\n",
			TLGPU_BAR_REGS,
			(unsigned long long)pci_resource_len(pdev, TLGPU_BAR_REGS),
			TLGPU_BAR0_SIZE);
		return -ENODEV;
	}
	ret = pcim_iomap_regions(pdev, BIT(TLGPU_BAR_REGS), DRIVER_NAME);
	if (ret)
		return ret;
	tdev->regs = pcim_iomap_table(pdev)[TLGPU_BAR_REGS];

	ret = tlgpu_hw_init(tdev);
	if (ret)
		return ret;

	/* Only once the reset stopped whatever a previous owner started. */
	pci_set_master(pdev);

	ret = dma_set_mask_and_coherent(&pdev->dev,
					DMA_BIT_MASK(TLGPU_DMA_BITS));
	if (ret) {
		dev_err(&pdev->dev, "no usable %d-bit DMA: %d\n",
			TLGPU_DMA_BITS, ret);
		return ret;
	}

	spin_lock_init(&tdev->as_lock);
	spin_lock_init(&tdev->as_fence_lock);
	tdev->as_fence_context = dma_fence_context_alloc(1);
	spin_lock_init(&tdev->signal_lock);
	INIT_LIST_HEAD(&tdev->vms);
	ret = drmm_mutex_init(&tdev->drm, &tdev->vm_lock);
	if (ret)
		goto err_reset;
	ret = drmm_mutex_init(&tdev->drm, &tdev->reset_lock);
	if (ret)
		goto err_reset;
	ret = tlgpu_coredump_init(tdev);
	if (ret)
		goto err_reset;
	ret = tlgpu_sched_init(tdev);
	if (ret)
		goto err_reset;

	ret = tlgpu_irq_init(tdev);
	if (ret)
		goto err_reset;

	ret = drm_dev_register(&tdev->drm, 0);
	if (ret)
		goto err_reset;

	drm_info(&tdev->drm, "tlgpu %u.%u: %u timelines, %u address spaces, caps %#x\n",
		 tdev->version >> 16, tdev->version & 0xffff,
		 tdev->num_timelines, tdev->num_as, tdev->caps);

	return 0;

err_reset:
	/* Nothing ran yet, but leave the device as quiet as we found it. */
	tlgpu_device_reset(tdev);
	return ret;
}

static void tlgpu_pci_remove(struct pci_dev *pdev)
{
	struct tlgpu_device *tdev = pci_get_drvdata(pdev);

	/*
	 * After this no ioctl is inside drm_dev_enter() and none can enter,
	 * so nothing but the interrupt handlers touches the registers.
	 */
	drm_dev_unplug(&tdev->drm);

	/*
	 * Fail the jobs on the device with -ENODEV; the schedulers fail
	 * those still queued, and stop at the device's release.
	 */
	tlgpu_sched_unplug(tdev);
	/* A dump on its way names the PCI function: before it goes. */
	flush_work(&tdev->coredump_work);

	/*
	 * Quiesce: no more DMA, no new interrupts.  devres then frees the
	 * interrupts (synchronizing with running handlers), the MSI-X
	 * vectors and the BAR mapping, in that order.
	 */
	tlgpu_device_reset(tdev);
}

static const struct pci_device_id tlgpu_pci_ids[] = {
	{ PCI_DEVICE(TLGPU_PCI_VENDOR_ID, TLGPU_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, tlgpu_pci_ids);

/*
 * Function-level reset (sysfs "reset", or the PCI core's): the device
 * forgets its rings and address spaces.  Park the schedulers before, and
 * afterwards program the device again and re-run what it dropped.
 */
static void tlgpu_pci_reset_prepare(struct pci_dev *pdev)
{
	struct tlgpu_device *tdev = pci_get_drvdata(pdev);
	int idx;

	/* The PCI core holds the device lock from here to reset_done. */
	if (drm_dev_enter(&tdev->drm, &idx)) {
		tlgpu_sched_reset_prepare(tdev);
		tdev->flr_prepared = true;
		drm_dev_exit(idx);
	}
}

static void tlgpu_pci_reset_done(struct pci_dev *pdev)
{
	struct tlgpu_device *tdev = pci_get_drvdata(pdev);
	int idx;

	if (!tdev->flr_prepared)
		return;
	tdev->flr_prepared = false;
	if (drm_dev_enter(&tdev->drm, &idx)) {
		tlgpu_sched_reset_done(tdev);
		drm_dev_exit(idx);
	} else {
		mutex_unlock(&tdev->reset_lock);
	}
}

static const struct pci_error_handlers tlgpu_pci_err_handlers = {
	.reset_prepare	= tlgpu_pci_reset_prepare,
	.reset_done	= tlgpu_pci_reset_done,
};

static struct pci_driver tlgpu_pci_driver = {
	.name		= DRIVER_NAME,
	.id_table	= tlgpu_pci_ids,
	.probe		= tlgpu_pci_probe,
	.remove		= tlgpu_pci_remove,
	.err_handler	= &tlgpu_pci_err_handlers,
};
/* Unmapping and VM-freeing work; drained before the module goes. */
struct workqueue_struct *tlgpu_wq;

static int __init tlgpu_init(void)
{
	int ret;

	tlgpu_wq = alloc_workqueue("tlgpu", WQ_UNBOUND, 0);
	if (!tlgpu_wq)
		return -ENOMEM;
	ret = pci_register_driver(&tlgpu_pci_driver);
	if (ret)
		destroy_workqueue(tlgpu_wq);
	return ret;
}

static void __exit tlgpu_exit(void)
{
	pci_unregister_driver(&tlgpu_pci_driver);
	/* Drains the last VM puts, and with them the devices' releases. */
	destroy_workqueue(tlgpu_wq);
	/* Hardware fences and jobs are freed, and drop the module, in RCU callbacks. */
	rcu_barrier();
	/*
	 * A job's free (gpu-sched's free_job, e.g. from the system workqueue
	 * for a job killed at file close) may have queued the callback that
	 * dropped the last module reference and been preempted before it
	 * returned out of tlgpu's code: wait until every task has been through
	 * a voluntary context switch, so no task is left in this module's text.
	 */
	synchronize_rcu_tasks();
}

module_init(tlgpu_init);
module_exit(tlgpu_exit);

MODULE_AUTHOR("tlgpu authors");
MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_LICENSE("Dual MIT/GPL");
