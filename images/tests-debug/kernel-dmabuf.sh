#!/bin/sh
# The kernel's own dma-buf self-tests (drivers/dma-buf/selftest.c, module
# dmabuf_selftests): dma_fence, dma_fence_chain, dma_fence_unwrap, dma_resv.
# They run in the module's init; a failing one makes the load fail.  Each
# selftest is loaded on its own (the module's igt__<line>__<name> parameter
# selects it), so each is one KTAP case, with the kernel log lines it
# printed as diagnostics when it fails.
#
# Slow subtests run as cases of their own, after the rest: the kernel
# command line word tlgpu_dmabuf_slow=0 leaves them out (reported as SKIP),
# for quick runs by hand and make check.  dma_fence_chain/wait_backward
# signals 4096 fences in the order that makes each signal walk the whole
# chain: about 90 s under TCG with KASAN and lockdep on a fast machine, over
# 300 s on a slow one (2026-12-03), where the rest takes 20-100 s; it gets
# 900 s (tlgpu_dmabuf_timeout=), the suite 1500 (kernel-dmabuf.sh.timeout).  Its
# waiter sits in an uninterruptible wait all along, so the hung-task timeout
# (30 s in this kernel) is raised to the per-test timeout while the
# selftests run.
#
# debug flavour only (the stock kernel has no CONFIG_DMABUF_SELFTESTS).

MOD=dmabuf_selftests
TAG=tlgpu-kernel-dmabuf
SLOW="dma_fence_chain/wait_backward"
PER_TEST_TIMEOUT=${tlgpu_dmabuf_timeout:-900}
HUNG=/proc/sys/kernel/hung_task_timeout_secs

echo "KTAP version 1"

# module_param_named() without a description shows up as parmtype only:
# "igt__12__sanitycheck:bool".  The line number orders the tests.
params=$(modinfo -F parmtype "$MOD" 2>/dev/null |
	sed -n 's/^\(igt__[0-9]*__[a-z_]*\):.*/\1/p' | sort -t _ -k 3,3n)
if [ -z "$params" ]; then
	echo "1..0 # SKIP $MOD.ko not found or has no selftests"
	exit 0
fi
echo "1..$(($(echo "$params" | wc -l) + $(echo $SLOW | wc -w)))"

hung_saved=$(cat "$HUNG" 2>/dev/null)
[ -n "$hung_saved" ] && echo "$PER_TEST_TIMEOUT" >"$HUNG"
restore() { [ -n "$hung_saved" ] && echo "$hung_saved" >"$HUNG"; }
trap restore EXIT

# st_filter that leaves the slow subtests out: "!caller/name,...".
skip_slow=$(for s in $SLOW; do printf '!%s,' "$s"; done)

n=0 failed=0
# run_case NAME SELFTEST-PARAM ST-FILTER: load the module once, one case.
run_case() {
	n=$((n + 1))
	echo "$TAG: begin $1" >/dev/kmsg
	start=$(cut -d . -f 1 /proc/uptime)
	out=$(timeout -s KILL "$PER_TEST_TIMEOUT" \
		modprobe "$MOD" "$2=1" ${3:+st_filter=$3} 2>&1)
	rc=$?
	secs=$(($(cut -d . -f 1 /proc/uptime) - start))
	# Success leaves the module loaded; a failed init leaves nothing.
	grep -q "^$MOD " /proc/modules && rmmod "$MOD"
	log=$(dmesg | sed -n "\|$TAG: begin $1\$|,\$p" | sed 1d)
	ran=$(echo "$log" | grep -c "dma-buf: Running [a-z_]*/")
	if [ "$rc" -eq 0 ]; then
		echo "# $1: $ran subtests, $secs s"
		echo "ok $n $1"
	else
		failed=$((failed + 1))
		echo "# modprobe $MOD $2=1 ${3:+st_filter=$3}: exit $rc after $secs s${out:+: $out}"
		[ "$rc" -eq 137 ] && echo "# killed after $PER_TEST_TIMEOUT s"
		echo "$log" | tail -n 40 | sed 's/^/# /'
		echo "not ok $n $1"
	fi
}

for p in $params; do
	run_case "${p#igt__*__}" "$p" "$skip_slow"
done
for s in $SLOW; do
	if [ "${tlgpu_dmabuf_slow:-1}" != 0 ]; then
		p=$(echo "$params" | grep "__${s%%/*}\$")
		run_case "$s" "$p" "$s"
	else
		n=$((n + 1))
		echo "ok $n $s # SKIP slow under TCG, left out by tlgpu_dmabuf_slow=0"
	fi
done
[ "$failed" -eq 0 ]
