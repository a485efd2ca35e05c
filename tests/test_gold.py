"""Adjudication strategies on a tiny hand-checked case, and the command over the sample build."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from newsspan.dataset.config import GoldOptions
from newsspan.dataset.schema import ANNOTATIONS, RELATIONS, SPANS, STANCE
from newsspan.labeling.gold import adjudicate

MARKED = {
    # annotation: (annotator, ground_truth, [(label, start, end)])
    "a": ("A", False, [("ORG", 0, 5), ("PERSON", 10, 15), ("QUOTE", 30, 40), ("SPEAKER", 41, 45)]),
    "b": ("B", False, [("ORG", 0, 5), ("PERSON", 10, 16), ("QUOTE", 30, 40), ("SPEAKER", 41, 45)]),
    "c": ("C", True, [("ORG", 0, 5), ("GPE", 20, 25)]),
}
LAYER = {"QUOTE": "quote", "SPEAKER": "quote"}


def _tables() -> tuple[pa.Table, ...]:
    annotations, spans, relations, stance = [], [], [], []
    for annotation_id, (who, truth, regions) in MARKED.items():
        base = {"doc_id": "d1", "annotation_id": annotation_id, "annotator": who, "origin": "human"}
        annotations.append(base | {"cancelled": False, "ground_truth": truth})
        for i, (label, start, end) in enumerate(regions):
            spans.append(
                base
                | {
                    "region_id": f"r{i}",
                    "layer": LAYER.get(label, "entity"),
                    "label": label,
                    "start": start,
                    "end": end,
                    "text": f"t{start}",
                }
            )
        if annotation_id in "ab":
            relations.append(base | {"relation": "said_by", "from_region_id": "r2", "to_region_id": "r3"})
        stance.append(
            base
            | {
                "scope": "document",
                "region_id": None,
                "target": "T",
                "value": "AGAINST" if annotation_id == "c" else "FAVOR",
            }
        )
    single = {"doc_id": "d2", "annotation_id": "s", "annotator": "A", "origin": "human"}
    annotations.append(single | {"cancelled": False, "ground_truth": False})
    spans.append(single | {"region_id": "x", "layer": "entity", "label": "DATE", "start": 0, "end": 3, "text": "May"})
    skipped = {"doc_id": "d2", "annotation_id": "k", "annotator": "B", "origin": "human"}
    annotations.append(skipped | {"cancelled": True, "ground_truth": False})
    return (
        pa.Table.from_pylist(annotations, schema=ANNOTATIONS.arrow_schema),
        pa.Table.from_pylist(spans, schema=SPANS.arrow_schema),
        pa.Table.from_pylist(relations, schema=RELATIONS.arrow_schema),
        pa.Table.from_pylist(stance, schema=STANCE.arrow_schema),
    )


def _gold(**options):
    result = adjudicate(*_tables(), options=GoldOptions(**options))
    spans = {(s["doc_id"], s["label"], s["start"], s["end"]): s["support"] for s in result.spans}
    return result, spans


def test_majority_keeps_what_more_than_half_marked_with_its_support():
    result, spans = _gold()
    assert spans == {
        ("d1", "ORG", 0, 5): ["a", "b", "c"],
        ("d1", "QUOTE", 30, 40): ["a", "b"],
        ("d1", "SPEAKER", 41, 45): ["a", "b"],
        ("d2", "DATE", 0, 3): ["s"],  # a single annotation passes through (the skip does not count)
    }
    assert [(r["relation"], r["origin"]) for r in result.relations] == [("said_by", "gold")]
    (document_stance,) = [s for s in result.stance if s["doc_id"] == "d1"]
    assert (document_stance["value"], document_stance["target"]) == ("FAVOR", "T")
    reasons = {(c["label"], c["start"], c["end"]): c["reason"] for c in result.conflicts if c["kind"] == "span"}
    assert reasons == {
        ("PERSON", 10, 15): "boundary disagreement",
        ("PERSON", 10, 16): "boundary disagreement",
        ("GPE", 20, 25): "minority span",
    }
    assert result.by_rule == {"majority (2 of 3)": 1, "single annotation": 1}


def test_threshold_lowers_the_bar():
    _, spans = _gold(strategy="threshold", threshold=0.3)
    assert {k[1:] for k in spans if k[0] == "d1"} == {
        ("ORG", 0, 5),
        ("PERSON", 10, 15),
        ("PERSON", 10, 16),
        ("GPE", 20, 25),
        ("QUOTE", 30, 40),
        ("SPEAKER", 41, 45),
    }


@pytest.mark.parametrize(
    ("reviewers", "expected"),
    [
        ((), {("ORG", 0, 5), ("GPE", 20, 25)}),
        (("B",), {("ORG", 0, 5), ("PERSON", 10, 16), ("QUOTE", 30, 40), ("SPEAKER", 41, 45)}),
    ],
    ids=["ground-truth-flag", "named-reviewer"],
)
def test_prefer_takes_the_reviewers_annotation(reviewers, expected):
    result, spans = _gold(strategy="prefer", reviewers=reviewers)
    assert {k[1:] for k in spans if k[0] == "d1"} == expected
    assert result.by_rule["reviewer"] == 1


def test_gold_command_adds_gold_rows_and_reports_conflicts(runner, tmp_path):
    import pyarrow.parquet as pq

    from newsspan.dataset.cli import cli

    out = tmp_path / "corpus"
    assert runner.invoke(cli, ["-q", "build", "--out", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["label", "gold", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    spans = pq.read_table(out / "spans.parquet").to_pylist()
    gold = [s for s in spans if s["origin"] == "gold"]
    assert len(gold) == summary["gold_spans"] > 0
    assert all(s["support"] for s in gold)
    again = runner.invoke(cli, ["label", "gold", str(out), "--json"])  # replaces, never duplicates
    assert sum(s["origin"] == "gold" for s in pq.read_table(out / "spans.parquet").to_pylist()) == len(gold)
    assert json.loads(again.stdout) == summary
    assert pq.read_table(out / "gold_conflicts.parquet").num_rows == summary["conflicts"]
    assert "## Conflicts for review" in (out / "gold.md").read_text()


def _with_review(tables: tuple[pa.Table, ...]) -> tuple[pa.Table, ...]:
    """The tables plus a reviewer's adjudication of d1 from the review project (origin review)."""
    annotations, spans, relations, stance = (t.to_pylist() for t in tables)
    base = {"doc_id": "d1", "annotation_id": "r9", "annotator": "Lead", "origin": "review"}
    annotations.append(base | {"cancelled": False, "ground_truth": False, "updated_at": None})
    for region, (label, start, end, provenance) in {
        "x1": ("PERSON", 10, 16, "prediction"),  # B's version, accepted
        "x2": ("QUOTE", 30, 40, "prediction-changed"),
        "x3": ("SPEAKER", 41, 45, "manual"),
    }.items():
        layer = LAYER.get(label, "entity")
        spans.append(
            base
            | {"region_id": region, "layer": layer, "label": label, "start": start, "end": end, "text": "t"}
            | {"provenance": provenance}
        )
    relations.append(base | {"relation": "said_by", "from_region_id": "x2", "to_region_id": "x3"})
    stance.append(base | {"scope": "document", "region_id": None, "target": "T", "value": "NEUTRAL"})
    return tuple(
        pa.Table.from_pylist(rows, schema=t.schema)
        for rows, t in zip((annotations, spans, relations, stance), tables, strict=True)
    )


@pytest.mark.parametrize("strategy", ["majority", "prefer"])
def test_a_review_project_adjudication_is_its_documents_gold_layer(strategy):
    result = adjudicate(*_with_review(_tables()), options=GoldOptions(strategy=strategy))
    d1 = [s for s in result.spans if s["doc_id"] == "d1"]
    # the reviewer's version whole, not the majority's ORG and not C's ground-truth flag
    assert {(s["label"], s["start"], s["end"]) for s in d1} == {
        ("PERSON", 10, 16),
        ("QUOTE", 30, 40),
        ("SPEAKER", 41, 45),
    }
    assert {s["provenance"] for s in d1} == {"adjudicated"} and all(s["support"] == ["r9"] for s in d1)
    relation = [r for r in result.relations if r["doc_id"] == "d1"]
    assert [(r["relation"], r["provenance"]) for r in relation] == [("said_by", "adjudicated")]
    (stance,) = [s for s in result.stance if s["doc_id"] == "d1"]
    assert (stance["value"], stance["provenance"]) == ("NEUTRAL", "adjudicated")
    assert not [c for c in result.conflicts if c["doc_id"] == "d1"]  # the reviewer settled them
    assert result.by_rule["review project"] == 1
    d2 = [s for s in result.spans if s["doc_id"] == "d2"]  # not reviewed: decided as before
    assert [(s["label"], s["provenance"]) for s in d2] == [("DATE", None)]


def test_a_cancelled_review_leaves_the_document_to_the_strategy():
    annotations, *rest = _with_review(_tables())
    rows = [a | {"cancelled": a["origin"] == "review"} for a in annotations.to_pylist()]
    result = adjudicate(pa.Table.from_pylist(rows, schema=annotations.schema), *rest, options=GoldOptions())
    assert "review project" not in result.by_rule and result.by_rule["majority (2 of 3)"] == 1
