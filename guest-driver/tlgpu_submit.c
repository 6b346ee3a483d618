// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: job submission, buffer waits and reset status.
 */

/**
 * DOC: tlgpu submission
 *
 * DRM_IOCTL_TLGPU_SUBMIT follows the order of v3d_gem.c: check the
 * arguments, copy and check the commands, look up the buffers and the out
 * syncobjs (so nothing can fail once the job is queued), initialize the
 * job, add the explicit dependencies, lock the buffers' reservations and
 * reserve fence slots, add the implicit dependencies, arm and push the job
 * under the file's scheduler lock, add the job's fence to the
 * reservations, and install it in the out syncobjs and the out sync_file.
 *
 * Every dependency is flattened with dma_fence_unwrap before it is
 * recorded, so containers (dma_fence_array, dma_fence_chain) coming from
 * sync files, timeline syncobjs or dma_resv are never nested into new
 * ones; the only container the driver builds is the dma_fence_chain of a
 * timeline syncobj point, around the job's own fence.
 */

#include <linux/dma-fence-array.h>
#include <linux/dma-fence-unwrap.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_utils.h>

#include "tlgpu_drv.h"
#include "tlgpu_trace.h"

/*
 * Most fence contexts (files' queues) of this device one job records as
 * device dependencies (tlgpu_job_dependency() turns up to TLGPU_MAX_WAITS
 * of them into device-side WAITs and has the scheduler wait for the
 * rest); the dependencies beyond are scheduler dependencies from the
 * start, as those of other devices are.
 */
#define TLGPU_MAX_DEV_DEPS	1024

/*
 * The job's references to the module and its timelines go last, after a
 * grace period: the module's exit waits for the callback (rcu_barrier()),
 * and for tasks still returning from a job's free (synchronize_rcu_tasks()).
 */
static void tlgpu_job_free_rcu(struct rcu_head *rcu)
{
	struct tlgpu_job *job = container_of(rcu, struct tlgpu_job, rcu);

	tlgpu_timelines_put(job->tl->set);
	kfree(job);
	module_put(THIS_MODULE);
}

void tlgpu_job_cleanup(struct tlgpu_job *job)
{
	u32 i;

	for (i = 0; i < job->bo_count; i++) {
		tlgpu_mapping_put(job->mappings[i]);
		drm_gem_object_put(job->bos[i]);
	}
	kvfree(job->mappings);
	kvfree(job->bos);
	for (i = 0; i < job->dev_dep_count; i++)
		dma_fence_put(job->dev_deps[i]);
	kvfree(job->dev_deps);
	if (job->hw_fence_init)
		dma_fence_put(&job->hw_fence->base);
	else if (job->hw_fence)
		tlgpu_fence_free(job->hw_fence);
	kvfree(job->cmds);
	tlgpu_vm_put(job->vm);
	tlgpu_file_put(job->file);
	call_rcu(&job->rcu, tlgpu_job_free_rcu);
}

/* Whole commands, each allowed to userspace, filling exactly @n dwords. */
static int tlgpu_check_cmds(const u32 *cmds, u32 n)
{
	u32 i = 0;

	while (i < n) {
		u32 op = TLGPU_CMD_OP(cmds[i]), len = TLGPU_CMD_NDW(cmds[i]);

		if (len < 2 || (len & 1) || len > TLGPU_CMD_MAX_DW ||
		    len > n - i || TLGPU_CMD_FLAGS(cmds[i]))
			return -EINVAL;
		switch (op) {
		case TLGPU_OP_NOP:
			break;
		case TLGPU_OP_FILL:
		case TLGPU_OP_COPY:
		case TLGPU_OP_CHECKSUM:
		case TLGPU_OP_DELAY:
		case TLGPU_OP_STORE:
			if (len != tlgpu_cmd_ndw(op))
				return -EINVAL;
			break;
		default:
			/* SET_AS, WAIT and FENCE are the driver's; others unknown. */
			return -EINVAL;
		}
		i += len;
	}
	return 0;
}

/*
 * Record @f as a dependency the device may wait for (a finished fence of
 * one of this device's jobs): one per fence context, the latest, as the
 * scheduler does.  Returns 1 when there is no room for another context.
 */
static int tlgpu_job_add_dev_dep(struct tlgpu_job *job, struct dma_fence *f)
{
	u32 i;

	for (i = 0; i < job->dev_dep_count; i++) {
		struct dma_fence *old = job->dev_deps[i];

		if (old->context != f->context)
			continue;
		if (dma_fence_is_later(f, old)) {
			job->dev_deps[i] = dma_fence_get(f);
			dma_fence_put(old);
		}
		return 0;
	}
	if (job->dev_dep_count == TLGPU_MAX_DEV_DEPS)
		return 1;
	if (!(job->dev_dep_count & (job->dev_dep_count - 1))) {
		u32 n = max(8u, job->dev_dep_count * 2);
		struct dma_fence **deps;

		deps = tlgpu_kvrealloc(job->dev_deps,
				 job->dev_dep_count * sizeof(*deps),
				 n * sizeof(*deps), GFP_KERNEL);
		if (!deps)
			return -ENOMEM;
		job->dev_deps = deps;
	}
	job->dev_deps[job->dev_dep_count++] = dma_fence_get(f);
	return 0;
}

/*
 * The device dependencies are waited for by tlgpu_job_dependency(), which
 * 6.1's drm_sched_entity_kill_jobs() calls as well for a job killed when
 * its file closes; since 6.2 the kill only waits for the job's own
 * dependencies.  There each device dependency's scheduled fence is one
 * too (the scheduler waits for that anyway before the driver's hook, and
 * a killed job's wait on a scheduled fence becomes one on the finished
 * fence), so a killed job is never done before what it depended on.
 */
static int tlgpu_job_kill_deps(struct tlgpu_job *job)
{
#ifdef TLGPU_HAVE_SCHED_PREPARE_JOB
	u32 i;
	int ret;

	for (i = 0; i < job->dev_dep_count; i++) {
		struct drm_sched_fence *s_fence =
			to_drm_sched_fence(job->dev_deps[i]);

		ret = drm_sched_job_add_dependency(&job->base,
						   dma_fence_get(&s_fence->scheduled));
		if (ret)
			return ret;
	}
#endif
	return 0;
}

/*
 * Record one dependency (consumes the reference), flattening containers.
 * On an error every reference taken so far is given back with the job.
 */
static int tlgpu_job_add_dep(struct tlgpu_job *job, struct dma_fence *fence)
{
	struct tlgpu_device *tdev = job->tl->tdev;
	struct dma_fence_unwrap iter;
	struct dma_fence *f;
	int ret = 0;

#ifdef TLGPU_BREAK_NESTED_DEPS
	/*
	 * Deliberately broken: a container is not flattened but wrapped, as
	 * it is, in a new dma_fence_array that the scheduler waits for.
	 */
	if (dma_fence_is_container(fence)) {
		struct dma_fence_array *array;
		struct dma_fence **fences;

		fences = kmalloc_array(1, sizeof(*fences), GFP_KERNEL);
		if (!fences) {
			dma_fence_put(fence);
			return -ENOMEM;
		}
		fences[0] = fence;
		array = tlgpu_fence_array_create(1, fences,
						 dma_fence_context_alloc(1), 1);
		if (!array) {
			kfree(fences);
			dma_fence_put(fence);
			return -ENOMEM;
		}
		return drm_sched_job_add_dependency(&job->base, &array->base);
	}
#endif
	dma_fence_unwrap_for_each(f, &iter, fence) {
		if (dma_fence_is_signaled(f))
			continue;
		ret = tlgpu_job_dev_dep(tdev, f) ? tlgpu_job_add_dev_dep(job, f)
						  : 1;
		if (ret == 1)	/* a fence the scheduler waits for */
			ret = drm_sched_job_add_dependency(&job->base,
							   dma_fence_get(f));
		if (ret) {
			/* Leaving the walk early: its reference is ours. */
			dma_fence_put(iter.chain);
			break;
		}
	}
	dma_fence_put(fence);
	return ret;
}

static int tlgpu_lookup_bos(struct drm_file *file,
			    struct drm_tlgpu_submit *args,
			    struct tlgpu_job *job, u32 **flags_out)
{
	struct drm_tlgpu_bo_ref *refs;
	struct tlgpu_mapping *map;
	struct drm_gem_object *obj;
	u32 *flags;
	u32 i, j;
	int ret = 0;

	*flags_out = NULL;
	if (!args->bo_count)
		return 0;

	refs = vmemdup_user(u64_to_user_ptr(args->bos),
			    array_size(args->bo_count, sizeof(*refs)));
	if (IS_ERR(refs))
		return PTR_ERR(refs);

	job->bos = kvcalloc(args->bo_count, sizeof(*job->bos), GFP_KERNEL);
	job->mappings = kvcalloc(args->bo_count, sizeof(*job->mappings),
				 GFP_KERNEL);
	flags = kvcalloc(args->bo_count, sizeof(*flags), GFP_KERNEL);
	if (!job->bos || !job->mappings || !flags) {
		ret = -ENOMEM;
		goto out;
	}

	for (i = 0; i < args->bo_count; i++) {
		u32 f = refs[i].flags;

		if (!f || (f & ~(DRM_TLGPU_BO_READ | DRM_TLGPU_BO_WRITE))) {
			ret = -EINVAL;
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (refs[j].handle == refs[i].handle) {
				ret = -EINVAL;
				goto out;
			}
		}
		obj = drm_gem_object_lookup(file, refs[i].handle);
		if (!obj) {
			ret = -ENOENT;
			goto out;
		}
		/* Keeps the buffer mapped for the job, handle closed or not. */
		map = tlgpu_bo_mapping_get(to_tlgpu_bo(obj), job->vm);
		if (!map) {
			drm_gem_object_put(obj);
			ret = -ENOENT;
			goto out;
		}
		job->bos[i] = obj;
		job->mappings[i] = map;
		job->bo_count = i + 1;
		flags[i] = f;
	}
	*flags_out = flags;
	flags = NULL;
out:
	kvfree(flags);
	kvfree(refs);
	return ret;
}

/* Out syncobjs, looked up (and their chain nodes allocated) up front. */
struct tlgpu_out_sync {
	struct drm_syncobj *syncobj;
	struct dma_fence_chain *chain;
	u64 point;
};

static void tlgpu_put_out_syncs(struct tlgpu_out_sync *outs, u32 count)
{
	u32 i;

	for (i = 0; outs && i < count; i++) {
		if (outs[i].syncobj)
			drm_syncobj_put(outs[i].syncobj);
		dma_fence_chain_free(outs[i].chain);
	}
	kvfree(outs);
}

static int tlgpu_lookup_out_syncs(struct drm_file *file,
				  struct drm_tlgpu_submit *args,
				  struct tlgpu_out_sync **outs_out)
{
	struct drm_tlgpu_sync *syncs;
	struct tlgpu_out_sync *outs;
	u32 i;
	int ret = 0;

	*outs_out = NULL;
	if (!args->out_sync_count)
		return 0;

	syncs = vmemdup_user(u64_to_user_ptr(args->out_syncs),
			     array_size(args->out_sync_count, sizeof(*syncs)));
	if (IS_ERR(syncs))
		return PTR_ERR(syncs);
	outs = kvcalloc(args->out_sync_count, sizeof(*outs), GFP_KERNEL);
	if (!outs) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < args->out_sync_count; i++) {
		if (syncs[i].flags) {
			ret = -EINVAL;
			break;
		}
		outs[i].syncobj = drm_syncobj_find(file, syncs[i].handle);
		if (!outs[i].syncobj) {
			ret = -ENOENT;
			break;
		}
		outs[i].point = syncs[i].point;
		if (syncs[i].point) {
			outs[i].chain = dma_fence_chain_alloc();
			if (!outs[i].chain) {
				ret = -ENOMEM;
				break;
			}
		}
	}
	if (ret)
		tlgpu_put_out_syncs(outs, args->out_sync_count);
	else
		*outs_out = outs;
out:
	kvfree(syncs);
	return ret;
}

static int tlgpu_add_in_syncs(struct drm_file *file,
			      struct drm_tlgpu_submit *args,
			      struct tlgpu_job *job)
{
	struct drm_tlgpu_sync *syncs;
	struct dma_fence *fence;
	u32 i;
	int ret = 0;

	if (args->in_sync_count) {
		syncs = vmemdup_user(u64_to_user_ptr(args->in_syncs),
				     array_size(args->in_sync_count,
						sizeof(*syncs)));
		if (IS_ERR(syncs))
			return PTR_ERR(syncs);
		for (i = 0; i < args->in_sync_count && !ret; i++) {
			if (syncs[i].flags) {
				ret = -EINVAL;
				break;
			}
			ret = drm_syncobj_find_fence(file, syncs[i].handle,
						     syncs[i].point, 0, &fence);
			/* The core says -EINVAL for "no fence (at that point)". */
			if (ret == -EINVAL)
				ret = -ENOENT;
			if (!ret)
				ret = tlgpu_job_add_dep(job, fence);
		}
		kvfree(syncs);
		if (ret)
			return ret;
	}

	if (args->flags & DRM_TLGPU_SUBMIT_FENCE_IN) {
		fence = sync_file_get_fence(args->in_fence_fd);
		if (!fence)
			return -EINVAL;
		ret = tlgpu_job_add_dep(job, fence);
	}
	return ret;
}

static int tlgpu_add_implicit_deps(struct tlgpu_job *job, const u32 *flags)
{
	u32 i;
	int ret;

	for (i = 0; i < job->bo_count; i++) {
		struct dma_resv *resv = job->bos[i]->resv;
		bool write = flags[i] & DRM_TLGPU_BO_WRITE;
		struct dma_resv_iter cursor;
		struct dma_fence *fence;

		ret = dma_resv_reserve_fences(resv, 1);
		if (ret)
			return ret;
		/* A writer waits for everyone, a reader for the writers. */
		dma_resv_for_each_fence(&cursor, resv, dma_resv_usage_rw(write),
					fence) {
			ret = tlgpu_job_add_dep(job, dma_fence_get(fence));
			if (ret)
				return ret;
		}
	}
	return 0;
}

/**
 * tlgpu_submit_ioctl() - DRM_IOCTL_TLGPU_SUBMIT
 * @drm: device
 * @data: &struct drm_tlgpu_submit
 * @file: caller
 *
 * Queues one job; see &struct drm_tlgpu_submit for the semantics.
 *
 * Return: 0, or
 *  - -EINVAL: non-zero @extensions, unknown @flags, @timeline out of
 *    range, @cmd_dwords 0 or above DRM_TLGPU_MAX_CMD_DWORDS, a command
 *    that is malformed, flagged, unknown or one of SET_AS/WAIT/FENCE, a
 *    count above DRM_TLGPU_MAX_BOS/DRM_TLGPU_MAX_SYNCS, a buffer with no
 *    or unknown access flags or listed twice, a sync with flags, or an
 *    @in_fence_fd that is not a sync_file (with
 *    DRM_TLGPU_SUBMIT_FENCE_IN);
 *  - -ENOENT: unknown buffer or syncobj handle, or an in syncobj (point)
 *    without a fence;
 *  - -EFAULT: an array cannot be read;
 *  - -EMFILE: no file descriptor left for @out_fence_fd;
 *  - -ENOMEM, -EINTR/-ERESTARTSYS (locking the reservations), -ENODEV.
 */
int tlgpu_submit_ioctl(struct drm_device *drm, void *data,
		       struct drm_file *file)
{
	struct tlgpu_device *tdev = to_tlgpu_device(drm);
	struct tlgpu_file *tfile = file->driver_priv;
	struct drm_tlgpu_submit *args = data;
	bool implicit = !(args->flags & DRM_TLGPU_SUBMIT_NO_IMPLICIT);
	struct tlgpu_out_sync *outs = NULL;
	struct sync_file *sync_file = NULL;
	struct ww_acquire_ctx acquire_ctx;
	struct dma_fence *finished, *stub;
	struct tlgpu_job *job;
	bool sched_init = false, locked = false;
	int out_fd = -1;
	u32 *flags = NULL;
	u32 i;
	int ret;

	if (args->extensions || (args->flags & ~DRM_TLGPU_SUBMIT_FLAGS) ||
	    args->timeline >= tdev->num_timelines || !args->cmd_dwords ||
	    args->cmd_dwords > DRM_TLGPU_MAX_CMD_DWORDS ||
	    args->bo_count > DRM_TLGPU_MAX_BOS ||
	    args->in_sync_count > DRM_TLGPU_MAX_SYNCS ||
	    args->out_sync_count > DRM_TLGPU_MAX_SYNCS)
		return -EINVAL;
	/* Wedged: nothing would run (tlgpu_device_wedge()). */
	if (READ_ONCE(tdev->wedged))
		return -EIO;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	kref_get(&tfile->refcount);
	job->file = tfile;
	job->vm = tlgpu_vm_get(tfile->vm);
	job->tl = &tdev->timelines[args->timeline];
	kref_get(&job->tl->set->refcount);
	__module_get(THIS_MODULE);	/* the ioctl's file holds it too */
	job->cmd_dwords = args->cmd_dwords;

	job->hw_fence = tlgpu_fence_alloc(job->tl);
	if (!job->hw_fence) {
		ret = -ENOMEM;
		goto err_job;
	}
	job->cmds = vmemdup_user(u64_to_user_ptr(args->cmds),
				 array_size(args->cmd_dwords, sizeof(u32)));
	if (IS_ERR(job->cmds)) {
		ret = PTR_ERR(job->cmds);
		job->cmds = NULL;
		goto err_job;
	}
	ret = tlgpu_check_cmds(job->cmds, job->cmd_dwords);
	if (ret)
		goto err_job;

	ret = tlgpu_lookup_bos(file, args, job, &flags);
	if (ret)
		goto err_job;
	ret = tlgpu_lookup_out_syncs(file, args, &outs);
	if (ret)
		goto err_job;

	ret = tlgpu_sched_job_init(&job->base, &tfile->entities[args->timeline],
				   tfile, tfile->client_id);
	if (ret)
		goto err_job;
	sched_init = true;

	ret = tlgpu_add_in_syncs(file, args, job);
	if (ret)
		goto err_job;

	if (job->bo_count) {
		ret = drm_gem_lock_reservations(job->bos, job->bo_count,
						&acquire_ctx);
		if (ret)
			goto err_job;
		locked = true;
		if (implicit) {
			ret = tlgpu_add_implicit_deps(job, flags);
			if (ret)
				goto err_job;
		}
	}

	ret = tlgpu_job_kill_deps(job);
	if (ret)
		goto err_job;

	/*
	 * Everything that can fail comes before drm_sched_job_arm(), the
	 * scheduler's point of no return.  The finished fence is initialized
	 * only by the arm, so the sync file is made around a signalled stub
	 * and gets the job's fence once armed, before anyone can see it.
	 */
	if (args->flags & DRM_TLGPU_SUBMIT_FENCE_OUT) {
		out_fd = get_unused_fd_flags(O_CLOEXEC);
		if (out_fd < 0) {
			ret = out_fd;
			goto err_job;
		}
		stub = dma_fence_get_stub();
		sync_file = sync_file_create(stub);	/* its own reference */
		dma_fence_put(stub);
		if (!sync_file) {
			ret = -ENOMEM;
			goto err_job;
		}
	}

	mutex_lock(&tfile->sched_lock);
	drm_sched_job_arm(&job->base);
	finished = dma_fence_get(&job->base.s_fence->finished);
	if (sync_file) {
		stub = sync_file->fence;
		sync_file->fence = dma_fence_get(finished);
		dma_fence_put(stub);
	}
	trace_tlgpu_submit(tdev, args->timeline, finished->context,
			   finished->seqno);

	/*
	 * Publish the fence in the reservations and drop their locks before
	 * the push: once pushed, the job may run, finish and be freed at
	 * any moment, and with it job->bos.
	 */
	if (locked) {
		for (i = 0; implicit && i < job->bo_count; i++) {
			dma_resv_add_fence(job->bos[i]->resv, finished,
					   (flags[i] & DRM_TLGPU_BO_WRITE) ?
					   DMA_RESV_USAGE_WRITE :
					   DMA_RESV_USAGE_READ);
#ifdef TLGPU_BREAK_RESV_NO_REF
			/* Deliberately broken: the reservation's reference. */
			dma_fence_put(finished);
#endif
		}
		drm_gem_unlock_reservations(job->bos, job->bo_count,
					    &acquire_ctx);
	}
	drm_sched_entity_push_job(&job->base);
	mutex_unlock(&tfile->sched_lock);
	/* The scheduler owns the job now: don't touch it again. */

	for (i = 0; i < args->out_sync_count; i++) {
		if (outs[i].chain) {
			drm_syncobj_add_point(outs[i].syncobj, outs[i].chain,
					      finished, outs[i].point);
			outs[i].chain = NULL;	/* consumed */
		} else {
			drm_syncobj_replace_fence(outs[i].syncobj, finished);
		}
	}
	tlgpu_put_out_syncs(outs, args->out_sync_count);
	kvfree(flags);

	args->seqno = finished->seqno;
	args->out_fence_fd = out_fd;
	if (sync_file)
		fd_install(out_fd, sync_file->file);
	dma_fence_put(finished);
	return 0;

err_job:
	if (sync_file)
		fput(sync_file->file);
	if (out_fd >= 0)
		put_unused_fd(out_fd);
	if (locked)
		drm_gem_unlock_reservations(job->bos, job->bo_count,
					    &acquire_ctx);
	tlgpu_put_out_syncs(outs, args->out_sync_count);
	kvfree(flags);
	if (sched_init)
		drm_sched_job_cleanup(&job->base);
	tlgpu_job_cleanup(job);
	return ret;
}

/**
 * tlgpu_wait_bo_ioctl() - DRM_IOCTL_TLGPU_WAIT_BO
 * @drm: device
 * @data: &struct drm_tlgpu_wait_bo
 * @file: caller
 *
 * Waits for the buffer's fences (all, or the writers' only) until the
 * absolute CLOCK_MONOTONIC @timeout_ns; 0 or a past time only tests.
 *
 * Return: 0 with @error set to the first error among the fences, or
 * -EINVAL (unknown flags, non-zero pad), -ENOENT (unknown handle), -ETIME
 * (not idle in time), -ERESTARTSYS.
 */
int tlgpu_wait_bo_ioctl(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	struct drm_tlgpu_wait_bo *args = data;
	enum dma_resv_usage usage;
	struct dma_resv_iter cursor;
	struct drm_gem_object *obj;
	struct dma_fence *fence;
	signed long timeout;
	int ret = 0, err = 0;

	if ((args->flags & ~DRM_TLGPU_WAIT_WRITERS) || args->pad)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	usage = (args->flags & DRM_TLGPU_WAIT_WRITERS) ? DMA_RESV_USAGE_WRITE :
							 DMA_RESV_USAGE_READ;
	timeout = args->timeout_ns > 0 ?
		  drm_timeout_abs_to_jiffies(args->timeout_ns) : 0;
	if (!timeout) {
		if (!dma_resv_test_signaled(obj->resv, usage))
			ret = -ETIME;
	} else {
		timeout = dma_resv_wait_timeout(obj->resv, usage, true,
						timeout);
		if (timeout == 0)
			ret = -ETIME;
		else if (timeout < 0)
			ret = timeout;
	}

	/* Signalled fences stay in the reservation: look at them all. */
	if (!ret)
		ret = dma_resv_lock_interruptible(obj->resv, NULL);
	if (!ret) {
		dma_resv_for_each_fence(&cursor, obj->resv, usage, fence) {
			int status = dma_fence_get_status(fence);

			if (status < 0 && !err)
				err = status;
		}
		dma_resv_unlock(obj->resv);
		args->error = err;
	}
	drm_gem_object_put(obj);
	return ret;
}

/**
 * tlgpu_reset_status_ioctl() - DRM_IOCTL_TLGPU_GET_RESET_STATUS
 * @drm: device
 * @data: &struct drm_tlgpu_reset_status
 * @file: caller
 *
 * Return: 0, or -EINVAL for non-zero @flags or @pad.
 */
int tlgpu_reset_status_ioctl(struct drm_device *drm, void *data,
			     struct drm_file *file)
{
	struct tlgpu_device *tdev = to_tlgpu_device(drm);
	struct tlgpu_file *tfile = file->driver_priv;
	struct drm_tlgpu_reset_status *args = data;

	if (args->flags || args->pad)
		return -EINVAL;
	args->guilty = atomic64_read(&tfile->guilty);
	args->innocent = atomic64_read(&tfile->innocent);
	args->device_resets = atomic_read(&tdev->timeline_resets) -
			      tfile->resets_at_open;
	return 0;
}
