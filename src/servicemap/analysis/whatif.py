"""What-if and sensitivity: lead time, throughput, success and cost before and after changes."""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from ..calendars import working_rate_per_hour
from ..values import (
    MAX_CAPACITY,
    Rate,
    duration_sum,
    format_percent,
    format_seconds,
    parse_capacity,
    parse_cost,
    parse_duration,
    parse_fraction,
    parse_rate,
)
from .engine import analyze_blueprint

if TYPE_CHECKING:
    from ..flow.graph import FlowGraph
    from ..model import Blueprint, Step
    from .result import Analysis

__all__ = [
    "FIELDS",
    "SENSITIVITY_LIMIT",
    "Change",
    "ChangeError",
    "Figures",
    "Sensitivity",
    "StepGain",
    "WhatIf",
    "apply_changes",
    "parse_change",
    "sensitivity",
    "what_if",
]

FIELDS: tuple[str, ...] = ("duration", "wait", "capacity", "accuracy", "cost")
"""The step fields a change may set; ``arrivals`` (no step) changes the map's arrivals."""

SENSITIVITY_LIMIT = 2000
"""At most this many steps are tried per ranking (one analysis each), the heaviest first."""

_DURATIONS = ("duration", "wait")
_NUMBER = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_RELATIVE = re.compile(rf"([+-])\s*({_NUMBER})\s*%")
_TARGET = re.compile(r"(?:([A-Za-z][A-Za-z0-9_-]{0,63})\.)?([A-Za-z_]+)")
_SYNTAX = ("expected STEP.FIELD=VALUE (FIELD one of duration, wait, capacity, accuracy, cost) "
           "or arrivals=VALUE, VALUE such as -10%, +1, 5min or 0.98")

How = Literal["scale", "add", "set"]


class ChangeError(ValueError):
    """A change that cannot be read or applied; the message says why (a usage error)."""


@dataclass(frozen=True)
class Change:
    """One change: ``step.field`` scaled, moved or set (``step`` ``None``: the map's arrivals).

    ``amount`` is a factor (``scale``), or a value in seconds (durations), cases
    per hour (arrivals) or plain units (``add``, ``set``). ``text`` is the change
    as written; ``duration`` the duration as written (``add``, ``set``), whose
    days stay working days under a calendar; ``rate`` likewise the arrivals
    (``40/d``: per working day under a calendar).
    """

    step: str | None
    field: str
    how: How
    amount: float
    text: str
    duration: timedelta | None = _field(default=None, repr=False)
    rate: Rate | None = _field(default=None, repr=False)


def parse_change(text: str) -> Change:
    """Read a change ``STEP.FIELD=VALUE`` or ``arrivals=VALUE``.

    VALUE is relative (``+10%``, ``-10%``), a signed amount added in the
    field's own unit (``+1``, ``-2min``, ``+5/h``) or an absolute value in the
    field's own syntax (``5min``, ``0.98``, ``98%``, ``3``, ``30/h``).

    Raises:
        ChangeError: for text that is no change, an unknown field or a value
            that cannot be read.

    Examples:
        >>> parse_change("solve.duration=-10%")
        Change(step='solve', field='duration', how='scale', amount=0.9, text='solve.duration=-10%')
        >>> parse_change("desk.capacity=+1").amount, parse_change("arrivals=30/h").amount
        (1.0, 30.0)
        >>> parse_change("solve.wait=5min").amount
        300.0
    """
    left, sep, value = text.partition("=")
    m = _TARGET.fullmatch(left.strip())
    if not sep or m is None or not value.strip():
        raise ChangeError(f"cannot read the change {text!r}: {_SYNTAX}")
    step, name = m.group(1), m.group(2)
    if step is None and name != "arrivals":
        hint = f" (did you mean STEP.{name}=...?)" if name in FIELDS else ""
        raise ChangeError(f"cannot read the change {text!r}: {_SYNTAX}{hint}")
    if step is not None and name not in FIELDS:
        raise ChangeError(f"unknown field {name!r} in {text!r}: a change sets one of "
                          f"{', '.join(FIELDS)}, or the map's arrivals (arrivals=+20%)")
    how, amount = _value(name, value.strip(), text)
    written, rate = None, None
    bare = value.strip().lstrip("+-").strip()
    if name in _DURATIONS and how != "scale":
        written = parse_duration(bare)
    elif name == "arrivals" and how != "scale":
        rate = parse_rate(float(bare) if re.fullmatch(_NUMBER, bare) else bare)
    return Change(step, name, how, amount, text.strip(), written, rate)


def _value(name: str, value: str, text: str) -> tuple[How, float]:
    """How a change acts and by how much (see :class:`Change`)."""
    relative = _RELATIVE.fullmatch(value)
    if relative:
        share = float(relative.group(2)) / 100.0
        return "scale", 1.0 + share if relative.group(1) == "+" else 1.0 - share
    sign = value[0] if value[0] in "+-" else ""
    try:
        amount = _amount(name, value[1:].strip() if sign else value, absolute=not sign)
    except (ValueError, OverflowError) as exc:
        raise ChangeError(f"cannot read the value of {text!r}: {exc}") from None
    return ("add", -amount if sign == "-" else amount) if sign else ("set", amount)


def _amount(name: str, value: str, *, absolute: bool) -> float:
    """A value in the field's unit: seconds, cases per hour or a plain number."""
    if name in _DURATIONS:
        return parse_duration(value).total_seconds()
    if name == "arrivals":
        return parse_rate(float(value) if re.fullmatch(_NUMBER, value) else value).per_hour
    if absolute and name == "accuracy":
        return parse_fraction(float(value) if re.fullmatch(_NUMBER, value) else value)
    if not re.fullmatch(_NUMBER, value):
        raise ValueError(f"{value!r} is not a number")
    number = float(value)
    if absolute and name == "capacity":
        return float(parse_capacity(number))
    return parse_cost(number) if absolute and name == "cost" else number


def apply_changes(blueprint: Blueprint, changes: Sequence[Change],
                  arrivals: float | None = None) -> tuple[Blueprint, float | None]:
    """The map with the step changes made, and the arrivals (cases per hour) after the changes.

    Args:
        blueprint: The map (left unchanged).
        changes: The changes, made in order.
        arrivals: Cases per hour entering the map before the changes, if known.

    Raises:
        ChangeError: for an unknown step (with the nearest id), a relative
            change of a value the map does not give, or a result outside the
            field's range.

    Example:
        >>> from servicemap.model import Blueprint, Task, Terminator
        >>> bp = Blueprint(name="x", steps=[Terminator(id="s", next="w"),
        ...                Task(id="w", duration="10min", next="e"), Terminator(id="e")])
        >>> after, _ = apply_changes(bp, [parse_change("w.duration=+50%")])
        >>> after.step("w").duration.total_seconds(), bp.step("w").duration.total_seconds()
        (900.0, 600.0)
    """
    steps = list(blueprint.steps)
    index = {s.id: i for i, s in reversed(list(enumerate(steps)))}
    for change in changes:
        if change.step is None:
            if change.rate is not None and blueprint.calendar is not None:  # per working hour
                per = working_rate_per_hour(change.rate, blueprint.calendar.week())
                change = dataclasses.replace(change, amount=-per if change.amount < 0 else per)
            arrivals = _changed(arrivals, change, "the map gives no arrivals")
            if arrivals < 0 or not math.isfinite(arrivals):
                raise ChangeError(f"{change.text} gives {arrivals:g}/h: arrivals must be >= 0")
            continue
        if change.step not in index:
            near = difflib.get_close_matches(change.step, list(index), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise ChangeError(f"unknown step {change.step!r} in {change.text!r}{hint}")
        i = index[change.step]
        steps[i] = _changed_step(steps[i], change)
    return blueprint.model_copy(update={"steps": steps}), arrivals


def _changed(old: float | None, change: Change, missing: str) -> float:
    if change.how == "set":
        return change.amount
    if old is None:
        raise ChangeError(f"{change.text}: {missing}, so there is nothing to change by "
                          f"{'a share' if change.how == 'scale' else 'an amount'}; give an "
                          "absolute value")
    return old * change.amount if change.how == "scale" else old + change.amount


_RANGES = {"duration": "a duration from 0 to 999,999,999 days", "wait": "a duration from 0 to "
           "999,999,999 days", "capacity": "a whole number from 1 to 1000000000",
           "accuracy": "a fraction in (0, 1]", "cost": "a finite number >= 0"}


def _changed_step(step: Step, change: Change) -> Step:
    """A copy of ``step`` with one field changed, the result checked against the field's range."""
    old: Any = getattr(step, change.field)
    before = old.total_seconds() if isinstance(old, timedelta) else old
    value = _changed(before, change, f"step {step.id!r} has no {change.field}")
    try:
        new: object
        if change.field in _DURATIONS:
            new = parse_duration(_duration(old, change, value))
        elif change.field == "capacity":
            new = parse_capacity(value)
        elif change.field == "accuracy":
            new = parse_fraction(value)
        else:
            new = parse_cost(value)
    except (ValueError, OverflowError):
        shown = format_seconds(value) if change.field in _DURATIONS else f"{value:g}"
        raise ChangeError(f"{change.text} gives {change.field} {shown}: it must be "
                          f"{_RANGES[change.field]}") from None
    return step.model_copy(update={change.field: new})


def _duration(old: timedelta | None, change: Change, seconds: float) -> timedelta:
    """The changed duration, its days and weeks kept as written (working days under a
    calendar); ``seconds`` (the new value) where neither value was written in days."""
    if change.how == "scale" and old is not None:
        return old * change.amount
    if change.duration is not None:
        if change.how == "set":
            return change.duration
        if old is not None:
            return duration_sum(old, change.duration, 1.0 if change.amount >= 0 else -1.0)
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class Figures:
    """The numbers a what-if compares, from one analysis (``None``: unknown or unbounded)."""

    lead_time_s: float | None
    lead_time_unbounded: str | None
    max_throughput_per_h: float | None
    success_probability: float
    cost: float | None
    arrivals_per_h: float | None

    @classmethod
    def of(cls, analysis: Analysis) -> Figures:
        """The figures of an analysis."""
        s = analysis.summary
        return cls(s.lead_time_s, s.lead_time_unbounded, s.max_throughput_per_h,
                   s.success_probability, s.cost, s.arrivals_per_h)

    def to_dict(self) -> dict[str, Any]:
        """The figures by name, as in JSON."""
        return {"lead_time_s": self.lead_time_s, "lead_time_unbounded": self.lead_time_unbounded,
                "max_throughput_per_h": self.max_throughput_per_h,
                "success_probability": self.success_probability, "cost": self.cost,
                "arrivals_per_h": self.arrivals_per_h}


_COMPARED = ("lead_time_s", "max_throughput_per_h", "success_probability", "cost")


def _deltas(before: Figures, after: Figures) -> dict[str, float | None]:
    """After minus before, per compared figure; ``None`` where either is unknown."""
    out: dict[str, float | None] = {}
    for key in _COMPARED:
        a, b = getattr(before, key), getattr(after, key)
        out[key] = b - a if a is not None and b is not None and math.isfinite(b - a) else None
    return out


def _rate(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.3g}/h"


def _shown(key: str, f: Figures) -> str:
    if key == "lead_time_s":
        return "unbounded" if f.lead_time_unbounded else format_seconds(f.lead_time_s)
    if key == "max_throughput_per_h":
        return _rate(f.max_throughput_per_h)
    if key == "success_probability":
        return format_percent(f.success_probability)
    return "unknown" if f.cost is None else f"{f.cost:.3g}"


def _delta_shown(key: str, delta: float | None, before: float | None) -> str:
    if delta is None:
        return "unknown"
    if not delta:
        return "0"
    if key == "success_probability":
        return f"{delta * 100:+.3g} pp"
    sign = "+" if delta >= 0 else "-"
    size = (format_seconds(abs(delta)) if key == "lead_time_s"
            else _rate(abs(delta)) if key == "max_throughput_per_h" else f"{abs(delta):.3g}")
    share = f" ({delta / before * 100:+.3g}%)" if before else ""
    return f"{sign}{size}{share}"


_LABELS = {"lead_time_s": "lead time per case", "max_throughput_per_h": "max throughput",
           "success_probability": "success probability", "cost": "cost per case"}


def _table(before: Figures, after: Figures) -> list[str]:
    deltas = _deltas(before, after)
    rows = [("", "before", "after", "change")]
    rows += [(_LABELS[k], _shown(k, before), _shown(k, after),
              _delta_shown(k, deltas[k], getattr(before, k))) for k in _COMPARED]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  " + "  ".join(c.ljust(w) for c, w in zip(r[:3], widths, strict=True)) + "  " + r[3]
             for r in rows]
    lines += [f"  {when}: lead time unbounded: {f.lead_time_unbounded}"
              for when, f in (("before", before), ("after", after)) if f.lead_time_unbounded]
    return [line.rstrip() for line in lines]


@dataclass(frozen=True)
class WhatIf:
    """A map's figures before and after changes, and the change in each.

    Example:
        >>> f = Figures(600.0, None, 6.0, 1.0, 2.0, None)
        >>> w = WhatIf("x", ("w.duration=-10%",), f, Figures(540.0, None, 6.67, 1.0, 2.0, None))
        >>> round(w.deltas["lead_time_s"], 6), w.deltas["cost"]
        (-60.0, 0.0)
    """

    name: str
    changes: tuple[str, ...]
    before: Figures
    after: Figures

    @property
    def deltas(self) -> dict[str, float | None]:
        """After minus before for lead time, throughput, success and cost (``None``: unknown)."""
        return _deltas(self.before, self.after)

    def to_dict(self) -> dict[str, Any]:
        """The what-if as plain data: the map, the changes, before, after and the deltas."""
        return {"map": self.name, "changes": list(self.changes), "before": self.before.to_dict(),
                "after": self.after.to_dict(), "change": self.deltas}

    def to_json(self, *, indent: int | None = 2) -> str:
        """The what-if as JSON (never NaN or Infinity)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_text(self) -> str:
        """A before/after/change table for the terminal."""
        head = f"What if {', '.join(self.changes)} ({self.name})"
        return "\n".join([head, "", *_table(self.before, self.after)]) + "\n"


def what_if(blueprint: Blueprint, changes: Sequence[Change], *, arrivals: float | None = None,
            graph: FlowGraph | None = None) -> WhatIf:
    """Analyse a map before and after changes (queue-aware: the analysis is run again).

    The map must have passed the structural checks (the caller's job, as for
    :func:`~servicemap.analysis.analyze_blueprint`); changes of numbers leave
    its structure as it is.

    Args:
        blueprint: The map.
        changes: From :func:`parse_change`, made in order.
        arrivals: Cases per hour overriding the map's own arrivals.
        graph: The map's flow graph, if already built (for the analysis before).

    Raises:
        ChangeError: for a change that cannot be made (see :func:`apply_changes`).

    Example:
        >>> import servicemap as sm
        >>> bp = sm.loads('''
        ... name: Two tasks
        ... steps:
        ...   - {id: s, kind: terminator, next: a}
        ...   - {id: a, kind: task, duration: 10min, next: b}
        ...   - {id: b, kind: task, duration: 20min, next: e}
        ...   - {id: e, kind: terminator}
        ... ''')
        >>> what_if(bp, [parse_change("b.duration=-10%")]).deltas["lead_time_s"]
        -120.0
    """
    before = analyze_blueprint(blueprint, arrivals=arrivals, graph=graph)
    changed, rate = apply_changes(blueprint, changes, before.summary.arrivals_per_h)
    after = analyze_blueprint(changed, arrivals=rate)
    return WhatIf(blueprint.name, tuple(c.text for c in changes), Figures.of(before),
                  Figures.of(after))


@dataclass(frozen=True)
class StepGain:
    """What one step's change does: the figures after it, lead time saved, throughput gained."""

    step: str
    change: str
    after: Figures
    lead_time_saved_s: float | None
    throughput_gain_per_h: float | None

    def to_dict(self) -> dict[str, Any]:
        """The gain as plain data."""
        return {"step": self.step, "change": self.change,
                "lead_time_saved_s": self.lead_time_saved_s,
                "throughput_gain_per_h": self.throughput_gain_per_h, "after": self.after.to_dict()}


def _gain(blueprint: Blueprint, before: Figures, step: str, change: Change) -> StepGain:
    changed, rate = apply_changes(blueprint, [change], before.arrivals_per_h)
    after = Figures.of(analyze_blueprint(changed, arrivals=rate))
    deltas = _deltas(before, after)
    saved = deltas["lead_time_s"]
    return StepGain(step, change.text, after, -saved if saved is not None else None,
                    deltas["max_throughput_per_h"])


def _rank_key(g: StepGain) -> tuple[bool, float, float]:
    """Shortest lead time after first (unbounded last), then most throughput."""
    lead, rate = g.after.lead_time_s, g.after.max_throughput_per_h
    return (lead is None, lead if lead is not None else 0.0, -(rate or 0.0))


@dataclass(frozen=True)
class Sensitivity:
    """Steps ranked by what a shorter duration, and one more server, do to the lead time.

    ``durations``: one :class:`StepGain` per step with a duration, made
    ``improvement`` shorter; ``capacities``: one per step with a capacity, given
    one server more; each ranked by the lead time after (shortest first,
    unbounded last), then by throughput. ``tried`` of ``candidates`` steps were
    analysed (at most ``limit`` per ranking, the heaviest first).
    """

    name: str
    improvement: float
    before: Figures
    durations: tuple[StepGain, ...]
    capacities: tuple[StepGain, ...]
    candidates: int
    tried: int

    def to_dict(self) -> dict[str, Any]:
        """The ranking as plain data."""
        return {"map": self.name, "improvement": self.improvement,
                "before": self.before.to_dict(),
                "durations": [g.to_dict() for g in self.durations],
                "capacities": [g.to_dict() for g in self.capacities],
                "candidates": self.candidates, "tried": self.tried}

    def to_json(self, *, indent: int | None = 2) -> str:
        """The ranking as JSON (never NaN or Infinity)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_text(self) -> str:
        """The rankings for the terminal."""
        lead = _shown("lead_time_s", self.before)
        lines = [f"Sensitivity of {self.name} (lead time {lead}, "
                 f"max throughput {_rate(self.before.max_throughput_per_h)})", "",
                 f"Each step's duration {format_percent(self.improvement)} shorter "
                 f"({len(self.durations)} steps), most lead time saved first:"]
        lines += [_gain_line(g) for g in self.durations] or ["  no step has a duration"]
        if self.capacities:
            best = self.capacities[0]
            lines += ["", f"One server more ({len(self.capacities)} steps with a capacity); "
                      f"it helps most at {best.step}:"]
            lines += [_gain_line(g) for g in self.capacities]
        if self.tried < self.candidates:
            lines += ["", f"Tried the {self.tried} heaviest of {self.candidates} steps."]
        return "\n".join(lines) + "\n"


def _gain_line(g: StepGain) -> str:
    after = _shown("lead_time_s", g.after)
    saved = "-" if g.lead_time_saved_s is None else format_seconds(g.lead_time_saved_s)
    gain = g.throughput_gain_per_h
    more = "-" if gain is None else f"{gain:+.3g}/h" if gain else "+0/h"
    return f"  {g.step}: lead time {after} (saves {saved}), max throughput {more}"


def _seconds(value: timedelta | None) -> float:
    return value.total_seconds() if value is not None else 0.0


def _heaviest(ids: list[str], weights: list[tuple[float, float]], limit: int | None) -> list[str]:
    """The ``limit`` ids of largest weight, in map order (all of them without a limit)."""
    if limit is None or len(ids) <= limit:
        return ids
    keep = set(sorted(range(len(ids)), key=lambda i: weights[i], reverse=True)[:limit])
    return [s for i, s in enumerate(ids) if i in keep]


def sensitivity(blueprint: Blueprint, *, improvement: float = 0.10,
                arrivals: float | None = None, graph: FlowGraph | None = None,
                limit: int | None = SENSITIVITY_LIMIT) -> Sensitivity:
    """Rank the steps by the lead time a shorter duration, or one more server, saves.

    Args:
        blueprint: The map, past the structural checks (as for :func:`what_if`).
        improvement: How much shorter each duration is made (0.10: 10 %).
        arrivals: Cases per hour overriding the map's own arrivals.
        graph: The map's flow graph, if already built (for the analysis before).
        limit: Analyse at most this many steps per ranking: those with the most
            time per case (visits · (duration + queue wait)) for durations, the
            largest queue wait per case, then load, for capacities. ``None``:
            every step.

    Raises:
        ValueError: if ``improvement`` is not in (0, 1].

    Notes:
        One analysis per step tried: O(k · analysis) for k steps, about
        n times one ``analyze`` on a map of n steps; ``limit`` bounds it.

    Example:
        >>> import servicemap as sm
        >>> bp = sm.loads('''
        ... name: Two tasks
        ... steps:
        ...   - {id: s, kind: terminator, next: a}
        ...   - {id: a, kind: task, duration: 10min, next: b}
        ...   - {id: b, kind: task, duration: 20min, next: e}
        ...   - {id: e, kind: terminator}
        ... ''')
        >>> [(g.step, g.lead_time_saved_s) for g in sensitivity(bp).durations]
        [('b', 120.0), ('a', 60.0)]
    """
    if not 0 < improvement <= 1:
        raise ValueError(f"improvement must be in (0, 1], not {improvement!r}")
    analysis = analyze_blueprint(blueprint, arrivals=arrivals, graph=graph)
    before = Figures.of(analysis)
    t = analysis.table
    visits = dict(zip(t["id"], t["visits"], strict=True))
    queue = {s: (w or 0.0) * visits[s] for s, w in zip(t["id"], t["queue_wait_s"], strict=True)}
    load = {s: w or 0.0 for s, w in zip(t["id"], t["load_s"], strict=True)}
    timed = [s for s in blueprint.steps if s.duration and s.id in visits]
    served = [s.id for s in blueprint.steps
              if s.capacity is not None and s.capacity < MAX_CAPACITY and s.id in visits]
    weights = [(visits[s.id] * _seconds(s.duration) + queue[s.id], 0.0) for s in timed]
    shorter = _heaviest([s.id for s in timed], weights, limit)
    more = _heaviest(served, [(queue[s], load[s]) for s in served], limit)
    durations = [_gain(blueprint, before, s, Change(s, "duration", "scale", 1 - improvement,
                                                    f"{s}.duration=-{improvement * 100:g}%"))
                 for s in shorter]
    capacities = [_gain(blueprint, before, s, Change(s, "capacity", "add", 1.0,
                                                     f"{s}.capacity=+1")) for s in more]
    return Sensitivity(blueprint.name, improvement, before,
                       tuple(sorted(durations, key=_rank_key)),
                       tuple(sorted(capacities, key=_rank_key)),
                       len(timed) + len(served), len(shorter) + len(more))
