"""Big maps on paper: page sizes, scaling, the raster-limit warning, pages split by phase."""

from __future__ import annotations

import io
import re
import sys
import warnings
from pathlib import Path

import pytest
from pypdf import PdfReader

import servicemap as sm
from servicemap.api import render_pages
from servicemap.drawing import RenderWarning, render_layout
from servicemap.drawing.split import split_by_phase
from servicemap.layout import compute_layout

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from mapgen import generate_map  # noqa: E402

FUTURE = ROOT / "examples" / "next_day_delivery_future.yaml"


def _boxes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height))
            for p in PdfReader(io.BytesIO(pdf)).pages]


def test_a3_pdf_is_an_a3_landscape_sheet_with_the_map_scaled_down() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdf = sm.render(FUTURE, format="pdf", page="A3")
    (w, h), = _boxes(pdf)
    assert abs(w - 1190.55) < 2 and abs(h - 841.89) < 2
    # The whole map on one A3 sheet is too small to read: said, never silent.
    assert any(issubclass(c.category, RenderWarning) and "below the 6 pt" in str(c.message)
               for c in caught)


def test_portrait_and_fit() -> None:
    bp = sm.loads("name: Tiny\nsteps: [{id: a, kind: terminator}]")
    (w, h), = _boxes(sm.render(bp, format="pdf", page="A4", portrait=True))
    assert abs(w - 595.28) < 2 and abs(h - 841.89) < 2
    (w, h), = _boxes(sm.render(bp, format="pdf", page="fit"))
    assert w < 300 and h < 300  # the drawing's own size, not a sheet


def test_a_small_map_on_a_page_is_not_enlarged_and_not_warned_about() -> None:
    bp = sm.loads("name: Tiny\nsteps: [{id: a, kind: terminator}]")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RenderWarning)
        dot = sm.render(bp, format="dot", page="A4").decode()
    assert "dpi=72," in dot and "cluster_page" in dot


def test_png_over_the_raster_limit_warns() -> None:
    bp = sm.loads(generate_map(400))
    layout = compute_layout(bp)
    assert layout.width * 96 / 72 > 32767
    with pytest.warns(RenderWarning, match="shrunk"):
        render_layout(bp, layout, format="png")


def _page_dots(bp: sm.Blueprint) -> list[str]:
    return [page.decode() for page in render_pages(bp, format="dot")]


def test_split_300_steps_into_a_multi_page_pdf_whose_connectors_match(tmp_path: Path) -> None:
    bp = sm.loads(generate_map(300))
    pages, links = split_by_phase(bp)
    out = tmp_path / "big.pdf"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RenderWarning)
        render_pages(bp, out, page="A3")
    reader = PdfReader(out)
    assert len(reader.pages) >= 1 + len(pages) >= 4  # long phases take several A3 pages
    text = [page.extract_text() for page in reader.pages]
    # A connector's label wraps like any step's: "A1 from p. 12:" may take two lines.
    outs = {(m.group(1), k + 1, int(m.group(2))) for k, t in enumerate(text)
            for m in re.finditer(r"([A-Z]\d+)\s+→\s+p\.\s+(\d+)", t)}
    ins = {(m.group(1), int(m.group(2)), k + 1) for k, t in enumerate(text)
           for m in re.finditer(r"([A-Z]\d+)\s+from\s+p\.\s+(\d+)", t)}
    assert outs and outs == ins  # every connector has its partner, page numbers agree
    assert len(outs) >= len(links) and len(outs) >= len(reader.pages) - 2


def test_split_connectors_match_in_the_dot_of_each_page() -> None:
    bp = sm.loads(generate_map(60))
    dots = _page_dots(bp)
    # A connector's label wraps like any step's: its lines joined, "A1 from p. 3:" reads whole.
    labels = [[lab.replace("<BR/>", " ") for lab in
               re.findall(r'shape="invhouse".*?label=<((?:[^<>]|<BR/>)*)>', d)] for d in dots]
    outs = {(m.group(1), k + 1, int(m.group(2))) for k, page in enumerate(labels)
            for lab in page for m in re.finditer(r"([A-Z]\d+) → p\. (\d+)", lab)}
    ins = {(m.group(1), int(m.group(2)), k + 1) for k, page in enumerate(labels)
           for lab in page for m in re.finditer(r"([A-Z]\d+) from p\. (\d+)", lab)}
    assert outs and outs == ins


def test_split_svg_writes_one_file_per_page(tmp_path: Path) -> None:
    bp = sm.loads(generate_map(30))
    pages = render_pages(bp, tmp_path / "m.svg")
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [f"m-{k}.svg" for k in range(1, len(pages) + 1)]


def test_evidence_row_is_drawn_in_pdf_and_can_be_left_out() -> None:
    with_row = sm.render(FUTURE, format="dot").decode()
    assert "Physical" in with_row and 'class="evidence"' in with_row
    without = sm.render(FUTURE, format="dot", evidence=False).decode()
    assert 'class="evidence"' not in without
    pdf = sm.render(FUTURE, format="pdf")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Physical" in text and "Checkout page" in text


def test_a3_split_pages_of_the_future_delivery_map_are_readable() -> None:
    bp = sm.load(FUTURE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_pages(bp, format="dot", page="A3")
    small = [str(c.message) for c in caught if issubclass(c.category, RenderWarning)]
    assert small == []  # every phase page at or above MIN_FONT (6 pt)
