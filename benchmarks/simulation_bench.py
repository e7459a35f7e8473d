"""Simulation speed: servicemap's simpy simulation against ciw on the same network, same run.

Usage: .venv/bin/python benchmarks/simulation_bench.py [--cases 100000] [--no-ciw]

For each map (examples/service_desk.yaml, a generated 50-step map) it times
``sm.simulate`` on one process (one replication of all the cases, no warm-up
beyond a tenth) and ciw on the same network (the same compiled steps: the
routing of flow/markov.py as ciw's routing matrix, capacities as servers,
exponential service of the same means, Poisson arrivals); steps without a
capacity are ciw nodes with as many servers as ciw allows (float('inf')).
ciw is not a dependency of servicemap: the script uses it if importable, else
installs it into its own virtual environment under the temporary folder and
runs it there; without network access it says so and times servicemap alone.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

import servicemap as sm
from servicemap.simulation import compile_network, run_network

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from mapgen import generate_map  # noqa: E402

CIW_RUN = r'''
import json, sys, time, ciw
spec = json.load(sys.stdin)
n = len(spec["steps"])
inf = float("inf")
arr = [ciw.dists.Exponential(spec["rate"] * p) if p > 0 else None for p in spec["start_share"]]
svc = [ciw.dists.Exponential(1 / s["mean"]) if s["mean"] > 0 else ciw.dists.Deterministic(0.0)
       for s in spec["steps"]]
servers = [s["capacity"] if s["capacity"] else inf for s in spec["steps"]]
net = ciw.create_network(arrival_distributions=arr, service_distributions=svc,
                         number_of_servers=servers, routing=spec["routing"])
ciw.seed(1)
q = ciw.Simulation(net)
t = time.perf_counter()
q.simulate_until_max_customers(spec["cases"], method="Finish")
print(json.dumps({"seconds": time.perf_counter() - t, "records": len(q.get_all_records())}))
'''


def ciw_spec(path_or_text: str, cases: int) -> dict[str, object]:
    """The compiled network as plain data ciw can build (times in seconds)."""
    bp = sm.load(path_or_text) if path_or_text.endswith(".yaml") else sm.loads(path_or_text)
    net = compile_network(bp)
    n = len(net.steps)
    routing = [[0.0] * n for _ in range(n)]
    for i, s in enumerate(net.steps):
        low = 0.0
        for t, cum in zip(s.targets, s.cumulative, strict=True):
            high = min(cum, 1.0)
            routing[i][t] += high - low
            low = high
    share = [0.0] * n
    stream = net.streams[0]
    low = 0.0
    for t, cum in zip(stream.starts, stream.cumulative, strict=True):
        share[t] += min(cum, 1.0) - low
        low = min(cum, 1.0)
    return {"rate": stream.rate_per_s, "start_share": share, "routing": routing,
            "cases": cases,
            "steps": [{"mean": s.duration, "capacity": s.capacity} for s in net.steps]}


def ciw_python() -> str | None:
    """A Python that imports ciw: this one, or a venv of the script's own (made once)."""
    try:
        import ciw  # noqa: F401

        return sys.executable
    except ImportError:
        pass
    home = Path(tempfile.gettempdir()) / "servicemap-bench-ciw"
    python = home / "bin" / "python"
    if not python.exists():
        venv.create(home, with_pip=True)
    ok = subprocess.run([str(python), "-c", "import ciw"], capture_output=True).returncode == 0
    if not ok:
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", "ciw"],
                              capture_output=True, text=True)
        ok = done.returncode == 0
    return str(python) if ok else None


def run_ciw(python: str, spec: dict[str, object]) -> float | None:
    done = subprocess.run([python, "-c", CIW_RUN], input=json.dumps(spec), capture_output=True,
                          text=True, timeout=3600)
    if done.returncode:
        print("  ciw failed:", done.stderr.strip().splitlines()[-1:], file=sys.stderr)
        return None
    return float(json.loads(done.stdout)["seconds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--no-ciw", action="store_true")
    args = parser.parse_args()
    python = None if args.no_ciw else ciw_python()
    if python is None and not args.no_ciw:
        print("ciw unavailable (no network to install it?): timing servicemap alone")
    maps = {"service_desk": str(ROOT / "examples" / "service_desk.yaml"),
            "generated 50 steps": generate_map(50, seed=1)}
    print(f"{'map':<22}{'cases':>9}{'servicemap s':>14}{'ciw s':>9}{'ratio':>8}")
    for name, source in maps.items():
        bp = sm.load(source) if source.endswith(".yaml") else sm.loads(source)
        if bp.arrivals is None:
            bp.arrivals = sm.Rate(30.0)
        net = compile_network(bp)
        t = time.perf_counter()
        run_network(net, cases=args.cases, seed=1, replications=1, workers=1)
        ours = time.perf_counter() - t
        theirs = None
        if python is not None:
            text = source if source.endswith(".yaml") else bp.to_yaml()
            theirs = run_ciw(python, ciw_spec(text, args.cases))
        ratio = f"{ours / theirs:.2f}" if theirs else "-"
        shown = f"{theirs:.2f}" if theirs else "-"
        print(f"{name:<22}{args.cases:>9,}{ours:>14.2f}{shown:>9}{ratio:>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
