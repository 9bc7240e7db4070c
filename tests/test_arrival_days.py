"""The merged arrivals of all streams come in the order the per-stream SimPy timeouts gave.

The reference is the hall's former way, written out independently: one SimPy timeout per
stream, each scheduled when the stream's previous arrival happens, with the delay to its clock
time. Constant gaps make every stream tie with others at many instants (and over several
days), where the order of equal times is decided by SimPy's event ids; the merge must give
exactly the same sequence, times equal to the last bit.
"""

from __future__ import annotations

import pytest
import simpy

from wsim.model.arrival_days import SPAN_DAYS, ArrivalDays
from wsim.model.arrivals import ArrivalClock, Period

Days = int | list[list[int]]


def clocks(rates: list[float], days: Days, ends: list[float] | None = None) -> list[ArrivalClock]:
    """Streams of constant gaps (an Exp(1) draw always 1.0) at `rates` per minute.

    `days` is the number of days every stream arrives on (0, 1, ...), or per stream its days.
    Each arrives from 01:00 to `ends` (minutes of the day, per stream; 10:00 for all if None).
    """
    result = []
    for k, rate in enumerate(rates):
        on = list(range(days)) if isinstance(days, int) else days[k]
        end = 600.0 if ends is None else ends[k]
        day_periods = [
            Period(d, d * 1440.0 + 60.0, d * 1440.0 + end, (d * 1440.0 + 60.0,), (rate,))
            for d in on
        ]
        result.append(ArrivalClock(day_periods, lambda: 1.0, None))
    return result


def simpy_order(
    rates: list[float], days: Days, ends: list[float] | None = None
) -> list[tuple[float, int, int]]:
    """(time, stream, day) of every arrival, one SimPy timeout per stream (the former hall)."""
    env = simpy.Environment()
    seen: list[tuple[float, int, int]] = []
    streams = clocks(rates, days, ends)

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


def merged_order(
    rates: list[float], days: Days, ends: list[float] | None = None
) -> list[tuple[float, int, int]]:
    """The same arrivals from :class:`ArrivalDays`, day by day (each day one calendar day's)."""
    walk = ArrivalDays(clocks(rates, days, ends), max_arrivals=10**6)
    seen: list[tuple[float, int, int]] = []
    while (day := walk.next_day()) is not None:
        times, stream, on = day.times, day.streams, day.days
        assert len({t // 1440 for t in times}) == 1, "a day of arrivals is one calendar day"
        seen += zip(times, stream, on, strict=True)
    return seen


@pytest.mark.parametrize("days", [3, 2 * SPAN_DAYS + 3])
def test_ties_come_in_simpy_order(days: int) -> None:
    """Streams at 1, 1/2, 2, 1/3 and 1 per minute tie at whole minutes, over several days.

    Three days, and more than two of the spans of days the arrivals are merged in.
    """
    rates = [1.0, 0.5, 2.0, 1.0 / 3.0, 1.0, 0.1]
    expected = simpy_order(rates, days)
    got = merged_order(rates, days)
    assert len(got) == len(expected) > 1000 * days
    assert got == expected


def test_streams_ending_and_idle_weeks_across_spans() -> None:
    """Streams that start late, stop early or skip days give the per-stream timeouts' order.

    One stream leaves more than two spans without any arrival; every day handed out holds
    the arrivals of one calendar day.
    """
    on = [
        [0, 1, 2, 20, 21],  # stops, then comes back after more than two idle spans
        [6, 7, 8],  # across the first span's end
        [13],  # one day, on a span's last day
        list(range(0, 22, 3)),  # every third day
        [],  # never
    ]
    rates = [1.0, 0.5, 2.0, 1.0 / 3.0, 1.0]
    expected = simpy_order(rates, on)
    got = merged_order(rates, on)
    assert {day for _, _, day in got} == {d for days in on for d in days}
    assert got == expected


def test_ties_after_a_span_follow_the_previous_arrivals_across_it() -> None:
    """At a day's first instant, streams tie in the order of their previous arrivals.

    Stream 0 arrives until 10:00, stream 1 until 05:00: each next day both come first at
    01:01, stream 1's timeout created earlier (at its last arrival, 04:59). The day after a
    span of merged days is decided by where the previous span placed those last arrivals.
    """
    rates = [1.0, 1.0, 0.5]
    ends = [600.0, 300.0, 600.0]
    days = 2 * SPAN_DAYS + 2
    expected = simpy_order(rates, days, ends)
    assert [k for _, k, _ in expected[:2]] == [0, 1]  # the first ones: in the streams' order
    assert [k for t, k, _ in expected if t == 1440.0 + 61.0] == [1, 0]
    assert merged_order(rates, days, ends) == expected


@pytest.mark.parametrize("days", [2, [[0, 1], [9, 10, 30]]])
def test_has_next_marks_each_streams_last_arrival(days: Days) -> None:
    """Only the last arrival of each stream over the run has no successor.

    Streams ending in the same span of days, or in different ones.
    """
    walk = ArrivalDays(clocks([1.0, 0.5], days), max_arrivals=10**6)
    flags: list[tuple[int, bool]] = []
    while (day := walk.next_day()) is not None:
        flags += zip(day[1], day[3], strict=True)
    last = {k: i for i, (k, _) in enumerate(flags)}
    assert [i for i, (_, more) in enumerate(flags) if not more] == sorted(last.values())
