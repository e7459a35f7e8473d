"""Benchmark of servicemap.analyze on generated maps of 1k, 10k and 100k steps.

Run from the repository root::

    PYTHONPATH=src .venv/bin/python benchmarks/analysis_bench.py [--repeat N] [SIZES...]

Each map is a chain of segments over four lanes: a task (duration, wait,
sometimes capacity, accuracy, cost), a decision that sends 10% back to the
task (rework) or on, and every third segment a decision that splits 70/30 over
two parallel tasks that merge again. The maps are built as Python data and
validated with ``Blueprint.model_validate`` (YAML parsing is not what is
measured). For each size the script times ``analyze`` (structure check, graph
build and analysis, also shown separately) and, as a baseline in the same
run, a bare ``scipy.sparse.linalg.spsolve`` of a system of the same size and
sparsity, and prints the ratio. Each time is the best of 3 runs (1 at 100k
steps), or of ``--repeat N``: on a shared machine the best of several is the
one least disturbed.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from servicemap._perf import gc_paused as _gc_paused
from servicemap.analysis.chain import compile_blueprint
from servicemap.analysis.engine import analyze_chain
from servicemap.api import analyze
from servicemap.checking import structural_problems
from servicemap.model import Blueprint

LANES = [("customer", "customer"), ("front", "onstage"), ("back", "backstage"),
         ("it", "support")]


def make_map(n_steps: int, seed: int = 0) -> Blueprint:
    """A valid map of about ``n_steps`` steps (see the module docstring)."""
    rng = np.random.default_rng(seed)
    steps: list[dict[str, Any]] = [{"id": "start", "kind": "terminator", "next": "t0"}]
    k = 0
    while len(steps) < n_steps - 1:
        lane = LANES[k % 4][0]
        task: dict[str, Any] = {
            "id": f"t{k}", "kind": "task", "lane": lane, "next": f"d{k}",
            "duration": f"{int(rng.integers(1, 30))}m", "wait": f"{int(rng.integers(0, 120))}m",
            "accuracy": float(rng.uniform(0.95, 1.0)), "cost": float(rng.uniform(1, 20)),
        }
        if k % 2 == 0:
            task["capacity"] = int(rng.integers(1, 10))
        after = f"t{k + 1}"
        if k % 3 == 2:
            after = f"s{k}"
        steps.append(task)
        steps.append({"id": f"d{k}", "kind": "decision", "lane": lane, "next": [
            {"to": f"t{k}", "label": "rework", "probability": 0.1, "failure": True},
            {"to": after, "label": "ok", "probability": 0.9}]})
        if k % 3 == 2:
            steps.append({"id": f"s{k}", "kind": "decision", "lane": lane, "next": [
                {"to": f"a{k}", "label": "a", "probability": 0.7},
                {"to": f"b{k}", "label": "b", "probability": 0.3}]})
            steps.append({"id": f"a{k}", "kind": "task", "lane": lane, "duration": "5m",
                          "next": f"t{k + 1}"})
            steps.append({"id": f"b{k}", "kind": "delay", "lane": lane, "duration": "1h",
                          "next": f"t{k + 1}"})
        k += 1
    steps.append({"id": f"t{k}", "kind": "task", "lane": "it", "duration": "1m", "next": "end"})
    steps.append({"id": "end", "kind": "terminator"})
    return Blueprint.model_validate({
        "name": f"generated {n_steps}", "arrivals": "2/h",
        "lanes": [{"id": i, "layer": layer} for i, layer in LANES], "steps": steps,
    })


def baseline(n: int, nnz_per_row: float, seed: int = 0) -> float:
    """Seconds for a bare spsolve of an n × n system shaped like a map's (I - Pᵀ)."""
    rng = np.random.default_rng(seed)
    m = int(n * nnz_per_row)
    src = rng.integers(0, n - 1, m)
    dst = np.minimum(src + 1 + rng.integers(0, 3, m), n - 1)
    back = rng.random(m) < 0.1
    dst[back] = np.maximum(src[back] - 1, 0)
    w = np.full(m, 1.0 / (nnz_per_row + 1))
    diag = np.arange(n)
    a = sp.csc_matrix((np.concatenate([np.ones(n), -w]),
                       (np.concatenate([diag, dst]), np.concatenate([diag, src]))), shape=(n, n))
    b = np.zeros(n)
    b[0] = 1.0
    t = time.perf_counter()
    spla.spsolve(a, b)
    return time.perf_counter() - t


def best_of(repeats: int, fn: Any) -> float:
    """Smallest wall time of ``repeats`` calls of ``fn``."""
    times = []
    for _ in range(repeats):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(sizes: list[int], repeat: int | None = None) -> None:
    """Time each size and print a table (seconds; best of ``repeat``, default 3, 1 at 100k).

    Columns: ``check`` the structure check (SM1xx/SM2xx), ``compile`` the
    resolved flow compiled to arrays, ``analysis`` everything after that,
    ``analyze`` the whole call, ``to_json`` writing the full result,
    ``dumps`` the way it was written before (``json.dumps(to_dict(), indent=2)``,
    the same data) as a baseline for it, ``spsolve`` the baseline of analyze,
    ``ratio`` analyze / spsolve.
    """
    print(f"{'steps':>7} {'edges':>7} {'check':>7} {'compile':>7} {'analysis':>8} "
          f"{'analyze':>8} {'to_json':>8} {'dumps':>8} {'spsolve':>8} {'ratio':>6}")
    for n in sizes:
        bp = make_map(n)
        chain = compile_blueprint(bp)
        repeats = repeat or (3 if n <= 10_000 else 1)

        def paused(fn: Any) -> Any:
            def run() -> None:
                with _gc_paused():
                    fn()
            return run

        t_check = best_of(repeats, paused(lambda bp=bp: structural_problems(bp)))
        t_comp = best_of(repeats, paused(lambda bp=bp: compile_blueprint(bp)))
        t_anal = best_of(repeats, paused(lambda c=chain: analyze_chain(c)))
        t_total = best_of(repeats, lambda bp=bp: analyze(bp))
        result = analyze(bp)
        t_json = best_of(repeats, result.to_json)
        t_dumps = best_of(repeats, lambda r=result: json.dumps(
            r.to_dict(), indent=2, ensure_ascii=False, allow_nan=False))
        t_base = min(baseline(chain.n, len(chain.src) / chain.n) for _ in range(repeats))
        print(f"{chain.n:>7} {len(chain.src):>7} {t_check:>7.3f} {t_comp:>7.3f} "
              f"{t_anal:>8.3f} {t_total:>8.3f} {t_json:>8.3f} {t_dumps:>8.3f} {t_base:>8.3f} "
              f"{t_total / t_base:>6.1f}")


def _arguments(argv: list[str]) -> tuple[list[int], int | None]:
    """Sizes and ``--repeat N`` from the command line."""
    repeat = None
    if "--repeat" in argv:
        at = argv.index("--repeat")
        repeat = max(1, int(argv[at + 1]))
        argv = argv[:at] + argv[at + 2:]
    return [int(a) for a in argv] or [1_000, 10_000, 100_000], repeat


if __name__ == "__main__":
    main(*_arguments(sys.argv[1:]))
