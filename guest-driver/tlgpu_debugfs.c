// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: debugfs files.
 */

/**
 * DOC: tlgpu debugfs
 *
 * Each DRM minor of a tlgpu device gets, in /sys/kernel/debug/dri/<minor>/:
 *
 *  - irqs (read): one line per MSI-X vector, "tl<t> <count>" for the
 *    vector of timeline t and "dev <count>" for the device vector, with the
 *    interrupts handled on it since probe;
 *  - timelines (read): per timeline, the hardware seqno the device
 *    completed (status page and register), the last seqno the driver
 *    handed out, the device state, the driver's resets of it, and each
 *    pending hardware fence (seqno, signalled, error); then the device's
 *    injection counters (TLGPU_REG_INJ_CNT_*);
 *  - address_spaces (read): "slots <n> bound <b> pinned <p> binds <count>
 *    waits <count>": the device's address-space slots, how many hold a
 *    VM and how many of those a job pins, then since probe the binds of
 *    a VM to a slot and the times a job found every slot pinned and
 *    waited;
 *    then "as<i> vm <id> users <jobs>" per bound slot;
 *  - coredumps (read): "written <n> failed <m>": device coredumps of hung
 *    jobs since probe, and hung jobs whose dump could not be written (the
 *    last one still on its way, or no memory for the copy);
 *  - inject_spurious (write, devices with TLGPU_CAP_INJECT): writing a
 *    vector number makes the device raise that vector once, through
 *    TLGPU_REG_INJ_SPURIOUS.  -EINVAL for a vector the device does not
 *    have, -EOPNOTSUPP without the capability, -ENODEV once unplugged;
 *  - inject (read-write, devices with TLGPU_CAP_INJECT): the device's
 *    fault-injection settings (docs/device-spec.rst, "Fault injection"),
 *    so that a guest test can provoke what the host would with QMP.
 *    Reading gives one "name value" line per setting: fail_timeline,
 *    fail_seqno, fail_every, fail_error, jitter_us, jitter_seed,
 *    hang_mask, irq_drop_every, irq_dup_every, reset_fail.  Writing "name value"
 *    (or "name=value"; decimal, 0x hex) sets one of them; the device
 *    keeps the settings across its resets, so a test clears what it set.
 *    -EINVAL for an unknown name, a malformed line or a value wider than
 *    the register, -EOPNOTSUPP without the capability, -ENODEV once
 *    unplugged.
 *
 * The DRM core removes the files at unplug, and debugfs waits for the
 * operations in flight, so no file outlives the register mapping; the
 * writes still go through drm_dev_enter() like every other path.
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "tlgpu_drv.h"

static int tlgpu_debugfs_irqs(struct seq_file *m, void *unused)
{
	struct drm_info_node *node = m->private;
	struct tlgpu_device *tdev = to_tlgpu_device(node->minor->dev);
	unsigned int i;

	for (i = 0; i < tdev->num_vectors; i++) {
		const struct tlgpu_irq_vector *vec = &tdev->vectors[i];
		u64 count = atomic64_read(&vec->count);

		if (vec->timeline >= 0)
			seq_printf(m, "tl%d %llu\n", vec->timeline, count);
		else
			seq_printf(m, "dev %llu\n", count);
	}

	return 0;
}

static int tlgpu_debugfs_timelines(struct seq_file *m, void *unused)
{
	struct drm_info_node *node = m->private;
	struct tlgpu_device *tdev = to_tlgpu_device(node->minor->dev);
	static const char *const names[] = {
		"stopped", "idle", "busy", "waiting", "hung", "halted",
	};
	struct tlgpu_fence *fence;
	unsigned int i;
	int idx;

	if (!drm_dev_enter(&tdev->drm, &idx))
		return -ENODEV;
	for (i = 0; i < tdev->num_timelines; i++) {
		struct tlgpu_timeline *tl = &tdev->timelines[i];
		u32 state = tlgpu_tl_read(tdev, i, TLGPU_TL_STATE);
		u64 hw = tlgpu_tl_read(tdev, i, TLGPU_TL_COMPLETED_LO) |
			 (u64)tlgpu_tl_read(tdev, i, TLGPU_TL_COMPLETED_HI) << 32;

		mutex_lock(&tl->ring_lock);
		seq_printf(m, "tl%u: hw-seqno %llu (status page %llu) sw-seqno %llu state %s resets %d jobs %u dropped %u irqs %u coalesced %u\n",
			   i, hw, le64_to_cpu(READ_ONCE(tl->status->completed_seqno)),
			   tl->seqno, state < ARRAY_SIZE(names) ? names[state] : "?",
			   atomic_read(&tl->resets),
			   tlgpu_tl_read(tdev, i, TLGPU_TL_JOBS_DONE),
			   tlgpu_tl_read(tdev, i, TLGPU_TL_JOBS_DROPPED),
			   tlgpu_tl_read(tdev, i, TLGPU_TL_IRQS),
			   tlgpu_tl_read(tdev, i, TLGPU_TL_IRQS_COALESCED));
		mutex_unlock(&tl->ring_lock);
		/* The signal lock keeps @defer_fence, and what it points to. */
		spin_lock_irq(&tdev->signal_lock);
		if (tl->defer_fence)
			seq_printf(m, "  signalling waits for fence %llu:%llu\n",
				   tl->defer_fence->context,
				   tl->defer_fence->seqno);
		spin_lock(&tl->pending_lock);
		list_for_each_entry(fence, &tl->pending, link)
			seq_printf(m, "  pending seqno %llu signalled %d error %d\n",
				   fence->base.seqno,
				   dma_fence_is_signaled(&fence->base),
				   fence->base.error);
		spin_unlock(&tl->pending_lock);
		spin_unlock_irq(&tdev->signal_lock);
	}
	seq_printf(m, "injected: failed %u hangs %u jitter %u irq-dropped %u irq-duped %u irq-spurious %u reset-failed %u\n",
		   tlgpu_read(tdev, TLGPU_REG_INJ_CNT_FAILED),
		   tlgpu_read(tdev, TLGPU_REG_INJ_CNT_HUNG),
		   tlgpu_read(tdev, TLGPU_REG_INJ_CNT_JITTER),
		   tlgpu_read(tdev, TLGPU_REG_INJ_CNT_IRQ_DROPPED),
		   tlgpu_read(tdev, TLGPU_REG_INJ_CNT_IRQ_DUPED),
		   tlgpu_read(tdev, TLGPU_REG_INJ_CNT_IRQ_SPURIOUS),
		   tlgpu_read(tdev, TLGPU_REG_INJ_CNT_RESET_FAILED));
	drm_dev_exit(idx);
	return 0;
}

static int tlgpu_debugfs_address_spaces(struct seq_file *m, void *unused)
{
	struct drm_info_node *node = m->private;
	struct tlgpu_device *tdev = to_tlgpu_device(node->minor->dev);
	unsigned int i, bound = 0, pinned = 0;
	struct {
		u64 vm;
		unsigned int users;
	} *slot;
	u64 binds, waits;

	slot = kcalloc(tdev->num_as, sizeof(*slot), GFP_KERNEL);
	if (!slot)
		return -ENOMEM;
	/* A snapshot under the lock, printed after it (a spinlock). */
	spin_lock_irq(&tdev->as_lock);
	for (i = 0; i < tdev->num_as; i++) {
		const struct tlgpu_vm *vm = tdev->as_slots[i];

		if (!vm)
			continue;
		slot[i].vm = vm->id;
		slot[i].users = vm->as_users;
		bound++;
		pinned += !!vm->as_users;
	}
	binds = tdev->as_binds;
	waits = tdev->as_waits;
	spin_unlock_irq(&tdev->as_lock);

	seq_printf(m, "slots %u bound %u pinned %u binds %llu waits %llu\n",
		   tdev->num_as, bound, pinned, binds, waits);
	for (i = 0; i < tdev->num_as; i++)
		if (slot[i].vm)
			seq_printf(m, "as%u vm %llu users %u\n", i, slot[i].vm,
				   slot[i].users);
	kfree(slot);
	return 0;
}

static int tlgpu_debugfs_coredumps(struct seq_file *m, void *unused)
{
	struct drm_info_node *node = m->private;
	struct tlgpu_device *tdev = to_tlgpu_device(node->minor->dev);

	seq_printf(m, "written %d failed %d\n", atomic_read(&tdev->coredumps),
		   atomic_read(&tdev->coredumps_failed));
	return 0;
}

/*
 * What this build of tlgpu found in its kernel (conftest.sh) and what it
 * does differently for it, for tests that assert each kernel's behaviour:
 * "probes: <names>" and one "<decision>: yes|no" line each.
 */
static int tlgpu_debugfs_kernel_features(struct seq_file *m, void *data)
{
	static const struct { const char *name; bool on; } decisions[] = {
		{ "fence_detaches", IS_ENABLED(TLGPU_FENCE_DETACHES) },
		/* dma_fence_driver_name() came with the rule (6.17). */
		{ "signalled_names_detach", IS_ENABLED(TLGPU_HAVE_DMA_FENCE_OPS_RCU) },
		{ "sched_forwards_error", IS_ENABLED(TLGPU_SCHED_FORWARDS_ERROR) },
	};
	unsigned int i;

	seq_printf(m, "probes: %s\n", TLGPU_CONFTEST_RESULTS);
	for (i = 0; i < ARRAY_SIZE(decisions); i++)
		seq_printf(m, "%s: %s\n", decisions[i].name,
			   decisions[i].on ? "yes" : "no");
	return 0;
}

static const struct drm_info_list tlgpu_debugfs_list[] = {
	{ "kernel_features", tlgpu_debugfs_kernel_features, 0 },
	{ "irqs", tlgpu_debugfs_irqs, 0 },
	{ "timelines", tlgpu_debugfs_timelines, 0 },
	{ "address_spaces", tlgpu_debugfs_address_spaces, 0 },
	{ "coredumps", tlgpu_debugfs_coredumps, 0 },
};

static ssize_t tlgpu_inject_spurious_write(struct file *file,
					   const char __user *buf,
					   size_t len, loff_t *ppos)
{
	struct tlgpu_device *tdev = file->private_data;
	unsigned int vector;
	int ret, idx;

	ret = kstrtouint_from_user(buf, len, 0, &vector);
	if (ret)
		return ret;
	if (vector >= tdev->num_vectors)
		return -EINVAL;
	if (!(tdev->caps & TLGPU_CAP_INJECT))
		return -EOPNOTSUPP;

	if (!drm_dev_enter(&tdev->drm, &idx))
		return -ENODEV;
	tlgpu_write(tdev, TLGPU_REG_INJ_SPURIOUS, vector);
	drm_dev_exit(idx);

	return len;
}

static const struct file_operations tlgpu_inject_spurious_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= tlgpu_inject_spurious_write,
	.llseek	= noop_llseek,
};

/* One fault-injection setting of TLGPU_REG_INJ_*, for the inject file. */
struct tlgpu_inject_setting {
	const char *name;
	u32 reg;	/* the low half of a 64-bit setting */
	bool is64;
};

static const struct tlgpu_inject_setting tlgpu_inject_settings[] = {
	{ "fail_timeline", TLGPU_REG_INJ_FAIL_TIMELINE, false },
	{ "fail_seqno", TLGPU_REG_INJ_FAIL_SEQNO_LO, true },
	{ "fail_every", TLGPU_REG_INJ_FAIL_EVERY, false },
	{ "fail_error", TLGPU_REG_INJ_FAIL_ERROR, false },
	{ "jitter_us", TLGPU_REG_INJ_JITTER_US, false },
	{ "jitter_seed", TLGPU_REG_INJ_JITTER_SEED, false },
	{ "hang_mask", TLGPU_REG_INJ_HANG_MASK_LO, true },
	{ "irq_drop_every", TLGPU_REG_INJ_IRQ_DROP_EVERY, false },
	{ "irq_dup_every", TLGPU_REG_INJ_IRQ_DUP_EVERY, false },
	{ "reset_fail", TLGPU_REG_INJ_RESET_FAIL, false },
};

static int tlgpu_inject_show(struct seq_file *m, void *unused)
{
	struct tlgpu_device *tdev = m->private;
	unsigned int i;
	int idx;

	if (!(tdev->caps & TLGPU_CAP_INJECT))
		return -EOPNOTSUPP;
	if (!drm_dev_enter(&tdev->drm, &idx))
		return -ENODEV;
	for (i = 0; i < ARRAY_SIZE(tlgpu_inject_settings); i++) {
		const struct tlgpu_inject_setting *s = &tlgpu_inject_settings[i];
		u64 val = tlgpu_read(tdev, s->reg);

		if (s->is64)
			val |= (u64)tlgpu_read(tdev, s->reg + 4) << 32;
		seq_printf(m, "%s %llu\n", s->name, val);
	}
	drm_dev_exit(idx);
	return 0;
}

static int tlgpu_inject_open(struct inode *inode, struct file *file)
{
	return single_open(file, tlgpu_inject_show, inode->i_private);
}

static ssize_t tlgpu_inject_write(struct file *file, const char __user *buf,
				  size_t len, loff_t *ppos)
{
	struct tlgpu_device *tdev = file_inode(file)->i_private;
	const struct tlgpu_inject_setting *s = NULL;
	char line[64], *name, *value;
	unsigned int i;
	u64 val;
	int ret, idx;

	if (!(tdev->caps & TLGPU_CAP_INJECT))
		return -EOPNOTSUPP;
	if (len >= sizeof(line))
		return -EINVAL;
	if (copy_from_user(line, buf, len))
		return -EFAULT;
	line[len] = '\0';

	value = strim(line);
	name = strsep(&value, " =");
	if (!value)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(tlgpu_inject_settings); i++)
		if (!strcmp(name, tlgpu_inject_settings[i].name))
			s = &tlgpu_inject_settings[i];
	if (!s)
		return -EINVAL;
	ret = kstrtou64(skip_spaces(value), 0, &val);
	if (ret)
		return ret;
	if (!s->is64 && val > U32_MAX)
		return -EINVAL;

	if (!drm_dev_enter(&tdev->drm, &idx))
		return -ENODEV;
	tlgpu_write(tdev, s->reg, lower_32_bits(val));
	if (s->is64)
		tlgpu_write(tdev, s->reg + 4, upper_32_bits(val));
	drm_dev_exit(idx);

	return len;
}

static const struct file_operations tlgpu_inject_fops = {
	.owner		= THIS_MODULE,
	.open		= tlgpu_inject_open,
	.read		= seq_read,
	.write		= tlgpu_inject_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

/**
 * tlgpu_debugfs_init() - &drm_driver.debugfs_init hook
 * @minor: DRM minor whose debugfs directory gets the files
 */
void tlgpu_debugfs_init(struct drm_minor *minor)
{
	struct tlgpu_device *tdev = to_tlgpu_device(minor->dev);

	drm_debugfs_create_files(tlgpu_debugfs_list,
				 ARRAY_SIZE(tlgpu_debugfs_list),
				 minor->debugfs_root, minor);
	debugfs_create_file("inject_spurious", 0200, minor->debugfs_root, tdev,
			    &tlgpu_inject_spurious_fops);
	debugfs_create_file("inject", 0600, minor->debugfs_root, tdev,
			    &tlgpu_inject_fops);
}
