/* SPDX-License-Identifier: MIT */
/*
 * tlgpu_hw.h - the tlgpu device/driver contract.
 *
 * This header is the single source of truth for everything the QEMU device
 * model (qemu-device/) and the Linux driver (guest-driver/) share: PCI
 * identity, the BAR0 register map, the command ring and command formats,
 * the per-timeline status page, the GPU page-table format and the error
 * codes.  docs/device-spec.rst explains each item; this file pins them.
 *
 * All registers are 32 bits wide and must be accessed with 32-bit
 * accesses.  64-bit quantities are split into _LO/_HI halves.  All
 * in-memory structures are little endian.
 */
#ifndef TLGPU_HW_H
#define TLGPU_HW_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
#endif

/* ------------------------------------------------------------------ */
/* PCI identity                                                        */
/* ------------------------------------------------------------------ */

/* 0x1234 is QEMU's "unofficial" vendor id, also used by edu and bochs. */
#define TLGPU_PCI_VENDOR_ID		0x1234
#define TLGPU_PCI_DEVICE_ID		0x7467	/* "tg" */
#define TLGPU_PCI_REVISION		0x01
#define TLGPU_PCI_CLASS			0x0380	/* display controller, other */

#define TLGPU_BAR_REGS			0	/* BAR0: registers, 64 KiB */
#define TLGPU_BAR_MSIX			1	/* BAR1: MSI-X table and PBA */
#define TLGPU_BAR0_SIZE			0x10000

/* ------------------------------------------------------------------ */
/* Global registers (BAR0 0x0000 - 0x00ff)                             */
/* ------------------------------------------------------------------ */

#define TLGPU_REG_ID			0x000	/* RO: TLGPU_ID_MAGIC */
#define TLGPU_ID_MAGIC			0x55504754u	/* "TGPU" */
#define TLGPU_REG_VERSION		0x004	/* RO: major << 16 | minor */
#define TLGPU_VERSION_MAJOR		1
#define TLGPU_VERSION_MINOR		0
#define TLGPU_VERSION	((TLGPU_VERSION_MAJOR << 16) | TLGPU_VERSION_MINOR)
#define TLGPU_REG_CAPS			0x008	/* RO: TLGPU_CAP_* */
#define TLGPU_CAP_TIMELINES		(1u << 0) /* command rings */
#define TLGPU_CAP_MMU			(1u << 1) /* GPU address spaces */
#define TLGPU_CAP_WAIT			(1u << 2) /* cross-timeline WAIT */
#define TLGPU_CAP_CHECKSUM		(1u << 3) /* CRC32 command */
#define TLGPU_CAP_INJECT		(1u << 4) /* fault injection block */
#define TLGPU_CAP_FLR			(1u << 5) /* PCIe function-level reset */
#define TLGPU_REG_NUM_TIMELINES		0x00c	/* RO: 1..TLGPU_MAX_TIMELINES */
#define TLGPU_REG_NUM_AS		0x010	/* RO: address spaces */
#define TLGPU_REG_NUM_VECTORS		0x014	/* RO: MSI-X vectors */
#define TLGPU_REG_RESET			0x018	/* WO: write TLGPU_RESET_MAGIC */
#define TLGPU_RESET_MAGIC		0x52534554u	/* "TESR" */
#define TLGPU_REG_SCRATCH		0x01c	/* RW: free for the driver */
#define TLGPU_REG_RESET_COUNT		0x020	/* RO: full resets so far */

#define TLGPU_MAX_TIMELINES		64
#define TLGPU_NUM_AS			64

/*
 * MSI-X vectors: timeline t raises vector t; vector num_timelines is the
 * device vector (spurious-interrupt injection only, for now).
 */
#define TLGPU_VECTOR_TIMELINE(t)	(t)

/* ------------------------------------------------------------------ */
/* Address-space registers (BAR0 0x0800 + as * 0x10)                   */
/* ------------------------------------------------------------------ */

#define TLGPU_AS_BASE			0x800
#define TLGPU_AS_STRIDE			0x10
#define TLGPU_AS_REG(as, r)	(TLGPU_AS_BASE + (as) * TLGPU_AS_STRIDE + (r))
#define TLGPU_AS_PT_LO			0x0	/* RW: root table, guest phys */
#define TLGPU_AS_PT_HI			0x4
#define TLGPU_AS_CTRL			0x8	/* RW: TLGPU_AS_CTRL_* */
#define TLGPU_AS_CTRL_ENABLE		(1u << 0)

/* ------------------------------------------------------------------ */
/* Fault-injection registers (BAR0 0x0200 - 0x02ff)                    */
/* ------------------------------------------------------------------ */

#define TLGPU_REG_INJ_FAIL_TIMELINE	0x200	/* RW: timeline, ~0 = any */
#define TLGPU_REG_INJ_FAIL_SEQNO_LO	0x204	/* RW: fail this job, 0 = off */
#define TLGPU_REG_INJ_FAIL_SEQNO_HI	0x208
#define TLGPU_REG_INJ_FAIL_EVERY	0x20c	/* RW: fail every Nth job, 0 = off */
#define TLGPU_REG_INJ_FAIL_ERROR	0x210	/* RW: error code to report */
#define TLGPU_REG_INJ_JITTER_US		0x214	/* RW: max random delay, 0 = off */
#define TLGPU_REG_INJ_JITTER_SEED	0x218	/* RW: seed; writing reseeds */
#define TLGPU_REG_INJ_HANG_MASK_LO	0x21c	/* RW: timelines that hang */
#define TLGPU_REG_INJ_HANG_MASK_HI	0x220
#define TLGPU_REG_INJ_IRQ_DROP_EVERY	0x224	/* RW: drop every Nth irq */
#define TLGPU_REG_INJ_IRQ_DUP_EVERY	0x228	/* RW: duplicate every Nth irq */
#define TLGPU_REG_INJ_SPURIOUS		0x22c	/* WO: raise vector N now */
#define TLGPU_REG_INJ_RESET_FAIL	0x230	/* RW: the next N resets fail */
#define TLGPU_REG_INJ_CNT_FAILED	0x240	/* RO: jobs failed on purpose */
#define TLGPU_REG_INJ_CNT_HUNG		0x244	/* RO: hangs entered */
#define TLGPU_REG_INJ_CNT_JITTER	0x248	/* RO: jobs delayed by jitter */
#define TLGPU_REG_INJ_CNT_IRQ_DROPPED	0x24c	/* RO */
#define TLGPU_REG_INJ_CNT_IRQ_DUPED	0x250	/* RO */
#define TLGPU_REG_INJ_CNT_IRQ_SPURIOUS	0x254	/* RO */
#define TLGPU_REG_INJ_CNT_RESET_FAILED	0x258	/* RO: resets that failed */

/* ------------------------------------------------------------------ */
/* Timeline registers (BAR0 0x1000 + t * 0x100)                        */
/* ------------------------------------------------------------------ */

#define TLGPU_TL_BASE			0x1000
#define TLGPU_TL_STRIDE			0x100
#define TLGPU_TL_REG(t, r)	(TLGPU_TL_BASE + (t) * TLGPU_TL_STRIDE + (r))
#define TLGPU_TL_RING_LO		0x00	/* RW: ring, guest phys, 4K aligned */
#define TLGPU_TL_RING_HI		0x04
#define TLGPU_TL_RING_SIZE		0x08	/* RW: bytes, power of 2 */
#define TLGPU_TL_RING_HEAD		0x0c	/* RO: next byte the device reads */
#define TLGPU_TL_RING_TAIL		0x10	/* RW: end of work; the doorbell */
#define TLGPU_TL_CTRL			0x14	/* RW: TLGPU_TL_CTRL_* */
#define TLGPU_TL_CTRL_ENABLE		(1u << 0)
#define TLGPU_TL_STATUS_LO		0x18	/* RW: status page, guest phys */
#define TLGPU_TL_STATUS_HI		0x1c
#define TLGPU_TL_COMPLETED_LO		0x20	/* RO: last completed seqno */
#define TLGPU_TL_COMPLETED_HI		0x24
#define TLGPU_TL_STATE			0x28	/* RO: enum tlgpu_tl_state */
#define TLGPU_TL_ERROR			0x2c	/* RO: last error code */
#define TLGPU_TL_FAULT_LO		0x30	/* RO: last faulting GPU VA */
#define TLGPU_TL_FAULT_HI		0x34
#define TLGPU_TL_IRQ_ACK		0x38	/* WO: 1 re-arms the interrupt */
#define TLGPU_TL_RESET			0x3c	/* WO: 1 resets this timeline */
#define TLGPU_TL_JOBS_DONE		0x40	/* RO: FENCEs executed */
#define TLGPU_TL_JOBS_DROPPED		0x44	/* RO: jobs dropped by resets */
#define TLGPU_TL_IRQS			0x48	/* RO: interrupts raised */
#define TLGPU_TL_IRQS_COALESCED		0x4c	/* RO: completions merged */

#define TLGPU_RING_MIN_SIZE		0x1000
#define TLGPU_RING_MAX_SIZE		0x100000

enum tlgpu_tl_state {
	TLGPU_TL_STOPPED = 0,	/* not enabled */
	TLGPU_TL_IDLE = 1,	/* enabled, head == tail */
	TLGPU_TL_BUSY = 2,	/* executing a command */
	TLGPU_TL_WAITING = 3,	/* in a WAIT or DELAY */
	TLGPU_TL_HUNG = 4,	/* injected hang: only a reset ends it */
	TLGPU_TL_HALTED = 5,	/* bad ring setup; see ERROR; reset ends it */
};

/* ------------------------------------------------------------------ */
/* Status page: one 4 KiB page per timeline, written by the device      */
/* ------------------------------------------------------------------ */

#define TLGPU_STATUS_SLOTS		512

/*
 * For each FENCE the device first writes error[seqno % TLGPU_STATUS_SLOTS]
 * (0 or an error code), then completed_seqno.  The driver keeps fewer
 * than TLGPU_STATUS_SLOTS jobs in flight per timeline.
 */
struct tlgpu_status_page {
	uint64_t completed_seqno;
	uint64_t reserved[7];
	uint32_t error[TLGPU_STATUS_SLOTS];
};

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

/*
 * Every command starts with a 32-bit header: opcode in bits 7:0, total
 * length in dwords (header included) in bits 15:8, flags in bits 31:16.
 * Lengths are even: commands stay 8-byte aligned.  A command may wrap
 * around the end of the ring.  A job is the run of commands ending with
 * a FENCE; the address space selected by SET_AS lasts until that FENCE.
 */
#define TLGPU_CMD_HDR(op, ndw, flags) \
	((uint32_t)(op) | ((uint32_t)(ndw) << 8) | ((uint32_t)(flags) << 16))
#define TLGPU_CMD_OP(hdr)		((hdr) & 0xff)
#define TLGPU_CMD_NDW(hdr)		(((hdr) >> 8) & 0xff)
#define TLGPU_CMD_FLAGS(hdr)		((hdr) >> 16)
#define TLGPU_CMD_MAX_DW		16

enum tlgpu_opcode {
	TLGPU_OP_NOP = 0x00,		/* any even length */
	TLGPU_OP_SET_AS = 0x01,		/* struct tlgpu_cmd_set_as */
	TLGPU_OP_FILL = 0x02,		/* struct tlgpu_cmd_fill */
	TLGPU_OP_COPY = 0x03,		/* struct tlgpu_cmd_copy */
	TLGPU_OP_CHECKSUM = 0x04,	/* struct tlgpu_cmd_checksum */
	TLGPU_OP_WAIT = 0x05,		/* struct tlgpu_cmd_wait */
	TLGPU_OP_DELAY = 0x06,		/* struct tlgpu_cmd_delay */
	TLGPU_OP_FENCE = 0x07,		/* struct tlgpu_cmd_fence */
	TLGPU_OP_STORE = 0x08,		/* struct tlgpu_cmd_store */
	TLGPU_OP_MAX
};

#define TLGPU_FENCE_IRQ			(1u << 0)	/* FENCE flag */

struct tlgpu_cmd_set_as {
	uint32_t hdr;
	uint32_t as;		/* < TLGPU_NUM_AS, enabled */
};

struct tlgpu_cmd_fill {
	uint32_t hdr;
	uint32_t pattern;	/* 32-bit pattern, repeated */
	uint64_t va;		/* 4-byte aligned */
	uint64_t size;		/* bytes, multiple of 4, <= TLGPU_MAX_XFER */
};

struct tlgpu_cmd_copy {
	uint32_t hdr;
	uint32_t pad;
	uint64_t dst;
	uint64_t src;
	uint64_t size;		/* bytes, <= TLGPU_MAX_XFER; no overlap */
};

struct tlgpu_cmd_checksum {
	uint32_t hdr;
	uint32_t pad;
	uint64_t va;
	uint64_t size;		/* bytes, <= TLGPU_MAX_XFER */
	uint64_t dst;		/* CRC-32 (IEEE, as zlib) stored as u32 here */
};

struct tlgpu_cmd_wait {
	uint32_t hdr;
	uint32_t timeline;	/* < num_timelines, not this one */
	uint64_t seqno;		/* until its completed seqno >= this */
};

struct tlgpu_cmd_delay {
	uint32_t hdr;
	uint32_t usecs;		/* <= TLGPU_MAX_DELAY_US */
};

struct tlgpu_cmd_fence {
	uint32_t hdr;		/* flags: TLGPU_FENCE_IRQ */
	uint32_t pad;
	uint64_t seqno;
};

struct tlgpu_cmd_store {
	uint32_t hdr;
	uint32_t pad;
	uint64_t va;		/* 8-byte aligned */
	uint64_t value;
};

/*
 * The length in dwords of each command (header included), one table for
 * the device (which refuses any other length) and the driver (which
 * checks userspace's commands before they reach a ring).  0: NOP, any
 * even length from 2 to TLGPU_CMD_MAX_DW; an op of TLGPU_OP_MAX or more
 * is no command (0 as well: check the op first).
 */
static inline unsigned int tlgpu_cmd_ndw(unsigned int op)
{
	switch (op) {
	case TLGPU_OP_SET_AS:	return sizeof(struct tlgpu_cmd_set_as) / 4;
	case TLGPU_OP_FILL:	return sizeof(struct tlgpu_cmd_fill) / 4;
	case TLGPU_OP_COPY:	return sizeof(struct tlgpu_cmd_copy) / 4;
	case TLGPU_OP_CHECKSUM:	return sizeof(struct tlgpu_cmd_checksum) / 4;
	case TLGPU_OP_WAIT:	return sizeof(struct tlgpu_cmd_wait) / 4;
	case TLGPU_OP_DELAY:	return sizeof(struct tlgpu_cmd_delay) / 4;
	case TLGPU_OP_FENCE:	return sizeof(struct tlgpu_cmd_fence) / 4;
	case TLGPU_OP_STORE:	return sizeof(struct tlgpu_cmd_store) / 4;
	default:		return 0;	/* NOP, or no command */
	}
}

#define TLGPU_MAX_XFER			(1ull << 30)
#define TLGPU_MAX_DELAY_US		10000000u

/* ------------------------------------------------------------------ */
/* GPU page tables                                                     */
/* ------------------------------------------------------------------ */

/*
 * 39-bit GPU virtual addresses, 4 KiB pages, three levels of 512 64-bit
 * entries (L2 root: VA bits 38:30, L1: 29:21, L0: 20:12).  Tables are
 * 4 KiB aligned pages of guest RAM.  An entry is valid when bit 0 is set;
 * bits 51:12 hold the next table's or the page's guest physical address.
 * Leaf (L0) entries grant read, and write when bit 1 is set.
 */
#define TLGPU_VA_BITS			39
#define TLGPU_PAGE_SHIFT		12
#define TLGPU_PAGE_SIZE			(1u << TLGPU_PAGE_SHIFT)
#define TLGPU_PT_ENTRIES		512
#define TLGPU_PTE_VALID			(1ull << 0)
#define TLGPU_PTE_WRITE			(1ull << 1)
#define TLGPU_PTE_ADDR_MASK		0x000ffffffffff000ull

/* ------------------------------------------------------------------ */
/* Error codes (status page error[], TLGPU_TL_ERROR)                   */
/* ------------------------------------------------------------------ */

enum tlgpu_error {
	TLGPU_ERR_NONE = 0,
	TLGPU_ERR_PAGE_FAULT = 1,	/* VA not mapped */
	TLGPU_ERR_PERMISSION = 2,	/* write to a read-only page */
	TLGPU_ERR_BAD_ADDRESS = 3,	/* table or page outside guest RAM */
	TLGPU_ERR_BAD_COMMAND = 4,	/* opcode, length or operand */
	TLGPU_ERR_BAD_AS = 5,		/* no or disabled address space */
	TLGPU_ERR_INJECTED = 6,		/* default injected error */
	TLGPU_ERR_BAD_RING = 7,		/* ring or status page setup */
	TLGPU_ERR_MAX
};

#endif /* TLGPU_HW_H */
