"""servicemap's own blueprint layout: lanes, phases, grid placement and orthogonal routes.

Graphviz cannot keep lane clusters in a given order, so servicemap places every
node itself and hands Graphviz pinned positions; this package does that in pure
Python (no Graphviz), deterministically. ``grid`` places steps in cells,
``routing`` plans the flow lines, ``labels`` places branch labels, and
``compute`` runs these phases and turns cells and tracks into points, within
a ``deadline``. The text metrics it shares with the drawing and rule SM303 are
:mod:`servicemap.text`.
"""

from __future__ import annotations

from .compute import compute_layout
from .geometry import Layout

__all__ = ["Layout", "compute_layout"]
