"""Agreement figures against values worked out by hand on a tiny case."""

from __future__ import annotations

import pyarrow as pa
import pytest

from newsspan.dataset.schema import ANNOTATIONS, SPANS, STANCE
from newsspan.labeling.agreement import compute_agreement, span_matches

A, B = "a@x.org", "b@x.org"


def _tables() -> tuple[pa.Table, pa.Table, pa.Table]:
    annotations, spans, stance = [], [], []
    for doc in ("d1", "d2", "d3"):
        for who in (A, B):
            annotations.append(
                {
                    "doc_id": doc,
                    "annotation_id": f"{doc}-{who}",
                    "annotator": who,
                    "origin": "human",
                    "cancelled": False,
                    "ground_truth": False,
                }
            )
    annotations.append(
        {
            "doc_id": "d1",
            "annotation_id": "skip",
            "annotator": "c@x.org",
            "origin": "human",
            "cancelled": True,
            "ground_truth": False,
        }
    )
    annotations.append(
        {
            "doc_id": "d1",
            "annotation_id": "model",
            "annotator": "rules",
            "origin": "prediction",
            "cancelled": False,
            "ground_truth": False,
        }
    )
    marked = {
        ("d1", A): [("ORG", 0, 5), ("PERSON", 10, 15), ("GPE", 20, 25), ("QUOTE", 30, 40)],
        ("d1", B): [("ORG", 0, 5), ("PERSON", 10, 16), ("LOC", 20, 25), ("QUOTE", 30, 40)],
        ("d2", A): [("ORG", 0, 4)],
        ("d2", B): [("ORG", 0, 4), ("ORG", 6, 9)],
        ("d1", "model"): [("ORG", 0, 5)],
    }
    for (doc, who), regions in marked.items():
        annotation_id = "model" if who == "model" else f"{doc}-{who}"
        for i, (label, start, end) in enumerate(regions):
            layer = "quote" if label == "QUOTE" else "entity"
            spans.append(
                {
                    "doc_id": doc,
                    "annotation_id": annotation_id,
                    "annotator": who,
                    "origin": "human",
                    "region_id": f"r{i}",
                    "layer": layer,
                    "label": label,
                    "start": start,
                    "end": end,
                    "text": "x",
                }
            )
    for doc, values in {"d1": ("FAVOR", "FAVOR"), "d2": ("AGAINST", "AGAINST"), "d3": ("NEUTRAL", "AGAINST")}.items():
        for who, value in zip((A, B), values, strict=True):
            stance.append(
                {
                    "doc_id": doc,
                    "annotation_id": f"{doc}-{who}",
                    "annotator": who,
                    "origin": "human",
                    "scope": "document",
                    "region_id": None,
                    "target": "t",
                    "value": value,
                }
            )
    for who in (A, B):
        stance.append(
            {
                "doc_id": "d1",
                "annotation_id": f"d1-{who}",
                "annotator": who,
                "origin": "human",
                "scope": "quote",
                "region_id": "r3",
                "target": "t",
                "value": "FAVOR",
            }
        )
    return (
        pa.Table.from_pylist(annotations, schema=ANNOTATIONS.arrow_schema),
        pa.Table.from_pylist(spans, schema=SPANS.arrow_schema),
        pa.Table.from_pylist(stance, schema=STANCE.arrow_schema),
    )


def _row(report, pair, layer, label):
    rows = [
        r
        for r in report.table.to_pylist()
        if (r["annotator_a"], r["annotator_b"], r["layer"], r["label"]) == (*pair, layer, label)
    ]
    assert len(rows) == 1, (pair, layer, label)
    return rows[0]


def test_span_f1_matches_the_hand_computation():
    report = compute_agreement(*_tables())
    assert report.documents == 3
    assert report.annotators == [A, B]  # the cancelled annotation and the prediction take no part
    overall = _row(report, ("*", "*"), "entity", "*")
    # A: 4 entity spans, B: 5; exact: ORG d1 + ORG d2 = 2; partial adds PERSON (10,15)~(10,16) = 3
    assert (overall["spans_a"], overall["spans_b"], overall["exact"], overall["partial"]) == (4, 5, 2, 3)
    assert overall["f1_exact"] == pytest.approx(4 / 9)
    assert overall["f1_partial"] == pytest.approx(6 / 9)
    org = _row(report, (A, B), "entity", "ORG")
    assert (org["f1_exact"], org["f1_partial"]) == (pytest.approx(0.8), pytest.approx(0.8))
    person = _row(report, (A, B), "entity", "PERSON")
    assert (person["f1_exact"], person["f1_partial"]) == (0.0, 1.0)
    assert _row(report, (A, B), "entity", "GPE")["f1_exact"] == 0.0  # GPE vs LOC is a disagreement


def test_document_stance_alpha_matches_the_hand_computation():
    # units d1 (F,F), d2 (A,A), d3 (N,A): D_o = 2/6, D_e = 22/30, alpha = 1 - 10/22 = 12/22
    report = compute_agreement(*_tables())
    document = next(a for a in report.alpha if a["scope"] == "document")
    assert document["alpha"] == pytest.approx(12 / 22)
    assert document["units"] == 3


def test_quote_stance_without_variation_is_undefined_with_the_reason():
    quote = next(a for a in compute_agreement(*_tables()).alpha if a["scope"] == "quote")
    assert quote["alpha"] is None
    assert quote["note"] == "every pairable unit has the value FAVOR: alpha is undefined without variation"
    assert quote["units"] == 1


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([(0, 5)], [(0, 5)], (1, 1)),
        ([(0, 5)], [(3, 8)], (0, 1)),
        ([(0, 10)], [(0, 4), (5, 10)], (0, 1)),  # one-to-one: a long span pairs with one short span
        ([(0, 3), (4, 8)], [(0, 8)], (0, 1)),
        ([(0, 3)], [(3, 6)], (0, 0)),  # half-open: touching is not overlapping
    ],
    ids=["exact", "overlap", "one-to-many", "many-to-one", "touching"],
)
def test_span_matches(a, b, expected):
    assert span_matches(a, b) == expected


def test_agreement_command_writes_the_report(runner, tmp_path):
    from newsspan.dataset.cli import cli

    out = tmp_path / "corpus"
    assert runner.invoke(cli, ["-q", "build", "--out", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["label", "agreement", str(out), "--json"])
    assert result.exit_code == 0, result.output
    figures = result.stdout
    assert '"documents": 4' in figures
    assert {p.name for p in out.iterdir()} >= {"agreement.parquet", "agreement.json", "agreement.md"}
    assert "## Stance: Krippendorff's alpha (nominal)" in (out / "agreement.md").read_text()


def test_spans_accepted_from_a_prediction_unchanged_can_be_left_out_and_are_counted_either_way():
    def annotation(who):
        keys = ("doc_id", "annotation_id", "annotator", "origin", "cancelled", "ground_truth")
        return dict(zip(keys, ("d1", who, who, "human", False, False), strict=True))

    def span(who, label, start, end, provenance):
        layer = "entity"
        return {"doc_id": "d1", "annotation_id": who, "annotator": who, "origin": "human", "region_id": f"{who}{start}",
                "layer": layer, "label": label, "start": start, "end": end, "text": "x" * (end - start),
                "provenance": provenance}  # fmt: skip

    annotations = pa.Table.from_pylist([annotation(A), annotation(B)], schema=ANNOTATIONS.arrow_schema)
    spans = pa.Table.from_pylist(
        [
            span(A, "ORG", 0, 5, "prediction"),  # both accepted the model's ORG unchanged
            span(B, "ORG", 0, 5, "prediction"),
            span(A, "PERSON", 10, 15, "manual"),  # and disagree on what they drew themselves
            span(B, "PERSON", 20, 25, "manual"),
        ],
        schema=SPANS.arrow_schema,
    )
    stance = STANCE.arrow_schema.empty_table()

    def entity_f1(report):
        (row,) = [
            r for r in report.table.to_pylist() if (r["annotator_a"], r["layer"], r["label"]) == ("*", "entity", "*")
        ]
        return row["f1_exact"]

    counted = compute_agreement(annotations, spans, stance)
    assert entity_f1(counted) == pytest.approx(0.5), "the accepted ORG agrees because the model proposed it"
    assert counted.provenance == {"manual": 2, "prediction": 2} and not counted.excluded_accepted
    left_out = compute_agreement(annotations, spans, stance, exclude_accepted=True)
    assert entity_f1(left_out) == 0.0, "what the annotators drew themselves: no agreement"
    assert left_out.provenance == {"manual": 2, "prediction": 2} and left_out.excluded_accepted


def test_a_reviewers_adjudication_is_not_an_annotator():
    # a review project's annotation (origin review) was made after seeing both versions: counting
    # it would make a third, dependent annotator and raise every figure
    annotations, spans, stance = _tables()
    review = {"doc_id": "d2", "annotation_id": "r1", "annotator": "lead@x.org", "origin": "review"}
    annotations = pa.concat_tables(
        [
            annotations,
            pa.Table.from_pylist([review | {"cancelled": False, "ground_truth": False}], schema=annotations.schema),
        ]
    )
    region = {"region_id": "v", "layer": "entity", "label": "ORG", "start": 0, "end": 4, "text": "x"}
    spans = pa.concat_tables([spans, pa.Table.from_pylist([review | region], schema=spans.schema)])
    report = compute_agreement(annotations, spans, stance)
    assert report.annotators == [A, B]
    assert _row(report, ("*", "*"), "entity", "*")["spans_a"] == 4
