#!/usr/bin/env python3
"""A LAVA job for one tlgpu flavour on LAVA's QEMU device type.

    lava-job.py --flavor F --artifacts DIR [--url-base URL] [--out JOB]
                [--device-out DEVICE] [--validate]

Renders ci/lava/tlgpu-job.yaml for flavour F from `make artifacts`'s
directory DIR: the kernel and initramfs (deploy to tmpfs, file:// URLs
under DIR unless --url-base names where a LAVA server's worker fetches
them), the guest booted by LAVA's qemu boot method in test mode with its
KTAP on the console (tlgpu_testout=console, console=ttyS0), and one monitor
per suite of that initramfs (read from its cpio listing): LAVA test suite
'tlgpu-<suite>', one LAVA test case per KTAP case, pass or fail (a
skipped case is not reported: LAVA reads a result from one group).
The QEMU to run is the worker's qemu-system-x86_64 (LAVA's qemu device
type runs it from PATH): it must be tlgpu's, DIR/qemu/ of `make
artifacts-qemu`.  --device-out renders LAVA's own qemu device type
(lava-server's qemu.jinja2, unpacked by scripts/lava-tools.sh) with the
job's context: the device configuration a local `lava-run` needs.

--summary LOG reads lava-run's output (its JSON log lines): each tlgpu
suite's cases, a line per failure, 'N passed, N failed' last; exit 1 if a
case failed, none ran, or LAVA's own job result is not pass.

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
# A KTAP result line of a suite, as LAVA's monitor reads it: matched on
# the console stream as it arrives, so only a whole line (up to its
# newline) counts, else a name cut by a read ("modul" of "module-reload")
# would; no skipped case (LAVA takes its result from one group, and a
# skip's 'ok' would read as pass).
PATTERN = r"(?P<result>not ok|ok) \d+ (?P<test_case_id>[^\s#]+)(?![^\r\n]*# SKIP)[^\r\n]*\r?\n"


def suites(initramfs):
    """The suites in an initramfs, in the order the guest runs them."""
    out = subprocess.run(["cpio", "-it", "--quiet"], input=gzip.open(initramfs).read(),
                         capture_output=True, check=True).stdout.decode()
    names = [m.group(1) for m in re.finditer(r"^usr/lib/tlgpu/tests/([^/.\s]+(?:\.sh)?)$",
                                             out, re.M)]
    return ["boot"] + sorted(names)


def render(flavor, artifacts, url_base, tests=None):
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
    names = suites(initrd)
    if tests is not None:  # boot and these suites only (tlgpu_tests=)
        unknown = [t for t in tests if t not in names]
        if unknown:
            raise SystemExit(f"lava-job: no suite {', '.join(unknown)} in {initrd.name}")
        names = ["boot"] + [t for t in names if t in tests]
        kernel_image = next(a["deploy"] for a in job["actions"] if "deploy" in a)["images"]["kernel"]
        kernel_image["image_arg"] = kernel_image["image_arg"].rstrip('"') + \
            f' tlgpu_tests={",".join(tests) or "none"}"'
    test = next(a["test"] for a in job["actions"] if "test" in a)
    test["monitors"] = [{
        "name": f"tlgpu-{s}",
        "start": f"TLGPU-SUITE-BEGIN {s}",
        "end": f"TLGPU-SUITE-END {s}",
        "pattern": PATTERN,
        "fixupdict": {"ok": "pass", "not ok": "fail"},
    } for s in names]
    return job


def lava_root():
    import os
    root = os.environ.get("LAVA_ROOT")
    if not root:
        raise SystemExit("lava-job: LAVA_ROOT (scripts/lava-tools.sh's output) not set")
    return Path(root)


def render_device(job):
    """LAVA's qemu device type rendered with @job's context, as a server would."""
    import jinja2
    types = lava_root() / "usr" / "share" / "lava-server" / "device-types"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(types)), autoescape=False,
                             trim_blocks=True)
    text = env.from_string("{% extends 'qemu.jinja2' %}").render(**job.get("context", {}))
    yaml.safe_load(text)  # a device configuration lava-run can read
    return text


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


def summary(log):
    import json
    passed = failed = 0
    job = None
    for line in Path(log).read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        msg = entry.get("msg")
        if entry.get("lvl") != "results" or not isinstance(msg, dict):
            continue
        if msg.get("definition") == "lava" and msg.get("case") == "job":
            job = msg
        elif str(msg.get("definition", "")).startswith("tlgpu-"):
            case = f"{msg['definition'][len('tlgpu-'):]}.{msg.get('extra', {}).get('test_case_id', msg.get('case'))}"
            if msg.get("result") == "pass":
                passed += 1
            else:
                failed += 1
                print(f"not ok - {case} ({msg.get('result')})")
    if job is None or job.get("result") != "pass":
        print(f"# LAVA job: {job and job.get('result')} {job and job.get('error_msg', '')}")
        failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--summary", type=Path, help="lava-run's output: count its cases")
    ap.add_argument("--flavor")
    ap.add_argument("--artifacts", type=Path)
    ap.add_argument("--url-base", default="")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--device-out", type=Path)
    ap.add_argument("--validate", action="store_true")
    ap.add_argument("--tests", help="comma-separated suites to run (default: all)")
    ap.add_argument("--job", type=Path, help="validate this job file instead of rendering")
    args = ap.parse_args()
    if args.summary:
        return summary(args.summary)
    if not args.job and not (args.flavor and args.artifacts):
        ap.error("--flavor and --artifacts (or --job, or --summary)")
    job = yaml.safe_load(args.job.read_text()) if args.job else \
        render(args.flavor, args.artifacts, args.url_base,
               None if args.tests is None else [t for t in args.tests.split(",") if t])
    text = yaml.safe_dump(job, sort_keys=False, width=100)
    if args.out:
        args.out.write_text(text)
    elif not args.validate:
        print(text, end="")
    if args.device_out:
        args.device_out.write_text(render_device(job))
    if args.validate:
        if not validate(job):
            return 1
        print(f"lava-job: {args.job or args.flavor}: valid "
              f"({len(next(a['test'] for a in job['actions'] if 'test' in a)['monitors'])} "
              "monitors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
