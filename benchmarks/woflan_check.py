"""Cross-check: servicemap's soundness verdict against pm4py's Woflan on generated BPMN.

pm4py is not a dependency of servicemap; this script installs nothing. Run it
in a throwaway environment that has pm4py and servicemap's dependencies:

    python -m venv /tmp/pm4py-venv && /tmp/pm4py-venv/bin/pip install pm4py
    /tmp/pm4py-venv/bin/pip install -e .        # or PYTHONPATH=src and servicemap's deps
    /tmp/pm4py-venv/bin/python benchmarks/woflan_check.py [--maps 240] [--seed 1]

It generates block-structured maps with parallel work (tasks, sequences,
decisions with a merge, rework loops, forks with their joins, nested), breaks
some on purpose (a join after a decision, branches meeting at a task, a branch
running to an end, branches ending apart, a join of two forks), exports each
to BPMN with ``servicemap.mapfile.bpmn_export.export_bpmn``, has pm4py read it,
convert it to a Petri net and run Woflan, and prints the agreement table:
servicemap's verdict (``check``: sound when rules SM103-SM105 and SM111-SM113
report nothing; a fork whose branches end apart, SM113, is a warning in
servicemap but not sound as a workflow net) against Woflan's. Every difference
is listed with its map.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import servicemap as sm
from servicemap.mapfile.bpmn_export import export_bpmn
from servicemap.model import Blueprint

UNSOUND_CODES = {"SM103", "SM104", "SM105", "SM111", "SM112", "SM113"}
BREAKS = ("join after decision", "no join", "early end", "ends apart", "join of two forks")


class Builder:
    """Block-structured map data, with the defects asked for put in at random blocks."""

    def __init__(self, rng: random.Random, breaks: set[str]) -> None:
        self.rng, self.breaks = rng, breaks
        self.steps: list[dict[str, Any]] = []
        self.done: list[str] = []

    def new(self, kind: str) -> dict[str, Any]:
        step = {"id": f"{kind[0]}{len(self.steps) + 1}", "kind": kind, "next": []}
        self.steps.append(step)
        return step

    def link(self, outs: list[dict[str, Any]], to: dict[str, Any]) -> None:
        for out in outs:
            out["next"].append({"to": to["id"], "label": f"to {to['id']}"}
                               if out["kind"] == "decision" else to["id"])

    def block(self, depth: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A block: its first step and the steps whose ``next`` is still to fill."""
        shape = self.rng.choice(["task"] if depth == 0 else
                                ["task", "seq", "xor", "loop", "and", "and", "and"])
        if shape == "task":
            t = self.new("task")
            return t, [t]
        if shape == "seq":
            first, outs = self.block(depth - 1)
            second, outs2 = self.block(depth - 1)
            self.link(outs, second)
            return first, outs2
        if shape == "loop":
            t = self.new("task")
            first, outs = self.block(depth - 1)
            t["next"] = [first["id"]]
            d = self.new("decision")
            self.link(outs, d)
            d["next"] = [{"to": t["id"], "label": "again"}]
            return t, [d]
        return self._split(shape, depth)

    def _split(self, shape: str, depth: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        k = self.rng.choice([2, 2, 3])
        split = self.new("decision" if shape == "xor" else "parallel")
        merge_kind = "task" if shape == "xor" else "parallel"
        wanted = ("join after decision" if shape == "xor" else "no join")
        if wanted in self.breaks and wanted not in self.done:
            merge_kind = "parallel" if shape == "xor" else "task"
            self.done.append(wanted)
        merge = self.new(merge_kind)
        for i in range(k):
            first, outs = self.block(depth - 1)
            split["next"].append({"to": first["id"], "label": f"branch {i}"}
                                 if shape == "xor" else first["id"])
            self.link(outs, merge)
        return split, [merge]


def generate(rng: random.Random, breaks: set[str]) -> tuple[dict[str, Any], list[str]]:
    """Map data and the defects actually put in."""
    b = Builder(rng, breaks)
    start = b.new("terminator")
    first, outs = b.block(rng.randint(2, 3))
    start["next"] = [first["id"]]
    end = b.new("terminator")
    if "join of two forks" in breaks:  # sound as a net, but does not nest
        f, g, j = b.new("parallel"), b.new("parallel"), b.new("parallel")
        a, c, x = b.new("task"), b.new("task"), b.new("task")
        b.link(outs, f)
        f["next"], g["next"] = [g["id"], c["id"]], [a["id"], x["id"]]
        for t in (a, c, x):
            t["next"] = [j["id"]]
        outs = [j]
        b.done.append("join of two forks")
    b.link(outs, end)
    tasks = [s for s in b.steps if s["kind"] == "task" and len(s["next"]) == 1]
    if "early end" in breaks and tasks:
        s = rng.choice(tasks)
        s["kind"], s["next"] = "decision", [{"to": s["next"][0], "label": "on"},
                                            {"to": end["id"], "label": "out"}]
        b.done.append("early end")
    if "ends apart" in breaks:
        forks = [s for s in b.steps if s["kind"] == "parallel" and len(s["next"]) > 1]
        if forks:
            extra = b.new("terminator")
            fork = rng.choice(forks)
            fork["next"].append(extra["id"])
            b.done.append("ends apart")
    return {"name": "generated", "steps": b.steps}, b.done


def as_yaml(data: dict[str, Any]) -> str:
    """The map as YAML text, a step a line (JSON flow style is YAML)."""
    steps = "\n".join(f"  - {json.dumps(s)}" for s in data["steps"])
    return f"name: {data['name']}\nsteps:\n{steps}"


def ours(bp: Blueprint) -> str:
    """servicemap's verdict: sound, unsound or none (could not decide)."""
    codes = {p.code for p in sm.check(bp)}
    if codes & UNSOUND_CODES:
        return "unsound"
    return "none" if "SM114" in codes else "sound"


def woflan(path: Path) -> str:
    """Woflan's verdict on the BPMN file: sound, unsound or none (no verdict)."""
    import pm4py

    try:
        bpmn = pm4py.read_bpmn(str(path))
        net, im, fm = pm4py.convert_to_petri_net(bpmn)
        with contextlib.redirect_stdout(io.StringIO()):
            result = pm4py.check_soundness(net, im, fm)
    except Exception as exc:  # any failure of the peer tool is "no verdict"
        return f"none ({type(exc).__name__})"
    sound = result[0] if isinstance(result, tuple) else result
    return "sound" if sound else "unsound"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maps", type=int, default=240)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    table: Counter[tuple[str, str]] = Counter()
    differences: list[tuple[str, str, list[str], str]] = []
    kinds: Counter[str] = Counter()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.maps):
            breaks = set(rng.sample(BREAKS, rng.choice([0, 0, 1, 1, 2])))
            data, done = generate(rng, breaks)
            bp = Blueprint.model_validate(data)
            path = Path(tmp) / f"map{n}.bpmn"
            path.write_bytes(export_bpmn(bp))
            mine, theirs = ours(bp), woflan(path)
            kinds.update(done or ["none"])
            table[mine, theirs.split(" ")[0]] += 1
            if theirs.startswith("none") or mine != theirs:
                differences.append((mine, theirs, done, as_yaml(data)))
    print(f"{args.maps} maps, seed {args.seed}, {time.perf_counter() - t0:.1f} s; "
          f"defects put in: {dict(kinds)}")
    print(f"\n{'servicemap':<12} {'Woflan':<10} {'maps':>5}  verdict")
    for (mine, theirs), count in sorted(table.items()):
        verdict = "no verdict" if "none" in (mine, theirs) else (
            "agree" if mine == theirs else "DISAGREE")
        print(f"{mine:<12} {theirs:<10} {count:>5}  {verdict}")
    agree = sum(c for (m, t), c in table.items() if m == t and m != "none")
    decided = sum(c for (m, t), c in table.items() if "none" not in (m, t))
    print(f"\nagree on {agree} of {decided} maps both decided")
    for mine, theirs, done, text in differences:
        print(f"\n--- servicemap {mine}, Woflan {theirs}, defects {done}\n{text}")


if __name__ == "__main__":
    main()
