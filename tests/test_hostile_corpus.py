"""The hostile-input corpus of issue 14, as real files: ``tests/data/hostile/corpus/``.

Each line of ``MANIFEST.csv`` is one case: ``procmine COMMAND FILE ARGS`` must exit with
``exit``; a failure is exactly one line ``procmine: error: ...`` holding ``message``; a
success mentions ``message`` (when given) and its accounting (``rows_read = rows_loaded +
rows_rejected``, summed over the sources) matches the manifest, ``procmine validate``'s
table and, for CSV files, an independent count with the ``csv`` module (records with at
least one field, less the header). Reports must give SVGs that parse and HTML without
characters XML 1.0 forbids. The files are committed; ``make_corpus.py`` rebuilds them.
The expectations were written from the documented rules, not from procmine's output.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import procmine
from procmine.cli import main

CORPUS = Path(__file__).parent / "data" / "hostile" / "corpus"
MANIFEST = CORPUS / "MANIFEST.csv"
HELPERS = {"MANIFEST.csv", "make_corpus.py", "outside.csv", "data"}
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
STATS_ROW = re.compile(r"^\S.*?\s+(\w+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)$")
LOAD_OPTIONS = {"--delimiter": "delimiter", "--encoding": "encoding"}

# case id -> reason, for cases where procmine disagrees with the documented rule
XFAIL: dict[str, str] = {}


def _cases() -> list[dict[str, str]]:
    with MANIFEST.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


CASES = _cases()


def _case_id(number: int, case: dict[str, str]) -> str:
    return f"{number:03d}-{case['command']}-{case['file']}"


def _params() -> list[object]:
    params = []
    for number, case in enumerate(CASES, start=2):  # manifest line number
        cid = _case_id(number, case)
        marks = [pytest.mark.xfail(strict=True, reason=XFAIL[cid])] if cid in XFAIL else []
        params.append(pytest.param(case, id=cid, marks=marks))
    return params


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root, ignore=shutil.ignore_patterns("MANIFEST.csv", "*.py"))
    return root


def _argv(case: dict[str, str], root: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    path = root / case["file"]
    fill = {"{out}": str(tmp_path / "out"), "{file}": str(path), "{dir}": str(root)}
    args = []
    for arg in case["args"].split():
        for key, value in fill.items():
            arg = arg.replace(key, value)
        args.append(arg)
    return path, [case["command"], str(path), *args]


def _load_options(case: dict[str, str]) -> dict[str, str]:
    args = case["args"].split()
    return {LOAD_OPTIONS[a]: args[i + 1] for i, a in enumerate(args) if a in LOAD_OPTIONS}


def _csv_count(path: Path, options: dict[str, str]) -> int:
    """Records with at least one field, less the header: independent of procmine."""
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    text = raw.decode(options.get("encoding", "utf-8-sig"))
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=options.get("delimiter", ","))
    records = [r for r in reader if len(r) >= 1]
    return max(len(records) - 1, 0)


def _validate_table(out: str) -> tuple[int, int, int]:
    totals = [0, 0, 0]
    lines = out.splitlines()
    assert lines and lines[0].startswith("source"), out
    for line in lines[1:]:
        match = STATS_ROW.match(line)
        if not match:
            break
        for i in range(3):
            totals[i] += int(match.group(i + 2).replace(",", ""))
    return totals[0], totals[1], totals[2]


def _check_report(out_dir: Path) -> None:
    assert (out_dir / "report.html").is_file() and (out_dir / "summary.json").is_file()
    html = (out_dir / "report.html").read_text(encoding="utf-8")
    assert not FORBIDDEN.search(html), FORBIDDEN.search(html)
    svgs = sorted((out_dir / "maps").glob("*.svg"))
    assert svgs
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert not FORBIDDEN.search(text), (svg.name, FORBIDDEN.search(text))
        ET.fromstring(text.encode("utf-8"))  # well-formed
    total = sum(f.stat().st_size for f in out_dir.rglob("*") if f.is_file())
    assert total < 5 * 1024**2, total  # bounded work: a 4-row file gives a small report
    for table in (out_dir / "tables").glob("*.csv"):
        assert table.stat().st_size < 1024**2, table.name


@pytest.mark.parametrize("case", _params())
def test_corpus_case(case, tmp_path, capsys):
    root = _copy(tmp_path)
    path, argv = _argv(case, root, tmp_path)
    before = path.read_bytes()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(argv)
    captured = capsys.readouterr()
    noted = " ".join(str(w.message) for w in caught)
    expected = int(case["exit"])
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    assert code == expected, captured.err
    assert path.read_bytes() == before  # the input is never overwritten
    if expected != 0:
        lines = captured.err.splitlines()
        assert len(lines) == 1, captured.err
        line = lines[0]
        assert line.startswith("procmine: error: "), line
        assert line.isprintable(), line  # control characters escaped, no terminal escapes
        assert case["message"] in line, line
        if expected == 1:
            assert path.name in line or str(path) in line or case["message"] in line
        return
    if case["message"]:
        assert case["message"] in captured.out + captured.err + noted
    if case["command"] == "report":
        _check_report(tmp_path / "out")
    if not case["rows_read"]:
        return
    want = (int(case["rows_read"]), int(case["rows_loaded"]), int(case["rows_rejected"]))
    assert want[0] == want[1] + want[2]
    if case["command"] == "validate":
        assert _validate_table(captured.out) == want, captured.out
    options = _load_options(case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = procmine.load(path, **options)
    got = tuple(sum(getattr(s, k) for s in log.sources)
                for k in ("rows_read", "rows_loaded", "rows_rejected"))
    assert got == want
    assert len(log.rejects) == want[2]
    ids = log.events["case_id"].astype(str)
    assert not ids.str.fullmatch(r"-?\d+\.0").any(), sorted(set(ids))  # 7, never 7.0
    if path.name.endswith((".csv", ".csv.gz")):
        assert _csv_count(path, options) == want[0]


def test_every_corpus_file_is_a_case_and_small():
    named = {case["file"] for case in CASES}
    named |= {a.rsplit("/", 1)[-1] for case in CASES for a in case["args"].split()
              if "{dir}/" in a}
    for entry in CORPUS.iterdir():
        if entry.name not in HELPERS:
            assert entry.name in named, f"{entry.name} has no line in MANIFEST.csv"
    for entry in CORPUS.rglob("*"):
        if entry.is_file():
            assert entry.stat().st_size < 20 * 1024, entry.name
    assert len(CASES) >= 60


@pytest.mark.parametrize("name", ["bad\x1b[2Jname.csv", "two\nlines.csv", "bell\x07.csv",
                                  "csi\x9b31m.csv"])
def test_file_names_with_control_characters_are_escaped(tmp_path, capsys, name):
    """File names cannot hold every control character in git, so these are made here."""
    path = tmp_path / name
    path.write_bytes((CORPUS / "binary.csv").read_bytes())
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    line = err.rstrip("\n")
    assert line.startswith("procmine: error: ") and line.isprintable(), line
    assert "binary file" in line


def test_content_of_an_unrecognised_file_is_not_quoted(tmp_path, capsys):
    path = _copy(tmp_path) / "passwd_like.csv"
    assert main(["validate", str(path)]) == 1
    line = capsys.readouterr().err.strip()
    assert line.startswith("procmine: error: ") and "not found" in line
    assert "root:" not in line and "/bin/bash" not in line, line
