"""Working calendars in the analysis: the map on working time, lead time in calendar time.

With a calendar (docs/format.md, *Working calendars*) every duration, wait and
rate of the map is working time. The analysis runs unchanged on the map
converted to the working time of the map's calendar (the *reference*
calendar; around the clock where the map gives none):

- a step's ``duration`` and ``wait`` are read in its lane's calendar (a day
  written is a working day of it, :func:`servicemap.calendars.working_seconds`)
  and, where the lane has its own calendar, converted to the reference's
  working time in proportion to the weekly hours, ``x · W_ref / W_lane`` (the
  long-run rate at which the lane's working time passes against the reference's);
- arrival rates are per working hour of the reference (``40/d``: per working day).

The lead time in calendar time is the working-time lead time divided by the
reference's working fraction ``f = W_ref / 168 h`` (with holidays ``W`` is the
average over the years they fall in,
:attr:`~servicemap.calendars.WorkWeek.average_weekly`). This is the expected
calendar span of the working-time lead time when a case arrives at a random
working instant (Poisson arrivals in working hours) and its lead time does not
depend on where in the week it starts: for a working-time interval of length
``x`` begun at a working instant drawn uniformly over the week, each
non-working gap ``g_j`` of the week lies inside the interval ``x / W`` times
on average, so the span is ``x + x · Σ g_j / W = x / f``. With lanes on other
calendars it is the sum of each step's ``x / f_lane``, an approximation: a
hand-off from a lane at work to one that is closed waits for the opening, which
the simulation models and this does not.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..calendars import WEEK, WorkWeek, working_rate_per_hour, working_seconds
from ..values import Rate, format_seconds, parse_rate
from .chain import FlowChain, _starts

if TYPE_CHECKING:
    from ..model import Blueprint

__all__ = ["CALENDAR_METHOD", "CalendarTimes", "on_working_time"]

CALENDAR_METHOD = "working-time lead time / working fraction (W / 168 h)"
"""How the calendar-time lead time is found (see the module docstring)."""


@dataclass(frozen=True)
class CalendarTimes:
    """Lead time in working and in calendar time, and the calendars behind them.

    Attributes:
        calendar: The reference calendar for a person (``"around the clock"`` where
            the map has none, only lanes).
        working_hours_per_week: ``W``, the reference's working hours per week (with
            holidays, the average over the years they fall in).
        working_fraction: ``f = W / 168 h``.
        lanes: Each lane with its own calendar: its text and weekly working hours.
        lead_time_working_s: The lead time per case in the reference's working time
            (the summary's ``lead_time_s``).
        lead_time_calendar_s: The same in calendar time, ``lead_time_working_s / f``.
        method: How ``lead_time_calendar_s`` was found.
        lead_time_percentiles_calendar_s: p50, p80, p95 of the lead time in calendar
            time, by simulation (``servicemap.analyze`` runs one where the map is
            small enough; ``None`` otherwise): they do not scale like the mean.
        percentiles_method: How those were found.
    """

    calendar: str
    working_hours_per_week: float
    working_fraction: float
    lanes: dict[str, dict[str, Any]]
    lead_time_working_s: float | None = None
    lead_time_calendar_s: float | None = None
    method: str = CALENDAR_METHOD
    lead_time_percentiles_calendar_s: dict[str, float] | None = None
    percentiles_method: str | None = None

    def with_lead_time(self, working: float | None) -> CalendarTimes:
        """These figures with the lead time (working seconds) and its calendar span."""
        span = None if working is None else working / self.working_fraction
        return dataclasses.replace(self, lead_time_working_s=working, lead_time_calendar_s=span)

    def to_dict(self) -> dict[str, Any]:
        """The ``calendar`` object of ``analyze --format json``."""
        return dataclasses.asdict(self)

    def lines(self) -> list[tuple[str, str, str]]:
        """Summary lines for the text report."""
        lanes = "; ".join(f"lane {k}: {v['calendar']}" for k, v in self.lanes.items())
        q = self.lead_time_percentiles_calendar_s
        shown = [] if q is None else [(
            "  percentiles", ", ".join(f"{k} {format_seconds(x)}" for k, x in q.items())
            + f" ({self.percentiles_method})", "")]
        return [
            ("working calendar", f"{self.calendar}, {self.working_hours_per_week:g} h a week"
             + (f"; {lanes}" if lanes else ""), ""),
            ("lead time, calendar", format_seconds(self.lead_time_calendar_s)
             + " (working-time lead time / working fraction "
             f"{self.working_fraction:.3g})", ""),
            *shown,
        ]


def _step_weeks(blueprint: Blueprint, nodes: list[str], lanes: dict[str, WorkWeek],
                week: WorkWeek | None) -> list[WorkWeek | None]:
    """The calendar each step works by: its lane's own, else the map's (``None``: always)."""
    lane_of = {s.id: s.lane for s in reversed(blueprint.steps)}
    return [lanes.get(lane_of.get(sid) or "", week) for sid in nodes]


def _times(blueprint: Blueprint, nodes: list[str], weeks: list[WorkWeek | None],
           reference: float, key: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Each step's ``duration`` or ``wait`` in the reference's working seconds (``nan``: none)."""
    by_id = blueprint.steps_by_id
    out = np.full(len(nodes), np.nan)
    for i, (sid, wk) in enumerate(zip(nodes, weeks, strict=True)):
        value = getattr(by_id[sid], key)
        if value is not None:
            own = wk.average_weekly if wk is not None else WEEK
            out[i] = working_seconds(value, wk) * reference / own
    return out


def on_working_time(chain: FlowChain, blueprint: Blueprint,
                    arrivals: Rate | str | float | None) -> tuple[FlowChain, float | None,
                                                                  CalendarTimes]:
    """The chain with its times and rates in the reference calendar's working time.

    Args:
        chain: The map compiled as usual (times in seconds, a day 24 h).
        blueprint: The map, with a calendar on it or on a lane.
        arrivals: Arrivals overriding the map's: a rate (per working day where per
            day), or a number of cases per working hour.

    Returns:
        The converted chain, the overriding arrivals per working hour (``None``:
        the map's) and the calendar figures, lead time not yet filled in.

    Notes:
        O(n); only maps with a calendar pay it.
    """
    week, lanes = blueprint.working_weeks()
    reference = week.average_weekly if week is not None else WEEK
    weeks = _step_weeks(blueprint, chain.nodes, lanes, week)

    def per_hour(rate: Any) -> float | None:
        return None if rate is None else working_rate_per_hour(parse_rate(rate), week)

    by_id = blueprint.steps_by_id
    starts = _starts(chain.nodes, chain.terminator & (chain.in_degree == 0),
                     [per_hour(getattr(by_id[s], "arrivals", None)) for s in chain.nodes],
                     per_hour(blueprint.arrivals))
    converted = dataclasses.replace(
        chain, duration=_times(blueprint, chain.nodes, weeks, reference, "duration"),
        wait=_times(blueprint, chain.nodes, weeks, reference, "wait"),
        start=starts.start, arrivals_per_h=starts.arrivals_per_h)
    rate = None if arrivals is None else (
        float(arrivals) if isinstance(arrivals, (int, float)) else per_hour(arrivals))
    times = CalendarTimes(
        calendar=week.text if week is not None else "around the clock",
        working_hours_per_week=reference / 3600.0,
        working_fraction=reference / WEEK,
        lanes={k: {"calendar": w.text, "working_hours_per_week": w.average_weekly / 3600.0}
               for k, w in lanes.items()},
    )
    return converted, rate, times
