#!/usr/bin/env bash
# Build a debug guest kernel: Debian's linux-source-<KVER> configured as
# x86_64_defconfig plus images/debug.config (lockdep, KASAN, kmemleak,
# debugobjects, ...) and, where it exists, images/debug-<KVER>.config (what
# differs on that kernel).  KVER is 6.1 (bookworm, the host's own apt: the
# source of the stock kernel), 6.12 (trixie) or 7.2 (sid); the other suites
# are reached through scripts/apt-suite.sh, never the host's sources.
#
# usage: build-debug-kernel.sh [KVER [OUTNAME]]
#   KVER     6.1 (default), 6.12 or 7.2
#   OUTNAME  build/kernel/<OUTNAME> gets the pointers (default: debug for
#            6.1, <KVER>-debug otherwise)
#
# The package is downloaded into $CACHE/debs, never installed; its tarball
# is unpacked into $CACHE/kernel-debug-<KVER>-<key>/linux, where <key>
# hashes the package version, the fragments and this script.  The kernel is built in
# place, so that tree is the KDIR for out-of-tree modules (M=), and the
# modules are installed into $CACHE/kernel-debug-<key>/root.  The kernel's
# sync selftest (tools/testing/selftests/sync) is built statically from the
# same tree into $CACHE/kernel-debug-<key>/selftests, with its stress
# tests scaled down to a TCG-friendly size.
#
# build/kernel/debug/ then gets what fetch-stock-kernel.sh writes for the
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
KVER=${1:-6.1}
case $KVER in
6.1)	SUITE= ;;
6.12)	SUITE=trixie ;;
7.2)	SUITE=sid ;;
*)	echo "build-debug-kernel: KVER is 6.1, 6.12 or 7.2, not '$KVER'" >&2; exit 2 ;;
esac
OUTNAME=${2:-$([ "$KVER" = 6.1 ] && echo debug || echo "$KVER-debug")}
OUT=$BUILD/kernel/$OUTNAME
DEBS=$CACHE/debs
FRAGMENT=$TOP/images/debug.config
EXTRA_FRAGMENT=$TOP/images/debug-$KVER.config
SELF=$TOP/images/build-debug-kernel.sh
PKG=linux-source-$KVER
. "$TOP/scripts/apt-suite.sh"

# apt for this kernel's suite: the host's own for 6.1.
apt_for() {	# CMD ARGS...
	if [ -n "$SUITE" ]; then apt_suite "$SUITE" "$@"; else "$@"; fi
}

# Modules the initramfs and the debug suites take from this kernel: the
# dma-buf selftests are a module of their own before 7.x, KUnit after.
REQUIRED_MODULES=(drm drm_shmem_helper gpu-sched vgem)
case $KVER in
6.*)	REQUIRED_MODULES+=(dmabuf_selftests) ;;
esac

die() { echo "build-debug-kernel: $*" >&2; exit 1; }
log() { echo "build-debug-kernel: $*" >&2; }

candidate_version() {
	apt_for apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1
}

# Replace the literal text OLD in FILE by NEW, or fail if OLD is gone.
replace_once() {	# FILE OLD NEW
	local re
	grep -qF "$2" "$1" || die "${1##*/} has no '$2' any more: update this script"
	re=$(printf '%s' "$2" | sed 's/[][\\.*^$/]/\\&/g')
	sed -i "s/$re/$3/" "$1"
}

# Point build/kernel/debug at a finished cache entry.
write_pointers() {
	local dir=$1 release
	release=$(cat "$dir/release")
	mkdir -p "$OUT"
	ln -sfn "$dir/linux/arch/x86/boot/bzImage" "$OUT/vmlinuz"
	echo "$release" >"$OUT/release"
	echo "$dir/linux" >"$OUT/kdir"
	echo "$dir/root/lib/modules/$release" >"$OUT/modules"
	echo "$dir/selftests" >"$OUT/selftests"
	log "kernel $release ready (KDIR=$dir/linux)"
}

# Every option of the fragment as it ended up in .config: "CONFIG_X=v" must
# appear as such; "# CONFIG_X is not set" must not be set to anything.
verify_config() {
	local config=$1 bad=() line sym got
	local -A want=()
	# The last fragment to name a symbol wins, as in merge_config.sh.
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			want[${line%%=*}]=${line#*=} ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# } want[${sym%% *}]=n ;;
		esac
	done < <(fragments)
	for sym in "${!want[@]}"; do
		got=$(sed -n "s/^$sym=//p" "$config")
		[ -n "$got" ] || got=n
		[ "$got" = "${want[$sym]}" ] || bad+=("$sym: asked ${want[$sym]}, got $got")
	done
	if [ "${#bad[@]}" -gt 0 ]; then
		printf 'build-debug-kernel:   %s\n' "${bad[@]}" >&2
		die "${#bad[@]} option(s) of the fragments did not survive olddefconfig" \
			"(missing dependency or a choice/select overriding them)"
	fi
	log "all ${#want[@]} options of the fragments verified"
}

# The fragments in order: the common one, then this kernel's (later wins).
fragments() {
	cat "$FRAGMENT"
	[ ! -f "$EXTRA_FRAGMENT" ] || cat "$EXTRA_FRAGMENT"
}

[ -f "$FRAGMENT" ] || die "$FRAGMENT missing"
ver=$(candidate_version "$PKG")
if [ -z "$ver" ]; then
	# Offline or no package lists: keep a kernel we already have.
	[ -f "$OUT/kdir" ] && [ -f "$(dirname "$(cat "$OUT/kdir")")/.done" ] &&
		{ log "apt-cache gave no $PKG version, keeping $(cat "$OUT/release")"; exit 0; }
	die "no candidate for $PKG (run 'apt-get update' first)"
fi

key=$( { echo "$PKG $ver"; fragments; cat "$SELF"; } | sha256sum | cut -c1-16)
dir=$CACHE/kernel-debug-$KVER-$key
src=$dir/linux
mkdir -p "$DEBS" "$dir"

# One build at a time per cache entry; a second caller waits, then finds
# the entry done.
exec 9>"$dir.lock"
flock 9

if [ -f "$dir/.done" ]; then
	write_pointers "$dir"
	exit 0
fi

start=$SECONDS

# --- source: the tarball inside the linux-source .deb, never installed ---
if [ ! -f "$dir/.unpacked" ]; then
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
	rm -rf "$src" "$dir"/.configured
	mkdir -p "$src"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/$PKG.tar.xz" |
		tar -xJ --strip-components=1 -C "$src" ||
		die "unpacking usr/src/$PKG.tar.xz from $deb failed"
	[ -f "$src/Makefile" ] || die "no kernel tree in $deb"
	touch "$dir/.unpacked"
fi

# --- configuration: defconfig + fragment, checked option by option ---
if [ ! -f "$dir/.configured" ]; then
	log "configuring: x86_64_defconfig + ${FRAGMENT#"$TOP"/}$([ -f "$EXTRA_FRAGMENT" ] && echo " + ${EXTRA_FRAGMENT#"$TOP"/}")"
	make -C "$src" -s x86_64_defconfig
	fragments >"$dir/fragment.config"
	(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$src" "$src/.config" "$dir/fragment.config" \
		>"$dir/merge_config.log" 2>&1) ||
		{ cat "$dir/merge_config.log" >&2; die "merge_config.sh failed"; }
	make -C "$src" -s olddefconfig
	verify_config "$src/.config"
	touch "$dir/.configured"
fi

# --- build: make's own output is the progress report ---
log "building bzImage and modules in $src with -j$JOBS (8-9 min on 2 idle cores)"
make -C "$src" -j"$JOBS" bzImage modules
release=$(make -C "$src" -s kernelrelease)
[ -n "$release" ] || die "make kernelrelease gave nothing"

log "installing modules of $release into $dir/root"
rm -rf "$dir/root"
make -C "$src" -s INSTALL_MOD_PATH="$dir/root" modules_install
modules=$dir/root/lib/modules/$release
[ -f "$modules/modules.dep" ] || die "modules_install wrote no $modules/modules.dep"
for m in "${REQUIRED_MODULES[@]}"; do
	[ -n "$(find "$modules/kernel" -name "$m.ko*" -print -quit)" ] ||
		die "module $m was not built (check ${FRAGMENT#"$TOP"/})"
done
# For M= builds: the tree must hold everything modpost and kbuild need.
for f in Module.symvers scripts/mod/modpost scripts/basic/fixdep include/config/auto.conf; do
	[ -e "$src/$f" ] || die "$src/$f missing: the tree is not usable as KDIR"
done

# --- sync selftest (kselftest TAP), static, against this tree's uAPI ---
# Built from a copy beside the original (same relative includes) whose
# three stress tests run fewer rounds: as written they take ~10 min under
# TCG with this kernel (2^16 ping-pongs, 2^12 producer/consumer rounds with
# two busy-waiting threads, 2^15 merges).  Each count is a power of two,
# so the tests keep their busy-wait and random-merge paths.
log "building tools/testing/selftests/sync (stress rounds scaled down for TCG)"
make -C "$src" -s headers
sync_src=$src/tools/testing/selftests/sync-tlgpu
rm -rf "$sync_src" "$dir/selftests"
cp -a "$src/tools/testing/selftests/sync" "$sync_src"
replace_once "$sync_src/sync_stress_parallelism.c" 'iterations = 1 << 16;' 'iterations = 1 << 10;'
replace_once "$sync_src/sync_stress_consumer.c" 'iterations = 1 << 12;' 'iterations = 1 << 8;'
replace_once "$sync_src/sync_stress_merge.c" 'merge_count = 1024 * 32;' 'merge_count = 1024 * 4;'
mkdir -p "$dir/selftests"
make -C "$sync_src" -s OUTPUT="$dir/selftests" \
	KHDR_INCLUDES="-isystem $src/usr/include" LDFLAGS="-static -pthread"
[ -x "$dir/selftests/sync_test" ] || die "sync_test was not built"
rm -f "$dir/selftests"/*.o

echo "$release" >"$dir/release"
touch "$dir/.done"
log "built $release in $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"
write_pointers "$dir"

# Entries for older inputs take gigabytes each: remove those nobody holds.
# Only this kernel's entries (and, for 6.1, those of before the version
# was in the name, kernel-debug-<key>).
for old in "$CACHE"/kernel-debug-*.lock; do
	[ -e "$old" ] || continue
	case ${old##*/} in
	kernel-debug-"$KVER"-*) ;;
	*)	# Unversioned names were 6.1's.
		[ "$KVER" = 6.1 ] && [[ ${old##*/} =~ ^kernel-debug-[0-9a-f]{16}\.lock$ ]] ||
			continue ;;
	esac
	other=${old%.lock}
	[ "$other" = "$dir" ] && continue
	(
		flock -n 9 || exit 0
		log "removing the outdated ${other##*/}"
		rm -rf "$other" "$old"
	) 9<"$old"
done
