"""The card's YAML metadata, and its validation against the Hub's allowed values (offline).

The Hub validates cards with a web service this project cannot reach, so the allowed values of
the fields newsspan fills are kept in ``hub_values.json`` and checked here; ``datasets`` then
parses the ``configs`` and ``dataset_info`` the same way the Hub does.
"""

from __future__ import annotations

import importlib.resources
import json
from typing import Any

__all__ = ["card_metadata", "hub_values", "size_category", "validate_metadata"]


def hub_values() -> dict[str, list[str]]:
    text = importlib.resources.files("newsspan.cards").joinpath("hub_values.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def size_category(rows: int) -> str:
    """The Hub's size category for ``rows`` examples."""
    bounds = [
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
        (100_000_000, "10M<n<100M"),
    ]
    return next((name for bound, name in bounds if rows < bound), "100M<n<1B")


def card_metadata(
    *,
    rows: int,
    languages: list[str],
    license_id: str,
    pretty_name: str,
    machine_annotations: bool,
    human_annotations: bool = True,
) -> dict[str, Any]:
    """The front matter fields besides ``configs`` and ``dataset_info``."""
    creators = (["expert-generated"] if human_annotations else []) + (
        ["machine-generated"] if machine_annotations else []
    )
    return {
        "pretty_name": pretty_name,
        "license": license_id,
        "language": languages or ["en"],
        "multilinguality": ["monolingual" if len(languages) <= 1 else "multilingual"],
        "size_categories": [size_category(rows)],
        "source_datasets": ["original"],
        "annotations_creators": creators,
        "language_creators": ["found"],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition", "multi-class-classification", "sentiment-classification"],
        "tags": ["news", "quote-attribution", "stance-detection", "boilerplate-removal", "span-annotation"],
    }


def validate_metadata(metadata: dict[str, Any], *, rows: int) -> list[str]:
    """Problems with ``metadata`` (empty when it is valid for the Hub)."""
    allowed = hub_values()
    problems = []
    fields = {
        "annotations_creators": "annotations_creators",
        "language_creators": "language_creators",
        "multilinguality": "multilinguality",
        "size_categories": "size_categories",
        "source_datasets": "source_datasets",
        "task_categories": "task_categories",
        "task_ids": "task_ids",
    }
    for field, key in fields.items():
        for value in metadata.get(field, []):
            if value not in allowed[key]:
                problems.append(f"{field}: {value!r} is not one of {', '.join(allowed[key])}")
    if metadata.get("license") not in allowed["licenses"]:
        problems.append(f"license: {metadata.get('license')!r} is not one of {', '.join(allowed['licenses'])}")
    if metadata.get("size_categories") != [size_category(rows)]:
        problems.append(f"size_categories {metadata.get('size_categories')} does not match {rows} rows")
    for language in metadata.get("language", []):
        if not (len(language) in (2, 3) and language.isalpha() and language.islower()):
            problems.append(f"language: {language!r} is not an ISO 639 code")
    return problems
