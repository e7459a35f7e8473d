"""Value types of the format: identifiers, durations, rates and fractions."""

from __future__ import annotations

import math
import re
import sys
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, GetCoreSchemaHandler, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError, core_schema

__all__ = [
    "CV_LIMITS",
    "DISTRIBUTIONS",
    "DURATION_PATTERN",
    "IDENTIFIER_PATTERN",
    "MAX_CAPACITY",
    "PERCENT_PATTERN",
    "POSITIVE_PERCENT_PATTERN",
    "RATE_PATTERN",
    "VALUE_MARKER",
    "Capacity",
    "Cost",
    "Distribution",
    "Duration",
    "Fraction",
    "Identifier",
    "Probability",
    "Rate",
    "Text",
    "Variation",
    "WorkDuration",
    "default_cv",
    "duration_sum",
    "format_duration",
    "format_percent",
    "format_seconds",
    "parse_capacity",
    "parse_cost",
    "parse_duration",
    "parse_fraction",
    "parse_probability",
    "parse_rate",
    "parse_variation",
]

IDENTIFIER_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"
"""An identifier as a regular expression (``$`` meaning the very end of the text)."""
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")  # used with fullmatch: no "id\n"

_UNIT_SECONDS = {
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
    "w": 604800.0, "wk": 604800.0, "wks": 604800.0, "week": 604800.0, "weeks": 604800.0,
}
# Every pattern below is written so that Python's re and ECMA 262 (JSON Schema, editors)
# read it alike: ASCII classes only (no \d or \s, which differ), no flags.
_NUM = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_WS = r"[ \t\r\n]*"
_SPACE = " \t\r\n"
_PART = re.compile(rf"{_WS}({_NUM}){_WS}([A-Za-z]+){_WS}")
_ISO = re.compile(  # P, then at least one part; T, then at least one part
    rf"P(?=[0-9.T])(?:({_NUM})W)?(?:({_NUM})D)?"
    rf"(?:T(?=[0-9.])(?:({_NUM})H)?(?:({_NUM})M)?(?:({_NUM})S)?)?"
)
_RATE = re.compile(rf"{_WS}({_NUM}){_WS}/{_WS}(?:({_NUM}){_WS})?([A-Za-z]+){_WS}")
_PERCENT = re.compile(rf"{_WS}({_NUM}){_WS}%{_WS}")
_UNITS_HELP = "s, min, h, d or w"
_MAX_SECONDS = 999_999_999 * 86_400.0  # the longest duration Python's timedelta holds, in days
_TINY = 5e-324  # the smallest positive float


def _any_case(word: str) -> str:
    """A pattern for ``word`` in any letter case (JSON Schema patterns take no flags).

    >>> _any_case("min")
    '[mM][iI][nN]'
    """
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


_UNIT = "(?:" + "|".join(_any_case(u) for u in sorted(_UNIT_SECONDS, key=len, reverse=True)) + ")"
_POSITIVE = r"(?:[0-9]*[1-9][0-9]*(?:\.[0-9]*)?|[0-9]*\.[0-9]*[1-9][0-9]*)"

DURATION_PATTERN = (
    rf"^{_WS}(?:{_ISO.pattern}|(?:{_NUM}{_WS}{_UNIT}(?![A-Za-z]){_WS})+){_WS}$"
)
"""What :func:`parse_duration` reads from text, as a JSON Schema pattern.

>>> bool(re.search(DURATION_PATTERN, "1h 30m")), bool(re.search(DURATION_PATTERN, "PT"))
(True, False)
"""
RATE_PATTERN = rf"^{_WS}{_NUM}{_WS}/{_WS}(?:{_POSITIVE}{_WS})?{_UNIT}{_WS}$"
"""What :meth:`Rate.parse` reads, as a JSON Schema pattern.

>>> bool(re.search(RATE_PATTERN, "2.5 / min")), bool(re.search(RATE_PATTERN, "5/fortnight"))
(True, False)
"""
PERCENT_PATTERN = rf"^{_WS}0*(?:100(?:\.0*)?|[0-9]{{1,2}}(?:\.[0-9]*)?|\.[0-9]+){_WS}%{_WS}$"
"""A percentage from 0% to 100% (a probability), as a JSON Schema pattern."""
POSITIVE_PERCENT_PATTERN = (
    rf"^{_WS}0*(?:100(?:\.0*)?|[1-9][0-9]?(?:\.[0-9]*)?|\.[0-9]*[1-9][0-9]*){_WS}%{_WS}$"
)
"""A percentage above 0% and up to 100% (a fraction), as a JSON Schema pattern.

>>> [bool(re.search(POSITIVE_PERCENT_PATTERN, t)) for t in ("98.5 %", "0%", "150%")]
[True, False, False]
"""
_NOT_NAN = "NaN (YAML's .nan) passes every numeric bound; the 'not' refuses it"


def _error(kind: str, message: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, ctx or None)


def _no_unit(value: object) -> PydanticCustomError:
    return _error(
        "duration_unit",
        "duration {value} has no unit: add a unit ({units}), e.g. '{value}m' or '{value}h'",
        value=value,
        units=_UNITS_HELP,
    )


def _iso_seconds(text: str) -> tuple[float, float, float] | None:
    """Weeks, days and seconds of an ISO 8601 duration, else None."""
    iso = _ISO.fullmatch(text)
    if iso is None:
        return None
    w, d, h, m, s = (float(g) if g else 0.0 for g in iso.groups())
    return w, d, h * 3600 + m * 60 + s


def _parts_seconds(text: str) -> tuple[float, float, float]:
    """Weeks, days and seconds of a duration written as numbers with units: ``1h 30m``, ``2d``."""
    weeks = days = total = 0.0
    pos = 0
    while pos < len(text):
        part = _PART.match(text, pos)
        if not part:
            raise _error(
                "duration",
                "cannot read duration '{value}': expected a number and a unit ({units}), "
                "e.g. '90s', '5 min', '1h 30m'",
                value=text,
                units=_UNITS_HELP,
            )
        unit = part.group(2).lower()
        if unit not in _UNIT_SECONDS:
            raise _error(
                "duration",
                "unknown unit '{unit}' in duration '{value}': use {units}",
                unit=part.group(2),
                value=text,
                units=_UNITS_HELP,
            )
        size = _UNIT_SECONDS[unit]
        if size == 604800.0:
            weeks += float(part.group(1))
        elif size == 86400.0:
            days += float(part.group(1))
        else:
            total += float(part.group(1)) * size
        pos = part.end()
    return weeks, days, total


class WorkDuration(timedelta):
    """A duration written with days or weeks (``2d``, ``1w 4h``, ``P1D``): it keeps them.

    Its value is that of the text (a day is 24 h, a week 7 days), as for any
    duration. Under a working calendar (docs/format.md, *Working calendars*) a
    day means a working day and a week a working week, so the map needs to
    know how many of each were written: ``weeks``, ``days`` and ``clock`` (the
    seconds written in hours, minutes and seconds).

    >>> d = parse_duration("1d 4h")
    >>> d.weeks, d.days_written, d.clock, d.total_seconds()
    (0.0, 1.0, 14400.0, 100800.0)
    >>> format_duration(d * 0.5)
    '0.5d 2h'
    """

    __slots__ = ("clock", "days_written", "weeks")
    weeks: float
    days_written: float
    clock: float

    def __new__(cls, weeks: float, days: float, clock: float) -> WorkDuration:
        """A duration of ``weeks`` weeks, ``days`` days and ``clock`` seconds."""
        self = super().__new__(cls, seconds=weeks * 604800.0 + days * 86400.0 + clock)
        self.weeks, self.days_written, self.clock = weeks, days, clock
        return self

    def __reduce__(self) -> tuple[type[WorkDuration], tuple[float, float, float]]:
        return WorkDuration, (self.weeks, self.days_written, self.clock)

    def __mul__(self, factor: object) -> WorkDuration:
        if not _is_number(factor):
            return NotImplemented
        f = float(factor)  # type: ignore[arg-type]
        return WorkDuration(self.weeks * f, self.days_written * f, self.clock * f)

    __rmul__ = __mul__


def duration_sum(a: timedelta, b: timedelta, sign: float = 1.0) -> timedelta:
    """``a + sign · b``, keeping the days and weeks written (see :class:`WorkDuration`).

    >>> format_duration(duration_sum(parse_duration("2d"), parse_duration("1d 2h"), -1))
    '1d -2h'
    >>> duration_sum(timedelta(hours=1), timedelta(minutes=30))
    datetime.timedelta(seconds=5400)
    """
    def parts(d: timedelta) -> tuple[float, float, float]:
        if isinstance(d, WorkDuration):
            return d.weeks, d.days_written, d.clock
        return 0.0, 0.0, d.total_seconds()

    (w, d, c), (w2, d2, c2) = parts(a), parts(b)
    w, d, c = w + sign * w2, d + sign * d2, c + sign * c2
    return WorkDuration(w, d, c) if w or d else timedelta(seconds=c)


def parse_duration(value: object) -> timedelta:
    """Read a duration: a number with a unit (several parts allowed), ISO 8601, or a timedelta.

    Units are read in any letter case; space, tab and line breaks may surround the parts.

    Raises:
        PydanticCustomError: for a bare number ("add a unit"), an unknown unit, text that
            is no duration, or one longer than 999,999,999 days.

    Examples:
        >>> parse_duration("1h 30m")
        datetime.timedelta(seconds=5400)
        >>> parse_duration("2.5h") == parse_duration("PT2H30M")
        True
        >>> parse_duration("1d").total_seconds()
        86400.0
    """
    if isinstance(value, timedelta):
        if value < timedelta(0):
            raise _error("duration", "a duration cannot be negative")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _error("duration", "expected a duration such as '5m', '1h 30m' or 'PT1H'")
    if not isinstance(value, str):
        raise _no_unit(value)
    text = value.strip(_SPACE)
    if re.fullmatch(_NUM, text):
        raise _no_unit(text)
    if not text:
        raise _error("duration", "expected a duration such as '5m', '1h 30m' or 'PT1H'")
    parts = _iso_seconds(text)
    if parts is None:
        parts = _parts_seconds(text)
    weeks, days, clock = parts
    seconds = weeks * 604800 + days * 86400 + clock
    if not seconds <= _MAX_SECONDS:
        raise _error(
            "duration", "duration '{value}' is too long: at most 999,999,999 days", value=text
        )
    if weeks or days:
        return WorkDuration(weeks, days, clock)
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """Write a duration in the largest exact units, so that it reads back equal.

    Days and weeks are written only as written (a :class:`WorkDuration`):
    under a working calendar a day is a working day, so ``36h`` must not
    become ``1d 12h``.

    Examples:
        >>> format_duration(timedelta(hours=1, minutes=30))
        '1h 30m'
        >>> format_duration(timedelta(days=1)), format_duration(parse_duration("1d"))
        ('24h', '1d')
        >>> format_duration(parse_duration("P1W2DT3H"))
        '1w 2d 3h'
        >>> format_duration(timedelta(seconds=1.5))
        '1.5s'
        >>> format_duration(timedelta(0))
        '0s'
    """
    if isinstance(value, WorkDuration):
        head = [f"{n:g}{unit}" if float(f"{n:g}") == n else f"{n!r}{unit}"
                for n, unit in ((value.weeks, "w"), (value.days_written, "d")) if n]
        rest = format_duration(timedelta(seconds=value.clock)) if value.clock else ""
        return " ".join([*head, rest]) if rest else " ".join(head) or "0s"
    micro = value.days * 86_400_000_000 + value.seconds * 1_000_000 + value.microseconds
    parts = []
    for unit, size in (("h", 3_600_000_000), ("m", 60_000_000)):
        count, micro = divmod(micro, size)
        if count:
            parts.append(f"{count}{unit}")
    if micro or not parts:
        seconds = micro / 1_000_000
        parts.append(f"{seconds:g}s" if seconds == round(seconds, 6) else f"{seconds!r}s")
    return " ".join(parts)


def format_seconds(seconds: float | None) -> str:
    """A duration in seconds for a person, to three figures, or ``"unknown"``.

    Unlike :func:`format_duration` this rounds: it is for figures computed
    from a map (loads, times), not for values read from one.

    Examples:
        >>> format_seconds(45), format_seconds(750), format_seconds(4800)
        ('45 s', '12.5 min', '1.33 h')
        >>> format_seconds(129600), format_seconds(None), format_seconds(math.inf)
        ('1.5 d', 'unknown', 'unbounded')
    """
    if seconds is None:
        return "unknown"
    if math.isinf(seconds):
        return "unbounded"
    for size, unit in ((86400.0, "d"), (3600.0, "h"), (60.0, "min")):
        if abs(seconds) >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def format_percent(fraction: float, decimals: int | None = None) -> str:
    """A fraction as a percentage: to four figures, or with ``decimals`` decimal places.

    Examples:
        >>> format_percent(0.9), format_percent(0.985), format_percent(0.07)
        ('90%', '98.5%', '7%')
        >>> format_percent(0.955, 0), format_percent(0.5, 1)
        ('96%', '50.0%')
    """
    if decimals is None:
        return f"{fraction * 100:.4g}%"
    return f"{fraction:.{decimals}%}"


class Rate:
    """A rate of cases per unit of time, e.g. ``40/h``; ``per_hour`` is the value per hour.

    Examples:
        >>> Rate.parse("2.5/min").per_hour
        150.0
        >>> str(Rate.parse("40/h"))
        '40/h'
        >>> Rate.parse("300/d") == Rate.parse("12.5/h")
        True
    """

    __slots__ = ("per_hour", "text")

    def __init__(self, per_hour: float, text: str | None = None) -> None:
        if not math.isfinite(per_hour) or per_hour < 0:
            raise ValueError("a rate must be a finite number >= 0")
        self.per_hour = float(per_hour)
        self.text = text if text is not None else f"{per_hour:g}/h"

    @classmethod
    def parse(cls, value: object) -> Rate:
        """Read ``number/unit`` (``40/h``, ``2.5/min``, ``300/d``, ``1/2h``) or a Rate.

        Units are read in any letter case; a number is refused (which unit would it be?).

        Raises:
            PydanticCustomError: for anything else, or a rate too large for a float.
        """
        if isinstance(value, Rate):
            return value
        m = _RATE.fullmatch(value) if isinstance(value, str) else None
        unit = m.group(3).lower() if m else ""
        if m and unit in _UNIT_SECONDS and (m.group(2) is None or Decimal(m.group(2)) > 0):
            per = float(m.group(2)) if m.group(2) else 1.0
            seconds = _UNIT_SECONDS[unit] * per
            per_hour = float(m.group(1)) * 3600.0 / seconds if seconds else math.inf
            if not math.isfinite(per_hour):
                raise _error("rate", "rate '{value}' is too large", value=m.string.strip(_SPACE))
            return cls(per_hour, m.string.strip(_SPACE))
        if m and unit not in _UNIT_SECONDS:
            raise _error("rate", "unknown unit '{unit}' in rate '{value}': use {units}",
                         unit=m.group(3), value=m.string.strip(_SPACE), units=_UNITS_HELP)
        raise _error(
            "rate",
            "{value} is not a rate: expected a number of cases per unit of time such as "
            "'40/h', '2.5/min' or '300/d'",
            value=_shown(value),
        )

    def parts(self) -> tuple[float, float, float]:
        """The rate as written: cases, per how many units, and the unit in seconds.

        A rate not read from text is per hour.

        >>> Rate.parse("40/2d").parts(), Rate(6.0).parts()
        ((40.0, 2.0, 86400.0), (6.0, 1.0, 3600.0))
        """
        m = _RATE.fullmatch(self.text)
        if m is None or m.group(3).lower() not in _UNIT_SECONDS:
            return self.per_hour, 1.0, 3600.0
        return float(m.group(1)), float(m.group(2) or 1.0), _UNIT_SECONDS[m.group(3).lower()]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rate) and math.isclose(self.per_hour, other.per_hour)

    def __hash__(self) -> int:
        return hash(round(self.per_hour, 9))

    def __repr__(self) -> str:
        return f"Rate({self.text!r})"

    def __str__(self) -> str:
        return self.text

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        return {
            VALUE_MARKER: "Rate",
            "description": "cases per unit of time: a number, '/', an optional number and a "
            "unit (s, min, h, d, w in any case): 40/h, 2.5/min, 300/d, 1/2h",
            "type": "string",
            "pattern": RATE_PATTERN,
            "examples": ["40/h"],
        }

def parse_rate(value: object) -> Rate:
    """Read a rate; also takes a plain number meaning cases per hour.

    >>> parse_rate(30).per_hour
    30.0
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Rate(float(value))
    return Rate.parse(value)


def _shown(value: object) -> str:
    """A value as an error message shows it: text quoted and cut short, lists by kind."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        text = repr(value)
        return text if len(text) <= 40 else f"{text[:12]}... ({len(text.lstrip('-'))} digits)"
    if isinstance(value, list):
        return "a list"
    return "a mapping" if isinstance(value, dict) else "nothing"


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _within(number: Any, top: int, zero: bool) -> bool:
    """Whether ``number`` lies in [0, top] (``zero``) or (0, top]; false for NaN."""
    return bool((number >= 0 if zero else number > 0) and number <= top)


def _share(value: object, *, what: str, kind: str, zero: bool) -> float:
    """A number or percentage in [0, 1] (``zero``) or (0, 1], compared exactly."""
    if _is_number(value):
        if _within(value, 1, zero):
            return float(value)  # type: ignore[arg-type]
    elif isinstance(value, str):
        m = _PERCENT.fullmatch(value)
        if m:
            percent = Decimal(m.group(1))  # exact: '100.0000000000000001%' is over 100%
            if _within(percent, 100, zero):
                share = float(m.group(1)) / 100.0
                return share if zero or share > 0 else _TINY
        elif re.fullmatch(rf"{_WS}[-+]?{_NUM}{_WS}", value):
            raise _error(kind, "{value} is quoted text, not a number: remove the quotes "
                         "(expected {what})", value=_shown(value), what=what)
    elif isinstance(value, bool):
        raise _error(kind, "expected {what}, not true or false", what=what)
    percent_like = _is_number(value) and 1 < value <= 100  # type: ignore[operator]
    hint = f" (did you mean '{value}%'?)" if percent_like else ""
    raise _error(kind, "{value} is not {what}{hint}", value=_shown(value), what=what, hint=hint)


def parse_fraction(value: object) -> float:
    """Read a fraction in (0, 1]: a number such as ``0.98``, or a percentage such as ``98%``.

    Raises:
        PydanticCustomError: for anything else, e.g. ``0``, ``98`` (a hint suggests
            ``'98%'``), ``150%``, ``.nan`` or the text ``'0.98'``.

    Examples:
        >>> parse_fraction("98.5 %")
        0.985
        >>> parse_fraction(0.9)
        0.9
    """
    return _share(value, kind="fraction", zero=False,
                  what="a fraction in (0, 1] such as 0.98, or a percentage such as '98%'")


def parse_probability(value: object) -> float:
    """Read a branch probability in [0, 1]: a number such as ``0.93``, or ``93%``.

    Whether the branches of a decision sum to 1 is rule SM203's question.

    Examples:
        >>> parse_probability("7%"), parse_probability(0)
        (0.07, 0.0)
    """
    return _share(value, kind="probability", zero=True,
                  what="a probability from 0 to 1 such as 0.93, or a percentage such as '93%'")


def parse_cost(value: object) -> float:
    """Read a cost: a finite number >= 0 (text such as ``'2.40'`` is refused).

    >>> parse_cost(2.4), parse_cost(0)
    (2.4, 0.0)
    """
    if _is_number(value) and 0 <= value <= sys.float_info.max:  # type: ignore[operator]
        return float(value)  # type: ignore[arg-type]
    raise _error(
        "cost",
        "{value} is not a cost: expected a finite number >= 0 (the cost of one execution), "
        "such as 2.40",
        value=_shown(value),
    )


MAX_CAPACITY = 10**9
"""The largest capacity a map may give: more servers than any service has, and small enough
that every count and rate derived from it stays an exact float."""


def parse_capacity(value: object) -> int:
    """Read a capacity: a whole number from 1 to 10⁹; ``2.0`` is the whole number 2, as in JSON.

    >>> parse_capacity(2.0), parse_capacity(4)
    (2, 4)
    """
    if isinstance(value, float) and value.is_integer() and value <= MAX_CAPACITY:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_CAPACITY:
        return value
    raise _error(
        "capacity",
        "{value} is not a capacity: expected a whole number from 1 to 1000000000 (how many "
        "executions can run at once), such as 2",
        value=_shown(value),
    )


def _identifier(value: object) -> str:
    if isinstance(value, str) and _IDENT.fullmatch(value):
        return value
    raise _error(
        "identifier",
        "{value} is not an identifier: a letter, then letters, digits, '_' or '-' "
        "(at most 64 characters)",
        value=repr(value),
    )


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise _error("text", "expected text")


VALUE_MARKER = "x-servicemap-value"
"""Key naming the value type in a JSON schema below; the schema module makes it a ``$ref``."""


def _json(name: str, schema: dict[str, Any]) -> WithJsonSchema:
    return WithJsonSchema({VALUE_MARKER: name, **schema})


Identifier = Annotated[
    str,
    BeforeValidator(_identifier),
    _json("Identifier", {
        "description": "an identifier: a letter, then letters, digits, '_' or '-' (at most "
        "64 characters); true and false, written plainly, are the identifiers 'true' and "
        "'false'",
        "type": ["string", "boolean"],
        "pattern": IDENTIFIER_PATTERN + r"(?!\n)",
        "$comment": "(?!\\n): in Python's re, '$' also matches before a final line break",
    }),
]
"""An identifier: a letter, then letters, digits, ``_`` or ``-``; at most 64 characters."""

Text = Annotated[
    str,
    BeforeValidator(_text),
    _json("Text", {
        "description": "text; a plain number or true/false there is read as written "
        "(label: 1.10 is the text '1.10')",
        "type": ["string", "number", "boolean"],
    }),
]
"""Free text."""

Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    _json("Duration", {
        "description": "a number with a unit (s/sec, m/min, h/hr, d/day, w/wk/week, in any "
        "case), several parts allowed, or ISO 8601: 90s, 5 min, 1h 30m, 2.5h, 1d, PT1H30M; "
        "a bare number is refused; at most 999,999,999 days",
        "type": "string",
        "pattern": DURATION_PATTERN,
        "examples": ["5m", "1h 30m", "PT1H30M"],
    }),
]
"""A duration with a unit; ``timedelta`` in Python."""

Fraction = Annotated[
    float,
    BeforeValidator(parse_fraction),
    _json("Fraction", {
        "description": "a fraction in (0, 1], or a percentage above 0% up to 100%: 0.98, 98%",
        "anyOf": [
            {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
             "not": {"maximum": 0}, "$comment": _NOT_NAN},
            {"type": "string", "pattern": POSITIVE_PERCENT_PATTERN},
        ],
    }),
]
"""A fraction in (0, 1]; ``98%`` or ``0.98``."""

Probability = Annotated[
    float,
    BeforeValidator(parse_probability),
    _json("Probability", {
        "description": "a probability in [0, 1], or a percentage from 0% to 100%: 0.93, 93%",
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": 1,
             "not": {"exclusiveMaximum": 0}, "$comment": _NOT_NAN},
            {"type": "string", "pattern": PERCENT_PATTERN},
        ],
    }),
]
"""A branch probability in [0, 1] (that they sum to 1 is rule SM203's)."""

Cost = Annotated[
    float,
    BeforeValidator(parse_cost),
    _json("Cost", {
        "description": "a finite number >= 0, in the map's own currency",
        "type": "number",
        "minimum": 0,
        "maximum": sys.float_info.max,
        "not": {"exclusiveMaximum": 0},
        "$comment": _NOT_NAN,
    }),
]
"""The cost of one execution: a finite number >= 0."""

Capacity = Annotated[
    int,
    BeforeValidator(parse_capacity),
    _json("Capacity", {
        "description": "how many executions can run at once: a whole number from 1 to 10^9",
        "type": "integer",
        "minimum": 1,
        "maximum": MAX_CAPACITY,
    }),
]
"""A capacity (servers): a whole number from 1 to 10⁹."""


def parse_variation(value: object) -> float:
    """Read a coefficient of variation (standard deviation / mean): a finite number >= 0.

    Raises:
        PydanticCustomError: for anything else (``.inf``, ``.nan``, ``-1``, the text ``'1'``).

    >>> parse_variation(0.5), parse_variation(0)
    (0.5, 0.0)
    """
    if _is_number(value) and 0 <= value <= sys.float_info.max:  # type: ignore[operator]
        return float(value)  # type: ignore[arg-type]
    raise _error(
        "variation",
        "{value} is not a coefficient of variation: expected a finite number >= 0 (standard "
        "deviation / mean: 0 fixed, 1 as exponential), such as 0.5",
        value=_shown(value),
    )


Variation = Annotated[
    float,
    BeforeValidator(parse_variation),
    _json("Variation", {
        "description": "a coefficient of variation (standard deviation / mean): a finite "
        "number >= 0; 0 is fixed, 1 is as variable as the exponential",
        "type": "number",
        "minimum": 0,
        "maximum": sys.float_info.max,
        "not": {"exclusiveMaximum": 0},
        "$comment": _NOT_NAN,
    }),
]
"""A coefficient of variation: a finite number >= 0."""

Distribution = Literal["exponential", "fixed", "uniform", "triangular", "lognormal"]
"""The shape of a step's duration; ``duration`` is always the mean."""

DISTRIBUTIONS: tuple[str, ...] = ("exponential", "fixed", "uniform", "triangular", "lognormal")
"""The values of ``distribution``, in the order the docs list them."""

CV_LIMITS: dict[str, tuple[float, float, float]] = {
    # distribution: (default cv, lowest cv, highest cv) -- a duration is never negative
    "exponential": (1.0, 1.0, 1.0),
    "fixed": (0.0, 0.0, 0.0),
    "uniform": (1 / math.sqrt(3), 0.0, 1 / math.sqrt(3)),  # on [m(1-√3 cv), m(1+√3 cv)]
    "triangular": (1 / math.sqrt(6), 0.0, 1 / math.sqrt(6)),  # symmetric, on [m(1-√6 cv), ...]
    "lognormal": (1.0, 0.0, sys.float_info.max),
}
"""Per distribution: its ``cv`` when none is given, and the lowest and highest ``cv`` allowed.

A uniform duration of mean m and cv c lies on [m(1 - √3 c), m(1 + √3 c)], a
(symmetric) triangular one on [m(1 - √6 c), m(1 + √6 c)] with its mode at m:
neither may go below 0, hence the highest cv. Without a cv each spans [0, 2m].
"""


def default_cv(distribution: str | None, cv: float | None) -> float:
    """The coefficient of variation a step's duration has: its ``cv``, else its distribution's.

    No distribution and no cv is the exponential (cv 1), as before either existed.

    >>> default_cv(None, None), default_cv("fixed", None), default_cv(None, 0.5)
    (1.0, 0.0, 0.5)
    >>> round(default_cv("uniform", None), 4)
    0.5774
    """
    if cv is not None:
        return cv
    return CV_LIMITS[distribution][0] if distribution is not None else 1.0
