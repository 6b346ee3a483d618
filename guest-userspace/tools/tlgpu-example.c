/* SPDX-License-Identifier: MIT */
/*
 * tlgpu-example: the "libtlgpu in 30 lines" of README.md, built and
 * installed with the tools so that it runs in the VM as the README says.
 * ci/check-docs.py fails when the two differ: edit both together.
 */
/* Two dependent jobs on two devices: B copies what A fills, no fence by hand. */
#include <stdio.h>
#include <tlgpu.h>

int main(void)
{
	struct tlgpu_node dev[2];
	struct tlgpu_bo a, b, shared;
	struct tlgpu_cmdbuf cb = { 0 };
	int dmabuf, fence;

	if (tlgpu_open_all(dev, 2) < 2 || tlgpu_bo_create(dev[0].fd, 4096, 0, &a) ||
	    tlgpu_bo_export(&a, 0, &dmabuf) || tlgpu_bo_import(dev[1].fd, dmabuf, &shared) ||
	    tlgpu_bo_create(dev[1].fd, 4096, 0, &b))
		return 1;
	struct drm_tlgpu_bo_ref wa = { a.handle, DRM_TLGPU_BO_WRITE };
	tlgpu_cmd_delay(&cb, 200000);                       /* slow job on A */
	tlgpu_cmd_fill(&cb, a.gpu_va, 4096, 0x600dcafe);
	tlgpu_submit_cmdbuf(dev[0].fd, &(struct tlgpu_job){ .bos = &wa, .bo_count = 1 }, &cb, NULL, NULL);
	struct drm_tlgpu_bo_ref rb[] = { { shared.handle, DRM_TLGPU_BO_READ }, { b.handle, DRM_TLGPU_BO_WRITE } };
	tlgpu_cmdbuf_reset(&cb);
	tlgpu_cmd_copy(&cb, b.gpu_va, shared.gpu_va, 4096); /* waits for A implicitly */
	tlgpu_submit_cmdbuf(dev[1].fd, &(struct tlgpu_job){ .flags = DRM_TLGPU_SUBMIT_FENCE_OUT,
			    .bos = rb, .bo_count = 2 }, &cb, &fence, NULL);
	tlgpu_sync_file_wait(fence, 5000);
	tlgpu_bo_map(&b);
	printf("B read %#x: %s\n", *(unsigned *)b.map, tlgpu_sync_file_status(fence) == 1 ? "ok" : "failed");
	return 0;
}
