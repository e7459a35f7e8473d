"""flow/parallel.py: each fork's join and branches, the region tree, and maps that do not nest."""

from __future__ import annotations

import textwrap
from pathlib import Path

import servicemap as sm
from servicemap.flow import flow_graph
from servicemap.flow.parallel import ParallelStructure, parallel_structure

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def structure(text: str) -> ParallelStructure:
    return parallel_structure(flow_graph(sm.loads(textwrap.dedent(text))))


def test_claim_example_fork_and_join() -> None:
    p = parallel_structure(flow_graph(sm.load(EXAMPLES / "claim_parallel.yaml")))
    assert p.nested and p.forks == ("split",) and p.joins == ("both",)
    assert p.join_of == {"split": "both"} and p.branches == {"split": ("assess", "upload")}
    assert p.branch_of == {"assess": ("split", 0), "upload": ("split", 1)}
    assert p.parent == {"split": None}


def test_nested_forks_form_a_region_tree() -> None:
    p = structure("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [g, c]}
          - {id: g, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: h}
          - {id: b, kind: task, next: h}
          - {id: h, kind: parallel, next: x}
          - {id: x, kind: task, next: j}
          - {id: c, kind: task, next: j}
          - {id: j, kind: parallel, next: e}
          - {id: e, kind: terminator}
        """)
    assert p.nested
    assert p.join_of == {"f": "j", "g": "h"}
    assert p.parent == {"f": None, "g": "f"}
    # g, its join h and x run on f's first branch; a and b on g's branches.
    assert p.branch_of == {"g": ("f", 0), "a": ("g", 0), "b": ("g", 1), "h": ("f", 0),
                           "x": ("f", 0), "c": ("f", 1)}


def test_loops_inside_a_branch_and_around_the_fork_nest() -> None:
    p = structure("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: r}
          - {id: r, kind: task, next: f}
          - {id: f, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: ok}
          - id: ok
            kind: decision
            next: [{to: a, label: again}, {to: j, label: ok}]
          - {id: b, kind: task, next: j}
          - {id: j, kind: parallel, next: more}
          - id: more
            kind: decision
            next: [{to: r, label: again}, {to: e, label: done}]
          - {id: e, kind: terminator}
        """)
    assert p.nested and p.join_of == {"f": "j"}
    assert p.branch_of["ok"] == ("f", 0) and "more" not in p.branch_of


def test_join_after_a_decision_does_not_nest() -> None:
    p = structure("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: d}
          - id: d
            kind: decision
            next: [{to: a, label: x}, {to: b, label: y}]
          - {id: a, kind: task, next: j}
          - {id: b, kind: task, next: j}
          - {id: j, kind: parallel, next: e}
          - {id: e, kind: terminator}
        """)
    assert not p.nested and p.conflicts == ("j",) and p.join_of == {}


def test_branches_meeting_at_a_task_do_not_nest() -> None:
    p = structure("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [a, b]}
          - {id: a, kind: task, next: m}
          - {id: b, kind: task, next: m}
          - {id: m, kind: task, next: e}
          - {id: e, kind: terminator}
        """)
    assert not p.nested and "m" in p.conflicts and "f" in p.conflicts
    assert p.join_of == {} and p.branches == {"f": ("a", "b")}


def test_fork_without_join_to_two_ends() -> None:
    p = structure("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: f}
          - {id: f, kind: parallel, next: [e1, e2]}
          - {id: e1, kind: terminator}
          - {id: e2, kind: terminator}
        """)
    assert not p.nested and set(p.conflicts) == {"f", "e1", "e2"}


def test_join_of_two_forks_is_not_nested() -> None:
    """Join j takes one branch of f and both of g: sound as a Petri net, but not nested."""
    p = structure("""\
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
        """)
    assert not p.nested and "j" in p.conflicts


def test_map_without_parallel_steps() -> None:
    p = structure("""\
        name: n
        steps:
          - {id: s, kind: terminator, next: e}
          - {id: e, kind: terminator}
        """)
    assert p == ParallelStructure((), (), {}, {}, {}, {}, nested=True)
