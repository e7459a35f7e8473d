"""Lead-time percentiles, exact from the absorbing chain as a phase-type distribution."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from scipy.linalg import expm
from scipy.optimize import brentq
from scipy.sparse.linalg import spsolve

from .chain import FloatArray, FlowChain

__all__ = ["MAX_PHASES", "PERCENTILES", "PHASE_TYPE_METHOD", "lead_time_percentiles_of"]

PERCENTILES: dict[str, float] = {"p50": 0.5, "p80": 0.8, "p95": 0.95}
"""The percentiles reported, by name."""

PHASE_TYPE_METHOD = "phase-type (exact)"
"""The method named in the summary where the percentiles are computed."""

MAX_PHASES = 200
"""At most this many visited steps with a duration: each evaluation is a dense ``expm``."""

_SIMULATE = "run servicemap simulate"


def _reason(chain: FlowChain, v: FloatArray, queue: FloatArray) -> str | None:
    """Why the lead time is not phase-type (exponential steps only), or ``None``.

    Notes:
        O(n).
    """
    seen = v > 0.0
    timed = seen & (np.nan_to_num(chain.duration) > 0.0)
    names = chain.nodes
    if not timed.any():
        return "no visited step has a duration"
    waits = np.flatnonzero(seen & (np.nan_to_num(chain.wait) > 0.0))
    if waits.size:
        return f"step {names[int(waits[0])]!r} has a wait (of unknown distribution)"
    queued = np.flatnonzero(seen & ~np.isnan(queue) & (queue != 0.0))
    if queued.size:
        return f"step {names[int(queued[0])]!r} has a modelled queue"
    exponential = chain.exponential if chain.exponential.size else np.ones(chain.n, dtype=bool)
    shaped = np.flatnonzero(timed & ~exponential)
    if shaped.size:
        return f"the duration of step {names[int(shaped[0])]!r} is not exponential"
    if int(np.count_nonzero(timed)) > MAX_PHASES:
        return f"more than {MAX_PHASES} steps with a duration"
    return None


def _phase_type(chain: FlowChain, v: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The initial vector ``α`` and sub-generator ``T`` over the visited timed steps.

    Steps that take no time are eliminated: with ``P`` the routing, ``T`` the
    timed steps and ``Z`` the others, a case leaving a timed step goes on by
    ``R = P_TT + P_TZ (I − P_ZZ)⁻¹ P_ZT`` and starts by
    ``α = s_T + s_Z (I − P_ZZ)⁻¹ P_ZT``; ``T = diag(1/d)(R − I)``.

    Notes:
        One sparse LU of ``I − P_ZZ`` with ``|T|`` right-hand sides.
    """
    n = chain.n
    p = sp.csr_matrix((chain.prob, (chain.src, chain.dst)), shape=(n, n))
    seen = v > 0.0
    d = np.nan_to_num(chain.duration)
    t_idx = np.flatnonzero(seen & (d > 0.0))
    z_idx = np.flatnonzero(seen & ~(d > 0.0))
    r = p[t_idx][:, t_idx].toarray()
    alpha = chain.start[t_idx].astype(np.float64)
    if z_idx.size:
        p_zz = p[z_idx][:, z_idx].tocsc()
        p_zt = p[z_idx][:, t_idx].toarray()
        lu = sp.identity(z_idx.size, format="csc") - p_zz
        x = np.asarray(spsolve(lu, p_zt)).reshape(z_idx.size, t_idx.size)
        r += p[t_idx][:, z_idx] @ x
        alpha += chain.start[z_idx] @ x
    gen = (r - np.eye(t_idx.size)) / d[t_idx][:, None]
    return alpha, gen


def lead_time_percentiles_of(chain: FlowChain, v: FloatArray, queue: FloatArray
                             ) -> tuple[dict[str, float] | None, str]:
    """Lead-time percentiles p50, p80, p95 in seconds, and the method (or why none).

    Exact where the lead time is phase-type: every visited step with a
    duration is exponential (no ``distribution``, or ``exponential``, and cv
    1), no visited step has a ``wait`` (its distribution is unknown) or a
    modelled queue wait (capacity and arrivals). Otherwise ``None`` and
    ``"not computed: <reason>: run servicemap simulate"``.

    Args:
        chain: The compiled map.
        v: Its visits.
        queue: The modelled queue wait of each step (``nan`` where none).

    Returns:
        ``({"p50": ..., "p80": ..., "p95": ...}, "phase-type (exact)")`` or
        ``(None, reason)``.

    Notes:
        The transient states are the visited steps with a duration ``d_i``,
        left at rate ``1/d_i``; steps without one are eliminated
        (:func:`_phase_type`). ``P(LT ≤ t) = 1 − α·expm(T t)·1`` (Neuts,
        *Matrix-Geometric Solutions in Stochastic Models*, 1981, ch. 2); a
        case that reaches an end in no time is an atom at 0. Each percentile
        ``q`` is found by ``scipy.optimize.brentq`` on ``[0, m/(1 − q)·1.01]``
        with ``m = α(−T)⁻¹1`` the mean (Markov's inequality brackets it), time
        scaled by ``m``. Cost: O(k³) per ``expm`` of the k ≤ :data:`MAX_PHASES`
        timed steps, about 40 of them.

    Example:
        One exponential step of 10 min: p50 = ln 2 · 10 min = 415.9 s.

        >>> from servicemap import loads
        >>> from servicemap.analysis.chain import compile_blueprint
        >>> from servicemap.analysis.flow import solve_flow
        >>> c = compile_blueprint(loads('''
        ... name: one
        ... steps:
        ...   - {id: s, kind: terminator, next: w}
        ...   - {id: w, kind: task, duration: 10m, next: e}
        ...   - {id: e, kind: terminator}
        ... '''))
        >>> q, how = lead_time_percentiles_of(c, solve_flow(c), np.full(3, np.nan))
        >>> round(q["p50"], 1), how
        (415.9, 'phase-type (exact)')
    """
    reason = _reason(chain, v, queue)
    if reason is not None:
        return None, f"not computed: {reason}: {_SIMULATE}"
    alpha, gen = _phase_type(chain, v)
    ones = np.ones(alpha.size)
    mean = float(alpha @ np.linalg.solve(-gen, ones))
    if not (math.isfinite(mean) and mean > 0.0):
        return None, f"not computed: the mean lead time is not finite: {_SIMULATE}"
    scaled = gen * mean
    zero = 1.0 - float(alpha.sum())  # cases that reach an end in no time

    def below(u: float, q: float) -> float:
        return 1.0 - float(alpha @ (expm(scaled * u) @ ones)) - q

    out = {}
    for name, q in PERCENTILES.items():
        if zero >= q:
            out[name] = 0.0
            continue
        u = brentq(below, 0.0, 1.01 / (1.0 - q), args=(q,), xtol=1e-12, rtol=1e-12)
        out[name] = float(u) * mean
    return out, PHASE_TYPE_METHOD
