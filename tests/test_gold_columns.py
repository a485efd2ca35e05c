"""Documents decided by votes are adjudicated on whole columns (labeling/gold_columns.py): the rows
and conflicts are exactly the loop's, in its order, on random tables full of the awkward cases."""

from __future__ import annotations

import random
from collections import Counter

import pyarrow as pa
import pytest

from newsspan.dataset.config import GoldOptions
from newsspan.dataset.schema import ANNOTATION_TABLES, ANNOTATIONS, RELATIONS, SPANS, STANCE
from newsspan.labeling.gold import adjudicate
from newsspan.labeling.gold_columns import adjudicate_columns
from newsspan.labeling.gold_stage import adjudicate_part

LABELS = [("entity", "PERSON"), ("entity", "ORG"), ("quote", "QUOTE"), ("quote", "SPEAKER"), ("quote", "CUE")]


def _random_tables(seed: int) -> dict[str, pa.Table]:
    """Documents with 0-3 annotations (some cancelled, some predictions, a review now and then),
    repeated keys and region ids, relations to missing regions, stance targets '', None or set."""
    rng = random.Random(seed)
    rows: dict[str, list[dict[str, object]]] = {t.name: [] for t in ANNOTATION_TABLES}
    for d in range(rng.randint(1, 12)):
        doc = f"d{rng.randint(0, 99):02d}"  # documents repeat: rows of one document interleave
        for a in range(rng.randint(0, 3)):
            ann = f"{doc}-{a}-{rng.randint(0, 9)}-{d}"
            origin = rng.choice(["human"] * 6 + ["prediction", "review"])
            base = {
                "doc_id": doc,
                "annotation_id": ann,
                "annotator": rng.choice(["A", "B", "C", None]),
                "origin": origin,
            }
            rows["annotations"].append(
                base | {"cancelled": rng.random() < 0.1, "ground_truth": rng.random() < 0.2, "updated_at": None}
            )
            regions = []
            for r in range(rng.randint(0, 6)):
                layer, label = rng.choice(LABELS if seed % 2 else LABELS[2:3] * 3 + LABELS)
                start = rng.randint(0, 20 if seed % 2 else 3)  # odd seeds: annotators often agree
                region = f"r{rng.randint(0, 4)}"  # a region id may repeat
                regions.append(region)
                rows["spans"].append(
                    base
                    | {"region_id": region, "layer": layer, "label": label, "start": start}
                    | {"end": start + rng.randint(1, 5), "text": f"t{r}", "repair": None, "support": None}
                    | {"rule": None, "provenance": rng.choice(["manual", "prediction", "prediction-changed", None])}
                )
            if seed % 2:  # a quote every annotator marked, with a stance each: agreeing or not
                quote = {"region_id": "rq", "layer": "quote", "label": "QUOTE", "start": 0, "end": 5, "text": "q"}
                rows["spans"].append(base | quote | {"repair": None, "support": None, "rule": None, "provenance": None})
                rows["stance"].append(
                    base
                    | {"scope": "quote", "region_id": "rq", "target": None, "provenance": None}
                    | {"value": rng.choice(["FAVOR", "AGAINST"])}
                )
            for _ in range(rng.randint(0, 3)):
                ends = [rng.choice([*regions, "missing"]) for _ in range(2)]
                kind = rng.choice(["said_by", "cued_by"])
                rows["relations"].append(
                    base | {"relation": kind, "from_region_id": ends[0], "to_region_id": ends[1], "provenance": None}
                )
            for _ in range(rng.randint(0, 3)):
                scope = rng.choice(["document", "quote"])
                region = rng.choice([*regions, None]) if scope == "quote" else None
                rows["stance"].append(
                    base
                    | {"scope": scope, "region_id": region, "target": rng.choice(["", None, "T", "U"])}
                    | {"value": rng.choice(["FAVOR", "AGAINST", "NEUTRAL"]), "provenance": None}
                )
    schemas = {"annotations": ANNOTATIONS, "spans": SPANS, "relations": RELATIONS, "stance": STANCE}
    return {name: pa.Table.from_pylist(r, schema=schemas[name].arrow_schema) for name, r in rows.items()}


def _loop(tables: dict[str, pa.Table], options: GoldOptions) -> dict[str, list[dict[str, object]]]:
    result = adjudicate(*(tables[t.name] for t in ANNOTATION_TABLES), options=options)
    return {
        t.name: pa.Table.from_pylist(getattr(result, t.name), schema=t.arrow_schema).to_pylist()
        for t in ANNOTATION_TABLES
    } | {"conflicts": result.conflicts, "by_rule": dict(result.by_rule), "documents": result.documents}


def _split(tables: dict[str, pa.Table], options: GoldOptions) -> dict[str, object]:
    part = adjudicate_part(tables, options=options)
    return {name: table.to_pylist() for name, table in part.tables.items()} | {
        "by_rule": dict(part.by_rule),
        "documents": part.documents,
    }


OPTIONS = {
    "majority": GoldOptions(),
    "threshold": GoldOptions(strategy="threshold", threshold=0.5),
    "prefer": GoldOptions(strategy="prefer", reviewers=("B",)),
}


@pytest.mark.parametrize("strategy", list(OPTIONS))
@pytest.mark.parametrize("seed", range(60))
def test_columns_and_loop_give_the_same_gold_rows(seed: int, strategy: str) -> None:
    tables = _random_tables(seed)
    assert _split(tables, OPTIONS[strategy]) == _loop(tables, OPTIONS[strategy])


def test_documents_with_a_review_are_left_to_the_loop() -> None:
    tables = {t.name: pa.Table.from_pylist([], schema=t.arrow_schema) for t in ANNOTATION_TABLES}
    rows = [
        {
            "doc_id": d,
            "annotation_id": a,
            "annotator": "A",
            "origin": "human",
            "cancelled": False,
            "ground_truth": False,
        }
        for d, a in [("once", "a1"), ("twice", "a2"), ("twice", "a3")]
    ] + [
        {"doc_id": "reviewed", "annotation_id": "r", "annotator": "L", "origin": "review"}
        | {"cancelled": False, "ground_truth": False}
    ]
    tables["annotations"] = pa.Table.from_pylist(rows, schema=ANNOTATIONS.arrow_schema)
    single = adjudicate_columns(*(tables[t.name] for t in ANNOTATION_TABLES), options=GoldOptions())
    assert single.documents == ["once", "twice"]
    assert dict(single.by_rule) == {"single annotation": 1, "majority (2 of 2)": 1}


def test_an_annotation_id_used_twice_leaves_every_document_to_the_loop() -> None:
    tables = {t.name: pa.Table.from_pylist([], schema=t.arrow_schema) for t in ANNOTATION_TABLES}
    rows = [
        {"doc_id": d, "annotation_id": "same", "annotator": "A", "origin": "human"}
        | {"cancelled": False, "ground_truth": False}
        for d in ("d1", "d2")
    ]
    tables["annotations"] = pa.Table.from_pylist(rows, schema=ANNOTATIONS.arrow_schema)
    single = adjudicate_columns(*(tables[t.name] for t in ANNOTATION_TABLES), options=GoldOptions())
    assert single.documents == []


def test_the_random_cases_reach_every_kind_of_row_on_the_columns_path() -> None:
    """The comparison above is not vacuous: the columns path makes spans, relations and stance,
    decides documents annotated several times, and lists every kind and reason of conflict."""
    made: Counter[str] = Counter()
    for seed in range(60):
        tables = _random_tables(seed)
        columns = adjudicate_columns(*(tables[t.name] for t in ANNOTATION_TABLES), options=GoldOptions())
        made.update({name: table.num_rows for name, table in columns.tables.items()})
        made.update(columns.conflicts["kind"].to_pylist() + columns.conflicts["reason"].to_pylist())
        made.update("several annotations" for rule in columns.by_rule.elements() if rule.startswith("majority"))
    kinds = ["span", "relation", "document_stance", "quote_stance", "several annotations"]
    reasons = ["minority span", "boundary disagreement", "label disagreement", "stance disagreement"]
    assert all(made[name] >= 3 for name in [t.name for t in ANNOTATION_TABLES] + kinds + reasons), made
