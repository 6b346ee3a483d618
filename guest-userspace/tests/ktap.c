/* SPDX-License-Identifier: MIT */
/*
 * ktap: a tiny KTAP test harness; see ktap.h.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"

/* After SIGKILL, how long to wait for a case stuck in the kernel. */
#define KILL_GRACE_MS	5000
#define POLL_MS		10

static char skip_reason[256];

static const char *base_name(const char *file)
{
	const char *slash = strrchr(file, '/');

	return slash ? slash + 1 : file;
}

void ktap_diag(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	char *line, *save;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	/* Every line of a diagnostic starts with "# ". */
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	fflush(stdout);
}

enum ktap_result ktap_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);

	return KTAP_SKIP;
}

bool ktap_check(bool ok, const char *file, int line, const char *expr,
		const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (ok)
		return true;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ktap_diag("%s:%d: assertion '%s' failed%s%s", base_name(file), line, expr,
		  msg[0] ? ": " : "", msg);

	return false;
}

bool ktap_check_eq_u64(const char *file, int line, const char *a_expr,
		       const char *b_expr, uint64_t a, uint64_t b)
{
	if (a == b)
		return true;

	ktap_diag("%s:%d: expected %s == %s: got %llu (0x%llx), expected %llu (0x%llx)",
		  base_name(file), line, a_expr, b_expr,
		  (unsigned long long)a, (unsigned long long)a,
		  (unsigned long long)b, (unsigned long long)b);

	return false;
}

static const char *err_name(int ret)
{
	static char buf[32];
	const char *name;

	if (ret == 0)
		return "0";
	if (ret > 0) {
		snprintf(buf, sizeof(buf), "%d", ret);
		return buf;
	}
	name = strerrorname_np(-ret);
	if (!name) {
		snprintf(buf, sizeof(buf), "errno %d", -ret);
		return buf;
	}
	snprintf(buf, sizeof(buf), "-%s", name);
	return buf;
}

bool ktap_check_ret(const char *file, int line, const char *expr, int ret,
		    int expected)
{
	char got[32];

	if (ret == expected)
		return true;

	snprintf(got, sizeof(got), "%s", err_name(ret));
	ktap_diag("%s:%d: %s returned %s (%s), expected %s", base_name(file),
		  line, expr,
		  got, ret < 0 ? strerror(-ret) : "success",
		  err_name(expected));

	return false;
}

static void result_line(unsigned int num, const char *name,
			enum ktap_result res, const char *reason)
{
	switch (res) {
	case KTAP_PASS:
		printf("ok %u %s\n", num, name);
		break;
	case KTAP_SKIP:
		printf("ok %u %s # SKIP %s\n", num, name,
		       reason[0] ? reason : "(no reason given)");
		break;
	default:
		printf("not ok %u %s\n", num, name);
		break;
	}
	fflush(stdout);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * waitpid() with a deadline of @ms of elapsed time (not of sleeps: on a
 * busy guest a 10 ms sleep takes longer); returns 1 when @pid was reaped.
 */
static int wait_ms(pid_t pid, int *status, unsigned int ms)
{
	uint64_t deadline = now_ms() + ms;

	for (;;) {
		pid_t ret = waitpid(pid, status, WNOHANG);

		if (ret == pid)
			return 1;
		if (ret < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= deadline)
			return 0;
		sleep_ms(POLL_MS);
	}
}

/*
 * After each result line, how long the case took and its limit, as a
 * diagnostic the host's reader (ci/ktap.py) takes as the case's time.
 */
static void case_time(const struct ktap_case *c, uint64_t start,
		      unsigned int timeout)
{
	printf("# " KTAP_TIME_TAG " %s %llu %u\n", c->name,
	       (unsigned long long)(now_ms() - start), timeout * 1000);
	fflush(stdout);
}

bool ktap_debug_kernel(void)
{
	static int debug = -1;

	if (debug < 0)
		debug = !access(KTAP_DEBUG_KERNEL_FILE, F_OK);
	return debug;
}

/*
 * What a case's timeout is multiplied by: tlgpu_timeout_mul from the
 * environment (the guest's init passes kernel command-line words on), else
 * KTAP_DEBUG_TIMEOUT_MUL on a debug kernel (lockdep, KASAN and kmemleak
 * make it 3-5x slower under TCG), else KTAP_TIMEOUT_MUL.  Limits are for
 * hangs, not for speed: a TCG guest sharing its host with another is slow.
 */
static unsigned int timeout_mul(void)
{
	const char *env = getenv("tlgpu_timeout_mul");
	int mul = env ? atoi(env) : 0;

	if (mul >= 1 && mul <= 100)
		return mul;
	return ktap_debug_kernel() ? KTAP_DEBUG_TIMEOUT_MUL : KTAP_TIMEOUT_MUL;
}

static enum ktap_result run_case(const struct ktap_case *c, unsigned int num)
{
	unsigned int timeout = (c->timeout ? c->timeout : KTAP_DEFAULT_TIMEOUT) *
			       timeout_mul();
	enum ktap_result res;
	uint64_t start;
	int status = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	start = now_ms();
	pid = fork();
	if (pid < 0) {
		ktap_diag("fork: %s", strerror(errno));
		result_line(num, c->name, KTAP_FAIL, "");
		return KTAP_FAIL;
	}
	if (pid == 0) {
		/* Own process group, so that a timeout also kills helpers. */
		setpgid(0, 0);
		skip_reason[0] = '\0';
		res = c->run();
		if (res != KTAP_PASS && res != KTAP_SKIP)
			res = KTAP_FAIL;
		result_line(num, c->name, res, skip_reason);
		_exit(res);
	}
	setpgid(pid, pid);

	if (wait_ms(pid, &status, timeout * 1000) == 0) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		if (wait_ms(pid, &status, KILL_GRACE_MS) != 1)
			ktap_diag("case did not die after SIGKILL, leaving it");
		ktap_diag("timed out after %u s", timeout);
		result_line(num, c->name, KTAP_FAIL, "");
		case_time(c, start, timeout);
		return KTAP_FAIL;
	}

	if (WIFEXITED(status) && WEXITSTATUS(status) <= KTAP_SKIP) {
		case_time(c, start, timeout);
		return WEXITSTATUS(status);
	}

	if (WIFSIGNALED(status))
		ktap_diag("case killed by signal %d (%s)", WTERMSIG(status),
			  strsignal(WTERMSIG(status)));
	else
		ktap_diag("case exited with status %d", WEXITSTATUS(status));
	result_line(num, c->name, KTAP_FAIL, "");
	case_time(c, start, timeout);
	return KTAP_FAIL;
}

static void usage(const char *prog, const struct ktap_case *cases,
		  unsigned int count)
{
	unsigned int i;

	fprintf(stderr,
		"usage: %s [-l] [-t CASE]...\n"
		"  -l       list the cases\n"
		"  -t CASE  run CASE only (repeatable); default: all\n"
		"Prints KTAP; exits non-zero if any case failed.\n"
		"cases:",
		prog);
	for (i = 0; i < count; i++)
		fprintf(stderr, " %s", cases[i].name);
	fprintf(stderr, "\n");
}

int ktap_main(int argc, char **argv, const struct ktap_case *cases,
	      unsigned int count)
{
	unsigned int pass = 0, fail = 0, skip = 0, planned = 0, num = 0;
	bool *selected;
	bool any = false;
	unsigned int i;
	int opt;

	selected = calloc(count, sizeof(*selected));
	if (!selected)
		return 1;

	while ((opt = getopt(argc, argv, "hlt:")) != -1) {
		switch (opt) {
		case 'l':
			for (i = 0; i < count; i++)
				printf("%s\n", cases[i].name);
			free(selected);
			return 0;
		case 't':
			for (i = 0; i < count; i++) {
				if (!strcmp(cases[i].name, optarg))
					break;
			}
			if (i == count) {
				fprintf(stderr, "%s: no case '%s'\n", argv[0],
					optarg);
				usage(argv[0], cases, count);
				free(selected);
				return 2;
			}
			selected[i] = true;
			any = true;
			break;
		default:
			usage(argv[0], cases, count);
			free(selected);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (optind < argc) {
		usage(argv[0], cases, count);
		free(selected);
		return 2;
	}

	for (i = 0; i < count; i++) {
		if (!any)
			selected[i] = true;
		planned += selected[i];
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n");
	printf("1..%u\n", planned);

	for (i = 0; i < count; i++) {
		if (!selected[i])
			continue;
		switch (run_case(&cases[i], ++num)) {
		case KTAP_PASS:
			pass++;
			break;
		case KTAP_SKIP:
			skip++;
			break;
		default:
			fail++;
			break;
		}
	}

	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       pass, fail, skip);
	free(selected);

	return fail ? 1 : 0;
}
