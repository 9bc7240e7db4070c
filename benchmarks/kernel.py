"""Speed of the wsim hall kernel against an idiomatic plain-SimPy model, in the same run.

Two systems: the M/M/2 check scenario (lambda 10.8/h, mean service 10 min) and an M/M/10
(lambda 9/min, mean service 1 min). The plain-SimPy model is what one writes from the SimPy
tutorial: one process per customer, a `simpy.Resource` for the windows, `random.expovariate`
for the times, and a list of waits. Ciw (the `bench` extra; skipped with a message when it is
not installed) runs the same M/M/c as one node. wsim also records the whole visit log. Each
figure is the best of `--repeat` runs (the least disturbed by other work on the machine), in
CPU seconds of the process (``time.process_time``); the models take turns within each
repeat, so that a busy spell of the machine falls on all of them alike.

    python benchmarks/kernel.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import random
import time
from collections.abc import Callable

import simpy

import wsim
from wsim.model.replication import run_replication


def mmc_scenario(
    name: str, per_hour: float, service_mean: float, servers: int, horizon: float
) -> wsim.Scenario:
    """A continuous-mode M/M/c scenario without warm-up."""
    return wsim.load_scenario(
        {
            "name": name,
            "calendar": {"mode": "continuous", "horizon": horizon},
            "services": {"s1": {"window_time": {"dist": "exponential", "mean": service_mean}}},
            "demand": [{"service": "s1", "channel": "hall", "per_hour": per_hour}],
            "windows": [{"name": "w", "count": servers, "serves": ["s1"]}],
        }
    )


def plain_simpy(
    per_hour: float, service_mean: float, servers: int, horizon: float, seed: int
) -> int:
    """The textbook SimPy M/M/c model; returns the number of customers served."""
    rng = random.Random(seed)
    env = simpy.Environment()
    windows = simpy.Resource(env, capacity=servers)
    waits: list[float] = []
    rate = per_hour / 60.0

    def customer():
        arrived = env.now
        with windows.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(1.0 / service_mean))

    def source():
        while True:
            yield env.timeout(rng.expovariate(rate))
            if env.now >= horizon:
                return
            env.process(customer())

    env.process(source())
    env.run()
    return len(waits)


def ciw_mmc(per_hour: float, service_mean: float, servers: int, horizon: float, seed: int) -> int:
    """The same M/M/c in Ciw (one node, exponential times); returns the customers served."""
    import ciw  # the optional `bench` extra

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=per_hour / 60.0)],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / service_mean)],
        number_of_servers=[servers],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(horizon)
    return len(simulation.get_all_records())


def best_rates(runs: dict[str, Callable[[], int]], repeat: int) -> dict[str, float]:
    """Customers per CPU second of the fastest of `repeat` calls of each run (returns a count).

    The runs take turns: each repeat calls every run once, in order.
    """
    best = dict.fromkeys(runs, 0.0)
    for _ in range(repeat):
        for name, run in runs.items():
            started = time.process_time()
            customers = run()
            best[name] = max(best[name], customers / (time.process_time() - started))
    return best


def main() -> None:
    """Print wsim's and plain SimPy's customers per second on each system, and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best is kept)")
    args = parser.parse_args()
    cases = [
        ("M/M/2 (rho 0.9)", 10.8, 10.0, 2, 400_000.0),
        ("M/M/10 (rho 0.9)", 540.0, 1.0, 10, 20_000.0),
    ]
    print(
        f"python {platform.python_version()}, simpy {simpy.__version__}, "
        f"{platform.machine()}, {platform.processor() or 'unknown cpu'}"
    )
    has_ciw = importlib.util.find_spec("ciw") is not None
    if not has_ciw:
        print("Ciw is not installed (pip install -e '.[bench]'): its baseline is skipped")
    print(
        f"{'system':<18}{'wsim cust/s':>14}{'SimPy cust/s':>14}{'ratio':>8}"
        + (f"{'Ciw cust/s':>12}{'ratio':>8}" if has_ciw else "")
    )
    for name, per_hour, mean, servers, horizon in cases:
        scenario = mmc_scenario(name, per_hour, mean, servers, horizon)
        runs: dict[str, Callable[[], int]] = {
            "wsim": lambda s=scenario: run_replication(s, 0, 0).arrival.size,
            "simpy": lambda p=per_hour, m=mean, c=servers, h=horizon: plain_simpy(
                p, m, c, h, seed=0
            ),
        }
        if has_ciw:
            runs["ciw"] = lambda p=per_hour, m=mean, c=servers, h=horizon: ciw_mmc(
                p, m, c, h, seed=0
            )
        rate = best_rates(runs, args.repeat)
        ours, theirs = rate["wsim"], rate["simpy"]
        line = f"{name:<18}{ours:>14,.0f}{theirs:>14,.0f}{ours / theirs:>8.2f}"
        if has_ciw:
            line += f"{rate['ciw']:>12,.0f}{ours / rate['ciw']:>8.2f}"
        print(line)


if __name__ == "__main__":
    main()
