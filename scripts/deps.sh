#!/usr/bin/env bash
# Install every Debian package tlgpu needs, idempotently, and enable Debian
# source packages by deriving a deb-src entry from the machine's own Debian
# sources file.  Safe to run again: it only acts on what is missing.
set -euo pipefail

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# One at a time on a machine (CI jobs of one pipeline run side by side and
# apt takes its lock without waiting).
exec 9>"${TMPDIR:-/tmp}/tlgpu-deps.lock"
flock 9

# Host packages, one concern per line.
PKGS=(
	# C toolchain and build systems (QEMU, module, userspace)
	build-essential dpkg-dev pkg-config meson ninja-build python3
	# QEMU 7.2 and 10.x build dependencies for a minimal x86_64-softmmu
	# (10.x's meson comes from bookworm-backports, unpacked by build-qemu.sh)
	libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev patch python3-venv
	# build roots of Debian 13 / unstable for the packaged 6.12 / 7.2 kernels
	mmdebstrap
	# QEMU firmware: SeaBIOS and the option ROMs for -kernel boots
	seabios qemu-system-data
	# guest userspace
	libdrm-dev
	# initramfs
	busybox-static cpio kmod xz-utils zstd
	# debug kernel build (linux-source-6.1)
	bc bison flex libelf-dev libssl-dev dwarves rsync
	# IGT (igt-gpu-tools) library and tests, built from source
	libkmod-dev libproc2-dev libdw-dev libcairo2-dev libudev-dev
	libpciaccess-dev
	# CI runner (JUnit XML, the pipeline's YAML) and benchmark plots
	python3-junit.xml python3-yaml python3-matplotlib
)

need_update=0
src=/etc/apt/sources.list.d/debian.sources
dst=/etc/apt/sources.list.d/tlgpu-deb-src.sources
if [ -f "$src" ] && ! grep -qs '^Types:.*deb-src' "$src" /etc/apt/sources.list.d/*.sources 2>/dev/null; then
	# Same archive, same suites, same keys: only the type changes.
	sed -e 's/^Types:.*/Types: deb-src/' "$src" | $SUDO tee "$dst" >/dev/null
	need_update=1
elif [ ! -f "$src" ] && ! grep -qs '^deb-src' /etc/apt/sources.list 2>/dev/null; then
	if grep -qs '^deb ' /etc/apt/sources.list; then
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list |
			$SUDO tee /etc/apt/sources.list.d/tlgpu-deb-src.list >/dev/null
		need_update=1
	fi
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done

# apt-get source needs the source lists; binary installs need fresh lists.
if [ "$need_update" = 1 ] || [ "${#missing[@]}" -gt 0 ] ||
   ! apt-cache showsrc qemu 2>/dev/null | grep -q '^Package: qemu'; then
	echo "deps: apt-get update"
	$SUDO apt-get update -qq
fi

if [ "${#missing[@]}" -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	$SUDO env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
	echo "deps: all packages present"
fi
