"""Highlighting from the analysis: queue-aware figures, the time trap, hand-checked."""

from __future__ import annotations

import servicemap as sm
from servicemap.highlight import styles_from_analysis

MAP = """
name: trap
arrivals: 6/h
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, duration: 5m, capacity: 1, next: b}
  - {id: b, kind: task, wait: 1h, duration: 10m, next: e}
  - {id: e, kind: terminator}
"""


def test_queue_wait_time_trap_and_wip() -> None:
    styles, key = styles_from_analysis(sm.analyze(sm.loads(MAP), percentile_cases=0))
    # a: M/M/1, rho = 6/h x 5 min = 0.5, Wq = rho / (1 - rho) x 5 min = 5 min; LT 10 min;
    # WIP = 6/h x 10 min = 1.
    assert styles["a"].badge == "util 50%, queue 5 min"
    assert styles["a"].note == "analysis: util 50%, queue 5 min; lead time 10 min, WIP 1"
    # b: lead time 60 + 10 = 70 min of 80: 87.5% -> the time trap, with its own border;
    # WIP = 6/h x 70 min = 7.
    assert styles["b"].badge == "88% of lead time"
    assert styles["b"].color == "#00838f"
    assert styles["b"].note == "analysis: 88% of lead time; lead time 1.17 h, WIP 7"
    assert [k.label for k in key] == ["bottleneck (highest load)",
                                      "time trap (largest share of lead time)"]


def test_an_overloaded_map_marks_no_time_trap() -> None:
    styles, key = styles_from_analysis(sm.analyze(sm.loads(MAP.replace("6/h", "13/h")),
                                                  percentile_cases=0))
    assert styles["a"].badge == "util 108%"
    assert "b" not in styles
    assert "time trap (largest share of lead time)" not in [k.label for k in key]


def test_a_queue_under_a_second_is_not_given_in_digits() -> None:
    # M/M/1 at 6/h: a 6 s step has rho = 6 x 6 / 3600 = 0.01 and
    # Wq = rho / (1 - rho) x 6 s = 0.0606 s; a 36 s step has rho = 0.06 and
    # Wq = 0.06 / 0.94 x 36 s = 2.30 s.
    for seconds, queue in ((6, "< 1 s"), (36, "2.3 s")):
        bp = sm.loads(MAP.replace("duration: 5m", f"duration: {seconds}s"))
        styles, _key = styles_from_analysis(sm.analyze(bp, percentile_cases=0))
        assert styles["a"].badge is not None
        assert f"queue {queue}," in styles["a"].badge + ","


def test_a_step_with_two_marks_shows_the_second_as_its_ring() -> None:
    # claim_parallel: "assess" is on the critical path (purple border) and is the
    # time trap (76% of the lead time): the teal stays, as a ring inside the purple,
    # and the key explains it (it used to be dropped, the badge's share unexplained).
    from servicemap.highlight import CRITICAL

    bp = sm.load("examples/claim_parallel.yaml")
    styles, key = styles_from_analysis(sm.analyze(bp, percentile_cases=0))
    assert styles["assess"].color == CRITICAL and styles["assess"].ring == "#00838f"
    assert styles["assess"].badge == "76% of lead time"
    assert "time trap (largest share of lead time)" in [k.label for k in key]
