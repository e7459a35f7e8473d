"""SM003 duplicate-id: two steps (or two lanes, or two phases) with the same id.

Reported while loading, at the second use of the id.

Why it matters: ``next`` names steps by id; with two steps of one id a flow
line could lead to either.

Failing example::

    name: Packing
    steps:
      - {id: order, kind: terminator, next: pack}
      - {id: pack, kind: task, label: Packs the parcel, next: shipped}
      - {id: pack, kind: task, label: Labels the parcel, next: shipped}   # SM003
      - {id: shipped, kind: terminator}

Passing example::

    name: Packing
    steps:
      - {id: order, kind: terminator, next: pack}
      - {id: pack, kind: task, label: Packs the parcel, next: label}
      - {id: label, kind: task, label: Labels the parcel, next: shipped}
      - {id: shipped, kind: terminator}
"""

ID = "SM003"
NAME = "duplicate-id"
LEVEL = "error"
