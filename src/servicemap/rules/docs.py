"""The rules reference (``docs/rules.md``), written from the rule modules' docstrings."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

from . import RULES, summary_of
from .base import Rule

__all__ = ["RuleExamples", "doc_markdown", "main", "rule_examples", "rules_markdown"]

_INTRO = (
    "`servicemap check` reports these problems. Loading problems (SM0xx) stop a file "
    "from being checked further; the others are found on maps that load. Select or "
    "ignore rules by code, code prefix (`SM1`) or name, per run (`--select`, "
    "`--ignore`, `--strict`), per project (`[tool.servicemap]` in `pyproject.toml`: "
    "`select`, `ignore`, `levels`) or per step (`ignore: [dead-end]`). Every example "
    "below is a complete map: each failing one breaks its own rule and no other, each "
    "passing one breaks none."
)

_EXAMPLE = re.compile(r"^(Failing|Passing) example::\n\n((?:(?:    .*)?\n)+)", re.MULTILINE)


class RuleExamples(NamedTuple):
    """The two maps a rule's docstring shows, as YAML text."""

    failing: str
    passing: str


def rule_examples(rule: Rule) -> RuleExamples:
    """The ``Failing example::`` and ``Passing example::`` maps of a rule's docstring.

    >>> from servicemap.rules import rule_by_key
    >>> rule_examples(rule_by_key("no-start")).passing.splitlines()[0]
    'name: Service desk'

    Raises:
        ValueError: if the docstring lacks one of the two examples.
    """
    found = {kind: textwrap.dedent(block).strip("\n") + "\n"
             for kind, block in _EXAMPLE.findall(rule.doc + "\n")}
    missing = [kind for kind in ("Failing", "Passing") if kind not in found]
    if missing:
        raise ValueError(f"{rule}: the docstring has no {' or '.join(missing)} example")
    return RuleExamples(found["Failing"], found["Passing"])


def doc_markdown(doc: str) -> str:
    """A docstring body in Markdown: reST literal blocks (``Example::`` + indent) as fenced YAML.

    >>> print(doc_markdown("Example::\\n\\n    a: 1\\n\\nText."))
    Example:
    <BLANKLINE>
    ```yaml
    a: 1
    ```
    <BLANKLINE>
    Text.
    """
    out: list[str] = []
    in_block = False
    for line in doc.replace("``", "`").splitlines():
        if in_block:
            if line.startswith("    ") or not line.strip():
                out.append(line[4:])
                continue
            _close_block(out)
            out.append("")
            in_block = False
        if line.endswith("::"):
            out += [line[:-1], "", "```yaml"]
            in_block = True
            continue
        out.append(line)
    if in_block:
        _close_block(out)
    return "\n".join(out).replace("```yaml\n\n", "```yaml\n")


def _close_block(out: list[str]) -> None:
    """End the fenced block at the end of ``out``, dropping its trailing blank lines."""
    while out and not out[-1].strip():
        out.pop()
    out.append("```")


def rules_markdown() -> str:
    """The rules reference (``docs/rules.md``), written from the rules' own docstrings."""
    out = [
        "# Check rules",
        "",
        "<!-- Generated from the rule modules' docstrings by "
        "`python -m servicemap.rules.docs docs/rules.md`;"
        " tests/test_docs.py keeps it current. -->",
        "",
        _INTRO,
        "",
        "| code | name | level | finds |",
        "|---|---|---|---|",
    ]
    out += [f"| [{r.code}](#{r.code.lower()}-{r.name}) | `{r.name}` | {r.level} | "
            f"{summary_of(r)} |" for r in RULES]
    for r in RULES:
        body = doc_markdown(r.doc.split("\n", 1)[1].strip() if "\n" in r.doc else "")
        out += ["", f"## {r.code} {r.name}", "", f"*{r.level}* — {summary_of(r)}", "", body]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the rules reference to the file named in ``argv`` (default: standard output)."""
    args = sys.argv[1:] if argv is None else argv
    text = rules_markdown()
    if args:
        Path(args[0]).write_text(text, encoding="utf-8", newline="\n")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover - python -m servicemap.rules.docs
    raise SystemExit(main())
