"""Analysis and simulation refuse maps with parallel steps until they model parallel work."""

from __future__ import annotations

from pathlib import Path

import pytest

import servicemap as sm
from servicemap.cli import main

EXAMPLE = Path(__file__).parents[2] / "examples" / "claim_parallel.yaml"


def _refusal(info: pytest.ExceptionInfo[sm.AnalysisError]) -> list[tuple[str | None, int | None]]:
    assert {(p.code, p.rule, p.level) for p in info.value.problems} == {
        ("A001", "parallel-not-analysed", "error")}
    assert all("parallel work is not analysed yet" in p.message for p in info.value.problems)
    return [(p.step, p.line) for p in info.value.problems]


def test_the_example_checks_clean() -> None:
    assert [p for p in sm.check(EXAMPLE) if p.level == "error"] == []


def test_analyze_refuses_each_parallel_step_located() -> None:
    with pytest.raises(sm.AnalysisError) as info:
        sm.analyze(EXAMPLE)
    assert _refusal(info) == [("split", 32), ("both", 49)]
    assert all(p.file == str(EXAMPLE) and p.column == 11 for p in info.value.problems)


@pytest.mark.parametrize("call", [
    lambda bp: sm.simulate(bp, cases=10),
    lambda bp: sm.what_if(bp, ["decide.duration=-10%"]),
    lambda bp: sm.sensitivity(bp),
], ids=["simulate", "what_if", "sensitivity"])
def test_every_analysis_refuses(call: object) -> None:
    bp = sm.load(EXAMPLE)
    with pytest.raises(sm.AnalysisError) as info:
        call(bp)  # type: ignore[operator]
    assert [step for step, _ in _refusal(info)] == ["split", "both"]


def test_a_map_built_in_python_is_refused_without_a_location() -> None:
    bp = sm.Blueprint(name="x", steps=[
        sm.Terminator(id="s", next="f"), sm.Parallel(id="f", next=["a", "b"]),
        sm.Task(id="a", next="j"), sm.Task(id="b", next="j"),
        sm.Parallel(id="j", next="e"), sm.Terminator(id="e")])
    with pytest.raises(sm.AnalysisError) as info:
        sm.analyze(bp)
    assert _refusal(info) == [("f", None), ("j", None)]


def test_structural_errors_come_first() -> None:
    bp = sm.Blueprint(name="x", steps=[
        sm.Terminator(id="s", next="f"), sm.Parallel(id="f", next=["a", "b"]),
        sm.Task(id="a"), sm.Task(id="b", next="e"), sm.Terminator(id="e")])
    with pytest.raises(sm.AnalysisError) as info:
        sm.analyze(bp)
    assert "SM103" in {p.code for p in info.value.problems}


@pytest.mark.parametrize("command", ["analyze", "simulate"])
def test_the_command_line_says_why(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, str(EXAMPLE)]) == 1
    err = capsys.readouterr().err
    assert "A001 [error] parallel-not-analysed" in err
    assert "has parallel steps, and parallel work is not analysed yet" in err
    assert "structural errors" not in err
