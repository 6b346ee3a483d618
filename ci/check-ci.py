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
  junit.suites                   a guest run's JUnit file has a testsuite
                                 per suite ('x.SUITE', the harness's cases
                                 in 'x'), the case names without the suite,
                                 the diagnostics in the failure's text, the
                                 harness's times, and the KTAP's counts
  junit.igt-judged               IGT cases judged by the lists stay in
                                 suite igt, XFAIL passing
  summary.merge                  summary.py over two results directories
                                 adds their counts
  summary.junit-missing          a KTAP document without its JUnit file is
                                 one more failure
  summary.junit-differs          a JUnit file counting other cases than its
                                 KTAP document is one more failure
  summary.duplicate              a document name in two directories (one
                                 flavour merged twice) is a failure
  gitlab-ci.jobs                 gitlab-ci-local's job listing parses
                                 .gitlab-ci.yml, with a build-guest and a
                                 test-guest job per flavour of the Makefile,
                                 the host, demo, bench and summary jobs, and
                                 the summary reading every test job's results
  gitlab-ci.reduced              make ci-local's file for 6.1-stock lists
                                 that flavour's jobs only, without the
                                 CHECK_ALL jobs, and still parses
  artifacts.verify               ci/artifacts.sh verify accepts its own
                                 manifest and refuses a changed file, a
                                 missing one and another commit's manifest
  lava.job-valid                 ci/lava-job.py's job (a suite per monitor,
                                 from the initramfs's listing) passes
                                 lava-dispatcher 2023.01's strict schema, and
                                 its qemu device type renders
  lava.job-invalid               a job the schema refuses (an unknown context
                                 variable) fails --validate
  lava.summary                   --summary counts a lava-run log's tlgpu
                                 cases and fails on a failed case or job
Prints each case and '# ci: N passed, N failed'; exits 1 on a failure.
"""

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import igt_expect
import junit
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

    out += junit_cases(rg)
    out += summary_cases()
    out += gitlab_cases()
    out += artifacts_cases()
    out += lava_cases()

    problems = []
    for path in sorted(igt_expect.LIST_DIR.glob("*.txt")):
        problems += igt_expect.read_list(path)[1]
    out.append(C("igt-lists-well-formed", ktap.FAIL if problems else ktap.PASS, "", problems))
    return out


def junit_cases(rg):
    """The JUnit file of a guest run and of judged IGT cases."""
    out_lines = ["TLGPU-SUITE-BEGIN tlgpu-a", "KTAP version 1", "1..2", "ok 1 open",
                 "# tlgpu-case-time open 1500 60000", "# got EINVAL, want ENOENT",
                 "not ok 2 bad", "TLGPU-SUITE-END tlgpu-a rc=1 seconds=2",
                 "TLGPU-SUITE-BEGIN kernel-x.sh", "KTAP version 1", "1..1",
                 "ok 1 y # SKIP no module", "TLGPU-SUITE-END kernel-x.sh rc=0 seconds=1",
                 "TLGPU-TESTS-DONE"]
    cases, _ = rg.test_cases(out_lines)
    cases.append(C("kernel-log", ktap.FAIL, "", ["WARNING: at foo", "RIP: bar"]))
    out, problems = [], []
    with tempfile.TemporaryDirectory() as tmp:
        ktap.write(Path(tmp) / "x.ktap", cases, "t")
        root = ET.parse(Path(tmp) / "x.xml").getroot()
        got = {(ts.get("name"), tc.get("name")): tc
               for ts in root.iter("testsuite") for tc in ts.iter("testcase")}
        want = {("x.tlgpu-a", "open"), ("x.tlgpu-a", "bad"), ("x.tlgpu-a", "exit"),
                ("x.kernel-x.sh", "y"), ("x", "kernel-log")}
        if set(got) != want:
            problems.append(f"testcases {sorted(got)}, want {sorted(want)}")
        else:
            if got["x.tlgpu-a", "open"].get("time") not in ("1.5", "1.500000"):
                problems.append(f"open's time {got['x.tlgpu-a', 'open'].get('time')}, want 1.5")
            fail = got["x.tlgpu-a", "bad"].find("failure")
            if fail is None or "want ENOENT" not in (fail.text or ""):
                problems.append("bad: no failure carrying its diagnostic")
            fail = got["x", "kernel-log"].find("failure")
            if fail is None or "RIP: bar" not in (fail.text or ""):
                problems.append("kernel-log: the report is not the failure's text")
            skip = got["x.kernel-x.sh", "y"].find("skipped")
            if skip is None or skip.get("message") != "no module":
                problems.append("y: not skipped with its reason")
        if junit.counts(Path(tmp) / "x.xml") != ktap.counts(cases):
            problems.append(f"JUnit counts {junit.counts(Path(tmp) / 'x.xml')}, "
                            f"KTAP {ktap.counts(cases)}")
    out.append(C("junit.suites", ktap.FAIL if problems else ktap.PASS, "", problems))

    judged = judge([C("igt.t.a", ktap.FAIL, suite="igt")], fails="t@a  # why\n")
    with tempfile.TemporaryDirectory() as tmp:
        ktap.write(Path(tmp) / "y.ktap", list(judged.values()))
        root = ET.parse(Path(tmp) / "y.xml").getroot()
        names = sorted((ts.get("name"), tc.get("name"), tc.find("failure") is None)
                       for ts in root.iter("testsuite") for tc in ts.iter("testcase"))
    want = [("y.igt", "expectations", True), ("y.igt", "t.a", True)]
    out.append(C("junit.igt-judged", ktap.PASS if names == want else ktap.FAIL, "",
                 [] if names == want else [f"{names}, want {want}"]))
    return out


TOP = Path(__file__).resolve().parent.parent


def listing(gcl, yml):
    """gitlab-ci-local's job listing of @yml (relative to TOP): (jobs, error)."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([gcl, "--file", yml, "--state-dir", os.path.relpath(tmp, TOP),
                               "--home", tmp, "--no-color", "--list-json"], cwd=TOP,
                              capture_output=True, text=True, check=False)
    text = proc.stdout
    if proc.returncode != 0 or "[" not in text:
        return None, f"exit {proc.returncode}: {(proc.stdout + proc.stderr).strip()[-800:]}"
    try:
        return json.loads(text[text.index("["):]), None
    except ValueError as e:
        return None, f"listing does not parse: {e}"


def gitlab_cases():
    """.gitlab-ci.yml as gitlab-ci-local reads it, whole and reduced."""
    flavors = re.search(r"^FLAVORS\s*:=\s*(.*)$", (TOP / "Makefile").read_text(), re.M)
    flavors = flavors.group(1).split()
    proc = subprocess.run(["bash", str(TOP / "scripts" / "gitlab-ci-local.sh")],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        why = [f"installing gitlab-ci-local failed: {proc.stderr.strip()[-400:]}"]
        return [C("gitlab-ci.jobs", ktap.FAIL, "", why), C("gitlab-ci.reduced", ktap.FAIL, "", why)]
    gcl = proc.stdout.strip()

    def check(name, yml, want_flavors, absent):
        jobs, err = listing(gcl, yml)
        if err:
            return C(name, ktap.FAIL, "", [err])
        names = {j["name"]: j for j in jobs}
        want = ({f"build-guest: [{f}]" for f in want_flavors}
                | {f"test-guest: [{f}]" for f in want_flavors}
                | {"build-qemu", "test-host", "demo", "bench", "summary"})
        bad = [f"no job {n!r}" for n in sorted(want - set(names))]
        extra = {n for n in names if n.startswith(("build-guest:", "test-guest:"))} - want
        bad += [f"job {n!r} outside the matrix" for n in sorted(extra)]
        bad += [f"job {n!r} should be gone" for n in absent if n in names]
        for f in want_flavors:
            needs = {n["job"] for n in names.get(f"test-guest: [{f}]", {}).get("needs") or []}
            if not {"build-qemu", "build-guest"} <= needs:
                bad.append(f"test-guest: [{f}] needs {sorted(needs)}")
        return C(name, ktap.FAIL if bad else ktap.PASS, "", bad)

    out = [check("gitlab-ci.jobs", ".gitlab-ci.yml", flavors, [])]
    import yaml  # Debian's python3-yaml (junit.py added its path)
    pipeline = yaml.safe_load((TOP / ".gitlab-ci.yml").read_text())
    dirs = pipeline["summary"]["variables"]["RESULT_DIRS"].split()
    want_dirs = [f"build/results-{f}" for f in flavors] + ["build/results-host"]
    if sorted(dirs) != sorted(want_dirs):
        out[-1] = C("gitlab-ci.jobs", ktap.FAIL, "", out[-1].diagnostics
                    + [f"summary reads {dirs}, want {want_dirs}"])
    with tempfile.TemporaryDirectory(dir=TOP / "build" if (TOP / "build").is_dir() else None) as tmp:
        proc = subprocess.run([sys.executable, str(TOP / "ci" / "gitlab-ci-local.py"),
                               "--gitlab-ci-local", gcl, "--cache", tmp, "--out", tmp,
                               "--flavors", "6.1-stock", "--reduce-only"],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            out.append(C("gitlab-ci.reduced", ktap.FAIL, "", [proc.stderr.strip()[-800:]]))
        else:
            out.append(check("gitlab-ci.reduced",
                             os.path.relpath(Path(tmp) / "gitlab-ci.yml", TOP), ["6.1-stock"],
                             ["build-qemu-all", "test-device-all"]))
    return out


def artifacts_cases():
    """ci/artifacts.sh verify on a directory it made, then spoiled."""
    script = str(TOP / "ci" / "artifacts.sh")
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        build, art = Path(tmp) / "build", Path(tmp) / "art"
        (build / "kernel" / "x").mkdir(parents=True)
        (build / "kernel" / "x" / "vmlinuz").write_text("kernel")
        (build / "kernel" / "x" / "release").write_text("6.1.0")
        (build / "initramfs-x.cpio.gz").write_text("initramfs")
        env = dict(os.environ, BUILD=str(build), TOP=str(TOP))

        def verify():
            return subprocess.run(["bash", script, "verify", str(art)], env=env,
                                  capture_output=True, text=True, check=False).returncode

        made = subprocess.run(["bash", script, "guest", "x", str(art)], env=env,
                              capture_output=True, text=True, check=False)
        if made.returncode != 0 or verify() != 0:
            bad.append(f"its own manifest refused: {made.stdout}{made.stderr}")
        (art / "kernel" / "x" / "vmlinuz").write_text("other kernel")
        if verify() != 2:
            bad.append("a changed file passed")
        (art / "kernel" / "x" / "vmlinuz").unlink()
        if verify() != 2:
            bad.append("a missing file passed")
        subprocess.run(["bash", script, "guest", "x", str(art)], env=env,
                       capture_output=True, check=False)
        m = art / "MANIFEST-guest-x"
        m.write_text(re.sub(r"^# commit .*$", "# commit 0000000", m.read_text(), flags=re.M))
        if verify() != 2:
            bad.append("another commit's manifest passed")
    return [C("artifacts.verify", ktap.FAIL if bad else ktap.PASS, "", bad)]


def lava_cases():
    """ci/lava-job.py against lava-dispatcher's own schema and log format."""
    names = ["lava.job-valid", "lava.job-invalid", "lava.summary"]
    proc = subprocess.run(["bash", str(TOP / "scripts" / "lava-tools.sh")],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        why = [f"lava-tools.sh failed: {proc.stderr.strip()[-400:]}"]
        return [C(n, ktap.FAIL, "", why) for n in names]
    root = proc.stdout.strip()
    env = dict(os.environ, LAVA_ROOT=root,
               PYTHONPATH=f"{root}/usr/lib/python3/dist-packages")
    script = str(TOP / "ci" / "lava-job.py")
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        art = Path(tmp)
        (art / "kernel" / "x").mkdir(parents=True)
        (art / "kernel" / "x" / "vmlinuz").write_text("kernel")
        tree = art / "tree" / "usr" / "lib" / "tlgpu" / "tests"
        tree.mkdir(parents=True)
        for t in ("tlgpu-basic", "kernel-sync.sh"):
            (tree / t).write_text("")
        (tree / "igt.timeout").write_text("")
        listing = "\n".join(["usr", "usr/lib", "usr/lib/tlgpu", "usr/lib/tlgpu/tests",
                             "usr/lib/tlgpu/tests/tlgpu-basic", "usr/lib/tlgpu/tests/kernel-sync.sh",
                             "usr/lib/tlgpu/tests/igt.timeout"]) + "\n"
        cpio = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], input=listing.encode(),
                              cwd=art / "tree", capture_output=True, check=True).stdout
        import gzip
        (art / "initramfs-x.cpio.gz").write_bytes(gzip.compress(cpio))
        job, dev = art / "job.yaml", art / "device.yaml"
        proc = subprocess.run([sys.executable, script, "--flavor", "x", "--artifacts", str(art),
                               "--out", str(job), "--device-out", str(dev), "--validate"],
                              env=env, capture_output=True, text=True, check=False)
        bad = [] if proc.returncode == 0 else [(proc.stdout + proc.stderr).strip()[-800:]]
        if not bad:
            import yaml
            j = yaml.safe_load(job.read_text())
            mons = [m["name"] for a in j["actions"] if "test" in a for m in a["test"]["monitors"]]
            if mons != ["tlgpu-boot", "tlgpu-kernel-sync.sh", "tlgpu-tlgpu-basic"]:
                bad.append(f"monitors {mons}")
            d = yaml.safe_load(dev.read_text())
            qemu = d["actions"]["boot"]["methods"]["qemu"]["parameters"]
            if qemu["command"].strip() != "qemu-system-x86_64" or \
                    "-device tlgpu,timelines=4" not in qemu.get("extra", []):
                bad.append(f"device's qemu: {qemu}")
        out.append(C(names[0], ktap.FAIL if bad else ktap.PASS, "", bad))
        text = job.read_text() if job.exists() else ""
        broken = art / "broken.yaml"
        broken.write_text(text.replace("context:\n", "context:\n  tlgpu_no_such_variable: 1\n", 1))
        proc = subprocess.run([sys.executable, script, "--job", str(broken), "--validate"],
                              env=env, capture_output=True, text=True, check=False)
        ok = proc.returncode == 1 and "extra keys not allowed" in proc.stderr
        out.append(C(names[1], ktap.PASS if ok else ktap.FAIL, "",
                     [] if ok else [f"exit {proc.returncode}: {proc.stderr.strip()[-400:]}"]))

        def log(*entries):
            p = art / "lava.log"
            p.write_text("".join(json.dumps({"lvl": "results", "msg": m}) + "\n" for m in entries)
                         + "not json\n")
            r = subprocess.run([sys.executable, script, "--summary", str(p)],
                               capture_output=True, text=True, check=False)
            return r.returncode, r.stdout.strip().splitlines()[-1:]
        ok_case = {"definition": "tlgpu-boot", "case": "a", "result": "pass",
                   "extra": {"test_case_id": "a"}}
        bad_case = dict(ok_case, result="fail")
        job_ok = {"definition": "lava", "case": "job", "result": "pass"}
        got = [log(ok_case, ok_case, job_ok), log(ok_case, bad_case, job_ok),
               log(ok_case, dict(job_ok, result="fail"))]
        want = [(0, ["2 passed, 0 failed"]), (1, ["1 passed, 1 failed"]), (1, ["1 passed, 1 failed"])]
        out.append(C(names[2], ktap.PASS if got == want else ktap.FAIL, "",
                     [] if got == want else [f"{got} != {want}"]))
    return out


def summary_cases():
    """summary.py over several directories, and its JUnit cross-check."""
    def run(*dirs):
        proc = subprocess.run([sys.executable, str(Path(__file__).with_name("summary.py")),
                               *map(str, dirs)], capture_output=True, text=True, check=False)
        return proc.returncode, proc.stdout.splitlines()

    def case(name, got, want):
        ok = got[0] == want[0] and got[1] and got[1][-1] == want[1]
        return C(name, ktap.PASS if ok else ktap.FAIL, "",
                 [] if ok else [f"exit {got[0]}, output {got[1]}; want exit {want[0]}, "
                                f"last line {want[1]!r}"])

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        a, b, c = (Path(tmp) / n for n in "abc")
        for d in (a, b, c):
            d.mkdir()
        ktap.write(a / "6.1-stock.ktap", [C("s.x", ktap.PASS, suite="s"), C("kernel-log", ktap.PASS)])
        ktap.write(b / "device.ktap", [C("/t/1", ktap.PASS), C("/t/2", ktap.SKIP, "why")])
        out.append(case("summary.merge", run(a, b), (0, "3 passed, 0 failed")))
        ktap.write(c / "7.2-stock.ktap", [C("s.x", ktap.PASS, suite="s")])
        (c / "7.2-stock.xml").unlink()
        out.append(case("summary.junit-missing", run(a, c), (1, "3 passed, 1 failed")))
        ktap.write(c / "7.2-stock.ktap", [C("s.x", ktap.PASS, suite="s")])
        junit.write(c / "7.2-stock.xml", [C("s.x", ktap.PASS, suite="s"), C("s.y", ktap.PASS)])
        out.append(case("summary.junit-differs", run(c), (1, "1 passed, 1 failed")))
        ktap.write(c / "device.ktap", [C("/t/1", ktap.PASS)])
        (c / "7.2-stock.ktap").unlink()
        out.append(case("summary.duplicate", run(b, c), (1, "1 passed, 1 failed")))
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
