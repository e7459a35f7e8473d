"""Tests of queue waits with variability: Allen–Cunneen G/G/c and QNA propagation, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import servicemap as sm
from servicemap.analysis.bottlenecks import mmc_waits_of, queue_waits_of
from servicemap.analysis.chain import compile_blueprint, compile_chain
from servicemap.analysis.flow import solve_flow
from servicemap.analysis.queues import departure_scv, ggc_wait, mmc_wait
from servicemap.analysis.variability import (
    GGC_METHOD,
    MMC_METHOD,
    arrival_scv_of,
    server_utilisation_of,
)


def _waits(text: str) -> dict[str, float | None]:
    return {b.step: b.queue_wait_s for b in sm.analyze(sm.loads(text)).bottlenecks}


def test_every_cv_one_is_mmc_exactly_on_the_examples() -> None:
    for path in ("examples/service_desk.yaml",):
        bp = sm.load(path)
        chain = compile_blueprint(bp)
        v = solve_flow(chain)
        rate = chain.arrivals_per_h or 30.0
        got = queue_waits_of(chain, v, rate)
        want = mmc_waits_of(chain, v, rate)
        assert np.array_equal(got, want, equal_nan=True)  # bit for bit
        assert sm.analyze(bp, arrivals=rate).summary["queue_method"] == MMC_METHOD


def test_cv_one_written_out_is_still_mmc_exactly() -> None:
    # cv: 1 and arrivals_cv: 1 given explicitly: the M/M/c numbers, no factor applied.
    # M/M/1, λ = 3/h, PT = 15 min (μ = 4/h): W_q = ρ/(μ − λ) = 0.75 h = 2700 s.
    waits = _waits("""
name: mm1
arrivals: 3/h
arrivals_cv: 1
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, duration: 15m, cv: 1, capacity: 1, next: e}
  - {id: e, kind: terminator}
""")
    assert waits["w"] == mmc_wait(3 / 3600, 1 / 900, 1)
    assert waits["w"] == pytest.approx(2700.0)


def test_md1_is_pollaczek_khinchine() -> None:
    # M/D/1: λ = 3/h, PT = 15 min fixed (μ = 4/h), ρ = 0.75.
    # Pollaczek–Khinchine: W_q = ρ/(2μ(1 − ρ)) = 0.75/(2·4·0.25) h = 0.375 h = 1350 s,
    # half the M/M/1 wait (Allen–Cunneen factor (c_a² + c_s²)/2 = (1 + 0)/2).
    text = """
name: md1
arrivals: 3/h
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, duration: 15m, distribution: fixed, capacity: 1, next: e}
  - {id: e, kind: terminator}
"""
    assert _waits(text)["w"] == pytest.approx(1350.0, rel=1e-12)
    a = sm.analyze(sm.loads(text))
    assert a.summary["queue_method"] == GGC_METHOD == "Allen–Cunneen G/G/c with QNA propagation"
    assert "queue waits by:         Allen–Cunneen G/G/c with QNA propagation" in a.to_text()
    assert any("Allen–Cunneen" in n for n in a.notes)


def test_tandem_fixed_then_exponential_by_hand() -> None:
    # Poisson arrivals λ = 3/h. Step a: fixed 15 min, 1 server, ρ_a = 0.75.
    #   W_q,a = M/M/1 · (1 + 0)/2 = 2700/2 = 1350 s.
    #   Departures: c_d² = 1 + (1 − ρ²)(c_a² − 1) + ρ²(c_s² − 1)/√1 = 1 + 0 − 0.5625 = 0.4375.
    # Step b: exponential 12 min (μ = 5/h), 1 server, ρ_b = 0.6, c_a² = 0.4375, c_s² = 1.
    #   M/M/1: W_q = ρ/(μ − λ) = 0.6/2 h = 1080 s; factor (0.4375 + 1)/2 = 0.71875;
    #   W_q,b = 776.25 s.
    waits = _waits("""
name: tandem
arrivals: 3/h
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, duration: 15m, distribution: fixed, capacity: 1, next: b}
  - {id: b, kind: task, duration: 12m, capacity: 1, next: e}
  - {id: e, kind: terminator}
""")
    assert waits["a"] == pytest.approx(1350.0, rel=1e-12)
    assert waits["b"] == pytest.approx(776.25, rel=1e-12)


def test_scheduled_arrivals_at_an_exponential_server() -> None:
    # D/M/1 by Allen–Cunneen: c_a² = 0, c_s² = 1: half the M/M/1 wait, 2700/2 = 1350 s.
    # A step without capacity in between passes the variability on (ρ = 0: c_d² = c_a²).
    waits = _waits("""
name: dm1
arrivals: 3/h
arrivals_cv: 0
steps:
  - {id: s, kind: terminator, next: form}
  - {id: form, kind: task, duration: 5m, cv: 3, next: w}
  - {id: w, kind: task, duration: 15m, capacity: 1, next: e}
  - {id: e, kind: terminator}
""")
    assert waits["w"] == pytest.approx(1350.0, rel=1e-12)


def test_two_servers_departure_by_hand() -> None:
    # Step a: 2 servers, fixed 20 min, λ = 4.5/h: a = λ/μ = 1.5, ρ = 0.75.
    #   c_d² = 1 + 0 + ρ²(0 − 1)/√2 = 1 − 0.5625/1.41421 = 0.602252.
    # Step b: 1 server, exponential 10 min (μ = 6/h), ρ = 0.75:
    #   M/M/1 W_q = ρ/(μ − λ) = 0.75/1.5 h = 1800 s; factor (0.602252 + 1)/2.
    # Step a: M/M/2 W_q = C(2, 1.5)/(2μ − λ); Erlang C(2, 1.5) = 0.642857 (= a²/(2(1−ρ)) over
    #   1 + a + a²/(2(1−ρ)) = 4.5/(2.5 + 4.5)), so W_q = 0.642857/1.5 h = 1542.86 s, times 1/2.
    waits = _waits("""
name: two
arrivals: 4.5/h
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, duration: 20m, distribution: fixed, capacity: 2, next: b}
  - {id: b, kind: task, duration: 10m, capacity: 1, next: e}
  - {id: e, kind: terminator}
""")
    cd2 = 1 - 0.5625 / math.sqrt(2)
    assert departure_scv(1.0, 0.0, 0.75, 2) == pytest.approx(cd2)
    assert waits["b"] == pytest.approx(1800.0 * (cd2 + 1) / 2, rel=1e-12)
    assert waits["a"] == pytest.approx(4.5 / 7 / 1.5 * 3600 / 2, rel=1e-12)
    assert waits["a"] == pytest.approx(ggc_wait(4.5, 3.0, 2, 1.0, 0.0) * 3600, rel=1e-12)


_LOOP = """
name: loop
arrivals: 1/h
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, duration: 15m, distribution: fixed, capacity: 1, next: d}
  - id: d
    kind: decision
    next: [{to: w, label: again, probability: 0.5}, {to: e, label: ok, probability: 0.5}]
  - {id: e, kind: terminator}
"""


def test_rework_loop_fixed_point_by_hand() -> None:
    # v_w = 1/(1 − p) = 2, λ_w = 2/h, μ = 4/h, ρ = 0.5, c_s² = 0 (fixed).
    # Arrivals at w merge the outside Poisson stream (rate 1, c² = 1) and the rework stream
    # (rate v·p = 1, c² = p·c_d² + 1 − p), with c_d² = (1 − ρ²)·c_a² + ρ²·c_s² = 0.75·c_a²:
    #   v·x = 1 + v·(p²·0.75·x + p(1 − p))  =>  x·(1 − p²·0.75) = (1 + p)(1 − p)
    #   x = (1 − p²)/(1 − p²(1 − ρ²)) = 0.75/0.8125 = 0.923077.
    # M/M/1: W_q = ρ/(μ − λ_w) = 0.5/2 h = 900 s; times (0.923077 + 0)/2 = 415.385 s.
    x = 0.75 / 0.8125
    assert _waits(_LOOP)["w"] == pytest.approx(900 * x / 2, rel=1e-12)


def test_rework_loop_linear_solve_agrees_with_iteration() -> None:
    # The fixed point found by plain iteration of the QNA equations (an independent method).
    chain = compile_blueprint(sm.loads(_LOOP))
    v = solve_flow(chain)
    rho = server_utilisation_of(chain, v, 1.0)
    scv = arrival_scv_of(chain, v, rho)
    w, p, r = chain.index["w"], 0.5, 0.5
    x = 1.0
    for _ in range(200):
        cd2 = 1 + (1 - r**2) * (x - 1) + r**2 * (0 - 1)
        x = (1 * 1.0 + 1 * (p * cd2 + 1 - p)) / 2  # rate-weighted merge of rates 1 and 1
    assert scv[w] == pytest.approx(x, rel=1e-12)


def test_networkx_graph_gives_the_same_variability() -> None:
    text = """
name: g
arrivals: 3/h
arrivals_cv: 0.5
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, duration: 15m, cv: 0.2, capacity: 1, next: e}
  - {id: e, kind: terminator}
"""
    bp = sm.loads(text)
    a, b = compile_blueprint(bp), compile_chain(sm.to_networkx(bp))
    assert np.array_equal(a.service_cv, b.service_cv)
    assert np.array_equal(a.arrivals_scv, b.arrivals_scv, equal_nan=True)
    # G/G/1 with c_a² = 0.25, c_s² = 0.04: 2700 · 0.29/2 = 391.5 s
    assert _waits(text)["w"] == pytest.approx(391.5, rel=1e-12)


def test_split_stream_over_two_starts() -> None:
    # A scheduled stream (cv 0) split evenly over two starts: each sees c² = 0.5·0 + 1 − 0.5.
    # They merge again at w (rate-weighted mean: 0.5), an exponential single server:
    # factor (0.5 + 1)/2 = 0.75 of M/M/1 (λ = 3/h, μ = 4/h: 2700 s) = 2025 s.
    text = """
name: split
arrivals: 3/h
arrivals_cv: 0
steps:
  - {id: s1, kind: terminator, next: w}
  - {id: s2, kind: terminator, next: w}
  - {id: w, kind: task, duration: 15m, capacity: 1, next: e}
  - {id: e, kind: terminator}
"""
    chain = compile_blueprint(sm.loads(text))
    assert chain.arrivals_scv[[0, 1]].tolist() == [0.5, 0.5]
    assert _waits(text)["w"] == pytest.approx(2025.0, rel=1e-12)


def test_ggc_wait_scalar() -> None:
    assert ggc_wait(3, 4, 1) == mmc_wait(3, 4, 1) == 0.75
    assert ggc_wait(3, 4, 1, 0.0, 0.0) == 0.0  # D/D/1: nobody waits
    assert ggc_wait(5, 4, 1, 0.0, 0.0) == math.inf  # unstable stays unbounded
    with pytest.raises(ValueError, match="squared cv"):
        ggc_wait(3, 4, 1, -1.0)
