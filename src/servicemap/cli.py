"""The ``servicemap`` command: check, render, analyze, schema and rules."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

from . import __version__

if TYPE_CHECKING:
    from .model import Blueprint
    from .problems import Problem

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "UsageError", "main"]

EXIT_OK = 0
"""No error-level problem (with ``--strict``: no problem at all)."""
EXIT_FAILED = 1
"""Problems were found, or a map does not load."""
EXIT_USAGE = 2
"""The command could not run as asked."""

CHECK_FORMATS = ("text", "github", "json", "sarif", "junit")
RENDER_FORMATS = ("svg", "pdf", "png", "dot")
ANALYZE_FORMATS = ("text", "json", "csv")
REPORT_URL = "https://github.com/servicemap/servicemap/issues"


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


def _flatten(groups: list[list[str]] | None) -> list[str] | None:
    return None if groups is None else [k for group in groups for k in group]


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

    check = commands.add_parser(
        "check", help="check maps for dead ends and other problems",
        description="Check map files; a folder means every *.yaml and *.yml file below it.",
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="map files and folders")
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
                       help="write the report to FILE instead of standard output")

    render = commands.add_parser(
        "render", help="draw a map as SVG, PDF, PNG or DOT",
        description="Draw a map. A map that breaks check rules is still drawn (with a "
                    "warning); a map that does not load is not.",
    )
    render.add_argument("file", metavar="FILE", help="the map file")
    render.add_argument("-o", "--output", metavar="OUT",
                        help="output file (default: FILE with the format's suffix)")
    render.add_argument("--format", choices=RENDER_FORMATS, default=None,
                        help="output format (default: from OUT's suffix, else svg)")
    render.add_argument("--highlight", action="store_true",
                        help="colour failure points and bottlenecks from the analysis")
    render.add_argument("--legend", action="store_true", help="add a legend of the symbols")

    analyze = commands.add_parser(
        "analyze", help="times, failure points and bottlenecks of a map",
        description="Analyse a map: lead and process time, failure points, bottlenecks.",
    )
    analyze.add_argument("file", metavar="FILE", help="the map file")
    analyze.add_argument("--arrivals", metavar="RATE",
                         help="cases entering the map: 40/h, 2.5/min, 300/d or a number "
                              "per hour (default: the map's own arrivals)")
    analyze.add_argument("--format", choices=ANALYZE_FORMATS, default="text",
                         help="output format (default: text)")

    schema = commands.add_parser("schema", help="print the JSON Schema of the map format",
                                 description="Print the JSON Schema of the map format.")
    schema.add_argument("-o", "--output", metavar="FILE", help="write it to FILE instead")

    rules = commands.add_parser("rules", help="list the check rules",
                                description="List the check rules, or describe one.")
    rules.add_argument("rule", nargs="?", metavar="RULE",
                       help="a rule code or name: show its documentation")
    return parser


def _write(text: str, output: str | None, stdout: IO[str]) -> None:
    """Write ``text`` to the file ``output`` (replaced atomically) or to ``stdout``."""
    if output is None:
        stdout.write(text)
        return
    target = Path(output)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _print_problems(problems: Sequence[Problem], stream: IO[str]) -> None:
    from .api import format_text

    stream.write(format_text(problems, 1))


def _cmd_check(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .api import REPORT_FORMATS as FORMATS
    from .api import check_files, collect_files, summary

    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    try:
        files = collect_files(args.paths)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    if not files:
        stderr.write("servicemap: warning: no map files (*.yaml, *.yml) found in "
                     f"{', '.join(args.paths)}\n")
    result = check_files(files, select=_flatten(args.select), ignore=_flatten(args.ignore))
    names = [str(f) for f in files]
    _write(FORMATS[fmt](result.problems, names), args.output, stdout)
    if args.output is not None:
        stdout.write(f"{summary(result.problems, names)} (report written to {args.output})\n")
    failed = result.errors > 0 or (args.strict and bool(result.problems))
    return EXIT_FAILED if failed else EXIT_OK


def _load_for(command: str, file: str, stderr: IO[str]) -> Blueprint | None:
    """Load a map; print its problems and return ``None`` if it does not load."""
    from .api import LoadError, load

    if not Path(file).is_file():
        raise UsageError(f"no such file: {file}" if not Path(file).exists()
                         else f"not a file: {file}")
    try:
        return load(file)
    except LoadError as exc:
        _print_problems(exc.problems, stderr)
        stderr.write(f"servicemap: {file} does not load; nothing to {command}\n")
        return None


def _render_format(args: argparse.Namespace) -> tuple[str, Path]:
    if args.output is None:
        fmt = args.format or "svg"
        return fmt, Path(args.file).with_suffix(f".{fmt}")
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
    from .api import RenderError, check, find_config, summary

    fmt, out = _render_format(args)
    bp = _load_for("render", args.file, stderr)
    if bp is None:
        return EXIT_FAILED
    problems = check(bp, config=find_config(args.file))
    if problems:
        stderr.write(f"servicemap: warning: {args.file}: {summary(problems, 1)}; drawn anyway "
                     f"with the steps concerned marked (see 'servicemap check {args.file}')\n")
    try:
        from .api import render
    except ImportError as exc:
        raise UsageError(f"rendering is not available: {exc} (it needs pygraphviz and "
                         "Graphviz)") from None
    try:
        render(bp, out, format=fmt, highlight=args.highlight, legend=args.legend,
               problems=problems)
    except RenderError as exc:
        raise UsageError(f"cannot render {args.file}: {_one_line(str(exc))}") from None
    stdout.write(f"wrote {out}\n")
    return EXIT_OK


def _parse_rate(text: str) -> float:
    """Cases per hour from ``--arrivals`` text.

    >>> _parse_rate("2.5/min"), _parse_rate("40")
    (150.0, 40.0)
    """
    from .api import parse_rate

    value: object = text
    with contextlib.suppress(ValueError):
        value = float(text)
    try:
        return parse_rate(value).per_hour
    except ValueError:
        raise UsageError(f"argument --arrivals: cannot read {text!r}: expected a rate such as "
                         "40/h, 2.5/min or 300/d, or a number of cases per hour") from None


def _cmd_analyze(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    rate = _parse_rate(args.arrivals) if args.arrivals is not None else None
    bp = _load_for("analyze", args.file, stderr)
    if bp is None:
        return EXIT_FAILED
    from .api import AnalysisError, analyze

    try:
        result = analyze(bp, arrivals=rate)
    except AnalysisError as exc:
        _print_problems(exc.problems, stderr)
        stderr.write(f"servicemap: {args.file} has structural errors; fix them to analyse it\n")
        return EXIT_FAILED
    except ValueError as exc:
        stderr.write(f"servicemap: {args.file} cannot be analysed: {exc}\n")
        return EXIT_FAILED
    if args.format == "json":
        text = result.to_json()
    elif args.format == "csv":
        text = result.to_csv()
    else:
        text = result.to_text()
    stdout.write(text if text.endswith("\n") else text + "\n")
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .api import schema_json

    _write(schema_json(), args.output, stdout)
    return EXIT_OK


def _cmd_rules(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    from .api import RULES, rule_by_key, summary_of

    if args.rule is not None:
        try:
            rule = rule_by_key(args.rule)
        except KeyError:
            raise UsageError(f"unknown rule {args.rule!r}; 'servicemap rules' lists them") from None
        stdout.write(f"{rule.code} {rule.name} ({rule.level})\n\n{rule.doc.replace('``', '`')}\n")
        return EXIT_OK
    width = max(len(r.name) for r in RULES)
    for rule in RULES:
        summary = summary_of(rule).replace("`", "")
        stdout.write(f"{rule.code}  {rule.name:<{width}}  {rule.level:<7}  {summary}\n")
    return EXIT_OK


_COMMANDS = {
    "check": _cmd_check,
    "render": _cmd_render,
    "analyze": _cmd_analyze,
    "schema": _cmd_schema,
    "rules": _cmd_rules,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``servicemap`` with ``argv`` (default: the process's arguments); return the status.

    Statuses: 0 no error-level problem (with ``--strict``: none at all), 1
    problems found or a map that does not load, 2 the command could not run
    as asked (usage error, missing or unreadable path, bad ``--arrivals``,
    failed render, or an internal error). Errors are one line on standard
    error, ``servicemap: error: ...``; set ``SERVICEMAP_TRACEBACK=1`` to see
    the traceback of an internal error.

    Example:
        >>> main(["rules"]) == 0  # doctest: +ELLIPSIS
        SM001  yaml-syntax ...
        True
    """
    stdout, stderr = sys.stdout, sys.stderr
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError("a command is required: check, render, analyze, schema or rules "
                             "(see 'servicemap --help')")
        status = _COMMANDS[args.command](args, stdout, stderr)
        stdout.flush()
        return status
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except UsageError as exc:
        stderr.write(f"servicemap: error: {exc}\n")
    except ValueError as exc:  # checking.ConfigError: a bad [tool.servicemap] table
        stderr.write(f"servicemap: error: {_one_line(str(exc))}\n")
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        _silence(stdout)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        stderr.write(f"servicemap: error: {where}{exc.strerror or exc}\n")
    except KeyboardInterrupt:
        stderr.write("servicemap: interrupted\n")
        return 130
    except Exception as exc:  # an internal error: never a traceback unless asked for
        if os.environ.get("SERVICEMAP_TRACEBACK"):
            traceback.print_exc(file=stderr)
        stderr.write(f"servicemap: error: internal error ({type(exc).__name__}: "
                     f"{_one_line(str(exc))}); please report this at {REPORT_URL}\n")
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
