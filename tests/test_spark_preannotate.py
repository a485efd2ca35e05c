"""``preannotate --engine spark``: the rules in a real local[2] Spark session give the local engine's tables.

The Spark tests use conftest's ``spark`` session (they skip without the spark extra and Java, except
in CI). The check that counting repeated lines in Spark's way decides as the local count runs everywhere.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsspan.dataset.config import IngestOptions, PreannotateOptions, Settings
from newsspan.dataset.heuristics.repetition import (
    document_group,
    document_lines,
    least_documents,
    repeated_in_group,
    repeated_lines,
)

DATA = Path(__file__).parent / "data"
FOOTER = "The Harbour Ledger prints weekdays from its Northport press hall"
PAIR = "Follow our live coverage of the port strike on the Ledger app."


def _wire(folder: Path, articles: int = 9) -> Path:
    """Articles of one source folder sharing a footer (a template line) and, in two of them, a line
    that repeats too rarely to be the source's."""
    rng = random.Random(7)
    folder.mkdir(parents=True)
    words = [
        "harbour",
        "berth",
        "crane",
        "union",
        "vessel",
        "cargo",
        "minister",
        "council",
        "tariff",
        "pilot",
        "dock",
        "shift",
    ]
    for i in range(articles):
        body = " ".join(
            f"The {rng.choice(words)} report number {i}-{j} said the {rng.choice(words)} would "
            f"reopen on {rng.choice(['Monday', 'Friday'])}, \u201cwe expect delays,\u201d "
            f"said {rng.choice(['Ana Ruiz', 'Tom Berg'])}."
            for j in range(6)
        )
        extra = f"\n\n{PAIR}" if i < 2 else ""
        (folder / f"story-{i:02d}.txt").write_text(f"Port story {i}\n\n{body}{extra}\n\n{FOOTER}\n", encoding="utf-8")
    return folder


def test_counting_only_lines_in_enough_documents_decides_as_counting_every_line(tmp_path):
    # the Spark path keeps the lines in at least least_documents() of their group before the
    # driver decides: the same repeated lines as the local count over every line
    from newsspan.dataset.build import ingest_to_folder

    ingest_to_folder([_wire(tmp_path / "wire")], tmp_path / "docs", options=IngestOptions(language="en"))
    rows = pq.read_table(tmp_path / "docs" / "documents.parquet").to_pylist()
    options = PreannotateOptions()
    pairs = [(document_group(r["outlet"], r["source"]), r["text"]) for r in rows]
    expected = repeated_lines(pairs, options)
    sizes: dict[str, int] = {}
    counts: dict[str, dict[str, int]] = {}
    for group, text in pairs:
        sizes[group] = sizes.get(group, 0) + 1
        for line in document_lines(text):
            counts.setdefault(group, {})[line] = counts.get(group, {}).get(line, 0) + 1
    kept = {
        group: {line: n for line, n in lines.items() if n >= least_documents(sizes[group], options)}
        for group, lines in counts.items()
    }
    assert {group: repeated_in_group(kept[group], sizes[group], options) for group in sizes} == expected
    (footers,) = expected.values()
    assert any("northport press hall" in line.casefold() for line in footers), "the footer repeats in every document"
    assert not any("live coverage" in line for line in footers), "a line in two of nine does not"


def _same(spark_out: Path, local_out: Path) -> None:
    for name, keys in (
        ("spans", ["annotation_id", "region_id"]),
        ("relations", ["annotation_id", "from_region_id", "to_region_id", "relation"]),
        ("stance", ["annotation_id"]),
    ):
        ours, theirs = pq.read_table(spark_out / f"{name}.parquet"), pq.read_table(local_out / f"{name}.parquet")
        assert ours.schema.equals(theirs.schema), f"{name}: {ours.schema} != {theirs.schema}"
        order = [(k, "ascending") for k in keys]
        assert ours.sort_by(order).equals(theirs.sort_by(order)), f"{name}: rows differ after sorting by {keys}"


@pytest.mark.integration
def test_spark_preannotate_equals_the_local_engine_on_spark_ingested_part_files(spark, seeds_dir, tmp_path):
    from newsspan.dataset.build import sample_articles
    from newsspan.dataset.layout import BuildFolder
    from newsspan.dataset.preannotate import PreannotateStage
    from newsspan.dataset.spark.ingest import ingest_spark
    from newsspan.dataset.spark.preannotate import preannotate_spark
    from newsspan.dataset.stage import StageContext

    wire = _wire(tmp_path / "wire")
    with sample_articles() as sample:  # Spark's documents.parquet/ folder: documents in several part files
        ingest_spark(spark, [sample, seeds_dir, DATA / "html_pages", wire], tmp_path / "crawl", options=IngestOptions())
    documents = tmp_path / "crawl" / "documents.parquet"
    assert len(list(documents.glob("part-*.parquet"))) > 1
    known = tmp_path / "known.parquet"  # a lexicon entry, so propagation runs on both engines
    from newsspan.dataset.schema import SPANS

    row = {"doc_id": "k", "annotation_id": "k:1", "annotator": "a", "origin": "gold", "region_id": "r1"}
    row |= {"layer": "entity", "label": "PER", "start": 0, "end": 7, "text": "Tom Berg"[:7]}
    pq.write_table(pa.Table.from_pylist([row], schema=SPANS.arrow_schema), known)
    local = PreannotateStage().run(
        StageContext(BuildFolder(tmp_path / "local"), options={"documents": documents, "known": known})
    )
    from newsspan.dataset.io import read_table
    from newsspan.dataset.preannotate import entity_lexicon

    lexicon = entity_lexicon(read_table(known, schema=SPANS))
    summary = preannotate_spark(spark, documents, tmp_path / "spark", options=PreannotateOptions(), lexicon=lexicon)
    assert json.loads((tmp_path / "spark" / "preannotate.json").read_text()) == summary
    engine = summary.pop("engine")
    assert engine["name"] == "spark" and engine["version"].startswith("4.1.")
    assert summary == local.counts
    assert summary["spans"]["QUOTE"] > 0 and summary["relations"] > 0
    _same(tmp_path / "spark", tmp_path / "local")
    spans = pq.read_table(tmp_path / "spark" / "spans.parquet").to_pylist()
    footers = [s for s in spans if s["text"] == FOOTER]
    assert len(footers) == 9, "the footer of every wire story"
    assert {(s["label"], s["rule"]) for s in footers} == {("NAVIGATION", "repeated_line:1.00")}, "found by repetition"


@pytest.mark.integration
def test_the_preannotate_command_with_engine_spark_and_back_to_local(spark, runner, tmp_path):
    from newsspan.dataset.build import ingest_to_folder
    from newsspan.dataset.cli import cli

    ingest_to_folder([_wire(tmp_path / "wire")], tmp_path / "docs", options=IngestOptions(language="en"))
    documents, out = tmp_path / "docs" / "documents.parquet", tmp_path / "pre"
    result = runner.invoke(cli, ["preannotate", "--engine", "spark", str(documents), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents"] == 9 and report["engine"]["name"] == "spark"
    names = ["annotations.parquet", "preannotate.json", "relations.parquet", "spans.parquet", "stance.parquet"]
    assert sorted(p.name for p in out.iterdir()) == names and (out / "spans.parquet").is_dir()
    result = runner.invoke(cli, ["preannotate", str(documents), "--out", str(out)])  # the local engine replaces them
    assert result.exit_code == 0, result.output
    assert (out / "spans.parquet").is_file()
    assert sorted(p.name for p in out.iterdir()) == names


def test_the_stage_reads_engine_from_settings(tmp_path, monkeypatch):
    # [engine] name = "spark" sends the stage to the Spark path (here stand-ins), with the settings
    import contextlib

    import newsspan.dataset.spark.preannotate as spark_preannotate
    import newsspan.dataset.spark.session as spark_session
    from newsspan.dataset.config import EngineOptions
    from newsspan.dataset.layout import BuildFolder
    from newsspan.dataset.preannotate import PreannotateStage
    from newsspan.dataset.stage import StageContext

    called = {}

    @contextlib.contextmanager
    def running(engine):
        called["engine"] = engine.name
        yield "session"

    def fake(spark, documents, out, *, options, lexicon, spacy_model):
        called.update(spark=spark, documents=documents, strings=len(lexicon), options=options)
        return {"model_version": "m", "documents": 0, "relations": 0, "spans": {}, "prose_lossy_documents": 0}

    monkeypatch.setattr(spark_session, "spark_running", running)
    monkeypatch.setattr(spark_preannotate, "preannotate_spark", fake)
    settings = Settings(engine=EngineOptions(name="spark"))
    report = PreannotateStage().run(
        StageContext(BuildFolder(tmp_path), settings=settings, options={"documents": tmp_path / "d"})
    )
    assert called == {
        "engine": "spark",
        "spark": "session",
        "documents": tmp_path / "d",
        "strings": 0,
        "options": settings.preannotate,
    }
    names = ("spans.parquet", "relations.parquet", "stance.parquet", "annotations.parquet", "preannotate.json")
    assert report.files == names


@pytest.mark.integration
def test_a_silver_build_on_spark_equals_the_local_one(spark, runner, seeds_dir, tmp_path):
    # ingest and the rules on Spark (tables as folders of part files), the gate, the dataset and
    # the card on their part files: the same tables, configs and counts as on one machine
    from newsspan.dataset.cli import cli

    wire = _wire(tmp_path / "wire")
    built = {}
    for engine in ("spark", "local"):
        out = tmp_path / engine
        args = ["build", "--engine", engine, "--predictions-only", str(seeds_dir), str(wire), "--out", str(out)]
        result = runner.invoke(cli, [*args, "--language", "en", "--json"])
        assert result.exit_code == 0, result.output
        built[engine] = json.loads(result.stdout)
    spark_out, local_out = tmp_path / "spark", tmp_path / "local"
    assert (spark_out / "spans.parquet").is_dir() and (spark_out / "documents.parquet").is_dir()
    assert built["spark"]["engine"]["name"] == "spark" and built["spark"]["engine"]["version"].startswith("4.1.")
    assert built["local"]["engine"]["name"] == "local"
    for stage in ("preannotate", "dataset", "validation"):
        ours, theirs = dict(built["spark"][stage]), dict(built["local"][stage])
        ours.pop("engine", None)
        assert ours == theirs, stage
    assert built["spark"]["ingest"]["documents"] == built["local"]["ingest"]["documents"] == 14
    _same(spark_out, local_out)
    documents = pq.read_table(spark_out / "documents.parquet").sort_by("doc_id")
    assert documents.equals(pq.read_table(local_out / "documents.parquet").sort_by("doc_id"))
    configs = sorted(p.relative_to(local_out) for p in local_out.glob("*/*.parquet"))
    assert configs == sorted(p.relative_to(spark_out) for p in spark_out.glob("*/*.parquet") if p.parent.suffix == "")
    for config in configs:  # the dataset's files: the same rows in the same order
        assert pq.read_table(spark_out / config).equals(pq.read_table(local_out / config)), config
    card = (spark_out / "README.md").read_text(encoding="utf-8")
    assert "**Machine-made (silver) annotations.**" in card
