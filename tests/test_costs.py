"""Cost model: the shipped default file, loading TOML, refusing bad input."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from procmine.analysis.costs import CHANGE_KINDS, CostModel, load_cost_model
from procmine.errors import InputError


def write(tmp_path, text: str):
    path = tmp_path / "costs.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_file_is_shipped_and_loads():
    text = resources.files("procmine").joinpath("data/costs.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    model = CostModel.default()
    assert model.currency == raw["currency"]
    assert model.rate("Warehouse") == raw["department_rates"]["Warehouse"]
    assert model.minutes("Enter order") == raw["activity_minutes"]["Enter order"]
    assert set(model.implementation) == set(CHANGE_KINDS)
    assert set(model.running) == set(CHANGE_KINDS)
    assert all(0 <= model.residual_share[k] <= 1 for k in CHANGE_KINDS)


def test_default_file_explains_every_figure():
    text = resources.files("procmine").joinpath("data/costs.toml").read_text(encoding="utf-8")
    for key in ("default_rate", "handoff_cost", "wait_cost_per_hour", "discrepancy_minutes",
                "[implementation]", "[running]", "[department_rates]"):
        line = next(i for i, t in enumerate(text.splitlines()) if t.startswith(key))
        assert text.splitlines()[line - 1].startswith("#"), key


def test_partial_file_keeps_defaults_and_merges_kinds(tmp_path):
    path = write(tmp_path, """
currency = "CHF"
handoff_cost = 4
[department_rates]
Sales = 70
[implementation]
carrier_api = 5000
""")
    model = load_cost_model(path)
    assert model.currency == "CHF"
    assert model.handoff_cost == 4.0
    assert model.rate("Sales") == 70.0
    assert model.rate("Warehouse") == CostModel().default_rate  # table replaced
    assert model.implementation["carrier_api"] == 5000.0
    assert model.implementation["shared_data"] == CostModel().implementation["shared_data"]
    assert model.wait_cost_per_hour == CostModel().wait_cost_per_hour


def test_unknown_top_level_key_names_file_key_and_allowed(tmp_path):
    path = write(tmp_path, "handof_cost = 3\n")
    with pytest.raises(InputError) as info:
        load_cost_model(path)
    message = str(info.value)
    assert str(path) in message and "'handof_cost'" in message
    assert "handoff_cost" in message and "department_rates" in message


def test_unknown_kind_is_refused(tmp_path):
    path = write(tmp_path, "[running]\nfax_machine = 3\n")
    with pytest.raises(InputError, match=r"fax_machine.*allowed keys: customer_self_service"):
        load_cost_model(path)


@pytest.mark.parametrize("text", [
    "handoff_cost = -1\n",
    "[department_rates]\nSales = -55\n",
    "[implementation]\nshared_data = -1\n",
    "[activity_minutes]\n'Enter order' = -2\n",
])
def test_negative_values_are_refused(tmp_path, text):
    with pytest.raises(InputError, match="cannot be negative"):
        load_cost_model(write(tmp_path, text))


@pytest.mark.parametrize("text", ["handoff_cost = 'cheap'\n", "handoff_cost = true\n",
                                  "department_rates = 3\n", "currency = 3\n"])
def test_wrong_types_are_refused(tmp_path, text):
    with pytest.raises(InputError, match="must be"):
        load_cost_model(write(tmp_path, text))


def test_residual_share_above_one_is_refused(tmp_path):
    with pytest.raises(InputError, match="between 0 and 1"):
        load_cost_model(write(tmp_path, "[residual_share]\nshared_data = 1.5\n"))


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_cost_model(tmp_path / "nope.toml")
    with pytest.raises(InputError, match="not a valid TOML"):
        load_cost_model(write(tmp_path, "handoff_cost = = 3\n"))


def test_handoff_cost_of_and_rate_fallbacks():
    model = CostModel(handoff_cost=2.0, wait_cost_per_hour=0.5, default_rate=30.0)
    # 3 handoffs at 2.0 plus 4 hours of waiting at 0.5
    assert model.handoff_cost_of(count=3, wait_seconds=4 * 3600) == pytest.approx(8.0)
    assert model.rate(None) == 30.0
    assert model.rate(float("nan")) == 30.0
    assert model.rate("Nowhere") == 30.0


def _working_minutes_by_enumeration(calendar, start, end):
    """Working minutes between two whole-minute UTC times, minute by minute in local time."""
    import pandas as pd

    minutes = pd.date_range(start, end, freq="min", inclusive="left").tz_convert(
        calendar.timezone)
    hours = [int(x) * 60 + int(y) for x, y in (t.split(":") for t in (calendar.start,
                                                                        calendar.end))]
    of_day = minutes.hour * 60 + minutes.minute
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    worked = minutes.day_of_week.map(lambda d: days[d] in calendar.days).to_numpy(bool)
    holiday = pd.Index(minutes.strftime("%Y-%m-%d")).isin(list(calendar.holidays))
    return int((worked & ~holiday & (of_day >= hours[0]) & (of_day < hours[1])).sum())


@pytest.mark.parametrize("calendar_kw", [
    {},
    {"holidays": ("2024-03-29", "2024-04-01")},
    {"timezone": "Europe/Amsterdam", "start": "07:30", "end": "18:15",
     "days": ("Mon", "Tue", "Wed", "Thu", "Sat"), "holidays": ("2024-03-30",)},
])
@pytest.mark.parametrize("far_times", [False, True])  # True: a span of centuries, day by day
def test_working_seconds_equal_a_minute_by_minute_count(calendar_kw, far_times):
    import numpy as np
    import pandas as pd

    from procmine.analysis.costs import Calendar

    calendar = Calendar(**calendar_kw)
    rng = np.random.default_rng(5)
    base = pd.Timestamp("2024-03-25 00:00", tz="UTC")  # the week before Easter and DST
    starts = base + pd.to_timedelta(rng.integers(0, 8 * 24 * 60, 12), unit="min")
    ends = starts + pd.to_timedelta(rng.integers(0, 4 * 24 * 60, 12), unit="min")
    micros = np.r_[starts.as_unit("us").asi8, ends.as_unit("us").asi8]
    if far_times:
        far = np.array(["1800-01-01", "2400-01-01"], dtype="datetime64[us]")
        micros = np.r_[micros, far.astype(np.int64)]
    working = calendar.working_seconds(micros)
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        expected = _working_minutes_by_enumeration(calendar, start, end) * 60
        assert working[12 + i] - working[i] == expected
