"""Layout quality of servicemap's own layout next to plain ``dot`` on the same graphs.

Usage::

    .venv/bin/python benchmarks/layout_quality.py [--maps 50] [--quick] [--per-map]
                                                  [--speed] [--speed-100k] [--trunks]
                                                  [--json OUT]

Every example, ``--maps`` generated chains (10-300 steps, ``generate_map``)
and ``--maps`` generated branching maps (10-200 steps, ``generate_branching_map``,
the kind the layout issue was measured on), all with fixed seeds, are
laid out twice: by servicemap (:func:`servicemap.layout.compute_layout`) and
by the Graphviz ``dot`` bundled with pygraphviz (in-process), on the same
graph: one cluster per lane, every step a fixed-size box of servicemap's size,
branch labels as edge labels, ``rankdir=LR`` and ``newrank=true`` (without
it, dot collapses the ranks of these clustered maps into a tall knot, aspect
0.08). Both layouts are measured the same way. A parallel bar that servicemap
stretches across its branches' lanes counts, for lane order, where it lies in
its own lane, and dot gets the bar at that size. Node overlaps, edges through
nodes, crossings, lane order and bounding box come from the shared reference meter
``../shared/tools/mapquality.py`` (imported by path, not copied); the other
measures are defined here:

bends/edge
    corners of each line (after simplifying dot's curves within 2 pt) with a
    turn of more than 20 degrees, per edge.
rework bends, rework 3+
    the same, per rework line (servicemap's rework lines, back to an earlier
    step, and dot's edges between the same steps), and the count of rework
    lines with three bends or more.
parallel kpt
    length (thousands of points) of line stretches running within 8 pt of,
    and parallel to, another line (away from a step both lines touch).
border kpt
    length of horizontal line stretches within 12 pt of a lane border or
    blueprint line (servicemap: band boundaries and blueprint lines; dot: the
    top and bottom of each lane cluster).
false junctions
    pairs of collinear segments of two lines (same axis within 2 pt) that
    overlap or leave a gap of less than 14 pt between them, away from a step
    both lines touch: they read as one line.
ends beside
    segments whose end, prolonged by less than 16 pt, enters a step that is
    neither end of the line: the line seems to go into the wrong step.
at step
    crossings of two lines that share a step, within 40 pt of that step
    (outside it): the order of their ports there makes them cross.

``--speed`` times ``compute_layout`` at 2,000, 10,000 and 20,000 steps and
prints each time with its ratio to the 2,000-step time measured in the same
run (and to n log n growth); ``--speed-100k`` times 10,000 and 100,000 steps,
the growth the layout issue measured (about two minutes). Beside each time
they print, measured in the same run on the same maps, the growth of a
linear-time reference (networkx's strongly connected components,
condensation and longest path: O(n + m)) and of the number of Python calls
the layout makes: wall time grows faster than the work once the data
outgrows the processor's caches, and the reference shows by how much.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import importlib.util
import itertools
import json
import math
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import networkx as nx  # noqa: E402
from mapgen import generate_branching_map, generate_map  # noqa: E402

import servicemap as sm  # noqa: E402
from servicemap.layout import Layout, compute_layout  # noqa: E402
from servicemap.layout.geometry import NodeBox  # noqa: E402
from servicemap.layout.grid import place  # noqa: E402
from servicemap.layout.routing import CLEAR, assign_tracks, plan_routes  # noqa: E402

__all__ = ["main", "measure_dot", "measure_servicemap", "trunk_crossings", "trunk_tracks"]

Point = tuple[float, float]
Poly = list[Point]
MAPQUALITY = ROOT.parent / "shared" / "tools" / "mapquality.py"
PARALLEL = 8.0
BORDER = 12.0
JUNCTION_GAP = 14.0
BESIDE = 16.0


def _mapquality() -> ModuleType:
    """The shared reference meter, imported by path."""
    spec = importlib.util.spec_from_file_location("mapquality", MAPQUALITY)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import {MAPQUALITY}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


MQ = _mapquality()


# ---------------------------------------------------------------- geometry helpers

def _simplify(line: Poly, tol: float = 2.0) -> Poly:
    """Ramer-Douglas-Peucker, iterative."""
    if len(line) < 3:
        return list(line)
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        a, b = stack.pop()
        (x0, y0), (x1, y1) = line[a], line[b]
        dx, dy = x1 - x0, y1 - y0
        norm = math.hypot(dx, dy) or 1e-9
        best, idx = -1.0, -1
        for k in range(a + 1, b):
            px, py = line[k]
            d = abs(dy * (px - x0) - dx * (py - y0)) / norm
            if d > best:
                best, idx = d, k
        if best > tol:
            keep[idx] = True
            stack += [(a, idx), (idx, b)]
    out = [p for p, k in zip(line, keep, strict=True) if k]
    return [p for i, p in enumerate(out) if i == 0 or p != out[i - 1]]


def _bends(line: Poly) -> int:
    """Corners turning more than 20 degrees."""
    n = 0
    for a, b, c in zip(line, line[1:], line[2:], strict=False):
        v1 = (b[0] - a[0], b[1] - a[1])
        v2 = (c[0] - b[0], c[1] - b[1])
        n1, n2 = math.hypot(*v1), math.hypot(*v2)
        if n1 < 1e-9 or n2 < 1e-9:
            continue
        cos = (v1[0] * v2[0] + v1[1] * v2[1]) / (n1 * n2)
        if cos < math.cos(math.radians(20)):
            n += 1
    return n


def _samples(line: Poly, step: float = 2.0) -> list[tuple[float, float, float, float]]:
    """Points every ``step`` along a polyline, with the unit direction there."""
    out = []
    for (x0, y0), (x1, y1) in itertools.pairwise(line):
        length = math.hypot(x1 - x0, y1 - y0)
        if length < 1e-9:
            continue
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        k = 0.5
        while k * step < length:
            out.append((x0 + ux * k * step, y0 + uy * k * step, ux, uy))
            k += 1
    return out


Box = tuple[float, float, float, float]


def _near_box(x: float, y: float, box: Box, pad: float) -> bool:
    return box[0] - pad <= x <= box[2] + pad and box[1] - pad <= y <= box[3] + pad


def _parallel_length(lines: Sequence[Poly], ends: Sequence[tuple[str, str]],
                     boxes: dict[str, Box]) -> float:
    """Length of stretches within PARALLEL pt of, and parallel to, another line."""
    grid: dict[tuple[int, int], list[tuple[int, float, float, float, float]]] = {}
    per = [_samples(line) for line in lines]
    for i, ss in enumerate(per):
        for x, y, ux, uy in ss:
            grid.setdefault((int(x // PARALLEL), int(y // PARALLEL)), []).append((i, x, y, ux, uy))
    total = 0.0
    for i, ss in enumerate(per):
        for x, y, ux, uy in ss:
            gx, gy = int(x // PARALLEL), int(y // PARALLEL)
            hit = False
            for cx in (gx - 1, gx, gx + 1):
                for cy in (gy - 1, gy, gy + 1):
                    for j, x2, y2, ux2, uy2 in grid.get((cx, cy), ()):
                        if j == i or abs(ux * ux2 + uy * uy2) < 0.9:
                            continue
                        if math.hypot(x2 - x, y2 - y) >= PARALLEL:
                            continue
                        shared = set(ends[i]) & set(ends[j])
                        if any(_near_box(x, y, boxes[n], PARALLEL) for n in shared):
                            continue
                        hit = True
                        break
                    if hit:
                        break
                if hit:
                    break
            if hit:
                total += 2.0
    return total


def _border_length(lines: Sequence[Poly], borders: Sequence[tuple[float, float, float]]) -> float:
    """Length of horizontal stretches within BORDER pt of a border (y, x0, x1)."""
    total = 0.0
    for line in lines:
        for x, y, ux, _ in _samples(line):
            if abs(ux) < 0.9:
                continue
            if any(abs(y - by) <= BORDER and bx0 <= x <= bx1 for by, bx0, bx1 in borders):
                total += 2.0
    return total


def _axis_segments(line: Poly) -> list[tuple[int, float, float, float]]:
    """Axis-parallel segments: (axis 0 horizontal / 1 vertical, fixed coord, lo, hi)."""
    out = []
    for (x0, y0), (x1, y1) in itertools.pairwise(line):
        if abs(y1 - y0) <= 0.5 and abs(x1 - x0) > 1:
            out.append((0, (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
        elif abs(x1 - x0) <= 0.5 and abs(y1 - y0) > 1:
            out.append((1, (x0 + x1) / 2, min(y0, y1), max(y0, y1)))
    return out


def _false_junctions(lines: Sequence[Poly], ends: Sequence[tuple[str, str]],
                     boxes: dict[str, Box]) -> int:
    """Collinear segment pairs of two lines, overlapping or less than 14 pt apart."""
    segs: list[tuple[int, float, float, float, int]] = []
    for i, line in enumerate(lines):
        segs += [(a, c, lo, hi, i) for a, c, lo, hi in _axis_segments(line)]
    segs.sort()
    count = 0
    for k, (a, c, lo, hi, i) in enumerate(segs):
        for a2, c2, lo2, hi2, j in segs[k + 1:]:
            if a2 != a or c2 - c > 2.0:
                break
            if j == i or lo2 - hi >= JUNCTION_GAP or lo - hi2 >= JUNCTION_GAP:
                continue
            gap_mid = (max(lo, lo2) + min(hi, hi2)) / 2
            x, y = (gap_mid, c) if a == 0 else (c, gap_mid)
            shared = set(ends[i]) & set(ends[j])
            if any(_near_box(x, y, boxes[n], JUNCTION_GAP) for n in shared):
                continue
            count += 1
    return count


def _ends_beside(lines: Sequence[Poly], ends: Sequence[tuple[str, str]],
                 boxes: dict[str, Box]) -> int:
    """Segments whose end, prolonged by BESIDE pt, enters a step not at either end."""
    count = 0
    for line, (src, dst) in zip(lines, ends, strict=True):
        for (x0, y0), (x1, y1) in itertools.pairwise(line):
            length = math.hypot(x1 - x0, y1 - y0)
            if length < 1e-9:
                continue
            ux, uy = (x1 - x0) / length, (y1 - y0) / length
            # Exactly BESIDE away is not "closer than" it: the last probe
            # stops 1e-6 pt short, so rounding in the coordinates (4e-14 pt
            # measured) does not count a line as ending beside a step.
            for t in (3.0, BESIDE / 2, BESIDE - 1e-6):
                px, py = x1 + ux * t, y1 + uy * t
                hit = [n for n, b in boxes.items() if n not in (src, dst)
                       and b[0] < px < b[2] and b[1] < py < b[3]]
                if hit:
                    count += 1
                    break
    return count


# ---------------------------------------------------------------- the two layouts

AT_STEP = 40.0


def _proper_cross(p: Point, q: Point, r: Point, s: Point) -> Point | None:
    """Where segments p-q and r-s cross (not merely touch), if they do."""
    d = (q[0] - p[0]) * (s[1] - r[1]) - (q[1] - p[1]) * (s[0] - r[0])
    if abs(d) < 1e-12:
        return None
    t = ((r[0] - p[0]) * (s[1] - r[1]) - (r[1] - p[1]) * (s[0] - r[0])) / d
    u = ((r[0] - p[0]) * (q[1] - p[1]) - (r[1] - p[1]) * (q[0] - p[0])) / d
    if 1e-9 < t < 1 - 1e-9 and 1e-9 < u < 1 - 1e-9:
        return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))
    return None


def _at_step(lines: Sequence[Poly], ends: Sequence[tuple[str, str]],
             boxes: dict[str, Box]) -> int:
    """Crossings of two lines sharing a step, within AT_STEP pt of it (outside it)."""
    touching: dict[str, list[int]] = {}
    for i, (a, b) in enumerate(ends):
        for n in {a, b}:
            touching.setdefault(n, []).append(i)
    count = 0
    seen: set[tuple[int, int]] = set()
    for n, idx in touching.items():
        box = boxes[n]
        for i, j in itertools.combinations(idx, 2):
            if (i, j) in seen:
                continue
            seen.add((i, j))
            shared = [boxes[m] for m in set(ends[i]) & set(ends[j])]
            for (p, q), (r, s) in itertools.product(itertools.pairwise(lines[i]),
                                                    itertools.pairwise(lines[j])):
                x = _proper_cross(p, q, r, s)
                if x is not None and any(_near_box(*x, b, AT_STEP) and not _near_box(*x, b, 1.0)
                                         for b in shared or [box]):
                    count += 1
    return count


def _mq_model(nodes: dict[str, tuple[float, float, float, float]],
              edges: Sequence[tuple[str, str, Poly]]) -> Any:
    """A mapquality DotModel of boxes (cx, cy, w, h) and polylines, y up."""
    model = MQ.DotModel()
    for n, (x, y, w, h) in nodes.items():
        model.nodes[n] = {"pos": f"{x},{y}", "width": str(w / 72), "height": str(h / 72)}
    for s, t, line in edges:
        spline = " ".join(f"{x},{y}" for x, y in ([line[0], *_cubic(line)]))
        model.edges.append((s, t, {"pos": spline}))
    return model


def _cubic(line: Poly) -> list[Point]:
    """Control points after the first of a polyline written as straight cubics."""
    out: list[Point] = []
    for p, q in itertools.pairwise(line):
        out += [p, q, q]
    return out


def _common(bp: sm.Blueprint, boxes: dict[str, Box], lines: list[Poly],
            ends: list[tuple[str, str]], borders: list[tuple[float, float, float]],
            mq: dict[str, Any], rework: set[tuple[str, str]]) -> dict[str, Any]:
    """The measures defined here, plus the reference meter's (``rework``: the
    (source, target) pairs of the rework lines)."""
    simple = [_simplify(line) for line in lines]
    back = [_bends(line) for line, pair in zip(simple, ends, strict=True) if pair in rework]
    phase_of = {s.id: s.phase for s in bp.steps}
    phase_ok = True
    order = [p.id for p in bp.phases]
    spans = {p: (min((boxes[n][0] for n in boxes if phase_of.get(n) == p), default=None),
                 max((boxes[n][2] for n in boxes if phase_of.get(n) == p), default=None))
             for p in order}
    present = [spans[p] for p in order if spans[p][0] is not None]
    for (_, r), (left, _) in itertools.pairwise(present):
        if r is not None and left is not None and r >= left:
            phase_ok = False
    x0, y0, x1, y1 = mq["bbox"]
    steps = max(1, len(boxes))
    return {
        "steps": len(boxes),
        "edges": len(lines),
        "crossings": mq["crossings"],
        "bends_per_edge": sum(map(_bends, simple)) / max(1, len(lines)),
        "rework_bends": sum(back) / len(back) if back else None,  # no rework: not counted
        "rework_3plus": sum(1 for b in back if b > 2),
        "aspect": mq["aspect_ratio"],
        "area_per_step": (x1 - x0) * (y1 - y0) / steps,
        "width_per_step": (x1 - x0) / steps,
        "parallel_kpt": _parallel_length(simple, ends, boxes) / 1000,
        "border_kpt": _border_length(simple, borders) / 1000,
        "false_junctions": _false_junctions(simple, ends, boxes),
        "ends_beside": _ends_beside(simple, ends, boxes),
        "at_step": _at_step(simple, ends, boxes),
        "overlaps": mq["node_overlaps"],
        "through": mq["edges_through_nodes"],
        "lane_ok": bool(mq.get("lane_order_ok") in (True, None)),
        "phase_ok": phase_ok,
    }


def measure_servicemap(bp: sm.Blueprint) -> tuple[dict[str, Any], Layout]:
    """servicemap's layout of ``bp``, measured (y flipped to Graphviz's y-up)."""
    t0 = time.perf_counter()
    lay = compute_layout(bp)
    elapsed = time.perf_counter() - t0
    h = lay.height
    nodes = {n.id: (n.x, h - n.y, n.width, n.height) for n in lay.nodes.values()}
    lines = [[(x, h - y) for x, y in e.points] for e in lay.edges]
    ends = [(e.source, e.target) for e in lay.edges]
    edges = [(e.source, e.target, line) for e, line in zip(lay.edges, lines, strict=True)]
    model = _mq_model(nodes, edges)
    step_lane, lanes = _lanes(bp)
    mq, _ = MQ.measure(model, step_lane, lanes, "yaml")
    if any(n.kind == "parallel" for n in lay.nodes.values()):
        # A bar may span its branches' lanes by design (docs/rendering.md): lane
        # order takes it where it lies in its own lane, as the BPMN export does.
        homes = {n.id: _home(n, lay) for n in lay.nodes.values()}
        home_nodes = {k: (x, h - y, w, hh) for k, (x, y, w, hh) in homes.items()}
        mq["lane_order_ok"] = MQ.measure(_mq_model(home_nodes, edges), step_lane, lanes,
                                         "yaml")[0]["lane_order_ok"]
    boxes = {n: (x - w / 2, y - hh / 2, x + w / 2, y + hh / 2)
             for n, (x, y, w, hh) in nodes.items()}
    borders = [(h - b.bottom, lay.header_width, lay.width) for b in lay.bands[:-1]]
    borders += [(h - ln.y, lay.header_width, lay.width) for ln in lay.lines]
    rework = {(e.source, e.target) for e in lay.edges if e.rework}
    res = _common(bp, boxes, lines, ends, borders, mq, rework)
    res["seconds"] = elapsed
    return res, lay


def trunk_crossings(bp: sm.Blueprint, lay: Layout) -> tuple[int, int]:
    """Crossings of ``lay`` as drawn and with its fan-in merged into trunks.

    The alternative the layout issue asked for, measured on the same lines:
    where two or more lines enter one step's left side from vertical runs in
    the gap before it, they are moved onto one run (the leftmost) and one
    port (the first line's), so they join and go on as one line. The
    reference meter counts every point where two lines meet (ends included),
    so each join counts; dot's edges into a step converge only at it.
    Returns the two crossing counts.
    """
    h = lay.height
    nodes = {n.id: (n.x, h - n.y, n.width, n.height) for n in lay.nodes.values()}
    lines = [[(x, h - y) for x, y in e.points] for e in lay.edges]
    groups: dict[str, list[int]] = {}
    for k, (e, line) in enumerate(zip(lay.edges, lines, strict=True)):
        if len(line) >= 4:
            (x0, y0), (x1, y1), (x2, y2) = line[-3:]
            if abs(x0 - x1) < 0.01 and abs(y1 - y2) < 0.01 and x2 > x1 and abs(y0 - y1) > 0.01:
                groups.setdefault(e.target, []).append(k)
    merged = [list(line) for line in lines]
    for members in groups.values():
        if len(members) < 2:
            continue
        x = min(lines[k][-2][0] for k in members)
        port = lines[members[0]][-2][1], lines[members[0]][-1][0]
        for k in members:
            line = merged[k]
            line[-3] = (x, line[-3][1])
            line[-2], line[-1] = (x, port[0]), (port[1], port[0])
    step_lane, lanes = _lanes(bp)
    counts = []
    for variant in (lines, merged):
        edges = [(e.source, e.target, line) for e, line in zip(lay.edges, variant, strict=True)]
        counts.append(int(MQ.measure(_mq_model(nodes, edges), step_lane, lanes, "yaml")[0]
                          ["crossings"]))
    return counts[0], counts[1]


def trunk_tracks(bp: sm.Blueprint) -> tuple[int, int]:
    """Gap tracks of ``bp``'s planned routes, without and with fan-in trunks.

    Each gap's vertical runs are coloured into tracks (a run reaching the
    routes' clear stretch, ``CLEAR``, beyond its end), first as planned, then
    with the runs into one step's left side from that gap as one run: the
    tracks trunks would save. Interval colouring both times, so the two
    counts compare like with like.
    """
    grid = place(bp)
    plan = plan_routes(grid)
    lane = {name: k for k, name in enumerate(grid.lanes)}

    def key(sid: str, dy: float) -> tuple[int, int, float]:
        sl = grid.slots[sid]
        return lane[sl.lane], 2 * sl.row + 1, dy

    runs: dict[int, list[tuple[Any, Any, str | None]]] = {}
    for r in plan.routes:
        if r.kind == "loop" or r.edge[2] < 0:
            continue
        ya, yb = key(r.edge[0], r.out_dy), key(r.edge[1], r.in_dy)
        if r.kind in ("direct", "early") and ya != yb:
            into = r.edge[1] if r.kind == "direct" else None
            runs.setdefault(r.gap1 if r.kind == "early" else r.gap2, []).append(
                (min(ya, yb), max(ya, yb), into))
        elif r.corridor is not None:
            yc = (lane[r.corridor[0]], 2 * r.corridor[1], float(r.ctrack))
            if not r.exit:
                runs.setdefault(r.gap1, []).append((min(ya, yc), max(ya, yc), None))
            if not r.enter:
                runs.setdefault(r.gap2, []).append((min(yb, yc), max(yb, yc), r.edge[1]))
    counts = [0, 0]
    for items in runs.values():
        trunks: dict[str, tuple[Any, Any]] = {}
        alone = []
        for lo, hi, into in items:
            if into is None:
                alone.append((lo, hi))
            else:
                a, b = trunks.get(into, (lo, hi))
                trunks[into] = min(a, lo), max(b, hi)
        for k, spans in enumerate(([(lo, hi) for lo, hi, _ in items],
                                   alone + list(trunks.values()))):
            counts[k] += assign_tracks([(lo, (hi[0], hi[1], hi[2] + CLEAR))
                                        for lo, hi in spans])[1]
    return counts[0], counts[1]


def _home(n: NodeBox, lay: Layout) -> tuple[float, float, float, float]:
    """``(x, y, width, height)`` of a step (y down); a parallel bar's part in its own lane."""
    band = next((b for b in lay.bands if b.id == n.lane), None)
    if n.kind != "parallel" or band is None:
        return n.x, n.y, n.width, n.height
    lo, hi = max(n.top, band.top), min(n.bottom, band.bottom)
    return n.x, (lo + hi) / 2, n.width, hi - lo


def _lanes(bp: sm.Blueprint) -> tuple[dict[str, str], list[str]]:
    step_lane = {s.id: s.lane or "\x00" for s in bp.steps}
    lanes = [lane.id for lane in bp.lanes] + ["\x00"]
    return step_lane, lanes


def measure_dot(bp: sm.Blueprint, lay: Layout) -> dict[str, Any]:
    """Plain dot's layout of the same graph (cluster per lane, same sizes), measured."""
    import pygraphviz as pgv

    g = pgv.AGraph(directed=True, strict=False, rankdir="LR", newrank="true")
    g.node_attr.update(shape="box", fixedsize="true", fontsize="10")
    by_lane: dict[str, list[str]] = {}
    for n in lay.nodes.values():
        by_lane.setdefault(n.lane or "", []).append(n.id)
        _, _, w, hh = _home(n, lay)  # dot gets a bar's size in its own lane
        g.add_node(n.id, width=w / 72, height=hh / 72, label="")
    for k, lane in enumerate(lane.id for lane in bp.lanes):
        if by_lane.get(lane):
            g.add_subgraph(by_lane[lane], name=f"cluster_{k}", label=lane)
    for e in lay.edges:
        attrs = {"label": " ".join(e.label_lines)} if e.label else {}
        g.add_edge(e.source, e.target, **attrs)
    t0 = time.perf_counter()
    g.layout(prog="dot")
    elapsed = time.perf_counter() - t0
    model = MQ.DotModel()
    for n in g.nodes_iter():
        model.nodes[str(n)] = {k: n.attr.get(k) for k in ("pos", "width", "height")
                               if n.attr.get(k)}
    lines: list[Poly] = []
    ends: list[tuple[str, str]] = []
    for e in g.edges_iter():
        pos = e.attr.get("pos")
        model.edges.append((str(e[0]), str(e[1]), {"pos": pos}))
        polys = MQ.parse_edge_pos(pos) or []
        for line in polys:
            lines.append(line)
            ends.append((str(e[0]), str(e[1])))
    step_lane, lanes = _lanes(bp)
    mq, _ = MQ.measure(model, step_lane, lanes, "yaml")
    boxes = {}
    for n, a in model.nodes.items():
        b = MQ.node_box(a)
        boxes[n] = (b[2], b[3], b[4], b[5])
    borders = []
    for sub in g.subgraphs_iter():
        bb = sub.graph_attr.get("bb")
        if bb:
            bx0, by0, bx1, by1 = (float(v) for v in bb.split(","))
            borders += [(by0, bx0, bx1), (by1, bx0, bx1)]
    rework = {(e.source, e.target) for e in lay.edges if e.rework}
    res = _common(bp, boxes, lines, ends, borders, mq, rework)
    res["seconds"] = elapsed
    return res


# ---------------------------------------------------------------- the run

COLUMNS = ["crossings", "bends_per_edge", "rework_bends", "rework_3plus", "aspect",
           "area_per_step", "width_per_step", "parallel_kpt", "border_kpt", "false_junctions",
           "ends_beside", "at_step", "overlaps", "through", "lane_ok", "phase_ok"]
WORST_IS_MIN = {"lane_ok", "phase_ok"}


def _maps(count: int) -> list[tuple[str, sm.Blueprint]]:
    out = [(p.stem, sm.load(p)) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    for k in range(count):
        n = 10 + round(290 * k / max(1, count - 1))
        out.append((f"gen{n}s{k % 5}", sm.loads(generate_map(n, seed=k % 5))))
    for k in range(count):
        n = 10 + round(190 * k / max(1, count - 1))
        out.append((f"branch{n}s{k}", sm.loads(generate_branching_map(n, seed=k))))
    return out


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"
    return str(v)


def _summary(rows: list[dict[str, Any]], key: str) -> tuple[str, str]:
    vals = [r[key] for r in rows if r[key] is not None]
    if not vals:
        return "-", "-"
    if key in WORST_IS_MIN:
        share = sum(map(bool, vals)) / len(vals)
        return f"{100 * share:.0f}%", "yes" if all(vals) else "NO"
    return _fmt(statistics.median(vals)), _fmt(max(vals))


def _table(title: str, sm_rows: list[dict[str, Any]], dot_rows: list[dict[str, Any]]) -> None:
    print(f"\n{title} ({len(sm_rows)} maps): median (worst)")
    print(f"| {'measure':<16} | {'servicemap':>18} | {'plain dot':>18} |")
    print(f"|{'-' * 18}|{'-' * 20}|{'-' * 20}|")
    for key in COLUMNS:
        a = "{} ({})".format(*_summary(sm_rows, key))
        b = "{} ({})".format(*_summary(dot_rows, key))
        print(f"| {key:<16} | {a:>18} | {b:>18} |")


def _best_time(run: Callable[[], object], repeat: int) -> float:
    """The least wall time of ``repeat`` calls of ``run``, after a garbage collection."""
    best = math.inf
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


def _linear_reference(bp: sm.Blueprint) -> None:
    """A linear-time baseline on the same graph: networkx's O(n + m) strongly
    connected components, condensation and longest path.

    Wall time on a machine grows faster than the operation count once the
    data outgrows the caches; this reference, timed in the same run on the
    same graphs, shows how much of the growth is the machine's.
    """
    g = nx.DiGraph([(s.id, t) for s in bp.steps for t in s.targets()])
    nx.dag_longest_path_length(nx.condensation(g))


def _calls(bp: sm.Blueprint) -> int:
    """Python function calls made by one layout: the operation count, free of
    the machine's caches (built-in calls such as ``sorted`` count once)."""
    profile = cProfile.Profile()
    profile.runcall(compute_layout, bp)
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def _speed(log: Callable[[str], None], sizes: Sequence[int] = (2000, 10000, 20000)) -> None:
    """Time the layout at ``sizes`` steps, each against the first size's time,
    beside the same growth of a linear reference and of the operation count."""
    base: tuple[float, float, int] | None = None
    for n in sizes:
        bp = sm.loads(generate_map(n, seed=1))
        took = _best_time(functools.partial(compute_layout, bp), 3 if n <= 10000 else 1)
        ref = _best_time(functools.partial(_linear_reference, bp), 3)
        calls = _calls(bp)
        base = base or (took, ref, calls)
        nlogn = (n * math.log(n)) / (sizes[0] * math.log(sizes[0]))
        log(f"layout of {n:>6} steps: {took:.3f} s, x{took / base[0]:.1f} the {sizes[0]}-step "
            f"time; linear reference x{ref / base[1]:.1f} (layout against it: "
            f"x{took / base[0] / (ref / base[1]):.2f}); Python calls x{calls / base[2]:.1f} "
            f"(n log n predicts x{nlogn:.1f})")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--maps", type=int, default=50)
    ap.add_argument("--quick", action="store_true", help="12 generated maps")
    ap.add_argument("--per-map", action="store_true")
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--speed-100k", action="store_true")
    ap.add_argument("--trunks", action="store_true",
                    help="also count crossings with fan-in merged into trunks")
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    maps = _maps(12 if a.quick else a.maps)
    results = []
    trunks: list[tuple[int, int, int, int]] = []
    for name, bp in maps:
        s, lay = measure_servicemap(bp)
        d = measure_dot(bp, lay)
        results.append((name, s, d))
        if a.trunks and name.startswith("branch"):
            trunks.append((*trunk_crossings(bp, lay), *trunk_tracks(bp)))
        if a.per_map:
            print(f"{name:<28} " + "  ".join(f"{k[:6]}={_fmt(s[k])}/{_fmt(d[k])}"
                                              for k in COLUMNS), flush=True)
    ex = [(s, d) for name, s, d in results if not name.startswith(("gen", "branch"))]
    gen = [(s, d) for name, s, d in results if name.startswith("gen")]
    branch = [(s, d) for name, s, d in results if name.startswith("branch")]
    _table("examples", [s for s, _ in ex], [d for _, d in ex])
    _table("generated chains, 10-300 steps", [s for s, _ in gen], [d for _, d in gen])
    _table("generated branching maps, 10-200 steps", [s for s, _ in branch],
           [d for _, d in branch])
    if trunks:
        drawn, joined, tracks, trunked = zip(*trunks, strict=True)
        print(f"\nfan-in merged into trunks ({len(trunks)} branching maps): crossings "
              f"median {statistics.median(joined)} (worst {max(joined)}, sum {sum(joined)}); "
              f"as drawn {statistics.median(drawn)} (worst {max(drawn)}, sum {sum(drawn)}); "
              f"gap tracks (interval colouring) {sum(trunked)} against {sum(tracks)}")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1))
    if a.speed:
        _speed(print)
    if a.speed_100k:
        _speed(print, (10000, 100000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
