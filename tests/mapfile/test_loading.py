"""Bad input never gets a traceback: located problems, all at once."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import servicemap as sm

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
GOOD = """\
name: Tiny
steps:
  - id: start
    kind: terminator
    next: work
  - id: work
    kind: task
    duration: 5m
    next: end
  - id: end
    kind: terminator
"""


def problems(text: str | bytes) -> list[sm.Problem]:
    with pytest.raises(sm.LoadError) as info:
        sm.loads(text, "m.yaml")
    found = info.value.problems
    assert found and all(p.file == "m.yaml" and p.line and p.column for p in found)
    return found


def test_good_map_loads() -> None:
    assert [s.id for s in sm.loads(GOOD).steps] == ["start", "work", "end"]


def test_not_yaml_is_located() -> None:
    (p,) = problems("name: x\nsteps: [a, b\n")
    assert p.code == "SM001" and p.line == 3


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_not_a_mapping(text: str) -> None:
    (p,) = problems(text)
    assert p.code == "SM002" and "mapping" in p.message


def test_empty_file() -> None:
    (p,) = problems("")
    assert p.code == "SM002" and "empty" in p.message


def test_binary_garbage() -> None:
    (p,) = problems(bytes(range(256)) * 4)
    assert p.code == "SM001"


def test_not_utf8_points_at_the_byte() -> None:
    (p,) = problems("name: Caf\xe9\nsteps: []\n".encode("latin-1"))
    assert p.code == "SM001" and (p.line, p.column) == (1, 10) and "UTF-8" in p.message


def test_wrong_types_and_units_all_at_once() -> None:
    text = GOOD.replace("duration: 5m", "duration: 5\n    capacity: many\n    cost: x\n"
                        "    recovery: yes\n    fial: oops")
    found = problems(text)
    by_line = {p.line: p.message for p in found}
    assert len(found) == 5
    assert "add a unit" in by_line[8]
    assert "whole number" in by_line[9]
    assert "number" in by_line[10]
    assert "true or false" in by_line[11]
    assert "did you mean 'fail'" in by_line[12]


def test_key_not_allowed_on_kind() -> None:
    (p,) = problems(GOOD.replace("duration: 5m", "outcome: success"))
    assert p.code == "SM002" and "not allowed on a task" in p.message and p.line == 8


def test_unknown_next_suggests_nearest() -> None:
    (p,) = problems(GOOD.replace("next: end", "next: edn"))
    assert p.code == "SM004" and "did you mean 'end'" in p.message
    assert (p.line, p.column) == (9, 11)


def test_duplicate_ids() -> None:
    (p,) = problems(GOOD + "  - id: work\n    kind: task\n    next: end\n")
    assert p.code == "SM003" and p.line == 12


def test_key_twice_in_one_mapping() -> None:
    (p,) = problems(GOOD.replace("duration: 5m", "duration: 5m\n    duration: 6m"))
    assert p.code == "SM001" and p.line == 9 and "twice" in p.message


def test_yaml_12_scalars_stay_text() -> None:
    bp = sm.loads(GOOD.replace("kind: task", "kind: task\n    label: yes")
                  .replace("id: end\n    kind: terminator", "id: end\n    kind: terminator\n"
                           "    label: 1.10"))
    assert bp.step("work").label == "yes"
    assert bp.step("end").label == "1.10"


def test_alias_bomb_is_refused_fast() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "\n".join(lines) + "\nname: bomb\nsteps: *j\n"
    assert len(text) < 600
    t0 = time.perf_counter()
    (p,) = problems(text)
    assert time.perf_counter() - t0 < 1.0
    assert p.code == "SM001" and "alias" in p.message


def test_recursive_alias_is_refused() -> None:
    (p,) = problems("name: r\nsteps: &s [*s]\n")
    assert p.code == "SM001"


def test_deep_nesting_does_not_crash_the_process() -> None:
    code = ("import servicemap as sm\n"
            "try:\n    sm.loads('x: ' + '[' * 100000 + ']' * 100000)\n"
            "except sm.LoadError as e:\n    print(e.problems[0].code)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "SM001"


def test_python_tags_are_refused() -> None:
    (p,) = problems("name: !!python/object/apply:os.system ['echo hi']\nsteps: []\n")
    assert p.code == "SM001" and "tag" in p.message


def test_fifty_megabyte_file_is_refused_quickly(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"name: big\nnotes: '" + b"x" * (50 * 2**20) + b"'\n")
    t0 = time.perf_counter()
    with pytest.raises(sm.LoadError) as info:
        sm.load(big)
    assert time.perf_counter() - t0 < 1.0
    (p,) = info.value.problems
    assert p.file == str(big) and p.line == 1 and "MiB" in p.message


def test_json_loads_too() -> None:
    bp = sm.loads(sm.loads(GOOD).to_json())
    assert bp == sm.loads(GOOD)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_round_trip_with_metadata(path: Path) -> None:
    bp = sm.load(path)
    again = sm.loads(bp.to_yaml())
    assert again == bp and again.metadata == bp.metadata
    assert sm.loads(bp.to_json()) == bp


_TEXTS = [p.read_text(encoding="utf-8") for p in EXAMPLES]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(_TEXTS)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "chars", "truncate"]))
        if not lines:
            break
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "chars":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.text(max_size=5)) + lines[i][pos:]
        else:
            lines = lines[: i + 1]
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_raise_only_load_error_and_check_never_raises(text: str) -> None:
    try:
        bp = sm.loads(text, "m.yaml")
    except sm.LoadError as err:
        assert all(p.line is not None for p in err.problems)
        return
    for p in sm.check(bp):
        assert p.code.startswith("SM")


def test_public_names_survive_the_split() -> None:
    from servicemap import mapfile
    from servicemap.mapfile import loading, yaml_reader

    for name in ("MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "parse_yaml"):
        assert getattr(mapfile, name) is getattr(loading, name) is getattr(yaml_reader, name)
    assert mapfile.load is loading.load and mapfile.loads is loading.loads is sm.loads


def test_problems_name_their_step() -> None:
    found = problems(GOOD.replace("duration: 5m", "duration: 5"))
    assert [(p.code, p.step) for p in found] == [("SM002", "work")]
