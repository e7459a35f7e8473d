"""The simulation against queueing theory: each closed form inside the simulation's 95 % interval.

Working (times in seconds, λ arrivals per second, S the mean service time, ρ = λS/c):

- M/M/1: Wq = ρ S / (1 − ρ)                          (Kleinrock 1975, §3.2)
- M/M/c: Wq = C(c, a) S / (c − a), a = λS, with Erlang C
  C(c, a) = (aᶜ/c!)·c/(c − a) / (Σₖ₌₀^{c−1} aᵏ/k! + (aᶜ/c!)·c/(c − a))
- M/D/1: Wq = ρ S / (2 (1 − ρ))                       (Pollaczek–Khinchine, cv 0)
- a rework loop taken with probability p: 1/(1 − p) visits.

One test builds the queue from a plain dict, runs an independent simpy model
of it written here, and checks servicemap's simulation of the same dict (as map
text) against both it and the formula.
"""

from __future__ import annotations

import math
import random
from statistics import fmean
from typing import Any

import pytest
import simpy
import yaml

import servicemap as sm
from servicemap.simulation import Estimate, SimulationResult


def erlang_c(c: int, a: float) -> float:
    """Probability of waiting in M/M/c with offered load ``a`` (by hand, no library)."""
    top = a ** c / math.factorial(c) * c / (c - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)


def one_queue(rate_per_h: float, minutes: float, capacity: int, shape: str = "") -> str:
    extra = f", distribution: {shape}" if shape else ""
    return (f"name: queue\narrivals: {rate_per_h}/h\nsteps:\n"
            "  - {id: s, kind: terminator, next: q}\n"
            f"  - {{id: q, kind: task, duration: {minutes}m, capacity: {capacity}{extra}, "
            "next: e}\n  - {id: e, kind: terminator}\n")


def wait_of(result: SimulationResult, step: str = "q") -> Estimate:
    row = next(s for s in result.steps if s.id == step)
    assert row.queue_wait is not None
    return row.queue_wait


def test_mm1_mean_wait() -> None:
    lam, s = 42 / 3600, 60.0  # ρ = 0.7
    rho = lam * s
    expected = rho * s / (1 - rho)  # 140 s
    result = sm.simulate(sm.loads(one_queue(42, 1, 1)), cases=80_000, seed=3, replications=8)
    assert wait_of(result).covers(expected), (wait_of(result), expected)
    util = next(r for r in result.steps if r.id == "q").utilisation
    assert util is not None and util.covers(rho), util


def test_mmc_mean_wait_erlang_c() -> None:
    lam, s, c = 126 / 3600, 60.0, 3  # a = 2.1, ρ = 0.7
    a = lam * s
    expected = erlang_c(c, a) * s / (c - a)
    result = sm.simulate(sm.loads(one_queue(126, 1, c)), cases=80_000, seed=4, replications=8)
    assert wait_of(result).covers(expected), (wait_of(result), expected)


def test_md1_mean_wait_pollaczek_khinchine() -> None:
    lam, s = 42 / 3600, 60.0
    rho = lam * s
    expected = rho * s / (2 * (1 - rho))  # 70 s
    result = sm.simulate(sm.loads(one_queue(42, 1, 1, "fixed")), cases=80_000, seed=5,
                         replications=8)
    assert wait_of(result).covers(expected), (wait_of(result), expected)


def test_rework_loop_visits() -> None:
    p = 0.3
    bp = sm.loads(f"""name: rework
arrivals: 4/h
steps:
  - {{id: s, kind: terminator, next: fix}}
  - {{id: fix, kind: task, duration: 5m, next: ok}}
  - id: ok
    kind: decision
    next: [{{to: fix, label: redo, probability: {p}}}, {{to: e, label: done, probability: {1 - p}}}]
  - {{id: e, kind: terminator}}
""")
    result = sm.simulate(bp, cases=40_000, seed=6, replications=8)
    visits = next(r for r in result.steps if r.id == "fix").visits
    assert visits.covers(1 / (1 - p)), visits
    # lead time: 1/(1 − p) executions of an exponential 5 min, no queue
    assert result.lead_time.covers(300 / (1 - p)), result.lead_time


# -- an independent model from a plain dict -------------------------------------------

PLAIN: dict[str, Any] = {"arrivals_per_h": 126.0, "minutes": 1.0, "servers": 3}


def independent_wait(spec: dict[str, Any], cases: int, seed: int) -> float:
    """Mean queue wait of an M/M/c queue, simulated here with simpy, without servicemap."""
    rng = random.Random(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, spec["servers"])
    waits: list[float] = []

    def customer() -> Any:
        asked = env.now
        with desk.request() as req:
            yield req
            waits.append(env.now - asked)
            yield env.timeout(rng.expovariate(1 / (spec["minutes"] * 60)))

    def arrivals() -> Any:
        for _ in range(cases):
            yield env.timeout(rng.expovariate(spec["arrivals_per_h"] / 3600))
            env.process(customer())

    env.process(arrivals())
    env.run()
    return fmean(waits[cases // 10:])


def as_map(spec: dict[str, Any]) -> str:
    """The same queue as map text, written with PyYAML from plain data."""
    return yaml.safe_dump({
        "name": "plain", "arrivals": f"{spec['arrivals_per_h']}/h",
        "steps": [
            {"id": "s", "kind": "terminator", "next": "q"},
            {"id": "q", "kind": "task", "duration": f"{spec['minutes']}m",
             "capacity": spec["servers"], "next": "e"},
            {"id": "e", "kind": "terminator"},
        ],
    })


def test_plain_dict_queue_independent_model_and_servicemap_agree() -> None:
    a = PLAIN["arrivals_per_h"] / 3600 * PLAIN["minutes"] * 60
    expected = erlang_c(PLAIN["servers"], a) * PLAIN["minutes"] * 60 / (PLAIN["servers"] - a)
    theirs = [independent_wait(PLAIN, 10_000, seed) for seed in range(8)]
    mean = fmean(theirs)
    half = 2.365 * math.sqrt(sum((w - mean) ** 2 for w in theirs) / 7) / math.sqrt(8)  # t(.975, 7)
    assert abs(mean - expected) <= half, (mean, half, expected)
    ours = wait_of(sm.simulate(sm.loads(as_map(PLAIN)), cases=80_000, seed=9, replications=8))
    assert ours.covers(expected), (ours, expected)
    assert ours.low is not None and ours.high is not None
    assert abs(ours.mean - mean) <= (ours.high - ours.low) / 2 + half


@pytest.mark.parametrize("shape", ["uniform", "triangular", "lognormal"])
def test_durations_keep_their_mean(shape: str) -> None:
    bp = sm.loads(one_queue(1, 10, 1000, shape))  # light load: lead time is the duration
    result = sm.simulate(bp, cases=20_000, seed=10, replications=4)
    assert result.lead_time.covers(600.0) or result.lead_time.mean == pytest.approx(600, rel=0.01)
