"""A map split into pages: the overview is a thumbnail, warnings give advice that helps."""

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
from servicemap.drawing import RenderWarning
from servicemap.drawing.pages import PAGE_MARGIN, PNG_DPI, png_size, raster_warning
from servicemap.layout import compute_layout

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from mapgen import generate_map  # noqa: E402

EXAMPLES = ROOT / "examples"
A3_LONG, A3_SHORT = 1190.55, 841.89  # ISO 216: 420 x 297 mm in points


def _boxes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height))
            for p in PdfReader(io.BytesIO(pdf)).pages]


def _render_warnings(**kwargs: object) -> tuple[list[bytes], list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pages = render_pages(**kwargs)  # type: ignore[arg-type]
    return pages, [str(c.message) for c in caught if issubclass(c.category, RenderWarning)]


@pytest.fixture(scope="module")
def big() -> sm.Blueprint:
    return sm.loads(generate_map(300))


def test_overview_without_a_page_is_a_thumbnail_of_the_whole_map(big: sm.Blueprint) -> None:
    whole = compute_layout(big)
    assert whole.width > 10 * A3_LONG  # a map far wider than any sheet
    pdf, = render_pages(big, format="pdf")
    boxes = _boxes(pdf)
    (w, h), phases = boxes[0], boxes[1:]
    # Each phase page is its drawing's own size, more than A3 wide: so the overview
    # fits A3 landscape (1190.55 pt wide) and its page is cut round the scaled map.
    assert min(pw for pw, _ in phases) > A3_LONG
    assert abs(w - A3_LONG) < 1
    # Width-bound: scale = (1190.55 - 2 * 18) / map width; height = map height x scale
    # + 2 * 18 pt, the map's height being at least the layout's (a key may add to it).
    scale = (A3_LONG - 2 * PAGE_MARGIN) / whole.width
    assert whole.height * scale + 2 * PAGE_MARGIN - 1 <= h < A3_SHORT
    assert h < min(ph for _, ph in phases)
    # It is the whole map: every step's title is on page 1 (as text, if tiny).
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert big.steps[0].title.split()[0] in text and big.steps[-1].title.split()[0] in text


def test_overview_is_no_larger_than_the_largest_phase_page() -> None:
    bp = sm.load(EXAMPLES / "order_fulfilment.yaml")
    pdf, = render_pages(bp, format="pdf")
    (w, h), *phases = _boxes(pdf)
    # The whole map is wider than any phase page; the overview is scaled into the
    # largest phase page's width (give or take Graphviz's 7.2 pt pad on each side).
    widest = max(pw for pw, _ in phases)
    assert compute_layout(bp).width > widest
    assert w <= widest + 1 and h <= max(ph for _, ph in phases) + 1


def test_overview_png_is_small_and_not_warned_about(big: sm.Blueprint) -> None:
    pages, said = _render_warnings(target=big, format="png")
    assert said == []  # the phase pages fit cairo; the overview is a thumbnail
    (width, height), *phases = [png_size(page) or (0, 0) for page in pages]
    # A3 landscape at 96 pixels per inch, as the other pages are drawn without a
    # sheet: 1190.55 / 72 * 96 = 1587.4 px (cairo rounds up); so narrower than they.
    assert 1585 <= width <= A3_LONG / 72 * PNG_DPI + 3 and height < width / 4
    assert width < min(w for w, _ in phases)


def test_overview_on_a_page_gives_no_small_text_warning(big: sm.Blueprint) -> None:
    _, said = _render_warnings(target=big, format="dot", page="A3")
    assert not [m for m in said if "overview" in m or "the map on" in m]


def test_one_sheet_too_small_names_the_split_command_that_reads() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sm.render(EXAMPLES / "next_day_delivery_future.yaml", format="dot", page="A3")
    said, = [str(c.message) for c in caught if issubclass(c.category, RenderWarning)]
    assert "below the 6 pt readable in print" in said
    assert "--page A3 --split phase" in said
    # ... and that command's pages read: no warning but for none (the overview is exempt).
    _, split_said = _render_warnings(target=sm.load(EXAMPLES / "next_day_delivery_future.yaml"),
                                     format="dot", page="A3")
    assert split_said == []


def test_a_page_of_a_split_map_is_not_told_to_split() -> None:
    # On A4 one part of returned_payment's middle phase is too tall: every lane, the key.
    _, said = _render_warnings(target=sm.load(EXAMPLES / "returned_payment.yaml"),
                               format="dot", page="A4")
    assert said, "expected a small-text warning on A4"
    for message in said:
        assert "--split" not in message
        assert message.startswith("page ") and " of " in message
        assert "--portrait" in message or "larger --page" in message
    # The advice helps: the same pages upright read, without a warning.
    _, upright = _render_warnings(target=sm.load(EXAMPLES / "returned_payment.yaml"),
                                  format="dot", page="A4", portrait=True)
    assert upright == []


def test_raster_advice_on_a_split_page_does_not_say_split() -> None:
    head = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR"
    shrunk = head + (32767).to_bytes(4, "big") + (437).to_bytes(4, "big")
    # 30000 pt at 96 dpi would be 40000 px: shrunk to 32767 / 40000 = 82 %.
    alone = raster_warning(shrunk, 30000, 400, 96)
    on_page = raster_warning(shrunk, 30000, 400, 96, split=True)
    assert alone is not None and "--split phase" in alone and "82%" in alone
    assert on_page is not None and "--split" not in on_page and "--page" in on_page


def _printed_sizes(pdf: bytes) -> list[float]:
    """The smallest text size on each page of ``pdf``, read from the PDF itself (pypdf's
    text matrices: cairo sets 1 pt fonts and scales them), independent of our DOT."""
    smallest = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        sizes: list[float] = []

        def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float,
                  sizes: list[float] = sizes) -> None:
            if text.strip():
                sizes.append(abs(size * tm[3] * cm[3]))

        page.extract_text(visitor_text=visit)
        smallest.append(min(sizes))
    return smallest


def test_a3_split_pdf_of_the_future_delivery_map_prints_every_phase_page_readable() -> None:
    bp = sm.load(EXAMPLES / "next_day_delivery_future.yaml")
    pdf, said = _render_warnings(target=bp, format="pdf", page="A3")
    assert said == []
    overview, *phases = _printed_sizes(pdf[0])
    # Every phase page prints its smallest text (step badges, blueprint line
    # names: 8 pt as drawn) at 6 pt or more; the old pages printed 4.8 pt.
    assert min(phases) >= 6.0 - 0.01
    assert overview < 6.0  # the thumbnail, exempt
    # Each phase reads whole on one A3 page: none had to be cut.
    titles = [re.findall(r"— (.*?) \(page \d+ of \d+\)", " ".join(page.extract_text().split()))
              for page in PdfReader(io.BytesIO(pdf[0])).pages[1:]]
    assert titles == [["Pre-transaction"], ["Transaction"], ["Post-transaction"]]


def test_the_small_text_warning_gives_the_size_printed() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdf = sm.render(EXAMPLES / "next_day_delivery_future.yaml", format="pdf", page="A3")
    said, = [str(c.message) for c in caught if issubclass(c.category, RenderWarning)]
    printed, = _printed_sizes(pdf)
    assert f"smallest text is {printed:.1f} pt" in said
