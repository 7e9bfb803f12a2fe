"""Runs inside the grading container: checks the solution's syntax, then runs the task's pytest
tests against it and writes a JUnit XML report and the run record.

The solution's code never runs in this process: it runs in a process of its own (agent.py), and
the tests reach it through proxies (inloop_channel.py). So the solution cannot end this run
early, change a test's outcome, register pytest plugins or touch the report this process writes;
and the run record carries the nonce the host gave this process alone, which the solution never
sees. This process is not dumpable, so the solution cannot read its memory either.

Exit codes (read by the INLOOP python plugin): 0 all tests passed, 1 some failed, 3 a syntax
error, 4 the tests could not import the solution, 5 no tests were found, anything else: crashed.
"""
import builtins
import ctypes
import glob
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import json
import os
import subprocess
import sys
import types
from xml.etree import ElementTree

sys.path.insert(0, "/opt/inloop")
from inloop_channel import Asker, Proxy, SolutionExit, Wire, new_proxy  # noqa: E402

sys.path.remove("/opt/inloop")

SUBMISSION = "/submission"
REPORT_DIR = "/report"
REPORT = "report.xml"
RECORD = "inloop-run.json"
PROGRESS = "/report/progress.jsonl"
TESTS = "/task/tests"
AGENT = "/opt/inloop/agent.py"


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


class Recorder:
    """Collects every test's outcome as pytest reports it, for the JUnit report written here."""

    def __init__(self):
        self.planned = 0
        self.cases = {}
        self.order = []
        self.ran = set()

    def pytest_collection_finish(self, session):
        self.planned = len(session.items)

    def pytest_collectreport(self, report):
        if report.failed:
            case = self.case(report.nodeid or "collection")
            case.update(status="error", message="collection failure", details=report.longreprtext)

    def pytest_runtest_logreport(self, report):
        self.ran.add(report.nodeid)
        case = self.case(report.nodeid)
        case["time"] += getattr(report, "duration", 0.0)
        if report.when == "call":
            if report.failed:
                case.update(status="failed", message=crash_message(report), details=report.longreprtext)
            elif report.skipped:
                case.update(status="skipped", message=skip_reason(report))
        elif report.failed and case["status"] != "failed":
            case.update(status="error", message=crash_message(report), details=report.longreprtext)
        elif report.skipped and report.when == "setup":
            case.update(status="skipped", message=skip_reason(report))

    def case(self, nodeid):
        if nodeid not in self.cases:
            self.cases[nodeid] = {"status": "passed", "message": None, "details": None, "time": 0.0}
            self.order.append(nodeid)
        return self.cases[nodeid]

    def xml(self):
        suite = ElementTree.Element("testsuite", name="pytest", tests=str(len(self.order)))
        for nodeid in self.order:
            case = self.cases[nodeid]
            parts = nodeid.split("::")
            module = parts[0][:-3] if parts[0].endswith(".py") else parts[0]
            classname = ".".join([module.replace("/", ".")] + parts[1:-1])
            element = ElementTree.SubElement(suite, "testcase", classname=xml_text(classname),
                                             name=xml_text(parts[-1]), time=f"{case['time']:.3f}")
            if case["status"] != "passed":
                tag = {"failed": "failure", "error": "error", "skipped": "skipped"}[case["status"]]
                child = ElementTree.SubElement(element, tag)
                if case["message"]:
                    child.set("message", xml_text(case["message"]))
                if case["details"]:
                    child.text = xml_text(case["details"])
        return ElementTree.tostring(suite, encoding="utf-8", xml_declaration=True)


def crash_message(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return crash.message
    text = (report.longreprtext or "").strip()
    return text.splitlines()[-1] if text else None


def skip_reason(report):
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return str(report.longrepr[2])
    return None


def xml_text(text):
    """Text XML can hold: characters it forbids become their visible Unicode pictures."""
    out = []
    for char in str(text):
        code = ord(char)
        if code < 0x20 and char not in "\t\n\r":
            out.append(chr(0x2400 + code))
        elif 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


class RemoteModule(types.ModuleType):
    """One of the solution's modules, as the tests import it."""

    def __init__(self, name, solution, handle):
        super().__init__(name)
        self.__dict__["_inloop_solution"] = solution
        self.__dict__["_inloop_handle"] = handle

    def __getattr__(self, name):
        __tracebackhide__ = True
        if name.startswith("_inloop"):
            raise AttributeError(name)
        solution = self.__dict__["_inloop_solution"]
        try:
            return solution.request("getattr", h=self.__dict__["_inloop_handle"], name=name)
        except AttributeError:
            if name == "__all__":
                return [entry for entry in self.__dir__() if not entry.startswith("_")]
            raise

    def __setattr__(self, name, value):
        if name.startswith("__") or name.startswith("_inloop"):
            super().__setattr__(name, value)
            return
        solution = self.__dict__["_inloop_solution"]
        solution.request("setattr", h=self.__dict__["_inloop_handle"], name=name,
                         value=solution.encode(value))

    def __delattr__(self, name):
        if name.startswith("__"):
            super().__delattr__(name)
            return
        self.__dict__["_inloop_solution"].request("delattr", h=self.__dict__["_inloop_handle"], name=name)

    def __dir__(self):
        return self.__dict__["_inloop_solution"].request("dir", h=self.__dict__["_inloop_handle"])

    def __repr__(self):
        return f"<module {self.__name__!r} of the solution>"


class RemoteClass(type):
    """A class of the solution: calling it makes an object there; its attributes live there."""

    def __call__(cls, *args, **kwargs):
        __tracebackhide__ = True
        return cls._inloop_solution.call(cls._inloop_class, args, kwargs)

    def __getattr__(cls, name):
        if name.startswith("_inloop") or name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return cls._inloop_solution.request("getattr", h=cls._inloop_class, name=name)

    def __setattr__(cls, name, value):
        if name.startswith("_"):
            type.__setattr__(cls, name, value)
            return
        solution = cls._inloop_solution
        solution.request("setattr", h=cls._inloop_class, name=name, value=solution.encode(value))

    def __repr__(cls):
        return f"<class '{cls.__module__}.{cls.__qualname__}'>"


def builtin_exception(name):
    base = getattr(builtins, str(name or "Exception"), None)
    if isinstance(base, type) and issubclass(base, BaseException):
        return base if issubclass(base, Exception) else SolutionExit
    return Exception


class Solution(Asker):
    """The harness's side of the channel, with proxies the tests can use like the real thing:
    the solution's classes become classes here (so isinstance and pytest.raises work), its
    modules modules, its objects instances of those classes."""

    def __init__(self, wire):
        super().__init__(wire, self.print_output)
        self.mirrors = {}

    @staticmethod
    def print_output(stream, text):
        target = sys.stderr if stream == "stderr" else sys.stdout
        target.write(text)
        target.flush()

    def encode(self, value, depth=0, budget=None):
        if isinstance(value, RemoteModule) and value.__dict__.get("_inloop_solution") is self:
            return {"home": value.__dict__["_inloop_handle"]}
        if isinstance(value, RemoteClass) and value._inloop_solution is self:
            return {"home": value._inloop_class}
        return super().encode(value, depth, budget)

    def make_proxy(self, info):
        kind = info.get("kind")
        if kind == "module":
            return RemoteModule(str(info.get("name", "module")), self, info["h"])
        if kind == "class":
            return self.mirror(info.get("cls") or {})
        cls = self.mirror(info.get("cls") or {})
        if not (isinstance(cls, type) and issubclass(cls, Proxy)):
            cls = Proxy
        return new_proxy(cls, self, info["h"])

    def mirror(self, info):
        key = info.get("h")
        if key in self.mirrors:
            return self.mirrors[key]
        name = str(info.get("name") or "object").split(".")[-1] or "object"
        namespace = {"__module__": str(info.get("module") or "solution"),
                     "__qualname__": str(info.get("name") or name)}
        if info.get("exception"):
            bases = tuple(self.mirror(base) for base in info.get("bases", []) if base.get("exception"))
            bases = bases or (builtin_exception(info.get("builtin")),)
            try:
                made = type(name, bases, namespace)
            except TypeError:
                made = type(name, (builtin_exception(info.get("builtin")),), namespace)
        else:
            bases = tuple(self.mirror(base) for base in info.get("bases", [])
                          if not base.get("exception"))
            namespace.update(__slots__=(), _inloop_class=key, _inloop_solution=self)
            try:
                made = RemoteClass(name, bases or (Proxy,), namespace)
            except TypeError:
                made = RemoteClass(name, (Proxy,), namespace)
        if key is not None:
            self.mirrors[key] = made
        return made

    def exception_class(self, error):
        if error.get("cls") and error.get("builtin") not in ("SystemExit", "KeyboardInterrupt"):
            made = self.mirror(error["cls"])
            if isinstance(made, type) and issubclass(made, Exception):
                return made
        return super().exception_class(error)

    def read_stdin(self, frame):
        size = frame.get("size", -1)
        size = size if isinstance(size, int) else -1
        text = sys.stdin.readline(size) if frame.get("line") else sys.stdin.read(size)
        return self.encode(str(text))


class SolutionModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports of the solution's modules, by the tests, become imports in the solution's process."""

    def __init__(self, solution, names):
        self.solution = solution
        self.names = names

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.names:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=f"{SUBMISSION}/{fullname}.py")

    def create_module(self, spec):
        __tracebackhide__ = True
        module = self.solution.request("import", name=spec.name)
        if not isinstance(module, RemoteModule):
            raise ImportError(f"the solution's {spec.name} is not a module")
        return module

    def exec_module(self, module):
        pass


def solution_module_names():
    """The solution's top-level modules; a name this process finds elsewhere (the standard
    library, pytest) stays that module, so the harness itself never uses the solution's."""
    names = set()
    for path in glob.glob(os.path.join(SUBMISSION, "*.py")):
        name = os.path.basename(path)[:-3]
        if name.isidentifier() and name not in sys.modules \
                and importlib.machinery.PathFinder.find_spec(name, sys.path) is None:
            names.add(name)
    return names


def read_nonce():
    """The host's nonce: the first line of standard input, read before anything else runs."""
    data = b""
    while len(data) < 256:
        chunk = os.read(0, 1)
        if not chunk or chunk == b"\n":
            break
        data += chunk
    # Standard input is done with; /dev/null in its place keeps fd 0 from being reused.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdin = io.StringIO("")
    return data.decode("ascii", "replace").strip()


def not_dumpable():
    """No other process of this user may read this one's memory or files in /proc."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


def check_syntax():
    ok = True
    for path in sorted(glob.glob(os.path.join(SUBMISSION, "*.py"))):
        try:
            with open(path, "rb") as source:
                compile(source.read(), os.path.basename(path), "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as err:
            ok = False
            print(f"{getattr(err, 'filename', None) or os.path.basename(path)}:"
                  f"{getattr(err, 'lineno', None) or 1}: {getattr(err, 'msg', None) or err}", file=sys.stderr)
            line = (getattr(err, "text", None) or "").rstrip("\n")
            if line:
                print(f"    {line}", file=sys.stderr)
                if getattr(err, "offset", None):
                    print("    " + " " * (err.offset - 1) + "^", file=sys.stderr)
    return ok


def start_solution():
    to_agent, from_harness = os.pipe()
    from_agent, to_harness = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-I", "-B", AGENT, str(to_agent), str(to_harness)],
        pass_fds=(to_agent, to_harness), stdin=subprocess.DEVNULL, cwd="/tmp",
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
             "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"})
    os.close(to_agent)
    os.close(to_harness)
    return process, Solution(Wire(from_agent, from_harness))


def write_report(recorder, nonce, finished):
    report = recorder.xml()
    with open(os.path.join(REPORT_DIR, REPORT), "wb") as out:
        out.write(report)
    if not finished:
        return
    record = {
        "nonce": nonce,
        "planned": recorder.planned,
        "finished": len(recorder.ran),
        "aborted": 0,
        "reports": {REPORT: hashlib.sha256(report).hexdigest()},
    }
    with open(os.path.join(REPORT_DIR, RECORD), "w", encoding="utf-8") as out:
        json.dump(record, out)


def main():
    nonce = read_nonce()
    not_dumpable()
    if not check_syntax():
        sys.exit(3)
    process, solution = start_solution()
    sys.meta_path.insert(0, SolutionModules(solution, solution_module_names()))
    import pytest

    recorder = Recorder()
    code = pytest.main([
        "-q", "-s", "-p", "no:cacheprovider", "--rootdir=/task", "--tb=short", TESTS,
    ], plugins=[Progress(PROGRESS), recorder])
    code = int(code)
    write_report(recorder, nonce, finished=code in (0, 1))
    process.kill()
    sys.stdout.flush()
    os._exit({0: 0, 1: 1, 2: 4, 5: 5}.get(code, 6))


if __name__ == "__main__":
    main()
