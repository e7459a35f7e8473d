"""Safe XML reading for BPMN: no DTDs, entities or network, every element with line and column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

__all__ = ["BPMNDI_NS", "BPMN_NS", "MAX_ELEMENTS", "MAX_NESTING", "SERVICEMAP_NS", "Element",
           "XmlError", "parse_xml", "written_name", "xml_text"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
"""The namespace of BPMN 2.0's semantic elements."""

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
"""The namespace of BPMN 2.0's diagram interchange (shapes and edges)."""

SERVICEMAP_NS = "urn:servicemap:bpmn:1"
"""The namespace of servicemap's extension elements (what BPMN has no place for)."""

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

MAX_NESTING = 200
"""Elements nested deeper than this are refused (no real diagram comes near it)."""

MAX_ELEMENTS = 500_000
"""At most this many elements per file: a 10,000-step diagram with its drawing has about
100,000; reading this many takes some 10 seconds and 300 MB."""


@dataclass(eq=False, slots=True)
class Element:
    """One XML element: namespace, local name, attributes, text, children and 1-based position.

    Attributes without a namespace are keyed by their local name, others as
    ``{namespace}name``.
    """

    ns: str
    tag: str
    attrs: dict[str, str]
    line: int
    column: int
    children: list[Element] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The element's own character data, stripped."""
        return "".join(self.text_parts).strip()

    def bpmn(self, *tags: str) -> list[Element]:
        """The children in the BPMN model namespace with one of ``tags`` (all without tags)."""
        return [c for c in self.children if c.ns == BPMN_NS and (not tags or c.tag in tags)]


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD.

    XML 1.0 has no way to write most C0 controls (even as ``&#1;``), lone
    surrogates, U+FFFE or U+FFFF; the library escapes ``<``, ``&``, quotes.

    >>> xml_text("a\\x01b\\tc")
    'a\\ufffdb\\tc'
    """
    return _NOT_XML.sub("\ufffd", text)


def written_name(text: str | None) -> str | None:
    """What the import reads back of a ``name`` attribute written with ``text``.

    >>> written_name("Check\\n  claim"), written_name(None), written_name(" ")
    ('Check claim', None, None)
    """
    if text is None:
        return None
    return " ".join(xml_text(text).split()) or None


class XmlError(Exception):
    """XML that cannot be read, or is refused, at a 1-based line and column."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


_SEP = "\x01"
"""Between a name's namespace and local part in expat's names: XML 1.0 text cannot hold it,
so no namespace (not even a hostile one) contains it."""


class _Builder:
    """Builds :class:`Element` trees from expat's events, each element where its tag starts.

    Every way a document could make the parser read more than its own bytes
    is refused as it arrives: a DTD (so no entity declarations: no billion
    laughs), an entity declaration, an external entity reference.
    """

    def __init__(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        self.root: Element | None = None
        self.stack: list[Element] = []
        self.count = 0
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.entity
        parser.UnparsedEntityDeclHandler = self.entity
        parser.ExternalEntityRefHandler = self.external

    def position(self) -> tuple[int, int]:
        """The 1-based (line, column) the parser is at (expat counts columns from 0)."""
        return self.parser.CurrentLineNumber or 1, (self.parser.CurrentColumnNumber or 0) + 1

    def refuse(self, message: str) -> XmlError:
        """A refusal at the parser's position."""
        return XmlError(message, *self.position())

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.count += 1
        if len(self.stack) >= MAX_NESTING or self.count > MAX_ELEMENTS:
            what = (f"elements nested more than {MAX_NESTING} deep" if self.count <= MAX_ELEMENTS
                    else f"more than {MAX_ELEMENTS} elements")
            raise self.refuse(f"XML with {what}: refused")
        ns, _, tag = name.rpartition(_SEP)
        values = {(k if _SEP not in k else "{" + k.replace(_SEP, "}", 1)): v
                  for k, v in attrs.items()}
        element = Element(ns, tag, values, *self.position())
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def end(self, name: str) -> None:
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack:
            self.stack[-1].text_parts.append(content)

    def doctype(self, *_: object) -> None:
        raise self.refuse("XML with a DTD (<!DOCTYPE ...>) is refused: a DTD can declare "
                          "entities that expand without bound or read other files")

    def entity(self, *_: object) -> None:
        raise self.refuse("XML declaring entities is refused: entities can expand without "
                          "bound")

    def external(self, *_: object) -> int:
        raise self.refuse("XML refused: an external entity reference (entities, DTDs and "
                          "external references are never read)")


def parse_xml(data: bytes) -> Element:
    """The root element of an XML document, every element located.

    Why not ``defusedxml.ElementTree``: it keeps no positions, and its C parser
    hides the expat parser that knows them. This is expat itself (as
    defusedxml's readers are) with defusedxml's guards in its handlers; expat
    gives the line and column of each start tag as its event arrives; the
    element tree is built here, one stack, no recursion. (Not through
    ``xml.sax``: its reader imports ``urllib.request`` and with it ``http`` and
    ``ssl``, a tenth of ``servicemap check``'s start-up, for nothing used
    here.) Refused with the position where the parser stopped: any DTD (so no
    entity declarations: no billion laughs, no external entities, nothing
    fetched or read), text that is not well-formed or not in its declared
    encoding, nesting deeper than :data:`MAX_NESTING`.

    Raises:
        XmlError: with the message and the 1-based line and column.

    Example:
        >>> root = parse_xml(b'<a xmlns="urn:x">\\n  <b id="1"/>\\n</a>')
        >>> b = root.children[0]
        >>> (root.ns, b.tag, b.attrs, b.line, b.column)
        ('urn:x', 'b', {'id': '1'}, 2, 3)
        >>> try:
        ...     parse_xml(b'<?xml version="1.0"?>\\n<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
        ... except XmlError as err:
        ...     print(err.line, err.column, err.message[:34])
        2 13 XML with a DTD (<!DOCTYPE ...>) is
    """
    parser = expat.ParserCreate(namespace_separator=_SEP)
    builder = _Builder(parser)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XmlError(f"not well-formed XML: {expat.ErrorString(exc.code)}", exc.lineno or 1,
                       (exc.offset or 0) + 1) from None
    except (UnicodeError, LookupError, ValueError) as exc:  # an encoding expat cannot read
        line, column = builder.position()
        raise XmlError(f"XML that cannot be decoded: {exc}", line, column) from None
    if builder.root is None:  # pragma: no cover - expat reports an empty document itself
        raise XmlError("no XML element in the file", 1, 1)
    return builder.root
