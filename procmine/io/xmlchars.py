"""Characters XML 1.0 forbids, made visible: one helper for every SVG, HTML, XES and OCEL writer.

XML 1.0 allows tab, newline, carriage return and the characters from U+0020 on,
except the surrogates and U+FFFE/U+FFFF. A NUL, an escape (U+001B) or a
vertical tab in an activity, a resource or a value would make an SVG, a XES or
an OCEL file that no parser reads, and a lone surrogate cannot even be encoded
as UTF-8. Each C0 control becomes its visible Unicode "control picture"
(NUL -> U+2400 '␀', ESC -> U+241B '␛'), so the reader still sees that something
was there; any other forbidden character becomes U+FFFD '�'.
"""

from __future__ import annotations

import re
from typing import Final

import pandas as pd

__all__ = ["FORBIDDEN", "xml_frame", "xml_text"]

#: One character XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE, U+FFFF).
FORBIDDEN: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by a visible one.

    Examples
    --------
    >>> xml_text("Pick\\x00 order\\x1b[31m"), xml_text("tab\\tkept"), xml_text("a\\ufffeb")
    ('Pick␀ order␛[31m', 'tab\\tkept', 'a�b')
    """
    if FORBIDDEN.search(text) is None:
        return text
    return FORBIDDEN.sub(_picture, text)


def _text(value: object) -> object:
    return xml_text(value) if isinstance(value, str) else value


def xml_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose column names and text cells are :func:`xml_text`-safe.

    Only object, string and category columns are touched (numbers, dates and
    booleans cannot hold a control character); missing values stay missing.

    Examples
    --------
    >>> xml_frame(pd.DataFrame({"a\\x01": ["x\\x00", "ok"], "n": [1, 2]})).to_dict("list")
    {'a␁': ['x␀', 'ok'], 'n': [1, 2]}
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = values.cat.categories
            if categories.dtype == object or pd.api.types.is_string_dtype(categories.dtype):
                cleaned = [xml_text(c) if isinstance(c, str) else c for c in categories]
                if len(set(cleaned)) == len(cleaned):
                    out[column] = values.cat.rename_categories(cleaned)
                else:  # two categories that differ only by a control character
                    out[column] = values.astype(object).map(_text, na_action="ignore")
        elif values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            out[column] = values.map(_text, na_action="ignore")
    out.columns = [xml_text(c) if isinstance(c, str) else c for c in out.columns]
    return out
