/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * tlgpu: tracepoints.  Timeline and hardware seqno are the same values as
 * in QEMU's tlgpu trace events (qemu-device/trace-events: tlgpu_fence has
 * "tl %u seqno %llu"), so guest and host traces line up.  The device is
 * named by its DRM minor (the primary node's index, as v3d does), the
 * number in /sys/kernel/debug/dri/<minor>.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM tlgpu

#if !defined(_TLGPU_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TLGPU_TRACE_H

#include <linux/tracepoint.h>

#include <drm/drm_file.h>

#include "tlgpu_drv.h"


TRACE_EVENT(tlgpu_submit,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl, u64 context, u64 seqno),
	TP_ARGS(tdev, tl, context, seqno),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u32, tl)
		__field(u64, context)
		__field(u64, seqno)
	),
	TP_fast_assign(
		__entry->minor = tdev->drm.primary->index;
		__entry->tl = tl;
		__entry->context = context;
		__entry->seqno = seqno;
	),
	TP_printk("minor=%u tl=%u fence=%llu:%llu", __entry->minor, __entry->tl,
		  __entry->context, __entry->seqno)
);

TRACE_EVENT(tlgpu_run,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl, u64 seqno, u32 waits),
	TP_ARGS(tdev, tl, seqno, waits),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u32, tl)
		__field(u64, seqno)
		__field(u32, waits)
	),
	TP_fast_assign(
		__entry->minor = tdev->drm.primary->index;
		__entry->tl = tl;
		__entry->seqno = seqno;
		__entry->waits = waits;
	),
	TP_printk("minor=%u tl=%u seqno=%llu device-waits=%u", __entry->minor,
		  __entry->tl, __entry->seqno, __entry->waits)
);

TRACE_EVENT(tlgpu_complete,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl, u64 seqno, u32 error),
	TP_ARGS(tdev, tl, seqno, error),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u32, tl)
		__field(u64, seqno)
		__field(u32, error)
	),
	TP_fast_assign(
		__entry->minor = tdev->drm.primary->index;
		__entry->tl = tl;
		__entry->seqno = seqno;
		__entry->error = error;
	),
	TP_printk("minor=%u tl=%u seqno=%llu error=%u", __entry->minor,
		  __entry->tl, __entry->seqno, __entry->error)
);

/* A completed job's fence waits for one of a job it WAITed for. */
TRACE_EVENT(tlgpu_defer,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl, u64 seqno, u64 context,
		 u64 dep_seqno),
	TP_ARGS(tdev, tl, seqno, context, dep_seqno),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u32, tl)
		__field(u64, seqno)
		__field(u64, context)
		__field(u64, dep_seqno)
	),
	TP_fast_assign(
		__entry->minor = tdev->drm.primary->index;
		__entry->tl = tl;
		__entry->seqno = seqno;
		__entry->context = context;
		__entry->dep_seqno = dep_seqno;
	),
	TP_printk("minor=%u tl=%u seqno=%llu after=%llu:%llu", __entry->minor,
		  __entry->tl, __entry->seqno, __entry->context,
		  __entry->dep_seqno)
);

/* What happened to a whole timeline: its reset, or a wedge it caused. */
DECLARE_EVENT_CLASS(tlgpu_timeline_event,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl),
	TP_ARGS(tdev, tl),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u32, tl)
	),
	TP_fast_assign(
		__entry->minor = tdev->drm.primary->index;
		__entry->tl = tl;
	),
	TP_printk("minor=%u tl=%u", __entry->minor, __entry->tl)
);

DEFINE_EVENT(tlgpu_timeline_event, tlgpu_reset,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl),
	TP_ARGS(tdev, tl)
);

/* The device wedged: timeline @tl did not come back from its reset. */
DEFINE_EVENT(tlgpu_timeline_event, tlgpu_wedged,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl),
	TP_ARGS(tdev, tl)
);


TRACE_EVENT(tlgpu_coredump,
	TP_PROTO(struct tlgpu_device *tdev, u32 tl, u64 seqno, size_t len),
	TP_ARGS(tdev, tl, seqno, len),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u32, tl)
		__field(u64, seqno)
		__field(size_t, len)
	),
	TP_fast_assign(
		__entry->minor = tdev->drm.primary->index;
		__entry->tl = tl;
		__entry->seqno = seqno;
		__entry->len = len;
	),
	TP_printk("minor=%u tl=%u seqno=%llu bytes=%zu", __entry->minor,
		  __entry->tl, __entry->seqno, __entry->len)
);

TRACE_EVENT(tlgpu_as_bind,
	TP_PROTO(struct tlgpu_device *tdev, u64 vm, u32 as, u64 evicted),
	TP_ARGS(tdev, vm, as, evicted),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u64, vm)
		__field(u32, as)
		__field(u64, evicted)
	),
	TP_fast_assign(
		__entry->minor = tdev->drm.primary->index;
		__entry->vm = vm;
		__entry->as = as;
		__entry->evicted = evicted;
	),
	TP_printk("minor=%u vm=%llu as=%u evicted-vm=%llu", __entry->minor,
		  __entry->vm, __entry->as, __entry->evicted)
);

TRACE_EVENT(tlgpu_as_wait,
	TP_PROTO(struct tlgpu_device *tdev, u64 vm),
	TP_ARGS(tdev, vm),
	TP_STRUCT__entry(
		__field(u32, minor)
		__field(u64, vm)
	),
	TP_fast_assign(
		__entry->minor = tdev->drm.primary->index;
		__entry->vm = vm;
	),
	TP_printk("minor=%u vm=%llu: every address-space slot is pinned",
		  __entry->minor, __entry->vm)
);

#endif /* _TLGPU_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE tlgpu_trace
#include <trace/define_trace.h>
