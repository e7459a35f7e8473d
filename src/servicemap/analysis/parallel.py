"""Parallel work: each fork/join region's expected longest branch, the lead time, the critical path.

A fork sends a token down each branch; its join waits for all of them, so
a case spends in a region the *longest* of its branch times. The visits,
process time, cost and loads need no more than the token-counting moves of
:func:`~servicemap.analysis.chain.parallel_moves`; the lead time needs the
expected maximum ``E[max_b B_b] = ∫ (1 − Π_b F_b(t)) dt`` of the branch
times, computed here innermost region first (docs/analysis.md, "Parallel
work"):

- exactly where every branch is phase-type (exponential durations, no
  ``wait``, no queue, no region inside): inclusion–exclusion over the
  branches, ``E[max] = Σ_{S ≠ ∅} (−1)^{|S|+1} E[min_S]``, each minimum the
  phase-type distribution of the Kronecker sum of its branches' generators;
- otherwise by Monte Carlo sampling of the branches (seeded, so the same map
  gives the same numbers), with its standard error.

The region structure (which join closes which fork, which steps run on
which branch) is :func:`servicemap.flow.parallel.parallel_structure`'s.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from ..flow.graph import FlowGraph
from ..flow.parallel import ParallelStructure, parallel_structure
from ..model import step_class

if TYPE_CHECKING:
    from .chain import FloatArray, FlowChain, IntArray

__all__ = [
    "EXACT_METHOD",
    "MAX_STATES",
    "SAMPLES",
    "Branch",
    "NotNested",
    "ParallelLead",
    "ParallelRegion",
    "absorb_parallel",
    "expected_maximum",
    "parallel_lead_of",
    "regions_checked",
    "serialised_edges",
    "structure_of_chain",
]

EXACT_METHOD = "phase-type (exact)"
"""The method of a region whose branches are all phase-type."""

SAMPLES = 20_000
"""Monte Carlo samples of each region that is not phase-type."""

MAX_STATES = 400
"""At most this many states in the product of a region's branches for the exact method."""

MAX_BRANCHES = 8
"""At most this many timed branches for the exact method (2^k − 1 minima)."""

_SEED = 20260111
_MAX_ROUNDS = 100_000


class NotNested(ValueError):
    """The map's parallel work does not nest into fork/join regions.

    Attributes:
        steps: The steps where the nesting breaks.
    """

    def __init__(self, message: str, steps: list[str]) -> None:
        super().__init__(message)
        self.steps = steps


@dataclass(frozen=True)
class Branch:
    """One branch of a region: its steps (map order) and its expected time per case in it."""

    steps: list[str]
    expected_time_s: float | None

    def to_dict(self) -> dict[str, Any]:
        """``{"steps": [...], "expected_time_s": ...}``."""
        return {"steps": list(self.steps), "expected_time_s": self.expected_time_s}


@dataclass(frozen=True)
class ParallelRegion:
    """A fork, its join and the branches between them, with the time a case spends there.

    Attributes:
        fork, join: The fork and join steps.
        visits: Times the fork runs per case.
        branches: The branches, in the fork's flow order.
        expected_time_s: Expected time from the fork to the join: the expected
            longest branch (``None`` where the lead time is unknown or unbounded).
        method: How it was found: :data:`EXACT_METHOD` or ``"Monte Carlo (N samples)"``.
        standard_error_s: The Monte Carlo estimate's standard error (``None`` when exact).
        critical: The branch with the longest expected time (it sets the lead time most).
        parent: The fork of the region this one runs on a branch of, or ``None``.
    """

    fork: str
    join: str
    visits: float
    branches: list[Branch]
    expected_time_s: float | None
    method: str
    standard_error_s: float | None
    critical: int
    parent: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The region as in ``analyze --format json`` (``parallel``)."""
        return {"fork": self.fork, "join": self.join, "visits": self.visits,
                "expected_time_s": self.expected_time_s, "method": self.method,
                "standard_error_s": self.standard_error_s, "critical_branch": self.critical,
                "parent": self.parent, "branches": [b.to_dict() for b in self.branches]}


@dataclass(frozen=True)
class ParallelLead:
    """The lead time of a map with parallel work, its regions and critical path.

    Attributes:
        value: Expected lead time per case (``None`` where no step has time data).
        regions: Every region, outermost first, then in map order.
        critical_path: The steps of every region's critical branch (inner regions:
            their own critical branch), with the forks and joins, in map order.
        method: The lead time's method (:data:`EXACT_METHOD`, or the Monte Carlo's).
    """

    value: float | None
    regions: list[ParallelRegion] = field(default_factory=list)
    critical_path: list[str] = field(default_factory=list)
    method: str = EXACT_METHOD


def structure_of_chain(chain: FlowChain) -> ParallelStructure:
    """:func:`~servicemap.flow.parallel.parallel_structure` of a compiled map's flow.

    For a chain compiled from a networkx graph (no flow graph at hand): the
    graph is rebuilt from the chain's moves and kinds.

    Notes:
        O(n + m).
    """
    steps: dict[str, Any] = {}
    for node, kind in zip(chain.nodes, chain.kind, strict=True):
        cls = step_class(kind) or step_class("task")
        assert cls is not None
        steps[node] = cls.model_construct(id=node)  # the kind is the class's default
    succ: dict[str, list[str]] = {node: [] for node in chain.nodes}
    pred: dict[str, list[str]] = {node: [] for node in chain.nodes}
    for i, j in zip(chain.src.tolist(), chain.dst.tolist(), strict=True):
        succ[chain.nodes[i]].append(chain.nodes[j])
        pred[chain.nodes[j]].append(chain.nodes[i])
    return parallel_structure(FlowGraph(steps, succ, pred))


# -- the regions as positions ------------------------------------------------


@dataclass
class _Region:
    fork: int
    join: int
    entries: list[int]
    owned: list[list[int]]  # steps directly on each branch (inner regions' branches not)
    inner: list[list[int]]  # the regions (their position in the list) directly on each branch
    parent: int | None = None


def _regions(chain: FlowChain, ps: ParallelStructure) -> list[_Region]:
    """The regions of a nested structure, in an order where inner regions come first."""
    index = chain.index
    if not ps.nested or set(ps.forks) - set(ps.join_of):
        bad = list(ps.conflicts) or [f for f in ps.forks if f not in ps.join_of] \
            or list(ps.joins)
        raise NotNested(
            "the parallel work does not nest into fork/join regions (each fork's branches "
            f"meeting at one join) at step(s) {', '.join(repr(s) for s in bad[:5])}: its lead "
            "time is not analysed; run servicemap simulate, which runs any sound map",
            bad)
    forks = [f for f in ps.forks if f in ps.join_of]
    at = {f: k for k, f in enumerate(forks)}
    regions = [_Region(index[f], index[ps.join_of[f]], [index[s] for s in ps.branches[f]],
                       [[] for _ in ps.branches[f]], [[] for _ in ps.branches[f]])
               for f in forks]
    for step, (fork, b) in ps.branch_of.items():
        if fork in at:
            regions[at[fork]].owned[b].append(index[step])
            if step in at:
                regions[at[step]].parent = at[fork]
                regions[at[fork]].inner[b].append(at[step])
    depth = [0] * len(regions)
    for k in range(len(regions)):
        p = regions[k].parent
        while p is not None:
            depth[k] += 1
            p = regions[p].parent
    for r in regions:
        for owned in r.owned:
            owned.sort()
    order = sorted(range(len(regions)), key=lambda k: -depth[k])
    new = {old: k for k, old in enumerate(order)}
    for r in regions:
        r.parent = None if r.parent is None else new[r.parent]
        r.inner = [[new[q] for q in inner] for inner in r.inner]
    return [regions[k] for k in order]


def regions_checked(chain: FlowChain) -> None:
    """Raise :class:`NotNested` where the map's parallel work does not nest into regions.

    Notes:
        O(n + m).
    """
    _regions(chain, chain.structure if chain.structure is not None
             else structure_of_chain(chain))


def serialised_edges(chain: FlowChain) -> tuple[IntArray, IntArray]:
    """The flow's edges with each region's branches one after another.

    A case passes every step of every branch of a region it enters, so for the
    question "which steps does every case pass" a region is its branches in a
    row: fork → branch 1 → branch 2 → … → join (empty branches left out).

    Raises:
        NotNested: if the forks and joins do not nest into regions.

    Notes:
        O(n + m).
    """
    regions = _regions(chain, chain.structure if chain.structure is not None
                       else structure_of_chain(chain))
    src, dst = chain.src, chain.dst.copy()
    # the branch each step runs on, innermost: where it goes on instead of its join
    then: dict[int, tuple[int, int]] = {}  # step -> (its region's join, next in the row)
    forks: dict[int, int] = {}  # fork -> its first branch's entry (its join if none)
    for r in regions:
        full = [b for b, entry in enumerate(r.entries) if entry != r.join]
        forks[r.fork] = r.entries[full[0]] if full else r.join
        for i, b in enumerate(full):
            after = r.entries[full[i + 1]] if i + 1 < len(full) else r.join
            for step in r.owned[b]:
                then[step] = (r.join, after)
    for e, (a, b) in enumerate(zip(src.tolist(), dst.tolist(), strict=True)):
        if a in forks:
            dst[e] = forks[a]
        elif a in then and then[a][0] == b:
            dst[e] = then[a][1]
    return src, dst


# -- chances: every branch must come through ----------------------------------


def _branch_chance(chain: FlowChain, weights: FloatArray, r: _Region, b: int,
                   macro: dict[int, tuple[int, float]]) -> float:
    """The chance that a token entering branch ``b`` of ``r`` arrives at the join, with
    the moves' ``weights`` (inner regions as one move of their own chance)."""
    entry, owned = r.entries[b], r.owned[b]
    k_join = float(chain.in_degree[r.join])
    first = chain.first_edge
    if entry == r.join:  # an empty branch: the fork's own scale counts once, in the region's
        return 1.0
    at = {step: k for k, step in enumerate(owned)}
    n = len(owned)
    matrix = np.eye(n)
    arrive = np.zeros(n)
    for step in owned:
        if step in macro:  # an inner region: its join, with its chance
            join, chance = macro[step]
            if join in at:
                matrix[at[join], at[step]] -= chance
            continue
        for e in range(first[step], first[step + 1]):
            t = int(chain.dst[e])
            if t in at:
                matrix[at[t], at[step]] -= float(weights[e])
            elif t == r.join:
                arrive[at[step]] += float(weights[e]) * k_join
    rhs = np.zeros(n)
    rhs[at[entry]] = 1.0
    return float(arrive @ np.linalg.solve(matrix, rhs))


def absorb_parallel(chain: FlowChain, weights: FloatArray) -> FloatArray:
    """``x = s + Wᵀx`` with each fork/join region taken as one move of its chance.

    A token from a fork comes through a region only if every branch does: the
    region's chance is the fork's own scale times the product, over its
    branches, of each branch's chance of reaching the join (a sub-chain solve,
    inner regions first). ``weights`` are the moves' weights of a chance
    (accuracy-scaled, some moves cut), as for a map without parallel work;
    moves into a join count whole here (not divided as for the visits). The
    steps on branches get no value; the ends get the chance of arriving there.

    Raises:
        NotNested: if the forks and joins do not nest into regions.

    Notes:
        O(n + m) plus one dense solve per branch (of its own steps) and one
        sparse solve of the steps outside the regions.
    """
    ps = chain.structure if chain.structure is not None else structure_of_chain(chain)
    regions = _regions(chain, ps)
    macro: dict[int, tuple[int, float]] = {}
    first = chain.first_edge
    for r in regions:  # inner first
        scale = float(weights[first[r.fork]]) if chain.out_degree[r.fork] else 1.0
        chance = scale * math.prod(_branch_chance(chain, weights, r, b, macro)
                                   for b in range(len(r.entries)))
        macro[r.fork] = (r.join, chance)
    inside = np.zeros(chain.n, dtype=bool)
    for r in regions:
        for owned in r.owned:
            inside[owned] = True
    keep = ~inside[chain.src] & ~np.isin(chain.src, list(macro))
    top = [(f, j, c) for f, (j, c) in macro.items() if not inside[f]]
    src = np.concatenate([chain.src[keep], np.array([f for f, _, _ in top], dtype=np.int64)])
    dst = np.concatenate([chain.dst[keep], np.array([j for _, j, _ in top], dtype=np.int64)])
    w = np.concatenate([weights[keep], np.array([c for _, _, c in top], dtype=np.float64)])
    n = chain.n
    diag = np.arange(n, dtype=np.int64)
    matrix = sp.csc_matrix((np.concatenate([np.ones(n), -w]),
                            (np.concatenate([diag, dst]), np.concatenate([diag, src]))),
                           shape=(n, n))
    x = np.asarray(spsolve(matrix, chain.start), dtype=np.float64).reshape(n)
    return np.maximum(x, 0.0)


# -- the exact expected maximum ----------------------------------------------


def expected_maximum(alphas: list[FloatArray], gens: list[FloatArray]) -> float:
    """``E[max_b B_b]`` of independent phase-type times ``B_b ~ PH(α_b, T_b)``.

    By inclusion–exclusion over the minima: ``E[max] = Σ_{S ≠ ∅} (−1)^{|S|+1}
    E[min_S]``, where ``min_S ~ PH(⊗α_b, ⊕T_b)`` (Kronecker product and sum),
    so ``E[min_S] = (⊗α)(−⊕T)⁻¹ 1``. A branch whose ``α`` sums to less than 1
    takes no time with the rest.

    Example:
        Two exponential branches of rates a = 1/10 and b = 1/20 (minutes):
        ``1/a + 1/b − 1/(a + b) = 10 + 20 − 6.667 = 23.333``.

        >>> round(expected_maximum([np.ones(1), np.ones(1)],
        ...                        [np.array([[-0.1]]), np.array([[-0.05]])]), 3)
        23.333

    Notes:
        O(2^k · (Π n_b)³) for k branches of n_b states.
    """
    total = 0.0
    for size in range(1, len(alphas) + 1):
        for subset in itertools.combinations(range(len(alphas)), size):
            alpha: Any = np.ones(1)
            gen: Any = np.zeros((1, 1))
            for b in subset:
                n_b = alphas[b].size
                alpha = np.kron(alpha, alphas[b])
                gen = np.kron(gen, np.eye(n_b)) + np.kron(np.eye(gen.shape[0]), gens[b])
            mean_min = float(alpha @ np.linalg.solve(-gen, np.ones(alpha.size)))
            total += mean_min if size % 2 else -mean_min
    return total


def _local_moves(chain: FlowChain, steps: list[int]) -> FloatArray:
    """The moves among ``steps`` as a dense matrix (row: from, column: to), in their order.

    Notes:
        O(k² + moves of the k steps), with the chain's edges grouped by source.
    """
    at = {step: k for k, step in enumerate(steps)}
    first = chain.first_edge
    dst, prob = chain.dst, chain.prob
    out = np.zeros((len(steps), len(steps)))
    for k, step in enumerate(steps):
        for e in range(first[step], first[step + 1]):
            t = at.get(int(dst[e]))
            if t is not None:
                out[k, t] += float(prob[e])
    return out


def _branch_phase_type(chain: FlowChain, steps: list[int], entry: int,
                       d: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``(α, T)`` of one branch's time: its timed steps, the others eliminated.

    With ``R = P_TT + P_TZ (I − P_ZZ)⁻¹ P_ZT`` and ``α = e_T + e_Z (I − P_ZZ)⁻¹ P_ZT``
    over the branch's timed steps ``T`` and untimed ``Z`` (moves out of the
    branch are its end), ``T = diag(1/d)(R − I)``.
    """
    idx = np.array(steps, dtype=np.int64)
    moves = _local_moves(chain, steps)
    timed = d[idx] > 0.0
    t_at, z_at = np.flatnonzero(timed), np.flatnonzero(~timed)
    r = moves[np.ix_(t_at, t_at)]
    alpha = (idx[t_at] == entry).astype(np.float64)
    if z_at.size:
        x = np.linalg.solve(np.eye(z_at.size) - moves[np.ix_(z_at, z_at)],
                            moves[np.ix_(z_at, t_at)])
        r = r + moves[np.ix_(t_at, z_at)] @ x
        alpha = alpha + (idx[z_at] == entry).astype(np.float64) @ x
    return alpha, (r - np.eye(t_at.size)) / d[idx[t_at]][:, None]


def _exact(chain: FlowChain, r: _Region, queue: FloatArray) -> float | None:
    """The region's expected longest branch, exactly, or ``None`` where it is not phase-type."""
    if any(r.inner):
        return None
    steps = np.array([k for owned in r.owned for k in owned], dtype=np.int64)
    d = np.nan_to_num(chain.duration)
    if steps.size and (
        (np.nan_to_num(chain.wait[steps]) > 0.0).any()
        or (np.nan_to_num(queue[steps]) != 0.0).any()
        or ((d[steps] > 0.0) & ~chain.exponential[steps]).any()
    ):
        return None
    alphas, gens = [], []
    for owned, entry in zip(r.owned, r.entries, strict=True):
        if owned and (d[owned] > 0.0).any():
            alpha, gen = _branch_phase_type(chain, owned, entry, d)
            alphas.append(alpha)
            gens.append(gen)
    if not alphas:
        return 0.0
    if len(alphas) > MAX_BRANCHES or math.prod(a.size for a in alphas) > MAX_STATES:
        return None
    return expected_maximum(alphas, gens)


# -- Monte Carlo ---------------------------------------------------------------


class _Sampler:
    """Draws of step times and branch walks, all samples of a step at once (numpy)."""

    def __init__(self, chain: FlowChain, queue: FloatArray, regions: list[_Region]) -> None:
        self.chain = chain
        self.rng = np.random.default_rng(_SEED)
        self.queue = np.nan_to_num(queue).tolist()
        self.wait = np.nan_to_num(chain.wait).tolist()
        self.duration = np.nan_to_num(chain.duration).tolist()
        self.regions = regions
        self.region_at = {r.fork: k for k, r in enumerate(regions)}
        # A case's real branch probabilities (parallel_moves divided moves into joins by k).
        target_in = chain.in_degree[chain.dst]
        into_join = np.array([chain.kind[j] == "parallel" for j in chain.dst.tolist()],
                             dtype=bool) & (target_in > 1)
        prob = np.where(into_join, chain.prob * target_in, chain.prob)
        first = chain.first_edge
        self.moves = [(chain.dst[first[i]:first[i + 1]],
                       np.cumsum(prob[first[i]:first[i + 1]])) for i in range(chain.n)]

    def step_times(self, k: int, n: int) -> FloatArray:
        """``n`` draws of step ``k``'s time: its wait, a queue wait and its duration.

        The wait is fixed (as the simulation takes it); the modelled queue wait
        is drawn exponential of its mean (an approximation); the duration
        from its distribution and cv (docs/format.md, "Variability").
        """
        c, rng = self.chain, self.rng
        t = np.full(n, self.wait[k])
        if self.queue[k] > 0.0:
            t += rng.exponential(self.queue[k], n)
        mean = self.duration[k]
        if mean > 0.0:
            t += _durations(rng, mean, c.distribution[k], float(c.service_cv[k]), n)
        return t

    def region(self, k: int, n: int) -> FloatArray:
        """``n`` draws of the time from region ``k``'s fork to its join: the longest branch."""
        r = self.regions[k]
        out = np.zeros(n)
        for entry in r.entries:
            if entry != r.join:
                np.maximum(out, self.branch(r, entry, n), out=out)
        return out

    def branch(self, r: _Region, entry: int, n: int) -> FloatArray:
        """``n`` draws of one branch's time: walks from ``entry`` until the join."""
        pos = np.full(n, entry, dtype=np.int64)
        t = np.zeros(n)
        live = np.arange(n)
        for _ in range(_MAX_ROUNDS):
            if not live.size:
                break
            here = pos[live]
            at = int(here[0])
            if bool((here == at).all()):  # the common case: all walks at one step
                self.advance(r, at, live, pos, t)
            else:
                for k in np.unique(here).tolist():
                    self.advance(r, k, live[here == k], pos, t)
            live = live[pos[live] != r.join]
        return t

    def advance(self, r: _Region, k: int, sel: IntArray, pos: IntArray, t: FloatArray) -> None:
        """Walks ``sel`` at step ``k``: add its time (an inner region's too), move them on."""
        t[sel] += self.step_times(k, sel.size)
        inner = self.region_at.get(k)
        if inner is not None:  # a fork inside: its region, then its join
            t[sel] += self.region(inner, sel.size)
            pos[sel] = self.regions[inner].join
            return
        targets, cum = self.moves[k]
        if targets.size == 1:
            pos[sel] = targets[0]
        elif targets.size:
            pick = np.searchsorted(cum, self.rng.random(sel.size) * cum[-1], "right")
            pos[sel] = targets[np.minimum(pick, targets.size - 1)]
        else:  # pragma: no cover - a sound branch always reaches its join
            pos[sel] = r.join


def _durations(rng: np.random.Generator, mean: float, distribution: str | None, cv: float,
               n: int) -> FloatArray:
    """``n`` durations of mean ``mean``, shaped as the simulation draws them.

    No distribution or ``exponential``: gamma of shape 1/cv² (cv 1: exponential);
    ``fixed`` or cv 0: the mean; ``uniform``/``triangular`` symmetric about the
    mean; ``lognormal`` with σ² = ln(1 + cv²).

    >>> rng = np.random.default_rng(1)
    >>> _durations(rng, 60.0, "fixed", 0.0, 2).tolist()
    [60.0, 60.0]
    >>> bool(abs(_durations(rng, 60.0, None, 1.0, 100_000).mean() - 60.0) < 1.0)
    True
    """
    if distribution == "fixed" or cv == 0.0:
        return np.full(n, mean)
    if distribution in (None, "exponential"):
        shape = 1.0 / (cv * cv)
        return rng.gamma(shape, mean / shape, n)
    if distribution == "uniform":
        half = mean * cv * math.sqrt(3.0)
        return rng.uniform(mean - half, mean + half, n)
    if distribution == "triangular":
        half = mean * cv * math.sqrt(6.0)
        return rng.triangular(mean - half, mean, mean + half, n)
    sigma2 = math.log1p(cv * cv)  # lognormal
    return rng.lognormal(math.log(mean) - sigma2 / 2, math.sqrt(sigma2), n)


# -- the lead time -------------------------------------------------------------


def _monte_carlo(sampler: _Sampler, k: int) -> tuple[float, float]:
    """The mean and standard error of region ``k``'s time by :data:`SAMPLES` draws."""
    draws = sampler.region(k, SAMPLES)
    return float(draws.mean()), float(draws.std(ddof=1) / math.sqrt(SAMPLES))


def _branch_means(regions: list[_Region], k: int, v: FloatArray, lt: FloatArray,
                  times: list[float]) -> list[float]:
    """Each branch's expected time per run of region ``k``'s fork: its own steps
    (``v_i / v_fork · LT_i``) and the regions on it (``v_fork' / v_fork · E[T']``)."""
    r = regions[k]
    vf = float(v[r.fork])
    if vf <= 0.0:
        return [0.0] * len(r.owned)
    out = []
    for owned, inner in zip(r.owned, r.inner, strict=True):
        own = float(v[owned] @ lt[owned]) if owned else 0.0
        own += sum(float(v[regions[q].fork]) * times[q] for q in inner)
        out.append(own / vf)
    return out


def _critical(regions: list[_Region], k: int, critical: list[int]) -> set[int]:
    """The fork, the join and the steps of region ``k``'s critical branch, inner regions'
    critical branches within it."""
    r = regions[k]
    c = critical[k]
    found = {r.fork, r.join, *r.owned[c]}
    for q in r.inner[c]:
        found |= _critical(regions, q, critical)
    return found


def parallel_lead_of(chain: FlowChain, v: FloatArray, lt: FloatArray, queue: FloatArray,
                     structure: ParallelStructure | None = None) -> ParallelLead:
    """The lead time of a map with parallel work: each region's longest branch.

    ``LT = Σ_{i outside regions} v_i LT_i + Σ_{top regions R} v_fork(R) · E[T_R]``
    where ``E[T_R] = E[max_b B_b]`` and branch ``b``'s expected time is
    ``Σ_{i on b} (v_i / v_fork) LT_i`` plus its inner regions' (the fork and join
    count as steps outside their own region). ``E[T_R]`` is exact where the
    branches are phase-type (:func:`expected_maximum`), else sampled
    (:data:`SAMPLES` draws, seeded).

    Args:
        chain: The compiled map (with :func:`~servicemap.analysis.chain.parallel_moves`).
        v: Its visits.
        lt: Each step's lead time (wait + queue wait + duration; ``nan`` unknown).
        queue: Each step's modelled queue wait (``nan`` where none).
        structure: The map's parallel structure, if already found.

    Raises:
        NotNested: if the forks and joins do not nest into regions.

    Notes:
        O(n + m) for the structure; per region O(2^k (Π n_b)³) exact, or
        O(SAMPLES · steps walked) sampled.
    """
    ps = structure if structure is not None else structure_of_chain(chain)
    regions = _regions(chain, ps)
    lt0 = np.where(np.isnan(lt), 0.0, lt)
    sampler: _Sampler | None = None
    times = [0.0] * len(regions)
    methods: list[str] = []
    errors: list[float | None] = []
    means: list[list[float]] = []
    for k, r in enumerate(regions):
        means.append(_branch_means(regions, k, v, lt0, times))
        exact = _exact(chain, r, queue)
        if exact is not None:
            times[k] = exact
            methods.append(EXACT_METHOD)
            errors.append(None)
            continue
        sampler = sampler or _Sampler(chain, queue, regions)
        times[k], se = _monte_carlo(sampler, k)
        methods.append(f"Monte Carlo ({SAMPLES:,} samples)")
        errors.append(se)
    critical = [int(np.argmax(m)) if m else 0 for m in means]
    inside = np.zeros(chain.n, dtype=bool)
    for r in regions:
        for owned in r.owned:
            inside[owned] = True
    value = float(v[~inside] @ lt0[~inside]) + sum(
        float(v[r.fork]) * times[k] for k, r in enumerate(regions) if r.parent is None)
    known = bool(np.any(~np.isnan(lt)))  # no step with a time: no lead time, no path
    path: set[int] = set()
    for k, r in enumerate(regions):
        if r.parent is None and known:
            path |= _critical(regions, k, critical)
    names = chain.nodes
    rows = [ParallelRegion(
        fork=names[r.fork], join=names[r.join], visits=float(v[r.fork]),
        branches=[Branch([names[i] for i in _all_steps(regions, r, b)],
                         means[k][b] if known else None) for b in range(len(r.owned))],
        expected_time_s=times[k] if known else None, method=methods[k],
        standard_error_s=errors[k],
        critical=critical[k], parent=None if r.parent is None else names[regions[r.parent].fork],
    ) for k, r in sorted(enumerate(regions), key=lambda kr: kr[1].fork)]
    method = EXACT_METHOD if all(m == EXACT_METHOD for m in methods) else next(
        m for m in methods if m != EXACT_METHOD)
    return ParallelLead(value if known else None, rows,
                        [names[i] for i in sorted(path)], method)


def _all_steps(regions: list[_Region], r: _Region, b: int) -> list[int]:
    """Every step on branch ``b`` of ``r``, inner regions' included, in map order."""
    found = list(r.owned[b])
    for q in r.inner[b]:
        for bb in range(len(regions[q].owned)):
            found += _all_steps(regions, regions[q], bb)
    return sorted(found)
