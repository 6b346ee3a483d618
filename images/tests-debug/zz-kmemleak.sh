#!/bin/sh
# kmemleak, after every other suite (the name sorts last): scan the kernel
# for unreferenced objects and fail on any, with kmemleak's reports (size,
# first bytes, allocation backtrace) as diagnostics.  The kernel has
# CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN off, so this is the only scan of the run.
#
# Objects younger than 5 s are never reported and an object in flight (an
# RCU-deferred free, a per-CPU cache) can look unreferenced once, so the
# scan runs twice and only what the second one still finds counts (the
# way syzkaller confirms leaks).
#
# debug flavour only (CONFIG_DEBUG_KMEMLEAK).

KMEMLEAK=/sys/kernel/debug/kmemleak
MAX_LINES=200	# diagnostics lines shown for the leaks

echo "KTAP version 1"
echo "1..2"

if [ ! -e "$KMEMLEAK" ]; then
	echo "ok 1 scan # SKIP $KMEMLEAK missing (no CONFIG_DEBUG_KMEMLEAK)"
	echo "ok 2 leaks # SKIP no scan"
	exit 0
fi

scan() {
	echo scan 2>&1 >"$KMEMLEAK"
}

sleep 5	# let the objects of the last suite age past kmemleak's minimum
if ! err=$(scan) || ! sleep 5 || ! err=$(scan); then
	# kmemleak turns itself off when its pool runs out or on an error.
	echo "# echo scan > $KMEMLEAK: $err"
	dmesg | grep -i kmemleak | tail -n 5 | sed 's/^/# /'
	echo "not ok 1 scan"
	echo "ok 2 leaks # SKIP no scan"
	exit 1
fi
echo "ok 1 scan"

report=$(cat "$KMEMLEAK")
leaks=$(echo "$report" | grep -c '^unreferenced object')
if [ "$leaks" -eq 0 ]; then
	echo "ok 2 leaks"
	exit 0
fi
echo "# $leaks unreferenced object(s):"
echo "$report" | head -n "$MAX_LINES" | sed 's/^/# /'
[ "$(echo "$report" | wc -l)" -gt "$MAX_LINES" ] &&
	echo "# (report cut at $MAX_LINES lines)"
echo "not ok 2 leaks"
exit 1
