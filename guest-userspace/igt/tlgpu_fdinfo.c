// SPDX-License-Identifier: MIT
/*
 * tlgpu_fdinfo: tlgpu's DRM fdinfo keys (Documentation/gpu/drm-usage-stats.rst)
 * through IGT's igt_parse_drm_fdinfo(): drm-driver is "tlgpu", drm-pdev is
 * the device's PCI slot, drm-client-id is unique per open file (shared by
 * dup()ed descriptors), one drm-engine-tl<N> per timeline whose busy time
 * grows by about a job's DELAY while the job runs, is this file's only,
 * never exceeds wall time, and stays 0 for an idle client; where the
 * kernel has them (DRM_TLGPU_PARAM_DRIVER_CAPS: Linux 6.5+), the core's
 * memory stats of one region, "memory"; no other drm- key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "igt.h"
#include "igt_drm_fdinfo.h"
#include "igt_tlgpu.h"

IGT_TEST_DESCRIPTION("tlgpu's drm fdinfo: driver, pdev, client ids and "
		     "per-timeline engine busy time.");

#define MS		1000000ull
/* A job's DELAY shows as at least this share of it (guest vs QEMU clock). */
#define LOW_PCT		90

static int fd = -1;
static unsigned int num_tl;
/* The kernel prints the core's memory stats (6.5). */
static bool memory_stats;
static const char *tl_names[DRM_CLIENT_FDINFO_MAX_ENGINES];

static void read_fdinfo(int f, struct drm_client_fdinfo *info)
{
	memset(info, 0, sizeof(*info));
	igt_assert_f(igt_parse_drm_fdinfo(f, info, tl_names, num_tl, NULL, 0),
		     "no drm fdinfo for fd %d\n", f);
}

static uint64_t busy(int f, unsigned int tl)
{
	struct drm_client_fdinfo info;

	read_fdinfo(f, &info);
	return info.engine_time[tl];
}

static void busy_all(int f, uint64_t *out)
{
	struct drm_client_fdinfo info;

	read_fdinfo(f, &info);
	for (unsigned int i = 0; i < num_tl; i++)
		out[i] = info.engine_time[i];
}

/* A job of @delay_us DELAY on @tl, without any buffer: its sync file. */
static int delay_job(int f, unsigned int tl, uint32_t delay_us)
{
	return igt_tlgpu_delay_store(f, tl, NULL, 0, 0, delay_us, 0, 0, 0);
}

/* The job of @sf ends without error; closes @sf. */
static void wait_ok(int sf)
{
	igt_tlgpu_wait_fence(sf, 1);
	close(sf);
}

/* @ns of busy time is at least LOW_PCT of a @delay_us DELAY. */
static void assert_busy_for(uint64_t ns, uint64_t delay_us, const char *what)
{
	igt_assert_f(ns >= delay_us * 1000 * LOW_PCT / 100,
		     "%s: busy %"PRIu64" ns for %"PRIu64" us of DELAY\n",
		     what, ns, delay_us);
}

/* @ns of busy time fits in @wall ns of wall time. */
static void assert_within(uint64_t ns, uint64_t wall, const char *what)
{
	igt_assert_f(ns <= wall, "%s: busy %"PRIu64" ns > wall %"PRIu64" ns\n",
		     what, ns, wall);
}

/* ------------------------------------------------------------------ */

static void test_basics(int idx)
{
	int f = igt_tlgpu_open(idx);
	struct drm_client_fdinfo info;
	char slot[64];

	read_fdinfo(f, &info);
	igt_assert_eq(strcmp(info.driver, "tlgpu"), 0);
	igt_tlgpu_pci_slot(f, slot, sizeof(slot));
	igt_assert_f(!strcmp(info.pdev, slot), "drm-pdev %s, device at %s\n",
		     info.pdev, slot);
	igt_assert_eq(info.num_engines, num_tl);
	igt_assert_eq(info.last_engine_index, num_tl - 1);
	igt_assert(info.utilization_mask & DRM_FDINFO_UTILIZATION_ENGINE_TIME);
	for (unsigned int i = 0; i < num_tl; i++) {
		igt_assert_eq(info.capacity[i], 1);
		igt_assert_eq_u64(info.engine_time[i], 0);
	}
	igt_assert_eq(info.num_regions, memory_stats ? 1 : 0);
	if (memory_stats) {
		igt_assert_eq(strcmp(info.region_names[0], "memory"), 0);
		igt_assert_eq_u64(info.region_mem[0].total, 0);
	}
	close(f);
}

/* Exactly the documented keys, and nothing else starting with drm-. */
static void test_keys(void)
{
	char path[64], line[256];
	bool seen_driver = false, seen_pdev = false, seen_id = false;
	bool seen_mem = false;
	bool seen_tl[TLGPU_MAX_TIMELINES] = { };
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	fp = fopen(path, "r");
	igt_assert(fp);
	while (fgets(line, sizeof(line), fp)) {
		unsigned int n;
		unsigned long long v;
		char unit[8];

		if (strncmp(line, "drm-", 4))
			continue;
		if (!strncmp(line, "drm-driver:\t", 12)) {
			igt_assert(!seen_driver);
			seen_driver = true;
		} else if (!strncmp(line, "drm-pdev:\t", 10)) {
			igt_assert(!seen_pdev);
			seen_pdev = true;
		} else if (!strncmp(line, "drm-client-id:\t", 15)) {
			igt_assert(!seen_id);
			seen_id = true;
		} else if (memory_stats &&
			   (!strncmp(line, "drm-total-memory:\t", 18) ||
			    !strncmp(line, "drm-shared-memory:\t", 19) ||
			    !strncmp(line, "drm-active-memory:\t", 19) ||
			    !strncmp(line, "drm-resident-memory:\t", 21) ||
			    !strncmp(line, "drm-purgeable-memory:\t", 22))) {
			seen_mem = true;
		} else if (sscanf(line, "drm-engine-tl%u:\t%llu %7s", &n, &v,
				  unit) == 3) {
			igt_assert_f(n < num_tl, "engine tl%u of %u\n", n, num_tl);
			igt_assert_f(!strcmp(unit, "ns"), "unit %s\n", unit);
			igt_assert(!seen_tl[n]);
			seen_tl[n] = true;
		} else {
			igt_assert_f(false, "undocumented fdinfo key: %s", line);
		}
	}
	fclose(fp);
	igt_assert(seen_driver && seen_pdev && seen_id);
	igt_assert_eq(seen_mem, memory_stats);
	for (unsigned int i = 0; i < num_tl; i++)
		igt_assert_f(seen_tl[i], "no drm-engine-tl%u\n", i);
}

static void test_client_ids(void)
{
	struct drm_client_fdinfo info;
	unsigned long ids[16];
	int fds[16], n = 0, devs = igt_tlgpu_count_devices();

	igt_require_f(devs >= 2, "needs two tlgpu devices, found %d\n", devs);
	for (int i = 0; i < 16; i++) {
		fds[n] = __igt_tlgpu_open(i % (devs ? devs : 1));
		igt_assert(fds[n] >= 0);
		read_fdinfo(fds[n], &info);
		ids[n] = info.id;
		for (int j = 0; j < n; j++)
			igt_assert_f(ids[j] != ids[n],
				     "files %d and %d share client id %lu\n",
				     j, n, ids[n]);
		n++;
	}

	/* A dup()ed descriptor is the same file: the same client. */
	{
		int d = dup(fds[3]);

		read_fdinfo(d, &info);
		igt_assert_eq(info.id, ids[3]);
		close(d);
	}

	/* A file opened after one closed does not take its id back. */
	close(fds[0]);
	fds[0] = igt_tlgpu_open(0);
	read_fdinfo(fds[0], &info);
	for (int j = 0; j < n; j++)
		igt_assert_f(info.id != ids[j], "id %lu reused\n", info.id);

	for (int i = 0; i < n; i++)
		close(fds[i]);
}

static void test_idle(void)
{
	int idle = igt_tlgpu_open(0);
	uint64_t b[TLGPU_MAX_TIMELINES], before[TLGPU_MAX_TIMELINES];
	uint64_t after[TLGPU_MAX_TIMELINES];
	int sf[TLGPU_MAX_TIMELINES];

	/* Another file keeps every timeline busy: not this client's time. */
	busy_all(fd, before);
	for (unsigned int i = 0; i < num_tl; i++)
		sf[i] = delay_job(fd, i, 100000);
	usleep(50000);
	busy_all(idle, b);
	for (unsigned int i = 0; i < num_tl; i++)
		igt_assert_eq_u64(b[i], 0);
	for (unsigned int i = 0; i < num_tl; i++)
		wait_ok(sf[i]);
	busy_all(idle, b);
	busy_all(fd, after);
	for (unsigned int i = 0; i < num_tl; i++) {
		igt_assert_eq_u64(b[i], 0);
		/* The busy file's time did grow. */
		assert_busy_for(after[i] - before[i], 100000, tl_names[i]);
	}
	close(idle);
}

/* One job of @delay on @tl: its busy time grows by about the DELAY. */
static void busy_case(unsigned int tl, uint32_t delay_us)
{
	int f = igt_tlgpu_open(0);
	uint64_t before[TLGPU_MAX_TIMELINES], after[TLGPU_MAX_TIMELINES];
	uint64_t t0, wall, d;
	int sf;

	busy_all(f, before);
	t0 = igt_tlgpu_now_ns();
	sf = delay_job(f, tl, delay_us);
	wait_ok(sf);
	wall = igt_tlgpu_now_ns() - t0;
	busy_all(f, after);

	d = after[tl] - before[tl];
	igt_info("tl%u: DELAY %u us, busy %"PRIu64" ns, wall %"PRIu64" ns\n",
		 tl, delay_us, d, wall);
	assert_busy_for(d, delay_us, tl_names[tl]);
	assert_within(d, wall, tl_names[tl]);
	for (unsigned int i = 0; i < num_tl; i++)
		if (i != tl)
			igt_assert_eq_u64(after[i], before[i]);

	/* Idle again: the value stays put. */
	usleep(50000);
	igt_assert_eq_u64(busy(f, tl), after[tl]);
	close(f);
}

static void test_busy(void)
{
	for (unsigned int tl = 0; tl < num_tl; tl++)
		igt_dynamic_f("tl%u", tl)
			busy_case(tl, 200000);
}

/* While a long job runs the value grows, never beyond wall time. */
static void test_busy_grows(void)
{
	int f = igt_tlgpu_open(0);
	uint64_t t0, prev, now, v;
	int sf;

	t0 = igt_tlgpu_now_ns();
	sf = delay_job(f, 1, 1000000);
	prev = 0;
	for (int i = 0; i < 3; i++) {
		usleep(250000);
		v = busy(f, 1);
		now = igt_tlgpu_now_ns();
		igt_info("sample %d: busy %"PRIu64" ns after %"PRIu64" ns\n",
			 i, v, now - t0);
		assert_within(v, now - t0, "sample");
		igt_assert_f(v > prev, "busy did not grow: %"PRIu64" -> %"PRIu64"\n",
			     prev, v);
		prev = v;
	}
	igt_tlgpu_assert_fence(sf, 0);
	wait_ok(sf);
	v = busy(f, 1);
	now = igt_tlgpu_now_ns();
	igt_assert_f(v >= prev, "busy went back: %"PRIu64" -> %"PRIu64"\n",
		     prev, v);
	assert_busy_for(v, 1000000, "tl1");
	assert_within(v, now - t0, "tl1");
	close(f);
}

/*
 * Jobs queued back to back on one timeline, and from two files: each
 * job counts from the end of the one ahead of it, so a timeline's busy
 * time (and the sum over the files on it) stays within wall time.
 */
static void test_busy_queued(void)
{
	int a = igt_tlgpu_open(0), b = igt_tlgpu_open(0);
	int sf[6];
	uint64_t t0, wall, ba, bb;

	t0 = igt_tlgpu_now_ns();
	for (int i = 0; i < 6; i++)
		sf[i] = delay_job(i % 2 ? b : a, 2, 100000);
	for (int i = 0; i < 6; i++)
		wait_ok(sf[i]);
	wall = igt_tlgpu_now_ns() - t0;
	ba = busy(a, 2);
	bb = busy(b, 2);
	igt_info("file a %"PRIu64" ns, file b %"PRIu64" ns, wall %"PRIu64" ns\n",
		 ba, bb, wall);
	assert_busy_for(ba, 3 * 100000, "file a");
	assert_busy_for(bb, 3 * 100000, "file b");
	assert_within(ba + bb, wall, "file a + file b");
	/* Nobody else's timeline moved. */
	igt_assert_eq_u64(busy(a, 0), 0);
	igt_assert_eq_u64(busy(b, 3), 0);
	close(a);
	close(b);
}

/* Every timeline at once: each has its own time, each within wall time. */
static void test_busy_all_timelines(void)
{
	int f = igt_tlgpu_open(0);
	uint64_t b[TLGPU_MAX_TIMELINES], t0, wall;
	int sf[TLGPU_MAX_TIMELINES];

	t0 = igt_tlgpu_now_ns();
	for (unsigned int i = 0; i < num_tl; i++)
		sf[i] = delay_job(f, i, 100000 * (i + 1));
	for (unsigned int i = 0; i < num_tl; i++)
		wait_ok(sf[i]);
	wall = igt_tlgpu_now_ns() - t0;
	busy_all(f, b);
	for (unsigned int i = 0; i < num_tl; i++) {
		igt_info("tl%u: %"PRIu64" ns (wall %"PRIu64")\n", i, b[i], wall);
		assert_busy_for(b[i], 100000ull * (i + 1), tl_names[i]);
		assert_within(b[i], wall, tl_names[i]);
	}
	/* Longer DELAY, more busy time. */
	for (unsigned int i = 1; i < num_tl; i++)
		igt_assert_f(b[i] > b[i - 1], "tl%u %"PRIu64" ns <= tl%u %"PRIu64" ns\n",
			     i, b[i], i - 1, b[i - 1]);
	close(f);
}

/* Busy time of the other device's file: its own device's timelines. */
static void test_busy_other_device(void)
{
	int f1 = igt_tlgpu_open(1);
	int f0 = igt_tlgpu_open(0);
	struct drm_client_fdinfo i0, i1;
	int sf;

	sf = delay_job(f1, 0, 150000);
	wait_ok(sf);
	read_fdinfo(f0, &i0);
	read_fdinfo(f1, &i1);
	igt_assert_f(strcmp(i0.pdev, i1.pdev), "both devices at %s\n", i0.pdev);
	igt_assert_eq_u64(i0.engine_time[0], 0);
	assert_busy_for(i1.engine_time[0], 150000, "device 1 tl0");
	for (unsigned int i = 1; i < num_tl; i++)
		igt_assert_eq_u64(i1.engine_time[i], 0);
	close(f0);
	close(f1);
}

/* A faulting job still counts its time on the device, within wall time. */
static void test_busy_faulting(void)
{
	int f = igt_tlgpu_open(0);
	uint64_t t0 = igt_tlgpu_now_ns(), v;
	int sf = igt_tlgpu_fault_job(f, 3, 100000, 0, 0);

	igt_tlgpu_wait_fence(sf, -EFAULT);
	v = busy(f, 3);
	assert_busy_for(v, 100000, "tl3");
	assert_within(v, igt_tlgpu_now_ns() - t0, "tl3");
	close(sf);
	close(f);
}

igt_main
{
	igt_fixture {
		static char names[DRM_CLIENT_FDINFO_MAX_ENGINES][8];

		fd = igt_tlgpu_open(0);
		igt_tlgpu_require_timelines(fd, 4);
		num_tl = igt_tlgpu_get_param(fd, DRM_TLGPU_PARAM_NUM_TIMELINES);
		memory_stats = igt_tlgpu_get_param(fd, DRM_TLGPU_PARAM_DRIVER_CAPS) &
			       DRM_TLGPU_DRIVER_CAP_MEMORY_STATS;
		igt_assert_f(num_tl <= DRM_CLIENT_FDINFO_MAX_ENGINES,
			     "%u timelines, IGT parses %d engines\n", num_tl,
			     DRM_CLIENT_FDINFO_MAX_ENGINES);
		for (unsigned int i = 0; i < num_tl; i++) {
			snprintf(names[i], sizeof(names[i]), "tl%u", i);
			tl_names[i] = names[i];
		}
	}

	igt_describe("drm-driver tlgpu, drm-pdev the PCI slot, one engine per "
		     "timeline (capacity 1, 0 ns), no memory regions; device 0.");
	igt_subtest("basics")
		test_basics(0);

	igt_describe("The same fdinfo basics on device 1.");
	igt_subtest("basics-device1")
		test_basics(1);

	igt_describe("fdinfo holds exactly the documented drm- keys, engine "
		     "values in ns.");
	igt_subtest("keys")
		test_keys();

	igt_describe("drm-client-id differs for every open file of both devices, "
		     "is shared by dup(), and is not reused.");
	igt_subtest("client-id-unique")
		test_client_ids();

	igt_describe("A client without jobs reads 0 busy time on every timeline "
		     "while another file keeps them busy.");
	igt_subtest("idle")
		test_idle();

	igt_describe("A job's DELAY adds about its length to its timeline's busy "
		     "time only, within wall time.");
	igt_subtest_with_dynamic("busy")
		test_busy();

	igt_describe("Busy time grows while a long job runs, never beyond wall time.");
	igt_subtest("busy-grows")
		test_busy_grows();

	igt_describe("Jobs of two files queued back to back on one timeline: "
		     "each file's time is its jobs', their sum within wall time.");
	igt_subtest("busy-queued")
		test_busy_queued();

	igt_describe("Jobs on every timeline at once: each timeline's time "
		     "matches its job, within wall time.");
	igt_subtest("busy-all-timelines")
		test_busy_all_timelines();

	igt_describe("A job on device 1 counts for device 1's file only.");
	igt_subtest("busy-other-device")
		test_busy_other_device();

	igt_describe("A faulting job's time on the device still counts.");
	igt_subtest("busy-faulting")
		test_busy_faulting();

	igt_fixture
		close(fd);
}
