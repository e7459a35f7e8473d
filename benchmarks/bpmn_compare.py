"""Comparison: servicemap check and npm bpmnlint (recommended rules) over public BPMN files.

    npm install --prefix /tmp/bpmnlint bpmnlint     # once; not a dependency of servicemap
    python benchmarks/bpmn_compare.py [FILE_OR_FOLDER ...] [--bpmnlint /tmp/bpmnlint]

Without arguments it reads every ``*.bpmn`` under tests/data/bpmn (the MIWG
reference models, bpmnlint's rule fixtures, camunda-bpm-examples processes
and servicemap's own cases; tests/data/bpmn/README.md says where each comes
from). A folder is searched recursively, so a checkout of
camunda/camunda-bpm-examples can be passed as it is.

For each file it prints one row: whether servicemap imported it or refused it
(the codes and the first reason), the problems ``servicemap check`` found
(codes, ``(w)`` for a warning), bpmnlint's verdict (rules with their reports,
``(w)`` for warnings; import errors and warnings), whether the two differ on the
flow's structure (one reports a structural error the other does not: refusals
and error-level problems for servicemap; errors of bpmnlint's rules other than
the presentation rules in ``PRESENTATION``, and import errors, for bpmnlint),
and, where they differ, who is right: the judgement written below in
``VERDICTS`` after reading the file, or "not reviewed" for a file nobody has
read yet. A summary follows the table.

With ``--exports`` it lints servicemap's own exports instead: every
examples/*.yaml map converted to BPMN (``servicemap convert map.yaml -o
map.bpmn``), one row per example with every bpmnlint finding, so an export
that a modeler's linter complains about shows here.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import servicemap as sm
from servicemap.api import convert
from servicemap.problems import LoadError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "bpmn"

PRESENTATION = frozenset({"label-required", "no-bpmndi", "no-overlapping-elements",
                          "superfluous-label", "global", "single-event-definition"})
"""bpmnlint's rules about names, drawing and modelling style: not the flow's structure, so
left out of the comparison (servicemap has its own label rules, SM2xx, SM303)."""

_NO_LISTS = ("servicemap: every flow node is joined by sequence flows (sourceRef, targetRef); "
             "the file has no incoming/outgoing lists on its nodes (optional in BPMN 2.0), "
             "and bpmnlint reads connections from those lists only")
VERDICTS: dict[str, str] = {
    "camunda-resolve-bean.bpmn": _NO_LISTS,
    "EjbExpressionResolvingTest.testResolveBean.bpmn": _NO_LISTS,
    "SpringExpressionResolvingTest.testResolveBean.bpmn": _NO_LISTS,
    "SpringExpressionResolvingTest.testResolveBeanFromJobExecutor.bpmn": _NO_LISTS,
    "groups.bpmn": _NO_LISTS + " (servicemap's SM302 warnings: two steps outside any phase)",
    "parallel.bpmn": _NO_LISTS,
    "miwg-A.1.0.bpmn": "servicemap: the file declares ISO-8859-1, an encoding XML readers "
                       "support; bpmn-moddle reads UTF-8 only and reports that as an import "
                       "error (the file is ASCII, so it then reads it right)",
    "loop-no-exit-drawn.bpmn": "servicemap: from 'Ask for documents', 'Documents sent?' and "
                               "'Send a reminder' no end can be reached (SM105); "
                               "drawn as a modeler writes it, the file is clean for bpmnlint, "
                               "which has no rule for loops with no way out",
    "loop-no-exit.bpmn": "both report errors, bpmnlint's about the missing incoming/outgoing "
                         "lists and the duplicate flow; none of them says the loop has no exit",
    "billion-laughs.bpmn": "both: servicemap refuses the DTD; bpmnlint's XML reader skips it "
                           "('unparsable content') and lints what follows",
    "xxe.bpmn": "both: servicemap refuses the DTD; bpmnlint skips it and reads on",
    "miwg-A.3.0.bpmn": "both, for different reasons: servicemap refuses a non-interrupting "
                       "boundary event it cannot express (not a defect of the file; "
                       "--approximate imports it); bpmnlint reports the ISO-8859-1 "
                       "encoding and an empty collapsed sub-process (no start or end event "
                       "inside: a placeholder in this reference model)",
    "inclusive.bpmn": "both, for different reasons: servicemap refuses the inclusive gateways "
                      "(it cannot express them; not a defect); bpmnlint's errors are about "
                      "the missing incoming/outgoing lists",
    "camunda-order-handling.bpmn": "servicemap reported SM104 (unreachable) here until this "
                                   "comparison found the bug: a boundary event on an expanded "
                                   "sub-process was lost when flattening it; now fixed",
    "camunda-invoice-payment.bpmn": "SM401 is a warning: servicemap reads an interrupting "
                                    "boundary event as a failure branch (docs/bpmn.md)",
}
VERDICTS |= {"order-handling.bpmn": VERDICTS["camunda-order-handling.bpmn"],
             "invoicePayment.bpmn": VERDICTS["camunda-invoice-payment.bpmn"]}
"""Who is right where the tools differ (and notes elsewhere), by file name, written after
reading each file (the camunda files also under their names in that repository)."""

NODE_SCRIPT = r"""
const { readFileSync } = require('node:fs');
const { BpmnModdle } = require('bpmn-moddle');
const Linter = require('bpmnlint/lib/linter');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
async function one(file) {
  let parsed;
  try {
    parsed = await new BpmnModdle().fromXML(readFileSync(file, 'utf8'));
  } catch (e) {
    return { fatal: String(e.message).split('\n')[0], warnings: [], reports: {} };
  }
  const warnings = (parsed.warnings || []).map(w => String(w.message).split('\n')[0]);
  const linter = new Linter({ config: { extends: 'bpmnlint:recommended' },
                              resolver: new NodeResolver() });
  const raw = await linter.lint(parsed.rootElement);
  const reports = {};
  for (const [rule, items] of Object.entries(raw)) {
    if (items.length) reports[rule] = items.map(r => [r.category, r.id || '', r.message]);
  }
  return { fatal: null, warnings, reports };
}
async function main() {
  const out = {};
  for (const file of process.argv.slice(2)) out[file] = await one(file);
  process.stdout.write(JSON.stringify(out));
}
main();
"""


@dataclass
class Row:
    """One file's results from both tools."""

    name: str
    imported: bool
    servicemap: str
    servicemap_error: bool
    bpmnlint: str
    bpmnlint_error: bool

    @property
    def differ(self) -> bool:
        """Whether one tool reports a structural error and the other does not."""
        return self.servicemap_error != self.bpmnlint_error


def _files(args: list[str]) -> list[Path]:
    """The .bpmn files named, or found below the folders named (tests/data/bpmn by default)."""
    paths = [Path(a) for a in args] or [DATA]
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.bpmn")) if path.is_dir() else [path]
    return found


def _servicemap(path: Path) -> tuple[bool, str, bool]:
    """Imported?, what servicemap says, whether it says 'error'."""
    try:
        bp = sm.load(path)
    except LoadError as exc:
        first = exc.problems[0]
        codes = ",".join(sorted({p.code for p in exc.problems}))
        return False, f"refused {codes} at {first.line}:{first.column}: {first.message[:70]}", True
    except OSError as exc:
        return False, f"unreadable: {exc}", True
    problems = sm.check(bp)
    if not problems:
        return True, "no problem", False
    counts: dict[str, int] = {}
    for p in problems:
        key = f"{p.code}{'' if p.level == 'error' else '(w)'}"
        counts[key] = counts.get(key, 0) + 1
    text = " ".join(f"{k}x{n}" if n > 1 else k for k, n in sorted(counts.items()))
    return True, text, any(p.level == "error" for p in problems)


def _bpmnlint(result: dict[str, object]) -> tuple[str, bool]:
    """bpmnlint's verdict in a few words, and whether it has an error."""
    if result["fatal"]:
        return f"cannot read: {str(result['fatal'])[:60]}", True
    reports: dict[str, list[list[str]]] = result["reports"]  # type: ignore[assignment]
    parts, error = [], False
    for rule, items in sorted(reports.items()):
        errors = sum(1 for c, _i, _m in items if c == "error")
        error = error or (errors > 0 and rule not in PRESENTATION)
        parts.append(f"{rule}{'' if errors else '(w)'}" + (f"x{len(items)}" if len(items) > 1
                                                           else ""))
    warnings: list[str] = result["warnings"]  # type: ignore[assignment]
    if warnings:
        parts.append(f"import-warnings x{len(warnings)}")
        error = True  # the command line reports import warnings as errors
    return (" ".join(parts) or "no problem"), error


def _lint_all(prefix: Path, files: list[Path]) -> dict[str, dict[str, object]]:
    """bpmnlint's results for every file, from one node process."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "lint.js"
        script.write_text(NODE_SCRIPT, encoding="utf-8")
        env = {**os.environ, "NODE_PATH": str(prefix / "node_modules")}
        run = subprocess.run(["node", str(script), *map(str, files)], env=env,
                             capture_output=True, text=True, check=True)
    result: dict[str, dict[str, object]] = json.loads(run.stdout)
    return result


def _exports(prefix: Path) -> None:
    """bpmnlint's findings on the export of every example map, one row per example."""
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for path in examples:
            out = Path(tmp) / f"{path.stem}.bpmn"
            convert(path, out)
            files.append(out)
        lint = _lint_all(prefix, files)
    print("| example | bpmnlint (recommended) on its export |")
    print("|---|---|")
    clean = 0
    for path, out in zip(examples, files, strict=True):
        verdict, _error = _bpmnlint(lint[str(out)])
        reports: dict[str, list[list[str]]] = lint[str(out)]["reports"]  # type: ignore[assignment]
        where = "; ".join(f"{rule}: {', '.join(i for _c, i, _m in items)}"
                          for rule, items in sorted(reports.items()))
        clean += verdict == "no problem"
        print(f"| {path.name} | {verdict}{f' ({where})' if where else ''} |")
    print(f"\n{len(examples)} exports: {clean} without any bpmnlint finding")


def main() -> None:
    """Run both tools over the files and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="files or folders (default: tests/data/bpmn)")
    parser.add_argument("--bpmnlint", default="/tmp/bpmnlint", help="npm prefix of bpmnlint")
    parser.add_argument("--exports", action="store_true",
                        help="lint servicemap's exports of examples/*.yaml instead")
    args = parser.parse_args()
    prefix = Path(args.bpmnlint)
    if not (prefix / "node_modules" / "bpmnlint").exists():
        sys.exit(f"bpmnlint not found under {prefix}: npm install --prefix {prefix} bpmnlint")
    if args.exports:
        _exports(prefix)
        return
    files = _files(args.paths)
    lint = _lint_all(prefix, files)
    rows = []
    for path in files:
        imported, said, sm_error = _servicemap(path)
        verdict, lint_error = _bpmnlint(lint[str(path)])
        rows.append(Row(path.name, imported, said, sm_error, verdict, lint_error))
    _print(rows)


def _print(rows: list[Row]) -> None:
    """The table (Markdown) and its summary."""
    print("| file | servicemap | bpmnlint (recommended) | differ | who is right / note |")
    print("|---|---|---|---|---|")
    for r in rows:
        right = VERDICTS.get(r.name, "not reviewed" if r.differ else "")
        print(f"| {r.name} | {r.servicemap} | {r.bpmnlint} | {'yes' if r.differ else ''} "
              f"| {right} |")
    refused = sum(not r.imported for r in rows)
    print(f"\n{len(rows)} files: {len(rows) - refused} imported, {refused} refused; "
          f"servicemap reports an error in {sum(r.servicemap_error for r in rows)}, bpmnlint "
          f"in {sum(r.bpmnlint_error for r in rows)}; they differ on "
          f"{sum(r.differ for r in rows)}, of which "
          f"{sum(r.differ and r.name not in VERDICTS for r in rows)} not reviewed")


if __name__ == "__main__":
    main()
