/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-top: a live view of the tlgpu timelines and their clients.
 *
 * Every interval it reads, for each tlgpu device, the driver's debugfs
 * file /sys/kernel/debug/dri/<minor>/timelines (per timeline: hardware
 * and software seqno, state, resets, jobs, dropped jobs, interrupts, and
 * the pending fences; then the device's injection counters) and, for each
 * process, the DRM fdinfo of its open tlgpu files (/proc/<pid>/fdinfo:
 * drm-driver, drm-pdev, drm-client-id, drm-engine-tl<N> busy time).  It
 * prints a table of timelines with their job rate, and one of clients
 * with the share of each timeline they kept busy, since the previous
 * sample.  --once prints one sample with cumulative values instead.
 *
 * Exit status: 0, or 1 when a sample found no tlgpu device (debugfs not
 * mounted, module not loaded), 2 for bad usage.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEBUGFS_DRI	"/sys/kernel/debug/dri"
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
	unsigned int minor;		/* lowest minor with the files */
	unsigned int num_timelines;
	struct timeline tl[MAX_TIMELINES];
	char injected[256];
};

struct client {
	int pid;
	char comm[32];
	char pdev[PDEV_LEN];
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
	dev->num_timelines = 0;
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
			if (idx + 1 > dev->num_timelines)
				dev->num_timelines = idx + 1;
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

/* Every tlgpu device of debugfs, once each (primary and render minors). */
static void read_devices(struct sample *s)
{
	struct dirent **names;
	int n, i;

	s->num_devices = 0;
	n = scandir(DEBUGFS_DRI, &names, NULL, NULL);
	if (n < 0)
		return;
	/* Sorted by number, so each device is named by its lowest minor. */
	{
		char **sorted = calloc(n, sizeof(*sorted));

		for (i = 0; sorted && i < n; i++)
			sorted[i] = names[i]->d_name;
		if (sorted)
			qsort(sorted, n, sizeof(*sorted), cmp_minor);
		for (i = 0; sorted && i < n; i++) {
			char dir[300], pdev[PDEV_LEN];
			struct device *dev;
			unsigned int j;
			char *end;
			unsigned long minor = strtoul(sorted[i], &end, 10);

			if (*end || end == sorted[i])
				continue;
			snprintf(dir, sizeof(dir), DEBUGFS_DRI "/%s", sorted[i]);
			if (!read_name(dir, pdev))
				continue;
			for (j = 0; j < s->num_devices; j++)
				if (!strcmp(s->dev[j].pdev, pdev))
					break;
			if (j < s->num_devices || s->num_devices == MAX_DEVICES)
				continue;
			dev = &s->dev[s->num_devices];
			memset(dev, 0, sizeof(*dev));
			snprintf(dev->pdev, sizeof(dev->pdev), "%s", pdev);
			dev->minor = minor;
			if (!read_timelines(dir, dev))
				s->num_devices++;
		}
		free(sorted);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
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
			c->time_ns = now_ns();
			if (!read_fdinfo(path, c))
				continue;
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

/* One screen; @prev NULL prints totals instead of rates. */
static void show(const struct sample *s, const struct sample *prev,
		 int64_t start_ns)
{
	double dt = prev ? (double)(s->time_ns - prev->time_ns) / 1e9 : 0;
	unsigned int i, t;

	printf("tlgpu-top  +%.1fs  %u device(s), %u client(s)%s\n",
	       (double)(s->time_ns - start_ns) / 1e9, s->num_devices,
	       s->num_clients, prev ? "" : "  (totals since probe)");
	for (i = 0; i < s->num_devices; i++) {
		const struct device *dev = &s->dev[i];
		const struct device *old = find_device(prev, dev->pdev);

		printf("\ndevice %s  (dri/%u)\n", dev->pdev, dev->minor);
		printf("  %-5s %-8s %10s %10s %9s %8s %9s %7s %8s %9s %10s\n",
		       "TL", "STATE", "HW-SEQNO", "SW-SEQNO", "IN-FLIGHT",
		       "PENDING", "JOBS/S", "RESETS", "DROPPED", "IRQS",
		       "COALESCED");
		for (t = 0; t < dev->num_timelines; t++) {
			const struct timeline *tl = &dev->tl[t];
			char rate[16] = "-";

			if (old && t < old->num_timelines && dt > 0)
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

	printf("\nclients  (%s per timeline)\n",
	       prev ? "busy % of the last interval" : "busy ms since open");
	printf("  %-7s %-16s %-7s %-13s %s\n", "PID", "COMMAND", "CLIENT", "DEVICE",
	       "TIMELINES");
	for (i = 0; i < s->num_clients; i++) {
		const struct client *c = &s->client[i];
		const struct client *old = find_client(prev, c);

		printf("  %-7d %-16s %-7" PRIu64 " %-13s", c->pid, c->comm, c->id,
		       c->pdev);
		for (t = 0; t < c->num_engines; t++) {
			if (!prev)
				printf(" tl%u %.1f", t, (double)c->busy_ns[t] / 1e6);
			else if (old && c->time_ns > old->time_ns)
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
		"usage: tlgpu-top [-n ITERATIONS] [-d SECONDS] [--once]\n"
		"Live view of the tlgpu timelines (debugfs %s/<minor>/timelines)\n"
		"and of the processes using them (/proc/<pid>/fdinfo).\n"
		"  -n, --iterations N  stop after N screens (default: until killed)\n"
		"  -d, --delay S       seconds between screens (default 1)\n"
		"      --once          one sample with totals, no screen clearing\n"
		"Exits 1 when no tlgpu device is found.\n", DEBUGFS_DRI);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iterations", required_argument, NULL, 'n' },
		{ "delay", required_argument, NULL, 'd' },
		{ "once", no_argument, NULL, 'o' },
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
			fprintf(stderr, "tlgpu-top: no tlgpu device in %s (is debugfs "
				"mounted and the driver loaded?)\n", DEBUGFS_DRI);
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
