"""The dataset card: every section, numbers that match the tables, valid Hub metadata, real plots."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsspan.cards.metadata import card_metadata, size_category, validate_metadata

SECTIONS = [
    "Dataset summary",
    "Supported tasks",
    "Languages",
    "Dataset structure",
    "Offsets",
    "Label maps",
    "Splits and stories",
    "Sources",
    "Annotation process",
    "Pre-annotation",
    "Validation",
    "Personal and sensitive information",
    "Bias and limitations",
    "Licensing",
    "Provenance",
    "Citation",
]


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    from newsspan.dataset.build import build_corpus
    from newsspan.dataset.config import IngestOptions

    out = tmp_path_factory.mktemp("card") / "corpus"
    build_corpus(None, out, options=IngestOptions())
    return out


def _body(build: Path) -> str:
    return (build / "README.md").read_text(encoding="utf-8").split("\n---\n", 1)[1]


def test_every_section_is_present_in_order(build):
    headings = re.findall(r"^## (.+)$", _body(build), flags=re.M)
    assert headings == SECTIONS


def test_the_numbers_come_from_the_tables(build):
    body = _body(build)
    spans = pq.read_table(build / "spans.parquet").to_pylist()
    gold = [s for s in spans if s["origin"] == "gold"]
    assert f"{len(gold)} gold spans" in body
    persons = sum(1 for s in gold if s["label"] == "PERSON")
    assert "| 0 | PERSON | " in body and re.search(rf"\| 0 \| PERSON \| [^|]+\| {persons} \|", body)
    documents = pq.read_table(build / "documents.parquet").num_rows
    assert body.startswith(f"\n# newsspan corpus\n\n## Dataset summary\n\n{documents} news articles")
    import json

    fingerprint = json.loads((build / "manifest.json").read_text())["fingerprint"]
    assert f"build fingerprint `{fingerprint}`" in body
    assert "entity | 0.902 | 0.951" in body  # the agreement report of the sample
    human = [s for s in spans if s["origin"] == "human"]
    manual = sum(1 for s in human if s["provenance"] == "manual")
    assert f"manual {manual} ({manual / len(human):.0%})" in body, "human spans are counted by provenance"
    assert "Spans accepted unchanged were counted in the agreement figures." in body


def test_the_card_loads_as_a_hub_card_and_its_configs_parse(build):
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(build / "README.md")
    assert card.data.license == "cc-by-4.0" and card.data.pretty_name == "newsspan corpus"
    configs = MetadataConfigs.from_dataset_card_data(card.data)
    assert set(configs) == {"documents", "ner", "quotes", "boilerplate", "annotations"}


def test_plots_are_real_pngs_referenced_by_the_card(build):
    body = _body(build)
    for link in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", body):
        data = (build / link).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 2000, link
    assert len(re.findall(r"!\[", body)) == 3


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"license": "gpl-9"}, "license: 'gpl-9' is not one of"),
        ({"task_ids": ["fortune-telling"]}, "task_ids: 'fortune-telling' is not one of"),
        ({"size_categories": ["1M<n<10M"]}, "does not match 10 rows"),
        ({"language": ["English"]}, "'English' is not an ISO 639 code"),
    ],
    ids=["license", "task-id", "size", "language"],
)
def test_metadata_validation_names_each_problem(change, problem):
    metadata = (
        card_metadata(rows=10, languages=["en"], license_id="cc-by-4.0", pretty_name="x", machine_annotations=True)
        | change
    )
    assert any(problem in p for p in validate_metadata(metadata, rows=10))
    assert (
        validate_metadata(
            card_metadata(
                rows=10, languages=["en"], license_id="cc-by-4.0", pretty_name="x", machine_annotations=False
            ),
            rows=10,
        )
        == []
    )


def test_size_categories():
    assert [size_category(n) for n in (10, 999, 1000, 50_000, 2_000_000)] == [
        "n<1K",
        "n<1K",
        "1K<n<10K",
        "10K<n<100K",
        "1M<n<10M",
    ]


def test_card_command_regenerates_the_card(build, runner, tmp_path):
    import shutil

    from newsspan.dataset.cli import cli

    copy = tmp_path / "copy"
    shutil.copytree(build, copy)
    (copy / "README.md").unlink()
    result = runner.invoke(cli, ["card", str(copy), "--pretty-name", "Tarsel Strait news"])
    assert result.exit_code == 0, result.output
    assert "# Tarsel Strait news" in (copy / "README.md").read_text(encoding="utf-8")
