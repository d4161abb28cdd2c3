"""``procmine validate`` reports events far outside the bulk of the log in time."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from procmine.cli import main
from procmine.log.outliers import time_bulk

ROWS = ("case_id,activity,timestamp,sys\n"
        "A,Enter,2024-03-01 10:00,sales\n"
        "A,Pick,2024-03-02 10:00,wms\n"
        "B,Enter,1948-06-01 09:00,sales\n"
        "B,Pick,2024-03-05 10:00,wms\n"
        "C,Enter,2024-03-10 10:00,sales\n"
        "C,Pick,9999-12-31,wms\n"
        "D,Enter,2024-04-01 10:00,sales\n")


def _sources(tmp_path: Path, text: str) -> Path:
    """Two sources over one CSV's rows, split by the 'sys' column."""
    frame = pd.read_csv(io.StringIO(text), dtype=str)
    for name, part in frame.groupby("sys"):
        part.drop(columns="sys").to_csv(tmp_path / f"{name}.csv", index=False)
    toml = "".join(f'[sources.{n}]\nfile = "{n}.csv"\n[sources.{n}.columns]\n'
                   'case_id = "case_id"\nactivity = "activity"\ntimestamp = "timestamp"\n'
                   for n in ("sales", "wms"))
    path = tmp_path / "s.toml"
    path.write_text(toml, encoding="utf-8")
    return path


def test_validate_counts_time_outliers_per_source(tmp_path, capsys):
    # pandas keeps microsecond datetimes, so 9999-12-31 is read (not rejected)
    assert main(["validate", str(_sources(tmp_path, ROWS))]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    frame = pd.read_csv(io.StringIO(ROWS), dtype=str)
    times = pd.Series(pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601"))
    inside = time_bulk(times).contains(times)  # the rule, applied by hand to the fixture
    assert (~inside).sum() == 2
    rest = times[inside]
    head = next(i for i, line in enumerate(lines) if line.startswith("time outliers:"))
    assert head > next(i for i, line in enumerate(lines) if line.startswith("wms "))
    assert lines[head] == (
        "time outliers: 2 event(s) lie far outside the bulk of the log in time (the other "
        f"events span {rest.min():%Y-%m-%d %H:%M:%S} UTC to {rest.max():%Y-%m-%d %H:%M:%S} "
        "UTC):")
    assert lines[head + 1] == ("    sales: 1, earliest 1948-06-01 09:00:00 UTC, latest "
                               "1948-06-01 09:00:00 UTC")
    assert lines[head + 2] == ("    wms: 1, earliest 9999-12-31 00:00:00 UTC, latest "
                               "9999-12-31 00:00:00 UTC")
    assert "kept in the log and left out of KPI periods" in lines[head + 3]
    assert "rows read" in lines[0]
    assert [line.split()[2:5] for line in lines[1:3]] == [["4", "4", "0"], ["3", "3", "0"]]


def test_validate_one_csv_with_outliers(tmp_path, capsys):
    path = tmp_path / "o.csv"
    path.write_text(ROWS, encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert ("    o: 2, earliest 1948-06-01 09:00:00 UTC, latest 9999-12-31 00:00:00 UTC"
            in out.splitlines())


def test_validate_without_outliers_prints_no_line(tmp_path, capsys):
    path = tmp_path / "ok.csv"
    path.write_text("case_id,activity,timestamp\nA,Enter,2024-03-01 10:00\n"
                    "A,Pick,2024-03-02 10:00\nB,Enter,2024-06-01 09:00\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "outlier" not in out
    assert out.splitlines()[-1] == "3 events, 2 cases, 2 activities"
