"""A short fuzz run in the suite: mutated examples are all handled as documented."""

from __future__ import annotations

import pytest

from tests.fuzz.campaign import run_one
from tests.fuzz.mutations import seed_maps

SEEDS = seed_maps()


@pytest.mark.parametrize("block", range(4))
def test_mutated_maps_are_handled(block: int) -> None:
    findings = [f for i in range(block * 100, block * 100 + 100)
                if (f := run_one(i, SEEDS, render=i % 50 == 0, seconds=20.0)) is not None]
    assert not findings, "\n".join(f"seed {f.seed}: {f.kind}: {f.detail}" for f in findings[:5])
