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
    name: Delivery (current)      # SM001: key 'name' appears twice
    steps: [{id: a, kind: terminator]   # SM001: invalid YAML

Passing example::

    name: Delivery (current)
    steps: [{id: a, kind: terminator}]
"""

ID = "SM001"
NAME = "yaml-syntax"
LEVEL = "error"
