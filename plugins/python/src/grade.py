"""Runs inside the grading container: checks the solution's syntax, then runs the task's pytest
tests on it and writes a JUnit XML report.

Exit codes (read by the INLOOP python plugin): 0 all tests passed, 1 some failed, 3 a syntax
error, 4 the tests could not import the solution, 5 no tests were found, anything else: crashed.
"""
import glob
import json
import os
import sys

SUBMISSION = "/submission"
REPORT = "/report/report.xml"
PROGRESS = "/report/progress.jsonl"
TESTS = "/task/tests"


class Progress:
    """Tells INLOOP how far the run is: the number of collected tests, then one JSON line per
    finished test, appended to a file the host reads while the tests run."""

    def __init__(self, path):
        self.path = path

    def write(self, entry):
        try:
            with open(self.path, "a", encoding="utf-8") as out:
                out.write(json.dumps(entry) + "\n")
        except OSError:
            pass

    def pytest_collection_finish(self, session):
        self.write({"planned": len(session.items)})

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.passed:
                status = "passed"
            elif report.skipped:
                status = "skipped"
            else:
                status = "failed" if report.when == "call" else "error"
            self.write({"test": report.nodeid.split("::")[-1], "status": status})


def check_syntax():
    ok = True
    for path in sorted(glob.glob(os.path.join(SUBMISSION, "*.py"))):
        try:
            with open(path, "rb") as source:
                compile(source.read(), os.path.basename(path), "exec", dont_inherit=True)
        except SyntaxError as err:
            ok = False
            line = (err.text or "").rstrip("\n")
            print(f"{err.filename}:{err.lineno}: {err.msg}", file=sys.stderr)
            if line:
                print(f"    {line}", file=sys.stderr)
                if err.offset:
                    print("    " + " " * (err.offset - 1) + "^", file=sys.stderr)
    return ok


def main():
    if not check_syntax():
        sys.exit(3)
    sys.path.insert(0, SUBMISSION)
    import pytest

    code = pytest.main([
        "-q", "-s", "-p", "no:cacheprovider", "--rootdir=/task", "--junitxml=" + REPORT,
        "-o", "junit_family=xunit1", "--tb=short", TESTS,
    ], plugins=[Progress(PROGRESS)])
    sys.exit({0: 0, 1: 1, 2: 4, 5: 5}.get(int(code), 6))


if __name__ == "__main__":
    main()
