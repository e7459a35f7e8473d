"""Generated service maps of any size for the benchmarks: lanes, phases, decisions, rework loops."""

from __future__ import annotations

import random

__all__ = ["generate_branching_map", "generate_map"]

LANES = [("customer", "customer"), ("front", "onstage"), ("office", "backstage"),
         ("ops", "backstage"), ("systems", "support")]
PHASES = ["pre", "transaction", "post"]


def generate_map(n: int, *, seed: int = 0) -> str:
    """YAML text of a valid map with about ``n`` steps.

    Segments of four steps (task, document, task, decision) follow each other;
    each decision sends 10% of cases back to the segment's first task (rework)
    and the rest on. Lanes rotate, phases split the map in thirds.
    """
    segments = max(1, (n - 2) // 4)
    lines = [
        "servicemap: 1",
        f"name: Generated map of {segments * 4 + 2} steps",
        "arrivals: 2/h",
        "lanes:",
        *(f"  - {{id: {i}, label: {i.title()}, layer: {layer}}}" for i, layer in LANES),
        "phases:",
        *(f"  - {{id: {p}, label: {p.title()}}}" for p in PHASES),
        "steps:",
        "  - id: start",
        "    kind: terminator",
        "    label: Case arrives",
        "    lane: customer",
        "    phase: pre",
        "    next: s0-a",
    ]
    for k in range(segments):
        phase = PHASES[min(2, 3 * k // segments)]
        lane = LANES[(k + seed) % len(LANES)][0]
        lane2 = LANES[(k + seed + 2) % len(LANES)][0]
        nxt = f"s{k + 1}-a" if k + 1 < segments else "done"
        lines += [
            f"  - id: s{k}-a",
            "    kind: task",
            f"    label: Record request {k}",
            f"    lane: {lane}",
            f"    phase: {phase}",
            "    duration: 3m",
            "    wait: 10m",
            "    accuracy: 98%",
            "    capacity: 2",
            "    cost: 1.5",
            f"    next: s{k}-b",
            f"  - id: s{k}-b",
            "    kind: document",
            f"    label: Confirmation {k}",
            f"    lane: {lane2}",
            f"    phase: {phase}",
            "    duration: 30s",
            f"    next: s{k}-c",
            f"  - id: s{k}-c",
            "    kind: task",
            f"    label: Check result {k}",
            f"    lane: {lane}",
            f"    phase: {phase}",
            "    duration: 2m",
            "    capacity: 3",
            f"    fail: Check {k} skipped under time pressure",
            f"    next: s{k}-d",
            f"  - id: s{k}-d",
            "    kind: decision",
            f"    label: Correct {k}?",
            f"    lane: {lane}",
            f"    phase: {phase}",
            "    next:",
            f"      - {{to: {nxt}, label: 'yes', probability: 0.9}}",
            f"      - {{to: s{k}-a, label: 'no', probability: 0.1, failure: true}}",
        ]
    lines += [
        "  - id: done",
        "    kind: terminator",
        "    label: Case closed",
        "    lane: customer",
        "    phase: post",
        "",
    ]
    return "\n".join(lines)


def generate_branching_map(n: int, *, seed: int = 0) -> str:
    """YAML text of a valid map of ``n + 1`` steps that branches and merges.

    The map the layout issue was measured on: steps in random lanes, each
    followed by the next; 30 % of them are decisions with a second branch
    that skips 2-6 steps ahead (so flows merge), 8 % send a branch back up
    to 5 steps (rework). Phases split the map in thirds. Unlike
    :func:`generate_map`, whose chain of segments lays out without crossings
    in any layout, these maps need crossing minimisation.
    """
    rng = random.Random(seed)
    phases = ["pre", "transaction", "post"]
    lanes = [rng.choice(LANES)[0] for _ in range(n)]
    lines = ["servicemap: 1", f"name: Branching map of {n + 1} steps", "lanes:",
             *(f"  - {{id: {i}, label: {i.title()}, layer: {layer}}}" for i, layer in LANES),
             "phases:", *(f"  - {{id: {p}, label: {p.title()}}}" for p in phases), "steps:",
             "  - {id: start, kind: terminator, label: Start, lane: customer, phase: pre,"
             " next: s0}"]
    for i in range(n):
        where = f"lane: {lanes[i]}, phase: {phases[min(2, 3 * i // n)]}"
        if i == n - 1:
            lines.append(f"  - {{id: s{i}, kind: terminator, label: Done {i}, {where}}}")
            continue
        nxt = [i + 1]
        if rng.random() < 0.3 and i + 2 < n:
            nxt.append(i + rng.randint(2, min(6, n - 1 - i)))
        if rng.random() < 0.08 and i > 3:
            nxt.append(rng.randint(max(0, i - 5), i - 1))
        if len(nxt) == 1:
            lines.append(f"  - {{id: s{i}, kind: task, label: Task number {i}, {where},"
                         f" next: s{nxt[0]}}}")
            continue
        p = round(1 / len(nxt), 3)
        probs = [round(1 - p * (len(nxt) - 1), 3)] + [p] * (len(nxt) - 1)
        branches = ", ".join(f"{{to: s{j}, label: b{k}, probability: {q}}}"
                             for k, (j, q) in enumerate(zip(nxt, probs, strict=True)))
        lines.append(f"  - {{id: s{i}, kind: decision, label: Decide {i}?, {where},"
                     f" next: [{branches}]}}")
    return "\n".join(lines) + "\n"
