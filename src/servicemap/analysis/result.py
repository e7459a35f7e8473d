"""The result of an analysis and its views: dict/JSON, CSV, pandas, HTML and a text report."""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import math
import operator
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .._perf import gc_paused
from .bottlenecks import BottleneckRow
from .failures import FailurePoint, percent
from .jsonout import pretty, row_strings, table_rows
from .parallel import ParallelRegion
from .times import Metric

if TYPE_CHECKING:
    import pandas as pd

    from .calendar import CalendarTimes

__all__ = ["STEP_COLUMNS", "Analysis", "StepRow", "StepTable", "Summary", "format_seconds"]

StepTable = dict[str, list[Any]]
"""The per-step table by column (see :data:`STEP_COLUMNS`): ``None`` where unknown."""

STEP_COLUMNS: tuple[str, ...] = (
    "id", "label", "kind", "lane", "visits", "process_time_s", "lead_time_s", "capacity",
    "load_s", "utilisation", "queue_wait_s", "wip", "expected_defects", "lead_time_share",
    "flags",
)
"""Columns of the per-step table (CSV and DataFrame), in order."""


def format_seconds(seconds: float | None) -> str:
    """A duration in seconds for a person, or ``"unknown"``.

    >>> format_seconds(45), format_seconds(750), format_seconds(4800), format_seconds(129600)
    ('45 s', '12.5 min', '1.33 h', '1.5 d')
    >>> format_seconds(None)
    'unknown'
    """
    if seconds is None or math.isnan(seconds):
        return "unknown"
    if math.isinf(seconds):
        return "unbounded"
    for size, unit in ((86400.0, "d"), (3600.0, "h"), (60.0, "min")):
        if abs(seconds) >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def _pct(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "unknown"
    return percent(value) if math.isfinite(value) else _TOO_LARGE


def _num(value: float | None, digits: int = 3) -> str:
    if value is None or math.isnan(value):
        return "unknown"
    return f"{value:.{digits}g}" if math.isfinite(value) else _TOO_LARGE


_TOO_LARGE = "too large (beyond 1.8e308)"
"""How the text views show a value beyond the float range (the metrics avoid them)."""

NON_FINITE_NOTE = ("values beyond the float range are reported as unknown (null), as JSON "
                   "has no NaN or Infinity: {}")
"""The note :meth:`Analysis.to_dict` adds where it had to replace such values."""


_STEP_KEYS = ("id", "visits", "process_time_s", "lead_time_s", "load_s", "utilisation",
              "queue_wait_s", "wip", "expected_defects", "lead_time_share", "flags", "label",
              "kind", "lane", "capacity")
"""The keys of a row of ``steps`` in :meth:`Analysis.to_dict`, in order."""

_FLOAT_COLUMNS = ("visits", "process_time_s", "lead_time_s", "load_s", "utilisation",
                  "queue_wait_s", "wip", "expected_defects", "lead_time_share")
"""The columns of the per-step table that hold floats (or ``None``)."""


def _sum_is_finite(values: list[Any]) -> bool:
    """Whether ``values`` (floats and ``None``) are all finite, at C speed: true only
    if their exact sum is a finite float (a false "no" costs just a closer look).

    >>> _sum_is_finite([1.0, None, 2.5]), _sum_is_finite([1.0, float("nan")])
    (True, False)
    """
    try:
        return math.isfinite(math.fsum(filter(_known, values)))
    except (OverflowError, ValueError, TypeError):
        return False


def _known(value: object) -> bool:
    return value is not None


_FLOAT_KEYS: dict[str, tuple[str, ...]] = {
    "failure_points": ("visits", "expected_defects", "expected_branch_failures",
                       "expected_failures"),
    "bottlenecks": ("visits", "process_time_s", "load_s", "utilisation", "queue_wait_s"),
    "time_traps": ("lead_time_share",),
    "ends": ("probability",),
    "convergence_points": (),
    "critical_path": (),
}
"""The float keys of the rows of each long list in :meth:`Analysis.to_dict`."""


def _rows_finite(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> bool:
    """Whether the ``keys`` of every row are finite floats or ``None`` (see
    :func:`_sum_is_finite`); the rows' other values are text, integers and lists."""
    if not keys:
        return True
    get = operator.itemgetter(*keys)
    values = map(get, rows) if len(keys) == 1 else itertools.chain.from_iterable(map(get, rows))
    return _sum_is_finite(list(values))


def _finite(value: Any, path: str, replaced: list[str]) -> Any:
    """``value`` with every float that is ``nan`` or ``±inf`` replaced by ``None``
    (each one's path noted in ``replaced``), in nested dicts and lists.

    >>> found = []
    >>> _finite({"a": [1.0, float("inf")], "b": float("nan")}, "", found), found
    ({'a': [1.0, None], 'b': None}, ['a[1]', 'b'])
    """
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        replaced.append(path)
        return None
    if isinstance(value, dict):
        return {k: _finite(x, f"{path}.{k}" if path else str(k), replaced)
                for k, x in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(x, f"{path}[{i}]", replaced) for i, x in enumerate(value)]
    return value


_SUMMARY_KEYS: tuple[str, ...] = (
    "process_time_s", "lead_time_s", "lead_time_breakdown", "lead_time_unbounded",
    "activity_ratio", "rolled_accuracy", "rolled_ca", "first_pass_yield", "clean_success",
    "success_probability", "expected_failures", "failure_probability", "wip",
    "cost", "max_throughput_per_h", "bottleneck", "arrivals_per_h", "queue_method",
    "lead_time_percentiles_s", "lead_time_percentiles_method", "lead_time_method",
)


@dataclass(frozen=True)
class Summary(Mapping[str, Any]):
    """Per-case metrics of a map (times in seconds, rates per hour, fractions in [0, 1]).

    ``None`` wherever the map's data cannot give the value. The lead time
    counts the modelled queue waits; ``lead_time_breakdown`` says how much of
    it is ``wait_s`` (the map's waits and delays), ``queue_s`` (queues in front
    of capacity-constrained steps) and ``service_s`` (process time). Where an
    overloaded step makes it unbounded, ``lead_time_s`` is ``None`` and
    ``lead_time_unbounded`` says why (``"step solve overloaded (utilisation
    125%)"``). ``queue_method`` names how the queue waits were found:
    ``"M/M/c"`` where every arrival and service cv is 1,
    ``"Allen–Cunneen G/G/c with QNA propagation"`` otherwise, ``None`` where
    no queue is modelled (no arrivals or no capacities).
    ``lead_time_percentiles_s`` holds ``{"p50": ..., "p80": ..., "p95": ...}``
    where they are exact (``lead_time_percentiles_method`` is then
    ``"phase-type (exact)"``), else ``None`` and the method says why
    (``"not computed: ...: run servicemap simulate"``); :func:`servicemap.analyze`
    then estimates them by simulation where the map is small enough (the
    method begins ``"by simulation: "``). ``lead_time_method``
    says how the lead time of a map with parallel work took each fork's
    longest branch (``"phase-type (exact)"`` or ``"Monte Carlo (20,000
    samples)"``, docs/analysis.md, "Parallel work"); ``None`` without parallel
    work, where the lead time is a plain sum. ``coverage`` holds
    the :class:`~servicemap.analysis.times.Metric` of each time/cost/accuracy
    metric, saying how many steps carried its data.

    A summary is also a read-only mapping of its metrics by name — the keys of
    ``summary`` in ``analyze --format json`` (``coverage`` is an attribute
    only) — so ``summary["lead_time_s"]``, ``summary.keys()``, ``"cost" in
    summary``, ``dict(summary)`` and iteration work as on a dict.

    Example:
        >>> s = Summary(process_time_s=600.0, lead_time_s=900.0, activity_ratio=600 / 900,
        ...             rolled_accuracy=None, success_probability=1.0, cost=None,
        ...             max_throughput_per_h=None, bottleneck=None, arrivals_per_h=None)
        >>> s["lead_time_s"], s.lead_time_s
        (900.0, 900.0)
        >>> "lead_time_s" in s, "coverage" in s, len(s)
        (True, False, 21)
        >>> list(s)[:3]
        ['process_time_s', 'lead_time_s', 'lead_time_breakdown']
        >>> s["made_up"]
        Traceback (most recent call last):
        ...
        KeyError: 'made_up'
    """

    process_time_s: float | None
    lead_time_s: float | None
    activity_ratio: float | None
    rolled_accuracy: float | None
    success_probability: float
    cost: float | None
    max_throughput_per_h: float | None
    bottleneck: str | None
    arrivals_per_h: float | None
    coverage: dict[str, Metric] = field(default_factory=dict)
    lead_time_breakdown: dict[str, float | None] = field(default_factory=dict)
    lead_time_unbounded: str | None = None
    rolled_ca: float | None = None
    first_pass_yield: float | None = None
    clean_success: float | None = None
    expected_failures: float | None = None
    failure_probability: float | None = None
    wip: float | None = None
    queue_method: str | None = None
    lead_time_percentiles_s: dict[str, float] | None = None
    lead_time_percentiles_method: str | None = None
    lead_time_method: str | None = None

    def __getitem__(self, key: str) -> Any:
        """The metric named ``key`` (a key of :meth:`to_dict`)."""
        if key not in _SUMMARY_KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        """The metric names, in the order of :meth:`to_dict`."""
        return iter(_SUMMARY_KEYS)

    def __len__(self) -> int:
        """The number of metrics (21)."""
        return len(_SUMMARY_KEYS)

    def to_dict(self) -> dict[str, Any]:
        """The ``summary`` object of ``analyze --format json``: the metrics by name."""
        data = {key: getattr(self, key) for key in _SUMMARY_KEYS}
        data["lead_time_breakdown"] = dict(self.lead_time_breakdown)
        if self.lead_time_percentiles_s is not None:
            data["lead_time_percentiles_s"] = dict(self.lead_time_percentiles_s)
        return data


@dataclass
class StepRow:
    """One step in the per-step table (see :data:`STEP_COLUMNS`)."""

    id: str
    label: str
    kind: str
    lane: str | None
    visits: float
    process_time_s: float | None
    lead_time_s: float | None
    capacity: int | None
    load_s: float | None
    utilisation: float | None
    queue_wait_s: float | None
    wip: float | None
    expected_defects: float | None
    lead_time_share: float | None
    flags: list[str]

    def to_dict(self) -> dict[str, Any]:
        """The step as in ``analyze --format json``."""
        return {
            "id": self.id,
            "visits": self.visits,
            "process_time_s": self.process_time_s,
            "lead_time_s": self.lead_time_s,
            "load_s": self.load_s,
            "utilisation": self.utilisation,
            "queue_wait_s": self.queue_wait_s,
            "wip": self.wip,
            "expected_defects": self.expected_defects,
            "lead_time_share": self.lead_time_share,
            "flags": list(self.flags),
            "label": self.label,
            "kind": self.kind,
            "lane": self.lane,
            "capacity": self.capacity,
        }


@dataclass(frozen=True)
class Analysis:
    """What :func:`servicemap.analyze` finds: where a map fails, jams, and what a case costs.

    Attributes:
        name: The map's name.
        summary: Per-case metrics.
        table: The per-step table by column, in map order (``steps`` gives it by row).
        failure_points: The ranked failure-point table.
        bottlenecks: Capacity-constrained steps, largest load first.
        time_traps: ``(step, share of expected lead time)``, largest first.
        convergence_points: ``(step, incoming flows)`` for merges.
        end_probabilities: Probability of finishing at each end.
        notes: What the analysis assumed or could not compute, for a person.
        parallel: The fork/join regions of the map's parallel work, with each
            branch's expected time, the expected longest branch and its method.
        critical_path: The steps on the branches that set the lead time (each
            region's longest expected branch), with the forks and joins, in map order.
        calendar: With a working calendar, the lead time in working and in calendar
            time (times elsewhere are then working time); ``None`` without one.
    """

    name: str
    summary: Summary
    table: StepTable
    failure_points: list[FailurePoint]
    bottlenecks: list[BottleneckRow]
    time_traps: list[tuple[str, float]] = field(default_factory=list)
    convergence_points: list[tuple[str, int]] = field(default_factory=list)
    end_probabilities: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    parallel: list[ParallelRegion] = field(default_factory=list)
    critical_path: list[str] = field(default_factory=list)
    calendar: CalendarTimes | None = None

    @cached_property
    def steps(self) -> list[StepRow]:
        """The per-step table as rows, in map order (built on first use)."""
        cols = [self.table[c] for c in STEP_COLUMNS[:-1]]
        return [
            StepRow(*values, flags=list(flags))  # type: ignore[misc]
            for *values, flags in zip(*cols, self.table["flags"], strict=True)
        ]

    def _step_dicts(self) -> list[dict[str, Any]]:
        keys = _STEP_KEYS
        cols = [self.table[k] for k in keys]
        rows = [dict(zip(keys, values, strict=True)) for values in zip(*cols, strict=True)]
        for row in rows:
            row["flags"] = list(row["flags"])
        return rows

    # -- plain data ---------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the shape of ``analyze --format json`` (cli.md), plus extra keys.

        Extra keys: ``coverage`` (per metric: value, covered, total),
        ``time_traps``, ``convergence_points``, ``ends``, ``parallel`` (the
        fork/join regions), ``critical_path`` and ``notes``.

        Every number is finite: the analysis reports a value beyond the float
        range as ``None`` with a note saying so, and should one slip through
        anyway it is replaced by ``None`` here, with a note naming where.
        """
        replaced: list[str] = []
        data = self._plain_dict()
        for key, value in data.items():
            if key == "steps":  # the table's floats, column by column, at C speed
                if all(_sum_is_finite(self.table[c]) for c in _FLOAT_COLUMNS):
                    continue
            elif key in _FLOAT_KEYS and _rows_finite(value, _FLOAT_KEYS[key]):
                continue
            data[key] = _finite(value, key, replaced)
        if replaced:
            shown = ", ".join(replaced[:5]) + (
                f" and {len(replaced) - 5} more" if len(replaced) > 5 else "")
            data["notes"].append(NON_FINITE_NOTE.format(shown))
        return data

    def _plain_dict(self, steps: bool = True) -> dict[str, Any]:
        return {
            "name": self.name,
            "summary": self.summary.to_dict(),
            "steps": self._step_dicts() if steps else [],
            "failure_points": [row.to_dict() for row in self.failure_points],
            "bottlenecks": [row.to_dict() for row in self.bottlenecks],
            "coverage": {k: m.to_dict() for k, m in self.summary.coverage.items()},
            "time_traps": [{"step": s, "lead_time_share": x} for s, x in self.time_traps],
            "convergence_points": [{"step": s, "incoming": k} for s, k in self.convergence_points],
            "ends": [{"step": s, "probability": p} for s, p in self.end_probabilities.items()],
            "parallel": [r.to_dict() for r in self.parallel],
            "critical_path": list(self.critical_path),
            "notes": list(self.notes),
            "calendar": None if self.calendar is None else self.calendar.to_dict(),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON (``null`` where unknown; never NaN).

        With an ``indent`` the rows of the long lists (``steps``,
        ``failure_points``...) are written one per line
        (:mod:`~servicemap.analysis.jsonout`), several times faster than
        ``json.dumps``; the data is the same.
        """
        if indent is not None:
            with gc_paused():  # a few hundred thousand small objects: no collector passes
                fast = self._fast_json(indent)
            if fast is not None:
                return fast
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def _fast_json(self, indent: int) -> str | None:
        """The JSON text, rows one per line; ``None`` where a value is not finite (then
        :meth:`to_dict` replaces it and notes where)."""
        if not all(_sum_is_finite(self.table[c]) for c in _FLOAT_COLUMNS):
            return None
        data = self._plain_dict(steps=False)
        replaced: list[str] = []
        for key, value in data.items():
            if key in _FLOAT_KEYS:
                if not _rows_finite(value, _FLOAT_KEYS[key]):
                    return None
            elif key != "steps":
                _finite(value, key, replaced)
        if replaced:
            return None
        rows = {"steps": table_rows(self.table, _STEP_KEYS)}
        rows.update((key, row_strings(data[key])) for key in _FLOAT_KEYS)
        return pretty(list(data.items()), rows, indent)

    def to_csv(self) -> str:
        """The per-step table as CSV (empty cell where unknown, flags joined by ``;``).

        A value beyond the float range is unknown too (the notes of the analysis
        say which): the CSV never holds ``nan`` or ``inf``.
        """
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(STEP_COLUMNS)
        flags_at = STEP_COLUMNS.index("flags")
        for values in zip(*(self.table[c] for c in STEP_COLUMNS), strict=True):
            cells = ["" if x is None or (isinstance(x, float) and not math.isfinite(x)) else x
                     for x in values]
            cells[flags_at] = ";".join(values[flags_at])
            writer.writerow(cells)
        return out.getvalue()

    def to_pandas(self) -> pd.DataFrame:
        """The per-step table as a pandas DataFrame indexed by step id.

        Raises:
            ImportError: if pandas is not installed.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is installed in CI
            raise ImportError(
                "Analysis.to_pandas() needs pandas: pip install 'servicemap[pandas]'"
            ) from exc
        data = {c: list(self.table[c]) for c in STEP_COLUMNS}
        data["flags"] = [list(f) for f in data["flags"]]
        return pd.DataFrame(data, columns=list(STEP_COLUMNS)).set_index("id")

    # -- for people ---------------------------------------------------------

    def _summary_lines(self) -> list[tuple[str, str, str]]:
        s = self.summary
        cov = s.coverage

        def c(key: str) -> str:
            return cov[key].coverage if key in cov else ""

        return [
            ("process time per case", format_seconds(s.process_time_s), c("process_time")),
            ("lead time per case", format_seconds(s.lead_time_s) if s.lead_time_unbounded is None
             else f"unbounded: {s.lead_time_unbounded}", c("lead_time")),
            *self._breakdown_line(),
            *([] if s.lead_time_method is None else [
                ("  longest branches by", s.lead_time_method, "")]),
            *self._percentile_line(),
            *(self.calendar.lines() if self.calendar is not None else []),
            ("activity ratio", _pct(s.activity_ratio) if s.lead_time_unbounded is None
             else "unbounded lead time", c("activity_ratio")),
            ("rolled accuracy", _pct(s.rolled_accuracy), c("rolled_accuracy")),
            ("rolled %C&A", _pct(s.rolled_ca), ""),
            ("first-pass yield", _pct(s.first_pass_yield), ""),
            ("clean success", _pct(s.clean_success), ""),
            ("success probability", _pct(s.success_probability), ""),
            *([] if s.expected_failures is None else [
                ("expected failures", _num(s.expected_failures), ""),
                ("failure probability", _pct(s.failure_probability), "")]),
            *([] if s.wip is None else [("work in progress", f"{_num(s.wip)} cases", "")]),
            ("cost per case", _num(s.cost, 4), c("cost")),
            ("max throughput", "unknown" if s.max_throughput_per_h is None
             else f"{_num(s.max_throughput_per_h)}/h", ""),
            ("bottleneck", s.bottleneck or "none", ""),
            ("arrivals", "not given" if s.arrivals_per_h is None
             else f"{_num(s.arrivals_per_h)}/h", ""),
            *([] if s.queue_method is None else [("queue waits by", s.queue_method, "")]),
        ]

    def _percentile_line(self) -> list[tuple[str, str, str]]:
        """``p50 7 min, p80 16.1 min, p95 30 min (phase-type (exact))`` or why none."""
        s = self.summary
        if s.lead_time_percentiles_method is None:
            return []
        q = s.lead_time_percentiles_s
        if q is None:
            return [("  percentiles", s.lead_time_percentiles_method, "")]
        text = ", ".join(f"{k} {format_seconds(x)}" for k, x in q.items())
        return [("  percentiles", f"{text} ({s.lead_time_percentiles_method})", "")]

    def _breakdown_line(self) -> list[tuple[str, str, str]]:
        """``wait 2 min + queue 18.3 min + service 16.5 min``, where a part is known."""
        b = self.summary.lead_time_breakdown
        parts = [f"{name} {format_seconds(b[key])}" for name, key in
                 (("wait", "wait_s"), ("queue", "queue_s"), ("service", "service_s"))
                 if b.get(key) is not None]
        if not parts or self.summary.lead_time_s is None:
            return []
        return [("  of which", " + ".join(parts), "")]

    def _parallel_lines(self) -> list[str]:
        """The regions of parallel work, each branch's expected time, the critical path."""
        if not self.parallel:
            return []
        n = len(self.parallel)
        lines = ["", f"Parallel work ({n} fork/join region{'s' if n > 1 else ''})"]
        for r in self.parallel:
            error = "" if r.standard_error_s is None else \
                f" ± {format_seconds(r.standard_error_s)}"
            longest = format_seconds(r.expected_time_s)
            lines.append(f"  {r.fork} -> {r.join}: longest branch {longest}{error} "
                         f"({r.method}), {_num(r.visits)} per case")
            for k, b in enumerate(r.branches):
                mark = "*" if k == r.critical else " "
                steps = ", ".join(b.steps) or "(no step)"
                lines.append(f"   {mark} {format_seconds(b.expected_time_s)}: {steps}")
        lines.append(f"  critical path: {', '.join(self.critical_path)}")
        return lines

    def to_text(self, *, top: int = 10) -> str:
        """A readable report for a terminal.

        Args:
            top: How many rows of each table to show.
        """
        lines = [f"Analysis of {self.name}", ""]
        for name, value, coverage in self._summary_lines():
            suffix = f"  (covers {coverage})" if coverage else ""
            lines.append(f"  {name + ':':<24}{value}{suffix}")
        lines += ["", f"Failure points ({len(self.failure_points)})"]
        for k, fp in enumerate(self.failure_points[:top], 1):
            ef = "" if fp.expected_failures is None else f"  {_num(fp.expected_failures)} per case"
            lines.append(f"  {k}. {fp.step}{ef}")
            lines.extend(f"       - {r}" for r in fp.reasons)
        if not self.failure_points:
            lines.append("  none")
        lines += ["", f"Bottlenecks ({len(self.bottlenecks)} capacity-constrained steps)"]
        for b in self.bottlenecks[:top]:
            extra = ""
            if b.utilisation is not None:
                extra += f", utilisation {_pct(b.utilisation)}"
            if b.overloaded:
                extra += " OVERLOADED"
            elif b.queue_wait_s is not None:
                extra += f", queue wait {format_seconds(b.queue_wait_s)}"
            lines.append(
                f"  {b.step}: load {format_seconds(b.load_s)} per case "
                f"on {b.capacity} server(s){extra}"
            )
        if not self.bottlenecks:
            lines.append("  none")
        lines += ["", "Time traps (share of lead time)"]
        for step, share in self.time_traps[:top]:
            lines.append(f"  {step}: {_pct(share)}")
        if self.summary.lead_time_unbounded is not None:
            lines.append(f"  unbounded: {self.summary.lead_time_unbounded}")
        elif not self.time_traps:
            lines.append("  none")
        lines += self._parallel_lines()
        if self.convergence_points:
            lines += ["", "Convergence points (incoming flows)"]
            lines.extend(f"  {s}: {k}" for s, k in self.convergence_points[:top])
        if self.notes:
            lines += ["", "Notes"]
            lines.extend(f"  - {note}" for note in self.notes)
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self, *, top: int = 20) -> str:
        e = html.escape

        def table(head: list[str], rows: list[list[str]]) -> str:
            h = "".join(f"<th>{e(x)}</th>" for x in head)
            body = "".join(
                "<tr>" + "".join(f"<td>{e(x)}</td>" for x in row) + "</tr>" for row in rows
            )
            return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"

        parts = [f"<h3>Analysis of {e(self.name)}</h3>"]
        parts.append(table(["metric", "value", "covers"],
                           [list(x) for x in self._summary_lines()]))
        parts.append(f"<h4>Failure points ({len(self.failure_points)})</h4>")
        parts.append(table(
            ["step", "expected failures per case", "visits", "reasons"],
            [[fp.step, _num(fp.expected_failures), _num(fp.visits), "; ".join(fp.reasons)]
             for fp in self.failure_points[:top]],
        ))
        parts.append(f"<h4>Bottlenecks ({len(self.bottlenecks)})</h4>")
        parts.append(table(
            ["step", "capacity", "load per case", "utilisation", "queue wait"],
            [[b.step, str(b.capacity), format_seconds(b.load_s), _pct(b.utilisation),
              "overloaded" if b.overloaded else format_seconds(b.queue_wait_s)]
             for b in self.bottlenecks[:top]],
        ))
        if self.parallel:
            parts.append(f"<h4>Parallel work ({len(self.parallel)})</h4>")
            parts.append(table(
                ["fork", "join", "longest branch", "method", "critical branch"],
                [[r.fork, r.join, format_seconds(r.expected_time_s), r.method,
                  ", ".join(r.branches[r.critical].steps) if r.branches else ""]
                 for r in self.parallel[:top]],
            ))
        n_steps = len(self.table["id"])
        parts.append(f"<h4>Steps ({n_steps})</h4>")
        parts.append(table(
            ["step", "visits", "process time", "queue wait", "lead time", "lead-time share",
             "WIP", "flags"],
            [[r.id, _num(r.visits), format_seconds(r.process_time_s),
              "" if r.queue_wait_s is None else format_seconds(r.queue_wait_s),
              format_seconds(r.lead_time_s), _pct(r.lead_time_share),
              "" if r.wip is None else _num(r.wip), ", ".join(r.flags)]
             for r in self.steps[:top]],
        ))
        if n_steps > top:
            parts.append(f"<p>… {n_steps - top} more steps (see to_pandas())</p>")
        if self.notes:
            parts.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in self.notes) + "</ul>")
        return "<div class=\"servicemap-analysis\">" + "".join(parts) + "</div>"
