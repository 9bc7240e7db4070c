"""Exact queueing formulas used to check, calibrate and staff the simulated service halls.

The simulator is only trustworthy where it agrees with exact results, and a first staffing
guess is far cheaper from a formula than from a search over simulations.  This module holds
those exact results:

* Erlang B / Erlang C and the M/M/c waiting-time measures (Poisson arrivals, exponential
  service, patient customers);
* M/M/1 and M/G/1 (Pollaczek-Khinchine) means, the single-desk special cases;
* Erlang A (M/M/n+M), the M/M/n queue in which each waiting customer leaves after an
  exponential patience; the model for a hall where visitors give up and go home;
* staffing rules built on them.

Units: every rate is "per time unit" and every mean is "in time units", for one time unit of
the caller's choosing (the rest of ``wsim`` uses minutes).  ``arrival_rate`` is customers per
time unit, ``service_mean`` and ``patience_mean`` are mean durations, and the load
``a = arrival_rate * service_mean`` is dimensionless (Erlangs).  Waiting times are returned in
the same unit.

All waiting times are waits in queue (until service starts); "sojourn" adds the service.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import betainc

__all__ = [
    "ErlangA",
    "erlang_a",
    "erlang_a_staffing",
    "erlang_b",
    "erlang_c",
    "erlang_c_staffing",
    "mg1_wait_mean",
    "mm1_sojourn_mean",
    "mm1_wait_mean",
    "mmc_queue_length_mean",
    "mmc_service_level",
    "mmc_sojourn_mean",
    "mmc_wait_cdf",
    "mmc_wait_mean",
    "sqrt_staffing",
]

# The Erlang A queue tail is summed until what is left is below this fraction of its largest term.
_TAIL_TOLERANCE = 1e-15
# Guard against tails that would need an absurd number of terms (patience so long relative to
# the overload that the queue grows to millions before abandonment balances it).
_MAX_TAIL_TERMS = 2_000_000


# --------------------------------------------------------------------------- argument checks


def _check_servers(servers: int, minimum: int) -> None:
    if isinstance(servers, bool) or not isinstance(servers, (int, np.integer)):
        raise TypeError(f"servers must be an integer, got {servers!r}")
    if servers < minimum:
        raise ValueError(f"servers must be >= {minimum}, got {servers}")


def _check_nonnegative(name: str, value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")


def _check_positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")


def _check_fraction(name: str, value: float) -> None:
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")


def _offered_load(arrival_rate: float, service_mean: float) -> float:
    _check_nonnegative("arrival_rate", arrival_rate)
    _check_positive("service_mean", service_mean)
    return arrival_rate * service_mean


def _require_stable(load: float, servers: int) -> None:
    if load >= servers:
        raise ValueError(
            f"unstable queue: offered load {load:g} Erlangs >= {servers} server(s) "
            f"(utilisation rho = {load / servers:g} >= 1); the mean wait is infinite"
        )


# --------------------------------------------------------------------------- Erlang B and C


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of the Erlang loss system M/M/n/n (Erlang B formula).

    ``load`` is the offered load ``a = lambda / mu`` in Erlangs.  Computed by the recursion
    ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``, which is stable for thousands of
    servers where the factorial form overflows.  Needed in its own right for rooms with no
    queue space, and as the stable route to Erlang C.
    """
    _check_servers(servers, 0)
    _check_nonnegative("load", load)
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival has to wait in M/M/c (Erlang C formula).

    ``load`` is ``a = lambda / mu`` in Erlangs.  Uses ``C = B / (1 - rho (1 - B))`` with the
    stable Erlang B recursion.  Returns 1.0 when ``load >= servers``: an unstable queue is
    never empty in the long run, so every arrival waits.
    """
    _check_servers(servers, 0)
    _check_nonnegative("load", load)
    if load >= servers:
        return 1.0
    blocking = erlang_b(servers, load)
    return blocking / (1.0 - (load / servers) * (1.0 - blocking))


# --------------------------------------------------------------------------- M/M/c, M/M/1, M/G/1


def mmc_wait_mean(arrival_rate: float, service_mean: float, servers: int) -> float:
    """Mean wait in queue ``Wq = C / (c mu - lambda)`` of M/M/c, in time units.

    The baseline to compare a hall simulation with no abandonment against.
    Raises ``ValueError`` if ``rho = lambda service_mean / c >= 1``.
    """
    _check_servers(servers, 1)
    load = _offered_load(arrival_rate, service_mean)
    _require_stable(load, servers)
    return erlang_c(servers, load) * service_mean / (servers - load)


def mmc_wait_cdf(t: float, arrival_rate: float, service_mean: float, servers: int) -> float:
    """``P(Wq <= t)`` in M/M/c (FCFS): ``1 - C exp(-(c mu - lambda) t)``, t in time units.

    The "service level" (share of customers whose service starts within ``t``) in which
    targets such as "80 % seen within 20 minutes" are stated.  Returns 0.0 for an unstable
    queue, whose waits grow without bound, and 0.0 for ``t < 0``.
    """
    _check_servers(servers, 1)
    load = _offered_load(arrival_rate, service_mean)
    if t < 0 or load >= servers:
        return 0.0
    decay = (servers - load) / service_mean
    return 1.0 - erlang_c(servers, load) * math.exp(-decay * t)


def mmc_service_level(
    arrival_rate: float, service_mean: float, servers: int, target_wait: float
) -> float:
    """Share of arrivals whose wait in queue is at most ``target_wait``: ``mmc_wait_cdf``."""
    return mmc_wait_cdf(target_wait, arrival_rate, service_mean, servers)


def mmc_queue_length_mean(arrival_rate: float, service_mean: float, servers: int) -> float:
    """Mean number waiting ``Lq = lambda Wq`` (Little's law) in M/M/c; raises if unstable."""
    return arrival_rate * mmc_wait_mean(arrival_rate, service_mean, servers)


def mmc_sojourn_mean(arrival_rate: float, service_mean: float, servers: int) -> float:
    """Mean time in system ``W = Wq + 1/mu`` of M/M/c, in time units; raises if unstable."""
    return mmc_wait_mean(arrival_rate, service_mean, servers) + service_mean


def mm1_wait_mean(arrival_rate: float, service_mean: float) -> float:
    """Mean wait in queue of M/M/1, ``Wq = rho / (mu - lambda)``; raises if ``rho >= 1``."""
    load = _offered_load(arrival_rate, service_mean)
    _require_stable(load, 1)
    return load * service_mean / (1.0 - load)


def mm1_sojourn_mean(arrival_rate: float, service_mean: float) -> float:
    """Mean time in system of M/M/1, ``W = 1 / (mu - lambda)``; raises if ``rho >= 1``."""
    load = _offered_load(arrival_rate, service_mean)
    _require_stable(load, 1)
    return service_mean / (1.0 - load)


def mg1_wait_mean(arrival_rate: float, service_mean: float, service_scv: float) -> float:
    """Mean wait in queue of M/G/1 by the Pollaczek-Khinchine formula.

    ``Wq = rho (1 + scv) / (2 (1 - rho)) * service_mean`` where ``scv = Var(S) / E[S]^2`` is
    the squared coefficient of variation of the service time.  It shows how service-time
    variability alone drives waiting (scv = 1 is M/M/1, scv = 0 deterministic service halves
    the wait), which is what a single desk with non-exponential service is checked against.
    Raises ``ValueError`` if ``rho >= 1``.
    """
    _check_nonnegative("service_scv", service_scv)
    load = _offered_load(arrival_rate, service_mean)
    _require_stable(load, 1)
    return load * (1.0 + service_scv) / (2.0 * (1.0 - load)) * service_mean


# --------------------------------------------------------------------------- Erlang A (M/M/n+M)


@dataclass(frozen=True)
class ErlangA:
    """Stationary performance of the Erlang A queue M/M/n+M (see :func:`erlang_a`).

    Probabilities are per arriving customer; times are in the caller's time unit.
    """

    servers: int
    arrival_rate: float
    service_mean: float
    patience_mean: float
    p_wait: float
    """Probability that an arrival finds all servers busy and has to wait."""
    p_abandon: float
    """Probability that an arrival abandons before service starts."""
    wait_mean: float
    """Mean time in queue over all arrivals (zero for those served at once)."""
    wait_mean_served: float
    """Mean time in queue of the customers who are eventually served."""
    wait_mean_abandoned: float
    """Mean time in queue of the customers who abandon (time until they give up)."""
    queue_length_mean: float
    """Mean number of customers waiting."""
    utilization: float
    """Mean number of busy servers divided by the number of servers."""

    def p_served_within(self, t: float) -> float:
        """Probability that an arrival is served and its service starts within ``t``.

        This is the Erlang A service level counted over all arrivals: abandoning customers
        count as failures, whatever their wait.  ``t`` is in time units; 0.0 for ``t < 0``.
        """
        if t < 0:
            return 0.0
        return _erlang_a_served_within(
            t, self.servers, self.arrival_rate, 1.0 / self.service_mean, 1.0 / self.patience_mean
        )


def _erlang_a_states(
    servers: int, arrival_rate: float, service_rate: float, abandon_rate: float
) -> tuple[np.ndarray, float, np.ndarray]:
    """Stationary law of the number in system of M/M/n+M (a birth-death chain).

    Births at rate ``lambda``; deaths at ``k mu`` in states ``k <= n`` and ``n mu + j theta``
    in state ``n + j``.  Returns ``(p_below, p_wait, queue_shape)``: the probabilities of
    states ``0..n-1``, the probability of states ``>= n`` and the conditional law of the number
    waiting ``j = 0, 1, ...`` given state ``>= n``.  Products of rates are accumulated as log
    sums and normalised by their maximum, so nothing overflows for thousands of servers; the
    tail is summed until the rest is below ``_TAIL_TOLERANCE`` relative to its largest term.
    """
    n, lam, mu, theta = servers, arrival_rate, service_rate, abandon_rate
    load = lam / mu
    # log(pi_k / pi_n) = sum_{i=k+1..n} log(i / a) for k = 0..n-1.
    log_below = np.cumsum(np.log(np.arange(n, 0, -1) / load))[::-1]

    # log(pi_{n+j} / pi_n) = sum_{i=1..j} log(lambda / (n mu + i theta)), summed in chunks.
    chunks = [np.zeros(1)]
    start, size, last, peak = 1, 1024, 0.0, 0.0
    while True:
        deaths = n * mu + theta * np.arange(start, start + size)
        chunk = last + np.cumsum(np.log(lam / deaths))
        chunks.append(chunk)
        start += size
        last, peak = float(chunk[-1]), max(peak, float(chunk.max()))
        # Beyond index start-1 every term ratio is <= q, so sum_{k>=start} k pi_k is at most
        # pi_{start-1} * start / (1-q)^2: stop when that is negligible.
        q = lam / (n * mu + start * theta)
        if q < 1 and (
            last + math.log(start) - 2.0 * math.log1p(-q) < peak + math.log(_TAIL_TOLERANCE)
        ):
            break
        if start > _MAX_TAIL_TERMS:
            raise ValueError(
                "Erlang A queue tail does not converge within "
                f"{_MAX_TAIL_TERMS} terms: patience too long for this overload"
            )
        size *= 2
    log_queue = np.concatenate(chunks)

    top = max(peak, float(log_below.max()))
    weight_below = np.exp(log_below - top)
    weight_queue = float(np.exp(log_queue - top).sum())
    total = float(weight_below.sum()) + weight_queue
    queue_shape = np.exp(log_queue - peak)
    return weight_below / total, weight_queue / total, queue_shape / queue_shape.sum()


def _erlang_a_served_within(
    t: float, servers: int, arrival_rate: float, service_rate: float, abandon_rate: float
) -> float:
    """P(served and wait <= t) in M/M/n+M; see :meth:`ErlangA.p_served_within`.

    A customer who finds ``j`` waiting moves through phases with ``i = j..0`` others ahead;
    phase ``i`` ends at rate ``r_i = n mu + (i+1) theta`` (a service completion or an abandonment
    ahead moves it on, its own abandonment at rate theta ends the wait), so it is served with
    probability ``n mu / (n mu + (j+1) theta)`` and, given that, its wait is the sum of
    independent Exp(r_i), whose CDF is ``I_{1-exp(-theta t)}(j+1, r_0 / theta)`` (regularised
    incomplete beta: the hypoexponential law with equally spaced rates).
    """
    _, p_wait, shape = _erlang_a_states(servers, arrival_rate, service_rate, abandon_rate)
    ahead = np.arange(shape.size)
    capacity = servers * service_rate
    p_served = capacity / (capacity + (ahead + 1) * abandon_rate)
    first_phase = (capacity + abandon_rate) / abandon_rate
    p_by_t = betainc(ahead + 1, first_phase, -math.expm1(-abandon_rate * t))
    return 1.0 - p_wait * (1.0 - float(np.dot(shape, p_served * p_by_t)))


def erlang_a(
    servers: int, arrival_rate: float, service_mean: float, patience_mean: float
) -> ErlangA:
    """Exact stationary measures of the Erlang A queue M/M/n+M.

    Poisson arrivals (``arrival_rate`` per time unit), ``servers`` parallel servers with
    exponential service (mean ``service_mean``), FCFS queue, and each waiting customer leaves
    after an exponential patience with mean ``patience_mean`` (rate ``theta``).  This is the
    model of a hall where people give up: unlike M/M/c it is stable at any load.

    Exact route (PASTA: arrivals see the stationary law):

    * birth-death stationary law, see ``_erlang_a_states``;
    * ``p_abandon = theta E[Lq] / lambda`` (abandonment flow over arrival flow) and
      ``wait_mean = E[Lq] / lambda`` (Little);
    * an arrival finding ``j`` waiting goes through phases ``i = j..0`` (others ahead), phase
      ``i`` lasting Exp(``r_i``), ``r_i = n mu + (i+1) theta``, ending in progress with
      probability ``(n mu + i theta) / r_i`` and in abandonment with ``theta / r_i``.  The
      products telescope: the customer reaches phase ``i`` with probability
      ``r_i / r_j``, is served with probability ``n mu / r_j`` and, since a phase's length
      is independent of how it ends, ``E[W; served | j] = (n mu / r_j) sum_{i<=j} 1/r_i`` and
      ``E[W; abandoned | j] = (theta / r_j) sum_{i<=j} (i+1)/r_i``.  These give
      ``wait_mean_served`` and ``wait_mean_abandoned`` without cancellation.
    """
    _check_servers(servers, 1)
    _check_positive("arrival_rate", arrival_rate)
    _check_positive("service_mean", service_mean)
    _check_positive("patience_mean", patience_mean)
    mu, theta = 1.0 / service_mean, 1.0 / patience_mean
    p_below, p_wait, shape = _erlang_a_states(servers, arrival_rate, mu, theta)

    ahead = np.arange(shape.size)
    capacity = servers * mu
    phase_rate = capacity + (ahead + 1) * theta  # r_j
    queue_length = p_wait * float(np.dot(ahead, shape))
    p_abandon = theta * queue_length / arrival_rate
    served_wait = p_wait * float(np.dot(shape, capacity / phase_rate * np.cumsum(1.0 / phase_rate)))
    # Conditional on abandoning: E[W; ab | j] / P(ab | j) with P(ab | j) = (j+1) theta / r_j.
    abandoned_wait = float(
        np.dot(shape, np.cumsum((ahead + 1) / phase_rate) / phase_rate)
        / np.dot(shape, (ahead + 1) / phase_rate)
    )
    busy = float(np.dot(np.arange(servers), p_below)) + servers * p_wait
    return ErlangA(
        servers=servers,
        arrival_rate=arrival_rate,
        service_mean=service_mean,
        patience_mean=patience_mean,
        p_wait=p_wait,
        p_abandon=p_abandon,
        wait_mean=queue_length / arrival_rate,
        wait_mean_served=served_wait / (1.0 - p_abandon),
        wait_mean_abandoned=abandoned_wait,
        queue_length_mean=queue_length,
        utilization=busy / servers,
    )


# --------------------------------------------------------------------------- staffing


def sqrt_staffing(arrival_rate: float, service_mean: float, beta: float) -> int:
    """Square-root staffing ``n = ceil(a + beta sqrt(a))`` with ``a = lambda * service_mean``.

    The Halfin-Whitt rule of thumb: the safety margin grows like the square root of the load,
    and ``beta`` (typically 0.5..2) sets the quality of service.  A quick first guess that
    the exact staffing functions below refine; never below 0.
    """
    load = _offered_load(arrival_rate, service_mean)
    return max(0, math.ceil(load + beta * math.sqrt(load)))


def erlang_c_staffing(
    arrival_rate: float, service_mean: float, target_wait: float, service_level: float
) -> int:
    """Smallest number of servers with ``P(Wq <= target_wait) >= service_level`` in M/M/c.

    Only stable staffings (``n > a``) qualify.  The service level rises with ``n``, so the
    search walks up from ``floor(a) + 1``.  ``service_level`` must be in [0, 1).
    """
    _check_nonnegative("target_wait", target_wait)
    _check_fraction("service_level", service_level)
    load = _offered_load(arrival_rate, service_mean)
    servers = math.floor(load) + 1
    while mmc_service_level(arrival_rate, service_mean, servers, target_wait) < service_level:
        servers += 1
    return servers


def erlang_a_staffing(
    arrival_rate: float,
    service_mean: float,
    patience_mean: float,
    target_wait: float,
    service_level: float,
    max_abandon: float | None = None,
) -> int:
    """Smallest number of servers meeting an Erlang A (M/M/n+M) service target.

    The target is ``P(served and wait <= target_wait) >= service_level``, counted over all
    arrivals so that customers who abandon count as failures (:meth:`ErlangA.p_served_within`),
    and, if ``max_abandon`` is given, also ``p_abandon <= max_abandon``.  For an abandonment
    target alone pass ``service_level=0``.  Both measures improve with ``n``; the search starts
    at ``floor(a * service_level)`` (or ``floor(a (1 - max_abandon))``), a lower bound because
    the served share ``1 - p_abandon`` can never exceed ``n / a``.
    """
    _check_nonnegative("target_wait", target_wait)
    _check_fraction("service_level", service_level)
    load = _offered_load(arrival_rate, service_mean)
    served_share = service_level
    if max_abandon is not None:
        if not 0 < max_abandon <= 1:
            raise ValueError(f"max_abandon must be in (0, 1], got {max_abandon!r}")
        served_share = max(served_share, 1.0 - max_abandon)
    servers = max(1, math.floor(load * served_share))
    while True:
        result = erlang_a(servers, arrival_rate, service_mean, patience_mean)
        if (max_abandon is None or result.p_abandon <= max_abandon) and (
            result.p_served_within(target_wait) >= service_level
        ):
            return servers
        servers += 1
