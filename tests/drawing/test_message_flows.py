"""Message flows are drawn as BPMN draws them: dashed, open circle, open arrowhead."""

from __future__ import annotations

from pathlib import Path

import servicemap as sm
from tests.layout.test_messages import COLLABORATION


def test_message_flows_are_dashed_with_an_open_arrowhead(tmp_path: Path) -> None:
    path = tmp_path / "collab.bpmn"
    path.write_text(COLLABORATION, encoding="utf-8")
    dot = sm.render(path, format="dot").decode()
    messages = [line for line in dot.splitlines() if "(message flow)" in line and "->" in line]
    assert len(messages) == 2  # the third ends at a pool
    assert all('style="dashed"' in m and 'arrowhead="empty"' in m for m in messages)
    assert any("label=<order>" in m for m in messages)
    assert any("label=<invoice>" in m for m in messages)
    starts = [line for line in dot.splitlines()
              if "(message flow)" in line and 'shape="circle"' in line]
    assert len(starts) == 2
    svg = sm.render(path, legend=True).decode()
    assert ">message flow<" in svg


def test_a_map_without_message_flows_draws_none() -> None:
    example = Path(__file__).parents[2] / "examples" / "claim_parallel.yaml"
    assert "(message flow)" not in sm.render(example, format="dot").decode()
