"""Tests of servicemap.analysis.queues: Erlang B/C and M/M/c waits."""

from __future__ import annotations

import math
import time
from fractions import Fraction

import pytest

from servicemap.analysis import erlang_b, erlang_c, mmc_wait
from servicemap.analysis.queues import UNDERFLOW_SERVERS


@pytest.mark.parametrize(("servers", "expected"), [(3, 0.702), (4, 0.320), (5, 0.130), (6, 0.047)])
def test_erlang_c_reference_values(servers: int, expected: float) -> None:
    # λ = 30/h, μ = 12/h (analysis.md)
    assert round(erlang_c(30, 12, servers), 3) == expected


def _erlang_c_textbook(lam: float, mu: float, c: int) -> float:
    """The closed form with factorials (only for small c)."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@pytest.mark.parametrize(("lam", "mu", "c"), [(1, 2, 1), (5, 2, 3), (9.5, 1, 10), (40, 3, 15)])
def test_erlang_c_agrees_with_the_factorial_formula(lam: float, mu: float, c: int) -> None:
    assert erlang_c(lam, mu, c) == pytest.approx(_erlang_c_textbook(lam, mu, c), rel=1e-12)


def test_mm1_wait_is_rho_over_mu_minus_lambda() -> None:
    for lam, mu in ((1.0, 2.0), (3.0, 4.0), (0.9, 1.0)):
        rho = lam / mu
        assert mmc_wait(lam, mu, 1) == pytest.approx(rho / (mu - lam))
        assert erlang_c(lam, mu, 1) == pytest.approx(rho)


def test_erlang_b_hand_value() -> None:
    # a = 2.5, c = 3: (2.5^3/3!) / (1 + 2.5 + 2.5^2/2 + 2.5^3/6)
    expected = (2.5**3 / 6) / (1 + 2.5 + 2.5**2 / 2 + 2.5**3 / 6)
    assert erlang_b(2.5, 3) == pytest.approx(expected)


def test_erlang_c_is_stable_for_a_thousand_servers() -> None:
    # log-space closed form as the independent method
    lam, mu, c = 950.0, 1.0, 1000
    a = lam / mu
    log_terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    log_top = c * math.log(a) - math.lgamma(c + 1) - math.log(1 - a / c)
    m = max(*log_terms, log_top)
    denom = sum(math.exp(t - m) for t in log_terms) + math.exp(log_top - m)
    expected = math.exp(log_top - m) / denom
    got = erlang_c(lam, mu, c)
    assert 0.0 < got < 1.0
    assert got == pytest.approx(expected, rel=1e-9)


def test_unstable_queue() -> None:
    assert erlang_c(12, 4, 3) == 1.0
    assert mmc_wait(12, 4, 3) == math.inf


def test_no_arrivals_no_wait() -> None:
    assert erlang_c(0, 4, 2) == 0.0
    assert mmc_wait(0, 4, 2) == 0.0


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_servers_must_be_a_positive_integer(bad: object) -> None:
    with pytest.raises(ValueError, match="servers"):
        erlang_c(1, 2, bad)  # type: ignore[arg-type]


def test_erlang_b_for_a_trillion_servers_is_zero_and_fast() -> None:
    """Far more servers than load: nobody is turned away (the hostile corpus' 1e12)."""
    assert erlang_b(0.8, 10**12) == 0.0
    assert erlang_c(10.0, 12.0, 10**12) == 0.0
    assert mmc_wait(10.0, 12.0, 10**12) == 0.0


def _erlang_b_exact(a: Fraction, c: int) -> float:
    """Erlang B in exact rational arithmetic, the independent method:
    ``B = (a^c/c!) / Σ_k a^k/k!``, times ``c!·q^c`` for ``a = p/q``: all integers."""
    p, q = a.numerator, a.denominator
    den, p_k, q_k, falling = 0, p**c, 1, 1  # the k = c term first: p^k q^(c-k) c!/k!
    for k in range(c, -1, -1):
        den += p_k * q_k * falling
        if k:
            p_k //= p
            q_k *= q
            falling *= k
    return p**c / den


@pytest.mark.parametrize(("a", "c"), [
    (Fraction(5, 2), 3), (Fraction(950), 1000),  # recurrence
    (Fraction(1001), 1001), (Fraction(1900), 2000), (Fraction(400), 1001),  # Poisson form
    (Fraction(1200), 1500), (Fraction(3001, 2), 1001), (Fraction(2500), 2000),  # overloaded
    (Fraction(4000), 1001), (Fraction(9000), 3000),
])
def test_erlang_b_agrees_with_exact_rational_arithmetic(a: Fraction, c: int) -> None:
    """Each method (the recurrence to 1000 servers, the O(1) Poisson form beyond,
    under load and overloaded) against the exact value."""
    assert erlang_b(float(a), c) == pytest.approx(_erlang_b_exact(a, c), rel=1e-10)


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_erlang_b_for_a_trillion_servers_agrees_with_the_halfin_whitt_limit(
        beta: float) -> None:
    """c = a + β√a with a = 1e12: B → φ(β) / (√a·Φ(β)) (Jagerman 1974; Halfin and
    Whitt 1981), with a relative error O(1/√a) = 1e-6 — an independent method."""
    a = 1e12
    c = int(a + beta * math.sqrt(a))
    limit = math.exp(-beta**2 / 2) / math.sqrt(2 * math.pi) / (
        math.sqrt(a) * 0.5 * math.erfc(-beta / math.sqrt(2)))
    assert erlang_b(a, c) == pytest.approx(limit, rel=2e-6)


@pytest.mark.parametrize(("a", "c"), [(0.8, 750), (100.0, 740), (100.0, 1000), (1e6, 7_400_000)])
def test_erlang_b_is_exactly_zero_past_the_underflow_threshold(a: float, c: int) -> None:
    """c ≥ max(e²·a, 750): B ≤ 2e^-750, below the smallest float; the Poisson form says 0
    as well (where the threshold does not apply, at c = 740, B is tiny but it is the
    recurrence that finds it)."""
    if c >= max(math.e**2 * a, UNDERFLOW_SERVERS):
        assert erlang_b(a, c) == 0.0
    else:
        assert 0.0 <= erlang_b(a, c) < 1e-300


def test_erlang_b_beyond_the_recurrence_is_o1_in_the_servers() -> None:
    """10^6 to 10^300 servers take the same few operations: the whole batch in well under a
    second (a recurrence over 10^12 servers would take hours)."""
    start = time.perf_counter()
    for exponent in range(4, 301, 4):
        c = 10**exponent
        for a in (0.5 * c, 0.99 * c, c - math.sqrt(c)):
            b = erlang_b(a, c)
            assert 0.0 <= b < 1.0
            assert erlang_c(a, 1.0, c) >= b
    assert time.perf_counter() - start < 1.0
    assert erlang_b(1e300, 10**400) == 0.0 and mmc_wait(1.0, 1.0, 10**400) == 0.0


def test_an_overloaded_group_beyond_the_recurrence_blocks_the_excess() -> None:
    """a = 2c: B → 1 - c/a = 1/2 as c grows (1/B = Σ c!/((c-k)! a^k) ≈ 2 - 2/c)."""
    start = time.perf_counter()
    assert erlang_b(2e12, 10**12) == pytest.approx(0.5, rel=1e-11)
    assert erlang_b(1e9, 10**6) == pytest.approx(1 - 1e-3, rel=1e-8)
    assert time.perf_counter() - start < 1.0


def test_unstable_queues_with_any_number_of_servers() -> None:
    """λ/μ beyond the float range, or at least c: waiting is certain, the wait unbounded."""
    assert erlang_c(1e308, 1e-10, 10**400) == 1.0
    assert mmc_wait(1e308, 1e-10, 10**400) == math.inf
    assert mmc_wait(5.0, 1.0, 5) == math.inf


def test_analysis_with_a_trillion_servers_finishes() -> None:
    import servicemap as sm
    from servicemap.analysis import analyze_graph

    G = sm.to_networkx(sm.loads("""
name: Large capacity
arrivals: 10/h
steps:
  - {id: start, kind: terminator, next: work}
  - {id: work, kind: task, duration: 5min, capacity: 1, next: done}
  - {id: done, kind: terminator}
"""))
    G.nodes["work"]["capacity"] = 10**12  # beyond a map file's 10^9: through the graph
    (row,) = analyze_graph(G).bottlenecks
    assert row.queue_wait_s == 0.0
    assert row.utilisation == pytest.approx(10 * 5 / 60 / 1e12)
