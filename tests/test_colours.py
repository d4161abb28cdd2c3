"""One colour per department, keyed by name: fixed for the usual ones, hashed for others, the same
in every map."""

from __future__ import annotations

import hashlib
import re

import defusedxml.ElementTree as DET
import pandas as pd
import pytest
from conftest import make_frame

from procmine import (
    EventLog,
    Move,
    draw_as_is_to_be,
    draw_handoff_map,
    draw_map,
    handoffs,
    process_map,
    project,
)
from procmine.render.colours import (
    FIXED,
    HASHED_PALETTE,
    PALETTE,
    department_colour,
    department_colours,
)
from procmine.render.html import drawing_svg

NS = "{http://www.w3.org/2000/svg}"
VERMILLION = "#D55E00"  # handoffs only


def test_palette_is_distinct_and_leaves_vermillion_to_handoffs():
    assert len(set(PALETTE)) == len(PALETTE) == 16
    assert VERMILLION not in PALETTE and "#000000" not in PALETTE
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in PALETTE)


def test_usual_departments_have_fixed_colours_whatever_the_case():
    assert department_colour("Sales") == "#0072B2"
    assert department_colour("WAREHOUSE") == department_colour(" warehouse ") == "#E69F00"
    assert department_colour("Customer  Service") == FIXED["customer service"]
    # fixed colours do not depend on the other departments of the log
    assert department_colour("Billing", among=["Quality", "Legal", "Billing"]) == FIXED["billing"]


def test_other_names_hash_into_the_palette_deterministically():
    # the index is SHA-256 of the case-folded name, computed here independently, into colours
    # no usual department has
    assert not set(HASHED_PALETTE) & set(FIXED.values())
    for name in ("Quality", "Legal", "Export desk"):
        digest = hashlib.sha256(name.casefold().encode()).digest()
        expected = HASHED_PALETTE[int.from_bytes(digest[:8], "big") % len(HASHED_PALETTE)]
        assert department_colour(name) == expected


def test_collisions_among_a_logs_departments_are_resolved_deterministically():
    def index(name):
        return int.from_bytes(hashlib.sha256(name.casefold().encode()).digest()[:8], "big") % 8

    names = [f"Dept {i}" for i in range(40)]
    clash = next((a, b) for a in names for b in names if a < b and index(a) == index(b))
    colours = department_colours(clash)
    assert colours[clash[0]] != colours[clash[1]]
    # the first in name order keeps its hashed colour, the second takes the next free one
    assert colours[clash[0]] == HASHED_PALETTE[index(clash[0])]
    assert colours[clash[1]] == HASHED_PALETTE[(index(clash[1]) + 1) % 8]
    assert department_colours(list(reversed(clash))) == colours
    assert department_colour(clash[1], among=clash) == colours[clash[1]]
    # the eight usual departments and eight others: sixteen colours
    many = department_colours([*FIXED, *names[:8]])
    assert len(set(many.values())) == 16


ROWS = [
    ("o1", "Receive order", "2024-01-01 08:00", None, None),
    ("o1", "Enter order", "2024-01-01 09:00", "ann", "Sales"),
    ("o1", "Check credit", "2024-01-01 10:00", "bob", "Credit"),
    ("o1", "Quality check", "2024-01-01 11:00", "qa", "Quality"),
    ("o1", "Pick", "2024-01-01 12:00", "cy", "Warehouse"),
    ("o2", "Receive order", "2024-01-02 08:00", None, None),
    ("o2", "Enter order", "2024-01-02 09:00", "ann", "Sales"),
    ("o2", "Pick", "2024-01-02 11:00", "cy", "Warehouse"),
]


def _log():
    frame = make_frame(ROWS)
    frame["party"] = ["customer" if pd.isna(d) else "internal" for d in frame["department"]]
    return EventLog.from_frame(frame, name="colours")


def _lane_colours(svg: str) -> dict[str, str]:
    """Lane label -> its border colour, read from the SVG clusters."""
    out = {}
    for g in DET.fromstring(svg.encode()).iter(f"{NS}g"):
        if g.get("class") != "cluster":
            continue
        label = " ".join(t.text or "" for t in g.iter(f"{NS}text")).strip()
        shape = g.find(f"{NS}path") if g.find(f"{NS}path") is not None else g.find(
            f"{NS}polygon")
        if label and shape is not None and shape.get("stroke") not in (None, "transparent"):
            out[label] = shape.get("stroke").upper()
    return out


def _node_fills(svg: str) -> dict[str, str]:
    """First text of each node -> its border colour."""
    out = {}
    for g in DET.fromstring(svg.encode()).iter(f"{NS}g"):
        if g.get("class") != "node":
            continue
        texts = [t.text or "" for t in g.iter(f"{NS}text")]
        shape = next((el for el in g if el.tag in (f"{NS}path", f"{NS}polygon", f"{NS}ellipse")),
                     None)
        if texts and shape is not None:
            out[texts[0].strip()] = (shape.get("stroke") or "").upper()
    return out


def test_a_department_has_the_same_colour_in_every_map():
    log = _log()
    expected = {d: department_colour(d) for d in ("Sales", "Credit", "Warehouse", "Quality")}
    pmap = process_map(log)
    seen = []
    for medium in ("notebook", "slide", "print"):
        seen.append(_lane_colours(drawing_svg(draw_map(pmap, medium=medium, fit="none",
                                                       swimlanes=True))))
    moved = project(log, [Move("Enter order", "Sales", "customer_self_service")])
    pair = draw_as_is_to_be(pmap, process_map(moved.after), projection=moved, swimlanes=True)
    seen.append(_lane_colours(drawing_svg(pair.before)))
    for lanes in seen:
        for department, colour in expected.items():
            if department in lanes:
                assert lanes[department] == colour, (department, lanes)
    assert all("Quality" in lanes and "Sales" in lanes for lanes in seen[:3])
    # the handoff map draws each department's box in the same colour
    table = pd.concat([handoffs(log, level="department").table.loc[
        :, ["source", "target", "count", "median_wait_s", "p90_wait_s"]],
        pd.DataFrame({"source": ["customer"], "target": ["Sales"], "count": [2],
                      "median_wait_s": [60.0], "p90_wait_s": [60.0]})], ignore_index=True)
    boxes = _node_fills(drawing_svg(draw_handoff_map(table)))
    for department, colour in expected.items():
        assert boxes[department] == colour
    # outside parties are grey and dashed, never a department colour
    assert boxes["customer"] not in PALETTE


def test_colours_do_not_depend_on_which_departments_a_map_shows():
    log = _log()
    small = EventLog.from_frame(make_frame([r for r in ROWS if r[4] in ("Warehouse", "Quality")]),
                                name="subset")
    full = _lane_colours(drawing_svg(draw_map(process_map(log), fit="none", swimlanes=True)))
    part = _lane_colours(drawing_svg(draw_map(process_map(small), fit="none", swimlanes=True)))
    assert part["Warehouse"] == full["Warehouse"] and part["Quality"] == full["Quality"]


@pytest.mark.parametrize("name", ["Sales", "Quality"])
def test_department_colour_is_one_function_for_charts_and_tables(name):
    table = pd.DataFrame({"department": [name]})
    assert table["department"].map(department_colour).iloc[0] == department_colour(name)
