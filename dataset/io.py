"""Reading and writing tables and folders, atomically.

A writer never leaves a half-written file under its final name: it writes a temporary file in
the same folder and renames it into place (``os.replace`` is atomic on one file system). A
folder is staged as a hidden sibling and swapped in the same way, so an interrupted run leaves
only a hidden ``.*.tmp-*`` folder behind, never a complete-looking output. Every staged output
is written under a lock (``.<name>.lock`` beside it, ``flock``: released by the kernel when a
run dies), so a second run into the same output refuses at once instead of racing, and the
run that holds the lock first removes what killed runs of that output left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

if TYPE_CHECKING:
    import polars as pl

from newsspan.dataset.errors import InputError, OutputError
from newsspan.dataset.schema import Table

__all__ = [
    "TableWriter",
    "ensure_folder",
    "file_sha256",
    "iter_table",
    "output_lock",
    "read_table",
    "replace_folder",
    "scan_table",
    "staged_files",
    "staged_folder",
    "table_files",
    "table_parts",
    "table_rows",
    "write_json",
    "write_table",
    "write_table_raw",
]


log = logging.getLogger(__name__)
_Opened = TypeVar("_Opened")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


_FILE_MODE = 0o666 & ~_umask()  # what open() would give: mkstemp's 0600 is for secrets


def _temp_sibling(path: Path, *, suffix: str = "") -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.tmp-", suffix=suffix, dir=path.parent)
    os.fchmod(fd, _FILE_MODE)
    os.close(fd)
    return Path(name)


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_table_raw(table: pa.Table, path: Path) -> None:
    """Write a table that is not one of the schema's (a report), atomically, as Parquet."""
    ensure_folder(path.parent)
    temp = _temp_sibling(path)
    try:
        pq.write_table(table, temp, compression="zstd")
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)


def write_table(table: pa.Table, path: Path, *, schema: Table) -> None:
    """Write ``table`` as Parquet with ``schema``'s Arrow schema, atomically."""
    with TableWriter(path, schema=schema) as writer:
        writer.write(table)


class TableWriter:
    """Stream record batches into one Parquet file that appears only when complete."""

    def __init__(self, path: Path, *, schema: Table) -> None:
        self.path = path
        self.schema = schema
        self.rows = 0
        ensure_folder(path.parent)
        self._temp = _temp_sibling(path)
        self._writer = pq.ParquetWriter(self._temp, schema.arrow_schema, compression="zstd")

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table.select(list(self.schema.column_names)).cast(self.schema.arrow_schema))
            self.rows += table.num_rows

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._writer.close()
        if exc_type is None:
            self._temp.replace(self.path)
        else:
            self._temp.unlink(missing_ok=True)


def read_table(path: Path, *, schema: Table) -> pa.Table:
    """Read a table written by newsspan, checking it has ``schema``'s columns."""
    return _conform(_opened(path, schema, pq.read_table), path, schema)


BATCH_BYTES = 32 << 20  # a batch of a table read in pieces: 32 MiB of decoded rows, so the
# documents table (kilobytes of text a row) comes in thousands of rows and a span table in 65,536


def iter_table(path: Path, *, schema: Table, rows: int | None = None) -> Iterator[pa.Table]:
    """Read a table written by newsspan ``rows`` rows at a time (default: about
    :data:`BATCH_BYTES` of rows, from the file's own sizes), each batch checked and cast as
    :func:`read_table` does: memory is bounded by the batch, not the table. Only ``schema``'s
    columns are read: a schema narrowed with ``dataclasses.replace`` reads (and sizes its batches
    by) those columns alone. ``path`` may be a folder of Parquet part files (a table Spark wrote,
    :func:`table_parts`): its parts are read in name order."""
    for part in table_files(path, table=schema.name):
        yield from _iter_file(part, schema, rows)


def table_files(path: Path, *, table: str = "the table") -> list[Path]:
    """The Parquet files of the table at ``path``: the file, or a folder's part files
    (:func:`table_parts`); a folder without any is refused naming it."""
    if not path.is_dir():
        return [path]
    parts = table_parts(path)
    if not parts:
        raise InputError(
            f"{path} is a folder with no Parquet part files: a table is a .parquet file or a folder of "
            f"part-*.parquet files (as Spark writes them); rerun the stage that writes {table}",
            path=path,
        )
    return parts


def table_rows(path: Path) -> int:
    """The rows of the table at ``path`` (a file or a folder of part files), from the footers."""
    return sum(int(pq.read_metadata(part).num_rows) for part in table_files(path))


def scan_table(path: Path) -> pl.LazyFrame:
    """A polars ``LazyFrame`` over the table at ``path`` (a file or a folder of part files)."""
    import polars as pl

    return pl.scan_parquet(table_files(path))


def table_parts(folder: Path) -> list[Path]:
    """The Parquet files of a table written as a folder, in name order; names starting with ``.``
    or ``_`` (Spark's ``_SUCCESS``, checksums, unfinished files) are not part of the table."""
    return sorted(p for p in folder.glob("*.parquet") if p.is_file() and not p.name.startswith((".", "_")))


def _iter_file(path: Path, schema: Table, rows: int | None) -> Iterator[pa.Table]:
    # pyarrow's default pre-buffering keeps the bytes of every row group read so far: a whole
    # file's worth of the columns read by the last batch
    handle = _opened(path, schema, lambda source: pq.ParquetFile(source, pre_buffer=False))
    with handle:
        metadata = handle.metadata
        if metadata.num_rows == 0:
            yield _conform(handle.schema_arrow.empty_table(), path, schema)
            return
        wanted = set(schema.column_names)
        read = [name for name in handle.schema_arrow.names if name in wanted]
        if rows is None:
            every = len(read) == len(handle.schema_arrow.names)  # the row groups' own totals, as ever
            groups = [metadata.row_group(i) for i in range(metadata.num_row_groups)]
            size = sum(g.total_byte_size if every else _decoded_bytes(g, read) for g in groups)
            rows = max(256, min(65_536, BATCH_BYTES * metadata.num_rows // max(size, 1)))
        for batch in handle.iter_batches(batch_size=rows, columns=read):
            yield _conform(pa.Table.from_batches([batch]), path, schema)


def _decoded_bytes(group: pq.RowGroupMetaData, columns: list[str]) -> int:
    """The decoded size of ``columns`` (top-level names) in one row group."""
    chunks = (group.column(i) for i in range(group.num_columns))
    return sum(c.total_uncompressed_size for c in chunks if c.path_in_schema.split(".")[0] in columns)


def _opened(path: Path, schema: Table, opener: Callable[[Path], _Opened]) -> _Opened:
    """``opener(path)``, its failures as an :class:`InputError` that says what to do."""
    try:
        return opener(path)
    except FileNotFoundError:
        raise InputError(f"{path} does not exist; run the stage that writes {schema.file_name}", path=path) from None
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{path} is not a readable Parquet file: {exc}", path=path) from None


def _conform(table: pa.Table, path: Path, schema: Table) -> pa.Table:
    for column in schema.columns:  # a nullable column added in a later version reads as nulls
        if column.nullable and column.name not in table.column_names:
            table = table.append_column(column.field, pa.nulls(table.num_rows, column.type))
    missing = [name for name in schema.column_names if name not in table.column_names]
    if missing:
        raise InputError(
            f"{path} is not a newsspan {schema.name} table: columns {', '.join(missing)} are missing",
            path=path,
        )
    return table.select(list(schema.column_names)).cast(schema.arrow_schema)


def write_json(data: Any, path: Path) -> None:
    """Write ``data`` as indented, key-sorted JSON, atomically."""
    ensure_folder(path.parent)
    temp = _temp_sibling(path)
    try:
        temp.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)


def ensure_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"output {folder} exists and is not a folder; choose another --out", path=folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"output folder {folder} cannot be created: {exc.strerror}", path=folder) from None


@contextlib.contextmanager
def output_lock(final: Path) -> Iterator[None]:
    """Hold the lock of output ``final`` (refusing if another run holds it), and remove the
    staging folders killed runs of ``final`` left behind. The lock file goes when the run ends
    (a killed run leaves it, unlocked: the next run takes it over)."""
    ensure_folder(final.parent)
    path = final.parent / f".{final.name}.lock"
    handle = _locked(path, final)
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        handle.flush()
        _remove_stale(final)
        yield
    finally:
        path.unlink(missing_ok=True)  # before unlocking: a run waiting on this file retries
        handle.close()


def _locked(path: Path, final: Path) -> Any:
    """The open, exclusively locked lock file at ``path`` (the one now at that path: a file
    unlinked by the run that held it while this one waited is left and opened again)."""
    while True:
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise OutputError(
                f"another newsspan run is writing {final} ({holder}); wait for it to finish, or choose another --out",
                path=final,
            ) from None
        try:
            if os.fstat(handle.fileno()).st_ino == path.stat().st_ino:
                return handle
        except FileNotFoundError:
            pass
        handle.close()


def _remove_stale(final: Path) -> None:
    """Remove ``.<name>.tmp-*`` and ``.<name>.old-*`` beside ``final``: only a run of this output
    makes them, and none runs but the caller, who holds the lock."""
    stale = [p for kind in ("tmp", "old") for p in final.parent.glob(f".{final.name}.{kind}-*")]
    for path in stale:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    if stale:
        log.info("removed %d staging folder(s) that killed runs of %s left behind", len(stale), final)


def _stage_beside(final: Path) -> Path:
    if final.exists() and not final.is_dir():
        raise OutputError(f"output {final} exists and is not a folder; choose another --out", path=final)
    stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    stage.chmod(0o777 & ~_umask())
    return stage


@contextlib.contextmanager
def staged_folder(final: Path) -> Iterator[Path]:
    """Yield a hidden temporary folder beside ``final``; on success it replaces ``final``."""
    with output_lock(final):
        stage = _stage_beside(final)
        try:
            yield stage
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        replace_folder(stage, final)


@contextlib.contextmanager
def staged_files(final: Path) -> Iterator[Path]:
    """Yield a hidden temporary folder beside ``final``; on success its files move into
    ``final`` (created if needed), replacing files (or Spark's table folders) of the same names
    and leaving other files of ``final`` alone (a folder several commands write into, e.g.
    ``build/t``). The JSON summaries at its top go last, after the old ones are removed first: a
    run killed while moving leaves its summary missing, never a complete-looking mix."""
    with output_lock(final):
        stage = _stage_beside(final)
        try:
            yield stage
            ensure_folder(final)
            files = sorted(p for p in stage.rglob("*") if p.is_file())
            summaries = [p for p in files if p.parent == stage and p.suffix == ".json"]
            for summary in summaries:
                (final / summary.name).unlink(missing_ok=True)
            for path in [p for p in files if p not in summaries] + summaries:
                target = final / path.relative_to(stage)
                ensure_folder(target.parent)
                if target.is_dir():  # a table Spark wrote as a folder of part files: this file replaces it
                    shutil.rmtree(target)
                path.replace(target)
        finally:
            shutil.rmtree(stage, ignore_errors=True)


def replace_folder(stage: Path, final: Path) -> None:
    """Move ``stage`` to ``final``, replacing an existing ``final`` with two renames."""
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
        final.replace(old / final.name)
    stage.replace(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
