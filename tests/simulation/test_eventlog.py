"""The event log: CSV columns; XES in the IEEE 1849-2016 structure, escaped; pm4py reads it."""

from __future__ import annotations

import csv
import importlib.util
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest

import servicemap as sm

NS = "{http://www.xes-standard.org/}"
MAP = """name: 'Desk <"&">'
arrivals: 20/h
steps:
  - {id: s, kind: terminator, next: w}
  - {id: w, kind: task, label: 'Fix <it> & "check"', lane: desk, duration: 2m, capacity: 2,
     next: e}
  - {id: e, kind: terminator}
lanes: [{id: desk}]
"""


def test_xes_structure(tmp_path: Path) -> None:
    path = tmp_path / "cases.xes"
    sm.simulate(sm.loads(MAP), cases=50, replications=1, warmup=0, event_log=path)
    root = ET.parse(path).getroot()  # well-formed, whatever the labels hold
    assert root.tag == NS + "log" and root.get("xes.version") == "1849-2016"
    children = [child.tag[len(NS):] for child in root]
    # the standard's order: extensions, globals, classifiers, attributes, traces
    order = ["extension", "global", "classifier", "string", "trace"]
    assert [t for t in order if t in children] == order
    assert children == sorted(children, key=order.index)
    prefixes = {e.get("prefix") for e in root.findall(NS + "extension")}
    assert prefixes == {"concept", "lifecycle", "org", "time"}
    traces = root.findall(NS + "trace")
    assert len(traces) == 50
    for trace in traces:
        events = trace.findall(NS + "event")
        names = [_value(e, "concept:name") for e in events]
        assert names == ["s", "s", 'Fix <it> & "check"',
                         'Fix <it> & "check"', "e", "e"]
        assert [_value(e, "lifecycle:transition") for e in events] == ["start", "complete"] * 3
        times = [datetime.fromisoformat(_value(e, "time:timestamp", "date")) for e in events]
        assert times == sorted(times)
        assert _value(events[2], "org:resource") in {"desk-1", "desk-2"}


def _value(event: ET.Element, key: str, kind: str = "string") -> str:
    found = [a.get("value") for a in event.findall(NS + kind) if a.get("key") == key]
    assert len(found) == 1 and found[0] is not None
    return found[0]


def test_csv_columns(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    sm.simulate(sm.loads(MAP), cases=20, replications=1, warmup=0, event_log=path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert len(rows) == 20 * 6
    assert rows[0].keys() == {"case_id", "activity", "step", "lifecycle", "timestamp",
                              "resource"}
    assert {r["step"] for r in rows} == {"s", "w", "e"}


@pytest.mark.skipif(importlib.util.find_spec("pm4py") is None, reason="pm4py not installed")
def test_pm4py_reads_the_xes(tmp_path: Path) -> None:  # pragma: no cover - optional
    import pm4py

    path = tmp_path / "cases.xes"
    sm.simulate(sm.loads(MAP), cases=30, replications=1, warmup=0, event_log=path)
    frame = pm4py.read_xes(str(path))
    assert frame["case:concept:name"].nunique() == 30
