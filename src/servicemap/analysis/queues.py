"""Queueing formulas: Erlang B, Erlang C and the M/M/c expected wait, numerically stable."""

from __future__ import annotations

import math

__all__ = ["erlang_b", "erlang_c", "mmc_wait"]


def _check(arrival_rate: float, service_rate: float, servers: int) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers must be an integer >= 1, not {servers!r}")
    if not (arrival_rate >= 0 and math.isfinite(arrival_rate)):
        raise ValueError(f"arrival rate must be a finite number >= 0, not {arrival_rate!r}")
    if not (service_rate > 0 and math.isfinite(service_rate)):
        raise ValueError(f"service rate must be a finite number > 0, not {service_rate!r}")


def erlang_b(offered_load: float, servers: int) -> float:
    """Erlang B blocking probability for offered load ``a = λ/μ`` on ``servers`` servers.

    Uses the recurrence ``B(0) = 1``, ``B(k) = a·B(k-1) / (k + a·B(k-1))``,
    which never forms ``a^c`` or ``c!`` and so stays accurate for thousands of
    servers. Once ``B`` underflows to 0 it stays 0, so the loop stops there:
    beyond about ``a + 40√a`` servers the answer is 0 however many there are.
    Where that would still take more than a million steps (``a`` above
    :data:`_RECURRENCE_LOAD` and more servers than :data:`_RECURRENCE_SERVERS`),
    ``B = P(N = c) / P(N ≤ c)`` for ``N ~ Poisson(a)`` is taken in log space
    (relative error about ``1e-16 · c·log a``: 1e-6 at a billion servers).

    Args:
        offered_load: ``a = λ/μ`` in Erlangs (>= 0).
        servers: Number of servers (>= 1).

    Returns:
        The blocking probability.

    Notes:
        O(min(c, a + 40√a)) time, O(1) memory; O(1) in log space.

    Example:
        >>> round(erlang_b(2.5, 3), 4)
        0.2822
        >>> erlang_b(0.8, 10**12)  # a trillion servers: nobody is turned away
        0.0
    """
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers must be an integer >= 1, not {servers!r}")
    if not (offered_load >= 0 and math.isfinite(offered_load)):
        raise ValueError(f"offered load must be a finite number >= 0, not {offered_load!r}")
    if servers > _RECURRENCE_SERVERS and offered_load > _RECURRENCE_LOAD:
        return _erlang_b_log(offered_load, servers)
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
        if b == 0.0:  # underflow: 0 from here on
            break
    return b


_RECURRENCE_SERVERS = 10**6
"""More servers than this, with a load above :data:`_RECURRENCE_LOAD`: Erlang B in log space."""

_RECURRENCE_LOAD = 10**5
"""Offered loads up to this stop the recurrence by underflow within about 1.2e5 steps."""


def _erlang_b_log(offered_load: float, servers: int) -> float:
    """Erlang B as ``P(N = c) / P(N ≤ c)`` for ``N ~ Poisson(a)``, in log space.

    Notes:
        O(1).
    """
    from scipy.special import gammaln, pdtr

    log_pmf = servers * math.log(offered_load) - offered_load - float(gammaln(servers + 1))
    cdf = float(pdtr(servers, offered_load))
    return math.exp(log_pmf - math.log(cdf)) if cdf > 0.0 else 1.0


def erlang_c(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Probability that an arriving case waits in an M/M/c queue (Erlang C).

    Args:
        arrival_rate: λ, cases per unit of time.
        service_rate: μ, cases one server completes per unit of time.
        servers: c, the number of servers.

    Returns:
        The probability of waiting; 1.0 when the queue is unstable (λ ≥ cμ).

    Notes:
        O(c), via Erlang B: ``C = B / (1 - ρ(1 - B))`` with ``ρ = λ/(cμ)``.

    Example:
        λ = 30/h, μ = 12/h:

        >>> [round(erlang_c(30, 12, c), 3) for c in (3, 4, 5, 6)]
        [0.702, 0.32, 0.13, 0.047]
    """
    _check(arrival_rate, service_rate, servers)
    a = arrival_rate / service_rate
    rho = a / servers
    if rho >= 1.0:
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
        servers: c.

    Returns:
        The expected wait; ``math.inf`` when the queue is unstable (λ ≥ cμ).

    Notes:
        O(c).

    Example:
        M/M/1 with λ = 3, μ = 4: Wq = ρ/(μ - λ) = 0.75:

        >>> mmc_wait(3, 4, 1)
        0.75
    """
    _check(arrival_rate, service_rate, servers)
    capacity = servers * service_rate
    if arrival_rate >= capacity:
        return math.inf
    return erlang_c(arrival_rate, service_rate, servers) / (capacity - arrival_rate)
