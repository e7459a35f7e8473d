"""Working calendars: working hours per weekday, working time and the calendar time it spans."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from itertools import accumulate
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from .values import VALUE_MARKER, Rate, WorkDuration

__all__ = [
    "EPOCH",
    "HOLIDAY_PATTERN",
    "HOURS_PATTERN",
    "TIMEZONE_PATTERN",
    "WEEK",
    "WEEKDAYS",
    "Holiday",
    "TimeZone",
    "WorkWeek",
    "WorkingHours",
    "hour_ranges",
    "offset_changes",
    "parse_holiday",
    "parse_hours",
    "parse_timezone",
    "working_rate_per_hour",
    "working_seconds",
]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The keys of a calendar's ``hours``, Monday first."""

WEEK = 604800.0
"""Seconds in a calendar week."""

EPOCH = datetime(2026, 1, 5, tzinfo=timezone.utc)  # a Monday
"""Simulated time 0 (a Monday, 00:00 UTC): calendars are laid out from it."""

_CLOCK = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9]"
_END = rf"(?:{_CLOCK}|24:00)"
_RANGE = rf"{_CLOCK}[ ]*-[ ]*{_END}"
HOURS_PATTERN = rf"^[ ]*{_RANGE}(?:[ ]*,[ ]*{_RANGE})*[ ]*$(?!\n)"
"""A day's working hours (``09:00-17:00``, ``08:00-12:00, 13:00-17:00``), as a JSON Schema pattern.

>>> bool(re.search(HOURS_PATTERN, "8:00-12:00, 13:00-24:00")), bool(re.search(HOURS_PATTERN, "9-5"))
(True, False)
"""
TIMEZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+-]{0,29}(?:/[A-Za-z0-9_+-]{1,30}){0,2}$(?!\n)"
"""An IANA time zone name (``Europe/Berlin``, ``UTC``), as a JSON Schema pattern.

``(?!\n)``: in Python's ``re`` (jsonschema's), ``$`` also matches before a final line
break; in ECMA 262 (editors') it does not.
"""

HOLIDAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$(?!\n)"
"""A holiday, an ISO date (``2026-12-25``), as a JSON Schema pattern (the date itself is
checked when read: ``2026-02-30`` is refused)."""

_HOURS_RE = re.compile(HOURS_PATTERN)
_HOLIDAY_RE = re.compile(HOLIDAY_PATTERN)
_ZONE_RE = re.compile(TIMEZONE_PATTERN)
_PAIR = re.compile(rf"({_CLOCK})[ ]*-[ ]*({_END})")


def _seconds(clock: str) -> float:
    hours, minutes = clock.split(":")
    return int(hours) * 3600.0 + int(minutes) * 60.0


def hour_ranges(text: str) -> list[tuple[float, float]]:
    """A day's working hours as ``(start, end)`` seconds after midnight, in order.

    Raises:
        ValueError: for text that is no list of ranges, a range that does not
            end after it starts, or ranges out of order or overlapping.

    >>> hour_ranges("08:00-12:00, 13:00-17:30")
    [(28800.0, 43200.0), (46800.0, 63000.0)]
    """
    if not _HOURS_RE.fullmatch(text):
        raise ValueError(f"cannot read working hours {text!r}: expected ranges such as "
                         "'09:00-17:00' or '08:00-12:00, 13:00-17:00' (24-hour clock, "
                         "'24:00' for midnight at the end)")
    ranges = [(_seconds(a), _seconds(b)) for a, b in _PAIR.findall(text)]
    for k, (start, end) in enumerate(ranges):
        if end <= start:
            raise ValueError(f"working hours {text!r}: a range must end after it starts")
        if k and start < ranges[k - 1][1]:
            raise ValueError(f"working hours {text!r}: ranges must be in order and not overlap")
    return ranges


def parse_hours(value: object) -> str:
    """Check a day's working hours (see :func:`hour_ranges`); the text is kept as written.

    Raises:
        PydanticCustomError: for anything else.

    >>> parse_hours("09:00-17:00")
    '09:00-17:00'
    """
    if not isinstance(value, str):
        raise PydanticCustomError("working_hours", "expected working hours such as "
                                  "'09:00-17:00' or '08:00-12:00, 13:00-17:00'")
    try:
        hour_ranges(value)
    except ValueError as exc:
        raise PydanticCustomError("working_hours", "{message}", {"message": str(exc)}) from None
    return value


def parse_timezone(value: object) -> str:
    """Check an IANA time zone name (``Europe/Berlin``) with :mod:`zoneinfo`.

    Raises:
        PydanticCustomError: for a name that is no time zone on this system.

    >>> parse_timezone("UTC")
    'UTC'
    """
    if isinstance(value, str) and _ZONE_RE.fullmatch(value):
        try:
            _zone(value)
        except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
            pass
        else:
            return value
    raise PydanticCustomError(
        "timezone", "{value} is not a time zone: expected an IANA name such as "
        "'Europe/Berlin' or 'UTC' (install the tzdata package where the system has none)",
        {"value": repr(value) if isinstance(value, str) else "this"})


def parse_holiday(value: object) -> str:
    """Check a holiday, an ISO date ``YYYY-MM-DD``; the text is kept as written.

    A date YAML reads as a date (``2026-12-25`` unquoted) is taken as its ISO text.

    Raises:
        PydanticCustomError: for anything else, or a day that does not exist.

    >>> parse_holiday("2026-12-25")
    '2026-12-25'
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and _HOLIDAY_RE.fullmatch(value):
        try:
            date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return value
    raise PydanticCustomError(
        "holiday", "{value} is not a date: expected a holiday as an ISO date such as "
        "'2026-12-25' (year-month-day)", {"value": repr(value) if isinstance(value, str)
                                           else "this"})


def _zone(name: str) -> timezone:
    """The zone's fixed UTC offset at :data:`EPOCH` (winter time in the northern half)."""
    from zoneinfo import ZoneInfo

    offset = EPOCH.astimezone(ZoneInfo(name)).utcoffset() or timedelta(0)
    return timezone(offset)


_HORIZON_DAYS = 36525
"""How far a zone's UTC offset changes are looked up: 100 years of simulated time."""


@lru_cache(maxsize=64)
def offset_changes(name: str) -> tuple[tuple[float, float], ...]:
    """The zone's UTC offset changes after :data:`EPOCH`: ``(instant, shift)`` pairs.

    ``instant`` is the first simulated second with the new offset, ``shift`` the
    new offset minus the offset at the epoch, in seconds. The offset is sampled
    daily over the first 100 years (later changes are not followed) and each
    change is found to the second by bisection: :mod:`zoneinfo` is asked once per
    zone (the answer is kept), never per event.

    Europe/Berlin: CEST (UTC+2) from 29 March 2026 01:00 UTC, CET again from 25 October.

    >>> [(str(EPOCH + timedelta(seconds=t)), d) for t, d in offset_changes("Europe/Berlin")[:2]]
    [('2026-03-29 01:00:00+00:00', 3600.0), ('2026-10-25 01:00:00+00:00', 0.0)]
    >>> offset_changes("Asia/Tokyo")
    ()
    """
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(name)

    def offset(t: int) -> float:
        local = (EPOCH + timedelta(seconds=t)).astimezone(zone).utcoffset()
        return (local or timedelta(0)).total_seconds()

    base = before = offset(0)
    changes: list[tuple[float, float]] = []
    for k in range(1, _HORIZON_DAYS + 1):
        after = offset(k * 86400)
        if after == before:
            continue
        lo, hi = (k - 1) * 86400, k * 86400  # offset(lo) == before != offset(hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if offset(mid) == before else (lo, mid)
        changes.append((float(hi), after - base))
        before = after
    return tuple(changes)


@dataclass(frozen=True)
class WorkWeek:
    """A weekly calendar laid out on simulated time: working intervals repeating each week.

    Times are seconds after :data:`EPOCH` (Monday 00:00 UTC); a calendar in
    another zone follows that zone's UTC offset, daylight saving time included
    (:func:`offset_changes`): between two changes of the offset the week is
    ``intervals`` moved by the change's shift. Working time is counted from the
    epoch; it is real elapsed time, so an hour of work skipped or repeated by a
    change (only for hours around 02:00-03:00) is lost or worked twice.

    Attributes:
        intervals: Working intervals within a week, ``[start, end)`` seconds, in order,
            at the zone's UTC offset at the epoch (January 2026).
        weekly: Working seconds per week (``W``), as the hours are written: a
            week in which the offset changes is not counted differently.
        day: Working seconds per working day: ``W`` / the days with working hours.
        text: The calendar for a person: ``mon-fri 09:00-17:00 (UTC)``.
        zone: The IANA time zone whose UTC offset changes are followed (None: UTC).
        starts, cumulative: Each interval's start, and the working seconds of the
            week before each interval (the week's total last), for bisection.
        cuts, shifts, lost, reached: The offset changes (see :meth:`worked`).
        holidays: Days closed all day in the zone, ISO dates in order (see :meth:`worked`).
        closed, reopen, missed, before: Each holiday's local day as ``[closed, reopen)``
            seconds, the working seconds all holidays before it (and it) take, the
            working seconds counted when it begins.
        per_weekday: Working seconds written for each weekday, Monday first.

    Example:
        Monday to Friday 09:00-17:00: 40 working hours in the 168 h of a week.

        >>> week = WorkWeek.of({d: "09:00-17:00" for d in WEEKDAYS[:5]})
        >>> week.weekly / 3600, week.day / 3600, round(week.fraction, 4)
        (40.0, 8.0, 0.2381)
        >>> week.add(16 * 3600, 2 * 3600) / 3600  # Monday 16:00 + 2 working h: Tuesday 10:00
        34.0
    """

    intervals: tuple[tuple[float, float], ...]
    weekly: float
    day: float
    text: str
    zone: str | None = None
    starts: tuple[float, ...] = field(default=(), repr=False)
    cumulative: tuple[float, ...] = field(default=(), repr=False)
    cuts: tuple[float, ...] = field(default=(), repr=False)
    shifts: tuple[float, ...] = field(default=(0.0,), repr=False)
    lost: tuple[float, ...] = field(default=(0.0,), repr=False)
    reached: tuple[float, ...] = field(default=(), repr=False)
    holidays: tuple[str, ...] = ()
    per_weekday: tuple[float, ...] = field(default=(), repr=False)
    closed: tuple[float, ...] = field(default=(), repr=False)
    reopen: tuple[float, ...] = field(default=(), repr=False)
    missed: tuple[float, ...] = field(default=(0.0,), repr=False)
    before: tuple[float, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", tuple(a for a, _ in self.intervals))
        object.__setattr__(self, "cumulative",
                           (0.0, *accumulate(b - a for a, b in self.intervals)))
        changes = offset_changes(self.zone) if self.zone else ()
        shifts, lost, reached = [0.0], [0.0], []
        for cut, shift in changes:  # worked() stays continuous across each change
            before = self._worked(cut + shifts[-1]) - lost[-1]
            lost.append(self._worked(cut + shift) - before)
            shifts.append(shift)
            reached.append(before)
        object.__setattr__(self, "cuts", tuple(c for c, _ in changes))
        object.__setattr__(self, "shifts", tuple(shifts))
        object.__setattr__(self, "lost", tuple(lost))
        object.__setattr__(self, "reached", tuple(reached))
        if self.holidays:
            self._close_holidays()

    def _close_holidays(self) -> None:
        """Lay the holidays out: each local day ``[closed, reopen)`` and the work it takes."""
        days = sorted({date.fromisoformat(d) for d in self.holidays})
        closed = [_local_midnight(d, self.zone) for d in days]
        reopen = [_local_midnight(d + timedelta(days=1), self.zone) for d in days]
        missed, before = [0.0], []
        for a, b in zip(closed, reopen, strict=True):
            before.append(self._dst_worked(a) - missed[-1])
            missed.append(missed[-1] + self._dst_worked(b) - self._dst_worked(a))
        object.__setattr__(self, "holidays", tuple(d.isoformat() for d in days))
        object.__setattr__(self, "closed", tuple(closed))
        object.__setattr__(self, "reopen", tuple(reopen))
        object.__setattr__(self, "missed", tuple(missed))
        object.__setattr__(self, "before", tuple(before))

    @classmethod
    def of(cls, hours: Mapping[str, str], zone: str | None = None,
           holidays: Iterable[str] = ()) -> WorkWeek:
        """The calendar of ``hours`` (weekday to working hours) in time zone ``zone``,
        closed all day on ``holidays`` (ISO dates, local days of the zone).

        Raises:
            ValueError: if no day has working hours, or for hours or dates that cannot be read.
        """
        shift = _zone(zone).utcoffset(None).total_seconds() if zone else 0.0
        local = [(WEEKDAYS.index(d) * 86400.0 + a, WEEKDAYS.index(d) * 86400.0 + b)
                 for d, text in hours.items() for a, b in hour_ranges(text)]
        if not local:
            raise ValueError("a calendar needs working hours on at least one day")
        weekly = sum(b - a for a, b in local)
        days = len([d for d, text in hours.items() if hour_ranges(text)])
        cut: list[tuple[float, float]] = []
        for a, b in local:  # to UTC, wrapped into the week
            a, b = a - shift, b - shift
            k = (a // WEEK) * WEEK
            a, b = a - k, b - k
            cut += [(a, min(b, WEEK))] + ([(0.0, b - WEEK)] if b > WEEK else [])
        merged: list[tuple[float, float]] = []
        for a, b in sorted(cut):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
            else:
                merged.append((a, b))
        per_weekday = tuple(sum(b - a for a, b in hour_ranges(hours[d])) if d in hours else 0.0
                            for d in WEEKDAYS)
        dates = tuple(sorted({date.fromisoformat(d).isoformat() for d in holidays}))
        return cls(tuple(merged), weekly, weekly / days, _describe(hours, zone, dates), zone,
                   holidays=dates, per_weekday=per_weekday)

    @property
    def average_weekly(self) -> float:
        """Working seconds per week on average: ``W``, less the holidays' working hours
        spread over the calendar years they fall in (``W`` without holidays).

        >>> week = WorkWeek.of({d: "09:00-17:00" for d in WEEKDAYS[:5]}, None,
        ...                    ["2026-12-25", "2026-12-27"])  # a Friday, a Sunday
        >>> round(week.average_weekly / 3600, 4)  # 40 h - 8 h · 7 / 365
        39.8466
        """
        if not self.holidays:
            return self.weekly
        years = {int(d[:4]) for d in self.holidays}
        days = sum((date(y + 1, 1, 1) - date(y, 1, 1)).days for y in years)
        off = sum(self.per_weekday[date.fromisoformat(d).weekday()] for d in self.holidays)
        return self.weekly - off * 7.0 / days

    @property
    def fraction(self) -> float:
        """The share of calendar time that is working time, ``W / 168 h`` (with holidays
        :attr:`average_weekly` / 168 h)."""
        return self.average_weekly / WEEK

    def worked(self, t: float) -> float:
        """Working seconds from the epoch to ``t``, holidays taken out.

        Before the first holiday it is :meth:`_dst_worked`; during holiday ``j``
        the count stands at ``before[j]``; after it, the holidays' work
        ``missed[j + 1]`` is taken off.

        >>> week = WorkWeek.of({"mon": "09:00-17:00"}, None, ["2026-01-12"])
        >>> week.worked(WEEK + 20 * 3600) / 3600, week.worked(2 * WEEK + 10 * 3600) / 3600
        (8.0, 9.0)
        """
        w = self._dst_worked(t)
        if not self.closed:
            return w
        j = bisect_right(self.closed, t)
        if j == 0:
            return w
        if t < self.reopen[j - 1]:
            return self.before[j - 1]
        return w - self.missed[j]

    def instant(self, w: float) -> float:
        """The earliest time at which ``w`` working seconds have passed since the epoch.

        >>> WorkWeek.of({"mon": "09:00-17:00"}).instant(8 * 3600) / 3600  # Monday 17:00
        17.0
        >>> week = WorkWeek.of({"mon": "09:00-17:00"}, None, ["2026-01-12"])
        >>> week.instant(9 * 3600) / 3600 - 2 * WEEK / 3600  # the third Monday, 10:00
        10.0
        """
        if not self.closed:
            return self._dst_instant(w)
        j = bisect_left(self.before, w)  # the holidays begun before w is worked
        return self._dst_instant(w + self.missed[j])

    def next_open(self, t: float) -> float:
        """``t`` if it is working time, else the start of the next working interval.

        >>> WorkWeek.of({"tue": "09:00-17:00"}).next_open(0.0) / 3600  # Tuesday 09:00
        33.0
        >>> WorkWeek.of({"tue": "09:00-17:00"}, None, ["2026-01-06"]).next_open(0.0) / 3600
        201.0
        """
        while True:
            found = self._dst_next_open(t)
            j = bisect_right(self.closed, found) - 1
            if j < 0 or found >= self.reopen[j]:
                return found
            t = self.reopen[j]  # a holiday: look again from its end

    def _dst_worked(self, t: float) -> float:
        """Working seconds from the epoch to ``t``, without holidays.

        Between offset changes ``cuts[j - 1]`` and ``cuts[j]`` the week is
        ``intervals`` moved earlier by ``shifts[j]``; ``lost[j]`` keeps the
        count continuous at each change, ``reached[j - 1]`` is the count there.

        >>> week = WorkWeek.of({"mon": "09:00-17:00"})
        >>> week.worked(10 * 3600), week.worked(WEEK + 20 * 3600) / 3600
        (3600.0, 16.0)
        """
        if not self.cuts:
            return self._worked(t)
        j = bisect_right(self.cuts, t)
        return self._worked(t + self.shifts[j]) - self.lost[j]

    def _worked(self, t: float) -> float:
        """:meth:`worked` at the epoch's offset all along."""
        k, r = divmod(t, WEEK)
        i = bisect_right(self.starts, r) - 1
        within = 0.0 if i < 0 else self.cumulative[i] + min(r, self.intervals[i][1]) \
            - self.intervals[i][0]
        return k * self.weekly + within

    def _dst_instant(self, w: float) -> float:
        """:meth:`instant` without holidays."""
        if not self.cuts:
            return self._instant(w)
        j = bisect_left(self.reached, w)  # the first stretch that reaches w
        return self._instant(w + self.lost[j]) - self.shifts[j]

    def _instant(self, w: float) -> float:
        """:meth:`instant` at the epoch's offset all along."""
        k, r = divmod(w, self.weekly)
        if r == 0.0 and k > 0:
            k, r = k - 1, self.weekly
        cum = self.cumulative
        i = max(bisect_left(cum, r) - 1, 0)
        return k * WEEK + self.intervals[i][0] + (r - cum[i])

    def add(self, t: float, x: float) -> float:
        """The time at which ``x`` working seconds, begun at ``t``, are done.

        >>> week = WorkWeek.of({d: "09:00-17:00" for d in WEEKDAYS[:5]})
        >>> week.add(4 * 86400 + 16 * 3600, 2 * 3600) / 3600  # Friday 16:00 + 2 h: Monday 10:00
        178.0
        >>> closed = WorkWeek.of({d: "09:00-17:00" for d in WEEKDAYS[:5]}, None, ["2026-01-12"])
        >>> closed.add(4 * 86400 + 16 * 3600, 2 * 3600) / 3600  # Monday a holiday: Tuesday 10:00
        202.0
        """
        if x <= 0.0:
            return t
        # Not before work can begin at t (rounding of worked(t) + x for a tiny x in a gap).
        return max(self.instant(self.worked(t) + x), self.next_open(t))

    def _dst_next_open(self, t: float) -> float:
        """:meth:`next_open` without holidays."""
        if not self.cuts:
            return self._next_open(t)
        j = bisect_right(self.cuts, t)
        while True:
            found = self._next_open(t + self.shifts[j]) - self.shifts[j]
            if j == len(self.cuts) or found < self.cuts[j]:
                return found
            t, j = self.cuts[j], j + 1  # opens only after the next change: look from there

    def _next_open(self, t: float) -> float:
        """:meth:`next_open` at the epoch's offset all along."""
        k, r = divmod(t, WEEK)
        for a, b in self.intervals:
            if r < b:
                return t if r >= a else k * WEEK + a
        return (k + 1) * WEEK + self.intervals[0][0]


def _local_midnight(day: date, zone: str | None) -> float:
    """Simulated time (seconds after :data:`EPOCH`) of 00:00 on ``day`` in ``zone`` (UTC)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone) if zone else timezone.utc
    return (datetime(day.year, day.month, day.day, tzinfo=tz) - EPOCH).total_seconds()


def _describe(hours: Mapping[str, str], zone: str | None, holidays: tuple[str, ...] = ()) -> str:
    """``mon-fri 09:00-17:00, sat 09:00-12:00 (UTC)``: runs of days with the same hours,
    then the holidays (``closed 2026-12-25, 2026-12-26``; the first three and how many more)."""
    runs: list[tuple[str, str, str]] = []
    for day in WEEKDAYS:
        text = hours.get(day)
        if text is None:
            continue
        text = ", ".join(f"{a}-{b}" for a, b in _PAIR.findall(text))
        if runs and runs[-1][2] == text and WEEKDAYS.index(runs[-1][1]) + 1 == WEEKDAYS.index(day):
            runs[-1] = (runs[-1][0], day, text)
        else:
            runs.append((day, day, text))
    shown = ", ".join(f"{a if a == b else a + '-' + b} {t}" for a, b, t in runs)
    closed = ""
    if holidays:
        more = f" and {len(holidays) - 3} more" if len(holidays) > 3 else ""
        closed = f", closed {', '.join(holidays[:3])}{more}"
    return f"{shown} ({zone or 'UTC'}){closed}"


def working_seconds(value: timedelta, week: WorkWeek | None) -> float:
    """A duration in working seconds: days and weeks as written are working days and weeks.

    Without a calendar, seconds as usual (a day 24 h).

    >>> from servicemap.values import parse_duration
    >>> week = WorkWeek.of({d: "09:00-17:00" for d in WEEKDAYS[:5]})
    >>> working_seconds(parse_duration("2d 1h"), week) / 3600  # 2 · 8 h + 1 h
    17.0
    >>> [working_seconds(parse_duration(t), week) / 3600 for t in ("1w", "36h")]
    [40.0, 36.0]
    """
    if week is None or not isinstance(value, WorkDuration):
        return value.total_seconds()
    return value.clock + value.weeks * week.weekly + value.days_written * week.day


def working_rate_per_hour(rate: Rate, week: WorkWeek | None) -> float:
    """Cases per working hour: a rate per day is per working day, per week per working week.

    >>> week = WorkWeek.of({d: "09:00-17:00" for d in WEEKDAYS[:5]})
    >>> [working_rate_per_hour(Rate.parse(t), week) for t in ("40/d", "6/h", "80/w")]
    [5.0, 6.0, 2.0]
    """
    if week is None:
        return rate.per_hour
    count, per, unit = rate.parts()
    if unit == 86400.0:
        return count / (per * week.day) * 3600.0
    if unit == WEEK:
        return count / (per * week.weekly) * 3600.0
    return rate.per_hour


WorkingHours = Annotated[
    str,
    BeforeValidator(parse_hours),
    WithJsonSchema({
        VALUE_MARKER: "WorkingHours",
        "description": "a day's working hours: ranges on the 24-hour clock, separated by "
        "commas, in order, each ending after it starts ('24:00' ends at midnight): "
        "09:00-17:00, 08:00-12:00, 13:00-17:00",
        "type": "string",
        "pattern": HOURS_PATTERN,
        "examples": ["09:00-17:00"],
    }),
]
"""A day's working hours, kept as written."""

Holiday = Annotated[
    str,
    BeforeValidator(parse_holiday),
    WithJsonSchema({
        VALUE_MARKER: "Holiday",
        "description": "a day closed all day in the calendar's time zone, an ISO date "
        "(year-month-day): 2026-12-25",
        "type": "string",
        "pattern": HOLIDAY_PATTERN,
        "examples": ["2026-12-25"],
    }),
]
"""A holiday, an ISO date, kept as written."""

TimeZone = Annotated[
    str,
    BeforeValidator(parse_timezone),
    WithJsonSchema({
        VALUE_MARKER: "TimeZone",
        "description": "an IANA time zone name: Europe/Berlin, America/New_York, UTC",
        "type": "string",
        "pattern": TIMEZONE_PATTERN,
        "examples": ["Europe/Berlin"],
    }),
]
"""An IANA time zone name."""
