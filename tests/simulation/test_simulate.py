"""sm.simulate and `servicemap simulate`: determinism, refusals, formats, progress."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import servicemap as sm
from servicemap.cli import _main

ROOT = Path(__file__).resolve().parents[2]

ONE_DESK = """name: one desk
arrivals: 6/h
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, duration: 5m, capacity: 1, next: e}
  - {id: e, kind: terminator}
"""


def test_same_seed_same_numbers_on_any_number_of_cores() -> None:
    bp = sm.load(ROOT / "examples" / "service_desk.yaml")
    one = sm.simulate(bp, cases=3000, seed=7, replications=3, workers=1)
    two = sm.simulate(bp, cases=3000, seed=7, replications=3, workers=2)
    assert one.to_dict() == two.to_dict()
    other = sm.simulate(bp, cases=3000, seed=8, replications=3, workers=1)
    assert other.lead_time.mean != one.lead_time.mean


def test_fixed_times_without_queues_are_exact() -> None:
    bp = sm.loads("""name: fixed
arrivals: 10/h
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, duration: 5m, distribution: fixed, wait: 1h, next: b}
  - {id: b, kind: delay, duration: 10m, distribution: fixed, next: e}
  - {id: e, kind: terminator}
""")
    result = sm.simulate(bp, cases=400, replications=2, workers=1)
    assert result.lead_time.mean == pytest.approx(4500.0)
    assert result.percentiles[95].mean == pytest.approx(4500.0)
    row = {s.id: s for s in result.steps}["a"]
    assert row.utilisation is None and row.queue_wait is None
    assert row.wip.mean == pytest.approx(10 / 3600 * 3900, rel=0.05)  # Little: λ·W


def test_structural_errors_are_refused_with_located_problems() -> None:
    bp = sm.loads("name: x\narrivals: 1/h\nsteps:\n  - {id: s, kind: terminator, next: a}\n"
                  "  - {id: a, kind: task}\n", "bad.yaml")
    with pytest.raises(sm.AnalysisError) as info:
        sm.simulate(bp, cases=10, replications=1)
    assert all(p.line is not None for p in info.value.problems)


def test_a_map_without_arrivals_needs_them() -> None:
    bp = sm.loads(ONE_DESK.replace("arrivals: 6/h\n", ""))
    with pytest.raises(ValueError, match="no arrivals"):
        sm.simulate(bp, cases=10, replications=1)
    assert sm.simulate(bp, cases=50, replications=1, arrivals="6/h").cases == 50


def test_cli_formats_and_event_log(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(ONE_DESK)
    out, err = io.StringIO(), io.StringIO()
    log = tmp_path / "cases.csv"
    status = _main(["simulate", str(path), "--cases", "300", "--replications", "2",
                   "--format", "json", "--event-log", str(log)], out, err)
    assert status == 0, err.getvalue()
    data = json.loads(out.getvalue())
    assert data["cases"] == 300 and set(data["percentiles"]) == {"p50", "p80", "p95"}
    assert err.getvalue() == ""  # no progress: standard error is no terminal
    assert log.read_text().startswith("case_id,activity,step,lifecycle,timestamp,resource\n")
    out = io.StringIO()
    assert _main(["simulate", str(path), "--cases", "100", "--replications", "2", "--format",
                 "csv"], out, err) == 0
    assert out.getvalue().splitlines()[0] == "step,figure,mean,low,high"
    out = io.StringIO()
    assert _main(["simulate", str(path), "--cases", "100", "--replications", "2"], out, err) == 0
    assert "lead time" in out.getvalue() and "p95" in out.getvalue()


def test_cli_refusals(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(ONE_DESK)
    err = io.StringIO()
    args = ["simulate", str(path), "--event-log", str(tmp_path / "x.txt")]
    assert _main(args, io.StringIO(), err) == 1
    assert ".csv or .xes" in err.getvalue()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\narrivals: 1/h\nsteps:\n  - {id: s, kind: terminator, next: a}\n"
                   "  - {id: a, kind: task}\n")
    err = io.StringIO()
    assert _main(["simulate", str(bad)], io.StringIO(), err) == 1
    assert "structural errors" in err.getvalue()


def test_progress_only_on_a_terminal(tmp_path: Path) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    path = tmp_path / "m.yaml"
    path.write_text(ONE_DESK)
    err = Tty()
    assert _main(["simulate", str(path), "--cases", "60", "--replications", "3",
                 "--workers", "1"], io.StringIO(), err) == 0
    assert err.getvalue().endswith("\rsimulating: 3/3 replications\n")
