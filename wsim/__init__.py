"""wsim: simulate and optimize government administrative service centers.

Public API::

    import wsim
    scenario = wsim.load_scenario("scenarios/examples/small_hall.yaml")
    results = wsim.simulate(scenario, replications=10, seed=0)
    results.summary()
    comparison = wsim.compare({"baseline": scenario, "reform": "reform.yaml"}, replications=10)
    comparison.summary()
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from wsim.calibrate import fit, validate_against_log  # noqa: E402
from wsim.compare import Comparison, Grid, compare, grid  # noqa: E402
from wsim.experiment import Results, simulate  # noqa: E402
from wsim.scenario import Scenario, ScenarioError, load_scenario  # noqa: E402

__all__ = [
    "Comparison",
    "Grid",
    "Results",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare",
    "fit",
    "grid",
    "load_scenario",
    "simulate",
    "validate_against_log",
]
