"""Safe XML reading for BPMN: no DTDs, entities or network, every element with line and column."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import AttributesNSImpl, InputSource, Locator

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

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


class _Builder(ContentHandler):
    """Builds :class:`Element` trees from SAX events, each element at its locator position."""

    def __init__(self) -> None:
        super().__init__()
        self.root: Element | None = None
        self.stack: list[Element] = []
        self.count = 0
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def position(self) -> tuple[int, int]:
        """The 1-based (line, column) the parser is at (expat counts columns from 0)."""
        if self.locator is None:  # pragma: no cover - expat always sets one
            return 1, 1
        return self.locator.getLineNumber() or 1, (self.locator.getColumnNumber() or 0) + 1

    def startElementNS(self, name: tuple[str | None, str], qname: str | None,
                       attrs: AttributesNSImpl) -> None:
        line, column = self.position()
        self.count += 1
        if len(self.stack) >= MAX_NESTING or self.count > MAX_ELEMENTS:
            what = (f"elements nested more than {MAX_NESTING} deep" if self.count <= MAX_ELEMENTS
                    else f"more than {MAX_ELEMENTS} elements")
            raise XmlError(f"XML with {what}: refused", line, column)
        values = {(k[1] if not k[0] else f"{{{k[0]}}}{k[1]}"): v for k, v in attrs.items()}
        element = Element(name[0] or "", name[1], values, line, column)
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack:
            self.stack[-1].text_parts.append(content)


def parse_xml(data: bytes) -> Element:
    """The root element of an XML document, every element located.

    Why not ``defusedxml.ElementTree``: it keeps no positions, and its C parser
    hides the expat parser that knows them. The defused SAX reader is expat
    with defusedxml's guards, and SAX's locator gives the line and column of
    each start tag as its event arrives; the element tree is built here, one
    stack, no recursion. Refused with the position where the parser stopped:
    any DTD (so no entity declarations: no billion laughs, no external
    entities, nothing fetched or read), text that is not well-formed or not in
    its declared encoding, nesting deeper than :data:`MAX_NESTING`.

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
    builder = _Builder()
    parser = DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(builder)
    source = InputSource()
    source.setByteStream(io.BytesIO(data))
    try:
        parser.parse(source)
    except SAXParseException as exc:
        line, column = exc.getLineNumber(), exc.getColumnNumber()
        raise XmlError(f"not well-formed XML: {exc.getMessage()}", line or 1,
                       (column or 0) + 1) from None
    except DefusedXmlException as exc:
        line, column = builder.position()
        raise XmlError(_refusal(exc), line, column) from None
    except (UnicodeError, LookupError, ValueError) as exc:  # an encoding expat cannot read
        line, column = builder.position()
        raise XmlError(f"XML that cannot be decoded: {exc}", line, column) from None
    if builder.root is None:  # pragma: no cover - expat reports an empty document itself
        raise XmlError("no XML element in the file", 1, 1)
    return builder.root


def _refusal(exc: DefusedXmlException) -> str:
    """What a user reads for a defusedxml refusal."""
    name = type(exc).__name__
    if name == "DTDForbidden":
        return ("XML with a DTD (<!DOCTYPE ...>) is refused: a DTD can declare entities that "
                "expand without bound or read other files")
    if name == "EntitiesForbidden":
        return "XML declaring entities is refused: entities can expand without bound"
    return f"XML refused: {name} (entities, DTDs and external references are never read)"
