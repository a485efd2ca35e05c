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


HOSTILE = {
    "script": "<script>alert(1)</script>",
    "image": '"><img src=x onerror=alert(1)>',
    "link": "[click](javascript:alert(1))",
    "table": "Left | Right\nNext line",
    "math": "$\\macro$ News",
}


def test_strings_from_the_data_reach_the_card_as_text(runner, tmp_path):
    """Outlets, agencies and the pretty name are data: in the card's Markdown, rendered to HTML
    as the Hub renders it, they must stay text (no element, no javascript: link, no broken
    table), and the plot of outlets must draw them as typed."""
    import json

    from markdown_it import MarkdownIt

    from newsspan.dataset.cli import cli

    body = " ".join(["The harbour council met on Monday and discussed the new fishing quotas at length."] * 6)
    lines = [
        json.dumps({"id": f"h{i}", "title": f"Council story {i}", "text": f"Council story {i}\n\n{body} Item {i}.",
                    "outlet": outlet, "agency": HOSTILE["image"], "language": "en"})
        for i, outlet in enumerate(HOSTILE.values())
    ]  # fmt: skip
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "hostile.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "corpus"
    result = runner.invoke(cli, ["-q", "build", str(articles), "--out", str(out)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(cli, ["card", str(out), "--pretty-name", "</h1><script>x()</script> | {title}"])
    assert again.exit_code == 0, again.output
    card = (out / "README.md").read_text(encoding="utf-8")
    html = MarkdownIt("commonmark").enable("table").render(card.split("---", 2)[2])
    elements = re.findall(r"<(script|img|a)\b([^>]*)>", html)
    assert not [e for e in elements if e[0] == "script"], "no script element"
    assert all('src="plots/' in attrs for tag, attrs in elements if tag == "img"), "only the card's own plots"
    assert not [attrs for _, attrs in elements if "javascript:" in attrs or "onerror" in attrs]
    outlets = re.search(r"\| outlet \| documents \|\n\| --- \| ---: \|\n((?:\|.*\n)+)", card)
    assert outlets is not None and len(outlets.group(1).splitlines()) == len(HOSTILE), "one table row per outlet"
    import html as html_module

    for outlet in {d["outlet"] for d in pq.read_table(out / "documents.parquet").to_pylist()}:
        assert html_module.escape(" ".join(outlet.split()), quote=False) in html, f"{outlet!r} shown as typed"
    assert "title = {</h1><script>x()</script> | title}" in card, "BibTeX: braces dropped, no field break"
