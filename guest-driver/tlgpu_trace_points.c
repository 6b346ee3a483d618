// SPDX-License-Identifier: GPL-2.0 OR MIT
/* tlgpu: the tracepoints' definitions (tlgpu_trace.h). */

#include "tlgpu_drv.h"

#define CREATE_TRACE_POINTS
#include "tlgpu_trace.h"
