"""Per-step ``ignore:`` and the ``levels`` of ``[tool.servicemap]``, as ``check`` applies them."""

from __future__ import annotations

from pathlib import Path

import pytest

import servicemap as sm
from servicemap.cli import main

from .support import at, check_text, codes, of

# Two dead ends ('refer' on line 11, 'solve' on line 12) and one decision with
# a branch back to itself (SM108 warning on line 8).
DESK = """\
name: Service desk
steps:
  - {id: contact, kind: terminator, next: triage}
  - id: triage
    kind: decision
    next:
      - {to: done, label: known}
      - {to: triage, label: ask again}
      - {to: refer, label: not ours}
      - {to: solve, label: ours}
  - {id: refer, kind: task, IGNORE}
  - {id: solve, kind: task}
  - {id: done, kind: terminator}
"""


def desk(ignore: str = "") -> str:
    return DESK.replace(", IGNORE", f", ignore: {ignore}" if ignore else "")


def test_the_map_as_it_stands() -> None:
    problems = check_text(desk())
    assert [(p.code, p.step) for p in problems] == [
        ("SM108", "triage"), ("SM103", "refer"), ("SM103", "solve")]


@pytest.mark.parametrize("ignore", ["[dead-end]", "[SM103]", "[sm103]", "[' dead-end ']"])
def test_step_ignore_silences_that_rule_on_that_step_only(ignore: str) -> None:
    problems = check_text(desk(ignore))
    assert [(p.code, p.step) for p in problems] == [("SM108", "triage"), ("SM103", "solve")]


def test_step_ignore_silences_only_the_rules_it_names() -> None:
    problems = check_text(desk("[self-loop]"))
    assert [(p.code, p.step) for p in problems] == [
        ("SM108", "triage"), ("SM103", "refer"), ("SM103", "solve")]


def test_several_rules_on_one_step() -> None:
    text = desk().replace("  - id: triage\n", "  - id: triage\n    ignore: [self-loop, SM103]\n")
    assert [(p.code, p.step) for p in check_text(text)] == [
        ("SM103", "refer"), ("SM103", "solve")]


def test_map_wide_problems_are_not_a_steps_to_ignore() -> None:
    text = """\
        name: Service desk
        steps:
          - {id: contact, kind: terminator, next: solve, ignore: [no-end]}
          - {id: solve, kind: task, next: contact}
        """
    assert "SM102" in codes(check_text(text))


def test_unknown_rule_in_ignore_is_a_located_schema_error_with_a_hint() -> None:
    problems = check_text(desk("[dead-ends, SM103]"))
    (unknown,) = of(problems, "SM002")
    assert unknown.level == "error" and at(unknown) == ("refer", 11, 38)
    assert unknown.message == "'ignore' names unknown rule 'dead-ends' (did you mean 'dead-end'?)"
    # The known entry still works: 'refer' is not reported as a dead end.
    assert [p.step for p in of(problems, "SM103")] == ["solve"]


def test_unknown_rule_in_ignore_fails_the_check(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(desk("[dead-end]").replace("{id: solve, kind: task}",
                                               "{id: solve, kind: task, ignore: [slef-loop]}"),
                    encoding="utf-8")
    status = main(["check", "--format", "text", "--ignore", "self-loop", str(path)])
    out = capsys.readouterr().out
    assert status == 1
    assert "SM002 [error] schema: 'ignore' names unknown rule 'slef-loop' (did you mean " \
           "'self-loop'?)" in out


# ------------------------------------------------------------------- levels in pyproject.toml

@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with one map (a dead end, and a self-loop warning) in maps/."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "desk.yaml").write_text(
        desk().replace("{to: solve, label: ours}", "{to: done, label: ours}")
        .replace("{id: refer, kind: task, IGNORE}", "{id: refer, kind: task}")
        .replace("  - {id: solve, kind: task}\n", ""), encoding="utf-8")
    return tmp_path


def run_check(project: Path, capsys: pytest.CaptureFixture[str], levels: str,
              *options: str) -> tuple[int, list[str]]:
    """Exit status and problem lines of ``servicemap check`` under a ``levels`` table."""
    (project / "pyproject.toml").write_text(f"[tool.servicemap]\nlevels = {{ {levels} }}\n",
                                            encoding="utf-8")
    status = main(["check", "--format", "text", *options, "maps/desk.yaml"])
    return status, [line for line in capsys.readouterr().out.splitlines() if ": SM" in line]


def test_default_levels(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = run_check(project, capsys, "")
    assert status == 1
    assert [line.split(": ", 1)[1].split(":")[0] for line in lines] == [
        "SM108 [warning] self-loop", "SM103 [error] dead-end"]


def test_a_warning_raised_to_error_fails_the_check(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = run_check(project, capsys, '"dead-end" = "off", "self-loop" = "error"')
    assert status == 1
    assert len(lines) == 1 and "SM108 [error] self-loop" in lines[0]


def test_an_error_lowered_to_warning_passes_unless_strict(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = run_check(project, capsys, 'SM103 = "warning"')
    assert status == 0
    assert "SM103 [warning] dead-end" in lines[1]
    assert run_check(project, capsys, 'SM103 = "warning"', "--strict")[0] == 1


def test_off_drops_the_rule_from_the_report(project: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = run_check(project, capsys, 'dead-end = "off", SM108 = "off"')
    assert status == 0 and lines == []


def test_levels_apply_to_the_python_api_too(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.servicemap]\nlevels = { SM103 = "warning" }\n',
                                            encoding="utf-8")
    problems = sm.check(project / "maps" / "desk.yaml")
    assert {(p.code, p.level) for p in problems} == {("SM103", "warning"), ("SM108", "warning")}


def test_a_step_ignore_beats_a_raised_level(project: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "maps" / "desk.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "{id: refer, kind: task}", "{id: refer, kind: task, ignore: [dead-end]}"),
        encoding="utf-8")
    status, lines = run_check(project, capsys, 'dead-end = "error", self-loop = "off"')
    assert status == 0 and lines == []


def test_unknown_rule_in_levels_is_a_usage_error(project: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text('[tool.servicemap]\nlevels = { dead-ends = "off" }\n',
                                            encoding="utf-8")
    assert main(["check", "maps/desk.yaml"]) == 2
    assert "unknown rule 'dead-ends'" in capsys.readouterr().err
