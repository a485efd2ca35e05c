"""Tables split once by document, so a stage holds one part of the corpus at a time.

Agreement, gold and the dataset write work per document (a document's annotations, spans,
relations and stance belong together), but the corpus tables are far larger than one document
group, and their rows need not be grouped by document (several exports, a reconverted task, gold
rows appended at the end). :func:`split_by_document` reads each table once, a batch at a time,
and writes its rows into part files: part ``k`` holds the rows of the documents at positions
``[k × documents, (k + 1) × documents)`` of a given document order, in the rows' original order
(the sort is stable). Iterating :class:`DocumentParts` then reads one part's tables at a time:
peak memory follows the part size, not the corpus. Rows whose document is not in the order are
counted in ``outside`` and left out of every part (the stage decides what they mean).

The parts are Arrow IPC files (no encoding: they are written and read once) in a scratch folder
the caller owns and removes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from newsspan.dataset.io import iter_table
from newsspan.dataset.schema import Table

__all__ = ["PART_DOCUMENTS", "DocumentParts", "split_by_document"]

# Documents per part: a news article's rows (a few annotations, tens of spans each) stay in the
# low megabytes per hundred documents, so 2,000 documents keep a part's tables near 100 MB
# while a 200k-document corpus still makes only 100 parts (and 100 open files per table).
PART_DOCUMENTS: Final = 2000


@dataclass
class DocumentParts:
    """The part files of :func:`split_by_document`; iterate for ``(documents, {table: rows})``."""

    folder: Path
    order: pa.Array  # every document, in part order
    documents: int  # documents per part
    tables: dict[str, Table]
    outside: dict[str, int] = field(default_factory=dict)  # table -> rows of documents not in the order

    @property
    def count(self) -> int:
        return -(-len(self.order) // self.documents)

    def part(self, number: int) -> dict[str, pa.Table]:
        """The rows of part ``number``, per table (an empty table where it has none)."""
        out = {}
        for name, table in self.tables.items():
            path = self.folder / f"{name}-{number:05d}.arrow"
            if path.exists():
                with pa.memory_map(str(path)) as source:
                    out[name] = pa.ipc.open_stream(source).read_all()
            else:
                out[name] = table.arrow_schema.empty_table()
        return out

    def __iter__(self) -> Iterator[tuple[pa.Array, dict[str, pa.Table]]]:
        for number in range(self.count):
            first = number * self.documents
            yield self.order.slice(first, self.documents), self.part(number)


def split_by_document(
    sources: Mapping[str, tuple[Path | Sequence[Path], Table]],
    order: pa.Array,
    scratch: Path,
    *,
    documents: int = PART_DOCUMENTS,
    rows: Mapping[str, int] | None = None,
) -> DocumentParts:
    """Split each source table (``name -> (path or paths, table)``: several paths are read as one
    table, in order) into parts of ``documents`` documents of ``order`` (distinct doc ids), written
    under ``scratch``; see the module docstring. ``rows`` gives a source's rows read at a time
    (by name; default: :func:`~newsspan.dataset.io.iter_table`'s, some 32 MB of rows, which a
    table of long texts had better not take twice over)."""
    if documents < 1:
        raise ValueError(f"documents per part must be at least 1, not {documents}")
    scratch.mkdir(parents=True, exist_ok=True)
    parts = DocumentParts(scratch, order, documents, {name: table for name, (_, table) in sources.items()})
    for name, (paths, table) in sources.items():
        writers: dict[int, _PartWriter] = {}
        outside = 0
        batches = (
            batch
            for path in ([paths] if isinstance(paths, Path) else paths)
            for batch in iter_table(path, schema=table, rows=(rows or {}).get(name))
        )
        try:
            for batch in batches:
                position = pc.index_in(batch["doc_id"], value_set=order)
                outside += position.null_count
                part = pc.fill_null(position, parts.count * documents).to_numpy() // documents  # outside: count
                ranked = np.argsort(part, kind="stable")  # rows keep their order within a part
                _write_runs(batch.take(ranked), part[ranked], parts.count, (name, table, scratch), writers)
        finally:
            for writer in writers.values():
                writer.close()
        parts.outside[name] = outside
    # the batches are gone, but Arrow's allocator keeps their memory for reuse; the parts are read
    # in other sizes, so what it keeps would only add to the peak of the stage that reads them
    pa.default_memory_pool().release_unused()
    return parts


def _write_runs(
    rows: pa.Table, part: Any, count: int, target: tuple[str, Table, Path], writers: dict[int, _PartWriter]
) -> None:
    """Append each run of one part number (``part``: sorted numpy part numbers; ``count`` marks a
    document outside the order) to that part's file."""
    name, table, scratch = target
    boundaries = [0, *(np.flatnonzero(np.diff(part)) + 1).tolist(), len(part)]
    for low, high in itertools.pairwise(boundaries):
        number = int(part[low]) if high > low else count
        if number >= count:
            continue
        if number not in writers:
            writers[number] = _PartWriter(scratch / f"{name}-{number:05d}.arrow", table.arrow_schema)
        writers[number].write(rows.slice(low, high - low))


class _PartWriter:
    """One part file: an Arrow IPC stream over its own file handle."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self._sink = pa.OSFile(str(path), "wb")
        self._writer = pa.ipc.new_stream(self._sink, schema)

    def write(self, rows: pa.Table) -> None:
        self._writer.write_table(rows)

    def close(self) -> None:
        self._writer.close()
        self._sink.close()
