"""Yields, failure probabilities and work in progress, against hand calculations."""

from __future__ import annotations

import pytest

import servicemap as sm

REWORK = """
name: Rework (issue 10)
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, duration: 5m, accuracy: 0.9, next: ok}
  - id: ok
    kind: decision
    next:
      - {to: a, label: "no", probability: 0.2}
      - {to: b, label: "yes", probability: 0.8}
  - {id: b, kind: task, duration: 5m, accuracy: 0.95, next: e}
  - {id: e, kind: terminator}
"""

RETRY = """
name: Retry after failure
steps:
  - {id: s, kind: terminator, next: attempt}
  - {id: attempt, kind: task, duration: 1m, next: check}
  - id: check
    kind: decision
    next:
      - {to: recover, label: failed, probability: 0.6, failure: true}
      - {to: e, label: done, probability: 0.4}
  - {id: recover, kind: task, recovery: true, next: attempt}
  - {id: e, kind: terminator}
"""


def test_the_three_yields_of_the_rework_map_by_hand() -> None:
    s = sm.analyze(sm.loads(REWORK)).summary
    # Rolled %C&A (Martin & Osterling): each step on the path once, 0.9 · 0.95 = 0.855.
    assert s.rolled_ca == pytest.approx(0.855)
    # Strict first-pass yield: accurate at a (0.9), not sent back (0.8), accurate at b
    # (0.95): 0.9 · 0.8 · 0.95 = 0.684.
    assert s.first_pass_yield == pytest.approx(0.684)
    # Rolled accuracy, P[every execution accurate]: a case runs a k times with
    # probability 0.2^(k-1) · 0.8, each accurate with 0.9: Σ_k 0.8 · 0.2^(k-1) · 0.9^k
    # = 0.8 · 0.9 / (1 - 0.18) = 0.87805, times 0.95 at b = 0.83415.
    assert s.rolled_accuracy == pytest.approx(0.72 / 0.82 * 0.95)
    assert s.rolled_accuracy == pytest.approx(0.834, abs=5e-4)
    # Every end is a success: clean success is the rolled accuracy here.
    assert s.clean_success == pytest.approx(0.72 / 0.82 * 0.95)
    assert s.expected_failures is None and s.failure_probability is None


def test_expected_failures_is_a_count_failure_probability_a_probability() -> None:
    s = sm.analyze(sm.loads(RETRY)).summary
    # Each attempt fails with 0.6 and is retried: attempts ~ geometric, 1 / 0.4 = 2.5
    # per case; failures per case 2.5 · 0.6 = 1.5; P[at least one failure] = 0.6.
    assert s.expected_failures == pytest.approx(1.5)
    assert s.failure_probability == pytest.approx(0.6)
    # A failure that is recovered still ends at the success end: no accuracy is given,
    # so clean success is 1; without rework (the retry is a back edge) only 0.4.
    assert s.clean_success == pytest.approx(1.0)
    assert s.first_pass_yield == pytest.approx(0.4)


def test_cases_ending_at_a_failure_end_are_not_clean() -> None:
    text = RETRY.replace("{to: recover, label: failed", "{to: lost, label: failed").replace(
        "  - {id: e, kind: terminator}",
        "  - {id: e, kind: terminator}\n  - {id: lost, kind: terminator, outcome: failure}")
    text = text.replace("  - {id: recover, kind: task, recovery: true, next: attempt}\n", "")
    s = sm.analyze(sm.loads(text)).summary
    # No loop now: 0.6 of the cases end at 'lost'.
    assert s.failure_probability == pytest.approx(0.6)
    assert s.expected_failures == pytest.approx(0.6)
    assert s.clean_success == pytest.approx(0.4) == s.first_pass_yield
    assert s.rolled_accuracy is None  # no accuracies given


def test_work_in_progress_by_littles_law() -> None:
    """The worked example of docs/analysis.md at 12/h."""
    a = sm.analyze(sm.loads("""
name: Worked
arrivals: 12/h
steps:
  - {id: call, kind: terminator, next: record}
  - {id: record, kind: task, duration: 4m, wait: 2m, capacity: 2, next: solve}
  - {id: solve, kind: task, duration: 10m, capacity: 3, next: solved}
  - id: solved
    kind: decision
    next:
      - {to: solve, label: "no", probability: 0.2}
      - {to: closed, label: "yes", probability: 0.8}
  - {id: closed, kind: terminator}
"""))
    rows = {r.id: r for r in a.steps}
    # solve: λ = 15/h, W = Wq + PT = 0.702247 / 3 h + 1/6 h = 0.40075 h: L = 6.011 cases
    # (Erlang C: Lq = λ Wq = 3.511, plus a = λ/μ = 2.5 in service).
    assert rows["solve"].wip == pytest.approx(15 * (0.702247 / 3 + 1 / 6), rel=1e-5)
    # record: λ = 12/h, W = 2 min + 45.71 s + 4 min = 0.11270 h: L = 1.3524 cases.
    assert rows["record"].wip == pytest.approx(12 * (6 / 60 + 0.228571 / 18), rel=1e-5)
    # The whole map: L = λ · lead time = 12/h · 36.818 min = 7.364 cases = Σ L_i.
    assert a.summary.wip == pytest.approx(rows["solve"].wip + rows["record"].wip)
    assert a.summary.wip == pytest.approx(12 * 36.818 / 60, rel=1e-4)
