// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: GEM buffers.
 */

/**
 * DOC: tlgpu buffers
 *
 * Buffers are shmem GEM objects (drm_gem_shmem_helper), created with
 * DRM_IOCTL_TLGPU_BO_CREATE or imported from another device's dma-buf
 * through PRIME.  Both kinds are mapped into a file's GPU address space
 * by the GEM open callback, when the file gets its handle.  The mapping is
 * refcounted: the handle holds a reference until it is closed, and each
 * job listing the buffer holds one until the job is freed; the last one
 * unmaps (tlgpu_mmu.c) from a work item, and a mapping holds a reference
 * to its buffer, so the pages outlive every mapping.  A buffer has a
 * mapping per file that holds a handle, so two files of the device, or a
 * buffer shared with another device, each see it at their own address.
 *
 * Exported buffers use the PRIME helpers; their dma_resv is the one the
 * jobs add their fences to, so implicit synchronization crosses devices.
 */

#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_prime.h>

#include "tlgpu_drv.h"

/* The mapping of @bo in @vm, or NULL; bo->lock held. */
static struct tlgpu_mapping *tlgpu_bo_find_mapping(struct tlgpu_bo *bo,
						   struct tlgpu_vm *vm)
{
	struct tlgpu_mapping *map;

	list_for_each_entry(map, &bo->mappings, link)
		if (map->vm == vm)
			return map;
	return NULL;
}

/**
 * tlgpu_bo_mapping_get() - a reference to @bo's mapping in @vm
 * @bo: buffer
 * @vm: VM of the caller's file
 *
 * Return: the mapping, or NULL if the file holds no handle for @bo (any
 * more).
 */
struct tlgpu_mapping *tlgpu_bo_mapping_get(struct tlgpu_bo *bo,
					   struct tlgpu_vm *vm)
{
	struct tlgpu_mapping *map;

	mutex_lock(&bo->lock);
	map = tlgpu_bo_find_mapping(bo, vm);
	if (map)
		kref_get(&map->refcount);
	mutex_unlock(&bo->lock);
	return map;
}

/* Unmapped: the buffer reference goes, then the mapping. */
static void tlgpu_mapping_destroy(struct tlgpu_mapping *map)
{
	drm_gem_object_put(&map->bo->base.base);
	kfree(map);
}

static void tlgpu_mapping_free_work(struct work_struct *work)
{
	struct tlgpu_mapping *map = container_of(work, struct tlgpu_mapping,
						 free_work);

	tlgpu_vm_unmap(map);
	tlgpu_mapping_destroy(map);
}

static void tlgpu_mapping_release(struct kref *kref)
{
	struct tlgpu_mapping *map = container_of(kref, struct tlgpu_mapping,
						 refcount);

	/* Unmapping waits for the device: never in free_job's context. */
	queue_work(tlgpu_wq, &map->free_work);
}

/* Drop a job's reference: any context. */
void tlgpu_mapping_put(struct tlgpu_mapping *map)
{
	if (map)
		kref_put(&map->refcount, tlgpu_mapping_release);
}

/*
 * The last reference goes with the handle, in the ioctl: the address stops
 * working now (its entries are cleared).  With none of the VM's jobs on
 * the device the buffer goes now too; otherwise the unmap, which waits
 * for those jobs, completes in the background.  GEM_CLOSE and close()
 * never wait for the device.
 */
static void tlgpu_mapping_release_close(struct kref *kref)
{
	struct tlgpu_mapping *map = container_of(kref, struct tlgpu_mapping,
						 refcount);

	if (tlgpu_vm_unmap_begin(map)) {
		tlgpu_vm_unmap_end(map);
		tlgpu_mapping_destroy(map);
	} else {
		queue_work(tlgpu_wq, &map->free_work);
	}
}

/*
 * A new handle of @file for @obj.  A file may hold several handles to one
 * buffer (GEM_OPEN of a flink name it already has a handle for, a PRIME
 * import is deduplicated but GEM_OPEN is not): they share one mapping,
 * which counts them.
 */
static int tlgpu_gem_open(struct drm_gem_object *obj, struct drm_file *file)
{
	struct tlgpu_file *tfile = file->driver_priv;
	struct tlgpu_bo *bo = to_tlgpu_bo(obj);
	struct tlgpu_mapping *map, *old;
	int ret;

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	kref_init(&map->refcount);
	INIT_WORK(&map->free_work, tlgpu_mapping_free_work);
	map->handles = 1;

	mutex_lock(&bo->lock);
	old = tlgpu_bo_find_mapping(bo, tfile->vm);
	if (old) {
		old->handles++;
		mutex_unlock(&bo->lock);
		kfree(map);
		return 0;
	}
	ret = tlgpu_vm_map(tfile->vm, bo, map);
	if (ret)
		goto err_unlock;
	drm_gem_object_get(obj);
	map->bo = bo;
	list_add_tail(&map->link, &bo->mappings);
	mutex_unlock(&bo->lock);
	return 0;

err_unlock:
	mutex_unlock(&bo->lock);
	kfree(map);
	return ret;
}

/*
 * A handle goes; with the file's last handle of the buffer, its mapping
 * goes once the jobs listing it are done.
 */
static void tlgpu_gem_close(struct drm_gem_object *obj, struct drm_file *file)
{
	struct tlgpu_file *tfile = file->driver_priv;
	struct tlgpu_bo *bo = to_tlgpu_bo(obj);
	struct tlgpu_mapping *map;

	mutex_lock(&bo->lock);
	map = tlgpu_bo_find_mapping(bo, tfile->vm);
	if (map && --map->handles)
		map = NULL;	/* another handle of the file keeps it */
	if (map)
		list_del_init(&map->link);
	mutex_unlock(&bo->lock);
	/*
	 * If no job holds the mapping, the address faults from the moment
	 * GEM_CLOSE returns; else once the last job listing it is freed.
	 */
	if (map)
		kref_put(&map->refcount, tlgpu_mapping_release_close);
}

static void tlgpu_gem_free(struct drm_gem_object *obj)
{
	struct tlgpu_bo *bo = to_tlgpu_bo(obj);

	/* Mappings hold references: none can be left. */
	WARN_ON(!list_empty(&bo->mappings));
	mutex_destroy(&bo->lock);
	drm_gem_shmem_free(&bo->base);
}

#ifdef TLGPU_HAVE_GEM_OBJECT_STATUS
/*
 * fdinfo's memory stats (drm_show_memory_stats()): resident while the
 * buffer has its pages, from its first mapping into a VM until it is
 * freed; an imported buffer's are its exporter's.  Called under the file's
 * table_lock: it only reads.
 */
static enum drm_gem_object_status tlgpu_gem_status(struct drm_gem_object *obj)
{
	if (obj->import_attach || READ_ONCE(to_drm_gem_shmem_obj(obj)->pages))
		return DRM_GEM_OBJECT_RESIDENT;
	return 0;
}
#endif

static const struct drm_gem_object_funcs tlgpu_gem_funcs = {
	.free = tlgpu_gem_free,
	.open = tlgpu_gem_open,
	.close = tlgpu_gem_close,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
#ifdef TLGPU_HAVE_GEM_OBJECT_STATUS
	.status = tlgpu_gem_status,
#endif
};

/**
 * tlgpu_gem_create_object() - &drm_driver.gem_create_object
 * @drm: device
 * @size: size
 *
 * Allocates a &struct tlgpu_bo for the shmem helpers, for created and
 * imported buffers alike.
 *
 * Return: its GEM object, or an ERR_PTR.
 */
struct drm_gem_object *tlgpu_gem_create_object(struct drm_device *drm,
					       size_t size)
{
	struct tlgpu_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	mutex_init(&bo->lock);
	INIT_LIST_HEAD(&bo->mappings);
	bo->base.base.funcs = &tlgpu_gem_funcs;
	bo->base.map_wc = false;
	return &bo->base.base;
}

/**
 * tlgpu_bo_create_ioctl() - DRM_IOCTL_TLGPU_BO_CREATE
 * @drm: device
 * @data: &struct drm_tlgpu_bo_create
 * @file: caller
 *
 * Creates a zeroed shmem buffer of @size bytes (rounded up to pages),
 * mapped into the caller's GPU address space, and returns a handle.
 *
 * Return: 0, or -EINVAL (size 0 or above DRM_TLGPU_MAX_BO_SIZE, flags),
 * -ENOSPC (no room in the GPU address space), -ENOMEM, -ENODEV.
 */
int tlgpu_bo_create_ioctl(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct drm_tlgpu_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	int ret;

	if (args->flags || !args->size || args->size > DRM_TLGPU_MAX_BO_SIZE)
		return -EINVAL;

	shmem = drm_gem_shmem_create(drm, args->size);
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);

	/* Maps the buffer through tlgpu_gem_open(). */
	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	drm_gem_object_put(&shmem->base);
	return ret;
}

/**
 * tlgpu_bo_info_ioctl() - DRM_IOCTL_TLGPU_BO_INFO
 * @drm: device
 * @data: &struct drm_tlgpu_bo_info
 * @file: caller
 *
 * Reports the size, the mmap offset and the GPU virtual address of a
 * buffer in the caller's address space.
 *
 * Return: 0, or -EINVAL (non-zero pad), -ENOENT (no such handle), -ENOMEM.
 */
int tlgpu_bo_info_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	struct tlgpu_file *tfile = file->driver_priv;
	struct drm_tlgpu_bo_info *args = data;
	struct tlgpu_mapping *map;
	struct drm_gem_object *obj;
	struct tlgpu_bo *bo;
	int ret;

	if (args->pad)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	bo = to_tlgpu_bo(obj);

	ret = drm_gem_create_mmap_offset(obj);
	if (ret)
		goto out_put;

	mutex_lock(&bo->lock);
	map = tlgpu_bo_find_mapping(bo, tfile->vm);
	if (map) {
		args->size = obj->size;
		args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
		args->gpu_va = map->node.start;
	} else {
		ret = -ENOENT;	/* handle being closed right now */
	}
	mutex_unlock(&bo->lock);

out_put:
	drm_gem_object_put(obj);
	return ret;
}
