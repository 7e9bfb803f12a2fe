"""Runs inside the grading container, as a process of its own: the solution's code lives here.

The test harness (grade.py) starts it with two pipes and asks it, for the tests, to import the
solution's modules, call its functions, read its attributes. Nothing here is trusted: whatever
the solution does to this process, the tests' outcomes and the report stay with the harness.
"""
import os
import sys

sys.path.insert(0, "/opt/inloop")
from inloop_channel import Answerer, Input, Output, Wire  # noqa: E402

sys.path.remove("/opt/inloop")


def main():
    read_fd, write_fd = int(sys.argv[1]), int(sys.argv[2])
    wire = Wire(read_fd, write_fd)
    output = Output()
    peer = Answerer(wire, output)
    output.wire = wire
    sys.stdout = output.stream("stdout")
    sys.stderr = output.stream("stderr")
    sys.stdin = Input(peer)
    sys.path.insert(0, "/submission")
    sys.argv = ["solution"]
    os.chdir("/tmp")
    peer.serve_forever()


if __name__ == "__main__":
    main()
