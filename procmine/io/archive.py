"""Read the one extract a zip archive holds, treating the archive as hostile."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Final

from procmine.errors import InputError
from procmine.io.tables import _one_line, infer_format
from procmine.io.xmlsafety import (
    MAX_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    RATIO_FLOOR_BYTES,
    require_file,
)

__all__ = ["EXTRACT_FORMATS", "is_zip_name", "open_single_extract", "single_member"]

#: Formats an archived extract may have (a sources file names other files, so it cannot be one).
EXTRACT_FORMATS: Final = ("csv", "parquet", "excel", "xes", "ocel")

_CHUNK: Final = 1024**2
_SHOWN: Final = 20
_SAFE: Final = re.compile(r"[^A-Za-z0-9_.\-]")


def is_zip_name(path: str | Path) -> bool:
    """True when the file name ends in ``.zip`` (an archive holding one extract).

    Examples
    --------
    >>> is_zip_name("orders.ZIP"), is_zip_name("orders.xlsx")
    (True, False)
    """
    return Path(path).name.lower().endswith(".zip")


@contextmanager
def open_single_extract(
    path: str | Path,
    *,
    format: str | None = None,
    max_bytes: int = MAX_UNCOMPRESSED_BYTES,
    max_ratio: float = MAX_RATIO,
    ratio_floor: int = RATIO_FLOOR_BYTES,
) -> Iterator[tuple[Path, str]]:
    """Check a zip archive and yield its one extract as a private temporary file.

    The archive must hold exactly one file whose suffix names an extract
    format (``.csv``, ``.csv.gz``, ``.parquet``, ``.xlsx``, ``.xes``,
    ``.xes.gz``, ``.xml``, ``.jsonocel``, ``.sqlite``, ...); macOS metadata
    (``__MACOSX/``, ``._*``, ``.DS_Store``) is ignored. With ``format`` given,
    an archive holding a single file of another suffix is accepted too.

    Nothing is extracted by the archive's own names: the member is streamed
    into a private temporary folder under a sanitised name, and refused when
    it grows beyond ``max_bytes`` or, past ``ratio_floor`` bytes, beyond
    ``max_ratio`` times its compressed size (a zip bomb) -- the limits of
    :mod:`procmine.io.xmlsafety`. The folder is deleted afterwards.

    Parameters
    ----------
    path : str or Path
        The ``.zip`` file.
    format : str, optional, keyword-only
        The extract's format, when its suffix does not say.
    max_bytes, max_ratio, ratio_floor : keyword-only
        Decompression limits.

    Yields
    ------
    plain : Path
        The extracted copy (read it before the block ends).
    member : str
        The member's name in the archive, for messages.

    Raises
    ------
    InputError
        Not a zip archive; a member name that is absolute or climbs out with
        ``..``; zero or several candidate extracts (the members are listed);
        an encrypted member; corrupt data; a decompressed size beyond the limits.

    Examples
    --------
    >>> import tempfile, zipfile, pathlib
    >>> z = pathlib.Path(tempfile.mkdtemp()) / "orders.zip"
    >>> with zipfile.ZipFile(z, "w") as archive:
    ...     archive.writestr("export/orders.csv", "case_id,activity,timestamp\\n")
    >>> with open_single_extract(z) as (plain, member):
    ...     (plain.name, member, plain.read_text().split(",")[0])
    ('orders.csv', 'export/orders.csv', 'case_id')
    """
    source = Path(path)
    with _open(source) as archive:
        info = _pick(archive, source, format, max_bytes)
        workdir = Path(tempfile.mkdtemp(prefix="procmine-zip-"))
        try:
            plain = workdir / _safe_name(info.filename)
            _copy(archive, info, plain, source, max_bytes, max_ratio, ratio_floor)
            yield plain, info.filename
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def single_member(path: str | Path, *, format: str | None = None,
                  max_bytes: int = MAX_UNCOMPRESSED_BYTES) -> str:
    """The name of the one extract a zip archive holds, checked as :func:`open_single_extract` does.

    Nothing is decompressed; a sources file uses it to learn the extract's
    format from its suffix before anything is read.

    Raises
    ------
    InputError
        As :func:`open_single_extract`, except for the decompression checks.

    Examples
    --------
    >>> import tempfile, zipfile, pathlib
    >>> z = pathlib.Path(tempfile.mkdtemp()) / "wms.zip"
    >>> with zipfile.ZipFile(z, "w") as archive:
    ...     archive.writestr("__MACOSX/._wms.xes", "")
    ...     archive.writestr("out/wms.xes", "<log/>")
    >>> single_member(z)
    'out/wms.xes'
    """
    source = Path(path)
    with _open(source) as archive:
        return _pick(archive, source, format, max_bytes).filename


def _open(source: Path) -> zipfile.ZipFile:
    require_file(source)
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as problem:
        raise InputError(f"{source}: cannot be read as a zip archive "
                         f"({_one_line(problem)})") from None


def _pick(archive: zipfile.ZipFile, source: Path, format: str | None,
          max_bytes: int) -> zipfile.ZipInfo:
    """The one candidate extract, after the name, count, encryption and size checks."""
    infos = archive.infolist()
    listing = _listing(infos)
    for info in infos:
        if _climbs_out(info.filename):
            raise InputError(
                f"{source}: refused: member {info.filename!r} has an absolute or "
                f"parent-directory ('..') path; members: {listing}")
    files = [i for i in infos if not i.is_dir() and not _is_junk(i.filename)]
    candidates = [i for i in files if infer_format(i.filename) in EXTRACT_FORMATS]
    if not candidates and format is not None and len(files) == 1:
        candidates = files
    if len(candidates) != 1:
        what = "no extract" if not candidates else f"{len(candidates)} extracts"
        raise InputError(
            f"{source}: the archive holds {what}; expected exactly one CSV, Parquet, "
            f"Excel, XES or OCEL file; members: {listing}. Unzip it and load the file "
            "you mean, or list several extracts in a sources file")
    info = candidates[0]
    if info.flag_bits & 0x1:
        raise InputError(f"{source}: member {info.filename!r} is encrypted; unzip it "
                         "with its password first")
    if info.file_size > max_bytes:
        raise InputError(
            f"{source}: refused: member {info.filename!r} declares {info.file_size:,} "
            f"bytes uncompressed, more than the {max_bytes:,}-byte limit for one log "
            "file; split the log")
    return info


def _copy(archive: zipfile.ZipFile, info: zipfile.ZipInfo, plain: Path, source: Path,
          max_bytes: int, max_ratio: float, ratio_floor: int) -> None:
    packed = max(info.compress_size, 1)
    total = 0
    try:
        with archive.open(info) as stream, open(plain, "wb") as out:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    raise InputError(
                        f"{source}: refused: member {info.filename!r} decompresses to more "
                        f"than {max_bytes:,} bytes, the limit for one log file; possibly a "
                        "zip bomb. Unzip and check it yourself, or split the log.")
                if total > ratio_floor and total > max_ratio * packed:
                    raise InputError(
                        f"{source}: refused: member {info.filename!r} decompresses more "
                        f"than {max_ratio:g} times its size ({packed:,} bytes compressed); "
                        "this is what a zip bomb looks like, not a real event log.")
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as problem:
        raise InputError(f"{source}: member {info.filename!r} cannot be decompressed "
                         f"({_one_line(problem)}); the archive is corrupt or uses an "
                         "unsupported compression") from None


def _climbs_out(name: str) -> bool:
    unified = name.replace("\\", "/")
    if unified.startswith("/") or re.match(r"^[A-Za-z]:", unified) or "\x00" in unified:
        return True
    return ".." in PurePosixPath(unified).parts


def _is_junk(name: str) -> bool:
    base = PurePosixPath(name).name
    return name.startswith("__MACOSX/") or base.startswith("._") or base == ".DS_Store"


def _safe_name(name: str) -> str:
    base = _SAFE.sub("_", PurePosixPath(name.replace("\\", "/")).name)
    return base if base and not base.startswith(".") else f"extract{base}"


def _listing(infos: list[zipfile.ZipInfo]) -> str:
    names = [i.filename for i in infos]
    if not names:
        return "none (the archive is empty)"
    shown = ", ".join(map(repr, names[:_SHOWN]))
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")
