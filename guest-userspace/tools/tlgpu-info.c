/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-info: describe every tlgpu device of the machine.
 *
 * For each tlgpu render node prints its path, PCI slot, device version,
 * timelines, capabilities, address spaces, reset count and the driver's
 * capabilities on this kernel.  Exits 0 when
 * at least one device was found and fully described, 1 otherwise.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <xf86drm.h>

#include "tlgpu.h"

static const char *device_cap_name(uint64_t bit)
{
	return bit >> 32 ? NULL : tlgpu_cap_name(bit);
}

/* "LABEL 0x... (name name ...)": @caps by the names @name_of gives. */
static void print_caps(const char *label, uint64_t caps,
		       const char *(*name_of)(uint64_t bit))
{
	const char *sep = "";
	uint64_t bit;

	printf("  %-16s 0x%08llx (", label, (unsigned long long)caps);
	for (bit = 1; bit && bit <= caps; bit <<= 1) {
		const char *name;

		if (!(caps & bit))
			continue;
		name = name_of(bit);
		if (name)
			printf("%s%s", sep, name);
		else
			printf("%sunknown-0x%llx", sep, (unsigned long long)bit);
		sep = " ";
	}
	printf(")\n");
}

static int print_pci_slot(int fd)
{
	drmDevicePtr dev;
	int ret;

	ret = drmGetDevice2(fd, 0, &dev);
	if (ret) {
		printf("  %-16s unknown (%s)\n", "pci slot:", strerror(-ret));
		return ret;
	}
	if (dev->bustype != DRM_BUS_PCI) {
		printf("  %-16s not a PCI device\n", "pci slot:");
		drmFreeDevice(&dev);
		return -ENODEV;
	}
	printf("  %-16s %04x:%02x:%02x.%x\n", "pci slot:",
	       dev->businfo.pci->domain, dev->businfo.pci->bus,
	       dev->businfo.pci->dev, dev->businfo.pci->func);
	drmFreeDevice(&dev);

	return 0;
}

/* Returns 0 if every parameter could be read. */
static int describe(const struct tlgpu_node *node)
{
	static const uint32_t params[] = {
		DRM_TLGPU_PARAM_DEVICE_VERSION,
		DRM_TLGPU_PARAM_NUM_TIMELINES,
		DRM_TLGPU_PARAM_CAPS,
		DRM_TLGPU_PARAM_NUM_AS,
		DRM_TLGPU_PARAM_RESET_COUNT,
		DRM_TLGPU_PARAM_DRIVER_CAPS,
	};
	uint64_t val[DRM_TLGPU_PARAM_DRIVER_CAPS + 1];
	int err = 0;
	unsigned int i;

	printf("%s\n", node->path);
	if (print_pci_slot(node->fd))
		err = 1;

	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		int ret = tlgpu_get_param(node->fd, params[i], &val[params[i]]);

		if (ret) {
			fprintf(stderr, "tlgpu-info: %s: get-param %s: %s\n",
				node->path, tlgpu_param_name(params[i]),
				strerror(-ret));
			return 1;
		}
	}

	printf("  %-16s %llu.%llu\n", "device version:",
	       (unsigned long long)val[DRM_TLGPU_PARAM_DEVICE_VERSION] >> 16,
	       (unsigned long long)val[DRM_TLGPU_PARAM_DEVICE_VERSION] & 0xffff);
	printf("  %-16s %llu\n", "timelines:",
	       (unsigned long long)val[DRM_TLGPU_PARAM_NUM_TIMELINES]);
	print_caps("caps:", val[DRM_TLGPU_PARAM_CAPS], device_cap_name);
	printf("  %-16s %llu\n", "address spaces:",
	       (unsigned long long)val[DRM_TLGPU_PARAM_NUM_AS]);
	printf("  %-16s %llu\n", "reset count:",
	       (unsigned long long)val[DRM_TLGPU_PARAM_RESET_COUNT]);
	print_caps("driver caps:", val[DRM_TLGPU_PARAM_DRIVER_CAPS],
		   tlgpu_driver_cap_name);

	return err;
}

int main(int argc, char **argv)
{
	struct tlgpu_node nodes[TLGPU_MAX_DEVICES];
	int count, i, err = 0;

	if (argc > 1) {
		fprintf(stderr, "usage: %s\n"
			"Describes every tlgpu device; exits 1 if there is none.\n",
			argv[0]);
		return 2;
	}

	count = tlgpu_open_all(nodes, TLGPU_MAX_DEVICES);
	if (count < 0) {
		fprintf(stderr, "tlgpu-info: looking for tlgpu devices: %s\n",
			strerror(-count));
		return 1;
	}
	if (count == 0) {
		fprintf(stderr, "tlgpu-info: no tlgpu device found\n");
		return 1;
	}

	for (i = 0; i < count; i++) {
		if (i)
			printf("\n");
		err |= describe(&nodes[i]);
	}
	tlgpu_close_all(nodes, count);

	return err;
}
