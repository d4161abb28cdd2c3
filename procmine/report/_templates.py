"""The one Jinja2 environment of procmine's HTML outputs (report, workshop deck, compare page).

Templates live in ``procmine/report/templates/``. Autoescaping is on for every
template, so a value from a log (an activity, a department, a file name) is
escaped unless a template marks it safe on purpose (``|safe`` only on HTML procmine
built itself, such as an SVG drawn by Graphviz from escaped labels). Undefined
names are errors, not empty strings, so a missing figure fails a test instead of
vanishing from the page. The formats of :mod:`procmine._format` are filters.

Examples
--------
>>> page = environment().from_string("<p>{{ name }}: {{ amount|money(currency) }}</p>")
>>> page.render(name="<script>", amount=1234.5, currency="EUR")
'<p>&lt;script&gt;: 1,235 EUR</p>'
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from procmine import _format

__all__ = ["environment", "render"]


@cache
def environment() -> jinja2.Environment:
    """The shared environment: package templates, autoescape on, strict undefined."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("procmine", "report/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=_format.money,
        signed_money=_format.signed_money,
        duration=_format.duration,
        count=_format.count,
        share=_format.share,
    )
    return env


def render(template: str, **context: Any) -> str:
    """Render the package template ``template`` (a file in ``report/templates``)."""
    return environment().get_template(template).render(**context)
