/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-stress: submit many jobs across timelines and devices, measure
 * and verify them.
 *
 * Jobs go round-robin over the "lanes": timeline 0..T-1 of device
 * 0..D-1.  Each job is one kind, drawn by weight from the mix:
 *
 *   fill      FILL a destination slot with a pattern, CHECKSUM it
 *   copy      COPY part of a random source buffer to a slot, CHECKSUM it
 *   checksum  CHECKSUM part of the source buffer
 *   store     STORE a value
 *   nop       NOPs, then STORE a value
 *   delay     DELAY, then STORE a value
 *
 * Every job leaves one result (its CHECKSUM, or the value it stored) in a
 * slot of its own of a results buffer; at the end the CPU compares each
 * with what it computed (CRC-32 of the same bytes, or the value).
 *
 * Dependencies (--deps):
 *   none   the jobs only follow each other on their own timeline;
 *   chain  every job waits for the job submitted before it (on the
 *          previous lane): one long chain across timelines and devices;
 *   cross  every job waits for the last job submitted on the next lane.
 * A dependency on the same device is a point of the other lane's
 * timeline syncobj; on another device the other job's sync_file is
 * imported into a binary syncobj of this device.  Every job signals a
 * point of its lane's timeline syncobj.  Jobs use no implicit sync.
 *
 * Reported: submit and total time, throughput (jobs/s from the first
 * submit to the last signal), latency from SUBMIT to the fence's signal
 * time (the kernel's timestamp, SYNC_IOC_FILE_INFO), median, p99 and
 * max, results verified and dependencies respected.  Exit status 0 when
 * every job signalled without error, every result is right and no job
 * signalled before its dependency; 1 otherwise; 2 for bad usage.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlgpu.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define SLOTS		4	/* destination slots per lane */
#define OFFSETS		4	/* source offsets copy/checksum use */
#define PATTERNS	8
#define RESULT_POISON	0xa5a5a5a5a5a5a5a5ull
#define WAIT_MS		20000	/* longest a job may take to signal */

enum kind { FILL, COPY, CHECKSUM, STORE, NOP, DELAY, KINDS };

static const char *const kind_names[KINDS] = {
	"fill", "copy", "checksum", "store", "nop", "delay",
};

enum deps { DEPS_NONE, DEPS_CHAIN, DEPS_CROSS };

struct device {
	struct tlgpu_node node;
	struct tlgpu_bo src;		/* random bytes, read only */
	struct tlgpu_bo results;	/* 8 bytes per job */
	uint32_t scratch;		/* binary syncobj for other devices' fences */
};

struct lane {
	struct device *dev;
	uint32_t timeline;
	struct tlgpu_bo dst;		/* SLOTS slots of --bytes */
	uint32_t syncobj;		/* timeline syncobj, a point per job */
	uint64_t points;
	unsigned int jobs;
};

struct job {
	enum kind kind;
	unsigned int lane;
	uint64_t point;			/* signalled on the lane's syncobj */
	int dep;			/* job index, or -1 */
	int fence;			/* sync_file while in flight, else -1 */
	bool done;
	int error;
	int64_t submit_ns, signal_ns;
	uint64_t expect;		/* result: CRC-32, or the stored value */
};

struct config {
	unsigned int jobs, timelines, devices, window;
	uint64_t bytes;
	enum deps deps;
	unsigned int weights[KINDS];
	unsigned int delay_us;
	uint64_t seed;
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static struct config cfg = {
	.jobs = 200, .timelines = 2, .devices = 1, .window = 32,
	.bytes = 4096, .deps = DEPS_NONE,
	.weights = { [FILL] = 4, [COPY] = 3, [CHECKSUM] = 2, [STORE] = 1,
		     [NOP] = 1, [DELAY] = 1 },
	.delay_us = 200, .seed = 1,
};

static struct device *devices;
static struct lane *lanes;
static struct job *jobs;
static unsigned int num_lanes;
static uint32_t patterns[PATTERNS], pattern_crc[PATTERNS];
static uint64_t offsets[OFFSETS];
static uint32_t offset_crc[OFFSETS];

static uint64_t stored_value(unsigned int i)
{
	return 0x7467000000000000ull | (uint64_t)i << 8 | 0x5a;
}

/* CRC-32 of @bytes bytes of the 32-bit @pattern, without a buffer. */
static uint32_t pattern_crc32(uint32_t pattern, uint64_t bytes)
{
	uint8_t chunk[4096];
	uint32_t crc = 0;
	unsigned int i;

	for (i = 0; i < sizeof(chunk); i += 4)
		memcpy(chunk + i, &pattern, 4);
	while (bytes) {
		size_t n = bytes < sizeof(chunk) ? bytes : sizeof(chunk);

		crc = tlgpu_crc32(crc, chunk, n);
		bytes -= n;
	}
	return crc;
}

static int setup_device(struct device *dev, unsigned int index)
{
	uint64_t timelines;
	uint64_t *v;
	uint64_t i, rs;
	int ret;

	ret = tlgpu_open_index(index, &dev->node);
	if (ret < 0) {
		fprintf(stderr, "tlgpu-stress: tlgpu device %u: %s\n", index,
			ret == -ENOENT ? "not found" : strerror(-ret));
		return ret;
	}
	ret = tlgpu_get_param(dev->node.fd, DRM_TLGPU_PARAM_NUM_TIMELINES,
			      &timelines);
	if (ret)
		return ret;
	if (timelines < cfg.timelines) {
		fprintf(stderr, "tlgpu-stress: %s has %" PRIu64 " timelines, %u asked\n",
			dev->node.path, timelines, cfg.timelines);
		return -EINVAL;
	}

	ret = tlgpu_bo_create(dev->node.fd, 2 * cfg.bytes, 0, &dev->src);
	if (!ret)
		ret = tlgpu_bo_map(&dev->src);
	if (!ret)
		ret = tlgpu_bo_create(dev->node.fd, (uint64_t)cfg.jobs * 8, 0,
				      &dev->results);
	if (!ret)
		ret = tlgpu_bo_map(&dev->results);
	if (!ret)
		ret = tlgpu_syncobj_create(dev->node.fd, 0, &dev->scratch);
	if (ret) {
		fprintf(stderr, "tlgpu-stress: %s: buffers: %s\n", dev->node.path,
			strerror(-ret));
		return ret;
	}

	/* The same random source on every device. */
	rs = cfg.seed * 0x9e3779b97f4a7c15ull | 1;
	v = dev->src.map;
	for (i = 0; i < 2 * cfg.bytes / 8; i++) {
		rs ^= rs >> 12;
		rs ^= rs << 25;
		rs ^= rs >> 27;
		v[i] = rs * 0x2545f4914f6cdd1dull;
	}
	memset(dev->results.map, 0xa5, cfg.jobs * 8);
	return 0;
}

static int setup(void)
{
	unsigned int d, t, i;
	int ret;

	devices = calloc(cfg.devices, sizeof(*devices));
	num_lanes = cfg.devices * cfg.timelines;
	lanes = calloc(num_lanes, sizeof(*lanes));
	jobs = calloc(cfg.jobs, sizeof(*jobs));
	if (!devices || !lanes || !jobs)
		return -ENOMEM;

	for (d = 0; d < cfg.devices; d++) {
		ret = setup_device(&devices[d], d);
		if (ret)
			return ret;
		for (t = 0; t < cfg.timelines; t++) {
			struct lane *l = &lanes[d * cfg.timelines + t];

			l->dev = &devices[d];
			l->timeline = t;
			ret = tlgpu_bo_create(l->dev->node.fd, SLOTS * cfg.bytes,
					      0, &l->dst);
			if (!ret)
				ret = tlgpu_syncobj_create(l->dev->node.fd, 0,
							   &l->syncobj);
			if (ret) {
				fprintf(stderr, "tlgpu-stress: lane buffers: %s\n",
					strerror(-ret));
				return ret;
			}
		}
	}

	for (i = 0; i < PATTERNS; i++) {
		patterns[i] = (uint32_t)rnd();
		pattern_crc[i] = pattern_crc32(patterns[i], cfg.bytes);
	}
	offsets[0] = 0;
	offsets[1] = 4;
	offsets[2] = cfg.bytes / 2 & ~3ull;
	offsets[3] = cfg.bytes;
	for (i = 0; i < OFFSETS; i++)
		offset_crc[i] = tlgpu_crc32(0, (char *)devices[0].src.map +
					    offsets[i], cfg.bytes);
	return 0;
}

static enum kind pick_kind(void)
{
	unsigned int total = 0, i, r;

	for (i = 0; i < KINDS; i++)
		total += cfg.weights[i];
	r = rnd() % total;
	for (i = 0; i < KINDS; i++) {
		if (r < cfg.weights[i])
			return i;
		r -= cfg.weights[i];
	}
	return FILL;
}

/* Commands of job @i into @cb; sets its expected result. */
static void build(unsigned int i, struct tlgpu_cmdbuf *cb)
{
	struct job *job = &jobs[i];
	struct lane *l = &lanes[job->lane];
	struct device *dev = l->dev;
	uint64_t dst = l->dst.gpu_va + (l->jobs % SLOTS) * cfg.bytes;
	uint64_t result = dev->results.gpu_va + (uint64_t)i * 8;
	unsigned int p = rnd() % PATTERNS, o = rnd() % OFFSETS;

	switch (job->kind) {
	case FILL:
		tlgpu_cmd_fill(cb, dst, cfg.bytes, patterns[p]);
		tlgpu_cmd_checksum(cb, dst, cfg.bytes, result);
		job->expect = pattern_crc[p];
		break;
	case COPY:
		tlgpu_cmd_copy(cb, dst, dev->src.gpu_va + offsets[o], cfg.bytes);
		tlgpu_cmd_checksum(cb, dst, cfg.bytes, result);
		job->expect = offset_crc[o];
		break;
	case CHECKSUM:
		tlgpu_cmd_checksum(cb, dev->src.gpu_va + offsets[o], cfg.bytes,
				   result);
		job->expect = offset_crc[o];
		break;
	case NOP:
		tlgpu_cmd_nop(cb, 16);
		tlgpu_cmd_nop(cb, 2);
		/* fall through */
	case STORE:
		tlgpu_cmd_store(cb, result, stored_value(i));
		job->expect = stored_value(i);
		break;
	case DELAY:
		tlgpu_cmd_delay(cb, cfg.delay_us);
		tlgpu_cmd_store(cb, result, stored_value(i));
		job->expect = stored_value(i);
		break;
	default:
		break;
	}
}

/* Waits for job @i to signal and records it; 0 or -ETIME. */
static int reap(unsigned int i)
{
	struct job *job = &jobs[i];
	int ret;

	if (job->done)
		return 0;
	ret = tlgpu_sync_file_wait(job->fence, WAIT_MS);
	if (!ret)
		ret = tlgpu_sync_file_timestamp(job->fence, &job->signal_ns,
						&job->error);
	if (ret) {
		fprintf(stderr, "tlgpu-stress: job %u (%s on %s tl%u) did not "
			"signal within %d ms: %s\n", i, kind_names[job->kind],
			lanes[job->lane].dev->node.path, lanes[job->lane].timeline,
			WAIT_MS, strerror(-ret));
		return ret;
	}
	close(job->fence);
	job->fence = -1;
	job->done = true;
	return 0;
}

/* The dependency of job @i under --deps, or -1. */
static int dependency(unsigned int i)
{
	int dep;

	switch (cfg.deps) {
	case DEPS_CHAIN:
		return (int)i - 1;
	case DEPS_CROSS:
		/* The last job on the next lane, submitted before this one. */
		dep = (int)i - (int)num_lanes + 1;
		if (num_lanes == 1)
			dep = (int)i - 1;
		return dep;
	default:
		return -1;
	}
}

static int submit_one(unsigned int i, struct tlgpu_cmdbuf *cb)
{
	struct job *job = &jobs[i];
	struct lane *l = &lanes[job->lane];
	struct drm_tlgpu_sync in = { 0 }, out;
	struct tlgpu_job j = {
		.timeline = l->timeline,
		.flags = DRM_TLGPU_SUBMIT_NO_IMPLICIT | DRM_TLGPU_SUBMIT_FENCE_OUT,
		.out_syncs = &out,
		.out_sync_count = 1,
	};
	int ret;

	job->dep = dependency(i);
	if (job->dep >= 0) {
		struct job *dep = &jobs[job->dep];
		struct lane *dl = &lanes[dep->lane];

		if (dl->dev == l->dev) {
			in = (struct drm_tlgpu_sync){ .handle = dl->syncobj,
						      .point = dep->point };
			j.in_syncs = &in;
			j.in_sync_count = 1;
		} else if (!dep->done) {
			ret = tlgpu_syncobj_import_sync_file(l->dev->node.fd,
							     l->dev->scratch, 0,
							     dep->fence);
			if (ret) {
				fprintf(stderr, "tlgpu-stress: importing job %d's "
					"sync_file: %s\n", job->dep, strerror(-ret));
				return ret;
			}
			in = (struct drm_tlgpu_sync){ .handle = l->dev->scratch };
			j.in_syncs = &in;
			j.in_sync_count = 1;
		}
		/* else: signalled already, nothing to wait for. */
	}

	tlgpu_cmdbuf_reset(cb);
	build(i, cb);
	job->point = ++l->points;
	out = (struct drm_tlgpu_sync){ .handle = l->syncobj, .point = job->point };
	job->submit_ns = tlgpu_now_ns();
	ret = tlgpu_submit_cmdbuf(l->dev->node.fd, &j, cb, &job->fence, NULL);
	if (ret) {
		fprintf(stderr, "tlgpu-stress: SUBMIT of job %u (%s): %s\n", i,
			kind_names[job->kind], strerror(-ret));
		return ret;
	}
	l->jobs++;
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double ms(int64_t ns)
{
	return (double)ns / 1e6;
}

/* Checks and prints the results; returns the number of problems. */
static unsigned int report(int64_t start_ns, int64_t submitted_ns)
{
	unsigned int i, bad = 0, failed = 0, order = 0, deps = 0, n = cfg.jobs;
	unsigned int count[KINDS] = { 0 };
	int64_t last = start_ns, *lat;

	lat = calloc(n, sizeof(*lat));
	if (!lat)
		return 1;
	for (i = 0; i < n; i++) {
		const struct job *job = &jobs[i];
		const struct device *dev = lanes[job->lane].dev;
		uint64_t got = ((const uint64_t *)dev->results.map)[i];
		bool is_crc = job->kind == FILL || job->kind == COPY ||
			      job->kind == CHECKSUM;

		count[job->kind]++;
		lat[i] = job->signal_ns - job->submit_ns;
		if (job->signal_ns > last)
			last = job->signal_ns;
		if (job->error) {
			if (failed++ < 5)
				fprintf(stderr, "tlgpu-stress: job %u (%s) signalled "
					"error %d\n", i, kind_names[job->kind],
					job->error);
		}
		if (is_crc ? (uint32_t)got != job->expect ||
			     got >> 32 != RESULT_POISON >> 32 :
			     got != job->expect) {
			if (bad++ < 5)
				fprintf(stderr, "tlgpu-stress: job %u (%s on %s tl%u): "
					"result 0x%" PRIx64 ", expected 0x%" PRIx64 "\n",
					i, kind_names[job->kind], dev->node.path,
					lanes[job->lane].timeline, is_crc ?
					(uint32_t)got : got, job->expect);
		}
		if (job->dep >= 0) {
			deps++;
			if (job->signal_ns < jobs[job->dep].signal_ns && order++ < 5)
				fprintf(stderr, "tlgpu-stress: job %u signalled "
					"%.3f ms before job %d, its dependency\n", i,
					ms(jobs[job->dep].signal_ns - job->signal_ns),
					job->dep);
		}
	}
	qsort(lat, n, sizeof(*lat), cmp_i64);

	printf("jobs:");
	for (i = 0; i < KINDS; i++)
		printf(" %s %u", kind_names[i], count[i]);
	printf("\n");
	printf("submitted %u jobs in %.3f s; the last signalled after %.3f s\n",
	       n, (double)(submitted_ns - start_ns) / 1e9,
	       (double)(last - start_ns) / 1e9);
	printf("throughput: %.1f jobs/s\n",
	       last > start_ns ? n / ((double)(last - start_ns) / 1e9) : 0.0);
	printf("latency (submit to signal): median %.3f ms, p99 %.3f ms, max %.3f ms\n",
	       ms(lat[n / 2]), ms(lat[(n * 99 + 99) / 100 - 1]), ms(lat[n - 1]));
	printf("verified: %u/%u results correct, %u fence errors\n", n - bad, n,
	       failed);
	printf("dependencies: %u, %u signalled before the job they depend on\n",
	       deps, order);
	free(lat);
	return bad + failed + order;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tlgpu-stress [options]\n"
		"Submits jobs round-robin over timelines and devices, reports\n"
		"throughput and latency, and verifies every result.\n"
		"  -j, --jobs N        jobs in all (default %u)\n"
		"  -t, --timelines N   timelines per device (default %u)\n"
		"  -d, --devices N     tlgpu devices (default %u)\n"
		"      --deps MODE     none | chain | cross (default none)\n"
		"      --bytes N       bytes of each FILL/COPY/CHECKSUM (default %" PRIu64 ",\n"
		"                      a multiple of 4)\n"
		"      --mix SPEC      weights of the job kinds, e.g.\n"
		"                      fill=4,copy=3,checksum=2,store=1,nop=1,delay=1\n"
		"                      (kinds not named get 0; this is the default)\n"
		"      --delay-us N    length of a delay job (default %u)\n"
		"  -w, --window N      jobs in flight at most (default %u)\n"
		"  -s, --seed N        random seed (default %" PRIu64 ")\n"
		"Exits 0 when every result is right, 1 otherwise.\n",
		cfg.jobs, cfg.timelines, cfg.devices, cfg.bytes, cfg.delay_us,
		cfg.window, cfg.seed);
}

static int parse_uint(const char *arg, const char *opt, unsigned long long max,
		      unsigned long long *val)
{
	char *end;

	errno = 0;
	*val = strtoull(arg, &end, 0);
	if (errno || *end || end == arg || !*val || *val > max) {
		fprintf(stderr, "tlgpu-stress: %s takes a number from 1 to %llu\n",
			opt, max);
		return -EINVAL;
	}
	return 0;
}

static int parse_mix(char *spec)
{
	unsigned int w[KINDS] = { 0 }, total = 0, i;
	char *item, *save;

	for (item = strtok_r(spec, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *end;
		unsigned long v;

		if (!eq)
			goto bad;
		*eq = '\0';
		for (i = 0; i < KINDS; i++)
			if (!strcmp(item, kind_names[i]))
				break;
		v = strtoul(eq + 1, &end, 10);
		if (i == KINDS || *end || end == eq + 1 || v > 1000)
			goto bad;
		w[i] = v;
		total += v;
	}
	if (!total)
		goto bad;
	memcpy(cfg.weights, w, sizeof(w));
	return 0;
bad:
	fprintf(stderr, "tlgpu-stress: --mix takes kind=weight,... with kinds "
		"fill, copy, checksum, store, nop, delay (weights 0-1000, not all 0)\n");
	return -EINVAL;
}

static int parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "timelines", required_argument, NULL, 't' },
		{ "devices", required_argument, NULL, 'd' },
		{ "deps", required_argument, NULL, 'D' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "mix", required_argument, NULL, 'm' },
		{ "delay-us", required_argument, NULL, 'u' },
		{ "window", required_argument, NULL, 'w' },
		{ "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long v;
	int c;

	while ((c = getopt_long(argc, argv, "j:t:d:w:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (parse_uint(optarg, "--jobs", 1000000, &v))
				return 2;
			cfg.jobs = v;
			break;
		case 't':
			if (parse_uint(optarg, "--timelines", TLGPU_MAX_TIMELINES, &v))
				return 2;
			cfg.timelines = v;
			break;
		case 'd':
			if (parse_uint(optarg, "--devices", TLGPU_MAX_DEVICES, &v))
				return 2;
			cfg.devices = v;
			break;
		case 'D':
			if (!strcmp(optarg, "none"))
				cfg.deps = DEPS_NONE;
			else if (!strcmp(optarg, "chain"))
				cfg.deps = DEPS_CHAIN;
			else if (!strcmp(optarg, "cross"))
				cfg.deps = DEPS_CROSS;
			else {
				fprintf(stderr, "tlgpu-stress: --deps is none, chain or cross\n");
				return 2;
			}
			break;
		case 'b':
			if (parse_uint(optarg, "--bytes", 64ull << 20, &v) || v % 4) {
				fprintf(stderr, "tlgpu-stress: --bytes must be a multiple of 4\n");
				return 2;
			}
			cfg.bytes = v;
			break;
		case 'm':
			if (parse_mix(optarg))
				return 2;
			break;
		case 'u':
			if (parse_uint(optarg, "--delay-us", 1000000, &v))
				return 2;
			cfg.delay_us = v;
			break;
		case 'w':
			if (parse_uint(optarg, "--window", 1000, &v))
				return 2;
			cfg.window = v;
			break;
		case 's':
			if (parse_uint(optarg, "--seed", UINT64_MAX, &v))
				return 2;
			cfg.seed = v;
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
	static const char *const deps_names[] = { "none", "chain", "cross" };
	struct tlgpu_cmdbuf cb;
	unsigned int i, oldest = 0, problems;
	int64_t start, submitted;
	int ret;

	ret = parse_args(argc, argv);
	if (ret)
		return ret;
	rng_state = cfg.seed * 0x9e3779b97f4a7c15ull | 1;

	printf("tlgpu-stress: %u device(s) x %u timeline(s), %u jobs, deps %s, "
	       "%" PRIu64 " bytes, window %u, mix", cfg.devices, cfg.timelines,
	       cfg.jobs, deps_names[cfg.deps], cfg.bytes, cfg.window);
	for (i = 0; i < KINDS; i++)
		if (cfg.weights[i])
			printf(" %s=%u", kind_names[i], cfg.weights[i]);
	printf("\n");
	fflush(stdout);

	ret = setup();
	if (ret) {
		printf("tlgpu-stress: FAIL (setup: %s)\n", strerror(-ret));
		return 1;
	}
	for (i = 0; i < cfg.jobs; i++) {
		jobs[i].kind = pick_kind();
		jobs[i].lane = i % num_lanes;
		jobs[i].fence = -1;
	}

	tlgpu_cmdbuf_init(&cb);
	start = tlgpu_now_ns();
	for (i = 0; i < cfg.jobs; i++) {
		/* Bounded fds and memory: retire the oldest job first. */
		while (i - oldest >= cfg.window) {
			ret = reap(oldest++);
			if (ret)
				goto fail;
		}
		ret = submit_one(i, &cb);
		if (ret)
			goto fail;
	}
	submitted = tlgpu_now_ns();
	while (oldest < cfg.jobs) {
		ret = reap(oldest++);
		if (ret)
			goto fail;
	}
	tlgpu_cmdbuf_fini(&cb);

	problems = report(start, submitted);
	printf("tlgpu-stress: %s\n", problems ? "FAIL" : "PASS");
	return problems ? 1 : 0;

fail:
	tlgpu_cmdbuf_fini(&cb);
	printf("tlgpu-stress: FAIL (%s)\n", strerror(-ret));
	return 1;
}
