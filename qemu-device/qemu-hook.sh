# Sourced by build-qemu.sh: graft tlgpu into a freshly unpacked QEMU tree
# at $src.  One line in each build file QEMU reads; the sources stay in this
# repository and are reached through symlinks that build-qemu.sh points at
# the current checkout on every run.  Part of the cache key.
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

tlgpu_link() {
	local src=$1 repo=$2

	ln -sfn "$repo/qemu-device" "$src/hw/tlgpu"
	ln -sfn "$repo/include" "$src/include/tlgpu"
	ln -sfn "$repo/qemu-device/tests/tlgpu-test.c" "$src/tests/qtest/tlgpu-test.c"
	ln -sfn "$repo/qemu-device/tlgpu.mak" \
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
