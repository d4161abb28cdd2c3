"""The sample generator: determinism, and a ground truth that the raw extracts bear out.

Expectations are computed here from the raw CSV files with plain pandas (an independent
reading of the sources file), never from the generator's own tables.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import procmine
from procmine.cli import main
from procmine.errors import UsageError
from procmine.generate import GeneratedSample, generate

SOURCE_ORDER = ("erp", "wms", "billing", "returns")
ITEMS = {
    "delivery_address": "customer", "order_lines": "customer", "requested_date": "customer",
    "supplier_delivery_date": "supplier", "tracking_number": "carrier",
    "return_reason": "customer", "price": "internal",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> GeneratedSample:
    return generate(600, seed=3, out=tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def spec(sample) -> dict:
    return tomllib.loads(sample.sources_file.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def truth(sample) -> dict:
    return json.loads(sample.ground_truth.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def claimed(sample) -> pd.DataFrame:
    return pd.read_csv(sample.out / "ground_truth" / "reentries.csv", dtype=str,
                       keep_default_na=False)


# -- an independent reading of the extracts ---------------------------------------------------


def _raw(folder: Path, spec: dict, source: str) -> pd.DataFrame:
    cfg = spec["sources"][source]
    return pd.read_csv(folder / cfg["file"], sep=cfg["delimiter"], encoding=cfg["encoding"],
                       dtype=str, keep_default_na=False)


def _times(raw: pd.DataFrame, cfg: dict) -> pd.Series:
    """UTC times as the sources file says to read them; NaT where unparseable."""
    column = raw[cfg["columns"]["timestamp"]]
    if "timestamp_format" in cfg:
        parsed = pd.to_datetime(column, format=cfg["timestamp_format"], errors="coerce")
    else:
        parsed = pd.to_datetime(column, format="ISO8601", errors="coerce", utc=True)
    if parsed.dt.tz is None:
        parsed = parsed.dt.tz_localize(cfg["timezone"], ambiguous="NaT", nonexistent="NaT")
    return parsed.dt.tz_convert("UTC")


def _rejects(folder: Path, spec: dict, raws: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Which rows a loader must reject, found from the raw files alone."""
    lookup = pd.read_csv(folder / spec["lookups"]["picklist_order"]["file"], dtype=str)
    out = []
    for source in SOURCE_ORDER:
        raw, cfg = raws[source], spec["sources"][source]
        rows = pd.Series(np.arange(2, len(raw) + 2))
        checks = [
            ("missing activity", raw[cfg["columns"]["activity"]].str.strip() == ""),
            ("unparseable timestamp", _times(raw, cfg).isna()),
            ("duplicate event", raw.duplicated(keep="first")),
        ]
        if source == "wms":
            checks.append(("no correlation to an order",
                           ~raw["PickListNo"].isin(lookup["PickListNo"])))
        for reason, mask in checks:
            out.extend((source, int(r), reason) for r in rows[mask.to_numpy()])
    return pd.DataFrame(out, columns=["source", "row", "reason"])


def _events(folder: Path, spec: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(events, rejects) of the sample, read independently of procmine's loader."""
    raws = {s: _raw(folder, spec, s) for s in SOURCE_ORDER}
    rejects = _rejects(folder, spec, raws)
    picklists = pd.read_csv(folder / spec["lookups"]["picklist_order"]["file"], dtype=str)
    pl_order = dict(zip(picklists["PickListNo"], "SO-" + picklists["OrderRef"], strict=True))
    billing = raws["billing"]
    inv_refs = dict(zip(billing["InvoiceNo"], billing["OrderRefs"], strict=False))
    frames = []
    for rank, source in enumerate(SOURCE_ORDER):
        raw, cfg = raws[source], spec["sources"][source]
        frame = pd.DataFrame({
            "row": np.arange(2, len(raw) + 2), "source": source, "rank": rank,
            "activity": raw[cfg["columns"]["activity"]],
            "resource": raw[cfg["columns"]["resource"]],
            "utc": _times(raw, cfg),
        })
        if source == "erp":
            frame["orders"] = raw["OrderNo"].str.split(";")
            frame["department"] = raw["Department"]
            frame["party"] = raw["PartyType"]
            frame["robot"] = raw["UserType"] == "Robot"
        elif source == "wms":
            frame["orders"] = raw["PickListNo"].map(pl_order).str.split(";")
            frame["department"] = raw["Department"]
            frame["party"] = raw["ActorType"]
            frame["object_id"] = raw["Unit"]
            frame["package"] = raw["PackageNo"]
        elif source == "billing":
            frame["orders"] = raw["OrderRefs"].str.split(";")
            frame["department"] = "Billing"
            frame["party"] = "internal"
        else:
            frame["orders"] = raw["InvoiceNo"].map(inv_refs).str.split(";")
            frame["department"] = raw["Handler"].map(cfg["department_by_resource"]).fillna("")
            frame["party"] = "internal"
        for item, column in cfg["items"].items():
            frame[item] = raw[column]
        bad = rejects.loc[rejects["source"] == source, "row"]
        frame = frame[~frame["row"].isin(bad)]
        frame["n"] = frame["orders"].str.len()
        frame = frame.explode("orders", ignore_index=True).rename(columns={"orders": "case_id"})
        frame["k"] = frame.groupby("row").cumcount() + 1
        frame["event_id"] = source + ":" + frame["row"].astype(str)
        multi = frame["n"] > 1
        frame.loc[multi, "event_id"] = frame["event_id"] + ":" + frame["k"].astype(str)
        frames.append(frame)
    events = pd.concat(frames, ignore_index=True)
    events["department"] = events["department"].replace(["Empty", "N/A"], "")
    events["object_id"] = events["object_id"].fillna("")
    events["package"] = events["package"].fillna("")
    events["robot"] = events["robot"].fillna(False).astype(bool)
    for item in ITEMS:
        if item not in events:
            events[item] = ""
        events[item] = events[item].fillna("")
    events = events.sort_values(["case_id", "utc", "rank", "row", "k"], kind="stable")
    return events.reset_index(drop=True), rejects


def _norm(values: pd.Series) -> pd.Series:
    return values.str.strip().str.replace(r"\s+", " ", regex=True).str.casefold()


def _expected_reentries(events: pd.DataFrame) -> pd.DataFrame:
    out = []
    for item in ITEMS:
        entries = events[events[item] != ""]
        entries = entries.assign(scope=entries["case_id"] + "/" + entries["object_id"])
        first = entries.groupby("scope").head(1).set_index("scope")
        later = entries[entries.duplicated("scope")]
        ref = first.loc[later["scope"]]
        out.append(pd.DataFrame({
            "case_id": later["case_id"].to_numpy(), "item": item,
            "event_id": later["event_id"].to_numpy(),
            "first_department": ref["department"].to_numpy(),
            "repeat_department": later["department"].to_numpy(),
            "same_value": np.where(_norm(later[item]).to_numpy() == _norm(ref[item]).to_numpy(),
                                   "true", "false"),
        }))
    return pd.concat(out, ignore_index=True)


@pytest.fixture(scope="module")
def independent(sample, spec) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _events(sample.out, spec)


# -- determinism ------------------------------------------------------------------------------


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    a = generate(120, seed=5, out=tmp_path / "a")
    generate(120, seed=5, out=tmp_path / "b")
    generate(120, seed=6, out=tmp_path / "c")
    first, second, other = (_contents(tmp_path / x) for x in "abc")
    assert first == second
    assert set(first) == set(other)
    assert first["erp_sales_orders.csv"] != other["erp_sales_orders.csv"]
    assert {p.name for p in a.files} == {Path(k).name for k in first}


def test_committed_sample_equals_a_fresh_generation(tmp_path, sample_logs_dir):
    if not (sample_logs_dir / "sources.toml").is_file():
        pytest.skip("sample_logs/ has not been generated")
    fresh = generate(1000, seed=42, out=tmp_path / "fresh")
    for path in fresh.files:
        relative = path.relative_to(fresh.out)
        assert (sample_logs_dir / relative).read_bytes() == path.read_bytes(), relative


def test_sample_readme_states_how_to_regenerate_and_the_ground_truth(sample_logs_dir):
    readme = sample_logs_dir / "README.md"
    if not (sample_logs_dir / "sources.toml").is_file():
        pytest.skip("sample_logs/ has not been generated")
    text = readme.read_text(encoding="utf-8")
    truth = json.loads((sample_logs_dir / "ground_truth" / "ground_truth.json").read_text())
    assert "procmine generate --orders 1000 --seed 42 --out sample_logs" in text
    assert f"{truth['events']:,} in {truth['cases']:,} cases" in text
    assert f"re-entries | {truth['counts']['reentries']:,}" in text
    assert f"({truth['counts']['injected_rejects']} rows" in text
    size = sum(p.stat().st_size for p in sample_logs_dir.rglob("*")
               if p.is_file() and "changed" not in p.relative_to(sample_logs_dir).parts)
    assert size < 5_000_000  # the second sample, changed/, has its own bound


# -- the files and the sources file -----------------------------------------------------------


def test_sources_file_declares_items_owners_and_lookups(spec, sample):
    assert {k: v["owner"] for k, v in spec["items"].items()} == ITEMS
    assert list(spec["sources"]) == list(SOURCE_ORDER)
    assert spec["lookups"]["invoice_orders"]["separator"] == ";"
    assert spec["sources"]["returns"]["case"]["via"] == ["invoice_orders"]
    for cfg in spec["sources"].values():
        assert (sample.out / cfg["file"]).is_file()


def test_extracts_differ_like_real_systems(sample, spec):
    erp = _raw(sample.out, spec, "erp")
    wms = _raw(sample.out, spec, "wms")
    picklists = pd.read_csv(sample.out / "wms_picklists.csv", dtype=str)
    billing = _raw(sample.out, spec, "billing")
    assert erp["OrderNo"].str.fullmatch(r"SO-\d{6}").all()
    assert erp["ChangedAt"].str.endswith("Z").mean() > 0.99
    assert wms["EventTime"].str.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d").mean() > 0.99
    assert wms["PickListNo"].str.startswith("PL-").all()
    assert picklists["OrderRef"].str.fullmatch(r"\d+").all()
    assert billing["OrderRefs"].str.contains(";").any()
    text = (sample.out / "returns_cases.csv").read_bytes()
    assert b"\x96" in text  # an en dash in Windows-1252
    with pytest.raises(UnicodeDecodeError):
        text.decode("utf-8")


def test_row_and_event_counts_match_the_raw_files(sample, spec, truth, independent):
    events, _ = independent
    for source in SOURCE_ORDER:
        raw = _raw(sample.out, spec, source)
        assert truth["rows_per_source"][source] == len(raw) == sample.rows[source]
        assert truth["events_per_source"][source] == int((events["source"] == source).sum())
    assert truth["events"] == len(events) == sample.events
    assert truth["orders"] == 600 == events["case_id"].nunique() == truth["cases"]


def test_injected_rejects_are_exactly_the_bad_rows(truth, independent):
    _, rejects = independent
    claimed = pd.DataFrame(truth["injected_rejects"])
    key = ["source", "row", "reason"]
    assert sorted(map(tuple, claimed[key].to_numpy().tolist())) == sorted(
        map(tuple, rejects[key].to_numpy().tolist()))
    assert set(claimed["reason"]) == {"unparseable timestamp", "missing activity",
                                      "duplicate event", "no correlation to an order"}
    rows = sum(truth["rows_per_source"].values())
    assert 0.0005 < len(claimed) / rows < 0.005


def test_every_reentry_is_listed_with_the_right_departments_and_same_value(claimed,
                                                                           independent):
    events, _ = independent
    expected = _expected_reentries(events)
    columns = ["case_id", "item", "event_id", "first_department", "repeat_department",
               "same_value"]
    got = claimed[columns].sort_values(["event_id", "item"]).reset_index(drop=True)
    want = expected[columns].sort_values(["event_id", "item"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_reentry_rows_carry_the_values_claimed(sample, spec, claimed):
    raws = {s: _raw(sample.out, spec, s) for s in SOURCE_ORDER}
    source = claimed["event_id"].str.split(":").str[0]
    row = claimed["event_id"].str.split(":").str[1].astype(int)
    for (src, item), group in claimed.groupby([source, claimed["item"]]):
        column = spec["sources"][src]["items"][item]
        values = raws[src][column].to_numpy()[row[group.index] - 2]
        assert (values == group["repeat_value"].to_numpy()).all(), (src, item)
    same = _norm(claimed["first_value"]) == _norm(claimed["repeat_value"])
    assert (same == (claimed["same_value"] == "true")).all()


def test_reentries_cover_every_item_with_some_discrepancies(claimed, truth):
    assert set(claimed["item"]) == set(ITEMS)
    assert (claimed["same_value"] == "false").any()
    assert (claimed["first_department"] != claimed["repeat_department"]).all()
    assert truth["counts"]["reentries"] == len(claimed)


def test_handoffs_by_design_follow_from_the_events(truth, independent):
    events, _ = independent
    outside = events["party"].isin(["customer", "supplier", "carrier"])
    events = events.assign(department=events["department"].where(
        (events["department"] != "") | ~outside, events["party"]))
    known = events[events["department"] != ""]
    same_case = known["case_id"].to_numpy()[1:] == known["case_id"].to_numpy()[:-1]
    dept = known["department"].to_numpy()
    moves = same_case & (dept[1:] != dept[:-1])
    pairs = pd.Series(list(zip(dept[:-1][moves], dept[1:][moves], strict=True))).value_counts()
    claimed = {(h["from"], h["to"]): h["count"] for h in truth["handoffs_by_design"]}
    assert claimed == {pair: int(count) for pair, count in pairs.items()}
    assert ("Warehouse", "Shipping") in claimed and ("Shipping", "Billing") in claimed


def test_candidates_name_steps_that_exist(truth, independent):
    events, _ = independent
    steps = set(zip(events["activity"], events["department"], strict=True))
    kinds = {"customer_self_service", "supplier_portal_edi", "carrier_api", "shared_data"}
    for candidate in truth["candidates"]:
        assert (candidate["activity"], candidate["department"]) in steps
        assert candidate["kind"] in kinds
        assert candidate["item"] is None or ITEMS[candidate["item"]] == candidate["owner"]
    assert {c["kind"] for c in truth["candidates"]} == kinds


def test_outside_parties_and_system_accounts(independent, spec):
    events, _ = independent
    assert set(events["party"]) == {"internal", "customer", "supplier", "carrier"}
    outside = events[events["party"] != "internal"]
    assert (outside["department"] == "").all()
    assert spec["sources"]["erp"]["automated_column"] == "UserType"
    assert "automated_resources" not in spec["sources"]["erp"]
    assert spec["sources"]["wms"]["object_column"] == "Unit"
    scans = events[events["activity"] == "Carrier pick-up scan"]
    assert (scans["party"] == "carrier").all() and (scans["tracking_number"] != "").all()
    supplier = events[events["activity"] == "Supplier confirms delivery date"]
    assert (supplier["party"] == "supplier").all()
    assert events["resource"].str.fullmatch(r"[a-z]+\.[a-z]+").any()  # named users


def test_people_work_on_weekdays_in_office_hours(independent, spec):
    events, _ = independent
    auto = set(events.loc[events["robot"], "resource"])
    for cfg in spec["sources"].values():
        auto |= set(cfg.get("automated_resources", []))
    auto |= {"BILLING-RUN", "DUNNING-RUN", "PSP-GW", "BANK-IMPORT"}
    in_log = events["utc"].dt.year.between(2020, 2030)  # not the injected time outliers
    people = events[~events["resource"].isin(auto) & (events["party"] == "internal") & in_log]
    local = people["utc"].dt.tz_convert("Europe/Amsterdam")
    assert len(people) > 1000
    assert (local.dt.day_of_week < 5).all()
    assert local.dt.hour.between(6, 21).all()
    holidays_2024 = {"2024-01-01", "2024-04-01", "2024-04-27", "2024-05-09", "2024-05-20",
                     "2024-12-25", "2024-12-26"}
    assert not local.dt.strftime("%Y-%m-%d").isin(holidays_2024).any()


def test_order_cycle_has_realistic_waits(independent):
    events, _ = independent
    span = events.groupby("case_id")["utc"].agg(lambda s: s.max() - s.min())
    days = span.dt.total_seconds() / 86400
    assert 2 < days.median() < 60
    assert (days > 0).all()


# -- loading with procmine --------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(sample) -> procmine.EventLog:
    return procmine.load(sample.sources_file)


def test_procmine_load_rejects_exactly_the_injected_rows(loaded, truth):
    log = loaded
    got = sorted(map(tuple, log.rejects[["source", "row", "reason"]].to_numpy().tolist()))
    want = sorted((r["source"], r["row"], r["reason"]) for r in truth["injected_rejects"])
    assert got == want
    assert log.n_events == truth["events"]
    assert {s.name: s.events for s in log.sources} == truth["events_per_source"]


def test_every_reentry_event_exists_in_the_loaded_log(loaded, claimed, independent):
    log = loaded
    events = log.events.set_index("event_id")
    assert claimed["event_id"].isin(events.index).all()
    assert claimed["first_event_id"].isin(events.index).all()
    rows = events.loc[claimed["event_id"]]
    assert (rows["case_id"].to_numpy() == claimed["case_id"].to_numpy()).all()
    ours, _ = independent
    assert log.events["event_id"].tolist() == ours["event_id"].tolist()


def test_csv_writer_gives_the_bytes_pandas_writes():
    from procmine.generate._csv import csv_bytes

    frame = pd.DataFrame({
        "id": [1, 22, 333],
        "text": pd.Series(['plain', 'a, comma', 'say "hi"; ok'], dtype=object),
        "maybe": pd.Series([None, "Müllerstraße – 7", "x\ny"], dtype=object),
    })
    for sep, encoding in ((",", "utf-8"), (";", "cp1252")):
        want = frame.to_csv(sep=sep, index=False, lineterminator="\n").encode(encoding)
        assert csv_bytes(frame, sep=sep, encoding=encoding) == want
    assert csv_bytes(frame.iloc[:0]) == b"id,text,maybe\n"


# -- API and command line ---------------------------------------------------------------------


def test_generated_sample_reports_itself(sample):
    assert "600 orders" in repr(sample)
    html = sample._repr_html_()
    assert "<table>" in html and "erp" in html
    assert sample.sources_file.name == "sources.toml"


@pytest.mark.parametrize("kwargs", [{"orders": 0}, {"orders": 10, "seed": -1},
                                    {"orders": 10, "start": "2024-13-01"},
                                    {"orders": 10, "start": "yesterday"}])
def test_wrong_arguments_raise_usage_error(kwargs, tmp_path):
    with pytest.raises(UsageError):
        generate(out=tmp_path, **kwargs)


def test_cli_generate_writes_a_loadable_sample(tmp_path, capsys):
    code = main(["generate", "--orders", "40", "--seed", "2", "--out", str(tmp_path / "s")])
    assert code == 0
    assert "40 orders" in capsys.readouterr().out
    assert (tmp_path / "s" / "ground_truth" / "reentries.csv").is_file()
    assert main(["validate", str(tmp_path / "s" / "sources.toml")]) == 0


@pytest.mark.parametrize(("orders", "start"), [(1, "2024-01-01"), (3, "2024-03-30"),
                                               (9, "2023-10-28")])
def test_tiny_samples_and_daylight_saving_weekends_load_cleanly(tmp_path, orders, start):
    sample = generate(orders, seed=orders, out=tmp_path, start=start)
    log = procmine.load(sample.sources_file)
    assert sample.rejects == 0 and len(log.rejects) == 0  # problems only in 100+ row extracts
    assert log.n_cases == orders and log.n_events == sample.events
    assert all(path.is_file() for path in sample.files)


def test_cli_generate_wrong_usage_exits_2(tmp_path):
    assert main(["generate", "--orders", "0", "--out", str(tmp_path)]) == 2
    assert main(["generate", "--out", str(tmp_path)]) == 2
    assert main(["generate", "--orders", "5", "--start", "2024-02-30",
                 "--out", str(tmp_path)]) == 2


def test_the_wms_unit_is_the_package_or_the_package_line(tmp_path):
    from procmine.generate import generate

    generate(300, seed=3, out=tmp_path)
    raw = pd.read_csv(tmp_path / "wms_events.csv", sep=";", dtype="str", keep_default_na=False)
    picks = raw[raw["EventType"].isin(["Pick item", "Report stock-out"]) & (raw["PackageNo"] != "")]
    assert len(picks) and (picks["Unit"] == picks["PackageNo"] + "/" + picks["ItemNo"]).all()
    packs = raw[raw["EventType"].isin(["Pack order", "Carrier pick-up scan"])]
    assert (packs["Unit"] == packs["PackageNo"]).all()
