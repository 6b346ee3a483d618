#!/usr/bin/env bash
# Fetch Debian's current packaged kernel of a release (image, modules,
# headers, kbuild) without installing it: resolve the ABI through
# linux-image-amd64 of the suite, download the .debs into $CACHE/debs,
# unpack the image and modules into build/kernel/<OUTNAME>/root and write
# vmlinuz, release, kdir and modules there for the rest of the build.
#
# usage: fetch-stock-kernel.sh [KVER [OUTNAME]]
#   KVER     6.1 (default; Debian 12, the host's own apt), 6.12 (trixie) or
#            7.2 (sid), the latter two through scripts/apt-suite.sh
#   OUTNAME  default <KVER>-stock
#
# 6.1's headers run on the host: they are unpacked beside the image and
# kdir points there.  6.12's and 7.2's need their release's gcc and glibc:
# they go into a build root of that release (images/buildroot.sh), whose
# path is written to build/kernel/<OUTNAME>/buildroot, and kdir is the
# headers' path inside it.  Idempotent: does nothing when the same ABI is
# already unpacked.
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}
CACHE=${CACHE:-${TLGPU_CACHE:-$HOME/.cache/tlgpu}}
KVER=${1:-6.1}
. "$TOP/scripts/apt-suite.sh"
SUITE=$(kernel_suite "$KVER") ||
	{ echo "fetch-stock-kernel: KVER is 6.1, 6.12 or 7.2, not '$KVER'" >&2; exit 2; }
OUT=$BUILD/kernel/${2:-$KVER-stock}
ROOT=$OUT/root
DEBS=$CACHE/debs

die() { echo "fetch-stock-kernel: $*" >&2; exit 1; }
log() { echo "fetch-stock-kernel: $*" >&2; }

# The meta package depends on exactly one linux-image-<abi>-amd64.
resolve_abi() {
	local re=${KVER//./\\.}
	apt_for apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n "s/^ *Depends: linux-image-\\($re\\.[0-9][^ ]*\\)-amd64\$/\\1/p" |
		head -n 1
}

# The packages a package depends on, one per line.
depends_of() {
	apt_for apt-cache depends "$1" 2>/dev/null | sed -n 's/^ *|\{0,1\}Depends: //p'
}

# Download <pkg>=<ver> into $DEBS unless present and append its path to
# the debs array.  apt-get download names files <pkg>_<ver>_<arch>.deb.
debs=()
fetch_deb() {
	local pkg=$1 ver=$2 found
	found=$(find "$DEBS" -maxdepth 1 -name "${pkg}_${ver//:/%3a}_*.deb" -size +0 | head -n 1)
	if [ -z "$found" ]; then
		log "downloading $pkg $ver"
		(cd "$DEBS" && apt_for apt-get download -q -o APT::Sandbox::User=root \
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

if [ -n "$SUITE" ]; then
	hdr_kdir=/usr/src/linux-headers-$release	# inside the build root
else
	hdr_kdir=$ROOT/usr/src/linux-headers-$release
fi

# kdir holds an absolute path: a moved tree is unpacked again.
if [ -f "$OUT/abi" ] && [ "$(cat "$OUT/abi")" = "$abi" ] && [ -e "$OUT/vmlinuz" ] &&
   [ "$(cat "$OUT/kdir" 2>/dev/null)" = "$hdr_kdir" ] &&
   { [ -z "$SUITE" ] || [ -f "$(cat "$OUT/buildroot" 2>/dev/null)/.complete" ]; }; then
	log "kernel $release already fetched"
	exit 0
fi

# The image; from 7.x Debian splits it into the kernel binary, the modules
# and a base (modules.builtin, System.map, config), which the image package
# depends on.
img_pkgs=(linux-image-$release)
for p in linux-binary-$release linux-modules-$release linux-base-$release; do
	depends_of "linux-image-$release" | grep -qx "$p" && img_pkgs+=("$p")
done
# The headers, their -common part and kbuild come from the same source
# package, so they share a version; pin them to it rather than to their own
# (possibly newer) one.
hdr_pkg=linux-headers-$release
hdr_ver=$(candidate_version "$hdr_pkg")
[ -n "$hdr_ver" ] || die "no candidate for $hdr_pkg"
kbuild_pkg=$(depends_of "$hdr_pkg" | grep -m1 '^linux-kbuild-') ||
	die "$hdr_pkg depends on no linux-kbuild package"
hdr_pkgs=("$hdr_pkg" "linux-headers-$abi-common" "$kbuild_pkg")

mkdir -p "$DEBS"
for p in "${img_pkgs[@]}"; do
	v=$(candidate_version "$p")
	[ -n "$v" ] || die "no candidate for $p"
	fetch_deb "$p" "$v"
done
img_debs=("${debs[@]}")
debs=()
for p in "${hdr_pkgs[@]}"; do
	fetch_deb "$p" "$hdr_ver"
done
hdr_debs=("${debs[@]}")
debs=("${img_debs[@]}" "${hdr_debs[@]}")

# Older packages of this kernel release only take space now.
for deb in "$DEBS"/linux-{image,headers,kbuild,binary,modules}-"$KVER".[0-9]*.deb \
	   "$DEBS"/linux-kbuild-"$KVER"_*.deb; do
	[ -e "$deb" ] || continue
	[[ " ${debs[*]} " == *" $deb "* ]] || rm -f "$deb"
done

log "unpacking $release into $ROOT"
rm -rf "$OUT"
mkdir -p "$ROOT"
if [ -n "$SUITE" ]; then unpack=("${img_debs[@]}"); else unpack=("${debs[@]}"); fi
for deb in "${unpack[@]}"; do
	dpkg-deb -x "$deb" "$ROOT"
done

# /lib/modules, or /usr/lib/modules in the merged-/usr releases (13 on).
modules=$ROOT/lib/modules/$release
[ -d "$modules" ] || modules=$ROOT/usr/lib/modules/$release
# /boot/vmlinuz-<release>, or <modules>/vmlinuz (7.x).
vmlinuz=boot/vmlinuz-$release
[ -f "$ROOT/$vmlinuz" ] || vmlinuz=${modules#"$ROOT"/}/vmlinuz
[ -f "$ROOT/$vmlinuz" ] || die "no vmlinuz in ${img_pkgs[*]}"
[ -d "$modules/kernel" ] || die "no modules in ${img_pkgs[*]}"

# lib/modules/<release>/build and source point to /usr/src absolutely;
# scripts/ and tools/ of the headers are relative links to linux-kbuild.
while IFS= read -r -d '' link; do
	relink "$link"
done < <(find "$ROOT" -type l -lname '/*' -print0)

# The package leaves modules.dep to the installer's depmod.
depmod -b "${modules%/lib/modules/*}" "$release"

if [ -n "$SUITE" ]; then
	buildroot=$(bash "$TOP/images/buildroot.sh" "$SUITE" "$release" "${hdr_debs[@]}")
	echo "$buildroot" >"$OUT/buildroot"
else
	kdir=$hdr_kdir
	[ -f "$kdir/Makefile" ] || die "no headers in $hdr_pkg"
	# Every link the module build needs must now resolve inside $ROOT.
	for p in "$kdir/scripts/Makefile.build" "$kdir/scripts/basic/fixdep" \
		 "$kdir/scripts/mod/modpost" "$kdir/tools" "$kdir/include/config/auto.conf"; do
		[ -e "$p" ] || die "$p does not resolve inside $ROOT"
	done
	# The headers' Makefile includes the -common tree by absolute path.
	sed -i "s|/usr/src/linux-headers-$abi-common|$ROOT/usr/src/linux-headers-$abi-common|g" \
		"$kdir/Makefile"
fi

ln -sfn "root/$vmlinuz" "$OUT/vmlinuz"
echo "$release" >"$OUT/release"
echo "$hdr_kdir" >"$OUT/kdir"
echo "$modules" >"$OUT/modules"
echo "$abi" >"$OUT/abi"
log "kernel $release ready (KDIR=$hdr_kdir${SUITE:+ in $(cat "$OUT/buildroot")})"
