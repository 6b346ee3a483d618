"""KTAP/TAP reading and writing shared by the tlgpu CI scripts.

parse() reads one KTAP (or TAP 13/14) document: the plan and the
top-level results, with the '#' diagnostics and other output printed
since the previous result attached to each result, and the times tlgpu's
harness prints after each result ('# tlgpu-case-time NAME MS LIMIT_MS',
guest-userspace/tests/ktap.h) kept as that case's.  Nested (indented)
subtests are kept as diagnostics of their parent.  write() stores flat
results as a KTAP document; report() prints them the way the CI log
shows them; summary() formats the closing count.
"""

import re
from dataclasses import dataclass, field

PASS, FAIL, SKIP = "pass", "fail", "skip"

RESULT_RE = re.compile(
    r"^(?P<ok>not ok|ok)\b\s*(?P<num>\d+)?\s*(?:-\s+)?(?P<name>[^#]*?)\s*"
    r"(?:#\s*(?P<directive>.*))?$")
PLAN_RE = re.compile(r"^1\.\.(?P<count>\d+)")
TIME_RE = re.compile(r"^#\s*tlgpu-case-time (?P<name>\S+) (?P<ms>\d+) (?P<limit>\d+)$")


@dataclass
class Case:
    """One test result: name, PASS/FAIL/SKIP, why, and what it printed."""
    name: str
    result: str
    reason: str = ""
    diagnostics: list = field(default_factory=list)
    ms: int | None = None        # elapsed, when the harness said
    limit_ms: int | None = None  # the timeout it was held to
    suite: str = ""              # the suite whose case it is ("" for the harness's own)


@dataclass
class Document:
    """A parsed KTAP document."""
    plan: int | None = None
    cases: list = field(default_factory=list)
    bail_out: str | None = None
    trailing: list = field(default_factory=list)  # output after the last result


def parse(lines):
    """Parse an iterable of lines into a Document."""
    doc = Document()
    pending = []
    for raw in lines:
        line = raw.rstrip("\r\n").replace("\r", "")
        if not line.strip():
            continue
        if line[0].isspace():            # nested subtest or YAML block
            pending.append(line.strip())
            continue
        if line.startswith(("KTAP version", "TAP version")):
            continue
        timed = TIME_RE.match(line)
        if timed and doc.cases and doc.cases[-1].name == timed.group("name"):
            doc.cases[-1].ms = int(timed.group("ms"))
            doc.cases[-1].limit_ms = int(timed.group("limit"))
            continue
        if line.startswith("Bail out!"):
            doc.bail_out = line[len("Bail out!"):].strip() or "bailed out"
            continue
        plan = PLAN_RE.match(line)
        if plan and doc.plan is None:
            doc.plan = int(plan.group("count"))
            continue
        result = RESULT_RE.match(line)
        if not result:
            pending.append(line.lstrip("# ").rstrip() if line.startswith("#") else line)
            continue
        directive = (result.group("directive") or "").strip()
        word = directive.split(" ", 1)[0].upper()
        if word in ("SKIP", "TODO"):
            outcome = SKIP
            reason = directive[len(word):].strip() or word.lower()
        else:
            outcome = PASS if result.group("ok") == "ok" else FAIL
            reason = directive
        name = result.group("name") or f"case-{len(doc.cases) + 1}"
        doc.cases.append(Case(name, outcome, reason, pending))
        pending = []
    doc.trailing = pending
    return doc


def plan_problem(doc):
    """Why the plan and the results disagree, or None."""
    if doc.bail_out:
        return f"bailed out: {doc.bail_out}"
    if doc.plan is None:
        return f"no plan line, {len(doc.cases)} results"
    if doc.plan != len(doc.cases):
        return f"plan 1..{doc.plan} but {len(doc.cases)} results"
    return None


def write(path, cases, title=None):
    """Write cases as one flat KTAP document, and the same cases as JUnit
    XML beside it (junit.write: PATH with .xml for .ktap)."""
    out = ["KTAP version 1"]
    if title:
        out.append(f"# {title}")
    out.append(f"1..{len(cases)}")
    for i, case in enumerate(cases, 1):
        if case.result == FAIL:
            out.extend(f"# {d}" for d in case.diagnostics)
            out.append(f"not ok {i} {case.name}" + (f" # {case.reason}" if case.reason else ""))
        elif case.result == SKIP:
            out.append(f"ok {i} {case.name} # SKIP {case.reason}".rstrip())
        else:
            out.append(f"ok {i} {case.name}" + (f" # {case.reason}" if case.reason else ""))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    import junit  # here: junit imports this module
    junit.write(junit.path_for(path), cases, title)


def counts(cases):
    """(passed, failed, skipped)."""
    return tuple(sum(c.result == r for c in cases) for r in (PASS, FAIL, SKIP))


def summary(passed, failed, skipped):
    """'N passed, N failed' with ', N skipped' only when there are skips."""
    line = f"{passed} passed, {failed} failed"
    return line + (f", {skipped} skipped" if skipped else "")


def report(cases, label, max_diag=40):
    """Print one line per case, diagnostics under failures, then a
    '# label: N passed, N failed' line.  Returns the counts."""
    for case in cases:
        if case.result == FAIL:
            print(f"not ok - {case.name}" + (f" # {case.reason}" if case.reason else ""))
            diag = case.diagnostics
            for d in diag[-max_diag:] if len(diag) > max_diag else diag:
                print(f"#   {d}")
            if len(diag) > max_diag:
                print(f"#   ({len(diag) - max_diag} earlier lines left out)")
        elif case.result == SKIP:
            print(f"ok - {case.name} # SKIP {case.reason}".rstrip())
        else:
            print(f"ok - {case.name}" + (f" # {case.reason}" if case.reason else ""))
    total = counts(cases)
    print(f"# {label}: {summary(*total)}")
    return total
