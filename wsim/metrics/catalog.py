"""The KPIs wsim measures: label, unit, better direction and minimal important difference.

One table (:data:`KPIS`) for everything that shows KPIs (the CLI tables, the report, the
plots), so that a KPI is named, measured and judged the same way everywhere, in English and in
Chinese. The raw identifiers (``case_lead_time_days_mean``) are column names for programs; people
read the labels (``mean lead time of a case (days)``).

The minimal important difference (MID) of a KPI is the smallest change that matters to a
citizen or a manager (see ``docs/decision_rules.md``, section 6): ``{"abs": a}`` in the KPI's
unit, ``{"rel": q}`` as a fraction of the baseline mean, or both (the change must exceed each).
The defaults below are judgements, stated with their reason; a scenario overrides them in its
``decision.mid`` block and a comparison with ``compare(decision={"mid": ...})``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from wsim.texts import check_language

#: Units by key: their English and Chinese words. ``share`` KPIs are fractions shown as percent;
#: ``currency`` is replaced by the options' currency (``CNY``, 元).
UNITS: dict[str, dict[str, str]] = {
    "min": {"en": "min", "zh": "分钟"},
    "days": {"en": "days", "zh": "天"},
    "hours": {"en": "h", "zh": "小时"},
    "share": {"en": "%", "zh": "%"},
    "tickets": {"en": "tickets", "zh": "张"},
    "cases": {"en": "cases", "zh": "件"},
    "citizens": {"en": "citizens", "zh": "人"},
    "trips": {"en": "trips", "zh": "次"},
    "ratio": {"en": "busy / open", "zh": "忙碌/开放"},
    "currency": {"en": "{currency}", "zh": "{currency}"},
}


@dataclass(frozen=True)
class Kpi:
    """One KPI: what people read about it and how a change of it is judged.

    Attributes
    ----------
    name : str
        The column name in ``Results.kpis`` (the raw identifier).
    label : dict
        The label without its unit, by language (``{"en": ..., "zh": ...}``).
    unit : str
        A key of :data:`UNITS`.
    description : str
        What it measures, precisely (English; ``wsim run --help``).
    better : {"lower", "higher"} or None
        Which direction is an improvement; ``None`` where that is not clear (volumes).
    mid : mapping
        Default minimal important difference (``abs`` in the KPI's unit, fractions for shares;
        ``rel`` a fraction of the baseline mean).
    """

    name: str
    label: Mapping[str, str]
    unit: str
    description: str
    better: str | None = None
    mid: Mapping[str, float] = field(default_factory=dict)


def _kpi(name, en, zh, unit, description, better=None, **mid) -> Kpi:
    return Kpi(name, {"en": en, "zh": zh}, unit, description, better, mid)


# MIDs, and why: a minute of mean wait is what a citizen notices (and what a posted wait shows);
# shares move by whole percentage points before anyone reads them off a monthly report (1 point
# for rare events such as abandonment, 2 points for common ones); lead times and back-office
# figures by 5-10% of their level, the precision of a statutory or promised time limit.
_TABLE: tuple[Kpi, ...] = (
    _kpi("hall_arrivals", "tickets issued", "取号数", "tickets", "tickets issued (count)",
         rel=0.02),
    _kpi("hall_served", "tickets served", "办理取号数", "tickets", "tickets served (count)",
         rel=0.02),
    _kpi("hall_abandon_rate", "tickets abandoned while waiting", "等候中离开比例", "share",
         "share of tickets that left the queue before being called", "lower", abs=0.01),
    _kpi("hall_balk_rate", "citizens who left on arrival", "到达即离开比例", "share",
         "share of citizens who left on arrival because the queue was too long", "lower",
         abs=0.01),
    _kpi("hall_wait_mean", "mean wait in the hall", "大厅平均等候时间", "min",
         "mean wait of served tickets, ticket to call (min)", "lower", abs=1.0),
    _kpi("hall_wait_p50", "median wait in the hall", "大厅等候时间中位数", "min",
         "median wait of served tickets (min)", "lower", abs=1.0),
    _kpi("hall_wait_p90", "long wait in the hall (90th percentile)", "大厅长时等候（90分位）",
         "min", "90th percentile of the wait of served tickets (min)", "lower", abs=2.0),
    _kpi("hall_wait_prob", "tickets that had to wait", "需要等候的比例", "share",
         "share of served tickets that waited at all", "lower", abs=0.02),
    _kpi("hall_service_level", "tickets served within the target wait",
         "目标等候时间内办理比例", "share",
         "share of all tickets served within targets.hall_wait", "higher", abs=0.02),
    _kpi("hall_sojourn_mean", "mean time in the hall", "大厅平均停留时间", "min",
         "mean time in the hall of served tickets, ticket to end of service (min)", "lower",
         abs=1.0),
    _kpi("window_utilization", "window utilization", "窗口利用率", "share",
         "busy time over open time of all windows", abs=0.02),
    _kpi("hall_close_overrun", "overtime after closing", "闭厅后延时", "min",
         "mean minutes past closing until the last citizen is served (days mode)", "lower",
         abs=5.0),
    _kpi("cases_started", "cases started", "受理件数", "cases", "cases started (count)",
         rel=0.02),
    _kpi("case_lead_time_days_mean", "mean lead time of a case", "平均办结时长", "days",
         "mean days from first contact to result, completed cases", "lower", rel=0.05),
    _kpi("case_lead_time_days_p90", "long lead time (90th percentile)", "长办结时长（90分位）",
         "days", "90th percentile of the lead time of completed cases (days)", "lower",
         rel=0.05),
    _kpi("case_on_time_rate", "cases decided on time", "按时办结率", "share",
         "share of decided cases decided within their statutory deadline", "higher", abs=0.01),
    _kpi("cases_overdue", "overdue cases", "超期件数", "cases",
         "cases decided late or still undecided past their deadline (count)", "lower",
         rel=0.10),
    _kpi("trips_per_case_mean", "hall trips per case", "每件平均跑动次数", "trips",
         "mean hall visits per completed case", "lower", abs=0.05),
    _kpi("one_trip_rate", "cases done in at most one trip", "最多跑一次比例", "share",
         "share of completed cases with at most one hall visit", "higher", abs=0.02),
    _kpi("zero_trip_rate", "cases done without a trip", "零跑动比例", "share",
         "share of completed cases with no hall visit", "higher", abs=0.02),
    _kpi("online_share", "cases started online", "网上申办比例", "share",
         "share of cases started on the online portal", "higher", abs=0.02),
    _kpi("online_completion_rate", "online cases done without a hall visit",
         "网上申办全程网办比例", "share",
         "share of cases started online completed without a hall visit", "higher", abs=0.02),
    _kpi("handoff_wait_h_mean", "mean wait between departments", "部门间流转平均等待", "hours",
         "mean wait of a handoff between departments (hours)", "lower", abs=1.0, rel=0.10),
    _kpi("rework_rate", "cases with rework", "返工比例", "share",
         "share of decided cases with a workflow that needed rework", "lower", abs=0.01),
    _kpi("backlog_end", "cases unfinished at the end", "期末未办结件数", "cases",
         "cases started but not finished at the end of the last arrival day (count)", "lower",
         rel=0.05),
    _kpi("department_utilization", "back-office utilization", "后台人员利用率", "share",
         "back-office staff working time spent on cases", abs=0.02),
    _kpi("outage_hours", "system outage hours", "系统故障时长", "hours",
         "hours any system was down during the arrival days", "lower", abs=1.0, rel=0.10),
    _kpi("cases_hit_by_outage", "cases hit by an outage", "受故障影响件数", "cases",
         "cases that met an outage, online or in the back office (count)", "lower", rel=0.10),
    _kpi("staff_cost", "staff cost over the simulated days", "模拟期人员成本", "currency",
         "cost of open windows and back-office staff over the arrival days", "lower",
         rel=0.01),
    # the KPIs of optional mechanisms: present only in scenarios that use them
    _kpi("pre_review_delay_h_mean", "mean delay of online pre-review", "网上预审平均时长",
         "hours", "mean time from an online submission to the end of its pre-review by staff, "
         "overnight waits included (hours)", "lower", abs=1.0, rel=0.10),
    _kpi("online_switch_rate", "cases that went online instead of the hall",
         "转为网上办理比例", "share", "share of cases that went to the portal instead of the "
         "hall, for the posted hall wait or on balking", abs=0.02),
    _kpi("appointment_wait_mean", "mean wait of booked citizens from their slot",
         "预约者自预约时段起平均等候", "min", "mean wait of served booked citizens from their "
         "slot time (from arrival when they came late; 0 when called before the slot) to the "
         "call (min)", "lower", abs=1.0),
    _kpi("appointment_no_show_rate", "booked citizens who did not come", "预约爽约率", "share",
         "share of bookings whose citizen did not come", "lower", abs=0.02),
    _kpi("slot_utilisation", "appointment slot utilisation", "预约时段利用率", "share",
         "booked citizens who came over the slots' capacity (citizens per slot x slots) on the "
         "arrival days", abs=0.02),
    _kpi("walk_in_wait_mean", "mean wait of walk-ins", "现场取号者平均等候", "min",
         "mean wait of served tickets without a slot, ticket to call (min)", "lower", abs=1.0),
    _kpi("appointment_unmet_share", "citizens who found no free slot", "未约到时段比例",
         "share", "share of the citizens who wanted a slot that found none with room (they "
         "came as walk-ins)", "lower", abs=0.02),
    _kpi("case_committed_rate", "cases decided within the committed limit", "承诺时限内办结率",
         "share", "share of decided cases with a committed limit (commitment_days) decided "
         "within it", "higher", abs=0.01),
    _kpi("cases_over_commitment", "cases over the committed limit", "超承诺时限件数", "cases",
         "cases with a committed limit decided after it or still undecided (count)", "lower",
         rel=0.10),
    _kpi("bad_rating_rate", "completed cases rated bad", "差评率", "share",
         "share of the completed cases rated bad (satisfaction model)", "lower", abs=0.01),
    _kpi("bad_rating_rate_online", "online cases rated bad", "网上办件差评率", "share",
         "share of the completed cases started online rated bad", "lower", abs=0.01),
)  # fmt: skip

#: Prefix of the per-service bad-rating rates, ``bad_rating_rate:SERVICE`` (one KPI column
#: per service of a scenario with ``satisfaction``), read as ``bad_rating_rate`` of a service.
SERVICE_RATING = "bad_rating_rate:"

#: Every KPI of `Results.kpis`, in column order, by name.
KPIS: dict[str, Kpi] = {kpi.name: kpi for kpi in _TABLE}

#: KPI columns with what each measures (for `wsim run --help` and error messages).
KPI_DESCRIPTIONS: dict[str, str] = {name: kpi.description for name, kpi in KPIS.items()}

#: KPIs shown first (terminal table, report) when a comparison has them, in this order.
HEADLINE_KPIS: tuple[str, ...] = (
    "hall_wait_mean",
    "hall_service_level",
    "hall_abandon_rate",
    "case_lead_time_days_mean",
    "trips_per_case_mean",
    "one_trip_rate",
    "case_on_time_rate",
)

#: Which direction is an improvement, for the KPIs where that is clear. Others are reported
#: without a judgement (pass ``better=`` to :func:`compare` to add or override).
KPI_BETTER: dict[str, str] = {name: kpi.better for name, kpi in KPIS.items() if kpi.better}

#: Default minimal important difference of every KPI (see the module docstring).
KPI_MIDS: dict[str, dict[str, float]] = {name: dict(kpi.mid) for name, kpi in KPIS.items()}

#: Hourly measures (:mod:`wsim.metrics.hourly`): label by language and unit key.
HOURLY_LABELS: dict[str, tuple[dict[str, str], str]] = {
    "wait_mean": ({"en": "mean wait of served tickets", "zh": "已办理取号平均等候时间"}, "min"),
    "queue_mean": ({"en": "citizens waiting, time average", "zh": "排队人数，时间平均"},
                   "citizens"),
    "utilization": ({"en": "window utilization", "zh": "窗口利用率"}, "ratio"),
}  # fmt: skip


def find_kpi(name: str) -> Kpi | None:
    """The catalog entry of KPI `name`, also for a per-service rating (None if unknown)."""
    kpi = KPIS.get(name)
    if kpi is not None or not name.startswith(SERVICE_RATING):
        return kpi
    service = name[len(SERVICE_RATING) :]
    rate = KPIS["bad_rating_rate"]
    label = {lang: f"{text}: {service}" for lang, text in rate.label.items()}
    description = f"{rate.description}, cases of service {service}"
    return Kpi(name, label, rate.unit, description, rate.better, rate.mid)


def unit_text(unit: str, lang: str = "en", currency: str = "CNY") -> str:
    """The word for unit key `unit` in `lang` (``currency``: the currency, 元 for CNY in zh)."""
    words = UNITS[unit][check_language(lang)]
    money = "元" if lang == "zh" and currency == "CNY" else currency
    return words.format(currency=money)


def kpi_label(name: str, lang: str = "en", *, unit: bool = True, currency: str = "CNY") -> str:
    """The label of KPI `name` for people, with its unit in brackets (``mean wait (min)``).

    A KPI not in the catalog (a column a user added) is shown by its name.
    """
    kpi = find_kpi(name)
    if kpi is None:
        return name
    label = kpi.label[check_language(lang)]
    if not unit:
        return label
    words = unit_text(kpi.unit, lang, currency)
    return f"{label}（{words}）" if lang == "zh" else f"{label} ({words})"


def kpi_scale(name: str) -> float:
    """Factor from the KPI's stored value to its shown value: 100 for shares, else 1."""
    kpi = find_kpi(name)
    return 100.0 if kpi is not None and kpi.unit == "share" else 1.0


def hourly_label(measure: str, lang: str = "en") -> str:
    """The label of an hourly measure with its unit (``mean wait of served tickets (min)``)."""
    label, unit = HOURLY_LABELS[measure]
    words = unit_text(unit, lang)
    return f"{label[lang]}（{words}）" if lang == "zh" else f"{label[lang]} ({words})"
