"""SM004 unknown-reference: ``next``, ``lane`` or ``phase`` naming something that does not exist.

Reported while loading, with the nearest existing ids ("did you mean").

Why it matters: a flow line to a step that does not exist is a typo that
would otherwise cut the process in two.

Failing example::

    name: Delivery
    steps:
      - {id: order, kind: terminator, next: atempt}   # SM004: did you mean 'attempt'?
      - {id: attempt, kind: task, next: done}
      - {id: done, kind: terminator}

Passing example::

    name: Delivery
    steps:
      - {id: order, kind: terminator, next: attempt}
      - {id: attempt, kind: task, next: done}
      - {id: done, kind: terminator}
"""

ID = "SM004"
NAME = "unknown-reference"
LEVEL = "error"
