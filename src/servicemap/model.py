"""Pydantic models of a service map: the blueprint, its lanes, phases and steps."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .atomic import write_bytes_atomic
from .calendars import Holiday, TimeZone, WorkingHours, WorkWeek
from .references import reference_issues
from .values import (
    CV_LIMITS,
    Capacity,
    Cost,
    Distribution,
    Duration,
    Fraction,
    Identifier,
    Probability,
    Rate,
    Text,
    Variation,
    default_cv,
)

if TYPE_CHECKING:
    from .sourcemap import SourceMap

__all__ = [
    "KINDS",
    "LAYERS",
    "LINES",
    "Blueprint",
    "Branch",
    "Calendar",
    "Connector",
    "Decision",
    "Delay",
    "Document",
    "Lane",
    "Parallel",
    "Phase",
    "Predefined",
    "Step",
    "Task",
    "Terminator",
]

Layer = Literal["customer", "onstage", "backstage", "support"]
"""A blueprint layer; :data:`LAYERS` lists them in order."""

LAYERS: tuple[str, ...] = get_args(Layer)
"""Blueprint layers, top to bottom."""

LINES: tuple[str, ...] = ("interaction", "visibility", "internal interaction")
"""The blueprint lines, top to bottom: the line of ``LINES[k]`` lies between
``LAYERS[k]`` and ``LAYERS[k + 1]``."""

KINDS: tuple[str, ...] = (
    "terminator", "task", "predefined", "decision", "delay", "document", "connector",
    "parallel",
)
"""Step kinds: the standard flowchart symbols."""


class StrictModel(BaseModel):
    """Base of every model: unknown keys are errors; input is never echoed in errors."""

    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        validate_assignment=True,
        populate_by_name=True,
        ser_json_inf_nan="constants",  # metadata's .inf stays .inf in YAML (JSON refuses it)
    )


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""A key of a calendar's ``hours``."""


class Calendar(StrictModel):
    """Working hours per weekday, in a time zone: when work happens.

    With a calendar, durations, waits and arrival rates are working time, and
    a day (``1d``, ``40/d``) is a working day (docs/format.md, *Working calendars*).

    >>> Calendar(hours={"mon": "09:00-17:00", "tue": "09:00-13:00"}).week().weekly / 3600
    12.0
    """

    timezone: TimeZone | None = Field(
        default=None, description="the IANA time zone of the hours (default: the map "
        "calendar's, else UTC)")
    hours: dict[Weekday, WorkingHours] = Field(
        min_length=1, description="working hours per weekday (mon, tue, wed, thu, fri, sat, "
        "sun); a day not listed has none")
    holidays: list[Holiday] = Field(
        default_factory=list, description="days closed all day in the calendar's time zone, "
        "ISO dates: 2026-12-25")

    def week(self, timezone: str | None = None) -> WorkWeek:
        """The calendar laid out on simulated time; ``timezone`` where it gives none.

        >>> Calendar(hours={"mon": "09:00-17:00"}, holidays=["2026-01-12"]).week().text
        'mon 09:00-17:00 (UTC), closed 2026-01-12'
        """
        return WorkWeek.of({str(d): h for d, h in self.hours.items()}, self.timezone or timezone,
                           self.holidays)


class Lane(StrictModel):
    """A row of the blueprint: who acts.

    >>> Lane(id="care", label="Customer care", layer="backstage").title
    'Customer care'
    """

    id: Identifier
    label: Text | None = None
    layer: Layer | None = Field(
        default=None, description="blueprint layer: customer, onstage, backstage or support"
    )
    calendar: Calendar | None = Field(
        default=None, description="working hours of this lane's steps (default: the map's)"
    )

    @property
    def title(self) -> str:
        """The label, or the id where there is none."""
        return self.label if self.label is not None else self.id


class Phase(StrictModel):
    """A column of the blueprint: when it happens.

    >>> Phase(id="pre").title
    'pre'
    """

    id: Identifier
    label: Text | None = None

    @property
    def title(self) -> str:
        """The label, or the id where there is none."""
        return self.label if self.label is not None else self.id


class Branch(StrictModel):
    """One way out of a decision.

    >>> Branch(to="received", label="yes", probability="93%").probability
    0.93
    """

    to: Identifier
    label: Text | None = None
    probability: Probability | None = None
    failure: bool = Field(default=False, strict=True)


def _single_next(value: object) -> object:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        raise PydanticCustomError(
            "next_branches",
            "only a decision takes a list of branches: give this step one next step id "
            "(or make it a 'decision')",
        )
    return value


def _branches(value: object) -> object:
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        raise PydanticCustomError(
            "decision_next",
            "a decision takes a list of branches, each with 'to' and 'label', e.g. "
            "[{to: a, label: yes}, {to: b, label: no}]",
        )
    return value


NextIds = Annotated[list[Identifier], BeforeValidator(_single_next)]


class _StepBase(StrictModel):
    id: Identifier = Field(description="unique among steps")
    label: Text | None = Field(default=None, description="shown on the map (default: the id)")
    lane: Identifier | None = Field(default=None, description="the lane the step sits in")
    phase: Identifier | None = Field(default=None, description="the phase the step sits in")
    duration: Duration | None = Field(
        default=None, description="process time of one execution (waiting time on a delay)"
    )
    distribution: Distribution | None = Field(
        default=None, description="shape of the duration, whose mean is 'duration': exponential, "
        "fixed, uniform, triangular (symmetric) or lognormal (default: exponential, or gamma "
        "where only 'cv' is given)"
    )
    cv: Variation | None = Field(
        default=None, description="coefficient of variation of the duration (standard deviation "
        "/ mean); default: the distribution's (exponential 1, fixed 0, uniform 0.577, "
        "triangular 0.408, lognormal 1)"
    )
    wait: Duration | None = Field(default=None, description="queue time before the step starts")
    accuracy: Fraction | None = Field(
        default=None, description="share of executions complete and accurate (default 1)"
    )
    capacity: Capacity | None = Field(
        default=None, description="executions that can run at once"
    )
    cost: Cost | None = Field(default=None, description="cost of one execution")
    fail: Text | None = Field(default=None, description="a fail point: what can go wrong here")
    recovery: bool = Field(default=False, strict=True, description="a service-recovery step")
    evidence: Text | None = Field(default=None, description="physical evidence the customer sees")
    ignore: list[Text] = Field(default_factory=list, description="check rules not to report here")
    notes: Text | None = None
    tags: list[Text] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict, description="kept unchanged")

    @field_validator("cv")
    @classmethod
    def _cv_fits(cls, value: float | None, info: ValidationInfo) -> float | None:
        shape = info.data.get("distribution")
        if value is None or shape is None:
            return value
        _, low, high = CV_LIMITS[shape]
        if low <= value <= high:
            return value
        allowed = (f"{low:g}" if low == high else f"at most {high:.4g}" if low == 0 else "")
        raise PydanticCustomError(
            "variation_shape",
            "{article} {shape} duration has cv {allowed}, not {value}: change the cv or the "
            "distribution (see the format's 'Variability')",
            {"article": "an" if shape == "exponential" else "a", "shape": shape,
             "allowed": allowed, "value": f"{value:g}"},
        )

    @property
    def title(self) -> str:
        """The label, or the id where there is none."""
        return self.label if self.label is not None else self.id

    @property
    def duration_cv(self) -> float:
        """The coefficient of variation of the duration: ``cv``, else the distribution's.

        >>> Task(id="a").duration_cv, Task(id="a", distribution="fixed").duration_cv
        (1.0, 0.0)
        """
        return default_cv(self.distribution, self.cv)

    def targets(self) -> list[str]:
        """Ids this step flows to, in the order of ``next``."""
        raise NotImplementedError  # pragma: no cover - every kind defines it


class _Linear(_StepBase):
    next: NextIds = Field(default_factory=list, description="the next step's id")

    def targets(self) -> list[str]:
        """Ids this step flows to, in the order of ``next``.

        >>> Task(id="a", next="b").targets()
        ['b']
        """
        return list(self.next)


class Terminator(_Linear):
    """Where a case starts (no incoming flow) or ends (no ``next``)."""

    kind: Literal["terminator"] = "terminator"
    outcome: Literal["success", "failure"] | None = Field(
        default=None, description="how a case that ends here ended (default success)"
    )
    arrivals: Rate | None = Field(default=None, description="cases per unit of time entering here")
    arrivals_cv: Variation | None = Field(
        default=None, description="coefficient of variation of the times between arrivals here "
        "(default: the map's, else 1, Poisson arrivals; 0 is a fixed schedule)"
    )


class Task(_Linear):
    """A process step: someone or something does work."""

    kind: Literal["task"] = "task"


class Predefined(_Linear):
    """A predefined process, defined elsewhere (``ref`` may name its map file)."""

    kind: Literal["predefined"] = "predefined"
    ref: Text | None = Field(default=None, description="path of the map defining this process")


class Delay(_Linear):
    """Waiting: the case is held and nobody works on it."""

    kind: Literal["delay"] = "delay"


class Document(_Linear):
    """A document or message is produced or sent."""

    kind: Literal["document"] = "document"


class Connector(_Linear):
    """An on-page connector: connectors with the same label are one point of the map."""

    kind: Literal["connector"] = "connector"


class Parallel(_Linear):
    """A synchronisation bar: with several ``next`` a fork, with several incoming flows a join.

    A fork sends every case down all its branches at once; a join waits until
    every branch of its fork has arrived.

    >>> Parallel(id="split", next=["assess", "upload"]).targets()
    ['assess', 'upload']
    """

    kind: Literal["parallel"] = "parallel"


class Decision(_StepBase):
    """A decision point; the only kind that branches.

    >>> d = Decision(id="ok", next=[{"to": "a", "label": "yes"}, {"to": "b", "label": "no"}])
    >>> d.targets()
    ['a', 'b']
    """

    kind: Literal["decision"] = "decision"
    next: Annotated[list[Branch], BeforeValidator(_branches)] = Field(
        default_factory=list, description="the branches: to, label, probability, failure"
    )

    def targets(self) -> list[str]:
        """Ids this decision's branches lead to, in order."""
        return [b.to for b in self.next]


Step = Annotated[
    Union[Terminator, Task, Predefined, Decision, Delay, Document, Connector,  # noqa: UP007
          Parallel],
    Field(discriminator="kind"),
]
"""Any step, discriminated on ``kind``."""

_STEP_TYPES: dict[str, type[_StepBase]] = {
    "terminator": Terminator,
    "task": Task,
    "predefined": Predefined,
    "decision": Decision,
    "delay": Delay,
    "document": Document,
    "connector": Connector,
    "parallel": Parallel,
}


class Blueprint(StrictModel):
    """A service map: lanes (rows), phases (columns) and the steps of the process.

    Built from a file with :func:`servicemap.load` or in Python, with the same
    validation either way.

    Example:
        >>> bp = Blueprint(name="Tiny", steps=[
        ...     Terminator(id="start", next="work"),
        ...     Task(id="work", duration="5m", next="end"),
        ...     Terminator(id="end"),
        ... ])
        >>> bp.step("work").duration
        datetime.timedelta(seconds=300)
        >>> Blueprint.model_validate_json(bp.to_json()) == bp
        True
    """

    servicemap: int = Field(default=1, description="format version")
    name: Text = Field(description="title of the map")
    description: Text | None = None
    arrivals: Rate | None = Field(default=None, description="cases per unit of time entering")
    arrivals_cv: Variation | None = Field(
        default=None, description="coefficient of variation of the times between arrivals "
        "(default 1: Poisson arrivals; 0 is a fixed schedule)"
    )
    calendar: Calendar | None = Field(
        default=None, description="working hours: durations, waits and arrivals count "
        "working time only, a day is a working day (default: around the clock)"
    )
    lanes: list[Lane] = Field(default_factory=list, description="rows, top to bottom")
    phases: list[Phase] = Field(default_factory=list, description="columns, left to right")
    steps: list[Step] = Field(min_length=1, description="the process")
    metadata: dict[str, Any] = Field(default_factory=dict, description="kept unchanged")

    _source: SourceMap | None = PrivateAttr(default=None)
    _index: dict[str, int] | None = PrivateAttr(default=None)

    @field_validator("servicemap", mode="before")
    @classmethod
    def _version(cls, value: object) -> object:
        if value != 1 or isinstance(value, bool):
            raise PydanticCustomError(
                "version",
                "unsupported format version {value}: this release reads version 1",
                {"value": repr(value)},
            )
        return value

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Blueprint:
        if isinstance(info.context, dict) and info.context.get("defer_references"):
            return self

        issues = reference_issues({
            "lanes": [{"id": lane.id} for lane in self.lanes],
            "phases": [{"id": phase.id} for phase in self.phases],
            "steps": [{"id": s.id, "lane": s.lane, "phase": s.phase,
                       "next": [{"to": t} for t in s.targets()]} for s in self.steps],
        })
        if issues:
            raise ValueError("; ".join(issue.message for issue in issues))
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Blueprint):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    # -- access -------------------------------------------------------------

    @property
    def source(self) -> SourceMap | None:
        """Where the map was read from (file name and positions), if from text."""
        return self._source

    @property
    def steps_by_id(self) -> dict[str, Step]:
        """Steps by id (the first of duplicates)."""
        return {s.id: s for s in reversed(self.steps)}

    def step_index(self, step_id: str) -> int:
        """Position of a step in ``steps``.

        Raises:
            KeyError: if there is no such step.
        """
        if self._index is None or len(self._index) > len(self.steps):
            index: dict[str, int] = {}
            for i, s in enumerate(self.steps):
                index.setdefault(s.id, i)
            self._index = index
        found = self._index.get(step_id)
        if found is None or found >= len(self.steps) or self.steps[found].id != step_id:
            self._index = None  # the steps list was changed: search, rebuild next time
            found = next((j for j, s in enumerate(self.steps) if s.id == step_id), None)
            if found is None:
                raise KeyError(step_id)
        return found

    def step(self, step_id: str) -> Step:
        """The step with this id.

        Raises:
            KeyError: if there is no such step.
        """
        return self.steps[self.step_index(step_id)]

    def working_weeks(self) -> tuple[WorkWeek | None, dict[str, WorkWeek]]:
        """The map's calendar and each lane's own, laid out (a lane's zone defaults to the map's).

        >>> bp = Blueprint(name="x", calendar={"hours": {"mon": "09:00-17:00"}},
        ...                lanes=[Lane(id="it", calendar={"hours": {"mon": "00:00-24:00"}})],
        ...                steps=[Terminator(id="s")])
        >>> week, lanes = bp.working_weeks()
        >>> week.weekly / 3600, {k: w.weekly / 3600 for k, w in lanes.items()}
        (8.0, {'it': 24.0})
        """
        zone = self.calendar.timezone if self.calendar is not None else None
        lanes = {lane.id: lane.calendar.week(zone) for lane in self.lanes
                 if lane.calendar is not None}
        return (self.calendar.week() if self.calendar is not None else None), lanes

    def iter_flows(self) -> Iterator[tuple[Step, int, str, Branch | None]]:
        """Every flow line as ``(step, position in next, target id, branch or None)``."""
        for s in self.steps:
            if isinstance(s, Decision):
                for j, b in enumerate(s.next):
                    yield s, j, b.to, b
            else:
                for j, t in enumerate(s.next):
                    yield s, j, t, None

    # -- conversion ---------------------------------------------------------

    def to_data(self) -> dict[str, Any]:
        """Plain data (as in a file): defaults left out, durations and rates as text."""
        data = self.model_dump(mode="json", exclude_defaults=True)
        data.setdefault("servicemap", 1)
        ordered = {"servicemap": data.pop("servicemap"), **data}
        for step in ordered.get("steps", []):
            step["kind"] = step.get("kind") or "task"
            nxt = step.get("next")
            if isinstance(nxt, list) and len(nxt) == 1 and isinstance(nxt[0], str):
                step["next"] = nxt[0]
            ordered_step = {"id": step.pop("id"), "kind": step.pop("kind")}
            ordered_step.update(step)
            step.clear()
            step.update(ordered_step)
        for s_model, s_data in zip(self.steps, ordered.get("steps", []), strict=True):
            s_data["kind"] = s_model.kind
        return ordered

    def to_json(self, *, indent: int | None = 2) -> str:
        """JSON text that loads back to an equal map.

        Raises:
            ValueError: if the map holds NaN or infinity (in ``metadata``): JSON has neither.
        """
        try:
            return json.dumps(self.to_data(), indent=indent, ensure_ascii=False, allow_nan=False)
        except ValueError:
            raise ValueError("the map holds NaN or infinity (in metadata), which JSON cannot "
                             "hold: save it as YAML") from None

    def to_yaml(self) -> str:
        """YAML text that loads back to an equal map, ``metadata`` kept.

        >>> bp = Blueprint(name="T", steps=[Terminator(id="s", next="e"), Terminator(id="e")])
        >>> print(bp.to_yaml(), end="")
        servicemap: 1
        name: T
        steps:
        - id: s
          kind: terminator
          next: e
        - id: e
          kind: terminator
        """
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        return yaml.dump(
            self.to_data(), Dumper=_yaml12_dumper(dumper), sort_keys=False, allow_unicode=True,
            default_flow_style=False,
        )

    def save(self, path: str | Path) -> None:
        """Write the map as YAML (or JSON for a ``.json`` path), atomically."""
        p = Path(path)
        text = self.to_json() + "\n" if p.suffix.lower() == ".json" else self.to_yaml()
        write_bytes_atomic(p, text.encode("utf-8"))


def _yaml12_dumper(base: type[yaml.SafeDumper]) -> type[yaml.SafeDumper]:
    """A dumper that also quotes text YAML 1.2 would read as a number (``1e3``, ``0o17``).

    PyYAML's resolver is YAML 1.1's; maps are read with YAML 1.2's core schema.
    """
    dumper: type[yaml.SafeDumper] = type("Yaml12Dumper", (base,), {})
    dumper.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
        list("-+0123456789."),
    )
    dumper.add_implicit_resolver(
        "tag:yaml.org,2002:int", re.compile(r"^(?:0o[0-7]+|0x[0-9a-fA-F]+)$"), ["0"]
    )
    return dumper


def step_class(kind: str) -> type[_StepBase] | None:
    """The model class of a step kind, or ``None``.

    >>> step_class("delay").__name__
    'Delay'
    """
    return _STEP_TYPES.get(kind)


def step_fields(kind: str) -> tuple[str, ...]:
    """The keys allowed on a step of this kind.

    >>> "outcome" in step_fields("terminator"), "outcome" in step_fields("task")
    (True, False)
    """
    cls = _STEP_TYPES.get(kind)
    return tuple(cls.model_fields) if cls else ()


def timedelta_seconds(value: timedelta | None) -> float | None:
    """Seconds of a duration, or ``None``."""
    return None if value is None else value.total_seconds()
