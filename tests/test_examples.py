"""The bundled example maps: the good ones pass, each broken one fires its rule.

- Every ``examples/*.yaml`` loads and checks without an error-level problem.
  Warnings are allowed only where the file says so in a comment such as
  ``# expect-warnings: SM401, SM402``; the set of warning codes must then be
  exactly that set (no comment means no warnings).
- Every ``examples/broken/<CODE>-<rule-name>.yaml`` makes ``check`` report at
  least one problem with that code and rule name, pointing at a line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import servicemap

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCHEMA = EXAMPLES.parent / "schema" / "servicemap.schema.json"
GOOD = sorted(EXAMPLES.glob("*.yaml"))
BROKEN = sorted((EXAMPLES / "broken").glob("*.yaml"))

_EXPECT = re.compile(r"^\s*#\s*expect-warnings\s*:\s*(.*?)\s*$", re.MULTILINE)
_BROKEN_NAME = re.compile(r"^(SM\d{3})-([a-z0-9-]+)$")
_SCHEMA_COMMENT = re.compile(r"# yaml-language-server: \$schema=(?P<path>[^\s:]+)")

# Every error-level rule of rules.md has a broken example. The warning rules
# (SM108, SM204, SM301, SM302, SM401, SM402) are covered by the rule tests;
# SM401 and SM402 also show, on purpose, in returned_payment.yaml.
REQUIRED_BROKEN = {
    "SM001", "SM002", "SM003", "SM004",
    "SM101", "SM102", "SM103", "SM104", "SM105", "SM106", "SM107", "SM109", "SM110",
    "SM201", "SM202", "SM203",
    "SM501",
}


def expected_warnings(path: Path) -> set[str]:
    """Codes listed in ``# expect-warnings: ...`` comments of a map (empty if none)."""
    codes: set[str] = set()
    for listed in _EXPECT.findall(path.read_text(encoding="utf-8")):
        codes.update(code for code in re.split(r"[\s,]+", listed) if code)
    return codes


def broken_rule(path: Path) -> tuple[str, str]:
    """The rule code and name a broken map is named after."""
    match = _BROKEN_NAME.match(path.stem)
    assert match, f"{path.name}: broken examples are named <CODE>-<rule-name>.yaml"
    return match.group(1), match.group(2)


def describe(problems: list[servicemap.Problem]) -> str:
    return "\n".join(str(p) for p in problems) or "(no problems)"


def test_examples_exist() -> None:
    assert len(GOOD) >= 5
    assert {broken_rule(p)[0] for p in BROKEN} >= REQUIRED_BROKEN


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_example_loads(path: Path) -> None:
    blueprint = servicemap.load(path)
    assert blueprint.name
    assert blueprint.steps
    # Lanes in blueprint order, and every step placed where lanes/phases are declared.
    order = ["customer", "onstage", "backstage", "support"]
    layers = [lane.layer for lane in blueprint.lanes if lane.layer is not None]
    assert layers == sorted(layers, key=order.index)
    for step in blueprint.steps:
        if blueprint.lanes:
            assert step.lane is not None, f"{path.name}: step {step.id} has no lane"
        if blueprint.phases:
            assert step.phase is not None, f"{path.name}: step {step.id} has no phase"


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_example_schema_comment_points_at_the_committed_schema(path: Path) -> None:
    # Editors (yaml-language-server) read the first line; a relative path works
    # offline in any checkout, where a made-up URL would not.
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = _SCHEMA_COMMENT.fullmatch(first)
    assert match, f"{path.name}: first line should be '# yaml-language-server: $schema=PATH'"
    assert (path.parent / match["path"]).resolve() == SCHEMA.resolve()


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_example_checks_clean(path: Path) -> None:
    problems = servicemap.check(path)
    errors = [p for p in problems if p.level == "error"]
    assert not errors, f"{path.name} has errors:\n{describe(errors)}"
    warnings = {p.code for p in problems if p.level == "warning"}
    assert warnings == expected_warnings(path), (
        f"{path.name}: warnings differ from its '# expect-warnings:' comment:\n"
        f"{describe(problems)}"
    )


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_example_fires_its_rule(path: Path) -> None:
    code, name = broken_rule(path)
    problems = servicemap.check(path)
    hits = [p for p in problems if p.code == code]
    assert hits, f"{path.name}: expected {code}, got:\n{describe(problems)}"
    for problem in hits:
        assert problem.rule == name, f"{path.name}: {code} is named {problem.rule!r}"
        assert problem.level == "error"
        assert problem.file is not None
        assert problem.line is not None and problem.line >= 1, (
            f"{path.name}: {code} has no line number: {problem}"
        )


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_broken_example_says_what_is_wrong(path: Path) -> None:
    code, name = broken_rule(path)
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(f"# {code} {name}:"), f"{path.name}: first line should explain it"
