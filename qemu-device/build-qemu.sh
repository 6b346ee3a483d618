#!/usr/bin/env bash
# Build qemu-system-x86_64 with the tlgpu device, and the tlgpu qtest.
#
# Source: Debian's QEMU 7.2 package (`apt-get source`, so Debian's patch
# series applies).  The device sources are not copied: the QEMU tree gets a
# small hook (one line each in hw/meson.build, hw/Kconfig, the trace-event
# list and the qtest list, plus symlinks back into this repository), so
# editing a device file and re-running recompiles only what changed.
#
# The unpacked tree and the build live in $CACHE/qemu-<key>, where <key>
# hashes the Debian source version and qemu-hook.sh (configure flags and
# hook).  build/qemu/ gets symlinks to the results.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CACHE:-${TLGPU_CACHE:-$HOME/.cache/tlgpu}}
BUILD=${BUILD:-$REPO/build}

. "$REPO/qemu-device/qemu-hook.sh"

# The candidate source version, as apt-get would fetch it.
dsc=$(apt-get source --print-uris qemu 2>/dev/null | awk '$2 ~ /\.dsc$/ { print $2 }')
if [ -z "$dsc" ]; then
	echo "build-qemu: no QEMU source package; run 'make deps' first" >&2
	exit 1
fi
ver=${dsc#qemu_}
ver=${ver%.dsc}

key=$( { echo "$ver"; cat "$REPO/qemu-device/qemu-hook.sh"; } |
	sha256sum | cut -c1-16)
dir=$CACHE/qemu-$key
src=$dir/src
bld=$dir/build
mkdir -p "$CACHE/debs" "$dir"

# One build at a time per cache entry.
exec 9>"$dir.lock"
flock 9

if [ ! -f "$src/.tlgpu-hooked" ]; then
	echo "build-qemu: unpacking Debian QEMU $ver into $src"
	rm -rf "$src" "$bld"
	(cd "$CACHE/debs" && apt-get source -qq --download-only qemu)
	dpkg-source -q -x "$CACHE/debs/$dsc" "$src" >/dev/null

	tlgpu_hook "$src"
	touch "$src/.tlgpu-hooked"
fi

# (Re)point the hook's symlinks at this checkout.
tlgpu_link "$src" "$REPO"

if [ ! -f "$bld/build.ninja" ]; then
	echo "build-qemu: configuring (${TLGPU_CONFIGURE_ARGS[*]})"
	mkdir -p "$bld"
	(cd "$bld" && "$src/configure" "${TLGPU_CONFIGURE_ARGS[@]}" >configure.log 2>&1) || {
		tail -30 "$bld/configure.log" >&2
		rm -f "$bld/build.ninja"
		exit 1
	}
fi

echo "build-qemu: ninja in $bld"
ninja -C "$bld" qemu-system-x86_64 tests/qtest/tlgpu-test

# Debian's firmware where a build-tree QEMU looks first: no -L needed.
for fw in /usr/share/seabios/*.bin /usr/share/qemu/linuxboot_dma.bin \
	  /usr/share/qemu/kvmvapic.bin /usr/share/qemu/multiboot_dma.bin; do
	ln -sfn "$fw" "$bld/qemu-bundle/usr/local/share/qemu/${fw##*/}"
done

mkdir -p "$BUILD/qemu"
ln -sfn "$bld/qemu-system-x86_64" "$BUILD/qemu/qemu-system-x86_64"
ln -sfn "$bld/tests/qtest/tlgpu-test" "$BUILD/qemu/tlgpu-test"
ln -sfn "$bld" "$BUILD/qemu/build"
