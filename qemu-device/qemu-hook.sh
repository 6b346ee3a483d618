# Sourced by build-qemu.sh: graft tlgpu into a freshly unpacked QEMU tree
# at $src.  One line in each build file QEMU reads; build-qemu.sh copies the
# device sources in (tlgpu_copy_sources) before every build.  Part of the
# work tree's cache key.
tlgpu_hook() {
	local src=$1

	echo "subdir('tlgpu')" >>"$src/hw/meson.build"
	echo "source tlgpu/Kconfig" >>"$src/hw/Kconfig"
	sed -i "s|^    'hw/misc',$|&\n    'hw/tlgpu',|" "$src/meson.build"
	grep -q "'hw/tlgpu'" "$src/meson.build"
	sed -i "s|^qtests_x86_64 = qtests_i386$|& + (config_all_devices.has_key('CONFIG_TLGPU') ? ['tlgpu-test'] : [])|" \
		"$src/tests/qtest/meson.build"
	grep -q "tlgpu-test" "$src/tests/qtest/meson.build"
}

# Copy this checkout's device sources into the tree by content: rsync -c
# rewrites only files whose bytes differ, so their time stamps (and thus
# ninja's view) change only when the source did.  Copies, not symlinks: a
# symlink would make the tree build whichever checkout pointed it last.
tlgpu_copy_sources() {
	local src=$1 repo=$2

	rm -f "$src/hw/tlgpu" "$src/include/tlgpu" 2>/dev/null || true
	mkdir -p "$src/hw/tlgpu" "$src/include/tlgpu"
	rsync -rc --delete --exclude=tests --exclude='*.sh' \
		"$repo/qemu-device/" "$src/hw/tlgpu/"
	rsync -rc --delete "$repo/include/" "$src/include/tlgpu/"
	rsync -c "$repo/qemu-device/tests/tlgpu-test.c" "$src/tests/qtest/tlgpu-test.c"
	rsync -c "$repo/qemu-device/tlgpu.mak" \
		"$src/configs/devices/x86_64-softmmu/tlgpu.mak"
}

# configure flags: a minimal qemu-system-x86_64.
TLGPU_CONFIGURE_ARGS=(
	--target-list=x86_64-softmmu
	--without-default-features	# no UI, no network backends, no tools
	--without-default-devices	# only what the machine needs ...
	--with-devices-x86_64=tlgpu	# ... plus tlgpu: qemu-device/tlgpu.mak
	--enable-kvm
	--enable-fdt=system		# x86_64 requires libfdt since 7.2
	--enable-trace-backends=log
	--disable-docs
)

# QEMU 10.x: Debian's source has no prebuilt firmware blobs, so none are
# installed into the bundle (Debian's own build says the same); the host's
# firmware is linked in instead (build-qemu.sh).
TLGPU_CONFIGURE_ARGS_10=(
	--disable-install-blobs
)

# The sanitizer variant (build-qemu.sh asan): ASan and UBSan, for the
# device fuzzer.  Same flags otherwise.
TLGPU_SANITIZER_ARGS=(
	--enable-sanitizers		# -fsanitize=address,undefined
)
