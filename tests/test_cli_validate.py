"""``procmine validate``: per-source accounting, rejects file, exit codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from procmine.cli import main

BAD = Path(__file__).parent / "data" / "bad_inputs"
MAP = ["--case-id", "Order", "--activity", "Action", "--timestamp", "ChangedAt",
       "--resource", "User"]


def test_validate_prints_accounting_and_reasons(capsys):
    code = main(["validate", str(BAD / "missing_values.csv"), *MAP])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["source", "format", "rows", "read", "loaded", "rejected",
                                "events"]
    assert lines[1].split() == ["missing_values", "csv", "5", "2", "3", "2"]
    assert "    missing activity: 1" in lines
    assert "    missing case id: 1" in lines
    assert "    missing timestamp: 1" in lines
    assert "2 events, 1 cases, 2 activities" in out


def test_validate_sources_file_has_a_total(capsys):
    code = main(["validate", str(BAD / "unreachable_orders.toml")])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[1].split() == ["sales", "csv", "3", "3", "0", "3"]
    assert lines[2].split() == ["wms", "csv", "4", "3", "1", "3"]
    assert lines[3] == "    no correlation to an order: 1"
    assert lines[4].split() == ["total", "7", "6", "1", "6"]


def test_validate_writes_safe_rejects(tmp_path, capsys):
    target = tmp_path / "out" / "rejects.csv"
    code = main(["validate", str(BAD / "formula_injection.csv"), *MAP, "--rejects", str(target)])
    assert code == 0
    assert "2 rejected rows written to" in capsys.readouterr().out
    back = pd.read_csv(target, dtype=str)
    assert back.columns.tolist() == ["source", "row", "reason", "column", "value"]
    assert back["row"].tolist() == ["3", "4"]
    assert back["value"].tolist() == ["'=1+2", "'+31-555"]


def test_validate_empty_rejects_file_has_header(tmp_path, capsys):
    target = tmp_path / "rejects.csv"
    assert main(["validate", str(BAD / "mixed_offsets.csv"), "--case-id", "Order",
                 "--activity", "Action", "--timestamp", "ChangedAt",
                 "--rejects", str(target)]) == 0
    assert target.read_text() == "source,row,reason,column,value\n"


def test_unusable_input_is_one_line_and_exit_1(capsys):
    code = main(["validate", str(BAD / "wrong_delimiter.csv"), *MAP])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("procmine: error: ")
    assert "delimiter = ';'" in err


def test_bad_sources_file_exit_1(capsys):
    assert main(["validate", str(BAD / "unknown_key.toml")]) == 1
    assert "unknown key 'delimeter'" in capsys.readouterr().err


def test_missing_input_exit_1(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nothing.csv")]) == 1
    assert "file not found" in capsys.readouterr().err


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["validate"]) == 2
    assert main(["validate", str(BAD / "header_only.csv"), "--no-such-option"]) == 2
    odd = tmp_path / "x.unknown"
    odd.write_text("a")
    assert main(["validate", str(odd)]) == 2


def test_help(capsys):
    assert main(["validate", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--rejects" in out and "--case-id" in out


def test_delimiter_and_encoding_options(tmp_path):
    from procmine.cli import main

    path = tmp_path / "lager.csv"
    path.write_bytes("Auftrag;Schritt;Zeit\nSO-1;Prüfen;2024-01-05 10:00\n"
                     "SO-1;Packen;2024-01-05 11:00\n".encode("cp1252"))
    args = ["validate", str(path), "--case-id", "Auftrag", "--activity", "Schritt",
            "--timestamp", "Zeit"]
    assert main(args) == 1  # read as UTF-8 with commas: the file cannot be used as given
    assert main([*args, "--delimiter", ";", "--encoding", "cp1252"]) == 0


def test_events_outside_the_view_are_reported(tmp_path, capsys):
    from procmine.cli import main

    event = ('<event><string key="concept:name" value="{a}"/><string key="lifecycle:transition" '
             'value="{t}"/><date key="time:timestamp" value="2024-01-01T{h}:00:00+00:00"/></event>')
    body = "".join(event.format(a=a, t=t, h=h) for a, t, h in
                   [("A", "start", "09"), ("A", "complete", "10"), ("B", "complete", "11")])
    path = tmp_path / "lc.xes"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><log xes.version="1.0"><trace>'
                    f'<string key="concept:name" value="c1"/>{body}</trace></log>',
                    encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    # two complete events are the view; the start event is not counted as read
    assert "outside the XES order view: 1" in out
    assert out.splitlines()[1].split()[2:5] == ["2", "2", "0"]
