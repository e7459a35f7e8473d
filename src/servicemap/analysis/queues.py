"""Queueing formulas of the analysis: Erlang B, Erlang C and the M/M/c wait (re-exported).

They live in :mod:`servicemap.flow.queues`, pure Python, so that the check
rules use the same implementation; this module re-exports them.
"""

from __future__ import annotations

from ..flow.queues import RECURRENCE_SERVERS, UNDERFLOW_SERVERS, erlang_b, erlang_c, mmc_wait

__all__ = ["RECURRENCE_SERVERS", "UNDERFLOW_SERVERS", "erlang_b", "erlang_c", "mmc_wait"]
