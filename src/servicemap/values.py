"""Value types of the format: identifiers, durations, rates and fractions."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, GetCoreSchemaHandler, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError, core_schema

__all__ = [
    "Duration",
    "Fraction",
    "Identifier",
    "Probability",
    "Rate",
    "Text",
    "format_duration",
    "format_percent",
    "format_seconds",
    "parse_duration",
    "parse_fraction",
    "parse_rate",
]

IDENTIFIER_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"
_IDENT = re.compile(IDENTIFIER_PATTERN)

_UNIT_SECONDS = {
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
    "w": 604800.0, "wk": 604800.0, "wks": 604800.0, "week": 604800.0, "weeks": 604800.0,
}
_NUM = r"(?:\d+(?:\.\d*)?|\.\d+)"
_PART = re.compile(rf"\s*({_NUM})\s*([A-Za-z]+)\s*")
_ISO = re.compile(
    rf"^P(?:({_NUM})W)?(?:({_NUM})D)?(?:T(?:({_NUM})H)?(?:({_NUM})M)?(?:({_NUM})S)?)?$"
)
_RATE = re.compile(rf"^\s*({_NUM})\s*/\s*({_NUM}\s*)?([A-Za-z]+)\s*$")
_PERCENT = re.compile(rf"^\s*({_NUM})\s*%\s*$")
_UNITS_HELP = "s, min, h, d or w"


def _error(kind: str, message: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, ctx or None)


def parse_duration(value: object) -> timedelta:
    """Read a duration: a number with a unit (several parts allowed), ISO 8601, or a timedelta.

    Raises:
        PydanticCustomError: for a bare number ("add a unit"), a negative or unknown value.

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
    if isinstance(value, (int, float)):
        raise _error(
            "duration_unit",
            "duration {value} has no unit: add a unit ({units}), e.g. '{value}m' or '{value}h'",
            value=value,
            units=_UNITS_HELP,
        )
    text = value.strip()
    if re.fullmatch(_NUM, text):
        raise _error(
            "duration_unit",
            "duration {value} has no unit: add a unit ({units}), e.g. '{value}m' or '{value}h'",
            value=text,
            units=_UNITS_HELP,
        )
    iso = _ISO.match(text)
    if iso and text != "P" and not text.endswith("T"):
        w, d, h, m, s = (float(g) if g else 0.0 for g in iso.groups())
        return timedelta(seconds=w * 604800 + d * 86400 + h * 3600 + m * 60 + s)
    total = 0.0
    pos = 0
    if not text:
        raise _error("duration", "expected a duration such as '5m', '1h 30m' or 'PT1H'")
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
        total += float(part.group(1)) * _UNIT_SECONDS[unit]
        pos = part.end()
    return timedelta(seconds=total)


def format_duration(value: timedelta) -> str:
    """Write a duration in the largest exact units, so that it reads back equal.

    Examples:
        >>> format_duration(timedelta(hours=1, minutes=30))
        '1h 30m'
        >>> format_duration(timedelta(days=1))
        '1d'
        >>> format_duration(timedelta(seconds=1.5))
        '1.5s'
        >>> format_duration(timedelta(0))
        '0s'
    """
    micro = value.days * 86_400_000_000 + value.seconds * 1_000_000 + value.microseconds
    parts = []
    for unit, size in (("d", 86_400_000_000), ("h", 3_600_000_000), ("m", 60_000_000)):
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
        """Read ``number/unit`` (``40/h``, ``2.5/min``, ``300/d``) or a Rate."""
        if isinstance(value, Rate):
            return value
        if isinstance(value, str):
            m = _RATE.match(value)
            if m:
                per = float(m.group(2)) if m.group(2) else 1.0
                unit = m.group(3).lower()
                if unit in _UNIT_SECONDS and per > 0:
                    seconds = _UNIT_SECONDS[unit] * per
                    return cls(float(m.group(1)) * 3600.0 / seconds, value.strip())
        raise _error(
            "rate",
            "expected a rate: a number of cases per unit of time such as '40/h', "
            "'2.5/min' or '300/d'",
        )

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
            "type": "string",
            "pattern": r"^\s*[0-9.]+\s*/\s*([0-9.]+\s*)?[A-Za-z]+\s*$",
            "description": "cases per unit of time, e.g. 40/h, 2.5/min, 300/d",
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


def _fraction_number(value: object, *, what: str) -> float:
    if isinstance(value, bool):
        raise _error("fraction", "expected {what}, not a boolean", what=what)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        m = _PERCENT.match(value)
        if m:
            return float(m.group(1)) / 100.0
        try:
            return float(value)
        except ValueError:
            pass
    raise _error("fraction", "expected {what}", what=what)


def parse_fraction(value: object) -> float:
    """Read a fraction in (0, 1]: ``0.98`` or ``98%``.

    Examples:
        >>> parse_fraction("98.5 %")
        0.985
        >>> parse_fraction(0.9)
        0.9
    """
    what = "a fraction in (0, 1] such as 0.98, or a percentage such as '98%'"
    number = _fraction_number(value, what=what)
    if not (0.0 < number <= 1.0) or math.isnan(number):
        percent_like = isinstance(value, (int, float)) and 1 < value <= 100
        hint = f" (did you mean '{value}%'?)" if percent_like else ""
        raise _error("fraction", "{value} is not {what}{hint}", value=value, what=what, hint=hint)
    return number


def _probability(value: object) -> float:
    # Range and sum are checked by rule SM203 so that every problem is reported at once.
    return _fraction_number(value, what="a probability: a number such as 0.93, or '93%'")


def _identifier(value: object) -> str:
    if isinstance(value, str) and _IDENT.match(value):
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


Identifier = Annotated[
    str,
    BeforeValidator(_identifier),
    WithJsonSchema({"type": "string", "pattern": IDENTIFIER_PATTERN}),
]
"""An identifier: a letter, then letters, digits, ``_`` or ``-``; at most 64 characters."""

Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string"})]
"""Free text."""

Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*(P[0-9.WDTHMS]+|([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*[A-Za-z]+"
            r"(\s*([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*[A-Za-z]+)*)\s*$",
            "description": "a number with a unit (s, min, h, d, w), several parts allowed, "
            "or ISO 8601: 90s, 5m, 1h 30m, 2.5h, 1d, PT1H30M",
            "examples": ["5m", "1h 30m"],
        }
    ),
]
"""A duration with a unit; ``timedelta`` in Python."""

Fraction = Annotated[
    float,
    BeforeValidator(parse_fraction),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                {"type": "string", "pattern": r"^\s*[0-9.]+\s*%\s*$"},
            ],
            "description": "a fraction in (0, 1] or a percentage: 0.98, 98%",
        }
    ),
]
"""A fraction in (0, 1]; ``98%`` or ``0.98``."""

Probability = Annotated[
    float,
    BeforeValidator(_probability),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {"type": "string", "pattern": r"^\s*[0-9.]+\s*%\s*$"},
            ]
        }
    ),
]
"""A branch probability (range checked by rule SM203)."""
