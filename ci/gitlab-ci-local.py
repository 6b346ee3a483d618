#!/usr/bin/env python3
"""Run .gitlab-ci.yml on this machine with gitlab-ci-local (make ci-local).

The pipeline of .gitlab-ci.yml, unchanged but for its matrix: the
flavours become --flavors (make ci-local's CI_LOCAL_FLAVORS), jobs that
need a flavour outside it keep only the needs inside it (a job left with
none, or one that only CHECK_ALL runs, is dropped), and the summary job's
RESULT_DIRS name the kept flavours.  That reduced file goes to
--out/gitlab-ci.yml; gitlab-ci-local runs it with its shell executor
(every job on this machine, as root, each in its own copy of the
checkout's git-tracked files: --shell-isolation), the build cache being
this machine's (TLGPU_CACHE), and IGT's source --igt-src.  Each job's
log, artifacts and results stay in --out/state (gitlab-ci-local's state
directory: artifacts/<job>/build/results-*/).

The run passes when every job passed and the summary job's closing line
is the pipeline's: the same 'N passed, N failed' that `make check
CHECK_FLAVORS="<the flavours>"` prints.

    gitlab-ci-local.py --reduce-only ...   write the reduced file, print it
    gitlab-ci-local.py --list ...          gitlab-ci-local's job listing
                                           (JSON) of the reduced file
"""

import argparse
import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
sys.path.append("/usr/lib/python3/dist-packages")  # Debian's python3-yaml
import yaml  # noqa: E402

RESERVED = {"stages", "variables", "default", "include", "workflow", "image",
            "services", "cache", "before_script", "after_script"}


def flavors_of(pipeline):
    """The FLAVOR list of .flavors' matrix."""
    return list(pipeline[".flavors"]["parallel"]["matrix"][0]["FLAVOR"])


def check_all_only(job):
    """True for a job whose rules run it only with CHECK_ALL."""
    rules = job.get("rules") or []
    return bool(rules) and all("CHECK_ALL" in str(r.get("if", "")) for r in rules)


def reduce(pipeline, flavors):
    """@pipeline with its matrix cut to @flavors (see the module's doc)."""
    p = copy.deepcopy(pipeline)
    every = flavors_of(p)
    unknown = [f for f in flavors if f not in every]
    if unknown:
        raise SystemExit(f"gitlab-ci-local: {', '.join(unknown)} not in .gitlab-ci.yml's "
                         f"matrix ({' '.join(every)})")
    p[".flavors"]["parallel"]["matrix"][0]["FLAVOR"] = list(flavors)
    dropped = {name for name, job in p.items()
               if name not in RESERVED and isinstance(job, dict) and check_all_only(job)}
    changed = True
    while changed:  # a job that needs only dropped jobs goes too
        changed = False
        for name, job in list(p.items()):
            if name in RESERVED or name.startswith(".") or name in dropped:
                continue
            needs = job.get("needs")
            if needs is None:
                continue
            kept = []
            for need in needs:
                if isinstance(need, str):
                    need = {"job": need}
                if need["job"] in dropped:
                    if need.get("optional"):
                        continue
                    kept = None
                    break
                matrix = need.get("parallel", {}).get("matrix")
                if matrix is not None:
                    matrix = [m for m in matrix if m.get("FLAVOR") in flavors]
                    if not matrix:
                        continue
                    need = dict(need, parallel={"matrix": matrix})
                kept.append(need)
            if kept is None or (needs and not kept):
                dropped.add(name)
                changed = True
            else:
                job["needs"] = [n if set(n) != {"job"} else n["job"] for n in kept]
    for name in dropped:
        del p[name]
    dirs = " ".join([f"build/results-{f}" for f in flavors] + ["build/results-host"])
    p["summary"].setdefault("variables", {})["RESULT_DIRS"] = dirs
    return p, sorted(dropped)


def summary_lines(log):
    """The summary job's closing lines in gitlab-ci-local's log, in order
    ('[09:23:15  340 ms] summary    > 712 passed, 0 failed' with --timestamps)."""
    pat = re.compile(r"^(?:\[[^\]]*\]\s*)?summary\s+>\s?(\d+ passed, \d+ failed)\s*$")
    return [m.group(1) for m in map(pat.match, Path(log).read_text(errors="replace").splitlines())
            if m]


def run(cmd, **kw):
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], **kw)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gitlab-ci-local", required=True, help="its executable")
    ap.add_argument("--flavors", default="6.1-stock", help="space-separated")
    ap.add_argument("--out", type=Path, default=TOP / "build" / "ci-local")
    ap.add_argument("--cache", required=True, help="TLGPU_CACHE for every job")
    ap.add_argument("--igt-src", default="", help="IGT_SRC for every job")
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--reduce-only", action="store_true")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()

    pipeline = yaml.safe_load((TOP / ".gitlab-ci.yml").read_text())
    flavors = args.flavors.split()
    reduced, dropped = reduce(pipeline, flavors)
    args.out.mkdir(parents=True, exist_ok=True)
    yml = args.out / "gitlab-ci.yml"
    yml.write_text("# .gitlab-ci.yml reduced by ci/gitlab-ci-local.py to "
                   f"{' '.join(flavors)}; dropped: {' '.join(dropped) or 'nothing'}\n"
                   + yaml.safe_dump(reduced, sort_keys=False, width=100))
    if args.reduce_only:
        print(yml.read_text(), end="")
        return 0

    state = args.out / "state"
    rel = lambda p: os.path.relpath(p, TOP)  # noqa: E731  (gitlab-ci-local: relative to cwd)
    base = [args.gitlab_ci_local, "--file", rel(yml),
            "--state-dir", rel(state), "--variables-file", rel(args.out / "no-variables.yml"),
            "--home", args.out / "home", "--no-color", "--no-artifacts-to-source"]
    if args.list:
        return run(base + ["--list-json"], cwd=TOP).returncode

    # gitlab-ci-local copies git-tracked files only: an untracked source
    # would silently be missing from every job.
    untracked = subprocess.run(["git", "-C", TOP, "ls-files", "--others", "--exclude-standard"],
                               capture_output=True, text=True, check=True).stdout.split()
    if untracked:
        print("gitlab-ci-local: untracked files would not reach the jobs (git add them): "
              + " ".join(untracked), file=sys.stderr)
        return 2
    shutil.rmtree(state, ignore_errors=True)
    variables = [f"TLGPU_CACHE={args.cache}"]
    if args.igt_src:
        variables.append(f"IGT_SRC={args.igt_src}")
    cmd = base + ["--force-shell-executor", "--shell-isolation",
                  "--concurrency", args.concurrency, "--timestamps"]
    for v in variables:
        cmd += ["--variable", v]
    log = args.out / "pipeline.log"
    with open(log, "w") as f:
        proc = subprocess.Popen([str(c) for c in cmd], cwd=TOP, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace")
        print("+ " + " ".join(str(c) for c in cmd), flush=True)
        for line in proc.stdout:
            sys.stdout.write(line)
            f.write(line)
        rc = proc.wait()

    # The summary job's own closing line, as it printed it.
    closing = summary_lines(log)
    if not closing:
        print("gitlab-ci-local: the summary job printed no 'N passed, N failed' line",
              file=sys.stderr)
        return 1
    print(f"# ci-local pipeline ({' '.join(flavors)}): gitlab-ci-local exit {rc}; "
          f"artifacts in {state}/artifacts/")
    print(closing[-1])
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
