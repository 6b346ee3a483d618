/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-basic: probe, GET_PARAM, bad ioctls, unbind/rebind, module reload.
 *
 * Runs in the test VM as root.  The VM's shape comes from the kernel
 * command line words tlgpu_devices=N and tlgpu_timelines=N, which the
 * kernel hands to init as environment variables; /proc/cmdline is read
 * when they are not in the environment.  Cases that change the device
 * set (unbind-rebind, module-reload) come last and put it back.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "ktap.h"
#include "tlgpu.h"
#include "tlgpu_hw.h"

#define DRIVER_SYSFS	"/sys/bus/pci/drivers/tlgpu"
#define PCI_SYSFS	"/sys/bus/pci/devices"
#define MODULE_SYSFS	"/sys/module/tlgpu"
#define DEBUGFS_DRI	"/sys/kernel/debug/dri"

/* How long device nodes may take to come and go after bind or modprobe. */
#define SETTLE_MS	10000
#define POLL_MS		20

#define TLGPU_KNOWN_CAPS (TLGPU_CAP_TIMELINES | TLGPU_CAP_MMU |		\
			  TLGPU_CAP_WAIT | TLGPU_CAP_CHECKSUM |		\
			  TLGPU_CAP_INJECT | TLGPU_CAP_FLR)

#define TLGPU_PCI_ID	((uint32_t)TLGPU_PCI_VENDOR_ID << 16 | TLGPU_PCI_DEVICE_ID)

#ifndef TLGPU_INFO_PATH
#define TLGPU_INFO_PATH	"tlgpu-info"
#endif

struct devices {
	struct tlgpu_node nodes[TLGPU_MAX_DEVICES];
	int count;
};

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static unsigned int now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000u + ts.tv_nsec / 1000000;
}

/*
 * A word name=N of the kernel command line, from the environment or from
 * /proc/cmdline; -1 when absent or not a number.
 */
static long boot_param(const char *name)
{
	char cmdline[4096], *word, *save, *end;
	const char *val = getenv(name);
	size_t len = strlen(name);
	long ret = -1;
	FILE *f;

	if (!val) {
		f = fopen("/proc/cmdline", "r");
		if (!f)
			return -1;
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = '\0';
		fclose(f);
		for (word = strtok_r(cmdline, " \t\n", &save); word;
		     word = strtok_r(NULL, " \t\n", &save)) {
			if (!strncmp(word, name, len) && word[len] == '=')
				val = word + len + 1;
		}
		if (!val)
			return -1;
	}

	errno = 0;
	ret = strtol(val, &end, 0);
	if (errno || end == val || *end || ret < 0)
		return -1;
	return ret;
}

/* ioctl(2) without libdrm's restart loop: 0 or -errno. */
static int raw_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static int get_param_raw(int fd, uint32_t param, uint32_t pad, uint64_t *value)
{
	struct drm_tlgpu_get_param args = { .param = param, .pad = pad };
	int ret;

	ret = raw_ioctl(fd, DRM_IOCTL_TLGPU_GET_PARAM, &args);
	if (!ret)
		*value = args.value;
	return ret;
}

/* "/sys/dev/char/<major>:<minor>/device" of an open device node. */
static int node_sysfs_device(int fd, char *buf, size_t len)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;
	snprintf(buf, len, "/sys/dev/char/%u:%u/device",
		 major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

/* PCI slot ("0000:00:04.0") of an open device node, from sysfs. */
static int node_pci_slot(int fd, char *slot, size_t len)
{
	char path[128], target[PATH_MAX];
	const char *base;
	ssize_t n;
	int ret;

	ret = node_sysfs_device(fd, path, sizeof(path));
	if (ret)
		return ret;
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

static int read_sysfs_u64(const char *path, uint64_t *val)
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

static int write_sysfs(const char *path, const char *str)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, str, strlen(str));
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return (size_t)n == strlen(str) ? 0 : -EIO;
}

static int path_exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/*
 * Runs @cmd with the shell, output (stdout and stderr) into @out if not
 * NULL and echoed as diagnostics.  Returns the exit code, or -1 if the
 * command did not exit normally.
 */
static int run_cmd(const char *cmd, char *out, size_t out_len)
{
	char full[512], line[512];
	size_t used = 0;
	int status;
	FILE *p;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	ktap_diag("$ %s", cmd);
	fflush(stdout);
	p = popen(full, "r");
	if (!p) {
		ktap_diag("popen: %s", strerror(errno));
		return -1;
	}
	if (out && out_len)
		out[0] = '\0';
	while (fgets(line, sizeof(line), p)) {
		ktap_diag("  %s", line);
		if (out && used + strlen(line) < out_len) {
			memcpy(out + used, line, strlen(line) + 1);
			used += strlen(line);
		}
	}
	status = pclose(p);
	if (status < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Opens every tlgpu node; fails (or skips, without devices) if none. */
static enum ktap_result open_devices(struct devices *d)
{
	d->count = tlgpu_open_all(d->nodes, TLGPU_MAX_DEVICES);
	if (d->count < 0) {
		ktap_diag("tlgpu_open_all: %s", strerror(-d->count));
		return KTAP_FAIL;
	}
	if (d->count == 0) {
		if (boot_param("tlgpu_devices") == 0)
			return ktap_skip("VM booted without tlgpu devices");
		ktap_diag("no tlgpu render node in " TLGPU_DRI_DIR);
		return KTAP_FAIL;
	}
	return KTAP_PASS;
}

#define OPEN_DEVICES(d)							\
	do {								\
		enum ktap_result r_ = open_devices(d);			\
		if (r_ != KTAP_PASS)					\
			return r_;					\
	} while (0)

/* Counts tlgpu nodes now; -errno on error. */
static int count_devices(void)
{
	struct devices d;

	d.count = tlgpu_open_all(d.nodes, TLGPU_MAX_DEVICES);
	if (d.count > 0)
		tlgpu_close_all(d.nodes, d.count);
	return d.count;
}

/* Waits up to SETTLE_MS for @want tlgpu nodes; returns the last count. */
static int wait_device_count(int want)
{
	unsigned int start = now_ms();
	int n;

	for (;;) {
		n = count_devices();
		if (n == want || now_ms() - start >= SETTLE_MS)
			return n;
		sleep_ms(POLL_MS);
	}
}

/*
 * Waits up to SETTLE_MS for the tlgpu node of PCI function @slot and
 * opens it into @node.  Returns 0 or -ETIMEDOUT.
 */
static int wait_slot_node(const char *slot, struct tlgpu_node *node)
{
	unsigned int start = now_ms();
	struct devices d;
	char s[64];
	int i;

	for (;;) {
		d.count = tlgpu_open_all(d.nodes, TLGPU_MAX_DEVICES);
		for (i = 0; i < d.count; i++) {
			if (!node_pci_slot(d.nodes[i].fd, s, sizeof(s)) &&
			    !strcmp(s, slot)) {
				*node = d.nodes[i];
				d.nodes[i].fd = -1;
				tlgpu_close_all(d.nodes, d.count);
				return 0;
			}
		}
		if (d.count > 0)
			tlgpu_close_all(d.nodes, d.count);
		if (now_ms() - start >= SETTLE_MS)
			return -ETIMEDOUT;
		sleep_ms(POLL_MS);
	}
}

/* Checks what every freshly probed device must answer. */
static enum ktap_result check_fresh_device(const struct tlgpu_node *node)
{
	uint64_t val;

	KTAP_ASSERT_OK(tlgpu_get_param(node->fd, DRM_TLGPU_PARAM_DEVICE_VERSION,
				       &val));
	KTAP_ASSERT_EQ(val, TLGPU_VERSION);
	KTAP_ASSERT_OK(tlgpu_get_param(node->fd, DRM_TLGPU_PARAM_PCI_ID, &val));
	KTAP_ASSERT_EQ(val, TLGPU_PCI_ID);
	KTAP_ASSERT_OK(tlgpu_get_param(node->fd, DRM_TLGPU_PARAM_RESET_COUNT,
				       &val));
	KTAP_ASSERT_EQ(val, 0);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* GET_PARAM                                                           */
/* ------------------------------------------------------------------ */

static enum ktap_result test_get_param_version(void)
{
	struct devices d;
	uint64_t val;
	int i;

	OPEN_DEVICES(&d);
	for (i = 0; i < d.count; i++) {
		KTAP_ASSERT_OK(tlgpu_get_param(d.nodes[i].fd,
					       DRM_TLGPU_PARAM_DEVICE_VERSION,
					       &val));
		ktap_diag("%s: version 0x%08llx", d.nodes[i].path,
			  (unsigned long long)val);
		KTAP_ASSERT_EQ(val, 0x00010000);
		KTAP_ASSERT_EQ(val, TLGPU_VERSION);
	}
	return KTAP_PASS;
}

static enum ktap_result test_get_param_timelines(void)
{
	long want = boot_param("tlgpu_timelines");
	struct devices d;
	uint64_t val;
	int i;

	OPEN_DEVICES(&d);
	for (i = 0; i < d.count; i++) {
		KTAP_ASSERT_OK(tlgpu_get_param(d.nodes[i].fd,
					       DRM_TLGPU_PARAM_NUM_TIMELINES,
					       &val));
		ktap_diag("%s: %llu timelines", d.nodes[i].path,
			  (unsigned long long)val);
		KTAP_ASSERT(val >= 1 && val <= TLGPU_MAX_TIMELINES,
			    "%llu timelines", (unsigned long long)val);
		if (want >= 0)
			KTAP_ASSERT_EQ(val, want);
	}
	if (want < 0)
		return ktap_skip("tlgpu_timelines=N not on the kernel command line");
	return KTAP_PASS;
}

static enum ktap_result test_get_param_caps(void)
{
	struct devices d;
	uint64_t val;
	int i;

	OPEN_DEVICES(&d);
	for (i = 0; i < d.count; i++) {
		KTAP_ASSERT_OK(tlgpu_get_param(d.nodes[i].fd,
					       DRM_TLGPU_PARAM_CAPS, &val));
		ktap_diag("%s: caps 0x%08llx", d.nodes[i].path,
			  (unsigned long long)val);
		KTAP_ASSERT(val & TLGPU_CAP_TIMELINES,
			    "caps 0x%llx lack TLGPU_CAP_TIMELINES",
			    (unsigned long long)val);
		KTAP_ASSERT(!(val & ~(uint64_t)TLGPU_KNOWN_CAPS),
			    "caps 0x%llx have bits 0x%llx not in tlgpu_hw.h",
			    (unsigned long long)val,
			    (unsigned long long)(val & ~(uint64_t)TLGPU_KNOWN_CAPS));
	}
	return KTAP_PASS;
}

static enum ktap_result test_get_param_num_as(void)
{
	struct devices d;
	uint64_t val;
	int i;

	OPEN_DEVICES(&d);
	for (i = 0; i < d.count; i++) {
		KTAP_ASSERT_OK(tlgpu_get_param(d.nodes[i].fd,
					       DRM_TLGPU_PARAM_NUM_AS, &val));
		ktap_diag("%s: %llu address spaces", d.nodes[i].path,
			  (unsigned long long)val);
		/* The device model has all of them. */
		KTAP_ASSERT_EQ(val, TLGPU_NUM_AS);
	}
	return KTAP_PASS;
}

static enum ktap_result test_get_param_pci_id(void)
{
	char dir[128], path[192];
	uint64_t val, vendor, device;
	struct devices d;
	int i;

	OPEN_DEVICES(&d);
	for (i = 0; i < d.count; i++) {
		KTAP_ASSERT_OK(tlgpu_get_param(d.nodes[i].fd,
					       DRM_TLGPU_PARAM_PCI_ID, &val));
		KTAP_ASSERT_EQ(val, 0x12347467);
		KTAP_ASSERT_EQ(val, TLGPU_PCI_ID);

		KTAP_ASSERT_OK(node_sysfs_device(d.nodes[i].fd, dir,
						 sizeof(dir)));
		snprintf(path, sizeof(path), "%s/vendor", dir);
		KTAP_ASSERT_OK(read_sysfs_u64(path, &vendor));
		snprintf(path, sizeof(path), "%s/device", dir);
		KTAP_ASSERT_OK(read_sysfs_u64(path, &device));
		ktap_diag("%s: sysfs %04llx:%04llx", d.nodes[i].path,
			  (unsigned long long)vendor,
			  (unsigned long long)device);
		KTAP_ASSERT_EQ(val >> 16, vendor);
		KTAP_ASSERT_EQ(val & 0xffff, device);
	}
	return KTAP_PASS;
}

static enum ktap_result test_get_param_reset_count(void)
{
	uint64_t first, again;
	struct devices d;
	int i;

	OPEN_DEVICES(&d);
	for (i = 0; i < d.count; i++) {
		KTAP_ASSERT_OK(tlgpu_get_param(d.nodes[i].fd,
					       DRM_TLGPU_PARAM_RESET_COUNT,
					       &first));
		ktap_diag("%s: %llu resets since probe", d.nodes[i].path,
			  (unsigned long long)first);
		KTAP_ASSERT(first <= UINT32_MAX, "a 32-bit counter");
		/* Nothing resets an idle device. */
		KTAP_ASSERT_OK(tlgpu_get_param(d.nodes[i].fd,
					       DRM_TLGPU_PARAM_RESET_COUNT,
					       &again));
		KTAP_ASSERT_EQ(again, first);
	}
	return KTAP_PASS;
}

static int count_pci_functions(void)
{
	char path[PATH_MAX];
	uint64_t vendor, device;
	struct dirent *ent;
	int n = 0;
	DIR *dir;

	dir = opendir(PCI_SYSFS);
	if (!dir)
		return -errno;
	while ((ent = readdir(dir))) {
		if (ent->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PCI_SYSFS "/%s/vendor", ent->d_name);
		if (read_sysfs_u64(path, &vendor))
			continue;
		snprintf(path, sizeof(path), PCI_SYSFS "/%s/device", ent->d_name);
		if (read_sysfs_u64(path, &device))
			continue;
		n += vendor == TLGPU_PCI_VENDOR_ID && device == TLGPU_PCI_DEVICE_ID;
	}
	closedir(dir);
	return n;
}

static int count_bound_functions(void)
{
	struct dirent *ent;
	int n = 0;
	DIR *dir;

	dir = opendir(DRIVER_SYSFS);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	/* Bound functions appear as links named by their slot. */
	while ((ent = readdir(dir)))
		n += ent->d_name[0] != '.' && strchr(ent->d_name, ':') != NULL;
	closedir(dir);
	return n;
}

static enum ktap_result test_devices_count(void)
{
	long want = boot_param("tlgpu_devices");
	int nodes, pci, bound;

	nodes = count_devices();
	pci = count_pci_functions();
	bound = count_bound_functions();
	ktap_diag("%d tlgpu PCI functions, %d bound, %d render nodes; %ld expected",
		  pci, bound, nodes, want);

	KTAP_ASSERT(nodes >= 0, "tlgpu_open_all: %s", strerror(-nodes));
	KTAP_ASSERT(pci >= 0, PCI_SYSFS ": %s", strerror(-pci));
	KTAP_ASSERT_EQ(bound, pci);
	KTAP_ASSERT_EQ(nodes, pci);
	if (want < 0)
		return ktap_skip("tlgpu_devices=N not on the kernel command line");
	KTAP_ASSERT_EQ(nodes, want);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Rejected input                                                      */
/* ------------------------------------------------------------------ */

static enum ktap_result test_bad_get_param_unknown(void)
{
	static const uint32_t bad[] = {
		DRM_TLGPU_PARAM_DRIVER_CAPS + 1, 0x100, 0x80000000u, 0xffffffffu,
	};
	struct devices d;
	uint64_t val = 0;
	unsigned int j;
	int i;

	OPEN_DEVICES(&d);
	for (i = 0; i < d.count; i++) {
		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
			val = 0x5a5a5a5a5a5a5a5aull;
			KTAP_ASSERT_RET(get_param_raw(d.nodes[i].fd, bad[j], 0,
						      &val), -EINVAL);
			KTAP_ASSERT_EQ(val, 0x5a5a5a5a5a5a5a5aull);
		}
		/* The file still works. */
		KTAP_ASSERT_OK(get_param_raw(d.nodes[i].fd,
					     DRM_TLGPU_PARAM_DEVICE_VERSION, 0,
					     &val));
		KTAP_ASSERT_EQ(val, TLGPU_VERSION);
	}
	return KTAP_PASS;
}

static enum ktap_result test_bad_get_param_pad(void)
{
	static const uint32_t bad[] = { 1, 0x80000000u, 0xffffffffu };
	struct devices d;
	uint64_t val = 0;
	unsigned int j;
	int i;

	OPEN_DEVICES(&d);
	for (i = 0; i < d.count; i++) {
		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++)
			KTAP_ASSERT_RET(get_param_raw(d.nodes[i].fd,
						      DRM_TLGPU_PARAM_DEVICE_VERSION,
						      bad[j], &val), -EINVAL);
		KTAP_ASSERT_OK(get_param_raw(d.nodes[i].fd,
					     DRM_TLGPU_PARAM_DEVICE_VERSION, 0,
					     &val));
		KTAP_ASSERT_EQ(val, TLGPU_VERSION);
	}
	return KTAP_PASS;
}

static enum ktap_result test_bad_get_param_efault(void)
{
	struct drm_tlgpu_get_param *ro;
	struct devices d;
	long page = sysconf(_SC_PAGESIZE);
	void *none;
	int fd;

	OPEN_DEVICES(&d);
	fd = d.nodes[0].fd;

	/* Unreadable argument: the copy in fails. */
	KTAP_ASSERT_RET(raw_ioctl(fd, DRM_IOCTL_TLGPU_GET_PARAM, NULL), -EFAULT);
	none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KTAP_ASSERT(none != MAP_FAILED, "mmap: %s", strerror(errno));
	KTAP_ASSERT_RET(raw_ioctl(fd, DRM_IOCTL_TLGPU_GET_PARAM, none), -EFAULT);

	/* Readable but not writable: the copy out fails. */
	ro = mmap(NULL, page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KTAP_ASSERT(ro != MAP_FAILED, "mmap: %s", strerror(errno));
	ro->param = DRM_TLGPU_PARAM_DEVICE_VERSION;
	ro->value = 0x5a5a5a5a5a5a5a5aull;
	KTAP_ASSERT(!mprotect(ro, page, PROT_READ), "mprotect: %s",
		    strerror(errno));
	KTAP_ASSERT_RET(raw_ioctl(fd, DRM_IOCTL_TLGPU_GET_PARAM, ro), -EFAULT);
	KTAP_ASSERT_EQ(ro->value, 0x5a5a5a5a5a5a5a5aull);

	/* An argument straddling into the unreadable page. */
	KTAP_ASSERT(!munmap(ro, page), "munmap: %s", strerror(errno));
	ro = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KTAP_ASSERT(ro != MAP_FAILED, "mmap: %s", strerror(errno));
	KTAP_ASSERT(!mprotect((char *)ro + page, page, PROT_NONE),
		    "mprotect: %s", strerror(errno));
	KTAP_ASSERT_RET(raw_ioctl(fd, DRM_IOCTL_TLGPU_GET_PARAM,
				  (char *)ro + page - 8), -EFAULT);

	return KTAP_PASS;
}

static enum ktap_result test_bad_ioctl_number(void)
{
	/*
	 * The DRM core rejects driver ioctl numbers past the driver's table
	 * with -EINVAL (drm_ioctl(): index >= num_ioctls), and ioctls of
	 * another type than 'd' with -ENOTTY.
	 */
	const unsigned long past_last =
		DRM_IOWR(DRM_COMMAND_BASE + DRM_TLGPU_GET_PARAM + 1,
			 struct drm_tlgpu_get_param);
	const unsigned long last_driver =
		DRM_IOWR(DRM_COMMAND_END - 1, struct drm_tlgpu_get_param);
	const unsigned long other_type =
		_IOWR('x', DRM_COMMAND_BASE + DRM_TLGPU_GET_PARAM,
		      struct drm_tlgpu_get_param);
	struct drm_tlgpu_get_param args = { 0 };
	struct devices d;
	uint64_t val = 0;

	OPEN_DEVICES(&d);
	KTAP_ASSERT_RET(raw_ioctl(d.nodes[0].fd, past_last, &args), -EINVAL);
	KTAP_ASSERT_RET(raw_ioctl(d.nodes[0].fd, last_driver, &args), -EINVAL);
	KTAP_ASSERT_RET(raw_ioctl(d.nodes[0].fd, other_type, &args), -ENOTTY);

	KTAP_ASSERT_OK(get_param_raw(d.nodes[0].fd,
				     DRM_TLGPU_PARAM_DEVICE_VERSION, 0, &val));
	KTAP_ASSERT_EQ(val, TLGPU_VERSION);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Interrupts                                                          */
/* ------------------------------------------------------------------ */

/*
 * Reads debugfs "irqs" of @dir: line i is vector i, "tl<i> <count>" for
 * the timelines, then "dev <count>".  Returns the number of vectors, or
 * -errno, -EPROTO for a line out of that order.
 */
static int read_irq_counts(const char *dir, unsigned int timelines,
			   uint64_t *counts, unsigned int max)
{
	char path[PATH_MAX], line[128], name[32], want[32];
	unsigned long long count;
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/irqs", dir);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (n >= max || sscanf(line, "%31s %llu", name, &count) != 2)
			break;
		if (n < timelines)
			snprintf(want, sizeof(want), "tl%u", n);
		else
			snprintf(want, sizeof(want), "dev");
		if (strcmp(name, want)) {
			ktap_diag("%s line %u: '%s', expected '%s'", path, n,
				  name, want);
			fclose(f);
			return -EPROTO;
		}
		counts[n++] = count;
	}
	fclose(f);
	return n;
}

/* Does /proc/interrupts have a line ending in " <name>"? */
static int proc_interrupts_has(const char *name)
{
	char line[1024];
	size_t len = strlen(name);
	int found = 0;
	FILE *f;

	f = fopen("/proc/interrupts", "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		size_t l = strcspn(line, "\n");

		found = l > len && line[l - len - 1] == ' ' &&
			!strncmp(line + l - len, name, len);
	}
	fclose(f);
	return found;
}

static enum ktap_result check_irq_device(const struct tlgpu_node *node)
{
	uint64_t before[TLGPU_MAX_TIMELINES + 1], now[TLGPU_MAX_TIMELINES + 1];
	char dir[64], path[128], slot[64], name[96], num[16];
	uint64_t timelines;
	unsigned int start;
	int n, v;

	KTAP_ASSERT_OK(tlgpu_get_param(node->fd, DRM_TLGPU_PARAM_NUM_TIMELINES,
				       &timelines));
	KTAP_ASSERT_OK(node_pci_slot(node->fd, slot, sizeof(slot)));
	snprintf(dir, sizeof(dir), DEBUGFS_DRI "/%u", node->minor);
	snprintf(path, sizeof(path), "%s/inject_spurious", dir);

	/* A vector per timeline and the device vector, each requested. */
	n = read_irq_counts(dir, timelines, before, TLGPU_MAX_TIMELINES + 1);
	KTAP_ASSERT(n >= 0, "%s/irqs: %s", dir, strerror(-n));
	KTAP_ASSERT_EQ(n, timelines + 1);
	for (v = 0; v < n; v++) {
		if ((uint64_t)v < timelines)
			snprintf(name, sizeof(name), "tlgpu-tl%d@%s", v, slot);
		else
			snprintf(name, sizeof(name), "tlgpu-dev@%s", slot);
		KTAP_ASSERT(proc_interrupts_has(name),
			    "no %s in /proc/interrupts", name);
	}

	/* Each vector raised once lands on its own handler, once. */
	for (v = 0; v < n; v++) {
		snprintf(num, sizeof(num), "%d", v);
		KTAP_ASSERT_OK(write_sysfs(path, num));
		start = now_ms();
		do {
			KTAP_ASSERT_EQ(read_irq_counts(dir, timelines, now,
						       TLGPU_MAX_TIMELINES + 1), n);
			if (now[v] != before[v])
				break;
			sleep_ms(POLL_MS);
		} while (now_ms() - start < 2000);
	}
	KTAP_ASSERT_EQ(read_irq_counts(dir, timelines, now,
				       TLGPU_MAX_TIMELINES + 1), n);
	for (v = 0; v < n; v++) {
		if (now[v] != before[v] + 1)
			ktap_diag("%s: vector %d: %llu interrupts, expected %llu",
				  node->path, v, (unsigned long long)now[v],
				  (unsigned long long)before[v] + 1);
		KTAP_ASSERT_EQ(now[v], before[v] + 1);
	}

	ktap_diag("%s: %d vectors, each raised once and handled once",
		  node->path, n);

	snprintf(num, sizeof(num), "%d", n);
	KTAP_ASSERT_RET(write_sysfs(path, num), -EINVAL);
	return KTAP_PASS;
}

static enum ktap_result test_irq_spurious(void)
{
	enum ktap_result res;
	struct devices d;
	uint64_t caps;
	int i;

	OPEN_DEVICES(&d);
	if (!path_exists(DEBUGFS_DRI))
		return ktap_skip("no " DEBUGFS_DRI ": debugfs not mounted");
	for (i = 0; i < d.count; i++) {
		KTAP_ASSERT_OK(tlgpu_get_param(d.nodes[i].fd,
					       DRM_TLGPU_PARAM_CAPS, &caps));
		if (!(caps & TLGPU_CAP_INJECT))
			return ktap_skip("%s lacks TLGPU_CAP_INJECT",
					 d.nodes[i].path);
		res = check_irq_device(&d.nodes[i]);
		if (res != KTAP_PASS)
			return res;
	}
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* tlgpu-info                                                          */
/* ------------------------------------------------------------------ */

static const char *tlgpu_info_path(void)
{
	const char *env = getenv("TLGPU_INFO");

	return env ? env : TLGPU_INFO_PATH;
}

/* The block tlgpu-info printed for @path: from its line to a blank line. */
static const char *info_block(const char *out, const char *path, size_t *len)
{
	size_t plen = strlen(path);
	const char *p = out, *end;

	for (;;) {
		if (!strncmp(p, path, plen) && p[plen] == '\n')
			break;
		p = strchr(p, '\n');
		if (!p)
			return NULL;
		p++;
	}
	end = strstr(p, "\n\n");
	*len = end ? (size_t)(end - p) + 1 : strlen(p);
	return p;
}

/* Does the @len bytes at @block contain the line "  <key> <value>"? */
static int block_has(const char *block, size_t len, const char *key,
		     const char *value)
{
	char line[512];
	const char *p = block, *end = block + len;
	size_t llen;

	llen = snprintf(line, sizeof(line), "\n  %-16s %s\n", key, value);
	if (llen >= sizeof(line))
		return 0;
	for (; p + llen <= end; p++) {
		if (!strncmp(p, line, llen))
			return 1;
	}
	return 0;
}

/* "timelines mmu ...": the TLGPU_CAP_* bits of @caps, by name. */
static const char *cap_names(uint64_t caps)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} known[] = {
		{ TLGPU_CAP_TIMELINES, "timelines" },
		{ TLGPU_CAP_MMU, "mmu" },
		{ TLGPU_CAP_WAIT, "wait" },
		{ TLGPU_CAP_CHECKSUM, "checksum" },
		{ TLGPU_CAP_INJECT, "inject" },
		{ TLGPU_CAP_FLR, "flr" },
	};
	static char buf[128];
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (caps & known[i].bit)
			used += snprintf(buf + used, sizeof(buf) - used, "%s%s",
					 used ? " " : "", known[i].name);
	}
	return buf;
}

/* "devcoredump fdinfo-core ...": the DRM_TLGPU_DRIVER_CAP_* bits of @caps. */
static const char *driver_cap_names(uint64_t caps)
{
	static char buf[256];
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < 64; i++) {
		const char *name = tlgpu_driver_cap_name(1ull << i);

		if (caps & (1ull << i))
			used += snprintf(buf + used, sizeof(buf) - used, "%s%s",
					 used ? " " : "", name ? name : "?");
	}
	return buf;
}

static enum ktap_result test_tlgpu_info(void)
{
	static char out[65536];
	uint64_t version, timelines, num_as, caps, resets;
	char slot[64], value[256];
	const char *block;
	struct devices d;
	size_t len = 0;
	int i, code;

	OPEN_DEVICES(&d);
	code = run_cmd(tlgpu_info_path(), out, sizeof(out));
	KTAP_ASSERT_EQ(code, 0);

	for (i = 0; i < d.count; i++) {
		const struct tlgpu_node *n = &d.nodes[i];

		block = info_block(out, n->path, &len);
		KTAP_ASSERT(block, "no block for %s", n->path);

		KTAP_ASSERT_OK(node_pci_slot(n->fd, slot, sizeof(slot)));
		KTAP_ASSERT(block_has(block, len, "pci slot:", slot),
			    "%s: pci slot %s", n->path, slot);

		KTAP_ASSERT_OK(tlgpu_get_param(n->fd,
					       DRM_TLGPU_PARAM_DEVICE_VERSION,
					       &version));
		snprintf(value, sizeof(value), "%llu.%llu",
			 (unsigned long long)version >> 16,
			 (unsigned long long)version & 0xffff);
		KTAP_ASSERT(block_has(block, len, "device version:", value),
			    "%s: device version %s", n->path, value);

		KTAP_ASSERT_OK(tlgpu_get_param(n->fd,
					       DRM_TLGPU_PARAM_NUM_TIMELINES,
					       &timelines));
		snprintf(value, sizeof(value), "%llu",
			 (unsigned long long)timelines);
		KTAP_ASSERT(block_has(block, len, "timelines:", value),
			    "%s: timelines %s", n->path, value);

		KTAP_ASSERT_OK(tlgpu_get_param(n->fd, DRM_TLGPU_PARAM_NUM_AS,
					       &num_as));
		snprintf(value, sizeof(value), "%llu",
			 (unsigned long long)num_as);
		KTAP_ASSERT(block_has(block, len, "address spaces:", value),
			    "%s: address spaces %s", n->path, value);

		KTAP_ASSERT_OK(tlgpu_get_param(n->fd, DRM_TLGPU_PARAM_CAPS,
					       &caps));
		snprintf(value, sizeof(value), "0x%08llx (%s)",
			 (unsigned long long)caps, cap_names(caps));
		KTAP_ASSERT(block_has(block, len, "caps:", value),
			    "%s: caps %s", n->path, value);

		KTAP_ASSERT_OK(tlgpu_get_param(n->fd,
					       DRM_TLGPU_PARAM_RESET_COUNT,
					       &resets));
		snprintf(value, sizeof(value), "%llu",
			 (unsigned long long)resets);
		KTAP_ASSERT(block_has(block, len, "reset count:", value),
			    "%s: reset count %s", n->path, value);

		KTAP_ASSERT_OK(tlgpu_get_param(n->fd,
					       DRM_TLGPU_PARAM_DRIVER_CAPS,
					       &caps));
		snprintf(value, sizeof(value), "0x%08llx (%s)",
			 (unsigned long long)caps, driver_cap_names(caps));
		KTAP_ASSERT(block_has(block, len, "driver caps:", value),
			    "%s: driver caps %s", n->path, value);
	}
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* fdinfo (Documentation/gpu/drm-usage-stats.rst)                      */
/* ------------------------------------------------------------------ */

/* DRM_IOCTL_SET_CLIENT_NAME (Linux 6.14), for libdrm's older headers. */
struct test_set_client_name {
	uint64_t name_len;
	uint64_t name;
};
#define TEST_IOCTL_SET_CLIENT_NAME \
	_IOWR('d', 0xD1, struct test_set_client_name)

static int set_client_name(int fd, const char *name, size_t len)
{
	struct test_set_client_name args = {
		.name_len = len, .name = (uint64_t)(uintptr_t)name,
	};

	return tlgpu_ioctl(fd, TEST_IOCTL_SET_CLIENT_NAME, &args);
}

/* /proc/self/fdinfo/@fd into @buf, NUL-terminated: its length or -errno. */
static int read_fdinfo(int fd, char *buf, size_t len)
{
	char path[64];
	ssize_t n, got = 0;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	while ((n = read(f, buf + got, len - 1 - got)) > 0)
		got += n;
	close(f);
	if (n < 0)
		return -errno;
	buf[got] = '\0';
	return got;
}

/* The value of "@key:\t" in @info, up to the end of its line, or NULL. */
static const char *fdinfo_value(const char *info, const char *key,
				char *val, size_t len)
{
	size_t klen = strlen(key);
	const char *p, *end;

	for (p = info; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) || p[klen] != ':' || p[klen + 1] != '\t')
			continue;
		p += klen + 2;
		end = strchrnul(p, '\n');
		if ((size_t)(end - p) >= len)
			return NULL;
		memcpy(val, p, end - p);
		val[end - p] = '\0';
		return val;
	}
	return NULL;
}

/* A memory stat "N", "N KiB" or "N MiB" in bytes, or -1. */
static int64_t fdinfo_size(const char *info, const char *key)
{
	char val[64], *end;
	uint64_t n;

	if (!fdinfo_value(info, key, val, sizeof(val)))
		return -1;
	n = strtoull(val, &end, 10);
	if (end == val)
		return -1;
	if (!*end)
		return n;
	if (!strcmp(end, " KiB"))
		return n << 10;
	if (!strcmp(end, " MiB"))
		return n << 20;
	return -1;
}

/*
 * The keys every kernel has: drm-driver, drm-pdev (the node's PCI slot),
 * drm-client-id (unique per open file), and exactly one
 * "drm-engine-tl<t>: <n> ns" per timeline.  Where the kernel's
 * drm_show_fdinfo() prints them (DRM_TLGPU_DRIVER_CAP_FDINFO_CORE) they
 * come in its order: driver, client id, pdev.
 */
static enum ktap_result test_fdinfo_keys(void)
{
	static char info[8192];
	char val[128], slot[64], key[32];
	const char *driver, *id, *pdev;
	struct tlgpu_node a, b;
	uint64_t caps, timelines, ida, idb;
	unsigned int t;

	TEST_OPEN(0, &a);
	TEST_OPEN(0, &b);
	KTAP_ASSERT_OK(tlgpu_get_param(a.fd, DRM_TLGPU_PARAM_DRIVER_CAPS, &caps));
	KTAP_ASSERT_OK(tlgpu_get_param(a.fd, DRM_TLGPU_PARAM_NUM_TIMELINES,
				       &timelines));
	KTAP_ASSERT(read_fdinfo(a.fd, info, sizeof(info)) > 0, "fdinfo: %m");
	ktap_diag("fdinfo:\n%s", info);

	KTAP_ASSERT(fdinfo_value(info, "drm-driver", val, sizeof(val)) &&
		    !strcmp(val, "tlgpu"), "drm-driver '%s'", val);
	KTAP_ASSERT_OK(node_pci_slot(a.fd, slot, sizeof(slot)));
	KTAP_ASSERT(fdinfo_value(info, "drm-pdev", val, sizeof(val)) &&
		    !strcmp(val, slot), "drm-pdev '%s', slot %s", val, slot);
	KTAP_ASSERT_OK(test_fdinfo_u64(a.fd, "drm-client-id", &ida));
	KTAP_ASSERT_OK(test_fdinfo_u64(b.fd, "drm-client-id", &idb));
	KTAP_ASSERT(ida != idb, "two files share drm-client-id %llu",
		    (unsigned long long)ida);

	for (t = 0; t <= timelines; t++) {
		snprintf(key, sizeof(key), "drm-engine-tl%u", t);
		if (t == timelines) {
			KTAP_ASSERT(!fdinfo_value(info, key, val, sizeof(val)),
				    "%s for a timeline the device lacks", key);
			break;
		}
		KTAP_ASSERT(fdinfo_value(info, key, val, sizeof(val)), "no %s", key);
		KTAP_ASSERT(!strcmp(val, "0 ns"), "%s '%s' before any job",
			    key, val);
	}

	driver = strstr(info, "drm-driver:");
	id = strstr(info, "drm-client-id:");
	pdev = strstr(info, "drm-pdev:");
	if (caps & DRM_TLGPU_DRIVER_CAP_FDINFO_CORE)
		KTAP_ASSERT(driver < id && id < pdev,
			    "not drm_show_fdinfo()'s order (driver, client id, pdev)");
	else
		KTAP_ASSERT(driver < pdev && pdev < id,
			    "not tlgpu's own order (driver, pdev, client id)");
	return KTAP_PASS;
}

/*
 * DRM_IOCTL_SET_CLIENT_NAME (6.14) names the file in fdinfo's
 * drm-client-name; the kernel refuses a name with blanks or longer than
 * 64 and keeps the old one; an empty name clears it.  Without the ioctl
 * the kernel answers -EINVAL, and the driver says so in its caps.
 */
static enum ktap_result test_fdinfo_client_name(void)
{
	static const char name[] = "tlgpu-basic.fdinfo-client-name";
	static char info[8192];
	char val[128], longname[66];
	struct tlgpu_node n;
	uint64_t caps;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_OK(tlgpu_get_param(n.fd, DRM_TLGPU_PARAM_DRIVER_CAPS, &caps));
	if (!(caps & DRM_TLGPU_DRIVER_CAP_CLIENT_NAME)) {
		KTAP_ASSERT_RET(set_client_name(n.fd, name, strlen(name)), -EINVAL);
		return ktap_skip("no DRM_IOCTL_SET_CLIENT_NAME before Linux 6.14 (driver caps %#llx)",
				 (unsigned long long)caps);
	}
	KTAP_ASSERT(read_fdinfo(n.fd, info, sizeof(info)) > 0, "fdinfo: %m");
	KTAP_ASSERT(!fdinfo_value(info, "drm-client-name", val, sizeof(val)),
		    "a name before any was set: '%s'", val);

	KTAP_ASSERT_OK(set_client_name(n.fd, name, strlen(name)));
	KTAP_ASSERT(read_fdinfo(n.fd, info, sizeof(info)) > 0, "fdinfo: %m");
	KTAP_ASSERT(fdinfo_value(info, "drm-client-name", val, sizeof(val)) &&
		    !strcmp(val, name), "drm-client-name '%s'", val);

	/* Refused, and the name stays. */
	KTAP_ASSERT_RET(set_client_name(n.fd, "two words", 9), -EINVAL);
	memset(longname, 'x', sizeof(longname));
	KTAP_ASSERT_RET(set_client_name(n.fd, longname, 65), -EINVAL);
	KTAP_ASSERT_RET(set_client_name(n.fd, NULL, 4), -EFAULT);
	KTAP_ASSERT(read_fdinfo(n.fd, info, sizeof(info)) > 0, "fdinfo: %m");
	KTAP_ASSERT(fdinfo_value(info, "drm-client-name", val, sizeof(val)) &&
		    !strcmp(val, name), "drm-client-name '%s' after refusals", val);

	KTAP_ASSERT_OK(set_client_name(n.fd, NULL, 0));
	KTAP_ASSERT(read_fdinfo(n.fd, info, sizeof(info)) > 0, "fdinfo: %m");
	KTAP_ASSERT(!fdinfo_value(info, "drm-client-name", val, sizeof(val)),
		    "name '%s' after clearing", val);
	return KTAP_PASS;
}

/*
 * The core's memory stats (6.5): a file's buffers in drm-total-memory,
 * resident from their creation (tlgpu maps each into the file's VM),
 * shared once exported, active while a job using them runs.
 */
static enum ktap_result test_fdinfo_memory_stats(void)
{
	static char info[8192];
	struct tlgpu_cmdbuf cb = { 0 };
	struct drm_tlgpu_bo_ref ref = { .flags = DRM_TLGPU_BO_WRITE };
	struct tlgpu_node n;
	struct tlgpu_bo a, b;
	uint64_t caps;
	int dmabuf, fence;

	TEST_OPEN(0, &n);
	KTAP_ASSERT_OK(tlgpu_get_param(n.fd, DRM_TLGPU_PARAM_DRIVER_CAPS, &caps));
	KTAP_ASSERT(read_fdinfo(n.fd, info, sizeof(info)) > 0, "fdinfo: %m");
	if (!(caps & DRM_TLGPU_DRIVER_CAP_MEMORY_STATS)) {
		KTAP_ASSERT_EQ(fdinfo_size(info, "drm-total-memory"), -1);
		return ktap_skip("no drm_show_memory_stats() before Linux 6.5 (driver caps %#llx)",
				 (unsigned long long)caps);
	}
	KTAP_ASSERT_EQ(fdinfo_size(info, "drm-total-memory"), 0);
	KTAP_ASSERT_EQ(fdinfo_size(info, "drm-shared-memory"), 0);

	TEST_BO(n.fd, 1u << 20, &a);
	TEST_BO(n.fd, 3 * PAGE, &b);
	KTAP_ASSERT(read_fdinfo(n.fd, info, sizeof(info)) > 0, "fdinfo: %m");
	ktap_diag("fdinfo:\n%s", info);
	KTAP_ASSERT_EQ(fdinfo_size(info, "drm-total-memory"), (1 << 20) + 3 * PAGE);
	KTAP_ASSERT_EQ(fdinfo_size(info, "drm-shared-memory"), 0);
	KTAP_ASSERT_EQ(fdinfo_size(info, "drm-resident-memory"),
		       (1 << 20) + 3 * PAGE);
	/* Printed as 0 until 6.12, left out while nothing is active since. */
	KTAP_ASSERT(fdinfo_size(info, "drm-active-memory") <= 0,
		    "active before any job: %lld",
		    (long long)fdinfo_size(info, "drm-active-memory"));
	/* tlgpu buffers are never purgeable. */
	KTAP_ASSERT(fdinfo_size(info, "drm-purgeable-memory") <= 0,
		    "purgeable: %lld",
		    (long long)fdinfo_size(info, "drm-purgeable-memory"));

	KTAP_ASSERT_OK(tlgpu_bo_export(&b, DRM_CLOEXEC, &dmabuf));
	KTAP_ASSERT(read_fdinfo(n.fd, info, sizeof(info)) > 0, "fdinfo: %m");
	KTAP_ASSERT_EQ(fdinfo_size(info, "drm-shared-memory"), 3 * PAGE);
	KTAP_ASSERT_EQ(fdinfo_size(info, "drm-total-memory"), (1 << 20) + 3 * PAGE);

	/* A job writing @a for 500 ms makes it active until it is done. */
	KTAP_ASSERT_OK(tlgpu_cmd_delay(&cb, 500 * MS));
	KTAP_ASSERT_OK(tlgpu_cmd_store(&cb, a.gpu_va, 1));
	ref.handle = a.handle;
	KTAP_ASSERT_OK(test_submit(n.fd, 0, 0, &cb, &ref, 1, &fence));
	KTAP_ASSERT(read_fdinfo(n.fd, info, sizeof(info)) > 0, "fdinfo: %m");
	if (tlgpu_sync_file_status(fence) == 0)
		KTAP_ASSERT_EQ(fdinfo_size(info, "drm-active-memory"), 1 << 20);
	ASSERT_SIGNALLED(fence);
	KTAP_ASSERT(read_fdinfo(n.fd, info, sizeof(info)) > 0, "fdinfo: %m");
	KTAP_ASSERT(fdinfo_size(info, "drm-active-memory") <= 0,
		    "active after the job: %lld",
		    (long long)fdinfo_size(info, "drm-active-memory"));
	close(fence);
	close(dmabuf);
	return KTAP_PASS;
}

/* ------------------------------------------------------------------ */
/* Unbind and rebind, module reload                                    */
/* ------------------------------------------------------------------ */

/* With @slot unbound: the held file is dead, the node and link gone. */
static enum ktap_result check_unbound(int held, const char *slot,
				      const char *node_path, int before)
{
	char link[PATH_MAX];
	unsigned int start = now_ms();
	uint64_t val;

	KTAP_ASSERT_RET(tlgpu_get_param(held, DRM_TLGPU_PARAM_DEVICE_VERSION,
					&val), -ENODEV);
	KTAP_ASSERT_RET(tlgpu_get_param(held, DRM_TLGPU_PARAM_RESET_COUNT,
					&val), -ENODEV);
	KTAP_ASSERT_RET(tlgpu_is_tlgpu(held), -ENODEV);

	snprintf(link, sizeof(link), PCI_SYSFS "/%s/driver", slot);
	KTAP_ASSERT(!path_exists(link), "%s still exists", link);

	while (path_exists(node_path) && now_ms() - start < SETTLE_MS)
		sleep_ms(POLL_MS);
	KTAP_ASSERT(!path_exists(node_path), "%s still exists", node_path);
	KTAP_ASSERT_EQ(wait_device_count(before - 1), before - 1);

	return KTAP_PASS;
}

static enum ktap_result test_unbind_rebind(void)
{
	char slot[64], node_path[TLGPU_NODE_PATH_MAX];
	struct tlgpu_node fresh;
	enum ktap_result res;
	struct devices d;
	int held, before, ret;
	uint64_t val;

	if (!path_exists(DRIVER_SYSFS "/unbind"))
		return ktap_skip("no " DRIVER_SYSFS "/unbind");

	OPEN_DEVICES(&d);
	before = d.count;
	held = d.nodes[0].fd;
	snprintf(node_path, sizeof(node_path), "%s", d.nodes[0].path);
	KTAP_ASSERT_OK(node_pci_slot(held, slot, sizeof(slot)));
	d.nodes[0].fd = -1;
	tlgpu_close_all(d.nodes, d.count);
	ktap_diag("unbinding %s (%s), keeping it open", slot, node_path);

	KTAP_ASSERT_OK(tlgpu_get_param(held, DRM_TLGPU_PARAM_DEVICE_VERSION,
				       &val));
	KTAP_ASSERT_EQ(val, TLGPU_VERSION);

	KTAP_ASSERT_OK(write_sysfs(DRIVER_SYSFS "/unbind", slot));
	res = check_unbound(held, slot, node_path, before);

	/* Rebind even when the checks failed, for the cases after this one. */
	ret = write_sysfs(DRIVER_SYSFS "/bind", slot);
	if (res != KTAP_PASS)
		return res;
	KTAP_ASSERT_OK(ret);

	KTAP_ASSERT_OK(wait_slot_node(slot, &fresh));
	ktap_diag("rebound as %s", fresh.path);
	res = check_fresh_device(&fresh);
	if (res != KTAP_PASS)
		return res;
	KTAP_ASSERT_EQ(wait_device_count(before), before);

	/* The old file still fails, and closing it frees the old device. */
	KTAP_ASSERT_RET(tlgpu_get_param(held, DRM_TLGPU_PARAM_DEVICE_VERSION,
					&val), -ENODEV);
	KTAP_ASSERT(!close(held), "close: %s", strerror(errno));

	KTAP_ASSERT_OK(tlgpu_get_param(fresh.fd, DRM_TLGPU_PARAM_DEVICE_VERSION,
				       &val));
	KTAP_ASSERT_EQ(val, TLGPU_VERSION);
	close(fresh.fd);

	return KTAP_PASS;
}

static enum ktap_result test_module_reload(void)
{
	struct devices d;
	int before, n, i;
	enum ktap_result res;

	if (!path_exists(MODULE_SYSFS))
		return ktap_skip("tlgpu is not loaded");
	if (!path_exists(MODULE_SYSFS "/initstate"))
		return ktap_skip("tlgpu is built in");

	/*
	 * This process must hold no tlgpu file, or rmmod fails with EAGAIN;
	 * it is retried while the fences of earlier cases are being freed.
	 */
	before = count_devices();
	KTAP_ASSERT(before >= 0, "tlgpu_open_all: %s", strerror(-before));

	KTAP_ASSERT_OK(test_rmmod("tlgpu", UNLOAD_TIMEOUT_MS));
	KTAP_ASSERT(!path_exists(MODULE_SYSFS), MODULE_SYSFS " still exists");
	KTAP_ASSERT(!path_exists(DRIVER_SYSFS), DRIVER_SYSFS " still exists");
	KTAP_ASSERT_EQ(wait_device_count(0), 0);
	KTAP_ASSERT_EQ(run_cmd(tlgpu_info_path(), NULL, 0), 1);

	KTAP_ASSERT_EQ(run_cmd("modprobe tlgpu", NULL, 0), 0);
	KTAP_ASSERT(path_exists(MODULE_SYSFS), MODULE_SYSFS " missing");
	n = wait_device_count(before);
	KTAP_ASSERT_EQ(n, before);

	OPEN_DEVICES(&d);
	for (i = 0; i < d.count; i++) {
		res = check_fresh_device(&d.nodes[i]);
		if (res != KTAP_PASS)
			return res;
	}
	tlgpu_close_all(d.nodes, d.count);

	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	{ .name = "get-param-version", .run = test_get_param_version },
	{ .name = "get-param-timelines", .run = test_get_param_timelines },
	{ .name = "get-param-caps", .run = test_get_param_caps },
	{ .name = "get-param-num-as", .run = test_get_param_num_as },
	{ .name = "get-param-pci-id", .run = test_get_param_pci_id },
	{ .name = "get-param-reset-count", .run = test_get_param_reset_count },
	{ .name = "devices-count", .run = test_devices_count },
	{ .name = "bad-get-param-unknown", .run = test_bad_get_param_unknown },
	{ .name = "bad-get-param-pad", .run = test_bad_get_param_pad },
	{ .name = "bad-get-param-efault", .run = test_bad_get_param_efault },
	{ .name = "bad-ioctl-number", .run = test_bad_ioctl_number },
	{ .name = "irq-spurious", .run = test_irq_spurious },
	{ .name = "tlgpu-info", .run = test_tlgpu_info },
	{ .name = "fdinfo-keys", .run = test_fdinfo_keys },
	{ .name = "fdinfo-client-name", .run = test_fdinfo_client_name },
	{ .name = "fdinfo-memory-stats", .run = test_fdinfo_memory_stats },
	{ .name = "unbind-rebind", .run = test_unbind_rebind, .timeout = 60 },
	{ .name = "module-reload", .run = test_module_reload, .timeout = 60 },
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
