"""Paper: page sizes, scaling a drawing to fit, raster limits, small-text warnings, PDF pages."""

from __future__ import annotations

import io
import math
import re
import struct
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MAX_RASTER",
    "MIN_FONT",
    "OVERVIEW_BOX",
    "PAGE_SIZES",
    "PNG_DPI",
    "PNG_PAGE_DPI",
    "SMALLEST_FONT",
    "Fit",
    "Paper",
    "RenderWarning",
    "fit_to_paper",
    "join_pdfs",
    "overview_sheet",
    "page_paths",
    "paper",
    "png_size",
    "raster_warning",
    "small_text_warning",
    "smallest_text",
    "warn",
]

PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A4": (595.28, 841.89),
    "A3": (841.89, 1190.55),
    "A2": (1190.55, 1683.78),
    "A1": (1683.78, 2383.94),
    "A0": (2383.94, 3370.39),
    "letter": (612.0, 792.0),
}
"""Paper sizes in points, portrait (width, height); ``fit`` is a page the drawing's size."""

PAGE_MARGIN = 18.0
"""White space kept on each side of a page, points (a quarter inch)."""

MIN_FONT = 6.0
"""The smallest text size, in points after scaling, a page may have without a warning."""

SMALLEST_FONT = 8.0
"""The smallest text size most maps use, points (tags, key notes); a blueprint
line's name is drawn smaller, down to 6 pt, where the lane headers are narrow:
:func:`smallest_text` measures a drawing's."""

PNG_PAGE_DPI = 150.0
"""Pixels per inch of a PNG drawn to a page (without a page, 96 as Graphviz draws)."""

PNG_DPI = 96.0
"""Pixels per inch of a PNG at its own size, as Graphviz draws it (and the overview
thumbnail of a map split without a page, like its other pages)."""

MAX_RASTER = 32767
"""Cairo's largest raster side in pixels; Graphviz shrinks a larger PNG to fit."""

OVERVIEW_BOX = "A3"
"""The largest sheet (landscape) the overview of a split map drawn without ``--page`` takes."""


class RenderWarning(UserWarning):
    """A drawing was made, but not as asked: text too small on its page, a PNG shrunk.

    Issued with :func:`warnings.warn`; the command line prints it on standard
    error. Turn it into an error with ``warnings.simplefilter("error", RenderWarning)``.
    """


@dataclass(frozen=True)
class Paper:
    """A sheet: its name and size in points as it is turned (landscape unless portrait).

    A ``tight`` sheet is a box, not a sheet: the drawing is scaled to fit in it
    and the page is cut round the scaled drawing (the overview's thumbnail).
    """

    name: str
    width: float
    height: float
    tight: bool = False

    @property
    def option(self) -> str:
        """The command-line options that ask for this sheet.

        >>> paper("A3").option, paper("A4", portrait=True).option
        ('--page A3', '--page A4 --portrait')
        """
        return f"--page {self.name}" + (" --portrait" if self.height > self.width else "")


def paper(name: str, *, portrait: bool = False) -> Paper | None:
    """The sheet called ``name`` (case-insensitive), landscape unless ``portrait``;
    ``None`` for ``fit`` (each page the size of its drawing).

    >>> paper("a3")
    Paper(name='A3', width=1190.55, height=841.89, tight=False)
    >>> paper("A4", portrait=True).width, paper("fit")
    (595.28, None)
    >>> paper("B5")
    Traceback (most recent call last):
    ...
    ValueError: unknown page size 'B5': use one of A4, A3, A2, A1, A0, letter, fit
    """
    if name.lower() == "fit":
        return None
    for known, (w, h) in PAGE_SIZES.items():
        if known.lower() == name.lower():
            short, long = min(w, h), max(w, h)
            return Paper(known, short, long) if portrait else Paper(known, long, short)
    raise ValueError(f"unknown page size {name!r}: use one of "
                     f"{', '.join([*PAGE_SIZES, 'fit'])}")


@dataclass(frozen=True)
class Fit:
    """How a drawing of ``width`` x ``height`` points sits on a sheet.

    ``scale`` shrinks it to fit inside the margins (never enlarges it);
    ``canvas`` is the sheet in the drawing's own points and Graphviz's
    coordinates (left, bottom, right, top), the drawing centred on it;
    ``pixels`` per inch of the sheet drawn as a PNG.
    """

    scale: float
    canvas: tuple[float, float, float, float]
    pixels: float = PNG_PAGE_DPI

    @property
    def page(self) -> tuple[float, float]:
        """The page's width and height in points, as printed.

        >>> Fit(0.5, (-10, -10, 110, 90)).page
        (60.0, 50.0)
        """
        left, bottom, right, top = self.canvas
        return (right - left) * self.scale, (top - bottom) * self.scale

    def dpi(self, fmt: str) -> float:
        """Graphviz's ``dpi`` that draws the canvas at the sheet's size in ``fmt``.

        >>> Fit(0.5, (0, 0, 10, 10)).dpi("pdf"), Fit(0.5, (0, 0, 10, 10)).dpi("png")
        (36.0, 75.0)
        """
        return self.scale * (self.pixels if fmt == "png" else 72.0)


def fit_to_paper(width: float, height: float, sheet: Paper) -> Fit:
    """Scale and canvas that put a ``width`` x ``height`` drawing on ``sheet``.

    >>> fit = fit_to_paper(2000, 500, Paper("A3", 1190.55, 841.89))
    >>> round(fit.scale, 3), [round(v) for v in fit.canvas]
    (0.577, [-31, -479, 2031, 979])
    >>> fit_to_paper(100, 50, Paper("A4", 841.89, 595.28)).scale
    1.0

    A tight sheet's page is the scaled drawing and its margins:
    (1190.55 - 36) / 2000 = 0.577; 2000 x 500 at that scale is 1154.55 x 288.6,
    plus 18 pt margins on each side: 1190.55 x 324.6.

    >>> [round(v, 1) for v in fit_to_paper(2000, 500, Paper("A3", 1190.55, 841.89, True)).page]
    [1190.5, 324.6]
    """
    room_w, room_h = sheet.width - 2 * PAGE_MARGIN, sheet.height - 2 * PAGE_MARGIN
    scale = min(1.0, room_w / max(width, 1.0), room_h / max(height, 1.0))
    page_w, page_h, pixels = sheet.width, sheet.height, PNG_PAGE_DPI
    if sheet.tight:
        page_w, page_h = width * scale + 2 * PAGE_MARGIN, height * scale + 2 * PAGE_MARGIN
        pixels = PNG_DPI
    cw, ch = page_w / scale, page_h / scale
    dx, dy = (cw - width) / 2, (ch - height) / 2
    return Fit(scale, (-dx, -dy, width + dx, height + dy), pixels)


_FONT_SIZES = re.compile(r'(?:POINT-SIZE|fontsize)="?(\d+(?:\.\d+)?)')


def smallest_text(dot: str) -> float:
    """The smallest text size in the DOT text ``dot``, in points as cairo prints it.

    Cairo draws a label's size rounded down to a whole point (a blueprint line
    name of 6.6 pt is printed at 6 pt in PDF and PNG), so the size is rounded down.

    >>> smallest_text('graph [fontsize=10]; a [label=<<FONT POINT-SIZE="6.6">x</FONT>>]')
    6.0
    >>> smallest_text("digraph { }")
    8.0
    """
    sizes = [float(m.group(1)) for m in _FONT_SIZES.finditer(dot)]
    return float(math.floor(min(sizes, default=SMALLEST_FONT) + 1e-9))


def small_text_warning(width: float, height: float, sheet: Paper, smallest: float = SMALLEST_FONT,
                       page: str | None = None) -> str | None:
    """The warning for a ``width`` x ``height`` drawing whose ``smallest`` text
    ``sheet`` shrinks below :data:`MIN_FONT`, or ``None``; ``page`` names a page
    of a split map.

    Its advice is what would make the text readable: a map on one sheet is
    split into pages by phase; a page of a split map, already cut between
    its flow columns, needs a larger sheet, or a sheet turned upright when
    its lanes make it too tall rather than too wide.

    >>> a3 = paper("A3")
    >>> small_text_warning(1000, 700, a3) is None
    True
    >>> print(small_text_warning(2519, 1400, a3))
    the map on A3 is drawn at 46% of its size: its smallest text is 3.7 pt (body text 4.6 pt), \
below the 6 pt readable in print; for readable A3 pages draw it with --page A3 --split phase, \
or use a larger --page

    A page of a split map, its smallest text (a blueprint line's name) 6 pt,
    too tall: 559.28 / 760 = 74 % of 6 pt is 4.4 pt.

    >>> print(small_text_warning(700, 760, paper("A4"), 6.0, "page 4 of 7 (Refunds)"))
    page 4 of 7 (Refunds) on A4 is drawn at 74% of its size: its smallest text is 4.4 pt \
(body text 7.4 pt), below the 6 pt readable in print; the page is too tall for the sheet \
(every lane is on it): use --page A4 --portrait or a larger --page
    >>> small_text_warning(700, 1300, paper("A4", portrait=True), 6.0, "page 4")[-65:]
    'too tall for the sheet (every lane is on it): use a larger --page'
    """
    scale = fit_to_paper(width, height, sheet).scale
    if smallest * scale >= MIN_FONT - 1e-9:
        return None
    room_w, room_h = sheet.width - 2 * PAGE_MARGIN, sheet.height - 2 * PAGE_MARGIN
    if page is None:
        advice = (f"for readable {sheet.name} pages draw it with {sheet.option} --split phase, "
                  "or use a larger --page")
    elif room_h / max(height, 1.0) < room_w / max(width, 1.0):
        upright = f"--page {sheet.name} --portrait or " if sheet.width > sheet.height else ""
        advice = ("the page is too tall for the sheet (every lane is on it): "
                  f"use {upright}a larger --page")
    else:
        advice = ("its phase is cut between flow columns as far as they go: "
                  "use a larger --page")
    return (f"{page or 'the map'} on {sheet.name} is drawn at {scale:.0%} of its size: its "
            f"smallest text is {smallest * scale:.1f} pt (body text {10 * scale:.1f} pt), "
            f"below the {MIN_FONT:g} pt readable in print; {advice}")


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height in pixels of a PNG (from its header), or ``None`` if not a PNG.

    >>> png_size(b"\\x89PNG\\r\\n\\x1a\\n" + b"\\0\\0\\0\\rIHDR" + struct.pack(">II", 640, 480))
    (640, 480)
    >>> png_size(b"GIF89a") is None
    True
    """
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def raster_warning(data: bytes, width: float, height: float, dpi: float,
                   split: bool = False) -> str | None:
    """The warning for a PNG that Graphviz shrank (cairo draws at most
    :data:`MAX_RASTER` pixels a side), or ``None`` when it is the size asked.

    ``width`` and ``height`` are the drawing's points, ``dpi`` the pixels per inch
    asked; ``split``: the PNG is a page of a split map.

    >>> head = b"\\x89PNG\\r\\n\\x1a\\n" + b"\\0\\0\\0\\rIHDR"
    >>> raster_warning(head + struct.pack(">II", 1333, 100), 1000, 75, 96) is None
    True
    >>> raster_warning(head + struct.pack(">II", 32767, 437), 30000, 400, 96)[:43]
    'the PNG was shrunk to 82% (32767 x 437 px):'
    """
    size = png_size(data)
    if size is None:
        return None
    want_w, want_h = width * dpi / 72, height * dpi / 72
    scale = min(size[0] / max(want_w, 1.0), size[1] / max(want_h, 1.0))
    if scale >= 0.98 and max(want_w, want_h) <= MAX_RASTER:
        return None
    advice = ("use --page (a phase is then cut into pages that fit it)" if split
              else "use --page and --split phase")
    return (f"the PNG was shrunk to {scale:.0%} ({size[0]} x {size[1]} px): it would be "
            f"{want_w:.0f} x {want_h:.0f} px, and cairo draws at most {MAX_RASTER} px a side; "
            f"draw SVG or PDF, or {advice}")


def overview_sheet(pages: Sequence[tuple[float, float]], sheet: Paper | None) -> Paper:
    """The sheet of a split map's overview, given its other ``pages``' sizes in points.

    On a ``sheet`` the overview is on that sheet too. Without one, it is a
    thumbnail of the whole map: scaled to fit the largest page (at most
    :data:`OVERVIEW_BOX` landscape) and cut round the scaled map, so it is
    small; its text may be too small to read, and is not warned about.

    >>> overview_sheet([(900, 500), (600, 700)], None)
    Paper(name='overview', width=900, height=700, tight=True)
    >>> overview_sheet([(9000, 1500)], None)
    Paper(name='overview', width=1190.55, height=841.89, tight=True)
    >>> overview_sheet([(900, 500)], paper("A4")).name
    'A4'
    """
    if sheet is not None:
        return sheet
    box_w, box_h = max(PAGE_SIZES[OVERVIEW_BOX]), min(PAGE_SIZES[OVERVIEW_BOX])
    return Paper("overview", min(max((w for w, _ in pages), default=box_w), box_w),
                 min(max((h for _, h in pages), default=box_h), box_h), tight=True)


def warn(message: str | None) -> None:
    """Issue ``message`` as a :class:`RenderWarning`, if there is one."""
    if message is not None:
        warnings.warn(message, RenderWarning, stacklevel=3)


def join_pdfs(documents: Sequence[bytes]) -> bytes:
    """One PDF with the pages of ``documents`` in order (with pypdf, pure Python).

    Graphviz's cairo writes one page per drawing and cannot join drawings, so
    the pages of a split map are drawn one by one and joined here.

    >>> from pypdf import PdfReader, PdfWriter
    >>> def blank(w):
    ...     out = io.BytesIO(); writer = PdfWriter(); writer.add_blank_page(w, 100)
    ...     writer.write(out); return out.getvalue()
    >>> joined = join_pdfs([blank(100), blank(200)])
    >>> [float(p.mediabox.width) for p in PdfReader(io.BytesIO(joined)).pages]
    [100.0, 200.0]
    """
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for document in documents:
        writer.append(PdfReader(io.BytesIO(document)))
    writer.add_metadata({"/Producer": "servicemap"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_paths(path: Path, count: int) -> list[Path]:
    """The files of a split map's ``count`` pages in SVG, PNG or DOT: ``NAME-1.svg`` ...

    >>> [p.name for p in page_paths(Path("out/map.svg"), 3)]
    ['map-1.svg', 'map-2.svg', 'map-3.svg']
    """
    return [path.with_name(f"{path.stem}-{k}{path.suffix}") for k in range(1, count + 1)]
