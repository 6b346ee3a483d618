/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-prime: sharing buffers through dma-buf.  Export and import within
 * a file, between files, between two tlgpu devices and with vgem; the
 * data seen on both sides; implicit synchronization across devices with
 * no fence passed by hand; the dma-buf EXPORT_SYNC_FILE (read: the
 * writers' fences, write: all) and IMPORT_SYNC_FILE ioctls gating tlgpu
 * jobs; and vgem fences, held by the test and signalled by hand, that
 * tlgpu jobs must wait for.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "common.h"

#define R		DRM_TLGPU_BO_READ
#define W		DRM_TLGPU_BO_WRITE
#define REF(bo, fl)	{ .handle = (bo).handle, .flags = (fl) }

/* ------------------------------------------------------------------ */
/* vgem (libtlgpu's tlgpu_vgem_*)                                     */
/* ------------------------------------------------------------------ */

struct vgem_bo {
	uint32_t handle;
	uint64_t size;
	void *map;
};

/* Opens the primary node of vgem; skips when there is none. */
static enum ktap_result vgem_open(int *out)
{
	*out = tlgpu_vgem_open(NULL, 0);
	if (*out < 0)
		return ktap_skip("no vgem device (modprobe vgem)");
	return KTAP_PASS;
}
#define VGEM_OPEN(fd)	CHECK(vgem_open(fd))

/* A vgem dumb buffer of @size bytes (a multiple of 4 KiB), mapped. */
static enum ktap_result vgem_bo(int fd, uint64_t size, struct vgem_bo *bo)
{
	uint64_t created;

	KTAP_ASSERT_OK(tlgpu_vgem_dumb_create(fd, 1024, size / PAGE, 32,
					      &bo->handle, NULL, &created));
	KTAP_ASSERT(created >= size, "dumb buffer of %llu bytes",
		    (unsigned long long)created);
	KTAP_ASSERT_OK(tlgpu_vgem_dumb_map(fd, bo->handle, size, &bo->map));
	bo->size = size;
	return KTAP_PASS;
}
#define VGEM_BO(fd, size, bo)	CHECK(vgem_bo(fd, size, bo))

/* ------------------------------------------------------------------ */
/* Jobs                                                                */
/* ------------------------------------------------------------------ */

/* DELAY @ms, FILL the first page of @bo; @bo listed with @access. */
static int slow_fill(const struct tlgpu_bo *bo, uint32_t tl, uint32_t access,
		     unsigned int ms, uint32_t pattern, int *fence)
{
	struct drm_tlgpu_bo_ref ref = REF(*bo, access);
	struct tlgpu_cmdbuf cb = { 0 };
	int ret;

	if (ms)
		tlgpu_cmd_delay(&cb, ms * MS);
	tlgpu_cmd_fill(&cb, bo->gpu_va, PAGE, pattern);
	ret = test_submit(bo->fd, tl, 0, &cb, &ref, 1, fence);
	tlgpu_cmdbuf_fini(&cb);
	return ret;
}

/* DELAY @ms, COPY a page from @src to @dst (same file); reads @src. */
static int copy_job(const struct tlgpu_bo *dst, const struct tlgpu_bo *src,
		    uint32_t tl, unsigned int ms, int *fence)
{
	struct drm_tlgpu_bo_ref refs[2] = { REF(*src, R), REF(*dst, W) };
	struct tlgpu_cmdbuf cb = { 0 };
	int ret;

	if (ms)
		tlgpu_cmd_delay(&cb, ms * MS);
	tlgpu_cmd_copy(&cb, dst->gpu_va, src->gpu_va, PAGE);
	ret = test_submit(dst->fd, tl, 0, &cb, refs, 2, fence);
	tlgpu_cmdbuf_fini(&cb);
	return ret;
}

/* Timeline 1, or 0 on a device with one timeline. */
static uint32_t second_timeline(int fd)
{
	uint64_t n = 1;

	tlgpu_get_param(fd, DRM_TLGPU_PARAM_NUM_TIMELINES, &n);
	return n > 1;
}

/* CHECKSUM of @size bytes of @bo into @out, run to completion. */
static enum ktap_result gpu_crc(const struct tlgpu_bo *bo, uint64_t size,
				const struct tlgpu_bo *out, uint32_t *crc)
{
	struct drm_tlgpu_bo_ref refs[2] = { REF(*bo, R), REF(*out, W) };
	struct tlgpu_cmdbuf cb = { 0 };

	KTAP_ASSERT_OK(tlgpu_cmd_checksum(&cb, bo->gpu_va, size, out->gpu_va));
	TEST_RUN(bo->fd, 0, 0, &cb, refs, 2);
	*crc = *(uint32_t *)out->map;
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Sharing                                                             */
/* ------------------------------------------------------------------ */

static enum ktap_result test_self_import(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo, again;
	int dmabuf;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, 2 * PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT(fcntl(dmabuf, F_GETFD) & FD_CLOEXEC, "not close-on-exec");
	KTAP_ASSERT_OK(tlgpu_bo_import(n.fd, dmabuf, &again));
	/* The file's own buffer: the same handle, address and size. */
	KTAP_ASSERT_EQ(again.handle, bo.handle);
	KTAP_ASSERT_EQ(again.gpu_va, bo.gpu_va);
	KTAP_ASSERT_EQ(again.size, bo.size);
	return KTAP_PASS;
}

/* Two files of one device share a buffer, each at its own address. */
static enum ktap_result test_other_file(void)
{
	const uint64_t size = 8 * PAGE;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node a, b;
	struct tlgpu_bo bo, imp, out;
	uint32_t crc;
	int dmabuf;

	TEST_OPEN(0, &a);
	TEST_OPEN(0, &b);
	TEST_BO(a.fd, size, &bo);
	TEST_BO(b.fd, PAGE, &out);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_bo_import(b.fd, dmabuf, &imp));
	KTAP_ASSERT_EQ(imp.size, size);
	KTAP_ASSERT(imp.gpu_va % PAGE == 0, "va 0x%llx",
		    (unsigned long long)imp.gpu_va);
	KTAP_ASSERT(imp.gpu_va + size <= out.gpu_va ||
		    out.gpu_va + PAGE <= imp.gpu_va, "overlaps b's buffer");

	/* a's CPU writes, b's GPU reads. */
	test_fill_random(bo.map, size, 21);
	CHECK(gpu_crc(&imp, size, &out, &crc));
	KTAP_ASSERT_EQ(crc, tlgpu_crc32(0, bo.map, size));

	/* b's GPU writes, a's CPU reads. */
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, imp.gpu_va + PAGE, PAGE, 0xb0b0));
	TEST_RUN(b.fd, 0, 0, &cb, NULL, 0);
	ASSERT_U32(bo_ptr(&bo, PAGE), PAGE, 0xb0b0);
	return KTAP_PASS;
}

static enum ktap_result test_second_device(void)
{
	const uint64_t size = 16 * PAGE;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n0, n1;
	struct tlgpu_bo bo, imp, out;
	uint32_t crc;
	int dmabuf;

	TEST_OPEN(0, &n0);
	TEST_OPEN(1, &n1);
	TEST_BO(n0.fd, size, &bo);
	TEST_BO(n1.fd, PAGE, &out);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_bo_import(n1.fd, dmabuf, &imp));
	KTAP_ASSERT_EQ(imp.size, size);

	test_fill_random(bo.map, size, 33);
	CHECK(gpu_crc(&imp, size, &out, &crc));
	KTAP_ASSERT_EQ(crc, tlgpu_crc32(0, bo.map, size));

	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, imp.gpu_va, 3 * PAGE, 0xd1d1d1d1));
	TEST_RUN(n1.fd, 0, 0, &cb, NULL, 0);
	ASSERT_U32(bo.map, 3 * PAGE, 0xd1d1d1d1);

	/* The importer can map it too. */
	KTAP_ASSERT_OK(tlgpu_bo_map(&imp));
	KTAP_ASSERT(!memcmp(imp.map, bo.map, size),
		    "the two mappings differ");
	return KTAP_PASS;
}

/* The importer's handle keeps the buffer after the exporter let go. */
static enum ktap_result test_import_lifetime(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n0, n1;
	struct tlgpu_bo bo, imp;
	int dmabuf;

	TEST_OPEN(0, &n0);
	if (test_open(1, &n1) != KTAP_PASS)
		TEST_OPEN(0, &n1);	/* another file of device 0 then */
	TEST_BO(n0.fd, PAGE, &bo);
	memset(bo.map, 0x6c, PAGE);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_bo_import(n1.fd, dmabuf, &imp));
	KTAP_ASSERT_OK(tlgpu_bo_close(&bo));
	close(dmabuf);
	close(n0.fd);

	KTAP_ASSERT_OK(tlgpu_cmd_copy(&cb, imp.gpu_va + 2048, imp.gpu_va,
				      2048));
	TEST_RUN(n1.fd, 0, 0, &cb, NULL, 0);
	KTAP_ASSERT_OK(tlgpu_bo_map(&imp));
	ASSERT_U32(imp.map, PAGE, 0x6c6c6c6c);
	return KTAP_PASS;
}

static enum ktap_result test_vgem_import(void)
{
	const uint64_t size = 4 * PAGE;
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo imp, out;
	struct vgem_bo v;
	uint32_t crc;
	int vgem, dmabuf;

	TEST_OPEN(0, &n);
	VGEM_OPEN(&vgem);
	VGEM_BO(vgem, size, &v);
	TEST_BO(n.fd, PAGE, &out);
	KTAP_ASSERT(!drmPrimeHandleToFD(vgem, v.handle, DRM_CLOEXEC | DRM_RDWR,
					&dmabuf), "vgem export: %s",
		    strerror(errno));
	KTAP_ASSERT_OK(tlgpu_bo_import(n.fd, dmabuf, &imp));
	KTAP_ASSERT_EQ(imp.size, size);

	test_fill_random(v.map, size, 44);
	CHECK(gpu_crc(&imp, size, &out, &crc));
	KTAP_ASSERT_EQ(crc, tlgpu_crc32(0, v.map, size));

	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, imp.gpu_va + PAGE, 2 * PAGE,
				      0x76676d21));
	TEST_RUN(n.fd, 0, 0, &cb, NULL, 0);
	ASSERT_U32((char *)v.map + PAGE, 2 * PAGE, 0x76676d21);
	return KTAP_PASS;
}

/*
 * A tlgpu buffer imported by vgem (an attachment of another driver): the
 * GPU's writes are seen through the dma-buf's own mapping.
 */
static enum ktap_result test_export_to_vgem(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint32_t vhandle, vhandle2;
	uint32_t *dmap;
	int vgem, dmabuf, again;

	TEST_OPEN(0, &n);
	VGEM_OPEN(&vgem);
	TEST_BO(n.fd, 2 * PAGE, &bo);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT(!drmPrimeFDToHandle(vgem, dmabuf, &vhandle),
		    "vgem import: %s", strerror(errno));
	/* vgem re-exports the same dma-buf, which tlgpu knows as its own. */
	KTAP_ASSERT(!drmPrimeHandleToFD(vgem, vhandle, DRM_CLOEXEC, &again),
		    "vgem re-export: %s", strerror(errno));
	KTAP_ASSERT(!drmPrimeFDToHandle(n.fd, again, &vhandle2),
		    "re-import: %s", strerror(errno));
	KTAP_ASSERT_EQ(vhandle2, bo.handle);

	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, bo.gpu_va, 2 * PAGE, 0x7e7e0001));
	TEST_RUN(n.fd, 0, 0, &cb, NULL, 0);
	dmap = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, dmabuf, 0);
	KTAP_ASSERT(dmap != MAP_FAILED, "mmap of the dma-buf: %s",
		    strerror(errno));
	ASSERT_U32(dmap, 2 * PAGE, 0x7e7e0001);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Implicit synchronization across devices                             */
/* ------------------------------------------------------------------ */

/*
 * Device 0 writes a shared buffer slowly; a job of device 1 reading it,
 * submitted right after with no fence passed, waits for it.
 */
static enum ktap_result test_implicit_cross_device_read(void)
{
	struct tlgpu_node n0, n1;
	struct tlgpu_bo bo, imp, local;
	int dmabuf, fw, fr;

	TEST_OPEN(0, &n0);
	TEST_OPEN(1, &n1);
	TEST_BO(n0.fd, PAGE, &bo);
	TEST_BO(n1.fd, PAGE, &local);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_bo_import(n1.fd, dmabuf, &imp));

	KTAP_ASSERT_OK(slow_fill(&bo, 0, W, SLOW_MS, 0xacce55ed, &fw));
	KTAP_ASSERT_OK(copy_job(&local, &imp, 0, 0, &fr));
	ASSERT_ACTIVE(fw);
	ASSERT_ACTIVE(fr);
	ASSERT_SIGNALLED(fr);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fw), 1);
	ASSERT_U32(local.map, PAGE, 0xacce55ed);
	return KTAP_PASS;
}

/* Device 0 reads a shared buffer slowly; device 1's writer waits. */
static enum ktap_result test_implicit_cross_device_write(void)
{
	struct tlgpu_node n0, n1;
	struct tlgpu_bo bo, imp, local;
	int dmabuf, fw, fr;

	TEST_OPEN(0, &n0);
	TEST_OPEN(1, &n1);
	TEST_BO(n1.fd, PAGE, &bo);
	TEST_BO(n0.fd, PAGE, &local);
	memset(bo.map, 0x19, PAGE);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_bo_import(n0.fd, dmabuf, &imp));

	KTAP_ASSERT_OK(copy_job(&local, &imp, 0, SLOW_MS, &fr));
	KTAP_ASSERT_OK(slow_fill(&bo, 0, W, 0, 0x2a2a2a2a, &fw));
	ASSERT_ACTIVE(fw);
	ASSERT_SIGNALLED(fw);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fr), 1);
	ASSERT_U32(local.map, PAGE, 0x19191919);
	ASSERT_U32(bo.map, PAGE, 0x2a2a2a2a);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* dma-buf sync_file export and import                                 */
/* ------------------------------------------------------------------ */

static enum ktap_result test_export_sync_file(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo, other;
	int dmabuf, fw, fr, rd, wr;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, PAGE, &bo);
	TEST_BO(n.fd, PAGE, &other);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));

	/* Idle: nothing to wait for either way. */
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(dmabuf, DMA_BUF_SYNC_READ,
						     &rd));
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(rd), 1);

	/* A pending writer: both a reader and a writer wait for it. */
	KTAP_ASSERT_OK(slow_fill(&bo, 0, W, SLOW_MS, 1, &fw));
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(dmabuf, DMA_BUF_SYNC_READ,
						     &rd));
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(dmabuf, DMA_BUF_SYNC_WRITE,
						     &wr));
	ASSERT_ACTIVE(rd);
	ASSERT_ACTIVE(wr);
	ASSERT_SIGNALLED(fw);
	ASSERT_SIGNALLED(rd);
	ASSERT_SIGNALLED(wr);

	/* A pending reader only: a reader waits for nothing, a writer waits. */
	KTAP_ASSERT_OK(copy_job(&other, &bo, 0, SLOW_MS, &fr));
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(dmabuf, DMA_BUF_SYNC_READ,
						     &rd));
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(dmabuf,
						     DMA_BUF_SYNC_READ |
						     DMA_BUF_SYNC_WRITE, &wr));
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(rd), 1);
	ASSERT_ACTIVE(wr);
	ASSERT_ACTIVE(fr);
	ASSERT_SIGNALLED(wr);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fr), 1);
	return KTAP_PASS;
}

/*
 * A sync_file of a pending job put into a buffer's reservation as a
 * writer (@write) or a reader: who must wait for it.
 */
static enum ktap_result import_sync_file(bool write)
{
	struct tlgpu_node n;
	struct tlgpu_bo gate, bo, dst;
	int dmabuf, fg, fr, fw, sw, sg;

	TEST_OPEN(0, &n);
	CHECK(test_need_timelines(n.fd, 3));
	TEST_BO(n.fd, PAGE, &gate);
	TEST_BO(n.fd, PAGE, &bo);
	TEST_BO(n.fd, PAGE, &dst);
	memset(bo.map, 0x31, PAGE);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));

	/* A slow job on another buffer: its fence gates bo. */
	KTAP_ASSERT_OK(slow_fill(&gate, 0, W, SLOW_MS, 7, &fg));
	KTAP_ASSERT_OK(tlgpu_dmabuf_import_sync_file(dmabuf,
						     write ? DMA_BUF_SYNC_WRITE :
							     DMA_BUF_SYNC_READ,
						     fg));
	KTAP_ASSERT_OK(copy_job(&dst, &bo, 1, 0, &fr));
	if (write) {
		/* Readers wait for a writer. */
		ASSERT_ACTIVE(fr);
		ASSERT_SIGNALLED(fr);
		KTAP_ASSERT_EQ(tlgpu_sync_file_status(fg), 1);
	} else {
		/* Readers don't wait for a reader. */
		ASSERT_SIGNALLED(fr);
		ASSERT_ACTIVE(fg);
	}
	ASSERT_U32(dst.map, PAGE, 0x31313131);

	/* A writer waits either way. */
	KTAP_ASSERT_OK(tlgpu_dmabuf_import_sync_file(dmabuf, DMA_BUF_SYNC_WRITE,
						     fg));
	KTAP_ASSERT_OK(slow_fill(&bo, 2, W, 0, 0x32, &fw));
	/* The writer is never done while the imported fence is not. */
	sw = tlgpu_sync_file_status(fw);
	sg = tlgpu_sync_file_status(fg);
	KTAP_ASSERT(sw == 0 || sg == 1, "writer %d before the gate %d", sw, sg);
	ASSERT_SIGNALLED(fw);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(fg), 1);
	ASSERT_U32(bo.map, PAGE, 0x32);
	return KTAP_PASS;
}

static enum ktap_result test_import_sync_file_write(void)
{
	return import_sync_file(true);
}

static enum ktap_result test_import_sync_file_read(void)
{
	return import_sync_file(false);
}

/* ------------------------------------------------------------------ */
/* vgem fences                                                         */
/* ------------------------------------------------------------------ */

/*
 * A vgem buffer with an unsignalled write fence attached, imported into
 * tlgpu: a job reading it waits until the test signals the fence.
 */
static enum ktap_result test_vgem_fence_implicit(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo imp, dst;
	struct vgem_bo v;
	uint32_t vfence = 0;
	int vgem, dmabuf, fr;

	TEST_OPEN(0, &n);
	VGEM_OPEN(&vgem);
	VGEM_BO(vgem, PAGE, &v);
	TEST_BO(n.fd, PAGE, &dst);
	memset(v.map, 0x4b, PAGE);
	KTAP_ASSERT(!drmPrimeHandleToFD(vgem, v.handle, DRM_CLOEXEC | DRM_RDWR,
					&dmabuf), "vgem export: %s",
		    strerror(errno));
	KTAP_ASSERT_OK(tlgpu_bo_import(n.fd, dmabuf, &imp));
	KTAP_ASSERT_OK(tlgpu_vgem_fence_attach(vgem, v.handle, true, &vfence));

	KTAP_ASSERT_OK(copy_job(&dst, &imp, 0, 0, &fr));
	test_sleep_ms(SLOW_MS / 2);
	ASSERT_ACTIVE(fr);
	ASSERT_U32(dst.map, PAGE, 0);

	KTAP_ASSERT_OK(tlgpu_vgem_fence_signal(vgem, vfence));
	ASSERT_SIGNALLED(fr);
	ASSERT_U32(dst.map, PAGE, 0x4b4b4b4b);
	return KTAP_PASS;
}

/*
 * A tlgpu buffer imported by vgem, which attaches a write fence to it:
 * tlgpu's own jobs on the buffer wait for vgem's fence.
 */
static enum ktap_result test_vgem_fence_on_tlgpu_bo(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo, dst;
	uint32_t vhandle, vfence = 0;
	int vgem, dmabuf, fr;

	TEST_OPEN(0, &n);
	VGEM_OPEN(&vgem);
	TEST_BO(n.fd, PAGE, &bo);
	TEST_BO(n.fd, PAGE, &dst);
	memset(bo.map, 0x5c, PAGE);
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT(!drmPrimeFDToHandle(vgem, dmabuf, &vhandle),
		    "vgem import: %s", strerror(errno));
	KTAP_ASSERT_OK(tlgpu_vgem_fence_attach(vgem, vhandle, true, &vfence));
	KTAP_ASSERT_RET(tlgpu_wait_bo(n.fd, bo.handle, 0, 0, NULL), -ETIME);

	KTAP_ASSERT_OK(copy_job(&dst, &bo, 0, 0, &fr));
	test_sleep_ms(SLOW_MS / 2);
	ASSERT_ACTIVE(fr);
	ASSERT_U32(dst.map, PAGE, 0);

	KTAP_ASSERT_OK(tlgpu_vgem_fence_signal(vgem, vfence));
	ASSERT_SIGNALLED(fr);
	ASSERT_U32(dst.map, PAGE, 0x5c5c5c5c);
	KTAP_ASSERT_OK(tlgpu_wait_bo(n.fd, bo.handle, 0, 0, NULL));
	return KTAP_PASS;
}

/*
 * vgem's fence taken out of its buffer as a sync_file and imported into
 * a tlgpu buffer's reservation, and used as an explicit in-fence.
 */
static enum ktap_result test_vgem_fence_sync_file(void)
{
	struct tlgpu_cmdbuf cb = { 0 };
	struct tlgpu_node n;
	struct tlgpu_bo bo, dst, other;
	struct vgem_bo v;
	uint32_t vfence = 0;
	int vgem, vdmabuf, dmabuf, sync_fd, fr, fe;

	TEST_OPEN(0, &n);
	VGEM_OPEN(&vgem);
	VGEM_BO(vgem, PAGE, &v);
	TEST_BO(n.fd, PAGE, &bo);
	TEST_BO(n.fd, PAGE, &dst);
	TEST_BO(n.fd, PAGE, &other);
	memset(bo.map, 0x6d, PAGE);
	KTAP_ASSERT(!drmPrimeHandleToFD(vgem, v.handle, DRM_CLOEXEC | DRM_RDWR,
					&vdmabuf), "vgem export: %s",
		    strerror(errno));
	KTAP_ASSERT_OK(tlgpu_vgem_fence_attach(vgem, v.handle, true, &vfence));
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(vdmabuf,
						     DMA_BUF_SYNC_READ,
						     &sync_fd));
	ASSERT_ACTIVE(sync_fd);

	/* Into tlgpu's buffer as a writer: a reader job waits. */
	KTAP_ASSERT_OK(tlgpu_bo_export(&bo, 0, &dmabuf));
	KTAP_ASSERT_OK(tlgpu_dmabuf_import_sync_file(dmabuf, DMA_BUF_SYNC_WRITE,
						     sync_fd));
	KTAP_ASSERT_OK(copy_job(&dst, &bo, 0, 0, &fr));

	/* As an explicit in-fence of a job on an unrelated buffer. */
	KTAP_ASSERT_OK(tlgpu_cmd_fill(&cb, other.gpu_va, PAGE, 0x6e));
	struct tlgpu_job job = {
		.timeline = second_timeline(n.fd),
		.flags = DRM_TLGPU_SUBMIT_FENCE_IN | DRM_TLGPU_SUBMIT_FENCE_OUT,
		.in_fence_fd = sync_fd,
	};
	KTAP_ASSERT_OK(tlgpu_submit_cmdbuf(n.fd, &job, &cb, &fe, NULL));

	test_sleep_ms(SLOW_MS / 2);
	ASSERT_ACTIVE(fr);
	ASSERT_ACTIVE(fe);
	ASSERT_U32(dst.map, PAGE, 0);
	ASSERT_U32(other.map, PAGE, 0);

	KTAP_ASSERT_OK(tlgpu_vgem_fence_signal(vgem, vfence));
	ASSERT_SIGNALLED(sync_fd);
	ASSERT_SIGNALLED(fr);
	ASSERT_SIGNALLED(fe);
	ASSERT_U32(dst.map, PAGE, 0x6d6d6d6d);
	ASSERT_U32(other.map, PAGE, 0x6e);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Rejected input                                                      */
/* ------------------------------------------------------------------ */

static enum ktap_result test_bad_import_fd(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int p[2];

	TEST_OPEN(0, &n);
	KTAP_ASSERT(!pipe(p), "pipe");
	/* Not a dma-buf. */
	KTAP_ASSERT_RET(tlgpu_bo_import(n.fd, p[0], &bo), -EINVAL);
	KTAP_ASSERT_RET(tlgpu_bo_import(n.fd, n.fd, &bo), -EINVAL);
	/* Not an open file. */
	close(p[0]);
	KTAP_ASSERT_RET(tlgpu_bo_import(n.fd, p[0], &bo), -EBADF);
	KTAP_ASSERT_RET(tlgpu_bo_import(n.fd, -1, &bo), -EBADF);
	return KTAP_PASS;
}

static enum ktap_result test_bad_export_handle(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo = { 0 };
	int dmabuf = -1;

	TEST_OPEN(0, &n);
	bo.fd = n.fd;
	bo.handle = 0x3333;
	KTAP_ASSERT_RET(tlgpu_bo_export(&bo, 0, &dmabuf), -ENOENT);
	KTAP_ASSERT_EQ(dmabuf, -1);
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	{ .name = "self-import", .run = test_self_import },
	{ .name = "other-file", .run = test_other_file },
	{ .name = "second-device", .run = test_second_device },
	{ .name = "import-lifetime", .run = test_import_lifetime },
	{ .name = "vgem-import", .run = test_vgem_import },
	{ .name = "export-to-vgem", .run = test_export_to_vgem },
	{ .name = "implicit-cross-device-read",
	  .run = test_implicit_cross_device_read },
	{ .name = "implicit-cross-device-write",
	  .run = test_implicit_cross_device_write },
	{ .name = "export-sync-file", .run = test_export_sync_file },
	{ .name = "import-sync-file-write", .run = test_import_sync_file_write },
	{ .name = "import-sync-file-read", .run = test_import_sync_file_read },
	{ .name = "vgem-fence-implicit", .run = test_vgem_fence_implicit },
	{ .name = "vgem-fence-on-tlgpu-bo", .run = test_vgem_fence_on_tlgpu_bo },
	{ .name = "vgem-fence-sync-file", .run = test_vgem_fence_sync_file },
	{ .name = "bad-import-fd", .run = test_bad_import_fd },
	{ .name = "bad-export-handle", .run = test_bad_export_handle },
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
