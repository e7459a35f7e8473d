"""A map that breaks check rules is drawn with the steps concerned marked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import servicemap as sm
from servicemap.api import render
from servicemap.cli import main
from servicemap.drawing.marks import PROBLEM_COLOR

ROOT = Path(__file__).resolve().parents[2]
DEAD_END = ROOT / "examples" / "broken" / "SM103-dead-end.yaml"


def node_of(dot: str, text: str) -> str:
    """The DOT statement of the node whose label or tooltip holds ``text``."""
    (stmt,) = [s for s in re.findall(r"\n\s*(s\d+ \[.*?\]);", dot, flags=re.S) if text in s]
    return stmt


def test_dead_end_step_is_marked_with_its_rule() -> None:
    dot = render(sm.load(DEAD_END), format="dot").decode()
    refer = node_of(dot, "Refers the customer")
    assert PROBLEM_COLOR in refer and "SM103" in refer  # border, and the message in the tooltip
    assert "SM103" in dot.split(refer, 1)[1]  # the tag drawn after the step
    assert "breaks a check rule" in dot  # the key explains the colour
    assert PROBLEM_COLOR not in node_of(dot, "Solves the request")


def test_clean_map_and_opt_out_draw_no_marks() -> None:
    clean = render(sm.load(ROOT / "examples" / "service_desk.yaml"), format="dot").decode()
    assert PROBLEM_COLOR not in clean and "breaks a check rule" not in clean
    off = render(sm.load(DEAD_END), format="dot", mark_problems=False).decode()
    assert PROBLEM_COLOR not in off and "SM103" not in off


def test_given_problems_are_used_instead_of_a_new_check() -> None:
    bp = sm.load(DEAD_END)
    assert PROBLEM_COLOR not in render(bp, format="dot", problems=[]).decode()


def test_cli_draws_a_broken_map_and_says_it_marked_it(tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "map.svg"
    assert main(["render", str(DEAD_END), "-o", str(out)]) == 0
    svg = out.read_text()
    assert PROBLEM_COLOR in svg and "SM103" in svg
    err = capsys.readouterr().err
    assert "1 error" in err and "marked" in err


def test_render_of_a_path_marks_too() -> None:
    assert PROBLEM_COLOR in sm.render(DEAD_END, format="dot").decode()
    assert PROBLEM_COLOR not in sm.render(DEAD_END, format="dot", mark_problems=False).decode()
