"""Writing the Hugging Face dataset: one Parquet file per config and split, and the README YAML.

Files follow ``push_to_hub``'s layout (one file per config and split, named in
:mod:`newsspan.dataset.layout`), written with the Arrow schema of the config's ``Features``
(which carries the ``huggingface`` metadata that keeps ``ClassLabel`` names), and the README's
``configs`` and ``dataset_info`` are generated from the same features, so
``datasets.load_dataset(folder, name=config)`` reads it offline exactly as it would from the Hub.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from newsspan.dataset.hub.features import CONFIGS, DEFAULT_CONFIG, features_for
from newsspan.dataset.hub.rows import ConfigRows
from newsspan.dataset.hub.splits import SPLITS
from newsspan.dataset.layout import BuildFolder

__all__ = ["DatasetWriter", "dataset_yaml"]


class DatasetWriter:
    """Write every config into ``folder``, a batch of documents' rows at a time (memory stays flat).

    Every file of the used splits is opened up front, so a config with no rows in a split still
    gets its (empty, typed) file; ``counts`` are rows per config and split. A batch's rows become
    one Arrow table with label *names* (the config's schema, ``ClassLabel`` columns as strings),
    whose label columns are then turned into ids column by column, through lists and structs.
    """

    def __init__(self, folder: Path, splits: dict[str, str]) -> None:
        self.folder = folder
        self.layout = BuildFolder(folder)
        self.splits = splits
        self.used = [s for s in SPLITS if s in set(splits.values())]
        self.counts: dict[str, dict[str, int]] = {config: dict.fromkeys(self.used, 0) for config in CONFIGS}
        self._writers: dict[tuple[str, str], Any] = {}
        self._features = {config: features_for(config) for config in CONFIGS}
        self._schemas = {config: features.arrow_schema for config, features in self._features.items()}
        self._named = {config: _named_schema(self._features[config], self._schemas[config]) for config in CONFIGS}

    def __enter__(self) -> DatasetWriter:
        import pyarrow.parquet as pq

        for config in CONFIGS:
            self.layout.config(config).mkdir(parents=True, exist_ok=True)
            schema = self._schemas[config]
            for split in self.used:
                path = self.layout.config_file(config, split)
                self._writers[config, split] = pq.ParquetWriter(path, schema, compression="zstd")
        return self

    def write(self, rows: ConfigRows) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        for config in CONFIGS:
            config_rows = rows.rows.get(config, [])
            if not config_rows:
                continue
            named = pa.Table.from_pylist(config_rows, schema=self._named[config])
            features, schema = self._features[config], self._schemas[config]
            columns = [_encode(features[name], named[name].combine_chunks()) for name in schema.names]
            table = pa.Table.from_arrays(columns, schema=schema)
            split_of = pa.array([self.splits[row["doc_id"]] for row in config_rows])
            for split in self.used:
                part = table if len(self.used) == 1 else table.filter(pc.equal(split_of, split))
                if part.num_rows:
                    self._writers[config, split].write_table(part)
                    self.counts[config][split] += part.num_rows

    def __exit__(self, *exc: object) -> None:
        for writer in self._writers.values():
            writer.close()  # the build folder is staged: a failed build never looks complete


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


def _encode(feature: Any, array: Any) -> Any:
    """Label names to ``ClassLabel`` ids in ``array`` (of :func:`_named_type`), through lists and
    structs, every element (``Features.encode_example`` decides from a list's first element
    whether the list needs encoding, so a list whose first quote had no stance kept its label
    names); other values are returned as they are. An unknown name raises ``ClassLabel``'s
    error, which lists the names."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ClassLabel, List = _classes()  # noqa: N806 (the datasets classes)
    if isinstance(feature, ClassLabel):
        ids = pc.index_in(array, value_set=pa.array(feature.names, type=pa.string()))
        if ids.null_count != array.null_count:
            unknown = array.filter(pc.and_(pc.is_null(ids), pc.is_valid(array)))
            feature.str2int(unknown[0].as_py())  # raises, naming the value and the labels
        return ids.cast(pa.int64())
    if isinstance(feature, List) and pa.types.is_list(array.type):
        values = _encode(feature.feature, array.values)
        if values is array.values:
            return array
        mask = array.is_null() if array.null_count else None
        return pa.ListArray.from_arrays(array.offsets, values, type=pa.list_(values.type), mask=mask)
    if isinstance(feature, dict) and pa.types.is_struct(array.type):
        fields = [array.field(i) for i in range(array.type.num_fields)]
        encoded = [_encode(feature[f.name], child) for f, child in zip(array.type, fields, strict=True)]
        if all(e is f for e, f in zip(encoded, fields, strict=True)):
            return array
        mask = array.is_null() if array.null_count else None
        names = [f.name for f in array.type]
        return pa.StructArray.from_arrays(encoded, names=names, mask=mask)
    return array


def dataset_yaml(splits: list[str]) -> str:
    """The README front matter: ``configs`` (data files per split) and ``dataset_info`` (features)."""
    import yaml

    configs = [
        {
            "config_name": config,
            **({"default": True} if config == DEFAULT_CONFIG else {}),
            "data_files": [{"split": split, "path": f"{config}/{split}-*.parquet"} for split in splits],
        }
        for config in CONFIGS
    ]
    info = [{"config_name": config, "features": features_for(config)._to_yaml_list()} for config in CONFIGS]
    return str(yaml.safe_dump({"configs": configs, "dataset_info": info}, sort_keys=False, allow_unicode=True))
