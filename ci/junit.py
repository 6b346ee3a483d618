"""JUnit XML of a KTAP document's cases, for GitLab, Jenkins and KernelCI.

Every KTAP document the CI writes (ktap.write) gets a JUnit file beside
it: RESULTS/NAME.ktap and RESULTS/NAME.xml hold the same cases.  The
XML is made by junit_xml (Debian's python3-junit.xml, which make deps
installs), one <testsuite> per suite:

  - a guest run's case 'SUITE.CASE' (6.1-debug.ktap: 'tlgpu-basic.open')
    is testcase 'CASE' of testsuite 'NAME.SUITE' ('6.1-debug.tlgpu-basic');
  - a case of no suite (the harness's kernel-log, watchdog, tests-done,
    and every case of the qtests, the fuzzer and the CI's self-checks)
    belongs to testsuite 'NAME'.

A failure's message is its reason (or its first diagnostic line) and its
text all its diagnostics: the suite's output before the result, or the
kernel report's console lines for kernel-log.  A skip's message is its
reason.  A case the harness timed has its time (seconds).

counts() reads a JUnit file back: summary.py checks that it holds the
same cases as its KTAP document.
"""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

try:
    import junit_xml
except ImportError:
    # An interpreter other than Debian's (a pyenv python3 first in PATH)
    # does not see the packages make deps installed; junit_xml is pure
    # Python (it needs six, also there).
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import junit_xml
    except ImportError as e:
        raise SystemExit(f"junit.py: no junit_xml module ({e}): make deps installs "
                         "python3-junit.xml") from e

import ktap


def path_for(ktap_path):
    """The JUnit file beside a KTAP document."""
    return Path(ktap_path).with_suffix(".xml")


def suites(name, cases):
    """junit_xml.TestSuite objects of @cases, in the order they first appear."""
    by_suite = {}
    for case in cases:
        suite = f"{name}.{case.suite}" if case.suite else name
        short = case.name
        if case.suite and short.startswith(case.suite + "."):
            short = short[len(case.suite) + 1:]
        tc = junit_xml.TestCase(short, classname=suite,
                                elapsed_sec=None if case.ms is None else case.ms / 1000)
        text = "\n".join(case.diagnostics)
        if case.result == ktap.FAIL:
            message = case.reason or next((d for d in case.diagnostics if d.strip()), "failed")
            tc.add_failure_info(message=message, output=text or None)
        elif case.result == ktap.SKIP:
            tc.add_skipped_info(message=case.reason or "skipped")
        elif text:
            tc.stdout = text
        by_suite.setdefault(suite, []).append(tc)
    return [junit_xml.TestSuite(suite, tcs) for suite, tcs in by_suite.items()]


def write(path, cases, title=None):
    """Write @cases as the JUnit file @path (named after its stem)."""
    path = Path(path)
    ts = suites(path.stem, cases)
    if title:
        for s in ts:
            s.properties = {"document": title}
    with open(path, "w", encoding="utf-8") as f:
        junit_xml.to_xml_report_file(f, ts, prettyprint=True, encoding="utf-8")


def counts(path):
    """(passed, failed, skipped) of a JUnit file, as ktap.counts gives them
    for its KTAP document: an error counts as a failure."""
    root = ET.parse(path).getroot()
    passed = failed = skipped = 0
    for tc in root.iter("testcase"):
        if tc.find("failure") is not None or tc.find("error") is not None:
            failed += 1
        elif tc.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped
