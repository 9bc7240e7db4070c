"""Cost per hall ticket of the whole W district model against plain-SimPy M/M/10, same run.

The W district baseline (`scenarios/w_district/baseline.yaml`: journeys, back office, outages,
appointments, learning, satisfaction) is run for `--days` open days (default 250, a year), one
replication, seed 0; its cost is CPU seconds of the process (``time.process_time``) per hall
ticket, *set-up included*: validating the scenario from its mapping, building the hall and the
journey layer (streams, outage histories, working calendars, slot books), running it, and the
case table and ratings after the run. The baseline is the textbook SimPy M/M/10 of
`benchmarks/kernel.py` (lambda 9/min, mean service 1 min, one process per customer), simulated
for about as many customers, in CPU seconds per customer. Each figure is the median of
`--repeat` runs, alternating the two models. The peak memory of the W district run
(``tracemalloc``, Python allocations, in one extra run since tracing slows it) is printed too.

    python benchmarks/w_district.py [--days 250] [--repeat 3] [--profile] [--no-memory]

The target of issue 15 is a ratio of at most 2.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import simpy

import wsim
from wsim.model.replication import run_replication
from wsim.scenario.loader import read_yaml_mapping

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel import plain_simpy  # the baseline, shared with kernel.py

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "w_district" / "baseline.yaml"
#: The plain-SimPy M/M/10: arrivals per hour, mean service (minutes), windows.
MM10 = (540.0, 1.0, 10)


def w_district(days: int) -> dict:
    """The W district baseline's mapping with a calendar of `days` open days."""
    raw = read_yaml_mapping(BASELINE)
    raw["calendar"] = {**raw["calendar"], "days": days}
    return raw


def w_cost(description: dict) -> tuple[float, int]:
    """CPU seconds of one W district replication, set-up included, and its hall tickets."""
    started = time.process_time()
    log = run_replication(wsim.load_scenario(description), 0, 0)
    return time.process_time() - started, int(log.arrival.size)


def mm10_cost(customers: int) -> tuple[float, int]:
    """CPU seconds of the plain-SimPy M/M/10 for about `customers` customers, and its count."""
    per_hour, mean, servers = MM10
    horizon = customers / (per_hour / 60.0)
    started = time.process_time()
    served = plain_simpy(per_hour, mean, servers, horizon, seed=0)
    return time.process_time() - started, served


def peak_memory(description: dict) -> float:
    """Peak Python allocations (MB, tracemalloc) of one W district replication."""
    tracemalloc.start()
    run_replication(wsim.load_scenario(description), 0, 0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    """Print CPU microseconds per hall ticket and per M/M/10 customer, their ratio, and memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=250, help="open days simulated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median kept)")
    parser.add_argument("--profile", action="store_true", help="cProfile one W district run")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    args = parser.parse_args()
    description = w_district(args.days)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(w_cost, description)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return
    print(
        f"wsim {wsim.__version__} ({Path(wsim.__file__).parent}), python "
        f"{platform.python_version()}, simpy {simpy.__version__}, {platform.machine()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    ours, theirs = [], []
    tickets = customers = 0
    for _ in range(args.repeat):
        seconds, tickets = w_cost(description)
        ours.append(seconds)
        seconds, customers = mm10_cost(tickets)
        theirs.append(seconds)
    w_seconds, m_seconds = statistics.median(ours), statistics.median(theirs)
    per_ticket, per_customer = w_seconds / tickets * 1e6, m_seconds / customers * 1e6
    print(f"{'model':<34}{'count':>10}{'CPU s':>8}{'us each':>9}")
    print(f"{f'W district, {args.days} days':<34}{tickets:>10,}{w_seconds:>8.2f}{per_ticket:>9.2f}")
    print(f"{'plain SimPy M/M/10':<34}{customers:>10,}{m_seconds:>8.2f}{per_customer:>9.2f}")
    print(f"ratio (W district per ticket / M/M/10 per customer): {per_ticket / per_customer:.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if not args.no_memory:
        print(f"W district peak memory (tracemalloc): {peak_memory(description):.0f} MB")


if __name__ == "__main__":
    main()
