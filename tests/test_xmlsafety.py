"""procmine.io.xmlsafety: hostile XML is refused before pm4py (lxml) ever parses it."""

from __future__ import annotations

import gzip
import os
import sys
import warnings

import pytest

from procmine.errors import InputError
from procmine.io.xmlsafety import XmlFacts, check_xml, is_gzip, safe_plain_copy

XES = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">'
    '<trace><string key="concept:name" value="o1"/>'
    '<event><string key="concept:name" value="Pick"/>'
    '<date key="time:timestamp" value="2024-01-01T10:00:00Z"/></event></trace></log>'
)

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE log [\n <!ENTITY lol "lol">\n'
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
    '<log><trace><string key="concept:name" value="&lol3;"/></trace></log>'
)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_plain_xes_passes_and_reports_root(tmp_path):
    facts = check_xml(write(tmp_path / "ok.xes", XES), kind="XES")
    assert facts == XmlFacts(root="log", compressed=False, size=len(XES.encode()))


def test_doctype_without_entities_is_allowed(tmp_path):
    text = XES.replace("<log ", '<!DOCTYPE log [<!ELEMENT log ANY>]>\n<log ', 1)
    assert check_xml(write(tmp_path / "dtd.xes", text), kind="XES").root == "log"


def test_billion_laughs_is_refused_naming_file_and_entity(tmp_path):
    path = write(tmp_path / "lol.xes", BILLION_LAUGHS)
    with pytest.raises(InputError) as info:
        check_xml(path, kind="XES")
    message = str(info.value)
    assert str(path) in message
    assert "entity 'lol'" in message
    assert "billion laughs" in message


def test_external_entity_is_refused(tmp_path):
    text = ('<?xml version="1.0"?><!DOCTYPE log [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            "<log>&xxe;</log>")
    with pytest.raises(InputError, match=r"external entity 'xxe' \('file:///etc/passwd'\).*XXE"):
        check_xml(write(tmp_path / "xxe.xes", text), kind="XES")


def test_parameter_entity_is_refused(tmp_path):
    text = ('<?xml version="1.0"?><!DOCTYPE log [<!ENTITY % p SYSTEM "http://example.invalid/x">'
            "%p;]><log/>")
    with pytest.raises(InputError, match="parameter entity 'p'"):
        check_xml(write(tmp_path / "pe.xes", text), kind="XES")


def test_external_dtd_is_refused(tmp_path):
    text = '<?xml version="1.0"?><!DOCTYPE log SYSTEM "http://example.invalid/log.dtd"><log/>'
    with pytest.raises(InputError, match="external DTD"):
        check_xml(write(tmp_path / "extdtd.xes", text), kind="XES")


def test_malformed_xml_names_line_and_column(tmp_path):
    path = write(tmp_path / "broken.xes", "<log>\n<trace>\n</log>")
    with pytest.raises(InputError, match=r"broken.xes: not well-formed XML at line 3, column 3"):
        check_xml(path, kind="XES")


def test_empty_file(tmp_path):
    with pytest.raises(InputError, match="empty"):
        check_xml(write(tmp_path / "empty.xes", ""), kind="XES")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        check_xml(tmp_path / "nope.xes", kind="XES")


def test_gzip_is_recognised_by_content_and_copied_plain(tmp_path):
    path = tmp_path / "log.xes.gz"
    path.write_bytes(gzip.compress(XES.encode()))
    assert is_gzip(path)
    with safe_plain_copy(path, kind="XES", suffix=".xes") as (plain, facts):
        assert facts.compressed and facts.root == "log"
        assert plain.suffix == ".xes"
        assert plain.read_text(encoding="utf-8") == XES
        copy = plain
    assert not copy.exists()  # the private copy is removed afterwards


def test_gzip_without_gz_name_is_still_recognised(tmp_path):
    path = tmp_path / "log.xes"
    path.write_bytes(gzip.compress(XES.encode()))
    assert check_xml(path, kind="XES") == XmlFacts(root="log", compressed=True,
                                                   size=len(XES.encode()))


def test_non_xml_mode_only_checks_size(tmp_path):
    path = tmp_path / "log.json.gz"
    path.write_bytes(gzip.compress(b'{"not": "xml"}'))
    with safe_plain_copy(path, kind="OCEL 2.0 JSON", suffix=".json", xml=False) as (plain, facts):
        assert plain.read_bytes() == b'{"not": "xml"}' and facts.root == ""


def test_plain_file_is_handed_over_unchanged(tmp_path):
    path = write(tmp_path / "log.xes", XES)
    with safe_plain_copy(path, kind="XES", suffix=".xes") as (plain, facts):
        assert plain == path and not facts.compressed


def test_gz_name_on_plain_file_is_refused(tmp_path):
    path = write(tmp_path / "log.xes.gz", XES)
    expected = r"named \.gz but is not gzip-compressed \(starts with 3c 3f"
    with pytest.raises(InputError, match=expected):
        check_xml(path, kind="XES")


def test_truncated_gzip_is_refused(tmp_path):
    blob = gzip.compress((XES * 50).encode())
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(InputError, match="gzip stream is truncated"):
        check_xml(path, kind="XES")


def test_gzip_bomb_absolute_limit(tmp_path):
    body = "<log>" + "<!--" + "a" * 200_000 + "-->" + "</log>"
    path = tmp_path / "bomb.xes.gz"
    path.write_bytes(gzip.compress(body.encode()))
    with pytest.raises(InputError, match="decompresses to more than 100,000 bytes"):
        check_xml(path, kind="XES", max_bytes=100_000)


def test_gzip_bomb_ratio_limit(tmp_path):
    body = "<log>" + "<!--" + "a" * 3_000_000 + "-->" + "</log>"
    path = tmp_path / "ratio.xes.gz"
    path.write_bytes(gzip.compress(body.encode(), compresslevel=9))
    ratio = len(body) / path.stat().st_size
    assert ratio > 200  # the file really is a (small) bomb
    with pytest.raises(InputError, match="more than 200 times its size"):
        check_xml(path, kind="XES", ratio_floor=1_000_000)
    # below the floor the same ratio is fine: small files may compress well
    assert check_xml(path, kind="XES").compressed


def test_lxml_as_pm4py_uses_it_would_expand_entities(tmp_path):
    """Why the scan exists: pm4py's XES importer (lxml iterparse, default parser) expands them."""
    sys._pm4py_welcome_shown = True
    os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py
    text = ('<?xml version="1.0"?><!DOCTYPE log [<!ENTITY e "expanded">]>'
            '<log><trace><string key="concept:name" value="c1"/><event>'
            '<string key="concept:name" value="&e;"/>'
            '<date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event></trace></log>')
    path = write(tmp_path / "ent.xes", text)
    frame = pm4py.read_xes(str(path), variant="iterparse")
    assert frame["concept:name"].tolist() == ["expanded"]
    with pytest.raises(InputError, match="declares entity 'e'"):
        check_xml(path, kind="XES")
