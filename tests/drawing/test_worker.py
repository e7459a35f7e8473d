"""Tests of the isolated Graphviz worker: crashes and timeouts become RenderError."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from servicemap.drawing.worker import GraphvizWorker
from servicemap.problems import RenderError

SMALL = b'digraph { a [pos="10,10!"]; b [pos="100,10!"]; a -> b }'


def tangled_graph(nodes: int, edges: int) -> bytes:
    """A random graph that ``dot``'s crossing minimisation cannot finish quickly.

    500 nodes and 3000 seeded random edges ran past 60 s on the development
    machine, so a 0.5 s timeout fires on any machine, however fast.
    """
    rng = random.Random(7)
    lines = "\n".join(f"n{rng.randrange(nodes)} -> n{rng.randrange(nodes)};"
                      for _ in range(edges))
    return f"digraph {{ {lines} }}".encode()


@pytest.fixture
def worker() -> Iterator[GraphvizWorker]:
    w = GraphvizWorker()
    yield w
    w.close()


def test_draws_and_reuses_one_process(worker: GraphvizWorker) -> None:
    assert worker.draw(SMALL, "svg", timeout=30).startswith(b"<?xml")
    pid = worker.pid
    assert worker.draw(SMALL, "png", timeout=30).startswith(b"\x89PNG")
    assert worker.pid == pid


def test_graphviz_error_is_a_render_error_and_worker_survives(worker: GraphvizWorker) -> None:
    with pytest.raises(RenderError, match="syntax error"):
        worker.draw(b"digraph { a [", "svg", timeout=30)
    assert worker.draw(SMALL, "svg", timeout=30)


def test_an_error_graphviz_draws_past_is_a_render_error_not_an_empty_drawing(
        worker: GraphvizWorker) -> None:
    # nop2 needs every node's position; Graphviz says "Error: node b ... has no
    # position" and still returns a drawing, empty.
    with pytest.raises(RenderError, match="has no position"):
        worker.draw(b'digraph { a [pos="10,10!"]; b; a -> b; }', "svg", timeout=30)
    assert worker.draw(SMALL, "svg", timeout=30).startswith(b"<?xml")


def test_killed_worker_mid_render_is_a_render_error_then_recovers(
        worker: GraphvizWorker) -> None:
    worker.draw(SMALL, "svg", timeout=30)
    pid = worker.pid
    assert pid is not None
    errors: list[BaseException] = []

    def run() -> None:
        try:
            worker.draw(tangled_graph(500, 3000), "png", prog="dot", timeout=60)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)
    os.kill(pid, signal.SIGSEGV)
    thread.join(30)
    assert len(errors) == 1 and isinstance(errors[0], RenderError)
    assert "crashed" in str(errors[0]) and "SIGSEGV" in str(errors[0])
    assert worker.draw(SMALL, "svg", timeout=30).startswith(b"<?xml")
    assert worker.pid != pid


def test_dead_idle_worker_is_restarted(worker: GraphvizWorker) -> None:
    worker.draw(SMALL, "svg", timeout=30)
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.1)
    assert worker.draw(SMALL, "svg", timeout=30).startswith(b"<?xml")


def test_timeout_stops_the_worker_then_recovers(worker: GraphvizWorker) -> None:
    start = time.perf_counter()
    with pytest.raises(RenderError, match=r"did not finish drawing within 0\.5 s"):
        worker.draw(tangled_graph(500, 3000), "svg", prog="dot", timeout=0.5)
    assert time.perf_counter() - start < 10
    assert worker.draw(SMALL, "svg", timeout=30).startswith(b"<?xml")


def test_unknown_program_is_refused(worker: GraphvizWorker) -> None:
    with pytest.raises(RenderError, match="unknown layout program"):
        worker.draw(SMALL, "svg", prog="circo", timeout=30)


_PARENT = """
import sys, threading, time
from servicemap.drawing.worker import GraphvizWorker
from tests.drawing.test_worker import SMALL, tangled_graph

worker = GraphvizWorker()

def work():
    worker.draw(SMALL, "svg", timeout=30)
    print(worker.pid, flush=True)
    worker.draw(tangled_graph(500, 3000), "svg", prog="dot", timeout=600)

if sys.argv[1] == "main":
    work()
else:
    threading.Thread(target=work).start()
    time.sleep(600)
"""


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie nobody reaps counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return False


@pytest.mark.skipif(os.name != "posix", reason="the lifeline is a POSIX pipe")
@pytest.mark.parametrize("started_from", ["main", "thread"])
def test_worker_dies_with_its_parent_killed_mid_render(started_from: str) -> None:
    """SIGKILL the parent while Graphviz runs: the worker does not live on as an orphan.

    From a thread, only the lifeline pipe can end the worker (no parent-death
    signal is asked for there); from the main thread, both can.
    """
    root = Path(__file__).resolve().parents[2]
    parent = subprocess.Popen([sys.executable, "-c", _PARENT, started_from], cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    try:
        time.sleep(0.5)  # well inside the drawing that dot cannot finish quickly
        assert not _gone(pid)
        parent.kill()
        parent.wait(10)
        end = time.monotonic() + 5
        while not _gone(pid) and time.monotonic() < end:
            time.sleep(0.05)
        assert _gone(pid), "the Graphviz worker outlived its parent"
    finally:
        parent.kill()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")  # the test's own threads
def test_a_forked_child_lets_go_of_its_parents_worker(worker: GraphvizWorker) -> None:
    """The child closes its copy of the lifeline and draws with a worker of its own."""
    worker.draw(SMALL, "svg", timeout=30)
    parent_worker = worker.pid
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            ok = worker._lifeline is None and worker.pid is None
            ok = ok and worker.draw(SMALL, "svg", timeout=30).startswith(b"<?xml")
            ok = ok and worker.pid not in (None, parent_worker)
            worker.close()
            os.write(write, b"ok" if ok else b"no")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 2)
    os.waitpid(child, 0)
    os.close(read)
    assert answer == b"ok"
    assert worker.pid == parent_worker and worker.draw(SMALL, "svg", timeout=30)
