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
# A leak whose backtrace names a function listed in known-leaks.txt for
# this kernel release (a bug of the kernel itself, e.g. of one of its
# KUnit tests) is shown but not counted; case 3 fails when a listed leak
# of this kernel did not show although its module was loaded (fixed:
# update the list).
#
# debug flavour only (CONFIG_DEBUG_KMEMLEAK).

KMEMLEAK=/sys/kernel/debug/kmemleak
KNOWN=${TLGPU_KNOWN_LEAKS:-/usr/lib/tlgpu/known-leaks.txt}
MAX_LINES=200	# diagnostics lines shown for the leaks

echo "KTAP version 1"
echo "1..3"

if [ ! -e "$KMEMLEAK" ]; then
	echo "ok 1 scan # SKIP $KMEMLEAK missing (no CONFIG_DEBUG_KMEMLEAK)"
	echo "ok 2 leaks # SKIP no scan"
	echo "ok 3 known-leaks # SKIP no scan"
	exit 0
fi

# The functions of known-leaks.txt whose release pattern matches this
# kernel and whose module is loaded (the kernel's own test that leaks ran:
# the KUnit modules stay loaded), one per line.
release=$(uname -r)
known=$(grep -v '^[[:space:]]*\(#\|$\)' "$KNOWN" 2>/dev/null | while read -r pat fn mod _; do
	# shellcheck disable=SC2254
	case $release in $pat) ;; *) continue ;; esac
	case $mod in ''|'#'*) ;; *) [ -d "/sys/module/$mod" ] || continue ;; esac
	echo "$fn"
done)

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
	echo "ok 3 known-leaks # SKIP no scan"
	exit 1
fi
echo "ok 1 scan"

# Split the report into objects (each starts "unreferenced object"); an
# object is known when its backtrace names a known function.  Prints the
# unknown objects' lines, then "KNOWN <fn>" once per known object.
report=$(cat "$KMEMLEAK")
split=$(echo "$report" | awk -v known="$known" '
	BEGIN { n = split(known, k, "\n") }
	function flush(   i, hit) {
		if (obj == "") return
		hit = ""
		for (i = 1; i <= n; i++)
			if (k[i] != "" && index(obj, k[i] "+")) { hit = k[i]; break }
		if (hit != "") print "KNOWN " hit; else printf "%s", obj
		obj = ""
	}
	/^unreferenced object/ { flush() }
	{ obj = obj $0 "\n" }
	END { flush() }')
unknown=$(echo "$split" | grep -v '^KNOWN ' || true)
leaks=$(echo "$unknown" | grep -c '^unreferenced object')
seen=$(echo "$split" | sed -n 's/^KNOWN //p' | sort | uniq -c)
[ -z "$seen" ] || echo "$seen" | while read -r count fn; do
	echo "# $count known leak(s) in $fn (known-leaks.txt)"
done
rc=0
if [ "$leaks" -eq 0 ]; then
	echo "ok 2 leaks"
else
	echo "# $leaks unreferenced object(s):"
	echo "$unknown" | head -n "$MAX_LINES" | sed 's/^/# /'
	[ "$(echo "$unknown" | wc -l)" -gt "$MAX_LINES" ] &&
		echo "# (report cut at $MAX_LINES lines)"
	echo "not ok 2 leaks"
	rc=1
fi
stale=$(for fn in $known; do echo "$seen" | grep -q " $fn\$" || echo "$fn"; done)
if [ -n "$stale" ]; then
	for fn in $stale; do
		echo "# known-leaks.txt lists a leak in $fn for $release, which did not show: fixed? update the list"
	done
	echo "not ok 3 known-leaks"
	rc=1
else
	echo "ok 3 known-leaks"
fi
exit $rc
