#!/usr/bin/env python3
"""Print the project's closing line from every RESULTS/*.ktap.

Reads the KTAP documents written by run-guest.py and run-device-tests.py
and prints 'N passed, N failed' on a line of its own, last (skipped
cases, if any, are counted on a '# N skipped' line before it).  A document
whose plan does not match its results counts as one more failure.  Exits 1 if anything failed or no case ran at all.
"""

import sys
from pathlib import Path

import ktap


def main():
    if len(sys.argv) != 2:
        print("usage: summary.py RESULTS_DIR", file=sys.stderr)
        return 2
    passed = failed = skipped = 0
    for path in sorted(Path(sys.argv[1]).glob("*.ktap")):
        doc = ktap.parse(path.read_text(encoding="utf-8", errors="replace").splitlines())
        p, f, s = ktap.counts(doc.cases)
        problem = ktap.plan_problem(doc)
        if problem:
            print(f"# {path.name}: {problem}")
            f += 1
        print(f"# {path.name}: {ktap.summary(p, f, s)}")
        passed, failed, skipped = passed + p, failed + f, skipped + s
    if passed + failed + skipped == 0:
        print("# no test case ran")
    if skipped:
        print(f"# {skipped} skipped")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed + failed + skipped == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
