#!/usr/bin/env bash
# What a sharded CI test job needs, copied out of build/ (whose files are
# links into the cache) into one directory that a CI system can pass from
# a build job to a test job:
#
#   artifacts.sh guest FLAVOR DIR     DIR/kernel/FLAVOR/{vmlinuz,release},
#                                     DIR/initramfs-FLAVOR.cpio.gz
#   artifacts.sh qemu DIR NAME...     DIR/NAME/{qemu-system-x86_64,tlgpu-test,
#                                     qemu-bundle/} for NAME in qemu, qemu-asan,
#                                     qemu-10.0...
#   artifacts.sh verify DIR           check every manifest in DIR
#
# Each build writes DIR/MANIFEST-<what>: the checkout's commit (git
# describe --always --dirty) and a sha256sum line per file.  verify fails
# when a file is missing or differs, or when a manifest names another
# commit than this checkout's: test jobs never run another source's build.
set -euo pipefail

TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}

die() { echo "artifacts: $*" >&2; exit 2; }

commit() {
	git -C "$TOP" describe --always --dirty --abbrev=40 2>/dev/null || echo unknown
}

# copy DIR REL SRC: SRC (a file or a link to one) to DIR/REL, a real file.
copy() {
	[ -e "$3" ] || die "$3 missing (build it first: make ${4:-all})"
	mkdir -p "$(dirname "$1/$2")"
	cp -L --preserve=mode "$3" "$1/$2.tmp"
	mv -f "$1/$2.tmp" "$1/$2"
	files+=("$2")
}

# manifest DIR NAME: DIR/MANIFEST-NAME over the files copied.
manifest() {
	local tmp=$1/.MANIFEST-$2.tmp
	{ echo "# tlgpu artifacts: $2"
	  echo "# commit $(commit)"
	  (cd "$1" && sha256sum -- "${files[@]}"); } >"$tmp"
	mv -f "$tmp" "$1/MANIFEST-$2"
	echo "artifacts: $1/MANIFEST-$2 (${#files[@]} files)"
}

files=()
case ${1:-} in
guest)
	[ $# -eq 3 ] || die "usage: artifacts.sh guest FLAVOR DIR"
	flavor=$2 dir=$3
	copy "$dir" "kernel/$flavor/vmlinuz" "$BUILD/kernel/$flavor/vmlinuz" "kernel FLAVOR=$flavor"
	copy "$dir" "kernel/$flavor/release" "$BUILD/kernel/$flavor/release" "kernel FLAVOR=$flavor"
	copy "$dir" "initramfs-$flavor.cpio.gz" "$BUILD/initramfs-$flavor.cpio.gz" \
		"initramfs FLAVOR=$flavor"
	manifest "$dir" "guest-$flavor"
	;;
qemu)
	[ $# -ge 3 ] || die "usage: artifacts.sh qemu DIR NAME..."
	dir=$2; shift 2
	for name; do
		files=()
		case $name in
		qemu|qemu-asan|qemu-[0-9]*.[0-9]*) ;;
		*) die "'$name' is not a QEMU build (qemu, qemu-asan, qemu-<version>)" ;;
		esac
		for f in qemu-system-x86_64 tlgpu-test; do
			copy "$dir" "$name/$f" "$BUILD/$name/$f" "$name"
		done
		# The firmware bundle QEMU looks for beside its executable
		# (links to Debian's SeaBIOS and option ROMs, which make deps
		# installs wherever the job runs: kept as links).
		bundle=$(dirname "$(readlink -f "$BUILD/$name/qemu-system-x86_64")")/qemu-bundle
		[ -d "$bundle" ] || die "$bundle missing (build it again: make $name)"
		rm -rf "$dir/$name/qemu-bundle"
		cp -a "$bundle" "$dir/$name/qemu-bundle"
		while IFS= read -r f; do
			files+=("$f")
		done < <(cd "$dir" && find "$name/qemu-bundle" \( -type f -o -type l \) | sort)
		manifest "$dir" "$name"
	done
	;;
verify)
	[ $# -eq 2 ] || die "usage: artifacts.sh verify DIR"
	dir=$2 here=$(commit) n=0
	[ -d "$dir" ] || die "no artifacts directory $dir"
	for m in "$dir"/MANIFEST-*; do
		[ -f "$m" ] || continue
		n=$((n + 1))
		theirs=$(sed -n 's/^# commit //p' "$m")
		[ "$theirs" = "$here" ] ||
			die "${m##*/} was built from $theirs, this checkout is $here"
		(cd "$dir" && grep -v '^#' "${m##*/}" | sha256sum --quiet -c -) ||
			die "${m##*/}: files missing or changed in $dir"
	done
	[ "$n" -gt 0 ] || die "no MANIFEST-* in $dir: not made by make artifacts"
	echo "artifacts: $n manifests in $dir match commit $here"
	;;
*)
	die "usage: artifacts.sh guest FLAVOR DIR | qemu DIR NAME... | verify DIR"
	;;
esac
