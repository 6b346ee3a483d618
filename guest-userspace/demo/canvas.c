/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-demo: the picture, drawn with device commands.
 *
 * The device has no drawing commands, only FILL (a 32-bit pattern over a
 * byte range) and COPY, so a 256x256 RGBA image is drawn row by row: a
 * horizontal span is one FILL, and a run of identical rows is one row
 * drawn with FILLs and copied onto the next ones by doubling COPYs
 * (1, 2, 4, ... rows at a time).  Every call also changes the CPU's
 * reference image the same way; its CRC-32 is what the device's CHECKSUM
 * must report, and what the buffer must hold when read back.
 *
 * The picture, in the order the demo draws it:
 *  - device A: an 8x8 grid of bevelled tiles whose colours run from teal
 *    to rose, two rows of tiles per job (draw_tile_rows);
 *  - device A: a banner across the middle with "tlgpu" in 5x9 block
 *    letters scaled 7 times (draw_banner);
 *  - device B: a stripe near the bottom with a bar of coloured segments
 *    (draw_stripe);
 *  - device A: a white mark on each segment (draw_marks), so the result
 *    is only right if A drew after B.
 */
#include <string.h>

#include "demo.h"

#define RGB(r, g, b)	((uint32_t)(r) | (uint32_t)(g) << 8 | \
			 (uint32_t)(b) << 16 | 0xffu << 24)

#define GROUT		RGB(0x16, 0x18, 0x26)
#define NAVY		RGB(0x1b, 0x1f, 0x3a)
#define GOLD		RGB(0xf2, 0xc1, 0x4e)
#define INK		RGB(0xfa, 0xf6, 0xec)
#define WHITE		RGB(0xff, 0xff, 0xff)

void canvas_target(struct canvas *c, struct tlgpu_cmdbuf *cb, uint64_t va)
{
	c->cb = cb;
	c->va = va;
}

static uint32_t offset(unsigned int x, unsigned int y)
{
	return y * IMG_PITCH + x * 4;
}

/* Pixels [x0, x1) of row y. */
static void span(struct canvas *c, unsigned int y, unsigned int x0,
		 unsigned int x1, uint32_t rgba)
{
	uint8_t *p = c->ref + offset(x0, y);
	unsigned int x;

	for (x = x0; x < x1; x++, p += 4)
		memcpy(p, &rgba, 4);	/* little endian: R, G, B, A */
	if (c->cb)
		tlgpu_cmd_fill(c->cb, c->va + offset(x0, y), (x1 - x0) * 4,
			       rgba);
}

/* @count whole rows from @y, with one FILL. */
static void rows(struct canvas *c, unsigned int y, unsigned int count,
		 uint32_t rgba)
{
	uint8_t *p = c->ref + offset(0, y);
	unsigned int i;

	for (i = 0; i < count * IMG_W; i++, p += 4)
		memcpy(p, &rgba, 4);
	if (c->cb)
		tlgpu_cmd_fill(c->cb, c->va + offset(0, y), count * IMG_PITCH,
			       rgba);
}

/* Rows y+1 .. y+count-1 become copies of row y: doubling COPYs. */
static void replicate(struct canvas *c, unsigned int y, unsigned int count)
{
	unsigned int have = 1;

	while (have < count) {
		unsigned int n = have < count - have ? have : count - have;

		memcpy(c->ref + offset(0, y + have), c->ref + offset(0, y),
		       n * IMG_PITCH);
		if (c->cb)
			tlgpu_cmd_copy(c->cb, c->va + offset(0, y + have),
				       c->va + offset(0, y), n * IMG_PITCH);
		have += n;
	}
}

/* @rgb mixed with @to: @amount/256 of @to. */
static uint32_t mix(uint32_t rgb, uint32_t to, unsigned int amount)
{
	uint32_t out = 0xffu << 24;
	unsigned int i;

	for (i = 0; i < 24; i += 8) {
		unsigned int a = (rgb >> i) & 0xff, b = (to >> i) & 0xff;

		out |= ((a * (256 - amount) + b * amount) / 256) << i;
	}
	return out;
}

/* Hue in degrees, saturation and value in 1/256: an RGB colour. */
static uint32_t hsv(unsigned int hue, unsigned int sat, unsigned int val)
{
	unsigned int sector = (hue % 360) / 60, f = (hue % 60) * 256 / 60;
	unsigned int p = val * (256 - sat) / 256;
	unsigned int q = val * (256 - sat * f / 256) / 256;
	unsigned int t = val * (256 - sat * (256 - f) / 256) / 256;

	val = val > 255 ? 255 : val;
	switch (sector) {
	case 0: return RGB(val, t, p);
	case 1: return RGB(q, val, p);
	case 2: return RGB(p, val, t);
	case 3: return RGB(p, q, val);
	case 4: return RGB(t, p, val);
	default: return RGB(val, p, q);
	}
}

static uint32_t tile_color(unsigned int tx, unsigned int ty)
{
	/* Teal at the top left, through blue and violet, to rose. */
	unsigned int hue = 175 + (tx * 3 + ty * 4) * 3;
	unsigned int val = ((tx + ty) & 1) ? 218 : 236;

	return hsv(hue, 150, val);
}

/*
 * Tile rows @first .. @first+@count-1.  A tile is 32x32 pixels: a pixel
 * of grout on each side, a light top row and left column, a dark bottom
 * row and right column.
 */
void draw_tile_rows(struct canvas *c, unsigned int first, unsigned int count)
{
	unsigned int ty, tx;

	for (ty = first; ty < first + count; ty++) {
		unsigned int y = ty * TILE;

		rows(c, y, 1, GROUT);
		rows(c, y + 1, 1, GROUT);
		for (tx = 0; tx < IMG_W / TILE; tx++)
			span(c, y + 1, tx * TILE + 1, tx * TILE + TILE - 1,
			     mix(tile_color(tx, ty), WHITE, 90));
		rows(c, y + 2, 1, GROUT);
		for (tx = 0; tx < IMG_W / TILE; tx++) {
			uint32_t base = tile_color(tx, ty);
			unsigned int x = tx * TILE;

			span(c, y + 2, x + 1, x + 2, mix(base, WHITE, 90));
			span(c, y + 2, x + 2, x + TILE - 2, base);
			span(c, y + 2, x + TILE - 2, x + TILE - 1,
			     mix(base, RGB(0, 0, 0), 80));
		}
		replicate(c, y + 2, TILE - 4);
		rows(c, y + TILE - 2, 1, GROUT);
		for (tx = 0; tx < IMG_W / TILE; tx++)
			span(c, y + TILE - 2, tx * TILE + 1,
			     tx * TILE + TILE - 1,
			     mix(tile_color(tx, ty), RGB(0, 0, 0), 80));
		rows(c, y + TILE - 1, 1, GROUT);
	}
}

/*
 * "tlgpu" in a 5x9 cell: rows 0-1 ascenders, 2-6 x-height (baseline at
 * 6), 7-8 descenders.  Bit 4 is the leftmost column.
 */
static const uint8_t glyphs[5][9] = {
	{ 0x08, 0x08, 0x1e, 0x08, 0x08, 0x09, 0x06, 0x00, 0x00 },	/* t */
	{ 0x0c, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00 },	/* l */
	{ 0x00, 0x00, 0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x1e },	/* g */
	{ 0x00, 0x00, 0x1e, 0x11, 0x11, 0x11, 0x1e, 0x10, 0x10 },	/* p */
	{ 0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d, 0x00, 0x00 },	/* u */
};
#define SCALE		7u
#define GLYPH_W		(5u * SCALE)
#define GLYPH_GAP	SCALE
#define TEXT_W		(5u * GLYPH_W + 4u * GLYPH_GAP)
#define TEXT_H		(9u * SCALE)
#define BANNER_EDGE	2u
#define BANNER_PAD	6u
#define BANNER_H	(TEXT_H + 2u * (BANNER_PAD + BANNER_EDGE))
#define BANNER_Y	((IMG_H - BANNER_H) / 2u)

/* The banner across the middle, with the name. */
void draw_banner(struct canvas *c)
{
	unsigned int x0 = (IMG_W - TEXT_W) / 2, y = BANNER_Y;
	unsigned int row, g;

	rows(c, y, BANNER_EDGE, GOLD);
	y += BANNER_EDGE;
	rows(c, y, BANNER_PAD, NAVY);
	y += BANNER_PAD;
	for (row = 0; row < 9; row++, y += SCALE) {
		rows(c, y, 1, NAVY);
		for (g = 0; g < 5; g++) {
			unsigned int gx = x0 + g * (GLYPH_W + GLYPH_GAP);
			unsigned int bits = glyphs[g][row], col = 0;

			/* One FILL per run of lit columns. */
			while (col < 5) {
				unsigned int end;

				if (!(bits & (0x10 >> col))) {
					col++;
					continue;
				}
				for (end = col; end < 5 && bits & (0x10 >> end); end++)
					;
				span(c, y, gx + col * SCALE, gx + end * SCALE, INK);
				col = end;
			}
		}
		replicate(c, y, SCALE);
	}
	rows(c, y, BANNER_PAD, NAVY);
	y += BANNER_PAD;
	rows(c, y, BANNER_EDGE, GOLD);
}

#define STRIPE_Y	208u
#define STRIPE_H	24u
#define BAR_Y		(STRIPE_Y + 4u)
#define BAR_H		16u
#define SEGMENTS	14u
#define SEGMENT_W	16u
#define BAR_X		((IMG_W - SEGMENTS * SEGMENT_W) / 2u)

/* Device B's part: a dark stripe with a bar of coloured segments. */
void draw_stripe(struct canvas *c)
{
	unsigned int i;

	rows(c, STRIPE_Y, STRIPE_H, NAVY);
	for (i = 0; i < SEGMENTS; i++) {
		unsigned int x = BAR_X + i * SEGMENT_W;

		span(c, BAR_Y, x + 1, x + SEGMENT_W - 1,
		     hsv(95 + i * 10, 170, 230));
	}
	replicate(c, BAR_Y, BAR_H);
}

/* Device A's marks on B's segments: right only if drawn after them. */
void draw_marks(struct canvas *c)
{
	unsigned int i, y = BAR_Y + (BAR_H - 4) / 2;

	for (i = 0; i < SEGMENTS; i++) {
		unsigned int x = BAR_X + i * SEGMENT_W + SEGMENT_W / 2 - 2;

		span(c, y, x, x + 4, WHITE);
	}
	replicate(c, y, 4);
}

uint32_t canvas_crc(const struct canvas *c)
{
	return tlgpu_crc32(0, c->ref, IMG_SIZE);
}

long canvas_compare(const struct canvas *c, const uint8_t *img)
{
	size_t i;

	for (i = 0; i < IMG_SIZE; i++)
		if (img[i] != c->ref[i])
			return (long)i;
	return -1;
}
