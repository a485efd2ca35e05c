"""Reading the corpus tables a batch at a time, and spilling rows to disk by a key.

The gate never holds a whole table: each table is read ``Batching.rows`` rows at a time
(``pyarrow.parquet.ParquetFile.iter_batches``), every row carrying ``_row``, its position in the
table. Checks that need rows of other batches (repeated ids, a span against its document's text,
a relation against its annotation's regions) first spill the few columns they need to numbered
part files keyed by a partition (a grace hash join): each part is then small enough to join in
memory, and together the parts see every pair of rows that share the key.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import ipc

from newsspan.dataset.errors import InputError, NewsspanError
from newsspan.dataset.io import table_files
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import Table

__all__ = ["ROW", "Batching", "Spill", "apply_findings", "owned", "table_batches", "table_path"]

ROW = "_row"  # a row's position in its table (0-based), the key findings are stored under


@dataclass(frozen=True, slots=True)
class Batching:
    """How much of the corpus the gate holds at once; peak memory follows these, not the corpus.

    ``rows``: rows per Great Expectations batch (and per read of a table). A GX run costs about
    0.15 s whatever its size (16 expectations on spans), so fewer, larger batches are faster:
    at 200,000 span rows that cost is a sixth of the run, and the gate peaks at about 650 MB
    (10,000 to 200,000 tasks alike; about 250 MB of it is GX's own import). ``documents``:
    documents held at once, text included (about 3,000 characters each, so about 15 MB).
    ``partition_rows``: span rows per part when rows are compared across the whole table
    (repeated regions, relations, stance, boilerplate crossings: about 100 MB of joins a part).
    """

    rows: int = 200_000
    documents: int = 5_000
    partition_rows: int = 200_000

    def __post_init__(self) -> None:
        for name in ("rows", "documents", "partition_rows"):
            if getattr(self, name) < 1:
                raise NewsspanError(f"Batching.{name} is {getattr(self, name)}; it must be a positive row count")

    def parts(self, rows: int) -> int:
        """How many parts ``rows`` rows are spilled into."""
        return max(1, math.ceil(rows / self.partition_rows))


def table_path(folder: Path, table: Table) -> Path:
    """The table's Parquet file in ``folder`` (or Spark's folder of part files of that name),
    refused (as the stage's input error) when it is missing or lacks a column that cannot be
    filled with nulls."""
    path = BuildFolder(folder).table(table)
    if not path.exists():
        raise InputError(
            f"{folder} has no {table.file_name}; validate a `newsspan build` or `label convert` folder", path=path
        )
    names = set(pq.read_schema(table_files(path, table=table.name)[0]).names)
    missing = [c.name for c in table.columns if not c.nullable and c.name not in names]
    if missing:
        raise InputError(
            f"{path} is not a newsspan {table.name} table: columns {', '.join(missing)} are missing", path=path
        )
    return path


def table_batches(
    path: Path, table: Table, rows: int, columns: tuple[str, ...] | None = None
) -> Iterator[pl.DataFrame]:
    """``table`` in batches of at most ``rows`` rows with ``_row`` first; a table written before a
    nullable column existed reads that column as nulls, cast to the schema (as ``read_table`` does).
    An empty table gives one empty batch, so a frame always has its columns."""
    names = columns or table.column_names
    offset, first, empty = 0, True, None
    for part in table_files(path, table=table.name):  # a file, or the part files Spark wrote
        handle = pq.ParquetFile(part, pre_buffer=False)  # pre-buffering keeps every row group read so far
        present = set(handle.schema_arrow.names)
        complete = set(table.column_names) <= present
        with handle:
            for batch in handle.iter_batches(batch_size=rows, columns=[n for n in names if n in present]):
                if batch.num_rows == 0:
                    continue
                box = [_frame(batch, table, names, complete, offset)]
                del batch  # while this waits, only the caller holds the frame: one it has dropped is freed
                offset += box[0].height
                first = False
                yield box.pop()
            if empty is None:
                empty = _frame(
                    handle.schema_arrow.empty_table().select([n for n in names if n in present]),
                    table,
                    names,
                    complete,
                    0,
                )
    if first and empty is not None:
        yield empty


def _frame(
    batch: pa.RecordBatch | pa.Table, table: Table, names: tuple[str, ...], complete: bool, offset: int
) -> pl.DataFrame:
    data = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    if not complete:  # an older table: fill the new nullable columns and cast, like read_table
        for column in table.columns:
            if column.name in names and column.name not in data.column_names:
                data = data.append_column(column.field, pa.nulls(data.num_rows, column.type))
        data = data.select(list(names)).cast(pa.schema([table.arrow_schema.field(n) for n in names]))
    frame = pl.from_arrow(data)
    assert isinstance(frame, pl.DataFrame)
    return frame.select(names).with_row_index(ROW, offset=offset)


def owned(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its own copy of its strings. A batch's string columns are views into the
    Arrow buffers the batch was read into, and so are a filter's: rows kept from many batches
    would keep every one of those batches' buffers alive, whatever the few rows they need."""
    copy = pl.from_arrow(frame.to_arrow())
    assert isinstance(copy, pl.DataFrame)
    return copy


class Spill:
    """Rows written to numbered part files under ``folder`` (Arrow IPC streams), then read back a
    part at a time: memory holds one batch while writing and one part while reading."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder, self.name = folder, name
        self._writers: dict[int, ipc.RecordBatchStreamWriter] = {}
        self._schema: pl.Schema | None = None

    def write(self, frame: pl.DataFrame, part: str) -> None:
        """Append ``frame``'s rows to the part named by its ``part`` column (dropped)."""
        if self._schema is None:
            self._schema = frame.drop(part).schema
        for (key,), rows in frame.partition_by(part, as_dict=True, include_key=False).items():
            arrow, number = rows.to_arrow(), int(str(key))
            writer = self._writers.get(number)
            if writer is None:
                writer = self._writers[number] = ipc.new_stream(self._path(number), arrow.schema)
            writer.write_table(arrow)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()

    def read(self, part: int) -> pl.DataFrame:
        """The rows of one part, in the order they were written (none: an empty frame)."""
        if part not in self._writers:
            return pl.DataFrame(schema=self._schema)
        with ipc.open_stream(self._path(part)) as reader:
            frame = pl.from_arrow(reader.read_all())
        assert isinstance(frame, pl.DataFrame)
        return frame

    def _path(self, part: int) -> Path:
        return self.folder / f"{self.name}-{part}.arrow"


def apply_findings(batch: pl.DataFrame, findings: pl.DataFrame, defaults: dict[str, object]) -> pl.DataFrame:
    """``batch`` with the columns of ``findings`` (rows by ``_row``, sorted, only the rows whose
    value differs from ``defaults``); every other row gets the default."""
    if batch.is_empty():
        return batch.with_columns(pl.lit(value).alias(name) for name, value in defaults.items())
    rows = findings[ROW]
    low = int(rows.search_sorted(batch[ROW][0]))
    high = int(rows.search_sorted(batch[ROW][-1], side="right"))
    here = findings.slice(low, high - low).select(ROW, *defaults).with_columns(_found=pl.lit(True))
    joined = batch.join(here, on=ROW, how="left", maintain_order="left")
    return joined.with_columns(
        pl.when(pl.col("_found")).then(pl.col(name)).otherwise(pl.lit(value)).alias(name)
        for name, value in defaults.items()
    ).drop("_found")
