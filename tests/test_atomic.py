"""Tests of atomic file writing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from servicemap.atomic import write_bytes_atomic


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
