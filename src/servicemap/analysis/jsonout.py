"""Fast JSON text of an analysis: long tables written one row per line with C-speed encoding.

``json.dumps`` with ``indent`` runs Python's pure-Python encoder, about three
times slower than its C encoder, and an analysis of 100,000 steps holds a few
hundred thousand rows. Here the short parts are written by ``json.dumps`` with
the indent, and each row of a long table is encoded on one line: the step table
column by column (``repr`` of a float is JSON's spelling of it, strings go
through the C string encoder), other rows by one shared C encoder. The text
loads to exactly the data ``json.dumps(analysis.to_dict(), indent=...)`` gives
(tested); only the layout differs: a row per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring
from typing import Any

__all__ = ["column_strings", "pretty", "row_strings", "table_rows"]

_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": "),
                            check_circular=False)


def _c_encoder() -> Any:
    """``json``'s C encoder, made once (``JSONEncoder.encode`` makes one per call), or None."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has it
        return None
    e = _ENCODER
    return make(None, e.default, encode_basestring, None, e.key_separator, e.item_separator,
                False, False, False)


_C_ENCODER = _c_encoder()


def _encode(value: Any) -> str:
    """``value`` as compact JSON (``, `` and ``: `` separators), by the C encoder."""
    if _C_ENCODER is None:  # pragma: no cover
        return _ENCODER.encode(value)
    return "".join(_C_ENCODER(value, 0))


def _value(x: Any) -> str:
    """One JSON value: floats by ``repr`` (as ``json`` writes them), the rest by the encoder."""
    if x is None:
        return "null"
    if type(x) is float:
        return repr(x)
    if type(x) is str:
        return encode_basestring(x)
    return _encode(x)


def column_strings(values: Sequence[Any]) -> list[str]:
    """Each value of a column as JSON text.

    >>> column_strings([1.5, None, "a\\"b", 3, ["x", "y"]])
    ['1.5', 'null', '"a\\\\"b"', '3', '["x", "y"]']
    >>> column_strings([0.5, None]), column_strings(["é"])
    (['0.5', 'null'], ['"é"'])
    """
    types = set(map(type, values))
    if types <= {float}:
        return list(map(float.__repr__, values))
    if types <= {float, type(None)}:
        r = float.__repr__
        return ["null" if x is None else r(x) for x in values]
    if types <= {str}:
        return list(map(encode_basestring, values))
    return list(map(_value, values))


def table_rows(table: dict[str, list[Any]], keys: Sequence[str]) -> list[str]:
    """The rows of a table by column as JSON objects with ``keys`` in order, one string each.

    >>> table_rows({"id": ["a", "b"], "x": [1.0, None]}, ("id", "x"))
    ['{"id": "a", "x": 1.0}', '{"id": "b", "x": null}']
    """
    template = "{{" + ", ".join(f"{encode_basestring(k)}: {{}}" for k in keys) + "}}"
    return list(map(template.format, *(column_strings(table[k]) for k in keys)))


def row_strings(rows: Iterable[Any]) -> list[str]:
    """Rows (dicts) as JSON objects, one string each (C encoder).

    >>> row_strings([{"step": "a", "n": 2}])
    ['{"step": "a", "n": 2}']
    """
    return list(map(_encode, rows))


def pretty(items: Sequence[tuple[str, Any]], rows: dict[str, list[str]], indent: int) -> str:
    """A JSON object: ``items`` written by ``json.dumps`` with ``indent``, the lists of
    ``rows`` (already encoded) one row per line.

    >>> print(pretty([("name", "x"), ("steps", None)], {"steps": ['{"id": "a"}']}, 2))
    {
      "name": "x",
      "steps": [
        {"id": "a"}
      ]
    }
    """
    pad = " " * indent
    inner = ",\n" + pad * 2
    out = ["{"]
    for n, (key, value) in enumerate(items):
        out.append(("\n" if n == 0 else ",\n") + f"{pad}{encode_basestring(key)}: ")
        lines = rows.get(key)
        if lines:
            out += ["[\n", pad * 2, inner.join(lines), "\n", pad, "]"]
        elif lines is not None:
            out.append("[]")
        else:
            out.append(json.dumps(value, indent=indent, ensure_ascii=False,
                                  allow_nan=False).replace("\n", "\n" + pad))
    out.append("\n}")
    return "".join(out)
