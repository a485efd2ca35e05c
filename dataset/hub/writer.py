"""Writing the Hugging Face dataset: one Parquet file per config and split, and the README YAML.

Files follow ``push_to_hub``'s layout (one file per config and split, named in
:mod:`newsspan.dataset.layout`), written with the Arrow schema of the config's ``Features``
(which carries the ``huggingface`` metadata that keeps ``ClassLabel`` names), and the README's
``configs`` and ``dataset_info`` are generated from the same features, so
``datasets.load_dataset(folder, name=config)`` reads it offline exactly as it would from the Hub.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
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
    gets its (empty, typed) file; ``counts`` are rows per config and split.
    """

    def __init__(self, folder: Path, splits: dict[str, str]) -> None:
        self.folder = folder
        self.layout = BuildFolder(folder)
        self.splits = splits
        self.used = [s for s in SPLITS if s in set(splits.values())]
        self.counts: dict[str, dict[str, int]] = {config: dict.fromkeys(self.used, 0) for config in CONFIGS}
        self._writers: dict[tuple[str, str], Any] = {}
        self._schemas = {config: features_for(config).arrow_schema for config in CONFIGS}
        self._encoders = {config: _row_encoder(features_for(config)) for config in CONFIGS}

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

        for config in CONFIGS:
            encode = self._encoders[config]
            by_split: dict[str, list[dict[str, Any]]] = {split: [] for split in self.used}
            for row in rows.rows.get(config, []):
                by_split[self.splits[row["doc_id"]]].append(encode(row))
            for split, encoded in by_split.items():
                if encoded:
                    writer = self._writers[config, split]
                    writer.write_table(pa.Table.from_pylist(encoded, schema=self._schemas[config]))
                    self.counts[config][split] += len(encoded)

    def __exit__(self, *exc: object) -> None:
        for writer in self._writers.values():
            writer.close()  # the build folder is staged: a failed build never looks complete


Encoder = Callable[[Any], Any]


@functools.cache
def _classes() -> tuple[Any, Any]:
    from datasets import ClassLabel, List

    return ClassLabel, List


def _row_encoder(features: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function that turns one row's label names into ``ClassLabel`` ids, compiled once per config."""
    encoders = {key: enc for key, feature in features.items() if (enc := _encoder(feature)) is not None}

    def encode(row: dict[str, Any]) -> dict[str, Any]:
        return row | {key: enc(row[key]) for key, enc in encoders.items() if key in row}

    return encode


def _encoder(feature: Any) -> Encoder | None:
    """Label names to ``ClassLabel`` ids, through lists and structs; None when ``feature`` holds no label.

    ``Features.encode_example`` decides from the first element of a list whether the list needs
    encoding, so a list whose first quote has no stance kept its label names; this walks every
    element."""
    ClassLabel, List = _classes()  # noqa: N806 (the datasets classes)
    if isinstance(feature, ClassLabel):
        ids = {name: i for i, name in enumerate(feature.names)}

        def label(value: Any) -> Any:
            if isinstance(value, str):
                found = ids.get(value)
                return found if found is not None else feature.str2int(value)  # its error names the labels
            return value

        return label
    if isinstance(feature, List):
        inner = _encoder(feature.feature)
        if inner is None:
            return None
        return lambda value: None if value is None else [inner(item) for item in value]
    if isinstance(feature, dict):
        fields = {key: enc for key, sub in feature.items() if (enc := _encoder(sub)) is not None}
        if not fields:
            return None

        def struct(value: Any) -> Any:
            if value is None:
                return None
            return value | {key: enc(value[key]) for key, enc in fields.items() if key in value}

        return struct
    return None


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
