/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the stress suites; see stress.h.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "stress.h"

#define DEBUGFS_DRI	"/sys/kernel/debug/dri"
#define SLAB_SYSFS	"/sys/kernel/slab"
#define MEMINFO		"/proc/meminfo"

/*
 * What may stay allocated after a stressor released everything:
 * unreclaimable slab, in KiB.  SLUB keeps some empty slabs per cache and
 * CPU; a debug kernel also tracks objects for kmemleak and debugobjects.
 */
#define MEM_TOLERANCE_KB	(6 * 1024)
#define MEM_TOLERANCE_DEBUG_KB	(24 * 1024)
#define MEM_SETTLE_MS		15000

bool stress_debug_kernel(void)
{
	return ktap_debug_kernel();
}

unsigned int stress_scale(void)
{
	static long scale = -1;

	if (scale < 0) {
		scale = test_boot_param("tlgpu_stress_scale", -1);
		if (scale <= 0)
			scale = 100;
	}
	return scale;
}

unsigned long stress_count(unsigned long stock, unsigned long debug)
{
	unsigned long n = stress_debug_kernel() ? debug : stock;

	n = n * stress_scale() / 100;
	return n ? n : 1;
}

void stress_budget_start(struct stress_budget *b, unsigned int stock_s,
			 unsigned int debug_s)
{
	unsigned int s = stress_debug_kernel() ? debug_s : stock_s;

	b->start_ns = tlgpu_now_ns();
	b->end_ns = b->start_ns + (int64_t)s * 1000 * NS_PER_MS;
}

bool stress_budget_over(const struct stress_budget *b)
{
	return tlgpu_now_ns() >= b->end_ns;
}

int64_t stress_budget_ms(const struct stress_budget *b)
{
	return test_elapsed_ms(b->start_ns);
}

struct stress_shared *stress_shared_init(void)
{
	struct stress_shared *s;

	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return NULL;
	memset(s, 0, sizeof(*s));
	return s;
}

int stress_read_file(const char *path, char *buf, size_t len)
{
	size_t used = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (used + 1 < len) {
		n = read(fd, buf + used, len - 1 - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		used += n;
	}
	close(fd);
	buf[used] = '\0';
	return used;
}

/* Shrinks every slab cache: empty slabs go back, KASAN's quarantine too. */
static void shrink_slabs(void)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	d = opendir(SLAB_SYSFS);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || e->d_type == DT_LNK)
			continue;
		snprintf(path, sizeof(path), SLAB_SYSFS "/%s/shrink",
			 e->d_name);
		test_write_file(path, "1");
	}
	closedir(d);
}

static long meminfo_kb(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

int stress_mem_read(struct stress_mem *m, bool settle)
{
	char buf[8192];
	int ret;

	if (settle) {
		sync();
		test_write_file("/proc/sys/vm/drop_caches", "3");
		shrink_slabs();
	}
	ret = stress_read_file(MEMINFO, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	m->avail_kb = meminfo_kb(buf, "\nMemAvailable:");
	m->slab_kb = meminfo_kb(buf, "\nSlab:");
	m->unreclaim_kb = meminfo_kb(buf, "\nSUnreclaim:");
	if (m->avail_kb < 0 || m->slab_kb < 0 || m->unreclaim_kb < 0)
		return -EINVAL;
	return 0;
}

void stress_mem_peak(struct stress_mem *peak, const struct stress_mem *m)
{
	if (m->slab_kb > peak->slab_kb)
		peak->slab_kb = m->slab_kb;
	if (m->unreclaim_kb > peak->unreclaim_kb)
		peak->unreclaim_kb = m->unreclaim_kb;
	if (m->avail_kb < peak->avail_kb)
		peak->avail_kb = m->avail_kb;
}

enum ktap_result stress_mem_check(const char *what,
				  const struct stress_mem *base,
				  const struct stress_mem *peak)
{
	long tol = stress_debug_kernel() ? MEM_TOLERANCE_DEBUG_KB :
					   MEM_TOLERANCE_KB;
	long grown = peak->unreclaim_kb - base->unreclaim_kb;
	int64_t start = tlgpu_now_ns();
	struct stress_mem now;
	long left, allowed;

	/* A quarter of what the run took may linger in partial slabs. */
	allowed = tol + (grown > 0 ? grown / 4 : 0);
	/*
	 * Both bounds settle together: pages freed a moment ago can still
	 * sit in per-CPU page lists or wait for an RCU grace period, which
	 * MemAvailable does not count yet (6.1-stock once read 32 MiB less
	 * right after timeline-1m-points gave its slab back).  What is
	 * still missing after MEM_SETTLE_MS is kept.
	 */
	for (;;) {
		KTAP_ASSERT_OK(stress_mem_read(&now, true));
		left = now.unreclaim_kb - base->unreclaim_kb;
		if ((left <= allowed &&
		     base->avail_kb - now.avail_kb <= 2 * allowed) ||
		    test_elapsed_ms(start) > MEM_SETTLE_MS)
			break;
		test_sleep_ms(500);
	}
	ktap_diag("%s: unreclaimable slab %ld KiB at start, %ld at peak, %ld after release (+%ld, allowed +%ld); MemAvailable %ld -> %ld KiB",
		  what, base->unreclaim_kb, peak->unreclaim_kb,
		  now.unreclaim_kb, left, allowed, base->avail_kb,
		  now.avail_kb);
	KTAP_ASSERT(left <= allowed,
		    "%ld KiB of unreclaimable slab not given back", left);
	/* MemAvailable: the same bound, page cache dropped on both sides. */
	KTAP_ASSERT(base->avail_kb - now.avail_kb <= 2 * allowed,
		    "MemAvailable down by %ld KiB",
		    base->avail_kb - now.avail_kb);
	return KTAP_PASS;
}

void stress_debugfs(const struct tlgpu_node *node, const char *file,
		    char *path, size_t len)
{
	snprintf(path, len, DEBUGFS_DRI "/%u/%s", node->minor, file);
}

int stress_inject(const struct tlgpu_node *node, const char *name,
		  uint64_t value)
{
	char path[128], line[64];

	stress_debugfs(node, "inject", path, sizeof(path));
	snprintf(line, sizeof(line), "%s %llu", name,
		 (unsigned long long)value);
	return test_write_file(path, line);
}

/* The driver's defaults (tlgpu_debugfs.c): nothing injected. */
static const struct {
	const char *name;
	uint64_t value;
} inject_defaults[] = {
	{ "fail_seqno", 0 }, { "fail_every", 0 },
	{ "fail_error", TLGPU_ERR_INJECTED }, { "fail_timeline", 0xffffffffu },
	{ "hang_mask", 0 }, { "jitter_us", 0 },
	{ "irq_drop_every", 0 }, { "irq_dup_every", 0 }, { "reset_fail", 0 },
};

unsigned int stress_inject_off(void)
{
	struct tlgpu_node nodes[TLGPU_MAX_DEVICES];
	unsigned int bad = 0;
	int i, n, ret;
	size_t k;

	n = tlgpu_open_all(nodes, TLGPU_MAX_DEVICES);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ARRAY_SIZE(inject_defaults); k++) {
			ret = stress_inject(&nodes[i], inject_defaults[k].name,
					    inject_defaults[k].value);
			/* No inject file, or no capability: nothing to undo. */
			if (ret == -ENOENT || ret == -EOPNOTSUPP)
				break;
			if (ret) {
				ktap_diag("%s: inject %s: %s", nodes[i].path,
					  inject_defaults[k].name,
					  strerror(-ret));
				bad++;
			}
		}
	}
	if (n > 0)
		tlgpu_close_all(nodes, n);
	return bad;
}

enum ktap_result stress_need_inject(const struct tlgpu_node *node)
{
	char path[128], buf[1024];
	int ret;

	stress_debugfs(node, "inject", path, sizeof(path));
	ret = stress_read_file(path, buf, sizeof(buf));
	if (ret == -ENOENT)
		return ktap_skip("no %s (driver without the inject file)",
				 path);
	if (ret == -EOPNOTSUPP)
		return ktap_skip("device without TLGPU_CAP_INJECT");
	if (ret < 0) {
		ktap_diag("reading %s: %s", path, strerror(-ret));
		return KTAP_FAIL;
	}
	return KTAP_PASS;
}

int stress_pending_fences(const struct tlgpu_node *node)
{
	static char buf[64 * 1024];
	char path[128];
	const char *p;
	int ret, n = 0;

	stress_debugfs(node, "timelines", path, sizeof(path));
	ret = stress_read_file(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	for (p = buf; (p = strstr(p, "pending seqno")); p++)
		n++;
	return n;
}

enum ktap_result stress_wait_no_pending(const struct tlgpu_node *node,
					int timeout_ms)
{
	int64_t start = tlgpu_now_ns();
	int n;

	for (;;) {
		n = stress_pending_fences(node);
		if (n <= 0 || test_elapsed_ms(start) > timeout_ms)
			break;
		test_sleep_ms(20);
	}
	KTAP_ASSERT(n == 0, "%s: %d hardware fences still pending after %d ms (%s)",
		    node->path, n, timeout_ms, n < 0 ? strerror(-n) : "");
	return KTAP_PASS;
}

int stress_timeline_find(const struct tlgpu_node *node, unsigned int tl,
			 char *buf, size_t len)
{
	char path[128], key[32];
	const char *p;
	int ret;

	stress_debugfs(node, "timelines", path, sizeof(path));
	ret = stress_read_file(path, buf, len);
	if (ret < 0)
		return ret;
	snprintf(key, sizeof(key), "tl%u:", tl);
	p = strstr(buf, key);
	if (!p)
		return -ENOENT;
	return p + strlen(key) - buf;
}

int stress_timeline_state(const struct tlgpu_node *node, unsigned int tl,
			  char *state, size_t len)
{
	static char buf[64 * 1024];
	char fmt[32];
	const char *p;
	int ret;

	ret = stress_timeline_find(node, tl, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	p = strstr(buf + ret, " state ");
	if (!p || !len)
		return -EINVAL;
	snprintf(fmt, sizeof(fmt), " state %%%zus", len - 1);
	if (sscanf(p, fmt, state) != 1)
		return -EINVAL;
	return 0;
}

int stress_pci_slot(const struct tlgpu_node *node, char *slot, size_t len)
{
	char path[128], target[PATH_MAX];
	const char *base;
	struct stat st;
	ssize_t n;

	if (fstat(node->fd, &st))
		return -errno;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	memcpy(slot, base, strlen(base) + 1);
	return 0;
}

int stress_open_slot(const char *slot, int timeout_ms, struct tlgpu_node *node)
{
	struct tlgpu_node nodes[TLGPU_MAX_DEVICES];
	int64_t start = tlgpu_now_ns();
	char s[64];
	int i, n;

	for (;;) {
		n = tlgpu_open_all(nodes, TLGPU_MAX_DEVICES);
		for (i = 0; i < n; i++) {
			if (!stress_pci_slot(&nodes[i], s, sizeof(s)) &&
			    !strcmp(s, slot)) {
				*node = nodes[i];
				nodes[i].fd = -1;
				tlgpu_close_all(nodes, n);
				return 0;
			}
		}
		if (n > 0)
			tlgpu_close_all(nodes, n);
		if (test_elapsed_ms(start) > timeout_ms)
			return -ETIMEDOUT;
		test_sleep_ms(20);
	}
}

int stress_send_fds(int sock, const int *fds, unsigned int count)
{
	char ctl[CMSG_SPACE(sizeof(int) * STRESS_MAX_PASS_FDS)] = { 0 };
	uint32_t n = count;
	struct iovec iov = { &n, sizeof(n) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl,
		.msg_controllen = CMSG_SPACE(sizeof(int) * count),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	if (count > STRESS_MAX_PASS_FDS)
		return -E2BIG;
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int) * count);
	memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * count);
	return sendmsg(sock, &msg, 0) < 0 ? -errno : 0;
}

int stress_recv_fds(int sock, int *fds, unsigned int max, int timeout_ms)
{
	char ctl[CMSG_SPACE(sizeof(int) * STRESS_MAX_PASS_FDS)];
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	uint32_t n = 0;
	struct iovec iov = { &n, sizeof(n) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl,
		.msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *cmsg;
	unsigned int got;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return -ETIME;
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
		return -EIO;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	got = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	if (got != n || got > max)
		return -EPROTO;
	memcpy(fds, CMSG_DATA(cmsg), sizeof(int) * got);
	return got;
}

unsigned int stress_num_devices(void)
{
	struct tlgpu_node nodes[TLGPU_MAX_DEVICES];
	long booted = test_boot_param("tlgpu_devices", -1);
	int n;

	if (booted >= 0)
		return booted;
	n = tlgpu_open_all(nodes, TLGPU_MAX_DEVICES);
	if (n <= 0)
		return 0;
	tlgpu_close_all(nodes, n);
	return n;
}

uint32_t stress_timelines(int fd)
{
	uint64_t n;

	if (tlgpu_get_param(fd, DRM_TLGPU_PARAM_NUM_TIMELINES, &n) || !n)
		return 1;
	return n;
}

void stress_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

void stress_kmsg(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int fd;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, line, strlen(line)) < 0)
		ktap_diag("/dev/kmsg: %s", strerror(errno));
	close(fd);
}

unsigned int stress_dev_index(unsigned int i)
{
	unsigned int n = stress_num_devices();

	return n ? i % n : 0;
}

enum ktap_result stress_case_begin(const char *suite, const char *name,
				   struct stress_shared **sh)
{
	stress_kmsg("%s: %s\n", suite, name);
	*sh = stress_shared_init();
	KTAP_ASSERT(*sh, "mmap of the shared page failed");
	stress_inject_off();
	ktap_diag("%s kernel, scale %u%%",
		  stress_debug_kernel() ? "debug" : "stock", stress_scale());
	return KTAP_PASS;
}
