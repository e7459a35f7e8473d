"""Benchmark: `servicemap check` of generated BPMN files against npm bpmnlint on the same files.

    npm install --prefix /tmp/bpmnlint bpmnlint     # once; not a dependency of servicemap
    python benchmarks/bpmn_bench.py [--sizes 1000,10000] [--repeat 5] [--bpmnlint /tmp/bpmnlint]

(With an npm that wants a package.json first: ``mkdir -p /tmp/bpmnlint && echo {} >
/tmp/bpmnlint/package.json`` before the install.)

For each size it writes a BPMN 2.0 file as a modeler does (a pool with four
lanes; tasks, exclusive gateways and rework loops; every flow node with its
``incoming``/``outgoing`` and a BPMNDI shape, every flow an edge) with that many
flow elements (flow nodes plus sequence flows), one of them a loop with no way
out: a side branch whose two tasks and gateway only lead back into each other.
It then times, in the same run, each tool twice:

- in-process: ``servicemap.check(path)`` (read, parse, import, every rule) in
  this Python; bpmnlint's ``moddle.fromXML`` and ``linter.lint`` with the
  recommended rules in one node process (a small script written to a
  temporary folder; the file read before the clock starts);
- command line: ``python -m servicemap check FILE`` and ``bpmnlint FILE``
  (``.bpmnlintrc``: ``bpmnlint:recommended``), start-up included; one
  warm-up run each first, and Python's bytecode cached (in a temporary
  ``PYTHONPYCACHEPREFIX``, even where ``PYTHONDONTWRITEBYTECODE`` is set), as
  in an installed package.

Each time is the median of ``--repeat`` runs. It prints the times, the ratio
bpmnlint / servicemap (above 1: servicemap is faster), and whether each tool
reports the loop with no way out (a problem naming one of its elements).
Goal (issue 12): faster than bpmnlint at both sizes while finding that loop.

``--baseline-src DIR`` also times the command line of another servicemap
source tree (``PYTHONPATH=DIR``, e.g. a checkout of the previous release's
``src``) in the same rounds, taking turns with the other two, and prints its
time and the ratio baseline / servicemap: a start-up change measured before
and after in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import servicemap as sm

LANES = ("customer", "desk", "back-office", "systems")
TRAP = ("trap-j", "trap-a", "trap-q", "trap-b")
"""The loop with no way out: trap-j -> trap-a -> trap-q -> (trap-j | trap-b -> trap-j)."""

NODE_SCRIPT = r"""
const { readFileSync } = require('node:fs');
const { BpmnModdle } = require('bpmn-moddle');
const Linter = require('bpmnlint/lib/linter');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
async function main() {
  const [repeat, ...files] = process.argv.slice(2);
  const out = {};
  for (const file of files) {
    const xml = readFileSync(file, 'utf8');
    const times = [];
    let reports = null;
    for (let i = 0; i < Number(repeat); i++) {
      const t0 = process.hrtime.bigint();
      const { rootElement } = await new BpmnModdle().fromXML(xml);
      const linter = new Linter({ config: { extends: 'bpmnlint:recommended' },
                                  resolver: new NodeResolver() });
      reports = await linter.lint(rootElement);
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    const ids = {};
    for (const [rule, items] of Object.entries(reports)) {
      ids[rule] = items.filter(r => r.category === 'error' || r.category === 'warn')
                       .map(r => r.id);
    }
    out[file] = { times, ids };
  }
  process.stdout.write(JSON.stringify(out));
}
main();
"""


def generate_bpmn(elements: int) -> str:
    """A BPMN 2.0 file with about ``elements`` flow elements, laid out, one loop with no exit.

    A segment is a joining gateway, a task, a gateway ("done?") and a rework
    task leading back to the join: 4 nodes and 5 flows, laid out left to right
    without overlaps, the lanes taking the segments in turn. Otherwise clean
    for bpmnlint's recommended rules: every join is a gateway, every branch
    labelled.
    """
    segments = max(1, (elements - 14) // 9)
    nodes: list[tuple[str, str, str, float, float]] = []  # id, tag, name, x, y
    flows: list[tuple[str, str, str]] = []  # source, target, name
    col = 0

    def node(ident: str, tag: str, name: str, at: float, lane: int, low: bool = False) -> None:
        nodes.append((ident, tag, name, 150 + 160 * at, 20 + 200 * lane + (90 if low else 0)))

    node("start", "startEvent", "Request", col, 0)
    previous, label = "start", ""
    for i in range(segments):
        lane = i % len(LANES)
        node(f"j{i}", "exclusiveGateway", "", col + 1, lane)
        node(f"t{i}", "task", f"Work {i}", col + 2, lane)
        node(f"g{i}", "exclusiveGateway", "Done?", col + 3, lane)
        node(f"r{i}", "task", f"Rework {i}", col + 2, lane, low=True)
        flows += [(previous, f"j{i}", label), (f"j{i}", f"t{i}", ""), (f"t{i}", f"g{i}", ""),
                  (f"g{i}", f"r{i}", "no"), (f"r{i}", f"j{i}", "")]
        previous, label, col = f"g{i}", "yes", col + 3
        if i == segments // 2:  # a side branch into the loop with no way out
            node("escalate", "exclusiveGateway", "Escalate?", col + 1, lane)
            node("trap-j", "exclusiveGateway", "", col + 1, lane, low=True)
            node("trap-a", "task", "Ask the expert", col + 2, lane, low=True)
            node("trap-q", "exclusiveGateway", "Answered?", col + 3, lane, low=True)
            node("trap-b", "task", "Remind the expert", col + 4, lane, low=True)
            flows += [(previous, "escalate", label), ("escalate", "trap-j", "escalate"),
                      ("trap-j", "trap-a", ""), ("trap-a", "trap-q", ""),
                      ("trap-q", "trap-j", "no"), ("trap-q", "trap-b", "ask again"),
                      ("trap-b", "trap-j", "")]
            previous, label, col = "escalate", "go on", col + 4
    node("end", "endEvent", "Done", col + 1, 0)
    flows.append((previous, "end", label))
    return _xml(nodes, flows)


def _xml(nodes: list[tuple[str, str, str, float, float]], flows: list[tuple[str, str, str]],
         ) -> str:
    """The file's text: semantic part, then BPMNDI."""
    ins: dict[str, list[str]] = {}
    outs: dict[str, list[str]] = {}
    for k, (a, b, _) in enumerate(flows):
        outs.setdefault(a, []).append(f"f{k}")
        ins.setdefault(b, []).append(f"f{k}")
    lane_of = {n[0]: LANES[int(n[4] // 200)] for n in nodes}
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
           'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
           'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
           'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="defs" '
           'targetNamespace="urn:bench">',
           '<collaboration id="collab"><participant id="pool" name="Service" '
           'processRef="proc"/></collaboration>',
           '<process id="proc" isExecutable="false">', '<laneSet id="lanes">']
    for lane in LANES:
        refs = "".join(f"<flowNodeRef>{n[0]}</flowNodeRef>" for n in nodes
                       if lane_of[n[0]] == lane)
        out.append(f'<lane id="{lane}" name="{lane}">{refs}</lane>')
    out.append("</laneSet>")
    for ident, tag, name, _x, _y in nodes:
        refs = "".join(f"<incoming>{f}</incoming>" for f in ins.get(ident, []))
        refs += "".join(f"<outgoing>{f}</outgoing>" for f in outs.get(ident, []))
        out.append(f'<{tag} id="{ident}" name="{name}">{refs}</{tag}>')
    for k, (a, b, name) in enumerate(flows):
        label = f' name="{name}"' if name else ""
        out.append(f'<sequenceFlow id="f{k}"{label} sourceRef="{a}" targetRef="{b}"/>')
    out += ["</process>", '<bpmndi:BPMNDiagram id="diagram">',
            '<bpmndi:BPMNPlane id="plane" bpmnElement="collab">']
    right = max(n[3] for n in nodes) + 200
    out.append(f'<bpmndi:BPMNShape id="pool_di" bpmnElement="pool" isHorizontal="true">'
               f'<dc:Bounds x="60" y="0" width="{right}" height="{200 * len(LANES)}"/>'
               "</bpmndi:BPMNShape>")
    for i, lane in enumerate(LANES):
        out.append(f'<bpmndi:BPMNShape id="{lane}_di" bpmnElement="{lane}" isHorizontal="true">'
                   f'<dc:Bounds x="90" y="{200 * i}" width="{right - 30}" height="200"/>'
                   "</bpmndi:BPMNShape>")
    box = {}
    for ident, tag, _name, x, y in nodes:
        w, h = (100, 80) if tag == "task" else (50, 50) if tag.endswith("Gateway") else (36, 36)
        box[ident] = (x, y, w, h)
        out.append(f'<bpmndi:BPMNShape id="{ident}_di" bpmnElement="{ident}">'
                   f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/></bpmndi:BPMNShape>')
    for k, (a, b, _) in enumerate(flows):
        (ax, ay, aw, ah), (bx, by, _bw, bh) = box[a], box[b]
        out.append(f'<bpmndi:BPMNEdge id="f{k}_di" bpmnElement="f{k}">'
                   f'<di:waypoint x="{ax + aw}" y="{ay + ah / 2}"/>'
                   f'<di:waypoint x="{bx}" y="{by + bh / 2}"/></bpmndi:BPMNEdge>')
    out += ["</bpmndi:BPMNPlane>", "</bpmndi:BPMNDiagram>", "</definitions>", ""]
    return "\n".join(out)


def _paired_runs(commands: list[list[str]], repeat: int, cwd: Path, env: dict[str, str],
                 ) -> list[float]:
    """Median wall time of each command, the commands run in turn ``repeat`` times.

    Taking turns spreads the load of a shared machine over both tools. Exit
    status 0 or 1 (problems found) only; the first round warms caches (and
    writes Python's bytecode) and is not counted.
    """
    times: list[list[float]] = [[] for _ in commands]
    for k in range(repeat + 1):
        for cmd, kept in zip(commands, times, strict=True):
            t0 = time.perf_counter()
            run = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 env=env, cwd=cwd, check=False)
            if run.returncode not in (0, 1) or b"Error" in run.stderr:
                sys.exit(f"{cmd} failed: {run.stderr.decode()[:500]}")
            if k:
                kept.append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def _servicemap_in_process(path: Path, repeat: int) -> tuple[float, list[sm.Problem]]:
    """Median time of ``servicemap.check(path)`` and its problems."""
    times, problems = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        problems = sm.check(path)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), problems


def _bpmnlint_in_process(prefix: Path, files: list[Path], repeat: int, tmp: Path,
                         ) -> dict[str, dict[str, Any]]:
    """bpmnlint's times (each run) and reported ids (by rule) per file, from one node process."""
    script = tmp / "lint.js"
    script.write_text(NODE_SCRIPT, encoding="utf-8")
    env = {**os.environ, "NODE_PATH": str(prefix / "node_modules")}
    run = subprocess.run(["node", str(script), str(repeat), *map(str, files)], env=env,
                         capture_output=True, text=True, check=True)
    result: dict[str, dict[str, Any]] = json.loads(run.stdout)
    return result


def main() -> None:
    """Generate the files, time both tools, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--bpmnlint", default="/tmp/bpmnlint", help="npm prefix of bpmnlint")
    parser.add_argument("--baseline-src", type=Path, default=None,
                        help="also time `check` of the servicemap source tree under DIR")
    args = parser.parse_args()
    prefix = Path(args.bpmnlint)
    cli = prefix / "node_modules" / ".bin" / "bpmnlint"
    if not cli.exists():
        sys.exit(f"bpmnlint not found at {cli}: npm install --prefix {prefix} bpmnlint")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        (tmp / ".bpmnlintrc").write_text('{"extends": "bpmnlint:recommended"}\n')
        files = []
        for n in (int(s) for s in args.sizes.split(",")):
            path = tmp / f"generated-{n}.bpmn"
            path.write_text(generate_bpmn(n), encoding="utf-8")
            files.append(path)
        lint = _bpmnlint_in_process(prefix, files, args.repeat, tmp)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"{os.cpu_count()} CPUs, load average {load:.1f} at the start; medians of "
              f"{args.repeat} runs")
        print(f"{'elements':>8} {'KB':>6} | {'in-process s':>25} {'ratio':>6} | "
              f"{'command line s':>25} {'ratio':>6} | loop with no way out found")
        print(f"{'':>8} {'':>6} | {'servicemap':>12} {'bpmnlint':>12} {'':>6} | "
              f"{'servicemap':>12} {'bpmnlint':>12} {'':>6} | servicemap / bpmnlint")
        for path in files:
            _report(path, lint[str(path)], cli, args.repeat, tmp, args.baseline_src)


def _report(path: Path, lint: dict[str, Any], cli: Path, repeat: int, tmp: Path,
            baseline: Path | None = None) -> None:
    """One line of the table for one generated file."""
    text = path.read_text(encoding="utf-8")
    count = text.count("<sequenceFlow ") + sum(
        text.count(f"<{t} ") for t in ("task", "startEvent", "endEvent", "exclusiveGateway"))
    t_sm, problems = _servicemap_in_process(path, repeat)
    t_lint = statistics.median(lint["times"])
    env = {k: v for k, v in os.environ.items()
           if k not in ("GITHUB_ACTIONS", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")  # compiled once, as an install is
    ours = [sys.executable, "-m", "servicemap", "check", str(path)]
    commands = [ours, [str(cli), str(path)]]
    if baseline is not None:  # the other tree's bytecode cached apart from ours
        commands.append(["env", f"PYTHONPATH={baseline.resolve()}",
                         f"PYTHONPYCACHEPREFIX={tmp / 'pycache-baseline'}", *ours])
    c_sm, c_lint, *c_base = _paired_runs(commands, repeat, tmp, env)
    sm_found = any(p.code == "SM105" and p.step in TRAP for p in problems)
    ids: dict[str, list[str]] = lint["ids"]
    lint_found = any(i in TRAP for found in ids.values() for i in found)
    print(f"{count:>8} {len(text.encode()) / 1000:>6.0f} | {t_sm:>12.3f} {t_lint:>12.3f} "
          f"{t_lint / t_sm:>6.2f} | {c_sm:>12.3f} {c_lint:>12.3f} {c_lint / c_sm:>6.2f} | "
          f"{'yes' if sm_found else 'no'} / {'yes' if lint_found else 'no'}", flush=True)
    if c_base:
        print(f"{'':>8} command line, baseline {baseline}: {c_base[0]:.3f} s, "
              f"baseline / servicemap {c_base[0] / c_sm:.2f}")
    codes = sorted({p.code for p in problems})
    rules = sorted(r for r, found in ids.items() if found)
    print(f"{'':>8} servicemap: {', '.join(codes) or 'nothing'}; "
          f"bpmnlint: {', '.join(rules) or 'nothing'}")


if __name__ == "__main__":
    main()
