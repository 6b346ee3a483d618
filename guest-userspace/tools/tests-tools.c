/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-tools: the suite of tlgpu-top and tlgpu-stress.
 *
 * Runs the installed tools as a user would and checks their exit status
 * and what they print: tlgpu-top finds every device and timeline and
 * sees a client that is busy; tlgpu-stress runs small job mixes with
 * each dependency mode on one and two devices and reports them all
 * verified; both refuse bad usage with exit status 2.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktap.h"
#include "tlgpu.h"

#define TOP	TLGPU_BINDIR "/tlgpu-top"
#define STRESS	TLGPU_BINDIR "/tlgpu-stress"
#define OUT_MAX	(64 * 1024)

/*
 * Runs @cmd with sh, stdout and stderr into @out (NUL-terminated, the
 * last OUT_MAX - 1 bytes kept whole); returns the exit status, or -1.
 */
static int run(const char *cmd, char *out)
{
	size_t len = 0, n;
	char full[1024];
	FILE *p;
	int st;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "r");
	if (!p) {
		ktap_diag("popen(%s): %s", cmd, strerror(errno));
		return -1;
	}
	while ((n = fread(out + len, 1, OUT_MAX - 1 - len, p)) > 0) {
		len += n;
		if (len == OUT_MAX - 1)
			len = 0;	/* a runaway tool: keep reading */
	}
	out[len] = '\0';
	st = pclose(p);
	if (st == -1 || !WIFEXITED(st)) {
		ktap_diag("%s: did not exit normally (status 0x%x)", cmd, st);
		return -1;
	}
	return WEXITSTATUS(st);
}

/* Prints @out as diagnostics, for a failed check. */
static void show(const char *cmd, const char *out)
{
	ktap_diag("$ %s", cmd);
	ktap_diag("%s", out);
}

#define RUN_EXPECT(cmd, out, status)					\
	do {								\
		int st_ = run(cmd, out);				\
		if (st_ != (status))					\
			show(cmd, out);					\
		KTAP_ASSERT(st_ == (status), "%s exited %d, want %d",	\
			    cmd, st_, status);				\
	} while (0)

#define ASSERT_HAS(out, str)						\
	do {								\
		if (!strstr(out, str))					\
			ktap_diag("%s", out);				\
		KTAP_ASSERT(strstr(out, str), "no \"%s\" in the output", str); \
	} while (0)

static unsigned int count_of(const char *out, const char *str)
{
	unsigned int n = 0;

	for (out = strstr(out, str); out; out = strstr(out + 1, str))
		n++;
	return n;
}

static int num_devices(void)
{
	struct tlgpu_node nodes[TLGPU_MAX_DEVICES];
	int n = tlgpu_open_all(nodes, TLGPU_MAX_DEVICES);

	if (n > 0)
		tlgpu_close_all(nodes, n);
	return n;
}

static char out[OUT_MAX];

/* --once: one table per device, a row per timeline, no client rates. */
static enum ktap_result top_once(void)
{
	struct tlgpu_node node;
	uint64_t timelines;
	int devices = num_devices();
	char row[16];

	KTAP_ASSERT(devices > 0, "no tlgpu device (%d)", devices);
	KTAP_ASSERT_OK(tlgpu_open_index(0, &node) < 0 ? -ENODEV : 0);
	KTAP_ASSERT_OK(tlgpu_get_param(node.fd, DRM_TLGPU_PARAM_NUM_TIMELINES,
				       &timelines));
	close(node.fd);

	RUN_EXPECT(TOP " --once", out, 0);
	KTAP_ASSERT_EQ(count_of(out, "\ndevice "), devices);
	snprintf(row, sizeof(row), "  tl%llu ", (unsigned long long)timelines - 1);
	ASSERT_HAS(out, row);
	snprintf(row, sizeof(row), "  tl%llu ", (unsigned long long)timelines);
	KTAP_ASSERT(!strstr(out, row), "a row for timeline %llu",
		    (unsigned long long)timelines);
	ASSERT_HAS(out, "injected: failed ");
	ASSERT_HAS(out, "busy ms since open");
	return KTAP_PASS;
}

/* Our own open file, with one job done on timeline 0, is a client. */
static enum ktap_result top_sees_client(void)
{
	struct tlgpu_cmdbuf cb;
	struct tlgpu_node node;
	struct tlgpu_job job = { .flags = DRM_TLGPU_SUBMIT_FENCE_OUT };
	char pid[32], *line;
	int fence;

	KTAP_ASSERT_OK(tlgpu_open_index(0, &node) < 0 ? -ENODEV : 0);
	tlgpu_cmdbuf_init(&cb);
	tlgpu_cmd_delay(&cb, 20000);
	KTAP_ASSERT_OK(tlgpu_submit_cmdbuf(node.fd, &job, &cb, &fence, NULL));
	KTAP_ASSERT_OK(tlgpu_sync_file_wait(fence, 10000));
	close(fence);
	tlgpu_cmdbuf_fini(&cb);

	RUN_EXPECT(TOP " --once", out, 0);
	snprintf(pid, sizeof(pid), "\n  %-7d ", getpid());
	line = strstr(out, pid);
	if (!line)
		ktap_diag("%s", out);
	KTAP_ASSERT(line, "no client row for pid %d", getpid());
	line = strstr(line, " tl0 ");
	KTAP_ASSERT(line, "no tl0 busy time in the client row");
	KTAP_ASSERT(strtod(line + 5, NULL) >= 10.0,
		    "tl0 busy %.1f ms after a 20 ms job", strtod(line + 5, NULL));
	close(node.fd);
	return KTAP_PASS;
}

/* -n 2: two screens with job rates; a busy tlgpu-stress shows up. */
static enum ktap_result top_live(void)
{
	pid_t child;
	int st;

	child = fork();
	KTAP_ASSERT(child >= 0, "fork: %s", strerror(errno));
	if (!child) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl(STRESS, STRESS, "-j", "40", "-t", "1", "--mix", "delay=1",
		      "--delay-us", "50000", (char *)NULL);
		_exit(127);
	}
	usleep(300 * 1000);
	st = run(TOP " -n 2 -d 0.5", out);
	if (st)
		show(TOP " -n 2 -d 0.5", out);
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);
	KTAP_ASSERT(st == 0, "tlgpu-top exited %d", st);
	KTAP_ASSERT_EQ(count_of(out, "tlgpu-top  +"), 2);
	ASSERT_HAS(out, "busy % of the last interval");
	ASSERT_HAS(out, " tlgpu-stress ");
	ASSERT_HAS(out, "%");
	return KTAP_PASS;
}

static enum ktap_result top_bad_usage(void)
{
	RUN_EXPECT(TOP " -n 0", out, 2);
	RUN_EXPECT(TOP " -d nonsense", out, 2);
	RUN_EXPECT(TOP " extra-argument", out, 2);
	return KTAP_PASS;
}

/* Runs tlgpu-stress with @args; wants PASS and @jobs verified results. */
static enum ktap_result stress(const char *args, unsigned int jobs)
{
	char cmd[256], want[64];

	snprintf(cmd, sizeof(cmd), STRESS " %s", args);
	RUN_EXPECT(cmd, out, 0);
	ktap_diag("%s", strstr(out, "throughput") ? strstr(out, "throughput") : out);
	snprintf(want, sizeof(want), "verified: %u/%u results correct, 0 fence errors",
		 jobs, jobs);
	ASSERT_HAS(out, want);
	ASSERT_HAS(out, "jobs/s");
	ASSERT_HAS(out, "latency (submit to signal): median ");
	ASSERT_HAS(out, "tlgpu-stress: PASS");
	return KTAP_PASS;
}

static enum ktap_result stress_none(void)
{
	return stress("-j 60 -t 2 --deps none", 60);
}

static enum ktap_result stress_chain(void)
{
	const char *args = "-j 40 -t 2 -d 2 --deps chain --bytes 8192";

	if (num_devices() < 2)
		args = "-j 40 -t 2 -d 1 --deps chain --bytes 8192";
	if (stress(args, 40) != KTAP_PASS)
		return KTAP_FAIL;
	ASSERT_HAS(out, "dependencies: 39, 0 signalled before");
	return KTAP_PASS;
}

static enum ktap_result stress_cross(void)
{
	const char *args = "-j 80 -t 3 -d 2 --deps cross --bytes 65536 -w 8";

	if (num_devices() < 2)
		args = "-j 80 -t 3 -d 1 --deps cross --bytes 65536 -w 8";
	if (stress(args, 80) != KTAP_PASS)
		return KTAP_FAIL;
	ASSERT_HAS(out, ", 0 signalled before");
	return KTAP_PASS;
}

static enum ktap_result stress_bad_usage(void)
{
	RUN_EXPECT(STRESS " --deps sideways", out, 2);
	RUN_EXPECT(STRESS " --bytes 6", out, 2);
	RUN_EXPECT(STRESS " --mix fill=0", out, 2);
	RUN_EXPECT(STRESS " -t 65", out, 2);
	return KTAP_PASS;
}

/* More timelines than the device has: a clean failure, not a hang. */
static enum ktap_result stress_too_many_timelines(void)
{
	RUN_EXPECT(STRESS " -j 4 -t 64", out, 1);
	ASSERT_HAS(out, "timelines, 64 asked");
	return KTAP_PASS;
}

static const struct ktap_case cases[] = {
	{ "top-once", top_once, 0 },
	{ "top-sees-client", top_sees_client, 0 },
	{ "top-live", top_live, 60 },
	{ "top-bad-usage", top_bad_usage, 0 },
	{ "stress-none", stress_none, 120 },
	{ "stress-chain", stress_chain, 120 },
	{ "stress-cross", stress_cross, 120 },
	{ "stress-bad-usage", stress_bad_usage, 0 },
	{ "stress-too-many-timelines", stress_too_many_timelines, 0 },
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
