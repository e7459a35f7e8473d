"""The per-step table of an analysis: one column per measure, one row per step, with flags."""

from __future__ import annotations

import numpy as np

from .bottlenecks import convergence_order_of, lead_time_shares_of
from .chain import FloatArray, FlowChain, floats_or_none
from .metrics import Metrics
from .result import StepTable

__all__ = ["step_flags_of", "step_table_of"]


def _column(values: FloatArray) -> list[float | None]:
    """A column of the table: ``None`` where unknown or beyond the float range."""
    return floats_or_none(values, np.isfinite(values))


def step_flags_of(chain: FlowChain, m: Metrics) -> list[tuple[str, ...]]:
    """Each step's flags: its failure-point flags, then ``bottleneck``, ``overloaded``,
    ``convergence``, ``recovery`` and ``even-split``, in that order.

    Equal tuples are shared (there are only a few different ones).

    Notes:
        O(n + r) for r flagged rows.
    """
    none: tuple[str, ...] = ()
    flags: list[tuple[str, ...]] = [none] * chain.n
    for i, key in zip(m.failure_steps, m.failure_flags, strict=True):
        flags[i] = key
    index = chain.index
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    more: list[tuple[str, list[int]]] = [
        ("bottleneck", [index[m.bottleneck]] if m.bottleneck is not None else []),
        ("overloaded", [index[b.step] for b in m.bottlenecks if b.overloaded]),
        ("convergence", convergence_order_of(chain).tolist()),
        ("recovery", np.flatnonzero(chain.recovery).tolist()),
        ("even-split", [index[step] for step in chain.even_split]),
    ]
    for flag, positions in more:
        for i in positions:
            key = (*flags[i], flag)
            flags[i] = shared.setdefault(key, key)
    return flags


def step_table_of(chain: FlowChain, m: Metrics) -> StepTable:
    """The per-step table (:data:`~servicemap.analysis.result.STEP_COLUMNS`), in map order.

    Notes:
        O(n + r) for r bottleneck and failure rows.
    """
    v, lt = m.visits, m.lt
    share = lead_time_shares_of(chain, v, lt)
    acc = chain.accuracy
    defects = np.where(np.isnan(acc), np.nan, v * (1.0 - np.nan_to_num(acc, nan=1.0)))
    util = np.full(chain.n, np.nan)
    wait = np.full(chain.n, np.nan)
    at = [chain.index[b.step] for b in m.bottlenecks]
    util[at] = [np.nan if b.utilisation is None else b.utilisation for b in m.bottlenecks]
    wait[at] = [np.nan if b.queue_wait_s is None else b.queue_wait_s for b in m.bottlenecks]
    return {
        "id": list(chain.nodes),
        "label": list(chain.label),
        "kind": list(chain.kind),
        "lane": list(chain.lane),
        "visits": v.tolist(),
        "process_time_s": _column(m.pt),
        "lead_time_s": _column(lt),
        "capacity": list(chain.servers),
        "load_s": _column(m.load),
        "utilisation": _column(util),
        "queue_wait_s": _column(wait),
        "wip": _column(m.wip),
        "expected_defects": _column(defects),
        "lead_time_share": _column(share),
        "flags": step_flags_of(chain, m),
    }
