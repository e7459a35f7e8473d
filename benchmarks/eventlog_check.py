"""Check that pm4py reads servicemap's simulated event logs (XES and CSV) as we wrote them.

pm4py is not a dependency of servicemap (and is AGPL): install it in a throwaway
virtual environment once, then run this script with servicemap's environment::

    python -m venv /tmp/pm4py-venv && /tmp/pm4py-venv/bin/pip install pm4py
    PYTHONPATH=src .venv/bin/python benchmarks/eventlog_check.py [--cases 2000] \
        [--pm4py-python /tmp/pm4py-venv/bin/python]

It simulates examples/service_desk.yaml (one replication, seed 1), writes the
first replication's cases as ``cases.xes`` and ``cases.csv`` in a temporary
folder, counts cases and events itself (from the event tuples the simulation
returned, connectors left out), and runs pm4py in the other environment:
``pm4py.read_xes`` on the XES file, and ``pandas.read_csv`` +
``pm4py.format_dataframe`` (case_id, activity, timestamp) on the CSV. It prints
both counts, per lifecycle transition and activity too, and the first and last
timestamps, and exits 1 if anything differs. The log holds the replication's
warm-up cases too (a tenth more: 2,200 cases for ``--cases 2000``).

Measured (pm4py 2.7.23.11, ``--cases 2000``): 2,200 cases and 50,328 events
(25,164 start, 25,164 complete) in servicemap's count, pm4py's XES reading and
pm4py's CSV reading alike, every activity's count equal, first and last
timestamps equal.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from servicemap import load
from servicemap.api import _analysable
from servicemap.simulation import compile_network, run_network
from servicemap.simulation.eventlog import _stamp, event_log

ROOT = Path(__file__).resolve().parents[1]

PM4PY_READ = r'''
import json, sys, warnings
warnings.filterwarnings("ignore")
import pandas as pd
import pm4py
xes, csv = sys.argv[1], sys.argv[2]

def figures(df):
    stamps = pd.to_datetime(df["time:timestamp"], utc=True)
    return {"cases": int(df["case:concept:name"].nunique()), "events": int(len(df)),
            "lifecycle": {k: int(v) for k, v in df["lifecycle:transition"].value_counts().items()}
            if "lifecycle:transition" in df else {},
            "activities": {k: int(v) for k, v in df["concept:name"].value_counts().items()},
            "first": stamps.min().isoformat(), "last": stamps.max().isoformat()}

log = pm4py.read_xes(xes)
out = {"pm4py": pm4py.__version__, "xes": figures(log)}
frame = pd.read_csv(csv)
frame = pm4py.format_dataframe(frame, case_id="case_id", activity_key="activity",
                               timestamp_key="timestamp")
frame["lifecycle:transition"] = frame["lifecycle"]
out["csv"] = figures(frame)
print(json.dumps(out))
'''


def ours(net: object, events: tuple[tuple[int, int, str, float, str], ...]) -> dict[str, object]:
    """Cases, events, per lifecycle and per activity, from the simulation's own event tuples."""
    steps = net.steps  # type: ignore[attr-defined]
    logged = [e for e in events if steps[e[1]].logged]
    times = sorted(e[3] for e in logged)
    return {"cases": len({e[0] for e in logged}), "events": len(logged),
            "lifecycle": dict(Counter(e[2] for e in logged)),
            "activities": dict(Counter(steps[e[1]].title for e in logged)),
            "first": _stamp(times[0]), "last": _stamp(times[-1])}


def _same_time(a: str, b: str) -> bool:
    from datetime import datetime

    return datetime.fromisoformat(a) == datetime.fromisoformat(b)


def main() -> int:
    """Simulate, write, read back with pm4py, compare; 0 when every count agrees."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--pm4py-python", default="/tmp/pm4py-venv/bin/python")
    args = parser.parse_args()
    bp, graph = _analysable(load(ROOT / "examples" / "service_desk.yaml"), None)
    net = compile_network(bp, None, graph)
    _, events = run_network(net, cases=args.cases, seed=1, replications=1, workers=1, log=True)
    mine = ours(net, events)
    with tempfile.TemporaryDirectory() as tmp:
        xes, csv = Path(tmp) / "cases.xes", Path(tmp) / "cases.csv"
        xes.write_bytes(event_log(net, events, "xes"))
        csv.write_bytes(event_log(net, events, "csv"))
        run = subprocess.run([args.pm4py_python, "-c", PM4PY_READ, str(xes), str(csv)],
                             capture_output=True, text=True, check=False)
        if run.returncode:
            print(run.stderr[-2000:], file=sys.stderr)
            print(f"pm4py failed (is it installed in {args.pm4py_python}? see the docstring)")
            return 1
        theirs = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"service_desk, {args.cases} cases simulated (seed 1); pm4py {theirs['pm4py']}")
    print(f"{'':<22}{'servicemap':>12}{'pm4py XES':>12}{'pm4py CSV':>12}")
    ok = True
    rows = [("cases", "cases"), ("events", "events")]
    rows += [(f"  {k}", ("lifecycle", k)) for k in sorted(mine["lifecycle"])]  # type: ignore[arg-type]
    rows += [(f"  {k[:18]}", ("activities", k)) for k in sorted(mine["activities"])]  # type: ignore[arg-type]
    for label, key in rows:
        values = [d[key] if isinstance(key, str) else d[key[0]].get(key[1])
                  for d in (mine, theirs["xes"], theirs["csv"])]
        ok &= values[0] == values[1] == values[2]
        print(f"{label:<22}{values[0]!s:>12}{values[1]!s:>12}{values[2]!s:>12}")
    for end in ("first", "last"):
        agree = all(_same_time(mine[end], d[end]) for d in (theirs["xes"], theirs["csv"]))  # type: ignore[arg-type]
        ok &= agree
        print(f"{end + ' timestamp':<22}{mine[end]}  {'same in both' if agree else 'DIFFERS'}")
    print("all counts agree" if ok else "COUNTS DIFFER")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
