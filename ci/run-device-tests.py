#!/usr/bin/env python3
"""Run the tlgpu device qtests and record them as RESULTS/device.ktap.

Runs the GLib qtest binary with QTEST_QEMU_BINARY set and '--tap -k',
reads the TAP it prints (nested subtests and '# SKIP' included), writes
the top-level results as KTAP, prints every case and
'# device: N passed, N failed'.  Exits 1 on a failure, a crash, a plan
that does not match the results, or a run without any test.
"""

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

import ktap


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--qemu", required=True, type=Path)
    parser.add_argument("--test", required=True, type=Path)
    parser.add_argument("--results", required=True, type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds")
    parser.add_argument("--name", default="device",
                        help="results name: NAME.ktap, cases NAME.* (device-asan for the sanitizer build)")
    args = parser.parse_args()
    args.results.mkdir(parents=True, exist_ok=True)

    env = dict(os.environ, QTEST_QEMU_BINARY=str(args.qemu.resolve()))
    cmd = [str(args.test.resolve()), "--tap", "-k"]
    print(f"# {args.name}: {' '.join(cmd)}", flush=True)
    try:
        proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=args.timeout, check=False)
        rc, output, why = proc.returncode, proc.stdout, None
    except subprocess.TimeoutExpired as e:
        rc, output, why = None, e.stdout or b"", f"no end within {args.timeout} s"
    except OSError as e:
        rc, output, why = None, b"", f"cannot run {args.test}: {e.strerror}"
    doc = ktap.parse(output.decode("utf-8", errors="replace").splitlines())
    tail = doc.trailing[-20:]

    cases = list(doc.cases)
    if why:
        cases.append(ktap.Case(f"{args.name}.exit", ktap.FAIL, "", [why] + tail))
    elif rc != 0 and not any(c.result == ktap.FAIL for c in doc.cases):
        # Failures already explain a non-zero status; anything else is a crash.
        status = (f"was killed by {signal.Signals(-rc).name}" if rc < 0
                  else f"exited with status {rc}")
        cases.append(ktap.Case(f"{args.name}.exit", ktap.FAIL, "",
                               [f"{args.test.name} {status}"] + tail))
    if not doc.cases:
        if not why:
            cases.append(ktap.Case(f"{args.name}.no-tests", ktap.FAIL, "",
                                   ["the qtest binary ran no test"] + tail))
    elif ktap.plan_problem(doc):
        cases.append(ktap.Case(f"{args.name}.plan", ktap.FAIL, "", [ktap.plan_problem(doc)]))

    # A sanitizer report need not kill QEMU (UBSan goes on): any is a failure.
    text = output.decode("utf-8", errors="replace").splitlines()
    reports = [i for i, line in enumerate(text)
               if "runtime error:" in line or "ERROR: AddressSanitizer" in line
               or "ERROR: LeakSanitizer" in line]
    if reports:
        first = reports[0]
        cases.append(ktap.Case(f"{args.name}.sanitizers", ktap.FAIL, "",
                               [f"{len(reports)} sanitizer report(s), the first:"]
                               + text[first:first + 30]))
    elif args.name != "device":
        cases.append(ktap.Case(f"{args.name}.sanitizers", ktap.PASS))

    ktap.write(args.results / f"{args.name}.ktap", cases,
               f"tlgpu device qtests ({args.name})")
    _, failed, _ = ktap.report(cases, args.name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
