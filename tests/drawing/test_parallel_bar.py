"""A parallel step is drawn as a thick bar across the flow, its label above it."""

from __future__ import annotations

from pathlib import Path

import servicemap as sm
from servicemap.layout import compute_layout
from servicemap.layout.grid import PARALLEL_BAR, step_size

EXAMPLE = Path(__file__).parents[2] / "examples" / "claim_parallel.yaml"


def test_the_bar_is_a_filled_thin_box_with_the_label_above() -> None:
    dot = sm.render(EXAMPLE, format="dot").decode()
    bars = [line for line in dot.splitlines() if 'class="step parallel"' in line]
    assert len(bars) == 2
    assert all('shape="box"' in b and 'style="filled"' in b and 'label=""' in b for b in bars)
    assert all(f'width="{PARALLEL_BAR[0] / 72:.4f}"' in b for b in bars)
    assert "label=<both done>" in dot


def test_the_box_keeps_room_for_the_label() -> None:
    w, h, lines = step_size("parallel", "assess and collect at once")
    assert w > PARALLEL_BAR[0] and h == PARALLEL_BAR[1] + 2 * 13.0 * len(lines)


def test_it_renders_with_a_legend() -> None:
    svg = sm.render(EXAMPLE, legend=True).decode()
    assert "parallel work (fork / join" in svg  # wrapped on two lines


def test_a_bar_spanning_its_branches_is_drawn_that_long() -> None:
    # claim_parallel's fork (in "Claims handling") splits into "assess" (its
    # own row) and "upload" (in "Customer", the lane above): the bar runs from
    # 12 pt above upload's centre to its own end 24 pt below assess's centre.
    lay = compute_layout(sm.load(EXAMPLE))
    upload, assess = lay.nodes["upload"].y, lay.nodes["assess"].y
    length = (assess + 24) - (upload - 12)
    dot = sm.render(EXAMPLE, format="dot").decode()
    fork = next(line for line in dot.splitlines()
                if 'class="step parallel"' in line and f'height="{length / 72:.4f}"' in line)
    assert f'width="{PARALLEL_BAR[0] / 72:.4f}"' in fork


def test_a_bar_on_the_critical_path_is_the_legends_dark_bar_with_a_purple_border() -> None:
    # The legend shows a parallel bar dark and the critical path as a purple border:
    # a critical bar was filled purple, a colour the legend gave no bar.
    import defusedxml.ElementTree as DET

    from servicemap.drawing.style import Colors
    from servicemap.highlight import CRITICAL

    svg = DET.fromstring(sm.render(EXAMPLE, format="svg", highlight=True, legend=True))
    bars = [shape for group in svg.iter("{http://www.w3.org/2000/svg}g")
            if "parallel" in (group.get("class") or "").split()
            for shape in group.iter("{http://www.w3.org/2000/svg}polygon")]
    assert len(bars) == 2
    for bar in bars:
        assert bar.get("fill") == Colors().ink and bar.get("stroke") == CRITICAL
        xs = [float(p.split(",")[0]) for p in (bar.get("points") or "").split()]
        # The stroke's middle runs 1.25 pt inside the 10 pt bar: 7.5 pt apart.
        assert abs(max(xs) - min(xs) - (PARALLEL_BAR[0] - 2.5)) < 0.05
