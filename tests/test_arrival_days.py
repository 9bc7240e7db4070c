"""The merged arrivals of all streams come in the order the per-stream SimPy timeouts gave.

The reference is the hall's former way, written out independently: one SimPy timeout per
stream, each scheduled when the stream's previous arrival happens, with the delay to its clock
time. Constant gaps make every stream tie with others at many instants (and over several
days), where the order of equal times is decided by SimPy's event ids; the merge must give
exactly the same sequence, times equal to the last bit.
"""

from __future__ import annotations

import simpy

from wsim.model.arrival_days import ArrivalDays
from wsim.model.arrivals import ArrivalClock, Period


def clocks(rates: list[float], days: int) -> list[ArrivalClock]:
    """Streams of constant gaps (an Exp(1) draw always 1.0) at `rates` per minute."""
    result = []
    for rate in rates:
        day_periods = [
            Period(d, d * 1440.0 + 60.0, d * 1440.0 + 600.0, (d * 1440.0 + 60.0,), (rate,))
            for d in range(days)
        ]
        result.append(ArrivalClock(day_periods, lambda: 1.0, None))
    return result


def simpy_order(rates: list[float], days: int) -> list[tuple[float, int, int]]:
    """(time, stream, day) of every arrival, one SimPy timeout per stream (the former hall)."""
    env = simpy.Environment()
    seen: list[tuple[float, int, int]] = []
    streams = clocks(rates, days)

    def schedule(k: int) -> None:
        nxt = streams[k].next()
        if nxt is not None:
            env.timeout(nxt[0] - env.now, (k, nxt[1])).callbacks.append(happen)

    def happen(ev: simpy.Event) -> None:
        k, day = ev.value
        schedule(k)
        seen.append((env.now, k, day))

    for k in range(len(streams)):
        schedule(k)
    env.run()
    return seen


def merged_order(rates: list[float], days: int) -> list[tuple[float, int, int]]:
    """The same arrivals from :class:`ArrivalDays`, day by day."""
    walk = ArrivalDays(clocks(rates, days), max_arrivals=10**6)
    seen: list[tuple[float, int, int]] = []
    while (day := walk.next_day()) is not None:
        times, stream, on = day.times, day.streams, day.days
        seen += zip(times, stream, on, strict=True)
    return seen


def test_ties_come_in_simpy_order() -> None:
    """Streams at 1, 1/2, 2, 1/3 and 1 per minute tie at whole minutes, over three days."""
    rates = [1.0, 0.5, 2.0, 1.0 / 3.0, 1.0, 0.1]
    expected = simpy_order(rates, 3)
    got = merged_order(rates, 3)
    assert len(got) == len(expected) > 3000
    assert got == expected


def test_has_next_marks_each_streams_last_arrival() -> None:
    """Only the last arrival of each stream over the run has no successor."""
    walk = ArrivalDays(clocks([1.0, 0.5], 2), max_arrivals=10**6)
    flags: list[tuple[int, bool]] = []
    while (day := walk.next_day()) is not None:
        flags += zip(day[1], day[3], strict=True)
    last = {k: i for i, (k, _) in enumerate(flags)}
    assert [i for i, (_, more) in enumerate(flags) if not more] == sorted(last.values())
