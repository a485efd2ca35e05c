"""Writing the Hugging Face dataset: one Parquet file per config and split, and the README YAML.

Files follow ``push_to_hub``'s layout (one file per config and split, named in
:mod:`newsspan.dataset.layout`), written with the Arrow schema of the config's ``Features``
(which carries the ``huggingface`` metadata that keeps ``ClassLabel`` names), and the README's
``configs`` and ``dataset_info`` are generated from the same features, so
``datasets.load_dataset(folder, name=config)`` reads it offline exactly as it would from the Hub.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsspan.dataset.hub.features import CONFIGS, DEFAULT_CONFIG, features_for
from newsspan.dataset.hub.rows import ConfigRows
from newsspan.dataset.hub.splits import SPLITS
from newsspan.dataset.layout import BuildFolder

__all__ = ["ConfigEncoder", "DatasetWriter", "config_tables", "dataset_yaml", "declared_splits", "split_table"]


class ConfigEncoder:
    """Config tables with label *names* (a config's schema with every ``ClassLabel`` column a string)
    to the config's own schema, with ``ClassLabel`` ids, column by column, through lists and structs.

    Made from the configs' ``Features`` (``datasets`` is imported here), it keeps only Arrow
    schemas and the label names of each column: a worker process gets it pickled and encodes
    without importing ``datasets`` (a second's start and ~80 MB less per worker)."""

    def __init__(self) -> None:
        features = {config: features_for(config) for config in CONFIGS}
        self._schemas = {config: features[config].arrow_schema for config in CONFIGS}
        self.named = {config: _named_schema(features[config], self._schemas[config]) for config in CONFIGS}
        self._labels = {
            config: {name: _labels(feature) for name, feature in features[config].items()} for config in CONFIGS
        }

    def schema(self, config: str) -> Any:
        """The Arrow schema of ``config``'s files."""
        return self._schemas[config]

    def encode(self, config: str, rows: list[dict[str, Any]] | Any) -> Any:
        """``config``'s table from its rows (label names), or from a table of its named schema."""
        import pyarrow as pa

        if not isinstance(rows, pa.Table):
            named = pa.Table.from_pylist(rows, schema=self.named[config])
        else:  # columns made by type (a list's item field may be named otherwise)
            named = rows if rows.schema == self.named[config] else rows.cast(self.named[config])
        labels, schema = self._labels[config], self._schemas[config]
        columns = [_encode_labels(labels[name], named[name].combine_chunks()) for name in schema.names]
        return pa.Table.from_arrays(columns, schema=schema)


@dataclass(frozen=True, slots=True)
class _Names:
    """A ``ClassLabel``'s names."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Items:
    """A ``List`` whose items hold labels."""

    item: _Labels


_Labels = _Names | _Items | dict[str, "_Labels"] | None  # where a feature's labels are (None: nowhere)


def split_table(table: Any, splits: Mapping[str, str], used: Sequence[str]) -> Iterator[tuple[str, Any]]:
    """``(split, rows)`` of ``table`` for each split of ``used`` that has rows (by each row's
    ``doc_id``), every one in the table's order."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(used) == 1:
        if table.num_rows:
            yield used[0], table
        return
    split_of = pa.array([splits[doc_id] for doc_id in table["doc_id"].to_pylist()], type=pa.string())
    for split in used:
        part = table.filter(pc.equal(split_of, split))
        if part.num_rows:
            yield split, part


def config_tables(
    encoder: ConfigEncoder, rows: ConfigRows, splits: Mapping[str, str], used: Sequence[str]
) -> Iterator[tuple[str, str, Any]]:
    """``(config, split, table)`` of every config's rows in ``rows``, in CONFIGS and split order."""
    for config in CONFIGS:
        made = rows.tables.get(config, rows.rows.get(config))
        if made is None or not len(made):
            continue
        for split, table in split_table(encoder.encode(config, made), splits, used):
            yield config, split, table


ROW_GROUP_BYTES = 8 << 20  # decoded bytes of a row group of a config's file (datasets' viewer reads
# row groups whole: tens of megabytes at most)
ROW_GROUP_ROWS = 1 << 20  # and at most this many rows (pyarrow's own default)
PENDING_BYTES = 24 << 20  # decoded bytes gathered for all the files at once


class DatasetWriter:
    """Write every config into ``folder``, a batch of documents' rows at a time (memory stays flat).

    Every file of the used splits is opened up front; ``counts`` are rows per config and split.
    The files are written under hidden names and get their own names only when the block ends
    without an error: after a failure no file of the dataset looks complete (the partial ones,
    and any left from an earlier write, are removed). A config with no rows in a split gets no
    file there (``load_dataset`` refuses a split without data), and a config with no rows at all
    no folder: :func:`declared_splits` is what the README then declares.
    """

    def __init__(self, folder: Path, splits: dict[str, str], *, encoder: ConfigEncoder | None = None) -> None:
        self.folder = folder
        self.layout = BuildFolder(folder)
        self.splits = splits
        self.used = [s for s in SPLITS if s in set(splits.values())]
        self.counts: dict[str, dict[str, int]] = {config: dict.fromkeys(self.used, 0) for config in CONFIGS}
        self.encoder = encoder or ConfigEncoder()
        self._writers: dict[tuple[str, str], Any] = {}
        self._pending: dict[tuple[str, str], list[Any]] = {}  # tables not yet in a row group
        self._pending_bytes: dict[tuple[str, str], int] = {}

    def _paths(self, config: str, split: str) -> tuple[Path, Path]:
        """The file's name, and the hidden one it is written under."""
        path = self.layout.config_file(config, split)
        return path, path.with_name(f".{path.name}.partial")

    def __enter__(self) -> DatasetWriter:
        import pyarrow.parquet as pq

        for config in CONFIGS:
            self.layout.config(config).mkdir(parents=True, exist_ok=True)
            for split in self.used:
                partial = self._paths(config, split)[1]
                self._writers[config, split] = pq.ParquetWriter(
                    partial, self.encoder.schema(config), compression="zstd"
                )
        return self

    def write(self, rows: ConfigRows) -> None:
        """Write a batch's rows (label names), each config's rows in its splits' files."""
        for config, split, table in config_tables(self.encoder, rows, self.splits, self.used):
            self.write_table(config, split, table)

    def write_table(self, config: str, split: str, table: Any) -> None:
        """Append ``table`` (the config's schema, label ids) to the config's file of ``split``.

        Tables are gathered into row groups of about :data:`ROW_GROUP_BYTES` (a batch of
        documents makes a few rows in the small splits: a row group each would make thousands of
        tiny ones, slow to read, and a footer the writer keeps in memory until the file closes);
        when the gathered tables of all files pass :data:`PENDING_BYTES`, the largest are
        written, so memory stays bounded."""
        key = (config, split)
        self._pending.setdefault(key, []).append(table)
        self._pending_bytes[key] = self._pending_bytes.get(key, 0) + table.nbytes
        self.counts[config][split] += table.num_rows
        if self._pending_bytes[key] >= ROW_GROUP_BYTES:
            self._flush(key)
        while sum(self._pending_bytes.values()) > PENDING_BYTES:
            self._flush(max(self._pending_bytes, key=self._pending_bytes.__getitem__))

    def _flush(self, key: tuple[str, str]) -> None:
        """Write the gathered tables of one file as one row group."""
        import pyarrow as pa

        tables = self._pending.pop(key, [])
        self._pending_bytes.pop(key, None)
        if tables:
            self._writers[key].write_table(pa.concat_tables(tables), row_group_size=ROW_GROUP_ROWS)

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            for key in list(self._pending):
                self._flush(key)
        self._pending.clear()
        self._pending_bytes.clear()
        for writer in self._writers.values():
            writer.close()
        for config, split in self._writers:
            path, partial = self._paths(config, split)
            if exc_type is None and self.counts[config][split]:
                partial.replace(path)
            else:
                partial.unlink(missing_ok=True)
                path.unlink(missing_ok=True)  # an earlier write's file would pass for this one's
        for config in CONFIGS:
            with contextlib.suppress(OSError):  # a config with files keeps its folder
                self.layout.config(config).rmdir()


@functools.cache
def _classes() -> tuple[Any, Any]:
    from datasets import ClassLabel, List

    return ClassLabel, List


def _named_type(feature: Any, arrow_type: Any) -> Any:
    """``arrow_type`` with every ``ClassLabel`` (int64 ids) a string (its names)."""
    import pyarrow as pa

    ClassLabel, List = _classes()  # noqa: N806 (the datasets classes)
    if isinstance(feature, ClassLabel):
        return pa.string()
    if isinstance(feature, List):
        return pa.list_(pa.field(arrow_type.value_field.name, _named_type(feature.feature, arrow_type.value_type)))
    if isinstance(feature, dict):
        return pa.struct([pa.field(f.name, _named_type(feature[f.name], f.type)) for f in arrow_type])
    return arrow_type


def _named_schema(features: Any, schema: Any) -> Any:
    import pyarrow as pa

    return pa.schema([pa.field(f.name, _named_type(features[f.name], f.type)) for f in schema])


def _labels(feature: Any) -> _Labels:
    """Where the labels of ``feature`` are, and their names."""
    ClassLabel, List = _classes()  # noqa: N806 (the datasets classes)
    if isinstance(feature, ClassLabel):
        return _Names(tuple(feature.names))
    if isinstance(feature, List):
        item = _labels(feature.feature)
        return None if item is None else _Items(item)
    if isinstance(feature, dict):
        fields = {name: _labels(child) for name, child in feature.items()}
        return fields if any(child is not None for child in fields.values()) else None
    return None


def _encode(feature: Any, array: Any) -> Any:
    """Label names to ``ClassLabel`` ids in ``array`` (of :func:`_named_type`) of ``feature``."""
    return _encode_labels(_labels(feature), array)


def _encode_labels(labels: _Labels, array: Any) -> Any:
    """Label names to ids in ``array``, through lists and structs, every element
    (``Features.encode_example`` decides from a list's first element whether the list needs
    encoding, so a list whose first quote had no stance kept its label names); other values are
    returned as they are. An unknown name is a ``ValueError`` naming it and the labels."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(labels, _Names):
        ids = pc.index_in(array, value_set=pa.array(labels.names, type=pa.string()))
        if ids.null_count != array.null_count:
            unknown = array.filter(pc.and_(pc.is_null(ids), pc.is_valid(array)))[0].as_py()
            raise ValueError(f"Invalid string class label {unknown!r}; the labels are {', '.join(labels.names)}")
        return ids.cast(pa.int64())
    if isinstance(labels, _Items) and pa.types.is_list(array.type):
        values = _encode_labels(labels.item, array.values)
        if values is array.values:
            return array
        mask = array.is_null() if array.null_count else None
        return pa.ListArray.from_arrays(array.offsets, values, type=pa.list_(values.type), mask=mask)
    if isinstance(labels, dict) and pa.types.is_struct(array.type):
        fields = [array.field(i) for i in range(array.type.num_fields)]
        encoded = [_encode_labels(labels[f.name], child) for f, child in zip(array.type, fields, strict=True)]
        if all(e is f for e, f in zip(encoded, fields, strict=True)):
            return array
        mask = array.is_null() if array.null_count else None
        names = [f.name for f in array.type]
        return pa.StructArray.from_arrays(encoded, names=names, mask=mask)
    return array


def declared_splits(folder: BuildFolder) -> dict[str, list[str]]:
    """The configs that have rows in ``folder`` (in CONFIGS order), each with the splits it has
    files of (in split order): what the README declares."""
    declared = {}
    for config in CONFIGS:
        present = {folder.split_of(path) for path in folder.config_files(config)}
        if present:
            declared[config] = [split for split in SPLITS if split in present]
    return declared


def dataset_yaml(declared: Mapping[str, Sequence[str]]) -> str:
    """The README front matter: ``configs`` (data files per split) and ``dataset_info`` (features)
    of the ``declared`` configs and their splits (:func:`declared_splits`)."""
    import yaml

    configs = [
        {
            "config_name": config,
            **({"default": True} if config == DEFAULT_CONFIG else {}),
            "data_files": [{"split": split, "path": f"{config}/{split}-*.parquet"} for split in splits],
        }
        for config, splits in declared.items()
    ]
    info = [{"config_name": config, "features": features_for(config)._to_yaml_list()} for config in declared]
    return str(yaml.safe_dump({"configs": configs, "dataset_info": info}, sort_keys=False, allow_unicode=True))
