"""The fast JSON text of an analysis loads to the same data as json.dumps of to_dict."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import servicemap as sm
from servicemap.analysis.result import Analysis

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _reference(a: Analysis) -> object:
    return json.loads(json.dumps(a.to_dict(), indent=2, ensure_ascii=False, allow_nan=False))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_give_the_same_data(path: Path) -> None:
    bp = sm.load(path)
    try:
        a = sm.analyze(bp)
    except sm.AnalysisError:
        pytest.skip("not analysable")
    text = a.to_json()
    assert json.loads(text) == _reference(a)
    assert json.loads(a.to_json(indent=None)) == _reference(a)


def test_odd_text_numbers_and_rows_one_per_line() -> None:
    bp = sm.loads('''
name: "Ünïcode \\"quoted\\" {braces} \\u2028 and \\\\ back"
arrivals: 3/h
lanes: [{id: l1, label: "é, }{ \\"x\\""}]
steps:
  - {id: s, kind: terminator, lane: l1, next: a}
  - {id: a, kind: task, lane: l1, label: "a\\tb\\n\\"c\\" {0}", duration: 7min, capacity: 1,
     cost: 1e300, accuracy: 0.9, fail: "x}{", next: d}
  - id: d
    kind: decision
    lane: l1
    next: [{to: a, label: "again {}", probability: 0.25, failure: true},
           {to: e, label: ok, probability: 0.75}]
  - {id: e, kind: terminator, lane: l1}
''')
    a = sm.analyze(bp)
    text = a.to_json()
    assert json.loads(text) == _reference(a)
    steps_at = text.index('"steps": [\n')
    rows = text[steps_at:].split("\n")[1:5]
    assert [json.loads(r.strip().rstrip(","))["id"] for r in rows] == ["s", "a", "d", "e"]


def test_values_beyond_the_float_range_fall_back_with_a_note() -> None:
    bp = sm.loads('''
name: huge
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, duration: 5min, cost: 1.7e308, next: b}
  - {id: b, kind: task, cost: 1.7e308, next: e}
  - {id: e, kind: terminator}
''')
    a = sm.analyze(bp)
    data = json.loads(a.to_json())
    assert data == _reference(a)
    assert data["summary"]["cost"] is None
    assert not any(isinstance(x, float) and not math.isfinite(x) for x in data["summary"].values())
