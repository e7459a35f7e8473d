"""render(): lay out a map, draw it in the Graphviz worker, return (and write) the bytes."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic import write_bytes_atomic
from ..problems import Problem, RenderError
from .dot import build_dot
from .marks import merge_styles, problem_styles
from .style import KeyEntry, StepStyle
from .worker import GraphvizWorker, shared_worker

if TYPE_CHECKING:
    from ..layout.geometry import Layout
    from ..model import Blueprint

__all__ = ["FORMATS", "fix_pdf_dates", "render", "render_layout", "svg_mimebundle"]

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
        tail = match.group(2)
        tail = b"Z" + b"0" * (len(tail) - 1) if tail else b""
        return b"/CreationDate (D:" + _FIXED_DATE + tail + b")"

    return _PDF_DATE.sub(fixed, data)


def _format_of(path: Path | None, format: str | None) -> str:
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
    """Draw ``blueprint`` as laid out in ``layout``; see :func:`render`.

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

    Raises:
        RenderError: Graphviz failed, crashed or ran out of time; no file is written.
        ValueError: Unknown format.
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


def _highlight(blueprint: Blueprint) -> tuple[dict[str, StepStyle], list[KeyEntry]]:
    from .highlight import highlight_styles

    return highlight_styles(blueprint)


def render(
    blueprint: Blueprint,
    path: str | Path | None = None,
    *,
    format: str | None = None,
    highlight: bool = False,
    legend: bool = False,
    timeout: float = 60.0,
    layout: Layout | None = None,
    problems: Sequence[Problem] | None = None,
    mark_problems: bool = True,
) -> bytes:
    """Draw a map as SVG, PDF, PNG or DOT; write it to ``path`` if given.

    The layout is servicemap's own (lanes, phases, flow order); Graphviz draws
    it with pinned positions in a separate worker process, so a Graphviz crash
    or a runaway drawing raises :class:`~servicemap.problems.RenderError`
    instead of ending the caller. Files are written atomically; on an error no
    file is written and an existing one is left unchanged. The same map gives
    the same bytes every time.

    Args:
        blueprint: The map.
        path: File to write, if any; its suffix gives the format.
        format: ``svg``, ``pdf``, ``png`` or ``dot`` (overrides the suffix; default svg).
        highlight: Colour fail points and bottlenecks by the analysis, with a key.
        legend: Draw a legend of the symbols used.
        timeout: Seconds Graphviz may take before it is stopped.
        layout: A layout to draw instead of computing one.
        problems: The map's check problems, if already found (e.g. with the
            project's configuration); by default :func:`servicemap.check` runs.
        mark_problems: Mark the steps that break check rules (a magenta
            border, a tag with the rule codes, the messages in the tooltip,
            a key entry), so a broken map shows where it breaks.

    Returns:
        The drawn bytes (the DOT text for ``dot``).

    Raises:
        RenderError: Graphviz failed, crashed or ran out of time.
        ValueError: Unknown format.
    """
    if layout is None:
        from ..layout import compute_layout  # type: ignore[attr-defined,unused-ignore]

        layout = compute_layout(blueprint)
    styles: dict[str, StepStyle] = {}
    key: list[KeyEntry] = []
    if highlight:
        styles, key = _highlight(blueprint)
    if mark_problems:
        if problems is None:
            from ..checking import check

            problems = check(blueprint)
        marked, marks_key = problem_styles(problems)
        styles = merge_styles(styles, marked)
        key = [*key, *marks_key]
    return render_layout(blueprint, layout, path, format=format, legend=legend, styles=styles,
                         key=key, timeout=timeout)


def svg_mimebundle(blueprint: Blueprint, **options: Any) -> dict[str, Any]:
    """Jupyter's rich display of a map: the SVG drawing and a text fallback.

    If drawing fails, the bundle holds only the text, with the reason.
    """
    text = f"<servicemap {blueprint.name!r}: {len(blueprint.steps)} steps>"
    try:
        svg = render(blueprint, format="svg", **options).decode("utf-8")
    except RenderError as exc:
        return {"text/plain": f"{text}\n(could not draw: {exc})"}
    return {"image/svg+xml": svg, "text/plain": text}
