"""Layout properties on every example and on generated maps, checked without drawing."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import servicemap as sm
from servicemap.layout import compute_layout
from servicemap.layout.geometry import NodeBox
from servicemap.model import KINDS, LAYERS
from tests.helpers.layout_checks import (
    EXAMPLES,
    MARGIN,
    ROOT,
    assert_layout_properties,
    box_of,
    crosses,
    runs_along,
)


def test_runs_along_finds_lines_on_top_of_each_other() -> None:
    lay = compute_layout(sm.loads("""
name: t
steps:
  - {id: s, kind: terminator, next: e}
  - {id: e, kind: terminator}
"""))
    assert runs_along(lay) == []
    edge = lay.edges[0]
    twin = dataclasses.replace(edge, points=(edge.points[0], edge.points[-1]))
    assert runs_along(dataclasses.replace(lay, edges=[edge, twin])) == [(0, 1)]


def test_crosses_detects_a_line_through_a_box() -> None:
    box = box_of(NodeBox("n", 100, 100, 40, 20), MARGIN)
    assert crosses((0, 100), (200, 100), box)
    assert crosses((100, 0), (100, 300), box)
    assert crosses((0, 110.5), (200, 110.5), box)  # within the margin
    assert not crosses((0, 130), (200, 130), box)
    assert not crosses((0, 100), (78, 100), box)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_lay_out_cleanly(path: Path) -> None:
    bp = sm.load(path)
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    assert compute_layout(bp) == lay  # deterministic


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 3


@st.composite
def maps(draw: st.DrawFn) -> sm.Blueprint:
    """Random maps: lanes with layers (some lanes empty), phases, cycles, self-loops,
    duplicate branches, forks, steps without lane or phase, unreachable steps, long labels."""
    n = draw(st.integers(1, 30))
    lanes = [f"l{i}" for i in range(draw(st.integers(0, 5)))]
    phases = [f"p{i}" for i in range(draw(st.integers(0, 4)))]
    layers = draw(st.lists(st.sampled_from([None, *LAYERS]),
                           min_size=len(lanes), max_size=len(lanes)))
    kinds = list(KINDS)
    words = st.text(alphabet="abcdefghijk MWiI?-", max_size=50)
    steps = []
    for i in range(n):
        kind = draw(st.sampled_from(kinds))
        targets = draw(st.lists(st.integers(0, n - 1), max_size=4))
        step: dict[str, object] = {"id": f"s{i}", "kind": kind}
        if draw(st.booleans()):
            step["label"] = draw(words) or "x"
        if lanes and draw(st.integers(0, 9)) > 0:
            step["lane"] = draw(st.sampled_from(lanes))
        if phases and draw(st.integers(0, 9)) > 0:
            step["phase"] = draw(st.sampled_from(phases))
        if kind == "decision":
            step["next"] = [{"to": f"s{t}", "label": draw(st.sampled_from(["yes", "no", None])),
                             "failure": draw(st.booleans())} for t in targets]
        elif kind == "parallel" and targets:  # a fork: every branch runs
            step["next"] = [f"s{t}" for t in dict.fromkeys(targets)]
        elif targets:
            step["next"] = f"s{targets[0]}"
        steps.append(step)
    return sm.Blueprint.model_validate({
        "name": "generated",
        "lanes": [{"id": lane, "layer": layer} for lane, layer in zip(lanes, layers, strict=True)],
        "phases": [{"id": p} for p in phases],
        "steps": steps,
    })


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(maps())
def test_generated_maps_keep_layout_properties(bp: sm.Blueprint) -> None:
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)
    assert compute_layout(bp) == lay


_DIGEST = """
import hashlib, sys
import servicemap
from servicemap.layout import compute_layout
sys.path.insert(0, "benchmarks")
from mapgen import generate_map
digest = hashlib.sha256()
for path in sys.argv[1:]:
    digest.update(repr(compute_layout(servicemap.load(path))).encode())
digest.update(repr(compute_layout(servicemap.loads(generate_map(300)))).encode())
print(digest.hexdigest())
"""


def test_layout_is_the_same_under_any_hash_seed() -> None:
    digests = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT / "src")}
        out = subprocess.run([sys.executable, "-c", _DIGEST, *map(str, EXAMPLES)], cwd=ROOT,
                             env=env, capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_generated_benchmark_map_keeps_layout_properties() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from mapgen import generate_map

    bp = sm.loads(generate_map(200, seed=3))
    assert_layout_properties(bp, compute_layout(bp))
