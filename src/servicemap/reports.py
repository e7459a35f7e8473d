"""Output formats of ``servicemap check``: text, JSON, GitHub annotations, SARIF and JUnit XML."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree as ET

from .problems import Problem, sort_problems

__all__ = [
    "FORMATS",
    "SARIF_SCHEMA",
    "Formatter",
    "format_github",
    "format_json",
    "format_junit",
    "format_sarif",
    "format_text",
    "relative_uri",
    "summary",
]

HOMEPAGE = "https://servicemap.dev"
"""Where the tool's documentation lives (SARIF ``informationUri``)."""

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
"""The ``$schema`` of the SARIF logs written (GitHub code scanning accepts it)."""

Files = int | Sequence[str]
"""What was checked: a number of files, or their names (JUnit lists clean files too)."""

Formatter = Callable[[Sequence[Problem], Files], str]
"""A function from the problems found and the files checked to the report's text."""


def _count(files: Files) -> int:
    return files if isinstance(files, int) else len(files)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(problems: Sequence[Problem], files: Files) -> str:
    """The one-line summary closing a text report.

    Examples:
        >>> p = Problem("SM103", "dead-end", "error", "m", "a.yaml", 1, 1)
        >>> summary([p, p], 3)
        '2 errors, 0 warnings in 3 files'
        >>> summary([], 1)
        'All checks passed: 1 file'
    """
    n = _count(files)
    if not problems:
        return f"All checks passed: {_plural(n, 'file')}"
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {_plural(n, 'file')}"


def format_text(problems: Sequence[Problem], files: Files) -> str:
    """One line per problem, sorted by file, line and column, then a summary line.

    Example:
        >>> p = Problem("SM103", "dead-end", "error", "step 'notify' has no outgoing flow",
        ...             "maps/delivery.yaml", 42, 11, "notify")
        >>> print(format_text([p], 3), end="")
        maps/delivery.yaml:42:11: SM103 [error] dead-end: step 'notify' has no outgoing flow
        1 error, 0 warnings in 3 files
    """
    lines = [str(p) for p in sort_problems(problems)]
    lines.append(summary(problems, files))
    return "\n".join(lines) + "\n"


def format_json(problems: Sequence[Problem], files: Files) -> str:
    """One JSON object: counts of files, errors and warnings, and the problems.

    Example:
        >>> p = Problem("SM108", "self-loop", "warning", "loops", "m.yaml", 3, 5, "a")
        >>> data = json.loads(format_json([p], 1))
        >>> data["files"], data["errors"], data["warnings"], data["problems"][0]["code"]
        (1, 0, 1, 'SM108')
    """
    ordered = sort_problems(problems)
    errors = sum(p.level == "error" for p in ordered)
    data = {
        "files": _count(files),
        "errors": errors,
        "warnings": len(ordered) - errors,
        "problems": [p.to_dict() for p in ordered],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _display_path(file: str) -> str:
    """A file as given, or relative to the working directory if it is an absolute path below it."""
    path = Path(file)
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return file
    return PurePath(file).as_posix()


def format_github(problems: Sequence[Problem], files: Files) -> str:
    """GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per problem.

    Properties are escaped as GitHub expects (``%``, CR, LF, and ``:``/``,``
    in properties); a plain summary line follows for the log.

    Example:
        >>> p = Problem("SM103", "dead-end", "error", "step 'a' stops\\n100%",
        ...             "maps/a,b.yaml", 4, 5, "a")
        >>> print(format_github([p], 1), end="")
        ::error file=maps/a%2Cb.yaml,line=4,col=5,title=SM103 dead-end::step 'a' stops%0A100%25
        1 error, 0 warnings in 1 file
    """
    lines = []
    for p in sort_problems(problems):
        props = []
        if p.file is not None:
            props.append(f"file={_escape_property(_display_path(p.file))}")
            if p.line is not None:
                props.append(f"line={p.line}")
                if p.column is not None:
                    props.append(f"col={p.column}")
        props.append(f"title={_escape_property(f'{p.code} {p.rule}')}")
        lines.append(f"::{p.level} {','.join(props)}::{_escape_data(p.message)}")
    lines.append(summary(problems, files))
    return "\n".join(lines) + "\n"


def relative_uri(file: str, root: str | os.PathLike[str] | None = None) -> tuple[str, bool]:
    """A file as a URI reference for SARIF: ``(uri, relative_to_root)``.

    Paths below ``root`` (default: the working directory) become relative
    references with forward slashes; others become absolute ``file:`` URIs.

    Examples:
        >>> relative_uri("maps/my map.yaml")
        ('maps/my%20map.yaml', True)
        >>> relative_uri("/srv/maps/a.yaml", root="/srv")
        ('maps/a.yaml', True)
    """
    base = Path(root) if root is not None else Path.cwd()
    path = Path(file)
    absolute = path if path.is_absolute() else base / path
    try:
        rel = os.path.relpath(absolute, base)
    except ValueError:  # pragma: no cover - another drive on Windows
        rel = ".."
    if rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        return absolute.as_uri(), False
    return quote(PurePath(rel).as_posix()), True


_CATEGORIES = {"SM0": "loading", "SM1": "structure", "SM2": "decisions", "SM3": "blueprint",
               "SM4": "service-recovery", "SM5": "capacity"}


def _rule_entries() -> list[dict[str, Any]]:
    """SARIF ``reportingDescriptor`` objects of every rule, in code order."""
    from .rules import RULES, summary_of
    from .rules.docs import doc_markdown

    entries = []
    for rule in RULES:
        summary_md = summary_of(rule)
        summary_text = summary_md.replace("`", "")
        body = rule.doc.split("\n", 1)[1].strip() if "\n" in rule.doc else ""
        first = " ".join(body.split("\n\n", 1)[0].split()).replace("``", "") or summary_text
        entries.append({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": summary_text},
            "fullDescription": {"text": first},
            "help": {
                "text": rule.doc.replace("``", "`"),
                "markdown": f"**{rule.code} {rule.name}** ({rule.level}): {summary_md}\n\n"
                            + doc_markdown(body),
            },
            "defaultConfiguration": {"level": rule.level},
            "properties": {"tags": [_CATEGORIES.get(rule.code[:3], "other")]},
        })
    return entries


def format_sarif(problems: Sequence[Problem], files: Files) -> str:
    """A SARIF 2.1.0 log that GitHub code scanning accepts (one run, every rule described).

    File locations are relative to the working directory (``uriBaseId``
    ``%SRCROOT%``); a problem without a line has no region.

    Example:
        >>> p = Problem("SM103", "dead-end", "error", "no way on", "maps/a.yaml", 4, 5, "a")
        >>> log = json.loads(format_sarif([p], 1))
        >>> result = log["runs"][0]["results"][0]
        >>> result["ruleId"], result["level"], result["locations"][0]["physicalLocation"]["region"]
        ('SM103', 'error', {'startLine': 4, 'startColumn': 5})
    """
    from . import __version__
    from .rules import RULES

    index = {rule.code: i for i, rule in enumerate(RULES)}
    results = []
    for p in sort_problems(problems):
        result: dict[str, Any] = {"ruleId": p.code}
        if p.code in index:
            result["ruleIndex"] = index[p.code]
        result["level"] = p.level
        result["message"] = {"text": p.message}
        if p.file is not None:
            uri, relative = relative_uri(p.file)
            artifact: dict[str, Any] = {"uri": uri}
            if relative:
                artifact["uriBaseId"] = "%SRCROOT%"
            physical: dict[str, Any] = {"artifactLocation": artifact}
            if p.line is not None:
                region = {"startLine": p.line}
                if p.column is not None:
                    region["startColumn"] = p.column
                physical["region"] = region
            result["locations"] = [{"physicalLocation": physical}]
        if p.step is not None:
            result["properties"] = {"step": p.step}
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "servicemap",
                "informationUri": HOMEPAGE,
                "version": __version__,
                "semanticVersion": __version__,
                "rules": _rule_entries(),
            }},
            "originalUriBaseIds": {
                "%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"},
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold (each becomes U+FFFD)."""
    return _XML_INVALID.sub("\ufffd", text)


def format_junit(problems: Sequence[Problem], files: Files) -> str:
    """JUnit XML: a ``testsuite`` per file, a ``testcase`` per problem (or one per clean file).

    Error-level problems are ``<failure>`` elements; warnings are passing test
    cases that say so in ``<system-out>``. Given file names (not a count), clean
    files get a passing ``testsuite`` too.

    Example:
        >>> p = Problem("SM103", "dead-end", "error", "x & <y>", "m.yaml", 4, 5, "a")
        >>> root = ET.fromstring(format_junit([p], ["m.yaml", "ok.yaml"]))
        >>> root.get("tests"), root.get("failures"), [s.get("name") for s in root]
        ('2', '1', ['m.yaml', 'ok.yaml'])
        >>> root.find("testsuite/testcase/failure").get("message")
        'x & <y>'
    """
    by_file: dict[str, list[Problem]] = {}
    if not isinstance(files, int):
        for name in files:
            by_file[name] = []
    for p in sort_problems(problems):
        by_file.setdefault(p.file or "<map>", []).append(p)
    root = ET.Element("testsuites", name="servicemap check")
    total = failures = 0
    for name, found in by_file.items():
        suite = ET.SubElement(root, "testsuite", name=_xml_safe(name))
        suite_failures = 0
        if not found:
            ET.SubElement(suite, "testcase", name="servicemap check", classname=_xml_safe(name))
        for p in found:
            case = ET.SubElement(suite, "testcase",
                                 name=_xml_safe(f"{p.code} {p.rule} at {p.location()}"),
                                 classname=_xml_safe(name))
            if p.file is not None:
                case.set("file", _xml_safe(p.file))
                if p.line is not None:
                    case.set("line", str(p.line))
            if p.level == "error":
                suite_failures += 1
                failure = ET.SubElement(case, "failure", message=_xml_safe(p.message),
                                        type=p.code)
                failure.text = _xml_safe(str(p))
            else:
                ET.SubElement(case, "system-out").text = _xml_safe(str(p))
        tests = max(len(found), 1)
        suite.set("tests", str(tests))
        suite.set("failures", str(suite_failures))
        suite.set("errors", "0")
        total += tests
        failures += suite_failures
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


FORMATS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
    "junit": format_junit,
}
"""Every ``check --format``, by name."""
