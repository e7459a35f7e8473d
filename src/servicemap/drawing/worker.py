"""Graphviz isolated in a worker process with a timeout; crashes become RenderError.

The worker never outlives the process that started it: it holds the reading
end of a pipe whose writing end only its parent has (the *lifeline*). When the
parent ends, however it ends (``SIGKILL`` included), the kernel closes that
end; the worker has asked for ``SIGIO`` on it and dies of that signal's
default action, even in the middle of a Graphviz call (which holds the GIL, so
a Python watchdog thread could not run). On Linux it also asks for
``SIGKILL`` when its parent thread ends (``PR_SET_PDEATHSIG``), where that
thread is the main thread (a worker started from a short-lived thread would
otherwise die with that thread). See :mod:`servicemap.drawing._worker`.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import functools
import math
import os
import re
import signal
import struct
import subprocess
import sys
import threading
import weakref
from pathlib import Path
from typing import IO

from ..problems import RenderError
from ._worker import DONE_MARK

__all__ = ["GraphvizWorker", "shared_worker"]

_WORKER_SCRIPT = Path(__file__).with_name("_worker.py")
_NOISE = (b"reset-dirs",)  # the bundled fontconfig's warning in every process
_KEEP_LINES = 200
_ERROR = re.compile(r"^Error:", re.MULTILINE)  # how Graphviz begins an error (not a warning)
_WORKERS: weakref.WeakSet[GraphvizWorker] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked child lets go of its parent's workers.

    It closes its copies of their lifelines (they must not keep those workers
    alive once the parent has ended), never stops them, and starts its own
    worker on first use (with a fresh lock: another thread may have held the
    old one at the fork).
    """
    for worker in list(_WORKERS):
        worker._forget_lifeline()
        worker._proc = worker._drain = None
        worker._lock = threading.Lock()


class _StderrDrain:
    """Reads a worker's stderr continuously (so it never blocks) and keeps the last lines."""

    def __init__(self, stream: IO[bytes]) -> None:
        """Start reading ``stream`` in a daemon thread."""
        self._stream = stream
        self._lines: collections.deque[bytes] = collections.deque(maxlen=_KEEP_LINES)
        self._done = 0
        self._total = 0
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="graphviz-stderr", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        """Read lines until the stream ends; note each request's done mark, keep the rest."""
        for line in self._stream:
            with self._cond:
                if line.startswith(DONE_MARK):
                    self._done = int(line.split()[1])
                    self._cond.notify_all()
                elif not any(noise in line for noise in _NOISE):
                    self._lines.append(line)
                    self._total += 1
        with self._cond:
            self._done = -1
            self._cond.notify_all()

    def mark(self) -> int:
        """Where the lines of the next request begin."""
        with self._cond:
            return self._total

    def wait_for(self, request: int, timeout: float = 1.0) -> None:
        """Wait until the worker's messages for ``request`` have been read."""
        with self._cond:
            self._cond.wait_for(lambda: self._done >= request or self._done < 0, timeout)

    def finish(self, timeout: float = 2.0) -> None:
        """Wait for the end of the stream (the worker has ended)."""
        self._thread.join(timeout)

    def text_since(self, mark: int) -> str:
        """The messages since ``mark`` (or the last ones kept), decoded."""
        with self._cond:
            lines = list(self._lines)
            count = self._total - mark
        recent = lines[len(lines) - min(count, len(lines)):] if count > 0 else []
        return b"".join(recent).decode("utf-8", "replace").strip()


class GraphvizWorker:
    """One Graphviz worker process, started on first use and restarted after a failure.

    Requests are served one at a time (a lock guards the process). A request
    that takes longer than its timeout ends the process; a crash of Graphviz
    ends it too. Both raise :class:`~servicemap.problems.RenderError`, and the
    next request starts a fresh worker.

    Example:
        >>> worker = GraphvizWorker()
        >>> worker.draw(b'digraph { a [pos="10,10!"] }', "svg", timeout=30)[:5]
        b'<?xml'
        >>> worker.close()
    """

    def __init__(self) -> None:
        """A worker that starts its process on first use."""
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._drain: _StderrDrain | None = None
        self._owner_pid = 0
        self._requests = 0
        self._lifeline: int | None = None  # our end of the worker's lifeline pipe
        _WORKERS.add(self)

    def _forget_lifeline(self) -> None:
        """Close this process's copy of the lifeline (in a forked child)."""
        lifeline, self._lifeline = self._lifeline, None
        if lifeline is not None:
            with contextlib.suppress(OSError):
                os.close(lifeline)

    @property
    def pid(self) -> int | None:
        """The worker process's id while one runs."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def _start(self) -> subprocess.Popen[bytes]:
        """Start a fresh worker process, tied to this one by its lifeline, and its stderr reader."""
        env = dict(os.environ)
        env.setdefault("PYTHONIOENCODING", "utf-8")
        # Dates cairo writes into PDFs: in UTC, so one length whatever the caller's zone
        # (draw.fix_pdf_dates then fixes them); a cairo that reads SOURCE_DATE_EPOCH takes it.
        env["TZ"] = "UTC0"
        env["SOURCE_DATE_EPOCH"] = "946684800"
        argv = [sys.executable, "-u", str(_WORKER_SCRIPT)]
        keep: tuple[int, ...] = ()
        lifeline: int | None = None
        if os.name == "posix":
            # Both ends are non-inheritable; only the reading end is passed on, so the
            # writing end is closed when this process ends, and only then.
            watched, lifeline = os.pipe()
            keep = (watched,)
            argv += ["--lifeline", str(watched), "--parent", str(os.getpid())]
            if threading.current_thread() is threading.main_thread():
                argv.append("--die-with-parent-thread")
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                close_fds=True,
                pass_fds=keep,
            )
        except BaseException:
            if lifeline is not None:
                os.close(lifeline)
            raise
        finally:
            for fd in keep:
                os.close(fd)
        assert proc.stderr is not None
        self._proc = proc
        self._lifeline = lifeline
        self._drain = _StderrDrain(proc.stderr)
        self._owner_pid = os.getpid()
        self._requests = 0
        return proc

    def _running(self) -> subprocess.Popen[bytes]:
        """The live worker process, started (or restarted) if there is none."""
        proc = self._proc
        if proc is not None and self._owner_pid != os.getpid():
            # A forked child must not share its parent's worker pipes.
            self._proc = self._drain = None
            self._forget_lifeline()  # the copy of the parent's end, if still open
            proc = None
        if proc is None or proc.poll() is not None:
            self._stop()
            proc = self._start()
        return proc

    def _stop(self) -> None:
        """End the worker process, if any, and close its pipes."""
        proc, self._proc = self._proc, None
        lifeline, self._lifeline = self._lifeline, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if lifeline is not None:
            with contextlib.suppress(OSError):
                os.close(lifeline)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if self._drain is not None:
            self._drain.finish()

    def close(self) -> None:
        """End the worker process (a later request starts a new one)."""
        with self._lock:
            self._stop()
            self._drain = None

    def draw(self, dot: bytes, fmt: str, *, prog: str = "nop2", timeout: float = 60.0) -> bytes:
        """Lay out and draw ``dot`` with Graphviz ``prog`` in the worker.

        Args:
            dot: DOT text, UTF-8.
            fmt: ``"svg"``, ``"pdf"`` or ``"png"``.
            prog: The Graphviz layout program: ``"nop2"`` keeps given positions.
            timeout: Seconds to wait before ending the worker (``inf``: no limit).

        Raises:
            RenderError: Graphviz reported an error, crashed or ran out of time.
        """
        with self._lock:
            proc = self._running()
            drain = self._drain
            assert proc.stdin is not None and proc.stdout is not None and drain is not None
            mark = drain.mark()
            self._requests += 1
            request = self._requests
            message = (
                struct.pack(">I", len(fmt)) + fmt.encode("ascii")
                + struct.pack(">I", len(prog)) + prog.encode("ascii")
                + struct.pack(">Q", len(dot)) + dot
            )
            answer: list[tuple[bytes, bytes] | BaseException] = []
            reader = threading.Thread(
                target=_read_answer, args=(proc, message, answer), daemon=True,
                name="graphviz-answer",
            )
            reader.start()
            reader.join(timeout if math.isfinite(timeout) else None)
            if reader.is_alive():
                self._stop()
                reader.join(5)
                raise RenderError(
                    f"Graphviz did not finish drawing within {timeout:.3g} s and was stopped; "
                    "the map may be too large for this timeout (pass a larger timeout)"
                    + _details(drain.text_since(mark))
                )
            result = answer[0] if answer else RuntimeError("no answer")
            if isinstance(result, BaseException):
                code = proc.wait(5)
                self._stop()
                raise RenderError(
                    f"Graphviz crashed while drawing the map ({_describe_exit(code)}); "
                    "the worker was restarted" + _details(drain.text_since(mark))
                ) from None
            status, payload = result
            drain.wait_for(request)
            said = drain.text_since(mark)
            if status != b"O":
                text = payload.decode("utf-8", "replace")
                raise RenderError(f"Graphviz could not draw the map: {text}" + _details(said))
            if _ERROR.search(said):  # e.g. a node without position: drawn empty, not drawn
                raise RenderError("Graphviz reported an error and drew the map incompletely"
                                  + _details(said))
            return payload


def _read_answer(
    proc: subprocess.Popen[bytes], message: bytes,
    answer: list[tuple[bytes, bytes] | BaseException],
) -> None:
    """Send ``message``; append the worker's answer (status, payload) or the error."""
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(message)
        proc.stdin.flush()
        head = proc.stdout.read(9)
        if len(head) < 9:
            raise EOFError("the worker ended")
        status = head[:1]
        (size,) = struct.unpack(">Q", head[1:])
        payload = proc.stdout.read(size)
        if len(payload) < size:
            raise EOFError("the worker ended")
        answer.append((status, payload))
    except (OSError, ValueError, EOFError) as exc:
        answer.append(exc)


def _describe_exit(code: int | None) -> str:
    """How a process ended, in words.

    >>> _describe_exit(-9), _describe_exit(1)
    ('killed by SIGKILL', 'exit status 1')
    """
    if code is None:
        return "still running"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}"
    return f"exit status {code}"


def _details(text: str) -> str:
    """Graphviz's last messages (at most 20 lines), indented, to append to an error; or ""."""
    if not text:
        return ""
    lines = text.splitlines()[-20:]
    return "\nGraphviz said:\n" + "\n".join(f"  {line}" for line in lines)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@functools.cache
def shared_worker() -> GraphvizWorker:
    """The worker that :func:`servicemap.drawing.render_layout` uses, made on first use.

    This is the one process-wide cache of the package: a worker process is
    reused across renders (starting one costs about 60 ms) and ends when the
    interpreter exits.

    >>> shared_worker() is shared_worker()
    True
    """
    worker = GraphvizWorker()
    atexit.register(worker.close)
    return worker
