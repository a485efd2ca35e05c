"""Writing the Hugging Face dataset: one Parquet file per config and split, and the README YAML.

Files follow ``push_to_hub``'s layout, ``<config>/<split>-00000-of-00001.parquet``, written with
the Arrow schema of the config's ``Features`` (which carries the ``huggingface`` metadata that
keeps ``ClassLabel`` names), and the README's ``configs`` and ``dataset_info`` are generated from
the same features, so ``datasets.load_dataset(folder, name=config)`` reads it offline exactly as
it would from the Hub.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from newsspan.dataset.features import CONFIGS, DEFAULT_CONFIG, features_for
from newsspan.dataset.hf_configs import ConfigRows

__all__ = ["dataset_yaml", "write_dataset"]

SPLITS = ("train", "validation", "test")


def write_dataset(folder: Path, rows: ConfigRows, splits: dict[str, str]) -> dict[str, dict[str, int]]:
    """Write every config into ``folder``; returns rows per config and split."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    counts: dict[str, dict[str, int]] = {}
    used = [s for s in SPLITS if s in set(splits.values())]
    for config in CONFIGS:
        features = features_for(config)
        by_split: dict[str, list[dict[str, Any]]] = {split: [] for split in used}
        for row in rows.rows.get(config, []):
            by_split[splits[row["doc_id"]]].append({key: _encode(features[key], value) for key, value in row.items()})
        (folder / config).mkdir(parents=True, exist_ok=True)
        for split, encoded in by_split.items():
            table = pa.Table.from_pylist(encoded, schema=features.arrow_schema)
            pq.write_table(table, folder / config / f"{split}-00000-of-00001.parquet", compression="zstd")
        counts[config] = {split: len(encoded) for split, encoded in by_split.items()}
    return counts


@functools.cache
def _classes() -> tuple[Any, Any]:
    from datasets import ClassLabel, List

    return ClassLabel, List


_LABELLED: dict[int, bool] = {}


def _has_labels(feature: Any) -> bool:
    """Whether ``feature`` holds a ClassLabel anywhere. Cached by ``id``: safe because
    :func:`features_for` keeps its objects alive for the whole process, so no id is reused."""
    key = id(feature)
    if key not in _LABELLED:
        ClassLabel, List = _classes()  # noqa: N806
        if isinstance(feature, ClassLabel):
            _LABELLED[key] = True
        elif isinstance(feature, List):
            _LABELLED[key] = _has_labels(feature.feature)
        elif isinstance(feature, dict):
            _LABELLED[key] = any(_has_labels(inner) for inner in feature.values())
        else:
            _LABELLED[key] = False
    return _LABELLED[key]


def _encode(feature: Any, value: Any) -> Any:
    """Label names to ``ClassLabel`` ids, through lists and structs.

    ``Features.encode_example`` decides from the first element of a list whether the list needs
    encoding, so a list whose first quote has no stance kept its label names; this walks every
    element."""
    if value is None or not _has_labels(feature):
        return value
    ClassLabel, List = _classes()  # noqa: N806 (the datasets classes)
    if isinstance(feature, ClassLabel):
        return feature.str2int(value) if isinstance(value, str) else value
    if isinstance(feature, List):
        return [_encode(feature.feature, item) for item in value]
    if isinstance(feature, dict):
        return {key: _encode(feature[key], item) for key, item in value.items()}
    return value


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
