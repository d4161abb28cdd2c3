"""Where a map is shown: a notebook cell, a 1920×1080 slide or an A4 page, and how big its text is.

Every map function takes ``medium="notebook" | "slide" | "print"``: a preset
of the box the drawing is shown in, the smallest text that box needs, the
font sizes and label wrapping, and how many activities a map of that medium
shows by default. The drawing is then folded (see :func:`procmine.render.maps.draw_map`)
so that, shown in that box, its smallest text is as large as it can be.

Text height is *measured*, not assumed: :func:`text_px` reads a finished SVG
(its ``viewBox`` and every ``font-size``) and computes how tall its smallest
text is when the drawing is scaled to fit the medium's box, as a browser
does with ``max-width:100%`` (notebook, print) or a full-screen slide does.

========  ===================  ===================  ============================
medium    box (CSS px)         smallest text        activities shown by default
========  ===================  ===================  ============================
notebook  900 wide (scrolls)    12 px                20
slide     1920 × 1080          32 px                15
print     680 × 907 (A4 text   12 px = 9 pt         15
          block, 180 mm wide)
========  ===================  ===================  ============================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from procmine._check import check_choice

__all__ = ["MEDIA", "Medium", "Preset", "display_scale", "preset", "svg_size", "text_px"]

Medium = Literal["notebook", "slide", "print"]
#: The media a map can be drawn for.
MEDIA: tuple[str, ...] = get_args(Medium)

_PX_PER_MM = 96 / 25.4  # CSS px


@dataclass(frozen=True)
class Preset:
    """How a map is drawn for one medium.

    Attributes
    ----------
    name : str
    width_px, height_px : float
        The box the drawing is shown in, in CSS px (96 per inch); the drawing
        is scaled down to fit it, never up beyond its natural size in a
        notebook or on paper.
    min_text_px : float
        The smallest text the medium needs (32 px on a slide seen from the
        back of a room, 12 px in a notebook, 9 pt = 12 px in print).
    max_activities : int
        Activities a map shows by default (more are simplified away by
        activity coverage, the coverage stated in the subtitle).
    font : float
        Size of node, edge, lane and legend text, in points (the title is
        larger). All text but the title has this one size, so the smallest
        text is as large as the drawing allows.
    wrap : int
        Characters per line of an activity label.
    nodesep, ranksep : float
        Graphviz spacing in inches (a slide packs more tightly).
    upscale : bool
        Whether the drawing may be shown larger than its natural size (a
        slide fills the screen; a notebook or page shows it at most at 100%).
    xlabels : bool
        Edge labels placed after the layout, beside their edge (Graphviz
        ``xlabel``), instead of taking room between the ranks (more compact,
        but labels may overlap; off in every preset).
    max_folds : int
        Most rows (columns) a long flow is folded into (a wide slide needs
        few; a notebook cell scrolls).
    """

    name: str
    width_px: float
    height_px: float
    min_text_px: float
    max_activities: int
    font: float
    wrap: int
    nodesep: float
    ranksep: float
    upscale: bool
    xlabels: bool = False
    max_folds: int = 8


_PRESETS = {
    "notebook": Preset("notebook", 900.0, 3600.0, 12.0, 20, 16.0, 18, 0.3, 0.5, False),
    "slide": Preset("slide", 1920.0, 1080.0, 32.0, 15, 28.0, 14, 0.15, 0.25, True,
                     max_folds=4),
    "print": Preset("print", 180 * _PX_PER_MM, 240 * _PX_PER_MM, 12.0, 15, 14.0, 16, 0.25,
                    0.45, False, max_folds=6),
}


def preset(medium: str) -> Preset:
    """The preset of a medium.

    Raises
    ------
    UsageError
        An unknown medium (the message lists the media).

    Examples
    --------
    >>> preset("slide").min_text_px, preset("slide").max_activities
    (32.0, 15)
    >>> preset("poster")
    Traceback (most recent call last):
    ...
    procmine.errors.UsageError: medium: unknown value 'poster'; expected one of notebook, \
slide, print
    """
    check_choice(medium, MEDIA, option="medium")
    return _PRESETS[medium]


_VIEWBOX = re.compile(r'<svg\b[^>]*?\bviewBox="\s*([-\d.eE]+)[ ,]+([-\d.eE]+)[ ,]+([\d.eE]+)'
                      r'[ ,]+([\d.eE]+)\s*"')
_WIDTH = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)(pt|px)?"')
_HEIGHT = re.compile(r'<svg\b[^>]*?\bheight="([\d.]+)(pt|px)?"')
_FONT = re.compile(r'font-size="([\d.]+)(?:px|pt)?"')
_PT_PX = 96 / 72


def svg_size(svg: str) -> tuple[float, float, float, float]:
    """``(viewbox_width, viewbox_height, natural_width_px, natural_height_px)`` of an SVG.

    The natural size is the ``width``/``height`` attributes in CSS px
    (Graphviz writes points: 1 pt = 4/3 px); without them, the viewBox.

    Examples
    --------
    >>> svg_size('<svg width="300pt" height="150pt" viewBox="0.00 0.00 300.00 150.00">')
    (300.0, 150.0, 400.0, 200.0)
    """
    box = _VIEWBOX.search(svg)
    if box is None:
        raise ValueError("not an SVG with a viewBox")
    vw, vh = float(box.group(3)), float(box.group(4))

    def natural(pattern: re.Pattern[str], default: float) -> float:
        found = pattern.search(svg)
        if found is None:
            return default
        return float(found.group(1)) * (_PT_PX if found.group(2) == "pt" else 1.0)

    return vw, vh, natural(_WIDTH, vw), natural(_HEIGHT, vh)


def display_scale(svg: str, medium: str) -> float:
    """CSS px per SVG unit when the drawing is shown fitted into the medium's box.

    Examples
    --------
    >>> svg = '<svg width="3840pt" height="1080pt" viewBox="0 0 3840 1080">'
    >>> display_scale(svg, "slide")  # fitted to 1920 px wide
    0.5
    >>> display_scale('<svg width="300pt" height="150pt" viewBox="0 0 300 150">', "notebook")
    1.3333333333333333
    """
    spec = preset(medium)
    vw, vh, nw, _ = svg_size(svg)
    fit = min(spec.width_px / vw, spec.height_px / vh)
    if not spec.upscale:
        fit = min(fit, nw / vw)
    return fit


def text_px(svg: str, medium: str) -> float:
    """Height (CSS px, the font size) of the smallest text of ``svg`` shown in ``medium``.

    Parameters
    ----------
    svg : str
        A finished SVG document (from Graphviz or procmine's fallback layout).
    medium : {"notebook", "slide", "print"}

    Returns
    -------
    float
        The smallest ``font-size`` times :func:`display_scale`; ``inf`` when
        the drawing has no text.

    Examples
    --------
    >>> svg = ('<svg width="960pt" height="540pt" viewBox="0 0 960 540">'
    ...        '<text font-size="16.00">a</text><text font-size="20.00">b</text></svg>')
    >>> text_px(svg, "slide")  # shown 1920 px wide: twice its viewBox
    32.0
    """
    sizes = [float(s) for s in _FONT.findall(svg)]
    if not sizes:
        return float("inf")
    return min(sizes) * display_scale(svg, medium)
