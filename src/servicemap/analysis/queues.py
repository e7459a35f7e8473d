"""Queueing formulas of the analysis: Erlang B/C, M/M/c and G/G/c waits, QNA departures.

They live in :mod:`servicemap.flow.queues`, pure Python, so that the check
rules use the same implementation; this module re-exports them.
"""

from __future__ import annotations

from ..flow.queues import (
    RECURRENCE_SERVERS,
    UNDERFLOW_SERVERS,
    departure_scv,
    erlang_b,
    erlang_c,
    ggc_wait,
    mmc_wait,
)

__all__ = [
    "RECURRENCE_SERVERS",
    "UNDERFLOW_SERVERS",
    "departure_scv",
    "erlang_b",
    "erlang_c",
    "ggc_wait",
    "mmc_wait",
]
