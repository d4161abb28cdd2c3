"""procmine.io.xes: XES to the canonical schema, checked on hand-built files and real logs."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from _pm4py_logs import pm4py

from procmine.errors import InputError, UsageError
from procmine.io.xes import read_xes
from procmine.schema import CORE_COLUMNS, REJECT_COLUMNS


def xes(*traces: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
            + "\n".join(traces) + "\n</log>\n")


def trace(case: str | None, *events: str, extra: str = "") -> str:
    head = f'<string key="concept:name" value="{case}"/>' if case is not None else ""
    return f"<trace>{head}{extra}{''.join(events)}</trace>"


def event(activity: str | None, time: str | None, **attrs: str) -> str:
    parts = []
    if activity is not None:
        parts.append(f'<string key="concept:name" value="{activity}"/>')
    if time is not None:
        parts.append(f'<date key="time:timestamp" value="{time}"/>')
    for key, value in attrs.items():
        parts.append(f'<string key="{key.replace("__", ":")}" value="{value}"/>')
    return f"<event>{''.join(parts)}</event>"


@pytest.fixture
def tiny(tmp_path):
    text = xes(
        trace("o2",
              event("Enter order", "2024-01-02T09:00:00+01:00", org__resource="ann",
                    org__group="Sales", channel="web"),
              event("Pick", "2024-01-02T10:00:00Z", org__resource="bob",
                    org__group="Warehouse")),
        trace("o1", event("Enter order", "2024-01-01T09:00:00Z", org__resource="ann")),
    )
    path = tmp_path / "tiny.xes"
    path.write_text(text, encoding="utf-8")
    return path


def test_standard_attributes_map_to_canonical_columns(tiny):
    result = read_xes(tiny)
    events = result.events
    assert list(events.columns[: len(CORE_COLUMNS)]) == list(CORE_COLUMNS)
    shown = events[["case_id", "activity", "resource", "department"]].fillna("-")
    assert shown.values.tolist() == [
        ["o1", "Enter order", "ann", "-"],
        ["o2", "Enter order", "ann", "Sales"],
        ["o2", "Pick", "bob", "Warehouse"],
    ]
    # 09:00 at +01:00 is 08:00 UTC
    assert events["timestamp"].iloc[1] == pd.Timestamp("2024-01-02 08:00", tz="UTC")
    assert str(events["timestamp"].dtype) == "datetime64[us, UTC]"
    # row = position in the file's event order
    assert events["event_id"].tolist() == ["tiny:3", "tiny:1", "tiny:2"]
    assert set(events["source"]) == {"tiny"}
    assert result.name == "tiny"


def test_other_attributes_are_kept_without_colons(tmp_path):
    text = xes(trace("o1", event("A", "2024-01-01T00:00:00Z", concept__instance="t1",
                                 source="ERP", channel="web"),
                     extra='<string key="channel" value="EDI"/>'))
    path = tmp_path / "attrs.xes"
    path.write_text(text, encoding="utf-8")
    events = read_xes(path).events
    extra = [c for c in events.columns if c not in CORE_COLUMNS]
    assert not any(":" in c for c in extra)
    assert events["concept_instance"].tolist() == ["t1"]
    assert events["channel"].tolist() == ["web"]
    assert events["case_channel"].tolist() == ["EDI"]
    # trace attributes are case attributes (pm4py: case:channel)
    # an attribute named like a canonical column does not overwrite it
    assert events["attr_source"].tolist() == ["ERP"]
    assert events["source"].tolist() == ["attrs"]


def test_missing_values_go_to_rejects_and_rows_add_up(tmp_path):
    text = xes(
        trace("o1", event("A", "2024-01-01T00:00:00Z"), event(None, "2024-01-01T01:00:00Z"),
              event("C", None)),
        trace(None, event("A", "2024-01-01T00:00:00Z")),
    )
    path = tmp_path / "gaps.xes"
    path.write_text(text, encoding="utf-8")
    result = read_xes(path)
    assert tuple(result.rejects.columns) == REJECT_COLUMNS
    assert result.rejects[["source", "row", "reason", "column"]].values.tolist() == [
        ["gaps", 2, "missing activity", "concept:name"],
        ["gaps", 3, "missing timestamp", "time:timestamp"],
        ["gaps", 4, "missing case id", "case:concept:name"],
    ]
    stats = result.sources[0]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_rejected, stats.events) == (4, 1, 3, 1)
    assert stats.reasons == {"missing activity": 1, "missing timestamp": 1, "missing case id": 1}
    assert stats.format == "xes"


def test_lifecycle_keeps_complete_events_only(tmp_path):
    text = xes(trace("o1",
                     event("A", "2024-01-01T00:00:00Z", lifecycle__transition="start"),
                     event("A", "2024-01-01T01:00:00Z", lifecycle__transition="complete"),
                     event("B", "2024-01-01T02:00:00Z", lifecycle__transition="START"),
                     event("B", "2024-01-01T03:00:00Z", lifecycle__transition="Complete"),
                     event("C", "2024-01-01T04:00:00Z")))
    path = tmp_path / "life.xes"
    path.write_text(text, encoding="utf-8")
    result = read_xes(path)
    assert result.events["activity"].tolist() == ["A", "B", "C"]
    assert result.events["event_id"].tolist() == ["life:2", "life:4", "life:5"]
    assert "lifecycle_transition" not in result.events.columns
    assert result.sources[0].rows_read == 3
    every = read_xes(path, lifecycle="all")
    assert every.events["activity"].tolist() == ["A", "A", "B", "B", "C"]
    assert every.events["lifecycle_transition"].tolist()[:2] == ["start", "complete"]
    with pytest.raises(UsageError, match="lifecycle must be one of complete, all"):
        read_xes(path, lifecycle="start")


def test_log_without_complete_transitions_is_read_whole(tmp_path):
    text = xes(trace("o1", event("A", "2024-01-01T00:00:00Z", lifecycle__transition="start")))
    path = tmp_path / "starts.xes"
    path.write_text(text, encoding="utf-8")
    assert read_xes(path).events["activity"].tolist() == ["A"]


def test_custom_mapping_and_unknown_attribute(tiny):
    result = read_xes(tiny, activity="org:resource", resource="concept:name", department="channel")
    assert result.events["activity"].tolist() == ["ann", "ann", "bob"]
    assert result.events["department"].fillna("-").tolist() == ["-", "web", "-"]
    with pytest.raises(InputError, match=r"attribute 'Activity' \(→ activity\) not found; the log "
                                         r"has .*'concept:name'"):
        read_xes(tiny, activity="Activity")


def test_timestamp_from_string_attribute_rejects_unparseable(tmp_path):
    text = xes(trace("o1", event("A", None, when="2024-01-01T00:00:00Z"),
                     event("B", None, when="yesterday")))
    path = tmp_path / "when.xes"
    path.write_text(text, encoding="utf-8")
    result = read_xes(path, timestamp="when")
    assert result.events["activity"].tolist() == ["A"]
    assert result.rejects[["row", "reason", "column", "value"]].values.tolist() == [
        [2, "unparseable timestamp", "when", "yesterday"]]


def test_identity_id_becomes_event_id_when_complete_and_unique(tmp_path):
    text = xes(trace("o1", event("A", "2024-01-01T00:00:00Z", identity__id="ev-1"),
                     event("B", "2024-01-01T01:00:00Z", identity__id="ev-2")))
    path = tmp_path / "ids.xes"
    path.write_text(text, encoding="utf-8")
    events = read_xes(path).events
    assert events["event_id"].tolist() == ["ev-1", "ev-2"]
    assert "identity_id" not in events.columns
    clash = tmp_path / "clash.xes"
    clash.write_text(text.replace("ev-2", "ev-1"), encoding="utf-8")
    events = read_xes(clash).events
    assert events["event_id"].tolist() == ["clash:1", "clash:2"]
    assert events["identity_id"].tolist() == ["ev-1", "ev-1"]


def test_gzip_gives_the_same_log(tiny, tmp_path):
    packed = tmp_path / "tiny.xes.gz"
    packed.write_bytes(gzip.compress(tiny.read_bytes()))
    plain, zipped = read_xes(tiny), read_xes(packed)
    pd.testing.assert_frame_equal(plain.events, zipped.events)
    assert zipped.name == "tiny"


def test_single_event_and_ties_keep_file_order(tmp_path):
    text = xes(trace("o1", event("B", "2024-01-01T00:00:00Z"), event("A", "2024-01-01T00:00:00Z")))
    path = tmp_path / "ties.xes"
    path.write_text(text, encoding="utf-8")
    assert read_xes(path).events["activity"].tolist() == ["B", "A"]
    single = tmp_path / "one.xes"
    single.write_text(xes(trace("o1", event("A", "2024-01-01T00:00:00Z"))), encoding="utf-8")
    assert read_xes(single).sources[0].rows_read == 1


def test_escaped_characters_and_single_quotes(tmp_path):
    text = xes("<trace><string key='concept:name' value='o&amp;1'/>"
               "<event><string key='concept:name' value='Pick &amp; pack'/>"
               "<date key='time:timestamp' value='2024-01-01T00:00:00Z'/></event></trace>")
    path = tmp_path / "amp.xes"
    path.write_text(text, encoding="utf-8")
    events = read_xes(path).events
    assert events[["case_id", "activity"]].values.tolist() == [["o&1", "Pick & pack"]]


def test_no_events_is_an_input_error(tmp_path):
    path = tmp_path / "none.xes"
    path.write_text(xes(), encoding="utf-8")
    with pytest.raises(InputError, match=r"none\.xes: the XES log has no events"):
        read_xes(path)


def test_not_a_log_root(tmp_path):
    path = tmp_path / "html.xes"
    path.write_text("<html><body/></html>", encoding="utf-8")
    with pytest.raises(InputError, match=r"root element is <html>, expected <log>"):
        read_xes(path)


# -- real public logs (skip when ../shared/logs is absent) -----------------------------------


@pytest.mark.real_logs
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_running_example_matches_pm4py(real_logs_dir):
    path = real_logs_dir / "running-example.xes"
    result = read_xes(path)
    theirs = pm4py().read_xes(str(path))
    assert len(result.events) == len(theirs) == 42
    assert result.events["case_id"].nunique() == theirs["case:concept:name"].nunique() == 6
    assert result.events["activity"].value_counts().sort_index().to_dict() == (
        theirs["concept:name"].value_counts().sort_index().to_dict())
    assert sorted(result.events["resource"].unique()) == sorted(theirs["org:resource"].unique())
    assert result.rejects.empty


@pytest.mark.real_logs
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_receipt_matches_pm4py(real_logs_dir):
    path = real_logs_dir / "receipt.xes.gz"
    result = read_xes(path)
    theirs = pm4py().read_xes(str(path))
    stats = result.sources[0]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_rejected) == (8577, 8577, 0)
    assert len(theirs) == 8577
    assert result.events["case_id"].nunique() == theirs["case:concept:name"].nunique() == 1434
    assert result.events["activity"].nunique() == theirs["concept:name"].nunique() == 27
    assert result.events["resource"].nunique() == theirs["org:resource"].nunique()
    # org:group becomes the department; its placeholder group EMPTY is missing
    groups = theirs["org:group"].dropna()
    assert sorted(result.events["department"].dropna().unique()) == sorted(
        set(groups.unique()) - {"EMPTY"})
    assert stats.missing_values == {"department": int((groups == "EMPTY").sum())} == {
        "department": 1936}
    # per-case event counts agree with pm4py's
    ours = result.events.groupby("case_id").size().sort_index()
    ref = theirs.groupby("case:concept:name").size().sort_index()
    assert ours.to_numpy().tolist() == ref.to_numpy().tolist()
