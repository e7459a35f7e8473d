"""Text metrics: wrapping in linear time, reading only what is drawn, and the caps on drawn text."""

from __future__ import annotations

import time

import pytest

from servicemap import text
from servicemap.text import (
    BRANCH_LINES,
    BRANCH_WRAP,
    ELLIPSIS,
    STEP_LINES,
    branch_label,
    clip,
    fit_lines,
    header_lines,
    step_label,
    text_width,
    wrap,
    wrap_chars,
)

MB = 1_000_000

HOSTILE = {
    "one word": "x" * MB,
    "short words": "ab " * (MB // 3),
    "line breaks": "\n" * MB,
    "spaces then a word": " " * MB + "word",
    "wide letters": "W" * MB,
    "emoji": "😀" * (MB // 4),
}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Characters measured by text._fit, the one place that walks a word."""
    seen = [0]
    fit = text._fit

    def counting(word: str, start: int, room: float) -> tuple[int, float]:
        end, width = fit(word, start, room)
        seen[0] += end - start + 1
        return end, width

    monkeypatch.setattr(text, "_fit", counting)
    return seen


def test_a_megabyte_word_is_read_only_as_far_as_it_is_drawn(counted: list[int]) -> None:
    """Quadratic before: each cut measured the whole rest of the word (100 kB took 49 s)."""
    fitted = fit_lines("x" * MB, 118, STEP_LINES)
    assert fitted.cut and len(fitted.lines) == STEP_LINES
    assert counted[0] < 30 * (STEP_LINES + 1)  # about a line's worth of characters per line


def test_reading_does_not_grow_with_the_text(counted: list[int]) -> None:
    fit_lines("x" * 10_000, 118, STEP_LINES)
    small = counted[0]
    counted[0] = 0
    fit_lines("x" * MB, 118, STEP_LINES)
    assert counted[0] == small


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_wraps_at_once(name: str) -> None:
    """A generous hang guard: linear work on a megabyte takes milliseconds."""
    label = HOSTILE[name]
    start = time.perf_counter()
    lines = wrap(label, 118)
    chars = wrap_chars(label, 100, max_lines=2)
    bounded = wrap_chars(clip(label), 100)
    header_lines(clip(label), 100)
    assert time.perf_counter() - start < 2.0, name
    assert len(lines) <= STEP_LINES and len(chars) <= 2 and len(bounded) <= 60
    assert all(text_width(line) <= 118 for line in lines)


def test_wrap_chars_of_a_megabyte_word_is_linear() -> None:
    """textwrap cut a long word by copying the rest for every line: quadratic."""
    start = time.perf_counter()
    lines = wrap_chars("x" * MB, 100)
    assert time.perf_counter() - start < 2.0
    assert len(lines) == -(-MB // 17) and {len(line) for line in lines[:-1]} == {17}


def test_wrapping_keeps_every_word_when_nothing_is_cut() -> None:
    label = "Sends apology, promises redelivery on the next working day before noon"
    fitted = fit_lines(label, 118, STEP_LINES)
    assert not fitted.cut and " ".join(fitted.lines) == label
    assert all(text_width(line) <= 118 for line in fitted.lines)


def test_long_words_fill_whole_lines_and_the_rest_joins_the_next_word() -> None:
    fitted = fit_lines("x" * 25 + " end", 62, 6)
    assert fitted.lines == ("x" * 10, "x" * 10, "xxxxx end")


def test_the_last_line_shown_ends_in_an_ellipsis_and_fits() -> None:
    fitted = fit_lines("word " * 100, 118, 3)
    assert fitted.cut and len(fitted.lines) == 3
    assert fitted.lines[-1].endswith(ELLIPSIS) and text_width(fitted.lines[-1]) <= 118


def test_exactly_enough_lines_is_not_cut() -> None:
    assert not fit_lines("a\nb\nc", 118, 3).cut
    assert fit_lines("a\nb\nc\nd", 118, 3) == text.Fitted(("a", "b", "c" + ELLIPSIS), True)
    assert not fit_lines("a\n\n\n\n\nb", 118, 2).cut  # blank lines are dropped


def test_branch_labels_wrap_to_their_own_width() -> None:
    fitted = branch_label("y" * 60_000)
    assert fitted.cut and len(fitted.lines) == BRANCH_LINES
    assert all(text_width(line) <= BRANCH_WRAP for line in fitted.lines)
    assert branch_label("not in stock") == text.Fitted(("not in stock",))


def test_step_labels_by_kind() -> None:
    assert step_label("connector", "Back") == text.Fitted(("Back",))
    assert step_label("connector", "Again") == text.Fitted(("Aga" + ELLIPSIS,), True)
    label = " ".join(["Wwwwwwwwwww"] * 6)
    assert not step_label("task", label).cut and step_label("decision", label).cut


def test_clip() -> None:
    assert clip("a" * 200) == "a" * 200
    assert clip("a" * 201) == "a" * 200 + ELLIPSIS
    assert clip("ab   cd", 4) == "ab" + ELLIPSIS


def test_a_width_narrower_than_a_character_still_makes_progress() -> None:
    assert fit_lines("xxx yy", 1, 10) == text.Fitted(("x", "x", "x", "y", "y"))
