"""What a rule sees (the context) and what it yields (findings)."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter, itemgetter
from types import ModuleType
from typing import TYPE_CHECKING

from ..flow.graph import FlowGraph, flow_graph
from ..flow.parallel import ParallelStructure, parallel_structure
from ..flow.soundness import MAX_STATES, Soundness, soundness
from ..model import Decision
from ..problems import Level

if TYPE_CHECKING:
    from ..model import Blueprint, Step

__all__ = ["Branches", "Context", "Finding", "Option", "Rule", "rule_from_module"]

DataPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    """What a rule found: a message, the step concerned and the data path to point at."""

    message: str
    step: str | None = None
    path: DataPath = ()


@dataclass(frozen=True)
class Branches:
    """The branches of every decision of a map, flat: decision by decision, in order.

    Rules about branches test all of them at once on these plain lists and
    look at single decisions only where that test fails.

    Attributes:
        count: Number of branches of each decision (of ``Context.decisions``).
        decision: For each branch, the position of its decision in ``count``.
        to, label, probability: Each branch's fields.
    """

    count: list[int]
    decision: list[int]
    to: list[str]
    label: list[str | None]
    probability: list[float | None]

    @cached_property
    def pairs(self) -> bool:
        """Whether every decision has exactly two branches (the common case)."""
        return self.count.count(2) == len(self.count)

    @cached_property
    def labels_distinct(self) -> bool:
        """Whether no decision has two branches with one label (``None`` counts as one)."""
        if self.pairs:  # compare each decision's first label with its second
            return all(map(operator.ne, self.label[0::2], self.label[1::2]))
        return len(set(zip(self.decision, self.label, strict=True))) == len(self.label)


@dataclass
class Context:
    """A map being checked, with the derived structures rules share (built once)."""

    blueprint: Blueprint
    options: dict[str, object] = field(default_factory=dict)
    """Rule options by name (``max-states`` ...), as the rules' ``OPTIONS`` declare them."""

    @cached_property
    def graph(self) -> FlowGraph:
        """The resolved flow (connectors passed through)."""
        return flow_graph(self.blueprint)

    @cached_property
    def index(self) -> dict[str, int]:
        """Position of each step id in ``steps`` (the first of duplicates)."""
        out: dict[str, int] = {}
        for i, s in enumerate(self.blueprint.steps):
            out.setdefault(s.id, i)
        return out

    @cached_property
    def decisions(self) -> list[Decision]:
        """The decisions in ``steps``, in order (duplicate ids included)."""
        return [s for s in self.blueprint.steps if isinstance(s, Decision)]

    @cached_property
    def branches(self) -> Branches:
        """The branches of :attr:`decisions`, flat (see :class:`Branches`)."""
        nexts = [d.next for d in self.decisions]
        count = list(map(len, nexts))
        fields = list(map(attrgetter("to", "label", "probability"),
                          itertools.chain.from_iterable(nexts)))
        to: list[str] = list(map(itemgetter(0), fields))
        label: list[str | None] = list(map(itemgetter(1), fields))
        probability: list[float | None] = list(map(itemgetter(2), fields))
        decision = list(itertools.chain.from_iterable(
            map(itertools.repeat, range(len(count)), count)))
        return Branches(count, decision, to, label, probability)

    @cached_property
    def branching(self) -> list[Step]:
        """Steps of any kind whose ``next`` has more than one entry, in order.

        Rules about several next steps or branches look at these only.
        """
        return [s for s in self.blueprint.steps if len(s.next) > 1]

    @cached_property
    def from_starts(self) -> set[str]:
        """Steps some start leads to."""
        return self.graph.reachable(self.graph.starts())

    @cached_property
    def to_ends(self) -> set[str]:
        """Steps from which some end can be reached."""
        return self.graph.reachable(self.graph.ends(), reverse=True)

    @cached_property
    def parallel(self) -> ParallelStructure:
        """How the forks and joins nest (servicemap.flow.parallel)."""
        return parallel_structure(self.graph)

    @cached_property
    def soundness(self) -> Soundness:
        """The verdict on parallel work, shared by rules SM111-SM114.

        The ``max-states`` option (default 100,000) bounds the states explored
        where the map does not nest properly.
        """
        budget = self.options.get("max-states", MAX_STATES)
        max_states = budget if isinstance(budget, int) and budget > 0 else MAX_STATES
        if not any(s.kind == "parallel" for s in self.graph.steps.values()):
            return soundness(self.graph, max_states=max_states)
        return soundness(self.graph, max_states=max_states, structure=self.parallel)

    def step_path(self, step_id: str, *rest: str | int) -> DataPath:
        """The data path of a step (or of one of its keys)."""
        return ("steps", self.index[step_id], *rest)


Check = Callable[[Context], Iterator[Finding]]

OptionValue = bool | int | float | str


@dataclass(frozen=True)
class Option:
    """A rule option: its name, default, what it does, and the least value it takes.

    ``[tool.servicemap.rules.<rule>]`` sets it (docs/cli.md); a rule module lists
    its options as ``OPTIONS``. The value has the default's type (an integer
    also for a float option); ``minimum`` bounds numbers from below.
    """

    name: str
    default: OptionValue
    summary: str
    minimum: float | None = None

    def parse(self, value: object) -> OptionValue:
        """``value`` checked against the option.

        >>> Option("max-states", 100_000, "states explored", minimum=1).parse(5)
        5
        >>> Option("max-states", 100_000, "states explored", minimum=1).parse(0)
        Traceback (most recent call last):
        ...
        ValueError: must be an integer of at least 1, not 0

        Raises:
            ValueError: saying what the value must be.
        """
        kind = type(self.default)
        ok = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)
        if ok and self.minimum is not None and value < self.minimum:  # type: ignore[operator]
            ok = False
        if not ok:
            raise ValueError(f"must be {self.expected}, not {value!r}")
        return value  # type: ignore[return-value]

    @property
    def expected(self) -> str:
        """What a value must be, in words.

        >>> Option("x", 1.5, "", minimum=0).expected, Option("y", True, "").expected
        ('a number of at least 0', 'true or false')
        """
        what = {bool: "true or false", int: "an integer", float: "a number",
                str: "a string"}[type(self.default)]
        if self.minimum is not None:
            what += f" of at least {self.minimum:g}"
        return what


@dataclass(frozen=True)
class Rule:
    """A check rule: its code, name, default level, one-line summary and documentation."""

    code: str
    name: str
    level: Level
    summary: str
    doc: str
    check: Check | None  # None: reported while loading
    module: str
    options: tuple[Option, ...] = ()

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def rule_from_module(module: ModuleType) -> Rule:
    """Build the :class:`Rule` a rule module describes (``ID``, ``NAME``, ``LEVEL``, ...)."""
    doc = (module.__doc__ or "").strip()
    return Rule(
        code=module.ID,
        name=module.NAME,
        level=module.LEVEL,
        summary=doc.splitlines()[0] if doc else "",
        doc=doc,
        check=getattr(module, "check", None),
        module=module.__name__,
        options=tuple(getattr(module, "OPTIONS", ())),
    )
