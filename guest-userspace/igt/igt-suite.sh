#!/bin/sh
# The guest's IGT suite (installed as /usr/lib/tlgpu/tests/igt): every IGT
# test program in /usr/lib/tlgpu/igt/tests, one subtest per process
# (--run-subtest) under a timeout, as KTAP cases <test>.<subtest> (a test
# without subtests is one case, <test>).  IGT's exit status gives the
# result: 0 ok, 77 skip (the requirement IGT printed is the reason), any
# other status fails, with the end of the subtest's output.
#
# Subtests matching a line of /usr/lib/tlgpu/igt/skips.txt (the flavour's
# ci/igt/<flavour>-skips.txt; shell patterns over test@subtest) are not
# run: they are reported as skipped with the listed reason.  Expected
# failures and flakes are judged on the host (ci/igt_expect.py).
#
# Environment (kernel command-line words):
#   tlgpu_igt            comma-separated test programs to run (default all)
#   tlgpu_igt_timeout    seconds one subtest may run (default 120)
#   tlgpu_igt_dmabuf_timeout  the same for dmabuf, which runs the kernel's
#                        dma-buf selftests (default 900: the slow
#                        wait_backward case took over 300 s on a debug
#                        kernel under TCG; kernel-dmabuf.sh allows the same)
#   tlgpu_igt_subtests   shell pattern over test@subtest: run only those
#                        (default *)
#   tlgpu_igt_repeat     run each subtest N times, cases <name>.r<k> when
#                        N > 1 (to measure a flake's rate; default 1)
#   IGT_FORCE_DRIVER     set to tlgpu: IGT's DRIVER_ANY opens only tlgpu

IGT=/usr/lib/tlgpu/igt
SKIPS=$IGT/skips.txt
: "${tlgpu_igt_timeout:=120}" "${tlgpu_igt_subtests:=*}" "${tlgpu_igt_repeat:=1}"
: "${tlgpu_igt_dmabuf_timeout:=900}"
export IGT_FORCE_DRIVER=tlgpu
out=/tmp/igt-subtest.out

n=0

# skip_reason NAME: the reason of the first skips.txt line matching NAME.
skip_reason() {
	[ -f "$SKIPS" ] || return 1
	while IFS= read -r line; do
		case $line in '' | '#'*) continue ;; esac
		pat=${line%%[ 	]*}
		case $1 in
		$pat)
			reason=${line#"$pat"}
			reason=${reason#*# }
			echo "listed in skips.txt: $reason"
			return 0 ;;
		esac
	done <"$SKIPS"
	return 1
}

# IGT's own skip reason: its "Test requirement:" line.
igt_skip_reason() {
	r=$(grep -m1 -e 'Test requirement:' -e 'Subtest .*: SKIP' "$out" | sed 's/^.*Test requirement: //')
	echo "${r:-IGT skipped it}"
}

result() {	# result NAME STATUS
	n=$((n + 1))
	case $2 in
	0)	echo "ok $n $1" ;;
	77)	echo "ok $n $1 # SKIP $(igt_skip_reason | tr -d '#\n' | cut -c1-200)" ;;
	*)	why="exit status $2"
		[ "$2" = 137 ] && why="killed after ${limit} s"
		[ "$2" = 78 ] && why="IGT timeout (exit 78)"
		tail -n 30 "$out" | sed 's/^/# /'
		echo "not ok $n $1 # $why" ;;
	esac
}

run_one() {	# run_one NAME PROGRAM [ARGS]
	name=$1
	shift
	if reason=$(skip_reason "$name"); then
		n=$((n + 1))
		echo "ok $n $(echo "$name" | tr @ .) # SKIP $reason"
		return
	fi
	case $name in $tlgpu_igt_subtests) ;; *) return ;; esac
	k=1
	while [ "$k" -le "$tlgpu_igt_repeat" ]; do
		cname=$(echo "$name" | tr @ .)
		[ "$tlgpu_igt_repeat" -gt 1 ] && cname=$cname.r$k
		echo "igt: $name" >/dev/kmsg
		timeout -s KILL "$limit" "$@" </dev/null >"$out" 2>&1
		result "$cname" $?
		k=$((k + 1))
	done
}

# dmabuf runs the kernel's dma-buf selftests, whose wait_backward case
# keeps a task in an uninterruptible wait for minutes under TCG: the
# hung-task timeout is raised to the subtest timeout for it (as
# kernel-dmabuf.sh does), and put back after.
HUNG=/proc/sys/kernel/hung_task_timeout_secs
with_hung_timeout() {
	saved=$(cat "$HUNG" 2>/dev/null)
	[ -n "$saved" ] && echo "$limit" >"$HUNG"
	"$@"
	[ -n "$saved" ] && echo "$saved" >"$HUNG"
}

if [ ! -d "$IGT/tests" ]; then
	reason=$(cat "$IGT/unavailable" 2>/dev/null || echo "no IGT in this initramfs")
	echo "KTAP version 1"
	echo "1..1"
	echo "# $reason"
	echo "not ok 1 source # $reason"
	exit 1
fi

cd /tmp || exit 1
# The plan comes last (TAP allows it): results are out as they happen.
echo "KTAP version 1"
for prog in $(cat "$IGT/tests.txt"); do
	case ",${tlgpu_igt:-$prog}," in *",$prog,"*) ;; *) continue ;; esac
	bin=$IGT/tests/$prog
	wrap=
	limit=$tlgpu_igt_timeout
	if [ "$prog" = dmabuf ]; then
		wrap=with_hung_timeout
		limit=$tlgpu_igt_dmabuf_timeout
	fi
	subtests=$("$bin" --list-subtests 2>/dev/null)
	if [ -z "$subtests" ]; then
		$wrap run_one "$prog" "$bin"
		continue
	fi
	for s in $subtests; do
		$wrap run_one "$prog@$s" "$bin" --run-subtest "$s"
	done
done

echo "1..$n"
