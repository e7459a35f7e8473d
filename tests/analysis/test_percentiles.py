"""Tests of the lead-time percentiles (phase-type) against closed forms."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

import servicemap as sm
from servicemap.analysis.percentiles import PHASE_TYPE_METHOD


def _summary(text: str) -> sm.analysis.Summary:
    return sm.analyze(sm.loads(text)).summary


def _bisect(cdf: Callable[[float], float], q: float, hi: float) -> float:
    """The q-quantile of an increasing cdf by plain bisection (not brentq)."""
    lo = 0.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < q else (lo, mid)
    return (lo + hi) / 2


def test_one_exponential_step() -> None:
    # Exponential of mean d = 600 s: P(LT ≤ t) = 1 − e^(−t/d), so the q-quantile is −d·ln(1 − q):
    # p50 = ln 2 · 600 = 415.89 s, p80 = ln 5 · 600 = 965.66 s, p95 = ln 20 · 600 = 1797.44 s.
    s = _summary("""
name: one
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, duration: 10m, next: e}
  - {id: e, kind: terminator}
""")
    assert s["lead_time_percentiles_method"] == PHASE_TYPE_METHOD == "phase-type (exact)"
    q = s["lead_time_percentiles_s"]
    assert q["p50"] == pytest.approx(math.log(2) * 600, rel=1e-9)
    assert q["p80"] == pytest.approx(math.log(5) * 600, rel=1e-9)
    assert q["p95"] == pytest.approx(math.log(20) * 600, rel=1e-9)


def test_two_exponential_steps_in_series_hypoexponential() -> None:
    # Means d1 = 5 min, d2 = 15 min (rates 1/300, 1/900). The hypoexponential survival is
    #   P(LT > t) = (d1·e^(−t/d1) − d2·e^(−t/d2)) / (d1 − d2),
    # whose quantiles the test finds by bisection (an independent method).
    d1, d2 = 300.0, 900.0

    def cdf(t: float) -> float:
        return 1 - (d1 * math.exp(-t / d1) - d2 * math.exp(-t / d2)) / (d1 - d2)

    s = _summary("""
name: two
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, duration: 5m, next: b}
  - {id: b, kind: document, duration: 15m, next: e}
  - {id: e, kind: terminator}
""")
    q = s["lead_time_percentiles_s"]
    for name, p in (("p50", 0.5), ("p80", 0.8), ("p95", 0.95)):
        assert q[name] == pytest.approx(_bisect(cdf, p, 100 * (d1 + d2)), rel=1e-9)
    # p50 ≈ 951.8 s: at t = 951.8, e^(−t/300) = 0.04189, e^(−t/900) = 0.34729, and
    # (300·0.04189 − 900·0.34729)/(300 − 900) = 0.5000; below the mean 1200 s (right skew).
    assert q["p50"] == pytest.approx(951.82, abs=0.01)


def test_rework_loop_is_exponential() -> None:
    # A step of mean d = 10 min redone with probability p = 0.25: a geometric sum of exponentials,
    # itself exponential with mean d/(1 − p) = 800 s, so p50 = ln 2 · 800 = 554.52 s.
    s = _summary("""
name: loop
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, duration: 10m, next: ok}
  - id: ok
    kind: decision
    next: [{to: w, label: no, probability: 0.25}, {to: e, label: yes, probability: 0.75}]
  - {id: e, kind: terminator}
""")
    q = s["lead_time_percentiles_s"]
    assert s["lead_time_s"] == pytest.approx(800.0)
    assert q["p50"] == pytest.approx(math.log(2) * 800, rel=1e-9)
    assert q["p95"] == pytest.approx(math.log(20) * 800, rel=1e-9)


def test_cases_that_take_no_time_are_an_atom_at_zero() -> None:
    # 30 % go straight to an end: P(LT ≤ t) = 0.3 + 0.7·(1 − e^(−t/d)), d = 600 s.
    # p50: e^(−t/d) = 1 − 0.2/0.7 = 5/7, t = d·ln(7/5) = 201.88 s;
    # p80: t = d·ln(0.7/0.2) = 751.65 s.
    s = _summary("""
name: atom
steps:
  - {id: s, kind: terminator, next: d}
  - id: d
    kind: decision
    next: [{to: e, label: skip, probability: 0.3}, {to: w, label: work, probability: 0.7}]
  - {id: w, kind: task, duration: 10m, next: e}
  - {id: e, kind: terminator}
""")
    q = s["lead_time_percentiles_s"]
    assert q["p50"] == pytest.approx(600 * math.log(7 / 5), rel=1e-9)
    assert q["p80"] == pytest.approx(600 * math.log(3.5), rel=1e-9)


def queued_step(extra: str) -> sm.Blueprint:
    """One 10-minute task at 3 arrivals an hour, with ``extra`` fields on the task."""
    return sm.loads(f"""
name: no
arrivals: 3/h
steps:
  - {{id: s, kind: terminator, next: w}}
  - {{id: w, kind: task, duration: 10m, {extra}, next: e}}
  - {{id: e, kind: terminator}}
""")


@pytest.mark.parametrize(("extra", "why"), [
    ("distribution: fixed", "the duration of step 'w' is not exponential"),
    ("cv: 0.5", "the duration of step 'w' is not exponential"),
    ("wait: 5m", "step 'w' has a wait"),
    ("capacity: 1", "step 'w' has a modelled queue"),
])
def test_not_exponential_is_not_computed(extra: str, why: str) -> None:
    a = sm.analyze(queued_step(extra), percentile_cases=0)
    s = a.summary
    assert s["lead_time_percentiles_s"] is None
    method = s["lead_time_percentiles_method"]
    assert method.startswith("not computed: " + why)
    # percentile_cases=0 turned the simulation off, and the method says so
    assert method.endswith("run servicemap simulate; not simulated: percentile_cases is 0")
    assert "percentiles:" in a.to_text() and "run servicemap simulate" in a.to_text()


ONE_STEP = """
name: one
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, duration: 10m, next: e}
  - {id: e, kind: terminator}
"""  # one exponential step of 10 min: exact percentiles, p50 = 600 ln 2 s


def test_negative_percentile_cases_are_refused() -> None:
    bp = sm.loads("name: one\nsteps:\n  - {id: s, kind: terminator, next: e}\n"
                  "  - {id: e, kind: terminator}\n")
    with pytest.raises(ValueError, match="percentile_cases must be 0 or more, not -1"):
        sm.analyze(bp, percentile_cases=-1)


def test_exact_percentiles_say_nothing_of_the_simulation_turned_off() -> None:
    # one exponential step of 10 min: exact, p50 = 600 ln 2 s, whatever percentile_cases is
    a = sm.analyze(sm.loads(ONE_STEP), percentile_cases=0)
    assert a.summary["lead_time_percentiles_method"] == "phase-type (exact)"
    assert a.summary["lead_time_percentiles_s"]["p50"] == pytest.approx(600 * math.log(2))


def test_text_and_json_show_the_percentiles() -> None:
    a = sm.analyze(sm.loads(ONE_STEP))
    assert "p50 6.93 min, p80 16.1 min, p95 30 min (phase-type (exact))" in a.to_text()
    assert set(a.to_dict()["summary"]["lead_time_percentiles_s"]) == {"p50", "p80", "p95"}


@pytest.mark.parametrize(("extra", "expected"), [
    # fixed 10 min: every case takes exactly 600 s
    ("distribution: fixed", {"p50": 600.0, "p80": 600.0, "p95": 600.0}),
    # a fixed wait of 5 min, then exponential 10 min: p = 300 + 600 ln(1 / (1 - q))
    ("wait: 5m", {k: 300 + 600 * math.log(1 / (1 - q))
                  for k, q in (("p50", 0.5), ("p80", 0.8), ("p95", 0.95))}),
    # M/M/1, 3/h and 10 min: the time in the system is exponential of rate 6 - 3 = 3/h,
    # mean 20 min: p = 1200 ln(1 / (1 - q))
    ("capacity: 1", {k: 1200 * math.log(1 / (1 - q))
                     for k, q in (("p50", 0.5), ("p80", 0.8), ("p95", 0.95))}),
])
def test_by_simulation_where_not_exact(extra: str, expected: dict[str, float]) -> None:
    a = sm.analyze(queued_step(extra), percentile_cases=2000)
    s = a.summary
    assert s["lead_time_percentiles_method"].startswith("by simulation: 2,000 cases in 5 "
                                                        "replications, seed 1")
    for key, value in expected.items():  # 2,000 cases: within 12 % of the closed form
        assert s["lead_time_percentiles_s"][key] == pytest.approx(value, rel=0.12)
    assert "(by simulation: 2,000 cases" in a.to_text()


def test_large_maps_are_not_simulated_in_the_analysis() -> None:
    steps = "\n".join(f"  - {{id: t{i}, kind: task, duration: 1m, distribution: fixed, "
                      f"next: t{i + 1}}}" for i in range(250))
    a = sm.analyze(sm.loads(f"""
name: long
steps:
  - {{id: s, kind: terminator, next: t0}}
{steps}
  - {{id: t250, kind: terminator}}
"""))
    # 251 executions a case: 200,000 / 251 = 796 cases, below the 1,000 needed.
    assert a.summary.lead_time_percentiles_s is None
    assert a.summary.lead_time_percentiles_method.startswith("not computed: the duration of")
