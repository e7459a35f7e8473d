"""Tests of finding the maps to check: folder searches, excludes, .gitignore, named files."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from servicemap.checking import check_files, collect_files, is_excluded, looks_like_map
from servicemap.config import ConfigError
from servicemap.problems import Problem

MAP = """\
name: A map
steps:
  - {id: start, kind: terminator, next: end}
  - {id: end, kind: terminator}
"""

BROKEN = """\
name: Broken
steps:
  - {id: start, kind: terminator, next: record}
  - {id: record, kind: task}
"""


@pytest.fixture(autouse=True)
def _in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)


def touch(path: Path, text: str = MAP) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def found(*paths: str | Path, force_exclude: bool = False) -> list[str]:
    return [f.as_posix() for f in collect_files(paths, force_exclude=force_exclude)]


# what counts as a map in a folder search


@pytest.mark.parametrize(("text", "is_map"), [
    (MAP, True),
    ("servicemap: 1\nname: x\n", True),
    ('"steps": []\n', True),
    ("\ufeffsteps:\n  - {id: a, kind: terminator}\n", True),
    ("name: x\r\nsteps:\r\n  - {id: a, kind: terminator}\r\n", True),
    ("services:\n  web:\n    image: nginx\n", False),
    ("jobs:\n  build:\n    steps:\n      - run: make\n", False),  # steps, but not top-level
    ("# steps: none\nname: x\n", False),
    ("{name: x, steps: []}\n", False),  # flow style: documented as not recognised
])
def test_looks_like_map(text: str, is_map: bool, tmp_path: Path) -> None:
    touch(tmp_path / "f.yaml", text)
    assert looks_like_map(tmp_path / "f.yaml") is is_map


def test_folder_search_skips_yaml_that_is_not_a_map(tmp_path: Path) -> None:
    touch(tmp_path / "maps" / "a.yaml")
    touch(tmp_path / "maps" / "settings.yaml", "name: x\nretries: 3\n")
    touch(tmp_path / "maps" / "workflow.yml", "jobs:\n  build:\n    steps: []\n")
    touch(tmp_path / "maps" / "notes.txt", "steps: not yaml by suffix\n")
    assert found("maps") == ["maps/a.yaml"]


def test_default_excludes_skip_tool_folders_and_files(tmp_path: Path) -> None:
    touch(tmp_path / "a.yaml")
    for skipped in [".venv/m.yaml", "venv/m.yaml", "node_modules/p/m.yaml", "build/m.yaml",
                    "dist/m.yaml", "__pycache__/m.yaml", ".hidden/m.yaml", "sub/build/m.yaml",
                    ".github/workflows/m.yaml", "docker-compose.yml", "compose.yaml",
                    "mkdocs.yml", ".gitlab-ci.yml", "environment.yml", "pnpm-lock.yaml",
                    ".pre-commit-config.yaml"]:
        touch(tmp_path / skipped)  # each a map by its content, so only the exclude skips it
    assert found(".") == ["a.yaml"]


def test_named_files_are_checked_even_if_excluded(tmp_path: Path) -> None:
    touch(tmp_path / "build" / "m.yaml")
    touch(tmp_path / "docker-compose.yml", "services: {}\n")
    assert found("build/m.yaml", "docker-compose.yml") == ["build/m.yaml", "docker-compose.yml"]


def test_force_exclude_applies_the_patterns_to_named_paths(tmp_path: Path) -> None:
    touch(tmp_path / "build" / "m.yaml")
    touch(tmp_path / "maps" / "a.yaml")
    assert found("build/m.yaml", "maps/a.yaml", "build", force_exclude=True) == ["maps/a.yaml"]
    assert is_excluded("build/m.yaml")
    assert not is_excluded("maps/a.yaml")


def test_a_named_folder_that_is_excluded_is_searched(tmp_path: Path) -> None:
    touch(tmp_path / "build" / "m.yaml")
    touch(tmp_path / "build" / "node_modules" / "n.yaml")
    assert found("build") == ["build/m.yaml"]


def test_results_keep_the_path_as_given(tmp_path: Path) -> None:
    touch(tmp_path / "maps" / "sub" / "b.yaml")
    touch(tmp_path / "maps" / "a.yaml")
    assert found("maps", "maps/a.yaml") == ["maps/a.yaml", "maps/sub/b.yaml"]
    assert found(tmp_path / "maps") == [(tmp_path / "maps" / n).as_posix()
                                        for n in ("a.yaml", "sub/b.yaml")]


def test_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope"):
        collect_files(["nope"])


# [tool.servicemap] exclude and extend-exclude


def test_extend_exclude_is_relative_to_the_pyproject_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.servicemap]\nextend-exclude = ["/maps/old.yaml", "drafts/"]\n', encoding="utf-8")
    for name in ("maps/old.yaml", "maps/new.yaml", "maps/sub/old.yaml", "maps/drafts/d.yaml"):
        touch(tmp_path / name)
    expected = ["maps/new.yaml", "maps/sub/old.yaml"]
    assert found("maps") == expected
    monkeypatch.chdir(tmp_path / "maps")  # the anchor is the pyproject's folder, not the cwd
    assert found(".") == ["new.yaml", "sub/old.yaml"]
    monkeypatch.chdir(tmp_path.parent)
    assert found(tmp_path / "maps") == [(tmp_path / p).as_posix() for p in expected]


def test_exclude_replaces_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.servicemap]\nexclude = ["old/"]\n',
                                             encoding="utf-8")
    touch(tmp_path / "build" / "m.yaml")
    touch(tmp_path / "old" / "m.yaml")
    assert found(".") == ["build/m.yaml"]


def test_a_nested_pyproject_governs_its_subtree(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.servicemap]\nextend-exclude = ["x.yaml"]\n',
                                             encoding="utf-8")
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "pyproject.toml").write_text(
        '[tool.servicemap]\nextend-exclude = ["/y.yaml"]\n', encoding="utf-8")
    for name in ("x.yaml", "y.yaml", "team/x.yaml", "team/y.yaml"):
        touch(tmp_path / name)
    assert found(".") == ["team/x.yaml", "y.yaml"]


def test_a_malformed_nested_pyproject_is_an_error(tmp_path: Path) -> None:
    touch(tmp_path / "team" / "a.yaml")
    (tmp_path / "team" / "pyproject.toml").write_text("[tool.servicemap]\nexclud = []\n",
                                                      encoding="utf-8")
    with pytest.raises(ConfigError, match="exclud"):
        collect_files(["."])


# .gitignore


def test_gitignore_at_the_root_and_nested(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("generated/\n*.draft.yaml\n", encoding="utf-8")
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / ".gitignore").write_text("local.yaml\n!keep.draft.yaml\n",
                                                  encoding="utf-8")
    for name in ("a.yaml", "generated/g.yaml", "b.draft.yaml", "local.yaml", "maps/local.yaml",
                 "maps/c.draft.yaml", "maps/keep.draft.yaml", "maps/m.yaml"):
        touch(tmp_path / name)
    assert found(".") == ["a.yaml", "local.yaml", "maps/keep.draft.yaml", "maps/m.yaml"]


def test_respect_gitignore_false(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.servicemap]\nrespect-gitignore = false\n",
                                             encoding="utf-8")
    (tmp_path / ".gitignore").write_text("generated/\n", encoding="utf-8")
    touch(tmp_path / "generated" / "g.yaml")
    assert found(".") == ["generated/g.yaml"]


def test_the_work_tree_top_gitignore_applies_below_it(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("maps/generated/\n", encoding="utf-8")
    touch(tmp_path / "maps" / "a.yaml")
    touch(tmp_path / "maps" / "generated" / "g.yaml")
    assert found("maps") == ["maps/a.yaml"]
    os.chdir(tmp_path / "maps")
    assert found(".") == ["a.yaml"]


def test_gitignores_above_the_search_count_only_inside_a_work_tree(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("generated/\n", encoding="utf-8")
    touch(tmp_path / "maps" / "generated" / "g.yaml")
    assert found("maps") == ["maps/generated/g.yaml"]  # no .git: tmp_path's file is not ours
    assert found(".") == []  # but the searched folder's own .gitignore counts


def test_named_files_ignore_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.yaml\n", encoding="utf-8")
    touch(tmp_path / "a.yaml")
    assert found(".") == []
    assert found("a.yaml") == ["a.yaml"]


def test_an_invalid_gitignore_line_is_skipped(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("!\nskipped.yaml\n", encoding="utf-8")
    touch(tmp_path / "a.yaml")
    touch(tmp_path / "skipped.yaml")
    assert found(".") == ["a.yaml"]


# check_files


def test_check_files_checks_what_the_search_finds(tmp_path: Path) -> None:
    touch(tmp_path / "broken.yaml", BROKEN)
    touch(tmp_path / "docker-compose.yml", "services: {}\n")
    touch(tmp_path / "build" / "broken.yaml", BROKEN)
    result = check_files(["."])
    assert result.files == 1
    assert {p.file for p in result.problems} == {"broken.yaml"}
    assert check_files(["build/broken.yaml"]).files == 1
    assert check_files(["build/broken.yaml"], force_exclude=True).files == 0


# hostile file systems (issue 8): special files and unreadable names

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


def _codes(problems: list[Problem]) -> list[tuple[str, str, int | None, int | None, str]]:
    return [(Path(p.file or "").name, p.code, p.line, p.column, p.message) for p in problems]


@needs_fifo
def test_folder_search_skips_a_fifo_named_like_a_map(tmp_path: Path) -> None:
    # A FIFO named *.yaml hung `check maps/` forever (looks_like_map read it).
    touch(tmp_path / "maps" / "a.yaml")
    os.mkfifo(tmp_path / "maps" / "pipe.yaml")
    assert found("maps") == ["maps/a.yaml"]


@needs_fifo
def test_a_named_fifo_is_a_located_problem(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    touch(tmp_path / "a.yaml", BROKEN)
    result = check_files(["pipe.yaml", "a.yaml"])
    assert result.files == 2
    assert ("pipe.yaml", "SM001", 1, 1, "not a regular file: it is a FIFO (named pipe)") in \
        _codes(result.problems)
    assert any(p.code == "SM103" for p in result.problems)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_a_located_problem_not_a_memory_error() -> None:
    result = check_files(["/dev/zero"])
    assert _codes(result.problems) == [
        ("zero", "SM001", 1, 1, "not a regular file: it is a character device")]


def test_one_bad_link_does_not_hide_the_other_maps(tmp_path: Path) -> None:
    # A dangling link or a loop of links aborted the run (exit 2) and hid every problem.
    touch(tmp_path / "maps" / "a.yaml", BROKEN)
    touch(tmp_path / "maps" / "b.yaml")
    (tmp_path / "maps" / "dangling.yaml").symlink_to("nowhere.yaml")
    (tmp_path / "maps" / "loop.yaml").symlink_to("loop.yaml")
    result = check_files(["maps"])
    assert result.files == 4
    got = _codes(result.problems)
    assert ("dangling.yaml", "SM001", 1, 1, "cannot read: No such file or directory (a "
            "symbolic link to 'nowhere.yaml', which cannot be followed)") in got
    assert [g[:4] for g in got if g[0] == "loop.yaml"] == [("loop.yaml", "SM001", 1, 1)]
    assert "cannot read: " in next(g[4] for g in got if g[0] == "loop.yaml")
    assert any(g[:2] == ("a.yaml", "SM103") for g in got)


def test_named_dangling_link_is_a_problem_not_a_missing_path(tmp_path: Path) -> None:
    (tmp_path / "gone.yaml").symlink_to("nowhere.yaml")
    assert found("gone.yaml") == ["gone.yaml"]
    assert _codes(check_files(["gone.yaml"]).problems)[0][:4] == ("gone.yaml", "SM001", 1, 1)


def test_force_exclude_copes_with_a_loop_of_links(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    assert found("loop.yaml", force_exclude=True) == ["loop.yaml"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_unreadable_file_is_a_problem_and_the_rest_is_checked(tmp_path: Path) -> None:
    touch(tmp_path / "maps" / "a.yaml", BROKEN)
    secret = tmp_path / "maps" / "secret.yaml"
    touch(secret)
    secret.chmod(0)
    try:
        result = check_files(["maps"])
    finally:
        secret.chmod(0o644)
    got = _codes(result.problems)
    assert ("secret.yaml", "SM001", 1, 1, "cannot read: Permission denied") in got
    assert any(g[:2] == ("a.yaml", "SM103") for g in got)


def test_unreadable_file_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs as root too: the open of one file fails as chmod 000 makes it fail for others.
    touch(tmp_path / "maps" / "a.yaml", BROKEN)
    touch(tmp_path / "maps" / "secret.yaml")
    real_open = os.open

    def deny(path: str, flags: int, *args: int) -> int:
        if str(path).endswith("secret.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", deny)
    result = check_files(["maps"])
    assert result.files == 2
    got = _codes(result.problems)
    assert ("secret.yaml", "SM001", 1, 1, "cannot read: Permission denied") in got
    assert any(g[:2] == ("a.yaml", "SM103") for g in got)


@needs_fifo
def test_fifos_named_gitignore_or_pyproject_do_not_hang_the_search(tmp_path: Path) -> None:
    touch(tmp_path / "maps" / "sub" / "a.yaml")
    os.mkfifo(tmp_path / "maps" / ".gitignore")
    os.mkfifo(tmp_path / "maps" / "sub" / "pyproject.toml")
    done: list[list[str]] = []
    search = threading.Thread(target=lambda: done.append(found("maps")), daemon=True)
    search.start()
    search.join(10)
    for fifo in (tmp_path / "maps" / ".gitignore", tmp_path / "maps" / "sub" / "pyproject.toml"):
        if search.is_alive():  # let a stuck reader go before failing
            with open(fifo, "wb"):
                pass
    assert done == [["maps/sub/a.yaml"]]


JOIN_OF_TWO_FORKS = """\
name: n
steps:
  - {id: s, kind: terminator, next: f}
  - {id: f, kind: parallel, next: [g, c]}
  - {id: g, kind: parallel, next: [a, b]}
  - {id: a, kind: task, next: j}
  - {id: b, kind: task, next: j}
  - {id: c, kind: task, next: j}
  - {id: j, kind: parallel, next: e}
  - {id: e, kind: terminator}
"""


def test_rule_options_from_the_project_reach_the_rules(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The map has 13 states (tests/flow/test_soundness.py counts them): the default budget of
    100,000 decides it; a project budget of 5 runs out, and SM114 says so with that number,
    in the API and on the command line."""
    from servicemap.api import check
    from servicemap.cli import main

    path = tmp_path / "map.yaml"
    path.write_text(JOIN_OF_TWO_FORKS, encoding="utf-8")
    assert check(path) == []
    (tmp_path / "pyproject.toml").write_text(
        "[tool.servicemap.rules.soundness-undecided]\nmax-states = 5\n", encoding="utf-8")
    (problem,) = check(path)
    assert problem.code == "SM114" and "within 5 states" in problem.message
    assert (problem.line, problem.column) == (9, 5)  # step j
    assert main(["check", "--strict", str(path)]) == 1
    assert "within 5 states" in capsys.readouterr().out
    (tmp_path / "pyproject.toml").write_text(
        "[tool.servicemap.rules.soundness-undecided]\nmax-states = 13\n", encoding="utf-8")
    assert check(path) == []  # 13 states fit a budget of 13


def test_bad_rule_option_is_a_usage_error(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from servicemap.cli import main

    path = tmp_path / "map.yaml"
    path.write_text(JOIN_OF_TWO_FORKS, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.servicemap.rules.SM114]\nmax-states = 'lots'\n", encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml:2:1: tool.servicemap.rules.SM114.max-states must be an integer" in err


def test_check_loads_no_drawing_and_no_network_code(tmp_path: Path) -> None:
    """`servicemap check` of a BPMN file starts without the drawing and layout stages, the
    folder-search patterns (pathspec) and xml.sax's urllib/http/ssl (benchmarks/bpmn_bench.py
    times the start-up); `render` still finds them when it needs them."""
    import subprocess
    import sys

    path = tmp_path / "m.bpmn"
    path.write_bytes(b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">'
                     b'<process id="p"><startEvent id="s"/><endEvent id="e"/>'
                     b'<sequenceFlow id="f" sourceRef="s" targetRef="e"/></process>'
                     b'</definitions>')
    script = ("import sys\nfrom servicemap.cli import main\n"
              f"status = main(['check', {str(path)!r}])\n"
              "heavy = ('servicemap.drawing', 'servicemap.layout', 'servicemap.analysis',\n"
              "         'pathspec', 'urllib.request', 'http.client', 'ssl', 'xml.sax')\n"
              "print(status, sorted(m for m in sys.modules if m.startswith(heavy)))\n"
              "from servicemap.api import RenderWarning, page_paths\n"
              "print(RenderWarning.__module__, page_paths.__module__)\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert run.stdout.splitlines()[1:] == [
        "0 []", "servicemap.drawing.pages servicemap.drawing.pages"]
