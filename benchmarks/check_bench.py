"""Benchmark: `servicemap check` end to end against a bare libyaml load of the same file.

    python benchmarks/check_bench.py [--sizes 1000,10000,100000] [--repeat 3]

For each size it writes a generated map (lanes, decisions, rework loops), then
times, in the same run and as fresh processes, `servicemap check FILE` and
`python -c "yaml.load(text, Loader=yaml.CSafeLoader)"`, and prints their ratio
(goal: <= 1.3 at 10k and 100k steps). It also measures start-up: `servicemap
check` on a small example against `python -c pass` (goal: within 0.35 s).
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
    args = parser.parse_args()
    py = sys.executable
    check = [py, "-m", "servicemap", "check"]
    print(f"{'steps':>8} {'MB':>6} {'check s':>9} {'yaml.load s':>12} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
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
    small = ROOT / "examples" / "service_desk.yaml"
    t_pass = best_of([py, "-c", "pass"], 5)
    t_small = best_of([*check, str(small)], 5)
    print(f"\nstart-up: check {small.name} {t_small:.3f} s, python -c pass {t_pass:.3f} s, "
          f"difference {t_small - t_pass:.3f} s (goal <= 0.35 s)")


if __name__ == "__main__":
    main()
