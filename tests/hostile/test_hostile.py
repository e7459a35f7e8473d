"""The hostile corpus: each file in cases/ and what the command line must do with it.

Every case is a minimal reproducer of a defect found by a hostile-input
campaign. Each runs as a separate process under a time limit, so a hang is a
failure, not a stuck suite. Outcomes are exit status, the rule codes reported
and a phrase of the message a user needs.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent / "cases"


@dataclass(frozen=True)
class Case:
    """A hostile file and the outcome expected of one command on it."""

    file: str
    command: tuple[str, ...]
    exit: int
    codes: frozenset[str] = frozenset()
    phrase: str = ""
    seconds: float = 30.0


def _check(file: str, exit: int, *codes: str, phrase: str = "") -> Case:
    return Case(file, ("check",), exit, frozenset(codes), phrase)


EXPECTED = [
    # The CI promise: loops with no way out never pass check.
    _check("prob0-exit.yaml", 1, "SM105", phrase="work"),
    _check("connector-pair-loop.yaml", 1, "SM105"),
    _check("connector-self-loop.yaml", 1, "SM105"),
    _check("connector-back-to-itself.yaml", 0, "SM108", phrase="through connectors"),
    _check("recovery-yes.yaml", 1, "SM002", phrase="write true or false"),
    _check("id-trailing-newline.yaml", 1, "SM002"),
    # Numbers at the edges: located schema errors, never an internal error.
    _check("duration-overflow.yaml", 1, "SM002"),
    _check("iso-duration-overflow.yaml", 1, "SM002"),
    _check("duration-400-digits.yaml", 1, "SM002"),
    _check("probability-inf.yaml", 1, "SM002"),
    _check("probability-1e400.yaml", 1, "SM002"),
    _check("probability-huge-int.yaml", 1, "SM002"),
    _check("capacity-1e400.yaml", 1, "SM002"),
    _check("cost-inf.yaml", 1, "SM002"),
    _check("arrivals-huge.yaml", 1, "SM002"),
    # Capacity has a documented range (1 to 10^9): more is a located schema error.
    _check("capacity-1e12.yaml", 1, "SM002", phrase="from 1 to 1000000000"),
    # Numbers that load but overflow a float: null and a note, never NaN or Infinity.
    Case("cost-overflow.yaml", ("analyze", "--format", "json"), 0,
         phrase="beyond the largest number a float holds"),
    Case("capacity-int-1e400.yaml", ("analyze", "--format", "json"), 1, frozenset({"SM002"}),
         seconds=10.0),
    Case("nested-loops-overflow.yaml", ("analyze",), 1, frozenset({"SM105"}),
         phrase="beyond the largest number a float holds"),
    _check("json-surrogate-pairs.json", 0),
    # Long text: wrapped in linear time, cut where drawn with a located warning, and a
    # render bounded as a whole by its timeout (Graphviz refused the 60 kB branch label).
    Case("long-word-label.yaml", ("render", "--format", "svg", "-o", "{tmp}/out.svg"), 0,
         seconds=30.0),
    Case("long-word-label.yaml", ("render", "--format", "png", "-o", "{tmp}/out.png"), 0,
         seconds=30.0),
    Case("long-word-label.yaml", ("render", "--format", "pdf", "-o", "{tmp}/out.pdf"), 0,
         seconds=30.0),
    _check("long-word-label.yaml", 0, "SM303", phrase="the drawing shows 6 lines of it"),
    Case("long-word-label.yaml", ("render", "--timeout", "0.001", "-o", "{tmp}/out.svg"), 2,
         phrase="took longer than 0.001 s", seconds=30.0),
]

_REPORT_LINE = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<code>SM\d{3}) ")


def _run(case: Case, tmp: Path) -> subprocess.CompletedProcess[str]:
    argv = [a.replace("{tmp}", str(tmp)) for a in case.command]
    return subprocess.run(
        [sys.executable, "-m", "servicemap", *argv, str(CASES / case.file)],
        capture_output=True, text=True, timeout=case.seconds, cwd=tmp,
    )


@pytest.mark.parametrize("case", EXPECTED, ids=lambda c: f"{c.command[0]}-{c.file}")
def test_hostile_case(case: Case, tmp_path: Path) -> None:
    result = _run(case, tmp_path)
    out = result.stdout + result.stderr
    assert "internal error" not in out and "Traceback" not in out, out
    assert result.returncode == case.exit, out
    codes = {m.group("code") for m in map(_REPORT_LINE.match, out.splitlines()) if m}
    assert case.codes <= codes, out
    assert case.phrase in out


@pytest.mark.parametrize("case", [c for c in EXPECTED
                                  if c.command[1:3] == ("--format", "json") and c.exit == 0],
                         ids=lambda c: c.file)
def test_analyze_json_is_valid_json(case: Case, tmp_path: Path) -> None:
    """RFC 8259 has no NaN or Infinity: a value beyond the float range is null."""
    def refuse(constant: str) -> object:
        raise AssertionError(f"{case.file}: the JSON holds {constant}")

    result = _run(case, tmp_path)
    data = json.loads(result.stdout, parse_constant=refuse)
    assert data["summary"] and isinstance(data["notes"], list)


def test_a_megabyte_label_renders_at_once(tmp_path: Path) -> None:
    """Wrapping re-measured the rest of a word at every cut: a 1 MB label took over an hour."""
    case = tmp_path / "megabyte.yaml"
    case.write_text("name: Megabyte\nsteps:\n"
                    "  - {id: a, kind: terminator, next: w}\n"
                    f"  - {{id: w, kind: task, label: {'x' * 1_000_000}, next: e}}\n"
                    "  - {id: e, kind: terminator}\n")
    result = subprocess.run([sys.executable, "-m", "servicemap", "render", str(case),
                             "-o", str(tmp_path / "out.svg")],
                            capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.svg").read_text().count("x" * 1_000_000) == 1  # in the tooltip


def test_every_case_file_has_an_expectation() -> None:
    named = {c.file for c in EXPECTED} | {"control-characters.yaml"}
    assert {p.name for p in CASES.iterdir()} == named


def test_text_report_escapes_control_characters(tmp_path: Path) -> None:
    result = _run(Case("control-characters.yaml", ("check",), 1), tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out), repr(out)
    for line in out.splitlines():
        match = _REPORT_LINE.match(line)
        if match:  # every report line is about the real file, none is forged
            assert match.group("file").endswith("control-characters.yaml"), line
            assert match.group("code") != "SM999", line


# --- the file system: no lost files, no hangs (each case built in a temporary folder) ------

MAP = """\
name: Fine
steps:
  - {id: start, kind: terminator, next: end}
  - {id: end, kind: terminator}
"""

DEAD_END = """\
name: Broken
steps:
  - {id: start, kind: terminator, next: record}
  - {id: record, kind: task}
  - {id: end, kind: terminator}
"""


def _servicemap(*argv: str, cwd: Path, seconds: float = 30.0) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    result = subprocess.run([sys.executable, "-m", "servicemap", *argv], capture_output=True,
                            text=True, timeout=seconds, cwd=cwd, env=env)
    out = result.stdout + result.stderr
    assert "internal error" not in out and "Traceback" not in out, out
    return result


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_named_like_a_map_in_a_folder_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "broken.yaml").write_text(DEAD_END, encoding="utf-8")
    os.mkfifo(tmp_path / "maps" / "pipe.yaml")
    result = _servicemap("check", "maps", cwd=tmp_path, seconds=20)
    assert result.returncode == 1, result.stderr
    assert "SM103" in result.stdout and "pipe.yaml" not in result.stdout
    named = _servicemap("check", "maps/pipe.yaml", cwd=tmp_path, seconds=20)
    assert named.returncode == 1
    assert named.stdout.startswith("maps/pipe.yaml:1:1: SM001 [error] yaml-syntax: not a "
                                   "regular file: it is a FIFO (named pipe)")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused_unread(tmp_path: Path) -> None:
    result = _servicemap("check", "/dev/zero", cwd=tmp_path, seconds=20)
    assert result.returncode == 1
    assert result.stdout.startswith("/dev/zero:1:1: SM001 [error] yaml-syntax: not a regular "
                                    "file: it is a character device")


def test_bad_links_are_problems_of_their_own_and_hide_nothing(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(DEAD_END, encoding="utf-8")
    (tmp_path / "dangling.yaml").symlink_to("nowhere.yaml")
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    result = _servicemap("check", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    codes = [(m.group("file"), m.group("line"), m.group("code"))
             for m in map(_REPORT_LINE.match, result.stdout.splitlines()) if m]
    assert ("dangling.yaml", "1", "SM001") in codes and ("loop.yaml", "1", "SM001") in codes
    assert ("broken.yaml", "4", "SM103") in codes
    assert "cannot read: " in result.stdout


@pytest.mark.parametrize("argv", [
    ("render", "map.yaml", "-o", "map.yaml", "--format", "svg"),
    ("render", "map.yaml", "-o", "./map.yaml", "--format", "dot"),
    ("check", "map.yaml", "--output", "map.yaml"),
    ("check", ".", "--output", "link.yaml"),
])
def test_an_output_that_is_an_input_is_refused(argv: tuple[str, ...], tmp_path: Path) -> None:
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to("map.yaml")
    result = _servicemap(*argv, cwd=tmp_path)
    assert result.returncode == 2
    assert "refusing to overwrite it" in result.stderr
    assert (tmp_path / "map.yaml").read_text(encoding="utf-8") == MAP
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.yaml", "map.yaml"]


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null")
@pytest.mark.parametrize("argv", [
    ("check", "map.yaml", "-o", "/dev/null"),
    ("render", "map.yaml", "--format", "svg", "-o", "/dev/null"),
    ("schema", "-o", "/dev/null"),
])
def test_dev_null_as_output_stays_a_device(argv: tuple[str, ...], tmp_path: Path) -> None:
    # As root, the atomic rename replaced the device node by a regular file.
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    before = os.stat("/dev/null")
    result = _servicemap(*argv, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix", reason="POSIX signals")
def test_sigterm_mid_render_ends_cleanly(tmp_path: Path) -> None:
    # The render is held in Graphviz's drawing until the test sends SIGTERM.
    (tmp_path / "map.yaml").write_text(MAP, encoding="utf-8")
    code = """
import sys, time
from servicemap.drawing import worker
from servicemap.cli import main

def slow(self, *args, **kwargs):
    sys.stderr.write("drawing\\n")
    sys.stderr.flush()
    time.sleep(60)

worker.GraphvizWorker.draw = slow
sys.exit(main(["render", "map.yaml", "-o", "map.svg"]))
"""
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stderr is not None
        assert proc.stderr.readline() == "drawing\n"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 143, err
    assert err == "servicemap: terminated\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.yaml"]
