"""Each rule's documented Failing example breaks that rule alone; its Passing example, nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import servicemap as sm
from servicemap.rules import RULES, Rule
from servicemap.rules.docs import rule_examples

from .support import check_text


def describe(problems: list[sm.Problem]) -> str:
    return "\n".join(str(p) for p in problems) or "(no problems)"


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_failing_example_breaks_its_rule_and_no_other(rule: Rule) -> None:
    problems = check_text(rule_examples(rule).failing)
    assert {p.code for p in problems} == {rule.code}, describe(problems)
    assert all(p.rule == rule.name and p.level == rule.level for p in problems)


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_passing_example_breaks_nothing(rule: Rule) -> None:
    problems = check_text(rule_examples(rule).passing)
    assert problems == [], describe(problems)


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_failing_example_marks_the_lines_it_breaks(rule: Rule) -> None:
    """The ``# SMxxx`` comments sit on the lines ``check`` points at (what docs/rules.md shows)."""
    text = rule_examples(rule).failing
    marked = {n for n, line in enumerate(text.splitlines(), 1)
              if re.search(rf"#.*\b{rule.code}\b", line)}
    reported = {p.line for p in check_text(text)}
    assert marked, f"{rule}: no line of the failing example says '# {rule.code}'"
    assert marked == reported, describe(check_text(text))


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_examples_are_complete_maps(rule: Rule) -> None:
    for text in rule_examples(rule):
        assert text.startswith("name: "), f"{rule}: an example map starts with its name"
        assert re.search(r"(?m)^steps:", text), f"{rule}: an example map has steps"


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_every_rule_module_has_its_own_test_module(rule: Rule) -> None:
    module = rule.module.rsplit(".", 1)[1]
    assert (Path(__file__).parent / f"test_{module}.py").is_file()
