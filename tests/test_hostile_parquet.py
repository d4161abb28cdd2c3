"""Hostile Parquet: values a typed column can hold but an event log cannot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from procmine import load
from procmine.cli import main


def _write(path, **columns):
    pq.write_table(pa.table(columns), path)
    return path


@pytest.mark.parametrize(("times", "kind"), [
    (pa.array([2**62, 10**12], type=pa.timestamp("ms")), "milliseconds beyond microseconds"),
    (pa.array([2**60, 10**15], type=pa.timestamp("us", tz="UTC")), "year 38504"),
    (pa.array([-2**60, 10**15], type=pa.timestamp("us")), "before the year 1"),
])
def test_times_beyond_the_years_1_to_9999_are_rejected_rows(tmp_path, capsys, times, kind):
    path = _write(tmp_path / "t.parquet", case_id=pa.array(["a", "b"]),
                  activity=pa.array(["x", "y"]), timestamp=times)
    assert main(["validate", str(path), "--rejects", str(tmp_path / "r.csv")]) == 0, kind
    log = load(path)
    (stats,) = log.sources
    assert (stats.rows_read, stats.rows_loaded, stats.rows_rejected) == (2, 1, 1)
    rejects = pd.read_csv(tmp_path / "r.csv")
    assert rejects[["row", "reason"]].values.tolist() == [[2, "unparseable timestamp"]]
    assert "Traceback" not in capsys.readouterr().err


def test_float_case_ids_too_large_for_an_integer_are_kept_as_written(tmp_path):
    path = _write(tmp_path / "f.parquet", case_id=pa.array([1e30, 7.0, None]),
                  activity=pa.array(["x", "y", "z"]),
                  timestamp=pa.array([0, 1, 2], type=pa.timestamp("s", tz="UTC")).cast(
                      pa.timestamp("us", tz="UTC")))
    frame = pd.read_parquet(path)
    frame["timestamp"] = frame["timestamp"] + pd.Timedelta(days=20000)
    frame.to_parquet(path)
    log = load(path)
    assert sorted(log.events["case_id"]) == ["1e+30", "7"]
    assert dict(log.sources[0].reasons) == {"missing case id": 1}
    assert np.isfinite(1e30)
