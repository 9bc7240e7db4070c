"""One API shape: every result object has summary(), save(folder) and plot_*() methods.

``summary()`` returns a pandas DataFrame, ``save(folder)`` writes the object's files and
returns their paths, and each ``plot_*()`` returns a matplotlib Figure. The signatures are
checked for every result type; a small simulation checks that :class:`Results` keeps them.
"""

from __future__ import annotations

import inspect

import pandas as pd
import pytest
from conftest import one_service_hall
from matplotlib.figure import Figure

import wsim
from wsim.scenario import Demand

RESULT_TYPES = [
    "Results",
    "Comparison",
    "Grid",
    "StaffingPlan",
    "FitResult",
    "Validation",
    "PortfolioResult",
]


def _returns(function: object) -> str:
    return str(inspect.signature(function).return_annotation)


@pytest.mark.parametrize("name", RESULT_TYPES)
def test_every_result_type_has_summary_save_and_plots(name):
    cls = getattr(wsim, name)  # exported at the top level
    assert _returns(cls.summary) == "pd.DataFrame"
    save = inspect.signature(cls.save)
    assert list(save.parameters)[1] == "folder"
    assert _returns(cls.save) == "list[Path]"
    plots = [attribute for attribute in dir(cls) if attribute.startswith("plot_")]
    assert plots, f"{name} has no plot_*() method"
    for plot in plots:
        assert _returns(getattr(cls, plot)) == "Figure", f"{name}.{plot}"


def test_results_summary_save_and_plot(tmp_path):
    results = wsim.simulate(one_service_hall(2), replications=3, seed=2)
    assert isinstance(results.summary(), pd.DataFrame)
    written = results.save(tmp_path)
    assert all(path.is_file() for path in written)
    hourly = results.hourly_summary()
    assert set(hourly.measure) == {"wait_mean", "queue_mean", "utilization"}
    # open 08:30-17:00; citizens inside at closing are still served after 17:00
    assert set(range(8, 17)) <= set(hourly.hour) <= set(range(8, 20))
    assert (hourly[hourly.hour < 17].n == 3).all()  # every replication in every open hour
    assert isinstance(results.plot_hourly("queue_mean"), Figure)
    with pytest.raises(ValueError, match="unknown hourly measure 'queue'"):
        results.plot_hourly("queue")


def test_comparison_hourly_summary_is_its_options_hourly_summaries():
    comparison = wsim.compare(
        {"two": one_service_hall(2), "three": one_service_hall(3)}, replications=2, seed=1
    )
    table = comparison.hourly_summary()
    for option in ("two", "three"):
        mine = table[table.option == option].drop(columns="option").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, comparison.results[option].hourly_summary())


def test_demand_label_is_computed_once_and_follows_a_changed_copy():
    demand = Demand(service="pension", per_hour=3, priority=1)
    assert demand.label == "pension@hall#p1"
    assert demand.label is demand.label  # cached, not formatted anew on each call
    assert demand.model_copy(update={"priority": 0}).label == "pension@hall"
    assert demand == Demand(service="pension", per_hour=3, priority=1)  # the cache is no field
