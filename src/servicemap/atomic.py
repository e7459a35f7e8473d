"""Atomic file writing: the whole new content or the old file, never a torn one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_bytes_atomic"]


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


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically.

    The bytes go to a temporary file in the same folder, which is flushed to
    disk and then renamed over ``path`` with :func:`os.replace`. Readers see the
    old file or the new one, never a partial one; if anything fails, ``path`` is
    left as it was and the temporary file is removed. A new file gets the usual
    mode (``0o666`` less the umask); an existing file keeps its mode.

    Args:
        path: The file to write.
        data: Its complete new content.

    Example:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> write_bytes_atomic(folder / "map.svg", b"<svg/>")
        >>> (folder / "map.svg").read_bytes()
        b'<svg/>'
        >>> sorted(p.name for p in folder.iterdir())
        ['map.svg']
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_current_umask()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    if hasattr(os, "O_DIRECTORY"):
        # Make the rename itself durable (POSIX); not possible on every platform.
        with contextlib.suppress(OSError):
            dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
