#!/usr/bin/env bash
# Build qemu-system-x86_64 with the tlgpu device, and the tlgpu qtest.
#
# usage: build-qemu.sh [plain|asan] [QEMU_VERSION]
#   plain  the QEMU every suite runs (default)
#   asan   the same with AddressSanitizer and UBSan, for the device fuzzer
#   QEMU_VERSION  10.2 (default: Debian unstable's, the newest), 10.0
#          (Debian 13) or 7.2 (Debian 12, the host's own apt)
#
# Source: Debian's QEMU package of that release (`apt-get source`, so
# Debian's patch series applies; trixie and sid through
# scripts/apt-suite.sh, never the host's sources), grafted with a small hook
# (qemu-hook.sh: one line each in hw/meson.build, hw/Kconfig, the
# trace-event list and the qtest list).  One qemu-device/ tree serves every
# release (qemu-device/tlgpu-compat.h).  Fixes of QEMU itself that the
# tests need are in qemu-device/patches/<release>/ (10.0, 10.2: a TCG race that
# crashes QEMU when a vCPU remaps memory while another accesses it).  QEMU
# 10.x needs meson >= 1.5: bookworm-backports' meson, unpacked into
# $CACHE/tools, never installed.
#
# Two caches, both in $CACHE:
#   qemu-ws-<variant>-<src key>   a work tree: the unpacked, hooked source
#       and its ninja build.  <src key> hashes the Debian source version,
#       qemu-hook.sh, the configure flags and the patches.  The device sources are
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
# results of the default version, build/qemu-<ver>/ and
# build/qemu-asan-<ver>/ those of the others.  The newest 8 outputs of a
# variant are kept.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CACHE:-${TLGPU_CACHE:-$HOME/.cache/tlgpu}}
BUILD=${BUILD:-$REPO/build}
VARIANT=${1:-plain}
QVER=${2:-${QEMU_VERSION:-10.2}}
DEFAULT_QVER=10.2

. "$REPO/qemu-device/qemu-hook.sh"

. "$REPO/scripts/apt-suite.sh"

case "$QVER" in
7.2)	SUITE= ;;
10.0)	SUITE=trixie ;;
10.2)	SUITE=sid ;;
*)	echo "build-qemu: QEMU_VERSION is 7.2, 10.0 or 10.2, not '$QVER'" >&2; exit 2 ;;
esac
# 10.x splits --enable-sanitizers into its two sanitizers.
case "$QVER" in
10.*)	sanitizers=(--enable-asan --enable-ubsan) ;;
*)	sanitizers=("${TLGPU_SANITIZER_ARGS[@]}") ;;
esac
flags=("${TLGPU_CONFIGURE_ARGS[@]}")
case "$VARIANT" in
plain)	out_link=$BUILD/qemu ;;
asan)	flags+=("${sanitizers[@]}"); out_link=$BUILD/qemu-asan ;;
*)	echo "build-qemu: variant is plain or asan, not '$VARIANT'" >&2; exit 2 ;;
esac
case "$QVER" in 10.*) flags+=("${TLGPU_CONFIGURE_ARGS_10[@]}") ;; esac
[ "$QVER" = "$DEFAULT_QVER" ] || out_link=$out_link-$QVER

# The newest source version of this release the suite lists (sid lists
# several releases at once; the newest of them may not be downloadable).
showsrc=$(apt_for apt-cache showsrc qemu 2>/dev/null | sed -n 's/^Version: //p')
qre=${QVER//./\\.}
ver=$(printf '%s\n' "$showsrc" | sed -n "s/^\\([0-9]*:\\)\\{0,1\\}\\($qre[.+][^ ]*\\)\$/\\2/p" |
	sort -V | tail -n 1)
if [ -z "$ver" ]; then
	echo "build-qemu: no QEMU $QVER source package in the apt suite '${SUITE:-bookworm}'; run 'make deps' first" >&2
	exit 1
fi
dsc=qemu_$ver.dsc
epoch_ver=$(printf '%s\n' "$showsrc" | grep -E "^([0-9]+:)?${ver//+/\\+}\$" | head -n 1)

# meson >= 1.5 for QEMU 10.x: bookworm-backports' package, unpacked.
meson_env=()
if [ "$QVER" != 7.2 ]; then
	mroot=$CACHE/tools/meson-backports
	if [ ! -f "$mroot/.complete" ]; then
		mkdir -p "$CACHE/debs"
		mdeb=$(cd "$CACHE/debs" && apt_suite bookworm-backports apt-get download -q meson >&2 &&
			ls -1t meson_*bpo12*_all.deb | head -n 1)
		rm -rf "$mroot" && mkdir -p "$mroot"
		dpkg-deb -x "$CACHE/debs/$mdeb" "$mroot"
		touch "$mroot/.complete"
	fi
	meson_env=(env "PYTHONPATH=$mroot/usr/lib/python3/dist-packages" "PATH=$mroot/usr/bin:$PATH")
fi

# Everything that goes into the device, by content and name.
device_inputs() {
	(cd "$REPO" && find qemu-device include -type f ! -name '*~' | LC_ALL=C sort |
		xargs sha256sum)
}

# Fixes of QEMU itself that tlgpu's tests need, per release series
# (qemu-device/patches/<release>/, applied in order after Debian's series;
# one directory per release, since a patch's hunks follow its file's order).
patches=()
for p in "$REPO/qemu-device/patches/$QVER"/*.patch; do
	[ -f "$p" ] && patches+=("$p")
done

src_key=$( { echo "$ver"; cat "$REPO/qemu-device/qemu-hook.sh"; printf '%s\n' "${flags[@]}";
	     [ ${#patches[@]} -eq 0 ] || cat "${patches[@]}"; } |
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
	echo "build-qemu: $VARIANT QEMU $ver for these device sources is cached ($key)"
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
	(cd "$CACHE/debs" && [ -f "$dsc" ] || apt_for apt-get source -qq --download-only "qemu=$epoch_ver")
	dpkg-source -q -x "$CACHE/debs/$dsc" "$src" >/dev/null
	for p in "${patches[@]}"; do
		echo "build-qemu: applying ${p#"$REPO"/}"
		patch -d "$src" -p1 -s <"$p" || { rm -rf "$src"; exit 1; }
	done

	tlgpu_hook "$src"
	touch "$src/.tlgpu-hooked"
fi

# This checkout's device sources, by content.
tlgpu_copy_sources "$src" "$REPO"

if [ ! -f "$bld/build.ninja" ]; then
	echo "build-qemu: configuring $VARIANT (${flags[*]})"
	mkdir -p "$bld"
	(cd "$bld" && "${meson_env[@]}" "$src/configure" "${flags[@]}" >configure.log 2>&1) || {
		tail -30 "$bld/configure.log" >&2
		rm -f "$bld/build.ninja"
		exit 1
	}
fi

echo "build-qemu: ninja in $bld"
"${meson_env[@]}" ninja -C "$bld" qemu-system-x86_64 tests/qtest/tlgpu-test

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
