"""The cost model: what labour, handoffs and waiting cost, and what a change costs to make."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

from procmine.errors import InputError

__all__ = ["CHANGE_KINDS", "ChangeKind", "CostModel", "load_cost_model"]

ChangeKind = Literal["customer_self_service", "supplier_portal_edi", "carrier_api", "shared_data"]
#: Kinds of change a candidate proposes.
CHANGE_KINDS: tuple[str, ...] = get_args(ChangeKind)

#: The outside party that takes over a step, by kind of change (shared data has none).
KIND_PARTY: dict[str, str | None] = {
    "customer_self_service": "customer",
    "supplier_portal_edi": "supplier",
    "carrier_api": "carrier",
    "shared_data": None,
}


@dataclass(frozen=True)
class CostModel:
    """Rates and unit costs used to price handoffs, re-entry and changes.

    All money is in ``currency``; times in the units the field names say.
    :meth:`default` reads the documented file shipped with procmine
    (``procmine/data/costs.toml``); :func:`load_cost_model` reads your own.

    Parameters
    ----------
    currency : str
        Display only.
    department_rates : Mapping[str, float]
        Fully loaded labour cost per hour, by department.
    default_rate : float
        Rate per hour for departments not listed (and events with none).
    activity_minutes : Mapping[str, float]
        Manual touch time per execution of an activity, in minutes.
    default_minutes : float
        Touch time for activities not listed (manual events only).
    handoff_cost : float
        Fixed coordination cost of one handoff (a queue, a message, a check).
    wait_cost_per_hour : float
        Cost of one order waiting one hour (working capital, customer patience).
    implementation : Mapping[str, float]
        One-off cost to implement a change, by kind (see :data:`CHANGE_KINDS`).
    running : Mapping[str, float]
        Running cost per month of a change once in place, by kind.
    discrepancy_minutes : float
        Minutes to find and resolve one discrepancy between two copies of an item.
    annual_orders : float
        Orders per year used to annualise; 0 means derive it from the log's span.
    residual_share : Mapping[str, float]
        Share (0..1) of a moved step's labour that stays with staff, by kind.

    Examples
    --------
    >>> m = CostModel()
    >>> m.rate("Sales") > 0 and m.minutes("Enter order") >= 0
    True
    >>> round(m.handoff_cost_of(count=2, wait_seconds=7200.0), 2) == round(
    ...     2 * m.handoff_cost + 2 * m.wait_cost_per_hour, 2)
    True
    """

    currency: str = "EUR"
    department_rates: Mapping[str, float] = field(default_factory=lambda: {
        "Sales": 55.0, "Customer Service": 45.0, "Credit": 60.0, "Warehouse": 40.0,
        "Shipping": 42.0, "Billing": 50.0, "Returns": 42.0, "Purchasing": 58.0,
    })
    default_rate: float = 50.0
    activity_minutes: Mapping[str, float] = field(default_factory=dict)
    default_minutes: float = 4.0
    handoff_cost: float = 2.5
    wait_cost_per_hour: float = 0.05
    implementation: Mapping[str, float] = field(default_factory=lambda: {
        "customer_self_service": 40000.0, "supplier_portal_edi": 30000.0,
        "carrier_api": 15000.0, "shared_data": 20000.0,
    })
    running: Mapping[str, float] = field(default_factory=lambda: {
        "customer_self_service": 500.0, "supplier_portal_edi": 400.0,
        "carrier_api": 150.0, "shared_data": 200.0,
    })
    discrepancy_minutes: float = 15.0
    annual_orders: float = 0.0
    residual_share: Mapping[str, float] = field(default_factory=lambda: {
        "customer_self_service": 0.10, "supplier_portal_edi": 0.05,
        "carrier_api": 0.02, "shared_data": 0.0,
    })

    @classmethod
    def default(cls) -> CostModel:
        """The documented default model shipped as ``procmine/data/costs.toml``.

        Examples
        --------
        >>> m = CostModel.default()
        >>> m.currency, m.rate("Warehouse")
        ('EUR', 40.0)
        """
        resource = resources.files("procmine").joinpath("data/costs.toml")
        with resources.as_file(resource) as path:
            return load_cost_model(path)

    @staticmethod
    def default_toml() -> str:
        """The text of the default cost-model file, with its comments: a start for your own.

        Write it to a file, change the figures, and pass the file to
        :func:`load_cost_model` (or ``procmine report --costs FILE``).

        Examples
        --------
        >>> text = CostModel.default_toml()
        >>> "[department_rates]" in text
        True
        """
        return resources.files("procmine").joinpath("data/costs.toml").read_text(encoding="utf-8")

    def rate(self, department: str | None) -> float:
        """Labour cost per hour of ``department`` (the default for unknown or missing)."""
        if department is None or (isinstance(department, float) and math.isnan(department)):
            return self.default_rate
        return float(self.department_rates.get(department, self.default_rate))

    def minutes(self, activity: str) -> float:
        """Manual touch minutes of one execution of ``activity``."""
        return float(self.activity_minutes.get(activity, self.default_minutes))

    def handoff_cost_of(self, *, count: float, wait_seconds: float) -> float:
        """Cost of ``count`` handoffs whose waits add up to ``wait_seconds``."""
        return count * self.handoff_cost + wait_seconds / 3600.0 * self.wait_cost_per_hour


_NUMBER_KEYS = ("default_rate", "default_minutes", "handoff_cost", "wait_cost_per_hour",
                "discrepancy_minutes", "annual_orders")
_FREE_TABLES = ("department_rates", "activity_minutes")
_KIND_TABLES = ("implementation", "running", "residual_share")


def load_cost_model(path: str | Path) -> CostModel:
    """Read a cost model from a TOML file.

    Keys not given keep the values of :class:`CostModel`; the tables
    ``implementation``, ``running`` and ``residual_share`` are merged kind by
    kind over those defaults, while ``department_rates`` and
    ``activity_minutes`` replace them. See ``procmine/data/costs.toml`` for a
    documented example.

    Parameters
    ----------
    path : str or pathlib.Path
        The TOML file.

    Returns
    -------
    CostModel

    Raises
    ------
    InputError
        The file is missing or not valid TOML, a key is unknown (the message
        lists the allowed keys), a value is not a number, a rate or cost is
        negative, or a residual share is outside 0..1.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.toml").write_text('handoff_cost = 4.0\\n[department_rates]\\nSales = 70\\n')
    >>> m = load_cost_model(d / "c.toml")
    >>> m.handoff_cost, m.rate("Sales"), m.rate("Warehouse")
    (4.0, 70.0, 50.0)
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: cost model file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid TOML cost model: {exc}") from None
    allowed = [f.name for f in fields(CostModel)]
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise InputError(
            f"{path}: unknown key {unknown[0]!r} in the cost model; "
            f"allowed keys: {', '.join(allowed)}"
        )
    base = CostModel()
    kwargs: dict[str, Any] = {}
    if "currency" in data:
        if not isinstance(data["currency"], str):
            raise InputError(f"{path}: 'currency' must be text, got {data['currency']!r}")
        kwargs["currency"] = data["currency"]
    for key in _NUMBER_KEYS:
        if key in data:
            kwargs[key] = _non_negative(path, key, data[key])
    for key in _FREE_TABLES:
        if key in data:
            table = _table(path, key, data[key])
            kwargs[key] = {str(k): _non_negative(path, f"{key}.{k}", v) for k, v in table.items()}
    for key in _KIND_TABLES:
        if key in data:
            table = _table(path, key, data[key])
            bad = sorted(set(table) - set(CHANGE_KINDS))
            if bad:
                raise InputError(
                    f"{path}: unknown key {bad[0]!r} in [{key}]; "
                    f"allowed keys: {', '.join(CHANGE_KINDS)}"
                )
            merged = dict(getattr(base, key))
            for kind, value in table.items():
                number = _non_negative(path, f"{key}.{kind}", value)
                if key == "residual_share" and number > 1:
                    raise InputError(
                        f"{path}: residual_share.{kind} must be between 0 and 1, got {number}"
                    )
                merged[kind] = number
            kwargs[key] = merged
    return CostModel(**kwargs)


def _table(path: Path, key: str, value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise InputError(f"{path}: {key!r} must be a table ([{key}]), got {value!r}")
    return value


def _non_negative(path: Path, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{path}: {key!r} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InputError(
            f"{path}: {key!r} must be a finite number >= 0, got {value!r}; "
            "rates, minutes and costs cannot be negative"
        )
    return number
