"""Benchmark: `servicemap check` end to end against a bare libyaml load of the same file.

    python benchmarks/check_bench.py [--sizes 1000,10000,100000] [--repeat 3]

For each size it writes a generated map (lanes, decisions, rework loops), then
times, in the same run and as fresh processes, `servicemap check FILE` and
`python -c "yaml.load(text, Loader=yaml.CSafeLoader)"`, and prints their ratio
(goal: <= 1.3 at 10k and 100k steps). It also measures start-up: `servicemap
check` on a small example against `python -c pass` (goal: within 0.35 s).

Parallel work (issue 11): the same comparison for a map of 10,000 steps with
500 forks, each with its join (goal: <= 1.3), and the soundness decision
(``flow.soundness.soundness``, after the map is loaded and its flow graph
built) on a properly nested map of 100,000 steps (goal: <= 1 s).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mapgen import generate_map

ROOT = Path(__file__).resolve().parent.parent


def parallel_map(n: int, forks: int) -> str:
    """YAML text of a valid map of about ``n`` steps with ``forks`` forks, each with its join.

    Each of the ``forks`` segments: a fork; one branch of task, document, task
    and a decision that sends 10% back (rework); another of plain tasks; the
    join; then tasks up to the segment's share of ``n``. Lanes rotate; tasks
    carry the fields mapgen's tasks do (duration, wait, accuracy, capacity,
    cost, a failure mode), so a step is about as much YAML as there.
    """
    per = max(8, n // forks)
    lanes = ["customer", "front", "office", "ops", "systems"]
    lines = ["servicemap: 1", f"name: Parallel map of {forks} forks", "arrivals: 2/h",
             "lanes:", *(f"  - {{id: {lane}, label: {lane.title()}}}" for lane in lanes),
             "steps:", "  - {id: start, kind: terminator, lane: customer, next: f0}"]

    def step(sid: str, kind: str, lane: str, nxt: str, extra: str = "") -> None:
        fields = ([extra, "    wait: 10m", "    accuracy: 98%", "    capacity: 2",
                   "    cost: 1.5", f"    fail: Step {sid} skipped under time pressure"]
                  if extra else [])  # as many fields per task as mapgen's maps
        lines.extend([f"  - id: {sid}", f"    kind: {kind}", f"    label: Step {sid}",
                      f"    lane: {lane}", *fields, f"    next: {nxt}"])

    for k in range(forks):
        lane, lane2 = lanes[k % 5], lanes[(k + 2) % 5]
        after = f"f{k + 1}" if k + 1 < forks else "done"
        step(f"f{k}", "parallel", lane, f"[a{k}-0, b{k}-0]")
        step(f"a{k}-0", "task", lane, f"a{k}-1", "    duration: 3m")
        step(f"a{k}-1", "document", lane2, f"a{k}-2", "    duration: 30s")
        step(f"a{k}-2", "task", lane, f"a{k}-3", "    duration: 2m")
        lines.extend([f"  - id: a{k}-3", "    kind: decision", f"    label: Correct {k}?",
                      f"    lane: {lane}", "    next:",
                      f"      - {{to: j{k}, label: 'yes', probability: 0.9}}",
                      f"      - {{to: a{k}-0, label: 'no', probability: 0.1}}"])
        plain = (per - 6) // 2
        for i in range(plain):
            step(f"b{k}-{i}", "task", lane2, f"b{k}-{i + 1}" if i + 1 < plain else f"j{k}",
                 "    duration: 4m")
        tail = per - 6 - plain
        step(f"j{k}", "parallel", lane, f"t{k}-0" if tail else after)
        for i in range(tail):
            step(f"t{k}-{i}", "task", lane, f"t{k}-{i + 1}" if i + 1 < tail else after,
                 "    duration: 1m")
    lines.append("  - {id: done, kind: terminator, lane: customer}")
    return "\n".join(lines) + "\n"


def nested_steps(n: int) -> list[dict[str, object]]:
    """Step data of a properly nested map of about ``n`` steps: forks within forks.

    A balanced binary tree of fork/join pairs, three levels deep, whose leaves
    are chains of tasks with a rework decision, repeated in sequence.
    """
    steps: list[dict[str, object]] = [{"id": "s", "kind": "terminator", "next": "r0"}]
    count = 0

    def region(depth: int, after: str) -> str:
        nonlocal count
        count += 1
        me = count
        if depth == 0:
            ids = [f"t{me}-{i}" for i in range(5)]
            for i, sid in enumerate(ids[:-1]):
                steps.append({"id": sid, "kind": "task", "next": ids[i + 1]})
            steps.append({"id": ids[-1], "kind": "decision", "next": [
                {"to": ids[0], "label": "again"}, {"to": after, "label": "on"}]})
            return ids[0]
        join = f"j{me}"
        steps.append({"id": join, "kind": "parallel", "next": after})
        firsts = [region(depth - 1, join), region(depth - 1, join)]
        steps.append({"id": f"f{me}", "kind": "parallel", "next": firsts})
        return f"f{me}"

    k = 0
    while len(steps) < n:
        after = f"r{k + 1}"
        first = region(3, after)
        steps.append({"id": f"r{k}", "kind": "task", "next": first})
        k += 1
    steps.append({"id": f"r{k}", "kind": "task", "next": "e"})
    steps.append({"id": "e", "kind": "terminator"})
    return steps


def soundness_time(n: int, repeat: int, *, broken: bool = False) -> tuple[int, float, float, str]:
    """Steps, seconds to build the flow graph, seconds to decide soundness (best of
    ``repeat``), and how it was decided, for a nested map of about ``n`` steps.

    ``broken``: one inner join (``j3``) made a task, so its branches run on
    unsynchronised: the structure does not nest and the states decide.
    """
    from servicemap.flow.graph import flow_graph
    from servicemap.flow.soundness import soundness
    from servicemap.model import Blueprint

    steps = nested_steps(n)
    if broken:
        next(s for s in steps if s["id"] == "j3")["kind"] = "task"
    bp = Blueprint.model_validate({"name": "nested", "steps": steps})
    t0 = time.perf_counter()
    g = flow_graph(bp)
    t_graph = time.perf_counter() - t0
    best, how = float("inf"), ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = soundness(g)
        best = min(best, time.perf_counter() - t0)
        assert result.sound is (not broken), result
        how = f"{result.method}" + (f", {result.states} states, {len(result.issues)} problem(s)"
                                    if result.method == "states" else "")
    return len(bp.steps), t_graph, best, how


def best_of(cmd: list[str], repeat: int) -> float:
    """Smallest wall time of ``repeat`` runs of ``cmd`` (each must succeed)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parallel-only", action="store_true",
                        help="only the parallel-work measurements")
    args = parser.parse_args()
    py = sys.executable
    check = [py, "-m", "servicemap", "check"]
    print(f"{'steps':>8} {'MB':>6} {'check s':>9} {'yaml.load s':>12} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",") if not args.parallel_only):
            path = Path(tmp) / f"map{n}.yaml"
            path.write_text(generate_map(n), encoding="utf-8")
            repeat = args.repeat if n <= 10_000 else 1
            t_check = best_of([*check, str(path)], repeat)
            t_yaml = best_of([py, "-c", "import sys, yaml; yaml.load(open(sys.argv[1], "
                              "encoding='utf-8').read(), Loader=yaml.CSafeLoader)", str(path)],
                             repeat)
            mb = path.stat().st_size / 1e6
            print(f"{n:>8} {mb:>6.1f} {t_check:>9.2f} {t_yaml:>12.2f} {t_check / t_yaml:>6.2f}",
                  flush=True)
        path = Path(tmp) / "parallel10000.yaml"
        path.write_text(parallel_map(10_000, 500), encoding="utf-8")
        t_check = best_of([*check, str(path)], args.repeat)
        t_yaml = best_of([py, "-c", "import sys, yaml; yaml.load(open(sys.argv[1], "
                          "encoding='utf-8').read(), Loader=yaml.CSafeLoader)", str(path)],
                         args.repeat)
        print(f"\nparallel: check of 10,000 steps with 500 forks {t_check:.2f} s, yaml.load "
              f"{t_yaml:.2f} s, ratio {t_check / t_yaml:.2f} (goal <= 1.3)")
    steps, t_graph, t_sound, how = soundness_time(100_000, args.repeat)
    print(f"soundness of a nested map of {steps:,} steps: {t_sound:.3f} s by {how} "
          f"(goal <= 1 s; its flow graph took {t_graph:.3f} s more)")
    steps, t_graph, t_sound, how = soundness_time(100_000, args.repeat, broken=True)
    print(f"the same with one inner join made a task: {t_sound:.3f} s by {how}")
    small = ROOT / "examples" / "service_desk.yaml"
    t_pass = best_of([py, "-c", "pass"], 5)
    t_small = best_of([*check, str(small)], 5)
    print(f"\nstart-up: check {small.name} {t_small:.3f} s, python -c pass {t_pass:.3f} s, "
          f"difference {t_small - t_pass:.3f} s (goal <= 0.35 s)")


if __name__ == "__main__":
    main()
