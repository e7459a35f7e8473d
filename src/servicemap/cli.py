"""The ``servicemap`` command: check, render, analyze, schema and rules."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import math
import os
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Any, NoReturn

from . import __version__

if TYPE_CHECKING:
    from . import Analysis, Rate
    from .api import Blueprint, Config, Problem

__all__ = [
    "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_TERMINATED", "EXIT_USAGE", "UsageError",
    "main",
]

EXIT_OK = 0
"""No error-level problem (with ``--strict``: no problem at all)."""
EXIT_FAILED = 1
"""Problems were found, or a map does not load."""
EXIT_USAGE = 2
"""The command could not run as asked."""
EXIT_INTERRUPTED = 128 + 2
"""Interrupted with Ctrl-C (SIGINT)."""
EXIT_TERMINATED = 128 + 15
"""Ended by SIGTERM (handled as Ctrl-C is: the work unwinds, temporary files are removed)."""

CHECK_FORMATS = ("text", "github", "json", "sarif", "junit")
RENDER_FORMATS = ("svg", "pdf", "png", "dot")
PAGES = ("A4", "A3", "A2", "A1", "A0", "letter", "fit")
"""``render --page`` sizes (servicemap.drawing.PAGE_SIZES, and fit)."""
ANALYZE_FORMATS = ("text", "json", "csv")
REPORT_HINT = "please report this to the servicemap developers with the command and the map"
STDIO = "-"
"""As a path: standard input (a map to read) or standard output (where to write)."""
STDIN_NAME = "<stdin>"
"""The name of a map read from standard input, unless ``--stdin-filename`` gives one."""
DEFAULT_TIMEOUT = 60.0
"""Seconds Graphviz may take to draw a map, unless ``render --timeout`` says otherwise."""
MAX_TIMEOUT = 1e6
"""The largest ``render --timeout`` (about 11 days)."""


class UsageError(Exception):
    """The command line asks for something that cannot be done (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises :class:`UsageError` instead of exiting."""

    def error(self, message: str) -> NoReturn:
        hint = "" if "'servicemap " in message else f" (see '{self.prog} --help')"
        raise UsageError(f"{message}{hint}")


def _rule_list(value: str) -> list[str]:
    """Split ``--select``/``--ignore`` text into rule keys, each one checked.

    >>> _rule_list("SM1, dead-end")
    ['SM1', 'dead-end']
    """
    from .api import select_rules

    keys = [k.strip() for k in value.split(",") if k.strip()]
    if not keys:
        raise argparse.ArgumentTypeError("expected rule codes, code prefixes or names")
    for key in keys:
        try:
            select_rules([key])
        except KeyError:
            raise argparse.ArgumentTypeError(
                f"unknown rule {key!r}; 'servicemap rules' lists them") from None
    return keys


def _seconds(value: str) -> float:
    """``render --timeout``: a positive, finite number of seconds.

    >>> _seconds("2.5")
    2.5
    """
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= MAX_TIMEOUT):
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds above 0 and at most {MAX_TIMEOUT:g}, not {value!r}")
    return seconds


def _flatten(groups: list[list[str]] | None) -> list[str] | None:
    return None if groups is None else [k for group in groups for k in group]


def _stdin_filename_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stdin-filename", metavar="NAME",
                        help="the name of the map read from standard input ('-'), used in "
                             f"messages and to find the project configuration (default: "
                             f"{STDIN_NAME})")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``servicemap`` and its subcommands."""
    parser = _Parser(
        prog="servicemap",
        description="Check, analyse and draw service blueprints and process maps.",
        epilog="Exit status: 0 no error-level problem, 1 problems found (or a map does not "
               "load), 2 the command could not run as asked.",
    )
    parser.add_argument("--version", action="version", version=f"servicemap {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    _check_parser(commands)
    _render_parser(commands)
    _analyze_parser(commands)
    _simulate_parser(commands)
    _convert_parser(commands)
    _schema_and_rules_parsers(commands)
    return parser


def _check_parser(commands: Any) -> None:
    """The ``check`` subcommand."""
    check = commands.add_parser(
        "check", help="check maps for dead ends and other problems",
        description="Check map files. A folder means the *.yaml and *.yml files below it with "
                    "a top-level 'steps:' or 'servicemap:' key, less what the project's "
                    "exclude patterns and .gitignore files skip; '-' means standard input.",
    )
    check.add_argument("paths", nargs="+", metavar="PATH",
                       help="map files and folders; '-' reads a map from standard input")
    check.add_argument("--format", choices=CHECK_FORMATS, default=None,
                       help="report format (default: github when GITHUB_ACTIONS=true, "
                            "else text)")
    check.add_argument("--select", type=_rule_list, action="append", metavar="RULES",
                       help="only these rules: comma-separated codes, code prefixes (SM1) "
                            "or names")
    check.add_argument("--ignore", type=_rule_list, action="append", metavar="RULES",
                       help="not these rules (same form as --select)")
    check.add_argument("--strict", action="store_true",
                       help="fail (exit 1) on warnings too")
    check.add_argument("--output", "-o", metavar="FILE",
                       help="write the report to FILE instead of standard output ('-': "
                            "standard output)")
    check.add_argument("--rules-url", metavar="URL",
                       help="the rules reference page the sarif format's helpUri links point "
                            "into (default: the SERVICEMAP_RULES_URL environment variable, "
                            "then rules-url in [tool.servicemap])")
    check.add_argument("--force-exclude", action="store_true",
                       help="skip files named on the command line too if the project's "
                            "exclude patterns match them")
    check.add_argument("--approximate", action="store_true",
                       help="BPMN files: map unsupported elements as docs/bpmn.md says, a "
                            "warning each, instead of an error each")
    _stdin_filename_option(check)


def _render_parser(commands: Any) -> None:
    """The ``render`` subcommand."""
    render = commands.add_parser(
        "render", help="draw a map as SVG, PDF, PNG or DOT",
        description="Draw a map. A map that breaks check rules is still drawn (with a "
                    "warning); a map that does not load is not.",
    )
    render.add_argument("file", metavar="FILE",
                        help="the map file; '-' reads it from standard input")
    render.add_argument("-o", "--output", metavar="OUT",
                        help="output file, '-' for standard output (default: FILE with the "
                             "format's suffix; standard output for a map read from it)")
    render.add_argument("--format", choices=RENDER_FORMATS, default=None,
                        help="output format (default: from OUT's suffix, else svg)")
    render.add_argument("--highlight", action="store_true",
                        help="colour failure points and bottlenecks from the analysis")
    render.add_argument("--legend", action="store_true", help="add a legend of the symbols")
    render.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help="how long Graphviz may take to draw before it is stopped "
                             f"(default: {DEFAULT_TIMEOUT:g})")
    render.add_argument("--page", choices=PAGES, default=None, metavar="SIZE",
                        help="fit the drawing on a page: " + ", ".join(PAGES)
                             + " (landscape; scaled down to fit; fit: the drawing's own size)")
    render.add_argument("--portrait", action="store_true", help="turn --page upright")
    render.add_argument("--split", choices=("phase",), default=None,
                        help="an overview page, then a page per phase, joined by off-page "
                             "connectors (PDF: one file; SVG, PNG, DOT: OUT-1.svg, OUT-2.svg ...)")
    render.add_argument("--no-evidence", action="store_true",
                        help="leave out the physical evidence row")
    _stdin_filename_option(render)


def _analyze_parser(commands: Any) -> None:
    """The ``analyze`` subcommand."""
    analyze = commands.add_parser(
        "analyze", help="times, failure points and bottlenecks of a map",
        description="Analyse a map: lead and process time, failure points, bottlenecks.",
    )
    analyze.add_argument("file", metavar="FILE",
                         help="the map file; '-' reads it from standard input")
    analyze.add_argument("--arrivals", metavar="RATE",
                         help="cases entering the map: 40/h, 2.5/min, 300/d or a number "
                              "per hour (default: the map's own arrivals)")
    analyze.add_argument("--format", choices=ANALYZE_FORMATS, default="text",
                         help="output format (default: text)")
    analyze.add_argument("--what-if", metavar="CHANGE", action="append", dest="what_if",
                         help="compare the map before and after a change, STEP.FIELD=VALUE "
                              "(FIELD: duration, wait, capacity, accuracy, cost) or "
                              "arrivals=VALUE, e.g. solve.duration=-10%%, desk.capacity=+1; "
                              "repeat it to make several changes together")
    analyze.add_argument("--sensitivity", action="store_true",
                         help="rank the steps by the lead time a 10%% shorter duration, and "
                              "one more server, saves")
    analyze.add_argument("--percentile-cases", metavar="N", type=_cases, default=None,
                         help="cases simulated for the lead-time percentiles where they are "
                              "not exact (default: 10000; 0: no simulation)")
    _stdin_filename_option(analyze)


def _convert_parser(commands: Any) -> None:
    """The ``convert`` subcommand."""
    convert = commands.add_parser(
        "convert", help="convert a BPMN 2.0 file into a map, or a map into BPMN",
        description="Convert a BPMN 2.0 file (.bpmn) into a map in YAML, or a map into BPMN 2.0 "
                    "with diagram interchange when OUT ends in .bpmn (docs/bpmn.md).",
    )
    convert.add_argument("file", metavar="FILE", help="the .bpmn file, or a map")
    convert.add_argument("-o", "--output", metavar="OUT",
                         help="the file to write: a .bpmn name writes BPMN; else the map's "
                              "YAML ('-' or none: standard output)")
    convert.add_argument("--approximate", action="store_true",
                         help="map unsupported elements as docs/bpmn.md says, a warning each, "
                              "instead of an error each")


def _schema_and_rules_parsers(commands: Any) -> None:
    """The ``schema`` and ``rules`` subcommands."""
    schema = commands.add_parser("schema", help="print the JSON Schema of the map format",
                                 description="Print the JSON Schema of the map format.")
    schema.add_argument("-o", "--output", metavar="FILE",
                        help="write it to FILE instead ('-': standard output)")

    rules = commands.add_parser("rules", help="list the check rules",
                                description="List the check rules, or describe one.")
    rules.add_argument("rule", nargs="?", metavar="RULE",
                       help="a rule code or name: show its documentation")


def _refuse_inputs(output: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str]],
                   what: str) -> None:
    """Refuse (status 2, nothing written) an output that is one of the input files.

    The same file by any name counts: a symbolic or hard link, ``./map.yaml``.
    """
    if output is None or os.fspath(output) == STDIO:
        return
    from .api import same_file

    for name in inputs:
        if os.fspath(name) != STDIO and same_file(output, name):
            raise UsageError(f"the output {os.fspath(output)} is {what} ({os.fspath(name)}): "
                             "refusing to overwrite it; choose another output file")


def _encode(text: str) -> bytes:
    """``text`` as UTF-8; a file name that is not UTF-8 keeps its bytes (never an error).

    >>> _encode("caf\\udce9 \u00e9"), _encode("\\ud800")
    (b'caf\\xe9 \\xc3\\xa9', b'\\\\ud800')
    """
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace")


def _say(stream: IO[str], text: str) -> None:
    """Write ``text`` to a text stream; what its encoding cannot hold is written escaped."""
    try:
        stream.write(text)
    except UnicodeEncodeError:
        stream.write(text.encode("ascii", "backslashreplace").decode("ascii"))


def _write_file(output: str, data: bytes, stdout: IO[str]) -> None:
    """Write ``data`` to the file ``output``: atomically, or in place for a device or FIFO."""
    from .api import write_bytes_atomic

    stdout.flush()  # `-o /dev/stdout` writes to the same descriptor, after what is buffered
    try:
        write_bytes_atomic(output, data)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


def _write_text(text: str, output: str | None, stdout: IO[str]) -> None:
    """Write ``text`` to the file ``output``, or to ``stdout`` if it is ``None`` or ``-``."""
    if output is None or output == STDIO:
        _say(stdout, text)
    else:
        _write_file(output, _encode(text), stdout)


def _write_binary(data: bytes, stdout: IO[str]) -> None:
    """Write ``data`` to standard output: its bytes as they are, through ``stdout.buffer``."""
    buffer = getattr(stdout, "buffer", None)
    if buffer is not None:
        stdout.flush()
        buffer.write(data)
        buffer.flush()
        return
    try:
        stdout.write(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError("standard output takes only text here: write the drawing to a "
                         "file with -o FILE") from None


def _read_stdin() -> str | bytes:
    """Standard input: bytes if it has a binary buffer, else text.

    At most one byte (or character) more than a map may hold is read, so an
    endless input (``< /dev/zero``, ``yes |``) is refused as too large by the
    loader instead of filling the memory.
    """
    from .api import MAX_BYTES

    stream = sys.stdin
    if stream is None:
        raise UsageError("there is no standard input to read a map from")
    buffer = getattr(stream, "buffer", None)
    data: str | bytes = (buffer.read(MAX_BYTES + 1) if buffer is not None
                         else stream.read(MAX_BYTES + 1))
    return data


def _stdin_name(args: argparse.Namespace) -> str:
    """The name of the map on standard input: ``--stdin-filename`` or ``<stdin>``."""
    name: str | None = args.stdin_filename
    if name is not None and STDIO not in (args.paths if "paths" in args else [args.file]):
        raise UsageError("--stdin-filename names the map read from standard input: give '-' "
                         "as the map")
    return name or STDIN_NAME


def _config_for(args: argparse.Namespace, file: str) -> Config:
    """The project configuration of ``file`` (of ``--stdin-filename`` or ``.`` for ``-``)."""
    from .api import find_config

    if file != STDIO:
        return find_config(file)
    return find_config(args.stdin_filename or Path.cwd())


def _refused(exc: Exception) -> str:
    """Why the analysis refused a map, for the closing line.

    >>> from servicemap.problems import AnalysisError, Problem
    >>> _refused(AnalysisError([Problem("SM190", "parallel-not-nested", "error", "m")]))
    'has parallel work that does not nest into fork/join regions (servicemap simulate runs it)'
    """
    codes = {p.code for p in getattr(exc, "problems", [])}
    if codes == {"SM190"}:
        return ("has parallel work that does not nest into fork/join regions (servicemap "
                "simulate runs it)")
    return "has structural errors (fix them first)"


def _print_problems(problems: Sequence[Problem], stream: IO[str]) -> None:
    from .api import format_text

    _say(stream, format_text(problems, 1))


def _shown(text: object) -> str:
    """User text (a file name, a message) made safe for the terminal: one escape per control.

    >>> _shown("map\\x1b[2J.yaml\\n")
    'map\\\\x1b[2J.yaml\\\\n'
    """
    try:
        from .api import printable
    except Exception:  # pragma: no cover - a broken installation; still say something
        return repr(str(text))[1:-1]
    return printable(str(text))


def _rules_url(args: argparse.Namespace) -> str | None:
    """The rules reference URL of ``check``: ``--rules-url``, the environment, the project's.

    An unusable ``--rules-url`` is a usage error; an unusable environment
    variable is passed over, as it always was.
    """
    from .api import RULES_URL_ENV, find_config, rules_reference_url

    if args.rules_url is not None:
        url = rules_reference_url(args.rules_url)
        if url is None:
            raise UsageError(f"argument --rules-url: expected an absolute https, http or file "
                             f"URL, not {args.rules_url!r}")
        return url
    from_env = rules_reference_url(os.environ.get(RULES_URL_ENV, ""))
    if from_env is not None:
        return from_env
    return rules_reference_url(find_config(Path.cwd()).rules_url or "")


def _check_stdin(args: argparse.Namespace) -> tuple[str, list[Problem]] | None:
    """Check the map on standard input: its name and problems (``None``: excluded)."""
    from .api import LoadError, check, is_excluded, loads

    name = _stdin_name(args)
    if args.force_exclude and args.stdin_filename and is_excluded(args.stdin_filename):
        return None
    config = _config_for(args, STDIO)
    data = _read_stdin()
    try:
        bp = loads(data, name)
    except LoadError as exc:
        return name, list(exc.problems)
    return name, check(bp, select=_flatten(args.select), ignore=_flatten(args.ignore),
                       config=config)


def _cmd_check(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .api import REPORT_FORMATS as FORMATS
    from .api import check_files, collect_files, format_sarif, summary

    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    _stdin_name(args)
    paths = [p for p in args.paths if p != STDIO]
    try:
        files = collect_files(paths, force_exclude=args.force_exclude)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    _refuse_inputs(args.output, files, "a map being checked")
    rules_url = _rules_url(args) if fmt == "sarif" else None
    result = check_files(files, select=_flatten(args.select), ignore=_flatten(args.ignore),
                         approximate=args.approximate)
    names, problems = [str(f) for f in files], result.problems
    from_stdin = _check_stdin(args) if STDIO in args.paths else None
    if from_stdin is not None:
        names.append(from_stdin[0])
        problems = [*problems, *from_stdin[1]]
    if not names:
        stderr.write("servicemap: warning: no map files (*.yaml, *.yml) found in "
                     f"{_shown(', '.join(args.paths))}\n")
    report = (format_sarif(problems, names, rules_url=rules_url) if fmt == "sarif"
              else FORMATS[fmt](problems, names))
    _write_text(report, args.output, stdout)
    if args.output not in (None, STDIO):
        stdout.write(f"{summary(problems, names)} (report written to {_shown(args.output)})\n")
    errors = any(p.level == "error" for p in problems)
    return EXIT_FAILED if errors or (args.strict and problems) else EXIT_OK


def _load_for(command: str, args: argparse.Namespace,
              stderr: IO[str]) -> tuple[Blueprint, str] | None:
    """Load the map ``args.file`` (``-``: standard input) and return it with its name.

    Returns ``None`` after printing its problems if it does not load.
    """
    from .api import LoadError, load, loads

    file: str = args.file
    stdin_name = _stdin_name(args)  # also refuses --stdin-filename without '-'
    name = stdin_name if file == STDIO else file
    if file != STDIO and not Path(file).is_file():
        raise UsageError(f"no such file: {file}" if not Path(file).exists()
                         else f"not a file: {file}")
    try:
        return (loads(_read_stdin(), name) if file == STDIO else load(file)), name
    except LoadError as exc:
        _print_problems(exc.problems, stderr)
        stderr.write(f"servicemap: {_shown(name)} does not load; nothing to {command}\n")
        return None


def _render_format(args: argparse.Namespace) -> tuple[str, Path | None]:
    """The format and the file to write (``None``: standard output)."""
    if args.output is None or args.output == STDIO:
        fmt = args.format or "svg"
        if args.output is None and args.file != STDIO:
            return fmt, Path(args.file).with_suffix(f".{fmt}")
        return fmt, None
    out = Path(args.output)
    suffix = out.suffix.lower().lstrip(".")
    if args.format is not None:
        if suffix in RENDER_FORMATS and suffix != args.format:
            raise UsageError(f"output {args.output} does not match --format {args.format}")
        return args.format, out
    if suffix not in RENDER_FORMATS:
        raise UsageError(f"cannot tell the format of {args.output}: give --format "
                         f"({', '.join(RENDER_FORMATS)}) or a suffix such as .svg")
    return suffix, out


def _cmd_render(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .api import AnalysisError, RenderError, RenderWarning, check, summary

    fmt, out = _render_format(args)
    _refuse_inputs(out, [args.file], "the map being drawn")
    loaded = _load_for("render", args, stderr)
    if loaded is None:
        return EXIT_FAILED
    bp, name = loaded
    problems = check(bp, config=_config_for(args, args.file))  # the one check of this command
    try:
        from .api import render  # noqa: F401  (is drawing available?)
    except ImportError as exc:
        raise UsageError(f"rendering is not available: {exc} (it needs pygraphviz and "
                         "Graphviz)") from None
    try:
        if out is not None:
            stdout.flush()  # `-o /dev/stdout` writes to the same descriptor
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RenderWarning)
            written, data = _draw(bp, out, fmt, args, problems)
        for warning in caught:
            if not issubclass(warning.category, RenderWarning):
                warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                       warning.lineno)
                continue
            stderr.write(f"servicemap: warning: {_one_line(str(warning.message))}\n")
    except AnalysisError as exc:
        _print_problems(exc.problems, stderr)
        stderr.write(f"servicemap: {_shown(name)} {_refused(exc)}, so --highlight cannot "
                     "analyse it; nothing drawn (without --highlight it is drawn with the "
                     "problems marked)\n")
        return EXIT_FAILED
    except RenderError as exc:
        hint = (f"; render --timeout SECONDS allows more than {args.timeout:g} s"
                if "timeout" in str(exc) else "")
        raise UsageError(f"cannot render {name}: {_one_line(str(exc))}{hint}") from None
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    if problems:
        again = f"servicemap check {name}" if args.file != STDIO else "servicemap check -"
        stderr.write(f"servicemap: warning: {_shown(name)}: {summary(problems, 1)}; drawn "
                     f"anyway with the steps concerned marked (see '{_shown(again)}')\n")
    if out is None:
        _write_binary(data, stdout)
    else:
        for file in written:
            stdout.write(f"wrote {_shown(file)}\n")
    return EXIT_OK


def _draw(bp: Blueprint, out: Path | None, fmt: str, args: argparse.Namespace,
          problems: list[Problem]) -> tuple[list[Path], bytes]:
    """Draw as ``render``'s options say: the files written and the (first page's) bytes."""
    from .api import page_paths, render, render_pages

    options: dict[str, Any] = {
        "format": fmt, "highlight": args.highlight, "legend": args.legend,
        "problems": problems, "timeout": args.timeout, "page": args.page,
        "portrait": args.portrait, "evidence": not args.no_evidence}
    if args.split is None:
        return [out] if out is not None else [], render(bp, out, **options)
    if out is None and fmt != "pdf":
        raise UsageError(f"--split draws one {fmt} file per page: give -o FILE (or draw pdf)")
    pages = render_pages(bp, out, split=args.split, **options)
    if out is None:
        return [], pages[0]
    return ([out] if fmt == "pdf" else page_paths(out, len(pages))), pages[0]


def _parse_rate(text: str) -> Rate:
    """The rate of ``--arrivals`` text (kept as a rate: under a working calendar ``40/d``
    is per working day).

    >>> _parse_rate("2.5/min").per_hour, _parse_rate("40").per_hour
    (150.0, 40.0)
    """
    from .api import parse_rate

    value: object = text
    with contextlib.suppress(ValueError):
        value = float(text)
    try:
        return parse_rate(value)
    except ValueError:
        raise UsageError(f"argument --arrivals: cannot read {text!r}: expected a rate such as "
                         "40/h, 2.5/min or 300/d, or a number of cases per hour") from None


def _cmd_analyze(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    rate = _parse_rate(args.arrivals) if args.arrivals is not None else None
    if args.what_if or args.sensitivity:
        if args.percentile_cases is not None:
            raise UsageError("--percentile-cases is for the analysis report: --what-if and "
                             "--sensitivity give no percentiles")
        return _cmd_what_if(args, rate, stdout, stderr)
    loaded = _load_for("analyze", args, stderr)
    if loaded is None:
        return EXIT_FAILED
    bp, name = loaded
    from .api import AnalysisError, analyze

    try:
        result = (analyze(bp, arrivals=rate) if args.percentile_cases is None
                  else analyze(bp, arrivals=rate, percentile_cases=args.percentile_cases))
    except AnalysisError as exc:
        _print_problems(exc.problems, stderr)
        stderr.write(f"servicemap: {_shown(name)} {_refused(exc)}; it cannot be analysed\n")
        return EXIT_FAILED
    except ValueError as exc:
        stderr.write(f"servicemap: {_shown(name)} cannot be analysed: {_shown(exc)}\n")
        return EXIT_FAILED
    if args.format == "json":
        text = result.to_json()
    elif args.format == "csv":
        text = result.to_csv()
    else:  # a report for people: the map's own text shown escaped, lines kept
        from .api import printable

        text = printable(_shown_analysis(result).to_text(), keep="\n")
    _say(stdout, text if text.endswith("\n") else text + "\n")
    unbounded = result.summary.lead_time_unbounded
    if unbounded is not None:  # an overloaded step: the queue grows without bound
        stderr.write(f"servicemap: {_shown(name)}: lead time is unbounded: {unbounded}; "
                     "add capacity or lower the arrivals\n")
        return EXIT_FAILED
    return EXIT_OK


def _cmd_what_if(args: argparse.Namespace, rate: Rate | None, stdout: IO[str],
                 stderr: IO[str]) -> int:
    """``analyze --what-if`` and ``--sensitivity``: a before/after table, a ranking."""
    from . import ChangeError
    from .api import AnalysisError, parse_change, printable, sensitivity, what_if

    if args.format == "csv":
        raise UsageError("--what-if and --sensitivity print text or json, not csv")
    try:  # every change read before the map: a typo is a usage error whatever the map
        changes = [parse_change(text) for text in args.what_if or ()]
    except ChangeError as exc:
        raise UsageError(f"argument --what-if: {exc}") from None
    loaded = _load_for("analyze", args, stderr)
    if loaded is None:
        return EXIT_FAILED
    bp, name = loaded
    try:
        compared = what_if(bp, changes, arrivals=rate) if changes else None
        ranking = sensitivity(bp, arrivals=rate) if args.sensitivity else None
    except ChangeError as exc:
        raise UsageError(f"argument --what-if: {exc}") from None
    except AnalysisError as exc:
        _print_problems(exc.problems, stderr)
        stderr.write(f"servicemap: {_shown(name)} {_refused(exc)}; it cannot be analysed\n")
        return EXIT_FAILED
    results = [r for r in (compared, ranking) if r is not None]
    if args.format == "json":
        import json

        data = {"what_if": compared.to_dict() if compared else None,
                "sensitivity": ranking.to_dict() if ranking else None}
        text = json.dumps({k: v for k, v in data.items() if v is not None}, indent=2,
                          allow_nan=False)
    else:
        text = "\n".join(printable(r.to_text(), keep="\n") for r in results)
    _say(stdout, text if text.endswith("\n") else text + "\n")
    unbounded = compared.after.lead_time_unbounded if compared else None
    if unbounded is not None:  # as analyze: the changed map's queue grows without bound
        stderr.write(f"servicemap: {_shown(name)}: after the changes the lead time is "
                     f"unbounded: {unbounded}\n")
        return EXIT_FAILED
    return EXIT_OK


def _shown_analysis(result: Analysis) -> Analysis:
    """The analysis with the map's own text in it (its name, reasons, notes) escaped.

    Escaping the finished report could not tell a newline in a map's name or
    a branch label from the report's own line breaks; escaping the parts
    first can. Step ids need nothing: they are identifiers.
    """
    from .api import printable

    points = [dataclasses.replace(fp, reasons=[printable(r) for r in fp.reasons])
              for fp in result.failure_points]
    return dataclasses.replace(result, name=printable(result.name), failure_points=points,
                               notes=[printable(n) for n in result.notes])


def _cmd_convert(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .api import LoadError, convert

    file: str = args.file
    if not Path(file).is_file():
        raise UsageError(f"no such file: {file}" if not Path(file).exists()
                         else f"not a file: {file}")
    _refuse_inputs(args.output, [file], "the file being converted")
    to_bpmn = args.output is not None and Path(args.output).suffix.lower() == ".bpmn"
    try:
        bp, warnings = convert(file, args.output if to_bpmn else None,
                               approximate=args.approximate)
    except LoadError as exc:
        _print_problems(exc.problems, stderr)
        stderr.write(f"servicemap: {_shown(file)} does not convert; nothing written\n")
        return EXIT_FAILED
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _print_problems(warnings, stderr)
    if not to_bpmn:
        _write_text(bp.to_yaml(), args.output, stdout)
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .api import schema_json

    _write_text(schema_json(), args.output, stdout)
    return EXIT_OK


def _cmd_rules(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .api import RULES, rule_by_key, summary_of

    if args.rule is not None:
        try:
            rule = rule_by_key(args.rule)
        except KeyError:
            raise UsageError(f"unknown rule {args.rule!r}; 'servicemap rules' lists them") from None
        _say(stdout, f"{rule.code} {rule.name} ({rule.level})\n\n{rule.doc.replace('``', '`')}\n")
        return EXIT_OK
    width = max(len(r.name) for r in RULES)
    for rule in RULES:
        summary = summary_of(rule).replace("`", "")
        stdout.write(f"{rule.code}  {rule.name:<{width}}  {rule.level:<7}  {summary}\n")
    return EXIT_OK


def _whole_at_least(low: int) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number ``>= low``.

    >>> _whole_at_least(0)("20_000"), _whole_at_least(1)("3")
    (20000, 3)
    >>> _whole_at_least(1)("0")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: 0 is below 1
    """
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is below {low}")
        return value
    return parse


_cases = _whole_at_least(0)  # --percentile-cases
_count = _whole_at_least(1)  # --cases, --replications, --workers


def _simulate_parser(commands: Any) -> None:
    simulate = commands.add_parser(
        "simulate", help="simulate a map case by case: lead-time percentiles, waits, WIP",
        description="Simulate a map with simpy: independent replications, 95%% confidence "
                    "intervals; the same seed gives the same numbers on any number of cores.",
    )
    simulate.add_argument("file", metavar="FILE",
                          help="the map file; '-' reads it from standard input")
    simulate.add_argument("--cases", type=_count, default=100_000,
                          help="cases measured, all replications together (default: 100000)")
    simulate.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    simulate.add_argument("--replications", type=_count, default=10,
                          help="independent replications (default: 10)")
    simulate.add_argument("--warmup", type=int, default=None, metavar="CASES",
                          help="cases simulated first in each replication and not measured "
                               "(default: a tenth of a replication's cases)")
    simulate.add_argument("--arrivals", metavar="RATE",
                          help="cases entering the map (default: the map's own arrivals)")
    simulate.add_argument("--workers", type=_count, default=None,
                          help="processes (default: one per core)")
    simulate.add_argument("--event-log", metavar="OUT", default=None,
                          help="write the first replication's cases to OUT.csv or OUT.xes")
    simulate.add_argument("--format", choices=ANALYZE_FORMATS, default="text",
                          help="output format (default: text)")
    _stdin_filename_option(simulate)


def _progress(stderr: IO[str]) -> Any:
    """A progress indicator on standard error when it is a terminal, else None."""
    if not (hasattr(stderr, "isatty") and stderr.isatty()):
        return None

    def show(done: int, total: int) -> None:
        stderr.write(f"\rsimulating: {done}/{total} replications" + ("\n" if done == total
                                                                        else ""))
        stderr.flush()

    return show


def _cmd_simulate(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    rate = _parse_rate(args.arrivals) if args.arrivals is not None else None
    loaded = _load_for("simulate", args, stderr)
    if loaded is None:
        return EXIT_FAILED
    bp, name = loaded
    from .api import AnalysisError, printable, simulate

    try:
        result = simulate(bp, cases=args.cases, seed=args.seed, replications=args.replications,
                          warmup=args.warmup, arrivals=rate, workers=args.workers,
                          event_log=args.event_log, progress=_progress(stderr))
    except AnalysisError as exc:
        _print_problems(exc.problems, stderr)
        stderr.write(f"servicemap: {_shown(name)} {_refused(exc)}; it cannot be simulated\n")
        return EXIT_FAILED
    except (ValueError, OSError) as exc:
        stderr.write(f"servicemap: {_shown(name)} cannot be simulated: {_shown(exc)}\n")
        return EXIT_FAILED
    if args.format == "json":
        text = result.to_json()
    elif args.format == "csv":
        text = result.to_csv()
    else:
        text = printable(result.to_text(), keep="\n")
    _say(stdout, text if text.endswith("\n") else text + "\n")
    return EXIT_OK


_COMMANDS = {
    "check": _cmd_check,
    "render": _cmd_render,
    "analyze": _cmd_analyze,
    "simulate": _cmd_simulate,
    "convert": _cmd_convert,
    "schema": _cmd_schema,
    "rules": _cmd_rules,
}


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it unwinds as it does on Ctrl-C."""


def _on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:
    raise _Terminated


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Handle SIGTERM like Ctrl-C while the command runs (in the main thread only)."""
    if (not hasattr(signal, "SIGTERM")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except (OSError, ValueError):  # pragma: no cover - signals not available here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``servicemap`` with ``argv`` (default: the process's arguments); return the status.

    Statuses: 0 no error-level problem (with ``--strict``: none at all), 1
    problems found or a map that does not load, 2 the command could not run
    as asked (usage error, missing or unreadable path, bad ``--arrivals``,
    failed render, or an internal error), 130 interrupted by Ctrl-C, 143
    ended by SIGTERM (handled as Ctrl-C: temporary files are removed, no
    output is left half-written). Errors are one line on standard error,
    ``servicemap: error: ...``, with user text in it escaped; set
    ``SERVICEMAP_TRACEBACK=1`` to see the traceback of an internal error.

    Example:
        >>> main(["rules"]) == 0  # doctest: +ELLIPSIS
        SM001  yaml-syntax ...
        True
    """
    stdout, stderr = sys.stdout, sys.stderr
    with _sigterm_as_interrupt():
        return _main(argv, stdout, stderr)


def _main(argv: Sequence[str] | None, stdout: IO[str], stderr: IO[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError("a command is required: check, render, analyze, simulate, convert, "
                             "schema or rules (see 'servicemap --help')")
        status = _COMMANDS[args.command](args, stdout, stderr)
        stdout.flush()
        return status
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except UsageError as exc:
        stderr.write(f"servicemap: error: {_shown(exc)}\n")
    except ValueError as exc:  # checking.ConfigError: a bad [tool.servicemap] table
        for line in getattr(exc, "errors", None) or [str(exc)]:  # a ConfigError's: all
            stderr.write(f"servicemap: error: {_shown(_one_line(line))}\n")
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        _silence(stdout)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        stderr.write(f"servicemap: error: {_shown(where)}{_shown(exc.strerror or exc)}\n")
    except _Terminated:
        stderr.write("servicemap: terminated\n")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        stderr.write("servicemap: interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:  # an internal error: never a traceback unless asked for
        if os.environ.get("SERVICEMAP_TRACEBACK"):
            traceback.print_exc(file=stderr)
        stderr.write(f"servicemap: error: internal error ({type(exc).__name__}: "
                     f"{_shown(_one_line(str(exc)))}); {REPORT_HINT}\n")
    return EXIT_USAGE


def _silence(stream: IO[str]) -> None:
    """Point a closed output at /dev/null, so Python's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError):  # not a real file (e.g. captured in tests)
        pass


def _one_line(text: str) -> str:
    """The first line of a message.

    >>> _one_line("first\\nsecond")
    'first'
    """
    return text.strip().splitlines()[0] if text.strip() else ""
