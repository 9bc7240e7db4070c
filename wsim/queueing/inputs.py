"""Argument checks shared by the queueing formulas: one clear ValueError per bad input."""

from __future__ import annotations

import math

import numpy as np


def check_servers(servers: int, minimum: int) -> None:
    """A whole number of servers, at least `minimum` (TypeError or ValueError otherwise)."""
    if isinstance(servers, bool) or not isinstance(servers, (int, np.integer)):
        raise TypeError(f"servers must be an integer, got {servers!r}")
    if servers < minimum:
        raise ValueError(f"servers must be >= {minimum}, got {servers}")


def check_nonnegative(name: str, value: float) -> None:
    """`value` is finite and >= 0."""
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")


def check_positive(name: str, value: float) -> None:
    """`value` is finite and > 0."""
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")


def check_fraction(name: str, value: float) -> None:
    """`value` is a share in [0, 1)."""
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")


def offered_load(arrival_rate: float, service_mean: float) -> float:
    """The load ``a = arrival_rate * service_mean`` (Erlangs), after checking both."""
    check_nonnegative("arrival_rate", arrival_rate)
    check_positive("service_mean", service_mean)
    return arrival_rate * service_mean


def require_stable(load: float, servers: int) -> None:
    """A ValueError if the queue without abandonment is unstable (load >= servers)."""
    if load >= servers:
        raise ValueError(
            f"unstable queue: offered load {load:g} Erlangs >= {servers} server(s) "
            f"(utilisation rho = {load / servers:g} >= 1); the mean wait is infinite"
        )
