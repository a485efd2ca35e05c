"""Arrow schemas across the Spark boundary.

``mapInArrow`` must yield exactly the Arrow types Spark expects (timestamps in microseconds, plain
strings, the declared column order), and Spark's plans forget which columns were non-nullable after
a union or a filter; :func:`strict` is the last pass before a write, giving each table back its
schema (and refusing a null where the schema forbids one, naming the column).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa

__all__ = ["ArrowBatches", "spark_arrow", "spark_schema", "strict"]

ArrowBatches = Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]


def spark_schema(schema: pa.Schema) -> Any:
    """The Spark StructType of an Arrow schema (pyspark's own conversion)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


def spark_arrow(schema: pa.Schema) -> pa.Schema:
    """The Arrow schema Spark expects back from ``mapInArrow`` for ``schema``."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(spark_schema(schema))


def strict(schema: pa.Schema, table: str) -> ArrowBatches:
    """An identity ``mapInArrow`` to ``schema``'s columns, order and nullability."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        target = spark_arrow(schema)
        for batch in batches:
            rows = pa.Table.from_batches([batch]).select(target.names)
            for field in target:
                if not field.nullable and rows[field.name].null_count:
                    raise ValueError(
                        f"{table}.{field.name}: {rows[field.name].null_count} null(s) in a required column"
                    )
            yield from rows.cast(target).to_batches()

    return run
