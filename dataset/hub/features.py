"""Hugging Face ``Features`` of every dataset config, generated from the schema.

``ClassLabel`` names come from the schema's label sets, span lists are ``List({...})`` (never
``Sequence``), offsets are ``int32`` code points into ``text``, and timestamps are
``timestamp[ms, tz=UTC]`` (``[s]`` does not survive Parquet). The Parquet files are written with
``features.arrow_schema`` and the README's ``dataset_info`` is generated from the same objects,
so ``load_dataset`` returns the label names (see shared notes on datasets 5.x).
"""

from __future__ import annotations

import functools
from typing import Any

from newsspan.dataset.schema import LAYERS, STANCE_VALUES

__all__ = ["BOILERPLATE_LINE_LABELS", "CONFIGS", "DEFAULT_CONFIG", "features_for", "ner_tags"]

CONFIGS = ("documents", "ner", "quotes", "boilerplate", "annotations")
DEFAULT_CONFIG = "documents"
CONTENT = "CONTENT"  # the label of a line that is article text (boilerplate config)


def _labels(layer: str) -> list[str]:
    return list(next(x for x in LAYERS if x.name == layer).label_names)


def ner_tags() -> list[str]:
    """BIO tags over the entity labels: O, B-PERSON, I-PERSON, ..."""
    return ["O", *[f"{prefix}-{label}" for label in _labels("entity") for prefix in ("B", "I")]]


BOILERPLATE_LINE_LABELS = [CONTENT, *_labels("boilerplate")]


@functools.cache  # one object per config for the process: callers must not mutate it
def features_for(config: str) -> Any:
    """The ``datasets.Features`` of ``config`` (datasets imported here)."""
    from datasets import ClassLabel, Features, List, Value

    string, offset = Value("string"), Value("int32")
    stance = ClassLabel(names=list(STANCE_VALUES))
    if config == "documents":
        return Features(
            {
                "doc_id": string,
                "story_id": string,
                "source": string,
                "outlet": string,
                "agency": string,
                "title": string,
                "dek": string,
                "dateline": string,
                "published": string,
                "published_at": Value("timestamp[ms, tz=UTC]"),
                "language": string,
                "text": string,
                "entities": List(
                    {
                        "id": string,
                        "start": offset,
                        "end": offset,
                        "text": string,
                        "label": ClassLabel(names=_labels("entity")),
                    }
                ),
                "quotes": List(
                    {
                        "id": string,
                        "start": offset,
                        "end": offset,
                        "text": string,
                        "speaker": string,
                        "speaker_start": offset,
                        "speaker_end": offset,
                        "cue": string,
                        "cue_start": offset,
                        "cue_end": offset,
                        "stance": stance,
                    }
                ),
                "boilerplate": List(
                    {
                        "id": string,
                        "start": offset,
                        "end": offset,
                        "text": string,
                        "label": ClassLabel(names=_labels("boilerplate")),
                    }
                ),
                "stance": stance,
                "stance_target": string,
            }
        )
    if config == "ner":
        return Features(
            {
                "doc_id": string,
                "sentence_id": Value("int32"),
                "tokens": List(string),
                "ner_tags": List(ClassLabel(names=ner_tags())),
                "token_starts": List(offset),
                "token_ends": List(offset),
            }
        )
    if config == "quotes":
        return Features(
            {
                "doc_id": string,
                "quote_id": string,
                "outlet": string,
                "text": string,
                "start": offset,
                "end": offset,
                "speaker": string,
                "speaker_start": offset,
                "speaker_end": offset,
                "cue": string,
                "stance": stance,
                "stance_target": string,
                "context": string,
            }
        )
    if config == "boilerplate":
        return Features(
            {
                "doc_id": string,
                "line": Value("int32"),
                "start": offset,
                "end": offset,
                "text": string,
                "label": ClassLabel(names=BOILERPLATE_LINE_LABELS),
                "outlet": string,
            }
        )
    if config == "annotations":
        from newsspan.dataset.schema import all_labels

        return Features(
            {
                "doc_id": string,
                "annotation_id": string,
                "annotator": string,
                "lead_time": Value("float64"),
                "spans": List(
                    {
                        "region_id": string,
                        "layer": string,
                        "start": offset,
                        "end": offset,
                        "text": string,
                        "label": ClassLabel(names=list(all_labels())),
                    }
                ),
            }
        )
    raise ValueError(f"unknown dataset config {config!r}; known: {', '.join(CONFIGS)}")
