"""Hostile input, safe outputs: XML-forbidden characters never break an SVG, XES, OCEL or HTML
output, and no output path ever overwrites an input."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from procmine.cli import main
from procmine.io.xmlchars import FORBIDDEN, xml_frame, xml_text
from procmine.log.load import load
from procmine.render.charts import html_table, message_svg

MAP = ["--case-id", "case", "--activity", "act", "--timestamp", "ts", "--resource", "res",
       "--department", "dep"]
HEADER = ["case", "act", "ts", "res", "dep", "address"]
CONTROLS = ["\x1b[31m", "\x0b", "\x01", "\x0c", "\x1f", "\ufffe"]
ACTIVITIES = ["Enter order", "Check credit", "Pick", "Ship", "Invoice"]
DEPARTMENTS = ["Sales", "Credit", "Warehouse", "Shipping", "Billing"]


def _write_csv(path: Path, orders: int, *, nul_from: int | None = None,
               clean: bool = False) -> Path:
    """Orders through five steps; control characters in every text column, a NUL late."""
    rows = []
    for k in range(orders):
        for i, activity in enumerate(ACTIVITIES):
            if nul_from is not None and k >= nul_from:
                bad = "\x00"
            else:
                bad = CONTROLS[(k + i) % len(CONTROLS)] if k % 40 == 0 and not clean else ""
            rows.append([f"o{k}", activity + bad, f"2024-01-{1 + k % 27:02d} {8 + i:02d}:00",
                         f"u{i}{bad}", DEPARTMENTS[i] + bad, f"addr{bad}{k % 4}"])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def hostile_csv(tmp_path_factory) -> Path:
    path = _write_csv(tmp_path_factory.mktemp("in") / "hostile.csv", 1500, nul_from=1496)
    data = path.read_bytes()
    assert b"\x00" not in data[:65536] and b"\x00" in data[65536:]  # the NUL past 64 KiB
    return path


@pytest.fixture(scope="module")
def report_dir(hostile_csv, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "out"
    assert main(["report", str(hostile_csv), "--out", str(out), *MAP, "--quiet"]) == 0
    return out


class _Strict(HTMLParser):
    """Collects the text; html.parser never raises, so forbidden characters are checked apart."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _forbidden(text: str) -> list[str]:
    return sorted({hex(ord(c)) for c in FORBIDDEN.findall(text)})


def test_xml_text_replaces_every_forbidden_character_and_keeps_the_rest():
    every = "".join(chr(c) for c in range(0x20)) + "\ud800\udfff\ufffe\uffff"
    cleaned = xml_text(every + "é → 中 \U0001F600 &<>\"'")
    assert FORBIDDEN.search(cleaned) is None
    assert "\t" in cleaned and "\n" in cleaned and "\r" in cleaned
    assert cleaned.endswith("é → 中 \U0001F600 &<>\"'")
    assert xml_text("Pick\x00") == "Pick\u2400" and xml_text("\x1b") == "\u241b"
    cleaned.encode("utf-8")  # lone surrogates are gone: the text can be written as UTF-8


def test_xml_frame_cleans_text_and_category_columns_and_names():
    frame = pd.DataFrame({"a\x02": ["x\x00", None], "n": [1, 2],
                          "c": pd.Categorical(["k\x0b", "k\x0c"])})
    out = xml_frame(frame)
    assert list(out.columns) == ["a\u2402", "n", "c"]
    assert out["a\u2402"].iloc[0] == "x\u2400" and pd.isna(out["a\u2402"].iloc[1])
    assert list(out["c"].astype(str)) == ["k\u240b", "k\u240c"]
    assert frame.columns[0] == "a\x02"  # the caller's frame is left alone


def test_report_svgs_parse_as_xml(report_dir):
    svgs = sorted((report_dir / "maps").glob("*.svg"))
    assert [p.stem for p in svgs] == ["as_is", "handoffs", "process", "to_be"]
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert _forbidden(text) == [], svg.name
        ET.fromstring(text.encode("utf-8"))  # strictly as XML
    process = (report_dir / "maps" / "process.svg").read_text(encoding="utf-8")
    assert "Pick\u241b" in process or "Pick\u240b" in process  # visible, not dropped


def test_report_html_parses_and_holds_no_forbidden_character(report_dir):
    text = (report_dir / "report.html").read_text(encoding="utf-8")
    assert _forbidden(text) == []
    parser = _Strict()
    parser.feed(text)
    parser.close()
    assert "Enter order" in "".join(parser.text)
    for inline in re.findall(r"<svg\b.*?</svg>", text, flags=re.DOTALL):
        ET.fromstring(inline.encode("utf-8"))  # every inline map is XML too


def test_report_accounts_for_every_row_of_the_hostile_file(report_dir, hostile_csv):
    with hostile_csv.open(newline="", encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    totals = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))["totals"]
    assert totals["rows_read"] == rows == totals["rows_loaded"] + totals["rows_rejected"]


def test_write_xes_of_hostile_values_is_read_back_by_pm4py(hostile_csv, tmp_path):
    import pm4py

    from procmine.io.writers import write_xes

    log = load(hostile_csv, **_mapping())
    path = write_xes(log, tmp_path / "hostile.xes")
    ET.parse(path)
    back = pm4py.read_xes(str(path), return_legacy_log_object=False)
    assert len(back) == log.n_events
    assert "Pick\u2400" in set(back["concept:name"])


def test_write_ocel_xml_of_hostile_values_parses_and_reads_back(hostile_csv, tmp_path):
    from procmine.io.ocel import read_ocel
    from procmine.io.writers import write_ocel

    log = load(hostile_csv, **_mapping())
    path = write_ocel(log, tmp_path / "hostile.xml")
    ET.parse(path)
    back = read_ocel(path)
    assert len(back.events) == log.n_events


def test_map_save_svg_and_html_with_control_characters(hostile_csv, tmp_path):
    for suffix in ("svg", "html"):
        out = tmp_path / f"map.{suffix}"
        assert main(["map", str(hostile_csv), "--out", str(out), *MAP, "--quiet"]) == 0
        text = out.read_text(encoding="utf-8")
        assert _forbidden(text) == []
        if suffix == "svg":
            ET.fromstring(text.encode("utf-8"))


def test_message_svg_and_html_table_escape_control_characters():
    svg = message_svg("Map\x00", "no\x1b[2J departments\x0b")
    ET.fromstring(svg)
    table = html_table(pd.DataFrame({"col\x01": ["v\x00", "w\x0c"]}))
    assert _forbidden(table) == []
    ET.fromstring(f"<div>{table}</div>".replace("&nbsp;", " "))


def _mapping() -> dict[str, str]:
    return dict(zip(["case_id", "activity", "timestamp", "resource", "department"],
                    MAP[1::2], strict=True))


# -- never overwrite the user's data ------------------------------------------------------
@pytest.fixture()
def small_csv(tmp_path) -> Path:
    return _write_csv(tmp_path / "orders.csv", 4, clean=True)


def _one_line_error(capsys, code: int, expected: int, *words: str) -> None:
    err = capsys.readouterr().err.strip()
    assert code == expected, err
    assert len(err.splitlines()) == 1 and err.startswith("procmine: error: "), err
    for word in words:
        assert word in err


def test_validate_refuses_rejects_naming_the_input(small_csv, capsys):
    before = small_csv.read_bytes()
    code = main(["validate", str(small_csv), *MAP, "--rejects", str(small_csv)])
    _one_line_error(capsys, code, 2, "--rejects", "never overwrites its input")
    assert small_csv.read_bytes() == before


def test_validate_refuses_rejects_naming_an_extract_of_a_sources_file(tmp_path, capsys):
    data = _write_csv(tmp_path / "sales.csv", 4, clean=True)
    (tmp_path / "sources.toml").write_text(
        '[sources.sales]\nfile = "sales.csv"\n'
        'columns = {case_id = "case", activity = "act", timestamp = "ts"}\n', encoding="utf-8")
    before = data.read_bytes()
    alias = tmp_path / "." / "sub" / ".." / "sales.csv"
    (tmp_path / "sub").mkdir()
    code = main(["validate", str(tmp_path / "sources.toml"), "--rejects", str(alias)])
    _one_line_error(capsys, code, 2, "sales.csv")
    assert data.read_bytes() == before


def test_validate_refuses_a_hard_link_to_the_input(small_csv, capsys):
    link = small_csv.with_name("link.csv")
    link.hardlink_to(small_csv)
    before = small_csv.read_bytes()
    code = main(["validate", str(small_csv), *MAP, "--rejects", str(link)])
    _one_line_error(capsys, code, 2, "--rejects")
    assert small_csv.read_bytes() == before


def test_handoffs_refuses_out_naming_the_input(small_csv, capsys):
    before = small_csv.read_bytes()
    code = main(["handoffs", str(small_csv), *MAP, "--level", "department",
                 "--out", str(small_csv)])
    _one_line_error(capsys, code, 2, "--out")
    assert small_csv.read_bytes() == before


@pytest.mark.parametrize("flag", ["--out", "--table"])
def test_map_refuses_out_or_table_naming_the_input(small_csv, tmp_path, capsys, flag):
    before = small_csv.read_bytes()
    other = "--table" if flag == "--out" else "--out"
    paths = {flag: str(small_csv), other: str(tmp_path / ("t.csv" if other == "--table"
                                                           else "m.svg"))}
    code = main(["map", str(small_csv), *MAP, "--format", "svg", *(x for kv in paths.items()
                                                                    for x in kv)])
    _one_line_error(capsys, code, 2, flag)
    assert small_csv.read_bytes() == before


def test_report_refuses_out_that_would_overwrite_its_input(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "tables").mkdir(parents=True)
    data = _write_csv(out / "tables" / "rejects.csv", 4, clean=True)
    before = data.read_bytes()
    code = main(["report", str(data), "--out", str(out), *MAP])
    _one_line_error(capsys, code, 2, "would overwrite its input")
    assert data.read_bytes() == before
    assert sorted(p.name for p in out.rglob("*")) == ["rejects.csv", "tables"]


def test_report_refuses_out_naming_the_input_file(small_csv, capsys):
    before = small_csv.read_bytes()
    code = main(["report", str(small_csv), "--out", str(small_csv), *MAP])
    assert code == 2
    assert "is a file" in capsys.readouterr().err
    assert small_csv.read_bytes() == before


def test_report_into_the_folder_of_its_inputs_keeps_them(small_csv, capsys):
    before = small_csv.read_bytes()
    (small_csv.parent / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["report", str(small_csv), "--out", str(small_csv.parent), *MAP, "-q"]) == 0
    assert small_csv.read_bytes() == before
    assert (small_csv.parent / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (small_csv.parent / "report.html").is_file()
    leftovers = [p.name for p in small_csv.parent.parent.iterdir() if "procmine" in p.name]
    assert leftovers == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("command", ["validate", "handoffs", "map"])
def test_write_to_dev_full_is_one_line_and_exit_1(small_csv, capsys, command):
    args = {"validate": ["--rejects", "/dev/full"],
            "handoffs": ["--level", "department", "--out", "/dev/full"],
            "map": ["--out", "/dev/full", "--format", "svg"]}[command]
    code = main([command, str(small_csv), *MAP, *args])
    _one_line_error(capsys, code, 1, "/dev/full")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_report_out_dev_full_is_refused_as_not_a_folder(small_csv, capsys):
    code = main(["report", str(small_csv), "--out", "/dev/full", *MAP])
    _one_line_error(capsys, code, 2, "not a folder")


def test_a_lookup_file_of_a_sources_file_is_never_overwritten(tmp_path, capsys):
    import shutil
    from pathlib import Path

    from procmine.cli import main

    sample = Path(__file__).resolve().parents[1] / "sample_logs"
    folder = tmp_path / "s"
    shutil.copytree(sample, folder)
    lookup = folder / "wms_picklists.csv"
    before = lookup.read_bytes()
    assert main(["validate", str(folder / "sources.toml"), "--rejects", str(lookup)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is an input of this run" in err
    assert lookup.read_bytes() == before
