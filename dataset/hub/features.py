"""Hugging Face ``Features`` of every dataset config, generated from the schema.

``ClassLabel`` names come from the schema's label sets, span lists are ``List({...})`` (never
``Sequence``), offsets are ``int32`` code points into ``text``, and timestamps are
``timestamp[ms, tz=UTC]`` (``[s]`` does not survive Parquet). The documents config's metadata
columns take their types from the documents table (``DOCUMENT_FIELDS``). The Parquet files are
written with ``features.arrow_schema`` and the README's ``dataset_info`` is generated from the
same objects, so ``load_dataset`` returns the label names (see shared notes on datasets 5.x).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Final

from newsspan.dataset.schema import DOCUMENTS, LAYERS, STANCE_VALUES, all_labels

__all__ = [
    "BOILERPLATE_LINE_LABELS",
    "CONFIGS",
    "CONTENT",
    "DEFAULT_CONFIG",
    "DOCUMENT_FIELDS",
    "features_for",
    "ner_tags",
]

DEFAULT_CONFIG = "documents"
CONTENT = "CONTENT"  # the label of a line that is article text (boilerplate config)
DOCUMENT_FIELDS: Final = (
    "doc_id",
    "source",
    "outlet",
    "agency",
    "title",
    "dek",
    "dateline",
    "published",
    "published_at",
    "language",
    "author",
    "url",
    "text",
    "stance_target",
)
"""The documents table's columns the documents config carries, in the config's order (types: the table's)."""

_STRING = "string"
_OFFSET = "int32"  # code points into ``text``


def _labels(layer: str) -> list[str]:
    return list(next(x for x in LAYERS if x.name == layer).label_names)


def ner_tags() -> list[str]:
    """BIO tags over the entity labels: O, B-PERSON, I-PERSON, ..."""
    return ["O", *[f"{prefix}-{label}" for label in _labels("entity") for prefix in ("B", "I")]]


BOILERPLATE_LINE_LABELS = [CONTENT, *_labels("boilerplate")]


def _document_columns() -> dict[str, Any]:
    """``DOCUMENT_FIELDS`` → the ``Value`` of the documents table column's Arrow type, in that order."""
    from datasets.features.features import generate_from_arrow_type

    types = {column.name: column.type for column in DOCUMENTS.columns}
    return {name: generate_from_arrow_type(types[name]) for name in DOCUMENT_FIELDS}


def _span_struct(**fields: Any) -> dict[str, Any]:
    """One element of a document's span list: its region id, ``[start, end)``, text, then ``fields``."""
    from datasets import Value

    return {"id": Value(_STRING), "start": Value(_OFFSET), "end": Value(_OFFSET), "text": Value(_STRING), **fields}


def _stance() -> Any:
    from datasets import ClassLabel

    return ClassLabel(names=list(STANCE_VALUES))


def _documents() -> Any:
    """One row per article: the id and story first, the metadata, the gold layers, the stance last."""
    from datasets import ClassLabel, Features, List, Value

    string, offset = Value(_STRING), Value(_OFFSET)
    columns = _document_columns()
    doc_id, target = columns.pop("doc_id"), columns.pop("stance_target")
    quote = _span_struct(
        speaker=string,
        speaker_start=offset,
        speaker_end=offset,
        speaker_antecedent=string,
        speaker_antecedent_start=offset,
        speaker_antecedent_end=offset,
        cue=string,
        cue_start=offset,
        cue_end=offset,
        stance=_stance(),
    )
    return Features(
        {
            "doc_id": doc_id,
            "story_id": string,
            **columns,
            "entities": List(_span_struct(label=ClassLabel(names=_labels("entity")))),
            "quotes": List(quote),
            "boilerplate": List(_span_struct(label=ClassLabel(names=_labels("boilerplate")))),
            "stance": _stance(),
            "stance_target": target,
        }
    )


def _ner() -> Any:
    """One row per sentence: tokens, their BIO tags and their code-point offsets."""
    from datasets import ClassLabel, Features, List, Value

    string, offset = Value(_STRING), Value(_OFFSET)
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


def _quotes() -> Any:
    """One row per gold quote, with its speaker, cue, stance and the sentence around it."""
    from datasets import Features, Value

    string, offset = Value(_STRING), Value(_OFFSET)
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
            "speaker_antecedent": string,
            "speaker_antecedent_start": offset,
            "speaker_antecedent_end": offset,
            "cue": string,
            "stance": _stance(),
            "stance_target": string,
            "context": string,
        }
    )


def _boilerplate() -> Any:
    """One row per non-blank line, labeled CONTENT or with the boilerplate label covering it."""
    from datasets import ClassLabel, Features, Value

    string, offset = Value(_STRING), Value(_OFFSET)
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


def _annotations() -> Any:
    """One row per human annotation (pseudonymous annotator) with all of its spans."""
    from datasets import ClassLabel, Features, List, Value

    string, offset = Value(_STRING), Value(_OFFSET)
    span = {
        "region_id": string,
        "layer": string,
        "start": offset,
        "end": offset,
        "text": string,
        "label": ClassLabel(names=list(all_labels())),
        "provenance": string,  # manual, prediction (accepted unchanged), prediction-changed, or null
    }
    return Features(
        {
            "doc_id": string,
            "annotation_id": string,
            "annotator": string,
            "lead_time": Value("float64"),
            "prediction_model": string,  # the prediction it started from, or null
            "spans": List(span),
        }
    )


_BUILDERS: Final[dict[str, Callable[[], Any]]] = {
    "documents": _documents,
    "ner": _ner,
    "quotes": _quotes,
    "boilerplate": _boilerplate,
    "annotations": _annotations,
}
CONFIGS: Final = tuple(_BUILDERS)  # the configs, in the README's order


@functools.cache  # one object per config for the process: callers must not mutate it
def features_for(config: str) -> Any:
    """The ``datasets.Features`` of ``config`` (datasets imported here)."""
    build = _BUILDERS.get(config)
    if build is None:
        raise ValueError(f"unknown dataset config {config!r}; known: {', '.join(CONFIGS)}")
    return build()
