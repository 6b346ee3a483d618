#!/usr/bin/env bash
# Build tlgpu.ko inside a build root (images/buildroot.sh) against the
# kernel headers there, for the packaged 6.12/7.2 kernels.
#
# usage: buildroot-make.sh ROOT KDIR BUILD_DIR [MAKE ARGS...]
#   ROOT       the build root
#   KDIR       the headers' path inside it (/usr/src/linux-headers-<release>)
#   BUILD_DIR  where tlgpu.ko (and tlgpu_conftest.h, for reading) land
#
# guest-driver/ and include/ are copied by content into
# ROOT/work/<checkout>, <checkout> hashing this checkout's path, so two
# checkouts never build each other's sources and unchanged files keep their
# times (kbuild rebuilds incrementally); one build per checkout at a time.
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
[ $# -ge 3 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
root=$1 kdir=$2 out=$3
shift 3
[ -f "$root/.complete" ] || { echo "buildroot-make: $root is not a build root" >&2; exit 1; }

work=/work/$(echo "$TOP" | sha256sum | cut -c1-16)
mkdir -p "$root$work"
exec 9>"$root$work.lock"
flock 9
rsync -rc --delete "$TOP/guest-driver/" "$root$work/guest-driver/"
rsync -rc --delete "$TOP/include/" "$root$work/include/"
# In a mount namespace of its own with /proc (objtool reads it); nothing
# stays mounted afterwards.
unshare --mount --fork --mount-proc="$root/proc" chroot "$root" \
	make --no-print-directory -C "$work/guest-driver" \
	KDIR="$kdir" BUILD_DIR="$work/out" "$@"
mkdir -p "$out"
for f in tlgpu.ko tlgpu_conftest.h; do
	cmp -s "$root$work/out/$f" "$out/$f" || cp "$root$work/out/$f" "$out/$f"
done
