"""Parallel work in the analysis: visits per branch, the expected longest branch, critical path."""

from __future__ import annotations

import io
import json
import math
import random
from pathlib import Path
from statistics import fmean
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.linalg import expm

import servicemap as sm
from servicemap.analysis.parallel import expected_maximum
from servicemap.cli import _main

EXAMPLE = Path(__file__).parents[2] / "examples" / "claim_parallel.yaml"


def two_branches(a: str, b: str, shape: str = "") -> str:
    return f"""name: two branches
arrivals: 1/h
steps:
  - {{id: s, kind: terminator, next: f}}
  - {{id: f, kind: parallel, next: [a, b]}}
  - {{id: a, kind: task, duration: {a}{shape}, next: j}}
  - {{id: b, kind: task, duration: {b}{shape}, next: j}}
  - {{id: j, kind: parallel, next: e}}
  - {{id: e, kind: terminator}}
"""


def test_two_exponential_branches_take_the_expected_maximum() -> None:
    # E[max(A, B)] for A ~ Exp(mean 10 min), B ~ Exp(mean 20 min):
    # 1/a + 1/b - 1/(a + b) = 10 + 20 - 1/(1/10 + 1/20) = 30 - 6.667 = 23.333 min = 1400 s
    a = sm.analyze(sm.loads(two_branches("10m", "20m")))
    assert a.summary.lead_time_s == pytest.approx(1400.0)
    assert a.summary.process_time_s == pytest.approx(1800.0)  # both branches' work: 10 + 20 min
    assert a.summary.lead_time_method == "phase-type (exact)"
    (region,) = a.parallel
    assert (region.fork, region.join, region.critical) == ("f", "j", 1)
    assert [b.expected_time_s for b in region.branches] == [600.0, 1200.0]
    assert a.critical_path == ["f", "b", "j"]
    # Percentiles of parallel work are not phase-type here: analyze estimates them by
    # simulation. The median of max(A, B) solves F(t) = (1 - e^(-t/600))(1 - e^(-t/1200)) = 0.5;
    # by bisection in the test t = 1090.5 s; the simulation is within its ±3.3 % CI.
    method = a.summary.lead_time_percentiles_method
    assert method is not None and method.startswith("by simulation")
    percentiles = a.summary.lead_time_percentiles_s
    assert percentiles is not None
    lo, hi = 0.0, 10_000.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if (1 - math.exp(-mid / 600)) * (1 - math.exp(-mid / 1200)) < 0.5 \
            else (lo, mid)
    assert percentiles["p50"] == pytest.approx(lo, rel=0.05)


def test_the_kronecker_formula_matches_the_integral() -> None:
    # E[max] = ∫ (1 − Π F_i(t)) dt for three exponential branches (means 1, 2, 3), by the
    # trapezoid rule on a fine grid, against inclusion–exclusion of Kronecker sums.
    rates = [1.0, 0.5, 1 / 3]
    t = np.linspace(0.0, 80.0, 400_001)
    integrand = 1.0 - np.prod([1.0 - np.exp(-r * t) for r in rates], axis=0)
    by_integral = float(np.sum((integrand[1:] + integrand[:-1]) / 2 * np.diff(t)))
    exact = expected_maximum([np.ones(1)] * 3, [np.array([[-r]]) for r in rates])
    assert exact == pytest.approx(by_integral, rel=1e-6)
    # and by hand: Σ 1/λi − Σ 1/(λi+λj) + 1/(λ1+λ2+λ3) = 6 − (2/3 + 3/4 + 6/5) + 6/11
    assert exact == pytest.approx(6 - (2 / 3 + 3 / 4 + 6 / 5) + 6 / 11)


def test_claim_parallel_by_hand() -> None:
    a = sm.analyze(EXAMPLE)
    visits = dict(zip(a.table["id"], a.table["visits"], strict=True))
    # every step runs once per case: the fork sends a token down both branches, the
    # join fires once when both have arrived
    assert visits == dict.fromkeys(visits, 1.0)
    # process time adds every branch: 2 + 120 + 20 + 15 + 1 = 158 min
    assert a.summary.process_time_s == pytest.approx(158 * 60)
    # lead time: register 2 + E[max(assess ~ Exp(120), upload ~ Exp(20))] + decide 15 +
    # inform 1 min; E[max] = 120 + 20 − 1/(1/120 + 1/20) = 140 − 17.142857 = 122.857143 min
    assert a.summary.lead_time_s == pytest.approx((2 + 140 - 120 / 7 + 15 + 1) * 60)
    assert a.critical_path == ["split", "assess", "both"]
    assert a.summary.activity_ratio is not None and a.summary.activity_ratio > 1.0
    assert all(v is None for v in a.summary.lead_time_breakdown.values())


def test_a_rework_loop_on_a_branch_stays_exact() -> None:
    # Branch a: 10 min, redone with probability 1/2: a geometric number of exponential
    # times is exponential, of mean 10 / (1 − 1/2) = 20 min. Branch b: 20 min. So
    # E[max] = 20 + 20 − 1/(1/20 + 1/20) = 30 min. The third branch runs nothing.
    bp = sm.loads("""name: loop on a branch
steps:
  - {id: s, kind: terminator, next: f}
  - {id: f, kind: parallel, next: [a, b, j]}
  - {id: a, kind: task, duration: 10m, next: ok}
  - id: ok
    kind: decision
    next: [{to: a, label: redo, probability: 0.5}, {to: j, label: done, probability: 0.5}]
  - {id: b, kind: task, duration: 20m, next: j}
  - {id: j, kind: parallel, next: e}
  - {id: e, kind: terminator}
""")
    a = sm.analyze(bp)
    assert a.summary.lead_time_method == "phase-type (exact)"
    assert a.summary.lead_time_s == pytest.approx(30 * 60)
    assert [b.expected_time_s for b in a.parallel[0].branches] == pytest.approx([1200, 1200, 0])
    assert [b.steps for b in a.parallel[0].branches] == [["a", "ok"], ["b"], []]
    visits = dict(zip(a.table["id"], a.table["visits"], strict=True))
    assert visits["a"] == pytest.approx(2.0) and visits["j"] == pytest.approx(1.0)
    result = sm.simulate(bp, arrivals="1/h", cases=40_000, replications=8, seed=4)
    assert result.lead_time.covers(1800.0), result.lead_time


def test_without_times_there_is_no_longest_branch() -> None:
    a = sm.analyze(sm.loads(two_branches("10m", "20m").replace(", duration: 10m", "")
                            .replace(", duration: 20m", "")))
    assert a.summary.lead_time_s is None and a.critical_path == []
    assert a.parallel[0].expected_time_s is None


def test_utilisation_sees_every_branch() -> None:
    bp = sm.loads(two_branches("10m", "20m").replace("duration: 10m,",
                                                      "duration: 10m, capacity: 1,"))
    a = sm.analyze(bp, arrivals="3/h")
    # each case sends one token to 'a': 3/h · 10 min = 0.5
    row = next(r for r in a.steps if r.id == "a")
    assert row.utilisation == pytest.approx(0.5)
    # the queue makes branch a's time not exponential: sampled
    assert a.summary.lead_time_method.startswith("Monte Carlo")  # type: ignore[union-attr]


def series_map(branches: list[list[int]]) -> str:
    """A fork into branches of exponential steps in a row (minutes), then a join."""
    steps: list[dict[str, Any]] = [
        {"id": "s", "kind": "terminator", "next": "f"},
        {"id": "f", "kind": "parallel", "next": [f"b{k}_0" for k in range(len(branches))]}]
    for k, branch in enumerate(branches):
        for i, minutes in enumerate(branch):
            steps.append({"id": f"b{k}_{i}", "kind": "task", "duration": f"{minutes}m",
                          "next": f"b{k}_{i + 1}" if i + 1 < len(branch) else "j"})
    steps += [{"id": "j", "kind": "parallel", "next": "e"}, {"id": "e", "kind": "terminator"}]
    return yaml.safe_dump({"name": "series", "steps": steps})


def by_integral(branches: list[list[int]]) -> float:
    """∫ (1 − Π F_b(t)) dt in minutes, each F_b the hypoexponential CDF from its own
    bidiagonal generator (expm), integrated adaptively (scipy's quad)."""
    gens = [np.diag([-1.0 / m for m in b]) + np.diag([1.0 / m for m in b[:-1]], 1)
            for b in branches]

    def integrand(t: float) -> float:
        every = 1.0
        for gen in gens:
            every *= 1.0 - float(expm(gen * t)[0].sum())  # F_b(t) = 1 − α e^{Tt} 1
        return 1.0 - every

    # beyond 60 times the longest branch's mean the integrand is below e^-40
    end = 60.0 * max(map(sum, branches))
    value, _error = quad(integrand, 0.0, end, limit=200, epsabs=1e-8, epsrel=1e-9)
    return float(value)


@settings(max_examples=8, deadline=None)
@given(st.lists(st.lists(st.integers(1, 30), min_size=1, max_size=3), min_size=2, max_size=4))
def test_random_series_branches_match_the_integral(branches: list[list[int]]) -> None:
    a = sm.analyze(sm.loads(series_map(branches)))
    assert a.summary.lead_time_method == "phase-type (exact)"
    assert a.summary.lead_time_s is not None
    assert a.summary.lead_time_s / 60 == pytest.approx(by_integral(branches), rel=1e-6)


NESTED = """name: nested
arrivals: 1/h
steps:
  - {id: s, kind: terminator, next: f}
  - {id: f, kind: parallel, next: [g, c]}
  - {id: g, kind: parallel, next: [a, b]}
  - {id: a, kind: task, duration: 10m, next: h}
  - {id: b, kind: task, duration: 20m, next: h}
  - {id: h, kind: parallel, next: j}
  - {id: c, kind: task, duration: 30m, next: j}
  - {id: j, kind: parallel, next: e}
  - {id: e, kind: terminator}
"""


def test_a_nested_region_is_sampled_within_its_error() -> None:
    a = sm.analyze(sm.loads(NESTED))
    # max(max(A, B), C) = max(A, B, C), rates 1/10, 1/20, 1/30 per minute:
    # Σ 1/λ − Σ 1/(λi + λj) + 1/(λa + λb + λc)
    #   = (10 + 20 + 30) − (20/3 + 15/2 + 12) + 60/11 = 39.2879 min
    by_hand = (60 - (20 / 3 + 15 / 2 + 12) + 60 / 11) * 60
    outer = next(r for r in a.parallel if r.fork == "f")
    inner = next(r for r in a.parallel if r.fork == "g")
    assert inner.method == "phase-type (exact)" and inner.parent == "f"
    assert inner.expected_time_s == pytest.approx(1400.0)  # as in the two-branch test
    assert outer.method == "Monte Carlo (20,000 samples)"
    assert outer.standard_error_s is not None
    assert abs(outer.expected_time_s - by_hand) < 4 * outer.standard_error_s  # type: ignore[operator]
    assert a.summary.lead_time_s == outer.expected_time_s
    # branch means: the inner region 23.33 min < c 30 min: c is critical
    assert outer.critical == 1 and a.critical_path == ["f", "c", "j"]
    assert [b.steps for b in outer.branches] == [["g", "a", "b", "h"], ["c"]]


CHANCES = """name: chances
steps:
  - {id: s, kind: terminator, next: f}
  - {id: f, kind: parallel, next: [a, b]}
  - {id: a, kind: task, duration: 10m, accuracy: 0.9, next: da}
  - id: da
    kind: decision
    next: [{to: a2, label: ok, probability: 0.8},
           {to: fixa, label: fail, probability: 0.2, failure: true}]
  - {id: fixa, kind: task, recovery: true, next: a2}
  - {id: a2, kind: task, next: j}
  - {id: b, kind: task, duration: 20m, accuracy: 0.8, next: db}
  - id: db
    kind: decision
    next: [{to: b2, label: ok, probability: 0.7},
           {to: fixb, label: fail, probability: 0.3, failure: true}]
  - {id: fixb, kind: task, recovery: true, next: b2}
  - {id: b2, kind: task, next: j}
  - {id: j, kind: parallel, next: e}
  - {id: e, kind: terminator}
"""


def test_a_case_needs_every_branch_right() -> None:
    s = sm.analyze(sm.loads(CHANCES)).summary
    # both branches must be accurate: 0.9 · 0.8 = 0.72 (not their average, 0.85)
    assert s.rolled_accuracy == pytest.approx(0.72)
    assert s.clean_success == pytest.approx(0.72) and s.first_pass_yield == pytest.approx(0.72)
    # a case fails if either branch does: 1 − (1 − 0.2)(1 − 0.3) = 0.44
    assert s.failure_probability == pytest.approx(0.44)
    assert s.expected_failures == pytest.approx(0.2 + 0.3)


def test_nested_regions_multiply_their_chances() -> None:
    bp = sm.loads(NESTED.replace("duration: 10m,", "duration: 10m, accuracy: 0.9,")
                  .replace("duration: 20m,", "duration: 20m, accuracy: 0.8,")
                  .replace("duration: 30m,", "duration: 30m, accuracy: 0.5,"))
    # the inner region needs a and b (0.72), the outer that and c: 0.72 · 0.5 = 0.36
    assert sm.analyze(bp).summary.rolled_accuracy == pytest.approx(0.36)


def test_a_fork_in_a_rework_loop_counts_its_visits() -> None:
    bp = sm.loads("""name: loop
steps:
  - {id: s, kind: terminator, next: prep}
  - {id: prep, kind: task, next: f}
  - {id: f, kind: parallel, next: [a, b]}
  - {id: a, kind: task, duration: 10m, next: j}
  - {id: b, kind: task, duration: 20m, next: j}
  - {id: j, kind: parallel, next: ok}
  - id: ok
    kind: decision
    next: [{to: prep, label: redo, probability: 0.5}, {to: e, label: done, probability: 0.5}]
  - {id: e, kind: terminator}
""")
    a = sm.analyze(bp)
    # the region runs 1 / (1 − 0.5) = 2 times per case, each time E[max] = 1400 s
    visits = dict(zip(a.table["id"], a.table["visits"], strict=True))
    assert visits["a"] == pytest.approx(2.0) and visits["j"] == pytest.approx(2.0)
    assert a.summary.lead_time_s == pytest.approx(2 * 1400.0)
    assert a.summary.process_time_s == pytest.approx(2 * 1800.0)


def test_analysis_and_simulation_agree_on_the_example() -> None:
    bp = sm.load(EXAMPLE)
    a = sm.analyze(bp, arrivals="2/h")
    result = sm.simulate(bp, arrivals="2/h", cases=40_000, replications=8, seed=3)
    assert result.lead_time.covers(a.summary.lead_time_s), (result.lead_time, a.summary)
    assert all(s.visits.mean == 1.0 for s in result.steps)


def test_analysis_and_simulation_agree_where_the_branches_are_sampled() -> None:
    bp = sm.loads(two_branches("10m", "20m", ", distribution: uniform").replace(
        "next: [a, b]}", "next: [a, b, c]}\n  - {id: c, kind: delay, duration: 15m, "
        "distribution: fixed, next: j}"))
    a = sm.analyze(bp)
    assert a.summary.lead_time_method == "Monte Carlo (20,000 samples)"
    result = sm.simulate(bp, cases=40_000, replications=8, seed=5)
    error = a.parallel[0].standard_error_s
    assert error is not None
    low, high = result.lead_time.low, result.lead_time.high
    assert low is not None and high is not None
    value = a.summary.lead_time_s
    assert value is not None and low - 3 * error <= value <= high + 3 * error


# -- an independent model from a plain dict -----------------------------------------

PLAIN: dict[str, Any] = {
    "before": 5.0,  # minutes, exponential
    "branches": [[12.0], [4.0, 6.0], [8.0]],  # each branch: exponential steps in a row
    "after": 3.0,
}


def independent_lead_time(spec: dict[str, Any], cases: int, seed: int) -> float:
    """Mean lead time of fork → branches → join, drawn here without servicemap (minutes)."""
    rng = random.Random(seed)
    total = 0.0
    for _ in range(cases):
        longest = max(sum(rng.expovariate(1 / m) for m in branch) for branch in spec["branches"])
        total += rng.expovariate(1 / spec["before"]) + longest + rng.expovariate(1 / spec["after"])
    return total / cases


def as_map(spec: dict[str, Any]) -> str:
    """The same process as map text, written with PyYAML from plain data."""
    steps: list[dict[str, Any]] = [
        {"id": "s", "kind": "terminator", "next": "before"},
        {"id": "before", "kind": "task", "duration": f"{spec['before']}m", "next": "fork"},
        {"id": "fork", "kind": "parallel",
         "next": [f"b{k}s0" for k in range(len(spec["branches"]))]},
    ]
    for k, branch in enumerate(spec["branches"]):
        for i, minutes in enumerate(branch):
            nxt = f"b{k}s{i + 1}" if i + 1 < len(branch) else "join"
            steps.append({"id": f"b{k}s{i}", "kind": "task", "duration": f"{minutes}m",
                          "next": nxt})
    steps += [{"id": "join", "kind": "parallel", "next": "after"},
              {"id": "after", "kind": "task", "duration": f"{spec['after']}m", "next": "e"},
              {"id": "e", "kind": "terminator"}]
    return yaml.safe_dump({"name": "plain", "arrivals": "1/h", "steps": steps})


def test_plain_dict_independent_model_and_servicemap_agree() -> None:
    theirs = [independent_lead_time(PLAIN, 20_000, seed) for seed in range(8)]
    mean = fmean(theirs)
    half = 2.365 * math.sqrt(sum((x - mean) ** 2 for x in theirs) / 7) / math.sqrt(8)
    ours = sm.analyze(sm.loads(as_map(PLAIN)))
    assert ours.summary.lead_time_method == "phase-type (exact)"
    assert ours.summary.lead_time_s is not None
    assert abs(ours.summary.lead_time_s / 60 - mean) <= half, (ours.summary.lead_time_s, mean)
    # process time: every step of every branch, 5 + 12 + 4 + 6 + 8 + 3 = 38 min
    assert ours.summary.process_time_s == pytest.approx(38 * 60)
    simulated = sm.simulate(sm.loads(as_map(PLAIN)), cases=80_000, replications=8, seed=1)
    assert simulated.lead_time.covers(ours.summary.lead_time_s)


# -- what if, sensitivity, refusals, the command line --------------------------------


def test_what_if_on_a_parallel_map() -> None:
    # assess 2 h → 1 h: E[max(Exp 60, Exp 20)] = 80 − 1/(1/60 + 1/20) = 80 − 15 = 65 min,
    # before 140 − 120/7 = 122.857 min: the lead time falls by 57.857 min
    change = sm.what_if(EXAMPLE, ["assess.duration=-50%"])
    assert change.deltas["lead_time_s"] == pytest.approx((65 - (140 - 120 / 7)) * 60)
    # the upload is not on the critical path, yet shortening it still helps a little:
    # 20 → 10 min: E[max] = 130 − 1/(1/120 + 1/10) = 130 − 9.2308 = 120.769 min
    other = sm.what_if(EXAMPLE, ["upload.duration=-50%"])
    assert other.deltas["lead_time_s"] == pytest.approx(
        ((130 - 120 / 13) - (140 - 120 / 7)) * 60)


def test_sensitivity_ranks_the_critical_branch_first() -> None:
    ranking = sm.sensitivity(EXAMPLE)
    assert ranking.durations[0].step == "assess"
    saved = {r.step: r.lead_time_saved_s for r in ranking.durations}
    # 10 % off assess (120 → 108 min): E[max] = 128 − 1/(1/108 + 1/20) = 128 − 16.875
    assert saved["assess"] == pytest.approx(((140 - 120 / 7) - (128 - 16.875)) * 60)
    # 10 % off upload (20 → 18 min): E[max] = 138 − 1/(1/120 + 1/18) = 138 − 15.652
    assert saved["upload"] == pytest.approx(((140 - 120 / 7) - (138 - 360 / 23)) * 60)


NOT_NESTED = """name: crossed
arrivals: 1/h
steps:
  - {id: s, kind: terminator, next: f}
  - {id: f, kind: parallel, next: [a, b]}
  - {id: a, kind: task, duration: 5m, next: g}
  - {id: g, kind: parallel, next: [c, d]}
  - {id: b, kind: task, duration: 5m, next: j1}
  - {id: c, kind: task, duration: 5m, next: j1}
  - {id: j1, kind: parallel, next: j2}
  - {id: d, kind: task, duration: 5m, next: j2}
  - {id: j2, kind: parallel, next: e}
  - {id: e, kind: terminator}
"""


def test_work_that_does_not_nest_is_refused_located_but_simulated() -> None:
    bp = sm.loads(NOT_NESTED, "crossed.yaml")
    assert [p for p in sm.check(bp) if p.level == "error"] == []
    with pytest.raises(sm.AnalysisError) as info:
        sm.analyze(bp)
    problems = info.value.problems
    assert problems and {(p.code, p.rule) for p in problems} == {("SM190",
                                                                  "parallel-not-nested")}
    assert all(p.file == "crossed.yaml" and p.line is not None for p in problems)
    assert "servicemap simulate" in problems[0].message
    result = sm.simulate(bp, cases=4000, replications=4, seed=1)
    assert all(s.visits.mean == 1.0 for s in result.steps)


def test_the_command_line_shows_the_regions_and_the_critical_path() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert _main(["analyze", str(EXAMPLE)], out, err) == 0, err.getvalue()
    text = out.getvalue()
    assert "longest branches by:  phase-type (exact)" in text
    assert "Parallel work (1 fork/join region)" in text
    assert "critical path: split, assess, both" in text
    out = io.StringIO()
    assert _main(["analyze", str(EXAMPLE), "--format", "json"], out, err) == 0
    data = json.loads(out.getvalue())
    assert data["critical_path"] == ["split", "assess", "both"]
    assert data["parallel"][0]["method"] == "phase-type (exact)"
    assert data["summary"]["lead_time_method"] == "phase-type (exact)"


def test_highlight_draws_the_critical_path() -> None:
    from servicemap.highlight import CRITICAL, styles_from_analysis

    styles, key = styles_from_analysis(sm.analyze(EXAMPLE))
    assert {s for s, st in styles.items() if st.color == CRITICAL} == {"split", "assess", "both"}
    assert "critical path (longest parallel branch)" in [k.label for k in key]
    svg = sm.render(EXAMPLE, format="svg", highlight=True)
    assert CRITICAL.encode() in svg


def test_the_order_example_picks_while_it_confirms() -> None:
    path = EXAMPLE.parent / "order_parallel.yaml"
    a = sm.analyze(path)
    (region,) = a.parallel
    assert (region.fork, region.join) == ("release", "ready")
    # the warehouse branch: pick 25 min + its queue, 0.1 · 20 min substitute, 8 min pack;
    # the paperwork: 1 + 10 + 5 = 16 min, in the warehouse's shadow
    assert region.branches[1].expected_time_s == pytest.approx(16 * 60)
    assert region.critical == 0 and "pick" in a.critical_path
    assert region.method == "Monte Carlo (20,000 samples)"  # lognormal picking, a queue
    result = sm.simulate(path, cases=40_000, replications=8, seed=1)
    assert result.lead_time.covers(a.summary.lead_time_s)  # type: ignore[arg-type]


def test_the_networkx_graph_gives_the_same_analysis() -> None:
    from servicemap.analysis import analyze_graph

    bp = sm.load(EXAMPLE)
    by_graph = analyze_graph(sm.to_networkx(bp))
    direct = sm.analyze(bp)
    assert by_graph.summary.lead_time_s == pytest.approx(direct.summary.lead_time_s)
    assert by_graph.critical_path == direct.critical_path


def test_the_command_line_says_why_work_that_does_not_nest_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "crossed.yaml"
    path.write_text(NOT_NESTED)
    out, err = io.StringIO(), io.StringIO()
    assert _main(["analyze", str(path)], out, err) == 1
    assert "SM190 [error] parallel-not-nested" in err.getvalue()
    assert "does not nest into fork/join regions (servicemap simulate runs it)" in err.getvalue()
    out, err = io.StringIO(), io.StringIO()
    assert _main(["simulate", str(path), "--cases", "200", "--replications", "2",
                  "--format", "json"], out, err) == 0, err.getvalue()
    assert json.loads(out.getvalue())["cases"] == 200


def test_every_branch_step_a_case_must_pass_is_a_single_point_of_failure() -> None:
    bp = sm.loads("""name: spof
steps:
  - {id: s, kind: terminator, next: f}
  - {id: f, kind: parallel, next: [g, c, j]}
  - {id: g, kind: parallel, next: [a, b]}
  - {id: a, kind: task, next: h}
  - {id: b, kind: task, next: h}
  - {id: h, kind: parallel, next: j}
  - {id: c, kind: task, next: d}
  - id: d
    kind: decision
    next: [{to: x, label: x}, {to: y, label: y}]
  - {id: x, kind: task, next: z}
  - {id: y, kind: task, next: z}
  - {id: z, kind: task, next: j}
  - {id: j, kind: parallel, next: e}
  - {id: e, kind: terminator}
""")
    # every case runs every branch: a, b, c, d, z and the bars; x and y are alternatives
    spof = [fp.step for fp in sm.analyze(bp).failure_points
            if "single point of failure: every case passes here" in fp.reasons]
    assert spof == ["f", "g", "a", "b", "h", "c", "d", "z", "j"]


def test_a_notebook_shows_the_regions() -> None:
    html = sm.analyze(EXAMPLE)._repr_html_()
    assert "<h4>Parallel work (1)</h4>" in html
    assert "<td>split</td><td>both</td><td>2.05 h</td><td>phase-type (exact)</td>" in html
