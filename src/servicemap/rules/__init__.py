"""The registry of check rules: one module per rule, listed here in code order."""

from __future__ import annotations

from . import (
    branch_label,
    branch_probability,
    dead_end,
    deadlock,
    decision_branches,
    double_queue,
    duplicate_flow,
    duplicate_id,
    failure_outcome_unrecovered,
    implicit_split,
    lane_order,
    lone_connector,
    long_text,
    missing_lane,
    no_end,
    no_start,
    no_way_out,
    overloaded,
    schema,
    self_loop,
    soundness_undecided,
    superfluous_decision,
    terminator_through,
    unjoined_fork,
    unknown_reference,
    unreachable,
    unrecovered_failure,
    unsynchronised,
    yaml_syntax,
)
from .base import Context, Finding, Rule, rule_from_module

__all__ = [
    "RULES",
    "Context",
    "Finding",
    "Rule",
    "rule_by_key",
    "select_rules",
    "summary_of",
]

RULES: tuple[Rule, ...] = tuple(
    rule_from_module(m)
    for m in (
        yaml_syntax,
        schema,
        duplicate_id,
        unknown_reference,
        no_start,
        no_end,
        dead_end,
        unreachable,
        no_way_out,
        implicit_split,
        terminator_through,
        self_loop,
        duplicate_flow,
        lone_connector,
        deadlock,
        unsynchronised,
        unjoined_fork,
        soundness_undecided,
        decision_branches,
        branch_label,
        branch_probability,
        superfluous_decision,
        lane_order,
        missing_lane,
        long_text,
        unrecovered_failure,
        failure_outcome_unrecovered,
        overloaded,
        double_queue,
    )
)
"""Every rule, in code order."""

_BY_KEY = {**{r.code: r for r in RULES}, **{r.name: r for r in RULES}}


def rule_by_key(key: str) -> Rule:
    """The rule with this code or name.

    >>> rule_by_key("dead-end").code, rule_by_key("SM103").name
    ('SM103', 'dead-end')

    Raises:
        KeyError: for an unknown code or name.
    """
    rule = _BY_KEY.get(key.strip()) or _BY_KEY.get(key.strip().upper())
    if rule is None:
        raise KeyError(key)
    return rule


def select_rules(keys: list[str] | tuple[str, ...]) -> set[str]:
    """Codes matched by codes, code prefixes (``SM1``) or names.

    >>> sorted(select_rules(["SM20", "self-loop"]))
    ['SM108', 'SM201', 'SM202', 'SM203', 'SM204']

    Raises:
        KeyError: for a key that matches no rule.
    """
    codes: set[str] = set()
    for key in keys:
        k = key.strip()
        if not k:
            continue
        if k in _BY_KEY or k.upper() in _BY_KEY:
            codes.add(rule_by_key(k).code)
            continue
        prefix = [r.code for r in RULES if r.code.startswith(k.upper()) and k.upper() != ""]
        if not prefix or not k.upper().startswith("SM"):
            raise KeyError(k)
        codes.update(prefix)
    return codes


def summary_of(rule: Rule) -> str:
    """The rule's one-line summary without its code and name, in Markdown."""
    return rule.summary.split(": ", 1)[-1].replace("``", "`")
