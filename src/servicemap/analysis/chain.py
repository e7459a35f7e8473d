"""The flow of a map compiled once into arrays: the Markov chain every analysis uses.

How a case moves (probabilities, even splits, start shares, arrivals, loops
with no way out) is defined in :mod:`servicemap.flow.markov`; this module only
puts its answers into numpy arrays.
"""

from __future__ import annotations

import itertools
import math
import operator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import cached_property
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from ..flow import markov
from ..flow.parallel import ParallelStructure, parallel_structure
from ..model import LAYERS, Decision
from ..values import default_cv

if TYPE_CHECKING:
    from ..flow.graph import FlowGraph
    from ..model import Blueprint

__all__ = [
    "LAYER_ORDER",
    "BoolArray",
    "FloatArray",
    "FlowChain",
    "IntArray",
    "compile_blueprint",
    "compile_chain",
    "floats_or_none",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

LAYER_ORDER: dict[str, int] = {layer: k for k, layer in enumerate(LAYERS)}
"""Blueprint layers, top to bottom, by position (:data:`servicemap.model.LAYERS`)."""

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
    ``src``/``dst``/``prob``: the moves of :func:`servicemap.flow.markov.moves`,
    ``prob`` being the probability that a case leaving ``src`` takes the edge.

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
        duration, wait, accuracy, capacity, cost: Step data in seconds / plain numbers
            (a capacity beyond the float range is ``inf``).
        servers: Each step's capacity as the whole number given (``None`` without one):
            the server count of its queue, exact however large.
        fail: Declared fail point text, or ``None``.
        recovery: Service-recovery steps.
        in_degree, out_degree: Number of distinct flows in and out of each step.
        even_split: Steps (ids) whose flow was split evenly: decisions without
            complete probabilities, and other steps with several next steps.
        arrivals_per_h: Cases per hour entering the map, if the map says.
        notes: Things the compilation had to assume, for a person.
        service_cv: Coefficient of variation of each step's duration
            (``step.duration_cv``: its ``cv``, else its distribution's, else 1).
        exponential: Steps whose duration is exponential (no ``distribution``
            or ``exponential``, and cv 1).
        distribution: Each step's ``distribution`` (``None`` where not given).
        structure: The forks, joins and branches of the map's parallel work
            (:func:`servicemap.flow.parallel.parallel_structure`), where the map has
            parallel steps and was compiled from its flow graph; ``None`` otherwise.
        arrivals_scv: Squared coefficient of variation of the external arrivals
            at each start (``nan`` at other steps): a start's own
            ``arrivals_cv``, else the map's, else 1. Where no start gives its
            own, the map's one stream is split over the starts by their shares
            ``s``, so a start sees ``s·cv² + 1 − s`` (random splitting of a
            renewal stream, Whitt 1983), as the simulation draws it.
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
    servers: list[int | None]
    cost: FloatArray
    fail: list[str | None]
    recovery: BoolArray
    in_degree: IntArray
    out_degree: IntArray
    even_split: list[str]
    arrivals_per_h: float | None
    notes: list[str] = field(default_factory=list)
    service_cv: FloatArray = field(default_factory=lambda: np.zeros(0))
    exponential: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    arrivals_scv: FloatArray = field(default_factory=lambda: np.zeros(0))
    distribution: list[str | None] = field(default_factory=list)
    structure: ParallelStructure | None = None

    @property
    def n(self) -> int:
        """Number of steps."""
        return len(self.nodes)

    @cached_property
    def first_edge(self) -> list[int]:
        """Position of each step's first edge (edges are grouped by source, in step order);
        ``first_edge[i + 1]`` ends step *i*'s. O(n), computed once."""
        first: list[int] = np.concatenate([[0], np.cumsum(self.out_degree)]).tolist()
        return first

    @cached_property
    def trapped(self) -> list[int]:
        """Positions of the steps cases cannot leave (a loop with no way out).

        See :func:`servicemap.flow.markov.trapped_positions` (the definition; the
        same steps, tested): here one breadth-first search in scipy, backwards
        from the steps without moves over the moves more likely than
        :data:`~servicemap.flow.markov.NEGLIGIBLE`. O(n + m), computed once.
        """
        n = self.n
        stops = np.flatnonzero(self.out_degree == 0)
        way = self.prob > markov.NEGLIGIBLE
        # Reversed moves, and a super-node n leading to every step without moves.
        rows = np.concatenate([self.dst[way], np.full(stops.size, n)])
        cols = np.concatenate([self.src[way], stops])
        graph = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n + 1, n + 1))
        alive = np.zeros(n + 1, dtype=bool)
        alive[breadth_first_order(graph, n, directed=True, return_predecessors=False)] = True
        trapped: list[int] = np.flatnonzero(~alive[:n]).tolist()
        return trapped


Marks = dict[Any, tuple[bool, list[str]]]
"""A step's failure flag and branch labels by the step its flow lines arrive at."""


@dataclass(frozen=True)
class _Edges:
    src: IntArray
    dst: IntArray
    prob: FloatArray
    failure: BoolArray
    label: list[str | None]
    out_degree: IntArray
    even_split: list[str]


def _edges(index: dict[Any, int], moves: list[list[tuple[Any, float]]],
           even_split: list[str]) -> _Edges:
    """The moves of each step as flat edge arrays, without failure flags and labels yet.

    Notes:
        O(n + m).
    """
    n = len(moves)
    out_degree = np.fromiter(map(len, moves), dtype=np.int64, count=n)
    m = int(out_degree.sum())
    flat = itertools.chain.from_iterable(moves)
    targets, probabilities = zip(*flat, strict=True) if m else ((), ())
    return _Edges(
        src=np.repeat(np.arange(n, dtype=np.int64), out_degree),
        dst=np.fromiter(map(index.__getitem__, targets), dtype=np.int64, count=m),
        prob=np.array(probabilities, dtype=np.float64),
        failure=np.zeros(m, dtype=bool),
        label=[None] * m,
        out_degree=out_degree,
        even_split=even_split,
    )


def _mark(edges: _Edges, first: int, targets: list[Any], marks: Marks) -> None:
    """Set the failure flag and labels of one step's edges (from edge ``first`` on)."""
    for k, t in enumerate(targets, start=first):
        edges.failure[k], labels = marks[t]
        edges.label[k] = "/".join(labels) if labels else None


def _offsets(edges: _Edges) -> list[int]:
    """Position of each step's first edge."""
    first: list[int] = np.concatenate([[0], np.cumsum(edges.out_degree)]).tolist()
    return first


def compile_chain(G: nx.DiGraph) -> FlowChain:
    """Compile the flow graph of a map (:func:`servicemap.to_networkx`) into a :class:`FlowChain`.

    Each step's edges are taken as its flow lines for
    :func:`servicemap.flow.markov.moves`: an edge stands for ``branches``
    branches (default: its number of ``labels``, at least one) and carries
    their summed ``probability``. The starts (terminators with no incoming
    flow) share the cases by :func:`servicemap.flow.markov.start_shares`.

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
    kind = [k or "task" for k in columns["kind"]]
    all_moves: list[list[tuple[Any, float]]] = []
    marks: dict[int, Marks] = {}
    even_split: list[str] = []
    for i, (u, nbrs) in enumerate(G.adjacency()):
        targets: list[Any] = []
        probabilities: list[float | None] = []
        lines: list[int] = []
        mine: Marks = {}
        for v, d in nbrs.items():
            labels = d.get("labels")
            if labels is None:
                labels = [d["label"]] if d.get("label") is not None else []
            targets.append(v)
            probabilities.append(d.get("probability"))
            lines.append(int(d.get("branches") or max(len(labels), 1)))
            mine[v] = (bool(d.get("failure", False)), list(labels))
        step_moves, even = markov.moves(targets, probabilities,
                                        decision=kind[i] == "decision", lines=lines)
        all_moves.append(step_moves)
        marks[i] = mine
        if even and kind[i] != "parallel":
            even_split.append(u)
    markov.token_moves(kind, all_moves, index)
    edges = _edges(index, all_moves, even_split)
    first = _offsets(edges)
    for i, step_marks in marks.items():
        _mark(edges, first[i], [t for t, _ in all_moves[i]], step_marks)
    return _build(nodes, index, columns, kind, edges, G.graph.get("arrivals"),
                  G.graph.get("lanes"), G.graph.get("arrivals_cv"))


def compile_blueprint(blueprint: Blueprint, flows: FlowGraph | None = None) -> FlowChain:
    """Compile a map straight from its models and resolved flow, without networkx.

    The same chain as ``compile_chain(to_networkx(blueprint))`` (tested), built
    several times faster (no per-node attribute dictionaries).

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
    found, even_split = markov.flow_moves(fg)
    moves = list(found.values())
    if "parallel" in kind:
        even_split = [sid for sid in even_split if fg.steps[sid].kind != "parallel"]
        markov.token_moves(kind, moves, index)
    edges = _edges(index, moves, even_split)
    first = _offsets(edges)
    for i, step in enumerate(fg.steps.values()):
        if isinstance(step, Decision) and moves[i]:
            _mark_branches(fg, step, edges, first[i], moves[i])
    chain = _build(nodes, index, columns, kind, edges, blueprint.arrivals, lanes,
                   blueprint.arrivals_cv)
    if "parallel" in kind:
        chain = replace(chain, structure=parallel_structure(fg))
    return chain


def _mark_branches(fg: FlowGraph, step: Decision, edges: _Edges, first: int,
                   moves: list[tuple[str, float]]) -> None:
    """Set the failure flags and labels of a decision's edges from its branches."""
    branches = step.next
    if len(moves) == len(branches):  # one edge per branch, in branch order
        failure, label = edges.failure, edges.label
        for k, b in enumerate(branches, start=first):  # (edges start unflagged, unlabelled)
            if b.failure:
                failure[k] = True
            if b.label is not None:
                label[k] = b.label
        return
    _mark(edges, first, [t for t, _ in moves], _branch_marks(fg, step))


def _branch_marks(fg: FlowGraph, step: Decision) -> Marks:
    """Failure flag and labels of a decision's branches, merged by the step they arrive at."""
    marks: Marks = {b.to: (b.failure, [] if b.label is None else [b.label]) for b in step.next}
    if len(marks) == len(step.next) and all(map(fg.steps.__contains__, marks)):
        return marks  # each branch to a step of its own, no connector on the way
    marks = {}
    for b in step.next:
        target = fg.target(b.to)[0]
        if target is None:
            continue
        failure, labels = marks.get(target, (False, []))
        marks[target] = (failure or b.failure, labels if b.label is None else [*labels, b.label])
    return marks


_KEYS = ("kind", "label", "lane", "fail", "duration", "wait", "accuracy", "capacity", "cost",
         "recovery", "cv", "distribution", "outcome", "arrivals", "arrivals_cv")
_COMMON = _KEYS[:12]  # fields of every step kind; only terminators have the last three


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


def _float(x: Any) -> float:
    """``float(x)``, or ``±inf`` for an integer beyond the float range."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def _floats(values: list[Any]) -> FloatArray:
    types = set(map(type, values))
    if types <= {float, int, type(None)}:  # (not bool: its type is not int)
        try:
            return np.array(values, dtype=np.float64)  # None -> nan
        except OverflowError:  # an integer beyond the float range
            return np.array([_NAN if x is None else _float(x) for x in values],
                            dtype=np.float64)
    if types <= {timedelta, type(None)}:
        return np.array([_NAN if x is None else x.total_seconds() for x in values],
                        dtype=np.float64)
    return np.array(
        [_NAN if x is None or isinstance(x, bool) else
         (x.total_seconds() if isinstance(x, timedelta) else _float(x)) for x in values],
        dtype=np.float64,
    )


def _servers(values: list[Any]) -> list[int | None]:
    """Capacities as whole numbers of servers, exact however large (``None`` where not given).

    A capacity that is no number, or not finite, gives ``None``; a fraction is
    cut to a whole number, as ``int`` does.
    """
    if set(map(type, values)) <= {int, type(None)}:
        return list(values)
    out: list[int | None] = []
    for x in values:
        if isinstance(x, int) and not isinstance(x, bool):
            out.append(x)
            continue
        try:
            f = float(x)
        except (TypeError, ValueError, OverflowError):
            f = math.nan
        out.append(int(f) if math.isfinite(f) else None)
    return out


def _bools(values: list[Any]) -> BoolArray:
    if set(map(type, values)) <= {bool}:
        return np.array(values, dtype=bool)
    return np.array([bool(v) for v in values], dtype=bool)


@dataclass(frozen=True)
class _Starts:
    start: FloatArray
    arrivals_per_h: float | None
    notes: list[str]


def _starts(nodes: list[str], is_start: BoolArray, arrivals: list[Any],
            map_arrivals: object) -> _Starts:
    """The start distribution, the arrival rate and notes on starts without arrivals."""
    idx = np.flatnonzero(is_start).tolist()
    rates = [_per_hour(arrivals[i]) for i in idx]
    map_rate = _per_hour(map_arrivals)
    shares = markov.start_shares(rates, map_rate)
    start = np.zeros(len(nodes))
    start[idx] = shares
    notes = []
    if any(r is not None for r in rates):
        some = [(nodes[i], s) for i, r, s in zip(idx, rates, shares, strict=True) if r is None]
        share = ", ".join(repr(n) for n, s in some if s > 0)
        if share:
            notes.append(f"start(s) {share} have no arrivals: they share the rest of the map's "
                         "arrivals")
        none = ", ".join(repr(n) for n, s in some if s <= 0)
        if none:
            notes.append(f"start(s) {none} have no arrivals while others do: no cases enter "
                         "there")
    return _Starts(start, markov.total_arrivals(rates, map_rate), notes)


def _variability(columns: dict[str, list[Any]], start: FloatArray, is_start: BoolArray,
                 map_cv: float | None) -> tuple[FloatArray, BoolArray, FloatArray]:
    """Service cv and exponential mask of each step, squared arrival cv at each start.

    Notes:
        O(n).
    """
    shapes, cvs = columns["distribution"], columns["cv"]
    service_cv = np.array([default_cv(d, None if c is None else float(c))
                           for d, c in zip(shapes, cvs, strict=True)], dtype=np.float64)
    exponential = (service_cv == 1.0) & np.array(
        [d is None or d == "exponential" for d in shapes], dtype=bool)
    map_scv = 1.0 if map_cv is None else float(map_cv) ** 2
    own = columns["arrivals_cv"]
    scv = np.full(start.size, np.nan)
    idx = np.flatnonzero(is_start)
    if all(own[i] is None for i in idx.tolist()):  # one stream, split by the start shares
        scv[idx] = start[idx] * map_scv + 1.0 - start[idx]
    else:
        scv[idx] = [map_scv if own[i] is None else float(own[i]) ** 2 for i in idx.tolist()]
    return service_cv, exponential, scv


def _build(
    nodes: list[str],
    index: dict[str, int],
    columns: dict[str, list[Any]],
    kind: list[str],
    edges: _Edges,
    map_arrivals: object,
    lanes_attr: dict[str, str | None] | None,
    map_arrivals_cv: float | None = None,
) -> FlowChain:
    """The chain from its step columns and edges.

    Notes:
        O(n + m).
    """
    n = len(nodes)
    src, dst, out_degree = edges.src, edges.dst, edges.out_degree
    in_degree = np.bincount(dst, minlength=n).astype(np.int64)
    absorbing = out_degree == 0
    term = _equals(kind, "terminator")
    end = absorbing & term
    is_start = term & (in_degree == 0)
    starts = _starts(nodes, is_start, columns["arrivals"], map_arrivals)
    service_cv, exponential, arrivals_scv = _variability(columns, starts.start, is_start,
                                                         map_arrivals_cv)
    return FlowChain(
        nodes=nodes,
        index=index,
        kind=kind,
        label=[lab if lab is not None else str(node)
               for lab, node in zip(columns["label"], nodes, strict=True)],
        lane=list(columns["lane"]),
        layers=dict(lanes_attr or {}),
        src=src,
        dst=dst,
        prob=edges.prob,
        failure=edges.failure,
        edge_label=edges.label,
        start=starts.start,
        absorbing=absorbing,
        end=end,
        success=end & ~_equals(columns["outcome"], "failure"),
        terminator=term,
        delay=_equals(kind, "delay"),
        duration=_floats(columns["duration"]),
        wait=_floats(columns["wait"]),
        accuracy=_floats(columns["accuracy"]),
        capacity=_floats(columns["capacity"]),
        servers=_servers(columns["capacity"]),
        cost=_floats(columns["cost"]),
        fail=list(columns["fail"]),
        recovery=_bools(columns["recovery"]),
        in_degree=in_degree,
        out_degree=out_degree,
        even_split=edges.even_split,
        arrivals_per_h=starts.arrivals_per_h,
        notes=starts.notes,
        service_cv=service_cv,
        exponential=exponential,
        arrivals_scv=arrivals_scv,
        distribution=list(columns["distribution"]),
    )
