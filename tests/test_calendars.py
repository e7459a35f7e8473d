"""Working calendars: working time laid out on the week, working days and rates, hand-checked."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import servicemap as sm
from servicemap.calendars import (
    WEEK,
    WEEKDAYS,
    WorkWeek,
    hour_ranges,
    working_rate_per_hour,
    working_seconds,
)
from servicemap.values import Rate, format_duration, parse_duration

H = 3600.0
DAY = 86400.0
OFFICE = WorkWeek.of({d: "09:00-17:00" for d in WEEKDAYS[:5]})  # Mon-Fri 09:00-17:00, UTC


def test_office_week_has_40_hours_in_168() -> None:
    # 5 days x 8 h = 40 working h; f = 40 / 168 = 0.238095...
    assert OFFICE.weekly == 40 * H
    assert OFFICE.day == 8 * H
    assert OFFICE.fraction == pytest.approx(40 / 168)


def test_forty_working_hours_take_one_calendar_week() -> None:
    # From Monday 09:00, 40 working hours end Friday 17:00: 4 days + 8 h = 104 h later.
    monday_9 = 9 * H
    assert OFFICE.add(monday_9, 40 * H) == 4 * DAY + 17 * H
    # From any working instant, 40 working h end exactly one calendar week (168 h) later
    # - or at the end of the interval before it: Wednesday 13:00 + 40 h = next Wednesday 13:00.
    wednesday_13 = 2 * DAY + 13 * H
    assert OFFICE.add(wednesday_13, 40 * H) == wednesday_13 + 168 * H


def test_work_stops_overnight_and_over_the_weekend() -> None:
    # Monday 16:00 + 2 working h: 1 h on Monday, 1 h from Tuesday 09:00 -> Tuesday 10:00.
    assert OFFICE.add(16 * H, 2 * H) == DAY + 10 * H
    # Friday 16:00 + 2 h: 1 h on Friday, then Monday 09:00 + 1 h = Monday 10:00 next week.
    assert OFFICE.add(4 * DAY + 16 * H, 2 * H) == WEEK + 10 * H
    # Begun on Saturday, work starts Monday 09:00.
    assert OFFICE.add(5 * DAY, 30 * 60) == WEEK + 9 * H + 30 * 60
    assert OFFICE.next_open(5 * DAY) == WEEK + 9 * H
    assert OFFICE.next_open(10 * H) == 10 * H


def test_worked_and_instant_invert_each_other() -> None:
    # Tuesday 12:00: Monday's 8 h and Tuesday's 3 h = 11 h worked since the epoch.
    assert OFFICE.worked(DAY + 12 * H) == 11 * H
    assert OFFICE.instant(11 * H) == DAY + 12 * H
    # 40 h: the week's last working instant, Friday 17:00 (not next Monday 09:00).
    assert OFFICE.instant(40 * H) == 4 * DAY + 17 * H
    for t in (0.0, 9 * H, 3 * DAY + 13.5 * H, 6 * DAY, 9 * WEEK + 2 * DAY + 10 * H):
        w = OFFICE.worked(t)
        assert OFFICE.worked(OFFICE.instant(w)) == pytest.approx(w)


def test_time_zone_shifts_the_hours_to_utc() -> None:
    # Europe/Berlin is UTC+1 in January: 09:00-17:00 there is 08:00-16:00 UTC.
    berlin = WorkWeek.of({"mon": "09:00-17:00"}, "Europe/Berlin")
    assert berlin.intervals == ((8 * H, 16 * H),)
    # America/New_York is UTC-5: Monday 22:00-24:00 there is Tuesday 03:00-05:00 UTC.
    ny = WorkWeek.of({"mon": "22:00-24:00"}, "America/New_York")
    assert ny.intervals == ((DAY + 3 * H, DAY + 5 * H),)
    # Pacific/Auckland is UTC+13: Monday 09:00-17:00 there is Sunday 20:00 - Monday 04:00 UTC,
    # which wraps round the end of the week.
    nz = WorkWeek.of({"mon": "09:00-17:00"}, "Pacific/Auckland")
    assert nz.intervals == ((0.0, 4 * H), (6 * DAY + 20 * H, WEEK))
    assert nz.weekly == 8 * H


def test_hours_split_by_a_break_and_day_length() -> None:
    week = WorkWeek.of({"mon": "08:00-12:00, 13:00-17:00", "fri": "09:00-13:00"})
    # 8 h on Monday + 4 h on Friday = 12 h a week over 2 working days: a working day is 6 h.
    assert (week.weekly, week.day) == (12 * H, 6 * H)
    assert week.add(11 * H, 2 * H) == 14 * H  # Monday 11:00 + 2 h, lunch 12-13 -> 14:00
    assert hour_ranges("00:00-24:00") == [(0.0, 24 * H)]


def test_around_the_clock_merges_the_days() -> None:
    always = WorkWeek.of({d: "00:00-24:00" for d in WEEKDAYS})
    assert always.intervals == ((0.0, WEEK),)
    assert always.fraction == 1.0
    assert always.add(123.0, 5 * DAY) == 123.0 + 5 * DAY


def test_days_and_weeks_are_working_days_and_weeks() -> None:
    # Under the office calendar: 2d = 2 x 8 h, 1w = 40 h, 1d 4h = 12 h; 36h stays 36 h.
    assert working_seconds(parse_duration("2d"), OFFICE) == 16 * H
    assert working_seconds(parse_duration("1w"), OFFICE) == 40 * H
    assert working_seconds(parse_duration("1d 4h"), OFFICE) == 12 * H
    assert working_seconds(parse_duration("P1DT4H"), OFFICE) == 12 * H
    assert working_seconds(parse_duration("36h"), OFFICE) == 36 * H
    # Without a calendar a day is 24 h, as before.
    assert working_seconds(parse_duration("2d"), None) == 48 * H


def test_rates_per_day_are_per_working_day() -> None:
    # 40/d over 8 working h = 5 per working hour; 100/w over 40 h = 2.5/h; 6/h stays.
    assert working_rate_per_hour(Rate.parse("40/d"), OFFICE) == 5.0
    assert working_rate_per_hour(Rate.parse("100/w"), OFFICE) == 2.5
    assert working_rate_per_hour(Rate.parse("6/h"), OFFICE) == 6.0
    assert working_rate_per_hour(Rate.parse("40/d"), None) == pytest.approx(40 / 24)


def test_durations_written_in_days_read_back_equal() -> None:
    for text in ("1d", "2.5d 3h", "1w 2d", "36h", "P1W"):
        d = parse_duration(text)
        again = parse_duration(format_duration(d))
        assert again == d
        assert working_seconds(again, OFFICE) == working_seconds(d, OFFICE)
        assert pickle.loads(pickle.dumps(d)) == d
        assert working_seconds(pickle.loads(pickle.dumps(d)), OFFICE) == working_seconds(
            d, OFFICE)
    assert format_duration(parse_duration("36h")) == "36h"  # never "1d 12h"


MAP = """
name: Calendar map
arrivals: 40/d
calendar:
  timezone: Europe/Berlin
  hours: {mon: 09:00-17:00, tue: 09:00-17:00, wed: 09:00-17:00, thu: 09:00-17:00,
          fri: 09:00-17:00}
lanes:
  - {id: desk}
  - id: robot
    calendar: {hours: {mon: 00:00-24:00, tue: 00:00-24:00, wed: 00:00-24:00,
                       thu: 00:00-24:00, fri: 00:00-24:00, sat: 00:00-24:00,
                       sun: 00:00-24:00}}
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, lane: desk, duration: 10min, capacity: 1, next: r}
  - {id: r, kind: task, lane: robot, duration: 168min, next: h}
  - {id: h, kind: delay, lane: desk, duration: 1d, next: e}
  - {id: e, kind: terminator}
"""


def test_a_map_with_calendars_saves_and_loads_equal(tmp_path: object) -> None:
    bp = sm.loads(MAP)
    again = sm.loads(bp.to_yaml())
    assert again == bp
    assert again.calendar is not None and again.calendar.hours["mon"] == "09:00-17:00"
    assert again.lanes[1].calendar is not None
    assert format_duration(again.step("h").duration) == "1d"


ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"]


@st.composite
def weeks(draw: st.DrawFn) -> WorkWeek:
    hours = {}
    for day in draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)):
        cuts = sorted(draw(st.lists(st.integers(0, 96), min_size=2, max_size=6, unique=True)))
        pairs = [(cuts[k], cuts[k + 1]) for k in range(0, len(cuts) - 1, 2)]
        hours[day] = ", ".join(f"{a // 4:02d}:{a % 4 * 15:02d}-{b // 4:02d}:{b % 4 * 15:02d}"
                               for a, b in pairs)
    return WorkWeek.of(hours, draw(st.sampled_from(ZONES)))


@settings(max_examples=300, deadline=None)
@given(weeks(), st.floats(0, 30 * WEEK), st.floats(0, 10 * WEEK))
def test_working_time_adds_up(week: WorkWeek, t: float, x: float) -> None:
    """x working seconds begun at t end no earlier, take exactly x of working time, and end
    in working time (or at the end of a working interval)."""
    end = week.add(t, x)
    assert end >= t
    assert week.worked(end) - week.worked(t) == pytest.approx(x, abs=1e-6 * max(1.0, end))
    assert week.next_open(t) >= t
    assert week.worked(week.next_open(t)) == pytest.approx(week.worked(t), abs=1e-6 * max(1.0, t))
    # A week of working time is a calendar week (168 h) from a working instant.
    start = week.next_open(t)
    assert week.add(start, week.weekly) == pytest.approx(start + WEEK, abs=1e-6 * start) \
        or week.add(start, week.weekly) <= start + WEEK
