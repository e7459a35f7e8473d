"""Output formats of ``servicemap check``: text, JSON, GitHub annotations, SARIF and JUnit XML."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

from .problems import Problem, printable, sort_problems

__all__ = [
    "FINGERPRINT_KEY",
    "FORMATS",
    "RULES_URL_ENV",
    "SARIF_SCHEMA",
    "Formatter",
    "fingerprint",
    "format_github",
    "format_json",
    "format_junit",
    "format_sarif",
    "format_text",
    "relative_uri",
    "rules_reference_url",
    "summary",
]

RULES_URL_ENV = "SERVICEMAP_RULES_URL"
"""The environment variable naming the rules reference page SARIF ``helpUri`` points into."""

FINGERPRINT_KEY = "servicemapProblem/v1"
"""The key of each SARIF result's ``partialFingerprints`` entry (see :func:`fingerprint`)."""

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

    User text (file names, messages quoting ids, labels or keys) goes through
    :func:`~servicemap.problems.printable`: control characters, line
    separators and bidirectional overrides show as escapes (``\\x1b``,
    ``\\n``, ``\\u202e``), so a map can neither drive the terminal nor forge
    another report line.

    Examples:
        >>> p = Problem("SM103", "dead-end", "error", "step 'notify' has no outgoing flow",
        ...             "maps/delivery.yaml", 42, 11, "notify")
        >>> print(format_text([p], 3), end="")
        maps/delivery.yaml:42:11: SM103 [error] dead-end: step 'notify' has no outgoing flow
        1 error, 0 warnings in 3 files
        >>> forged = Problem("SM002", "schema", "error", "unknown key 'x\\na.yaml:1:1: SM999'",
        ...                  "m\\x1b[2J.yaml", 3, 5)
        >>> print(format_text([forged], 1), end="")
        m\\x1b[2J.yaml:3:5: SM002 [error] schema: unknown key 'x\\na.yaml:1:1: SM999'
        1 error, 0 warnings in 1 file
    """
    lines = [printable(str(p)) for p in sort_problems(problems)]
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
    return _json_text(data)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_text(data: Any) -> str:
    """Indented JSON that encodes as UTF-8.

    A file name that is not valid UTF-8 reaches Python with lone surrogates
    (``\\udcff``); they are written as ``\\u`` escapes, which JSON readers accept
    and Python reads back to the same name, instead of raw bytes that make the
    whole report invalid UTF-8.

    >>> text = _json_text({"file": "caf\\udce9.yaml"})
    >>> print(text, end="")
    {
      "file": "caf\\udce9.yaml"
    }
    >>> json.loads(text)["file"] == "caf\\udce9.yaml"
    True
    """
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def _shown(text: str) -> str:
    """Text for a GitHub log: CR and LF left for :func:`_escape_data`, other controls escaped."""
    return printable(text, keep="\r\n")


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
    in properties); a plain summary line follows for the log. Other control
    characters, line separators and bidirectional overrides are shown as
    escapes (:func:`~servicemap.problems.printable`), so the log cannot be
    coloured, cleared or given hyperlinks by a map.

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
            props.append(f"file={_escape_property(_shown(_display_path(p.file)))}")
            if p.line is not None:
                props.append(f"line={p.line}")
                if p.column is not None:
                    props.append(f"col={p.column}")
        props.append(f"title={_escape_property(_shown(f'{p.code} {p.rule}'))}")
        lines.append(f"::{p.level} {','.join(props)}::{_escape_data(_shown(p.message))}")
    lines.append(summary(problems, files))
    return "\n".join(lines) + "\n"


def relative_uri(file: str, root: str | os.PathLike[str] | None = None) -> tuple[str, bool]:
    """A file as a URI reference for SARIF: ``(uri, relative_to_root)``.

    Paths below ``root`` (default: the working directory) become relative
    references with forward slashes; others become absolute ``file:`` URIs.
    A name that is not valid UTF-8 keeps its bytes, percent-encoded.

    Examples:
        >>> relative_uri("maps/my map.yaml")
        ('maps/my%20map.yaml', True)
        >>> relative_uri("/srv/maps/a.yaml", root="/srv")
        ('maps/a.yaml', True)
        >>> relative_uri("maps/caf\\udce9.yaml")
        ('maps/caf%E9.yaml', True)
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
    return quote(PurePath(rel).as_posix(), errors="surrogateescape"), True


_CATEGORIES = {"SM0": "loading", "SM1": "structure", "SM2": "decisions", "SM3": "blueprint",
               "SM4": "service-recovery", "SM5": "capacity"}

_POSITION = re.compile(r"\b(line|column|col)(\s+)\d+", re.IGNORECASE)


def fingerprint(problem: Problem, uri: str | None = None) -> str:
    """What a problem is, not where it is: the SARIF ``partialFingerprints`` hash.

    The first 32 hex digits of the SHA-256 of the rule code, the file (as the
    log's artifact URI; ``uri`` if given), the step id and the message with
    any ``line N``/``column N`` in it blanked. Edits elsewhere in the map that
    move the problem to another line keep the value; fixing the problem,
    renaming its step or moving the file change it. The level is left out, so
    raising a rule from warning to error keeps its alerts.

    Args:
        problem: The problem.
        uri: The file as the log names it (default: :func:`relative_uri` of it).

    Returns:
        32 lowercase hex digits.

    Examples:
        >>> a = Problem("SM103", "dead-end", "error", "step 'x' stops", "m.yaml", 4, 5, "x")
        >>> b = Problem("SM103", "dead-end", "warning", "step 'x' stops", "m.yaml", 40, 1, "x")
        >>> fingerprint(a) == fingerprint(b), len(fingerprint(a))
        (True, 32)
        >>> fingerprint(a) == fingerprint(Problem("SM103", "dead-end", "error", "step 'y' stops",
        ...                                       "m.yaml", 4, 5, "y"))
        False
    """
    if uri is None and problem.file is not None:
        uri = relative_uri(problem.file)[0]
    message = _POSITION.sub(r"\1\2#", problem.message)
    key = "\0".join((problem.code, uri or "", problem.step or "", message))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def rules_reference_url(value: str | None = None) -> str | None:
    """The base URL of the rules reference that SARIF ``helpUri`` points into, or ``None``.

    ``value`` if given, else the ``SERVICEMAP_RULES_URL`` environment
    variable: the URL of a page made from ``docs/rules.md``, whose headings
    (``## SM103 dead-end``) give the anchors (``#sm103-dead-end``). Only an
    absolute ``https``, ``http`` or ``file`` URL without spaces counts; anything
    else, unset or empty, gives ``None``, and the log then has no ``helpUri``
    (servicemap has no website of its own to default to).

    Args:
        value: The URL to use instead of the environment variable's.

    Returns:
        The URL without any ``#fragment``, or ``None``.

    Examples:
        >>> rules_reference_url("https://example.org/docs/rules.html#top")
        'https://example.org/docs/rules.html'
        >>> rules_reference_url("docs/rules.md") is None
        True
    """
    value = (os.environ.get(RULES_URL_ENV, "") if value is None else value).strip()
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed "[" in the host
        return None
    scheme = parts.scheme.lower()
    usable = (scheme in ("https", "http", "file") and (scheme == "file" or parts.netloc != "")
              and value.isprintable() and not any(c.isspace() for c in value))
    return value.split("#", 1)[0] if usable else None


def _project_url() -> str | None:
    """The home page the installed distribution declares (SARIF ``informationUri``), if any."""
    try:
        meta = metadata("servicemap")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return None
    urls = [entry.partition(",") for entry in meta.get_all("Project-URL") or []]
    found = [url.strip() for label, _, url in urls
             if re.sub(r"[\s_-]", "", label.lower()) in ("homepage", "documentation", "source")]
    found += meta.get_all("Home-page") or []
    return next((u for u in found if u.startswith(("https://", "http://"))), None)


def _rule_entries(base: str | None) -> list[dict[str, Any]]:
    """SARIF ``reportingDescriptor`` objects of every rule, in code order."""
    from .rules import RULES, summary_of
    from .rules.docs import doc_markdown

    entries = []
    for rule in RULES:
        summary_md = summary_of(rule)
        summary_text = summary_md.replace("`", "")
        body = rule.doc.split("\n", 1)[1].strip() if "\n" in rule.doc else ""
        first = " ".join(body.split("\n\n", 1)[0].split()).replace("``", "") or summary_text
        entry: dict[str, Any] = {
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
        }
        if base is not None:
            entry["helpUri"] = f"{base}#{rule.code.lower()}-{rule.name}"
        entries.append(entry)
    return entries


def _sarif_location(p: Problem) -> dict[str, Any] | None:
    """A problem's SARIF ``location`` (``None`` without a file); no region without a line."""
    if p.file is None:
        return None
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
    return {"physicalLocation": physical}


def _sarif_results(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    """SARIF ``result`` objects, sorted, each with its rule, location and fingerprint."""
    from .rules import RULES

    index = {rule.code: i for i, rule in enumerate(RULES)}
    seen: Counter[str] = Counter()
    results = []
    for p in sort_problems(problems):
        result: dict[str, Any] = {"ruleId": p.code}
        if p.code in index:
            result["ruleIndex"] = index[p.code]
        result["level"] = p.level
        result["message"] = {"text": p.message}
        location = _sarif_location(p)
        if location is not None:
            result["locations"] = [location]
        digest = fingerprint(p)
        seen[digest] += 1
        result["partialFingerprints"] = {FINGERPRINT_KEY: f"{digest}:{seen[digest]}"}
        if p.step is not None:
            result["properties"] = {"step": p.step}
        results.append(result)
    return results


def format_sarif(problems: Sequence[Problem], files: Files, *,
                 rules_url: str | None = None) -> str:
    """A SARIF 2.1.0 log that GitHub code scanning accepts (one run, every rule described).

    File locations are relative to the working directory (``uriBaseId``
    ``%SRCROOT%``); a problem without a line has no region. Each result has a
    ``partialFingerprints`` entry (see :func:`fingerprint`; ``:2``, ``:3``...
    number identical problems in one file). Rules get a ``helpUri`` when a
    rules reference URL is given or set (see :func:`rules_reference_url`).

    Args:
        problems: The problems found.
        files: The files checked (unused: a SARIF log lists results only).
        rules_url: Base URL of the rules reference (default: ``SERVICEMAP_RULES_URL``).

    Returns:
        The log as indented JSON text, ending in a newline.

    Example:
        >>> p = Problem("SM103", "dead-end", "error", "no way on", "maps/a.yaml", 4, 5, "a")
        >>> log = json.loads(format_sarif([p], 1))
        >>> result = log["runs"][0]["results"][0]
        >>> result["ruleId"], result["level"], result["locations"][0]["physicalLocation"]["region"]
        ('SM103', 'error', {'startLine': 4, 'startColumn': 5})
        >>> list(result["partialFingerprints"])
        ['servicemapProblem/v1']
    """
    from ._version import __version__

    driver: dict[str, Any] = {"name": "servicemap"}
    homepage = _project_url()
    if homepage is not None:
        driver["informationUri"] = homepage
    driver |= {"version": __version__, "semanticVersion": __version__,
               "rules": _rule_entries(rules_reference_url(rules_url))}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {
                "%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"},
            },
            "columnKind": "unicodeCodePoints",
            "results": _sarif_results(problems),
        }],
    }
    return _json_text(log)


_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_safe(text: str) -> str:
    """Text without the characters XML 1.0 cannot hold (each becomes U+FFFD)."""
    return _XML_INVALID.sub("\ufffd", text)


def _classname(file: str) -> str:
    """A JUnit ``classname``: the file without its suffix, so no dot splits it.

    Jenkins reads the part after a class name's last dot as the class, and
    would show ``maps/a.yaml`` as class ``yaml`` of package ``maps/a``.

    >>> _classname("maps/delivery.yaml"), _classname("<map>")
    ('maps/delivery', '<map>')
    """
    suffix = PurePath(file).suffix
    return _xml_safe(file[: len(file) - len(suffix)] if suffix else file)


def _junit_suite(root: ET.Element, name: str, found: Sequence[Problem]) -> tuple[int, int]:
    """Add a file's ``testsuite`` to ``root``; return its (tests, failures)."""
    suite = ET.SubElement(root, "testsuite", name=_xml_safe(name))
    classname = _classname(name)
    failures = 0
    if not found:
        ET.SubElement(suite, "testcase", name="servicemap check", classname=classname)
    for p in found:
        case = ET.SubElement(suite, "testcase",
                             name=_xml_safe(f"{p.code} {p.rule} at {p.location()}"),
                             classname=classname)
        if p.level == "error":
            failures += 1
            failure = ET.SubElement(case, "failure", type=p.code,
                                    message=_xml_safe(f"{p.location()}: {p.message}"))
            failure.text = _xml_safe(str(p))
        else:
            ET.SubElement(case, "system-out").text = _xml_safe(str(p))
    tests = max(len(found), 1)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    if not found or found[0].file is not None:
        suite.set("file", _xml_safe(name))
    return tests, failures


def format_junit(problems: Sequence[Problem], files: Files) -> str:
    """JUnit XML: a ``testsuite`` per file, a ``testcase`` per problem (or one per clean file).

    Valid against Jenkins' ``junit-10.xsd``, the schema most CI systems
    follow: the location (``file:line:column``) is in each test case's name,
    its failure's message and text, not in attributes the schema lacks; the
    suite's ``file`` attribute names the file. Error-level problems are
    ``<failure>`` elements (``type`` is the rule code); warnings are passing
    test cases that say so in ``<system-out>``. Given file names (not a
    count), clean files get a passing ``testsuite`` too.

    Example:
        >>> p = Problem("SM103", "dead-end", "error", "x & <y>", "m.yaml", 4, 5, "a")
        >>> root = ET.fromstring(format_junit([p], ["m.yaml", "ok.yaml"]))
        >>> root.get("tests"), root.get("failures"), [s.get("name") for s in root]
        ('2', '1', ['m.yaml', 'ok.yaml'])
        >>> root.find("testsuite/testcase/failure").get("message")
        'm.yaml:4:5: x & <y>'
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
        tests, failed = _junit_suite(root, name, found)
        total += tests
        failures += failed
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
