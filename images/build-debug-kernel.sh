#!/usr/bin/env bash
# Build a debug guest kernel: a kernel source configured as x86_64_defconfig
# plus images/debug.config (lockdep, KASAN, kmemleak, debugobjects, ...)
# and images/debug-<X.Y>.config for the newest X.Y that is not newer than
# the kernel (what differs from that release on: 7.2's KUnit suites).
#
# usage: build-debug-kernel.sh KVER [OUTNAME]
#        build-debug-kernel.sh --src DIR [OUTNAME]
#   KVER     6.1 (Debian 12's linux-source-6.1, the host's own apt: the
#            source of the stock kernel), 6.12 (trixie) or 7.2 (sid); the
#            other suites are reached through scripts/apt-suite.sh, never
#            the host's sources
#   --src DIR  a kernel tree of your own (make check KERNEL_SRC=DIR), e.g.
#            drm-misc-next or a linux-source tree with a patch applied.  It
#            is only read: the build goes out of tree (O=) into the cache,
#            and a later run with the tree changed rebuilds incrementally.
#   OUTNAME  build/kernel/<OUTNAME> gets the pointers (default <KVER>-debug,
#            src-debug with --src)
#
# A package is downloaded into $CACHE/debs, never installed; its tarball is
# unpacked into $CACHE/kernel-debug-<KVER>-<key>/linux and built in place,
# so that tree is the KDIR for out-of-tree modules (M=).  <key> hashes the
# package version, the fragments and the build steps (images/kernel-build.sh).
# A tree of your own builds in $CACHE/kernel-src-<key>/obj, <key> hashing
# its path, the fragments and the steps.  The modules are installed into
# <entry>/root, the kernel's sync selftest into <entry>/selftests.
#
# build/kernel/<OUTNAME>/ then gets what fetch-stock-kernel.sh writes for a
# stock kernel: vmlinuz (a symlink), release, kdir and modules (paths), and
# selftests (a path) for mkinitramfs.sh.  A run with the same inputs only
# rewrites those.  Installs nothing on the host ('make deps' does that).
#
# env: CACHE (default $TLGPU_CACHE or ~/.cache/tlgpu), JOBS (default nproc)
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}
CACHE=${CACHE:-${TLGPU_CACHE:-$HOME/.cache/tlgpu}}
JOBS=${JOBS:-$(nproc)}
DEBS=$CACHE/debs
FRAGMENT=$TOP/images/debug.config
STEPS=$TOP/images/kernel-build.sh

die() { echo "build-debug-kernel: $*" >&2; exit 1; }
log() { echo "build-debug-kernel: $*" >&2; }

. "$TOP/scripts/apt-suite.sh"
. "$STEPS"

KSRC=
if [ "${1:-}" = --src ]; then
	[ -n "${2:-}" ] || die "--src needs a directory"
	KSRC=$(realpath -e "$2" 2>/dev/null) || die "--src $2: no such directory"
	[ -f "$KSRC/Makefile" ] && [ -f "$KSRC/Kconfig" ] ||
		die "--src $KSRC: not a kernel source tree (no Makefile and Kconfig)"
	# kbuild refuses O= builds from a tree built in place.
	[ ! -f "$KSRC/.config" ] && [ ! -d "$KSRC/include/config" ] ||
		die "--src $KSRC was configured or built in place; 'make mrproper' there first (it is only read, the build goes out of tree)"
	KVER=$(make -s -C "$KSRC" kernelversion 2>/dev/null) ||
		die "--src $KSRC: make kernelversion failed"
	KVER=$(echo "$KVER" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
	OUTNAME=${3:-src-debug}
	SUITE=
else
	KVER=${1:-6.1}
	SUITE=$(kernel_suite "$KVER") ||
		die "KVER is 6.1, 6.12 or 7.2 (or --src DIR), not '$KVER'"
	OUTNAME=${2:-$KVER-debug}
fi
OUT=$BUILD/kernel/$OUTNAME
PKG=linux-source-$KVER

# The per-release fragment: the newest images/debug-X.Y.config not newer
# than this kernel.
EXTRA_FRAGMENT=
for f in "$TOP"/images/debug-[0-9]*.config; do
	[ -f "$f" ] || continue
	v=${f##*/debug-}; v=${v%.config}
	[ "$(printf '%s\n%s\n' "$v" "$KVER" | sort -V | tail -n 1)" = "$KVER" ] || continue
	[ -z "$EXTRA_FRAGMENT" ] ||
		[ "$(printf '%s\n%s\n' "$v" "${EXTRA_FRAGMENT##*/debug-}" | sort -V | tail -n 1)" = "$v" ] ||
		continue
	EXTRA_FRAGMENT=$f
done

# The fragments in order: the common one, then this kernel's (later wins).
fragments() {
	cat "$FRAGMENT"
	[ -z "$EXTRA_FRAGMENT" ] || cat "$EXTRA_FRAGMENT"
}

# Modules the initramfs and the debug suites take from this kernel; the
# dma-buf selftests module where the configuration has it (6.x: 7.x runs
# them as KUnit).
required_modules() {	# CONFIG
	REQUIRED_MODULES=(drm drm_shmem_helper gpu-sched vgem)
	grep -q '^CONFIG_DMABUF_SELFTESTS=m' "$1" && REQUIRED_MODULES+=(dmabuf_selftests)
	return 0
}

# Point build/kernel/<OUTNAME> at a finished cache entry.
write_pointers() {	# ENTRY OBJ
	local dir=$1 obj=$2 release
	release=$(cat "$dir/release")
	mkdir -p "$OUT"
	ln -sfn "$obj/arch/x86/boot/bzImage" "$OUT/vmlinuz"
	echo "$release" >"$OUT/release"
	echo "$obj" >"$OUT/kdir"
	echo "$dir/root/lib/modules/$release" >"$OUT/modules"
	echo "$dir/selftests" >"$OUT/selftests"
	log "kernel $release ready (KDIR=$obj)"
}

[ -f "$FRAGMENT" ] || die "$FRAGMENT missing"

if [ -n "$KSRC" ]; then
	key=$( { echo "src $KSRC"; fragments; cat "$STEPS"; } | sha256sum | cut -c1-16)
	DIR=$CACHE/kernel-src-$key
	src=$KSRC obj=$DIR/obj
	# What the tree holds now: every file's name, size and time (the
	# build itself is incremental, this only decides whether to run it).
	state=$( { fragments; cat "$STEPS"; cd "$KSRC" &&
		find . -path ./.git -prune -o -type f -printf '%P %s %T@\n' | LC_ALL=C sort; } |
		sha256sum | cut -c1-16)
else
	ver=$(candidate_version "$PKG")
	if [ -z "$ver" ]; then
		# Offline or no package lists: keep a kernel we already have.
		[ -f "$OUT/kdir" ] && [ -f "$(dirname "$(cat "$OUT/kdir")")/.done" ] &&
			{ log "apt-cache gave no $PKG version, keeping $(cat "$OUT/release")"; exit 0; }
		die "no candidate for $PKG (run 'apt-get update' first)"
	fi
	key=$( { echo "$PKG $ver"; fragments; cat "$STEPS"; } | sha256sum | cut -c1-16)
	DIR=$CACHE/kernel-debug-$KVER-$key
	src=$DIR/linux obj=$DIR/linux
	state=$key
fi
mkdir -p "$DEBS" "$DIR"

# One build at a time per cache entry; a second caller waits, then finds
# the entry done.
exec 9>"$DIR.lock"
flock 9

if [ -f "$DIR/.done" ] && [ "$(cat "$DIR/.done")" = "$state" ]; then
	write_pointers "$DIR" "$obj"
	exit 0
fi
rm -f "$DIR/.done"
start=$SECONDS

# --- source: the tarball inside the linux-source .deb, never installed ---
if [ -z "$KSRC" ] && [ ! -f "$DIR/.unpacked" ]; then
	deb=$(find "$DEBS" -maxdepth 1 -name "${PKG}_${ver//:/%3a}_*.deb" -size +0 | head -n 1)
	if [ -z "$deb" ]; then
		log "downloading $PKG $ver"
		(cd "$DEBS" && apt_for apt-get download -q -o APT::Sandbox::User=root \
			"$PKG=$ver" >/dev/null) || die "apt-get download $PKG=$ver failed"
		deb=$(find "$DEBS" -maxdepth 1 -name "${PKG}_${ver//:/%3a}_*.deb" -size +0 | head -n 1)
		[ -n "$deb" ] || die "no .deb for $PKG $ver in $DEBS after download"
	fi
	# Older source packages only take space now.
	for old in "$DEBS/${PKG}"_*.deb; do
		[ "$old" = "$deb" ] || rm -f "$old"
	done

	log "unpacking $PKG $ver into $src"
	rm -rf "$src" "$DIR"/.configured
	mkdir -p "$src"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/$PKG.tar.xz" |
		tar -xJ --strip-components=1 -C "$src" ||
		die "unpacking usr/src/$PKG.tar.xz from $deb failed"
	[ -f "$src/Makefile" ] || die "no kernel tree in $deb"
	touch "$DIR/.unpacked"
fi

# --- configuration: defconfig + fragments, checked option by option ---
# (A tree of your own is configured again each time it changed: its
# Kconfig may have.)
if [ ! -f "$DIR/.configured" ] || [ -n "$KSRC" ]; then
	log "configuring: x86_64_defconfig + ${FRAGMENT#"$TOP"/}${EXTRA_FRAGMENT:+ + ${EXTRA_FRAGMENT#"$TOP"/}}"
	kb_configure "$src" "$obj"
	touch "$DIR/.configured"
fi
required_modules "$obj/.config"

release=$(kb_build "$src" "$obj" "$JOBS")
kb_selftests "$src" "$obj"

echo "$release" >"$DIR/release"
echo "$state" >"$DIR/.done"
log "built $release in $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"
write_pointers "$DIR" "$obj"

# Entries for older inputs take gigabytes each: remove those nobody holds
# (this kernel's packaged entries only; trees of your own stay until
# make distclean).
[ -n "$KSRC" ] && exit 0
for old in "$CACHE"/kernel-debug-"$KVER"-*.lock; do
	[ -e "$old" ] || continue
	other=${old%.lock}
	[ "$other" = "$DIR" ] && continue
	(
		flock -n 9 || exit 0
		log "removing the outdated ${other##*/}"
		rm -rf "$other" "$old"
	) 9<"$old"
done
