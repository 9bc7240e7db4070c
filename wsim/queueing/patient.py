"""Erlang B and C, M/M/c, M/M/1 and M/G/1: queues whose customers wait as long as it takes.

Units as in :mod:`wsim.queueing`: rates per time unit, means in time units, loads in Erlangs.
"""

from __future__ import annotations

import math

from wsim.queueing.inputs import check_nonnegative, check_servers, offered_load, require_stable


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of the Erlang loss system M/M/n/n (Erlang B formula).

    ``load`` is the offered load ``a = lambda / mu`` in Erlangs.  Computed by the recursion
    ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``, which is stable for thousands of
    servers where the factorial form overflows.  Needed in its own right for rooms with no
    queue space, and as the stable route to Erlang C.
    """
    check_servers(servers, 0)
    check_nonnegative("load", load)
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
    check_servers(servers, 0)
    check_nonnegative("load", load)
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
    check_servers(servers, 1)
    load = offered_load(arrival_rate, service_mean)
    require_stable(load, servers)
    return erlang_c(servers, load) * service_mean / (servers - load)


def mmc_wait_cdf(t: float, arrival_rate: float, service_mean: float, servers: int) -> float:
    """``P(Wq <= t)`` in M/M/c (FCFS): ``1 - C exp(-(c mu - lambda) t)``, t in time units.

    The "service level" (share of customers whose service starts within ``t``) in which
    targets such as "80 % seen within 20 minutes" are stated.  Returns 0.0 for an unstable
    queue, whose waits grow without bound, and 0.0 for ``t < 0``.
    """
    check_servers(servers, 1)
    load = offered_load(arrival_rate, service_mean)
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
    load = offered_load(arrival_rate, service_mean)
    require_stable(load, 1)
    return load * service_mean / (1.0 - load)


def mm1_sojourn_mean(arrival_rate: float, service_mean: float) -> float:
    """Mean time in system of M/M/1, ``W = 1 / (mu - lambda)``; raises if ``rho >= 1``."""
    load = offered_load(arrival_rate, service_mean)
    require_stable(load, 1)
    return service_mean / (1.0 - load)


def mg1_wait_mean(arrival_rate: float, service_mean: float, service_scv: float) -> float:
    """Mean wait in queue of M/G/1 by the Pollaczek-Khinchine formula.

    ``Wq = rho (1 + scv) / (2 (1 - rho)) * service_mean`` where ``scv = Var(S) / E[S]^2`` is
    the squared coefficient of variation of the service time.  It shows how service-time
    variability alone drives waiting (scv = 1 is M/M/1, scv = 0 deterministic service halves
    the wait), which is what a single desk with non-exponential service is checked against.
    Raises ``ValueError`` if ``rho >= 1``.
    """
    check_nonnegative("service_scv", service_scv)
    load = offered_load(arrival_rate, service_mean)
    require_stable(load, 1)
    return load * (1.0 + service_scv) / (2.0 * (1.0 - load)) * service_mean
