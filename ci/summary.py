#!/usr/bin/env python3
"""Print the project's closing line from every RESULTS/*.ktap.

Reads the KTAP documents written by run-guest.py, run-device-tests.py and
the other runners in one or more results directories (make check's
build/results, or the results of several CI jobs: a sharded run merged)
and prints 'N passed, N failed' on a line of its own, last (skipped
cases, if any, are counted on a '# N skipped' line before it).  A
document whose plan does not match its results counts as one more
failure, and so does one whose JUnit file (NAME.xml beside it, junit.py)
is missing or does not count the same cases.  A document name found in
two directories is one flavour run twice: an error, since its cases
would be counted twice.  Exits 1 if anything failed or no case ran at
all.
"""

import argparse
import sys
from pathlib import Path

import junit
import ktap


def junit_problem(path, counts):
    """Why NAME.xml beside the KTAP document @path disagrees with it, or None."""
    xml = junit.path_for(path)
    if not xml.exists():
        return f"no JUnit file {xml.name} beside it"
    try:
        got = junit.counts(xml)
    except Exception as e:  # a torn or foreign file: say what, count it
        return f"{xml.name} does not parse: {e}"
    if got != counts:
        return (f"{xml.name} counts {ktap.summary(*got)}, "
                f"the KTAP document {ktap.summary(*counts)}")
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results", nargs="+", type=Path, metavar="RESULTS_DIR")
    args = parser.parse_args()
    passed = failed = skipped = 0
    seen = {}
    for results in args.results:
        if not results.is_dir():
            print(f"# {results}: no such results directory")
            failed += 1
            continue
        for path in sorted(results.glob("*.ktap")):
            if path.name in seen:
                print(f"# {path.name}: in both {seen[path.name]} and {results}: "
                      "counted once")
                failed += 1
                continue
            seen[path.name] = results
            doc = ktap.parse(path.read_text(encoding="utf-8", errors="replace").splitlines())
            p, f, s = ktap.counts(doc.cases)
            for problem in (ktap.plan_problem(doc), junit_problem(path, (p, f, s))):
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
