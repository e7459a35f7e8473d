"""Where each value of a loaded map stands in its file: data paths to line and column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import yaml

__all__ = ["DataPath", "SourceMap"]

DataPath = Sequence[str | int]


@dataclass(frozen=True)
class SourceMap:
    """The composed YAML node tree of a file, kept to locate values on demand.

    Looking a path up walks the tree, so positions cost nothing until a problem
    needs one.
    """

    filename: str | None
    root: yaml.Node | None

    def locate(self, path: DataPath, *, key: bool = False) -> tuple[int | None, int | None]:
        r"""1-based ``(line, column)`` of the value at ``path`` (of its key with ``key=True``).

        A path that leaves the tree (a missing key, a value normalised by the
        model) gives the position of the deepest node it reaches.

        >>> root = yaml.compose("a:\n  b: [1, 2]\n", Loader=yaml.SafeLoader)
        >>> sm = SourceMap("m.yaml", root)
        >>> sm.locate(("a", "b", 1)), sm.locate(("a", "b"), key=True), sm.locate(("a", "zz"))
        ((2, 10), (2, 3), (2, 3))
        """
        node = self.root
        if node is None:
            return (1, 1) if self.filename is not None else (None, None)
        key_node: yaml.Node | None = None
        for segment in path:
            key_node = None
            if isinstance(node, yaml.MappingNode):
                pair = next(
                    ((k, v) for k, v in node.value
                     if isinstance(k, yaml.ScalarNode) and k.value == segment),
                    None,
                )
                if pair is not None:
                    key_node, node = pair
                # else: a missing key, or pydantic's discriminator segment: stay here
            elif isinstance(node, yaml.SequenceNode) and isinstance(segment, int):
                if not 0 <= segment < len(node.value):
                    break
                node = node.value[segment]
            else:
                break
        target = key_node if key and key_node is not None else node
        mark = target.start_mark
        return mark.line + 1, mark.column + 1
