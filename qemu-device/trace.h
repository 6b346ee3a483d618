#include "trace/trace-hw_tlgpu.h"
