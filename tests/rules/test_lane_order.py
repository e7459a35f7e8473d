"""SM301 lane-order: lanes whose layers are out of blueprint order (a warning)."""

from __future__ import annotations

from .support import at, check_text

DELIVERY = """\
name: Delivery
lanes:
  - {id: LANE1, layer: LAYER1}
  - {id: LANE2, layer: LAYER2}
steps:
  - {id: order, kind: terminator, lane: LANE1, next: confirm}
  - {id: confirm, kind: document, lane: LANE2, next: received}
  - {id: received, kind: terminator, lane: LANE1}
"""


def lanes(*pairs: tuple[str, str]) -> str:
    text = DELIVERY
    for n, (lane, layer) in enumerate(pairs, 1):
        text = text.replace(f"LANE{n}", lane).replace(f"LAYER{n}", layer)
    return text


def test_customer_below_support_points_at_the_later_layer() -> None:
    (problem,) = check_text(lanes(("systems", "support"), ("customer", "customer")))
    assert (problem.code, problem.level) == ("SM301", "warning")
    assert at(problem) == (None, 4, 27)
    assert problem.message == ("lane 'customer' (customer) comes after lane 'systems' "
                               "(support): blueprint layers run customer, onstage, backstage, "
                               "support from top to bottom")


def test_every_lane_out_of_order_is_reported_against_the_highest_layer_above() -> None:
    text = """\
        name: Desk
        lanes:
          - {id: care, layer: backstage}
          - {id: counter, layer: onstage}
          - {id: customer, layer: customer}
        steps:
          - {id: asks, kind: terminator, lane: customer, next: answer}
          - {id: answer, kind: task, lane: counter, next: log}
          - {id: log, kind: task, lane: care, next: done}
          - {id: done, kind: terminator, lane: customer}
        """
    problems = check_text(text)
    assert [p.line for p in problems] == [4, 5]
    assert all("after lane 'care' (backstage)" in p.message for p in problems)


def test_blueprint_order_and_repeated_layers_are_fine() -> None:
    assert check_text(lanes(("customer", "customer"), ("systems", "support"))) == []
    assert check_text(lanes(("customer", "customer"), ("family", "customer"))) == []


def test_lanes_without_a_layer_are_not_ordered() -> None:
    text = lanes(("systems", "support"), ("customer", "customer"))
    text = text.replace("{id: systems, layer: support}", "{id: systems}")
    assert check_text(text) == []
