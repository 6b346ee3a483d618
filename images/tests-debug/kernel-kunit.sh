#!/bin/sh
# The kernel's KUnit suites of what tlgpu builds on, on kernels where they
# are KUnit modules (7.x): dmabuf_kunit (dma_fence, dma_fence_chain,
# dma_fence_unwrap, dma_resv, dma-buf; what dmabuf_selftests was on 6.x)
# and drm-sched-tests (the scheduler against a mock driver).  Loading a
# module runs its suites; each test of each suite is one KTAP case,
# <suite>.<test>, read back from /sys/kernel/debug/kunit/<suite>/results,
# with the test's log as diagnostics when it fails.  The hung-task timeout
# is raised to the per-module timeout meanwhile (the scheduler's timeout
# tests wait in D state on purpose).
#
# Installed by mkinitramfs.sh only in debug flavours whose kernel has
# these modules.

# The scheduler's mock-driver suite only when asked (tlgpu_kunit_sched=1 on
# the kernel command line: make check-all, or KUNIT_SCHED=1): under TCG
# its drm_sched_basic_entity_cleanup oopsed once in two runs of 7.2.13
# (KASAN null-ptr-deref in the test, leaking its jobs), which is the
# kernel's test, not tlgpu, and would make every make check a coin toss.
MODS="dmabuf_kunit${tlgpu_kunit_sched:+ drm-sched-tests}"
KUNIT=/sys/kernel/debug/kunit
TIMEOUT=${tlgpu_kunit_timeout:-600}
HUNG=/proc/sys/kernel/hung_task_timeout_secs
KUNIT_TIMEOUT=/sys/module/kunit/parameters/timeout

echo "KTAP version 1"
hung_saved=$(cat "$HUNG" 2>/dev/null)
[ -n "$hung_saved" ] && echo "$TIMEOUT" >"$HUNG"
# KUnit's own per-test limit (300 s by default; a parameter on 7.2)
# goes up too: dma_fence_chain's test_wait_backward took 330 s under TCG
# with another guest on the host, and KUnit failed it as timed out.
kunit_saved=$(cat "$KUNIT_TIMEOUT" 2>/dev/null)
[ -n "$kunit_saved" ] && echo "$TIMEOUT" >"$KUNIT_TIMEOUT"
restore() {
	[ -n "$hung_saved" ] && echo "$hung_saved" >"$HUNG"
	[ -n "$kunit_saved" ] && echo "$kunit_saved" >"$KUNIT_TIMEOUT"
}
trap restore EXIT

n=0 failed=0
# One suite's results: its tests are the "ok"/"not ok" lines indented by
# four spaces; the lines between two of them are the next one's log.
report_suite() {	# SUITE
	awk -v suite="$1" -v start="$n" '
		/^    (not )?ok [0-9]+ / {
			line = substr($0, 5)
			ok = line ~ /^ok/
			sub(/^(not )?ok [0-9]+ /, "", line)
			name = line; dir = ""
			if (index(line, " # ")) {
				name = substr(line, 1, index(line, " # ") - 1)
				dir = substr(line, index(line, " # ") + 3)
			}
			start++
			if (!ok) {
				printf "%s", buf
				print "not ok " start " " suite "." name
				bad++
			} else if (dir ~ /^SKIP/) {
				print "ok " start " " suite "." name " # " dir
			} else {
				print "ok " start " " suite "." name
			}
			buf = ""
			next
		}
		/^     / { l = $0; sub(/^ +/, "", l); sub(/^# /, "", l); buf = buf "# " l "\n" }
		END { print "COUNT " start " " bad + 0 }
	' "$KUNIT/$1/results"
}

for mod in $MODS; do
	modinfo "$mod" >/dev/null 2>&1 || continue
	before=$(ls "$KUNIT" 2>/dev/null)
	out=$(timeout -s KILL "$TIMEOUT" modprobe "$mod" 2>&1)
	rc=$?
	suites=$(ls "$KUNIT" 2>/dev/null | while read -r s; do
		echo "$before" | grep -qx "$s" || echo "$s"; done)
	if [ -z "$suites" ]; then
		n=$((n + 1)) failed=$((failed + 1))
		echo "# modprobe $mod: exit $rc${out:+: $out}; no KUnit suite appeared"
		echo "not ok $n $mod"
		continue
	fi
	for s in $suites; do
		res=$(report_suite "$s")
		echo "$res" | grep -v '^COUNT '
		set -- $(echo "$res" | sed -n 's/^COUNT //p')
		n=$1 failed=$((failed + $2))
	done
	# Stays loaded: zz-kmemleak.sh names the functions in the backtrace of
	# a leak the tests made (known-leaks.txt), which an unloaded module's
	# addresses no longer resolve to.
done
if [ "$n" -eq 0 ]; then
	echo "1..0 # SKIP no KUnit module of dma-buf or the scheduler in this kernel"
	exit 0
fi
echo "1..$n"
[ "$failed" -eq 0 ]
