#!/usr/bin/env python3
"""A LAVA job for one tlgpu flavour on LAVA's QEMU device type.

    lava-job.py --flavor F --artifacts DIR [--url-base URL] [--out JOB]
                [--device-out DEVICE] [--validate]

Renders ci/lava/tlgpu-job.yaml for flavour F from `make artifacts`'s
directory DIR: the kernel and initramfs (deploy to tmpfs, file:// URLs
under DIR unless --url-base names where a LAVA server's worker fetches
them), the guest booted by LAVA's qemu boot method in test mode with its
KTAP on the console (tlgpu_testout=ttyS0, console=ttyS0), and one monitor
per suite of that initramfs (read from its cpio listing): LAVA test suite
'tlgpu-<suite>', one LAVA test case per KTAP case, pass or fail (a
skipped case is not reported: LAVA reads a result from one group).
The QEMU to run is the device's: LAVA's qemu device dictionary names it
(`qemu_binary`); --device-out writes the rendered device configuration
for a local `lava-run` with DIR/qemu/qemu-system-x86_64, the tlgpu QEMU.

--validate checks the job with lava-dispatcher's own schema
(lava_common.schemas.validate, strict), from the packages
scripts/lava-tools.sh unpacks; exit 1 with the schema's message if not.
"""

import argparse
import gzip
import re
import subprocess
import sys
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
sys.path.append("/usr/lib/python3/dist-packages")  # Debian's python3-yaml
import yaml  # noqa: E402

TEMPLATE = TOP / "ci" / "lava" / "tlgpu-job.yaml"
DEVICE = TOP / "ci" / "lava" / "qemu-device.yaml"
# A KTAP result line of a suite, as LAVA's monitor reads it: the whole
# case name (no backing off into a shorter one), and no skipped case (LAVA
# takes its result from one group, and a skip's 'ok' would read as pass).
PATTERN = r"(?P<result>not ok|ok) \d+ (?P<test_case_id>[^\s#]+)(?![^\s#])(?! # SKIP)"


def suites(initramfs):
    """The suites in an initramfs, in the order the guest runs them."""
    out = subprocess.run(["cpio", "-it", "--quiet"], input=gzip.open(initramfs).read(),
                         capture_output=True, check=True).stdout.decode()
    names = [m.group(1) for m in re.finditer(r"^usr/lib/tlgpu/tests/([^/.\s]+(?:\.sh)?)$",
                                             out, re.M)]
    return ["boot"] + sorted(names)


def render(flavor, artifacts, url_base):
    kernel = artifacts / "kernel" / flavor / "vmlinuz"
    initrd = artifacts / f"initramfs-{flavor}.cpio.gz"
    for f in (kernel, initrd):
        if not f.is_file():
            raise SystemExit(f"lava-job: {f} missing (make artifacts FLAVOR={flavor})")
    base = url_base.rstrip("/") if url_base else f"file://{artifacts.resolve()}"
    text = TEMPLATE.read_text()
    for k, v in {"@FLAVOR@": flavor,
                 "@KERNEL_URL@": f"{base}/kernel/{flavor}/vmlinuz",
                 "@INITRD_URL@": f"{base}/initramfs-{flavor}.cpio.gz",
                 "@TIMEOUT_MIN@": "75" if flavor.endswith("-debug") else "35"}.items():
        text = text.replace(k, v)
    job = yaml.safe_load(text)
    test = next(a["test"] for a in job["actions"] if "test" in a)
    test["monitors"] = [{
        "name": f"tlgpu-{s}",
        "start": f"TLGPU-SUITE-BEGIN {s}",
        "end": f"TLGPU-SUITE-END {s}",
        "pattern": PATTERN,
        "fixupdict": {"ok": "pass", "not ok": "fail"},
    } for s in suites(initrd)]
    return job


def validate(job):
    try:
        from lava_common.schemas import validate as lava_validate
        from voluptuous import Invalid
    except ImportError as e:
        raise SystemExit(f"lava-job: no lava_common ({e}): PYTHONPATH from "
                         "scripts/lava-tools.sh") from e
    try:
        lava_validate(job, strict=True)
    except Invalid as e:
        print(f"lava-job: invalid LAVA job: {e} (at {e.path})", file=sys.stderr)
        return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--flavor", required=True)
    ap.add_argument("--artifacts", type=Path, required=True)
    ap.add_argument("--url-base", default="")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--device-out", type=Path)
    ap.add_argument("--validate", action="store_true")
    ap.add_argument("--job", type=Path, help="validate this job file instead of rendering")
    args = ap.parse_args()
    job = yaml.safe_load(args.job.read_text()) if args.job else \
        render(args.flavor, args.artifacts, args.url_base)
    text = yaml.safe_dump(job, sort_keys=False, width=100)
    if args.out:
        args.out.write_text(text)
    elif not args.validate:
        print(text, end="")
    if args.device_out:
        qemu = (args.artifacts / "qemu" / "qemu-system-x86_64").resolve()
        args.device_out.write_text(DEVICE.read_text().replace("@QEMU@", str(qemu)))
    if args.validate:
        if not validate(job):
            return 1
        print(f"lava-job: {args.job or args.flavor}: valid "
              f"({len(next(a['test'] for a in job['actions'] if 'test' in a)['monitors'])} "
              "monitors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
