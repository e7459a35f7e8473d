"""A fuzz campaign: mutated maps through load → check → analyze (→ render), failures collected.

Run it by hand for a long campaign (the test suite runs a short one)::

    python -m tests.fuzz.campaign --maps 20000 --render-every 200 --seed 1

Outcomes that count as handled: a :class:`~servicemap.LoadError` (every
problem located), check problems (every one located), an
:class:`~servicemap.AnalysisError`, a :class:`~servicemap.RenderError`.
Anything else, or one map taking longer than ``--seconds``, is a finding.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

import servicemap as sm
from tests.fuzz.mutations import mutated_text, seed_maps

__all__ = ["Finding", "main", "run_one"]


@dataclass(frozen=True)
class Finding:
    """A mutated map that was not handled as documented."""

    seed: int
    kind: str
    detail: str
    text: str


class _Timeout(Exception):
    pass


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: FrameType | None) -> None:
        raise _Timeout

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _unlocated(problems: list[sm.Problem]) -> list[sm.Problem]:
    return [p for p in problems if p.file is None or p.line is None or p.column is None]


def _stages(text: str, name: str, render: bool) -> str | None:
    """Run the pipeline on one map; a description of what went wrong, or None."""
    try:
        bp = sm.loads(text, name)
    except sm.LoadError as exc:
        bad = _unlocated(exc.problems)
        return f"unlocated load problem: {bad[0]}" if bad else None
    problems = sm.check(bp)
    bad = _unlocated(problems)
    if bad:
        return f"unlocated check problem: {bad[0]}"
    try:
        sm.analyze(bp, problems=problems)
    except sm.AnalysisError:
        return None
    if render:
        try:
            sm.render(bp, format="svg", problems=problems, timeout=20)
        except sm.RenderError:
            return None
    return None


def run_one(seed: int, seeds: list[dict[str, Any]], *, render: bool = False,
            seconds: float = 20.0) -> Finding | None:
    """Fuzz one map made from ``seed``; the finding, or None if it was handled."""
    text, name = mutated_text(seeds, random.Random(seed))
    try:
        with _deadline(seconds):
            detail = _stages(text, name, render)
    except _Timeout:
        return Finding(seed, "hang", f"more than {seconds} s", text)
    except Exception as exc:
        return Finding(seed, type(exc).__name__, str(exc)[:300], text)
    return Finding(seed, "unlocated", detail, text) if detail else None


def main(argv: list[str] | None = None) -> int:
    """Run a campaign; print a summary and each kind of finding once."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--render-every", type=int, default=0, help="render every Nth map")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    seeds = seed_maps()
    kinds: dict[str, Finding] = {}
    count = 0
    start = time.perf_counter()
    for i in range(args.maps):
        render = bool(args.render_every) and i % args.render_every == 0
        finding = run_one(args.seed * 10_000_000 + i, seeds, render=render, seconds=args.seconds)
        if finding is not None:
            count += 1
            kinds.setdefault(f"{finding.kind}: {finding.detail[:80]}", finding)
    elapsed = time.perf_counter() - start
    print(f"{args.maps} maps in {elapsed:.0f} s: {count} findings, {len(kinds)} kinds")
    for key, finding in sorted(kinds.items()):
        print(f"- seed {finding.seed}: {key}")
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main())
