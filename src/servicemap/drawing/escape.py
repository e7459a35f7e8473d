"""Escaping user text for Graphviz: HTML-like labels and tooltips that render literally."""

from __future__ import annotations

import html
import re

__all__ = ["clean_text", "html_text", "tooltip_text"]

# C0 and C1 controls, DEL, lone surrogates and non-characters: never sent to Graphviz.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` without control characters; tabs become spaces, line ends ``\\n``.

    >>> clean_text("a\\x00b\\tc\\r\\nd")
    'ab c\\nd'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _UNSAFE.sub("", text)


def html_text(text: str) -> str:
    """``text`` as the content of a Graphviz HTML-like label, shown literally.

    Markup characters become entities, backslashes are doubled (Graphviz
    expands ``\\N``, ``\\G`` ... even inside HTML-like labels), line breaks
    become ``<BR/>``.

    >>> html_text('<b>"Hi"</b> & C:\\\\temp\\\\')
    '&lt;b&gt;&quot;Hi&quot;&lt;/b&gt; &amp; C:\\\\\\\\temp\\\\\\\\'
    >>> html_text("one\\ntwo")
    'one<BR/>two'
    """
    escaped = html.escape(clean_text(text), quote=True).replace("\\", "\\\\")
    return "<BR/>".join(escaped.split("\n"))


def tooltip_text(text: str) -> str:
    """``text`` as the inside of a quoted DOT tooltip, shown literally in SVG.

    The result holds no quote and no backslash (a backslash before the closing
    quote would end a DOT string early): markup characters and backslashes
    become XML character references, which Graphviz passes into the SVG as they
    are; line breaks become ``&#10;``.

    >>> tooltip_text('say "hi" \\\\N\\n<x>')
    'say &quot;hi&quot; &#92;N&#10;&lt;x&gt;'
    """
    escaped = html.escape(clean_text(text), quote=True).replace("\\", "&#92;")
    return escaped.replace("\n", "&#10;")
