"""One colour per department, keyed by its name: the same in every map, table, chart and deck.

The usual order-to-cash departments have fixed colours; any other name is
hashed (SHA-256 of its case-folded name, so the same in every run and on every
machine) into the same colour-blind-safe palette: Okabe & Ito (2008), with
vermillion kept for handoffs, extended by Paul Tol's "muted" scheme (2021).
When two departments of one log land on the same colour, ``among`` (every
department of the log) resolves it: fixed names keep theirs, the others in
name order take the next free colour of the palette.

References
----------
M. Okabe and K. Ito, "Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people", 2008.
P. Tol, "Colour schemes", SRON technical note SRON/EPS/TN/09-002, 2021.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

__all__ = ["FIXED", "OUTSIDE_COLOUR", "PALETTE", "department_colour", "department_colours"]

#: Colour-blind-safe department colours (no vermillion: that marks handoffs; no yellow or
#: black: too pale / too dark for a lane).
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue (Okabe–Ito)
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#332288",  # indigo (Tol muted)
    "#999933",  # olive
    "#882255",  # wine
    "#44AA99",  # teal
    "#DDCC77",  # sand
    "#AA4499",  # purple
    "#117733",  # green
)
#: The usual order-to-cash departments (case-insensitive) and their colours.
FIXED: dict[str, str] = {
    "sales": PALETTE[0],
    "credit": PALETTE[1],
    "warehouse": PALETTE[2],
    "shipping": PALETTE[3],
    "billing": PALETTE[4],
    "customer service": PALETTE[5],
    "returns": PALETTE[6],
    "purchasing": PALETTE[7],
    "finance": PALETTE[8],
    "accounting": PALETTE[9],
    "logistics": PALETTE[10],
    "production": PALETTE[11],
}
#: Outside parties (customer, supplier, carrier) are drawn grey and dashed, not coloured.
OUTSIDE_COLOUR = "#555555"


def _key(name: object) -> str:
    return " ".join(str(name).split()).casefold()


def _hashed(name: object) -> int:
    digest = hashlib.sha256(_key(name).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % len(PALETTE)


def department_colours(names: Iterable[object]) -> dict[str, str]:
    """Each department's colour, collisions among ``names`` resolved.

    Fixed names keep their colour; the others, in name order, take their
    hashed colour or, when a department already has it, the next free one
    (the palette wraps round only when there are more departments than
    colours).

    Examples
    --------
    >>> department_colours(["Warehouse", "Sales"])
    {'Sales': '#0072B2', 'Warehouse': '#E69F00'}
    """
    unique = sorted({str(n) for n in names}, key=lambda n: (_key(n), n))
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in unique:
        if _key(name) in FIXED:
            out[name] = FIXED[_key(name)]
            taken.add(out[name])
    for name in unique:
        if name in out:
            continue
        index = _hashed(name)
        for step in range(len(PALETTE)):
            colour = PALETTE[(index + step) % len(PALETTE)]
            if colour not in taken:
                break
        else:
            colour = PALETTE[index]
        out[name] = colour
        taken.add(colour)
    return dict(sorted(out.items()))


def department_colour(name: object, *, among: Iterable[object] | None = None) -> str:
    """The colour (``#RRGGBB``) of a department, by its name.

    Parameters
    ----------
    name : str
        The department (case and repeated spaces do not matter).
    among : iterable of str, optional, keyword-only
        Every department of the log (or report, or deck): a name whose hashed
        colour another of them already has is moved to a free colour,
        deterministically. Pass the same ``among`` everywhere in one run so that
        maps, tables, charts and the deck agree. Without it the colour depends
        on the name alone.

    Returns
    -------
    str

    Examples
    --------
    >>> department_colour("Sales"), department_colour("  sales ")
    ('#0072B2', '#0072B2')
    >>> department_colour("Quality") == department_colour("Quality", among=["Quality"])
    True
    """
    if among is None:
        key = _key(name)
        return FIXED.get(key) or PALETTE[_hashed(name)]
    names = [*map(str, among), str(name)]
    return department_colours(names)[str(name)]
