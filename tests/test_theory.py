"""The simulator against queueing theory.

Each test runs enough replications with a fixed seed and checks that the theoretical value lies
inside a 99.9% t-interval of the simulated mean. With a fixed seed a test is deterministic;
the 99.9% level means a correct simulator would fail such a check for only about 1 seed in
1,000, so a failure points at the model, not at bad luck. Horizons are long against the
systems' relaxation times, so the bias of starting empty (after the warm-up) is small against
the interval's half-width.

The interval must also be narrow (``max_half_width``, relative to the theory): the bounds
below are what each check must resolve. Shares (utilization, probability of waiting) within
2%: a clerk idle while citizens wait, or a lost window, moves them by more. Mean waits within
10-15%: in heavy traffic waits are strongly correlated in time, so a long run still gives a
wide interval, and the errors that matter (a wrong queue discipline, a miscounted server, the
service-time variance ignored) change them by far more (M/M/1 against M/D/1 halves the wait).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import CHECKS, assert_in_interval

import wsim
from wsim import queueing


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
    assert_in_interval(
        kpis.hall_wait_mean, queueing.mm1_wait_mean(lam, mean), "M/M/1 Wq", max_half_width=0.10
    )
    assert_in_interval(kpis.hall_wait_prob, 0.8, "M/M/1 P(wait)", max_half_width=0.02)
    assert_in_interval(kpis.window_utilization, 0.8, "M/M/1 utilization", max_half_width=0.02)


def test_mm2_check_file_against_erlang_c():
    scenario = wsim.load_scenario(CHECKS / "mm2.yaml")
    kpis = wsim.simulate(scenario, replications=20, seed=1, workers=2).kpis
    lam, mean = 10.8 / 60, 10.0
    assert_in_interval(
        kpis.hall_wait_mean, queueing.mmc_wait_mean(lam, mean, 2), "M/M/2 Wq", max_half_width=0.15
    )
    assert_in_interval(
        kpis.hall_wait_prob, queueing.erlang_c(2, lam * mean), "M/M/2 P(wait)", max_half_width=0.02
    )
    assert_in_interval(
        kpis.window_utilization, lam * mean / 2, "M/M/2 utilization", max_half_width=0.02
    )


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
    # 10 short replications resolve a tenth of the share (0.39); one window more gives 0.65
    assert_in_interval(kpis.hall_service_level, expected, "M/M/10 P(W <= 0.1)", max_half_width=0.10)


def test_erlang_a_check_file():
    scenario = wsim.load_scenario(CHECKS / "erlang_a.yaml")
    kpis = wsim.simulate(scenario, replications=8, seed=2, workers=2).kpis
    theory = queueing.erlang_a(9, 110 / 60, 5.0, 10.0)
    # abandonment keeps the queue short, so 8 replications pin both within 5%; without
    # patience (Erlang C) this overloaded hall (9.17 Erlangs on 9 windows) would never settle
    assert_in_interval(
        kpis.hall_abandon_rate, theory.p_abandon, "Erlang A P(abandon)", max_half_width=0.05
    )
    assert_in_interval(
        kpis.hall_wait_mean, theory.wait_mean_served, "Erlang A wait of served", max_half_width=0.05
    )


@pytest.mark.parametrize("sd", [5.0, 15.0])
def test_mg1_lognormal_against_pollaczek_khinchine(sd):
    lam, mean = 0.07, 10.0  # rho 0.7
    service = {"dist": "lognormal", "mean": mean, "sd": sd}
    scenario = mmc(lam * 60, service, 1, 150_000, 3_000)
    kpis = wsim.simulate(scenario, replications=40, seed=3, workers=2).kpis
    expected = queueing.mg1_wait_mean(lam, mean, (sd / mean) ** 2)
    # within 12%: the two sds' waits differ 2.6-fold (P-K), and the heavier tail is the noisier
    what = f"M/G/1 Wq, lognormal sd {sd}"
    assert_in_interval(kpis.hall_wait_mean, expected, what, max_half_width=0.12)


def test_littles_law_queue_length_against_arrival_rate_times_wait():
    """In steady state the time-average number waiting is lambda x the mean wait (Little).

    The sides are measured independently: the queue length from the timeline (the minutes
    all citizens spent waiting inside the measurement window, over its length), the mean wait
    from the per-ticket KPI, and lambda is the scenario's arrival rate, not a count of
    tickets. This fails when citizens arrive at the wrong rate, waits are logged at the wrong
    times or tickets go missing, which an identity on one sample path cannot show.
    """
    lam, warmup, horizon = 10.8 / 60, 2_000.0, 50_000.0  # the M/M/2 check at rho 0.9
    scenario = mmc(lam * 60, {"dist": "exponential", "mean": 10.0}, 2, horizon, warmup)
    results = wsim.simulate(scenario, replications=10, seed=8, workers=2)
    ratios = []
    for replication, visits in results.visits.groupby("replication"):
        left = visits.start.fillna(visits.end).fillna(horizon).to_numpy()
        waiting = np.clip(np.minimum(left, horizon) - np.maximum(visits.arrival, warmup), 0, None)
        queue_length = waiting.sum() / (horizon - warmup)
        wait = results.kpis.set_index("replication").hall_wait_mean[replication]
        ratios.append(queue_length / (lam * wait))
    # Each side has the run's ~8,600 arrivals in it, so the ratio's noise is that of the
    # arrival count (about 1% a replication): within 3% it catches a rate off by 5%.
    assert_in_interval(ratios, 1.0, "Lq / (lambda Wq)", max_half_width=0.03)
