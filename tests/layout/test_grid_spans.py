"""The index of lines leaving a row (grid._Leaves), against a plain scan of the spans."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from servicemap.layout.grid import _Leaves, _Spans

ROW = ("lane", 0)
spans_st = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 12),
                              st.sampled_from(["", "", "a", "b"])), max_size=40)


def _scan(items: list[tuple[int, int, str]], first: int, last: int, skip: str) -> bool:
    """The definition: a span inside ``first..last`` that is not a hand-off at ``skip``."""
    return any(first <= lo and hi <= last and not (skip and at == skip) for lo, hi, at in items)


@settings(max_examples=300, deadline=None)
@given(spans_st, st.integers(0, 40), st.integers(0, 40), st.sampled_from(["", "a", "b", "c"]))
def test_within_finds_a_span_inside_the_columns_as_a_scan_does(
        raw: list[tuple[int, int, str]], first: int, last: int, skip: str) -> None:
    items = [(lo, lo + length, at) for lo, length, at in raw]
    leaves = _Leaves({(ROW, 1): _Spans.of(list(items))})
    assert leaves.within(ROW, 1, first, last, skip) == _scan(items, first, last, skip)
    assert not leaves.within(ROW, -1, first, last, skip)
