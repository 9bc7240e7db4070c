"""The simulator against queueing theory.

Each test runs enough replications with a fixed seed and checks that the theoretical value lies
inside a 99.9% t-interval of the simulated mean. With a fixed seed a test is deterministic;
the 99.9% level means a correct simulator would fail such a check for only about 1 seed in
1,000, so a failure points at the model, not at bad luck. Horizons are long against the
systems' relaxation times, so the bias of starting empty (after the warm-up) is small against
the interval's half-width.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import assert_in_interval

import wsim
from wsim import queueing

CHECKS = Path(__file__).resolve().parents[1] / "scenarios" / "checks"


def mmc(
    per_hour: float, service: dict, servers: int, horizon: float, warmup: float, **extra
) -> wsim.Scenario:
    return wsim.load_scenario(
        {
            "name": "theory check",
            "calendar": {"mode": "continuous", "horizon": horizon, "warmup": warmup},
            "services": {"s1": {"window_time": service}},
            "demand": [{"service": "s1", "channel": "hall", "per_hour": per_hour}],
            "windows": [{"name": "w", "count": servers, "serves": ["s1"]}],
            **extra,
        }
    )


def test_mm1_against_formula():
    lam, mean = 0.8 / 10, 10.0  # rho 0.8
    scenario = mmc(lam * 60, {"dist": "exponential", "mean": mean}, 1, 100_000, 2_000)
    kpis = wsim.simulate(scenario, replications=20, seed=11).kpis
    assert_in_interval(kpis.hall_wait_mean, queueing.mm1_wait_mean(lam, mean), "M/M/1 Wq")
    assert_in_interval(kpis.hall_wait_prob, 0.8, "M/M/1 P(wait)")
    assert_in_interval(kpis.window_utilization, 0.8, "M/M/1 utilization")


def test_mm2_check_file_against_erlang_c():
    scenario = wsim.load_scenario(CHECKS / "mm2.yaml")
    kpis = wsim.simulate(scenario, replications=20, seed=1, workers=2).kpis
    lam, mean = 10.8 / 60, 10.0
    assert_in_interval(kpis.hall_wait_mean, queueing.mmc_wait_mean(lam, mean, 2), "M/M/2 Wq")
    assert_in_interval(kpis.hall_wait_prob, queueing.erlang_c(2, lam * mean), "M/M/2 P(wait)")
    assert_in_interval(kpis.window_utilization, lam * mean / 2, "M/M/2 utilization")


def test_mm10_service_level_against_erlang_c():
    lam, mean, target = 9.0, 1.0, 0.1
    scenario = mmc(
        lam * 60,
        {"dist": "exponential", "mean": mean},
        10,
        5_000,
        200,
        targets={"hall_wait": target},
    )
    kpis = wsim.simulate(scenario, replications=10, seed=5, workers=2).kpis
    expected = queueing.mmc_wait_cdf(target, lam, mean, 10)
    assert_in_interval(kpis.hall_service_level, expected, "M/M/10 P(W <= 0.1)")


def test_erlang_a_check_file():
    scenario = wsim.load_scenario(CHECKS / "erlang_a.yaml")
    kpis = wsim.simulate(scenario, replications=8, seed=2, workers=2).kpis
    theory = queueing.erlang_a(9, 110 / 60, 5.0, 10.0)
    assert_in_interval(kpis.hall_abandon_rate, theory.p_abandon, "Erlang A P(abandon)")
    assert_in_interval(kpis.hall_wait_mean, theory.wait_mean_served, "Erlang A wait of served")


@pytest.mark.parametrize("sd", [5.0, 15.0])
def test_mg1_lognormal_against_pollaczek_khinchine(sd):
    lam, mean = 0.07, 10.0  # rho 0.7
    service = {"dist": "lognormal", "mean": mean, "sd": sd}
    scenario = mmc(lam * 60, service, 1, 150_000, 3_000)
    kpis = wsim.simulate(scenario, replications=40, seed=3, workers=2).kpis
    expected = queueing.mg1_wait_mean(lam, mean, (sd / mean) ** 2)
    assert_in_interval(kpis.hall_wait_mean, expected, f"M/G/1 Wq, lognormal sd {sd}")
