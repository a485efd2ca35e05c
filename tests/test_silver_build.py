"""A predictions-only (silver) build: the rules' proposals published as a dataset, with a card
that says they are machine-made and how good the rules measured on the development sets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from newsspan.dataset.heuristics.quality import FIGURES, SETS, measured_quality, record_quality
from newsspan.dataset.preannotate import MODEL_VERSION


@pytest.fixture(scope="module")
def silver(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    from newsspan.dataset.cli import cli

    out = tmp_path_factory.mktemp("silver") / "corpus"
    result = CliRunner().invoke(cli, ["build", "--predictions-only", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _front_matter(readme: Path) -> tuple[dict[str, Any], str]:
    _, front, body = readme.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def test_the_published_layer_is_the_rules_proposals(silver: Path) -> None:
    manifest = json.loads((silver / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dataset"]["published"] == "prediction"
    assert manifest["preannotate"]["model_version"] == MODEL_VERSION  # the rules are recorded
    assert manifest["engine"]["name"] == "local"  # where the rules ran
    assert "convert" not in manifest and "gold" not in manifest  # nothing to convert or adjudicate
    spans = pq.read_table(silver / "spans.parquet")
    assert set(spans["origin"].to_pylist()) == {"prediction"}
    quotes = spans.filter(pc.equal(spans["label"], "QUOTE")).num_rows
    assert quotes > 0
    assert sum(manifest["dataset"]["rows"]["quotes"].values()) == quotes  # every predicted quote, none else
    assert manifest["preannotate"]["spans"]["QUOTE"] == quotes
    assert pq.read_metadata(silver / "annotations.parquet").num_rows == 0  # no one annotated


def test_load_dataset_reads_the_silver_configs_with_verified_offsets(silver: Path, monkeypatch) -> None:
    import datasets

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    documents = {row["doc_id"]: row["text"] for row in datasets.load_dataset(str(silver), "documents")["train"]}
    quotes = datasets.load_dataset(str(silver), "quotes")["train"]
    assert quotes.num_rows > 0 and any(q["speaker"] for q in quotes)  # attributed quotes, with speakers
    for quote in quotes:
        text = documents[quote["doc_id"]]
        assert text[quote["start"] : quote["end"]] == quote["text"], quote["quote_id"]
        if quote["speaker"] is not None:
            assert text[quote["speaker_start"] : quote["speaker_end"]] == quote["speaker"]
    boilerplate = datasets.load_dataset(str(silver), "boilerplate")["train"]
    assert set(boilerplate.features["label"].names) >= {"CONTENT", "NAVIGATION"}
    assert any(row["label"] != 0 for row in boilerplate)  # some line is predicted boilerplate
    with pytest.raises(ValueError, match="annotations"):  # no human annotation: the config is not declared
        datasets.load_dataset(str(silver), "annotations")


def test_the_card_says_machine_made_and_shows_the_measured_quality(silver: Path) -> None:
    front, body = _front_matter(silver / "README.md")
    assert front["annotations_creators"] == ["machine-generated"]
    assert [c["config_name"] for c in front["configs"]] == ["documents", "ner", "quotes", "boilerplate"]
    assert "**Machine-made (silver) annotations.**" in body
    assert "as if it were gold" in body
    assert "## Annotation process" not in body and "## How the labels were made" in body
    assert "Not in this build, having no rows: `annotations`." in body
    measured = measured_quality(MODEL_VERSION)
    assert {m.set_name for m in measured} == set(SETS)
    for figure in measured:  # every recorded figure, with its set and meaning
        assert f"| `{figure.set_name}` | `{figure.figure}` | {figure.description} | {figure.value:.3f} |" in body
    predicted = json.loads((silver / "manifest.json").read_text(encoding="utf-8"))["preannotate"]["spans"]
    assert f"{sum(predicted.values())} predicted spans, no human annotations" in body
    assert "the rules proposed DATE)" in body  # the entity labels this build has, from its spans


def test_a_card_of_rules_of_another_version_says_not_measured(silver: Path, tmp_path: Path) -> None:
    import shutil

    from newsspan.cards.render import render_card

    copy = tmp_path / "copy"
    shutil.copytree(silver, copy)
    summary = copy / "preannotate.json"
    counts = json.loads(summary.read_text(encoding="utf-8"))
    summary.write_text(json.dumps(counts | {"model_version": MODEL_VERSION + "+spacy:custom"}), encoding="utf-8")
    body, _, _ = render_card(copy, pretty_name="x", license_id="cc-by-4.0")
    assert "Not measured: these rules are not the version whose quality" in body
    assert "| `aeb-dev` |" not in body


def test_predictions_only_refuses_exports_and_comes_from_the_config(runner, tmp_path: Path, seeds_dir: Path) -> None:
    from newsspan.dataset.build import sample_export
    from newsspan.dataset.cli import cli

    with sample_export() as export:
        refused = runner.invoke(cli, ["build", "--predictions-only", "--export", str(export), "--out", str(tmp_path)])
    assert refused.exit_code == 1  # build_corpus refuses it, for the API as for the command
    assert "a predictions-only build publishes the rules' proposals" in refused.stderr
    assert "drop --export" in refused.stderr and "drop --predictions-only" in refused.stderr
    pulled = runner.invoke(cli, ["build", "--predictions-only", "--from-label-studio", "--out", str(tmp_path)])
    assert pulled.exit_code == 2 and "drop --from-label-studio" in pulled.stderr  # refused before any pull
    assert not list(tmp_path.iterdir())
    config = tmp_path / "newsspan.toml"
    config.write_text("[build]\npredictions_only = true\n", encoding="utf-8")
    out = tmp_path / "seeds"
    built = runner.invoke(cli, ["--config", str(config), "build", str(seeds_dir), "--out", str(out), "--json"])
    assert built.exit_code == 0, built.output
    manifest = json.loads(built.stdout)
    assert manifest["dataset"]["published"] == "prediction" and manifest["preannotate"]["documents"] == 5
    gold = ["build", "--no-predictions-only", str(seeds_dir), "--out", str(tmp_path / "g"), "--json"]
    off = runner.invoke(cli, ["--config", str(config), *gold])
    assert off.exit_code == 0, off.output
    assert json.loads(off.stdout)["dataset"]["published"] == "gold"  # the command line overrides the file
    help_text = runner.invoke(cli, ["build", "--help"]).output
    assert "--predictions-only" in help_text and "newsspan build --predictions-only crawl/" in help_text


def test_the_quality_record_is_of_the_current_rules_and_names_known_figures() -> None:
    path = Path(__file__).resolve().parents[1] / "dataset" / "heuristics" / "measured_quality.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["model_version"] == MODEL_VERSION, "the rules changed: run the benchmarks with --record"
    assert set(record["sets"]) == set(SETS)
    for figures in record["sets"].values():
        assert set(figures) <= set(FIGURES) and all(0 <= v <= 1 for v in figures.values())


def test_record_quality_keeps_other_sets_and_starts_again_for_new_rules(tmp_path: Path) -> None:
    path = tmp_path / "quality.json"
    record_quality(path, "rules-1", "aeb-dev", {"body_f1_html": 0.912345})
    record_quality(path, "rules-1", "polnear-train", {"quote_f1": 0.5})
    assert [(m.set_name, m.figure, m.value) for m in measured_quality("rules-1", path=path)] == [
        ("aeb-dev", "body_f1_html", 0.9123),
        ("polnear-train", "quote_f1", 0.5),
    ]
    record_quality(path, "rules-2", "polnear-train", {"quote_f1": 0.6})  # new rules: the old figures go
    assert measured_quality("rules-1", path=path) == []
    assert [m.value for m in measured_quality("rules-2", path=path)] == [0.6]
    with pytest.raises(ValueError, match="unknown set"):
        record_quality(path, "rules-2", "nowhere", {"quote_f1": 0.6})


def test_the_analyses_read_the_predictions_of_a_silver_build(silver: Path) -> None:
    from newsspan.dataset.analysis import quotes_by_speaker

    table = quotes_by_speaker(silver).collect()
    spans = pq.read_table(silver / "spans.parquet")
    assert int(table["quotes"].sum()) == spans.filter(pc.equal(spans["label"], "QUOTE")).num_rows


def test_the_gate_gives_the_same_counts_on_tables_written_as_part_files(silver: Path, tmp_path: Path) -> None:
    # a Spark build's tables are folders of part files: the gate reads them as the one-file tables
    import shutil

    from newsspan.validation.gate import validate_tables

    copy = tmp_path / "parts"
    shutil.copytree(silver, copy)
    for name in ("documents", "spans", "relations"):
        table = pq.read_table(copy / f"{name}.parquet")
        (copy / f"{name}.parquet").unlink()
        (copy / f"{name}.parquet").mkdir()
        half = table.num_rows // 2
        for number, part in enumerate((table.slice(0, half), table.slice(half))):
            pq.write_table(part, copy / f"{name}.parquet" / f"part-{number:05d}.parquet")
    whole, parts = validate_tables(silver), validate_tables(copy)
    assert [(r.rule_id, r.checked, r.failed) for r in parts.rules] == [
        (r.rule_id, r.checked, r.failed) for r in whole.rules
    ]
    assert sum(r.checked for r in parts.rules) > 0
