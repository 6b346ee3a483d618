/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-bo: buffers.  BO_CREATE, BO_INFO, mmap and GEM_CLOSE: sizes,
 * GPU virtual addresses, contents through the CPU mapping, lifetimes, one
 * address space per file, and every input BO_CREATE and BO_INFO refuse.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common.h"

static uint64_t page_round(uint64_t size)
{
	return (size + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

static int create_raw(int fd, uint64_t size, uint32_t flags, uint32_t *handle)
{
	struct drm_tlgpu_bo_create args = { .size = size, .flags = flags };
	int ret;

	args.handle = 0x5a5a5a5a;
	ret = tlgpu_ioctl(fd, DRM_IOCTL_TLGPU_BO_CREATE, &args);
	if (!ret)
		*handle = args.handle;
	return ret;
}

/* The checks every fresh buffer passes. */
static enum ktap_result check_new_bo(const struct tlgpu_bo *bo, uint64_t asked)
{
	KTAP_ASSERT_EQ(bo->size, page_round(asked));
	KTAP_ASSERT(bo->handle != 0, "handle 0 is never valid");
	KTAP_ASSERT(bo->gpu_va % PAGE == 0, "gpu_va 0x%llx not page aligned",
		    (unsigned long long)bo->gpu_va);
	KTAP_ASSERT(bo->gpu_va + bo->size <= 1ull << TLGPU_VA_BITS,
		    "gpu_va 0x%llx + 0x%llx beyond %d bits",
		    (unsigned long long)bo->gpu_va,
		    (unsigned long long)bo->size, TLGPU_VA_BITS);
	KTAP_ASSERT(bo->mmap_offset && bo->mmap_offset % PAGE == 0,
		    "mmap_offset 0x%llx", (unsigned long long)bo->mmap_offset);
	return KTAP_PASS;
}

static enum ktap_result test_create_info(void)
{
	static const uint64_t sizes[] = {
		1, 4, PAGE - 1, PAGE, PAGE + 1, 3 * PAGE, 1 << 20, (1 << 20) + 1,
	};
	struct drm_tlgpu_bo_info info;
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	unsigned int i;

	TEST_OPEN(0, &n);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KTAP_ASSERT_OK(tlgpu_bo_create(n.fd, sizes[i], 0, &bo));
		CHECK(check_new_bo(&bo, sizes[i]));

		/* BO_INFO answers the same every time. */
		KTAP_ASSERT_OK(tlgpu_bo_info(n.fd, bo.handle, &info));
		KTAP_ASSERT_EQ(info.size, bo.size);
		KTAP_ASSERT_EQ(info.gpu_va, bo.gpu_va);
		KTAP_ASSERT_EQ(info.mmap_offset, bo.mmap_offset);
		KTAP_ASSERT_EQ(info.handle, bo.handle);
		KTAP_ASSERT_EQ(info.pad, 0);
		ktap_diag("size %llu: handle %u, va 0x%llx, offset 0x%llx",
			  (unsigned long long)sizes[i], bo.handle,
			  (unsigned long long)bo.gpu_va,
			  (unsigned long long)bo.mmap_offset);
		KTAP_ASSERT_OK(tlgpu_bo_close(&bo));
	}
	return KTAP_PASS;
}

static enum ktap_result test_create_zeroed(void)
{
	const uint64_t size = 256 * 1024;
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int i;

	TEST_OPEN(0, &n);
	/* Dirty buffers get freed; their pages must not come back dirty. */
	for (i = 0; i < 4; i++) {
		TEST_BO(n.fd, size, &bo);
		ASSERT_U32(bo.map, size, 0);
		memset(bo.map, 0xa5, size);
		KTAP_ASSERT_OK(tlgpu_bo_close(&bo));
	}
	return KTAP_PASS;
}

static enum ktap_result test_mmap_persist(void)
{
	const uint64_t size = 5 * PAGE;
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint32_t *second;
	uint8_t *want;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, size, &bo);
	want = malloc(size);
	KTAP_ASSERT(want, "malloc");
	test_fill_random(want, size, 1);
	memcpy(bo.map, want, size);

	/* A second mapping of the same buffer sees the same pages. */
	second = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, n.fd,
		      bo.mmap_offset);
	KTAP_ASSERT(second != MAP_FAILED, "mmap: %s", strerror(errno));
	KTAP_ASSERT(!memcmp(second, want, size), "second mapping differs");
	second[100] = 0x12345678;
	KTAP_ASSERT_EQ(((uint32_t *)bo.map)[100], 0x12345678);
	((uint32_t *)want)[100] = 0x12345678;
	munmap(second, size);

	/* Unmapped and mapped again: the data stayed. */
	KTAP_ASSERT_OK(tlgpu_bo_unmap(&bo));
	KTAP_ASSERT_OK(tlgpu_bo_map(&bo));
	KTAP_ASSERT(!memcmp(bo.map, want, size), "data lost across munmap");
	free(want);
	return KTAP_PASS;
}

struct range {
	uint64_t start, end;
};

static int range_cmp(const void *a, const void *b)
{
	const struct range *ra = a, *rb = b;

	return (ra->start > rb->start) - (ra->start < rb->start);
}

static enum ktap_result test_va_disjoint(void)
{
	enum { COUNT = 64 };
	struct range r[COUNT];
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint32_t handles[COUNT];
	int i, j;

	TEST_OPEN(0, &n);
	for (i = 0; i < COUNT; i++) {
		uint64_t size = (uint64_t)PAGE * (1 + (i * 7) % 13);

		KTAP_ASSERT_OK(tlgpu_bo_create(n.fd, size, 0, &bo));
		CHECK(check_new_bo(&bo, size));
		r[i].start = bo.gpu_va;
		r[i].end = bo.gpu_va + bo.size;
		handles[i] = bo.handle;
		for (j = 0; j < i; j++)
			KTAP_ASSERT(handles[j] != handles[i],
				    "handle %u given twice", handles[i]);
	}
	qsort(r, COUNT, sizeof(r[0]), range_cmp);
	for (i = 1; i < COUNT; i++)
		KTAP_ASSERT(r[i].start >= r[i - 1].end,
			    "[0x%llx, 0x%llx) overlaps [0x%llx, 0x%llx)",
			    (unsigned long long)r[i - 1].start,
			    (unsigned long long)r[i - 1].end,
			    (unsigned long long)r[i].start,
			    (unsigned long long)r[i].end);
	return KTAP_PASS;
}

static enum ktap_result test_close(void)
{
	struct drm_tlgpu_bo_info info;
	struct tlgpu_node n;
	struct tlgpu_bo bo, again;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_OK(tlgpu_bo_create(n.fd, PAGE, 0, &bo));
	KTAP_ASSERT_OK(tlgpu_gem_close(n.fd, bo.handle));
	KTAP_ASSERT_RET(tlgpu_bo_info(n.fd, bo.handle, &info), -ENOENT);
	/* The DRM core refuses to close a handle twice. */
	KTAP_ASSERT_RET(tlgpu_gem_close(n.fd, bo.handle), -EINVAL);

	/* The file goes on working, and its address space has room again. */
	KTAP_ASSERT_OK(tlgpu_bo_create(n.fd, PAGE, 0, &again));
	CHECK(check_new_bo(&again, PAGE));
	return KTAP_PASS;
}

static enum ktap_result test_mmap_outlives_handle(void)
{
	const uint64_t size = 3 * PAGE;
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	uint32_t *p;

	TEST_OPEN(0, &n);
	TEST_BO(n.fd, size, &bo);
	p = bo.map;
	memset(p, 0x3c, size);
	KTAP_ASSERT_OK(tlgpu_gem_close(n.fd, bo.handle));

	/* The mapping holds its own reference: still the same pages. */
	ASSERT_U32(p, size, 0x3c3c3c3c);
	memset(p, 0x7e, size);
	ASSERT_U32(p, size, 0x7e7e7e7e);
	KTAP_ASSERT(!munmap(p, size), "munmap: %s", strerror(errno));
	return KTAP_PASS;
}

static enum ktap_result test_files_separate(void)
{
	struct drm_tlgpu_bo_info info;
	struct tlgpu_node a, b;
	struct tlgpu_bo bo_a, bo_b;

	TEST_OPEN(0, &a);
	TEST_OPEN(0, &b);
	TEST_BO(a.fd, PAGE, &bo_a);

	/* Handles are per file: b has none yet. */
	KTAP_ASSERT_RET(tlgpu_bo_info(b.fd, bo_a.handle, &info), -ENOENT);

	/* b's buffers are its own, whatever numbers and addresses they get. */
	TEST_BO(b.fd, PAGE, &bo_b);
	memset(bo_a.map, 0x11, PAGE);
	memset(bo_b.map, 0x22, PAGE);
	ASSERT_U32(bo_a.map, PAGE, 0x11111111);
	ASSERT_U32(bo_b.map, PAGE, 0x22222222);
	ktap_diag("file a: handle %u va 0x%llx; file b: handle %u va 0x%llx",
		  bo_a.handle, (unsigned long long)bo_a.gpu_va, bo_b.handle,
		  (unsigned long long)bo_b.gpu_va);
	return KTAP_PASS;
}

/*
 * Create, map, write and close, over and over: 1000 times, 250 on a debug
 * kernel (40-80 ms a round there under TCG; kmemleak's scan at the end of
 * the run finds what a round leaked).
 */
static enum ktap_result test_create_close_repeat(void)
{
	const int rounds = ktap_debug_kernel() ? 250 : 1000;
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	int i;

	TEST_OPEN(0, &n);
	for (i = 0; i < rounds; i++) {
		KTAP_ASSERT_OK(tlgpu_bo_create(n.fd, 16 * PAGE, 0, &bo));
		KTAP_ASSERT_OK(tlgpu_bo_map(&bo));
		((uint32_t *)bo.map)[i % 1024] = i;
		KTAP_ASSERT_OK(tlgpu_bo_close(&bo));
	}
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Rejected input                                                      */
/* ------------------------------------------------------------------ */

static enum ktap_result test_bad_create_size_zero(void)
{
	struct tlgpu_node n;
	uint32_t handle;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_RET(create_raw(n.fd, 0, 0, &handle), -EINVAL);
	KTAP_ASSERT_OK(create_raw(n.fd, 1, 0, &handle));
	return KTAP_PASS;
}

static enum ktap_result test_bad_create_too_big(void)
{
	static const uint64_t sizes[] = {
		DRM_TLGPU_MAX_BO_SIZE + 1,
		DRM_TLGPU_MAX_BO_SIZE + PAGE,
		DRM_TLGPU_MAX_BO_SIZE * 2,
		1ull << 39,
		1ull << 63,
		UINT64_MAX - PAGE + 2,	/* wraps to 0 when page-rounded */
		UINT64_MAX,
	};
	struct tlgpu_node n;
	uint32_t handle;
	unsigned int i;

	TEST_OPEN(0, &n);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ktap_diag("size 0x%llx", (unsigned long long)sizes[i]);
		KTAP_ASSERT_RET(create_raw(n.fd, sizes[i], 0, &handle),
				-EINVAL);
	}
	return KTAP_PASS;
}

static enum ktap_result test_bad_create_flags(void)
{
	static const uint32_t flags[] = { 1, 2, 0x80, 1u << 31, ~0u };
	struct tlgpu_node n;
	uint32_t handle;
	unsigned int i;

	TEST_OPEN(0, &n);
	for (i = 0; i < ARRAY_SIZE(flags); i++)
		KTAP_ASSERT_RET(create_raw(n.fd, PAGE, flags[i], &handle),
				-EINVAL);
	return KTAP_PASS;
}

static enum ktap_result test_bad_info_handle(void)
{
	struct drm_tlgpu_bo_info info;
	struct tlgpu_node n;
	struct tlgpu_bo bo;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_RET(tlgpu_bo_info(n.fd, 0, &info), -ENOENT);
	KTAP_ASSERT_RET(tlgpu_bo_info(n.fd, 1, &info), -ENOENT);
	KTAP_ASSERT_RET(tlgpu_bo_info(n.fd, ~0u, &info), -ENOENT);
	KTAP_ASSERT_OK(tlgpu_bo_create(n.fd, PAGE, 0, &bo));
	KTAP_ASSERT_RET(tlgpu_bo_info(n.fd, bo.handle + 1, &info), -ENOENT);
	KTAP_ASSERT_OK(tlgpu_bo_info(n.fd, bo.handle, &info));
	return KTAP_PASS;
}

static enum ktap_result test_bad_info_pad(void)
{
	struct drm_tlgpu_bo_info args;
	struct tlgpu_node n;
	struct tlgpu_bo bo;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_OK(tlgpu_bo_create(n.fd, PAGE, 0, &bo));
	memset(&args, 0, sizeof(args));
	args.handle = bo.handle;
	args.pad = 1;
	KTAP_ASSERT_RET(tlgpu_ioctl(n.fd, DRM_IOCTL_TLGPU_BO_INFO, &args),
			-EINVAL);
	args.pad = 0x80000000u;
	KTAP_ASSERT_RET(tlgpu_ioctl(n.fd, DRM_IOCTL_TLGPU_BO_INFO, &args),
			-EINVAL);
	args.pad = 0;
	KTAP_ASSERT_OK(tlgpu_ioctl(n.fd, DRM_IOCTL_TLGPU_BO_INFO, &args));
	KTAP_ASSERT_EQ(args.gpu_va, bo.gpu_va);
	return KTAP_PASS;
}

static enum ktap_result test_bad_mmap(void)
{
	struct tlgpu_node n;
	struct tlgpu_bo bo;
	void *p;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_OK(tlgpu_bo_create(n.fd, 2 * PAGE, 0, &bo));

	/* No object at offset 0. */
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, n.fd, 0);
	KTAP_ASSERT(p == MAP_FAILED && errno == EINVAL,
		    "mmap at offset 0: %p, %s", p, strerror(errno));
	/* Longer than the object. */
	p = mmap(NULL, 3 * PAGE, PROT_READ, MAP_SHARED, n.fd, bo.mmap_offset);
	KTAP_ASSERT(p == MAP_FAILED && errno == EINVAL,
		    "mmap past the end: %p, %s", p, strerror(errno));
	/* A closed object's offset is gone. */
	KTAP_ASSERT_OK(tlgpu_gem_close(n.fd, bo.handle));
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, n.fd, bo.mmap_offset);
	KTAP_ASSERT(p == MAP_FAILED && errno == EINVAL,
		    "mmap of a closed buffer: %p, %s", p, strerror(errno));
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	{ .name = "create-info", .run = test_create_info },
	{ .name = "create-zeroed", .run = test_create_zeroed },
	{ .name = "mmap-persist", .run = test_mmap_persist },
	{ .name = "va-disjoint", .run = test_va_disjoint },
	{ .name = "close", .run = test_close },
	{ .name = "mmap-outlives-handle", .run = test_mmap_outlives_handle },
	{ .name = "files-separate", .run = test_files_separate },
	{ .name = "create-close-repeat", .run = test_create_close_repeat },
	{ .name = "bad-create-size-zero", .run = test_bad_create_size_zero },
	{ .name = "bad-create-too-big", .run = test_bad_create_too_big },
	{ .name = "bad-create-flags", .run = test_bad_create_flags },
	{ .name = "bad-info-handle", .run = test_bad_info_handle },
	{ .name = "bad-info-pad", .run = test_bad_info_pad },
	{ .name = "bad-mmap", .run = test_bad_mmap },
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
