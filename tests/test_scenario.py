"""Tests of the scenario layer: units, distributions, schema checks, messages and overlays.

Fast: nothing here simulates.
"""

from __future__ import annotations

import copy
import math
import pickle
from pathlib import Path

import pytest
import yaml
from conftest import CHECKS, EXAMPLES
from pydantic import ValidationError

from wsim.scenario import (
    Empirical,
    Erlang,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Normal,
    Profile,
    ScenarioError,
    Triangular,
    Uniform,
    WindowGroup,
    load_scenario,
    parse_clock,
    parse_distribution,
    parse_duration,
    resolve_mapping,
)

SMALL_HALL = EXAMPLES / "small_hall.yaml"

MINIMAL = {
    "name": "minimal",
    "calendar": {"days": 1},
    "services": {
        "s1": {"window_time": {"dist": "exponential", "mean": 10}},
        "s2": {"window_time": 5},
    },
    "demand": [{"service": "s1", "per_hour": 5}, {"service": "s2", "per_day": 20}],
    "windows": [
        {"name": "a", "count": 1, "serves": ["s1"]},
        {"name": "b", "count": 1, "serves": ["s1", "s2"]},
    ],
}


def minimal(**changes: object) -> dict:
    """A deep copy of MINIMAL with top-level fields replaced."""
    data = copy.deepcopy(MINIMAL)
    data.update(copy.deepcopy(changes))
    return data


def error_of(source: object) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(source)
    return info.value


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --- units -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "minutes"),
    [
        (10, 10.0),
        (2.5, 2.5),
        ("90s", 1.5),
        ("30 sec", 0.5),
        ("10min", 10.0),
        ("10 min", 10.0),
        ("2h", 120.0),
        ("1.5h", 90.0),
        ("2 hr", 120.0),
        ("3d", 4320.0),
        ("7", 7.0),
        (0, 0.0),
    ],
)
def test_parse_duration(value: object, minutes: float) -> None:
    assert parse_duration(value) == pytest.approx(minutes)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("45m", "'m' is not allowed: write min"),
        ("-5min", "cannot be negative"),
        (-1, "cannot be negative"),
        ("ten min", "expected a number of minutes or a string with a unit"),
        ("5 weeks", "unknown time unit 'weeks'"),
        (None, "expected a number of minutes or a string with a unit"),
        (True, "expected a number of minutes or a string with a unit"),
        ([1], "expected a number of minutes or a string with a unit"),
    ],
)
def test_parse_duration_rejects(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_duration(value)


def test_parse_duration_message_names_allowed_units() -> None:
    with pytest.raises(ValueError, match=r"allowed units: s, sec, min, h, hr, d"):
        parse_duration("45m")
    with pytest.raises(ValueError, match="negative"):
        parse_duration("-5min")


@pytest.mark.parametrize(
    ("value", "minutes"),
    [("08:30", 510.0), ("8:30", 510.0), ("17:00", 1020.0), ("00:00", 0.0), ("24:00", 1440.0)],
)
def test_parse_clock(value: str, minutes: float) -> None:
    assert parse_clock(value) == minutes


def test_yaml_base60_clock_is_minutes_after_midnight() -> None:
    # PyYAML reads an unquoted 8:30 as the integer 510; that is the same time as "08:30".
    loaded = yaml.safe_load("open: 8:30\nclose: 17:00\nquoted: '08:30'")
    assert loaded["open"] == 510
    assert parse_clock(loaded["open"]) == parse_clock(loaded["quoted"]) == 510.0
    assert parse_clock(loaded["close"]) == 1020.0


@pytest.mark.parametrize("value", ["24:30", "25:00", "8:60", "8h", "noon", -5, 1441, None, True])
def test_parse_clock_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock(value)


# --- distributions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "kind", "mean", "variance"),
    [
        ({"dist": "exponential", "mean": "2min"}, Exponential, 2.0, 4.0),
        ({"dist": "fixed", "value": "90s"}, Fixed, 1.5, 0.0),
        ({"dist": "uniform", "min": 2, "max": 8}, Uniform, 5.0, 3.0),
        ({"dist": "triangular", "min": 0, "mode": 3, "max": 6}, Triangular, 3.0, 1.5),
        ({"dist": "lognormal", "mean": 10, "sd": 4}, Lognormal, 10.0, 16.0),
        ({"dist": "gamma", "mean": 10, "cv": 0.5}, Gamma, 10.0, 25.0),
        ({"dist": "erlang", "mean": 12, "k": 3}, Erlang, 12.0, 48.0),
        ({"dist": "empirical", "values": [1, 2, 3, "4min"]}, Empirical, 2.5, 1.25),
        ({"dist": "normal", "mean": 100, "sd": 5}, Normal, 100.0, 25.0),
    ],
)
def test_distribution_moments(spec: dict, kind: type, mean: float, variance: float) -> None:
    dist = parse_distribution(spec)
    assert isinstance(dist, kind)
    assert dist.expected() == pytest.approx(mean)
    assert dist.variance() == pytest.approx(variance)
    assert dist.scv() == pytest.approx(variance / mean**2)


def test_normal_moments_are_those_of_the_truncated_variable() -> None:
    # reference: scipy.stats.truncnorm(a=-0.8, b=inf, loc=4, scale=5).mean() and .var()
    dist = parse_distribution({"dist": "normal", "mean": 4, "sd": 5})
    assert dist.expected() == pytest.approx(5.83780712473824)
    assert dist.variance() == pytest.approx(14.271236473308404)
    assert parse_distribution({"dist": "normal", "mean": 4, "sd": 0}).expected() == 4


def test_lognormal_log_params() -> None:
    dist = parse_distribution({"dist": "lognormal", "mean": 12, "sd": 6})
    mu, sigma = dist.log_params()
    assert sigma**2 == pytest.approx(math.log(1 + 6**2 / 12**2))
    assert math.exp(mu + sigma**2 / 2) == pytest.approx(12)
    assert (math.exp(sigma**2) - 1) * math.exp(2 * mu + sigma**2) == pytest.approx(36)


@pytest.mark.parametrize(("value", "minutes"), [(7, 7.0), (2.5, 2.5), ("90s", 1.5), ("1h", 60.0)])
def test_bare_value_means_fixed(value: object, minutes: float) -> None:
    assert parse_distribution(value) == Fixed(value=minutes)


@pytest.mark.parametrize(
    ("spec", "path", "text"),
    [
        ({"dist": "exponential", "mean": 0}, "mean", "greater than 0"),
        ({"dist": "uniform", "min": 5, "max": 2}, "max", "must be >= min"),
        ({"dist": "triangular", "min": 1, "mode": 9, "max": 5}, "mode", "between min"),
        ({"dist": "gamma", "mean": 5, "cv": 0}, "cv", "greater than 0"),
        ({"dist": "erlang", "mean": 5, "k": 0}, "k", "at least 1"),
        ({"dist": "erlang", "mean": 5, "k": 1.5}, "k", "whole number"),
        ({"dist": "empirical", "values": []}, "values", "must not be empty"),
        ({"dist": "lognormal", "mean": 5, "sd": "-1min"}, "sd", "negative"),
        ({"dist": "expo", "mean": 5}, "dist", "did you mean 'exponential'"),
        ({"mean": 5}, "", "missing 'dist'"),
        ("5 m", "", "allowed units"),
    ],
)
def test_distribution_range_errors(spec: object, path: str, text: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_distribution(spec)
    [(found_path, message)] = info.value.problems
    assert found_path == path
    assert text in message


# --- the shipped scenarios -------------------------------------------------------------------


def test_mm2_check_loads() -> None:
    scenario = load_scenario(CHECKS / "mm2.yaml")
    assert scenario.calendar.mode == "continuous"
    assert scenario.calendar.horizon == 200000
    assert scenario.calendar.warmup == 2000
    assert scenario.services["s1"].window_time == Exponential(mean=10)
    assert scenario.demand[0].per_hour == 10.8
    assert scenario.demand[0].label == "s1@hall"
    assert scenario.windows[0].count_at(0) == 2
    assert scenario.citizens.patience is None
    assert scenario.source == CHECKS / "mm2.yaml"


def test_erlang_a_check_loads() -> None:
    scenario = load_scenario(str(CHECKS / "erlang_a.yaml"))
    assert scenario.windows[0].max_count == 9
    assert scenario.citizens.patience == Exponential(mean=10)


def test_small_hall_loads_and_is_loaded_to_about_80_percent() -> None:
    scenario = load_scenario(SMALL_HALL)
    calendar = scenario.calendar
    assert (calendar.mode, calendar.days, calendar.open, calendar.close) == ("days", 5, 510, 1020)
    comprehensive = {group.name: group for group in scenario.windows}["comprehensive"]
    assert comprehensive.schedule == ((510.0, 2), (720.0, 1), (810.0, 2))
    counts = [comprehensive.count_at(t) for t in (500, 510, 719, 720, 810, 1019)]
    assert counts == [0, 2, 2, 1, 2, 2]
    services = scenario.services
    work = sum(d.per_day * services[d.service].window_time.expected() for d in scenario.demand)
    capacity = sum(
        group.count_at(minute) for group in scenario.windows for minute in range(510, 1020)
    )
    assert 0.75 <= work / capacity <= 0.85
    priorities = {d.label: d.priority for d in scenario.demand}
    assert priorities["pension appointments"] == 1
    assert scenario.citizens.balk_at == 25
    assert scenario.targets.hall_wait == 15


def test_small_hall_overlay_adds_a_lunch_window() -> None:
    base = load_scenario(SMALL_HALL)
    option = load_scenario(EXAMPLES / "small_hall_more_windows.yaml")
    assert option.name != base.name
    assert option.description
    assert option.cost.one_off > 0 or option.cost.yearly > 0
    before = {group.name: group for group in base.windows}["comprehensive"]
    after = {group.name: group for group in option.windows}["comprehensive"]
    assert (before.count_at(750), after.count_at(750)) == (1, 2)
    assert before.count_at(600) == after.count_at(600) == 2
    assert option.services == base.services
    assert option.demand == base.demand


# --- the model itself ------------------------------------------------------------------------


def test_load_from_mapping() -> None:
    scenario = load_scenario(MINIMAL)
    assert scenario.source is None
    assert scenario.services["s2"].window_time == Fixed(value=5)
    assert load_scenario(scenario) is scenario


def test_defaults() -> None:
    scenario = load_scenario(MINIMAL)
    assert scenario.calendar.open == 510
    assert scenario.calendar.close == 1020
    assert scenario.calendar.weekdays == ("mon", "tue", "wed", "thu", "fri")
    assert scenario.cost.currency == "CNY"
    assert scenario.cost.yearly == 0
    assert scenario.targets.hall_wait == 15
    assert scenario.demand[0].channel == "hall"


def test_scenario_is_immutable() -> None:
    scenario = load_scenario(MINIMAL)
    with pytest.raises(ValidationError):
        scenario.name = "changed"
    with pytest.raises(ValidationError):
        scenario.windows[0].count = 5
    with pytest.raises(TypeError):
        scenario.demand[0] = scenario.demand[1]  # type: ignore[index]


def test_digest_is_stable_and_sensitive() -> None:
    first, second = load_scenario(MINIMAL), load_scenario(copy.deepcopy(MINIMAL))
    assert first.digest() == second.digest()
    assert len(first.digest()) == 64
    same_calendar = minimal(calendar={"days": 1, "open": "8:30"})
    assert load_scenario(same_calendar).digest() == first.digest()
    changed = minimal(windows=[{**MINIMAL["windows"][0], "count": 2}, MINIMAL["windows"][1]])
    assert load_scenario(changed).digest() != first.digest()


def test_digest_ignores_source_and_to_dict_loads_again() -> None:
    from_file = load_scenario(SMALL_HALL)
    again = load_scenario(from_file.to_dict())
    assert again.source is None
    assert again.digest() == from_file.digest()
    assert again.model_dump() == from_file.model_dump()
    check = load_scenario(CHECKS / "mm2.yaml")
    assert load_scenario(check.to_dict()).digest() == check.digest()


def test_demand_labels() -> None:
    demand = minimal(
        demand=[
            {"service": "s1", "per_hour": 1},
            {"service": "s1", "per_hour": 1, "priority": 2},
            {"service": "s2", "per_hour": 1, "name": "walk-ins"},
        ]
    )
    assert [d.label for d in load_scenario(demand).demand] == ["s1@hall", "s1@hall#p2", "walk-ins"]


def test_profile_weights() -> None:
    profile = Profile.model_validate({"10:00": 2.5, "08:30": 1, 720: 0.5})
    assert profile.points == ((510.0, 1.0), (600.0, 2.5), (720.0, 0.5))
    assert [profile.weight_at(t) for t in (0, 510, 599, 600, 720, 1439)] == [0, 1, 1, 2.5, 0.5, 0.5]
    assert profile.weight_between(510, 720) == pytest.approx(90 * 1 + 120 * 2.5)
    assert Profile.model_validate(profile.model_dump()) == profile


def test_window_schedule_normalized() -> None:
    group = WindowGroup.model_validate(
        {"name": "w", "serves": ["s"], "schedule": {"13:30": 2, "08:30": 2, "12:00": 1}}
    )
    assert group.schedule == ((510.0, 2), (720.0, 1), (810.0, 2))
    assert group.max_count == 2
    assert group.count_at(0) == 0
    assert group.count_at(750) == 1


def test_scenario_error_pickles() -> None:
    error = error_of(minimal(name=""))
    copy_ = pickle.loads(pickle.dumps(error))
    assert str(copy_) == str(error)
    assert copy_.problems == error.problems


# --- error messages --------------------------------------------------------------------------


def test_unknown_key_suggests_the_right_one() -> None:
    bad = minimal(windows=[{"name": "a", "cout": 1, "serves": ["s1"]}, MINIMAL["windows"][1]])
    error = error_of(bad)
    assert error.file is None
    assert str(error) == (
        "<dict>: windows[0].cout: unknown field 'cout'; did you mean 'count'? "
        "allowed: name, serves, count, schedule, speed, hourly_cost, day_schedules, learning, "
        "training, turnover"
    )


def test_unknown_service_in_serves() -> None:
    windows = copy.deepcopy(MINIMAL["windows"])
    windows[1]["serves"] = ["s3", "s2"]
    [(path, message)] = error_of(minimal(windows=windows)).problems
    assert path == "windows[1].serves[0]"
    assert "unknown service 's3'" in message
    assert "allowed: s1, s2" in message


def test_unknown_service_in_demand_suggests() -> None:
    services = {"pension": {"window_time": 5}, "medical": {"window_time": 5}}
    bad = minimal(
        services=services,
        demand=[{"service": "pensoin", "per_hour": 1}],
        windows=[{"name": "a", "count": 1, "serves": ["pension", "medical"]}],
    )
    [(path, message)] = error_of(bad).problems
    assert path == "demand[0].service"
    assert "did you mean 'pension'?" in message


def test_wrong_distribution_name() -> None:
    services = {
        "s1": {"window_time": {"dist": "lognorm", "mean": 5, "sd": 1}},
        "s2": {"window_time": 5},
    }
    [(path, message)] = error_of(minimal(services=services)).problems
    assert path == "services.s1.window_time.dist"
    assert "unknown distribution 'lognorm'; did you mean 'lognormal'?" in message
    assert "allowed: exponential, fixed, uniform" in message


def test_bad_distribution_parameter_path_hides_pydantic_tags() -> None:
    services = {
        "s1": {"window_time": {"dist": "exponential", "mean": -3}},
        "s2": {"window_time": 5},
    }
    [(path, message)] = error_of(minimal(services=services)).problems
    assert path == "services.s1.window_time.mean"
    assert "negative" in message


def test_missing_required_field() -> None:
    windows = [{"name": "a", "count": 1}, MINIMAL["windows"][1]]
    [(path, message)] = error_of(minimal(windows=windows)).problems
    assert (path, message) == ("windows[0].serves", "required field is missing")
    data = minimal()
    del data["calendar"]
    assert error_of(data).problems == [("calendar", "required field is missing")]


def test_type_error_shows_found_value() -> None:
    demand = [{"service": "s1", "per_hour": [1, 2]}, MINIMAL["demand"][1]]
    [(path, message)] = error_of(minimal(demand=demand)).problems
    assert path == "demand[0].per_hour"
    assert message == "expected a number, found [1, 2]"


def test_literal_error_lists_allowed_values() -> None:
    demand = [{"service": "s1", "per_hour": 1, "channel": "web"}, MINIMAL["demand"][1]]
    [(path, message)] = error_of(minimal(demand=demand)).problems
    assert path == "demand[0].channel"
    assert message.endswith("allowed: hall, online, kiosk, phone, any")


def test_demand_channel_must_be_one_the_service_allows() -> None:
    demand = [{"service": "s1", "per_hour": 1, "channel": "online"}, MINIMAL["demand"][1]]
    [(path, message)] = error_of(minimal(demand=demand)).problems
    assert path == "demand[0].channel"
    assert message == "service 's1' cannot start in channel 'online'; allowed: hall (or any)"


def test_weekday_factor_keys() -> None:
    demand = [{"service": "s1", "per_day": 5, "weekday_factors": {"monday": 1.2}}]
    [(path, message)] = error_of(minimal(demand=demand)).problems
    assert path == "demand[0].weekday_factors.monday"
    assert "did you mean 'mon'?" in message


def test_count_and_schedule_both_given() -> None:
    windows = [{"name": "a", "count": 1, "schedule": {"08:30": 1}, "serves": ["s1", "s2"]}]
    [(path, message)] = error_of(minimal(windows=windows)).problems
    assert path == "windows[0]"
    assert message == "give exactly one of count or schedule, found both"


def test_schedule_entries_are_checked() -> None:
    windows = [{"name": "a", "schedule": {"25:00": 1, "12:00": 1.5}, "serves": ["s1", "s2"]}]
    problems = error_of(minimal(windows=windows)).problems
    assert [path for path, _ in problems] == ["windows[0].schedule"] * 2
    assert "'25:00'" in problems[0][1]
    assert "whole number" in problems[1][1]
    same_time = [{"name": "a", "schedule": {"12:00": 1, 720: 2}, "serves": ["s1", "s2"]}]
    assert "two entries for 12:00" in str(error_of(minimal(windows=same_time)))


def test_speed_keys_must_be_served() -> None:
    windows = [{"name": "a", "count": 1, "serves": ["s1", "s2"], "speed": {"s3": 0.8}}]
    [(path, _message)] = error_of(minimal(windows=windows)).problems
    assert path == "windows[0].speed.s3"


def test_demand_needs_a_window_and_a_known_profile() -> None:
    windows = [{"name": "a", "count": 1, "serves": ["s1"]}]
    problems = error_of(minimal(windows=windows)).problems
    assert problems == [
        ("demand[1].service", "no window group serves 's2'; add it to the serves of a group (a)")
    ]
    demand = [{"service": "s1", "per_day": 5, "profile": "peek"}]
    data = minimal(demand=demand, profiles={"peak": {"09:00": 1}})
    [(path, message)] = error_of(data).problems
    assert path == "demand[0].profile"
    assert "did you mean 'peak'?" in message


def test_rate_and_profile_rules() -> None:
    both = [{"service": "s1", "per_hour": 1, "per_day": 5}]
    assert error_of(minimal(demand=both)).problems == [
        ("demand[0]", "give exactly one of per_hour or per_day, found both")
    ]
    profile_with_rate = [{"service": "s1", "per_hour": 1, "profile": "p"}]
    [(path, _)] = error_of(minimal(demand=profile_with_rate, profiles={"p": {"9:00": 1}})).problems
    assert path == "demand[0].profile"
    closed = [{"service": "s1", "per_day": 5, "profile": "night"}]
    message = str(error_of(minimal(demand=closed, profiles={"night": {"18:00": 1}})))
    assert "no weight during the opening hours 08:30-17:00" in message


def test_duplicate_names_and_labels() -> None:
    windows = [MINIMAL["windows"][0], {**MINIMAL["windows"][1], "name": "a"}]
    assert error_of(minimal(windows=windows)).problems[0][0] == "windows[1].name"
    demand = [*MINIMAL["demand"], {"service": "s1", "per_hour": 3}]
    [(path, message)] = error_of(minimal(demand=demand)).problems
    assert path == "demand[2]"
    assert "duplicate demand label 's1@hall'" in message


def test_calendar_rules() -> None:
    continuous = {"mode": "continuous", "open": "08:00"}
    problems = error_of(minimal(calendar=continuous)).problems
    assert [path for path, _ in problems] == ["calendar.open", "calendar.horizon"]
    late_warmup = {"mode": "continuous", "horizon": "1d", "warmup": "2d"}
    assert error_of(minimal(calendar=late_warmup)).problems[0][0] == "calendar.warmup"
    closed = {"open": "17:00", "close": "08:30"}
    assert error_of(minimal(calendar=closed)).problems[0][0] == "calendar.close"
    horizon_in_days = {"days": 2, "horizon": "2d"}
    assert error_of(minimal(calendar=horizon_in_days)).problems[0][0] == "calendar.horizon"


def test_several_problems_in_one_message() -> None:
    windows = [{"name": "a", "cout": 1, "serves": ["s1"]}, {"name": "b", "serves": ["s1", "s2"]}]
    text = str(error_of(minimal(windows=windows)))
    lines = text.splitlines()
    assert lines[0] == "<dict>: 2 problems"
    assert lines[1].startswith("  windows[0]")
    assert all(line.startswith("  ") for line in lines[1:])


# --- files -----------------------------------------------------------------------------------


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "name: x\ncalendar: {days: 1\nservices: {}\n")
    error = error_of(path)
    assert error.file == str(path)
    assert str(error).startswith(f"{path}: invalid YAML at line 3")


def test_duplicate_yaml_key_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", "name: x\nname: y\n")
    assert "line 2" in str(error_of(path))
    assert "duplicate key 'name'" in str(error_of(path))


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    assert str(error_of(path)) == f"{path}: file not found"


@pytest.mark.parametrize(("text", "words"), [("- a\n- b\n", "found a list"), ("", "empty")])
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, words: str) -> None:
    error = error_of(write(tmp_path, "odd.yaml", text))
    assert words in str(error)
    assert "odd.yaml" in str(error)


def test_error_in_file_names_the_file(tmp_path: Path) -> None:
    data = minimal(demand=[{"service": "s1", "per_hour": "many"}])
    path = write(tmp_path, "bad.yaml", yaml.safe_dump(data))
    assert str(error_of(path)).startswith(f"{path}: demand[0].per_hour: expected a number")


# --- overlays --------------------------------------------------------------------------------


@pytest.fixture
def base_file(tmp_path: Path) -> Path:
    return write(tmp_path, "base.yaml", yaml.safe_dump(MINIMAL, sort_keys=False))


def overlay(folder: Path, changes: dict, file_name: str = "option.yaml", **top: object) -> Path:
    return write(
        folder, file_name, yaml.safe_dump({"base": "base.yaml", "changes": changes, **top})
    )


def test_overlay_merges_named_items_and_mappings(base_file: Path) -> None:
    path = overlay(
        base_file.parent,
        {"windows": [{"name": "b", "count": 3}], "calendar": {"close": "18:00"}},
        name="Option",
        cost={"one_off": 1000, "yearly": 500},
    )
    scenario = load_scenario(path)
    assert scenario.name == "Option"
    assert scenario.cost.yearly == 500
    assert [(g.name, g.count, g.serves) for g in scenario.windows] == [
        ("a", 1, ("s1",)),
        ("b", 3, ("s1", "s2")),
    ]
    assert (scenario.calendar.days, scenario.calendar.close) == (1, 1080)
    assert scenario.source == path


def test_overlay_appends_and_removes_by_name(base_file: Path) -> None:
    changes = {
        "windows": [{"name": "a", "remove": True}, {"name": "c", "count": 1, "serves": ["s1"]}]
    }
    scenario = load_scenario(overlay(base_file.parent, changes))
    assert [group.name for group in scenario.windows] == ["b", "c"]


def test_overlay_replaces_lists_given_whole_and_plain_lists(base_file: Path) -> None:
    changes = {
        "demand": {"replace": [{"service": "s2", "per_hour": 1}]},
        "windows": [{"name": "b", "serves": ["s2"]}],
    }
    scenario = load_scenario(overlay(base_file.parent, changes))
    assert [d.label for d in scenario.demand] == ["s2@hall"]
    assert scenario.windows[1].serves == ("s2",)
    assert scenario.name == "minimal"


def test_overlay_removing_unknown_name(base_file: Path) -> None:
    path = overlay(base_file.parent, {"windows": [{"name": "z", "remove": True}]})
    error = error_of(path)
    assert error.file == str(path)
    assert error.problems[0][0] == "changes.windows[0].name"
    assert "allowed: a, b" in error.problems[0][1]


def test_overlay_error_names_the_overlay_file(base_file: Path) -> None:
    path = overlay(base_file.parent, {"windows": [{"name": "b", "cout": 3}]})
    text = str(error_of(path))
    assert text.startswith(f"{path} (after applying overlay on base.yaml): windows[1].cout:")
    assert "did you mean 'count'?" in text


def test_overlay_unknown_top_level_key(base_file: Path) -> None:
    path = write(base_file.parent, "option.yaml", "base: base.yaml\nchange: {}\n")
    [(key, message)] = error_of(path).problems
    assert key == "change"
    assert "did you mean 'changes'?" in message


def test_overlay_cycle(tmp_path: Path) -> None:
    write(tmp_path, "one.yaml", "base: two.yaml\n")
    write(tmp_path, "two.yaml", "base: one.yaml\n")
    text = str(error_of(tmp_path / "one.yaml"))
    assert "overlay cycle" in text
    assert "one.yaml -> " in text
    assert "two.yaml -> " in text


def test_overlay_missing_base(tmp_path: Path) -> None:
    path = write(tmp_path, "option.yaml", "base: gone.yaml\n")
    [(key, message)] = error_of(path).problems
    assert key == "base"
    assert "not found" in message


def test_overlay_of_overlay_and_resolve_mapping(base_file: Path) -> None:
    overlay(base_file.parent, {"windows": [{"name": "b", "count": 3}]}, name="Option")
    second = write(base_file.parent, "second.yaml", "base: option.yaml\nname: Second\n")
    scenario = load_scenario(second)
    assert scenario.name == "Second"
    assert scenario.windows[1].count == 3
    raw, path = resolve_mapping(second)
    assert path == second
    assert raw["windows"][1]["count"] == 3
    assert "base" not in raw


def test_overlay_as_mapping(base_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(base_file.parent)
    scenario = load_scenario({"base": "base.yaml", "changes": {"targets": {"hall_wait": "20min"}}})
    assert scenario.targets.hall_wait == 20
    assert scenario.source is None
