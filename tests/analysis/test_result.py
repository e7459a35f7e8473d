"""Tests of servicemap.analysis.analyze and the Analysis views (dict, JSON, CSV, pandas, HTML)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import servicemap
from servicemap.analysis.result import STEP_COLUMNS
from servicemap.api import AnalysisError, analyze
from servicemap.problems import LoadError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in ROOT.joinpath("examples").glob("*.yaml")
                  if "kind: parallel" not in p.read_text(encoding="utf-8"))
"""The examples the analysis takes: parallel work is refused (test_parallel_refused.py)."""
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
        "process_time_s", "lead_time_s", "lead_time_breakdown", "lead_time_unbounded",
        "activity_ratio", "rolled_accuracy", "rolled_ca", "first_pass_yield", "clean_success",
        "success_probability", "expected_failures", "failure_probability", "wip",
        "cost", "max_throughput_per_h", "bottleneck", "arrivals_per_h", "queue_method",
        "lead_time_percentiles_s", "lead_time_percentiles_method", "lead_time_method"}
    s = d["summary"]
    assert s["lead_time_method"] is None and d["parallel"] == [] and d["critical_path"] == []
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


def test_summary_is_a_read_only_mapping_by_field_name() -> None:
    """README's ``result.summary["lead_time_s"]`` works, and attribute access too."""
    summary = analyze(servicemap.loads(MAP)).summary
    # 'ok' sends half the cases back: 'fix' runs 1 / (1 - 1/2) = 2 times, 20 min each;
    # at 6/h it sees 12/h on 3 servers of 3/h each: utilisation 4/3, so no bounded lead time
    assert summary["lead_time_s"] is summary.lead_time_s is None
    assert summary["lead_time_unbounded"] == "step fix overloaded (utilisation 133.3%)"
    assert summary["process_time_s"] == pytest.approx(2 * 1200)
    assert summary["bottleneck"] == "fix"
    assert list(summary) == list(summary.keys()) == [
        "process_time_s", "lead_time_s", "lead_time_breakdown", "lead_time_unbounded",
        "activity_ratio", "rolled_accuracy", "rolled_ca", "first_pass_yield", "clean_success",
        "success_probability", "expected_failures", "failure_probability", "wip",
        "cost", "max_throughput_per_h", "bottleneck", "arrivals_per_h", "queue_method",
        "lead_time_percentiles_s", "lead_time_percentiles_method", "lead_time_method"]
    assert len(summary) == 21
    assert "cost" in summary and "coverage" not in summary and "made_up" not in summary
    assert dict(summary) == summary.to_dict()
    assert dict(summary.items())["arrivals_per_h"] == 6.0
    assert summary.get("made_up") is None and summary.coverage["lead_time"].covered == 1
    with pytest.raises(KeyError):
        summary["coverage"]
    with pytest.raises(TypeError):
        summary["cost"] = 1.0  # type: ignore[index]
    with pytest.raises(AttributeError):
        summary.cost = 1.0  # type: ignore[misc]


def test_pandas_table_columns_index_and_values_by_hand() -> None:
    pd = pytest.importorskip("pandas")
    a = analyze(servicemap.loads(MAP), arrivals="3/h")
    df = a.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert df.index.name == "id" and list(df.index) == ["s", "fix", "ok", "e"]
    assert list(df.columns) == [c for c in STEP_COLUMNS if c != "id"]
    fix = df.loc["fix"]
    assert (fix["label"], fix["kind"], fix["lane"], fix["capacity"]) == ("fix", "task", "desk", 3)
    # by hand: 'fix' runs 2 times (even split back), 20 min each, on 3 servers
    assert fix["visits"] == pytest.approx(2.0)
    assert fix["process_time_s"] == pytest.approx(1200.0)
    assert fix["load_s"] == pytest.approx(2 * 1200 / 3)
    # λ = 3/h · 2 = 6/h, μ = 3/h, c = 3: ρ = 6 / 9; a = 2 Erlangs, Erlang C =
    # (a³/3!)(3/(3 - a)) / (1 + a + a²/2 + (a³/3!)(3/(3 - a))) = 4 / (5 + 4) = 4/9;
    # W_q = C / (cμ - λ) = (4/9) / 3 h = 4/27 h
    assert fix["utilisation"] == pytest.approx(2 / 3)
    assert fix["queue_wait_s"] == pytest.approx(4 / 27 * 3600)
    assert fix["expected_defects"] == pytest.approx(2 * (1 - 0.9))
    assert fix["lead_time_share"] == pytest.approx(1.0)  # the only step with a time
    # accuracy < 1; every case passes it; the largest load; s and ok lead into it
    assert fix["flags"] == ["fail-point", "single-point-of-failure", "bottleneck",
                            "convergence"]
    ok = df.loc["ok"]
    assert ok["visits"] == pytest.approx(2.0)
    assert ok["flags"] == ["handoff", "single-point-of-failure", "even-split"]
    assert pd.isna(ok["process_time_s"]) and pd.isna(ok["capacity"])
    assert pd.isna(ok["utilisation"]) and pd.isna(ok["queue_wait_s"])
    assert df["visits"].tolist() == pytest.approx([1.0, 2.0, 2.0, 1.0])
    assert df["visits"].dtype == "float64"


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


def test_to_dict_replaces_any_non_finite_number_with_null_and_says_where() -> None:
    """The safety net under the metrics' own overflow handling: should an inf or a nan
    reach an Analysis anyway, to_dict, to_json and to_csv hold null (an empty cell) and
    a note names where; the text says "too large" rather than "inf"."""
    import dataclasses
    import math

    a = analyze(servicemap.loads(MAP))
    table = dict(a.table)
    table["lead_time_s"] = [math.inf, *table["lead_time_s"][1:]]
    summary = dataclasses.replace(a.summary, cost=math.nan, max_throughput_per_h=math.inf)
    broken = dataclasses.replace(a, table=table, summary=summary,
                                 time_traps=[("fix", math.inf)])
    data = broken.to_dict()
    assert data["summary"]["cost"] is None and data["steps"][0]["lead_time_s"] is None
    assert data["time_traps"][0]["lead_time_share"] is None
    assert data["notes"][-1] == (
        "values beyond the float range are reported as unknown (null), as JSON has no NaN "
        "or Infinity: summary.cost, summary.max_throughput_per_h, steps[0].lead_time_s, "
        "time_traps[0].lead_time_share")
    json.loads(broken.to_json(), parse_constant=lambda c: pytest.fail(f"JSON holds {c}"))
    rows = list(csv.DictReader(io.StringIO(broken.to_csv())))
    assert rows[0]["lead_time_s"] == ""
    text = broken.to_text()
    assert "inf" not in text.replace("Infinity", "").lower().replace("information", "")
    assert "max throughput:" in text and "too large (beyond 1.8e308)" in text


def test_an_overloaded_step_makes_lead_time_unbounded_and_analyze_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """MAP at 6/h: 'fix' sees 12/h on 3 servers of 3/h (ρ = 4/3); at 3/h, ρ = 2/3."""
    from servicemap.cli import main

    f = tmp_path / "m.yaml"
    f.write_text(MAP, encoding="utf-8")
    assert main(["analyze", str(f), "--format", "json"]) == 1
    out, err = capsys.readouterr()
    summary = json.loads(out)["summary"]
    assert summary["lead_time_s"] is None and summary["activity_ratio"] is None
    assert summary["lead_time_unbounded"] == "step fix overloaded (utilisation 133.3%)"
    assert summary["lead_time_breakdown"]["queue_s"] is None
    assert err == ("servicemap: " + str(f) + ": lead time is unbounded: step fix overloaded "
                   "(utilisation 133.3%); add capacity or lower the arrivals\n")
    assert main(["analyze", str(f)]) == 1
    out, _ = capsys.readouterr()
    assert "lead time per case:     unbounded: step fix overloaded (utilisation 133.3%)" in out
    assert main(["analyze", str(f), "--arrivals", "3/h"]) == 0


def test_html_step_table_shows_queue_wait_and_wip() -> None:
    bp = servicemap.loads("""
name: one desk
arrivals: 6/h
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, duration: 5m, capacity: 1, next: e}
  - {id: e, kind: terminator}
""")
    html = analyze(bp, percentile_cases=0)._repr_html_()
    html = html[html.index("<h4>Steps"):]
    assert "<th>queue wait</th>" in html and "<th>WIP</th>" in html
    # M/M/1, rho = 0.5: Wq = 5 min, LT = 10 min, WIP = 6/h x 10 min = 1
    assert "<td>w</td><td>1</td><td>5 min</td><td>5 min</td><td>10 min</td>" in html
    assert "<td>100%</td><td>1</td><td>single-point-of-failure, bottleneck</td>" in html
