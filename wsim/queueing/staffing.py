"""Staffing rules built on the formulas: square-root staffing, Erlang C and Erlang A staffing."""

from __future__ import annotations

import math

from wsim.queueing.abandonment import erlang_a
from wsim.queueing.inputs import check_fraction, check_nonnegative, offered_load
from wsim.queueing.patient import mmc_service_level


def sqrt_staffing(arrival_rate: float, service_mean: float, beta: float) -> int:
    """Square-root staffing ``n = ceil(a + beta sqrt(a))`` with ``a = lambda * service_mean``.

    The Halfin-Whitt rule of thumb: the safety margin grows like the square root of the load,
    and ``beta`` (typically 0.5..2) sets the quality of service.  A quick first guess that
    the exact staffing functions below refine; never below 0.
    """
    load = offered_load(arrival_rate, service_mean)
    return max(0, math.ceil(load + beta * math.sqrt(load)))


def erlang_c_staffing(
    arrival_rate: float, service_mean: float, target_wait: float, service_level: float
) -> int:
    """Smallest number of servers with ``P(Wq <= target_wait) >= service_level`` in M/M/c.

    Only stable staffings (``n > a``) qualify.  The service level rises with ``n``, so the
    search walks up from ``floor(a) + 1``.  ``service_level`` must be in [0, 1).
    """
    check_nonnegative("target_wait", target_wait)
    check_fraction("service_level", service_level)
    load = offered_load(arrival_rate, service_mean)
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
    check_nonnegative("target_wait", target_wait)
    check_fraction("service_level", service_level)
    load = offered_load(arrival_rate, service_mean)
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
