/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-demo: two tlgpu devices and vgem sharing one image.
 *
 * Device A draws a 256x256 RGBA image into its buffer over several slow
 * jobs; the buffer is exported as a dma-buf and imported by device B and
 * by vgem.  Six phases show how the users of a shared buffer are ordered,
 * each with a log of what waited for what and checks on data and fences:
 *
 *  1. implicit: B copies and checksums the image with no fence given;
 *     the dma-buf's reservation object makes it wait for A's last job.
 *  2. explicit: A's write fence taken out of the dma-buf as a sync_file
 *     (DMA_BUF_IOCTL_EXPORT_SYNC_FILE) is B's in-fence, B runs with
 *     NO_IMPLICIT.
 *  3. import-sync-file: B draws into the image with NO_IMPLICIT; its
 *     fence put into the dma-buf (DMA_BUF_IOCTL_IMPORT_SYNC_FILE) makes
 *     A's next job wait for B.
 *  4. vgem-import: a vgem dumb buffer imported into A, written by an A
 *     job held back by a vgem fence, read through vgem's mmap.
 *  5. vgem-export: A's image imported into vgem; a vgem fence attached
 *     through vgem holds back B; the image read through the dma-buf.
 *  6. image-checksum: the final image against the CPU's reference, and
 *     written as a PNG (a file, and base64 between marker lines on a
 *     serial port for the host to extract).
 *
 * Every device CHECKSUM is compared with the CRC-32 of the image the CPU
 * computed by drawing the same picture (canvas.c).  Exit status 0 when
 * every check passed.  With --ktap the same run prints one KTAP document,
 * a case per phase.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <xf86drm.h>

#include "demo.h"

#define DEFAULT_SLOW_MS	400u
#define JOB_TIMEOUT_NS	(20 * NS_PER_SEC)
#define MAX_JOBS	32
#define SUM_POISON	0xdeadbeefu
#define PNG_NAME	"tlgpu-demo.png"
#define PNG_DEFAULT	"/tmp/" PNG_NAME

/* Checksum slots (u32 each, 8 bytes apart) of the sum buffers. */
enum { SUM_B1, SUM_B2, SUM_A6, SUM_A7, SUM_B4, SUM_SLOTS };

struct device {
	const char *name;
	struct tlgpu_node node;
	char pdev[32];
	uint32_t timeline;
	unsigned int jobs;
};

struct demo {
	bool ktap;
	unsigned int slow_ms;
	uint32_t max_cmd_dwords;

	struct device a, b;
	bool single;		/* one device: B is a second file of it */
	struct tlgpu_bo img;	/* A's image, mapped */
	struct tlgpu_bo a_sum;	/* A's CHECKSUM results, mapped */
	int dmabuf;		/* the image's dma-buf */
	struct tlgpu_bo b_img;	/* the image imported into B */
	struct tlgpu_bo b_dst;	/* B's copy of it, mapped */
	struct tlgpu_bo b_sum;	/* B's CHECKSUM results, mapped */

	int vgem;		/* vgem's primary node, or -errno */
	char vgem_path[TLGPU_NODE_PATH_MAX];

	struct canvas *canvas;
	struct tlgpu_cmdbuf cb;
	struct job jobs[MAX_JOBS];
	unsigned int job_count;
	uint32_t final_crc;
	const char *png_path;
	const char *png_serial;
};

struct phase {
	const char *name;
	const char *title;
	void (*run)(struct demo *d, struct phase *ph);
	unsigned int checks;
	unsigned int failed;
	char skip[128];
};

static bool check(struct phase *ph, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool check(struct phase *ph, bool ok, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_note("%s %s", ok ? "ok:" : "FAILED:", msg);
	ph->checks++;
	if (!ok)
		ph->failed++;
	return ok;
}

/*
 * A step that must succeed (a 0-or-negative-errno result): counted, and
 * printed only when it failed; the event that follows tells the rest.
 */
static bool check_ret(struct phase *ph, int ret, const char *what)
{
	ph->checks++;
	if (!ret)
		return true;
	return check(ph, false, "%s: %s", what, strerror(-ret));
}

static volatile uint32_t *sum_slot(const struct tlgpu_bo *bo, unsigned int slot)
{
	return (volatile uint32_t *)((char *)bo->map + slot * 8);
}

static uint64_t sum_va(const struct tlgpu_bo *bo, unsigned int slot)
{
	return bo->gpu_va + slot * 8;
}

/* An empty command buffer, drawing (if at all) into the image at @va. */
static void begin(struct demo *d, uint64_t va)
{
	tlgpu_cmdbuf_reset(&d->cb);
	canvas_target(d->canvas, &d->cb, va);
}

/*
 * Submits the commands built since begin() on @dev with FENCE_OUT and
 * @flags, logs "<job> submitted: <fmt>" and follows the job.  A failed
 * SUBMIT is a failed check and a job with an error status.
 */
static struct job *submit(struct demo *d, struct phase *ph, struct device *dev,
			  uint32_t flags, int in_fence,
			  const struct drm_tlgpu_bo_ref *bos, unsigned int bo_count,
			  const char *what, const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));

static struct job *submit(struct demo *d, struct phase *ph, struct device *dev,
			  uint32_t flags, int in_fence,
			  const struct drm_tlgpu_bo_ref *bos, unsigned int bo_count,
			  const char *what, const char *fmt, ...)
{
	struct tlgpu_job j = {
		.timeline = dev->timeline,
		.flags = flags | DRM_TLGPU_SUBMIT_FENCE_OUT,
		.bos = bos,
		.bo_count = bo_count,
		.in_fence_fd = in_fence,
	};
	struct job *job = &d->jobs[d->job_count++];
	char msg[300];
	va_list ap;
	int ret;

	if (d->job_count > MAX_JOBS || d->cb.len > d->max_cmd_dwords) {
		fprintf(stderr, "tlgpu-demo: internal error: %u jobs, %u dwords\n",
			d->job_count, d->cb.len);
		abort();
	}
	snprintf(job->name, sizeof(job->name), "%s job %u", dev->name, ++dev->jobs);
	snprintf(job->what, sizeof(job->what), "%s", what);
	job->fence = -1;

	ret = tlgpu_submit_cmdbuf(dev->node.fd, &j, &d->cb, &job->fence, NULL);
	job->submit_ns = tlgpu_now_ns();
	if (ret) {
		job->status = ret;
		job->done_ns = job->submit_ns;
		check(ph, false, "SUBMIT of %s (%s): %s", job->name, what,
		      strerror(-ret));
		return job;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_event("%s submitted: %s", job->name, msg);
	job_track(job);
	return job;
}

/* A job expected to be held back: its fence must still be active. */
static void expect_waiting(struct phase *ph, const struct job *job)
{
	int st = job->fence >= 0 ? tlgpu_sync_file_status(job->fence) : -EBADF;

	check(ph, st == 0, "%s is waiting: its fence is still active (status %d)",
	      job->name, st);
}

static void wait_jobs(struct phase *ph, struct job *const *jobs,
		      unsigned int count)
{
	unsigned int i;

	if (job_wait(jobs, count, JOB_TIMEOUT_NS))
		check(ph, false, "jobs done within %lld s",
		      JOB_TIMEOUT_NS / NS_PER_SEC);
	for (i = 0; i < count; i++)
		if (jobs[i]->status <= 0 && jobs[i]->fence >= 0)
			check(ph, false, "%s signalled without error (status %d)",
			      jobs[i]->name, jobs[i]->status);
}

/* @later was submitted before @earlier finished, and finished after it. */
static void check_order(struct phase *ph, const struct job *later,
			const struct job *earlier)
{
	check(ph, later->status > 0 && earlier->status > 0 &&
	      later->submit_ns < earlier->done_ns &&
	      later->done_ns >= earlier->done_ns,
	      "%s was submitted %.3fs before %s finished and finished %.3fs after it",
	      later->name, (double)(earlier->done_ns - later->submit_ns) / NS_PER_SEC,
	      earlier->name, (double)(later->done_ns - earlier->done_ns) / NS_PER_SEC);
}

/* The device's CHECKSUM in @slot against the reference image. */
static void check_sum(struct demo *d, struct phase *ph, const struct job *job,
		      const struct tlgpu_bo *sum, unsigned int slot)
{
	uint32_t got = *sum_slot(sum, slot), want = canvas_crc(d->canvas);

	check(ph, got == want,
	      "%s's CHECKSUM 0x%08x = CRC-32 of the expected image 0x%08x",
	      job->name, got, want);
}

/* Bytes the CPU reads (@what) against the reference image. */
static void check_image(struct demo *d, struct phase *ph, const uint8_t *img,
			const char *what)
{
	long diff = canvas_compare(d->canvas, img);

	if (diff < 0) {
		check(ph, true, "%s, read by the CPU, is the expected image (CRC-32 0x%08x)",
		      what, tlgpu_crc32(0, img, IMG_SIZE));
		return;
	}
	check(ph, false, "%s, read by the CPU, is the expected image: pixel (%lu, %lu) "
	      "is %02x%02x%02x%02x, expected %02x%02x%02x%02x", what,
	      (unsigned long)(diff % IMG_PITCH / 4), (unsigned long)(diff / IMG_PITCH),
	      img[diff & ~3l], img[(diff & ~3l) + 1], img[(diff & ~3l) + 2],
	      img[(diff & ~3l) + 3], d->canvas->ref[diff & ~3l],
	      d->canvas->ref[(diff & ~3l) + 1], d->canvas->ref[(diff & ~3l) + 2],
	      d->canvas->ref[(diff & ~3l) + 3]);
}

/* Commands: copy the image (at @src) into @dst, CHECKSUM it into @slot. */
static void emit_copy_checksum(struct demo *d, uint64_t dst, uint64_t src,
			       const struct tlgpu_bo *sum, unsigned int slot)
{
	*sum_slot(sum, slot) = SUM_POISON;
	tlgpu_cmd_copy(&d->cb, dst, src, IMG_SIZE);
	tlgpu_cmd_checksum(&d->cb, dst, IMG_SIZE, sum_va(sum, slot));
}

/* ------------------------------------------------------------------ */
/* The phases                                                          */
/* ------------------------------------------------------------------ */

static void phase_implicit(struct demo *d, struct phase *ph)
{
	const struct drm_tlgpu_bo_ref a_bos[] = {
		{ d->img.handle, DRM_TLGPU_BO_WRITE },
	};
	const struct drm_tlgpu_bo_ref b_bos[] = {
		{ d->b_img.handle, DRM_TLGPU_BO_READ },
		{ d->b_dst.handle, DRM_TLGPU_BO_WRITE },
		{ d->b_sum.handle, DRM_TLGPU_BO_WRITE },
	};
	struct job *a[TILE_ROWS / 2], *b, *all[TILE_ROWS / 2 + 1];
	unsigned int i;

	for (i = 0; i < TILE_ROWS / 2; i++) {
		char what[64];

		begin(d, d->img.gpu_va);
		tlgpu_cmd_delay(&d->cb, d->slow_ms * 1000ull);
		draw_tile_rows(d->canvas, 2 * i, 2);
		snprintf(what, sizeof(what), "tiles, rows %u-%u", 2 * i * TILE,
			 (2 * i + 2) * TILE - 1);
		a[i] = submit(d, ph, &d->a, 0, -1, a_bos, ARRAY_SIZE(a_bos), what,
			      "%s of the image (%u ms of work, %u command dwords)",
			      what, d->slow_ms, d->cb.len);
		all[i] = a[i];
	}
	log_note("each A job writes the image: its fence becomes the dma-buf's write fence");

	begin(d, 0);
	emit_copy_checksum(d, d->b_dst.gpu_va, d->b_img.gpu_va, &d->b_sum, SUM_B1);
	b = submit(d, ph, &d->b, 0, -1, b_bos, ARRAY_SIZE(b_bos), "copy + checksum",
		   "copy the shared image into B's buffer + CHECKSUM; no fence "
		   "passed: reads wait implicitly for %s, the image's write fence",
		   a[TILE_ROWS / 2 - 1]->name);
	b->waits_for = "implicit";
	b->waits_for_job = a[TILE_ROWS / 2 - 1];
	all[TILE_ROWS / 2] = b;
	expect_waiting(ph, b);

	wait_jobs(ph, all, ARRAY_SIZE(all));
	check_order(ph, b, a[TILE_ROWS / 2 - 1]);
	check_sum(d, ph, b, &d->b_sum, SUM_B1);
	check_image(d, ph, d->b_dst.map, "B's copy");
}

static void phase_explicit(struct demo *d, struct phase *ph)
{
	const struct drm_tlgpu_bo_ref a_bos[] = {
		{ d->img.handle, DRM_TLGPU_BO_WRITE },
	};
	const struct drm_tlgpu_bo_ref b_bos[] = {
		{ d->b_img.handle, DRM_TLGPU_BO_READ },
		{ d->b_dst.handle, DRM_TLGPU_BO_WRITE },
		{ d->b_sum.handle, DRM_TLGPU_BO_WRITE },
	};
	struct job *a, *b, *all[2];
	char driver[32], timeline[32];
	int sync_fd = -1, ret, st;

	begin(d, d->img.gpu_va);
	tlgpu_cmd_delay(&d->cb, d->slow_ms * 1000ull);
	draw_banner(d->canvas);
	a = submit(d, ph, &d->a, 0, -1, a_bos, ARRAY_SIZE(a_bos), "banner",
		   "the \"tlgpu\" banner (%u ms of work, %u command dwords)",
		   d->slow_ms, d->cb.len);

	ret = tlgpu_dmabuf_export_sync_file(d->dmabuf, DMA_BUF_SYNC_READ, &sync_fd);
	if (!check_ret(ph, ret, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE"))
		return;
	fence_names(sync_fd, driver, timeline);
	st = tlgpu_sync_file_status(sync_fd);
	log_event("CPU: DMA_BUF_IOCTL_EXPORT_SYNC_FILE(READ) on the image's dma-buf: "
		  "a sync_file of %d fence (%s, timeline %s), %s",
		  tlgpu_sync_file_fences(sync_fd), driver, timeline,
		  st == 0 ? "active" : "signalled");
	check(ph, st == 0, "the exported sync_file is active while %s runs", a->name);

	begin(d, 0);
	emit_copy_checksum(d, d->b_dst.gpu_va, d->b_img.gpu_va, &d->b_sum, SUM_B2);
	b = submit(d, ph, &d->b, DRM_TLGPU_SUBMIT_NO_IMPLICIT |
		   DRM_TLGPU_SUBMIT_FENCE_IN, sync_fd, b_bos, ARRAY_SIZE(b_bos),
		   "copy + checksum", "copy + CHECKSUM with NO_IMPLICIT; "
		   "in-fence: that sync_file");
	b->waits_for = "explicit";
	b->waits_for_job = a;
	expect_waiting(ph, b);

	all[0] = a;
	all[1] = b;
	wait_jobs(ph, all, 2);
	check(ph, tlgpu_sync_file_status(sync_fd) == 1,
	      "the exported sync_file signalled with %s", a->name);
	close(sync_fd);
	check_order(ph, b, a);
	check_sum(d, ph, b, &d->b_sum, SUM_B2);
	check_image(d, ph, d->b_dst.map, "B's copy");
}

static void phase_import_sync_file(struct demo *d, struct phase *ph)
{
	const struct drm_tlgpu_bo_ref a_bos[] = {
		{ d->img.handle, DRM_TLGPU_BO_WRITE },
		{ d->a_sum.handle, DRM_TLGPU_BO_WRITE },
	};
	const struct drm_tlgpu_bo_ref b_bos[] = {
		{ d->b_img.handle, DRM_TLGPU_BO_WRITE },
	};
	struct job *a, *b, *all[2];
	int ret;

	begin(d, d->b_img.gpu_va);
	tlgpu_cmd_delay(&d->cb, 2 * d->slow_ms * 1000ull);
	draw_stripe(d->canvas);
	b = submit(d, ph, &d->b, DRM_TLGPU_SUBMIT_NO_IMPLICIT, -1, b_bos,
		   ARRAY_SIZE(b_bos), "stripe",
		   "B draws a stripe into the shared image (%u ms of work), "
		   "NO_IMPLICIT: the dma-buf does not know", 2 * d->slow_ms);
	if (b->status < 0)
		return;

	ret = tlgpu_dmabuf_import_sync_file(d->dmabuf, DMA_BUF_SYNC_WRITE, b->fence);
	if (!check_ret(ph, ret, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE"))
		return;
	log_event("CPU: DMA_BUF_IOCTL_IMPORT_SYNC_FILE(WRITE) on the dma-buf: "
		  "%s's fence is now a write fence of the image", b->name);

	begin(d, d->img.gpu_va);
	draw_marks(d->canvas);
	*sum_slot(&d->a_sum, SUM_A6) = SUM_POISON;
	tlgpu_cmd_checksum(&d->cb, d->img.gpu_va, IMG_SIZE,
			   sum_va(&d->a_sum, SUM_A6));
	a = submit(d, ph, &d->a, 0, -1, a_bos, ARRAY_SIZE(a_bos), "marks + checksum",
		   "marks on B's stripe + CHECKSUM of the image; waits "
		   "implicitly for %s, a fence of the other device", b->name);
	a->waits_for = "foreign";
	a->waits_for_job = b;
	expect_waiting(ph, a);

	all[0] = b;
	all[1] = a;
	wait_jobs(ph, all, 2);
	check_order(ph, a, b);
	check_sum(d, ph, a, &d->a_sum, SUM_A6);
	d->final_crc = canvas_crc(d->canvas);
}

/*
 * Holds @job back with a vgem fence for slow_ms, then signals it from the
 * CPU; checks the job waited for it.
 */
static void release_vgem_fence(struct demo *d, struct phase *ph,
			       struct job *job, uint32_t fence)
{
	int64_t signal_ns;
	int ret;

	log_pump(tlgpu_now_ns() + d->slow_ms * NS_PER_MS);
	expect_waiting(ph, job);
	/* Before the ioctl: the job may be done before it returns. */
	signal_ns = tlgpu_now_ns();
	ret = tlgpu_vgem_fence_signal(d->vgem, fence);
	log_event_at(signal_ns, "CPU: DRM_IOCTL_VGEM_FENCE_SIGNAL: the vgem fence signals");
	check_ret(ph, ret, "DRM_IOCTL_VGEM_FENCE_SIGNAL");
	wait_jobs(ph, &job, 1);
	check(ph, job->status > 0 && job->done_ns >= signal_ns,
	      "%s finished %.3fs after the vgem fence was signalled", job->name,
	      (double)(job->done_ns - signal_ns) / NS_PER_SEC);
}

static void phase_vgem_import(struct demo *d, struct phase *ph)
{
	struct tlgpu_bo vbo;
	uint32_t handle, pitch, fence;
	uint64_t size;
	void *map = NULL;
	int fd = -1, ret;
	struct job *a;

	ret = tlgpu_vgem_dumb_create(d->vgem, IMG_W, IMG_H, 32, &handle, &pitch,
				     &size);
	if (!check_ret(ph, ret, "vgem DRM_IOCTL_MODE_CREATE_DUMB"))
		return;
	if (!check(ph, pitch == IMG_PITCH && size >= IMG_SIZE,
		   "vgem dumb buffer pitch %u (want %u), size %llu", pitch,
		   IMG_PITCH, (unsigned long long)size))
		goto out_handle;
	ret = tlgpu_vgem_dumb_map(d->vgem, handle, size, &map);
	if (!check_ret(ph, ret, "vgem MAP_DUMB and mmap of its own buffer"))
		goto out_handle;
	ret = drmPrimeHandleToFD(d->vgem, handle, DRM_CLOEXEC | DRM_RDWR, &fd);
	if (!check_ret(ph, ret ? -errno : 0, "vgem PRIME export"))
		goto out_map;
	ret = tlgpu_bo_import(d->a.node.fd, fd, &vbo);
	if (!check_ret(ph, ret, "PRIME import of the vgem buffer into A"))
		goto out_fd;
	log_event("vgem: dumb buffer %ux%u, pitch %u, exported; A imported it at "
		  "GPU VA 0x%llx", IMG_W, IMG_H, pitch,
		  (unsigned long long)vbo.gpu_va);

	ret = tlgpu_vgem_fence_attach(d->vgem, handle, true, &fence);
	if (!check_ret(ph, ret, "DRM_IOCTL_VGEM_FENCE_ATTACH"))
		goto out_bo;
	log_event("vgem: DRM_IOCTL_VGEM_FENCE_ATTACH(WRITE) on it: a fence only "
		  "the CPU signals");

	{
		const struct drm_tlgpu_bo_ref bos[] = {
			{ d->img.handle, DRM_TLGPU_BO_READ },
			{ vbo.handle, DRM_TLGPU_BO_WRITE },
			{ d->a_sum.handle, DRM_TLGPU_BO_WRITE },
		};

		begin(d, 0);
		emit_copy_checksum(d, vbo.gpu_va, d->img.gpu_va, &d->a_sum, SUM_A7);
		a = submit(d, ph, &d->a, 0, -1, bos, ARRAY_SIZE(bos),
			   "copy into vgem + checksum",
			   "copy the image into the vgem buffer + CHECKSUM; waits "
			   "implicitly for the vgem fence");
	}
	a->waits_for = "vgem";
	if (a->status >= 0) {
		release_vgem_fence(d, ph, a, fence);
		check_sum(d, ph, a, &d->a_sum, SUM_A7);
		check_image(d, ph, map, "the vgem buffer through vgem's mmap");
	} else {
		tlgpu_vgem_fence_signal(d->vgem, fence);
	}

out_bo:
	tlgpu_bo_close(&vbo);
out_fd:
	close(fd);
out_map:
	munmap(map, size);
out_handle:
	tlgpu_gem_close(d->vgem, handle);
}

/* Reads @dmabuf_fd's whole buffer through its mmap; NULL on failure. */
static uint8_t *read_dmabuf(struct phase *ph, int dmabuf_fd)
{
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	uint8_t *copy;
	void *map;

	map = mmap(NULL, IMG_SIZE, PROT_READ, MAP_SHARED, dmabuf_fd, 0);
	if (!check_ret(ph, map == MAP_FAILED ? -errno : 0, "mmap of the dma-buf"))
		return NULL;
	copy = malloc(IMG_SIZE);
	if (copy) {
		ioctl(dmabuf_fd, DMA_BUF_IOCTL_SYNC, &sync);
		memcpy(copy, map, IMG_SIZE);
		sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
		ioctl(dmabuf_fd, DMA_BUF_IOCTL_SYNC, &sync);
	}
	munmap(map, IMG_SIZE);
	return copy;
}

static void phase_vgem_export(struct demo *d, struct phase *ph)
{
	const struct drm_tlgpu_bo_ref bos[] = {
		{ d->b_img.handle, DRM_TLGPU_BO_READ },
		{ d->b_dst.handle, DRM_TLGPU_BO_WRITE },
		{ d->b_sum.handle, DRM_TLGPU_BO_WRITE },
	};
	uint32_t handle, fence;
	uint8_t *img = NULL;
	void *map = NULL;
	int fd = -1, ret;
	struct job *b;

	ret = drmPrimeFDToHandle(d->vgem, d->dmabuf, &handle);
	if (!check_ret(ph, ret ? -errno : 0, "PRIME import of the image into vgem"))
		return;
	log_event("vgem: PRIME import of the image's dma-buf: vgem handle %u", handle);

	ret = tlgpu_vgem_dumb_map(d->vgem, handle, IMG_SIZE, &map);
	if (ret)
		log_note("vgem does not map an imported buffer (MAP_DUMB: %s): "
			 "the CPU will read it through the dma-buf", strerror(-ret));
	else
		log_note("vgem maps the imported buffer (MAP_DUMB)");

	ret = tlgpu_vgem_fence_attach(d->vgem, handle, true, &fence);
	if (!check_ret(ph, ret, "DRM_IOCTL_VGEM_FENCE_ATTACH"))
		goto out_handle;
	log_event("vgem: DRM_IOCTL_VGEM_FENCE_ATTACH(WRITE) on the imported image: "
		  "the fence lands in the image's reservation object");

	begin(d, 0);
	emit_copy_checksum(d, d->b_dst.gpu_va, d->b_img.gpu_va, &d->b_sum, SUM_B4);
	b = submit(d, ph, &d->b, 0, -1, bos, ARRAY_SIZE(bos), "copy + checksum",
		   "copy the image + CHECKSUM; waits implicitly for the vgem fence");
	b->waits_for = "vgem";
	if (b->status < 0) {
		tlgpu_vgem_fence_signal(d->vgem, fence);
		goto out_handle;
	}
	release_vgem_fence(d, ph, b, fence);
	check_sum(d, ph, b, &d->b_sum, SUM_B4);

	if (map) {
		check_image(d, ph, map, "the image through vgem's mmap");
		goto out_handle;
	}
	ret = drmPrimeHandleToFD(d->vgem, handle, DRM_CLOEXEC, &fd);
	if (!check_ret(ph, ret ? -errno : 0, "vgem PRIME export of the imported image"))
		goto out_handle;
	img = read_dmabuf(ph, fd);
	if (img)
		check_image(d, ph, img, "the image through vgem's dma-buf");

out_handle:
	free(img);
	if (fd >= 0)
		close(fd);
	if (map)
		munmap(map, IMG_SIZE);
	tlgpu_gem_close(d->vgem, handle);
}

/* Writes the PNG where it was asked for; 0 or -errno. */
static int write_png(struct demo *d, struct phase *ph, const uint8_t *png,
		     size_t len)
{
	char what[160];
	int fd, ret = 0;

	if (d->png_path) {
		fd = open(d->png_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, png, len) != (ssize_t)len)
			ret = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(what, sizeof(what), "writing %s", d->png_path);
		if (check_ret(ph, ret, what))
			log_note("the image as a PNG: %s (%zu bytes)", d->png_path, len);
	}
	if (d->png_serial) {
		struct termios tio;

		fd = open(d->png_serial, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
		} else {
			/* Raw: no \r added, nothing translated. */
			if (!tcgetattr(fd, &tio)) {
				cfmakeraw(&tio);
				tcsetattr(fd, TCSANOW, &tio);
			}
			ret = base64_write_marked(fd, PNG_NAME, png, len);
			tcdrain(fd);
			close(fd);
		}
		snprintf(what, sizeof(what), "sending the PNG on %s", d->png_serial);
		if (check_ret(ph, ret, what))
			log_note("the PNG, base64-encoded, sent on %s", d->png_serial);
	}
	return ret;
}

static void phase_image_checksum(struct demo *d, struct phase *ph)
{
	const uint8_t *img = d->img.map;
	uint32_t crc = tlgpu_crc32(0, img, IMG_SIZE);
	uint8_t *png;
	size_t len;

	check(ph, crc == d->final_crc && crc == canvas_crc(d->canvas),
	      "the final image (A's buffer read by the CPU) has CRC-32 0x%08x, "
	      "expected 0x%08x", crc, canvas_crc(d->canvas));
	check_image(d, ph, img, "A's buffer");
	check(ph, *sum_slot(&d->a_sum, SUM_A6) == crc &&
	      *sum_slot(&d->a_sum, SUM_A7) == crc &&
	      *sum_slot(&d->b_sum, SUM_B4) == crc,
	      "the devices' checksums of the final image agree: A 0x%08x, "
	      "A via vgem 0x%08x, B 0x%08x", *sum_slot(&d->a_sum, SUM_A6),
	      *sum_slot(&d->a_sum, SUM_A7), *sum_slot(&d->b_sum, SUM_B4));

	png = png_encode_rgba(img, IMG_W, IMG_H, IMG_PITCH, &len);
	if (!check_ret(ph, png ? 0 : -ENOMEM, "PNG encoding"))
		return;
	write_png(d, ph, png, len);
	free(png);
}

#define PHASE(n, t, fn)	{ .name = (n), .title = (t), .run = (fn) }

static struct phase phases[] = {
	PHASE("implicit", "B reads A's image, ordered by the dma-buf's "
	      "reservation object alone", phase_implicit),
	PHASE("explicit", "the image's fence taken out as a sync_file is B's "
	      "in-fence, B with NO_IMPLICIT", phase_explicit),
	PHASE("import-sync-file", "B's fence put into the dma-buf holds back "
	      "A's next job", phase_import_sync_file),
	PHASE("vgem-import", "a vgem buffer written by A, held back by a "
	      "vgem fence, read through vgem", phase_vgem_import),
	PHASE("vgem-export", "A's image imported into vgem, whose fence on "
	      "it holds back B", phase_vgem_export),
	PHASE("image-checksum", "the final image, checked and saved as a PNG",
	      phase_image_checksum),
};

/* ------------------------------------------------------------------ */
/* Setup                                                               */
/* ------------------------------------------------------------------ */

static int open_device(struct device *dev, const char *name, unsigned int index)
{
	drmDevicePtr info;
	int ret;

	dev->name = name;
	ret = tlgpu_open_index(index, &dev->node);
	if (ret < 0)
		return ret;
	snprintf(dev->pdev, sizeof(dev->pdev), "?");
	if (!drmGetDevice2(dev->node.fd, 0, &info)) {
		if (info->bustype == DRM_BUS_PCI)
			snprintf(dev->pdev, sizeof(dev->pdev), "%04x:%02x:%02x.%x",
				 info->businfo.pci->domain, info->businfo.pci->bus,
				 info->businfo.pci->dev, info->businfo.pci->func);
		drmFreeDevice(&info);
	}
	return 0;
}

static int make_bo(int fd, uint64_t size, struct tlgpu_bo *bo, const char *what)
{
	int ret = tlgpu_bo_create(fd, size, 0, bo);

	if (!ret)
		ret = tlgpu_bo_map(bo);
	if (ret)
		log_line("setup: %s: %s", what, strerror(-ret));
	return ret;
}

static int setup(struct demo *d)
{
	uint64_t val;
	int ret;

	ret = open_device(&d->a, "A", 0);
	if (ret) {
		log_line("setup: no tlgpu device: %s", strerror(-ret));
		return ret;
	}
	ret = open_device(&d->b, "B", 1);
	if (ret == -ENOENT) {
		/* One device: B is another file, another address space. */
		d->single = true;
		ret = open_device(&d->b, "B", 0);
		if (!ret && !tlgpu_get_param(d->b.node.fd,
					     DRM_TLGPU_PARAM_NUM_TIMELINES, &val) &&
		    val > 1)
			d->b.timeline = 1;
	}
	if (ret) {
		log_line("setup: opening device B: %s", strerror(-ret));
		return ret;
	}
	/* Drivers without the parameter take the uAPI's maximum. */
	ret = tlgpu_get_param(d->a.node.fd, DRM_TLGPU_PARAM_MAX_CMD_DWORDS, &val);
	d->max_cmd_dwords = ret ? DRM_TLGPU_MAX_CMD_DWORDS : val;

	if (make_bo(d->a.node.fd, IMG_SIZE, &d->img, "A's image") ||
	    make_bo(d->a.node.fd, 4096, &d->a_sum, "A's checksum buffer") ||
	    make_bo(d->b.node.fd, IMG_SIZE, &d->b_dst, "B's copy") ||
	    make_bo(d->b.node.fd, 4096, &d->b_sum, "B's checksum buffer"))
		return -ENOMEM;
	ret = tlgpu_bo_export(&d->img, DRM_CLOEXEC | DRM_RDWR, &d->dmabuf);
	if (ret) {
		log_line("setup: PRIME export of the image: %s", strerror(-ret));
		return ret;
	}
	ret = tlgpu_bo_import(d->b.node.fd, d->dmabuf, &d->b_img);
	if (ret) {
		log_line("setup: PRIME import of the image into B: %s", strerror(-ret));
		return ret;
	}
	d->vgem = tlgpu_vgem_open(d->vgem_path, sizeof(d->vgem_path));

	log_line("device A: %s (%s), timeline %u", d->a.node.path, d->a.pdev,
		 d->a.timeline);
	log_line("device B: %s (%s), timeline %u%s", d->b.node.path, d->b.pdev,
		 d->b.timeline, d->single ?
		 " (one device only: B is a second file of it)" : "");
	if (d->vgem >= 0)
		log_line("vgem:     %s", d->vgem_path);
	else
		log_line("vgem:     not found (%s): the vgem phases are skipped",
			 strerror(-d->vgem));
	log_line("image:    %ux%u RGBA, %u bytes, created by A at GPU VA 0x%llx, "
		 "shared as a dma-buf, B maps it at 0x%llx", IMG_W, IMG_H, IMG_SIZE,
		 (unsigned long long)d->img.gpu_va,
		 (unsigned long long)d->b_img.gpu_va);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tlgpu-demo [--ktap] [--png FILE] [--png-serial DEV] [--slow-ms N]\n"
		"Two tlgpu devices (or two files of one) and vgem share an image;\n"
		"prints a timeline of what waited for what and checks every result.\n"
		"  --ktap            print KTAP, one case per phase\n"
		"  --png FILE        write the final image there (default %s)\n"
		"  --png-serial DEV  also write it base64-encoded between\n"
		"                    TLGPU-PNG-BEGIN/END lines on DEV (a serial port)\n"
		"  --slow-ms N       milliseconds of work of a slow job (default %u)\n"
		"Exits 0 when every check passed, 1 otherwise.\n",
		PNG_DEFAULT, DEFAULT_SLOW_MS);
}

static int parse_args(struct demo *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ktap", no_argument, NULL, 'k' },
		{ "png", required_argument, NULL, 'p' },
		{ "png-serial", required_argument, NULL, 's' },
		{ "slow-ms", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	int c;

	d->slow_ms = DEFAULT_SLOW_MS;
	d->png_path = PNG_DEFAULT;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			d->ktap = true;
			break;
		case 'p':
			d->png_path = optarg;
			break;
		case 's':
			d->png_serial = optarg;
			break;
		case 'm':
			d->slow_ms = strtoul(optarg, &end, 10);
			if (*end || !d->slow_ms || d->slow_ms > 1000) {
				fprintf(stderr, "tlgpu-demo: --slow-ms takes 1..1000\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct demo demo = { .vgem = -1, .dmabuf = -1 };
	struct demo *d = &demo;
	unsigned int i, n = ARRAY_SIZE(phases), failed = 0, skipped = 0;
	int ret;

	ret = parse_args(d, argc, argv);
	if (ret)
		return ret;
	d->canvas = calloc(1, sizeof(*d->canvas));
	if (!d->canvas)
		return 1;
	tlgpu_cmdbuf_init(&d->cb);

	if (d->ktap)
		printf("KTAP version 1\n1..%u\n", n);
	log_init(d->ktap);
	log_line("tlgpu-demo: two devices share an image; times are seconds since the start");
	ret = setup(d);

	for (i = 0; i < n; i++) {
		struct phase *ph = &phases[i];

		if (ret) {
			ph->failed = 1;
		} else if (d->vgem < 0 && !strncmp(ph->name, "vgem", 4)) {
			snprintf(ph->skip, sizeof(ph->skip), "no vgem device");
		} else {
			log_line("%s", "");
			log_line("== %u/%u %s: %s ==", i + 1, n, ph->name, ph->title);
			ph->run(d, ph);
			if (!ph->checks)
				check(ph, false, "the phase checked nothing");
		}
		if (ph->failed)
			failed++;
		else if (ph->skip[0])
			skipped++;
		if (d->ktap) {
			if (ph->skip[0])
				printf("ok %u %s # SKIP %s\n", i + 1, ph->name, ph->skip);
			else
				printf("%sok %u %s\n", ph->failed ? "not " : "", i + 1,
				       ph->name);
			fflush(stdout);
		}
	}

	log_line("%s", "");
	log_line("== summary ==");
	for (i = 0; i < n; i++)
		log_line("  %-18s %s%s", phases[i].name,
			 phases[i].failed ? "FAILED" : phases[i].skip[0] ? "skipped: " : "ok",
			 phases[i].failed ? "" : phases[i].skip);
	if (!ret && d->png_path)
		log_line("final image: %s%s%s", d->png_path,
			 d->png_serial ? ", and base64 on " : "",
			 d->png_serial ? d->png_serial : "");
	log_line("tlgpu-demo: %u of %u phases passed, %u failed, %u skipped",
		 n - failed - skipped, n, failed, skipped);
	if (d->ktap)
		printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
		       n - failed - skipped, failed, skipped);

	for (i = 0; i < d->job_count; i++)
		job_release(&d->jobs[i]);
	tlgpu_cmdbuf_fini(&d->cb);
	free(d->canvas);
	return failed ? 1 : 0;
}
