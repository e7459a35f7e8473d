"""Tests of the check report formats: text, JSON, GitHub, SARIF and JUnit.

The JUnit and SARIF reports of real check runs are validated against the
published schemas kept in ``tests/data/schemas`` (see its README), offline.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import xmlschema
from jsonschema import FormatChecker
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from referencing import Registry, Resource

from servicemap.checking import check_files
from servicemap.problems import Problem, printable
from servicemap.reports import (
    FINGERPRINT_KEY,
    FORMATS,
    RULES_URL_ENV,
    fingerprint,
    format_github,
    format_json,
    format_junit,
    format_sarif,
    format_text,
    relative_uri,
    rules_reference_url,
)
from servicemap.rules import RULES

SCHEMAS = Path(__file__).parent / "data" / "schemas"
RULES_MD = Path(__file__).parents[1] / "docs" / "rules.md"

DEAD_END = Problem("SM103", "dead-end", "error", "step 'notify' has no outgoing flow",
                   "maps/delivery.yaml", 42, 11, "notify")
NO_START = Problem("SM101", "no-start", "error", "the map has no start", "maps/delivery.yaml",
                   3, 1, None)
SELF_LOOP = Problem("SM108", "self-loop", "warning", "step 'a' flows to itself", "maps/a.yaml",
                    7, 5, "a")
PROBLEMS = [DEAD_END, SELF_LOOP, NO_START]

HOSTILE_TEXT = ("<b>&amp;</b> \"double\" 'single' ]]> --> \x00nul \x07bell \x1b[31mred\x1b[0m "
                "\r\nnext line\ttab \x7f\x85 \ufffe\uffff caf\udce9 é 🚚 עברית")
"""Markup, control characters (some XML cannot hold), quotes and unicode, lone surrogate too."""


# --- maps checked for the end-to-end reports ---------------------------------------------

CLEAN = """\
name: Clean
steps:
  - {id: start, kind: terminator, next: work}
  - {id: work, kind: task, next: done}
  - {id: done, kind: terminator}
"""

BROKEN = """\
name: Broken
steps:
  - {id: start, kind: terminator, next: record}
  - {id: record, kind: task}
  - {id: loop, kind: task, next: [loop, done]}
  - {id: done, kind: terminator}
"""

LANES = """\
name: Lanes
lanes:
  - {id: desk, label: Desk, layer: onstage}
steps:
  - {id: start, kind: terminator, next: work, lane: desk}
  - {id: work, kind: task, next: done}
  - {id: done, kind: terminator, lane: desk}
"""

HOSTILE_MAP = """\
name: "Hostile <&> \\"quotes\\" 'single'"
steps:
  - {id: start, kind: terminator, next: "<b>&amp;\\"x\\"\\e[31m ]]> \\a\\0 é 🚚 עברית"}
  - {id: done, kind: terminator}
"""

SCENARIOS: dict[str, dict[str, str | bytes]] = {
    "clean": {"maps/clean.yaml": CLEAN, "maps/more/clean.yml": CLEAN},
    "errors-and-warnings": {"maps/clean.yaml": CLEAN, "maps/broken.yaml": BROKEN,
                            "lanes.yaml": LANES},
    "does-not-load": {"ok.yaml": CLEAN, "bad.yaml": "name: Bad\nsteps: [\n",
                      "binary.yaml": b"\x00\x01\xff\xfe", "empty.yaml": ""},
    "hostile": {"a&b <c> 'd' \"e\".yaml": HOSTILE_MAP, "ok.yaml": CLEAN},
}


def run_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              files: dict[str, str | bytes]) -> tuple[list[Problem], list[str]]:
    """Write the maps below ``tmp_path``, make it the working directory and check them."""
    monkeypatch.chdir(tmp_path)
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    names = list(files)
    return check_files(names).problems, names


@pytest.fixture(params=sorted(SCENARIOS))
def scenario(request: pytest.FixtureRequest, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[Problem], list[str]]:
    """Each scenario's name, the problems its check run found and the files checked."""
    name: str = request.param
    problems, names = run_check(tmp_path, monkeypatch, SCENARIOS[name])
    return name, problems, names


def test_scenarios_find_what_they_are_meant_to(
        scenario: tuple[str, list[Problem], list[str]]) -> None:
    name, problems, _ = scenario
    codes = {p.code for p in problems}
    expected = {"clean": set(), "errors-and-warnings": {"SM103", "SM108", "SM302"},
                "does-not-load": {"SM001"}, "hostile": {"SM004"}}[name]
    assert expected <= codes
    if name == "clean":
        assert problems == []


# --- schema validation -----------------------------------------------------------------

_URI_CHARS = r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*"
_URI = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:{_URI_CHARS}")
_URI_REFERENCE = re.compile(_URI_CHARS)

URI_FORMATS = FormatChecker(formats=())
"""RFC 3986 ``uri`` and ``uri-reference`` (jsonschema checks them only with extra packages)."""


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _URI.fullmatch(value) is not None


def _is_uri_reference(value: object) -> bool:
    return not isinstance(value, str) or _URI_REFERENCE.fullmatch(value) is not None


URI_FORMATS.checks("uri")(_is_uri)
URI_FORMATS.checks("uri-reference")(_is_uri_reference)


def _refuse(uri: str) -> Resource[Any]:
    raise AssertionError(f"the schema tried to fetch {uri}: validation must stay offline")


@functools.cache
def junit_schema() -> xmlschema.XMLSchema:
    """Jenkins' junit-10.xsd, reading nothing outside its folder."""
    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"), allow="sandbox", defuse="always")


SARIF_SCHEMAS = ("sarif-schema-2.1.0.json", "sarif-schema-2.1.0-draft-07.json")


@functools.cache
def sarif_validator(name: str) -> Validator:
    """A validator for a SARIF schema file: its declared draft, no remote ``$ref``."""
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    validator: Validator = cls(schema, registry=Registry(retrieve=_refuse),  # type: ignore[call-arg]
                               format_checker=URI_FORMATS)
    return validator


def sarif_errors(text: str) -> dict[str, list[str]]:
    """Every schema error of a SARIF log, by schema file (empty lists: valid)."""
    log = json.loads(text)
    return {name: [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                   for e in sarif_validator(name).iter_errors(log)]
            for name in SARIF_SCHEMAS}


def assert_valid_sarif(text: str) -> None:
    assert sarif_errors(text) == {name: [] for name in SARIF_SCHEMAS}


def xml_document(text: str) -> xmlschema.XMLResource:
    """An XML report as xmlschema reads it: no entities, no files, no network."""
    text.encode("utf-8")  # the report is written as UTF-8, as its declaration says
    return xmlschema.XMLResource(text, allow="none", defuse="always")


def assert_valid_junit(text: str) -> None:
    junit_schema().validate(xml_document(text))


def test_schema_files_are_the_documented_upstream_copies() -> None:
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in SCHEMAS.iterdir() if p.is_file() and p.name != "README.md")
    assert files == sorted(["junit-10.xsd", *SARIF_SCHEMAS])
    for name in files:
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{name}` |"))
        digest = hashlib.sha256((SCHEMAS / name).read_bytes()).hexdigest()
        assert f"`{digest}`" in row, name


def test_validators_are_not_vacuous() -> None:
    """The schemas reject what issue 7 reported and what GitHub refuses."""
    bad_junit = ('<testsuites><testsuite name="a" tests="1" failures="0" errors="0">'
                 '<testcase name="x" classname="a" file="a.yaml" line="3"/>'
                 "</testsuite></testsuites>")
    assert not junit_schema().is_valid(xml_document(bad_junit))
    log = json.loads(format_sarif([DEAD_END], 1))
    log["runs"][0]["results"][0]["level"] = "fatal"
    log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "not a uri"
    errors = sarif_errors(json.dumps(log))
    assert all(len(found) == 2 for found in errors.values()), errors


def test_junit_report_is_valid_against_jenkins_xsd(
        scenario: tuple[str, list[Problem], list[str]]) -> None:
    _, problems, names = scenario
    assert_valid_junit(format_junit(problems, names))


def test_sarif_report_is_valid_against_the_sarif_schemas(
        scenario: tuple[str, list[Problem], list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    _, problems, names = scenario
    monkeypatch.delenv(RULES_URL_ENV, raising=False)
    assert_valid_sarif(format_sarif(problems, names))
    assert_valid_sarif(format_sarif(problems, names, rules_url="https://example.org/rules"))


def test_reports_of_hand_made_hostile_problems_are_valid() -> None:
    problems = [
        Problem("SM002", "schema", "error", HOSTILE_TEXT, f"maps/{HOSTILE_TEXT[:40]}.yaml",
                1, 2, HOSTILE_TEXT),
        Problem("SM108", "self-loop", "warning", HOSTILE_TEXT, "a&b.yaml", 3, 4),
        Problem("SM102", "no-end", "error", HOSTILE_TEXT),
    ]
    names = [p.file or "<map>" for p in problems]
    assert_valid_junit(format_junit(problems, names))
    assert_valid_sarif(format_sarif(problems, names))


def test_file_names_that_are_not_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = os.fsdecode(b"caf\xe9 <&>.yaml")
    try:
        problems, names = run_check(tmp_path, monkeypatch, {name: BROKEN})
    except OSError:  # pragma: no cover - a file system that only takes UTF-8 names
        pytest.skip("this file system refuses names that are not UTF-8")
    sarif = format_sarif(problems, names)
    assert_valid_sarif(sarif)
    uri = json.loads(sarif)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert uri["artifactLocation"]["uri"] == "caf%E9%20%3C%26%3E.yaml"
    assert_valid_junit(format_junit(problems, names))
    data = json.loads(format_json(problems, names).encode("utf-8"))
    assert data["problems"][0]["file"] == name


# --- text, JSON, GitHub --------------------------------------------------------------------

def test_text_lines_sorted_by_file_line_column_with_summary() -> None:
    assert format_text(PROBLEMS, 3).splitlines() == [
        "maps/a.yaml:7:5: SM108 [warning] self-loop: step 'a' flows to itself",
        "maps/delivery.yaml:3:1: SM101 [error] no-start: the map has no start",
        "maps/delivery.yaml:42:11: SM103 [error] dead-end: step 'notify' has no outgoing flow",
        "2 errors, 1 warning in 3 files",
    ]


def test_text_singular_summary_and_clean_run() -> None:
    assert format_text([DEAD_END], 1).splitlines()[-1] == "1 error, 0 warnings in 1 file"
    assert format_text([], ["a.yaml", "b.yaml"]) == "All checks passed: 2 files\n"


FORGED = ("\x1b]0;pwned\x07\x1b[2J\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"
          "\nmaps/a.yaml:1:1: SM999 [error] forged\r\u2028\u202egnp.exe\u2066\x85\x7f\t")
"""Terminal escapes (title, clear, OSC-8 link), a newline that forges a report line, and the
other characters :func:`printable` escapes."""


def test_printable_escapes_every_unsafe_character_and_keeps_the_rest() -> None:
    assert printable(FORGED) == (
        "\\x1b]0;pwned\\x07\\x1b[2J\\x1b]8;;http://evil.example/\\x1b\\click\\x1b]8;;"
        "\\x1b\\\\nmaps/a.yaml:1:1: SM999 [error] forged\\r\\u2028\\u202egnp.exe\\u2066"
        "\\x85\\x7f\\t")
    kept = "é 🚚 עברית 中文 \u200d \ufffd <&>"
    assert printable(kept) == kept
    assert printable("caf\udce9.yaml") == "caf\\xe9.yaml"  # a name that is not UTF-8
    assert printable("a\nb\tc", keep="\n") == "a\nb\\tc"
    assert all(printable(chr(c)) != chr(c) for c in [*range(0x20), *range(0x7f, 0xa0),
                                                      0x2028, 0x2029, *range(0x202a, 0x202f),
                                                      *range(0x2066, 0x206a)])


def test_text_report_escapes_user_text_so_no_line_is_forged() -> None:
    p = Problem("SM002", "schema", "error", f"unknown key '{FORGED}'", "m\x1b[31m.yaml", 3, 5)
    text = format_text([p], 1)
    assert text.count("\n") == 2  # the problem and the summary
    assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]",
                         text.replace("\n", ""))
    assert text.startswith("m\\x1b[31m.yaml:3:5: SM002 [error] schema: unknown key '\\x1b]0;")
    text.encode("utf-8")  # strict: lone surrogates are escaped too
    format_text([Problem("SM001", "yaml-syntax", "error", "m", "caf\udce9.yaml", 1, 1)],
                1).encode("utf-8")


def test_github_escapes_terminal_controls_and_keeps_its_own_line_escapes() -> None:
    p = Problem("SM002", "schema", "error", FORGED, "a\x1b.yaml", 1, 1, "s")
    lines = format_github([p], 1).split("\n")
    assert len(lines) == 3 and lines[2] == ""
    assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]",
                         lines[0])
    assert lines[0].startswith("::error file=a\\x1b.yaml,line=1,col=1,title=SM002 schema::"
                               "\\x1b]0;pwned\\x07")
    assert "%0Amaps/a.yaml:1:1: SM999 [error] forged%0D\\u2028" in lines[0]


def test_json_is_exactly_the_documented_object() -> None:
    data = json.loads(format_json(PROBLEMS, 3))
    assert list(data) == ["files", "errors", "warnings", "problems"]
    assert (data["files"], data["errors"], data["warnings"]) == (3, 2, 1)
    assert data["problems"][-1] == {
        "file": "maps/delivery.yaml", "line": 42, "column": 11, "code": "SM103",
        "rule": "dead-end", "level": "error", "step": "notify",
        "message": "step 'notify' has no outgoing flow",
    }
    assert [p["line"] for p in data["problems"]] == [7, 3, 42]


def test_json_keeps_none_as_null_and_counts_file_names() -> None:
    built = Problem("SM102", "no-end", "error", "no end")
    data = json.loads(format_json([built], ["x.yaml"]))
    assert data["files"] == 1
    assert data["problems"][0]["file"] is None
    assert data["problems"][0]["line"] is None


def test_json_carries_hostile_text_unchanged_as_utf8() -> None:
    p = Problem("SM002", "schema", "error", HOSTILE_TEXT, "a.yaml", 1, 1, HOSTILE_TEXT)
    text = format_json([p], 1)
    data = json.loads(text.encode("utf-8"))
    assert data["problems"][0]["message"] == HOSTILE_TEXT
    assert data["problems"][0]["step"] == HOSTILE_TEXT
    assert "é 🚚 עברית" in text  # readable, not \\u-escaped


def test_github_annotation_per_problem() -> None:
    lines = format_github(PROBLEMS, 3).splitlines()
    assert lines[0] == ("::warning file=maps/a.yaml,line=7,col=5,title=SM108 self-loop::"
                        "step 'a' flows to itself")
    assert lines[2] == ("::error file=maps/delivery.yaml,line=42,col=11,title=SM103 dead-end::"
                        "step 'notify' has no outgoing flow")
    assert lines[-1] == "2 errors, 1 warning in 3 files"


def test_github_escapes_data_and_properties() -> None:
    p = Problem("SM002", "schema", "error", "50% done\r\nnext: line", "dir:x/a,b%.yaml", 1, 2)
    line = format_github([p], 1).splitlines()[0]
    assert line == ("::error file=dir%3Ax/a%2Cb%25.yaml,line=1,col=2,title=SM002 schema::"
                    "50%25 done%0D%0Anext: line")


def test_github_hostile_message_stays_one_annotation() -> None:
    p = Problem("SM002", "schema", "error", HOSTILE_TEXT + "\n::error::forged", "a.yaml", 1, 1)
    lines = format_github([p], 1).split("\n")  # the runner reads lines ended by LF
    assert len(lines) == 3 and lines[2] == ""
    assert lines[0].startswith("::error file=a.yaml,")
    assert "%0A::error::forged" in lines[0]


def test_github_without_location_omits_properties() -> None:
    line = format_github([Problem("SM102", "no-end", "error", "no end")], 1).splitlines()[0]
    assert line == "::error title=SM102 no-end::no end"


def test_github_makes_absolute_paths_below_cwd_relative(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    p = Problem("SM103", "dead-end", "error", "m", str(tmp_path / "maps" / "a.yaml"), 1, 1)
    assert format_github([p], 1).startswith("::error file=maps/a.yaml,")


# --- SARIF ---------------------------------------------------------------------------------

def _sarif(problems: list[Problem], **kwargs: Any) -> Any:
    return json.loads(format_sarif(problems, 3, **kwargs))


def test_sarif_log_structure() -> None:
    log = _sarif(PROBLEMS)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "servicemap"
    assert driver["version"]
    assert [r["id"] for r in driver["rules"]] == [r.code for r in RULES]
    for result in run["results"]:
        rule = driver["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning")
        assert result["message"]["text"]


def test_sarif_points_at_no_invented_website(monkeypatch: pytest.MonkeyPatch) -> None:
    """servicemap has no website: without a configured URL the log links nowhere."""
    monkeypatch.delenv(RULES_URL_ENV, raising=False)
    text = format_sarif(PROBLEMS, 3)
    driver = json.loads(text)["runs"][0]["tool"]["driver"]
    assert all("helpUri" not in rule for rule in driver["rules"])
    assert "servicemap.dev" not in text
    assert driver.get("informationUri", "https://").startswith("https://")


def test_sarif_information_uri_is_the_home_page_the_package_declares(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from email.message import Message

    declared = Message()
    declared["Project-URL"] = "Bug Tracker, https://example.org/issues"
    declared["Project-URL"] = "Home-page, https://example.org/servicemap"
    monkeypatch.setattr("servicemap.reports.metadata", lambda name: declared)
    driver = _sarif([])["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/servicemap"


def test_sarif_rules_have_descriptions_help_and_level() -> None:
    rules = _sarif([])["runs"][0]["tool"]["driver"]["rules"]
    dead_end = next(r for r in rules if r["id"] == "SM103")
    assert dead_end["name"] == "dead-end"
    assert dead_end["shortDescription"]["text"]
    assert dead_end["fullDescription"]["text"]
    assert "```yaml" in dead_end["help"]["markdown"]
    assert "SM103" in dead_end["help"]["text"]
    assert dead_end["defaultConfiguration"] == {"level": "error"}
    self_loop = next(r for r in rules if r["id"] == "SM108")
    assert self_loop["defaultConfiguration"] == {"level": "warning"}


def test_sarif_help_of_every_rule_shows_its_examples() -> None:
    for rule in _sarif([])["runs"][0]["tool"]["driver"]["rules"]:
        assert rule["help"]["text"].startswith(rule["id"]), rule["id"]
        assert "Failing example" in rule["help"]["markdown"], rule["id"]
        assert "Passing example" in rule["help"]["markdown"], rule["id"]


def test_sarif_help_uri_from_environment_points_at_rule_headings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    base = "https://example.org/servicemap/docs/rules.md"
    monkeypatch.setenv(RULES_URL_ENV, base + "#check-rules")
    rules = _sarif([])["runs"][0]["tool"]["driver"]["rules"]
    headings = {_slug(line[3:]) for line in RULES_MD.read_text(encoding="utf-8").splitlines()
                if line.startswith("## ")}
    for rule in rules:
        uri, _, anchor = rule["helpUri"].partition("#")
        assert uri == base
        assert anchor in headings, rule["id"]
    assert rules[[r.code for r in RULES].index("SM103")]["helpUri"] == base + "#sm103-dead-end"


def _slug(heading: str) -> str:
    """The anchor GitHub (and MkDocs) give a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_sarif_help_uri_argument_wins_and_bad_urls_are_left_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RULES_URL_ENV, "https://example.org/env")
    rule = _sarif([], rules_url="https://example.org/arg")["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["helpUri"] == "https://example.org/arg#sm001-yaml-syntax"
    for bad in ("", "docs/rules.md", "javascript:alert(1)", "https://", "https://a b/c",
                "http://[::1"):
        assert rules_reference_url(bad) is None, bad
        monkeypatch.setenv(RULES_URL_ENV, bad)
        assert "helpUri" not in _sarif([])["runs"][0]["tool"]["driver"]["rules"][0]
    assert rules_reference_url("file:///srv/docs/rules.html") == "file:///srv/docs/rules.html"


def test_sarif_locations_relative_with_forward_slashes_and_regions() -> None:
    results = _sarif(PROBLEMS)["runs"][0]["results"]
    location = results[2]["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "maps/delivery.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 42, "startColumn": 11},
    }


def test_sarif_omits_region_without_line_and_location_without_file() -> None:
    no_line = Problem("SM001", "yaml-syntax", "error", "unreadable", "a.yaml")
    no_file = Problem("SM102", "no-end", "error", "no end")
    results = _sarif([no_line, no_file])["runs"][0]["results"]
    assert "locations" not in results[0]
    assert results[1]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "a.yaml", "uriBaseId": "%SRCROOT%"}}


def test_sarif_uri_of_absolute_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert relative_uri(str(tmp_path / "sub dir" / "m.yaml")) == ("sub%20dir/m.yaml", True)
    outside = tmp_path.parent / "elsewhere.yaml"
    uri, relative = relative_uri(str(outside))
    assert (uri, relative) == (outside.as_uri(), False)


def test_sarif_message_keeps_hostile_text_exactly() -> None:
    p = Problem("SM002", "schema", "error", HOSTILE_TEXT, "a.yaml", 1, 1, HOSTILE_TEXT)
    (result,) = _sarif([p])["runs"][0]["results"]
    assert result["message"]["text"] == HOSTILE_TEXT
    assert result["properties"] == {"step": HOSTILE_TEXT}


def _fingerprints(text: str) -> dict[tuple[str, str | None], str]:
    """(rule, step) -> partial fingerprint of each result of a SARIF log."""
    results = json.loads(text)["runs"][0]["results"]
    return {(r["ruleId"], r.get("properties", {}).get("step")): r["partialFingerprints"][
        FINGERPRINT_KEY] for r in results}


def test_sarif_fingerprints_survive_edits_elsewhere_in_the_map(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before, names = run_check(tmp_path, monkeypatch, {"maps/broken.yaml": BROKEN})
    edited = BROKEN.replace("steps:\n", "# reviewed\ndescription: moved down\nsteps:\n"
                            "  - {id: extra, kind: task, next: done}\n")
    after, _ = run_check(tmp_path, monkeypatch, {"maps/broken.yaml": edited})
    assert {p.line for p in before}.isdisjoint({p.line for p in after if p.step != "extra"})
    old, new = _fingerprints(format_sarif(before, names)), _fingerprints(format_sarif(after, names))
    assert old.items() <= new.items()


def test_sarif_fingerprints_change_with_what_the_problem_is() -> None:
    other_step = Problem("SM103", "dead-end", "error", "step 'x' has no outgoing flow",
                         "maps/delivery.yaml", 42, 11, "x")
    other_file = Problem(**{**DEAD_END.to_dict(), "file": "maps/other.yaml"})
    other_rule = Problem(**{**DEAD_END.to_dict(), "code": "SM104", "rule": "unreachable"})
    moved = Problem(**{**DEAD_END.to_dict(), "line": 1, "column": 1, "level": "warning"})
    assert len({fingerprint(p) for p in (DEAD_END, other_step, other_file, other_rule)}) == 4
    assert fingerprint(moved) == fingerprint(DEAD_END)


def test_sarif_fingerprints_ignore_line_numbers_in_messages() -> None:
    a = Problem("SM001", "yaml-syntax", "error",
                "key 'id' appears twice in this mapping (first on line 3): remove one", "m.yaml",
                4, 5)
    b = Problem(**{**a.to_dict(), "line": 9,
                   "message": a.message.replace("line 3", "line 8")})
    assert fingerprint(a) == fingerprint(b)


def test_sarif_identical_problems_get_distinct_numbered_fingerprints() -> None:
    first = Problem("SM002", "schema", "error", "'x' is not a duration", "m.yaml", 3, 5)
    second = Problem(**{**first.to_dict(), "line": 9})
    results = _sarif([second, first, DEAD_END])["runs"][0]["results"]
    values = [r["partialFingerprints"][FINGERPRINT_KEY] for r in results]
    digest = fingerprint(first)
    assert values == [f"{digest}:1", f"{digest}:2", f"{fingerprint(DEAD_END)}:1"]


# --- JUnit ---------------------------------------------------------------------------------

def test_junit_is_xml_with_a_suite_per_file() -> None:
    root = ET.fromstring(format_junit(PROBLEMS, ["maps/a.yaml", "maps/delivery.yaml", "ok.yaml"]))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("4", "2")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["maps/a.yaml", "maps/delivery.yaml", "ok.yaml"]
    assert [s.get("file") for s in suites.values()] == list(suites)
    delivery = suites["maps/delivery.yaml"]
    assert (delivery.get("tests"), delivery.get("failures")) == ("2", "2")
    failure = delivery.find("testcase/failure")
    assert failure is not None
    assert failure.get("type") == "SM101"
    warning_case = suites["maps/a.yaml"].find("testcase")
    assert warning_case is not None and warning_case.find("failure") is None
    assert "SM108" in (warning_case.findtext("system-out") or "")
    assert suites["ok.yaml"].get("failures") == "0"


def test_junit_clean_files_show_as_passing_checks() -> None:
    root = ET.fromstring(format_junit([], ["maps/a.yaml", "b.yml"]))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "0", "0")
    cases = [(c.get("classname"), c.get("name"), len(c)) for c in root.iter("testcase")]
    assert cases == [("maps/a", "servicemap check", 0), ("b", "servicemap check", 0)]


def test_junit_keeps_file_line_column_rule_and_message() -> None:
    root = ET.fromstring(format_junit([DEAD_END], ["maps/delivery.yaml"]))
    case = root.find("testsuite/testcase")
    assert case is not None
    assert set(case.attrib) == {"name", "classname"}
    assert case.get("name") == "SM103 dead-end at maps/delivery.yaml:42:11"
    assert case.get("classname") == "maps/delivery"
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib == {"type": "SM103", "message":
                              "maps/delivery.yaml:42:11: step 'notify' has no outgoing flow"}
    assert failure.text == str(DEAD_END)


def test_junit_escapes_markup_and_control_characters() -> None:
    p = Problem("SM002", "schema", "error", "label <b>&\"x\"\x1b[31m", "a&b.yaml", 1, 1)
    text = format_junit([p], 1)
    root = ET.fromstring(text)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "a&b.yaml:1:1: label <b>&\"x\"\ufffd[31m"
    assert [s.get("name") for s in root.iter("testsuite")] == ["a&b.yaml"]


def test_junit_hostile_text_reads_back_with_only_unholdable_characters_replaced() -> None:
    p = Problem("SM002", "schema", "error", HOSTILE_TEXT, "a.yaml", 1, 1)
    failure = ET.fromstring(format_junit([p], 1)).find("testsuite/testcase/failure")
    assert failure is not None
    expected = re.sub("[\x00\x07\x1b\ufffe\uffff\udce9]", "\ufffd", HOSTILE_TEXT)
    assert failure.get("message") == "a.yaml:1:1: " + expected
    # element text goes through XML's line-end normalisation: CR LF reads back as LF
    assert (failure.text or "").endswith(": " + expected.replace("\r\n", "\n"))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_handles_no_problems(name: str) -> None:
    assert FORMATS[name]([], ["a.yaml"]).endswith("\n")
