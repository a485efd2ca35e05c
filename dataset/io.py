"""Reading and writing tables and folders, atomically.

A writer never leaves a half-written file under its final name: it writes a temporary file in
the same folder and renames it into place (``os.replace`` is atomic on one file system). A
folder is staged as a hidden sibling and swapped in the same way, so an interrupted run leaves
only a hidden ``.*.tmp-*`` folder behind, never a complete-looking output.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newsspan.dataset.errors import InputError, OutputError
from newsspan.dataset.schema import Table

__all__ = [
    "TableWriter",
    "ensure_folder",
    "file_sha256",
    "read_table",
    "replace_folder",
    "staged_folder",
    "write_json",
    "write_table",
    "write_table_raw",
]


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
    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        raise InputError(f"{path} does not exist; run the stage that writes {schema.file_name}", path=path) from None
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{path} is not a readable Parquet file: {exc}", path=path) from None
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
def staged_folder(final: Path) -> Iterator[Path]:
    """Yield a hidden temporary folder beside ``final``; on success it replaces ``final``."""
    ensure_folder(final.parent)
    if final.exists() and not final.is_dir():
        raise OutputError(f"output {final} exists and is not a folder; choose another --out", path=final)
    stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    stage.chmod(0o777 & ~_umask())
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    replace_folder(stage, final)


def replace_folder(stage: Path, final: Path) -> None:
    """Move ``stage`` to ``final``, replacing an existing ``final`` with two renames."""
    old = None
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old-", dir=final.parent))
        final.replace(old / final.name)
    stage.replace(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
