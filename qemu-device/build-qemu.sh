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
# hashes the Debian source version and this script (configure flags and
# hook).  build/qemu/ gets symlinks to the results.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CACHE:-${TLGPU_CACHE:-$HOME/.cache/tlgpu}}
BUILD=${BUILD:-$REPO/build}

CONFIGURE_ARGS=(
	--target-list=x86_64-softmmu
	--without-default-features	# no UI, no network backends, no tools
	--without-default-devices	# only what the machine needs ...
	--with-devices-x86_64=tlgpu	# ... plus tlgpu: qemu-device/tlgpu.mak
	--enable-kvm
	--enable-fdt=system		# x86_64 requires libfdt since 7.2
	--enable-trace-backends=log
	--disable-docs
)

# The candidate source version, as apt-get would fetch it.
dsc=$(apt-get source --print-uris qemu 2>/dev/null | awk '$2 ~ /\.dsc$/ { print $2 }')
if [ -z "$dsc" ]; then
	echo "build-qemu: no QEMU source package; run 'make deps' first" >&2
	exit 1
fi
ver=${dsc#qemu_}
ver=${ver%.dsc}

key=$( { echo "$ver"; cat "$0"; } | sha256sum | cut -c1-16)
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

	# The hook: one line per build file.
	echo "subdir('tlgpu')" >>"$src/hw/meson.build"
	echo "source tlgpu/Kconfig" >>"$src/hw/Kconfig"
	sed -i "s|^    'hw/misc',$|&\n    'hw/tlgpu',|" "$src/meson.build"
	grep -q "'hw/tlgpu'" "$src/meson.build"
	sed -i "s|^qtests_x86_64 = qtests_i386$|& + (config_all_devices.has_key('CONFIG_TLGPU') ? ['tlgpu-test'] : [])|" \
		"$src/tests/qtest/meson.build"
	grep -q "tlgpu-test" "$src/tests/qtest/meson.build"
	touch "$src/.tlgpu-hooked"
fi

# (Re)point the hook's symlinks at this checkout.
ln -sfn "$REPO/qemu-device" "$src/hw/tlgpu"
ln -sfn "$REPO/include" "$src/include/tlgpu"
ln -sfn "$REPO/qemu-device/tests/tlgpu-test.c" "$src/tests/qtest/tlgpu-test.c"
ln -sfn "$REPO/qemu-device/tlgpu.mak" \
	"$src/configs/devices/x86_64-softmmu/tlgpu.mak"

if [ ! -f "$bld/build.ninja" ]; then
	echo "build-qemu: configuring (${CONFIGURE_ARGS[*]})"
	mkdir -p "$bld"
	(cd "$bld" && "$src/configure" "${CONFIGURE_ARGS[@]}" >configure.log 2>&1) || {
		tail -30 "$bld/configure.log" >&2
		rm -f "$bld/build.ninja"
		exit 1
	}
fi

echo "build-qemu: ninja in $bld"
ninja -C "$bld" qemu-system-x86_64 tests/qtest/tlgpu-test

mkdir -p "$BUILD/qemu"
ln -sfn "$bld/qemu-system-x86_64" "$BUILD/qemu/qemu-system-x86_64"
ln -sfn "$bld/tests/qtest/tlgpu-test" "$BUILD/qemu/tlgpu-test"
ln -sfn "$bld" "$BUILD/qemu/build"
