"""SM001 yaml-syntax: text that is not YAML, reported by ``check`` with its place, never raised."""

from __future__ import annotations

from pathlib import Path

import pytest

import servicemap as sm

from .support import BROKEN, at, check_text, codes

TWO_STEPS = """\
name: Delivery
steps:
  - {id: order, kind: terminator, next: received}
  - {id: received, kind: terminator}
"""


def test_unclosed_list_is_located_in_the_file() -> None:
    path = BROKEN / "SM001-yaml-syntax.yaml"
    (problem,) = sm.check(path)
    assert problem.code == "SM001" and problem.rule == "yaml-syntax"
    assert problem.level == "error" and problem.file == str(path)
    assert problem.line is not None and 14 <= problem.line <= 15
    assert "invalid YAML" in problem.message


def test_key_given_twice_points_at_the_second_and_names_the_first() -> None:
    problems = check_text("""\
        name: Delivery
        steps:
          - id: order
            kind: terminator
            next: received
            next: cancelled
          - {id: received, kind: terminator}
          - {id: cancelled, kind: terminator}
        """)
    (problem,) = problems
    assert problem.code == "SM001"
    assert (problem.line, problem.column) == (6, 5)
    assert "'next' appears twice" in problem.message and "first on line 5" in problem.message


def test_same_key_in_two_mappings_is_fine() -> None:
    assert check_text(TWO_STEPS) == []


@pytest.mark.parametrize(("text", "words", "line"), [
    (TWO_STEPS + "---\nname: Second\n", "one document", 6),
    (TWO_STEPS.replace("  - {id: received", "\t- {id: received"), "invalid YAML", 4),
    (TWO_STEPS.replace("steps:", "steps: !!python/object:os.system"), "not allowed", 2),
], ids=["two-documents", "tab-indent", "python-tag"])
def test_text_servicemap_does_not_read(text: str, words: str, line: int) -> None:
    (problem,) = check_text(text)
    assert problem.code == "SM001" and words in problem.message and problem.line == line


def test_yes_and_no_stay_text_not_an_error() -> None:
    text = TWO_STEPS.replace("next: received}", "next: received, label: yes}")
    assert check_text(text) == []


def test_not_utf8_file_is_a_located_problem(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(TWO_STEPS.replace("Delivery", "Caf\xe9").encode("latin-1"))
    (problem,) = sm.check(path)
    assert problem.code == "SM001" and "UTF-8" in problem.message
    assert at(problem) == (None, 1, 10)


def test_no_selection_hides_it() -> None:
    assert codes(check_text("name: x\nsteps: [\n", select=["SM5"])) == {"SM001"}
