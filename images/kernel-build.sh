# Sourced by images/build-debug-kernel.sh: the steps that turn a kernel
# source tree into a debug guest kernel (configure, build, install the
# modules, build the sync selftest).  This file is part of every debug
# kernel's cache key (and the fragments are), build-debug-kernel.sh is not:
# choosing a source and writing pointers do not change what is built.
#
# Each step takes SRC (the source tree) and OBJ (where the build goes: SRC
# itself for a packaged linux-source, unpacked for us; a directory of our
# own for a tree that is somebody else's, KERNEL_SRC, built with O=).
# Callers define: die, log, fragments (the config fragments in order) and
# DIR (the cache entry).

# make in the tree: in place, or out of tree with O=.
kb_make() {	# SRC OBJ ARGS...
	local src=$1 obj=$2
	shift 2
	if [ "$src" = "$obj" ]; then make -C "$src" "$@"; else make -C "$src" O="$obj" "$@"; fi
}

# Every option of the fragments as it ended up in .config: "CONFIG_X=v"
# must appear as such; "# CONFIG_X is not set" must not be set to anything.
kb_verify_config() {	# CONFIG
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

# x86_64_defconfig + the fragments, checked option by option.
kb_configure() {	# SRC OBJ
	local src=$1 obj=$2
	mkdir -p "$obj"
	kb_make "$src" "$obj" -s x86_64_defconfig
	fragments >"$DIR/fragment.config"
	(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" "$DIR/fragment.config" \
		>"$DIR/merge_config.log" 2>&1) ||
		{ cat "$DIR/merge_config.log" >&2; die "merge_config.sh failed"; }
	kb_make "$src" "$obj" -s olddefconfig
	kb_verify_config "$obj/.config"
}

# bzImage and modules; the modules installed into $DIR/root.  Prints the
# release.  REQUIRED_MODULES must have been built.
kb_build() {	# SRC OBJ JOBS
	local src=$1 obj=$2 jobs=$3 release modules m f
	log "building bzImage and modules in $obj with -j$jobs (8-9 min on 2 idle cores)"
	kb_make "$src" "$obj" -j"$jobs" bzImage modules >&2
	release=$(kb_make "$src" "$obj" -s kernelrelease)
	[ -n "$release" ] || die "make kernelrelease gave nothing"

	log "installing modules of $release into $DIR/root"
	rm -rf "$DIR/root"
	kb_make "$src" "$obj" -s INSTALL_MOD_PATH="$DIR/root" modules_install >&2
	modules=$DIR/root/lib/modules/$release
	[ -f "$modules/modules.dep" ] || die "modules_install wrote no $modules/modules.dep"
	for m in "${REQUIRED_MODULES[@]}"; do
		[ -n "$(find "$modules/kernel" -name "$m.ko*" -print -quit)" ] ||
			die "module $m was not built (check the fragments)"
	done
	# For M= builds: the tree must hold everything modpost and kbuild need.
	for f in Module.symvers scripts/mod/modpost scripts/basic/fixdep include/config/auto.conf; do
		[ -e "$obj/$f" ] || die "$obj/$f missing: the tree is not usable as KDIR"
	done
	echo "$release"
}

# The sync selftest (kselftest TAP), static, against this tree's uAPI, into
# $DIR/selftests.  Built from a copy beside the original (same relative
# includes; for a tree built with O=, in a tree of symlinks to it, so the
# source tree is never written) whose three stress tests run fewer rounds:
# as written they take ~10 min under TCG with this kernel (2^16
# ping-pongs, 2^12 producer/consumer rounds with two busy-waiting threads,
# 2^15 merges).  Each count is a power of two, so the tests keep their
# busy-wait and random-merge paths.
kb_selftests() {	# SRC OBJ
	local src=$1 obj=$2 top sync_src
	log "building tools/testing/selftests/sync (stress rounds scaled down for TCG)"
	kb_make "$src" "$obj" -s headers
	top=$src
	if [ "$src" != "$obj" ]; then
		top=$DIR/selftest-tree
		rm -rf "$top"
		mkdir -p "$top"
		cp -as "$src/tools" "$src/scripts" "$src/Makefile" "$top/"
	fi
	sync_src=$top/tools/testing/selftests/sync-tlgpu
	rm -rf "$sync_src" "$DIR/selftests"
	cp -rL "$top/tools/testing/selftests/sync" "$sync_src"
	replace_once "$sync_src/sync_stress_parallelism.c" 'iterations = 1 << 16;' 'iterations = 1 << 10;'
	replace_once "$sync_src/sync_stress_consumer.c" 'iterations = 1 << 12;' 'iterations = 1 << 8;'
	replace_once "$sync_src/sync_stress_merge.c" 'merge_count = 1024 * 32;' 'merge_count = 1024 * 4;'
	mkdir -p "$DIR/selftests"
	make -C "$sync_src" -s OUTPUT="$DIR/selftests" \
		KHDR_INCLUDES="-isystem $obj/usr/include" LDFLAGS="-static -pthread"
	[ -x "$DIR/selftests/sync_test" ] || die "sync_test was not built"
	rm -f "$DIR/selftests"/*.o
}

# Replace the literal text OLD in FILE by NEW, or fail if OLD is gone.
replace_once() {	# FILE OLD NEW
	local re
	grep -qF "$2" "$1" || die "${1##*/} has no '$2' any more: update images/kernel-build.sh"
	re=$(printf '%s' "$2" | sed 's/[][\\.*^$/]/\\&/g')
	sed -i "s/$re/$3/" "$1"
}
