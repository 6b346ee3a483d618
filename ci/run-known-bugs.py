#!/usr/bin/env python3
"""Boot the guest in known-bugs mode and judge each reproducer by ci/known-bugs.txt.

The reproducers (guest-userspace/known-bugs/, in /usr/lib/tlgpu/known-bugs)
set up a known kernel bug and print KNOWN-BUG-ARMED <name> before the step
that triggers it, then KNOWN-BUG-DONE <name> status=N (or KNOWN-BUG-SKIP
<name> <reason> when the kernel cannot run it).  The kernel with the bug
reports it on the console and may hang: the host watches both serial
logs, and once a reproducer is armed gives it --hang-seconds to finish
before it counts the bug as shown (a hang) and stops the VM.

A bug is shown when the console has a kernel report (lockdep, BUG,
WARNING...) after the reproducer started, with the list entry's
signature (a regular expression, e.g. a function of the report's stack),
or DONE never comes (a kernel without lockdep just hangs).  Cases, in
RESULTS/known-bugs-FLAVOR.ktap, one per reproducer:
known-bug.<name>, judged by the list's entries for the kernel release.
"""

import argparse
import fnmatch
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import ktap

TOP = Path(__file__).resolve().parent.parent
RUN_VM = TOP / "images" / "run-vm.sh"
LIST = TOP / "ci" / "known-bugs.txt"
REPORT_RE = re.compile(r"possible recursive locking|possible circular locking|BUG:|WARNING:|"
                       r"Kernel panic|KASAN:|inconsistent lock state|soft lockup|"
                       r"hard LOCKUP|rcu_(?:sched|preempt) (?:self-)?detected stall")
LINE_RE = re.compile(r"^(?P<name>\S+)\s+(?P<kernel>\S+)\s+(?P<signature>\S+)\s+#\s*(?P<reason>\S.*)$")


def read_list():
    entries = []
    for num, line in enumerate(LIST.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        m = LINE_RE.match(line)
        if not m:
            sys.exit(f"{LIST}:{num}: expected '<reproducer> <kernel pattern> <signature>  # reason'")
        entries.append(m.groupdict())
    return entries


def read(path):
    try:
        return path.read_bytes().decode("utf-8", errors="replace").replace("\r", "")
    except FileNotFoundError:
        return ""


def watch(args, log, out):
    """Run the VM; stop it once an armed reproducer reported or hung.
    Returns (out text, console text, hung reproducer names)."""
    cmd = ["bash", str(RUN_VM), "--flavor", args.flavor, "--mode", "known-bugs",
           "--devices", "1", "--serial-log", str(log), "--test-out", str(out)]
    print(f"# known-bugs {args.flavor}: {' '.join(cmd[1:])}", flush=True)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True)
    start = time.monotonic()
    armed_at, hung = {}, []
    while proc.poll() is None:
        time.sleep(1)
        text = read(out)
        for name in re.findall(r"^KNOWN-BUG-ARMED (\S+)", text, re.M):
            armed_at.setdefault(name, time.monotonic())
        waiting = [n for n in armed_at
                   if not re.search(rf"^KNOWN-BUG-DONE {re.escape(n)}\b", text, re.M)]
        late = [n for n in waiting if time.monotonic() - armed_at[n] > args.hang_seconds]
        if late or time.monotonic() - start > args.timeout:
            hung = late
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            break
    return read(out), read(log), hung


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flavor", required=True,
                        help="a flavour: <kernel>-stock or <kernel>-debug (6.1-stock, 7.2-debug...), or src-debug")
    parser.add_argument("--results", required=True, type=Path)
    parser.add_argument("--release", required=True, help="the guest kernel's release")
    parser.add_argument("--hang-seconds", type=int, default=60)
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args()
    args.results.mkdir(parents=True, exist_ok=True)
    log = args.results / f"known-bugs-{args.flavor}.log"
    out = args.results / f"known-bugs-{args.flavor}.out"
    entries = read_list()

    text, console, hung = watch(args, log, out)
    names = sorted(set(re.findall(r"^KNOWN-BUG-(?:ARMED|SKIP|DONE|ERROR) (\S+)", text, re.M)))
    cases = []
    for name in names:
        listed = [e for e in entries if e["name"] == name
                  and fnmatch.fnmatchcase(args.release, e["kernel"])]
        skip = re.search(rf"^KNOWN-BUG-SKIP {re.escape(name)} (.*)$", text, re.M)
        error = re.search(rf"^KNOWN-BUG-ERROR {re.escape(name)} (.*)$", text, re.M)
        case = f"known-bug.{name}"
        if skip:
            cases.append(ktap.Case(case, ktap.SKIP, f"cannot be shown on {args.release}: "
                                   + skip.group(1)))
            continue
        if error:
            cases.append(ktap.Case(case, ktap.FAIL, "", [f"the reproducer failed: {error.group(1)}"]))
            continue
        # The console from the reproducer's start on (init says "suite NAME").
        start = console.find(f"tlgpu-init: suite {name}")
        after = console[start:] if start >= 0 else console
        reports = [l for l in after.splitlines() if REPORT_RE.search(l)]
        if listed and reports and not re.search(listed[0]["signature"], after):
            cases.append(ktap.Case(case, ktap.FAIL, "another kernel report",
                                   [f"no '{listed[0]['signature']}' in the console, but:"]
                                   + reports[:6]))
            continue
        shown = bool(reports) or name in hung
        evidence = (reports[:6] + ([f"no KNOWN-BUG-DONE {args.hang_seconds} s after "
                                    "KNOWN-BUG-ARMED: the guest hung"] if name in hung else []))
        if shown and listed:
            cases.append(ktap.Case(case, ktap.PASS,
                                   f"KNOWN kernel bug in {args.release}: {listed[0]['reason'][:160]}"))
            print("\n".join(f"#   {e}" for e in evidence))
        elif shown:
            cases.append(ktap.Case(case, ktap.FAIL, "new kernel bug",
                                   [f"shown on {args.release}, not listed in ci/known-bugs.txt:"]
                                   + evidence))
        elif listed:
            cases.append(ktap.Case(case, ktap.FAIL, "fixed",
                                   [f"ci/known-bugs.txt lists it for {listed[0]['kernel']}, but "
                                    f"{args.release} does not show it: the kernel fixed it, "
                                    "remove or narrow the entry"]))
        else:
            cases.append(ktap.Case(case, ktap.PASS, f"not present in {args.release}"))
    if not names:
        cases.append(ktap.Case("known-bug.run", ktap.FAIL, "",
                               ["no reproducer output; last console lines:"]
                               + console.splitlines()[-15:]))
    ktap.write(args.results / f"known-bugs-{args.flavor}.ktap", cases,
               f"known kernel bugs, {args.flavor} kernel {args.release}")
    _, failed, _ = ktap.report(cases, f"known-bugs {args.flavor}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
