/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-top: a live view of the tlgpu devices and of the processes using
 * them.
 *
 * It reads what gputop and nvtop read: the DRM fdinfo of every open tlgpu
 * file (/proc/<pid>/fdinfo, Documentation/gpu/drm-usage-stats.rst:
 * drm-driver, drm-pdev, drm-client-id, drm-client-name, drm-engine-tl<N>
 * busy time, drm-total-memory, drm-resident-memory), and it finds the
 * devices in sysfs (/sys/bus/pci/drivers/tlgpu), so it needs no root for
 * the user's own processes; those of others show when it may read their
 * fdinfo.  Per device it prints each timeline's busy share of the last
 * interval (the sum over its clients), per client its pid, command, client
 * id and name, memory and timeline shares.  --once prints one sample with
 * cumulative values (busy ms since open) instead.  --debugfs adds the
 * driver's own view of each timeline from debugfs
 * (/sys/kernel/debug/dri/<minor>/timelines, root only): hardware and
 * software seqno, state, job rate, resets, dropped jobs, interrupts, and
 * the device's injection counters.
 *
 * Exit status: 0, or 1 when a sample found no tlgpu device (the driver is
 * not loaded; with --debugfs, also when debugfs cannot be read), 2 for bad
 * usage.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tlgpu.h"

#define DEBUGFS_DRI	"/sys/kernel/debug/dri"
#define DRIVER_SYSFS	"/sys/bus/pci/drivers/tlgpu"
#define MAX_DEVICES	16
#define MAX_TIMELINES	64
#define MAX_CLIENTS	256
#define PDEV_LEN	32

struct timeline {
	uint64_t hw_seqno, status_seqno, sw_seqno;
	char state[16];
	int resets;
	unsigned int jobs, dropped, irqs, coalesced;
	unsigned int pending;		/* fences on the pending list */
	unsigned int pending_done;	/* ... of which already signalled */
};

struct device {
	char pdev[PDEV_LEN];
	/* GET_PARAM on its render node; 0 when it cannot be opened. */
	unsigned int num_timelines;
	/* --debugfs: the driver's timelines file. */
	bool debugfs;
	unsigned int minor;		/* lowest minor with the files */
	unsigned int debugfs_timelines;
	struct timeline tl[MAX_TIMELINES];
	char injected[256];
};

struct client {
	int pid;
	char comm[32];
	char pdev[PDEV_LEN];
	char name[65];			/* drm-client-name, or "" */
	int64_t mem_total;		/* drm-total-memory bytes, or -1 */
	int64_t mem_resident;		/* drm-resident-memory, or -1 */
	uint64_t id;
	unsigned int num_engines;
	uint64_t busy_ns[MAX_TIMELINES];
	/* When its fdinfo was read: shares are per the client's own interval. */
	int64_t time_ns;
};

struct sample {
	int64_t time_ns;
	unsigned int num_devices, num_clients;
	struct device dev[MAX_DEVICES];
	struct client client[MAX_CLIENTS];
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* "tlgpu dev=0000:00:02.0 unique=..." -> "0000:00:02.0"; false if not tlgpu. */
static bool read_name(const char *dir, char *pdev)
{
	char path[512], line[256], *dev;
	bool ok = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/name", dir);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(line, sizeof(line), f) && !strncmp(line, "tlgpu ", 6)) {
		dev = strstr(line, "dev=");
		if (dev && sscanf(dev, "dev=%31s", pdev) == 1)
			ok = true;
	}
	fclose(f);
	return ok;
}

/* Parses a timelines file into @dev; 0 or -errno. */
static int read_timelines(const char *dir, struct device *dev)
{
	char path[512], line[512];
	struct timeline *cur = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/timelines", dir);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	dev->debugfs_timelines = 0;
	dev->injected[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		struct timeline t = { 0 };
		unsigned int idx, signalled;
		unsigned long long seqno;
		int error;

		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "tl%u: hw-seqno %" SCNu64 " (status page %" SCNu64
			   ") sw-seqno %" SCNu64 " state %15s resets %d jobs %u "
			   "dropped %u irqs %u coalesced %u", &idx, &t.hw_seqno,
			   &t.status_seqno, &t.sw_seqno, t.state, &t.resets, &t.jobs,
			   &t.dropped, &t.irqs, &t.coalesced) == 10) {
			if (idx >= MAX_TIMELINES) {
				cur = NULL;
				continue;
			}
			dev->tl[idx] = t;
			cur = &dev->tl[idx];
			if (idx + 1 > dev->debugfs_timelines)
				dev->debugfs_timelines = idx + 1;
		} else if (cur && sscanf(line, "  pending seqno %llu signalled %u error %d",
					 &seqno, &signalled, &error) == 3) {
			cur->pending++;
			cur->pending_done += !!signalled;
		} else if (!strncmp(line, "injected: ", 10)) {
			snprintf(dev->injected, sizeof(dev->injected), "%.200s", line + 10);
		}
	}
	fclose(f);
	return 0;
}

static int cmp_minor(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The timelines of @pdev's device, by GET_PARAM on its render node, or 0;
 * asked once per device (an open costs the driver a VM and a scheduler
 * entity per timeline), not every sample.
 */
static unsigned int query_timelines(const char *pdev);

static unsigned int device_timelines(const char *pdev)
{
	static struct {
		char pdev[PDEV_LEN];
		unsigned int timelines;
	} known[MAX_DEVICES];
	static unsigned int num_known;
	unsigned int i, n;

	for (i = 0; i < num_known; i++)
		if (!strcmp(known[i].pdev, pdev))
			return known[i].timelines;
	n = query_timelines(pdev);
	if (num_known < MAX_DEVICES) {
		snprintf(known[num_known].pdev, PDEV_LEN, "%s", pdev);
		known[num_known++].timelines = n;
	}
	return n;
}

static unsigned int query_timelines(const char *pdev)
{
	char path[300];
	struct dirent *de;
	uint64_t val = 0;
	DIR *dir;
	int fd;

	snprintf(path, sizeof(path), DRIVER_SYSFS "/%s/drm", pdev);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "renderD", 7))
			break;
	if (de) {
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			if (tlgpu_get_param(fd, DRM_TLGPU_PARAM_NUM_TIMELINES, &val))
				val = 0;
			close(fd);
		}
	}
	closedir(dir);
	return val <= MAX_TIMELINES ? val : 0;
}

/* @dev's directory of debugfs (its lowest minor), and its timelines file. */
static void read_debugfs(struct device *dev)
{
	struct dirent **names;
	char **sorted;
	int n, i;

	n = scandir(DEBUGFS_DRI, &names, NULL, NULL);
	if (n < 0)
		return;
	/* Sorted by number, so each device is named by its lowest minor. */
	sorted = calloc(n, sizeof(*sorted));
	for (i = 0; sorted && i < n; i++)
		sorted[i] = names[i]->d_name;
	if (sorted)
		qsort(sorted, n, sizeof(*sorted), cmp_minor);
	for (i = 0; sorted && i < n; i++) {
		char dir[300], pdev[PDEV_LEN];
		char *end;
		unsigned long minor = strtoul(sorted[i], &end, 10);

		if (*end || end == sorted[i])
			continue;
		snprintf(dir, sizeof(dir), DEBUGFS_DRI "/%s", sorted[i]);
		if (!read_name(dir, pdev) || strcmp(pdev, dev->pdev))
			continue;
		dev->minor = minor;
		dev->debugfs = !read_timelines(dir, dev);
		break;
	}
	free(sorted);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static bool use_debugfs;

/* Every PCI function bound to tlgpu (sysfs: no root needed). */
static void read_devices(struct sample *s)
{
	struct dirent **names;
	int n, i;

	s->num_devices = 0;
	n = scandir(DRIVER_SYSFS, &names, NULL, alphasort);
	if (n < 0)
		return;
	for (i = 0; i < n; i++) {
		unsigned int dom, bus, slot, fn;
		struct device *dev;
		char tail;

		if (sscanf(names[i]->d_name, "%x:%x:%x.%x%c", &dom, &bus, &slot,
			   &fn, &tail) != 4 || s->num_devices == MAX_DEVICES)
			continue;
		dev = &s->dev[s->num_devices++];
		memset(dev, 0, sizeof(*dev));
		snprintf(dev->pdev, sizeof(dev->pdev), "%.31s", names[i]->d_name);
		dev->num_timelines = device_timelines(dev->pdev);
		if (use_debugfs)
			read_debugfs(dev);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* A memory stat "N", "N KiB" or "N MiB" in bytes, or -1. */
static int64_t parse_size(const char *val)
{
	char *end;
	uint64_t n = strtoull(val, &end, 10);

	if (end == val)
		return -1;
	if (!strcmp(end, " KiB\n"))
		return n << 10;
	if (!strcmp(end, " MiB\n"))
		return n << 20;
	return !strcmp(end, "\n") ? (int64_t)n : -1;
}

/* Parses one fdinfo file; true if it is a tlgpu DRM file. */
static bool read_fdinfo(const char *path, struct client *c)
{
	char line[256];
	bool tlgpu = false;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return false;
	c->num_engines = 0;
	c->pdev[0] = '\0';
	c->name[0] = '\0';
	c->mem_total = c->mem_resident = -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned int idx;
		unsigned long long val;
		char str[64];

		if (sscanf(line, "drm-driver: %63s", str) == 1)
			tlgpu = !strcmp(str, "tlgpu");
		else if (sscanf(line, "drm-pdev: %31s", c->pdev) == 1)
			;
		else if (sscanf(line, "drm-client-id: %llu", &val) == 1)
			c->id = val;
		else if (sscanf(line, "drm-client-name: %64s", c->name) == 1)
			;
		else if (!strncmp(line, "drm-total-memory:\t", 18))
			c->mem_total = parse_size(line + 18);
		else if (!strncmp(line, "drm-resident-memory:\t", 21))
			c->mem_resident = parse_size(line + 21);
		else if (sscanf(line, "drm-engine-tl%u: %llu ns", &idx, &val) == 2 &&
			 idx < MAX_TIMELINES) {
			c->busy_ns[idx] = val;
			if (idx + 1 > c->num_engines)
				c->num_engines = idx + 1;
		}
	}
	fclose(f);
	return tlgpu;
}

static void read_comm(int pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	snprintf(comm, len, "?");
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(comm, len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

/* Every open tlgpu file of every process, once per (device, client id). */
static void read_clients(struct sample *s)
{
	struct dirent *pde, *fde;
	DIR *proc, *fds;

	s->num_clients = 0;
	proc = opendir("/proc");
	if (!proc)
		return;
	while ((pde = readdir(proc))) {
		char dir[300];
		int pid = atoi(pde->d_name);

		if (pid <= 0)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", pid);
		fds = opendir(dir);
		if (!fds)
			continue;
		while ((fde = readdir(fds)) && s->num_clients < MAX_CLIENTS) {
			struct client *c = &s->client[s->num_clients];
			char path[600];
			unsigned int j;

			if (fde->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, fde->d_name);
			memset(c, 0, sizeof(*c));
			/*
			 * The kernel reads its clock somewhere in between: the
			 * midpoint halves the error a preempted read adds.
			 */
			c->time_ns = now_ns();
			if (!read_fdinfo(path, c))
				continue;
			c->time_ns += (now_ns() - c->time_ns) / 2;
			for (j = 0; j < s->num_clients; j++)
				if (s->client[j].id == c->id &&
				    !strcmp(s->client[j].pdev, c->pdev))
					break;
			if (j < s->num_clients)
				continue;	/* a dup()ed or shared file */
			c->pid = pid;
			read_comm(pid, c->comm, sizeof(c->comm));
			s->num_clients++;
		}
		closedir(fds);
	}
	closedir(proc);
}

static void take_sample(struct sample *s)
{
	s->time_ns = now_ns();
	read_devices(s);
	read_clients(s);
}

static const struct device *find_device(const struct sample *s, const char *pdev)
{
	unsigned int i;

	for (i = 0; s && i < s->num_devices; i++)
		if (!strcmp(s->dev[i].pdev, pdev))
			return &s->dev[i];
	return NULL;
}

static const struct client *find_client(const struct sample *s,
					const struct client *c)
{
	unsigned int i;

	for (i = 0; s && i < s->num_clients; i++)
		if (s->client[i].id == c->id && !strcmp(s->client[i].pdev, c->pdev))
			return &s->client[i];
	return NULL;
}

/* "12.0M", "640K", "-": a memory size for a column. */
static const char *size_str(int64_t bytes, char *buf, size_t len)
{
	if (bytes < 0)
		snprintf(buf, len, "-");
	else if (bytes >= 10ll << 20)
		snprintf(buf, len, "%" PRId64 "M", bytes >> 20);
	else if (bytes >= 10ll << 10)
		snprintf(buf, len, "%" PRId64 "K", bytes >> 10);
	else
		snprintf(buf, len, "%" PRId64, bytes);
	return buf;
}

/*
 * Timeline @t of device @pdev: with @prev, its busy share of the last
 * interval in percent, the sum of its clients' shares, each over that
 * client's own interval between its two fdinfo reads (a client that was
 * not in @prev has no share yet); without, the busy ns of the clients
 * since they opened.
 */
static double device_busy(const struct sample *s, const struct sample *prev,
			  const char *pdev, unsigned int t)
{
	double sum = 0;
	unsigned int i;

	for (i = 0; i < s->num_clients; i++) {
		const struct client *c = &s->client[i];
		const struct client *old = find_client(prev, c);

		if (strcmp(c->pdev, pdev) || t >= c->num_engines)
			continue;
		if (!prev)
			sum += c->busy_ns[t];
		else if (old && t < old->num_engines &&
			 old->busy_ns[t] <= c->busy_ns[t] && c->time_ns > old->time_ns)
			sum += (double)(c->busy_ns[t] - old->busy_ns[t]) * 100 /
			       (double)(c->time_ns - old->time_ns);
	}
	return sum;
}

/* Timelines of @dev to show: GET_PARAM's, else the most fdinfo lists. */
static unsigned int shown_timelines(const struct sample *s,
				    const struct device *dev)
{
	unsigned int i, n = dev->num_timelines;

	for (i = 0; !n && i < s->num_clients; i++)
		if (!strcmp(s->client[i].pdev, dev->pdev) &&
		    s->client[i].num_engines > n)
			n = s->client[i].num_engines;
	return n;
}

/* The driver's view of @dev's timelines (--debugfs). */
static void show_debugfs(const struct device *dev, const struct device *old,
			 double dt)
{
	unsigned int t;

	if (!dev->debugfs) {
		printf("  debugfs: %s/<minor>/timelines not readable\n", DEBUGFS_DRI);
		return;
	}
	printf("  debugfs (dri/%u):\n", dev->minor);
	printf("  %-5s %-8s %10s %10s %9s %8s %9s %7s %8s %9s %10s\n",
	       "TL", "STATE", "HW-SEQNO", "SW-SEQNO", "IN-FLIGHT",
	       "PENDING", "JOBS/S", "RESETS", "DROPPED", "IRQS",
	       "COALESCED");
	for (t = 0; t < dev->debugfs_timelines; t++) {
		const struct timeline *tl = &dev->tl[t];
		char rate[16] = "-";

		if (old && old->debugfs && t < old->debugfs_timelines && dt > 0)
			snprintf(rate, sizeof(rate), "%.1f",
				 (double)(uint32_t)(tl->jobs - old->tl[t].jobs) / dt);
		printf("  tl%-3u %-8s %10" PRIu64 " %10" PRIu64 " %9" PRIu64
		       " %8u %9s %7d %8u %9u %10u\n", t, tl->state,
		       tl->hw_seqno, tl->sw_seqno,
		       tl->sw_seqno > tl->hw_seqno ? tl->sw_seqno - tl->hw_seqno : 0,
		       tl->pending, rate, tl->resets, tl->dropped, tl->irqs,
		       tl->coalesced);
	}
	printf("  injected: %s\n", dev->injected[0] ? dev->injected : "-");
}

/* One screen; @prev NULL prints totals instead of rates. */
static void show(const struct sample *s, const struct sample *prev,
		 int64_t start_ns)
{
	double dt = prev ? (double)(s->time_ns - prev->time_ns) / 1e9 : 0;
	char total[16], resident[16];
	unsigned int i, t, n;

	printf("tlgpu-top  +%.1fs  %u device(s), %u client(s)%s\n",
	       (double)(s->time_ns - start_ns) / 1e9, s->num_devices,
	       s->num_clients, prev ? "" : "  (totals since open)");
	for (i = 0; i < s->num_devices; i++) {
		const struct device *dev = &s->dev[i];
		unsigned int clients = 0;

		for (t = 0; t < s->num_clients; t++)
			clients += !strcmp(s->client[t].pdev, dev->pdev);
		n = shown_timelines(s, dev);
		if (n)
			printf("\ndevice %s  %u timeline(s)%s, %u client(s)\n",
			       dev->pdev, n, dev->num_timelines ? "" :
			       " (seen in fdinfo)", clients);
		else
			printf("\ndevice %s  timelines unknown (its render node "
			       "cannot be opened), %u client(s)\n", dev->pdev,
			       clients);
		printf("  %-5s %s\n", "TL", prev ? "BUSY%" : "BUSY-MS");
		for (t = 0; t < n; t++) {
			double busy = device_busy(s, prev, dev->pdev, t);

			if (prev)
				printf("  tl%-3u %5.1f\n", t, busy);
			else
				printf("  tl%-3u %.1f\n", t, busy / 1e6);
		}
		if (use_debugfs)
			show_debugfs(dev, find_device(prev, dev->pdev), dt);
	}

	printf("\nclients  (%s per timeline)\n",
	       prev ? "busy % of the last interval" : "busy ms since open");
	printf("  %-7s %-16s %-7s %-16s %-13s %7s %7s %s\n", "PID", "COMMAND",
	       "CLIENT", "NAME", "DEVICE", "MEM", "RES", "TIMELINES");
	for (i = 0; i < s->num_clients; i++) {
		const struct client *c = &s->client[i];
		const struct client *old = find_client(prev, c);

		printf("  %-7d %-16s %-7" PRIu64 " %-16s %-13s %7s %7s", c->pid,
		       c->comm, c->id, c->name[0] ? c->name : "-", c->pdev,
		       size_str(c->mem_total, total, sizeof(total)),
		       size_str(c->mem_resident, resident, sizeof(resident)));
		for (t = 0; t < c->num_engines; t++) {
			if (!prev)
				printf(" tl%u %.1f", t, (double)c->busy_ns[t] / 1e6);
			else if (old && c->time_ns > old->time_ns &&
				 t < old->num_engines &&
				 old->busy_ns[t] <= c->busy_ns[t])
				printf(" tl%u %5.1f%%", t,
				       (double)(c->busy_ns[t] - old->busy_ns[t]) *
				       100 / (double)(c->time_ns - old->time_ns));
			else
				printf(" tl%u     -", t);
		}
		printf("\n");
	}
	if (!s->num_clients)
		printf("  (none)\n");
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tlgpu-top [-n ITERATIONS] [-d SECONDS] [--once] [--debugfs]\n"
		"Live view of the tlgpu devices (%s) and of the processes\n"
		"using them (their DRM fdinfo, /proc/<pid>/fdinfo; no root needed\n"
		"for your own).\n"
		"  -n, --iterations N  stop after N screens (default: until killed)\n"
		"  -d, --delay S       seconds between screens (default 1)\n"
		"      --once          one sample with totals, no screen clearing\n"
		"      --debugfs       add the driver's view of each timeline\n"
		"                      (%s/<minor>/timelines; root)\n"
		"Exits 1 when no tlgpu device is found.\n", DRIVER_SYSFS, DEBUGFS_DRI);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "once", no_argument, NULL, 'o' },
		{ "debugfs", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sample *cur, *prev, *tmp;
	long iterations = -1, i;
	double delay = 1.0;
	bool once = false, clear;
	int64_t start;
	char *end;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "n:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			iterations = strtol(optarg, &end, 10);
			if (*end || iterations < 1) {
				fprintf(stderr, "tlgpu-top: -n takes a number >= 1\n");
				return 2;
			}
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (*end || !(delay >= 0.05 && delay <= 3600)) {
				fprintf(stderr, "tlgpu-top: -d takes 0.05 to 3600 seconds\n");
				return 2;
			}
			break;
		case 'o':
			once = true;
			break;
		case 'D':
			use_debugfs = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (once)
		iterations = 1;

	cur = calloc(1, sizeof(*cur));
	prev = calloc(1, sizeof(*prev));
	if (!cur || !prev)
		return 1;
	clear = !once && isatty(STDOUT_FILENO);
	start = now_ns();
	take_sample(prev);
	for (i = 0; iterations < 0 || i < iterations; i++) {
		if (!once) {
			struct timespec ts = {
				.tv_sec = (time_t)delay,
				.tv_nsec = (long)((delay - (time_t)delay) * 1e9),
			};

			nanosleep(&ts, NULL);
			take_sample(cur);
		} else {
			tmp = cur;
			cur = prev;
			prev = tmp;
		}
		if (clear)
			printf("\033[H\033[2J");
		else if (i)
			printf("\n");
		show(cur, once ? NULL : prev, start);
		if (!cur->num_devices) {
			fprintf(stderr, "tlgpu-top: no tlgpu device in %s (is the "
				"driver loaded?)\n", DRIVER_SYSFS);
			ret = 1;
		}
		for (c = 0; use_debugfs && c < (int)cur->num_devices; c++) {
			if (cur->dev[c].debugfs)
				continue;
			fprintf(stderr, "tlgpu-top: %s: no timelines file in %s "
				"(is debugfs mounted, and are you root?)\n",
				cur->dev[c].pdev, DEBUGFS_DRI);
			ret = 1;
		}
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	free(cur);
	free(prev);
	return ret;
}
