"""Cost per customer against the size of the center, in the same run.

Centers at the same load (utilisation 0.9 per window, mean window time 1 minute, exponential,
no patience): the baseline, one group of 20 windows serving 5 services; one comprehensive group
of 20 windows serving 1,000 services (the same arrival rate split over them); 500 dedicated
groups of 1 window each serving 2 services each (1,000 services, each group at 0.9); and, for
reference, the same with 5 groups (10 services). Each run simulates about the same number of
tickets (the horizon is scaled by the windows), and its cost is CPU seconds of the process
(``time.process_time``, less disturbed by other jobs on a shared machine than wall-clock time)
per served ticket, *set-up included*: building the scenario from its plain description
(validation), building the hall (streams, samplers, heaps) and running it. Each figure is the
median of `--repeat` runs (the median resists one disturbed run better than the best on a
loaded machine); the centers take turns within each repeat, so that a busy spell falls on all
of them alike.

    python benchmarks/size.py [--repeat 5] [--tickets 100000] [--profile NAME]

The target of issue 15 is a ratio of at most 1.3 for both large centers. A fourth center, 5
dedicated single windows, is the 500 groups' small twin: the last line compares them with it.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import time

import simpy

import wsim
from wsim.model.replication import run_replication
from wsim.model.states import TicketState

#: The reference center of :func:`cases` that is not part of the target.
TWIN = "10 services, 5 groups of 1"

#: Utilisation per window, and mean window time (minutes), of every center.
RHO = 0.9
MEAN = 1.0


def center(services: int, groups: int, windows: int, horizon: float) -> dict:
    """The plain description of a center: `groups` equal groups of `windows` windows each.

    The `services` are split evenly over the groups (each group serves its own share), and
    each group's arrival rate (RHO * windows / MEAN per minute) is split evenly over its
    services.
    """
    per_group = services // groups
    per_hour = RHO * windows / MEAN * 60.0 / per_group
    names = [f"s{i}" for i in range(services)]
    return {
        "name": f"{services} services, {groups} groups",
        "calendar": {"mode": "continuous", "horizon": horizon},
        "services": {n: {"window_time": {"dist": "exponential", "mean": MEAN}} for n in names},
        "demand": [{"service": n, "channel": "hall", "per_hour": per_hour} for n in names],
        "windows": [
            {
                "name": f"g{g}",
                "count": windows,
                "serves": names[g * per_group : (g + 1) * per_group],
            }
            for g in range(groups)
        ],
    }


def cost(description: dict) -> tuple[float, int]:
    """Seconds per served ticket of one replication, set-up included, and the tickets served."""
    started = time.process_time()
    scenario = wsim.load_scenario(description)
    log = run_replication(scenario, 0, 0)
    served = int((log.outcome == TicketState.SERVED).sum())
    return (time.process_time() - started) / served, served


def cases(tickets: int) -> dict[str, dict]:
    """The centers, each sized to simulate about `tickets` tickets.

    The first is the baseline, the next two the large centers of the target; the last is the
    500 groups' small twin (5 dedicated single windows, 2 services each, at the same load),
    printed for reference: against it, the 500 groups' ratio leaves out what single windows
    cost more than a group of 20 whatever the size (their longer lines).
    """
    per_window = RHO / MEAN  # tickets per minute per window
    return {
        "5 services, 1 group of 20": center(5, 1, 20, tickets / (20 * per_window)),
        "1,000 services, 1 group of 20": center(1000, 1, 20, tickets / (20 * per_window)),
        "1,000 services, 500 groups of 1": center(1000, 500, 1, tickets / (500 * per_window)),
        TWIN: center(10, 5, 1, tickets / (5 * per_window)),
    }


def main() -> None:
    """Print each center's microseconds per served ticket and its ratio to the 5-service one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median kept)")
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets per run, about")
    parser.add_argument("--profile", metavar="NAME", help="cProfile one center (name prefix)")
    args = parser.parse_args()
    centers = cases(args.tickets)
    if args.profile:
        name = next(n for n in centers if n.startswith(args.profile))
        profiler = cProfile.Profile()
        profiler.runcall(cost, centers[name])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        return
    print(
        f"python {platform.python_version()}, simpy {simpy.__version__}, "
        f"{platform.machine()}, load average {os.getloadavg()[0]:.2f}"
    )
    print(f"{'center':<34}{'tickets':>10}{'us/ticket':>11}{'ratio':>7}")
    runs: dict[str, list[tuple[float, int]]] = {name: [] for name in centers}
    for _ in range(args.repeat):
        for name, description in centers.items():
            runs[name].append(cost(description))
    seconds = {name: statistics.median(r[0] for r in costs) for name, costs in runs.items()}
    baseline = next(iter(seconds.values()))
    for name, costs in runs.items():
        each, served = seconds[name], costs[0][1]
        print(f"{name:<34}{served:>10,}{each * 1e6:>11.2f}{each / baseline:>7.2f}")
    large = seconds["1,000 services, 500 groups of 1"]
    print(f"500 groups of 1 against their twin ({TWIN}): {large / seconds[TWIN]:.2f}")


if __name__ == "__main__":
    main()
