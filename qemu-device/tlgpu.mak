# Devices of tlgpu's minimal qemu-system-x86_64 (--with-devices-x86_64=tlgpu):
# the q35 machine (it selects its own chipset, serial and firmware devices),
# the i440fx "pc" machine (conventional PCI with ACPI hotplug, for the
# hot-unplug qtest) and tlgpu.  Read by QEMU's Kconfig through the hook in
# build-qemu.sh.
CONFIG_Q35=y
CONFIG_I440FX=y
CONFIG_TLGPU=y
# QEMU 10.x: x86's ACPI always selects ACPI_CXL, whose table code calls into
# hw/cxl; CXL itself is only "default y", which --without-default-devices
# drops, and the link then fails (cxl_fmws_get_all_sorted).  CXL depends on
# the PCI expander bridge, its event code on the type-3 memory device and
# its root port type on the PCIe root port base.
# Harmless on 7.2.
CONFIG_PXB=y
CONFIG_CXL=y
CONFIG_CXL_MEM_DEVICE=y
CONFIG_PCIE_PORT=y
