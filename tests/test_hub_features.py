"""The HF Features: the documents config's metadata typed from the documents table, one builder per config."""

from __future__ import annotations

import pytest

from newsspan.dataset.hub.features import CONFIGS, DOCUMENT_FIELDS, features_for, ner_tags
from newsspan.dataset.schema import DOCUMENTS, LAYERS, STANCE_VALUES, all_labels


def _names(layer: str) -> list[str]:
    return list(next(x for x in LAYERS if x.name == layer).label_names)


def _hand_typed_documents():
    """The documents Features as they were typed by hand before being derived: the reference."""
    from datasets import ClassLabel, Features, List, Value

    string, offset = Value("string"), Value("int32")
    stance = ClassLabel(names=list(STANCE_VALUES))
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
            "author": string,
            "url": string,
            "text": string,
            "entities": List(
                {
                    "id": string,
                    "start": offset,
                    "end": offset,
                    "text": string,
                    "label": ClassLabel(names=_names("entity")),
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
                    "speaker_antecedent": string,
                    "speaker_antecedent_start": offset,
                    "speaker_antecedent_end": offset,
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
                    "label": ClassLabel(names=_names("boilerplate")),
                }
            ),
            "stance": stance,
            "stance_target": string,
        }
    )


def test_derived_documents_features_equal_the_hand_typed_ones_in_the_same_order():
    derived, reference = features_for("documents"), _hand_typed_documents()
    assert derived == reference
    assert list(derived) == list(reference)
    assert [list(derived[k].feature) for k in ("entities", "quotes", "boilerplate")] == [
        list(reference[k].feature) for k in ("entities", "quotes", "boilerplate")
    ]
    assert derived.arrow_schema.equals(reference.arrow_schema, check_metadata=True)  # the Parquet schema


def test_document_fields_are_documents_table_columns_with_their_arrow_types():
    columns = {column.name: column.type for column in DOCUMENTS.columns}
    arrow = features_for("documents").arrow_schema
    assert set(DOCUMENT_FIELDS) <= set(columns)
    for name in DOCUMENT_FIELDS:
        assert arrow.field(name).type == columns[name], name


def test_every_config_has_features_with_the_schema_label_names():
    assert CONFIGS == ("documents", "ner", "quotes", "boilerplate", "annotations")
    assert features_for("ner")["ner_tags"].feature.names == ner_tags()
    assert features_for("quotes")["stance"].names == list(STANCE_VALUES)
    assert features_for("annotations")["spans"].feature["label"].names == list(all_labels())
    assert list(features_for("quotes")) == [
        *("doc_id", "quote_id", "outlet", "text", "start", "end", "speaker", "speaker_start", "speaker_end"),
        *("speaker_antecedent", "speaker_antecedent_start", "speaker_antecedent_end"),
        *("cue", "stance", "stance_target", "context"),
    ]


def test_features_are_built_once_per_config():
    assert features_for("ner") is features_for("ner")


def test_an_unknown_config_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown dataset config 'entities'; known: documents, ner, quotes"):
        features_for("entities")
