"""Hostile text through the real layout and every drawing path: tags, key, split pages."""

from __future__ import annotations

import io
import re

import defusedxml.ElementTree as DET
import pygraphviz
import pytest
from pypdf import PdfReader

from servicemap.api import render_pages
from servicemap.drawing import KeyEntry, StepStyle, render_layout
from servicemap.layout import compute_layout
from tests.helpers.maps import HOSTILE, hostile_map

SVG = "{http://www.w3.org/2000/svg}"

# Beyond HOSTILE: record-label syntax, DOT escapes after a backslash, a long word.
TEXTS = [*HOSTILE, "a | b {c} <d> | {e|f}", '\\" \\\\ \\l \\n end', "Donaudampfschiff" * 12]


def styled(text: str) -> tuple[dict[str, StepStyle], list[KeyEntry]]:
    """Styles putting ``text`` in two tags (one on a recovery-free step, one with a
    comma so it may be broken) and in a key entry."""
    styles = {"doc": StepStyle(color="#d81b60", penwidth=3.0, badge=f"{text}, {text}"),
              "ask": StepStyle(color="#6a1b9a", penwidth=3.0, badge=text)}
    return styles, [KeyEntry(text, color="#d81b60")]


@pytest.mark.parametrize("text", TEXTS)
def test_hostile_text_in_tags_and_key_draws_in_every_format(text: str) -> None:
    bp = hostile_map(text)
    layout = compute_layout(bp)
    styles, key = styled(text)
    drawn = {fmt: render_layout(bp, layout, format=fmt, legend=True, styles=styles, key=key)
             for fmt in ("svg", "pdf", "png", "dot")}
    svg = DET.fromstring(drawn["svg"])
    width, height = map(float, (svg.get("viewBox") or "").split()[2:])
    assert width >= layout.width and height >= layout.height  # drawn whole, not empty
    words = [t.text for t in svg.iter(f"{SVG}text") if t.text]
    assert len(words) > 20
    first = text.split()[0] if text.split() else ""
    if first.isprintable() and len(first) < 12:  # a short printable word is drawn as itself
        assert any(first in w for w in words), first
    assert len(PdfReader(io.BytesIO(drawn["pdf"])).pages) == 1
    png = drawn["png"]
    assert png.startswith(b"\x89PNG") and int.from_bytes(png[16:20], "big") > 100
    g = pygraphviz.AGraph(string=drawn["dot"].decode())
    assert all(re.fullmatch(r"[a-z]+\d*", n) for n in g.nodes())
    tags = [n for n in g.nodes() if n.attr["class"] == "tag"]
    assert len(tags) == 2


@pytest.mark.filterwarnings("ignore::servicemap.drawing.RenderWarning")  # small text on A4
@pytest.mark.parametrize("text", [TEXTS[0], TEXTS[1], TEXTS[5], TEXTS[-3]])
def test_hostile_text_on_split_pages_and_their_connectors(text: str) -> None:
    # The off-page connectors carry the titles of the steps they lead to.
    bp = hostile_map(text)
    pages = render_pages(bp, format="svg", legend=True, page="A4")
    assert len(pages) == 3  # the overview, then a page per phase
    for page in pages:
        DET.fromstring(page)
    assert len(render_pages(bp, format="pdf", page="A4")) == 1


def test_a_line_break_in_a_tag_is_a_space() -> None:
    # A tag is one strip of figures: a badge with line breaks must not spill
    # lines out of its box (they were drawn as three lines in a one-line tag).
    bp = hostile_map("x")
    styles = {"doc": StepStyle(color="#d81b60", badge="two\nlines\r\nthree")}
    dot = render_layout(bp, compute_layout(bp), format="dot", styles=styles).decode()
    (tag,) = [line for line in dot.splitlines() if 'class="tag"' in line]
    assert "two lines three" in tag and "<BR/>" not in tag
