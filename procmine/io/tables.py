"""Read tabular extracts (CSV, Parquet, Excel) into raw, traceable tables."""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import mmap
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, get_args
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from procmine._parallel import side_by_side
from procmine.errors import InputError, UsageError
from procmine.io.xmlsafety import check_gzip, open_capped_gzip, require_file
from procmine.schema import empty_rejects

__all__ = [
    "REASON_TOO_MANY_FIELDS",
    "RawTable",
    "TableFormat",
    "infer_format",
    "read_table",
]

TableFormat = Literal["csv", "parquet", "excel"]
#: Reject reason of a CSV row with more fields than the header.
REASON_TOO_MANY_FIELDS = "too many fields"

_VALUE_CHARS = 200
_HEAD_BYTES = 65536
# Bytes that are not C0 controls (tab, newlines and form feed count as text) nor DEL.
_NOT_CONTROL = bytes(b for b in range(256)
                     if not ((b < 32 and b not in b"\t\n\r\f\v") or b == 127))
_CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "'\\t' (tab)", "|": "'|'"}
# Largest field the Python csv module may hold; the file size bounds memory anyway.
_FIELD_LIMIT = 2**31 - 1
_MAGIC = (
    (b"PAR1", "a Parquet file", 'format = "parquet"'),
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook?)", 'format = "excel"'),
    (b"\x89PNG", "a PNG image", None),
    (b"\xff\xd8\xff", "a JPEG image", None),
    (b"%PDF", "a PDF document", None),
    (b"SQLite format 3", "an SQLite database (OCEL?)", 'format = "ocel"'),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook (save it as .xlsx)", None),
)


@dataclass(frozen=True)
class RawTable:
    """One extract as read, before any mapping.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data rows with the file's own column names. CSV and Excel values
        are text exactly as written (empty cells missing); Parquet keeps its
        column types. Index 0..n-1.
    rows : numpy.ndarray
        Spreadsheet row number of each frame row (header = row 1).
    rejects : pandas.DataFrame
        Rows rejected while reading (more fields than the header), with the
        columns of :data:`procmine.schema.REJECT_COLUMNS`.
    path : str
        The file as given.
    format : str
        ``csv``, ``parquet`` or ``excel``.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    rejects: pd.DataFrame = field(default_factory=empty_rejects)
    path: str = ""
    format: str = "csv"

    def __repr__(self) -> str:
        return (f"RawTable({self.path!r}: {len(self.frame)} rows, {len(self.rejects)} rejected, "
                f"columns {self.columns})")

    @property
    def rows_read(self) -> int:
        """Data rows read: rows in ``frame`` plus rows rejected while reading."""
        return len(self.frame) + len(self.rejects)

    @property
    def columns(self) -> list[str]:
        """The column names, as in the file."""
        return [str(c) for c in self.frame.columns]


def infer_format(path: str | Path) -> str | None:
    """The format a file's suffix implies, or None when it implies none.

    Examples
    --------
    >>> infer_format("sales.csv.gz"), infer_format("w.parquet"), infer_format("log.xes.gz")
    ('csv', 'parquet', 'xes')
    >>> infer_format("orders.jsonocel"), infer_format("notes.txt") is None
    ('ocel', True)
    """
    name = Path(path).name.lower()
    for suffixes, fmt in (
        ((".csv", ".csv.gz", ".tsv", ".tsv.gz"), "csv"),
        ((".parquet", ".pq"), "parquet"),
        ((".xlsx", ".xlsm"), "excel"),
        ((".xes", ".xes.gz"), "xes"),
        ((".jsonocel", ".json", ".xmlocel", ".xml", ".xml.gz", ".sqlite", ".sqlite3"), "ocel"),
        ((".toml",), "sources"),
    ):
        if name.endswith(suffixes):
            return fmt
    return None


def read_table(
    path: str | Path,
    *,
    format: TableFormat | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    quotechar: str = '"',
    sheet: str | None = None,
    name: str | None = None,
    fix_hint: str = "",
    times: Sequence[str] = (),
) -> RawTable:
    """Read a CSV, Parquet or Excel extract into a :class:`RawTable`.

    Every data row keeps its spreadsheet row number (the header is row 1).
    A CSV row with more fields than the header is not lost: it goes to the
    table's rejects with reason ``"too many fields"``. Completely blank lines
    are skipped and not counted.

    Parameters
    ----------
    path : str or Path
        The file. ``.csv.gz`` is decompressed on the fly, within the limits of
        :mod:`procmine.io.xmlsafety` (2 GiB, and 200 times the compressed size
        past 64 MiB): the whole stream is checked first, in constant memory.
    format : {"csv", "parquet", "excel"}, keyword-only
        Default: from the suffix, else CSV.
    delimiter : str, keyword-only
        CSV field separator (one character; default ``","``, ``"\\t"`` for ``.tsv``).
    encoding : str, keyword-only
        CSV text encoding. Default UTF-8 (a byte-order mark is honoured,
        also for UTF-16).
    quotechar : str, keyword-only
        CSV quote character.
    sheet : str, keyword-only
        Excel worksheet (default: the first).
    name : str, keyword-only
        Source name for the rejects table (default: the file stem).
    fix_hint : str, keyword-only
        Where the user sets options, e.g. ``"in [sources.sales]"``; used in messages.
    times : sequence of str, keyword-only
        Columns expected to hold ISO 8601 times with an offset, such as
        ``2024-03-01T14:05:00+01:00`` (a mapping's timestamp column when no format is
        set). A CSV whose such columns hold only those times (years 1700 to 2199) or
        nothing gets them as UTC datetimes, parsed by the reader as it reads, with the
        values :func:`procmine.io.mapping.parse_timestamps` gives for their text; any
        other value, and any other format, and they are text like every column.

    Returns
    -------
    RawTable

    Raises
    ------
    InputError
        The file is missing, not a regular readable file, empty, binary, not
        decodable, split by another delimiter, or has an unclosed quote; a
        gzip file is truncated, corrupt or beyond the decompression limits.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> p = os.path.join(folder, "t.csv")
    >>> _ = open(p, "w").write("id,act\\n1,a\\n2,b,extra\\n3,c\\n")
    >>> t = read_table(p)
    >>> t.frame["act"].tolist(), t.rows.tolist(), t.rejects["row"].tolist()
    (['a', 'c'], [2, 4], [3])
    """
    path = Path(path)
    source = name or _stem(path)
    require_file(path)
    fmt = format or infer_format(path) or "csv"
    if fmt not in get_args(TableFormat):
        raise UsageError(f"{path}: format {fmt!r} is not a table; expected one of "
                         f"{', '.join(get_args(TableFormat))}")
    if fmt == "parquet":
        return _read_parquet(path, source)
    if fmt == "excel":
        return _read_excel(path, source, sheet=sheet)
    if delimiter is None:
        delimiter = "\t" if path.name.lower().endswith((".tsv", ".tsv.gz")) else ","
    for option, value in (("delimiter", delimiter), ("quotechar", quotechar)):
        if not isinstance(value, str) or len(value) != 1:
            raise InputError(f"{path}: {option} must be one character, got {value!r}"
                             f"{_hint(fix_hint)}")
    return _read_csv(path, source, delimiter=delimiter, encoding=encoding,
                     quotechar=quotechar, fix_hint=fix_hint, times=times)


# -- CSV ---------------------------------------------------------------------------------------
def _read_csv(path: Path, source: str, *, delimiter: str, encoding: str | None,
              quotechar: str, fix_hint: str, times: Sequence[str] = ()) -> RawTable:
    compressed = path.name.lower().endswith(".gz")
    if compressed:  # truncation, corruption, bombs: found before anything is parsed
        check_gzip(path, kind="CSV")
    head = _head_bytes(path, compressed)
    encoding = _resolve_encoding(path, head, encoding)
    _check_not_binary(path, head, encoding, fix_hint)
    text_head = _decode_head(path, head, encoding, fix_hint)
    if not text_head.strip():
        raise InputError(f"{path}: file is empty; expected a header row with column names "
                         "followed by one row per event")
    _check_delimiter(path, text_head, delimiter, quotechar, fix_hint)
    fast = _read_csv_arrow(path, text_head, delimiter=delimiter, encoding=encoding,
                           quotechar=quotechar, compressed=compressed, times=times)
    if fast is not None:
        return fast
    try:
        with _open_bytes(path, compressed) as handle:
            raw = pd.read_csv(
                handle, sep=delimiter, quotechar=quotechar, header=None, dtype=str,
                keep_default_na=False, na_values=[""], skip_blank_lines=False,
                encoding=encoding, engine="c", compression=None,
            )
        rejects = empty_rejects()
    except UnicodeDecodeError:
        raise _decode_error(path, compressed, encoding, fix_hint) from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: file is empty; expected a header row with column names "
                         "followed by one row per event") from None
    except pd.errors.ParserError as problem:
        message = str(problem)
        unclosed = re.search(r"EOF inside string starting at row (\d+)", message)
        if unclosed:
            row = int(unclosed.group(1)) + 1
            raise InputError(
                f"{path}: row {row}: a quoted field is never closed (quote character "
                f"{quotechar!r}); the rest of the file would be one value. Fix the quoting "
                f"in the file, or set quotechar{_hint(fix_hint)}"
            ) from None
        if "fields in line" not in message:
            raise InputError(f"{path}: cannot be read as CSV "
                             f"({_one_line(message)})") from None
        raw, rejects = _read_csv_ragged(path, source, delimiter=delimiter, encoding=encoding,
                                        quotechar=quotechar, compressed=compressed)
    blank_lines = None
    if raw.iloc[1:].isna().all(axis=1).any():
        blank_lines = _blank_lines(path, delimiter=delimiter, encoding=encoding,
                                   quotechar=quotechar, compressed=compressed, records=len(raw))
    return _finish_csv(path, source, raw, rejects, blank_lines=blank_lines)


def _read_csv_arrow(path: Path, text_head: str, *, delimiter: str, encoding: str,
                    quotechar: str, compressed: bool,
                    times: Sequence[str] = ()) -> RawTable | None:
    """The common case, read by Arrow's multithreaded CSV reader; None for the careful path.

    Arrow reads every field as text (empty fields missing, as the careful path reads
    them) and the header as the first record. Whatever it does not read exactly as the
    careful path would -- another encoding than UTF-8, one column, a blank line, a row
    with too many or too few fields, an unclosed quote, bytes that are not UTF-8 -- makes
    it give up, and the careful path (pandas, then the csv module) reads the file, with
    the same rows, rejects and messages as ever.

    The columns named in ``times`` are first read as UTC times by Arrow's reader
    (:func:`_time_fields`); when one of their values is not such a time, the file is
    read again with every column as text.
    """
    if encoding != "utf-8-sig":
        return None
    first_line = text_head.lstrip("\r\n").splitlines()[0] if text_head.strip() else ""
    width = first_line.count(delimiter) + 1  # at least the header's fields
    if width < 2:
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    data = None
    if not compressed:  # mapped, not copied; a file without the quote character has no
        try:            # newline inside a value, and Arrow splits it into rows faster so
            with open(path, "rb") as handle:
                data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            return None
    try:
        quoted = data is None or data.find(quotechar.encode("utf-8")) >= 0
        parse = pacsv.ParseOptions(delimiter=delimiter, quote_char=quotechar,
                                   double_quote=True, escape_char=False,
                                   newlines_in_values=quoted, ignore_empty_lines=False)
        typed = _time_fields(text_head, delimiter=delimiter, quotechar=quotechar, times=times)
        for fields in ([typed, {}] if typed else [{}]):
            header = None if not fields else _plain_header(text_head, delimiter)
            read = pacsv.ReadOptions(autogenerate_column_names=True,
                                     skip_rows=0 if header is None else 1)
            types = {f"f{i}": fields.get(i, pa.large_string())
                     for i in range(width if header is None else len(header))}
            convert = pacsv.ConvertOptions(column_types=types, null_values=[""],
                                           strings_can_be_null=True,
                                           quoted_strings_can_be_null=True)
            try:
                if data is None:
                    with _open_bytes(path, compressed) as handle:
                        table = pacsv.read_csv(handle, read, parse, convert)
                else:
                    table = pacsv.read_csv(pa.BufferReader(pa.py_buffer(data)), read, parse,
                                           convert)
            except (pa.ArrowException, OSError, ValueError):
                if fields:
                    continue  # a value that is not such a time: every column as text
                return None  # the careful path reads it, or says what is wrong
            if header is None:
                if table.num_rows == 0 or any(not pa.types.is_large_string(t)
                                              for t in table.schema.types):
                    return None
                header = [None if v is None else str(v)
                          for v in table.slice(0, 1).to_pylist()[0].values()]
                table = table.slice(1)
            elif table.num_rows == 0 or table.num_columns != len(header) \
                    or not _times_within_years(table, fields):
                continue
            return _arrow_raw_table(table, header, path)
        return None
    finally:
        if data is not None:
            with contextlib.suppress(BufferError):  # a view of it still alive: left to GC
                data.close()


def _arrow_raw_table(body: Any, header: list[str | None], path: Path) -> RawTable | None:
    """The rows Arrow read (the header apart) as a raw table; None when a row is blank."""
    import pyarrow as pa

    # one chunk per column (the reader gives one per block): every later filter, gather and
    # hash runs over one contiguous array instead of resolving chunks value by value
    # (each column copied on its own thread)
    columns = side_by_side(*(column.combine_chunks for column in body.columns))
    empty = np.ones(body.num_rows, dtype=bool)
    for column in columns:
        empty &= column.is_null().to_numpy(zero_copy_only=False)
    if empty.any():  # a blank line, or a row of empty fields: the careful path tells them apart
        return None
    # each text column wrapped as pandas text as it is (to_pandas would convert every
    # column); times as pandas' UTC datetimes
    text = _text_dtype(pa.large_string())
    frame = pd.DataFrame({i: pd.Series(pd.array(column, dtype=text))
                          if pa.types.is_large_string(column.type)
                          else pd.Series(column.to_pandas(), copy=False)
                          for i, column in enumerate(columns)})
    frame.columns = _column_names(header)
    rows = np.arange(2, body.num_rows + 2, dtype="int64")
    return RawTable(frame=frame, rows=rows, path=str(path), format="csv")


def _plain_header(text_head: str, delimiter: str) -> list[str | None] | None:
    """The header's names split at the delimiter, when the first line is whole in
    ``text_head`` and holds no quote character (so splitting reads it as Arrow does)."""
    end = text_head.find("\n")
    if end < 0 or text_head[:1] in ("\r", "\n"):
        return None
    line = text_head[:end].removesuffix("\r")
    return [name or None for name in line.split(delimiter)]


def _time_fields(text_head: str, *, delimiter: str, quotechar: str,
                 times: Sequence[str]) -> dict[int, Any]:
    """The header positions of the ``times`` columns, each with Arrow's UTC time type.

    Arrow's reader parses an ISO 8601 time with an offset (``Z``, ``+01``, ``+0100``,
    ``+01:00``) exactly as :func:`procmine.io.mapping.parse_timestamps` does for the same
    text (it is the same Arrow parse there), and refuses every other value, which then
    sends the file back to being read as text: a time without an offset (local time, or
    a zone to apply), a blank around it, a leap second, a 30 February. Empty: no such
    column, a header with a quote character, or a name found twice.
    """
    if not times:
        return {}
    header = _plain_header(text_head, delimiter)
    if header is None or quotechar in text_head[: text_head.find("\n")]:
        return {}
    import pyarrow as pa

    names = _column_names(header)
    return {names.index(name): pa.timestamp("us", "UTC") for name in dict.fromkeys(times)
            if names.count(name) == 1}


#: The years the text path parses with Arrow (``mapping._ISO_DATE``): times read by
#: Arrow's reader outside them are read again as text, for pandas to parse.
_ARROW_YEARS = (1700, 2200)


def _times_within_years(table: Any, fields: dict[int, Any]) -> bool:
    """True when every time read lies in :data:`_ARROW_YEARS` (first year included)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    low = pa.scalar(dt.datetime(_ARROW_YEARS[0], 1, 1, tzinfo=dt.UTC),
                    pa.timestamp("us", "UTC"))
    high = pa.scalar(dt.datetime(_ARROW_YEARS[1], 1, 1, tzinfo=dt.UTC),
                     pa.timestamp("us", "UTC"))
    for i in fields:
        bounds = pc.min_max(table.column(i))
        first, last = bounds["min"], bounds["max"]
        if first.is_valid and (pc.less(first, low).as_py() or
                               pc.greater_equal(last, high).as_py()):
            return False
    return True


def _text_dtype(arrow_type: object) -> pd.StringDtype | None:
    """Arrow text as pandas' text dtype (Arrow-backed, missing as NaN), as read_csv gives."""
    import pyarrow as pa

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow", na_value=np.nan)
    return None


def _blank_lines(path: Path, *, delimiter: str, encoding: str, quotechar: str,
                 compressed: bool, records: int) -> np.ndarray | None:
    """Which records are blank lines (not rows), as opposed to rows of empty fields.

    pandas reads ``,,,,`` and an empty line alike; the csv module tells them apart
    (an empty line is a record with no field). Only run when a record has no value.
    ``None`` when the two readers disagree on the records (then blank ones are dropped,
    as before).
    """
    flags = []
    with _field_limit(), _open_text(path, encoding, compressed) as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar=quotechar)
        try:
            flags = [not record for record in reader]
        except csv.Error:
            return None
    if len(flags) != records:
        return None
    return np.asarray(flags, dtype=bool)


def _finish_csv(path: Path, source: str, raw: pd.DataFrame, rejects: pd.DataFrame, *,
                blank_lines: np.ndarray | None = None) -> RawTable:
    """Header row -> column names; blank lines dropped; rows numbered from 2.

    ``blank_lines`` (one flag per record, when known) says which records are empty lines:
    only those are dropped; a row of empty fields (``,,,,``) stays, to be rejected as an
    empty row and counted as read. Without it, every record with no value is dropped.
    """
    if raw.empty:
        raise InputError(f"{path}: file is empty; expected a header row with column names")
    header = [None if pd.isna(v) else str(v) for v in raw.iloc[0].tolist()]
    data = raw.iloc[1:]
    rows = np.arange(2, len(raw) + 1, dtype="int64")
    blank = (blank_lines[1:] if blank_lines is not None
             else data.isna().all(axis=1).to_numpy())
    if blank_lines is not None and len(rejects):  # rejected already (too many fields)
        blank = blank | np.isin(rows, rejects["row"].to_numpy())
    if blank.any():
        data = data.loc[~blank]
        rows = rows[~blank]
    data = data.reset_index(drop=True)
    data.columns = _column_names(header)
    return RawTable(frame=data, rows=rows, rejects=rejects, path=str(path), format="csv")


def _read_csv_ragged(path: Path, source: str, *, delimiter: str, encoding: str,
                     quotechar: str, compressed: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Slow path for files with over-long rows: every record keeps its row number."""
    records: list[list[str]] = []
    with _field_limit(), _open_text(path, encoding, compressed) as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar=quotechar)
        try:
            records.extend(reader)
        except csv.Error as problem:
            raise InputError(f"{path}: row {len(records) + 1}: cannot be read as CSV "
                             f"({_one_line(problem)})") from None
    width = len(records[0]) if records else 0
    lengths = np.fromiter(map(len, records), dtype="int64", count=len(records))
    too_long = lengths > width
    too_long[0] = False
    bad = np.flatnonzero(too_long)
    rejects = pd.DataFrame({
        "source": pd.Series([source] * len(bad), dtype="str"),
        "row": pd.Series(bad + 1, dtype="int64"),
        "reason": pd.Series([REASON_TOO_MANY_FIELDS] * len(bad), dtype="str"),
        "column": pd.Series([f"{lengths[i]} fields, header has {width}" for i in bad],
                            dtype="str"),
        "value": pd.Series([delimiter.join(records[i])[:_VALUE_CHARS] for i in bad],
                           dtype="str"),
    })
    for i in bad:  # keep the row (numbering), drop its values; removed in _finish_csv
        records[i] = [""] * width
    short = np.flatnonzero(lengths < width)
    for i in short:  # too few fields: the missing ones are empty (as the fast path does)
        records[i] = records[i] + [""] * (width - len(records[i]))
    frame = pd.DataFrame.from_records(records, columns=range(width)) if width else pd.DataFrame()
    frame = frame.astype("str").mask(frame.isna() | (frame == ""))
    # _finish_csv drops all-empty rows: the rejected ones and blank lines alike.
    return frame, rejects


@contextlib.contextmanager
def _field_limit() -> Iterator[None]:
    previous = csv.field_size_limit()
    csv.field_size_limit(_FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _open_bytes(path: Path, compressed: bool) -> IO[bytes]:
    """The file's bytes; a gzip file through the reader that enforces the limits."""
    if compressed:
        return open_capped_gzip(path, kind="CSV")
    return open(path, "rb")


def _open_text(path: Path, encoding: str, compressed: bool) -> IO[str]:
    return io.TextIOWrapper(_open_bytes(path, compressed), encoding=encoding, newline="")


def _head_bytes(path: Path, compressed: bool) -> bytes:
    with _open_bytes(path, compressed) as handle:
        return handle.read(_HEAD_BYTES)


def _resolve_encoding(path: Path, head: bytes, encoding: str | None) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        if encoding is None or encoding.lower().replace("-", "").replace("_", "") in {
            "utf16", "utf8", "utf8sig"}:
            return "utf-16"
    if encoding is None:
        return "utf-8-sig"
    if encoding.lower().replace("_", "-") in {"utf-8", "utf8"}:
        return "utf-8-sig"  # a byte-order mark never becomes part of the first column name
    try:
        "".encode(encoding)
    except LookupError:
        raise InputError(f"{path}: unknown encoding {encoding!r}; use e.g. 'utf-8', "
                         "'latin-1', 'cp1252' or 'utf-16'") from None
    return encoding


def _check_not_binary(path: Path, head: bytes, encoding: str, fix_hint: str) -> None:
    for magic, what, fix in _MAGIC:
        if head.startswith(magic):
            advice = f"; set {fix}{_hint(fix_hint)}" if fix else ""
            raise InputError(f"{path}: this is {what}, not a CSV text file{advice}")
    if "16" not in encoding and "32" not in encoding and b"\x00" in head:
        sample = head[:4096]
        for order, zeros in (("le", sample[1::2]), ("be", sample[0::2])):
            if zeros and zeros.count(0) > 0.9 * len(zeros):
                raise InputError(
                    f"{path}: this looks like UTF-16 text without a byte-order mark; set "
                    f"encoding = 'utf-16-{order}'{_hint(fix_hint)}")
        raise InputError(f"{path}: this is a binary file (it contains NUL bytes), not a CSV "
                         "text file; export the extract as CSV, Parquet or Excel")
    if "16" not in encoding and "32" not in encoding:
        controls = len(head.translate(None, _NOT_CONTROL))
        if controls > max(8, len(head) // 100):
            raise InputError(
                f"{path}: this is a binary file ({controls:,} control bytes in its first "
                f"{len(head):,}), not a CSV text file; export the extract as CSV, Parquet "
                "or Excel")


def _decode_head(path: Path, head: bytes, encoding: str, fix_hint: str) -> str:
    # The head may end inside a multi-byte character: only a whole file is final.
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        return decoder.decode(head, final=len(head) < _HEAD_BYTES)
    except UnicodeDecodeError as problem:
        raise _decode_problem(path, head, problem, encoding, fix_hint) from None


def _decode_error(path: Path, compressed: bool, encoding: str, fix_hint: str) -> InputError:
    """Locate the first undecodable byte (line number) for the message."""
    with _open_bytes(path, compressed) as handle:
        data = handle.read()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as problem:
        return _decode_problem(path, data, problem, encoding, fix_hint)
    return InputError(f"{path}: cannot be decoded as {encoding}")


def _decode_problem(path: Path, data: bytes, problem: UnicodeDecodeError, encoding: str,
                    fix_hint: str) -> InputError:
    line = data.count(b"\n", 0, problem.start) + 1
    byte = data[problem.start: problem.start + 1]
    shown = encoding.replace("-sig", "")
    return InputError(
        f"{path}: line {line}: byte 0x{byte.hex()} is not valid {shown} text; the file uses "
        f"another encoding: set encoding (e.g. 'latin-1', 'cp1252' or 'utf-16'){_hint(fix_hint)}"
    )


def _check_delimiter(path: Path, text: str, delimiter: str, quotechar: str,
                     fix_hint: str) -> None:
    first_line = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    header = next(csv.reader([first_line], delimiter=delimiter, quotechar=quotechar), [])
    if len(header) > 1:
        return
    found = [d for d in _CANDIDATE_DELIMITERS if d != delimiter and d in first_line]
    if found:
        best = max(found, key=first_line.count)
        shown = first_line if len(first_line) <= 80 else first_line[:77] + "..."
        shown_delimiter = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
        raise InputError(
            f"{path}: only one column found with delimiter {shown_delimiter} "
            f"(header {shown!r}); the header looks separated by {_DELIMITER_NAMES[best]}: "
            f"set delimiter = {best!r}{_hint(fix_hint)}"
        )


def _column_names(header: list[str | None]) -> list[str]:
    """Empty names become 'Unnamed: i'; repeats get '.1', '.2' (as pandas does)."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, value in enumerate(header):
        base = value if value not in (None, "") else f"Unnamed: {i}"
        candidate = base
        while candidate in seen:
            seen[base] += 1
            candidate = f"{base}.{seen[base]}"
        seen.setdefault(candidate, 0)
        names.append(candidate)
    return names


# -- Parquet and Excel -------------------------------------------------------------------------
def _read_parquet(path: Path, source: str) -> RawTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as problem:
        raise InputError(f"{path}: cannot be read as Parquet "
                         f"({_one_line(problem)})") from None
    frame = table.to_pandas()
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.reset_index(drop=True)
    rows = np.arange(2, len(frame) + 2, dtype="int64")
    return RawTable(frame=frame, rows=rows, path=str(path), format="parquet")


def _read_excel(path: Path, source: str, *, sheet: str | None) -> RawTable:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_workbook(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as problem:
        raise InputError(f"{path}: cannot be read as an Excel .xlsx workbook "
                         f"({_one_line(problem)})") from None
    except (ValueError, TypeError, ElementTree.ParseError) as problem:
        raise InputError(f"{path}: a malformed Excel workbook ({_one_line(problem)}); save it "
                         "again from Excel, or export the sheet as CSV") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise InputError(f"{path}: no worksheet {sheet!r}; sheets: "
                             f"{', '.join(map(repr, book.sheetnames))}")
        records = [[_cell_text(v) for v in row] for row in ws.iter_rows(min_row=1,
                                                                       values_only=True)]
    finally:
        book.close()
    while records and all(v is None for v in records[-1]):
        records.pop()
    if not records:
        raise InputError(f"{path}: the worksheet is empty; expected a header row with column "
                         "names followed by one row per event")
    width = max(map(len, records))
    raw = pd.DataFrame.from_records([r + [None] * (width - len(r)) for r in records],
                                    columns=range(width))
    raw = raw.astype("str").mask(raw.isna())
    table = _finish_csv(path, source, raw, empty_rejects())
    # Trailing header-less columns (cells beyond the header) are dropped when empty.
    keep = [c for c in table.frame.columns
            if not (c.startswith("Unnamed: ") and table.frame[c].isna().all())]
    return RawTable(frame=table.frame[keep], rows=table.rows, path=str(path), format="excel")


def _check_workbook(path: Path) -> None:
    """An .xlsx is a zip of XML parts: refuse DTDs, entities and external references in any
    part, and a decompressed size beyond the XML limits, before openpyxl parses it."""
    import zipfile

    from procmine.io.xmlsafety import MAX_RATIO, MAX_UNCOMPRESSED_BYTES, check_xml_stream

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            declared = sum(m.file_size for m in members)
            packed = max(sum(m.compress_size for m in members), 1)
            if declared > MAX_UNCOMPRESSED_BYTES or (declared > 64 * 2**20
                                                     and declared / packed > MAX_RATIO):
                raise InputError(f"{path}: refused: the workbook declares {declared:,} bytes "
                                 "uncompressed, beyond procmine's limits for XML")
            for member in members:
                if member.filename.endswith((".xml", ".rels", ".vml")):
                    with archive.open(member) as stream:
                        check_xml_stream(stream, name=f"{path}/{member.filename}",
                                         kind="Excel part")
    except zipfile.BadZipFile as problem:
        raise InputError(f"{path}: cannot be read as an Excel .xlsx workbook "
                         f"({_one_line(problem)})") from None


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- helpers -------------------------------------------------------------------------------------
def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".gz",):
        name = name.removesuffix(suffix)
    return Path(name).stem


def _one_line(problem: object) -> str:
    """Another library's message, on one line (the command line prints one line)."""
    return " ".join(str(problem).split())


def _hint(fix_hint: str) -> str:
    return f" {fix_hint}" if fix_hint else ""
