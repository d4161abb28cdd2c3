"""procmine.io.tables: raw tables with traceable row numbers, hostile files refused clearly."""

from __future__ import annotations

import datetime as dt
import gzip

import numpy as np
import pandas as pd
import pytest

from procmine.errors import InputError, UsageError
from procmine.io.tables import infer_format, read_table


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_values_stay_text_and_rows_are_spreadsheet_rows(tmp_path):
    path = _write(tmp_path, "t.csv", "id,qty,when\n007,1.50,2024-01-01\n8,,NA\n")
    table = read_table(path)
    assert table.columns == ["id", "qty", "when"]
    assert table.frame["id"].tolist() == ["007", "8"]  # leading zeros kept
    assert table.frame["qty"].iloc[0] == "1.50"
    assert pd.isna(table.frame["qty"].iloc[1])  # empty cell -> missing
    assert table.frame["when"].iloc[1] == "NA"  # the text 'NA' is not missing
    assert table.rows.tolist() == [2, 3]
    assert table.rows_read == 2


def test_quoted_newline_is_one_row(tmp_path):
    path = _write(tmp_path, "t.csv", 'id,note\n1,"two\nlines"\n2,x\n')
    table = read_table(path)
    assert table.frame["note"].tolist() == ["two\nlines", "x"]
    assert table.rows.tolist() == [2, 3]


def test_too_many_fields_rejected_with_row_and_text(tmp_path):
    path = _write(tmp_path, "t.csv", 'id,note\n1,a\n2,"b\nc",extra\n3,c\n4\n')
    table = read_table(path, name="src")
    assert table.rows.tolist() == [2, 4, 5]
    assert table.frame["id"].tolist() == ["1", "3", "4"]
    assert pd.isna(table.frame["note"].iloc[2])  # too few fields: missing, not rejected
    assert table.rejects[["source", "row", "reason"]].values.tolist() == [
        ["src", 3, "too many fields"]]
    assert table.rejects["column"].iloc[0] == "3 fields, header has 2"
    assert table.rows_read == 4


def test_csv_options_delimiter_quotechar_encoding(tmp_path):
    path = _write(tmp_path, "t.csv", "id;name\n1;'a;b'\n2;Müller\n", encoding="cp1252")
    table = read_table(path, delimiter=";", quotechar="'", encoding="cp1252")
    assert table.frame["name"].tolist() == ["a;b", "Müller"]


def test_tsv_defaults_to_tab(tmp_path):
    path = _write(tmp_path, "t.tsv", "id\tname\n1\tx\n")
    assert read_table(path).frame["name"].tolist() == ["x"]


def test_utf8_bom_not_in_first_column_name(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbfid,name\n1,x\n")
    assert read_table(path).columns == ["id", "name"]
    assert read_table(path, encoding="utf-8").columns == ["id", "name"]


def test_gzip_csv(tmp_path):
    path = tmp_path / "t.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("id,name\n1,x\n2,y\n")
    table = read_table(path)
    assert table.frame["name"].tolist() == ["x", "y"]
    assert table.rows.tolist() == [2, 3]


def test_corrupt_gzip_is_an_input_error(tmp_path):
    path = tmp_path / "t.csv.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match="gzip"):
        read_table(path)


def test_empty_and_blank_header_names(tmp_path):
    path = _write(tmp_path, "t.csv", ",a,a\n1,2,3\n")
    assert read_table(path).columns == ["Unnamed: 0", "a", "a.1"]


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: file not found \(looked for "):
        read_table(tmp_path / "nope.csv")


def test_whitespace_only_file_is_empty(tmp_path):
    with pytest.raises(InputError, match="file is empty"):
        read_table(_write(tmp_path, "t.csv", "\n \n"))


def test_parquet_saved_as_csv_is_recognised(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with pytest.raises(InputError, match=r'Parquet file.*format = "parquet"'):
        read_table(path, fix_hint="in [sources.x]")


def test_nul_bytes_mean_binary(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,name\n1,\x00\x00\x00\n")
    with pytest.raises(InputError, match="binary file"):
        read_table(path)


def test_bad_one_character_options(tmp_path):
    path = _write(tmp_path, "t.csv", "a,b\n1,2\n")
    with pytest.raises(InputError, match="delimiter must be one character"):
        read_table(path, delimiter=";;")


def test_unknown_encoding(tmp_path):
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        read_table(_write(tmp_path, "t.csv", "a\n1\n"), encoding="klingon")


def test_not_a_table_format(tmp_path):
    with pytest.raises(UsageError, match="not a table"):
        read_table(_write(tmp_path, "t.csv", "a\n1\n"), format="xes")


def test_parquet_keeps_types_and_numbers_rows(tmp_path):
    path = tmp_path / "t.parquet"
    frame = pd.DataFrame({"id": ["a", "b"], "n": [1, 2],
                          "at": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True)})
    frame.to_parquet(path)
    table = read_table(path)
    assert table.format == "parquet"
    assert table.rows.tolist() == [2, 3]
    assert str(table.frame["at"].dtype).startswith("datetime64")
    assert table.frame["n"].tolist() == [1, 2]


def test_broken_parquet(tmp_path):
    path = tmp_path / "t.parquet"
    path.write_bytes(b"PAR1 garbage")
    with pytest.raises(InputError, match="cannot be read as Parquet"):
        read_table(path)


def test_excel_rows_match_the_sheet(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Order", "Act", "At", "Qty"])
    sheet.append(["SO-1", "Enter", dt.datetime(2024, 1, 1, 9, 30), 3.0])
    sheet.append([None, None, None, None])  # a blank row 3
    sheet.append(["SO-2", "Pick", dt.datetime(2024, 1, 2, 10, 0), 2.5])
    other = book.create_sheet("second")
    other.append(["x"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    table = read_table(path)
    assert table.format == "excel"
    assert table.rows.tolist() == [2, 4]
    assert table.frame["At"].tolist() == ["2024-01-01 09:30:00", "2024-01-02 10:00:00"]
    assert table.frame["Qty"].tolist() == ["3", "2.5"]
    assert read_table(path, sheet="second").columns == ["x"]
    with pytest.raises(InputError, match="no worksheet 'third'; sheets: 'Sheet', 'second'"):
        read_table(path, sheet="third")


def test_not_an_excel_file(tmp_path):
    with pytest.raises(InputError, match="cannot be read as an Excel"):
        read_table(_write(tmp_path, "t.xlsx", "a,b\n"))


@pytest.mark.parametrize(("name", "fmt"), [
    ("a.csv", "csv"), ("a.CSV.GZ", "csv"), ("a.parquet", "parquet"), ("a.xlsx", "excel"),
    ("a.xes", "xes"), ("a.xes.gz", "xes"), ("a.xml", "ocel"), ("a.sqlite", "ocel"),
    ("a.jsonocel", "ocel"), ("a.json", "ocel"), ("a.toml", "sources"), ("a.txt", None),
])
def test_infer_format(name, fmt):
    assert infer_format(name) == fmt


def test_rows_are_int64(tmp_path):
    table = read_table(_write(tmp_path, "t.csv", "a\n1\n"))
    assert table.rows.dtype == np.int64


def test_utf16_without_bom_is_named(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("id,name\n1,x\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="UTF-16 text without a byte-order mark; set encoding "
                       "= 'utf-16-le'"):
        read_table(path)
    assert read_table(path, encoding="utf-16-le").frame["name"].tolist() == ["x"]


def test_multibyte_character_across_the_head_boundary(tmp_path):
    # 65,535 ASCII bytes, then a 2-byte 'é': the first 64 KiB end inside the character
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,name\n1," + b"a" * (65536 - 11) + "é\n".encode())
    table = read_table(path)
    assert table.frame["name"].iloc[0].endswith("aé")
