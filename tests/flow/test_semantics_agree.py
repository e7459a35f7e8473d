"""SM501's pure-Python solver, the analysis and an independent dense solve agree on every map.

Generated maps have unlabelled and duplicate branches, branches through
connectors, decisions with and without probabilities, and one to three starts
with and without arrivals (and with or without the map's). For each, the
visits of rule SM501 (``flow.markov.visits``), of ``analyze`` (both ways of
compiling the chain) and of a dense solve of ``(I − P)ᵀ v = s`` — with ``P``
and ``s`` read off the map's YAML data by this test itself, straight from the
spec (analysis.md) — must agree, and so must SM501's utilisations and the
analysis'.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicemap.analysis import compile_chain, visits
from servicemap.analysis.engine import analyze_blueprint
from servicemap.flow import markov
from servicemap.flow.graph import flow_graph
from servicemap.flow.networkx import to_networkx
from servicemap.model import Blueprint
from servicemap.rules import overloaded
from servicemap.rules.base import Context

RTOL = 1e-9


@st.composite
def maps(draw: st.DrawFn) -> dict[str, Any]:
    """Map data: a chain of task → decision segments, each decision with a way on.

    Every decision has a branch to the next segment (directly or through a
    connector), so every step can reach the end; its other branches go back,
    forward, to the end, or again to where another branch goes.
    """
    n = draw(st.integers(1, 5))
    tasks = [f"t{k}" for k in range(n)]
    after = [*tasks[1:], "end"]
    steps: list[dict[str, Any]] = []
    for k in range(n):
        task: dict[str, Any] = {"id": tasks[k], "kind": "task", "next": f"d{k}"}
        if draw(st.booleans()):
            task["duration"] = f"{draw(st.integers(1, 20))}m"
            task["capacity"] = draw(st.integers(1, 4))
        steps.append(task)
        on = after[k]
        if draw(st.booleans()):  # the way on passes through a pair of connectors
            steps += [{"id": f"c{k}", "kind": "connector", "label": f"L{k}"},
                      {"id": f"x{k}", "kind": "connector", "label": f"L{k}", "next": on}]
            on = f"c{k}"
        others = draw(st.lists(st.sampled_from([*tasks, "end", on]), min_size=1, max_size=3))
        targets = draw(st.permutations([on, *others]))
        weights = draw(st.lists(st.integers(1, 5), min_size=len(targets),
                                max_size=len(targets)))
        with_probabilities = draw(st.booleans())
        branches = []
        for target, weight in zip(targets, weights, strict=True):
            branch: dict[str, Any] = {"to": target}
            label = draw(st.sampled_from([None, None, "yes", "no"]))  # unlabelled, or repeated
            if label is not None:
                branch["label"] = label
            if with_probabilities:
                branch["probability"] = weight / sum(weights)
            branches.append(branch)
        steps.append({"id": f"d{k}", "kind": "decision", "next": branches})
    starts = []
    for j in range(draw(st.integers(1, 3))):
        start: dict[str, Any] = {"id": f"s{j}", "kind": "terminator",
                                 "next": draw(st.sampled_from(tasks))}
        if draw(st.booleans()):
            start["arrivals"] = f"{draw(st.integers(0, 30))}/h"
        starts.append(start)
    data: dict[str, Any] = {"name": "generated",
                            "steps": [*starts, *steps, {"id": "end", "kind": "terminator"}]}
    if draw(st.booleans()):
        data["arrivals"] = f"{draw(st.integers(1, 60))}/h"
    return data


def _per_hour(text: str | None) -> float | None:
    return None if text is None else float(text.removesuffix("/h"))


def _dense_visits(data: dict[str, Any]) -> dict[str, float]:
    """Visits by the spec, read off the map data and solved densely: ``(I − P)ᵀ v = s``.

    Connectors pass a case on (to the next of the connector of the same label
    that has one). A decision sends a case down each branch with its
    probability, or 1/k for each of its k branches when it gives none; any
    other step passes it on. Starts share cases by their arrivals (evenly if
    none gives any); where only some give arrivals, the others share what the
    map's arrivals leave over.
    """
    steps = {s["id"]: s for s in data["steps"]}
    exits = {s["label"]: s["next"] for s in steps.values()
             if s["kind"] == "connector" and "next" in s}

    def arrive(name: str) -> str:
        while steps[name]["kind"] == "connector":
            name = exits[steps[name]["label"]]
        return name

    nodes = [i for i, s in steps.items() if s["kind"] != "connector"]
    pos = {node: i for i, node in enumerate(nodes)}
    P = np.zeros((len(nodes), len(nodes)))
    for node in nodes:
        step = steps[node]
        if step["kind"] == "decision":
            branches = step["next"]
            given = all("probability" in b for b in branches)
            for b in branches:
                p = b["probability"] if given else 1 / len(branches)
                P[pos[node], pos[arrive(b["to"])]] += p
        elif "next" in step:
            P[pos[node], pos[arrive(step["next"])]] = 1.0
    s = np.zeros(len(nodes))
    starts = [st_ for st_ in data["steps"] if st_["id"].startswith("s")]
    rates = [_per_hour(st_.get("arrivals")) for st_ in starts]
    known = [r for r in rates if r is not None]
    if not known or (len(known) == len(rates) and sum(known) == 0):
        weights = [1.0] * len(rates)
    else:
        rest = (_per_hour(data.get("arrivals")) or 0.0) - sum(known)
        missing = len(rates) - len(known)
        weights = [r if r is not None else max(rest, 0.0) / missing for r in rates]
        if sum(weights) == 0:
            weights = [1.0] * len(rates)
    for start, w in zip(starts, weights, strict=True):
        s[pos[start["id"]]] = w / sum(weights)
    v = np.linalg.solve((np.eye(len(nodes)) - P).T, s)
    return dict(zip(nodes, v.tolist(), strict=True))


def _assert_close(a: dict[str, float], b: dict[str, float]) -> None:
    assert set(a) == set(b)
    for step in a:
        assert a[step] == pytest.approx(b[step], rel=RTOL, abs=1e-12), step


@settings(max_examples=300, deadline=None)
@given(maps())
def test_sm501_analysis_and_a_dense_solve_agree_on_visits(data: dict[str, Any]) -> None:
    bp = Blueprint.model_validate(data)
    map_rate = bp.arrivals.per_hour if bp.arrivals else None
    independent = _dense_visits(data)

    pure = markov.visits(flow_graph(bp), map_rate=map_rate)  # what SM501 uses
    assert pure is not None
    _assert_close(pure, independent)

    analysis = analyze_blueprint(bp)
    _assert_close(dict(zip(analysis.table["id"], analysis.table["visits"], strict=True)),
                  independent)
    _assert_close(visits(to_networkx(bp)), independent)  # through networkx


@settings(max_examples=200, deadline=None)
@given(maps())
def test_sm501_and_analysis_agree_on_utilisation(data: dict[str, Any]) -> None:
    bp = Blueprint.model_validate(data)
    ours = overloaded.utilisations(Context(bp))
    rows = {b.step: b.utilisation for b in analyze_blueprint(bp).bottlenecks
            if b.utilisation is not None}
    assert set(ours) == set(rows)
    for step, rho in ours.items():
        assert rho == pytest.approx(rows[step], rel=RTOL), step


@settings(max_examples=200, deadline=None)
@given(maps())
def test_both_compilations_take_the_same_moves(data: dict[str, Any]) -> None:
    """compile_chain(to_networkx(bp)) and flow_graph + markov give one chain, even split
    decisions and start shares included."""
    bp = Blueprint.model_validate(data)
    g = flow_graph(bp)
    chain = compile_chain(to_networkx(bp))
    got = {(chain.nodes[i], chain.nodes[j]): p for i, j, p in
           zip(chain.src.tolist(), chain.dst.tolist(), chain.prob.tolist(), strict=True)}
    expected = {(a, b): p for a, out in markov.transitions(g).items() for b, p in out}
    assert got == expected
    assert chain.even_split == markov.flow_moves(g)[1]
    map_rate = bp.arrivals.per_hour if bp.arrivals else None
    shares = markov.start_distribution(g, map_rate)
    assert {chain.nodes[i]: float(chain.start[i]) for i in np.flatnonzero(chain.start)} == {
        s: p for s, p in shares.items() if p}
