"""The canned analyses and SQL on a tiny build whose answers are checked by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.dataset import analysis
from newsspan.dataset.cli import cli
from newsspan.dataset.errors import NewsspanError
from newsspan.dataset.schema import ANNOTATIONS, DOCUMENTS, QUARANTINE, RELATIONS, SPANS, STANCE

SHARED = "The ministry said on Monday that the panel had no mandate to police the fleet in the strait at all."
DOCS = {
    "d1": ("Wire One", SHARED + "\nJoin our channel for updates."),
    "d2": ("Paper Two", SHARED + "\nA second paragraph only this paper printed about the harbour and its quays."),
    "d3": ("Paper Two", "Brennick said “the data is clear” in Orvane."),
}


@pytest.fixture
def build(tmp_path: Path) -> Path:
    def gold(doc, region, layer, label, start, end):
        return {
            "doc_id": doc,
            "annotation_id": f"gold:{doc}",
            "annotator": "gold",
            "origin": "gold",
            "region_id": region,
            "layer": layer,
            "label": label,
            "start": start,
            "end": end,
            "text": DOCS[doc][1][start:end],
        }

    documents = [
        {
            "doc_id": d,
            "source": d,
            "source_format": "txt",
            "raw_sha256": "0" * 64,
            "encoding": "utf-8",
            "text": text,
            "outlet": outlet,
            "meta_spans": [],
        }
        for d, (outlet, text) in DOCS.items()
    ]
    t3 = DOCS["d3"][1]
    spans = [
        gold("d1", "b1", "boilerplate", "PROMO", len(SHARED) + 1, len(DOCS["d1"][1])),
        gold("d3", "q1", "quote", "QUOTE", t3.index("the data"), t3.index("clear") + 5),
        gold("d3", "s1", "quote", "SPEAKER", 0, 8),
        gold("d3", "e1", "entity", "PERSON", 0, 8),
        gold("d3", "e2", "entity", "GPE", t3.index("Orvane"), t3.index("Orvane") + 6),
        gold("d1", "e3", "entity", "GPE", 0, 0)
        | {"start": SHARED.index("strait"), "end": SHARED.index("strait") + 6, "label": "LOC", "text": "strait"},
    ]
    base = {"doc_id": "d3", "annotation_id": "gold:d3", "annotator": "gold", "origin": "gold"}
    relations = [base | {"relation": "said_by", "from_region_id": "q1", "to_region_id": "s1"}]
    stance = [
        base | {"scope": "quote", "region_id": "q1", "target": "t", "value": "FAVOR"},
        base | {"scope": "document", "region_id": None, "target": "t", "value": "NEUTRAL"},
    ]
    for table, rows in (
        (DOCUMENTS, documents),
        (SPANS, spans),
        (RELATIONS, relations),
        (STANCE, stance),
        (ANNOTATIONS, []),
        (QUARANTINE, []),
    ):
        pq.write_table(pa.Table.from_pylist(rows, schema=table.arrow_schema), tmp_path / table.file_name)
    return tmp_path


def test_quotes_by_speaker(build):
    rows = analysis.quotes_by_speaker(build).collect().to_dicts()
    assert rows == [
        {
            "speaker": "Brennick",
            "outlet": "Paper Two",
            "quotes": 1,
            "favor": 1,
            "against": 0,
            "neutral": 0,
            "unclear": 0,
        }
    ]


def test_an_unclear_quote_is_counted_as_unclear_not_dropped(build):
    stance = pq.read_table(build / STANCE.file_name).to_pylist()
    for row in stance:
        row["value"] = "UNCLEAR" if row["scope"] == "quote" else row["value"]
    pq.write_table(pa.Table.from_pylist(stance, schema=STANCE.arrow_schema), build / STANCE.file_name)
    (row,) = analysis.quotes_by_speaker(build).collect().to_dicts()
    assert (row["quotes"], row["favor"], row["unclear"]) == (1, 0, 1)


def test_stance_by_outlet(build):
    rows = analysis.stance_by_outlet(build).collect().to_dicts()
    assert rows == [
        {"outlet": "Paper Two", "scope": "document", "value": "NEUTRAL", "count": 1},
        {"outlet": "Paper Two", "scope": "quote", "value": "FAVOR", "count": 1},
    ]


def test_entity_mentions(build):
    rows = analysis.entity_mentions(build).collect().to_dicts()
    assert {(r["text"], r["label"], r["outlet"], r["mentions"]) for r in rows} == {
        ("Brennick", "PERSON", "Paper Two", 1),
        ("Orvane", "GPE", "Paper Two", 1),
        ("strait", "LOC", "Wire One", 1),
    }


def test_boilerplate_share(build):
    rows = {r["outlet"]: r for r in analysis.boilerplate_share(build).collect().to_dicts()}
    promo = len("Join our channel for updates.")
    assert rows["Wire One"]["boilerplate_chars"] == promo
    assert rows["Wire One"]["share"] == round(promo / len(DOCS["d1"][1]), 3)
    assert rows["Paper Two"]["share"] == 0.0


def test_shared_copy_names_the_outlets_that_reuse_a_paragraph(build):
    (row,) = analysis.shared_copy(build).collect().to_dicts()
    assert row["outlets"] == ["Paper Two", "Wire One"] and row["doc_ids"] == ["d1", "d2"]


def test_sql_and_its_errors(build, runner):
    result = runner.invoke(
        cli,
        [
            "query",
            str(build),
            "SELECT outlet, count(*) AS n FROM documents GROUP BY outlet ORDER BY n DESC",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"outlet": "Paper Two", "n": 2}, {"outlet": "Wire One", "n": 1}]
    bad = runner.invoke(cli, ["query", str(build), "SELECT nope FROM documents"])
    assert bad.exit_code == 1 and "the query failed: unable to find column" in bad.stderr
    assert "Traceback" not in bad.output
    with pytest.raises(NewsspanError, match="tables: annotations, documents, quarantine, quotes"):
        analysis.run_sql(build, "SELECT * FROM nowhere")


def test_report_prints_every_section(build, runner):
    result = runner.invoke(cli, ["report", str(build)])
    assert result.exit_code == 0, result.output
    for title in (
        "Who is quoted",
        "Stance toward the target",
        "Most mentioned entities",
        "Share of boilerplate",
        "reuse the same copy",
    ):
        assert title in result.stdout
