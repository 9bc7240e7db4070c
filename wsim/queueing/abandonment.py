"""Erlang A (M/M/n+M): the M/M/n queue whose waiting customers leave after their patience.

Patience is exponential. The model for a hall where visitors give up and go home. Units as in
:mod:`wsim.queueing`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import betainc

from wsim.queueing.inputs import check_positive, check_servers

# The Erlang A queue tail is summed until what is left is below this fraction of its largest term.
_TAIL_TOLERANCE = 1e-15
# Guard against tails that would need an absurd number of terms (patience so long relative to
# the overload that the queue grows to millions before abandonment balances it).
_MAX_TAIL_TERMS = 2_000_000


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
    check_servers(servers, 1)
    check_positive("arrival_rate", arrival_rate)
    check_positive("service_mean", service_mean)
    check_positive("patience_mean", patience_mean)
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
