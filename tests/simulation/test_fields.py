"""The variability fields: cv, distribution and arrivals_cv, validated, located, round-tripped."""

from __future__ import annotations

import math

import pytest

import servicemap as sm
from servicemap.mapfile.schema import json_schema
from servicemap.model import Task, Terminator
from servicemap.values import CV_LIMITS

BASE = """name: x
arrivals_cv: 0.5
steps:
  - {{id: s, kind: terminator, arrivals: 3/h, arrivals_cv: 0, next: a}}
  - {{id: a, kind: task, duration: 5m, {extra}, next: e}}
  - {{id: e, kind: terminator}}
"""


@pytest.mark.parametrize(("extra", "cv"), [
    ("cv: 0.5", 0.5),
    ("distribution: fixed", 0.0),
    ("distribution: exponential, cv: 1", 1.0),
    ("distribution: uniform", 1 / math.sqrt(3)),
    ("distribution: triangular, cv: 0.2", 0.2),
    ("distribution: lognormal, cv: 2.5", 2.5),
    ("label: plain", 1.0),
])
def test_valid_shapes_load_and_round_trip(extra: str, cv: float) -> None:
    bp = sm.loads(BASE.format(extra=extra))
    assert bp.step("a").duration_cv == pytest.approx(cv)
    assert bp.arrivals_cv == 0.5
    start = bp.step("s")
    assert isinstance(start, Terminator) and start.arrivals_cv == 0.0
    assert sm.loads(bp.to_yaml()) == bp
    assert sm.loads(bp.to_json()) == bp


@pytest.mark.parametrize(("extra", "column", "message"), [
    ("distribution: fixed, cv: 0.5", 64, "a fixed duration has cv 0, not 0.5"),
    ("distribution: exponential, cv: 2", 70, "an exponential duration has cv 1"),
    ("distribution: uniform, cv: 0.9", 66, "a uniform duration has cv at most 0.5774, not 0.9"),
    ("distribution: triangular, cv: 0.5", 69, "at most 0.4082"),
    ("cv: -1", 43, "-1 is not a coefficient of variation"),
    ("cv: .nan", 43, "nan is not a coefficient of variation"),
    ("cv: '0.5'", 43, "not a coefficient of variation"),
    ("distribution: gamma", 53, "'gamma' is not allowed here"),
])
def test_invalid_shapes_are_located(extra: str, column: int, message: str) -> None:
    with pytest.raises(sm.LoadError) as info:
        sm.loads(BASE.format(extra=extra), "m.yaml")
    (problem,) = info.value.problems
    assert (problem.code, problem.line, problem.column) == ("SM002", 5, column)
    assert message in problem.message


def test_arrivals_cv_must_be_a_finite_number() -> None:
    with pytest.raises(sm.LoadError) as info:
        sm.loads(BASE.format(extra="cv: 1").replace("arrivals_cv: 0.5", "arrivals_cv: .inf"))
    (problem,) = info.value.problems
    assert problem.line == 2 and "coefficient of variation" in problem.message


def test_python_models_validate_alike() -> None:
    assert Task(id="a", distribution="lognormal", cv=3).duration_cv == 3.0
    with pytest.raises(ValueError, match="cv 0"):
        Task(id="a", distribution="fixed", cv=0.1)


def test_schema_states_the_same_bounds() -> None:
    schema = json_schema()
    assert schema["$defs"]["Task"]["allOf"] == [{"$ref": "#/$defs/DurationShape"}]
    conditions = schema["$defs"]["DurationShape"]["allOf"]
    bounded = {c["if"]["properties"]["distribution"]["const"]: c["then"]["properties"]["cv"]
               for c in conditions}
    for shape, (_, low, high) in CV_LIMITS.items():
        if shape in bounded:
            assert bounded[shape] == {"minimum": low, "maximum": high}
    assert "lognormal" not in bounded
