"""Speed bands chosen from the data (:func:`wsim.calibrate.service.choose_bands`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wsim.calibrate.service import choose_bands

WINDOW_TIME = {"A": {"dist": "exponential", "mean": 5.0}, "B": {"dist": "exponential", "mean": 2.0}}
OPEN, CLOSE, SLOT = 480.0, 1020.0, 30.0


def tickets(speed_of, n: int = 6000, seed: int = 1) -> pd.DataFrame:
    """Served tickets called uniformly over the day; window time = exponential / speed."""
    rng = np.random.default_rng(seed)
    called = rng.uniform(OPEN, CLOSE, n)
    service = rng.choice(["A", "B"], n)
    mean = np.where(service == "A", 5.0, 2.0)
    return pd.DataFrame(
        {
            "served": True,
            "service": service,
            "arrival": called,
            "clock": called,
            "start": called,
            "service_time": rng.exponential(mean) / speed_of(called),
        }
    )


def test_a_change_of_speed_is_found_where_it_is():
    # 20% slower windows before noon: about 2,000 and 4,000 tickets on the two sides, so the
    # change is many standard errors wide (the speed's is about 1/sqrt(2000), 2%).
    cuts, tried = choose_bands(
        tickets(lambda t: np.where(t < 720, 0.8, 1.0)), WINDOW_TIME, OPEN, CLOSE, SLOT
    )
    assert cuts == [720.0]
    assert tried["kept"].tolist() == [True, False]


def test_no_change_of_speed_gives_one_band():
    for seed in (1, 2, 3):
        cuts, tried = choose_bands(
            tickets(lambda t: 1.0, seed=seed), WINDOW_TIME, OPEN, CLOSE, SLOT
        )
        assert cuts == [], tried
