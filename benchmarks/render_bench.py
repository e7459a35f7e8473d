"""Render benchmark: our layout + pinned drawing against plain `dot` on the same maps.

Run from the repository root: ``PYTHONPATH=src python benchmarks/render_bench.py``.
For each size: ``servicemap.layout.compute_layout`` alone, then our layout plus
drawing SVG pinned; and, as the baseline in the same run, plain ``dot`` in the
same kind of worker process, lanes as clusters with ``newrank=true``, and the
ratio (plain dot / ours).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from mapgen import generate_map

import servicemap
from servicemap.drawing.dot import build_dot
from servicemap.drawing.worker import GraphvizWorker
from servicemap.layout import compute_layout

SIZES = (100, 500, 2000, 10_000)
PLAIN_DOT_LIMIT = 60.0


def plain_dot(bp: Any) -> str:
    """The map as plain DOT: lanes as clusters, flow edges, newrank."""
    index = {s.id: i for i, s in enumerate(bp.steps)}
    lines = ["digraph g {", "graph [rankdir=LR, newrank=true];", "node [shape=box];"]
    for lane in bp.lanes:
        members = " ".join(f"n{index[s.id]};" for s in bp.steps if s.lane == lane.id)
        lines.append(f"subgraph cluster_{lane.id.replace('-', '_')} {{ {members} }}")
    for step, _j, target, _b in bp.iter_flows():
        lines.append(f"n{index[step.id]} -> n{index[target]};")
    lines.append("}")
    return "\n".join(lines)


def main() -> None:
    print(f"{'steps':>7} {'layout s':>9} {'ours svg s':>11} {'plain dot s':>12} {'ratio':>7}")
    worker = GraphvizWorker()
    worker.draw(b"digraph { a [pos=\"1,1!\"] }", "svg", timeout=60)  # start the process
    plain_seconds: dict[int, float] = {}
    for n in SIZES:
        bp = servicemap.loads(generate_map(n))
        t0 = time.perf_counter()
        layout = compute_layout(bp)
        t1 = time.perf_counter()
        dot = build_dot(bp, layout).encode()
        worker.draw(dot, "svg", timeout=600)
        t2 = time.perf_counter()
        ours = t2 - t0
        previous = plain_seconds.get(2000)
        if n > 2000 and previous is not None and previous * (n / 2000) ** 1.5 > PLAIN_DOT_LIMIT:
            print(f"{len(bp.steps):>7} {t1 - t0:>9.3f} {ours:>11.3f} {'skipped':>12} {'-':>7}"
                  f"  (plain dot estimated > {PLAIN_DOT_LIMIT:.0f} s from "
                  f"{previous:.1f} s at 2000)")
            continue
        t3 = time.perf_counter()
        try:
            worker.draw(plain_dot(bp).encode(), "svg", prog="dot", timeout=PLAIN_DOT_LIMIT)
            plain = time.perf_counter() - t3
            plain_seconds[n] = plain
            print(f"{len(bp.steps):>7} {t1 - t0:>9.3f} {ours:>11.3f} {plain:>12.3f}"
                  f" {plain / ours:>6.1f}x")
        except servicemap.RenderError:
            print(f"{len(bp.steps):>7} {t1 - t0:>9.3f} {ours:>11.3f} "
                  f"{'>' + str(int(PLAIN_DOT_LIMIT)) + ' s':>12} {'-':>7}")
    worker.close()


if __name__ == "__main__":
    main()
