"""Hostile-XML defence: check XES / OCEL XML (plain or gzip) before pm4py parses it.

pm4py parses XES with ``lxml.etree.iterparse`` and OCEL 2.0 XML with
``lxml.objectify.parse``, both with lxml's default parser: it expands the
internal entities a DTD declares and offers no switch to refuse them. So
procmine reads every XML file once, first, with expat and no element
handlers (fast, constant memory), and refuses the file when its DTD

- declares any entity (``<!ENTITY ...>``: billion laughs, quadratic blow-up),
- declares or refers to an external entity or external DTD (XXE: reading
  local files or the network),

or when the XML is not well formed. These are the checks of
:mod:`defusedxml` (``forbid_entities=True, forbid_external=True``; whose
exception types are used internally), run without building a tree. A DTD with
element declarations only is allowed.

Compressed files are recognised by their gzip magic bytes, decompressed in
a stream into a private temporary file while being checked, and refused when
they grow beyond :data:`MAX_UNCOMPRESSED_BYTES` or, past
:data:`RATIO_FLOOR_BYTES`, beyond :data:`MAX_RATIO` times their compressed
size (a gzip bomb). The same limits hold for every gzip input, CSV included
(:func:`check_gzip` scans the whole stream in constant memory before a
parser sees it, and :func:`open_capped_gzip` enforces them again while the
parser reads). pm4py then reads only the checked, plain copy, so what is
checked is what is parsed. A plain file is checked and then read in place: a
file swapped between the two reads by someone with write access to it is not
defended against.
"""

from __future__ import annotations

import errno
import gzip
import io
import os
import shutil
import stat
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final
from xml.parsers import expat

from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from procmine.errors import InputError

__all__ = [
    "MAX_RATIO",
    "MAX_UNCOMPRESSED_BYTES",
    "RATIO_FLOOR_BYTES",
    "XmlFacts",
    "check_gzip",
    "check_xml",
    "is_gzip",
    "open_capped_gzip",
    "require_file",
    "safe_plain_copy",
]

#: Refuse an XML file that decompresses to more than this (2 GiB).
MAX_UNCOMPRESSED_BYTES: Final = 2 * 1024**3
#: Refuse a gzip file that expands more than this many times ...
MAX_RATIO: Final = 200
#: ... once it has produced more than this many bytes (64 MiB); small files may compress well.
RATIO_FLOOR_BYTES: Final = 64 * 1024**2

_CHUNK: Final = 1024**2
_GZIP_MAGIC: Final = b"\x1f\x8b"


@dataclass(frozen=True)
class XmlFacts:
    """What the safety scan learnt about a file.

    Parameters
    ----------
    root : str
        Local name of the root element (``log`` for XES and OCEL 2.0 XML).
    compressed : bool
        The file was gzip-compressed.
    size : int
        Uncompressed size in bytes.
    """

    root: str
    compressed: bool
    size: int


def is_gzip(path: str | Path) -> bool:
    """True when the file starts with the gzip magic bytes.

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.gz"
    >>> _ = p.write_bytes(gzip.compress(b"<log/>"))
    >>> is_gzip(p)
    True
    """
    with open(path, "rb") as handle:
        return handle.read(2) == _GZIP_MAGIC


def check_xml(
    path: str | Path,
    *,
    kind: str = "XML",
    max_bytes: int = MAX_UNCOMPRESSED_BYTES,
    max_ratio: float = MAX_RATIO,
    ratio_floor: int = RATIO_FLOOR_BYTES,
) -> XmlFacts:
    """Scan a (possibly gzip) XML file; raise :class:`InputError` if it is hostile or broken.

    Parameters
    ----------
    path : str or Path
        The file.
    kind : str, keyword-only
        What the file should be, for messages (``"XES"``, ``"OCEL 2.0 XML"``).
    max_bytes, max_ratio, ratio_floor : keyword-only
        Gzip-bomb limits; see the module docstring.

    Returns
    -------
    XmlFacts

    Raises
    ------
    InputError
        Entity declarations, external entities or DTDs, malformed XML, a
        ``.gz`` name on a file that is not gzip, a truncated or corrupt gzip
        stream, or a decompressed size beyond the limits.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> ok = d / "ok.xes"
    >>> _ = ok.write_text('<log xes.version="1.0"><trace/></log>')
    >>> check_xml(ok, kind="XES").root
    'log'
    >>> bad = d / "lol.xes"
    >>> _ = bad.write_text('<!DOCTYPE log [<!ENTITY a "aaaa">]><log>&a;</log>')
    >>> check_xml(bad, kind="XES")
    Traceback (most recent call last):
    ...
    procmine.errors.InputError: .../lol.xes: refused: the DTD declares entity 'a' ...
    """
    return _scan(Path(path), kind=kind, out=None, limits=(max_bytes, max_ratio, ratio_floor))


@contextmanager
def safe_plain_copy(
    path: str | Path,
    *,
    kind: str = "XML",
    suffix: str = ".xml",
    xml: bool = True,
    max_bytes: int = MAX_UNCOMPRESSED_BYTES,
    max_ratio: float = MAX_RATIO,
    ratio_floor: int = RATIO_FLOOR_BYTES,
) -> Iterator[tuple[Path, XmlFacts]]:
    """Check a file and yield a plain, checked path for a parser to read.

    A plain file is checked and yielded as is. A gzip file is decompressed
    into a private temporary file (name ending in ``suffix``) while it is
    checked; the copy is yielded and deleted afterwards. With ``xml=False``
    (JSON, SQLite) only the size limits and the gzip stream are checked, and
    ``facts.root`` is empty.

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.xes.gz"
    >>> _ = p.write_bytes(gzip.compress(b"<log><trace/></log>"))
    >>> with safe_plain_copy(p, kind="XES", suffix=".xes") as (plain, facts):
    ...     (plain.suffix, facts.compressed, plain.read_text())
    ('.xes', True, '<log><trace/></log>')
    """
    source = Path(path)
    limits = (max_bytes, max_ratio, ratio_floor)
    _require_file(source, kind)
    if not _looks_gzip(source, kind):
        yield source, _scan(source, kind=kind, out=None, limits=limits, xml=xml)
        return
    workdir = Path(tempfile.mkdtemp(prefix="procmine-"))
    try:
        plain = workdir / f"{_stem(source)}{suffix}"
        with open(plain, "wb") as out:
            facts = _scan(source, kind=kind, out=out, limits=limits, xml=xml)
        yield plain, facts
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def require_file(path: str | Path) -> None:
    """Raise :class:`InputError` unless ``path`` is a regular file this process can read.

    Nothing but a regular file is opened: a folder, a named pipe (which would
    block), a device or a socket is refused by its type, a symbolic-link loop
    or a dangling link by name, an unreadable file with its reason.

    Examples
    --------
    >>> import tempfile
    >>> require_file(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    procmine.errors.InputError: ...: is a folder, not a file; give the path of one file
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise InputError(f"{path}: a symbolic link to a file that does not exist "
                             f"({os.readlink(path)}); give the real file") from None
        raise InputError(f"{path}: file not found (looked for {os.path.abspath(path)})"
                         ) from None
    except OSError as problem:
        if problem.errno == errno.ELOOP:
            raise InputError(f"{path}: a symbolic link loop (the links never reach a file); "
                             "give the real file") from None
        raise InputError(f"{path}: cannot be opened ({problem.strerror or problem})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a folder, not a file; give the path of one file")
    if not stat.S_ISREG(info.st_mode):
        what = ("a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode)
                else "a socket" if stat.S_ISSOCK(info.st_mode) else "a device")
        raise InputError(f"{path}: is {what}, not a regular file; procmine reads files only "
                         "(save the data to a file first)")
    try:
        with open(path, "rb"):
            pass
    except PermissionError:
        raise InputError(f"{path}: permission denied: this user may not read the file; "
                         "check its permissions") from None
    except OSError as problem:
        raise InputError(f"{path}: cannot be opened ({problem.strerror or problem})") from None


def check_gzip(path: str | Path, *, kind: str = "CSV",
               limits: tuple[int, float, int] | None = None) -> int:
    """Read a whole gzip file once, in constant memory; return its decompressed size.

    Raises :class:`InputError` when the stream is truncated, corrupt, followed
    by data that is not gzip, or decompresses beyond the limits of this module
    (``limits`` = ``(max_bytes, max_ratio, ratio_floor)``, default the module's
    :data:`MAX_UNCOMPRESSED_BYTES`, :data:`MAX_RATIO`, :data:`RATIO_FLOOR_BYTES`).

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv.gz"
    >>> _ = p.write_bytes(gzip.compress(b"id,act\\n1,a\\n"))
    >>> check_gzip(p)
    11
    """
    source = Path(path)
    return _scan(source, kind=kind, out=None, limits=limits or _limits(), xml=False).size


def open_capped_gzip(path: str | Path, *, kind: str = "CSV",
                     limits: tuple[int, float, int] | None = None) -> IO[bytes]:
    """A binary reader of a gzip file's content that enforces the decompression limits.

    Reading past the limits, or a corrupt or truncated stream, raises
    :class:`InputError` from ``read`` (as :func:`check_gzip` words it), so a
    parser handed this reader never holds more than the limit, even when the
    file changed after it was checked.
    """
    source = Path(path)
    return io.BufferedReader(_CappedGzip(source, kind, limits or _limits()), _CHUNK)


class _CappedGzip(io.RawIOBase):
    def __init__(self, path: Path, kind: str, limits: tuple[int, float, int]) -> None:
        super().__init__()
        self._path, self._kind, self._limits = path, kind, limits
        self._on_disk = os.stat(path).st_size
        self._inner = gzip.open(path, "rb")
        self._total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            data = self._inner.read(len(buffer))
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as error:
            raise _gzip_error(self._path, self._kind, error) from None
        n = len(data)
        memoryview(buffer)[:n] = data
        self._total += n
        _check_bomb(self._path, self._total, self._on_disk, *self._limits)
        return n

    def close(self) -> None:
        self._inner.close()
        super().close()


def _limits() -> tuple[int, float, int]:
    """The module's limits, read when called (so they can be lowered, e.g. in tests)."""
    return MAX_UNCOMPRESSED_BYTES, MAX_RATIO, RATIO_FLOOR_BYTES


def _gzip_error(path: Path, kind: str, error: BaseException) -> InputError:
    """One message per kind of broken gzip stream; never the file's bytes."""
    if isinstance(error, EOFError):
        return InputError(
            f"{path}: the gzip stream is truncated (it ends before its end-of-stream marker); "
            "the download or copy is incomplete. Fetch the file again.")
    if isinstance(error, gzip.BadGzipFile) and "Not a gzipped file" in str(error) and is_gzip(path):
        # The file starts as gzip, so the bad header is that of a later member.
        return InputError(
            f"{path}: the gzip stream is followed by data that is not gzip (trailing "
            "garbage); the file is corrupt or something was appended to it. Expected a "
            f"gzip-compressed {kind} file.")
    reason = str(error).split(" (b", 1)[0]  # BadGzipFile quotes the bytes it found
    return InputError(f"{path}: the gzip data is corrupt ({reason}); expected a "
                      f"gzip-compressed {kind} file.")


# -- internals ------------------------------------------------------------------------------


def _stem(path: Path) -> str:
    name = path.name
    for ending in (".gz", ".xes", ".xml", ".jsonocel", ".json", ".sqlite"):
        if name.lower().endswith(ending):
            name = name[: -len(ending)]
    return name or "log"


def _require_file(path: Path, kind: str) -> None:
    if not path.exists() and not path.is_symlink():
        raise InputError(f"{path}: no such file; check the path ({kind} expected).")
    require_file(path)


def _looks_gzip(path: Path, kind: str) -> bool:
    """Decide compression by content; a ``.gz`` name on a non-gzip file is an error."""
    with open(path, "rb") as handle:
        head = handle.read(2)
    gz = head == _GZIP_MAGIC
    if path.name.lower().endswith(".gz") and not gz:
        shown = head.hex(" ") if head else "nothing (empty file)"
        raise InputError(
            f"{path}: named .gz but is not gzip-compressed (starts with {shown}, "
            f"gzip starts with 1f 8b). Rename it without .gz if it is plain {kind}, "
            "or compress it with gzip."
        )
    return gz


class _Refused(Exception):
    """Carries the message of a refusal out of an expat handler."""


def check_xml_stream(stream: IO[bytes], *, name: str, kind: str = "XML",
                     max_bytes: int = MAX_UNCOMPRESSED_BYTES) -> None:
    """Scan XML read from ``stream`` (e.g. a member of an .xlsx zip) with the same guards as
    :func:`check_xml`: no DTD, no entities, no external references, well-formed, at most
    ``max_bytes``. ``name`` is what messages call it (``book.xlsx/xl/worksheets/sheet1.xml``).

    Examples
    --------
    >>> import io
    >>> check_xml_stream(io.BytesIO(b"<a/>"), name="x.xml")
    >>> check_xml_stream(io.BytesIO(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'), name="x.xml")
    Traceback (most recent call last):
    ...
    procmine.errors.InputError: x.xml: refused: the DTD declares entity 'e' ...
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    state: dict[str, str] = {}
    _install_guards(parser, state)
    total = 0
    try:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise InputError(f"{name}: larger than {max_bytes:,} bytes uncompressed; "
                                 f"procmine reads {kind} files up to that size.")
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Refused as refusal:
        raise InputError(f"{name}: refused: {refusal}") from None
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code) if error.code else str(error)
        raise InputError(f"{name}: not well-formed XML at line {error.lineno}, column "
                         f"{error.offset + 1} ({reason}); expected a complete {kind}.") from None


def _scan(
    path: Path,
    *,
    kind: str,
    out: IO[bytes] | None,
    limits: tuple[int, float, int],
    xml: bool = True,
) -> XmlFacts:
    _require_file(path, kind)
    compressed = _looks_gzip(path, kind)
    max_bytes, max_ratio, ratio_floor = limits
    on_disk = path.stat().st_size
    if on_disk == 0:
        raise InputError(f"{path}: the file is empty; expected a {kind} file.")

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    state: dict[str, str] = {}
    _install_guards(parser, state)

    total = 0
    try:
        with _open(path, compressed) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if compressed:
                    _check_bomb(path, total, on_disk, max_bytes, max_ratio, ratio_floor)
                elif total > max_bytes:
                    raise InputError(
                        f"{path}: larger than {max_bytes:,} bytes; procmine reads {kind} files "
                        "up to that size. Filter or split the log first."
                    )
                if xml:
                    parser.Parse(chunk, False)
                if out is not None:
                    out.write(chunk)
            if xml:
                parser.Parse(b"", True)
    except _Refused as refusal:
        raise InputError(f"{path}: refused: {refusal}") from None
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as refusal:
        raise InputError(f"{path}: refused: {refusal}") from None
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code) if error.code else str(error)
        raise InputError(
            f"{path}: not well-formed XML at line {error.lineno}, column {error.offset + 1} "
            f"({reason}); expected a complete {kind} file. Is it truncated, binary, or "
            "another format with an XML suffix?"
        ) from None
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as error:
        if isinstance(error, InputError):  # pragma: no cover - InputError is not an OSError
            raise
        raise _gzip_error(path, kind, error) from None
    return XmlFacts(root=state.get("root", ""), compressed=compressed, size=total)


def _open(path: Path, compressed: bool) -> IO[bytes]:
    if compressed:
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile is binary IO
    return open(path, "rb")


def _check_bomb(
    path: Path, total: int, on_disk: int, max_bytes: int, max_ratio: float, ratio_floor: int
) -> None:
    if total > max_bytes:
        raise InputError(
            f"{path}: refused: decompresses to more than {max_bytes:,} bytes "
            f"(from {on_disk:,} compressed), the limit for one log file; possibly a gzip bomb. "
            "Decompress and check it yourself, or split the log."
        )
    if total > ratio_floor and total > max_ratio * on_disk:
        raise InputError(
            f"{path}: refused: decompresses more than {max_ratio:g} times its size "
            f"({on_disk:,} bytes compressed, over {total:,} bytes so far); this is what a gzip "
            "bomb looks like, not a real event log."
        )


def _install_guards(parser: expat.XMLParserType, state: dict[str, str]) -> None:
    def start_doctype(name: str, sysid: str | None, pubid: str | None,
                      has_internal_subset: bool) -> None:
        if sysid is not None or pubid is not None:
            raise _Refused(
                f"the DOCTYPE refers to an external DTD ({sysid or pubid!r}); external "
                "references can read local files or the network (XXE). Remove the DOCTYPE line."
            )

    def entity_decl(name: str, is_parameter: bool, value: str | None, base: str | None,
                    sysid: str | None, pubid: str | None, notation: str | None) -> None:
        what = "parameter entity" if is_parameter else "entity"
        if sysid is not None or pubid is not None:
            raise _Refused(
                f"the DTD declares external {what} {name!r} ({sysid or pubid!r}); external "
                "entities can read local files or the network (XXE). Export the log again "
                "without a DTD."
            )
        raise _Refused(
            f"the DTD declares {what} {name!r} (<!ENTITY ...>); entity declarations can expand "
            "without bound (billion laughs, quadratic blow-up), so procmine does not read them. "
            "Export the log again without a DTD."
        )

    def unparsed_entity(name: str, base: str | None, sysid: str | None, pubid: str | None,
                        notation: str | None) -> None:
        raise _Refused(f"the DTD declares unparsed external entity {name!r} ({sysid!r}).")

    def external_ref(context: str | None, base: str | None, sysid: str | None,
                     pubid: str | None) -> int:
        raise _Refused(f"the XML refers to external entity {sysid or pubid!r} (XXE).")

    def start_element(name: str, attrs: object) -> None:
        state["root"] = name.rsplit(":", 1)[-1]
        parser.StartElementHandler = None  # one callback only: the root

    parser.StartDoctypeDeclHandler = start_doctype
    parser.EntityDeclHandler = entity_decl
    parser.UnparsedEntityDeclHandler = unparsed_entity
    parser.ExternalEntityRefHandler = external_ref
    parser.StartElementHandler = start_element
