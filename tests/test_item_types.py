"""Typed information items: ``type = "text" | "code" | "number" | "date" | "money"``."""

from __future__ import annotations

import pytest

import procmine as pm
from procmine.errors import InputError
from procmine.io.result import ITEM_TYPES, InformationItem
from procmine.io.sources import parse_sources


def _sources(tmp_path, items: str):
    (tmp_path / "o.csv").write_text("Order,Act,At,Zip,Qty\n1,a,2024-01-01,05022,3\n")
    (tmp_path / "s.toml").write_text(
        items + '[sources.erp]\nfile = "o.csv"\n'
        'columns = { case_id = "Order", activity = "Act", timestamp = "At" }\n'
        'items = { postcode = "Zip", quantity = "Qty" }\n')
    return tmp_path / "s.toml"


def test_item_types_are_parsed_and_carried_on_the_log(tmp_path):
    path = _sources(tmp_path, '[items.postcode]\nowner = "customer"\ntype = "code"\n'
                              '[items.quantity]\nowner = "customer"\n')
    assert {n: i.type for n, i in parse_sources(path).items.items()} == {
        "postcode": "code", "quantity": "text"}
    log = pm.load(path)
    assert {i.name: i.type for i in log.items} == {"postcode": "code", "quantity": "text"}
    assert log.events["postcode"].tolist() == ["05022"]  # kept as entered, leading zero too


@pytest.mark.parametrize("kind", ["text", "code", "number", "date", "money"])
def test_every_allowed_type(tmp_path, kind):
    path = _sources(tmp_path, f'[items.postcode]\ntype = "{kind}"\n[items.quantity]\n')
    assert pm.load(path).items[0].type == kind


def test_a_bad_type_is_an_input_error_naming_file_table_key_and_choices(tmp_path):
    path = _sources(tmp_path, '[items.postcode]\ntype = "zipcode"\n[items.quantity]\n')
    with pytest.raises(InputError) as info:
        pm.load(path)
    message = str(info.value)
    assert message.startswith("s.toml: [items.postcode]: type 'zipcode' is unknown")
    for kind in ("text", "code", "number", "date", "money"):
        assert kind in message


def test_a_type_that_is_not_a_string(tmp_path):
    path = _sources(tmp_path, '[items.postcode]\ntype = 3\n[items.quantity]\n')
    with pytest.raises(InputError, match=r"\[items.postcode\]: type must be a string"):
        pm.load(path)


def test_unknown_item_key_lists_type(tmp_path):
    path = _sources(tmp_path, '[items.postcode]\nkind = "code"\n[items.quantity]\n')
    with pytest.raises(InputError, match=r"unknown key 'kind'.*allowed keys: owner, "
                                         r"description, type"):
        pm.load(path)


def test_information_item_validates_its_type():
    assert ITEM_TYPES == ("text", "code", "number", "date", "money")
    assert InformationItem("x").type == "text"
    with pytest.raises(ValueError, match="expected one of text, code, number, date, money"):
        InformationItem("x", type="Code")
