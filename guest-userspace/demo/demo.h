/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-demo: private declarations, one section per file.
 *
 * tlgpu-demo.c  the story: devices, buffers, the six phases, main()
 * timeline.c    the timestamped log of submits, waits and completions
 * canvas.c      drawing with device commands and a CPU reference image
 * png.c         an uncompressed PNG encoder and base64
 */
#ifndef TLGPU_DEMO_H
#define TLGPU_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tlgpu.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NS_PER_MS	1000000ll
#define NS_PER_SEC	1000000000ll

/* ---------------------------------------------------------------- */
/* timeline.c                                                        */
/* ---------------------------------------------------------------- */

/**
 * struct job - one submitted job, followed until its fence signals
 * @name: "A job 3"
 * @what: what it does, for the log
 * @fence: its out sync_file, -1 once closed
 * @submit_ns: CLOCK_MONOTONIC time SUBMIT returned
 * @done_ns: signal time of the fence (the kernel's timestamp)
 * @status: 0 while pending, 1 signalled without error, -errno with one
 * @waits_for: NULL, or what it waits for, printed when it is done
 * @waits_for_job: NULL, or the job it waits for (for "finished after")
 */
struct job {
	char name[16];
	char what[96];
	int fence;
	int64_t submit_ns;
	int64_t done_ns;
	int status;
	const char *waits_for;
	const struct job *waits_for_job;
};

/* Starts the clock; in KTAP mode every line is a "# " diagnostic. */
void log_init(bool ktap);
int64_t log_start_ns(void);
/* Seconds since the start, for messages. */
double log_secs(int64_t t_ns);
/* A line without time stamp (headings, results). */
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "+1.234s  <message>", after printing the completions seen so far. */
void log_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * An event that happened at @t_ns, printed now: for one just before a
 * call whose effects (completions) would otherwise be printed first.
 */
void log_event_at(int64_t t_ns, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A continuation line under the last event. */
void log_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Follows @job's fence from now on; its completion is logged. */
void job_track(struct job *job);
/* Logs completions until @until_ns (CLOCK_MONOTONIC). */
void log_pump(int64_t until_ns);
/*
 * Logs completions until every job of @jobs is done or @timeout_ns has
 * passed; returns 0, or -ETIME.
 */
int job_wait(struct job *const *jobs, unsigned int count, int64_t timeout_ns);
void job_release(struct job *job);
/*
 * Driver and timeline names of a sync_file's first fence, 32 bytes each
 * ("?" if unknown); 0 or -errno.
 */
int fence_names(int fd, char *driver, char *timeline);

/* ---------------------------------------------------------------- */
/* canvas.c                                                          */
/* ---------------------------------------------------------------- */

#define IMG_W		256u
#define IMG_H		256u
#define IMG_PITCH	(IMG_W * 4u)
#define IMG_SIZE	(IMG_PITCH * IMG_H)

/* Rows of 8 tiles the first phase draws, two per job. */
#define TILE_ROWS	8u
#define TILE		(IMG_H / TILE_ROWS)

/**
 * struct canvas - the image being drawn
 * @ref: the CPU's reference: every drawing call changes it the way the
 *	device will change the buffer, so that its CRC-32 is the checksum
 *	the device must report
 * @cb: the job being built; NULL draws into @ref only
 * @va: GPU VA of the image in the address space of @cb's device
 */
struct canvas {
	uint8_t ref[IMG_SIZE];
	struct tlgpu_cmdbuf *cb;
	uint64_t va;
};

/* Later drawing calls emit into @cb, for the image at @va. */
void canvas_target(struct canvas *c, struct tlgpu_cmdbuf *cb, uint64_t va);
/* The parts of the picture; see canvas.c for what they look like. */
void draw_tile_rows(struct canvas *c, unsigned int first, unsigned int count);
void draw_banner(struct canvas *c);
void draw_stripe(struct canvas *c);
void draw_marks(struct canvas *c);
/* CRC-32 of the reference image. */
uint32_t canvas_crc(const struct canvas *c);
/*
 * Compares @img with the reference; returns -1 if equal, else the
 * offset of the first differing byte.
 */
long canvas_compare(const struct canvas *c, const uint8_t *img);

/* ---------------------------------------------------------------- */
/* png.c                                                             */
/* ---------------------------------------------------------------- */

/*
 * Encodes a @width x @height RGBA image (alpha dropped) as an 8-bit RGB
 * PNG with stored (uncompressed) deflate blocks.  Returns the malloc'ed
 * file and its size in *@len, or NULL when out of memory.
 */
uint8_t *png_encode_rgba(const uint8_t *rgba, uint32_t width, uint32_t height,
			 uint32_t pitch, size_t *len);
/* Adler-32 of zlib, for the PNG's zlib stream. */
uint32_t adler32(const uint8_t *buf, size_t len);
/*
 * Writes @len bytes as base64 lines of 76 characters between the lines
 * "TLGPU-PNG-BEGIN <name> size=<len> crc32=<crc>" and "TLGPU-PNG-END".
 * Returns 0 or -errno.
 */
int base64_write_marked(int fd, const char *name, const uint8_t *buf,
			size_t len);

#endif /* TLGPU_DEMO_H */
