"""The Graphviz worker process: reads DOT requests on stdin, answers with drawn bytes.

Run as a script (``python _worker.py``) by :mod:`servicemap.drawing.worker`; it
imports only the standard library and pygraphviz, so it starts fast and a
Graphviz crash ends only this process.

Protocol (all integers big-endian):

* request: ``u32`` length + format name, ``u32`` length + layout program,
  ``u64`` length + DOT text (UTF-8);
* answer: one status byte (``O`` for the drawn bytes, ``E`` for an error
  message) and a ``u64`` length + payload.

After each answer's payload is ready, and before it is written, a line
``servicemap-worker-done <n>`` goes to stderr so the parent knows which
Graphviz messages belong to request ``n``.

Options: ``--lifeline FD --parent PID`` name the reading end of a pipe only
the parent writes to (and never does) and the parent's process id. The worker
asks the kernel for ``SIGIO`` on that pipe (``O_ASYNC``) and leaves the
signal's default action, ending the process, in place: when the parent ends
and its end of the pipe closes, the worker ends too, even while Graphviz
runs. ``--die-with-parent-thread`` also sets Linux's ``PR_SET_PDEATHSIG`` to
``SIGKILL``, set here in the child after it started (not in a ``preexec_fn``,
which is unsafe with threads). Either way, a parent already gone by the time
these are set is noticed and the worker leaves at once.
"""

from __future__ import annotations

import os
import signal
import struct
import sys
from typing import BinaryIO

__all__ = ["DONE_MARK", "main", "serve", "tie_to_parent"]

DONE_MARK = b"servicemap-worker-done"

# Only these layout programs may be asked for; "nop2" draws pinned positions.
_PROGS = frozenset({"nop2", "neato", "dot"})
_FORMATS = frozenset({"svg", "pdf", "png"})


def _read_exact(stream: BinaryIO, size: int) -> bytes | None:
    """Exactly ``size`` bytes from ``stream``, or None if it ends first."""
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_field(stream: BinaryIO, fmt: str) -> bytes | None:
    """A length-prefixed field (the length packed as ``fmt``), or None at the end."""
    head = _read_exact(stream, struct.calcsize(fmt))
    if head is None:
        return None
    (size,) = struct.unpack(fmt, head)
    return _read_exact(stream, size)


def _draw(dot: bytes, fmt: str, prog: str) -> bytes:
    """Draw ``dot`` with Graphviz's ``prog`` as ``fmt`` (both from the allowed sets)."""
    import pygraphviz

    if fmt not in _FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
    if prog not in _PROGS:
        raise ValueError(f"unknown layout program {prog!r}")
    graph = pygraphviz.AGraph(string=dot.decode("utf-8"))
    data = graph.draw(format=fmt, prog=prog)
    if not isinstance(data, bytes) or not data:
        raise RuntimeError("Graphviz produced no output")
    return data


def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Answer requests until ``stdin`` ends.

    >>> import io
    >>> request = (struct.pack(">I", 3) + b"gif" + struct.pack(">I", 4) + b"nop2"
    ...            + struct.pack(">Q", 2) + b"{}")
    >>> answers = io.BytesIO()
    >>> serve(io.BytesIO(request), answers)
    >>> answers.getvalue()[:1], answers.getvalue()[9:]
    (b'E', b"ValueError: unknown output format 'gif'")
    """
    count = 0
    while True:
        fmt = _read_field(stdin, ">I")
        prog = _read_field(stdin, ">I") if fmt is not None else None
        dot = _read_field(stdin, ">Q") if prog is not None else None
        if fmt is None or prog is None or dot is None:
            return
        count += 1
        try:
            status, payload = b"O", _draw(dot, fmt.decode("ascii"), prog.decode("ascii"))
        except Exception as exc:  # every failure becomes an answer, never a dead worker
            status, payload = b"E", f"{type(exc).__name__}: {exc}".encode()
        sys.stderr.flush()
        os.write(2, DONE_MARK + b" %d\n" % count)
        stdout.write(status + struct.pack(">Q", len(payload)))
        stdout.write(payload)
        stdout.flush()


def _set_parent_death_signal() -> None:
    """Linux: ask for ``SIGKILL`` when the thread that started this process ends."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):  # no prctl here: the lifeline still holds
        pass


def tie_to_parent(lifeline: int, parent: int, *, parent_thread: bool = False) -> None:
    """End this process when its parent ends (see the module's docstring).

    Args:
        lifeline: The reading end of the lifeline pipe.
        parent: The parent's process id.
        parent_thread: Also end with the parent's thread (Linux ``PR_SET_PDEATHSIG``).
    """
    if parent_thread:
        _set_parent_death_signal()
    try:
        import fcntl

        fcntl.fcntl(lifeline, fcntl.F_SETOWN, os.getpid())
        flags = fcntl.fcntl(lifeline, fcntl.F_GETFL)
        fcntl.fcntl(lifeline, fcntl.F_SETFL, flags | os.O_ASYNC | os.O_NONBLOCK)
        signal.signal(signal.SIGIO, signal.SIG_DFL)
    except (ImportError, OSError, AttributeError, ValueError):
        pass
    # The parent may have ended before any of this was in place.
    try:
        gone = os.read(lifeline, 1) == b""
    except BlockingIOError:
        gone = False
    except OSError:
        gone = True
    if gone or os.getppid() != parent:
        os._exit(3)


def main(argv: list[str] | None = None) -> None:
    """Serve on the process's standard streams, tied to the parent if asked.

    The answers go to a private copy of stdout; stdout itself then points at
    stderr, so nothing Graphviz or a library prints can corrupt the protocol.
    """
    args = sys.argv[1:] if argv is None else argv
    if "--lifeline" in args and "--parent" in args:
        tie_to_parent(int(args[args.index("--lifeline") + 1]),
                      int(args[args.index("--parent") + 1]),
                      parent_thread="--die-with-parent-thread" in args)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
