/* SPDX-License-Identifier: MIT */
/*
 * igt_tlgpu.c - IGT helpers for tlgpu's IGT tests: devices, buffers,
 * commands and jobs.  See igt_tlgpu.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include "igt.h"
#include "igt_sysfs.h"
#include "igt_tlgpu.h"

#define DW(type)	(sizeof(type) / sizeof(uint32_t))

bool igt_is_tlgpu(int fd)
{
	char name[32] = "";
	struct drm_version v = {
		.name = name,
		.name_len = sizeof(name) - 1,
	};

	if (ioctl(fd, DRM_IOCTL_VERSION, &v))
		return false;
	return !strcmp(name, "tlgpu");
}

int __igt_tlgpu_open(int idx)
{
	int fds[16];
	int i, n = 0, fd = -1;

	igt_assert(idx >= 0 && idx < 16);
	/* IGT's device bookkeeping opens devices in order: 0 .. idx. */
	for (i = 0; i <= idx; i++) {
		fds[i] = __drm_open_driver_another(i, DRIVER_ANY);
		if (fds[i] < 0)
			break;
		n = i + 1;
		if (!igt_is_tlgpu(fds[i]))
			break;
	}
	if (n == idx + 1 && igt_is_tlgpu(fds[idx]))
		fd = fds[idx];
	for (i = 0; i < n; i++)
		if (fds[i] != fd)
			close(fds[i]);
	return fd;
}

int igt_tlgpu_open(int idx)
{
	int fd = __igt_tlgpu_open(idx);

	igt_require_f(fd >= 0, "no tlgpu device %d\n", idx);
	return fd;
}

int igt_tlgpu_count_devices(void)
{
	DIR *dir = opendir(TLGPU_DRIVER_SYSFS);
	struct dirent *de;
	int n = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		unsigned int a, b, c, d;

		if (sscanf(de->d_name, "%x:%x:%x.%x", &a, &b, &c, &d) == 4)
			n++;
	}
	closedir(dir);
	return n;
}

void igt_tlgpu_pci_slot(int fd, char *buf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct stat st;
	ssize_t n;
	char *base;

	igt_assert_eq(fstat(fd, &st), 0);
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	n = readlink(path, link, sizeof(link) - 1);
	igt_assert_f(n > 0, "readlink %s: %m\n", path);
	link[n] = 0;
	base = strrchr(link, '/');
	snprintf(buf, len, "%s", base ? base + 1 : link);
}

int __igt_tlgpu_get_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_tlgpu_get_param p = { .param = param };

	if (igt_ioctl(fd, DRM_IOCTL_TLGPU_GET_PARAM, &p))
		return -errno;
	*value = p.value;
	return 0;
}

uint64_t igt_tlgpu_get_param(int fd, uint32_t param)
{
	uint64_t v = 0;

	igt_assert_eq(__igt_tlgpu_get_param(fd, param, &v), 0);
	return v;
}

void igt_tlgpu_require_timelines(int fd, unsigned int n)
{
	uint64_t have = igt_tlgpu_get_param(fd, DRM_TLGPU_PARAM_NUM_TIMELINES);

	igt_require_f(have >= n, "needs %u timelines, the device has %"PRIu64"\n",
		      n, have);
}

int __igt_tlgpu_bo_create(int fd, uint64_t size, uint32_t flags,
			  uint32_t *handle)
{
	struct drm_tlgpu_bo_create c = { .size = size, .flags = flags };

	if (igt_ioctl(fd, DRM_IOCTL_TLGPU_BO_CREATE, &c))
		return -errno;
	*handle = c.handle;
	return 0;
}

int __igt_tlgpu_bo_info(int fd, uint32_t handle,
			struct drm_tlgpu_bo_info *info)
{
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	if (igt_ioctl(fd, DRM_IOCTL_TLGPU_BO_INFO, info))
		return -errno;
	return 0;
}

void igt_tlgpu_bo_info(int fd, uint32_t handle, struct drm_tlgpu_bo_info *info)
{
	igt_assert_eq(__igt_tlgpu_bo_info(fd, handle, info), 0);
}

void *igt_tlgpu_mmap(int fd, uint32_t handle, uint64_t size, int prot)
{
	struct drm_tlgpu_bo_info info;
	void *p;

	igt_tlgpu_bo_info(fd, handle, &info);
	p = mmap(NULL, size, prot, MAP_SHARED, fd, info.mmap_offset);
	igt_assert_f(p != MAP_FAILED, "mmap of handle %u: %m\n", handle);
	return p;
}

struct igt_tlgpu_bo *igt_tlgpu_bo_wrap(int fd, uint32_t handle)
{
	struct igt_tlgpu_bo *bo = calloc(1, sizeof(*bo));
	struct drm_tlgpu_bo_info info;

	igt_assert(bo);
	igt_tlgpu_bo_info(fd, handle, &info);
	bo->fd = fd;
	bo->handle = handle;
	bo->size = info.size;
	bo->gpu_va = info.gpu_va;
	bo->mmap_offset = info.mmap_offset;
	bo->map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, info.mmap_offset);
	igt_assert_f(bo->map != MAP_FAILED, "mmap: %m\n");
	return bo;
}

struct igt_tlgpu_bo *igt_tlgpu_bo_create(int fd, uint64_t size)
{
	uint32_t handle;

	igt_assert_eq(__igt_tlgpu_bo_create(fd, size, 0, &handle), 0);
	igt_assert(handle);
	return igt_tlgpu_bo_wrap(fd, handle);
}

struct igt_tlgpu_bo *igt_tlgpu_bo_import(int fd, int dmabuf)
{
	return igt_tlgpu_bo_wrap(fd, prime_fd_to_handle(fd, dmabuf));
}

int igt_tlgpu_bo_export(struct igt_tlgpu_bo *bo)
{
	struct drm_prime_handle args = {
		.handle = bo->handle,
		.flags = DRM_CLOEXEC | DRM_RDWR,
		.fd = -1,
	};

	do_ioctl(bo->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &args);
	igt_assert(args.fd >= 0);
	return args.fd;
}

void igt_tlgpu_bo_free(struct igt_tlgpu_bo *bo)
{
	struct drm_gem_close c = { };

	if (!bo)
		return;
	c.handle = bo->handle;
	if (bo->map && bo->map != MAP_FAILED)
		munmap(bo->map, bo->size);
	/* The file may be closed, or the device gone: nothing to assert. */
	ioctl(bo->fd, DRM_IOCTL_GEM_CLOSE, &c);
	free(bo);
}

/* --- commands --- */

static void cmd_emit(struct igt_tlgpu_cmds *c, const void *dw, uint32_t n)
{
	igt_assert_f(c->len + n <= DRM_TLGPU_MAX_CMD_DWORDS,
		     "command buffer full (%u + %u dwords)\n", c->len, n);
	memcpy(c->dw + c->len, dw, n * sizeof(uint32_t));
	c->len += n;
}

void igt_tlgpu_cmd_nop(struct igt_tlgpu_cmds *c, uint32_t ndw)
{
	uint32_t dw[TLGPU_CMD_MAX_DW] = { 0 };

	igt_assert(ndw >= 2 && ndw <= TLGPU_CMD_MAX_DW && !(ndw & 1));
	dw[0] = TLGPU_CMD_HDR(TLGPU_OP_NOP, ndw, 0);
	cmd_emit(c, dw, ndw);
}

/* Emits one struct tlgpu_cmd_<name> of opcode @op, its header filled in. */
#define EMIT_CMD(c, name, op, ...) do { \
	struct tlgpu_cmd_##name cmd_ = { \
		.hdr = TLGPU_CMD_HDR(op, DW(cmd_), 0), __VA_ARGS__ \
	}; \
	cmd_emit((c), &cmd_, DW(cmd_)); \
} while (0)

void igt_tlgpu_cmd_fill(struct igt_tlgpu_cmds *c, uint64_t va, uint64_t size,
			uint32_t pattern)
{
	EMIT_CMD(c, fill, TLGPU_OP_FILL, .pattern = pattern, .va = va,
		 .size = size);
}

void igt_tlgpu_cmd_copy(struct igt_tlgpu_cmds *c, uint64_t dst, uint64_t src,
			uint64_t size)
{
	EMIT_CMD(c, copy, TLGPU_OP_COPY, .dst = dst, .src = src, .size = size);
}

void igt_tlgpu_cmd_checksum(struct igt_tlgpu_cmds *c, uint64_t va,
			    uint64_t size, uint64_t dst)
{
	EMIT_CMD(c, checksum, TLGPU_OP_CHECKSUM, .va = va, .size = size,
		 .dst = dst);
}

void igt_tlgpu_cmd_delay(struct igt_tlgpu_cmds *c, uint64_t usecs)
{
	/* Longer than one DELAY may be: several. */
	do {
		uint32_t now = usecs > TLGPU_MAX_DELAY_US ?
			       TLGPU_MAX_DELAY_US : (uint32_t)usecs;

		EMIT_CMD(c, delay, TLGPU_OP_DELAY, .usecs = now);
		usecs -= now;
	} while (usecs);
}

void igt_tlgpu_cmd_store(struct igt_tlgpu_cmds *c, uint64_t va, uint64_t value)
{
	EMIT_CMD(c, store, TLGPU_OP_STORE, .va = va, .value = value);
}

/* --- jobs --- */

struct igt_tlgpu_job *igt_tlgpu_job_new(uint32_t timeline)
{
	struct igt_tlgpu_job *j = calloc(1, sizeof(*j));

	igt_assert(j);
	j->timeline = timeline;
	j->in_fence_fd = -1;
	j->out_fence_fd = -1;
	return j;
}

void igt_tlgpu_job_bo(struct igt_tlgpu_job *j, uint32_t handle, uint32_t flags)
{
	igt_assert(j->bo_count < IGT_TLGPU_MAX_JOB_REFS);
	j->bos[j->bo_count].handle = handle;
	j->bos[j->bo_count].flags = flags;
	j->bo_count++;
}

static void job_sync(struct drm_tlgpu_sync *syncs, uint32_t *count,
		     uint32_t syncobj, uint64_t point)
{
	igt_assert(*count < IGT_TLGPU_MAX_JOB_REFS);
	syncs[*count] = (struct drm_tlgpu_sync){
		.handle = syncobj,
		.point = point,
	};
	(*count)++;
}

void igt_tlgpu_job_in_sync(struct igt_tlgpu_job *j, uint32_t syncobj,
			   uint64_t point)
{
	job_sync(j->in_syncs, &j->in_sync_count, syncobj, point);
}

void igt_tlgpu_job_out_sync(struct igt_tlgpu_job *j, uint32_t syncobj,
			    uint64_t point)
{
	job_sync(j->out_syncs, &j->out_sync_count, syncobj, point);
}

void igt_tlgpu_job_in_fence(struct igt_tlgpu_job *j, int fd)
{
	j->flags |= DRM_TLGPU_SUBMIT_FENCE_IN;
	j->in_fence_fd = fd;
}

void igt_tlgpu_job_fence_out(struct igt_tlgpu_job *j)
{
	j->flags |= DRM_TLGPU_SUBMIT_FENCE_OUT;
}

int __igt_tlgpu_submit(int fd, struct igt_tlgpu_job *j)
{
	struct drm_tlgpu_submit s = {
		.cmds = to_user_pointer(j->cmds.dw),
		.cmd_dwords = j->cmds.len,
		.bos = to_user_pointer(j->bos),
		.bo_count = j->bo_count,
		.in_syncs = to_user_pointer(j->in_syncs),
		.in_sync_count = j->in_sync_count,
		.out_syncs = to_user_pointer(j->out_syncs),
		.out_sync_count = j->out_sync_count,
		.timeline = j->timeline,
		.flags = j->flags,
		.in_fence_fd = j->in_fence_fd,
		.out_fence_fd = -1,
	};

	if (igt_ioctl(fd, DRM_IOCTL_TLGPU_SUBMIT, &s))
		return -errno;
	j->out_fence_fd = (j->flags & DRM_TLGPU_SUBMIT_FENCE_OUT) ?
			  s.out_fence_fd : -1;
	j->seqno = s.seqno;
	return 0;
}

void igt_tlgpu_submit(int fd, struct igt_tlgpu_job *j)
{
	igt_assert_eq(__igt_tlgpu_submit(fd, j), 0);
	if (j->flags & DRM_TLGPU_SUBMIT_FENCE_OUT)
		igt_assert(j->out_fence_fd >= 0);
}

int igt_tlgpu_submit_fence(int fd, struct igt_tlgpu_job *j)
{
	int out;

	igt_tlgpu_job_fence_out(j);
	igt_tlgpu_submit(fd, j);
	out = j->out_fence_fd;
	free(j);
	return out;
}

struct igt_tlgpu_job *igt_tlgpu_copy_job(uint32_t timeline,
					 struct igt_tlgpu_bo *dst,
					 uint64_t dst_off,
					 struct igt_tlgpu_bo *src,
					 uint64_t src_off, uint64_t size)
{
	struct igt_tlgpu_job *j = igt_tlgpu_job_new(timeline);

	igt_tlgpu_cmd_copy(&j->cmds, dst->gpu_va + dst_off,
			   src->gpu_va + src_off, size);
	if (dst == src) {
		igt_tlgpu_job_bo(j, dst->handle,
				 DRM_TLGPU_BO_READ | DRM_TLGPU_BO_WRITE);
	} else {
		igt_tlgpu_job_bo(j, src->handle, DRM_TLGPU_BO_READ);
		igt_tlgpu_job_bo(j, dst->handle, DRM_TLGPU_BO_WRITE);
	}
	igt_tlgpu_job_fence_out(j);
	return j;
}

int igt_tlgpu_delay_store(int fd, uint32_t timeline, struct igt_tlgpu_bo *bo,
			  uint64_t off, uint64_t value, uint32_t delay_us,
			  uint32_t syncobj, uint64_t point, uint32_t flags)
{
	struct igt_tlgpu_job *j = igt_tlgpu_job_new(timeline);

	if (delay_us)
		igt_tlgpu_cmd_delay(&j->cmds, delay_us);
	if (bo) {
		igt_tlgpu_cmd_store(&j->cmds, bo->gpu_va + off, value);
		igt_tlgpu_job_bo(j, bo->handle, DRM_TLGPU_BO_WRITE);
	} else {
		igt_tlgpu_cmd_nop(&j->cmds, 2);
	}
	if (syncobj)
		igt_tlgpu_job_out_sync(j, syncobj, point);
	j->flags |= flags;
	return igt_tlgpu_submit_fence(fd, j);
}

int igt_tlgpu_fault_job(int fd, uint32_t timeline, uint32_t delay_us,
			uint32_t syncobj, uint64_t point)
{
	struct igt_tlgpu_job *j = igt_tlgpu_job_new(timeline);

	if (delay_us)
		igt_tlgpu_cmd_delay(&j->cmds, delay_us);
	igt_tlgpu_cmd_store(&j->cmds, TLGPU_UNMAPPED_VA, 0xdead);
	if (syncobj)
		igt_tlgpu_job_out_sync(j, syncobj, point);
	return igt_tlgpu_submit_fence(fd, j);
}

void igt_tlgpu_store_wait(int fd, uint32_t timeline, struct igt_tlgpu_bo *bo,
			  uint64_t off, uint64_t value)
{
	int sf = igt_tlgpu_delay_store(fd, timeline, bo, off, value, 0, 0, 0, 0);

	igt_tlgpu_wait_fence(sf, 1);
	close(sf);
	igt_assert_eq_u64(igt_tlgpu_bo_u64(bo, off), value);
}

uint64_t igt_tlgpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int __igt_tlgpu_wait_bo(int fd, uint32_t handle, uint32_t flags,
			int64_t rel_timeout_ns, int32_t *error)
{
	struct drm_tlgpu_wait_bo w = {
		.handle = handle,
		.flags = flags,
		.timeout_ns = rel_timeout_ns ?
			      (int64_t)igt_tlgpu_now_ns() + rel_timeout_ns : 0,
	};

	if (igt_ioctl(fd, DRM_IOCTL_TLGPU_WAIT_BO, &w))
		return -errno;
	if (error)
		*error = w.error;
	return 0;
}

int igt_tlgpu_sync_file_status(int sync_fd)
{
	struct sync_file_info info = { };

	if (ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	return info.status;
}

int igt_tlgpu_sync_file_fences_status(int sync_fd, int *count)
{
	struct sync_file_info info = { };
	struct sync_fence_info *fences;
	int status;

	do_ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info);
	igt_assert_f(info.num_fences >= 1, "sync file without fences\n");
	fences = calloc(info.num_fences, sizeof(*fences));
	igt_assert(fences);
	info.sync_fence_info = to_user_pointer(fences);
	do_ioctl(sync_fd, SYNC_IOC_FILE_INFO, &info);
	for (unsigned int i = 0; i < info.num_fences; i++)
		igt_assert_f(fences[i].status == info.status,
			     "fence %u of %u (%s/%s): status %d, the file's %d\n",
			     i, info.num_fences, fences[i].driver_name,
			     fences[i].obj_name, fences[i].status, info.status);
	if (count)
		*count = info.num_fences;
	status = info.status;
	free(fences);
	return status;
}

void igt_tlgpu_assert_fence(int sync_fd, int status)
{
	igt_assert_eq(igt_tlgpu_sync_file_status(sync_fd), status);
	igt_assert_eq(igt_tlgpu_sync_file_fences_status(sync_fd, NULL), status);
}

void igt_tlgpu_wait_fence(int sync_fd, int status)
{
	igt_assert_f(igt_tlgpu_sync_file_wait(sync_fd, TLGPU_FENCE_TIMEOUT_MS) == 0,
		     "fence not signalled after %d ms\n", TLGPU_FENCE_TIMEOUT_MS);
	igt_tlgpu_assert_fence(sync_fd, status);
}

int igt_tlgpu_sync_file_wait(int sync_fd, int timeout_ms)
{
	struct pollfd p = { .fd = sync_fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	if (ret < 0)
		return -errno;
	return ret ? 0 : -ETIME;
}

int igt_tlgpu_sysfs_write(const char *dir, const char *attr, const char *val)
{
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	int len = strlen(val), ret;

	if (dirfd < 0)
		return -errno;
	ret = igt_sysfs_write(dirfd, attr, val, len);
	close(dirfd);
	if (ret < 0)
		return ret;
	return ret == len ? 0 : -EIO;
}
