"""As-is / to-be maps fitted to their medium: as many activities as the text size allows.

Used by the workshop deck (one change per slide) and the report (the paying changes
together, on an A4 page), so both fit maps the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from procmine import _format
from procmine.discovery.dfg import process_map
from procmine.discovery.simplify import rank_activities
from procmine.io.xmlchars import xml_text
from procmine.log.eventlog import EventLog
from procmine.log.filters import filter_activities
from procmine.render.html import drawing_svg
from procmine.render.maps import draw_as_is_to_be
from procmine.render.medium import preset, text_px

__all__ = ["MIN_PAIR_ACTIVITIES", "PATH_COVERAGE", "fitted_pair"]

#: Fewest activities of an as-is / to-be pair: the changed steps and the busiest few
#: around them (fewer than a whole-process map's
#: :data:`procmine.render.maps.MIN_ACTIVITIES`: the pair is about the change).
MIN_PAIR_ACTIVITIES = 4
#: Path coverage of the pair's maps (as the report's maps).
PATH_COVERAGE = 0.8


def fitted_pair(log: EventLog, projection: Any, steps: Sequence[str], *,
                titles: tuple[str, str], currency: str, marks: bool,
                medium: str) -> tuple[str, str]:
    """As-is and to-be SVGs of a change, their text as large as the medium needs.

    Like :func:`procmine.draw_map` of a log, the maps show the most frequent
    activities, fewer of them until the drawn text reaches the medium's minimum
    (:func:`procmine.render.medium.text_px`), never fewer than
    :data:`MIN_PAIR_ACTIVITIES`; the changed ``steps`` are always shown. The
    number of activities is found by bisection (a few drawings, not one per
    count). The titles say how many of the log's activities are shown.

    Parameters
    ----------
    log : EventLog
        Today's log.
    projection : Projection
        The change applied (:func:`procmine.project`); its ``after`` is the to-be.
    steps : sequence of str
        Activities the change moves or automates: always drawn.
    titles : (str, str), keyword-only
    currency : str, keyword-only
    marks : bool, keyword-only
        Pass the projection to the drawing (it marks the steps shared data
        automates, and draws the before / after figures beside the maps).
    medium : {"slide", "print", "notebook"}, keyword-only
    """
    counts = log.events["activity"].astype(str).value_counts(sort=False)
    nodes = pd.DataFrame({"activity": counts.index, "count": counts.to_numpy(dtype="int64")})
    ranked = rank_activities(nodes)
    names = ranked["activity"].tolist()
    total = float(ranked["count"].sum()) or 1.0
    style = preset(medium)
    always = [s for s in dict.fromkeys(map(str, steps)) if s in set(names)]
    drawn: dict[int, tuple[float, str, str]] = {}

    def draw(cap: int) -> tuple[float, str, str]:
        if cap not in drawn:
            keep = names[:cap] + [s for s in always if s not in names[:cap]]
            covered = float(ranked.loc[ranked["activity"].isin(keep), "count"].sum()) / total
            shown = (f"{len(keep)} of {len(names)} activities, "
                     f"{_format.share(covered, decimals=0)} of events")
            logs = [log, projection.after]
            if len(keep) < len(names):
                logs = [filter_activities(x, keep) for x in logs]
            before, after = (process_map(x, paths=PATH_COVERAGE) for x in logs)
            pair = draw_as_is_to_be(before, after, titles=(f"{titles[0]} ({shown})",
                                                           f"{titles[1]} ({shown})"),
                                    medium=medium,  # type: ignore[arg-type]
                                    projection=projection if marks else None,
                                    currency=currency)
            svgs = xml_text(drawing_svg(pair.before)), xml_text(drawing_svg(pair.after))
            drawn[cap] = (min(text_px(svg, medium) for svg in svgs), *svgs)
        return drawn[cap]

    high = min(style.max_activities, len(names))
    low = min(MIN_PAIR_ACTIVITIES, high)
    if draw(high)[0] >= style.min_text_px or draw(low)[0] < style.min_text_px:
        best = high if draw(high)[0] >= style.min_text_px else low
    else:  # low fits, high does not: the most activities that still fit
        while high - low > 1:
            middle = (low + high) // 2
            if draw(middle)[0] >= style.min_text_px:
                low = middle
            else:
                high = middle
        best = low
    _, before_svg, after_svg = draw(best)
    return before_svg, after_svg
