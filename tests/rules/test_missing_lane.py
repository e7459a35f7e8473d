"""SM302 missing-lane: a step without a lane (or phase) in a map that declares them (a warning)."""

from __future__ import annotations

from .support import at, check_text

DELIVERY = """\
name: Delivery
lanes:
  - {id: customer, layer: customer}
  - {id: systems, layer: support}
phases:
  - {id: before}
steps:
  - {id: order, kind: terminator, lane: customer, phase: before, next: confirm}
  - {id: confirm, kind: document, lane: systems, phase: before, next: received}
  - {id: received, kind: terminator, lane: customer, phase: before}
"""


def test_step_without_a_lane_is_pointed_at() -> None:
    (problem,) = check_text(DELIVERY.replace("kind: document, lane: systems,", "kind: document,"))
    assert (problem.code, problem.level) == ("SM302", "warning")
    assert at(problem) == ("confirm", 9, 5)
    assert problem.message == "step 'confirm' has no lane, but the map declares lanes"


def test_step_without_a_phase_is_reported_too() -> None:
    (problem,) = check_text(DELIVERY.replace("lane: customer, phase: before}",
                                             "lane: customer}"))
    assert at(problem) == ("received", 10, 5)
    assert problem.message == "step 'received' has no phase, but the map declares phases"


def test_neither_lane_nor_phase_gives_two_problems() -> None:
    problems = check_text(DELIVERY.replace("lane: systems, phase: before, ", ""))
    assert [(p.code, p.step) for p in problems] == [("SM302", "confirm")] * 2


def test_maps_without_lanes_or_phases_need_none() -> None:
    assert check_text("""\
        name: Delivery
        steps:
          - {id: order, kind: terminator, next: received}
          - {id: received, kind: terminator}
        """) == []


def test_lanes_only_ask_for_lanes() -> None:
    text = DELIVERY.replace("phases:\n  - {id: before}\n", "").replace(", phase: before", "")
    assert check_text(text) == []
