"""Random durations and gaps between arrivals: each distribution from its mean and cv."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

__all__ = ["Sampler", "gap_sampler", "sampler"]

Sampler = Callable[[], float]
"""A function drawing one positive duration in seconds."""


def sampler(rng: random.Random, mean: float, distribution: str | None,
            cv: float | None) -> Sampler:
    """A function drawing durations of mean ``mean`` with the shape the format defines.

    The shapes are those of docs/format.md "Variability": no distribution is the
    exponential without a cv, else the gamma of that cv; uniform and triangular
    are symmetric about the mean; lognormal has σ² = ln(1 + cv²).

    Args:
        rng: The replication's random stream.
        mean: The mean duration, in seconds (0: no time).
        distribution: The step's ``distribution``, or None.
        cv: The step's ``cv``, or None (the distribution's own).

    Returns:
        A function of no arguments returning one duration.

    Examples:
        >>> rng = random.Random(1)
        >>> sampler(rng, 60.0, "fixed", None)()
        60.0
        >>> draws = [sampler(rng, 60.0, "uniform", 0.2)() for _ in range(1000)]
        >>> 60 * (1 - 0.2 * 3 ** 0.5) <= min(draws) and max(draws) <= 60 * (1 + 0.2 * 3 ** 0.5)
        True

    Notes:
        O(1) per draw (Python's ``random``: Marsaglia–Tsang gamma, Box–Muller normal).
    """
    if mean <= 0:
        return lambda: 0.0
    if distribution is None:
        return _gamma(rng, mean, 1.0 if cv is None else cv)
    if distribution == "exponential":
        return _gamma(rng, mean, 1.0)
    if distribution == "fixed" or cv == 0:
        return lambda: mean
    if distribution == "uniform":
        half = mean * (cv if cv is not None else 1 / math.sqrt(3)) * math.sqrt(3)
        return lambda: rng.uniform(mean - half, mean + half)
    if distribution == "triangular":
        half = mean * (cv if cv is not None else 1 / math.sqrt(6)) * math.sqrt(6)
        return lambda: rng.triangular(mean - half, mean + half, mean)
    sigma2 = math.log1p((1.0 if cv is None else cv) ** 2)  # lognormal
    mu, sigma = math.log(mean) - sigma2 / 2, math.sqrt(sigma2)
    return lambda: rng.lognormvariate(mu, sigma)


def _gamma(rng: random.Random, mean: float, cv: float) -> Sampler:
    """Gamma of mean ``mean`` and coefficient of variation ``cv`` (shape 1/cv², scale mean·cv²)."""
    if cv == 0:
        return lambda: mean
    if cv == 1:
        rate = 1.0 / mean
        return lambda: rng.expovariate(rate)
    shape, scale = 1.0 / (cv * cv), mean * cv * cv
    return lambda: rng.gammavariate(shape, scale)


def gap_sampler(rng: random.Random, rate_per_s: float, cv: float) -> Sampler:
    """Times between arrivals at ``rate_per_s``: gamma of that cv (1: Poisson, 0: a schedule).

    >>> gap_sampler(random.Random(1), 0.5, 0.0)()
    2.0
    """
    return _gamma(rng, 1.0 / rate_per_s, cv)
