"""Tests of servicemap.analysis.queues: Erlang B/C and M/M/c waits."""

from __future__ import annotations

import math

import pytest

from servicemap.analysis import erlang_b, erlang_c, mmc_wait


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


def test_erlang_b_in_log_space_agrees_with_the_recurrence() -> None:
    """Where both apply, the Poisson form and the recurrence agree (and both with a
    direct log-space sum, the independent method)."""
    from servicemap.analysis.queues import _erlang_b_log

    for a, c in ((1900.0, 2000), (2.5, 3), (150_000.0, 150_500)):
        log_terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(c + 1)]
        m = max(log_terms)
        expected = math.exp(log_terms[-1] - m) / sum(math.exp(t - m) for t in log_terms)
        assert erlang_b(a, c) == pytest.approx(expected, rel=1e-9)
        assert _erlang_b_log(a, c) == pytest.approx(expected, rel=1e-9)


def test_analysis_with_a_trillion_servers_finishes() -> None:
    import servicemap as sm

    bp = sm.loads("""
name: Large capacity
arrivals: 10/h
steps:
  - {id: start, kind: terminator, next: work}
  - {id: work, kind: task, duration: 5min, capacity: 1000000000000, next: done}
  - {id: done, kind: terminator}
""")
    (row,) = sm.analyze(bp).bottlenecks
    assert row.queue_wait_s == 0.0
    assert row.utilisation == pytest.approx(10 * 5 / 60 / 1e12)
