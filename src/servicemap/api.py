"""The one orchestrator: load, check, analyze and render, stage after stage, as users call them.

Each stage below this module does one job and never calls back up: the
checker does not draw, the analysis does not check, the drawing neither
checks nor analyses. This module runs them in order and hands each stage what
the one before produced, so a map is checked once per call.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._perf import gc_paused
from .atomic import same_file, write_bytes_atomic
from .checking import check, check_files, collect_files, is_excluded, structural_problems
from .config import Config, find_config
from .flow.graph import FlowGraph
from .mapfile import MAX_BYTES, load, loads
from .mapfile.bpmn import import_problems, is_bpmn
from .mapfile.schema import schema_json
from .model import Blueprint
from .problems import AnalysisError, LoadError, Problem, RenderError, printable
from .reports import FORMATS as REPORT_FORMATS
from .reports import RULES_URL_ENV, format_sarif, format_text, rules_reference_url, summary
from .rules import RULES, rule_by_key, select_rules, summary_of
from .rules.base import Context
from .values import parse_rate

if TYPE_CHECKING:
    from .analysis import Analysis
    from .analysis.whatif import Change, Sensitivity, WhatIf
    from .drawing.pages import RenderWarning, page_paths
    from .drawing.style import KeyEntry, StepStyle
    from .layout.geometry import Layout
    from .simulation import SimulationResult
    from .values import Rate

__all__ = [
    "MAX_BYTES",
    "REPORT_FORMATS",
    "RULES",
    "RULES_URL_ENV",
    "AnalysisError",
    "Blueprint",
    "Config",
    "LoadError",
    "Problem",
    "RenderError",
    "RenderWarning",
    "analyze",
    "bpmn_bytes",
    "check",
    "check_files",
    "collect_files",
    "convert",
    "find_config",
    "format_sarif",
    "format_text",
    "is_excluded",
    "load",
    "loads",
    "page_paths",
    "parse_change",
    "parse_rate",
    "printable",
    "render",
    "render_pages",
    "rule_by_key",
    "rules_reference_url",
    "same_file",
    "schema_json",
    "select_rules",
    "sensitivity",
    "simulate",
    "summary",
    "summary_of",
    "svg_mimebundle",
    "what_if",
    "write_bytes_atomic",
]

Target = Blueprint | str | os.PathLike[str]

_FROM_DRAWING = frozenset({"RenderWarning", "page_paths"})


def __getattr__(name: str) -> Any:
    """``RenderWarning`` and ``page_paths``, from the drawing stage when first asked for.

    The drawing stage (and the layout under it) loads only when a command
    draws, so ``servicemap check`` starts without it.
    """
    if name in _FROM_DRAWING:
        from .drawing import pages

        return getattr(pages, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _blueprint(target: Target) -> Blueprint:
    return target if isinstance(target, Blueprint) else load(target)


def convert(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    *,
    approximate: bool = False,
) -> tuple[Blueprint, list[Problem]]:
    """Convert a BPMN 2.0 file into a map, or a map into BPMN when ``output`` ends in ``.bpmn``.

    BPMN in: with ``output``, the map's YAML is written there; the import's
    warnings (``approximate``'s, one per element approximated) are returned
    with the map; errors raise. A map in (``output`` ending in ``.bpmn``): the
    map is written as BPMN 2.0 with diagram interchange from servicemap's own
    layout (docs/bpmn.md, Export); no warnings. Files are written atomically
    (the whole new file or the old one).

    Args:
        source: A ``.bpmn`` file (or ``.xml`` in the BPMN namespace), or a map.
        output: Where to write; ``None`` writes nothing.
        approximate: Map unsupported elements with a warning each (docs/bpmn.md).

    Raises:
        LoadError: for a file that cannot be converted, every problem located.
        ValueError: for a source that is not BPMN when writing a map, or BPMN when writing BPMN.
        OSError: if the source cannot be read or the output written.
    """
    source_is_bpmn = is_bpmn(os.fspath(source), _head(source))
    if output is not None and Path(output).suffix.lower() == ".bpmn":
        if source_is_bpmn:
            raise ValueError(f"{os.fspath(source)} is already BPMN: convert writes BPMN from a "
                             "map (.yaml)")
        bp = load(source)
        write_bytes_atomic(output, bpmn_bytes(bp))
        return bp, []
    if not source_is_bpmn:
        raise ValueError(f"{os.fspath(source)} is not a BPMN 2.0 file (.bpmn, or .xml in the "
                         "BPMN namespace): convert reads BPMN into a map, or writes a map "
                         "as BPMN when the output ends in .bpmn")
    bp = load(source, approximate=approximate)
    if output is not None:
        write_bytes_atomic(output, bp.to_yaml().encode("utf-8"))
    return bp, import_problems(bp)


def bpmn_bytes(bp: Blueprint) -> bytes:
    """The map as BPMN 2.0 XML, laid out by servicemap's own layout (docs/bpmn.md, Export)."""
    from .layout import compute_layout
    from .mapfile.bpmn_export import Diagram, export_bpmn

    lay = compute_layout(bp)
    bands = {b.id: b for b in lay.bands}
    shapes = {n.id: (n.left, n.top, n.width, n.height) for n in lay.nodes.values()}
    for n in lay.nodes.values():
        if n.kind == "parallel" and n.lane in bands:
            # A gateway: a square on the part of its bar in its own lane (a
            # bar may span its branches' lanes, docs/rendering.md).
            lo, hi = max(n.top, bands[n.lane].top), min(n.bottom, bands[n.lane].bottom)
            side = min(n.width, 50.0, hi - lo)
            shapes[n.id] = (n.x - side / 2, (lo + hi) / 2 - side / 2, side, side)
    lanes = {b.id: (lay.header_width, b.top, lay.width - lay.header_width, b.bottom - b.top)
             for b in lay.bands if b.id in {lane.id for lane in bp.lanes}}
    top = min((b.top for b in lay.bands), default=0.0)
    bottom = max((b.bottom for b in lay.bands), default=lay.height)
    phases = {c.id: (c.left, top, c.right - c.left, bottom - top) for c in lay.columns
              if c.id in {phase.id for phase in bp.phases}}
    routes: dict[tuple[str, str], tuple[tuple[float, float], ...]] = {}
    for e in lay.edges:
        routes.setdefault((e.source, e.target), e.points)
    return export_bpmn(bp, Diagram(shapes=shapes, lanes=lanes, phases=phases, routes=routes))


def _head(path: str | os.PathLike[str]) -> bytes:
    """The first 4 KiB of a regular file (nothing for anything else: load says why)."""
    from .readfile import read_regular_file

    try:
        return read_regular_file(Path(path), MAX_BYTES)[:4096]
    except OSError:
        return b""


def analyze(
    target: Target,
    *,
    arrivals: Rate | str | float | None = None,
    problems: Sequence[Problem] | None = None,
    percentile_cases: int = 10_000,
) -> Analysis:
    """Analyse a map: visits, times, cost, accuracy, failure points and bottlenecks.

    Args:
        target: A :class:`~servicemap.model.Blueprint` or the path of a map file.
        arrivals: Cases entering the map: a ``Rate``, a text such as ``"40/h"``
            or a number of cases per hour. Default: the map's own ``arrivals``.
        problems: The map's check problems if already found; the error-level
            structural ones (SM1xx, SM2xx) then refuse the map without a
            second check.
        percentile_cases: Where the lead-time percentiles are not exact
            (phase-type), estimate them by simulating up to this many cases
            (seed 1; at most 200,000 step executions, at least 1,000 cases, else
            not); also the calendar-time percentiles of a map with a calendar.
            0: never simulate (the percentile methods then add ``"not
            simulated: percentile_cases is 0"``).

    Returns:
        The :class:`~servicemap.analysis.result.Analysis`.

    Raises:
        AnalysisError: if the map has structural errors (rules SM1xx, SM2xx), its
            flow cannot be solved (a case would run beyond the float range), or
            its parallel work does not nest into fork/join regions (SM190
            parallel-not-nested; ``simulate`` runs it); its ``problems`` lists
            them, located.
        LoadError: if ``target`` is a file that does not load.
        ValueError: if ``arrivals`` cannot be read, or ``percentile_cases`` is negative.

    Example:
        >>> import servicemap as sm
        >>> bp = sm.loads('''
        ... name: Two steps
        ... steps:
        ...   - {id: s, kind: terminator, next: w}
        ...   - {id: w, kind: task, duration: 10min, next: e}
        ...   - {id: e, kind: terminator}
        ... ''')
        >>> sm.analyze(bp).summary.process_time_s
        600.0
    """
    from .analysis import analyze_blueprint

    if percentile_cases < 0:
        raise ValueError(f"percentile_cases must be 0 or more, not {percentile_cases}")
    with gc_paused():  # the check and the analysis build many objects, no cycles to collect
        bp, graph = _analysable(target, problems)
        found = analyze_blueprint(bp, arrivals=arrivals, graph=graph)
        executions = _executions(found)
        if not _simulates(found, percentile_cases, executions):
            # Freed while the collector is paused: its first pass then walks the result only.
            del graph
            # Where a simulation was wanted but turned off, the methods say so.
            return _unsimulated(found, "percentile_cases is 0") if not percentile_cases \
                and _wants_simulation(found) else found
    return _simulated_percentiles(found, bp, graph, arrivals, percentile_cases, executions)


def _wants_simulation(found: Analysis) -> bool:
    """Whether some percentiles are for a simulation to find: working-time ones that are
    not exact, or calendar-time ones, of a finite lead time."""
    s = found.summary
    exact = s.lead_time_percentiles_s is not None
    return not (exact and found.calendar is None) and bool(s.lead_time_s) \
        and s.lead_time_unbounded is None


def _executions(found: Analysis) -> float:
    """Expected step executions per case: the visits, summed."""
    return float(sum(v for v in found.table["visits"] if v))


def _simulates(found: Analysis, cases: int, executions: float) -> bool:
    """Whether to simulate percentiles: some for a simulation to find, and at least the
    simulation's least number of cases within its budget (``executions`` per case)."""
    from .simulation.percentiles import cases_within_budget

    return bool(cases) and _wants_simulation(found) and \
        cases_within_budget(cases, executions) > 0


def _simulated_percentiles(found: Analysis, bp: Blueprint, graph: FlowGraph,
                           arrivals: Rate | str | float | None, cases: int,
                           executions: float) -> Analysis:
    """``found`` with lead-time percentiles by simulation where they are not exact, and in
    calendar time where the map has a calendar (docs/analysis.md, *Lead-time percentiles*);
    called where :func:`_simulates` says so."""
    from .simulation.percentiles import simulated_percentiles

    s = found.summary
    exact = s.lead_time_percentiles_s is not None
    rate = arrivals if arrivals is None or isinstance(arrivals, (int, float)) \
        else parse_rate(arrivals)
    try:
        sim = simulated_percentiles(bp, graph, rate, cases=cases,
                                    queues=s.arrivals_per_h is not None,
                                    executions=executions)
    except (ArithmeticError, ValueError):  # numbers beyond what a simulation can draw
        sim = None
    if sim is None:
        return found
    summary = s if exact else dataclasses.replace(
        s, lead_time_percentiles_s=sim.working, lead_time_percentiles_method=sim.method)
    calendar = found.calendar if found.calendar is None else dataclasses.replace(
        found.calendar, lead_time_percentiles_calendar_s=sim.calendar,
        percentiles_method=sim.method)
    return dataclasses.replace(found, summary=summary, calendar=calendar)


def _unsimulated(found: Analysis, why: str) -> Analysis:
    """``found`` with its percentile methods saying that no simulation estimated them."""
    s = found.summary
    summary = s if s.lead_time_percentiles_s is not None else dataclasses.replace(
        s, lead_time_percentiles_method="; ".join(
            m for m in (s.lead_time_percentiles_method, f"not simulated: {why}") if m))
    calendar = found.calendar if found.calendar is None else dataclasses.replace(
        found.calendar, percentiles_method=f"not simulated: {why}")
    return dataclasses.replace(found, summary=summary, calendar=calendar)


def parse_change(text: str) -> Change:
    """Read a what-if change, ``STEP.FIELD=VALUE`` or ``arrivals=VALUE`` (see :func:`what_if`).

    Raises:
        ChangeError: (a ``ValueError``) for text that is no change, an unknown
            field or a value that cannot be read.

    Example:
        >>> parse_change("desk.capacity=+1").how
        'add'
    """
    from .analysis.whatif import parse_change as parse

    return parse(text)


def what_if(
    target: Target,
    changes: Sequence[str | Change],
    *,
    arrivals: Rate | str | float | None = None,
    problems: Sequence[Problem] | None = None,
) -> WhatIf:
    """Analyse a map before and after changes: lead time, throughput, success and cost.

    Queue-aware: the changed map is analysed again (docs/analysis.md, *What if*).

    Args:
        target: A :class:`~servicemap.model.Blueprint` or the path of a map file.
        changes: ``"STEP.FIELD=VALUE"`` or ``"arrivals=VALUE"`` texts
            (``"solve.duration=-10%"``, ``"desk.capacity=+1"``, ``"arrivals=30/h"``),
            or parsed changes, made in order.
        arrivals: Cases entering the map before the changes, as for :func:`analyze`.
        problems: The map's check problems if already found (as for :func:`analyze`).

    Returns:
        The :class:`~servicemap.analysis.whatif.WhatIf`: ``before``, ``after`` and ``deltas``.

    Raises:
        ChangeError: (:class:`servicemap.analysis.whatif.ChangeError`, a ``ValueError``)
            for a change that cannot be read or made.
        AnalysisError: if the map has structural errors, as for :func:`analyze`.

    Example:
        >>> import servicemap as sm
        >>> bp = sm.loads('''
        ... name: Two tasks
        ... steps:
        ...   - {id: s, kind: terminator, next: a}
        ...   - {id: a, kind: task, duration: 10min, next: b}
        ...   - {id: b, kind: task, duration: 20min, next: e}
        ...   - {id: e, kind: terminator}
        ... ''')
        >>> sm.what_if(bp, ["b.duration=-10%"]).deltas["lead_time_s"]
        -120.0
    """
    from .analysis import whatif

    parsed = [parse_change(c) if isinstance(c, str) else c for c in changes]
    bp, graph = _analysable(target, problems)
    return whatif.what_if(bp, parsed, arrivals=_per_hour(arrivals, bp), graph=graph)


def sensitivity(
    target: Target,
    improvement: float = 0.10,
    *,
    arrivals: Rate | str | float | None = None,
    limit: int | None = 2000,
    problems: Sequence[Problem] | None = None,
) -> Sensitivity:
    """Rank the steps by the lead time saved by a shorter duration, and by one more server.

    One analysis per step tried (O(n · analysis)); ``limit`` caps the steps
    tried per ranking at the heaviest ones (docs/analysis.md, *Sensitivity*).

    Args:
        target: A :class:`~servicemap.model.Blueprint` or the path of a map file.
        improvement: How much shorter each duration is made (0.10: 10 %).
        arrivals: Cases entering the map, as for :func:`analyze`.
        limit: At most this many steps tried per ranking; ``None``: all.
        problems: The map's check problems if already found (as for :func:`analyze`).

    Returns:
        The :class:`~servicemap.analysis.whatif.Sensitivity`.

    Raises:
        AnalysisError: if the map has structural errors, as for :func:`analyze`.
        ValueError: if ``improvement`` is not in (0, 1].

    Example:
        >>> import servicemap as sm
        >>> ranking = sm.sensitivity(sm.load("examples/service_desk.yaml"))
        >>> ranking.durations[0].step, ranking.capacities[0].step
        ('solve', 'solve-second')
    """
    from .analysis import whatif

    bp, graph = _analysable(target, problems)
    return whatif.sensitivity(bp, improvement=improvement, arrivals=_per_hour(arrivals, bp),
                              graph=graph, limit=limit)


def _per_hour(arrivals: Rate | str | float | None, bp: Blueprint | None = None) -> float | None:
    """Cases per hour; per working hour of ``bp``'s calendar where it has one (a rate per
    day then per working day)."""
    from .analysis import parse_arrivals
    from .calendars import working_rate_per_hour

    rate = parse_arrivals(arrivals)
    if rate is None or bp is None or bp.calendar is None or isinstance(arrivals, (int, float)):
        return rate
    return working_rate_per_hour(parse_rate(arrivals), bp.calendar.week())


def _analysable(target: Target,
                problems: Sequence[Problem] | None) -> tuple[Blueprint, FlowGraph]:
    """The map and its flow graph; AnalysisError for structural errors (SM1xx, SM2xx)."""
    bp = _blueprint(target)
    context = Context(bp)
    if problems is None:
        refusing = structural_problems(bp, context)
    else:
        refusing = [p for p in problems if p.level == "error" and p.code[:3] in ("SM1", "SM2")]
    if refusing:
        raise AnalysisError(refusing)
    return bp, context.graph


def render(
    target: Target,
    path: str | os.PathLike[str] | None = None,
    *,
    format: str | None = None,
    highlight: bool = False,
    legend: bool = False,
    timeout: float = 60.0,
    layout: Layout | None = None,
    problems: Sequence[Problem] | None = None,
    mark_problems: bool = True,
    config: Config | None = None,
    page: str | None = None,
    portrait: bool = False,
    split: str | None = None,
    evidence: bool = True,
) -> bytes:
    """Draw a map as SVG, PDF, PNG or DOT; write it to ``path`` if given.

    The layout is servicemap's own (lanes, phases, flow order); Graphviz draws
    it with pinned positions in a separate worker process, so a Graphviz crash
    or a runaway drawing raises :class:`~servicemap.problems.RenderError`
    instead of ending the caller. Files are written atomically; on an error no
    file is written and an existing one is left unchanged. The same map gives
    the same bytes every time.

    Args:
        target: A :class:`~servicemap.model.Blueprint` or the path of a map file.
        path: File to write, if any; its suffix gives the format.
        format: ``svg``, ``pdf``, ``png`` or ``dot`` (overrides the suffix; default svg).
        highlight: Colour fail points and bottlenecks by the analysis, with a key.
        legend: Draw a legend of the symbols used.
        timeout: Seconds the whole render may take (checking, layout, DOT
            building and Graphviz together) before it is stopped.
        layout: A layout to draw instead of computing one.
        problems: The map's check problems, if already found; otherwise the
            map is checked once here (when marking problems or highlighting).
        mark_problems: Mark the steps that break check rules (a magenta
            border, a tag with the rule codes, the messages in the tooltip,
            a key entry), so a broken map shows where it breaks.
        config: Project configuration for the check (default: none for a
            Blueprint, the ``[tool.servicemap]`` table above a path).
        page: Paper to fit the drawing on: ``A4``, ``A3``, ``A2``, ``A1``,
            ``A0``, ``letter`` (scaled down to fit, centred), or ``fit`` / ``None``
            (the drawing's own size).
        portrait: Turn the paper upright (landscape by default).
        split: ``"phase"``: an overview page, then one page per phase (a long
            phase on several pages when ``page`` is a sheet), flow lines between
            pages drawn as pairs of off-page connectors; see :func:`render_pages`.
        evidence: Draw the physical evidence row (each step's ``evidence`` above
            the lanes) when a step has evidence.

    Returns:
        The drawn bytes (the DOT text for ``dot``). With ``split``, a PDF holds
        every page; for SVG, PNG and DOT each page is written to its own file
        (``NAME-1.svg`` ...) and the first page's bytes are returned.

    Warns:
        RenderWarning: (:class:`servicemap.drawing.RenderWarning`) text smaller
            than 6 pt on the page, or a PNG that Graphviz shrank because it
            exceeds cairo's 32,767 pixels a side.

    Raises:
        AnalysisError: ``highlight`` on a map with structural errors.
        RenderError: Graphviz failed or crashed, or the render took longer
            than ``timeout``.
        ValueError: Unknown format, or ``path`` is the map file ``target``
            itself (the same file, by any name): nothing is written.

    Example:
        >>> import servicemap as sm
        >>> bp = sm.loads('''
        ... name: Two steps
        ... steps:
        ...   - {id: s, kind: terminator, next: e}
        ...   - {id: e, kind: terminator}
        ... ''')
        >>> sm.render(bp, format="svg")[:5]
        b'<?xml'
    """
    if split is not None:
        return render_pages(target, path, split=split, format=format, highlight=highlight,
                            legend=legend, timeout=timeout, problems=problems,
                            mark_problems=mark_problems, config=config, page=page,
                            portrait=portrait, evidence=evidence)[0]
    from .drawing import render_layout
    from .drawing.pages import paper
    from .layout import compute_layout
    from .layout.deadline import Deadline

    deadline = Deadline(timeout)
    sheet = paper(page, portrait=portrait) if page is not None else None
    bp, styles, key = _styled(target, path, highlight, problems, mark_problems, config)
    deadline.check("checking the map")
    if layout is None:
        layout = compute_layout(bp, deadline=deadline)
    return render_layout(bp, layout, Path(path) if path is not None else None, format=format,
                         legend=legend, styles=styles, key=key, timeout=timeout,
                         deadline=deadline, evidence=evidence, sheet=sheet)


def render_pages(
    target: Target,
    path: str | os.PathLike[str] | None = None,
    *,
    split: str = "phase",
    format: str | None = None,
    highlight: bool = False,
    legend: bool = False,
    timeout: float = 60.0,
    problems: Sequence[Problem] | None = None,
    mark_problems: bool = True,
    config: Config | None = None,
    page: str | None = None,
    portrait: bool = False,
    evidence: bool = True,
) -> list[bytes]:
    """Draw a map on several pages: an overview of the whole map, then one page per phase.

    A flow line between pages ends at an off-page connector (a pentagon, the
    flowchart's "home plate") that names the page and step it leads to; the
    connector on that page carries the same reference (``A1``, ``B1`` ...) and
    the page it comes from. With a sheet (``page``), a phase too wide to be
    read on it (text under 6 pt) goes on several pages. The overview is a
    thumbnail: on the sheet, or without one the whole map scaled to fit the
    largest phase page (at most A3 landscape); its small text is not warned
    about. A page still too small to read (too tall for the sheet: it holds
    every lane) is warned about by name, with what would help.

    Takes the options of :func:`render`. A PDF is one document (one item in
    the list); SVG, PNG and DOT give one item per page, written to
    ``NAME-1.svg`` (the overview), ``NAME-2.svg`` ... when ``path`` is
    ``NAME.svg``. Every page is drawn before any file is written.

    Example:
        >>> import servicemap as sm
        >>> from servicemap.api import render_pages
        >>> bp = sm.loads('''
        ... name: Two phases
        ... phases: [{id: p1}, {id: p2}]
        ... steps:
        ...   - {id: a, kind: terminator, phase: p1, next: b}
        ...   - {id: b, kind: terminator, phase: p2}
        ... ''')
        >>> len(render_pages(bp, format="svg")), len(render_pages(bp, format="pdf"))
        (3, 1)
    """
    from .drawing.pages import paper
    from .drawing.split import render_split
    from .layout.deadline import Deadline

    deadline = Deadline(timeout)
    sheet = paper(page, portrait=portrait) if page is not None else None
    bp, styles, key = _styled(target, path, highlight, problems, mark_problems, config)
    deadline.check("checking the map")
    return render_split(bp, Path(path) if path is not None else None, split=split,
                        format=format, legend=legend, styles=styles, key=key, timeout=timeout,
                        deadline=deadline, evidence=evidence, sheet=sheet)


def _styled(
    target: Target, path: str | os.PathLike[str] | None, highlight: bool,
    problems: Sequence[Problem] | None, mark_problems: bool, config: Config | None,
) -> tuple[Blueprint, dict[str, StepStyle], list[KeyEntry]]:
    """The map to draw, with the styles and key of its highlight and problem marks."""
    from .drawing import merge_styles, problem_styles

    if path is not None and not isinstance(target, Blueprint) and same_file(target, path):
        raise ValueError(f"{os.fspath(path)} is the map being drawn: refusing to overwrite it")
    bp = _blueprint(target)
    if problems is None and (mark_problems or highlight):
        if config is None and not isinstance(target, Blueprint):
            config = find_config(target)
        problems = check(bp, config=config)
    styles: dict[str, StepStyle] = {}
    key: list[KeyEntry] = []
    if highlight:
        from .highlight import styles_from_analysis

        styles, key = styles_from_analysis(analyze(bp, problems=problems, percentile_cases=0))
    if mark_problems and problems:
        marked, marks_key = problem_styles(problems)
        styles = merge_styles(styles, marked)
        key = [*key, *marks_key]
    return bp, styles, key


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


def simulate(
    target: Target,
    *,
    cases: int = 100_000,
    seed: int = 1,
    replications: int = 10,
    warmup: int | None = None,
    arrivals: Rate | str | float | None = None,
    workers: int | None = None,
    event_log: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    problems: Sequence[Problem] | None = None,
) -> SimulationResult:
    """Simulate a map case by case (simpy): lead-time percentiles, waits, utilisation, WIP.

    Args:
        target: A :class:`~servicemap.model.Blueprint` or the path of a map file.
        cases: Cases measured, all replications together.
        seed: The seed: the same seed gives the same numbers on any number of cores.
        replications: Independent replications; the 95 % intervals are over them.
        warmup: Cases simulated first in each replication and not measured
            (default: a tenth of a replication's cases).
        arrivals: Cases entering the map, as for :func:`analyze`.
        workers: Processes (default: one per core).
        event_log: A ``.csv`` or ``.xes`` path to write the first replication's
            cases to (case, activity, start/complete, time, resource), atomically.
        progress: Called with (replications done, replications).
        problems: The map's check problems if already found (as for :func:`analyze`).

    Returns:
        The :class:`~servicemap.simulation.SimulationResult`.

    Raises:
        AnalysisError: if the map has structural errors (rules SM1xx, SM2xx), located.
        LoadError: if ``target`` is a file that does not load.
        ValueError: if the map gives no arrivals, or an argument is out of range.

    Example:
        >>> import servicemap as sm
        >>> bp = sm.loads('''
        ... name: One desk
        ... arrivals: 6/h
        ... steps:
        ...   - {id: s, kind: terminator, next: w}
        ...   - {id: w, kind: task, duration: 5m, distribution: fixed, next: e}
        ...   - {id: e, kind: terminator}
        ... ''')
        >>> sm.simulate(bp, cases=200, replications=2, workers=1).lead_time.mean
        300.0
    """
    from .simulation import compile_network, run_network
    from .simulation.eventlog import event_log as log_bytes

    bp, graph = _analysable(target, problems)
    fmt = None
    if event_log is not None:
        fmt = Path(event_log).suffix.lower().lstrip(".")
        if fmt not in ("csv", "xes"):
            raise ValueError(f"event log {os.fspath(event_log)!r}: use a .csv or .xes file")
    net = compile_network(bp, parse_rate(arrivals) if arrivals is not None else None, graph)
    result, events = run_network(net, cases=cases, seed=seed, replications=replications,
                                 warmup=warmup, workers=workers, log=fmt is not None,
                                 progress=progress)
    if event_log is not None and fmt is not None:
        write_bytes_atomic(Path(event_log), log_bytes(net, events, fmt))
    return result
