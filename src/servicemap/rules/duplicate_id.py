"""SM003 duplicate-id: two steps (or two lanes, or two phases) with the same id.

Reported while loading, at the second use of the id.

Why it matters: ``next`` names steps by id; with two steps of one id a flow
line could lead to either.

Failing example::

    steps:
      - {id: pack, kind: task, next: pack-2}
      - {id: pack, kind: task}            # SM003

Passing example::

    steps:
      - {id: pack, kind: task, next: ship}
      - {id: ship, kind: task}
"""

ID = "SM003"
NAME = "duplicate-id"
LEVEL = "error"
