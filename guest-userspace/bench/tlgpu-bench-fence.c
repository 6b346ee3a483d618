/* SPDX-License-Identifier: MIT */
/*
 * Fence round trip: how long from handing work to the kernel until the
 * waiter sees its fence signalled, for an empty tlgpu job and for fences
 * signalled from userspace.
 *
 *  - tlgpu: SUBMIT of a NOP job on timeline 0, then wait for its fence,
 *    through the sync_file (poll) or an out syncobj (DRM_IOCTL_SYNCOBJ_WAIT).
 *  - vgem (the baseline): VGEM_FENCE_ATTACH on a vgem buffer, the fence
 *    exported with DMA_BUF_IOCTL_EXPORT_SYNC_FILE (and imported into a
 *    syncobj for the syncobj variant), VGEM_FENCE_SIGNAL, then the same
 *    wait.  The software floor of the fence machinery: nothing runs
 *    asynchronously, the wait finds the fence signalled.
 *  - sw_sync (kernels with CONFIG_SW_SYNC, e.g. the debug flavour): a
 *    fence of a sw_sync timeline, signalled by SW_SYNC_IOC_INC.
 *
 * The variants take turns sample by sample, so noise from the host hits
 * them alike.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <xf86drm.h>

#include "bench.h"

/* drivers/dma-buf/sw_sync.c: the debugfs interface of sw_sync */
#define SW_SYNC_PATH		"/sys/kernel/debug/sync/sw_sync"
struct sw_sync_create_fence_data {
	uint32_t value;
	char name[32];
	int32_t fence;
};
#define SW_SYNC_IOC_CREATE_FENCE \
	_IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC		_IOW('W', 1, uint32_t)

#define REPS		2000
#define WARMUP		50

struct ctx {
	int fd;			/* tlgpu device 0 */
	uint32_t syncobj;	/* a binary syncobj of fd */
	int vgem;		/* vgem's node, -1 without */
	uint32_t vgem_bo;
	int vgem_dmabuf;
	int sw_sync;		/* a sw_sync timeline, -1 without */
	uint32_t sw_value;	/* its value */
};

static double us_since(int64_t t0)
{
	return (tlgpu_now_ns() - t0) / NS_PER_US;
}

static void wait_poll(int sync_fd)
{
	int ret = tlgpu_sync_file_wait(sync_fd, BENCH_TIMEOUT_MS);

	if (ret)
		bench_fail("poll on a sync_file: %s", strerror(-ret));
}

static void check_closed(int sync_fd)
{
	int ret = tlgpu_sync_file_status(sync_fd);

	if (ret != 1)
		bench_fail("fence signalled with status %d", ret);
	close(sync_fd);
}

static double tlgpu_syncfile(struct ctx *c)
{
	int64_t t0 = tlgpu_now_ns();
	double us;
	int fence;

	bench_submit(c->fd, 0, bench_nop(), NULL, NULL, &fence);
	wait_poll(fence);
	us = us_since(t0);
	check_closed(fence);
	return us;
}

static double tlgpu_syncobj(struct ctx *c)
{
	int64_t t0 = tlgpu_now_ns();

	bench_submit(c->fd, 0, bench_nop(), NULL, &c->syncobj, NULL);
	bench_wait_syncobj(c->fd, c->syncobj);
	return us_since(t0);
}

/* Attach a vgem write fence and export it as a sync_file. */
static int vgem_fence(struct ctx *c, uint32_t *id)
{
	int sync_fd;

	*id = bench_vgem_attach(c->vgem, c->vgem_bo);
	BENCH_OK(tlgpu_dmabuf_export_sync_file(c->vgem_dmabuf, DMA_BUF_SYNC_READ,
					       &sync_fd));
	return sync_fd;
}

static double vgem_syncfile(struct ctx *c)
{
	int64_t t0 = tlgpu_now_ns();
	uint32_t id;
	double us;
	int fence;

	fence = vgem_fence(c, &id);
	bench_vgem_signal(c->vgem, id);
	wait_poll(fence);
	us = us_since(t0);
	check_closed(fence);
	return us;
}

static double vgem_syncobj(struct ctx *c)
{
	int64_t t0 = tlgpu_now_ns();
	uint32_t id;
	double us;
	int fence;

	fence = vgem_fence(c, &id);
	BENCH_OK(tlgpu_syncobj_import_sync_file(c->fd, c->syncobj, 0, fence));
	bench_vgem_signal(c->vgem, id);
	bench_wait_syncobj(c->fd, c->syncobj);
	us = us_since(t0);
	close(fence);
	return us;
}

static int sw_sync_fence(struct ctx *c)
{
	struct sw_sync_create_fence_data data = { .value = c->sw_value + 1 };

	strcpy(data.name, "bench");
	BENCH_OK(tlgpu_ioctl(c->sw_sync, SW_SYNC_IOC_CREATE_FENCE, &data));
	return data.fence;
}

static void sw_sync_inc(struct ctx *c)
{
	uint32_t one = 1;

	BENCH_OK(tlgpu_ioctl(c->sw_sync, SW_SYNC_IOC_INC, &one));
	c->sw_value++;
}

static double sw_sync_syncfile(struct ctx *c)
{
	int64_t t0 = tlgpu_now_ns();
	double us;
	int fence;

	fence = sw_sync_fence(c);
	sw_sync_inc(c);
	wait_poll(fence);
	us = us_since(t0);
	check_closed(fence);
	return us;
}

static double sw_sync_syncobj(struct ctx *c)
{
	int64_t t0 = tlgpu_now_ns();
	double us;
	int fence;

	fence = sw_sync_fence(c);
	BENCH_OK(tlgpu_syncobj_import_sync_file(c->fd, c->syncobj, 0, fence));
	sw_sync_inc(c);
	bench_wait_syncobj(c->fd, c->syncobj);
	us = us_since(t0);
	close(fence);
	return us;
}

struct variant {
	struct bench_figure fig;
	double (*run)(struct ctx *c);
	bool vgem;		/* needs vgem */
	bool sw_sync;		/* needs sw_sync */
	struct bench_samples s;
};

#define FIG(name, desc, baseline) \
	{ name, desc, "us", BENCH_LOWER, baseline, true }

static struct variant variants[] = {
	{ .fig = FIG("syncfile-tlgpu", "NOP job: SUBMIT, poll its sync_file",
		     "syncfile-vgem"),
	  .run = tlgpu_syncfile },
	{ .fig = FIG("syncfile-vgem", "vgem fence: attach, export, signal, poll",
		     NULL),
	  .run = vgem_syncfile, .vgem = true },
	{ .fig = FIG("syncfile-sw_sync", "sw_sync fence: create, inc, poll",
		     "syncfile-vgem"),
	  .run = sw_sync_syncfile, .vgem = true, .sw_sync = true },
	{ .fig = FIG("syncobj-tlgpu", "NOP job: SUBMIT with out syncobj, SYNCOBJ_WAIT",
		     "syncobj-vgem"),
	  .run = tlgpu_syncobj },
	{ .fig = FIG("syncobj-vgem", "vgem fence: attach, export, import to syncobj, signal, SYNCOBJ_WAIT",
		     NULL),
	  .run = vgem_syncobj, .vgem = true },
	{ .fig = FIG("syncobj-sw_sync", "sw_sync fence: create, import to syncobj, inc, SYNCOBJ_WAIT",
		     "syncobj-vgem"),
	  .run = sw_sync_syncobj, .vgem = true, .sw_sync = true },
};

static bool usable(const struct variant *v, const struct ctx *c)
{
	return (!v->vgem || c->vgem >= 0) && (!v->sw_sync || c->sw_sync >= 0);
}

int main(void)
{
	unsigned int reps, i, k;
	struct tlgpu_node node;
	struct ctx c = { .vgem = -1, .sw_sync = -1 };

	bench_init("fence");
	c.fd = bench_open(0, &node);
	BENCH_OK(tlgpu_syncobj_create(c.fd, 0, &c.syncobj));

	c.vgem = tlgpu_vgem_open(NULL, 0);
	if (c.vgem >= 0)
		bench_vgem_bo(c.vgem, 4096, &c.vgem_bo, &c.vgem_dmabuf);
	c.sw_sync = open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);

	for (k = 0; k < ARRAY_SIZE(variants); k++) {
		struct variant *v = &variants[k];

		if (v->sw_sync && c.sw_sync < 0)
			bench_skip(&v->fig, "no %s in this kernel (CONFIG_SW_SYNC): debug flavour only",
				   SW_SYNC_PATH);
		else if (v->vgem && c.vgem < 0)
			bench_fail("no vgem device: the baseline needs it");
	}

	reps = bench_reps(REPS);
	for (i = 0; i < WARMUP + reps; i++) {
		for (k = 0; k < ARRAY_SIZE(variants); k++) {
			struct variant *v = &variants[k];
			double us;

			if (!usable(v, &c))
				continue;
			us = v->run(&c);
			if (i >= WARMUP)
				bench_add(&v->s, us);
		}
	}

	for (k = 0; k < ARRAY_SIZE(variants); k++) {
		if (usable(&variants[k], &c))
			bench_report(&variants[k].fig, &variants[k].s, NULL);
	}
	return 0;
}
