"""One colour per department, keyed by its name: the same in every map, table, chart and deck.

The usual order-to-cash departments have fixed colours (Okabe & Ito 2008, with
vermillion kept for handoffs, and Paul Tol's "muted" scheme, 2021); any other
name is hashed (SHA-256 of its case-folded name, so the same in every run and
on every machine) into eight further colours that no usual department has, so
an unusual name never takes Sales' blue in one map and not in another. When
two unusual departments of one log land on the same colour, ``among`` (every
department of the log) resolves it: in name order, the second takes the next
free colour.

References
----------
M. Okabe and K. Ito, "Color Universal Design (CUD): how to make figures and
presentations that are friendly to colorblind people", 2008.
P. Tol, "Colour schemes", SRON technical note SRON/EPS/TN/09-002, 2021.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

__all__ = ["FIXED", "FIXED_PALETTE", "HASHED_PALETTE", "OUTSIDE_COLOUR", "PALETTE",
           "department_colour", "department_colours"]

#: Colours of the usual order-to-cash departments (Okabe–Ito without vermillion, which marks
#: handoffs, and without yellow and black; then three of Tol's muted scheme).
FIXED_PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue (Okabe–Ito)
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#332288",  # indigo (Tol muted)
    "#999933",  # olive
    "#882255",  # wine
)
#: Colours any other department name is hashed into: never one of the usual departments'.
HASHED_PALETTE: tuple[str, ...] = (
    "#44AA99",  # teal (Tol muted)
    "#DDCC77",  # sand
    "#AA4499",  # purple
    "#117733",  # green
    "#88CCEE",  # cyan
    "#661100",  # brown (Tol)
    "#8C6D31",  # ochre
    "#6699CC",  # steel blue (Tol)
)
#: Every department colour.
PALETTE: tuple[str, ...] = FIXED_PALETTE + HASHED_PALETTE
#: The usual order-to-cash departments (case-insensitive) and their colours.
FIXED: dict[str, str] = {
    "sales": FIXED_PALETTE[0],
    "credit": FIXED_PALETTE[1],
    "warehouse": FIXED_PALETTE[2],
    "shipping": FIXED_PALETTE[3],
    "billing": FIXED_PALETTE[4],
    "customer service": FIXED_PALETTE[5],
    "returns": FIXED_PALETTE[6],
    "purchasing": FIXED_PALETTE[7],
}
#: Outside parties (customer, supplier, carrier) are drawn grey and dashed, not coloured.
OUTSIDE_COLOUR = "#555555"


def _key(name: object) -> str:
    return " ".join(str(name).split()).casefold()


def _hashed(name: object) -> int:
    digest = hashlib.sha256(_key(name).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % len(HASHED_PALETTE)


def department_colours(names: Iterable[object]) -> dict[str, str]:
    """Each department's colour, collisions among ``names`` resolved.

    Fixed names keep their colour; the others, in name order, take their
    hashed colour or, when another already has it, the next free one of
    :data:`HASHED_PALETTE` (shared again only past eight unusual names).

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
        for step in range(len(HASHED_PALETTE)):
            colour = HASHED_PALETTE[(index + step) % len(HASHED_PALETTE)]
            if colour not in taken:
                break
        else:
            colour = HASHED_PALETTE[index]
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
        return FIXED.get(key) or HASHED_PALETTE[_hashed(name)]
    names = [*map(str, among), str(name)]
    return department_colours(names)[str(name)]
