"""The config rows, step by step, on an in-memory corpus of one document."""

from __future__ import annotations

import pytest

from newsspan.dataset.hub.features import CONFIGS, DOCUMENT_FIELDS, features_for
from newsspan.dataset.hub.rows import _index, config_rows, pseudonym
from newsspan.dataset.hub.splits import _DEFAULT_RATIOS, SPLITS, assign_splits
from newsspan.dataset.schema import CUED_BY, QUOTE, REFERS_TO, SAID_BY

TEXT = 'SEOUL\nThe minister said "we will stay" on Monday. Nobody agreed.'


def _span(region_id, label, layer, needle, *, origin="gold", annotation_id="gold-1"):
    start = TEXT.index(needle)
    return {
        "doc_id": "d1",
        "annotation_id": annotation_id,
        "origin": origin,
        "region_id": region_id,
        "layer": layer,
        "label": label,
        "start": start,
        "end": start + len(needle),
        "text": needle,
    }


def _stance(annotation_id, origin, scope, region_id, value):
    keys = ("annotation_id", "origin", "scope", "region_id", "value")
    return {"doc_id": "d1", **dict(zip(keys, (annotation_id, origin, scope, region_id, value), strict=True))}


@pytest.fixture
def corpus():
    document = dict.fromkeys(DOCUMENT_FIELDS) | {"doc_id": "d1", "text": TEXT, "outlet": "Herald"}
    spans = [
        _span("q", QUOTE, "quote", "we will stay"),
        _span("s", "SPEAKER", "quote", "The minister"),
        _span("c", "CUE", "quote", "said"),
        _span("e", "GPE", "entity", "SEOUL"),
        _span("h", "GPE", "entity", "SEOUL", origin="human", annotation_id="a1") | {"provenance": "manual"},
    ]
    relations = [
        {"annotation_id": "gold-1", "from_region_id": "q", "relation": SAID_BY, "to_region_id": "s"},
        {"annotation_id": "gold-1", "from_region_id": "q", "relation": CUED_BY, "to_region_id": "c"},
    ]
    stance = [
        _stance("gold-1", "gold", "quote", "q", "FAVOR"),
        _stance("gold-1", "gold", "document", None, "NEUTRAL"),
        _stance("a1", "human", "document", None, "AGAINST"),
    ]
    annotations = [
        {
            "doc_id": "d1",
            "annotation_id": "a1",
            "origin": "human",
            "annotator": "ann@example.org",
            "lead_time": 3.5,
            "prediction_model": "newsspan-rules-4",
        },
        {"doc_id": "d1", "annotation_id": "gold-1", "origin": "gold", "annotator": "gold", "lead_time": None},
    ]
    return [document], spans, relations, stance, annotations, {"d1": "d1"}


def test_the_index_groups_gold_and_human_rows_apart(corpus):
    _, spans, relations, stance, annotations, _ = corpus
    index = _index(spans, relations, stance, annotations)
    assert [s["region_id"] for s in index.gold["d1"]] == ["q", "s", "c", "e"]
    assert index.links["gold-1", "q", SAID_BY] == "s"
    assert index.stances == {("gold-1", "quote", "q"): "FAVOR", ("gold-1", "document", None): "NEUTRAL"}
    assert index.document_stance == {"d1": "NEUTRAL"}  # the human stance is not the gold one
    assert [a["annotation_id"] for a in index.annotations["d1"]] == ["a1"]
    assert [s["region_id"] for s in index.annotation_spans["a1"]] == ["h"]


def test_every_config_row_has_exactly_its_features_columns(corpus):
    out = config_rows(*corpus)
    for config in CONFIGS:
        assert out.rows[config], config
        for row in out.rows[config]:
            assert set(row) == set(features_for(config)), config


def test_the_document_row_carries_metadata_story_layers_and_stance(corpus):
    (row,) = config_rows(*corpus).rows["documents"]
    assert row["outlet"] == "Herald" and row["story_id"] == "d1" and row["stance"] == "NEUTRAL"
    assert [e["id"] for e in row["entities"]] == ["e"]
    (quote,) = row["quotes"]
    assert (quote["speaker"], quote["cue"], quote["stance"]) == ("The minister", "said", "FAVOR")


def test_a_quote_row_has_its_speaker_cue_and_sentence(corpus):
    (row,) = config_rows(*corpus).rows["quotes"]
    assert row["quote_id"] == "q" and row["outlet"] == "Herald" and row["speaker"] == "The minister"
    assert row["context"] == 'The minister said "we will stay" on Monday.'


def test_annotation_rows_are_human_only_with_pseudonymous_annotators(corpus):
    (row,) = config_rows(*corpus).rows["annotations"]
    assert row["annotation_id"] == "a1" and row["annotator"] == pseudonym("ann@example.org")
    assert "@" not in row["annotator"]
    assert row["spans"] == [
        {
            "region_id": "h",
            "layer": "entity",
            "start": 0,
            "end": 5,
            "text": "SEOUL",
            "label": "GPE",
            "provenance": "manual",
        }
    ]
    assert row["prediction_model"] == "newsspan-rules-4", "the prediction the annotator started from"


def test_default_split_ratios_name_the_splits_in_order():
    assert tuple(name for name, _ in _DEFAULT_RATIOS) == SPLITS
    stories = {f"d{i}": f"s{i}" for i in range(40)}
    assert assign_splits(stories) == assign_splits(stories, ratios=tuple(zip(SPLITS, (0.8, 0.1, 0.1), strict=True)))


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Rep. A.B. Name of Ohio said the U.S. Senate would vote.", 1),
        ("Growth was 3.5 percent in the second quarter.", 1),
        ("Gov. J. Smith spoke. Then the minister left.", 2),
        ("“We will not,” said Dr. Lee. “Never.”", 2),
        ("First line without a stop\nSecond line.", 2),
    ],
    ids=["title-initials-acronym", "decimal", "two-sentences", "closing-mark-ends", "line-break"],
)
def test_ner_sentences_do_not_end_at_titles_initials_acronyms_or_decimals(text, sentences):
    from newsspan.dataset.hub.rows import _ner

    rows: list[dict] = []
    _ner(rows, {"doc_id": "d", "text": text}, [], [])
    assert len(rows) == sentences, [" ".join(row["tokens"]) for row in rows]
    assert all(text[row["token_starts"][0] : row["token_ends"][-1]] in text for row in rows)


def test_a_pronoun_speaker_carries_its_named_antecedent_into_both_configs():
    text = 'Minister Ana Sol arrived. "We will stay," she said.'
    document = dict.fromkeys(DOCUMENT_FIELDS) | {"doc_id": "d1", "text": text, "outlet": "Herald"}

    def span(region_id, label, needle):
        start = text.index(needle)
        keys = {"doc_id": "d1", "annotation_id": "gold-1", "origin": "gold", "layer": "quote"}
        return keys | {
            "region_id": region_id,
            "label": label,
            "start": start,
            "end": start + len(needle),
            "text": needle,
        }

    spans = [span("q", QUOTE, "We will stay,"), span("s", "SPEAKER", "she"), span("n", "SPEAKER", "Minister Ana Sol")]
    relations = [
        {"annotation_id": "gold-1", "from_region_id": "q", "relation": SAID_BY, "to_region_id": "s"},
        {"annotation_id": "gold-1", "from_region_id": "s", "relation": REFERS_TO, "to_region_id": "n"},
    ]
    out = config_rows([document], spans, relations, [], [], {"d1": "d1"})
    (row,) = out.rows["quotes"]
    (nested,) = out.rows["documents"][0]["quotes"]
    for quote in (row, nested):
        assert (quote["speaker"], quote["speaker_antecedent"]) == ("she", "Minister Ana Sol"), "who 'she' is"
        start, end = quote["speaker_antecedent_start"], quote["speaker_antecedent_end"]
        assert text[start:end] == "Minister Ana Sol"
