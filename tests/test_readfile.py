"""Tests of the safe reader of input files: regular files only, bounded, never blocking."""

from __future__ import annotations

import errno
import os
import socket
import threading
from pathlib import Path

import pytest

from servicemap import LoadError, load
from servicemap.mapfile import MAX_BYTES
from servicemap.readfile import FileTooLargeError, NotRegularFileError, read_regular_file

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


def test_reads_a_regular_file_whole(tmp_path: Path) -> None:
    f = tmp_path / "m.yaml"
    f.write_bytes(b"x" * 100)
    assert read_regular_file(f, 100) == b"x" * 100


def test_one_byte_over_the_limit_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "m.yaml"
    f.write_bytes(b"x" * 101)
    with pytest.raises(FileTooLargeError) as caught:
        read_regular_file(f, 100)
    assert caught.value.errno == errno.EFBIG
    assert caught.value.strerror == ("the file is 101 bytes, larger than the 100 bytes a map "
                                     "may be: refused")


@needs_fifo
def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "m.yaml"
    os.mkfifo(fifo)
    result: list[BaseException] = []

    def read() -> None:
        try:
            read_regular_file(fifo, 100)
        except BaseException as exc:
            result.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # unblock the thread before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO waited for a writer")
    assert isinstance(result[0], NotRegularFileError)
    assert result[0].strerror == "not a regular file: it is a FIFO (named pipe)"


@needs_fifo
def test_fifo_swapped_in_after_the_look_is_refused_by_the_open_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The path is a regular file when looked at, a FIFO when opened: the open must not
    # wait and the open file is what is judged.
    f = tmp_path / "m.yaml"
    f.write_text("x")
    real_stat = os.stat

    def swap(path: str, *args: object, **kwargs: object) -> os.stat_result:
        info = real_stat(path)
        os.unlink(path)
        os.mkfifo(path)
        return info

    monkeypatch.setattr(os, "stat", swap)
    with pytest.raises(NotRegularFileError, match="FIFO"):
        read_regular_file(f, 100)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_endless_device_is_refused_before_any_read() -> None:
    with pytest.raises(NotRegularFileError, match="character device"):
        read_regular_file("/dev/zero", MAX_BYTES)


def test_file_growing_past_the_limit_is_cut_off(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # /proc files report size 0 and then hold more: only limit + 1 bytes are read.
    f = tmp_path / "m.yaml"
    f.write_bytes(b"x" * 50)
    real_fstat = os.fstat

    class Small:
        def __init__(self, info: os.stat_result) -> None:
            self.st_mode, self.st_size = info.st_mode, 0

    monkeypatch.setattr(os, "fstat", lambda fd: Small(real_fstat(fd)))
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: (reads.append(n), real_read(fd, n))[1])
    with pytest.raises(FileTooLargeError, match="the file is larger than the 10 bytes"):
        read_regular_file(f, 10)
    assert sum(reads) == 11


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotRegularFileError) as caught:
        read_regular_file(tmp_path, 100)
    assert caught.value.errno == errno.EISDIR


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets here")
def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(NotRegularFileError, match="socket"):
            read_regular_file(path, 100)
    finally:
        server.close()


def test_missing_files_and_bad_links_raise_their_os_error(tmp_path: Path) -> None:
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "dangling.yaml", 100)
    with pytest.raises(OSError) as caught:
        read_regular_file(tmp_path / "loop.yaml", 100)
    assert caught.value.errno == errno.ELOOP


def test_symlink_to_a_regular_file_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_bytes(b"data")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    assert read_regular_file(tmp_path / "link.yaml", 100) == b"data"


# load() reads through it


@needs_fifo
def test_load_of_a_fifo_is_a_located_problem(tmp_path: Path) -> None:
    fifo = tmp_path / "m.yaml"
    os.mkfifo(fifo)
    with pytest.raises(LoadError) as caught:
        load(fifo)
    [problem] = caught.value.problems
    assert (problem.code, problem.file, problem.line, problem.column) == (
        "SM001", str(fifo), 1, 1)
    assert "not a regular file" in problem.message


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_load_of_dev_zero_is_a_located_problem_not_a_memory_error() -> None:
    with pytest.raises(LoadError, match="not a regular file: it is a character device"):
        load("/dev/zero")


def test_load_of_a_file_over_the_limit_says_so(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: no 32 MiB written
    with pytest.raises(LoadError, match="larger than the 32 MiB a map may be"):
        load(big)
