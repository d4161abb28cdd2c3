"""One SQL text per kernel, for every engine: DuckDB's dialect, transpiled to Spark SQL by sqlglot.

The kernels are written once, in DuckDB's SQL; :func:`to_engine` returns that text
for DuckDB and sqlglot's Spark rendering of its syntax tree for Spark, with the
few functions whose names or meaning differ mapped on the tree (never by text
replacement): ``quantile_cont(x, q)`` (exact, linear interpolation, as numpy) is
Spark's exact ``percentile(x, q)`` (never ``percentile_approx``), and
``epoch_us(ts)`` is ``unix_micros(ts)``.
"""

from __future__ import annotations

import functools
from typing import Any, Final

__all__ = ["ENGINES", "to_engine"]

#: The engines a kernel runs on (``pandas`` is the in-memory default, no SQL).
ENGINES: Final = ("duckdb", "spark")


def _require_sqlglot() -> Any:
    from procmine.engine._require import require

    return require("sqlglot", "sqlglot", "spark")


@functools.lru_cache(maxsize=256)
def to_engine(sql: str, engine: str) -> str:
    """The query ``sql`` (DuckDB dialect) in the dialect of ``engine``.

    Examples
    --------
    >>> print(to_engine("SELECT quantile_cont(w, 0.9) AS p FROM t", "spark"))
    SELECT PERCENTILE(w, 0.9) AS p FROM t
    >>> to_engine("SELECT 1", "duckdb")
    'SELECT 1'
    """
    if engine == "duckdb":
        return sql
    sqlglot = _require_sqlglot()
    from sqlglot import exp

    def spark_names(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.PercentileCont | exp.Quantile):
            return exp.Anonymous(this="PERCENTILE", expressions=[node.this, node.expression])
        if isinstance(node, exp.Anonymous) and node.name.lower() == "epoch_us":
            return exp.Anonymous(this="UNIX_MICROS", expressions=node.expressions)
        if isinstance(node, exp.Median):
            return exp.Anonymous(this="PERCENTILE",
                                 expressions=[node.this, exp.Literal.number(0.5)])
        return node

    tree = sqlglot.parse_one(sql, read="duckdb").transform(spark_names)
    return str(tree.sql(dialect="spark"))
