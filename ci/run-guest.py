#!/usr/bin/env python3
"""Boot the tlgpu guest in test mode and judge the run.

Runs images/run-vm.sh --mode test with the kernel console in
RESULTS/FLAVOR.log and the test output (ttyS1) in RESULTS/FLAVOR.out,
kills QEMU when the watchdog expires, then turns the suites in .out
(KTAP documents between TLGPU-SUITE-BEGIN/END markers) and the kernel
reports found in .log into one KTAP document, RESULTS/FLAVOR.ktap,
each suite's guest-clock seconds into RESULTS/FLAVOR.times and each
timed case's milliseconds and limit into RESULTS/FLAVOR.case-times.
Prints every case and '# FLAVOR: N passed, N failed'; exits 1 on any
failure.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import igt_expect
import ktap

TOP = Path(__file__).resolve().parent.parent
RUN_VM = TOP / "images" / "run-vm.sh"

BEGIN_RE = re.compile(r"^TLGPU-SUITE-BEGIN (?P<suite>\S+)")
END_RE = re.compile(r"^TLGPU-SUITE-END (?P<suite>\S+) rc=(?P<rc>-?\d+)(?: seconds=(?P<seconds>\d+))?")
DONE = "TLGPU-TESTS-DONE"
TAINTED_RE = re.compile(r"^TLGPU-TAINTED (?P<mask>\d+)(?: (?P<suite>\S+))?$")
# /proc/sys/kernel/tainted's bits, by letter (kernel/panic.c taint_flags).
TAINT_LETTERS = "PFSRMBUDAWCIOELKXTNJ"
# Expected: tlgpu and its test modules are out of tree (O) and unsigned
# (E); KUnit taints the kernel it runs in (N).
TAINT_EXPECTED = (1 << 12) | (1 << 13) | (1 << 18)
# Taint a suite may add: after 6.12 (7.2 does) every sw_sync fence taints L
# ("SW sync fence are inherently unsafe", drivers/dma-buf/sw_sync.c), and
# these suites create them (the kernel's sync_file selftest, IGT's sw_sync).
SUITE_TAINT = {"kernel-sync.sh": 1 << 14, "igt": 1 << 14}

# Kernel console lines that mean something went wrong in the kernel.
KERNEL_REPORT_RE = re.compile("|".join([
    r"WARNING:", r"BUG:", r"Oops", r"general protection fault",
    r"Kernel panic", r"KASAN:", r"UBSAN:",
    r"kmemleak: .*suspected memory leak", r"refcount_t:",
    r"possible recursive locking", r"possible circular locking",
    r"inconsistent lock state", r"suspicious RCU usage",
    r"INFO: task .* blocked for more than",
    r"rcu_(?:sched|preempt) (?:self-)?detected stall",
    r"ODEBUG:", r"list_(?:add|del) corruption", r"cut here",
]))
KMEMLEAK_LINE_RE = re.compile(r"^kmemleak: \d+ new suspected memory leaks?")
# Lines that say where a report happened, kept as its context.
KERNEL_CONTEXT_RE = re.compile(r"RIP:|Call Trace|^\s*\S+\+0x[0-9a-f]+/0x[0-9a-f]+")
REPORT_END_RE = re.compile(r"---\[ end (?:trace|Kernel panic)")
REPORT_SPAN = 80        # console lines one report may cover at most
REPORT_MAX_LINES = 24   # lines of one report shown as diagnostics
TIMESTAMP_RE = re.compile(r"^\[\s*\d+\.\d+\]\s?")


def run_vm(args, log, out):
    """Run the VM under the watchdog; return (qemu rc or None, seconds)."""
    cmd = ["bash", str(RUN_VM), "--flavor", args.flavor, "--mode", "test",
           "--devices", str(args.devices), "--timelines", str(args.timelines),
           "--serial-log", str(log), "--test-out", str(out)]
    for words in args.append:
        cmd += ["--append", words]
    print(f"# {args.flavor}: {' '.join(cmd[1:])}", flush=True)
    start = time.monotonic()
    # A session of its own, so the watchdog can take QEMU down with its shell.
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        rc = proc.wait(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        rc = None
    return rc, time.monotonic() - start


def read_lines(path):
    """Lines of a file without line ends; [] if it does not exist."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return []
    return [line.rstrip("\r") for line in text.replace("\r\n", "\n").split("\n")]


def suite_cases(suite, lines, rc):
    """Cases of one suite; rc is None when its END marker is missing."""
    doc = ktap.parse(lines)
    cases = [ktap.Case(f"{suite}.{c.name}", c.result, c.reason, c.diagnostics,
                       c.ms, c.limit_ms, suite)
             for c in doc.cases]
    problem = ktap.plan_problem(doc)
    if problem:
        cases.append(ktap.Case(f"{suite}.plan", ktap.FAIL, "",
                               [problem] + doc.trailing, suite=suite))
    if rc is None:
        cases.append(ktap.Case(f"{suite}.exit", ktap.FAIL, "",
                               ["no TLGPU-SUITE-END: the suite hung or the guest died"]
                               + doc.trailing, suite=suite))
    elif rc != 0:
        cases.append(ktap.Case(f"{suite}.exit", ktap.FAIL, "",
                               [f"exit status {rc}"
                                + (" (killed by the in-guest timeout)" if rc == 137 else "")]
                               + doc.trailing, suite=suite))
    return cases


def test_cases(out_lines, times=None):
    """All suite cases of the test output, and whether it ended with DONE.
    The guest-clock seconds of each suite that ended go into times."""
    cases, done = [], False
    suite, body = None, []
    for line in out_lines:
        begin, end = BEGIN_RE.match(line), END_RE.match(line)
        if begin:
            if suite:
                cases += suite_cases(suite, body, None)
            suite, body = begin.group("suite"), []
        elif end and suite:
            cases += suite_cases(suite, body, int(end.group("rc")))
            if times is not None and end.group("seconds") is not None:
                times[suite] = int(end.group("seconds"))
            suite, body = None, []
        elif line == DONE:
            done = True
        elif suite:
            body.append(line)
    if suite:
        cases += suite_cases(suite, body, None)
    return cases, done


def taint_report(out_lines):
    """A kernel-log failure for taint the run did not expect, or None: a
    report the console dropped still sets its bit."""
    prev, found = 0, []
    for m in filter(None, map(TAINTED_RE.match, out_lines)):
        mask, suite = int(m.group("mask")), m.group("suite")
        bad = mask & ~prev & ~TAINT_EXPECTED & ~SUITE_TAINT.get(suite, 0)
        prev |= mask
        if bad:
            letters = "".join(TAINT_LETTERS[b] if b < len(TAINT_LETTERS) else f"bit{b}"
                              for b in range(bad.bit_length()) if bad >> b & 1)
            found.append(f"{letters} {'during ' + suite if suite else 'after the last suite'}")
    if not found:
        return None
    return [f"the kernel was tainted unexpectedly ({'; '.join(found)}; taint {prev}: "
            "W warning, D oops, L soft lockup, B bad page: Documentation/admin-guide/tainted-kernels.rst);"
            " its report is above or was dropped by the console"]


def kernel_reports(log_lines):
    """Groups of console lines, one per kernel report."""
    reports, current, opened_at = [], None, 0
    for i, raw in enumerate(log_lines):
        line = TIMESTAMP_RE.sub("", raw)
        if current is not None and (i - opened_at > REPORT_SPAN or REPORT_END_RE.search(line)):
            current = None
        if KERNEL_REPORT_RE.search(line):
            if current is None:
                current, opened_at = [], i
                reports.append(current)
            current.append(raw)
        elif current is not None and KERNEL_CONTEXT_RE.search(line):
            current.append(raw)
    return [r[:REPORT_MAX_LINES] for r in reports]


# Cases shown in the log: the longest, and any that used more of its
# limit than this (a limit to raise before a slower host makes it fail).
LONGEST_SHOWN = 8
NEAR_LIMIT = 0.5


def write_case_times(path, flavor, cases):
    """Each timed case's elapsed and limit milliseconds, longest first,
    to path; the longest and those near their limit to the log."""
    timed = sorted((c for c in cases if c.ms is not None), key=lambda c: -c.ms)
    with open(path, "w") as f:
        for c in timed:
            f.write(f"{c.ms:9d} {c.limit_ms:9d} {c.name}\n")
    if timed:
        print(f"# {flavor}: longest cases (s): "
              + ", ".join(f"{c.name} {c.ms / 1000:.1f}" for c in timed[:LONGEST_SHOWN]),
              flush=True)
    near = [c for c in timed if c.limit_ms and c.ms > NEAR_LIMIT * c.limit_ms]
    if near:
        print(f"# {flavor}: cases past {NEAR_LIMIT:.0%} of their limit: "
              + ", ".join(f"{c.name} {c.ms / 1000:.1f} of {c.limit_ms // 1000} s" for c in near),
              flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--flavor", required=True,
                        help="a flavour: <kernel>-stock or <kernel>-debug (6.1-stock, 7.2-debug...), or src-debug")
    parser.add_argument("--results", required=True, type=Path)
    parser.add_argument("--timeout", type=int, default=900, help="watchdog seconds")
    parser.add_argument("--devices", type=int, default=2)
    parser.add_argument("--timelines", type=int, default=4)
    parser.add_argument("--append", action="append", default=[], metavar="WORDS",
                        help="extra kernel command-line words, repeatable "
                        "(e.g. tlgpu_tests=tlgpu-stress-pending)")
    args = parser.parse_args()

    args.results.mkdir(parents=True, exist_ok=True)
    log = args.results / f"{args.flavor}.log"
    out = args.results / f"{args.flavor}.out"
    for f in (log, out):
        f.unlink(missing_ok=True)

    rc, seconds = run_vm(args, log, out)
    print(f"# {args.flavor}: VM ran {seconds:.1f} s, "
          + ("killed by the watchdog" if rc is None else f"QEMU exit status {rc}"),
          flush=True)

    log_lines = read_lines(log)
    times = {}
    out_lines = read_lines(out)
    cases, done = test_cases(out_lines, times)
    # Where the VM's time went, longest first: the input for choosing what
    # make check runs on which flavour (Makefile, CHECK_SKIP_*).
    longest = sorted(times.items(), key=lambda t: -t[1])
    with open(args.results / f"{args.flavor}.times", "w") as f:
        for suite, secs in longest:
            f.write(f"{secs:6d} {suite}\n")
    print(f"# {args.flavor}: suite seconds (guest clock): "
          + ", ".join(f"{s} {t}" for s, t in longest), flush=True)
    write_case_times(args.results / f"{args.flavor}.case-times", args.flavor, cases)
    console_tail = [line for line in log_lines if line.strip()][-15:]
    if not done:
        cases.append(ktap.Case("tests-done", ktap.FAIL, "",
                               [f"no {DONE} on ttyS1; last console lines:"] + console_tail))
    # IGT's cases are judged by the flavour's expectation lists (ci/igt/).
    cases = igt_expect.apply(cases, args.flavor)
    reports = kernel_reports(log_lines)
    # The kmemleak line comes from zz-kmemleak.sh's own scans (no automatic
    # scan in the debug kernels), and that suite judges each object: when
    # its leaks case passed, what it found were the kernel's own known
    # leaks (images/tests-debug/known-leaks.txt), listed in its output.
    leaks_ok = any(c.name == "zz-kmemleak.sh.leaks" and c.result == ktap.PASS for c in cases)
    if leaks_ok:
        reports = [r for r in reports
                   if not all(KMEMLEAK_LINE_RE.search(TIMESTAMP_RE.sub("", l)) for l in r)]
    taint = taint_report(out_lines)
    if taint:
        reports.append(taint)
    for report in reports:
        cases.append(ktap.Case("kernel-log", ktap.FAIL, "", report))
    if not reports:
        cases.append(ktap.Case("kernel-log", ktap.PASS))
    if rc is None:
        cases.append(ktap.Case("watchdog", ktap.FAIL, "",
                               [f"the VM ran past {args.timeout} s and was killed"]))
    elif rc != 0:
        cases.append(ktap.Case("qemu-exit", ktap.FAIL, "",
                               [f"QEMU exited with status {rc}"] + console_tail))

    ktap.write(args.results / f"{args.flavor}.ktap", cases,
               f"tlgpu guest tests, {args.flavor} kernel")
    _, failed, _ = ktap.report(cases, args.flavor)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
