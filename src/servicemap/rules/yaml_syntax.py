"""SM001 yaml-syntax: text that is not valid YAML or JSON.

Reported while loading. Besides plain syntax errors it covers text that is not
UTF-8, binary files, a key given twice in one mapping (PyYAML would silently
keep the last one), tags such as ``!!python/object``, more than one document,
nesting deeper than 500 levels, and aliases that would add more than a
million values when expanded (alias bombs).

Why it matters: a file that cannot be read cannot be checked, and silently
dropping a duplicated key loses data.

Failing example::

    name: Delivery
    steps:
      - id: order
        kind: terminator
        next: received
        next: cancelled           # SM001: key 'next' given twice
      - {id: received, kind: terminator}
      - {id: cancelled, kind: terminator}

Passing example::

    name: Delivery
    steps:
      - {id: order, kind: terminator, next: received}
      - {id: received, kind: terminator}
"""

ID = "SM001"
NAME = "yaml-syntax"
LEVEL = "error"
