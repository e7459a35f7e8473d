"""Message flows between pools (a BPMN import's hand-offs) as extra edges for the router."""

from __future__ import annotations

from collections.abc import Collection

from ..model import Blueprint
from .grid import Edge

__all__ = ["MESSAGE", "message_edges"]

MESSAGE = -1
"""Message edges number their position from here down (``-1``, ``-2``, ...), so they
never share an :data:`~.grid.Edge` with a flow line, whose positions are 0 or more."""


def message_edges(bp: Blueprint, steps: Collection[str]) -> list[tuple[Edge, str | None]]:
    """The map's message flows whose both ends are steps, as edges with their labels.

    A BPMN import keeps message flows in ``metadata["bpmn"]["message-flows"]``
    as ``{from, to, label}`` (docs/bpmn.md); an end that names a pool or an
    element that is no step is left out, and so is anything malformed there
    (the metadata is free-form).

    Args:
        bp: The map.
        steps: The ids of the steps laid out.

    Returns:
        ``((from, to, position), label)`` per drawable message flow, in order;
        positions count down from :data:`MESSAGE`.

    Example:
        >>> from servicemap import loads
        >>> bp = loads('''
        ... name: Two pools
        ... metadata:
        ...   bpmn:
        ...     message-flows:
        ...       - {from: a, to: b, label: order}
        ...       - {from: a, to: Pool_1}
        ... steps:
        ...   - {id: a, kind: terminator}
        ...   - {id: b, kind: terminator}
        ... ''')
        >>> message_edges(bp, {"a", "b"})
        [(('a', 'b', -1), 'order')]
    """
    bpmn = bp.metadata.get("bpmn") if isinstance(bp.metadata, dict) else None
    flows = bpmn.get("message-flows") if isinstance(bpmn, dict) else None
    if not isinstance(flows, list):
        return []
    out: list[tuple[Edge, str | None]] = []
    for flow in flows:
        if not isinstance(flow, dict):
            continue
        src, dst, label = flow.get("from"), flow.get("to"), flow.get("label")
        if not (isinstance(src, str) and isinstance(dst, str) and src in steps
                and dst in steps and src != dst):
            continue
        out.append(((src, dst, MESSAGE - len(out)), label if isinstance(label, str) else None))
    return out
