"""Marks on the drawing for check problems, so a broken map shows where it breaks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..problems import Problem
from .style import KeyEntry, StepStyle

__all__ = ["PROBLEM_COLOR", "merge_styles", "problem_styles"]

PROBLEM_COLOR = "#d81b60"
"""Border of a step that breaks a check rule (magenta: apart from failure red and orange)."""


def problem_styles(problems: Iterable[Problem]
                   ) -> tuple[dict[str, StepStyle], list[KeyEntry]]:
    """Step styles and a key entry marking the steps that problems point at.

    Each such step gets a thick magenta border, a tag with the rule codes and
    the messages in its tooltip. Problems about the whole map mark nothing.

    Example:
        >>> p = Problem("SM103", "dead-end", "error", "step 'b' leads nowhere", step="b")
        >>> styles, key = problem_styles([p])
        >>> styles["b"].badge, styles["b"].color, key[0].label
        ('SM103', '#d81b60', 'breaks a check rule (its code in the tag)')
    """
    codes: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    for p in problems:
        if p.step is None:
            continue
        if p.code not in codes.setdefault(p.step, []):
            codes[p.step].append(p.code)
        notes.setdefault(p.step, []).append(f"{p.code} {p.level}: {p.message}")
    styles = {step: StepStyle(color=PROBLEM_COLOR, penwidth=3.0, badge=" ".join(found),
                              note="check: " + "; ".join(notes[step]))
              for step, found in codes.items()}
    key = [KeyEntry("breaks a check rule (its code in the tag)", color=PROBLEM_COLOR)]
    return styles, (key if styles else [])


def merge_styles(first: Mapping[str, StepStyle], second: Mapping[str, StepStyle]
                 ) -> dict[str, StepStyle]:
    """Both sets of step styles; where both style a step, ``second``'s border wins,
    ``first``'s border colour stays as a ring inside it, and badges and notes are joined.

    Example:
        >>> a = {"s": StepStyle(fill="#ffcdd2", color="#e65100", badge="0.1 fail/case")}
        >>> b = {"s": StepStyle(color="#d81b60", penwidth=3.0, badge="SM501")}
        >>> merged = merge_styles(a, b)["s"]
        >>> merged.fill, merged.color, merged.ring, merged.badge
        ('#ffcdd2', '#d81b60', '#e65100', '0.1 fail/case, SM501')
    """
    merged = dict(first)
    for step, style in second.items():
        old = merged.get(step)
        if old is None:
            merged[step] = style
            continue
        hidden = old.color if old.color not in (None, style.color) and style.color else None
        merged[step] = StepStyle(
            fill=style.fill or old.fill,
            color=style.color or old.color,
            penwidth=style.penwidth or old.penwidth,
            badge=", ".join(b for b in (old.badge, style.badge) if b) or None,
            note="; ".join(n for n in (old.note, style.note) if n) or None,
            ring=style.ring or hidden or old.ring,
        )
    return merged
