"""SM002 schema: a wrong type or value, a missing or unknown key, an unsupported version.

Reported while loading, one problem per wrong value, all at once: a missing
required key (``name``, ``steps``, a step's ``id`` or ``kind``), an unknown key
(with the nearest valid key: ``fial`` → did you mean ``fail``?), a key not
allowed on the step's kind (``outcome`` on a task), a duration without a unit
("add a unit"), a fraction out of range, a capacity that is not a whole number,
a format version other than 1.

Why it matters: a typo in a key would otherwise be ignored, and a duration of
``5`` could mean minutes or hours.

Failing example::

    name: Packing
    steps:
      - {id: order, kind: terminator, next: pack}
      - id: pack
        kind: task
        duration: 5            # SM002: duration 5 has no unit
        fial: wrong item       # SM002: unknown key 'fial' (did you mean 'fail'?)
        next: shipped
      - {id: shipped, kind: terminator}

Passing example::

    name: Packing
    steps:
      - {id: order, kind: terminator, next: pack}
      - id: pack
        kind: task
        duration: 5m
        fail: wrong item
        next: shipped
      - {id: shipped, kind: terminator}
"""

ID = "SM002"
NAME = "schema"
LEVEL = "error"
