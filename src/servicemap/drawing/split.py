"""A map split into pages, one per phase, joined by off-page connectors, after an overview."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import write_bytes_atomic
from ..layout import compute_layout
from ..layout.deadline import Deadline
from ..layout.geometry import Layout
from ..model import Blueprint, Decision, Step, Task
from ..text import clip
from .dot import draw_dot
from .draw import _format_of, fix_pdf_dates, render_layout
from .pages import (
    MIN_FONT,
    PAGE_MARGIN,
    SMALLEST_FONT,
    Paper,
    join_pdfs,
    overview_sheet,
    page_paths,
    smallest_text,
)
from .style import KeyEntry, StepStyle
from .worker import GraphvizWorker

__all__ = ["SPLITS", "OffPageLink", "Page", "render_split", "split_by_phase"]

SPLITS: tuple[str, ...] = ("phase",)
"""How a map may be split into pages."""

_TITLE_CHARS = 22  # of a step's title on an off-page connector: two lines, clear of its point


@dataclass(frozen=True)
class OffPageLink:
    """One flow line that leaves its page: drawn as a pair of off-page connectors
    with the same reference ``ref``, one on each page."""

    ref: str
    source: str
    target: str
    source_page: int
    target_page: int
    out_id: str  # the connector on the source's page
    in_id: str  # the connector on the target's page


@dataclass
class Page:
    """One page of a split map: its number (the overview is page 1), its title, the
    map drawn on it (off-page connectors included) and their ids."""

    number: int
    title: str
    blueprint: Blueprint
    offpage: set[str] = field(default_factory=set)
    phase: str | None = None  # the id of the phase it shows (part of), None: no phase


def _fresh(base: str, taken: set[str]) -> str:
    """``base``, or ``base`` with a number, not in ``taken`` (which gets it).

    >>> taken = {"x"}
    >>> _fresh("x", taken), _fresh("y", taken), sorted(taken)
    ('x-2', 'y', ['x', 'x-2', 'y'])
    """
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def split_by_phase(blueprint: Blueprint, layout: Layout | None = None,
                   width: float | Mapping[str | None, float] | None = None
                   ) -> tuple[list[Page], list[OffPageLink]]:
    """The phase pages of ``blueprint`` (numbered from 2; page 1 is the overview)
    and the flow lines between them.

    Each page holds the steps of one phase (those without a declared phase
    on a last page) and every lane. Given the map's ``layout`` and a
    ``width`` in points (or a width per phase id, ``None`` for steps without
    a phase), a phase wider than that goes on several pages, cut
    between flow columns. A flow line to another page ends at an off-page
    connector "→ p. N" naming the step it leads to; on that page a connector
    "from p. M" with the same reference leads on.

    Example:
        >>> from servicemap import loads
        >>> bp = loads('''
        ... name: Two phases
        ... phases: [{id: p1}, {id: p2}]
        ... steps:
        ...   - {id: a, kind: terminator, phase: p1, next: b}
        ...   - {id: b, kind: terminator, phase: p2}
        ... ''')
        >>> pages, links = split_by_phase(bp)
        >>> [(p.number, [s.id for s in p.blueprint.steps]) for p in pages]
        [(2, ['a', 'offpage-out-1']), (3, ['offpage-in-1', 'b'])]
        >>> [step.title for step in pages[0].blueprint.steps][1]
        'A1 → p. 3: b'
    """
    declared = [p.id for p in blueprint.phases]
    by_phase: dict[str | None, list[Step]] = {}
    for step in blueprint.steps:
        by_phase.setdefault(step.phase if step.phase in declared else None, []).append(step)
    groups: dict[tuple[str | None, int, int], list[Step]] = {}
    for phase in [p for p in declared if p in by_phase] + ([None] if None in by_phase else []):
        parts = _parts(by_phase[phase], layout,
                       width.get(phase) if isinstance(width, Mapping) else width)
        for k, part in enumerate(parts):
            groups[(phase, k + 1, len(parts))] = part
    numbers = {key: 2 + i for i, key in enumerate(groups)}
    page_of: dict[str, int] = {}
    for key, steps in groups.items():
        for step in steps:
            page_of.setdefault(step.id, numbers[key])
    links = _links(blueprint, page_of)
    pages = [_page(blueprint, key, numbers[key], steps, links, len(groups) + 1)
             for key, steps in groups.items()]
    return pages, links


def _parts(steps: Sequence[Step], layout: Layout | None, width: float | None
           ) -> list[list[Step]]:
    """``steps`` cut between flow columns into parts at most ``width`` wide in ``layout``."""
    if layout is None or width is None:
        return [list(steps)]
    boxes = layout.nodes
    columns: dict[int, list[Step]] = {}
    for step in steps:
        columns.setdefault(boxes[step.id].column if step.id in boxes else 0, []).append(step)
    parts: list[list[Step]] = []
    left = 0.0
    for column in sorted(columns):
        members = [boxes[s.id] for s in columns[column] if s.id in boxes]
        lo = min((b.left for b in members), default=left)
        hi = max((b.right for b in members), default=left)
        if not parts or hi - left > width:
            parts.append([])
            left = lo
        parts[-1].extend(columns[column])
    return parts


def _links(blueprint: Blueprint, page_of: Mapping[str, int]) -> list[OffPageLink]:
    """Every flow line between steps on different pages, with its connectors' ids."""
    taken = {s.id for s in blueprint.steps}
    links: list[OffPageLink] = []
    seen: set[tuple[str, str]] = set()
    for step in blueprint.steps:
        for target in step.targets():
            if (target not in page_of or page_of[target] == page_of[step.id]
                    or (step.id, target) in seen):
                continue
            seen.add((step.id, target))
            n = len(links) + 1
            links.append(OffPageLink(
                _ref(n), step.id, target, page_of[step.id], page_of[target],
                _fresh(f"offpage-out-{n}", taken), _fresh(f"offpage-in-{n}", taken)))
    return links


def _ref(n: int) -> str:
    """The reference of the ``n``-th off-page pair: A1 ... Z1, A2 ...

    >>> _ref(1), _ref(26), _ref(27)
    ('A1', 'Z1', 'A2')
    """
    return f"{chr(ord('A') + (n - 1) % 26)}{(n - 1) // 26 + 1}"


def _page(blueprint: Blueprint, key: tuple[str | None, int, int], number: int,
          steps: Sequence[Step], links: Sequence[OffPageLink], count: int) -> Page:
    """The map of one page: its steps, rewired to off-page connectors, and the connectors."""
    by_id = blueprint.steps_by_id
    outs = {(ln.source, ln.target): ln for ln in links if ln.source_page == number}
    ins = [ln for ln in links if ln.target_page == number]
    phase, part, parts = key
    phases = [p for p in blueprint.phases if p.id == phase]
    title = phases[0].title if phases else "(no phase)"
    if parts > 1:
        title = f"{title}, part {part} of {parts}"
    new_steps: list[Step] = []
    made: set[str] = set()
    for ln in ins:
        source = by_id[ln.source]
        new_steps.append(Task(id=ln.in_id, phase=phase, lane=by_id[ln.target].lane,
                              label=f"{ln.ref} from p. {ln.source_page}: "
                                    f"{clip(source.title, _TITLE_CHARS)}",
                              next=[ln.target]))
    for step in steps:
        new_steps.append(_rewired(step, outs))
        for target in step.targets():
            out = outs.get((step.id, target))
            if out is not None and out.out_id not in made:
                made.add(out.out_id)
                new_steps.append(Task(id=out.out_id, phase=phase, lane=step.lane,
                                      label=f"{out.ref} → p. {out.target_page}: "
                                            f"{clip(by_id[target].title, _TITLE_CHARS)}"))
    sub = blueprint.model_copy(update={
        "name": f"{blueprint.name} — {title} (page {number} of {count})",
        "phases": phases, "steps": new_steps})
    return Page(number, title, sub, {ln.in_id for ln in ins} | {ln.out_id for ln in outs.values()},
                phase)


def _rewired(step: Step, outs: Mapping[tuple[str, str], OffPageLink]) -> Step:
    """``step`` with each flow line to another page led to its off-page connector."""
    if not any((step.id, t) in outs for t in step.targets()):
        return step
    if isinstance(step, Decision):
        branches = [b.model_copy(update={"to": outs[(step.id, b.to)].out_id})
                    if (step.id, b.to) in outs else b for b in step.next]
        return step.model_copy(update={"next": branches})
    return step.model_copy(update={"next": [outs[(step.id, t)].out_id if (step.id, t) in outs
                                            else t for t in step.targets()]})


@dataclass(frozen=True)
class _Look:
    """How the pages are drawn: what :func:`~servicemap.drawing.dot.draw_dot` needs
    besides a page's map and layout."""

    legend: bool
    styles: Mapping[str, StepStyle] | None
    key: Sequence[KeyEntry]
    evidence: bool
    fmt: str


def _legibility(page: Page, layout: Layout, sheet: Paper, look: _Look,
                deadline: Deadline) -> float:
    """The smallest text of ``page`` on ``sheet``, points as printed: its drawing
    measured (a key, the evidence row and a blueprint line's small name included)."""
    drawn = draw_dot(page.blueprint, layout, legend=look.legend, styles=look.styles,
                     key=look.key, deadline=deadline, evidence=look.evidence,
                     offpage=page.offpage, sheet=sheet, fmt=look.fmt)
    scale = drawn.fit.scale if drawn.fit is not None else 1.0
    return scale * smallest_text(drawn.text)


def _readable_pages(blueprint: Blueprint, whole: Layout, sheet: Paper | None,
                    deadline: Deadline, look: _Look) -> tuple[list[Page], list[Layout]]:
    """The pages of ``blueprint`` and their layouts, each phase cut into parts
    narrow enough that ``sheet`` shows their text at :data:`MIN_FONT` or more.

    Each try cuts the phases still too small narrower. A page holds every
    lane, so it may stay too tall for the sheet however narrow its phase is
    cut (its warning says so): that phase keeps the cut whose smallest text
    was largest, with the fewest pages.
    """
    if sheet is None:
        pages, _links = split_by_phase(blueprint)
        return pages, [compute_layout(page.blueprint, deadline=deadline) for page in pages]
    # As wide as a page holds at readable 8 pt text, less the lane headers.
    start = (sheet.width - 2 * PAGE_MARGIN) * SMALLEST_FONT / MIN_FONT - whole.header_width
    pages, _links = split_by_phase(blueprint, whole, start)
    widths = {page.phase: start for page in pages}
    best: dict[str | None, tuple[float, float]] = {}  # phase: (smallest text, width)
    while True:
        layouts = [compute_layout(page.blueprint, deadline=deadline) for page in pages]
        legible: dict[str | None, float] = {}
        for page, layout in zip(pages, layouts, strict=True):
            size = _legibility(page, layout, sheet, look, deadline)
            legible[page.phase] = min(size, legible.get(page.phase, size))
        for phase, size in legible.items():
            if phase not in best or size > best[phase][0] + 0.01:
                best[phase] = (size, widths[phase])
        small = [ph for ph, size in legible.items() if size < MIN_FONT - 1e-9]
        if not any(widths[ph] >= 200 for ph in small):
            break
        for phase in small:
            widths[phase] *= legible[phase] / MIN_FONT * 0.95
        pages, _links = split_by_phase(blueprint, whole, widths)
    kept = {ph: best[ph][1] if ph in small else w for ph, w in widths.items()}
    if kept == widths:
        return pages, layouts
    pages, _links = split_by_phase(blueprint, whole, kept)
    return pages, [compute_layout(page.blueprint, deadline=deadline) for page in pages]


def render_split(
    blueprint: Blueprint,
    path: str | Path | None = None,
    *,
    split: str = "phase",
    format: str | None = None,
    legend: bool = False,
    styles: Mapping[str, StepStyle] | None = None,
    key: Sequence[KeyEntry] = (),
    timeout: float = 60.0,
    worker: GraphvizWorker | None = None,
    deadline: Deadline | None = None,
    evidence: bool = True,
    sheet: Paper | None = None,
) -> list[bytes]:
    """Draw ``blueprint`` on pages: an overview of the whole map, then one page per phase.

    The overview is on ``sheet``; without one it is a thumbnail, the whole map
    scaled to fit the largest phase page (at most A3 landscape).

    A PDF is one document of all pages; SVG, PNG and DOT are one file per page,
    ``NAME-1.svg`` (the overview), ``NAME-2.svg`` ... Every page is drawn before
    any file is written, each file atomically.

    Args:
        blueprint: The map.
        path: Where to write (a PDF's file, or the name the page files are made from).
        split: How to split: ``phase``.
        format: ``svg``, ``pdf``, ``png`` or ``dot``; default from ``path``'s suffix, else svg.
        legend: Draw a legend on every page.
        styles: Per-step style overrides by step id.
        key: Entries explaining the overrides.
        timeout: Seconds all pages may take.
        worker: The Graphviz worker to use.
        deadline: When to give up, if the caller set one already.
        evidence: Draw the physical evidence row.
        sheet: The paper of every page (each page scaled to fit); ``None``: each
            phase page the size of its drawing, the overview a thumbnail.

    Returns:
        The drawn pages (for a PDF, one item: the whole document).

    Raises:
        ValueError: Unknown split or format.
        RenderError: Graphviz failed or the deadline passed; no file is written.

    Example:
        >>> from servicemap import loads
        >>> bp = loads('''
        ... name: Two phases
        ... phases: [{id: p1}, {id: p2}]
        ... steps:
        ...   - {id: a, kind: terminator, phase: p1, next: b}
        ...   - {id: b, kind: terminator, phase: p2}
        ... ''')
        >>> [page[:9] for page in render_split(bp, format="dot")]
        [b'digraph s', b'digraph s', b'digraph s']
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    target = Path(path) if path is not None else None
    fmt = _format_of(target, format)
    deadline = deadline or Deadline(timeout)
    whole = compute_layout(blueprint, deadline=deadline)
    look = _Look(legend, styles, key, evidence, fmt)
    pages, layouts = _readable_pages(blueprint, whole, sheet, deadline, look)
    thumbnail = overview_sheet([(lay.width, lay.height) for lay in layouts], sheet)
    drawn = [render_layout(blueprint, whole, format=fmt, legend=legend, styles=styles,
                           key=key, worker=worker, deadline=deadline, evidence=evidence,
                           sheet=thumbnail, small_text=False, page="the overview")]
    for page, layout in zip(pages, layouts, strict=True):
        drawn.append(render_layout(page.blueprint, layout, format=fmt, legend=legend,
                                   styles=styles, key=key, worker=worker, deadline=deadline,
                                   evidence=evidence, sheet=sheet, offpage=page.offpage,
                                   page=f"page {page.number} of {len(pages) + 1} "
                                        f"({page.title})"))
    if fmt == "pdf":
        drawn = [fix_pdf_dates(join_pdfs(drawn))]
        deadline.check("joining the pages")
        if target is not None:
            write_bytes_atomic(target, drawn[0])
    elif target is not None:
        for file, data in zip(page_paths(target, len(drawn)), drawn, strict=True):
            write_bytes_atomic(file, data)
    return drawn
