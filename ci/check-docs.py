#!/usr/bin/env python3
"""Check that README.md and `make help` say what the code does.

Cases, written as RESULTS/docs.ktap:
  readme-example-is-the-tool  README's "libtlgpu in 30 lines" block is,
      byte for byte, guest-userspace/tools/tlgpu-example.c (less its
      header comment), which the VM runs (tlgpu-tools.example-runs);
  readme-example-builds       the block builds on the host with the
      command the README gives, against the build tree's tlgpu.pc;
  help-lists-every-target     every .PHONY target of the Makefile is named
      by `make help` and by README.md.
Prints each case and '# docs: N passed, N failed'; exits 1 on a failure.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import ktap

TOP = Path(__file__).resolve().parent.parent


def readme_block(readme):
    m = re.search(r"```c\n(.*?)```", readme, re.S)
    return m.group(1) if m else None


def example_source():
    src = (TOP / "guest-userspace/tools/tlgpu-example.c").read_text()
    # Drop the SPDX line and the comment block the tool adds on top.
    end = src.index("*/\n", src.index("/*\n")) + 3
    return src[end:]


def check_example_is_tool(readme):
    block = readme_block(readme)
    if block is None:
        return ktap.Case("readme-example-is-the-tool", ktap.FAIL, "",
                         ["no ```c block in README.md"])
    if block != example_source():
        return ktap.Case("readme-example-is-the-tool", ktap.FAIL, "",
                         ["README.md's example and guest-userspace/tools/"
                          "tlgpu-example.c differ: edit both together"])
    return ktap.Case("readme-example-is-the-tool", ktap.PASS)


def check_example_builds(readme, build):
    name = "readme-example-builds"
    m = re.search(r"`(cc two\.c [^`]*)`", readme)
    if not m:
        return ktap.Case(name, ktap.FAIL, "", ["no `cc two.c ...` command in README.md"])
    pc_dir = build / "userspace" / "meson-uninstalled"
    if not (pc_dir / "tlgpu-uninstalled.pc").exists():
        return ktap.Case(name, ktap.FAIL, "", [f"{pc_dir}/tlgpu-uninstalled.pc missing: "
                                               "run 'make userspace' first"])
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "two.c").write_text(readme_block(readme))
        cmd = m.group(1).replace("build/", f"{build}/") + " -o two"
        env = dict(os.environ)
        proc = subprocess.run(["sh", "-c", cmd], cwd=tmp, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, check=False)
        if proc.returncode != 0 or not (Path(tmp) / "two").exists():
            return ktap.Case(name, ktap.FAIL, "", [f"$ {cmd}"] + proc.stdout.splitlines()[-20:])
    return ktap.Case(name, ktap.PASS)


def check_help(readme):
    name = "help-lists-every-target"
    makefile = (TOP / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:((?:.*\\\n)*.*)$", makefile, re.M)
    targets = phony.group(1).replace("\\\n", " ").split()
    proc = subprocess.run(["make", "--no-print-directory", "-s", "help"], cwd=TOP,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=False)
    # Internal building blocks that `make` (all) covers.
    internal = {"all", "qemu", "qemu-all", "qemu-asan", "kernel", "driver", "userspace", "initramfs"}
    missing = []
    for t in targets:
        if t in internal:
            continue
        if not re.search(rf"make {re.escape(t)}\b", proc.stdout):
            missing.append(f"`make help` does not name `make {t}`")
        if not re.search(rf"make {re.escape(t)}\b", readme):
            missing.append(f"README.md does not name `make {t}`")
    if missing:
        return ktap.Case(name, ktap.FAIL, "", missing)
    return ktap.Case(name, ktap.PASS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", required=True, type=Path)
    parser.add_argument("--build", type=Path, default=TOP / "build")
    args = parser.parse_args()
    args.results.mkdir(parents=True, exist_ok=True)
    readme = (TOP / "README.md").read_text()
    cases = [check_example_is_tool(readme), check_example_builds(readme, args.build),
             check_help(readme)]
    ktap.write(args.results / "docs.ktap", cases, "tlgpu docs checks")
    _, failed, _ = ktap.report(cases, "docs")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
