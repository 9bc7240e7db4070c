"""Window speed per day type (:mod:`wsim.calibrate.day_speeds`): recovery and the AIC choice.

Recovery: wsim's own output with two day types whose windows work at different speeds (full
days Monday to Thursday at speed 1, short Fridays at 0.7); the fit must return each day
type's speed within four standard errors of the generating value (the delta-method standard
error of the ratio estimator for the sample at hand; fixed seeds, so deterministic).

The choice between a day type's own factor and the pooled speed is checked against its exact
probability: with exponential window times and the true means, a day type's weighted mean
ratio ``delta`` is ``true slowness x Gamma(n, 1) / n``, so the probability that twice the
likelihood gain ``2 n (delta - 1 - log delta)`` exceeds the penalty has a closed form; the
share of 300 seeded samples that keep their own factor must lie within four binomial standard
errors of it, when the day types do not differ (the AIC's false-alarm rate, 15.7%), when a
day type is thin (40 tickets, 10% slower: the pooled speed is kept most of the time) and when
it is large (the difference is found).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from test_holdout import COLUMNS, FULL, SHORT, export

from wsim.calibrate import fit
from wsim.calibrate.day_speeds import PENALTY, day_type_speeds
from wsim.calibrate.daytypes import DEFAULT, DayType
from wsim.calibrate.selection import Selection

FRIDAY_SPEED = 0.7
WINDOW_TIME = {"A": {"dist": "exponential", "mean": 5.0}}
ONE_BAND = pd.DataFrame([{"band": "08:00-17:00", "start": 480.0, "end": 1020.0, "speed": 1.0}])


@pytest.fixture(scope="module")
def slow_fridays():
    slow = {
        **SHORT,
        "windows": [{**SHORT["windows"][0], "speed": {"A": FRIDAY_SPEED, "B": FRIDAY_SPEED}}],
    }
    log = pd.concat([export(FULL, "2024-01-01", 1), export(slow, "2024-01-05", 2)])
    return fit(log, COLUMNS, scale_capacity=False, speed_bands=None)


def test_each_day_types_window_speed_is_recovered(slow_fridays):
    speeds = slow_fridays.day_speeds.set_index("day_type")
    band = slow_fridays.bands.iloc[0]
    assert speeds.loc["friday", "source"] == "own"
    assert speeds.loc[DEFAULT, "source"] == "pooled"
    # The default day type's speed is the band's (measured on the default days only).
    band_se = (band["ci_high"] - band["ci_low"]) / (2 * 1.96)
    assert abs(band["speed"] - 1.0) < 4 * band_se, band
    # Friday's speed is the band's times its factor; both estimates' errors add up.
    friday = speeds.loc["friday"]
    factor_se = (friday["ci_high"] - friday["ci_low"]) / (2 * 1.96)
    speed = band["speed"] * friday["factor"]
    se = math.hypot(band["speed"] * factor_se, friday["factor"] * band_se)
    assert abs(speed - FRIDAY_SPEED) < 4 * se, (speed, se)
    # The scenario staffs Fridays in a group of their own at that speed, and the pooled
    # group not at all on Fridays.
    groups = {g["name"]: g for g in slow_fridays.mapping["windows"]}
    assert groups["windows"]["day_schedules"]["friday"] == 0
    own = groups["windows friday"]
    assert own["count"] == 0
    assert set(own["day_schedules"]) == {"friday"}
    assert own["speed"]["A"] == pytest.approx(speed, rel=0.01)
    assert slow_fridays.scenarios["friday"].calendar.mode == "days"  # it loads as a scenario


def _day_type(name: str, day: str) -> DayType:
    return DayType(name, Selection((day,), (pd.Timestamp(day),), 480.0, 1020.0, 30.0, ""))


def _tickets(rng: np.random.Generator, n: int, day: str, slowness: float) -> pd.DataFrame:
    called = rng.uniform(480.0, 1020.0, n)
    return pd.DataFrame(
        {
            "date": pd.Timestamp(day),
            "served": True,
            "service": "A",
            "arrival": called,
            "clock": called,
            "start": called,
            "service_time": rng.exponential(5.0 * slowness, n),
        }
    )


def _exact_share_own(n: int, slowness: float) -> float:
    """P(2 n (delta - 1 - log delta) > PENALTY) for delta = slowness x Gamma(n, 1) / n."""

    def excess(x: float) -> float:
        return 2 * n * (x - 1 - math.log(x)) - PENALTY

    low = optimize.brentq(excess, 1e-9, 1.0)
    high = optimize.brentq(excess, 1.0, 100.0)
    gamma = stats.gamma(n, scale=slowness / n)
    return float(gamma.cdf(low) + gamma.sf(high))


@pytest.mark.parametrize(
    ("n", "slowness"),
    [(200, 1.0), (40, 1 / 0.9), (500, 1 / 0.9)],
    ids=["no difference", "thin day type", "large day type"],
)
def test_own_speed_is_kept_as_often_as_the_criterion_says(n, slowness):
    rng = np.random.default_rng(11)
    types = [_day_type(DEFAULT, "2024-01-01"), _day_type("other", "2024-01-05")]
    samples = 300
    own = 0
    for _ in range(samples):
        tickets = pd.concat(
            [_tickets(rng, 100, "2024-01-01", 1.0), _tickets(rng, n, "2024-01-05", slowness)]
        )
        _, table = day_type_speeds(tickets, types, WINDOW_TIME, ONE_BAND)
        own += table.set_index("day_type").loc["other", "source"] == "own"
    expected = _exact_share_own(n, slowness)
    se = math.sqrt(expected * (1 - expected) / samples)
    assert abs(own / samples - expected) < 4 * se, (own / samples, expected)
