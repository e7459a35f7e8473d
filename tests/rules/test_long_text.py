"""SM303 long-text: text the drawing cuts short, reported where it is written (a warning)."""

from __future__ import annotations

import json
import time

import pytest

import servicemap as sm
from servicemap.layout import compute_layout
from servicemap.text import BRANCH_LINES, STEP_LINES, TITLE_CHARS

from .support import at, check_text, of

LONG = ("Checks the delivery address against the postcode register, the notes the customer "
        "left and the courier's last three attempts, then books a new slot and tells the "
        "customer the day and the hour to expect the parcel")


def one_step(label: str, kind: str = "task") -> str:
    """A three-step map whose middle step has ``label`` (written as JSON, so any text goes)."""
    return (
        "name: Delivery\n"
        "steps:\n"
        "  - {id: order, kind: terminator, next: work}\n"
        f"  - {{id: work, kind: {kind}, label: {json.dumps(label)}, next: received}}\n"
        "  - {id: received, kind: terminator}\n"
    )


def decision(label: str) -> str:
    """A decision whose first branch has ``label``."""
    return (
        "name: Delivery\n"
        "steps:\n"
        "  - {id: order, kind: terminator, next: reached}\n"
        "  - id: reached\n"
        "    kind: decision\n"
        "    next:\n"
        f"      - {{to: received, label: {json.dumps(label)}}}\n"
        "      - {to: returned, label: other}\n"
        "  - {id: received, kind: terminator}\n"
        "  - {id: returned, kind: terminator}\n"
    )


def test_step_label_over_six_lines_is_pointed_at() -> None:
    (problem,) = check_text(one_step(LONG))
    assert (problem.code, problem.rule, problem.level) == ("SM303", "long-text", "warning")
    assert at(problem) == ("work", 4, 35)
    assert problem.message == (
        "the label of step 'work' is too long to draw: the drawing shows 6 lines of it "
        "(the whole text is in the tooltip); shorten it and put the detail in notes")


def test_six_lines_fit_and_seven_do_not() -> None:
    assert check_text(one_step("\n".join("abcdef"))) == []
    assert of(check_text(one_step("\n".join("abcdefg"))), "SM303")


def test_a_decision_wraps_narrower_than_a_task() -> None:
    label = " ".join(["Wwwwwwwwwww"] * 6)  # one word a line in a diamond, fewer in a box
    assert check_text(one_step(label)) == []
    problems = of(check_text(one_step(label, "decision").replace(
        "next: received}", "next: [{to: received, label: a}, {to: received, label: b}]}")),
        "SM303")
    assert [p.step for p in problems] == ["work"]


def test_connector_shows_four_characters() -> None:
    text = """\
        name: Jump
        steps:
          - {id: order, kind: terminator, next: to-a}
          - {id: to-a, kind: connector, label: %s}
          - {id: from-a, kind: connector, label: %s, next: received}
          - {id: received, kind: terminator}
        """
    assert check_text(text % ("Back", "Back")) == []
    problems = of(check_text(text % ("Again", "Again")), "SM303")
    assert [at(p) for p in problems] == [("to-a", 4, 40), ("from-a", 5, 42)]
    assert "shows its first 3 characters" in problems[0].message


def test_a_step_without_label_is_pointed_at_its_id() -> None:
    text = decision("yes").replace("  - id: reached\n", "  - id: " + "W" * 64 + "\n")
    text = text.replace("next: reached", "next: " + "W" * 64)
    (problem,) = of(check_text(text), "SM303")
    assert at(problem) == ("W" * 64, 4, 9)
    assert problem.message.startswith(f"the id of step '{'W' * 64}' is too long to draw")


def test_long_branch_label_is_pointed_at() -> None:
    (problem,) = check_text(decision("y" * 60_000))
    assert at(problem) == ("reached", 7, 31)
    assert problem.message == (
        "the label of branch 1 of decision 'reached' (to 'received') is too long to draw: the "
        f"drawing shows {BRANCH_LINES} lines of it (the whole text is in the tooltip); shorten it")
    assert check_text(decision("not in stock, back-ordered")) == []


@pytest.mark.parametrize("kind", ["lane", "phase"])
def test_long_lane_and_phase_titles(kind: str) -> None:
    def text(title: str) -> str:
        return (f"name: Delivery\n{kind}s:\n  - {{id: x, label: {json.dumps(title)}}}\n"
                "steps:\n"
                f"  - {{id: order, kind: terminator, {kind}: x, next: received}}\n"
                f"  - {{id: received, kind: terminator, {kind}: x}}\n")

    assert check_text(text("c" * TITLE_CHARS)) == []
    (problem,) = check_text(text("c" * (TITLE_CHARS + 1)))
    assert at(problem) == (None, 3, 20)
    assert problem.message == (
        f"the title of {kind} 'x' is longer than 200 characters: its header shows the first "
        "200 (the whole text is in the tooltip)")


def test_per_step_ignore() -> None:
    text = one_step(LONG).replace("next: received}", "next: received, ignore: [long-text]}")
    assert check_text(text) == []


@pytest.mark.parametrize("label", [
    LONG, LONG[:100], "\n".join("abcdefg"), "x" * 5000, "word " * 40, "Wwwwwwwwwww " * 6,
    "a\n\n\n\nb", "",
])
@pytest.mark.parametrize("kind", ["task", "decision", "terminator", "connector"])
def test_fires_exactly_where_the_layout_cuts(label: str, kind: str) -> None:
    """The rule and the layout measure with the same functions: a warning iff an ellipsis."""
    text = one_step(label or "work", kind)
    if kind == "decision":
        text = text.replace("next: received}",
                            "next: [{to: received, label: a}, {to: received, label: b}]}")
    bp = sm.loads(text)
    drawn = compute_layout(bp).nodes["work"].label_lines
    fired = any(p.step == "work" for p in of(sm.check(bp), "SM303"))
    assert fired == drawn[-1].endswith("…"), drawn
    assert len(drawn) <= STEP_LINES


def test_branch_rule_agrees_with_the_drawn_label() -> None:
    for label in ["yes", "not in stock, back-ordered", "y" * 60, "y" * 1000, "a b " * 30]:
        bp = sm.loads(decision(label))
        (edge,) = [e for e in compute_layout(bp).edges if e.label == label]
        fired = bool(of(sm.check(bp), "SM303"))
        assert fired == edge.label_lines[-1].endswith("…"), (label, edge.label_lines)


def test_a_megabyte_label_is_checked_at_once() -> None:
    bp = sm.loads(one_step("x" * 1_000_000))
    start = time.perf_counter()
    problems = of(sm.check(bp, select=["SM303"]), "SM303")
    assert time.perf_counter() - start < 1.0  # linear, and reads only what is drawn
    assert [p.step for p in problems] == ["work"]
