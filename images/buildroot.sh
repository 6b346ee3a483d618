#!/usr/bin/env bash
# A build root for out-of-tree modules against a packaged Debian kernel
# whose toolchain the host cannot run: Debian 13's 6.12 headers name gcc 14,
# unstable's 7.2 headers gcc 16, and their kbuild tools (modpost, fixdep,
# objtool) are linked against that release's glibc.  The root is a minimal
# Debian of that release made with mmdebstrap from the host's own mirror
# (scripts/apt-suite.sh derives it; the host's sources are untouched), with
# the kernel's header packages unpacked into it, so that
# /usr/src/linux-headers-<release> inside it is a KDIR.
#
# usage: buildroot.sh SUITE RELEASE DEB...
#   SUITE    trixie, sid ...
#   RELEASE  the kernel release (uname -r) the headers are for
#   DEB      the header .debs to unpack (linux-headers-*, linux-kbuild-*)
# Prints the root's path.  Cached in $CACHE/buildroot-<suite>-<key>, <key>
# hashing the suite, the package list, the .debs and this script; an entry
# is written once (made under .tmp, renamed when complete).  The newest 4
# entries are kept.
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
CACHE=${CACHE:-${TLGPU_CACHE:-$HOME/.cache/tlgpu}}
. "$TOP/scripts/apt-suite.sh"

die() { echo "buildroot: $*" >&2; exit 1; }
log() { echo "buildroot: $*" >&2; }

[ $# -ge 3 ] || { sed -n '2,19p' "$0" >&2; exit 2; }
suite=$1 release=$2
shift 2
command -v mmdebstrap >/dev/null || die "mmdebstrap missing: run 'make deps'"

# What kbuild runs: make, the compiler the headers name, the libraries of
# the kbuild tools, pahole (BTF of modules, skipped without a vmlinux).
compiler=$(for deb in "$@"; do dpkg-deb -f "$deb" Depends; done | tr ',|' '\n\n' |
	sed -n 's/^ *\(gcc-[0-9][0-9]*\(-for-host\)\{0,1\}\)\( .*\)\{0,1\}$/\1/p' | sort -u | head -n 1)
[ -n "$compiler" ] || die "the header packages name no gcc-N"
packages=make,"$compiler",libc6-dev,libelf1t64,libssl3t64,zlib1g,pahole,kmod

key=$( { echo "$suite $release $packages"; sha256sum "$@" | cut -d' ' -f1; cat "$0"; } |
	sha256sum | cut -c1-16)
root=$CACHE/buildroot-$suite-$key
if [ -f "$root/.complete" ]; then
	echo "$root"
	exit 0
fi

exec 9>"$root.lock"
flock 9
if [ ! -f "$root/.complete" ]; then
	read -r uri keyring < <(_apt_suite_origin)
	tmp=$root.tmp
	rm -rf "$tmp"
	log "mmdebstrap $suite with $packages into $tmp"
	# The archive's Release files are signed and checked; their Valid-Until
	# is not (a mirror that stopped syncing still serves a consistent sid,
	# and apt-get update already treats it so).
	mmdebstrap --quiet --mode=root --variant=minbase --include="$packages" \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--keyring="$keyring" "$suite" "$tmp" "$uri" >&2 ||
		die "mmdebstrap $suite failed"
	for deb in "$@"; do
		dpkg-deb -x "$deb" "$tmp"
	done
	[ -f "$tmp/usr/src/linux-headers-$release/Makefile" ] ||
		die "no /usr/src/linux-headers-$release in the header packages"
	# The package leaves this to its postinst.
	mkdir -p "$tmp/lib/modules/$release"
	ln -sfn "/usr/src/linux-headers-$release" "$tmp/lib/modules/$release/build"
	unshare --mount --fork --mount-proc="$tmp/proc" chroot "$tmp" make -s -C "/usr/src/linux-headers-$release" kernelrelease >/dev/null ||
		die "the headers' Makefile does not run inside the root"
	touch "$tmp/.complete"
	rm -rf "$root"
	mv "$tmp" "$root"
	log "build root $root ready ($(du -sh "$root" | cut -f1))"
fi
echo "$root"

# Keep the newest 4 entries.
ls -1dt "$CACHE"/buildroot-*/ 2>/dev/null | grep -v '\.tmp/$' | tail -n +5 | while read -r old; do
	old=${old%/}
	( flock -n 9 || exit 0; rm -rf "$old" "$old.lock" ) 9<"$old.lock" 2>/dev/null || true
done
