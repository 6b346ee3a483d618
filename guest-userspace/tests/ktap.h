/* SPDX-License-Identifier: MIT */
/*
 * ktap: a tiny KTAP test harness, in the spirit of the kernel's
 * tools/testing/selftests/kselftest.h.
 *
 * A suite is a table of cases; ktap_main() prints the plan, runs each
 * case in a child process (so that a crash or a hang fails that case
 * only), prints one result line per case and returns the exit status:
 * non-zero when any case failed.
 *
 *	KTAP version 1
 *	1..3
 *	ok 1 get-param-version
 *	# tlgpu-case-time get-param-version 3 30000
 *	# tlgpu-basic.c:42: value == 0x10000: got 0x20000
 *	not ok 2 get-param-caps
 *	# tlgpu-case-time get-param-caps 2 30000
 *	ok 3 unbind-rebind # SKIP no writable /sys/bus/pci
 *	# tlgpu-case-time unbind-rebind 1 60000
 *	# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
 *
 * A case is held to its timeout in elapsed time, fork to exit (the time
 * line gives the limit it was held to, multiplier included).
 *
 * A case returns KTAP_PASS, KTAP_FAIL or ktap_skip("why").  The KTAP_*
 * assertion macros print a diagnostic naming the file, line, expression
 * and values, and return KTAP_FAIL from the case.
 */
#ifndef KTAP_H
#define KTAP_H

#include <stdbool.h>
#include <stdint.h>

enum ktap_result {
	KTAP_PASS = 0,
	KTAP_FAIL = 1,
	KTAP_SKIP = 2,
};

struct ktap_case {
	const char *name;
	enum ktap_result (*run)(void);
	/*
	 * Seconds before the case is killed and fails, 0 for the default;
	 * times KTAP_TIMEOUT_MUL (KTAP_DEBUG_TIMEOUT_MUL on a debug kernel),
	 * or times tlgpu_timeout_mul when the environment has it.
	 */
	unsigned int timeout;
};

#define KTAP_DEFAULT_TIMEOUT	30
#define KTAP_TIMEOUT_MUL	2
#define KTAP_DEBUG_TIMEOUT_MUL	4
/* What marks a debug kernel: the one with kmemleak. */
#define KTAP_DEBUG_KERNEL_FILE	"/sys/kernel/debug/kmemleak"

/* Whether this is a debug kernel (KTAP_DEBUG_KERNEL_FILE exists). */
bool ktap_debug_kernel(void);

/*
 * After each case's result line the harness prints
 *	# tlgpu-case-time NAME ELAPSED_MS LIMIT_MS
 * (elapsed time from fork to reaping, the limit it was held to).
 */
#define KTAP_TIME_TAG		"tlgpu-case-time"

/*
 * Runs @cases (or those named with -t), see the usage text of -h.
 * Returns the process exit status.
 */
int ktap_main(int argc, char **argv, const struct ktap_case *cases,
	      unsigned int count);

/* Prints "# <message>". */
void ktap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Records why the running case is skipped; returns KTAP_SKIP. */
enum ktap_result ktap_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Helpers behind the macros: they print and return false on mismatch. */
bool ktap_check(bool ok, const char *file, int line, const char *expr,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
bool ktap_check_eq_u64(const char *file, int line, const char *a_expr,
		       const char *b_expr, uint64_t a, uint64_t b);
bool ktap_check_ret(const char *file, int line, const char *expr, int ret,
		    int expected);

/* Fails the case unless @cond; the rest is a printf() explanation. */
#define KTAP_ASSERT(cond, ...)						\
	do {								\
		if (!ktap_check(!!(cond), __FILE__, __LINE__, #cond,	\
				__VA_ARGS__))				\
			return KTAP_FAIL;				\
	} while (0)

/* Fails the case unless @a == @b, both compared as uint64_t. */
#define KTAP_ASSERT_EQ(a, b)						\
	do {								\
		if (!ktap_check_eq_u64(__FILE__, __LINE__, #a, #b,	\
				       (uint64_t)(a), (uint64_t)(b)))	\
			return KTAP_FAIL;				\
	} while (0)

/*
 * Fails the case unless @ret, a 0-or-negative-errno value, equals
 * @expected (0 or -EXXX); errnos are printed by name.
 */
#define KTAP_ASSERT_RET(ret, expected)					\
	do {								\
		if (!ktap_check_ret(__FILE__, __LINE__, #ret, (ret),	\
				    (expected)))			\
			return KTAP_FAIL;				\
	} while (0)

#define KTAP_ASSERT_OK(ret)	KTAP_ASSERT_RET(ret, 0)

#endif /* KTAP_H */
