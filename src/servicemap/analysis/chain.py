"""The flow graph of a map compiled once into arrays: the Markov chain every analysis uses."""

from __future__ import annotations

import itertools
import math
import operator
from dataclasses import dataclass
from datetime import timedelta
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from ..flow.graph import FlowGraph
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
    """Compile the flow graph of a map (:func:`servicemap.to_networkx`) into a :class:`FlowChain`.

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
            ``servicemap.to_networkx(blueprint)``.

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
    columns = {key: [d.get(key) for d in datas] for key in _KEYS}
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
    kind = [k or "task" for k in columns["kind"]]
    return _build(nodes, index, columns, kind, _edges_of_rows(nodes, kind, out),
                  G.graph.get("arrivals"), G.graph.get("lanes"))


def compile_blueprint(blueprint: Blueprint, flows: FlowGraph | None = None) -> FlowChain:
    """Compile a map straight from its models and resolved flow, without networkx.

    The same chain as ``compile_chain(to_networkx(blueprint))``, built several
    times faster (no per-node attribute dictionaries).

    Args:
        blueprint: The map.
        flows: Its resolved flow (``servicemap.flow.graph.flow_graph``), if already built.

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
    from ..flow.graph import flow_graph

    fg = flows if flows is not None else flow_graph(blueprint)
    nodes = list(fg.steps)
    index = dict(zip(nodes, range(len(nodes)), strict=True))
    columns = _step_columns(list(fg.steps.values()))
    kind: list[str] = [k or "task" for k in columns["kind"]]
    lanes: dict[str, str | None] = {lane.id: lane.layer for lane in blueprint.lanes}
    return _build(nodes, index, columns, kind, _edges_of_flows(fg, nodes, index, kind),
                  blueprint.arrivals, lanes)


_KEYS = ("kind", "label", "lane", "fail", "duration", "wait", "accuracy", "capacity", "cost",
         "recovery", "outcome", "arrivals")
_COMMON = _KEYS[:10]  # fields of every step kind; only terminators have the last two


def _step_columns(steps: list[Any]) -> dict[str, list[Any]]:
    """The step data of :data:`_KEYS` by column, as ``d.get(key)`` of each model's fields."""
    # Fields live in each model's __dict__ (pydantic v2); getattr with a default
    # would go through pydantic's __getattr__ for fields a kind lacks, 10x slower.
    dicts: list[dict[str, Any]] = list(map(vars, steps))
    try:  # one C-level lookup of all common fields per step, then transposed
        rows: list[tuple[Any, ...]] = list(map(itemgetter(*_COMMON), dicts))
    except KeyError:  # a model without some field (not validated): look up one by one
        rows = [tuple(d.get(k) for k in _COMMON) for d in dicts]
    columns: dict[str, list[Any]] = {key: [] for key in _KEYS}
    if rows:
        columns.update(zip(_COMMON, map(list, zip(*rows, strict=True)), strict=True))
    terminators = [i for i, k in enumerate(columns["kind"]) if k == "terminator"]
    for key in _KEYS[len(_COMMON):]:  # fields of terminators only
        values: list[Any] = [None] * len(dicts)
        for i in terminators:
            values[i] = dicts[i].get(key)
        columns[key] = values
    return columns


@dataclass(frozen=True)
class _Edges:
    src: IntArray
    dst: IntArray
    prob: FloatArray
    failure: BoolArray
    label: list[str | None]
    even_split: list[str]
    out_degree: IntArray


def _edges_of_rows(
    nodes: list[str], kind: list[str], out: list[list[tuple[int, float | None, bool, list[str]]]]
) -> _Edges:
    """Edges from each step's merged flows ``(target, probability, failure, labels)``."""
    n = len(nodes)
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
    return _Edges(np.asarray(src_l, dtype=np.int64), np.asarray(dst_l, dtype=np.int64),
                  np.asarray(prob_l, dtype=np.float64), np.asarray(fail_l, dtype=bool),
                  elabel, even_split, out_degree)


def _edges_of_flows(fg: FlowGraph, nodes: list[str], index: dict[str, int],
                    kind: list[str]) -> _Edges:
    """The edges of :func:`_edges_of_rows` straight from a resolved flow, mostly vectorised.

    A step other than a decision has plain flows (no label, probability or
    failure), so its merged flows are its distinct next steps (``succ``); with
    one next step, the common case, its edge has probability 1. A decision
    whose branches all give a probability and lead to distinct steps has one
    edge per branch, as given. Those two cases are done for all steps at once;
    the others (merged branches, even splits) go through :func:`_edges_of_rows`.
    The edges are then put back in step order (and branch order within a step).
    """
    n = len(nodes)
    # flow_graph fills succ and flows in node order: then take their values as they are.
    succ = fg.succ
    outs = list(succ.values()) if list(succ) == nodes else list(map(succ.__getitem__, nodes))
    degree = np.fromiter(map(len, outs), dtype=np.int64, count=n)
    decision = _equals(kind, "decision")
    simple = np.flatnonzero((degree == 1) & ~decision)
    simple_dst = np.fromiter(
        map(index.__getitem__, map(itemgetter(0), map(outs.__getitem__, simple.tolist()))),
        dtype=np.int64, count=simple.size)

    # Decisions: all their branches, flat, in order, with the step each arrives at.
    dec = np.flatnonzero(decision & (degree > 0))
    steps = list(fg.steps.values())
    branch_lists = list(map(attrgetter("next"), map(steps.__getitem__, dec.tolist())))
    raw_count = np.fromiter(map(len, branch_lists), dtype=np.int64, count=dec.size)
    fields = list(map(attrgetter("to", "label", "probability", "failure"),
                      itertools.chain.from_iterable(branch_lists)))
    at: list[int | None] = list(map(index.get, map(itemgetter(0), fields)))
    if None in at:  # connectors (or unknown ids): where they lead, if anywhere
        for k in [k for k, j in enumerate(at) if j is None]:
            arrives = fg.target(fields[k][0])[0]
            at[k] = None if arrives is None else index[arrives]
    group = np.repeat(np.arange(dec.size), raw_count)
    kept = np.array([j is not None for j in at], dtype=bool)
    if not kept.all():
        group = group[kept]
        fields = list(itertools.compress(fields, kept.tolist()))
        at = list(itertools.compress(at, kept.tolist()))
    counts = np.bincount(group, minlength=dec.size)
    probs = list(map(itemgetter(2), fields))
    missing = np.array([p is None for p in probs], dtype=bool)
    as_given = (counts == degree[dec]) & ~(np.bincount(group, weights=missing,
                                                       minlength=dec.size) > 0)
    take = as_given[group]
    dec_src = dec[group][take]
    dec_dst = np.array(at, dtype=np.int64)[take]
    dec_prob = np.array([1.0 if p is None else p for p in probs], dtype=np.float64)[take]
    dec_fail = np.array(list(map(itemgetter(3), fields)), dtype=bool)[take]
    dec_label = np.array(list(map(itemgetter(1), fields)), dtype=object)[take]

    # The rest, merged flow by flow.
    rest = np.flatnonzero((degree > 1) & ~decision).tolist()
    rest = sorted(rest + dec[~as_given].tolist())
    is_decision = decision.tolist()
    starts = np.concatenate([[0], np.cumsum(counts)]).tolist()
    position = {d: k for k, d in enumerate(dec.tolist())}
    rows: list[list[tuple[int, float | None, bool, list[str]]]] = []
    for i in rest:
        if not is_decision[i]:  # plain flows to several steps (an implicit split)
            rows.append([(index[t], None, False, []) for t in outs[i]])
            continue
        merged: dict[int, tuple[int, float | None, bool, list[str]]] = {}
        k = position[i]
        for j, (_to, label, p, failure) in zip(at[starts[k]:starts[k + 1]],
                                                fields[starts[k]:starts[k + 1]], strict=True):
            assert j is not None
            labels = [label] if label is not None else []
            old = merged.get(j)
            if old is None:
                merged[j] = (j, p, failure, labels)
            else:
                q = None if old[1] is None or p is None else old[1] + p
                merged[j] = (j, q, old[2] or failure, old[3] + labels)
        rows.append(list(merged.values()))
    sub = _edges_of_rows([nodes[i] for i in rest], [kind[i] for i in rest], rows)

    src = np.concatenate([simple, dec_src, np.asarray(rest, dtype=np.int64)[sub.src]])
    order = np.argsort(src, kind="stable")
    edge_labels = np.empty(src.size, dtype=object)  # None: the simple edges have no label
    edge_labels[simple.size:simple.size + dec_src.size] = dec_label
    edge_labels[simple.size + dec_src.size:] = np.array(sub.label, dtype=object)
    return _Edges(
        src[order],
        np.concatenate([simple_dst, dec_dst, sub.dst])[order],
        np.concatenate([np.ones(simple.size), dec_prob, sub.prob])[order],
        np.concatenate([np.zeros(simple.size, dtype=bool), dec_fail, sub.failure])[order],
        edge_labels[order].tolist(),
        sub.even_split,
        degree,
    )


def floats_or_none(values: FloatArray, known: BoolArray) -> list[float | None]:
    """``values`` as a list of floats, ``None`` where not ``known``.

    >>> floats_or_none(np.array([1.5, np.nan]), np.array([True, False]))
    [1.5, None]
    """
    out = values.astype(object)
    out[~known] = None
    return list(out.tolist())


def _equals(values: list[Any], value: object) -> BoolArray:
    """Mask of ``x == value`` for each ``x`` in ``values``."""
    return np.fromiter(map(operator.eq, values, itertools.repeat(value)), dtype=bool,
                       count=len(values))


def _floats(values: list[Any]) -> FloatArray:
    types = set(map(type, values))
    if types <= {float, int, type(None)}:  # (not bool: its type is not int)
        return np.array(values, dtype=np.float64)  # None -> nan
    if types <= {timedelta, type(None)}:
        return np.array([_NAN if x is None else x.total_seconds() for x in values],
                        dtype=np.float64)
    return np.array(
        [_NAN if x is None or isinstance(x, bool) else
         (x.total_seconds() if isinstance(x, timedelta) else float(x)) for x in values],
        dtype=np.float64,
    )


def _build(
    nodes: list[str],
    index: dict[str, int],
    columns: dict[str, list[Any]],
    kind: list[str],
    edges: _Edges,
    map_arrivals: object,
    lanes_attr: dict[str, str | None] | None,
) -> FlowChain:
    n = len(nodes)
    label: list[str] = [
        lab if lab is not None else str(node)
        for lab, node in zip(columns["label"], nodes, strict=True)
    ]
    arrivals = np.full(n, _NAN)
    for i, r in enumerate(columns["arrivals"]):
        if r is not None:
            arrivals[i] = _per_hour(r)

    src, dst = edges.src, edges.dst
    out_degree = edges.out_degree
    in_degree = np.bincount(dst, minlength=n).astype(np.int64)
    absorbing = out_degree == 0
    term = _equals(kind, "terminator")
    delay = _equals(kind, "delay")
    end = absorbing & term
    failure_outcome = _equals(columns["outcome"], "failure")
    notes: list[str] = []
    map_rate = _per_hour(map_arrivals)
    is_start = term & (in_degree == 0)
    start = _start_distribution(nodes, is_start, arrivals, map_rate, notes)
    arrivals_per_h = map_rate
    if arrivals_per_h is None and not np.all(np.isnan(arrivals[is_start])):
        arrivals_per_h = float(np.nansum(arrivals[is_start]))
    recovery = columns["recovery"]
    return FlowChain(
        nodes=nodes,
        index=index,
        kind=kind,
        label=label,
        lane=list(columns["lane"]),
        layers=dict(lanes_attr or {}),
        src=src,
        dst=dst,
        prob=edges.prob,
        failure=edges.failure,
        edge_label=edges.label,
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
        recovery=(np.array(recovery, dtype=bool) if set(map(type, recovery)) <= {bool}
                  else np.array([bool(r) for r in recovery], dtype=bool)),
        in_degree=in_degree,
        out_degree=out_degree,
        even_split=edges.even_split,
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
