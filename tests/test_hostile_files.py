"""File-level faults: each is one line ``procmine: error: FILE: ...`` and exit 1, never a traceback.

Small text fixtures live in ``tests/data/hostile/files/``; big, binary and special files
(gzip bombs, FIFOs, symbolic-link loops) are made in ``tmp_path``.
"""

from __future__ import annotations

import builtins
import gzip
import os
import random
import signal
from pathlib import Path

import pandas as pd
import pytest

from procmine.cli import main
from procmine.cli._common import printable
from procmine.errors import InputError
from procmine.io import tables, xmlsafety
from procmine.io.tables import read_table
from procmine.io.xmlsafety import open_capped_gzip

FILES = Path(__file__).parent / "data" / "hostile" / "files"
HEADER = b"case_id,activity,timestamp\n"


def rows(n: int) -> bytes:
    return HEADER + b"".join(b"o%d,pick,2024-01-01 10:%02d\n" % (i, i % 60) for i in range(n))


def validate(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    """Run ``procmine validate``; check exit 1, one line, no traceback; return the line."""
    code = main(["validate", str(path), *extra])
    captured = capsys.readouterr()
    err = captured.err
    assert code == 1, err
    assert "Traceback" not in err and "Traceback" not in captured.out
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("procmine: error: "), line
    assert line.isprintable(), line  # no control characters, no escape sequences
    return line


def names(line: str, path: Path) -> bool:
    return f"procmine: error: {path}: " in line or f"procmine: error: {path.name}: " in line


# -- compressed input ----------------------------------------------------------------------
def test_truncated_gzip(tmp_path, capsys):
    data = gzip.compress(rows(20_000))
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    line = validate(path, capsys)
    assert names(line, path)
    assert "gzip stream is truncated" in line


def test_gzip_truncated_after_the_head(tmp_path, capsys):
    """The first 64 KiB decompress fine; the end is missing (found before parsing)."""
    data = gzip.compress(rows(200_000))
    path = tmp_path / "late.csv.gz"
    path.write_bytes(data[:-20])
    line = validate(path, capsys)
    assert names(line, path) and "truncated" in line


def test_trailing_garbage_after_gzip_member(tmp_path, capsys):
    path = tmp_path / "trail.csv.gz"
    path.write_bytes(gzip.compress(rows(50)) + b"garbage, not gzip\n")
    line = validate(path, capsys)
    assert names(line, path)
    assert "followed by data that is not gzip" in line
    assert "garbage, not" not in line and "b'ga'" not in line  # the file's bytes are not quoted


def test_corrupt_gzip_data(tmp_path, capsys):
    data = bytearray(gzip.compress(rows(5_000)))
    middle = len(data) // 2
    data[middle: middle + 64] = bytes(64)
    path = tmp_path / "corrupt.csv.gz"
    path.write_bytes(bytes(data))
    line = validate(path, capsys)
    assert names(line, path) and "gzip" in line


def test_gzip_that_is_plain_text(capsys):
    path = FILES / "not_gzip.csv.gz"
    line = validate(path, capsys)
    assert names(line, path) and "not gzip-compressed" in line


def test_empty_file_named_gz(tmp_path, capsys):
    path = tmp_path / "nothing.csv.gz"
    path.write_bytes(b"")
    line = validate(path, capsys)
    assert names(line, path) and "empty" in line


def test_gzip_of_nothing(tmp_path, capsys):
    path = tmp_path / "zero.csv.gz"
    path.write_bytes(gzip.compress(b""))
    line = validate(path, capsys)
    assert names(line, path) and "empty" in line


def test_gzip_bomb_refused_by_ratio_with_the_real_limits(tmp_path, capsys):
    """~0.3 MB of gzip inflating to 320 MiB: refused past 64 MiB, in constant memory."""
    member = gzip.compress(rows(1) + b"o1,pick,2024-01-01 10:00\n" * (16 * 1024**2 // 25),
                           compresslevel=9)
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(member * 20)  # concatenated members are one valid gzip stream
    assert path.stat().st_size < 1024**2
    line = validate(path, capsys)
    assert names(line, path)
    assert "refused" in line and "times its size" in line and "gzip bomb" in line


def test_gzip_beyond_the_size_cap(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(xmlsafety, "MAX_UNCOMPRESSED_BYTES", 100_000)
    path = tmp_path / "big.csv.gz"
    path.write_bytes(gzip.compress(rows(10_000)))  # ~300 KB of text
    line = validate(path, capsys)
    assert names(line, path) and "more than 100,000 bytes" in line


def test_capped_reader_enforces_the_limits_while_a_parser_reads(tmp_path):
    """Even a file that changed after it was checked cannot make the parser hold more."""
    path = tmp_path / "grew.csv.gz"
    path.write_bytes(gzip.compress(rows(10_000)))
    with open_capped_gzip(path, limits=(50_000, 200, 1024**2)) as handle:
        with pytest.raises(InputError, match=r"grew\.csv\.gz: refused: .* 50,000 bytes"):
            pd.read_csv(handle)


def test_gzip_within_the_limits_loads(tmp_path, capsys):
    path = tmp_path / "fine.csv.gz"
    path.write_bytes(gzip.compress(rows(70_000)))  # head of 64 KiB is a small part of it
    assert main(["validate", str(path)]) == 0
    assert "70,000" in capsys.readouterr().out


# -- not a regular readable file -------------------------------------------------------------
def test_symlink_loop(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.symlink_to(b)
    b.symlink_to(a)
    line = validate(a, capsys)
    assert "a.csv: " in line and "symbolic link loop" in line


@pytest.mark.parametrize("suffix", [".csv", ".xes", ".zip", ".parquet"])
def test_symlink_loop_read_directly(tmp_path, suffix):
    a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    a.symlink_to(b)
    b.symlink_to(a)
    from procmine.io.archive import single_member
    from procmine.io.xmlsafety import check_xml

    read = {".csv": read_table, ".parquet": read_table, ".xes": check_xml,
            ".zip": single_member}[suffix]
    with pytest.raises(InputError, match=r"a\.\w+: a symbolic link loop"):
        read(a)


def test_dangling_symlink(tmp_path, capsys):
    link = tmp_path / "gone.csv"
    link.symlink_to(tmp_path / "moved-away.csv")
    line = validate(link, capsys)
    assert names(line, link) and "moved-away.csv" in line  # where the link points
    with pytest.raises(InputError, match=r"gone\.csv: a symbolic link to a file that does not"):
        read_table(link)


def test_folder_given_as_a_file(tmp_path, capsys):
    folder = tmp_path / "export.csv"
    folder.mkdir()
    line = validate(folder, capsys)
    assert names(line, folder) and "is a folder, not a file" in line


@pytest.mark.parametrize("suffix", [".csv", ".xes", ".zip", ".xes.gz"])
def test_fifo_given_as_a_file_does_not_block(tmp_path, capsys, suffix):
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    signal.alarm(20)  # opening a FIFO without a writer would block for ever
    try:
        line = validate(fifo, capsys)
    finally:
        signal.alarm(0)
    assert names(line, fifo) and "named pipe (FIFO)" in line


def test_device_given_as_a_file(capsys):
    line = validate(Path("/dev/zero"), capsys, "--format", "csv")
    assert names(line, Path("/dev/zero")) and "is a device, not a regular file" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file")
def test_unreadable_file(tmp_path, capsys):
    path = tmp_path / "secret.csv"
    path.write_bytes(rows(2))
    path.chmod(0)
    try:
        line = validate(path, capsys)
    finally:
        path.chmod(0o600)
    assert names(line, path) and "permission denied" in line


def test_unreadable_file_code_path(tmp_path, capsys, monkeypatch):
    """As root a chmod 000 file stays readable: make its opening fail as it would."""
    path = tmp_path / "secret.csv"
    path.write_bytes(rows(2))

    def refusing_open(file, *args, **kwargs):
        if Path(os.fsdecode(file)) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(xmlsafety, "open", refusing_open, raising=False)
    line = validate(path, capsys)
    assert names(line, path) and "permission denied" in line


def test_os_error_elsewhere_names_the_file(tmp_path, capsys, monkeypatch):
    """An OSError from deeper down prints ``FILE: reason``, not ``[Errno 13] ...: 'FILE'``."""
    path = tmp_path / "late.csv"
    path.write_bytes(rows(2))

    def failing(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(tables, "_read_csv", failing)
    line = validate(path, capsys)
    assert line == f"procmine: error: {path}: Permission denied"


# -- empty and binary content ----------------------------------------------------------------
def test_empty_file(capsys):
    path = FILES / "empty.csv"
    line = validate(path, capsys)
    assert names(line, path) and "file is empty" in line


def test_blank_lines_only(capsys):
    path = FILES / "blank_lines.csv"
    line = validate(path, capsys)
    assert names(line, path) and "file is empty" in line


@pytest.mark.parametrize("encoding", [None, "latin-1", "cp1252"])
def test_random_bytes_as_csv_are_not_quoted(tmp_path, capsys, encoding):
    rng = random.Random(14)
    data = bytes(rng.randrange(1, 256) for _ in range(5_000))  # no NUL byte
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    extra = ["--encoding", encoding] if encoding else []
    line = validate(path, capsys, *extra)
    assert names(line, path)
    assert "not a CSV text file" in line or "not valid utf-8" in line
    message = line.split(f"{path}: ", 1)[1]
    assert message.isascii()  # no decoded byte of the file is echoed


def test_binary_with_a_csv_like_first_line(tmp_path, capsys):
    rng = random.Random(7)
    path = tmp_path / "dump.csv"
    path.write_bytes(HEADER + bytes(rng.randrange(1, 32) for _ in range(3_000)))
    line = validate(path, capsys)
    assert names(line, path) and "binary file" in line and "control bytes" in line


def test_a_stray_control_character_is_still_text(tmp_path):
    path = tmp_path / "stray.csv"
    path.write_bytes(HEADER + b"1,pick\x07,2024-01-01\n" + rows(50)[len(HEADER):])
    assert read_table(path).frame["activity"].iloc[0] == "pick\x07"


# -- clean messages --------------------------------------------------------------------------
def test_file_name_with_escape_sequence_and_newline(tmp_path, capsys):
    path = tmp_path / "bad\x1b[2Jname\nfake.csv"
    path.write_bytes(b"")
    line = validate(path, capsys)
    assert "bad\\x1b[2Jname\\nfake.csv: file is empty" in line
    assert "\x1b" not in line


def test_column_names_with_control_characters(tmp_path, capsys):
    path = tmp_path / "cols.csv"
    path.write_bytes(b'"a\x1b]0;owned\x07b","x\ny",c\n1,2,3\n')
    line = validate(path, capsys)
    assert names(line, path) and "not found" in line
    assert "\x1b" not in line and "\x07" not in line


@pytest.mark.parametrize(("raw", "shown"), [
    ("a\x1b[31mb", "a\\x1b[31mb"),
    ("one\ntwo\r", "one\\ntwo\\r"),
    ("tab\there", "tab\\there"),
    ("del\x7f c1\x9b", "del\\x7f c1\\x9b"),
    ("line\u2028sep", "line\\u2028sep"),
    ("bidi\u202egnp.exe", "bidi\\u202egnp.exe"),
    ("café, 東京, ✓", "café, 東京, ✓"),
])
def test_printable(raw, shown):
    assert printable(raw) == shown


# -- wide files --------------------------------------------------------------------------------
def test_wide_file_is_read_without_column_inserts(tmp_path, monkeypatch):
    """5,000 columns x 200 rows: the frame is built in one go, never column by column."""
    width = 5_000
    path = tmp_path / "wide.csv"
    header = ["case_id", "activity", "timestamp"] + [f"attr{i}" for i in range(width - 3)]
    body = "".join(",".join([f"o{r}", "pick", "2024-01-01 10:00"]
                            + [str((r * i) % 97) for i in range(width - 3)]) + "\n"
                   for r in range(200))
    path.write_text(",".join(header) + "\n" + body)
    calls = {"setitem": 0, "insert": 0}
    setitem, insert = pd.DataFrame.__setitem__, pd.DataFrame.insert

    def counting_setitem(self, key, value):
        calls["setitem"] += 1
        return setitem(self, key, value)

    def counting_insert(self, *args, **kwargs):
        calls["insert"] += 1
        return insert(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "__setitem__", counting_setitem)
    monkeypatch.setattr(pd.DataFrame, "insert", counting_insert)
    table = read_table(path)
    assert table.frame.shape == (200, width)
    assert table.columns[-1] == f"attr{width - 4}"
    assert calls["insert"] == 0 and calls["setitem"] <= 2
