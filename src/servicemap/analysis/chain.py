"""The flow graph of a map compiled once into arrays: the Markov chain every analysis uses."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from ..graph import FlowGraph
    from ..model import Blueprint

__all__ = ["LAYER_ORDER", "FlowChain", "compile_blueprint", "compile_chain"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

LAYER_ORDER: dict[str, int] = {"customer": 0, "onstage": 1, "backstage": 2, "support": 3}
"""Blueprint layers, top to bottom, by position."""

_NAN = math.nan


def _per_hour(rate: object) -> float | None:
    if rate is None:
        return None
    if isinstance(rate, (int, float)):
        return float(rate)
    return float(getattr(rate, "per_hour"))  # noqa: B009 - a Rate, duck-typed


@dataclass(frozen=True, eq=False)
class FlowChain:
    """A map's flow as arrays indexed by step position (the order of ``G.nodes``).

    Missing data is ``nan`` in the float arrays. Edges are parallel arrays
    ``src``/``dst``/``prob``; ``prob`` is the probability that a case leaving
    ``src`` takes the edge (decision probabilities, else an even split; 1 for
    any other step).

    Attributes:
        nodes: Step ids.
        index: Position of each step id.
        kind: Kind of each step.
        label: Label of each step (the id where there is none).
        lane: Lane of each step, or ``None``.
        layers: Layer of each lane (``None`` where not given).
        src, dst, prob, failure: The edges, their probabilities and failure flags.
        edge_label: Branch label(s) of each edge, joined with ``/``, or ``None``.
        start: Start distribution (sums to 1 when the map has a start).
        absorbing: Steps without outgoing flow.
        end: Ends: terminators without outgoing flow.
        success: Ends whose outcome is success.
        terminator, delay: Masks of terminators and delays.
        duration, wait, accuracy, capacity, cost: Step data in seconds / plain numbers.
        fail: Declared fail point text, or ``None``.
        recovery: Service-recovery steps.
        in_degree, out_degree: Number of distinct flows in and out of each step.
        even_split: Decisions (ids) whose branches were split evenly.
        arrivals_per_h: Cases per hour entering the map, if the map says.
        notes: Things the compilation had to assume, for a person.
    """

    nodes: list[str]
    index: dict[str, int]
    kind: list[str]
    label: list[str]
    lane: list[str | None]
    layers: dict[str, str | None]
    src: IntArray
    dst: IntArray
    prob: FloatArray
    failure: BoolArray
    edge_label: list[str | None]
    start: FloatArray
    absorbing: BoolArray
    end: BoolArray
    success: BoolArray
    terminator: BoolArray
    delay: BoolArray
    duration: FloatArray
    wait: FloatArray
    accuracy: FloatArray
    capacity: FloatArray
    cost: FloatArray
    fail: list[str | None]
    recovery: BoolArray
    in_degree: IntArray
    out_degree: IntArray
    even_split: list[str]
    arrivals_per_h: float | None
    notes: list[str]

    @property
    def n(self) -> int:
        """Number of steps."""
        return len(self.nodes)

    def is_terminator(self) -> BoolArray:
        """Mask of terminators."""
        return self.terminator

    def is_delay(self) -> BoolArray:
        """Mask of delays."""
        return self.delay


def compile_chain(G: nx.DiGraph) -> FlowChain:
    """Compile the flow graph of a map (``Blueprint.to_networkx()``) into a :class:`FlowChain`.

    A decision's branches are taken with their ``probability``; a decision
    without probabilities (or with some missing) is split evenly over its
    branches, counting each branch label of a merged edge, and named in
    ``even_split``. A step of another kind with several flows (an error
    in a checked map) is split evenly too. Cases enter at the starts
    (terminators with no incoming flow) in proportion to their ``arrivals``;
    where no start gives arrivals, evenly. Where only some do and the map's
    ``arrivals`` exceed their sum, the rest is split evenly over the others;
    otherwise those others get no cases (and a note says so).

    Args:
        G: The flow graph, with the node, edge and graph attributes of
            ``Blueprint.to_networkx()``.

    Returns:
        The compiled chain.

    Notes:
        O(n + m) for n steps and m flows: one pass over nodes and one over edges.

    Example:
        >>> G = nx.DiGraph()
        >>> G.add_node("s", kind="terminator"); G.add_node("e", kind="terminator")
        >>> G.add_node("d", kind="decision")
        >>> G.add_edges_from([("s", "d"), ("d", "s2"), ("d", "e")])
        >>> G.nodes["s2"]["kind"] = "task"; G.add_edge("s2", "e")
        >>> c = compile_chain(G)
        >>> c.even_split, [float(p) for p in c.prob]
        (['d'], [1.0, 0.5, 0.5, 1.0])
    """
    nodes: list[str] = list(G.nodes)
    datas: list[dict[str, Any]] = [d for _, d in G.nodes(data=True)]
    columns = {
        key: [d.get(key) for d in datas]
        for key in ("kind", "label", "lane", "fail", "duration", "wait", "accuracy",
                    "capacity", "cost", "recovery", "outcome", "arrivals")
    }
    index = {node: i for i, node in enumerate(nodes)}
    out: list[list[tuple[int, float | None, bool, list[str]]]] = []
    for _u, nbrs in G.adjacency():
        row = []
        for v, d in nbrs.items():
            labels = d.get("labels")
            if labels is None:
                labels = [d["label"]] if d.get("label") is not None else []
            row.append((index[v], d.get("probability"), bool(d.get("failure", False)), labels))
        out.append(row)
    return _build(nodes, index, columns, out, G.graph.get("arrivals"), G.graph.get("lanes"))


def compile_blueprint(blueprint: Blueprint, flows: FlowGraph | None = None) -> FlowChain:
    """Compile a map straight from its models and resolved flow, without networkx.

    The same chain as ``compile_chain(blueprint.to_networkx())``, built several
    times faster (no per-node attribute dictionaries).

    Args:
        blueprint: The map.
        flows: Its resolved flow (``servicemap.graph.flow_graph``), if already built.

    Notes:
        O(n + m).

    Example:
        >>> from servicemap import loads
        >>> bp = loads('''
        ... name: t
        ... steps:
        ...   - {id: s, kind: terminator, next: d}
        ...   - id: d
        ...     kind: decision
        ...     next: [{to: e, label: "yes", probability: 0.9},
        ...            {to: e2, label: "no", probability: 0.1}]
        ...   - {id: e, kind: terminator}
        ...   - {id: e2, kind: terminator}
        ... ''')
        >>> c = compile_blueprint(bp)
        >>> c.nodes, [float(p) for p in c.prob], c.edge_label
        (['s', 'd', 'e', 'e2'], [1.0, 0.9, 0.1], [None, 'yes', 'no'])
    """
    from ..graph import flow_graph

    fg = flows if flows is not None else flow_graph(blueprint)
    nodes = list(fg.steps)
    steps = list(fg.steps.values())
    # Fields live in each model's __dict__ (pydantic v2); getattr with a default
    # would go through pydantic's __getattr__ for fields a kind lacks, 10x slower.
    # One pass per step, then transposed: each model's dict is visited once,
    # about twice as fast at 100k steps as one pass per field.
    keys = ("kind", "label", "lane", "fail", "duration", "wait", "accuracy",
            "capacity", "cost", "recovery", "outcome", "arrivals")
    rows = [[d.get(k) for k in keys] for d in (s.__dict__ for s in steps)]
    columns: dict[str, list[Any]] = {key: [] for key in keys}
    if rows:
        columns = {key: list(c) for key, c in zip(keys, zip(*rows, strict=True), strict=True)}
    index = {node: i for i, node in enumerate(nodes)}
    out: list[list[tuple[int, float | None, bool, list[str]]]] = []
    flows_of = fg.flows.get
    for node in nodes:
        mine = flows_of(node, ())
        if len(mine) == 1:  # the common case: nothing to merge
            f = mine[0]
            out.append([(index[f.target], f.probability, f.failure,
                         [f.label] if f.label is not None else [])])
            continue
        merged: dict[int, tuple[int, float | None, bool, list[str]]] = {}
        for f in mine:
            j = index[f.target]
            labels = [f.label] if f.label is not None else []
            old = merged.get(j)
            if old is None:
                merged[j] = (j, f.probability, f.failure, labels)
            else:
                p = None if old[1] is None or f.probability is None else old[1] + f.probability
                merged[j] = (j, p, old[2] or f.failure, old[3] + labels)
        out.append(list(merged.values()))
    lanes: dict[str, str | None] = {lane.id: lane.layer for lane in blueprint.lanes}
    return _build(nodes, index, columns, out, blueprint.arrivals, lanes)


def _floats(values: list[Any]) -> FloatArray:
    return np.array(
        [_NAN if x is None or isinstance(x, bool) else
         (x.total_seconds() if isinstance(x, timedelta) else float(x)) for x in values],
        dtype=np.float64,
    )


def _build(
    nodes: list[str],
    index: dict[str, int],
    columns: dict[str, list[Any]],
    out: list[list[tuple[int, float | None, bool, list[str]]]],
    map_arrivals: object,
    lanes_attr: dict[str, str | None] | None,
) -> FlowChain:
    n = len(nodes)
    kind: list[str] = [k or "task" for k in columns["kind"]]
    label: list[str] = [
        lab if lab is not None else str(node)
        for lab, node in zip(columns["label"], nodes, strict=True)
    ]
    arrivals = _floats([_per_hour(r) for r in columns["arrivals"]])

    src_l: list[int] = []
    dst_l: list[int] = []
    prob_l: list[float] = []
    fail_l: list[bool] = []
    elabel: list[str | None] = []
    even_split: list[str] = []
    out_degree = np.fromiter((len(row) for row in out), dtype=np.int64, count=n)
    for i, row in enumerate(out):
        if not row:
            continue
        if len(row) == 1 and kind[i] != "decision":
            j, _p, failure, labels = row[0]
            src_l.append(i)
            dst_l.append(j)
            prob_l.append(1.0)
            fail_l.append(failure)
            elabel.append("/".join(labels) if labels else None)
            continue
        given = all(p is not None for _j, p, _f, _l in row)
        total = sum(max(len(labels), 1) for _j, _p, _f, labels in row)
        for j, p, failure, labels in row:
            src_l.append(i)
            dst_l.append(j)
            prob_l.append(float(p) if given and p is not None else max(len(labels), 1) / total)
            fail_l.append(failure)
            elabel.append("/".join(labels) if labels else None)
        if not given:
            even_split.append(nodes[i])

    src = np.asarray(src_l, dtype=np.int64)
    dst = np.asarray(dst_l, dtype=np.int64)
    in_degree = np.bincount(dst, minlength=n).astype(np.int64)
    absorbing = out_degree == 0
    term = np.array([k == "terminator" for k in kind], dtype=bool)
    delay = np.array([k == "delay" for k in kind], dtype=bool)
    end = absorbing & term
    failure_outcome = np.array([o == "failure" for o in columns["outcome"]], dtype=bool)
    notes: list[str] = []
    map_rate = _per_hour(map_arrivals)
    is_start = term & (in_degree == 0)
    start = _start_distribution(nodes, is_start, arrivals, map_rate, notes)
    arrivals_per_h = map_rate
    if arrivals_per_h is None and not np.all(np.isnan(arrivals[is_start])):
        arrivals_per_h = float(np.nansum(arrivals[is_start]))
    return FlowChain(
        nodes=nodes,
        index=index,
        kind=kind,
        label=label,
        lane=list(columns["lane"]),
        layers=dict(lanes_attr or {}),
        src=src,
        dst=dst,
        prob=np.asarray(prob_l, dtype=np.float64),
        failure=np.asarray(fail_l, dtype=bool),
        edge_label=elabel,
        start=start,
        absorbing=absorbing,
        end=end,
        success=end & ~failure_outcome,
        terminator=term,
        delay=delay,
        duration=_floats(columns["duration"]),
        wait=_floats(columns["wait"]),
        accuracy=_floats(columns["accuracy"]),
        capacity=_floats(columns["capacity"]),
        cost=_floats(columns["cost"]),
        fail=list(columns["fail"]),
        recovery=np.array([bool(r) for r in columns["recovery"]], dtype=bool),
        in_degree=in_degree,
        out_degree=out_degree,
        even_split=even_split,
        arrivals_per_h=arrivals_per_h,
        notes=notes,
    )


def _start_distribution(
    nodes: list[str],
    is_start: BoolArray,
    arrivals: FloatArray,
    map_rate: float | None,
    notes: list[str],
) -> FloatArray:
    n = len(nodes)
    start = np.zeros(n)
    idx = np.flatnonzero(is_start)
    if idx.size == 0:
        return start
    rates = arrivals[idx]
    known = ~np.isnan(rates)
    if not known.any() or (float(np.nansum(rates)) <= 0.0 and known.all()):
        start[idx] = 1.0 / idx.size
        return start
    weights = np.where(known, rates, 0.0)
    if not known.all():
        rest = idx[~known]
        remainder = (map_rate or 0.0) - float(weights.sum())
        names = ", ".join(repr(nodes[i]) for i in rest)
        if remainder > 0:
            weights[~known] = remainder / rest.size
            notes.append(
                f"start(s) {names} have no arrivals: they share the rest of the map's arrivals"
            )
        else:
            notes.append(f"start(s) {names} have no arrivals while others do: no cases enter there")
    total = float(weights.sum())
    if total <= 0.0:
        start[idx] = 1.0 / idx.size
    else:
        start[idx] = weights / total
    return start
