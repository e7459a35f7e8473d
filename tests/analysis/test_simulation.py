"""Independent check of the analysis by discrete-event simulation (simpy, seeded).

The simulator walks cases through the map's steps: a step's ``wait`` is a fixed
delay before it (delay not caused by its capacity); a step with a capacity is a
simpy Resource with exponential service times of mean PT; every other step
with a duration takes an exponential time without queueing; decisions draw
their branch. Arrivals are Poisson. It checks visits (per-case counts, standard
error from independent cases), utilisation and mean queue waits (standard error
by batch means over time). A simulated value must lie within 4 standard errors
(plus a small absolute slack) of the computed one. The queue-aware lead time
must lie within the simulated mean lead time's 95 % confidence interval
(batch means of the cases by arrival time, Student's t).
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from statistics import fmean, stdev

import pytest
from scipy.stats import t as student_t

simpy = pytest.importorskip("simpy")

import servicemap  # noqa: E402
from servicemap.api import analyze  # noqa: E402
from servicemap.flow.graph import flow_graph  # noqa: E402
from servicemap.model import Blueprint  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

REWORK = """
name: rework and capacity
arrivals: 6/h
steps:
  - {id: s, kind: terminator, next: fix}
  - {id: fix, kind: task, duration: 10m, capacity: 2, next: ok}
  - id: ok
    kind: decision
    next:
      - {to: fix, label: "no", probability: 0.2}
      - {to: close, label: "yes", probability: 0.8}
  - {id: close, kind: task, duration: 6m, capacity: 1, next: e}
  - {id: e, kind: terminator}
"""

WORKED = """
name: Worked example (docs/analysis.md)
arrivals: 12/h
steps:
  - {id: call, kind: terminator, next: record}
  - {id: record, kind: task, duration: 4m, wait: 2m, capacity: 2, next: solve}
  - {id: solve, kind: task, duration: 10m, capacity: 3, next: solved}
  - id: solved
    kind: decision
    next:
      - {to: solve, label: "no", probability: 0.2}
      - {to: closed, label: "yes", probability: 0.8}
  - {id: closed, kind: terminator}
"""



def simulate(
    bp: Blueprint, cases: int, seed: int, batches: int = 20
) -> dict[str, dict[str, object]]:
    """Per step: visit counts per case, and per batch: waits and busy time."""
    rng = random.Random(seed)
    fg = flow_graph(bp)
    steps = fg.steps
    rate_s = (bp.arrivals.per_hour if bp.arrivals else 1.0) / 3600.0
    starts = fg.starts()
    env = simpy.Environment()
    resources = {sid: simpy.Resource(env, capacity=s.capacity)
                 for sid, s in steps.items() if s.capacity is not None}
    counts: dict[str, list[int]] = {sid: [] for sid in steps}
    waits: dict[str, list[tuple[float, float]]] = {sid: [] for sid in resources}
    busy: dict[str, float] = dict.fromkeys(resources, 0.0)
    horizon = cases / rate_s
    busy_by_batch: dict[str, list[float]] = {sid: [0.0] * batches for sid in resources}
    leads: list[tuple[float, float]] = []

    def next_step(sid: str) -> str | None:
        flows = fg.flows.get(sid, [])
        if not flows:
            return None
        probs = [f.probability for f in flows]
        if any(p is None for p in probs):
            return rng.choice(flows).target
        x = rng.random()
        acc = 0.0
        for f in flows:
            acc += float(f.probability or 0.0)
            if x < acc:
                return f.target
        return flows[-1].target

    def case(start: str, record: bool):  # type: ignore[no-untyped-def]
        seen = dict.fromkeys(steps, 0)
        sid: str | None = start
        entered = env.now
        while sid is not None:
            seen[sid] += 1
            step = steps[sid]
            if step.wait:  # delay not caused by the step's capacity
                yield env.timeout(step.wait.total_seconds())
            if sid not in resources and step.duration and step.kind != "terminator":
                yield env.timeout(rng.expovariate(1.0 / step.duration.total_seconds()))
            if sid in resources:
                step = steps[sid]
                mean = step.duration.total_seconds() if step.duration else 0.0
                t0 = env.now
                with resources[sid].request() as req:
                    yield req
                    waits[sid].append((t0, env.now - t0))
                    service = rng.expovariate(1.0 / mean) if mean > 0 else 0.0
                    start_t = env.now
                    yield env.timeout(service)
                    # busy time, split over the time batches it falls in
                    a, b = start_t, env.now
                    while a < b and a < horizon:
                        k = min(int(a / horizon * batches), batches - 1)
                        end = min(b, (k + 1) * horizon / batches)
                        busy_by_batch[sid][k] += end - a
                        a = end
            sid = next_step(sid)
        if record:
            for k, n in seen.items():
                counts[k].append(n)
            leads.append((entered, env.now - entered))

    def source():  # type: ignore[no-untyped-def]
        for i in range(cases):
            yield env.timeout(rng.expovariate(rate_s))
            env.process(case(rng.choice(starts), record=True))
            del i

    env.process(source())
    env.run(until=horizon)
    waits_upto = {sid: list(w) for sid, w in waits.items()}  # the statistics up to the horizon
    env.run()  # then let every case end, for its lead time
    result: dict[str, dict[str, object]] = {}
    width = horizon / batches
    for sid in steps:
        entry: dict[str, object] = {"counts": counts[sid]}
        if sid in resources:
            cap = steps[sid].capacity or 1
            entry["util"] = [b / (width * cap) for b in busy_by_batch[sid]]
            per_batch: list[list[float]] = [[] for _ in range(batches)]
            for t0, w in waits_upto[sid]:
                per_batch[min(int(t0 / width), batches - 1)].append(w)
            entry["wait"] = [fmean(x) if x else 0.0 for x in per_batch]
        result[sid] = entry
    per_batch_lead: list[list[float]] = [[] for _ in range(batches)]
    for t0, lead in leads:
        per_batch_lead[min(int(t0 / width), batches - 1)].append(lead)
    result["__lead__"] = {"lead": [fmean(x) for x in per_batch_lead if x]}
    del busy
    return result


def mean_se(xs: list[float]) -> tuple[float, float]:
    return fmean(xs), stdev(xs) / math.sqrt(len(xs))


def check_lead_time(computed: float | None, batches: list[float]) -> tuple[float, float]:
    """The simulated mean lead time and its 95 % CI half-width; the computed one inside."""
    m, se = mean_se(batches)
    half = float(student_t.ppf(0.975, len(batches) - 1)) * se
    assert computed is not None
    assert abs(m - computed) <= half, (computed, m, half)
    return m, half


def compare(bp: Blueprint, cases: int, seed: int) -> None:
    a = analyze(bp)
    sim = simulate(bp, cases, seed)
    rows = {r.id: r for r in a.steps}
    lead_batches = sim.pop("__lead__")["lead"][1:]  # type: ignore[index]  # no warm-up
    check_lead_time(a.summary.lead_time_s, lead_batches)
    for sid, entry in sim.items():
        counts = [float(c) for c in entry["counts"]]  # type: ignore[union-attr]
        m, se = mean_se(counts)
        assert abs(m - rows[sid].visits) <= 4 * se + 1e-3, (sid, m, rows[sid].visits, se)
        if "util" in entry:
            # skip the first batch (warm-up from an empty system)
            util = entry["util"][1:]  # type: ignore[index]
            m, se = mean_se(util)
            expected = rows[sid].utilisation
            assert expected is not None
            assert abs(m - expected) <= 4 * se + 0.01, (sid, m, expected, se)
            w = entry["wait"][1:]  # type: ignore[index]
            m, se = mean_se(w)
            expected_w = rows[sid].queue_wait_s
            assert expected_w is not None
            pt = rows[sid].process_time_s or 1.0
            assert abs(m - expected_w) <= 4 * se + 0.01 * pt, (sid, m, expected_w, se)


def test_rework_map_agrees_with_simulation() -> None:
    bp = servicemap.loads(REWORK)
    a = analyze(bp)
    fix = next(r for r in a.steps if r.id == "fix")
    assert fix.visits == pytest.approx(1.25)
    assert fix.utilisation == pytest.approx(6 * 1.25 * (10 / 60) / 2)  # 0.625
    compare(bp, cases=12_000, seed=1)


def test_example_map_agrees_with_simulation() -> None:
    path = ROOT / "examples" / "next_day_delivery_current.yaml"
    if not path.exists():
        pytest.skip("example not present")
    compare(servicemap.load(path), cases=8_000, seed=2)


def test_queue_aware_lead_time_agrees_with_simulation() -> None:
    """The worked example: 18.5 min without queues; 36.8 min with them, as simulated.

    By hand: record (M/M/2, λ = 12/h, μ = 15/h, a = 0.8): Erlang C = 0.2286,
    Wq = 0.2286 / (30 - 12) h = 45.7 s; solve (M/M/3, λ = 15/h, μ = 6/h, a = 2.5):
    C = 0.7022, Wq = 0.7022 / 3 h = 14.04 min, run 1.25 times. Lead time =
    2 (wait) + 0.762 + 4 + 1.25 · (14.04 + 10) = 36.82 min.
    """
    bp = servicemap.loads(WORKED)
    lead = analyze(bp).summary.lead_time_s
    assert lead is not None
    assert lead / 60 == pytest.approx(2 + 0.228571 / 18 * 60 + 4 + 1.25 * (0.702247 / 3 * 60 + 10),
                                      rel=1e-5)
    sim = simulate(bp, cases=60_000, seed=3, batches=40)
    simulated, half = check_lead_time(lead, sim["__lead__"]["lead"][1:])  # type: ignore[index]
    assert half < 0.1 * lead  # a CI narrow enough to tell 18.5 min from 36.8 min
    assert not abs(simulated - 18.5 * 60) <= half
