"""A layout drawn by hand on a fixed grid, for drawing tests that must not depend on the layout."""

from __future__ import annotations

from servicemap.layout.geometry import Band, Column, EdgeRoute, LayerLine, Layout, NodeBox
from servicemap.layout.grid import layer_lines
from servicemap.model import Blueprint

__all__ = ["grid_layout"]


def grid_layout(bp: Blueprint, *, col_w: float = 150, band_h: float = 90) -> Layout:
    """Steps in list order, one column each, in their lane's band; simple orthogonal routes."""
    title_h, head_h = 30.0, (26.0 if bp.phases else 0.0)
    head_w = 120.0 if bp.lanes else 0.0
    lane_ids = [lane.id for lane in bp.lanes] or [None]
    top = title_h + head_h
    bands = []
    for i, lane in enumerate(bp.lanes):
        bands.append(Band(lane.id, lane.title, top + i * band_h, top + (i + 1) * band_h,
                          lane.layer))
    height = top + band_h * len(lane_ids) + 20
    width = head_w + col_w * len(bp.steps) + 20
    nodes = {}
    for c, step in enumerate(bp.steps):
        row = lane_ids.index(step.lane) if step.lane in lane_ids else 0
        w, h = {"decision": (110, 50), "connector": (26, 26)}.get(step.kind, (110, 40))
        nodes[step.id] = NodeBox(step.id, head_w + 20 + col_w * c + 55, top + row * band_h + 45,
                                 w, h, step.lane, step.phase, c, step.kind)
    columns = []
    for phase in bp.phases:
        cols = [n.column for n in nodes.values() if n.phase == phase.id]
        if cols:
            columns.append(Column(phase.id, phase.title, head_w + 10 + col_w * min(cols),
                                  head_w + 10 + col_w * (max(cols) + 1)))
    lines = [LayerLine(name, bands[i].bottom, dashed)
             for i, name, dashed in layer_lines([b.layer for b in bands])]
    edges = []
    for step, _j, target, branch in bp.iter_flows():
        a, b = nodes[step.id], nodes[target]
        label = branch.label if branch is not None else None
        failure = bool(branch is not None and branch.failure)
        if b.column > a.column:
            mid = b.left - 15
            pts = [(a.right, a.y), (mid, a.y), (mid, b.y), (b.left, b.y)]
            rework = False
        else:
            low = max(a.bottom, b.bottom) + 15
            pts = [(a.x, a.bottom), (a.x, low), (b.x, low), (b.x, b.bottom)]
            rework = True
        pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
        lp = ((pts[0][0] + pts[1][0]) / 2 + 6, (pts[0][1] + pts[1][1]) / 2 - 8) if label else None
        edges.append(EdgeRoute(step.id, target, tuple(pts), label, lp, failure, rework))
    return Layout(width, height, nodes, edges, bands, columns, lines, head_w, head_h, title_h)
