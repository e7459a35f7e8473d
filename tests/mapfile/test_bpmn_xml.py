"""Safe XML reading for BPMN: positions, refusals."""

from __future__ import annotations

import pytest

from servicemap.mapfile.bpmn_xml import XmlError, parse_xml


def test_positions_and_namespaced_attributes() -> None:
    root = parse_xml(b'<a xmlns="urn:a" xmlns:x="urn:x">\n\t<b x:k="v">text</b>\n</a>')
    b = root.children[0]
    assert (b.ns, b.tag, b.line, b.column, b.text) == ("urn:a", "b", 2, 2, "text")
    assert b.attrs == {"{urn:x}k": "v"}


@pytest.mark.parametrize("data", [
    b'<!DOCTYPE a SYSTEM "http://127.0.0.1:9/a.dtd"><a/>',
    b'<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
])
def test_dtds_refused(data: bytes) -> None:
    with pytest.raises(XmlError, match="DTD"):
        parse_xml(data)


def test_element_count_and_depth_bounded() -> None:
    with pytest.raises(XmlError, match="nested more than 200 deep") as info:
        parse_xml(b"<a>" * 201)
    assert (info.value.line, info.value.column) == (1, 601)
