#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# Kernel feature probes for tlgpu, by trial compilation against the kernel
# tlgpu is built for (the way out-of-tree drivers do it: NVIDIA's
# conftest.sh, the backport m4 probes).  A kernel version number is not
# enough: Debian backports scheduler API changes into its stable kernels
# (6.1.192 and 6.12 have struct drm_sched_init_args, 6.12 the client id of
# drm_sched_job_init()).
#
# usage: conftest.sh KDIR OUTDIR
# Writes OUTDIR/tlgpu_conftest.h: one "#define TLGPU_HAVE_<NAME> 1" per
# probe that compiled, and a comment per probe that did not.  Every probe
# is one small C file compiled as a kbuild object in OUTDIR/conftest/ (one
# make -k run for all of them); tlgpu_compat.h turns the results into the
# code the driver uses.  The Makefile runs this when the kernel or this
# script changes.
set -eu

KDIR=${1:?usage: conftest.sh KDIR OUTDIR}
OUTDIR=${2:?usage: conftest.sh KDIR OUTDIR}
[ -f "$KDIR/Module.symvers" ] || { echo "conftest.sh: no $KDIR/Module.symvers" >&2; exit 1; }
dir=$OUTDIR/conftest
rm -rf "$dir"
mkdir -p "$dir"
probes=""

# exported NAME SYMBOL : SYMBOL is exported to modules (Module.symvers):
# a declaration alone (drm_sched_wakeup() in 6.1 and 6.12) is not enough.
exports=""
exported() {
	exports="$exports $1"
	if grep -q "[[:space:]]$2[[:space:]]" "$KDIR/Module.symvers"; then
		eval "export_$1=1"
	fi
}

# probe NAME 'C code' : the code is compiled after the common includes.
probe() {
	probes="$probes $1"
	{
		cat <<'EOF'
#include <linux/dma-fence.h>
#include <linux/dma-fence-array.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>
#include <drm/gpu_scheduler.h>
EOF
		printf '%s\n' "$2"
	} >"$dir/$1.c"
}

# Must compile on every kernel: else the probes themselves are broken.
probe BASELINE '
int tlgpu_probe(struct dma_fence *f);
int tlgpu_probe(struct dma_fence *f)
{
	return dma_fence_is_signaled(f);
}'

# drm_sched_init() takes struct drm_sched_init_args (6.15; backported to
# Debian's 6.1.192 and 6.12).
probe SCHED_INIT_ARGS '
int tlgpu_probe(struct drm_gpu_scheduler *s);
int tlgpu_probe(struct drm_gpu_scheduler *s)
{
	struct drm_sched_init_args a = { .credit_limit = 1 };
	return drm_sched_init(s, &a);
}'

# ... with a number of run queues, which must be set (6.12: an oops at
# the first entity otherwise).
probe SCHED_INIT_ARGS_NUM_RQS '
struct drm_sched_init_args tlgpu_probe = { .num_rqs = 1 };'

# drm_sched_job_init(job, entity, credits, owner, drm_client_id) (6.15;
# Debian 6.12), or (job, entity, credits, owner) (6.7).
probe SCHED_JOB_INIT_CLIENT_ID '
int tlgpu_probe(struct drm_sched_job *j, struct drm_sched_entity *e);
int tlgpu_probe(struct drm_sched_job *j, struct drm_sched_entity *e)
{
	return drm_sched_job_init(j, e, 1, NULL, 0);
}'
probe SCHED_JOB_INIT_CREDITS '
int tlgpu_probe(struct drm_sched_job *j, struct drm_sched_entity *e);
int tlgpu_probe(struct drm_sched_job *j, struct drm_sched_entity *e)
{
	return drm_sched_job_init(j, e, 1, NULL);
}'

# drm_sched_fence_finished(fence, result) (6.4 until it went internal in
# 6.16): the scheduler passes the hardware fence's error on to the
# finished fence itself.  (6.16+ does too; tlgpu_compat.h adds those by
# their NO_HANG probe.)
probe SCHED_FENCE_FINISHED_RESULT '
_Static_assert(__builtin_types_compatible_p(typeof(drm_sched_fence_finished),
		void (struct drm_sched_fence *, int)), "");'

# The backend's dependency hook is .prepare_job (6.2), not .dependency.
probe SCHED_PREPARE_JOB '
struct drm_sched_backend_ops tlgpu_probe = { .prepare_job = NULL };'

# .cancel_job: the scheduler's teardown fails the jobs it still holds (7.x).
probe SCHED_CANCEL_JOB '
struct drm_sched_backend_ops tlgpu_probe = { .cancel_job = NULL };'

# drm_sched_start(sched) (6.12) or drm_sched_start(sched, errno) (6.13);
# 6.1: drm_sched_start(sched, bool full_recovery).
probe SCHED_START_NOARG '
_Static_assert(__builtin_types_compatible_p(typeof(drm_sched_start),
		void (struct drm_gpu_scheduler *)), "");'
probe SCHED_START_ERRNO '
_Static_assert(__builtin_types_compatible_p(typeof(drm_sched_start),
		void (struct drm_gpu_scheduler *, int)), "");'

# Timeout handler results RESET / ENODEV / NO_HANG (6.17); with NO_HANG
# the core puts the job back on its pending list itself.
probe SCHED_STAT_NO_HANG '
int tlgpu_probe = DRM_GPU_SCHED_STAT_NO_HANG;'

# The workqueue scheduler (6.8+): its free work, queued to free a job put
# back on the pending list (6.1 wakes the thread's wake_up_worker).
probe SCHED_WORK_FREE_JOB '
void tlgpu_probe(struct drm_gpu_scheduler *s);
void tlgpu_probe(struct drm_gpu_scheduler *s)
{
	if (!READ_ONCE(s->pause_submit))
		queue_work(s->submit_wq, &s->work_free_job);
}'

# struct drm_driver's .date (gone in 6.14) and .gem_prime_mmap (gone in 6.6).
probe DRM_DRIVER_DATE '
struct drm_driver tlgpu_probe = { .date = "" };'
probe DRM_GEM_PRIME_MMAP '
struct drm_driver tlgpu_probe = { .gem_prime_mmap = NULL };'

# dma_fence_array_create(..., signal_on_any) (its last argument went in 6.15).
probe DMA_FENCE_ARRAY_SIGNAL_ON_ANY '
struct dma_fence_array *tlgpu_probe(struct dma_fence **f);
struct dma_fence_array *tlgpu_probe(struct dma_fence **f)
{
	return dma_fence_array_create(1, f, 0, 0, false);
}'

# kvrealloc(p, oldsize, newsize, flags) (before 6.12).
probe KVREALLOC_OLDSIZE '
void *tlgpu_probe(void *p);
void *tlgpu_probe(void *p)
{
	return kvrealloc(p, 1, 2, GFP_KERNEL);
}'

# A fence's ops are RCU-protected (6.17): a signalled fence may detach from
# its driver, read them with dma_fence_driver_name()/rcu_dereference().
probe DMA_FENCE_OPS_RCU '
const char *tlgpu_probe(struct dma_fence *f);
const char *tlgpu_probe(struct dma_fence *f)
{
	return (const char *)dma_fence_driver_name(f);
}'

# A fence may carry its own lock (7.0): with RCU-protected ops and no
# release or wait op, a signalled fence then needs nothing of its driver.
probe DMA_FENCE_INLINE_LOCK '
void tlgpu_probe(struct dma_fence *f);
void tlgpu_probe(struct dma_fence *f)
{
	spin_lock_init(&f->inline_lock);
	set_bit(DMA_FENCE_FLAG_INLINE_LOCK_BIT, &f->flags);
}'

# fops->fop_flags with FOP_UNSIGNED_OFFSET (6.12: DRM refuses files without).
probe FOP_UNSIGNED_OFFSET '
struct file_operations tlgpu_probe = { .fop_flags = FOP_UNSIGNED_OFFSET };'

# fdinfo by the book (6.5): drm_show_fdinfo() prints the core keys and
# calls &drm_driver.show_fdinfo; drm_file has the core's client id;
# drm_show_memory_stats() and the GEM objects' status for its resident
# sizes.  The client name of DRM_IOCTL_SET_CLIENT_NAME came in 6.14.
probe DRM_SHOW_FDINFO '
static void tlgpu_fdinfo(struct drm_printer *p, struct drm_file *f) { }
struct drm_driver tlgpu_probe = { .show_fdinfo = tlgpu_fdinfo };
struct file_operations tlgpu_probe_fops = { .show_fdinfo = drm_show_fdinfo };'
probe DRM_FILE_CLIENT_ID '
u64 tlgpu_probe(struct drm_file *f);
u64 tlgpu_probe(struct drm_file *f)
{
	return f->client_id;
}'
probe DRM_SHOW_MEMORY_STATS '
void tlgpu_probe(struct drm_printer *p, struct drm_file *f);
void tlgpu_probe(struct drm_printer *p, struct drm_file *f)
{
	drm_show_memory_stats(p, f);
}'
probe GEM_OBJECT_STATUS '
static enum drm_gem_object_status tlgpu_status(struct drm_gem_object *o)
{
	return DRM_GEM_OBJECT_RESIDENT;
}
struct drm_gem_object_funcs tlgpu_probe = { .status = tlgpu_status };'
probe DRM_FILE_CLIENT_NAME '
const char *tlgpu_probe(struct drm_file *f);
const char *tlgpu_probe(struct drm_file *f)
{
	return f->client_name;
}'

# drm_dev_wedged_event(dev, method) (6.14), with a task info (6.17).
probe DRM_DEV_WEDGED_EVENT '
int tlgpu_probe(struct drm_device *d);
int tlgpu_probe(struct drm_device *d)
{
	return drm_dev_wedged_event(d, DRM_WEDGE_RECOVERY_REBIND);
}'
probe DRM_DEV_WEDGED_EVENT_INFO '
int tlgpu_probe(struct drm_device *d);
int tlgpu_probe(struct drm_device *d)
{
	return drm_dev_wedged_event(d, DRM_WEDGE_RECOVERY_REBIND, NULL);
}'

{
	echo "# generated by conftest.sh: every probe is a module object"
	echo "obj-m := $(for p in $probes; do printf '%s.o ' "$p"; done)"
	echo "ccflags-y := -Wno-missing-prototypes -Werror=incompatible-pointer-types"
} >"$dir/Kbuild"

targets=$(for p in $probes; do printf '%s.o ' "$p"; done)
# shellcheck disable=SC2086
make -k -C "$KDIR" M="$dir" $targets >"$dir/make.log" 2>&1 || true

if [ ! -f "$dir/BASELINE.o" ]; then
	tail -20 "$dir/make.log" >&2
	echo "conftest.sh: even the baseline probe does not build against $KDIR" >&2
	exit 1
fi

out=$OUTDIR/tlgpu_conftest.h
found=""
for p in $probes; do
	[ ! -f "$dir/$p.o" ] || found="$found $p"
done
for p in $exports; do
	! eval "[ -n \"\${export_$p:-}\" ]" || found="$found $p"
done
{
	echo "/* Generated by guest-driver/conftest.sh for $KDIR: do not edit. */"
	echo "#ifndef TLGPU_CONFTEST_H"
	echo "#define TLGPU_CONFTEST_H"
	for p in $probes $exports; do
		case " $found " in
		*" $p "*) echo "#define TLGPU_HAVE_$p 1" ;;
		*)	  echo "/* TLGPU_HAVE_$p: no */" ;;
		esac
	done
	# The same as one string, for debugfs (kernel_features).
	echo "#define TLGPU_CONFTEST_RESULTS \"${found# }\""
	echo "#endif"
} >"$out.tmp"
mv "$out.tmp" "$out"
have=$(grep -c '^#define TLGPU_HAVE' "$out" || true)
echo "  CONFTEST $have of $(echo $probes $exports | wc -w) features ($out)"
