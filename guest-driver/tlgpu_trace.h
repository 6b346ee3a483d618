/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * tlgpu: tracepoints.  Timeline and hardware seqno are the same values as
 * in QEMU's tlgpu trace events (qemu-device/trace-events: tlgpu_fence has
 * "tl %u seqno %llu"), so guest and host traces line up.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM tlgpu

#if !defined(_TLGPU_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TLGPU_TRACE_H

#include <linux/tracepoint.h>

struct tlgpu_device;

TRACE_EVENT(tlgpu_submit,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl, u64 context, u64 seqno),
	TP_ARGS(tdev, tl, context, seqno),
	TP_STRUCT__entry(
		__field(const void *, dev)
		__field(u32, tl)
		__field(u64, context)
		__field(u64, seqno)
	),
	TP_fast_assign(
		__entry->dev = tdev;
		__entry->tl = tl;
		__entry->context = context;
		__entry->seqno = seqno;
	),
	TP_printk("dev=%p tl=%u fence=%llu:%llu", __entry->dev, __entry->tl,
		  __entry->context, __entry->seqno)
);

TRACE_EVENT(tlgpu_run,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl, u64 seqno, u32 waits),
	TP_ARGS(tdev, tl, seqno, waits),
	TP_STRUCT__entry(
		__field(const void *, dev)
		__field(u32, tl)
		__field(u64, seqno)
		__field(u32, waits)
	),
	TP_fast_assign(
		__entry->dev = tdev;
		__entry->tl = tl;
		__entry->seqno = seqno;
		__entry->waits = waits;
	),
	TP_printk("dev=%p tl=%u seqno=%llu device-waits=%u", __entry->dev,
		  __entry->tl, __entry->seqno, __entry->waits)
);

TRACE_EVENT(tlgpu_complete,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl, u64 seqno, u32 error),
	TP_ARGS(tdev, tl, seqno, error),
	TP_STRUCT__entry(
		__field(const void *, dev)
		__field(u32, tl)
		__field(u64, seqno)
		__field(u32, error)
	),
	TP_fast_assign(
		__entry->dev = tdev;
		__entry->tl = tl;
		__entry->seqno = seqno;
		__entry->error = error;
	),
	TP_printk("dev=%p tl=%u seqno=%llu error=%u", __entry->dev,
		  __entry->tl, __entry->seqno, __entry->error)
);

/* A completed job's fence waits for one of a job it WAITed for. */
TRACE_EVENT(tlgpu_defer,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl, u64 seqno, u64 context,
		 u64 dep_seqno),
	TP_ARGS(tdev, tl, seqno, context, dep_seqno),
	TP_STRUCT__entry(
		__field(const void *, dev)
		__field(u32, tl)
		__field(u64, seqno)
		__field(u64, context)
		__field(u64, dep_seqno)
	),
	TP_fast_assign(
		__entry->dev = tdev;
		__entry->tl = tl;
		__entry->seqno = seqno;
		__entry->context = context;
		__entry->dep_seqno = dep_seqno;
	),
	TP_printk("dev=%p tl=%u seqno=%llu after=%llu:%llu", __entry->dev,
		  __entry->tl, __entry->seqno, __entry->context,
		  __entry->dep_seqno)
);

TRACE_EVENT(tlgpu_reset,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl),
	TP_ARGS(tdev, tl),
	TP_STRUCT__entry(
		__field(const void *, dev)
		__field(u32, tl)
	),
	TP_fast_assign(
		__entry->dev = tdev;
		__entry->tl = tl;
	),
	TP_printk("dev=%p tl=%u", __entry->dev, __entry->tl)
);

#endif /* _TLGPU_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE tlgpu_trace
#include <trace/define_trace.h>
