"""Hostile BPMN XML: refused with a located SM001 in bounded time, nothing read or fetched.

Every case runs ``servicemap check`` as a separate process under a time limit
(a hang is a failure, not a stuck suite). The big files are generated in a
temporary folder here, never committed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">\n'
        b'<process id="p">\n')
TAIL = b"\n</process>\n</definitions>\n"
DATA = Path(__file__).resolve().parents[1] / "data" / "bpmn"


def _check(path: Path, seconds: float = 60.0) -> tuple[int, str]:
    """Exit status and output of ``servicemap check path``; no traceback, ever."""
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    result = subprocess.run([sys.executable, "-m", "servicemap", "check", str(path)],
                            capture_output=True, text=True, timeout=seconds, cwd=path.parent,
                            env=env)
    out = result.stdout + result.stderr
    assert "Traceback" not in out and "internal error" not in out, out[:2000]
    return result.returncode, out


def _first(out: str) -> str:
    """The first report line, without the file name."""
    return out.splitlines()[0].split(":", 1)[1]


def test_a_50_mb_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.bpmn"
    with path.open("wb") as f:  # 50 MB of well-formed BPMN: size alone refuses it
        f.write(HEAD)
        chunk = b'<task id="t%d"/>\n'
        for i in range(0, 3_000_000):
            f.write(chunk % i)
        f.write(TAIL)
    assert path.stat().st_size > 50_000_000
    code, out = _check(path, seconds=30)
    assert code == 1
    assert _first(out).startswith("1:1: SM001 [error] yaml-syntax: the file is ")
    assert "larger than the 32 MiB a map may be" in out


def test_a_31_mb_name_is_read_in_bounded_time(tmp_path: Path) -> None:
    path = tmp_path / "name.bpmn"
    path.write_bytes(HEAD + b'<task id="t" name="' + b"x" * 31_000_000 + b'"/>' + TAIL)
    code, out = _check(path, seconds=60)
    assert code == 1 and "SM103" in out  # read: a task with no way out


def test_too_many_elements_refused_where_the_limit_is_passed(tmp_path: Path) -> None:
    path = tmp_path / "many.bpmn"
    path.write_bytes(HEAD + b"<a/>" * 600_000 + TAIL)
    code, out = _check(path, seconds=60)
    # elements 1-2 are definitions and process; the 500,001st is the 499,999th <a/>:
    # line 4, column 1 + 4 * 499,998 = 1,999,993
    assert code == 1
    assert _first(out) == ("4:1999993: SM001 [error] yaml-syntax: XML with more than 500000 "
                           "elements: refused")


def test_deep_nesting_refused_at_the_201st_level(tmp_path: Path) -> None:
    path = tmp_path / "deep.bpmn"
    depth = 100_000
    path.write_bytes(HEAD + b"<a>" * depth + b"</a>" * depth + TAIL)
    code, out = _check(path, seconds=30)
    # definitions and process are levels 1-2; the 199th <a> (column 1 + 3 * 198 = 595)
    # would be the 201st level
    assert code == 1
    assert _first(out) == ("4:595: SM001 [error] yaml-syntax: XML with elements nested more "
                           "than 200 deep: refused")


@pytest.mark.parametrize(("content", "where", "phrase"), [
    (HEAD + b'<task id="t" name="caf\xe9"/>' + TAIL, "4:23:", "not well-formed (invalid token)"),
    (HEAD + b'<task id="t" name="\xed\xa0\x80"/>' + TAIL, "4:20:", "not well-formed"),
    (HEAD.replace(b"UTF-8", b"UTF-16") + TAIL, "1:", "encoding"),
    (HEAD.replace(b"UTF-8", b"x-no-such-codec") + TAIL, "1:", "unknown encoding"),
    (b"\x00" * 1000, "1:1", "not well-formed"),
], ids=["latin-1-in-utf-8", "surrogate-in-utf-8", "utf-16-declared", "unknown-encoding",
        "zeros"])
def test_bytes_that_are_not_their_encoding_are_located(tmp_path: Path, content: bytes,
                                                       where: str, phrase: str) -> None:
    path = tmp_path / "bad.bpmn"
    path.write_bytes(content)
    code, out = _check(path, seconds=30)
    assert code == 1
    assert _first(out).startswith(where) and " SM001 " in out, out
    assert phrase in out, out


def _listening() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    return server


def _connections(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_external_entities_and_dtds_read_and_fetch_nothing(tmp_path: Path) -> None:
    """Every way XML has to reach outside: refused at the DTD, no file opened, no connection.

    A FIFO as the entity's file would hang the reader that opened it; a local
    server counts connections.
    """
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    server = _listening()
    url = f"http://127.0.0.1:{server.getsockname()[1]}/x.dtd"
    cases = {
        "file-entity": f'<!DOCTYPE d [<!ENTITY x SYSTEM "{fifo.as_uri()}">]>',
        "net-entity": f'<!DOCTYPE d [<!ENTITY x SYSTEM "{url}">]>',
        "parameter-entity": f'<!DOCTYPE d [<!ENTITY % x SYSTEM "{url}"> %x;]>',
        "external-dtd": f'<!DOCTYPE d SYSTEM "{url}">',
        "public-dtd": f'<!DOCTYPE d PUBLIC "-//x//y" "{fifo.as_uri()}">',
    }
    try:
        for name, doctype in cases.items():
            path = tmp_path / f"{name}.bpmn"
            path.write_bytes(HEAD.replace(b"<definitions", doctype.encode() + b"\n<definitions")
                             .replace(b'id="d">', b'id="d" name="&x;">' if "entity" in name
                                      else b'id="d">') + TAIL)
            code, out = _check(path, seconds=20)
            assert code == 1, (name, out)
            assert _first(out).startswith("2:") and "SM001" in out, (name, out)
            assert "DTD (<!DOCTYPE ...>) is refused" in out, (name, out)
        assert _connections(server) == 0
    finally:
        server.close()


def test_billion_laughs_is_refused_at_once() -> None:
    code, out = _check(DATA / "billion-laughs.bpmn", seconds=20)
    assert code == 1 and _first(out).startswith("2:") and "SM001" in out
