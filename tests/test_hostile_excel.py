"""Hostile Excel workbooks: an .xlsx is a zip of XML parts, each checked like an XML log."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from procmine.cli import main

openpyxl = pytest.importorskip("openpyxl")


def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["case_id", "activity", "timestamp"])
    sheet.append(["o1", "Enter order", "2024-01-01T09:00:00Z"])
    book.save(path)
    return path


def _rewrite(path: Path, member: str, change) -> Path:
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    parts[member] = change(parts[member])
    out = path.with_name("hostile.xlsx")
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out


def _one_line_error(capsys, path: Path, *words: str) -> None:
    err = capsys.readouterr().err
    assert err.startswith(f"procmine: error: {path}") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err


def test_a_valid_workbook_loads(tmp_path, capsys):
    assert main(["validate", str(_workbook(tmp_path / "ok.xlsx"))]) == 0


@pytest.mark.parametrize(("name", "change", "word"), [
    ("entity", lambda xml: xml.replace(b"<worksheet", b'<!DOCTYPE w [<!ENTITY e "x">]>'
                                                        b"<worksheet", 1), "entity"),
    ("external", lambda xml: xml.replace(
        b"<worksheet", b'<!DOCTYPE w SYSTEM "file:///etc/passwd"><worksheet', 1), "external"),
    ("malformed", lambda xml: xml[: len(xml) // 2], "not well-formed"),
])
def test_hostile_sheets_are_one_line_errors(tmp_path, capsys, name, change, word):
    bad = _rewrite(_workbook(tmp_path / "ok.xlsx"), "xl/worksheets/sheet1.xml", change)
    assert main(["validate", str(bad)]) == 1
    _one_line_error(capsys, bad, word)
