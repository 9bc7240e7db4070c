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

from wsim.queueing.abandonment import ErlangA, erlang_a
from wsim.queueing.patient import (
    erlang_b,
    erlang_c,
    mg1_wait_mean,
    mm1_sojourn_mean,
    mm1_wait_mean,
    mmc_queue_length_mean,
    mmc_service_level,
    mmc_sojourn_mean,
    mmc_wait_cdf,
    mmc_wait_mean,
)
from wsim.queueing.staffing import erlang_a_staffing, erlang_c_staffing, sqrt_staffing

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
