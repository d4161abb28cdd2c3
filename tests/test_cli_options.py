"""Command-line options that make every message's advice reachable: --format, --quiet/--debug
after the subcommand, --resource-qualifier, report --terminal / --payment-pattern."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from _engines import ENGINES
from _pm4py_logs import pm4py

import procmine as pm
from procmine.cli import main

CSV = (
    "Order,Step,At,User,Dept\n"
    "SO-1,Enter order,2024-01-01 09:00,ann,Sales\n"
    "SO-1,Pick,2024-01-01 11:00,bob,Warehouse\n"
    "SO-1,Payment received,2024-01-03 09:00,cid,Billing\n"
    "SO-2,Enter order,2024-01-08 09:00,ann,Sales\n"
    "SO-2,Pick,2024-01-08 12:00,bob,Warehouse\n"
    "SO-2,Money in,2024-01-10 09:00,cid,Billing\n"
)
SAMPLE_SOURCES = Path(__file__).resolve().parent.parent / "sample_logs" / "sources.toml"
MAP = ["--case-id", "Order", "--activity", "Step", "--timestamp", "At", "--resource", "User",
       "--department", "Dept"]


@pytest.fixture()
def orders(tmp_path) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(CSV)
    return path



# -- --quiet / --debug, before or after the subcommand --------------------------------------
@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("flag", ["--quiet", "-q"])
def test_quiet_before_or_after_the_subcommand(orders, tmp_path, capsys, where, flag):
    out = tmp_path / "h.csv"
    args = ["handoffs", str(orders), *MAP, "--out", str(out)]
    assert main(args) == 0
    assert "handoffs on" in capsys.readouterr().err  # not quiet: the summary line
    args = [flag, *args] if where == "before" else [*args, flag]
    assert main(args) == 0
    assert capsys.readouterr().err == ""
    assert out.is_file()


def test_quiet_after_report(orders, tmp_path, capsys):
    assert main(["report", str(orders), "--out", str(tmp_path / "r"), *MAP, "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    assert (tmp_path / "r" / "report.html").is_file()


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_before_or_after_the_subcommand(tmp_path, capsys, where):
    missing = str(tmp_path / "nope.csv")
    assert main(["validate", missing]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("procmine: error: ")
    args = ["validate", missing]
    assert main(["--debug", *args] if where == "before" else [*args, "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.rstrip().splitlines()[-1].startswith("procmine: error: ")


def test_generate_accepts_quiet_after(tmp_path, capsys):
    assert main(["generate", "--orders", "2", "--out", str(tmp_path / "g"), "--quiet"]) == 0


# -- --format ---------------------------------------------------------------------------------
def test_unknown_suffix_message_names_the_flag(tmp_path, capsys):
    odd = tmp_path / "orders.export"
    odd.write_text(CSV)
    assert main(["validate", str(odd), *MAP]) == 2
    err = capsys.readouterr().err
    assert "--format" in err and "format=" in err


@pytest.mark.parametrize("command", ["validate", "handoffs", "map", "report"])
def test_format_on_every_command_that_reads_input(tmp_path, capsys, loaded, command):
    odd = tmp_path / "orders.export"
    odd.write_text(CSV)
    out = {"validate": [], "handoffs": ["--out", str(tmp_path / "h.csv")],
           "map": ["--out", str(tmp_path / "m.svg")],
           "report": ["--out", str(tmp_path / "r")]}[command]
    code = main([command, str(odd), *MAP, *out, "--format", "csv"])
    assert code == 0, capsys.readouterr().err
    assert loaded[0].n_events == 6 and loaded[0].sources[0].format == "csv"


def test_map_format_for_input_and_output_together(tmp_path, capsys, loaded):
    odd = tmp_path / "orders.export"
    odd.write_text(CSV)
    out = tmp_path / "map.out"
    assert main(["map", str(odd), *MAP, "--out", str(out), "--format", "csv",
                 "--format", "svg"]) == 0, capsys.readouterr().err
    assert out.read_text().lstrip().startswith(("<?xml", "<svg"))
    assert main(["map", str(odd), *MAP, "--out", str(out), "--format", "csv",
                 "--format", "xes"]) == 2
    assert "input format twice" in capsys.readouterr().err


def test_format_is_a_closed_choice(orders, capsys):
    assert main(["validate", str(orders), "--format", "tsv"]) == 2


# -- --resource-qualifier on the shared OCEL log --------------------------------------------
@pytest.mark.real_logs
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_resource_qualifier_on_the_order_management_log(real_logs_dir, tmp_path, loaded):
    source = real_logs_dir / "ocel2_order-management.xml.gz"
    plain = tmp_path / "om.xml"
    with gzip.open(source, "rb") as src, open(plain, "wb") as dst:
        shutil.copyfileobj(src, dst)
    theirs = pm4py().read_ocel2_xml(str(plain))
    rel = theirs.relations
    sends = rel[(rel["ocel:activity"] == "send package") & (rel["ocel:type"] == "employees")]
    shipper = sends[sends["ocel:qualifier"] == "shipper"].groupby("ocel:eid")["ocel:oid"]
    assert (shipper.size() == 1).all()
    shipper_of = shipper.first().to_dict()
    both = set(sends.loc[sends["ocel:qualifier"] == "forwarder", "ocel:eid"]) & set(shipper_of)
    assert both  # the rule matters: these events have a forwarder and a shipper

    assert main(["validate", str(source), "--resource-qualifier", "shipper,forwarder"]) == 0
    events = loaded[0].events
    send = events[events["activity"] == "send package"]
    ocel_id = send["event_id"].where(send["event_id"].isin(set(shipper_of)),
                                     send["event_id"].str.rsplit(":", n=1).str[0])
    expected = ocel_id.map(shipper_of)
    assert expected.notna().all() and len(send) > 0
    assert (send["resource"] == expected).all()


def test_resource_qualifier_applies_to_ocel_only(orders, capsys):
    assert main(["validate", str(orders), *MAP, "--resource-qualifier", "shipper"]) == 2
    assert "resource_qualifier applies to OCEL" in capsys.readouterr().err


def test_resource_qualifier_in_a_sources_file(tmp_path):
    doc = {
        "objectTypes": [{"name": "orders", "attributes": []},
                        {"name": "employees", "attributes": []}],
        "eventTypes": [{"name": "send package", "attributes": []}],
        "objects": [{"id": "o1", "type": "orders"}, {"id": "ann", "type": "employees"},
                    {"id": "zed", "type": "employees"}],
        "events": [{"id": "e1", "type": "send package", "time": "2024-01-01T10:00:00Z",
                    "relationships": [{"objectId": "o1", "qualifier": "order"},
                                      {"objectId": "ann", "qualifier": "forwarder"},
                                      {"objectId": "zed", "qualifier": "shipper"}]}],
    }
    (tmp_path / "t.jsonocel").write_text(json.dumps(doc))
    (tmp_path / "s.toml").write_text('[sources.om]\nfile = "t.jsonocel"\n'
                                     'resource_qualifier = ["shipper"]\n')
    assert pm.load(tmp_path / "s.toml").events["resource"].tolist() == ["zed"]
    assert pm.load(tmp_path / "t.jsonocel").events["resource"].tolist() == ["ann"]
    assert pm.load(tmp_path / "t.jsonocel",
                   resource_qualifier=["shipper"]).events["resource"].tolist() == ["zed"]
    (tmp_path / "x.toml").write_text('[sources.om]\nfile = "t.jsonocel"\nformat = "xes"\n'
                                     'resource_qualifier = ["shipper"]\n')
    with pytest.raises(pm.InputError, match="unknown key 'resource_qualifier'"):
        pm.load(tmp_path / "x.toml")


# -- report --terminal / --payment-pattern ---------------------------------------------------
def test_report_passes_terminal_and_payment_pattern(orders, tmp_path, monkeypatch):
    import procmine.report as report_module

    seen: dict[str, object] = {}
    real = report_module.build_report

    def spy(log, *, costs=None, progress=None, terminal=None, payment_pattern=None):
        seen.update(terminal=terminal, payment_pattern=payment_pattern)
        return real(log, costs=costs, progress=progress, terminal=terminal,
                    payment_pattern=payment_pattern)

    monkeypatch.setattr(report_module, "build_report", spy)
    out = tmp_path / "r"
    assert main(["report", str(orders), "--out", str(out), *MAP, "--quiet"]) == 0
    assert seen == {"terminal": None, "payment_pattern": None}
    assert main(["report", str(orders), "--out", str(out), *MAP, "--quiet",
                 "--terminal", "Payment received, Money in",
                 "--payment-pattern", "(?i)payment received|money in"]) == 0
    assert seen == {"terminal": ["Payment received", "Money in"],
                    "payment_pattern": "(?i)payment received|money in"}


def test_report_bad_payment_pattern_is_a_usage_error(orders, tmp_path, capsys):
    code = main(["report", str(orders), "--out", str(tmp_path / "r"), *MAP,
                 "--payment-pattern", "(unclosed"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("procmine: error: --payment-pattern '(unclosed' is not a valid")


def test_the_cycle_collector_runs_during_a_command_and_is_left_as_found(tmp_path,
                                                                         monkeypatch):
    # paused while the command's modules are imported, on while it runs, and on (nothing
    # left set aside) once main returns, also when the command fails or never begins
    import gc

    from procmine.cli import cmd_validate

    seen = []
    real = cmd_validate.load

    def spy(*args, **kwargs):  # in the command's body
        seen.append((gc.isenabled(), gc.get_freeze_count() > 0))
        return real(*args, **kwargs)

    monkeypatch.setattr(cmd_validate, "load", spy)
    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    assert main(["validate", str(path), *MAP]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert main(["validate", str(tmp_path / "missing.csv"), *MAP]) == 1
    assert main(["no-such-command"]) == 2
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()  # a caller's own choice is kept
    try:
        assert main(["validate", str(path), *MAP]) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert seen == [(True, True), (True, True), (False, False)]


class _Ended(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


def _run_in_process(monkeypatch, argv: list[str]) -> tuple[str, int]:
    """procmine.cli.run() with os._exit caught: how it ended, and its code."""
    import os
    import sys

    from procmine.cli import run

    def ended(code: int) -> None:
        raise _Ended(code)

    monkeypatch.setattr(os, "_exit", ended)
    monkeypatch.setattr(sys, "argv", ["procmine", *argv])
    try:
        run()
    except _Ended as at_once:
        return "at once", at_once.code
    except SystemExit as usual:
        return "usual", int(usual.code or 0)
    raise AssertionError("run() returned")


def test_the_console_script_ends_at_once_unless_cleanup_may_be_pending(tmp_path,
                                                                       monkeypatch):
    # this test process has loaded other libraries and threads (pm4py, pools): the
    # libraries watched and the threads seen are set here
    import sys
    import threading

    import procmine.cli as cli_module

    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    args = ["validate", str(path), *MAP, "--quiet"]
    monkeypatch.setattr(cli_module, "_CLEANS_UP_AT_EXIT", ("procmine_probe_library",))
    main_only = [threading.main_thread()]
    monkeypatch.setattr(threading, "enumerate", lambda: list(main_only))
    assert _run_in_process(monkeypatch, args) == ("at once", 0)
    assert _run_in_process(monkeypatch, ["validate", str(tmp_path / "no.csv")]) == (
        "at once", 1)
    with monkeypatch.context() as patched:  # a library that cleans up at exit is loaded
        patched.setitem(sys.modules, "procmine_probe_library", object())
        assert _run_in_process(patched, args) == ("usual", 0)
    foreign = threading.Thread(target=lambda: None, name="someone-else")
    main_only.append(foreign)  # a thread not procmine's, not a daemon: it may be writing
    assert _run_in_process(monkeypatch, args) == ("usual", 0)


def test_the_console_script_delivers_its_whole_output_through_a_pipe(tmp_path, capsys):
    # a subprocess (python -m procmine, which ends at once) against main() in this
    # process: the same standard output, the same file, the same exit codes
    import subprocess
    import sys

    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    out_child, out_here = tmp_path / "child.csv", tmp_path / "here.csv"
    child = subprocess.run([sys.executable, "-m", "procmine", "validate", str(path), *MAP],
                           capture_output=True, text=True, check=False)
    assert main(["validate", str(path), *MAP]) == 0
    assert child.returncode == 0 and child.stdout == capsys.readouterr().out
    child = subprocess.run([sys.executable, "-m", "procmine", "handoffs", str(path), *MAP,
                            "--out", str(out_child)], capture_output=True, text=True,
                           check=False)
    assert child.returncode == 0
    assert main(["handoffs", str(path), *MAP, "--out", str(out_here), "--quiet"]) == 0
    assert out_child.read_bytes() == out_here.read_bytes()
    for argv, code in ((["validate", str(tmp_path / "no.csv")], 1), (["no-such"], 2)):
        child = subprocess.run([sys.executable, "-m", "procmine", *argv],
                               capture_output=True, text=True, check=False)
        assert child.returncode == code and child.stderr.strip()


ADDRESSES = (
    "Order,Step,At,Dept,ShipTo\n"
    "SO-1,Enter order,2024-01-01 09:00,Sales,Main St 1\n"
    "SO-1,Book transport,2024-01-01 11:00,Shipping,  MAIN st 1 \n"
    "SO-1,Invoice,2024-01-02 09:00,Billing,Main St 11\n"
    "SO-2,Enter order,2024-01-03 09:00,Sales,Dam 2\n"
    "SO-2,Book transport,2024-01-03 10:00,Sales,Dam 2\n"
)
ADDRESS_ROLES = ["--case-id", "Order", "--activity", "Step", "--timestamp", "At",
                 "--department", "Dept"]


@pytest.mark.parametrize("engine", ["pandas", *ENGINES])
def test_item_options_let_re_entry_compare_a_table_s_values(tmp_path, engine):
    # worked out by hand: Sales enters SO-1's address, Shipping keys the same again,
    # Billing another; SO-2's second entry is Sales' own. The same in memory, in DuckDB
    # and in Spark (each reading the CSV itself)
    import csv

    path = tmp_path / "orders.csv"
    path.write_text(ADDRESSES, encoding="utf-8")
    out = tmp_path / "report"
    assert main(["report", str(path), "--out", str(out), *ADDRESS_ROLES, "--quiet",
                 "--engine", engine, "--item", "delivery_address=ShipTo",
                 "--item-owner", "delivery_address=customer"]) == 0
    with open(out / "tables" / "reentry.csv", encoding="utf-8") as handle:
        rows = sorted((r["item"], r["first_entered_by"], r["reentered_by"], r["count"],
                       r["discrepancies"], r["signal"]) for r in csv.DictReader(handle))
    assert rows == [("delivery_address", "Sales", "Billing", "1", "1", "values"),
                    ("delivery_address", "Sales", "Shipping", "1", "0", "values")]


def test_item_options_that_cannot_be_used_are_usage_errors(tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_text(ADDRESSES, encoding="utf-8")
    base = ["validate", str(path), *ADDRESS_ROLES]
    for extra, fragment in (
        (["--item-owner", "delivery_address=customer"], "add --item"),
        (["--item", "a=ShipTo", "--item-owner", "a=boss"], "owner must be one of"),
        (["--item", "a=ShipTo", "--item-type", "b=code"], "for an item named with --item"),
        (["--item", "a=ShipTo", "--item", "a=Dept"], "given twice"),
        (["--item", "a="], "expected NAME or NAME=COLUMN"),
        (["--item", "Dept=ShipTo"], "table's own column 'Dept'"),
    ):
        assert main([*base, *extra]) == 2, extra
        assert fragment in capsys.readouterr().err, extra
    assert main(["validate", str(SAMPLE_SOURCES), "--item", "a"]) == 2
    assert "declares its own in [items" in capsys.readouterr().err
    assert main([*base, "--item", "delivery_address=Nowhere"]) == 1  # the file lacks it
    assert "'Nowhere'" in capsys.readouterr().err
