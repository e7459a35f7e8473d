"""Queueing formulas: Erlang B, Erlang C and the M/M/c expected wait, numerically stable.

Pure Python (``math`` only), so that the check rules (SM501's neighbour SM502)
and the analysis use one implementation; :mod:`servicemap.analysis.queues`
re-exports it. All three take any number of servers (a Python ``int`` of any size) and run in
bounded time: up to :data:`RECURRENCE_SERVERS` servers by the classic
recurrence, beyond it in O(1) from the Poisson form of Erlang B.
"""

from __future__ import annotations

import math

__all__ = [
    "RECURRENCE_SERVERS",
    "UNDERFLOW_SERVERS",
    "departure_scv",
    "erlang_b",
    "erlang_c",
    "ggc_wait",
    "mmc_wait",
]

RECURRENCE_SERVERS = 1000
"""Up to this many servers, Erlang B runs the recurrence (at most this many steps)."""

UNDERFLOW_SERVERS = 750
"""With at least this many servers and ``c ≥ e²·a``, Erlang B is below the smallest float.

Then ``P(N = c) = e^{-a} a^c / c! ≤ (e·a/c)^c ≤ e^{-c} ≤ e^{-750}`` for
``N ~ Poisson(a)``, and ``B = P(N = c) / P(N ≤ c) ≤ 2·e^{-750}`` (``P(N ≤ c) ≥ 1/2``
once ``c`` is past the median, below ``a + 1/3``), which rounds to 0: the
smallest positive float is about ``e^{-744.4}``.
"""

_E2 = math.e**2
_HUGE_SERVERS = 2**1000
"""More servers than this (about 1e301): Erlang B is below 1e-150 whatever the load."""
_LN_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_SERIES_CHUNK = 65536


def _check(arrival_rate: float, service_rate: float, servers: int) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers must be an integer >= 1, not {servers!r}")
    if not (arrival_rate >= 0 and math.isfinite(arrival_rate)):
        raise ValueError(f"arrival rate must be a finite number >= 0, not {arrival_rate!r}")
    if not (service_rate > 0 and math.isfinite(service_rate)):
        raise ValueError(f"service rate must be a finite number > 0, not {service_rate!r}")


def _per_server(load: float, servers: int) -> float:
    """``load / servers`` for a server count of any size (0.0 past the float range)."""
    return load / servers if servers < _HUGE_SERVERS else 0.0


def _stirlerr(n: float) -> float:
    """``log(n!) - log(√(2πn)·(n/e)^n)``, the error of Stirling's formula (Loader 2000).

    Notes:
        O(1): the asymptotic series above 15, ``lgamma`` below.
    """
    if n <= 15.0:
        return math.lgamma(n + 1.0) - (n + 0.5) * math.log(n) + n - _LN_SQRT_2PI
    s0, s1, s2, s3, s4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
    nn = n * n
    if n > 500:
        return (s0 - s1 / nn) / n
    if n > 80:
        return (s0 - (s1 - s2 / nn) / nn) / n
    if n > 35:
        return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n


def _bd0(x: float, m: float) -> float:
    """``x·log(x/m) + m - x``, the deviance term, without cancellation near ``x = m``
    (Loader 2000).

    Notes:
        O(1): a series in ``((x - m)/(x + m))²`` (below 0.01) near ``x = m``, at most
        about 10 terms.
    """
    if abs(x - m) < 0.1 * (x + m):
        v = (x - m) / (x + m)
        s = (x - m) * v
        ej = 2.0 * x * v
        v *= v
        j = 3.0
        while True:
            ej *= v
            s1 = s + ej / j
            if s1 == s:
                return s1
            s = s1
            j += 2.0
    return x * math.log(x / m) + m - x


def _poisson_pmf(k: float, m: float) -> float:
    """``P(N = k)`` for ``N ~ Poisson(m)``, to a few units in the last place for any size.

    Loader's saddle-point form ``exp(-stirlerr(k) - bd0(k, m)) / √(2πk)``, which
    never forms ``m^k`` or ``k!``.

    Notes:
        O(1).
    """
    return math.exp(-_stirlerr(k) - _bd0(k, m) - _LN_SQRT_2PI) / math.sqrt(k)


def _inverse_b_series(offered_load: float, servers: float) -> float:
    """``1/B = Σ_{k=0}^{c} c!/((c-k)!·a^k)`` for an overloaded group (``a > c``).

    The terms fall at least geometrically (ratio below ``c/a``), so the sum stops
    once they no longer change it, in chunks of numpy arithmetic.

    Notes:
        O(min(c, √a)) arithmetic in chunks of 65,536: it is only used where
        ``P(N ≤ c)`` underflows, that is ``a - c`` above about ``38√a``.
    """
    import numpy as np

    total, term, k = 0.0, 1.0, 0.0
    while k <= servers:
        n = int(min(_SERIES_CHUNK, servers - k + 1))
        ratios = (servers - (k + np.arange(n, dtype=np.float64))) / offered_load
        terms = term * np.cumprod(np.concatenate(([1.0], ratios[:-1])))
        total += float(terms.sum())
        term = float(terms[-1] * ratios[-1])
        k += n
        if term <= total * 1e-17:
            break
    return total


def erlang_b(offered_load: float, servers: int) -> float:
    """Erlang B blocking probability for offered load ``a = λ/μ`` on ``servers`` servers.

    Args:
        offered_load: ``a = λ/μ`` in Erlangs (>= 0).
        servers: Number of servers ``c`` (>= 1), an ``int`` of any size.

    Returns:
        The blocking probability.

    Raises:
        ValueError: for a load that is negative or not finite, or servers that
            are not a whole number >= 1.

    Notes:
        Three methods, by the number of servers ``c``:

        - ``c ≥ max(e²·a, 750)`` (:data:`UNDERFLOW_SERVERS`): 0, in O(1). ``B``
          is then below the smallest positive float (see :data:`UNDERFLOW_SERVERS`);
          with more than 2^1000 servers it is below 1e-150 whatever the load
          (``P(N = c) ≤ 1/√(2πc)``), also taken as 0.
        - ``c ≤ 1000`` (:data:`RECURRENCE_SERVERS`): the recurrence
          ``B(0) = 1``, ``B(k) = a·B(k-1) / (k + a·B(k-1))``, which never forms
          ``a^c`` or ``c!`` and is stable (Jagerman, "Some properties of the
          Erlang loss function", Bell System Technical Journal 53(3), 1974);
          at most 1000 steps, fewer once ``B`` underflows to 0.
        - otherwise: the Poisson form ``B = P(N = c) / P(N ≤ c)`` for
          ``N ~ Poisson(a)`` (the same paper), in O(1): ``P(N = c)`` by
          Loader's saddle-point method (C. Loader, "Fast and Accurate
          Computation of Binomial Probabilities", 2000: Stirling's error
          and the deviance ``bd0`` as series, so no ``a^c`` or ``c!`` and a
          relative error of a few ulp for any ``c``) and ``P(N ≤ c)`` by
          ``scipy.special.pdtr`` (the regularised incomplete gamma function).
          Where the group is overloaded so far (``a - c`` above about ``38√a``)
          that ``P(N ≤ c)`` underflows, ``1/B = Σ c!/((c-k)!·a^k)`` is summed
          until its terms vanish: O(√a) in numpy chunks. Erlang C never needs
          this case (it has ``a < c``).

        So Erlang B costs O(1) in the number of servers beyond 1000, and Erlang
        C and :func:`mmc_wait` with it.

    Examples:
        >>> round(erlang_b(2.5, 3), 4)
        0.2822
        >>> erlang_b(0.8, 10**12)  # a trillion servers: nobody is turned away
        0.0
        >>> round(erlang_b(9.9e11, 10**12), 12)  # Poisson form: ~φ(β)/(√a·Φ(β)), β ≈ 10
        0.0
    """
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers must be an integer >= 1, not {servers!r}")
    if not (offered_load >= 0 and math.isfinite(offered_load)):
        raise ValueError(f"offered load must be a finite number >= 0, not {offered_load!r}")
    a = float(offered_load)
    if servers >= UNDERFLOW_SERVERS and servers >= _E2 * a:
        return 0.0
    if servers <= RECURRENCE_SERVERS:
        b = 1.0
        for k in range(1, servers + 1):
            b = a * b / (k + a * b)
            if b == 0.0:  # underflow: 0 from here on
                break
        return b
    if servers >= _HUGE_SERVERS and servers > a:
        return 0.0
    return _erlang_b_poisson(a, float(servers))


def _erlang_b_poisson(offered_load: float, servers: float) -> float:
    """Erlang B as ``P(N = c) / P(N ≤ c)`` for ``N ~ Poisson(a)`` (see :func:`erlang_b`).

    Notes:
        O(1); O(√a) where ``P(N ≤ c)`` underflows (an overloaded group only).
    """
    from scipy.special import pdtr

    cdf = float(pdtr(servers, offered_load))
    if cdf < 1e-280:  # far overloaded: the cdf lost its precision, or underflowed
        return 1.0 / _inverse_b_series(offered_load, servers)
    return min(1.0, _poisson_pmf(servers, offered_load) / cdf)


def erlang_c(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Probability that an arriving case waits in an M/M/c queue (Erlang C).

    Args:
        arrival_rate: λ, cases per unit of time.
        service_rate: μ, cases one server completes per unit of time.
        servers: c, the number of servers (an ``int`` of any size).

    Returns:
        The probability of waiting; 1.0 when the queue is unstable (λ ≥ cμ).

    Raises:
        ValueError: for a rate that is negative or not finite, a service rate
            that is not positive, or servers that are not a whole number >= 1.

    Notes:
        ``C = B / (1 - ρ(1 - B))`` with ``ρ = λ/(cμ)`` and ``B`` Erlang B
        (:func:`erlang_b`): O(min(c, 1000)), so O(1) in the number of servers
        beyond 1000. With ``c ≥ max(e²·a, 750)`` servers ``B`` and ``C`` are 0
        to machine precision (:data:`UNDERFLOW_SERVERS`): the probability of
        waiting is exactly 0 long before a trillion servers.

    Example:
        λ = 30/h, μ = 12/h:

        >>> [round(erlang_c(30, 12, c), 3) for c in (3, 4, 5, 6)]
        [0.702, 0.32, 0.13, 0.047]
    """
    _check(arrival_rate, service_rate, servers)
    a = arrival_rate / service_rate
    if not a < servers:  # unstable (a = inf included); int and float compare exactly
        return 1.0
    rho = _per_server(a, servers)
    if not rho < 1.0:
        return 1.0
    b = erlang_b(a, servers)
    return b / (1.0 - rho * (1.0 - b))


def mmc_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Expected time a case waits in the queue of an M/M/c system (Wq).

    ``Wq = C(c, λ/μ) / (cμ - λ)``, in the time unit of the rates. This assumes
    Poisson arrivals and exponential service times.

    Args:
        arrival_rate: λ, cases per unit of time.
        service_rate: μ per server.
        servers: c (an ``int`` of any size).

    Returns:
        The expected wait; ``math.inf`` when the queue is unstable (λ ≥ cμ).

    Raises:
        ValueError: as :func:`erlang_c`.

    Notes:
        O(min(c, 1000)), see :func:`erlang_c`. Where ``C`` is 0 the wait is 0,
        without forming ``cμ`` (which may be beyond the float range).

    Example:
        M/M/1 with λ = 3, μ = 4: Wq = ρ/(μ - λ) = 0.75:

        >>> mmc_wait(3, 4, 1)
        0.75
    """
    c = erlang_c(arrival_rate, service_rate, servers)
    if c == 0.0:
        return 0.0
    if servers >= _HUGE_SERVERS:  # C > 0 with so many servers: only when unstable
        return math.inf
    capacity = servers * service_rate
    if not arrival_rate < capacity:
        return math.inf
    return c / (capacity - arrival_rate)


def ggc_wait(arrival_rate: float, service_rate: float, servers: int,
             arrival_scv: float = 1.0, service_scv: float = 1.0) -> float:
    """Expected queue wait of a G/G/c system by the Allen–Cunneen approximation.

    ``Wq ≈ Wq(M/M/c) · (c_a² + c_s²)/2``, with ``c_a²`` and ``c_s²`` the squared
    coefficients of variation of the times between arrivals and of the service
    times. With both 1 it is :func:`mmc_wait` exactly (no factor is applied).

    Args:
        arrival_rate: λ.
        service_rate: μ per server.
        servers: c.
        arrival_scv: ``c_a²`` (>= 0; 1 for Poisson arrivals).
        service_scv: ``c_s²`` (>= 0; 1 for exponential, 0 for fixed service).

    Returns:
        The expected wait; ``math.inf`` when the queue is unstable.

    Raises:
        ValueError: as :func:`erlang_c`, or for a negative or non-finite scv.

    Notes:
        O(min(c, 1000)), see :func:`erlang_c`. Exact for M/G/1, where it is the
        Pollaczek–Khinchine formula; otherwise an approximation (A. O. Allen,
        *Probability, Statistics, and Queueing Theory*, 2nd ed., 1990).

    Example:
        M/D/1 with λ = 3, μ = 4: Pollaczek–Khinchine gives ρ/(2μ(1 − ρ)) = 0.375:

        >>> ggc_wait(3, 4, 1, 1.0, 0.0)
        0.375
    """
    for scv in (arrival_scv, service_scv):
        if not (scv >= 0 and math.isfinite(scv)):
            raise ValueError(f"a squared cv must be a finite number >= 0, not {scv!r}")
    wait = mmc_wait(arrival_rate, service_rate, servers)
    if (arrival_scv == 1.0 and service_scv == 1.0) or not math.isfinite(wait):
        return wait
    return wait * (arrival_scv + service_scv) / 2.0


def departure_scv(arrival_scv: float, service_scv: float, utilisation: float,
                  servers: float = 1) -> float:
    """Squared cv of the departures of a G/G/c station (Whitt's QNA).

    ``c_d² = 1 + (1 − ρ²)(c_a² − 1) + ρ²(c_s² − 1)/√c``, with ``ρ`` the
    utilisation per server (capped at 1).

    Notes:
        O(1). W. Whitt, "The Queueing Network Analyzer", Bell System Technical
        Journal 62(9), 1983 (its basic departure approximation).

    Example:
        Poisson arrivals at a fixed-time single server at ρ = 0.75: 1 − ρ² = 0.4375:

        >>> departure_scv(1.0, 0.0, 0.75)
        0.4375
    """
    rho = min(utilisation, 1.0)
    return 1.0 + (1.0 - rho**2) * (arrival_scv - 1.0) + rho**2 * (service_scv - 1.0) / math.sqrt(
        servers)
