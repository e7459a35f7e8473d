"""The shortcuts taken on large maps give what the plain, step-by-step way gives.

Random maps, valid and broken (duplicate ids, connectors, unknown targets,
decisions with missing, partial or bad probabilities and labels), compared
with a plain search, with the rules' per-decision code path, with the
networkx route of compilation and with the scalar queueing formula.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicemap.analysis import compile_chain
from servicemap.analysis.bottlenecks import queue_waits_of
from servicemap.analysis.chain import compile_blueprint
from servicemap.analysis.flow import solve_flow
from servicemap.analysis.queues import mmc_wait
from servicemap.analysis.times import step_process_times
from servicemap.flow.graph import FlowGraph, flow_graph
from servicemap.flow.networkx import to_networkx
from servicemap.model import Blueprint
from servicemap.rules import (
    branch_label,
    branch_probability,
    decision_branches,
    duplicate_flow,
)
from servicemap.rules.base import Branches, Context

_IDS = [f"s{i}" for i in range(6)]
# In [0, 1]: the model refuses others (values.parse_probability).
_PROBABILITIES = [0.5, 0.3, 0.7, 0.2, 1.0, 0.0, 1e-12, 0.1, 0.9, 1 / 3]


@st.composite
def any_maps(draw: st.DrawFn) -> Blueprint:
    """Maps of up to eight steps in any order, many of them broken somehow."""
    ids = draw(st.lists(st.sampled_from(_IDS), min_size=2, max_size=8))
    target = st.sampled_from([*_IDS[:4], "nowhere"])
    # Probabilities on no branch, on all (often summing to 1 per decision), or on some.
    given = draw(st.sampled_from(["none", "all", "some"]))
    steps: list[dict[str, Any]] = []
    for sid in ids:
        kind = draw(st.sampled_from(["task", "decision", "decision", "terminator", "connector"]))
        step: dict[str, Any] = {"id": sid, "kind": kind}
        if kind == "connector":
            step["label"] = draw(st.sampled_from(["X", "Y"]))
        if kind == "decision":
            size = draw(st.sampled_from([0, 1, 2, 2, 2, 3]))
            if given == "all" and draw(st.booleans()):
                first = draw(st.sampled_from([0.5, 0.25, 0.1, 0.9, 1 / 3, 1.0]))
                probabilities: list[float | None] = [first, 1.0 - first, 0.0][:size]
            else:
                probabilities = [
                    None if given == "none" or (given == "some" and draw(st.booleans()))
                    else draw(st.sampled_from(_PROBABILITIES)) for _ in range(size)]
            branches = []
            for probability in probabilities:
                branch: dict[str, Any] = {"to": draw(target)}
                label = draw(st.sampled_from([None, "yes", "no", " "]))
                if label is not None:
                    branch["label"] = label
                if probability is not None:
                    branch["probability"] = probability
                branch["failure"] = draw(st.booleans())
                branches.append(branch)
            step["next"] = branches
        else:
            step["next"] = draw(st.lists(target, max_size=2))
        steps.append(step)
    return Blueprint.model_validate({"name": "any", "steps": steps},
                                    context={"defer_references": True})


@st.composite
def flowing_maps(draw: st.DrawFn) -> Blueprint:
    """Valid maps: a chain of tasks with decisions that rework, split or merge, some
    through connectors, some without probabilities."""
    n = draw(st.integers(1, 8))
    steps: list[dict[str, Any]] = [{"id": "start", "kind": "terminator", "next": "t0"}]
    for k in range(n):
        after = f"t{k + 1}" if k + 1 < n else "end"
        task: dict[str, Any] = {"id": f"t{k}", "kind": "task", "next": f"d{k}",
                                "lane": draw(st.sampled_from(["a", "b"]))}
        if draw(st.booleans()):
            task["duration"] = f"{draw(st.integers(0, 30))}m"
            task["capacity"] = draw(st.integers(1, 3))
        steps.append(task)
        style = draw(st.integers(0, 3))
        if style == 0:  # rework with probabilities
            p = draw(st.sampled_from([0.1, 0.25]))
            branches = [{"to": f"t{k}", "label": "again", "probability": p, "failure": True},
                        {"to": after, "label": "on", "probability": 1 - p}]
        elif style == 1:  # rework without probabilities (split evenly)
            branches = [{"to": f"t{k}", "label": "again"}, {"to": after, "label": "on"}]
        elif style == 2:  # two branches to one step (merged) and one through connectors
            branches = [{"to": after, "label": "x", "probability": 0.5},
                        {"to": after, "label": "y", "probability": 0.3},
                        {"to": f"c{k}", "label": "z", "probability": 0.2}]
            steps += [{"id": f"c{k}", "kind": "connector", "label": f"L{k}"},
                      {"id": f"c{k}x", "kind": "connector", "label": f"L{k}", "next": after}]
        else:  # a step that names two next steps (an implicit split)
            steps.append({"id": f"d{k}", "kind": "task", "next": [after, f"t{k}"]})
            continue
        steps.append({"id": f"d{k}", "kind": "decision", "next": branches})
    steps.append({"id": "end", "kind": "terminator"})
    if draw(st.booleans()):
        steps.reverse()  # not in flow order
    return Blueprint.model_validate({
        "name": "flowing", "arrivals": "20/h",
        "lanes": [{"id": "a", "layer": "customer"}, {"id": "b", "layer": "backstage"}],
        "steps": steps})


def _plain_reachable(g: FlowGraph, sources: list[str], reverse: bool) -> set[str]:
    adj = g.pred if reverse else g.succ
    seen = set(sources)
    stack = list(sources)
    while stack:
        for nxt in adj[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


@settings(max_examples=150, deadline=None)
@given(st.one_of(any_maps(), flowing_maps()))
def test_reachable_agrees_with_a_plain_search(bp: Blueprint) -> None:
    g = flow_graph(bp)
    for sources in (g.starts(), g.ends(), list(g.steps)[:1], list(g.steps)[-1:]):
        for reverse in (False, True):
            assert g.reachable(sources, reverse=reverse) == _plain_reachable(g, sources, reverse)


def test_reachable_from_an_unknown_step_fails_as_before() -> None:
    g = flow_graph(Blueprint.model_validate({"name": "m", "steps": [
        {"id": "s", "kind": "terminator", "next": "e"}, {"id": "e", "kind": "terminator"}]}))
    with pytest.raises(KeyError):
        g.reachable(["nowhere"])


class _SlowContext(Context):
    """A context whose branch table fails every all-at-once test, so that the rules
    look at each decision on its own."""

    @property
    def branches(self) -> Branches:  # type: ignore[override]
        return Branches(count=[0], decision=[0, 0], to=["x", "x"], label=[None, None],
                        probability=[None, 0.5])


@settings(max_examples=500, deadline=None)
@given(st.one_of(any_maps(), flowing_maps()))
def test_branch_rules_find_what_the_per_decision_checks_find(bp: Blueprint) -> None:
    for rule in (duplicate_flow, decision_branches, branch_label, branch_probability):
        assert list(rule.check(Context(bp))) == list(rule.check(_SlowContext(bp))), rule.ID


@settings(max_examples=100, deadline=None)
@given(flowing_maps())
def test_compile_from_blueprint_equals_networkx_route_exactly(bp: Blueprint) -> None:
    a = compile_blueprint(bp)
    b = compile_chain(to_networkx(bp))
    assert a.nodes == b.nodes and a.kind == b.kind and a.label == b.label
    assert a.even_split == b.even_split and a.edge_label == b.edge_label
    for name in ("src", "dst", "prob", "failure", "in_degree", "out_degree", "start",
                 "absorbing", "end", "success", "terminator", "delay", "duration", "wait",
                 "accuracy", "capacity", "cost", "recovery"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


@settings(max_examples=100, deadline=None)
@given(flowing_maps(), st.floats(0.5, 500.0))
def test_queue_waits_equal_the_scalar_formula(bp: Blueprint, arrivals: float) -> None:
    chain = compile_blueprint(bp)
    v = solve_flow(chain)
    pt = step_process_times(chain)
    waits = queue_waits_of(chain, v, arrivals)
    for i in range(chain.n):
        if math.isnan(chain.capacity[i]) or math.isnan(pt[i]):
            assert math.isnan(waits[i])
            continue
        rate = arrivals / 3600.0 * float(v[i])
        expected = 0.0 if rate == 0.0 or pt[i] == 0.0 else mmc_wait(
            rate, 1.0 / float(pt[i]), int(chain.capacity[i]))
        assert waits[i] == expected


def test_queue_waits_with_many_servers_equal_the_scalar_formula() -> None:
    steps: list[dict[str, Any]] = [{"id": "s", "kind": "terminator", "next": "t0"}]
    servers = [1, 2, 255, 256, 257, 1000]
    for k, c in enumerate(servers):
        steps.append({"id": f"t{k}", "kind": "task", "duration": f"{c * 2}m", "capacity": c,
                      "next": f"t{k + 1}" if k + 1 < len(servers) else "e"})
    steps.append({"id": "e", "kind": "terminator"})
    chain = compile_blueprint(Blueprint.model_validate({"name": "m", "steps": steps}))
    v = solve_flow(chain)
    for arrivals in (0.0, 10.0, 29.9, 30.0, 45.0):
        waits = queue_waits_of(chain, v, arrivals)
        for k, c in enumerate(servers, start=1):
            pt = c * 120.0
            rate = arrivals / 3600.0 * float(v[k])
            expected = 0.0 if rate == 0.0 else mmc_wait(rate, 1.0 / pt, c)
            assert waits[k] == expected, (arrivals, c)


@st.composite
def edge_lists(draw: st.DrawFn) -> tuple[int, list[int], list[int], list[float], list[int]]:
    """Moves of up to ten steps grouped by source (any order within), some starts."""
    n = draw(st.integers(1, 10))
    src: list[int] = []
    dst: list[int] = []
    prob: list[float] = []
    for u in range(n):
        targets = draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True))
        src += [u] * len(targets)
        dst += targets
        prob += [draw(st.sampled_from([0.5, 1.0, 0.0, 1e-12, 1e-9, 2e-9])) for _ in targets]
    starts = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
    return n, src, dst, prob, starts


def _plain_back_edges(n: int, src: list[int], dst: list[int], starts: list[int]) -> list[bool]:
    """Rework moves by a recursive depth-first search, starts first, then every step."""
    out: dict[int, list[int]] = {}
    for e, u in enumerate(src):
        out.setdefault(u, []).append(e)
    state = [0] * n
    back = [False] * len(src)

    def visit(u: int) -> None:
        state[u] = 1
        for e in out.get(u, []):
            if state[dst[e]] == 1:
                back[e] = True
            elif state[dst[e]] == 0:
                visit(dst[e])
        state[u] = 2

    for root in [*sorted(starts), *range(n)]:
        if not state[root]:
            visit(root)
    return back


@settings(max_examples=400, deadline=None)
@given(edge_lists())
def test_back_edges_and_trapped_steps_agree_with_plain_searches(
        moves: tuple[int, list[int], list[int], list[float], list[int]]) -> None:
    # back_edges searches in scipy where the starts reach every step, trapped
    # steps are one scipy search: both must equal the plain definitions.
    from types import SimpleNamespace

    from servicemap.analysis.chain import FlowChain
    from servicemap.analysis.yields import back_edges
    from servicemap.flow.markov import trapped_positions

    n, src, dst, prob, starts = moves
    start = np.zeros(n)
    start[starts] = 1.0 / len(starts)
    chain: Any = SimpleNamespace(
        n=n, src=np.array(src, dtype=np.int64), dst=np.array(dst, dtype=np.int64),
        prob=np.array(prob), start=start,
        out_degree=np.bincount(np.array(src, dtype=np.int64), minlength=n))
    assert back_edges(chain).tolist() == _plain_back_edges(n, src, dst, starts)
    assert FlowChain.trapped.func(chain) == trapped_positions(n, src, dst, prob)
