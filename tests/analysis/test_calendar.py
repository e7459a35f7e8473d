"""The analysis on working calendars: working time in, lead time in working and calendar time."""

from __future__ import annotations

import json

import pytest

import servicemap as sm

OFFICE = ("{mon: 09:00-17:00, tue: 09:00-17:00, wed: 09:00-17:00, thu: 09:00-17:00, "
          "fri: 09:00-17:00}")
ALWAYS = "{" + ", ".join(f"{d}: 00:00-24:00" for d in
                         ("mon", "tue", "wed", "thu", "fri", "sat", "sun")) + "}"

MAP = f"""
name: Calendar map
arrivals: 40/d
calendar:
  hours: {OFFICE}
lanes:
  - {{id: desk}}
  - {{id: robot, calendar: {{hours: {ALWAYS}}}}}
steps:
  - {{id: s, kind: terminator, next: w}}
  - {{id: w, kind: task, lane: desk, duration: 10min, capacity: 1, next: r}}
  - {{id: r, kind: task, lane: robot, duration: 168min, next: h}}
  - {{id: h, kind: delay, lane: desk, duration: 1d, next: e}}
  - {{id: e, kind: terminator}}
"""


def test_working_and_calendar_lead_time_by_hand() -> None:
    a = sm.analyze(sm.loads(MAP))
    # Arrivals 40/d over an 8-hour working day: 5 cases per working hour.
    assert a.summary.arrivals_per_h == pytest.approx(5.0)
    rows = {r.id: r for r in a.steps}
    # w: M/M/1, s = 10 min, rho = 5/h x 10 min = 5/6; Wq = rho/(1 - rho) s = 50 min.
    assert rows["w"].utilisation == pytest.approx(5 / 6)
    assert rows["w"].queue_wait_s == pytest.approx(50 * 60)
    # r: 168 min of the robot's round-the-clock time = 168 x 40/168 = 40 min of office time.
    assert rows["r"].lead_time_s == pytest.approx(40 * 60)
    # h: a delay of 1d = one working day = 8 working h = 480 min.
    assert rows["h"].lead_time_s == pytest.approx(480 * 60)
    # Lead time in working time: 60 + 40 + 480 = 580 min.
    assert a.summary.lead_time_s == pytest.approx(580 * 60)
    cal = a.calendar
    assert cal is not None
    assert cal.working_hours_per_week == 40.0
    assert cal.working_fraction == pytest.approx(40 / 168)
    # Calendar time: 580 min x 168/40 = 2436 min (= 40.6 h); per step: w 60 x 4.2 = 252,
    # r 168 (the robot works round the clock), h 480 x 4.2 = 2016; 252 + 168 + 2016 = 2436.
    assert cal.lead_time_working_s == pytest.approx(580 * 60)
    assert cal.lead_time_calendar_s == pytest.approx(2436 * 60)
    assert cal.lanes == {"robot": {"calendar": "mon-sun 00:00-24:00 (UTC)",
                                   "working_hours_per_week": 168.0}}


def test_forty_working_hours_are_one_calendar_week() -> None:
    bp = sm.loads(f"""
name: week
calendar: {{hours: {OFFICE}}}
steps:
  - {{id: s, kind: terminator, next: w}}
  - {{id: w, kind: task, duration: 1w, next: e}}
  - {{id: e, kind: terminator}}
""")
    a = sm.analyze(bp)
    # 1w = one working week = 40 working h; its calendar span is 168 h.
    assert a.summary.lead_time_s == pytest.approx(40 * 3600)
    assert a.calendar is not None and a.calendar.lead_time_calendar_s == pytest.approx(168 * 3600)


def test_without_a_calendar_nothing_changes() -> None:
    plain = sm.loads(MAP.replace(f"calendar:\n  hours: {OFFICE}\n", "").replace(
        f", calendar: {{hours: {ALWAYS}}}", ""))
    a = sm.analyze(plain)
    assert a.calendar is None
    assert a.to_dict()["calendar"] is None
    # 40/d is per 24 h without a calendar; 1d is 24 h.
    assert a.summary.arrivals_per_h == pytest.approx(40 / 24)
    assert {r.id: r for r in a.steps}["h"].lead_time_s == pytest.approx(86400)


def test_arrivals_override_is_per_working_day() -> None:
    a = sm.analyze(sm.loads(MAP), arrivals="32/d")
    assert a.summary.arrivals_per_h == pytest.approx(4.0)  # 32 / 8 h


def test_json_and_text_show_both_times() -> None:
    a = sm.analyze(sm.loads(MAP))
    data = json.loads(a.to_json())
    assert data["calendar"]["lead_time_calendar_s"] == pytest.approx(2436 * 60)
    assert data["calendar"]["calendar"] == "mon-fri 09:00-17:00 (UTC)"
    text = a.to_text()
    assert "working calendar:       mon-fri 09:00-17:00 (UTC), 40 h a week" in text
    assert "lead time, calendar:    1.69 d" in text  # 40.6 h


def test_what_if_keeps_working_days() -> None:
    bp = sm.loads(MAP)
    w = sm.what_if(bp, ["h.duration=-50%"])
    # Half a working day less: 4 working h.
    assert w.deltas["lead_time_s"] == pytest.approx(-4 * 3600)


def test_what_if_arrivals_are_per_working_day() -> None:
    w = sm.what_if(sm.loads(MAP), ["w.capacity=+1"], arrivals="32/d")
    assert w.before.arrivals_per_h == pytest.approx(4.0)  # 32 / 8 h


def test_what_if_arrivals_change_is_per_working_day() -> None:
    bp = sm.loads(MAP)
    w = sm.what_if(bp, ["arrivals=32/d"])
    assert w.after.arrivals_per_h == pytest.approx(4.0)  # 32 / 8 h
    w = sm.what_if(bp, ["arrivals=-8/d"])
    assert w.after.arrivals_per_h == pytest.approx(4.0)  # 5/h - 1/h
    w = sm.what_if(bp, ["arrivals=+20%"])
    assert w.after.arrivals_per_h == pytest.approx(6.0)


def test_holidays_lower_the_weekly_hours_by_hand() -> None:
    bp = sm.loads(f"""
name: Office with holidays
calendar:
  hours: {OFFICE}
  holidays: [2026-12-24, 2026-12-25, 2026-12-27]
lanes:
  - {{id: desk}}
  - {{id: robot, calendar: {{hours: {ALWAYS}, holidays: [2026-12-25]}}}}
steps:
  - {{id: s, kind: terminator, next: w}}
  - {{id: w, kind: task, lane: desk, duration: 1h, next: r}}
  - {{id: r, kind: task, lane: robot, duration: 2h, next: e}}
  - {{id: e, kind: terminator}}
""")
    a = sm.analyze(bp, percentile_cases=0)
    cal = a.calendar
    assert cal is not None
    # Office: Thursday 24 and Friday 25 December 2026 off (8 h each), Sunday 27 December
    # has no hours: W = 40 h - 16 h x 7 / 365 = 39.693 h; f = W / 168 h.
    w_office = 40 - 16 * 7 / 365
    assert cal.working_hours_per_week == pytest.approx(w_office, rel=1e-12)
    assert cal.working_fraction == pytest.approx(w_office / 168, rel=1e-12)
    # Robot: round the clock, 25 December off: W = 168 h - 24 h x 7 / 365.
    w_robot = 168 - 24 * 7 / 365
    assert cal.lanes["robot"]["working_hours_per_week"] == pytest.approx(w_robot, rel=1e-12)
    # Working time of the office: w 1 h; r 2 h of the robot's time = 2 x W_office / W_robot.
    working = 3600 * (1 + 2 * w_office / w_robot)
    assert a.summary.lead_time_s == pytest.approx(working, rel=1e-12)
    assert cal.lead_time_calendar_s == pytest.approx(working / (w_office / 168), rel=1e-12)
    assert "closed 2026-12-24, 2026-12-25, 2026-12-27" in a.to_text()
