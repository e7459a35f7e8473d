"""Variability of the flow: QNA propagation of arrival variability and Allen–Cunneen G/G/c waits."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from .chain import FloatArray, FlowChain
from .times import step_process_times

__all__ = [
    "GGC_METHOD",
    "MMC_METHOD",
    "allen_cunneen_factors_of",
    "arrival_scv_of",
    "queue_method_of",
    "queued_of",
    "server_utilisation_of",
]

MMC_METHOD = "M/M/c"
"""How the queue waits are found when every arrival and service cv is 1 (Erlang C)."""

GGC_METHOD = "Allen–Cunneen G/G/c with QNA propagation"
"""How the queue waits are found otherwise (see :func:`allen_cunneen_factors_of`)."""


def server_utilisation_of(chain: FlowChain, v: FloatArray, arrivals_per_h: float) -> FloatArray:
    """``ρ_i = λ · v_i · PT_i / c_i``; ``nan`` without capacity or process time.

    The same numbers as :func:`~servicemap.analysis.bottlenecks.utilisation_of`
    (0 where the capacity is beyond the float range).

    >>> import numpy as np
    >>> from types import SimpleNamespace as NS
    >>> c = NS(delay=np.array([False]), duration=np.array([600.0]), capacity=np.array([2.0]))
    >>> server_utilisation_of(c, np.array([1.25]), 12.0).tolist()  # 15/h · 10 min / 2
    [1.25]

    Notes:
        O(n).
    """
    with np.errstate(all="ignore"):
        return v * step_process_times(chain) / chain.capacity * (arrivals_per_h / 3600.0)


def queued_of(chain: FlowChain, v: FloatArray) -> FloatArray:
    """Mask of the visited steps with a queue: a capacity and a process time above 0.

    Notes:
        O(n).
    """
    pt = step_process_times(chain)
    return np.asarray(~np.isnan(chain.capacity) & (pt > 0.0) & (v > 0.0), dtype=bool)


def queue_method_of(chain: FlowChain, v: FloatArray) -> str:
    """:data:`MMC_METHOD` where every cv that matters is 1, else :data:`GGC_METHOD`.

    The cvs that matter are the service cv of each visited step with a queue
    and the arrival cv of each start cases enter at; a step without a queue
    passes its arrivals' variability on unchanged, whatever its own cv.

    Notes:
        O(n).
    """
    cvs = chain.service_cv[queued_of(chain, v)] if chain.service_cv.size else np.ones(0)
    scv = chain.arrivals_scv[chain.start > 0.0] if chain.arrivals_scv.size else np.ones(0)
    if np.all(cvs == 1.0) and np.all(scv == 1.0):
        return MMC_METHOD
    return GGC_METHOD


def arrival_scv_of(chain: FlowChain, v: FloatArray, rho: FloatArray) -> FloatArray:
    """Squared coefficient of variation ``c_a²`` of the arrivals at each step (QNA).

    Args:
        chain: The compiled map (its ``service_cv`` and ``arrivals_scv``).
        v: Its visits.
        rho: Utilisation per server of each step (``nan`` without a queue).

    Returns:
        ``c_a²`` of each visited step; 1 at steps no case visits.

    Notes:
        Whitt's Queueing Network Analyzer (W. Whitt, "The Queueing Network
        Analyzer", Bell System Technical Journal 62(9), 1983), its basic
        approximations: a step with ``c`` servers, utilisation ``ρ`` and
        service cv ``c_s`` sends on departures of
        ``c_d² = 1 + (1 − ρ²)(c_a² − 1) + ρ²(c_s² − 1)/√c``; splitting a
        flow with probability ``p`` gives ``p·c_d² + 1 − p``; merging flows
        gives the rate-weighted mean of their ``c²``. A step without a queue
        (no capacity, no duration, or servers beyond counting) has ``ρ = 0``
        and passes ``c_a²`` on; an overloaded one counts as ``ρ = 1``. The
        external arrivals are the chain's ``arrivals_scv``.

        Each ``c_a,j²`` is linear in the others, so with rework loops the
        propagation is a fixed point of a linear system, solved directly
        (not iterated): for the visited steps, with ``v`` the visits, ``s``
        the start shares and ``P`` the routing,

        ``v_j·x_j − Σ_i v_i p_ij² (1 − ρ_i²) x_i =
        s_j·c0_j² + Σ_i v_i p_ij (p_ij ρ_i² (1 + (c_s,i² − 1)/√c_i) + 1 − p_ij)``

        (the traffic equations of Whitt 1983 for ``c²``). Its matrix has weighted column sums
        ``Σ_j p_ij² (1 − ρ_i²) ≤ Σ_j p_ij``, at most those of ``I − Pᵀ``, so it
        is non-singular wherever the visits are. One sparse LU solve
        (``scipy.sparse.linalg.spsolve``) of the visited steps, O(n + m) to build.

    Example:
        A fixed-time step at 75 % utilisation smooths Poisson arrivals to
        ``c_d² = 1 − ρ²`` = 0.4375 for the step after it (see the tests).
    """
    n = chain.n
    scv = np.ones(n)
    seen = np.flatnonzero(v > 0.0)
    if seen.size == 0:
        return scv
    pos = np.full(n, -1, dtype=np.int64)
    pos[seen] = np.arange(seen.size)
    with np.errstate(all="ignore"):
        r = np.where(np.isnan(rho), 0.0, np.minimum(rho, 1.0))
        cs2 = chain.service_cv**2 if chain.service_cv.size else np.ones(n)
        root = np.sqrt(np.where(np.isnan(chain.capacity), 1.0, chain.capacity))
        gain = r**2 * (1.0 + (cs2 - 1.0) / root)  # c_d² = (1 − ρ²) c_a² + gain
        on = (v[chain.src] > 0.0) & (v[chain.dst] > 0.0) & (chain.prob > 0.0)
        src, dst, p = chain.src[on], chain.dst[on], chain.prob[on]
        flow = v[src] * p
        weight = -flow * p * (1.0 - r[src] ** 2)
        rhs = np.zeros(seen.size)
        starts = np.flatnonzero((chain.start > 0.0) & (v > 0.0))
        ext = chain.arrivals_scv[starts] if chain.arrivals_scv.size else np.ones(starts.size)
        rhs[pos[starts]] += chain.start[starts] * np.where(np.isnan(ext), 1.0, ext)
        np.add.at(rhs, pos[dst], flow * (p * gain[src] + 1.0 - p))
        rows = np.concatenate([np.arange(seen.size), pos[dst]])
        cols = np.concatenate([np.arange(seen.size), pos[src]])
        vals = np.concatenate([v[seen], weight])
        scale = 1.0 / v[seen]  # rows divided by v_j: the diagonal is 1
        a = sp.csr_matrix((vals * scale[rows], (rows, cols)), shape=(seen.size, seen.size))
        x = np.atleast_1d(spsolve(a.tocsc(), rhs * scale))
    scv[seen] = np.maximum(x, 0.0)
    return scv


def allen_cunneen_factors_of(chain: FlowChain, v: FloatArray,
                             arrivals_per_h: float) -> FloatArray | None:
    """``(c_a² + c_s²)/2`` of each step, or ``None`` where every cv that matters is 1.

    The Allen–Cunneen approximation of the G/G/c queue wait is
    ``W_q ≈ W_q(M/M/c) · (c_a² + c_s²)/2`` (A. O. Allen, *Probability,
    Statistics, and Queueing Theory*, 2nd ed., 1990; exact for M/G/1,
    where it is the Pollaczek–Khinchine formula). ``c_s`` is the step's
    ``duration_cv``, ``c_a`` the arrivals' cv from :func:`arrival_scv_of`.
    ``None`` means M/M/c exactly: no factor (not a factor of 1.0 found by a
    solve, which could differ in the last bit).

    Example:
        >>> from servicemap import loads
        >>> from servicemap.analysis.chain import compile_blueprint
        >>> from servicemap.analysis.flow import solve_flow
        >>> c = compile_blueprint(loads('''
        ... name: M/D/1
        ... steps:
        ...   - {id: s, kind: terminator, next: w}
        ...   - {id: w, kind: task, duration: 15m, distribution: fixed, capacity: 1, next: e}
        ...   - {id: e, kind: terminator}
        ... '''))
        >>> allen_cunneen_factors_of(c, solve_flow(c), 3.0).tolist()[1]  # (1 + 0)/2
        0.5

    Notes:
        O(n + m) and one sparse solve (:func:`arrival_scv_of`); O(n) when
        every cv is 1.
    """
    if queue_method_of(chain, v) == MMC_METHOD:
        return None
    rho = server_utilisation_of(chain, v, arrivals_per_h)
    ca2 = arrival_scv_of(chain, v, rho)
    cs2 = chain.service_cv**2
    return np.asarray((ca2 + cs2) / 2.0, dtype=np.float64)
