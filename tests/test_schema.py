"""The schema is the single source of truth: its invariants and its descriptions."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from newsspan.dataset import schema
from newsspan.dataset.describe import describe_schema


def test_labels_are_unique_across_layers():
    labels = schema.all_labels()
    assert len(labels) == len(set(labels))


def test_starting_label_sets_are_declared():
    layers = {layer.name: layer.label_names for layer in schema.LAYERS}
    assert layers == {
        "entity": ("PERSON", "ORG", "GPE", "LOC", "NORP", "DATE", "LAW", "EVENT", "MISC"),
        "quote": ("QUOTE", "SPEAKER", "CUE"),
        "boilerplate": ("PROMO", "RELATED", "NAVIGATION", "CAPTION", "CREDIT", "METADATA"),
    }
    assert [(r.name, r.from_label, r.to_label) for r in schema.RELATION_TYPES] == [
        ("said_by", "QUOTE", "SPEAKER"),
        ("cued_by", "QUOTE", "CUE"),
        ("refers_to", "SPEAKER", "SPEAKER"),
    ]
    assert schema.STANCE_VALUES == ("FAVOR", "AGAINST", "NEUTRAL", "UNCLEAR")
    assert schema.ORIGINS == ("human", "prediction", "review", "gold")


@pytest.mark.parametrize(("label", "layer"), [("ORG", "entity"), ("CUE", "quote"), ("PROMO", "boilerplate")])
def test_layer_of_maps_a_label_to_its_layer(label, layer):
    assert schema.layer_of(label) == layer


def test_layer_of_unknown_label_lists_the_known_ones():
    with pytest.raises(KeyError, match="unknown label 'PER'; known labels: PERSON, ORG"):
        schema.layer_of("PER")


def test_every_column_is_described_and_tables_have_the_issue_columns():
    for table in schema.TABLES:
        assert table.description
        assert all(column.description for column in table.columns), table.name
        assert len(set(table.column_names)) == len(table.column_names), table.name
        assert set(table.key) <= set(table.column_names), table.name
    spans = schema.SPANS.column_names
    assert spans == (
        "doc_id",
        "annotation_id",
        "annotator",
        "origin",
        "region_id",
        "layer",
        "label",
        "start",
        "end",
        "text",
        "repair",
        "support",
        "rule",
        "provenance",
    )
    for table in (schema.SPANS, schema.RELATIONS, schema.STANCE):
        assert table.column_names[-1] == "provenance", table.name
    assert "prediction_model" in schema.ANNOTATIONS.column_names
    assert schema.QUARANTINE.column_names == ("source", "doc_id", "stage", "reason", "detail")


def test_offsets_are_int32_and_timestamps_are_ms_utc():
    assert schema.SPANS.arrow_schema.field("start").type == pa.int32()
    assert schema.DOCUMENTS.arrow_schema.field("published_at").type == pa.timestamp("ms", tz="UTC")
    # strings, never polars' large_string: Hugging Face features match only on exact types
    for table in schema.TABLES:
        assert not any(pa.types.is_large_string(f.type) for f in table.arrow_schema), table.name


def test_describe_schema_is_json_and_lists_every_label_and_column():
    described = json.loads(json.dumps(describe_schema()))
    labels = [label["name"] for layer in described["layers"] for label in layer["labels"]]
    assert tuple(labels) == schema.all_labels()
    assert {t["name"] for t in described["tables"]} == {t.name for t in schema.TABLES}
    assert "code points" in described["offsets"]
