#!/usr/bin/env bash
# Fetch Debian's current 6.1 kernel (image, headers, kbuild) without
# installing it: resolve the ABI through linux-image-amd64, download the
# .debs into $CACHE/debs, unpack them into build/kernel/stock/root and
# write vmlinuz, release, kdir and modules there for the rest of the build.
# Idempotent: does nothing when the same ABI is already unpacked.
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}
CACHE=${CACHE:-${TLGPU_CACHE:-$HOME/.cache/tlgpu}}
OUT=$BUILD/kernel/stock
ROOT=$OUT/root
DEBS=$CACHE/debs

die() { echo "fetch-stock-kernel: $*" >&2; exit 1; }
log() { echo "fetch-stock-kernel: $*" >&2; }

# The meta package depends on exactly one linux-image-<abi>-amd64.
resolve_abi() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(6\.1\.[0-9]*-[0-9]*\)-amd64$/\1/p' |
		head -n 1
}

candidate_version() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1
}

# Download <pkg>=<ver> into $DEBS unless present and append its path to
# the debs array.  apt-get download names files <pkg>_<ver>_<arch>.deb.
debs=()
fetch_deb() {
	local pkg=$1 ver=$2 found
	found=$(find "$DEBS" -maxdepth 1 -name "${pkg}_${ver//:/%3a}_*.deb" -size +0 | head -n 1)
	if [ -z "$found" ]; then
		log "downloading $pkg $ver"
		(cd "$DEBS" && apt-get download -q -o APT::Sandbox::User=root \
			"$pkg=$ver" >/dev/null) || die "apt-get download $pkg=$ver failed"
		found=$(find "$DEBS" -maxdepth 1 -name "${pkg}_${ver//:/%3a}_*.deb" -size +0 | head -n 1)
	fi
	[ -n "$found" ] || die "no .deb for $pkg $ver in $DEBS after download"
	debs+=("$found")
}

# Turn an absolute symlink inside $ROOT into a relative one so that the
# tree works where it was unpacked and not only at /.
relink() {
	local link=$1 target
	target=$(readlink "$link")
	case $target in
	/*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$ROOT$target")" "$link" ;;
	esac
}

abi=$(resolve_abi)
if [ -z "$abi" ]; then
	# Offline or no package lists: keep a kernel we already have.
	[ -f "$OUT/abi" ] && { log "apt-cache gave no ABI, keeping $(cat "$OUT/abi")"; exit 0; }
	die "cannot resolve linux-image-amd64's ABI (run 'apt-get update' first)"
fi
release=$abi-amd64

# kdir holds an absolute path: a moved tree is unpacked again.
if [ -f "$OUT/abi" ] && [ "$(cat "$OUT/abi")" = "$abi" ] && [ -e "$OUT/vmlinuz" ] &&
   [ "$(cat "$OUT/kdir" 2>/dev/null)" = "$ROOT/usr/src/linux-headers-$release" ]; then
	log "kernel $release already fetched"
	exit 0
fi

# The headers and kbuild come from the same source package, so they share
# a version; pin kbuild to it rather than to its own (possibly newer) one.
img_pkg=linux-image-$release
hdr_pkg=linux-headers-$release
common_pkg=linux-headers-$abi-common
kbuild_pkg=linux-kbuild-6.1
img_ver=$(candidate_version "$img_pkg")
hdr_ver=$(candidate_version "$hdr_pkg")
if [ -z "$img_ver" ] || [ -z "$hdr_ver" ]; then
	die "no candidate for $img_pkg or $hdr_pkg"
fi

mkdir -p "$DEBS"
fetch_deb "$img_pkg" "$img_ver"
fetch_deb "$hdr_pkg" "$hdr_ver"
fetch_deb "$common_pkg" "$hdr_ver"
fetch_deb "$kbuild_pkg" "$hdr_ver"

# Older kernels' packages only take space now.
for deb in "$DEBS"/linux-{image,headers,kbuild}-*.deb; do
	[ -e "$deb" ] || continue
	[[ " ${debs[*]} " == *" $deb "* ]] || rm -f "$deb"
done

log "unpacking $release into $ROOT"
rm -rf "$OUT"
mkdir -p "$ROOT"
for deb in "${debs[@]}"; do
	dpkg-deb -x "$deb" "$ROOT"
done

kdir=$ROOT/usr/src/linux-headers-$release
modules=$ROOT/lib/modules/$release
[ -f "$ROOT/boot/vmlinuz-$release" ] || die "no vmlinuz in $img_pkg"
[ -d "$modules/kernel" ] || die "no modules in $img_pkg"
[ -f "$kdir/Makefile" ] || die "no headers in $hdr_pkg"

# lib/modules/<release>/build and source point to /usr/src absolutely;
# scripts/ and tools/ of the headers are relative links to linux-kbuild.
while IFS= read -r -d '' link; do
	relink "$link"
done < <(find "$ROOT" -type l -lname '/*' -print0)

# Every link the module build needs must now resolve inside $ROOT.
for p in "$kdir/scripts/Makefile.build" "$kdir/scripts/basic/fixdep" \
	 "$kdir/scripts/mod/modpost" "$kdir/tools" "$kdir/include/config/auto.conf"; do
	[ -e "$p" ] || die "$p does not resolve inside $ROOT"
done

# The package leaves modules.dep to the installer's depmod.
depmod -b "$ROOT" "$release"

# The headers' Makefile includes the -common tree by absolute path.
sed -i "s|/usr/src/linux-headers-$abi-common|$ROOT/usr/src/linux-headers-$abi-common|g" \
	"$kdir/Makefile"

ln -sfn "root/boot/vmlinuz-$release" "$OUT/vmlinuz"
echo "$release" >"$OUT/release"
echo "$kdir" >"$OUT/kdir"
echo "$modules" >"$OUT/modules"
echo "$abi" >"$OUT/abi"
log "kernel $release ready (KDIR=$kdir)"
