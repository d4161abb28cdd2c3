"""procmine.io.export.write_csv_safe: spreadsheet-safe CSV."""

from __future__ import annotations

import pandas as pd

from procmine.io.export import write_csv_safe


def test_formula_prefixes_are_quoted(tmp_path):
    frame = pd.DataFrame({
        "text": ["=1+1", "+1", "-1", "@x", "\tTab", "\rCR", "plain", None, "a=b"],
        "number": [-1, 2, 3, 4, 5, 6, 7, 8, 9],
    })
    path = write_csv_safe(frame, tmp_path / "sub" / "t.csv")
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["text"].tolist() == ["'=1+1", "'+1", "'-1", "'@x", "'\tTab", "'\rCR", "plain",
                                     "", "a=b"]
    assert back["number"].tolist()[0] == "-1"  # numbers are not text: left alone


def test_input_frame_not_modified(tmp_path):
    frame = pd.DataFrame({"v": ["=x"]})
    write_csv_safe(frame, tmp_path / "t.csv")
    assert frame["v"].tolist() == ["=x"]


def test_str_dtype_and_empty_frame(tmp_path):
    frame = pd.DataFrame({"v": pd.Series(["@a", "b"], dtype="str")})
    write_csv_safe(frame, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text() == "v\n'@a\nb\n"
    write_csv_safe(frame.iloc[:0], tmp_path / "e.csv")
    assert (tmp_path / "e.csv").read_text() == "v\n"
