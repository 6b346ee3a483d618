#!/bin/sh
# The kernel's own dma-buf self-tests (drivers/dma-buf/selftest.c, module
# dmabuf_selftests): dma_fence, dma_fence_chain, dma_fence_unwrap, dma_resv.
# They run in the module's init; a failing one makes the load fail.  Each
# selftest is loaded on its own (the module's igt__<line>__<name> parameter
# selects it), so each is one KTAP case, with the kernel log lines it
# printed as diagnostics when it fails.
#
# dma_fence_chain/wait_backward keeps a kthread in an uninterruptible wait
# while 4096 fences are signalled one by one, each walking the chain: about
# two minutes under TCG with KASAN and lockdep.  The hung-task detector
# (30 s in this kernel) would report that by-design wait, so its timeout is
# raised to the per-test timeout while the selftests run, then restored.
#
# debug flavour only (the stock kernel has no CONFIG_DMABUF_SELFTESTS).

MOD=dmabuf_selftests
TAG=tlgpu-kernel-dmabuf
PER_TEST_TIMEOUT=${tlgpu_dmabuf_timeout:-300}

echo "KTAP version 1"

# module_param_named() without a description shows up as parmtype only:
# "igt__12__sanitycheck:bool".  The line number orders the tests.
params=$(modinfo -F parmtype "$MOD" 2>/dev/null |
	sed -n 's/^\(igt__[0-9]*__[a-z_]*\):.*/\1/p' | sort -t _ -k 3,3n)
if [ -z "$params" ]; then
	echo "1..0 # SKIP $MOD.ko not found or has no selftests"
	exit 0
fi
echo "1..$(echo "$params" | wc -l)"

# The kernel log since the marker line of one selftest.
log_since() {
	dmesg | sed -n "/$TAG: begin $1\$/,\$p" | sed 1d
}

HUNG=/proc/sys/kernel/hung_task_timeout_secs
hung_saved=$(cat "$HUNG" 2>/dev/null)
[ -n "$hung_saved" ] && echo "$PER_TEST_TIMEOUT" >"$HUNG"
restore() { [ -n "$hung_saved" ] && echo "$hung_saved" >"$HUNG"; }
trap restore EXIT

n=0 failed=0
for p in $params; do
	n=$((n + 1))
	name=${p#igt__*__}
	echo "$TAG: begin $name" >/dev/kmsg
	start=$(cut -d . -f 1 /proc/uptime)
	out=$(timeout -s KILL "$PER_TEST_TIMEOUT" modprobe "$MOD" "$p=1" 2>&1)
	rc=$?
	secs=$(($(cut -d . -f 1 /proc/uptime) - start))
	# Success leaves the module loaded; a failed init leaves nothing.
	grep -q "^$MOD " /proc/modules && rmmod "$MOD"
	log=$(log_since "$name")
	subtests=$(echo "$log" | grep -c "dma-buf: Running $name/")
	if [ "$rc" -eq 0 ]; then
		echo "# $name: $subtests subtests, $secs s"
		echo "ok $n $name"
	else
		failed=$((failed + 1))
		echo "# modprobe $MOD $p=1: exit $rc after $secs s${out:+: $out}"
		[ "$rc" -eq 137 ] && echo "# killed after $PER_TEST_TIMEOUT s"
		echo "$log" | tail -n 40 | sed 's/^/# /'
		echo "not ok $n $name"
	fi
done
[ "$failed" -eq 0 ]
