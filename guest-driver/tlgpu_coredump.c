// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlgpu: device coredump of a hung job.
 */

/**
 * DOC: tlgpu devcoredump
 *
 * When the timeout handler finds a job guilty of a hang, before it resets
 * the timeline, tlgpu_coredump() writes what the job and the device looked
 * like into a device coredump (dev_coredumpv()): the job (timeline, seqno,
 * client, VM, commands, WAITs, buffers), its address space, the window of
 * the ring around the device's read position, the timeline's status page
 * and the device's registers.  It appears as /sys/class/devcoredump/devcdN
 * (failing_device links to the PCI function); reading data gives the text,
 * writing anything to data discards it, and the kernel discards it after
 * five minutes.  While one is held the kernel drops later ones of the same
 * device.  The format, version 1, is described in docs/driver.md
 * ("Device coredump"); a tool must ignore lines it does not know.
 *
 * The handler runs on the fence-signalling path (the hung job's fence,
 * and every fence behind it, wait for it), where nothing may allocate
 * memory that reclaim could get by waiting for those fences.  So it only
 * formats the dump, into a buffer allocated at probe
 * (&tlgpu_device.coredump_buf), and a worker off that path copies it into
 * the vmalloc'ed memory dev_coredumpv() takes and hands it to the kernel
 * (which allocates its device and sysfs files).  While a dump waits for
 * the worker, a second hang finds the buffer busy and writes none, and
 * &tlgpu_device.coredumps_failed counts it (so does a failed copy).
 * Without CONFIG_DEV_COREDUMP nothing is written, and GET_PARAM's
 * DRM_TLGPU_PARAM_DRIVER_CAPS leaves out DRM_TLGPU_DRIVER_CAP_DEVCOREDUMP.
 */

#include <linux/devcoredump.h>
#include <linux/mm.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>

#include <drm/drm_managed.h>

#include "tlgpu_drv.h"
#include "tlgpu_trace.h"

/* Room for the largest job: 1024 command dwords, 1024 buffers. */
#define TLGPU_COREDUMP_SIZE	(128 * 1024)
/* Ring dwords shown before and after the device's read position. */
#define TLGPU_COREDUMP_RING_DW	64

struct tlgpu_dump {
	char *buf;
	size_t size;
	size_t len;
};

static __printf(2, 3) void tlgpu_dump_printf(struct tlgpu_dump *d,
					     const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	d->len += vscnprintf(d->buf + d->len, d->size - d->len, fmt, args);
	va_end(args);
}

/* @n dwords, eight to a line, each line headed by "@prefix <index>:". */
static void tlgpu_dump_dwords(struct tlgpu_dump *d, const char *prefix,
			      const u32 *dw, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (i % 8 == 0)
			tlgpu_dump_printf(d, "%s %04x:", prefix, i);
		tlgpu_dump_printf(d, " %08x", dw[i]);
		if (i % 8 == 7 || i == n - 1)
			tlgpu_dump_printf(d, "\n");
	}
}

static void tlgpu_dump_reg(struct tlgpu_dump *d, struct tlgpu_device *tdev,
			   const char *name, u32 reg)
{
	tlgpu_dump_printf(d, "reg %#06x %s %#010x\n", reg, name,
			  tlgpu_read(tdev, reg));
}

/* The readable registers; write-only ones (RESET, IRQ_ACK...) read 0. */
static void tlgpu_dump_registers(struct tlgpu_dump *d,
				 struct tlgpu_device *tdev, unsigned int tl)
{
	static const struct { u32 reg; const char *name; } global[] = {
		{ TLGPU_REG_ID, "ID" },
		{ TLGPU_REG_VERSION, "VERSION" },
		{ TLGPU_REG_CAPS, "CAPS" },
		{ TLGPU_REG_NUM_TIMELINES, "NUM_TIMELINES" },
		{ TLGPU_REG_NUM_AS, "NUM_AS" },
		{ TLGPU_REG_NUM_VECTORS, "NUM_VECTORS" },
		{ TLGPU_REG_SCRATCH, "SCRATCH" },
		{ TLGPU_REG_RESET_COUNT, "RESET_COUNT" },
	}, inject[] = {
		{ TLGPU_REG_INJ_FAIL_TIMELINE, "INJ_FAIL_TIMELINE" },
		{ TLGPU_REG_INJ_FAIL_SEQNO_LO, "INJ_FAIL_SEQNO_LO" },
		{ TLGPU_REG_INJ_FAIL_SEQNO_HI, "INJ_FAIL_SEQNO_HI" },
		{ TLGPU_REG_INJ_FAIL_EVERY, "INJ_FAIL_EVERY" },
		{ TLGPU_REG_INJ_FAIL_ERROR, "INJ_FAIL_ERROR" },
		{ TLGPU_REG_INJ_JITTER_US, "INJ_JITTER_US" },
		{ TLGPU_REG_INJ_HANG_MASK_LO, "INJ_HANG_MASK_LO" },
		{ TLGPU_REG_INJ_HANG_MASK_HI, "INJ_HANG_MASK_HI" },
		{ TLGPU_REG_INJ_IRQ_DROP_EVERY, "INJ_IRQ_DROP_EVERY" },
		{ TLGPU_REG_INJ_IRQ_DUP_EVERY, "INJ_IRQ_DUP_EVERY" },
		{ TLGPU_REG_INJ_RESET_FAIL, "INJ_RESET_FAIL" },
		{ TLGPU_REG_INJ_CNT_FAILED, "INJ_CNT_FAILED" },
		{ TLGPU_REG_INJ_CNT_HUNG, "INJ_CNT_HUNG" },
		{ TLGPU_REG_INJ_CNT_JITTER, "INJ_CNT_JITTER" },
		{ TLGPU_REG_INJ_CNT_IRQ_DROPPED, "INJ_CNT_IRQ_DROPPED" },
		{ TLGPU_REG_INJ_CNT_IRQ_DUPED, "INJ_CNT_IRQ_DUPED" },
		{ TLGPU_REG_INJ_CNT_IRQ_SPURIOUS, "INJ_CNT_IRQ_SPURIOUS" },
		{ TLGPU_REG_INJ_CNT_RESET_FAILED, "INJ_CNT_RESET_FAILED" },
	}, timeline[] = {
		{ TLGPU_TL_RING_LO, "RING_LO" },
		{ TLGPU_TL_RING_HI, "RING_HI" },
		{ TLGPU_TL_RING_SIZE, "RING_SIZE" },
		{ TLGPU_TL_RING_HEAD, "RING_HEAD" },
		{ TLGPU_TL_RING_TAIL, "RING_TAIL" },
		{ TLGPU_TL_CTRL, "CTRL" },
		{ TLGPU_TL_STATUS_LO, "STATUS_LO" },
		{ TLGPU_TL_STATUS_HI, "STATUS_HI" },
		{ TLGPU_TL_COMPLETED_LO, "COMPLETED_LO" },
		{ TLGPU_TL_COMPLETED_HI, "COMPLETED_HI" },
		{ TLGPU_TL_STATE, "STATE" },
		{ TLGPU_TL_ERROR, "ERROR" },
		{ TLGPU_TL_FAULT_LO, "FAULT_LO" },
		{ TLGPU_TL_FAULT_HI, "FAULT_HI" },
		{ TLGPU_TL_JOBS_DONE, "JOBS_DONE" },
		{ TLGPU_TL_JOBS_DROPPED, "JOBS_DROPPED" },
		{ TLGPU_TL_IRQS, "IRQS" },
		{ TLGPU_TL_IRQS_COALESCED, "IRQS_COALESCED" },
	};
	char name[32];
	unsigned int i, as;

	for (i = 0; i < ARRAY_SIZE(global); i++)
		tlgpu_dump_reg(d, tdev, global[i].name, global[i].reg);
	if (tdev->caps & TLGPU_CAP_INJECT)
		for (i = 0; i < ARRAY_SIZE(inject); i++)
			tlgpu_dump_reg(d, tdev, inject[i].name, inject[i].reg);
	for (i = 0; i < ARRAY_SIZE(timeline); i++) {
		snprintf(name, sizeof(name), "TL%u_%s", tl, timeline[i].name);
		tlgpu_dump_reg(d, tdev, name, TLGPU_TL_REG(tl, timeline[i].reg));
	}
	for (as = 0; as < tdev->num_as; as++) {
		snprintf(name, sizeof(name), "AS%u_PT_LO", as);
		tlgpu_dump_reg(d, tdev, name, TLGPU_AS_REG(as, TLGPU_AS_PT_LO));
		snprintf(name, sizeof(name), "AS%u_PT_HI", as);
		tlgpu_dump_reg(d, tdev, name, TLGPU_AS_REG(as, TLGPU_AS_PT_HI));
		snprintf(name, sizeof(name), "AS%u_CTRL", as);
		tlgpu_dump_reg(d, tdev, name, TLGPU_AS_REG(as, TLGPU_AS_CTRL));
	}
}

/*
 * The ring around the device's read position @head: TLGPU_COREDUMP_RING_DW
 * dwords before it and after it, wrapping, each line headed by its ring
 * offset.  &tlgpu_timeline.ring_lock held.
 */
static void tlgpu_dump_ring(struct tlgpu_dump *d, struct tlgpu_timeline *tl,
			    u32 head)
{
	const u32 *ring = tl->ring;
	u32 mask = TLGPU_RING_SIZE / 4 - 1;
	u32 start = (head / 4 - TLGPU_COREDUMP_RING_DW) & mask;
	u32 i, off;

	tlgpu_dump_printf(d, "ring.window: %#x %u\n", start * 4,
			  2 * TLGPU_COREDUMP_RING_DW);
	for (i = 0; i < 2 * TLGPU_COREDUMP_RING_DW; i++) {
		off = (start + i) & mask;
		if (i % 8 == 0)
			tlgpu_dump_printf(d, "ring %05x:", off * 4);
		tlgpu_dump_printf(d, " %08x", le32_to_cpu(READ_ONCE(ring[off])));
		if (i % 8 == 7)
			tlgpu_dump_printf(d, "\n");
	}
}

/**
 * tlgpu_coredump() - write the device coredump of a hung job
 * @tl: its timeline, not yet reset
 * @job: the job found guilty
 *
 * &tlgpu_device.reset_lock held, inside drm_dev_enter().
 */
void tlgpu_coredump(struct tlgpu_timeline *tl, struct tlgpu_job *job)
{
	struct tlgpu_device *tdev = tl->tdev;
	/* The last 64 bytes are kept for "truncated" and "end". */
	struct tlgpu_dump d = { .size = TLGPU_COREDUMP_SIZE - 64 };
	struct tlgpu_vm *vm = job->vm;
	unsigned long flags;
	u32 head, i;
	int as;

	lockdep_assert_held(&tdev->reset_lock);
	if (!IS_ENABLED(CONFIG_DEV_COREDUMP) || !tdev->coredump_buf)
		return;
	/* The last dump is still on its way to the kernel. */
	if (test_and_set_bit(0, &tdev->coredump_busy)) {
		atomic_inc(&tdev->coredumps_failed);
		return;
	}
	d.buf = tdev->coredump_buf;

	tlgpu_dump_printf(&d, "tlgpu devcoredump 1\n");
	tlgpu_dump_printf(&d, "reason: timeout\n");
	tlgpu_dump_printf(&d, "driver: %s %d.%d.%d\n", DRIVER_NAME,
			  DRIVER_MAJOR, DRIVER_MINOR, DRIVER_PATCHLEVEL);
	tlgpu_dump_printf(&d, "kernel: %s\n", init_utsname()->release);
	tlgpu_dump_printf(&d, "device: %s\n", pci_name(tdev->pdev));
	tlgpu_dump_printf(&d, "device.version: %u.%u\n", tdev->version >> 16,
			  tdev->version & 0xffff);
	tlgpu_dump_printf(&d, "time.boot_ns: %llu\n", ktime_get_boottime_ns());
	tlgpu_dump_printf(&d, "timeout_ms: %u\n", tlgpu_timeout_ms);
	tlgpu_dump_printf(&d, "timeline: %u\n", tl->idx);
	tlgpu_dump_printf(&d, "timeline.resets: %d\n", atomic_read(&tl->resets));

	tlgpu_dump_printf(&d, "job.seqno: %llu\n", job->hw_fence->base.seqno);
	tlgpu_dump_printf(&d, "job.fence: %llu:%llu\n",
			  job->base.s_fence->finished.context,
			  job->base.s_fence->finished.seqno);
	tlgpu_dump_printf(&d, "job.client: %llu\n", job->file->client_id);
	tlgpu_dump_printf(&d, "job.vm: %llu\n", vm->id);
	tlgpu_dump_printf(&d, "job.run_ms_ago: %lld\n",
			  ktime_ms_delta(ktime_get(), job->hw_fence->run_time));
	tlgpu_dump_printf(&d, "job.cmd_dwords: %u\n", job->cmd_dwords);
	tlgpu_dump_dwords(&d, "job.cmd", job->cmds, job->cmd_dwords);
	tlgpu_dump_printf(&d, "job.waits: %u\n", job->wait_count);
	for (i = 0; i < job->wait_count; i++)
		tlgpu_dump_printf(&d, "job.wait: timeline %u seqno %llu\n",
				  job->waits[i].timeline, job->waits[i].seqno);
	tlgpu_dump_printf(&d, "job.buffers: %u\n", job->bo_count);
	for (i = 0; i < job->bo_count; i++)
		tlgpu_dump_printf(&d, "job.buffer: va %#llx size %#zx\n",
				  job->mappings[i]->node.start,
				  job->bos[i]->size);

	spin_lock_irqsave(&tdev->as_lock, flags);
	as = vm->as;
	spin_unlock_irqrestore(&tdev->as_lock, flags);
	tlgpu_dump_printf(&d, "vm.slot: %d\n", as);
	tlgpu_dump_printf(&d, "vm.root: %pad\n", &vm->root.dma);

	mutex_lock(&tl->ring_lock);
	head = tlgpu_tl_read(tdev, tl->idx, TLGPU_TL_RING_HEAD) &
	       (TLGPU_RING_SIZE - 1) & ~3u;
	tlgpu_dump_printf(&d, "ring: %pad size %#x head %#x tail %#x seqno %llu\n",
			  &tl->ring_dma, TLGPU_RING_SIZE, head, tl->tail,
			  tl->seqno);
	tlgpu_dump_ring(&d, tl, head);
	mutex_unlock(&tl->ring_lock);

	tlgpu_dump_printf(&d, "status: %pad completed %llu\n", &tl->status_dma,
			  le64_to_cpu(READ_ONCE(tl->status->completed_seqno)));
	for (i = 0; i < TLGPU_STATUS_SLOTS; i++) {
		u32 err = le32_to_cpu(READ_ONCE(tl->status->error[i]));

		if (err)
			tlgpu_dump_printf(&d, "status.error: slot %u %#x\n", i,
					  err);
	}

	tlgpu_dump_registers(&d, tdev, tl->idx);
	/* The body filled its room: say so in the room kept for the end. */
	if (d.len >= d.size - 1) {
		d.len = d.size - 1;
		d.size = TLGPU_COREDUMP_SIZE;
		tlgpu_dump_printf(&d, "\ntruncated\n");
	}
	d.size = TLGPU_COREDUMP_SIZE;
	tlgpu_dump_printf(&d, "end\n");

	trace_tlgpu_coredump(tdev, tl->idx, job->hw_fence->base.seqno, d.len);
	tdev->coredump_len = d.len;
	queue_work(tlgpu_wq, &tdev->coredump_work);
}

/*
 * Off the signalling path: the formatted dump into memory of its own, to
 * the kernel, which frees it (vfree) with the dump.  Flushed at remove.
 */
static void tlgpu_coredump_work(struct work_struct *work)
{
	struct tlgpu_device *tdev =
		container_of(work, struct tlgpu_device, coredump_work);
	void *data = vmalloc(tdev->coredump_len);

	if (data) {
		memcpy(data, tdev->coredump_buf, tdev->coredump_len);
		atomic_inc(&tdev->coredumps);
		dev_coredumpv(&tdev->pdev->dev, data, tdev->coredump_len,
			      GFP_KERNEL);
	} else {
		atomic_inc(&tdev->coredumps_failed);
	}
	clear_bit_unlock(0, &tdev->coredump_busy);
}

static void tlgpu_coredump_fini(struct drm_device *drm, void *buf)
{
	kvfree(buf);
}

/**
 * tlgpu_coredump_init() - at probe: the buffer hangs are formatted into
 * @tdev: device
 *
 * Return: 0, or -ENOMEM.  Nothing to do without CONFIG_DEV_COREDUMP.
 */
int tlgpu_coredump_init(struct tlgpu_device *tdev)
{
	INIT_WORK(&tdev->coredump_work, tlgpu_coredump_work);
	if (!IS_ENABLED(CONFIG_DEV_COREDUMP))
		return 0;
	tdev->coredump_buf = kvmalloc(TLGPU_COREDUMP_SIZE, GFP_KERNEL);
	if (!tdev->coredump_buf)
		return -ENOMEM;
	return drmm_add_action_or_reset(&tdev->drm, tlgpu_coredump_fini,
					tdev->coredump_buf);
}
