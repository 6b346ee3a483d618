#!/usr/bin/env bash
# Build the IGT (igt-gpu-tools) tests the guest runs: IGT's generic tests
# that apply to a render driver with syncobj, PRIME and reset, and tlgpu's
# own IGT tests (guest-userspace/igt/tlgpu_*.c), built inside IGT's tree
# against the same IGT library.
#
# usage: build-igt.sh
# env:   IGT_SRC     an IGT source tree or tarball (.tar.xz/.tar.gz);
#                    default: the snapshot in ../shared/igt/ beside the
#                    checkout, else a clone of IGT_GIT at IGT_COMMIT
#                    (needs network)
#        IGT_GIT, IGT_COMMIT  the upstream repository and the pinned commit
#
# The source gets patches/*.patch (the snapshot lacks three i915 perf XML
# files; see the patch) and tlgpu's tests appended to tests/meson.build.
# Only the tests in IGT_TESTS and tlgpu's are built (ninja targets).
#
# Output: $CACHE/igt-out-<key>/{tests/,lib/libigt.so.0...,tests.txt}, where
# <key> hashes the IGT source, the patches, this script, tlgpu's IGT
# sources and the two contract headers.  Written once, never changed; build/igt
# points at this checkout's; outputs unused for a week are removed.  The work tree is removed after the build.
# Without any IGT source, build/igt/unavailable says why, and the guest's
# IGT suite reports that as a failing case.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${CACHE:-${TLGPU_CACHE:-$HOME/.cache/tlgpu}}
BUILD=${BUILD:-$REPO/build}
IGT_GIT=${IGT_GIT:-https://gitlab.freedesktop.org/drm/igt-gpu-tools.git}
IGT_COMMIT=${IGT_COMMIT:-b3d809d5}
link=$BUILD/igt

# IGT's generic tests for a render driver (the guest runs every test built).
IGT_TESTS=(
	core_auth core_debugfs core_getclient core_getstats core_getversion
	core_hotunplug core_setmaster core_setmaster_vs_auth core_sysfs
	device_reset dmabuf dmabuf_sync_file sw_sync syncobj_basic
	syncobj_eventfd syncobj_timeline syncobj_wait
)
# IGT 2.2's meson options: the tests and their library, nothing Intel-only
# that is optional, no runner (the guest suite is the runner).
MESON_OPTS=(
	-Dtests=enabled -Dxe_driver=disabled -Doverlay=disabled
	-Dchamelium=disabled -Dvalgrind=disabled -Dman=disabled
	-Dtestplan=disabled -Ddocs=disabled -Drunner=disabled
	-Dlibdrm_drivers= -Dlibunwind=disabled -Doping=disabled
	--buildtype=debugoptimized
)

log() { echo "build-igt: $*"; }

unavailable() {
	rm -rf "$link"
	mkdir -p "$link"
	echo "$*" >"$link/unavailable"
	log "$*"
	exit 0
}

# --- which IGT source, and its content key ---
shared=$(ls -1 "$REPO"/../shared/igt/igt-gpu-tools-*.tar.* 2>/dev/null | tail -1 || true)
src_kind= src_path= src_id=
if [ -n "${IGT_SRC:-}" ]; then
	src_path=$(realpath "$IGT_SRC")
	if [ -d "$src_path" ]; then
		src_kind=tree
		[ -f "$src_path/meson.build" ] || { echo "build-igt: IGT_SRC=$IGT_SRC has no meson.build" >&2; exit 1; }
		src_id=$(cd "$src_path" && find . -path ./.git -prune -o -path ./build -prune \
			-o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
	elif [ -f "$src_path" ]; then
		src_kind=tarball
		src_id=$(sha256sum "$src_path" | cut -c1-16)
	else
		echo "build-igt: IGT_SRC=$IGT_SRC is neither a directory nor a file" >&2
		exit 1
	fi
elif [ -n "$shared" ]; then
	src_kind=tarball src_path=$shared
	src_id=$(sha256sum "$src_path" | cut -c1-16)
else
	src_kind=git src_path=$IGT_GIT src_id=$IGT_COMMIT
fi

inputs() {
	echo "$src_kind $src_id"
	printf '%s\n' "${IGT_TESTS[@]}" "${MESON_OPTS[@]}"
	(cd "$REPO" && find guest-userspace/igt include/tlgpu_drm.h include/tlgpu_hw.h -type f ! -name '*~' |
		LC_ALL=C sort | xargs sha256sum)
	cc --version | head -1
	pkg-config --modversion libdrm 2>/dev/null || true
}
key=$(inputs | sha256sum | cut -c1-16)
out=$CACHE/igt-out-$key

link_outputs() {
	touch "$out"
	rm -rf "$link"
	mkdir -p "${link%/*}"	# build/ of a fresh clone: make igt may come first
	ln -sfn "$out" "$link"
}

if [ -f "$out/.complete" ]; then
	log "IGT tests for these sources are cached ($key)"
	link_outputs
	exit 0
fi

mkdir -p "$CACHE"
exec 9>"$out.lock"
flock 9
if [ -f "$out/.complete" ]; then
	link_outputs
	exit 0
fi

ws=$CACHE/igt-ws-$key.$$
rm -rf "$ws"
mkdir -p "$ws"
trap 'rm -rf "$ws"' EXIT
src=$ws/src

# --- the source, unpacked or copied into the work tree ---
case $src_kind in
tarball)
	log "IGT from $src_path"
	mkdir -p "$ws/unpack"
	tar -C "$ws/unpack" -xf "$src_path"
	top=$(find "$ws/unpack" -mindepth 1 -maxdepth 1 -type d | head -1)
	[ -f "$top/meson.build" ] || { echo "build-igt: $src_path holds no IGT tree" >&2; exit 1; }
	mv "$top" "$src"
	;;
tree)
	log "IGT from the tree $src_path"
	rsync -a --exclude=.git --exclude=/build "$src_path/" "$src/"
	;;
git)
	log "no IGT_SRC and no ../shared/igt snapshot: cloning $IGT_GIT at $IGT_COMMIT"
	if ! git clone -q "$IGT_GIT" "$src" 2>"$ws/clone.log" ||
	   ! git -C "$src" checkout -q "$IGT_COMMIT" 2>>"$ws/clone.log"; then
		unavailable "no IGT source: IGT_SRC is unset, ../shared/igt/ holds no snapshot, and cloning $IGT_GIT failed ($(tail -1 "$ws/clone.log")); set IGT_SRC to an IGT tree or tarball"
	fi
	;;
esac

for p in "$HERE"/patches/*.patch; do
	# A tree that already has the change (a newer IGT) needs no patch.
	if patch -d "$src" -p1 -s -f --dry-run <"$p" >/dev/null 2>&1; then
		patch -d "$src" -p1 -s -f <"$p"
	else
		log "skipping $(basename "$p"): does not apply to this tree"
	fi
done

# --- tlgpu's tests, in IGT's tree the way IGT keeps a driver's tests ---
tlgpu_tests=()
for f in "$HERE"/tlgpu_*.c; do
	[ -e "$f" ] || continue
	tlgpu_tests+=("$(basename "$f" .c)")
done
cp "$HERE"/tlgpu_*.c "$HERE"/igt_tlgpu.[ch] "$src/tests/" 2>/dev/null || true
# The two contracts: the uAPI, and the command encoding jobs are made of.
cp "$REPO/include/tlgpu_drm.h" "$REPO/include/tlgpu_hw.h" "$src/include/drm-uapi/"
{
	echo ""
	echo "# tlgpu's IGT tests (appended by tlgpu's build-igt.sh)"
	echo "tlgpu_progs = ["
	for t in "${tlgpu_tests[@]}"; do echo "	'$t',"; done
	echo "]"
	cat "$HERE/meson.build.in"
} >>"$src/tests/meson.build"

# --- configure and build only what the guest runs ---
log "configuring"
meson setup "$ws/build" "$src" "${MESON_OPTS[@]}" >"$ws/configure.log" 2>&1 || {
	tail -30 "$ws/configure.log" >&2
	exit 1
}
targets=()
for t in "${IGT_TESTS[@]}" "${tlgpu_tests[@]}"; do
	targets+=("tests/$t")
done
log "building ${#targets[@]} tests"
ninja -C "$ws/build" "${targets[@]}" >"$ws/ninja.log" 2>&1 || {
	grep -E "error|FAILED" "$ws/ninja.log" | head -40 >&2
	exit 1
}

# --- the output: tests with libigt beside them ($ORIGIN/../lib rpath) ---
tmp=$out.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp/tests" "$tmp/lib"
for t in "${IGT_TESTS[@]}" "${tlgpu_tests[@]}"; do
	cp "$ws/build/tests/$t" "$tmp/tests/"
done
# libigt and the libraries it links that IGT builds (libi915_perf).
for so in "$ws"/build/lib/*.so.*; do
	case $so in *.p) continue ;; esac
	[ -f "$so" ] && cp -P "$so" "$tmp/lib/"
done
printf '%s\n' "${IGT_TESTS[@]}" "${tlgpu_tests[@]}" >"$tmp/tests.txt"
{
	echo "source: $src_kind $src_path ($src_id)"
	grep -m1 "^project(" -A2 "$src/meson.build" | tr -s ' \n' ' '
	echo
} >"$tmp/version"
inputs >"$tmp/inputs"
touch "$tmp/.complete"
rm -rf "$out"
mv "$tmp" "$out"
link_outputs
log "built $(wc -l <"$out/tests.txt") tests into $out"

# Outputs nobody used for a week go (each use touches its output: another
# checkout's build/igt may point at any of the recent ones).
find "$CACHE" -maxdepth 1 -name 'igt-out-*' ! -name '*.lock' ! -name '*.tmp.*' -mtime +7 |
	while read -r old; do rm -rf "$old" "$old.lock"; done
