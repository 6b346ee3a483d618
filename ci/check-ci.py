#!/usr/bin/env python3
"""Check the CI's own judgement: the IGT expectation rules of igt_expect.py
and run-guest.py's reading of the guest's taint mask.

Cases, written as RESULTS/ci.ktap (each feeds igt_expect.apply() a run
and lists of its own and checks the verdict):
  igt-expect.xfail               a listed failure that fails passes (XFAIL)
  igt-expect.unexpected-pass     a listed failure that passes fails
  igt-expect.listed-skipped      a listed failure that skips fails
  igt-expect.flake               a listed flake passes, failed or not
  igt-expect.unlisted-failure    an unlisted failure fails
  igt-expect.stale-entry         a listed subtest of a test that ran, absent
                                 from the run, fails igt.expectations
  igt-expect.other-test-entry    entries of a test that did not run (a
                                 tlgpu_igt= run) are not judged
  igt-expect.stale-skip          a skip pattern that matched nothing fails
  igt-expect.no-reason           an entry without a reason fails
  igt-lists-well-formed          every line of ci/igt/*.txt has a reason
  taint.expected                 O, E and N taint (tlgpu out of tree,
                                 unsigned, KUnit) is no failure
  taint.unexpected               taint a suite added fails kernel-log, by
                                 letter and suite, though no report reached
                                 the console
  taint.sw-sync                  L from the suites that create sw_sync
                                 fences (7.x taints on each) is no failure
  taint.no-line                  a run without a TLGPU-TAINTED line (an
                                 older initramfs, a dead guest) adds none
  case-time                      the harness's time line after a result is
                                 that case's time, not a diagnostic of the
                                 next; one naming another case is kept as
                                 output
Prints each case and '# ci: N passed, N failed'; exits 1 on a failure.
"""

import argparse
import importlib.util
import sys
import tempfile
from pathlib import Path

import igt_expect
import ktap

C = ktap.Case


def run_guest():
    """ci/run-guest.py as a module (its name is not an identifier)."""
    spec = importlib.util.spec_from_file_location("run_guest",
                                                  Path(__file__).with_name("run-guest.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def judge(run, fails="", flakes="", skips=""):
    """The judged cases of @run under the given list texts (flavour 'x')."""
    with tempfile.TemporaryDirectory() as tmp:
        for kind, text in (("fails", fails), ("flakes", flakes), ("skips", skips)):
            (Path(tmp) / f"x-{kind}.txt").write_text(text)
        return {c.name: c for c in igt_expect.apply(run, "x", Path(tmp))}


def expect(name, got, want):
    """A case: @got (name -> result) must hold each of @want."""
    bad = [f"{k}: {got[k].result if k in got else 'missing'} "
           f"{got[k].reason if k in got else ''} {got[k].diagnostics if k in got else ''}"
           f", want {v}" for k, v in want.items()
           if k not in got or got[k].result != v]
    return C(f"igt-expect.{name}", ktap.FAIL if bad else ktap.PASS, "", bad)


def cases():
    run = [C("igt.t.a", ktap.FAIL), C("igt.t.b", ktap.PASS), C("igt.t.c", ktap.SKIP, "req"),
           C("igt.u", ktap.PASS), C("boot.x", ktap.PASS)]
    out = []
    j = judge(run, fails="t@a  # why\n")
    out.append(expect("xfail", j, {"igt.t.a": ktap.PASS, "igt.expectations": ktap.PASS,
                                   "boot.x": ktap.PASS}))
    if not j["igt.t.a"].reason.startswith("XFAIL why"):
        out[-1] = C(out[-1].name, ktap.FAIL, "", [f"reason {j['igt.t.a'].reason!r}"])
    out.append(expect("unexpected-pass", judge(run, fails="t@a  # why\nt@b  # why\n"),
                      {"igt.t.b": ktap.FAIL}))
    out.append(expect("listed-skipped", judge(run, fails="t@a  # why\nt@c  # why\n"),
                      {"igt.t.c": ktap.FAIL}))
    out.append(expect("flake", judge(run, fails="", flakes="t@a  # 1 in 10\nt@b  # 1 in 10\n"),
                      {"igt.t.a": ktap.PASS, "igt.t.b": ktap.PASS,
                       "igt.expectations": ktap.PASS}))
    out.append(expect("unlisted-failure", judge(run), {"igt.t.a": ktap.FAIL}))
    out.append(expect("stale-entry", judge(run, fails="t@a  # why\nt@gone  # why\n"),
                      {"igt.expectations": ktap.FAIL}))
    out.append(expect("other-test-entry", judge(run, fails="t@a  # why\nv@x  # why\n"),
                      {"igt.expectations": ktap.PASS}))
    skipped = run + [C("igt.t.d", ktap.SKIP, "listed in skips.txt: why")]
    out.append(expect("stale-skip", judge(skipped, fails="t@a  # why\n",
                                          skips="t@d  # why\nt@zz*  # why\n"),
                      {"igt.expectations": ktap.FAIL}))
    out.append(expect("no-reason", judge(run, fails="t@a\n"),
                      {"igt.expectations": ktap.FAIL}))

    def no_report(name, report):
        return C(name, ktap.FAIL if report else ktap.PASS, "", [repr(report)] if report else [])

    rg = run_guest()
    out.append(no_report("taint.expected", rg.taint_report(
        ["x", f"TLGPU-TAINTED {1 << 12 | 1 << 13 | 1 << 18}"])))
    bad = rg.taint_report([f"TLGPU-TAINTED {1 << 12} tlgpu-basic",
                           f"TLGPU-TAINTED {1 << 12 | 1 << 14} kernel-sync.sh",
                           f"TLGPU-TAINTED {1 << 12 | 1 << 14 | 1 << 9} tlgpu-sync",
                           f"TLGPU-TAINTED {1 << 12 | 1 << 14 | 1 << 9 | 1 << 7}"])
    ok = bool(bad) and "(W during tlgpu-sync; D after the last suite;" in bad[0]
    out.append(C("taint.unexpected", ktap.PASS if ok else ktap.FAIL, "",
                 [] if ok else [repr(bad)]))
    out.append(no_report("taint.sw-sync", rg.taint_report(
        [f"TLGPU-TAINTED {1 << 12 | 1 << 14} kernel-sync.sh", f"TLGPU-TAINTED {1 << 12 | 1 << 14}"])))
    out.append(no_report("taint.no-line", rg.taint_report(["TLGPU-TESTS-DONE"])))

    doc = ktap.parse(["KTAP version 1", "1..2", "ok 1 a", "# tlgpu-case-time a 1234 30000",
                      "# why", "not ok 2 b", "# tlgpu-case-time a 5 60000"])
    a, b = doc.cases
    ok = ((a.ms, a.limit_ms, b.ms, b.diagnostics, doc.trailing)
          == (1234, 30000, None, ["why"], ["tlgpu-case-time a 5 60000"]))
    out.append(C("case-time", ktap.PASS if ok else ktap.FAIL, "", [] if ok else [repr(doc)]))

    problems = []
    for path in sorted(igt_expect.LIST_DIR.glob("*.txt")):
        problems += igt_expect.read_list(path)[1]
    out.append(C("igt-lists-well-formed", ktap.FAIL if problems else ktap.PASS, "", problems))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", required=True, type=Path)
    args = parser.parse_args()
    args.results.mkdir(parents=True, exist_ok=True)
    result = cases()
    ktap.write(args.results / "ci.ktap", result, "tlgpu CI self-checks")
    _, failed, _ = ktap.report(result, "ci")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
