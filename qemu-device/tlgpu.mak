# Devices of tlgpu's minimal qemu-system-x86_64 (--with-devices-x86_64=tlgpu):
# the q35 machine (it selects its own chipset, serial and firmware devices),
# the i440fx "pc" machine (conventional PCI with ACPI hotplug, for the
# hot-unplug qtest) and tlgpu.  Read by QEMU's Kconfig through the hook in
# build-qemu.sh.
CONFIG_Q35=y
CONFIG_I440FX=y
CONFIG_TLGPU=y
