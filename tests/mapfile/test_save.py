"""Blueprint.save: YAML or JSON by suffix, atomic, and every value read back as it was."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import servicemap as sm

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
TINY = """\
name: Tiny
steps:
  - {id: start, kind: terminator, next: work}
  - {id: work, kind: task, label: '1.10', duration: 1h 30m, accuracy: 98%, next: end}
  - {id: end, kind: terminator}
metadata:
  owner: ops
  answers: [yes, 'no', 1e3, '1e3', 0o17, '0o17', .inf, ~, '~', '']
"""


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("suffix", [".yaml", ".json", ".JSON"])
def test_examples_save_and_load_back_equal(path: Path, suffix: str, tmp_path: Path) -> None:
    bp = sm.load(path)
    target = tmp_path / f"saved{suffix}"
    bp.save(target)
    text = target.read_text(encoding="utf-8")
    if suffix.lower() == ".json":
        assert json.loads(text)["name"] == bp.name
    else:
        assert not text.lstrip().startswith("{")
    again = sm.load(target)
    assert again == bp and again.metadata == bp.metadata


def test_yaml_keeps_text_that_looks_like_numbers(tmp_path: Path) -> None:
    bp = sm.loads(TINY)
    bp.save(tmp_path / "m.yaml")
    again = sm.load(tmp_path / "m.yaml")
    assert again.step("work").label == "1.10"
    assert again.metadata == bp.metadata
    assert bp.metadata["answers"] == ["yes", "no", 1000.0, "1e3", 15, "0o17", math.inf, None,
                                      "~", ""]


def test_json_refuses_what_json_cannot_hold(tmp_path: Path) -> None:
    bp = sm.loads(TINY)
    with pytest.raises(ValueError, match="JSON"):
        bp.save(tmp_path / "m.json")
    assert not list(tmp_path.iterdir())


def test_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "m.yaml"
    target.write_text("old content\n", encoding="utf-8")
    target.chmod(0o640)

    def fail(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        sm.loads(TINY).save(target)
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["m.yaml"]
    monkeypatch.undo()
    sm.loads(TINY).save(target)
    assert sm.load(target) == sm.loads(TINY)
    assert target.stat().st_mode & 0o777 == 0o640


def test_save_accepts_a_string_path(tmp_path: Path) -> None:
    bp = sm.loads(TINY)
    bp.save(str(tmp_path / "m.yml"))
    assert sm.load(tmp_path / "m.yml") == bp


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.text(), st.sampled_from(["yes", "no", "on", "1e3", "1E+3", "0o17", "0x1F", "1.10",
                                "~", "null", "", ".inf", ".nan", "-", "---", "a: b", "#"]),
)
DATA = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=12)


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(metadata=st.dictionaries(st.text(max_size=5), DATA, max_size=4), label=st.text())
def test_any_metadata_and_label_round_trip(tmp_path_factory: pytest.TempPathFactory,
                                           metadata: dict[str, Any], label: str) -> None:
    bp = sm.loads(TINY)
    bp.metadata = metadata
    bp.steps[1].label = label
    folder = tmp_path_factory.mktemp("save")
    for name in ("m.yaml", "m.json"):
        finite = "inf" not in json.dumps(metadata).lower()
        if name.endswith(".json") and not finite:
            continue
        bp.save(folder / name)
        again = sm.load(folder / name)
        assert _same(again.metadata, metadata), name
        assert again.step("work").label == label
