"""Tests of render(): formats, files, determinism, hostile text in the output, highlight."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pygraphviz
import pytest

import servicemap
from servicemap.api import render, svg_mimebundle
from servicemap.drawing import render_layout
from servicemap.drawing.draw import fix_pdf_dates
from servicemap.highlight import styles_from_analysis
from servicemap.problems import RenderError
from tests.helpers.layouts import grid_layout
from tests.helpers.maps import HOSTILE, every_kind_map, hostile_map

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "next_day_delivery_current.yaml"


@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<?xml"), ("pdf", b"%PDF"),
                                             ("png", b"\x89PNG"), ("dot", b"digraph")])
def test_formats(fmt: str, magic: bytes) -> None:
    bp = every_kind_map()
    assert render(bp, format=fmt, layout=grid_layout(bp)).startswith(magic)


def test_path_suffix_gives_format_and_file_is_written(tmp_path: Path) -> None:
    bp = every_kind_map()
    data = render(bp, tmp_path / "map.png", layout=grid_layout(bp))
    assert data.startswith(b"\x89PNG") and (tmp_path / "map.png").read_bytes() == data
    svg = render(bp, tmp_path / "map.png", format="svg", layout=grid_layout(bp))
    assert (tmp_path / "map.png").read_bytes() == svg


def test_unknown_format() -> None:
    bp = every_kind_map()
    with pytest.raises(ValueError, match="unknown output format"):
        render(bp, "map.jpeg", layout=grid_layout(bp))


def test_dot_output_parses_back_to_the_same_nodes() -> None:
    bp = every_kind_map()
    dot = render(bp, format="dot", layout=grid_layout(bp)).decode()
    g = pygraphviz.AGraph(string=dot)
    assert sorted(g.nodes()) == sorted(re.findall(r"^([a-z]+\d+) \[", dot, flags=re.MULTILINE))
    assert all(n.attr["pos"].endswith("!") for n in g.nodes())


def test_failed_render_writes_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    bp = servicemap.load(EXAMPLE)
    layout = grid_layout(bp)
    with pytest.raises(RenderError):
        render_layout(bp, layout, tmp_path / "new.svg", timeout=1e-6)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "old.svg").write_bytes(b"old")
    with pytest.raises(RenderError):
        render_layout(bp, layout, tmp_path / "old.svg", timeout=1e-6)
    assert (tmp_path / "old.svg").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.svg"]
    assert render_layout(bp, layout, tmp_path / "old.svg").startswith(b"<?xml")


_SCRIPT = """
import sys, hashlib
sys.path[:0] = [{src!r}, {tests!r}]
import servicemap
from servicemap.api import render
from tests.helpers.layouts import grid_layout
bp = servicemap.load({example!r})
for fmt in ("svg", "pdf", "png"):
    data = render(bp, format=fmt, layout=grid_layout(bp), legend=True)
    print(fmt, hashlib.sha256(data).hexdigest())
"""


def test_same_bytes_across_runs_and_processes() -> None:
    bp = servicemap.load(EXAMPLE)
    here = {fmt: hashlib.sha256(render(bp, format=fmt, layout=grid_layout(bp), legend=True))
            .hexdigest() for fmt in ("svg", "pdf", "png")}
    again = {fmt: hashlib.sha256(render(bp, format=fmt, layout=grid_layout(bp), legend=True))
             .hexdigest() for fmt in ("svg", "pdf", "png")}
    assert here == again
    root = Path(__file__).resolve().parents[2]
    script = _SCRIPT.format(src=str(root / "src"), tests=str(root / "tests"), example=str(EXAMPLE))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert dict(line.split() for line in out.splitlines()) == here


def test_pdf_creation_date_is_fixed() -> None:
    bp = every_kind_map()
    pdf = render(bp, format="pdf", layout=grid_layout(bp))
    assert b"/CreationDate (D:20000101000000" in pdf
    assert fix_pdf_dates(pdf) == pdf


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_literally(text: str) -> None:
    bp = hostile_map(text)
    svg = render(bp, format="svg", layout=grid_layout(bp), legend=True).decode()
    assert "<script" not in svg
    assert "evil" not in svg or "&quot;]; evil [label=&quot;x&quot;]" in svg
    if text.startswith("<script>"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    if text == "C:\\temp\\":
        assert ">C:\\temp\\<" in svg
    if text.startswith("\\N"):
        assert "\\N \\G \\E \\L \\T \\H" in svg
    if text.startswith("&amp;"):
        assert "&amp;amp; &amp;lt; &amp;#92;" in svg
    assert render(bp, format="png", layout=grid_layout(bp)).startswith(b"\x89PNG")


def test_mimebundle(monkeypatch: pytest.MonkeyPatch) -> None:
    bp = every_kind_map()
    import servicemap.api as api

    original = api.render
    monkeypatch.setattr(api, "render",
                        lambda b, **kw: original(b, layout=grid_layout(b), **kw))
    bundle = svg_mimebundle(bp)
    assert bundle["image/svg+xml"].startswith("<?xml")
    assert "Every kind" in bundle["text/plain"]


def test_highlight_colours_fail_points_and_bottleneck() -> None:
    bp = servicemap.load(EXAMPLE)
    styles, key = styles_from_analysis(servicemap.analyze(bp))
    assert "attempt" in styles and styles["attempt"].fill is not None
    assert any(style.penwidth for style in styles.values())
    assert key
    svg = render(bp, format="svg", layout=grid_layout(bp), highlight=True).decode()
    assert styles["attempt"].fill in svg
    assert "expected failures per" in svg


_EVERY_EXAMPLE = """
import hashlib, json, sys
from pathlib import Path
import servicemap
out = {}
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    for fmt in ("pdf", "svg", "png"):
        data = servicemap.render(path, format=fmt)
        out[f"{path.name} {fmt}"] = hashlib.sha256(data).hexdigest()
print(json.dumps(out))
"""


def test_every_example_is_the_same_bytes_in_any_process_hash_seed_and_time_zone() -> None:
    """PDF differed between runs and with TZ (cairo's /CreationDate, its zone and length)."""
    root = Path(__file__).resolve().parents[2]
    runs = []
    for seed, zone in [("0", "UTC"), ("1", "America/New_York"), ("4242", "Asia/Kolkata")]:
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": zone}
        result = subprocess.run([sys.executable, "-c", _EVERY_EXAMPLE, str(root / "examples")],
                                capture_output=True, text=True, env=env, timeout=300, cwd=root)
        assert result.returncode == 0, result.stderr
        runs.append(json.loads(result.stdout))
        time.sleep(1.1)  # a new second on the clock cairo reads
    assert len(runs[0]) == 3 * len(list((root / "examples").glob("*.yaml"))) > 0
    assert runs[0] == runs[1] == runs[2]


@pytest.mark.parametrize("date", [b"D:20261130155626Z", b"D:20261130105627-05'00",
                                  b"D:20261130212628+05'30'", b"D:2026"])
def test_pdf_dates_become_one_date_at_the_same_length(date: bytes) -> None:
    pdf = b"<< /Producer (cairo) /CreationDate (" + date + b") /ModDate(" + date + b") >>"
    fixed = fix_pdf_dates(pdf)
    assert len(fixed) == len(pdf) and b"2026" not in fixed
    assert fixed.count(b"(D:2000") == 2
    assert fix_pdf_dates(fixed) == fixed


def test_pdf_ids_are_a_hash_of_the_content_at_the_same_length() -> None:
    def pdf(first: bytes, second: bytes, body: bytes = b"x") -> bytes:
        return b"%PDF " + body + b" trailer << /ID [<" + first + b"><" + second + b">] >>"

    one = fix_pdf_dates(pdf(b"0123456789ABCDEF", b"FEDCBA9876543210"))
    two = fix_pdf_dates(pdf(b"AAAAAAAAAAAAAAAA", b"BBBBBBBBBBBBBBBB"))
    assert one == two and len(one) == len(pdf(b"0" * 16, b"0" * 16))
    assert one != fix_pdf_dates(pdf(b"A" * 16, b"B" * 16, body=b"y"))


def test_a_real_pdf_stays_valid() -> None:
    """Offsets in the cross-reference table still point at their objects."""
    bp = every_kind_map()
    pdf = render(bp, format="pdf", layout=grid_layout(bp))
    start = int(re.search(rb"startxref\s+(\d+)", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[start:start + 4] == b"xref"
    offsets = re.findall(rb"(\d{10}) 00000 n", pdf[start:])
    assert offsets
    for offset in offsets:
        assert re.match(rb"\d+ 0 obj", pdf[int(offset):]), offset


def test_render_is_bounded_by_its_timeout_as_a_whole() -> None:
    """The layout and the DOT building count too, not only Graphviz."""
    bp = servicemap.Blueprint.model_validate({"name": "Wide", "steps": [
        {"id": "a", "kind": "terminator", "next": "s0"},
        *({"id": f"s{i}", "kind": "task", "label": "x" * 100_000, "next": f"s{i + 1}"}
          for i in range(300)),
        {"id": "s300", "kind": "terminator"}]})
    start = time.perf_counter()
    with pytest.raises(RenderError, match=r"took longer than 0\.05 s and was stopped while"):
        render(bp, format="svg", timeout=0.05)
    assert time.perf_counter() - start < 5
