#!/usr/bin/env bash
# Boot the tlgpu guest: build/qemu/qemu-system-x86_64 with the FLAVOR
# kernel and initramfs, N tlgpu devices and two serial ports (ttyS0 the
# kernel console, ttyS1 test output only).  The guest's /init acts on
# --mode and powers off; the exit code is QEMU's.
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}
QEMU=${QEMU:-$BUILD/qemu/qemu-system-x86_64}

usage() {
	local fd=1
	[ "${1:-0}" = 0 ] || fd=2
	cat >&$fd <<EOF
usage: run-vm.sh [options]
  --flavor FLAVOR        guest kernel: 6.1-stock, 6.1-debug, 6.12-debug,
                         7.2-stock... (default 6.1-stock; build/kernel/FLAVOR)
  --devices N            tlgpu devices (default 1)
  --timelines N          timelines per device (default 4)
  --mode MODE            what the guest does: shell (default), test,
                         bench, demo or known-bugs
  --serial-log FILE      kernel console (ttyS0) to FILE instead of stdio
  --test-out FILE        test or benchmark output (ttyS1) to FILE
                         (default: discarded)
  --mem SIZE             guest memory (default 1G)
  --smp N                guest CPUs (default 2)
  --qemu-arg ARG         extra QEMU argument, repeatable
  --append WORDS         extra kernel command-line words, repeatable
                         (e.g. tlgpu_suite_timeout=60, dyndbg=...)
EOF
	exit "${1:-0}"
}

die() { echo "run-vm: $*" >&2; exit 2; }

flavor=6.1-stock devices=1 timelines=4 mode=shell mem=1G smp=2
serial_log="" test_out="" append=""
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help)	usage 0 ;;
	--*)		[ $# -ge 2 ] || die "$1 needs a value" ;;
	esac
	case $1 in
	--flavor)	flavor=$2 ;;
	--devices)	devices=$2 ;;
	--timelines)	timelines=$2 ;;
	--mode)		mode=$2 ;;
	--serial-log)	serial_log=$2 ;;
	--test-out)	test_out=$2 ;;
	--mem)		mem=$2 ;;
	--smp)		smp=$2 ;;
	--qemu-arg)	extra+=("$2") ;;
	--append)	append+=" $2" ;;
	*)		echo "run-vm: unknown option $1" >&2; usage 2 ;;
	esac
	shift 2
done

[ -f "$BUILD/kernel/$flavor/release" ] ||
	die "no $flavor kernel in $BUILD/kernel/$flavor (make kernel FLAVOR=$flavor)"
case $mode in shell|test|bench|demo|known-bugs) ;; *) die "--mode is shell, test, bench, demo or known-bugs" ;; esac
[[ $devices =~ ^[0-9]+$ ]] || die "--devices takes a number"
[[ $timelines =~ ^[1-9][0-9]*$ ]] || die "--timelines takes a number >= 1"

kernel=$BUILD/kernel/$flavor/vmlinuz
initrd=$BUILD/initramfs-$flavor.cpio.gz
for f in "$QEMU" "$kernel" "$initrd"; do
	[ -e "$f" ] || die "$f missing: run 'make FLAVOR=$flavor' first"
done

# KVM only when it can really run a guest: a usable /dev/kvm is not enough
# on a host whose CPU lacks vmx/svm (guests hang there).
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	accel=(-accel kvm -cpu host)
	echo "run-vm: accelerator kvm" >&2
else
	accel=(-accel tcg)
	echo "run-vm: accelerator tcg (no usable KVM)" >&2
fi

# ttyS0: the console, on stdio with the QEMU monitor multiplexed (Ctrl-a)
# unless logging to a file; ttyS1: test output or nothing.
if [ -n "$serial_log" ]; then
	ttyS0=(-serial "file:$serial_log")
else
	ttyS0=(-serial mon:stdio)
fi
if [ -n "$test_out" ]; then
	ttyS1=(-serial "file:$test_out")
else
	ttyS1=(-serial null)
fi

gpus=()
for ((i = 0; i < devices; i++)); do
	gpus+=(-device "tlgpu,timelines=$timelines")
done

cmdline="console=ttyS0 panic=-1 tlgpu_mode=$mode"
cmdline+=" tlgpu_devices=$devices tlgpu_timelines=$timelines$append"

if [ "$mode" = shell ] && [ -z "$serial_log" ]; then
	echo "run-vm: guest shell on this terminal; Ctrl-a x quits QEMU, Ctrl-a c the monitor" >&2
fi

exec "$QEMU" \
	-machine q35 -nodefaults -no-user-config -display none -no-reboot \
	"${accel[@]}" -m "$mem" -smp "$smp" \
	-L /usr/share/seabios -L /usr/share/qemu \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
	"${ttyS0[@]}" "${ttyS1[@]}" \
	"${gpus[@]}" \
	"${extra[@]}"
