"""Branch labels: every label finds a free spot, also beside crowded branches."""

from __future__ import annotations

import servicemap as sm
from servicemap.layout import compute_layout
from tests.helpers.layout_checks import assert_layout_properties

# Found by the property test (tests/layout/test_properties.py): s11 sends four
# branches labelled "yes" to s0, three out of its right corner 8 pt apart;
# every spot tried above, below and beside them was taken, and the third
# label fell back onto the first one's place (a 15 pt label 8 pt below it).
CROWDED = """
name: Crowded labels
lanes: [{id: l0}, {id: l1}, {id: l2}, {id: l3}]
phases: [{id: p0}, {id: p1}, {id: p2}, {id: p3}]
steps:
  - {id: s0, kind: terminator}
  - {id: s1, kind: task}
  - {id: s2, kind: terminator, label: 'x'}
  - {id: s3, kind: terminator}
  - {id: s4, kind: task, phase: p0}
  - {id: s5, kind: terminator, lane: l0, phase: p0}
  - {id: s6, kind: terminator}
  - {id: s7, kind: terminator, lane: l0}
  - {id: s8, kind: terminator, phase: p0}
  - {id: s9, kind: terminator, phase: p0}
  - {id: s10, kind: terminator, lane: l0, phase: p0, next: s11}
  - {id: s11, kind: decision, lane: l0, phase: p0,
     next: [{to: s0, label: 'yes'}, {to: s0, label: 'yes'}, {to: s0, label: 'yes'},
            {to: s0, label: 'yes'}]}
  - {id: s12, kind: terminator, label: 'x', lane: l0, phase: p0}
  - {id: s13, kind: terminator, lane: l0, phase: p0}
  - {id: s14, kind: terminator, phase: p0}
  - {id: s15, kind: terminator, label: 'x', lane: l0, phase: p0, next: s18}
  - {id: s16, kind: terminator, label: 'x', lane: l0, phase: p0}
  - {id: s17, kind: terminator, label: 'x', lane: l0, phase: p0}
  - {id: s18, kind: terminator, lane: l0, phase: p0}
  - {id: s19, kind: terminator, label: 'x', lane: l0, phase: p0}
  - {id: s20, kind: terminator, phase: p0}
  - {id: s21, kind: decision, lane: l0, phase: p3,
     next: [{to: s11, label: 'yes'}, {to: s0, label: 'yes'}, {to: s0, label: 'yes'}]}
  - {id: s22, kind: terminator, label: 'x', lane: l0, phase: p0}
  - {id: s23, kind: terminator, lane: l0, phase: p0}
  - {id: s24, kind: terminator, phase: p3}
  - {id: s25, kind: task}
  - {id: s26, kind: terminator}
  - {id: s27, kind: terminator}
"""


def test_a_label_with_every_near_spot_taken_goes_further_out() -> None:
    bp = sm.loads(CROWDED)
    lay = compute_layout(bp)
    assert_layout_properties(bp, lay)  # labels on no other label, line or step
    assert all(e.label_pos is not None for e in lay.edges if e.label)
