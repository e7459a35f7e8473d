"""Reading input files safely: regular files only, never past a limit, never blocking.

A map, a ``pyproject.toml`` or any other input may be a FIFO that nobody
writes to (an ``open`` that waits forever), a device without end
(``/dev/zero``), a file that grows while it is read or a symbolic link to
any of these. :func:`read_regular_file` opens without waiting, asks the open
file (not the path, which can change in between) what it is, refuses
anything but a regular file and reads at most one byte more than the limit.
"""

from __future__ import annotations

import errno
import os
import stat

__all__ = ["FileTooLargeError", "NotRegularFileError", "file_kind", "read_regular_file"]

_CHUNK = 1 << 20


class NotRegularFileError(OSError):
    """The path names a FIFO, a device, a socket or a folder, not a regular file."""


class FileTooLargeError(OSError):
    """The file holds more bytes than the reader's limit allows."""


def file_kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words.

    >>> import stat
    >>> file_kind(stat.S_IFIFO), file_kind(stat.S_IFCHR), file_kind(stat.S_IFREG)
    ('a FIFO (named pipe)', 'a character device', 'a regular file')
    """
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"  # pragma: no cover - door, whiteout, ...


def _refuse(mode: int, name: str) -> NotRegularFileError:
    if stat.S_ISDIR(mode):
        return NotRegularFileError(errno.EISDIR, "not a regular file: it is a folder", name)
    return NotRegularFileError(errno.EINVAL, f"not a regular file: it is {file_kind(mode)}", name)


def _amount(size: int) -> str:
    """A number of bytes in MiB, or in bytes below one MiB.

    >>> _amount(32 * 2**20), _amount(40 * 2**20 + 1), _amount(3)
    ('32 MiB', '40 MiB', '3 bytes')
    """
    return f"{size / 2**20:.0f} MiB" if size >= 2**20 else f"{size} bytes"


def _too_large(limit: int, size: int | None, name: str, what: str) -> FileTooLargeError:
    found = "the file is larger" if size is None else f"the file is {_amount(size)}, larger"
    return FileTooLargeError(
        errno.EFBIG, f"{found} than the {_amount(limit)} {what} may be: refused", name)


def read_regular_file(path: str | os.PathLike[str], limit: int, what: str = "a map") -> bytes:
    """The bytes of the regular file ``path``, refusing anything else or anything larger.

    The path is looked at before it is opened (so a device is never opened at
    all), opened with ``O_NONBLOCK`` (so a FIFO swapped in meanwhile cannot
    make the open wait for a writer), then the open file itself is looked at
    again and at most ``limit + 1`` bytes are read. Symbolic links are
    followed, as any program reading a file does.

    Args:
        path: The file to read.
        limit: The most bytes it may hold.
        what: What the file is, for the message about a file too large.

    Returns:
        The whole content.

    Raises:
        NotRegularFileError: a FIFO, device, socket or folder (``strerror``
            says which; ``errno`` is ``EISDIR`` for a folder, else ``EINVAL``).
        FileTooLargeError: more than ``limit`` bytes (``errno`` ``EFBIG``).
        OSError: the file cannot be opened or read (missing, a dangling
            symbolic link or a loop of them, no permission, ...).

    Example:
        >>> import tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "map.yaml"
        >>> _ = f.write_bytes(b"name: x\\n")
        >>> read_regular_file(f, 100)
        b'name: x\\n'
        >>> for where, limit in ((f, 3), ("/dev/null", 100)):
        ...     try:
        ...         read_regular_file(where, limit)
        ...     except OSError as exc:
        ...         print(type(exc).__name__, exc.strerror)
        FileTooLargeError the file is 8 bytes, larger than the 3 bytes a map may be: refused
        NotRegularFileError not a regular file: it is a character device
    """
    name = os.fspath(path)
    mode = os.stat(name).st_mode
    if not stat.S_ISREG(mode):
        raise _refuse(mode, name)
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
             | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    fd = os.open(name, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(info.st_mode, name)
        if info.st_size > limit:
            raise _too_large(limit, info.st_size, name, what)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # it grew, or reports no size (/proc)
            raise _too_large(limit, None, name, what)
        return b"".join(chunks)
    finally:
        os.close(fd)
