"""The flow as a networkx ``DiGraph``: the public analysis input for notebook users."""

from __future__ import annotations

from typing import Any

import networkx as nx

from ..model import Blueprint
from .graph import flow_graph

__all__ = ["to_networkx"]

_SKIP = frozenset({"next", "id"})


def to_networkx(bp: Blueprint) -> nx.DiGraph:
    """The resolved flow as a ``networkx.DiGraph``.

    Nodes are step ids (not connectors, but for a loop of connectors that lead
    only to each other: see :class:`~servicemap.flow.graph.FlowGraph`) with
    every step field as an attribute plus ``step`` (the model). One edge per
    distinct target: where several
    branches lead to one step they are merged, and the edge carries
    ``probability`` (summed over them; ``None`` where some branch gives none),
    ``branches`` (how many flow lines it stands for: an even split gives each
    branch its share), ``failure`` (any of them), ``labels`` (theirs, in order)
    and ``label`` (those joined by `` / ``). Graph attributes: ``name``,
    ``arrivals``, ``arrivals_cv``, ``lanes`` (id -> layer), ``phases``.

    Complexity: O(V + E).

    >>> from servicemap import loads
    >>> G = to_networkx(loads('''
    ... name: g
    ... steps:
    ...   - {id: s, kind: terminator, next: d}
    ...   - id: d
    ...     kind: decision
    ...     next: [{to: e, label: yes, probability: 0.9}, {to: e2, label: no, probability: 0.1}]
    ...   - {id: e, kind: terminator}
    ...   - {id: e2, kind: terminator, outcome: failure}
    ... '''))
    >>> sorted(G.edges(data="probability"))
    [('d', 'e', 0.9), ('d', 'e2', 0.1), ('s', 'd', None)]
    >>> G.edges["d", "e"]["branches"], G.edges["d", "e"]["labels"]
    (1, ['yes'])
    """
    fg = flow_graph(bp)
    G = nx.DiGraph(
        name=bp.name,
        arrivals=bp.arrivals,
        arrivals_cv=bp.arrivals_cv,
        lanes={lane.id: lane.layer for lane in bp.lanes},
        phases=[p.id for p in bp.phases],
    )
    for sid, s in fg.steps.items():
        attrs: dict[str, Any] = {k: getattr(s, k) for k in type(s).model_fields if k not in _SKIP}
        attrs.setdefault("outcome", None)
        attrs.setdefault("arrivals", None)
        attrs["step"] = s
        G.add_node(sid, **attrs)
    for sid, flows in fg.flows.items():
        for f in flows:
            if G.has_edge(sid, f.target):
                data = G.edges[sid, f.target]
                if data["probability"] is not None and f.probability is not None:
                    data["probability"] += f.probability
                else:
                    data["probability"] = None
                data["branches"] += 1
                data["failure"] = data["failure"] or f.failure
                if f.label is not None:
                    data["labels"].append(f.label)
                    data["label"] = " / ".join(data["labels"])
            else:
                G.add_edge(sid, f.target, probability=f.probability, branches=1,
                           failure=f.failure, labels=[f.label] if f.label is not None else [],
                           label=f.label)
    return G
