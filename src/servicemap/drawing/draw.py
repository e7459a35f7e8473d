"""Drawing a laid-out map: DOT built here, drawn by Graphviz in the worker, bytes returned."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import write_bytes_atomic
from .dot import build_dot
from .style import KeyEntry, StepStyle
from .worker import GraphvizWorker, shared_worker

if TYPE_CHECKING:
    from ..layout.geometry import Layout
    from ..model import Blueprint

__all__ = ["FORMATS", "fix_pdf_dates", "render_layout"]

FORMATS: tuple[str, ...] = ("svg", "pdf", "png", "dot")
"""Output formats; ``dot`` is the DOT text sent to Graphviz, positions included."""

_PDF_DATE = re.compile(rb"/CreationDate \(D:(\d{14})([^)]*)\)")
_FIXED_DATE = b"20000101000000"


def fix_pdf_dates(data: bytes) -> bytes:
    """Replace a PDF's ``/CreationDate`` with a fixed date of the same length.

    The byte length stays the same, so the cross-reference offsets stay valid.

    >>> fix_pdf_dates(b"<< /CreationDate (D:20260411233100Z) >>")
    b'<< /CreationDate (D:20000101000000Z) >>'
    """

    def fixed(match: re.Match[bytes]) -> bytes:
        """The date of ``match`` replaced, its time-zone tail zeroed to the same length."""
        tail = match.group(2)
        tail = b"Z" + b"0" * (len(tail) - 1) if tail else b""
        return b"/CreationDate (D:" + _FIXED_DATE + tail + b")"

    return _PDF_DATE.sub(fixed, data)


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
        timeout: Seconds Graphviz may take before it is stopped.
        worker: The Graphviz worker to use (default: the shared one).

    Returns:
        The drawn bytes (the DOT text for ``dot``).

    Raises:
        RenderError: Graphviz failed, crashed or ran out of time; no file is written.
        ValueError: Unknown format.

    Example:
        >>> from servicemap import loads
        >>> from servicemap.layout import compute_layout
        >>> bp = loads("name: Tiny\\nsteps: [{id: a, kind: terminator}]")
        >>> render_layout(bp, compute_layout(bp), format="dot")[:20]
        b'digraph servicemap {'
    """
    target = Path(path) if path is not None else None
    fmt = _format_of(target, format)
    dot = build_dot(blueprint, layout, legend=legend, styles=styles, key=key).encode("utf-8")
    if fmt == "dot":
        data = dot
    else:
        data = (worker or shared_worker()).draw(dot, fmt, timeout=timeout)
        if fmt == "pdf":
            data = fix_pdf_dates(data)
    if target is not None:
        write_bytes_atomic(target, data)
    return data
