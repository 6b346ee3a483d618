/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the in-guest benchmarks; see bench.h.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <xf86drm.h>

#include "bench.h"

const char *bench_name = "?";
static long bench_scale = 100;

/* Most samples a BENCH line carries; more are thinned out evenly. */
#define MAX_PRINTED_SAMPLES	1000

void bench_init(const char *name)
{
	bench_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_scale = bench_boot_param("tlgpu_bench_scale", 100);
	if (bench_scale < 1)
		bench_scale = 1;
}

unsigned int bench_reps(unsigned int reps)
{
	unsigned long long r = (unsigned long long)reps * bench_scale / 100;

	return r ? r : 1;
}

long bench_boot_param(const char *name, long def)
{
	char cmdline[4096], *word, *save, *end;
	const char *val = getenv(name);
	size_t len = strlen(name);
	long ret;

	if (!val) {
		if (bench_read_file("/proc/cmdline", cmdline, sizeof(cmdline)))
			return def;
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

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

/* Prints @s as a JSON string: only quotes, backslashes and controls need care. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void json_number(double v)
{
	if (isfinite(v))
		printf("%.6g", v);
	else
		printf("null");
}

static void line_begin(const struct bench_figure *f)
{
	printf("BENCH {\"bench\":");
	json_string(bench_name);
	printf(",\"figure\":");
	json_string(f->name);
	printf(",\"desc\":");
	json_string(f->desc);
	printf(",\"unit\":");
	json_string(f->unit);
	printf(",\"better\":\"%s\"", f->better == BENCH_HIGHER ? "higher" : "lower");
	if (f->baseline) {
		printf(",\"baseline\":");
		json_string(f->baseline);
	}
}

void bench_add(struct bench_samples *s, double v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		double *v2 = realloc(s->v, cap * sizeof(*v2));

		if (!v2)
			bench_fail("out of memory for %zu samples", cap);
		s->v = v2;
		s->cap = cap;
	}
	s->v[s->n++] = v;
}

void bench_samples_reset(struct bench_samples *s)
{
	s->n = 0;
}

void bench_samples_free(struct bench_samples *s)
{
	free(s->v);
	*s = (struct bench_samples){ 0 };
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The @q quantile (0..1) of @n sorted values, interpolated. */
static double quantile(const double *v, size_t n, double q)
{
	double pos = q * (n - 1);
	size_t i = (size_t)pos;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

void bench_report(const struct bench_figure *f, const struct bench_samples *s,
		  const char *extra, ...)
{
	double *v, sum = 0;
	size_t i, step;
	va_list ap;

	if (!s->n)
		bench_fail("figure %s has no samples", f->name);
	v = malloc(s->n * sizeof(*v));
	if (!v)
		bench_fail("out of memory");
	memcpy(v, s->v, s->n * sizeof(*v));
	qsort(v, s->n, sizeof(*v), cmp_double);
	for (i = 0; i < s->n; i++)
		sum += v[i];

	line_begin(f);
	printf(",\"n\":%zu,\"median\":", s->n);
	json_number(quantile(v, s->n, 0.5));
	printf(",\"p99\":");
	json_number(quantile(v, s->n, f->better == BENCH_LOWER ? 0.99 : 0.01));
	printf(",\"mean\":");
	json_number(sum / s->n);
	printf(",\"min\":");
	json_number(v[0]);
	printf(",\"max\":");
	json_number(v[s->n - 1]);
	if (extra) {
		putchar(',');
		va_start(ap, extra);
		vprintf(extra, ap);
		va_end(ap);
	}
	if (f->keep_samples) {
		/* In the order measured, thinned to MAX_PRINTED_SAMPLES. */
		step = (s->n + MAX_PRINTED_SAMPLES - 1) / MAX_PRINTED_SAMPLES;
		printf(",\"samples\":[");
		for (i = 0; i < s->n; i += step) {
			if (i)
				putchar(',');
			json_number(s->v[i]);
		}
		putchar(']');
	}
	printf("}\n");
	free(v);
}

void bench_skip(const struct bench_figure *f, const char *why, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, why);
	vsnprintf(msg, sizeof(msg), why, ap);
	va_end(ap);
	line_begin(f);
	printf(",\"skip\":");
	json_string(msg);
	printf("}\n");
}

void bench_note(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("BENCH {\"bench\":");
	json_string(bench_name);
	printf(",\"note\":");
	json_string(msg);
	printf("}\n");
}

void bench_fail(const char *fmt, ...)
{
	va_list ap;

	printf("BENCH-ERROR %s: ", bench_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

/* ------------------------------------------------------------------ */
/* Devices, jobs, fences                                               */
/* ------------------------------------------------------------------ */

int bench_open(unsigned int index, struct tlgpu_node *node)
{
	int ret = tlgpu_open_index(index, node);

	if (ret < 0)
		bench_fail("opening tlgpu device %u: %s", index, strerror(-ret));
	return ret;
}

unsigned int bench_devices(void)
{
	return bench_boot_param("tlgpu_devices", 1);
}

void bench_submit(int fd, uint32_t timeline, const struct tlgpu_cmdbuf *cb,
		  const uint32_t *in, const uint32_t *out, int *fence)
{
	struct drm_tlgpu_sync in_sync = { .handle = in ? *in : 0 };
	struct drm_tlgpu_sync out_sync = { .handle = out ? *out : 0 };
	struct tlgpu_job job = {
		.timeline = timeline,
		.flags = DRM_TLGPU_SUBMIT_NO_IMPLICIT |
			 (fence ? DRM_TLGPU_SUBMIT_FENCE_OUT : 0),
		.in_syncs = in ? &in_sync : NULL,
		.in_sync_count = in ? 1 : 0,
		.out_syncs = out ? &out_sync : NULL,
		.out_sync_count = out ? 1 : 0,
	};

	BENCH_OK(tlgpu_submit_cmdbuf(fd, &job, cb, fence, NULL));
}

const struct tlgpu_cmdbuf *bench_nop(void)
{
	static struct tlgpu_cmdbuf cb;

	if (!cb.len)
		BENCH_OK(tlgpu_cmd_nop(&cb, 2));
	return &cb;
}

void bench_wait_fence(int sync_fd)
{
	int ret = tlgpu_sync_file_wait(sync_fd, BENCH_TIMEOUT_MS);

	if (ret)
		bench_fail("waiting for a fence: %s", strerror(-ret));
	ret = tlgpu_sync_file_status(sync_fd);
	if (ret != 1)
		bench_fail("a fence signalled with error %d", ret);
}

void bench_wait_syncobj(int fd, uint32_t handle)
{
	int ret = tlgpu_syncobj_wait(fd, &handle, 1,
				     tlgpu_abs_timeout(BENCH_TIMEOUT_NS), 0, NULL);

	if (ret)
		bench_fail("waiting for syncobj %u: %s", handle, strerror(-ret));
}

int64_t bench_fence_timestamp(int sync_fd)
{
	int64_t t = 0;
	int error = 0, ret;

	ret = tlgpu_sync_file_timestamp(sync_fd, &t, &error);
	BENCH_ASSERT(!ret, "fence not signalled: %s", strerror(-ret));
	BENCH_ASSERT(!error, "fence signalled with error %d", error);
	return t;
}

/* ------------------------------------------------------------------ */
/* vgem                                                                */
/* ------------------------------------------------------------------ */

void bench_vgem_bo(int vgem_fd, uint64_t size, uint32_t *handle,
		   int *dmabuf_fd)
{
	BENCH_OK(tlgpu_vgem_dumb_create(vgem_fd, 1024, (size + 4095) / 4096, 32,
					handle, NULL, NULL));
	BENCH_OK(drmPrimeHandleToFD(vgem_fd, *handle,
				    DRM_CLOEXEC | DRM_RDWR, dmabuf_fd) ? -errno : 0);
}

uint32_t bench_vgem_attach(int vgem_fd, uint32_t handle)
{
	uint32_t fence;

	BENCH_OK(tlgpu_vgem_fence_attach(vgem_fd, handle, true, &fence));
	return fence;
}

void bench_vgem_signal(int vgem_fd, uint32_t fence)
{
	BENCH_OK(tlgpu_vgem_fence_signal(vgem_fd, fence));
}

/* ------------------------------------------------------------------ */
/* System                                                              */
/* ------------------------------------------------------------------ */

int bench_read_file(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got + 1 < len) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (n == 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	close(fd);
	return 0;
}

void bench_meminfo(struct bench_meminfo *m)
{
	char buf[8192], *p;

	BENCH_OK(bench_read_file("/proc/meminfo", buf, sizeof(buf)));
	p = strstr(buf, "MemFree:");
	BENCH_ASSERT(p, "no MemFree in /proc/meminfo");
	m->mem_free = strtol(p + strlen("MemFree:"), NULL, 10);
	p = strstr(buf, "\nSlab:");
	BENCH_ASSERT(p, "no Slab in /proc/meminfo");
	m->slab = strtol(p + strlen("\nSlab:"), NULL, 10);
}
