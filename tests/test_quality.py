"""Pre-annotation quality floors on the seeds and on the bundled sample.

The floors live in tests/data/quality_floors.json. Raise them when the heuristics improve; a
lower floor is a deliberate, reviewed change of that file, never a silent one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.build import build_corpus, ingest_to_folder
from newsspan.dataset.config import IngestOptions
from newsspan.dataset.preannotate import preannotate_documents
from newsspan.dataset.schema import RELATIONS, SPANS
from newsspan.labeling.score import gold_side, quality_figures

DATA = Path(__file__).resolve().parent / "data"
FLOORS = json.loads((DATA / "quality_floors.json").read_text(encoding="utf-8"))
SEEDS_GOLD = json.loads((DATA / "seeds_gold" / "gold.json").read_text(encoding="utf-8"))


def _seed_gold(documents: list[dict]) -> tuple[dict[str, str], pa.Table, pa.Table]:
    texts, spans, relations = {}, [], []
    for document in documents:
        name = Path(document["source"]).name
        gold = SEEDS_GOLD["documents"][name]
        assert hashlib.sha256(document["text"].encode()).hexdigest() == gold["text_sha256"], (
            f"seed {name} changed since its gold standard was made: re-run tests/tools/make_seeds_gold.py"
        )
        texts[document["doc_id"]] = document["text"]
        base = {"doc_id": document["doc_id"], "annotation_id": f"gold:{name}", "annotator": "gold", "origin": "gold"}
        for region, layer, label, start, end in gold["spans"]:
            spans.append(
                base
                | {
                    "region_id": region,
                    "layer": layer,
                    "label": label,
                    "start": start,
                    "end": end,
                    "text": document["text"][start:end],
                }
            )
        for relation, source, target in gold["relations"]:
            relations.append(base | {"relation": relation, "from_region_id": source, "to_region_id": target})
    return (
        texts,
        pa.Table.from_pylist(spans, schema=SPANS.arrow_schema),
        pa.Table.from_pylist(relations, schema=RELATIONS.arrow_schema),
    )


@pytest.fixture(scope="module")
def seed_figures(seeds_dir, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("seeds")
    ingest_to_folder([seeds_dir], out, options=IngestOptions())
    documents = pq.read_table(out / "documents.parquet")
    texts, gold, gold_relations = _seed_gold(documents.to_pylist())
    result = preannotate_documents(documents)
    return quality_figures(texts, result.spans, result.relations, gold, gold_relations)


@pytest.fixture(scope="module")
def sample_figures(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("sample") / "corpus"
    build_corpus(None, out, options=IngestOptions())
    documents = pq.read_table(out / "documents.parquet")
    texts = {d["doc_id"]: d["text"] for d in documents.select(["doc_id", "text"]).to_pylist()}
    gold = gold_side(pq.read_table(out / "spans.parquet"))
    relations = pq.read_table(out / "relations.parquet")
    result = preannotate_documents(documents)
    return quality_figures(
        texts, result.spans, result.relations, gold, relations.filter(pa.compute.equal(relations["origin"], "gold"))
    )


@pytest.mark.parametrize("metric", sorted(FLOORS["seeds"]))
def test_seed_quality_stays_above_its_floor(seed_figures, metric):
    assert seed_figures[metric] is not None
    assert seed_figures[metric] >= FLOORS["seeds"][metric], seed_figures


@pytest.mark.parametrize("metric", sorted(FLOORS["sample"]))
def test_sample_quality_stays_above_its_floor(sample_figures, metric):
    assert sample_figures[metric] is not None
    assert sample_figures[metric] >= FLOORS["sample"][metric], sample_figures
