"""The documentation stays true: generated references are current, worked examples compute."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import servicemap as sm
from servicemap.rules.docs import rules_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_rules_reference_is_current() -> None:
    assert (DOCS / "rules.md").read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: regenerate it from the rule docstrings"
    )


def _first_yaml_block(markdown: str, after: str) -> str:
    section = markdown.split(after, 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match, f"no YAML block after {after!r}"
    return match.group(1)


def test_analysis_worked_example_matches_hand_calculation() -> None:
    text = _first_yaml_block((DOCS / "analysis.md").read_text(encoding="utf-8"),
                             "## A worked example")
    result = sm.analyze(sm.loads(text))
    s = result.summary
    # Hand calculation in docs/analysis.md: visits of the loop 1 / (1 - 0.2) = 1.25.
    assert s.process_time_s == pytest.approx((4 + 1.25 * 10) * 60)
    assert s.lead_time_s == pytest.approx((2 + 4 + 1.25 * 10) * 60)
    assert s.activity_ratio == pytest.approx(16.5 / 18.5)
    assert s.cost == pytest.approx(3 + 1.25 * 8)
    assert s.rolled_accuracy == pytest.approx(0.95)
    assert s.bottleneck == "solve"
    assert s.max_throughput_per_h == pytest.approx(60 / (1.25 * 10 / 3))
    steps = {row["id"]: row for row in result.to_dict()["steps"]}
    assert steps["solve"]["utilisation"] == pytest.approx(15 / 18)
    # Erlang C, c = 3, a = 2.5: P(wait) = 0.7022; Wq = P / (c*mu - lambda) h.
    assert steps["solve"]["queue_wait_s"] == pytest.approx(0.702247 / 3 * 3600, rel=1e-4)
    assert steps["record"]["utilisation"] == pytest.approx(0.4)


def test_format_reference_example_loads() -> None:
    text = _first_yaml_block((DOCS / "format.md").read_text(encoding="utf-8"),
                             "## A complete example")
    bp = sm.loads(text)
    assert [p for p in sm.check(bp) if p.level == "error"] == []
