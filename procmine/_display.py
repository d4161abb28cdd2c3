"""How results show themselves in Jupyter: a registry of HTML functions, one per result type.

Lower layers (discovery, log) define results; the render layer knows how to
draw them. So that discovery never imports render, a result's ``_repr_html_``
asks this registry, and render registers its drawing functions when it is
imported (``import procmine`` imports it). Without a registered function a
result shows its ``repr``, escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

__all__ = ["fallback_html", "html_of", "register_html", "repr_html"]

_REGISTRY: dict[type, Callable[[Any], str]] = {}


def register_html(cls: type, fn: Callable[[Any], str]) -> None:
    """Show instances of ``cls`` (and of its subclasses) in Jupyter with ``fn(obj)``.

    A later registration for the same class replaces the earlier one.

    Examples
    --------
    >>> class Thing:
    ...     pass
    >>> register_html(Thing, lambda obj: "<b>a thing</b>")
    >>> html_of(Thing())
    '<b>a thing</b>'
    """
    if not isinstance(cls, type):
        raise TypeError(f"register_html: expected a class, got {type(cls).__name__}")
    if not callable(fn):
        raise TypeError(f"register_html: expected a function, got {type(fn).__name__}")
    _REGISTRY[cls] = fn


def html_of(obj: object) -> str | None:
    """The HTML registered for ``obj``'s class (nearest in its MRO), or None.

    Examples
    --------
    >>> html_of(object()) is None
    True
    """
    for klass in type(obj).__mro__:
        fn = _REGISTRY.get(klass)
        if fn is not None:
            return fn(obj)
    return None


def fallback_html(obj: object) -> str:
    """``repr(obj)`` as escaped preformatted HTML.

    Examples
    --------
    >>> fallback_html("<map>")
    '<pre>&#x27;&lt;map&gt;&#x27;</pre>'
    """
    return f"<pre>{html.escape(repr(obj))}</pre>"


def repr_html(obj: object) -> str:
    """What a result's ``_repr_html_`` returns: the registered HTML, else :func:`fallback_html`.

    Examples
    --------
    >>> repr_html(3)
    '<pre>3</pre>'
    """
    shown = html_of(obj)
    return fallback_html(obj) if shown is None else shown
