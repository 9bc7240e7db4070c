"""Calibration: the likelihood machinery, fitting wsim's own output back, and the CLI.

Tolerances are stated with their reason: an estimate must land within four standard errors of
the value the data were simulated with (for a correct estimator that fails about once in
15,000 seeds, and the seeds are fixed, so these tests are deterministic), where the standard
error is the sampling error of that estimate for the sample size at hand.
"""

from __future__ import annotations

import gzip
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import wsim
from wsim.calibrate import fit, read_log, validate_against_log
from wsim.calibrate.layout import LogError, make_layout, parse_columns
from wsim.calibrate.likelihood import Durations, fit_candidates
from wsim.calibrate.patience import kaplan_meier
from wsim.cli import main
from wsim.model.calendar import open_days

# --- the likelihood ---------------------------------------------------------------------------


def _by_family(fits):
    return {fit.family: fit for fit in fits}


def test_exponential_with_censoring_matches_the_closed_form():
    # The censored exponential MLE is total time observed over the number of events.
    rng = np.random.default_rng(1)
    patience = rng.exponential(8.0, 2000)
    waits = rng.exponential(5.0, 2000)
    events, censored = patience[patience < waits], waits[waits <= patience]
    fitted = _by_family(fit_candidates(Durations(events, censored), ("exponential",)))
    closed_form = (events.sum() + censored.sum()) / events.size
    assert fitted["exponential"].params["mean"] == pytest.approx(closed_form, rel=1e-5)


def test_uncensored_exact_fits_match_scipy_and_closed_forms():
    rng = np.random.default_rng(2)
    x = rng.gamma(2.5, 1.6, 3000)
    fits = _by_family(fit_candidates(Durations(x), ("gamma", "lognormal")))
    shape, _, scale = stats.gamma.fit(x, floc=0)
    assert fits["gamma"].params["mean"] == pytest.approx(shape * scale, rel=1e-4)
    assert fits["gamma"].params["cv"] == pytest.approx(1 / math.sqrt(shape), rel=1e-3)
    # Lognormal MLE: mu and sigma are the mean and (ddof 0) sd of log x.
    mu, sigma = np.log(x).mean(), np.log(x).std()
    mean = math.exp(mu + sigma**2 / 2)
    assert fits["lognormal"].params["mean"] == pytest.approx(mean, rel=1e-4)
    assert fits["lognormal"].params["sd"] == pytest.approx(
        mean * math.sqrt(math.expm1(sigma**2)), rel=1e-3
    )


def test_rounded_times_are_fitted_as_intervals():
    # Exponential times of mean 2 min logged in whole minutes: a third are 0. The interval
    # likelihood must still find the mean (4 standard errors: 2 / sqrt(n)).
    rng = np.random.default_rng(3)
    n = 1500
    logged = np.round(rng.exponential(2.0, n))
    fitted = _by_family(fit_candidates(Durations(logged, half_step=0.5), ("exponential",)))
    assert abs(fitted["exponential"].params["mean"] - 2.0) < 4 * 2.0 / math.sqrt(n)


@pytest.mark.parametrize(
    ("family", "draw"),
    [
        ("lognormal", lambda rng: rng.lognormal(1.0, 0.8, 3000)),
        ("gamma", lambda rng: rng.gamma(2.6, 2.0, 3000)),
        ("normal", lambda rng: np.abs(rng.normal(10.0, 2.0, 3000))),
        ("exponential", lambda rng: rng.exponential(3.0, 3000)),
    ],
)
def test_aic_picks_the_family_the_data_came_from(family, draw):
    fits = fit_candidates(Durations(draw(np.random.default_rng(4))))
    assert fits[0].family == family, [(f.family, round(f.aic, 1)) for f in fits]


def test_kaplan_meier_by_hand():
    # Events at 1, 3, 4; censored at 2 and 5: S = 4/5, then 4/5 * 2/3, then * 1/2.
    km = kaplan_meier(np.array([1.0, 3.0, 4.0]), np.array([2.0, 5.0]))
    assert km["at_risk"].tolist() == [5, 3, 2]
    assert km["survival"].to_numpy() == pytest.approx([0.8, 0.8 * 2 / 3, 0.8 * 2 / 3 / 2])


# --- fitting wsim's own output ----------------------------------------------------------------

TRUTH = {
    "name": "truth",
    "calendar": {
        "mode": "days",
        "days": 10,
        "start": "mon",
        "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "open": "08:00",
        "close": "17:00",
    },
    "services": {
        "A": {"window_time": {"dist": "gamma", "mean": 6, "cv": 0.6}},
        "B": {"window_time": {"dist": "lognormal", "mean": 10, "sd": 8}},
    },
    "profiles": {"p": {"08:00": 1.0, "12:00": 2.0, "14:00": 1.0}},
    "demand": [
        {"service": "A", "per_day": 240, "profile": "p", "weekday_factors": {"mon": 1.3}},
        {"service": "B", "per_day": 80, "profile": "p"},
    ],
    "windows": [
        {"name": "w", "serves": ["A", "B"], "schedule": {"08:00": 4, "12:00": 7, "14:00": 4}}
    ],
    "citizens": {"patience": {"dist": "exponential", "mean": 10}},
}
COLUMNS = {
    "arrival": "issued",
    "start": "called",
    "end": "finished",
    "abandoned": "outcome",
    "service": "service",
    "server": "clerk",
    "id": "ticket",
    "abandoned_values": ["abandoned"],
}


def simulated_log(scenario: dict, seed: int) -> pd.DataFrame:
    """One replication's visits as a queue-system export with full timestamps."""
    loaded = wsim.load_scenario(scenario)
    visits = wsim.simulate(loaded, replications=1, seed=seed).visits
    monday = pd.Timestamp("2024-01-01")

    def stamp(minutes: pd.Series) -> pd.Series:
        return (monday + pd.to_timedelta(minutes, unit="min")).dt.strftime("%Y-%m-%d %H:%M:%S.%f")

    served = visits["outcome"] == "served"
    return pd.DataFrame(
        {
            "ticket": visits["ticket"],
            "service": visits["service"],
            "issued": stamp(visits["arrival"]),
            "called": stamp(visits["start"]).where(served, ""),
            "finished": stamp(visits["end"]),
            "outcome": visits["outcome"],
            "clerk": visits["clerk"].astype(str).where(served, ""),
        }
    )


@pytest.fixture(scope="module")
def synthetic_log() -> pd.DataFrame:
    return simulated_log(TRUTH, seed=3)


@pytest.fixture(scope="module")
def synthetic_fit(synthetic_log):
    # The estimators themselves, without the simulated capacity scale (tests/test_holdout.py
    # and the bank tests cover it).
    return fit(synthetic_log, COLUMNS, scale_capacity=False)


def test_fit_recovers_days_hours_and_arrival_rates(synthetic_fit):
    result = synthetic_fit
    assert result.log.issues.empty  # a clean log: nothing dropped or repaired
    assert [t.name for t in result.day_types] == ["default"]  # one day type: Monday-Friday
    selection = result.day_types[0].selection
    assert set(selection.weekdays) == {"mon", "tue", "wed", "thu", "fri"}
    assert (selection.open, selection.close) == (480, 1020)
    demand = {entry["service"]: entry for entry in result.mapping["demand"]}
    days = open_days(wsim.load_scenario(TRUTH).calendar)
    mondays = sum(day.weekday == "mon" for day in days)
    for entry in TRUTH["demand"]:
        factor = entry.get("weekday_factors", {}).get("mon", 1.0)
        mean_factor = (mondays * factor + len(days) - mondays) / len(days)
        expected = entry["per_day"] * mean_factor
        se = math.sqrt(expected * len(days)) / len(days)  # Poisson count over the days
        assert abs(demand[entry["service"]]["per_day"] - expected) < 4 * se, entry["service"]
    # Monday's factor relative to the mean day; each Monday holds about 300 tickets of A, so
    # the factor's standard error is about 0.05.
    monday_factor = 1.3 / ((mondays * 1.3 + len(days) - mondays) / len(days))
    assert abs(demand["A"]["weekday_factors"]["mon"] - monday_factor) < 4 * 0.05
    # The profile doubles from 12:00 to 14:00. The ratio of the mean weights inside and outside
    # that band has a relative standard error of about 4% (900 and 1600 tickets of A).
    weights = pd.Series(result.mapping["profiles"]["A"])
    peak = weights[["12:00", "12:30", "13:00", "13:30"]].mean()
    rest = weights.drop(["12:00", "12:30", "13:00", "13:30"]).mean()
    assert abs(peak / rest - 2.0) < 4 * 0.04 * 2.0


def test_fit_recovers_window_times(synthetic_fit):
    candidates = synthetic_fit.service.candidates.set_index(["service", "family"])
    windows = synthetic_fit.mapping["services"]
    n_a = len(synthetic_fit.service.values["A"])
    n_b = len(synthetic_fit.service.values["B"])
    # A: gamma, mean 6, cv 0.6. The mean's standard error is sd / sqrt(n); the cv's is about
    # cv * sqrt((1 + 2 cv^2) / (2 n)) for a gamma sample.
    assert windows["A"]["window_time"]["dist"] in ("gamma", "erlang")
    gamma = candidates.loc[("A", "gamma")]
    assert abs(gamma["mean"] - 6.0) < 4 * 3.6 / math.sqrt(n_a)
    assert abs(gamma["sd"] / gamma["mean"] - 0.6) < 4 * 0.6 * math.sqrt(1.72 / (2 * n_a))
    # B: lognormal, mean 10, sd 8; the lognormal MLE of the mean has a standard error of
    # about sd / sqrt(n), the sd's about 0.1 * sd for n ~ 800 (heavy right tail).
    assert windows["B"]["window_time"]["dist"] == "lognormal"
    assert abs(windows["B"]["window_time"]["mean"] - 10.0) < 4 * 8 / math.sqrt(n_b)
    assert abs(windows["B"]["window_time"]["sd"] - 8.0) < 4 * 0.1 * 8


def test_fit_recovers_patience_from_censored_waits(synthetic_fit):
    patience = synthetic_fit.patience
    events = patience.data.observed.size
    exponential = patience.candidates.set_index(["group", "family"]).loc[("all", "exponential")]
    # The exponential MLE's standard error is mean / sqrt(number of abandonments).
    assert abs(exponential["mean"] - 10.0) < 4 * 10.0 / math.sqrt(events)
    # Whatever family AIC chose, its survival at the true mean must be near exp(-1); the
    # standard error of S(10) is about sqrt(S (1 - S) / events).
    chosen = patience.fits[0]
    s = math.exp(-1)
    assert abs(float(chosen.frozen.sf(10.0)) - s) < 4 * math.sqrt(s * (1 - s) / events)
    # Ignoring the censored waits would make citizens look far less patient.
    assert patience.data.observed.mean() < 0.5 * exponential["mean"]


def test_fit_recovers_the_window_schedule(synthetic_fit):
    table = synthetic_fit.servers["default"].by_slot
    truth = np.where((table["slot"] >= 720) & (table["slot"] < 840), 7, 4)
    error = table["windows"].to_numpy() - truth
    # A clerk is only seen from their first call: at opening (08:00) and where three more
    # clerks start (12:00) the clerks idle before their first ticket are missed, up to one
    # window over the slot; elsewhere the ready-server estimate is the schedule, give or take
    # a quarter of a window (a clerk leaving at 14:00 finishes the citizen in service).
    starts = table["slot"].isin([480, 720]).to_numpy()
    assert np.abs(error).max() <= 1
    assert np.abs(error[~starts]).max() < 0.3, np.round(error, 2)
    assert np.abs(error).mean() < 0.15


def test_fitted_scenario_loads_and_round_trips_through_yaml(synthetic_fit, tmp_path):
    path = synthetic_fit.to_yaml(tmp_path / "fitted.yaml")
    assert wsim.load_scenario(path).digest() == synthetic_fit.scenario.digest()


def test_fit_without_server_or_service_columns(synthetic_log):
    columns = {"arrival": "issued", "start": "called", "end": "finished"}
    result = fit(synthetic_log, columns, scale_capacity=False)
    assert list(result.mapping["services"]) == ["all"]
    assert "names no servers" in result.servers["default"].estimator
    # Abandonment is inferred from "never called" without an abandonment column.
    assert result.log.tickets["abandoned"].sum() == (synthetic_log["outcome"] == "abandoned").sum()


# --- dirty rows -------------------------------------------------------------------------------

DIRTY = """id,type,date,q_start,q_exit,outcome,ser_start,ser_exit,server
1,PS,2024-03-04,9:00:00,9:01:00,AGENT,9:01:00,9:05:00,ANN
2,PS,2024-03-04,9:02:00,9:03:30,HANG,0:00:00,0:00:00,NO_SERVER
3,PS,2024-03-04,0:00:00,0:00:00,HANG,0:00:00,0:00:00,NO_SERVER
4,PS,2024-03-04,9:10:00,9:12:00,PHANTOM,9:12:00,9:12:05,NO_SERVER
1,PS,2024-03-04,9:00:00,9:01:00,AGENT,9:01:00,9:05:00,ANN
5,PS,2024-03-04,9:20:00,9:21:00,AGENT,9:21:00,9:16:00,ANN
6,PS,2024-03-04,9:30:00,9:20:00,AGENT,9:20:00,9:25:00,BOB
7,PS,2024-03-04,23:58:00,0:01:00,AGENT,0:01:00,0:05:00,BOB
8,PS,2024-03-04,ten past,9:40:00,AGENT,9:40:00,9:45:00,BOB
9,PS,someday,9:50:00,9:51:00,AGENT,9:51:00,9:55:00,BOB
10,,2024-03-04,10:00:00,10:01:00,AGENT,10:01:00,10:03:00,ANN
11,PS,2024-03-04,10:05:00,10:06:00,AGENT,0:00:00,0:00:00,ANN
12,PS,2024-03-04,10:10:00,10:11:00,AGENT,10:11:00,10:15:00,NO_SERVER
13,PS,2024-03-04,0:00:00,0:00:00,AGENT,10:20:00,10:22:00,ANN
"""


def test_dirty_rows_are_counted_and_dropped_with_a_reason(tmp_path):
    path = tmp_path / "dirty.csv"
    path.write_text(DIRTY)
    layout = make_layout({"id": "id"}, preset="anonymous-bank")
    log = read_log(path, layout)
    issues = dict(zip(log.issues["issue"], log.issues["rows"], strict=True))
    actions = dict(zip(log.issues["issue"], log.issues["action"], strict=True))
    assert issues == {
        "ignored outcome": 1,  # 4 PHANTOM
        "duplicate id": 1,  # the second row with id 1
        "unreadable date": 1,  # 9
        "unreadable arrival time": 1,  # 8
        "no arrival time": 1,  # 3: never reached the queue
        "never called, not abandoned": 1,  # 11
        "crosses midnight": 1,  # 7, repaired
        "called before issued": 1,  # 6
        "ends before it starts": 1,  # 5
        "no service type": 1,  # 10
        "served, no server": 1,  # 12, kept
    }
    assert actions["crosses midnight"] == "repaired"
    assert actions["served, no server"] == "kept"
    assert log.rows_read == 14
    assert sorted(log.tickets["row"] + 0) == [0, 1, 7, 12, 13]  # ids 1, 2, 7, 12, 13
    assert log.rows_dropped == 14 - 5
    by_row = log.tickets.set_index("row")
    midnight = by_row.loc[7]
    assert midnight["wait"] == pytest.approx(3.0)  # 23:58 -> 00:01 next day
    assert midnight["service_time"] == pytest.approx(4.0)
    assert by_row.loc[1, "abandoned"]
    assert by_row.loc[1, "wait"] == pytest.approx(1.5)
    assert by_row.loc[13, "wait"] == 0.0  # answered at once: issued when called
    assert log.resolution == pytest.approx(1 / 60)


@pytest.mark.parametrize("compression", ["gzip", "bz2", "lzma"])
def test_a_compressed_log_reads_as_the_plain_one(compression, tmp_path):
    # A semicolon-separated GB18030 file: the sniffer and the decoder both see the
    # decompressed text, so the result is the plain file's, issue for issue.
    module = pytest.importorskip(compression)
    ending = {"gzip": ".gz", "bz2": ".bz2", "lzma": ".xz"}[compression]
    text = DIRTY.replace(",", ";").replace("ANN", "安")
    plain = tmp_path / "dirty.csv"
    plain.write_text(text, encoding="gb18030")
    packed = tmp_path / f"dirty.csv{ending}"
    packed.write_bytes(module.compress(text.encode("gb18030")))
    layout = make_layout({"id": "id"}, preset="anonymous-bank")
    expected, got = read_log(plain, layout), read_log(packed, layout)
    pd.testing.assert_frame_equal(got.tickets, expected.tickets)
    pd.testing.assert_frame_equal(got.issues, expected.issues)
    assert len(got.tickets) == 5
    assert "安" in set(got.tickets["server"])


def test_a_corrupt_or_truncated_compressed_log_is_one_message(tmp_path):
    whole = gzip.compress(DIRTY.encode())
    for name, data in (("corrupt.csv.gz", b"not gzip at all"), ("cut.csv.gz", whole[:-20])):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(LogError, match=f"{name}: cannot read the log"):
            read_log(path, make_layout(preset="anonymous-bank"))


def test_dirty_timestamps_in_a_dataframe():
    frame = pd.DataFrame(
        {
            "issued": ["2024-03-04 09:00", "2024-03-04 09:05", None, "2024-03-04 09:20"],
            "called": ["2024-03-04 09:02", "2024-03-04 09:02", "2024-03-04 09:12", None],
            "finished": ["2024-03-04 09:06", "2024-03-04 09:09", "2024-03-04 09:15", None],
        }
    )
    log = read_log(frame, make_layout({"arrival": "issued", "start": "called", "end": "finished"}))
    issues = dict(zip(log.issues["issue"], log.issues["rows"], strict=True))
    assert issues == {
        "no arrival time": 1,
        "called before issued": 1,  # 3 min early; 1 min would be within the log's resolution
        "abandoned, no leaving time": 1,  # kept for rates, not for patience
    }
    assert log.tickets["abandoned"].tolist() == [False, True]  # never called = abandoned
    assert log.resolution == 1.0  # whole minutes


def test_other_export_shapes(tmp_path):
    # A semicolon-separated GB18030 export with Chinese headers and UTC offsets; the
    # abandonment column holds the time the citizen left; field names given as aliases.
    path = tmp_path / "export.csv"
    path.write_text(
        "编号;事项;取号;叫号;结束;离开\n"
        "1;社保;2024-03-04T09:00:00+08:00;2024-03-04T09:02:00+08:00;2024-03-04T09:10:00+08:00;\n"
        "2;社保;2024-03-04T09:03:00+08:00;;;2024-03-04T09:07:30+08:00\n",
        encoding="gb18030",
    )
    columns = {"issued": "取号", "service_start": "叫号", "service_end": "结束",
               "abandonment": "离开", "service_type": "事项", "ticket_id": "编号"}  # fmt: skip
    log = read_log(path, make_layout(columns))
    assert log.issues.empty
    assert log.tickets["clock"].tolist() == [540.0, 543.0]  # the hall's wall clock
    assert log.tickets["abandoned"].tolist() == [False, True]
    assert log.tickets["wait"].tolist() == [2.0, 4.5]


def test_bad_mappings_name_what_is_wrong(tmp_path):
    with pytest.raises(LogError, match="unknown field 'arival'; did you mean 'arrival'"):
        make_layout({"arival": "x"})
    with pytest.raises(LogError, match="unknown preset"):
        make_layout(preset="bank")
    with pytest.raises(LogError, match="FIELD=COLUMN"):
        parse_columns("arrival")
    path = tmp_path / "log.csv"
    path.write_text("issued,called\n09:00,09:01\n")
    with pytest.raises(LogError, match=r"clock times .* no date column"):
        read_log(path, make_layout({"arrival": "issued", "start": "called"}))


# --- the command line -------------------------------------------------------------------------


def test_cli_fit_report_and_validate_log(synthetic_log, tmp_path, capsys):
    log = tmp_path / "log.csv"
    synthetic_log.to_csv(log, index=False)
    columns = ",".join(
        f"{field}={column}" for field, column in COLUMNS.items() if isinstance(column, str)
    )
    scenario = tmp_path / "fitted.yaml"
    status = main(
        [
            "fit", str(log), "--columns", columns, "--abandoned-value", "abandoned",
            "--out", str(scenario), "--report", str(tmp_path / "report"), "--reps", "2",
            "--target-wait", "5min",
        ]
    )  # fmt: skip
    assert status == 0, capsys.readouterr().err
    assert wsim.load_scenario(scenario).targets.hall_wait == 5.0
    html = (tmp_path / "report" / "report.html").read_text()
    assert "Validation: simulated against the log" in html
    assert "data:image/png;base64," in html
    assert (tmp_path / "report" / "service_candidates.csv").exists()
    status = main(
        [
            "validate-log", str(scenario), str(log), "--columns", columns,
            "--abandoned-value", "abandoned", "--reps", "2", "--out", str(tmp_path / "val"),
        ]
    )  # fmt: skip
    assert status == 0
    assert (tmp_path / "val" / "validation.png").exists()
    assert "wait_mean" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--columns", "arrival=issud"], "no column 'issud'; did you mean 'issued'"),
        (["--preset", "no-such"], "unknown preset 'no-such'"),
        (["--columns", "arrival=issued", "--days", "funday"], "unknown weekday 'funday'"),
    ],
)
def test_cli_bad_input_is_one_message_and_exit_2(synthetic_log, tmp_path, capsys, args, message):
    log = tmp_path / "log.csv"
    synthetic_log.head(50).to_csv(log, index=False)
    status = main(["fit", str(log), "--out", str(tmp_path / "s.yaml"), *args])
    err = capsys.readouterr().err
    assert status == 2
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_cli_unreadable_log_is_exit_2(tmp_path, capsys):
    missing = tmp_path / "missing.csv"
    assert main(["fit", str(missing), "--preset", "anonymous-bank", "--out", "x.yaml"]) == 2
    assert "cannot read the log" in capsys.readouterr().err
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81garbage\n\x00\x00")
    assert main(["fit", str(binary), "--preset", "anonymous-bank", "--out", "x.yaml"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_fitted_file_validates_against_its_log(synthetic_fit, synthetic_log, tmp_path):
    path = synthetic_fit.to_yaml(tmp_path / "fitted.yaml")
    validation = validate_against_log(path, synthetic_log, COLUMNS, replications=3, seed=1)
    assert validation.dates == synthetic_fit.dates
    assert set(validation.overall["group"]) == {"all", "default"}
    # Arrivals per day: a Poisson volume of about 340 tickets a day over 10 days on each side,
    # so the simulated mean is within a few percent of the logged one.
    assert abs(validation.errors()["arrivals"]) < 0.05
