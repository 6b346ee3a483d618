/* SPDX-License-Identifier: MIT */
/*
 * libtlgpu: the command encoder.  Each helper fills the command's struct
 * of tlgpu_hw.h and appends it to a growable dword buffer; the device
 * reads commands little endian, as this library's hosts store them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tlgpu.h"

#define DW(type)	(sizeof(type) / sizeof(uint32_t))

_Static_assert(sizeof(struct tlgpu_cmd_fill) == 6 * 4, "FILL is 6 dwords");
_Static_assert(sizeof(struct tlgpu_cmd_copy) == 8 * 4, "COPY is 8 dwords");
_Static_assert(sizeof(struct tlgpu_cmd_checksum) == 8 * 4,
	       "CHECKSUM is 8 dwords");
_Static_assert(sizeof(struct tlgpu_cmd_delay) == 2 * 4, "DELAY is 2 dwords");
_Static_assert(sizeof(struct tlgpu_cmd_store) == 6 * 4, "STORE is 6 dwords");

void tlgpu_cmdbuf_init(struct tlgpu_cmdbuf *cb)
{
	memset(cb, 0, sizeof(*cb));
}

void tlgpu_cmdbuf_reset(struct tlgpu_cmdbuf *cb)
{
	cb->len = 0;
	cb->error = 0;
}

void tlgpu_cmdbuf_fini(struct tlgpu_cmdbuf *cb)
{
	free(cb->dw);
	tlgpu_cmdbuf_init(cb);
}

/* Records the first error of an emit; returns @err. */
static int cb_fail(struct tlgpu_cmdbuf *cb, int err)
{
	if (!cb->error)
		cb->error = err;
	return err;
}

int tlgpu_cmd_raw(struct tlgpu_cmdbuf *cb, const uint32_t *dw, uint32_t count)
{
	uint32_t cap = cb->cap ? cb->cap : 64;
	uint32_t *grown;

	if (count > UINT32_MAX / 2 - cb->len)
		return cb_fail(cb, -EINVAL);

	if (cb->len + count > cb->cap) {
		while (cap < cb->len + count)
			cap *= 2;
		grown = realloc(cb->dw, (size_t)cap * sizeof(*grown));
		if (!grown)
			return cb_fail(cb, -ENOMEM);
		cb->dw = grown;
		cb->cap = cap;
	}

	memcpy(cb->dw + cb->len, dw, (size_t)count * sizeof(*dw));
	cb->len += count;
	return 0;
}

int tlgpu_cmd_nop(struct tlgpu_cmdbuf *cb, uint32_t ndw)
{
	uint32_t dw[TLGPU_CMD_MAX_DW] = { 0 };

	if (ndw < 2 || ndw > TLGPU_CMD_MAX_DW || ndw % 2)
		return cb_fail(cb, -EINVAL);

	dw[0] = TLGPU_CMD_HDR(TLGPU_OP_NOP, ndw, 0);
	return tlgpu_cmd_raw(cb, dw, ndw);
}

int tlgpu_cmd_fill(struct tlgpu_cmdbuf *cb, uint64_t va, uint64_t size,
		   uint32_t pattern)
{
	struct tlgpu_cmd_fill c = {
		.hdr = TLGPU_CMD_HDR(TLGPU_OP_FILL, DW(c), 0),
		.pattern = pattern,
		.va = va,
		.size = size,
	};

	return tlgpu_cmd_raw(cb, (const uint32_t *)&c, DW(c));
}

int tlgpu_cmd_copy(struct tlgpu_cmdbuf *cb, uint64_t dst, uint64_t src,
		   uint64_t size)
{
	struct tlgpu_cmd_copy c = {
		.hdr = TLGPU_CMD_HDR(TLGPU_OP_COPY, DW(c), 0),
		.dst = dst,
		.src = src,
		.size = size,
	};

	return tlgpu_cmd_raw(cb, (const uint32_t *)&c, DW(c));
}

int tlgpu_cmd_checksum(struct tlgpu_cmdbuf *cb, uint64_t va, uint64_t size,
		       uint64_t dst)
{
	struct tlgpu_cmd_checksum c = {
		.hdr = TLGPU_CMD_HDR(TLGPU_OP_CHECKSUM, DW(c), 0),
		.va = va,
		.size = size,
		.dst = dst,
	};

	return tlgpu_cmd_raw(cb, (const uint32_t *)&c, DW(c));
}

int tlgpu_cmd_delay(struct tlgpu_cmdbuf *cb, uint64_t usecs)
{
	uint32_t start = cb->len;
	int ret;

	do {
		uint32_t now = usecs > TLGPU_MAX_DELAY_US ? TLGPU_MAX_DELAY_US :
							     (uint32_t)usecs;
		struct tlgpu_cmd_delay c = {
			.hdr = TLGPU_CMD_HDR(TLGPU_OP_DELAY, DW(c), 0),
			.usecs = now,
		};

		ret = tlgpu_cmd_raw(cb, (const uint32_t *)&c, DW(c));
		if (ret) {
			cb->len = start;
			return ret;
		}
		usecs -= now;
	} while (usecs);

	return 0;
}

int tlgpu_cmd_store(struct tlgpu_cmdbuf *cb, uint64_t va, uint64_t value)
{
	struct tlgpu_cmd_store c = {
		.hdr = TLGPU_CMD_HDR(TLGPU_OP_STORE, DW(c), 0),
		.va = va,
		.value = value,
	};

	return tlgpu_cmd_raw(cb, (const uint32_t *)&c, DW(c));
}
