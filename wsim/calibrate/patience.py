"""Patience from a log: how long citizens wait before they give up, from censored waits.

A citizen who abandoned waited exactly their patience (an *event*); one who was served waited
less than their patience (a *right-censored* observation: patience > wait). Ignoring the
censored waits would make citizens look impatient, treating them as events would make them
look patient; both kinds enter:

- the Kaplan-Meier estimate of the survival curve P(patience > t), with Greenwood's
  standard errors, which assumes nothing about the distribution but stops at the longest
  logged wait;
- parametric fits (exponential, gamma, lognormal) by maximum likelihood over events and
  censored waits, chosen by AIC; the chosen one is the scenario's ``citizens.patience``.

Patience differs by class (at a call center the stock-exchange customers wait far longer
than prospective ones). Each class (a service, or a service and priority level when the log
has classes) with at least ``MIN_EVENTS`` abandonments gets its own fit, chosen by AIC among
the same families; a smaller class takes the pooled fit (its own would rest on a handful of
events). The pooled fit is the scenario's ``citizens.patience`` and each class with a fit of
its own gives its demand streams a ``patience``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wsim.calibrate.likelihood import Durations, Fit, fit_candidates, rounded_params

#: Patience candidates (wsim distributions whose survival has a closed form).
FAMILIES = ("exponential", "gamma", "lognormal")
#: Fewest abandonments for a class's own fit; smaller classes take the pooled fit. With 20
#: events the mean of an exponential fit has a relative standard error of about 22%.
MIN_EVENTS = 20


@dataclass(frozen=True)
class PatienceFit:
    """The pooled and per-class patience fits and their evidence.

    ``patience``: the wsim distribution mapping (minutes) of the pooled fit. ``by_class``:
    ``(service, priority level) -> mapping`` for the classes with a fit of their own (the
    others take ``patience``). ``candidates``: per group (``all`` and each class) and family:
    parameters, mean, log-likelihood, AIC, BIC, ``chosen``. ``classes``: per class, its
    abandonments, served, and ``source`` (``own`` or ``pooled``). ``km``: the pooled
    Kaplan-Meier table. ``data``: the pooled Durations.
    """

    patience: dict
    by_class: dict[tuple[str, int], dict]
    candidates: pd.DataFrame
    classes: pd.DataFrame
    km: pd.DataFrame
    fits: list[Fit]
    data: Durations


def kaplan_meier(events: np.ndarray, censored: np.ndarray, z: float = 1.96) -> pd.DataFrame:
    """Kaplan-Meier survival of patience with Greenwood's pointwise interval.

    Returns one row per distinct event time: ``time``, ``at_risk`` (waits >= time, censored
    ones at that time included), ``events``, ``survival`` just after ``time``, and
    ``ci_low``/``ci_high`` (survival +- z Greenwood standard errors, clipped to [0, 1]).
    """
    events = np.sort(np.asarray(events, dtype=float))
    everyone = np.sort(np.concatenate([events, np.asarray(censored, dtype=float)]))
    times, counts = np.unique(events, return_counts=True)
    at_risk = everyone.size - np.searchsorted(everyone, times, side="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = 1 - counts / at_risk
        survival = np.cumprod(factors)
        green = np.cumsum(np.where(at_risk > counts, counts / (at_risk * (at_risk - counts)), 0.0))
    se = survival * np.sqrt(green)
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk,
            "events": counts,
            "survival": survival,
            "ci_low": np.clip(survival - z * se, 0, 1),
            "ci_high": np.clip(survival + z * se, 0, 1),
        }
    )


def patience_data(tickets: pd.DataFrame, half_step: float) -> Durations:
    """Waits of those who abandoned (events) and of those served (censored), minutes."""
    known = tickets["wait"].notna()
    events = tickets.loc[known & tickets["abandoned"], "wait"].to_numpy()
    censored = tickets.loc[known & tickets["served"], "wait"].to_numpy()
    return Durations(events, censored, half_step)


def _rows(group: str, fits: list[Fit], data: Durations) -> list[dict]:
    return [
        {
            "group": group,
            "family": fit.family,
            "params": ", ".join(
                f"{k}={v:.4g}" for k, v in fit.params.items() if isinstance(v, float)
            ),
            "abandoned": data.observed.size,
            "served": data.censored.size,
            "mean": fit.mean(),
            "median": float(fit.frozen.median()),
            "loglik": fit.loglik,
            "aic": fit.aic,
            "bic": fit.bic,
            "chosen": rank == 0,
        }
        for rank, fit in enumerate(fits)
    ]


def class_label(service: str, level: int) -> str:
    """``PS`` for a service's class, ``PS#p2`` for its priority level 2."""
    return service if level == 0 else f"{service}#p{level}"


def fit_patience(tickets: pd.DataFrame, half_step: float) -> PatienceFit | None:
    """Fit patience to the selected tickets; ``None`` when nobody abandoned (no evidence).

    ``tickets`` has a ``level`` column (the priority level, 0 without classes) or none.
    """
    data = patience_data(tickets, half_step)
    if data.observed.size == 0:
        return None
    fits = fit_candidates(data, FAMILIES)
    rows = _rows("all", fits, data)
    levels = tickets["level"] if "level" in tickets else pd.Series(0, index=tickets.index)
    by_class, classes = {}, []
    for (service, level), group in tickets.groupby([tickets["service"], levels]):
        own = patience_data(group, half_step)
        label = class_label(service, int(level))
        source = "own" if own.observed.size >= MIN_EVENTS else "pooled"
        if source == "own":
            own_fits = fit_candidates(own, FAMILIES)
            rows += _rows(label, own_fits, own)
            by_class[(service, int(level))] = rounded_params(own_fits[0].params)
        classes.append(
            {
                "class": label,
                "abandoned": own.observed.size,
                "served": own.censored.size,
                "source": source,
            }
        )
    km = kaplan_meier(data.observed, data.censored)
    return PatienceFit(
        rounded_params(fits[0].params),
        by_class,
        pd.DataFrame(rows),
        pd.DataFrame(classes),
        km,
        fits,
        data,
    )
