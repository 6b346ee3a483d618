/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-demo: a PNG encoder without zlib, and base64.
 *
 * PNG (RFC 2083, ISO/IEC 15948): the 8-byte signature, then chunks of
 * length (big endian), type, data and the CRC-32 of type and data:
 * IHDR, one IDAT, IEND.  The IDAT holds a zlib stream (RFC 1950) whose
 * deflate data (RFC 1951) is only "stored" blocks: a header byte
 * (BFINAL, BTYPE 00), LEN and its complement NLEN (little endian), then
 * up to 65535 bytes as they are; the stream ends with the Adler-32 of
 * the raw data.  The raw data is each row of pixels after a filter byte
 * (0, none).  Larger than deflated, but any viewer opens it.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

#define STORED_MAX	65535u

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return p + 4;
}

uint32_t adler32(const uint8_t *buf, size_t len)
{
	uint32_t a = 1, b = 0;

	while (len) {
		/* 5552 bytes is the most before b can overflow 32 bits. */
		size_t n = len < 5552 ? len : 5552;

		len -= n;
		while (n--) {
			a += *buf++;
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return b << 16 | a;
}

/* A chunk at @p of @len data bytes already at p + 8; returns its end. */
static uint8_t *chunk(uint8_t *p, const char type[4], uint32_t len)
{
	put32(p, len);
	memcpy(p + 4, type, 4);
	return put32(p + 8 + len, tlgpu_crc32(0, p + 4, len + 4));
}

uint8_t *png_encode_rgba(const uint8_t *rgba, uint32_t width, uint32_t height,
			 uint32_t pitch, size_t *len)
{
	static const uint8_t signature[8] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
	};
	size_t raw_len = (size_t)height * (1 + (size_t)width * 3);
	size_t blocks = (raw_len + STORED_MAX - 1) / STORED_MAX;
	size_t zlen = 2 + blocks * 5 + raw_len + 4;
	uint8_t *raw, *png, *p, *z;
	size_t off;
	uint32_t x, y;

	raw = malloc(raw_len);
	png = malloc(8 + (12 + 13) + (12 + zlen) + 12);
	if (!raw || !png) {
		free(raw);
		free(png);
		return NULL;
	}

	/* The filtered image: filter byte 0, then R, G, B of each pixel. */
	p = raw;
	for (y = 0; y < height; y++) {
		const uint8_t *px = rgba + (size_t)y * pitch;

		*p++ = 0;
		for (x = 0; x < width; x++, px += 4) {
			*p++ = px[0];
			*p++ = px[1];
			*p++ = px[2];
		}
	}

	memcpy(png, signature, 8);
	p = png + 8;

	/* IHDR: size, bit depth 8, colour type 2 (RGB), deflate, no
	 * filter method but 0, no interlace. */
	put32(p + 8, width);
	put32(p + 12, height);
	memcpy(p + 16, (const uint8_t[]){ 8, 2, 0, 0, 0 }, 5);
	p = chunk(p, "IHDR", 13);

	/* IDAT: zlib header (deflate, 32K window, no dictionary, level 0:
	 * 0x7801 is a multiple of 31), stored blocks, Adler-32. */
	z = p + 8;
	*z++ = 0x78;
	*z++ = 0x01;
	for (off = 0; off < raw_len; off += STORED_MAX) {
		uint32_t n = raw_len - off < STORED_MAX ? raw_len - off : STORED_MAX;

		*z++ = off + n == raw_len;	/* BFINAL, BTYPE 00 */
		*z++ = n & 0xff;
		*z++ = n >> 8;
		*z++ = ~n & 0xff;
		*z++ = (~n >> 8) & 0xff;
		memcpy(z, raw + off, n);
		z += n;
	}
	z = put32(z, adler32(raw, raw_len));
	p = chunk(p, "IDAT", z - (p + 8));

	p = chunk(p, "IEND", 0);
	free(raw);
	*len = p - png;
	return png;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

int base64_write_marked(int fd, const char *name, const uint8_t *buf,
			size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char line[128];
	size_t i = 0;
	int n, ret;

	n = snprintf(line, sizeof(line), "TLGPU-PNG-BEGIN %s size=%zu crc32=0x%08x\n",
		     name, len, tlgpu_crc32(0, buf, len));
	ret = write_all(fd, line, n);
	while (!ret && i < len) {
		/* 19 groups of 3 bytes: 76 characters a line. */
		int col = 0, g;

		for (g = 0; g < 19 && i < len; g++, i += 3) {
			uint32_t v = buf[i] << 16;
			size_t left = len - i;

			if (left > 1)
				v |= buf[i + 1] << 8;
			if (left > 2)
				v |= buf[i + 2];
			line[col++] = alphabet[v >> 18 & 63];
			line[col++] = alphabet[v >> 12 & 63];
			line[col++] = left > 1 ? alphabet[v >> 6 & 63] : '=';
			line[col++] = left > 2 ? alphabet[v & 63] : '=';
		}
		line[col++] = '\n';
		ret = write_all(fd, line, col);
	}
	if (!ret)
		ret = write_all(fd, "TLGPU-PNG-END\n", 14);
	return ret;
}
