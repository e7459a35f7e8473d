"""Tests of the project configuration: the ``[tool.servicemap]`` table of ``pyproject.toml``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from servicemap.config import (
    DEFAULT_EXCLUDE,
    KEYS,
    MAX_CONFIG_BYTES,
    Config,
    ConfigError,
    find_config,
)


def pyproject(folder: Path, table: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(f"[tool.servicemap]\n{table}\n", encoding="utf-8")
    return path


def test_no_configuration_gives_the_defaults(tmp_path: Path) -> None:
    config = find_config(tmp_path)
    assert (config.path, config.root) == (None, None)
    assert config.exclude == DEFAULT_EXCLUDE
    assert config.extend_exclude == ()
    assert config.respect_gitignore is True


def test_exclude_keys_are_read(tmp_path: Path) -> None:
    path = pyproject(tmp_path, 'exclude = ["old/"]\nextend-exclude = ["drafts/", "*.tmp.yaml"]\n'
                               "respect-gitignore = false")
    config = find_config(tmp_path / "maps" / "a.yaml")
    assert config.path == path.resolve()
    assert config.root == tmp_path.resolve()
    assert config.exclude == ("old/",)
    assert config.extend_exclude == ("drafts/", "*.tmp.yaml")
    assert config.respect_gitignore is False


def test_exclude_replaces_the_defaults_and_extend_exclude_adds_to_them(tmp_path: Path) -> None:
    pyproject(tmp_path, 'exclude = ["old/"]')
    replaced = find_config(tmp_path).exclude_spec()
    assert replaced.match_file("old/a.yaml")
    assert not replaced.match_file("build/a.yaml")
    pyproject(tmp_path, 'extend-exclude = ["old/"]')
    extended = find_config(tmp_path).exclude_spec()
    assert extended.match_file("old/a.yaml")
    assert extended.match_file("build/a.yaml")


@pytest.mark.parametrize("path", [
    ".venv/", ".git/", ".tox/", "venv/", "node_modules/", "build/", "dist/", "__pycache__/",
    "maps/build/", ".github/workflows/ci.yaml", ".pre-commit-config.yaml",
    ".pre-commit-hooks.yaml", "docker-compose.yml", "deploy/docker-compose.prod.yaml",
    "compose.yaml", "compose.override.yml", "mkdocs.yml", ".gitlab-ci.yml", "environment.yml",
    "pnpm-lock.yaml",
])
def test_default_exclude_covers_tools_folders_and_files(path: str) -> None:
    assert Config().exclude_spec().match_file(path)


@pytest.mark.parametrize("path", [
    "maps/delivery.yaml", "composed-orders.yaml", "compose-orders.yaml", "builds/a.yaml",
    "distribution.yaml", "build.yaml",
])
def test_default_exclude_leaves_maps_alone(path: str) -> None:
    assert not Config().exclude_spec().match_file(path)


def test_unknown_key_lists_every_known_key(tmp_path: Path) -> None:
    pyproject(tmp_path, 'excludes = ["old/"]')
    with pytest.raises(ConfigError) as info:
        find_config(tmp_path)
    message = str(info.value)
    assert "excludes" in message
    assert str(tmp_path / "pyproject.toml") in message
    assert all(key in message for key in KEYS)
    assert {"exclude", "extend-exclude", "respect-gitignore"} <= set(KEYS)


@pytest.mark.parametrize(("table", "words"), [
    ("exclude = 3", ["tool.servicemap.exclude", "patterns"]),
    ('extend-exclude = ["ok/", 4]', ["tool.servicemap.extend-exclude", "patterns"]),
    ('extend-exclude = ["!"]', ["tool.servicemap.extend-exclude", "'!'"]),
    ('respect-gitignore = "yes"', ["respect-gitignore", "true or false"]),
    ('levels = {dead-end = "loud"}', ["levels", "'off'"]),
    ("select = [1]", ["tool.servicemap.select", "rule codes"]),
    ('rules-url = "docs/rules.md"', ["tool.servicemap.rules-url", "absolute https"]),
    ("rules-url = 3", ["tool.servicemap.rules-url", "absolute https"]),
])
def test_malformed_values_are_named(table: str, words: list[str], tmp_path: Path) -> None:
    pyproject(tmp_path, table)
    with pytest.raises(ConfigError) as info:
        find_config(tmp_path)
    assert all(word in str(info.value) for word in words), str(info.value)


def test_a_single_pattern_string_is_a_list_of_one(tmp_path: Path) -> None:
    pyproject(tmp_path, 'extend-exclude = "drafts/"')
    assert find_config(tmp_path).extend_exclude == ("drafts/",)


def test_the_nearest_table_wins_and_files_without_one_are_passed(tmp_path: Path) -> None:
    pyproject(tmp_path, 'extend-exclude = ["outer/"]')
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert find_config(tmp_path / "a" / "m.yaml").extend_exclude == ("outer/",)
    (tmp_path / "a" / "b").mkdir()
    pyproject(tmp_path / "a" / "b", 'extend-exclude = ["inner/"]')
    assert find_config(tmp_path / "a" / "b" / "m.yaml").extend_exclude == ("inner/",)


def test_unreadable_toml_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.servicemap\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        find_config(tmp_path)


def test_rules_url_is_read(tmp_path: Path) -> None:
    pyproject(tmp_path, 'rules-url = "https://example.org/docs/rules.html"')
    assert find_config(tmp_path).rules_url == "https://example.org/docs/rules.html"
    assert "rules-url" in KEYS
    assert Config().rules_url is None


def test_a_loop_of_links_does_not_stop_the_search(tmp_path: Path) -> None:
    # Path.resolve raised RuntimeError on a loop before Python 3.13 ("internal error").
    pyproject(tmp_path, 'ignore = ["SM108"]')
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    assert find_config(tmp_path / "loop.yaml").ignore == ("SM108",)


def test_oversized_or_undecodable_pyproject_is_a_config_error(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.mkdir()
    with (big / "pyproject.toml").open("wb") as fh:
        fh.truncate(MAX_CONFIG_BYTES + 1)  # sparse
    with pytest.raises(ConfigError, match=r"larger than the 16 MiB a pyproject\.toml may be"):
        find_config(big)
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.servicemap]\nselect = ['\xff']\n")
    with pytest.raises(ConfigError, match="cannot read"):
        find_config(tmp_path)


def test_rule_options_are_read_by_rule_name_or_code(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.servicemap]\nselect = ['SM1']\n\n"
                    "[tool.servicemap.rules.soundness-undecided]\nmax-states = 200000\n",
                    encoding="utf-8")
    config = find_config(tmp_path)
    assert config.options == {"SM114": {"max-states": 200_000}}
    assert config.rule_options() == {"max-states": 200_000}
    path.write_text("[tool.servicemap]\nrules = {SM114 = {max-states = 7}}\n", encoding="utf-8")
    assert find_config(tmp_path).options == {"SM114": {"max-states": 7}}
    assert Config().rule_options() == {}


def test_bad_rule_options_are_all_reported_where_they_are(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(  # line numbers below count from here
        "[tool.servicemap]\n"                            # 1
        "select = ['SM1']\n"                             # 2
        "\n"                                             # 3
        "[tool.servicemap.rules.soundness-undecided]\n"  # 4
        "max-states = 0\n"                               # 5
        "  max-state = 10\n"                             # 6
        "\n"                                             # 7
        "[tool.servicemap.rules.dead-end]\n"             # 8
        "limit = 3\n"                                    # 9
        "\n"                                             # 10
        "[tool.servicemap.rules.no-such-rule]\n"         # 11
        "x = 1\n", encoding="utf-8")                     # 12
    with pytest.raises(ConfigError) as info:
        find_config(tmp_path)
    lines = str(info.value).splitlines()
    assert lines == [
        f"{path}:5:1: tool.servicemap.rules.soundness-undecided.max-states must be an integer "
        "of at least 1, not 0",
        f"{path}:6:3: tool.servicemap.rules.soundness-undecided: rule SM114 "
        "soundness-undecided has no option 'max-state' (its options: max-states)",
        f"{path}:9:1: tool.servicemap.rules.dead-end: rule SM103 dead-end has no option "
        "'limit' (it takes no options)",
        f"{path}:11:24: tool.servicemap.rules: unknown rule 'no-such-rule'; see "
        "'servicemap rules'",
    ]


@pytest.mark.parametrize(("value", "shown"), [
    ('"many"', "'many'"), ("true", "True"), ("1.5", "1.5"), ("-3", "-3"), ("[1]", "[1]")])
def test_rule_option_values_keep_their_type(value: str, shown: str, tmp_path: Path) -> None:
    pyproject(tmp_path, f"rules = {{soundness-undecided = {{max-states = {value}}}}}")
    with pytest.raises(ConfigError,
                       match=rf"must be an integer of at least 1, not {re.escape(shown)}$"):
        find_config(tmp_path)


@pytest.mark.parametrize(("table", "where"), [("rules = 3", "2:1"),
                                              ("rules = {dead-end = 3}", "2:10")])
def test_rules_must_be_tables(table: str, where: str, tmp_path: Path) -> None:
    pyproject(tmp_path, table)  # line 1 is [tool.servicemap]; columns count from 1
    with pytest.raises(ConfigError, match=rf"pyproject.toml:{where}: tool.servicemap.rules.* "
                                          r"must be a table"):
        find_config(tmp_path)
