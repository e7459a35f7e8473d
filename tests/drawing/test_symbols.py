"""Tests of step symbols as Graphviz draws them: a recovery step's green border kept
under a highlight, the highlight shown as a ring inside it, and the legend saying so."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as DET
import pytest

import servicemap
from servicemap.api import render_pages
from servicemap.drawing import KeyEntry, StepStyle, merge_styles, problem_styles, render_layout
from servicemap.drawing.style import Colors
from servicemap.highlight import CRITICAL, styles_from_analysis
from servicemap.layout import compute_layout
from servicemap.model import Blueprint
from servicemap.text import wrap

SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"
GREEN = Colors().recovery

EVERY_KIND = Blueprint.model_validate({
    "name": "Rings on every shape",
    "lanes": [{"id": "c", "label": "Customer", "layer": "customer"},
              {"id": "s", "label": "Staff", "layer": "onstage"}],
    "steps": [
        {"id": "a", "kind": "terminator", "lane": "c", "label": "Starts here", "recovery": True,
         "next": "b"},
        {"id": "b", "kind": "delay", "lane": "c", "label": "Waits a while", "recovery": True,
         "next": "q"},
        {"id": "q", "kind": "decision", "lane": "s", "label": "Is it long?", "recovery": True,
         "next": [{"to": "d", "label": "yes"}, {"to": "e", "label": "no"}]},
        {"id": "d", "kind": "document", "lane": "s", "label": "A letter", "recovery": True,
         "next": "f"},
        {"id": "e", "kind": "predefined", "lane": "s", "label": "Subprocess", "recovery": True,
         "next": "f"},
        {"id": "f", "kind": "connector", "lane": "s", "label": "A", "recovery": True,
         "next": "p"},
        {"id": "p", "kind": "parallel", "lane": "s", "label": "both", "recovery": True,
         "next": ["g", "h"]},
        {"id": "g", "kind": "task", "lane": "s", "label": "One branch", "recovery": True,
         "next": "j"},
        {"id": "h", "kind": "task", "lane": "c", "label": "Other branch", "next": "j"},
        {"id": "j", "kind": "parallel", "lane": "s", "label": "joined", "next": "z"},
        {"id": "z", "kind": "terminator", "lane": "c", "label": "Ends", "recovery": True}],
})


def svg_of(data: bytes) -> Element:
    root: Element = DET.fromstring(data)
    return root


def strokes_by_tooltip(root: Element) -> dict[str, list[tuple[str, str, str]]]:
    """(tag, stroke, fill) of every drawn shape, by the first line of its tooltip."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for link in root.iter(f"{SVG}a"):
        title = (link.get(XLINK_TITLE) or "").split("\n")[0]
        for shape in link:
            if shape.tag in (f"{SVG}polygon", f"{SVG}path", f"{SVG}ellipse"):
                found.setdefault(title, []).append(
                    (shape.tag[len(SVG):], shape.get("stroke", ""), shape.get("fill", "")))
    return found


def bbox(polygon: Element) -> tuple[float, float, float, float]:
    pts = [tuple(map(float, p.split(","))) for p in (polygon.get("points") or "").split()]
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    return min(xs), min(ys), max(xs), max(ys)


def polygons(root: Element, stroke: str) -> Iterator[Element]:
    return (p for p in root.iter(f"{SVG}polygon") if p.get("stroke") == stroke)


def inside(inner: tuple[float, float, float, float],
           outer: tuple[float, float, float, float], by: float) -> bool:
    return (inner[0] >= outer[0] + by and inner[1] >= outer[1] + by
            and inner[2] <= outer[2] - by and inner[3] <= outer[3] - by)


def test_a_recovery_step_on_the_critical_path_keeps_green_with_purple_inside() -> None:
    # The defect: with --highlight the substitute step (recovery: true, on the
    # critical path) was drawn with only the purple border while the legend
    # still explained green as "service recovery step".
    bp = servicemap.load(Path("examples/order_parallel.yaml"))
    assert bp.steps_by_id["substitute"].recovery
    root = svg_of(servicemap.render(bp, format="svg", highlight=True, legend=True))
    shapes = strokes_by_tooltip(root)["Fetches a substitute part"]
    assert {stroke for _tag, stroke, _fill in shapes} == {GREEN, CRITICAL}
    greens = [bbox(p) for p in polygons(root, GREEN)]
    purples = [bbox(p) for p in polygons(root, CRITICAL)]
    # The step and the legend's sample of the pairing: each a green border with a
    # purple one at least 1.5 pt inside it (the gap of the step's fill).
    rings = [(g, p) for g in greens for p in purples if inside(p, g, 1.5)]
    assert len(rings) == 2
    # The label starts inside the step's ring.
    lines = compute_layout(bp).nodes["substitute"].label_lines
    texts = [t for t in root.iter(f"{SVG}text") if t.text in lines]
    assert len(texts) == len(lines) >= 2
    assert any(all(ring[0] < float(t.get("x") or 0) and ring[1] < float(t.get("y") or 0)
                   < ring[3] for t in texts) for _g, ring in rings)
    words = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "service recovery step" in words
    assert "service recovery step, also critical path" in words
    # A step on the critical path that is not a recovery step: purple border, no ring.
    assert {s for _t, s, _f in strokes_by_tooltip(root)["Packs the order"]} == {CRITICAL}


def root_height(root: Element) -> float:
    """The drawing's height in points (its viewBox), the y of its SVG coordinates being
    negative upwards from the bottom in Graphviz's output."""
    return float((root.get("viewBox") or "0 0 0 0").split()[3])


@pytest.mark.parametrize("legend", [True, False])
def test_every_symbol_shows_its_ring_inside_the_green_border(legend: bool) -> None:
    layout = compute_layout(EVERY_KIND)
    purple = "#6a1b9a"
    styles = {s.id: StepStyle(color=purple, penwidth=3.0, badge="figures" if s.id == "g" else None)
              for s in EVERY_KIND.steps}
    key = [KeyEntry("on a path (of some kind)", color=purple)]
    data = render_layout(EVERY_KIND, layout, format="svg", styles=styles, key=key, legend=legend)
    root = svg_of(data)
    shapes = strokes_by_tooltip(root)
    for step in EVERY_KIND.steps:
        title = step.label or step.id
        strokes = {stroke for _tag, stroke, _fill in shapes[title]}
        if step.kind == "parallel" and step.recovery:  # too thin for a ring: filled purple
            assert strokes == {GREEN} and {f for _t, _s, f in shapes[title]} >= {purple}
        elif step.recovery:
            assert {GREEN, purple} <= strokes, title
        else:
            assert GREEN not in strokes, title
    words = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    # The key names the pairing whether or not the legend is drawn, and only once.
    assert words.count("service recovery step, also on a path") == 1
    assert ("service recovery step " in words + " ") is legend
    # The tag of a recovery step has the colour of its mark (the ring), not green.
    dot = render_layout(EVERY_KIND, layout, format="dot", styles=styles, key=key).decode()
    (tag,) = [line for line in dot.splitlines() if 'class="tag"' in line]
    assert f'COLOR="{purple}"' in tag


def test_every_flow_line_still_ends_at_its_step_with_rings_drawn() -> None:
    # A ring is a node drawn after its step's node; the lines must still name the
    # step's own node (a wrong name left Graphviz with a node without position,
    # and an empty drawing).
    layout = compute_layout(EVERY_KIND)
    styles = {s.id: StepStyle(color="#6a1b9a", penwidth=3.0) for s in EVERY_KIND.steps}
    dot = render_layout(EVERY_KIND, layout, format="dot", styles=styles).decode()
    positioned = set(re.findall(r'^(\w+) \[.*\bpos="', dot, flags=re.MULTILINE))
    ends = re.findall(r"^(\w+) -> (\w+) ", dot, flags=re.MULTILINE)
    assert len(ends) >= len(layout.edges)
    assert all(a in positioned and b in positioned for a, b in ends)
    root = svg_of(render_layout(EVERY_KIND, layout, format="svg", styles=styles))
    assert root_height(root) > layout.height - 1
    # Styles without a key or legend: no key is drawn for the pairings either.
    assert not any("also" in (t.text or "") for t in root.iter(f"{SVG}text"))
    flows = [e for e in root.iter(f"{SVG}g") if e.get("class") == "edge"
             and any("(flow)" in (a.get(XLINK_TITLE) or "") for a in e.iter(f"{SVG}a"))]
    assert len(flows) == len(layout.edges)


def drawn_strokes_and_fills(root: Element) -> tuple[set[str], set[str]]:
    """The border and fill colours Graphviz drew for the steps (their rings too), not
    for the legend's samples: from the groups classed ``step`` or ``ring``."""
    strokes: set[str] = set()
    fills: set[str] = set()
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "step" in classes or "ring" in classes:
            for shape in group.iter():
                if shape.tag in (f"{SVG}polygon", f"{SVG}path", f"{SVG}ellipse"):
                    strokes.add(shape.get("stroke", ""))
                    fills.add(shape.get("fill", ""))
    return strokes, fills


@pytest.mark.parametrize("path", sorted(Path("examples").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_colour_the_key_explains_is_drawn_on_a_step(path: Path) -> None:
    # As `render --highlight` builds them: the analysis's styles, then the check
    # problems' marks over them. returned_payment's bottleneck is also a step that
    # breaks a check rule: its orange border was drawn over in magenta and the key
    # explained an orange that was nowhere.
    bp = servicemap.load(path)
    styles, key = styles_from_analysis(servicemap.analyze(bp, percentile_cases=0))
    marked, marks_key = problem_styles(servicemap.check(bp))
    styles, key = merge_styles(styles, marked), [*key, *marks_key]
    data = render_layout(bp, compute_layout(bp), format="svg", styles=styles, key=key,
                         legend=True)
    strokes, fills = drawn_strokes_and_fills(svg_of(data))
    for entry in key:
        assert entry.color is None or entry.color in strokes, (entry.label, entry.color)
        assert entry.fill is None or entry.fill in fills, (entry.label, entry.fill)
    if any(step.recovery for step in bp.steps):
        assert GREEN in strokes
    words = " ".join(t.text or "" for t in svg_of(data).iter(f"{SVG}text"))
    if path.stem == "returned_payment":
        assert "breaks a check rule, also bottleneck" in words


def test_a_recovery_step_with_a_problem_mark_over_a_highlight_shows_all_three() -> None:
    layout = compute_layout(EVERY_KIND)
    magenta, orange = "#d81b60", "#e65100"
    styles = {s.id: StepStyle(color=magenta, penwidth=3.0, ring=orange)
              for s in EVERY_KIND.steps}
    root = svg_of(render_layout(EVERY_KIND, layout, format="svg", styles=styles))
    # A recovery box: green, magenta 1.5 pt inside it, orange 1.5 pt inside that.
    boxes = {colour: [bbox(p) for p in polygons(root, colour)]
             for colour in (GREEN, magenta, orange)}
    nested = [(g, m, o) for g in boxes[GREEN] for m in boxes[magenta] for o in boxes[orange]
              if inside(m, g, 1.5) and inside(o, m, 1.5)]
    assert len(nested) >= 1
    shapes = strokes_by_tooltip(root)
    assert {s for _t, s, _f in shapes["One branch"]} == {GREEN, magenta, orange}
    assert {s for _t, s, _f in shapes["Other branch"]} == {magenta, orange}  # not recovery
    assert {s for _t, s, _f in shapes["A"]} == {GREEN, magenta}  # room for one ring only


@pytest.mark.parametrize("name", ["returned_payment", "service_desk"])
def test_each_page_of_a_split_map_keys_only_the_colours_drawn_on_it(name: str) -> None:
    # Each page had the whole map's key: page 2 of returned_payment explained the
    # bottleneck's orange, the time trap's teal and the check-problem magenta,
    # none of which is on it.
    bp = servicemap.load(Path("examples") / f"{name}.yaml")
    _styles, key = styles_from_analysis(servicemap.analyze(bp, percentile_cases=0))
    _marked, marks_key = problem_styles(servicemap.check(bp))
    key = [*key, *marks_key]
    pages = render_pages(bp, format="svg", highlight=True, legend=True)
    assert len(pages) > 2
    seen = set()
    for page in pages:
        root = svg_of(page)
        strokes, fills = drawn_strokes_and_fills(root)
        words = [t.text or "" for t in root.iter(f"{SVG}text")]
        for entry in key:
            lines = wrap(entry.label, 150, max_lines=2)  # as the legend wraps it
            drawn = (entry.color in strokes) if entry.color else (entry.fill in fills)
            assert all(line in words for line in lines) == drawn, (entry.label, pages.index(page))
            seen.add((entry.label, drawn))
    assert {drawn for _label, drawn in seen} == {True, False}  # some pages lack some
