#!/usr/bin/env bash
# Build build/initramfs-FLAVOR.cpio.gz: busybox, the DRM modules tlgpu
# needs with their modules.dep closure, build/driver-FLAVOR/tlgpu.ko, the
# guest userspace installed from build/userspace with the shared libraries
# it links, and images/init.  A debug flavour adds the kernel's own
# selftests: dmabuf_selftests.ko (6.x) or the dma-buf and scheduler KUnit
# modules (7.x), sync_test (built by build-debug-kernel.sh) and the suites
# of images/tests-debug/ that apply.  Always rebuilt from scratch: it
# takes seconds.
#
# usage: mkinitramfs.sh FLAVOR
# env:   TLGPU_KO (default $BUILD/driver-FLAVOR/tlgpu.ko),
#        USERSPACE_BUILD (default $BUILD/userspace, a meson build dir)
set -euo pipefail

FLAVOR=${1:?usage: mkinitramfs.sh FLAVOR}
TOP=${TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BUILD:-$TOP/build}
KOUT=$BUILD/kernel/$FLAVOR
TLGPU_KO=${TLGPU_KO:-$BUILD/driver-$FLAVOR/tlgpu.ko}
USERSPACE_BUILD=${USERSPACE_BUILD:-$BUILD/userspace}
OUT=$BUILD/initramfs-$FLAVOR.cpio.gz
STAGE=$BUILD/initramfs-$FLAVOR
ROOT=$STAGE/root

# In-tree modules the driver and the tests need; their dependencies are
# added from modules.dep, tlgpu.ko's own from its modinfo.
MODULES=(drm drm_shmem_helper gpu-sched vgem)
# The debug suites load dmabuf_selftests themselves (not at boot).
# A debug flavour is "debug" (6.1) or "<kernel>-debug".
case $FLAVOR in debug|*-debug) DEBUG=1 ;; *) DEBUG= ;; esac
# The kernel's own tests the debug suites load (not at boot): the dma-buf
# selftests module on 6.x (kernel-dmabuf.sh), KUnit modules on 7.x
# (kernel-kunit.sh); each suite is installed when its modules are there.
has_module() { [ -n "$(find "$(cat "$KOUT/modules")" -name "$1.ko*" -print -quit 2>/dev/null)" ]; }
DEBUG_SUITES=()
if [ -n "$DEBUG" ]; then
	has_module dmabuf_selftests && MODULES+=(dmabuf_selftests) DEBUG_SUITES+=(kernel-dmabuf.sh)
	for m in dmabuf_kunit drm-sched-tests; do
		has_module "$m" && MODULES+=("$m")
	done
	has_module dmabuf_kunit && DEBUG_SUITES+=(kernel-kunit.sh)
	DEBUG_SUITES+=(kernel-sync.sh zz-kmemleak.sh)
fi

die() { echo "mkinitramfs: $*" >&2; exit 1; }
log() { echo "mkinitramfs: $*"; }

for f in release modules vmlinuz; do
	[ -e "$KOUT/$f" ] || die "$KOUT/$f missing: fetch or build the $FLAVOR kernel first"
done
[ -f "$TLGPU_KO" ] || die "$TLGPU_KO missing: build the driver first"
release=$(cat "$KOUT/release")
kmods=$(cat "$KOUT/modules")
[ -f "$kmods/modules.dep" ] || die "$kmods/modules.dep missing (run depmod on the kernel)"

rm -rf "$STAGE"
mkdir -p "$ROOT"

# --- skeleton: merged /usr like the host, so library paths match ldd's ---
mkdir -p "$ROOT"/{usr/bin,usr/sbin,usr/lib,usr/lib64,dev,proc,sys,tmp,run,root,etc}
for d in bin sbin lib lib64; do
	ln -s "usr/$d" "$ROOT/$d"
done
# The kernel opens /dev/console for /init before devtmpfs is mounted.
mknod -m 0600 "$ROOT/dev/console" c 5 1 || die "mknod needs root"
echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOT/etc/passwd"
echo 'root:x:0:' >"$ROOT/etc/group"
echo "PS1='tlgpu:\\w# '" >"$ROOT/etc/profile"
install -m 0755 "$TOP/images/init" "$ROOT/init"

# --- busybox and its applet links (busybox --install -s, at build time) ---
install -m 0755 "$(command -v busybox)" "$ROOT/bin/busybox"
ldd "$ROOT/bin/busybox" >/dev/null 2>&1 &&
	die "$(command -v busybox) is dynamic: install busybox-static"
for applet in $(busybox --list-full); do
	[ -e "$ROOT/$applet" ] || [ -L "$ROOT/$applet" ] || ln -s /bin/busybox "$ROOT/$applet"
done

# --- kernel modules: the closure of MODULES and tlgpu.ko's depends ---
# modules.dep lines read "kernel/a/b.ko: kernel/c.ko kernel/d.ko" and list
# the whole closure; module names compare with '-' and '_' alike.
want=$(printf '%s\n' "${MODULES[@]}"; modinfo -F depends "$TLGPU_KO" | tr , '\n')
modname='function modname(p) { sub(/.*\//, "", p); sub(/\.ko.*/, "", p); gsub(/-/, "_", p); return p }'
closure=$(awk -v want="$(tr - _ <<<"$want")" "$modname"'
	BEGIN { split(want, w, "\n"); for (i in w) if (w[i] != "") need[w[i]] = 1 }
	{
		m = modname($1)
		if (m in need) {
			found[m] = 1
			for (i = 1; i <= NF; i++) { sub(/:$/, "", $i); print $i }
		}
	}
	END { for (m in need) if (!(m in found)) print "NOTMODULE:" m }
' "$kmods/modules.dep" | sort -u)
builtin=$(awk "$modname"' { print modname($0) }' "$kmods/modules.builtin")
for rel in $closure; do
	case $rel in
	NOTMODULE:*)
		grep -qx "${rel#NOTMODULE:}" <<<"$builtin" ||
			die "module ${rel#NOTMODULE:} is neither in modules.dep nor built in" ;;
	esac
done
closure=$(grep -v '^NOTMODULE:' <<<"$closure" || true)

# tlgpu.ko must have been built for this very kernel.
vermagic=$(modinfo -F vermagic "$TLGPU_KO" | cut -d' ' -f1)
[ "$vermagic" = "$release" ] ||
	die "$TLGPU_KO was built for $vermagic, not for this flavour's kernel $release"

# Debian 13 on compresses its modules (.ko.xz); busybox modprobe loads
# plain .ko only, so they go in decompressed (depmod below renames them).
dst=$ROOT/lib/modules/$release
mkdir -p "$dst/extra"
for rel in $closure; do
	mkdir -p "$dst/$(dirname "$rel")"
	case $rel in
	*.ko.xz)  xz -dc "$kmods/$rel" >"$dst/${rel%.xz}" ;;
	*.ko.zst) zstd -qdc "$kmods/$rel" >"$dst/${rel%.zst}" ;;
	*.ko.gz)  gzip -dc "$kmods/$rel" >"$dst/${rel%.gz}" ;;
	*)        cp "$kmods/$rel" "$dst/$rel" ;;
	esac
done
install -m 0644 "$TLGPU_KO" "$dst/extra/tlgpu.ko"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$kmods/$f" ] && cp "$kmods/$f" "$dst/$f"
done
depmod -b "$ROOT" "$release"
log "modules: $(xargs -n1 basename <<<"$closure" | sort | xargs) extra/tlgpu.ko"

# --- guest userspace: every file meson installs, minus development files ---
ustage=$STAGE/userspace
mkdir -p "$ustage"
if [ -f "$USERSPACE_BUILD/build.ninja" ]; then
	DESTDIR=$ustage meson install -C "$USERSPACE_BUILD" --quiet >/dev/null
else
	log "no userspace build in $USERSPACE_BUILD: initramfs without tools and tests"
fi
rm -rf "$ustage/usr/include" "$ustage/usr/share/pkgconfig"
find "$ustage" \( -name '*.a' -o -name pkgconfig \) -prune -exec rm -rf {} +
cp -a "$ustage/." "$ROOT/"
rm -rf "$ustage"

# --- debug flavour: the kernel's selftests and the suites that run them ---
if [ -n "$DEBUG" ]; then
	[ -f "$KOUT/selftests" ] || die "$KOUT/selftests missing: run images/build-debug-kernel.sh"
	selftests=$(cat "$KOUT/selftests")
	[ -x "$selftests/sync_test" ] || die "$selftests/sync_test missing"
	install -D -m 0755 "$selftests/sync_test" "$ROOT/usr/lib/tlgpu/kselftest/sync_test"
	mkdir -p "$ROOT/usr/lib/tlgpu/tests"
	for t in "${DEBUG_SUITES[@]}"; do
		install -m 0755 "$TOP/images/tests-debug/$t" "$ROOT/usr/lib/tlgpu/tests/"
	done
	# Its slow selftest alone may take 900 s (kernel-dmabuf.sh says why).
	[ -f "$ROOT/usr/lib/tlgpu/tests/kernel-dmabuf.sh" ] &&
		echo 1500 >"$ROOT/usr/lib/tlgpu/tests/kernel-dmabuf.sh.timeout"
	# The kernel's own leaks zz-kmemleak.sh knows (a kernel bug each).
	install -m 0644 "$TOP/images/tests-debug/known-leaks.txt" "$ROOT/usr/lib/tlgpu/known-leaks.txt"
	log "debug suites: ${DEBUG_SUITES[*]}"
fi

# --- IGT: the tests build-igt.sh built (build/igt), and the suite that
# runs them with the flavour's skip list; without IGT the suite says why ---
IGT_OUT=${IGT_OUT:-$BUILD/igt}
igt=$ROOT/usr/lib/tlgpu/igt
mkdir -p "$igt" "$ROOT/usr/lib/tlgpu/tests"
install -m 0755 "$TOP/guest-userspace/igt/igt-suite.sh" "$ROOT/usr/lib/tlgpu/tests/igt"
echo 3600 >"$ROOT/usr/lib/tlgpu/tests/igt.timeout"
if [ -f "$IGT_OUT/.complete" ]; then
	cp -a "$IGT_OUT/tests" "$IGT_OUT/lib" "$IGT_OUT/tests.txt" "$igt/"
	[ -f "$TOP/ci/igt/$FLAVOR-skips.txt" ] && cp "$TOP/ci/igt/$FLAVOR-skips.txt" "$igt/skips.txt"
	log "IGT: $(wc -l <"$IGT_OUT/tests.txt") tests"
elif [ -f "$IGT_OUT/unavailable" ]; then
	cp "$IGT_OUT/unavailable" "$igt/unavailable"
	log "IGT unavailable: $(cat "$IGT_OUT/unavailable")"
else
	echo "IGT was not built (make igt)" >"$igt/unavailable"
	log "no IGT build in $IGT_OUT: the igt suite will report it"
fi

# --- shared libraries of every installed ELF, with the dynamic loader ---
is_elf() { [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }
libpath=$(find "$ROOT/usr" -name '*.so*' -printf '%h\n' | sort -u | paste -sd:)
declare -A libs=()
while IFS= read -r -d '' f; do
	is_elf "$f" || continue
	while read -r lib; do
		libs[$lib]=1
	done < <(LD_LIBRARY_PATH=$libpath ldd "$f" 2>/dev/null |
		awk -v root="$ROOT" '
			/not found/ { print "MISSING:" $1; next }
			$2 == "=>" && $3 ~ /^\// && index($3, root) != 1 { print $3 }
			$1 ~ /^\// { print $1 }')
done < <(find "$ROOT/usr" -path "$ROOT/usr/lib/modules" -prune -o -type f -print0)
# glibc loads libgcc_s at run time for pthread_exit/pthread_cancel (IGT's
# threads): no ldd names it.
libgcc_s=$(ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ && !p { p = $NF } END { print p }')
[ -n "$libgcc_s" ] || die "libgcc_s.so.1 not found (ldconfig -p)"
libs[$libgcc_s]=1
for lib in "${!libs[@]}"; do
	case $lib in
	MISSING:*) die "a userspace binary needs ${lib#MISSING:}, found nowhere" ;;
	esac
	mkdir -p "$ROOT$(dirname "$lib")"
	[ -e "$ROOT$lib" ] || cp -L "$lib" "$ROOT$lib"
done

# --- the archive ---
(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner 0:0 --quiet) | gzip -n -6 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
rm -rf "$STAGE"
log "wrote $OUT ($(du -h "$OUT" | cut -f1))"
