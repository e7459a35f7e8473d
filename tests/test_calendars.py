"""Working calendars: working time laid out on the week, working days and rates, hand-checked."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import servicemap as sm
from servicemap.calendars import (
    EPOCH,
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
def calendars(draw: st.DrawFn) -> tuple[dict[str, str], str]:
    hours = {}
    for day in draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)):
        cuts = sorted(draw(st.lists(st.integers(0, 96), min_size=2, max_size=6, unique=True)))
        pairs = [(cuts[k], cuts[k + 1]) for k in range(0, len(cuts) - 1, 2)]
        hours[day] = ", ".join(f"{a // 4:02d}:{a % 4 * 15:02d}-{b // 4:02d}:{b % 4 * 15:02d}"
                               for a, b in pairs)
    return hours, draw(st.sampled_from(ZONES))


def weeks() -> st.SearchStrategy[WorkWeek]:
    return calendars().map(lambda c: WorkWeek.of(*c))


@settings(max_examples=300, deadline=None)
@given(weeks(), st.floats(0, 60 * WEEK), st.floats(0, 10 * WEEK))
def test_working_time_adds_up(week: WorkWeek, t: float, x: float) -> None:
    """x working seconds begun at t end no earlier, take exactly x of working time, and end
    in working time (or at the end of a working interval)."""
    end = week.add(t, x)
    assert end >= t
    assert week.worked(end) - week.worked(t) == pytest.approx(x, abs=1e-6 * max(1.0, end))
    assert week.next_open(t) >= t
    assert week.worked(week.next_open(t)) == pytest.approx(week.worked(t), abs=1e-6 * max(1.0, t))
    # A calendar week (168 h) holds a week of working time - give or take an hour where
    # it spans a change to or from daylight saving time: the hour skipped (or repeated)
    # and the hour by which the week's end moves against the working hours. (Not "a week
    # of work ends within a week and an hour": where spring forward skips 15 minutes of
    # a window, hypothesis found, they are made up in the next window, a day later.)
    start = week.next_open(t)
    slack = H if week.cuts else 0.0
    held = week.worked(start + WEEK) - week.worked(start)
    assert abs(held - week.weekly) <= slack + 1e-6 * max(1.0, start)


def sim(zone: str, *wall: int) -> float:
    """Simulated seconds (after EPOCH, Monday 5 January 2026 00:00 UTC) of a local wall time,
    by zoneinfo: the independent conversion the calendar is checked against."""
    return (datetime(*wall, tzinfo=ZoneInfo(zone)) - EPOCH).total_seconds()


def test_work_over_the_spring_change_ends_an_hour_earlier_in_utc() -> None:
    office = WorkWeek.of({d: "09:00-17:00" for d in WEEKDAYS[:5]}, "Europe/Berlin")
    # Last Sunday of March 2026: 29 March, CET (UTC+1) -> CEST (UTC+2) at 01:00 UTC.
    # Friday 27 March is Jan 5 + 81 days; 16:00 CET = 15:00 UTC.
    friday_16 = 81 * DAY + 15 * H
    assert friday_16 == sim("Europe/Berlin", 2026, 3, 27, 16)
    # 2 working h: 1 h on Friday to 17:00; then Monday 30 March (day 84) 09:00-10:00 local,
    # CEST: 10:00 local = 08:00 UTC (a fixed January offset gave 09:00 UTC).
    assert office.add(friday_16, 2 * H) == 84 * DAY + 8 * H
    assert office.add(friday_16, 2 * H) == sim("Europe/Berlin", 2026, 3, 30, 10)
    # The weekend's change skipped no working hour: Friday 8 h + Monday 9-10 = 9 h worked.
    assert office.worked(84 * DAY + 8 * H) - office.worked(81 * DAY + 8 * H) == 9 * H


def test_a_day_in_july_and_one_in_january_open_at_different_utc_hours() -> None:
    berlin = WorkWeek.of({"mon": "09:00-17:00"}, "Europe/Berlin")
    # Monday 5 January: CET, 09:00-17:00 local = 08:00-16:00 UTC.
    assert berlin.next_open(0.0) == 8 * H
    assert berlin.add(8 * H, 8 * H) == 16 * H
    # Monday 6 July = Jan 5 + 26 weeks (182 days): CEST, 09:00-17:00 local = 07:00-15:00 UTC.
    july = 26 * WEEK
    assert berlin.next_open(july) == july + 7 * H == sim("Europe/Berlin", 2026, 7, 6, 9)
    assert berlin.add(july + 7 * H, 8 * H) == july + 15 * H
    assert berlin.next_open(july + 15 * H) == july + WEEK + 7 * H  # next Monday 09:00 CEST
    # 26 Mondays of 8 h lie before it, the hours a week unchanged by the change in March.
    assert berlin.worked(july + 7 * H) == 26 * 8 * H
    assert berlin.instant(26 * 8 * H) == july - WEEK + 15 * H  # the Monday before, 17:00
    assert berlin.weekly == 8 * H


def test_a_zone_without_daylight_saving_keeps_its_offset() -> None:
    # Asia/Tokyo is UTC+9 all year: Monday 09:00-17:00 there is Monday 00:00-08:00 UTC.
    tokyo = WorkWeek.of({"mon": "09:00-17:00"}, "Asia/Tokyo")
    assert tokyo.cuts == ()
    july = 26 * WEEK
    assert tokyo.next_open(july - H) == july == sim("Asia/Tokyo", 2026, 7, 6, 9)
    assert tokyo.add(july, 8 * H) == july + 8 * H
    assert tokyo.worked(july) == 26 * 8 * H


def test_southern_hemisphere_leaves_summer_time_in_april() -> None:
    sydney = WorkWeek.of({d: "09:00-17:00" for d in WEEKDAYS[:5]}, "Australia/Sydney")
    # January: AEDT (UTC+11), Monday 09:00 local = Sunday 22:00 UTC.
    assert sydney.next_open(6 * DAY) == 7 * DAY - 2 * H
    # Sunday 5 April 2026 03:00 AEDT -> 02:00 AEST (UTC+10), at Saturday 16:00 UTC.
    # Friday 3 April (day 88) 16:00 AEDT = 05:00 UTC; + 2 working h: 1 h to 17:00, then
    # Monday 6 April 09:00 AEST = Sunday 23:00 UTC, + 1 h = Monday 00:00 UTC (day 91).
    friday_16 = 88 * DAY + 5 * H
    assert friday_16 == sim("Australia/Sydney", 2026, 4, 3, 16)
    assert sydney.add(friday_16, 2 * H) == 91 * DAY == sim("Australia/Sydney", 2026, 4, 6, 10)
    # Back to AEDT on Sunday 4 October (day 272): Monday 5 October 09:00 = Sunday 22:00 UTC.
    assert sydney.next_open(272 * DAY) == 273 * DAY - 2 * H


def test_changes_of_offset_lose_or_repeat_an_hour_of_night_work() -> None:
    sundays = WorkWeek.of({"sun": "00:00-24:00"}, "Europe/Berlin")
    # Sunday 29 March 2026 (day 83) has 23 h in Berlin (02:00 CET -> 03:00 CEST);
    # Sunday 25 October (day 293) 25 h (03:00 CEST -> 02:00 CET): worked is elapsed time.
    march = sim("Europe/Berlin", 2026, 3, 29), sim("Europe/Berlin", 2026, 3, 30)
    october = sim("Europe/Berlin", 2026, 10, 25), sim("Europe/Berlin", 2026, 10, 26)
    assert march == (83 * DAY - H, 84 * DAY - 2 * H)  # Saturday 23:00 - Sunday 22:00 UTC
    assert sundays.worked(march[1]) - sundays.worked(march[0]) == 23 * H
    assert sundays.worked(october[1]) - sundays.worked(october[0]) == 25 * H
    assert sundays.add(october[0], 24 * H) == october[0] + 24 * H < october[1]
    assert sundays.weekly == 24 * H  # the hours of a week as written


@settings(max_examples=300, deadline=None)
@given(calendars(), st.floats(0, 104 * WEEK))
def test_working_instants_are_the_local_working_hours(calendar: tuple[dict[str, str], str],
                                                      t: float) -> None:
    """An instant is working time exactly when its local wall time (by zoneinfo) is in the
    day's hours: the calendar follows the zone's offset changes over two years."""
    hours, zone = calendar
    week = WorkWeek.of(hours, zone)
    local = (EPOCH + timedelta(seconds=t)).astimezone(ZoneInfo(zone))
    clock = local.hour * H + local.minute * 60 + local.second + local.microsecond / 1e6
    day = WEEKDAYS[local.weekday()]
    ranges = hour_ranges(hours[day]) if day in hours else []
    inside = any(a <= clock < b for a, b in ranges)
    # Away from the ends of the ranges (where float rounding decides), and from midnight
    # (a range ending 24:00 runs on into the next day's 00:00).
    if all(min(abs(clock - a), abs(clock - b)) > 1e-3 for a, b in ranges) and clock > 1e-3:
        assert (week.next_open(t) == t) == inside


# -- holidays ----------------------------------------------------------------

BERLIN_OFFICE = {d: "09:00-17:00" for d in WEEKDAYS[:5]}


def test_friday_afternoon_before_a_monday_holiday_ends_on_tuesday() -> None:
    # Friday 25 December 2026, 16:00 in Berlin (CET, UTC+1), 2 working hours; Monday 28
    # December is a holiday: 1 h on Friday to 17:00, nothing on the weekend or on Monday,
    # then Tuesday 29 December 09:00-10:00: done at 10:00 local, 09:00 UTC.
    closed = WorkWeek.of(BERLIN_OFFICE, "Europe/Berlin", ["2026-12-28"])
    friday_16 = sim("Europe/Berlin", 2026, 12, 25, 16)
    assert closed.add(friday_16, 2 * H) == sim("Europe/Berlin", 2026, 12, 29, 10)
    # without the holiday: Monday 10:00
    open_week = WorkWeek.of(BERLIN_OFFICE, "Europe/Berlin")
    assert open_week.add(friday_16, 2 * H) == sim("Europe/Berlin", 2026, 12, 28, 10)
    # the working time between Friday 16:00 and Tuesday 10:00 is 1 h + 1 h
    assert closed.worked(sim("Europe/Berlin", 2026, 12, 29, 10)) - closed.worked(friday_16) \
        == 2 * H


def test_the_clock_stands_still_on_holidays() -> None:
    # Thursday 1 and Friday 2 January 2027 closed (New Year): from Wednesday 17:00 the
    # next working instant is Monday 4 January 09:00, and no work is counted in between.
    closed = WorkWeek.of(BERLIN_OFFICE, "Europe/Berlin", ["2027-01-01", "2026-12-31"])
    wednesday_17 = sim("Europe/Berlin", 2026, 12, 30, 17)
    monday_9 = sim("Europe/Berlin", 2027, 1, 4, 9)
    assert closed.next_open(wednesday_17) == monday_9
    assert closed.next_open(sim("Europe/Berlin", 2026, 12, 31, 11)) == monday_9
    assert closed.worked(sim("Europe/Berlin", 2026, 12, 31, 12)) == closed.worked(wednesday_17)
    assert closed.worked(monday_9) == closed.worked(wednesday_17)
    # 8 working hours on from Wednesday 16:00: 1 h on Wednesday, 7 h on Monday, to 16:00
    assert closed.add(sim("Europe/Berlin", 2026, 12, 30, 16), 8 * H) == sim(
        "Europe/Berlin", 2027, 1, 4, 16)
    assert closed.holidays == ("2026-12-31", "2027-01-01")  # in order


def test_a_holiday_is_the_local_day_in_summer_time() -> None:
    # Monday 6 July 2026 closed in Berlin (CEST, UTC+2): the local day runs from 22:00 UTC
    # on Sunday to 22:00 UTC on Monday; work goes on Tuesday 09:00 local, 07:00 UTC.
    closed = WorkWeek.of(BERLIN_OFFICE, "Europe/Berlin", ["2026-07-06"])
    assert closed.next_open(sim("Europe/Berlin", 2026, 7, 3, 17)) == sim(
        "Europe/Berlin", 2026, 7, 7, 9)
    assert closed.next_open(sim("Europe/Berlin", 2026, 7, 7, 9)) == sim("UTC", 2026, 7, 7, 7)


def test_a_holiday_without_working_hours_changes_nothing() -> None:
    sunday_off = WorkWeek.of(BERLIN_OFFICE, "Europe/Berlin", ["2026-03-01"])  # a Sunday
    plain = WorkWeek.of(BERLIN_OFFICE, "Europe/Berlin")
    for t in (0.0, 10 * WEEK + 3 * H, 8 * WEEK + 4 * DAY + 15 * H, 30 * WEEK):
        assert sunday_off.worked(t) == plain.worked(t)
        assert sunday_off.add(t, 20 * H) == plain.add(t, 20 * H)
    assert sunday_off.average_weekly == plain.weekly == 40 * H


def test_average_weekly_hours_take_the_holidays_off_over_their_years() -> None:
    # Friday 25 and Monday 28 December 2026 (8 h each) and Friday 1 January 2027:
    # 24 h over 2026 and 2027 (730 days): W = 40 h - 24 h · 7 / 730 = 39.76986... h
    week = WorkWeek.of(BERLIN_OFFICE, "Europe/Berlin",
                       ["2026-12-25", "2026-12-28", "2027-01-01"])
    assert week.average_weekly == pytest.approx((40 - 24 * 7 / 730) * H, rel=1e-12)
    assert week.fraction == pytest.approx((40 - 24 * 7 / 730) / 168, rel=1e-12)
    assert week.weekly == 40 * H and week.day == 8 * H  # a working day stays 8 h
    assert week.text == ("mon-fri 09:00-17:00 (Europe/Berlin), closed 2026-12-25, 2026-12-28, "
                         "2027-01-01")


@st.composite
def holiday_calendars(draw: st.DrawFn) -> tuple[dict[str, str], str, list[str]]:
    hours, zone = draw(calendars())
    days = draw(st.lists(st.integers(0, 2 * 366), max_size=8, unique=True))
    first = datetime(2026, 1, 5).date()
    return hours, zone, [(first + timedelta(days=d)).isoformat() for d in days]


@settings(max_examples=300, deadline=None)
@given(holiday_calendars(), st.floats(0, 104 * WEEK), st.floats(0, 10 * WEEK))
def test_holidays_are_closed_local_days(calendar: tuple[dict[str, str], str, list[str]],
                                        t: float, x: float) -> None:
    """An instant is working time exactly when its local wall time (by zoneinfo) is in the
    day's hours and its local date is no holiday; working time still adds up."""
    hours, zone, holidays = calendar
    week = WorkWeek.of(hours, zone, holidays)
    local = (EPOCH + timedelta(seconds=t)).astimezone(ZoneInfo(zone))
    clock = local.hour * H + local.minute * 60 + local.second + local.microsecond / 1e6
    day = WEEKDAYS[local.weekday()]
    ranges = hour_ranges(hours[day]) if day in hours else []
    inside = any(a <= clock < b for a, b in ranges) and local.date().isoformat() not in holidays
    if all(min(abs(clock - a), abs(clock - b)) > 1e-3 for a, b in ranges) and clock > 1e-3 \
            and H * 24 - clock > 1e-3:
        assert (week.next_open(t) == t) == inside
    end = week.add(t, x)
    assert end >= t
    assert week.worked(end) - week.worked(t) == pytest.approx(x, abs=1e-6 * max(1.0, end))
    assert week.worked(week.next_open(t)) == pytest.approx(week.worked(t), abs=1e-6 * max(1.0, t))


def test_holidays_are_read_as_dates_and_bad_ones_are_located() -> None:
    bp = sm.loads("name: h\ncalendar:\n  hours: {mon: 09:00-17:00}\n"
                  "  holidays: [2026-12-25, '2026-12-26']\nsteps:\n  - {id: a, kind: task}\n")
    assert bp.calendar is not None and bp.calendar.holidays == ["2026-12-25", "2026-12-26"]
    assert sm.loads(bp.to_yaml()) == bp
    with pytest.raises(sm.LoadError) as caught:
        sm.loads("name: h\ncalendar:\n  hours: {mon: 09:00-17:00}\n"
                 "  holidays: [2026-02-30, 25.12.2026]\n"
                 "lanes:\n  - {id: l, calendar: {hours: {mon: 09:00-17:00}, holidays: [7]}}\n"
                 "steps:\n  - {id: a, kind: task, lane: l}\n", "h.yaml")
    found = [(p.code, p.line, p.column, p.message) for p in caught.value.problems]
    assert found == [
        ("SM002", 4, 14, "'2026-02-30' is not a date: expected a holiday as an ISO "
                         "date such as '2026-12-25' (year-month-day)"),
        ("SM002", 4, 26, "'25.12.2026' is not a date: expected a holiday as an ISO "
                         "date such as '2026-12-25' (year-month-day)"),
        ("SM002", 6, 62, "this is not a date: expected a holiday as an ISO date such "
                         "as '2026-12-25' (year-month-day)"),
    ]
