"""Tests of wsim.queueing against published values and independent computations.

The independent references used here are deliberately built differently from the module:
exact rational factorial formulas (``fractions.Fraction``), the Poisson law, a dense
linear solve of the truncated birth-death generator, and the absorbing Markov chain of a
tagged customer (fundamental matrix and matrix exponential).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.linalg import expm
from scipy.special import gammaln, pdtr, pdtrc

from wsim import queueing as q

# --------------------------------------------------------------------------- references


def poisson_pmf(k: np.ndarray | int, mean: float) -> np.ndarray:
    """P(N = k) for N ~ Poisson(mean), in log space (scipy.stats is slow to import)."""
    k = np.asarray(k)
    return np.exp(k * math.log(mean) - mean - gammaln(k + 1))


def exact_erlang_b(servers: int, load: Fraction) -> Fraction:
    """Erlang B from the factorial form (a^c/c!) / sum_k a^k/k!, in exact arithmetic."""
    terms = [load**k / math.factorial(k) for k in range(servers + 1)]
    return terms[-1] / sum(terms)


def exact_erlang_c(servers: int, load: Fraction) -> Fraction:
    """Erlang C from the factorial form, in exact arithmetic (requires load < servers)."""
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (sum(load**k / math.factorial(k) for k in range(servers)) + top)


def truncated_chain(
    servers: int, arrival_rate: float, service_mean: float, patience_mean: float, extra: int
) -> np.ndarray:
    """Stationary law of M/M/n+M truncated at n + extra, by solving pi Q = 0 densely."""
    mu, theta = 1.0 / service_mean, 1.0 / patience_mean
    size = servers + extra + 1
    k = np.arange(size)
    generator = np.zeros((size, size))
    generator[k[:-1], k[:-1] + 1] = arrival_rate
    generator[k[1:], k[1:] - 1] = (
        np.minimum(k[1:], servers) * mu + np.maximum(k[1:] - servers, 0) * theta
    )
    generator[k, k] = -generator.sum(axis=1)
    system = generator.T.copy()
    system[-1, :] = 1.0
    rhs = np.zeros(size)
    rhs[-1] = 1.0
    return np.linalg.solve(system, rhs)


def tagged_generator(servers: int, service_mean: float, patience_mean: float, max_ahead: int):
    """Sub-generator of a waiting customer, plus the exit rate into service.

    The state i = 0..max_ahead is the number of others ahead. From i the customer moves to i-1 (or
    into service from 0) at n mu + i theta, and abandons at theta.
    """
    mu, theta = 1.0 / service_mean, 1.0 / patience_mean
    i = np.arange(max_ahead + 1)
    sub = np.zeros((i.size, i.size))
    sub[i, i] = -(servers * mu + (i + 1) * theta)
    sub[i[1:], i[1:] - 1] = servers * mu + i[1:] * theta
    to_service = np.zeros(i.size)
    to_service[0] = servers * mu
    return sub, to_service


ERLANG_A_CASES = [
    # The project's hall: 9 desks, 110 visitors/hour, 5 min service, 10 min mean patience
    # (rates per minute).
    (9, 110 / 60, 5.0, 10.0),
    (1, 0.5, 1.0, 2.0),
    (5, 6.0, 1.0, 0.5),  # overloaded: a = 6 > 5, stable only thanks to abandonment
    (20, 1.9, 10.0, 30.0),
]
EXTRA = 400  # truncation depth of the reference chains; the tails beyond are negligible here


# --------------------------------------------------------------------------- Erlang B


def test_erlang_b_published_values():
    # B(10, 5) = 0.01838: standard Erlang B tables (10 circuits, 5 Erlangs offered); the exact
    # value is 0.0183846 (see test_erlang_b_matches_exact_fraction for the rational check).
    assert q.erlang_b(10, 5.0) == pytest.approx(0.01838, abs=5e-6)
    # B(1, a) = a / (1 + a) and B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2, by hand from the formula.
    assert q.erlang_b(1, 1.0) == pytest.approx(0.5, abs=1e-15)
    assert q.erlang_b(2, 1.0) == pytest.approx(0.2, abs=1e-15)
    assert q.erlang_b(0, 3.0) == 1.0


@pytest.mark.parametrize(
    ("servers", "load"),
    # Standard Erlang B grade-of-service tables, 1 % blocking column: the offered load (Erlangs)
    # that N circuits carry at B = 0.01.
    [(5, 1.361), (10, 4.461), (18, 10.437), (20, 12.031)],
)
def test_erlang_b_one_percent_table(servers, load):
    assert q.erlang_b(servers, load) == pytest.approx(0.01, abs=1e-5)


@pytest.mark.parametrize("load", [950.0, 1000.0, 1100.0])
def test_erlang_b_stable_for_1000_servers(load):
    # Independent: B(n, a) = P(N = n) / P(N <= n) for N ~ Poisson(a) (truncated Poisson law).
    expected = poisson_pmf(1000, load) / pdtr(1000, load)
    assert q.erlang_b(1000, load) == pytest.approx(expected, rel=1e-9)


def test_erlang_b_matches_exact_fraction():
    for servers in range(0, 16):
        for load in (Fraction(1, 3), Fraction(7, 2), Fraction(12)):
            expected = float(exact_erlang_b(servers, load))
            assert q.erlang_b(servers, float(load)) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------- Erlang C


def test_erlang_c_two_servers_published():
    # M/M/2: P(wait) = 2 rho^2 / (1 + rho) (Gross & Harris, Fundamentals of Queueing Theory,
    # M/M/c with c = 2); a = 1.8, rho = 0.9 gives 1.62 / 1.9 = 0.8526.
    assert q.erlang_c(2, 1.8) == pytest.approx(0.8526, abs=5e-5)
    assert q.erlang_c(2, 1.8) == pytest.approx(2 * 0.81 / 1.9, rel=1e-13)


def test_erlang_c_matches_exact_fraction():
    loads = [Fraction(1, 2), Fraction(9, 10), Fraction(3), Fraction(9)]
    for servers in range(1, 16):
        for load in (x for x in loads if x < servers):
            expected = exact_erlang_c(servers, load)
            # The closed form used by the module, evaluated exactly, agrees with the factorials.
            blocking = exact_erlang_b(servers, load)
            assert blocking / (1 - load / servers * (1 - blocking)) == expected
            assert q.erlang_c(servers, float(load)) == pytest.approx(float(expected), rel=1e-12)
    # The c = 10, a = 9 case called out in the spec.
    assert q.erlang_c(10, 9.0) == pytest.approx(float(exact_erlang_c(10, Fraction(9))), rel=1e-12)


def test_erlang_c_unstable_is_one():
    assert q.erlang_c(3, 3.0) == 1.0
    assert q.erlang_c(3, 7.5) == 1.0
    assert q.erlang_c(4, 0.0) == 0.0


# --------------------------------------------------------------------------- M/M/1, M/M/c, M/G/1


def test_mm1_textbook_formulas():
    # lambda = 0.8, mu = 1: Wq = rho / (mu - lambda) = 0.8 / 0.2 = 4, W = 1 / (mu - lambda) = 5.
    assert q.mm1_wait_mean(0.8, 1.0) == pytest.approx(4.0, rel=1e-13)
    assert q.mm1_sojourn_mean(0.8, 1.0) == pytest.approx(5.0, rel=1e-13)
    # Same in another unit: 2 per hour, 20 min service -> rho = 2/3, Wq = 2/3 / (3 - 2) hours.
    assert q.mm1_wait_mean(2.0, 1 / 3) == pytest.approx(2 / 3, rel=1e-13)


@pytest.mark.parametrize(("arrival_rate", "service_mean"), [(0.8, 1.0), (0.3, 2.5), (1e-3, 1.0)])
def test_mmc_with_one_server_is_mm1(arrival_rate, service_mean):
    wait = q.mm1_wait_mean(arrival_rate, service_mean)
    assert q.mmc_wait_mean(arrival_rate, service_mean, 1) == pytest.approx(wait, rel=1e-12)
    assert q.mmc_sojourn_mean(arrival_rate, service_mean, 1) == pytest.approx(
        q.mm1_sojourn_mean(arrival_rate, service_mean), rel=1e-12
    )
    rho = arrival_rate * service_mean
    for t in (0.0, 0.7, 5.0):
        # M/M/1: P(Wq <= t) = 1 - rho exp(-(mu - lambda) t).
        expected = 1 - rho * math.exp(-(1 / service_mean - arrival_rate) * t)
        assert q.mmc_wait_cdf(t, arrival_rate, service_mean, 1) == pytest.approx(expected)


def test_pollaczek_khinchine():
    assert q.mg1_wait_mean(0.8, 1.0, 1.0) == pytest.approx(q.mm1_wait_mean(0.8, 1.0), rel=1e-13)
    assert q.mg1_wait_mean(0.8, 1.0, 0.0) == pytest.approx(2.0, rel=1e-13)  # M/D/1: half
    assert q.mg1_wait_mean(0.5, 1.0, 3.0) == pytest.approx(0.5 * 4 / (2 * 0.5), rel=1e-13)


def test_mmc_little_and_sojourn():
    lam, s, c = 1.7, 5.0, 10
    wait = q.mmc_wait_mean(lam, s, c)
    assert wait == pytest.approx(q.erlang_c(c, lam * s) * s / (c - lam * s), rel=1e-13)
    assert q.mmc_queue_length_mean(lam, s, c) == pytest.approx(lam * wait, rel=1e-13)
    assert q.mmc_sojourn_mean(lam, s, c) == pytest.approx(wait + s, rel=1e-13)


def test_mmc_wait_cdf_against_state_sum():
    # Independent: an arrival finding c + j present waits for j + 1 service completions at rate
    # c mu, so P(Wq > t) = sum_j P(c + j) P(Poisson(c mu t) <= j), P(c + j) = C (1 - rho) rho^j.
    lam, s, c = 1.7, 5.0, 10
    rho = lam * s / c
    big_c = q.erlang_c(c, lam * s)
    j = np.arange(3000)
    for t in (0.0, 0.5, 3.0, 20.0):
        tail = np.sum(big_c * (1 - rho) * rho**j * pdtr(j, c / s * t))
        assert q.mmc_wait_cdf(t, lam, s, c) == pytest.approx(1 - tail, abs=1e-12)
        assert q.mmc_service_level(lam, s, c, target_wait=t) == q.mmc_wait_cdf(t, lam, s, c)
    assert q.mmc_wait_cdf(-1.0, lam, s, c) == 0.0


def test_unstable_means_raise():
    with pytest.raises(ValueError, match="unstable"):
        q.mmc_wait_mean(2.0, 5.0, 10)
    with pytest.raises(ValueError, match="unstable"):
        q.mmc_queue_length_mean(2.5, 5.0, 10)
    with pytest.raises(ValueError, match="unstable"):
        q.mm1_wait_mean(1.0, 1.0)
    with pytest.raises(ValueError, match="unstable"):
        q.mg1_wait_mean(1.2, 1.0, 0.5)
    assert q.mmc_wait_cdf(1.0, 2.0, 5.0, 10) == 0.0


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="servers must be >= 0, got -1"):
        q.erlang_b(-1, 1.0)
    with pytest.raises(TypeError):
        q.erlang_c(2.5, 1.0)
    with pytest.raises(ValueError, match=r"service_mean must be finite and > 0, got 0\.0"):
        q.mmc_wait_mean(1.0, 0.0, 3)
    with pytest.raises(ValueError, match=r"patience_mean must be finite and > 0, got 0\.0"):
        q.erlang_a(3, 1.0, 1.0, 0.0)


# --------------------------------------------------------------------------- Erlang A


@pytest.mark.parametrize("case", ERLANG_A_CASES)
def test_erlang_a_matches_truncated_chain(case):
    servers, lam, s, patience = case
    pi = truncated_chain(servers, lam, s, patience, EXTRA)
    k = np.arange(pi.size)
    queue = np.maximum(k - servers, 0)
    expected_lq = float(queue @ pi)

    result = q.erlang_a(servers, lam, s, patience)
    assert result.p_wait == pytest.approx(pi[servers:].sum(), rel=1e-9)
    assert result.queue_length_mean == pytest.approx(expected_lq, rel=1e-9)
    assert result.p_abandon == pytest.approx(expected_lq / patience / lam, rel=1e-9)
    assert result.wait_mean == pytest.approx(expected_lq / lam, rel=1e-9)
    busy = float(np.minimum(k, servers) @ pi)
    assert result.utilization == pytest.approx(busy / servers, rel=1e-9)


def test_erlang_a_project_hall():
    # n = 9, lambda = 110/60 per minute, service 5 min, patience 10 min: pinned to the
    # truncated-chain solution (computed in the test) and to its rounded values.
    result = q.erlang_a(9, 110 / 60, 5.0, 10.0)
    pi = truncated_chain(9, 110 / 60, 5.0, 10.0, EXTRA)
    lq = float(np.maximum(np.arange(pi.size) - 9, 0) @ pi)
    assert result.p_abandon == pytest.approx(0.1 * lq / (110 / 60), rel=1e-9)
    assert result.wait_mean == pytest.approx(lq / (110 / 60), rel=1e-9)
    assert result.p_abandon == pytest.approx(0.11705, abs=1e-5)
    assert result.wait_mean == pytest.approx(1.17055, abs=1e-5)


@pytest.mark.parametrize("case", ERLANG_A_CASES)
def test_erlang_a_conditional_waits_against_tagged_chain(case):
    # Independent: for an arrival finding j waiting, the fundamental matrix F = (-T)^-1 of the
    # tagged customer's chain gives h = P(served) = F r and E[W 1{served}] = F h (a phase's
    # length is independent of where the chain goes next), E[W] = F 1.
    servers, lam, s, patience = case
    pi = truncated_chain(servers, lam, s, patience, EXTRA)[servers:]
    sub, to_service = tagged_generator(servers, s, patience, EXTRA)
    fundamental = np.linalg.inv(-sub)
    p_served = fundamental @ to_service
    wait_served = fundamental @ p_served
    wait_all = fundamental @ np.ones(pi.size)

    p_abandon = float(pi @ (1 - p_served))
    result = q.erlang_a(servers, lam, s, patience)
    assert result.p_abandon == pytest.approx(p_abandon, rel=1e-9)
    assert result.wait_mean_served == pytest.approx(pi @ wait_served / (1 - p_abandon), rel=1e-9)
    assert result.wait_mean_abandoned == pytest.approx(
        pi @ (wait_all - wait_served) / p_abandon, rel=1e-9
    )


@pytest.mark.parametrize("case", ERLANG_A_CASES)
def test_erlang_a_identities(case):
    servers, lam, s, patience = case
    r = q.erlang_a(servers, lam, s, patience)
    # Total expectation: P(served) E[W | served] + P(ab) E[W | ab] = E[W] = E[Lq] / lambda.
    total = (1 - r.p_abandon) * r.wait_mean_served + r.p_abandon * r.wait_mean_abandoned
    assert total == pytest.approx(r.wait_mean, rel=1e-12)
    assert r.wait_mean == pytest.approx(r.queue_length_mean / lam, rel=1e-12)
    # Flow balance: served flow lambda (1 - P(ab)) = busy servers * mu.
    assert r.utilization * servers / s == pytest.approx(lam * (1 - r.p_abandon), rel=1e-12)
    # Service level limits: nobody served at t = 0 except those not waiting; all served as t->inf.
    assert r.p_served_within(0.0) == pytest.approx(1 - r.p_wait, rel=1e-12)
    assert r.p_served_within(1e6) == pytest.approx(1 - r.p_abandon, rel=1e-12)
    assert r.p_served_within(-1.0) == 0.0


@pytest.mark.parametrize("case", ERLANG_A_CASES[:3])
def test_erlang_a_service_level_against_matrix_exponential(case):
    # Independent: P(served by t | j ahead) from exp(G t) of the tagged chain with an absorbing
    # "in service" state (abandonment is the generator's missing mass).
    servers, lam, s, patience = case
    extra = 60
    pi = truncated_chain(servers, lam, s, patience, extra)
    sub, to_service = tagged_generator(servers, s, patience, extra)
    generator = np.zeros((extra + 2, extra + 2))
    generator[:-1, :-1] = sub
    generator[:-1, -1] = to_service
    r = q.erlang_a(servers, lam, s, patience)
    for t in (0.3, 2.0, 10.0):
        served_by_t = expm(generator * t)[:-1, -1]
        expected = pi[:servers].sum() + pi[servers:] @ served_by_t
        assert r.p_served_within(t) == pytest.approx(expected, rel=1e-8)


def test_erlang_a_with_infinite_patience_is_erlang_c():
    lam, s, c = 0.9, 10.0, 10
    r = q.erlang_a(c, lam, s, patience_mean=1e9)
    assert r.p_wait == pytest.approx(q.erlang_c(c, lam * s), rel=1e-6)
    assert r.wait_mean == pytest.approx(q.mmc_wait_mean(lam, s, c), rel=1e-6)
    assert r.wait_mean_served == pytest.approx(q.mmc_wait_mean(lam, s, c), rel=1e-6)
    assert r.queue_length_mean == pytest.approx(q.mmc_queue_length_mean(lam, s, c), rel=1e-6)
    assert r.p_abandon < 1e-7
    for t in (0.0, 3.0, 30.0):
        assert r.p_served_within(t) == pytest.approx(q.mmc_wait_cdf(t, lam, s, c), rel=1e-6)


@pytest.mark.parametrize(("servers", "load"), [(5, 3.0), (10, 12.0), (1, 0.4)])
def test_erlang_a_patience_equal_to_service_is_mm_infinity(servers, load):
    # theta = mu: every customer leaves at rate mu whether waiting or served, so the number in
    # system is that of M/M/inf, N ~ Poisson(a).
    s = 2.0
    r = q.erlang_a(servers, load / s, s, patience_mean=s)
    k = np.arange(400)
    pmf = poisson_pmf(k, load)
    excess = float(np.maximum(k - servers, 0) @ pmf)
    assert r.p_wait == pytest.approx(pdtrc(servers - 1, load), rel=1e-10)
    assert r.queue_length_mean == pytest.approx(excess, rel=1e-10)
    assert r.p_abandon == pytest.approx(excess / load, rel=1e-10)
    assert r.utilization == pytest.approx(float(np.minimum(k, servers) @ pmf) / servers, rel=1e-10)


@pytest.mark.parametrize(("arrival_rate", "patience"), [(99.0, 3.0), (110.0, 5.0), (50.0, 1e4)])
def test_erlang_a_many_servers_is_finite(arrival_rate, patience):
    r = q.erlang_a(1000, arrival_rate, 10.0, patience)
    values = [r.p_wait, r.p_abandon, r.wait_mean, r.wait_mean_served, r.utilization]
    assert all(math.isfinite(v) for v in values)
    assert 0 <= r.p_abandon <= r.p_wait <= 1
    assert r.utilization * 1000 / 10.0 == pytest.approx(arrival_rate * (1 - r.p_abandon))


# --------------------------------------------------------------------------- staffing


def test_sqrt_staffing():
    assert q.sqrt_staffing(10.0, 10.0, 1.0) == 110  # a = 100: 100 + 10
    assert q.sqrt_staffing(0.9, 10.0, 0.5) == 11  # a = 9: ceil(9 + 1.5)
    assert q.sqrt_staffing(0.95, 10.0, 0.0) == 10  # ceil(9.5)


@pytest.mark.parametrize(
    ("arrival_rate", "service_mean", "target_wait", "level"),
    [
        # Classic call-centre example: 100 calls / 30 min, 3 min handling, 80 % within 20 s.
        (100 / 30, 3.0, 1 / 3, 0.8),
        (110 / 60, 5.0, 10.0, 0.9),
        (12.0, 4.0, 0.0, 0.5),
        (0.5, 20.0, 5.0, 0.95),
    ],
)
def test_erlang_c_staffing_is_minimal(arrival_rate, service_mean, target_wait, level):
    load = arrival_rate * service_mean
    brute = next(
        n
        for n in range(1, 1000)
        if n > load and q.mmc_service_level(arrival_rate, service_mean, n, target_wait) >= level
    )
    assert q.erlang_c_staffing(arrival_rate, service_mean, target_wait, level) == brute


def test_erlang_c_staffing_call_centre_example():
    # a = 10 Erlangs, 80 % answered within 20 s (1/3 min): 13 agents give 79.6 %, 14 give 88.8 %.
    assert q.mmc_service_level(100 / 30, 3.0, 13, 1 / 3) == pytest.approx(0.7956, abs=1e-4)
    assert q.mmc_service_level(100 / 30, 3.0, 14, 1 / 3) == pytest.approx(0.8884, abs=1e-4)
    assert q.erlang_c_staffing(100 / 30, 3.0, 1 / 3, 0.8) == 14
    with pytest.raises(ValueError, match=r"service_level must be in \[0, 1\), got 1\.0"):
        q.erlang_c_staffing(1.0, 1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("arrival_rate", "service_mean", "patience", "target_wait", "level", "max_abandon"),
    [
        (110 / 60, 5.0, 10.0, 10.0, 0.8, None),
        (110 / 60, 5.0, 10.0, 5.0, 0.0, 0.02),
        (4.0, 3.0, 2.0, 0.5, 0.9, 0.05),
    ],
)
def test_erlang_a_staffing_is_minimal(
    arrival_rate, service_mean, patience, target_wait, level, max_abandon
):
    def meets(n):
        r = q.erlang_a(n, arrival_rate, service_mean, patience)
        ok_abandon = max_abandon is None or r.p_abandon <= max_abandon
        return ok_abandon and r.p_served_within(target_wait) >= level

    brute = next(n for n in range(1, 500) if meets(n))
    found = q.erlang_a_staffing(
        arrival_rate, service_mean, patience, target_wait, level, max_abandon=max_abandon
    )
    assert found == brute
