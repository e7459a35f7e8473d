"""The hostile corpus: each file in cases/ and what the command line must do with it.

Every case is a minimal reproducer of a defect found by a hostile-input
campaign. Each runs as a separate process under a time limit, so a hang is a
failure, not a stuck suite. Outcomes are exit status, the rule codes reported
and a phrase of the message a user needs.
"""

from __future__ import annotations

import re
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
    _check("capacity-1e12.yaml", 0),
    Case("capacity-1e12.yaml", ("analyze",), 0, seconds=10.0),
    _check("json-surrogate-pairs.json", 0),
    Case("long-word-label.yaml", ("render", "--format", "svg", "-o", "{tmp}/out.svg"), 0,
         seconds=30.0),
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
