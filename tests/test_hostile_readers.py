"""Hostile and faulty input to the OCEL and XES readers, the cost model and ``generate``.

Issue 14, item 7 (every reader, the same promises) and item 2 (events with tens of
thousands of attributes): each case is a named one-line error or an accounted reject,
never a traceback, a hang or a silent duplicate. The files are built in ``tmp_path``.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from procmine.analysis.costs import load_cost_model
from procmine.cli import main
from procmine.errors import InputError, UsageError
from procmine.generate import generate
from procmine.generate.sample import MAX_ORDERS
from procmine.io.ocel import load_ocel, read_ocel
from procmine.io.xes import read_xes
from procmine.schema import CORE_COLUMNS

# -- OCEL 2.0 ---------------------------------------------------------------------------------


def _event(eid: str, activity: str | None = "place order", objects: tuple[str, ...] = ("o1",),
           time: str = "2024-01-01T10:00:00Z") -> dict[str, object]:
    event: dict[str, object] = {
        "id": eid, "time": time,
        "relationships": [{"objectId": o, "qualifier": "order"} for o in objects]}
    if activity is not None:
        event["type"] = activity
    return event


def _json_ocel(path: Path, events: list[dict[str, object]]) -> Path:
    doc = {"objectTypes": [{"name": "orders", "attributes": []}],
           "eventTypes": [{"name": n, "attributes": []} for n in ("place order", "pick", "")],
           "objects": [{"id": "o1", "type": "orders"}, {"id": "o2", "type": "orders"}],
           "events": events}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _xml_ocel(path: Path, events: list[dict[str, object]]) -> Path:
    body = []
    for event in events:
        links = "".join(f'<relationship object-id="{r["objectId"]}" qualifier="order"/>'
                        for r in event["relationships"])  # type: ignore[attr-defined]
        kind = f' type="{event["type"]}"' if "type" in event else ""
        body.append(f'<event id="{event["id"]}"{kind} time="{event["time"]}"><attributes/>'
                    f"<objects>{links}</objects></event>")
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<log><object-types><object-type name=\"orders\">"
        "<attributes/></object-type></object-types><event-types>"
        '<event-type name="place order"><attributes/></event-type>'
        '<event-type name="pick"><attributes/></event-type></event-types><objects>'
        '<object id="o1" type="orders"><attributes/></object>'
        '<object id="o2" type="orders"><attributes/></object></objects>'
        f"<events>{''.join(body)}</events></log>", encoding="utf-8")
    return path


WRITERS = {"json": (_json_ocel, "log.jsonocel"), "xml": (_xml_ocel, "log.xml")}


def _write(tmp_path: Path, kind: str, events: list[dict[str, object]]) -> Path:
    writer, name = WRITERS[kind]
    return writer(tmp_path / name, events)


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("procmine: error: ") and "\n" not in err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("kind", ["json", "xml"])
def test_ocel_duplicated_event_id_is_a_named_error(tmp_path, capsys, kind):
    # three events in the file; pm4py made five of them (XML) or silently kept one copy (JSON)
    path = _write(tmp_path, kind, [_event("e1"), _event("e1", "pick", ("o1", "o2")),
                                   _event("e2", objects=("o2",))])
    with pytest.raises(InputError, match=r"event 'e1' \(event 2 in the file\) repeats an event id"):
        load_ocel(path)
    err = _one_line_error(capsys, ["validate", str(path)])
    assert str(path) in err and "'e1'" in err


@pytest.mark.parametrize("kind", ["json", "xml"])
def test_ocel_event_related_to_undeclared_object_is_a_named_error(tmp_path, capsys, kind):
    path = _write(tmp_path, kind, [_event("e1"), _event("e2", objects=("o1", "ghost"))])
    with pytest.raises(InputError, match=r"event 'e2' .* relates to object 'ghost', which the "
                                         r"log does not declare"):
        read_ocel(path)
    assert str(path) in _one_line_error(capsys, ["validate", str(path)])


@pytest.mark.parametrize("kind", ["json", "xml"])
def test_ocel_event_related_only_to_undeclared_objects_does_not_vanish(tmp_path, kind):
    path = _write(tmp_path, kind, [_event("e1"), _event("e2", objects=("ghost",))])
    with pytest.raises(InputError, match=r"'e2'.*'ghost'"):
        load_ocel(path)


@pytest.mark.parametrize("kind", ["json", "xml"])
@pytest.mark.parametrize("activity", ["", None])
def test_ocel_empty_or_missing_activity_is_a_named_error(tmp_path, capsys, kind, activity):
    path = _write(tmp_path, kind, [_event("e1"), _event("e2", activity)])
    with pytest.raises(InputError, match=r"event 'e2' \(event 2 in the file\) has an empty "
                                         r"activity"):
        load_ocel(path)
    assert "'e2'" in _one_line_error(capsys, ["validate", str(path)])


def test_ocel_blank_activity_is_an_accounted_reject(tmp_path):
    # pm4py keeps a blank (whitespace) activity: procmine rejects the row and counts it
    path = _write(tmp_path, "json", [_event("e1"), _event("e2", "   "),
                                     _event("e3", "pick", ("o2",))])
    result = read_ocel(path, object_types=[])
    stats = result.sources[0]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_rejected) == (3, 2, 1)
    assert stats.rows_read == stats.rows_loaded + stats.rows_rejected
    assert result.rejects[["row", "reason"]].values.tolist() == [[2, "missing activity"]]
    assert sorted(result.events["event_id"]) == ["e1", "e3"]


@pytest.mark.parametrize("kind", ["json", "xml"])
def test_ocel_clean_log_counts_every_event_once(tmp_path, kind):
    path = _write(tmp_path, kind, [_event("e1", objects=("o1", "o2")),
                                   _event("e2", "pick"), _event("e3", objects=("o2",))])
    ocel = load_ocel(path)
    assert sorted(ocel.events["event_id"]) == ["e1", "e2", "e3"]
    stats = read_ocel(path, object_types=[]).sources[0]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_rejected, stats.events) == (3, 3, 0, 4)


# -- XES: events with tens of thousands of attributes ------------------------------------------


@contextmanager
def _safety_timeout(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (the quadratic insert took hours); not a timing assert."""
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _wide_xes(path: Path, attributes: int, events: int) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n<trace>'
                     '<string key="concept:name" value="o1"/>\n')
        for e in range(events):
            handle.write(f'<event><string key="concept:name" value="step {e}"/>'
                         f'<date key="time:timestamp" value="2024-01-01T0{e}:00:00+00:00"/>'
                         f'<string key="org:resource" value="ann"/>')
            handle.write("".join(f'<string key="a:{i}" value="v{i}.{e}"/>'
                                 for i in range(attributes)))
            handle.write("</event>\n")
        handle.write("</trace></log>\n")
    return path


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM")
def test_xes_events_with_20000_attributes_load(tmp_path):
    path = _wide_xes(tmp_path / "wide.xes", attributes=20_000, events=3)
    with _safety_timeout(180):
        result = read_xes(path)
    events = result.events
    canonical = ["case_id", "activity", "timestamp", "resource", "department", "party",
                 "automated", "source", "event_id"]
    assert list(events.columns[:9]) == canonical
    assert events.shape == (3, len(CORE_COLUMNS) + 20_000)
    assert events["activity"].tolist() == ["step 0", "step 1", "step 2"]
    assert events["resource"].tolist() == ["ann"] * 3
    assert events["a_19999"].tolist() == ["v19999.0", "v19999.1", "v19999.2"]
    stats = result.sources[0]
    assert (stats.rows_read, stats.rows_loaded, stats.rows_rejected) == (3, 3, 0)


def test_xes_extra_attributes_follow_the_sorted_events(tmp_path):
    # the extras are attached after validation: each stays with its own event
    path = tmp_path / "order.xes"
    path.write_text(
        '<log xes.version="1.0">'
        '<trace><string key="concept:name" value="o2"/>'
        '<event><string key="concept:name" value="B"/><int key="qty" value="2"/>'
        '<date key="time:timestamp" value="2024-01-02T10:00:00Z"/></event>'
        '<event><string key="concept:name" value="A"/><int key="qty" value="1"/>'
        '<string key="note" value="first"/>'
        '<date key="time:timestamp" value="2024-01-01T10:00:00Z"/></event></trace>'
        '<trace><string key="concept:name" value="o1"/>'
        '<event><string key="concept:name" value="C"/><int key="qty" value="3"/>'
        '<date key="time:timestamp" value="2024-01-03T10:00:00Z"/></event></trace></log>',
        encoding="utf-8")
    events = read_xes(path).events
    assert events[["case_id", "activity", "event_id"]].values.tolist() == [
        ["o1", "C", "order:3"], ["o2", "A", "order:2"], ["o2", "B", "order:1"]]
    assert events["qty"].tolist() == [3, 1, 2]
    assert events["note"].isna().tolist() == [True, False, True]
    assert list(events.columns[len(CORE_COLUMNS):]) == ["note", "qty"]


# -- cost model (TOML) ---------------------------------------------------------------------------


DEEP = 5000


@pytest.mark.parametrize("text", [
    "handoff_cost = " + "[" * DEEP + "]" * DEEP,
    "department_rates = " + "{a = " * DEEP + "1" + "}" * DEEP,
    "department_rates." + ".".join(["a"] * DEEP) + " = 1",
    "[department_rates." + ".".join(["a"] * DEEP) + "]\nx = 1",
    "handoff_cost = " + "[" * 20 + "]" * 20,
], ids=["arrays", "inline-tables", "dotted-keys", "table-header", "twenty-levels"])
def test_cost_model_nested_deeply_is_a_named_error(tmp_path, text):
    path = tmp_path / "costs.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"nested .*deep.*at most 8") as info:
        load_cost_model(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message and len(message) < 300


def test_cost_model_nested_deeply_through_the_cli(tmp_path, capsys):
    log = tmp_path / "log.csv"
    log.write_text("case_id,activity,timestamp\no1,a,2024-01-01 10:00\n", encoding="utf-8")
    costs = tmp_path / "costs.toml"
    costs.write_text("department_rates = " + "{a = " * DEEP + "1" + "}" * DEEP, encoding="utf-8")
    err = _one_line_error(capsys, ["handoffs", str(log), "--costs", str(costs),
                                   "--out", str(tmp_path / "h.csv")])
    assert str(costs) in err
    assert not (tmp_path / "h.csv").exists()


def test_cost_model_that_is_a_directory_is_a_named_error(tmp_path):
    with pytest.raises(InputError, match=r"cannot read the cost model"):
        load_cost_model(tmp_path)


def test_cost_model_legitimate_nesting_still_loads(tmp_path):
    path = tmp_path / "costs.toml"
    path.write_text('[calendar]\nhours = ["08:00", "17:00"]\n[department_rates]\nSales = 70\n',
                    encoding="utf-8")
    model = load_cost_model(path)
    assert model.rate("Sales") == 70.0


# -- generate: input limits -----------------------------------------------------------------------


def test_generate_more_orders_than_memory_holds_is_a_usage_error(tmp_path, capsys):
    out = tmp_path / "sample"
    assert main(["generate", "--orders", str(MAX_ORDERS + 1), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--orders" in err and f"{MAX_ORDERS}" in err and "Traceback" not in err
    assert not out.exists()
    with pytest.raises(UsageError, match=r"orders must be at most 1,000,000"):
        generate(10**12, out=out)
    assert not out.exists()


@pytest.mark.parametrize("start", ["9999-06-01", "9996-01-01", "0001-01-01", "10000-01-01"])
def test_generate_dates_outside_the_years_it_can_cover_is_a_usage_error(tmp_path, capsys, start):
    out = tmp_path / "sample"
    assert main(["generate", "--orders", "10", "--out", str(out), "--start", start]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"procmine: error: start must be between 1900-01-01 and 9995-12-31 (the "
                   f"simulation covers up to four years from start), got {start!r}")
    assert not out.exists()


def test_generate_latest_start_stays_before_year_10000(tmp_path):
    sample = generate(50, seed=1, out=tmp_path, start="9995-12-31")
    text = (tmp_path / "erp_sales_orders.csv").read_text(encoding="utf-8")
    assert sample.orders == 50 and "10000-" not in text and "9996-" in text


@pytest.mark.parametrize("body", ['{"objects": 5, "events": 7}', '{"events": [1, {"id": "e1"}]}',
                                  '[1, 2]'])
def test_ocel_json_of_the_wrong_shape_is_a_named_error(tmp_path, capsys, body):
    path = tmp_path / "odd.jsonocel"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=r"odd\.jsonocel: "):
        load_ocel(path)
    assert str(path) in _one_line_error(capsys, ["validate", str(path)])


def test_ocel_xml_with_a_plain_dtd_is_still_checked(tmp_path):
    # a DOCTYPE without entities passes procmine.io.xmlsafety; the event check still runs
    path = _xml_ocel(tmp_path / "log.xml", [_event("e1"), _event("e1", "pick")])
    text = path.read_text(encoding="utf-8").replace("?>\n", "?>\n<!DOCTYPE log>\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"event 'e1' \(event 2 in the file\) repeats"):
        load_ocel(path)
