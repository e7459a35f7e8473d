"""Tests of atomic file writing."""

from __future__ import annotations

import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from servicemap import atomic
from servicemap.atomic import same_file, write_bytes_atomic


def test_writes_new_file_with_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_bytes_atomic(tmp_path / "a.svg", b"data")
    finally:
        os.umask(old)
    assert (tmp_path / "a.svg").read_bytes() == b"data"
    assert stat.S_IMODE((tmp_path / "a.svg").stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.svg"]


def test_replaces_existing_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.svg"
    target.write_bytes(b"old")
    target.chmod(0o600)
    write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_failure_leaves_old_file_and_no_temporary(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.svg"
    target.write_bytes(b"old")

    def broken(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.svg"]


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_bytes_atomic(tmp_path / "no" / "a.svg", b"x")


# --- hardening (issue 8: data loss and the file system) -----------------------------------


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "elsewhere" / "victim.txt"
    victim.parent.mkdir()
    victim.write_bytes(b"precious")
    return victim


def test_planted_symlinks_at_predictable_temporary_names_are_never_followed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The old writer used `.NAME.PID.tmp`; the random part can also be forced to collide.
    # Every such name holds a link to a file the attacker wants overwritten.
    victim = _victim(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    planted = [f".report.txt.{os.getpid()}.tmp", ".report.txt.tmp", ".report.txt.planted.tmp"]
    for name in planted:
        (out / name).symlink_to(victim)
    tokens = iter(["planted", "planted", "fresh"])
    monkeypatch.setattr(atomic, "_random_token", lambda: next(tokens))
    write_bytes_atomic(out / "report.txt", b"report")
    assert victim.read_bytes() == b"precious"
    assert (out / "report.txt").read_bytes() == b"report"
    assert not (out / "report.txt").is_symlink()
    assert sorted(p.name for p in out.iterdir()) == sorted([*planted, "report.txt"])
    assert all((out / name).is_symlink() for name in planted)  # not ours to remove


def test_no_free_temporary_name_is_an_error_not_a_followed_link(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = _victim(tmp_path)
    (tmp_path / ".r.txt.x.tmp").symlink_to(victim)
    monkeypatch.setattr(atomic, "_random_token", lambda: "x")
    with pytest.raises(FileExistsError):
        write_bytes_atomic(tmp_path / "r.txt", b"report")
    assert victim.read_bytes() == b"precious"
    assert not (tmp_path / "r.txt").exists()


def test_temporary_name_is_random_and_in_the_target_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real_open = os.open

    def spy(path: str, flags: int, mode: int = 0o777) -> int:
        if str(path).endswith(".tmp"):
            seen.append(path)
            assert flags & os.O_EXCL and flags & os.O_CREAT
            assert flags & getattr(os, "O_NOFOLLOW", 0) == getattr(os, "O_NOFOLLOW", 0)
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", spy)
    write_bytes_atomic(tmp_path / "a.svg", b"1")
    write_bytes_atomic(tmp_path / "a.svg", b"2")
    temps = seen
    assert len(temps) == 2 and temps[0] != temps[1]
    assert all(Path(p).parent == tmp_path and Path(p).name.startswith(".a.svg.") for p in temps)
    assert str(os.getpid()) not in {Path(p).name.split(".")[-2] for p in temps}


def test_symlink_at_the_target_is_replaced_and_its_target_left_alone(tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    link = tmp_path / "report.txt"
    link.symlink_to(victim)
    write_bytes_atomic(link, b"report")
    assert victim.read_bytes() == b"precious"
    assert not link.is_symlink() and link.read_bytes() == b"report"


def test_long_names_get_a_temporary_name_the_file_system_takes(tmp_path: Path) -> None:
    target = tmp_path / ("é" * 120 + ".svg")  # 244 bytes: near the 255-byte limit
    write_bytes_atomic(target, b"x")
    assert target.read_bytes() == b"x"


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit, MemoryError])
def test_interrupt_while_writing_removes_the_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interrupt: type[BaseException]) -> None:
    target = tmp_path / "a.svg"
    target.write_bytes(b"old")

    def stop(fd: int) -> None:
        raise interrupt()

    monkeypatch.setattr(os, "fsync", stop)
    with pytest.raises(interrupt):
        write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.svg"]


def test_file_and_folder_are_flushed_to_disk(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    write_bytes_atomic(tmp_path / "a.svg", b"x")
    assert len(synced) == (2 if hasattr(os, "O_DIRECTORY") else 1)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_replacing_keeps_the_owner_when_root(tmp_path: Path) -> None:
    target = tmp_path / "a.svg"
    target.write_bytes(b"old")
    os.chown(target, 12345, 23456)
    write_bytes_atomic(target, b"new")
    info = target.stat()
    assert (info.st_uid, info.st_gid) == (12345, 23456)


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null")
def test_dev_null_stays_a_device(tmp_path: Path) -> None:
    # As root, the old writer renamed a regular file over /dev/null.
    before = os.stat("/dev/null")
    write_bytes_atomic("/dev/null", b"nothing")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "out.svg"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_bytes_atomic(fifo, b"through the pipe")
    reader.join(10)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["out.svg"]


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets here")
def test_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(OSError, match="socket"):
            write_bytes_atomic(path, b"x")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        write_bytes_atomic(tmp_path, b"x")


@pytest.mark.skipif(not Path("/dev/fd").exists(), reason="no /dev/fd")
@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_stdout_names_write_to_the_open_descriptor(name: str,
                                                   capfd: pytest.CaptureFixture[str]) -> None:
    if not Path(name).exists():
        pytest.skip(f"no {name}")
    write_bytes_atomic(name, b"to standard output\n")
    assert capfd.readouterr().out == "to standard output\n"


def test_same_file_sees_links_and_other_spellings(tmp_path: Path) -> None:
    f = tmp_path / "map.yaml"
    f.write_text("x")
    (tmp_path / "hard.yaml").hardlink_to(f)
    (tmp_path / "soft.yaml").symlink_to(f)
    assert same_file(f, tmp_path / "hard.yaml")
    assert same_file(f, tmp_path / "soft.yaml")
    assert same_file(f, tmp_path / ".." / tmp_path.name / "map.yaml")
    assert not same_file(f, tmp_path / "missing.yaml")
    assert not same_file(tmp_path / "missing.yaml", tmp_path / "missing.yaml")
