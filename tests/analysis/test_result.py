"""Tests of servicemap.analysis.analyze and the Analysis views (dict, JSON, CSV, pandas, HTML)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import servicemap
from servicemap.api import AnalysisError, analyze
from servicemap.problems import LoadError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(ROOT.joinpath("examples").glob("*.yaml"))
BROKEN = sorted(ROOT.joinpath("examples", "broken").glob("SM[12]*.yaml"))

MAP = """
name: <Desk & co>
arrivals: 6/h
lanes:
  - {id: customer, layer: customer}
  - {id: desk, layer: onstage}
steps:
  - {id: s, kind: terminator, lane: customer, next: fix}
  - {id: fix, kind: task, lane: desk, duration: 20m, capacity: 3, accuracy: 0.9, next: ok}
  - id: ok
    kind: decision
    lane: desk
    next: [{to: fix, label: "no"}, {to: e, label: "<yes>"}]
  - {id: e, kind: terminator, lane: customer}
"""


def test_summary_and_shape_of_to_dict() -> None:
    a = analyze(servicemap.loads(MAP))
    d = a.to_dict()
    assert set(d) >= {"name", "summary", "steps", "failure_points", "bottlenecks", "notes",
                      "coverage"}
    assert set(d["summary"]) == {
        "process_time_s", "lead_time_s", "activity_ratio", "rolled_accuracy",
        "success_probability", "cost", "max_throughput_per_h", "bottleneck", "arrivals_per_h"}
    s = d["summary"]
    # even split: the loop is taken half the time, 'fix' runs twice per case
    assert s["process_time_s"] == pytest.approx(2 * 1200)
    assert s["cost"] is None
    assert s["arrivals_per_h"] == 6.0
    assert s["bottleneck"] == "fix"
    assert s["max_throughput_per_h"] == pytest.approx(3600 / (2 * 1200 / 3))
    # rolled accuracy: sum_k (0.9*0.5)^k * 0.9*0.5 = 0.45 / 0.55
    assert s["rolled_accuracy"] == pytest.approx(0.45 / 0.55)
    step = next(x for x in d["steps"] if x["id"] == "fix")
    assert set(step) >= {"id", "visits", "process_time_s", "lead_time_s", "load_s",
                         "utilisation", "queue_wait_s", "expected_defects",
                         "lead_time_share", "flags"}
    assert step["utilisation"] == pytest.approx(6 * 2 * (1 / 3) / 3)
    # cli.md: a step listed for its accuracy carries the fail-point flag
    assert "bottleneck" in step["flags"] and "fail-point" in step["flags"]
    fp = d["failure_points"][0]
    assert fp["step"] == "fix" and fp["expected_failures"] == pytest.approx(0.2)
    assert d["bottlenecks"][0]["step"] == "fix"
    assert "decision 'ok' has no probabilities: split evenly" in d["notes"]
    assert "queue waits assume random arrivals and service times (M/M/c)" in d["notes"]
    assert d["coverage"]["process_time"] == {"value": 2400.0, "covered": 1, "total": 2}


def test_json_has_nulls_not_nan() -> None:
    text = analyze(servicemap.loads(MAP)).to_json()
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text)
    step = next(x for x in data["steps"] if x["id"] == "ok")
    assert step["process_time_s"] is None and step["load_s"] is None


def test_csv_round_trip() -> None:
    a = analyze(servicemap.loads(MAP))
    rows = list(csv.DictReader(io.StringIO(a.to_csv())))
    assert [r["id"] for r in rows] == ["s", "fix", "ok", "e"]
    fix = rows[1]
    assert float(fix["visits"]) == pytest.approx(2.0)
    assert fix["capacity"] == "3"
    assert rows[2]["process_time_s"] == ""


def test_pandas_table() -> None:
    pytest.importorskip("pandas")
    df = analyze(servicemap.loads(MAP)).to_pandas()
    assert list(df.index) == ["s", "fix", "ok", "e"]
    assert df.loc["fix", "visits"] == pytest.approx(2.0)


def test_html_is_escaped() -> None:
    html = analyze(servicemap.loads(MAP))._repr_html_()
    assert "<Desk" not in html and "&lt;Desk &amp; co&gt;" in html
    assert "<table>" in html


def test_text_report_mentions_coverage_and_reasons() -> None:
    text = analyze(servicemap.loads(MAP)).to_text()
    assert "covers 1 of 2 steps" in text
    assert "accuracy 90%" in text
    assert "split evenly" in text


@pytest.mark.parametrize("arrivals", ["12/h", 12, 12.0, "0.2/min"])
def test_arrivals_argument_forms(arrivals: object) -> None:
    a = analyze(servicemap.loads(MAP), arrivals=arrivals)  # type: ignore[arg-type]
    assert a.summary.arrivals_per_h == pytest.approx(12.0)
    fix = next(r for r in a.steps if r.id == "fix")
    assert fix.utilisation == pytest.approx(12 * 2 * (1 / 3) / 3)


def test_bad_arrivals() -> None:
    with pytest.raises(ValueError, match="arrivals"):
        analyze(servicemap.loads(MAP), arrivals="lots")


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.name)
def test_structural_errors_are_refused(path: Path) -> None:
    try:
        bp = servicemap.load(path)
    except LoadError:
        pytest.skip("does not load")
    with pytest.raises(AnalysisError) as info:
        analyze(bp)
    assert info.value.problems
    assert all(p.code[:3] in ("SM1", "SM2") for p in info.value.problems)
    assert isinstance(info.value, LoadError)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_analyse(path: Path) -> None:
    a = analyze(servicemap.load(path))
    d = json.loads(a.to_json())
    assert sum(e["probability"] for e in d["ends"]) == pytest.approx(1.0)
    for step in d["steps"]:
        share = step["lead_time_share"]
        assert share is None or 0.0 <= share <= 1.0
    assert a.to_text()
