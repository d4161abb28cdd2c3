"""A .zip holding exactly one extract is read as that extract; the archive is hostile."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

import procmine as pm
from procmine.cli import main
from procmine.errors import InputError
from procmine.io.archive import open_single_extract

CSV = "Order,Act,At\nSO-1,Enter,2024-01-01 09:00\nSO-1,Pick,2024-01-01 10:00\nSO-2,Enter,bad\n"
MAP = {"case_id": "Order", "activity": "Act", "timestamp": "At"}
CLI_MAP = ["--case-id", "Order", "--activity", "Act", "--timestamp", "At"]


def _zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_one_csv_in_a_folder_of_the_zip(tmp_path):
    z = _zip(tmp_path / "export.zip", {"out/": "", "out/orders.csv": CSV,
                                       "__MACOSX/out/._orders.csv": "junk"})
    before = sorted(os.listdir(tmp_path))
    log = pm.load(z, **MAP)
    s = log.sources[0]
    assert (s.name, s.format, s.path) == ("orders", "csv", f"{z}/out/orders.csv")
    assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (3, 2, 1)
    assert log.rejects["row"].tolist() == [4]
    assert sorted(os.listdir(tmp_path)) == before  # nothing extracted beside the zip


def test_xes_in_a_zip(tmp_path):
    xes = ('<log xes.version="1.0"><trace><string key="concept:name" value="o1"/>'
           '<event><string key="concept:name" value="a"/>'
           '<date key="time:timestamp" value="2024-01-01T09:00:00+00:00"/>'
           '<string key="org:group" value="EMPTY"/></event></trace></log>')
    log = pm.load(_zip(tmp_path / "x.zip", {"tiny.xes": xes}))
    assert log.sources[0].format == "xes" and log.n_events == 1
    assert dict(log.sources[0].missing_values) == {"department": 1}


def test_several_extracts_are_one_line_error_listing_members(tmp_path):
    z = _zip(tmp_path / "two.zip", {"a.csv": CSV, "b.csv": CSV, "notes.txt": "hi"})
    with pytest.raises(InputError) as info:
        pm.load(z, **MAP)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{z}: the archive holds 2 extracts")
    assert "'a.csv', 'b.csv', 'notes.txt'" in message


def test_no_extract(tmp_path):
    z = _zip(tmp_path / "none.zip", {"notes.txt": "hi", "data.bin": b"\x00\x01"})
    with pytest.raises(InputError, match=r"holds no extract.*members: 'notes.txt', 'data.bin'"):
        pm.load(z, **MAP)


def test_format_names_an_extract_without_a_known_suffix(tmp_path):
    z = _zip(tmp_path / "one.zip", {"orders.txt": CSV})
    log = pm.load(z, format="csv", **MAP)
    assert log.n_events == 2


@pytest.mark.parametrize("evil", ["../evil.csv", "/abs/evil.csv", "C:/evil.csv",
                                  "a/../../evil.csv", "..\\evil.csv"])
def test_path_traversal_names_are_refused(tmp_path, evil):
    z = _zip(tmp_path / "evil.zip", {evil: CSV})
    with pytest.raises(InputError) as info:
        pm.load(z, **MAP)
    message = str(info.value)
    assert message.startswith(f"{z}: refused: member {evil!r}") and "members:" in message
    assert not (tmp_path.parent / "evil.csv").exists()


def test_size_and_ratio_limits(tmp_path):
    z = _zip(tmp_path / "big.zip", {"big.csv": "a,b,c\n" + "1,2,3\n" * 200_000})
    with pytest.raises(InputError, match=r"refused: .*declares .* bytes uncompressed"):
        with open_single_extract(z, max_bytes=10_000):
            pass
    with pytest.raises(InputError, match="decompresses more than 10 times its size"):
        with open_single_extract(z, max_ratio=10, ratio_floor=1024):
            pass


def test_lying_header_is_caught_while_streaming(tmp_path):
    z = _zip(tmp_path / "lie.zip", {"big.csv": "x\n" * 100_000})
    data = bytearray(z.read_bytes())
    # shrink the declared uncompressed size in the central directory (a lying archive)
    with zipfile.ZipFile(z) as archive:
        info = archive.infolist()[0]
    real = info.file_size.to_bytes(4, "little")
    fake = (1000).to_bytes(4, "little")
    assert data.count(real) >= 1
    z.write_bytes(bytes(data).replace(real, fake))
    with pytest.raises(InputError, match=r"lie.zip"):
        with open_single_extract(z, max_bytes=50_000):
            pass


def test_inner_errors_name_the_member_not_a_temporary_file(tmp_path):
    z = _zip(tmp_path / "o.zip", {"orders.csv": CSV})
    with pytest.raises(InputError) as info:
        pm.load(z, case_id="Nope", activity="Act", timestamp="At")
    message = str(info.value)
    assert message.startswith(f"{z}/orders.csv: column 'Nope'")
    assert "procmine-zip" not in message


def test_not_a_zip(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_text("not a zip")
    with pytest.raises(InputError, match="cannot be read as a zip archive"):
        pm.load(bad)


def test_cli_reads_a_zip_and_reports_problems_in_one_line(tmp_path, capsys):
    ok = _zip(tmp_path / "ok.zip", {"orders.csv": CSV})
    assert main(["validate", str(ok), *CLI_MAP]) == 0
    assert capsys.readouterr().out.splitlines()[1].split() == ["orders", "csv", "3", "2", "1",
                                                               "2"]
    two = _zip(tmp_path / "two.zip", {"a.csv": CSV, "b.csv": CSV})
    assert main(["validate", str(two), *CLI_MAP]) == 1
    err = capsys.readouterr().err
    assert err.startswith("procmine: error: ") and err.count("\n") == 1 and "'b.csv'" in err
