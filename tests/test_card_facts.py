"""The card's corpus figures, counted a batch of rows at a time, equal the figures of the whole tables."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.cards.facts import UNKNOWN_OUTLET, CorpusFacts, corpus_facts
from newsspan.cards.plots import outlet_label
from newsspan.dataset.layout import BuildFolder
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, SPANS, STANCE, Table

LONG = "The Very Long Name Of A Regional Evening Newspaper"  # two outlets that share one plot label
OUTLETS = [None, "", "Daily Planet", "Bugle", LONG + " (North)", LONG + " (South)"]
AGENCIES = [None, "", "AP", "Reuters"]
DATES = [None, "", "2025-06-02T10:00:00Z", "2024-01-31", "2025-12-24 08:00"]
LANGUAGES = [None, "", "en", "de"]
LABELS = ["PERSON", "ORG", "QUOTE"]


def _write(folder: BuildFolder, table: Table, rows: list[dict[str, Any]], defaults: dict[str, Any]) -> None:
    pq.write_table(
        pa.Table.from_pylist([defaults | row for row in rows], schema=table.arrow_schema), folder.table(table)
    )


def _corpus(root: Path, seed: int) -> tuple[BuildFolder, dict[str, Path]]:
    """Documents (one doc_id twice, with another outlet), spans and stance of documents in the
    table, in no split, in two splits, or in no documents table at all."""
    rng = random.Random(seed)
    folder = BuildFolder(root)
    root.mkdir()
    ids = [f"d{n:02d}" for n in range(12)]
    documents = [
        {
            "doc_id": doc_id,
            "outlet": rng.choice(OUTLETS),
            "agency": rng.choice(AGENCIES),
            "published": rng.choice(DATES),
            "language": rng.choice(LANGUAGES),
        }
        for doc_id in [*ids, ids[3]]
    ]
    documents[-1]["outlet"] = "Bugle" if documents[3]["outlet"] != "Bugle" else "Daily Planet"
    required = {"source": "s", "source_format": "text", "raw_sha256": "0", "encoding": "utf-8", "text": "t"}
    _write(folder, DOCUMENTS, documents, required | {"meta_spans": []})
    known = [*ids, "ghost"]  # spans and stance of a document the documents table lacks
    spans = [
        {
            "doc_id": rng.choice(known),
            "origin": rng.choice(["human", "gold", "gold", "prediction"]),
            "label": rng.choice(LABELS),
            "provenance": rng.choice([None, "manual", "prediction"]),
        }
        for _ in range(80)
    ]
    _write(
        folder, SPANS, spans, {"annotation_id": "a", "region_id": "r", "layer": "x", "start": 0, "end": 1, "text": "t"}
    )
    stance = [
        {
            "doc_id": rng.choice(known),
            "origin": rng.choice(["human", "gold"]),
            "scope": rng.choice(["document", "quote"]),
            "value": rng.choice(["SUPPORT", "OPPOSE"]),
        }
        for _ in range(30)
    ]
    _write(folder, STANCE, stance, {"annotation_id": "a"})
    annotations = [{"doc_id": rng.choice(ids), "origin": rng.choice(["human", "gold"])} for _ in range(15)]
    _write(folder, ANNOTATIONS, annotations, {"annotation_id": "a", "cancelled": False, "ground_truth": False})
    splits = {"train": [*ids[:6], "ghost"], "test": [ids[5], *ids[6:9]]}  # d05 in both: the last wins
    (root / "documents").mkdir()
    split_of = {name: root / "documents" / f"{name}.parquet" for name in splits}
    for name, members in splits.items():
        pq.write_table(pa.table({"doc_id": members, "title": ["t"] * len(members)}), split_of[name])
    return folder, split_of


def _reference(folder: BuildFolder, split_of: dict[str, Path], default_split: str) -> CorpusFacts:
    """The figures from whole tables in plain Python: a gold span or stance row counts once per
    documents-table row of its document (a join's rows), under that row's outlet."""

    def truthy(value: Any) -> bool:
        return value is not None and value != ""

    documents = pq.read_table(folder.table(DOCUMENTS)).to_pylist()
    named = [
        d["outlet"] if truthy(d["outlet"]) else d["agency"] if truthy(d["agency"]) else UNKNOWN_OUTLET
        for d in documents
    ]
    outlets_of: dict[str, list[str]] = defaultdict(list)
    for document, name in zip(documents, named, strict=True):
        outlets_of[document["doc_id"]].append(outlet_label(name))
    split = {doc_id: name for name, path in split_of.items() for doc_id in pq.read_table(path)["doc_id"].to_pylist()}
    dates = [d["published"][:10] for d in documents if truthy(d["published"])]
    labels: Counter[str] = Counter()
    by_split: Counter[tuple[str, str]] = Counter()
    per_outlet: Counter[str] = Counter()
    first: dict[str, int] = {}
    spans = pq.read_table(folder.table(SPANS)).to_pylist()
    for row, span in enumerate(spans):
        if span["origin"] == "gold":
            for outlet in outlets_of.get(span["doc_id"], [UNKNOWN_OUTLET]):
                labels[span["label"]] += 1
                by_split[(split.get(span["doc_id"], default_split), span["label"])] += 1
                per_outlet[outlet] += 1
                first.setdefault(outlet, row)
    stance: Counter[tuple[str, str]] = Counter()
    for row in pq.read_table(folder.table(STANCE)).to_pylist():
        if row["origin"] == "gold" and row["scope"] == "document":
            for outlet in outlets_of.get(row["doc_id"], [UNKNOWN_OUTLET]):
                stance[(outlet, row["value"])] += 1
    annotations = pq.read_table(folder.table(ANNOTATIONS)).to_pylist()
    return CorpusFacts(
        documents=len(documents),
        outlets=Counter(named),
        agencies=sorted({d["agency"] for d in documents if truthy(d["agency"])}),
        dates=(min(dates), max(dates), len(dates)) if dates else None,
        languages=sorted({d["language"] for d in documents if truthy(d["language"])}),
        language_stated=all(truthy(d["language"]) for d in documents),
        gold_labels=labels,
        gold_by_outlet=sorted(per_outlet.items(), key=lambda kv: (first[kv[0]], kv[0])),
        stance_by_outlet=stance,
        gold_by_split=by_split,
        human_annotations=sum(1 for a in annotations if a["origin"] == "human"),
        provenance=Counter(s["provenance"] for s in spans if s["origin"] == "human"),
    )


@pytest.mark.parametrize("rows", [1, 7, 10_000], ids=["row-by-row", "seven", "one-batch"])
@pytest.mark.parametrize("seed", range(4))
def test_figures_counted_in_batches_equal_those_of_the_whole_tables(tmp_path: Path, seed: int, rows: int) -> None:
    folder, split_of = _corpus(tmp_path / "corpus", seed)
    facts = corpus_facts(folder, split_of=split_of, default_split="train", rows=rows)
    assert facts == _reference(folder, split_of, "train")


def test_a_doc_id_twice_in_the_documents_table_counts_its_spans_under_both_outlets(tmp_path: Path) -> None:
    folder, split_of = _corpus(tmp_path / "corpus", 0)
    facts = corpus_facts(folder, split_of=split_of, default_split="train", rows=3)
    spans = pq.read_table(folder.table(SPANS)).to_pylist()
    twice = sum(1 for s in spans if s["origin"] == "gold" and s["doc_id"] == "d03")
    assert twice, "the random corpus has gold spans of the repeated document"
    gold = sum(1 for s in spans if s["origin"] == "gold")
    assert facts.gold_spans == gold + twice
