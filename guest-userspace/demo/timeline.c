/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-demo: the timeline log.
 *
 * Every line of the demo goes through here.  Events carry the time since
 * the start ("+1.234s"); a job's completion carries the time the kernel
 * signalled its fence (SYNC_IOC_FILE_INFO's timestamp_ns, the same
 * CLOCK_MONOTONIC as tlgpu_now_ns()), not the time we noticed, and the
 * completions are printed before any later event so the log reads in
 * time order.  In KTAP mode every line becomes a "# " diagnostic.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include "demo.h"

#define MAX_TRACKED	64

static int64_t start_ns;
static const char *prefix = "";
static struct job *tracked[MAX_TRACKED];
static unsigned int tracked_count;

void log_init(bool ktap)
{
	start_ns = tlgpu_now_ns();
	prefix = ktap ? "# " : "";
}

int64_t log_start_ns(void)
{
	return start_ns;
}

double log_secs(int64_t t_ns)
{
	return (double)(t_ns - start_ns) / NS_PER_SEC;
}

static void vline(const char *head, const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	printf("%s%s%s\n", prefix, head, buf);
	fflush(stdout);
}

void log_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("", fmt, ap);
	va_end(ap);
}

void log_event_at(int64_t t_ns, const char *fmt, ...)
{
	char head[32];
	va_list ap;

	snprintf(head, sizeof(head), "+%.3fs  ", log_secs(t_ns));
	va_start(ap, fmt);
	vline(head, fmt, ap);
	va_end(ap);
}

void log_event(const char *fmt, ...)
{
	char head[32];
	va_list ap;

	log_pump(0);
	snprintf(head, sizeof(head), "+%.3fs  ", log_secs(tlgpu_now_ns()));
	va_start(ap, fmt);
	vline(head, fmt, ap);
	va_end(ap);
}

void log_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("         ", fmt, ap);
	va_end(ap);
}

/* Signal time and status of a signalled sync_file; 0 or -errno. */
static int fence_info(int fd, int64_t *t_ns, int *status)
{
	struct sync_fence_info fi;
	struct sync_file_info info;

	memset(&fi, 0, sizeof(fi));
	memset(&info, 0, sizeof(info));
	info.num_fences = 1;
	info.sync_fence_info = (uint64_t)(uintptr_t)&fi;
	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	*t_ns = fi.timestamp_ns ? (int64_t)fi.timestamp_ns : tlgpu_now_ns();
	*status = fi.status;
	return 0;
}

int fence_names(int fd, char *driver, char *timeline)
{
	struct sync_fence_info fi;
	struct sync_file_info info;

	memset(&fi, 0, sizeof(fi));
	memset(&info, 0, sizeof(info));
	info.num_fences = 1;
	info.sync_fence_info = (uint64_t)(uintptr_t)&fi;
	strcpy(driver, "?");
	strcpy(timeline, "?");
	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	snprintf(driver, 32, "%.31s", fi.driver_name);
	snprintf(timeline, 32, "%.31s", fi.obj_name);
	return 0;
}

static void print_done(const struct job *job)
{
	char extra[160] = "";
	double waited = (double)(job->done_ns - job->submit_ns) / NS_PER_SEC;

	if (job->waits_for_job && job->waits_for_job->status)
		snprintf(extra, sizeof(extra),
			 ", %.3fs after %s", (double)(job->done_ns -
			 job->waits_for_job->done_ns) / NS_PER_SEC,
			 job->waits_for_job->name);
	if (job->status < 0)
		log_event_at(job->done_ns, "%s FAILED: fence error %d (%s)",
			 job->name, job->status, strerror(-job->status));
	else if (job->waits_for)
		log_event_at(job->done_ns, "%s done (%s): %.3fs after its submit%s",
			 job->name, job->what, waited, extra);
	else
		log_event_at(job->done_ns, "%s done (%s)", job->name, job->what);
}

static int cmp_done(const void *a, const void *b)
{
	const struct job *ja = *(struct job *const *)a;
	const struct job *jb = *(struct job *const *)b;

	return (ja->done_ns > jb->done_ns) - (ja->done_ns < jb->done_ns);
}

/*
 * Polls the tracked fences once, up to @timeout_ms; prints the ones that
 * signalled, in signal order, and stops tracking them.
 */
static void poll_once(int timeout_ms)
{
	struct pollfd pfd[MAX_TRACKED];
	struct job *done[MAX_TRACKED];
	unsigned int i, n = 0, kept = 0;

	for (i = 0; i < tracked_count; i++)
		pfd[i] = (struct pollfd){ .fd = tracked[i]->fence,
					  .events = POLLIN };
	if (poll(pfd, tracked_count, timeout_ms) <= 0)
		return;

	for (i = 0; i < tracked_count; i++) {
		struct job *job = tracked[i];
		int status = 0;

		/* Signalled: status 1, or a fence error. */
		if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) ||
		    fence_info(job->fence, &job->done_ns, &status) || !status) {
			tracked[kept++] = job;
			continue;
		}
		job->status = status < 0 ? status : 1;
		done[n++] = job;
	}
	tracked_count = kept;

	qsort(done, n, sizeof(done[0]), cmp_done);
	for (i = 0; i < n; i++)
		print_done(done[i]);
}

void job_track(struct job *job)
{
	job->status = 0;
	if (tracked_count == MAX_TRACKED) {
		fprintf(stderr, "tlgpu-demo: too many jobs in flight\n");
		abort();
	}
	tracked[tracked_count++] = job;
}

void log_pump(int64_t until_ns)
{
	int64_t left;

	do {
		if (!tracked_count) {
			left = until_ns - tlgpu_now_ns();
			if (left > 0)
				usleep(left / 1000);
			return;
		}
		left = until_ns - tlgpu_now_ns();
		poll_once(left > 0 ? (int)((left + NS_PER_MS - 1) / NS_PER_MS) : 0);
	} while (tlgpu_now_ns() < until_ns);
}

int job_wait(struct job *const *jobs, unsigned int count, int64_t timeout_ns)
{
	int64_t deadline = tlgpu_now_ns() + timeout_ns;
	unsigned int i;

	for (;;) {
		bool all = true;
		int64_t left;

		for (i = 0; i < count; i++)
			all &= jobs[i]->status != 0;
		if (all)
			return 0;
		left = deadline - tlgpu_now_ns();
		if (left <= 0)
			return -ETIME;
		poll_once((int)((left + NS_PER_MS - 1) / NS_PER_MS));
	}
}

void job_release(struct job *job)
{
	unsigned int i;

	for (i = 0; i < tracked_count; i++) {
		if (tracked[i] == job) {
			tracked[i] = tracked[--tracked_count];
			break;
		}
	}
	if (job->fence >= 0)
		close(job->fence);
	job->fence = -1;
}
