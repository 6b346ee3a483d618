/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the job suites; see common.h.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "common.h"

static const char *base_name(const char *file)
{
	const char *slash = strrchr(file, '/');

	return slash ? slash + 1 : file;
}

long test_boot_param(const char *name, long def)
{
	char cmdline[4096], *word, *save, *end;
	const char *val = getenv(name);
	size_t len = strlen(name);
	long ret;
	FILE *f;

	if (!val) {
		f = fopen("/proc/cmdline", "r");
		if (!f)
			return def;
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = '\0';
		fclose(f);
		for (word = strtok_r(cmdline, " \t\n", &save); word;
		     word = strtok_r(NULL, " \t\n", &save)) {
			if (!strncmp(word, name, len) && word[len] == '=')
				val = word + len + 1;
		}
		if (!val)
			return def;
	}

	errno = 0;
	ret = strtol(val, &end, 0);
	if (errno || end == val || *end || ret < 0)
		return def;
	return ret;
}

unsigned int test_slow_ms(void)
{
	uint64_t timeout;

	if (test_read_sysfs_u64(TLGPU_TIMEOUT_PARAM, &timeout) || !timeout)
		return 1000;
	if (timeout / 2 > 1500)
		return 1500;
	return timeout / 2 > 100 ? timeout / 2 : 100;
}

enum ktap_result test_job_timeout(unsigned int *ms)
{
	uint64_t val;
	int ret;

	ret = test_read_sysfs_u64(TLGPU_TIMEOUT_PARAM, &val);
	if (ret)
		return ktap_skip(TLGPU_TIMEOUT_PARAM ": %s", strerror(-ret));
	if (!val || val > 20000)
		return ktap_skip("job timeout %llu ms: too long to test",
				 (unsigned long long)val);
	*ms = val;
	return KTAP_PASS;
}

enum ktap_result test_open(unsigned int index, struct tlgpu_node *node)
{
	long booted = test_boot_param("tlgpu_devices", -1);
	int ret;

	ret = tlgpu_open_index(index, node);
	if (ret >= 0)
		return KTAP_PASS;

	if (ret == -ENOENT && booted >= 0 && index >= (unsigned long)booted)
		return ktap_skip("needs %u tlgpu devices, the VM has %ld",
				 index + 1, booted);
	if (ret == -ENOENT && booted < 0 && index > 0)
		return ktap_skip("needs %u tlgpu devices, found %u", index + 1,
				 index);
	ktap_diag("opening tlgpu device %u: %s", index, strerror(-ret));
	return KTAP_FAIL;
}

enum ktap_result test_reopen(const struct tlgpu_node *from,
			     struct tlgpu_node *node)
{
	int fd = tlgpu_open(from->path);

	if (fd < 0) {
		ktap_diag("opening %s again: %s", from->path, strerror(-fd));
		return KTAP_FAIL;
	}
	*node = *from;
	node->fd = fd;
	return KTAP_PASS;
}

enum ktap_result test_need_timelines(int fd, uint32_t count)
{
	uint64_t n;
	int ret;

	ret = tlgpu_get_param(fd, DRM_TLGPU_PARAM_NUM_TIMELINES, &n);
	if (ret) {
		ktap_diag("GET_PARAM NUM_TIMELINES: %s", strerror(-ret));
		return KTAP_FAIL;
	}
	if (n < count)
		return ktap_skip("needs %u timelines, the device has %llu",
				 count, (unsigned long long)n);
	return KTAP_PASS;
}

enum ktap_result test_bo(int fd, uint64_t size, struct tlgpu_bo *bo)
{
	int ret;

	ret = tlgpu_bo_create(fd, size, 0, bo);
	if (ret) {
		ktap_diag("BO_CREATE of %llu bytes: %s",
			  (unsigned long long)size, strerror(-ret));
		return KTAP_FAIL;
	}
	ret = tlgpu_bo_map(bo);
	if (ret) {
		ktap_diag("mmap of a %llu-byte buffer: %s",
			  (unsigned long long)bo->size, strerror(-ret));
		return KTAP_FAIL;
	}
	return KTAP_PASS;
}

int test_submit(int fd, uint32_t timeline, uint32_t flags,
		const struct tlgpu_cmdbuf *cb,
		const struct drm_tlgpu_bo_ref *bos, uint32_t bo_count,
		int *fence)
{
	struct tlgpu_job job = {
		.timeline = timeline,
		.flags = flags | DRM_TLGPU_SUBMIT_FENCE_OUT,
		.bos = bos,
		.bo_count = bo_count,
	};

	return tlgpu_submit_cmdbuf(fd, &job, cb, fence, NULL);
}

enum ktap_result test_run(int fd, uint32_t timeline, uint32_t flags,
			  const struct tlgpu_cmdbuf *cb,
			  const struct drm_tlgpu_bo_ref *bos, uint32_t bo_count)
{
	int fence, ret;

	ret = test_submit(fd, timeline, flags, cb, bos, bo_count, &fence);
	if (ret) {
		ktap_diag("SUBMIT on timeline %u: %s", timeline, strerror(-ret));
		return KTAP_FAIL;
	}
	ASSERT_SIGNALLED(fence);
	close(fence);
	return KTAP_PASS;
}

static const char *status_name(int status, char *buf, size_t len)
{
	if (status == 1)
		return "signalled";
	if (status == 0)
		return "active";
	snprintf(buf, len, "error %d (%s)", status, strerror(-status));
	return buf;
}

bool test_check_fence(const char *file, int line, const char *expr,
		      int fence, enum fence_want want)
{
	static const char *const wanted[] = {
		[FENCE_ACTIVE] = "active",
		[FENCE_SIGNALLED] = "signalled",
		[FENCE_FAILED] = "signalled with an error",
	};
	char buf[64];
	int status, ret;

	if (want != FENCE_ACTIVE) {
		ret = tlgpu_sync_file_wait(fence, FENCE_TIMEOUT_MS);
		if (ret) {
			ktap_diag("%s:%d: waiting for fence %s (fd %d): %s",
				  base_name(file), line, expr, fence,
				  ret == -ETIME ? "not signalled in time" :
						  strerror(-ret));
			return false;
		}
	}

	status = tlgpu_sync_file_status(fence);
	if ((want == FENCE_ACTIVE && status == 0) ||
	    (want == FENCE_SIGNALLED && status == 1) ||
	    (want == FENCE_FAILED && status < 0 && status != -EBADF &&
	     status != -ENOTTY))
		return true;

	ktap_diag("%s:%d: fence %s (fd %d) is %s, expected %s",
		  base_name(file), line, expr, fence,
		  status_name(status, buf, sizeof(buf)), wanted[want]);
	return false;
}

bool test_check_u32(const char *file, int line, const char *expr,
		    const void *ptr, size_t len, uint32_t pattern)
{
	const uint32_t *p = ptr;
	size_t i, n = len / 4, bad = 0, first = 0;

	for (i = 0; i < n; i++) {
		if (p[i] != pattern) {
			if (!bad)
				first = i;
			bad++;
		}
	}
	if (!bad)
		return true;

	ktap_diag("%s:%d: %s: %zu of %zu dwords differ from 0x%08x; first at byte %zu: 0x%08x",
		  base_name(file), line, expr, bad, n, pattern, first * 4,
		  p[first]);
	return false;
}

void test_fill_random(void *buf, size_t len, uint32_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		/* xorshift64 */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x >> 24;
	}
}

void test_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int64_t test_elapsed_ms(int64_t start_ns)
{
	return (tlgpu_now_ns() - start_ns) / NS_PER_MS;
}

int test_read_sysfs_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

#define DEVCD_CLASS	"/sys/class/devcoredump"

/*
 * The next devcd directory of @dir whose failing_device is @node's PCI
 * function, its data file's path in @data; 0, or -ENOENT at the end.
 */
static int devcd_next(DIR *dir, const struct tlgpu_node *node, char *data,
		      size_t len)
{
	char path[PATH_MAX], want[PATH_MAX], got[PATH_MAX];
	struct dirent *de;

	snprintf(path, sizeof(path), "/sys/class/drm/renderD%u/device",
		 node->minor);
	if (!realpath(path, want))
		return -errno;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "devcd", 5))
			continue;
		snprintf(path, sizeof(path), DEVCD_CLASS "/%s/failing_device",
			 de->d_name);
		if (!realpath(path, got) || strcmp(got, want))
			continue;
		snprintf(data, len, DEVCD_CLASS "/%s/data", de->d_name);
		return 0;
	}
	return -ENOENT;
}

int test_devcoredump_discard(const struct tlgpu_node *node)
{
	char data[PATH_MAX];
	int ret, count = 0;
	DIR *dir;

	dir = opendir(DEVCD_CLASS);
	if (!dir)
		return -errno;
	while (!(ret = devcd_next(dir, node, data, sizeof(data)))) {
		ret = test_write_file(data, "1");
		if (ret)
			break;
		count++;
	}
	closedir(dir);
	return ret == -ENOENT ? count : ret;
}

ssize_t test_devcoredump_read(const struct tlgpu_node *node, char **buf)
{
	char data[PATH_MAX];
	size_t len = 0, size = 65536;
	ssize_t n;
	DIR *dir;
	int ret, fd;

	dir = opendir(DEVCD_CLASS);
	if (!dir)
		return -errno;
	ret = devcd_next(dir, node, data, sizeof(data));
	closedir(dir);
	if (ret)
		return ret;
	fd = open(data, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*buf = malloc(size);
	while (*buf) {
		if (len + 1 >= size) {
			char *more = realloc(*buf, size * 2);

			if (!more) {
				free(*buf);
				*buf = NULL;
				break;
			}
			*buf = more;
			size *= 2;
		}
		n = read(fd, *buf + len, size - len - 1);
		if (n < 0) {
			ret = -errno;
			free(*buf);
			*buf = NULL;
			close(fd);
			return ret;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	if (!*buf)
		return -ENOMEM;
	(*buf)[len] = '\0';
	return len;
}

ssize_t test_devcoredump_wait(const struct tlgpu_node *node, char **buf,
			      unsigned int ms)
{
	int64_t start = tlgpu_now_ns();
	ssize_t len;

	while ((len = test_devcoredump_read(node, buf)) == -ENOENT &&
	       test_elapsed_ms(start) < ms)
		test_sleep_ms(20);
	return len;
}

int test_devcoredump_gone(const struct tlgpu_node *node, unsigned int ms)
{
	int64_t start = tlgpu_now_ns();
	char *buf = NULL;
	ssize_t len;

	while ((len = test_devcoredump_read(node, &buf)) != -ENOENT) {
		if (len > 0)
			free(buf);
		buf = NULL;
		if (test_elapsed_ms(start) >= ms)
			return -ETIME;
		test_sleep_ms(20);
	}
	return 0;
}

int test_fdinfo_u64(int fd, const char *key, uint64_t *val)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *end;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		errno = 0;
		*val = strtoull(line + klen + 1, &end, 10);
		ret = errno || end == line + klen + 1 ? -EINVAL : 0;
		break;
	}
	fclose(f);
	return ret;
}

int test_write_file(const char *path, const char *str)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, str, strlen(str));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(str))
		ret = -EIO;
	close(fd);
	return ret;
}

int test_kernel_feature(const struct tlgpu_node *node, const char *name)
{
	char path[128], line[512];
	size_t len = strlen(name);
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/kernel_features",
		 node->minor);
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		ktap_diag("%s: %s", path, strerror(-ret));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, len) || line[len] != ':')
			continue;
		if (!strcmp(line + len, ": yes\n"))
			ret = 1;
		else if (!strcmp(line + len, ": no\n"))
			ret = 0;
		else
			ret = -EINVAL;
		break;
	}
	fclose(f);
	if (ret < 0)
		ktap_diag("%s: no valid '%s' line: %s", path, name, strerror(-ret));
	return ret;
}

int test_rmmod(const char *module, int timeout_ms)
{
	int64_t start = tlgpu_now_ns();
	unsigned int tries;
	int ret;

	/*
	 * delete_module(2) itself rather than rmmod(8): busybox's only says
	 * "Resource temporarily unavailable" and exits 1.  O_NONBLOCK is
	 * what rmmod passes; the kernel no longer waits either way.
	 */
	for (tries = 1;; tries++) {
		ret = 0;
		if (syscall(SYS_delete_module, module, O_NONBLOCK))
			ret = -errno;
		if ((ret != -EAGAIN && ret != -EBUSY) ||
		    test_elapsed_ms(start) >= timeout_ms)
			break;
		test_sleep_ms(20);
	}
	if (tries > 1)
		ktap_diag("unloading %s: %s after %u tries in %lld ms", module,
			  ret ? strerror(-ret) : "done", tries,
			  (long long)test_elapsed_ms(start));
	return ret;
}

int test_unbind(struct test_undo *u, const char *slot)
{
	int ret;

	if (u->unbound == ARRAY_SIZE(u->slots) ||
	    strlen(slot) >= sizeof(u->slots[0]))
		return -ENOSPC;
	ret = test_write_file(TLGPU_DRIVER_SYSFS "/unbind", slot);
	if (!ret)
		strcpy(u->slots[u->unbound++], slot);
	return ret;
}

enum ktap_result test_undo(struct test_undo *u, enum ktap_result res)
{
	char path[128];
	unsigned int i;
	int ret;

	if (access(TLGPU_MODULE_SYSFS, F_OK)) {
		ktap_diag("undo: loading tlgpu again");
		ret = system("modprobe tlgpu");
		if (ret) {
			ktap_diag("undo: modprobe tlgpu: status %d", ret);
			res = KTAP_FAIL;
		}
	}
	for (i = 0; i < u->unbound; i++) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver",
			 u->slots[i]);
		if (!access(path, F_OK))
			continue;
		ktap_diag("undo: binding %s again", u->slots[i]);
		ret = test_write_file(TLGPU_DRIVER_SYSFS "/bind", u->slots[i]);
		if (ret) {
			ktap_diag("undo: binding %s: %s", u->slots[i],
				  strerror(-ret));
			res = KTAP_FAIL;
		}
	}
	u->unbound = 0;
	/* Last: a child stuck in the kernel may keep waitpid() waiting. */
	if (u->child > 0) {
		kill(u->child, SIGKILL);
		waitpid(u->child, NULL, 0);
		u->child = 0;
	}
	return res;
}

enum ktap_result test_vgem_gate(int vgem, uint32_t *fence, int *gate)
{
	uint32_t handle;
	int dmabuf;

	KTAP_ASSERT_OK(tlgpu_vgem_dumb_create(vgem, 1024, 1, 32, &handle, NULL,
					      NULL));
	KTAP_ASSERT(!drmPrimeHandleToFD(vgem, handle, DRM_CLOEXEC | DRM_RDWR,
					&dmabuf),
		    "vgem export: %s", strerror(errno));
	KTAP_ASSERT_OK(tlgpu_vgem_fence_attach(vgem, handle, true, fence));
	KTAP_ASSERT_OK(tlgpu_dmabuf_export_sync_file(dmabuf,
						     DMA_BUF_SYNC_READ, gate));
	close(dmabuf);
	KTAP_ASSERT_EQ(tlgpu_sync_file_status(*gate), 0);
	return KTAP_PASS;
}

int test_module_refcnt(void)
{
	uint64_t v;
	int ret = test_read_sysfs_u64(TLGPU_MODULE_SYSFS "/refcnt", &v);

	return ret ? ret : (int)v;
}

int test_wait_module_refcnt(int want, unsigned int timeout_ms)
{
	int64_t start = tlgpu_now_ns();
	int n;

	while ((n = test_module_refcnt()) < 0 || n > want) {
		if (test_elapsed_ms(start) > timeout_ms) {
			ktap_diag("module count %d, want %d",
				  test_module_refcnt(), want);
			return -ETIME;
		}
		test_sleep_ms(20);
	}
	return 0;
}
