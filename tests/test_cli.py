"""Tests of the ``servicemap`` command: subcommands, formats and exit statuses."""

from __future__ import annotations

import io
import json
import math
import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import servicemap
from servicemap.cli import main
from servicemap.rules import RULES

SRC = Path(__file__).resolve().parents[1] / "src"

CLEAN = """\
name: Clean
steps:
  - {id: start, kind: terminator, next: work}
  - {id: work, kind: task, duration: 5m, next: end}
  - {id: end, kind: terminator}
"""

DEAD_END = """\
name: Broken
steps:
  - {id: start, kind: terminator, next: record}
  - {id: record, kind: task}
"""

MISSING_LANE = """\
name: Warned
lanes:
  - {id: desk}
steps:
  - {id: start, kind: terminator, lane: desk, next: work}
  - {id: work, kind: task, next: end}
  - {id: end, kind: terminator, lane: desk}
"""


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test runs outside GitHub Actions, in its own folder."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("SERVICEMAP_TRACEBACK", raising=False)
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(err: str) -> None:
    assert err.startswith("servicemap: error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


# check: exit statuses


def test_clean_map_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    assert run(capsys, "check", f) == (0, "All checks passed: 1 file\n", "")


def test_error_map_fails_with_located_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "broken.yaml", DEAD_END)
    status, out, err = run(capsys, "check", f)
    assert status == 1
    assert out.splitlines() == [
        "broken.yaml:3:3: SM102 [error] no-end: the map has no end: add a terminator without "
        "'next'",
        "broken.yaml:4:5: SM103 [error] dead-end: step 'record' has no outgoing flow: add "
        "'next', or make it a terminator if cases end here",
        "2 errors, 0 warnings in 1 file",
    ]
    assert err == ""


def test_warnings_pass_unless_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "warned.yaml", MISSING_LANE)
    status, out, _ = run(capsys, "check", f)
    assert status == 0
    assert "SM302 [warning] missing-lane" in out
    assert out.endswith("0 errors, 1 warning in 1 file\n")
    assert run(capsys, "check", "--strict", f)[0] == 1


def test_strict_clean_map_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    assert run(capsys, "check", "--strict", f)[0] == 0


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", "nope.yaml")
    assert (status, out) == (2, "")
    assert_one_line_error(err)
    assert "nope.yaml" in err


@pytest.mark.parametrize("argv", [
    ["check", "--bogus", "x.yaml"],
    ["check", "--format", "xml", "x.yaml"],
    ["check"],
    ["frobnicate"],
    [],
])
def test_bad_command_lines_exit_2_with_one_line(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, *argv)
    assert (status, out) == (2, "")
    assert_one_line_error(err)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs file permissions that bind (not root)")
def test_unreadable_file_is_a_problem_of_that_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "secret.yaml"
    write(f, CLEAN)
    f.chmod(0)
    try:
        status, out, err = run(capsys, "check", str(f))
    finally:
        f.chmod(0o644)
    assert status == 1
    assert out.startswith(f"{f}:1:1: SM001 [error] yaml-syntax: cannot read: Permission denied")
    assert err == ""


@pytest.mark.parametrize("content", [
    b"\x00\xff\xfe garbage [\n",
    b"steps: [\n",
    b"- just\n- a list\n",
    b"name: x\nsteps: &a [*a]\n",
    b"\xef\xbb\xbf" + b"{" * 5000,
    b"",
])
def test_garbage_files_are_problems_not_tracebacks(
        content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "garbage.yaml").write_bytes(content)
    status, out, err = run(capsys, "check", "garbage.yaml")
    assert status == 1
    assert out.startswith("garbage.yaml:")
    assert " [error] " in out
    assert "Traceback" not in out + err


# check: files, folders and rules


def test_folders_mean_every_yaml_below(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "maps" / "a.yaml", CLEAN)
    write(tmp_path / "maps" / "sub" / "b.yml", DEAD_END)
    write(tmp_path / "maps" / "notes.txt", "not a map")
    write(tmp_path / "maps" / ".hidden" / "c.yaml", DEAD_END)
    status, out, _ = run(capsys, "check", "maps")
    assert status == 1
    assert out.endswith("2 errors, 0 warnings in 2 files\n")
    assert all(line.startswith(os.path.join("maps", "sub", "b.yml"))
               for line in out.splitlines()[:-1])


def test_several_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path / "a.yaml", CLEAN)
    b = write(tmp_path / "b.yaml", MISSING_LANE)
    status, out, _ = run(capsys, "check", a, b)
    assert status == 0
    assert out.endswith("in 2 files\n")


def test_empty_folder_passes_with_a_warning(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    status, out, err = run(capsys, "check", "empty")
    assert status == 0
    assert out == "All checks passed: 0 files\n"
    assert "no map files" in err


@pytest.mark.parametrize(("option", "expected"), [
    (["--select", "SM103"], ["SM103"]),
    (["--select", "dead-end"], ["SM103"]),
    (["--select", "SM10"], ["SM102", "SM103"]),
    (["--select", "no-end", "--select", "SM2"], ["SM102"]),
    (["--ignore", "dead-end"], ["SM102"]),
    (["--ignore", "SM102,dead-end"], []),
    (["--select", "SM1", "--ignore", "no-end"], ["SM103"]),
])
def test_select_and_ignore(option: list[str], expected: list[str], tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "broken.yaml", DEAD_END)
    status, out, _ = run(capsys, "check", "--format", "json", *option, f)
    codes = [p["code"] for p in json.loads(out)["problems"]]
    assert codes == expected
    assert status == (1 if expected else 0)


@pytest.mark.parametrize("value", ["SM999", "dead_end", "XY1", ",", "SM103,nonsense"])
def test_unknown_rules_are_usage_errors(
        value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    status, _, err = run(capsys, "check", "--select", value, f)
    assert status == 2
    assert_one_line_error(err)
    assert run(capsys, "check", "--ignore", value, f)[0] == 2


def test_load_problems_are_not_hidden_by_select(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "bad.yaml", "name: x\nsteps: [\n")
    status, out, _ = run(capsys, "check", "--select", "SM5", "bad.yaml")
    assert status == 1
    assert "SM001" in out


def test_project_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "pyproject.toml", '[tool.servicemap]\nignore = ["missing-lane"]\n')
    f = write(tmp_path / "maps" / "warned.yaml", MISSING_LANE)
    assert run(capsys, "check", "--strict", f)[0] == 0


def test_bad_project_configuration_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "pyproject.toml", '[tool.servicemap]\nselct = ["SM1"]\n')
    f = write(tmp_path / "clean.yaml", CLEAN)
    status, _, err = run(capsys, "check", f)
    assert status == 2
    assert_one_line_error(err)
    assert "selct" in err


# check: formats


def test_github_format_is_the_default_in_github_actions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    f = write(tmp_path / "broken.yaml", DEAD_END)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    status, out, _ = run(capsys, "check", f)
    assert status == 1
    assert out.startswith("::error file=broken.yaml,line=3,col=3,title=SM102 no-end::")
    assert run(capsys, "check", "--format", "text", f)[1].startswith("broken.yaml:3:3: ")


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a.yaml", CLEAN)
    write(tmp_path / "b.yaml", DEAD_END)
    status, out, _ = run(capsys, "check", "--format", "json", ".")
    data = json.loads(out)
    assert status == 1
    assert (data["files"], data["errors"], data["warnings"]) == (2, 2, 0)
    assert data["problems"][1] == {
        "file": "b.yaml", "line": 4, "column": 5, "code": "SM103", "rule": "dead-end",
        "level": "error", "step": "record",
        "message": "step 'record' has no outgoing flow: add 'next', or make it a terminator "
                   "if cases end here",
    }


@pytest.mark.parametrize("fmt", ["sarif", "junit", "json", "text", "github"])
def test_output_file(fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "broken.yaml", DEAD_END)
    status, out, _ = run(capsys, "check", "--format", fmt, "--output", "report.out", f)
    assert status == 1
    assert out == "2 errors, 0 warnings in 1 file (report written to report.out)\n"
    report = (tmp_path / "report.out").read_text(encoding="utf-8")
    assert "SM103" in report
    if fmt == "sarif":
        assert json.loads(report)["runs"][0]["results"][0]["ruleId"] == "SM102"


def test_output_to_missing_folder_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    status, _, err = run(capsys, "check", "--output", "no/such/dir/r.txt", f)
    assert status == 2
    assert_one_line_error(err)


# other commands


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, f"servicemap {servicemap.__version__}\n", "")


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "check", "--help")
    assert status == 0
    assert "--select" in out


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "rules")
    assert status == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == [r.code for r in RULES]
    assert lines[6].split()[:3] == ["SM103", "dead-end", "error"]


def test_rules_describes_one_rule(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "rules", "dead-end")
    assert status == 0
    assert out.startswith("SM103 dead-end (error)")
    assert run(capsys, "rules", "nonsense")[0] == 2


def test_schema_prints_json_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert status == 0
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("https://")
    assert run(capsys, "schema", "-o", "s.json") == (0, "", "")
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == out


def test_analyze_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    status, out, _ = run(capsys, "analyze", f, "--format", "json", "--arrivals", "6/h")
    data = json.loads(out)
    assert status == 0
    assert data["name"] == "Clean"
    assert data["summary"]["arrivals_per_h"] == pytest.approx(6.0)
    assert data["summary"]["process_time_s"] == pytest.approx(300.0)
    assert run(capsys, "analyze", f, "--arrivals", "12")[0] == 0
    status, out, _ = run(capsys, "analyze", f, "--format", "csv")
    assert status == 0
    assert "work" in out
    status, out, _ = run(capsys, "analyze", f)
    assert (status, "Clean" in out) == (0, True)


@pytest.mark.parametrize("rate", ["fast", "-3", "40/fortnight", "nan", ""])
def test_analyze_bad_arrivals(rate: str, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    status, out, err = run(capsys, "analyze", f, "--arrivals", rate)
    assert (status, out) == (2, "")
    assert_one_line_error(err)
    assert "--arrivals" in err


QUEUE = """name: Queue
arrivals: 3/h
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, duration: 10m, capacity: 1, next: e}
  - {id: e, kind: terminator}
"""


def test_analyze_percentile_cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "queue.yaml", QUEUE)
    # M/M/1 at 3/h with 10-min service: the time in the system is exponential with
    # rate 6/h - 3/h = 3/h (mean 20 min), so p_q = 1200 s · ln(1 / (1 - q)).
    status, out, _ = run(capsys, "analyze", f, "--format", "json", "--percentile-cases", "3000")
    s = json.loads(out)["summary"]
    assert status == 0
    assert s["lead_time_percentiles_method"].startswith(
        "by simulation: 3,000 cases in 5 replications, seed 1")
    for key, q in (("p50", 0.5), ("p80", 0.8), ("p95", 0.95)):
        assert s["lead_time_percentiles_s"][key] == pytest.approx(
            1200 * math.log(1 / (1 - q)), rel=0.12)
    status, out, _ = run(capsys, "analyze", f, "--format", "json", "--percentile-cases", "0")
    s = json.loads(out)["summary"]
    assert (status, s["lead_time_percentiles_s"]) == (0, None)
    assert s["lead_time_percentiles_method"] == (
        "not computed: step 'w' has a modelled queue: run servicemap simulate; "
        "not simulated: percentile_cases is 0")
    status, out, _ = run(capsys, "analyze", f, "--percentile-cases", "0")
    assert "not simulated: percentile_cases is 0" in out


@pytest.mark.parametrize("argv", [["--percentile-cases", "-1"], ["--percentile-cases", "many"],
                                  ["--percentile-cases", "100", "--sensitivity"]])
def test_analyze_bad_percentile_cases(argv: list[str], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "queue.yaml", QUEUE)
    status, out, err = run(capsys, "analyze", f, *argv)
    assert (status, out) == (2, "")
    assert_one_line_error(err)
    assert "--percentile-cases" in err and "Traceback" not in err


def test_analyze_refuses_broken_maps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "broken.yaml", DEAD_END)
    status, out, err = run(capsys, "analyze", f)
    assert (status, out) == (1, "")
    assert "broken.yaml:4:5: SM103 [error] dead-end" in err
    write(tmp_path / "bad.yaml", "steps: [\n")
    status, out, err = run(capsys, "analyze", "bad.yaml")
    assert (status, out) == (1, "")
    assert "SM001" in err
    assert run(capsys, "analyze", "missing.yaml")[0] == 2


@pytest.fixture
def fake_render(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the renderer by one that records its calls and writes a stub file."""
    import importlib

    calls: list[dict[str, Any]] = []

    def render(bp: servicemap.Blueprint, path: Path | None, **options: Any) -> bytes:
        calls.append({"name": bp.name, "path": None if path is None else Path(path), **options})
        if path is not None:
            Path(path).write_bytes(b"<svg/>")
        return b"<svg/>"

    module = importlib.import_module("servicemap.api")
    monkeypatch.setattr(module, "render", render, raising=False)
    return calls


def test_render_writes_and_says_where(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      fake_render: list[dict[str, Any]]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    assert run(capsys, "render", f) == (0, "wrote clean.svg\n", "")
    assert run(capsys, "render", f, "-o", "out.pdf", "--highlight")[0] == 0
    assert run(capsys, "render", f, "--format", "png", "--legend")[1] == "wrote clean.png\n"
    assert [(c["path"].name, c["format"], c["highlight"], c["legend"]) for c in fake_render] == [
        ("clean.svg", "svg", False, False),
        ("out.pdf", "pdf", True, False),
        ("clean.png", "png", False, True),
    ]


def test_render_draws_maps_that_break_rules(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        fake_render: list[dict[str, Any]]) -> None:
    f = write(tmp_path / "broken.yaml", DEAD_END)
    status, out, err = run(capsys, "render", f)
    assert (status, out) == (0, "wrote broken.svg\n")
    assert "warning" in err and "2 errors" in err


def test_render_refuses_maps_that_do_not_load(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        fake_render: list[dict[str, Any]]) -> None:
    write(tmp_path / "bad.yaml", "name: x\nsteps:\n  - {id: a, kind: task, duration: 5}\n")
    status, out, err = run(capsys, "render", "bad.yaml")
    assert (status, out) == (1, "")
    assert "bad.yaml:3:35: SM002 [error] schema" in err
    assert not fake_render
    assert not (tmp_path / "bad.svg").exists()


@pytest.mark.parametrize("argv", [
    ["-o", "out.svg", "--format", "pdf"],
    ["-o", "out.txt"],
    ["--format", "gif"],
])
def test_render_format_usage_errors(argv: list[str], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str],
                                    fake_render: list[dict[str, Any]]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    status, _, err = run(capsys, "render", f, *argv)
    assert status == 2
    assert_one_line_error(err)
    assert not fake_render


def test_internal_errors_are_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import servicemap.api

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something broke\nsecond line")

    monkeypatch.setattr(servicemap.api, "check_files", boom)
    f = write(tmp_path / "clean.yaml", CLEAN)
    status, _, err = run(capsys, "check", f)
    assert status == 2
    assert_one_line_error(err)
    assert "please report this" in err


# '-': standard input and standard output


def feed(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """Make ``text`` the standard input the command reads."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_check_reads_standard_input(monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    feed(monkeypatch, DEAD_END)
    status, out, err = run(capsys, "check", "-")
    assert (status, err) == (1, "")
    assert out.splitlines()[1].startswith("<stdin>:4:5: SM103 [error] dead-end")
    assert out.endswith("2 errors, 0 warnings in 1 file\n")
    assert not Path("-").exists()


def test_check_stdin_filename_names_it_and_finds_its_config(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "team" / "pyproject.toml", '[tool.servicemap]\nignore = ["no-end"]\n')
    feed(monkeypatch, DEAD_END)
    status, out, _ = run(capsys, "check", "-", "--stdin-filename", "team/new.yaml")
    assert status == 1
    assert out.splitlines() == [
        "team/new.yaml:4:5: SM103 [error] dead-end: step 'record' has no outgoing flow: add "
        "'next', or make it a terminator if cases end here",
        "1 error, 0 warnings in 1 file",
    ]


def test_check_stdin_with_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    feed(monkeypatch, "steps: [\n")
    status, out, _ = run(capsys, "check", "--format", "json", f, "-")
    data = json.loads(out)
    assert (status, data["files"]) == (1, 2)
    assert [(p["file"], p["code"]) for p in data["problems"]] == [("<stdin>", "SM001")]


def test_force_exclude_skips_stdin_by_its_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    feed(monkeypatch, DEAD_END)
    status, out, err = run(capsys, "check", "-", "--stdin-filename", "build/m.yaml",
                           "--force-exclude")
    assert (status, out) == (0, "All checks passed: 0 files\n")
    assert "no map files" in err


def test_stdin_filename_needs_a_dash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    for command in ("check", "analyze", "render"):
        status, out, err = run(capsys, command, f, "--stdin-filename", "x.yaml")
        assert (status, out) == (2, "")
        assert_one_line_error(err)
        assert "'-'" in err


def test_analyze_reads_standard_input(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    feed(monkeypatch, CLEAN)
    status, out, _ = run(capsys, "analyze", "-", "--format", "json")
    assert status == 0
    assert json.loads(out)["summary"]["process_time_s"] == pytest.approx(300.0)
    feed(monkeypatch, DEAD_END)
    status, out, err = run(capsys, "analyze", "-", "--stdin-filename", "in.yaml")
    assert (status, out) == (1, "")
    assert "in.yaml:4:5: SM103 [error] dead-end" in err
    assert "in.yaml has structural errors" in err


def test_render_reads_standard_input_and_writes_standard_output(
        monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes],
        fake_render: list[dict[str, Any]]) -> None:
    feed(monkeypatch, CLEAN)
    assert main(["render", "-"]) == 0
    assert capsysbinary.readouterr() == (b"<svg/>", b"")
    feed(monkeypatch, CLEAN)
    assert main(["render", "-", "-o", "out.svg"]) == 0
    assert capsysbinary.readouterr().out == b"wrote out.svg\n"
    assert [(c["name"], c["path"], c["format"]) for c in fake_render] == [
        ("Clean", None, "svg"), ("Clean", Path("out.svg"), "svg")]


def test_render_dash_output_writes_the_drawing_bytes(
        tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    assert main(["render", f, "--format", "png", "-o", "-"]) == 0
    out, err = capsysbinary.readouterr()
    assert out.startswith(b"\x89PNG\r\n\x1a\n")
    assert err == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.yaml"]


def test_render_dash_output_in_a_real_process(tmp_path: Path) -> None:
    write(tmp_path / "clean.yaml", CLEAN)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run([sys.executable, "-m", "servicemap", "render", "clean.yaml",
                           "--format", "png", "-o", "-"],
                          capture_output=True, env=env, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"\x89PNG\r\n\x1a\n")
    assert not (tmp_path / "-").exists()


def test_check_output_dash_is_standard_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "broken.yaml", DEAD_END)
    status, out, _ = run(capsys, "check", "--format", "json", "--output", "-", f)
    assert status == 1
    assert json.loads(out)["errors"] == 2
    assert not (tmp_path / "-").exists()


def test_schema_output_dash_is_standard_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "schema", "-o", "-")
    assert status == 0
    assert json.loads(out)["$schema"].startswith("https://json-schema.org/")
    assert not (tmp_path / "-").exists()


# folder searches and excludes


def test_check_dot_passes_over_other_tools_yaml(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "maps" / "clean.yaml", CLEAN)
    write(tmp_path / "docker-compose.yml", "services:\n  web: {image: nginx}\n")
    write(tmp_path / "config.yaml", "retries: 3\n")
    write(tmp_path / ".github" / "workflows" / "ci.yml", "jobs:\n  a:\n    steps: []\n")
    write(tmp_path / "build" / "copy.yaml", DEAD_END)
    assert run(capsys, "check", ".") == (0, "All checks passed: 1 file\n", "")
    status, out, _ = run(capsys, "check", "docker-compose.yml")  # named: always checked
    assert status == 1
    assert "docker-compose.yml:1:1: SM002" in out


def test_check_extend_exclude_and_force_exclude(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "pyproject.toml", '[tool.servicemap]\nextend-exclude = ["drafts/"]\n')
    write(tmp_path / "maps" / "clean.yaml", CLEAN)
    draft = write(tmp_path / "maps" / "drafts" / "wip.yaml", DEAD_END)
    assert run(capsys, "check", "maps")[0] == 0
    assert run(capsys, "check", "maps", draft)[0] == 1
    assert run(capsys, "check", "maps", draft, "--force-exclude") == (
        0, "All checks passed: 1 file\n", "")


def test_check_respects_gitignore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".gitignore", "generated/\n")
    write(tmp_path / "generated" / "broken.yaml", DEAD_END)
    write(tmp_path / "clean.yaml", CLEAN)
    assert run(capsys, "check", ".")[0] == 0
    write(tmp_path / "pyproject.toml", "[tool.servicemap]\nrespect-gitignore = false\n")
    assert run(capsys, "check", ".")[0] == 1


# render --highlight


def test_render_highlight_refuses_a_broken_map_with_every_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import servicemap.checking

    many = DEAD_END + "".join(f"  - {{id: extra{i}, kind: task}}\n" for i in range(12))
    f = write(tmp_path / "broken.yaml", many)
    report = run(capsys, "check", "--format", "text", f)[1]
    assert report.count("\n") > 20
    runs: list[object] = []
    real = servicemap.checking.run_rules
    monkeypatch.setattr(servicemap.checking, "run_rules",
                        lambda *a: runs.append(a) or real(*a))
    status, out, err = run(capsys, "render", f, "--highlight")
    assert (status, out) == (1, "")
    assert err.startswith(report)
    assert "drawn anyway" not in err
    assert "Traceback" not in err
    assert len(runs) == 1  # checked once
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml"]


def test_render_highlight_checks_once(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import servicemap.checking

    f = write(tmp_path / "warned.yaml", MISSING_LANE)
    runs: list[object] = []
    real = servicemap.checking.run_rules
    monkeypatch.setattr(servicemap.checking, "run_rules",
                        lambda *a: runs.append(a) or real(*a))
    status, out, err = run(capsys, "render", f, "--highlight", "-o", "out.svg")
    assert (status, out) == (0, "wrote out.svg\n")
    assert "1 warning" in err
    assert len(runs) == 1
    assert (tmp_path / "out.svg").read_bytes().startswith(b"<?xml")


# output files are written atomically


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_report_output_replaces_the_file_keeping_its_mode(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "broken.yaml", DEAD_END)
    report = tmp_path / "report.txt"
    report.write_text("old", encoding="utf-8")
    report.chmod(0o600)
    assert run(capsys, "check", "--output", "report.txt", f)[0] == 1
    assert "SM103" in report.read_text(encoding="utf-8")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml", "report.txt"]


def test_output_files_go_through_the_one_atomic_writer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import servicemap.api

    f = write(tmp_path / "clean.yaml", CLEAN)
    written: list[str] = []
    real = servicemap.api.write_bytes_atomic

    def spy(path: str, data: bytes) -> None:
        written.append(str(path))
        real(path, data)

    monkeypatch.setattr(servicemap.api, "write_bytes_atomic", spy)
    run(capsys, "check", "-o", "r.txt", f)
    run(capsys, "schema", "-o", "s.json")
    assert written == ["r.txt", "s.json"]


def test_unwritable_output_names_the_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    status, _, err = run(capsys, "schema", "-o", "no/such/dir/s.json")
    assert status == 2
    assert_one_line_error(err)
    assert err.startswith("servicemap: error: cannot write no/such/dir/s.json: ")
    assert ".tmp" not in err
    assert run(capsys, "check", "-o", "no/such/dir/r.txt", f)[0] == 2


def test_python_dash_m(tmp_path: Path) -> None:
    write(tmp_path / "maps" / "clean.yaml", CLEAN)
    write(tmp_path / "maps" / "broken.yaml", DEAD_END)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run([sys.executable, "-m", "servicemap", "check", "maps"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[-1] == "2 errors, 0 warnings in 2 files"
    assert proc.stderr == ""
    proc = subprocess.run([sys.executable, "-m", "servicemap", "check", "--nope"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("servicemap: error: ")
    assert "Traceback" not in proc.stderr


def test_check_does_not_import_heavy_modules(tmp_path: Path) -> None:
    write(tmp_path / "clean.yaml", CLEAN)
    code = ("import sys; from servicemap.cli import main; status = main(['check', 'clean.yaml']); "
            "heavy = [m for m in ('numpy', 'scipy', 'pygraphviz', 'networkx') if m in sys.modules];"
            "print(heavy); sys.exit(status)")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"


# --- hostile file systems and text (issue 8) ------------------------------------------------


def test_render_refuses_to_overwrite_its_own_map(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        fake_render: list[dict[str, Any]]) -> None:
    # `render map.yaml -o map.yaml` replaced the map with its drawing.
    f = write(tmp_path / "map.yaml", CLEAN)
    (tmp_path / "hard.svg").hardlink_to(tmp_path / "map.yaml")
    (tmp_path / "map.svg").symlink_to("map.yaml")
    for argv in (["-o", "map.yaml", "--format", "svg"], ["-o", "./map.yaml", "--format", "dot"],
                 ["-o", "hard.svg"], []):  # the default OUT, map.svg, is a link to the map
        status, out, err = run(capsys, "render", f, *argv)
        assert status == 2, argv
        assert_one_line_error(err)
        assert "is the map being drawn (map.yaml): refusing to overwrite it" in err
        assert out == ""
    assert fake_render == []
    assert (tmp_path / "map.yaml").read_text(encoding="utf-8") == CLEAN


def test_render_api_refuses_to_overwrite_its_own_map(tmp_path: Path) -> None:
    f = write(tmp_path / "map.yaml", CLEAN)
    with pytest.raises(ValueError, match="is the map being drawn"):
        servicemap.render(f, f, format="dot")
    assert (tmp_path / "map.yaml").read_text(encoding="utf-8") == CLEAN


def test_check_refuses_to_write_its_report_over_a_map(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "maps" / "a.yaml", CLEAN)
    b = write(tmp_path / "maps" / "b.yaml", DEAD_END)
    for output in ("maps/b.yaml", str(tmp_path / "maps" / "a.yaml")):
        status, _, err = run(capsys, "check", "maps", "--output", output)
        assert status == 2
        assert_one_line_error(err)
        assert "is a map being checked" in err and "refusing to overwrite it" in err
    assert (tmp_path / b).read_text(encoding="utf-8") == DEAD_END
    assert (tmp_path / "maps" / "a.yaml").read_text(encoding="utf-8") == CLEAN
    # an output beside the maps that is not one of them is fine
    assert run(capsys, "check", "maps", "-o", "maps/report.txt")[0] == 1


def test_check_report_never_follows_a_planted_temporary_link(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The report's temporary file was `.NAME.PID.tmp`, opened without O_EXCL/O_NOFOLLOW.
    f = write(tmp_path / "broken.yaml", DEAD_END)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    (tmp_path / f".report.txt.{os.getpid()}.tmp").symlink_to(victim)
    assert run(capsys, "check", "-o", "report.txt", f)[0] == 1
    assert victim.read_text(encoding="utf-8") == "precious"
    assert "SM103" in (tmp_path / "report.txt").read_text(encoding="utf-8")


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null")
def test_dev_null_as_output_stays_a_device(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # As root the atomic rename replaced /dev/null by a regular file.
    f = write(tmp_path / "broken.yaml", DEAD_END)
    before = os.stat("/dev/null")
    assert run(capsys, "check", f, "-o", "/dev/null")[0] == 1
    assert run(capsys, "schema", "-o", "/dev/null")[0] == 0
    assert run(capsys, "render", f, "--format", "dot", "-o", "/dev/null")[:2] == (
        0, "wrote /dev/null\n")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="no /dev/stdout")
@pytest.mark.parametrize("to_file", [False, True])
def test_dev_stdout_as_output(tmp_path: Path, to_file: bool) -> None:
    # It failed for users (a temporary file in /dev) and, as root, replaced /dev/stdout.
    write(tmp_path / "broken.yaml", DEAD_END)
    link = os.readlink("/dev/stdout")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("GITHUB_ACTIONS", None)
    argv = [sys.executable, "-m", "servicemap", "check", "broken.yaml", "-o", "/dev/stdout"]
    if to_file:
        with (tmp_path / "out.txt").open("w", encoding="utf-8") as out:
            proc = subprocess.run(argv, stdout=out, stderr=subprocess.PIPE, text=True, env=env,
                                  cwd=tmp_path, check=False, timeout=60)
        stdout = (tmp_path / "out.txt").read_text(encoding="utf-8")
    else:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path,
                              check=False, timeout=60)
        stdout = proc.stdout
    assert proc.returncode == 1, proc.stderr
    assert stdout.splitlines()[0].startswith("broken.yaml:3:3: SM102 [error]")
    assert stdout.splitlines()[-1] == ("2 errors, 0 warnings in 1 file (report written to "
                                       "/dev/stdout)")
    assert os.readlink("/dev/stdout") == link


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_check_folder_with_fifo_and_bad_links_in_a_process(tmp_path: Path) -> None:
    # A FIFO hung the run forever; a dangling link aborted it with status 2.
    write(tmp_path / "maps" / "broken.yaml", DEAD_END)
    os.mkfifo(tmp_path / "maps" / "pipe.yaml")
    (tmp_path / "maps" / "gone.yaml").symlink_to("nowhere.yaml")
    (tmp_path / "maps" / "loop.yaml").symlink_to("loop.yaml")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run([sys.executable, "-m", "servicemap", "check", "maps"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
                          timeout=60)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split(": ")[0] for line in lines[:-1]] == [
        "maps/broken.yaml:3:3", "maps/broken.yaml:4:5", "maps/gone.yaml:1:1",
        "maps/loop.yaml:1:1"]
    assert "cannot read: No such file or directory" in lines[2]
    assert lines[-1] == "4 errors, 0 warnings in 3 files"


@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif", "junit"])
def test_report_file_for_a_name_that_is_not_utf8(
        fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `check -o FILE` wrote the report as strict UTF-8: status 2 for such a name.
    name = os.fsdecode(b"caf\xe9.yaml")
    try:
        (tmp_path / name).write_text(DEAD_END, encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system takes only UTF-8 names")
    status, _, err = run(capsys, "check", "--format", fmt, "-o", "report.out", name)
    assert (status, err) == (1, "")
    report = (tmp_path / "report.out").read_bytes()
    if fmt in ("text", "github"):
        assert b"caf\\xe9.yaml" in report
    report.decode("utf-8")
    assert run(capsys, "check", "--format", fmt, name)[0] == 1  # to standard output too


def test_user_text_on_standard_error_is_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = "m\x1b]0;pwned\x07\nmaps/a.yaml:1:1: SM999 [error] forged.yaml"
    for argv in (["check", evil], ["render", evil], ["analyze", evil], ["rules", evil],
                 ["check", "--select", evil, "."]):
        status, _, err = run(capsys, *argv)
        assert status == 2, argv
        assert_one_line_error(err)
        assert "\x1b" not in err and "\x07" not in err
        assert "\\x1b]0;pwned\\x07\\nmaps/a.yaml:1:1: SM999" in err
    write(tmp_path / "empty" / "x.txt", "")
    os.rename(tmp_path / "empty", tmp_path / "e\x1b[2J")
    status, _, err = run(capsys, "check", "e\x1b[2J")
    assert status == 0 and err.startswith("servicemap: warning: no map files")
    assert "e\\x1b[2J" in err and "\x1b" not in err


def test_render_and_analyze_messages_escape_file_names(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        fake_render: list[dict[str, Any]]) -> None:
    bad = write(tmp_path / "bad\x1b[31m.yaml", "name: [\n")
    for command in ("render", "analyze"):
        status, _, err = run(capsys, command, bad)
        assert status == 1
        assert "\x1b" not in err
        assert "bad\\x1b[31m.yaml does not load" in err
    broken = write(tmp_path / "broken\x1b[31m.yaml", DEAD_END)
    status, out, err = run(capsys, "render", broken)
    assert status == 0
    assert "\x1b" not in out + err
    assert "broken\\x1b[31m.yaml: 2 errors" in err


def test_analyze_text_output_escapes_the_map_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "m.yaml", CLEAN.replace("name: Clean", 'name: "Clean\\e]0;pwned\\a"'))
    status, out, err = run(capsys, "analyze", f)
    assert (status, err) == (0, "")
    assert out.startswith("Analysis of Clean\\x1b]0;pwned\\x07\n")
    assert not any(c in out for c in "\x1b\x07")
    assert json.loads(run(capsys, "analyze", f, "--format", "json")[1])["name"] == \
        "Clean\x1b]0;pwned\x07"  # machine formats carry the text as it is


def test_render_timeout_option(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               fake_render: list[dict[str, Any]]) -> None:
    f = write(tmp_path / "clean.yaml", CLEAN)
    assert run(capsys, "render", f)[0] == 0
    assert run(capsys, "render", f, "--timeout", "2.5")[0] == 0
    assert [c["timeout"] for c in fake_render] == [60.0, 2.5]
    for bad in ("0", "-1", "nan", "inf", "1e400", "soon", "2e6"):
        status, _, err = run(capsys, "render", f, "--timeout", bad)
        assert status == 2, bad
        assert_one_line_error(err)
        assert "argument --timeout" in err


def test_render_timeout_message_names_the_option(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import servicemap.api

    def slow(*args: Any, **options: Any) -> bytes:
        raise servicemap.RenderError(f"Graphviz did not finish drawing within "
                                     f"{options['timeout']:g} s and was stopped; the map may "
                                     "be too large for this timeout (pass a larger timeout)")

    monkeypatch.setattr(servicemap.api, "render", slow)
    f = write(tmp_path / "clean.yaml", CLEAN)
    status, _, err = run(capsys, "render", f, "--timeout", "0.5")
    assert status == 2
    assert_one_line_error(err)
    assert "within 0.5 s" in err and "render --timeout SECONDS allows more than 0.5 s" in err


def test_sarif_rules_url_from_option_environment_and_project(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    f = write(tmp_path / "broken.yaml", DEAD_END)
    monkeypatch.delenv("SERVICEMAP_RULES_URL", raising=False)

    def help_uri(*options: str) -> str | None:
        status, out, _ = run(capsys, "check", "--format", "sarif", f, *options)
        assert status == 1
        rule = json.loads(out)["runs"][0]["tool"]["driver"]["rules"][0]
        return rule.get("helpUri")

    assert help_uri() is None
    (tmp_path / "pyproject.toml").write_text(
        '[tool.servicemap]\nrules-url = "https://example.org/project.html"\n', encoding="utf-8")
    assert help_uri() == "https://example.org/project.html#sm001-yaml-syntax"
    monkeypatch.setenv("SERVICEMAP_RULES_URL", "not a url")  # passed over
    assert help_uri() == "https://example.org/project.html#sm001-yaml-syntax"
    monkeypatch.setenv("SERVICEMAP_RULES_URL", "https://example.org/env.html")
    assert help_uri() == "https://example.org/env.html#sm001-yaml-syntax"
    assert help_uri("--rules-url", "https://example.org/cli.html#x") == \
        "https://example.org/cli.html#sm001-yaml-syntax"
    status, _, err = run(capsys, "check", f, "--format", "sarif", "--rules-url", "docs/rules.md")
    assert status == 2
    assert_one_line_error(err)
    assert "argument --rules-url" in err


def test_sigterm_is_handled_like_ctrl_c_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    # SIGTERM mid-write: the temporary report is removed, the old report kept, status 143.
    write(tmp_path / "broken.yaml", DEAD_END)
    (tmp_path / "report.txt").write_text("old report", encoding="utf-8")
    code = """
import os, signal, sys, time
import servicemap.atomic as atomic
from servicemap.cli import main

real = atomic._write_all

def slow(fd, data):
    real(fd, data[:10])
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(30)  # the handler interrupts this
    real(fd, data[10:])

atomic._write_all = slow
sys.exit(main(["check", "broken.yaml", "-o", "report.txt"]))
"""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=tmp_path, check=False, timeout=20)
    assert proc.returncode == 143, proc.stderr
    assert proc.stderr == "servicemap: terminated\n"
    assert (tmp_path / "report.txt").read_text(encoding="utf-8") == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.yaml", "report.txt"]


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="no SIGTERM here")
def test_main_restores_the_sigterm_handler(capsys: pytest.CaptureFixture[str]) -> None:
    before = signal.getsignal(signal.SIGTERM)
    assert main(["rules"]) == 0
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.parametrize("command", ["check", "analyze", "render"])
def test_endless_standard_input_is_refused_not_read_to_the_end(
        command: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # `servicemap check - < /dev/zero` (or `yes |`) read until the memory ran out.
    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            buffer[:] = b"y" * len(buffer)
            return len(buffer)

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Endless())))
    status, out, err = run(capsys, command, "-")
    assert status == 1
    assert "<stdin>:1:1: SM001 [error] yaml-syntax: the file is larger than 32 MiB: refused" \
        in out + err


def test_analyze_text_output_keeps_newlines_in_map_text_from_forging_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    forged = "x\\nmaps/a.yaml:1:1: SM999 [error] forged"
    text = f"""\
name: "Clean{forged}"
steps:
  - {{id: start, kind: terminator, next: d}}
  - id: d
    kind: decision
    next:
      - {{to: end, label: "ok{forged}", probability: 0.9}}
      - {{to: bad, label: "no{forged}", probability: 0.1, failure: true}}
  - {{id: end, kind: terminator}}
  - {{id: bad, kind: terminator, outcome: failure}}
"""
    f = write(tmp_path / "m.yaml", text)
    status, out, err = run(capsys, "analyze", f)
    assert (status, err) == (0, "")
    assert "SM999" in out  # the text is shown, escaped
    assert not any(line.startswith("maps/a.yaml") for line in out.splitlines()), out
    assert out.startswith("Analysis of Cleanx\\nmaps/a.yaml:1:1: SM999 [error] forged\n")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or sys.platform != "linux",
                    reason="runs a process as the user nobody, which needs root on Linux")
def test_dev_stdout_as_output_for_a_user_who_cannot_write_in_dev() -> None:
    # The temporary file went to /dev, where only root may create files: status 2.
    env = {**os.environ, "PYTHONPATH": str(SRC), "HOME": "/"}
    env.pop("GITHUB_ACTIONS", None)
    try:
        proc = subprocess.run([sys.executable, "-m", "servicemap", "check", "-", "-o",
                               "/dev/stdout"], input=DEAD_END, capture_output=True, text=True,
                              env=env, cwd="/", user=65534, group=65534, extra_groups=[],
                              check=False, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot run as nobody here: {exc}")
    if "Permission denied" in proc.stderr and "servicemap" not in proc.stderr:
        pytest.skip("the user nobody cannot read this checkout")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("<stdin>:3:3: SM102 [error]")
    assert proc.stdout.endswith("(report written to /dev/stdout)\n")


SERIES_TASKS = """\
name: Two tasks
arrivals: 3/h
steps:
  - {id: s, kind: terminator, next: a}
  - {id: a, kind: task, duration: 10min, next: b}
  - {id: b, kind: task, duration: 20min, capacity: 1, next: e}
  - {id: e, kind: terminator}
"""


def test_analyze_what_if_prints_a_before_after_table(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # b: λ = 3/h, μ = 3/h with one server is overloaded; a second server (ρ = 0.5) is not;
    # a 10 % shorter a saves 1 min of service.
    f = write(tmp_path / "tasks.yaml", SERIES_TASKS)
    status, out, err = run(capsys, "analyze", f, "--what-if", "a.duration=-10%",
                           "--what-if", "b.capacity=+1")
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "What if a.duration=-10%, b.capacity=+1 (Two tasks)"
    assert "lead time per case   unbounded" in out
    assert "max throughput       3/h        6/h" in out
    status, out, _ = run(capsys, "analyze", f, "--what-if", "b.capacity=+1", "--format", "json")
    data = json.loads(out)["what_if"]
    assert status == 0 and data["before"]["lead_time_s"] is None
    assert data["after"]["max_throughput_per_h"] == pytest.approx(6.0)


def test_analyze_what_if_into_overload_exits_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "tasks.yaml", SERIES_TASKS)
    status, out, err = run(capsys, "analyze", f, "--what-if", "b.capacity=2",
                           "--what-if", "arrivals=+100%")
    assert status == 1 and "unbounded" in out
    assert "after the changes the lead time is unbounded: step b overloaded" in err


@pytest.mark.parametrize(("change", "message"), [
    ("b.speed=2", "unknown field 'speed'"),
    ("bb.duration=-10%", "unknown step 'bb' in 'bb.duration=-10%' (did you mean 'b'?)"),
    ("b.duration=soon", "cannot read the value of 'b.duration=soon'"),
    ("b.capacity=-1", "b.capacity=-1 gives capacity 0: it must be a whole number from 1"),
    ("nothing", "cannot read the change 'nothing'"),
])
def test_analyze_what_if_usage_errors(change: str, message: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "tasks.yaml", SERIES_TASKS)
    status, out, err = run(capsys, "analyze", f, "--what-if", change)
    assert (status, out) == (2, "")
    assert_one_line_error(err)
    assert message in err and "Traceback" not in err


def test_analyze_what_if_refuses_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "tasks.yaml", SERIES_TASKS)
    status, out, err = run(capsys, "analyze", f, "--sensitivity", "--format", "csv")
    assert (status, out) == (2, "")
    assert "text or json" in err


def test_analyze_sensitivity_ranks_the_steps(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = write(tmp_path / "tasks.yaml", SERIES_TASKS.replace("arrivals: 3/h", "arrivals: 2/h"))
    status, out, _ = run(capsys, "analyze", f, "--sensitivity")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("Sensitivity of Two tasks")
    ranked = [line.split(":")[0].strip() for line in lines if line.startswith("  ")]
    assert ranked[:2] == ["b", "a"]  # b: 2 min of service and its queue wait shrink
    assert "it helps most at b" in out
    status, out, _ = run(capsys, "analyze", f, "--sensitivity", "--what-if", "a.cost=1",
                         "--format", "json")
    data = json.loads(out)
    assert status == 0 and set(data) == {"what_if", "sensitivity"}
    assert data["sensitivity"]["durations"][0]["step"] == "b"


# analyze --format json: every key documented in docs/cli.md

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

CALENDAR_MAP = """\
name: Calendar
arrivals: 40/d
calendar: {hours: {mon: 09:00-17:00, tue: 09:00-17:00}}
lanes:
  - {id: desk}
  - {id: robot, calendar: {hours: {sat: 00:00-24:00}}}
steps:
  - {id: start, kind: terminator, lane: desk, next: work}
  - {id: work, kind: task, lane: desk, duration: 5m, capacity: 1, accuracy: 0.9, cost: 1,
     next: auto}
  - {id: auto, kind: task, lane: robot, duration: 1m, next: ok}
  - id: ok
    kind: decision
    lane: desk
    next: [{to: work, label: again, probability: 0.1, failure: true},
           {to: end, label: done, probability: 0.9}]
  - {id: end, kind: terminator, lane: desk}
"""


def _paths(value: Any, at: str = "") -> set[str]:
    """Every key path of the JSON: ``steps[].id``; objects keyed by names as ``*``."""
    found = {at} if at and not at.endswith(("[]", "*")) else set()
    if isinstance(value, dict):
        named = at in ("coverage", "calendar.lanes")
        for key, item in value.items():
            found |= _paths(item, f"{at}.{'*' if named else key}" if at else key)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for item in value:
            found |= _paths(item, f"{at}[]")
    return found


def _documented() -> set[str]:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index("### The JSON of `analyze --format json`")
    section = text[start:text.index("\n### ", start + 1)]
    return {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}


def test_every_json_key_of_analyze_is_documented(capsys: pytest.CaptureFixture[str]) -> None:
    found: set[str] = set()
    for name, text in (("desk.yaml", (Path(__file__).resolve().parents[1] / "examples" /
                                      "service_desk.yaml").read_text(encoding="utf-8")),
                       ("calendar.yaml", CALENDAR_MAP),
                       ("parallel.yaml", (Path(__file__).resolve().parents[1] / "examples" /
                                          "claim_parallel.yaml").read_text(encoding="utf-8"))):
        status, out, _ = run(capsys, "analyze", write(Path(name), text), "--format", "json")
        assert status == 0
        found |= _paths(json.loads(out))
    documented = _documented()
    assert sorted(found - documented) == [], "output keys not in docs/cli.md"
    assert sorted(documented - found) == [], "docs/cli.md keys not in the output"


def test_analyze_arrivals_are_per_working_day_on_a_calendar(
        capsys: pytest.CaptureFixture[str]) -> None:
    path = write(Path("calendar.yaml"), CALENDAR_MAP)
    status, out, _ = run(capsys, "analyze", path, "--arrivals", "24/d", "--format", "json")
    assert status == 0
    # 24 cases per working day of 8 h (the map's calendar: Monday and Tuesday 09-17): 3/h
    assert json.loads(out)["summary"]["arrivals_per_h"] == pytest.approx(3.0)
    status, out, _ = run(capsys, "analyze", path, "--arrivals", "3", "--format", "json")
    assert json.loads(out)["summary"]["arrivals_per_h"] == pytest.approx(3.0)


def test_render_on_a3_says_how_to_draw_readable_pages_and_that_command_does(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    future = str(Path(__file__).resolve().parents[1] / "examples" /
                 "next_day_delivery_future.yaml")
    status, out, err = run(capsys, "render", future, "--page", "A3", "-o", "one.pdf")
    assert status == 0 and out == "wrote one.pdf\n"
    warning, = err.splitlines()
    assert re.match(r"servicemap: warning: the map on A3 is drawn at \d\d% of its size", warning)
    assert "readable" in warning and "--page A3 --split phase" in warning
    # The command it names: several pages in one PDF, none of them warned about.
    status, out, err = run(capsys, "render", future, "--page", "A3", "--split", "phase",
                           "-o", "pages.pdf")
    assert status == 0 and out == "wrote pages.pdf\n" and err == ""
    # PNG pages are files of their own, numbered from the overview.
    status, out, err = run(capsys, "render", future, "--split", "phase", "-o", "p.png")
    written = [line.removeprefix("wrote ") for line in out.splitlines()]
    assert status == 0 and err == "" and len(written) >= 4
    assert written == [f"p-{k}.png" for k in range(1, len(written) + 1)]
    assert sorted(p.name for p in tmp_path.glob("p-*.png")) == sorted(written)
