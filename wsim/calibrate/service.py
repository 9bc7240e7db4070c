"""Window times from a log: candidate distributions per service, chosen by AIC.

The window time of a served ticket is service end minus call time. For each service the
candidates of :mod:`wsim.calibrate.likelihood` are fitted by maximum likelihood, taking the
log's time resolution into account, and the one with the lowest AIC becomes the service's
``window_time``. A service with fewer than ``MIN_SAMPLE`` logged window times takes the fit
of all services' window times together (and says so).

Window times often change over the day (at a call center the morning calls are longer); the
scenario's window time is one distribution per service, but a window group has a ``speed``.
:func:`band_speeds` measures, per band of the day, how fast windows worked relative to the
fitted means, so that the fit can staff each band with its own window group at that speed.
:func:`choose_bands` finds where the bands change from the data: binary segmentation of the
day at slot boundaries, each split kept only when it improves the quasi-likelihood of the
window times by more than the AIC penalty (see its notes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsim.calibrate.layout import LogError
from wsim.calibrate.likelihood import Durations, Fit, fit_candidates, ks_distance, rounded_params
from wsim.scenario import parse_distribution
from wsim.scenario.units import format_clock

#: Fewest window times for a service's own fit.
MIN_SAMPLE = 30
#: The label of the fit over all services together.
POOLED = "all services"
#: Fewest window times in a speed band found by :func:`choose_bands`, and most bands.
MIN_BAND_TICKETS = 200
MAX_BANDS = 6


@dataclass(frozen=True)
class ServiceFit:
    """Per service: the chosen window-time distribution and every candidate's criteria.

    ``window_time``: service -> wsim distribution mapping (minutes). ``candidates``: one row
    per service and family with the parameters, mean, sd, log-likelihood, AIC, BIC, KS
    distance and ``chosen``. ``fits`` and ``values`` keep the fits and data for the plots.
    """

    window_time: dict[str, dict]
    candidates: pd.DataFrame
    fits: dict[str, list[Fit]]
    values: dict[str, np.ndarray]
    source: dict[str, str]


def _describe(params: dict) -> str:
    return ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
        for k, v in params.items()
        if k != "dist"
    )


def _rows(label: str, fits: list[Fit], values: np.ndarray) -> list[dict]:
    return [
        {
            "service": label,
            "family": fit.family,
            "params": _describe(fit.params),
            "n": fit.n,
            "mean": fit.mean(),
            "sd": fit.sd(),
            "loglik": fit.loglik,
            "aic": fit.aic,
            "bic": fit.bic,
            "ks": ks_distance(fit, values),
            "chosen": rank == 0,
        }
        for rank, fit in enumerate(fits)
    ]


def fit_service_times(tickets: pd.DataFrame, half_step: float) -> ServiceFit:
    """Fit window times per service (minutes); ``half_step`` is half the log's resolution."""
    usable = tickets[tickets["served"] & tickets["service_time"].notna()]
    values = {name: group["service_time"].to_numpy() for name, group in usable.groupby("service")}
    pooled_values = usable["service_time"].to_numpy()
    fits: dict[str, list[Fit]] = {}
    source: dict[str, str] = {}
    rows: list[dict] = []
    needs_pool = [s for s in tickets["service"].unique() if len(values.get(s, ())) < MIN_SAMPLE]
    if needs_pool:
        if pooled_values.size < MIN_SAMPLE:
            raise LogError(
                f"only {pooled_values.size} logged window times; at least {MIN_SAMPLE} are "
                "needed to fit a distribution"
            )
        fits[POOLED] = fit_candidates(Durations(pooled_values, half_step=half_step))
        rows += _rows(POOLED, fits[POOLED], pooled_values)
    window_time = {}
    for service in sorted(tickets["service"].unique()):
        if service in needs_pool:
            chosen, source[service] = fits[POOLED][0], POOLED
        else:
            fits[service] = fit_candidates(Durations(values[service], half_step=half_step))
            rows += _rows(service, fits[service], values[service])
            chosen, source[service] = fits[service][0], service
        window_time[service] = rounded_params(chosen.params)
    if needs_pool:
        values[POOLED] = pooled_values
    return ServiceFit(window_time, pd.DataFrame(rows), fits, values, source)


def band_speeds(
    tickets: pd.DataFrame, window_time: dict[str, dict], bands: list[tuple[float, float]]
) -> pd.DataFrame:
    """How fast windows worked in each band of the day, relative to the fitted window times.

    For the served tickets called in a band (call time in minutes after midnight), the speed is
    the sum of their services' fitted mean window times over the sum of their logged window
    times: 0.8 means windows took 25% longer than the fitted means in that band (wsim's
    ``speed`` of a window group divides window times). One factor serves all services of the
    band. The 95% interval is the delta-method interval of a ratio estimator.

    Returns one row per band: ``band`` (as text), ``start``, ``end`` (minutes after midnight),
    ``tickets``, ``speed``, ``ci_low``, ``ci_high``.
    """
    called, _, _, expected, values = served_ratios(tickets, window_time)
    rows = []
    for start, end in bands:
        inside = (called >= start) & (called < end)
        n = int(inside.sum())
        speed, se = ratio_estimate(expected[inside], values[inside])
        rows.append(
            {
                "band": f"{format_clock(start)}-{format_clock(end)}",
                "start": start,
                "end": end,
                "tickets": n,
                "speed": speed,
                "ci_low": speed - 1.96 * se,
                "ci_high": speed + 1.96 * se,
            }
        )
    return pd.DataFrame(rows)


def _segment_loglik(n: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Profile log-likelihood (up to constants) of weighted gamma ratios: weight n, sum total."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, -n * np.log(np.where(total > 0, total / n, 1.0)) - n, 0.0)


def ratio_estimate(expected: np.ndarray, logged: np.ndarray) -> tuple[float, float]:
    """A speed ``sum(expected) / sum(logged)`` (window times) and its delta-method standard error.

    1 and NaN without data; the standard error is NaN for fewer than two tickets.
    """
    n, total = expected.size, logged.sum()
    if not n or total <= 0:
        return 1.0, float("nan")
    speed = float(expected.sum() / total)
    if n < 2:
        return speed, float("nan")
    return speed, float(np.std(expected - speed * logged, ddof=1) / (np.sqrt(n) * logged.mean()))


def served_ratios(
    tickets: pd.DataFrame, window_time: dict[str, dict]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per served ticket with a window time: what the speed fits of a day need.

    Returns arrays of the call time (minutes after the date's midnight), the window time over
    its service's fitted mean (``r``), the weight ``1 / phi`` (``phi`` the squared cv of the
    service's fitted window time), the fitted mean and the logged window time (minutes).
    """
    served = tickets[tickets["served"] & tickets["service_time"].notna()]
    called = (served["start"] - (served["arrival"] - served["clock"])).to_numpy()
    dists = {s: parse_distribution(d) for s, d in window_time.items()}
    means = served["service"].map({s: d.expected() for s, d in dists.items()}).to_numpy()
    weights = served["service"].map({s: 1 / max(d.scv(), 1e-3) for s, d in dists.items()})
    values = served["service_time"].to_numpy()
    return called, values / means, weights.to_numpy(dtype=float), means, values


def choose_bands(
    tickets: pd.DataFrame, window_time: dict[str, dict], open_: float, close: float, slot: float
) -> tuple[list[float], pd.DataFrame]:
    """Clock times where the window speed changes, found in the data.

    Each served ticket's window time over its service's fitted mean, ``r``, has mean 1 if
    windows work at the same speed all day. Within a band the ``r`` of a service are taken as
    gamma with mean ``theta`` (the band's slowness, 1 / speed) and the squared cv of that
    service's fitted window time (``phi``: a heavy-tailed service weighs less); the profile
    log-likelihood of a band is ``-(W log(S / W) + W)`` with ``W`` the sum of ``1 / phi`` and
    ``S`` the weighted sum of ``r`` over its tickets. Binary segmentation: the best split of
    a band at a slot boundary is kept when twice its gain in log-likelihood exceeds
    ``2 log N`` (BIC with two parameters per new band, its speed and where it starts; ``N``
    tickets; BIC rather than AIC because the best of many possible cuts is tried), both sides
    keep at least ``MIN_BAND_TICKETS`` tickets, and there are at most ``MAX_BANDS`` bands.

    Returns the cut times (minutes after midnight, sorted) and a table of every split tried:
    ``band``, ``at``, ``gain`` (twice the log-likelihood gain), ``penalty`` and ``kept``.
    """
    called, ratio, weights, _, _ = served_ratios(tickets, window_time)
    edges = np.arange(open_, close + slot / 2, slot)
    index = np.searchsorted(edges, called, side="right") - 1
    inside = (index >= 0) & (index < edges.size - 1) & np.isfinite(ratio)
    index, ratio, weights = index[inside], ratio[inside], weights[inside]
    slots = edges.size - 1
    count = np.bincount(index, minlength=slots)
    n = np.bincount(index, weights, minlength=slots)
    total = np.bincount(index, weights * ratio, minlength=slots)
    tried: list[dict] = []
    if ratio.size < 2 * MIN_BAND_TICKETS:
        return [], pd.DataFrame(tried, columns=["band", "at", "gain", "penalty", "kept"])
    penalty = 2 * np.log(ratio.size)
    cum_n, cum_s = np.concatenate([[0], np.cumsum(n)]), np.concatenate([[0], np.cumsum(total)])
    cum_count = np.concatenate([[0], np.cumsum(count)])
    bands = [(0, slots)]
    while len(bands) < MAX_BANDS:
        best = None
        for lo, hi in bands:
            whole = _segment_loglik(cum_n[hi] - cum_n[lo], cum_s[hi] - cum_s[lo])
            cuts = np.arange(lo + 1, hi)
            left_n, left_s = cum_n[cuts] - cum_n[lo], cum_s[cuts] - cum_s[lo]
            right_n, right_s = cum_n[hi] - cum_n[cuts], cum_s[hi] - cum_s[cuts]
            left_count = cum_count[cuts] - cum_count[lo]
            right_count = cum_count[hi] - cum_count[cuts]
            ok = (left_count >= MIN_BAND_TICKETS) & (right_count >= MIN_BAND_TICKETS)
            if not ok.any():
                continue
            both = _segment_loglik(left_n, left_s) + _segment_loglik(right_n, right_s)
            gain = 2 * (both - whole)
            gain = np.where(ok, gain, -np.inf)
            k = int(np.argmax(gain))
            if best is None or gain[k] > best[0]:
                best = (float(gain[k]), lo, hi, int(cuts[k]))
        if best is None:
            break
        gain, lo, hi, cut = best
        kept = gain > penalty
        tried.append(
            {
                "band": f"{format_clock(edges[lo])}-{format_clock(edges[hi])}",
                "at": format_clock(edges[cut]),
                "gain": gain,
                "penalty": float(penalty),
                "kept": kept,
            }
        )
        if not kept:
            break
        bands.remove((lo, hi))
        bands += [(lo, cut), (cut, hi)]
    cuts = sorted(float(edges[lo]) for lo, _ in bands if lo > 0)
    return cuts, pd.DataFrame(tried)
