"""IGT expectations per flavour, drm/ci style: judge the igt.* cases.

ci/igt/FLAVOR-fails.txt   subtests that fail on this flavour, and why
ci/igt/FLAVOR-flakes.txt  subtests that fail only sometimes (with the
                          measured rate), and why
ci/igt/FLAVOR-skips.txt   subtests never run here (shell patterns, applied
                          in the guest by igt-suite.sh), and why

A line is `test@subtest  # reason` (a test without subtests: `test`);
'#' lines are comments, and every entry needs its reason.  Judgement:
a listed failure that fails passes as XFAIL; one that passes or skips
fails (the list must shrink: remove the line); a flake passes either
way; an unlisted failure fails.  Entries whose test ran but that match
no case fail too (renamed or gone subtests), and so do skip patterns
of a test that ran that matched no subtest.
"""

import fnmatch
import re
from dataclasses import replace
from pathlib import Path

import ktap

TOP = Path(__file__).resolve().parent.parent
LIST_DIR = TOP / "ci" / "igt"
LINE_RE = re.compile(r"^(?P<name>\S+)\s+#\s*(?P<reason>\S.*)$")
PREFIX = "igt."


def shown(path):
    """@path relative to the checkout when it is in it."""
    try:
        return path.relative_to(TOP)
    except ValueError:
        return path


def read_list(path):
    """{name: reason} of one list, and the problems of its lines."""
    entries, problems = {}, []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return entries, problems
    for num, line in enumerate(text.splitlines(), 1):
        line = line.rstrip()
        if not line or line.startswith("#"):
            continue
        m = LINE_RE.match(line)
        if not m:
            problems.append(f"{shown(path)}:{num}: '{line}' has no '# reason'")
            continue
        if m.group("name") in entries:
            problems.append(f"{shown(path)}:{num}: {m.group('name')} listed twice")
        entries[m.group("name")] = m.group("reason")
    return entries, problems


def igt_name(case_name):
    """igt.test.subtest -> test@subtest; igt.test -> test."""
    rest = case_name[len(PREFIX):]
    test, _, sub = rest.partition(".")
    return f"{test}@{sub}" if sub else test


def apply(cases, flavor, list_dir=LIST_DIR):
    """Judge the igt.* cases of one flavour's run by its lists; returns the
    new case list (other cases unchanged, plus igt.expectations)."""
    lists = {}
    problems = []
    for kind in ("fails", "flakes", "skips"):
        path = list_dir / f"{flavor}-{kind}.txt"
        lists[kind], more = read_list(path)
        problems += more
    fails, flakes, skips = lists["fails"], lists["flakes"], lists["skips"]
    for name in set(fails) & set(flakes):
        problems.append(f"{name} is in both {flavor}-fails.txt and {flavor}-flakes.txt")

    igt_cases = [c for c in cases if c.name.startswith(PREFIX)
                 and c.name not in (PREFIX + "exit", PREFIX + "plan")]
    if not igt_cases:
        return cases
    ran_tests = {igt_name(c.name).split("@")[0] for c in igt_cases}
    seen = set()
    out = []
    for case in cases:
        if case not in igt_cases:
            out.append(case)
            continue
        name = igt_name(case.name)
        seen.add(name)
        if name in fails:
            where = f"ci/igt/{flavor}-fails.txt"
            if case.result == ktap.FAIL:
                case = replace(case, result=ktap.PASS, reason=f"XFAIL {fails[name]}")
            elif case.result == ktap.PASS:
                case = replace(case, result=ktap.FAIL, reason="unexpected pass",
                               diagnostics=[f"listed in {where} ({fails[name]}) but passed:"
                                            " remove it from the list"])
            else:
                case = replace(case, result=ktap.FAIL, reason="listed failure skipped",
                               diagnostics=[f"listed in {where} ({fails[name]}) but skipped"
                                            f" ({case.reason}): update the list"])
        elif name in flakes and case.result == ktap.FAIL:
            case = replace(case, result=ktap.PASS,
                           reason=f"FLAKE {flakes[name]}: failed this run ({case.reason})")
        out.append(case)

    for kind, entries in (("fails", fails), ("flakes", flakes)):
        for name in sorted(entries):
            if name.split("@")[0] in ran_tests and name not in seen:
                problems.append(f"ci/igt/{flavor}-{kind}.txt lists {name}, which did not run:"
                                " renamed or gone, update the list")
    listed_skips = [c for c in igt_cases if c.result == ktap.SKIP
                    and c.reason.startswith("listed in skips.txt")]
    for pattern in sorted(skips):
        test = pattern.split("@")[0]
        if not any(ch in test for ch in "*?[") and test not in ran_tests:
            continue
        if not any(fnmatch.fnmatchcase(igt_name(c.name), pattern) for c in listed_skips):
            problems.append(f"ci/igt/{flavor}-skips.txt: {pattern} matched no subtest:"
                            " renamed or gone, update the list")
    out.append(ktap.Case(PREFIX + "expectations", ktap.FAIL if problems else ktap.PASS,
                         "", problems, suite=PREFIX.rstrip(".")))
    return out
