"""Writing output files: the whole new content or the old file, never a torn one.

The one writer every output goes through (``render``'s drawings,
``check --output``'s reports, ``schema -o``, ``Blueprint.to_yaml(path)``).
A regular file is replaced atomically through a temporary file that nobody
can plant a link at; a device or a FIFO (``/dev/null``, a pipe) is written in
place, never renamed over; ``/dev/stdout`` and its kin write to the process's
own open stream.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import signal
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["same_file", "write_bytes_atomic"]

_TEMP_TRIES = 100
_NAME_BYTES = 120
"""The most bytes of the target's name a temporary name repeats (names stay under 255)."""

_STREAM = re.compile(r"/dev/(?:std(?P<std>out|err)|fd/(?P<fd>\d+))|/proc/self/fd/(?P<proc>\d+)")
"""Names of a stream the process already has open: written through that descriptor."""


def _current_umask() -> int:
    # Linux reports the umask without changing it; elsewhere it can only be read by
    # setting it (briefly, so another thread creating a file meanwhile could see 0o022).
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _random_token() -> str:
    """The random part of a temporary file's name (64 bits; tests replace it)."""
    return secrets.token_hex(8)


def _temp_name(folder: str, target: str) -> str:
    base = os.fsdecode(os.fsencode(target)[:_NAME_BYTES])
    return os.path.join(folder, f".{base}.{_random_token()}.tmp")


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (in this thread) while a temporary file comes to be.

    Between the system call that creates the file and the line that records
    its name, an interrupt would leave a file nobody removes; held back, it is
    raised a moment later, when the name is known and the clean-up in place.
    """
    block = getattr(signal, "pthread_sigmask", None)
    if block is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = block(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, old)


def _create_temp(folder: str, target: str) -> tuple[int, str]:
    """A new, empty temporary file in ``folder`` for ``target``: its descriptor and name.

    The name is random and the file is created with ``O_CREAT | O_EXCL |
    O_NOFOLLOW``: if anything (a file, a symbolic link planted by someone
    else) already has the name, the open fails and another name is drawn, so
    the write can never land in a file the name was made to point at.
    """
    flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    for _ in range(_TEMP_TRIES):
        name = _temp_name(folder, target)
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free name for a temporary file", folder)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _stream_fd(name: str) -> int | None:
    """The descriptor ``name`` stands for, if it names one of the process's open streams.

    >>> _stream_fd("/dev/stdout"), _stream_fd("/dev//./fd/3"), _stream_fd("/dev/null")
    (1, 3, None)
    """
    if os.sep != "/":  # pragma: no cover - Windows has no such names
        return None
    match = _STREAM.fullmatch(os.path.normpath(os.path.abspath(name)))
    if match is None:
        return None
    if match["std"] is not None:
        return 1 if match["std"] == "out" else 2
    return int(match["fd"] or match["proc"])


def _write_special(name: str, mode: int, data: bytes) -> None:
    """Write ``data`` into a device or FIFO in place: opened for writing, never replaced."""
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder", name)
    if stat.S_ISSOCK(mode):
        raise OSError(errno.ENXIO, "is a socket: only files, character devices and pipes "
                                   "can be written to", name)
    if stat.S_ISBLK(mode):
        raise OSError(errno.EPERM, "is a block device: refused, a report or a drawing "
                                   "would overwrite a disk", name)
    # No O_TRUNC and no rename: the device node stays what it is. A FIFO waits for a
    # reader, as a shell's `> fifo` does (Ctrl-C or SIGTERM still end the wait).
    fd = os.open(name, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
                 | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode):  # swapped meanwhile
            raise OSError(errno.EAGAIN, "changed while being opened: try again", name)
        _write_all(fd, data)
    finally:
        os.close(fd)


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file (one device and inode: links and hard links too).

    ``False`` when either does not exist or cannot be looked at.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "map.yaml"
    >>> _ = f.write_text("x")
    >>> same_file(f, f.parent / "." / "map.yaml"), same_file(f, f.with_suffix(".svg"))
    (True, False)
    """
    try:
        first, second = os.stat(a), os.stat(b)
    except (OSError, ValueError):
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path``: atomically for a file, in place for a device or FIFO.

    A regular file (or a name not yet taken) gets a temporary file in the same
    folder, with a random name created exclusively and without following
    links (``O_EXCL | O_NOFOLLOW``); the bytes are written and flushed to disk
    (``fsync``), then the temporary file is renamed over ``path`` with
    :func:`os.replace` and the folder flushed too where the system allows.
    Readers see the old file or the new one, never a partial one; if anything
    fails (an error, Ctrl-C, SIGTERM handled as Ctrl-C), ``path`` is left as
    it was and the temporary file removed. An existing file keeps its mode
    (and, where allowed, its owner and group); a new file gets ``0o666`` less
    the umask. A symbolic link at ``path`` is replaced by the new file; what
    it pointed at is left alone.

    A character device or FIFO (``/dev/null``, a named pipe) is opened for
    writing and written, never renamed over or truncated; ``/dev/stdout``,
    ``/dev/stderr``, ``/dev/fd/N`` and ``/proc/self/fd/N`` write to that open
    descriptor of the process, whatever it is connected to. Sockets, block
    devices and folders are refused.

    Args:
        path: The file to write.
        data: Its complete new content.

    Raises:
        OSError: the file cannot be written (no such folder, no permission,
            disk full, a socket or block device, ...).

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> write_bytes_atomic(folder / "map.svg", b"<svg/>")
        >>> (folder / "map.svg").read_bytes()
        b'<svg/>'
        >>> sorted(p.name for p in folder.iterdir())
        ['map.svg']
        >>> write_bytes_atomic("/dev/null", b"gone")
    """
    name = os.fspath(path)
    stream = _stream_fd(name)
    if stream is not None:
        _write_all(stream, data)
        return
    try:
        info: os.stat_result | None = os.stat(name)
    except FileNotFoundError:
        info = None  # a new file (or a dangling link, which is replaced)
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_special(name, info.st_mode, data)
        return
    try:
        own = os.lstat(name)
    except FileNotFoundError:
        own = None
    if own is not None and stat.S_ISREG(own.st_mode):
        mode = stat.S_IMODE(own.st_mode)
    else:
        own, mode = None, 0o666 & ~_current_umask()
    folder = os.path.dirname(name) or "."
    _replace(name, folder, Path(name).name, data, mode, own)


def _replace(name: str, folder: str, base: str, data: bytes, mode: int,
             old: os.stat_result | None) -> None:
    """Write a temporary file beside ``name`` and rename it over ``name``."""
    fd: int | None = None
    tmp: str | None = None
    try:
        with _signals_deferred():
            fd, tmp = _create_temp(folder, base)
        if old is not None and hasattr(os, "fchown") and (
                (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid())):
            with contextlib.suppress(OSError):  # only root may give a file away
                os.fchown(fd, old.st_uid, old.st_gid)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        else:  # pragma: no cover - Windows before Python 3.13
            os.chmod(tmp, mode)
        _write_all(fd, data)
        os.fsync(fd)
        os.close(fd)
        fd = None
        os.replace(tmp, name)
        tmp = None
    except BaseException:
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    _sync_folder(folder)


def _sync_folder(folder: str) -> None:
    """Make a rename in ``folder`` durable (POSIX; not possible on every platform)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
