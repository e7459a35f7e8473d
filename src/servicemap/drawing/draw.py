"""Drawing a laid-out map: DOT built here, drawn by Graphviz in the worker, bytes returned."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import write_bytes_atomic
from ..layout.deadline import Deadline
from .dot import Drawn, draw_dot
from .pages import (
    PNG_DPI,
    Paper,
    raster_warning,
    small_text_warning,
    smallest_text,
    warn,
)
from .style import KeyEntry, StepStyle
from .worker import GraphvizWorker, shared_worker

if TYPE_CHECKING:
    from ..layout.geometry import Layout
    from ..model import Blueprint

__all__ = ["FORMATS", "fix_pdf_dates", "render_layout"]

FORMATS: tuple[str, ...] = ("svg", "pdf", "png", "dot")
"""Output formats; ``dot`` is the DOT text sent to Graphviz, positions included."""

_PDF_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:([0-9]*)([^)]*)\)")
_PDF_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]*)>\s*<([0-9A-Fa-f]*)>\s*\]")
_FIXED_DATE = b"20000101000000"


def fix_pdf_dates(data: bytes) -> bytes:
    """A PDF made the same every time: fixed dates, ids from its content.

    Cairo writes the time of drawing as ``/CreationDate`` (and newer versions
    ``/ModDate`` and a file ``/ID``). Each date becomes 2000-01-01 00:00 in
    UTC and each id a hash of the rest of the file, every one the same length
    as before, so the cross-reference offsets stay valid. (The worker runs
    with ``TZ=UTC0``, so cairo's dates always end in ``Z`` and have one length.)

    >>> fix_pdf_dates(b"<< /CreationDate (D:20260411233100Z) >>")
    b'<< /CreationDate (D:20000101000000Z) >>'
    >>> fix_pdf_dates(b"<< /ModDate (D:20260411233100+05'30) >>")
    b"<< /ModDate (D:20000101000000+00'00) >>"
    >>> fix_pdf_dates(b"/ID [<0A1B> <0A1B>]") == fix_pdf_dates(b"/ID [<FFFF> <FFFF>]")
    True
    """

    def fixed_date(match: re.Match[bytes]) -> bytes:
        """The date of ``match`` replaced, its time-zone offset zeroed, at the same length."""
        whole, start = match.group(0), match.start()
        digits, tail = match.group(2), match.group(3)
        zone = re.sub(rb"[0-9]", b"0", tail.replace(b"-", b"+"))
        return (whole[:match.start(2) - start] + _FIXED_DATE[:len(digits)].ljust(len(digits), b"0")
                + zone + whole[match.end(3) - start:])

    data = _PDF_DATE.sub(fixed_date, data)
    if not _PDF_ID.search(data):
        return data
    digest = hashlib.sha256(_PDF_ID.sub(lambda m: _with_ids(m, b""), data)).hexdigest()
    return _PDF_ID.sub(lambda m: _with_ids(m, digest.upper().encode("ascii")), data)


def _with_ids(match: re.Match[bytes], digits: bytes) -> bytes:
    """The ``/ID`` entry of ``match`` with both ids made of ``digits`` (zeros if empty),
    every other byte and the length kept.

    >>> _with_ids(_PDF_ID.search(b"/ID[<ab> <cdef>]"), b"123")
    b'/ID[<12> <1231>]'
    """
    whole, start = match.group(0), match.start()
    out, last = [], 0
    for g in (1, 2):
        a, b = match.start(g) - start, match.end(g) - start
        fill = (digits or b"0") * (1 + (b - a) // max(1, len(digits or b"0")))
        out += [whole[last:a], fill[:b - a]]
        last = b
    out.append(whole[last:])
    return b"".join(out)


def _format_of(path: Path | None, format: str | None) -> str:
    """The output format: ``format`` if given, else from ``path``'s suffix, else svg.

    >>> _format_of(Path("map.gv"), None), _format_of(None, ".PNG"), _format_of(None, None)
    ('dot', 'png', 'svg')
    """
    if format is not None:
        fmt = format.lower().lstrip(".")
    elif path is not None and path.suffix:
        fmt = path.suffix.lower().lstrip(".")
        fmt = {"gv": "dot"}.get(fmt, fmt)
    else:
        fmt = "svg"
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}: use one of {', '.join(FORMATS)}")
    return fmt


def render_layout(
    blueprint: Blueprint,
    layout: Layout,
    path: str | Path | None = None,
    *,
    format: str | None = None,
    legend: bool = False,
    styles: Mapping[str, StepStyle] | None = None,
    key: Sequence[KeyEntry] = (),
    timeout: float = 60.0,
    worker: GraphvizWorker | None = None,
    deadline: Deadline | None = None,
    evidence: bool = True,
    sheet: Paper | None = None,
    offpage: Collection[str] = (),
    small_text: bool = True,
    page: str | None = None,
) -> bytes:
    """Draw ``blueprint`` as laid out in ``layout``; see :func:`servicemap.render`.

    Args:
        blueprint: The map.
        layout: Its layout (from :func:`servicemap.layout.compute_layout` or made by hand).
        path: File to write atomically, if any.
        format: ``svg``, ``pdf``, ``png`` or ``dot``; default from ``path``'s suffix, else svg.
        legend: Draw a legend of the symbols used.
        styles: Per-step style overrides by step id.
        key: Entries explaining the overrides.
        timeout: Seconds the drawing may take, DOT building and Graphviz together.
        worker: The Graphviz worker to use (default: the shared one).
        deadline: When to give up, if the caller set one already (it then
            counts instead of ``timeout``; :func:`servicemap.render` passes
            the deadline its layout ran under).
        evidence: Draw the physical evidence row when a step has ``evidence``.
        sheet: Scale the drawing to fit this sheet (:func:`~servicemap.drawing.pages.paper`).
        offpage: Ids of steps drawn as off-page connectors.
        small_text: Warn when the sheet shrinks text below
            :data:`~servicemap.drawing.pages.MIN_FONT`.
        page: The drawing is this page of a split map ("page 3 of 5 (Delivery)"):
            the warnings name it and advise a larger sheet, not a split.

    Returns:
        The drawn bytes (the DOT text for ``dot``).

    Raises:
        RenderError: Graphviz failed, crashed, or the deadline passed; no file is written.
        ValueError: Unknown format.

    Warns:
        RenderWarning: Text below 6 pt on the sheet; a PNG that Graphviz shrank
            (cairo draws at most 32,767 px a side).

    Example:
        >>> from servicemap import loads
        >>> from servicemap.layout import compute_layout
        >>> bp = loads("name: Tiny\\nsteps: [{id: a, kind: terminator}]")
        >>> render_layout(bp, compute_layout(bp), format="dot")[:20]
        b'digraph servicemap {'
    """
    target = Path(path) if path is not None else None
    fmt = _format_of(target, format)
    deadline = deadline or Deadline(timeout)
    drawn = draw_dot(blueprint, layout, legend=legend, styles=styles, key=key,
                     deadline=deadline, evidence=evidence, offpage=offpage, sheet=sheet,
                     fmt=fmt)
    dot = drawn.text.encode("utf-8")
    deadline.check("building the DOT text")
    if drawn.fit is not None and sheet is not None and small_text:
        warn(small_text_warning(drawn.width, drawn.height, sheet, smallest_text(drawn.text),
                                page))
    if fmt == "dot":
        data = dot
    else:
        data = (worker or shared_worker()).draw(dot, fmt, timeout=deadline.remaining())
        deadline.check("drawing the map with Graphviz")
        if fmt == "pdf":
            data = fix_pdf_dates(data)
        elif fmt == "png":
            warn(_png_check(data, drawn, page is not None))
    if target is not None:
        write_bytes_atomic(target, data)
    return data


def _png_check(data: bytes, drawn: Drawn, split: bool) -> str | None:
    """The warning for a PNG that came out smaller than asked, or ``None``."""
    if drawn.fit is not None:
        return raster_warning(data, *drawn.fit.page, drawn.fit.pixels, split)
    pad = 2 * 7.2  # Graphviz's pad of 0.1 inch on each side
    return raster_warning(data, drawn.width + pad, drawn.height + pad, PNG_DPI, split)
