"""flow/soundness.py: the state space counted by hand, the budget, and structure = states.

The property test generates block-structured maps (tasks, sequences, decisions
with a merge, rework loops, forks with their joins, nested) and breaks some of
them on purpose (a join after a decision, branches meeting at a task, a branch
running to an end past its join, a join of two forks, which is sound but does
not nest). Where the structure gives a verdict (properly nested, so sound) it
must equal what exploring every reachable marking of the Petri net says; in
this family a map that does not nest is unsound unless it holds the join of two
forks; and the exploration that takes clean nested regions as single steps
must give the full exploration's verdict.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

import servicemap as sm
from servicemap.flow import flow_graph
from servicemap.flow.parallel import parallel_structure
from servicemap.flow.soundness import soundness, state_space
from servicemap.model import Blueprint

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def graph(text: str) -> Any:
    return flow_graph(sm.loads(textwrap.dedent(text)))


def test_claim_example_states_counted_by_hand() -> None:
    """report, register, split, {assess, upload}, {assess waits at both, upload},
    {assess, upload waits}, {both wait}, decide, inform, done: 10 markings."""
    g = flow_graph(sm.load(EXAMPLES / "claim_parallel.yaml"))
    result = state_space(g)
    assert (result.states, result.sound, result.issues) == (10, True, ())
    assert soundness(g).method == "structure" and soundness(g).sound


def test_no_parallel_steps_nothing_to_decide() -> None:
    g = graph("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: e}
          - {id: e, kind: terminator}
        """)
    assert soundness(g).method == "none" and soundness(g).sound


JOIN_OF_TWO_FORKS = """\
    name: n
    steps:
      - {id: s, kind: terminator, next: f}
      - {id: f, kind: parallel, next: [g, c]}
      - {id: g, kind: parallel, next: [a, b]}
      - {id: a, kind: task, next: j}
      - {id: b, kind: task, next: j}
      - {id: c, kind: task, next: j}
      - {id: j, kind: parallel, next: e}
      - {id: e, kind: terminator}
    """


def test_sound_but_not_nested_is_decided_by_states() -> None:
    """j takes f's branch c and both of g's: every case brings all three, once.

    Markings: s, f, {g, c}, then g forked or not (x) times c moved or not:
    {g,c} {g,c@j} {a,b,c} {a@j,b,c} ... — 2 (g) + 2^3 (a, b, c each before or at j)
    + 1 (s) + 1 (f) + 1 (e) = 13.
    """
    result = soundness(graph(JOIN_OF_TWO_FORKS))
    assert (result.method, result.sound, result.states) == ("states", True, 13)


def test_budget_runs_out_and_says_so() -> None:
    result = soundness(graph(JOIN_OF_TWO_FORKS), max_states=4)
    assert (result.decided, result.sound, result.states, result.max_states) == (
        False, None, 4, 4)


def test_each_start_begins_its_own_case() -> None:
    """From start s2 only branch b's flow reaches j: a deadlock; from s1 the map is sound."""
    result = soundness(graph("""\
        name: n
        steps:
          - {id: s1, kind: terminator, next: f}
          - {id: s2, kind: terminator, next: b}
          - {id: f, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: j}
          - {id: b, kind: task, next: j}
          - {id: j, kind: parallel, next: e}
          - {id: e, kind: terminator}
        """))
    (issue,) = result.issues
    assert (issue.kind, issue.step, issue.path, issue.missing) == (
        "deadlock", "j", ("s2", "b"), ("a",))


def test_end_reached_by_two_branches_is_reported_once_where_they_meet() -> None:
    """a and b meet at task m: m runs twice, and so does the end after it; only m is reported."""
    result = soundness(graph("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: m}
          - {id: b, kind: task, next: m}
          - {id: m, kind: task, next: e}
          - {id: e, kind: terminator}
        """))
    assert [(i.kind, i.step, i.path) for i in result.issues] == [
        ("unsynchronised", "m", ("s", "f", "a", "b"))]


def test_unjoined_fork_names_its_ends() -> None:
    result = soundness(graph("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [a, e2]}
          - {id: a, kind: task, next: e1}
          - {id: e1, kind: terminator}
          - {id: e2, kind: terminator}
        """))
    (issue,) = result.issues
    assert (issue.kind, issue.step, issue.ends) == ("unjoined", "f", ("e1", "e2"))


# ---------------------------------------------------------------- property test

Steps = list[dict[str, Any]]


class _Builder:
    """Block-structured map data; ``broken`` lists the defects put in on purpose."""

    def __init__(self, draw: st.DrawFn, breaks: bool) -> None:
        self.draw, self.steps, self.n = draw, [], 0
        self.breaks, self.broken = breaks, []  # type: ignore[var-annotated]
        self.steps_by_id: dict[str, dict[str, Any]] = {}

    def new(self, kind: str, **fields: Any) -> dict[str, Any]:
        self.n += 1
        step = {"id": f"{kind[0]}{self.n}", "kind": kind, "next": [], **fields}
        self.steps.append(step)
        return step

    def block(self, depth: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A block: its first step and the steps whose ``next`` leads on (to be filled)."""
        shape = self.draw(st.sampled_from(
            ["task"] if depth == 0 else ["task", "seq", "xor", "loop", "and", "and"]))
        if shape == "task":
            t = self.new("task")
            return t, [t]
        if shape == "seq":
            first, outs = self.block(depth - 1)
            nxt, outs2 = self.block(depth - 1)
            self.link(outs, nxt)
            return first, outs2
        if shape == "loop":
            t = self.new("task")
            first, outs = self.block(depth - 1)
            t["next"] = [first["id"]]
            d = self.new("decision")
            self.link(outs, d)
            d["next"] = [{"to": t["id"], "label": "again"}]
            return t, [d]
        k = self.draw(st.integers(2, 3))
        split = self.new("decision" if shape == "xor" else "parallel")
        merge_kind = "task" if shape == "xor" else "parallel"
        if self.breaks and self.draw(st.integers(0, 2)) == 0:
            merge_kind = "parallel" if shape == "xor" else "task"
            self.broken.append("join after decision" if shape == "xor" else "no join")
        merge = self.new(merge_kind)
        for i in range(k):
            first, outs = self.block(depth - 1)
            split["next"].append({"to": first["id"], "label": f"b{i}"}
                                 if shape == "xor" else first["id"])
            self.link(outs, merge)
        return split, [merge]

    def link(self, outs: list[dict[str, Any]], to: dict[str, Any]) -> None:
        for out in outs:
            if out["kind"] == "decision":
                out["next"].append({"to": to["id"], "label": "on"})
            else:
                out["next"].append(to["id"])


@st.composite
def block_maps(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    """Map data of a block-structured map, and the defects put in (none: sound)."""
    b = _Builder(draw, breaks=draw(st.booleans()))
    start = b.new("terminator")
    first, outs = b.block(draw(st.integers(1, 3)))
    start["next"] = [first["id"]]
    end = b.new("terminator")
    if b.breaks and draw(st.integers(0, 3)) == 0:
        # Sound, but not nested: join j takes branch c of fork f and both of g's.
        f, g, j = b.new("parallel"), b.new("parallel"), b.new("parallel")
        a, c, x = b.new("task"), b.new("task"), b.new("task")
        b.link(outs, f)
        f["next"], g["next"] = [g["id"], c["id"]], [a["id"], x["id"]]
        for t in (a, c, x):
            t["next"] = [j["id"]]
        outs = [j]
        b.broken.append("join of two forks")
    b.link(outs, end)
    parallel_tasks = [s for s in b.steps if s["kind"] == "task" and len(s["next"]) == 1]
    if b.breaks and parallel_tasks and draw(st.integers(0, 3)) == 0:
        # A step on some branch runs to the end as well as on (made a decision).
        s = draw(st.sampled_from(parallel_tasks))
        s["kind"] = "decision"
        s["next"] = [{"to": s["next"][0], "label": "on"}, {"to": end["id"], "label": "out"}]
        b.broken.append("early end")
    return {"name": "generated", "steps": b.steps}, b.broken


@settings(max_examples=300, deadline=None)
@given(block_maps())
def test_structure_and_states_agree(case: tuple[dict[str, Any], list[str]]) -> None:
    data, broken = case
    g = flow_graph(Blueprint.model_validate(data))
    nested = parallel_structure(g).nested
    states = state_space(g, max_states=200_000)
    # A problem found is certain even where the budget ran out before all states were seen.
    assume(states.sound is not None)
    event(f"sound={states.sound} broken={sorted(set(broken))}")
    if nested:  # the structure's verdict
        assert states.sound, (data, states.issues)
    if "join of two forks" not in broken:  # in this family, not nested means not sound
        assert nested == states.sound, (data, broken, states.issues)
    # Clean nested regions taken as one step each: the same verdict, from fewer states.
    reduced = state_space(g, max_states=200_000, structure=parallel_structure(g))
    if reduced.sound is not None:
        assert reduced.sound == states.sound, (data, broken, reduced.issues, states.issues)
        if states.sound:  # all states seen (an unsound map stops at its first problem, which
            # the two explorations may reach after different numbers of states)
            assert reduced.states <= states.states
        event(f"reduced={reduced.states < states.states}")
    if not broken:  # built nested, so sound
        assert nested
    if {"join after decision", "no join"} & set(broken):
        assert not states.sound
