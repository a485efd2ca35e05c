"""The Hugging Face dataset: features, rows, splits, the Parquet writer, publishing.

``features`` (``datasets.Features`` per config, from the schema), ``rows`` (the config rows
from the corpus tables, pure), ``stories`` (documents that share copy, in bounded memory),
``splits`` (leakage-free splits of stories), ``writer`` (one Parquet file per config and split,
the README's YAML), ``publish`` (upload to the Hub) and ``stage`` (the dataset stage of a build).
"""

__all__: list[str] = []
