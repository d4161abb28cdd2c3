"""Small inline-SVG charts and HTML tables for self-contained reports (no script, no network)."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from procmine.io.xmlchars import xml_text

__all__ = ["OKABE_ITO", "html_table", "line_chart", "message_svg", "sanitize_svg"]

#: The Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
#: Black first; yellow last (weak on white).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)

_MARKERS = ("circle", "square", "triangle", "diamond")


def _esc(text: object) -> str:
    return html.escape(xml_text(str(text)), quote=True)


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.0f}"
    if abs(value) >= 1:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _marker(kind: str, x: float, y: float, colour: str, label: str) -> str:
    title = f"<title>{_esc(label)}</title>"
    if kind == "square":
        return (f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}">'
                f"{title}</rect>")
    if kind == "triangle":
        pts = f"{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{pts}" fill="{colour}">{title}</polygon>'
    if kind == "diamond":
        pts = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{pts}" fill="{colour}">{title}</polygon>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}">{title}</circle>'


def line_chart(
    x: Sequence[object],
    series: Mapping[str, Sequence[float]],
    *,
    title: str,
    y_label: str = "",
    width: int = 640,
    height: int = 300,
    censored: Sequence[bool] | None = None,
    sparse: Sequence[bool] | None = None,
) -> str:
    """An accessible inline-SVG line chart of one or more series over shared x labels.

    Each series gets an Okabe–Ito colour and its own marker shape (so it reads
    without colour); every point has a tooltip; the chart carries a ``<title>``
    and a ``<desc>`` for screen readers. Missing values (NaN) break the line.
    All text is HTML-escaped.

    Parameters
    ----------
    x : sequence
        Labels along the horizontal axis (e.g. week starts), in order.
    series : mapping of str to sequence of float
        Name -> values, each as long as ``x``.
    title : str, keyword-only
        Chart title (also the accessible name).
    y_label : str, keyword-only
        Unit of the vertical axis.
    width, height : int, keyword-only
        Size in CSS pixels (the SVG scales to its container).
    censored : sequence of bool, optional, keyword-only
        Points that are not final (right-censored: most of the period's orders are
        still open): drawn as hollow markers off the line, with a legend line, so a
        fall there does not read as an improvement.
    sparse : sequence of bool, optional, keyword-only
        Points of periods with few orders (a week of 2 orders): drawn as hollow grey
        squares off the line, labelled "few orders" under the axis and in a legend
        line, so that a rate of 0% there does not read as a crash.

    Returns
    -------
    str
        An ``<svg>`` element.

    Examples
    --------
    >>> svg = line_chart(["w1", "w2", "w3"], {"orders": [3, 5, 4]}, title="Orders <per> week")
    >>> svg.startswith("<svg") and "Orders &lt;per&gt; week" in svg and "<script" not in svg
    True
    >>> few = line_chart(["w1", "w2"], {"rate": [0.5, 0.0]}, title="t", sparse=[False, True])
    >>> "few orders" in few and "<polyline" not in few  # one point on the line: no line
    True
    """
    labels = [str(v) for v in x]
    n = len(labels)
    margin_l, margin_r, margin_t, margin_b = 70, 20, 40, 84
    legend_h = 26 * ((len(series) + 2) // 3) if len(series) > 1 else 0
    flagged = [bool(censored is not None and any(censored)),
               bool(sparse is not None and any(sparse))]
    legend_h += (20 * sum(flagged) + 24) if any(flagged) else 0  # below the slanted labels
    total_h = height + legend_h
    plot_w = width - margin_l - margin_r
    plot_h = height - margin_t - margin_b
    values = [float(v) for s in series.values() for v in s
              if v is not None and not pd.isna(v)]
    desc = f"{title}: {n} points" + (f", from {labels[0]} to {labels[-1]}" if n else "")
    if values:
        desc += f"; values between {_fmt(min(values))} and {_fmt(max(values))} {y_label}".rstrip()
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {total_h}" width="{width}" height="{total_h}" '
        f'aria-label="{_esc(title)}">',
        f"<title>{_esc(title)}</title><desc>{_esc(desc)}</desc>",
        f'<text x="{margin_l}" y="24" font-size="18" font-weight="bold" fill="#000">'
        f"{_esc(title)}</text>",
    ]
    if not values or n == 0:
        parts.append(f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" '
                     f'font-size="16" fill="#000">no data</text></svg>')
        return "".join(parts)
    ticks = _nice_ticks(min(0.0, min(values)), max(values))
    lo, hi = ticks[0], ticks[-1]
    span = (hi - lo) or 1.0

    def px(i: int) -> float:
        return margin_l + (plot_w * (i / (n - 1)) if n > 1 else plot_w / 2)

    def py(v: float) -> float:
        return margin_t + plot_h * (1 - (v - lo) / span)

    for t in ticks:
        y = py(t)
        parts.append(f'<line x1="{margin_l}" x2="{margin_l + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#bbb" stroke-width="1"/>')
        parts.append(f'<text x="{margin_l - 8}" y="{y + 5:.1f}" text-anchor="end" font-size="14" '
                     f'fill="#000">{_esc(_fmt(t))}</text>')
    parts.append(f'<line x1="{margin_l}" x2="{margin_l}" y1="{margin_t}" '
                 f'y2="{margin_t + plot_h}" stroke="#000" stroke-width="1.5"/>')
    if y_label:
        parts.append(f'<text transform="translate(16 {margin_t + plot_h / 2:.0f}) rotate(-90)" '
                     f'text-anchor="middle" font-size="14" fill="#000">{_esc(y_label)}</text>')
    every = max(1, math.ceil(n / 8))
    for i, label in enumerate(labels):
        last = i == n - 1 and (n - 1) % every >= every / 2  # not crowding the one before
        if i % every and not last:
            continue
        parts.append(f'<text x="{px(i):.1f}" y="{margin_t + plot_h + 20}" text-anchor="end" '
                     f'font-size="13" fill="#000" transform="rotate(-30 {px(i):.1f} '
                     f'{margin_t + plot_h + 20})">{_esc(label)}</text>')
    for k, (name, vals) in enumerate(series.items()):
        colour = OKABE_ITO[k % len(OKABE_ITO)]
        marker = _MARKERS[k % len(_MARKERS)]
        runs: list[list[str]] = [[]]
        points = []
        hollow = []
        few = []
        for i, v in enumerate(vals):
            if v is None or pd.isna(v):
                runs.append([])
                continue
            if sparse is not None and sparse[i]:
                runs.append([])
                few.append((i, float(v)))
                continue
            if censored is not None and censored[i]:
                runs.append([])
                hollow.append((i, float(v)))
                continue
            runs[-1].append(f"{px(i):.1f},{py(float(v)):.1f}")
            points.append((i, float(v)))
        for run in runs:
            if len(run) > 1:
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="3" '
                             f'points="{" ".join(run)}"/>')
        for i, v in points:
            parts.append(_marker(marker, px(i), py(v), colour,
                                 f"{name}, {labels[i]}: {_fmt(v)} {y_label}".rstrip()))
        for i, v in hollow:
            label = f"{name}, {labels[i]}: {_fmt(v)} {y_label} (not final: most orders open)"
            parts.append(f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="6" fill="#fff" '
                         f'stroke="{colour}" stroke-width="2.5" stroke-dasharray="3 2">'
                         f"<title>{_esc(label)}</title></circle>")
        for i, v in few:
            label = f"{name}, {labels[i]}: {_fmt(v)} {y_label} (few orders: not a trend)"
            parts.append(f'<rect class="few-orders" x="{px(i) - 6:.1f}" y="{py(v) - 6:.1f}" '
                         'width="12" height="12" fill="#fff" stroke="#767676" '
                         f'stroke-width="2.5"><title>{_esc(label)}</title></rect>')
            anchor = ("end" if px(i) > width - margin_r - 40 else
                      "start" if px(i) < margin_l + 40 else "middle")
            parts.append(f'<text x="{px(i):.1f}" y="{py(v) - 12:.1f}" text-anchor="{anchor}" '
                         f'font-size="12" fill="#595959">few orders</text>')
    line_y = total_h - 6 - 20 * (sum(flagged) - 1)
    if flagged[0]:
        parts.append(f'<text x="{margin_l}" y="{line_y}" font-size="13" fill="#000">'
                     "hollow points: most of that period's orders are still open (not final)"
                     "</text>")
        line_y += 20
    if flagged[1]:
        parts.append(f'<text x="{margin_l}" y="{line_y}" font-size="13" fill="#000">'
                     "grey squares: periods with few orders, off the line (not a rise or a fall)"
                     "</text>")
    if len(series) > 1:
        for k, name in enumerate(series):
            colour = OKABE_ITO[k % len(OKABE_ITO)]
            lx = margin_l + (k % 3) * (plot_w / 3)
            ly = height + 8 + 26 * (k // 3)
            parts.append(_marker(_MARKERS[k % len(_MARKERS)], lx + 6, ly, colour, name))
            parts.append(f'<text x="{lx + 18:.1f}" y="{ly + 5:.1f}" font-size="14" fill="#000">'
                         f"{_esc(name)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def html_table(
    frame: pd.DataFrame,
    *,
    caption: str = "",
    max_rows: int | None = 50,
    formats: Mapping[str, str] | None = None,
    numeric: Sequence[str] = (),
) -> str:
    """An HTML table of ``frame`` with every cell and header escaped.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows to show, in order.
    caption : str, keyword-only
        Table caption.
    max_rows : int or None, keyword-only
        Show at most this many rows, then say how many were left out.
    formats : mapping, keyword-only
        Column -> ``str.format`` spec for numbers, e.g. ``{"cost": "{:,.2f}"}``.
    numeric : sequence of str, keyword-only
        Columns to right-align (numbers are right-aligned anyway).

    Examples
    --------
    >>> t = html_table(pd.DataFrame({"a": ["<b>"], "n": [1.5]}), formats={"n": "{:.1f}"})
    >>> "&lt;b&gt;" in t and "<b>" not in t and ">1.5<" in t
    True
    """
    formats = dict(formats or {})
    shown = frame if max_rows is None else frame.head(max_rows)
    head = "".join(f'<th scope="col">{_esc(c)}</th>' for c in shown.columns)
    body = []
    num_cols = {c for c in shown.columns
                if c in numeric or pd.api.types.is_numeric_dtype(shown[c].dtype)}
    for row in shown.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(shown.columns, row, strict=True):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                text = "–"
            elif column in formats and isinstance(value, int | float):
                text = formats[column].format(value)
            elif isinstance(value, float):
                text = f"{value:,.2f}"
            elif isinstance(value, int) and not isinstance(value, bool):
                text = f"{value:,}"
            else:
                text = str(value)
            cls = ' class="num"' if column in num_cols else ""
            cells.append(f"<td{cls}>{_esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if max_rows is not None and len(frame) > max_rows:
        more = (f'<p class="more">{len(frame) - max_rows:,} more row(s) not shown; '
                f"see the CSV table.</p>")
    cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
    return (f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
            f"</table>{more}")


_SCRIPT = re.compile(r"<script\b.*?(</script\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_HANDLER = re.compile(r"\s+on[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_FOREIGN = re.compile(r"<foreignObject\b.*?(</foreignObject\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_EXTERNAL = re.compile(r"""(?:xlink:)?href\s*=\s*(["'])(?!#)[^"']*\1""", re.IGNORECASE)


def sanitize_svg(svg: str) -> str:
    """Make an SVG document safe and self-contained for inlining in HTML.

    Drops the XML prolog and DOCTYPE, ``<script>`` and ``<foreignObject>``
    elements, ``on*=`` event handlers and every link that is not a fragment
    (``href="#..."``), so the page neither runs code nor fetches anything.
    Graphviz already escapes labels; this is a second line of defence.
    Characters XML 1.0 forbids become visible stand-ins
    (:func:`procmine.io.xmlchars.xml_text`).

    Examples
    --------
    >>> sanitize_svg('<?xml version="1.0"?><svg><script>alert(1)</script>'
    ...              '<a href="http://x">t</a><g onload="f()"/></svg>')
    '<svg><a>t</a><g/></svg>'
    """
    text = re.sub(r"<\?xml[^>]*\?>", "", xml_text(svg))
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text, flags=re.IGNORECASE)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    previous = None
    while previous != text:  # nested or split tags: repeat until stable
        previous = text
        text = _SCRIPT.sub("", text)
        text = _FOREIGN.sub("", text)
        text = _HANDLER.sub("", text)
        text = _EXTERNAL.sub("", text)
        text = re.sub(r"<a\s+>", "<a>", text)
    return text.strip()


def message_svg(title: str, message: str, *, width: int = 720, height: int = 160) -> str:
    """A small SVG document that states why a drawing is not there.

    Examples
    --------
    >>> svg = message_svg("Handoff map", "no departments <recorded>")
    >>> svg.startswith("<svg") and "&lt;recorded&gt;" in svg
    True
    """
    lines = []
    words, line = message.split(), ""
    for word in words:
        if len(line) + len(word) + 1 > 70:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    height = max(height, 70 + 26 * len(lines))
    text = "".join(
        f'<text x="20" y="{76 + 26 * i}" font-size="18" fill="#000">{_esc(t)}</text>'
        for i, t in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{_esc(title)}">'
        f"<title>{_esc(title)}</title>"
        f'<rect x="1" y="1" width="{width - 2}" height="{height - 2}" fill="#fff" '
        f'stroke="#D55E00" stroke-width="3"/>'
        f'<text x="20" y="40" font-size="22" font-weight="bold" fill="#000">{_esc(title)}</text>'
        f"{text}</svg>\n"
    )
