"""The simulated cases as an event log: CSV, or XES (IEEE 1849-2016) that pm4py reads."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import quoteattr

from .engine import Event
from .network import Network

__all__ = ["EPOCH", "LOG_FORMATS", "event_log", "event_log_csv", "event_log_xes"]

EPOCH = datetime(2026, 1, 5, tzinfo=timezone.utc)  # a Monday
"""Simulated time 0 as a timestamp (the log's times are this plus the simulated seconds)."""

LOG_FORMATS: tuple[str, ...] = ("csv", "xes")
"""The event-log formats, by file extension."""

_CSV_HEADER = ("case_id", "activity", "step", "lifecycle", "timestamp", "resource")


def _stamp(seconds: float) -> str:
    """An ISO 8601 timestamp, milliseconds, UTC offset written out (as XES dates are).

    >>> _stamp(90.5)
    '2026-01-05T00:01:30.500+00:00'
    """
    return (EPOCH + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def _ordered(events: Sequence[Event]) -> list[Event]:
    """Events by case, then in the order they happened (stable: start before complete)."""
    return sorted(events, key=lambda e: e[0])


def event_log_csv(net: Network, events: Sequence[Event]) -> bytes:
    """The event log as CSV: ``case_id,activity,step,lifecycle,timestamp,resource``.

    >>> from servicemap.simulation.network import Network, SimStep
    >>> net = Network("n", (SimStep("a", "Do it", "desk"),), (), 1.0)
    >>> print(event_log_csv(net, [(0, 0, "start", 0.0, "desk-1"),
    ...                           (0, 0, "complete", 60.0, "desk-1")]).decode(), end="")
    case_id,activity,step,lifecycle,timestamp,resource
    case-0,Do it,a,start,2026-01-05T00:00:00.000+00:00,desk-1
    case-0,Do it,a,complete,2026-01-05T00:01:00.000+00:00,desk-1

    Notes:
        O(E log E) for E events (sorted by case).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_HEADER)
    steps = net.steps
    for case, at, life, t, resource in _ordered(events):
        if steps[at].logged:
            writer.writerow((f"case-{case}", steps[at].title, steps[at].id, life, _stamp(t),
                             resource))
    return out.getvalue().encode("utf-8")


_QUOTE = {'"': "&quot;"}  # always double quotes around a value
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _attr(kind: str, key: str, value: str) -> str:
    """An XES attribute, its value escaped; characters XML 1.0 cannot hold become U+FFFD.

    >>> _attr("string", "concept:name", 'a "b" & <c>\x01')
    '<string key="concept:name" value="a &quot;b&quot; &amp; &lt;c&gt;\ufffd"/>'
    """
    value = _NOT_XML.sub("\ufffd", value)
    return f"<{kind} key={quoteattr(key)} value={quoteattr(value, _QUOTE)}/>"


def event_log_xes(net: Network, events: Sequence[Event]) -> bytes:
    """The event log as XES (IEEE 1849-2016): a trace per case, an event per step start/complete.

    Declares the Concept, Lifecycle, Organizational and Time extensions and their
    global attributes and classifiers, as the standard's example does; every
    value is XML-escaped (``quoteattr``), so any label is safe.

    Notes:
        O(E log E) for E events.
    """
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<log xes.version="1849-2016" xes.features="nested-attributes" '
             'xmlns="http://www.xes-standard.org/">',
             '<extension name="Concept" prefix="concept" '
             'uri="http://www.xes-standard.org/concept.xesext"/>',
             '<extension name="Lifecycle" prefix="lifecycle" '
             'uri="http://www.xes-standard.org/lifecycle.xesext"/>',
             '<extension name="Organizational" prefix="org" '
             'uri="http://www.xes-standard.org/org.xesext"/>',
             '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>',
             '<global scope="trace">' + _attr("string", "concept:name", "") + "</global>",
             '<global scope="event">' + _attr("string", "concept:name", "")
             + _attr("string", "lifecycle:transition", "complete")
             + _attr("date", "time:timestamp", _stamp(0.0)) + "</global>",
             '<classifier name="Activity" keys="concept:name"/>',
             '<classifier name="Activity and transition" '
             'keys="concept:name lifecycle:transition"/>',
             _attr("string", "concept:name", net.name)]
    steps = net.steps
    current = None
    for case, at, life, t, resource in _ordered(events):
        if not steps[at].logged:
            continue
        if case != current:
            if current is not None:
                parts.append("</trace>")
            parts.append("<trace>" + _attr("string", "concept:name", f"case-{case}"))
            current = case
        parts.append("<event>" + _attr("string", "concept:name", steps[at].title)
                     + _attr("string", "servicemap:step", steps[at].id)
                     + _attr("string", "lifecycle:transition", life)
                     + _attr("string", "org:resource", resource)
                     + _attr("date", "time:timestamp", _stamp(t)) + "</event>")
    if current is not None:
        parts.append("</trace>")
    parts.append("</log>")
    return ("\n".join(parts) + "\n").encode("utf-8")


def event_log(net: Network, events: Sequence[Event], fmt: str) -> bytes:
    """The event log in ``fmt`` (``csv`` or ``xes``).

    Raises:
        ValueError: for another format.
    """
    if fmt == "csv":
        return event_log_csv(net, events)
    if fmt == "xes":
        return event_log_xes(net, events)
    raise ValueError(f"unknown event-log format {fmt!r}: use .csv or .xes")
