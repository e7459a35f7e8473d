"""Maps shared by tests: every step kind on one blueprint, and labels written to break things."""

from __future__ import annotations

from servicemap.model import Blueprint

__all__ = ["FILE_ATTRS", "HOSTILE", "every_kind_map", "hostile_map"]

HOSTILE = [
    '"]; evil [label="x"]',
    "<script>alert(1)</script>",
    "C:\\temp\\",
    "\\N \\G \\E \\L \\T \\H",
    "&amp; &lt; &#92;",
    "two\nlines\r\nthree",
    "nul\x00bell\x07esc\x1b del\x7f",
    "x" * 300,
    "emoji 🚚📦 done",
    "עברית والعربية",
    "} digraph { x",
    "<<TABLE>>",
    "]]> -- <!-- -->",
]

FILE_ATTRS = {"image", "imagepath", "shapefile", "fontpath", "stylesheet", "url", "href",
              "target", "labelurl", "headurl", "tailurl", "edgeurl", "labelhref", "headhref",
              "tailhref", "edgehref", "imagescale", "fontnames", "layers", "id"}


def hostile_map(text: str) -> Blueprint:
    """A map with ``text`` in every name, label, tooltip field and branch label."""
    return Blueprint.model_validate({
        "name": text,
        "description": text,
        "lanes": [{"id": "a", "label": text, "layer": "customer"},
                  {"id": "b", "label": text, "layer": "onstage"},
                  {"id": "c", "label": text, "layer": "backstage"}],
        "phases": [{"id": "p", "label": text}, {"id": "q", "label": text}],
        "steps": [
            {"id": "start", "kind": "terminator", "label": text, "lane": "a", "phase": "p",
             "next": "ask", "evidence": text},
            {"id": "ask", "kind": "decision", "label": text, "lane": "b", "phase": "p",
             "fail": text, "next": [{"to": "doc", "label": text},
                                    {"to": "end", "label": text, "failure": True}]},
            {"id": "doc", "kind": "document", "label": text, "lane": "c", "phase": "q",
             "notes": text, "next": "end"},
            {"id": "end", "kind": "terminator", "label": text, "lane": "a", "phase": "q"},
        ],
    })


def every_kind_map() -> Blueprint:
    """A map with every step kind, all four layers, three phases, a fail point and a recovery."""
    return Blueprint.model_validate({
        "name": "Every kind",
        "lanes": [{"id": "cust", "label": "Customer", "layer": "customer"},
                  {"id": "front", "label": "Front desk", "layer": "onstage"},
                  {"id": "back", "label": "Back office", "layer": "backstage"},
                  {"id": "it", "label": "Systems", "layer": "support"}],
        "phases": [{"id": "p1", "label": "Before"}, {"id": "p2", "label": "During"},
                   {"id": "p3", "label": "After"}],
        "steps": [
            {"id": "s", "kind": "terminator", "label": "Arrives", "lane": "cust", "phase": "p1",
             "next": "t"},
            {"id": "t", "kind": "task", "label": "Registers", "lane": "front", "phase": "p1",
             "duration": "5m", "wait": "10m", "accuracy": "95%", "capacity": 2, "cost": 3,
             "evidence": "Ticket", "next": "d"},
            {"id": "d", "kind": "decision", "label": "Complete?", "lane": "front",
             "phase": "p2", "fail": "Form not checked",
             "next": [{"to": "p", "label": "yes", "probability": 0.9},
                      {"to": "t", "label": "no", "probability": 0.1, "failure": True}]},
            {"id": "p", "kind": "predefined", "label": "Credit check", "lane": "it",
             "phase": "p2", "next": "w"},
            {"id": "w", "kind": "delay", "label": "Waits", "lane": "cust", "phase": "p2",
             "duration": "1d", "next": "c"},
            {"id": "c", "kind": "connector", "label": "A", "lane": "back", "phase": "p3",
             "next": "m"},
            {"id": "m", "kind": "document", "label": "Letter", "lane": "back", "phase": "p3",
             "recovery": True, "next": "e"},
            {"id": "e", "kind": "terminator", "label": "Done", "lane": "cust", "phase": "p3"},
        ],
    })
