"""Tests of the check report formats: text, JSON, GitHub, SARIF and JUnit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from servicemap.problems import Problem
from servicemap.reports import (
    FORMATS,
    format_github,
    format_json,
    format_junit,
    format_sarif,
    format_text,
    relative_uri,
)
from servicemap.rules import RULES

DEAD_END = Problem("SM103", "dead-end", "error", "step 'notify' has no outgoing flow",
                   "maps/delivery.yaml", 42, 11, "notify")
NO_START = Problem("SM101", "no-start", "error", "the map has no start", "maps/delivery.yaml",
                   3, 1, None)
SELF_LOOP = Problem("SM108", "self-loop", "warning", "step 'a' flows to itself", "maps/a.yaml",
                    7, 5, "a")
PROBLEMS = [DEAD_END, SELF_LOOP, NO_START]


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


def test_github_without_location_omits_properties() -> None:
    line = format_github([Problem("SM102", "no-end", "error", "no end")], 1).splitlines()[0]
    assert line == "::error title=SM102 no-end::no end"


def test_github_makes_absolute_paths_below_cwd_relative(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    p = Problem("SM103", "dead-end", "error", "m", str(tmp_path / "maps" / "a.yaml"), 1, 1)
    assert format_github([p], 1).startswith("::error file=maps/a.yaml,")


def _sarif(problems: list[Problem]) -> Any:
    return json.loads(format_sarif(problems, 3))


def test_sarif_log_structure() -> None:
    log = _sarif(PROBLEMS)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "servicemap"
    assert driver["informationUri"].startswith("https://")
    assert driver["version"]
    assert [r["id"] for r in driver["rules"]] == [r.code for r in RULES]
    for result in run["results"]:
        rule = driver["rules"][result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning")
        assert result["message"]["text"]


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


def test_junit_is_xml_with_a_suite_per_file() -> None:
    root = ET.fromstring(format_junit(PROBLEMS, ["maps/a.yaml", "maps/delivery.yaml", "ok.yaml"]))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("4", "2")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["maps/a.yaml", "maps/delivery.yaml", "ok.yaml"]
    delivery = suites["maps/delivery.yaml"]
    assert (delivery.get("tests"), delivery.get("failures")) == ("2", "2")
    failure = delivery.find("testcase/failure")
    assert failure is not None
    assert failure.get("type") == "SM101"
    warning_case = suites["maps/a.yaml"].find("testcase")
    assert warning_case is not None and warning_case.find("failure") is None
    assert "SM108" in (warning_case.findtext("system-out") or "")
    assert suites["ok.yaml"].get("failures") == "0"


def test_junit_escapes_markup_and_control_characters() -> None:
    p = Problem("SM002", "schema", "error", "label <b>&\"x\"\x1b[31m", "a&b.yaml", 1, 1)
    text = format_junit([p], 1)
    root = ET.fromstring(text)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "label <b>&\"x\"\ufffd[31m"
    assert [s.get("name") for s in root.iter("testsuite")] == ["a&b.yaml"]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_handles_no_problems(name: str) -> None:
    assert FORMATS[name]([], ["a.yaml"]).endswith("\n")
