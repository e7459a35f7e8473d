"""Highlight: step styles and a key from an analysis (failures, load, time trap, critical path)."""

from __future__ import annotations

from .analysis import Analysis
from .drawing.style import KeyEntry, StepStyle
from .values import format_percent, format_seconds

__all__ = ["CRITICAL", "FAILURE_SHADES", "styles_from_analysis"]

FAILURE_SHADES: tuple[tuple[float, str, str], ...] = (
    (0.10, "#ef9a9a", "expected failures per case >= 0.1"),
    (0.01, "#ffcdd2", "expected failures per case >= 0.01"),
    (0.0, "#fff0f0", "expected failures per case < 0.01"),
)
"""Fill by expected failures per case: (lower bound, colour, key text), worst first."""

_BOTTLENECK = "#e65100"
_OVERLOADED = "#ff9800"
CRITICAL = "#6a1b9a"
"""Border of the steps on the critical path of parallel work (each fork's longest branch)."""
_TIME_TRAP = "#00838f"


def styles_from_analysis(analysis: Analysis) -> tuple[dict[str, StepStyle], list[KeyEntry]]:
    """Step styles and key entries for an analysis.

    Fail points are filled by expected failures per case; the bottleneck gets a
    thick orange border, overloaded steps an orange one; the time trap (the
    step with the largest share of the queue-aware lead time) a teal one.
    Each marked step carries a badge with its figures: expected failures,
    utilisation and modelled queue wait (or load per case without arrivals),
    share of the lead time; its tooltip adds its lead time (wait + queue +
    duration) and work in progress (Little's law).
    On a map with parallel work, the steps of the critical path
    (:attr:`~servicemap.analysis.Analysis.critical_path`: each fork's longest
    branch, with the fork and join) get a purple border, and a tooltip line
    saying so. No mark hides another: where a step has a load border already,
    the purple (or the time trap's teal) is its ring, a second border inside
    the first (:attr:`~servicemap.drawing.style.StepStyle.ring`); only a
    third mark is left to its badge.

    Args:
        analysis: What :func:`servicemap.analyze` found.

    Returns:
        The styles by step id, and the key entries for the colours used.

    Example:
        >>> import servicemap as sm
        >>> styles, key = styles_from_analysis(sm.analyze(sm.loads('''
        ... name: Two steps
        ... arrivals: 10/h
        ... steps:
        ...   - {id: s, kind: terminator, next: t}
        ...   - {id: t, kind: task, duration: 5m, capacity: 1, accuracy: 90%, fail: Typo, next: e}
        ...   - {id: e, kind: terminator}
        ... ''')))
        >>> styles["t"].badge, styles["t"].color == _BOTTLENECK, styles["t"].ring == _TIME_TRAP
        ('0.1 fail/case, util 83%, queue 25 min, 100% of lead time', True, True)
        >>> styles["t"].note.split("; ")[1]
        'lead time 30 min, WIP 5'
        >>> [entry.label for entry in key]
        ['expected failures per case >= 0.01', 'bottleneck (highest load)', \
'time trap (largest share of lead time)']
    """
    badges: dict[str, list[str]] = {}
    used: set[str] = set()
    fills = _failure_fills(analysis, badges, used)
    borders = _load_borders(analysis, badges, used)
    critical = set(analysis.critical_path)
    rings: dict[str, str] = {}  # a second mark, drawn inside the border
    for step in sorted(critical):
        if step in borders:
            rings[step] = CRITICAL
        else:
            borders[step] = (CRITICAL, 3.0)
        used.add("critical")
    _time_trap(analysis, borders, rings, badges, used)
    styles: dict[str, StepStyle] = {}
    row_of = {sid: i for i, sid in enumerate(analysis.table["id"])}  # one lookup per step
    for step in sorted(set(fills) | set(borders)):
        border: tuple[str | None, float | None] = borders.get(step, (None, None))
        notes = [*badges.get(step, []), *(["on the critical path"] if step in critical else [])]
        styles[step] = StepStyle(
            fill=fills.get(step), color=border[0], penwidth=border[1],
            badge=", ".join(badges.get(step, [])) or None,
            note=_note(analysis, row_of[step], notes), ring=rings.get(step),
        )
    key = [KeyEntry(text, fill=colour) for _b, colour, text in FAILURE_SHADES if text in used]
    if "bottleneck" in used:
        key.append(KeyEntry("bottleneck (highest load)", color=_BOTTLENECK))
    if "overloaded" in used:
        key.append(KeyEntry("overloaded (utilisation >= 100%)", color=_OVERLOADED))
    if "time trap" in used:
        key.append(KeyEntry("time trap (largest share of lead time)", color=_TIME_TRAP))
    if "critical" in used:
        key.append(KeyEntry("critical path (longest parallel branch)", color=CRITICAL))
    return styles, key


def _time_trap(analysis: Analysis, borders: dict[str, tuple[str, float]],
               rings: dict[str, str], badges: dict[str, list[str]], used: set[str]) -> None:
    """Mark the step with the largest share of the queue-aware lead time (if bounded):
    its badge always, a teal border, or a teal ring where it has a border but no ring."""
    if not analysis.time_traps or analysis.summary.lead_time_unbounded is not None:
        return
    step, share = analysis.time_traps[0]
    badges.setdefault(step, []).append(f"{format_percent(share, 0)} of lead time")
    if step not in borders:
        borders[step] = (_TIME_TRAP, 2.5)
    elif step not in rings:
        rings[step] = _TIME_TRAP
    else:
        return
    used.add("time trap")


def _note(analysis: Analysis, i: int, badge: list[str]) -> str | None:
    """The tooltip line: the badge's figures, then the lead time and WIP of table row ``i``."""
    if not badge:
        return None
    t = analysis.table
    more = []
    if t["lead_time_s"][i] is not None:
        more.append(f"lead time {format_seconds(t['lead_time_s'][i])}")
    if t["wip"][i] is not None:
        more.append(f"WIP {t['wip'][i]:.3g}")
    return "analysis: " + ", ".join(badge) + ("; " + ", ".join(more) if more else "")


def _failure_fills(analysis: Analysis, badges: dict[str, list[str]], used: set[str]
                   ) -> dict[str, str]:
    """Fill of each fail point by its expected failures per case; adds badges and key texts."""
    fills: dict[str, str] = {}
    for point in analysis.failure_points:
        value = point.expected_failures
        if value is None:
            continue
        for bound, colour, text in FAILURE_SHADES:
            if value >= bound:
                fills[point.step] = colour
                used.add(text)
                break
        badges.setdefault(point.step, []).append(f"{value:.2g} fail/case")
    return fills


def _queue_text(seconds: float) -> str:
    """A modelled queue wait for a tag: under a second it is only "< 1 s" (its digits,
    e.g. 5.01e-07 s on a lightly loaded step, say nothing a reader could use).

    >>> _queue_text(0.000384), _queue_text(1.27), _queue_text(274)
    ('< 1 s', '1.27 s', '4.57 min')
    """
    return "< 1 s" if seconds < 1 else format_seconds(seconds)


def _load_borders(analysis: Analysis, badges: dict[str, list[str]], used: set[str]
                  ) -> dict[str, tuple[str, float]]:
    """Border of the bottleneck and of overloaded steps; adds load badges and key texts."""
    borders: dict[str, tuple[str, float]] = {}
    for row in analysis.bottlenecks:
        if row.overloaded:
            borders[row.step] = (_OVERLOADED, 2.5)
            used.add("overloaded")
        if row.utilisation is not None:
            badges.setdefault(row.step, []).append(f"util {format_percent(row.utilisation, 0)}")
            if row.queue_wait_s and not row.overloaded:
                badges[row.step].append(f"queue {_queue_text(row.queue_wait_s)}")
        elif row.load_s is not None and row.step == analysis.summary.bottleneck:
            badges.setdefault(row.step, []).append(f"{format_seconds(row.load_s)}/case")
    if analysis.summary.bottleneck is not None:
        borders[analysis.summary.bottleneck] = (_BOTTLENECK, 3.5)
        used.add("bottleneck")
    return borders
