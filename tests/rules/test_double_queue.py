"""SM502 double-counted-queue: a wait within 3x of the queue wait the capacity already makes."""

from __future__ import annotations

import pytest

import servicemap as sm

from .support import at, check_text, codes

DESK = """\
name: Desk
arrivals: 12/h
steps:
  - {id: start, kind: terminator, next: solve}
  - {id: solve, kind: task, duration: 10m, wait: WAIT, capacity: 3, next: done}
  - {id: done, kind: terminator}
"""
# By hand: λ = 12/h, μ = 6/h, c = 3, a = 2, ρ = 2/3. Erlang B: B1 = 2/3, B2 = 0.4,
# B3 = 0.8 / 3.8 = 0.2105; Erlang C = B3 / (1 - ρ(1 - B3)) = 4/9;
# Wq = (4/9) / (18 - 12) h = 0.0741 h = 4.44 min = 266.7 s. A factor of 3 each way:
# waits from 88.9 s to 800 s are suspect.


def test_a_wait_like_the_modelled_queue_warns_at_the_wait() -> None:
    (problem,) = check_text(DESK.replace("WAIT", "5m"))
    assert (problem.code, problem.rule, problem.level) == ("SM502", "double-counted-queue",
                                                           "warning")
    assert at(problem) == ("solve", 5, 50)  # the wait
    assert problem.message == (
        "step 'solve' has a wait of 5 min and a capacity whose queue the analysis models as "
        "4.44 min (M/M/c, utilisation 0.67): if the wait is that queue, the lead time counts "
        "it twice; keep in 'wait' only delay its capacity does not cause (hand-offs, batching)")


@pytest.mark.parametrize(("wait", "warns"), [
    ("88s", False), ("90s", True), ("4m", True), ("13m", True), ("14m", False), ("1d", False)])
def test_the_factor_of_three_each_way(wait: str, warns: bool) -> None:
    assert ("SM502" in codes(check_text(DESK.replace("WAIT", wait)))) is warns


@pytest.mark.parametrize("change", [
    ("arrivals: 12/h\n", ""),          # no arrivals: no modelled queue
    ("capacity: 3, ", ""),             # no capacity: no modelled queue
    ("wait: WAIT, ", ""),              # no wait
    ("capacity: 3", "capacity: 1"),    # overloaded (ρ = 2): SM501's, not this rule's
])
def test_only_where_both_waits_exist(change: tuple[str, str]) -> None:
    assert "SM502" not in codes(check_text(DESK.replace(*change).replace("WAIT", "5m")))


def test_the_analysis_and_the_rule_model_the_same_queue() -> None:
    bp = sm.loads(DESK.replace("WAIT", "5m"))
    (row,) = sm.analyze(bp).bottlenecks
    assert row.queue_wait_s == pytest.approx(4 / 9 / 6 * 3600)  # 266.7 s
    assert "SM502" in codes(sm.check(bp, select=["SM502"]))
