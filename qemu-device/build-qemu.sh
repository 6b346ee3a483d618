#!/usr/bin/env bash
# Build qemu-system-x86_64 with the tlgpu device, and the tlgpu qtest.
#
# usage: build-qemu.sh [plain|asan]
#   plain  the QEMU every suite runs (default)
#   asan   the same with AddressSanitizer and UBSan, for the device fuzzer
#
# Source: Debian's QEMU 7.2 package (`apt-get source`, so Debian's patch
# series applies), grafted with a small hook (qemu-hook.sh: one line each in
# hw/meson.build, hw/Kconfig, the trace-event list and the qtest list).
#
# Two caches, both in $CACHE:
#   qemu-ws-<variant>-<src key>   a work tree: the unpacked, hooked source
#       and its ninja build.  <src key> hashes the Debian source version,
#       qemu-hook.sh and the configure flags.  The device sources are
#       *copied* in (by content: unchanged files keep their time stamps, so
#       ninja recompiles only what changed), under a lock, for one build at
#       a time.  It is a compile cache, never what a checkout runs.
#   qemu-out-<variant>-<key>      the binaries (qemu-system-x86_64,
#       tlgpu-test, the firmware bundle), where <key> adds the hash of every
#       file that goes into the device (qemu-device/, include/).  Written
#       once, never changed: two checkouts with different device sources
#       get different entries, and build/qemu*/ points at this checkout's.
#
# build/qemu/ (plain) or build/qemu-asan/ (asan) gets symlinks to the
# results.  The newest 8 outputs of a variant are kept.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CACHE:-${TLGPU_CACHE:-$HOME/.cache/tlgpu}}
BUILD=${BUILD:-$REPO/build}
VARIANT=${1:-plain}

. "$REPO/qemu-device/qemu-hook.sh"

case "$VARIANT" in
plain)	flags=("${TLGPU_CONFIGURE_ARGS[@]}"); out_link=$BUILD/qemu ;;
asan)	flags=("${TLGPU_CONFIGURE_ARGS[@]}" "${TLGPU_SANITIZER_ARGS[@]}")
	out_link=$BUILD/qemu-asan ;;
*)	echo "build-qemu: variant is plain or asan, not '$VARIANT'" >&2; exit 2 ;;
esac

# The candidate source version, as apt-get would fetch it.
dsc=$(apt-get source --print-uris qemu 2>/dev/null | awk '$2 ~ /\.dsc$/ { print $2 }')
dsc=${dsc//\'/}
if [ -z "$dsc" ]; then
	echo "build-qemu: no QEMU source package; run 'make deps' first" >&2
	exit 1
fi
ver=${dsc#qemu_}
ver=${ver%.dsc}

# Everything that goes into the device, by content and name.
device_inputs() {
	(cd "$REPO" && find qemu-device include -type f ! -name '*~' | LC_ALL=C sort |
		xargs sha256sum)
}

src_key=$( { echo "$ver"; cat "$REPO/qemu-device/qemu-hook.sh"; printf '%s\n' "${flags[@]}"; } |
	sha256sum | cut -c1-16)
key=$( { echo "$src_key"; device_inputs; } | sha256sum | cut -c1-16)
ws=$CACHE/qemu-ws-$VARIANT-$src_key
out=$CACHE/qemu-out-$VARIANT-$key
src=$ws/src
bld=$ws/build

link_outputs() {
	mkdir -p "$out_link"
	ln -sfn "$out/qemu-system-x86_64" "$out_link/qemu-system-x86_64"
	ln -sfn "$out/tlgpu-test" "$out_link/tlgpu-test"
	echo "$key" >"$out_link/key"
}

if [ -f "$out/.complete" ]; then
	echo "build-qemu: $VARIANT QEMU for these device sources is cached ($key)"
	link_outputs
	exit 0
fi

mkdir -p "$CACHE/debs" "$ws"
# One build at a time per work tree.
exec 9>"$ws.lock"
flock 9

if [ ! -f "$src/.tlgpu-hooked" ]; then
	echo "build-qemu: unpacking Debian QEMU $ver into $src"
	rm -rf "$src" "$bld"
	(cd "$CACHE/debs" && [ -f "$dsc" ] || apt-get source -qq --download-only qemu)
	dpkg-source -q -x "$CACHE/debs/$dsc" "$src" >/dev/null

	tlgpu_hook "$src"
	touch "$src/.tlgpu-hooked"
fi

# This checkout's device sources, by content.
tlgpu_copy_sources "$src" "$REPO"

if [ ! -f "$bld/build.ninja" ]; then
	echo "build-qemu: configuring $VARIANT (${flags[*]})"
	mkdir -p "$bld"
	(cd "$bld" && "$src/configure" "${flags[@]}" >configure.log 2>&1) || {
		tail -30 "$bld/configure.log" >&2
		rm -f "$bld/build.ninja"
		exit 1
	}
fi

echo "build-qemu: ninja in $bld"
ninja -C "$bld" qemu-system-x86_64 tests/qtest/tlgpu-test

# The binaries and the firmware bundle QEMU finds beside its executable
# (exec_dir/qemu-bundle): Debian's firmware, so no -L is needed.
tmp=$out.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp/qemu-bundle/usr/local/share/qemu"
cp "$bld/qemu-system-x86_64" "$bld/tests/qtest/tlgpu-test" "$tmp/"
cp -rL "$bld/qemu-bundle/usr/local/share/qemu/." "$tmp/qemu-bundle/usr/local/share/qemu/" \
	2>/dev/null || true
for fw in /usr/share/seabios/*.bin /usr/share/qemu/linuxboot_dma.bin \
	  /usr/share/qemu/kvmvapic.bin /usr/share/qemu/multiboot_dma.bin; do
	ln -sfn "$fw" "$tmp/qemu-bundle/usr/local/share/qemu/${fw##*/}"
done
device_inputs >"$tmp/inputs"
touch "$tmp/.complete"
rm -rf "$out"
mv "$tmp" "$out"
link_outputs

# Keep the newest 8 outputs of this variant.
ls -1dt "$CACHE"/qemu-out-"$VARIANT"-* 2>/dev/null | grep -v '\.tmp\.' | tail -n +9 |
	xargs -r rm -rf
