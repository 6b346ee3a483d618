/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-tools: the suite of tlgpu-top and tlgpu-stress.
 *
 * Runs the installed tools as a user would and checks their exit status
 * and what they print: tlgpu-top finds every device and timeline and
 * sees a client that is busy, from fdinfo and sysfs, also as an
 * unprivileged user for that user's own client (debugfs only with
 * --debugfs); tlgpu-stress runs small job mixes with
 * each dependency mode on one and two devices and reports them all
 * verified; both refuse bad usage with exit status 2; README.md's
 * libtlgpu example (tlgpu-example) prints what the README says.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
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
	ASSERT_HAS(out, "busy ms since open");
	/* fdinfo and sysfs only: debugfs is for --debugfs. */
	KTAP_ASSERT(!strstr(out, "injected: "), "debugfs read without --debugfs");
	return KTAP_PASS;
}

/* --debugfs adds the driver's view of each timeline (root). */
static enum ktap_result top_debugfs(void)
{
	int devices = num_devices();

	RUN_EXPECT(TOP " --once --debugfs", out, 0);
	KTAP_ASSERT_EQ(count_of(out, "  debugfs (dri/"), devices);
	KTAP_ASSERT_EQ(count_of(out, "  injected: failed "), devices);
	ASSERT_HAS(out, "HW-SEQNO");
	return KTAP_PASS;
}

#define NOBODY	65534

/*
 * As an unprivileged user (uid 65534, which may open the render node for
 * the test), tlgpu-top shows that user's own client: its busy time and,
 * where the kernel has the memory stats, its 1 MiB buffer; root's client
 * (this process's file) it may not see, and it needs no debugfs.  Runs in
 * a child that drops to the user and holds the file itself.
 */
static int unprivileged_child(const char *render, int rootfd, int outfd,
			      bool memory_stats)
{
	struct tlgpu_cmdbuf cb;
	struct tlgpu_job job = { .flags = DRM_TLGPU_SUBMIT_FENCE_OUT };
	struct drm_tlgpu_bo_create bc = { .size = 1u << 20 };
	char row[32], *line;
	double busy;
	int fd, fence, st;

	close(rootfd);	/* root's file, inherited: not this user's client */
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return 10;
	/* Dropping root made the process undumpable: its fdinfo root's. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return 11;
	fd = open(render, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 12;
	if (tlgpu_ioctl(fd, DRM_IOCTL_TLGPU_BO_CREATE, &bc))
		return 13;
	tlgpu_cmdbuf_init(&cb);
	tlgpu_cmd_delay(&cb, 20000);
	if (tlgpu_submit_cmdbuf(fd, &job, &cb, &fence, NULL) ||
	    tlgpu_sync_file_wait(fence, 10000))
		return 14;
	usleep(100 * 1000);
	st = run(TOP " --once", out);
	if (write(outfd, out, strlen(out)) < 0)
		return 15;
	if (st != 0)
		return 20;
	snprintf(row, sizeof(row), "\n  %-7d ", getpid());
	line = strstr(out, row);
	if (!line)
		return 21;
	snprintf(row, sizeof(row), "\n  %-7d ", getppid());
	if (strstr(out, row))
		return 22;
	busy = strstr(line, " tl0 ") ? strtod(strstr(line, " tl0 ") + 5, NULL) : 0;
	if (busy < 20 || busy > 10000)
		return 23;	/* the 20 ms job */
	if (memory_stats && !strstr(line, "   1024K "))
		return 24;
	if (!memory_stats && !strstr(line, "       - "))
		return 25;
	return 0;
}

static enum ktap_result top_unprivileged(void)
{
	static const char *const why[] = {
		[10] = "dropping to uid 65534", [11] = "PR_SET_DUMPABLE",
		[12] = "opening the render node", [13] = "BO_CREATE",
		[14] = "the job", [15] = "writing the output", [20] = "tlgpu-top failed",
		[21] = "no row for its own client", [22] = "a row for root's client",
		[23] = "its client's tl0 busy time is not the job's 20 ms or more",
		[24] = "no 1024K of memory in its row",
		[25] = "memory shown without the kernel's memory stats",
	};
	struct tlgpu_node node;
	char render[64];
	struct stat sb;
	uint64_t caps;
	pid_t child;
	int st = 0, code, pipefd[2];
	ssize_t n, len = 0;

	KTAP_ASSERT_OK(tlgpu_open_index(0, &node) < 0 ? -ENODEV : 0);
	KTAP_ASSERT_OK(tlgpu_get_param(node.fd, DRM_TLGPU_PARAM_DRIVER_CAPS, &caps));
	snprintf(render, sizeof(render), "%s", node.path);
	KTAP_ASSERT(stat(render, &sb) == 0, "%s: %s", render, strerror(errno));
	/* The user may use the GPU, as a member of group render would. */
	KTAP_ASSERT(chmod(render, 0666) == 0, "chmod %s: %s", render,
		    strerror(errno));
	KTAP_ASSERT(pipe(pipefd) == 0, "pipe: %s", strerror(errno));
	fflush(stdout);
	child = fork();
	if (child == 0) {
		close(pipefd[0]);
		_exit(unprivileged_child(render, node.fd, pipefd[1],
					 caps & DRM_TLGPU_DRIVER_CAP_MEMORY_STATS));
	}
	close(pipefd[1]);
	while (child > 0 &&
	       (n = read(pipefd[0], out + len, OUT_MAX - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	if (child > 0)
		waitpid(child, &st, 0);
	chmod(render, sb.st_mode & 07777);
	close(node.fd);
	KTAP_ASSERT(child > 0, "fork: %s", strerror(errno));
	KTAP_ASSERT(WIFEXITED(st), "child status %#x", st);
	code = WEXITSTATUS(st);
	if (code)
		show(TOP " --once (uid 65534)", out);
	KTAP_ASSERT(code == 0, "as uid 65534: %s (%d)",
		    code < (int)(sizeof(why) / sizeof(why[0])) && why[code] ?
		    why[code] : "?", code);
	return KTAP_PASS;
}

/* drm-engine-tl0 of our file @fd, in nanoseconds, or -1. */
static long long own_busy_ns(int fd)
{
	char path[64], buf[4096], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = open(path, O_RDONLY);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "drm-engine-tl0:");
	return p ? strtoll(p + strlen("drm-engine-tl0:"), NULL, 10) : -1;
}

/*
 * Our own open file, with one 20 ms job done on timeline 0, is a client,
 * and tlgpu-top shows its busy time as fdinfo has it: at least the job's
 * 20 ms, at most the wall time from submit to done.
 */
static enum ktap_result top_sees_client(void)
{
	struct tlgpu_cmdbuf cb;
	struct tlgpu_node node;
	struct tlgpu_job job = { .flags = DRM_TLGPU_SUBMIT_FENCE_OUT };
	char pid[32], *line;
	long long busy_ns;
	int64_t start, wall_ns;
	double shown;
	int fence;

	KTAP_ASSERT_OK(tlgpu_open_index(0, &node) < 0 ? -ENODEV : 0);
	tlgpu_cmdbuf_init(&cb);
	tlgpu_cmd_delay(&cb, 20000);
	start = tlgpu_now_ns();
	KTAP_ASSERT_OK(tlgpu_submit_cmdbuf(node.fd, &job, &cb, &fence, NULL));
	KTAP_ASSERT_OK(tlgpu_sync_file_wait(fence, 10000));
	wall_ns = tlgpu_now_ns() - start;
	close(fence);
	tlgpu_cmdbuf_fini(&cb);
	/* Added when the scheduler frees the job, just after. */
	usleep(100 * 1000);
	busy_ns = own_busy_ns(node.fd);
	KTAP_ASSERT(busy_ns >= 20000000 && busy_ns <= wall_ns,
		    "fdinfo: tl0 busy %lld ns for a 20 ms job done in %lld ns",
		    busy_ns, (long long)wall_ns);

	RUN_EXPECT(TOP " --once", out, 0);
	snprintf(pid, sizeof(pid), "\n  %-7d ", getpid());
	line = strstr(out, pid);
	if (!line)
		ktap_diag("%s", out);
	KTAP_ASSERT(line, "no client row for pid %d", getpid());
	line = strstr(line, " tl0 ");
	KTAP_ASSERT(line, "no tl0 busy time in the client row");
	shown = strtod(line + 5, NULL);
	KTAP_ASSERT(shown > busy_ns / 1e6 - 0.06 && shown < busy_ns / 1e6 + 0.06,
		    "tlgpu-top shows tl0 busy %.1f ms, fdinfo says %.3f ms",
		    shown, busy_ns / 1e6);
	close(node.fd);
	return KTAP_PASS;
}

/*
 * Every client share of the last interval in @screen is a percentage of
 * one timeline's time: 0 to 100, give or take the time between
 * tlgpu-top's clock reading and the kernel's, per fdinfo read (a few ms,
 * and 26 ms beside two other TCG guests, of a 500 ms interval: 1 s now,
 * and up to 105 passes; over-counting by
 * queue depth once gave several hundred).  Returns
 * the largest, or -1 on a value out of range (printed).
 */
static double max_share(const char *screen)
{
	const char *hdr, *p, *end;
	double max = 0;

	for (hdr = strstr(screen, "busy % of the last interval"); hdr;
	     hdr = strstr(hdr + 1, "busy % of the last interval")) {
		end = strstr(hdr, "tlgpu-top  +");
		for (p = strstr(hdr, " tl"); p && (!end || p < end);
		     p = strstr(p + 1, " tl")) {
			unsigned int t;
			double v;
			char pct;

			if (sscanf(p, " tl%u %lf%c", &t, &v, &pct) != 3 ||
			    pct != '%')
				continue;
			if (v < 0 || v > 105.0) {
				ktap_diag("tl%u busy %.1f%% of an interval", t, v);
				return -1;
			}
			if (v > max)
				max = v;
		}
	}
	return max;
}

/*
 * Every device row "  tl<t>  <share>" of @out's interval screens: the sum
 * of the clients' shares of one timeline, within 0-105% too.  Returns
 * the largest, or -1 on a value out of range (printed).
 */
static double max_device_share(const char *out)
{
	const char *p;
	double max = 0;

	for (p = strstr(out, "\n  TL    BUSY%\n"); p;
	     p = strstr(p + 1, "\n  TL    BUSY%\n")) {
		const char *row = p + strlen("\n  TL    BUSY%\n");
		unsigned int t;
		double v;
		int used;

		while (sscanf(row, "  tl%u %lf\n%n", &t, &v, &used) == 2) {
			if (v < 0 || v > 105.0) {
				ktap_diag("device tl%u busy %.1f%% of an interval", t, v);
				return -1;
			}
			if (v > max)
				max = v;
			row = strchr(row, '\n') + 1;
		}
	}
	return max;
}

/* -n 2: two screens with job rates; a busy tlgpu-stress shows up. */
static enum ktap_result top_live(void)
{
	double share;
	pid_t child;
	int st, i;

	child = fork();
	KTAP_ASSERT(child >= 0, "fork: %s", strerror(errno));
	if (!child) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl(STRESS, STRESS, "-j", "200", "-t", "1", "--mix", "delay=1",
		      "--delay-us", "50000", (char *)NULL);
		_exit(127);
	}
	/*
	 * Until tlgpu-top lists the client: on a contended debug kernel the
	 * tool took longer than a fixed 300 ms to start (0 clients seen).
	 * Its 200 jobs of 50 ms keep the timeline busy for 10 s after that.
	 */
	for (i = 0; i < 100; i++) {
		if (!run(TOP " --once", out) && strstr(out, " tlgpu-stress "))
			break;
		usleep(100 * 1000);
	}
	st = run(TOP " -n 2 -d 1", out);
	if (st)
		show(TOP " -n 2 -d 1", out);
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);
	KTAP_ASSERT(st == 0, "tlgpu-top exited %d", st);
	KTAP_ASSERT_EQ(count_of(out, "tlgpu-top  +"), 2);
	ASSERT_HAS(out, "busy % of the last interval");
	ASSERT_HAS(out, " tlgpu-stress ");
	/* Jobs of 50 ms back to back on one timeline: 0 < share <= 100. */
	share = max_share(strstr(out, "busy % of the last interval"));
	ktap_diag("busiest timeline share: %.1f%%", share);
	if (share <= 0)
		show(TOP " -n 2 -d 1", out);
	KTAP_ASSERT(share > 0, "busiest share %.1f%%", share);
	share = max_device_share(out);
	ktap_diag("busiest device timeline: %.1f%%", share);
	if (share <= 0)
		show(TOP " -n 2 -d 1", out);
	KTAP_ASSERT(share > 0, "busiest device timeline %.1f%%", share);
	return KTAP_PASS;
}

#define EXAMPLE	TLGPU_BINDIR "/tlgpu-example"

/* README.md's libtlgpu example runs as the README says it does. */
static enum ktap_result example_runs(void)
{
	if (num_devices() < 2)
		return ktap_skip("the example needs two tlgpu devices");
	RUN_EXPECT(EXAMPLE, out, 0);
	ASSERT_HAS(out, "B read 0x600dcafe: ok");
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
	{ "top-debugfs", top_debugfs, 0 },
	{ "top-unprivileged", top_unprivileged, 0 },
	{ "top-live", top_live, 60 },
	{ "top-bad-usage", top_bad_usage, 0 },
	{ "example-runs", example_runs, 0 },
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
